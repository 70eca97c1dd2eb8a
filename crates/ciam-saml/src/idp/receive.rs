//! The messages a service provider sends ciam as identity provider: `AuthnRequest` (SAML 2.0
//! Core §3.4.1), `LogoutRequest` (§3.7.1) and `LogoutResponse` (§3.7.2), by the HTTP-Redirect
//! binding (Bindings §3.4: DEFLATE, base64, URL-encoded, the signature in the query) or the
//! HTTP-POST binding (§3.5: base64, the signature enveloped in the message).
//!
//! # Security
//! - The message is decoded with bounds: [`MAX_MESSAGE_BYTES`] once inflated (a DEFLATE bomb
//!   stops there), no DTD.
//! - A signature is checked only by [`Incoming::verify_signature`], against the certificates
//!   the caller has for the service provider (never one inside the message). The query-string
//!   signature covers the octets exactly as received; an enveloped signature must be the only
//!   one of the document, a child of its root, and reference the root by its `ID`. Only
//!   RSA-SHA256 and RSA-SHA512 are taken; SHA-1 is refused.
//! - Whether a message must be signed, its `Destination`, its `Issuer` (known service provider)
//!   and its age are the caller's decisions, with the values read here.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::VerifyResult;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uppsala::{Document, NodeId};

use super::signing::{check_digest_algorithm, check_signature_algorithm, shown, verify_octets};
use crate::response::{SamlError, malformed, verifier};
use crate::xml::{self, attr, children, is, one_child};
use crate::{MAX_MESSAGE_BYTES, NS_ASSERTION, NS_DSIG, NS_PROTOCOL};

/// The binding a message came by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// HTTP-Redirect (Bindings §3.4): in the query string.
    Redirect,
    /// HTTP-POST (Bindings §3.5): in a form.
    Post,
}

/// The form field a message came in, by the HTTP-POST binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// `SAMLRequest`: an `AuthnRequest` or a `LogoutRequest`.
    SamlRequest,
    /// `SAMLResponse`: a `LogoutResponse`.
    SamlResponse,
}

/// The `RequestedAuthnContext` of an `AuthnRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedAuthnContext {
    /// The `Comparison` (`exact` when not given; `minimum`, `maximum`, `better`).
    pub comparison: String,
    /// The `AuthnContextClassRef`s, in order of preference.
    pub class_refs: Vec<String>,
}

/// An `AuthnRequest` from a service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAuthnRequest {
    /// Its `ID` (the `InResponseTo` of the answer).
    pub id: String,
    /// Its `Issuer`: the service provider's entity id.
    pub issuer: String,
    /// Its `Destination`, if given (must then be the URL it was sent to).
    pub destination: Option<String>,
    /// Its `IssueInstant`.
    pub issue_instant: OffsetDateTime,
    /// The `AssertionConsumerServiceURL` asked for, if any (must be one the service provider
    /// registered).
    pub acs_url: Option<String>,
    /// The `AssertionConsumerServiceIndex` asked for, if any.
    pub acs_index: Option<u16>,
    /// The `ProtocolBinding` asked for the response, if any.
    pub protocol_binding: Option<String>,
    /// The `Format` of its `NameIDPolicy`, if any.
    pub name_id_format: Option<String>,
    /// The `AllowCreate` of its `NameIDPolicy`, if given.
    pub allow_create: Option<bool>,
    /// `ForceAuthn`: the person must authenticate again.
    pub force_authn: bool,
    /// `IsPassive`: the person must not be asked anything.
    pub is_passive: bool,
    /// Its `RequestedAuthnContext`, if any.
    pub requested_authn_context: Option<RequestedAuthnContext>,
}

/// A `LogoutRequest` from a service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedLogoutRequest {
    /// Its `ID` (the `InResponseTo` of the answer).
    pub id: String,
    /// Its `Issuer`: the service provider's entity id.
    pub issuer: String,
    /// Its `Destination`, if given.
    pub destination: Option<String>,
    /// Its `IssueInstant`.
    pub issue_instant: OffsetDateTime,
    /// Its `NotOnOrAfter`, if given.
    pub not_on_or_after: Option<OffsetDateTime>,
    /// The `NameID` of the person whose session ends.
    pub name_id: String,
    /// Its `Format`, if given.
    pub name_id_format: Option<String>,
    /// The `SessionIndex`es named (none: every session of the person with that service provider).
    pub session_indexes: Vec<String>,
}

/// A `LogoutResponse` from a service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedLogoutResponse {
    /// Its `ID`.
    pub id: String,
    /// Its `Issuer`: the service provider's entity id.
    pub issuer: String,
    /// Its `Destination`, if given.
    pub destination: Option<String>,
    /// Its `IssueInstant`.
    pub issue_instant: OffsetDateTime,
    /// The `ID` of the `LogoutRequest` it answers, if given.
    pub in_response_to: Option<String>,
    /// Its top-level status code (a URI).
    pub status: String,
    /// Its second-level status code, if any.
    pub sub_status: Option<String>,
    /// Its `StatusMessage`, if any.
    pub status_message: Option<String>,
}

impl ReceivedLogoutResponse {
    /// Whether the service provider ended the session (`Success`).
    pub fn is_success(&self) -> bool {
        self.status == super::STATUS_SUCCESS
    }
}

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A sign-in request.
    AuthnRequest(ReceivedAuthnRequest),
    /// A request to end a session.
    LogoutRequest(ReceivedLogoutRequest),
    /// The answer to ciam's `LogoutRequest`.
    LogoutResponse(ReceivedLogoutResponse),
}

impl Message {
    /// Its `Issuer`: the service provider's entity id.
    pub fn issuer(&self) -> &str {
        match self {
            Self::AuthnRequest(m) => &m.issuer,
            Self::LogoutRequest(m) => &m.issuer,
            Self::LogoutResponse(m) => &m.issuer,
        }
    }

    /// Its `ID`.
    pub fn id(&self) -> &str {
        match self {
            Self::AuthnRequest(m) => &m.id,
            Self::LogoutRequest(m) => &m.id,
            Self::LogoutResponse(m) => &m.id,
        }
    }
}

/// The signature of an HTTP-Redirect message, kept for [`Incoming::verify_signature`].
#[derive(Debug, Clone)]
struct QuerySignature {
    /// The octets it covers, as received.
    signed: String,
    /// `SigAlg`.
    sig_alg: String,
    /// `Signature`, decoded.
    signature: Vec<u8>,
}

/// A message received from a service provider, decoded and read; its signature, if any, not
/// checked yet.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// What it is, read.
    pub message: Message,
    /// The `RelayState` that came with it (to send back unchanged), if any.
    pub relay_state: Option<String>,
    /// The binding it came by.
    pub binding: Binding,
    xml: String,
    query_signature: Option<QuerySignature>,
    enveloped_signature: bool,
}

impl Incoming {
    /// A message of the HTTP-Redirect binding, from the raw query string exactly as received
    /// (still URL-encoded, without the `?`). Other parameters than the binding's are ignored.
    pub fn from_redirect(raw_query: &str) -> Result<Self, SamlError> {
        if raw_query.len() > 4 * MAX_MESSAGE_BYTES {
            return Err(malformed("comes in a query string that is too long"));
        }
        let mut params: [Option<&str>; 5] = [None; 5];
        for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(slot) = REDIRECT_PARAMS.iter().position(|p| *p == name).and_then(|i| params.get_mut(i)) else {
                continue;
            };
            if slot.replace(value).is_some() {
                return Err(malformed(format!("comes with the parameter {name} twice")));
            }
        }
        let [request, response, relay_state, sig_alg, signature] = params;
        let (parameter, name, raw) = match (request, response) {
            (Some(r), None) => (Parameter::SamlRequest, "SAMLRequest", r),
            (None, Some(r)) => (Parameter::SamlResponse, "SAMLResponse", r),
            (None, None) => return Err(malformed("is missing (no SAMLRequest or SAMLResponse)")),
            (Some(_), Some(_)) => return Err(malformed("comes as both SAMLRequest and SAMLResponse")),
        };
        let deflated = base64_value(&url_decode(raw, false)?)?;
        let text = inflate(&deflated)?;
        let query_signature = match (sig_alg, signature) {
            (None, None) => None,
            (Some(alg), Some(sig)) => {
                // The signed octets: the parameters as received, in the binding's order
                // (Bindings §3.4.4.1), RelayState only when it came.
                let mut signed = format!("{name}={raw}");
                if let Some(rs) = relay_state {
                    signed.push_str("&RelayState=");
                    signed.push_str(rs);
                }
                signed.push_str("&SigAlg=");
                signed.push_str(alg);
                Some(QuerySignature {
                    signed,
                    sig_alg: url_decode(alg, true)?,
                    signature: base64_value(&url_decode(sig, false)?)?,
                })
            }
            _ => return Err(malformed("comes with only one of SigAlg and Signature")),
        };
        let relay_state = relay_state.map(|r| url_decode(r, true)).transpose()?.filter(|r| !r.is_empty());
        // A signature inside the message is not this binding's (Bindings §3.4.4.1): not taken.
        let (message, _) = read(&text, parameter)?;
        Ok(Self {
            message,
            relay_state,
            binding: Binding::Redirect,
            xml: text,
            query_signature,
            enveloped_signature: false,
        })
    }

    /// A message of the HTTP-POST binding: the value of the form field `parameter` (base64, as
    /// the form decoding gives it) and the form's `RelayState`, if any.
    pub fn from_post(parameter: Parameter, value: &str, relay_state: Option<&str>) -> Result<Self, SamlError> {
        if value.len() > 2 * MAX_MESSAGE_BYTES {
            return Err(malformed(format!("is larger than {MAX_MESSAGE_BYTES} bytes")));
        }
        let bytes = base64_value(value)?;
        let text = String::from_utf8(bytes).map_err(|_| malformed("is not UTF-8"))?;
        let (message, enveloped_signature) = read(&text, parameter)?;
        Ok(Self {
            message,
            relay_state: relay_state.filter(|r| !r.is_empty()).map(str::to_owned),
            binding: Binding::Post,
            xml: text,
            query_signature: None,
            enveloped_signature,
        })
    }

    /// Whether the message carries a signature (checked or not: see [`Self::verify_signature`]).
    pub fn is_signed(&self) -> bool {
        self.query_signature.is_some() || self.enveloped_signature
    }

    /// The message's XML, decoded (for the log).
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// Checks the message's signature against the service provider's certificates (DER): fails
    /// when it is not signed, when the signature does not verify with one of them, and for an
    /// algorithm that is not taken (only RSA-SHA256 and RSA-SHA512; SHA-1 is refused).
    pub fn verify_signature(&self, certificates_der: &[Vec<u8>]) -> Result<(), SamlError> {
        if certificates_der.is_empty() {
            return Err(SamlError::Signature("there is no certificate of the service provider to check it".into()));
        }
        match (&self.query_signature, self.binding) {
            (Some(q), _) => {
                check_signature_algorithm(&q.sig_alg)?;
                verify_octets(&q.sig_alg, q.signed.as_bytes(), &q.signature, certificates_der)
            }
            (None, Binding::Post) if self.enveloped_signature => verify_enveloped(&self.xml, certificates_der),
            (None, _) => Err(SamlError::Signature("the message is not signed".into())),
        }
    }
}

/// The parameters of the HTTP-Redirect binding, in the order `from_redirect` reads them.
const REDIRECT_PARAMS: [&str; 5] = ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"];

/// A query-string value, percent-decoded; `+` is a space only where `plus_is_space` (form
/// encoding; base64 values keep a literal `+` that a careless encoder left as is).
fn url_decode(raw: &str, plus_is_space: bool) -> Result<String, SamlError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'%' => {
                let digit = |d: Option<u8>| d.and_then(|d| char::from(d).to_digit(16));
                let high = digit(bytes.next());
                match (high, digit(bytes.next())) {
                    (Some(hi), Some(lo)) => out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?')),
                    _ => return Err(malformed("has a query parameter that is not URL-encoded")),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| malformed("has a query parameter that is not UTF-8"))
}

/// A base64 value (whitespace, as line breaks some encoders add, left out).
fn base64_value(value: &str) -> Result<Vec<u8>, SamlError> {
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| malformed("is not base64"))
}

/// The DEFLATE-compressed message, inflated up to [`MAX_MESSAGE_BYTES`]: a larger one is refused
/// without inflating the rest.
fn inflate(deflated: &[u8]) -> Result<String, SamlError> {
    let limit = u64::try_from(MAX_MESSAGE_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|_| malformed("is not DEFLATE-compressed (HTTP-Redirect binding)"))?;
    if out.len() > MAX_MESSAGE_BYTES {
        return Err(malformed(format!("inflates to more than {MAX_MESSAGE_BYTES} bytes")));
    }
    String::from_utf8(out).map_err(|_| malformed("is not UTF-8"))
}

/// Reads the message `text` that came as `parameter`; and whether it carries an XML signature.
fn read(text: &str, parameter: Parameter) -> Result<(Message, bool), SamlError> {
    let doc = xml::parse(text).map_err(malformed)?;
    let root = doc.document_element().ok_or_else(|| malformed("is empty"))?;
    let message = if is(&doc, root, NS_PROTOCOL, "AuthnRequest") {
        Message::AuthnRequest(authn_request(&doc, root)?)
    } else if is(&doc, root, NS_PROTOCOL, "LogoutRequest") {
        Message::LogoutRequest(logout_request(&doc, root)?)
    } else if is(&doc, root, NS_PROTOCOL, "LogoutResponse") {
        Message::LogoutResponse(logout_response(&doc, root)?)
    } else {
        return Err(malformed("is not a samlp:AuthnRequest, samlp:LogoutRequest or samlp:LogoutResponse"));
    };
    match (parameter, &message) {
        (Parameter::SamlRequest, Message::LogoutResponse(_)) => {
            Err(malformed("is a LogoutResponse sent as SAMLRequest"))
        }
        (Parameter::SamlResponse, Message::AuthnRequest(_) | Message::LogoutRequest(_)) => {
            Err(malformed("is a request sent as SAMLResponse"))
        }
        _ => Ok((message, !xml::all(&doc, NS_DSIG, "Signature").is_empty())),
    }
}

/// What every request and response has (SAML Core §3.2.1, §3.2.2).
struct Head {
    id: String,
    issuer: String,
    destination: Option<String>,
    issue_instant: OffsetDateTime,
}

fn head(doc: &Document<'_>, root: NodeId, kind: &str) -> Result<Head, SamlError> {
    match attr(doc, root, "Version") {
        Some("2.0") => {}
        Some(v) => return Err(malformed(format!("is a {kind} of version {}, not 2.0", shown(v)))),
        None => return Err(malformed(format!("is a {kind} without Version"))),
    }
    let id =
        attr(doc, root, "ID").filter(|i| !i.is_empty()).ok_or_else(|| malformed(format!("is a {kind} without ID")))?;
    let issue_instant =
        time_attr(doc, root, "IssueInstant")?.ok_or_else(|| malformed(format!("is a {kind} without IssueInstant")))?;
    let issuer = one_child(doc, root, NS_ASSERTION, "Issuer")
        .map_err(|e| malformed(format!("is a {kind} that {e}")))?
        .map(|i| xml::text(doc, i))
        .filter(|i| !i.is_empty())
        .ok_or_else(|| malformed(format!("is a {kind} without Issuer")))?;
    Ok(Head {
        id: id.to_owned(),
        issuer,
        destination: attr(doc, root, "Destination").map(str::to_owned),
        issue_instant,
    })
}

fn time_attr(doc: &Document<'_>, id: NodeId, name: &str) -> Result<Option<OffsetDateTime>, SamlError> {
    attr(doc, id, name)
        .map(|v| OffsetDateTime::parse(v, &Rfc3339).map_err(|_| malformed(format!("has a {name} that is not a time"))))
        .transpose()
}

/// An `xs:boolean` attribute (`true`, `false`, `1`, `0`), `None` when absent.
fn bool_attr(doc: &Document<'_>, id: NodeId, name: &str) -> Result<Option<bool>, SamlError> {
    match attr(doc, id, name).map(str::trim) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(malformed(format!("has a {name} that is not a boolean"))),
    }
}

fn child(doc: &Document<'_>, parent: NodeId, ns: &str, local: &str, kind: &str) -> Result<Option<NodeId>, SamlError> {
    one_child(doc, parent, ns, local).map_err(|e| malformed(format!("is a {kind} that {e}")))
}

fn authn_request(doc: &Document<'_>, root: NodeId) -> Result<ReceivedAuthnRequest, SamlError> {
    const KIND: &str = "AuthnRequest";
    let Head { id, issuer, destination, issue_instant } = head(doc, root, KIND)?;
    let acs_url = attr(doc, root, "AssertionConsumerServiceURL").map(str::to_owned);
    let acs_index = attr(doc, root, "AssertionConsumerServiceIndex")
        .map(|i| {
            i.trim().parse::<u16>().map_err(|_| malformed("has an AssertionConsumerServiceIndex that is not a number"))
        })
        .transpose()?;
    if acs_url.is_some() && acs_index.is_some() {
        // SAML Core §3.4.1: the two are mutually exclusive.
        return Err(malformed(
            "is an AuthnRequest with both AssertionConsumerServiceURL and AssertionConsumerServiceIndex",
        ));
    }
    let policy = child(doc, root, NS_PROTOCOL, "NameIDPolicy", KIND)?;
    let (name_id_format, allow_create) = match policy {
        Some(p) => (attr(doc, p, "Format").map(str::to_owned), bool_attr(doc, p, "AllowCreate")?),
        None => (None, None),
    };
    let requested_authn_context = match child(doc, root, NS_PROTOCOL, "RequestedAuthnContext", KIND)? {
        Some(r) => {
            let class_refs: Vec<String> =
                children(doc, r, NS_ASSERTION, "AuthnContextClassRef").into_iter().map(|c| xml::text(doc, c)).collect();
            if class_refs.is_empty() {
                // A RequestedAuthnContext of AuthnContextDeclRefs only: none ciam issues.
                return Err(malformed("is an AuthnRequest whose RequestedAuthnContext has no AuthnContextClassRef"));
            }
            Some(RequestedAuthnContext {
                comparison: attr(doc, r, "Comparison").unwrap_or("exact").to_owned(),
                class_refs,
            })
        }
        None => None,
    };
    Ok(ReceivedAuthnRequest {
        id,
        issuer,
        destination,
        issue_instant,
        acs_url,
        acs_index,
        protocol_binding: attr(doc, root, "ProtocolBinding").map(str::to_owned),
        name_id_format,
        allow_create,
        force_authn: bool_attr(doc, root, "ForceAuthn")?.unwrap_or(false),
        is_passive: bool_attr(doc, root, "IsPassive")?.unwrap_or(false),
        requested_authn_context,
    })
}

fn logout_request(doc: &Document<'_>, root: NodeId) -> Result<ReceivedLogoutRequest, SamlError> {
    const KIND: &str = "LogoutRequest";
    let Head { id, issuer, destination, issue_instant } = head(doc, root, KIND)?;
    let name_id = child(doc, root, NS_ASSERTION, "NameID", KIND)?
        .ok_or_else(|| malformed("is a LogoutRequest without NameID (an EncryptedID or BaseID is not read)"))?;
    let value = xml::text(doc, name_id);
    if value.is_empty() {
        return Err(malformed("is a LogoutRequest with an empty NameID"));
    }
    Ok(ReceivedLogoutRequest {
        id,
        issuer,
        destination,
        issue_instant,
        not_on_or_after: time_attr(doc, root, "NotOnOrAfter")?,
        name_id: value,
        name_id_format: attr(doc, name_id, "Format").map(str::to_owned),
        session_indexes: children(doc, root, NS_PROTOCOL, "SessionIndex")
            .into_iter()
            .map(|s| xml::text(doc, s))
            .collect(),
    })
}

fn logout_response(doc: &Document<'_>, root: NodeId) -> Result<ReceivedLogoutResponse, SamlError> {
    const KIND: &str = "LogoutResponse";
    let Head { id, issuer, destination, issue_instant } = head(doc, root, KIND)?;
    let status = child(doc, root, NS_PROTOCOL, "Status", KIND)?
        .ok_or_else(|| malformed("is a LogoutResponse without Status"))?;
    let code = child(doc, status, NS_PROTOCOL, "StatusCode", KIND)?
        .ok_or_else(|| malformed("is a LogoutResponse without StatusCode"))?;
    let value =
        attr(doc, code, "Value").ok_or_else(|| malformed("is a LogoutResponse with a StatusCode without Value"))?;
    let sub_status =
        child(doc, code, NS_PROTOCOL, "StatusCode", KIND)?.and_then(|c| attr(doc, c, "Value")).map(str::to_owned);
    let status_message = child(doc, status, NS_PROTOCOL, "StatusMessage", KIND)?.map(|m| xml::text(doc, m));
    Ok(ReceivedLogoutResponse {
        id,
        issuer,
        destination,
        issue_instant,
        in_response_to: attr(doc, root, "InResponseTo").map(str::to_owned),
        status: value.to_owned(),
        sub_status,
        status_message,
    })
}

/// The enveloped signature of an HTTP-POST message: the only signature of the document, a child
/// of its root, one reference, to the root by its `ID`, valid with one of `certificates_der`.
fn verify_enveloped(text: &str, certificates_der: &[Vec<u8>]) -> Result<(), SamlError> {
    let bad = |why: &str| SamlError::Signature(why.to_owned());
    let doc = xml::parse(text).map_err(malformed)?;
    let root = doc.document_element().ok_or_else(|| malformed("is empty"))?;
    let signature = match xml::all(&doc, NS_DSIG, "Signature").as_slice() {
        [] => return Err(bad("the message is not signed")),
        [one] if doc.parent(*one) == Some(root) => *one,
        [_] => return Err(bad("it is not on the message's root element")),
        _ => return Err(bad("the message carries more than one signature")),
    };
    let signed_info = one_child(&doc, signature, NS_DSIG, "SignedInfo")
        .map_err(|e| SamlError::Signature(e.to_string()))?
        .ok_or_else(|| bad("it has no SignedInfo"))?;
    let method = one_child(&doc, signed_info, NS_DSIG, "SignatureMethod")
        .map_err(|e| SamlError::Signature(e.to_string()))?
        .and_then(|m| attr(&doc, m, "Algorithm"))
        .ok_or_else(|| bad("it has no SignatureMethod"))?;
    check_signature_algorithm(method)?;
    let root_id = attr(&doc, root, "ID").filter(|i| !i.is_empty()).ok_or_else(|| malformed("has no ID"))?;
    let reference = match children(&doc, signed_info, NS_DSIG, "Reference").as_slice() {
        [one] => *one,
        _ => return Err(bad("it must have exactly one Reference")),
    };
    // SAML Core §5.4.2: the reference names the signed element by its ID.
    if attr(&doc, reference, "URI").and_then(|u| u.strip_prefix('#')) != Some(root_id) {
        return Err(bad("it does not reference the message's root element by its ID"));
    }
    let digest = one_child(&doc, reference, NS_DSIG, "DigestMethod")
        .map_err(|e| SamlError::Signature(e.to_string()))?
        .and_then(|d| attr(&doc, d, "Algorithm"))
        .ok_or_else(|| bad("it has no DigestMethod"))?;
    check_digest_algorithm(digest)?;
    let results =
        bergshamra::dsig::verify::verify_all_document_with_source(&verifier(certificates_der)?, &doc, Some(text))
            .map_err(|e| SamlError::Signature(e.to_string()))?;
    match results.as_slice() {
        [VerifyResult::Valid { signature_node, references, .. }] if *signature_node == signature => {
            match references.as_slice() {
                [r] if r.digest_verified && r.resolved_node == Some(root) => Ok(()),
                _ => Err(bad("it does not cover the message's root element")),
            }
        }
        [VerifyResult::Invalid { reason }] => Err(SamlError::Signature(reason.clone())),
        _ => Err(bad("it could not be checked")),
    }
}
