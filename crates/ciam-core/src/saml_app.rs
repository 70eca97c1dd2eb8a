//! SAML applications: service providers a tenant signs its users into as a SAML 2.0 identity
//! provider. A SAML app is a client (it has a client id, a name, consents and appears among the
//! user's connected apps) whose protocol is SAML instead of OAuth: it holds no grant, no secret
//! and no redirect URI, and its [`SamlApp`] says where assertions go and what they carry.

use serde::{Deserialize, Serialize};

use crate::tenant::https_url;
use crate::validation::FieldError;

/// The most assertion consumer service URLs, and the most attributes, one app may register.
pub const MAX_SAML_LIST: usize = 20;

/// How long an assertion issued to an app is valid by default, seconds.
pub const DEFAULT_ASSERTION_LIFETIME: u32 = 300;

/// The NameID formats an app may ask for (SAML 2.0 Core §8.3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameIdFormat {
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`: an opaque identifier, stable for
    /// this user and this app, different for every app (apps cannot correlate users).
    #[default]
    Persistent,
    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`: the user's address (released
    /// only when it is verified).
    Email,
}

impl NameIdFormat {
    /// The format's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Persistent => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            Self::Email => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        }
    }

    /// The format a URI names; `unspecified` is `None` (the app's own format applies).
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::Persistent, Self::Email].into_iter().find(|f| f.uri() == uri)
    }
}

/// One attribute an app receives: a user claim under the app's name for it. Released only with
/// the user's consent to the scope that carries the claim, as for an OpenID Connect client.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlAttribute {
    /// The attribute's `Name` (for example `urn:oid:0.9.2342.19200300.100.1.3` or `email`).
    pub name: String,
    /// The user claim it carries (`email`, `given_name`, `family_name`, `name`, `locale`, …, or
    /// `sub`).
    pub claim: String,
    /// Its `FriendlyName`, if the app wants one (for example `mail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// Its `NameFormat` URI; default `urn:oasis:names:tc:SAML:2.0:attrname-format:uri` when the
    /// name is a URI, else `…:basic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_format: Option<String>,
}

/// The SAML side of a client.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlApp {
    /// The app's service provider metadata (XML), when it is registered from it: it fills
    /// `entity_id`, `acs_urls`, `slo_url`, `certificate` and `encryption_certificate` where they
    /// are not given. Read when the app is saved, not kept.
    #[cfg_attr(feature = "openapi", schema(write_only))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// The service provider's entity id (the `Issuer` of its requests, the `Audience` of its
    /// assertions). Unique in the tenant.
    #[serde(default)]
    pub entity_id: String,
    /// Its assertion consumer service URLs (HTTP-POST binding), https, 1-20. The first is the
    /// default; a request's `AssertionConsumerServiceURL` must be one of them exactly, and its
    /// `AssertionConsumerServiceIndex` is a position in this list.
    #[serde(default)]
    pub acs_urls: Vec<String>,
    /// Its single logout service (HTTP-Redirect binding): signing out of the tenant sends the
    /// browser there with a signed `LogoutRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo_url: Option<String>,
    /// The NameID the app receives, unless its request asks for the other one. Default
    /// `persistent`.
    #[serde(default)]
    pub name_id_format: NameIdFormat,
    /// The attributes it receives (with the user's consent).
    #[serde(default)]
    pub attributes: Vec<SamlAttribute>,
    /// The app's signing certificate (PEM or base64 DER), to check signed requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Refuse requests that are not signed with `certificate`. Default false.
    #[serde(default)]
    pub require_signed_requests: bool,
    /// Encrypt assertions to the app (AES-256-GCM, RSA-OAEP key transport). Default false.
    #[serde(default)]
    pub encrypt_assertions: bool,
    /// The certificate to encrypt to (PEM or base64 DER); absent: `certificate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_certificate: Option<String>,
    /// Sign the `Response`. Default true.
    #[serde(default = "yes")]
    pub sign_response: bool,
    /// Sign the `Assertion`. Default true.
    #[serde(default = "yes")]
    pub sign_assertion: bool,
    /// The app may be opened from the account centre, with an unsolicited response
    /// (IdP-initiated single sign-on). Default false.
    #[serde(default)]
    pub idp_initiated: bool,
    /// The `RelayState` sent with an IdP-initiated response (where the app lands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_relay_state: Option<String>,
    /// How long an assertion is valid, 60-3600 seconds. Default 300.
    #[serde(default = "default_lifetime")]
    pub assertion_lifetime: u32,
}

fn yes() -> bool {
    true
}

fn default_lifetime() -> u32 {
    DEFAULT_ASSERTION_LIFETIME
}

impl SamlApp {
    /// An app with its entity id and assertion consumer services, and every other setting at
    /// its default (persistent NameIDs, no attributes, response and assertion signed).
    pub fn new(entity_id: impl Into<String>, acs_urls: Vec<String>) -> Self {
        Self {
            metadata: None,
            entity_id: entity_id.into(),
            acs_urls,
            slo_url: None,
            name_id_format: NameIdFormat::default(),
            attributes: Vec::new(),
            certificate: None,
            require_signed_requests: false,
            encrypt_assertions: false,
            encryption_certificate: None,
            sign_response: true,
            sign_assertion: true,
            idp_initiated: false,
            default_relay_state: None,
            assertion_lifetime: DEFAULT_ASSERTION_LIFETIME,
        }
    }

    /// Structural rules; errors name the field under `saml`. Which claims exist is the
    /// caller's to check (the OpenID Connect claim list lives with the protocol).
    pub fn validate(&self) -> Result<(), FieldError> {
        let err = |field: String, message: &'static str| Err(FieldError::new(format!("saml.{field}"), message));
        if self.entity_id.trim().is_empty()
            || self.entity_id.len() > 1024
            || self.entity_id.chars().any(char::is_control)
        {
            return err("entity_id".into(), "must be 1-1024 characters without control characters");
        }
        if self.acs_urls.is_empty() || self.acs_urls.len() > MAX_SAML_LIST {
            return err("acs_urls".into(), "must list 1-20 assertion consumer service URLs");
        }
        for (i, url) in self.acs_urls.iter().enumerate() {
            https_or_loopback(url).map_err(|e| e.under(&format!("saml.acs_urls[{i}]")))?;
        }
        if let Some(url) = &self.slo_url {
            https_or_loopback(url).map_err(|e| e.under("saml.slo_url"))?;
        }
        if self.attributes.len() > MAX_SAML_LIST {
            return err("attributes".into(), "at most 20 attributes");
        }
        for (i, a) in self.attributes.iter().enumerate() {
            if a.name.trim().is_empty() || a.name.len() > 512 || a.name.chars().any(char::is_control) {
                return err(format!("attributes[{i}].name"), "must be 1-512 characters without control characters");
            }
            if let Some(f) = &a.friendly_name
                && (f.is_empty() || f.len() > 200 || f.chars().any(char::is_control))
            {
                return err(format!("attributes[{i}].friendly_name"), "must be 1-200 characters");
            }
            if let Some(f) = &a.name_format
                && url::Url::parse(f).is_err()
            {
                return err(format!("attributes[{i}].name_format"), "must be a URI");
            }
        }
        let mut names = std::collections::BTreeSet::new();
        if !self.attributes.iter().all(|a| names.insert(a.name.as_str())) {
            return err("attributes".into(), "names an attribute twice");
        }
        if self.require_signed_requests && self.certificate.is_none() {
            return err("certificate".into(), "require_signed_requests needs the app's certificate");
        }
        if self.encrypt_assertions && self.encryption_certificate.is_none() && self.certificate.is_none() {
            return err("encryption_certificate".into(), "encrypt_assertions needs a certificate to encrypt to");
        }
        for (field, cert) in
            [("certificate", &self.certificate), ("encryption_certificate", &self.encryption_certificate)]
        {
            if cert.as_deref().is_some_and(|c| certificate_der(c).is_none()) {
                return err(field.into(), "must be a certificate: PEM, or base64 DER");
            }
        }
        if !self.sign_response && !self.sign_assertion {
            return err("sign_assertion".into(), "the response, the assertion or both must be signed");
        }
        if !(60..=3600).contains(&self.assertion_lifetime) {
            return err("assertion_lifetime".into(), "must be 60-3600 seconds");
        }
        if let Some(r) = &self.default_relay_state
            && (r.len() > 80 * 1024 || r.chars().any(char::is_control))
        {
            return err("default_relay_state".into(), "must be text without control characters");
        }
        Ok(())
    }

    /// The assertion consumer service a request names (by URL or by index), or the default one.
    /// `None`: the request names one that is not registered.
    pub fn acs<'a>(&'a self, url: Option<&str>, index: Option<u16>) -> Option<&'a str> {
        match (url, index) {
            (Some(u), _) => self.acs_urls.iter().find(|a| a.as_str() == u).map(String::as_str),
            (None, Some(i)) => self.acs_urls.get(usize::from(i)).map(String::as_str),
            (None, None) => self.acs_urls.first().map(String::as_str),
        }
    }
}

/// The DER of a certificate given as PEM, or as base64 DER (as metadata carries it).
pub fn certificate_der(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).flat_map(|l| l.split_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().filter(|der| der.first() == Some(&0x30))
}

/// A tenant's SAML identity provider signing key, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SamlSigningKey {
    /// Owner.
    pub tenant_id: crate::id::TenantId,
    /// The RSA private key (PKCS#8 PEM), sealed with the master key and bound to the tenant.
    pub sealed_private: String,
    /// Its self-signed certificate (PEM), published in the tenant's IdP metadata.
    pub certificate: String,
    /// When it was made.
    pub created_at: time::OffsetDateTime,
}

impl std::fmt::Debug for SamlSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlSigningKey")
            .field("tenant_id", &self.tenant_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// An https URL, or http on a loopback address (development).
fn https_or_loopback(url: &str) -> Result<(), FieldError> {
    let loopback_http = url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            }
    });
    if loopback_http { Ok(()) } else { https_url(url) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> SamlApp {
        SamlApp {
            attributes: vec![SamlAttribute {
                name: "urn:oid:0.9.2342.19200300.100.1.3".into(),
                claim: "email".into(),
                friendly_name: Some("mail".into()),
                name_format: None,
            }],
            ..SamlApp::new(
                "https://wiki.example/saml",
                vec!["https://wiki.example/saml/acs".into(), "http://127.0.0.1:8080/acs".into()],
            )
        }
    }

    #[test]
    fn rules_name_the_field() {
        assert_eq!(app().validate(), Ok(()));
        type Change = Box<dyn Fn(&mut SamlApp)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|a| a.entity_id = " ".into()), "saml.entity_id"),
            (Box::new(|a| a.acs_urls.clear()), "saml.acs_urls"),
            (Box::new(|a| a.acs_urls[1] = "http://wiki.example/acs".into()), "saml.acs_urls[1]"),
            (Box::new(|a| a.slo_url = Some("ftp://x".into())), "saml.slo_url"),
            (Box::new(|a| a.attributes.push(a.attributes[0].clone())), "saml.attributes"),
            (Box::new(|a| a.attributes[0].name_format = Some("not a uri".into())), "saml.attributes[0].name_format"),
            (Box::new(|a| a.require_signed_requests = true), "saml.certificate"),
            (Box::new(|a| a.encrypt_assertions = true), "saml.encryption_certificate"),
            (Box::new(|a| a.certificate = Some("not a certificate".into())), "saml.certificate"),
            (
                Box::new(|a| {
                    a.sign_response = false;
                    a.sign_assertion = false;
                }),
                "saml.sign_assertion",
            ),
            (Box::new(|a| a.assertion_lifetime = 10), "saml.assertion_lifetime"),
        ];
        for (change, field) in cases {
            let mut a = app();
            change(&mut a);
            assert_eq!(a.validate().err().map(|e| e.field.into_owned()).as_deref(), Some(field));
        }
    }

    #[test]
    fn the_acs_is_a_registered_one() {
        let a = app();
        assert_eq!(a.acs(None, None), Some("https://wiki.example/saml/acs"));
        assert_eq!(a.acs(Some("http://127.0.0.1:8080/acs"), None), Some("http://127.0.0.1:8080/acs"));
        assert_eq!(a.acs(Some("https://wiki.example/saml/acs/"), None), None, "exact match only");
        assert_eq!(a.acs(None, Some(1)), Some("http://127.0.0.1:8080/acs"));
        assert_eq!(a.acs(None, Some(2)), None);
    }

    #[test]
    fn wire_form_defaults() -> Result<(), serde_json::Error> {
        let a: SamlApp =
            serde_json::from_value(serde_json::json!({"entity_id": "sp", "acs_urls": ["https://sp.example/acs"]}))?;
        assert!(a.sign_response && a.sign_assertion && !a.idp_initiated);
        assert_eq!((a.name_id_format, a.assertion_lifetime), (NameIdFormat::Persistent, 300));
        assert_eq!(NameIdFormat::from_uri(NameIdFormat::Email.uri()), Some(NameIdFormat::Email));
        assert!(
            serde_json::from_value::<SamlApp>(serde_json::json!({"entity_id": "sp", "acs_urls": [], "x": 1})).is_err()
        );
        Ok(())
    }
}
