//! Rich Authorization Requests (RFC 9396): parsing `authorization_details`, checking each entry
//! against the tenant's registered types, checking that a request only narrows what was
//! granted, and putting an entry in words for an approval page.
//!
//! - Parsing (§2): a JSON array of objects, each with a string `type`; the common fields
//!   `locations`, `actions`, `datatypes`, `privileges` are arrays of strings and `identifier` a
//!   string. At most [`MAX_ENTRIES`] entries and [`MAX_BYTES`] bytes; no control or
//!   bidirectional formatting characters in any string (the text is shown to people).
//! - Checking (§5): an entry of a type the tenant did not register, or one its JSON Schema
//!   refuses, is `invalid_authorization_details`.
//! - Narrowing: every requested entry must be covered by a granted entry of its type: each
//!   granted field present, equal, or narrower where the type says how
//!   ([`Narrowing`]); a requested entry may add fields (a further restriction).

use std::collections::HashMap;

use ciam_core::authorization_details::{AuthorizationDetailType, DetailTypeSpec, Narrowing};
use ciam_core::validation::is_bidi_control;
use serde_json::{Map, Value};

use crate::error::{ErrorCode, OAuthError};

/// The most entries one request may carry.
pub const MAX_ENTRIES: usize = 20;
/// The largest `authorization_details` value accepted, in bytes.
pub const MAX_BYTES: usize = 16 * 1024;
/// The common fields whose values are arrays of strings (RFC 9396 §2.2); they narrow as subsets.
const COMMON_ARRAYS: [&str; 4] = ["locations", "actions", "datatypes", "privileges"];

fn invalid(why: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidAuthorizationDetails, why.into())
}

/// A parsed `authorization_details` value: entries, each an object with a string `type`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details(Vec<Map<String, Value>>);

impl Details {
    /// Parses the parameter's value (a JSON array).
    pub fn parse(raw: &str) -> Result<Self, OAuthError> {
        if raw.len() > MAX_BYTES {
            return Err(invalid(format!("authorization_details is larger than {MAX_BYTES} bytes")));
        }
        let value: Value = serde_json::from_str(raw).map_err(|_| invalid("authorization_details is not JSON"))?;
        Self::from_value(value)
    }

    /// The `authorization_details` parameter of a request, if it has one.
    pub fn from_params(params: &crate::form::Params) -> Result<Option<Self>, OAuthError> {
        params.get("authorization_details").map(Self::parse).transpose()
    }

    /// Checks a value already parsed as JSON (a token's claim, a stored grant).
    pub fn from_value(value: Value) -> Result<Self, OAuthError> {
        let Value::Array(items) = value else { return Err(invalid("authorization_details must be a JSON array")) };
        if items.is_empty() {
            return Err(invalid("authorization_details must not be empty"));
        }
        if items.len() > MAX_ENTRIES {
            return Err(invalid(format!("authorization_details holds more than {MAX_ENTRIES} entries")));
        }
        let mut entries = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let Value::Object(entry) = item else { return Err(invalid(format!("entry {i} is not an object"))) };
            match entry.get("type") {
                Some(Value::String(t)) if !t.is_empty() => {}
                _ => return Err(invalid(format!("entry {i} has no type"))),
            }
            for field in COMMON_ARRAYS {
                if let Some(v) = entry.get(field)
                    && !v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                {
                    return Err(invalid(format!("entry {i}: {field} must be an array of strings")));
                }
            }
            if entry.get("identifier").is_some_and(|v| !v.is_string()) {
                return Err(invalid(format!("entry {i}: identifier must be a string")));
            }
            if !displayable(&Value::Object(entry.clone())) {
                return Err(invalid(format!("entry {i} holds control or bidirectional formatting characters")));
            }
            entries.push(entry);
        }
        Ok(Self(entries))
    }

    /// The entries.
    pub fn entries(&self) -> &[Map<String, Value>] {
        &self.0
    }

    /// The value as it goes into tokens and responses.
    pub fn to_value(&self) -> Value {
        Value::Array(self.0.iter().cloned().map(Value::Object).collect())
    }
}

fn entry_type(entry: &Map<String, Value>) -> &str {
    entry.get("type").and_then(Value::as_str).unwrap_or_default()
}

/// Whether every string in `v` (keys included) is free of control and bidi characters.
fn displayable(v: &Value) -> bool {
    let clean = |s: &str| !s.chars().any(|c| c.is_control() || is_bidi_control(c));
    match v {
        Value::String(s) => clean(s),
        Value::Array(items) => items.iter().all(displayable),
        Value::Object(map) => map.iter().all(|(k, v)| clean(k) && displayable(v)),
        _ => true,
    }
}

/// A tenant's registered types, with their schemas compiled once.
pub struct Types {
    types: HashMap<String, (DetailTypeSpec, jsonschema::Validator)>,
}

impl Types {
    /// Compiles the types; a type whose schema does not compile is left out (and logged): the
    /// admin API refuses such schemas, so only a corrupt row can have one.
    pub fn new(types: &[AuthorizationDetailType]) -> Self {
        let mut compiled = HashMap::new();
        for t in types {
            match jsonschema::validator_for(&t.spec.schema) {
                Ok(validator) => {
                    compiled.insert(t.id.clone(), (t.spec.clone(), validator));
                }
                Err(e) => {
                    tracing::error!(r#type = %t.id, error = %e, "an authorization details type's schema does not compile")
                }
            }
        }
        Self { types: compiled }
    }

    /// The registered type ids, sorted (discovery's `authorization_details_types_supported`).
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.types.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// The spec of a registered type.
    pub fn spec(&self, id: &str) -> Option<&DetailTypeSpec> {
        self.types.get(id).map(|(spec, _)| spec)
    }

    /// The authentication an approval of `details` needs: the highest level the rules of their
    /// types call for ([`ciam_core::authorization_details::ApprovalRule`]), if any does.
    pub fn approval_acr(&self, details: &Details) -> Option<ciam_core::Acr> {
        details
            .entries()
            .iter()
            .filter_map(|entry| {
                let kind = entry.get("type").and_then(Value::as_str)?;
                let rule = self.spec(kind)?.approval.as_ref()?;
                rule.applies_to(entry).then_some(rule.acr)
            })
            .max()
    }

    /// Checks every entry against its type: registered, and valid under its schema.
    pub fn check(&self, details: &Details) -> Result<(), OAuthError> {
        for (i, entry) in details.entries().iter().enumerate() {
            let t = entry_type(entry);
            let Some((_, validator)) = self.types.get(t) else {
                return Err(invalid(format!("entry {i}: type {t:?} is not supported")));
            };
            if let Some(error) = validator.iter_errors(&Value::Object(entry.clone())).next() {
                let at = error.instance_path().to_string();
                let at = if at.is_empty() { String::new() } else { format!(" at {at}") };
                return Err(invalid(format!("entry {i} ({t}) does not match its schema{at}")));
            }
        }
        Ok(())
    }

    /// Checks that `requested` asks for nothing beyond `granted`: each requested entry is
    /// covered by a granted entry of its type.
    pub fn narrows(&self, requested: &Details, granted: &Details) -> Result<(), OAuthError> {
        for (i, entry) in requested.entries().iter().enumerate() {
            let t = entry_type(entry);
            let rules = self.spec(t).map(|s| &s.narrowing);
            let covered = granted.entries().iter().filter(|g| entry_type(g) == t).any(|g| within(entry, g, "", rules));
            if !covered {
                return Err(invalid(format!("entry {i} ({t}) asks for more than was granted")));
            }
        }
        Ok(())
    }
}

/// Whether `r` asks for no more than `g`, field by field (`path` is the fields' parent).
fn within(
    r: &Map<String, Value>,
    g: &Map<String, Value>,
    path: &str,
    rules: Option<&std::collections::BTreeMap<String, Narrowing>>,
) -> bool {
    g.iter().all(|(key, granted)| {
        let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let Some(asked) = r.get(key) else { return false };
        let rule = rules
            .and_then(|r| r.get(&at))
            .copied()
            .or_else(|| (path.is_empty() && COMMON_ARRAYS.contains(&key.as_str())).then_some(Narrowing::Subset));
        match (rule, asked, granted) {
            (Some(Narrowing::AtMost), a, g) => at_most(a, g),
            (Some(Narrowing::Subset), Value::Array(a), Value::Array(g)) => a.iter().all(|v| g.contains(v)),
            (Some(Narrowing::Subset), ..) => false,
            (None, Value::Object(a), Value::Object(g)) => within(a, g, &at, rules),
            (_, a, g) => a == g,
        }
    })
}

/// `asked <= granted` for numbers and decimal strings of the same kind.
fn at_most(asked: &Value, granted: &Value) -> bool {
    match (asked, granted) {
        (Value::Number(a), Value::Number(g)) => a.as_f64().zip(g.as_f64()).is_some_and(|(a, g)| a <= g),
        (Value::String(a), Value::String(g)) => {
            decimal(a).zip(decimal(g)).is_some_and(|(a, g)| compare_decimals(&a, &g) != std::cmp::Ordering::Greater)
        }
        _ => false,
    }
}

/// A non-negative decimal string (`420`, `420.50`) as its integer digits (without leading
/// zeros) and fraction digits (without trailing zeros).
fn decimal(s: &str) -> Option<(String, String)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let int = int.trim_start_matches('0');
    Some((int.to_owned(), frac.trim_end_matches('0').to_owned()))
}

fn compare_decimals(a: &(String, String), b: &(String, String)) -> std::cmp::Ordering {
    a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)).then_with(|| a.1.cmp(&b.1))
}

mod words;
pub use words::{check_spec, in_words};

#[cfg(test)]
mod tests;
