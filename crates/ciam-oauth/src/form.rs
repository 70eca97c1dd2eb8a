//! `application/x-www-form-urlencoded` request bodies of OAuth endpoints.
//!
//! RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once",
//! and parameters sent without a value are treated as omitted. serde-based form decoding either
//! keeps the last of two values or fails without saying why, so bodies are read here once into
//! a map that refuses repeats by name.

use std::collections::BTreeMap;

use crate::error::OAuthError;

/// The most parameters one request may carry.
const MAX_PARAMS: usize = 64;

/// Parameters that may be repeated: RFC 8707 §2 (`resource`) and RFC 8693 §2.1 (`audience`).
const REPEATABLE: [&str; 2] = ["resource", "audience"];

/// Decoded parameters, each present at most once (except the [`REPEATABLE`] ones), empty
/// values dropped.
#[derive(Debug, Default, Clone)]
pub struct Params(BTreeMap<String, String>, BTreeMap<String, Vec<String>>);

impl Params {
    /// Decodes a form body.
    pub fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut map = BTreeMap::new();
        let mut repeated: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, (k, v)) in url::form_urlencoded::parse(body).enumerate() {
            if i >= MAX_PARAMS {
                return Err(OAuthError::invalid_request("too many parameters"));
            }
            if v.is_empty() {
                continue;
            }
            if REPEATABLE.contains(&k.as_ref()) {
                let values = repeated.entry(k.clone().into_owned()).or_default();
                if !values.iter().any(|seen| *seen == v) {
                    values.push(v.clone().into_owned());
                }
                map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
                continue;
            }
            if map.insert(k.clone().into_owned(), v.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!("parameter {k} is repeated (RFC 6749 §3.2)")));
            }
        }
        Ok(Self(map, repeated))
    }

    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Every value of a repeatable parameter (`resource`, `audience`), in order, without
    /// duplicates; empty when absent.
    pub fn all(&self, name: &str) -> &[String] {
        self.1.get(name).map_or(&[], Vec::as_slice)
    }

    /// A required parameter.
    pub fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::invalid_request(format!("missing parameter {name}")))
    }

    /// Removes and returns a parameter (so secrets do not linger in the map).
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_rfc6749_3_2() {
        assert!(Params::parse(b"grant_type=a&grant_type=b").is_err());
        assert!(Params::parse(b"scope=a&scope=a").is_err());
        let p = Params::parse(b"grant_type=client_credentials&scope=a+b&empty=&x=%2B%20").unwrap();
        assert_eq!(p.get("scope"), Some("a b"), "+ decodes to a space");
        assert_eq!(p.get("x"), Some("+ "));
        assert_eq!(p.get("empty"), None, "empty values are omitted");
        assert!(p.require("nope").is_err());
        let r = Params::parse(b"resource=https://a&resource=https://b&resource=https://a&audience=x").unwrap();
        assert_eq!(r.all("resource"), ["https://a", "https://b"], "RFC 8707 allows repeats");
        assert_eq!(r.get("resource"), Some("https://a"));
        assert_eq!(r.all("audience"), ["x"]);
        assert!(r.all("scope").is_empty());
        let many: String = (0..70).map(|i| format!("p{i}=1&")).collect();
        assert!(Params::parse(many.as_bytes()).is_err());
    }
}
