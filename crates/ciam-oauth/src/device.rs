//! The device authorization grant (RFC 8628) for clients without a browser: CLIs, headless
//! agents, TVs.
//!
//! The client asks for a device code and a user code (§3.1, §3.2), shows the user code and the
//! verification URI, and polls the token endpoint (§3.4) while the user signs in elsewhere,
//! enters the code and approves (§3.3). Everything here is pure: the server keeps a
//! [`DeviceRequest`] under the device code's SHA-256 and the user's [`DeviceDecision`] next to it
//! in the ephemeral store, and asks [`poll`] what each poll gets.
//!
//! # Security
//! - The device code carries 256 bits; it is stored only as a hash.
//! - The user code has 8 characters of the 20-letter alphabet of §6.1 (no vowels, so no words;
//!   about 34 bits). It is short-lived, single-use and only accepted from a signed-in user whose
//!   wrong entries are counted, so guessing one is impractical (§5.1).

use ciam_core::client::{Client, GrantType};
use ciam_core::id::ClientId;
use ciam_core::scope::ScopeSet;
use ciam_core::tenant::TenantNs;
use serde::{Deserialize, Serialize};

use crate::code::CodeGrant;
use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;

/// How long a device code and its user code live (`expires_in`).
pub const DEVICE_CODE_LIFETIME: time::Duration = time::Duration::minutes(10);

/// The minimum seconds between two polls (`interval`, §3.2).
pub const POLL_INTERVAL: i64 = 5;

/// What each `slow_down` adds to the interval (§3.5).
pub const SLOW_DOWN_STEP: i64 = 5;

/// The user-code alphabet of RFC 8628 §6.1: consonants only, no look-alikes.
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// Characters in a user code.
pub const USER_CODE_LENGTH: usize = 8;

/// The URN of the grant (§3.4).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A user code in canonical form: 8 letters of [`USER_CODE_ALPHABET`], no separator.
#[derive(Clone, PartialEq, Eq)]
pub struct UserCode(String);

impl UserCode {
    /// A fresh random user code.
    pub fn generate() -> Self {
        let mut code = String::with_capacity(USER_CODE_LENGTH);
        while code.len() < USER_CODE_LENGTH {
            code.extend(Self::letters(&ciam_core::secret::random_bytes(USER_CODE_LENGTH)));
            code.truncate(USER_CODE_LENGTH);
        }
        Self(code)
    }

    /// The letters that random `bytes` stand for. Bytes of 240 and above are dropped, so each
    /// letter is uniform over the 20 (240 = 12 × 20).
    fn letters(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
        bytes
            .iter()
            .filter(|b| **b < 240)
            .filter_map(|b| USER_CODE_ALPHABET.get(usize::from(b % 20)).map(|c| char::from(*c)))
    }

    /// What a user typed, normalised (§6.1): case-insensitive, dashes and spaces ignored.
    /// `None` when it cannot be a user code at all.
    pub fn parse(input: &str) -> Option<Self> {
        let code: String =
            input.chars().filter(|c| *c != '-' && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let valid = code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
        valid.then_some(Self(code))
    }

    /// The code as shown to users: `XXXX-XXXX`.
    pub fn display(&self) -> String {
        let (a, b) = self.0.split_at(USER_CODE_LENGTH / 2);
        format!("{a}-{b}")
    }

    /// The ephemeral-store key under which the code names its device request (by hash).
    pub fn key(&self, tenant: &TenantNs) -> ciam_core::keyspace::Key {
        ciam_core::keyspace::device_user_code(tenant, &self.0)
    }
}

impl std::fmt::Debug for UserCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserCode([redacted])")
    }
}

/// Where a device request lives: by the device code's hash, per tenant. The same hash names the
/// request's decision and polling state (`device_decision:…`, `device_poll:…`, `device_used:…`).
pub fn device_key(tenant: &TenantNs, device_code: &str) -> ciam_core::keyspace::Key {
    ciam_core::keyspace::device_request(tenant, device_code)
}

/// The same, from the hash (what the user code points to).
pub fn device_key_of_hash(tenant: &TenantNs, hash: &str) -> ciam_core::keyspace::Key {
    ciam_core::keyspace::device_request_of_hash(tenant, hash)
}

/// What the server remembers about a device authorization request (§3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequest {
    /// The client that asked.
    pub client_id: String,
    /// The scope to ask the user for, space-separated.
    pub scope: String,
    /// For an agent: the audiences of the delegation to ask for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// The resources (RFC 8707) the request named: its tokens name them as audience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// When the request was made (unix seconds).
    pub issued_at: i64,
    /// When its codes expire (unix seconds).
    pub expires_at: i64,
}

/// What the user decided on the verification page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DeviceDecision {
    /// Approved: the grant the tokens are issued from, as for a redeemed code.
    Approved(Box<CodeGrant>),
    /// Denied.
    Denied,
}

/// How a device code has been polled so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Polling {
    /// The last poll (unix seconds).
    pub last: Option<i64>,
    /// The interval the client must keep, grown by every `slow_down`.
    pub interval: i64,
}

impl Polling {
    /// Whether a poll at `now` comes sooner than the interval after the previous one.
    pub fn too_soon(&self, now: i64) -> bool {
        self.last.is_some_and(|last| now - last < self.interval)
    }
}

impl Default for Polling {
    fn default() -> Self {
        Self { last: None, interval: POLL_INTERVAL }
    }
}

/// Validates a device authorization request (§3.1) by `client`: the client must be registered for
/// the grant; the scope defaults to the client's and may not exceed it (as at the authorization
/// endpoint); an agent's `resource` parameters must be audiences it is allowed (RFC 8707).
pub fn validate_request(client: &Client, params: &Params, now: i64) -> Result<DeviceRequest, OAuthError> {
    if !client.may_use(GrantType::DeviceCode) {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "this client may not use the device flow"));
    }
    let scope = match params.get("scope") {
        Some(s) => ScopeSet::parse_space_separated(s)
            .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "malformed scope (RFC 6749 §3.3)"))?,
        None => client.scopes.clone(),
    };
    if !scope.is_subset(&client.scopes) {
        return Err(OAuthError::new(ErrorCode::InvalidScope, "the requested scope exceeds what this client may get"));
    }
    let resources =
        crate::authorize::resource_indicators(params).map_err(|d| OAuthError::new(ErrorCode::InvalidTarget, d))?;
    let audiences = if client.agent.is_some() {
        crate::authorize::agent_audiences(client, resources)
            .map_err(|e| OAuthError::new(ErrorCode::InvalidTarget, e))?
    } else {
        Vec::new()
    };
    Ok(DeviceRequest {
        client_id: client.client_id.to_string(),
        scope: scope.to_string(),
        audiences,
        resources: resources.to_vec(),
        issued_at: now,
        expires_at: now + DEVICE_CODE_LIFETIME.whole_seconds(),
    })
}

/// Answers one poll of the token endpoint (§3.4, §3.5) and updates `polling`.
///
/// - A code issued to another client, or one already redeemed (`used`), is `invalid_grant`.
/// - After its lifetime the code is `expired_token`, whatever was decided.
/// - Denied is `access_denied`; approved returns the grant, which the caller takes once.
/// - While the user has not decided, a poll sooner than the interval after the previous one is
///   `slow_down` and adds [`SLOW_DOWN_STEP`] seconds to the interval; otherwise
///   `authorization_pending`.
pub fn poll(
    request: &DeviceRequest,
    client: &ClientId,
    used: bool,
    decision: Option<&DeviceDecision>,
    polling: &mut Polling,
    now: i64,
) -> Result<CodeGrant, OAuthError> {
    let asked = Asked { what: "device_code", client_id: &request.client_id, expires_at: request.expires_at };
    asked.poll(client, used, decision, polling, now)
}

/// A request a client polls for (a device request, a backchannel authentication), as the
/// polling rules see it.
pub(crate) struct Asked<'a> {
    /// The parameter the client polls with, for the error descriptions.
    pub(crate) what: &'static str,
    /// The client the request was made by.
    pub(crate) client_id: &'a str,
    /// When it expires (unix seconds).
    pub(crate) expires_at: i64,
}

impl Asked<'_> {
    /// The rules of [`poll`], for any request the user decides elsewhere.
    pub(crate) fn poll(
        &self,
        client: &ClientId,
        used: bool,
        decision: Option<&DeviceDecision>,
        polling: &mut Polling,
        now: i64,
    ) -> Result<CodeGrant, OAuthError> {
        let what = self.what;
        if self.client_id != client.as_str() {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, format!("the {what} was issued to another client")));
        }
        if used {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, format!("the {what} was already used")));
        }
        if now >= self.expires_at {
            return Err(OAuthError::new(ErrorCode::ExpiredToken, format!("the {what} has expired; start again")));
        }
        match decision {
            Some(DeviceDecision::Denied) => {
                Err(OAuthError::new(ErrorCode::AccessDenied, "the user denied the request"))
            }
            Some(DeviceDecision::Approved(grant)) if grant.client_id.as_str() == self.client_id => {
                Ok((**grant).clone())
            }
            Some(DeviceDecision::Approved(_)) => {
                Err(OAuthError::server_error("a decision names another client than its request"))
            }
            None => {
                let too_soon = polling.too_soon(now);
                polling.last = Some(now);
                if too_soon {
                    polling.interval += SLOW_DOWN_STEP;
                    Err(OAuthError::new(ErrorCode::SlowDown, "polling too fast: wait longer between requests"))
                } else {
                    Err(OAuthError::new(ErrorCode::AuthorizationPending, "the user has not approved the request yet"))
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use ciam_core::client::{AuthMethod, ClientType};
    use ciam_core::id::{TenantId, UserId};
    use time::macros::datetime;

    use super::*;

    const NOW: i64 = 1_796_000_000;

    /// A public client of `grants` with the scopes `openid profile repo:read`.
    pub(crate) fn client(grants: &[GrantType]) -> Client {
        let at = datetime!(2026-12-01 0:00 UTC);
        Client {
            scopes: ScopeSet::parse_space_separated("openid profile repo:read").unwrap(),
            ..Client::minimal(
                TenantId::parse("acme").unwrap(),
                ClientId::parse("cli").unwrap(),
                "CLI".into(),
                ClientType::Public,
                grants.to_vec(),
                AuthMethod::None,
                at,
            )
        }
    }

    fn request() -> DeviceRequest {
        validate_request(&client(&[GrantType::DeviceCode]), &Params::parse(b"scope=openid").unwrap(), NOW).unwrap()
    }

    fn grant() -> CodeGrant {
        CodeGrant {
            client_id: ClientId::parse("cli").unwrap(),
            redirect_uri: None,
            scope: ScopeSet::parse_space_separated("openid").unwrap(),
            nonce: None,
            code_challenge: None,
            user_id: UserId::parse("0193a5c2-0000-7000-8000-000000000001").unwrap(),
            auth_time: NOW,
            acr: None,
            amr: vec!["pwd".into()],
            sid: "s".into(),
            issued_at: NOW,
            delegation_id: None,
            resources: vec![],
            dpop_jkt: None,
            id_token_claims: Vec::new(),
            userinfo_claims: Vec::new(),
            authorization_details: None,
            consents: None,
        }
    }

    #[test]
    fn user_codes_use_the_base20_alphabet_rfc8628_6_1() {
        for _ in 0..200 {
            let code = UserCode::generate();
            let shown = code.display();
            assert_eq!(shown.len(), 9);
            assert_eq!(shown.as_bytes()[4], b'-');
            assert!(shown.bytes().filter(|b| *b != b'-').all(|b| USER_CODE_ALPHABET.contains(&b)), "{shown}");
            assert_eq!(UserCode::parse(&shown), Some(code));
        }
        assert_ne!(UserCode::generate(), UserCode::generate());
        // Out-of-range bytes are dropped, the rest map uniformly.
        let letters: String = UserCode::letters(&[0, 19, 20, 239, 240, 255]).collect();
        assert_eq!(letters, "BZBZ");
    }

    #[test]
    fn user_code_input_is_normalised() {
        let want = UserCode::parse("WDJBMJHT").unwrap();
        for typed in ["WDJB-MJHT", "wdjb-mjht", " wdjb mjht ", "WD-JB-MJ-HT", "wdjbmjht"] {
            assert_eq!(UserCode::parse(typed).as_ref(), Some(&want), "{typed}");
        }
        assert_eq!(want.display(), "WDJB-MJHT");
        for bad in ["", "WDJB-MJH", "WDJB-MJHTX", "WDJB-MJHA", "WDJB_MJHT", "ŴDJB-MJHT", "WDJB-MJH1"] {
            assert_eq!(UserCode::parse(bad), None, "{bad}");
        }
        let tenant = TenantNs::new(&TenantId::parse("acme").unwrap(), "");
        assert_eq!(want.key(&tenant), UserCode::parse("wdjb mjht").unwrap().key(&tenant));
        assert!(!want.key(&tenant).as_str().contains("WDJB"), "stored only as a hash");
        assert!(!format!("{want:?}").contains("WDJB"));
        assert!(!device_key(&tenant, "secret-device-code").as_str().contains("secret"));
    }

    #[test]
    fn device_requests_follow_the_client_rfc8628_3_1() {
        let c = client(&[GrantType::DeviceCode]);
        let check = |body: &str| validate_request(&c, &Params::parse(body.as_bytes()).unwrap(), NOW);
        let all = check("").unwrap();
        assert_eq!(all.scope, "openid profile repo:read", "default: the client's scopes");
        assert_eq!(all.expires_at - all.issued_at, 600);
        assert_eq!(check("scope=openid").unwrap().scope, "openid");
        assert_eq!(check("scope=admin").unwrap_err().code, ErrorCode::InvalidScope);
        assert_eq!(check("scope=a%22b").unwrap_err().code, ErrorCode::InvalidScope);
        let code_only = client(&[GrantType::AuthorizationCode]);
        let e = validate_request(&code_only, &Params::parse(b"").unwrap(), NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnauthorizedClient);
    }

    #[test]
    fn polling_rules_rfc8628_3_5() {
        let (req, me) = (request(), ClientId::parse("cli").unwrap());
        let mut p = Polling::default();
        let code = |r: Result<CodeGrant, OAuthError>| r.unwrap_err().code;
        assert_eq!(code(poll(&req, &me, false, None, &mut p, NOW)), ErrorCode::AuthorizationPending, "first poll");
        assert_eq!(code(poll(&req, &me, false, None, &mut p, NOW + 2)), ErrorCode::SlowDown);
        assert_eq!(p.interval, 10, "the interval grows by 5 seconds");
        assert_eq!(code(poll(&req, &me, false, None, &mut p, NOW + 9)), ErrorCode::SlowDown, "7 s < 10 s");
        assert_eq!(p.interval, 15);
        assert_eq!(code(poll(&req, &me, false, None, &mut p, NOW + 24)), ErrorCode::AuthorizationPending);
        assert_eq!(p.interval, 15, "keeping the interval keeps it");

        let approved = DeviceDecision::Approved(Box::new(grant()));
        assert_eq!(poll(&req, &me, false, Some(&approved), &mut p, NOW + 25).unwrap(), grant());
        let e = poll(&req, &me, true, Some(&approved), &mut p, NOW + 40).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidGrant, "single use");
        assert_eq!(
            code(poll(&req, &me, false, Some(&DeviceDecision::Denied), &mut p, NOW + 40)),
            ErrorCode::AccessDenied
        );

        let other = ClientId::parse("other").unwrap();
        assert_eq!(code(poll(&req, &other, false, Some(&approved), &mut p, NOW + 40)), ErrorCode::InvalidGrant);
        let mut foreign = grant();
        foreign.client_id = ClientId::parse("other").unwrap();
        let e =
            poll(&req, &me, false, Some(&DeviceDecision::Approved(Box::new(foreign))), &mut p, NOW + 40).unwrap_err();
        assert_eq!(e.code, ErrorCode::ServerError);
    }

    #[test]
    fn expired_codes_get_expired_token_whatever_was_decided() {
        let (req, me) = (request(), ClientId::parse("cli").unwrap());
        let end = req.expires_at;
        let mut p = Polling::default();
        let approved = DeviceDecision::Approved(Box::new(grant()));
        assert!(poll(&req, &me, false, Some(&approved), &mut p, end - 1).is_ok());
        for decision in [None, Some(&approved), Some(&DeviceDecision::Denied)] {
            let e = poll(&req, &me, false, decision, &mut Polling::default(), end).unwrap_err();
            assert_eq!(e.code, ErrorCode::ExpiredToken);
        }
    }

    #[test]
    fn decisions_round_trip() {
        for d in [DeviceDecision::Approved(Box::new(grant())), DeviceDecision::Denied] {
            let json = serde_json::to_vec(&d).unwrap();
            assert_eq!(serde_json::from_slice::<DeviceDecision>(&json).unwrap(), d);
        }
    }
}
