//! SAML metadata (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os): what ciam reads of an
//! identity provider's and of a service provider's, the documents it publishes as a service
//! provider and as an identity provider, and the key behind both.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::xml::{self, attr, children, escape, is};
use crate::{BINDING_POST, BINDING_REDIRECT, NAMEID_EMAIL, NAMEID_PERSISTENT, NS_DSIG, NS_METADATA, NS_PROTOCOL};

/// Why SAML metadata (an identity provider's or a service provider's) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the SAML metadata {0}")]
pub struct MetadataError(pub String);

/// What ciam needs of an identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// Its `entityID`: the `Issuer` of its responses.
    pub entity_id: String,
    /// Its single sign-on endpoint for the HTTP-Redirect binding.
    pub sso_url: String,
    /// Its signing certificates (DER), from `KeyDescriptor`s for signing (or without `use`).
    pub signing_certificates: Vec<Vec<u8>>,
    /// Whether it wants the `AuthnRequest`s signed (`WantAuthnRequestsSigned`).
    pub want_authn_requests_signed: bool,
}

impl IdpMetadata {
    /// Reads an `EntityDescriptor` with an `IDPSSODescriptor` (the first one, when the document
    /// is an `EntitiesDescriptor`).
    pub fn parse(text: &str) -> Result<Self, MetadataError> {
        let bad = |why: &str| MetadataError(why.to_owned());
        let doc = xml::parse(text).map_err(MetadataError)?;
        let root = doc.document_element().ok_or_else(|| bad("is empty"))?;
        let entity = if is(&doc, root, NS_METADATA, "EntityDescriptor") {
            root
        } else if is(&doc, root, NS_METADATA, "EntitiesDescriptor") {
            *children(&doc, root, NS_METADATA, "EntityDescriptor")
                .first()
                .ok_or_else(|| bad("has no EntityDescriptor"))?
        } else {
            return Err(bad("is not SAML metadata (no EntityDescriptor)"));
        };
        let entity_id =
            attr(&doc, entity, "entityID").filter(|e| !e.is_empty()).ok_or_else(|| bad("has no entityID"))?;
        let idp = *children(&doc, entity, NS_METADATA, "IDPSSODescriptor")
            .first()
            .ok_or_else(|| bad("describes no identity provider (IDPSSODescriptor)"))?;
        let sso_url = children(&doc, idp, NS_METADATA, "SingleSignOnService")
            .into_iter()
            .find(|s| attr(&doc, *s, "Binding") == Some(BINDING_REDIRECT))
            .and_then(|s| attr(&doc, s, "Location"))
            .ok_or_else(|| bad("has no SingleSignOnService for the HTTP-Redirect binding"))?;
        url::Url::parse(sso_url).map_err(|_| bad("has a SingleSignOnService Location that is not a URL"))?;
        let mut signing_certificates = Vec::new();
        for key in children(&doc, idp, NS_METADATA, "KeyDescriptor") {
            if attr(&doc, key, "use").is_some_and(|u| u != "signing") {
                continue;
            }
            for cert in doc.get_elements_by_tag_name_ns(NS_DSIG, "X509Certificate") {
                if !is_descendant(&doc, cert, key) {
                    continue;
                }
                let b64: String = xml::text(&doc, cert).split_whitespace().collect();
                let der = STANDARD.decode(b64).map_err(|_| bad("has an X509Certificate that is not base64"))?;
                signing_certificates.push(der);
            }
        }
        if signing_certificates.is_empty() {
            return Err(bad("has no signing certificate (KeyDescriptor with an X509Certificate)"));
        }
        Ok(Self {
            entity_id: entity_id.to_owned(),
            sso_url: sso_url.to_owned(),
            signing_certificates,
            want_authn_requests_signed: attr(&doc, idp, "WantAuthnRequestsSigned").is_some_and(is_true),
        })
    }
}

/// What ciam, as identity provider, needs of a service provider (a SAML app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpMetadata {
    /// Its `entityID`: the `Issuer` of its requests and the `Audience` of the assertions.
    pub entity_id: String,
    /// Its assertion consumer services for the HTTP-POST binding (`http` or `https` URLs): the
    /// default ones (`isDefault="true"`) first, then by `index` (in document order when equal,
    /// those without an `index` last). Never empty.
    pub acs_urls: Vec<String>,
    /// Its single logout service for the HTTP-Redirect binding (the first one's `Location`).
    pub slo_url: Option<String>,
    /// The certificate (DER) its requests are signed with: the first `KeyDescriptor` for
    /// signing (or without `use`) that carries an `X509Certificate`.
    pub signing_certificate: Option<Vec<u8>>,
    /// The certificate (DER) to encrypt assertions to: the first `KeyDescriptor` for
    /// encryption that carries an `X509Certificate`, else the first one without `use`.
    pub encryption_certificate: Option<Vec<u8>>,
    /// Whether it signs its `AuthnRequest`s (`AuthnRequestsSigned`).
    pub authn_requests_signed: bool,
    /// Whether it wants the assertions signed (`WantAssertionsSigned`).
    pub want_assertions_signed: bool,
    /// The NameID formats it takes (`NameIDFormat`), in its order.
    pub name_id_formats: Vec<String>,
}

impl SpMetadata {
    /// Reads an `EntityDescriptor` with an `SPSSODescriptor` for SAML 2.0 (the first such one,
    /// when the document is an `EntitiesDescriptor`). Only what the `SPSSODescriptor` holds is
    /// read: a certificate elsewhere in the document is never taken.
    pub fn parse(text: &str) -> Result<Self, MetadataError> {
        let bad = |why: &str| MetadataError(why.to_owned());
        let doc = xml::parse(text).map_err(MetadataError)?;
        let root = doc.document_element().ok_or_else(|| bad("is empty"))?;
        let (entity, sp) = if is(&doc, root, NS_METADATA, "EntityDescriptor") {
            let sp = sp_descriptor(&doc, root)
                .ok_or_else(|| bad("describes no SAML 2.0 service provider (SPSSODescriptor)"))?;
            (root, sp)
        } else if is(&doc, root, NS_METADATA, "EntitiesDescriptor") {
            children(&doc, root, NS_METADATA, "EntityDescriptor")
                .into_iter()
                .find_map(|e| sp_descriptor(&doc, e).map(|sp| (e, sp)))
                .ok_or_else(|| bad("has no EntityDescriptor of a SAML 2.0 service provider (SPSSODescriptor)"))?
        } else {
            return Err(bad("is not SAML metadata (no EntityDescriptor)"));
        };
        let entity_id =
            attr(&doc, entity, "entityID").filter(|e| !e.is_empty()).ok_or_else(|| bad("has no entityID"))?;

        let mut acs = Vec::new();
        for service in children(&doc, sp, NS_METADATA, "AssertionConsumerService") {
            if attr(&doc, service, "Binding") != Some(BINDING_POST) {
                continue;
            }
            let location = web_url(attr(&doc, service, "Location"))
                .ok_or_else(|| bad("has an AssertionConsumerService whose Location is not an http(s) URL"))?;
            let index = attr(&doc, service, "index")
                .map(|i| i.trim().parse::<u16>())
                .transpose()
                .map_err(|_| bad("has an AssertionConsumerService whose index is not a number"))?;
            let default = attr(&doc, service, "isDefault").is_some_and(is_true);
            acs.push((!default, index.map_or(u32::MAX, u32::from), location));
        }
        // Stable: equal keys keep the document's order.
        acs.sort_by_key(|(not_default, index, _)| (*not_default, *index));
        let acs_urls: Vec<String> = acs.into_iter().map(|(_, _, location)| location).collect();
        if acs_urls.is_empty() {
            return Err(bad("has no AssertionConsumerService for the HTTP-POST binding"));
        }

        let slo_url = match children(&doc, sp, NS_METADATA, "SingleLogoutService")
            .into_iter()
            .find(|s| attr(&doc, *s, "Binding") == Some(BINDING_REDIRECT))
        {
            Some(service) => Some(
                web_url(attr(&doc, service, "Location"))
                    .ok_or_else(|| bad("has a SingleLogoutService whose Location is not an http(s) URL"))?,
            ),
            None => None,
        };

        let mut signing_certificate = None;
        let mut encryption_certificate = None;
        let mut unqualified_certificate = None;
        for key in children(&doc, sp, NS_METADATA, "KeyDescriptor") {
            let Some(der) = certificate(&doc, key)? else {
                continue;
            };
            let usage = attr(&doc, key, "use");
            if matches!(usage, None | Some("signing")) && signing_certificate.is_none() {
                signing_certificate = Some(der.clone());
            }
            match usage {
                Some("encryption") if encryption_certificate.is_none() => encryption_certificate = Some(der),
                None if unqualified_certificate.is_none() => unqualified_certificate = Some(der),
                _ => {}
            }
        }

        let name_id_formats = children(&doc, sp, NS_METADATA, "NameIDFormat")
            .into_iter()
            .map(|f| xml::text(&doc, f))
            .filter(|f| !f.is_empty())
            .collect();
        Ok(Self {
            entity_id: entity_id.to_owned(),
            acs_urls,
            slo_url,
            signing_certificate,
            encryption_certificate: encryption_certificate.or(unqualified_certificate),
            authn_requests_signed: attr(&doc, sp, "AuthnRequestsSigned").is_some_and(is_true),
            want_assertions_signed: attr(&doc, sp, "WantAssertionsSigned").is_some_and(is_true),
            name_id_formats,
        })
    }
}

/// The first `SPSSODescriptor` of `entity` whose `protocolSupportEnumeration` names SAML 2.0.
fn sp_descriptor(doc: &uppsala::Document<'_>, entity: uppsala::NodeId) -> Option<uppsala::NodeId> {
    children(doc, entity, NS_METADATA, "SPSSODescriptor").into_iter().find(|sp| {
        attr(doc, *sp, "protocolSupportEnumeration").is_some_and(|p| p.split_whitespace().any(|p| p == NS_PROTOCOL))
    })
}

/// An `xs:boolean` that is true.
fn is_true(value: &str) -> bool {
    matches!(value.trim(), "true" | "1")
}

/// `location` when it is an `http` or `https` URL (a browser is sent there, or posts to it).
fn web_url(location: Option<&str>) -> Option<String> {
    let location = location?.trim();
    let url = url::Url::parse(location).ok()?;
    matches!(url.scheme(), "https" | "http").then(|| location.to_owned())
}

/// The certificate (DER) of a `KeyDescriptor`: its first `X509Certificate`, which must be one;
/// `None` when it carries none.
fn certificate(doc: &uppsala::Document<'_>, key: uppsala::NodeId) -> Result<Option<Vec<u8>>, MetadataError> {
    let Some(cert) =
        doc.get_elements_by_tag_name_ns(NS_DSIG, "X509Certificate").into_iter().find(|c| is_descendant(doc, *c, key))
    else {
        return Ok(None);
    };
    let b64: String = xml::text(doc, cert).split_whitespace().collect();
    let der =
        STANDARD.decode(b64).map_err(|_| MetadataError("has an X509Certificate that is not base64".to_owned()))?;
    bergshamra::keys::loader::load_x509_cert_der(&der)
        .map_err(|_| MetadataError("has an X509Certificate that cannot be read".to_owned()))?;
    Ok(Some(der))
}

fn is_descendant(doc: &uppsala::Document<'_>, mut node: uppsala::NodeId, ancestor: uppsala::NodeId) -> bool {
    while let Some(parent) = doc.parent(node) {
        if parent == ancestor {
            return true;
        }
        node = parent;
    }
    false
}

/// A SAML key: RSA-2048 and a self-signed certificate, both PEM. As an identity provider ciam
/// signs its responses and logout messages with it (service providers check them against the
/// certificate of its metadata); as a service provider ciam signs its `AuthnRequest`s with it,
/// and identity providers encrypt assertions to its certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct SamlKey {
    /// The private key (PKCS#8 PEM).
    pub private_key_pem: String,
    /// The self-signed certificate (PEM), valid ten years.
    pub certificate_pem: String,
}

impl std::fmt::Debug for SamlKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SamlKey(…)")
    }
}

impl SamlKey {
    /// A new key, its certificate naming `entity_id`.
    pub fn generate(entity_id: &str, now: time::OffsetDateTime) -> Result<Self, String> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|e| e.to_string())?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        let name: String = entity_id.chars().take(64).collect();
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        params.not_before = now;
        params.not_after = now + time::Duration::days(3650);
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(Self { private_key_pem: key.serialize_pem(), certificate_pem: cert.pem() })
    }

    /// The certificate's DER, base64 (as `ds:X509Certificate` has it).
    pub fn certificate_base64(&self) -> String {
        self.certificate_pem.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect()
    }

    /// The certificate's DER (what a peer checks this key's signatures against).
    pub fn certificate_der(&self) -> Result<Vec<u8>, String> {
        STANDARD.decode(self.certificate_base64()).map_err(|_| "the certificate is not PEM".to_owned())
    }

    /// The private key, loaded for signing.
    pub(crate) fn signing_key(&self) -> Result<bergshamra::Key, crate::SamlError> {
        bergshamra::keys::loader::load_pem_auto(self.private_key_pem.as_bytes(), None)
            .map_err(|e| crate::SamlError::Build(format!("the private key cannot be read: {e}")))
    }
}

/// The metadata ciam publishes as the service provider `entity_id`, whose assertion consumer
/// service is `acs_url` (HTTP-POST). It asks for signed assertions and names the NameID formats
/// it takes. With `certificate` (base64 DER, the certificate of the service provider's key) it
/// says its `AuthnRequest`s are signed (`AuthnRequestsSigned="true"`) and carries the
/// certificate twice: for checking those signatures (`use="signing"`) and for encrypting
/// assertions to (`use="encryption"`). Without one, its requests are unsigned and it names no key.
pub fn sp_metadata(entity_id: &str, acs_url: &str, certificate: Option<&str>) -> String {
    let key_info = |c: &str| {
        format!(
            "<ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data><ds:X509Certificate>{c}</ds:X509Certificate>\
             </ds:X509Data></ds:KeyInfo>",
            c = escape(c)
        )
    };
    let keys = certificate.map_or_else(String::new, |c| {
        format!(
            "<md:KeyDescriptor use=\"signing\">{info}</md:KeyDescriptor>\n    \
             <md:KeyDescriptor use=\"encryption\">{info}\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/>\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes256-cbc\"/>\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p\"/>\
             </md:KeyDescriptor>\n    ",
            info = key_info(c)
        )
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{entity}\">\n  \
<md:SPSSODescriptor AuthnRequestsSigned=\"{signed}\" WantAssertionsSigned=\"true\" \
protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n    \
{keys}<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>\n    \
<md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>\n    \
<md:AssertionConsumerService Binding=\"{BINDING_POST}\" Location=\"{acs}\" index=\"0\" isDefault=\"true\"/>\n  \
</md:SPSSODescriptor>\n</md:EntityDescriptor>\n",
        entity = escape(entity_id),
        signed = certificate.is_some(),
        acs = escape(acs_url),
    )
}

/// The metadata ciam publishes as the identity provider `entity_id`: single sign-on at `sso_url`
/// (HTTP-Redirect and HTTP-POST), single logout at `slo_url` (HTTP-Redirect), the NameID formats
/// it issues, and its signing certificate `certificate_base64` (base64 DER). Unsigned requests
/// are taken (`WantAuthnRequestsSigned="false"`); a service provider may sign them anyway.
pub fn idp_metadata(entity_id: &str, sso_url: &str, slo_url: &str, certificate_base64: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{entity}\">\n  \
<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" \
protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n    \
<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data>\
<ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n    \
<md:SingleLogoutService Binding=\"{BINDING_REDIRECT}\" Location=\"{slo}\"/>\n    \
<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>\n    \
<md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>\n    \
<md:SingleSignOnService Binding=\"{BINDING_REDIRECT}\" Location=\"{sso}\"/>\n    \
<md:SingleSignOnService Binding=\"{BINDING_POST}\" Location=\"{sso}\"/>\n  \
</md:IDPSSODescriptor>\n</md:EntityDescriptor>\n",
        entity = escape(entity_id),
        cert = escape(certificate_base64),
        slo = escape(slo_url),
        sso = escape(sso_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// An identity provider's metadata with `descriptor_attributes` on its `IDPSSODescriptor`.
    fn idp(descriptor_attributes: &str, key: &SamlKey) -> String {
        format!(
            "<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"https://idp.test/saml\">\
             <md:IDPSSODescriptor protocolSupportEnumeration=\"{NS_PROTOCOL}\"{descriptor_attributes}>\
             <md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data>\
             <ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
             <md:SingleSignOnService Binding=\"{BINDING_REDIRECT}\" Location=\"https://idp.test/sso\"/>\
             </md:IDPSSODescriptor></md:EntityDescriptor>",
            cert = key.certificate_base64()
        )
    }

    #[test]
    fn whether_the_identity_provider_wants_signed_requests_is_read() -> TestResult {
        let key = SamlKey::generate("https://idp.test/saml", time::OffsetDateTime::UNIX_EPOCH)?;
        for (attributes, wanted) in [
            (" WantAuthnRequestsSigned=\"true\"", true),
            (" WantAuthnRequestsSigned=\"1\"", true),
            (" WantAuthnRequestsSigned=\"false\"", false),
            ("", false),
        ] {
            let read = IdpMetadata::parse(&idp(attributes, &key))?;
            assert_eq!(read.want_authn_requests_signed, wanted, "{attributes:?}");
            assert_eq!((read.sso_url.as_str(), read.signing_certificates.len()), ("https://idp.test/sso", 1));
        }
        // ciam's own identity-provider metadata takes unsigned requests.
        let own = idp_metadata(
            "https://idp.test/saml",
            "https://idp.test/sso",
            "https://idp.test/slo",
            &key.certificate_base64(),
        );
        assert!(!IdpMetadata::parse(&own)?.want_authn_requests_signed);
        Ok(())
    }

    #[test]
    fn the_service_provider_metadata_names_its_key_for_signing_and_encryption() -> TestResult {
        let key = SamlKey::generate("https://sp.test/saml/corp", time::OffsetDateTime::UNIX_EPOCH)?;
        let xml =
            sp_metadata("https://sp.test/saml/corp", "https://sp.test/saml/corp/acs", Some(&key.certificate_base64()));
        let read = SpMetadata::parse(&xml)?;
        assert!(read.authn_requests_signed, "{xml}");
        assert_eq!(read.signing_certificate, Some(key.certificate_der()?));
        assert_eq!(read.encryption_certificate, Some(key.certificate_der()?));
        let unsigned =
            SpMetadata::parse(&sp_metadata("https://sp.test/saml/corp", "https://sp.test/saml/corp/acs", None))?;
        assert!(!unsigned.authn_requests_signed && unsigned.signing_certificate.is_none());
        Ok(())
    }
}
