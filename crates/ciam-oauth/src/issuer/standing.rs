//! Whether an access token this server issued still stands (RFC 7662 `active`; RFC 6750 at the
//! server's own protected endpoints; the subject of a token exchange), and revocation (RFC 7009).
//!
//! Revocation state is read from the durable store on every call, never from a node cache: the
//! token's own entry, that of the grant it was issued from, its user, and every delegation and
//! agent it derives from. Revoking any of them ends the token at once on every node.

use ciam_core::agent::Delegation;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::keyspace;
use ciam_core::secret::SecretHash;
use ciam_core::user::{User, UserStatus};
use ciam_jose::jwt::{Expect, JwtError};
use serde_json::{Map, Value};

use super::Issuer;
use super::refresh::grant_revocation;
use crate::error::OAuthError;
use crate::introspection::{ACCESS_TOKEN_ALGS, ACCESS_TOKEN_TYP, SKEW_SECS, may_revoke};

/// A valid access token of this tenant.
#[derive(Debug)]
pub struct LiveToken {
    /// Its claims.
    pub claims: Map<String, Value>,
    /// Its user as stored now (active), for a token that stands for a user.
    pub user: Option<User>,
    /// For a delegated token, the delegation it rests on, as stored now.
    pub delegation: Option<Delegation>,
}

/// Where a token stands with the delegations it derives from.
enum Standing {
    /// It rests on no delegation.
    Undelegated,
    /// Every delegation it derives from holds; this is the one it rests on.
    Delegated(Delegation),
    /// A delegation or agent it derives from is gone, revoked, expired or suspended.
    Ended,
}

impl Issuer {
    /// The valid access token `token` of this tenant, or `None` for anything else. A token signed
    /// with a key this node has not loaded yet triggers one reload of the tenant's keys.
    pub async fn verified_access_token(&self, tenant: &TenantId, token: &str) -> Result<Option<LiveToken>, OAuthError> {
        let Some(claims) = self.issued_claims(tenant, token).await? else { return Ok(None) };
        self.live(tenant, claims).await
    }

    /// The claims of an unexpired access token this tenant issued (signed by its keys, or an
    /// opaque token it keeps), whether or not it was revoked since: who it stands for, for the
    /// audit trail of a refusal. [`Issuer::verified_access_token`] is the check that it may
    /// still be used.
    pub async fn issued_claims(
        &self,
        tenant: &TenantId,
        token: &str,
    ) -> Result<Option<Map<String, Value>>, OAuthError> {
        let now = self.ports.clock.now();
        let claims = if token.split('.').count() == 3 {
            let Some(claims) = self.own_jwt(tenant, token, ACCESS_TOKEN_TYP).await? else { return Ok(None) };
            claims
        } else {
            // An opaque token: its claims are in the ephemeral store until it expires.
            let record = self.ports.directory.tenant(tenant).await?;
            let ns = record.ok_or_else(|| OAuthError::invalid_request("unknown tenant"))?.ns();
            let key = keyspace::opaque_access_token(&ns, token);
            let raw = self.ports.ephemeral.get(key.as_str()).await.map_err(OAuthError::unavailable)?;
            let Some(claims) = raw.and_then(|r| serde_json::from_slice::<Map<String, Value>>(&r).ok()) else {
                return Ok(None);
            };
            if claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp <= now.unix_timestamp()) {
                return Ok(None);
            }
            claims
        };
        Ok(Some(claims))
    }

    /// The claims of an unexpired JWT of type `typ` this tenant signed (with a key it publishes;
    /// its keys read again once for a key not among them).
    pub(super) async fn own_jwt(
        &self,
        tenant: &TenantId,
        token: &str,
        typ: &str,
    ) -> Result<Option<Map<String, Value>>, OAuthError> {
        let issuer = self.issuer_url(tenant);
        let now = self.ports.clock.now();
        let expect = Expect {
            typ,
            algs: &ACCESS_TOKEN_ALGS,
            issuer: &issuer,
            audience: None,
            now,
            // This server set `exp` by its own clock: the token is dead from that second on, at
            // introspection, userinfo, the account API and token exchange alike (opaque tokens
            // too).
            exp_leeway: 0,
            skew: SKEW_SECS,
        };
        let keyring = &self.ports.keys;
        let keys = keyring.keys(tenant, now).await.map_err(OAuthError::unavailable)?;
        let remembered = keyring.signatures();
        let verified = match ciam_jose::verify_cached(token, keys.published(), &expect, remembered) {
            Err(JwtError::UnknownKey) => {
                let fresh = keyring.reload(tenant, now).await.map_err(OAuthError::unavailable)?;
                ciam_jose::verify_cached(token, fresh.published(), &expect, remembered)
            }
            other => other,
        };
        Ok(verified.ok().map(|v| v.claims))
    }

    /// `claims` if their token is still live: not revoked, nor its grant, its user active,
    /// every delegation and agent it derives from too.
    async fn live(&self, tenant: &TenantId, claims: Map<String, Value>) -> Result<Option<LiveToken>, OAuthError> {
        let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
        // Revocation is read from the durable store on every call, never from a node cache: the
        // token's own entry, and that of the grant it was issued from (a replayed refresh token,
        // say).
        let grant = claims.get("grant_id").and_then(Value::as_str).map(grant_revocation);
        if jti.is_empty() || self.ports.revocations.is_token_revoked(tenant, jti, grant.as_deref()).await? {
            return Ok(None);
        }
        // A user's token dies with the user: deleted or disabled means inactive, at once.
        let mut user = None;
        if let Some(id) = claims.get("sub").and_then(Value::as_str).and_then(|s| UserId::parse(s).ok()) {
            match self.ports.users.get_user(tenant, &id).await? {
                Some(u) if u.status == UserStatus::Active => user = Some(u),
                _ => return Ok(None),
            }
        }
        // A delegated token dies with any delegation or agent it derives from.
        let delegation = match self.standing(tenant, &claims).await? {
            Standing::Ended => return Ok(None),
            Standing::Delegated(d) => Some(d),
            Standing::Undelegated => None,
        };
        Ok(Some(LiveToken { claims, user, delegation }))
    }

    /// The revocation cascade: a token that derives from delegations is live only while every
    /// one of them is active, belongs to the token's user, and its agent exists and is not
    /// suspended. Read from the durable store on every call (never cached), so revoking a
    /// delegation, suspending or deleting an agent ends its tokens at once on every node.
    async fn standing(&self, tenant: &TenantId, claims: &Map<String, Value>) -> Result<Standing, OAuthError> {
        let Some(chain) = claims.get("delegation_chain") else { return Ok(Standing::Undelegated) };
        let Ok(chain) = serde_json::from_value::<Vec<String>>(chain.clone()) else { return Ok(Standing::Ended) };
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
        let now = self.ports.clock.now();
        let mut last = None;
        for id in &chain {
            let Some(d) = self.ports.delegations.get_delegation(tenant, id).await? else {
                return Ok(Standing::Ended);
            };
            let agent_ok = self.ports.clients.get_client(tenant, &d.agent_id).await?.is_some_and(|a| a.is_enabled());
            if !d.is_active(now) || d.user_id.to_string() != sub || !agent_ok {
                return Ok(Standing::Ended);
            }
            last = Some(d);
        }
        match last {
            Some(d) if claims.get("delegation_id").and_then(Value::as_str) == Some(d.id.as_str()) => {
                Ok(Standing::Delegated(d))
            }
            _ => Ok(Standing::Ended),
        }
    }

    /// Revokes `token` for `caller` (RFC 7009 §2.1): a refresh token the caller holds ends its
    /// whole grant, with the access tokens of that grant; an access token the caller may revoke
    /// is put on the revocation list. Anything else is ignored (§2.2: the answer is the same).
    pub async fn revoke(&self, tenant: &TenantId, caller: &ClientId, token: &str) -> Result<(), OAuthError> {
        // A refresh token (RFC 7009 §2.1: MUST be supported) ends its whole grant.
        if let Some((_, family)) = self.ports.refresh.find_refresh_token(tenant, &SecretHash::of(token)).await? {
            if family.client_id == *caller {
                // RFC 7009 §2.1: the access tokens of the same grant end with it.
                self.revoke_grant(tenant, &family.family_id).await?;
            }
            return Ok(());
        }
        if let Some(LiveToken { claims, .. }) = self.verified_access_token(tenant, token).await?
            && may_revoke(&claims, caller)
            && let (Some(jti), Some(exp)) =
                (claims.get("jti").and_then(Value::as_str), claims.get("exp").and_then(Value::as_i64))
        {
            let expires = time::OffsetDateTime::from_unix_timestamp(exp).map_err(OAuthError::server_error)?;
            self.ports.revocations.revoke_token(tenant, jti, expires).await?;
        }
        Ok(())
    }
}
