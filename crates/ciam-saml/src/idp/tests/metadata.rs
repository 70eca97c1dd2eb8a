//! Service providers' metadata, as ciam reads it when a SAML app is registered: its own
//! `sp_metadata` document, one written as pysaml2 writes it, and what is refused.

use super::{ACS, IDP, SP, SSO, TestResult, idp_key, sp_key};
use crate::{MetadataError, NAMEID_EMAIL, NAMEID_PERSISTENT, SpMetadata, idp_metadata, sp_metadata};

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const ARTIFACT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact";
const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

/// Base64 in lines of 64 characters, as metadata generators write certificates.
fn wrapped(base64: &str) -> String {
    let chars: Vec<char> = base64.chars().collect();
    chars.chunks(64).map(|line| format!("\n{}", line.iter().collect::<String>())).collect::<String>() + "\n"
}

/// A `KeyDescriptor` (with `use` when given) carrying `certificate` (base64).
fn key_descriptor(usage: Option<&str>, certificate: &str) -> String {
    let usage = usage.map_or_else(String::new, |u| format!(" use=\"{u}\""));
    format!(
        "<ns0:KeyDescriptor{usage}><ns2:KeyInfo><ns2:X509Data><ns2:X509Certificate>{}</ns2:X509Certificate>\
         </ns2:X509Data></ns2:KeyInfo></ns0:KeyDescriptor>",
        wrapped(certificate)
    )
}

/// An `EntityDescriptor` of `entity` in pysaml2's style (`ns0:` for metadata, `ns2:` for
/// XML-DSig), its `SPSSODescriptor` holding `inside`.
fn sp_entity(entity: &str, inside: &str) -> String {
    format!(
        "<ns0:EntityDescriptor xmlns:ns0=\"{MD}\" xmlns:ns1=\"urn:oasis:names:tc:SAML:metadata:algsupport\" \
         xmlns:ns2=\"{DS}\" entityID=\"{entity}\">\n\
         <ns0:Extensions><ns1:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\
         <ns1:SigningMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/></ns0:Extensions>\n\
         <ns0:SPSSODescriptor AuthnRequestsSigned=\"true\" WantAssertionsSigned=\"true\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n{inside}\n</ns0:SPSSODescriptor>\n\
         <ns0:Organization><ns0:OrganizationName xml:lang=\"en\">Example</ns0:OrganizationName>\
         <ns0:OrganizationDisplayName xml:lang=\"en\">Example SP</ns0:OrganizationDisplayName>\
         <ns0:OrganizationURL xml:lang=\"en\">https://sp.example.org</ns0:OrganizationURL></ns0:Organization>\n\
         <ns0:ContactPerson contactType=\"technical\"><ns0:GivenName>Ops</ns0:GivenName>\
         <ns0:EmailAddress>mailto:ops@sp.example.org</ns0:EmailAddress></ns0:ContactPerson>\n\
         </ns0:EntityDescriptor>"
    )
}

/// Why `xml` is refused, or a failure naming what was read.
fn refusal(xml: &str) -> Result<String, Box<dyn std::error::Error>> {
    match SpMetadata::parse(xml) {
        Ok(read) => Err(format!("read {read:?} from {xml}").into()),
        Err(MetadataError(why)) => Ok(why),
    }
}

#[test]
fn the_crates_own_sp_metadata_reads_back() -> TestResult {
    let key = sp_key()?;
    let read = SpMetadata::parse(&sp_metadata(SP, ACS, Some(&key.certificate_base64())))?;
    let expected = SpMetadata {
        entity_id: SP.into(),
        acs_urls: vec![ACS.into()],
        slo_url: None,
        signing_certificate: Some(key.certificate_der()?),
        encryption_certificate: Some(key.certificate_der()?),
        authn_requests_signed: true,
        want_assertions_signed: true,
        name_id_formats: vec![NAMEID_PERSISTENT.into(), NAMEID_EMAIL.into()],
    };
    assert_eq!(read, expected);
    let without_key = SpMetadata::parse(&sp_metadata(SP, ACS, None))?;
    assert_eq!(
        without_key,
        SpMetadata {
            signing_certificate: None,
            encryption_certificate: None,
            authn_requests_signed: false,
            ..expected
        }
    );
    Ok(())
}

#[test]
fn a_pysaml2_service_providers_metadata_is_read() -> TestResult {
    let (signing, encryption) = (sp_key()?, idp_key()?);
    let entity = "https://sp.example.org/saml2/metadata/";
    let inside = format!(
        "{signing}\n{encryption}\n\
         <ns0:SingleLogoutService Binding=\"{POST}\" Location=\"https://sp.example.org/saml2/ls/post/\"/>\n\
         <ns0:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"https://sp.example.org/saml2/ls/\"/>\n\
         <ns0:NameIDFormat>{NAMEID_PERSISTENT}</ns0:NameIDFormat>\n\
         <ns0:NameIDFormat>\n  {TRANSIENT}\n</ns0:NameIDFormat>\n\
         <ns0:AssertionConsumerService Binding=\"{ARTIFACT}\" Location=\"https://sp.example.org/saml2/acs/art/\" index=\"2\"/>\n\
         <ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"https://sp.example.org/saml2/acs/post/\" index=\"0\"/>\n\
         <ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"https://sp.example.org/saml2/acs/\" index=\"1\" isDefault=\"true\"/>\n\
         <ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"https://sp.example.org/saml2/acs/late/\"/>\n\
         <ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"https://sp.example.org/saml2/acs/third/\" index=\"3\"/>",
        signing = key_descriptor(Some("signing"), &signing.certificate_base64()),
        encryption = key_descriptor(Some("encryption"), &encryption.certificate_base64()),
    );
    let xml = format!("<?xml version='1.0' encoding='UTF-8'?>\n{}", sp_entity(entity, &inside));
    let expected = SpMetadata {
        entity_id: entity.into(),
        acs_urls: vec![
            "https://sp.example.org/saml2/acs/".into(),
            "https://sp.example.org/saml2/acs/post/".into(),
            "https://sp.example.org/saml2/acs/third/".into(),
            "https://sp.example.org/saml2/acs/late/".into(),
        ],
        slo_url: Some("https://sp.example.org/saml2/ls/".into()),
        signing_certificate: Some(signing.certificate_der()?),
        encryption_certificate: Some(encryption.certificate_der()?),
        authn_requests_signed: true,
        want_assertions_signed: true,
        name_id_formats: vec![NAMEID_PERSISTENT.into(), TRANSIENT.into()],
    };
    assert_eq!(SpMetadata::parse(&xml)?, expected);

    // In an EntitiesDescriptor, the first entity that is a service provider is the one read.
    let idp = idp_metadata(IDP, SSO, "https://idp.test/saml/slo", &signing.certificate_base64());
    let idp = idp.split_once("?>").map_or(idp.as_str(), |(_, body)| body);
    let entities = format!(
        "<md:EntitiesDescriptor xmlns:md=\"{MD}\" Name=\"federation\">{idp}{}{}</md:EntitiesDescriptor>",
        sp_entity(entity, &inside),
        sp_entity("https://second.example.org/", &inside),
    );
    assert_eq!(SpMetadata::parse(&entities)?, expected);
    Ok(())
}

#[test]
fn only_the_sp_descriptors_certificates_are_taken() -> TestResult {
    let (own, other) = (sp_key()?, idp_key()?);
    let post = format!("<ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"{ACS}\" index=\"0\"/>");
    // A signature over the metadata and an identity-provider role carry certificates too.
    let decoys = format!(
        "<ns2:Signature><ns2:KeyInfo><ns2:X509Data><ns2:X509Certificate>{cert}</ns2:X509Certificate>\
         </ns2:X509Data></ns2:KeyInfo></ns2:Signature>\
         <ns0:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{key}\
         <ns0:SingleSignOnService Binding=\"{REDIRECT}\" Location=\"{SSO}\"/></ns0:IDPSSODescriptor>",
        cert = other.certificate_base64(),
        key = key_descriptor(None, &other.certificate_base64()),
    );
    let bare = sp_entity(SP, &post).replacen("<ns0:SPSSODescriptor", &format!("{decoys}<ns0:SPSSODescriptor"), 1);
    let read = SpMetadata::parse(&bare)?;
    assert_eq!((read.signing_certificate, read.encryption_certificate), (None, None));

    // A KeyDescriptor without `use` serves both, unless one names its use.
    let unqualified = key_descriptor(None, &own.certificate_base64());
    let read = SpMetadata::parse(&sp_entity(SP, &format!("{unqualified}{post}")))?;
    assert_eq!(read.signing_certificate, Some(own.certificate_der()?));
    assert_eq!(read.encryption_certificate, Some(own.certificate_der()?));
    let for_encryption = key_descriptor(Some("encryption"), &other.certificate_base64());
    let read = SpMetadata::parse(&sp_entity(SP, &format!("{unqualified}{for_encryption}{post}")))?;
    assert_eq!(read.signing_certificate, Some(own.certificate_der()?));
    assert_eq!(read.encryption_certificate, Some(other.certificate_der()?));
    Ok(())
}

#[test]
fn unusable_sp_metadata_is_refused() -> TestResult {
    let key = sp_key()?;
    let post = format!("<ns0:AssertionConsumerService Binding=\"{POST}\" Location=\"{ACS}\" index=\"0\"/>");

    let idp = idp_metadata(IDP, SSO, "https://idp.test/saml/slo", &key.certificate_base64());
    assert!(refusal(&idp)?.contains("no SAML 2.0 service provider"));
    let saml1 = sp_entity(SP, &post).replace(
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:1.1:protocol\"",
    );
    assert!(refusal(&saml1)?.contains("no SAML 2.0 service provider"));
    let idp_entity = idp.split_once("?>").map_or(idp.as_str(), |(_, body)| body);
    let no_sp_entity = format!("<md:EntitiesDescriptor xmlns:md=\"{MD}\">{idp_entity}</md:EntitiesDescriptor>");
    assert!(refusal(&no_sp_entity)?.contains("no EntityDescriptor of a SAML 2.0 service provider"));
    assert!(refusal("<a/>")?.contains("not SAML metadata"));
    assert!(refusal(&sp_entity("", &post))?.contains("no entityID"));

    let artifact_only = format!(
        "<ns0:AssertionConsumerService Binding=\"{ARTIFACT}\" Location=\"{ACS}\" index=\"0\" isDefault=\"true\"/>"
    );
    assert!(refusal(&sp_entity(SP, &artifact_only))?.contains("no AssertionConsumerService for the HTTP-POST"));
    for location in ["javascript:alert(1)", "/relative/acs", "not a url"] {
        let bad = post.replace(ACS, location);
        assert!(refusal(&sp_entity(SP, &bad))?.contains("not an http(s) URL"), "{location}");
    }
    let bad_index = post.replace("index=\"0\"", "index=\"first\"");
    assert!(refusal(&sp_entity(SP, &bad_index))?.contains("index"));
    let bad_slo = format!("{post}<ns0:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"data:text/html,x\"/>");
    assert!(refusal(&sp_entity(SP, &bad_slo))?.contains("SingleLogoutService"));
    let not_base64 = format!("{}{post}", key_descriptor(Some("signing"), "%%%"));
    assert!(refusal(&sp_entity(SP, &not_base64))?.contains("not base64"));
    let not_a_certificate = format!("{}{post}", key_descriptor(Some("encryption"), "AAAA"));
    assert!(refusal(&sp_entity(SP, &not_a_certificate))?.contains("cannot be read"));

    let dtd = format!("<!DOCTYPE md [<!ENTITY x \"y\">]>{}", sp_entity(SP, &post));
    assert!(refusal(&dtd)?.contains("DTD"));
    let huge = sp_entity(SP, &format!("{post}<!--{}-->", "x".repeat(crate::MAX_MESSAGE_BYTES)));
    assert!(refusal(&huge)?.contains("larger than"));
    Ok(())
}
