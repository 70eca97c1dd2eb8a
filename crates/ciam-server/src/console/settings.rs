//! A tenant's settings in the console: its name, sign-up and sign-in policy, branding (with a
//! preview of the sign-in page's look) and risk policy, each refusal next to its field; and the
//! risk policy's "what would happen" simulator for a sign-in from a given address, browser and
//! user, run against the saved policy or the one being edited.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::tenant::{Tenant, TenantSettings};
use ciam_policy::{Decision, Outcome, PolicyConfig};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::pages::tenant_for;
use super::parts::{Field, Form, Frame, Page, Section};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, refusal, tr};
use crate::services::risk::{Probe, simulate};
use crate::services::{By, tenants};
use crate::state::AppState;

hosted_pages!(SettingsPage);

/// Where the service's refusals point (dotted paths of the management API) and the form field
/// that holds each.
const FIELD_OF: [(&str, &str); 19] = [
    ("display_name", "display_name"),
    ("settings.signup.mode", "signup_mode"),
    ("settings.signup.require_email_verification", "require_email_verification"),
    ("settings.signup.allowed_email_domains", "allowed_email_domains"),
    ("settings.signup.blocked_email_domains", "blocked_email_domains"),
    ("settings.signup.terms_url", "terms_url"),
    ("settings.signup.privacy_url", "privacy_url"),
    ("settings.login.mfa", "mfa"),
    ("settings.login.password_min_length", "password_min_length"),
    ("settings.login.refuse_common_passwords", "refuse_common_passwords"),
    ("settings.login.session_lifetime_secs", "session_lifetime_secs"),
    ("settings.login.session_idle_timeout_secs", "session_idle_timeout_secs"),
    ("settings.login.passkey", "login_passkey"),
    ("settings.login.email_code", "login_email_code"),
    // "must offer at least one of …" names the whole of `login`.
    ("settings.login", "login_password"),
    ("settings.branding.primary_color", "primary_color"),
    ("settings.branding.logo_uri", "logo_uri"),
    ("settings.branding.default_locale", "default_locale"),
    ("settings.risk_policy", "risk_policy"),
];

/// The refusal `e` of the service, moved to the form field that holds what it names (the rest
/// of its path kept in the message).
fn on_field(e: FieldError) -> FieldError {
    match FIELD_OF.iter().find(|(path, _)| e.field.starts_with(path)) {
        Some((path, name)) => match e.field.strip_prefix(path).map(|rest| rest.trim_start_matches('.')) {
            Some("") | None => e.on(*name),
            Some(rest) => FieldError::new(*name, format!("{rest}: {}", refusal(&e))),
        },
        None => e,
    }
}

/// The settings form as typed (or as stored).
#[derive(Deserialize, Default)]
pub(super) struct SettingsInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    signup_mode: String,
    #[serde(default)]
    mfa: String,
    #[serde(default)]
    password_min_length: String,
    /// Checkboxes: `on` when ticked, absent otherwise.
    #[serde(default)]
    login_password: String,
    #[serde(default)]
    login_passkey: String,
    #[serde(default)]
    login_email_code: String,
    #[serde(default)]
    refuse_common_passwords: String,
    #[serde(default)]
    session_lifetime_secs: String,
    #[serde(default)]
    session_idle_timeout_secs: String,
    #[serde(default)]
    require_email_verification: String,
    #[serde(default)]
    allowed_email_domains: String,
    #[serde(default)]
    blocked_email_domains: String,
    #[serde(default)]
    terms_url: String,
    #[serde(default)]
    privacy_url: String,
    #[serde(default)]
    primary_color: String,
    #[serde(default)]
    logo_uri: String,
    #[serde(default)]
    default_locale: String,
    #[serde(default)]
    risk_policy: String,
}

/// A checkbox's value for `on`.
fn ticked(on: bool) -> String {
    if on { "on".to_owned() } else { String::new() }
}

/// The lines of a text area, trimmed, without the empty ones.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// A whole number typed into `field`.
fn whole<T: std::str::FromStr>(field: &'static str, text: &str) -> Result<T, FieldError> {
    text.trim().parse().map_err(|_| FieldError::new(field, tr(msg!("console-whole-number"))))
}

/// A setting's name as the API writes it (`"risk"` for `MfaMode::Risk`).
fn name_of(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl SettingsInput {
    fn of(tenant: &Tenant) -> Self {
        let s = &tenant.settings;
        Self {
            csrf: String::new(),
            display_name: tenant.display_name.clone(),
            signup_mode: name_of(&s.signup.mode),
            mfa: name_of(&s.login.mfa),
            password_min_length: s.login.password_min_length.to_string(),
            login_password: ticked(s.login.password),
            login_passkey: ticked(s.login.passkey),
            login_email_code: ticked(s.login.email_code),
            refuse_common_passwords: ticked(s.login.refuse_common_passwords),
            session_lifetime_secs: s.login.session_lifetime_secs.to_string(),
            session_idle_timeout_secs: s.login.session_idle_timeout_secs.to_string(),
            require_email_verification: ticked(s.signup.require_email_verification),
            allowed_email_domains: s.signup.allowed_email_domains.join("\n"),
            blocked_email_domains: s.signup.blocked_email_domains.join("\n"),
            terms_url: s.signup.terms_url.clone().unwrap_or_default(),
            privacy_url: s.signup.privacy_url.clone().unwrap_or_default(),
            primary_color: s.branding.primary_color.clone().unwrap_or_default(),
            logo_uri: s.branding.logo_uri.clone().unwrap_or_default(),
            default_locale: s.branding.default_locale.clone().unwrap_or_default(),
            risk_policy: serde_json::to_string_pretty(&s.risk_policy).unwrap_or_default(),
        }
    }

    /// `current` changed as the form says, or the first field that cannot be read.
    fn applied(&self, current: &TenantSettings) -> Result<TenantSettings, FieldError> {
        let mut s = current.clone();
        s.signup.mode = named("signup_mode", &self.signup_mode)?;
        s.login.mfa = named("mfa", &self.mfa)?;
        s.login.password_min_length = whole("password_min_length", &self.password_min_length)?;
        s.login.password = self.login_password == "on";
        s.login.passkey = self.login_passkey == "on";
        s.login.email_code = self.login_email_code == "on";
        s.login.refuse_common_passwords = self.refuse_common_passwords == "on";
        s.login.session_lifetime_secs = whole("session_lifetime_secs", &self.session_lifetime_secs)?;
        s.login.session_idle_timeout_secs = whole("session_idle_timeout_secs", &self.session_idle_timeout_secs)?;
        let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        s.signup.require_email_verification = self.require_email_verification == "on";
        s.signup.allowed_email_domains = lines(&self.allowed_email_domains);
        s.signup.blocked_email_domains = lines(&self.blocked_email_domains);
        s.signup.terms_url = optional(&self.terms_url);
        s.signup.privacy_url = optional(&self.privacy_url);
        s.branding.primary_color = optional(&self.primary_color);
        s.branding.logo_uri = optional(&self.logo_uri);
        s.branding.default_locale = optional(&self.default_locale);
        s.risk_policy = policy_document(&self.risk_policy)?;
        Ok(s)
    }
}

/// The choice named `v` (as the API writes it), or a refusal of `field`.
fn named<T: serde::de::DeserializeOwned>(field: &'static str, v: &str) -> Result<T, FieldError> {
    serde_json::from_value(Value::String(v.to_owned())).map_err(|_| FieldError::new(field, "not one of the choices"))
}

/// A risk policy as typed: a JSON object, or nothing for the default policy.
fn policy_document(text: &str) -> Result<Map<String, Value>, FieldError> {
    match text.trim() {
        "" => Ok(Map::new()),
        text => {
            serde_json::from_str(text).map_err(|e| FieldError::new("risk_policy", format!("not a JSON object: {e}")))
        }
    }
}

fn settings_form(tenant: &Tenant, input: &SettingsInput, may_write: bool) -> Form {
    let choices = |pairs: &[(&str, crate::i18n::Msg)]| pairs.iter().map(|(v, m)| ((*v).to_owned(), tr(*m))).collect();
    let mut locales = vec![(String::new(), tr(msg!("console-locale-default")))];
    locales.extend(crate::i18n::Locale::ALL.iter().map(|l| (l.tag().to_owned(), l.native_name().to_owned())));
    Form {
        title: tr(msg!("console-settings")),
        intro: (!may_write).then(|| tr(msg!("console-settings-read-only"))),
        action: format!("/console/t/{}/settings", tenant.id),
        submit: tr(msg!("console-save")),
        back: format!("/console/t/{}", tenant.id),
        fields: vec![
            Field::text("display_name", tr(msg!("console-tenant-name")), &input.display_name),
            Field::text("signup_mode", tr(msg!("console-signup-mode")), &input.signup_mode).options(choices(&[
                ("closed", msg!("console-signup-closed")),
                ("open", msg!("console-signup-open")),
                ("invite", msg!("console-signup-invite")),
            ])),
            Field::text(
                "require_email_verification",
                tr(msg!("console-require-verification")),
                &input.require_email_verification,
            )
            .kind("checkbox")
            .hint(tr(msg!("console-require-verification-hint"))),
            Field::text("allowed_email_domains", tr(msg!("console-allowed-domains")), &input.allowed_email_domains)
                .kind("textarea")
                .optional()
                .hint(tr(msg!("console-allowed-domains-hint"))),
            Field::text("blocked_email_domains", tr(msg!("console-blocked-domains")), &input.blocked_email_domains)
                .kind("textarea")
                .optional()
                .hint(tr(msg!("console-domains-hint"))),
            Field::text("terms_url", tr(msg!("console-terms-url")), &input.terms_url)
                .kind("url")
                .optional()
                .hint(tr(msg!("console-documents-hint"))),
            Field::text("privacy_url", tr(msg!("console-privacy-url")), &input.privacy_url).kind("url").optional(),
            Field::text("login_password", tr(msg!("console-login-password")), &input.login_password).kind("checkbox"),
            Field::text("login_passkey", tr(msg!("console-login-passkey")), &input.login_passkey).kind("checkbox"),
            Field::text("login_email_code", tr(msg!("console-login-email-code")), &input.login_email_code)
                .kind("checkbox"),
            Field::text("mfa", tr(msg!("console-mfa")), &input.mfa).options(choices(&[
                ("never", msg!("console-mfa-never")),
                ("risk", msg!("console-mfa-risk")),
                ("always", msg!("console-mfa-always")),
            ])),
            Field::text("password_min_length", tr(msg!("console-password-min-length")), &input.password_min_length)
                .kind("number"),
            Field::text("refuse_common_passwords", tr(msg!("console-refuse-common")), &input.refuse_common_passwords)
                .kind("checkbox"),
            Field::text("session_lifetime_secs", tr(msg!("console-session-lifetime")), &input.session_lifetime_secs)
                .kind("number")
                .hint(tr(msg!("console-session-lifetime-hint"))),
            Field::text(
                "session_idle_timeout_secs",
                tr(msg!("console-session-idle")),
                &input.session_idle_timeout_secs,
            )
            .kind("number")
            .hint(tr(msg!("console-session-idle-hint"))),
            Field::text("primary_color", tr(msg!("console-primary-color")), &input.primary_color)
                .optional()
                .hint(tr(msg!("console-primary-color-hint"))),
            Field::text("logo_uri", tr(msg!("console-logo-uri")), &input.logo_uri).optional().kind("url"),
            Field::text("default_locale", tr(msg!("console-default-locale")), &input.default_locale).options(locales),
            Field::text("risk_policy", tr(msg!("console-risk-policy")), &input.risk_policy)
                .kind("textarea")
                .optional()
                .hint(tr(msg!("console-risk-policy-hint"))),
        ],
        error: None,
    }
}

/// The simulator's question, as typed.
#[derive(Deserialize, Default)]
pub(super) struct SimulateQuery {
    ip: Option<String>,
    #[serde(default)]
    ua: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    device: String,
    /// The policy to try instead of the saved one (the settings form's text).
    policy: Option<String>,
}

/// What the simulator found.
struct Simulated {
    score: u8,
    /// `allow`, `step_up` or `deny`.
    outcome: &'static str,
    /// For a step-up: the level asked for.
    acr: String,
    /// Each rule that fired: name, points, what was observed.
    reasons: Vec<(String, u8, String)>,
    /// Where the address is, when the deployment locates addresses.
    place: String,
}

#[derive(Template)]
#[template(path = "console_settings.html")]
struct SettingsPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    form: Form,
    may_write: bool,
    notice: Option<String>,
    /// The look of the tenant's pages as saved or as typed: name, colour, logo.
    preview: Brand,
    q: SimulateQuery,
    /// The simulator's field whose value it could not use, and why.
    sim_error: Option<(&'static str, String)>,
    simulated: Option<Simulated>,
}

#[derive(Deserialize)]
pub(super) struct SettingsQuery {
    done: Option<String>,
    #[serde(flatten)]
    sim: SimulateQuery,
}

/// `GET /console/t/{tenant}/settings`: the settings, the branding preview, and the simulator
/// (with its answer when asked).
pub(super) async fn settings(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<SettingsQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/settings")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsRead).await?;
    let may_write = signed.may(&tenant.id, Permission::TenantsWrite);
    let input = SettingsInput::of(&tenant);
    let (simulated, sim_error) = match q.sim.ip.is_some() {
        true => match simulated(&st, &tenant, &q.sim).await? {
            Ok(found) => (Some(found), None),
            Err(refused) => (None, Some(refused)),
        },
        false => (None, None),
    };
    let page = SettingsPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Settings),
        form: settings_form(&tenant, &input, may_write),
        tenant: &tenant,
        may_write,
        notice: (q.done.as_deref() == Some("saved")).then(|| tr(msg!("console-user-saved"))),
        preview: Brand::of(&tenant),
        q: q.sim,
        sim_error,
        simulated,
    };
    let status = if page.sim_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(html(status, &page))
}

/// Runs the simulator: the answer, or the field it could not use.
async fn simulated(
    st: &AppState,
    tenant: &Tenant,
    q: &SimulateQuery,
) -> Result<Result<Simulated, (&'static str, String)>, axum::response::Response> {
    let ip = match q.ip.as_deref().map(str::trim).unwrap_or_default() {
        "" => None,
        text => match text.parse() {
            Ok(ip) => Some(ip),
            Err(_) => return Ok(Err(("ip", tr(msg!("console-not-an-address"))))),
        },
    };
    let policy = match q.policy.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(text) => match policy_document(text).and_then(|doc| {
            let p: PolicyConfig = serde_json::from_value(Value::Object(doc))
                .map_err(|e| FieldError::new("risk_policy", e.to_string()))?;
            p.validate().map(|()| p)
        }) {
            Ok(p) => p,
            Err(e) => return Ok(Err(("policy", format!("{}: {}", e.field, refusal(&e))))),
        },
        None => PolicyConfig::of_tenant(tenant),
    };
    let who = q.user.trim();
    let user = match (who, UserId::parse(who), Email::parse(who)) {
        ("", _, _) => None,
        (_, Ok(id), _) => st.durable.get_user(&tenant.id, &id).await.map_err(failure)?,
        (_, _, Ok(email)) => st.durable.find_user_by_email(&tenant.id, email.normalized()).await.map_err(failure)?,
        _ => None,
    };
    if !who.is_empty() && user.is_none() {
        return Ok(Err(("user", tr(msg!("console-no-such-user")))));
    }
    let probe = Probe {
        ip,
        user_agent: Some(q.ua.trim()).filter(|ua| !ua.is_empty()),
        user: user.as_ref(),
        known_device: q.device == "known",
    };
    let (signals, decision) = simulate(st, tenant, &policy, &probe).await.map_err(failure)?;
    let place = signals.location.map(|l| [l.country, l.continent].into_iter().flatten().collect::<Vec<_>>().join(", "));
    Ok(Ok(described(decision, place.unwrap_or_default())))
}

fn described(d: Decision, place: String) -> Simulated {
    let (outcome, acr) = match d.outcome {
        Outcome::Allow => ("allow", String::new()),
        Outcome::StepUp { acr } => ("step_up", acr.as_str().to_owned()),
        Outcome::Deny => ("deny", String::new()),
    };
    Simulated {
        score: d.score,
        outcome,
        acr,
        reasons: d.reasons.into_iter().map(|r| (r.rule, r.points, r.detail)).collect(),
        place,
    }
}

/// `POST /console/t/{tenant}/settings`: saves them, checked as the management API checks them,
/// or shows the form again with each refusal next to its field.
pub(super) async fn save(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<SettingsInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/settings")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::TenantsWrite).await?;
    let checked = input.applied(&tenant.settings).and_then(|settings| {
        let (display_name, _) =
            tenants::checked(&st, &input.display_name, Some(tenant.home_region.clone()), &settings)?;
        Ok(Tenant { display_name, settings, updated_at: st.clock.now(), ..tenant.clone() })
    });
    let refused = match checked {
        Ok(updated) => match tenants::update(&st, &By::admin(caller, &signed.admin), &updated).await {
            Ok(()) => return Ok(see_other(&format!("/console/t/{}/settings?done=saved", tenant.id))),
            Err(e) => settings_form(&tenant, &input, true).after(e, "display_name")?,
        },
        Err(e) => settings_form(&tenant, &input, true).refused(&on_field(e)),
    };
    Ok(refused_page(&signed, &tenant, refused, &input))
}

/// The settings page again, with the refused form and a preview of what was typed.
fn refused_page(signed: &Signed, tenant: &Tenant, form: Form, input: &SettingsInput) -> axum::response::Response {
    let mut typed = tenant.clone();
    typed.display_name.clone_from(&input.display_name);
    typed.settings.branding.primary_color = Some(input.primary_color.clone()).filter(|c| !c.is_empty());
    let page = SettingsPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(signed, &tenant.id, Section::Settings),
        tenant,
        form,
        may_write: true,
        notice: None,
        preview: Brand::of(&typed),
        q: SimulateQuery::default(),
        sim_error: None,
        simulated: None,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
