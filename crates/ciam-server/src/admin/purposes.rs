//! `/admin/v1/tenants/{tenant}/purposes`: what the tenant asks its users to agree to (create,
//! list, read, replace, delete, and a report of how many users hold each version);
//! `/admin/v1/tenants/{tenant}/users/{user_id}/consent-history`: a user's consent ledger; and
//! `/admin/v1/tenants/{tenant}/events`: events queued for downstream systems.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::FieldError;
use ciam_core::id::TenantId;
use ciam_core::outbox::OutboxEvent;
use ciam_core::purpose::{ConsentEvent, Purpose, PurposeSpec, VersionCount};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::user_path;
use super::{AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, consents};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_purpose, list_purposes))
        .routes(routes!(get_purpose, replace_purpose, delete_purpose))
        .routes(routes!(purpose_report))
        .routes(routes!(consent_history))
        .routes(routes!(list_events))
}

/// A purpose to create: its id and its settings.
#[derive(serde::Deserialize, ToSchema)]
#[allow(dead_code)] // the schema of the body, which is split into the id and the settings
pub(super) struct PurposeInput {
    /// Id: 1-64 of `a-z 0-9 - _`. Fixed. `terms` and `privacy` are the documents of sign-up.
    #[schema(example = "newsletter")]
    id: String,
    /// The settings.
    #[serde(flatten)]
    spec: PurposeSpec,
}

/// A purpose.
#[derive(Serialize, ToSchema)]
pub(super) struct PurposeView {
    /// Id.
    id: String,
    /// The settings.
    #[serde(flatten)]
    spec: PurposeSpec,
    /// From 1; raised by every change of the texts or the URL.
    version: u32,
    /// SHA-256 (hex) of this version's texts and URL: what a user saw when they answered.
    digest: String,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<Purpose> for PurposeView {
    fn from(p: Purpose) -> Self {
        Self {
            id: p.id,
            spec: p.spec,
            version: p.version,
            digest: p.digest,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

const READ_ONLY: [&str; 4] = ["version", "digest", "created_at", "updated_at"];

fn read_spec(mut body: serde_json::Map<String, Value>) -> Result<PurposeSpec, Problem> {
    for field in READ_ONLY {
        if body.contains_key(field) {
            return Err(Problem::invalid(FieldError::new(field, "is read-only")));
        }
    }
    body.remove("id");
    parse(Value::Object(body))
}

async fn existing(st: &AppState, tenant: &TenantId, id: &str) -> Result<Purpose, Problem> {
    let all = st.durable.list_purposes(tenant).await?;
    all.into_iter().find(|p| p.id == id).ok_or_else(|| Problem::not_found("purpose"))
}

/// Add a consent purpose, at version 1.
#[utoipa::path(post, path = "/tenants/{tenant}/purposes", extensions(("x-permission" = json!("privacy:write"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = PurposeInput,
    responses(
        (status = 201, body = PurposeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_purpose(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let id = match body.get("id") {
        Some(Value::String(id)) => id.clone(),
        _ => return Err(Problem::invalid(FieldError::new("id", "must be 1-64 of a-z, 0-9, - and _"))),
    };
    let spec = read_spec(body)?;
    let p = consents::create_purpose(&st, &By::admin(caller, &admin.0), &tenant.id, &id, spec).await?;
    let location = format!("/admin/v1/tenants/{}/purposes/{}", tenant.id, p.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(PurposeView::from(p))))
}

/// List a tenant's consent purposes by id.
#[utoipa::path(get, path = "/tenants/{tenant}/purposes", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = Vec<PurposeView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_purposes(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<PurposeView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(st.durable.list_purposes(&tenant.id).await?.into_iter().map(PurposeView::from).collect()))
}

/// Read a consent purpose.
#[utoipa::path(get, path = "/tenants/{tenant}/purposes/{purpose_id}", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("purpose_id" = String, Path, description = "Purpose id")),
    responses(
        (status = 200, body = PurposeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_purpose(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<PurposeView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(existing(&st, &tenant.id, &id).await?.into()))
}

/// Replace a purpose's settings. Changed texts or URL make a new version; with `ask_again`,
/// every user is asked about it at their next sign-in.
#[utoipa::path(put, path = "/tenants/{tenant}/purposes/{purpose_id}", extensions(("x-permission" = json!("privacy:write"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("purpose_id" = String, Path, description = "Purpose id")),
    request_body = PurposeSpec,
    responses(
        (status = 200, body = PurposeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn replace_purpose(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<Json<PurposeView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if body.get("id").is_some_and(|v| v.as_str() != Some(id.as_str())) {
        return Err(Problem::invalid(FieldError::new("id", "is fixed")));
    }
    let spec = read_spec(body)?;
    let p = consents::update_purpose(&st, &By::admin(caller, &admin.0), &tenant.id, &id, spec).await?;
    Ok(Json(p.ok_or_else(|| Problem::not_found("purpose"))?.into()))
}

/// Delete a purpose. Users' answers about it stay in their consent history.
#[utoipa::path(delete, path = "/tenants/{tenant}/purposes/{purpose_id}", extensions(("x-permission" = json!("privacy:write"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("purpose_id" = String, Path, description = "Purpose id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_purpose(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if consents::delete_purpose(&st, &By::admin(caller, &admin.0), &tenant.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("purpose"))
    }
}

/// How many users hold each version of a purpose.
#[derive(Serialize, ToSchema)]
pub(super) struct PurposeReport {
    /// The purpose.
    purpose: String,
    /// Its current version.
    current_version: u32,
    /// For each version users answered at: how many users' latest answer granted it, and how
    /// many withdrew or declined it.
    versions: Vec<VersionCount>,
}

/// Report how many users hold each version of a purpose.
#[utoipa::path(get, path = "/tenants/{tenant}/purposes/{purpose_id}/report", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("purpose_id" = String, Path, description = "Purpose id")),
    responses(
        (status = 200, body = PurposeReport),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn purpose_report(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<PurposeReport>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let purpose = existing(&st, &tenant.id, &id).await?;
    let versions = st.durable.purpose_report(&tenant.id, &id).await?;
    Ok(Json(PurposeReport { purpose: purpose.id, current_version: purpose.version, versions }))
}

/// List a user's consent history, oldest first: every purpose and app consent granted or
/// withdrawn, with where and from which address.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/consent-history", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"), ListParams),
    responses(
        (status = 200, body = ListResponse<ConsentEvent>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn consent_history(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<ConsentEvent>>, Problem> {
    let (tenant, user) = user_path(&st, &tenant, &user).await?;
    let list = format!("{tenant}/users/{user}/consent-history");
    let page = st.durable.consent_history(&tenant, &user, &params.page(&list)?).await?;
    Ok(Json(ListResponse { items: page.items, next_cursor: cursor(&list, page.next_after) }))
}

/// List the events queued for downstream systems (consent withdrawals, erasures), oldest first.
#[utoipa::path(get, path = "/tenants/{tenant}/events", extensions(("x-permission" = json!("privacy:read"))), tag = "privacy",
    params(("tenant" = String, Path, description = "Tenant id"), ListParams),
    responses(
        (status = 200, body = ListResponse<OutboxEvent>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_events(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<OutboxEvent>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let list = format!("{}/events", tenant.id);
    let page = st.durable.list_outbox_events(&tenant.id, &params.page(&list)?).await?;
    Ok(Json(ListResponse { items: page.items, next_cursor: cursor(&list, page.next_after) }))
}
