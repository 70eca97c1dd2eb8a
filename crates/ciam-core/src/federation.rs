//! Upstream identity providers of a tenant (social and enterprise sign-in through OpenID
//! Connect) and the links between their accounts and the tenant's users.
//!
//! A user is found again by the pair (provider, upstream `sub`), never by email alone: an
//! address an upstream asserts links to an existing account only when the provider is trusted
//! for that address's domain (see `ciam_authn::federation`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use crate::id::{TenantId, UserId};
use crate::validation::{FieldError, display_text};

/// The longest provider id.
pub const MAX_ID_LEN: usize = 32;
/// The most entries in any of a provider's lists (scopes, domains, claim mappings).
pub const MAX_LIST: usize = 50;

/// What kind of upstream a provider is: a generic OpenID Connect provider, or a preset that
/// knows a well-known provider's rules.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Any OpenID Connect provider, found by discovery from its `issuer`.
    Oidc,
    /// Google (issuer `https://accounts.google.com`).
    Google,
    /// Microsoft Entra ID: a directory's issuer, or the multi-tenant `common`/`organizations`
    /// endpoints whose ID tokens carry the signing directory's id (`tid`) in their issuer.
    Microsoft,
    /// Sign in with Apple: the answer comes back by `form_post`, the client secret is a JWT
    /// signed with the developer's key (`apple_team_id`, `apple_key_id`, the key as
    /// `client_secret`), and the name comes only with the first sign-in.
    Apple,
    /// GitHub: OAuth 2.0, not OpenID Connect. The account is read from its user API and the
    /// address from its verified-emails API. `issuer` is the web address (`https://github.com`,
    /// or a GitHub Enterprise Server, whose API is under `/api/v3`).
    Github,
    /// A SAML 2.0 identity provider, described by its metadata (`saml_metadata`); `issuer` is
    /// its entity id.
    Saml,
}

impl ProviderKind {
    /// The issuer a preset uses when none is given.
    pub fn default_issuer(self) -> Option<&'static str> {
        match self {
            Self::Oidc => None,
            Self::Google => Some("https://accounts.google.com"),
            Self::Microsoft => Some("https://login.microsoftonline.com/common/v2.0"),
            Self::Apple => Some("https://appleid.apple.com"),
            Self::Github => Some("https://github.com"),
            Self::Saml => None,
        }
    }

    /// The scopes asked for when none are given.
    pub fn default_scopes(self) -> &'static [&'static str] {
        match self {
            Self::Github => &["read:user", "user:email"],
            Self::Saml => &[],
            Self::Apple => &["openid", "name", "email"],
            Self::Oidc | Self::Google | Self::Microsoft => &["openid", "email", "profile"],
        }
    }

    /// Whether the provider speaks OpenID Connect (discovery, ID tokens); GitHub and SAML
    /// providers do not.
    pub fn is_oidc(self) -> bool {
        !matches!(self, Self::Github | Self::Saml)
    }
}

/// How ciam authenticates to the upstream's token endpoint.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamClientAuth {
    /// HTTP Basic with the client secret (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// The client secret in the form body.
    ClientSecretPost,
    /// A JWT signed with the tenant's signing key (RFC 7523); the upstream reads the key from
    /// the tenant's published JWK Set.
    PrivateKeyJwt,
}

/// A provider's settings (everything but its client secret).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The kind of upstream.
    pub kind: ProviderKind,
    /// The name on the button: "Continue with {display_name}".
    pub display_name: String,
    /// An https image shown on the button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_uri: Option<String>,
    /// The upstream's issuer identifier (discovery is at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    /// ciam's client id at the upstream (not for `saml`).
    #[serde(default)]
    pub client_id: String,
    /// How ciam authenticates at the upstream's token endpoint.
    #[serde(default)]
    pub client_auth: UpstreamClientAuth,
    /// The scopes asked for (`openid` is always included for OpenID Connect providers); the
    /// kind's defaults when left out.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Profile claim → upstream claim, over the defaults (the standard claims of the same name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claim_mapping: BTreeMap<String, String>,
    /// Only upstream accounts with an address in these domains may sign in (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_domains: Vec<String>,
    /// Addresses in these domains are sent to this provider from the sign-in page (home-realm
    /// discovery) and by a `login_hint` with such an address or `@domain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub home_realm_domains: Vec<String>,
    /// The provider is trusted to assert addresses in these domains: a verified address it
    /// asserts links to the existing account with that address without asking the user to
    /// prove it (for an enterprise IdP that owns the domain). Elsewhere the user must sign in to
    /// the existing account once before the link is made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_email_domains: Vec<String>,
    /// Whether a first sign-in with an upstream account that matches no user creates one
    /// (just-in-time provisioning); otherwise only linked users may sign in.
    #[serde(default)]
    pub create_users: bool,
    /// Whether the upstream's multi-factor authentication counts here: an ID token whose `amr`
    /// holds `mfa` (or whose `acr` is one of `mfa_acr_values`) then satisfies a request for
    /// multi-factor authentication.
    #[serde(default)]
    pub trust_mfa: bool,
    /// `acr` values of the upstream that mean multi-factor authentication (with `trust_mfa`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mfa_acr_values: Vec<String>,
    /// Microsoft multi-tenant issuers: the directories (`tid`) whose accounts may sign in
    /// (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_tenants: Vec<String>,
    /// Sign in with Apple: the developer team's id (10 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_team_id: Option<String>,
    /// Sign in with Apple: the id of the key (10 characters) whose PKCS#8 PEM is the
    /// `client_secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_key_id: Option<String>,
    /// SAML: the identity provider's metadata (an `EntityDescriptor`, as XML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_metadata: Option<String>,
    /// SAML: where the metadata was fetched from (https), when it was given by URL; fetched
    /// again by every change that names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_metadata_url: Option<String>,
    /// SAML: whether responses the identity provider sends unasked (IdP-initiated sign-in, from
    /// its portal) are taken; they sign the person in to the account pages. Off by default: such
    /// a response is not bound to a sign-in this browser started.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub saml_allow_idp_initiated: bool,
    /// SAML: the attribute holding the address, when the NameID is not one (default: the first
    /// of `email`, `mail`, the LDAP `mail` OID and the WS-Federation `emailaddress` claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_email_attribute: Option<String>,
    /// Whether the button is shown and sign-ins are taken.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// The profile claims a mapping may fill.
pub const MAPPABLE_CLAIMS: [&str; 9] =
    ["name", "given_name", "family_name", "nickname", "preferred_username", "picture", "website", "locale", "zoneinfo"];

/// Whether `id` is a valid provider id: 1 to 32 of `a-z`, `0-9` and `-`, starting with a
/// letter or digit.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// An upstream issuer: https, or http on a loopback host (a provider on the same machine, for
/// development; the outbound client still refuses it unless private addresses are allowed).
pub fn issuer_url(s: &str) -> Result<Url, FieldError> {
    let bad = || FieldError::new("issuer", "must be an absolute https URL without query or fragment");
    let url = Url::parse(s).map_err(|_| bad())?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok
        || url.host().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || s.len() > 500
    {
        return Err(bad());
    }
    Ok(url)
}

fn domain_list(field: &'static str, list: &mut [String]) -> Result<(), FieldError> {
    if list.len() > MAX_LIST {
        return Err(FieldError::new(field, format!("must have at most {MAX_LIST} entries")));
    }
    for d in list.iter_mut() {
        *d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        let ok = !d.is_empty()
            && d.len() <= 253
            && d.contains('.')
            && d.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !l.starts_with('-')
            });
        if !ok {
            return Err(FieldError::new(field, format!("{d:?} is not a domain name")));
        }
    }
    Ok(())
}

fn token_list(field: &'static str, list: &[String], max_len: usize) -> Result<(), FieldError> {
    if list.len() > MAX_LIST {
        return Err(FieldError::new(field, format!("must have at most {MAX_LIST} entries")));
    }
    if list.iter().any(|s| s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_graphic())) {
        return Err(FieldError::new(field, "must hold printable ASCII tokens without spaces"));
    }
    Ok(())
}

impl ProviderConfig {
    /// Checks and normalises the settings; errors name the field.
    pub fn validate(mut self) -> Result<Self, FieldError> {
        self.display_name = display_text("display_name", &self.display_name, 64)?;
        if let Some(icon) = &self.icon_uri {
            crate::tenant::https_url(icon).map_err(|e| e.under("icon_uri"))?;
        }
        self.issuer = self.issuer.trim().to_owned();
        if self.kind == ProviderKind::Saml {
            // A SAML entity id is a URI, not always a URL (`urn:…`).
            if self.issuer.is_empty() || self.issuer.len() > 1024 || self.issuer.chars().any(char::is_control) {
                return Err(FieldError::new("issuer", "must be the identity provider's entity id"));
            }
        } else {
            self.issuer = self.issuer.trim_end_matches('/').to_owned();
            issuer_url(&self.issuer)?;
        }
        let saml = self.kind == ProviderKind::Saml;
        let client_id_ok = !self.client_id.is_empty() && self.client_id.len() <= 255;
        if (!saml && !client_id_ok) || self.client_id.chars().any(char::is_control) {
            return Err(FieldError::new("client_id", "must be 1 to 255 characters of text"));
        }
        match (&self.saml_metadata, saml) {
            (None, true) => return Err(FieldError::new("saml_metadata", "is required for kind saml")),
            (Some(m), true) if m.len() > 256 * 1024 => {
                return Err(FieldError::new("saml_metadata", "must be at most 256 KiB"));
            }
            (Some(_), false) => return Err(FieldError::new("saml_metadata", "applies to kind saml only")),
            _ => {}
        }
        if self.saml_allow_idp_initiated && !saml {
            return Err(FieldError::new("saml_allow_idp_initiated", "applies to kind saml only"));
        }
        if let Some(url) = &self.saml_metadata_url {
            if !saml {
                return Err(FieldError::new("saml_metadata_url", "applies to kind saml only"));
            }
            issuer_url(url).map_err(|_| FieldError::new("saml_metadata_url", "must be an absolute https URL"))?;
        }
        token_list("scopes", &self.scopes, 200)?;
        if self.scopes.is_empty() {
            self.scopes = self.kind.default_scopes().iter().map(|s| (*s).to_owned()).collect();
        }
        if self.kind.is_oidc() && !self.scopes.iter().any(|s| s == "openid") {
            self.scopes.insert(0, "openid".into());
        }
        let apple_id = |field: &'static str, v: &Option<String>| match v {
            Some(v) if v.len() == 10 && v.bytes().all(|b| b.is_ascii_alphanumeric()) => Ok(()),
            Some(_) => Err(FieldError::new(field, "must be the 10-character id Apple gave")),
            None if self.kind == ProviderKind::Apple => Err(FieldError::new(field, "is required for kind apple")),
            None => Ok(()),
        };
        apple_id("apple_team_id", &self.apple_team_id)?;
        apple_id("apple_key_id", &self.apple_key_id)?;
        if self.kind != ProviderKind::Apple && (self.apple_team_id.is_some() || self.apple_key_id.is_some()) {
            return Err(FieldError::new("apple_team_id", "applies to kind apple only"));
        }
        if self.claim_mapping.len() > MAX_LIST {
            return Err(FieldError::new("claim_mapping", format!("must have at most {MAX_LIST} entries")));
        }
        for (claim, upstream) in &self.claim_mapping {
            if !MAPPABLE_CLAIMS.contains(&claim.as_str()) {
                return Err(FieldError::new(
                    "claim_mapping",
                    format!("{claim:?} is not a profile claim that can be mapped ({})", MAPPABLE_CLAIMS.join(", ")),
                ));
            }
            if upstream.is_empty() || upstream.len() > 100 || upstream.chars().any(char::is_control) {
                return Err(FieldError::new("claim_mapping", format!("the upstream claim for {claim:?} is not valid")));
            }
        }
        domain_list("allowed_domains", &mut self.allowed_domains)?;
        domain_list("home_realm_domains", &mut self.home_realm_domains)?;
        domain_list("trusted_email_domains", &mut self.trusted_email_domains)?;
        token_list("mfa_acr_values", &self.mfa_acr_values, 200)?;
        token_list("allowed_tenants", &self.allowed_tenants, 100)?;
        if !self.allowed_tenants.is_empty() && self.kind != ProviderKind::Microsoft {
            return Err(FieldError::new("allowed_tenants", "applies to kind microsoft only"));
        }
        Ok(self)
    }

    /// Whether addresses in `domain` are sent to this provider.
    pub fn is_home_realm_of(&self, domain: &str) -> bool {
        self.enabled && self.home_realm_domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

/// An upstream identity provider of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The id, unique in the tenant (`corp`, `google`): in URLs and the `idp` parameter.
    pub id: String,
    /// The settings.
    pub config: ProviderConfig,
    /// The client secret, sealed with the server's master key (never returned by the API).
    pub sealed_secret: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

/// A link between an upstream account (provider, `sub`) and a user of the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedIdentity {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The provider's id.
    pub provider_id: String,
    /// The upstream's `sub` for this account.
    pub subject: String,
    /// The user it signs in.
    pub user_id: UserId,
    /// The address the upstream asserted when the link was made (for people to recognise it).
    pub email: Option<String>,
    /// When the link was made.
    pub linked_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn config() -> Result<ProviderConfig, serde_json::Error> {
        with(serde_json::json!({}))
    }

    fn with(change: serde_json::Value) -> Result<ProviderConfig, serde_json::Error> {
        let mut base = serde_json::json!({
            "kind": "oidc", "display_name": " Corp ", "issuer": "https://idp.corp.example/",
            "client_id": "ciam", "scopes": ["email"], "trusted_email_domains": ["@Corp.Example"]
        });
        if let (Some(b), serde_json::Value::Object(c)) = (base.as_object_mut(), change) {
            b.extend(c);
        }
        serde_json::from_value(base)
    }

    #[test]
    fn settings_are_normalised() -> TestResult {
        let c = config()?.validate().map_err(|e| e.message.to_string())?;
        assert_eq!(c.display_name, "Corp");
        assert_eq!(c.issuer, "https://idp.corp.example");
        assert_eq!(c.scopes, ["openid", "email"]);
        let github =
            with(serde_json::json!({"kind": "github", "scopes": []}))?.validate().map_err(|e| e.message.to_string())?;
        assert_eq!(github.scopes, ["read:user", "user:email"], "GitHub's defaults, without openid");
        assert_eq!(c.trusted_email_domains, ["corp.example"]);
        assert!(c.enabled);
        assert_eq!(c.client_auth, UpstreamClientAuth::ClientSecretBasic);
        Ok(())
    }

    #[test]
    fn bad_settings_name_their_field() -> TestResult {
        use serde_json::json;
        let cases = [
            ("issuer", json!({"issuer": "http://idp.corp.example"})),
            ("issuer", json!({"issuer": "https://idp.corp.example/?x=1"})),
            ("display_name", json!({"display_name": " "})),
            ("client_id", json!({"client_id": ""})),
            ("scopes", json!({"scopes": ["a b"]})),
            ("claim_mapping", json!({"claim_mapping": {"email": "mail"}})),
            ("allowed_domains", json!({"allowed_domains": ["not a domain"]})),
            ("allowed_tenants", json!({"allowed_tenants": ["x"]})),
            ("icon_uri", json!({"icon_uri": "javascript:alert(1)"})),
            ("apple_team_id", json!({"kind": "apple"})),
            ("apple_key_id", json!({"kind": "apple", "apple_team_id": "TEAM123456", "apple_key_id": "short"})),
            ("apple_team_id", json!({"apple_team_id": "TEAM123456"})),
        ];
        for (field, change) in cases {
            assert_eq!(with(change)?.validate().err().map(|e| e.field), Some(field.into()), "{field}");
        }
        Ok(())
    }

    #[test]
    fn ids_and_loopback_issuers() {
        assert!(valid_id("corp") && valid_id("google-2") && !valid_id("-x") && !valid_id("Corp") && !valid_id(""));
        assert!(!valid_id(&"a".repeat(33)));
        assert!(issuer_url("http://127.0.0.1:4000").is_ok());
        assert!(issuer_url("http://localhost:4000/oidc").is_ok());
        assert!(issuer_url("http://10.0.0.1").is_err());
    }
}
