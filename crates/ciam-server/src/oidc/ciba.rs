//! `POST /t/{tenant}/bc-authorize`: the backchannel authentication endpoint (OpenID CIBA Core
//! 1.0 §7). A client authenticates as at the token endpoint (an agent with `private_key_jwt`)
//! and names a user; the user answers in their account centre (`account/approvals`), and the
//! client gets its tokens from the token endpoint with the CIBA grant, by polling or after a
//! ping (`services::ciba`).
//!
//! # Security
//! - `login_hint` is a user id or an email address; `id_token_hint` must be an ID token this
//!   tenant issued to this very client. A hint that names nobody, and one that names a user the
//!   client may not reach, get the same `unknown_user_id` (`ciam_oauth::issuer`).
//! - Every request and refusal is on the audit trail (`ciba.requested`, `ciba.refused`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::audit::AuditRecord;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_oauth::OAuthError;
use ciam_oauth::ciba::{Hint, validate_request};
use serde_json::Value;

use super::hint::id_token_claims;
use crate::audit;
use crate::error::OAuthFailure;
use crate::http::BackChannel;
use crate::services;
use crate::state::AppState;

/// `POST /t/{tenant}/bc-authorize` (CIBA Core §7.1): `200` with the `auth_req_id` (§7.3), or an
/// error of §13.
pub(super) async fn bc_authorize(State(st): State<AppState>, request: BackChannel) -> Response {
    let started = async {
        let now = st.clock.now().unix_timestamp();
        let asked = validate_request(&request.client, &request.params, now)?;
        let user = user_of(&st, &request, &asked.hint).await?;
        services::ciba::start(&st, &request.record, &request.client, asked.request, user, &request.caller).await
    }
    .await;
    match started {
        Ok(start) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(start),
        )
            .into_response(),
        Err(e) => {
            let mut event = AuditRecord::deny("ciba.refused", format!("{}: {}", e.code.as_str(), e.reason()));
            event.client_id = Some(request.client.client_id.to_string());
            event.scope = request.params.get("scope").map(str::to_owned);
            if let Err(audit_error) = audit::record(&st, &request.tenant, &request.caller, event).await {
                tracing::error!(error = %audit_error, "a backchannel refusal could not be audited");
            }
            OAuthFailure(e).into_response()
        }
    }
}

/// The user a hint names, if any: by id or address for `login_hint`, by `sub` for an
/// `id_token_hint` issued to this client.
async fn user_of(st: &AppState, request: &BackChannel, hint: &Hint) -> Result<Option<UserId>, OAuthError> {
    let tenant = &request.tenant;
    match hint {
        Hint::Login(h) => {
            if let Ok(id) = UserId::parse(h) {
                return Ok(Some(id));
            }
            let Ok(email) = Email::parse(h) else { return Ok(None) };
            Ok(st.durable.find_user_by_email(tenant, email.normalized()).await?.map(|u| u.id))
        }
        Hint::IdToken(token) => {
            let claims =
                id_token_claims(st, tenant, token).await.map_err(|e| OAuthError::unavailable(e.to_string()))?;
            let me = request.client.client_id.as_str();
            let ours = claims.filter(|c| match c.get("aud") {
                Some(Value::String(aud)) => aud == me,
                Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(me)),
                _ => false,
            });
            let Some(claims) = ours else {
                return Err(OAuthError::invalid_request("the id_token_hint is not an ID token issued to this client"));
            };
            Ok(claims.get("sub").and_then(Value::as_str).and_then(|s| UserId::parse(s).ok()))
        }
    }
}
