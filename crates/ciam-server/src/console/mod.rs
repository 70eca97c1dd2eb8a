//! The administrators' console, `/console`: server-rendered pages over the same services and
//! permissions as the management API, readable without JavaScript (docs/console.md).
//!
//! # Security
//! - The console signs people in through the control tenant ([`crate::services::console`]); the
//!   browser holds only a random session cookie (`HttpOnly`, `SameSite=Lax`, `__Host-` on https).
//! - Every page checks the administrator's grants as the management API's guard does: a tenant
//!   they have no role in is "not found", a page or action they lack the permission for is
//!   refused, and buttons they may not use are not shown.
//! - Every form posts the session's CSRF token (compared in constant time); a dangerous action
//!   (resetting a user's factors, signing them out everywhere, disabling or enabling them) asks
//!   for confirmation on a page of its own and needs a sign-in from the last 15 minutes, else it
//!   sends the person to sign in again first.

mod administrators;
mod audit;
mod client_forms;
mod clients;
mod integration_forms;
mod integrations;
mod keys;
mod pages;
mod parts;
mod settings;
mod tenant;
mod user_forms;

use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ciam_core::admin::{Access, Permission};
use ciam_core::id::TenantId;
use serde::Deserialize;

use crate::audit::Caller;
use crate::http::page::{Brand, error_page, see_other};
use crate::i18n::{msg, tr};
use crate::services::admins::Admin;
use crate::services::console::{self, ConsoleSession};
use crate::state::AppState;

/// The console's routes, answered in the language the person picked with the switcher, else the
/// one their browser asks for.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/console", get(pages::tenants))
        .route("/console/assets/console.js", get(script))
        .route("/console/login", get(login))
        .route("/console/callback", get(callback))
        .route("/console/logout", post(logout))
        .route("/console/new-tenant", get(tenant::new_tenant).post(tenant::create_tenant))
        .route("/console/t/{tenant}", get(tenant::overview))
        .route("/console/t/{tenant}/delete", get(tenant::confirm_delete).post(tenant::delete))
        .route("/console/t/{tenant}/settings", get(settings::settings).post(settings::save))
        .route("/console/t/{tenant}/resources", get(integrations::resources))
        .route(
            "/console/t/{tenant}/resources/new",
            get(integration_forms::new_resource).post(integration_forms::create_resource),
        )
        .route("/console/t/{tenant}/identity-providers", get(integrations::providers))
        .route(
            "/console/t/{tenant}/identity-providers/new",
            get(integration_forms::new_provider).post(integration_forms::create_provider),
        )
        // An API or an identity provider.
        .route(
            "/console/t/{tenant}/{kind}/{id}/delete",
            get(integration_forms::confirm_delete).post(integration_forms::delete),
        )
        .route("/console/t/{tenant}/keys", get(keys::keys))
        .route("/console/t/{tenant}/keys/schedule", post(keys::schedule))
        .route("/console/t/{tenant}/keys/rotate", get(keys::confirm_rotate).post(keys::rotate))
        .route("/console/t/{tenant}/audit", get(audit::trail))
        .route("/console/t/{tenant}/administrators", get(administrators::list))
        .route(
            "/console/t/{tenant}/administrators/new",
            get(administrators::new_administrator).post(administrators::add),
        )
        .route("/console/t/{tenant}/administrators/{id}/remove", post(administrators::remove))
        .route("/console/t/{tenant}/clients", get(clients::list))
        .route("/console/t/{tenant}/clients/new", get(client_forms::new_app_form).post(client_forms::create_app))
        .route(
            "/console/t/{tenant}/clients/new-agent",
            get(client_forms::new_agent_form).post(client_forms::create_agent),
        )
        .route("/console/t/{tenant}/clients/{client}", get(clients::client))
        .route("/console/t/{tenant}/clients/{client}/edit", get(client_forms::edit).post(client_forms::save))
        .route("/console/t/{tenant}/clients/{client}/{action}", get(clients::confirm).post(clients::act))
        .route("/console/t/{tenant}/users", get(pages::users))
        .route("/console/t/{tenant}/users/new", get(user_forms::new_user).post(user_forms::create_user))
        .route("/console/t/{tenant}/users/{user_id}", get(pages::user))
        .route("/console/t/{tenant}/users/{user_id}/edit", get(user_forms::edit).post(user_forms::save))
        .route("/console/t/{tenant}/users/{user_id}/{part}/{item}", post(user_forms::item))
        .route("/console/t/{tenant}/users/{user_id}/{action}", get(pages::confirm).post(pages::act))
        .layer(axum::middleware::from_fn_with_state(state.clone(), language))
}
/// The console's script: progressive enhancement only (every page works without it).
async fn script() -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    (headers, include_str!("../../assets/console.js")).into_response()
}

/// Runs a console page in the request's language ([`crate::http::language::negotiate`]); the
/// switcher's choice is kept in the console's language cookie.
async fn language(State(st): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let name = cookie_name(&st, LANGUAGE_COOKIE);
    let cookie = crate::http::cookie_value(req.headers(), &name.0).map(str::to_owned);
    let (mut res, picked) = crate::http::language::negotiate(req, next, cookie.as_deref()).await;
    if let Some(locale) = picked
        && let Ok(v) = HeaderValue::from_str(&set_cookie(
            &st,
            LANGUAGE_COOKIE,
            Some(locale.tag()),
            crate::http::language::PICKED_TTL,
        ))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The console session's cookie (its base name).
const SESSION_COOKIE: &str = "ciam_console";
/// The cookie that keeps the language picked with the switcher.
const LANGUAGE_COOKIE: &str = "ciam_console_lang";

/// A console cookie's name, path and attributes: `__Host-{base}` on https, else `{base}` at
/// `/console`.
fn cookie_name(st: &AppState, base: &str) -> (String, &'static str, &'static str) {
    if st.node.public_url.starts_with("https://") {
        (format!("__Host-{base}"), "/", "; Secure")
    } else {
        (base.to_owned(), "/console", "")
    }
}

fn read_cookie<'a>(st: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    crate::http::cookie_value(headers, &cookie_name(st, SESSION_COOKIE).0)
}

fn set_cookie(st: &AppState, base: &str, value: Option<&str>, max_age: Duration) -> String {
    let (name, path, secure) = cookie_name(st, base);
    let (value, max_age) = value.map_or(("", 0), |v| (v, max_age.as_secs()));
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The signed-in administrator of a console page, and their session.
pub(crate) struct Signed {
    pub(crate) session: ConsoleSession,
    pub(crate) admin: Admin,
    pub(crate) brand: Brand,
    /// How the pages name them: a person's email address, else [`Admin::label`].
    pub(crate) name: String,
}

/// The administrator of the request, or the answer to give instead: off to sign in (coming back
/// to `here`), or an error page.
pub(crate) async fn signed_in(st: &AppState, headers: &HeaderMap, here: &str) -> Result<Signed, Response> {
    let control = &st.node.admin.control_tenant;
    let brand = st.directory.tenant(st.durable.as_ref(), control).await.map_err(failure)?;
    let brand = brand.map_or_else(Brand::neutral, |t| Brand::of(&t));
    let Some(cookie) = read_cookie(st, headers) else { return Err(to_sign_in(here, false)) };
    let Some((session, admin)) = console::session(st, cookie).await.map_err(failure)? else {
        return Err(to_sign_in(here, false));
    };
    let name = admin.email.clone().unwrap_or_else(|| admin.label());
    Ok(Signed { session, admin, brand, name })
}

impl Signed {
    /// Whether the administrator may do `permission` in `tenant`.
    pub(crate) fn may(&self, tenant: &TenantId, permission: Permission) -> bool {
        self.admin.grants.decide(Some(tenant), permission) == Access::Allowed
    }

    /// The page for a request the administrator may not make: "not found" for a tenant they
    /// have no role in, "not allowed" otherwise; `None` when they may.
    pub(crate) fn refusal(&self, tenant: &TenantId, permission: Permission) -> Option<Response> {
        match self.admin.grants.decide(Some(tenant), permission) {
            Access::Allowed => None,
            Access::Hidden => Some(self.not_found()),
            Access::Forbidden => Some(error_page(StatusCode::FORBIDDEN, &self.brand, &tr(msg!("console-forbidden")))),
        }
    }

    /// The "not found" page: for what does not exist, and for a tenant without a role of theirs.
    pub(crate) fn not_found(&self) -> Response {
        error_page(StatusCode::NOT_FOUND, &self.brand, &tr(msg!("console-not-found")))
    }

    /// Whether a form's CSRF token is this session's.
    pub(crate) fn csrf_ok(&self, presented: &str) -> bool {
        crate::http::csrf_ok(&self.session.csrf, Some(presented))
    }

    /// Whether the person signed in recently enough for a dangerous action.
    pub(crate) fn recent(&self, st: &AppState) -> bool {
        st.clock.now().unix_timestamp() - self.session.auth_time <= console::RECENT_SECS
    }
}

/// Where to sign in, coming back to `here`; `fresh` asks for a new sign-in.
pub(crate) fn sign_in_url(here: &str, fresh: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("back", here);
    if fresh {
        query.append_pair("fresh", "1");
    }
    format!("/console/login?{}", query.finish())
}

/// Off to sign in, coming back to `here`; `fresh` asks for a new sign-in.
pub(crate) fn to_sign_in(here: &str, fresh: bool) -> Response {
    see_other(&sign_in_url(here, fresh))
}

/// The answer to a failure of the stores or a service.
fn failure(e: impl Into<crate::services::ServiceError>) -> Response {
    crate::error::Problem::from(e.into()).into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    back: Option<String>,
    fresh: Option<String>,
}

/// `GET /console/login`: starts a sign-in through the control tenant.
async fn login(State(st): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    // Only a console path is a place to come back to.
    let back =
        q.back.filter(|b| b.starts_with("/console") && !b.starts_with("//")).unwrap_or_else(|| "/console".into());
    match console::start_sign_in(&st, &back, q.fresh.is_some()).await {
        Ok(url) => see_other(&url),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
}

/// `GET /console/callback`: the control tenant's answer; opens the console session.
async fn callback(State(st): State<AppState>, caller: Caller, Query(q): Query<CallbackQuery>) -> Response {
    let brand = Brand::neutral();
    let (Some(state), Some(code)) = (q.state, q.code) else {
        return error_page(StatusCode::BAD_REQUEST, &brand, &tr(msg!("console-sign-in-failed")));
    };
    match console::finish_sign_in(&st, &caller, &state, &code).await {
        Ok(Some((cookie, lifetime, back))) => {
            let mut res = see_other(&back);
            if let Ok(v) = HeaderValue::from_str(&set_cookie(&st, SESSION_COOKIE, Some(&cookie), lifetime)) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(None) => error_page(StatusCode::BAD_REQUEST, &brand, &tr(msg!("console-sign-in-failed"))),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// `POST /console/logout`: ends the console session (the control tenant's own session stays, as
/// for any relying party; its account pages sign out of it).
async fn logout(State(st): State<AppState>, headers: HeaderMap, axum::Form(form): axum::Form<CsrfForm>) -> Response {
    let signed = match signed_in(&st, &headers, "/console").await {
        Ok(s) => s,
        Err(res) => return res,
    };
    if !signed.csrf_ok(&form.csrf) {
        return error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-form-expired")));
    }
    if let Some(cookie) = read_cookie(&st, &headers)
        && let Err(e) = console::sign_out(&st, cookie).await
    {
        return failure(e);
    }
    let mut res = see_other(&format!("{}/account", st.issuer(&st.node.admin.control_tenant)));
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&st, SESSION_COOKIE, None, Duration::ZERO)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
