//! A tenant's administrators in the console: who holds which role there, giving a role to a
//! person by their address (a new control-tenant account is made for an address that has none,
//! and mailed a link to choose its password), and taking a role back. The no-escalation rule of
//! the management API holds: a role with a permission the giver lacks is refused.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::{BuiltinRole, Permission, Principal, Scope};
use ciam_core::email::Email;
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserProfile, UserSource, UserStatus};
use serde::Deserialize;

use super::pages::{ConfirmForm, tenant_for};
use super::parts::{Field, Form, Frame, ListQuery, Page, Section, form_page, page_after, when};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr};
use crate::services::{By, ServiceError, accounts, admins, users};
use crate::state::AppState;

hosted_pages!(AdministratorsPage);

/// A role assignment as the list shows it.
struct Row {
    id: String,
    who: String,
    role: String,
    since: String,
}

#[derive(Template)]
#[template(path = "console_administrators.html")]
struct AdministratorsPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    rows: Vec<Row>,
    next: Option<String>,
    may_write: bool,
    notice: Option<String>,
}

/// `GET /console/t/{tenant}/administrators`: the roles given for this tenant, 50 a page.
pub(super) async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/administrators")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::RolesRead).await?;
    let control = &st.node.admin.control_tenant;
    let page = page_after(q.after);
    let scope = Scope::Tenant(tenant.id.clone());
    let found = st.durable.list_role_assignments(control, &scope, &page).await.map_err(failure)?;
    let mut rows = Vec::with_capacity(found.items.len());
    for a in found.items {
        let who = match &a.principal {
            Principal::User(id) => match st.durable.get_user(control, id).await.map_err(failure)? {
                Some(user) => user.email.as_str().to_owned(),
                None => id.to_string(),
            },
            Principal::ServiceAccount(id) => {
                crate::i18n::tr_with(msg!("console-service-account"), &[("id", id.as_str())])
            }
        };
        rows.push(Row { id: a.id, who, role: a.role, since: when(a.created_at) });
    }
    let notice = match q.done.as_deref() {
        Some("added") => Some(tr(msg!("console-administrator-added"))),
        Some("invited") => Some(tr(msg!("console-administrator-invited"))),
        Some("removed") => Some(tr(msg!("console-administrator-removed"))),
        _ => None,
    };
    let page = AdministratorsPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Administrators),
        may_write: signed.may(&tenant.id, Permission::RolesWrite),
        tenant: &tenant,
        rows,
        next: found.next_after,
        notice,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub(super) struct NewAdministrator {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The form that gives a role, with `input` as typed; the roles are the built-in ones and the
/// deployment's own.
async fn administrator_form(st: &AppState, tenant: &Tenant, input: &NewAdministrator) -> Result<Form, ServiceError> {
    let mut roles: Vec<(String, String)> = BuiltinRole::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), format!("{} — {}", r.as_str(), r.description())))
        .collect();
    for custom in st.durable.custom_roles(&st.node.admin.control_tenant).await? {
        roles.push((custom.name.clone(), format!("{} — {}", custom.name, custom.description)));
    }
    let role = if input.role.is_empty() { BuiltinRole::Admin.as_str() } else { &input.role };
    Ok(Form {
        title: tr(msg!("console-add-administrator")),
        intro: Some(tr(msg!("console-add-administrator-intro"))),
        action: format!("/console/t/{}/administrators/new", tenant.id),
        submit: tr(msg!("console-add-administrator")),
        back: format!("/console/t/{}/administrators", tenant.id),
        fields: vec![
            Field::text("email", tr(msg!("console-col-email")), &input.email).kind("email"),
            Field::text("role", tr(msg!("console-role")), role).options(roles),
        ],
        error: None,
    })
}

/// `GET /console/t/{tenant}/administrators/new`: the form.
pub(super) async fn new_administrator(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/administrators/new")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::RolesWrite).await?;
    let form = administrator_form(&st, &tenant, &NewAdministrator::default()).await.map_err(failure)?;
    Ok(form_page(&signed, Frame::in_tenant(&signed, &tenant.id, Section::Administrators), form))
}

/// `POST /console/t/{tenant}/administrators/new`: gives the role to the control-tenant account
/// of the address, made first (and mailed a link to choose a password) when there is none.
pub(super) async fn add(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<NewAdministrator>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/administrators/new")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::RolesWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Administrators);
    let form = administrator_form(&st, &tenant, &input).await.map_err(failure)?;
    let email = match Email::parse(input.email.trim()) {
        Ok(email) => email,
        Err(e) => return Ok(form_page(&signed, frame, form.refused(&e.on("email")))),
    };
    match give(&st, &signed, &By::admin(caller, &signed.admin), &tenant, email, input.role).await {
        Ok(made) => {
            let done = if made { "invited" } else { "added" };
            Ok(see_other(&format!("/console/t/{}/administrators?done={done}", tenant.id)))
        }
        Err(e) => Ok(form_page(&signed, frame, form.after(e, "role")?)),
    }
}

/// Gives `role` for `tenant` to the control-tenant account of `email`; `true` when the account
/// was made for it (and mailed the link that sets its password).
async fn give(
    st: &AppState,
    signed: &Signed,
    by: &By,
    tenant: &Tenant,
    email: Email,
    role: String,
) -> Result<bool, ServiceError> {
    let control_id = &st.node.admin.control_tenant;
    let scope = Scope::Tenant(tenant.id.clone());
    // The role is checked before an account is made for it.
    let permissions = admins::permissions_of(st, &role).await.map_err(|e| match e {
        ServiceError::Invalid(_) => ServiceError::Invalid(ciam_core::FieldError::new("role", "no such role")),
        e => e,
    })?;
    if !signed.admin.grants.covers(&scope, &permissions) {
        return Err(ServiceError::Invalid(ciam_core::FieldError::new(
            "role",
            format!("it has permissions you do not hold for {}", tenant.id),
        )));
    }
    let (user, made) = match st.durable.find_user_by_email(control_id, email.normalized()).await? {
        Some(user) => (user, false),
        None => {
            let now = st.clock.now();
            let user = User {
                tenant_id: control_id.clone(),
                id: ciam_core::id::UserId::generate(),
                email,
                email_verified: false,
                status: UserStatus::Active,
                profile: UserProfile::default(),
                source: UserSource::Admin,
                created_at: now,
                updated_at: now,
            };
            users::create(st, by, &user, None).await?;
            (user, true)
        }
    };
    admins::assign(st, by, &signed.admin, Principal::User(user.id), scope, role).await?;
    if made {
        let control = st.durable.get_tenant(control_id).await?.ok_or(ciam_core::store::StoreError::NotFound)?;
        accounts::request_mail(st, &control, by, &user, accounts::Purpose::Reset).await?;
    }
    Ok(made)
}

/// `POST /console/t/{tenant}/administrators/{id}/remove`: takes the role back.
pub(super) async fn remove(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/administrators");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::RolesWrite).await?;
    let control = &st.node.admin.control_tenant;
    let assignment = st.durable.get_role_assignment(control, &id).await.map_err(failure)?;
    let Some(assignment) = assignment.filter(|a| a.scope == Scope::Tenant(tenant.id.clone())) else {
        return Err(signed.not_found());
    };
    match admins::unassign(&st, &By::admin(caller, &signed.admin), &signed.admin, &assignment).await {
        Ok(_) => Ok(see_other(&format!("/console/t/{}/administrators?done=removed", tenant.id))),
        Err(ServiceError::Forbidden(_)) => {
            Err(crate::http::page::error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-forbidden"))))
        }
        Err(e) => Err(failure(e)),
    }
}
