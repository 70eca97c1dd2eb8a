//! Users of a tenant: sign-in identifier (email), status and the standard OIDC profile claims
//! (OIDC Core §5.1).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::email::Email;
use crate::id::{TenantId, UserId};
use crate::tenant::https_url;
use crate::validation::{FieldError, Rule, display_text};

/// A user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The tenant the user belongs to.
    pub tenant_id: TenantId,
    /// Stable id; the `sub` claim.
    pub id: UserId,
    /// Sign-in and contact address.
    pub email: Email,
    /// Whether the address was verified.
    pub email_verified: bool,
    /// Whether the user may sign in.
    pub status: UserStatus,
    /// Profile claims.
    pub profile: UserProfile,
    /// How the account came to be.
    pub source: UserSource,
    /// When the user was created.
    pub created_at: OffsetDateTime,
    /// When the user was last changed.
    pub updated_at: OffsetDateTime,
}

/// How an account was created.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSource {
    /// Through the management API (or the CLI): as the administrator made it.
    #[default]
    Admin,
    /// By the user on the hosted sign-up page.
    SignUp,
    /// By the user, through an administrator's invitation link.
    Invitation,
    /// By an import of users from another system.
    Import,
    /// At a first sign-in through an upstream identity provider (just-in-time provisioning).
    Federation,
}

impl UserSource {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::SignUp => "sign_up",
            Self::Invitation => "invitation",
            Self::Import => "import",
            Self::Federation => "federation",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "sign_up" => Some(Self::SignUp),
            "invitation" => Some(Self::Invitation),
            "import" => Some(Self::Import),
            "federation" => Some(Self::Federation),
            _ => None,
        }
    }
}

/// Whether a user may sign in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// May not sign in; existing sessions and tokens end.
    Disabled,
}

impl UserStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// The key users are found by name with: the name trimmed and in lower case (Unicode), so a
/// search matches whatever the case. Stored beside each user; a search compares prefixes of it.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl User {
    /// This user's [`name_key`]; `None` without a name.
    pub fn name_key(&self) -> Option<String> {
        self.profile.name.as_deref().map(name_key).filter(|k| !k.is_empty())
    }
}

/// Standard profile claims (OIDC Core §5.1); all optional.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)] // the fields are the OIDC claims of the same names
pub struct UserProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "object_or_null", default)]
    pub address: Option<Address>,
}

/// The `address` claim (OIDC Core §5.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)] // the fields are the OIDC members of the same names
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

fn object_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
    crate::validation::object_only(d).map(Some)
}

impl UserProfile {
    /// The profile of claims another system asserted (an upstream identity provider, an old
    /// system's answer): each claim of the profile that is valid on its own, the others left out
    /// rather than failing what the claims came with.
    pub fn lenient(claims: &serde_json::Map<String, serde_json::Value>) -> Self {
        let mut good = serde_json::Map::new();
        for (k, v) in claims {
            let one = serde_json::Value::Object(serde_json::Map::from_iter([(k.clone(), v.clone())]));
            let valid = serde_json::from_value::<UserProfile>(one).ok().and_then(|p| p.validate().ok());
            if let Some(p) = valid
                && let Ok(serde_json::Value::Object(m)) = serde_json::to_value(p)
            {
                good.extend(m);
            }
        }
        serde_json::from_value(serde_json::Value::Object(good)).unwrap_or_default()
    }

    /// Checks and trims every claim; errors name the claim.
    pub fn validate(mut self) -> Result<Self, FieldError> {
        for (field, value) in [
            ("name", &mut self.name),
            ("given_name", &mut self.given_name),
            ("family_name", &mut self.family_name),
            ("nickname", &mut self.nickname),
            ("preferred_username", &mut self.preferred_username),
            ("zoneinfo", &mut self.zoneinfo),
        ] {
            if let Some(v) = value {
                *v = display_text(field, v, 200)?;
            }
        }
        if let Some(a) = &mut self.address {
            for (field, value) in [
                ("address.street_address", &mut a.street_address),
                ("address.locality", &mut a.locality),
                ("address.region", &mut a.region),
                ("address.postal_code", &mut a.postal_code),
                ("address.country", &mut a.country),
            ] {
                if let Some(v) = value {
                    *v = display_text(field, v, 200)?;
                }
            }
            if let Some(f) = &a.formatted
                && (f.len() > 1000 || f.chars().any(|c| c.is_control() && c != '\n' && c != '\r'))
            {
                return Err(FieldError::new("address.formatted", "must be at most 1000 characters of text"));
            }
        }
        for (field, value) in [("picture", &self.picture), ("website", &self.website)] {
            if let Some(v) = value {
                https_url(v).map_err(|e| e.under(field))?;
            }
        }
        if let Some(l) = &self.locale {
            // BCP 47 shape: letters/digits groups separated by '-' ("en", "pt-BR", "zh-Hant-TW").
            let ok = (2..=35).contains(&l.len())
                && l.split('-').all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
            if !ok {
                return Err(FieldError::rule("locale", Rule::LanguageTag));
            }
        }
        if let Some(b) = &self.birthdate {
            // OIDC Core §5.1: YYYY-MM-DD, YYYY, or 0000-MM-DD when the year is withheld.
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
            let ok = match b.split('-').collect::<Vec<_>>().as_slice() {
                [y] => digits(y, 4),
                [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
                _ => false,
            };
            if !ok {
                return Err(FieldError::rule("birthdate", Rule::Birthdate));
            }
        }
        if let Some(p) = &self.phone_number {
            // E.164: '+' then 6-15 digits.
            let ok = p.starts_with('+') && (7..=16).contains(&p.len()) && p.bytes().skip(1).all(|c| c.is_ascii_digit());
            if !ok {
                return Err(FieldError::rule("phone_number", Rule::PhoneNumber));
            }
        }
        Ok(self)
    }
}

/// An argon2id (or imported legacy) password hash in PHC string format.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string.
    pub fn new(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_validation_names_the_claim() {
        let ok = UserProfile {
            name: Some("  Ada Lovelace ".into()),
            locale: Some("pt-BR".into()),
            birthdate: Some("0000-12-10".into()),
            phone_number: Some("+14155550100".into()),
            picture: Some("https://cdn.example/a.png".into()),
            ..UserProfile::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name.as_deref(), Some("Ada Lovelace"));

        let cases: [(UserProfile, &str); 5] = [
            (UserProfile { name: Some(String::new()), ..Default::default() }, "name"),
            (UserProfile { picture: Some("javascript:x".into()), ..Default::default() }, "picture"),
            (UserProfile { locale: Some("en_US".into()), ..Default::default() }, "locale"),
            (UserProfile { birthdate: Some("1990/01/01".into()), ..Default::default() }, "birthdate"),
            (UserProfile { phone_number: Some("555-0100".into()), ..Default::default() }, "phone_number"),
        ];
        for (p, field) in cases {
            assert_eq!(p.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn password_hash_debug_is_redacted() {
        let h = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
        assert!(!format!("{h:?}").contains("argon2id"));
    }
}

/// A user to import, as one line of an export from another system.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    /// The user (with a fresh id; kept only if the user is new).
    pub user: User,
    /// The password hash (argon2id, or another system's format the server verifies).
    pub password: Option<PasswordHash>,
    /// The user's id in the system they come from, unique per tenant.
    pub external_id: Option<String>,
}

/// What importing one user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// The user was created, with this id.
    Created(UserId),
    /// The tenant already had the user (same external id, or same normalised email): nothing
    /// was changed.
    Existing(UserId),
}
