//! SAML metadata (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os): what ciam reads of an
//! identity provider's, the documents it publishes as a service provider and as an identity
//! provider, and the key behind both.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::xml::{self, attr, children, escape, is};
use crate::{BINDING_POST, BINDING_REDIRECT, NAMEID_EMAIL, NAMEID_PERSISTENT, NS_DSIG, NS_METADATA};

/// Why an identity provider's metadata was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the identity provider's metadata {0}")]
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
        Ok(Self { entity_id: entity_id.to_owned(), sso_url: sso_url.to_owned(), signing_certificates })
    }
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
/// certificate of its metadata); as a service provider, identity providers encrypt assertions
/// to its certificate.
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
/// service is `acs_url` (HTTP-POST). It asks for signed assertions, names the NameID formats it
/// takes and, with `encryption_certificate` (base64 DER), the certificate to encrypt to.
pub fn sp_metadata(entity_id: &str, acs_url: &str, encryption_certificate: Option<&str>) -> String {
    let key = encryption_certificate.map_or_else(String::new, |c| {
        format!(
            "<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data>\
             <ds:X509Certificate>{c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/>\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes256-cbc\"/>\
             <md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p\"/>\
             </md:KeyDescriptor>\n    ",
            c = escape(c)
        )
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{entity}\">\n  \
<md:SPSSODescriptor AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\" \
protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n    \
{key}<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>\n    \
<md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>\n    \
<md:AssertionConsumerService Binding=\"{BINDING_POST}\" Location=\"{acs}\" index=\"0\" isDefault=\"true\"/>\n  \
</md:SPSSODescriptor>\n</md:EntityDescriptor>\n",
        entity = escape(entity_id),
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
