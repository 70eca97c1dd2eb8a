//! `/admin/v1/tenants/{tenant}/audit`: the tenant's audit trail, filtered and paginated, and the
//! same as JSON lines for export. Events are read-only here; `ciam audit verify` checks the
//! hash chain. Personal fields are opened for the reader; an erased user's events carry
//! `personal_data: erased` instead (see `docs/privacy.md`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::FieldError;
use ciam_core::audit::{AuditEvent, AuditFilter};
use ciam_core::page::PageRequest;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, ListParams, ListResponse, Path, Query, cursor, existing_tenant};
use crate::error::{Problem, ProblemBody};
use crate::services::privacy_keys;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(query_audit)).routes(routes!(export_audit))
}

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditParams {
    /// Events about this user.
    user: Option<String>,
    /// Events where this agent or client acted: as the caller or anywhere in the actor chain.
    agent: Option<String>,
    /// The same filter under the name a client's developer looks for: events where this client
    /// (or agent) acted, including refused attempts under a client id that does not exist.
    client: Option<String>,
    /// Events of this type (`token.exchanged`, `delegation.revoked`, …).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    event_type: Option<String>,
    /// At or after this time (RFC 3339).
    since: Option<String>,
    /// Before this time (RFC 3339).
    until: Option<String>,
    /// Items per page, 1-200 (default 50).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn millis(field: &'static str, v: Option<&str>) -> Result<Option<i64>, Problem> {
    v.map(|s| {
        OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
            .map_err(|_| Problem::bad_field(FieldError::new(field, "must be an RFC 3339 time")))
    })
    .transpose()
}

impl AuditParams {
    fn filter(&self) -> Result<AuditFilter, Problem> {
        let agent_id = match (&self.agent, &self.client) {
            (Some(a), Some(c)) if a != c => {
                return Err(Problem::bad_field(FieldError::new("client", "names another client than agent")));
            }
            (a, c) => a.clone().or_else(|| c.clone()),
        };
        Ok(AuditFilter {
            user_id: self.user.clone(),
            subject: None,
            agent_id,
            event_type: self.event_type.clone(),
            since_ms: millis("since", self.since.as_deref())?,
            until_ms: millis("until", self.until.as_deref())?,
        })
    }
}

/// Query the audit trail, oldest first.
#[utoipa::path(get, path = "/tenants/{tenant}/audit", extensions(("x-permission" = json!("audit:read"))), tag = "audit",
    params(("tenant" = String, Path, description = "Tenant id"), AuditParams),
    responses(
        (status = 200, body = ListResponse<AuditEvent>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn query_audit(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<AuditParams>,
) -> Result<Json<ListResponse<AuditEvent>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let filter = params.filter()?;
    let list = format!("{}/audit", tenant.id);
    let page = ListParams { limit: params.limit, cursor: params.cursor.clone() }.page(&list)?;
    let found = privacy_keys::read_audit(&st, &tenant.id, filter, &page).await?;
    Ok(Json(ListResponse { items: found.items, next_cursor: cursor(&list, found.next_after) }))
}

/// Export the matching events as JSON lines (`application/x-ndjson`), one event per line,
/// oldest first. The export holds every match: `limit` and `cursor` are refused.
#[utoipa::path(get, path = "/tenants/{tenant}/audit/export", extensions(("x-permission" = json!("audit:read"))), tag = "audit",
    params(("tenant" = String, Path, description = "Tenant id"), AuditParams),
    responses(
        (status = 200, description = "One JSON event per line", content_type = "application/x-ndjson", body = String),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn export_audit(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<AuditParams>,
) -> Result<Response, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    for (field, given) in [("limit", params.limit.is_some()), ("cursor", params.cursor.is_some())] {
        if given {
            return Err(Problem::bad_field(FieldError::new(field, "an export holds every match; it is not paginated")));
        }
    }
    let filter = params.filter()?;
    let mut out = Vec::new();
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
    loop {
        let found = privacy_keys::read_audit(&st, &tenant.id, filter.clone(), &page).await?;
        for e in &found.items {
            serde_json::to_writer(&mut out, e).map_err(Problem::internal)?;
            out.push(b'\n');
        }
        match found.next_after {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"))], out).into_response())
}
