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
    /// The rule the value broke, when it is one of the common ones ([`Rule`]): the message is
    /// its English words, and a page can say them in its reader's language.
    pub rule: Option<Rule>,
}

/// A common reason to refuse a value, with what it needs to be said: the administrator's
/// console translates these (the API answers with [`Rule`]'s English, the `message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The value is required.
    Required,
    /// At most `max` characters.
    TooLong {
        /// The most characters.
        max: usize,
    },
    /// No control characters.
    ControlCharacters,
    /// No bidirectional formatting characters.
    BidiCharacters,
    /// A whole number from `min` to `max`, counted in `unit`.
    Between {
        /// The least.
        min: u64,
        /// The most.
        max: u64,
        /// What is counted.
        unit: Unit,
    },
    /// An absolute https URL.
    HttpsUrl,
    /// A colour like `#1a2b3c`.
    Colour,
    /// At least one way to sign in.
    SignInMethod,
    /// A domain name like `example.com`.
    DomainName,
    /// A BCP 47 language tag.
    LanguageTag,
    /// An OIDC birthdate.
    Birthdate,
    /// An E.164 phone number.
    PhoneNumber,
    /// A scope token (RFC 6749 §3.3).
    ScopeToken,
    /// A redirect URI over http on a host that is not the loopback.
    RedirectNotHttps,
    /// A redirect URI with a fragment.
    RedirectFragment,
    /// A redirect URI with a wildcard.
    RedirectWildcard,
    /// A redirect URI that is not an absolute URI.
    RedirectNotAbsolute,
}

/// What a [`Rule::Between`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain number.
    Number,
    /// Seconds.
    Seconds,
    /// Days.
    Days,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("must not be empty"),
            Self::TooLong { max } => write!(f, "must be at most {max} characters"),
            Self::ControlCharacters => f.write_str("must not contain control characters"),
            Self::BidiCharacters => f.write_str("must not contain bidirectional formatting characters"),
            Self::Between { min, max, unit: Unit::Number } => write!(f, "must be {min}-{max}"),
            Self::Between { min, max, unit: Unit::Seconds } => write!(f, "must be {min}-{max} seconds"),
            Self::Between { min, max, unit: Unit::Days } => write!(f, "must be {min}-{max} days"),
            Self::HttpsUrl => f.write_str("must be an absolute https URL"),
            Self::Colour => f.write_str("must be a colour like #1a2b3c"),
            Self::SignInMethod => f.write_str("must offer at least one of password, passkey, email_code"),
            Self::DomainName => f.write_str(
                "must be a lowercase domain name like example.com (an internationalised one in its xn-- form)",
            ),
            Self::LanguageTag => f.write_str("must be a BCP 47 language tag such as en or pt-BR"),
            Self::Birthdate => f.write_str("must be YYYY-MM-DD or YYYY (OIDC Core §5.1)"),
            Self::PhoneNumber => f.write_str("must be in E.164 form, e.g. +14155550100"),
            Self::ScopeToken => f.write_str(
                "a scope must be 1-128 printable ASCII characters without spaces, '\"' or '\\' (RFC 6749 §3.3)",
            ),
            Self::RedirectNotHttps => f.write_str("http redirect URIs are allowed only on loopback; use https"),
            Self::RedirectFragment => f.write_str("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)"),
            Self::RedirectWildcard => f.write_str("a redirect URI must not contain wildcards; it is matched exactly"),
            Self::RedirectNotAbsolute => f.write_str("a redirect URI must be an absolute URI"),
        }
    }
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self { field: field.into(), message: message.into(), rule: None }
    }

    /// `field` broke `rule`; the message is the rule's English.
    pub fn rule(field: impl Into<Cow<'static, str>>, rule: Rule) -> Self {
        Self { field: field.into(), message: rule.to_string().into(), rule: Some(rule) }
    }

    /// The same error about `field` instead.
    #[must_use]
    pub fn on(self, field: impl Into<Cow<'static, str>>) -> Self {
        Self { field: field.into(), ..self }
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
        Self { field: field.into(), ..self }
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
        return Err(FieldError::rule(field, Rule::Required));
    }
    if value.chars().count() > max {
        return Err(FieldError::rule(field, Rule::TooLong { max }));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::rule(field, Rule::ControlCharacters));
    }
    if value.chars().any(is_bidi_control) {
        return Err(FieldError::rule(field, Rule::BidiCharacters));
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
