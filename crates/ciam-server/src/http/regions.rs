//! Requests for a tenant whose home region this node does not serve: redirected to the nodes
//! that serve it when the region has a `public_url`, else answered with a 421 problem. Nodes of
//! a one-region deployment skip the check.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Problem, ProblemKind};
use crate::state::AppState;

/// The tenant a path names: `/t/{tenant}/…`, `/admin/v1/tenants/{tenant}/…` or
/// `/.well-known/{document}/t/{tenant}`.
pub(crate) fn tenant_in_path(path: &str) -> Option<&str> {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("t"), Some(tenant), ..) => Some(tenant),
        (Some("admin"), Some("v1"), Some("tenants"), Some(tenant)) => Some(tenant),
        (Some(".well-known"), Some(_), Some("t"), Some(tenant)) => Some(tenant),
        _ => None,
    }
    .filter(|t| !t.is_empty())
}

/// The middleware.
pub(crate) async fn gate(State(st): State<AppState>, request: Request, next: Next) -> Response {
    if st.node.regions.len() < 2 {
        return next.run(request).await;
    }
    let Some(tenant) = tenant_in_path(request.uri().path()) else { return next.run(request).await };
    // A directory that cannot be read leaves the request to the stores, which answer 503.
    let Ok(Some(route)) = st.regions.placements.route(tenant).await else { return next.run(request).await };
    let Some(region) = st.node.regions.iter().find(|r| r.region == route.region) else {
        return next.run(request).await;
    };
    if region.served {
        return next.run(request).await;
    }
    match &region.public_url {
        Some(base) => {
            let target = format!("{base}{}", request.uri().path_and_query().map_or("", |p| p.as_str()));
            match HeaderValue::try_from(target) {
                Ok(location) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, location)]).into_response(),
                Err(_) => misdirected(&route.region),
            }
        }
        None => misdirected(&route.region),
    }
}

fn misdirected(region: &ciam_core::id::Region) -> Response {
    Problem::new(
        ProblemKind::Misdirected,
        format!("this tenant lives in region {region}, which this node does not serve"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_is_read_from_every_kind_of_tenant_path() {
        assert_eq!(tenant_in_path("/t/acme/authorize"), Some("acme"));
        assert_eq!(tenant_in_path("/t/acme"), Some("acme"));
        assert_eq!(tenant_in_path("/admin/v1/tenants/acme/users"), Some("acme"));
        assert_eq!(tenant_in_path("/admin/v1/tenants/acme"), Some("acme"));
        assert_eq!(tenant_in_path("/.well-known/oauth-authorization-server/t/acme"), Some("acme"));
        for none in ["/admin/v1/tenants", "/admin/v1/tenants/", "/healthz", "/", "/t/", "/admin/v1/openapi.json"] {
            assert_eq!(tenant_in_path(none), None, "{none}");
        }
    }
}
