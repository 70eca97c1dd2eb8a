//! The hosted account security pages, `/t/{tenant}/account/security`: a signed-in user lists,
//! adds and removes their authenticators (authenticator apps, passkeys, recovery codes).
//!
//! # Security
//! - Every page needs the browser's session. Every change (adding or removing an authenticator,
//!   new recovery codes) needs a sign-in from the last 15 minutes at the level the account's
//!   authenticators call for (`ciam_authn::reauth`): a passkey if it has one, its authenticator
//!   app or a recovery code if it has those, otherwise the password plus a code by email. So
//!   neither a browser left open nor a phished password can add an attacker's authenticator.
//! - Every change is audited and mailed to the account's address.
//! - Forms carry the session's CSRF token, compared in constant time.
//! - A TOTP seed is shown once, kept sealed in the ephemeral store until the user proves their
//!   app computes the right code, then sealed into the durable store. Recovery codes are shown
//!   once and stored as hashes.

use crate::mail::OutgoingMail;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ciam_authn::passkey::RegistrationState;
use ciam_authn::reauth::Reauth;
use ciam_authn::{TotpSeed, recovery, totp};
use ciam_core::Amr;
use ciam_core::audit::AuditRecord;
use ciam_core::factor::{Factor, FactorKind};
use ciam_core::id::UserId;
use ciam_core::secret::Secret;
use ciam_core::user::{User, UserStatus};
use ciam_oauth::form::Params;
use serde::Deserialize;
use serde_json::{Value, json};

use super::authorize::{Ctx, see_other, unavailable, with_cookie};
use super::mfa::{RecoveryData, TotpData, json_error, passkeys_of, start_ceremony, take_ceremony, totp_owner};
use super::pages::{FactorRow, RecoveryCodesPage, SecurityPage, TotpPage, error_page, html};
use super::session::{BrowserCookie, FLOW_TTL, Session, csrf_ok, current_session, save_flow, set_cookie, start_flow};
use crate::audit::{self, Caller};
use crate::http::Path;
use crate::state::AppState;

/// How long an enrolment may take.
const ENROL_TTL: std::time::Duration = std::time::Duration::from_secs(600);

/// The signed-in user of an account page.
struct Holder {
    ctx: Ctx,
    session: Session,
    user: User,
}

/// The methods a session's sign-in used.
fn methods(session: &Session) -> Vec<Amr> {
    session.amr.iter().filter_map(|m| Amr::parse(m)).collect()
}

/// Loads the tenant, the session and its user; without a session, starts a sign-in that comes
/// back here. For a `change`, the sign-in must also be recent and at the level the account's
/// authenticators call for ([`Reauth`]); otherwise the user confirms who they are first.
async fn holder(st: AppState, tenant: &str, headers: &HeaderMap, change: bool) -> Result<Holder, Response> {
    let ctx = Ctx::load(st, tenant).await?;
    let session = current_session(&ctx.st, &ctx.tenant, headers).await.map_err(|e| unavailable(&ctx.brand, e))?;
    let Some(session) = session else { return Err(sign_in_first(&ctx, None).await) };
    let user = match UserId::parse(&session.user_id) {
        Ok(id) => ctx.st.durable.get_user(&ctx.tenant.id, &id).await.map_err(|e| unavailable(&ctx.brand, e))?,
        Err(_) => None,
    };
    let Some(user) = user.filter(|u| u.status == UserStatus::Active) else {
        return Err(sign_in_first(&ctx, None).await);
    };
    let h = Holder { ctx, session, user };
    if change {
        let reauth = change_requirement(&h).await?;
        if !confirmed(&h, &reauth) {
            return Err(confirm_first(&h, reauth).await);
        }
    }
    Ok(h)
}

/// What a change to this user's authenticators needs.
async fn change_requirement(h: &Holder) -> Result<Reauth, Response> {
    let factors = h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await;
    let factors = factors.map_err(|e| unavailable(&h.ctx.brand, e))?;
    Ok(Reauth::for_change(factors.iter().map(|f| f.kind)))
}

/// Whether the session's sign-in meets `reauth` now.
fn confirmed(h: &Holder, reauth: &Reauth) -> bool {
    let age = h.ctx.st.clock.now().unix_timestamp().saturating_sub(h.session.auth_time);
    reauth.met_by(&methods(&h.session), age)
}

/// Has the user confirm who they are before a change: a recent sign-in only adds the missing
/// factor on the second-factor page; an older one signs in again from the start.
async fn confirm_first(h: &Holder, reauth: Reauth) -> Response {
    let age = h.ctx.st.clock.now().unix_timestamp().saturating_sub(h.session.auth_time);
    if !(0..=ciam_authn::reauth::RECENT_SECS).contains(&age) {
        return sign_in_first(&h.ctx, Some(reauth)).await;
    }
    let prepare = |f: &mut super::session::Flow| {
        f.account = true;
        f.reauth = Some(reauth);
    };
    super::authorize::step_up(&h.ctx, "", None, prepare, &h.session, reauth.acr).await
}

/// Starts a sign-in flow whose end is the security page (confirming `reauth` when given).
async fn sign_in_first(ctx: &Ctx, reauth: Option<Reauth>) -> Response {
    match start_flow(&ctx.st, &ctx.ns, "").await {
        Ok((id, browser, mut flow)) => {
            flow.account = true;
            flow.reauth = reauth;
            if let Err(e) = save_flow(&ctx.st, &ctx.ns, &id, &flow).await {
                return unavailable(&ctx.brand, e);
            }
            with_cookie(
                see_other(&format!("{}?flow={id}", ctx.path("login"))),
                set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Flow, Some(&browser), FLOW_TTL),
            )
        }
        Err(e) => unavailable(&ctx.brand, e),
    }
}

/// `GET /t/{tenant}/account/security/confirm`: confirm who you are (as a change would need),
/// then back to the security page.
pub(super) async fn confirm(State(st): State<AppState>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    match holder(st, &tenant, &headers, true).await {
        Ok(h) => see_other(&h.ctx.path("account/security")),
        Err(res) => res,
    }
}

/// A form of an account page, after the CSRF check.
async fn form_of(st: AppState, tenant: &str, headers: &HeaderMap, body: &[u8]) -> Result<(Holder, Params), Response> {
    let h = holder(st, tenant, headers, true).await?;
    let form = Params::parse(body).map_err(|e| error_page(StatusCode::BAD_REQUEST, &h.ctx.brand, &e.description))?;
    if !csrf_ok(&h.session.csrf, form.get("csrf")) {
        return Err(error_page(StatusCode::FORBIDDEN, &h.ctx.brand, "The form expired. Go back and try again."));
    }
    Ok((h, form))
}

/// Records a change to the user's authenticators: the audit event, and a mail to the account's
/// address (queued in the outbox), so an owner whose password leaked hears of it at once.
async fn record_change(h: &Holder, caller: &Caller, event_type: &str, what: &str, told: &str) -> Result<(), Response> {
    let mut event = AuditRecord::allow(event_type);
    event.user_id = Some(h.user.id.to_string());
    event.reason = Some(what.to_owned());
    let st = &h.ctx.st;
    audit::record(st, &h.ctx.tenant.id, caller, event).await.map_err(|e| unavailable(&h.ctx.brand, e))?;
    let brand = &h.ctx.brand.name;
    let when = st.clock.now().replace_nanosecond(0).unwrap_or(st.clock.now());
    let mail = OutgoingMail {
        to: h.user.email.as_str().to_owned(),
        subject: format!("Your {brand} account: {told}"),
        text: format!(
            "{told} on your {brand} account ({when} UTC{from}).\n\nIf this was you, there is nothing to do. If it \
             was not, someone knows your password: change it now, remove what you do not recognise in your \
             account security settings, and contact {brand}.\n",
            from = caller.ip.as_deref().map(|ip| format!(", from {ip}")).unwrap_or_default(),
        ),
    };
    crate::outbox::enqueue(st, &h.ctx.tenant.id, mail).await.map_err(|e| unavailable(&h.ctx.brand, e))
}

fn kind_label(f: &Factor) -> String {
    match f.kind {
        FactorKind::Totp => "Authenticator app".into(),
        FactorKind::Passkey => "Passkey".into(),
        FactorKind::RecoveryCodes => {
            let left = serde_json::from_str::<RecoveryData>(&f.data).map(|d| d.hashes.len()).unwrap_or(0);
            format!("Recovery codes ({left} left)")
        }
    }
}

/// `GET /t/{tenant}/account/security`.
pub(super) async fn page(State(st): State<AppState>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    let h = match holder(st, &tenant, &headers, false).await {
        Ok(h) => h,
        Err(res) => return res,
    };
    show(&h, None).await
}

async fn show(h: &Holder, notice: Option<&str>) -> Response {
    let factors = match h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await {
        Ok(f) => f,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    let rows = factors
        .iter()
        .map(|f| FactorRow {
            id: f.id.clone(),
            kind: kind_label(f),
            name: f.name.clone(),
            created: f.created_at.date().to_string(),
            last_used: f.last_used_at.map(|t| t.date().to_string()),
        })
        .collect();
    let ctx = &h.ctx;
    let reauth = Reauth::for_change(factors.iter().map(|f| f.kind));
    let confirm = (!confirmed(h, &reauth)).then(|| ctx.path("account/security/confirm"));
    html(
        StatusCode::OK,
        &SecurityPage {
            confirm: confirm.as_deref(),
            brand: &ctx.brand,
            email: h.user.email.as_str(),
            factors: rows,
            csrf: &h.session.csrf,
            base: &ctx.path("account/security"),
            passkeys: ctx.st.passkeys.is_some(),
            acr: &h.session.acr,
            notice,
        },
    )
}

/// `POST /t/{tenant}/account/security/remove`: removes one authenticator.
pub(super) async fn remove(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (h, form) = match form_of(st, &tenant, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let id = form.get("factor").unwrap_or("");
    match h.ctx.st.durable.delete_factor(&h.ctx.tenant.id, &h.user.id, id).await {
        Ok(true) => {}
        Ok(false) => return error_page(StatusCode::NOT_FOUND, &h.ctx.brand, "That authenticator is already gone."),
        Err(e) => return unavailable(&h.ctx.brand, e),
    }
    if let Err(res) = record_change(&h, &caller, "factor.removed", id, "A sign-in method was removed").await {
        return res;
    }
    show(&h, Some("The authenticator was removed.")).await
}

fn totp_key(h: &Holder) -> String {
    format!("totp_enrol:{}:{}", h.ctx.ns, h.session.sid)
}

/// `GET /t/{tenant}/account/security/totp`: a new seed as a QR code, to confirm with a code.
pub(super) async fn totp_get(State(st): State<AppState>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    let h = match holder(st, &tenant, &headers, true).await {
        Ok(h) => h,
        Err(res) => return res,
    };
    let seed = TotpSeed::generate();
    let owner = totp_key(&h);
    let sealed = match h.ctx.st.master.seal(&owner, seed.as_bytes()) {
        Ok(s) => s,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    if let Err(e) = h.ctx.st.ephemeral.put(&owner, sealed.as_bytes(), ENROL_TTL).await {
        return unavailable(&h.ctx.brand, e);
    }
    totp_page(&h, &seed, None)
}

fn totp_page(h: &Holder, seed: &TotpSeed, error: Option<&str>) -> Response {
    let uri = totp::otpauth_uri(seed, &h.ctx.brand.name, h.user.email.as_str());
    let qr = totp::qr_svg(&uri).unwrap_or_default();
    let secret = seed.to_base32();
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    html(
        status,
        &TotpPage {
            brand: &h.ctx.brand,
            qr: &qr,
            secret: &secret,
            action: &h.ctx.path("account/security/totp"),
            csrf: &h.session.csrf,
            error,
        },
    )
}

/// `POST /t/{tenant}/account/security/totp`: the first code proves the app has the seed.
pub(super) async fn totp_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (h, mut form) = match form_of(st, &tenant, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let st = &h.ctx.st;
    let owner = totp_key(&h);
    let seed = match st.ephemeral.get(&owner).await {
        Ok(Some(raw)) => String::from_utf8(raw)
            .ok()
            .and_then(|sealed| st.master.open(&owner, &sealed).ok())
            .and_then(|bytes| TotpSeed::from_bytes(&bytes).ok()),
        Ok(None) => None,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    let Some(seed) = seed else {
        return error_page(StatusCode::BAD_REQUEST, &h.ctx.brand, "The setup expired. Start again.");
    };
    let code = Secret::new(form.take("code").unwrap_or_default());
    let now = st.clock.now();
    let Some(step) = totp::verify(&seed, code.expose_secret(), now.unix_timestamp(), None) else {
        return totp_page(&h, &seed, Some("That code is not right. Check the time on your phone and try again."));
    };
    let id = Factor::generate_id();
    let sealed = match st.master.seal(&totp_owner(&h.ctx.tenant.id, &id), seed.as_bytes()) {
        Ok(s) => s,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    let data = match serde_json::to_string(&TotpData { seed: sealed, last_step: Some(step) }) {
        Ok(d) => d,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    let name = form.get("name").map(str::trim).filter(|n| !n.is_empty()).unwrap_or("Authenticator app");
    let factor = Factor {
        tenant_id: h.ctx.tenant.id.clone(),
        id,
        user_id: h.user.id,
        kind: FactorKind::Totp,
        name: name.chars().take(64).collect(),
        lookup: None,
        data,
        created_at: now,
        last_used_at: Some(now),
    };
    if let Err(e) = st.durable.create_factor(&factor).await {
        return unavailable(&h.ctx.brand, e);
    }
    let _ = st.ephemeral.delete(&owner).await;
    let told = "An authenticator app was added";
    if let Err(res) = record_change(&h, &caller, "factor.added", "totp", told).await {
        return res;
    }
    // The first second factor comes with recovery codes, so losing the phone is not losing the account.
    match st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await {
        Ok(f) if !f.iter().any(|f| f.kind == FactorKind::RecoveryCodes) => new_recovery_codes(&h, &caller).await,
        Ok(_) => show(&h, Some("Your authenticator app is set up.")).await,
        Err(e) => unavailable(&h.ctx.brand, e),
    }
}

/// `POST /t/{tenant}/account/security/recovery-codes`: replaces the recovery codes.
pub(super) async fn recovery_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match form_of(st, &tenant, &headers, &body).await {
        Ok((h, _)) => new_recovery_codes(&h, &caller).await,
        Err(res) => res,
    }
}

async fn new_recovery_codes(h: &Holder, caller: &Caller) -> Response {
    let st = &h.ctx.st;
    let (codes, hashes) = recovery::generate(recovery::DEFAULT_COUNT);
    let data = match serde_json::to_string(&RecoveryData { hashes }) {
        Ok(d) => d,
        Err(e) => return unavailable(&h.ctx.brand, e),
    };
    let factor = Factor {
        tenant_id: h.ctx.tenant.id.clone(),
        id: Factor::generate_id(),
        user_id: h.user.id,
        kind: FactorKind::RecoveryCodes,
        name: "Recovery codes".into(),
        lookup: None,
        data,
        created_at: st.clock.now(),
        last_used_at: None,
    };
    let replaced = async {
        st.durable.delete_user_factors(&h.ctx.tenant.id, &h.user.id, Some(FactorKind::RecoveryCodes)).await?;
        st.durable.create_factor(&factor).await
    };
    if let Err(e) = replaced.await {
        return unavailable(&h.ctx.brand, e);
    }
    if let Err(res) =
        record_change(h, caller, "factor.added", "recovery_codes", "New recovery codes were created").await
    {
        return res;
    }
    let codes: Vec<String> = codes.iter().map(|c| c.expose_secret().to_owned()).collect();
    html(StatusCode::OK, &RecoveryCodesPage { brand: &h.ctx.brand, codes, back: &h.ctx.path("account/security") })
}

/// The JSON body of the passkey registration calls.
#[derive(Deserialize)]
pub(super) struct RegisterRequest {
    csrf: String,
    #[serde(default)]
    credential: Option<Value>,
    #[serde(default)]
    name: Option<String>,
}

async fn json_holder(st: AppState, tenant: &str, headers: &HeaderMap, csrf: &str) -> Result<Holder, Response> {
    let h = holder(st, tenant, headers, true).await.map_err(|_| {
        json_error(StatusCode::UNAUTHORIZED, "Confirm it's you first (the link on this page), then add the passkey.")
    })?;
    if !csrf_ok(&h.session.csrf, Some(csrf)) {
        return Err(json_error(StatusCode::FORBIDDEN, "The page expired. Reload it."));
    }
    Ok(h)
}

fn passkey_key(h: &Holder) -> String {
    format!("passkey_enrol:{}:{}", h.ctx.ns, h.session.sid)
}

/// `POST /t/{tenant}/account/security/passkey/start`: creation options for a new passkey.
pub(super) async fn passkey_start(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(req): Json<RegisterRequest>,
) -> Response {
    let h = match json_holder(st, &tenant, &headers, &req.csrf).await {
        Ok(h) => h,
        Err(res) => return res,
    };
    let Some(rp) = h.ctx.st.passkeys.clone() else { return json_error(StatusCode::NOT_FOUND, "Passkeys are off.") };
    let Ok(factors) = h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await else {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "Try again shortly.");
    };
    let email = h.user.email.as_str();
    let display = h.user.profile.name.clone().unwrap_or_else(|| email.to_owned());
    let started = rp.start_registration(h.user.id.as_uuid(), email, &display, &passkeys_of(&factors));
    start_ceremony(&h.ctx.st, &passkey_key(&h), started, ENROL_TTL).await
}

/// `POST /t/{tenant}/account/security/passkey/finish`: stores the new passkey.
pub(super) async fn passkey_finish(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<RegisterRequest>,
) -> Response {
    let h = match json_holder(st, &tenant, &headers, &req.csrf).await {
        Ok(h) => h,
        Err(res) => return res,
    };
    let Some(rp) = h.ctx.st.passkeys.clone() else { return json_error(StatusCode::NOT_FOUND, "Passkeys are off.") };
    let Some(credential) = &req.credential else { return json_error(StatusCode::BAD_REQUEST, "credential is missing") };
    let st = &h.ctx.st;
    let state: RegistrationState = match take_ceremony(st, &passkey_key(&h)).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let passkey = match rp.finish_registration(credential, state) {
        Ok(p) => p,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let now = st.clock.now();
    let name = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("Passkey");
    let factor = Factor {
        tenant_id: h.ctx.tenant.id.clone(),
        id: Factor::generate_id(),
        user_id: h.user.id,
        kind: FactorKind::Passkey,
        name: name.chars().take(64).collect(),
        lookup: Some(passkey.credential_id.clone()),
        data: serde_json::to_string(&passkey).unwrap_or_default(),
        created_at: now,
        last_used_at: None,
    };
    match st.durable.create_factor(&factor).await {
        Ok(()) => {}
        Err(ciam_core::store::StoreError::Conflict { .. }) => {
            return json_error(StatusCode::CONFLICT, "This passkey is already registered.");
        }
        Err(_) => return json_error(StatusCode::SERVICE_UNAVAILABLE, "Try again shortly."),
    }
    if record_change(&h, &caller, "factor.added", "passkey", "A passkey was added").await.is_err() {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "Try again shortly.");
    }
    Json(json!({ "redirect": h.ctx.path("account/security") })).into_response()
}
