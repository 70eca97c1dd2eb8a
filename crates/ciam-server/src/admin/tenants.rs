//! `/admin/v1/tenants`: create, read, list, update (merge patch) and delete tenants.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::id::{Region, TenantId};
use ciam_core::tenant::{Tenant, TenantSettings};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, merge_patch, parse,
    unchanged,
};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, admins, tenants};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_tenant, list_tenants)).routes(routes!(
        get_tenant,
        update_tenant,
        delete_tenant
    ))
}

/// A tenant as created or patched.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TenantInput {
    /// Slug used in URLs: 1-63 of `a-z`, `0-9`, `-`. Fixed after creation.
    #[schema(value_type = String, example = "acme")]
    id: TenantId,
    /// Name shown on hosted pages (1-200 characters).
    #[schema(example = "Acme")]
    display_name: String,
    /// Data-residency region: one of the deployment's regions (default: the control region).
    /// Fixed after creation; `POST …/move` moves a tenant.
    #[schema(value_type = Option<String>, example = "local")]
    home_region: Option<Region>,
    /// Per-tenant settings.
    #[serde(default, deserialize_with = "ciam_core::validation::object_only")]
    settings: TenantSettings,
}

/// A tenant.
#[derive(Serialize, ToSchema)]
pub(super) struct TenantView {
    /// Slug used in URLs.
    id: String,
    /// Name shown on hosted pages.
    display_name: String,
    /// Data-residency region.
    home_region: String,
    /// Per-tenant settings.
    settings: TenantSettings,
    /// The tenant's OpenID Connect issuer.
    #[schema(example = "https://id.example.com/t/acme")]
    issuer: String,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl TenantView {
    fn new(st: &AppState, t: Tenant) -> Self {
        Self {
            issuer: st.issuer(&t.id),
            id: t.id.to_string(),
            display_name: t.display_name,
            home_region: t.home_region.to_string(),
            settings: t.settings,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Validates an input into the tenant's mutable parts.
fn checked(st: &AppState, input: TenantInput) -> Result<(TenantId, String, Region, TenantSettings), Problem> {
    let (display_name, region) =
        tenants::checked(st, &input.display_name, input.home_region, &input.settings).map_err(Problem::invalid)?;
    Ok((input.id, display_name, region, input.settings))
}

/// Create a tenant.
#[utoipa::path(post, path = "/tenants", extensions(("x-permission" = json!("tenants:create"))), tag = "tenants", request_body = TenantInput,
    responses(
        (status = 201, description = "Created", body = TenantView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_tenant(
    admin: AdminAuth,
    State(st): State<AppState>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let (id, display_name, home_region, settings) = checked(&st, parse(Value::Object(body))?)?;
    let now = st.clock.now();
    let incarnation = ciam_core::tenant::new_incarnation();
    let tenant = Tenant { id, display_name, home_region, settings, created_at: now, updated_at: now, incarnation };
    // Every tenant signs from its first moment: an active and a next key per algorithm.
    tenants::create(&st, &By::admin(caller, &admin.0), &tenant).await?;
    let location = format!("/admin/v1/tenants/{}", tenant.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(TenantView::new(&st, tenant))))
}

/// List tenants by id.
#[utoipa::path(get, path = "/tenants", extensions(("x-permission" = json!("tenants:read"))), tag = "tenants", params(ListParams),
    responses(
        (status = 200, body = ListResponse<TenantView>),
        (status = 400, description = "Bad limit or cursor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_tenants(
    admin: AdminAuth,
    State(st): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<TenantView>>, Problem> {
    let page = admins::visible_tenants(&st, &admin.0.grants, &params.page("tenants")?).await?;
    Ok(Json(ListResponse {
        items: page.items.into_iter().map(|t| TenantView::new(&st, t)).collect(),
        next_cursor: cursor("tenants", page.next_after),
    }))
}

/// Read a tenant.
#[utoipa::path(get, path = "/tenants/{tenant}", extensions(("x-permission" = json!("tenants:read"))), tag = "tenants", params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = TenantView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_tenant(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<TenantView>, Problem> {
    let t = existing_tenant(&st, &tenant).await?;
    Ok(Json(TenantView::new(&st, t)))
}

/// Change a tenant with a JSON merge patch (RFC 7396). `id` and `home_region` are fixed.
#[utoipa::path(patch, path = "/tenants/{tenant}", extensions(("x-permission" = json!("tenants:write"))), tag = "tenants", params(("tenant" = String, Path, description = "Tenant id")),
    request_body(content = TenantInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = TenantView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn update_tenant(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(patch): JsonObject,
) -> Result<Json<TenantView>, Problem> {
    let current = existing_tenant(&st, &tenant).await?;
    let mut doc = json!({
        "id": current.id,
        "display_name": current.display_name,
        "home_region": current.home_region,
        "settings": current.settings,
    });
    merge_patch(&mut doc, Value::Object(patch));
    let input: TenantInput = parse(doc)?;
    unchanged("id", &current.id, &input.id)?;
    unchanged("home_region", &Some(current.home_region.clone()), &input.home_region)?;
    let (id, display_name, home_region, settings) = checked(&st, input)?;
    let updated = Tenant { id, display_name, home_region, settings, updated_at: st.clock.now(), ..current };
    tenants::update(&st, &By::admin(caller, &admin.0), &updated).await?;
    Ok(Json(TenantView::new(&st, updated)))
}

/// Delete a tenant with all its users and clients.
#[utoipa::path(delete, path = "/tenants/{tenant}", extensions(("x-permission" = json!("tenants:delete"))), tag = "tenants", params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The control tenant", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_tenant(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = TenantId::parse(&tenant).map_err(|_| Problem::not_found("tenant"))?;
    if !tenants::delete(&st, &id).await? {
        return Err(Problem::not_found("tenant"));
    }
    Ok(StatusCode::NO_CONTENT)
}
