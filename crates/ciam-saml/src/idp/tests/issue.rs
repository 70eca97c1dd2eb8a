//! Issued responses, checked as a service provider checks them: with `verify_response` and the
//! identity provider's certificate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::{DsigContext, KeysManager, VerifyResult};
use time::Duration;

use super::{ACS, IDP, SP, TestResult, idp_key, now, sp_key};
use crate::idp::{
    Attribute, ErrorResponseParams, ResponseParams, StatusCode, SubStatus, error_response, issue_response,
};
use crate::{Expected, NAMEID_EMAIL, NAMEID_PERSISTENT, SamlError, SamlKey, verify_response};

const PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

fn attributes() -> Vec<Attribute> {
    vec![
        Attribute {
            name: "urn:oid:0.9.2342.19200300.100.1.3".into(),
            name_format: Some("urn:oasis:names:tc:SAML:2.0:attrname-format:uri".into()),
            friendly_name: Some("mail".into()),
            values: vec!["ada@x.test".into()],
        },
        Attribute {
            name: "groups".into(),
            name_format: None,
            friendly_name: None,
            values: vec!["admins".into(), "R&D <lab> \"one\"".into()],
        },
    ]
}

fn params<'a>(
    attributes: &'a [Attribute],
    in_response_to: Option<&'a str>,
) -> Result<ResponseParams<'a>, time::error::ComponentRange> {
    let now = now()?;
    Ok(ResponseParams {
        idp_entity_id: IDP,
        sp_entity_id: SP,
        acs_url: ACS,
        in_response_to,
        name_id: "u-123",
        name_id_format: NAMEID_PERSISTENT,
        session_index: "_s1",
        authn_instant: now - Duration::seconds(30),
        authn_context_class_ref: PASSWORD,
        attributes,
        now,
        lifetime: Duration::minutes(5),
        session_not_on_or_after: Some(now + Duration::hours(8)),
        response_id: "_resp1",
        assertion_id: "_assert1",
        sign_assertion: true,
        sign_response: true,
        encrypt_to: None,
    })
}

fn expected<'a>(
    certificates: &'a [Vec<u8>],
    in_response_to: Option<&'a str>,
) -> Result<Expected<'a>, time::error::ComponentRange> {
    Ok(Expected {
        idp_entity_id: IDP,
        certificates,
        sp_entity_id: SP,
        acs_url: ACS,
        in_response_to,
        now: now()? + Duration::seconds(10),
        decryption_key_pem: None,
    })
}

fn xml_of(saml_response: &str) -> Result<String, Box<dyn std::error::Error>> {
    Ok(String::from_utf8(STANDARD.decode(saml_response)?)?)
}

#[test]
fn a_response_verifies_as_a_service_provider_checks_it_signed_either_way() -> TestResult {
    let key = idp_key()?;
    let certs = [key.certificate_der()?];
    let attrs = attributes();
    for (sign_assertion, sign_response) in [(true, false), (false, true), (true, true)] {
        let p = ResponseParams { sign_assertion, sign_response, ..params(&attrs, Some("_req1"))? };
        let response = issue_response(&p, key)?;
        let assertion = verify_response(&response, &expected(&certs, Some("_req1"))?)
            .map_err(|e| format!("assertion {sign_assertion}, response {sign_response}: {e}"))?;
        assert_eq!(assertion.id, "_assert1");
        assert_eq!(assertion.name_id, "u-123");
        assert_eq!(assertion.name_id_format.as_deref(), Some(NAMEID_PERSISTENT));
        assert_eq!(assertion.session_index.as_deref(), Some("_s1"));
        assert_eq!(assertion.authn_context.as_deref(), Some(PASSWORD));
        assert_eq!(assertion.not_on_or_after, now()? + Duration::minutes(5));
        assert_eq!(assertion.attributes.get("mail"), Some(&vec!["ada@x.test".to_owned()]));
        let groups = vec!["admins".to_owned(), "R&D <lab> \"one\"".to_owned()];
        assert_eq!(assertion.attributes.get("groups"), Some(&groups), "escaped and read back");

        let xml = xml_of(&response)?;
        // Issuer first, then the signature, then Status before the Assertion (the schema's order).
        let at = |s: &str| xml.find(s).ok_or_else(|| format!("no {s} in {xml}"));
        assert!(at("<saml:Issuer>")? < at("<samlp:Status>")? && at("<samlp:Status>")? < at("<saml:Assertion")?);
        if sign_response {
            assert!(at("<saml:Issuer>")? < at("<ds:Signature")? && at("<ds:Signature")? < at("<samlp:Status>")?);
        }
        if sign_assertion {
            let assertion_xml = xml.get(at("<saml:Assertion")?..).ok_or("no assertion")?;
            let issuer = assertion_xml.find("</saml:Issuer>").ok_or("no assertion Issuer")?;
            let after_issuer = assertion_xml.get(issuer..).ok_or("no assertion Issuer")?;
            assert!(after_issuer.starts_with("</saml:Issuer><ds:Signature"), "{assertion_xml}");
        }
        assert_eq!(xml.matches("<ds:Signature ").count(), usize::from(sign_assertion) + usize::from(sign_response));
        for needle in [
            "Version=\"2.0\"",
            "IssueInstant=\"2027-01-15T08:00:00Z\"",
            "Destination=\"https://sp.test/saml/corp/acs\"",
            "InResponseTo=\"_req1\"",
            "SPNameQualifier=\"https://sp.test/saml/corp\"",
            "NotBefore=\"2027-01-15T08:00:00Z\" NotOnOrAfter=\"2027-01-15T08:05:00Z\"",
            "Recipient=\"https://sp.test/saml/corp/acs\"",
            "AuthnInstant=\"2027-01-15T07:59:30Z\"",
            "SessionNotOnOrAfter=\"2027-01-15T16:00:00Z\"",
            "xsi:type=\"xs:string\"",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/10/xml-exc-c14n#",
            &format!("<ds:X509Certificate>{}</ds:X509Certificate>", key.certificate_base64()),
        ] {
            assert!(xml.contains(needle), "{needle} missing from {xml}");
        }
    }
    Ok(())
}

#[test]
fn a_tampered_response_is_refused() -> TestResult {
    let key = idp_key()?;
    let certs = [key.certificate_der()?];
    let attrs = attributes();
    for (sign_assertion, sign_response) in [(true, false), (false, true), (true, true)] {
        let p = ResponseParams { sign_assertion, sign_response, ..params(&attrs, Some("_req1"))? };
        let xml = xml_of(&issue_response(&p, key)?)?;
        let evil = xml.replace(">u-123</saml:NameID>", ">admin</saml:NameID>");
        assert_ne!(evil, xml);
        let refused = verify_response(&STANDARD.encode(evil), &expected(&certs, Some("_req1"))?);
        assert!(matches!(refused, Err(SamlError::Signature(_))), "{sign_assertion} {sign_response}: {refused:?}");
    }
    // Signed by another key than the identity provider's.
    let p = params(&attrs, Some("_req1"))?;
    let other = issue_response(&p, sp_key()?)?;
    assert!(matches!(verify_response(&other, &expected(&certs, Some("_req1"))?), Err(SamlError::Signature(_))));
    Ok(())
}

#[test]
fn an_idp_initiated_response_answers_no_request() -> TestResult {
    let key = idp_key()?;
    let certs = [key.certificate_der()?];
    let p = ResponseParams { name_id_format: NAMEID_EMAIL, name_id: "ada@x.test", ..params(&[], None)? };
    let response = issue_response(&p, key)?;
    let xml = xml_of(&response)?;
    assert!(!xml.contains("InResponseTo"), "{xml}");
    assert!(!xml.contains("SPNameQualifier") && !xml.contains("AttributeStatement"), "{xml}");
    let assertion = verify_response(&response, &expected(&certs, None)?)?;
    assert_eq!(assertion.name_id, "ada@x.test");
    assert!(verify_response(&response, &expected(&certs, Some("_req1"))?).is_err(), "not an answer to a request");
    Ok(())
}

#[test]
fn bad_inputs_are_refused_before_signing() -> TestResult {
    let key = idp_key()?;
    let attrs = attributes();
    let base = params(&attrs, Some("_req1"))?;
    let unsigned = ResponseParams { sign_assertion: false, sign_response: false, ..base.clone() };
    assert!(matches!(issue_response(&unsigned, key), Err(SamlError::Build(m)) if m.contains("signed")));
    let bad_id = ResponseParams { response_id: "1abc", ..base.clone() };
    assert!(matches!(issue_response(&bad_id, key), Err(SamlError::Build(m)) if m.contains("XML ID")));
    let quote = ResponseParams { assertion_id: "_a\"b", ..base.clone() };
    assert!(matches!(issue_response(&quote, key), Err(SamlError::Build(_))));
    let same = ResponseParams { assertion_id: "_resp1", ..base.clone() };
    assert!(matches!(issue_response(&same, key), Err(SamlError::Build(_))));
    let no_name = ResponseParams { name_id: " ", ..base.clone() };
    assert!(matches!(issue_response(&no_name, key), Err(SamlError::Build(m)) if m.contains("NameID")));
    let no_lifetime = ResponseParams { lifetime: Duration::ZERO, ..base };
    assert!(matches!(issue_response(&no_lifetime, key), Err(SamlError::Build(_))));
    Ok(())
}

#[test]
fn an_error_response_is_signed_and_carries_its_status() -> TestResult {
    let key = idp_key()?;
    let p = ErrorResponseParams {
        idp_entity_id: IDP,
        acs_url: ACS,
        in_response_to: Some("_req1"),
        status: StatusCode::Responder,
        sub_status: Some(SubStatus::NoPassive),
        message: Some("sign-in <needed>"),
        response_id: "_err1",
        now: now()?,
    };
    let response = error_response(&p, key)?;
    let refused = verify_response(&response, &expected(&[key.certificate_der()?], Some("_req1"))?);
    assert_eq!(refused, Err(SamlError::Status(StatusCode::Responder.uri().into())));
    let xml = xml_of(&response)?;
    assert!(
        xml.contains(
            "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\">\
             <samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:NoPassive\"/></samlp:StatusCode>\
             <samlp:StatusMessage>sign-in &lt;needed&gt;</samlp:StatusMessage></samlp:Status>"
        ),
        "{xml}"
    );
    assert!(xml.contains("InResponseTo=\"_req1\"") && xml.contains("Destination=\"https://sp.test/saml/corp/acs\""));
    assert!(!xml.contains("Assertion"), "{xml}");
    // Its signature covers the response, with the identity provider's certificate.
    let mut keys = KeysManager::new();
    keys.add_key(bergshamra::keys::loader::load_x509_cert_der(&key.certificate_der()?)?);
    let results = bergshamra::verify_all(&DsigContext::new(keys), &xml)?;
    assert!(matches!(results.as_slice(), [VerifyResult::Valid { .. }]), "{results:?}");
    let without_message = ErrorResponseParams { message: None, sub_status: None, in_response_to: None, ..p };
    let xml = xml_of(&error_response(&without_message, key)?)?;
    assert!(xml.contains(
        "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"/></samlp:Status>"
    ));
    assert!(!xml.contains("InResponseTo"), "{xml}");
    Ok(())
}

#[test]
fn an_encrypted_response_is_read_with_the_service_providers_key_only() -> TestResult {
    let (idp, sp) = (idp_key()?, sp_key()?);
    let certs = [idp.certificate_der()?];
    let sp_certificate = sp.certificate_der()?;
    let attrs = attributes();
    for (sign_assertion, sign_response) in [(true, false), (false, true), (true, true)] {
        let case = format!("assertion {sign_assertion}, response {sign_response}");
        let p = ResponseParams {
            sign_assertion,
            sign_response,
            encrypt_to: Some(&sp_certificate),
            ..params(&attrs, Some("_req1"))?
        };
        let response = issue_response(&p, idp)?;
        let xml = xml_of(&response)?;

        // Nothing of the assertion in clear: one EncryptedData of an element, AES-256-GCM, its
        // key by RSA-OAEP to the service provider's certificate.
        for secret in ["u-123", "ada@x.test", "admins", "<saml:Assertion", "<saml:NameID", "_assert1"] {
            assert!(!xml.contains(secret), "{case}: {secret} in clear in {xml}");
        }
        for needle in [
            "<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" \
             Type=\"http://www.w3.org/2001/04/xmlenc#Element\">",
            "<xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/>",
            "<xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p\">\
             <ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/></xenc:EncryptionMethod>",
            &format!("<ds:X509Certificate>{}</ds:X509Certificate>", sp.certificate_base64()),
        ] {
            assert!(xml.contains(needle), "{case}: {needle} missing from {xml}");
        }
        assert_eq!(xml.matches("<xenc:EncryptedData ").count(), 1, "{case}");
        assert_eq!(xml.matches("<xenc:EncryptedKey>").count(), 1, "{case}");
        assert!(!xml.contains("<xenc:CipherValue/>"), "{case}: an empty CipherValue in {xml}");
        let at = |s: &str| xml.find(s).ok_or_else(|| format!("no {s} in {xml}"));
        assert!(at("<samlp:Status>")? < at("<saml:EncryptedAssertion>")?, "{case}");
        // The assertion's signature travels inside the ciphertext.
        assert_eq!(xml.matches("<ds:Signature ").count(), usize::from(sign_response), "{case}");

        let with_key = Expected { decryption_key_pem: Some(&sp.private_key_pem), ..expected(&certs, Some("_req1"))? };
        let assertion = verify_response(&response, &with_key).map_err(|e| format!("{case}: {e}"))?;
        assert_eq!(assertion.id, "_assert1", "{case}");
        assert_eq!(assertion.name_id, "u-123", "{case}");
        assert_eq!(assertion.name_id_format.as_deref(), Some(NAMEID_PERSISTENT), "{case}");
        assert_eq!(assertion.session_index.as_deref(), Some("_s1"), "{case}");
        assert_eq!(assertion.authn_context.as_deref(), Some(PASSWORD), "{case}");
        assert_eq!(assertion.attributes.get("mail"), Some(&vec!["ada@x.test".to_owned()]), "{case}");
        let groups = vec!["admins".to_owned(), "R&D <lab> \"one\"".to_owned()];
        assert_eq!(assertion.attributes.get("groups"), Some(&groups), "{case}");

        // Without a key, or with the identity provider's: not read.
        let without = verify_response(&response, &expected(&certs, Some("_req1"))?);
        assert!(matches!(without, Err(SamlError::Malformed(m)) if m.contains("no key")), "{case}");
        let wrong = Expected { decryption_key_pem: Some(&idp.private_key_pem), ..expected(&certs, Some("_req1"))? };
        let refused = verify_response(&response, &wrong);
        assert!(matches!(refused, Err(SamlError::Malformed(ref m)) if m.contains("decrypted")), "{case}: {refused:?}");
    }
    Ok(())
}

#[test]
fn an_encrypted_response_does_not_decrypt_with_a_third_key() -> TestResult {
    let (idp, sp) = (idp_key()?, sp_key()?);
    let third = SamlKey::generate("https://third.test/saml", now()?)?;
    let certs = [idp.certificate_der()?];
    let sp_certificate = sp.certificate_der()?;
    let attrs = attributes();
    let p = ResponseParams { encrypt_to: Some(&sp_certificate), ..params(&attrs, Some("_req1"))? };
    let response = issue_response(&p, idp)?;
    let other = Expected { decryption_key_pem: Some(&third.private_key_pem), ..expected(&certs, Some("_req1"))? };
    let refused = verify_response(&response, &other);
    assert!(matches!(refused, Err(SamlError::Malformed(ref m)) if m.contains("cannot be decrypted")), "{refused:?}");
    // Encrypted to the third key, the service provider's key does not read it either.
    let third_certificate = third.certificate_der()?;
    let p = ResponseParams { encrypt_to: Some(&third_certificate), ..params(&attrs, Some("_req1"))? };
    let response = issue_response(&p, idp)?;
    let sp_reads = Expected { decryption_key_pem: Some(&sp.private_key_pem), ..expected(&certs, Some("_req1"))? };
    assert!(matches!(verify_response(&response, &sp_reads), Err(SamlError::Malformed(_))));
    assert_eq!(verify_response(&response, &other)?.name_id, "u-123");
    Ok(())
}

#[test]
fn an_encrypted_response_signed_over_its_ciphertext_is_refused_when_tampered() -> TestResult {
    let (idp, sp) = (idp_key()?, sp_key()?);
    let certs = [idp.certificate_der()?];
    let sp_certificate = sp.certificate_der()?;
    let attrs = attributes();
    let p = ResponseParams {
        sign_assertion: false,
        sign_response: true,
        encrypt_to: Some(&sp_certificate),
        ..params(&attrs, Some("_req1"))?
    };
    let xml = xml_of(&issue_response(&p, idp)?)?;
    // The EncryptedKey's CipherValue comes first; the data's is the last one.
    let start = xml.rfind("<xenc:CipherValue>").ok_or("no CipherValue")? + "<xenc:CipherValue>".len();
    let head = xml.get(..start).ok_or("no head")?;
    let tail = xml.get(start..).ok_or("no tail")?;
    let flipped = if tail.starts_with('A') { 'B' } else { 'A' };
    let evil = format!("{head}{flipped}{}", tail.get(1..).ok_or("no tail")?);
    let with_key = Expected { decryption_key_pem: Some(&sp.private_key_pem), ..expected(&certs, Some("_req1"))? };
    let refused = verify_response(&STANDARD.encode(evil), &with_key);
    assert!(matches!(refused, Err(SamlError::Signature(_))), "{refused:?}");
    Ok(())
}

#[test]
fn an_encryption_certificate_that_cannot_be_read_is_refused() -> TestResult {
    let attrs = attributes();
    let p = ResponseParams { encrypt_to: Some(b"not a certificate"), ..params(&attrs, Some("_req1"))? };
    let refused = issue_response(&p, idp_key()?);
    assert!(matches!(refused, Err(SamlError::Build(ref m)) if m.contains("encrypted")), "{refused:?}");
    Ok(())
}
