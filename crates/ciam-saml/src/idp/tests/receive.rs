//! Messages from a service provider, built and signed here by hand as one would send them.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::{DsigContext, KeysManager};

use super::{SP, SSO, TestResult, idp_key, sp_key};
use crate::idp::{Binding, Incoming, Message, Parameter};
use crate::{BINDING_POST, NAMEID_PERSISTENT, NS_ASSERTION, NS_DSIG, NS_PROTOCOL, SamlError, SamlKey};

const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

/// An `AuthnRequest` as a service provider sends it; `signature` is put right after the Issuer.
fn authn_request(signature: &str) -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"_r1\" \
         Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\" Destination=\"{SSO}\" \
         ProtocolBinding=\"{BINDING_POST}\" AssertionConsumerServiceURL=\"https://sp.test/saml/corp/acs\" \
         ForceAuthn=\"true\" IsPassive=\"false\">\
         <saml:Issuer>{SP}</saml:Issuer>{signature}\
         <samlp:NameIDPolicy Format=\"{NAMEID_PERSISTENT}\" AllowCreate=\"true\"/>\
         <samlp:RequestedAuthnContext Comparison=\"minimum\">\
         <saml:AuthnContextClassRef>{PASSWORD}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>\
         </samlp:AuthnRequest>"
    )
}

fn enc(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

fn deflate(xml: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(xml)?;
    Ok(STANDARD.encode(deflater.finish()?))
}

/// The raw query of the HTTP-Redirect binding (after an unrelated parameter of the endpoint),
/// signed with `key` by `sig_alg` over the octets as they are sent.
fn redirect_query(
    xml: &str,
    relay_state: Option<&str>,
    signed: Option<(&SamlKey, &str)>,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut query = format!("SAMLRequest={}", enc(&deflate(xml.as_bytes())?));
    if let Some(rs) = relay_state {
        query.push_str(&format!("&RelayState={}", enc(rs)));
    }
    if let Some((key, sig_alg)) = signed {
        query.push_str(&format!("&SigAlg={}", enc(sig_alg)));
        let private = bergshamra::keys::loader::load_pem_auto(key.private_key_pem.as_bytes(), None)?;
        let software = private.to_signing_key()?.ok_or("no signing key")?;
        let signature = bergshamra::crypto::sign::from_uri(sig_alg)?.sign(&software, query.as_bytes())?;
        query.push_str(&format!("&Signature={}", enc(&STANDARD.encode(signature))));
    }
    Ok(format!("tenant=a&{query}"))
}

#[test]
fn a_signed_redirect_request_is_read_and_its_signature_checked() -> TestResult {
    let sp = sp_key()?;
    let query = redirect_query(&authn_request(""), Some("state 1/2"), Some((sp, RSA_SHA256)))?;
    let incoming = Incoming::from_redirect(&query)?;
    assert_eq!(incoming.binding, Binding::Redirect);
    assert_eq!(incoming.relay_state.as_deref(), Some("state 1/2"));
    assert!(incoming.is_signed());
    let Message::AuthnRequest(r) = &incoming.message else {
        return Err(format!("not an AuthnRequest: {:?}", incoming.message).into());
    };
    assert_eq!((r.id.as_str(), r.issuer.as_str()), ("_r1", SP));
    assert_eq!(incoming.message.issuer(), SP);
    assert_eq!(r.destination.as_deref(), Some(SSO));
    assert_eq!(r.issue_instant, super::now()?);
    assert_eq!(r.acs_url.as_deref(), Some("https://sp.test/saml/corp/acs"));
    assert_eq!((r.acs_index, r.protocol_binding.as_deref()), (None, Some(BINDING_POST)));
    assert_eq!((r.name_id_format.as_deref(), r.allow_create), (Some(NAMEID_PERSISTENT), Some(true)));
    assert!(r.force_authn && !r.is_passive);
    let context = r.requested_authn_context.as_ref().ok_or("no RequestedAuthnContext")?;
    assert_eq!((context.comparison.as_str(), context.class_refs.as_slice()), ("minimum", &[PASSWORD.to_owned()][..]));

    incoming.verify_signature(&[sp.certificate_der()?])?;
    incoming.verify_signature(&[idp_key()?.certificate_der()?, sp.certificate_der()?])?;
    let wrong = incoming.verify_signature(&[idp_key()?.certificate_der()?]);
    assert!(matches!(wrong, Err(SamlError::Signature(_))), "{wrong:?}");
    assert!(incoming.verify_signature(&[]).is_err());

    // The signature covers the RelayState as sent.
    let changed = query.replace("RelayState=state+1", "RelayState=state+2");
    assert_ne!(changed, query);
    let changed = Incoming::from_redirect(&changed)?;
    assert_eq!(changed.relay_state.as_deref(), Some("state 2/2"));
    assert!(matches!(changed.verify_signature(&[sp.certificate_der()?]), Err(SamlError::Signature(_))));
    // And is over the message: dropping the RelayState breaks it too.
    let dropped: Vec<&str> = query.split('&').filter(|p| !p.starts_with("RelayState=")).collect();
    let dropped = Incoming::from_redirect(&dropped.join("&"))?;
    assert!(dropped.verify_signature(&[sp.certificate_der()?]).is_err());
    Ok(())
}

#[test]
fn an_unsigned_or_sha1_redirect_request_does_not_pass_the_check() -> TestResult {
    let sp = sp_key()?;
    let unsigned = Incoming::from_redirect(&redirect_query(&authn_request(""), None, None)?)?;
    assert!(!unsigned.is_signed());
    assert_eq!(unsigned.relay_state, None);
    assert!(matches!(unsigned.message, Message::AuthnRequest(_)));
    let refused = unsigned.verify_signature(&[sp.certificate_der()?]);
    assert!(matches!(&refused, Err(SamlError::Signature(m)) if m.contains("not signed")), "{refused:?}");

    let sha1 = Incoming::from_redirect(&redirect_query(&authn_request(""), Some("x"), Some((sp, RSA_SHA1)))?)?;
    assert!(sha1.is_signed());
    let refused = sha1.verify_signature(&[sp.certificate_der()?]);
    assert!(matches!(&refused, Err(SamlError::Signature(m)) if m.contains("SHA-1")), "{refused:?}");
    Ok(())
}

#[test]
fn hostile_or_broken_redirect_messages_are_refused() -> TestResult {
    let malformed = |query: &str, wanted: &str| match Incoming::from_redirect(query) {
        Err(SamlError::Malformed(m)) if m.contains(wanted) => Ok(()),
        other => Err(format!("{wanted}: {other:?}")),
    };
    // A DEFLATE bomb: a megabyte of spaces is a few hundred bytes compressed.
    let bomb = format!("SAMLRequest={}", enc(&deflate(&vec![b' '; 1 << 20])?));
    assert!(bomb.len() < 10_000);
    malformed(&bomb, "more than")?;
    let dtd = format!("<!DOCTYPE r [<!ENTITY x \"y\">]>{}", authn_request(""));
    malformed(&redirect_query(&dtd, None, None)?, "DTD")?;
    malformed("SAMLRequest=%%%", "URL-encoded")?;
    malformed("SAMLRequest=bm90IGRlZmxhdGVk", "DEFLATE")?;
    malformed("RelayState=x", "no SAMLRequest")?;
    let ok = redirect_query(&authn_request(""), None, None)?;
    malformed(&format!("{ok}&{}", ok.replace("tenant=a&", "")), "twice")?;
    malformed(&format!("{ok}&SigAlg={}", enc(RSA_SHA256)), "only one of SigAlg and Signature")?;
    let response_param = ok.replace("SAMLRequest=", "SAMLResponse=");
    malformed(&response_param, "request sent as SAMLResponse")?;
    malformed(
        &redirect_query(&authn_request("").replace("Version=\"2.0\"", "Version=\"1.1\""), None, None)?,
        "version 1.1",
    )?;
    malformed(&redirect_query(&authn_request("").replace(" ID=\"_r1\"", ""), None, None)?, "without ID")?;
    let no_issuer = authn_request("").replace(&format!("<saml:Issuer>{SP}</saml:Issuer>"), "");
    malformed(&redirect_query(&no_issuer, None, None)?, "without Issuer")?;
    let two_issuers = authn_request(&format!("<saml:Issuer>{SP}</saml:Issuer>"));
    malformed(&redirect_query(&two_issuers, None, None)?, "more than one Issuer")?;
    let both_acs = authn_request("").replace("ForceAuthn=", "AssertionConsumerServiceIndex=\"1\" ForceAuthn=");
    malformed(&redirect_query(&both_acs, None, None)?, "with both AssertionConsumerServiceURL")?;
    let bad_bool = authn_request("").replace("IsPassive=\"false\"", "IsPassive=\"maybe\"");
    malformed(&redirect_query(&bad_bool, None, None)?, "IsPassive")?;
    let other_root = format!("<samlp:Response xmlns:samlp=\"{NS_PROTOCOL}\" ID=\"_x\" Version=\"2.0\"/>");
    malformed(&redirect_query(&other_root, None, None)?, "is not a samlp:AuthnRequest")?;
    Ok(())
}

/// `xml` with the empty signature template signed by `key`, as a service provider signs a POST
/// message (enveloped, exclusive C14N, RSA-SHA256).
fn sign_post(xml: &str, key: &SamlKey) -> Result<String, Box<dyn std::error::Error>> {
    let mut keys = KeysManager::new();
    keys.add_key(bergshamra::keys::loader::load_pem_auto(key.private_key_pem.as_bytes(), None)?);
    Ok(bergshamra::sign(&DsigContext::new(keys), xml)?)
}

fn template(uri: &str) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"{NS_DSIG}\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/><ds:Reference URI=\"{uri}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
         <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>\
         </ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"
    )
}

#[test]
fn a_post_request_with_an_enveloped_signature_verifies() -> TestResult {
    let sp = sp_key()?;
    let signed = sign_post(&authn_request(&template("#_r1")), sp)?;
    let incoming = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(&signed), Some("rs"))?;
    assert_eq!((incoming.binding, incoming.relay_state.as_deref()), (Binding::Post, Some("rs")));
    assert!(incoming.is_signed());
    assert!(matches!(&incoming.message, Message::AuthnRequest(r) if r.id == "_r1" && r.issuer == SP));
    incoming.verify_signature(&[sp.certificate_der()?])?;
    assert!(matches!(incoming.verify_signature(&[idp_key()?.certificate_der()?]), Err(SamlError::Signature(_))));

    // A changed message no longer verifies.
    let evil = signed.replace("https://sp.test/saml/corp/acs", "https://evil.test/acs");
    let evil = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(evil), None)?;
    assert!(matches!(evil.verify_signature(&[sp.certificate_der()?]), Err(SamlError::Signature(_))));

    // A signature that does not name the root by its ID is not taken, valid or not.
    let whole = sign_post(&authn_request(&template("")), sp)?;
    let whole = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(whole), None)?;
    let refused = whole.verify_signature(&[sp.certificate_der()?]);
    assert!(matches!(&refused, Err(SamlError::Signature(m)) if m.contains("by its ID")), "{refused:?}");

    // Unsigned: read, and refused by the check.
    let unsigned = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(authn_request("")), None)?;
    assert!(!unsigned.is_signed() && unsigned.relay_state.is_none());
    assert!(matches!(unsigned.message, Message::AuthnRequest(_)));
    assert!(unsigned.verify_signature(&[sp.certificate_der()?]).is_err());
    // Line breaks in the base64 are taken; the wrong field is not.
    let wrapped: String =
        STANDARD.encode(authn_request("")).chars().enumerate().fold(String::new(), |mut s, (i, c)| {
            if i > 0 && i % 76 == 0 {
                s.push_str("\r\n");
            }
            s.push(c);
            s
        });
    assert!(Incoming::from_post(Parameter::SamlRequest, &wrapped, None).is_ok());
    let wrong_field = Incoming::from_post(Parameter::SamlResponse, &wrapped, None);
    assert!(matches!(wrong_field, Err(SamlError::Malformed(_))));
    Ok(())
}

#[test]
fn logout_messages_from_a_service_provider_are_read() -> TestResult {
    let request = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"_l1\" \
         Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\" NotOnOrAfter=\"2027-01-15T08:05:00Z\">\
         <saml:Issuer>{SP}</saml:Issuer><saml:NameID Format=\"{NAMEID_PERSISTENT}\">u-123</saml:NameID>\
         <samlp:SessionIndex>_s1</samlp:SessionIndex><samlp:SessionIndex>_s2</samlp:SessionIndex>\
         </samlp:LogoutRequest>"
    );
    let incoming = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(&request), None)?;
    let Message::LogoutRequest(r) = &incoming.message else {
        return Err(format!("not a LogoutRequest: {:?}", incoming.message).into());
    };
    assert_eq!((r.id.as_str(), r.issuer.as_str(), r.name_id.as_str()), ("_l1", SP, "u-123"));
    assert_eq!(r.name_id_format.as_deref(), Some(NAMEID_PERSISTENT));
    assert_eq!(r.session_indexes, ["_s1", "_s2"]);
    assert_eq!(r.not_on_or_after, Some(super::now()? + time::Duration::minutes(5)));
    assert_eq!(r.destination, None);
    let no_name = request.replace(&format!("<saml:NameID Format=\"{NAMEID_PERSISTENT}\">u-123</saml:NameID>"), "");
    let refused = Incoming::from_post(Parameter::SamlRequest, &STANDARD.encode(no_name), None);
    assert!(matches!(refused, Err(SamlError::Malformed(m)) if m.contains("without NameID")));

    let response = format!(
        "<samlp:LogoutResponse xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"_lr1\" \
         Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\" InResponseTo=\"_l0\">\
         <saml:Issuer>{SP}</saml:Issuer><samlp:Status><samlp:StatusCode \
         Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"><samlp:StatusCode \
         Value=\"urn:oasis:names:tc:SAML:2.0:status:PartialLogout\"/></samlp:StatusCode>\
         <samlp:StatusMessage>one left</samlp:StatusMessage></samlp:Status></samlp:LogoutResponse>"
    );
    let query = format!("SAMLResponse={}&RelayState=back", enc(&deflate(response.as_bytes())?));
    let incoming = Incoming::from_redirect(&query)?;
    assert_eq!(incoming.relay_state.as_deref(), Some("back"));
    let Message::LogoutResponse(r) = &incoming.message else {
        return Err(format!("not a LogoutResponse: {:?}", incoming.message).into());
    };
    assert!(!r.is_success());
    assert_eq!((r.in_response_to.as_deref(), r.status_message.as_deref()), (Some("_l0"), Some("one left")));
    assert_eq!(r.sub_status.as_deref(), Some("urn:oasis:names:tc:SAML:2.0:status:PartialLogout"));
    let as_request = Incoming::from_redirect(&query.replace("SAMLResponse=", "SAMLRequest="));
    assert!(matches!(as_request, Err(SamlError::Malformed(m)) if m.contains("LogoutResponse sent as SAMLRequest")));
    Ok(())
}
