//! OAuth scopes (RFC 6749 §3.3): a scope token is one or more `NQCHAR`s (printable ASCII except
//! space, `"` and `\`). [`ScopeSet`] is ordered and de-duplicated; "never wider" checks use only
//! [`ScopeSet::is_subset`] and [`ScopeSet::intersect`].

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validation::{FieldError, Rule};

/// One scope token.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

impl Scope {
    /// Parses one token: 1-128 `NQCHAR`s (RFC 6749 §3.3).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let nqchar = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
        if (1..=128).contains(&s.len()) && s.bytes().all(nqchar) {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::rule("", Rule::ScopeToken))
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of scopes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    /// Parses a list of tokens; duplicates collapse.
    pub fn from_list<S: AsRef<str>>(items: &[S]) -> Result<Self, FieldError> {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| Scope::parse(s.as_ref()).map_err(|e| e.under(&format!("[{i}]"))))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    /// Parses the space-separated form of the `scope` parameter.
    pub fn parse_space_separated(s: &str) -> Result<Self, FieldError> {
        s.split(' ').filter(|t| !t.is_empty()).map(Scope::parse).collect::<Result<BTreeSet<_>, _>>().map(Self)
    }

    /// Whether every scope in `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes in both sets.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        Self(self.0.intersection(&other.0).cloned().collect())
    }

    /// Whether the set holds `scope`.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s.0 == scope)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Scope::as_str)
    }

    /// The tokens as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

impl fmt::Display for ScopeSet {
    /// The space-separated form used in `scope` parameters and claims.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(s)?;
            first = false;
        }
        Ok(())
    }
}

impl fmt::Debug for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScopeSet({self})")
    }
}

impl Serialize for ScopeSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for ScopeSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<String>::deserialize(d)?;
        Self::from_list(&items).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse_space_separated(s).unwrap()
    }

    #[test]
    fn nqchar_syntax_rfc6749_3_3() {
        assert!(Scope::parse("openid").is_ok());
        assert!(Scope::parse("https://api.example/read:all").is_ok());
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb"] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
        let err = ScopeSet::from_list(&["ok", "bad scope"]).unwrap_err();
        assert_eq!(err.field, "[1]");
    }

    #[test]
    fn set_algebra_never_widens() {
        let a = set("openid profile email");
        let b = set("email  openid offline_access");
        assert_eq!(a.intersect(&b), set("openid email"));
        assert!(a.intersect(&b).is_subset(&a) && a.intersect(&b).is_subset(&b));
        assert!(!b.is_subset(&a));
        assert_eq!(set("b a a").to_string(), "a b");
        assert!(ScopeSet::default().is_subset(&a));
    }
}
