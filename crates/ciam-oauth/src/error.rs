//! OAuth error codes and the error type every protocol function returns.

use std::borrow::Cow;

/// The error codes this server answers with. The list is stable API; each variant cites the
/// section that defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// RFC 6749 §5.2, §4.1.2.1: malformed request, missing or repeated parameter.
    InvalidRequest,
    /// RFC 6749 §5.2: client authentication failed.
    InvalidClient,
    /// RFC 6749 §5.2: the grant (code, refresh token, credentials) is invalid, expired or revoked.
    InvalidGrant,
    /// RFC 6749 §5.2: the client may not use this grant type.
    UnauthorizedClient,
    /// RFC 6749 §5.2: the grant type is not supported.
    UnsupportedGrantType,
    /// RFC 6749 §5.2, §4.1.2.1: the requested scope is invalid or exceeds what is allowed.
    InvalidScope,
    /// RFC 8707 §2: the requested resource is invalid or not allowed.
    InvalidTarget,
    /// RFC 6749 §4.1.2.1: the server does not support this response type.
    UnsupportedResponseType,
    /// RFC 6749 §4.1.2.1: the resource owner or server denied the request.
    AccessDenied,
    /// OIDC Core §3.1.2.6: `prompt=none` but the user must sign in.
    LoginRequired,
    /// OIDC Core §3.1.2.6: `prompt=none` but the user must consent.
    ConsentRequired,
    /// OIDC Core §3.1.2.6: `prompt=none` but the user must interact (a step-up, say).
    InteractionRequired,
    /// OpenID Connect Unmet Authentication Requirements 1.0: the requested authentication level
    /// (`acr_values`) cannot be reached for this user.
    UnmetAuthenticationRequirements,
    /// RFC 9470 §3: the token's authentication is too weak or too old for this request.
    InsufficientUserAuthentication,
    /// RFC 6749 §4.1.2.1, §5.2: an unexpected condition; details are only in the server log.
    ServerError,
    /// RFC 6749 §4.1.2.1: temporarily unable to handle the request.
    TemporarilyUnavailable,
    /// RFC 7009 §2.2.1: the server does not support revoking this token type.
    UnsupportedTokenType,
    /// RFC 7591 §3.2.2: a redirect URI in the metadata is invalid.
    InvalidRedirectUri,
    /// RFC 7591 §3.2.2: a metadata field is invalid.
    InvalidClientMetadata,
    /// RFC 6750 §3.1: the access token is invalid, expired or revoked.
    InvalidToken,
    /// RFC 6750 §3.1: the token lacks the scope the resource needs.
    InsufficientScope,
    /// RFC 9449 §5, §7.1: the DPoP proof is missing, invalid or does not match.
    InvalidDpopProof,
    /// RFC 9449 §8: the proof must carry the server's current nonce (given in `DPoP-Nonce`).
    UseDpopNonce,
    /// RFC 8628 §3.5: the user has not yet approved or denied the device request; poll again.
    AuthorizationPending,
    /// RFC 8628 §3.5: polling too fast; the interval grows by 5 seconds for every later poll.
    SlowDown,
    /// RFC 8628 §3.5: the device code expired; start a new device authorization.
    ExpiredToken,
    /// RFC 9101 §6.3, OIDC Core §3.1.2.6: the request object is invalid (signature, claims,
    /// lifetime).
    InvalidRequestObject,
    /// OIDC Core §3.1.2.6: the `request` parameter is not supported.
    RequestNotSupported,
    /// OIDC Core §3.1.2.6, RFC 9101 §6.2: this `request_uri` is not supported (only those of
    /// pushed authorization requests are; none is ever fetched).
    RequestUriNotSupported,
    /// RFC 9101 §7, OIDC Core §3.1.2.6: the `request_uri` is unknown, expired or used.
    InvalidRequestUri,
    /// RFC 9396 §5: `authorization_details` is malformed, of a type not supported, or asks for
    /// more than was granted.
    InvalidAuthorizationDetails,
    /// CIBA Core §13: the hint names no user this client may reach (which of the two is not said).
    UnknownUserId,
    /// CIBA Core §13: the `binding_message` is too long or holds characters a person cannot read.
    InvalidBindingMessage,
}

impl ErrorCode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::AccessDenied => "access_denied",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::InvalidRequestObject => "invalid_request_object",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::InvalidRequestUri => "invalid_request_uri",
            Self::InvalidAuthorizationDetails => "invalid_authorization_details",
            Self::UnknownUserId => "unknown_user_id",
            Self::InvalidBindingMessage => "invalid_binding_message",
        }
    }
}

/// A protocol error: a code, a description safe for the client (never a secret, never an
/// internal detail), and for `server_error` the internal cause for the log.
#[derive(Debug, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    /// The RFC error code.
    pub code: ErrorCode,
    /// `error_description`: human-readable, ASCII, no secrets.
    pub description: Cow<'static, str>,
    /// For `server_error` / `temporarily_unavailable`: what to log.
    pub internal: Option<Box<str>>,
    /// For a refusal: the specific reason, for the log and the audit trail only. The client
    /// reads `description`, which may say less on purpose (every failed client authentication
    /// is the same `invalid_client`); never a secret, an assertion, a code or a token. Behind
    /// one thin pointer: errors travel in `Result`s, and most have none.
    pub refusal: Option<Box<String>>,
    /// Extension members of the error response (RFC 6749 §5.2 allows them): what the client
    /// needs to act on the error, such as where to ask the user for an approval.
    pub extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl OAuthError {
    /// An error with a description.
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self { code, description: description.into(), internal: None, refusal: None, extra: None }
    }

    /// The same error, with extension members for the client.
    #[must_use]
    pub fn with_members(self, members: serde_json::Map<String, serde_json::Value>) -> Self {
        Self { extra: Some(Box::new(members)), ..self }
    }

    /// The same error, with the specific reason of the refusal for the log and the audit trail
    /// (never sent to the client).
    #[must_use]
    pub fn because(self, reason: impl Into<Cow<'static, str>>) -> Self {
        Self { refusal: Some(Box::new(reason.into().into_owned())), ..self }
    }

    /// What the log and the audit trail say about this refusal: the specific reason when there
    /// is one, else the description the client read.
    pub fn reason(&self) -> &str {
        self.refusal.as_deref().map_or(&self.description, String::as_str)
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// `invalid_client`, with the one description every client-authentication failure shares
    /// (which check failed is not revealed).
    pub fn invalid_client() -> Self {
        Self::new(ErrorCode::InvalidClient, "client authentication failed")
    }

    /// `invalid_client` with the specific reason for the log and the audit trail; the client
    /// reads only "client authentication failed".
    pub fn client_refused(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::invalid_client().because(reason)
    }

    /// `server_error` with an internal cause for the log.
    pub fn server_error(cause: impl std::fmt::Display) -> Self {
        Self {
            internal: Some(cause.to_string().into()),
            ..Self::new(ErrorCode::ServerError, "the server failed to handle this request")
        }
    }

    /// `temporarily_unavailable` (a store is down) with an internal cause for the log.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        Self {
            internal: Some(cause.to_string().into()),
            ..Self::new(ErrorCode::TemporarilyUnavailable, "the server is temporarily unavailable; retry shortly")
        }
    }
}

/// A store failure is `temporarily_unavailable` when the backend is down and `server_error`
/// otherwise (corrupt data, an unexpected answer). The client reads only the generic
/// description; the cause, with the backend's own error chain, is kept for the log.
impl From<ciam_core::store::StoreError> for OAuthError {
    fn from(e: ciam_core::store::StoreError) -> Self {
        let cause = error_chain(&e);
        match e {
            ciam_core::store::StoreError::Unavailable(_) => Self::unavailable(cause),
            _ => Self::server_error(cause),
        }
    }
}

/// An error and its sources, `outer: inner: innermost`, for the log.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use ciam_core::store::StoreError;

    use super::*;

    #[test]
    fn store_errors_keep_their_cause_for_the_log_only() {
        let down = StoreError::Unavailable(Box::new(std::io::Error::other("connection refused")));
        let e = OAuthError::from(down);
        assert_eq!(e.code, ErrorCode::TemporarilyUnavailable);
        assert_eq!(e.internal.as_deref(), Some("storage backend unavailable: connection refused"));
        assert!(!e.description.contains("refused"));

        let e = OAuthError::from(StoreError::Corrupt("row 7".into()));
        assert_eq!(e.code, ErrorCode::ServerError);
        assert_eq!(e.internal.as_deref(), Some("stored data is invalid: row 7"));
        assert!(!e.description.contains("row 7"));
    }
}
