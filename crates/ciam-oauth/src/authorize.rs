//! Validation of authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636,
//! RFC 9700). The result is either a [`ValidAuthorization`] the login flow can act on, or an
//! [`AuthorizeError`] that says whether the error may be sent to the redirect URI.
//!
//! # Security
//! Until the client and the redirect URI are both verified, no error is ever redirected: an
//! unknown client, an unregistered or missing redirect URI, or a malformed request that repeats
//! parameters is shown on an error page (RFC 6749 §4.1.2.1; RFC 9700 §4.11.2), so the endpoint
//! is no open redirector.

use ciam_core::Acr;
use ciam_core::client::{Client, ClientType, GrantType};
use ciam_core::id::ClientId;
use ciam_core::scope::ScopeSet;

use crate::claims::RequestedClaims;
use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;
use crate::pkce::CodeChallenge;

/// Longest accepted `state`, `nonce` and hint values.
const MAX_STATE: usize = 4096;
const MAX_NONCE: usize = 512;
const MAX_HINT: usize = 4096;
/// Most `resource` parameters one request may carry.
const MAX_RESOURCES: usize = 8;

/// How the authorization response is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// Query parameters on the redirect URI (the default for `code`).
    Query,
    /// An auto-submitting HTML form POSTed to the redirect URI (OAuth 2.0 Form Post Response Mode).
    FormPost,
    /// JARM `query.jwt` (and `jwt`, its default for `code`): one signed `response` parameter
    /// in the query.
    QueryJwt,
    /// JARM `form_post.jwt`: one signed `response` parameter in an auto-submitting form.
    FormPostJwt,
}

impl ResponseMode {
    /// The mode a `response_mode` value names (absent: `query`); `None` for a mode not
    /// supported. `fragment` and `fragment.jwt` are not: a code is never put in the fragment.
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("query") => Some(Self::Query),
            Some("form_post") => Some(Self::FormPost),
            Some("jwt" | "query.jwt") => Some(Self::QueryJwt),
            Some("form_post.jwt") => Some(Self::FormPostJwt),
            Some(_) => None,
        }
    }

    /// Every supported `response_mode` value (`response_modes_supported`).
    pub const SUPPORTED: [&'static str; 5] = ["query", "form_post", "jwt", "query.jwt", "form_post.jwt"];

    /// Whether the response is signed (JARM).
    pub fn is_jwt(self) -> bool {
        matches!(self, Self::QueryJwt | Self::FormPostJwt)
    }

    /// How the response's parameters travel to the redirect URI.
    pub fn delivery(self) -> Delivery {
        match self {
            Self::Query | Self::QueryJwt => Delivery::Query,
            Self::FormPost | Self::FormPostJwt => Delivery::FormPost,
        }
    }
}

/// How parameters travel to a redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In its query.
    Query,
    /// In an auto-submitting HTML form POSTed to it.
    FormPost,
}

/// The `prompt` parameter (OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// `none`: never show UI; fail with `login_required` / `consent_required` instead.
    pub none: bool,
    /// `login`: authenticate again even with a live session.
    pub login: bool,
    /// `consent`: ask for consent again even if it was given before.
    pub consent: bool,
    /// `select_account`: let the user choose an account.
    pub select_account: bool,
    /// `create`: show the account creation page first (OpenID Connect Prompt Create 1.0).
    pub create: bool,
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct ValidAuthorization {
    /// The client.
    pub client_id: ClientId,
    /// The redirect URI to answer to: the exact string the request sent (or the single registered
    /// one when the request sent none and OIDC does not require it). The token request must
    /// repeat it when it was sent (RFC 6749 §4.1.3).
    pub redirect_uri: String,
    /// Whether `redirect_uri` was in the request.
    pub redirect_uri_sent: bool,
    /// Granted-at-most scopes (requested ∩ nothing wider than the client's registration).
    pub scope: ScopeSet,
    /// Opaque client state, echoed byte for byte.
    pub state: Option<String>,
    /// OIDC nonce, copied into the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge (S256).
    pub code_challenge: Option<CodeChallenge>,
    /// Response mode.
    pub response_mode: ResponseMode,
    /// Prompt flags.
    pub prompt: Prompt,
    /// Maximum authentication age in seconds.
    pub max_age: Option<u64>,
    /// Requested ACR values, in order of preference.
    pub acr_values: Vec<String>,
    /// Login hint (e.g. an email address).
    pub login_hint: Option<String>,
    /// UI locales in order of preference.
    pub ui_locales: Vec<String>,
    /// An ID token previously issued to the client, as a hint about the user.
    pub id_token_hint: Option<String>,
    /// The resources (RFC 8707) the tokens are for: absolute URIs, in request order.
    pub resources: Vec<String>,
    /// The DPoP key the code is to be bound to (`dpop_jkt`, RFC 9449 §10): a JWK SHA-256
    /// thumbprint (RFC 7638), base64url.
    pub dpop_jkt: Option<String>,
    /// The `claims` parameter (OIDC Core §5.5), reduced to the claims this client may have;
    /// empty without one, and for a request without `openid`.
    pub claims: RequestedClaims,
    /// The `authorization_details` parameter (RFC 9396), well formed; its types are checked
    /// against the tenant's by the caller.
    pub authorization_details: Option<crate::rar::Details>,
}

impl ValidAuthorization {
    /// Whether this is an OpenID Connect request.
    pub fn is_oidc(&self) -> bool {
        self.scope.contains("openid")
    }

    /// The level the user's authentication must reach: the strongest of what `acr_values` and
    /// the `claims` parameter's `acr` ask (each for the weakest level among its values this
    /// server defines), so the authentication meets both.
    pub fn requested_acr(&self) -> Option<Acr> {
        let from_claims = self.claims.acr.as_ref().and_then(crate::claims::AcrRequest::required);
        requested_level(self.acr_values.iter().map(String::as_str)).max(from_claims)
    }

    /// The `acr` claim for an authentication at `achieved`: when the `claims` parameter asked
    /// for `acr` values, the strongest of them it satisfies, so the claim is one of the
    /// requested values (OIDC Core §5.5.1.1); otherwise `achieved` itself.
    pub fn acr_claim(&self, achieved: Acr) -> Acr {
        self.claims.acr.as_ref().and_then(|a| a.reported(achieved)).unwrap_or(achieved)
    }

    /// What the user must consent to: the requested scope and the scopes that carry the claims
    /// requested with the `claims` parameter.
    pub fn consent_scope(&self) -> ScopeSet {
        self.claims.consent_scope(&self.scope)
    }
}

/// The weakest level among `acr_values` this server defines (`None` if it defines none).
fn requested_level<'a>(acr_values: impl IntoIterator<Item = &'a str>) -> Option<Acr> {
    acr_values.into_iter().filter_map(Acr::parse).min()
}

/// Why an authorization request was refused.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or redirect URI could not be verified: show an error page, never redirect.
    Page(OAuthError),
    /// Send the error to the verified redirect URI with `state` and `iss` (RFC 9207).
    Redirect {
        /// Where to.
        redirect_uri: String,
        /// How.
        response_mode: ResponseMode,
        /// The client's state, if any.
        state: Option<String>,
        /// The error.
        error: OAuthError,
    },
}

impl AuthorizeError {
    /// The OAuth error either way.
    pub fn error(&self) -> &OAuthError {
        match self {
            Self::Page(e) | Self::Redirect { error: e, .. } => e,
        }
    }
}

fn page(description: &'static str) -> AuthorizeError {
    AuthorizeError::Page(OAuthError::invalid_request(description))
}

/// Request-supplied text for the log, bounded.
fn bounded(text: &str) -> &str {
    let end = (0..=text.len().min(200)).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    text.get(..end).unwrap_or_default()
}

/// Validates an authorization request against the client it names (`None`: no such client in
/// this tenant). `params` are the query (GET) or form (POST) parameters.
pub fn validate(params: &Params, client: Option<&Client>) -> Result<ValidAuthorization, AuthorizeError> {
    // 1. The client and the redirect URI: failures here are never redirected.
    let client_id = params.get("client_id").ok_or_else(|| page("missing client_id"))?;
    let client = client.filter(|c| c.client_id.as_str() == client_id).ok_or_else(|| page("unknown client"))?;
    let wants_oidc = params.get("scope").is_some_and(|s| s.split(' ').any(|t| t == "openid"));
    let (redirect_uri, redirect_uri_sent) = match params.get("redirect_uri") {
        Some(r) if client.redirect_uris.iter().any(|u| u.matches(r)) => (r.to_owned(), true),
        Some(r) => {
            let registered: Vec<&str> = client.redirect_uris.iter().map(|u| u.as_str()).collect();
            return Err(AuthorizeError::Page(
                OAuthError::invalid_request("redirect_uri is not registered for this client").because(format!(
                    "redirect_uri_mismatch: {} is not one of the registered redirect URIs ({}); they are \
                     compared byte for byte",
                    bounded(r),
                    registered.join(", ")
                )),
            ));
        }
        // RFC 6749 §3.1.2.3: may be omitted when exactly one is registered; OIDC requires it.
        None => match client.redirect_uris.as_slice() {
            [only] if !wants_oidc => (only.as_str().to_owned(), false),
            _ => return Err(page("missing redirect_uri")),
        },
    };
    // 2. From here on, errors go back to the client.
    let state = params.get("state").map(str::to_owned);
    // An unsupported mode is refused below, answered in the default mode.
    let response_mode = ResponseMode::parse(params.get("response_mode")).unwrap_or(ResponseMode::Query);
    let fail = |code: ErrorCode, description: &'static str| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.clone(),
        response_mode,
        state: state.clone(),
        error: OAuthError::new(code, description),
    };
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return Err(fail(ErrorCode::InvalidRequest, "state is too long"));
    }
    if ResponseMode::parse(params.get("response_mode")).is_none() {
        return Err(fail(
            ErrorCode::InvalidRequest,
            "response_mode must be query, form_post, jwt, query.jwt or form_post.jwt",
        ));
    }
    match params.get("response_type") {
        None => return Err(fail(ErrorCode::InvalidRequest, "missing response_type")),
        Some("code") => {}
        // OAuth 2.1: no implicit and no hybrid flows.
        Some(_) => return Err(fail(ErrorCode::UnsupportedResponseType, "only response_type=code is supported")),
    }
    if !client.may_use(GrantType::AuthorizationCode) {
        return Err(fail(ErrorCode::UnauthorizedClient, "this client may not use the authorization code flow"));
    }
    if params.get("request").is_some() {
        return Err(fail(ErrorCode::InvalidRequest, "request objects are not supported (request_not_supported)"));
    }
    if params.get("request_uri").is_some() {
        return Err(fail(ErrorCode::InvalidRequest, "request_uri is not supported (request_uri_not_supported)"));
    }

    let scope = match params.get("scope") {
        Some(s) => ScopeSet::parse_space_separated(s).map_err(|_| fail(ErrorCode::InvalidScope, "malformed scope"))?,
        None => client.scopes.clone(),
    };
    if !scope.is_subset(&client.scopes) {
        return Err(fail(ErrorCode::InvalidScope, "the requested scope exceeds what this client may get"));
    }

    let code_challenge = match (params.get("code_challenge"), params.get("code_challenge_method")) {
        (None, None) => None,
        (Some(c), Some("S256")) => {
            Some(CodeChallenge::parse(c).ok_or_else(|| fail(ErrorCode::InvalidRequest, "malformed code_challenge"))?)
        }
        (Some(_), None | Some("plain")) | (None, Some("plain")) => {
            return Err(fail(ErrorCode::InvalidRequest, "code_challenge_method must be S256; plain is not allowed"));
        }
        (_, Some(_)) => return Err(fail(ErrorCode::InvalidRequest, "unsupported code_challenge_method")),
    };
    if code_challenge.is_none() && client.client_type == ClientType::Public {
        return Err(fail(ErrorCode::InvalidRequest, "public clients must use PKCE (code_challenge with S256)"));
    }

    let mut prompt = Prompt::default();
    if let Some(p) = params.get("prompt") {
        for value in p.split(' ').filter(|v| !v.is_empty()) {
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                "select_account" => prompt.select_account = true,
                "create" => prompt.create = true,
                _ => return Err(fail(ErrorCode::InvalidRequest, "unknown prompt value")),
            }
        }
        if prompt.none && (prompt.login || prompt.consent || prompt.select_account || prompt.create) {
            return Err(fail(ErrorCode::InvalidRequest, "prompt=none cannot be combined with other values"));
        }
    }
    let resources = resource_indicators(params).map_err(|d| fail(ErrorCode::InvalidTarget, d))?.to_vec();
    // RFC 9396 §2: well-formed here; the tenant's types are checked by the caller, which knows them.
    let authorization_details =
        params.get("authorization_details").map(crate::rar::Details::parse).transpose().map_err(|error| {
            AuthorizeError::Redirect { redirect_uri: redirect_uri.clone(), response_mode, state: state.clone(), error }
        })?;
    let max_age = params
        .get("max_age")
        .map(|m| {
            m.parse::<u64>().map_err(|_| fail(ErrorCode::InvalidRequest, "max_age must be a non-negative integer"))
        })
        .transpose()?;
    let nonce = params.get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) {
        return Err(fail(ErrorCode::InvalidRequest, "nonce is too long"));
    }
    let hint = |name: &str| -> Result<Option<String>, AuthorizeError> {
        match params.get(name) {
            Some(v) if v.len() > MAX_HINT => Err(fail(ErrorCode::InvalidRequest, "a hint parameter is too long")),
            v => Ok(v.map(str::to_owned)),
        }
    };
    let dpop_jkt = match params.get("dpop_jkt") {
        Some(j) if !is_jwk_thumbprint(j) => {
            return Err(fail(ErrorCode::InvalidRequest, "dpop_jkt must be a base64url SHA-256 JWK thumbprint"));
        }
        j => j.map(str::to_owned),
    };
    let (acr_values, login_hint, ui_locales, id_token_hint) =
        (hint("acr_values")?, hint("login_hint")?, hint("ui_locales")?, hint("id_token_hint")?);
    // OIDC Core §5.5: an OpenID Connect parameter; a plain OAuth request ignores it.
    let claims = match params.get("claims") {
        Some(raw) if scope.contains("openid") => {
            RequestedClaims::parse(raw, &client.scopes).map_err(|d| fail(ErrorCode::InvalidRequest, d))?
        }
        _ => RequestedClaims::default(),
    };
    if claims.acr_unmeetable() {
        return Err(fail(
            ErrorCode::UnmetAuthenticationRequirements,
            "none of the essential acr values is supported by this server",
        ));
    }
    let words = |v: Option<String>| {
        v.map(|s| s.split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
    };
    Ok(ValidAuthorization {
        client_id: client.client_id.clone(),
        redirect_uri,
        redirect_uri_sent,
        scope,
        state,
        nonce,
        code_challenge,
        response_mode,
        prompt,
        max_age,
        acr_values: words(acr_values),
        login_hint,
        ui_locales: words(ui_locales),
        id_token_hint,
        resources,
        dpop_jkt,
        claims,
        authorization_details,
    })
}

/// A JWK SHA-256 thumbprint (RFC 7638) in base64url without padding: 43 characters.
pub fn is_jwk_thumbprint(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `resource` parameters of a request that starts a grant (authorization, device
/// authorization): at most [`MAX_RESOURCES`], each a resource indicator. The error is the
/// `invalid_target` description.
pub fn resource_indicators(params: &Params) -> Result<&[String], &'static str> {
    let resources = params.all("resource");
    if resources.len() > MAX_RESOURCES {
        return Err("too many resource parameters");
    }
    if !resources.iter().all(|r| is_resource_indicator(r)) {
        return Err("resource must be an absolute URI without a fragment (RFC 8707)");
    }
    Ok(resources)
}

/// RFC 8707 §2: a resource indicator is an absolute URI without a fragment.
pub fn is_resource_indicator(value: &str) -> bool {
    value.len() <= 2048 && url::Url::parse(value).is_ok_and(|u| u.fragment().is_none())
}

/// The audiences an agent asks to be delegated: the `resource` parameters (RFC 8707) of its
/// request, each one the agent is allowed, or by default all it is allowed.
pub fn agent_audiences(client: &Client, requested: &[String]) -> Result<Vec<String>, &'static str> {
    let allowed = client.agent.as_ref().map(|a| a.allowed_audiences.clone()).unwrap_or_default();
    if requested.is_empty() {
        return Ok(allowed);
    }
    if requested.iter().all(|r| allowed.contains(r)) {
        Ok(requested.to_vec())
    } else {
        Err("this agent may not be given access to the requested resource")
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::client::AuthMethod;
    use ciam_core::id::TenantId;
    use ciam_core::redirect::RedirectUri;
    use time::macros::datetime;

    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client(kind: ClientType, uris: &[&str]) -> Client {
        Client {
            tenant_id: TenantId::parse("acme").unwrap(),
            client_id: ClientId::parse("app").unwrap(),
            name: "App".into(),
            client_type: kind,
            redirect_uris: uris.iter().map(|u| RedirectUri::parse(u).unwrap()).collect(),
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            token_endpoint_auth_method: if kind == ClientType::Public {
                AuthMethod::None
            } else {
                AuthMethod::ClientSecretBasic
            },
            scopes: ScopeSet::parse_space_separated("openid profile email offline_access").unwrap(),
            jwks_uri: None,
            jwks: None,
            require_pushed_authorization_requests: false,
            id_token_signed_response_alg: None,
            opaque_access_tokens: false,
            dpop_bound_access_tokens: false,
            agent: None,
            security_profile: None,
            token_exchange: None,
            require_signed_request_object: false,
            authorization_signed_response_alg: None,
            saml: None,
            backchannel: None,
            first_party: false,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn run(query: &str, c: &Client) -> Result<ValidAuthorization, AuthorizeError> {
        let params = Params::parse(query.as_bytes()).map_err(AuthorizeError::Page)?;
        validate(&params, Some(c))
    }

    const CB: &str = "redirect_uri=https%3A%2F%2Fapp.example%2Fcb";

    #[test]
    fn a_complete_request_is_accepted_with_everything_kept() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        let q = format!(
            "client_id=app&{CB}&response_type=code&scope=profile+openid&state=s%20t&nonce=n&code_challenge={CHALLENGE}\
             &code_challenge_method=S256&prompt=login+consent&max_age=0&acr_values=urn:a%20urn:b&ui_locales=de+en\
             &login_hint=ada%40example.com&display=popup&claims=%7B%7D&extra=foobar\
             &resource=https%3A%2F%2Fapi.example%2Fv1&resource=urn%3Aexample%3Atrips"
        );
        let v = run(&q, &c).unwrap();
        assert_eq!(v.redirect_uri, "https://app.example/cb");
        assert!(v.redirect_uri_sent && v.is_oidc());
        assert_eq!(v.state.as_deref(), Some("s t"), "state is echoed exactly");
        assert_eq!(v.scope.to_string(), "openid profile", "order does not matter (C12)");
        assert_eq!(v.code_challenge.unwrap().as_str(), CHALLENGE);
        assert!(v.prompt.login && v.prompt.consent && !v.prompt.none);
        assert_eq!(v.max_age, Some(0));
        assert_eq!(v.acr_values, ["urn:a", "urn:b"]);
        assert_eq!(v.ui_locales, ["de", "en"]);
        assert_eq!(v.login_hint.as_deref(), Some("ada@example.com"));
        assert_eq!(v.response_mode, ResponseMode::Query);
        assert_eq!(v.resources, ["https://api.example/v1", "urn:example:trips"], "RFC 8707, in request order");
        let minimal = run(&format!("client_id=app&{CB}&response_type=code&scope=openid"), &c).unwrap();
        assert!(
            minimal.nonce.is_none() && minimal.code_challenge.is_none(),
            "nonce and PKCE optional for confidential (C10)"
        );
    }

    /// Errors before the redirect URI is verified are pages (S02, C24-C26, standards Appendix 1).
    #[test]
    fn unverified_client_or_redirect_never_redirects() {
        let c = client(ClientType::Confidential, &["https://app.example/cb", "https://app.example/cb2"]);
        let one = client(ClientType::Confidential, &["https://app.example/cb"]);
        for (q, c) in [
            ("response_type=code", &c),
            ("client_id=ghost&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", &c),
            ("client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", &c),
            ("client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Ffoo%3Dbar", &c),
            ("client_id=app&response_type=code&redirect_uri=http%3A%2F%2Fapp.example%2Fcb", &c),
            ("client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%2F", &c),
            ("client_id=app&response_type=code", &c),
            ("client_id=app&response_type=code&scope=openid", &one),
            ("client_id=app&client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", &c),
        ] {
            match run(q, c) {
                Err(AuthorizeError::Page(e)) => assert_eq!(e.code, ErrorCode::InvalidRequest, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        let defaulted = run("client_id=app&response_type=code&scope=profile", &one).unwrap();
        assert!(!defaulted.redirect_uri_sent, "plain OAuth may omit redirect_uri with one registration");
    }

    #[test]
    fn errors_after_verification_redirect_with_state() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        let public = client(ClientType::Public, &["https://app.example/cb"]);
        let cases: Vec<(String, &Client, ErrorCode)> = vec![
            (format!("client_id=app&{CB}&state=x"), &c, ErrorCode::InvalidRequest),
            (format!("client_id=app&{CB}&state=x&response_type=token"), &c, ErrorCode::UnsupportedResponseType),
            (format!("client_id=app&{CB}&state=x&response_type=code+id_token"), &c, ErrorCode::UnsupportedResponseType),
            (format!("client_id=app&{CB}&state=x&response_type=code&scope=admin"), &c, ErrorCode::InvalidScope),
            (format!("client_id=app&{CB}&state=x&response_type=code&scope=a%22b"), &c, ErrorCode::InvalidScope),
            (
                format!(
                    "client_id=app&{CB}&state=x&response_type=code&code_challenge={CHALLENGE}&code_challenge_method=plain"
                ),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (
                format!("client_id=app&{CB}&state=x&response_type=code&code_challenge={CHALLENGE}"),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (
                format!(
                    "client_id=app&{CB}&state=x&response_type=code&code_challenge=short&code_challenge_method=S256"
                ),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (format!("client_id=app&{CB}&state=x&response_type=code"), &public, ErrorCode::InvalidRequest),
            (format!("client_id=app&{CB}&state=x&response_type=code&prompt=none+login"), &c, ErrorCode::InvalidRequest),
            (format!("client_id=app&{CB}&state=x&response_type=code&prompt=sometimes"), &c, ErrorCode::InvalidRequest),
            (
                format!("client_id=app&{CB}&state=x&response_type=code&prompt=none+create"),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (format!("client_id=app&{CB}&state=x&response_type=code&max_age=-1"), &c, ErrorCode::InvalidRequest),
            (
                format!("client_id=app&{CB}&state=x&response_type=code&nonce={}", "n".repeat(513)),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (
                format!("client_id=app&{CB}&state=x&response_type=code&response_mode=fragment"),
                &c,
                ErrorCode::InvalidRequest,
            ),
            (format!("client_id=app&{CB}&state=x&response_type=code&request=eyJ"), &c, ErrorCode::InvalidRequest),
            (
                format!("client_id=app&{CB}&state=x&response_type=code&resource=https%3A%2F%2Fapi%2F%23frag"),
                &c,
                ErrorCode::InvalidTarget,
            ),
            (format!("client_id=app&{CB}&state=x&response_type=code&resource=%2Fapi"), &c, ErrorCode::InvalidTarget),
            (
                format!(
                    "client_id=app&{CB}&state=x&response_type=code{}",
                    (0..9).map(|i| format!("&resource=https%3A%2F%2Fapi{i}")).collect::<String>()
                ),
                &c,
                ErrorCode::InvalidTarget,
            ),
            (format!("client_id=app&{CB}&state=x&response_type=code&request_uri=urn:x"), &c, ErrorCode::InvalidRequest),
        ];
        for (q, c, want) in cases {
            match run(&q, c) {
                Err(AuthorizeError::Redirect { redirect_uri, state, error, .. }) => {
                    assert_eq!(error.code, want, "{q}");
                    assert_eq!(redirect_uri, "https://app.example/cb");
                    assert_eq!(state.as_deref(), Some("x"), "{q}: state is echoed (S03)");
                }
                other => panic!("{q}: {other:?}"),
            }
        }
        let mut no_code_grant = c.clone();
        no_code_grant.grant_types = vec![GrantType::ClientCredentials];
        let e = run(&format!("client_id=app&{CB}&response_type=code"), &no_code_grant).unwrap_err();
        assert_eq!(e.error().code, ErrorCode::UnauthorizedClient);
    }

    /// JARM §2.3: `jwt` is `query.jwt` for `code`; `fragment.jwt` is not offered.
    #[test]
    fn jwt_response_modes_are_recognized_and_errors_use_them() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        for (mode, want) in [
            ("jwt", ResponseMode::QueryJwt),
            ("query.jwt", ResponseMode::QueryJwt),
            ("form_post.jwt", ResponseMode::FormPostJwt),
            ("form_post", ResponseMode::FormPost),
            ("query", ResponseMode::Query),
        ] {
            let v = run(&format!("client_id=app&{CB}&response_type=code&response_mode={mode}"), &c).unwrap();
            assert_eq!(v.response_mode, want, "{mode}");
            assert_eq!(v.response_mode.is_jwt(), mode.ends_with("jwt"));
            match run(&format!("client_id=app&{CB}&response_type=token&response_mode={mode}"), &c) {
                Err(AuthorizeError::Redirect { response_mode, .. }) => assert_eq!(response_mode, want, "{mode}"),
                other => panic!("{mode}: {other:?}"),
            }
        }
        for mode in ["fragment.jwt", "jwt.query", "fragment"] {
            match run(&format!("client_id=app&{CB}&response_type=code&response_mode={mode}"), &c) {
                Err(AuthorizeError::Redirect { response_mode, error, .. }) => {
                    assert_eq!(error.code, ErrorCode::InvalidRequest);
                    assert_eq!(response_mode, ResponseMode::Query, "{mode}: answered in the default mode");
                }
                other => panic!("{mode}: {other:?}"),
            }
        }
        assert_eq!(ResponseMode::FormPostJwt.delivery(), Delivery::FormPost);
        assert_eq!(ResponseMode::QueryJwt.delivery(), Delivery::Query);
    }

    fn claims_query(claims: &str) -> String {
        let claims: String = url::form_urlencoded::byte_serialize(claims.as_bytes()).collect();
        format!("client_id=app&{CB}&response_type=code&scope=openid&state=x&claims={claims}")
    }

    /// OIDC Core §5.5: the `claims` parameter of an OpenID Connect request is parsed against
    /// what the client may have; a malformed one is `invalid_request` at the redirect URI.
    #[test]
    fn the_claims_parameter_is_validated_and_bounded_by_the_client_oidc_5_5() {
        let mut c = client(ClientType::Confidential, &["https://app.example/cb"]);
        c.scopes = ScopeSet::parse_space_separated("openid email").unwrap();
        let v = run(&claims_query(r#"{"id_token":{"email":null,"name":null},"userinfo":{"email_verified":null}}"#), &c)
            .unwrap();
        assert_eq!(v.claims.id_token.iter().collect::<Vec<_>>(), ["email"], "name needs profile, not allowed");
        assert_eq!(v.claims.userinfo.iter().collect::<Vec<_>>(), ["email_verified"]);
        assert_eq!(v.scope.to_string(), "openid", "the granted scope stays as requested");
        assert_eq!(v.consent_scope().to_string(), "email openid", "consent covers the claims' scope");

        for bad in [r#"["email"]"#, r#"{"id_token":"email"}"#, r#"{"userinfo":{"email":{"values":"x"}}}"#, "{"] {
            match run(&claims_query(bad), &c) {
                Err(AuthorizeError::Redirect { error, state, .. }) => {
                    assert_eq!(error.code, ErrorCode::InvalidRequest, "{bad}");
                    assert_eq!(state.as_deref(), Some("x"));
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        // A plain OAuth request does not know the parameter: ignored, even malformed.
        let plain = run(&format!("client_id=app&{CB}&response_type=code&scope=email&claims=%5B"), &c).unwrap();
        assert_eq!(plain.claims, RequestedClaims::default());
    }

    /// OIDC Core §5.5.1.1: an essential `acr` this server cannot produce is refused with
    /// `unmet_authentication_requirements`; a voluntary one is ignored like unknown `acr_values`.
    #[test]
    fn an_essential_acr_nobody_can_meet_is_refused_at_the_redirect_uri() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        let unmet = run(&claims_query(r#"{"id_token":{"acr":{"essential":true,"values":["urn:x:gold"]}}}"#), &c);
        match unmet {
            Err(AuthorizeError::Redirect { error, state, redirect_uri, .. }) => {
                assert_eq!(error.code, ErrorCode::UnmetAuthenticationRequirements);
                assert_eq!((state.as_deref(), redirect_uri.as_str()), (Some("x"), "https://app.example/cb"));
            }
            other => panic!("{other:?}"),
        }
        let voluntary = run(&claims_query(r#"{"id_token":{"acr":{"values":["urn:x:gold"]}}}"#), &c).unwrap();
        assert_eq!(voluntary.requested_acr(), None);
        assert_eq!(voluntary.acr_claim(Acr::MultiFactor), Acr::MultiFactor, "the level reached");
    }

    /// The level to reach is the strongest of `acr_values` and the claims' `acr`; the `acr`
    /// reported is one of the claims' values when it named any.
    #[test]
    fn acr_from_claims_and_acr_values_combine_oidc_5_5_1_1() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        let mfa = r#"{"id_token":{"acr":{"essential":true,"values":["urn:ciam:acr:mfa","urn:ciam:acr:phr"]}}}"#;
        let v = run(&claims_query(mfa), &c).unwrap();
        assert_eq!(v.requested_acr(), Some(Acr::MultiFactor));
        assert_eq!(v.acr_claim(Acr::MultiFactor), Acr::MultiFactor);
        assert_eq!(v.acr_claim(Acr::PhishingResistant), Acr::PhishingResistant);
        let both = run(&format!("{}&acr_values=urn:ciam:acr:phr", claims_query(mfa)), &c).unwrap();
        assert_eq!(both.requested_acr(), Some(Acr::PhishingResistant), "both requests are met");
        let weaker = run(&format!("{}&acr_values=urn:ciam:acr:pwd", claims_query(mfa)), &c).unwrap();
        assert_eq!(weaker.requested_acr(), Some(Acr::MultiFactor));
        let pwd = run(&claims_query(r#"{"id_token":{"acr":{"value":"urn:ciam:acr:pwd"}}}"#), &c).unwrap();
        assert_eq!(pwd.acr_claim(Acr::PhishingResistant), Acr::Password, "a requested value, never another");
        let plain = run(&format!("client_id=app&{CB}&response_type=code&acr_values=urn:ciam:acr:mfa"), &c).unwrap();
        assert_eq!(plain.requested_acr(), Some(Acr::MultiFactor));
        assert_eq!(plain.acr_claim(Acr::PhishingResistant), Acr::PhishingResistant, "acr_values: the level reached");
    }

    #[test]
    fn long_values_round_trip_or_fail_cleanly_c40() {
        let c = client(ClientType::Confidential, &["https://app.example/cb"]);
        let v = run(
            &format!("client_id=app&{CB}&response_type=code&nonce={}&state={}", "n".repeat(384), "s".repeat(2000)),
            &c,
        )
        .unwrap();
        assert_eq!(v.nonce.unwrap().len(), 384);
        assert_eq!(v.state.unwrap().len(), 2000);
        let e = run(&format!("client_id=app&{CB}&response_type=code&state={}", "s".repeat(5000)), &c).unwrap_err();
        assert!(matches!(e, AuthorizeError::Redirect { .. }));
    }

    #[test]
    fn loopback_redirects_may_change_port_for_native_apps_rfc8252() {
        let c = client(ClientType::Public, &["http://127.0.0.1/cb"]);
        let q = format!(
            "client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A53123%2Fcb&response_type=code&code_challenge={CHALLENGE}&code_challenge_method=S256"
        );
        assert_eq!(run(&q, &c).unwrap().redirect_uri, "http://127.0.0.1:53123/cb");
    }
}
