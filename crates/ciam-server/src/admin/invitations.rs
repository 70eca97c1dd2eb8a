//! `/admin/v1/tenants/{tenant}/invitations`: invite an address to create its account (create,
//! list, read, withdraw). The link is returned once, in the creation's answer, and mailed unless
//! `send_email` is false; only its hash is stored.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::email::Email;
use ciam_core::invitation::{DEFAULT_LIFETIME_SECS, Invitation, MAX_LIFETIME_SECS};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody, ProblemKind};
use crate::services::{By, invitations};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invitation, list_invitations))
        .routes(routes!(get_invitation, revoke_invitation))
}

/// An invitation to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InvitationInput {
    /// The address invited; the account is created with it, verified.
    #[schema(value_type = String, format = "email", example = "grace@example.com")]
    email: Email,
    /// How long the link works, in seconds (60 to 2592000, i.e. 30 days). Default 604800 (7 days).
    #[serde(default = "default_lifetime")]
    #[schema(minimum = 60, maximum = 2_592_000)]
    expires_in: u64,
    /// Mail the link to the address. Default true; false to deliver it yourself.
    #[serde(default = "yes")]
    send_email: bool,
}

fn default_lifetime() -> u64 {
    DEFAULT_LIFETIME_SECS
}

fn yes() -> bool {
    true
}

/// An invitation (never its link, except in the creation's answer).
#[derive(Serialize, ToSchema)]
pub(super) struct InvitationView {
    /// Stable id.
    id: String,
    /// The address invited.
    #[schema(value_type = String, format = "email")]
    email: Email,
    /// `pending`, `used`, `revoked` or `expired`.
    state: &'static str,
    /// When it was issued (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// When it stops working (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// The account it created, once used.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    /// The link, in the creation's answer only: it cannot be read again.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

impl InvitationView {
    fn of(i: Invitation, now: OffsetDateTime) -> Self {
        Self {
            id: i.id.clone(),
            state: i.state(now).as_str(),
            email: i.email,
            created_at: i.created_at,
            expires_at: i.expires_at,
            user_id: i.user_id.map(|u| u.to_string()),
            url: None,
        }
    }
}

/// Invite an address.
#[utoipa::path(post, path = "/tenants/{tenant}/invitations", extensions(("x-permission" = json!("users:write"))), tag = "invitations",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = InvitationInput,
    responses(
        (status = 201, body = InvitationView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Sign-up is closed, or the address has an account", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_invitation(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let input: InvitationInput = parse(serde_json::Value::Object(body))?;
    if !(60..=MAX_LIFETIME_SECS).contains(&input.expires_in) {
        return Err(Problem::invalid(ciam_core::FieldError::new("expires_in", "must be 60-2592000 seconds")));
    }
    if tenant.settings.signup.mode == ciam_core::signup::SignupMode::Closed {
        return Err(Problem::new(
            ProblemKind::Conflict,
            "sign-up is closed for this tenant: set settings.signup.mode to invite or open first",
        ));
    }
    if st.durable.find_user_by_email(&tenant.id, input.email.normalized()).await?.is_some() {
        return Err(Problem::new(ProblemKind::Conflict, "this address has an account already"));
    }
    let lifetime = Duration::from_secs(input.expires_in);
    let issued =
        invitations::create(&st, &tenant, &By::admin(caller, &admin.0), input.email, lifetime, input.send_email)
            .await?;
    let location = format!("/admin/v1/tenants/{}/invitations/{}", tenant.id, issued.invitation.id);
    let mut view = InvitationView::of(issued.invitation, st.clock.now());
    view.url = Some(issued.url.expose_secret().to_owned());
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)))
}

/// List a tenant's invitations, oldest first.
#[utoipa::path(get, path = "/tenants/{tenant}/invitations", extensions(("x-permission" = json!("users:read"))), tag = "invitations",
    params(("tenant" = String, Path, description = "Tenant id"), ListParams),
    responses(
        (status = 200, body = ListResponse<InvitationView>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_invitations(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<InvitationView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let list = format!("{}/invitations", tenant.id);
    let page = st.durable.list_invitations(&tenant.id, &params.page(&list)?).await?;
    let now = st.clock.now();
    Ok(Json(ListResponse {
        items: page.items.into_iter().map(|i| InvitationView::of(i, now)).collect(),
        next_cursor: cursor(&list, page.next_after),
    }))
}

async fn existing(st: &AppState, tenant: &ciam_core::id::TenantId, id: &str) -> Result<Invitation, Problem> {
    st.durable.get_invitation(tenant, id).await?.ok_or_else(|| Problem::not_found("invitation"))
}

/// Read an invitation.
#[utoipa::path(get, path = "/tenants/{tenant}/invitations/{invitation_id}", extensions(("x-permission" = json!("users:read"))), tag = "invitations",
    params(("tenant" = String, Path, description = "Tenant id"), ("invitation_id" = String, Path, description = "Invitation id")),
    responses(
        (status = 200, body = InvitationView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_invitation(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<InvitationView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(InvitationView::of(existing(&st, &tenant.id, &id).await?, st.clock.now())))
}

/// Withdraw a pending invitation: its link stops working.
#[utoipa::path(delete, path = "/tenants/{tenant}/invitations/{invitation_id}", extensions(("x-permission" = json!("users:write"))), tag = "invitations",
    params(("tenant" = String, Path, description = "Tenant id"), ("invitation_id" = String, Path, description = "Invitation id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Used, withdrawn or expired already", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn revoke_invitation(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let invitation = existing(&st, &tenant.id, &id).await?;
    if invitations::revoke(&st, &tenant, &By::admin(caller, &admin.0), &invitation).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        let state = invitation.state(st.clock.now()).as_str();
        Err(Problem::new(ProblemKind::Conflict, format!("the invitation is {state}, not pending")))
    }
}
