//! The account API under each issuer, `/t/{tenant}/account/…`, for users themselves: the
//! delegations they gave agents, and revoking them. Authenticated with the user's own access
//! token (RFC 6750 bearer, or RFC 9449 DPoP for a bound token); a delegated token (one an agent
//! holds) is refused, so an agent can neither see nor change what it was allowed.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ciam_core::id::{TenantId, UserId};
use ciam_oauth::{ErrorCode, OAuthError};
use serde_json::Value;

use super::dpop::{protected_request, refused, refused_at};
use super::tenant_record;
use crate::admin::Path;
use crate::audit::Caller;
use crate::delegations;
use crate::error::Problem;
use crate::state::AppState;

/// The tenant and user of a request carrying a user's own (not delegated) access token.
async fn account_holder(
    st: &AppState,
    tenant: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(TenantId, UserId), Response> {
    let record = tenant_record(st, tenant).await.map_err(IntoResponse::into_response)?;
    let tenant = record.id.clone();
    let url = format!("{}{}", st.node.public_url, uri.path());
    let claims = match protected_request(st, &record, headers, method.as_str(), &url).await {
        Ok(live) => live.claims,
        Err(e) => return Err(refused_at(st, &tenant, e).await),
    };
    let user = claims.get("sub").and_then(Value::as_str).and_then(|s| UserId::parse(s).ok());
    let Some(user) = user else {
        return Err(refused(OAuthError::new(ErrorCode::InvalidToken, "the token does not stand for a user")));
    };
    if claims.contains_key("act") || claims.contains_key("delegation_chain") {
        return Err(refused(OAuthError::new(
            ErrorCode::InsufficientScope,
            "a token held by an agent cannot manage delegations",
        )));
    }
    Ok((tenant, user))
}

/// `GET /t/{tenant}/account/delegations`: the user's delegations, newest first.
pub(super) async fn list_delegations(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (tenant, user) = match account_holder(&st, &tenant, &method, &uri, &headers).await {
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
) -> Response {
    let (tenant, user) = match account_holder(&st, &tenant, &method, &uri, &headers).await {
        Ok(who) => who,
        Err(res) => return res,
    };
    match delegations::revoke(&st, &tenant, &user, &id, &caller, "user").await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => Problem::not_found("delegation").into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}
