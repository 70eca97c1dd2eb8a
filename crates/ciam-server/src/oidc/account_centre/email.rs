//! `/t/{tenant}/account/email`: moving the account to a new address, which the user proves with
//! a link mailed to it; the old address is told once the change is made.
//!
//! # Security
//! - Asking needs a recent sign-in at the account's level (a sensitive change); the change
//!   itself needs the link mailed to the new address (24 hours, once, kept hashed), so an address
//!   nobody can read never becomes an account's sign-in address.
//! - An address that has another account gets no mail and the page answers the same.
//! - The old address is told (with the new one mostly hidden), so a hijack does not go unseen.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::signup::AddressRefusal;

use super::views::Field;
use super::{Need, form_of};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::oidc::pages::{MessagePage, html, mailed_link};
use crate::oidc::web_flow::{Ctx, see_other};
use crate::services::{By, accounts};
use crate::state::AppState;

const PAGE: &str = "account/profile";

/// `POST /t/{tenant}/account/email`: mails a link to the new address.
pub(in crate::oidc) async fn email_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let typed = form.get("new_email").unwrap_or("").trim().to_owned();
            let refuse = |message: String| Field { value: typed.chars().take(254).collect(), error: Some(message) };
            let fields = super::profile::stored_fields(&h);
            let email = match Email::parse(&typed) {
                Err(_) => Err(msg!("error-invalid-email")),
                Ok(e) if e.normalized() == h.user.email.normalized() => Err(msg!("email-change-same")),
                Ok(e) => match h.ctx.tenant.settings.signup.check_address(&e) {
                    Err(AddressRefusal::NotAscii) => Err(msg!("signup-not-ascii")),
                    Err(AddressRefusal::Domain) => Err(msg!("email-change-domain-refused")),
                    Ok(()) => Ok(e),
                },
            };
            let email = match email {
                Ok(email) => email,
                Err(problem) => {
                    let field = refuse(tr(problem));
                    return super::profile::page(&h, fields, field, None, StatusCode::BAD_REQUEST).await;
                }
            };
            if !crate::oidc::email_sign_in::mail_allowed(&h.ctx.st, &h.ctx.ns, email.normalized()).await? {
                let field = refuse(tr(msg!("recover-mail-limit")));
                return super::profile::page(&h, fields, field, None, StatusCode::TOO_MANY_REQUESTS).await;
            }
            accounts::request_email_change(&h.ctx.st, &h.ctx.tenant, &h.user, &email, crate::i18n::current()).await?;
            Ok(see_other(&format!("{}?done=email_sent", h.ctx.path(PAGE))))
        })
        .await
}

/// `GET /t/{tenant}/account/email/confirm?user=…&token=…`: the mailed link opens a page with a
/// button (a mail scanner that follows links changes nothing).
pub(in crate::oidc) async fn confirm_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    let intro = tr_with(msg!("verify-intro"), &[("tenant", &ctx.brand.name)]);
    let (title, submit) = (msg!("verify-title"), msg!("verify-submit"));
    Ok(mailed_link(&ctx, "account/email/confirm", query.as_deref(), title, &intro, submit))
}

/// `POST /t/{tenant}/account/email/confirm`: makes the change the link was mailed for.
pub(in crate::oidc) async fn confirm_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form =
            ciam_oauth::form::Params::parse(&body).map_err(|_| PageError::bad_request(msg!("error-invalid-form")))?;
        let gone = || PageError::bad_request(msg!("email-change-link-gone"));
        let id = form.get("user").and_then(|u| UserId::parse(u).ok()).ok_or_else(gone)?;
        let user = ctx.st.durable.get_user(&ctx.tenant.id, &id).await?.ok_or_else(gone)?;
        let by = By::user(caller, user.id);
        let token = form.get("token").unwrap_or("");
        let changed =
            match accounts::confirm_email_change(&ctx.st, &ctx.tenant, &by, &user, token, crate::i18n::current()).await
            {
                Ok(changed) => changed.ok_or_else(gone)?,
                Err(crate::services::ServiceError::Store(ciam_core::store::StoreError::Conflict { .. })) => {
                    return Err(PageError::new(StatusCode::CONFLICT, msg!("email-change-taken")));
                }
                Err(e) => return Err(e.into()),
            };
        let message = tr_with(msg!("email-change-changed"), &[("email", changed.email.as_str())]);
        let (title, back) = (tr(msg!("email-change-changed-title")), tr(msg!("email-change-back-to-profile")));
        let link = ctx.path("account/profile");
        Ok(html(
            StatusCode::OK,
            &MessagePage { brand: &ctx.brand, title: &title, message: &message, link: Some((&link, &back)) },
        ))
    })
    .await
}
