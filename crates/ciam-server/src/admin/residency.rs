//! `/admin/v1/tenants/{tenant}/placement` and `…/move`: where a tenant's data lives, and moving
//! it to another region of the deployment (`docs/residency.md`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ciam_core::id::Region;
use ciam_core::region::Placement;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, Path, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, residency};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_placement)).routes(routes!(move_tenant))
}

/// Where a tenant lives.
#[derive(Serialize, ToSchema)]
pub(super) struct PlacementView {
    /// The tenant.
    tenant: String,
    /// The region whose stores hold the tenant's data (during a move: until the switch).
    region: String,
    /// The move under way, if any.
    moving: Option<MoveView>,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

/// A move under way.
#[derive(Serialize, ToSchema)]
pub(super) struct MoveView {
    /// The region the tenant goes to.
    to: String,
    /// The last step completed: `frozen` (writes refused), `copied`, `switched` (the new region
    /// serves the tenant), `purged` (the old region holds nothing of it).
    #[schema(example = "copied")]
    step: String,
    /// When the move started (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    started_at: OffsetDateTime,
}

impl From<Placement> for PlacementView {
    fn from(p: Placement) -> Self {
        Self {
            tenant: p.tenant.to_string(),
            region: p.region.to_string(),
            moving: p.moving.map(|m| MoveView {
                to: m.to.to_string(),
                step: m.step.as_str().to_owned(),
                started_at: m.started_at,
            }),
            updated_at: p.updated_at,
        }
    }
}

/// Where the tenant lives, and the move under way, from the deployment's placement directory.
#[utoipa::path(get, path = "/tenants/{tenant}/placement", extensions(("x-permission" = json!("tenants:read"))), tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, description = "The placement", body = PlacementView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_placement(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<PlacementView>, Problem> {
    let tenant = ciam_core::id::TenantId::parse(&tenant).map_err(|_| Problem::not_found("tenant"))?;
    let placement = residency::placement(&st, &tenant).await?.ok_or_else(|| Problem::not_found("tenant"))?;
    Ok(Json(placement.into()))
}

/// Where to move a tenant.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct MoveInput {
    /// A region of this deployment.
    #[schema(value_type = String, example = "us")]
    region: Region,
}

/// Move the tenant, with all its data, to another region: writes are refused while its rows
/// are copied (seconds to minutes), then the new region serves it and the old one is purged.
/// Answers at once; `GET …/placement` follows the steps. Asking again for the same region
/// resumes a move that stopped. Audited as `tenant.move_started` and `tenant.moved`. The node
/// must serve both regions; sessions do not move (users sign in again).
#[utoipa::path(post, path = "/tenants/{tenant}/move", extensions(("x-permission" = json!("tenants:write"))), tag = "tenants", request_body = MoveInput,
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 202, description = "The move runs", body = PlacementView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Not a region this node can move the tenant to, or the tenant is there already",
            body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn move_tenant(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let input: MoveInput = parse(Value::Object(body))?;
    let placement = residency::start_move(&st, &By::admin(caller, &admin.0), &tenant.id, &input.region).await?;
    Ok((StatusCode::ACCEPTED, Json(PlacementView::from(placement))))
}
