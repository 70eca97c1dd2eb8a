//! `/t/{tenant}/account/password`: changing the password (or setting one, for an account that
//! signs in without).
//!
//! # Security
//! - The change needs a recent sign-in at the account's level (as every sensitive change, see
//!   the module above) and, when the account has a password, the current one: checked by the
//!   sign-in form's own argon2 check behind the sign-in throttle (`services/throttle.rs`), so
//!   the form cannot be used to guess it.
//! - The new password meets the tenant's rules, which the page states before it is typed.
//! - Through the users service: audited `user.updated` and `user.password_changed`, every
//!   refresh token of the user revoked, every other session ended; this browser's session stays.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::password::MAX_PASSWORD_BYTES;
use ciam_core::secret::Secret;
use ciam_core::user::User;

use super::views::{Nav, PasswordPage};
use super::{Holder, Need, confirm_link, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::{HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::oidc::login::check_password;
use crate::oidc::pages::html;
use crate::oidc::web_flow::see_other;
use crate::services::throttle::Attempt;
use crate::services::{By, ServiceError, users};
use crate::state::AppState;

const PAGE: &str = "account/password";

/// The tenant's password rules, in words.
fn rules(h: &Holder) -> Vec<String> {
    let login = &h.ctx.tenant.settings.login;
    let mut rules = vec![tr_with(msg!("password-rules"), &[("min", &login.password_min_length.to_string())])];
    rules.push(tr_with(msg!("password-rule-max"), &[("max", &MAX_PASSWORD_BYTES.to_string())]));
    if login.refuse_common_passwords {
        rules.push(tr(msg!("password-rule-not-common")));
    }
    rules.push(tr(msg!("password-rule-phrase")));
    rules
}

/// Why the new password was refused ([`ciam_authn::PasswordPolicy::check`]'s refusals; anything
/// else in the policy's own words).
fn new_password_refused(h: &Holder, reason: &str) -> String {
    if reason.starts_with("must be at least") {
        let min = h.ctx.tenant.settings.login.password_min_length.to_string();
        tr_with(msg!("password-new-too-short"), &[("min", &min)])
    } else if reason.starts_with("must be at most") {
        tr_with(msg!("password-new-too-long"), &[("max", &MAX_PASSWORD_BYTES.to_string())])
    } else if reason.starts_with("is too common") {
        tr(msg!("password-new-too-common"))
    } else {
        tr_with(msg!("password-new-refused"), &[("reason", reason)])
    }
}

/// What the form shows: errors for the current and the new password, a notice.
#[derive(Default)]
struct Said<'a> {
    current: Option<&'a str>,
    new: Option<&'a str>,
    notice: Option<&'a str>,
}

async fn page(h: &Holder, has_password: bool, said: Said<'_>, status: StatusCode) -> Result<Response, PageError> {
    let action = h.ctx.path(PAGE);
    let confirm = confirm_link(h, PAGE).await?;
    Ok(html(
        status,
        &PasswordPage {
            brand: &h.ctx.brand,
            nav: Nav::new(&h.ctx, PAGE),
            action: &action,
            csrf: &h.session.csrf,
            has_password,
            rules: rules(h),
            current_error: said.current,
            new_error: said.new,
            confirm,
            notice: said.notice,
        },
    ))
}

async fn has_password(h: &Holder) -> Result<bool, PageError> {
    Ok(h.ctx.st.durable.password_hash(&h.ctx.tenant.id, &h.user.id).await?.is_some())
}

/// `GET /t/{tenant}/account/password`.
pub(in crate::oidc) async fn password_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said = notice(query.as_deref(), &[("changed", msg!("password-changed")), ("set", msg!("password-was-set"))]);
    h.ctx
        .branded(async {
            let has = has_password(&h).await?;
            page(&h, has, Said { notice: said.as_deref(), ..Said::default() }, StatusCode::OK).await
        })
        .await
}

/// `POST /t/{tenant}/account/password`: checks the current password (when there is one) and
/// the new one, then changes it.
pub(in crate::oidc) async fn password_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, mut form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let st = &h.ctx.st;
            let has = has_password(&h).await?;
            if has {
                let attempt = Attempt::new(st, &h.ctx.ns, h.user.email.normalized(), caller.addr());
                if attempt.locked().await? {
                    tracing::info!(tenant = %h.ctx.tenant.id, "password change throttled");
                    let words = tr(msg!("error-too-many-attempts"));
                    let said = Said { current: Some(&words), ..Said::default() };
                    let refused = page(&h, has, said, StatusCode::OK).await?;
                    return Ok(HoldOff::after(std::time::Duration::from_secs(60)).page(refused));
                }
                let current = Secret::new(form.take("current_password").unwrap_or_default());
                let right = check_password(&h.ctx, &st.passwords, h.user.email.as_str(), current).await?;
                if right != Some(h.user.id) {
                    tracing::info!(tenant = %h.ctx.tenant.id, "password change: wrong current password");
                    attempt.failed().await?;
                    let words = tr(msg!("password-wrong-current"));
                    let said = Said { current: Some(&words), ..Said::default() };
                    return page(&h, has, said, StatusCode::UNAUTHORIZED).await;
                }
                attempt.succeeded().await?;
            }
            let new = Secret::new(form.take("new_password").unwrap_or_default());
            let hash = match users::hash_password(st, &h.ctx.tenant, Some(new)).await {
                Ok(Some(hash)) => hash,
                Ok(None) => return Err(PageError::bad_request(msg!("password-enter-new"))),
                Err(ServiceError::Invalid(e)) => {
                    let words = new_password_refused(&h, &e.message);
                    let said = Said { new: Some(&words), ..Said::default() };
                    return page(&h, has, said, StatusCode::BAD_REQUEST).await;
                }
                Err(e) => return Err(e.into()),
            };
            let after = User { updated_at: st.clock.now(), ..h.user.clone() };
            let by = By::user(caller.clone(), h.user.id);
            users::update_keeping(st, &by, &h.ctx.tenant, &h.user, &after, Some(&hash), Some(&h.session.sid)).await?;
            let done = if has { "changed" } else { "set" };
            Ok(see_other(&format!("{}?done={done}", h.ctx.path(PAGE))))
        })
        .await
}
