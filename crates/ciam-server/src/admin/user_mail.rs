//! `POST /admin/v1/tenants/{tenant}/users/{user_id}/mail`: sends a user the mail that proves
//! their address, or the one that lets them choose a new password (for a support desk, or an
//! import of accounts whose addresses were never verified).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::existing_user;
use super::{AdminAuth, JsonObject, Path, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody, ProblemKind};
use crate::services::{By, accounts};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(send_mail))
}

/// Which mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum UserMailKind {
    /// A link and a code that prove the address (valid 24 hours).
    VerifyEmail,
    /// A link to choose a new password (valid 30 minutes). A user with a second factor gives it
    /// before the new password takes effect.
    ResetPassword,
}

/// The mail to send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct UserMailInput {
    /// `verify_email` or `reset_password`.
    #[serde(rename = "type")]
    kind: UserMailKind,
}

/// Queued: what was sent, and to which address.
#[derive(Serialize, ToSchema)]
pub(super) struct UserMailView {
    #[serde(rename = "type")]
    kind: UserMailKind,
    /// `queued`: the mail is in the outbox (delivery is retried while the relay is down).
    status: &'static str,
}

/// Send a user the verification or the password reset mail.
#[utoipa::path(post, path = "/tenants/{tenant}/users/{user_id}/mail", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    request_body = UserMailInput,
    responses(
        (status = 202, body = UserMailView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The address is verified already, or the account is disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn send_mail(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<UserMailView>), Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &id).await?;
    let input: UserMailInput = parse(serde_json::Value::Object(body))?;
    if user.status != ciam_core::user::UserStatus::Active {
        return Err(Problem::new(ProblemKind::Conflict, "the account is disabled: enable it first"));
    }
    let by = By::admin(caller, &admin.0);
    match input.kind {
        UserMailKind::VerifyEmail if user.email_verified => {
            return Err(Problem::new(ProblemKind::Conflict, "the address is verified already"));
        }
        UserMailKind::VerifyEmail => {
            accounts::request_mail(&st, &tenant, &by, &user, accounts::Purpose::Verify).await?
        }
        UserMailKind::ResetPassword => {
            accounts::request_mail(&st, &tenant, &by, &user, accounts::Purpose::Reset).await?
        }
    }
    Ok((StatusCode::ACCEPTED, Json(UserMailView { kind: input.kind, status: "queued" })))
}
