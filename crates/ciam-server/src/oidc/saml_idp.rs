//! The SAML 2.0 identity provider's doors (SAML Profiles §4.1, Web Browser SSO; §4.4, single
//! logout): metadata, single sign-on by HTTP-Redirect and HTTP-POST, the consent to release
//! attributes, IdP-initiated sign-on from the account centre, and single logout from ciam to
//! the apps a session signed into. What an app is given is `services::saml_idp`'s.
//!
//! # Security
//! - A request names its app by its `Issuer`; its assertion consumer service must be one the app
//!   registered, exactly (by URL or index), before anything is sent anywhere: until then every
//!   error is a page, never a post to an unverified URL.
//! - A request is signed when the app says so (`require_signed_requests`), and a signed one is
//!   checked whenever the app's certificate is known. Its `Destination` must be this endpoint, it
//!   must be fresh (ten minutes either way) and it is taken once (its `ID` is kept).
//! - The sign-in is the hosted flow's, bound to the browser; `ForceAuthn` needs a sign-in in
//!   this flow, `IsPassive` never shows a page (the app hears `NoPassive`).
//! - Attributes are released with consent, remembered per app like an OAuth client's scopes.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::Acr;
use ciam_core::client::Client;
use ciam_core::id::ClientId;
use ciam_core::keyspace::{self, Replay};
use ciam_core::saml_app::{NameIdFormat, SamlApp};
use ciam_core::scope::ScopeSet;
use ciam_core::user::User;
use ciam_oauth::authorize::Delivery;
use ciam_oauth::form::Params;
use ciam_saml::idp::{Incoming, Message, Parameter, SubStatus};
use serde::{Deserialize, Serialize};
use url::Url;

use super::authorize::step_up;
use super::consent::{decision, record_decision};
use super::pages::{ConsentPage, describe_scope, html};
use super::session::{
    BrowserCookie, Flow, Session, csrf_ok, current_session, finish_flow, read_cookie, save_flow, session_user,
    start_flow,
};
use super::web_flow::{Ctx, flow_expired, flow_step, form_expired, form_step, query_param, respond, see_other};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{Text, msg};
use crate::services::sessions;
use crate::services::{By, ServiceError, saml_idp};
use crate::state::AppState;

/// How far a request's `IssueInstant` may be from now, either way.
pub(super) const FRESH: time::Duration = time::Duration::minutes(10);

/// A sign-in for a SAML app, kept in the flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SamlPending {
    /// The app (its client id).
    pub(crate) client_id: String,
    /// Its name, for the sign-in page.
    pub(crate) app_name: String,
    /// The registered assertion consumer service the answer goes to.
    acs: String,
    /// The request answered; `None` for an IdP-initiated sign-on.
    request_id: Option<String>,
    relay_state: Option<String>,
    format: NameIdFormat,
    force_authn: bool,
    is_passive: bool,
    /// The level the request's `RequestedAuthnContext` asks for, and the class to report.
    #[serde(default)]
    required: Option<(Acr, String)>,
}

/// `GET /t/{tenant}/saml/metadata`: the tenant's identity provider metadata.
pub(super) async fn metadata(State(st): State<AppState>, Path(tenant): Path<String>) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    let xml = saml_idp::metadata(&ctx.st, &ctx.tenant.id).await?;
    Ok(([(header::CONTENT_TYPE, "application/samlmetadata+xml")], xml).into_response())
}

/// `GET /t/{tenant}/saml/sso`: an `AuthnRequest` by HTTP-Redirect.
pub(super) async fn sso_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    let incoming = Incoming::from_redirect(query.as_deref().unwrap_or(""));
    ctx.branded(receive(&ctx, &caller, incoming, &headers, false)).await
}

/// `POST /t/{tenant}/saml/sso`: an `AuthnRequest` by HTTP-POST. The app's page posts it
/// cross-site, so the browser sends no `SameSite=Lax` cookie with it: the request is kept in a
/// flow and continued by a same-site GET, which carries the session.
pub(super) async fn sso_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form = Params::parse(&body).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
        let value = form.get("SAMLRequest").unwrap_or("");
        let incoming = Incoming::from_post(Parameter::SamlRequest, value, form.get("RelayState"));
        receive(&ctx, &caller, incoming, &headers, true).await
    })
    .await
}

/// A request that cannot be answered to the app: a page, and the reason in the log.
pub(super) fn unreadable(why: impl std::fmt::Display) -> PageError {
    tracing::info!(reason = %why, "SAML request refused");
    PageError::bad_request(msg!("error-saml-request"))
}

/// Checks a received request and continues its sign-in (`posted`: in a flow, by a GET).
async fn receive(
    ctx: &Ctx,
    caller: &Caller,
    incoming: Result<Incoming, ciam_saml::SamlError>,
    headers: &HeaderMap,
    posted: bool,
) -> Result<Response, PageError> {
    let incoming = incoming.map_err(unreadable)?;
    let Message::AuthnRequest(request) = &incoming.message else {
        return Err(unreadable("not an AuthnRequest"));
    };
    let app = ctx.st.durable.find_saml_app(&ctx.tenant.id, &request.issuer).await?;
    let Some((app, saml)) = app.as_ref().and_then(|a| a.saml.as_ref().map(|s| (a, s))) else {
        return Err(unreadable(format_args!("no SAML app has the entity id {:?}", request.issuer)));
    };
    tracing::Span::current().record("client_id", app.client_id.as_str());
    if saml.require_signed_requests || incoming.is_signed() {
        match saml_idp::signing_certificate(saml) {
            Some(der) => incoming.verify_signature(&[der]).map_err(unreadable)?,
            None if saml.require_signed_requests => return Err(unreadable("the app has no certificate")),
            None => {}
        }
    }
    let Some(acs) = saml.acs(request.acs_url.as_deref(), request.acs_index) else {
        return Err(unreadable("the assertion consumer service is not one the app registered"));
    };
    // From here the app is known and the answer has a verified destination.
    let fail = |sub, why: &'static str| refuse(ctx, acs, Some(&request.id), incoming.relay_state.as_deref(), sub, why);
    if request.protocol_binding.as_deref().is_some_and(|b| b != ciam_saml::BINDING_POST) {
        return fail(SubStatus::UnsupportedBinding, "responses are sent by HTTP-POST only").await;
    }
    let sso = saml_idp::endpoint(&ctx.st, &ctx.tenant.id, "sso");
    if request.destination.as_deref().is_some_and(|d| d != sso) {
        return fail(SubStatus::RequestDenied, "the Destination is not this single sign-on service").await;
    }
    let now = ctx.st.clock.now();
    if (request.issue_instant - now).abs() > FRESH {
        return fail(SubStatus::RequestDenied, "the request is not fresh (IssueInstant)").await;
    }
    let format = match request.name_id_format.as_deref() {
        None | Some("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified") => saml.name_id_format,
        Some(uri) => match NameIdFormat::from_uri(uri) {
            Some(f) => f,
            None => return fail(SubStatus::InvalidNameIdPolicy, "NameID formats: persistent, emailAddress").await,
        },
    };
    let required = match &request.requested_authn_context {
        None => None,
        Some(r) => match saml_idp::requested_level(&r.comparison, &r.class_refs) {
            Ok(level) => level,
            Err(()) => return fail(SubStatus::NoAuthnContext, "no requested authentication context is offered").await,
        },
    };
    let replay = keyspace::saml_request(&ctx.tenant.id, &saml.entity_id, &request.id);
    let ttl = Duration::from_secs(2 * FRESH.whole_seconds().unsigned_abs());
    if !Replay::new(ctx.st.ephemeral.as_ref()).first_use(&replay, ttl).await? {
        return Err(unreadable("the request was already used"));
    }
    let pending = SamlPending {
        client_id: app.client_id.to_string(),
        app_name: app.name.clone(),
        acs: acs.to_owned(),
        request_id: Some(request.id.clone()),
        relay_state: incoming.relay_state.clone(),
        format,
        force_authn: request.force_authn,
        is_passive: request.is_passive,
        required,
    };
    if posted {
        return in_flow(ctx, &pending, "saml/resume").await;
    }
    proceed(ctx, caller, &pending, None, headers).await
}

/// Starts a flow for `pending` and sends the browser to `page` with it.
async fn in_flow(ctx: &Ctx, pending: &SamlPending, page: &str) -> Result<Response, PageError> {
    let (id, browser, mut flow) = start_flow(&ctx.st, &ctx.ns, "").await?;
    flow.saml = Some(pending.clone());
    save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
    Ok(ctx.with_flow_cookie(see_other(&format!("{}?flow={id}", ctx.path(page))), &browser))
}

/// The signed failure response, posted to the app.
async fn refuse(
    ctx: &Ctx,
    acs: &str,
    in_response_to: Option<&str>,
    relay_state: Option<&str>,
    sub: SubStatus,
    why: &str,
) -> Result<Response, PageError> {
    tracing::info!(reason = why, "SAML request answered with a failure");
    let response = saml_idp::refusal(&ctx.st, &ctx.tenant.id, acs, in_response_to, sub, why).await?;
    Ok(post_to(acs, response, relay_state))
}

/// The auto-submitting form that carries a response to the app (HTTP-POST binding).
fn post_to(acs: &str, response: String, relay_state: Option<&str>) -> Response {
    let mut fields = vec![("SAMLResponse", response)];
    if let Some(r) = relay_state {
        fields.push(("RelayState", r.to_owned()));
    }
    respond(acs, Delivery::FormPost, fields)
}

/// The app of a pending sign-in, if it is still a SAML app.
pub(super) async fn app_of(ctx: &Ctx, client_id: &str) -> Result<Option<Client>, PageError> {
    let Ok(id) = ClientId::parse(client_id) else { return Ok(None) };
    let known = ctx.st.directory.client(ctx.st.durable.as_ref(), &ctx.tenant.id, &id).await?;
    Ok(known.map(|k| (*k.client).clone()).filter(|c| c.saml.is_some()))
}

/// The browser's live session and its active user.
async fn signed_in(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<(Session, User)>, PageError> {
    let Some(session) = current_session(&ctx.st, &ctx.tenant, headers).await? else { return Ok(None) };
    Ok(session_user(&ctx.st, &ctx.tenant.id, &session).await?.map(|u| (session, u)))
}

/// Takes the step a SAML sign-in is at: sign in, consent, or answer the app.
async fn proceed(
    ctx: &Ctx,
    caller: &Caller,
    pending: &SamlPending,
    flow: Option<(&str, &Flow)>,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let app = app_of(ctx, &pending.client_id).await?.ok_or_else(flow_expired)?;
    let saml = app.saml.as_ref().ok_or_else(flow_expired)?;
    let in_response_to = pending.request_id.as_deref();
    // A failure answered to the app, at its ACS.
    let to_app =
        |sub, why: &'static str| refuse(ctx, &pending.acs, in_response_to, pending.relay_state.as_deref(), sub, why);
    let page = |page: &'static str| async move {
        match flow {
            Some((id, _)) => Ok(see_other(&format!("{}?flow={id}", ctx.path(page)))),
            None => in_flow(ctx, pending, page).await,
        }
    };
    let signed_in = signed_in(ctx, headers).await?;
    let fresh_enough = flow.is_some_and(|(_, f)| f.signed_in) || !pending.force_authn;
    let Some((session, user)) = signed_in.filter(|_| fresh_enough) else {
        if pending.is_passive {
            return to_app(SubStatus::NoPassive, "sign-in needed").await;
        }
        return page("login").await;
    };
    if let Some((required, _)) = pending.required
        && !Acr::parse(&session.acr).is_some_and(|a| a.satisfies(required))
    {
        if pending.is_passive {
            return to_app(SubStatus::NoPassive, "a stronger sign-in needed").await;
        }
        return step_up(ctx, "", flow, |f| f.saml = Some(pending.clone()), &session, required).await;
    }
    if !consented(ctx, &app, saml, &user, flow).await? {
        if pending.is_passive {
            return to_app(SubStatus::NoPassive, "consent needed").await;
        }
        return page("saml/consent").await;
    }
    let class = pending.required.as_ref().map(|(_, class)| class.as_str());
    let answer = saml_idp::Answer { app: &app, acs: &pending.acs, in_response_to, format: pending.format, class };
    let by = By::user(caller.clone(), user.id);
    let (response, participant) = match saml_idp::sign_in(&ctx.st, &by, &answer, &session, &user).await {
        Ok(done) => done,
        Err(ServiceError::Invalid(_)) => {
            return to_app(SubStatus::InvalidNameIdPolicy, "the user's address is not verified").await;
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(cookie) = read_cookie(&ctx.st, &ctx.tenant.id, headers, BrowserCookie::Session) {
        sessions::remember_saml_app(&ctx.st, &ctx.tenant, cookie, participant).await?;
    }
    if let Some((id, _)) = flow {
        let _ = finish_flow(&ctx.st, &ctx.ns, id).await;
    }
    Ok(post_to(&pending.acs, response, pending.relay_state.as_deref()))
}

/// Whether the user allowed the app the scopes of its attributes, in this flow or before.
async fn consented(
    ctx: &Ctx,
    app: &Client,
    saml: &SamlApp,
    user: &User,
    flow: Option<(&str, &Flow)>,
) -> Result<bool, PageError> {
    if flow.is_some_and(|(_, f)| f.consented) {
        return Ok(true);
    }
    let remembered = ctx.st.durable.get_consent(&ctx.tenant.id, &user.id, &app.client_id).await?;
    let remembered = remembered.and_then(|c| ScopeSet::parse_space_separated(&c).ok());
    Ok(remembered.is_some_and(|r| saml_idp::consent_scope(saml).is_subset(&r)))
}

/// The pending SAML sign-in of a flow.
fn pending_of(flow: &Flow) -> Result<SamlPending, PageError> {
    flow.saml.clone().ok_or_else(flow_expired)
}

/// `GET /t/{tenant}/saml/resume?flow=…`: continues a SAML sign-in after a page.
pub(super) async fn resume(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let pending = pending_of(&flow)?;
        proceed(&ctx, &caller, &pending, Some((&id, &flow)), &headers).await
    })
    .await
}

/// `GET /t/{tenant}/saml/consent?flow=…`: what the app would receive, with Allow and Deny.
pub(super) async fn consent_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let pending = pending_of(&flow)?;
        let app = app_of(&ctx, &pending.client_id).await?.ok_or_else(flow_expired)?;
        let saml = app.saml.as_ref().ok_or_else(flow_expired)?;
        let host = Url::parse(&pending.acs).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        let action = ctx.path("saml/consent");
        Ok(html(
            StatusCode::OK,
            &ConsentPage {
                brand: &ctx.brand,
                client_name: &app.name,
                scopes: saml_idp::consent_scope(saml).iter().map(describe_scope).collect(),
                redirect_host: &host,
                action: &action,
                flow: &id,
                csrf: &flow.csrf,
                agent: None,
                unverified_host: None,
                details: Vec::new(),
            },
        ))
    })
    .await
}

/// `POST /t/{tenant}/saml/consent`: Allow records the consent and answers the app; Deny sends
/// it `RequestDenied`.
pub(super) async fn consent_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let pending = pending_of(&flow)?;
        let app = app_of(&ctx, &pending.client_id).await?.ok_or_else(flow_expired)?;
        let saml = app.saml.as_ref().ok_or_else(flow_expired)?;
        let (_, user) = signed_in(&ctx, &headers).await?.ok_or_else(flow_expired)?;
        let allow = decision(form.get("decision"))?;
        record_decision(&ctx, "saml", &caller, &app, &user.id, &saml_idp::consent_scope(saml), Vec::new(), allow)
            .await?;
        if !allow {
            let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
            let (acs, request) = (&pending.acs, pending.request_id.as_deref());
            let relay = pending.relay_state.as_deref();
            return refuse(&ctx, acs, request, relay, SubStatus::RequestDenied, "the user denied the app").await;
        }
        flow.consented = true;
        proceed(&ctx, &caller, &pending, Some((&id, &flow)), &headers).await
    })
    .await
}

/// `POST /t/{tenant}/saml/launch`: opens a SAML app from the account centre (IdP-initiated
/// single sign-on), for apps that allow it. The form carries the session's CSRF token.
pub(super) async fn launch(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form = Params::parse(&body).unwrap_or_default();
        let session = current_session(&ctx.st, &ctx.tenant, &headers).await?;
        if !session.is_some_and(|s| csrf_ok(&s.csrf, form.get("csrf"))) {
            return Err(form_expired());
        }
        let gone = || PageError::new(StatusCode::NOT_FOUND, msg!("apps-gone"));
        let app = app_of(&ctx, form.get("client").unwrap_or("")).await?.ok_or_else(gone)?;
        let saml = app.saml.as_ref().filter(|s| s.idp_initiated).ok_or_else(gone)?;
        let pending = SamlPending {
            client_id: app.client_id.to_string(),
            app_name: app.name.clone(),
            acs: saml.acs_urls.first().cloned().ok_or_else(gone)?,
            request_id: None,
            relay_state: saml.default_relay_state.clone(),
            format: saml.name_id_format,
            force_authn: false,
            is_passive: false,
            required: None,
        };
        proceed(&ctx, &caller, &pending, None, &headers).await
    })
    .await
}

/// The SAML apps a user may open from the account centre: (client id, name).
pub(in crate::oidc) async fn launchable(
    st: &AppState,
    tenant: &ciam_core::id::TenantId,
) -> Result<Vec<(String, String)>, PageError> {
    let apps = st.durable.list_saml_apps(tenant).await?;
    Ok(apps
        .into_iter()
        .filter(|a| a.saml.as_ref().is_some_and(|s| s.idp_initiated))
        .map(|a| (a.client_id.to_string(), a.name))
        .collect())
}
