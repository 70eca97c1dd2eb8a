//! `/admin/v1/tenants/{tenant}/users/{user_id}/delegations`: what a user let agents do, and
//! revoking it (every token derived from the delegation is inactive at once).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::user_path;
use super::{AdminAuth, Path};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::By;
use crate::services::delegations::{self, DelegationView};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_delegations)).routes(routes!(revoke_delegation))
}

/// List a user's delegations (active, expired and revoked), newest first.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/delegations", extensions(("x-permission" = json!("delegations:read"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = Vec<DelegationView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_delegations(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
) -> Result<Json<Vec<DelegationView>>, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &user).await?;
    Ok(Json(delegations::list(&st, &tenant, &user).await?))
}

/// Revoke a user's delegation: the agent's tokens derived from it are inactive at once and it
/// can exchange no more.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/delegations/{delegation_id}", extensions(("x-permission" = json!("delegations:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
           ("delegation_id" = String, Path, description = "Delegation id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such active delegation", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn revoke_delegation(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user, id)): Path<(String, String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &user).await?;
    if delegations::revoke(&st, &tenant, &user, &id, &By::admin(caller, &admin.0)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("delegation"))
    }
}
