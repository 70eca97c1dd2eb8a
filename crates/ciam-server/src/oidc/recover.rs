//! Account recovery: "Forgot password?" on the sign-in page, the reset mail, and the page that
//! sets the new password.
//!
//! # Security
//! - The request page answers the same whether or not the address has an account, after the
//!   same work (see `services::accounts`); mails per address and requests per network are limited.
//! - The mailed link works once, for 30 minutes, and is kept hashed. Following it moves the user
//!   to a page of a flow bound to this browser, so the token leaves the address bar at once; it
//!   is used up when the new password is set.
//! - A reset does not bypass a second factor: an account with an authenticator app, recovery
//!   codes or a passkey gives one before the new password takes effect.
//! - Setting the password ends every session and refresh token of the user, verifies the
//!   address (the link proved it), is recorded (`user.password_reset`) and the user told by mail.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::user::{User, UserStatus};
use ciam_core::{Acr, Amr};
use serde::{Deserialize, Serialize};

use super::email_sign_in::mail_allowed;
use super::pages::{MessagePage, NewPasswordPage, RecoverPage, html};
use super::session::{Flow, load_flow, save_flow};
use super::signin::{FirstFactor, Pending, first_factor_passed};
use super::signup::{account_flow, password_rules};
use super::web_flow::{Ctx, flow_step, form_step, query_param, see_other};
use crate::audit::Caller;
use crate::error::{HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{self, msg, tr, tr_with};
use crate::services::accounts::{self, Presented, Purpose};
use crate::services::throttle::{self, Attempt};
use crate::services::{By, ServiceError, users};
use crate::state::AppState;

/// A reset whose mailed link opened the flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Recovering {
    pub(crate) user_id: String,
    /// The hash of the link's token (the token is never stored).
    pub(crate) link: String,
}

/// Reset requests from one network per hour.
const PER_NETWORK_PER_HOUR: u64 = 30;

fn link_gone() -> PageError {
    PageError::bad_request(msg!("recover-link-gone"))
}

fn recover_page(ctx: &Ctx, id: &str, flow: &Flow, email: &str, error: Option<&str>, status: StatusCode) -> Response {
    html(
        status,
        &RecoverPage {
            brand: &ctx.brand,
            action: &ctx.path("recover"),
            back: &format!("{}?flow={id}", ctx.path("login")),
            flow: id,
            csrf: &flow.csrf,
            email,
            error,
        },
    )
}

/// `GET /t/{tenant}/recover?flow=…`: the "forgot password" form (a flow is started when the
/// page is opened on its own, as from the mail telling someone tried to sign up).
pub(super) async fn recover_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(flow_id) = query_param(query.as_deref(), "flow") else {
        let ctx = Ctx::load(st, &tenant).await?;
        return ctx.branded(account_flow(&ctx, "recover", |_| {})).await;
    };
    let (ctx, id, flow) = flow_step(st, &tenant, Some(&flow_id), &headers).await?;
    Ok(recover_page(&ctx, &id, &flow, "", None, StatusCode::OK))
}

/// `POST /t/{tenant}/recover`: mails a reset link if the address has an active account; the
/// answer is the same either way.
pub(super) async fn recover_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let typed = form.get("email").unwrap_or("").trim().to_owned();
        let Ok(email) = Email::parse(&typed) else {
            let m = &tr(msg!("error-invalid-email"));
            return Ok(recover_page(&ctx, &id, &flow, &typed, Some(m), StatusCode::BAD_REQUEST));
        };
        if throttle::network_over_hourly_limit(&ctx.st, &ctx.ns, "recover", caller.addr(), PER_NETWORK_PER_HOUR).await?
        {
            let m = &tr(msg!("recover-too-many"));
            let page = recover_page(&ctx, &id, &flow, &typed, Some(m), StatusCode::TOO_MANY_REQUESTS);
            return Ok(HoldOff::after(throttle::HOUR).page(page));
        }
        if !mail_allowed(&ctx.st, &ctx.ns, email.normalized()).await? {
            let m = &tr(msg!("recover-mail-limit"));
            return Ok(recover_page(&ctx, &id, &flow, &typed, Some(m), StatusCode::TOO_MANY_REQUESTS));
        }
        let user = ctx.st.durable.find_user_by_email(&ctx.tenant.id, email.normalized()).await?;
        let user = user.filter(|u| u.status == UserStatus::Active);
        accounts::send_reset(&ctx.st, &ctx.tenant, user.as_ref(), &email, Some(&id), i18n::current()).await?;
        tracing::info!(tenant = %ctx.tenant.id, "password reset requested");
        let message = tr_with(msg!("recover-sent"), &[("email", email.as_str())]);
        let title = tr(msg!("check-email-title"));
        Ok(html(StatusCode::OK, &MessagePage { brand: &ctx.brand, title: &title, message: &message, link: None }))
    })
    .await
}

/// The user a reset link names, if the link is right and live (not used up).
async fn linked_user(ctx: &Ctx, user: &str, token: &str) -> Result<Option<(User, accounts::MailProof)>, PageError> {
    let Ok(id) = UserId::parse(user) else { return Ok(None) };
    let Some(user) = ctx.st.durable.get_user(&ctx.tenant.id, &id).await? else { return Ok(None) };
    if user.status != UserStatus::Active {
        return Ok(None);
    }
    let proof = accounts::check(&ctx.st, &ctx.tenant, Purpose::Reset, &user, Presented::Link(token), false).await?;
    Ok(proof.map(|p| (user, p)))
}

/// `GET /t/{tenant}/recover/reset?user=…&token=…`: the mailed link. It continues the flow it
/// was asked from when this browser holds it, or starts one for the account pages, and moves
/// on to the new-password page.
pub(super) async fn reset_link(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let user = query_param(query.as_deref(), "user").unwrap_or_default();
        let token = query_param(query.as_deref(), "token").unwrap_or_default();
        let (user, proof) = linked_user(&ctx, &user, &token).await?.ok_or_else(link_gone)?;
        let recovering = Recovering { user_id: user.id.to_string(), link: SecretHash::of(&token).as_str().to_owned() };
        let held = match proof.flow.as_deref() {
            Some(id) => load_flow(&ctx.st, &ctx.tenant, id, &headers).await?.map(|f| (id.to_owned(), f)),
            None => None,
        };
        let next = |id: &str| see_other(&format!("{}?flow={id}", ctx.path("recover/password")));
        if let Some((id, mut flow)) = held {
            flow.recovering = Some(recovering);
            save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
            return Ok(next(&id));
        }
        account_flow(&ctx, "recover/password", |flow| flow.recovering = Some(recovering)).await
    })
    .await
}

/// The user of a flow opened by a reset link.
async fn recovering_user(ctx: &Ctx, flow: &Flow) -> Result<(User, Recovering), PageError> {
    let r = flow.recovering.clone().ok_or_else(link_gone)?;
    let id = UserId::parse(&r.user_id).map_err(|_| link_gone())?;
    let user = ctx.st.durable.get_user(&ctx.tenant.id, &id).await?.ok_or_else(link_gone)?;
    Ok((user, r))
}

/// Whether the user has an authenticator of their own (a second factor the reset must ask for).
async fn has_second_factor(ctx: &Ctx, user: &User) -> Result<bool, PageError> {
    Ok(!ctx.st.durable.list_factors(&ctx.tenant.id, &user.id).await?.is_empty())
}

fn password_page(
    ctx: &Ctx,
    id: &str,
    flow: &Flow,
    user: &User,
    second_factor: bool,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    html(
        status,
        &NewPasswordPage {
            brand: &ctx.brand,
            action: &ctx.path("recover/password"),
            flow: id,
            csrf: &flow.csrf,
            email: user.email.as_str(),
            password_rules: &password_rules(ctx),
            password_min: ctx.tenant.settings.login.password_min_length,
            second_factor,
            error,
        },
    )
}

/// `GET /t/{tenant}/recover/password?flow=…`: "New password".
pub(super) async fn password_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let (user, _) = recovering_user(&ctx, &flow).await?;
        let second = has_second_factor(&ctx, &user).await?;
        Ok(password_page(&ctx, &id, &flow, &user, second, None, StatusCode::OK))
    })
    .await
}

/// `POST /t/{tenant}/recover/password`: checks and hashes the new password, uses up the link,
/// and sets the password, after the second factor when the account has one.
pub(super) async fn password_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (user, recovering) = recovering_user(&ctx, &flow).await?;
        let second = has_second_factor(&ctx, &user).await?;
        let password = Secret::new(form.take("password").unwrap_or_default());
        let hash = match users::hash_password(&ctx.st, &ctx.tenant, Some(password)).await {
            Ok(Some(h)) => h,
            Ok(None) => return Err(link_gone()),
            Err(ServiceError::Invalid(e)) => {
                let m = super::signup::password_refused(&ctx, &e);
                return Ok(password_page(&ctx, &id, &flow, &user, second, Some(&m), StatusCode::BAD_REQUEST));
            }
            Err(e) => return Err(e.into()),
        };
        let presented = Presented::LinkHash(&recovering.link);
        if accounts::check(&ctx.st, &ctx.tenant, Purpose::Reset, &user, presented, true).await?.is_none() {
            return Err(link_gone());
        }
        flow.recovering = None;
        if second {
            // The new password waits in the flow for the second factor (email does not count:
            // the reset link came by email).
            flow.new_password = Some(hash);
            flow.pending = Some(Pending {
                user_id: user.id.to_string(),
                amr: vec![Amr::Pwd],
                required: Acr::MultiFactor,
                auth_time: ctx.st.clock.now().unix_timestamp(),
                no_email: true,
            });
            save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
            tracing::info!(tenant = %ctx.tenant.id, user = %user.id, "password reset waits for the second factor");
            return Ok(see_other(&format!("{}?flow={id}", ctx.path("mfa"))));
        }
        let by = By::user(caller.clone(), user.id);
        accounts::reset_password(&ctx.st, &ctx.tenant, &by, &user, &hash, i18n::current()).await?;
        let attempt = Attempt::new(&ctx.st, &ctx.ns, user.email.normalized(), caller.addr());
        first_factor_passed(FirstFactor {
            ctx: &ctx,
            caller: &caller,
            headers: &headers,
            flow_id: &id,
            flow,
            user_id: user.id,
            amr: vec![Amr::Pwd],
            attempt: &attempt,
        })
        .await
    })
    .await
}
