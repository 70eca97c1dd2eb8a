//! Self-service sign-up: who may create an account on the hosted pages, what the form asks for,
//! and the documents a new user accepts (`settings.signup` of a tenant).

use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::tenant::https_url;
use crate::user::UserProfile;
use crate::validation::{FieldError, Rule, Unit, display_text};

/// A tenant's sign-up policy. Closed unless an administrator opens it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignupSettings {
    /// `closed` (the default: accounts come from the management API only), `open` (anyone may
    /// create an account on the hosted sign-up page) or `invite` (only through an invitation
    /// link an administrator issued).
    pub mode: SignupMode,
    /// An account created by sign-up cannot finish a sign-in to an application until its
    /// address is verified; the sign-in lands on the "check your mail" page. Default true.
    /// Accounts created through the management API are as the administrator made them.
    pub require_email_verification: bool,
    /// The profile claims the form asks for, in order, and whether each is required.
    pub fields: Vec<SignupField>,
    /// When not empty, only addresses at these domains may sign up (exact domain names,
    /// lowercase, compared with the address's domain).
    pub allowed_email_domains: Vec<String>,
    /// Addresses at these domains may not sign up.
    pub blocked_email_domains: Vec<String>,
    /// The terms of service; when set, the form has a checkbox the user must tick, and the
    /// acceptance is recorded with the URL, the version and the time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
    /// The privacy notice, linked from the form (and accepted together with the terms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
    /// The version of the documents accepted (free text, e.g. `2026-10`), recorded with the
    /// acceptance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents_version: Option<String>,
    /// Ask for the deployment's CAPTCHA (Turnstile or hCaptcha, `captcha` in the server's
    /// configuration) before an account is created. Default false.
    pub captcha: bool,
    /// Sign-ups accepted per network (an IPv4 /24 or IPv6 /56) per hour, 1-10000. Default 20.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub per_network_per_hour: u32,
}

impl Default for SignupSettings {
    fn default() -> Self {
        Self {
            mode: SignupMode::Closed,
            require_email_verification: true,
            fields: Vec::new(),
            allowed_email_domains: Vec::new(),
            blocked_email_domains: Vec::new(),
            terms_url: None,
            privacy_url: None,
            documents_version: None,
            captcha: false,
            per_network_per_hour: 20,
        }
    }
}

/// Who may create an account.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupMode {
    /// Nobody: accounts are created through the management API.
    #[default]
    Closed,
    /// Anyone, on the hosted sign-up page.
    Open,
    /// Whoever holds an invitation link.
    Invite,
}

/// One profile claim on the sign-up form.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupField {
    /// The claim.
    pub claim: ProfileClaim,
    /// Whether the form refuses to go on without it. Default false.
    #[serde(default)]
    pub required: bool,
}

/// The profile claims a sign-up form (and the account centre) may ask for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileClaim {
    /// Full name.
    Name,
    /// Given name(s).
    GivenName,
    /// Surname(s).
    FamilyName,
    /// Phone number, E.164 (`+4930123456`).
    PhoneNumber,
    /// Date of birth, `YYYY-MM-DD`.
    Birthdate,
    /// Preferred language, a BCP 47 tag (`de`, `fr-CA`).
    Locale,
}

impl ProfileClaim {
    /// Every claim, in the order forms show them.
    pub const ALL: [Self; 6] =
        [Self::Name, Self::GivenName, Self::FamilyName, Self::PhoneNumber, Self::Birthdate, Self::Locale];

    /// The claim's name (also the form field's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::PhoneNumber => "phone_number",
            Self::Birthdate => "birthdate",
            Self::Locale => "locale",
        }
    }

    /// The claim's value in `profile`.
    pub fn get(self, profile: &UserProfile) -> Option<&str> {
        match self {
            Self::Name => profile.name.as_deref(),
            Self::GivenName => profile.given_name.as_deref(),
            Self::FamilyName => profile.family_name.as_deref(),
            Self::PhoneNumber => profile.phone_number.as_deref(),
            Self::Birthdate => profile.birthdate.as_deref(),
            Self::Locale => profile.locale.as_deref(),
        }
    }

    /// Sets the claim in `profile` (`None` or blank clears it). Checked by
    /// [`UserProfile::validate`] afterwards.
    pub fn set(self, profile: &mut UserProfile, value: Option<&str>) {
        let value = value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let slot = match self {
            Self::Name => &mut profile.name,
            Self::GivenName => &mut profile.given_name,
            Self::FamilyName => &mut profile.family_name,
            Self::PhoneNumber => &mut profile.phone_number,
            Self::Birthdate => &mut profile.birthdate,
            Self::Locale => &mut profile.locale,
        };
        *slot = value;
    }
}

/// Why an address may not sign up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressRefusal {
    /// Not plain ASCII: internationalised addresses can hide look-alike characters
    /// (`pаypal.com` with a Cyrillic `а`) and few mail systems deliver to them.
    NotAscii,
    /// The domain is not among `allowed_email_domains`, or is among `blocked_email_domains`.
    Domain,
}

impl SignupSettings {
    /// Whether anyone may start a sign-up on the hosted pages without an invitation.
    pub fn is_open(&self) -> bool {
        self.mode == SignupMode::Open
    }

    /// Whether the form must show the documents' checkbox.
    pub fn asks_acceptance(&self) -> bool {
        self.terms_url.is_some() || self.privacy_url.is_some()
    }

    /// Whether `email` may create an account.
    ///
    /// # Security
    /// Only ASCII addresses sign themselves up: a look-alike address (a homoglyph of another
    /// user's or of a brand's domain) cannot be created on the hosted pages. A domain matches
    /// the lists exactly or as a subdomain (`mail.example.com` is at `example.com`).
    pub fn check_address(&self, email: &Email) -> Result<(), AddressRefusal> {
        let address = email.normalized();
        if !address.is_ascii() {
            return Err(AddressRefusal::NotAscii);
        }
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        let at = |d: &String| domain == d || domain.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.'));
        if self.blocked_email_domains.iter().any(at) {
            return Err(AddressRefusal::Domain);
        }
        if !self.allowed_email_domains.is_empty() && !self.allowed_email_domains.iter().any(at) {
            return Err(AddressRefusal::Domain);
        }
        Ok(())
    }

    /// Checks the policy; errors name the field under `signup`.
    pub fn validate(&self) -> Result<(), FieldError> {
        let mut seen = std::collections::HashSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            if !seen.insert(f.claim) {
                return Err(FieldError::new(format!("fields[{i}].claim"), "is listed twice"));
            }
        }
        for (name, list) in [
            ("allowed_email_domains", &self.allowed_email_domains),
            ("blocked_email_domains", &self.blocked_email_domains),
        ] {
            if list.len() > 1000 {
                return Err(FieldError::new(name, "at most 1000 domains"));
            }
            for (i, d) in list.iter().enumerate() {
                let ok = !d.is_empty()
                    && d.len() <= 253
                    && d.contains('.')
                    && d.split('.').all(|l| {
                        !l.is_empty()
                            && !l.starts_with('-')
                            && !l.ends_with('-')
                            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    });
                if !ok {
                    return Err(FieldError::rule(format!("{name}[{i}]"), Rule::DomainName));
                }
            }
        }
        for (name, url) in [("terms_url", &self.terms_url), ("privacy_url", &self.privacy_url)] {
            if let Some(u) = url {
                https_url(u).map_err(|e| e.under(name))?;
            }
        }
        if let Some(v) = &self.documents_version {
            display_text("documents_version", v, 64)?;
        }
        if self.documents_version.is_some() && !self.asks_acceptance() {
            return Err(FieldError::new("documents_version", "needs terms_url or privacy_url"));
        }
        if !(1..=10_000).contains(&self.per_network_per_hour) {
            return Err(FieldError::rule(
                "per_network_per_hour",
                Rule::Between { min: 1, max: 10_000, unit: Unit::Number },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn closed_by_default_and_verification_required() {
        let s: SignupSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s.mode, SignupMode::Closed);
        assert!(!s.is_open());
        assert!(s.require_email_verification);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn domain_lists_match_exactly_or_as_subdomains() {
        let s = SignupSettings {
            allowed_email_domains: vec!["example.com".into()],
            blocked_email_domains: vec!["spam.example.com".into()],
            ..SignupSettings::default()
        };
        assert_eq!(s.check_address(&email("ada@example.com")), Ok(()));
        assert_eq!(s.check_address(&email("ada@Mail.Example.com")), Ok(()));
        assert_eq!(s.check_address(&email("ada@badexample.com")), Err(AddressRefusal::Domain));
        assert_eq!(s.check_address(&email("ada@spam.example.com")), Err(AddressRefusal::Domain));
        assert_eq!(s.check_address(&email("ada@x.spam.example.com")), Err(AddressRefusal::Domain));
        assert_eq!(s.check_address(&email("ada@example.org")), Err(AddressRefusal::Domain));
    }

    #[test]
    fn look_alike_addresses_do_not_sign_up() {
        let s = SignupSettings::default();
        // A Cyrillic "а" in the domain, and in the local part.
        assert_eq!(s.check_address(&email("ada@p\u{0430}ypal.com")), Err(AddressRefusal::NotAscii));
        assert_eq!(s.check_address(&email("\u{0430}da@example.com")), Err(AddressRefusal::NotAscii));
        assert_eq!(s.check_address(&email("ada@xn--pypal-4ve.com")), Ok(()));
    }

    #[test]
    fn bad_policies_are_refused_with_their_field() {
        let field = |s: SignupSettings| s.validate().unwrap_err().field.into_owned();
        let twice = vec![
            SignupField { claim: ProfileClaim::Name, required: true },
            SignupField { claim: ProfileClaim::Name, required: false },
        ];
        assert_eq!(field(SignupSettings { fields: twice, ..Default::default() }), "fields[1].claim");
        let domains = vec!["example.com".into(), "Example.com".into()];
        assert_eq!(
            field(SignupSettings { allowed_email_domains: domains, ..Default::default() }),
            "allowed_email_domains[1]"
        );
        let blocked = vec!["@x.com".into()];
        assert_eq!(
            field(SignupSettings { blocked_email_domains: blocked, ..Default::default() }),
            "blocked_email_domains[0]"
        );
        let terms = Some("javascript:alert(1)".into());
        assert_eq!(field(SignupSettings { terms_url: terms, ..Default::default() }), "terms_url");
        let version = Some("v1".into());
        assert_eq!(field(SignupSettings { documents_version: version, ..Default::default() }), "documents_version");
        assert_eq!(field(SignupSettings { per_network_per_hour: 0, ..Default::default() }), "per_network_per_hour");
        let bad_mode = serde_json::from_str::<SignupSettings>(r#"{"mode":"everyone"}"#);
        assert!(bad_mode.is_err());
    }

    #[test]
    fn claims_are_read_and_set_by_name() {
        let mut p = UserProfile::default();
        for c in ProfileClaim::ALL {
            c.set(&mut p, Some(&format!(" {} ", c.as_str())));
            assert_eq!(c.get(&p), Some(c.as_str()));
            c.set(&mut p, Some("  "));
            assert_eq!(c.get(&p), None);
        }
    }
}
