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

use crate::adapters::mail::OutgoingMail;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ciam_authn::passkey::RegistrationState;
use ciam_authn::{TotpSeed, recovery, totp};
use ciam_core::audit::AuditRecord;
use ciam_core::factor::{Factor, FactorKind};
use ciam_core::keyspace::{self, Key};
use ciam_core::secret::Secret;
use ciam_oauth::form::Params;
use serde::Deserialize;
use serde_json::{Value, json};

use super::account_centre::views::{Nav, sign_in_words};
use super::account_centre::{Holder, Need, change_requirement, confirmed, form_of, holder};
use super::mfa::{RecoveryData, TotpData, passkeys_of, start_ceremony, take_ceremony, totp_owner};
use super::pages::{FactorRow, IdentityRow, RecoveryCodesPage, SecurityPage, TotpPage, html};
use super::session::csrf_ok;
use super::web_flow::see_other;
use crate::audit::{self, Caller};
use crate::error::{CeremonyError, PageError};
use crate::http::Path;
use crate::i18n::{self, Msg, msg, tr, tr_with};
use crate::services::federation::{self, Unlinked};
use crate::services::users;
use crate::state::AppState;

/// How long an enrolment may take.
const ENROL_TTL: std::time::Duration = std::time::Duration::from_secs(600);

/// The security page, where its sign-ins come back to.
const PAGE: &str = "account/security";

/// `GET /t/{tenant}/account/security/confirm`: confirm who you are (as a change would need),
/// then back to the security page.
pub(super) async fn confirm(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    Ok(match holder(st, &tenant, &headers, PAGE, Need::Recent).await? {
        Ok(h) => see_other(&h.ctx.path(PAGE)),
        Err(elsewhere) => elsewhere,
    })
}

/// Records a change to the user's authenticators: the audit event, and a mail to the account's
/// address (queued in the outbox), so an owner whose password leaked hears of it at once.
async fn record_change(h: &Holder, caller: &Caller, event_type: &str, what: &str, told: Msg) -> Result<(), PageError> {
    let mut event = AuditRecord::allow(event_type);
    event.user_id = Some(h.user.id.to_string());
    event.reason = Some(what.to_owned());
    let st = &h.ctx.st;
    audit::record(st, &h.ctx.tenant.id, caller, event).await?;
    let brand = &h.ctx.brand.name;
    let when = st.clock.now().replace_nanosecond(0).unwrap_or(st.clock.now());
    let locale = i18n::mail_locale(Some(&h.user), i18n::current());
    let told = i18n::text(locale, told, &[]);
    let from = caller.ip.as_deref().map(|ip| i18n::text(locale, msg!("mail-factor-from"), &[("ip", ip)]));
    let when = when.to_string();
    let args = [
        ("tenant", brand.as_str()),
        ("change", told.as_str()),
        ("when", &when),
        ("from", from.as_deref().unwrap_or("")),
    ];
    let mail = OutgoingMail {
        to: h.user.email.as_str().to_owned(),
        subject: i18n::text(locale, msg!("mail-factor-subject"), &args),
        text: format!("{}\n", i18n::text(locale, msg!("mail-factor-text"), &args)),
    };
    crate::services::outbox::enqueue(st, &h.ctx.tenant.id, mail).await?;
    Ok(())
}

fn kind_label(f: &Factor) -> String {
    match f.kind {
        FactorKind::Totp => tr(msg!("factor-totp")),
        FactorKind::Passkey => tr(msg!("factor-passkey")),
        FactorKind::RecoveryCodes => {
            let left = serde_json::from_str::<RecoveryData>(&f.data).map(|d| d.hashes.len()).unwrap_or(0);
            tr_with(msg!("factor-recovery-codes"), &[("left", &left.to_string())])
        }
    }
}

/// `GET /t/{tenant}/account/security`.
pub(super) async fn page(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h.ctx.branded(show(&h, None)).await,
        Err(elsewhere) => Ok(elsewhere),
    }
}

async fn show(h: &Holder, notice: Option<&str>) -> Result<Response, PageError> {
    let factors = h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await?;
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
    let providers = ctx.st.durable.list_identity_providers(&ctx.tenant.id).await?;
    let identities = ctx
        .st
        .durable
        .list_user_identities(&ctx.tenant.id, &h.user.id)
        .await?
        .into_iter()
        .map(|l| IdentityRow {
            name: providers
                .iter()
                .find(|p| p.id == l.provider_id)
                .map_or_else(|| l.provider_id.clone(), |p| p.config.display_name.clone()),
            provider: l.provider_id,
            subject: l.subject,
            email: l.email,
            linked: l.linked_at.date().to_string(),
        })
        .collect();
    let reauth = change_requirement(h).await?;
    let confirm = (!confirmed(h, &reauth)).then(|| ctx.path("account/security/confirm"));
    Ok(html(
        StatusCode::OK,
        &SecurityPage {
            confirm: confirm.as_deref(),
            brand: &ctx.brand,
            email: h.user.email.as_str(),
            factors: rows,
            csrf: &h.session.csrf,
            base: &ctx.path(PAGE),
            passkeys: ctx.st.passkeys.is_some(),
            signed_in_with: &sign_in_words(&h.session.amr, &h.session.acr),
            notice,
            nav: Nav::new(ctx, PAGE),
            identities,
        },
    ))
}

/// `POST /t/{tenant}/account/security/remove`: removes one authenticator.
pub(super) async fn remove(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let id = form.get("factor").unwrap_or("");
            if !h.ctx.st.durable.delete_factor(&h.ctx.tenant.id, &h.user.id, id).await? {
                return Err(PageError::new(StatusCode::NOT_FOUND, msg!("security-gone")));
            }
            record_change(&h, &caller, "factor.removed", id, msg!("change-factor-removed")).await?;
            show(&h, Some(&tr(msg!("security-removed")))).await
        })
        .await
}

/// `POST /t/{tenant}/account/security/unlink`: unlinks an upstream account, unless it is the
/// account's last way to sign in.
pub(super) async fn unlink(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (provider, subject) = (form.get("provider").unwrap_or(""), form.get("subject").unwrap_or(""));
            let by = crate::services::By::user(caller.clone(), h.user.id);
            match federation::unlink(&h.ctx.st, &by, &h.ctx.tenant, &h.user.id, provider, subject, true).await? {
                Unlinked::Done => show(&h, Some(&tr(msg!("security-unlinked")))).await,
                Unlinked::LastWay => show(&h, Some(&tr(msg!("security-unlink-last")))).await,
                Unlinked::NotFound => Err(PageError::new(StatusCode::NOT_FOUND, msg!("security-link-gone"))),
            }
        })
        .await
}

/// The authenticator app being enrolled from this session; the key is also the sealing owner
/// of the seed kept under it.
fn totp_key(h: &Holder) -> Key {
    keyspace::totp_enrolment(&h.ctx.ns, &h.session.sid)
}

/// `GET /t/{tenant}/account/security/totp`: a new seed as a QR code, to confirm with a code.
pub(super) async fn totp_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Recent).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let seed = TotpSeed::generate();
            let owner = totp_key(&h);
            let sealed = h.ctx.st.master.seal(owner.as_str(), seed.as_bytes())?;
            h.ctx.st.ephemeral.put(owner.as_str(), sealed.as_bytes(), ENROL_TTL).await?;
            Ok(totp_page(&h, &seed, None))
        })
        .await
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
) -> Result<Response, PageError> {
    let (h, mut form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx.branded(add_totp(&h, &caller, &mut form)).await
}

async fn add_totp(h: &Holder, caller: &Caller, form: &mut Params) -> Result<Response, PageError> {
    let st = &h.ctx.st;
    let owner = totp_key(h);
    let seed = st
        .ephemeral
        .get(owner.as_str())
        .await?
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|sealed| st.master.open(owner.as_str(), &sealed).ok())
        .and_then(|bytes| TotpSeed::from_bytes(&bytes).ok());
    let Some(seed) = seed else {
        return Err(PageError::bad_request(msg!("security-setup-expired")));
    };
    let code = Secret::new(form.take("code").unwrap_or_default());
    let now = st.clock.now();
    let Some(step) = totp::verify(&seed, code.expose_secret(), now.unix_timestamp(), None) else {
        return Ok(totp_page(h, &seed, Some(&tr(msg!("security-totp-wrong")))));
    };
    let id = Factor::generate_id();
    let sealed = st.master.seal(&totp_owner(&h.ctx.tenant.id, &id), seed.as_bytes())?;
    let data = serde_json::to_string(&TotpData { seed: sealed, last_step: Some(step) })?;
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
    st.durable.create_factor(&factor).await?;
    let _ = st.ephemeral.delete(owner.as_str()).await;
    record_change(h, caller, "factor.added", "totp", msg!("change-totp-added")).await?;
    // The first second factor comes with recovery codes, so losing the phone is not losing the account.
    let factors = st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await?;
    if factors.iter().any(|f| f.kind == FactorKind::RecoveryCodes) {
        show(h, Some(&tr(msg!("security-totp-ready")))).await
    } else {
        new_recovery_codes(h, caller).await
    }
}

/// `POST /t/{tenant}/account/security/recovery-codes`: replaces the recovery codes.
pub(super) async fn recovery_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok((h, _)) => h.ctx.branded(new_recovery_codes(&h, &caller)).await,
        Err(elsewhere) => Ok(elsewhere),
    }
}

async fn new_recovery_codes(h: &Holder, caller: &Caller) -> Result<Response, PageError> {
    let st = &h.ctx.st;
    let (codes, hashes) = recovery::generate(recovery::DEFAULT_COUNT);
    let data = serde_json::to_string(&RecoveryData { hashes })?;
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
    st.durable.delete_user_factors(&h.ctx.tenant.id, &h.user.id, Some(FactorKind::RecoveryCodes)).await?;
    st.durable.create_factor(&factor).await?;
    record_change(h, caller, "factor.added", "recovery_codes", msg!("change-recovery-codes")).await?;
    let codes: Vec<String> = codes.iter().map(|c| c.expose_secret().to_owned()).collect();
    Ok(html(StatusCode::OK, &RecoveryCodesPage { brand: &h.ctx.brand, codes, back: &h.ctx.path(PAGE) }))
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

async fn json_holder(st: AppState, tenant: &str, headers: &HeaderMap, csrf: &str) -> Result<Holder, CeremonyError> {
    let Ok(Ok(h)) = holder(st, tenant, headers, PAGE, Need::Recent).await else {
        return Err(CeremonyError::new(StatusCode::UNAUTHORIZED, tr(msg!("security-confirm-before-passkey"))));
    };
    if !csrf_ok(&h.session.csrf, Some(csrf)) {
        return Err(CeremonyError::new(StatusCode::FORBIDDEN, tr(msg!("error-page-expired-reload"))));
    }
    Ok(h)
}

/// What the stores answer when a passkey cannot be registered now.
fn try_again(cause: impl Into<crate::error::Failure>) -> CeremonyError {
    CeremonyError::new(StatusCode::SERVICE_UNAVAILABLE, tr(msg!("error-try-again-shortly"))).because(cause)
}

/// `POST /t/{tenant}/account/security/passkey/start`: creation options for a new passkey.
pub(super) async fn passkey_start(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(req): Json<RegisterRequest>,
) -> Result<Response, CeremonyError> {
    let h = json_holder(st, &tenant, &headers, &req.csrf).await?;
    let rp = h
        .ctx
        .st
        .passkeys
        .clone()
        .ok_or_else(|| CeremonyError::new(StatusCode::NOT_FOUND, tr(msg!("security-passkeys-off"))))?;
    let factors = h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await.map_err(try_again)?;
    let email = h.user.email.as_str();
    let display = h.user.profile.name.clone().unwrap_or_else(|| email.to_owned());
    let started = rp.start_registration(h.user.id.as_uuid(), email, &display, &passkeys_of(&factors));
    let key = keyspace::passkey_enrolment(&h.ctx.ns, &h.session.sid);
    start_ceremony(&h.ctx.st, &key, started, ENROL_TTL).await
}

/// `POST /t/{tenant}/account/security/passkey/finish`: stores the new passkey.
pub(super) async fn passkey_finish(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<RegisterRequest>,
) -> Result<Response, CeremonyError> {
    let h = json_holder(st, &tenant, &headers, &req.csrf).await?;
    let rp = h
        .ctx
        .st
        .passkeys
        .clone()
        .ok_or_else(|| CeremonyError::new(StatusCode::NOT_FOUND, tr(msg!("security-passkeys-off"))))?;
    let credential = req.credential.as_ref().ok_or_else(|| CeremonyError::bad_request("credential is missing"))?;
    let st = &h.ctx.st;
    let state: RegistrationState = take_ceremony(st, &keyspace::passkey_enrolment(&h.ctx.ns, &h.session.sid)).await?;
    let passkey = rp.finish_registration(credential, state).map_err(|e| CeremonyError::bad_request(e.to_string()))?;
    let name = users::passkey_name(req.name.as_deref(), &tr(msg!("factor-passkey")));
    let factor = users::passkey_factor(st, &h.user, name, &passkey)?;
    match st.durable.create_factor(&factor).await {
        Ok(()) => {}
        Err(ciam_core::store::StoreError::Conflict { .. }) => {
            return Err(CeremonyError::new(StatusCode::CONFLICT, tr(msg!("security-passkey-taken"))));
        }
        Err(e) => return Err(try_again(e)),
    }
    if let Err(e) = record_change(&h, &caller, "factor.added", "passkey", msg!("change-passkey-added")).await {
        let cause = e.into_response();
        return Err(CeremonyError::instead_of(&cause, msg!("error-try-again-shortly")));
    }
    Ok(Json(json!({ "redirect": h.ctx.path(PAGE) })).into_response())
}
