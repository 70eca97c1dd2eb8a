//! Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0): a client (an agent, a
//! call-centre app) asks the server to get a user's approval out of band, and gets its tokens
//! once the user has answered on their own device.
//!
//! The client posts a backchannel authentication request (§7.1) naming the user by a hint, what
//! it wants (scope, resources, `authorization_details`) and a `binding_message` the user sees;
//! it gets an `auth_req_id` (§7.3) and either polls the token endpoint (the poll mode) or waits
//! for the server's notification (the ping mode, §10.2) and then calls it once. Everything here
//! is pure: the server keeps a [`CibaRequest`] under the `auth_req_id`'s SHA-256 in the
//! ephemeral store, the user's decision beside it, and asks [`crate::device::Asked::poll`] what
//! each poll gets, as for the device grant.
//!
//! # Security
//! - The `auth_req_id` carries 256 bits and is stored only as a hash.
//! - A hint that names no user, or a user the client may not reach (an agent without an active
//!   delegation from them, an app they never consented to), gets the same `unknown_user_id`:
//!   the endpoint does not tell who has an account.
//! - The binding message is shown to a person: at most [`MAX_BINDING_MESSAGE`] characters, none
//!   of them control or bidirectional formatting characters (which could make the text read
//!   differently from what it says).
//! - The ping mode's `client_notification_token` is the client's bearer credential for its own
//!   endpoint: kept with the request, never logged or shown. The ping names the `auth_req_id`,
//!   so in that mode the request keeps it too, for as long as it lives.

use ciam_core::client::{Client, DeliveryMode, GrantType};
use ciam_core::scope::ScopeSet;
use ciam_core::validation::is_bidi_control;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;
use crate::rar::Details;

/// The URN of the grant (§10.1).
pub const GRANT_TYPE: &str = "urn:openid:params:grant-type:ciba";

/// How long a request lives unless the client asks for less (`requested_expiry`).
pub const DEFAULT_EXPIRY: i64 = 300;

/// The longest `requested_expiry` honoured (a longer one is shortened to this).
pub const MAX_EXPIRY: i64 = 600;

/// The minimum seconds between two polls (`interval`, §7.3).
pub const POLL_INTERVAL: i64 = 5;

/// The longest binding message, in characters: it is read on a phone's screen.
pub const MAX_BINDING_MESSAGE: usize = 64;

/// The longest `client_notification_token` accepted (§7.1 asks for at least 128 bits of entropy
/// and sets no maximum; this bounds what is stored).
pub const MAX_NOTIFICATION_TOKEN: usize = 1024;

/// How the request names its user (§7.1: exactly one hint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// `login_hint`: an email address or a user id.
    Login(String),
    /// `id_token_hint`: an ID token this tenant issued to the user.
    IdToken(String),
}

/// A backchannel authentication request (§7.1), checked, before the user is found.
pub struct Asked {
    /// Who the request is for.
    pub hint: Hint,
    /// What the request is for (the part the user is shown and the tokens carry).
    pub request: CibaRequest,
}

/// What the server remembers about a backchannel authentication request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaRequest {
    /// The client that asked.
    pub client_id: String,
    /// The user it asked about (empty until the hint is resolved).
    pub user_id: String,
    /// For an agent: the delegation the request is made under, which must still be active when
    /// the user answers and when the tokens are issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_id: Option<String>,
    /// The scope asked for, space-separated (always with `openid`).
    pub scope: String,
    /// The resources (RFC 8707) the tokens are for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The authorization details (RFC 9396) asked for, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
    /// The text the client shows on its own screen, for the user to match (§7.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_message: Option<String>,
    /// How the client gets its tokens.
    pub mode: DeliveryMode,
    /// For the ping mode: the bearer token the client's notification endpoint takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_token: Option<String>,
    /// For the ping mode: the `auth_req_id` itself, which the notification names (§10.2). The
    /// poll mode keeps only its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_id: Option<String>,
    /// When the request was made (unix seconds).
    pub issued_at: i64,
    /// When it expires (unix seconds).
    pub expires_at: i64,
    /// How the client has polled so far (kept in the request: one read serves a poll).
    #[serde(default)]
    pub polling: crate::device::Polling,
}

impl std::fmt::Debug for CibaRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CibaRequest")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("delegation_id", &self.delegation_id)
            .field("scope", &self.scope)
            .field("mode", &self.mode)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl CibaRequest {
    /// The rules of a poll for this request.
    pub(crate) fn asked(&self) -> crate::device::Asked<'_> {
        crate::device::Asked { what: "auth_req_id", client_id: &self.client_id, expires_at: self.expires_at }
    }

    /// The request's authorization details, parsed (checked when the request was made).
    pub fn details(&self) -> Option<Details> {
        self.authorization_details.clone().and_then(|v| Details::from_value(v).ok())
    }
}

/// The successful answer of the backchannel authentication endpoint (§7.3).
#[derive(Serialize)]
pub struct CibaStart {
    /// What the client polls with (or finds in the ping).
    pub auth_req_id: String,
    /// Seconds until the request expires.
    pub expires_in: i64,
    /// Seconds between polls (the poll mode; the ping mode may poll as a fallback).
    pub interval: i64,
}

impl std::fmt::Debug for CibaStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CibaStart([redacted])")
    }
}

/// Whether `text` may be shown to a person as a binding message: at most
/// [`MAX_BINDING_MESSAGE`] characters, not blank, and no control, bidirectional or other
/// invisible formatting characters.
pub fn readable_binding_message(text: &str) -> bool {
    let invisible = |c: char| {
        c.is_control()
            || is_bidi_control(c)
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
    };
    !text.trim().is_empty() && text.chars().count() <= MAX_BINDING_MESSAGE && !text.chars().any(invisible)
}

/// Checks a backchannel authentication request (§7.1) by `client`, made at `now`: the client
/// must be registered for the grant; the scope must include `openid` and stay within the
/// client's; exactly one of `login_hint` and `id_token_hint` (`login_hint_token` is not
/// supported); a readable binding message; `requested_expiry` a positive number of seconds;
/// in the ping mode a `client_notification_token`; well-formed `authorization_details` (their
/// types are checked against the tenant's by the caller).
pub fn validate_request(client: &Client, params: &Params, now: i64) -> Result<Asked, OAuthError> {
    let Some(settings) = client.backchannel.as_ref().filter(|_| client.may_use(GrantType::Ciba)) else {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client may not use backchannel authentication",
        ));
    };
    let scope = ScopeSet::parse_space_separated(params.require("scope")?)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "malformed scope (RFC 6749 §3.3)"))?;
    if !scope.contains("openid") {
        return Err(OAuthError::new(ErrorCode::InvalidScope, "a backchannel authentication request asks for openid"));
    }
    if !scope.is_subset(&client.scopes) {
        return Err(OAuthError::new(ErrorCode::InvalidScope, "the requested scope exceeds what this client may get"));
    }
    if params.get("login_hint_token").is_some() {
        return Err(OAuthError::invalid_request("login_hint_token is not supported; use login_hint or id_token_hint"));
    }
    let hint = match (params.get("login_hint"), params.get("id_token_hint")) {
        (Some(h), None) if !h.trim().is_empty() && h.len() <= 320 => Hint::Login(h.trim().to_owned()),
        (None, Some(t)) if !t.is_empty() && t.len() <= 8192 => Hint::IdToken(t.to_owned()),
        (None, None) => return Err(OAuthError::invalid_request("name the user with login_hint or id_token_hint")),
        (Some(_), Some(_)) => return Err(OAuthError::invalid_request("send one hint: login_hint or id_token_hint")),
        _ => return Err(OAuthError::invalid_request("the hint is empty or too long")),
    };
    let binding_message = params.get("binding_message").map(str::to_owned);
    if binding_message.as_deref().is_some_and(|m| !readable_binding_message(m)) {
        return Err(OAuthError::new(
            ErrorCode::InvalidBindingMessage,
            format!(
                "binding_message must have 1-{MAX_BINDING_MESSAGE} characters, none of them control or \
                 bidirectional formatting characters"
            ),
        ));
    }
    let expiry = match params.get("requested_expiry") {
        None => DEFAULT_EXPIRY,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => n.min(MAX_EXPIRY),
            _ => return Err(OAuthError::invalid_request("requested_expiry must be a positive number of seconds")),
        },
    };
    let notification_token = match (settings.token_delivery_mode, params.get("client_notification_token")) {
        (DeliveryMode::Ping, None) => {
            return Err(OAuthError::invalid_request("the ping mode needs a client_notification_token"));
        }
        (DeliveryMode::Ping, Some(t))
            if t.is_empty() || t.len() > MAX_NOTIFICATION_TOKEN || !t.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            return Err(OAuthError::invalid_request(format!(
                "client_notification_token must be 1-{MAX_NOTIFICATION_TOKEN} visible ASCII characters"
            )));
        }
        (DeliveryMode::Ping, Some(t)) => Some(t.to_owned()),
        (DeliveryMode::Poll, _) => None,
    };
    let resources =
        crate::authorize::resource_indicators(params).map_err(|d| OAuthError::new(ErrorCode::InvalidTarget, d))?;
    let details = Details::from_params(params)?;
    Ok(Asked {
        hint,
        request: CibaRequest {
            client_id: client.client_id.to_string(),
            user_id: String::new(),
            delegation_id: None,
            scope: scope.to_string(),
            resources: resources.to_vec(),
            authorization_details: details.map(|d| d.to_value()),
            binding_message,
            mode: settings.token_delivery_mode,
            notification_token,
            ping_id: None,
            issued_at: now,
            expires_at: now + expiry,
            polling: crate::device::Polling::default(),
        },
    })
}

#[cfg(test)]
mod tests;
