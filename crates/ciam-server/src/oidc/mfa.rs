//! The second-factor page of a pending sign-in, passwordless passkey sign-in, and the use of each
//! authenticator: TOTP codes, recovery codes, codes sent by email, passkeys.
//!
//! # Security
//! - Every code check goes through the same throttle as passwords (per account and address), so a
//!   6-digit code cannot be brute-forced: 5 free failures, then growing delays.
//! - A TOTP step, a recovery code and a passkey counter change are consumed by compare-and-swap
//!   in the durable store: of two racing uses only one succeeds.
//! - Passkey ceremony state lives in the ephemeral store under the flow and is taken (single
//!   use) when the browser answers.
//! - Codes by email (as a second factor too) are [`super::email_sign_in`]'s.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_authn::passkey::{PasskeyRp, SecondFactorState, SignInState, StoredPasskey};
use ciam_authn::{TotpSeed, recovery, totp};
use ciam_core::factor::{Factor, FactorKind};
use ciam_core::id::{TenantId, UserId};
use ciam_core::keyspace::{self, Key};
use ciam_core::secret::Secret;
use ciam_core::tenant::TenantNs;
use ciam_core::user::UserStatus;
use ciam_core::{Acr, Amr};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::authorize::unmet_requirements;
use super::email_sign_in::{MAIL_LIMIT_MESSAGE, Proof, Recipient, check_email_code, mail_allowed, send_email_code};
use super::pages::{MfaPage, html};
use super::session::{Flow, csrf_ok};
use super::signin::{FirstFactor, Options, Pending, finish_sign_in, first_factor_passed};
use super::web_flow::{Ctx, flow_step, form_step, query_param};
use crate::audit::Caller;
use crate::error::{CeremonyError, Failure, PageError};
use crate::http::Path;
use crate::i18n::{msg, tr};
use crate::services::throttle::Attempt;
use crate::state::AppState;

/// What a TOTP factor stores: the sealed seed and the last step used (replay protection).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TotpData {
    pub(crate) seed: String,
    pub(crate) last_step: Option<u64>,
}

/// What a recovery-codes factor stores: the SHA-256 of each unused code.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RecoveryData {
    pub(crate) hashes: Vec<String>,
}

/// The sealing owner of a TOTP seed: a sealed seed copied to another factor does not open.
pub(crate) fn totp_owner(tenant: &TenantId, factor_id: &str) -> String {
    format!("totp/{tenant}/{factor_id}")
}

/// The throttle of second-factor codes: keyed by the user, not a typed identifier.
pub(super) fn code_attempt<'a>(st: &'a AppState, tenant: &'a TenantNs, user: &str, caller: &Caller) -> Attempt<'a> {
    Attempt::new(st, tenant, &format!("mfa:{user}"), caller.addr())
}

/// Checks a TOTP code against the user's authenticator apps and consumes its step.
pub(crate) async fn use_totp(
    st: &AppState,
    tenant: &TenantId,
    factors: &[Factor],
    code: &str,
) -> Result<bool, Failure> {
    let now = st.clock.now();
    for f in factors.iter().filter(|f| f.kind == FactorKind::Totp) {
        let data: TotpData = serde_json::from_str(&f.data)?;
        let seed = TotpSeed::from_bytes(&st.master.open(&totp_owner(tenant, &f.id), &data.seed)?)?;
        if let Some(step) = totp::verify(&seed, code, now.unix_timestamp(), data.last_step) {
            let next = serde_json::to_string(&TotpData { seed: data.seed, last_step: Some(step) })?;
            return Ok(st.durable.replace_factor_data(tenant, &f.id, &f.data, &next, now).await?);
        }
    }
    Ok(false)
}

/// Checks a recovery code and removes it.
pub(super) async fn use_recovery_code(
    st: &AppState,
    tenant: &TenantId,
    factors: &[Factor],
    code: &str,
) -> Result<bool, Failure> {
    for f in factors.iter().filter(|f| f.kind == FactorKind::RecoveryCodes) {
        let mut data: RecoveryData = serde_json::from_str(&f.data)?;
        if let Some(i) = recovery::find(&data.hashes, code) {
            data.hashes.remove(i);
            let next = serde_json::to_string(&data)?;
            return Ok(st.durable.replace_factor_data(tenant, &f.id, &f.data, &next, st.clock.now()).await?);
        }
    }
    Ok(false)
}

/// The user's passkeys as the authenticator module reads them.
pub(crate) fn passkeys_of(factors: &[Factor]) -> Vec<StoredPasskey> {
    factors
        .iter()
        .filter(|f| f.kind == FactorKind::Passkey)
        .filter_map(|f| serde_json::from_str::<StoredPasskey>(&f.data).ok())
        .collect()
}

/// Stores a passkey's new counter after a use; `false` when another use raced it.
async fn record_passkey_use(
    st: &AppState,
    tenant: &TenantId,
    factors: &[Factor],
    used: &ciam_authn::passkey::PasskeyUse,
) -> Result<bool, Failure> {
    let Some(f) = factors.iter().find(|f| f.lookup.as_deref() == Some(used.credential_id.as_str())) else {
        return Ok(false);
    };
    let mut stored: StoredPasskey = serde_json::from_str(&f.data)?;
    if let Some(data) = &used.updated_data {
        stored.data.clone_from(data);
    }
    stored.backup_eligible = used.backup_eligible;
    let next = serde_json::to_string(&stored)?;
    Ok(st.durable.replace_factor_data(tenant, &f.id, &f.data, &next, st.clock.now()).await?)
}

fn mfa_page(ctx: &Ctx, id: &str, flow: &Flow, options: &Options, sent: bool, error: Option<&str>) -> Response {
    let action = ctx.path("mfa");
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    let phishing_resistant = flow.pending.as_ref().is_some_and(|p| p.required == Acr::PhishingResistant);
    html(
        status,
        &MfaPage {
            brand: &ctx.brand,
            action: &action,
            passkey_start: &ctx.path("passkey/mfa/start"),
            passkey_finish: &ctx.path("passkey/mfa/finish"),
            flow: id,
            csrf: &flow.csrf,
            totp: options.totp,
            recovery: options.recovery,
            passkey: options.passkey,
            email: options.email,
            email_sent: sent,
            phishing_resistant,
            error,
        },
    )
}

/// The pending sign-in of a flow, and what the user can complete it with.
async fn pending_of(ctx: &Ctx, flow: &Flow) -> Result<(Pending, Options), PageError> {
    let Some(pending) = flow.pending.clone() else {
        return Err(PageError::bad_request(msg!("mfa-no-second-step")));
    };
    let options = Options::of(&ctx.st, &ctx.tenant.id, &pending).await?;
    if !options.any() {
        return Err(unmet_requirements(ctx, flow).await);
    }
    Ok((pending, options))
}

/// `GET /t/{tenant}/mfa?flow=…`: the second-factor choices.
pub(super) async fn mfa_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let (_, options) = pending_of(&ctx, &flow).await?;
        Ok(mfa_page(&ctx, &id, &flow, &options, false, None))
    })
    .await
}

/// `POST /t/{tenant}/mfa`: a TOTP code, a recovery code, or an emailed code (or asking for one).
pub(super) async fn mfa_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (pending, options) = pending_of(&ctx, &flow).await?;
        let st = &ctx.st;
        let tenant = &ctx.tenant.id;
        let method = form.get("method").unwrap_or("").to_owned();
        let code = Secret::new(form.take("code").unwrap_or_default());
        let page = |sent, error| mfa_page(&ctx, &id, &flow, &options, sent, error);
        let attempt = code_attempt(st, &ctx.ns, &pending.user_id, &caller);
        if attempt.locked().await? {
            return Ok(page(false, Some(&tr(msg!("error-too-many-attempts")))));
        }
        let user_id = pending_user(&pending)?;
        if method == "email_send" && options.email {
            let user = st.durable.get_user(tenant, &user_id).await?;
            let user = user.ok_or_else(|| Failure::corrupt("the pending user is gone"))?;
            if !mail_allowed(st, &ctx.ns, user.email.normalized()).await? {
                return Ok(page(false, Some(&tr(MAIL_LIMIT_MESSAGE))));
            }
            send_email_code(&ctx, &id, Recipient::Account(&user), false).await?;
            return Ok(page(true, None));
        }
        let factors = st.durable.list_factors(tenant, &user_id).await?;
        let c = code.expose_secret();
        let used = match method.as_str() {
            "totp" if options.totp => use_totp(st, tenant, &factors, c).await?.then_some(Amr::Otp),
            "recovery" if options.recovery => use_recovery_code(st, tenant, &factors, c).await?.then_some(Amr::Otp),
            "email" if options.email => check_email_code(&ctx, &id, Proof::Code(c))
                .await?
                .filter(|s| s.user_id == pending.user_id)
                .map(|_| Amr::Email),
            _ => return Err(PageError::bad_request(msg!("error-choose-offered-method"))),
        };
        let Some(amr) = used else {
            attempt.failed().await?;
            tracing::info!(tenant = %tenant, user = %user_id, method, "second factor failed");
            return Ok(page(method == "email", Some(&tr(msg!("error-wrong-code")))));
        };
        attempt.succeeded().await?;
        complete(&ctx, &caller, &headers, &id, &flow, pending.clone(), &[amr]).await
    })
    .await
}

/// The user of a pending sign-in.
fn pending_user(pending: &Pending) -> Result<UserId, Failure> {
    UserId::parse(&pending.user_id).map_err(|_| Failure::corrupt("bad pending user"))
}

/// Adds the second method and finishes the sign-in.
async fn complete(
    ctx: &Ctx,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    flow: &Flow,
    pending: Pending,
    methods: &[Amr],
) -> Result<Response, PageError> {
    let user_id = pending_user(&pending)?;
    let mut amr = pending.amr;
    for m in methods {
        if !amr.contains(m) {
            amr.push(*m);
        }
    }
    if !Acr::of_methods(&amr).satisfies(pending.required) {
        return Err(unmet_requirements(ctx, flow).await);
    }
    let location = caller.addr().and_then(|ip| ctx.st.risk.locate(ip));
    finish_sign_in(ctx, caller, headers, id, flow, &user_id, amr, pending.auth_time, location).await
}

/// The JSON body of the passkey endpoints.
#[derive(Deserialize)]
pub(super) struct PasskeyRequest {
    pub(super) flow: String,
    csrf: String,
    #[serde(default)]
    pub(super) credential: Option<Value>,
    /// The name of a new passkey.
    #[serde(default)]
    pub(super) name: Option<String>,
}

/// Keeps a passkey ceremony's state under `key` and answers the browser with its `options`.
pub(super) async fn start_ceremony(
    st: &AppState,
    key: &Key,
    started: Result<(Value, impl Serialize), ciam_authn::PasskeyError>,
    ttl: std::time::Duration,
) -> Result<Response, CeremonyError> {
    let (options, state) = started.map_err(|e| CeremonyError::bad_request(e.to_string()))?;
    st.ephemeral.put(key.as_str(), &serde_json::to_vec(&state)?, ttl).await?;
    Ok(Json(options).into_response())
}

/// Takes (single use) the state of a passkey ceremony; an answer for the browser when there is
/// none (or it does not decode).
pub(super) async fn take_ceremony<T: Serialize + serde::de::DeserializeOwned>(
    st: &AppState,
    key: &Key,
) -> Result<T, CeremonyError> {
    keyspace::Json::<T>::new(st.ephemeral.as_ref())
        .take(key)
        .await?
        .ok_or_else(|| CeremonyError::bad_request(tr(msg!("passkey-request-expired"))))
}

/// The tenant, flow and relying party of a passkey call, after the CSRF check.
pub(super) async fn passkey_step(
    st: AppState,
    tenant: &str,
    req: &PasskeyRequest,
    headers: &HeaderMap,
) -> Result<(Ctx, Flow, PasskeyRp), CeremonyError> {
    let ctx = Ctx::load(st, tenant).await?;
    let flow = super::session::load_flow(&ctx.st, &ctx.tenant, &req.flow, headers).await?;
    let flow = flow.ok_or_else(|| CeremonyError::bad_request(tr(msg!("error-sign-in-page-expired"))))?;
    if !csrf_ok(&flow.csrf, Some(&req.csrf)) {
        return Err(CeremonyError::new(StatusCode::FORBIDDEN, tr(msg!("error-form-expired-reload"))));
    }
    let rp = ctx
        .st
        .passkeys
        .clone()
        .ok_or_else(|| CeremonyError::new(StatusCode::NOT_FOUND, tr(msg!("passkey-unavailable"))))?;
    Ok((ctx, flow, (*rp).clone()))
}

/// `POST /t/{tenant}/passkey/sign-in/start`: options for a passwordless sign-in.
pub(super) async fn sign_in_start(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, _, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    if !ctx.tenant.settings.login.passkey {
        return Err(CeremonyError::new(StatusCode::FORBIDDEN, tr(msg!("passkey-sign-in-disabled"))));
    }
    let key = keyspace::passkey_ceremony(&ctx.ns, "sign-in", &req.flow);
    start_ceremony(&ctx.st, &key, rp.start_sign_in(), super::session::FLOW_TTL).await
}

/// Sends the browser on from a JSON call: the page script follows `redirect`; a page (an error,
/// a refusal) is refused in words, and the script shows it.
pub(super) fn json_redirect(page: Result<Response, PageError>) -> Result<Response, CeremonyError> {
    let res = page.unwrap_or_else(IntoResponse::into_response);
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match location {
        Some(to) if res.status() == StatusCode::SEE_OTHER => {
            let mut out = Json(json!({ "redirect": to })).into_response();
            for cookie in res.headers().get_all(header::SET_COOKIE) {
                out.headers_mut().append(header::SET_COOKIE, cookie.clone());
            }
            Ok(out)
        }
        _ => Err(CeremonyError::instead_of(&res, msg!("error-sign-in-refused"))),
    }
}

/// `POST /t/{tenant}/passkey/sign-in/finish`: the browser's assertion; signs the user in.
pub(super) async fn sign_in_finish(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, flow, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    let credential = req.credential.as_ref().ok_or_else(|| CeremonyError::bad_request("credential is missing"))?;
    let st = &ctx.st;
    let tenant_id = &ctx.tenant.id;
    let state: SignInState = take_ceremony(st, &keyspace::passkey_ceremony(&ctx.ns, "sign-in", &req.flow)).await?;
    let refused = || CeremonyError::new(StatusCode::UNAUTHORIZED, tr(msg!("passkey-not-registered")));
    let Ok((_, credential_id)) = rp.identify(credential) else { return Err(refused()) };
    let factor = st.durable.find_factor(tenant_id, FactorKind::Passkey, &credential_id).await?.ok_or_else(refused)?;
    let user = st.durable.get_user(tenant_id, &factor.user_id).await?;
    let user = user.filter(|u| u.status == UserStatus::Active).ok_or_else(refused)?;
    let factors = st.durable.list_factors(tenant_id, &user.id).await?;
    let used = rp.finish_sign_in(credential, state, &passkeys_of(&factors)).map_err(|e| {
        tracing::info!(tenant = %tenant_id, user = %user.id, error = %e, "passkey sign-in refused");
        refused()
    })?;
    if !record_passkey_use(st, tenant_id, &factors, &used).await? {
        return Err(refused());
    }
    let attempt = Attempt::new(st, &ctx.ns, user.email.normalized(), caller.addr());
    json_redirect(
        first_factor_passed(FirstFactor {
            ctx: &ctx,
            caller: &caller,
            headers: &headers,
            flow_id: &req.flow,
            flow,
            user_id: user.id,
            amr: vec![used.amr(), Amr::User],
            attempt: &attempt,
            own_factor_required: false,
        })
        .await
        .map_err(|e| e.branded(&ctx.brand)),
    )
}

/// `POST /t/{tenant}/passkey/mfa/start`: options for a passkey as the second step.
pub(super) async fn mfa_start(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, flow, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    let pending =
        flow.pending.as_ref().ok_or_else(|| CeremonyError::bad_request(tr(msg!("passkey-nothing-waiting"))))?;
    let factors = ctx.st.durable.list_factors(&ctx.tenant.id, &pending_user(pending)?).await?;
    let key = keyspace::passkey_ceremony(&ctx.ns, "mfa", &req.flow);
    start_ceremony(&ctx.st, &key, rp.start_second_factor(&passkeys_of(&factors)), super::session::FLOW_TTL).await
}

/// `POST /t/{tenant}/passkey/mfa/finish`: the assertion of the pending user's passkey.
pub(super) async fn mfa_finish(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<PasskeyRequest>,
) -> Result<Response, CeremonyError> {
    let (ctx, flow, rp) = passkey_step(st, &tenant, &req, &headers).await?;
    let pending =
        flow.pending.clone().ok_or_else(|| CeremonyError::bad_request(tr(msg!("passkey-nothing-waiting"))))?;
    let credential = req.credential.as_ref().ok_or_else(|| CeremonyError::bad_request("credential is missing"))?;
    let st = &ctx.st;
    let tenant_id = &ctx.tenant.id;
    let state: SecondFactorState = take_ceremony(st, &keyspace::passkey_ceremony(&ctx.ns, "mfa", &req.flow)).await?;
    let factors = st.durable.list_factors(tenant_id, &pending_user(&pending)?).await?;
    let refused = || CeremonyError::new(StatusCode::UNAUTHORIZED, tr(msg!("passkey-not-accepted")));
    let used = rp.finish_second_factor(credential, state, &passkeys_of(&factors)).map_err(|_| refused())?;
    if !record_passkey_use(st, tenant_id, &factors, &used).await? {
        return Err(refused());
    }
    // The passkey alone is phishing-resistant; the earlier methods stay in amr.
    let done = complete(&ctx, &caller, &headers, &req.flow, &flow, pending, &[used.amr(), Amr::User]).await;
    json_redirect(done.map_err(|e| e.branded(&ctx.brand)))
}
