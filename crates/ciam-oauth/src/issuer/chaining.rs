//! Identity chaining across trust domains (draft-ietf-oauth-identity-chaining), both ends:
//! issuing a JWT authorization grant for another domain's authorization server at the end of a
//! token exchange (every exchange rule applies: the agent's delegation, the service's
//! permission, narrowing), and accepting another domain's grant (RFC 7523 §2.1) from a trusted
//! issuer, single use, for a user found by the tenant's subject mapping.

use ciam_core::chaining::{SubjectMapping, TrustedIssuer};
use ciam_core::email::Email;
use ciam_core::id::{TenantId, UserId};
use ciam_core::keyspace;
use ciam_core::scope::ScopeSet;
use ciam_core::user::{User, UserStatus};
use ciam_jose::{Alg, JwtError};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Issued, Issuer, TokenCall, issued};
use crate::chaining::{GRANT_LIFETIME, check_claims, claimed_issuer};
use crate::error::{ErrorCode, OAuthError};
use crate::exchange::{ExchangeRequest, JWT_TOKEN_TYPE};
use crate::token::{AccessTokenClaims, TokenResponse, user_access_token};

/// A JWT authorization grant: the exchanged token's claims, and the user's address when the
/// grant's scope shares it (`email`), for a domain that finds its users by address.
#[derive(Serialize)]
struct Grant<'a> {
    #[serde(flatten)]
    claims: &'a AccessTokenClaims,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

fn refused(why: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, why)
}

impl Issuer {
    /// The other domain's authorization server an exchange asks a grant for: a JWT
    /// (`requested_token_type`) for one target among the tenant's `grant_audiences`.
    pub(super) async fn chaining_audience(
        &self,
        tenant: &TenantId,
        request: &ExchangeRequest,
    ) -> Result<Option<String>, OAuthError> {
        if request.requested_token_type.as_deref() != Some(JWT_TOKEN_TYPE) {
            return Ok(None);
        }
        let [target] = request.targets.as_slice() else { return Ok(None) };
        let record =
            self.ports.directory.tenant(tenant).await?.ok_or_else(|| OAuthError::server_error("tenant gone"))?;
        Ok(record.settings.identity_chaining.grant_audiences.contains(target).then(|| target.clone()))
    }

    /// The exchanged claims as a JWT authorization grant: bearer, a minute at most, with the
    /// user's verified address when the scope shares it.
    pub(super) async fn authorization_grant(
        &self,
        tenant: &TenantId,
        claims: &mut AccessTokenClaims,
    ) -> Result<TokenResponse, OAuthError> {
        claims.exp = claims.exp.min(claims.iat + GRANT_LIFETIME);
        claims.cnf = None;
        let scope = ScopeSet::parse_space_separated(&claims.scope).map_err(|e| OAuthError::server_error(e.message))?;
        let user = match UserId::parse(&claims.sub) {
            Ok(id) if scope.contains("email") => self.ports.users.get_user(tenant, &id).await?,
            _ => None,
        };
        let grant = Grant {
            claims,
            email: user.as_ref().map(|u| u.email.as_str().to_owned()),
            email_verified: user.as_ref().map(|u| u.email_verified),
        };
        let token = self.sign(tenant, Alg::ES256, "JWT", &grant).await?;
        Ok(TokenResponse {
            access_token: token,
            token_type: "N_A",
            expires_in: claims.exp - claims.iat,
            scope: (!claims.scope.is_empty()).then(|| claims.scope.clone()),
            refresh_token: None,
            id_token: None,
            issued_token_type: Some(JWT_TOKEN_TYPE),
            authorization_details: claims.authorization_details.clone(),
        })
    }

    /// RFC 7523 §2.1: an access token for the user a trusted issuer's grant stands for. No
    /// refresh token (the grant is presented again, or a new one obtained).
    pub(super) async fn jwt_bearer(
        &self,
        call: &TokenCall<'_>,
        assertion: &str,
        scope: Option<&ScopeSet>,
        resource: Option<&str>,
        jkt: Option<&str>,
    ) -> Result<Issued, OAuthError> {
        let (tenant, client) = (call.tenant, call.client);
        let record =
            self.ports.directory.tenant(tenant).await?.ok_or_else(|| OAuthError::server_error("tenant gone"))?;
        let iss = claimed_issuer(assertion).ok_or_else(|| refused("the assertion is not a JWT naming its issuer"))?;
        let trusted = record.settings.identity_chaining.trusted_issuers.iter().find(|t| t.issuer == iss);
        let trusted = trusted.ok_or_else(|| refused("the grant's issuer is not trusted here"))?;
        let claims = self.verified_grant(trusted, assertion).await?;
        let issuer = self.issuer_url(tenant);
        let now = self.ports.clock.now();
        let (jti, window) = check_claims(&claims, &[issuer.clone(), format!("{issuer}/token")], now)?;
        let user = self.grant_subject(tenant, trusted, &claims).await?;
        // Within what the grant carries and the client is registered for.
        let carried = claims.get("scope").and_then(Value::as_str).and_then(|s| ScopeSet::parse_space_separated(s).ok());
        let allowed = carried.unwrap_or_default().intersect(&client.scopes);
        let scope = match scope {
            Some(asked) if !asked.is_subset(&allowed) => {
                return Err(OAuthError::new(ErrorCode::InvalidScope, "the scope is wider than the grant allows"));
            }
            Some(asked) => asked.clone(),
            None => allowed,
        };
        let mut at = user_access_token(&issuer, &user.id.to_string(), client.client_id.as_str(), &scope, now);
        if let Some(r) = resource {
            if !trusted.audiences.iter().any(|a| a == r) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidTarget,
                    "tokens from this issuer's grants are not for that resource",
                ));
            }
            at.aud = vec![r.to_owned()];
        }
        // Each grant is used once (RFC 7523 §3, the draft's replay mitigations).
        let used = keyspace::chained_grant(tenant, &iss, &jti);
        let fresh = self
            .ports
            .ephemeral
            .put_if_absent(used.as_str(), b"1", std::time::Duration::from_secs(u64::try_from(window).unwrap_or(1)))
            .await
            .map_err(OAuthError::unavailable)?;
        if !fresh {
            return Err(refused("this grant was used already"));
        }
        // The chain crosses the boundary intact: the agents that acted, and what was approved.
        at.act = claims.get("act").cloned();
        at.authorization_details = claims.get("authorization_details").cloned();
        let access_token = self.access_token(call, &mut at, jkt).await?;
        let response = TokenResponse::for_access_token(access_token, &at);
        let mut event = issued("token.issued", &at);
        event.reason = Some(format!("identity chaining: a grant of {iss}"));
        Ok((response, event).into())
    }

    /// The grant's claims once its signature verifies with the trusted issuer's keys (fetched
    /// again once when its key is not among them).
    async fn verified_grant(&self, trusted: &TrustedIssuer, assertion: &str) -> Result<Map<String, Value>, OAuthError> {
        // A token of this kind or another profile's is no grant.
        const NOT_GRANTS: [&str; 3] = ["at+jwt", "txntoken+jwt", "dpop+jwt"];
        let algs = ciam_jose::jwt::CLIENT_ALGS;
        let set = self.ports.foreign_keys.jwk_set(trusted, false).await?;
        let verified = match ciam_jose::jwt::verify_with_jwk_set(assertion, &set, &algs, &NOT_GRANTS) {
            Err(JwtError::UnknownKey) => {
                let fresh = self.ports.foreign_keys.jwk_set(trusted, true).await?;
                ciam_jose::jwt::verify_with_jwk_set(assertion, &fresh, &algs, &NOT_GRANTS)
            }
            other => other,
        };
        verified.map_err(|_| refused("the grant's signature does not verify with the issuer's keys"))
    }

    /// The active user a grant's subject maps to.
    async fn grant_subject(
        &self,
        tenant: &TenantId,
        trusted: &TrustedIssuer,
        claims: &Map<String, Value>,
    ) -> Result<User, OAuthError> {
        let unknown = || refused("the grant's subject is not a user here");
        let user = match trusted.subject {
            SubjectMapping::Email => {
                if claims.get("email_verified").and_then(Value::as_bool) != Some(true) {
                    return Err(refused("the grant carries no verified address to find its user by"));
                }
                let email = claims.get("email").and_then(Value::as_str).and_then(|e| Email::parse(e).ok());
                let email = email.ok_or_else(unknown)?;
                self.ports.users.find_user_by_email(tenant, email.normalized()).await?
            }
            SubjectMapping::UserId => match claims.get("sub").and_then(Value::as_str).map(UserId::parse) {
                Some(Ok(id)) => self.ports.users.get_user(tenant, &id).await?,
                _ => None,
            },
        };
        user.filter(|u| u.status == UserStatus::Active).ok_or_else(unknown)
    }
}
