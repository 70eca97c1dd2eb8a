//! Consent purposes and the consent ledger: what a tenant asks its users to agree to, what each
//! user answered (every answer kept, the latest one counts), and what an answer changes.
//!
//! - Purposes are written through the node's cache (every sign-in reads them) and audited
//!   (`purpose.created`, `purpose.updated`, `purpose.deleted`).
//! - Each answer is one ledger entry, written with the current state it changes in one commit,
//!   and audited (`consent.granted`, `consent.withdrawn`, naming the purpose and version).
//! - A withdrawal takes the purpose's scopes out of the user's live grants, so the next token
//!   goes without them, and queues a `consent.withdrawn` event for downstream systems.
//! - An app's remembered scope consents are ledger entries too ([`remember_scopes`],
//!   [`forget_scopes`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use ciam_core::audit::AuditRecord;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::locale::Locale;
use ciam_core::outbox::OutboxEvent;
use ciam_core::purpose::{
    ConsentAction, ConsentEvent, ConsentTopic, LegalBasis, PRIVACY, Purpose, PurposeConsent, PurposeSpec, PurposeText,
    TERMS, check_id,
};
use ciam_core::scope::ScopeSet;
use ciam_core::store::PurposeStore;
use ciam_core::tenant::Tenant;
use serde_json::{Value, json};

use super::{Actor, By, ServiceError, audited, ports};
use crate::i18n::{self, msg};
use crate::state::AppState;

/// The tenant's purposes, from this node's cache.
pub(crate) async fn purposes(st: &AppState, tenant: &TenantId) -> Result<Arc<[Purpose]>, ServiceError> {
    Ok(st.directory.purposes(st.durable.as_ref(), tenant).await?)
}

fn purpose_event(kind: &str, p: &Purpose) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.reason = Some(format!("purpose {} version {}", p.id, p.version));
    e
}

/// Adds a purpose at version 1; `Conflict` (from the store) when the id is taken.
pub(crate) async fn create_purpose(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    id: &str,
    spec: PurposeSpec,
) -> Result<Purpose, ServiceError> {
    check_id(id).map_err(ServiceError::Invalid)?;
    let spec = spec.validate().map_err(ServiceError::Invalid)?;
    let purpose = Purpose::new(tenant, id, spec, st.clock.now());
    ports(st).create_purpose(&purpose).await?;
    audited(st, tenant, by, purpose_event("purpose.created", &purpose)).await?;
    Ok(purpose)
}

/// Replaces a purpose's settings: a new version when its words or document changed. `None`
/// when there is no such purpose.
pub(crate) async fn update_purpose(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    id: &str,
    spec: PurposeSpec,
) -> Result<Option<Purpose>, ServiceError> {
    let spec = spec.validate().map_err(ServiceError::Invalid)?;
    let Some(current) = st.durable.list_purposes(tenant).await?.into_iter().find(|p| p.id == id) else {
        return Ok(None);
    };
    let next = current.updated(spec, st.clock.now());
    if !ports(st).update_purpose(&next).await? {
        return Ok(None);
    }
    audited(st, tenant, by, purpose_event("purpose.updated", &next)).await?;
    Ok(Some(next))
}

/// Deletes a purpose; users' answers about it stay in their ledgers. `false` if there was none.
pub(crate) async fn delete_purpose(st: &AppState, by: &By, tenant: &TenantId, id: &str) -> Result<bool, ServiceError> {
    if !ports(st).delete_purpose(tenant, id).await? {
        return Ok(false);
    }
    let mut e = AuditRecord::allow("purpose.deleted");
    e.reason = Some(format!("purpose {id}"));
    audited(st, tenant, by, e).await?;
    Ok(true)
}

/// The documents of a tenant's sign-up settings (`terms_url`, `privacy_url`) as the purposes
/// `terms` and `privacy`, required, on the legal basis of the contract: created when missing,
/// given a new version that asks everyone again when the URL or the documents' version changed.
/// Called when the tenant is saved, and by the sign-up page (for tenants saved before purposes
/// existed). Returns the tenant's purposes after that.
pub(crate) async fn adopt_signup_documents(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
) -> Result<Arc<[Purpose]>, ServiceError> {
    let all = purposes(st, &tenant.id).await?;
    let signup = &tenant.settings.signup;
    let mut changed = false;
    for (id, url, title) in
        [(TERMS, &signup.terms_url, msg!("purpose-terms")), (PRIVACY, &signup.privacy_url, msg!("purpose-privacy"))]
    {
        let Some(url) = url else { continue };
        let version = signup.documents_version.as_deref();
        let texts = Locale::ALL
            .iter()
            .map(|l| {
                let description = version.map(|v| i18n::text(*l, msg!("purpose-documents-version"), &[("version", v)]));
                (
                    l.tag().to_owned(),
                    PurposeText { title: i18n::text(*l, title, &[]), description: description.unwrap_or_default() },
                )
            })
            .collect();
        let spec = PurposeSpec {
            texts,
            url: Some(url.clone()),
            legal_basis: LegalBasis::Contract,
            required: true,
            ask_again: true,
            scopes: Vec::new(),
        };
        match all.iter().find(|p| p.id == id) {
            None => match create_purpose(st, by, &tenant.id, id, spec).await {
                Ok(_) | Err(ServiceError::Store(ciam_core::store::StoreError::Conflict { .. })) => changed = true,
                Err(e) => return Err(e),
            },
            Some(p) if p.spec.url.as_deref() != Some(url.as_str()) || p.spec.texts != spec.texts => {
                update_purpose(st, by, &tenant.id, id, spec).await?;
                changed = true;
            }
            Some(_) => {}
        }
    }
    if changed { purposes(st, &tenant.id).await } else { Ok(all) }
}

/// Where an answer was given: the page (`signup`, `authorize`, `account`, `device`, `saml`,
/// `admin`) and the application being signed in to.
#[derive(Clone, Copy)]
pub(crate) struct Channel<'a> {
    pub(crate) page: &'static str,
    pub(crate) via_client: Option<&'a ClientId>,
}

/// The ledger entry of an answer, stamped with who gave it where.
fn entry(
    tenant: &TenantId,
    user: &UserId,
    action: ConsentAction,
    topic: ConsentTopic,
    by: &By,
    at: Channel<'_>,
    st: &AppState,
) -> ConsentEvent {
    ConsentEvent {
        tenant_id: tenant.clone(),
        user_id: *user,
        seq: 0,
        action,
        topic,
        channel: at.page.to_owned(),
        via_client: at.via_client.map(ToString::to_string),
        ip: by.caller.ip.clone(),
        at: st.clock.now(),
    }
}

/// Records `user`'s answers about `purposes` (`true`: granted). A withdrawal of a purpose the
/// user granted takes its scopes out of the user's live grants and queues a
/// `consent.withdrawn` event.
pub(crate) async fn answer(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    answers: &[(&Purpose, bool)],
    at: Channel<'_>,
) -> Result<(), ServiceError> {
    for (purpose, granted) in answers {
        let action = if *granted { ConsentAction::Granted } else { ConsentAction::Withdrawn };
        let topic = ConsentTopic::Purpose {
            purpose: purpose.id.clone(),
            version: purpose.version,
            digest: purpose.digest.clone(),
        };
        let notify = (!granted).then(|| {
            let data = json!({"purpose": purpose.id, "version": purpose.version, "scopes": purpose.spec.scopes});
            OutboxEvent::new(tenant, "consent.withdrawn", &user.to_string(), data, st.clock.now())
        });
        st.durable.record_consent(&entry(tenant, user, action, topic, by, at, st), notify.as_ref()).await?;
        let mut narrowed = 0;
        if !granted {
            for scope in &purpose.spec.scopes {
                narrowed += st.durable.narrow_user_refresh_families(tenant, user, scope).await?;
            }
        }
        let mut e = purpose_event(if *granted { "consent.granted" } else { "consent.withdrawn" }, purpose);
        e.user_id = Some(user.to_string());
        e.client_id = at.via_client.map(ToString::to_string);
        if narrowed > 0 {
            e.reason = e.reason.map(|r| format!("{r}; scopes taken out of {narrowed} grants"));
        }
        audited(st, tenant, by, e).await?;
    }
    Ok(())
}

/// Remembers that `user` allowed `client` the scopes `scope` (the union with what was allowed
/// before, so a narrower request does not forget a wider one), as a ledger entry.
pub(crate) async fn remember_scopes(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    client: &ClientId,
    scope: &ScopeSet,
    at: Channel<'_>,
) -> Result<(), ServiceError> {
    let previous = st.durable.get_consent(tenant, user, client).await?;
    let mut all = previous.and_then(|p| ScopeSet::parse_space_separated(&p).ok()).unwrap_or_default().to_vec();
    all.extend(scope.to_vec());
    let union = ScopeSet::from_list(&all).unwrap_or_else(|_| scope.clone());
    let topic = ConsentTopic::Scope { client_id: client.to_string(), scope: union.to_string() };
    st.durable.record_consent(&entry(tenant, user, ConsentAction::Granted, topic, by, at, st), None).await?;
    Ok(())
}

/// Forgets what `user` allowed `client`, as a ledger entry; `false` when nothing was allowed.
pub(crate) async fn forget_scopes(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    client: &ClientId,
) -> Result<bool, ServiceError> {
    let Some(scope) = st.durable.get_consent(tenant, user, client).await? else { return Ok(false) };
    let page = if matches!(by.actor, Actor::Admin(_) | Actor::System(_)) { "admin" } else { "account" };
    let topic = ConsentTopic::Scope { client_id: client.to_string(), scope };
    let at = Channel { page, via_client: None };
    st.durable.record_consent(&entry(tenant, user, ConsentAction::Withdrawn, topic, by, at, st), None).await?;
    Ok(true)
}

/// Where a user stands with the tenant's purposes.
#[derive(Debug, Default)]
pub(crate) struct Standing {
    /// Purposes to ask about before a sign-in completes.
    pub(crate) pending: Vec<Purpose>,
    /// Scopes bound to purposes the user does not grant: tokens go without them.
    pub(crate) withheld: Vec<String>,
    /// The `consents` claim: each granted purpose with the version and time of the grant.
    pub(crate) claim: Value,
}

impl Standing {
    /// `scope` without the withheld scopes.
    pub(crate) fn allowed(&self, scope: &ScopeSet) -> ScopeSet {
        if self.withheld.is_empty() {
            return scope.clone();
        }
        let kept: Vec<&str> = scope.iter().filter(|s| !self.withheld.iter().any(|w| w == s)).collect();
        ScopeSet::from_list(&kept).unwrap_or_default()
    }
}

/// Where `user` stands: one store read, none when the tenant has no purposes.
pub(crate) async fn standing(st: &AppState, tenant: &TenantId, user: &UserId) -> Result<Standing, ServiceError> {
    let all = purposes(st, tenant).await?;
    if all.is_empty() {
        return Ok(Standing { claim: json!({}), ..Standing::default() });
    }
    let answers = st.durable.purpose_consents(tenant, user).await?;
    Ok(standing_of(&all, &answers))
}

fn standing_of(all: &[Purpose], answers: &[PurposeConsent]) -> Standing {
    let mut out = Standing::default();
    let mut claim = BTreeMap::new();
    for p in all {
        let state = answers.iter().find(|a| a.purpose == p.id);
        if p.must_ask(state) {
            out.pending.push(p.clone());
        }
        match state {
            Some(s) if p.granted_by(Some(s)) => {
                claim.insert(p.id.clone(), json!({"version": s.version, "granted_at": s.at.unix_timestamp()}));
            }
            _ => out.withheld.extend(p.spec.scopes.iter().cloned()),
        }
    }
    out.claim = json!(claim);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn purpose(id: &str, required: bool, scopes: &[&str]) -> Result<Purpose, Box<dyn std::error::Error>> {
        let spec = PurposeSpec {
            texts: BTreeMap::from([("en".into(), PurposeText { title: id.into(), description: String::new() })]),
            url: None,
            legal_basis: LegalBasis::Consent,
            required,
            ask_again: true,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        Ok(Purpose::new(&TenantId::parse("acme")?, id, spec, datetime!(2026-12-01 0:00 UTC)))
    }

    #[test]
    fn standing_asks_withholds_and_claims() -> TestResult {
        let terms = purpose("terms", true, &[])?;
        let news = purpose("news", false, &["newsletter"])?;
        let at = datetime!(2026-12-02 0:00 UTC);
        let none = standing_of(&[terms.clone(), news.clone()], &[]);
        assert_eq!(none.pending.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["terms"]);
        assert_eq!(none.withheld, ["newsletter"]);
        assert_eq!(none.claim, json!({}));
        let answers = [
            PurposeConsent { purpose: "terms".into(), version: 1, granted: true, at },
            PurposeConsent { purpose: "news".into(), version: 1, granted: true, at },
        ];
        let all = standing_of(&[terms, news], &answers);
        assert!(all.pending.is_empty() && all.withheld.is_empty());
        assert_eq!(all.claim["news"], json!({"version": 1, "granted_at": at.unix_timestamp()}));
        let withheld = Standing { withheld: vec!["newsletter".into()], ..Standing::default() };
        let scope = ScopeSet::parse_space_separated("openid newsletter email")?;
        assert_eq!(withheld.allowed(&scope).to_string(), ScopeSet::parse_space_separated("openid email")?.to_string());
        Ok(())
    }
}
