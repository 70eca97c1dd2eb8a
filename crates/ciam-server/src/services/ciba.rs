//! Backchannel authentication (OpenID CIBA Core 1.0) below its two doors: the endpoint clients
//! call (`oidc/ciba.rs`) and the account centre's approval requests page. The engine keeps the
//! requests and issues the tokens (`ciam_oauth::issuer`); this module reaches the user (a mail
//! with a link to the page), records each step on the audit trail, and notifies a client in the
//! ping mode once the user has answered.
//!
//! Audited as `ciba.requested`, `ciba.approved` and `ciba.denied`, each with the user, the client
//! (the agent), the delegation, the scope, and in the sealed reason the binding message and the
//! authorization details; the tokens issued are `token.issued` with the details likewise.

use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Counter};
use ciam_core::purpose::CONSENTS_SCOPE;
use ciam_core::scope::ScopeSet;
use ciam_core::tenant::Tenant;
use ciam_core::user::User;
use ciam_oauth::OAuthError;
use ciam_oauth::ciba::{CibaRequest, CibaStart};
use ciam_oauth::code::CodeGrant;
use ciam_oauth::issuer::PendingCiba;
use ciam_oauth::rar::Types;
use serde_json::json;

use super::{By, ServiceError, accounts, consents, outbox};
use crate::adapters::outbound::guarded_send;
use crate::audit::Caller;
use crate::i18n::{self, msg};
use crate::services::sessions::Session;
use crate::state::AppState;

/// The largest answer read from a client's notification endpoint (it should send none).
const MAX_PING_ANSWER: usize = 4096;

/// The event of a step of `request`: who asked whom for what.
fn event(kind: &str, request: &CibaRequest, agent: bool) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.user_id = Some(request.user_id.clone());
    e.client_id = Some(request.client_id.clone());
    if agent {
        e.actors = vec![request.client_id.clone()];
    }
    e.delegation_id.clone_from(&request.delegation_id);
    e.scope = Some(request.scope.clone());
    e.audience = (!request.resources.is_empty()).then(|| request.resources.join(" "));
    // What the user is asked is about them (amounts, counterparties): sealed with the user id.
    let about = json!({
        "binding_message": request.binding_message,
        "authorization_details": request.authorization_details,
    });
    e.reason = Some(about.to_string());
    e.reason_is_personal = true;
    e
}

/// Starts a backchannel authentication by `client` for `user` (the hint's user, if it names
/// one): the engine's checks, then the audit event and a mail to the user with a link to their
/// approval requests.
pub(crate) async fn start(
    st: &AppState,
    tenant: &Tenant,
    client: &Client,
    request: CibaRequest,
    user: Option<UserId>,
    caller: &Caller,
) -> Result<CibaStart, OAuthError> {
    let ns = tenant.ns();
    // An app reaches only the users who let it in before; an agent, those who delegated to it.
    let user = match user {
        Some(u) if client.agent.is_none() => {
            st.durable.get_consent(&tenant.id, &u, &client.client_id).await?.map(|_| u)
        }
        found => found,
    };
    let (start, request) = st.issuance.start_ciba(&ns, client, request, user).await?;
    let by = By { caller: caller.clone(), actor: super::Actor::Client(client.client_id.clone()) };
    super::audited(st, &tenant.id, &by, event("ciba.requested", &request, client.agent.is_some()))
        .await
        .map_err(|e| OAuthError::unavailable(e.to_string()))?;
    if let Err(e) = mail_user(st, tenant, client, &request).await {
        // The request stands: the account centre lists it whether or not the mail went out.
        tracing::warn!(tenant = %tenant.id, error = %e, "the approval request could not be mailed");
    }
    Ok(start)
}

/// Approval request mails one user gets per [`crate::services::throttle::WINDOW`]: beyond, the
/// requests still wait on the account page, unannounced, so no client floods a mailbox.
const MAILS_PER_USER: u64 = 5;

/// Tells the user by mail, in their language, what is asked and where to answer (at most
/// [`MAILS_PER_USER`] a window).
async fn mail_user(st: &AppState, tenant: &Tenant, client: &Client, request: &CibaRequest) -> Result<(), ServiceError> {
    let Ok(user_id) = UserId::parse(&request.user_id) else { return Ok(()) };
    let key = keyspace::ciba_mails(&tenant.ns(), &request.user_id);
    let sent = Counter::new(st.ephemeral.as_ref()).hit(&key, super::throttle::WINDOW).await;
    if sent.map_err(ServiceError::Sessions)? > MAILS_PER_USER {
        tracing::info!(tenant = %tenant.id, client = %client.client_id, "approval request not mailed: the user's mail budget is spent");
        return Ok(());
    }
    let Some(user) = st.durable.get_user(&tenant.id, &user_id).await? else { return Ok(()) };
    let locale = i18n::mail_locale(Some(&user), i18n::current());
    let types = st.directory.detail_types(st.durable.as_ref(), &tenant.id).await?;
    let mut what = Vec::new();
    if let Some(message) = &request.binding_message {
        what.push(i18n::text(locale, msg!("mail-approval-reference"), &[("message", message)]));
    }
    what.extend(in_words(&types, request, locale).into_iter().map(|w| format!("- {w}")));
    let what = what.join("\n");
    let until = i18n::when_unix(request.expires_at);
    let link = format!("{}/t/{}/account/approvals", st.node.public_url, tenant.id);
    let args = [
        ("client", client.name.as_str()),
        ("tenant", tenant.display_name.as_str()),
        ("what", what.as_str()),
        ("until", until.as_str()),
        ("link", link.as_str()),
    ];
    let mail =
        accounts::localised_mail(&user.email, locale, msg!("mail-approval-subject"), msg!("mail-approval-text"), &args);
    let delivery = outbox::Delivery {
        valid_for: std::time::Duration::from_secs(u64::try_from(request.expires_at - request.issued_at).unwrap_or(0)),
        ..outbox::Delivery::default()
    };
    accounts::queue(st, tenant, mail, delivery).await
}

/// The entries of `request`'s authorization details in words, in `locale`.
pub(crate) fn in_words(types: &Types, request: &CibaRequest, locale: ciam_core::locale::Locale) -> Vec<String> {
    request.details().map(|d| super::detail_types::in_words(types, &d, locale)).unwrap_or_default()
}

/// Records `user`'s answer to `waiting`, one of their requests still waiting (as
/// `Issuer::pending_ciba` listed it), from the signed-in `session` (whose sign-in the caller
/// checked against what the request needs): an approval becomes the grant the client's token
/// request redeems. Returns `false` when the request was answered or ended meanwhile.
pub(crate) async fn decide(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    session: &Session,
    user: &User,
    waiting: &PendingCiba,
    allow: bool,
) -> Result<bool, ServiceError> {
    let grant = if allow { Some(grant(st, tenant, session, user, &waiting.request).await?) } else { None };
    let decided = st.issuance.decide_ciba(&tenant.id, &tenant.ns(), &user.id, &waiting.hash, grant).await?;
    let Some(request) = decided else { return Ok(false) };
    let kind = if allow { "ciba.approved" } else { "ciba.denied" };
    let mut e = event(kind, &request, waiting.client.agent.is_some());
    if !allow {
        e.decision = "deny".into();
    }
    super::audited(st, &tenant.id, by, e).await?;
    tracing::info!(tenant = %tenant.id, client = %request.client_id, allow, "backchannel request answered");
    ping(st, &waiting.client, &request);
    Ok(true)
}

/// The grant an approval of `request` issues from: the request as asked (scopes bound to a
/// purpose the user does not grant left out, as at the code flow), with the session's sign-in.
async fn grant(
    st: &AppState,
    tenant: &Tenant,
    session: &Session,
    user: &User,
    request: &CibaRequest,
) -> Result<CodeGrant, ServiceError> {
    let scope =
        ScopeSet::parse_space_separated(&request.scope).map_err(|e| ServiceError::Internal(e.message.into()))?;
    let purposes = consents::standing(st, &tenant.id, &user.id).await?;
    let client_id = ciam_core::id::ClientId::parse(&request.client_id)
        .map_err(|e| ServiceError::Internal(e.message.into_owned()))?;
    Ok(CodeGrant {
        client_id,
        redirect_uri: None,
        scope: purposes.allowed(&scope),
        nonce: None,
        code_challenge: None,
        user_id: user.id,
        auth_time: session.auth_time,
        acr: Some(session.acr.clone()),
        amr: session.amr.clone(),
        sid: session.sid.clone(),
        issued_at: st.clock.now().unix_timestamp(),
        delegation_id: request.delegation_id.clone(),
        resources: request.resources.clone(),
        dpop_jkt: None,
        id_token_claims: Vec::new(),
        userinfo_claims: Vec::new(),
        authorization_details: request.authorization_details.clone(),
        consents: scope.contains(CONSENTS_SCOPE).then(|| purposes.claim.clone()),
    })
}

/// In the ping mode, tells the client's notification endpoint that `request` was answered
/// (CIBA Core §10.2): a POST with its `client_notification_token` as bearer token and the
/// `auth_req_id` in a JSON body, under the outbound guards, in the background. A failed ping is
/// logged; the client can still poll.
fn ping(st: &AppState, client: &Client, request: &CibaRequest) {
    let endpoint = client.backchannel.as_ref().and_then(|b| b.client_notification_endpoint.clone());
    let (Some(endpoint), Some(token), Some(id)) =
        (endpoint, request.notification_token.clone(), request.ping_id.clone())
    else {
        return;
    };
    let Ok(url) = url::Url::parse(&endpoint) else { return };
    let fetcher = st.jwks_fetcher.clone();
    let client_id = client.client_id.to_string();
    tokio::spawn(async move {
        let post = fetcher.client().post(url.clone()).bearer_auth(token).json(&json!({ "auth_req_id": id }));
        match guarded_send(&url, post, fetcher.allows_private(), MAX_PING_ANSWER).await {
            Ok(_) => tracing::info!(client = %client_id, "backchannel client notified"),
            Err(e) => tracing::warn!(client = %client_id, error = %e, "backchannel client notification failed"),
        }
    });
}
