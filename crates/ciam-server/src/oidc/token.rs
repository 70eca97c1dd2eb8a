//! `POST /t/{tenant}/token` (RFC 6749 §3.2): client authentication, then the grant.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::client::Client;
use ciam_core::id::TenantId;
use ciam_jose::Alg;
use ciam_oauth::OAuthError;
use ciam_oauth::client_auth::{authenticate, presented};
use ciam_oauth::form::Params;
use ciam_oauth::token::{GrantRequest, TokenResponse, client_credentials, parse_grant};

use super::tenant_of;
use crate::admin::Path;
use crate::error::OAuthFailure;
use crate::state::AppState;

/// Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2).
pub(super) fn form(headers: &HeaderMap, body: &Bytes) -> Result<Params, OAuthError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request("send parameters as application/x-www-form-urlencoded"));
    }
    Params::parse(body)
}

/// The token endpoint.
pub(super) async fn token(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tenant = match tenant_of(&st, &tenant).await {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    match issue(&st, &tenant, &headers, &body).await {
        Ok(res) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(res),
        )
            .into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}

/// Authenticates the calling client of a token, introspection or revocation request.
pub(super) async fn authenticated_client(
    st: &AppState,
    tenant: &TenantId,
    headers: &HeaderMap,
    params: &mut Params,
) -> Result<Client, OAuthError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let who = presented(authorization, params)?;
    let client = st.durable.get_client(tenant, &who.client_id).await?;
    let secret = match &client {
        Some(c) if c.token_endpoint_auth_method.uses_secret() => {
            st.durable.client_secret_hash(tenant, &c.client_id).await?
        }
        _ => None,
    };
    authenticate(&who, client.as_ref(), secret.as_ref())?;
    client.ok_or_else(OAuthError::invalid_client)
}

async fn issue(
    st: &AppState,
    tenant: &TenantId,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<TokenResponse, OAuthError> {
    let mut params = form(headers, body)?;
    let client = authenticated_client(st, tenant, headers, &mut params).await?;
    let now = st.clock.now();
    let claims = match parse_grant(&params)? {
        GrantRequest::ClientCredentials { scope } => {
            client_credentials(&client, scope.as_ref(), &st.issuer(tenant), now)?
        }
    };
    let keys = st.keys.keys(tenant, now).await.map_err(OAuthError::unavailable)?;
    let signer = keys.signing(Alg::ES256).map_err(OAuthError::server_error)?;
    let access_token = ciam_jose::mint(&signer, "at+jwt", &claims).map_err(OAuthError::server_error)?;
    let scope = (!claims.scope.is_empty()).then(|| claims.scope.clone());
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: claims.exp - claims.iat, scope })
}
