//! `/t/{tenant}/account/sessions`: where the user is signed in (this browser marked), and
//! signing out one other session or all the others. A session ended here is gone from the
//! session store at once: its browser is signed out on its next request. Audited
//! `session.ended`, by the user.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::views::{Nav, SessionRow, SessionsPage, browser_words, sign_in_words, when_unix};
use super::{Need, confirm_link, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr};
use crate::oidc::pages::html;
use crate::oidc::web_flow::see_other;
use crate::services::sessions::{Which, end_user_sessions, user_sessions};
use crate::services::{By, ServiceError};
use crate::state::AppState;

const PAGE: &str = "account/sessions";

/// `GET /t/{tenant}/account/sessions`.
pub(in crate::oidc) async fn sessions_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said =
        notice(query.as_deref(), &[("ended", msg!("sessions-ended")), ("ended-others", msg!("sessions-ended-others"))]);
    h.ctx
        .branded(async {
            let live = user_sessions(&h.ctx.st, &h.ctx.ns, &h.session.user_id).await.map_err(ServiceError::Sessions)?;
            let mut rows: Vec<SessionRow> = live
                .into_iter()
                .map(|(_, s)| SessionRow {
                    this_device: s.sid == h.session.sid,
                    browser: s.user_agent.as_deref().and_then(browser_words).unwrap_or_else(|| tr(msg!("browser-any"))),
                    started: when_unix(s.started()),
                    last_active: when_unix(s.last_used()),
                    method: sign_in_words(&s.amr, &s.acr),
                    sid: s.sid,
                })
                .collect();
            // This device first.
            rows.sort_by_key(|r| !r.this_device);
            let others = rows.iter().filter(|r| !r.this_device).count();
            let base = h.ctx.path(PAGE);
            Ok(html(
                StatusCode::OK,
                &SessionsPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    base: &base,
                    csrf: &h.session.csrf,
                    sessions: rows,
                    others,
                    confirm: confirm_link(&h, PAGE).await?,
                    notice: said.as_deref(),
                },
            ))
        })
        .await
}

/// `POST /t/{tenant}/account/sessions/end`: signs out one other session (`session`, its public id).
pub(in crate::oidc) async fn sessions_end(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let sid = form.get("session").unwrap_or("");
            if sid == h.session.sid {
                return Err(PageError::bad_request(msg!("sessions-use-sign-out")));
            }
            let by = By::user(caller, h.user.id);
            if end_user_sessions(&h.ctx.st, &by, &h.ctx.tenant, &h.user.id, Which::One(sid)).await? == 0 {
                return Err(PageError::new(StatusCode::NOT_FOUND, msg!("sessions-gone")));
            }
            Ok(see_other(&format!("{}?done=ended", h.ctx.path(PAGE))))
        })
        .await
}

/// `POST /t/{tenant}/account/sessions/end-others`: signs out every session but this one.
pub(in crate::oidc) async fn sessions_end_others(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, _) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let by = By::user(caller, h.user.id);
            end_user_sessions(&h.ctx.st, &by, &h.ctx.tenant, &h.user.id, Which::AllBut(&h.session.sid)).await?;
            Ok(see_other(&format!("{}?done=ended-others", h.ctx.path(PAGE))))
        })
        .await
}
