//! `/admin/v1/tenants/{tenant}/users/{user_id}/export` and `…/erase`: a user's data as one
//! document (GDPR Art. 15 and 20, `docs/privacy.md`), and erasing the user (Art. 17).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::existing_user;
use super::{AdminAuth, Path, existing_tenant};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, privacy};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_user)).routes(routes!(erase_user, cancel_erasure))
}

/// Export everything the tenant holds about a user: profile, identifiers, linked identities,
/// factors (never their secrets), consents and their history, connected apps, sessions, agents,
/// delegations and the user's audit events, as one `ciam.user-export.v1` document. Audited as
/// `user.exported`.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/export", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The document (docs/privacy.md)", body = Object),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn export_user(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    caller: Caller,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    let doc = privacy::export_by(&st, &By::admin(caller, &admin.0), &tenant, &user).await?;
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(doc)))
}

/// Erase a user: sessions end, delegations end (agents stop at once), refresh grants and access
/// tokens stop, and the user goes with their credentials, factors, links, consents and consent
/// history, leaving a tombstone so the id is never used again. Audited as `user.erased`; a
/// `user.erased` event is queued (`…/events`).
#[utoipa::path(post, path = "/tenants/{tenant}/users/{user_id}/erase", extensions(("x-permission" = json!("privacy:write"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn erase_user(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    if privacy::erase(&st, &By::admin(caller, &admin.0), &tenant, &user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("user"))
    }
}

/// Cancel the erasure a user asked for, while the tenant's grace period runs: the account is
/// enabled again. Audited as `user.erasure_cancelled`.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/erase", extensions(("x-permission" = json!("privacy:write"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Cancelled; the account is enabled"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or no erasure waiting", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn cancel_erasure(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    if privacy::cancel_erasure(&st, &By::admin(caller, &admin.0), &tenant, &user).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("erasure request"))
    }
}
