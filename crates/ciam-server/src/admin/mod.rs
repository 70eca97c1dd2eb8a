//! The management API under `/admin/v1`: tenants, users and clients, with the OpenAPI 3.1
//! document generated from these handlers (served at `/admin/v1/openapi.json`).
//!
//! Conventions, shared by every resource:
//! - bearer-token auth ([`AdminAuth`]), compared in constant time; failures are 401 problems;
//! - bodies are JSON objects, parsed strictly: unknown fields, wrong types and rule violations are
//!   422 problems naming the field; malformed JSON is 400; other media types are 415;
//! - `PATCH` takes a JSON merge patch (RFC 7396): present keys replace, `null` clears;
//! - lists are keyset-paginated: `?limit=1..200&cursor=…` answer `{items, next_cursor}`; a cursor
//!   is bound to the list it came from and is present only when more items follow (the store
//!   selects the list's items in its query, so no page is short or empty before the end);
//! - resources of one tenant are addressed only under that tenant's path and never found under
//!   another's.

pub mod access;
mod agents;
mod audit;
mod clients;
mod consents;
mod delegations;
mod detail_types;
mod factors;
mod identity_providers;
mod invitations;
mod keys;
mod purposes;
mod residency;
mod resources;
mod roles;
mod service_accounts;
mod sessions;
mod tenants;
mod user_export;
mod user_import;
mod user_mail;
mod user_privacy;
mod users;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciam_core::FieldError;
use ciam_core::id::TenantId;
use ciam_core::page::PageRequest;
use ciam_core::tenant::Tenant;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::error::Problem;
use crate::state::AppState;

pub use crate::http::{AdminAuth, JsonObject, Path, Query};

/// Largest accepted body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ciam management API",
        description = "Manage tenants, users, clients and agents of the ciam identity server. \
            Errors are RFC 9457 problem documents (application/problem+json).",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&AdminTokenScheme),
    security(("admin_token" = [])),
    tags(
        (name = "tenants", description = "Isolated identity domains, each with its own issuer"),
        (name = "users", description = "People who sign in to a tenant"),
        (name = "invitations", description = "Links that let an invited address create its account"),
        (name = "clients", description = "Applications and services that use a tenant"),
        (name = "keys", description = "A tenant's token signing keys and their rotation"),
        (name = "agents", description = "AI agents, and the delegations users give them"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "resources", description = "The APIs tokens are issued for (RFC 8707)"),
        (name = "identity providers", description = "Upstream OpenID Connect providers users sign in with, and the accounts linked through them"),
        (name = "privacy", description = "Consent purposes, users' consent history, and events for downstream systems"),
        (name = "administrators", description = "Who administers the deployment: roles, role assignments and service accounts"),
    )
)]
struct AdminApi;

struct AdminTokenScheme;

impl Modify for AdminTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("admin_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The admin routes with their OpenAPI description (paths include `/admin/v1`).
pub fn router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(tenants::routes())
        .merge(users::routes())
        .merge(user_mail::routes())
        .merge(user_import::routes())
        .merge(user_export::routes())
        .merge(invitations::routes())
        .merge(clients::routes())
        .merge(keys::routes())
        .merge(consents::routes())
        .merge(sessions::routes())
        .merge(factors::routes())
        .merge(agents::routes())
        .merge(delegations::routes())
        .merge(audit::routes())
        .merge(resources::routes())
        .merge(identity_providers::routes())
        .merge(purposes::routes())
        .merge(user_privacy::routes())
        .merge(residency::routes())
        .merge(detail_types::routes())
        .merge(roles::routes())
        .merge(service_accounts::routes());
    OpenApiRouter::with_openapi(AdminApi::openapi()).nest("/admin/v1", api)
}

/// The OpenAPI document as pretty JSON (what `/admin/v1/openapi.json` serves and
/// `docs/openapi.json` holds).
pub fn openapi_json() -> String {
    let (_, doc) = router().split_for_parts();
    doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Deserialises `value` into `T`, turning serde's error into a 422 that names the field
/// (without the rejected value: [`crate::services::from_json`]).
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, Problem> {
    crate::services::from_json(value).map_err(Problem::invalid)
}

/// Applies an RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in patch {
                    if v.is_null() {
                        t.remove(&k);
                    } else {
                        merge_patch(t.entry(k).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// The input a `PATCH` leads to: the resource's current `view` without its `read_only` fields,
/// with the merge `patch` applied, parsed as the create input `T` (so one set of rules checks
/// both).
pub fn patched<T: DeserializeOwned>(
    view: impl Serialize,
    read_only: &[&str],
    patch: Map<String, Value>,
) -> Result<T, Problem> {
    let mut doc = serde_json::to_value(view).map_err(Problem::internal)?;
    if let Value::Object(m) = &mut doc {
        for field in read_only {
            m.remove(*field);
        }
    }
    merge_patch(&mut doc, Value::Object(patch));
    parse(doc)
}

/// Refuses a change to a field that is fixed after creation.
pub fn unchanged<T: PartialEq>(field: &'static str, before: &T, after: &T) -> Result<(), Problem> {
    if before == after { Ok(()) } else { Err(Problem::invalid(FieldError::new(field, "cannot be changed"))) }
}

/// `?limit=&cursor=` of list routes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct ListResponse<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; present only when more items follow, so it is
    /// absent on the last page and a page that carries it is full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    /// Which list the cursor belongs to (`tenants`, `acme/users`, …).
    l: String,
    /// Key to continue after.
    a: String,
}

impl ListParams {
    /// The store page for the list named `list`; a cursor from another list (or tenant) is a 400.
    pub fn page(&self, list: &str) -> Result<PageRequest, Problem> {
        let limit = self.limit.unwrap_or(PageRequest::DEFAULT_LIMIT);
        if !(1..=PageRequest::MAX_LIMIT).contains(&limit) {
            return Err(Problem::bad_field(FieldError::new("limit", "must be between 1 and 200")));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => {
                let body = URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<CursorBody>(&b).ok())
                    .filter(|b| b.l == list)
                    .ok_or_else(|| Problem::bad_field(FieldError::new("cursor", "is not a cursor of this list")))?;
                Some(body.a)
            }
        };
        Ok(PageRequest { limit, after })
    }
}

/// Encodes the cursor for the page after `after` in `list`.
pub fn cursor(list: &str, after: Option<String>) -> Option<String> {
    after.map(|a| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&CursorBody { l: list.to_owned(), a }).unwrap_or_default()))
}

/// Resolves the `{tenant}` path segment to an existing tenant, else 404.
pub async fn existing_tenant(st: &AppState, tenant: &str) -> Result<Tenant, Problem> {
    let id = TenantId::parse(tenant).map_err(|_| Problem::not_found("tenant"))?;
    st.durable.get_tenant(&id).await?.ok_or_else(|| Problem::not_found("tenant"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProblemKind;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7396_appendix_a() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
        ];
        for (mut target, patch, want) in cases {
            merge_patch(&mut target, patch);
            assert_eq!(target, want);
        }
    }

    #[test]
    fn cursors_are_bound_to_their_list_t13() {
        let c = cursor("a/users", Some("k1".into())).unwrap();
        let p = ListParams { limit: Some(10), cursor: Some(c.clone()) };
        assert_eq!(p.page("a/users").unwrap().after.as_deref(), Some("k1"));
        assert_eq!(p.page("b/users").unwrap_err().kind(), ProblemKind::BadRequest);
        let tampered = ListParams { limit: None, cursor: Some(format!("{c}x")) };
        assert!(tampered.page("a/users").is_err());
        assert!(ListParams { limit: Some(0), cursor: None }.page("x").is_err());
        assert!(ListParams { limit: Some(201), cursor: None }.page("x").is_err());
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        secret_flag: bool,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u8,
    }

    #[test]
    fn parse_names_fields_and_never_echoes_values() {
        let e = parse::<Sample>(json!({"name":"x","secret_flag":"hunter2"})).unwrap_err();
        assert_eq!(e.errors()[0].field, "secret_flag");
        assert!(!e.errors()[0].message.contains("hunter2"), "{}", e.errors()[0].message);
        let e = parse::<Sample>(json!({"name":"x","secret_flag":true,"extra":1})).unwrap_err();
        assert_eq!((e.errors()[0].field.as_ref(), e.errors()[0].message.as_ref()), ("extra", "unknown field"));
        let e = parse::<Sample>(json!({"secret_flag":true})).unwrap_err();
        assert_eq!((e.errors()[0].field.as_ref(), e.errors()[0].message.as_ref()), ("name", "is required"));
        let e = parse::<Sample>(json!({"name":"x","secret_flag":true,"inner":{"n":300}})).unwrap_err();
        assert_eq!(e.errors()[0].field, "inner.n");
        let e = parse::<Sample>(json!({"name":"x","secret_flag":true,"inner":{"m":1}})).unwrap_err();
        assert_eq!(e.errors()[0].field, "inner.m");
    }
}
