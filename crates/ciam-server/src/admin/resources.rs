//! `/admin/v1/tenants/{tenant}/resources`: the APIs tokens are issued for (RFC 8707). Each has
//! an identifier (the audience URI), the scopes it defines and its access-token lifetime.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::id::{ResourceId, TenantId};
use ciam_core::resource::{DEFAULT_RESOURCE_TOKEN_LIFETIME, Resource};
use ciam_core::scope::ScopeSet;
use ciam_core::validation::display_text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, Path, existing_tenant, parse, patched, unchanged};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, resources};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_resource, list_resources)).routes(routes!(
        get_resource,
        update_resource,
        delete_resource
    ))
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
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl ResourceView {
    fn new(st: &AppState, r: Resource) -> Self {
        Self {
            metadata_url: format!("{}/resources/{}/oauth-protected-resource", st.issuer(&r.tenant_id), r.id),
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

fn build(
    tenant: &TenantId,
    input: ResourceInput,
    created_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Resource, Problem> {
    let r = Resource {
        tenant_id: tenant.clone(),
        id: input.id,
        identifier: input.identifier,
        name: display_text("name", &input.name, 200).map_err(Problem::invalid)?,
        scopes: input.scopes,
        access_token_lifetime: input.access_token_lifetime.unwrap_or(DEFAULT_RESOURCE_TOKEN_LIFETIME),
        created_at,
        updated_at: now,
    };
    r.validate().map_err(Problem::invalid)?;
    Ok(r)
}

async fn existing(st: &AppState, tenant: &TenantId, id: &str) -> Result<Resource, Problem> {
    let id = ResourceId::parse(id).map_err(|_| Problem::not_found("resource"))?;
    st.durable.get_resource(tenant, &id).await?.ok_or_else(|| Problem::not_found("resource"))
}

/// Register a resource.
#[utoipa::path(post, path = "/tenants/{tenant}/resources", tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = ResourceInput,
    responses(
        (status = 201, body = ResourceView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id or identifier is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_resource(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let now = st.clock.now();
    let r = build(&tenant.id, parse(Value::Object(body))?, now, now)?;
    resources::create(&st, &By::admin(caller), &r).await?;
    let location = format!("/admin/v1/tenants/{}/resources/{}", tenant.id, r.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ResourceView::new(&st, r))))
}

/// List a tenant's resources by id.
#[utoipa::path(get, path = "/tenants/{tenant}/resources", tag = "resources",
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
    Ok(Json(list.into_iter().map(|r| ResourceView::new(&st, r)).collect()))
}

/// Read a resource.
#[utoipa::path(get, path = "/tenants/{tenant}/resources/{resource_id}", tag = "resources",
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
    Ok(Json(ResourceView::new(&st, existing(&st, &tenant.id, &id).await?)))
}

/// Change a resource with a JSON merge patch (RFC 7396); `id` is fixed.
#[utoipa::path(patch, path = "/tenants/{tenant}/resources/{resource_id}", tag = "resources",
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
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(patch): JsonObject,
) -> Result<Json<ResourceView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let current = existing(&st, &tenant.id, &id).await?;
    let view = ResourceView::new(&st, current.clone());
    let input: ResourceInput = patched(view, &["created_at", "updated_at", "metadata_url"], patch)?;
    unchanged("id", &current.id, &input.id)?;
    let updated = build(&tenant.id, input, current.created_at, st.clock.now())?;
    resources::update(&st, &By::admin(caller), &updated).await?;
    Ok(Json(ResourceView::new(&st, updated)))
}

/// Delete a resource: tokens for it are no longer issued (issued ones live out their lifetime).
#[utoipa::path(delete, path = "/tenants/{tenant}/resources/{resource_id}", tag = "resources",
    params(("tenant" = String, Path, description = "Tenant id"), ("resource_id" = String, Path, description = "Resource id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_resource(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let r = existing(&st, &tenant.id, &id).await?;
    if resources::delete(&st, &By::admin(caller), &r).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("resource"))
    }
}
