//! Client certificates (RFC 8705) presented to a TLS-terminating reverse proxy, which forwards
//! each request's verified certificate in a header (`server.client_certificate_header`; nginx
//! `$ssl_client_escaped_cert`, AWS ALB `X-Amzn-Mtls-Clientcert`, Traefik, HAProxy). Tokens
//! issued without a DPoP proof are bound to the certificate's SHA-256 thumbprint
//! (`cnf.x5t#S256`, RFC 8705 §3.1), and a bound token is then accepted only with the same
//! certificate.
//!
//! # Security
//! The header is believed only on connections from `server.trusted_proxies`, which must remove
//! any such header a client sends; from anyone else it is ignored, so a client cannot claim a
//! certificate it does not hold.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::extract::from_trusted_proxy;
use crate::state::{AppState, NodeSettings};

/// PEM boundaries of a certificate (RFC 7468 §5.1).
const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";
/// The largest certificate accepted, DER-encoded.
const MAX_DER: usize = 16 * 1024;

/// The thumbprint of the client certificate of a request (see [`client_certificate`]).
pub(crate) struct ClientCertificate(pub(crate) Option<String>);

impl FromRequestParts<AppState> for ClientCertificate {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(client_certificate(parts, &st.node)))
    }
}

/// The thumbprint of the certificate a trusted proxy forwarded with this request, if the node
/// is configured for it and the header holds a certificate.
pub(crate) fn client_certificate(parts: &Parts, node: &NodeSettings) -> Option<String> {
    let name = node.client_certificate_header.as_ref()?;
    if !from_trusted_proxy(parts, &node.trusted_proxies) {
        return None;
    }
    let value = parts.headers.get(name)?.to_str().ok()?;
    let thumbprint = thumbprint(value);
    if thumbprint.is_none() && !value.is_empty() {
        tracing::warn!(header = %name, "the forwarded client certificate is not a PEM or base64 DER certificate");
    }
    thumbprint
}

/// The base64url SHA-256 thumbprint of the DER encoding of a certificate given as PEM,
/// URL-encoded PEM, or base64 DER.
pub(crate) fn thumbprint(value: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(value.trim()).decode_utf8().ok()?;
    let body = match decoded.find(BEGIN) {
        Some(start) => {
            let rest = &decoded[start + BEGIN.len()..];
            &rest[..rest.find(END)?]
        }
        None => decoded.as_ref(),
    };
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(b64).ok()?;
    // A DER certificate is one SEQUENCE (tag 0x30).
    if der.len() > MAX_DER || der.first() != Some(&0x30) {
        return None;
    }
    Some(URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(&der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny DER SEQUENCE stands in for a certificate: only its bytes are hashed.
    const DER: [u8; 6] = [0x30, 0x04, 0x02, 0x02, 0x01, 0x00];

    #[test]
    fn pem_escaped_pem_and_base64_der_give_the_same_thumbprint() {
        let b64 = STANDARD.encode(DER);
        let pem = format!("{BEGIN}\n{b64}\n{END}\n");
        let escaped: String = percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC).collect();
        let want = URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(&DER));
        for form in [pem.as_str(), escaped.as_str(), b64.as_str()] {
            assert_eq!(thumbprint(form).as_deref(), Some(want.as_str()), "{form}");
        }
    }

    #[test]
    fn what_is_not_a_certificate_has_no_thumbprint() {
        for junk in ["", "not base64!", &STANDARD.encode(b"hello"), &format!("{BEGIN}\nAAAA\n"), "%ZZ"] {
            assert_eq!(thumbprint(junk), None, "{junk}");
        }
    }
}
