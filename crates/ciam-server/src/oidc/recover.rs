//! Account recovery: "Forgot password?" on the sign-in page, the reset mail, and the page the
//! mailed link opens: "New password" for an account with a password, "Add a passkey" for an
//! account that signs in with passkeys only.
//!
//! # Security
//! - The request page answers the same whether or not the address has an account, after the
//!   same work (see `services::accounts`); mails per address and requests per network are limited.
//! - The mailed link works once, for 30 minutes, and is kept hashed. Following it moves the user
//!   to a page of a flow bound to this browser, so the token leaves the address bar at once; it
//!   is used up when the new password is chosen or the new passkey made, and proves the address.
//! - A reset does not bypass a second factor: an account with an authenticator app, recovery
//!   codes or a passkey gives one before a new password takes effect, and an account without a
//!   password gives its authenticator app or a recovery code, when it has them, before a new
//!   passkey is added. A code by email never counts: the link came by email.
//! - The sign-in that follows is a sign-in by email (`amr` `email`, the single-factor level), so
//!   the risk policy and the application's `acr_values` apply as to any other: a new passkey is
//!   there to step up with at once. Changes to the account's authenticators then need that
//!   passkey, as always.
//! - The reset ends every session and refresh token of the user, is recorded
//!   (`user.password_reset`, `user.passkey_recovered`) and the user told by mail.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::passkey::RegistrationState;
use ciam_core::Amr;
use ciam_core::email::Email;
use ciam_core::factor::FactorKind;
use ciam_core::id::UserId;
use ciam_core::keyspace;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::user::{User, UserStatus};
use serde::{Deserialize, Serialize};

use super::email_sign_in::mail_allowed;
use super::mfa::{
    PasskeyRequest, code_attempt, json_redirect, passkey_step, passkeys_of, start_ceremony, take_ceremony,
    use_recovery_code, use_totp,
};
use super::pages::{MessagePage, NewPasswordPage, RecoverPage, RecoverPasskeyPage, html};
use super::session::{Flow, load_flow, save_flow};
use super::signin::{FirstFactor, first_factor_passed};
use super::signup::{account_flow, password_rules};
use super::web_flow::{Ctx, flow_step, form_step, query_param, see_other};
use crate::audit::Caller;
use crate::error::{CeremonyError, HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{self, msg, tr, tr_with};
use crate::services::accounts::{self, Presented, Purpose, Recovery};
use crate::services::throttle::{self, Attempt};
use crate::services::{By, ServiceError, users};
use crate::state::AppState;

/// A reset whose mailed link opened the flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Recovering {
    pub(crate) user_id: String,
    /// The hash of the link's token (the token is never stored).
    pub(crate) link: String,
    /// Set when the user gave their authenticator app's code or a recovery code (an account
    /// without a password gives one, when it has them, before it gets a new passkey).
    #[serde(default)]
    pub(crate) confirmed: bool,
}

/// Reset requests from one network per hour.
const PER_NETWORK_PER_HOUR: u64 = 30;
/// The page of a reset that sets a new password.
const PASSWORD_PAGE: &str = "recover/password";
/// The page of a reset that adds a new passkey (an account without a password).
const PASSKEY_PAGE: &str = "recover/passkey";
/// How long the passkey ceremony of a reset may take.
const CEREMONY_TTL: std::time::Duration = std::time::Duration::from_secs(600);

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
/// on to the new-password page (or, for an account without a password, the new-passkey page).
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
        let link = SecretHash::of(&token).as_str().to_owned();
        let recovering = Recovering { user_id: user.id.to_string(), link, confirmed: false };
        let held = match proof.flow.as_deref() {
            Some(id) => load_flow(&ctx.st, &ctx.tenant, id, &headers).await?.map(|f| (id.to_owned(), f)),
            None => None,
        };
        let page = reset_page(&ctx, &user).await?;
        if let Some((id, mut flow)) = held {
            flow.recovering = Some(recovering);
            save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
            return Ok(see_other(&format!("{}?flow={id}", ctx.path(page))));
        }
        account_flow(&ctx, page, |flow| flow.recovering = Some(recovering)).await
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

/// The page a reset link of `user` opens.
async fn reset_page(ctx: &Ctx, user: &User) -> Result<&'static str, PageError> {
    let passkey = accounts::recovers_with_passkey(&ctx.st, &ctx.tenant, &user.id).await?;
    Ok(if passkey { PASSKEY_PAGE } else { PASSWORD_PAGE })
}

/// The user of a flow opened by a reset link for `page`: a reset link opens the page its account
/// recovers with, and no other.
async fn recovering_on(ctx: &Ctx, flow: &Flow, page: &str) -> Result<(User, Recovering), PageError> {
    let (user, recovering) = recovering_user(ctx, flow).await?;
    if reset_page(ctx, &user).await? != page {
        return Err(link_gone());
    }
    Ok((user, recovering))
}

/// Whether the user has an authenticator of their own the reset must ask for: any, before a new
/// password; an authenticator app or recovery codes, before a new passkey (the passkeys are
/// what was lost).
async fn has_second_factor(ctx: &Ctx, user: &User, page: &str) -> Result<bool, PageError> {
    let factors = ctx.st.durable.list_factors(&ctx.tenant.id, &user.id).await?;
    Ok(factors.iter().any(|f| page == PASSWORD_PAGE || f.kind != FactorKind::Passkey))
}

/// Uses up the reset link of a flow, which also proves the user's address.
async fn use_link(ctx: &Ctx, caller: &Caller, user: &User, recovering: &Recovering) -> Result<(), PageError> {
    let presented = Presented::LinkHash(&recovering.link);
    if accounts::check(&ctx.st, &ctx.tenant, Purpose::Reset, user, presented, true).await?.is_none() {
        return Err(link_gone());
    }
    accounts::mark_verified(&ctx.st, &ctx.tenant, &By::user(caller.clone(), user.id), user).await?;
    Ok(())
}

/// Signs in the user of a used reset link with `amr`: `recovery` takes effect once the policy
/// allows the sign-in, or, when `second_factor`, once the account's own second factor is given.
#[allow(clippy::too_many_arguments)]
async fn sign_in_recovered(
    ctx: &Ctx,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    mut flow: Flow,
    user: &User,
    recovery: Recovery,
    amr: Vec<Amr>,
    second_factor: bool,
) -> Result<Response, PageError> {
    flow.recovering = None;
    flow.recovered = Some(recovery);
    let attempt = Attempt::new(&ctx.st, &ctx.ns, user.email.normalized(), caller.addr());
    first_factor_passed(FirstFactor {
        ctx,
        caller,
        headers,
        flow_id: id,
        flow,
        user_id: user.id,
        amr,
        attempt: &attempt,
        own_factor_required: second_factor,
    })
    .await
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
        let (user, _) = recovering_on(&ctx, &flow, PASSWORD_PAGE).await?;
        let second = has_second_factor(&ctx, &user, PASSWORD_PAGE).await?;
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
    let (ctx, id, flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (user, recovering) = recovering_on(&ctx, &flow, PASSWORD_PAGE).await?;
        let second = has_second_factor(&ctx, &user, PASSWORD_PAGE).await?;
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
        use_link(&ctx, &caller, &user, &recovering).await?;
        let recovery = Recovery::Password(hash);
        sign_in_recovered(&ctx, &caller, &headers, &id, flow, &user, recovery, vec![Amr::Pwd], second).await
    })
    .await
}

/// Whether the user still owes their authenticator app's code or a recovery code before a new
/// passkey.
async fn code_owed(ctx: &Ctx, user: &User, recovering: &Recovering) -> Result<bool, PageError> {
    Ok(!recovering.confirmed && has_second_factor(ctx, user, PASSKEY_PAGE).await?)
}

fn passkey_page(ctx: &Ctx, id: &str, flow: &Flow, user: &User, code: bool, error: Option<&str>) -> Response {
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    html(
        status,
        &RecoverPasskeyPage {
            brand: &ctx.brand,
            base: &ctx.path(PASSKEY_PAGE),
            flow: id,
            csrf: &flow.csrf,
            email: user.email.as_str(),
            code,
            error,
        },
    )
}

/// `GET /t/{tenant}/recover/passkey?flow=…`: "Add a passkey", after the authenticator app's code
/// or a recovery code when the account has them.
pub(super) async fn passkey_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let (user, recovering) = recovering_on(&ctx, &flow, PASSKEY_PAGE).await?;
        let code = code_owed(&ctx, &user, &recovering).await?;
        Ok(passkey_page(&ctx, &id, &flow, &user, code, None))
    })
    .await
}

/// `POST /t/{tenant}/recover/passkey`: the authenticator app's code or a recovery code, which
/// an account that has them gives before it gets a new passkey (wrong codes count towards the
/// same limit as on the second-factor page).
pub(super) async fn passkey_code(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (user, mut recovering) = recovering_on(&ctx, &flow, PASSKEY_PAGE).await?;
        let code = Secret::new(form.take("code").unwrap_or_default());
        let attempt = code_attempt(&ctx.st, &ctx.ns, &recovering.user_id, &caller);
        if attempt.locked().await? {
            return Ok(passkey_page(&ctx, &id, &flow, &user, true, Some(&tr(msg!("error-too-many-attempts")))));
        }
        let factors = ctx.st.durable.list_factors(&ctx.tenant.id, &user.id).await?;
        let c = code.expose_secret().trim();
        let right = use_totp(&ctx.st, &ctx.tenant.id, &factors, c).await?
            || use_recovery_code(&ctx.st, &ctx.tenant.id, &factors, c).await?;
        if !right {
            attempt.failed().await?;
            return Ok(passkey_page(&ctx, &id, &flow, &user, true, Some(&tr(msg!("error-wrong-code")))));
        }
        attempt.succeeded().await?;
        recovering.confirmed = true;
        flow.recovering = Some(recovering);
        save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
        Ok(see_other(&format!("{}?flow={id}", ctx.path(PASSKEY_PAGE))))
    })
    .await
}

/// The user and reset of a passkey call, once nothing but the passkey is owed and the link is
/// still good.
async fn passkey_reset(ctx: &Ctx, flow: &Flow) -> Result<(User, Recovering), CeremonyError> {
    let (user, recovering) = recovering_on(ctx, flow, PASSKEY_PAGE).await?;
    if code_owed(ctx, &user, &recovering).await? {
        return Err(CeremonyError::new(StatusCode::FORBIDDEN, tr(msg!("recover-passkey-code-first"))));
    }
    let presented = Presented::LinkHash(&recovering.link);
    if accounts::check(&ctx.st, &ctx.tenant, Purpose::Reset, &user, presented, false).await?.is_none() {
        return Err(link_gone().into());
    }
    Ok((user, recovering))
}

/// `POST /t/{tenant}/recover/passkey/start`: options for the new passkey.
pub(super) async fn passkey_start(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, flow, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    let (user, _) = passkey_reset(&ctx, &flow).await?;
    let factors = ctx.st.durable.list_factors(&ctx.tenant.id, &user.id).await?;
    let email = user.email.as_str();
    let display = user.profile.name.clone().unwrap_or_else(|| email.to_owned());
    let started = rp.start_registration(user.id.as_uuid(), email, &display, &passkeys_of(&factors));
    start_ceremony(&ctx.st, &keyspace::passkey_ceremony(&ctx.ns, "recover", &req.flow), started, CEREMONY_TTL).await
}

/// `POST /t/{tenant}/recover/passkey/finish`: checks the new passkey, uses up the link and signs
/// the user in by email; the passkey is added once the policy allows the sign-in.
pub(super) async fn passkey_finish(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, flow, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    let (user, recovering) = passkey_reset(&ctx, &flow).await?;
    let credential = req.credential.as_ref().ok_or_else(|| CeremonyError::bad_request("credential is missing"))?;
    let state: RegistrationState =
        take_ceremony(&ctx.st, &keyspace::passkey_ceremony(&ctx.ns, "recover", &req.flow)).await?;
    let passkey = rp.finish_registration(credential, state).map_err(|e| CeremonyError::bad_request(e.to_string()))?;
    if ctx.st.durable.find_factor(&ctx.tenant.id, FactorKind::Passkey, &passkey.credential_id).await?.is_some() {
        return Err(CeremonyError::new(StatusCode::CONFLICT, tr(msg!("security-passkey-taken"))));
    }
    use_link(&ctx, &caller, &user, &recovering).await?;
    let name = users::passkey_name(req.name.as_deref(), &tr(msg!("factor-passkey")));
    let mut amr = vec![Amr::Email];
    if recovering.confirmed {
        amr.push(Amr::Otp);
    }
    let recovery = Recovery::Passkey { name, passkey };
    let signed_in = sign_in_recovered(&ctx, &caller, &headers, &req.flow, flow, &user, recovery, amr, false).await;
    json_redirect(signed_in.map_err(|e| e.branded(&ctx.brand)))
}
