//! `POST /t/{tenant}/token` (RFC 6749 §3.2): the client is authenticated ([`BackChannel`]), its
//! DPoP proof verified here (it needs the HTTP request), and the grant decided, recorded and
//! issued by the engine ([`ciam_oauth::issuer::Issuer`]).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::client::SecurityProfile;
use ciam_oauth::issuer::TokenCall;
use ciam_oauth::{ErrorCode, OAuthError};

use crate::error::OAuthFailure;
use crate::http::BackChannel;
use crate::state::AppState;

/// The token endpoint. Every issuance and every refusal of an authenticated client is appended
/// to the audit trail; a token whose issuance could not be recorded is not handed out.
pub(super) async fn token(State(st): State<AppState>, request: BackChannel) -> Response {
    let res = answer(&st, &request).await;
    // A client using DPoP gets the current server nonce with every answer (RFC 9449 §8).
    if request.dpop.is_some() { super::dpop::with_nonce(&st, &request.tenant, res).await } else { res }
}

async fn answer(st: &AppState, request: &BackChannel) -> Response {
    let call = TokenCall {
        tenant: &request.tenant,
        ns: &request.ns,
        client: &request.client,
        params: &request.params,
        ip: request.caller.ip.as_deref(),
        user_agent: request.caller.user_agent.as_deref(),
        profile: request.profile,
        certificate: request.certificate.as_deref(),
    };
    let issuer = &st.issuance;
    let issued = match issuer.parse(&call) {
        Ok(grant) => match proof_key(st, request).await {
            Ok(jkt) => issuer.grant(&call, grant, jkt.as_deref()).await,
            Err(e) => Err(issuer.refused(&call, e).await),
        },
        Err(e) => Err(issuer.refused(&call, e).await),
    };
    match issued {
        Ok(response) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(response),
        )
            .into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}

/// The key a DPoP proof binds what is issued to (RFC 9449 §5): the thumbprint of a verified
/// proof's key, or none without a proof; some clients must send one, and a `fapi2` client must
/// send one or present a client certificate.
async fn proof_key(st: &AppState, request: &BackChannel) -> Result<Option<String>, OAuthError> {
    if request.profile == SecurityProfile::Fapi2 {
        ciam_oauth::fapi::check_sender_constraint(request.dpop.is_some(), request.certificate.is_some())?;
    }
    match &request.dpop {
        Some(proof) => {
            if request.profile == SecurityProfile::Fapi2 {
                super::dpop::fapi_algorithm(proof)?;
            }
            let (tenant, nonce_required) = (&request.tenant, request.record.settings.dpop_nonce_required);
            Ok(Some(super::dpop::proof_key(st, tenant, nonce_required, proof, "POST", &request.endpoint, None).await?))
        }
        None if request.client.dpop_bound_access_tokens => {
            Err(OAuthError::new(ErrorCode::InvalidDpopProof, "this client must send a DPoP proof (RFC 9449)"))
        }
        None => Ok(None),
    }
}
