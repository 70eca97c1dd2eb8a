//! The purposes page of a sign-in: what the tenant asks its users to agree to, shown when a
//! required purpose was never granted or a purpose's new version asks everyone again. Continue
//! records each answer in the consent ledger and resumes the authorization; a required purpose
//! left unticked is asked again, and Deny returns `access_denied` to the client.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::id::UserId;
use ciam_core::purpose::Purpose;
use ciam_oauth::ErrorCode;

use super::authorize::{refuse, validated};
use super::consent::decision;
use super::pages::{PurposeChoice, PurposesPage, html};
use super::session::{current_session, finish_flow};
use super::web_flow::{Ctx, flow_expired, flow_step, form_step, query_param, see_other};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr_with};
use crate::services::By;
use crate::services::consents::{self, Channel};
use crate::state::AppState;

/// The signed-in user of a flow and the purposes they must answer about.
async fn pending(ctx: &Ctx, headers: &HeaderMap) -> Result<(UserId, Vec<Purpose>), PageError> {
    let session = current_session(&ctx.st, &ctx.tenant, headers).await?.ok_or_else(flow_expired)?;
    let user = UserId::parse(&session.user_id).map_err(|_| flow_expired())?;
    Ok((user, consents::standing(&ctx.st, &ctx.tenant.id, &user).await?.pending))
}

fn page(ctx: &Ctx, id: &str, csrf: &str, purposes: Vec<PurposeChoice>, error: Option<&str>) -> Response {
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let action = ctx.path("consent/purposes");
    html(status, &PurposesPage { brand: &ctx.brand, purposes, action: &action, flow: id, csrf, error })
}

fn resume(ctx: &Ctx, id: &str) -> Response {
    see_other(&format!("{}?flow={id}", ctx.path("authorize/resume")))
}

/// `GET /t/{tenant}/consent/purposes?flow=…`.
pub(super) async fn purposes_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let (_, pending) = pending(&ctx, &headers).await?;
        if pending.is_empty() {
            return Ok(resume(&ctx, &id));
        }
        let choices = pending.iter().map(|p| PurposeChoice::of(p, false)).collect();
        Ok(page(&ctx, &id, &flow.csrf, choices, None))
    })
    .await
}

/// `POST /t/{tenant}/consent/purposes`: Continue records the answers; Deny refuses the client.
pub(super) async fn purposes_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (client, valid) = validated(&ctx, &flow.query).await?;
        let (user, pending) = pending(&ctx, &headers).await?;
        if !decision(form.get("decision"))? {
            let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
            return Err(refuse(&ctx, &valid, ErrorCode::AccessDenied, "the user did not accept the tenant's terms"));
        }
        let ticked = |p: &Purpose| form.get(&format!("purpose_{}", p.id)) == Some("on");
        if let Some(missing) = pending.iter().find(|p| p.spec.required && !ticked(p)) {
            let choices: Vec<_> = pending.iter().map(|p| PurposeChoice::of(p, ticked(p))).collect();
            let title = choices.iter().find(|c| c.id == missing.id).map(|c| c.title.clone()).unwrap_or_default();
            let m = tr_with(msg!("purposes-required"), &[("title", &title)]);
            return Ok(page(&ctx, &id, &flow.csrf, choices, Some(&m)));
        }
        let answers: Vec<_> = pending.iter().map(|p| (p, ticked(p))).collect();
        let at = Channel { page: "authorize", via_client: Some(&client.client_id) };
        consents::answer(&ctx.st, &By::user(caller, user), &ctx.tenant.id, &user, &answers, at).await?;
        Ok(resume(&ctx, &id))
    })
    .await
}
