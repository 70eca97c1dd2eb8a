//! The device authorization grant (RFC 8628): `POST /t/{tenant}/device_authorization` hands a
//! CLI or headless agent a device code and a user code; the user opens `/t/{tenant}/device` in a
//! browser, signs in, enters the code and approves; the client's polls of the token endpoint
//! then get the tokens (`redeem`, called by the token endpoint).
//!
//! State lives in the ephemeral store, so any node answers any step: the request under the
//! device code's hash, the user code's hash pointing to it, and next to the request the user's
//! decision, the polling state and the single-use marker. Codes are never logged.
//!
//! # Security
//! - The page only accepts codes from a signed-in user, its forms carry the session's CSRF token,
//!   and a user's wrong entries are counted: after [`MAX_WRONG_CODES`] within
//!   [`WRONG_CODE_WINDOW`] the page refuses further entries for the rest of the window.
//! - Each user code is decided once (the decision takes it atomically); each approval is
//!   redeemed once (the first poll to set the used marker wins).
//! - Approving an agent creates a delegation exactly as the authorization consent does.

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::tenant::TenantNs;
use ciam_core::user::UserStatus;
use ciam_oauth::code::CodeGrant;
use ciam_oauth::device::{
    DEVICE_CODE_LIFETIME, DeviceDecision, DeviceRequest, POLL_INTERVAL, Polling, UserCode, device_key_of_hash,
};
use ciam_oauth::form::Params;
use ciam_oauth::{ErrorCode, OAuthError};
use serde::Serialize;

use super::authorize::{Ctx, agent_consent, query_param, record_decision, see_other, unavailable, with_cookie};
use super::client::BackChannel;
use super::pages::{DeviceConsentPage, DeviceDonePage, DevicePage, describe_scope, error_page, html};
use super::session::{
    BrowserCookie, FLOW_TTL, Session, csrf_ok, current_session, finish_flow, load_flow, save_flow, set_cookie,
    start_flow,
};
use super::token::{UserTokens, issue_for_user};
use crate::audit::{self, Caller};
use crate::error::OAuthFailure;
use crate::http::Path;
use crate::state::AppState;

/// What the sign-in page says the user is signing in for.
pub(super) const SIGN_IN_PURPOSE: &str = "connect a device";

/// How long a request is kept after it expired, so late polls get `expired_token` rather than
/// `invalid_grant`.
const KEEP_AFTER_EXPIRY: i64 = 600;

/// Wrong user codes a user may enter per window before the page stops accepting codes.
pub(super) const MAX_WRONG_CODES: u64 = 5;

/// The window of [`MAX_WRONG_CODES`].
pub(super) const WRONG_CODE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Device authorizations one client may start per minute: what a leaked client id can make the
/// store hold stays bounded.
const STARTS_PER_MINUTE: u64 = 30;

/// Longest user-code input considered (a code with separators is 9 characters).
const MAX_TYPED: usize = 16;

/// The store key of something kept next to a device request (`decision`, `poll`, `used`).
fn beside(tenant: &TenantNs, hash: &str, what: &str) -> String {
    format!("device_{what}:{tenant}:{hash}")
}

/// How long what is kept beside a request must live: until the request itself goes.
fn remaining(request: &DeviceRequest, now: i64) -> Duration {
    Duration::from_secs(u64::try_from(request.expires_at + KEEP_AFTER_EXPIRY - now).unwrap_or(0).max(1))
}

/// The device authorization response (RFC 8628 §3.2).
#[derive(Serialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: i64,
    interval: i64,
}

/// `POST /t/{tenant}/device_authorization` (RFC 8628 §3.1): the client authenticates as at the
/// token endpoint (a public client sends only its `client_id`).
pub(super) async fn device_authorization(State(st): State<AppState>, request: BackChannel) -> Response {
    let started = start(&st, &request).await;
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

async fn start(st: &AppState, request: &BackChannel) -> Result<DeviceAuthorization, OAuthError> {
    let (tenant, client) = (&request.tenant, &request.client);
    let now = st.clock.now().unix_timestamp();
    let ns = &request.ns;
    let counter = format!("device_starts:{ns}:{}", client.client_id);
    if st.ephemeral.incr(&counter, Duration::from_secs(60)).await.map_err(OAuthError::unavailable)? > STARTS_PER_MINUTE
    {
        return Err(OAuthError::new(ErrorCode::SlowDown, "too many device authorizations; wait a minute"));
    }
    let device = ciam_oauth::device::validate_request(client, &request.params, now)?;
    // As at the authorization endpoint: an app names only registered resources.
    if client.agent.is_none() {
        for resource in &device.resources {
            if super::resource::known_resource(st, tenant, resource).await?.is_none() {
                return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known here"));
            }
        }
    }
    let device_code = random_token(32);
    let hash = SecretHash::of(&device_code);
    let body = serde_json::to_vec(&device).map_err(OAuthError::server_error)?;
    let ephemeral = &st.ephemeral;
    ephemeral
        .put(&device_key_of_hash(ns, hash.as_str()), &body, remaining(&device, now))
        .await
        .map_err(OAuthError::unavailable)?;
    // User codes are short: a new one must not collide with a live one.
    let lifetime = DEVICE_CODE_LIFETIME.unsigned_abs();
    let mut user_code = None;
    for _ in 0..5 {
        let candidate = UserCode::generate();
        let key = candidate.key(ns);
        if ephemeral.put_if_absent(&key, hash.as_str().as_bytes(), lifetime).await.map_err(OAuthError::unavailable)? {
            user_code = Some(candidate);
            break;
        }
    }
    let user_code = user_code.ok_or_else(|| OAuthError::server_error("no free user code after 5 tries"))?.display();
    let verification_uri = format!("{}/device", st.issuer(tenant));
    let mut complete = url::Url::parse(&verification_uri).map_err(OAuthError::server_error)?;
    complete.query_pairs_mut().append_pair("user_code", &user_code);
    tracing::info!(tenant = %tenant, client = %client.client_id, "device authorization started");
    Ok(DeviceAuthorization {
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete: complete.into(),
        expires_in: DEVICE_CODE_LIFETIME.whole_seconds(),
        interval: POLL_INTERVAL,
    })
}

/// One poll of the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
/// (RFC 8628 §3.4): the rules are `ciam_oauth::device::poll`; an approval is redeemed once, and
/// issues tokens as a redeemed authorization code does.
pub(super) async fn redeem(
    st: &AppState,
    tenant: &TenantId,
    ns: &TenantNs,
    client: &Client,
    device_code: &str,
    jkt: Option<&str>,
) -> Result<UserTokens, OAuthError> {
    let hash = SecretHash::of(device_code);
    let hash = hash.as_str();
    let ephemeral = &st.ephemeral;
    let read = |key: String| async move { ephemeral.get(&key).await.map_err(OAuthError::unavailable) };
    let Some(raw) = read(device_key_of_hash(ns, hash)).await? else {
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "the device_code is invalid or expired"));
    };
    let request: DeviceRequest = serde_json::from_slice(&raw).map_err(OAuthError::server_error)?;
    let used = read(beside(ns, hash, "used")).await?.is_some();
    let decision = match read(beside(ns, hash, "decision")).await? {
        Some(raw) => Some(serde_json::from_slice::<DeviceDecision>(&raw).map_err(OAuthError::server_error)?),
        None => None,
    };
    let before: Polling =
        read(beside(ns, hash, "poll")).await?.and_then(|raw| serde_json::from_slice(&raw).ok()).unwrap_or_default();
    let mut polling = before.clone();
    let now = st.clock.now().unix_timestamp();
    let outcome = ciam_oauth::device::poll(&request, &client.client_id, used, decision.as_ref(), &mut polling, now);
    if polling != before {
        let body = serde_json::to_vec(&polling).map_err(OAuthError::server_error)?;
        ephemeral
            .put(&beside(ns, hash, "poll"), &body, remaining(&request, now))
            .await
            .map_err(OAuthError::unavailable)?;
    }
    let grant = outcome?;
    // Single use: of concurrent polls of an approved request exactly one gets the tokens.
    if !ephemeral
        .put_if_absent(&beside(ns, hash, "used"), b"1", remaining(&request, now))
        .await
        .map_err(OAuthError::unavailable)?
    {
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "the device_code was already used"));
    }
    let scope = ScopeSet::parse_space_separated(&grant.scope).map_err(|e| OAuthError::server_error(e.message))?;
    issue_for_user(st, tenant, client, &grant, &scope, None, jkt).await
}

/// The signed-in, active user of this browser, if any.
async fn signed_in(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<(Session, UserId)>, Response> {
    let session = current_session(&ctx.st, &ctx.tenant, headers).await.map_err(|e| unavailable(&ctx.brand, e))?;
    let Some(session) = session else { return Ok(None) };
    let Ok(user_id) = UserId::parse(&session.user_id) else { return Ok(None) };
    match ctx.st.durable.get_user(&ctx.tenant.id, &user_id).await {
        Ok(Some(u)) if u.status == UserStatus::Active => Ok(Some((session, user_id))),
        Ok(_) => Ok(None),
        Err(e) => Err(unavailable(&ctx.brand, e)),
    }
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
) -> Response {
    let ctx = match Ctx::load(st, &tenant).await {
        Ok(ctx) => ctx,
        Err(res) => return res,
    };
    let mut typed = query_param(query.as_deref(), "user_code");
    if let Some(id) = query_param(query.as_deref(), "flow") {
        match load_flow(&ctx.st, &ctx.tenant, &id, &headers).await {
            Ok(Some(flow)) if flow.device => {
                typed = query_param(Some(&flow.query), "user_code");
                let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
            }
            Ok(_) => {}
            Err(e) => return unavailable(&ctx.brand, e),
        }
    }
    let typed = limited(typed.as_deref().unwrap_or(""));
    match signed_in(&ctx, &headers).await {
        Ok(Some((session, _))) => entry_page(&ctx, &session.csrf, &typed, None, StatusCode::OK),
        Ok(None) => to_sign_in(&ctx, &typed).await,
        Err(res) => res,
    }
}

/// Sends the browser to the sign-in page, in a flow that returns to the device page.
async fn to_sign_in(ctx: &Ctx, typed: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("user_code", typed).finish();
    let started = async {
        let (id, browser, mut flow) = start_flow(&ctx.st, &ctx.ns, &query).await?;
        flow.device = true;
        save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
        Ok::<_, anyhow::Error>((id, browser))
    };
    match started.await {
        Ok((id, browser)) => with_cookie(
            see_other(&format!("{}?flow={id}", ctx.path("login"))),
            set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Flow, Some(&browser), FLOW_TTL),
        ),
        Err(e) => unavailable(&ctx.brand, e),
    }
}

/// A live, undecided device request named by a user code.
struct Pending {
    code: UserCode,
    hash: String,
    request: DeviceRequest,
    client: Client,
}

/// Looks up what the user typed; `None` for a code that is malformed, unknown, expired or
/// already decided, or whose client is gone or suspended.
async fn pending(ctx: &Ctx, typed: &str) -> anyhow::Result<Option<Pending>> {
    let Some(code) = UserCode::parse(typed) else { return Ok(None) };
    let (st, tenant, ns) = (&ctx.st, &ctx.tenant.id, &ctx.ns);
    let Some(hash) = st.ephemeral.get(&code.key(ns)).await? else { return Ok(None) };
    let hash = String::from_utf8(hash)?;
    let Some(raw) = st.ephemeral.get(&device_key_of_hash(ns, &hash)).await? else { return Ok(None) };
    let request: DeviceRequest = serde_json::from_slice(&raw)?;
    if st.clock.now().unix_timestamp() >= request.expires_at
        || st.ephemeral.get(&beside(ns, &hash, "decision")).await?.is_some()
    {
        return Ok(None);
    }
    let Ok(client_id) = ClientId::parse(&request.client_id) else { return Ok(None) };
    let client = st.durable.get_client(tenant, &client_id).await?.filter(Client::is_enabled);
    Ok(client.map(|client| Pending { code, hash, request, client }))
}

fn wrong_codes_key(tenant: &TenantNs, user: &UserId) -> String {
    format!("device_wrong:{tenant}:{user}")
}

fn locked_key(tenant: &TenantNs, user: &UserId) -> String {
    format!("device_locked:{tenant}:{user}")
}

/// Counts a wrong code; `true` when the user has now used up the window's allowance.
async fn count_wrong_code(ctx: &Ctx, user: &UserId) -> anyhow::Result<bool> {
    let (st, ns) = (&ctx.st, &ctx.ns);
    let wrong = st.ephemeral.incr(&wrong_codes_key(ns, user), WRONG_CODE_WINDOW).await?;
    if wrong >= MAX_WRONG_CODES {
        st.ephemeral.put(&locked_key(ns, user), b"1", WRONG_CODE_WINDOW).await?;
        tracing::warn!(tenant = %ns, user = %user, "device code entry locked after repeated wrong codes");
        return Ok(true);
    }
    Ok(false)
}

const TOO_MANY: &str = "Too many wrong codes. Wait 15 minutes, then try again.";
const WRONG_CODE: &str = "That code is not valid: check it and try again. Codes expire after 10 minutes.";

/// `POST /t/{tenant}/device`: a code (shows what the client asks for) or, with `decision`, the
/// user's answer to it.
pub(super) async fn page_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = match Ctx::load(st, &tenant).await {
        Ok(ctx) => ctx,
        Err(res) => return res,
    };
    let Ok(form) = Params::parse(&body) else {
        return error_page(StatusCode::BAD_REQUEST, &ctx.brand, "Invalid form.");
    };
    let (session, user_id) = match signed_in(&ctx, &headers).await {
        Ok(Some(who)) => who,
        Ok(None) => return see_other(&ctx.path("device")),
        Err(res) => return res,
    };
    if !csrf_ok(&session.csrf, form.get("csrf")) {
        return error_page(StatusCode::FORBIDDEN, &ctx.brand, "The form expired. Go back and try again.");
    }
    let typed = limited(form.get("user_code").unwrap_or(""));
    match ctx.st.ephemeral.get(&locked_key(&ctx.ns, &user_id)).await {
        Ok(None) => {}
        Ok(Some(_)) => return entry_page(&ctx, &session.csrf, &typed, Some(TOO_MANY), StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return unavailable(&ctx.brand, e),
    }
    let found = match pending(&ctx, &typed).await {
        Ok(p) => p,
        Err(e) => return unavailable(&ctx.brand, e),
    };
    let Some(pending) = found else {
        return match count_wrong_code(&ctx, &user_id).await {
            Ok(true) => entry_page(&ctx, &session.csrf, &typed, Some(TOO_MANY), StatusCode::TOO_MANY_REQUESTS),
            Ok(false) => entry_page(&ctx, &session.csrf, &typed, Some(WRONG_CODE), StatusCode::BAD_REQUEST),
            Err(e) => unavailable(&ctx.brand, e),
        };
    };
    let scope = match ScopeSet::parse_space_separated(&pending.request.scope) {
        Ok(s) => s,
        Err(e) => return unavailable(&ctx.brand, e.message),
    };
    let allow = match form.get("decision") {
        None => return consent_page(&ctx, &session, &pending, &scope).await,
        Some("allow") => true,
        Some("deny") => false,
        Some(_) => return error_page(StatusCode::BAD_REQUEST, &ctx.brand, "Choose Allow or Deny."),
    };
    decide(&ctx, &caller, &session, &user_id, pending, &scope, allow).await
}

async fn consent_page(ctx: &Ctx, session: &Session, pending: &Pending, scope: &ScopeSet) -> Response {
    let agent = match agent_consent(ctx, &pending.client, pending.request.audiences.clone()).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let (action, user_code) = (ctx.path("device"), pending.code.display());
    html(
        StatusCode::OK,
        &DeviceConsentPage {
            brand: &ctx.brand,
            client_name: &pending.client.name,
            scopes: scope.iter().map(describe_scope).collect(),
            action: &action,
            csrf: &session.csrf,
            user_code: &user_code,
            agent,
        },
    )
}

/// Records the user's answer: a delegation or consent as on the authorization consent page,
/// then the decision the client's next poll finds.
async fn decide(
    ctx: &Ctx,
    caller: &Caller,
    session: &Session,
    user_id: &UserId,
    pending: Pending,
    scope: &ScopeSet,
    allow: bool,
) -> Response {
    let (st, tenant, ns) = (&ctx.st, &ctx.tenant.id, &ctx.ns);
    // One answer per code: whoever takes the user code decides.
    match st.ephemeral.take(&pending.code.key(ns)).await {
        Ok(Some(_)) => {}
        Ok(None) => return entry_page(ctx, &session.csrf, "", Some(WRONG_CODE), StatusCode::BAD_REQUEST),
        Err(e) => return unavailable(&ctx.brand, e),
    }
    let (client, request) = (&pending.client, &pending.request);
    let delegation_id =
        match record_decision(ctx, caller, client, user_id, scope, request.audiences.clone(), allow).await {
            Ok(id) => id,
            Err(res) => return res,
        };
    let now = st.clock.now().unix_timestamp();
    let decision = if allow {
        DeviceDecision::Approved(Box::new(CodeGrant {
            client_id: request.client_id.clone(),
            redirect_uri: None,
            scope: request.scope.clone(),
            nonce: None,
            code_challenge: None,
            user_id: user_id.to_string(),
            auth_time: session.auth_time,
            acr: Some(session.acr.clone()),
            amr: session.amr.clone(),
            sid: session.sid.clone(),
            issued_at: now,
            delegation_id,
            resources: request.resources.clone(),
        }))
    } else {
        DeviceDecision::Denied
    };
    let stored = match serde_json::to_vec(&decision) {
        Ok(body) => st.ephemeral.put(&beside(ns, &pending.hash, "decision"), &body, remaining(request, now)).await,
        Err(e) => return unavailable(&ctx.brand, e),
    };
    if let Err(e) = stored {
        return unavailable(&ctx.brand, e);
    }
    tracing::info!(tenant = %tenant, client = %client.client_id, user = %user_id, allow, "device request decided");
    let message = if allow {
        format!("{} is now connected. Return to your device.", client.name)
    } else {
        format!("{} was not given access.", client.name)
    };
    let title = if allow { "Device connected" } else { "Access denied" };
    html(StatusCode::OK, &DeviceDonePage { brand: &ctx.brand, title, message: &message })
}
