//! The `AuthnRequest` (SAML 2.0 Core §3.4.1) ciam sends to an identity provider, by the
//! HTTP-Redirect binding (SAML 2.0 Bindings §3.4: DEFLATE, base64, URL-encoded), signed with the
//! service provider's key by the binding's query-string signature (§3.4.4.1, RSA-SHA256 over
//! `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as sent).

use time::OffsetDateTime;

use crate::idp::signing::{check_id, instant, redirect_binding_url};
use crate::metadata::SamlKey;
use crate::response::SamlError;
use crate::xml::escape;
use crate::{BINDING_POST, NS_ASSERTION, NS_PROTOCOL};

/// A request about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// Its `ID` (the `InResponseTo` its answer must carry).
    pub id: String,
    /// The URL to send the browser to.
    pub redirect_url: String,
    /// Whether the URL carries a signature (`SigAlg` and `Signature`).
    pub signed: bool,
}

impl AuthnRequest {
    /// A request from `sp_entity_id` (answers to `acs_url`, HTTP-POST) to the identity provider
    /// at `sso_url` (its own query parameters stay), with `id` (an XML ID: random, starting with
    /// a letter or `_`) and `relay_state`; signed with `key` (RSA-SHA256) when there is one.
    pub fn new(
        sp_entity_id: &str,
        acs_url: &str,
        sso_url: &str,
        id: &str,
        relay_state: &str,
        now: OffsetDateTime,
        key: Option<&SamlKey>,
    ) -> Result<Self, SamlError> {
        check_id("request ID", id)?;
        let xml = format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
             Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{dest}\" \
             ProtocolBinding=\"{BINDING_POST}\" AssertionConsumerServiceURL=\"{acs}\">\
             <saml:Issuer>{issuer}</saml:Issuer>\
             <samlp:NameIDPolicy AllowCreate=\"true\"/>\
             </samlp:AuthnRequest>",
            id = escape(id),
            instant = instant(now)?,
            dest = escape(sso_url),
            acs = escape(acs_url),
            issuer = escape(sp_entity_id),
        );
        let redirect_url = redirect_binding_url(sso_url, "SAMLRequest", &xml, Some(relay_state), key)?;
        Ok(Self { id: id.to_owned(), redirect_url, signed: key.is_some() })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Read as _;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::idp::{Incoming, Message};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn now() -> Result<OffsetDateTime, time::error::ComponentRange> {
        OffsetDateTime::from_unix_timestamp(1_800_000_000)
    }

    fn key() -> Result<SamlKey, String> {
        SamlKey::generate("https://sp/x", OffsetDateTime::UNIX_EPOCH)
    }

    fn query(url: &str) -> Result<HashMap<String, String>, url::ParseError> {
        Ok(url::Url::parse(url)?.query_pairs().into_owned().collect())
    }

    #[test]
    fn the_request_inflates_to_what_was_asked() -> TestResult {
        let r = AuthnRequest::new(
            "https://sp/x",
            "https://sp/x/acs",
            "https://idp/sso?tenant=a",
            "_r1",
            "rs",
            now()?,
            None,
        )?;
        assert!(!r.signed);
        let q = query(&r.redirect_url)?;
        assert_eq!(q.get("tenant").map(String::as_str), Some("a"), "the SSO URL's own query stays");
        assert_eq!(q.get("RelayState").map(String::as_str), Some("rs"));
        assert!(!q.contains_key("SigAlg") && !q.contains_key("Signature"), "no key, no signature: {q:?}");
        let raw = STANDARD.decode(q.get("SAMLRequest").map(String::as_str).unwrap_or_default())?;
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(raw.as_slice()).read_to_string(&mut xml)?;
        assert!(xml.contains("ID=\"_r1\"") && xml.contains("<saml:Issuer>https://sp/x</saml:Issuer>"), "{xml}");
        assert!(xml.contains("AssertionConsumerServiceURL=\"https://sp/x/acs\""), "{xml}");
        assert!(xml.contains("IssueInstant=\"2027-01-15T08:00:00Z\""), "{xml}");
        Ok(())
    }

    #[test]
    fn a_signed_request_verifies_with_the_certificate_and_nothing_else() -> TestResult {
        let (key, other) = (key()?, key()?);
        let sso = "https://idp/sso?tenant=a";
        let r = AuthnRequest::new("https://sp/x", "https://sp/x/acs", sso, "_r2", "state 1/2", now()?, Some(&key))?;
        assert!(r.signed);
        let q = query(&r.redirect_url)?;
        assert_eq!(q.get("SigAlg").map(String::as_str), Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"));
        assert_eq!(q.get("RelayState").map(String::as_str), Some("state 1/2"));

        // The receiving side reads the query exactly as sent: the signature verifies with the
        // key's certificate, and with no other.
        let raw_query = url::Url::parse(&r.redirect_url)?.query().unwrap_or_default().to_owned();
        let incoming = Incoming::from_redirect(&raw_query)?;
        assert!(incoming.is_signed());
        assert!(matches!(&incoming.message, Message::AuthnRequest(m) if m.id == "_r2"), "{:?}", incoming.message);
        assert_eq!(incoming.relay_state.as_deref(), Some("state 1/2"));
        incoming.verify_signature(&[key.certificate_der()?])?;
        assert!(incoming.verify_signature(&[other.certificate_der()?]).is_err(), "another key's certificate");

        // What is signed is the whole query as sent: another RelayState breaks it.
        let tampered = raw_query.replace("RelayState=state+1%2F2", "RelayState=state+1%2F3");
        assert_ne!(tampered, raw_query, "{raw_query}");
        let tampered = Incoming::from_redirect(&tampered)?;
        assert!(tampered.verify_signature(&[key.certificate_der()?]).is_err(), "a changed RelayState");
        Ok(())
    }

    #[test]
    fn a_request_id_that_is_not_an_xml_id_is_refused() -> TestResult {
        let made = AuthnRequest::new("https://sp/x", "https://sp/x/acs", "https://idp/sso", "1\"x", "rs", now()?, None);
        assert!(matches!(made, Err(SamlError::Build(_))), "{made:?}");
        Ok(())
    }
}
