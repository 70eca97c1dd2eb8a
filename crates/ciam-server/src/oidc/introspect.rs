//! `POST /t/{tenant}/introspect` (RFC 7662) and `POST /t/{tenant}/revoke` (RFC 7009) for this
//! server's JWT access tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::id::TenantId;
use ciam_core::user::User;
use ciam_oauth::OAuthError;
use ciam_oauth::introspection::{Introspector, describe, inactive};
use serde_json::{Map, Value};

use crate::error::OAuthFailure;
use crate::http::BackChannel;
use crate::state::AppState;

/// A valid access token of this tenant.
pub(crate) struct LiveToken {
    /// Its claims; a delegated token's gain `delegation`: the delegation it rests on, as stored now.
    pub(crate) claims: Map<String, Value>,
    /// Its user as stored now (active), for a token that stands for a user.
    pub(crate) user: Option<User>,
}

/// The valid access token `token` of this tenant, or `None` for anything else (the engine's
/// check, [`ciam_oauth::issuer::Issuer::verified_access_token`]), with the delegation it rests
/// on shown as the management API shows delegations.
pub(crate) async fn verified_access_token(
    st: &AppState,
    tenant: &TenantId,
    token: &str,
) -> Result<Option<LiveToken>, OAuthError> {
    let Some(live) = st.issuance.verified_access_token(tenant, token).await? else { return Ok(None) };
    let mut claims = live.claims;
    if let Some(d) = &live.delegation {
        let view = crate::services::delegations::DelegationView::new(d, st.clock.now());
        claims.insert("delegation".into(), serde_json::to_value(view).map_err(OAuthError::server_error)?);
    }
    Ok(Some(LiveToken { claims, user: live.user }))
}

fn no_store(body: Value) -> Response {
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
}

/// RFC 7662 §2.1: the caller authenticates; `token` is required; `token_type_hint` is advisory.
/// A registered resource with its own credentials learns about the tokens issued for it.
pub(super) async fn introspect(State(st): State<AppState>, request: BackChannel) -> Response {
    let caller = match &request.resource {
        Some(r) => Introspector::Resource(&r.identifier),
        None => Introspector::Client(&request.client.client_id),
    };
    let answer = async {
        let token = request.params.require("token")?;
        Ok::<_, OAuthError>(match verified_access_token(&st, &request.tenant, token).await? {
            Some(live) => describe(&live.claims, caller),
            None => inactive(),
        })
    };
    match answer.await {
        Ok(v) => no_store(v),
        Err(e) => OAuthFailure(e).into_response(),
    }
}

/// RFC 7009 §2.1: the caller authenticates; a token it owns is revoked; the answer is 200
/// whether or not the token was valid or the caller's (§2.2).
pub(super) async fn revoke(State(st): State<AppState>, request: BackChannel) -> Response {
    let (tenant, caller) = (&request.tenant, &request.client);
    let done = async {
        let token = request.params.require("token")?;
        st.issuance.revoke(tenant, &caller.client_id, token).await
    };
    match done.await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}
