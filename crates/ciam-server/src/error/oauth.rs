//! The OAuth dialects: RFC 6749 §5.2 JSON for the back-channel endpoints (with the
//! client-authentication and unreadable-body cases), and RFC 6750 / RFC 9449 challenges for
//! protected resources. The refusal's specific reason rides along for the log ([`Refused`]).

use super::*;

/// A refused request, for the log: its error code and the specific reason, which the client may
/// not have been told. Set by the OAuth dialects, logged at `info` by `telemetry::observe`.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The RFC error code the client got.
    pub error: &'static str,
    /// Why, specifically (never a secret).
    pub reason: Arc<str>,
}

impl Refused {
    /// The note for `e`, or none when it is not a refusal: a server failure (logged as one), or
    /// a device client told to keep polling (RFC 8628 §3.5), which is not worth a line a poll.
    pub(super) fn of(e: &ciam_oauth::OAuthError) -> Option<Self> {
        use ciam_oauth::ErrorCode;
        match e.code {
            ErrorCode::ServerError
            | ErrorCode::TemporarilyUnavailable
            | ErrorCode::AuthorizationPending
            | ErrorCode::SlowDown => None,
            code => Some(Self { error: code.as_str(), reason: e.reason().into() }),
        }
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
    /// Extension members (RFC 6749 §5.2); never `error` or `error_description` themselves.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
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
        let body =
            OAuthErrorBody { error: e.code.as_str(), error_description: &e.description, extra: e.extra.as_deref() };
        let mut res = (status, Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        match e.code {
            ErrorCode::InvalidToken => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            ErrorCode::TemporarilyUnavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        if let Some(refused) = Refused::of(&e) {
            res.extensions_mut().insert(refused);
        }
        if let Some(message) = e.internal {
            res.extensions_mut().insert(InternalError::new(oauth_failure_kind(e.code), message));
        }
        res
    }
}

/// A back-channel request whose body could not be read, in the endpoint's own RFC 6749 §5.2
/// JSON (`invalid_request`, `no-store`): a body over the size limit keeps its `413`, anything
/// else is `400`.
pub(crate) struct UnreadableForm(pub(crate) BytesRejection);

impl IntoResponse for UnreadableForm {
    fn into_response(self) -> Response {
        let too_large = self.0.status() == StatusCode::PAYLOAD_TOO_LARGE;
        let description = if too_large {
            "the request body is larger than this endpoint accepts"
        } else {
            "the request body could not be read"
        };
        let mut res = OAuthFailure(ciam_oauth::OAuthError::invalid_request(description)).into_response();
        if too_large {
            *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        }
        res
    }
}

/// A failed client authentication at a back-channel endpoint (RFC 6749 §5.2): `401
/// invalid_client`, with `WWW-Authenticate: Basic` only when the client tried the
/// `Authorization` header. A client that sent its secret in the body, or an assertion, is not
/// challenged to a scheme it did not use (strict clients report the challenge instead of the
/// error).
pub(crate) struct ClientAuthFailure {
    /// The refusal.
    pub(crate) error: ciam_oauth::OAuthError,
    /// Whether the request carried an `Authorization` header.
    pub(crate) tried_authorization_header: bool,
}

impl IntoResponse for ClientAuthFailure {
    fn into_response(self) -> Response {
        let challenge = self.tried_authorization_header && self.error.code == ciam_oauth::ErrorCode::InvalidClient;
        let mut res = OAuthFailure(self.error).into_response();
        if challenge {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"ciam\""));
        }
        res
    }
}

pub(super) fn oauth_failure_kind(code: ciam_oauth::ErrorCode) -> FailureKind {
    if code == ciam_oauth::ErrorCode::TemporarilyUnavailable { FailureKind::Unavailable } else { FailureKind::Internal }
}

// --- Protected resources -------------------------------------------------------------------

/// A protected resource's refusal of the access token a request carries (RFC 6750 §3, RFC 9449
/// §7.1): 401 with a `Bearer` and a `DPoP` challenge naming the error (the client may hold
/// either kind of token), plus `DPoP-Nonce` when the client must use the server's nonce
/// (RFC 9449 §9); 403 for missing scope; 400 with a `Bearer` challenge for a malformed request.
#[derive(Debug)]
pub struct ResourceError {
    error: ciam_oauth::OAuthError,
    nonce: Option<String>,
    malformed: bool,
}

impl ResourceError {
    /// A refused token (or a failure while checking it).
    pub fn new(error: ciam_oauth::OAuthError) -> Self {
        Self { error, nonce: None, malformed: false }
    }

    /// A request a resource cannot read (RFC 6750 §3.1 `invalid_request`): 400 with a `Bearer`
    /// challenge.
    pub fn malformed(error: ciam_oauth::OAuthError) -> Self {
        Self { error, nonce: None, malformed: true }
    }

    /// Whether the client must retry with the server's DPoP nonce.
    pub fn needs_nonce(&self) -> bool {
        self.error.code == ciam_oauth::ErrorCode::UseDpopNonce
    }

    /// The nonce to hand out in `DPoP-Nonce`.
    #[must_use]
    pub fn with_nonce(self, nonce: String) -> Self {
        Self { nonce: Some(nonce), ..self }
    }
}

impl From<ciam_oauth::OAuthError> for ResourceError {
    fn from(e: ciam_oauth::OAuthError) -> Self {
        Self::new(e)
    }
}

impl IntoResponse for ResourceError {
    fn into_response(self) -> Response {
        use ciam_oauth::ErrorCode;
        let Self { error, nonce, malformed } = self;
        let challenge = match error.code {
            ErrorCode::InvalidToken | ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce => error.code.as_str(),
            ErrorCode::InvalidRequest if malformed => {
                let mut res = OAuthFailure(error).into_response();
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_request\""));
                return res;
            }
            _ => return OAuthFailure(error).into_response(),
        };
        let mut res = OAuthFailure(error).into_response();
        *res.status_mut() = StatusCode::UNAUTHORIZED;
        let headers = res.headers_mut();
        headers.remove(header::WWW_AUTHENTICATE);
        let algs = ciam_jose::dpop::DPOP_ALGS.join(" ");
        for value in [format!("Bearer error=\"{challenge}\""), format!("DPoP error=\"{challenge}\", algs=\"{algs}\"")] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.append(header::WWW_AUTHENTICATE, v);
            }
        }
        if let Some(v) = nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            headers.insert("dpop-nonce", v);
        }
        res
    }
}
