//! `/admin/v1/tenants/{tenant}/users/{user_id}/sessions`: a user's SSO sessions, and ending them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use ciam_core::id::UserId;
use ciam_core::tenant::Tenant;

use super::{AdminAuth, Path, existing_tenant};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::sessions::{Which, end_user_sessions, user_sessions};
use crate::services::{By, ServiceError};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_sessions, end_sessions)).routes(routes!(end_session))
}

/// An SSO session (never its cookie).
#[derive(Serialize, ToSchema)]
pub(super) struct SessionView {
    /// Public session id (the `sid` claim of ID tokens).
    sid: String,
    /// When the user authenticated (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    auth_time: OffsetDateTime,
    /// Authentication methods (RFC 8176).
    amr: Vec<String>,
    /// Authentication context class.
    acr: String,
}

/// The tenant and the user, who must exist.
async fn session_path(st: &AppState, tenant: &str, user: &str) -> Result<(Tenant, UserId), Problem> {
    let tenant = existing_tenant(st, tenant).await?;
    let id = UserId::parse(user).map_err(|_| Problem::not_found("user"))?;
    st.durable.get_user(&tenant.id, &id).await?.ok_or_else(|| Problem::not_found("user"))?;
    Ok((tenant, id))
}

/// List a user's live sessions.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/sessions", extensions(("x-permission" = json!("sessions:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = Vec<SessionView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_sessions(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<Vec<SessionView>>, Problem> {
    let (tenant, user) = session_path(&st, &tenant, &id).await?;
    let sessions = user_sessions(&st, &tenant.ns(), &user.to_string()).await.map_err(ServiceError::Sessions)?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|(_, s)| SessionView {
                sid: s.sid,
                auth_time: OffsetDateTime::from_unix_timestamp(s.auth_time).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                amr: s.amr,
                acr: s.acr,
            })
            .collect(),
    ))
}

/// End every session of a user (they must sign in again everywhere).
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/sessions", extensions(("x-permission" = json!("sessions:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn end_sessions(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = session_path(&st, &tenant, &id).await?;
    end_user_sessions(&st, &By::admin(caller, &admin.0), &tenant, &user, Which::All).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End one session of a user.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/sessions/{sid}", extensions(("x-permission" = json!("sessions:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
           ("sid" = String, Path, description = "Session id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn end_session(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id, sid)): Path<(String, String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let (tenant, user) = session_path(&st, &tenant, &id).await?;
    match end_user_sessions(&st, &By::admin(caller, &admin.0), &tenant, &user, Which::One(&sid)).await? {
        0 => Err(Problem::not_found("session")),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}
