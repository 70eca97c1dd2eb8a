//! `/t/{tenant}/account/privacy`: the user's consents to the tenant's purposes, each granted or
//! withdrawn with one click (only what rests on consent may be withdrawn; what the service
//! needs to run ends with the account), and "Download my data": the export is prepared in the
//! background and offered by a single-use link.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

use super::views::{Nav, PrivacyPage, PurposeRow, when};
use super::{Need, confirm_link, form_of, holder};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::oidc::pages::{MessagePage, PurposeChoice, html, mailed_link};
use crate::oidc::session::{BrowserCookie, set_cookie};
use crate::oidc::web_flow::{query_param, see_other, with_cookie};
use crate::services::By;
use crate::services::consents::{self, Channel};
use crate::services::privacy::{self, Deletion};
use crate::state::AppState;

const PAGE: &str = "account/privacy";

/// `GET /t/{tenant}/account/privacy`.
pub(in crate::oidc) async fn privacy(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let all = consents::purposes(st, tenant).await?;
            let answers = st.durable.purpose_consents(tenant, &h.user.id).await?;
            let purposes = all
                .iter()
                .map(|p| {
                    let state = answers.iter().find(|a| a.purpose == p.id);
                    let granted = p.granted_by(state);
                    let status = match state {
                        Some(s) if granted => tr_with(
                            msg!("privacy-granted"),
                            &[("date", &when(s.at)), ("version", &s.version.to_string())],
                        ),
                        _ => tr(msg!("privacy-declined")),
                    };
                    PurposeRow {
                        choice: PurposeChoice::of(p, granted),
                        status,
                        withdrawable: p.spec.legal_basis.withdrawable(),
                    }
                })
                .collect();
            let action = format!("{}/consent", h.ctx.path(PAGE));
            let export_action = format!("{}/export", h.ctx.path(PAGE));
            let delete_action = format!("{}/delete", h.ctx.path(PAGE));
            let export = privacy::export_state(st, &h.ctx.tenant, &h.user.id).await?;
            let export_ready =
                export.as_ref().and_then(|e| e.token.as_ref()).map(|t| format!("{export_action}?token={t}"));
            Ok(html(
                StatusCode::OK,
                &PrivacyPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    action: &action,
                    csrf: &h.session.csrf,
                    purposes,
                    export_action: &export_action,
                    delete_action: &delete_action,
                    export_pending: export.as_ref().is_some_and(|e| e.token.is_none()),
                    export_ready,
                    confirm: confirm_link(&h, PAGE).await?,
                },
            ))
        })
        .await
}

/// `POST /t/{tenant}/account/privacy/consent`: grants or withdraws one purpose.
pub(in crate::oidc) async fn privacy_consent(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Session).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let all = consents::purposes(st, tenant).await?;
            let purpose = all
                .iter()
                .find(|p| Some(p.id.as_str()) == form.get("purpose"))
                .ok_or_else(|| PageError::bad_request(msg!("error-invalid-form")))?;
            let grant = match form.get("decision") {
                Some("grant") => true,
                Some("withdraw") if purpose.spec.legal_basis.withdrawable() => false,
                _ => return Err(PageError::bad_request(msg!("error-invalid-form"))),
            };
            let at = Channel { page: "account", via_client: None };
            consents::answer(st, &By::user(caller, h.user.id), tenant, &h.user.id, &[(purpose, grant)], at).await?;
            Ok(see_other(&h.ctx.path(PAGE)))
        })
        .await
}

/// `POST /t/{tenant}/account/privacy/export` (a recent sign-in): starts preparing the user's
/// data; the page offers it once ready.
pub(in crate::oidc) async fn export_start(
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
            privacy::start_export(&h.ctx.st, &By::user(caller, h.user.id), &h.ctx.tenant, &h.user).await?;
            Ok(see_other(&h.ctx.path(PAGE)))
        })
        .await
}

/// `GET /t/{tenant}/account/privacy/export?token=…`: the user's data, once.
pub(in crate::oidc) async fn export_download(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let token = query_param(query.as_deref(), "token").unwrap_or_default();
            let gone = || PageError::new(StatusCode::NOT_FOUND, msg!("privacy-export-gone"));
            let bytes = privacy::take_export(&h.ctx.st, &h.ctx.tenant, &h.user.id, &token).await?.ok_or_else(gone)?;
            let name = format!("attachment; filename=\"{}-my-data.json\"", h.ctx.tenant.id);
            Ok((
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                ],
                bytes,
            )
                .into_response())
        })
        .await
}

/// `POST /t/{tenant}/account/privacy/delete` (a recent sign-in, the confirmation ticked): erases
/// the account (at once, or disabled now and erased after the tenant's grace period) and signs
/// the browser out.
pub(in crate::oidc) async fn delete_account(
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
            if form.get("confirm") != Some("on") {
                return Err(PageError::bad_request(msg!("privacy-delete-confirm-required")));
            }
            let by = By::user(caller, h.user.id);
            let message = match privacy::delete_account(&h.ctx.st, &by, &h.ctx.tenant, &h.user).await? {
                Deletion::Erased => tr_with(msg!("privacy-deleted"), &[("tenant", &h.ctx.brand.name)]),
                Deletion::Scheduled(due) => tr_with(
                    msg!("privacy-deletion-scheduled"),
                    &[("tenant", &h.ctx.brand.name), ("date", &due.date().to_string())],
                ),
            };
            let clear = set_cookie(&h.ctx.st, &h.ctx.tenant.id, BrowserCookie::Session, None, Duration::ZERO);
            let page = MessagePage {
                brand: &h.ctx.brand,
                title: &tr(msg!("privacy-deleted-title")),
                message: &message,
                link: None,
            };
            Ok(with_cookie(html(StatusCode::OK, &page), clear))
        })
        .await
}

/// `GET /t/{tenant}/account/keep?user=…&token=…`: the link mailed when "Delete my account"
/// started the tenant's grace period opens a page with the button that keeps the account.
pub(in crate::oidc) async fn keep_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let ctx = crate::oidc::web_flow::Ctx::load(st, &tenant).await?;
    let intro = tr_with(msg!("keep-intro"), &[("tenant", &ctx.brand.name)]);
    Ok(mailed_link(&ctx, "account/keep", query.as_deref(), msg!("keep-title"), &intro, msg!("keep-submit")))
}

/// `POST /t/{tenant}/account/keep`: uses the link (once): the waiting erasure is cancelled and
/// the account enabled again (audited `user.erasure_cancelled`, by the user).
pub(in crate::oidc) async fn keep_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = crate::oidc::web_flow::Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form =
            ciam_oauth::form::Params::parse(&body).map_err(|_| PageError::bad_request(msg!("error-invalid-form")))?;
        let gone = || PageError::bad_request(msg!("keep-link-gone"));
        let id = form.get("user").and_then(|u| ciam_core::id::UserId::parse(u).ok()).ok_or_else(gone)?;
        let user = ctx.st.durable.get_user(&ctx.tenant.id, &id).await?.ok_or_else(gone)?;
        let by = By::user(caller, user.id);
        let token = form.get("token").unwrap_or("");
        if !privacy::keep_account(&ctx.st, &by, &ctx.tenant, &user, token).await? {
            return Err(gone());
        }
        let (title, message) = (tr(msg!("kept-title")), tr_with(msg!("kept-message"), &[("tenant", &ctx.brand.name)]));
        let (link, sign_in) = (ctx.path("account"), tr(msg!("kept-sign-in")));
        let page = MessagePage { brand: &ctx.brand, title: &title, message: &message, link: Some((&link, &sign_in)) };
        Ok(html(StatusCode::OK, &page))
    })
    .await
}
