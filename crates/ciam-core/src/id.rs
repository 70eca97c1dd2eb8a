//! Typed identifiers. Each is a newtype with a private field, parsed once at the edge; code past
//! the edge cannot confuse a user id with a client id, or use an unvalidated tenant slug.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::validation::FieldError;

/// Checks a lowercase DNS-label-like slug: 1-63 characters of `a-z`, `0-9` and `-`, not starting
/// or ending with `-`. ASCII only by construction, so look-alike (confusable) Unicode ids and
/// case variants (`ACME` vs `acme`) cannot exist; path tricks (`..`, `/`, `%2F`) are refused too.
fn parse_slug(kind: &'static str, s: &str) -> Result<(), FieldError> {
    let ok_len = (1..=63).contains(&s.len());
    let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_ends = !s.starts_with('-') && !s.ends_with('-');
    if ok_len && ok_chars && ok_ends {
        Ok(())
    } else {
        Err(FieldError::new(
            "",
            format!(
                "{kind} must be 1-63 characters of lowercase letters a-z, digits and '-', \
                 not starting or ending with '-'"
            ),
        ))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $parse:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses and validates an identifier.
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                let check: fn(&str) -> Result<(), FieldError> = $parse;
                check(s)?;
                Ok(Self(s.to_owned()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
    };
}

string_id!(
    /// A tenant's id: its slug in URLs (`/t/{tenant}`) and the first column of every key.
    TenantId,
    |s| parse_slug("a tenant id", s)
);

string_id!(
    /// A data-residency region name (`eu-1`, `us-east`), same syntax as a tenant id.
    Region,
    |s| parse_slug("a region", s)
);

string_id!(
    /// The id of a registered resource (API) in management URLs; its audience is a URI.
    ResourceId,
    |s| parse_slug("a resource id", s)
);

string_id!(
    /// An OAuth `client_id`. Server-generated ids are 22 characters of base64url; ids given at
    /// creation may use the RFC 3986 unreserved characters, 3-128 of them. A client id never has
    /// the UUID shape of a user `sub`, so the two cannot collide (RFC 9700 §4.15). A client that
    /// was never registered may name itself by the URL of its metadata document
    /// ([`crate::metadata_document`]).
    ClientId,
    |s| {
        if crate::metadata_document::looks_like_url(s) {
            return crate::metadata_document::check_url(s).map(|_| ()).map_err(|m| FieldError::new("", m));
        }
        let ok = (3..=128).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            && Uuid::try_parse(s).is_err();
        if ok {
            Ok(())
        } else {
            Err(FieldError::new(
                "",
                "a client id must be 3-128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~' and not a UUID",
            ))
        }
    }
);

impl ClientId {
    /// The client id a registered resource introspects as: `resource.{id}` (a resource id is a
    /// slug, so this is always a valid client id; [`crate::resource::resource_of_client_id`]).
    pub fn of_resource(id: &ResourceId) -> Self {
        Self(format!("{}{id}", crate::resource::RESOURCE_CLIENT_ID_PREFIX))
    }

    /// A fresh random client id (128 bits, base64url).
    pub fn generate() -> Self {
        Self(crate::secret::random_token(16))
    }

    /// Whether this id is the URL of a client metadata document rather than a registered id.
    pub fn is_metadata_document(&self) -> bool {
        crate::metadata_document::looks_like_url(&self.0)
    }
}

/// A user's id, the `sub` claim: a UUIDv7 (time-ordered, so primary keys append to B-trees).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(Uuid);

impl UserId {
    /// A fresh time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the hyphenated UUID form.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Uuid::try_parse(s).map(Self).map_err(|_| FieldError::new("", "a user id must be a UUID"))
    }

    /// The UUID (a passkey's user handle).
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0.as_hyphenated())
    }
}

impl FromStr for UserId {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_slug_rules_t15() {
        for ok in ["acme", "a", "acme-eu", "a1", "123"] {
            assert!(TenantId::parse(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(64);
        for bad in [
            "",
            "ACME",
            "Acme",
            "acme/",
            "acme%2F..",
            "a..b",
            "-acme",
            "acme-",
            "аcme",
            "ac me",
            "acme_x",
            long.as_str(),
        ] {
            assert!(TenantId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_id_never_looks_like_a_user_id_rfc9700_4_15() {
        let uid = UserId::generate().to_string();
        assert!(ClientId::parse(&uid).is_err());
        assert!(ClientId::parse("my-app.web_1~x").is_ok());
        assert!(ClientId::parse("ab").is_err());
        assert!(ClientId::parse("has space").is_err());
        let generated = ClientId::generate();
        assert_eq!(generated.as_str().len(), 22);
        assert!(ClientId::parse(generated.as_str()).is_ok());
        assert!(!generated.is_metadata_document());
        // The URL of a client metadata document is a client id too, in canonical form only.
        let url = ClientId::parse("https://app.example.com/client.json").unwrap();
        assert!(url.is_metadata_document());
        assert!(ClientId::parse("https://app.example.com/").is_err());
        assert!(ClientId::parse("http://app.example.com/client.json").is_err());
    }

    #[test]
    fn user_id_round_trips() {
        let id = UserId::generate();
        assert_eq!(UserId::parse(&id.to_string()).unwrap(), id);
        assert!(UserId::parse("not-a-uuid").is_err());
    }
}
