//! The strict check of an identity provider's `Response` (SAML 2.0 Core §3.3.3, Profiles §4.1.4).
//!
//! # Security
//! - **Signature:** checked with `bergshamra`, against the metadata's certificates only (a
//!   certificate inside the message is never trusted), every signature of the document (one
//!   that fails fails the response), with its position checks (a reference must name the
//!   document element, an ancestor or a sibling of its `Signature`).
//! - **What is read is what was signed:** the response holds exactly one `Assertion`, a child
//!   of the `Response`, and no other `Assertion` anywhere (wrapped in an `Object`, an
//!   `Extensions`, another assertion); that assertion node (by identity, not found again by
//!   name) must be the target of a valid signature, or be a child of the document element when
//!   that is the signed one. Duplicate `ID`s refuse the document. These close the XML signature
//!   wrapping variants (XSW1-8 of Somorovsky et al., 2012).
//! - **Conditions:** `Issuer`s, `Destination`, the bearer `SubjectConfirmationData`'s
//!   `Recipient`, `NotOnOrAfter` and `InResponseTo`, the `Conditions` window and the
//!   `AudienceRestriction` are all required and checked, with two minutes for clock skew.
//! - **Replay** is the caller's: it keeps [`Assertion::id`] until [`Assertion::not_on_or_after`].

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::{DsigContext, KeysManager, VerifyResult};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uppsala::{Document, NodeId};

use crate::xml::{self, attr, children, is, one_child};
use crate::{NS_ASSERTION, NS_PROTOCOL};

/// How far a peer's clock may be off, seconds.
pub const CLOCK_SKEW_SECS: i64 = 120;

const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// Why a SAML message was refused, or could not be made (for the log and the audit trail; the
/// person sees that the sign-in or the sign-out failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlError {
    /// Not a SAML message this server can read.
    #[error("the SAML message {0}")]
    Malformed(String),
    /// The identity provider said the sign-in failed.
    #[error("the identity provider answered {0}")]
    Status(String),
    /// No valid signature covers the assertion, or a signature is invalid.
    #[error("the signature is not valid: {0}")]
    Signature(String),
    /// A condition does not hold (issuer, audience, recipient, destination, time, request).
    #[error("the response {0}")]
    Condition(String),
    /// A message to send could not be made or signed (its inputs, or the signing key).
    #[error("the SAML message cannot be made: {0}")]
    Build(String),
}

pub(crate) fn malformed(why: impl Into<String>) -> SamlError {
    SamlError::Malformed(why.into())
}

fn condition(why: impl Into<String>) -> SamlError {
    SamlError::Condition(why.into())
}

/// What the service provider expects of a response.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// The identity provider's entity id.
    pub idp_entity_id: &'a str,
    /// Its signing certificates (DER).
    pub certificates: &'a [Vec<u8>],
    /// This service provider's entity id (the audience).
    pub sp_entity_id: &'a str,
    /// This service provider's assertion consumer service URL.
    pub acs_url: &'a str,
    /// The `ID` of the request this answers; `None` for an IdP-initiated response, which must
    /// then carry no `InResponseTo`.
    pub in_response_to: Option<&'a str>,
    /// Now.
    pub now: OffsetDateTime,
    /// This service's private key (PKCS#8 PEM), to decrypt an `EncryptedAssertion`.
    pub decryption_key_pem: Option<&'a str>,
}

/// A checked assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// Its `ID` (for the replay cache).
    pub id: String,
    /// Its subject's `NameID`.
    pub name_id: String,
    /// The `NameID`'s `Format`, when given.
    pub name_id_format: Option<String>,
    /// Attribute values by `Name` (and by `FriendlyName`, when it has one).
    pub attributes: BTreeMap<String, Vec<String>>,
    /// The `AuthnContextClassRef` of its `AuthnStatement`.
    pub authn_context: Option<String>,
    /// The `SessionIndex` of its `AuthnStatement`.
    pub session_index: Option<String>,
    /// Until when it may be used (the earliest `NotOnOrAfter`).
    pub not_on_or_after: OffsetDateTime,
}

fn instant(doc: &Document<'_>, id: NodeId, name: &str) -> Result<Option<OffsetDateTime>, SamlError> {
    attr(doc, id, name)
        .map(|v| OffsetDateTime::parse(v, &Rfc3339).map_err(|_| malformed(format!("has a {name} that is not a time"))))
        .transpose()
}

/// Checks the base64 `SAMLResponse` of the HTTP-POST binding.
pub fn verify_response(saml_response: &str, expected: &Expected<'_>) -> Result<Assertion, SamlError> {
    let compact: String = saml_response.split_whitespace().collect();
    let bytes = STANDARD.decode(compact).map_err(|_| malformed("is not base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| malformed("is not UTF-8"))?;
    let doc = xml::parse(&text).map_err(malformed)?;
    let root = doc.document_element().ok_or_else(|| malformed("is empty"))?;
    if !is(&doc, root, NS_PROTOCOL, "Response") {
        return Err(malformed("is not a samlp:Response"));
    }
    status(&doc, root)?;
    issuer(&doc, root, expected.idp_entity_id, false)?;
    match attr(&doc, root, "Destination") {
        Some(d) if d == expected.acs_url => {}
        Some(_) => return Err(condition("is for another destination")),
        None => return Err(condition("has no Destination")),
    }
    if attr(&doc, root, "InResponseTo") != expected.in_response_to {
        return Err(condition("answers another request (InResponseTo)"));
    }
    let encrypted = xml::all(&doc, NS_ASSERTION, "EncryptedAssertion");
    // Exactly one assertion in the whole document (plain or encrypted), the Response's child.
    let assertion = match (xml::all(&doc, NS_ASSERTION, "Assertion").as_slice(), encrypted.as_slice()) {
        ([one], []) if doc.parent(*one) == Some(root) => *one,
        ([], [one]) if doc.parent(*one) == Some(root) => {
            return encrypted_assertion(&doc, &text, root, expected);
        }
        ([], []) => return Err(malformed("has no assertion")),
        ([_], []) | ([], [_]) => return Err(malformed("has its assertion somewhere else than under the Response")),
        _ => return Err(malformed("has more than one assertion")),
    };
    let signed = covered(&doc, &text, expected.certificates, Signatures::AllValid)?;
    if !(signed.contains(&assertion) || signed.contains(&root)) {
        return Err(SamlError::Signature("no signature covers the assertion".into()));
    }
    read_assertion(&doc, assertion, expected)
}

/// An `EncryptedAssertion`: the response's own signature is checked over what was sent (the
/// ciphertext); the assertion is decrypted with this service's key and, when it carries a
/// signature of its own, that signature must hold too. One of the two must be there.
fn encrypted_assertion(
    doc: &Document<'_>,
    text: &str,
    root: NodeId,
    expected: &Expected<'_>,
) -> Result<Assertion, SamlError> {
    let key_pem = expected
        .decryption_key_pem
        .ok_or_else(|| malformed("has an encrypted assertion, and no key is set to decrypt it"))?;
    let response_signed = covered(doc, text, expected.certificates, Signatures::AllValid)?.contains(&root);
    let key = bergshamra::keys::loader::load_pem_auto(key_pem.as_bytes(), None)
        .map_err(|e| malformed(format!("cannot be decrypted: the service's key: {e}")))?;
    let mut keys = KeysManager::new();
    keys.add_key(key);
    let plain = bergshamra::decrypt(&bergshamra::EncContext::new(keys), text)
        .map_err(|e| malformed(format!("cannot be decrypted: {e}")))?;
    let pdoc = xml::parse(&plain).map_err(malformed)?;
    let proot = pdoc.document_element().ok_or_else(|| malformed("is empty once decrypted"))?;
    let assertion = match xml::all(&pdoc, NS_ASSERTION, "Assertion").as_slice() {
        [one] if pdoc.parent(*one).and_then(|p| pdoc.parent(p)) == Some(proot) => *one,
        [_] => return Err(malformed("has its decrypted assertion somewhere else than in the EncryptedAssertion")),
        [] => return Err(malformed("decrypts to no assertion")),
        _ => return Err(malformed("decrypts to more than one assertion")),
    };
    let own_signature = !children(&pdoc, assertion, crate::NS_DSIG, "Signature").is_empty();
    if own_signature {
        // The response's signature no longer holds over the decrypted document: only the
        // signatures covering the assertion are looked at here.
        if !covered(&pdoc, &plain, expected.certificates, Signatures::ValidOnes)?.contains(&assertion) {
            return Err(SamlError::Signature("the decrypted assertion's signature is not valid".into()));
        }
    } else if !response_signed {
        return Err(SamlError::Signature("neither the response nor the assertion is signed".into()));
    }
    read_assertion(&pdoc, assertion, expected)
}

/// The checks and the reading of an assertion whose signature was checked.
fn read_assertion(doc: &Document<'_>, assertion: NodeId, expected: &Expected<'_>) -> Result<Assertion, SamlError> {
    issuer(doc, assertion, expected.idp_entity_id, true)?;
    let (name_id, name_id_format, confirmed_until) = subject(doc, assertion, expected)?;
    let conditions_until = conditions(doc, assertion, expected)?;
    let id =
        attr(doc, assertion, "ID").filter(|i| !i.is_empty()).ok_or_else(|| malformed("has an assertion without ID"))?;
    let statement = one_child(doc, assertion, NS_ASSERTION, "AuthnStatement").map_err(malformed)?;
    let statement = statement.ok_or_else(|| malformed("has no AuthnStatement"))?;
    let authn_context = xml::all(doc, NS_ASSERTION, "AuthnContextClassRef")
        .into_iter()
        .find(|c| doc.parent(*c).and_then(|p| doc.parent(p)) == Some(statement))
        .map(|c| xml::text(doc, c));
    Ok(Assertion {
        id: id.to_owned(),
        name_id,
        name_id_format,
        attributes: attributes(doc, assertion),
        authn_context,
        session_index: attr(doc, statement, "SessionIndex").map(str::to_owned),
        not_on_or_after: conditions_until.map_or(confirmed_until, |c| c.min(confirmed_until)),
    })
}

fn status(doc: &Document<'_>, root: NodeId) -> Result<(), SamlError> {
    let status =
        one_child(doc, root, NS_PROTOCOL, "Status").map_err(malformed)?.ok_or_else(|| malformed("has no Status"))?;
    let code = one_child(doc, status, NS_PROTOCOL, "StatusCode").map_err(malformed)?;
    match code.and_then(|c| attr(doc, c, "Value")) {
        Some(SUCCESS) => Ok(()),
        Some(other) => {
            let shown: String = other.chars().filter(|c| c.is_ascii_graphic()).take(120).collect();
            Err(SamlError::Status(shown))
        }
        None => Err(malformed("has no StatusCode")),
    }
}

/// A verifying context holding the peer's certificates only (a certificate inside a message is
/// never trusted).
pub(crate) fn verifier(certificates: &[Vec<u8>]) -> Result<DsigContext, SamlError> {
    let mut keys = KeysManager::new();
    for der in certificates {
        let key = bergshamra::keys::loader::load_x509_cert_der(der)
            .map_err(|e| SamlError::Signature(format!("a metadata certificate cannot be read: {e}")))?;
        keys.add_key(key);
    }
    // `ID` is among the id attributes bergshamra knows; a duplicate ID refuses the document.
    Ok(DsigContext::new(keys))
}

/// Whether every signature of a document must verify, or only those covering what is read count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Signatures {
    /// One that does not verify refuses the document.
    AllValid,
    /// Those that do not verify are left out (a response signature over the ciphertext, once the
    /// assertion is decrypted).
    ValidOnes,
}

/// The elements the valid signatures of the document cover (none signed: empty), with the
/// metadata's certificates.
fn covered(
    doc: &Document<'_>,
    text: &str,
    certificates: &[Vec<u8>],
    which: Signatures,
) -> Result<Vec<NodeId>, SamlError> {
    if xml::all(doc, crate::NS_DSIG, "Signature").is_empty() {
        return Ok(Vec::new());
    }
    let results = bergshamra::dsig::verify::verify_all_document_with_source(&verifier(certificates)?, doc, Some(text))
        .map_err(|e| SamlError::Signature(e.to_string()))?;
    let mut nodes = Vec::new();
    for result in results {
        match result {
            VerifyResult::Valid { references, .. } => {
                nodes.extend(references.into_iter().filter(|r| r.digest_verified).filter_map(|r| r.resolved_node));
            }
            VerifyResult::Invalid { reason } if which == Signatures::AllValid => {
                return Err(SamlError::Signature(reason));
            }
            VerifyResult::Invalid { .. } => {}
        }
    }
    Ok(nodes)
}

/// The `Issuer` of `element` must be the identity provider (required on the assertion, and on
/// the response when present).
fn issuer(doc: &Document<'_>, element: NodeId, idp: &str, required: bool) -> Result<(), SamlError> {
    match one_child(doc, element, NS_ASSERTION, "Issuer").map_err(malformed)? {
        Some(i) if xml::text(doc, i) == idp => Ok(()),
        Some(_) => Err(condition("comes from another issuer")),
        None if required => Err(condition("has an assertion without Issuer")),
        None => Ok(()),
    }
}

/// The subject's NameID, its format, and until when its bearer confirmation holds.
fn subject(
    doc: &Document<'_>,
    assertion: NodeId,
    expected: &Expected<'_>,
) -> Result<(String, Option<String>, OffsetDateTime), SamlError> {
    let subject = one_child(doc, assertion, NS_ASSERTION, "Subject").map_err(malformed)?;
    let subject = subject.ok_or_else(|| malformed("has no Subject"))?;
    let name_id = one_child(doc, subject, NS_ASSERTION, "NameID").map_err(malformed)?;
    let name_id = name_id.ok_or_else(|| malformed("has no NameID (an encrypted one is not read)"))?;
    let value = xml::text(doc, name_id);
    if value.is_empty() || value.len() > 255 || value.chars().any(char::is_control) {
        return Err(malformed("has a NameID that is empty, too long or not text"));
    }
    let format = attr(doc, name_id, "Format").map(str::to_owned);
    let mut until = None;
    for confirmation in children(doc, subject, NS_ASSERTION, "SubjectConfirmation") {
        if attr(doc, confirmation, "Method") != Some(BEARER) {
            continue;
        }
        let Some(data) = one_child(doc, confirmation, NS_ASSERTION, "SubjectConfirmationData").map_err(malformed)?
        else {
            continue;
        };
        let ok_recipient = attr(doc, data, "Recipient") == Some(expected.acs_url);
        let ok_request = attr(doc, data, "InResponseTo") == expected.in_response_to;
        let not_after = instant(doc, data, "NotOnOrAfter")?;
        let ok_time = not_after.is_some_and(|t| t.unix_timestamp() + CLOCK_SKEW_SECS > expected.now.unix_timestamp());
        let not_before = instant(doc, data, "NotBefore")?;
        if not_before.is_some() {
            // SAML Profiles §4.1.4.2: a bearer confirmation has no NotBefore.
            continue;
        }
        if ok_recipient && ok_request && ok_time {
            until = not_after;
            break;
        }
    }
    let until = until.ok_or_else(|| {
        condition("has no bearer confirmation for this service (Recipient, InResponseTo) that is still valid")
    })?;
    Ok((value, format, until))
}

/// The `Conditions`: the window (with skew) and an audience restriction naming this service.
fn conditions(
    doc: &Document<'_>,
    assertion: NodeId,
    expected: &Expected<'_>,
) -> Result<Option<OffsetDateTime>, SamlError> {
    let c = one_child(doc, assertion, NS_ASSERTION, "Conditions").map_err(malformed)?;
    let c = c.ok_or_else(|| condition("has no Conditions (so no audience)"))?;
    let now = expected.now.unix_timestamp();
    if instant(doc, c, "NotBefore")?.is_some_and(|t| t.unix_timestamp() - CLOCK_SKEW_SECS > now) {
        return Err(condition("is not valid yet"));
    }
    let until = instant(doc, c, "NotOnOrAfter")?;
    if until.is_some_and(|t| t.unix_timestamp() + CLOCK_SKEW_SECS <= now) {
        return Err(condition("has expired"));
    }
    let restrictions = children(doc, c, NS_ASSERTION, "AudienceRestriction");
    if restrictions.is_empty() {
        return Err(condition("has no AudienceRestriction"));
    }
    // Every restriction must name this service (SAML Core §2.5.1.4).
    for r in restrictions {
        let audiences = children(doc, r, NS_ASSERTION, "Audience");
        if !audiences.iter().any(|a| xml::text(doc, *a) == expected.sp_entity_id) {
            return Err(condition("is for another audience"));
        }
    }
    Ok(until)
}

fn attributes(doc: &Document<'_>, assertion: NodeId) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in children(doc, assertion, NS_ASSERTION, "AttributeStatement") {
        for a in children(doc, statement, NS_ASSERTION, "Attribute") {
            let values: Vec<String> = children(doc, a, NS_ASSERTION, "AttributeValue")
                .into_iter()
                .map(|v| xml::text(doc, v))
                .filter(|v| !v.is_empty())
                .collect();
            for name in [attr(doc, a, "Name"), attr(doc, a, "FriendlyName")].into_iter().flatten() {
                out.entry(name.to_owned()).or_default().extend(values.iter().cloned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn expected(now: OffsetDateTime) -> Expected<'static> {
        Expected {
            idp_entity_id: "https://idp.test/saml",
            certificates: &[],
            sp_entity_id: "https://sp.test/saml/corp",
            acs_url: "https://sp.test/saml/corp/acs",
            in_response_to: Some("_r1"),
            now,
            decryption_key_pem: None,
        }
    }

    fn check(xml: &str) -> Result<Assertion, SamlError> {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        verify_response(&STANDARD.encode(xml), &expected(now))
    }

    const P: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
    const A: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

    #[test]
    fn structural_refusals_come_before_any_signature_work() -> TestResult {
        let dtd = format!("<!DOCTYPE r [<!ENTITY x \"y\">]><samlp:Response xmlns:samlp=\"{P}\"/>");
        assert!(matches!(check(&dtd), Err(SamlError::Malformed(m)) if m.contains("DTD")));
        assert!(matches!(check("<a/>"), Err(SamlError::Malformed(m)) if m.contains("samlp:Response")));
        assert!(matches!(verify_response("%%%", &expected(OffsetDateTime::UNIX_EPOCH)), Err(SamlError::Malformed(_))));
        let failed = format!(
            "<samlp:Response xmlns:samlp=\"{P}\"><samlp:Status><samlp:StatusCode \
             Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"/></samlp:Status></samlp:Response>"
        );
        assert_eq!(
            check(&failed).err(),
            Some(SamlError::Status("urn:oasis:names:tc:SAML:2.0:status:Requester".into()))
        );
        let ok =
            "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>";
        let to = "Destination=\"https://sp.test/saml/corp/acs\" InResponseTo=\"_r1\"";
        let two = format!(
            "<samlp:Response xmlns:samlp=\"{P}\" xmlns:saml=\"{A}\" {to}>{ok}<saml:Assertion ID=\"a\"/><saml:Assertion ID=\"b\"/></samlp:Response>"
        );
        assert!(matches!(check(&two), Err(SamlError::Malformed(m)) if m.contains("more than one")));
        let hidden = format!(
            "<samlp:Response xmlns:samlp=\"{P}\" xmlns:saml=\"{A}\" {to}>{ok}<samlp:Extensions><saml:Assertion ID=\"a\"/></samlp:Extensions></samlp:Response>"
        );
        assert!(matches!(check(&hidden), Err(SamlError::Malformed(m)) if m.contains("somewhere else")));
        let none = format!("<samlp:Response xmlns:samlp=\"{P}\" {to}>{ok}</samlp:Response>");
        assert!(matches!(check(&none), Err(SamlError::Malformed(m)) if m.contains("no assertion")));
        let encrypted = format!(
            "<samlp:Response xmlns:samlp=\"{P}\" xmlns:saml=\"{A}\" {to}>{ok}<saml:EncryptedAssertion/></samlp:Response>"
        );
        assert!(matches!(check(&encrypted), Err(SamlError::Malformed(m)) if m.contains("no key")));
        // Unsigned: refused for its missing signature (the response's conditions hold here).
        let unsigned = format!(
            "<samlp:Response xmlns:samlp=\"{P}\" xmlns:saml=\"{A}\" {to}>{ok}<saml:Assertion ID=\"a\"/></samlp:Response>"
        );
        assert!(matches!(check(&unsigned), Err(SamlError::Signature(_))));
        Ok(())
    }
}
