//! What the messages ciam sends share: enveloped XML signatures (RSA-SHA256, SHA-256, exclusive
//! C14N, the certificate in `KeyInfo`), the query-string signature of the HTTP-Redirect binding
//! (SAML 2.0 Bindings §3.4.4.1), DEFLATE, and the formats of times and IDs. The identity
//! provider's messages use all of it; the service provider's `AuthnRequest`
//! ([`crate::request`]) the HTTP-Redirect binding and its signature.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::core::algorithm;
use bergshamra::{DsigContext, KeysManager};
use time::{OffsetDateTime, UtcOffset};

use crate::metadata::SamlKey;
use crate::response::SamlError;
use crate::xml::escape;
use crate::{MAX_MESSAGE_BYTES, NS_DSIG};

fn build(why: impl Into<String>) -> SamlError {
    SamlError::Build(why.into())
}

/// `t` as SAML writes times (`xs:dateTime` in UTC, whole seconds: `2027-01-15T08:00:00Z`).
pub(crate) fn instant(t: OffsetDateTime) -> Result<String, SamlError> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.to_offset(UtcOffset::UTC).format(format).map_err(|e| build(format!("a time cannot be written: {e}")))
}

/// `now + lifetime`, which must be later than `now`.
pub(crate) fn later(now: OffsetDateTime, lifetime: time::Duration) -> Result<OffsetDateTime, SamlError> {
    if !lifetime.is_positive() {
        return Err(build("the lifetime must be positive"));
    }
    now.checked_add(lifetime).ok_or_else(|| build("the lifetime is out of range"))
}

/// `id` must be an `xs:ID` (an NCName: a letter or `_`, then letters, digits, `-`, `_`, `.`):
/// signatures name their element by it.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), SamlError> {
    let mut chars = id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && id.len() <= 256 && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        Ok(())
    } else {
        Err(build(format!("the {what} is not an XML ID (a letter or _, then letters, digits, - _ .)")))
    }
}

/// A `ds:Signature` template signing the element with `ID` `reference_id`, carrying `key`'s
/// certificate: placed by the caller right after the element's `Issuer`.
pub(crate) fn signature_template(reference_id: &str, key: &SamlKey) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"{NS_DSIG}\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"{c14n}\"/>\
         <ds:SignatureMethod Algorithm=\"{rsa}\"/>\
         <ds:Reference URI=\"#{id}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{enveloped}\"/><ds:Transform Algorithm=\"{c14n}\"/>\
         </ds:Transforms><ds:DigestMethod Algorithm=\"{sha}\"/><ds:DigestValue></ds:DigestValue>\
         </ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
         </ds:Signature>",
        c14n = algorithm::EXC_C14N,
        rsa = algorithm::RSA_SHA256,
        enveloped = algorithm::ENVELOPED_SIGNATURE,
        sha = algorithm::SHA256,
        id = escape(reference_id),
        cert = escape(&key.certificate_base64()),
    )
}

/// Fills the first signature template of `template` (in document order) with `key`; a
/// signature already filled further on is left as it is.
pub(crate) fn sign_enveloped(template: &str, key: &SamlKey) -> Result<String, SamlError> {
    let mut keys = KeysManager::new();
    keys.add_key(key.signing_key()?);
    let signed = bergshamra::sign(&DsigContext::new(keys), template).map_err(|e| build(format!("signing: {e}")))?;
    // The signed element is embedded in another document, or sent as is: no XML declaration.
    Ok(match signed.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(signed.as_str(), |(_, body)| body).trim_start().to_owned(),
        None => signed,
    })
}

/// The RSA-SHA256 signature of `octets` with `key` (PKCS #1 v1.5).
pub(crate) fn sign_octets(octets: &[u8], key: &SamlKey) -> Result<Vec<u8>, SamlError> {
    let private = key.signing_key()?;
    let software = private
        .to_signing_key()
        .map_err(|e| build(format!("the private key cannot sign: {e}")))?
        .ok_or_else(|| build("the private key cannot sign"))?;
    let rsa = bergshamra::crypto::sign::from_uri(algorithm::RSA_SHA256).map_err(|e| build(e.to_string()))?;
    rsa.sign(&software, octets).map_err(|e| build(format!("signing: {e}")))
}

/// Whether `signature` over `octets` verifies with one of `certificates_der` under the
/// algorithm `sig_alg` (already checked to be one that is taken).
pub(crate) fn verify_octets(
    sig_alg: &str,
    octets: &[u8],
    signature: &[u8],
    certificates_der: &[Vec<u8>],
) -> Result<(), SamlError> {
    let bad = |why: String| SamlError::Signature(why);
    let verifier = bergshamra::crypto::sign::from_uri(sig_alg).map_err(|e| bad(e.to_string()))?;
    for der in certificates_der {
        let cert = bergshamra::keys::loader::load_x509_cert_der(der)
            .map_err(|e| bad(format!("a certificate of the service provider cannot be read: {e}")))?;
        let Some(public) = cert.to_signing_key().map_err(|e| bad(format!("a certificate's key: {e}")))? else {
            continue;
        };
        if verifier.verify(&public, octets, signature).unwrap_or(false) {
            return Ok(());
        }
    }
    Err(bad("it does not verify with any certificate of the service provider".into()))
}

/// Checks a signature algorithm (`SigAlg`, `SignatureMethod`): RSA-SHA256 and RSA-SHA512 are
/// taken; SHA-1 is refused by name.
pub(crate) fn check_signature_algorithm(uri: &str) -> Result<(), SamlError> {
    match uri {
        algorithm::RSA_SHA256 | algorithm::RSA_SHA512 => Ok(()),
        _ if uri.to_ascii_lowercase().contains("sha1") => {
            Err(SamlError::Signature(format!("it uses SHA-1 ({}), which is refused: sign with rsa-sha256", shown(uri))))
        }
        _ => Err(SamlError::Signature(format!(
            "it uses the algorithm {}; only rsa-sha256 and rsa-sha512 are taken",
            shown(uri)
        ))),
    }
}

/// Checks a digest algorithm (`DigestMethod`): SHA-256 and SHA-512; SHA-1 refused by name.
pub(crate) fn check_digest_algorithm(uri: &str) -> Result<(), SamlError> {
    match uri {
        algorithm::SHA256 | algorithm::SHA512 => Ok(()),
        algorithm::SHA1 => Err(SamlError::Signature("its digest is SHA-1, which is refused: use SHA-256".into())),
        _ => {
            Err(SamlError::Signature(format!("its digest algorithm {} is not taken (SHA-256 or SHA-512)", shown(uri))))
        }
    }
}

/// A value from a peer, fit for a log line.
pub(crate) fn shown(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_graphic()).take(120).collect()
}

/// `xml` DEFLATE-compressed (RFC 1951, no zlib header) and base64, as the HTTP-Redirect binding
/// carries it.
pub(crate) fn deflate_base64(xml: &str) -> Result<String, SamlError> {
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(xml.as_bytes()).map_err(|e| build(e.to_string()))?;
    Ok(STANDARD.encode(deflater.finish().map_err(|e| build(e.to_string()))?))
}

/// The URL of `endpoint` carrying `xml` by the HTTP-Redirect binding as `parameter`
/// (`SAMLRequest`, `SAMLResponse`), with `relay_state` and the query-string signature made with
/// `key`. The endpoint's own query parameters stay, before the message's.
pub(crate) fn redirect_url(
    endpoint: &str,
    parameter: &str,
    xml: &str,
    relay_state: Option<&str>,
    key: &SamlKey,
) -> Result<String, SamlError> {
    redirect_binding_url(endpoint, parameter, xml, relay_state, Some(key))
}

/// [`redirect_url`], signed only when there is a `key`: without one the query carries the
/// message and `relay_state` alone (no `SigAlg`, no `Signature`).
pub(crate) fn redirect_binding_url(
    endpoint: &str,
    parameter: &str,
    xml: &str,
    relay_state: Option<&str>,
    key: Option<&SamlKey>,
) -> Result<String, SamlError> {
    let mut url = url::Url::parse(endpoint).map_err(|_| build("the endpoint the message goes to is not a URL"))?;
    if xml.len() > MAX_MESSAGE_BYTES {
        return Err(build("the message is too large"));
    }
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    // The signed octets are these, exactly as they appear in the query (Bindings §3.4.4.1).
    let mut message = format!("{parameter}={}", enc(&deflate_base64(xml)?));
    if let Some(relay_state) = relay_state {
        message.push_str(&format!("&RelayState={}", enc(relay_state)));
    }
    if let Some(key) = key {
        message.push_str(&format!("&SigAlg={}", enc(algorithm::RSA_SHA256)));
        let signature = STANDARD.encode(sign_octets(message.as_bytes(), key)?);
        message.push_str(&format!("&Signature={}", enc(&signature)));
    }
    let query = match url.query() {
        Some(own) if !own.is_empty() => format!("{own}&{message}"),
        _ => message,
    };
    url.set_query(Some(&query));
    Ok(url.into())
}
