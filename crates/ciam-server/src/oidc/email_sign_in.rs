//! Codes and magic links by email: "Email me a code" on the sign-in page (a first factor), the
//! code offered as a second factor, and their mail, queued in the outbox.
//!
//! # Security
//! - Codes by email are queued in the mail outbox, never sent during the request; for an address
//!   without an account the same work is done and the message discarded by the outbox, so
//!   "email me a code" tells nobody which addresses have accounts (docs/security.md).
//! - Only hashes of the code and the link are kept, under the flow, with an attempt count; the
//!   link works only in the browser that holds the flow.
//! - Mails per address are limited, counted whether or not the address has an account.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::OneTimeCode;

use crate::adapters::mail::OutgoingMail;
use ciam_core::Amr;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Counter, Json};
use ciam_core::secret::Secret;
use ciam_core::store::StoreResult;
use ciam_core::tenant::TenantNs;
use ciam_core::user::{User, UserStatus};
use serde::{Deserialize, Serialize};

use super::pages::{EmailCodePage, html};
use super::session::Flow;
use super::signin::{FirstFactor, first_factor_passed};
use super::web_flow::{Ctx, form_step, query_param};
use crate::audit::Caller;
use crate::error::{Failure, HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{self, Msg, msg, tr};
use crate::services::outbox;
use crate::services::throttle::Attempt;
use crate::state::AppState;

/// An emailed code (and, for a first factor, a magic link) waiting to be used.
#[derive(Serialize, Deserialize)]
pub(super) struct EmailCode {
    hash: String,
    attempts: u32,
    /// The user the code was sent to.
    pub(super) user_id: String,
    /// SHA-256 of the magic link's token, when the mail carried one.
    #[serde(default)]
    link: Option<String>,
    /// The address as typed and normalized (the throttle key of the sign-in).
    #[serde(default)]
    email: String,
    /// Unix time after which neither the code nor the link works.
    #[serde(default)]
    expires_at: i64,
}

/// What the user brought back from the mail.
pub(super) enum Proof<'a> {
    Code(&'a str),
    Link(&'a str),
}

/// Mails sent to one address (sign-in codes and links) per [`crate::services::throttle::WINDOW`].
const MAILS_PER_ADDRESS: u64 = 5;

/// Whether another sign-in mail may go to `address` now: at most [`MAILS_PER_ADDRESS`] per
/// window, counted whether or not the address has an account, so the limit reveals nothing and
/// nobody can flood a mailbox through the sign-in page.
pub(crate) async fn mail_allowed(st: &AppState, tenant: &TenantNs, address: &str) -> StoreResult<bool> {
    let key = keyspace::mail_sends(tenant, address);
    Ok(Counter::new(st.ephemeral.as_ref()).hit(&key, crate::services::throttle::WINDOW).await? <= MAILS_PER_ADDRESS)
}

pub(crate) const MAIL_LIMIT_MESSAGE: Msg = msg!("error-mail-limit");

/// Who a sign-in mail is for.
#[derive(Clone, Copy)]
pub(super) enum Recipient<'a> {
    /// An active account: the mail is sent.
    Account(&'a User),
    /// An address typed on the sign-in page that has no active account. Everything happens as
    /// for an account (a code and a link generated, their state stored under the flow, a message
    /// sealed and queued), except that nothing can sign in with them and the outbox discards the
    /// message instead of sending it. So the response takes the same path, and the same time,
    /// whether or not the address has an account.
    Nobody(&'a Email),
}

/// Queues a one-time code for this flow (replacing an earlier one) for `to`. `first_factor`: the
/// code signs in on its own, rather than confirming a password; that mail also carries a magic
/// link, which works only in the browser that holds the flow.
///
/// # Security
/// The mail is queued in the outbox, never sent here: the page answers the same, as fast, when
/// the relay is slow or down and when the address has no account (see [`Recipient::Nobody`]).
pub(super) async fn send_email_code(
    ctx: &Ctx,
    flow_id: &str,
    to: Recipient<'_>,
    first_factor: bool,
) -> Result<(), Failure> {
    let st = &ctx.st;
    let (code, hash) = OneTimeCode::generate();
    let lifetime = ciam_authn::email_code::CODE_LIFETIME;
    let (link, link_hash) = if first_factor {
        let (token, hash) = ciam_authn::email_code::magic_link_token();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("flow", flow_id)
            .append_pair("token", token.expose_secret())
            .finish();
        let url = format!("{}{}?{query}", st.node.public_url, ctx.path("login/link"));
        (Some(Secret::new(url)), Some(hash))
    } else {
        (None, None)
    };
    let (user_id, email, discard) = match to {
        Recipient::Account(user) => (user.id.to_string(), &user.email, false),
        // No user id: the state matches no account, whatever is presented.
        Recipient::Nobody(email) => (String::new(), email, true),
    };
    let state = EmailCode {
        hash,
        attempts: 0,
        user_id,
        link: link_hash,
        email: email.normalized().to_owned(),
        expires_at: (st.clock.now() + lifetime).unix_timestamp(),
    };
    Json::new(st.ephemeral.as_ref())
        .put(&keyspace::email_code(&ctx.ns, flow_id), &state, lifetime.unsigned_abs())
        .await?;
    let locale = i18n::mail_locale(if let Recipient::Account(user) = to { Some(user) } else { None }, i18n::current());
    let say = |msg, args: &[(&str, &str)]| i18n::text(locale, msg, args);
    let warning = if first_factor { msg!("mail-sign-in-not-you") } else { msg!("mail-sign-in-not-you-password") };
    let link =
        link.map(|l| format!("\n\n{}\n{}", say(msg!("mail-sign-in-link"), &[]), l.expose_secret())).unwrap_or_default();
    let mail = OutgoingMail {
        to: email.as_str().to_owned(),
        subject: say(msg!("mail-sign-in-subject"), &[("tenant", &ctx.brand.name)]),
        text: format!(
            "{}{link}\n\n{} {}\n",
            say(msg!("mail-sign-in-text"), &[("code", code.expose_secret())]),
            say(msg!("mail-sign-in-expiry"), &[]),
            say(warning, &[]),
        ),
    };
    let delivery = outbox::Delivery { valid_for: lifetime.unsigned_abs(), discard };
    outbox::enqueue_with(st, &ctx.tenant.id, mail, delivery).await
}

/// The mail of this flow that `proof` comes from, consumed. A wrong code counts, and after
/// `MAX_ATTEMPTS` the code is gone; a wrong link (an older mail's) leaves everything as it was.
pub(super) async fn check_email_code(ctx: &Ctx, flow_id: &str, proof: Proof<'_>) -> StoreResult<Option<EmailCode>> {
    let key = keyspace::email_code(&ctx.ns, flow_id);
    let codes = Json::<EmailCode>::new(ctx.st.ephemeral.as_ref());
    let Some(mut state) = codes.take(&key).await? else { return Ok(None) };
    let left = state.expires_at - ctx.st.clock.now().unix_timestamp();
    if left <= 0 {
        return Ok(None);
    }
    let right = match proof {
        Proof::Code(code) => OneTimeCode::verify(&state.hash, code),
        Proof::Link(token) => {
            state.link.as_ref().is_some_and(|h| ciam_core::secret::SecretHash::from_stored(h.clone()).verify(token))
        }
    };
    if right {
        return Ok(Some(state));
    }
    if matches!(proof, Proof::Code(_)) {
        state.attempts += 1;
    }
    if state.attempts < ciam_authn::email_code::MAX_ATTEMPTS {
        let left = std::time::Duration::from_secs(left.unsigned_abs());
        codes.put(&key, &state, left).await?;
    }
    Ok(None)
}

fn email_page(ctx: &Ctx, id: &str, flow: &Flow, email: &str, error: Option<&str>, status: StatusCode) -> Response {
    html(
        status,
        &EmailCodePage {
            brand: &ctx.brand,
            action: &ctx.path("login/email/verify"),
            flow: id,
            csrf: &flow.csrf,
            email,
            error,
        },
    )
}

/// `POST /t/{tenant}/login/email`: mails a sign-in code to the address, if it is an active
/// account's. The page that follows, its status and the work behind it (one code stored, one
/// message queued) are the same either way, and never wait for the mail server.
pub(super) async fn login_email(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        if !ctx.tenant.settings.login.email_code {
            return Err(PageError::forbidden(msg!("email-code-disabled")));
        }
        let typed = form.get("email").unwrap_or("").trim().to_owned();
        let page = |error, status| email_page(&ctx, &id, &flow, &typed, error, status);
        let Ok(email) = ciam_core::email::Email::parse(&typed) else {
            return Ok(page(Some(&tr(msg!("email-code-invalid-address"))), StatusCode::BAD_REQUEST));
        };
        let attempt = Attempt::new(&ctx.st, &ctx.ns, email.normalized(), caller.addr());
        if attempt.locked().await? {
            return Ok(HoldOff::unstated().page(page(Some(&tr(TOO_MANY_ATTEMPTS)), StatusCode::OK)));
        }
        if !mail_allowed(&ctx.st, &ctx.ns, email.normalized()).await? {
            return Ok(HoldOff::unstated().page(page(Some(&tr(MAIL_LIMIT_MESSAGE)), StatusCode::OK)));
        }
        let user = ctx.st.durable.find_user_by_email(&ctx.tenant.id, email.normalized()).await?;
        let user = user.filter(|u| u.status == UserStatus::Active);
        let to = user.as_ref().map_or(Recipient::Nobody(&email), Recipient::Account);
        send_email_code(&ctx, &id, to, true).await?;
        Ok(page(None, StatusCode::OK))
    })
    .await
}

const TOO_MANY_ATTEMPTS: Msg = msg!("error-too-many-attempts");

/// `POST /t/{tenant}/login/email/verify`: the emailed code signs the user in (amr `email`).
pub(super) async fn login_email_verify(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let typed = form.get("email").unwrap_or("").trim().to_owned();
        let normalized = ciam_core::email::Email::parse(&typed).map(|e| e.normalized().to_owned()).unwrap_or_default();
        let attempt = Attempt::new(&ctx.st, &ctx.ns, &normalized, caller.addr());
        if attempt.locked().await? {
            let page = email_page(&ctx, &id, &flow, &typed, Some(&tr(TOO_MANY_ATTEMPTS)), StatusCode::OK);
            return Ok(HoldOff::unstated().page(page));
        }
        let code = Secret::new(form.take("code").unwrap_or_default());
        let sent = check_email_code(&ctx, &id, Proof::Code(code.expose_secret())).await?;
        let Some(user_id) = sent.and_then(|s| UserId::parse(&s.user_id).ok()) else {
            attempt.failed().await?;
            let wrong = tr(msg!("email-code-wrong"));
            return Ok(email_page(&ctx, &id, &flow, &typed, Some(&wrong), StatusCode::UNAUTHORIZED));
        };
        signed_in_by_mail(&ctx, &caller, &headers, &id, flow.clone(), user_id, &attempt).await
    })
    .await
}

/// The code or link of a sign-in mail proved the address: the first factor passed (amr `email`).
async fn signed_in_by_mail(
    ctx: &Ctx,
    caller: &Caller,
    headers: &HeaderMap,
    flow_id: &str,
    flow: Flow,
    user_id: UserId,
    attempt: &Attempt<'_>,
) -> Result<Response, PageError> {
    let amr = vec![Amr::Email];
    first_factor_passed(FirstFactor {
        ctx,
        caller,
        headers,
        flow_id,
        flow,
        user_id,
        amr,
        attempt,
        own_factor_required: false,
    })
    .await
}

/// `GET /t/{tenant}/login/link?flow=…&token=…`: the magic link of a sign-in mail (amr `email`,
/// like the code in the same mail). It works once, within the code's lifetime, and only in the
/// browser that asked for it: opened anywhere else (another device, a mail scanner fetching
/// links) it changes nothing, so a link sent to a victim cannot sign them in to someone else's
/// account and a prefetch cannot use it up.
pub(super) async fn login_link(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        if !ctx.tenant.settings.login.email_code {
            return Err(PageError::forbidden(msg!("email-code-disabled")));
        }
        let param = |name| query_param(query.as_deref(), name).unwrap_or_default();
        let (id, token) = (param("flow"), Secret::new(param("token")));
        let Some(flow) = super::session::load_flow(&ctx.st, &ctx.tenant, &id, &headers).await? else {
            return Err(PageError::bad_request(msg!("email-link-other-browser")));
        };
        let sent = check_email_code(&ctx, &id, Proof::Link(token.expose_secret())).await?;
        let Some((user_id, email)) = sent.and_then(|s| UserId::parse(&s.user_id).ok().map(|u| (u, s.email))) else {
            return Err(PageError::bad_request(msg!("email-link-gone")));
        };
        let attempt = Attempt::new(&ctx.st, &ctx.ns, &email, caller.addr());
        signed_in_by_mail(&ctx, &caller, &headers, &id, flow, user_id, &attempt).await
    })
    .await
}
