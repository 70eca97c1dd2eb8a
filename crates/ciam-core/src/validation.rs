//! Validation errors that name the offending field, so every edge (admin API, configuration,
//! protocol endpoints) can tell the caller exactly what to fix.

use std::borrow::Cow;
use std::fmt;

/// One invalid input value: which field (a JSON-pointer-like dotted path) and why.
///
/// The message never repeats the rejected value, so a mistyped secret pasted into the wrong field
/// cannot leak into logs or responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `redirect_uris[1]`.
    pub field: Cow<'static, str>,
    /// Human-readable reason, safe to show to the caller.
    pub message: Cow<'static, str>,
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error re-rooted under a parent field (`scopes` + `[2]` -> `scopes[2]`).
    #[must_use]
    pub fn under(self, parent: &str) -> Self {
        let field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        Self { field: field.into(), message: self.message }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Checks a free-text display value: trimmed, non-empty, at most `max` characters and free of
/// control characters and bidirectional formatting characters. Returns the trimmed text.
///
/// # Security
/// Names end up in pages, mails and admin consoles: a right-to-left override (U+202E) or an
/// isolate would make `Ada\u{202E}moc.evil` display as something else, and a control character
/// (a line break) could start a new header line in a mail.
pub fn display_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    if value.chars().any(is_bidi_control) {
        return Err(FieldError::new(field, "must not contain bidirectional formatting characters"));
    }
    Ok(value.to_owned())
}

/// The Unicode bidirectional formatting characters (UAX #9 §2): embeddings, overrides,
/// isolates and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `deserialize_with` for struct-typed fields: accepts only a JSON object. (serde's derived
/// structs also accept an array of field values, so `"settings": []` would silently reset every
/// setting to its default.)
pub fn object_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize as _;
    match serde_json::Value::deserialize(d)? {
        v @ serde_json::Value::Object(_) => T::deserialize(v).map_err(serde::de::Error::custom),
        _ => Err(serde::de::Error::custom("invalid type: expected an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_builds_paths() {
        assert_eq!(FieldError::new("", "x").under("email").field, "email");
        assert_eq!(FieldError::new("[2]", "x").under("scopes").field, "scopes[2]");
        assert_eq!(FieldError::new("logo_uri", "x").under("settings").field, "settings.logo_uri");
    }

    #[test]
    fn display_text_rules() {
        assert_eq!(display_text("name", "  Acme  ", 10).unwrap(), "Acme");
        assert!(display_text("name", "   ", 10).is_err());
        assert!(display_text("name", "a\u{0}b", 10).is_err());
        assert!(display_text("name", "Ada\u{202E}moc.live", 30).is_err());
        assert!(display_text("name", "\u{2067}x\u{2069}", 30).is_err());
        // Right-to-left text itself is welcome.
        assert_eq!(display_text("name", "أدا", 10).unwrap(), "أدا");
        assert!(display_text("name", "ééééééééééé", 10).is_err());
        assert!(display_text("name", "éééééééééé", 10).is_ok());
    }
}
