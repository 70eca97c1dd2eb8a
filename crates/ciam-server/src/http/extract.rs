//! Extractors shared by the handler folders. Each rejects malformed input with a problem
//! document (RFC 9457), never axum's plain-text rejection.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ciam_core::id::TenantId;
use ciam_core::tenant::Tenant;
use ipnet::IpNet;
use serde_json::{Map, Value};

use crate::audit::Caller;
use crate::error::{Problem, ProblemKind};
use crate::services::admins::Admin;
use crate::state::AppState;

/// The longest User-Agent kept.
const MAX_USER_AGENT: usize = 256;
/// The longest request id kept (a client may send its own).
const MAX_REQUEST_ID: usize = 128;

/// `axum::extract::Path` whose rejection is a 404 problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` whose rejection is a 400 problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

/// The tenant a path names, with its settings (from the node's [`crate::adapters::directory`]
/// cache); an unknown or malformed id is a 404 problem document.
pub(crate) async fn tenant_record(st: &AppState, tenant: &str) -> Result<Arc<Tenant>, Problem> {
    let id = TenantId::parse(tenant).map_err(|_| Problem::not_found("tenant"))?;
    st.directory.tenant(st.durable.as_ref(), &id).await?.ok_or_else(|| Problem::not_found("tenant"))
}

/// The administrator making a management API request, as the admin door's guard found them
/// (`admin::access`): every admin handler takes it first. A request the guard did not see is
/// refused.
pub struct AdminAuth(pub(crate) Arc<Admin>);

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Problem> {
        match parts.extensions.get::<Arc<Admin>>() {
            Some(admin) => Ok(Self(admin.clone())),
            None => Err(Problem::new(ProblemKind::Unauthorized, "the request carried no administrator's token")),
        }
    }
}

/// The bearer token of an `Authorization` header, if it has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// A JSON object body. Media type `application/json` or `application/merge-patch+json`.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && essence != "application/merge-patch+json" {
            return Err(Problem::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as application/json (or application/merge-patch+json for PATCH)",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Problem::new(ProblemKind::BadRequest, "the body must be a JSON object")),
            // serde_json's syntax messages give line and column, never echo the input.
            Err(e) => Err(Problem::new(ProblemKind::BadRequest, format!("the body is not valid JSON: {e}"))),
        }
    }
}

/// Where the request came from, for the audit trail and the per-address counters.
impl FromRequestParts<AppState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(caller_of(parts, &st.node.trusted_proxies))
    }
}

/// Reads the caller from request parts, believing `X-Forwarded-For` only from `trusted` proxies.
pub(crate) fn caller_of(parts: &Parts, trusted: &[IpNet]) -> Caller {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = peer.map(|p| client_address(p, &parts.headers, trusted).to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
    let request_id = parts
        .headers
        .get(&crate::telemetry::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(|id| id.chars().take(MAX_REQUEST_ID).collect());
    Caller { ip, user_agent, request_id }
}

/// Whether the request arrived directly from one of the `trusted` proxies.
pub(crate) fn from_trusted_proxy(parts: &Parts, trusted: &[IpNet]) -> bool {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| normalize(c.0.ip()));
    peer.is_some_and(|p| trusted.iter().any(|n| n.contains(&p)))
}

/// The client address of a request that arrived from `peer`: walking `X-Forwarded-For` from the
/// right (the hop nearest to us), every address a trusted proxy added is skipped; the first
/// untrusted one is the client. A header from an untrusted peer is ignored, so a client cannot
/// choose its own address.
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(&normalize(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    normalize(client)
}

/// IPv4-mapped IPv6 addresses as IPv4, so lists and counters see one form.
fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let nets: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1/32".parse().unwrap()];
        let headers = |v: &[&str]| {
            let mut h = HeaderMap::new();
            for x in v {
                h.append("x-forwarded-for", x.parse().unwrap());
            }
            h
        };
        let cases: &[(&str, &[&str], &[IpNet], &str)] = &[
            // No trusted proxy: the peer, whatever the header says.
            ("203.0.113.9", &["198.51.100.1"], &[], "203.0.113.9"),
            // An untrusted peer cannot choose its address.
            ("203.0.113.9", &["198.51.100.1"], &nets, "203.0.113.9"),
            // One trusted proxy: the address it saw.
            ("10.1.1.1", &["198.51.100.1"], &nets, "198.51.100.1"),
            // A client-supplied hop on the left is not believed; the right-most untrusted wins.
            ("10.1.1.1", &["6.6.6.6, 198.51.100.1, 10.2.2.2"], &nets, "198.51.100.1"),
            // Several header lines are one list.
            ("127.0.0.1", &["6.6.6.6", "198.51.100.7"], &nets, "198.51.100.7"),
            // Garbage hops are skipped; without any usable hop, the proxy itself.
            ("10.1.1.1", &["not-an-ip"], &nets, "10.1.1.1"),
            // Mapped IPv6 is IPv4.
            ("10.1.1.1", &["::ffff:198.51.100.3"], &nets, "198.51.100.3"),
        ];
        for (peer, xff, trusted, want) in cases {
            assert_eq!(client_address(ip(peer), &headers(xff), trusted), ip(want), "{peer} {xff:?}");
        }
    }
}
