//! Logout messages ciam sends, read back through the receiving side; the identity provider's
//! metadata read back as a service provider reads it.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::Duration;

use super::{IDP, SP, SSO, TestResult, idp_key, now, sp_key};
use crate::idp::{
    Incoming, LogoutRequestParams, LogoutResponseParams, Message, logout_request_redirect, logout_response_redirect,
};
use crate::{IdpMetadata, NAMEID_PERSISTENT, SamlError, idp_metadata};

const SLO: &str = "https://sp.test/saml/corp/slo?tenant=a&x=%2F";

#[test]
fn a_logout_request_goes_signed_by_redirect() -> TestResult {
    let key = idp_key()?;
    let p = LogoutRequestParams {
        idp_entity_id: IDP,
        slo_url: SLO,
        name_id: "u-123",
        name_id_format: NAMEID_PERSISTENT,
        sp_name_qualifier: Some(SP),
        session_index: Some("_s1"),
        id: "_lo1",
        now: now()?,
        lifetime: Duration::minutes(5),
        relay_state: Some("after logout"),
    };
    let url = url::Url::parse(&logout_request_redirect(&p, key)?)?;
    assert_eq!(url.path(), "/saml/corp/slo");
    let query = url.query().ok_or("no query")?;
    assert!(query.starts_with("tenant=a&x=%2F&SAMLRequest="), "the endpoint's own parameters stay first: {query}");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["tenant", "x", "SAMLRequest", "RelayState", "SigAlg", "Signature"]);
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).ok_or("missing");
    assert_eq!(value("SigAlg")?, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(STANDARD.decode(value("SAMLRequest")?)?.as_slice()).read_to_string(&mut xml)?;
    assert_eq!(
        xml,
        format!(
            "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
             xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_lo1\" Version=\"2.0\" \
             IssueInstant=\"2027-01-15T08:00:00Z\" Destination=\"https://sp.test/saml/corp/slo?tenant=a&amp;x=%2F\" \
             NotOnOrAfter=\"2027-01-15T08:05:00Z\"><saml:Issuer>{IDP}</saml:Issuer>\
             <saml:NameID Format=\"{NAMEID_PERSISTENT}\" SPNameQualifier=\"{SP}\">u-123</saml:NameID>\
             <samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>"
        )
    );

    // Read back as a service provider reads it: the query-string signature holds.
    let incoming = Incoming::from_redirect(query)?;
    assert_eq!(incoming.relay_state.as_deref(), Some("after logout"));
    let Message::LogoutRequest(r) = &incoming.message else {
        return Err(format!("not a LogoutRequest: {:?}", incoming.message).into());
    };
    assert_eq!(
        (r.issuer.as_str(), r.name_id.as_str(), r.session_indexes.as_slice()),
        (IDP, "u-123", &["_s1".to_owned()][..])
    );
    assert_eq!(r.destination.as_deref(), Some(SLO));
    incoming.verify_signature(&[key.certificate_der()?])?;
    assert!(matches!(incoming.verify_signature(&[sp_key()?.certificate_der()?]), Err(SamlError::Signature(_))));

    // Without RelayState, SessionIndex or SPNameQualifier; an endpoint without a query.
    let bare = LogoutRequestParams {
        slo_url: "https://sp.test/slo",
        sp_name_qualifier: None,
        session_index: None,
        relay_state: None,
        ..p.clone()
    };
    let url = url::Url::parse(&logout_request_redirect(&bare, key)?)?;
    let query = url.query().ok_or("no query")?;
    assert!(query.starts_with("SAMLRequest=") && !query.contains("RelayState"), "{query}");
    let incoming = Incoming::from_redirect(query)?;
    incoming.verify_signature(&[key.certificate_der()?])?;
    assert!(matches!(&incoming.message, Message::LogoutRequest(r) if r.session_indexes.is_empty()));
    assert!(!incoming.xml().contains("SPNameQualifier"));

    let bad = LogoutRequestParams { id: "", ..p.clone() };
    assert!(matches!(logout_request_redirect(&bad, key), Err(SamlError::Build(_))));
    let bad = LogoutRequestParams { slo_url: "not a url", ..p };
    assert!(matches!(logout_request_redirect(&bad, key), Err(SamlError::Build(_))));
    Ok(())
}

#[test]
fn a_logout_response_answers_the_service_providers_request() -> TestResult {
    let key = idp_key()?;
    let p = LogoutResponseParams {
        idp_entity_id: IDP,
        slo_url: SLO,
        in_response_to: "_l1",
        id: "_lr1",
        now: now()?,
        relay_state: Some("rs"),
    };
    let url = url::Url::parse(&logout_response_redirect(&p, key)?)?;
    let incoming = Incoming::from_redirect(url.query().ok_or("no query")?)?;
    incoming.verify_signature(&[key.certificate_der()?])?;
    assert_eq!(incoming.relay_state.as_deref(), Some("rs"));
    let Message::LogoutResponse(r) = &incoming.message else {
        return Err(format!("not a LogoutResponse: {:?}", incoming.message).into());
    };
    assert!(r.is_success());
    assert_eq!((r.id.as_str(), r.issuer.as_str(), r.in_response_to.as_deref()), ("_lr1", IDP, Some("_l1")));
    assert_eq!(r.destination.as_deref(), Some(SLO));
    Ok(())
}

#[test]
fn the_idp_metadata_reads_back() -> TestResult {
    let key = idp_key()?;
    let entity = "https://idp.test/saml?t=a&b=c";
    let xml = idp_metadata(entity, SSO, "https://idp.test/saml/slo", &key.certificate_base64());
    let read = IdpMetadata::parse(&xml)?;
    assert_eq!(read.entity_id, entity);
    assert_eq!(read.sso_url, SSO);
    assert_eq!(read.signing_certificates, [key.certificate_der()?]);
    for needle in [
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
        "WantAuthnRequestsSigned=\"false\"",
        "<md:KeyDescriptor use=\"signing\">",
        "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.test/saml/slo\"/>",
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>",
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://idp.test/saml/sso\"/>",
        "entityID=\"https://idp.test/saml?t=a&amp;b=c\"",
    ] {
        assert!(xml.contains(needle), "{needle} missing from {xml}");
    }
    Ok(())
}
