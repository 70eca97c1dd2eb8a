//! Stored signing keys and their lifecycle.
//!
//! Per tenant and algorithm there is always one `active` key (signs), one `next` key (published
//! in the JWKS before it signs, so relying parties that cache the JWKS already know it when it
//! takes over), and any number of `retired` keys (no longer sign; published until every token
//! they signed has expired). Rotation moves active → retired and next → active and creates a new
//! next, in one transaction.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::TenantId;

/// Where a key is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Published, not yet signing.
    Next,
    /// Signing new tokens.
    Active,
    /// No longer signing; published until `retired_at` + retention.
    Retired,
}

impl KeyState {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "next" => Some(Self::Next),
            "active" => Some(Self::Active),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// A signing key as stored: public JWK in clear, private key sealed under the master key.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// Owner.
    pub tenant_id: TenantId,
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// JWS algorithm (`ES256`, `RS256`, `EdDSA`).
    pub alg: String,
    /// Lifecycle state.
    pub state: KeyState,
    /// Public JWK (JSON object).
    pub public_jwk: serde_json::Value,
    /// PKCS#8 private key, sealed (`v1.{master key id}.{…}`), bound to `tenant/kid`.
    pub sealed_private: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// When it became active.
    pub activated_at: Option<OffsetDateTime>,
    /// When it was retired.
    pub retired_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("tenant_id", &self.tenant_id)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("state", &self.state)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
