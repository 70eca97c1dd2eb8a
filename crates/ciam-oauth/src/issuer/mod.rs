//! Token issuance: the [`Issuer`] owns every grant of the token endpoint (RFC 6749 §4.1.3
//! authorization code, §4.4 client credentials, §6 refresh; RFC 8628 §3.4 device code; RFC 8693
//! token exchange), the check that an issued access token still stands (introspection, userinfo,
//! the account API and token exchange all ask it) and revocation (RFC 7009).
//!
//! It reaches storage only through the narrow ports it needs ([`Ports`]): the durable stores
//! that are read on every request (users, refresh families, revocations, delegations: never
//! cached), a [`Directory`] of cached lookups (tenants, clients, resources), the ephemeral store
//! through `ciam_core::keyspace`, the audit trail through [`AuditSink`], and keys through the
//! keyring. The server builds one at startup; what arrives per request is borrowed.
//!
//! Every issuance is appended to the audit trail before its tokens are handed out, with the
//! refresh-token family it starts (one commit): a token whose issuance could not be recorded is
//! not handed out. Every refusal of an authenticated client is recorded too.

mod chaining;
mod ciba;
mod code;
mod device;
mod exchange;
mod polls;
mod refresh;
mod standing;
mod txn;

use std::sync::Arc;

use async_trait::async_trait;
use ciam_core::Clock;
use ciam_core::audit::AuditRecord;
use ciam_core::client::{Client, GrantType, SecurityProfile};
use ciam_core::id::{ClientId, ResourceId, TenantId};
use ciam_core::keyspace;
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::random_token;
use ciam_core::store::{
    AuditSink, ClientStore, DelegationStore, EphemeralStore, FactorStore, NotRecorded, RefreshStore, RevocationStore,
    StoreError, StoreResult, UserStore,
};
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_jose::{Alg, Keyring};

pub use self::ciba::PendingCiba;
pub use self::device::{DeviceStart, MAX_WRONG_CODES, PendingDevice, WRONG_CODE_WINDOW};
pub use self::standing::LiveToken;
use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;
use crate::resource::{Aiming, aim};
use crate::token::{AccessTokenClaims, GrantRequest, TokenResponse, client_credentials, parse_grant};

/// Cached lookups of what changes a few times a day. The server implements it over its
/// per-node cache; everything is returned shared, so nothing is copied per request.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The tenant record.
    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<Arc<Tenant>>>;
    /// A client of the tenant.
    async fn client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Arc<Client>>>;
    /// The tenant's registered resource named `identifier` (RFC 8707), if any.
    async fn resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>>;
    /// The tenant's authorization details types (RFC 9396), compiled.
    async fn detail_types(&self, tenant: &TenantId) -> StoreResult<Arc<crate::rar::Types>>;
    /// Whether `app` may own one of the tenant's agents; `false` lets a user's token skip the
    /// read of the user's delegations for `may_act`. A cache may answer (`may_act` only names who
    /// may ask for an exchange; the exchange checks the delegation and the agent in the store).
    async fn may_own_agents(&self, _tenant: &TenantId, _app: &ClientId) -> StoreResult<bool> {
        Ok(true)
    }
}

/// What the issuer talks to.
pub struct Ports {
    /// Tenants, clients and resources, cached.
    pub directory: Arc<dyn Directory>,
    /// Users: a disabled or deleted user gets nothing, and its tokens stop standing.
    pub users: Arc<dyn UserStore>,
    /// Clients read past the cache: an agent suspended ends its tokens at once.
    pub clients: Arc<dyn ClientStore>,
    /// Refresh-token families.
    pub refresh: Arc<dyn RefreshStore>,
    /// The revocation list.
    pub revocations: Arc<dyn RevocationStore>,
    /// Users' delegations to agents.
    pub delegations: Arc<dyn DelegationStore>,
    /// Sign-in profiles (a user's last strong authentication, for the exchange policy).
    pub profiles: Arc<dyn FactorStore>,
    /// Codes, opaque tokens, device requests, counters.
    pub ephemeral: Arc<dyn EphemeralStore>,
    /// The audit trail.
    pub audit: Arc<dyn AuditSink>,
    /// Signing keys of every tenant, with the signature cache.
    pub keys: Arc<Keyring>,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The signing keys of other trust domains' authorization servers (identity chaining).
    pub foreign_keys: Arc<dyn ForeignKeys>,
}

/// The JWK Sets of the issuers a tenant trusts for identity chaining.
#[async_trait]
pub trait ForeignKeys: Send + Sync {
    /// `trusted`'s JWK Set: given inline, or fetched from its `jwks_uri` (cached; fetched again
    /// when `refresh`, after a key was not found).
    async fn jwk_set(
        &self,
        trusted: &ciam_core::chaining::TrustedIssuer,
        refresh: bool,
    ) -> Result<serde_json::Value, OAuthError>;
}

/// Issues, checks and revokes this server's tokens. One per server.
pub struct Issuer {
    ports: Ports,
    /// Public base URL without a trailing slash.
    public_url: String,
    /// The CIBA polls this node answered recently.
    polls: polls::PollMemory,
}

/// A token request as the engine needs it: the tenant, the authenticated client, the form, and
/// who called (for the audit trail and the risk policy). No `Debug`: the form carries secrets.
#[derive(Clone, Copy)]
pub struct TokenCall<'a> {
    /// The tenant.
    pub tenant: &'a TenantId,
    /// Its namespace in the ephemeral store.
    pub ns: &'a TenantNs,
    /// The authenticated client.
    pub client: &'a Client,
    /// The form.
    pub params: &'a Params,
    /// The caller's address.
    pub ip: Option<&'a str>,
    /// The caller's User-Agent.
    pub user_agent: Option<&'a str>,
    /// The profile the client is held to (its own, else its tenant's).
    pub profile: SecurityProfile,
    /// The SHA-256 thumbprint (base64url) of the client certificate a TLS-terminating proxy
    /// forwarded: access tokens issued without a DPoP proof are bound to it (`cnf.x5t#S256`,
    /// RFC 8705 §3).
    pub certificate: Option<&'a str>,
}

impl TokenCall<'_> {
    /// What every token-endpoint event carries: the grant asked for (when this server knows it;
    /// a transaction token is an exchange) and the caller.
    fn stamp(&self, record: &mut AuditRecord) {
        record.grant = self.params.get("grant_type").and_then(GrantType::parse).map(|g| g.as_str().to_owned());
        record.ip = self.ip.map(str::to_owned);
        record.user_agent = self.user_agent.map(str::to_owned);
    }
}

/// What a grant hands out, the event that records it, and the refresh-token family it starts:
/// the family is stored with the event, in the same commit, or not at all.
struct Issued {
    response: TokenResponse,
    event: AuditRecord,
    family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
}

impl From<(TokenResponse, AuditRecord)> for Issued {
    fn from((response, event): (TokenResponse, AuditRecord)) -> Self {
        Self { response, event, family: None }
    }
}

/// The audit event of an issued access token.
fn issued(event_type: &str, claims: &AccessTokenClaims) -> AuditRecord {
    let mut e = AuditRecord::allow(event_type);
    e.user_id = (claims.sub != claims.client_id).then(|| claims.sub.clone());
    e.actors = crate::exchange::actor_chain(claims.act.as_ref()).unwrap_or_default();
    e.delegation_id.clone_from(&claims.delegation_id);
    e.scope = (!claims.scope.is_empty()).then(|| claims.scope.clone());
    e.audience = Some(claims.aud.join(" "));
    // What the user approved, in the trail with the token; sealed with the personal fields, as
    // entries name amounts and counterparties.
    if let Some(details) = &claims.authorization_details {
        e.reason = Some(format!("authorization_details={details}"));
        e.reason_is_personal = true;
    }
    e
}

/// The scope the account API asks of the tokens it takes.
pub const ACCOUNT_SCOPE: &str = "account";
/// How long a token for the account API lives: it can revoke what the user granted.
const ACCOUNT_TOKEN_LIFETIME: u32 = 300;

impl Issuer {
    /// An issuer for the server at `public_url` (no trailing slash).
    pub fn new(ports: Ports, public_url: impl Into<String>) -> Self {
        Self { ports, public_url: public_url.into(), polls: polls::PollMemory::default() }
    }

    /// The issuer of a tenant: `{public_url}/t/{tenant}`.
    pub fn issuer_url(&self, tenant: &TenantId) -> String {
        format!("{}/t/{tenant}", self.public_url)
    }

    /// The audience of the tenant's account API (`/t/{tenant}/account/…`): `{issuer}/account`.
    pub fn account_audience(&self, tenant: &TenantId) -> String {
        format!("{}/account", self.issuer_url(tenant))
    }

    /// The resource `identifier` names (RFC 8707): one registered in the tenant, or the account
    /// API, which every tenant has and which defines one scope, [`ACCOUNT_SCOPE`].
    pub async fn known_resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>> {
        if identifier == self.account_audience(tenant) {
            let now = self.ports.clock.now();
            return Ok(Some(Resource {
                tenant_id: tenant.clone(),
                id: ResourceId::parse("account").map_err(|e| StoreError::Corrupt(e.message.into_owned()))?,
                identifier: identifier.to_owned(),
                name: "Account".into(),
                scopes: ScopeSet::parse_space_separated(ACCOUNT_SCOPE)
                    .map_err(|e| StoreError::Corrupt(e.message.into_owned()))?,
                access_token_lifetime: ACCOUNT_TOKEN_LIFETIME,
                introspection: None,
                created_at: now,
                updated_at: now,
            }));
        }
        self.ports.directory.resource(tenant, identifier).await
    }

    /// The grant a token request asks for, if the client may use it (RFC 6749 §5.2
    /// `unauthorized_client`): the one grant-type check of the token endpoint.
    pub fn parse(&self, call: &TokenCall<'_>) -> Result<GrantRequest, OAuthError> {
        let grant = parse_grant(call.params)?;
        if !call.client.may_use(grant.grant_type()) {
            return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "this client may not use this grant type"));
        }
        Ok(grant)
    }

    /// Decides `grant` (parsed by [`Issuer::parse`]) and records the issuance; the response is
    /// handed out only once its audit event (and refresh family) is committed. With `jkt` (the
    /// thumbprint of a verified DPoP proof's key) the tokens are bound to that key (RFC 9449 §5).
    /// A refusal is recorded (see [`Issuer::refused`]) and returned.
    pub async fn grant(
        &self,
        call: &TokenCall<'_>,
        grant: GrantRequest,
        jkt: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let refused = match self.issue(call, grant, jkt).await {
            Ok(Issued { response, mut event, family }) => {
                event.client_id = Some(call.client.client_id.to_string());
                call.stamp(&mut event);
                match self.ports.audit.append(call.tenant, event, family).await {
                    Ok(()) => return Ok(response),
                    Err(NotRecorded::Trail(e)) => return Err(OAuthError::unavailable(e)),
                    // The grant's user or client was deleted since it was approved.
                    Err(NotRecorded::Grant(StoreError::NotFound)) => {
                        OAuthError::new(ErrorCode::InvalidGrant, "the user or client of this grant no longer exists")
                    }
                    Err(NotRecorded::Grant(e)) => OAuthError::from(e),
                }
            }
            Err(e) => e,
        };
        Err(self.refused(call, refused).await)
    }

    /// Records the refusal `e` of a token request on the audit trail (best effort: the request
    /// is refused either way) and returns it.
    pub async fn refused(&self, call: &TokenCall<'_>, e: OAuthError) -> OAuthError {
        // A device or CIBA client waiting for its user is told so every few seconds: waiting is not a
        // refusal, and recording each poll would flood the trail.
        if matches!(e.code, ErrorCode::AuthorizationPending | ErrorCode::SlowDown) {
            return e;
        }
        let mut event = AuditRecord::deny("token.refused", format!("{}: {}", e.code.as_str(), e.reason()));
        event.client_id = Some(call.client.client_id.to_string());
        event.scope = call.params.get("scope").map(str::to_owned);
        let targets = [call.params.all("resource"), call.params.all("audience")].concat();
        event.audience = (!targets.is_empty()).then(|| targets.join(" "));
        self.attribute_refusal(call.tenant, &call.client.client_id, call.params, &mut event).await;
        call.stamp(&mut event);
        if let Err(NotRecorded::Grant(audit_error) | NotRecorded::Trail(audit_error)) =
            self.ports.audit.append(call.tenant, event, None).await
        {
            tracing::error!(error = %audit_error, "a token refusal could not be audited");
        }
        e
    }

    async fn issue(&self, call: &TokenCall<'_>, grant: GrantRequest, jkt: Option<&str>) -> Result<Issued, OAuthError> {
        let (tenant, client) = (call.tenant, call.client);
        match grant {
            GrantRequest::ClientCredentials { scope, resource } => {
                let now = self.ports.clock.now();
                let mut claims = client_credentials(client, scope.as_ref(), &self.issuer_url(tenant), now)?;
                if let Some(uri) = resource {
                    // Only registered resources: the account API takes no client's own tokens.
                    let found = self.ports.directory.resource(tenant, &uri).await?;
                    aim(&mut claims, &[(uri, found)], scope.as_ref(), Aiming::Client)?;
                }
                let access_token = self.access_token(call, &mut claims, jkt).await?;
                Ok((TokenResponse::for_access_token(access_token, &claims), issued("token.issued", &claims)).into())
            }
            GrantRequest::AuthorizationCode { code, redirect_uri, code_verifier, resource } => {
                let request = code::CodeRequest {
                    code: &code,
                    redirect_uri: redirect_uri.as_deref(),
                    code_verifier: code_verifier.as_deref(),
                    resource: resource.as_deref(),
                };
                self.redeem_code(call, &request, jkt).await
            }
            GrantRequest::RefreshToken { refresh_token, scope, resource } => {
                self.refresh(call, &refresh_token, scope.as_ref(), resource.as_deref(), jkt).await.map(Issued::from)
            }
            GrantRequest::DeviceCode { device_code } => Ok(self.redeem_device(call, &device_code, jkt).await?.answer()),
            GrantRequest::Ciba { auth_req_id } => Ok(self.redeem_ciba(call, &auth_req_id, jkt).await?.answer()),
            GrantRequest::TransactionToken(request) => self.transaction_token(call, request).await,
            GrantRequest::JwtBearer { assertion, scope, resource } => {
                self.jwt_bearer(call, &assertion, scope.as_ref(), resource.as_deref(), jkt).await
            }
            GrantRequest::TokenExchange(mut request) => {
                request.proof_key = jkt.map(str::to_owned);
                request.certificate = call.certificate.map(str::to_owned);
                // A JWT for another trust domain's authorization server: an identity chaining grant.
                let chained = self.chaining_audience(tenant, &request).await?;
                let (mut claims, decision) = self.exchange(call, &mut request, chained.is_some()).await?;
                let res = match &chained {
                    Some(_) => self.authorization_grant(tenant, &mut claims).await?,
                    None => {
                        let access_token = self.access_token(call, &mut claims, jkt).await?;
                        let mut res = TokenResponse::for_access_token(access_token, &claims);
                        res.issued_token_type = Some(crate::exchange::ACCESS_TOKEN_TYPE);
                        res
                    }
                };
                let mut event = issued("token.exchanged", &claims);
                // The caller acted, even when the token does not say so (impersonation).
                let caller = client.client_id.as_str();
                if event.actors.first().map(String::as_str) != Some(caller) {
                    event.actors.insert(0, caller.to_owned());
                }
                // The policy's decision rides with the issuance (score and the rules that fired),
                // before the details the token carries, if any (then sealed, as `issued` says).
                let decision = serde_json::to_string(&decision).ok();
                event.reason = match (decision, event.reason.take()) {
                    (Some(d), Some(details)) => Some(format!("{d}; {details}")),
                    (d, details) => d.or(details),
                };
                Ok((res, event).into())
            }
        }
    }

    /// Aims a token at `targets` under the resource rule ([`crate::resource`]), looking each up.
    async fn aim_at(
        &self,
        tenant: &TenantId,
        claims: &mut AccessTokenClaims,
        targets: Vec<String>,
        requested: Option<&ScopeSet>,
        aiming: Aiming,
    ) -> Result<(), OAuthError> {
        let mut found = Vec::with_capacity(targets.len());
        for target in targets {
            let resource = self.known_resource(tenant, &target).await?;
            // An app's token request fails at the first unknown resource, before looking further.
            let unknown_to_app = resource.is_none() && aiming == (Aiming::User { agent: false });
            found.push((target, resource));
            if unknown_to_app {
                break;
            }
        }
        aim(claims, &found, requested, aiming)
    }

    /// An access token carrying `claims`: a signed RFC 9068 JWT, or for clients that asked for
    /// them an opaque 256-bit token whose claims stay in the ephemeral store until they expire.
    /// With `jkt`, the token is bound to that DPoP key (`cnf.jkt`, RFC 9449 §6); without, to the
    /// client certificate of the call, if any (`cnf.x5t#S256`, RFC 8705 §3.1).
    async fn access_token(
        &self,
        call: &TokenCall<'_>,
        claims: &mut AccessTokenClaims,
        jkt: Option<&str>,
    ) -> Result<String, OAuthError> {
        claims.cnf = match (jkt, call.certificate) {
            (Some(k), _) => Some(serde_json::json!({ "jkt": k })),
            (None, Some(x5t)) => Some(serde_json::json!({ "x5t#S256": x5t })),
            (None, None) => None,
        };
        if !call.client.opaque_access_tokens {
            let token = self.sign(call.tenant, Alg::ES256, "at+jwt", claims).await?;
            // Signed here: its first presentation (userinfo, introspection) needs no verification.
            self.ports.keys.signatures().remember_minted(&token, claims.exp);
            return Ok(token);
        }
        let token = random_token(32);
        let ttl = std::time::Duration::from_secs(u64::try_from(claims.exp - claims.iat).unwrap_or(0));
        let body = serde_json::to_vec(claims).map_err(OAuthError::server_error)?;
        let key = keyspace::opaque_access_token(call.ns, &token);
        self.ports.ephemeral.put(key.as_str(), &body, ttl).await.map_err(OAuthError::unavailable)?;
        Ok(token)
    }

    async fn sign(
        &self,
        tenant: &TenantId,
        alg: Alg,
        typ: &str,
        claims: &impl serde::Serialize,
    ) -> Result<String, OAuthError> {
        let keys = self.ports.keys.keys(tenant, self.ports.clock.now()).await.map_err(OAuthError::unavailable)?;
        let signer = keys.signing(alg).map_err(OAuthError::server_error)?;
        ciam_jose::mint(&signer, typ, claims).map_err(OAuthError::server_error)
    }
}

#[cfg(test)]
mod tests;
