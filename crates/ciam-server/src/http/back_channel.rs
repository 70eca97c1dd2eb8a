//! Back-channel requests (token, introspection, revocation, PAR, device authorization): the
//! form body and the authenticated client, extracted once for every endpoint.
//!
//! At the introspection endpoint, and only there, the caller may also be a registered resource
//! with credentials of its own: it authenticates as the client `resource.{id}`
//! ([`ciam_core::resource::Resource::client_id`]). Elsewhere that name is no client, so a
//! resource is refused like an unknown client (`invalid_client`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use ciam_core::client::{Client, SecurityProfile};
use ciam_core::id::TenantId;
use ciam_core::keyspace::{self, Replay, Use};
use ciam_core::resource::{Resource, resource_of_client_id};
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_oauth::client_auth::{ASSERTION_SKEW_SECS, authenticate, check_assertion_claims, presented};
use ciam_oauth::form::Params;
use ciam_oauth::{ErrorCode, OAuthError};

use super::extract::{Path, caller_of, tenant_record};
use crate::audit::Caller;
use crate::error::{ClientAuthFailure, UnreadableForm};
use crate::state::AppState;

/// A back-channel request whose client authenticated: the tenant, the client, and the form
/// parameters (client credentials removed).
pub(crate) struct BackChannel {
    pub(crate) tenant: TenantId,
    /// The namespace of the tenant's short-lived state.
    pub(crate) ns: TenantNs,
    pub(crate) client: Arc<Client>,
    pub(crate) params: Params,
    /// The raw form body (PAR stores the request as sent).
    pub(crate) body: Bytes,
    /// Where the request came from, for the audit trail.
    pub(crate) caller: Caller,
    /// The `DPoP` proof header, if one was sent (RFC 9449 §4).
    pub(crate) dpop: Option<String>,
    /// The public URL of the endpoint called (a proof's `htu`, an assertion's audience).
    pub(crate) endpoint: String,
    /// The tenant's record, as read for this request (its settings).
    pub(crate) record: Arc<Tenant>,
    /// The profile the client is held to: its own, else the tenant's default.
    pub(crate) profile: SecurityProfile,
    /// The thumbprint of the client certificate a trusted proxy forwarded (RFC 8705), if any.
    pub(crate) certificate: Option<String>,
    /// The registered resource the caller is, when a resource authenticated (introspection only);
    /// `client` is then the client it authenticated as, which may obtain nothing.
    pub(crate) resource: Option<Arc<Resource>>,
}

impl FromRequest<AppState> for BackChannel {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Path(tenant) =
            Path::<String>::from_request_parts(&mut parts, st).await.map_err(IntoResponse::into_response)?;
        let record = tenant_record(st, &tenant).await.map_err(IntoResponse::into_response)?;
        let (tenant, ns) = (record.id.clone(), record.ns());
        // The URL of the endpoint being called: an accepted audience of client assertions.
        let endpoint = format!("{}{}", st.node.public_url, parts.uri.path());
        // Only the introspection endpoint accepts a resource's own credentials.
        let resources_accepted = parts.uri.path().ends_with("/introspect");
        let headers = parts.headers.clone();
        let caller = caller_of(&parts, &st.node.trusted_proxies);
        let certificate = super::client_certificate(&parts, &st.node);
        let body = Bytes::from_request(Request::from_parts(parts, body), st)
            .await
            .map_err(|e| UnreadableForm(e).into_response())?;
        let authenticated = async {
            let mut params = form(&headers, &body)?;
            let dpop = dpop_proof(&headers)?;
            let door = Door { endpoint: &endpoint, resources_accepted };
            let (client, resource) = authenticated_client(st, &record, &headers, &mut params, door, &caller).await?;
            Ok::<_, Unauthenticated>((client, resource, params, dpop))
        };
        match authenticated.await {
            Ok((client, resource, params, dpop)) => {
                let profile = client.profile(&record.settings);
                Ok(Self {
                    tenant,
                    ns,
                    client,
                    params,
                    body,
                    caller,
                    dpop,
                    endpoint,
                    record,
                    profile,
                    certificate,
                    resource,
                })
            }
            Err(HeldOff(wait)) => {
                let e = OAuthError::new(
                    ErrorCode::SlowDown,
                    "too many failed client authentications from this address; retry later",
                );
                Err(crate::error::HoldOff::after(wait).oauth(e))
            }
            Err(Refused(error)) => {
                let tried_authorization_header = headers.contains_key(header::AUTHORIZATION);
                Err(ClientAuthFailure { error, tried_authorization_header }.into_response())
            }
        }
    }
}

/// Why a back-channel request was not authenticated.
enum Unauthenticated {
    /// The address failed too often (see [`crate::services::throttle::ClientAuthLimiter`]): 429.
    HeldOff(std::time::Duration),
    /// An RFC 6749 error.
    Refused(OAuthError),
}
use Unauthenticated::{HeldOff, Refused};

impl From<OAuthError> for Unauthenticated {
    fn from(e: OAuthError) -> Self {
        Refused(e)
    }
}

/// The `DPoP` header of a request: at most one (RFC 9449 §4.3 step 1).
pub(crate) fn dpop_proof(headers: &HeaderMap) -> Result<Option<String>, OAuthError> {
    let invalid = |description| OAuthError::new(ErrorCode::InvalidDpopProof, description);
    let mut all = headers.get_all("dpop").iter();
    let first = all.next();
    if all.next().is_some() {
        return Err(invalid("send one DPoP proof"));
    }
    first.map(|v| v.to_str().map(str::to_owned).map_err(|_| invalid("the DPoP proof is not a JWT"))).transpose()
}

/// Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2).
fn form(headers: &HeaderMap, body: &Bytes) -> Result<Params, OAuthError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request("send parameters as application/x-www-form-urlencoded"));
    }
    Params::parse(body)
}

/// The endpoint a back-channel request came to.
#[derive(Clone, Copy)]
struct Door<'a> {
    /// Its public URL.
    endpoint: &'a str,
    /// Whether a registered resource may authenticate here (introspection).
    resources_accepted: bool,
}

/// The client that authenticated, and the resource it is when a resource authenticated.
type Authenticated = (Arc<Client>, Option<Arc<Resource>>);

/// Authenticates the calling client of a token, introspection or revocation request.
async fn authenticated_client(
    st: &AppState,
    record: &Tenant,
    headers: &HeaderMap,
    params: &mut Params,
    door: Door<'_>,
    caller: &Caller,
) -> Result<Authenticated, Unauthenticated> {
    let endpoint = door.endpoint;
    let ns = record.ns();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let who = presented(authorization, params)?;
    // Every later line of this request's log names the client it claims to be.
    tracing::Span::current().record("client_id", who.client_id.as_str());
    let limiter = &st.client_auth;
    if let Some(wait) = limiter.held_off(&ns, who.client_id.as_str(), caller.addr()) {
        return Err(HeldOff(wait));
    }
    match verified_client(st, record, &who, door).await {
        // A suspended agent authenticates nowhere; its attempt is audited, naming it.
        Ok((client, _)) if !client.is_enabled() => {
            refused_suspended(st, record, &client, params, endpoint, caller).await?;
            limiter
                .failed(st.ephemeral.as_ref(), &ns, who.client_id.as_str(), caller.addr())
                .await
                .map_err(OAuthError::from)?;
            Err(Refused(OAuthError::client_refused(SUSPENDED)))
        }
        Err(e) if e.code == ErrorCode::InvalidClient => {
            refused_client(st, record, &who, &e, caller).await?;
            limiter
                .failed(st.ephemeral.as_ref(), &ns, who.client_id.as_str(), caller.addr())
                .await
                .map_err(OAuthError::from)?;
            Err(Refused(e))
        }
        other => Ok(other?),
    }
}

/// The reason recorded for a suspended agent's attempt.
const SUSPENDED: &str = "agent_suspended: the agent is suspended";

/// Audits a failed client authentication as `client.refused`, naming the client id the request
/// claimed (it may not exist) and the specific reason, so an admin finds it by client and time.
/// The caller's address is held off after repeated failures, which bounds how many such events
/// one address can write.
async fn refused_client(
    st: &AppState,
    record: &Tenant,
    who: &ciam_oauth::client_auth::Presented,
    e: &OAuthError,
    caller: &Caller,
) -> Result<(), OAuthError> {
    let mut event =
        ciam_core::audit::AuditRecord::deny("client.refused", format!("{}: {}", e.code.as_str(), e.reason()));
    event.client_id = Some(who.client_id.to_string());
    crate::audit::record(st, &record.id, caller, event).await.map_err(OAuthError::unavailable)
}

/// Audits the attempt of a client that proved who it is but may not act (a suspended agent):
/// `token.refused` at the token endpoint (with the user and actor chain of a token exchange),
/// `client.refused` elsewhere.
async fn refused_suspended(
    st: &AppState,
    record: &Tenant,
    client: &Client,
    params: &Params,
    endpoint: &str,
    caller: &Caller,
) -> Result<(), OAuthError> {
    let at_token = endpoint.ends_with("/token");
    let kind = if at_token { "token.refused" } else { "client.refused" };
    let mut event = ciam_core::audit::AuditRecord::deny(kind, format!("invalid_client: {SUSPENDED}"));
    event.client_id = Some(client.client_id.to_string());
    if at_token {
        event.scope = params.get("scope").map(str::to_owned);
        st.issuance.attribute_refusal(&record.id, &client.client_id, params, &mut event).await;
    }
    crate::audit::record(st, &record.id, caller, event).await.map_err(OAuthError::unavailable)
}

/// The client `who` claims to be, if its credentials prove it (a suspended agent too: the
/// caller refuses it); with the resource it is, when a resource authenticated.
async fn verified_client(
    st: &AppState,
    record: &Tenant,
    who: &ciam_oauth::client_auth::Presented,
    door: Door<'_>,
) -> Result<Authenticated, OAuthError> {
    let tenant = &record.id;
    let endpoint = door.endpoint;
    let mut resource = None;
    let (client, secret) = if who.client_id.is_metadata_document() {
        (crate::adapters::metadata_documents::resolve(st, record, &who.client_id).await?.map(Arc::new), None)
    } else if let Some(id) = resource_of_client_id(&who.client_id).filter(|_| door.resources_accepted) {
        // Read from the durable store, not the node's cache: a rotated secret or removed
        // credentials take effect at once on every node.
        resource = st.durable.get_resource(tenant, &id).await?.filter(|r| r.introspection.is_some()).map(Arc::new);
        let secret = match &resource {
            Some(_) => st.durable.resource_secret_hash(tenant, &id).await?,
            None => None,
        };
        (resource.as_deref().and_then(Resource::as_introspecting_client).map(Arc::new), secret)
    } else {
        match st.directory.client(st.durable.as_ref(), tenant, &who.client_id).await? {
            Some(known) => (Some(known.client.clone()), known.secret.clone()),
            None => (None, None),
        }
    };
    authenticate(who, client.as_deref(), secret.as_ref())?;
    let client = client.ok_or_else(|| OAuthError::client_refused("unknown_client: no client with this id"))?;
    // FAPI 2.0 §5.3.2.1: the profile's clients authenticate with private_key_jwt (a client of a
    // fapi2 tenant registered with a secret is refused, never silently accepted).
    if client.profile(&record.settings) == SecurityProfile::Fapi2
        && client.token_endpoint_auth_method != ciam_core::client::AuthMethod::PrivateKeyJwt
    {
        return Err(OAuthError::client_refused(
            "fapi2_method: under the fapi2 profile a client must be registered for private_key_jwt",
        ));
    }
    if let Some(assertion) = &who.assertion {
        verify_assertion(st, record, &client, assertion, endpoint).await?;
    }
    Ok((client, resource))
}

/// Verifies a JWS the client signed (a client assertion, a request object) with one of its
/// registered public keys: inline, or fetched from its `jwks_uri` (fetched again once,
/// rate-limited, when no key matches, since the client may have rotated its keys, standards
/// C35). Only the algorithms of the client's profile are accepted: [`ciam_jose::jwt::FAPI_ALGS`]
/// under `fapi2`, any asymmetric one otherwise. Returns the claims; time, audience and replay
/// checks are the caller's.
pub(crate) async fn verify_client_jwt(
    st: &AppState,
    tenant: &Tenant,
    client: &Client,
    jwt: &str,
    forbidden_typs: &[&str],
) -> Result<serde_json::Map<String, serde_json::Value>, ciam_jose::JwtError> {
    use ciam_jose::jwt::{CLIENT_ALGS, FAPI_ALGS, verify_with_jwk_set};
    let algs: &[_] = match client.profile(&tenant.settings) {
        SecurityProfile::Fapi2 => &FAPI_ALGS,
        SecurityProfile::Standard => &CLIENT_ALGS,
    };
    match (&client.jwks, &client.jwks_uri) {
        (Some(jwks), _) => verify_with_jwk_set(jwt, jwks, algs, forbidden_typs),
        (None, Some(uri)) => {
            let fetch = |refresh| async move {
                st.jwks_fetcher.get(uri, refresh).await.map_err(|e| {
                    tracing::warn!(client = %client.client_id, error = %e, "client key set unavailable");
                    ciam_jose::JwtError::UnknownKey
                })
            };
            match verify_with_jwk_set(jwt, &fetch(false).await?, algs, forbidden_typs) {
                Err(ciam_jose::JwtError::UnknownKey) => {
                    verify_with_jwk_set(jwt, &fetch(true).await?, algs, forbidden_typs)
                }
                other => other,
            }
        }
        (None, None) => Err(ciam_jose::JwtError::UnknownKey),
    }
}

/// `private_key_jwt` (RFC 7523 §3; OIDC Core §9): the assertion verifies with one of the client's
/// registered public keys, names this server, is fresh, and its `jti` was never seen before
/// (the replay cache is the shared ephemeral store, so a replay is refused on every node).
/// Under `fapi2` the audience is the issuer identifier alone, as a string (FAPI 2.0 §5.3.2.1).
async fn verify_assertion(
    st: &AppState,
    tenant: &Tenant,
    client: &Client,
    assertion: &str,
    endpoint: &str,
) -> Result<(), OAuthError> {
    // A DPoP proof or an access token is not a client assertion (RFC 8725 §3.11).
    let claims = verify_client_jwt(st, tenant, client, assertion, &["dpop+jwt", "at+jwt"]).await.map_err(|e| {
        let reason = match e {
            ciam_jose::JwtError::Algorithm => {
                "assertion_algorithm: the assertion's alg is not accepted for this client \
                                              (asymmetric algorithms only; PS256, ES256 or EdDSA under fapi2)"
                    .into()
            }
            ciam_jose::JwtError::UnknownKey => {
                "assertion_key: no registered key of the client matches the assertion's \
                                               kid (jwks or jwks_uri)"
                    .into()
            }
            ciam_jose::JwtError::Signature => {
                "assertion_signature: the assertion's signature does not verify with the client's key".into()
            }
            other => format!("assertion_malformed: {other}"),
        };
        OAuthError::client_refused(reason)
    })?;
    let issuer = st.issuer(&tenant.id);
    let token_endpoint = format!("{issuer}/token");
    let now = st.clock.now().unix_timestamp();
    let fapi = client.profile(&tenant.settings) == SecurityProfile::Fapi2;
    if fapi && claims.get("aud").and_then(serde_json::Value::as_str) != Some(issuer.as_str()) {
        return Err(OAuthError::client_refused(format!(
            "assertion_audience: under the fapi2 profile the assertion's aud must be the issuer {issuer}, as a string"
        )));
    }
    let (jti, exp) = check_assertion_claims(&claims, &client.client_id, &[&issuer, &token_endpoint, endpoint], now)?;
    let ttl = std::time::Duration::from_secs(u64::try_from(exp - now + ASSERTION_SKEW_SECS).unwrap_or(1));
    // Keyed by the tenant id, not its incarnation: an assertion names the issuer URL, which a
    // tenant created again under the same id shares, so a replay must stay refused across both.
    let key = keyspace::assertion_jti(&tenant.id, client.client_id.as_str(), &jti);
    // Without an `iat`, the earliest it can have been made.
    let issued_at = claims
        .get("iat")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(exp - ciam_oauth::client_auth::MAX_ASSERTION_LIFETIME_SECS);
    let replay = Replay::new(st.ephemeral.as_ref());
    match replay.first_use_since(&key, ttl, issued_at).await.map_err(OAuthError::unavailable)? {
        Use::First => Ok(()),
        Use::Replayed => Err(OAuthError::client_refused(
            "assertion_replayed: an assertion with this jti was already used; sign a new one for every request",
        )),
        Use::BeforeRecords => Err(OAuthError::client_refused(
            "assertion_replayed: the assertion was made before this server's replay records begin (they were \
             lost); sign a new one",
        )),
    }
}
