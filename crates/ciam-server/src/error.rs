//! The one place errors become HTTP responses.
//!
//! OAuth endpoints answer RFC 6749 §5.2 JSON (`{"error", "error_description"}`) through
//! [`OAuthFailure`]: 400 in general, 401 with `WWW-Authenticate` for `invalid_client` (§5.2) and
//! `invalid_token` (RFC 6750 §3), 500 for `server_error`, 503 with `Retry-After` for
//! `temporarily_unavailable`; always `Cache-Control: no-store`.
//!
//! The management API answers RFC 9457 `application/problem+json`: a stable `type` URI per kind
//! of problem, the HTTP `status`, a human `detail`, and for invalid input an `errors` array naming
//! each bad field. Internal details never reach the body: a 500 or 503 says only that something
//! failed, and the cause travels in a response extension to the logging middleware
//! (`telemetry::log_errors`), which logs it once, inside the request's span.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::FieldError;
use ciam_core::store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The kinds of problem the management API reports; the `type` URI is stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// 400: the body is not JSON, or a query parameter is malformed.
    BadRequest,
    /// 401: no or wrong admin token.
    Unauthorized,
    /// 403: authenticated, but the request is not allowed (a change without its CSRF token).
    Forbidden,
    /// 404: no such resource (in this tenant).
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: a unique value is taken.
    Conflict,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: well-formed JSON that breaks a rule; `errors` names the fields.
    Validation,
    /// 500: a bug or corrupt data; details are in the server log.
    Internal,
    /// 503: a backing store is unreachable; retry later.
    Unavailable,
}

impl ProblemKind {
    fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Validation => "validation",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::Unauthorized => "Missing or invalid admin token",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Validation => "Invalid input",
            Self::Internal => "Internal error",
            Self::Unavailable => "Service temporarily unavailable",
        }
    }
}

/// An RFC 9457 problem, ready to be sent.
#[derive(Debug)]
pub struct Problem {
    kind: ProblemKind,
    detail: Cow<'static, str>,
    errors: Vec<FieldError>,
    internal: Option<String>,
}

/// The cause of a 5xx, kept out of the body and handed to the logging middleware.
#[derive(Debug, Clone)]
pub struct InternalError {
    /// Operator-facing description (never contains secrets: store and config errors only).
    pub message: Arc<str>,
    /// Whether a backing store caused it (counted in `ciam_store_errors_total`).
    pub store: bool,
}

/// Wire form of a problem, for the OpenAPI document.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// Stable URI naming the kind of problem, e.g. `urn:ciam:problem:validation`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the kind.
    pub title: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// For `validation` (and some `bad-request`) problems: each offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

/// One invalid field.
#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    /// Path of the field, e.g. `redirect_uris[1]`.
    pub field: String,
    /// Why it is invalid.
    pub message: String,
}

impl Problem {
    /// A problem of `kind` with a specific detail.
    pub fn new(kind: ProblemKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Self { kind, detail: detail.into(), errors: Vec::new(), internal: None }
    }

    /// 404 for a named resource.
    pub fn not_found(what: &str) -> Self {
        Self::new(ProblemKind::NotFound, format!("{what} not found"))
    }

    /// 422 naming one field.
    pub fn invalid(error: FieldError) -> Self {
        let detail = format!("{error}");
        Self { kind: ProblemKind::Validation, detail: detail.into(), errors: vec![error], internal: None }
    }

    /// 400 naming one field (malformed, rather than rule-breaking, input).
    pub fn bad_field(error: FieldError) -> Self {
        Self { kind: ProblemKind::BadRequest, ..Self::invalid(error) }
    }

    /// 500 with a cause for the log.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            internal: Some(cause.to_string()),
            ..Self::new(ProblemKind::Internal, "the server failed to handle this request")
        }
    }

    /// The same problem, with a cause for the log (never sent to the client).
    #[must_use]
    pub fn with_internal(self, cause: impl Into<String>) -> Self {
        Self { internal: Some(cause.into()), ..self }
    }

    /// The kind.
    pub fn kind(&self) -> ProblemKind {
        self.kind
    }

    /// The field errors.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => Self {
                errors: vec![FieldError::new(what, "is already taken")],
                ..Self::new(ProblemKind::Conflict, format!("{what} is already taken"))
            },
            StoreError::NotFound => Self::new(ProblemKind::NotFound, "not found"),
            StoreError::Unavailable(source) => Self {
                internal: Some(error_chain(&*source)),
                ..Self::new(ProblemKind::Unavailable, "a storage backend is unavailable; retry shortly")
            },
            StoreError::Corrupt(what) => Self::internal(format!("corrupt stored data: {what}")),
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

impl From<PathRejection> for Problem {
    fn from(_: PathRejection) -> Self {
        Self::new(ProblemKind::NotFound, "no such resource")
    }
}

impl From<QueryRejection> for Problem {
    fn from(e: QueryRejection) -> Self {
        Self::new(ProblemKind::BadRequest, format!("invalid query string: {}", e.body_text()))
    }
}

impl From<BytesRejection> for Problem {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(ProblemKind::PayloadTooLarge, "the request body exceeds the limit")
        } else {
            Self::new(ProblemKind::BadRequest, "the request body could not be read")
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.kind.status();
        let body = ProblemBody {
            type_uri: format!("urn:ciam:problem:{}", self.kind.slug()),
            title: self.kind.title(),
            status: status.as_u16(),
            detail: self.detail.into_owned(),
            errors: self
                .errors
                .into_iter()
                .map(|e| FieldErrorBody { field: e.field.into_owned(), message: e.message.into_owned() })
                .collect(),
        };
        let mut res = (status, Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self.kind {
            ProblemKind::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"ciam-admin\""));
            }
            ProblemKind::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        if let Some(message) = self.internal {
            let store = self.kind == ProblemKind::Unavailable;
            res.extensions_mut().insert(InternalError { message: message.into(), store });
        }
        res
    }
}

/// An OAuth error on its way to the client.
#[derive(Debug)]
pub struct OAuthFailure(pub ciam_oauth::OAuthError);

impl From<ciam_oauth::OAuthError> for OAuthFailure {
    fn from(e: ciam_oauth::OAuthError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for OAuthFailure {
    fn from(e: StoreError) -> Self {
        Self(e.into())
    }
}

/// RFC 6749 §5.2 error body.
#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'static str,
    error_description: &'a str,
}

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        use ciam_oauth::ErrorCode;
        let e = self.0;
        let status = match e.code {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = OAuthErrorBody { error: e.code.as_str(), error_description: &e.description };
        let mut res = (status, Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        match e.code {
            ErrorCode::InvalidClient => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"ciam\""));
            }
            ErrorCode::InvalidToken => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            ErrorCode::TemporarilyUnavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        if let Some(message) = e.internal {
            let store = e.code == ErrorCode::TemporarilyUnavailable;
            res.extensions_mut().insert(InternalError { message: message.into(), store });
        }
        res
    }
}

/// The fallback for unknown routes.
pub async fn not_found() -> Problem {
    Problem::new(ProblemKind::NotFound, "no such route")
}

/// The fallback for known routes called with the wrong method.
pub async fn method_not_allowed() -> Problem {
    Problem::new(ProblemKind::MethodNotAllowed, "this route does not accept that method")
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    async fn render(p: Problem) -> (StatusCode, axum::http::HeaderMap, serde_json::Value, Option<InternalError>) {
        let res = p.into_response();
        let (parts, body) = res.into_parts();
        let json = serde_json::from_slice(&to_bytes(body, 1 << 16).await.unwrap()).unwrap();
        let internal = parts.extensions.get::<InternalError>().cloned();
        (parts.status, parts.headers, json, internal)
    }

    #[tokio::test]
    async fn every_kind_maps_to_its_status_and_type_rfc9457() {
        let table = [
            (ProblemKind::BadRequest, 400, "bad-request"),
            (ProblemKind::Unauthorized, 401, "unauthorized"),
            (ProblemKind::Forbidden, 403, "forbidden"),
            (ProblemKind::NotFound, 404, "not-found"),
            (ProblemKind::MethodNotAllowed, 405, "method-not-allowed"),
            (ProblemKind::Conflict, 409, "conflict"),
            (ProblemKind::PayloadTooLarge, 413, "payload-too-large"),
            (ProblemKind::UnsupportedMediaType, 415, "unsupported-media-type"),
            (ProblemKind::Validation, 422, "validation"),
            (ProblemKind::Internal, 500, "internal"),
            (ProblemKind::Unavailable, 503, "unavailable"),
        ];
        for (kind, status, slug) in table {
            let (st, headers, json, _) = render(Problem::new(kind, "d")).await;
            assert_eq!(st.as_u16(), status);
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(json["type"], format!("urn:ciam:problem:{slug}"));
            assert_eq!(json["status"], status);
            assert_eq!(json["detail"], "d");
            assert_eq!(headers.contains_key(header::WWW_AUTHENTICATE), status == 401);
            assert_eq!(headers.contains_key(header::RETRY_AFTER), status == 503);
        }
    }

    #[tokio::test]
    async fn internal_causes_stay_out_of_the_body() {
        let (st, _, json, internal) = render(Problem::internal("db row 7 is garbage")).await;
        assert_eq!(st, 500);
        assert!(!json.to_string().contains("garbage"));
        assert_eq!(&*internal.unwrap().message, "db row 7 is garbage");

        let io = std::io::Error::other("connection refused");
        let (st, _, json, internal) = render(StoreError::Unavailable(Box::new(io)).into()).await;
        assert_eq!(st, 503);
        assert!(!json.to_string().contains("refused"));
        let internal = internal.unwrap();
        assert!(internal.store && internal.message.contains("refused"));
    }

    #[tokio::test]
    async fn oauth_errors_map_to_rfc6749_5_2() {
        use ciam_oauth::{ErrorCode, OAuthError};
        let table = [
            (ErrorCode::InvalidRequest, 400, None),
            (ErrorCode::InvalidClient, 401, Some("Basic")),
            (ErrorCode::InvalidGrant, 400, None),
            (ErrorCode::UnauthorizedClient, 400, None),
            (ErrorCode::UnsupportedGrantType, 400, None),
            (ErrorCode::InvalidScope, 400, None),
            (ErrorCode::InvalidTarget, 400, None),
            (ErrorCode::AuthorizationPending, 400, None),
            (ErrorCode::SlowDown, 400, None),
            (ErrorCode::ExpiredToken, 400, None),
            (ErrorCode::InvalidToken, 401, Some("Bearer error=\"invalid_token\"")),
            (ErrorCode::InsufficientScope, 403, None),
            (ErrorCode::ServerError, 500, None),
            (ErrorCode::TemporarilyUnavailable, 503, None),
        ];
        for (code, status, challenge) in table {
            let res = OAuthFailure(OAuthError::new(code, "why")).into_response();
            let (parts, body) = res.into_parts();
            assert_eq!(parts.status.as_u16(), status, "{code:?}");
            assert_eq!(parts.headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(parts.headers[header::CONTENT_TYPE], "application/json");
            let json: serde_json::Value = serde_json::from_slice(&to_bytes(body, 4096).await.unwrap()).unwrap();
            assert_eq!(json, serde_json::json!({"error": code.as_str(), "error_description": "why"}));
            match challenge {
                Some(c) => assert!(parts.headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with(c)),
                None => assert!(!parts.headers.contains_key(header::WWW_AUTHENTICATE)),
            }
        }
        let res = OAuthFailure(OAuthError::server_error("db exploded")).into_response();
        assert_eq!(&*res.extensions().get::<InternalError>().unwrap().message, "db exploded");
        let body = to_bytes(res.into_body(), 4096).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("exploded"));
    }

    #[tokio::test]
    async fn conflicts_and_validation_name_the_field() {
        let (st, _, json, _) = render(StoreError::Conflict { what: "email" }.into()).await;
        assert_eq!(st, 409);
        assert_eq!(json["errors"][0]["field"], "email");
        let (st, _, json, _) = render(Problem::invalid(FieldError::new("redirect_uris[0]", "no fragments"))).await;
        assert_eq!(st, 422);
        assert_eq!(json["errors"][0]["field"], "redirect_uris[0]");
        assert_eq!(json["errors"][0]["message"], "no fragments");
    }
}
