//! Consent purposes and the consent ledger.
//!
//! A tenant declares what it uses personal data for ([`Purpose`]): a title and description per
//! language, the document it links to, the legal basis (GDPR Art. 6(1)), whether a user must
//! accept it to use the service, and the OAuth scopes bound to it. Every change of its words is
//! a new version with a new digest; a purpose that asks again shows its new version to every
//! user at their next sign-in.
//!
//! What users said is an append-only ledger of [`ConsentEvent`]s: granted or withdrawn, which
//! purpose and version (or which client and scopes, for an app's scope consent), through which
//! page or client, from which address, when. A user's current state is the latest event of
//! each purpose; history is never rewritten.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{TenantId, UserId};
use crate::locale::Locale;
use crate::scope::Scope;
use crate::secret::SecretHash;
use crate::tenant::https_url;
use crate::validation::{FieldError, display_text};

/// The ids sign-up's documents become: the terms of service and the privacy notice.
pub const TERMS: &str = "terms";
/// See [`TERMS`].
pub const PRIVACY: &str = "privacy";
/// The scope that releases the `consents` claim (the user's granted purposes).
pub const CONSENTS_SCOPE: &str = "consents";

/// The lawful basis of processing (GDPR Art. 6(1) (a)-(f)).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// (a) the user's consent: it can be withdrawn at any time, as easily as it was given.
    Consent,
    /// (b) a contract with the user (the terms of service).
    Contract,
    /// (c) a legal obligation.
    LegalObligation,
    /// (d) vital interests.
    VitalInterests,
    /// (e) a task in the public interest.
    PublicTask,
    /// (f) legitimate interests.
    LegitimateInterests,
}

impl LegalBasis {
    /// Whether the user may withdraw: only what rests on their consent.
    pub fn withdrawable(self) -> bool {
        self == Self::Consent
    }
}

/// A purpose's words in one language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeText {
    /// Short title, shown next to the checkbox (at most 120 characters).
    pub title: String,
    /// What is done with the data, in plain words (at most 2000 characters).
    #[serde(default)]
    pub description: String,
}

/// What an administrator sets on a purpose; the server keeps the version and digest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeSpec {
    /// The words per language tag (`en`, `de`, `fr`, `es`, `ar`); at least one. A page shows the
    /// user's language, else English, else the first.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, PurposeText>))]
    pub texts: BTreeMap<String, PurposeText>,
    /// The document the purpose stands for (https), linked from the pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The lawful basis; only `consent` may be withdrawn by the user.
    pub legal_basis: LegalBasis,
    /// The user must grant it to sign up and to sign in to applications.
    #[serde(default)]
    pub required: bool,
    /// A new version (changed words) asks every user again at their next sign-in; otherwise
    /// earlier grants stand for the new version.
    #[serde(default)]
    pub ask_again: bool,
    /// OAuth scopes bound to the purpose: tokens carry them only while the user grants it.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A consent purpose of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Stable id: lowercase letters, digits, `-` and `_`, at most 64.
    pub id: String,
    /// What the administrator set.
    pub spec: PurposeSpec,
    /// From 1; raised by every change of the words or the document.
    pub version: u32,
    /// SHA-256 (hex) of the words and the document of this version.
    pub digest: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

/// Checks a purpose id.
pub fn check_id(id: &str) -> Result<(), FieldError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(FieldError::new("id", "must be 1-64 of a-z, 0-9, - and _")) }
}

impl PurposeSpec {
    /// Checks the settings; errors name the field. Returns the spec with trimmed texts.
    pub fn validate(mut self) -> Result<Self, FieldError> {
        if self.texts.is_empty() {
            return Err(FieldError::new("texts", "needs at least one language"));
        }
        for (lang, text) in &mut self.texts {
            if Locale::parse(lang).is_none() || lang.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(FieldError::new(format!("texts.{lang}"), "must be one of en, de, fr, es, ar"));
            }
            text.title = display_text("title", &text.title, 120).map_err(|e| e.under(&format!("texts.{lang}")))?;
            let description = text.description.trim();
            if description.chars().count() > 2000 || description.chars().any(|c| c.is_control() && c != '\n') {
                return Err(FieldError::new(
                    format!("texts.{lang}.description"),
                    "must be at most 2000 characters, without control characters",
                ));
            }
            text.description = description.to_owned();
        }
        if let Some(u) = &self.url {
            https_url(u).map_err(|e| e.under("url"))?;
        }
        if self.scopes.len() > 50 {
            return Err(FieldError::new("scopes", "at most 50 scopes"));
        }
        for (i, s) in self.scopes.iter().enumerate() {
            if Scope::parse(s).is_err() {
                return Err(FieldError::new(format!("scopes[{i}]"), "must be one scope token"));
            }
            if s == "openid" {
                return Err(FieldError::new(format!("scopes[{i}]"), "openid cannot be bound to a purpose"));
            }
        }
        Ok(self)
    }

    /// The digest of the words and the document: what a user saw when they answered.
    pub fn digest(&self) -> String {
        // Serialising maps of strings cannot fail; a failure would give the digest of "".
        let body = serde_json::to_string(&(&self.texts, &self.url)).unwrap_or_default();
        SecretHash::of(&body).as_str().to_owned()
    }

    /// The words in `locale`, else in English, else the first language.
    pub fn text(&self, locale: Locale) -> Option<&PurposeText> {
        self.texts.get(locale.tag()).or_else(|| self.texts.get("en")).or_else(|| self.texts.values().next())
    }
}

impl Purpose {
    /// A new purpose at version 1.
    pub fn new(tenant: &TenantId, id: &str, spec: PurposeSpec, now: OffsetDateTime) -> Self {
        let digest = spec.digest();
        Self {
            tenant_id: tenant.clone(),
            id: id.to_owned(),
            spec,
            version: 1,
            digest,
            created_at: now,
            updated_at: now,
        }
    }

    /// This purpose with `spec`: a new version when the words or the document changed.
    pub fn updated(&self, spec: PurposeSpec, now: OffsetDateTime) -> Self {
        let digest = spec.digest();
        let version = if digest == self.digest { self.version } else { self.version.saturating_add(1) };
        Self { spec, version, digest, updated_at: now, ..self.clone() }
    }

    /// Whether a user whose latest answer is `state` must be asked (again) before signing in:
    /// a required purpose never granted, or granted at an earlier version of a purpose that
    /// asks again; an optional purpose that asks again and was answered at an earlier version.
    pub fn must_ask(&self, state: Option<&PurposeConsent>) -> bool {
        match state {
            None => self.spec.required,
            Some(s) if s.version < self.version && self.spec.ask_again => true,
            Some(s) => self.spec.required && !s.granted,
        }
    }

    /// Whether a user whose latest answer is `state` grants the purpose now.
    pub fn granted_by(&self, state: Option<&PurposeConsent>) -> bool {
        state.is_some_and(|s| s.granted && (s.version >= self.version || !self.spec.ask_again))
    }
}

/// Granted or withdrawn.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// The user agreed.
    Granted,
    /// The user took it back (or declined).
    Withdrawn,
}

impl ConsentAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "granted" => Some(Self::Granted),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }
}

/// What a consent event is about: a purpose at a version, or an app's scopes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsentTopic {
    /// A tenant's purpose.
    Purpose {
        /// The purpose id.
        purpose: String,
        /// Its version when answered.
        version: u32,
        /// The digest of the words the user saw.
        digest: String,
    },
    /// The scopes an application asked for (OAuth consent).
    Scope {
        /// The client.
        client_id: String,
        /// The scopes granted (after the event: the whole remembered set), space-separated.
        scope: String,
    },
}

/// One entry of a user's consent ledger.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentEvent {
    /// The tenant.
    #[serde(skip)]
    pub tenant_id: TenantId,
    /// The user.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user_id: UserId,
    /// Position in the tenant's ledger (given by the store; 0 before it is recorded).
    pub seq: i64,
    /// Granted or withdrawn.
    pub action: ConsentAction,
    /// What about.
    #[serde(flatten)]
    pub topic: ConsentTopic,
    /// Where: `signup`, `authorize` (the sign-in's consent pages), `account` (the account
    /// centre), `device`, `saml` or `admin`.
    pub channel: String,
    /// The application the user was signing in to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_client: Option<String>,
    /// The user's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
}

/// A user's latest answer about one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeConsent {
    /// The purpose.
    pub purpose: String,
    /// The version answered.
    pub version: u32,
    /// Whether the answer was a grant.
    pub granted: bool,
    /// When.
    pub at: OffsetDateTime,
}

/// How many users hold one version of a purpose.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionCount {
    /// The version.
    pub version: u32,
    /// Users whose latest answer granted it.
    pub granted: u64,
    /// Users whose latest answer at this version withdrew or declined.
    pub withdrawn: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn spec(title: &str) -> PurposeSpec {
        PurposeSpec {
            texts: BTreeMap::from([("en".into(), PurposeText { title: title.into(), description: String::new() })]),
            url: None,
            legal_basis: LegalBasis::Consent,
            required: false,
            ask_again: true,
            scopes: vec!["newsletter".into()],
        }
    }

    fn state(version: u32, granted: bool) -> PurposeConsent {
        PurposeConsent { purpose: "p".into(), version, granted, at: datetime!(2026-12-01 0:00 UTC) }
    }

    #[test]
    fn changed_words_make_a_new_version() -> TestResult {
        let t = TenantId::parse("acme")?;
        let p = Purpose::new(&t, "news", spec("News"), datetime!(2026-12-01 0:00 UTC));
        assert_eq!(p.version, 1);
        let same = p.updated(PurposeSpec { required: true, ..spec("News") }, datetime!(2026-12-02 0:00 UTC));
        assert_eq!((same.version, &same.digest), (1, &p.digest), "settings alone are no new version");
        let reworded = p.updated(spec("News and offers"), datetime!(2026-12-02 0:00 UTC));
        assert_eq!(reworded.version, 2);
        assert_ne!(reworded.digest, p.digest);
        Ok(())
    }

    #[test]
    fn who_is_asked_again() -> TestResult {
        let t = TenantId::parse("acme")?;
        let mut p = Purpose::new(&t, "news", spec("News"), datetime!(2026-12-01 0:00 UTC));
        p.version = 2;
        // Optional: never answered is not asked at sign-in; an older answer is, when it asks again.
        assert!(!p.must_ask(None));
        assert!(p.must_ask(Some(&state(1, true))));
        assert!(p.must_ask(Some(&state(1, false))));
        assert!(!p.must_ask(Some(&state(2, false))));
        assert!(!p.granted_by(Some(&state(1, true))), "an older version does not count when it asks again");
        assert!(p.granted_by(Some(&state(2, true))));
        p.spec.ask_again = false;
        assert!(!p.must_ask(Some(&state(1, true))));
        assert!(p.granted_by(Some(&state(1, true))), "a minor change keeps earlier grants");
        // Required: asked until granted.
        p.spec.required = true;
        assert!(p.must_ask(None));
        assert!(p.must_ask(Some(&state(2, false))));
        assert!(!p.must_ask(Some(&state(1, true))));
        Ok(())
    }

    #[test]
    fn bad_settings_name_their_field() {
        let field = |s: PurposeSpec| s.validate().map(|_| String::new()).unwrap_or_else(|e| e.field.to_string());
        assert_eq!(field(PurposeSpec { texts: BTreeMap::new(), ..spec("x") }), "texts");
        let mut de = spec("x");
        de.texts.insert("pt".into(), PurposeText { title: "x".into(), description: String::new() });
        assert_eq!(field(de), "texts.pt");
        assert_eq!(field(spec(" ")), "texts.en.title");
        assert_eq!(field(PurposeSpec { url: Some("http://x.example".into()), ..spec("x") }), "url");
        assert_eq!(field(PurposeSpec { scopes: vec!["a b".into()], ..spec("x") }), "scopes[0]");
        assert_eq!(field(PurposeSpec { scopes: vec!["openid".into()], ..spec("x") }), "scopes[0]");
        assert_eq!(field(spec("ok")), "");
        assert!(check_id("marketing_v2").is_ok());
        assert!(check_id("Marketing").is_err());
    }
}
