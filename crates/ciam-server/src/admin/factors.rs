//! `/admin/v1/tenants/{tenant}/users/{user_id}/factors`: a user's authenticators (never their
//! secrets), and resetting them for a user who lost theirs.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use ciam_core::factor::FactorKind;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::user_path;
use super::{AdminAuth, Path};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, users};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_factors, reset_factors)).routes(routes!(delete_factor))
}

/// An authenticator of a user.
#[derive(Serialize, ToSchema)]
pub(super) struct FactorView {
    /// Factor id.
    id: String,
    /// `totp`, `passkey` or `recovery_codes`.
    kind: FactorKind,
    /// The user's label.
    name: String,
    /// When it was enrolled (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// When it was last used (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    last_used_at: Option<OffsetDateTime>,
}

/// Which authenticators to remove.
#[derive(Deserialize, IntoParams)]
pub(super) struct ResetQuery {
    /// Only this kind (`totp`, `passkey`, `recovery_codes`); all when absent.
    kind: Option<FactorKind>,
}

/// List a user's authenticators.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/factors", extensions(("x-permission" = json!("factors:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = Vec<FactorView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_factors(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<Vec<FactorView>>, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &id).await?;
    let factors = st.durable.list_factors(&tenant, &user).await?;
    Ok(Json(
        factors
            .into_iter()
            .map(|f| FactorView {
                id: f.id,
                kind: f.kind,
                name: f.name,
                created_at: f.created_at,
                last_used_at: f.last_used_at,
            })
            .collect(),
    ))
}

/// Remove a user's authenticators (all, or all of one kind): the user signs in with their
/// password (or an emailed code) and enrolls again.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/factors", extensions(("x-permission" = json!("factors:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
           ResetQuery),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn reset_factors(
    admin: AdminAuth,
    State(st): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
    Query(q): Query<ResetQuery>,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &id).await?;
    users::reset_factors(&st, &By::admin(caller, &admin.0), &tenant, &user, q.kind).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove one authenticator of a user.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/factors/{factor_id}", extensions(("x-permission" = json!("factors:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
           ("factor_id" = String, Path, description = "Factor id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_factor(
    admin: AdminAuth,
    State(st): State<AppState>,
    caller: Caller,
    Path((tenant, id, factor)): Path<(String, String, String)>,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &id).await?;
    if !users::remove_factor(&st, &By::admin(caller, &admin.0), &tenant, &user, &factor).await? {
        return Err(Problem::not_found("factor"));
    }
    Ok(StatusCode::NO_CONTENT)
}
