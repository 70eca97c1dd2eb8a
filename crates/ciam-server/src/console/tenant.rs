//! A tenant in the console: its overview (with its activity, counted from the audit trail),
//! creating one (deployment-wide `tenants:create`), and deleting one (dangerous: confirmed by
//! typing its id, after a recent sign-in).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::{Access, Permission};
use ciam_core::client::GrantType;
use ciam_core::id::TenantId;
use ciam_core::tenant::{Tenant, TenantSettings};
use serde::Deserialize;

use super::pages::{ConfirmForm, tenant_for};
use super::parts::{Danger, Field, Form, Frame, ListQuery, Page, Refused, Section, confirm_page, form_page, when};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, error_page, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr, tr_with};
use crate::services::{By, tenants};
use crate::state::AppState;

hosted_pages!(OverviewPage);

#[derive(Template)]
#[template(path = "console_tenant.html")]
struct OverviewPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    issuer: String,
    created: String,
    notice: Option<String>,
    may_delete: bool,
    /// The last day's and the last week's activity, with `audit:read`.
    activity: Option<[Activity; 2]>,
}

/// What a stretch of the audit trail counts: the headline figures, then every event type with
/// how many were allowed, stepped up and denied.
struct Activity {
    /// "The last 24 hours", "The last 7 days".
    title: String,
    sign_ins: u64,
    step_ups: u64,
    risk_denials: u64,
    sign_ups: u64,
    /// Tokens by how they were granted: issued (code, client credentials, device, CIBA),
    /// refreshed, exchanged.
    issued: u64,
    refreshed: u64,
    exchanged: u64,
    refused: u64,
    rows: Vec<(String, u64, u64, u64)>,
    /// Token requests by grant: the grant's name, how many were answered with tokens (issued,
    /// refreshed or exchanged) and how many were refused.
    grants: Vec<(String, u64, u64)>,
}

/// The console's name of a grant type, in the administrator's language; `None` is a request
/// whose grant this server does not implement, or an event recorded before grants were.
fn grant_name(grant: Option<GrantType>) -> String {
    tr(match grant {
        Some(GrantType::AuthorizationCode) => msg!("console-grant-code"),
        Some(GrantType::RefreshToken) => msg!("console-grant-refresh"),
        Some(GrantType::ClientCredentials) => msg!("console-grant-client-credentials"),
        Some(GrantType::TokenExchange) => msg!("console-grant-exchange"),
        Some(GrantType::DeviceCode) => msg!("console-grant-device"),
        Some(GrantType::JwtBearer) => msg!("console-grant-jwt-bearer"),
        Some(GrantType::Ciba) => msg!("console-grant-ciba"),
        None => msg!("console-grant-other"),
    })
}

/// The token endpoint's events by grant, in [`GrantType::ALL`]'s order, the rest last; grants
/// without events are left out.
fn by_grant(counts: &[ciam_core::audit::AuditCount]) -> Vec<(String, u64, u64)> {
    const ANSWERED: [&str; 3] = ["token.issued", "token.refreshed", "token.exchanged"];
    // Keyed by the grant's place in `GrantType::ALL`; unknown grants after the known ones.
    let mut tally: std::collections::BTreeMap<usize, (u64, u64)> = std::collections::BTreeMap::new();
    for c in counts {
        let refused = c.event_type == "token.refused";
        let answered = ANSWERED.contains(&c.event_type.as_str()) && c.decision == "allow";
        if !(refused || answered) {
            continue;
        }
        let grant = c.grant.as_deref().and_then(GrantType::parse);
        let place = grant.and_then(|g| GrantType::ALL.iter().position(|&k| k == g)).unwrap_or(GrantType::ALL.len());
        let entry = tally.entry(place).or_default();
        if refused {
            entry.1 += c.count;
        } else {
            entry.0 += c.count;
        }
    }
    tally
        .into_iter()
        .map(|(place, (answered, refused))| (grant_name(GrantType::ALL.get(place).copied()), answered, refused))
        .collect()
}

impl Activity {
    fn of(title: String, counts: Vec<ciam_core::audit::AuditCount>) -> Self {
        let count = |kind: &str, decision: Option<&str>| -> u64 {
            counts
                .iter()
                .filter(|c| c.event_type == kind && decision.is_none_or(|d| c.decision == d))
                .map(|c| c.count)
                .sum()
        };
        // By type (the store returns them in type order), then allowed, stepped up, denied.
        let mut by_type: std::collections::BTreeMap<&str, (u64, u64, u64)> = std::collections::BTreeMap::new();
        for c in &counts {
            let row = by_type.entry(c.event_type.as_str()).or_default();
            match c.decision.as_str() {
                "allow" => row.0 += c.count,
                "step_up" => row.1 += c.count,
                _ => row.2 += c.count,
            }
        }
        let rows = by_type.into_iter().map(|(kind, (a, s, d))| (kind.to_owned(), a, s, d)).collect();
        Self {
            title,
            sign_ins: count("sign_in.succeeded", None),
            step_ups: count("sign_in.risk", Some("step_up")),
            risk_denials: count("sign_in.risk", Some("deny")),
            sign_ups: count("user.signed_up", None),
            issued: count("token.issued", None),
            refreshed: count("token.refreshed", None),
            exchanged: count("token.exchanged", None),
            refused: count("token.refused", None),
            grants: by_grant(&counts),
            rows,
        }
    }
}

/// The tenant's activity over the last day and the last week, counted from its audit trail
/// (the same numbers on every node).
async fn activity(st: &AppState, tenant: &TenantId) -> Result<[Activity; 2], ciam_core::store::StoreError> {
    let now = st.clock.now();
    let ms = |t: time::OffsetDateTime| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let until = ms(now) + 1;
    let day = st.durable.audit_counts(tenant, ms(now - time::Duration::days(1)), until).await?;
    let week = st.durable.audit_counts(tenant, ms(now - time::Duration::days(7)), until).await?;
    Ok([Activity::of(tr(msg!("console-last-day")), day), Activity::of(tr(msg!("console-last-week")), week)])
}

/// `GET /console/t/{tenant}`: what the tenant is, and what the administrator may do to it.
pub(super) async fn overview(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsRead).await?;
    let notice = match q.done.as_deref() {
        Some("created") => Some(tr(msg!("console-tenant-created"))),
        _ => None,
    };
    let page = OverviewPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Overview),
        issuer: st.issuer(&tenant.id),
        created: when(tenant.created_at),
        tenant: &tenant,
        notice,
        may_delete: deletable(&st, &signed, &tenant.id),
        activity: match signed.may(&tenant.id, Permission::AuditRead) {
            true => Some(activity(&st, &tenant.id).await.map_err(failure)?),
            false => None,
        },
    };
    Ok(html(StatusCode::OK, &page))
}

/// Whether the administrator may delete the tenant: never the control tenant, which holds them.
fn deletable(st: &AppState, signed: &Signed, tenant: &TenantId) -> bool {
    tenants::deletable(st, tenant) && signed.may(tenant, Permission::TenantsDelete)
}

/// The form that creates a tenant, with `input` as typed.
fn tenant_form(input: &NewTenant) -> Form {
    Form {
        title: tr(msg!("console-new-tenant")),
        intro: None,
        action: "/console/new-tenant".into(),
        submit: tr(msg!("console-create-tenant")),
        back: "/console".into(),
        fields: vec![
            Field::text("id", tr(msg!("console-tenant-id")), &input.id).hint(tr(msg!("console-tenant-id-hint"))),
            Field::text("display_name", tr(msg!("console-tenant-name")), &input.display_name),
        ],
        error: None,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct NewTenant {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    display_name: String,
}

/// Refuses an administrator without deployment-wide `tenants:create`.
fn may_create(signed: &Signed) -> Result<(), Refused> {
    match signed.admin.grants.decide(None, Permission::TenantsCreate) {
        Access::Allowed => Ok(()),
        _ => Err(error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-forbidden"))).into()),
    }
}

/// `GET /console/new-tenant`: the form.
pub(super) async fn new_tenant(State(st): State<AppState>, headers: HeaderMap) -> Page {
    let signed = signed_in(&st, &headers, "/console/new-tenant").await?;
    may_create(&signed)?;
    Ok(form_page(&signed, Frame::of(&signed), tenant_form(&NewTenant::default())))
}

/// `POST /console/new-tenant`: creates the tenant with its signing keys and default settings,
/// or shows the form again with the errors by their fields.
pub(super) async fn create_tenant(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    axum::Form(input): axum::Form<NewTenant>,
) -> Page {
    let signed = signed_in(&st, &headers, "/console/new-tenant").await?;
    signed.check_form(&input.csrf)?;
    may_create(&signed)?;
    let form = tenant_form(&input);
    let id = match TenantId::parse(input.id.trim()) {
        Ok(id) => id,
        Err(e) => {
            return Ok(form_page(&signed, Frame::of(&signed), form.refused(&e.on("id"))));
        }
    };
    let settings = TenantSettings::default();
    let (display_name, home_region) = match tenants::checked(&st, &input.display_name, None, &settings) {
        Ok(checked) => checked,
        Err(e) => return Ok(form_page(&signed, Frame::of(&signed), form.refused(&e))),
    };
    let now = st.clock.now();
    let incarnation = ciam_core::tenant::new_incarnation();
    let tenant = Tenant { id, display_name, home_region, settings, created_at: now, updated_at: now, incarnation };
    match tenants::create(&st, &By::admin(caller, &signed.admin), &tenant).await {
        Ok(()) => Ok(see_other(&format!("/console/t/{}?done=created", tenant.id))),
        Err(e) => Ok(form_page(&signed, Frame::of(&signed), form.after(e, "id")?)),
    }
}

/// `GET /console/t/{tenant}/delete`: asks to confirm by typing the tenant's id.
pub(super) async fn confirm_delete(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let here = format!("/console/t/{tenant}/delete");
    let signed = signed_in(&st, &headers, &here).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsDelete).await?;
    if !deletable(&st, &signed, &tenant.id) {
        return Err(error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-forbidden"))));
    }
    let danger = Danger {
        label: tr(msg!("console-delete-tenant")),
        question: tr_with(msg!("console-delete-tenant-question"), &[("tenant", &tenant.display_name)]),
        post_to: here.clone(),
        back: format!("/console/t/{}", tenant.id),
        typed: Some(tenant.id.to_string()),
    };
    Ok(confirm_page(&st, &signed, Frame::in_tenant(&signed, &tenant.id, Section::Overview), danger, &here))
}

/// `POST /console/t/{tenant}/delete`: deletes the tenant with everything in it, once its id was
/// typed.
pub(super) async fn delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/delete");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsDelete).await?;
    if !deletable(&st, &signed, &tenant.id) {
        return Err(error_page(StatusCode::FORBIDDEN, &signed.brand, &tr(msg!("console-forbidden"))));
    }
    signed.check_recent(&st, &here)?;
    if form.confirm.as_deref().map(str::trim) != Some(tenant.id.as_str()) {
        let message = tr_with(msg!("console-type-to-confirm"), &[("word", tenant.id.as_str())]);
        return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, &signed.brand, &message));
    }
    tenants::delete(&st, &tenant.id).await.map_err(failure)?;
    Ok(see_other("/console"))
}
