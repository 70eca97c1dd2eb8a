//! Changing a user from the console: creating one, editing their address and profile, and the
//! one-click changes listed on their page (ending one session, withdrawing a consent, revoking a
//! delegation, sending the verification or password reset mail), each behind its permission and
//! audited as through the management API.

use axum::extract::State;
use axum::http::HeaderMap;
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::email::Email;
use ciam_core::id::{ClientId, UserId};
use ciam_core::secret::Secret;
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserProfile, UserSource, UserStatus};
use serde::Deserialize;

use super::pages::{ConfirmForm, tenant_for, user_of};
use super::parts::{Field, Form, Frame, Page, Section, form_page};
use super::{failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::see_other;
use crate::i18n::{msg, tr};
use crate::services::sessions::{Which, end_user_sessions};
use crate::services::{By, ServiceError, accounts, delegations, users};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(super) struct UserInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    phone_number: String,
    #[serde(default)]
    birthdate: String,
    #[serde(default)]
    locale: String,
    /// Only when creating: empty mails the user a link to set it instead.
    #[serde(default)]
    password: String,
}

/// The form that creates (`user` absent) or edits a user, with `input` as typed.
fn user_form(tenant: &Tenant, user: Option<&User>, input: &UserInput) -> Form {
    let mut fields = vec![
        Field::text("email", tr(msg!("console-col-email")), &input.email).kind("email"),
        Field::text("name", tr(msg!("console-col-name")), &input.name).optional(),
        Field::text("given_name", tr(msg!("claim-given-name")), &input.given_name).optional(),
        Field::text("family_name", tr(msg!("claim-family-name")), &input.family_name).optional(),
        Field::text("phone_number", tr(msg!("claim-phone-number")), &input.phone_number).optional(),
        Field::text("birthdate", tr(msg!("claim-birthdate")), &input.birthdate)
            .optional()
            .hint(tr(msg!("profile-birthdate-hint"))),
        Field::text("locale", tr(msg!("claim-locale")), &input.locale).optional(),
    ];
    let (title, action, submit, back) = match user {
        None => {
            fields.push(
                Field::text("password", tr(msg!("console-initial-password")), "")
                    .kind("password")
                    .optional()
                    .hint(tr(msg!("console-initial-password-hint"))),
            );
            let users = format!("/console/t/{}/users", tenant.id);
            (msg!("console-new-user"), format!("{users}/new"), msg!("console-create-user"), users)
        }
        Some(u) => {
            let page = format!("/console/t/{}/users/{}", tenant.id, u.id);
            (msg!("console-edit-user"), format!("{page}/edit"), msg!("console-save"), page)
        }
    };
    Form { title: tr(title), intro: None, action, submit: tr(submit), back, fields, error: None }
}

/// The address and profile the form gives (over `profile`: the claims it has no field for
/// stay), or the first thing wrong with them.
fn checked(input: &UserInput, profile: UserProfile) -> Result<(Email, UserProfile), FieldError> {
    let email = Email::parse(input.email.trim()).map_err(|e| e.on("email"))?;
    let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    // A changed phone number is not verified any more.
    let phone_number_verified =
        profile.phone_number_verified.filter(|_| given(&input.phone_number) == profile.phone_number);
    let profile = UserProfile {
        phone_number_verified,
        name: given(&input.name),
        given_name: given(&input.given_name),
        family_name: given(&input.family_name),
        phone_number: given(&input.phone_number),
        birthdate: given(&input.birthdate),
        locale: given(&input.locale),
        ..profile
    }
    .validate()?;
    Ok((email, profile))
}

/// `GET /console/t/{tenant}/users/new`: the form.
pub(super) async fn new_user(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/users/new")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersWrite).await?;
    let form = user_form(&tenant, None, &UserInput::default());
    Ok(form_page(&signed, Frame::in_tenant(&signed, &tenant.id, Section::Users), form))
}

/// `POST /console/t/{tenant}/users/new`: creates the user, with the password given (checked
/// against the tenant's policy) or else mailing them the link that sets one.
pub(super) async fn create_user(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<UserInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/users/new")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Users);
    let form = user_form(&tenant, None, &input);
    let (email, profile) = match checked(&input, UserProfile::default()) {
        Ok(checked) => checked,
        Err(e) => return Ok(form_page(&signed, frame, form.refused(&e))),
    };
    let by = By::admin(caller, &signed.admin);
    let given = Some(Secret::new(input.password.clone())).filter(|p| !p.expose_secret().is_empty());
    let mails = given.is_none();
    let made = async {
        let password = users::password_or_hash(&st, &tenant, given, None).await?;
        let now = st.clock.now();
        let user = User {
            tenant_id: tenant.id.clone(),
            id: UserId::generate(),
            email,
            email_verified: false,
            status: UserStatus::Active,
            profile,
            source: UserSource::Admin,
            created_at: now,
            updated_at: now,
        };
        users::create(&st, &by, &user, password.as_ref()).await?;
        if mails {
            accounts::request_mail(&st, &tenant, &by, &user, accounts::Purpose::Reset).await?;
        }
        Ok::<_, ServiceError>(user)
    };
    match made.await {
        Ok(user) => Ok(see_other(&format!("/console/t/{}/users/{}?done=created", tenant.id, user.id))),
        Err(e) => Ok(form_page(&signed, frame, form.after(e, "email")?)),
    }
}

/// `GET /console/t/{tenant}/users/{user_id}/edit`: the form, filled in.
pub(super) async fn edit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, user_id)): Path<(String, String)>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/users/{user_id}/edit")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersWrite).await?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let p = &user.profile;
    let input = UserInput {
        email: user.email.as_str().to_owned(),
        name: p.name.clone().unwrap_or_default(),
        given_name: p.given_name.clone().unwrap_or_default(),
        family_name: p.family_name.clone().unwrap_or_default(),
        phone_number: p.phone_number.clone().unwrap_or_default(),
        birthdate: p.birthdate.clone().unwrap_or_default(),
        locale: p.locale.clone().unwrap_or_default(),
        ..UserInput::default()
    };
    let form = user_form(&tenant, Some(&user), &input);
    Ok(form_page(&signed, Frame::in_tenant(&signed, &tenant.id, Section::Users), form))
}

/// `POST /console/t/{tenant}/users/{user_id}/edit`: saves the address and profile. A new address
/// is unverified until the user proves it.
pub(super) async fn save(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, user_id)): Path<(String, String)>,
    axum::Form(input): axum::Form<UserInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/users/{user_id}/edit")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::UsersWrite).await?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Users);
    let form = user_form(&tenant, Some(&user), &input);
    let (email, profile) = match checked(&input, user.profile.clone()) {
        Ok(checked) => checked,
        Err(e) => return Ok(form_page(&signed, frame, form.refused(&e))),
    };
    let email_verified = user.email_verified && email.normalized() == user.email.normalized();
    let after = User { email, email_verified, profile, updated_at: st.clock.now(), ..user.clone() };
    match users::update(&st, &By::admin(caller, &signed.admin), &tenant, &user, &after, None).await {
        Ok(()) => Ok(see_other(&format!("/console/t/{}/users/{}?done=saved", tenant.id, user.id))),
        Err(e) => Ok(form_page(&signed, frame, form.after(e, "email")?)),
    }
}

/// `POST /console/t/{tenant}/users/{user_id}/{part}/{item}`: ends the session `item`
/// (`sessions`), withdraws the consent to the client `item` (`consents`), revokes the delegation
/// `item` (`delegations`), or sends the mail `item`, `verify` or `reset` (`mail`).
pub(super) async fn item(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, user_id, part, item)): Path<(String, String, String, String)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let page = format!("/console/t/{tenant}/users/{user_id}");
    let signed = signed_in(&st, &headers, &page).await?;
    signed.check_form(&form.csrf)?;
    let permission = match part.as_str() {
        "sessions" => Permission::SessionsWrite,
        "consents" | "mail" => Permission::UsersWrite,
        "delegations" => Permission::DelegationsWrite,
        _ => return Err(signed.not_found()),
    };
    let tenant = tenant_for(&st, &signed, &tenant, permission).await?;
    let user = user_of(&st, &signed, &tenant.id, &user_id).await?;
    let by = By::admin(caller, &signed.admin);
    let done = match part.as_str() {
        "sessions" => end_user_sessions(&st, &by, &tenant, &user.id, Which::One(&item)).await.map(|n| n > 0),
        "consents" => match ClientId::parse(&item) {
            Ok(client) => users::revoke_consent(&st, &by, &tenant.id, &user.id, &client).await,
            Err(_) => Ok(false),
        },
        "delegations" => delegations::revoke(&st, &tenant.id, &user.id, &item, &by).await.map_err(Into::into),
        _ => {
            let purpose = match item.as_str() {
                "verify" if !user.email_verified => accounts::Purpose::Verify,
                "reset" => accounts::Purpose::Reset,
                _ => return Err(signed.not_found()),
            };
            accounts::request_mail(&st, &tenant, &by, &user, purpose).await.map(|()| true)
        }
    };
    if !done.map_err(failure)? {
        return Err(signed.not_found());
    }
    Ok(see_other(&format!("/console/t/{}/users/{}?done={part}", tenant.id, user.id)))
}
