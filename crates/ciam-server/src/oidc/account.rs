//! The account API under each issuer, `/t/{tenant}/account/…`, for users themselves: the
//! delegations they gave agents, and revoking them.
//!
//! # Security
//! The API takes only what was issued for it, never a token whose holder may be an agent:
//! - an access token (RFC 6750 bearer, or RFC 9449 DPoP for a bound token) whose audience is the
//!   account API (`{issuer}/account`, requested with `resource`) and whose scope holds `account`,
//!   issued to an application, not to an agent, and not delegated (no `act`, no delegation);
//! - or the browser session of the user's own account pages; a change then also needs the
//!   session's CSRF token in `X-CSRF-Token`.
//!
//! An app's token for its own API (the one the agent flow hands an agent as `subject_token`)
//! is refused: it would let the agent list and revoke the user's delegations.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::tenant::Tenant;
use ciam_oauth::{ErrorCode, OAuthError};
use serde_json::Value;

use super::dpop::{protected_request, refused, refused_at};
use super::resource::{ACCOUNT_SCOPE, account_audience};
use super::session::{csrf_ok, current_session};
use crate::audit::Caller;
use crate::error::{Problem, ProblemKind};
use crate::http::Path;
use crate::http::{ClientCertificate, tenant_record};
use crate::services::{By, delegations};
use crate::state::AppState;

/// The header that carries the session's CSRF token on changes made with the browser session.
const CSRF_HEADER: &str = "x-csrf-token";

/// The tenant and user of an account API request (see the module's rules).
async fn account_holder(
    st: &AppState,
    tenant: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    certificate: Option<&str>,
) -> Result<(TenantId, UserId), Response> {
    let record = tenant_record(st, tenant).await.map_err(IntoResponse::into_response)?;
    if headers.get(header::AUTHORIZATION).is_none() {
        return session_holder(st, &record, method, headers).await;
    }
    let tenant = record.id.clone();
    let url = format!("{}{}", st.node.public_url, uri.path());
    let claims = match protected_request(st, &record, headers, certificate, method.as_str(), &url).await {
        Ok(live) => live.claims,
        Err(e) => return Err(refused_at(st, &tenant, e).await),
    };
    let audience = account_audience(st, &tenant);
    if !audiences(&claims).any(|a| a == audience) {
        return Err(refused(OAuthError::new(
            ErrorCode::InvalidToken,
            "the token was not issued for the account API: ask for resource={issuer}/account",
        )));
    }
    let scoped = claims.get("scope").and_then(Value::as_str).is_some_and(|s| s.split(' ').any(|s| s == ACCOUNT_SCOPE));
    if !scoped {
        return Err(refused(OAuthError::new(ErrorCode::InsufficientScope, "the account API needs the account scope")));
    }
    let delegated = ["act", "delegation_id", "delegation_chain"].iter().any(|c| claims.contains_key(*c));
    if delegated || held_by_agent(st, &tenant, &claims).await? {
        return Err(refused(OAuthError::new(
            ErrorCode::InsufficientScope,
            "a token held by an agent cannot manage delegations",
        )));
    }
    let user = claims.get("sub").and_then(Value::as_str).and_then(|s| UserId::parse(s).ok());
    let Some(user) = user else {
        return Err(refused(OAuthError::new(ErrorCode::InvalidToken, "the token does not stand for a user")));
    };
    Ok((tenant, user))
}

/// The audiences of a token's claims (`aud` is a string or an array, RFC 7519 §4.1.3).
fn audiences(claims: &serde_json::Map<String, Value>) -> impl Iterator<Item = &str> {
    let (one, many) = match claims.get("aud") {
        Some(Value::String(s)) => (Some(s.as_str()), None),
        Some(Value::Array(a)) => (None, Some(a.iter().filter_map(Value::as_str))),
        _ => (None, None),
    };
    one.into_iter().chain(many.into_iter().flatten())
}

/// Whether the token was issued to an agent (or to a client that is gone).
async fn held_by_agent(
    st: &AppState,
    tenant: &TenantId,
    claims: &serde_json::Map<String, Value>,
) -> Result<bool, Response> {
    let Some(id) = claims.get("client_id").and_then(Value::as_str).and_then(|c| ClientId::parse(c).ok()) else {
        return Ok(true);
    };
    match st.directory.client(st.durable.as_ref(), tenant, &id).await {
        Ok(known) => Ok(known.is_none_or(|k| k.client.agent.is_some())),
        Err(e) => Err(Problem::from(e).into_response()),
    }
}

/// The user of the browser session of the account pages; a change needs its CSRF token.
async fn session_holder(
    st: &AppState,
    record: &Tenant,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(TenantId, UserId), Response> {
    let unauthorized = || refused(OAuthError::new(ErrorCode::InvalidToken, "sign in, or send an access token"));
    let session = current_session(st, record, headers).await.map_err(|e| {
        Problem::new(ProblemKind::Unavailable, "the session store is unavailable; retry shortly")
            .with_internal(crate::error::Failure::from(e).to_string())
            .into_response()
    })?;
    let Some(session) = session else { return Err(unauthorized()) };
    let user = UserId::parse(&session.user_id).map_err(|_| unauthorized())?;
    let active = st.durable.get_user(&record.id, &user).await.map_err(|e| Problem::from(e).into_response())?;
    if !active.is_some_and(|u| u.status == ciam_core::user::UserStatus::Active) {
        return Err(unauthorized());
    }
    let safe = matches!(*method, Method::GET | Method::HEAD);
    if !safe && !csrf_ok(&session.csrf, headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())) {
        return Err(Problem::new(ProblemKind::Forbidden, "send the page's CSRF token in X-CSRF-Token").into_response());
    }
    Ok((record.id.clone(), user))
}

/// `GET /t/{tenant}/account/delegations`: the user's delegations, newest first.
pub(super) async fn list_delegations(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    ClientCertificate(certificate): ClientCertificate,
) -> Response {
    let (tenant, user) = match account_holder(&st, &tenant, &method, &uri, &headers, certificate.as_deref()).await {
        Ok(who) => who,
        Err(res) => return res,
    };
    match delegations::list(&st, &tenant, &user).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

/// `DELETE /t/{tenant}/account/delegations/{id}`: revokes one of the user's delegations; every
/// token the agent derived from it is inactive at once.
pub(super) async fn revoke_delegation(
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    ClientCertificate(certificate): ClientCertificate,
) -> Response {
    let (tenant, user) = match account_holder(&st, &tenant, &method, &uri, &headers, certificate.as_deref()).await {
        Ok(who) => who,
        Err(res) => return res,
    };
    match delegations::revoke(&st, &tenant, &user, &id, &By::user(caller, user)).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => Problem::not_found("delegation").into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}
