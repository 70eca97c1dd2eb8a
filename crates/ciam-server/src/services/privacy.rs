//! A user's rights over their data: a copy of it (GDPR Art. 15 and 20), one JSON document with
//! everything the tenant holds about the user in a documented shape (`docs/privacy.md`, format
//! `ciam.user-export.v1`) and never a secret (no password hash, TOTP seed, recovery code,
//! passkey key material, token or session cookie); and erasure (Art. 17).

use std::time::Duration;

use ciam_core::agent::AgentOwner;
use ciam_core::audit::{AuditFilter, AuditRecord};
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Json};
use ciam_core::outbox::OutboxEvent;
use ciam_core::page::PageRequest;
use ciam_core::secret::random_token;
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::delegations;
use super::sessions::{self, Which, user_sessions};
use super::{By, ServiceError, audited};
use crate::i18n::{self, msg};
use crate::state::AppState;

/// The export format's name and version, the document's first field.
pub(crate) const EXPORT_FORMAT: &str = "ciam.user-export.v1";
/// Audit events in one export at most; a document that reaches it says so (`truncated`).
const MAX_AUDIT_EVENTS: usize = 50_000;

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map_or(Value::Null, Value::String)
}

fn unix(secs: i64) -> Value {
    OffsetDateTime::from_unix_timestamp(secs).map_or(Value::Null, rfc3339)
}

/// Everything the tenant holds about `user`, as one document.
pub(crate) async fn export(st: &AppState, tenant: &Tenant, user: &User) -> Result<Value, ServiceError> {
    let (t, id) = (&tenant.id, &user.id);
    let store = st.durable.as_ref();
    let identities: Vec<Value> = store
        .list_user_identities(t, id)
        .await?
        .into_iter()
        .map(|l| json!({"provider": l.provider_id, "subject": l.subject, "email": l.email, "linked_at": rfc3339(l.linked_at)}))
        .collect();
    let factors: Vec<Value> = store
        .list_factors(t, id)
        .await?
        .into_iter()
        .map(|f| {
            json!({"id": f.id, "kind": f.kind.as_str(), "name": f.name, "created_at": rfc3339(f.created_at),
                   "last_used_at": f.last_used_at.map_or(Value::Null, rfc3339)})
        })
        .collect();
    let purposes: Vec<Value> = store
        .purpose_consents(t, id)
        .await?
        .into_iter()
        .map(|c| json!({"purpose": c.purpose, "version": c.version, "granted": c.granted, "at": rfc3339(c.at)}))
        .collect();
    let mut history = Vec::new();
    let mut page = PageRequest { limit: 1000, after: None };
    loop {
        let p = store.consent_history(t, id, &page).await?;
        history.extend(p.items.iter().map(|e| serde_json::to_value(e).unwrap_or(Value::Null)));
        match p.next_after {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    let applications: Vec<Value> = store
        .list_consents(t, id)
        .await?
        .into_iter()
        .map(|(client, scope, at)| json!({"client_id": client.to_string(), "scope": scope, "granted_at": rfc3339(at)}))
        .collect();
    let sessions: Vec<Value> = user_sessions(st, &tenant.ns(), &id.to_string())
        .await
        .map_err(ServiceError::Sessions)?
        .into_iter()
        .map(|(_, s)| {
            json!({"sid": s.sid, "signed_in_at": unix(s.auth_time), "methods": s.amr, "level": s.acr,
                   "last_active": s.last_active.map_or(Value::Null, unix), "user_agent": s.user_agent})
        })
        .collect();
    let delegations: Vec<Value> = store
        .list_user_delegations(t, id)
        .await?
        .into_iter()
        .map(|d| {
            json!({"id": d.id, "agent_id": d.agent_id.to_string(), "scope": d.scope.to_string(),
                   "audiences": d.audiences, "created_at": rfc3339(d.created_at), "expires_at": rfc3339(d.expires_at),
                   "revoked_at": d.revoked_at.map_or(Value::Null, rfc3339)})
        })
        .collect();
    let agents = owned_agents(st, tenant, id).await?;
    let (audit, truncated) = audit_events(st, tenant, id).await?;
    Ok(json!({
        "format": EXPORT_FORMAT,
        "generated_at": rfc3339(st.clock.now()),
        "tenant": t.as_str(),
        "user": {
            "id": id.to_string(),
            "email": user.email.as_str(),
            "email_verified": user.email_verified,
            "status": user.status,
            "source": user.source,
            "created_at": rfc3339(user.created_at),
            "updated_at": rfc3339(user.updated_at),
            "profile": user.profile,
        },
        "identifiers": [{"type": "email", "value": user.email.as_str()}, {"type": "user_id", "value": id.to_string()}],
        "linked_identities": identities,
        "factors": factors,
        "consents": {"purposes": purposes, "history": history},
        "applications": applications,
        "sessions": sessions,
        "agents": agents,
        "delegations": delegations,
        "audit_events": audit,
        "audit_events_truncated": truncated,
    }))
}

/// [`export`] for an administrator: audited as `user.exported`.
pub(crate) async fn export_by(st: &AppState, by: &By, tenant: &Tenant, user: &User) -> Result<Value, ServiceError> {
    let doc = export(st, tenant, user).await?;
    audited(st, &tenant.id, by, exported(&user.id)).await?;
    Ok(doc)
}

fn exported(user: &UserId) -> AuditRecord {
    let mut e = AuditRecord::allow("user.exported");
    e.user_id = Some(user.to_string());
    e
}

/// The agents the user registered (owner `user`), by id and name.
async fn owned_agents(st: &AppState, tenant: &Tenant, user: &UserId) -> Result<Vec<Value>, ServiceError> {
    let mut out = Vec::new();
    let mut page = PageRequest { limit: 500, after: None };
    loop {
        let p = st.durable.list_agents(&tenant.id, &page).await?;
        for c in &p.items {
            if let Some(profile) = c.agent.as_ref().filter(|a| a.owner == AgentOwner::User(*user)) {
                out.push(
                    json!({"agent_id": c.client_id.to_string(), "name": c.name, "description": profile.description,
                                "created_at": rfc3339(c.created_at)}),
                );
            }
        }
        match p.next_after {
            Some(after) => page.after = Some(after),
            None => return Ok(out),
        }
    }
}

/// The user's audit events, oldest first, readable; at most [`MAX_AUDIT_EVENTS`].
async fn audit_events(st: &AppState, tenant: &Tenant, user: &UserId) -> Result<(Vec<Value>, bool), ServiceError> {
    let filter = AuditFilter { user_id: Some(user.to_string()), ..AuditFilter::default() };
    let mut out = Vec::new();
    let mut page = PageRequest { limit: 1000, after: None };
    loop {
        let p = super::privacy_keys::read_audit(st, &tenant.id, filter.clone(), &page).await?;
        out.extend(p.items.iter().map(|e| serde_json::to_value(e).unwrap_or(Value::Null)));
        if out.len() >= MAX_AUDIT_EVENTS {
            out.truncate(MAX_AUDIT_EVENTS);
            return Ok((out, true));
        }
        match p.next_after {
            Some(after) => page.after = Some(after),
            None => return Ok((out, false)),
        }
    }
}

/// How long a finished export waits for its download.
pub(crate) const EXPORT_KEPT: Duration = Duration::from_secs(3600);
/// How long an export may take before the user may ask again.
const EXPORT_PENDING: Duration = Duration::from_secs(600);

/// Where a user's export from the account centre stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExportState {
    /// The single-use download token, once the document is ready.
    pub(crate) token: Option<String>,
}

fn sealed_for(tenant: &Tenant, user: &UserId) -> String {
    format!("data-export:{}:{user}", tenant.id)
}

/// The user's export as it stands, if one was asked for.
pub(crate) async fn export_state(
    st: &AppState,
    tenant: &Tenant,
    user: &UserId,
) -> Result<Option<ExportState>, ServiceError> {
    let states = Json::<ExportState>::new(st.ephemeral.as_ref());
    states.get(&keyspace::data_export_of(&tenant.ns(), &user.to_string())).await.map_err(ServiceError::Sessions)
}

/// Starts making `user`'s export in the background (a large document takes a while); the
/// account centre offers it by a single-use link once ready, for [`EXPORT_KEPT`]. Audited as
/// `user.exported`. An export already being made is not started twice.
pub(crate) async fn start_export(st: &AppState, by: &By, tenant: &Tenant, user: &User) -> Result<(), ServiceError> {
    let states = Json::<ExportState>::new(st.ephemeral.as_ref());
    let key = keyspace::data_export_of(&tenant.ns(), &user.id.to_string());
    let pending = ExportState { token: None };
    if let Some(ExportState { token: None, .. }) = states.get(&key).await.map_err(ServiceError::Sessions)? {
        return Ok(());
    }
    states.put(&key, &pending, EXPORT_PENDING).await.map_err(ServiceError::Sessions)?;
    audited(st, &tenant.id, by, exported(&user.id)).await?;
    let (st, tenant, user) = (st.clone(), tenant.clone(), user.clone());
    tokio::spawn(async move {
        if let Err(e) = finish_export(&st, &tenant, &user).await {
            tracing::warn!(tenant = %tenant.id, error = %e, "data export failed");
            let _ = st.ephemeral.delete(key.as_str()).await;
        }
    });
    Ok(())
}

async fn finish_export(st: &AppState, tenant: &Tenant, user: &User) -> Result<(), ServiceError> {
    let doc = export(st, tenant, user).await?;
    let bytes = serde_json::to_vec(&doc).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let sealed =
        st.master.seal(&sealed_for(tenant, &user.id), &bytes).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let token = random_token(32);
    let ns = tenant.ns();
    st.ephemeral
        .put(keyspace::data_export(&ns, &token).as_str(), sealed.as_bytes(), EXPORT_KEPT)
        .await
        .map_err(ServiceError::Sessions)?;
    let states = Json::<ExportState>::new(st.ephemeral.as_ref());
    let ready = ExportState { token: Some(token) };
    states
        .put(&keyspace::data_export_of(&ns, &user.id.to_string()), &ready, EXPORT_KEPT)
        .await
        .map_err(ServiceError::Sessions)
}

/// The export behind `token`, once: `None` when it is unknown, used, expired or `user`'s not.
pub(crate) async fn take_export(
    st: &AppState,
    tenant: &Tenant,
    user: &UserId,
    token: &str,
) -> Result<Option<Vec<u8>>, ServiceError> {
    let ns = tenant.ns();
    let Some(sealed) =
        st.ephemeral.take(keyspace::data_export(&ns, token).as_str()).await.map_err(ServiceError::Sessions)?
    else {
        return Ok(None);
    };
    // Sealed for its user: another user's token opens nothing.
    let Ok(bytes) = st.master.open(&sealed_for(tenant, user), &String::from_utf8_lossy(&sealed)) else {
        return Ok(None);
    };
    st.ephemeral
        .delete(keyspace::data_export_of(&ns, &user.to_string()).as_str())
        .await
        .map_err(ServiceError::Sessions)?;
    Ok(Some(bytes))
}

/// Drops an export of `user` waiting for its download.
async fn forget_export(st: &AppState, tenant: &Tenant, user: &UserId) -> Result<(), ServiceError> {
    let ns = tenant.ns();
    if let Some(ExportState { token: Some(token), .. }) = export_state(st, tenant, user).await? {
        st.ephemeral.delete(keyspace::data_export(&ns, &token).as_str()).await.map_err(ServiceError::Sessions)?;
    }
    st.ephemeral
        .delete(keyspace::data_export_of(&ns, &user.to_string()).as_str())
        .await
        .map_err(ServiceError::Sessions)?;
    Ok(())
}

/// Erases `user` (GDPR Art. 17): their sessions end, their delegations end (agents stop at
/// once, each `delegation.revoked`), and in one commit a tombstone is left and the user goes
/// with everything of theirs (credentials, factors, links, consents and their ledger, refresh
/// grants, invitations); access tokens already issued stop standing, as for a deleted user.
/// Audited as `user.erased`, the last event about the user; then the user's data key is
/// destroyed, so the personal fields of every event about them become unreadable while the
/// chain still verifies. A `user.erased` event is queued for downstream systems. `false` when
/// there is no such user.
pub(crate) async fn erase(st: &AppState, by: &By, tenant: &Tenant, user: &UserId) -> Result<bool, ServiceError> {
    if st.durable.get_user(&tenant.id, user).await?.is_none() {
        return Ok(false);
    }
    sessions::end_user_sessions(st, by, tenant, user, Which::All).await?;
    forget_export(st, tenant, user).await?;
    let given = st.durable.list_user_delegations(&tenant.id, user).await?;
    delegations::end_all(st, &tenant.id, given, &by.caller, "the user was erased").await?;
    let now = st.clock.now();
    if !st.durable.erase_user(&tenant.id, user, now).await? {
        return Ok(false);
    }
    // The last event about the user: sealed under their data key like every earlier one, and
    // unreadable with them once the key is gone (found by the user's pseudonym all the same).
    let mut e = AuditRecord::allow("user.erased");
    e.user_id = Some(user.to_string());
    audited(st, &tenant.id, by, e).await?;
    super::privacy_keys::forget_user_data(st, &tenant.id, user).await?;
    let event = OutboxEvent::new(&tenant.id, "user.erased", &user.to_string(), json!({}), now);
    st.durable.queue_event(&event).await?;
    Ok(true)
}

/// What a user's own "Delete my account" led to.
pub(crate) enum Deletion {
    /// Erased at once.
    Erased,
    /// Disabled, and erased at this time (the tenant's grace period) unless an administrator
    /// cancels.
    Scheduled(OffsetDateTime),
}

/// A user's own "Delete my account": erased at once, or, when the tenant has a grace period,
/// disabled now (sessions and grants end) and erased when it is over. Audited as
/// `user.erasure_requested` with the date.
pub(crate) async fn delete_account(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    user: &User,
) -> Result<Deletion, ServiceError> {
    let grace = tenant.settings.privacy.erasure_grace_days;
    if grace == 0 {
        erase(st, by, tenant, &user.id).await?;
        return Ok(Deletion::Erased);
    }
    let now = st.clock.now();
    let due = now + time::Duration::days(i64::from(grace));
    st.durable.request_erasure(&tenant.id, &user.id, now, due).await?;
    let disabled = User { status: UserStatus::Disabled, updated_at: now, ..user.clone() };
    super::users::update(st, by, tenant, user, &disabled, None).await?;
    let mut e = AuditRecord::allow("user.erasure_requested");
    e.user_id = Some(user.id.to_string());
    e.reason = Some(format!("erased on {}", due.date()));
    audited(st, &tenant.id, by, e).await?;
    mail_keep_link(st, tenant, user, due).await?;
    Ok(Deletion::Scheduled(due))
}

/// Mails the user, in their language, the link that keeps their account until `due`: changing
/// one's mind needs no administrator (the account is disabled, so it cannot sign in to say so).
async fn mail_keep_link(st: &AppState, tenant: &Tenant, user: &User, due: OffsetDateTime) -> Result<(), ServiceError> {
    use super::accounts::{self, Purpose};
    let issued = accounts::issue(st, tenant, Purpose::KeepAccount, Some(user), &user.email, None).await?;
    let link = accounts::proof_url(st, tenant, "account/keep", &user.id.to_string(), &issued.token);
    let locale = i18n::mail_locale(Some(user), i18n::current());
    let date = due.date().to_string();
    let args = [("tenant", tenant.display_name.as_str()), ("date", date.as_str()), ("link", link.as_str())];
    let mail = accounts::localised_mail(&user.email, locale, msg!("mail-keep-subject"), msg!("mail-keep-text"), &args);
    accounts::queue(st, tenant, mail, super::outbox::Delivery::default()).await
}

/// The user's own "Keep my account", by the mailed link (`presented`, checked and used up): the
/// waiting erasure is cancelled and the account enabled again. `false` when the link does not
/// work (used, replaced, expired) or no erasure waits.
pub(crate) async fn keep_account(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    user: &User,
    token: &str,
) -> Result<bool, ServiceError> {
    use super::accounts::{self, Presented, Purpose};
    let proof = accounts::check(st, tenant, Purpose::KeepAccount, user, Presented::Link(token), true).await?;
    if proof.is_none() {
        return Ok(false);
    }
    cancel_erasure(st, by, tenant, user).await
}

/// Cancels a user's waiting erasure and enables the account again; `false` when none waited.
/// Audited as `user.erasure_cancelled`.
pub(crate) async fn cancel_erasure(st: &AppState, by: &By, tenant: &Tenant, user: &User) -> Result<bool, ServiceError> {
    if !st.durable.cancel_erasure(&tenant.id, &user.id).await? {
        return Ok(false);
    }
    let enabled = User { status: UserStatus::Active, updated_at: st.clock.now(), ..user.clone() };
    super::users::update(st, by, tenant, user, &enabled, None).await?;
    let mut e = AuditRecord::allow("user.erasure_cancelled");
    e.user_id = Some(user.id.to_string());
    audited(st, &tenant.id, by, e).await?;
    Ok(true)
}
