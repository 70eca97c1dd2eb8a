//! SAML 2.0 for the ciam identity server, identity-provider side: ciam signs people into SAML
//! service providers.
//!
//! - [`receive`]: the messages a service provider sends (`AuthnRequest`, `LogoutRequest`,
//!   `LogoutResponse`) by the HTTP-Redirect or the HTTP-POST binding, decoded with bounds and
//!   read; their signature checked against the service provider's certificates on demand.
//! - [`issue`]: the signed `Response` to an `AuthnRequest` (or IdP-initiated), and the signed
//!   `Response` of a failure.
//! - [`logout`]: the signed `LogoutRequest` and `LogoutResponse` ciam sends by HTTP-Redirect.
//!
//! The identity provider's metadata is [`crate::metadata::idp_metadata`]; its key is a
//! [`crate::SamlKey`]. The caller has the randomness (message IDs), the clock and the registry
//! of service providers (entity ids, assertion consumer services, certificates).

pub mod issue;
pub mod logout;
pub mod receive;
pub(crate) mod signing;
#[cfg(test)]
mod tests;

pub use issue::{
    Attribute, ErrorResponseParams, ResponseParams, STATUS_SUCCESS, StatusCode, SubStatus, error_response,
    issue_response,
};
pub use logout::{LogoutRequestParams, LogoutResponseParams, logout_request_redirect, logout_response_redirect};
pub use receive::{
    Binding, Incoming, Message, Parameter, ReceivedAuthnRequest, ReceivedLogoutRequest, ReceivedLogoutResponse,
    RequestedAuthnContext,
};
