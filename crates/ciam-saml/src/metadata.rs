//! SAML metadata (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os): what ciam reads of an
//! identity provider's, and the document it publishes as a service provider.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::xml::{self, attr, children, is};
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The metadata ciam publishes as the service provider `entity_id`, whose assertion consumer
/// service is `acs_url` (HTTP-POST). It asks for signed assertions and names the NameID formats
/// it takes.
pub fn sp_metadata(entity_id: &str, acs_url: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{entity}\">\n  \
<md:SPSSODescriptor AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\" \
protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n    \
<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>\n    \
<md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>\n    \
<md:AssertionConsumerService Binding=\"{BINDING_POST}\" Location=\"{acs}\" index=\"0\" isDefault=\"true\"/>\n  \
</md:SPSSODescriptor>\n</md:EntityDescriptor>\n",
        entity = escape(entity_id),
        acs = escape(acs_url),
    )
}
