//! The administrators' console as a relying party of the control tenant: a sign-in is an
//! authorization request of the client `console` (code + PKCE, `state`, the management API as
//! its resource), through the control tenant's hosted sign-in; the code is redeemed through the
//! same issuance path as at the token endpoint, and the access token is kept server-side in a
//! console session (the browser holds only a random cookie). Each page then authenticates that
//! token exactly as the management API does ([`super::admins::authenticate`]), so the console
//! can do nothing the API would not let the same person do.

use std::time::Duration;

use ciam_core::client::{Client, GrantType};
use ciam_core::id::ClientId;
use ciam_core::keyspace;
use ciam_core::redirect::RedirectUri;
use ciam_core::secret::{random_token, sha256};
use ciam_core::store::ClientStore;
use ciam_oauth::form::Params;
use ciam_oauth::issuer::TokenCall;
use serde::{Deserialize, Serialize};

use super::admins::{self, Admin, Unauthenticated};
use super::{By, ServiceError, ports};
use crate::audit::Caller;
use crate::state::AppState;

/// The console's client id in the control tenant.
pub(crate) const CONSOLE_CLIENT: &str = "console";
/// How long a sign-in may take.
const SIGN_IN_TTL: Duration = Duration::from_secs(600);
/// How recent a sign-in must be for a dangerous action.
pub(crate) const RECENT_SECS: i64 = 15 * 60;

/// The console's callback.
pub(crate) fn redirect_uri(st: &AppState) -> String {
    format!("{}/console/callback", st.node.public_url)
}

/// Registers the console's client in the control tenant (a first-party application: its
/// administrators are not asked for consent), or brings it up to date: its redirect URI moved to
/// this deployment's public URL, first-party. A public URL that is plain http on another host than a loopback
/// one cannot be a redirect URI: such a deployment has no console (it says so in the log).
pub(crate) async fn ensure_client(st: &AppState, by: &By) -> Result<(), ServiceError> {
    let control = &st.node.admin.control_tenant;
    let id = ClientId::parse(CONSOLE_CLIENT).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let callback = match RedirectUri::parse(&redirect_uri(st)) {
        Ok(uri) => uri,
        Err(e) => {
            // Plain http is a redirect URI only on a loopback address (OAuth 2.1).
            tracing::warn!(public_url = %st.node.public_url, reason = %e.message, "no console: it needs an https public URL (or a loopback one)");
            return Ok(());
        }
    };
    match ports(st).get_client(control, &id).await? {
        Some(c) if c.redirect_uris == [callback.clone()] && c.first_party => Ok(()),
        Some(c) => {
            let moved = Client { redirect_uris: vec![callback], first_party: true, updated_at: st.clock.now(), ..c };
            super::clients::update(st, by, &moved).await.map(drop)
        }
        None => {
            let mut console = admins::control_client(st, id, "Administrators' console", GrantType::AuthorizationCode);
            console.client_type = ciam_core::client::ClientType::Public;
            console.token_endpoint_auth_method = ciam_core::client::AuthMethod::None;
            console.redirect_uris = vec![callback];
            console.first_party = true;
            console.scopes =
                ciam_core::scope::ScopeSet::parse_space_separated("openid").map_err(ServiceError::Invalid)?;
            match super::clients::create(st, by, &console).await {
                Err(ServiceError::Store(ciam_core::store::StoreError::Conflict { .. })) => Ok(()),
                other => other.map(drop),
            }
        }
    }
}

/// A sign-in in progress.
#[derive(Serialize, Deserialize)]
struct Pending {
    verifier: String,
    back_to: String,
}

/// A console session.
#[derive(Serialize, Deserialize)]
pub(crate) struct ConsoleSession {
    access_token: String,
    /// The session's CSRF token, for every form.
    pub(crate) csrf: String,
    /// When the person signed in (seconds since the epoch).
    pub(crate) auth_time: i64,
}

/// Starts a sign-in that comes back to `back_to` (a console path); `fresh` asks the person to
/// sign in again even with a live session (a dangerous action needs a recent sign-in). Returns
/// the authorization URL to send the browser to.
pub(crate) async fn start_sign_in(st: &AppState, back_to: &str, fresh: bool) -> Result<String, ServiceError> {
    let control = control_ns(st).await?;
    let (state, verifier) = (random_token(16), random_token(32));
    let challenge =
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sha256(verifier.as_bytes()));
    let pending = Pending { verifier, back_to: back_to.to_owned() };
    let value = serde_json::to_vec(&pending).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let key = keyspace::console_sign_in(&control, &state);
    st.ephemeral.put(key.as_str(), &value, SIGN_IN_TTL).await.map_err(ServiceError::Sessions)?;
    let mut url = url::Url::parse(&format!("{}/authorize", st.issuer(&st.node.admin.control_tenant)))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CONSOLE_CLIENT)
        .append_pair("redirect_uri", &redirect_uri(st))
        .append_pair("scope", "openid")
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("resource", &admins::api_audience(st))
        // The level the management API asks of administrators: the sign-in steps up to it.
        .append_pair("acr_values", st.node.admin.acr.as_str());
    if fresh {
        url.query_pairs_mut().append_pair("max_age", "0");
    }
    Ok(url.into())
}

/// Finishes a sign-in: redeems `code` for the `state` it was started with, and opens a console
/// session. Returns the session cookie's value, how long it lasts, and where to go.
pub(crate) async fn finish_sign_in(
    st: &AppState,
    caller: &Caller,
    state: &str,
    code: &str,
) -> Result<Option<(String, Duration, String)>, ServiceError> {
    let control_id = &st.node.admin.control_tenant;
    let ns = control_ns(st).await?;
    let key = keyspace::console_sign_in(&ns, state);
    let Some(raw) = st.ephemeral.take(key.as_str()).await.map_err(ServiceError::Sessions)? else { return Ok(None) };
    let pending: Pending = serde_json::from_slice(&raw).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let tenant = st.durable.get_tenant(control_id).await?.ok_or(ciam_core::store::StoreError::NotFound)?;
    let id = ClientId::parse(CONSOLE_CLIENT).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let client = ports(st).get_client(control_id, &id).await?.ok_or(ciam_core::store::StoreError::NotFound)?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", &redirect_uri(st))
        .append_pair("code_verifier", &pending.verifier)
        .append_pair("client_id", CONSOLE_CLIENT)
        .append_pair("resource", &admins::api_audience(st))
        .finish();
    let params = Params::parse(form.as_bytes()).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let call = TokenCall {
        tenant: control_id,
        ns: &ns,
        client: &client,
        params: &params,
        ip: caller.ip.as_deref(),
        user_agent: caller.user_agent.as_deref(),
        profile: client.profile(&tenant.settings),
        certificate: None,
    };
    let issued = match st.issuance.parse(&call) {
        Ok(grant) => st.issuance.grant(&call, grant, None).await,
        Err(e) => Err(e),
    };
    let Ok(tokens) = issued else { return Ok(None) };
    let Some(live) = st
        .issuance
        .verified_access_token(control_id, &tokens.access_token)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
    else {
        return Ok(None);
    };
    let auth_time = live.claims.get("auth_time").and_then(serde_json::Value::as_i64).unwrap_or_default();
    let session = ConsoleSession { access_token: tokens.access_token, csrf: random_token(16), auth_time };
    let cookie = random_token(32);
    let lifetime = Duration::from_secs(u64::try_from(tokens.expires_in).unwrap_or(0).max(1));
    let value = serde_json::to_vec(&session).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let key = keyspace::console_session(&ns, &cookie);
    st.ephemeral.put(key.as_str(), &value, lifetime).await.map_err(ServiceError::Sessions)?;
    Ok(Some((cookie, lifetime, pending.back_to)))
}

/// The console session of `cookie` and its administrator; `None` when there is none (or its
/// token no longer stands: the person was disabled, or lost every role).
pub(crate) async fn session(st: &AppState, cookie: &str) -> Result<Option<(ConsoleSession, Admin)>, ServiceError> {
    let ns = control_ns(st).await?;
    let key = keyspace::console_session(&ns, cookie);
    let Some(raw) = st.ephemeral.get(key.as_str()).await.map_err(ServiceError::Sessions)? else { return Ok(None) };
    let Ok(session) = serde_json::from_slice::<ConsoleSession>(&raw) else { return Ok(None) };
    match admins::authenticate(st, Some(&session.access_token)).await {
        Ok(admin) => Ok(Some((session, admin))),
        Err(Unauthenticated::Failed(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Ends the console session of `cookie`.
pub(crate) async fn sign_out(st: &AppState, cookie: &str) -> Result<(), ServiceError> {
    let ns = control_ns(st).await?;
    st.ephemeral.delete(keyspace::console_session(&ns, cookie).as_str()).await.map_err(ServiceError::Sessions)?;
    Ok(())
}

async fn control_ns(st: &AppState) -> Result<ciam_core::tenant::TenantNs, ServiceError> {
    let control = &st.node.admin.control_tenant;
    let tenant =
        st.directory.tenant(st.durable.as_ref(), control).await?.ok_or(ciam_core::store::StoreError::NotFound)?;
    Ok(tenant.ns())
}
