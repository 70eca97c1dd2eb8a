//! The console's pages: tenants, a tenant's users (search and keyset pagination), a user, and
//! resetting a user's factors (confirmed, after a recent sign-in).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::admin::{Access, Permission};
use ciam_core::email::Email;
use ciam_core::id::{TenantId, UserId};
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserStatus};
use serde::Deserialize;

use super::parts::{Danger, Frame, ListQuery, Page, Section, confirm_page, page_after, when};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr};
use crate::services::sessions::{Which, end_user_sessions, user_sessions};
use crate::services::{By, ServiceError, admins, delegations, users};
use crate::state::AppState;

/// What an administrator may do to a user from the console: each is a dangerous action, asked
/// for on a confirmation page of its own and done only after a recent sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Remove every second factor and passkey.
    ResetFactors,
    /// End every session and refresh token.
    SignOut,
    /// Disable the account (which signs them out everywhere).
    Disable,
    /// Enable a disabled account.
    Enable,
}

impl Action {
    /// Every action, in the order the user page offers them.
    const ALL: [Action; 4] = [Self::ResetFactors, Self::SignOut, Self::Disable, Self::Enable];

    /// The action's path segment.
    pub(super) fn slug(self) -> &'static str {
        match self {
            Self::ResetFactors => "reset-factors",
            Self::SignOut => "sign-out",
            Self::Disable => "disable",
            Self::Enable => "enable",
        }
    }

    fn of(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    fn permission(self) -> Permission {
        match self {
            Self::ResetFactors => Permission::FactorsWrite,
            Self::SignOut => Permission::SessionsWrite,
            Self::Disable | Self::Enable => Permission::UsersWrite,
        }
    }

    /// Whether it applies to `user` as they are.
    fn applies(self, user: &User) -> bool {
        match self {
            Self::Disable | Self::SignOut => user.status == UserStatus::Active,
            Self::Enable => user.status == UserStatus::Disabled,
            Self::ResetFactors => true,
        }
    }

    /// The button (and page title).
    pub(super) fn label(self) -> String {
        tr(match self {
            Self::ResetFactors => msg!("console-reset-factors"),
            Self::SignOut => msg!("console-sign-out-everywhere"),
            Self::Disable => msg!("console-disable"),
            Self::Enable => msg!("console-enable"),
        })
    }

    /// The question the confirmation page asks about `email`.
    fn question(self, email: &str) -> String {
        let id = match self {
            Self::ResetFactors => msg!("console-reset-question"),
            Self::SignOut => msg!("console-sign-out-question"),
            Self::Disable => msg!("console-disable-question"),
            Self::Enable => msg!("console-enable-question"),
        };
        crate::i18n::tr_with(id, &[("email", email)])
    }

    /// What the user page says once it is done.
    fn done(self) -> String {
        tr(match self {
            Self::ResetFactors => msg!("console-factors-were-reset"),
            Self::SignOut => msg!("console-signed-out-everywhere"),
            Self::Disable => msg!("console-was-disabled"),
            Self::Enable => msg!("console-was-enabled"),
        })
    }
}

hosted_pages!(TenantsPage, UsersPage, UserPage);

#[derive(Template)]
#[template(path = "console_tenants.html")]
struct TenantsPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenants: Vec<Tenant>,
    next: Option<String>,
    /// Whether the administrator may create tenants.
    may_create: bool,
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
    may_create: bool,
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
    /// What the administrator may do to the user: path segment and label.
    actions: Vec<(&'static str, String)>,
    notice: Option<String>,
    /// Each `None` without the permission that reads it.
    sessions: Option<Vec<SessionRow>>,
    consents: Option<Vec<ConsentRow>>,
    delegations: Option<Vec<DelegationRow>>,
    identities: Option<Vec<IdentityRow>>,
    /// What the administrator may change in place: edit and mail (`users:write`), end a
    /// session, revoke a delegation.
    may_edit: bool,
    may_end_sessions: bool,
    may_revoke: bool,
}

/// A session as the user page lists it.
struct SessionRow {
    sid: String,
    since: String,
    how: String,
    browser: String,
}

/// A consent as the user page lists it.
struct ConsentRow {
    client: String,
    scope: String,
    since: String,
}

/// A delegation as the user page lists it.
struct DelegationRow {
    id: String,
    agent: String,
    scope: String,
    active: bool,
    status: &'static str,
    until: String,
}

/// A linked upstream account as the user page lists it.
struct IdentityRow {
    provider: String,
    subject: String,
    email: String,
    since: String,
}

/// `GET /console`: the tenants the administrator has a role in (every tenant deployment-wide),
/// 50 a page in id order.
pub(super) async fn tenants(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Page {
    let signed = signed_in(&st, &headers, "/console").await?;
    let page = page_after(q.after);
    let tenants = admins::visible_tenants(&st, &signed.admin.grants, &page).await.map_err(failure)?;
    let page = TenantsPage {
        brand: &signed.brand,
        frame: Frame::of(&signed),
        tenants: tenants.items,
        next: tenants.next_after,
        may_create: signed.admin.grants.decide(None, Permission::TenantsCreate) == Access::Allowed,
    };
    Ok(html(StatusCode::OK, &page))
}

/// The tenant a console path names, once the administrator may see it with `permission`.
pub(super) async fn tenant_for(
    st: &AppState,
    signed: &Signed,
    tenant: &str,
    permission: Permission,
) -> Result<Tenant, Response> {
    let id = TenantId::parse(tenant).map_err(|_| signed.not_found())?;
    if let Some(refused) = signed.refusal(&id, permission) {
        return Err(refused);
    }
    st.durable.get_tenant(&id).await.map_err(failure)?.ok_or_else(|| signed.not_found())
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    /// An email address or a user id.
    q: Option<String>,
    /// The last user id of the previous page.
    after: Option<String>,
}

/// `GET /console/t/{tenant}/users`: the tenant's users, 50 a page in id order; the one an email
/// address or user id names; or those whose name starts with the search, 50 a page in name
/// order.
pub(super) async fn users(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<UsersQuery>,
) -> Page {
    let here = format!("/console/t/{tenant}/users");
    let signed = signed_in(&st, &headers, &here).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersRead).await?;
    let query = q.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Users);
    let may_create = signed.may(&tenant.id, Permission::UsersWrite);
    let one = |found: Option<User>| (found.into_iter().collect::<Vec<_>>(), None);
    let (users, next) = match (query.as_str(), UserId::parse(&query), Email::parse(&query)) {
        ("", _, _) => {
            let p = st.durable.list_users(&tenant.id, &page_after(q.after)).await.map_err(failure)?;
            (p.items, p.next_after.map(|after| next_query("", &after)))
        }
        (_, Ok(id), _) => one(st.durable.get_user(&tenant.id, &id).await.map_err(failure)?),
        (_, _, Ok(email)) => {
            one(st.durable.find_user_by_email(&tenant.id, email.normalized()).await.map_err(failure)?)
        }
        // Anything else is the start of a name.
        _ => {
            let key = ciam_core::user::name_key(&query);
            let p = st.durable.find_users_by_name(&tenant.id, &key, &page_after(q.after)).await.map_err(failure)?;
            (p.items, p.next_after.map(|after| next_query(&query, &after)))
        }
    };
    let page = UsersPage { brand: &signed.brand, frame, tenant: &tenant, query, users, next, may_create };
    Ok(html(StatusCode::OK, &page))
}

/// The query string of the next page of a list (`q` kept when searching).
fn next_query(q: &str, after: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    query.append_pair("after", after).finish()
}

/// The user a console path names.
pub(super) async fn user_of(st: &AppState, signed: &Signed, tenant: &TenantId, id: &str) -> Result<User, Response> {
    let id = UserId::parse(id).map_err(|_| signed.not_found())?;
    st.durable.get_user(tenant, &id).await.map_err(failure)?.ok_or_else(|| signed.not_found())
}

/// `GET /console/t/{tenant}/users/{user_id}`: a user, their factors (with `factors:read`), and
/// what the administrator may do.
pub(super) async fn user(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, user_id)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Page {
    let here = format!("/console/t/{tenant}/users/{user_id}");
    let signed = signed_in(&st, &headers, &here).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersRead).await?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let factors = if signed.may(&tenant.id, Permission::FactorsRead) {
        let factors = st.durable.list_factors(&tenant.id, &user.id).await.map_err(failure)?;
        Some(factors.into_iter().map(|f| (f.kind.as_str().to_owned(), f.name)).collect())
    } else {
        None
    };
    let actions = Action::ALL
        .into_iter()
        .filter(|a| a.applies(&user) && signed.may(&tenant.id, a.permission()))
        .map(|a| (a.slug(), a.label()))
        .collect();
    let notice = q.done.as_deref().and_then(|done| match done {
        "created" => Some(tr(msg!("console-user-created"))),
        "saved" => Some(tr(msg!("console-user-saved"))),
        "sessions" => Some(tr(msg!("console-session-ended"))),
        "consents" => Some(tr(msg!("console-consent-withdrawn"))),
        "delegations" => Some(tr(msg!("console-delegation-revoked"))),
        "mail" => Some(tr(msg!("console-mail-sent"))),
        other => Action::of(other).map(Action::done),
    });
    let (id, ns) = (&tenant.id, tenant.ns());
    let sessions = match signed.may(id, Permission::SessionsRead) {
        true => Some(
            user_sessions(&st, &ns, &user.id.to_string())
                .await
                .map_err(|e| failure(ServiceError::Sessions(e)))?
                .into_iter()
                .map(|(_, s)| SessionRow {
                    since: at(s.auth_time),
                    how: s.amr.join(", "),
                    browser: s.user_agent.unwrap_or_default(),
                    sid: s.sid,
                })
                .collect(),
        ),
        false => None,
    };
    let (consents, identities) = match signed.may(id, Permission::UsersRead) {
        true => {
            let consents = st.durable.list_consents(id, &user.id).await.map_err(failure)?;
            let consents = consents
                .into_iter()
                .map(|(client, scope, granted_at)| ConsentRow {
                    client: client.to_string(),
                    scope,
                    since: when(granted_at),
                })
                .collect();
            let links = st.durable.list_user_identities(id, &user.id).await.map_err(failure)?;
            let links = links
                .into_iter()
                .map(|l| IdentityRow {
                    provider: l.provider_id,
                    subject: l.subject,
                    email: l.email.unwrap_or_default(),
                    since: when(l.linked_at),
                })
                .collect();
            (Some(consents), Some(links))
        }
        false => (None, None),
    };
    let delegations = match signed.may(id, Permission::DelegationsRead) {
        true => Some(
            delegations::list(&st, id, &user.id)
                .await
                .map_err(failure)?
                .into_iter()
                .map(|d| DelegationRow {
                    active: d.status == "active",
                    status: d.status,
                    until: at(d.expires_at),
                    scope: d.scope,
                    agent: d.agent_id,
                    id: d.id,
                })
                .collect(),
        ),
        false => None,
    };
    let page = UserPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Users),
        tenant: &tenant,
        user: &user,
        factors,
        actions,
        notice,
        sessions,
        consents,
        delegations,
        identities,
        may_edit: signed.may(id, Permission::UsersWrite),
        may_end_sessions: signed.may(id, Permission::SessionsWrite),
        may_revoke: signed.may(id, Permission::DelegationsWrite),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/t/{tenant}/users/{user_id}/{action}`: asks to confirm (or to sign in again
/// first).
pub(super) async fn confirm(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, user_id, slug)): Path<(String, String, String)>,
) -> Page {
    let here = format!("/console/t/{tenant}/users/{user_id}/{slug}");
    let signed = signed_in(&st, &headers, &here).await?;
    let Some(action) = Action::of(&slug) else { return Err(signed.not_found()) };
    let tenant = tenant_for(&st, &signed, &tenant, action.permission()).await?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let back = format!("/console/t/{}/users/{}", tenant.id, user.id);
    let danger = Danger {
        label: action.label(),
        question: action.question(user.email.as_str()),
        post_to: format!("{back}/{}", action.slug()),
        back,
        typed: None,
    };
    Ok(confirm_page(&st, &signed, Frame::in_tenant(&signed, &tenant.id, Section::Users), danger, &here))
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    pub(super) csrf: String,
    /// What a confirmation asked to be typed, where it asked.
    pub(super) confirm: Option<String>,
}

/// `POST /console/t/{tenant}/users/{user_id}/{action}`: does it, through the same services as
/// the management API, and says so on the user's page.
pub(super) async fn act(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, user_id, slug)): Path<(String, String, String)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/users/{user_id}/{slug}");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let Some(action) = Action::of(&slug) else { return Err(signed.not_found()) };
    let tenant = tenant_for(&st, &signed, &tenant, action.permission()).await?;
    signed.check_recent(&st, &here)?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let by = By::admin(caller, &signed.admin);
    let done = match action {
        Action::ResetFactors => users::reset_factors(&st, &by, &tenant.id, &user.id, None).await.map(drop),
        Action::SignOut => end_user_sessions(&st, &by, &tenant, &user.id, Which::All).await.map(drop),
        Action::Disable | Action::Enable => {
            let status = if action == Action::Disable { UserStatus::Disabled } else { UserStatus::Active };
            let after = User { status, updated_at: st.clock.now(), ..user.clone() };
            users::update(&st, &by, &tenant, &user, &after, None).await
        }
    };
    done.map_err(failure)?;
    Ok(see_other(&format!("/console/t/{}/users/{}?done={}", tenant.id, user.id, action.slug())))
}

/// A time in unix seconds as the console shows it.
fn at(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix).map(when).unwrap_or_default()
}
