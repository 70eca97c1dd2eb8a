//! The account centre, `/t/{tenant}/account/…`: the signed-in user's own pages (overview,
//! profile, password, sign-in and security, sessions, connected apps, agents, privacy), rendered
//! on the server and usable without JavaScript.
//!
//! # Security
//! - Every page needs the browser's SSO session of the tenant; without one the browser is sent
//!   to sign in, with a flow that comes back to the page it asked for (one of
//!   [`super::session::ACCOUNT_PAGES`], never a URL from the request).
//! - Every form posts the session's CSRF token (compared in constant time) and is answered with
//!   `303 See Other` (or the form again, saying what to fix).
//! - A sensitive change (a password, removing an app's access, revoking an agent, signing out
//!   other sessions, and the security page's authenticators) also needs a sign-in from the last
//!   15 minutes at the level the account's authenticators call for (`ciam_authn::reauth`); the
//!   page says so and links to [`confirm`] before the user fills anything in.
//! - Every change goes through a service (`services/`), which audits it with the user as the actor.

mod agents;
mod approvals;
mod apps;
mod email;
mod overview;
mod password;
mod privacy;
mod profile;
mod sessions;
pub(super) mod views;

pub(super) use agents::{agents_get, agents_revoke};
pub(super) use approvals::{approvals_confirm, approvals_decide, approvals_get};
pub(super) use apps::{apps_get, apps_remove};
pub(super) use email::{confirm_get as email_confirm_get, confirm_post as email_confirm_post, email_post};
pub(super) use overview::overview;
pub(super) use password::{password_get, password_post};
pub(super) use privacy::{
    delete_account, export_download, export_start, keep_get, keep_post, privacy, privacy_consent,
};
pub(super) use profile::{profile_get, profile_post};
pub(super) use sessions::{sessions_end, sessions_end_others, sessions_get};

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ciam_authn::reauth::Reauth;
use ciam_core::Amr;
use ciam_core::user::User;
use ciam_oauth::form::Params;

use super::authorize::step_up;
use super::session::{Flow, Session, account_page, csrf_ok, current_session, save_flow, session_user, start_flow};
use super::web_flow::{Ctx, form_expired, query_param, see_other};
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{Msg, msg, tr};
use crate::state::AppState;

/// The signed-in user of an account page.
pub(crate) struct Holder {
    pub(crate) ctx: Ctx,
    pub(crate) session: Session,
    pub(crate) user: User,
}

/// Where an account page request goes: the page itself, for its signed-in user, or first to a
/// sign-in (or a confirmation of who the user is) that comes back to it.
pub(crate) type Access = Result<Holder, Response>;

/// [`Access`] to a form.
pub(crate) type FormAccess = Result<(Holder, Params), Response>;

/// Whether a request only looks or makes a sensitive change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// A signed-in session.
    Session,
    /// A signed-in session whose sign-in is recent and strong enough for a change ([`Reauth`]).
    Recent,
}

/// The methods a session's sign-in used.
pub(crate) fn methods(session: &Session) -> Vec<Amr> {
    session.amr.iter().filter_map(|m| Amr::parse(m)).collect()
}

/// Loads the tenant, the session and its user for account page `page` (one of
/// [`super::session::ACCOUNT_PAGES`]); without a session, starts a sign-in that comes back to
/// `page`. With [`Need::Recent`], the sign-in must also be recent and at the level the account's
/// authenticators call for; otherwise the user confirms who they are first, and comes back.
pub(crate) async fn holder(
    st: AppState,
    tenant: &str,
    headers: &HeaderMap,
    page: &'static str,
    need: Need,
) -> Result<Access, PageError> {
    let ctx = Ctx::load(st, tenant).await?;
    let brand = ctx.brand.clone();
    let access = async {
        let Some(session) = current_session(&ctx.st, &ctx.tenant, headers).await? else {
            return Ok(Err(sign_in_first(&ctx, None, page).await?));
        };
        let Some(user) = session_user(&ctx.st, &ctx.tenant.id, &session).await? else {
            return Ok(Err(sign_in_first(&ctx, None, page).await?));
        };
        Ok::<_, PageError>(Ok((session, user)))
    };
    let (session, user) = match access.await.map_err(|e| e.branded(&brand))? {
        Ok(signed_in) => signed_in,
        Err(elsewhere) => return Ok(Err(elsewhere)),
    };
    let h = Holder { ctx, session, user };
    if need == Need::Recent {
        let reauth = change_requirement(&h).await.map_err(|e| e.branded(&h.ctx.brand))?;
        if !confirmed(&h, &reauth) {
            return confirm_first(&h, reauth, page).await.map(Err).map_err(|e| e.branded(&h.ctx.brand));
        }
    }
    Ok(Ok(h))
}

/// A form of account page `page`, after the CSRF check (and, for [`Need::Recent`], the
/// confirmation of who the user is).
pub(crate) async fn form_of(
    st: AppState,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
    page: &'static str,
    need: Need,
) -> Result<FormAccess, PageError> {
    let h = match holder(st, tenant, headers, page, need).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(Err(elsewhere)),
    };
    let form =
        Params::parse(body).map_err(|_| PageError::bad_request(msg!("error-invalid-form")).branded(&h.ctx.brand))?;
    if !csrf_ok(&h.session.csrf, form.get("csrf")) {
        return Err(form_expired().branded(&h.ctx.brand));
    }
    Ok(Ok((h, form)))
}

/// What a sensitive change to this user's account needs.
pub(crate) async fn change_requirement(h: &Holder) -> Result<Reauth, PageError> {
    let (tenant, user) = (&h.ctx.tenant.id, &h.user.id);
    let factors = h.ctx.st.durable.list_factors(tenant, user).await?;
    let password = h.ctx.st.durable.password_hash(tenant, user).await?.is_some();
    Ok(Reauth::for_change(factors.iter().map(|f| f.kind), password))
}

/// Whether the session's sign-in meets `reauth` now.
pub(crate) fn confirmed(h: &Holder, reauth: &Reauth) -> bool {
    let age = h.ctx.st.clock.now().unix_timestamp().saturating_sub(h.session.auth_time);
    reauth.met_by(&methods(&h.session), age)
}

/// Where to confirm who you are before a change on `page`, when the session does not do it
/// yet (`None` when it does).
pub(crate) async fn confirm_link(h: &Holder, page: &str) -> Result<Option<String>, PageError> {
    let reauth = change_requirement(h).await?;
    Ok((!confirmed(h, &reauth)).then(|| format!("{}?page={page}", h.ctx.path("account/confirm"))))
}

/// Has the user confirm who they are before a change: a recent sign-in only adds the missing
/// factor on the second-factor page; an older one signs in again from the start. Either way
/// the browser comes back to `page`.
pub(crate) async fn confirm_first(h: &Holder, reauth: Reauth, page: &'static str) -> Result<Response, PageError> {
    let age = h.ctx.st.clock.now().unix_timestamp().saturating_sub(h.session.auth_time);
    if !(0..=ciam_authn::reauth::RECENT_SECS).contains(&age) {
        return sign_in_first(&h.ctx, Some(reauth), page).await;
    }
    let prepare = |f: &mut Flow| {
        f.account = true;
        f.reauth = Some(reauth);
    };
    step_up(&h.ctx, page, None, prepare, &h.session, reauth.acr).await
}

/// Starts a sign-in flow whose end is account page `page` (confirming `reauth` when given).
async fn sign_in_first(ctx: &Ctx, reauth: Option<Reauth>, page: &'static str) -> Result<Response, PageError> {
    let (id, browser, mut flow) = start_flow(&ctx.st, &ctx.ns, page).await?;
    flow.account = true;
    flow.reauth = reauth;
    save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
    Ok(ctx.with_flow_cookie(see_other(&format!("{}?flow={id}", ctx.path("login"))), &browser))
}

/// `GET /t/{tenant}/account/confirm?page=account/…`: confirm who you are (as a sensitive change
/// needs), then back to the account page named (the overview for anything else).
pub(in crate::oidc) async fn confirm(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = query_param(query.as_deref(), "page").and_then(|p| account_page(&p)).unwrap_or("account");
    Ok(match holder(st, &tenant, &headers, page, Need::Recent).await? {
        Ok(h) => see_other(&h.ctx.path(page)),
        Err(elsewhere) => elsewhere,
    })
}

/// A one-word notice named in a page's query (`?done=…`), after a form's `303`: the page says
/// what happened, in `words` (in the language of the request), only for the names it knows.
pub(crate) fn notice(query: Option<&str>, words: &[(&str, Msg)]) -> Option<String> {
    let done = query_param(query, "done")?;
    words.iter().find(|(k, _)| *k == done).map(|(_, w)| tr(*w))
}
