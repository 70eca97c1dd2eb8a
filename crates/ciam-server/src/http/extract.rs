//! Extractors shared by the handler folders. Each rejects malformed input with a problem
//! document (RFC 9457), never axum's plain-text rejection.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::{Map, Value};

use crate::error::{Problem, ProblemKind};
use crate::state::AppState;

/// `axum::extract::Path` whose rejection is a 404 problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` whose rejection is a 400 problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

/// Proof that the request carried the admin token. Every admin handler takes it first.
///
/// # Security
/// The presented token is hashed and the fixed-length digests are compared in constant time, so
/// neither the token's length nor a matching prefix is observable.
pub struct AdminAuth;

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Problem> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match presented {
            Some(token) if st.admin_token.verify(token) => Ok(Self),
            Some(_) => Err(Problem::new(ProblemKind::Unauthorized, "the admin token is not valid")),
            None => {
                Err(Problem::new(ProblemKind::Unauthorized, "send the admin token as Authorization: Bearer <token>"))
            }
        }
    }
}

/// A JSON object body. Media type `application/json` or `application/merge-patch+json`.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && essence != "application/merge-patch+json" {
            return Err(Problem::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as application/json (or application/merge-patch+json for PATCH)",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Problem::new(ProblemKind::BadRequest, "the body must be a JSON object")),
            // serde_json's syntax messages give line and column, never echo the input.
            Err(e) => Err(Problem::new(ProblemKind::BadRequest, format!("the body is not valid JSON: {e}"))),
        }
    }
}
