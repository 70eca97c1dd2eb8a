//! `/admin/v1/tenants/{tenant}/resources`: the APIs tokens are issued for (RFC 8707). Each has
//! an identifier (the audience URI), the scopes it defines and its access-token lifetime, and
//! may have credentials of its own for the introspection endpoint: a server-generated secret
//! (shown once, stored as a hash, rotated under `/secret`) or its public keys.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::client::AuthMethod;
use ciam_core::id::ResourceId;
use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::clients::SecretView;
use super::{AdminAuth, JsonObject, Path, existing_tenant, parse, patched, unchanged};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::By;
use crate::services::resources::{self, ResourceSpec};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_resource, list_resources))
        .routes(routes!(get_resource, update_resource, delete_resource))
        .routes(routes!(rotate_resource_secret))
}

/// A resource as registered or patched.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResourceInput {
    /// Id in these URLs: 1-63 of `a-z 0-9 -`. Fixed after creation.
    #[schema(value_type = String, example = "trips")]
    id: ResourceId,
    /// The audience URI: the `resource` clients ask for and the `aud` of its tokens.
    #[schema(example = "https://trips.example/api")]
    identifier: String,
    /// Display name (1-200 characters).
    name: String,
    /// The scopes it defines; its tokens carry no other.
    #[schema(value_type = Vec<String>, example = json!(["trips:read", "trips:book"]))]
    scopes: ScopeSet,
    /// Lifetime of its access tokens, 60-86400 seconds. Default 900.
    access_token_lifetime: Option<u32>,
    /// How the resource authenticates at the introspection endpoint, as the client
    /// `resource.{id}`: `client_secret_basic` (the server generates the secret and shows it
    /// once) or `private_key_jwt` (with `jwks` or `jwks_uri`). Absent: it does not introspect.
    #[schema(value_type = Option<String>, example = "client_secret_basic")]
    introspection_auth_method: Option<AuthMethod>,
    /// https URL of the resource's JWK Set (for `private_key_jwt`).
    jwks_uri: Option<String>,
    /// The resource's public JWK Set inline (for `private_key_jwt`).
    #[schema(value_type = Option<Object>)]
    jwks: Option<Value>,
}

/// A resource.
#[derive(Serialize, ToSchema)]
pub(super) struct ResourceView {
    /// Id.
    id: String,
    /// Audience URI.
    identifier: String,
    /// Display name.
    name: String,
    /// Defined scopes.
    scopes: Vec<String>,
    /// Access-token lifetime, seconds.
    access_token_lifetime: u32,
    /// Where its OAuth Protected Resource Metadata (RFC 9728) is served.
    metadata_url: String,
    /// The `client_id` it introspects with (`resource.{id}`), when it has credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    /// How it authenticates at the introspection endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    introspection_auth_method: Option<AuthMethod>,
    /// JWK Set URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<String>,
    /// Inline JWK Set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    jwks: Option<Value>,
    /// Its introspection secret: present only in the response that generated it. Store it now;
    /// it cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl ResourceView {
    fn new(st: &AppState, r: Resource, secret: Option<&Secret>) -> Self {
        let auth = r.introspection.clone();
        Self {
            metadata_url: format!("{}/resources/{}/oauth-protected-resource", st.issuer(&r.tenant_id), r.id),
            client_id: auth.as_ref().map(|_| r.client_id().to_string()),
            introspection_auth_method: auth.as_ref().map(|a| a.method),
            jwks_uri: auth.as_ref().and_then(|a| a.jwks_uri.clone()),
            jwks: auth.and_then(|a| a.jwks),
            client_secret: secret.map(|s| s.expose_secret().to_owned()),
            id: r.id.to_string(),
            identifier: r.identifier,
            name: r.name,
            scopes: r.scopes.to_vec(),
            access_token_lifetime: r.access_token_lifetime,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl ResourceInput {
    fn spec(self) -> ResourceSpec {
        ResourceSpec {
            id: self.id,
            identifier: self.identifier,
            name: self.name,
            scopes: self.scopes,
            access_token_lifetime: self.access_token_lifetime,
            introspection_auth_method: self.introspection_auth_method,
            jwks_uri: self.jwks_uri,
            jwks: self.jwks,
        }
    }
}

async fn existing(st: &AppState, tenant: &ciam_core::id::TenantId, id: &str) -> Result<Resource, Problem> {
    let id = ResourceId::parse(id).map_err(|_| Problem::not_found("resource"))?;
    st.durable.get_resource(tenant, &id).await?.ok_or_else(|| Problem::not_found("resource"))
}

/// Register a resource. With `introspection_auth_method` `client_secret_basic` the response
/// carries `client_secret`, once.
#[utoipa::path(post, path = "/tenants/{tenant}/resources", extensions(("x-permission" = json!("resources:write"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = ResourceInput,
    responses(
        (status = 201, body = ResourceView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id or identifier is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_resource(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let now = st.clock.now();
    let r = resources::build(&tenant, parse::<ResourceInput>(Value::Object(body))?.spec(), now, now)?;
    let secret = resources::create(&st, &By::admin(caller, &admin.0), &r).await?;
    let location = format!("/admin/v1/tenants/{}/resources/{}", tenant.id, r.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), (header::CACHE_CONTROL, "no-store".to_owned())],
        Json(ResourceView::new(&st, r, secret.as_ref())),
    ))
}

/// List a tenant's resources by id.
#[utoipa::path(get, path = "/tenants/{tenant}/resources", extensions(("x-permission" = json!("resources:read"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = Vec<ResourceView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_resources(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<ResourceView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let list = st.durable.list_resources(&tenant.id).await?;
    Ok(Json(list.into_iter().map(|r| ResourceView::new(&st, r, None)).collect()))
}

/// Read a resource.
#[utoipa::path(get, path = "/tenants/{tenant}/resources/{resource_id}", extensions(("x-permission" = json!("resources:read"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id"), ("resource_id" = String, Path, description = "Resource id")),
    responses(
        (status = 200, body = ResourceView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_resource(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<ResourceView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(ResourceView::new(&st, existing(&st, &tenant.id, &id).await?, None)))
}

/// Change a resource with a JSON merge patch (RFC 7396); `id` is fixed. Switching to
/// `client_secret_basic` issues a secret (in this response, once); removing
/// `introspection_auth_method` or switching to keys removes it.
#[utoipa::path(patch, path = "/tenants/{tenant}/resources/{resource_id}", extensions(("x-permission" = json!("resources:write"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id"), ("resource_id" = String, Path, description = "Resource id")),
    request_body(content = ResourceInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ResourceView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn update_resource(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(patch): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let current = existing(&st, &tenant.id, &id).await?;
    let view = ResourceView::new(&st, current.clone(), None);
    let input: ResourceInput = patched(view, &["created_at", "updated_at", "metadata_url", "client_id"], patch)?;
    unchanged("id", &current.id, &input.id)?;
    let updated = resources::build(&tenant, input.spec(), current.created_at, st.clock.now())?;
    let secret = resources::update(&st, &By::admin(caller, &admin.0), &updated).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(ResourceView::new(&st, updated, secret.as_ref()))))
}

/// Delete a resource: tokens for it are no longer issued (issued ones live out their lifetime).
#[utoipa::path(delete, path = "/tenants/{tenant}/resources/{resource_id}", extensions(("x-permission" = json!("resources:write"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id"), ("resource_id" = String, Path, description = "Resource id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_resource(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let r = existing(&st, &tenant.id, &id).await?;
    if resources::delete(&st, &By::admin(caller, &admin.0), &r).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("resource"))
    }
}

/// Issue a new introspection secret for a resource that introspects with `client_secret_basic`;
/// the old one stops working immediately.
#[utoipa::path(post, path = "/tenants/{tenant}/resources/{resource_id}/secret", extensions(("x-permission" = json!("resources:write"))), tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id"), ("resource_id" = String, Path, description = "Resource id")),
    responses(
        (status = 200, body = SecretView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The resource does not introspect with a secret", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn rotate_resource_secret(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let r = existing(&st, &tenant.id, &id).await?;
    let secret = resources::rotate_secret(&st, &By::admin(caller, &admin.0), &r).await?;
    let view = SecretView::new(r.client_id().to_string(), &secret);
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view)))
}
