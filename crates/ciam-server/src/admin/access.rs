//! Who may call which management route.
//!
//! Every route declares the one permission it needs as `x-permission` in its OpenAPI
//! operation; [`RoutePermissions`] reads them from the generated document, so the document and
//! the check cannot disagree. [`guard`] runs before every admin handler:
//! 1. it authenticates the caller ([`admins::authenticate`]); failures are 401;
//! 2. on a route under `/tenants/{tenant}`, a caller with no role in that tenant gets the same
//!    404 as for a tenant that does not exist, and one whose roles lack the permission gets 403;
//! 3. a route outside any tenant needs the permission deployment-wide, except the lists in
//!    [`FILTERED_LISTS`], which show each caller only what they may see;
//! 4. the administrator goes into the request for the handler ([`AdminAuth`]) and the audit.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ciam_core::admin::{Access, Permission};
use ciam_core::id::TenantId;
use utoipa::openapi::OpenApi;

use crate::error::{Problem, ProblemKind};
use crate::http::bearer_token;
use crate::services::admins::{self, Unauthenticated};
use crate::state::AppState;

/// The OpenAPI extension naming a route's permission.
pub const PERMISSION_EXTENSION: &str = "x-permission";

/// The `x-permission` of a route every authenticated administrator may call (about themselves).
pub const ANY_ADMINISTRATOR: &str = "authenticated";

/// Routes outside any tenant that every administrator with the permission somewhere may call:
/// they list only what the caller may see.
pub const FILTERED_LISTS: &[(&str, &str)] =
    &[("GET", "/admin/v1/tenants"), ("GET", "/admin/v1/roles"), ("GET", "/admin/v1/permissions")];

/// Each route's permission, by method and path template.
#[derive(Debug, Default)]
pub struct RoutePermissions {
    routes: HashMap<(String, String), Permission>,
    /// Routes for any authenticated administrator ([`ANY_ADMINISTRATOR`]).
    open: Vec<(String, String)>,
    /// Routes whose declared permission is missing or unknown (none, as a test checks).
    pub undeclared: Vec<String>,
}

impl RoutePermissions {
    /// Reads `x-permission` from every operation of `doc`.
    pub fn of(doc: &OpenApi) -> Self {
        let mut table = Self::default();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let declared =
                    operation.extensions.as_ref().and_then(|e| e.get(PERMISSION_EXTENSION)).and_then(|v| v.as_str());
                match declared.map(|d| (d, Permission::parse(d))) {
                    Some((_, Some(p))) => {
                        table.routes.insert((method.to_owned(), path.clone()), p);
                    }
                    Some((ANY_ADMINISTRATOR, None)) => table.open.push((method.to_owned(), path.clone())),
                    _ => table.undeclared.push(format!("{method} {path}")),
                }
            }
        }
        table
    }

    /// Whether every authenticated administrator may call `method` on `path`.
    pub fn open(&self, method: &Method, path: &str) -> bool {
        self.open.iter().any(|(m, p)| m == method.as_str() && p == path)
    }

    /// The permission of `method` on the route template `path`.
    pub fn get(&self, method: &Method, path: &str) -> Option<Permission> {
        self.routes.get(&(method.as_str().to_owned(), path.to_owned())).copied()
    }
}

/// The guard's state: the app and the route table.
pub(crate) type GuardState = (AppState, Arc<RoutePermissions>);

/// Authenticates the administrator and checks the route's permission (see the module docs).
pub(crate) async fn guard(
    State((st, table)): State<GuardState>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let admin = match admins::authenticate(&st, bearer_token(request.headers())).await {
        Ok(admin) => admin,
        Err(Unauthenticated::Failed(e)) => return Problem::from(e).into_response(),
        Err(e) => return Problem::new(ProblemKind::Unauthorized, e.to_string()).into_response(),
    };
    let method = request.method().clone();
    let path = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    if table.open(&method, &path) {
        request.extensions_mut().insert(Arc::new(admin));
        return next.run(request).await;
    }
    let Some(permission) = table.get(&method, &path) else {
        return Problem::new(ProblemKind::Forbidden, "this route declares no permission").into_response();
    };
    let tenant = params.ok().and_then(|p| p.iter().find(|(k, _)| *k == "tenant").map(|(_, v)| v.to_owned()));
    let access = match &tenant {
        Some(t) => match TenantId::parse(t) {
            Ok(id) => admin.grants.decide(Some(&id), permission),
            Err(_) => Access::Hidden,
        },
        None if FILTERED_LISTS.contains(&(method.as_str(), path.as_str())) => {
            if admin.grants.anywhere(permission) {
                Access::Allowed
            } else {
                Access::Forbidden
            }
        }
        None => admin.grants.decide(None, permission),
    };
    match access {
        Access::Allowed => {
            request.extensions_mut().insert(Arc::new(admin));
            next.run(request).await
        }
        Access::Hidden => Problem::not_found("tenant").into_response(),
        Access::Forbidden => {
            Problem::new(ProblemKind::Forbidden, format!("this needs the permission {permission}")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_management_route_declares_a_permission_that_fits_it() {
        let (_, doc) = super::super::router().split_for_parts();
        let table = RoutePermissions::of(&doc);
        assert!(table.undeclared.is_empty(), "routes without a known x-permission: {:?}", table.undeclared);
        assert!(table.routes.len() > 90, "{} routes", table.routes.len());
        for ((method, path), permission) in &table.routes {
            // Reading needs a read permission, and a change a permission to change.
            assert_eq!(method == "GET", permission.reads(), "{method} {path}: {permission}");
            if path.contains("{tenant}") {
                assert!(!permission.deployment_only(), "{method} {path}: {permission} means nothing in one tenant");
            }
        }
        assert!(table.open(&Method::GET, "/admin/v1/me"), "{:?}", table.open);
        assert_eq!(table.open.len(), 1, "only what is about the caller: {:?}", table.open);
        for (method, path) in FILTERED_LISTS {
            assert!(table.get(&Method::GET, path).is_some() && *method == "GET", "{method} {path}");
        }
    }
}
