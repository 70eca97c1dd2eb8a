//! Tenants: isolated identity domains, each with its own issuer, users, clients and keys, and a
//! home region where its users' personal data lives.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use crate::contrast::{self, Rgb};
use crate::id::{Region, TenantId};
use crate::locale::Locale;
use crate::validation::{FieldError, Rule, Unit};

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The slug in `/t/{tenant}` URLs.
    pub id: TenantId,
    /// Name shown on hosted pages.
    pub display_name: String,
    /// The region whose databases hold this tenant's personal data.
    pub home_region: Region,
    /// Per-tenant settings.
    pub settings: TenantSettings,
    /// When the tenant was created.
    pub created_at: OffsetDateTime,
    /// When the tenant was last changed.
    pub updated_at: OffsetDateTime,
    /// Tells this tenant from an earlier one deleted under the same id: a random value chosen at
    /// creation and never changed. Every piece of the tenant's short-lived state is keyed by it
    /// (see [`TenantNs`]). Empty for tenants created before incarnations existed.
    pub incarnation: String,
}

impl Tenant {
    /// The namespace of this tenant's short-lived state.
    pub fn ns(&self) -> TenantNs {
        TenantNs::new(&self.id, &self.incarnation)
    }
}

/// The namespace of one tenant's short-lived state (sessions, codes, PAR requests, device codes,
/// sign-in flows, initial access tokens, replay caches, counters): its id and incarnation.
///
/// # Security
/// Deleting a tenant and creating another with the same id gives the new one another
/// incarnation, so nothing the old tenant left in the ephemeral store (an initial access token,
/// a pushed request, a device code, a session) can be reached through the new one: the keys
/// differ. Key builders take this type, not a [`TenantId`], so none can forget it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantNs(String);

impl TenantNs {
    /// The namespace of tenant `id` in its incarnation `incarnation` (empty: the tenant id alone).
    pub fn new(id: &TenantId, incarnation: &str) -> Self {
        if incarnation.is_empty() { Self(id.to_string()) } else { Self(format!("{id}@{incarnation}")) }
    }

    /// The namespace as it appears inside keys.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TenantNs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new random incarnation (64 bits, base64url).
pub fn new_incarnation() -> String {
    crate::secret::random_token(8)
}

/// Per-tenant settings, stored as one JSON document. Unknown keys are refused so a typo never
/// silently does nothing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TenantSettings {
    /// Look of the hosted pages.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub branding: Branding,
    /// DPoP proofs must carry a nonce this server issued (RFC 9449 §8), which bounds how long a
    /// proof made in advance stays usable. Default false: nonces are issued but not required.
    pub dpop_nonce_required: bool,
    /// Who may register clients at `/t/{tenant}/register` (RFC 7591).
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub registration: RegistrationPolicy,
    /// Which clients may name themselves by the URL of a metadata document instead of being
    /// registered (draft-ietf-oauth-client-id-metadata-document). Off unless a host is allowed.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub client_metadata_documents: ClientMetadataDocuments,
    /// How users sign in: the first factors offered and when a second one is needed.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub login: LoginSettings,
    /// The adaptive-security policy: rules, weights and thresholds (docs/security.md). `{}` is
    /// the default policy; checked by the policy engine when the tenant is saved.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub risk_policy: serde_json::Map<String, serde_json::Value>,
    /// The security profile of clients that do not name their own: `standard` (the default) or
    /// `fapi2` (docs/oidc.md, "FAPI 2.0").
    pub security_profile: crate::client::SecurityProfile,
    /// Token exchange (RFC 8693) rules for the whole tenant.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub token_exchange: TokenExchangeSettings,
    /// Identity chaining across trust domains: grants issued for other domains, and other
    /// domains' grants accepted (docs/agents.md).
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub identity_chaining: crate::chaining::IdentityChainingSettings,
    /// What the tenant is for: `production` (the default) or `development`. Only a development
    /// tenant may turn on the `testing` settings.
    pub environment: Environment,
    /// Settings for automated tests of applications, refused for production tenants.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub testing: TestingSettings,
    /// Self-service sign-up on the hosted pages (docs/hosted-pages.md). Closed by default.
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub signup: crate::signup::SignupSettings,
    /// Bringing users from another system (docs/migration.md).
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub migration: MigrationSettings,
    /// Retention and the erasure grace period (docs/privacy.md).
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub privacy: crate::retention::PrivacySettings,
    /// The signing keys' rotation schedule (docs/keys.md).
    #[serde(deserialize_with = "crate::validation::object_only")]
    pub keys: crate::signing_key::KeySettings,
}

/// How users still in another system come over.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MigrationSettings {
    /// The old system's password check (lazy migration): an https endpoint asked, at a sign-in
    /// with a password, about an address the tenant has no user for (or an imported user without
    /// a password hash). When it says the password is right, the user is created (or completed)
    /// with an argon2id hash, and it is never asked about that user again. Unset by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_password_check_url: Option<String>,
}

/// What a tenant is for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Real users: every protection applies and the `testing` settings are refused.
    #[default]
    Production,
    /// Development and automated tests of applications: the `testing` settings are allowed.
    Development,
}

/// Settings that make a development tenant easier to drive from automated tests. Each weakens
/// a protection, so the management API refuses them unless `environment` is `development`, and
/// the hosted sign-in page says when one is on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestingSettings {
    /// Sign-ins by scripts and automated browsers (curl, python-requests, headless Chromium,
    /// Playwright) are not stepped up for their user agent: the risk policy's `bot_user_agent`
    /// rule does not apply to this tenant. Default false.
    pub allow_scripted_sign_ins: bool,
}

impl TenantSettings {
    /// Whether the tenant lets scripted sign-ins through without a step-up for their user agent:
    /// only a development tenant with `testing.allow_scripted_sign_ins` on (checked again here,
    /// not only when the settings were saved).
    pub fn allows_scripted_sign_ins(&self) -> bool {
        self.environment == Environment::Development && self.testing.allow_scripted_sign_ins
    }
}

/// Token exchange rules for a tenant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenExchangeSettings {
    /// Every exchange must name its target with `resource` or `audience`. Default false: an
    /// exchange without one is issued for the subject token's own audience (RFC 8693 §2.1).
    pub require_target: bool,
    /// Transaction tokens (draft-ietf-oauth-transaction-tokens-10) for the workloads of one
    /// trust domain; off unless set, since the draft still changes.
    pub transaction_tokens: Option<TransactionTokenSettings>,
}

/// Where and to whom a tenant issues transaction tokens.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionTokenSettings {
    /// The trust domain: the `audience` every request names and the `aud` of every token.
    pub trust_domain: String,
    /// The clients (workloads) that may request transaction tokens.
    pub workloads: Vec<String>,
    /// How long a transaction token lives, seconds (1-300; default 60).
    #[serde(default = "default_txn_lifetime")]
    pub lifetime_secs: u32,
}

fn default_txn_lifetime() -> u32 {
    60
}

impl TransactionTokenSettings {
    fn validate(&self) -> Result<(), FieldError> {
        let at = |f: &str| format!("token_exchange.transaction_tokens.{f}");
        let t = &self.trust_domain;
        if t.is_empty() || t.len() > 200 || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(FieldError::new(
                at("trust_domain"),
                "must be 1-200 visible ASCII characters (a URI or a name)",
            ));
        }
        if self.workloads.is_empty() {
            return Err(FieldError::new(at("workloads"), "must name at least one client"));
        }
        for w in &self.workloads {
            crate::id::ClientId::parse(w)
                .map_err(|_| FieldError::new(at("workloads"), format!("{w:?} is not a client id")))?;
        }
        if !(1..=300).contains(&self.lifetime_secs) {
            return Err(FieldError::new(at("lifetime_secs"), "must be 1-300: transaction tokens are short-lived"));
        }
        Ok(())
    }
}

/// How a tenant's users sign in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginSettings {
    /// Email and password. Default true.
    pub password: bool,
    /// Passwordless sign-in with a passkey. Default true.
    pub passkey: bool,
    /// A one-time code (or link) sent by email. Default false.
    pub email_code: bool,
    /// When a second factor is required: `never`, `always`, or `risk` (the default: when the
    /// risk policy or the application's `acr_values` ask for it).
    pub mfa: MfaMode,
    /// Shortest new password, in characters (8-64). Default 8.
    pub password_min_length: usize,
    /// Refuse new passwords found in the list of most common breached passwords. Default true.
    pub refuse_common_passwords: bool,
    /// Token exchanges by agents need the user's recent strong authentication (multi-factor or
    /// passkey, within the risk policy's `strong_auth_age`); otherwise they are refused with
    /// `insufficient_user_authentication`. Default false.
    pub exchange_requires_strong_auth: bool,
    /// The longest a browser stays signed in, in seconds, however active the user is (300 to
    /// 34560000, i.e. 400 days). Default 43200 (12 hours).
    #[cfg_attr(feature = "openapi", schema(minimum = 300, maximum = 34_560_000))]
    pub session_lifetime_secs: u64,
    /// A browser session not used for this long ends, in seconds (60 to 2592000, i.e. 30 days);
    /// every use restarts the count, within `session_lifetime_secs`. Default 43200 (12 hours).
    #[cfg_attr(feature = "openapi", schema(minimum = 60, maximum = 2_592_000))]
    pub session_idle_timeout_secs: u64,
}

impl Default for LoginSettings {
    fn default() -> Self {
        Self {
            password: true,
            passkey: true,
            email_code: false,
            mfa: MfaMode::Risk,
            password_min_length: 8,
            refuse_common_passwords: true,
            exchange_requires_strong_auth: false,
            session_lifetime_secs: 12 * 3600,
            session_idle_timeout_secs: 12 * 3600,
        }
    }
}

/// When a second factor is required.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaMode {
    /// Only when an application asks for it with `acr_values`.
    Never,
    /// At every sign-in (a passkey counts as both factors).
    Always,
    /// When the risk policy or an application asks for it.
    #[default]
    Risk,
}

/// Policy for clients identified by the URL of their metadata document.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientMetadataDocuments {
    /// Hosts whose URLs may be used as `client_id`: exact names (`app.example.com`) or
    /// `*.example.com` for any name below `example.com`. Empty (the default) disables the feature.
    pub allowed_hosts: Vec<String>,
    /// Development only: documents may be fetched from loopback and private addresses, and over
    /// plain `http` on loopback. Takes effect only on servers that also allow private networks
    /// (`outbound.allow_private_networks`). Default false.
    pub allow_private_addresses: bool,
}

impl ClientMetadataDocuments {
    /// Whether any client may use a metadata document URL.
    pub fn enabled(&self) -> bool {
        !self.allowed_hosts.is_empty()
    }
}

/// Dynamic client registration (RFC 7591, RFC 7592) for a tenant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationPolicy {
    /// `closed` (the default), `initial_access_token` or `open`.
    pub mode: RegistrationMode,
    /// The most scope a registered client may get, also its default. Default
    /// `["openid", "profile", "email", "offline_access"]`.
    pub allowed_scopes: Vec<String>,
    /// Open registrations accepted per client IP address per hour (1-1000). Default 10.
    pub open_registrations_per_hour: u32,
}

/// Who may register.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Nobody: clients are created through the management API only. The registration endpoint
    /// is not advertised.
    #[default]
    Closed,
    /// Whoever holds an initial access token the admin issued; confidential clients too.
    InitialAccessToken,
    /// Anyone, for public clients (PKCE, no secret) within `allowed_scopes`, rate-limited per
    /// address; initial access token holders as above. The way MCP clients register.
    Open,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        Self {
            mode: RegistrationMode::Closed,
            allowed_scopes: ["openid", "profile", "email", "offline_access"].map(str::to_owned).to_vec(),
            open_registrations_per_hour: 10,
        }
    }
}

/// Logo, colour and stylesheet of the hosted pages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Branding {
    /// An `https` URL of the logo image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// The primary colour as `#rrggbb`: the background of the main buttons (with white text), the
    /// colour of links and focus outlines. White text on it must have a contrast ratio of at
    /// least 4.5:1 (WCAG 2.2 AA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    /// An `https` URL (no user-info, no fragment) of a stylesheet loaded after the built-in
    /// styles. The pages' Content-Security-Policy allows styles from its origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_css_uri: Option<String>,
    /// The language of the pages and mails when nothing else names one the server speaks (no
    /// `ui_locales`, `locale` claim, language picked on the pages or `Accept-Language` match):
    /// one of `en` (the default), `de`, `fr`, `es`, `ar`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<String>,
}

impl Branding {
    /// Checks the branding; errors name the field under `branding`.
    fn validate(&self) -> Result<(), FieldError> {
        if let Some(uri) = &self.logo_uri {
            https_url(uri).map_err(|e| e.under("branding.logo_uri"))?;
        }
        if let Some(c) = &self.primary_color {
            let rgb = Rgb::from_hex(c).ok_or_else(|| FieldError::rule("branding.primary_color", Rule::Colour))?;
            let ratio = rgb.contrast(Rgb::WHITE);
            if ratio < contrast::AA_TEXT {
                return Err(FieldError::new(
                    "branding.primary_color",
                    format!(
                        "white text on {c} has a contrast ratio of {}; at least {} is needed (WCAG 2.2 AA \
                         for normal text): choose a darker colour",
                        contrast::format_ratio(ratio),
                        contrast::format_ratio(contrast::AA_TEXT)
                    ),
                ));
            }
        }
        if let Some(uri) = &self.custom_css_uri {
            stylesheet_url(uri).map_err(|e| e.under("branding.custom_css_uri"))?;
        }
        if let Some(tag) = &self.default_locale
            && Locale::parse(tag).is_none()
        {
            let supported = Locale::ALL.map(Locale::tag).join(", ");
            return Err(FieldError::new("branding.default_locale", format!("must be one of {supported}")));
        }
        Ok(())
    }

    /// The tenant's default language: `default_locale`, or English when unset (or, stored before
    /// the rule, not a supported one).
    pub fn default_locale(&self) -> Locale {
        self.default_locale.as_deref().and_then(Locale::parse).unwrap_or_default()
    }

    /// The primary colour when white text on it meets AA, else `None`: what the pages may use.
    /// Tenants stored before the contrast rule may hold a colour that fails it.
    pub fn accessible_primary_color(&self) -> Option<&str> {
        let c = self.primary_color.as_deref()?;
        Rgb::from_hex(c).filter(|rgb| rgb.contrast(Rgb::WHITE) >= contrast::AA_TEXT).map(|_| c)
    }
}

impl TenantSettings {
    /// Checks every setting; errors name the field under `settings`.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.branding.validate()?;
        if let Some(txn) = &self.token_exchange.transaction_tokens {
            txn.validate()?;
        }
        self.identity_chaining.validate()?;
        crate::scope::ScopeSet::from_list(&self.registration.allowed_scopes)
            .map_err(|e| e.under("registration.allowed_scopes"))?;
        if !(1..=1000).contains(&self.registration.open_registrations_per_hour) {
            return Err(FieldError::rule(
                "registration.open_registrations_per_hour",
                Rule::Between { min: 1, max: 1000, unit: Unit::Number },
            ));
        }
        if let Some(url) = &self.migration.legacy_password_check_url {
            crate::federation::issuer_url(url)
                .map_err(|_| FieldError::rule("migration.legacy_password_check_url", Rule::HttpsUrl))?;
        }
        if !(self.login.password || self.login.passkey || self.login.email_code) {
            return Err(FieldError::rule("login", Rule::SignInMethod));
        }
        if !(8..=64).contains(&self.login.password_min_length) {
            return Err(FieldError::rule(
                "login.password_min_length",
                Rule::Between { min: 8, max: 64, unit: Unit::Number },
            ));
        }
        if !(300..=34_560_000).contains(&self.login.session_lifetime_secs) {
            return Err(FieldError::rule(
                "login.session_lifetime_secs",
                Rule::Between { min: 300, max: 34_560_000, unit: Unit::Seconds },
            ));
        }
        if !(60..=2_592_000).contains(&self.login.session_idle_timeout_secs) {
            return Err(FieldError::rule(
                "login.session_idle_timeout_secs",
                Rule::Between { min: 60, max: 2_592_000, unit: Unit::Seconds },
            ));
        }
        if self.testing.allow_scripted_sign_ins && self.environment != Environment::Development {
            return Err(FieldError::new(
                "testing.allow_scripted_sign_ins",
                "is a testing setting: only a tenant whose environment is development may turn it on",
            ));
        }
        self.signup.validate().map_err(|e| e.under("signup"))?;
        self.privacy.validate().map_err(|e| e.under("privacy"))?;
        self.keys.validate().map_err(|e| e.under("keys"))?;
        let hosts = &self.client_metadata_documents.allowed_hosts;
        if hosts.len() > 100 {
            return Err(FieldError::new("client_metadata_documents.allowed_hosts", "at most 100 hosts"));
        }
        for (i, h) in hosts.iter().enumerate() {
            crate::metadata_document::check_host_pattern(h)
                .map_err(|m| FieldError::new(format!("client_metadata_documents.allowed_hosts[{i}]"), m))?;
        }
        Ok(())
    }
}

/// Checks that `s` is an absolute `https` URL without user-info (logo and picture URLs end up in
/// `src` attributes, so `javascript:` and `data:` must never get through).
pub fn https_url(s: &str) -> Result<(), FieldError> {
    match Url::parse(s) {
        Ok(u)
            if u.scheme() == "https"
                && u.host().is_some()
                && u.username().is_empty()
                && u.password().is_none()
                && s.len() <= 2000 =>
        {
            Ok(())
        }
        _ => Err(FieldError::rule("", Rule::HttpsUrl)),
    }
}

/// The stylesheet URL of a tenant's pages and the origin their Content-Security-Policy allows
/// styles from (`https://host[:port]`); `Err` unless `s` is an [`https_url`] without a fragment.
pub fn stylesheet_url(s: &str) -> Result<(Url, String), FieldError> {
    https_url(s)?;
    let url = Url::parse(s).map_err(|_| FieldError::rule("", Rule::HttpsUrl))?;
    if url.fragment().is_some() {
        return Err(FieldError::new("", "must not have a fragment"));
    }
    let origin = url.origin().ascii_serialization();
    Ok((url, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branding_is_validated_z14() {
        let mut s = TenantSettings::default();
        assert!(s.validate().is_ok());
        s.branding.logo_uri = Some("javascript:alert(1)".into());
        assert_eq!(s.validate().unwrap_err().field, "branding.logo_uri");
        s.branding.logo_uri = Some("https://cdn.example/logo.svg".into());
        s.branding.primary_color = Some("red".into());
        assert_eq!(s.validate().unwrap_err().field, "branding.primary_color");
        s.branding.primary_color = Some("#0A5cCf".into());
        assert!(s.validate().is_ok());
        s.registration.allowed_scopes = vec!["bad scope\"".into()];
        assert_eq!(s.validate().unwrap_err().field, "registration.allowed_scopes[0]");
        s.registration.allowed_scopes = vec![];
        s.registration.open_registrations_per_hour = 0;
        assert_eq!(s.validate().unwrap_err().field, "registration.open_registrations_per_hour");
    }

    #[test]
    fn a_primary_color_needs_aa_contrast_with_white_text() {
        let mut s = TenantSettings::default();
        for ok in ["#767676", "#000000", "#2456D3", "#8a1c1c"] {
            s.branding.primary_color = Some(ok.into());
            assert!(s.validate().is_ok(), "{ok}");
            assert_eq!(s.branding.accessible_primary_color(), Some(ok));
        }
        for (low, ratio) in [("#777777", "4.48:1"), ("#ff0000", "4.00:1"), ("#ffffff", "1.00:1")] {
            s.branding.primary_color = Some(low.into());
            let e = s.validate().unwrap_err();
            assert_eq!(e.field, "branding.primary_color");
            assert!(e.message.contains(ratio) && e.message.contains("at least 4.50:1"), "{low}: {}", e.message);
            assert_eq!(s.branding.accessible_primary_color(), None, "{low} is not used on the pages");
        }
        s.branding.primary_color = Some("red".into());
        assert_eq!(s.branding.accessible_primary_color(), None);
        s.branding.primary_color = None;
        assert_eq!(s.branding.accessible_primary_color(), None);
    }

    #[test]
    fn a_custom_stylesheet_is_an_https_url_without_user_info_or_fragment() {
        let mut s = TenantSettings::default();
        for ok in ["https://cdn.example/brand.css", "https://cdn.example:8443/a/b.css?v=2"] {
            s.branding.custom_css_uri = Some(ok.into());
            assert!(s.validate().is_ok(), "{ok}");
        }
        for bad in [
            "http://cdn.example/brand.css",
            "https://user@cdn.example/brand.css",
            "https://:secret@cdn.example/brand.css",
            "https://cdn.example/brand.css#x",
            "https://cdn.example/brand.css#",
            "data:text/css,body{}",
            "javascript:alert(1)",
            "//cdn.example/brand.css",
            "brand.css",
        ] {
            s.branding.custom_css_uri = Some(bad.into());
            assert_eq!(s.validate().unwrap_err().field, "branding.custom_css_uri", "{bad}");
        }
        let (url, origin) = stylesheet_url("https://CDN.example:443/x.css").unwrap();
        assert_eq!((url.as_str(), origin.as_str()), ("https://cdn.example/x.css", "https://cdn.example"));
        assert_eq!(stylesheet_url("https://cdn.example:8443/x.css").unwrap().1, "https://cdn.example:8443");
        assert_eq!(stylesheet_url("https://b\u{fc}cher.example/x.css").unwrap().1, "https://xn--bcher-kva.example");
        let parsed: Branding = serde_json::from_str(r#"{"custom_css_uri":"https://cdn.example/b.css"}"#).unwrap();
        assert_eq!(parsed.custom_css_uri.as_deref(), Some("https://cdn.example/b.css"));
        assert!(serde_json::to_value(Branding::default()).unwrap().as_object().unwrap().is_empty(), "unset: absent");
    }

    #[test]
    fn a_default_locale_is_one_of_the_supported_languages() {
        let mut s = TenantSettings::default();
        assert_eq!(s.branding.default_locale(), Locale::En, "English unless set");
        for (tag, locale) in [("de", Locale::De), ("ar", Locale::Ar), ("ES", Locale::Es)] {
            s.branding.default_locale = Some(tag.into());
            assert!(s.validate().is_ok(), "{tag}");
            assert_eq!(s.branding.default_locale(), locale);
        }
        for bad in ["pt", "de-AT", "", "english"] {
            s.branding.default_locale = Some(bad.into());
            let e = s.validate().unwrap_err();
            assert_eq!(e.field, "branding.default_locale", "{bad}");
            assert_eq!(e.message, "must be one of en, de, fr, es, ar");
            assert_eq!(s.branding.default_locale(), Locale::En, "{bad} stored earlier: English");
        }
    }

    #[test]
    fn testing_settings_are_refused_for_production_tenants() {
        let mut s = TenantSettings::default();
        assert_eq!(s.environment, Environment::Production, "a tenant is production unless marked otherwise");
        assert!(!s.allows_scripted_sign_ins());
        s.testing.allow_scripted_sign_ins = true;
        assert_eq!(s.validate().unwrap_err().field, "testing.allow_scripted_sign_ins");
        assert!(!s.allows_scripted_sign_ins(), "not in effect for a production tenant, even if stored");
        s.environment = Environment::Development;
        assert!(s.validate().is_ok());
        assert!(s.allows_scripted_sign_ins());
        s.testing.allow_scripted_sign_ins = false;
        assert!(!s.allows_scripted_sign_ins());
        let parsed: TenantSettings = serde_json::from_value(
            serde_json::json!({"environment": "development", "testing": {"allow_scripted_sign_ins": true}}),
        )
        .unwrap();
        assert!(parsed.allows_scripted_sign_ins());
        for bad in [
            serde_json::json!({"environment": "staging"}),
            serde_json::json!({"testing": {"allow_scripted": true}}),
            serde_json::json!({"testing": null}),
        ] {
            assert!(serde_json::from_value::<TenantSettings>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_limits_are_validated() {
        let mut s = TenantSettings::default();
        assert_eq!((s.login.session_lifetime_secs, s.login.session_idle_timeout_secs), (43_200, 43_200));
        for (lifetime, idle, bad) in [
            (299, 3600, Some("login.session_lifetime_secs")),
            (34_560_001, 3600, Some("login.session_lifetime_secs")),
            (300, 59, Some("login.session_idle_timeout_secs")),
            (300, 2_592_001, Some("login.session_idle_timeout_secs")),
            (300, 60, None),
            // An idle timeout longer than the lifetime is allowed: it never ends a session first.
            (300, 2_592_000, None),
            (34_560_000, 3600, None),
        ] {
            s.login.session_lifetime_secs = lifetime;
            s.login.session_idle_timeout_secs = idle;
            assert_eq!(s.validate().err().map(|e| e.field.into_owned()), bad.map(str::to_owned), "{lifetime} {idle}");
        }
        let s: TenantSettings = serde_json::from_str(r#"{"login":{"session_idle_timeout_secs":900}}"#).unwrap();
        assert_eq!((s.login.session_lifetime_secs, s.login.session_idle_timeout_secs), (43_200, 900));
    }

    #[test]
    fn registration_is_closed_unless_opened() {
        let s: TenantSettings = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(s.registration.mode, RegistrationMode::Closed);
        let s: TenantSettings = serde_json::from_str(r#"{"registration":{"mode":"open"}}"#).unwrap();
        assert_eq!((s.registration.mode, s.registration.open_registrations_per_hour), (RegistrationMode::Open, 10));
        assert!(serde_json::from_str::<TenantSettings>(r#"{"registration":{"mode":"wide"}}"#).is_err());
    }

    #[test]
    fn metadata_document_policy_is_validated() {
        let mut s: TenantSettings = serde_json::from_str(r#"{"client_metadata_documents":{}}"#).unwrap();
        assert!(!s.client_metadata_documents.enabled());
        assert!(!s.client_metadata_documents.allow_private_addresses);
        s.client_metadata_documents.allowed_hosts = vec!["*.example.com".into(), "app.test".into()];
        assert!(s.validate().is_ok());
        assert!(s.client_metadata_documents.enabled());
        s.client_metadata_documents.allowed_hosts.push("*".into());
        assert_eq!(s.validate().unwrap_err().field, "client_metadata_documents.allowed_hosts[2]");
        assert!(serde_json::from_str::<TenantSettings>(r#"{"client_metadata_documents":[]}"#).is_err());
        assert!(
            serde_json::from_str::<TenantSettings>(r#"{"client_metadata_documents":{"allowed_host":[]}}"#).is_err()
        );
    }

    #[test]
    fn namespaces_tell_incarnations_apart() {
        let id = TenantId::parse("acme").unwrap();
        assert_eq!(TenantNs::new(&id, "").as_str(), "acme");
        assert_eq!(TenantNs::new(&id, "k3Jx").as_str(), "acme@k3Jx");
        assert_ne!(TenantNs::new(&id, &new_incarnation()), TenantNs::new(&id, &new_incarnation()));
    }

    #[test]
    fn settings_refuse_unknown_keys_and_arrays() {
        assert!(serde_json::from_str::<TenantSettings>(r#"{"branding":[]}"#).is_err());
        assert!(serde_json::from_str::<TenantSettings>(r#"{"brandin":{}}"#).is_err());
        assert!(serde_json::from_str::<TenantSettings>(r#"{}"#).is_ok());
    }
}
