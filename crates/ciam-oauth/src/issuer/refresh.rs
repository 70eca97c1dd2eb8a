//! The refresh grant (RFC 6749 §6): rotation (except under FAPI 2.0), reuse detection and grants (refresh-token
//! families) that end with every access token issued from them (RFC 9700 §4.14.2).

use ciam_core::audit::AuditRecord;
use ciam_core::client::SecurityProfile;
use ciam_core::id::TenantId;
use ciam_core::refresh::{RefreshTokenRecord, Rotation};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{SecretHash, random_token};
use time::OffsetDateTime;

use super::{Issuer, TokenCall, issued};
use crate::error::{ErrorCode, OAuthError};
use crate::token::{
    REFRESH_IDLE_LIFETIME, RefreshRefusal, TokenResponse, USER_ACCESS_TOKEN_LIFETIME, check_refresh, user_access_token,
};

/// The revocation-list entry that ends every access token naming grant `family_id` (an id in
/// the durable revocation list, not an ephemeral key).
pub(super) fn grant_revocation(family_id: &str) -> String {
    format!("grant:{family_id}")
}

pub(super) fn refresh_record(
    tenant: &TenantId,
    token: &str,
    family_id: &str,
    now: OffsetDateTime,
) -> RefreshTokenRecord {
    RefreshTokenRecord {
        tenant_id: tenant.clone(),
        token_hash: SecretHash::of(token),
        family_id: family_id.to_owned(),
        issued_at: now,
        expires_at: now + REFRESH_IDLE_LIFETIME,
        rotated_at: None,
    }
}

impl Issuer {
    /// Ends a grant: its refresh-token family, and every access token issued from it (they name
    /// it in `grant_id`; verification reads the revocation list on every call, on every node).
    /// A replayed refresh token or code means the grant may be in a thief's hands (RFC 9700
    /// §4.14.2).
    pub async fn revoke_grant(&self, tenant: &TenantId, family_id: &str) -> Result<(), OAuthError> {
        let now = self.ports.clock.now();
        self.ports.refresh.revoke_refresh_family(tenant, family_id, now).await?;
        // No access token of the grant outlives this: none is issued for longer.
        self.ports
            .revocations
            .revoke_token(tenant, &grant_revocation(family_id), now + USER_ACCESS_TOKEN_LIFETIME)
            .await?;
        Ok(())
    }

    pub(super) async fn refresh(
        &self,
        call: &TokenCall<'_>,
        token: &str,
        scope: Option<&ScopeSet>,
        resource: Option<&str>,
        jkt: Option<&str>,
    ) -> Result<(TokenResponse, AuditRecord), OAuthError> {
        let (tenant, client) = (call.tenant, call.client);
        let invalid = || OAuthError::new(ErrorCode::InvalidGrant, "the refresh token is invalid, expired or revoked");
        let now = self.ports.clock.now();
        let hash = SecretHash::of(token);
        let Some((record, family)) = self.ports.refresh.find_refresh_token(tenant, &hash).await? else {
            return Err(invalid().because("refresh_unknown: no such refresh token in this tenant"));
        };
        let scope = match check_refresh(&record, &family, client, scope, now) {
            Ok(s) => s,
            Err(RefreshRefusal::Invalid(e)) => return Err(e),
            Err(RefreshRefusal::Reused) => {
                self.revoke_grant(tenant, &family.family_id).await?;
                tracing::warn!(tenant = %tenant, client = %client.client_id, "refresh token reused: grant revoked");
                return Err(invalid().because(
                    "refresh_reused: a refresh token was used a second time, so its grant was revoked (RFC 9700 §4.14)",
                ));
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
        if !self.still_allowed_in(tenant, &family.user_id).await? {
            return Err(invalid().because("user_blocked: the user of this grant is disabled or gone"));
        }
        // Every check before the rotation: a refused request leaves the token usable.
        let issuer = self.issuer_url(tenant);
        let mut at = user_access_token(&issuer, &family.user_id.to_string(), client.client_id.as_str(), &scope, now);
        // The token speaks for the original authentication (RFC 9470 §4): its time and strength.
        at.auth_time = Some(family.auth_time.unix_timestamp());
        at.acr.clone_from(&family.acr);
        at.grant_id = Some(family.family_id.clone());
        at.userinfo_claims = family.userinfo_claims.join(" ");
        // RFC 9396 §6.2: a refresh may ask for part of what the grant carries, for this token.
        let asked = crate::rar::Details::from_params(call.params)?;
        at.authorization_details =
            self.narrowed_details(tenant, asked.as_ref(), family.authorization_details.as_ref()).await?;
        self.bind_user_token(tenant, client, &family.user_id, None, &mut at).await?;
        self.aim_user_token(tenant, client, &family.resources, resource, &mut at).await?;
        // FAPI 2.0 §5.3.2.1: no rotation for the profile's (confidential, sender-constrained)
        // clients; the refresh token stays as issued, until it expires or its grant ends.
        let next = if call.profile == SecurityProfile::Fapi2 {
            None
        } else {
            let next = random_token(32);
            let rotated = self
                .ports
                .refresh
                .rotate_refresh_token(tenant, &hash, &refresh_record(tenant, &next, &family.family_id, now), now)
                .await?;
            match rotated {
                Rotation::Rotated => {}
                // A concurrent request rotated it first: the same token used twice.
                Rotation::Reused => {
                    self.revoke_grant(tenant, &family.family_id).await?;
                    return Err(invalid());
                }
            }
            Some(next)
        };
        let access_token = self.access_token(call, &mut at, jkt).await?;
        let mut res = TokenResponse::for_access_token(access_token, &at);
        res.refresh_token = next;
        Ok((res, issued("token.refreshed", &at)))
    }
}
