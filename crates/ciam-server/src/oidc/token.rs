//! `POST /t/{tenant}/token` (RFC 6749 §3.2): client authentication, then the grant.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::client::{ClientType, GrantType};
use ciam_core::id::TenantId;
use ciam_core::id::UserId;
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord, Rotation};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::StoreError;
use ciam_core::tenant::TenantNs;
use ciam_core::user::UserStatus;
use ciam_jose::Alg;
use ciam_oauth::ErrorCode;
use ciam_oauth::OAuthError;
use ciam_oauth::code::{CodeGrant, IdTokenClaims, code_key};
use ciam_oauth::token::{
    AccessTokenClaims, GrantRequest, REFRESH_ABSOLUTE_LIFETIME, REFRESH_IDLE_LIFETIME, RefreshRefusal, TokenResponse,
    USER_ACCESS_TOKEN_LIFETIME, check_refresh, client_credentials, parse_grant, user_access_token,
};
use time::OffsetDateTime;

use super::client::BackChannel;
use crate::audit::{self, NotRecorded};
use crate::error::OAuthFailure;
use crate::state::AppState;

/// The token endpoint. Every issuance and every refusal of an authenticated client is appended
/// to the audit trail; a token whose issuance could not be recorded is not handed out.
pub(super) async fn token(State(st): State<AppState>, request: BackChannel) -> Response {
    let res = answer(&st, &request).await;
    // A client using DPoP gets the current server nonce with every answer (RFC 9449 §8).
    if request.dpop.is_some() { super::dpop::with_nonce(&st, &request.tenant, res).await } else { res }
}

async fn answer(st: &AppState, request: &BackChannel) -> Response {
    let (tenant, client) = (&request.tenant, &request.client);
    let refused = match issue(st, request).await {
        Ok(Issued { response, mut event, family }) => {
            event.client_id = Some(client.client_id.to_string());
            match audit::record_grant(st, tenant, &request.caller, event, family).await {
                Ok(()) => {
                    return (
                        [
                            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                            (header::PRAGMA, HeaderValue::from_static("no-cache")),
                        ],
                        Json(response),
                    )
                        .into_response();
                }
                Err(NotRecorded::Trail(e)) => return OAuthFailure(OAuthError::unavailable(e)).into_response(),
                // The grant's user or client was deleted since it was approved.
                Err(NotRecorded::Grant(StoreError::NotFound)) => {
                    OAuthError::new(ErrorCode::InvalidGrant, "the user or client of this grant no longer exists")
                }
                Err(NotRecorded::Grant(e)) => OAuthError::from(e),
            }
        }
        Err(e) => e,
    };
    match refused {
        // A device client waiting for its user is told so every few seconds: waiting is not a
        // refusal, and recording each poll would flood the trail.
        e if matches!(e.code, ErrorCode::AuthorizationPending | ErrorCode::SlowDown) => OAuthFailure(e).into_response(),
        e => {
            let mut event = AuditRecord::deny("token.refused", format!("{}: {}", e.code.as_str(), e.description));
            event.client_id = Some(client.client_id.to_string());
            event.scope = request.params.get("scope").map(str::to_owned);
            let targets = [request.params.all("resource"), request.params.all("audience")].concat();
            event.audience = (!targets.is_empty()).then(|| targets.join(" "));
            super::exchange::attribute_refusal(st, tenant, client.client_id.as_str(), &request.params, &mut event)
                .await;
            if let Err(audit_error) = audit::record(st, tenant, &request.caller, event).await {
                tracing::error!(error = %audit_error, "a token refusal could not be audited");
            }
            OAuthFailure(e).into_response()
        }
    }
}

/// The audit event of an issued access token.
fn issued(event_type: &str, claims: &AccessTokenClaims) -> AuditRecord {
    let mut e = AuditRecord::allow(event_type);
    e.user_id = (claims.sub != claims.client_id).then(|| claims.sub.clone());
    e.actors = ciam_oauth::exchange::actor_chain(claims.act.as_ref()).unwrap_or_default();
    e.delegation_id.clone_from(&claims.delegation_id);
    e.scope = (!claims.scope.is_empty()).then(|| claims.scope.clone());
    e.audience = Some(claims.aud.join(" "));
    e
}

/// What the token endpoint hands out, the event that records it, and the refresh-token family
/// it starts: the family is stored with the event, in the same commit, or not at all.
pub(super) struct Issued {
    response: TokenResponse,
    event: AuditRecord,
    family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
}

impl From<(TokenResponse, AuditRecord)> for Issued {
    fn from((response, event): (TokenResponse, AuditRecord)) -> Self {
        Self { response, event, family: None }
    }
}

async fn issue(st: &AppState, request: &BackChannel) -> Result<Issued, OAuthError> {
    let (tenant, client, params, caller) = (&request.tenant, &request.client, &request.params, &request.caller);
    let now = st.clock.now();
    let issuer = st.issuer(tenant);
    let grant = parse_grant(params)?;
    if !client.grant_types.contains(&grant.grant_type()) {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "this client may not use this grant type"));
    }
    // A DPoP proof binds what is issued to its key (RFC 9449 §5); some clients must send one.
    let jkt = match &request.dpop {
        Some(proof) => {
            let nonce_required = request.dpop_nonce_required;
            Some(super::dpop::proof_key(st, tenant, nonce_required, proof, "POST", &request.endpoint, None).await?)
        }
        None if client.dpop_bound_access_tokens => {
            return Err(OAuthError::new(ErrorCode::InvalidDpopProof, "this client must send a DPoP proof (RFC 9449)"));
        }
        None => None,
    };
    let jkt = jkt.as_deref();
    match grant {
        GrantRequest::ClientCredentials { scope, resource } => {
            let resource = match resource {
                Some(uri) => Some(
                    st.directory
                        .resource(st.durable.as_ref(), tenant, &uri)
                        .await?
                        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidTarget, "unknown resource"))?,
                ),
                None => None,
            };
            let mut claims = client_credentials(client, scope.as_ref(), resource.as_ref(), &issuer, now)?;
            let access_token = access_token(st, tenant, client, &mut claims, jkt).await?;
            Ok((TokenResponse::for_access_token(access_token, &claims), issued("token.issued", &claims)).into())
        }
        GrantRequest::AuthorizationCode { code, redirect_uri, code_verifier, resource } => {
            let request_ns = request.ns.clone();
            let request = CodeRequest {
                code: &code,
                redirect_uri: redirect_uri.as_deref(),
                code_verifier: code_verifier.as_deref(),
                resource: resource.as_deref(),
            };
            redeem_code(st, tenant, &request_ns, client, &request, jkt).await
        }
        GrantRequest::RefreshToken { refresh_token, scope, resource } => {
            refresh(st, tenant, client, &refresh_token, scope.as_ref(), resource.as_deref(), jkt)
                .await
                .map(Issued::from)
        }
        GrantRequest::DeviceCode { device_code } => {
            Ok(super::device::redeem(st, tenant, &request.ns, client, &device_code, jkt).await?.answer())
        }
        GrantRequest::TokenExchange(mut request) => {
            request.proof_key = jkt.map(str::to_owned);
            let (mut claims, decision) = super::exchange::exchange(st, tenant, client, &mut request, caller).await?;
            let access_token = access_token(st, tenant, client, &mut claims, jkt).await?;
            let mut res = TokenResponse::for_access_token(access_token, &claims);
            res.issued_token_type = Some(ciam_oauth::exchange::ACCESS_TOKEN_TYPE);
            let mut event = issued("token.exchanged", &claims);
            // The policy's decision rides with the issuance (score and the rules that fired).
            event.reason = serde_json::to_string(&decision).ok();
            Ok((res, event).into())
        }
    }
}

/// An access token carrying `claims`: a signed RFC 9068 JWT, or for clients that asked for them
/// an opaque 256-bit token whose claims stay in the ephemeral store until they expire.
/// With `jkt`, the token is bound to that DPoP key (`cnf.jkt`, RFC 9449 §6).
async fn access_token(
    st: &AppState,
    tenant: &TenantId,
    client: &Client,
    claims: &mut AccessTokenClaims,
    jkt: Option<&str>,
) -> Result<String, OAuthError> {
    claims.cnf = jkt.map(|k| serde_json::json!({ "jkt": k }));
    if !client.opaque_access_tokens {
        let token = sign(st, tenant, Alg::ES256, "at+jwt", claims).await?;
        // Signed here: its first presentation (userinfo, introspection) needs no verification.
        st.keys.signatures().remember_minted(&token, claims.exp);
        return Ok(token);
    }
    let token = random_token(32);
    let ttl = std::time::Duration::from_secs(u64::try_from(claims.exp - claims.iat).unwrap_or(0));
    let body = serde_json::to_vec(claims).map_err(OAuthError::server_error)?;
    let ns = super::tenant_ns(st, tenant).await?;
    st.ephemeral.put(&opaque_key(&ns, &token), &body, ttl).await.map_err(OAuthError::unavailable)?;
    Ok(token)
}

/// Where an opaque access token's claims live: by hash, per tenant.
pub(super) fn opaque_key(tenant: &TenantNs, token: &str) -> String {
    format!("at:{tenant}:{}", SecretHash::of(token).as_str())
}

async fn sign(
    st: &AppState,
    tenant: &TenantId,
    alg: Alg,
    typ: &str,
    claims: &impl serde::Serialize,
) -> Result<String, OAuthError> {
    let keys = st.keys.keys(tenant, st.clock.now()).await.map_err(OAuthError::unavailable)?;
    let signer = keys.signing(alg).map_err(OAuthError::server_error)?;
    ciam_jose::mint(&signer, typ, claims).map_err(OAuthError::server_error)
}

/// What a redeemed code led to, kept for the code's reuse window so a second redemption can
/// revoke it (RFC 6749 §4.1.2; standards C29).
#[derive(Debug, PartialEq)]
struct Redemption {
    jti: String,
    exp: i64,
    family_id: Option<String>,
}

impl Redemption {
    /// `exp jti [family_id]` (both ids are base64url): one marker per redeemed code lives ten
    /// minutes, so it is kept to about half the size of its JSON.
    fn encode(&self) -> Vec<u8> {
        let mut s = format!("{} {}", self.exp, self.jti);
        if let Some(f) = &self.family_id {
            s.push(' ');
            s.push_str(f);
        }
        s.into_bytes()
    }

    fn decode(raw: &[u8]) -> Option<Self> {
        let mut parts = std::str::from_utf8(raw).ok()?.split(' ');
        let exp = parts.next()?.parse().ok()?;
        let jti = parts.next().filter(|j| !j.is_empty())?.to_owned();
        let family_id = parts.next().map(str::to_owned);
        parts.next().is_none().then_some(Self { jti, exp, family_id })
    }
}

fn used_key(code_key: &str) -> String {
    format!("used:{code_key}")
}

/// An authorization-code token request.
struct CodeRequest<'a> {
    code: &'a str,
    redirect_uri: Option<&'a str>,
    code_verifier: Option<&'a str>,
    resource: Option<&'a str>,
}

async fn redeem_code(
    st: &AppState,
    tenant: &TenantId,
    ns: &TenantNs,
    client: &Client,
    request: &CodeRequest<'_>,
    jkt: Option<&str>,
) -> Result<Issued, OAuthError> {
    let now = st.clock.now();
    let key = code_key(ns, request.code);
    // Single use: one atomic take. Of concurrent redemptions exactly one gets the grant.
    let Some(raw) = st.ephemeral.take(&key).await.map_err(OAuthError::unavailable)? else {
        revoke_first_redemption(st, tenant, &key).await?;
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "the code is invalid, expired or already used"));
    };
    let grant: CodeGrant = serde_json::from_slice(&raw).map_err(OAuthError::server_error)?;
    let redeemed = ciam_oauth::code::redeem(grant, client, request.redirect_uri, request.code_verifier, now)?;
    let tokens = issue_for_user(st, tenant, client, &redeemed.grant, &redeemed.scope, request.resource, jkt).await?;
    let at = &tokens.claims;
    let family_id = tokens.family.as_ref().map(|f| f.0.family_id.clone());
    let marker = Redemption { jti: at.jti.clone(), exp: at.exp, family_id };
    // Best effort: losing the marker only loses the revoke-on-reuse bonus, never safety.
    let _ = st.ephemeral.put(&used_key(&key), &marker.encode(), std::time::Duration::from_secs(600)).await;
    Ok(tokens.answer())
}

/// What a user's grant led to.
pub(super) struct UserTokens {
    pub(super) response: TokenResponse,
    pub(super) claims: AccessTokenClaims,
    /// The refresh-token family started, if any, with its first token: stored with the
    /// issuance's audit event.
    pub(super) family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
}

impl UserTokens {
    /// The answer of the token endpoint and its audit event.
    pub(super) fn answer(self) -> Issued {
        let event = issued("token.issued", &self.claims);
        Issued { response: self.response, event, family: self.family }
    }
}

/// Issues the tokens of a grant a user approved (a redeemed code or an approved device request):
/// an access token bound to the agent's delegation, if any (and to the DPoP key with `jkt`), an
/// ID token when `openid` was granted, and a refresh token when the client may refresh.
pub(super) async fn issue_for_user(
    st: &AppState,
    tenant: &TenantId,
    client: &Client,
    grant: &CodeGrant,
    scope: &ScopeSet,
    resource: Option<&str>,
    jkt: Option<&str>,
) -> Result<UserTokens, OAuthError> {
    let now = st.clock.now();
    let issuer = st.issuer(tenant);
    let user_id = UserId::parse(&grant.user_id).map_err(|e| OAuthError::server_error(e.message))?;
    // A user disabled or deleted since approving the grant gets nothing from it: a JWT handed out
    // now would be honoured by resource servers that verify locally until it expires.
    if !still_allowed_in(st, tenant, &user_id).await? {
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "the user of this grant is no longer allowed in"));
    }
    let mut at = user_access_token(&issuer, &grant.user_id, client.client_id.as_str(), scope, now);
    at.auth_time = Some(grant.auth_time);
    at.acr.clone_from(&grant.acr);
    // A client that may refresh gets a grant (refresh-token family) that its access tokens name.
    at.grant_id = client.grant_types.contains(&GrantType::RefreshToken).then(|| random_token(16));
    super::exchange::bind_user_token(st, tenant, client, &user_id, grant.delegation_id.as_deref(), &mut at).await?;
    aim(st, tenant, client, &grant.resources, resource, &mut at).await?;
    let access_token = access_token(st, tenant, client, &mut at, jkt).await?;
    let id_token = if scope.contains("openid") {
        // OIDC Core §15.1: RS256 unless the client registered another algorithm.
        let alg = client.id_token_signed_response_alg.as_deref().and_then(Alg::parse).unwrap_or(Alg::RS256);
        Some(sign(st, tenant, alg, "JWT", &IdTokenClaims::for_code(&issuer, grant, now)).await?)
    } else {
        None
    };
    let (refresh_token, family) = if let Some(family_id) = at.grant_id.clone() {
        let auth_time = OffsetDateTime::from_unix_timestamp(grant.auth_time).map_err(OAuthError::server_error)?;
        let family = RefreshFamily {
            tenant_id: tenant.clone(),
            family_id,
            client_id: client.client_id.clone(),
            user_id,
            scope: scope.to_string(),
            auth_time,
            acr: grant.acr.clone(),
            sid: Some(grant.sid.clone()),
            created_at: now,
            expires_at: now + REFRESH_ABSOLUTE_LIFETIME,
            revoked_at: None,
            // A public client cannot authenticate a refresh; its DPoP key stands in (RFC 9449 §5).
            dpop_jkt: jkt.filter(|_| client.client_type == ClientType::Public).map(str::to_owned),
            resources: grant.resources.clone(),
        };
        let token = random_token(32);
        let first = refresh_record(tenant, &token, &family.family_id, now);
        (Some(token), Some(Box::new((family, first))))
    } else {
        (None, None)
    };
    let mut response = TokenResponse::for_access_token(access_token, &at);
    response.refresh_token = refresh_token;
    response.id_token = id_token;
    Ok(UserTokens { response, claims: at, family })
}

/// Whether the user exists and is active: checked whenever tokens are issued for a user.
async fn still_allowed_in(st: &AppState, tenant: &TenantId, user: &UserId) -> Result<bool, OAuthError> {
    Ok(st.durable.get_user(tenant, user).await?.is_some_and(|u| u.status == UserStatus::Active))
}

/// Points a user's access token at the resources its grant was made for (RFC 8707 §2.2): the
/// one the token request names, which must be among them, or all of them. Registered resources
/// narrow the scope to what they define and cap the lifetime; an agent may also be aimed at an
/// unregistered audience it is allowed (its delegation names it), an app never.
async fn aim(
    st: &AppState,
    tenant: &TenantId,
    client: &Client,
    granted: &[String],
    requested: Option<&str>,
    at: &mut AccessTokenClaims,
) -> Result<(), OAuthError> {
    let targets = match requested {
        Some(r) if granted.iter().any(|g| g == r) => vec![r.to_owned()],
        Some(_) => {
            return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource was not part of the authorization"));
        }
        None if granted.is_empty() => return Ok(()),
        None => granted.to_vec(),
    };
    let mut defined = Vec::new();
    let mut all_registered = true;
    for target in &targets {
        match super::resource::known_resource(st, tenant, target).await? {
            Some(r) => {
                defined.extend(r.scopes.to_vec());
                at.exp = at.exp.min(at.iat + i64::from(r.access_token_lifetime));
            }
            None if client.agent.is_some() => all_registered = false,
            None => return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known here")),
        }
    }
    if all_registered {
        let granted = ScopeSet::parse_space_separated(&at.scope).map_err(|e| OAuthError::server_error(e.message))?;
        let defined = ScopeSet::from_list(&defined).map_err(|e| OAuthError::server_error(e.message))?;
        at.scope = granted.intersect(&defined).to_string();
    }
    at.aud = targets;
    Ok(())
}

/// A second redemption of a code revokes what the first one issued (RFC 6749 §4.1.2).
async fn revoke_first_redemption(st: &AppState, tenant: &TenantId, key: &str) -> Result<(), OAuthError> {
    let Some(raw) = st.ephemeral.get(&used_key(key)).await.map_err(OAuthError::unavailable)? else { return Ok(()) };
    let Some(first) = Redemption::decode(&raw) else { return Ok(()) };
    let now = st.clock.now();
    let exp = OffsetDateTime::from_unix_timestamp(first.exp).unwrap_or(now);
    st.durable.revoke_token(tenant, &first.jti, exp).await?;
    if let Some(family) = &first.family_id {
        revoke_grant(st, tenant, family).await?;
    }
    tracing::warn!(tenant = %tenant, "authorization code reused: tokens from its first redemption revoked");
    Ok(())
}

/// The revocation-list entry that ends every access token naming grant `family_id`.
pub(super) fn grant_revocation(family_id: &str) -> String {
    format!("grant:{family_id}")
}

/// Ends a grant: its refresh-token family, and every access token issued from it (they name it
/// in `grant_id`; verification reads the revocation list on every call, on every node). A
/// replayed refresh token or code means the grant may be in a thief's hands (RFC 9700 §4.14.2).
pub(super) async fn revoke_grant(st: &AppState, tenant: &TenantId, family_id: &str) -> Result<(), OAuthError> {
    let now = st.clock.now();
    st.durable.revoke_refresh_family(tenant, family_id, now).await?;
    // No access token of the grant outlives this: none is issued for longer.
    st.durable.revoke_token(tenant, &grant_revocation(family_id), now + USER_ACCESS_TOKEN_LIFETIME).await?;
    Ok(())
}

fn refresh_record(tenant: &TenantId, token: &str, family_id: &str, now: OffsetDateTime) -> RefreshTokenRecord {
    RefreshTokenRecord {
        tenant_id: tenant.clone(),
        token_hash: SecretHash::of(token),
        family_id: family_id.to_owned(),
        issued_at: now,
        expires_at: now + REFRESH_IDLE_LIFETIME,
        rotated_at: None,
    }
}

async fn refresh(
    st: &AppState,
    tenant: &TenantId,
    client: &Client,
    token: &str,
    scope: Option<&ScopeSet>,
    resource: Option<&str>,
    jkt: Option<&str>,
) -> Result<(TokenResponse, AuditRecord), OAuthError> {
    let invalid = || OAuthError::new(ErrorCode::InvalidGrant, "the refresh token is invalid, expired or revoked");
    let now = st.clock.now();
    let hash = SecretHash::of(token);
    let Some((record, family)) = st.durable.find_refresh_token(tenant, &hash).await? else { return Err(invalid()) };
    let scope = match check_refresh(&record, &family, client, scope, now) {
        Ok(s) => s,
        Err(RefreshRefusal::Invalid(e)) => return Err(e),
        Err(RefreshRefusal::Reused) => {
            revoke_grant(st, tenant, &family.family_id).await?;
            tracing::warn!(tenant = %tenant, client = %client.client_id, "refresh token reused: grant revoked");
            return Err(invalid());
        }
    };
    if let Some(bound) = &family.dpop_jkt
        && jkt != Some(bound.as_str())
    {
        return Err(OAuthError::new(
            ErrorCode::InvalidDpopProof,
            "this refresh token is bound to a DPoP key: send a proof signed with it",
        ));
    }
    if !still_allowed_in(st, tenant, &family.user_id).await? {
        return Err(invalid());
    }
    // Every check before the rotation: a refused request leaves the token usable.
    let issuer = st.issuer(tenant);
    let mut at = user_access_token(&issuer, &family.user_id.to_string(), client.client_id.as_str(), &scope, now);
    // The token speaks for the original authentication (RFC 9470 §4): its time and strength.
    at.auth_time = Some(family.auth_time.unix_timestamp());
    at.acr.clone_from(&family.acr);
    at.grant_id = Some(family.family_id.clone());
    super::exchange::bind_user_token(st, tenant, client, &family.user_id, None, &mut at).await?;
    aim(st, tenant, client, &family.resources, resource, &mut at).await?;
    let next = random_token(32);
    match st
        .durable
        .rotate_refresh_token(tenant, &hash, &refresh_record(tenant, &next, &family.family_id, now), now)
        .await?
    {
        Rotation::Rotated => {}
        // A concurrent request rotated it first: the same token used twice.
        Rotation::Reused => {
            revoke_grant(st, tenant, &family.family_id).await?;
            return Err(invalid());
        }
    }
    let access_token = access_token(st, tenant, client, &mut at, jkt).await?;
    let mut res = TokenResponse::for_access_token(access_token, &at);
    res.refresh_token = Some(next);
    Ok((res, issued("token.refreshed", &at)))
}

#[cfg(test)]
mod tests {
    use super::Redemption;

    #[test]
    fn a_redemption_marker_round_trips_and_junk_is_no_marker() {
        let family = Redemption { jti: "j-1_x".into(), exp: 1_796_444_651, family_id: Some("f_2".into()) };
        let bare = Redemption { jti: "j".into(), exp: -5, family_id: None };
        for marker in [family, bare] {
            assert_eq!(Redemption::decode(&marker.encode()), Some(marker));
        }
        for junk in [&b""[..], b"12", b"12 ", b"x j", b"1 j f extra", b"\xff j", br#"{"jti":"j","exp":1}"#] {
            assert_eq!(Redemption::decode(junk), None, "{junk:?}");
        }
    }
}
