//! The authorization code grant (RFC 6749 §4.1.3) with reuse revocation (§4.1.2), and the
//! tokens of any grant a user approved (a code, a device request).

use ciam_core::client::{ClientType, GrantType, SecurityProfile};
use ciam_core::id::UserId;
use ciam_core::keyspace;
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
use ciam_core::secret::random_token;
use ciam_core::store::StoreResult;
use ciam_core::tenant::TenantNs;
use ciam_core::user::UserStatus;
use ciam_jose::Alg;
use time::OffsetDateTime;

use super::{Issued, Issuer, TokenCall, issued};
use crate::code::{CODE_LIFETIME, CodeGrant, IdTokenClaims};
use crate::error::{ErrorCode, OAuthError};
use crate::resource::Aiming;
use crate::token::{AccessTokenClaims, REFRESH_ABSOLUTE_LIFETIME, TokenResponse, user_access_token};

/// An authorization-code token request.
pub(super) struct CodeRequest<'a> {
    pub(super) code: &'a str,
    pub(super) redirect_uri: Option<&'a str>,
    pub(super) code_verifier: Option<&'a str>,
    pub(super) resource: Option<&'a str>,
}

/// What a redeemed code led to, kept for the code's reuse window so a second redemption can
/// revoke it (RFC 6749 §4.1.2; standards C29).
#[derive(Debug, PartialEq)]
pub(super) struct Redemption {
    pub(super) jti: String,
    pub(super) exp: i64,
    pub(super) family_id: Option<String>,
}

impl Redemption {
    /// `exp jti [family_id]` (both ids are base64url): one marker per redeemed code lives ten
    /// minutes, so it is kept to about half the size of its JSON.
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut s = format!("{} {}", self.exp, self.jti);
        if let Some(f) = &self.family_id {
            s.push(' ');
            s.push_str(f);
        }
        s.into_bytes()
    }

    pub(super) fn decode(raw: &[u8]) -> Option<Self> {
        let mut parts = std::str::from_utf8(raw).ok()?.split(' ');
        let exp = parts.next()?.parse().ok()?;
        let jti = parts.next().filter(|j| !j.is_empty())?.to_owned();
        let family_id = parts.next().map(str::to_owned);
        parts.next().is_none().then_some(Self { jti, exp, family_id })
    }
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

impl Issuer {
    /// Mints the single-use authorization code of a grant the user approved (RFC 6749 §4.1.2)
    /// and keeps the grant under the code's hash for [`CODE_LIFETIME`]; the code itself is
    /// returned once, for the redirect to the client, and stored nowhere.
    pub async fn issue_code(&self, ns: &TenantNs, grant: &CodeGrant) -> StoreResult<String> {
        let code = random_token(32);
        keyspace::Json::new(self.ports.ephemeral.as_ref())
            .put(&keyspace::code(ns, &code), grant, CODE_LIFETIME.unsigned_abs())
            .await?;
        Ok(code)
    }

    pub(super) async fn redeem_code(
        &self,
        call: &TokenCall<'_>,
        request: &CodeRequest<'_>,
        jkt: Option<&str>,
    ) -> Result<Issued, OAuthError> {
        let now = self.ports.clock.now();
        let key = keyspace::code(call.ns, request.code);
        // Single use: one atomic take. Of concurrent redemptions exactly one gets the grant.
        let Some(raw) = self.ports.ephemeral.take(key.as_str()).await.map_err(OAuthError::unavailable)? else {
            self.revoke_first_redemption(call, &key).await?;
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the code is invalid, expired or already used")
                .because(
                    "code_unknown: no such code: never issued, already redeemed (a second redemption also revokes \
                 the tokens of the first), or its 60 s lifetime is over",
                ));
        };
        let grant: CodeGrant = serde_json::from_slice(&raw).map_err(OAuthError::server_error)?;
        let grant = crate::code::redeem(grant, call.client, request.redirect_uri, request.code_verifier, now)?;
        crate::code::check_code_binding(&grant, jkt)?;
        // RFC 9396 §6.1: the token request may ask for part of what was approved.
        let asked = crate::rar::Details::from_params(call.params)?;
        let details = self.narrowed_details(call.tenant, asked.as_ref(), grant.authorization_details.as_ref()).await?;
        let tokens = self.issue_for_user(call, &grant, request.resource, details, jkt).await?;
        let at = &tokens.claims;
        let family_id = tokens.family.as_ref().map(|f| f.0.family_id.clone());
        let marker = Redemption { jti: at.jti.clone(), exp: at.exp, family_id };
        // Best effort: losing the marker only loses the revoke-on-reuse bonus, never safety.
        let used = keyspace::code_redeemed(&key);
        let _ = self.ports.ephemeral.put(used.as_str(), &marker.encode(), keyspace::CODE_REDEEMED_TTL).await;
        Ok(tokens.answer())
    }

    /// A second redemption of a code revokes what the first one issued (RFC 6749 §4.1.2).
    async fn revoke_first_redemption(&self, call: &TokenCall<'_>, key: &keyspace::Key) -> Result<(), OAuthError> {
        let used = keyspace::code_redeemed(key);
        let Some(raw) = self.ports.ephemeral.get(used.as_str()).await.map_err(OAuthError::unavailable)? else {
            return Ok(());
        };
        let Some(first) = Redemption::decode(&raw) else { return Ok(()) };
        let now = self.ports.clock.now();
        let exp = OffsetDateTime::from_unix_timestamp(first.exp).unwrap_or(now);
        self.ports.revocations.revoke_token(call.tenant, &first.jti, exp).await?;
        if let Some(family) = &first.family_id {
            self.revoke_grant(call.tenant, family).await?;
        }
        tracing::warn!(tenant = %call.tenant, "authorization code reused: tokens from its first redemption revoked");
        Ok(())
    }

    /// Issues the tokens of a grant a user approved (a redeemed code or an approved device
    /// request): an access token bound to the agent's delegation, if any (and to the DPoP key
    /// with `jkt`), an ID token when `openid` was granted, and a refresh token when the client
    /// may refresh. The access token carries `details` (the grant's authorization details, or a
    /// narrowing of them); the refresh grant keeps all the grant's.
    pub(super) async fn issue_for_user(
        &self,
        call: &TokenCall<'_>,
        grant: &CodeGrant,
        resource: Option<&str>,
        details: Option<serde_json::Value>,
        jkt: Option<&str>,
    ) -> Result<UserTokens, OAuthError> {
        let (tenant, client) = (call.tenant, call.client);
        let now = self.ports.clock.now();
        let issuer = self.issuer_url(tenant);
        let (user_id, scope) = (grant.user_id, &grant.scope);
        // A user disabled or deleted since approving the grant gets nothing from it: a JWT handed
        // out now would be honoured by resource servers that verify locally until it expires.
        let user = self.ports.users.get_user(tenant, &user_id).await?.filter(|u| u.status == UserStatus::Active);
        let Some(user) = user else {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the user of this grant is no longer allowed in"));
        };
        let mut at = user_access_token(&issuer, &user_id.to_string(), client.client_id.as_str(), scope, now);
        at.auth_time = Some(grant.auth_time);
        at.acr.clone_from(&grant.acr);
        at.userinfo_claims = grant.userinfo_claims.join(" ");
        at.authorization_details = details;
        // A client that may refresh gets a grant (refresh-token family) that its access tokens name.
        at.grant_id = client.may_use(GrantType::RefreshToken).then(|| random_token(16));
        self.bind_user_token(tenant, client, &user_id, grant.delegation_id.as_deref(), &mut at).await?;
        self.aim_user_token(tenant, client, &grant.resources, resource, &mut at).await?;
        let access_token = self.access_token(call, &mut at, jkt).await?;
        let id_token = if scope.contains("openid") {
            // OIDC Core §15.1: RS256 unless the client registered another algorithm.
            // RS256 by default (OIDC Core §15.1); ES256 under FAPI 2.0, which forbids PKCS#1 v1.5.
            let default = if call.profile == SecurityProfile::Fapi2 { Alg::ES256 } else { Alg::RS256 };
            let alg = client.id_token_signed_response_alg.as_deref().and_then(Alg::parse).unwrap_or(default);
            let mut claims = IdTokenClaims::for_code(&issuer, grant, now);
            // The claims the `claims` parameter asked for, as the user has them now (OIDC Core §5.5).
            claims.user_claims = crate::claims::user_claims(&user, grant.id_token_claims.iter().map(String::as_str));
            if let Some(consents) = &grant.consents {
                claims.user_claims.insert("consents".into(), consents.clone());
            }
            Some(self.sign(tenant, alg, "JWT", &claims).await?)
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
                userinfo_claims: grant.userinfo_claims.clone(),
                authorization_details: grant.authorization_details.clone(),
            };
            let token = random_token(32);
            let first = super::refresh::refresh_record(tenant, &token, &family.family_id, now);
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
    pub(super) async fn still_allowed_in(
        &self,
        tenant: &ciam_core::id::TenantId,
        user: &UserId,
    ) -> Result<bool, OAuthError> {
        Ok(self.user_is_active(tenant, user).await?)
    }

    /// Points a user's access token at the resources its grant was made for (RFC 8707 §2.2):
    /// the one the token request names, which must be among them, or all of them; then the
    /// resource rule ([`crate::resource`]) bounds it.
    pub(super) async fn aim_user_token(
        &self,
        tenant: &ciam_core::id::TenantId,
        client: &ciam_core::client::Client,
        granted: &[String],
        requested: Option<&str>,
        at: &mut AccessTokenClaims,
    ) -> Result<(), OAuthError> {
        let targets = match requested {
            Some(r) if granted.iter().any(|g| g == r) => vec![r.to_owned()],
            Some(_) => {
                return Err(OAuthError::new(
                    ErrorCode::InvalidTarget,
                    "the resource was not part of the authorization",
                ));
            }
            None if granted.is_empty() => return Ok(()),
            None => granted.to_vec(),
        };
        self.aim_at(tenant, at, targets, None, Aiming::User { agent: client.agent.is_some() }).await
    }
}
