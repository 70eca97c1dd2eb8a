//! HTTP pieces every door shares (the management API, the protocol endpoints, the hosted
//! pages), so that no handler folder imports another: the extractors whose rejections speak
//! the app's error format (`crate::error`), the caller of a request (`crate::audit::Caller`),
//! the tenant a path names, the authenticated client of a back-channel request, and the admin
//! token check.

mod back_channel;
mod certificate;
pub(crate) mod deadline;
mod extract;
pub(crate) mod language;
pub(crate) mod page;
pub(crate) mod regions;
pub(crate) mod serve;

pub(crate) use back_channel::{BackChannel, dpop_proof, verify_client_jwt};
pub(crate) use certificate::{ClientCertificate, client_certificate};
pub(crate) use extract::bearer_token;
pub(crate) use extract::tenant_record;
pub use extract::{AdminAuth, JsonObject, Path, Query};

/// The value of the cookie named `name` in the request.
pub(crate) fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether a submitted CSRF token is the expected one, compared in constant time.
pub(crate) fn csrf_ok(expected: &str, submitted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq as _;
    submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())))
}
