//! SAML 2.0 for the ciam identity server, on both sides.
//!
//! As a **service provider**, a tenant signs in the staff of an enterprise customer through the
//! customer's SAML identity provider:
//!
//! - [`metadata`]: the identity provider's metadata (entity id, single sign-on endpoints,
//!   signing certificates) and this service provider's own metadata document.
//! - [`request`]: the `AuthnRequest`, sent by the HTTP-Redirect binding with its query-string
//!   signature.
//! - [`response`]: the strict check of the identity provider's `Response` (HTTP-POST binding):
//!   signature by a certificate of the metadata only, the signed element is the one read (XML
//!   signature wrapping refused), one assertion, issuer, audience, recipient, destination,
//!   `InResponseTo` and the validity window; the assertion's id for the caller's replay cache.
//!
//! As an **identity provider**, ciam signs people into SAML service providers ([`idp`]):
//!
//! - [`idp::receive`]: `AuthnRequest`, `LogoutRequest` and `LogoutResponse` from a service
//!   provider, by HTTP-Redirect (inflated with a bound) or HTTP-POST, and the check of their
//!   signature (query-string or enveloped) against the service provider's certificates.
//! - [`idp::issue`]: the signed `Response` (assertion, response or both signed; IdP-initiated
//!   too; the assertion encrypted to the service provider when asked) and the signed failure
//!   `Response`.
//! - [`idp::logout`]: the signed `LogoutRequest` and `LogoutResponse`, by HTTP-Redirect.
//! - [`SpMetadata`]: what ciam reads of a service provider's metadata (entity id, assertion
//!   consumer services, single logout, signing and encryption certificates).
//! - [`idp_metadata`]: the identity provider's metadata document.
//!
//! One [`SamlKey`] (RSA-2048 and a self-signed certificate) serves either side: the identity
//! provider signs with it; the service provider signs its requests with its own, and identity
//! providers encrypt to it.
//!
//! Nothing here does I/O: the server fetches metadata, keeps requests, sessions and replay
//! caches, draws the random message IDs, and speaks HTTP. XML security is `bergshamra` (pure
//! Rust C14N, XML-DSig and XML-Enc); XML parsing is its `uppsala`. A document with a DTD is
//! refused before it is parsed.
#![warn(missing_docs)]

pub mod idp;
pub mod metadata;
pub mod request;
pub mod response;
mod xml;

pub use idp::{
    Attribute, Binding, ErrorResponseParams, Incoming, LogoutRequestParams, LogoutResponseParams, Message, Parameter,
    ReceivedAuthnRequest, ReceivedLogoutRequest, ReceivedLogoutResponse, RequestedAuthnContext, ResponseParams,
    StatusCode, SubStatus, error_response, issue_response, logout_request_redirect, logout_response_redirect,
};
pub use metadata::{IdpMetadata, MetadataError, SamlKey, SpMetadata, idp_metadata, sp_metadata};
pub use request::AuthnRequest;
pub use response::{Assertion, Expected, SamlError, verify_response};

/// The SAML 2.0 assertion namespace.
pub const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The SAML 2.0 protocol namespace.
pub const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML 2.0 metadata namespace.
pub const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The XML-DSig namespace.
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The HTTP-Redirect binding.
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding.
pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// NameID format: a persistent, opaque identifier.
pub const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
/// NameID format: an email address.
pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/// The longest SAML message taken (decoded), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
