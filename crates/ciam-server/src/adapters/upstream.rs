//! The relying-party side of a sign-in through an upstream OpenID Connect provider: discovery
//! (cached five minutes per issuer), the token request, the ID token's signature against the
//! upstream's JWK Set (cached, fetched again once on an unknown `kid`), and the userinfo call.
//! Every request goes through the SSRF-guarded outbound client (`outbound`): https only and
//! public addresses only unless the node allows private networks, no redirects, 3-second
//! timeout, bounded bodies.
//!
//! The rules about what the ID token must say are the engine's (`ciam_authn::federation`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ciam_core::federation::ProviderKind;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::outbound::{FetchError, JwksFetcher, guarded_get, guarded_send};

const FRESH_FOR: Duration = Duration::from_secs(300);
const MAX_DOCUMENT: usize = 64 * 1024;

/// Why a call to an upstream failed (logged; the person sees that the sign-in with the provider
/// failed, and the audit trail has this text).
#[derive(Debug, thiserror::Error)]
pub(crate) enum UpstreamCallError {
    /// The network call failed or was refused by the guards.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The answer was not what the protocol says.
    #[error("{0}")]
    Protocol(String),
}

fn protocol(what: impl Into<String>) -> UpstreamCallError {
    UpstreamCallError::Protocol(what.into())
}

/// The parts of an upstream's discovery document (OpenID Connect Discovery 1.0 §3) a sign-in uses.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Discovery {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: url::Url,
    pub(crate) token_endpoint: url::Url,
    /// Absent for an OAuth 2.0 provider without ID tokens (GitHub).
    #[serde(default)]
    pub(crate) jwks_uri: Option<url::Url>,
    #[serde(default)]
    pub(crate) userinfo_endpoint: Option<url::Url>,
    /// RFC 9207: the upstream sends `iss` with its authorization responses.
    #[serde(default)]
    pub(crate) authorization_response_iss_parameter_supported: bool,
}

/// The upstream's token response (RFC 6749 §5.1; OIDC Core §3.1.3.3).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) id_token: Option<String>,
    pub(crate) access_token: Option<String>,
}

/// How ciam authenticates at the token endpoint.
pub(crate) enum ClientCredential {
    /// HTTP Basic with the secret.
    Basic { client_id: String, secret: String },
    /// The secret in the body.
    Post { client_id: String, secret: String },
    /// A signed client assertion (RFC 7523 §2.2).
    Assertion { client_id: String, assertion: String },
}

impl ClientCredential {
    /// The client id (what the logs may name; never the secret or the assertion).
    fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. } | Self::Post { client_id, .. } | Self::Assertion { client_id, .. } => {
                client_id
            }
        }
    }
}

/// The node's upstream calls.
pub(crate) struct Upstreams {
    jwks: Arc<JwksFetcher>,
    discovery: Mutex<HashMap<String, (Instant, Arc<Discovery>)>>,
}

impl Upstreams {
    /// Calls through the node's guarded client (the one that fetches clients' JWK Sets).
    pub(crate) fn new(jwks: Arc<JwksFetcher>) -> Self {
        Self { jwks, discovery: Mutex::new(HashMap::new()) }
    }

    fn allow_private(&self) -> bool {
        self.jwks.allows_private()
    }

    /// The endpoints of a provider: from its discovery document, or GitHub's fixed ones (on
    /// github.com, or a GitHub Enterprise Server at `issuer`).
    pub(crate) async fn endpoints(
        &self,
        kind: ProviderKind,
        issuer: &str,
    ) -> Result<Arc<Discovery>, UpstreamCallError> {
        if kind.is_oidc() {
            return self.discover(kind, issuer).await;
        }
        let at =
            |path: &str| url::Url::parse(&format!("{issuer}{path}")).map_err(|_| protocol("the issuer is not a URL"));
        Ok(Arc::new(Discovery {
            issuer: issuer.to_owned(),
            authorization_endpoint: at("/login/oauth/authorize")?,
            token_endpoint: at("/login/oauth/access_token")?,
            jwks_uri: None,
            userinfo_endpoint: None,
            authorization_response_iss_parameter_supported: false,
        }))
    }

    /// GitHub's account (`GET /user`) and verified addresses (`GET /user/emails`; none when the
    /// token may not read them).
    pub(crate) async fn github(
        &self,
        issuer: &str,
        access_token: &str,
    ) -> Result<(Map<String, Value>, Vec<Value>), UpstreamCallError> {
        let api = if issuer == "https://github.com" {
            "https://api.github.com".to_owned()
        } else {
            format!("{issuer}/api/v3")
        };
        let get = |path: &str| -> Result<(url::Url, reqwest::RequestBuilder), UpstreamCallError> {
            let url = url::Url::parse(&format!("{api}{path}")).map_err(|_| protocol("the API address is not a URL"))?;
            let request = self
                .jwks
                .client()
                .get(url.clone())
                .bearer_auth(access_token)
                .header(reqwest::header::ACCEPT, "application/vnd.github+json")
                .header(reqwest::header::USER_AGENT, "ciam")
                .header("x-github-api-version", "2022-11-28");
            Ok((url, request))
        };
        let (url, request) = get("/user")?;
        let fetched = guarded_send(&url, request, self.allow_private(), MAX_DOCUMENT).await?;
        let user: Map<String, Value> =
            serde_json::from_slice(&fetched.body).map_err(|_| protocol("GitHub's user API answered something else"))?;
        let (url, request) = get("/user/emails")?;
        let emails = match guarded_send(&url, request, self.allow_private(), MAX_DOCUMENT).await {
            Ok(f) => serde_json::from_slice::<Vec<Value>>(&f.body).unwrap_or_default(),
            Err(e) => {
                tracing::info!(error = %e, "GitHub's emails API gave no addresses (the user:email scope may be missing)");
                Vec::new()
            }
        };
        Ok((user, emails))
    }

    /// Asks a tenant's old system whether a password is right (`services::legacy`): `Some` with
    /// the user's claims when it is, `None` when it is not; an error for anything but a `200`
    /// with `{"valid": …}`.
    pub(crate) async fn legacy_password_check(
        &self,
        url: &str,
        bearer: &str,
        body: String,
    ) -> Result<Option<Map<String, Value>>, UpstreamCallError> {
        let url = url::Url::parse(url).map_err(|_| protocol("the URL is not valid"))?;
        let request = self
            .jwks
            .client()
            .post(url.clone())
            .bearer_auth(bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body);
        let fetched = guarded_send(&url, request, self.allow_private(), MAX_DOCUMENT).await?;
        let answer: Value = serde_json::from_slice(&fetched.body).map_err(|_| protocol("the answer is not JSON"))?;
        match answer.get("valid").and_then(Value::as_bool) {
            Some(true) => Ok(Some(answer.get("user").and_then(Value::as_object).cloned().unwrap_or_default())),
            Some(false) => Ok(None),
            None => Err(protocol("the answer has no boolean `valid`")),
        }
    }

    /// A SAML identity provider's metadata document at `url` (256 KiB at most).
    pub(crate) async fn saml_metadata(&self, url: &str) -> Result<String, UpstreamCallError> {
        let url = url::Url::parse(url).map_err(|_| protocol("the URL is not valid"))?;
        let accept = "application/samlmetadata+xml, application/xml, text/xml";
        let fetched = guarded_get(self.jwks.client(), url, self.allow_private(), 256 * 1024, accept).await?;
        String::from_utf8(fetched.body).map_err(|_| protocol("the metadata is not UTF-8"))
    }

    /// The discovery document of `issuer`, from the cache when fresh. Its `issuer` must be the
    /// one configured (Discovery §4.3), except for Microsoft's multi-tenant endpoints, whose
    /// document names the template `…/{tenantid}/v2.0`.
    pub(crate) async fn discover(&self, kind: ProviderKind, issuer: &str) -> Result<Arc<Discovery>, UpstreamCallError> {
        if let Some((at, d)) = self.discovery.lock().unwrap_or_else(PoisonError::into_inner).get(issuer)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(d.clone());
        }
        let url = url::Url::parse(&format!("{issuer}/.well-known/openid-configuration"))
            .map_err(|_| protocol("the issuer is not a URL"))?;
        let fetched =
            guarded_get(self.jwks.client(), url, self.allow_private(), MAX_DOCUMENT, "application/json").await?;
        let doc: Discovery = serde_json::from_slice(&fetched.body)
            .map_err(|e| protocol(format!("the discovery document is not valid: {e}")))?;
        let multi_tenant = kind == ProviderKind::Microsoft && doc.issuer.contains("{tenantid}");
        if doc.issuer.trim_end_matches('/') != issuer && !multi_tenant {
            return Err(protocol(format!("the discovery document names another issuer: {:?}", doc.issuer)));
        }
        let doc = Arc::new(doc);
        self.discovery
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(issuer.to_owned(), (Instant::now(), doc.clone()));
        Ok(doc)
    }

    /// Redeems `code` at the token endpoint (with the PKCE verifier and the redirect URI).
    pub(crate) async fn redeem(
        &self,
        discovery: &Discovery,
        credential: &ClientCredential,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse, UpstreamCallError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        let mut request = self.jwks.client().post(discovery.token_endpoint.clone());
        match credential {
            ClientCredential::Basic { client_id, secret } => {
                // RFC 6749 §2.3.1: both parts form-encoded before Basic.
                let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                request = request.basic_auth(enc(client_id), Some(enc(secret)));
            }
            ClientCredential::Post { client_id, secret } => {
                form.push(("client_id", client_id));
                form.push(("client_secret", secret));
            }
            ClientCredential::Assertion { client_id, assertion } => {
                form.push(("client_id", client_id));
                form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
                form.push(("client_assertion", assertion));
            }
        }
        let request = request.header(reqwest::header::ACCEPT, "application/json").form(&form);
        let fetched = guarded_send(&discovery.token_endpoint, request, self.allow_private(), MAX_DOCUMENT)
            .await
            .map_err(|e| protocol(format!("the token request of client {:?} failed: {e}", credential.client_id())))?;
        let response: TokenResponse =
            serde_json::from_slice(&fetched.body).map_err(|_| protocol("the token response is not valid"))?;
        Ok(response)
    }

    /// Verifies the ID token's signature with the upstream's keys: those cached, then (for a key
    /// the cache does not know) those fetched again. Returns its claims for the engine to check.
    pub(crate) async fn verify_signature(
        &self,
        discovery: &Discovery,
        id_token: &str,
    ) -> Result<Map<String, Value>, UpstreamCallError> {
        // The asymmetric algorithms clients may sign with here; `none` and HMAC are never
        // accepted, and an access token (`typ: at+jwt`) does not pass as an ID token.
        use ciam_jose::jwt::{CLIENT_ALGS, verify_with_jwk_set};
        const NOT_ID_TOKENS: [&str; 2] = ["at+jwt", "dpop+jwt"];
        let uri = discovery.jwks_uri.as_ref().ok_or_else(|| protocol("the provider publishes no jwks_uri"))?.as_str();
        let jwks = self.jwks.get(uri, false).await?;
        match verify_with_jwk_set(id_token, &jwks, &CLIENT_ALGS, &NOT_ID_TOKENS) {
            Err(ciam_jose::JwtError::UnknownKey) => {
                let fresh = self.jwks.get(uri, true).await?;
                verify_with_jwk_set(id_token, &fresh, &CLIENT_ALGS, &NOT_ID_TOKENS)
            }
            other => other,
        }
        .map_err(|e| protocol(format!("the ID token was refused: {e}")))
    }

    /// The userinfo response (OIDC Core §5.3), whose `sub` must be the ID token's.
    pub(crate) async fn userinfo(
        &self,
        discovery: &Discovery,
        access_token: &str,
        subject: &str,
    ) -> Result<Map<String, Value>, UpstreamCallError> {
        let Some(endpoint) = &discovery.userinfo_endpoint else { return Ok(Map::new()) };
        let request = self
            .jwks
            .client()
            .get(endpoint.clone())
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json");
        let fetched = guarded_send(endpoint, request, self.allow_private(), MAX_DOCUMENT).await?;
        let claims: Map<String, Value> = serde_json::from_slice(&fetched.body)
            .map_err(|_| protocol("the userinfo response is not a JSON object (signed responses are not supported)"))?;
        if claims.get("sub").and_then(Value::as_str) != Some(subject) {
            return Err(protocol("the userinfo response is about another subject"));
        }
        Ok(claims)
    }
}
