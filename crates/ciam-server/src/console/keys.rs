//! A tenant's signing keys in the console: their public facts, the rotation schedule (when the
//! next scheduled rotation is, and a form to set it, with `tenants:write`), and "Rotate keys now"
//! (dangerous: confirmed, after a recent sign-in).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::tenant::Tenant;
use serde::Deserialize;

use super::pages::{ConfirmForm, tenant_for};
use super::parts::{Danger, Field, Form, Frame, ListQuery, Page, Section, confirm_page, when};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr, tr_with};
use crate::services::{By, keys, tenants};
use crate::state::AppState;

hosted_pages!(KeysPage);

/// A signing key as the keys page lists it.
struct KeyRow {
    kid: String,
    alg: String,
    state: &'static str,
    created: String,
    activated: String,
    retired: String,
}

#[derive(Template)]
#[template(path = "console_keys.html")]
struct KeysPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    keys: Vec<KeyRow>,
    /// The schedule in words: every how many days, and the next rotation.
    schedule: String,
    /// The schedule's form, with `tenants:write`.
    form: Option<Form>,
    may_rotate: bool,
    notice: Option<String>,
}

/// The schedule's form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ScheduleInput {
    csrf: String,
    rotate_every_days: String,
}

fn schedule_form(tenant: &Tenant, input: &ScheduleInput) -> Form {
    Form {
        title: String::new(),
        intro: None,
        action: format!("/console/t/{}/keys/schedule", tenant.id),
        submit: tr(msg!("console-save-schedule")),
        back: String::new(),
        fields: vec![
            Field::text("rotate_every_days", tr(msg!("console-rotate-every")), &input.rotate_every_days)
                .kind("number")
                .optional()
                .hint(tr(msg!("console-rotate-every-hint"))),
        ],
        error: None,
    }
}

/// The keys page of `tenant`, with `form` (the schedule's, as typed when it was refused).
async fn keys_page(
    st: &AppState,
    signed: &Signed,
    tenant: &Tenant,
    form: Option<Form>,
    notice: Option<String>,
) -> Result<axum::response::Response, axum::response::Response> {
    let stored = st.durable.list_keys(&tenant.id).await.map_err(failure)?;
    let next = keys::next_rotation(tenant, &stored);
    let keys = stored
        .into_iter()
        .map(|k| KeyRow {
            kid: k.kid,
            alg: k.alg,
            state: k.state.as_str(),
            created: when(k.created_at),
            activated: k.activated_at.map(when).unwrap_or_default(),
            retired: k.retired_at.map(when).unwrap_or_default(),
        })
        .collect();
    let schedule = match tenant.settings.keys.rotate_every_days {
        None => tr(msg!("console-rotation-by-hand")),
        Some(days) => {
            let next = next.map(when).unwrap_or_else(|| "-".into());
            tr_with(msg!("console-rotation-scheduled"), &[("days", &days.to_string()), ("next", &next)])
        }
    };
    let failed = form.as_ref().is_some_and(|f| f.fields.iter().any(|f| f.error.is_some()));
    let page = KeysPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(signed, &tenant.id, Section::Keys),
        may_rotate: signed.may(&tenant.id, Permission::KeysWrite),
        tenant,
        keys,
        schedule,
        form,
        notice,
    };
    Ok(html(if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK }, &page))
}

/// `GET /console/t/{tenant}/keys`: the tenant's signing keys, newest first (public facts only),
/// and their rotation schedule.
pub(super) async fn keys(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/keys")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::KeysRead).await?;
    let notice = match q.done.as_deref() {
        Some("rotated") => Some(tr(msg!("console-keys-rotated"))),
        Some("scheduled") => Some(tr(msg!("console-schedule-saved"))),
        _ => None,
    };
    let form = signed.may(&tenant.id, Permission::TenantsWrite).then(|| {
        let days = tenant.settings.keys.rotate_every_days.map(|d| d.to_string()).unwrap_or_default();
        schedule_form(&tenant, &ScheduleInput { rotate_every_days: days, ..ScheduleInput::default() })
    });
    keys_page(&st, &signed, &tenant, form, notice).await
}

/// `POST /console/t/{tenant}/keys/schedule`: saves the schedule (a tenant setting, so
/// `tenants:write`), or shows the page again with the refusal next to the field.
pub(super) async fn schedule(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<ScheduleInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/keys")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsWrite).await?;
    let form = schedule_form(&tenant, &input);
    let days = match input.rotate_every_days.trim() {
        "" => Ok(None),
        text => {
            text.parse().map(Some).map_err(|_| FieldError::new("rotate_every_days", tr(msg!("console-whole-number"))))
        }
    };
    let mut updated = tenant.clone();
    let checked = days.and_then(|days| {
        updated.settings.keys.rotate_every_days = days;
        updated.settings.keys.validate()
    });
    let refused = match checked {
        Err(e) => form.refused(&e),
        Ok(()) => {
            updated.updated_at = st.clock.now();
            match tenants::update(&st, &By::admin(caller, &signed.admin), &updated).await {
                Ok(()) => return Ok(see_other(&format!("/console/t/{}/keys?done=scheduled", tenant.id))),
                Err(e) => form.after(e, "rotate_every_days")?,
            }
        }
    };
    keys_page(&st, &signed, &tenant, Some(refused), None).await
}

/// `GET /console/t/{tenant}/keys/rotate`: asks to confirm rotating now.
pub(super) async fn confirm_rotate(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let here = format!("/console/t/{tenant}/keys/rotate");
    let signed = signed_in(&st, &headers, &here).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::KeysWrite).await?;
    let danger = Danger {
        label: tr(msg!("console-rotate-keys")),
        question: tr_with(msg!("console-rotate-keys-question"), &[("tenant", &tenant.display_name)]),
        post_to: here.clone(),
        back: format!("/console/t/{}/keys", tenant.id),
        typed: None,
    };
    Ok(confirm_page(&st, &signed, Frame::in_tenant(&signed, &tenant.id, Section::Keys), danger, &here))
}

/// `POST /console/t/{tenant}/keys/rotate`: each next key starts signing, the active one retires
/// (still published), and new next keys are published.
pub(super) async fn rotate(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/keys/rotate");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::KeysWrite).await?;
    signed.check_recent(&st, &here)?;
    let by = By::admin(caller, &signed.admin);
    keys::rotate(&st, &by, &tenant.id, &ciam_jose::keyring::TENANT_ALGS).await.map_err(failure)?;
    Ok(see_other(&format!("/console/t/{}/keys?done=rotated", tenant.id)))
}
