//! Refresh-token families (RFC 6749 §6, RFC 9700 §4.14.2).
//!
//! Every authorization grant starts a family; each refresh rotates the presented token into a
//! successor. Presenting a token that was already rotated is reuse: the whole family is revoked,
//! because either the client or an attacker holds a stolen copy. Tokens are stored only as
//! SHA-256 hashes. A token has an idle expiry; the family has an absolute one that rotation never
//! extends.

use time::OffsetDateTime;

use crate::id::{ClientId, TenantId, UserId};
use crate::secret::SecretHash;

/// One grant's chain of refresh tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFamily {
    /// Owner tenant.
    pub tenant_id: TenantId,
    /// Random id.
    pub family_id: String,
    /// The client the grant was made to.
    pub client_id: ClientId,
    /// The user who granted it.
    pub user_id: UserId,
    /// Granted scopes, space-separated (refreshes may only narrow them).
    pub scope: String,
    /// When the user authenticated for the grant.
    pub auth_time: OffsetDateTime,
    /// The authentication context class the user reached for the grant (`None` for grants made
    /// before it was recorded); refreshed access tokens repeat it with `auth_time`.
    pub acr: Option<String>,
    /// The SSO session the grant came from.
    pub sid: Option<String>,
    /// When the grant was made.
    pub created_at: OffsetDateTime,
    /// Absolute expiry: no token of the family is valid after it.
    pub expires_at: OffsetDateTime,
    /// When the family was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// For a public client that used DPoP: the key every refresh must prove (RFC 9449 §5).
    pub dpop_jkt: Option<String>,
    /// The resources (RFC 8707) the grant was made for; empty: the issuer's own APIs.
    pub resources: Vec<String>,
    /// User claims the authorization request asked for from UserInfo with the `claims`
    /// parameter (OIDC Core §5.5); refreshed access tokens carry them on.
    pub userinfo_claims: Vec<String>,
    /// The authorization details (RFC 9396) the grant's access tokens carry: a JSON array.
    pub authorization_details: Option<serde_json::Value>,
}

/// One refresh token of a family, by hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// Owner tenant.
    pub tenant_id: TenantId,
    /// SHA-256 of the token.
    pub token_hash: SecretHash,
    /// The family.
    pub family_id: String,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// Idle expiry.
    pub expires_at: OffsetDateTime,
    /// When it was rotated (used); `None` while it is the family's live head.
    pub rotated_at: Option<OffsetDateTime>,
}

/// The result of a rotation attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was the live head; the successor is now.
    Rotated,
    /// The token had been rotated already (or lost a race): the family is now revoked.
    Reused,
}
