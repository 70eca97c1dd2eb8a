//! Email addresses: a pragmatic syntax check and a normal form for uniqueness.
//!
//! The address is kept as entered for display and mail delivery; uniqueness and sign-in use the
//! normal form (Unicode NFKC, then lowercase), so `Alice@Example.com` and `alice@example.com` are
//! one account per tenant.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::validation::FieldError;

/// A syntactically valid email address with its normal form.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    address: String,
    normalized: String,
}

impl Email {
    /// Parses an address: one `@`, a 1-64 character local part, a domain with at least one dot,
    /// no white space or control characters, at most 254 characters in all (RFC 5321 §4.5.3).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let address = s.trim();
        let err = |m: &'static str| FieldError::new("", m);
        if address.len() > 254 {
            return Err(err("an email address must be at most 254 characters"));
        }
        if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("an email address must not contain spaces or control characters"));
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(err("an email address needs an '@'"));
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(err("the part before '@' must be 1-64 characters without '@'"));
        }
        let labels_ok = domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !domain.contains('.')
            || !labels_ok
            || domain.contains(['[', ']', '(', ')', ',', ';', ':', '<', '>', '"', '\\'])
        {
            return Err(err("the domain after '@' is not a valid host name"));
        }
        let normalized = address.nfkc().collect::<String>().to_lowercase();
        Ok(Self { address: address.to_owned(), normalized })
    }

    /// The address as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The normal form used for uniqueness and look-ups.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Rebuilds from stored columns without re-validating.
    pub fn from_stored(address: String, normalized: String) -> Self {
        Self { address, normalized }
    }
}

impl fmt::Debug for Email {
    // Emails are personal data: keep them out of debug logs by default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email([personal data])")
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.address)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_normalized_z12() {
        let e = Email::parse("  Alice.Smith+tag@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Alice.Smith+tag@Example.COM");
        assert_eq!(e.normalized(), "alice.smith+tag@example.com");
        // NFKC folds compatibility forms: fullwidth letters normalise to ASCII.
        let wide = Email::parse("ａlice@example.com").unwrap();
        assert_eq!(wide.normalized(), "alice@example.com");
        // normalisation is idempotent
        let again = Email::parse(e.normalized()).unwrap();
        assert_eq!(again.normalized(), e.normalized());
    }

    #[test]
    fn invalid_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_all = format!("a@{}.com", "b".repeat(260));
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@localhost",
            "al ice@example.com",
            "alice@ex..com",
            "alice@-example.com",
            "a\u{0}@example.com",
            "alice@[127.0.0.1]",
            &long_local,
            &long_all,
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_address() {
        assert!(!format!("{:?}", Email::parse("bob@example.com").unwrap()).contains("bob"));
    }
}
