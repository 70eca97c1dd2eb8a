//! `GET /admin/v1/tenants/{tenant}/users:export`: every user of a tenant as NDJSON, one user per
//! line in the import's format (`users:import` takes the file back), streamed page by page.
//!
//! - A line has `email`, `email_verified`, `status`, the profile claims and, when an import
//!   recorded one, `external_id`.
//! - Password hashes only with `?password_hashes=true`: the argon2id hash of a user who has
//!   signed in since the import, else the hash they were imported with. The export is audited
//!   (`user.exported`), saying whether hashes were in it.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ciam_core::page::PageRequest;
use ciam_core::tenant::Tenant;
use ciam_core::user::User;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, Path, Query, existing_tenant};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, users};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_users))
}

/// What the export contains.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportParams {
    /// Include each user's password hash (default false). Audited either way.
    #[serde(default)]
    password_hashes: bool,
}

/// Export a tenant's users as NDJSON, in the import's format.
#[utoipa::path(get, path = "/tenants/{tenant}/users:export", extensions(("x-permission" = json!("users:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ExportParams),
    responses(
        (status = 200, content_type = "application/x-ndjson",
         description = "One user per line: `email`, `email_verified`, `status`, profile claims, `external_id` \
                        and, when asked, `password_hash`.", body = String),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn export_users(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ExportParams>,
    caller: Caller,
) -> Result<Response, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    users::exported(&st, &By::admin(caller, &admin.0), &tenant.id, params.password_hashes).await?;
    let (lines, out) = mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        if let Err(e) = write(&st, &tenant, params.password_hashes, &lines).await {
            tracing::warn!(tenant = %tenant.id, error = %e, "a user export stopped early");
        }
    });
    let stream = futures_util::stream::unfold(out, |mut out| async move {
        out.recv().await.map(|line| (Ok::<_, Infallible>(line), out))
    });
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response())
}

/// Writes every user of `tenant` to `lines`, page by page; stops when nobody reads any more.
async fn write(st: &AppState, tenant: &Tenant, hashes: bool, lines: &mpsc::Sender<Bytes>) -> anyhow::Result<()> {
    let mut page = PageRequest { limit: 200, after: None };
    loop {
        let users = st.durable.list_users(&tenant.id, &page).await?;
        for user in &users.items {
            let mut line = line_of(st, user, hashes).await?.to_string().into_bytes();
            line.push(b'\n');
            lines.send(Bytes::from(line)).await?;
        }
        match users.next_after {
            Some(after) => page.after = Some(after),
            None => return Ok(()),
        }
    }
}

/// One user as a line of the import's format.
async fn line_of(st: &AppState, user: &User, hashes: bool) -> anyhow::Result<Value> {
    let mut line = match serde_json::to_value(&user.profile)? {
        Value::Object(claims) => claims,
        _ => serde_json::Map::new(),
    };
    line.insert("email".into(), user.email.as_str().into());
    line.insert("email_verified".into(), user.email_verified.into());
    line.insert("status".into(), user.status.as_str().into());
    if let Some(external) = st.durable.external_id(&user.tenant_id, &user.id).await? {
        line.insert("external_id".into(), external.into());
    }
    let links = st.durable.list_user_identities(&user.tenant_id, &user.id).await?;
    if !links.is_empty() {
        let links: Vec<Value> =
            links.into_iter().map(|l| serde_json::json!({"provider": l.provider_id, "subject": l.subject})).collect();
        line.insert("identities".into(), links.into());
    }
    if hashes && let Some(hash) = st.durable.password_hash(&user.tenant_id, &user.id).await? {
        line.insert("password_hash".into(), hash.as_str().into());
    }
    Ok(Value::Object(line))
}
