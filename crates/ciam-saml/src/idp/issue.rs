//! The `Response` ciam sends as an identity provider (SAML 2.0 Core §3.3.3, Profiles §4.1.4.2),
//! by the HTTP-POST binding: one assertion for the service provider, or a failure status.
//!
//! The assertion has its `Issuer` first, then its signature, a bearer `SubjectConfirmation` for
//! the assertion consumer service (with the request's `InResponseTo`, none when the sign-in is
//! IdP-initiated), `Conditions` limited to the service provider's audience, an `AuthnStatement`
//! and the attributes. The assertion is signed on its own first, then (when the service provider
//! asks for it) encrypted to its certificate, then embedded; the response is signed over it.
//! Signatures are RSA-SHA256 over SHA-256 digests, exclusive C14N, enveloped, right after the
//! `Issuer` as the schema orders them, with the certificate in `KeyInfo`.
//!
//! An encrypted assertion is an `EncryptedAssertion` holding one `xenc:EncryptedData` of type
//! `Element` (XML Encryption 1.1): AES-256-GCM under a fresh key, that key transported by
//! RSA-OAEP (`rsa-oaep-mgf1p`, SHA-1 digest, as xmlsec1, pysaml2 and most service providers
//! take it) in an `EncryptedKey` inside the `EncryptedData`'s `KeyInfo`, naming the service
//! provider's certificate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bergshamra::core::{algorithm, ns};
use bergshamra::{EncContext, KeysManager};
use time::OffsetDateTime;

use super::signing::{check_id, instant, later, sign_enveloped, signature_template};
use crate::metadata::SamlKey;
use crate::response::SamlError;
use crate::xml::escape;
use crate::{NAMEID_PERSISTENT, NS_ASSERTION, NS_DSIG, NS_PROTOCOL};

/// The status of a response that succeeded.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const NS_XS: &str = "http://www.w3.org/2001/XMLSchema";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// An attribute of the assertion (SAML Core §2.7.3.1), its values `xs:string`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its `Name` (a URI, `urn:oid:…`, or a plain name, as the service provider expects).
    pub name: String,
    /// Its `NameFormat` (`urn:oasis:names:tc:SAML:2.0:attrname-format:uri`, `…:basic`), if any.
    pub name_format: Option<String>,
    /// Its `FriendlyName`, if any.
    pub friendly_name: Option<String>,
    /// Its values.
    pub values: Vec<String>,
}

/// What a successful response says.
#[derive(Debug, Clone)]
pub struct ResponseParams<'a> {
    /// ciam's entity id as identity provider (the `Issuer`).
    pub idp_entity_id: &'a str,
    /// The service provider's entity id (the `Audience`).
    pub sp_entity_id: &'a str,
    /// The assertion consumer service the response is posted to (the `Destination` and the
    /// bearer confirmation's `Recipient`).
    pub acs_url: &'a str,
    /// The `ID` of the `AuthnRequest` answered; `None` for an IdP-initiated sign-in, which then
    /// carries no `InResponseTo` anywhere.
    pub in_response_to: Option<&'a str>,
    /// The subject's `NameID`.
    pub name_id: &'a str,
    /// Its `Format` (with [`NAMEID_PERSISTENT`], the NameID also names the service provider as
    /// its `SPNameQualifier`).
    pub name_id_format: &'a str,
    /// The `SessionIndex` of the `AuthnStatement` (what a later `LogoutRequest` names).
    pub session_index: &'a str,
    /// When the person authenticated.
    pub authn_instant: OffsetDateTime,
    /// The `AuthnContextClassRef` (how they authenticated).
    pub authn_context_class_ref: &'a str,
    /// The attributes (none: no `AttributeStatement`).
    pub attributes: &'a [Attribute],
    /// Now: the `IssueInstant`s and the start of the validity window.
    pub now: OffsetDateTime,
    /// How long the assertion may be used: `Conditions` from `now` to `now + lifetime`, and
    /// the bearer confirmation's `NotOnOrAfter` the same.
    pub lifetime: time::Duration,
    /// The `SessionNotOnOrAfter` of the `AuthnStatement`, if the session at the service provider
    /// must end then.
    pub session_not_on_or_after: Option<OffsetDateTime>,
    /// The response's `ID` (random, an XML ID).
    pub response_id: &'a str,
    /// The assertion's `ID` (random, an XML ID).
    pub assertion_id: &'a str,
    /// Whether the assertion is signed.
    pub sign_assertion: bool,
    /// Whether the response is signed.
    pub sign_response: bool,
    /// The service provider's encryption certificate (DER, RSA): when given, the assertion
    /// (signed first, if it is to be) is sent encrypted to it, as an `EncryptedAssertion`.
    pub encrypt_to: Option<&'a [u8]>,
}

/// The top-level status of a failed response (SAML Core §3.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCode {
    /// The request could not be performed due to an error on the part of the requester.
    Requester,
    /// The request could not be performed due to an error on the part of the identity provider.
    Responder,
}

impl StatusCode {
    /// Its URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Requester => "urn:oasis:names:tc:SAML:2.0:status:Requester",
            Self::Responder => "urn:oasis:names:tc:SAML:2.0:status:Responder",
        }
    }
}

/// The second-level status of a failed response (SAML Core §3.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubStatus {
    /// `IsPassive` was asked and the person would have to interact.
    NoPassive,
    /// The person could not be authenticated.
    AuthnFailed,
    /// The identity provider refuses the request (the service provider, the person).
    RequestDenied,
    /// The asked NameID format is not one the identity provider issues.
    InvalidNameIdPolicy,
    /// The asked authentication context cannot be met.
    NoAuthnContext,
    /// The asked protocol binding is not supported.
    UnsupportedBinding,
}

impl SubStatus {
    /// Its URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::NoPassive => "urn:oasis:names:tc:SAML:2.0:status:NoPassive",
            Self::AuthnFailed => "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
            Self::RequestDenied => "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
            Self::InvalidNameIdPolicy => "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy",
            Self::NoAuthnContext => "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext",
            Self::UnsupportedBinding => "urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding",
        }
    }
}

/// What a failed response says.
#[derive(Debug, Clone)]
pub struct ErrorResponseParams<'a> {
    /// ciam's entity id as identity provider (the `Issuer`).
    pub idp_entity_id: &'a str,
    /// The assertion consumer service the response is posted to (the `Destination`).
    pub acs_url: &'a str,
    /// The `ID` of the `AuthnRequest` answered, if there is one.
    pub in_response_to: Option<&'a str>,
    /// The top-level status.
    pub status: StatusCode,
    /// The second-level status, if any.
    pub sub_status: Option<SubStatus>,
    /// A `StatusMessage` for the service provider's operator (never shown as is to the person).
    pub message: Option<&'a str>,
    /// The response's `ID` (random, an XML ID).
    pub response_id: &'a str,
    /// Now (the `IssueInstant`).
    pub now: OffsetDateTime,
}

/// The signed `Response` of a successful sign-in, base64 (the `SAMLResponse` of the HTTP-POST
/// form). The assertion, the response, or both are signed, as asked; one of them must be
/// (SAML Profiles §4.1.3.5). With [`ResponseParams::encrypt_to`], the assertion is encrypted.
pub fn issue_response(params: &ResponseParams<'_>, key: &SamlKey) -> Result<String, SamlError> {
    if !(params.sign_assertion || params.sign_response) {
        return Err(SamlError::Build("neither the assertion nor the response would be signed".into()));
    }
    check_id("response ID", params.response_id)?;
    check_id("assertion ID", params.assertion_id)?;
    if params.response_id == params.assertion_id {
        return Err(SamlError::Build("the response and the assertion have the same ID".into()));
    }
    if params.name_id.trim().is_empty() {
        return Err(SamlError::Build("the NameID is empty".into()));
    }
    let mut assertion = assertion(params, key)?;
    if params.sign_assertion {
        assertion = sign_enveloped(&assertion, key)?;
    }
    if let Some(certificate) = params.encrypt_to {
        assertion = encrypt(&assertion, certificate)?;
    }
    let head = Head {
        issuer: params.idp_entity_id,
        destination: params.acs_url,
        in_response_to: params.in_response_to,
        id: params.response_id,
        now: params.now,
    };
    let xml = response(&head, &status(STATUS_SUCCESS, None, None), &assertion, params.sign_response.then_some(key))?;
    Ok(STANDARD.encode(xml))
}

/// The signed `Response` of a failed sign-in, base64 (the `SAMLResponse` of the HTTP-POST form).
pub fn error_response(params: &ErrorResponseParams<'_>, key: &SamlKey) -> Result<String, SamlError> {
    check_id("response ID", params.response_id)?;
    let status = status(params.status.uri(), params.sub_status.map(SubStatus::uri), params.message);
    let head = Head {
        issuer: params.idp_entity_id,
        destination: params.acs_url,
        in_response_to: params.in_response_to,
        id: params.response_id,
        now: params.now,
    };
    let xml = response(&head, &status, "", Some(key))?;
    Ok(STANDARD.encode(xml))
}

/// A `samlp:Status` with `code`, an optional second-level code and message.
pub(crate) fn status(code: &str, sub: Option<&str>, message: Option<&str>) -> String {
    let inner = sub.map_or_else(String::new, |s| format!("<samlp:StatusCode Value=\"{}\"/>", escape(s)));
    let code = if inner.is_empty() {
        format!("<samlp:StatusCode Value=\"{}\"/>", escape(code))
    } else {
        format!("<samlp:StatusCode Value=\"{}\">{inner}</samlp:StatusCode>", escape(code))
    };
    let message =
        message.map_or_else(String::new, |m| format!("<samlp:StatusMessage>{}</samlp:StatusMessage>", escape(m)));
    format!("<samlp:Status>{code}{message}</samlp:Status>")
}

/// The attributes of a `Response` element.
struct Head<'a> {
    issuer: &'a str,
    destination: &'a str,
    in_response_to: Option<&'a str>,
    id: &'a str,
    now: OffsetDateTime,
}

/// The `Response` around `status` and `assertion` (already signed if it is to be), signed with
/// `key` when given.
fn response(head: &Head<'_>, status: &str, assertion: &str, key: Option<&SamlKey>) -> Result<String, SamlError> {
    let in_response_to = head.in_response_to.map_or_else(String::new, |r| format!(" InResponseTo=\"{}\"", escape(r)));
    let signature = key.map_or_else(String::new, |k| signature_template(head.id, k));
    let xml = format!(
        "<samlp:Response xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
         Version=\"2.0\" IssueInstant=\"{now}\" Destination=\"{destination}\"{in_response_to}>\
         <saml:Issuer>{issuer}</saml:Issuer>{signature}{status}{assertion}</samlp:Response>",
        id = escape(head.id),
        now = instant(head.now)?,
        destination = escape(head.destination),
        issuer = escape(head.issuer),
    );
    match key {
        Some(key) => sign_enveloped(&xml, key),
        None => Ok(xml),
    }
}

/// The assertion as its own document, with a signature template when it is to be signed.
fn assertion(p: &ResponseParams<'_>, key: &SamlKey) -> Result<String, SamlError> {
    let now = instant(p.now)?;
    let until = instant(later(p.now, p.lifetime)?)?;
    let in_response_to = p.in_response_to.map_or_else(String::new, |r| format!(" InResponseTo=\"{}\"", escape(r)));
    let qualifier = if p.name_id_format == NAMEID_PERSISTENT {
        format!(" SPNameQualifier=\"{}\"", escape(p.sp_entity_id))
    } else {
        String::new()
    };
    let session_until = match p.session_not_on_or_after {
        Some(t) => format!(" SessionNotOnOrAfter=\"{}\"", instant(t)?),
        None => String::new(),
    };
    let signature = if p.sign_assertion { signature_template(p.assertion_id, key) } else { String::new() };
    Ok(format!(
        "<saml:Assertion xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{now}\">\
         <saml:Issuer>{issuer}</saml:Issuer>{signature}\
         <saml:Subject><saml:NameID Format=\"{format}\"{qualifier}>{name_id}</saml:NameID>\
         <saml:SubjectConfirmation Method=\"{BEARER}\">\
         <saml:SubjectConfirmationData{in_response_to} NotOnOrAfter=\"{until}\" Recipient=\"{acs}\"/>\
         </saml:SubjectConfirmation></saml:Subject>\
         <saml:Conditions NotBefore=\"{now}\" NotOnOrAfter=\"{until}\">\
         <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>\
         </saml:Conditions>\
         <saml:AuthnStatement AuthnInstant=\"{authn_instant}\" SessionIndex=\"{session}\"{session_until}>\
         <saml:AuthnContext><saml:AuthnContextClassRef>{class}</saml:AuthnContextClassRef></saml:AuthnContext>\
         </saml:AuthnStatement>{attributes}</saml:Assertion>",
        id = escape(p.assertion_id),
        issuer = escape(p.idp_entity_id),
        format = escape(p.name_id_format),
        name_id = escape(p.name_id),
        acs = escape(p.acs_url),
        audience = escape(p.sp_entity_id),
        authn_instant = instant(p.authn_instant)?,
        session = escape(p.session_index),
        class = escape(p.authn_context_class_ref),
        attributes = attribute_statement(p.attributes),
    ))
}

/// `assertion` (a document of its own, signed or not) as the `EncryptedAssertion` for the holder
/// of `certificate_der`.
fn encrypt(assertion: &str, certificate_der: &[u8]) -> Result<String, SamlError> {
    let build = |why: String| SamlError::Build(format!("the assertion cannot be encrypted: {why}"));
    let certificate = bergshamra::keys::loader::load_x509_cert_der(certificate_der)
        .map_err(|e| build(format!("the service provider's certificate cannot be read: {e}")))?;
    if certificate.algorithm_name() != "RSA" {
        return Err(build("the service provider's certificate is not for an RSA key".into()));
    }
    let mut keys = KeysManager::new();
    keys.add_key(certificate);
    // bergshamra fills both empty CipherValues: the data under a fresh AES-256 key, and that key
    // under the certificate's RSA key.
    let template = format!(
        "<xenc:EncryptedData xmlns:xenc=\"{enc}\" Type=\"{element}\">\
         <xenc:EncryptionMethod Algorithm=\"{aes}\"/>\
         <ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><xenc:EncryptedKey>\
         <xenc:EncryptionMethod Algorithm=\"{rsa}\"><ds:DigestMethod Algorithm=\"{sha1}\"/></xenc:EncryptionMethod>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue/></xenc:CipherData>\
         </xenc:EncryptedKey></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>",
        enc = ns::ENC,
        element = ns::ENC_TYPE_ELEMENT,
        aes = algorithm::AES256_GCM,
        rsa = algorithm::RSA_OAEP,
        sha1 = algorithm::SHA1,
        cert = STANDARD.encode(certificate_der),
    );
    let encrypted = bergshamra::encrypt(&EncContext::new(keys), &template, assertion.as_bytes())
        .map_err(|e| build(e.to_string()))?;
    Ok(format!("<saml:EncryptedAssertion>{encrypted}</saml:EncryptedAssertion>"))
}

/// The `AttributeStatement` (none without attributes: the schema wants at least one).
fn attribute_statement(attributes: &[Attribute]) -> String {
    if attributes.is_empty() {
        return String::new();
    }
    let mut out = String::from("<saml:AttributeStatement>");
    for a in attributes {
        out.push_str(&format!("<saml:Attribute Name=\"{}\"", escape(&a.name)));
        if let Some(f) = &a.name_format {
            out.push_str(&format!(" NameFormat=\"{}\"", escape(f)));
        }
        if let Some(f) = &a.friendly_name {
            out.push_str(&format!(" FriendlyName=\"{}\"", escape(f)));
        }
        out.push('>');
        for v in &a.values {
            // xs and xsi are declared on each value, where its xsi:type uses them.
            out.push_str(&format!(
                "<saml:AttributeValue xmlns:xs=\"{NS_XS}\" xmlns:xsi=\"{NS_XSI}\" xsi:type=\"xs:string\">{}</saml:AttributeValue>",
                escape(v)
            ));
        }
        out.push_str("</saml:Attribute>");
    }
    out.push_str("</saml:AttributeStatement>");
    out
}
