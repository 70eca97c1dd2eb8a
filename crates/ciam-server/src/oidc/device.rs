//! The device authorization grant (RFC 8628): `POST /t/{tenant}/device_authorization` hands a
//! CLI or headless agent a device code and a user code; the user opens `/t/{tenant}/device` in a
//! browser, signs in, enters the code and approves; the client's polls of the token endpoint
//! then get the tokens (the device code grant of the engine,
//! [`ciam_oauth::issuer::Issuer`], which also keeps the requests' state).
//!
//! # Security
//! - The page only accepts codes from a signed-in user, its forms carry the session's CSRF token,
//!   and a user's wrong entries are counted: after [`MAX_WRONG_CODES`] within
//!   [`WRONG_CODE_WINDOW`] the page refuses further entries for the rest of the window.
//! - Each user code is decided once (the decision takes it atomically); each approval is
//!   redeemed once (the first poll to set the used marker wins).
//! - Approving an agent creates a delegation exactly as the authorization consent does.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::audit::AuditRecord;
use ciam_core::id::UserId;
use ciam_core::purpose::{CONSENTS_SCOPE, Purpose};
use ciam_core::scope::ScopeSet;
use ciam_oauth::OAuthError;
use ciam_oauth::code::CodeGrant;
use ciam_oauth::form::Params;
use ciam_oauth::issuer::PendingDevice;

use super::consent::{agent_consent, record_decision};
use super::pages::{DeviceConsentPage, DeviceDonePage, DevicePage, PurposeChoice, describe_scope, html};
use super::session::{Session, csrf_ok, current_session, finish_flow, load_flow, save_flow, start_flow};
use super::web_flow::{Ctx, query_param, see_other};
use crate::audit::{self, Caller};
use crate::error::{Failure, HoldOff, OAuthFailure, PageError};
use crate::http::{BackChannel, Path};
use crate::i18n::{Msg, msg, tr, tr_with};
use crate::services::By;
use crate::services::consents::{self, Channel};
use crate::state::AppState;

/// Longest user-code input considered (a code with separators is 9 characters).
const MAX_TYPED: usize = 16;

/// `POST /t/{tenant}/device_authorization` (RFC 8628 §3.1): the client authenticates as at the
/// token endpoint (a public client sends only its `client_id`).
pub(super) async fn device_authorization(State(st): State<AppState>, request: BackChannel) -> Response {
    let started = st.issuance.start_device(&request.tenant, &request.ns, &request.client, &request.params).await;
    let mut event = match &started {
        Ok(_) => AuditRecord::allow("device.started"),
        Err(e) => AuditRecord::deny("device.refused", format!("{}: {}", e.code.as_str(), e.description)),
    };
    event.client_id = Some(request.client.client_id.to_string());
    event.scope = request.params.get("scope").map(str::to_owned);
    let targets = request.params.all("resource");
    event.audience = (!targets.is_empty()).then(|| targets.join(" "));
    if let Err(e) = audit::record(&st, &request.tenant, &request.caller, event).await {
        return OAuthFailure(OAuthError::unavailable(e)).into_response();
    }
    match started {
        Ok(body) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(body),
        )
            .into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}

/// The signed-in, active user of this browser, if any.
async fn signed_in(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<(Session, UserId)>, PageError> {
    let Some(session) = current_session(&ctx.st, &ctx.tenant, headers).await? else { return Ok(None) };
    let Ok(user_id) = UserId::parse(&session.user_id) else { return Ok(None) };
    Ok(ctx.st.issuance.user_is_active(&ctx.tenant.id, &user_id).await?.then_some((session, user_id)))
}

fn entry_page(ctx: &Ctx, csrf: &str, typed: &str, error: Option<&str>, status: StatusCode) -> Response {
    let action = ctx.path("device");
    html(status, &DevicePage { brand: &ctx.brand, action: &action, csrf, user_code: typed, error })
}

fn limited(input: &str) -> String {
    input.chars().take(MAX_TYPED).collect()
}

/// `GET /t/{tenant}/device[?user_code=…]`: the code entry form, prefilled from
/// `verification_uri_complete`. Without a session the user signs in first and comes back here
/// (`?flow=…`) with the code kept in the sign-in flow.
pub(super) async fn page_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let mut typed = query_param(query.as_deref(), "user_code");
        if let Some(id) = query_param(query.as_deref(), "flow")
            && let Some(flow) = load_flow(&ctx.st, &ctx.tenant, &id, &headers).await?.filter(|f| f.device)
        {
            typed = query_param(Some(&flow.query), "user_code");
            let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
        }
        let typed = limited(typed.as_deref().unwrap_or(""));
        match signed_in(&ctx, &headers).await? {
            Some((session, _)) => Ok(entry_page(&ctx, &session.csrf, &typed, None, StatusCode::OK)),
            None => to_sign_in(&ctx, &typed).await,
        }
    })
    .await
}

/// Sends the browser to the sign-in page, in a flow that returns to the device page.
async fn to_sign_in(ctx: &Ctx, typed: &str) -> Result<Response, PageError> {
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("user_code", typed).finish();
    let (id, browser, mut flow) = start_flow(&ctx.st, &ctx.ns, &query).await?;
    flow.device = true;
    save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
    Ok(ctx.with_flow_cookie(see_other(&format!("{}?flow={id}", ctx.path("login"))), &browser))
}

const TOO_MANY: Msg = msg!("device-too-many");
const WRONG_CODE: Msg = msg!("device-wrong-code");

/// `POST /t/{tenant}/device`: a code (shows what the client asks for) or, with `decision`, the
/// user's answer to it.
pub(super) async fn page_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form = Params::parse(&body).map_err(|_| PageError::bad_request(msg!("error-invalid-form")))?;
        let Some((session, user_id)) = signed_in(&ctx, &headers).await? else {
            return Ok(see_other(&ctx.path("device")));
        };
        if !csrf_ok(&session.csrf, form.get("csrf")) {
            return Err(PageError::forbidden(msg!("error-form-expired")));
        }
        let typed = limited(form.get("user_code").unwrap_or(""));
        let too_many =
            || HoldOff::unstated().page(entry_page(&ctx, &session.csrf, &typed, Some(&tr(TOO_MANY)), StatusCode::OK));
        if ctx.st.issuance.device_entry_locked(&ctx.ns, &user_id).await? {
            return Ok(too_many());
        }
        let Some(pending) = ctx.st.issuance.pending_device(&ctx.tenant.id, &ctx.ns, &typed).await? else {
            return Ok(if ctx.st.issuance.count_wrong_device_code(&ctx.ns, &user_id).await? {
                too_many()
            } else {
                entry_page(&ctx, &session.csrf, &typed, Some(&tr(WRONG_CODE)), StatusCode::BAD_REQUEST)
            });
        };
        // The request's scope was checked when it was stored: one that does not parse is corrupt.
        let scope = ScopeSet::parse_space_separated(&pending.request.scope).map_err(|e| Failure::corrupt(e.message))?;
        let allow = match form.get("decision") {
            None => return consent_page(&ctx, &session, &user_id, &pending, &scope, None).await,
            answer => super::consent::decision(answer)?,
        };
        if allow && let Some(missing) = answer_purposes(&ctx, &caller, &user_id, &pending, &form).await? {
            let said = tr_with(msg!("purposes-required"), &[("title", &missing)]);
            return consent_page(&ctx, &session, &user_id, &pending, &scope, Some((&form, &said))).await;
        }
        decide(&ctx, &caller, &session, &user_id, pending, &scope, allow).await
    })
    .await
}

/// Whether a purpose is ticked on the consent form.
fn ticked(form: &Params, purpose: &Purpose) -> bool {
    form.get(&format!("purpose_{}", purpose.id)) == Some("on")
}

/// The approval page, with the purposes the user has yet to answer; after a refused answer
/// (`refused`: the form and why), the same ticks and the error.
async fn consent_page(
    ctx: &Ctx,
    session: &Session,
    user: &UserId,
    pending: &PendingDevice,
    scope: &ScopeSet,
    refused: Option<(&Params, &str)>,
) -> Result<Response, PageError> {
    let agent = agent_consent(ctx, &pending.client, pending.request.audiences.clone()).await?;
    let (action, user_code) = (ctx.path("device"), pending.code.display());
    let unanswered = consents::standing(&ctx.st, &ctx.tenant.id, user).await?.pending;
    let purposes =
        unanswered.iter().map(|p| PurposeChoice::of(p, refused.is_some_and(|(f, _)| ticked(f, p)))).collect();
    let status = if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok(html(
        status,
        &DeviceConsentPage {
            brand: &ctx.brand,
            client_name: &pending.client.name,
            scopes: scope.iter().map(describe_scope).collect(),
            action: &action,
            csrf: &session.csrf,
            user_code: &user_code,
            agent,
            purposes,
            error: refused.map(|(_, why)| why),
        },
    ))
}

/// Records the user's answers to the purposes they had yet to answer, as the purposes page of a
/// sign-in does (the ledger says they answered on the device page, for this client). Returns the
/// title of a required purpose left unticked instead, recording nothing.
async fn answer_purposes(
    ctx: &Ctx,
    caller: &Caller,
    user: &UserId,
    pending: &PendingDevice,
    form: &Params,
) -> Result<Option<String>, PageError> {
    let unanswered = consents::standing(&ctx.st, &ctx.tenant.id, user).await?.pending;
    if let Some(missing) = unanswered.iter().find(|p| p.spec.required && !ticked(form, p)) {
        return Ok(Some(PurposeChoice::of(missing, false).title));
    }
    if !unanswered.is_empty() {
        let answers: Vec<_> = unanswered.iter().map(|p| (p, ticked(form, p))).collect();
        let at = Channel { page: "device", via_client: Some(&pending.client.client_id) };
        consents::answer(&ctx.st, &By::user(caller.clone(), *user), &ctx.tenant.id, user, &answers, at).await?;
    }
    Ok(None)
}

/// Records the user's answer: a delegation or consent as on the authorization consent page,
/// then the decision the client's next poll finds.
async fn decide(
    ctx: &Ctx,
    caller: &Caller,
    session: &Session,
    user_id: &UserId,
    pending: PendingDevice,
    scope: &ScopeSet,
    allow: bool,
) -> Result<Response, PageError> {
    let (st, tenant, ns) = (&ctx.st, &ctx.tenant.id, &ctx.ns);
    // One answer per code: whoever takes the user code decides.
    if !st.issuance.take_user_code(ns, &pending).await? {
        return Ok(entry_page(ctx, &session.csrf, "", Some(&tr(WRONG_CODE)), StatusCode::BAD_REQUEST));
    }
    let (client, request) = (&pending.client, &pending.request);
    let delegation_id =
        record_decision(ctx, "device", caller, client, user_id, scope, request.audiences.clone(), allow).await?;
    let now = st.clock.now().unix_timestamp();
    // Scopes bound to a purpose the user does not grant are left out, as at the code flow.
    let purposes = consents::standing(st, tenant, user_id).await?;
    let consents_claim = scope.contains(CONSENTS_SCOPE).then(|| purposes.claim.clone());
    let approved = allow.then(|| CodeGrant {
        client_id: client.client_id.clone(),
        redirect_uri: None,
        scope: purposes.allowed(scope),
        nonce: None,
        code_challenge: None,
        user_id: *user_id,
        auth_time: session.auth_time,
        acr: Some(session.acr.clone()),
        amr: session.amr.clone(),
        sid: session.sid.clone(),
        issued_at: now,
        delegation_id,
        resources: request.resources.clone(),
        dpop_jkt: None,
        id_token_claims: Vec::new(),
        userinfo_claims: Vec::new(),
        authorization_details: None,
        consents: consents_claim,
    });
    st.issuance.decide_device(ns, &pending, approved).await?;
    tracing::info!(tenant = %tenant, client = %client.client_id, user = %user_id, allow, "device request decided");
    let (title, message) = if allow {
        (msg!("device-connected-title"), msg!("device-connected"))
    } else {
        (msg!("device-denied-title"), msg!("device-denied"))
    };
    let message = tr_with(message, &[("client", &client.name)]);
    Ok(html(StatusCode::OK, &DeviceDonePage { brand: &ctx.brand, title: &tr(title), message: &message }))
}
