//! The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2) and the hosted sign-in and
//! consent pages it leads through.
//!
//! A request is validated by the engine (`ciam_oauth::authorize`); then the user signs in if
//! there is no session (or `prompt=login`, or the session is older than `max_age`), consents if
//! the client has not been granted these scopes (or `prompt=consent`), and gets a single-use code.
//! Each step re-validates the original request, so nothing decided on one page can be altered on
//! the next. Redirects after a form POST are `303 See Other` (RFC 9700 §4.12).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::agent::{AgentOwner, Delegation};
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::random_token;
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_core::user::UserStatus;
use ciam_core::{Acr, Amr};
use ciam_oauth::OAuthError;
use ciam_oauth::authorize::{AuthorizeError, ResponseMode, ValidAuthorization, agent_audiences, validate};
use ciam_oauth::code::{CODE_LIFETIME, CodeGrant, code_key};
use ciam_oauth::form::Params;
use url::Url;

use super::pages::{AgentConsent, Brand, ConsentPage, FormPostPage, describe_scope, error_page, html};
use super::par::{PAR_MARKER, Pushed, par_key};
use super::session::{
    BrowserCookie, FLOW_TTL, Flow, Session, csrf_ok, current_session, finish_flow, load_flow, save_flow, set_cookie,
    start_flow,
};
use super::signin::Pending;
use crate::audit::{self, Caller};
use crate::http::Path;
use crate::state::AppState;

pub(super) struct Ctx {
    pub(super) st: AppState,
    pub(super) tenant: Arc<Tenant>,
    /// The namespace of the tenant's short-lived state.
    pub(super) ns: TenantNs,
    pub(super) brand: Brand,
}

impl Ctx {
    pub(super) async fn load(st: AppState, tenant: &str) -> Result<Self, Response> {
        let id = TenantId::parse(tenant)
            .map_err(|_| error_page(StatusCode::NOT_FOUND, &Brand::neutral(), "Unknown tenant."))?;
        match st.directory.tenant(st.durable.as_ref(), &id).await {
            Ok(Some(tenant)) => Ok(Self { brand: Brand::of(&tenant), ns: tenant.ns(), tenant, st }),
            Ok(None) => Err(error_page(StatusCode::NOT_FOUND, &Brand::neutral(), "Unknown tenant.")),
            Err(e) => Err(unavailable(&Brand::neutral(), e)),
        }
    }

    pub(super) fn path(&self, rest: &str) -> String {
        format!("/t/{}/{rest}", self.tenant.id)
    }
}

pub(super) fn unavailable(brand: &Brand, e: impl std::fmt::Display) -> Response {
    let mut res = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        brand,
        "The service is temporarily unavailable. Try again shortly.",
    );
    res.extensions_mut().insert(crate::error::InternalError { message: e.to_string().into(), store: true });
    res
}

pub(super) fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub(super) fn with_cookie(mut res: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Sends the authorization response (success or error) to the verified redirect URI, with
/// `state` and `iss` (RFC 9207), as query parameters or an auto-posting form.
///
/// # Security
/// Only to a URI that serialises back to the very string that was matched: one that parsers
/// read differently (`https://evil.test\@app.example/cb`, stored before registration refused
/// such URIs) gets an error page, since the browser would go where the lenient reading points.
pub(super) fn respond(redirect_uri: &str, mode: ResponseMode, fields: Vec<(&str, String)>) -> Response {
    let Some(mut url) = Url::parse(redirect_uri).ok().filter(|u| u.as_str() == redirect_uri) else {
        return error_page(StatusCode::BAD_REQUEST, &Brand::neutral(), "Invalid redirect URI.");
    };
    match mode {
        ResponseMode::Query => {
            {
                // Appends to any query the registered URI has, never replacing it (C26).
                let mut q = url.query_pairs_mut();
                for (k, v) in &fields {
                    q.append_pair(k, v);
                }
            }
            see_other(url.as_str())
        }
        ResponseMode::FormPost => html(StatusCode::OK, &FormPostPage { action: redirect_uri, fields }),
    }
}

fn redirect_error(ctx: &Ctx, e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Page(error) => error_page(StatusCode::BAD_REQUEST, &ctx.brand, &error.description),
        AuthorizeError::Redirect { redirect_uri, response_mode, state, error } => {
            if error.internal.is_some() {
                tracing::error!(error = ?error.internal, "authorization failed");
            }
            let mut fields =
                vec![("error", error.code.as_str().to_owned()), ("error_description", error.description.into_owned())];
            if let Some(s) = state {
                fields.push(("state", s));
            }
            fields.push(("iss", ctx.st.issuer(&ctx.tenant.id)));
            respond(&redirect_uri, response_mode, fields)
        }
    }
}

fn refuse(valid: &ValidAuthorization, code: ciam_oauth::ErrorCode, description: &'static str) -> AuthorizeError {
    AuthorizeError::Redirect {
        redirect_uri: valid.redirect_uri.clone(),
        response_mode: valid.response_mode,
        state: valid.state.clone(),
        error: OAuthError::new(code, description),
    }
}

/// Parses and validates an authorization request given as a query or form string.
pub(super) async fn validated(ctx: &Ctx, query: &str) -> Result<(Arc<Client>, ValidAuthorization), Response> {
    let params =
        Params::parse(query.as_bytes()).map_err(|e| error_page(StatusCode::BAD_REQUEST, &ctx.brand, &e.description))?;
    let client = match params.get("client_id").and_then(|c| ClientId::parse(c).ok()) {
        // A URL: a client described by its metadata document, if the tenant allows it.
        Some(id) if id.is_metadata_document() => crate::metadata_documents::resolve(&ctx.st, &ctx.tenant, &id)
            .await
            .map_err(|e| unavailable(&ctx.brand, e))?
            .map(Arc::new),
        Some(id) => ctx
            .st
            .directory
            .client(ctx.st.durable.as_ref(), &ctx.tenant.id, &id)
            .await
            .map_err(|e| unavailable(&ctx.brand, e))?
            .map(|known| known.client.clone()),
        None => None,
    };
    // A suspended agent is refused like an unknown client.
    let client = client.filter(|c| c.is_enabled());
    let valid = validate(&params, client.as_deref()).map_err(|e| redirect_error(ctx, e))?;
    let client = client.ok_or_else(|| error_page(StatusCode::BAD_REQUEST, &ctx.brand, "Unknown client."))?;
    Ok((client, valid))
}

/// `GET /t/{tenant}/authorize`.
pub(super) async fn authorize_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match Ctx::load(st, &tenant).await {
        Ok(ctx) => match expand_pushed(&ctx, query.as_deref().unwrap_or("")).await {
            Ok(q) => authorize(&ctx, &q, &headers, None).await,
            Err(res) => res,
        },
        Err(res) => res,
    }
}

/// Replaces a `request_uri` (RFC 9126 §4) by the request it names, which must have been pushed
/// by the same client and not yet used; front-channel requests never carry the internal marker.
async fn expand_pushed(ctx: &Ctx, query: &str) -> Result<String, Response> {
    let params =
        Params::parse(query.as_bytes()).map_err(|e| error_page(StatusCode::BAD_REQUEST, &ctx.brand, &e.description))?;
    if params.get(PAR_MARKER).is_some() {
        return Err(error_page(StatusCode::BAD_REQUEST, &ctx.brand, "Invalid authorization request."));
    }
    let Some(uri) = params.get("request_uri") else { return Ok(query.to_owned()) };
    let invalid = || {
        error_page(StatusCode::BAD_REQUEST, &ctx.brand, "invalid_request_uri: the request is unknown, expired or used.")
    };
    let raw = ctx.st.ephemeral.get(&par_key(&ctx.ns, uri)).await.map_err(|e| unavailable(&ctx.brand, e))?;
    let pushed: Pushed = raw.and_then(|r| serde_json::from_slice(&r).ok()).ok_or_else(invalid)?;
    if params.get("client_id") != Some(pushed.client_id.as_str()) {
        return Err(invalid());
    }
    let marker: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(PAR_MARKER, uri).finish();
    Ok(format!("{}&{marker}", pushed.query))
}

/// `POST /t/{tenant}/authorize` (form-encoded request, OIDC Core §3.1.2.1).
pub(super) async fn authorize_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match Ctx::load(st, &tenant).await {
        Ok(ctx) => match expand_pushed(&ctx, &String::from_utf8_lossy(&body)).await {
            Ok(q) => authorize(&ctx, &q, &headers, None).await,
            Err(res) => res,
        },
        Err(res) => res,
    }
}

/// The decision for a (re-)validated request: sign in, consent, or issue a code.
async fn authorize(ctx: &Ctx, query: &str, headers: &HeaderMap, flow: Option<(&str, &Flow)>) -> Response {
    let (client, valid) = match validated(ctx, query).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    if client.require_pushed_authorization_requests && query_param(Some(query), PAR_MARKER).is_none() {
        return redirect_error(
            ctx,
            refuse(&valid, ciam_oauth::ErrorCode::InvalidRequest, "this client must use pushed authorization requests"),
        );
    }
    // An app may only ask for resources registered in the tenant (an agent, for those it is
    // allowed, checked with its delegation below).
    if client.agent.is_none() {
        for resource in &valid.resources {
            match super::resource::known_resource(&ctx.st, &ctx.tenant.id, resource).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return redirect_error(
                        ctx,
                        refuse(&valid, ciam_oauth::ErrorCode::InvalidTarget, "the resource is not known here"),
                    );
                }
                Err(e) => return unavailable(&ctx.brand, e),
            }
        }
    }
    let now = ctx.st.clock.now().unix_timestamp();
    let session = match current_session(&ctx.st, &ctx.tenant, headers).await {
        Ok(s) => s,
        Err(e) => return unavailable(&ctx.brand, e),
    };
    let signed_in_now = flow.is_some_and(|(_, f)| f.signed_in);
    // id_token_hint (C23): a hint we did not issue is refused; a hint for another user than the
    // session's means the session does not count.
    let hinted_sub = match &valid.id_token_hint {
        None => None,
        Some(h) => match super::hint::verify_id_token_hint(ctx, h).await {
            Ok(Some(claims)) => claims.get("sub").and_then(serde_json::Value::as_str).map(str::to_owned),
            Ok(None) => {
                return redirect_error(
                    ctx,
                    refuse(&valid, ciam_oauth::ErrorCode::InvalidRequest, "id_token_hint is not valid"),
                );
            }
            Err(e) => return unavailable(&ctx.brand, e),
        },
    };
    let session = session.filter(|s| hinted_sub.as_deref().is_none_or(|sub| sub == s.user_id));
    let too_old = |s: &Session| {
        valid.max_age.is_some_and(|m| now.saturating_sub(s.auth_time) > i64::try_from(m).unwrap_or(i64::MAX))
    };
    let user = match &session {
        Some(s) if signed_in_now || !(valid.prompt.login || too_old(s)) => {
            let id = UserId::parse(&s.user_id).ok();
            match id {
                Some(id) => match ctx.st.durable.get_user(&ctx.tenant.id, &id).await {
                    Ok(u) => u.filter(|u| u.status == UserStatus::Active),
                    Err(e) => return unavailable(&ctx.brand, e),
                },
                None => None,
            }
        }
        _ => None,
    };
    let (Some(session), Some(user)) = (session, user) else {
        if valid.prompt.none {
            return redirect_error(ctx, refuse(&valid, ciam_oauth::ErrorCode::LoginRequired, "the user must sign in"));
        }
        return to_page(ctx, query, flow, "login").await;
    };
    // A session weaker than the application asks for (acr_values) is stepped up: the user
    // confirms with a second factor, never gets a lower level than asked.
    if let Some(asked) = super::signin::requested_acr(valid.acr_values.iter().map(String::as_str)) {
        let have = Acr::parse(&session.acr).unwrap_or(Acr::Password);
        if !have.satisfies(asked) {
            if valid.prompt.none {
                return redirect_error(
                    ctx,
                    refuse(&valid, ciam_oauth::ErrorCode::InteractionRequired, "a stronger sign-in is needed"),
                );
            }
            return step_up(ctx, query, flow, |_| {}, &session, asked).await;
        }
    }

    // An agent's consent is a delegation covering this request (asked again with
    // prompt=consent); an app's is the consent record.
    let consented_now = flow.is_some_and(|(_, f)| f.consented);
    let (must_ask, delegation) = if client.agent.is_some() {
        let audiences = match agent_audiences(&client, &valid.resources) {
            Ok(a) => a,
            Err(e) => return redirect_error(ctx, refuse(&valid, ciam_oauth::ErrorCode::InvalidTarget, e)),
        };
        let now = ctx.st.clock.now();
        let delegation = match ctx.st.durable.active_delegations(&ctx.tenant.id, &user.id, &client.client_id, now).await
        {
            Ok(list) => list.into_iter().find(|d| d.covers(&valid.scope, &audiences)),
            Err(e) => return unavailable(&ctx.brand, e),
        };
        (delegation.is_none() || (valid.prompt.consent && !consented_now), delegation)
    } else if client.client_id.is_metadata_document() {
        // Unregistered and self-described: asked every time, never remembered.
        (!consented_now, None)
    } else {
        let consented = match ctx.st.durable.get_consent(&ctx.tenant.id, &user.id, &client.client_id).await {
            Ok(c) => {
                c.and_then(|c| ScopeSet::parse_space_separated(&c).ok()).is_some_and(|c| valid.scope.is_subset(&c))
            }
            Err(e) => return unavailable(&ctx.brand, e),
        };
        (!consented_now && (!consented || valid.prompt.consent), None)
    };
    if must_ask {
        if valid.prompt.none {
            return redirect_error(
                ctx,
                refuse(&valid, ciam_oauth::ErrorCode::ConsentRequired, "the user must consent"),
            );
        }
        return to_page(ctx, query, flow, "consent").await;
    }

    // A pushed request is used up by the code it leads to (RFC 9126 §4: single use).
    if let Some(uri) = query_param(Some(query), PAR_MARKER) {
        match ctx.st.ephemeral.take(&par_key(&ctx.ns, &uri)).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return redirect_error(
                    ctx,
                    refuse(&valid, ciam_oauth::ErrorCode::InvalidRequest, "the request_uri was already used"),
                );
            }
            Err(e) => return unavailable(&ctx.brand, e),
        }
    }

    // Issue the code.
    let code = random_token(32);
    let grant = CodeGrant {
        client_id: client.client_id.to_string(),
        redirect_uri: valid.redirect_uri_sent.then(|| valid.redirect_uri.clone()),
        scope: valid.scope.to_string(),
        nonce: valid.nonce.clone(),
        code_challenge: valid.code_challenge.as_ref().map(|c| c.as_str().to_owned()),
        user_id: user.id.to_string(),
        auth_time: session.auth_time,
        acr: Some(session.acr.clone()),
        amr: session.amr.clone(),
        sid: session.sid.clone(),
        issued_at: now,
        delegation_id: delegation.map(|d| d.id),
        resources: valid.resources.clone(),
    };
    let stored = match serde_json::to_vec(&grant) {
        Ok(bytes) => ctx.st.ephemeral.put(&code_key(&ctx.ns, &code), &bytes, CODE_LIFETIME.unsigned_abs()).await,
        Err(e) => return crate::error::Problem::internal(e).into_response(),
    };
    if let Err(e) = stored {
        return redirect_error(
            ctx,
            AuthorizeError::Redirect {
                redirect_uri: valid.redirect_uri.clone(),
                response_mode: valid.response_mode,
                state: valid.state.clone(),
                error: OAuthError::unavailable(e),
            },
        );
    }
    if let Some((id, _)) = flow {
        let _ = finish_flow(&ctx.st, &ctx.ns, id).await;
    }
    let mut fields = vec![("code", code)];
    if let Some(s) = &valid.state {
        fields.push(("state", s.clone()));
    }
    fields.push(("iss", ctx.st.issuer(&ctx.tenant.id)));
    respond(&valid.redirect_uri, valid.response_mode, fields)
}

/// Sends a signed-in browser to the second-factor page to reach `required`, in `flow` or in a
/// new one that `prepare` shapes (the account pages' confirmation before a change).
pub(super) async fn step_up(
    ctx: &Ctx,
    query: &str,
    flow: Option<(&str, &Flow)>,
    prepare: impl FnOnce(&mut Flow),
    session: &Session,
    required: Acr,
) -> Response {
    let (id, mut flow, browser) = match flow {
        Some((id, f)) => (id.to_owned(), f.clone(), None),
        None => match start_flow(&ctx.st, &ctx.ns, query).await {
            Ok((id, browser, mut f)) => {
                prepare(&mut f);
                (id, f, Some(browser))
            }
            Err(e) => return unavailable(&ctx.brand, e),
        },
    };
    flow.pending = Some(Pending {
        user_id: session.user_id.clone(),
        amr: session.amr.iter().filter_map(|m| Amr::parse(m)).collect(),
        required,
        auth_time: ctx.st.clock.now().unix_timestamp(),
        no_email: flow.reauth.is_some_and(|r| !r.email_counts),
    });
    if let Err(e) = save_flow(&ctx.st, &ctx.ns, &id, &flow).await {
        return unavailable(&ctx.brand, e);
    }
    let res = see_other(&format!("{}?flow={id}", ctx.path("mfa")));
    match browser {
        Some(b) => with_cookie(res, set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Flow, Some(&b), FLOW_TTL)),
        None => res,
    }
}

/// The requested level cannot be reached with this user's authenticators: the client hears
/// `unmet_authentication_requirements`; a device sign-in gets a page.
pub(super) async fn unmet_requirements(ctx: &Ctx, flow: &Flow) -> Response {
    let message = "This application asks for a stronger sign-in than your account can give. Add a passkey in your \
                   account security settings and try again.";
    if !flow.is_authorization() {
        return error_page(StatusCode::FORBIDDEN, &ctx.brand, message);
    }
    match validated(ctx, &flow.query).await {
        Ok((_, valid)) => redirect_error(
            ctx,
            refuse(
                &valid,
                ciam_oauth::ErrorCode::UnmetAuthenticationRequirements,
                "the requested authentication level cannot be reached",
            ),
        ),
        Err(res) => res,
    }
}

/// Sends the browser to the login or consent page of a (new or continuing) flow.
async fn to_page(ctx: &Ctx, query: &str, flow: Option<(&str, &Flow)>, page: &str) -> Response {
    if let Some((id, _)) = flow {
        return see_other(&format!("{}?flow={id}", ctx.path(page)));
    }
    match start_flow(&ctx.st, &ctx.ns, query).await {
        Ok((id, browser, _)) => with_cookie(
            see_other(&format!("{}?flow={id}", ctx.path(page))),
            set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Flow, Some(&browser), FLOW_TTL),
        ),
        Err(e) => unavailable(&ctx.brand, e),
    }
}

fn flow_expired(ctx: &Ctx) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        &ctx.brand,
        "This sign-in page has expired or was opened in another browser. Return to the application and start again.",
    )
}

/// The tenant and the flow of a page request (`?flow=…`).
pub(super) async fn flow_step(
    st: AppState,
    tenant: &str,
    flow: Option<&str>,
    headers: &HeaderMap,
) -> Result<(Ctx, String, Flow), Response> {
    let ctx = Ctx::load(st, tenant).await?;
    let (id, flow) = the_flow(&ctx, flow, headers).await?;
    Ok((ctx, id, flow))
}

/// The tenant, the flow and the form of a page's POST, after the CSRF check.
pub(super) async fn form_step(
    st: AppState,
    tenant: &str,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<(Ctx, String, Flow, Params), Response> {
    let ctx = Ctx::load(st, tenant).await?;
    let form = Params::parse(body).map_err(|e| error_page(StatusCode::BAD_REQUEST, &ctx.brand, &e.description))?;
    let (id, flow) = the_flow(&ctx, form.get("flow"), headers).await?;
    if !csrf_ok(&flow.csrf, form.get("csrf")) {
        return Err(error_page(StatusCode::FORBIDDEN, &ctx.brand, "The form expired. Go back and try again."));
    }
    Ok((ctx, id, flow, form))
}

/// Loads the flow named in a query or form, bound to this browser.
async fn the_flow(ctx: &Ctx, id: Option<&str>, headers: &HeaderMap) -> Result<(String, Flow), Response> {
    let id = id.ok_or_else(|| flow_expired(ctx))?;
    match load_flow(&ctx.st, &ctx.tenant, id, headers).await {
        Ok(Some(f)) => Ok((id.to_owned(), f)),
        Ok(None) => Err(flow_expired(ctx)),
        Err(e) => Err(unavailable(&ctx.brand, e)),
    }
}

pub(super) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// `GET /t/{tenant}/authorize/resume?flow=…`: continues a flow after a page.
pub(super) async fn resume(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (ctx, id, flow) = match flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await
    {
        Ok(step) => step,
        Err(res) => return res,
    };
    authorize(&ctx, &flow.query.clone(), &headers, Some((&id, &flow))).await
}

/// `GET /t/{tenant}/consent?flow=…`: what the client asks for, with Allow and Deny.
pub(super) async fn consent_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (ctx, id, flow) = match flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await
    {
        Ok(step) => step,
        Err(res) => return res,
    };
    let (client, valid) = match validated(&ctx, &flow.query).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let host = Url::parse(&valid.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let action = ctx.path("consent");
    let audiences = agent_audiences(&client, &valid.resources).unwrap_or_default();
    let agent = match agent_consent(&ctx, &client, audiences).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    // A self-described client (a metadata document, or registered by itself): its name is its
    // own claim; show where it really lives.
    let unverified = if client.client_id.is_metadata_document() {
        Url::parse(client.client_id.as_str()).ok().and_then(|u| u.host_str().map(str::to_owned))
    } else {
        match ctx.st.durable.registration_token_hash(&ctx.tenant.id, &client.client_id).await {
            Ok(registered) => registered.map(|_| host.clone()),
            Err(e) => return unavailable(&ctx.brand, e),
        }
    };
    html(
        StatusCode::OK,
        &ConsentPage {
            brand: &ctx.brand,
            client_name: &client.name,
            scopes: valid.scope.iter().map(describe_scope).collect(),
            redirect_host: &host,
            action: &action,
            flow: &id,
            csrf: &flow.csrf,
            agent,
            unverified_host: unverified.as_deref(),
        },
    )
}

/// What the approval page says about an agent: who runs it, which APIs it would get, until when.
/// `None` for an app.
pub(super) async fn agent_consent(
    ctx: &Ctx,
    client: &Client,
    audiences: Vec<String>,
) -> Result<Option<AgentConsent>, Response> {
    let Some(profile) = &client.agent else { return Ok(None) };
    let owner = match &profile.owner {
        AgentOwner::Client(id) => match ctx.st.durable.get_client(&ctx.tenant.id, id).await {
            Ok(c) => c.map_or_else(|| id.to_string(), |c| c.name),
            Err(e) => return Err(unavailable(&ctx.brand, e)),
        },
        AgentOwner::User(id) => match ctx.st.durable.get_user(&ctx.tenant.id, id).await {
            Ok(u) => u.map_or_else(|| "a former user".to_owned(), |u| u.email.as_str().to_owned()),
            Err(e) => return Err(unavailable(&ctx.brand, e)),
        },
    };
    let until = delegation_expiry(ctx, profile.delegation_lifetime);
    Ok(Some(AgentConsent {
        description: profile.description.clone(),
        owner,
        audiences,
        until: until.date().to_string(),
    }))
}

fn delegation_expiry(ctx: &Ctx, lifetime: u32) -> time::OffsetDateTime {
    ctx.st.clock.now() + time::Duration::seconds(i64::from(lifetime))
}

/// `POST /t/{tenant}/consent`: Allow records the consent and continues; Deny returns
/// `access_denied` to the client.
pub(super) async fn consent_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, id, mut flow, form) = match form_step(st, &tenant, &body, &headers).await {
        Ok(step) => step,
        Err(res) => return res,
    };
    let (client, valid) = match validated(&ctx, &flow.query).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let session = match current_session(&ctx.st, &ctx.tenant, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return flow_expired(&ctx),
        Err(e) => return unavailable(&ctx.brand, e),
    };
    let Ok(user_id) = UserId::parse(&session.user_id) else { return flow_expired(&ctx) };
    let allow = match form.get("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return error_page(StatusCode::BAD_REQUEST, &ctx.brand, "Choose Allow or Deny."),
    };
    let audiences = match (&client.agent, agent_audiences(&client, &valid.resources)) {
        (None, _) => Vec::new(),
        (Some(_), Ok(a)) => a,
        (Some(_), Err(_)) => return flow_expired(&ctx),
    };
    if let Err(res) = record_decision(&ctx, &caller, &client, &user_id, &valid.scope, audiences, allow).await {
        return res;
    }
    if !allow {
        let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
        return redirect_error(&ctx, refuse(&valid, ciam_oauth::ErrorCode::AccessDenied, "the user denied access"));
    }
    flow.consented = true;
    authorize(&ctx, &flow.query.clone(), &headers, Some((&id, &flow))).await
}

/// Records a user's answer to `client` asking for `scope`, wherever it was asked (the consent
/// page of the code flow, the device verification page). For an agent: the delegation with
/// `audiences` when allowed, and a `delegation.granted` / `delegation.denied` audit event either
/// way. For an app: the consent when allowed, remembered as the union with earlier consents so a
/// narrower request does not forget a wider one. Returns the new delegation's id.
pub(super) async fn record_decision(
    ctx: &Ctx,
    caller: &Caller,
    client: &Client,
    user_id: &UserId,
    scope: &ScopeSet,
    audiences: Vec<String>,
    allow: bool,
) -> Result<Option<String>, Response> {
    if let Some(profile) = &client.agent {
        let now = ctx.st.clock.now();
        let delegation = Delegation {
            tenant_id: ctx.tenant.id.clone(),
            id: Delegation::generate_id(),
            user_id: *user_id,
            agent_id: client.client_id.clone(),
            scope: scope.clone(),
            audiences,
            created_at: now,
            expires_at: delegation_expiry(ctx, profile.delegation_lifetime),
            revoked_at: None,
        };
        let mut event = if allow {
            AuditRecord::allow("delegation.granted")
        } else {
            AuditRecord::deny("delegation.denied", "the user denied the agent")
        };
        event.user_id = Some(user_id.to_string());
        event.client_id = Some(client.client_id.to_string());
        event.actors = vec![client.client_id.to_string()];
        event.scope = Some(delegation.scope.to_string());
        event.audience = Some(delegation.audiences.join(" "));
        if allow {
            event.delegation_id = Some(delegation.id.clone());
            ctx.st.durable.create_delegation(&delegation).await.map_err(|e| unavailable(&ctx.brand, e))?;
        }
        audit::record(&ctx.st, &ctx.tenant.id, caller, event).await.map_err(|e| unavailable(&ctx.brand, e))?;
        return Ok(allow.then_some(delegation.id));
    }
    // A client known only by its metadata document is asked every time: nothing to remember.
    if !allow || client.client_id.is_metadata_document() {
        return Ok(None);
    }
    let store = &ctx.st.durable;
    let previous = match store.get_consent(&ctx.tenant.id, user_id, &client.client_id).await {
        Ok(p) => p.and_then(|p| ScopeSet::parse_space_separated(&p).ok()).unwrap_or_default(),
        Err(e) => return Err(unavailable(&ctx.brand, e)),
    };
    let mut all = previous.to_vec();
    all.extend(scope.to_vec());
    let union = ScopeSet::from_list(&all).unwrap_or_else(|_| scope.clone());
    store
        .put_consent(&ctx.tenant.id, user_id, &client.client_id, &union.to_string(), ctx.st.clock.now())
        .await
        .map_err(|e| unavailable(&ctx.brand, e))?;
    Ok(None)
}
