//! The one place errors become HTTP responses: every response dialect the server speaks when
//! something goes wrong is a type here.
//!
//! | dialect | type | where |
//! |---|---|---|
//! | RFC 9457 `application/problem+json` | [`Problem`] | the management API |
//! | RFC 6749 §5.2 JSON | [`OAuthFailure`] | token, PAR, introspection, revocation, registration |
//! | RFC 6750 §3 / RFC 9449 §7.1 challenges | [`ResourceError`] | userinfo, the account API |
//! | authorization error redirect (RFC 6749 §4.1.2.1, RFC 9207) | [`ErrorRedirect`] | `/authorize` and its pages |
//! | HTML error page | [`PageError`] | the hosted pages |
//! | passkey ceremony JSON `{"error"}` | [`CeremonyError`] | the passkey calls of the hosted pages |
//! | 429 hold-off (RFC 6585 §4) | [`HoldOff`] | throttled sign-ins, client authentication, registration |
//!
//! A server-side failure on any of them starts as a [`Failure`]: its [`FailureKind`] (a store
//! outage, corrupt stored data, anything else) and its cause, which only the log sees.
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
use ciam_oauth::error::error_chain;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::page::{Brand, ResponseSigner, error_page, respond_in_mode};

mod oauth;
mod page;

pub(crate) use oauth::{ClientAuthFailure, UnreadableForm};
pub use oauth::{OAuthFailure, Refused, ResourceError};
pub(crate) use page::{CeremonyError, ErrorRedirect, PageError, unrenderable_page};

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
    /// 421: the tenant lives in a region this node does not serve (RFC 9110 §15.5.20).
    Misdirected,
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
            Self::Misdirected => StatusCode::MISDIRECTED_REQUEST,
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
            Self::Misdirected => "misdirected",
            Self::Validation => "validation",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::Unauthorized => "Missing or invalid admin token",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Misdirected => "Tenant served elsewhere",
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
    /// Whether a backing store was unreachable (counted in `ciam_store_errors_total`).
    pub store: bool,
    /// What kind of failure it was, for the log.
    pub kind: FailureKind,
}

impl InternalError {
    fn new(kind: FailureKind, message: impl Into<Arc<str>>) -> Self {
        Self { message: message.into(), store: kind == FailureKind::Unavailable, kind }
    }

    /// A store that did not answer in time.
    pub(crate) fn unavailable(message: impl Into<Arc<str>>) -> Self {
        Self::new(FailureKind::Unavailable, message)
    }
}

/// What a server-side failure was, as the log and the metrics tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A backing store could not be reached or failed: retrying may help.
    Unavailable,
    /// Stored data could not be read back (corruption, a bad migration, a wrong master key).
    Corrupt,
    /// Anything else: a bug, a failed hashing worker.
    Internal,
}

impl FailureKind {
    /// The name in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unavailable => "store_unavailable",
            Self::Corrupt => "corrupt_data",
            Self::Internal => "internal",
        }
    }
}

/// A server-side failure on a request path: its kind and its cause, for the log only. Helpers
/// return `Result<T, Failure>`; every response dialect converts from it, so handlers use `?`.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct Failure {
    kind: FailureKind,
    message: String,
}

impl Failure {
    /// A failure of `kind` with an operator-facing cause (never a secret).
    pub fn new(kind: FailureKind, cause: impl std::fmt::Display) -> Self {
        Self { kind, message: cause.to_string() }
    }

    /// Anything that is neither an outage nor corrupt data.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(FailureKind::Internal, cause)
    }

    /// Stored data that does not read back.
    pub fn corrupt(cause: impl std::fmt::Display) -> Self {
        Self::new(FailureKind::Corrupt, cause)
    }

    /// The kind.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    fn into_internal(self) -> InternalError {
        InternalError::new(self.kind, self.message)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let kind = match e {
            StoreError::Unavailable(_) => FailureKind::Unavailable,
            StoreError::Corrupt(_) => FailureKind::Corrupt,
            // The caller did not expect this answer: a bug.
            StoreError::Conflict { .. } | StoreError::NotFound => FailureKind::Internal,
        };
        Self::new(kind, error_chain(&e))
    }
}

impl From<crate::services::ServiceError> for Failure {
    fn from(e: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError;
        match e {
            ServiceError::Store(e) | ServiceError::Sessions(e) => e.into(),
            ServiceError::Keys(e) => e.into(),
            e @ (ServiceError::Invalid(_)
            | ServiceError::Internal(_)
            | ServiceError::Forbidden(_)
            | ServiceError::Conflict(_)) => Self::internal(e),
        }
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::corrupt(format!("undecodable value: {e}"))
    }
}

impl From<ciam_jose::SealError> for Failure {
    fn from(e: ciam_jose::SealError) -> Self {
        Self::corrupt(format!("sealed value: {}", error_chain(&e)))
    }
}

impl From<ciam_jose::KeyringError> for Failure {
    fn from(e: ciam_jose::KeyringError) -> Self {
        match e {
            ciam_jose::KeyringError::Store(e) => e.into(),
            other => Self::new(FailureKind::Corrupt, error_chain(&other)),
        }
    }
}

impl From<ciam_authn::PasswordError> for Failure {
    fn from(e: ciam_authn::PasswordError) -> Self {
        Self::internal(e)
    }
}

impl From<ciam_authn::TotpError> for Failure {
    fn from(e: ciam_authn::TotpError) -> Self {
        Self::corrupt(format!("totp seed: {e}"))
    }
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
            StoreError::Unavailable(source) => {
                // A region's failure names the region (never a URL or a host).
                let detail = match source.downcast_ref::<ciam_core::region::RegionError>() {
                    Some(region) => format!("{region}; retry shortly"),
                    None => "a storage backend is unavailable; retry shortly".to_owned(),
                };
                Self { internal: Some(error_chain(&*source)), ..Self::new(ProblemKind::Unavailable, detail) }
            }
            StoreError::Corrupt(what) => Self::internal(format!("corrupt stored data: {what}")),
        }
    }
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
            let kind =
                if self.kind == ProblemKind::Unavailable { FailureKind::Unavailable } else { FailureKind::Internal };
            res.extensions_mut().insert(InternalError::new(kind, message));
        }
        res
    }
}

impl From<Failure> for Problem {
    fn from(f: Failure) -> Self {
        let problem = match f.kind {
            FailureKind::Unavailable => {
                Self::new(ProblemKind::Unavailable, "a storage backend is unavailable; retry shortly")
            }
            FailureKind::Corrupt | FailureKind::Internal => {
                Self::new(ProblemKind::Internal, "the server failed to handle this request")
            }
        };
        problem.with_internal(f.to_string())
    }
}

// --- The hold-off ---------------------------------------------------------------------------

/// The 429 hold-off (RFC 6585 §4): the caller tried too often and is refused for a while,
/// answered in the dialect of the endpoint, with `Retry-After` when the wait is known.
#[derive(Debug, Clone, Copy)]
pub struct HoldOff {
    retry_after: Option<std::time::Duration>,
}

impl HoldOff {
    /// Refused for at least `wait` (`Retry-After`, at least one second).
    pub fn after(wait: std::time::Duration) -> Self {
        Self { retry_after: Some(wait) }
    }

    /// Refused for a while the server does not state.
    pub fn unstated() -> Self {
        Self { retry_after: None }
    }

    /// An OAuth error answered with 429 (RFC 6749 §5.2's JSON body).
    pub fn oauth(self, e: ciam_oauth::OAuthError) -> Response {
        self.apply(OAuthFailure(e).into_response())
    }

    /// A hosted page (the form again, saying why) answered with 429.
    pub fn page(self, page: Response) -> Response {
        self.apply(page)
    }

    fn apply(self, mut res: Response) -> Response {
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Some(wait) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
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

/// A service failure as the management API (and the account API) answers it.
impl From<crate::services::ServiceError> for Problem {
    fn from(e: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError;
        match e {
            ServiceError::Store(e) => e.into(),
            ServiceError::Sessions(e) => {
                Problem::new(ProblemKind::Unavailable, "the session store is unavailable; retry shortly")
                    .with_internal(e.to_string())
            }
            ServiceError::Invalid(field) => Problem::invalid(field),
            ServiceError::Forbidden(why) => Problem::new(ProblemKind::Forbidden, why),
            ServiceError::Conflict(why) => Problem::new(ProblemKind::Conflict, why),
            ServiceError::Internal(cause) => Problem::internal(cause),
            ServiceError::Keys(e) => match e {
                ciam_jose::KeyringError::Store(s) => s.into(),
                other => Problem::new(ProblemKind::Internal, "signing keys could not be used")
                    .with_internal(other.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests;
