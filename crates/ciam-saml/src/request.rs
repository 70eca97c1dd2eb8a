//! The `AuthnRequest` (SAML 2.0 Core §3.4.1) ciam sends to an identity provider, by the
//! HTTP-Redirect binding (SAML 2.0 Bindings §3.4: DEFLATE, base64, URL-encoded).

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::xml::escape;
use crate::{BINDING_POST, NS_ASSERTION, NS_PROTOCOL};

/// A request about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// Its `ID` (the `InResponseTo` its answer must carry).
    pub id: String,
    /// The URL to send the browser to.
    pub redirect_url: String,
}

impl AuthnRequest {
    /// A request from `sp_entity_id` (answers to `acs_url`, HTTP-POST) to the identity provider
    /// at `sso_url`, with `id` (random, starting with a letter or `_`) and `relay_state`.
    pub fn new(
        sp_entity_id: &str,
        acs_url: &str,
        sso_url: &str,
        id: &str,
        relay_state: &str,
        now: OffsetDateTime,
    ) -> Result<Self, String> {
        let instant = now.replace_nanosecond(0).unwrap_or(now).format(&Rfc3339).map_err(|e| e.to_string())?;
        let xml = format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
             Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{dest}\" \
             ProtocolBinding=\"{BINDING_POST}\" AssertionConsumerServiceURL=\"{acs}\">\
             <saml:Issuer>{issuer}</saml:Issuer>\
             <samlp:NameIDPolicy AllowCreate=\"true\"/>\
             </samlp:AuthnRequest>",
            id = escape(id),
            dest = escape(sso_url),
            acs = escape(acs_url),
            issuer = escape(sp_entity_id),
        );
        let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflater.write_all(xml.as_bytes()).map_err(|e| e.to_string())?;
        let deflated = deflater.finish().map_err(|e| e.to_string())?;
        let mut url = url::Url::parse(sso_url).map_err(|_| "the single sign-on URL is not a URL".to_owned())?;
        url.query_pairs_mut()
            .append_pair("SAMLRequest", &STANDARD.encode(deflated))
            .append_pair("RelayState", relay_state);
        Ok(Self { id: id.to_owned(), redirect_url: url.into() })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn the_request_inflates_to_what_was_asked() -> Result<(), Box<dyn std::error::Error>> {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000)?;
        let r = AuthnRequest::new("https://sp/x", "https://sp/x/acs", "https://idp/sso?tenant=a", "_r1", "rs", now)?;
        let url = url::Url::parse(&r.redirect_url)?;
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q.get("tenant").map(String::as_str), Some("a"), "the SSO URL's own query stays");
        assert_eq!(q.get("RelayState").map(String::as_str), Some("rs"));
        let raw = STANDARD.decode(q.get("SAMLRequest").map(String::as_str).unwrap_or_default())?;
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(raw.as_slice()).read_to_string(&mut xml)?;
        assert!(xml.contains("ID=\"_r1\"") && xml.contains("<saml:Issuer>https://sp/x</saml:Issuer>"), "{xml}");
        assert!(xml.contains("AssertionConsumerServiceURL=\"https://sp/x/acs\""), "{xml}");
        assert!(xml.contains("IssueInstant=\"2027-01-15T08:00:00Z\""), "{xml}");
        Ok(())
    }
}
