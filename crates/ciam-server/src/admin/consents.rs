//! `/admin/v1/tenants/{tenant}/users/{user_id}/consents`: what each client was allowed, and
//! taking it back (the next authorization asks the user again).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ciam_core::id::ClientId;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::user_path;
use super::{AdminAuth, Path};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, users};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_consents)).routes(routes!(revoke_consent))
}

/// A remembered consent.
#[derive(Serialize, ToSchema)]
pub(super) struct ConsentView {
    /// The client.
    client_id: String,
    /// The scopes the user allowed.
    scopes: Vec<String>,
    /// When (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    granted_at: OffsetDateTime,
}

/// List the consents a user gave.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/consents", extensions(("x-permission" = json!("users:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = Vec<ConsentView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_consents(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
) -> Result<Json<Vec<ConsentView>>, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &user).await?;
    let consents = st.durable.list_consents(&tenant, &user).await?;
    Ok(Json(
        consents
            .into_iter()
            .map(|(client, scope, granted_at)| ConsentView {
                client_id: client.to_string(),
                scopes: scope.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                granted_at,
            })
            .collect(),
    ))
}

/// Revoke a user's consent to a client: the next authorization request asks again.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/consents/{client_id}", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
           ("client_id" = String, Path, description = "Client id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn revoke_consent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user, client)): Path<(String, String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &user).await?;
    let client = ClientId::parse(&client).map_err(|_| Problem::not_found("consent"))?;
    if users::revoke_consent(&st, &By::admin(caller, &admin.0), &tenant, &user, &client).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("consent"))
    }
}
