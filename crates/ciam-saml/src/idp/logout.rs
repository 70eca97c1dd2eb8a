//! The single-logout messages ciam sends as an identity provider (SAML 2.0 Core §3.7), by the
//! HTTP-Redirect binding with the query-string signature (Bindings §3.4.4.1): the
//! `LogoutRequest` that ends a person's session at a service provider, and the
//! `LogoutResponse` that answers a service provider's own `LogoutRequest`.

use time::OffsetDateTime;

use super::issue::{STATUS_SUCCESS, status};
use super::signing::{check_id, instant, later, redirect_url};
use crate::metadata::SamlKey;
use crate::response::SamlError;
use crate::xml::escape;
use crate::{NS_ASSERTION, NS_PROTOCOL};

/// What a `LogoutRequest` to a service provider says.
#[derive(Debug, Clone)]
pub struct LogoutRequestParams<'a> {
    /// ciam's entity id as identity provider (the `Issuer`).
    pub idp_entity_id: &'a str,
    /// The service provider's single logout service, HTTP-Redirect (the `Destination`); its own
    /// query parameters stay.
    pub slo_url: &'a str,
    /// The `NameID` the service provider was given for the person.
    pub name_id: &'a str,
    /// Its `Format`.
    pub name_id_format: &'a str,
    /// Its `SPNameQualifier` (the service provider's entity id, for a persistent NameID), if any.
    pub sp_name_qualifier: Option<&'a str>,
    /// The `SessionIndex` of the assertion that opened the session, if known.
    pub session_index: Option<&'a str>,
    /// The request's `ID` (random, an XML ID).
    pub id: &'a str,
    /// Now (the `IssueInstant`).
    pub now: OffsetDateTime,
    /// How long the request holds (`NotOnOrAfter` = `now + lifetime`).
    pub lifetime: time::Duration,
    /// The `RelayState` to send along, if any.
    pub relay_state: Option<&'a str>,
}

/// What the `LogoutResponse` to a service provider's `LogoutRequest` says.
#[derive(Debug, Clone)]
pub struct LogoutResponseParams<'a> {
    /// ciam's entity id as identity provider (the `Issuer`).
    pub idp_entity_id: &'a str,
    /// The service provider's single logout service, HTTP-Redirect (the `Destination`); its own
    /// query parameters stay.
    pub slo_url: &'a str,
    /// The `ID` of the `LogoutRequest` answered.
    pub in_response_to: &'a str,
    /// The response's `ID` (random, an XML ID).
    pub id: &'a str,
    /// Now (the `IssueInstant`).
    pub now: OffsetDateTime,
    /// The `RelayState` the request came with, if any (sent back as it was).
    pub relay_state: Option<&'a str>,
}

/// The signed HTTP-Redirect URL carrying a `LogoutRequest` to the service provider.
pub fn logout_request_redirect(params: &LogoutRequestParams<'_>, key: &SamlKey) -> Result<String, SamlError> {
    check_id("request ID", params.id)?;
    let qualifier =
        params.sp_name_qualifier.map_or_else(String::new, |q| format!(" SPNameQualifier=\"{}\"", escape(q)));
    let session = params
        .session_index
        .map_or_else(String::new, |s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s)));
    let xml = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
         Version=\"2.0\" IssueInstant=\"{now}\" Destination=\"{destination}\" NotOnOrAfter=\"{until}\">\
         <saml:Issuer>{issuer}</saml:Issuer>\
         <saml:NameID Format=\"{format}\"{qualifier}>{name_id}</saml:NameID>{session}\
         </samlp:LogoutRequest>",
        id = escape(params.id),
        now = instant(params.now)?,
        destination = escape(params.slo_url),
        until = instant(later(params.now, params.lifetime)?)?,
        issuer = escape(params.idp_entity_id),
        format = escape(params.name_id_format),
        name_id = escape(params.name_id),
    );
    redirect_url(params.slo_url, "SAMLRequest", &xml, params.relay_state, key)
}

/// The signed HTTP-Redirect URL carrying a successful `LogoutResponse` to the service provider.
pub fn logout_response_redirect(params: &LogoutResponseParams<'_>, key: &SamlKey) -> Result<String, SamlError> {
    check_id("response ID", params.id)?;
    let xml = format!(
        "<samlp:LogoutResponse xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
         Version=\"2.0\" IssueInstant=\"{now}\" Destination=\"{destination}\" InResponseTo=\"{request}\">\
         <saml:Issuer>{issuer}</saml:Issuer>{status}</samlp:LogoutResponse>",
        id = escape(params.id),
        now = instant(params.now)?,
        destination = escape(params.slo_url),
        request = escape(params.in_response_to),
        issuer = escape(params.idp_entity_id),
        status = status(STATUS_SUCCESS, None, None),
    );
    redirect_url(params.slo_url, "SAMLResponse", &xml, params.relay_state, key)
}
