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
use crate::{FieldError, Rule, Unit};

/// The shortest period of scheduled rotation, days. Each rotation publishes the following key
/// a whole period before it signs, so relying parties that cache the JWKS for a day or so
/// always know it first.
pub const MIN_ROTATION_DAYS: u32 = 7;
/// The longest period of scheduled rotation, days (two years).
pub const MAX_ROTATION_DAYS: u32 = 730;

/// A tenant's signing-key schedule.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeySettings {
    /// Rotate the signing keys when the active key has signed for this many days, 7-730.
    /// Absent (the default): keys rotate only when an administrator rotates them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 7, maximum = 730))]
    pub rotate_every_days: Option<u32>,
}

impl KeySettings {
    /// Checks the range; errors name the field under `keys`.
    pub fn validate(&self) -> Result<(), FieldError> {
        match self.rotate_every_days {
            Some(days) if !(MIN_ROTATION_DAYS..=MAX_ROTATION_DAYS).contains(&days) => Err(FieldError::rule(
                "rotate_every_days",
                Rule::Between {
                    min: u64::from(MIN_ROTATION_DAYS),
                    max: u64::from(MAX_ROTATION_DAYS),
                    unit: Unit::Days,
                },
            )),
            _ => Ok(()),
        }
    }

    /// When the active key that became active at `activated` is due to be rotated, if the
    /// tenant rotates on a schedule.
    pub fn due_at(&self, activated: OffsetDateTime) -> Option<OffsetDateTime> {
        self.rotate_every_days.map(|days| activated + time::Duration::days(i64::from(days)))
    }
}

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
