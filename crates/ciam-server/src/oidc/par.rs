//! Pushed authorization requests (RFC 9126).
//!
//! The client posts the authorization request over an authenticated back channel and gets a
//! `request_uri` (`urn:ietf:params:oauth:request_uri:…`, 256 bits, valid 60 seconds) to send the
//! browser with, so the request cannot be read or altered in the front channel. The pushed request
//! is validated exactly like a front-channel one; it is consumed when its code is issued (so
//! reopening the authorization URL before signing in finishes still works, standards C37), and
//! it belongs to the client that pushed it. A DPoP proof sent with the request binds the code to
//! the proof's key (`dpop_jkt`, RFC 9449 §10.1).
//!
//! A pushed request may be a signed request object (`request`, RFC 9101): its parameters, once
//! verified, are what is stored. A client that must sign its requests can push nothing else.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::client::SecurityProfile;
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::random_token;
use ciam_oauth::OAuthError;
use ciam_oauth::authorize::{AuthorizeError, validate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::request_object::{JAR_MARKER, signed_request};
use crate::error::OAuthFailure;
use crate::http::BackChannel;
use crate::state::AppState;

/// `request_uri` prefix (RFC 9126 §2.2).
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// How long a pushed request may be used.
pub(crate) const PAR_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);
/// The internal parameter that carries the pushed request's key through the flow.
pub(crate) const PAR_MARKER: &str = "__par";

/// A pushed request as stored.
#[derive(Serialize, Deserialize)]
pub(crate) struct Pushed {
    pub(crate) client_id: String,
    /// The authorization parameters, form-encoded, without client credentials.
    pub(crate) query: String,
}

/// Client-authentication parameters that are not part of the authorization request.
const CREDENTIALS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

/// `POST /t/{tenant}/par`.
pub(super) async fn push(State(st): State<AppState>, request: BackChannel) -> Response {
    let client = &request.client;
    let pushed = async {
        if request.params.get("request_uri").is_some() {
            return Err(OAuthError::invalid_request("request_uri cannot be pushed (RFC 9126 §2.1)"));
        }
        if request.params.get("client_id").is_some_and(|c| c != client.client_id.as_str()) {
            return Err(OAuthError::invalid_request("client_id differs from the authenticated client"));
        }
        let mut query = match request.params.get("request") {
            // RFC 9126 §3: a signed request object; its parameters are the request.
            Some(jwt) => signed_request(&st, &request.record, client, &request.params, jwt).await?,
            None if client.require_signed_request_object => {
                return Err(OAuthError::invalid_request(
                    "this client must send its requests as signed request objects (RFC 9101 §10.5)",
                ));
            }
            None => url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(url::form_urlencoded::parse(&request.body).filter(|(k, _)| {
                    !CREDENTIALS.contains(&k.as_ref()) && k != "client_id" && k != PAR_MARKER && k != JAR_MARKER
                }))
                .append_pair("client_id", client.client_id.as_str())
                .finish(),
        };
        // A DPoP proof sent with the pushed request binds the code to its key (RFC 9449 §10.1).
        if let Some(proof) = &request.dpop {
            let (tenant, nonce_required) = (&request.tenant, request.record.settings.dpop_nonce_required);
            if request.profile == SecurityProfile::Fapi2 {
                super::dpop::fapi_algorithm(proof)?;
            }
            let jkt =
                super::dpop::proof_key(&st, tenant, nonce_required, proof, "POST", &request.endpoint, None).await?;
            // The request's own `dpop_jkt` (a signed object's, not one sent beside it).
            let sent = ciam_oauth::form::Params::parse(query.as_bytes())?.get("dpop_jkt").map(str::to_owned);
            match sent {
                Some(sent) if sent != jkt => {
                    return Err(OAuthError::invalid_request("dpop_jkt differs from the key of the DPoP proof"));
                }
                Some(_) => {}
                None => query.push_str(&format!("&dpop_jkt={jkt}")),
            }
        }
        // Validate now, answering errors directly (no redirect on the back channel).
        let reparsed = ciam_oauth::form::Params::parse(query.as_bytes())?;
        let valid = validate(&reparsed, Some(client)).map_err(|e| match e {
            AuthorizeError::Page(e) | AuthorizeError::Redirect { error: e, .. } => e,
        })?;
        if request.profile == SecurityProfile::Fapi2 {
            ciam_oauth::fapi::check_authorization(&valid, true)?;
        }
        if let Some(details) = &valid.authorization_details {
            crate::services::detail_types::checked(&st, &request.tenant, details).await?;
        }
        let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_token(32));
        let record = Pushed { client_id: client.client_id.to_string(), query };
        Json::new(st.ephemeral.as_ref())
            .put(&keyspace::pushed_request(&request.ns, &request_uri), &record, PAR_LIFETIME)
            .await
            .map_err(OAuthError::unavailable)?;
        Ok::<_, OAuthError>(request_uri)
    };
    let res = match pushed.await {
        Ok(request_uri) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            axum::Json(json!({"request_uri": request_uri, "expires_in": PAR_LIFETIME.as_secs()})),
        )
            .into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    };
    // A client using DPoP gets the current server nonce with every answer (RFC 9449 §8).
    if request.dpop.is_some() { super::dpop::with_nonce(&st, &request.tenant, res).await } else { res }
}
