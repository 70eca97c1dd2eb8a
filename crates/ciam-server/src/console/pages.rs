//! The console's pages: tenants, a tenant's users (search and keyset pagination), a user, and
//! resetting a user's factors (confirmed, after a recent sign-in).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::admin::Permission;
use ciam_core::email::Email;
use ciam_core::id::{TenantId, UserId};
use ciam_core::page::PageRequest;
use ciam_core::tenant::Tenant;
use ciam_core::user::User;
use serde::Deserialize;

use super::{Signed, failure, sign_in_url, signed_in, to_sign_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, error_page, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr};
use crate::services::{By, users};
use crate::state::AppState;

/// Users per page.
const PAGE_SIZE: u32 = 50;

hosted_pages!(TenantsPage, UsersPage, UserPage, ResetPage);

/// What every console page shows around its content.
struct Frame<'a> {
    /// Who is signed in.
    who: &'a str,
    csrf: &'a str,
}

impl<'a> Frame<'a> {
    fn of(signed: &'a Signed) -> Self {
        Self { who: &signed.name, csrf: &signed.session.csrf }
    }
}

#[derive(Template)]
#[template(path = "console_tenants.html")]
struct TenantsPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenants: Vec<Tenant>,
}

#[derive(Template)]
#[template(path = "console_users.html")]
struct UsersPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    query: String,
    users: Vec<User>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "console_user.html")]
struct UserPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    user: &'a User,
    /// `None` without `factors:read`.
    factors: Option<Vec<(String, String)>>,
    may_reset: bool,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console_reset.html")]
struct ResetPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    user: &'a User,
    /// Where to sign in again first, when the sign-in is not recent.
    sign_in_again: Option<String>,
}

/// `GET /console`: the tenants the administrator has a role in (every tenant deployment-wide).
pub(super) async fn tenants(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let signed = match signed_in(&st, &headers, "/console").await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let mut tenants = Vec::new();
    match signed.admin.grants.tenants() {
        None => {
            let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
            loop {
                match st.durable.list_tenants(&page).await {
                    Ok(p) => {
                        tenants.extend(p.items);
                        match p.next_after {
                            Some(next) => page.after = Some(next),
                            None => break,
                        }
                    }
                    Err(e) => return failure(e.into()),
                }
            }
        }
        Some(ids) => {
            for id in ids {
                match st.durable.get_tenant(id).await {
                    Ok(t) => tenants.extend(t),
                    Err(e) => return failure(e.into()),
                }
            }
        }
    }
    html(StatusCode::OK, &TenantsPage { brand: &signed.brand, frame: Frame::of(&signed), tenants })
}

/// The tenant a console path names, once the administrator may see it with `permission`.
async fn tenant_for(st: &AppState, signed: &Signed, tenant: &str, permission: Permission) -> Result<Tenant, Response> {
    let not_found = || error_page(StatusCode::NOT_FOUND, &signed.brand, &tr(msg!("console-not-found")));
    let id = TenantId::parse(tenant).map_err(|_| not_found())?;
    if let Some(refused) = signed.refusal(&id, permission) {
        return Err(refused);
    }
    match st.durable.get_tenant(&id).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(not_found()),
        Err(e) => Err(failure(e.into())),
    }
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    /// An email address or a user id.
    q: Option<String>,
    /// The last user id of the previous page.
    after: Option<String>,
}

/// `GET /console/t/{tenant}/users`: the tenant's users, 50 a page in id order, or the one an
/// email address or user id names.
pub(super) async fn users(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<UsersQuery>,
) -> Response {
    let here = format!("/console/t/{tenant}/users");
    let signed = match signed_in(&st, &headers, &here).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let tenant = match tenant_for(&st, &signed, &tenant, Permission::UsersRead).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let query = q.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (users, next) = if query.is_empty() {
        let page = PageRequest { limit: PAGE_SIZE, after: q.after.filter(|a| !a.is_empty()) };
        match st.durable.list_users(&tenant.id, &page).await {
            Ok(p) => (p.items, p.next_after),
            Err(e) => return failure(e.into()),
        }
    } else {
        let found = match (UserId::parse(&query), Email::parse(&query)) {
            (Ok(id), _) => st.durable.get_user(&tenant.id, &id).await,
            (_, Ok(email)) => st.durable.find_user_by_email(&tenant.id, email.normalized()).await,
            _ => Ok(None),
        };
        match found {
            Ok(u) => (u.into_iter().collect(), None),
            Err(e) => return failure(e.into()),
        }
    };
    let page = UsersPage { brand: &signed.brand, frame: Frame::of(&signed), tenant: &tenant, query, users, next };
    html(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub(super) struct UserQuery {
    done: Option<String>,
}

/// The user a console path names.
async fn user_of(st: &AppState, signed: &Signed, tenant: &TenantId, id: &str) -> Result<User, Response> {
    let not_found = || error_page(StatusCode::NOT_FOUND, &signed.brand, &tr(msg!("console-not-found")));
    let id = UserId::parse(id).map_err(|_| not_found())?;
    match st.durable.get_user(tenant, &id).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(not_found()),
        Err(e) => Err(failure(e.into())),
    }
}

/// `GET /console/t/{tenant}/users/{user_id}`: a user, their factors (with `factors:read`), and
/// what the administrator may do.
pub(super) async fn user(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, user_id)): Path<(String, String)>,
    Query(q): Query<UserQuery>,
) -> Response {
    let here = format!("/console/t/{tenant}/users/{user_id}");
    let signed = match signed_in(&st, &headers, &here).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let tenant = match tenant_for(&st, &signed, &tenant, Permission::UsersRead).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let user = match user_of(&st, &signed, &tenant.id, &user_id).await {
        Ok(u) => u,
        Err(res) => return res,
    };
    let factors = if signed.may(&tenant.id, Permission::FactorsRead) {
        match st.durable.list_factors(&tenant.id, &user.id).await {
            Ok(f) => Some(f.into_iter().map(|f| (f.kind.as_str().to_owned(), f.name)).collect()),
            Err(e) => return failure(e.into()),
        }
    } else {
        None
    };
    let may_reset = signed.may(&tenant.id, Permission::FactorsWrite);
    let notice = q.done.filter(|d| d == "factors-reset").map(|_| tr(msg!("console-factors-were-reset")));
    let page = UserPage {
        brand: &signed.brand,
        frame: Frame::of(&signed),
        tenant: &tenant,
        user: &user,
        factors,
        may_reset,
        notice,
    };
    html(StatusCode::OK, &page)
}

/// `GET …/reset-factors`: asks to confirm (or to sign in again first).
pub(super) async fn reset_confirm(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, user_id)): Path<(String, String)>,
) -> Response {
    let here = format!("/console/t/{tenant}/users/{user_id}/reset-factors");
    let signed = match signed_in(&st, &headers, &here).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let tenant = match tenant_for(&st, &signed, &tenant, Permission::FactorsWrite).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let user = match user_of(&st, &signed, &tenant.id, &user_id).await {
        Ok(u) => u,
        Err(res) => return res,
    };
    let sign_in_again = (!signed.recent(&st)).then(|| sign_in_url(&here, true));
    let page =
        ResetPage { brand: &signed.brand, frame: Frame::of(&signed), tenant: &tenant, user: &user, sign_in_again };
    html(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub(super) struct ResetForm {
    csrf: String,
}

/// `POST …/reset-factors`: removes every second factor and passkey of the user.
pub(super) async fn reset(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, user_id)): Path<(String, String)>,
    axum::Form(form): axum::Form<ResetForm>,
) -> Response {
    let here = format!("/console/t/{tenant}/users/{user_id}/reset-factors");
    let signed = match signed_in(&st, &headers, &here).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    if !signed.csrf_ok(&form.csrf) {
        return error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-form-expired")));
    }
    let tenant = match tenant_for(&st, &signed, &tenant, Permission::FactorsWrite).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    if !signed.recent(&st) {
        return to_sign_in(&here, true);
    }
    let user = match user_of(&st, &signed, &tenant.id, &user_id).await {
        Ok(u) => u,
        Err(res) => return res,
    };
    let by = By::admin(caller, &signed.admin);
    if let Err(e) = users::reset_factors(&st, &by, &tenant.id, &user.id, None).await {
        return failure(e);
    }
    see_other(&format!("/console/t/{}/users/{}?done=factors-reset", tenant.id, user.id))
}
