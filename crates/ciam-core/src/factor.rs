//! A user's authenticators beyond the password (TOTP apps, passkeys, recovery codes) and what
//! the risk policy remembers about their sign-ins.
//!
//! The secret parts are opaque to this crate: `data` holds what the authenticator module needs
//! (a sealed TOTP seed and its last used step, a serialized passkey, hashed recovery codes). Every
//! change of `data` is a compare-and-swap ([`crate::store::FactorStore::replace_factor_data`]),
//! so a TOTP step, a recovery code or a passkey counter is used once even when two nodes race.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{TenantId, UserId};
use crate::secret::random_token;

/// The kind of an authenticator.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// An authenticator app (RFC 6238).
    Totp,
    /// A WebAuthn credential with user verification.
    Passkey,
    /// A set of single-use recovery codes.
    RecoveryCodes,
}

impl FactorKind {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Passkey => "passkey",
            Self::RecoveryCodes => "recovery_codes",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Totp, Self::Passkey, Self::RecoveryCodes].into_iter().find(|k| k.as_str() == s)
    }
}

/// One enrolled authenticator.
#[derive(Clone, PartialEq, Eq)]
pub struct Factor {
    /// The tenant.
    pub tenant_id: TenantId,
    /// `fct_` and 128 random bits.
    pub id: String,
    /// The owner.
    pub user_id: UserId,
    /// What it is.
    pub kind: FactorKind,
    /// The user's label ("Phone", "YubiKey").
    pub name: String,
    /// A value to find the factor by, unique per tenant and kind (a passkey's credential id).
    pub lookup: Option<String>,
    /// The authenticator's own state; secret or sealed.
    pub data: String,
    /// When it was enrolled.
    pub created_at: OffsetDateTime,
    /// When it was last used to sign in.
    pub last_used_at: Option<OffsetDateTime>,
}

impl Factor {
    /// A fresh factor id.
    pub fn generate_id() -> String {
        format!("fct_{}", random_token(16))
    }
}

impl fmt::Debug for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Factor")
            .field("tenant_id", &self.tenant_id)
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("lookup", &self.lookup)
            .field("data", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("last_used_at", &self.last_used_at)
            .finish()
    }
}

/// What the risk policy remembers about a user's sign-ins (opaque JSON to the store).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInProfile {
    /// The last successful sign-in.
    pub last: Option<SignInRecord>,
    /// When the user last passed a second factor or a passkey (Unix seconds).
    pub last_strong_auth: Option<i64>,
    /// Hashes of the device ids seen at successful sign-ins, most recent last, bounded.
    pub devices: Vec<String>,
}

/// Where and when a sign-in happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInRecord {
    /// Unix seconds.
    pub at: i64,
    /// ISO 3166 country code, when a GeoIP database located the address.
    pub country: Option<String>,
    /// Continent code.
    pub continent: Option<String>,
    /// Coordinates, when located.
    pub latitude: Option<f64>,
    /// Coordinates, when located.
    pub longitude: Option<f64>,
}

impl SignInProfile {
    /// The most devices remembered per user.
    pub const MAX_DEVICES: usize = 20;

    /// Remembers a device (moving it to the most recent place) and forgets the oldest beyond the bound.
    pub fn remember_device(&mut self, device_hash: &str) {
        self.devices.retain(|d| d != device_hash);
        self.devices.push(device_hash.to_owned());
        let excess = self.devices.len().saturating_sub(Self::MAX_DEVICES);
        self.devices.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in [FactorKind::Totp, FactorKind::Passkey, FactorKind::RecoveryCodes] {
            assert_eq!(FactorKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(FactorKind::parse("sms"), None);
    }

    #[test]
    fn devices_are_bounded_and_most_recent_last() {
        let mut p = SignInProfile::default();
        for i in 0..25 {
            p.remember_device(&format!("d{i}"));
        }
        p.remember_device("d10");
        assert_eq!(p.devices.len(), SignInProfile::MAX_DEVICES);
        assert_eq!(p.devices.last().map(String::as_str), Some("d10"));
        assert!(!p.devices.contains(&"d0".to_owned()));
        assert_eq!(p.devices.iter().filter(|d| *d == "d10").count(), 1);
    }
}
