//! The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2) and the decision it takes at
//! every step of the hosted flow.
//!
//! A request is validated by the engine (`ciam_oauth::authorize`); then the user signs in if
//! there is no session (or `prompt=login`, or the session is older than `max_age`), confirms a
//! second factor if the session is weaker than `acr_values` asks, consents if the client has not
//! been granted these scopes (or `prompt=consent`), and gets a single-use code. Which of these
//! comes next is [`decide`], a pure function of what the request, the session and the stores
//! say ([`Facts`]). Each step re-validates the original request, so nothing decided on one page
//! can be altered on the next.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ciam_core::agent::Delegation;
use ciam_core::client::{Client, SecurityProfile};
use ciam_core::id::ClientId;
use ciam_core::keyspace::{self, Json};
use ciam_core::purpose::CONSENTS_SCOPE;
use ciam_core::scope::ScopeSet;
use ciam_core::user::User;
use ciam_core::{Acr, Amr};
use ciam_oauth::authorize::{AuthorizeError, ValidAuthorization, agent_audiences, validate};
use ciam_oauth::code::CodeGrant;
use ciam_oauth::form::Params;
use ciam_oauth::{ErrorCode, OAuthError};

use super::par::{PAR_MARKER, Pushed, REQUEST_URI_PREFIX};
use super::request_object::{JAR_MARKER, signed_request};
use super::session::{Flow, Session, current_session, finish_flow, save_flow, session_user, start_flow};
use super::signin::Pending;
use super::web_flow::{Ctx, flow_step, query_param, see_other};
use crate::error::{ErrorRedirect, Failure, PageError};
use crate::http::Path;
use crate::http::page::{ResponseSigner, respond_in_mode};
use crate::i18n::{self, Text, msg};
use crate::services::consents;
use crate::state::AppState;

mod decision;
pub(super) use decision::{Decision, Facts, SessionFacts, Standing, decide};

/// An error for the client of a verified request, sent to its redirect URI.
pub(super) fn refuse(ctx: &Ctx, valid: &ValidAuthorization, code: ErrorCode, description: &'static str) -> PageError {
    redirect(ctx, valid, OAuthError::new(code, description))
}

/// An error for the client of a verified request, with its own description.
pub(super) fn refuse_with(ctx: &Ctx, valid: &ValidAuthorization, error: OAuthError) -> PageError {
    redirect(ctx, valid, error)
}

fn redirect(ctx: &Ctx, valid: &ValidAuthorization, error: OAuthError) -> PageError {
    ErrorRedirect {
        redirect_uri: valid.redirect_uri.clone(),
        response_mode: valid.response_mode,
        state: valid.state.clone(),
        iss: ctx.st.issuer(&ctx.tenant.id),
        error,
        signer: ctx.response_signer.get().cloned(),
    }
    .into()
}

/// The enabled client a request names by its `client_id`, if any.
async fn named_client(ctx: &Ctx, params: &Params) -> Result<Option<Arc<Client>>, PageError> {
    let client = match params.get("client_id").and_then(|c| ClientId::parse(c).ok()) {
        // A URL: a client described by its metadata document, if the tenant allows it.
        Some(id) if id.is_metadata_document() => {
            crate::adapters::metadata_documents::resolve(&ctx.st, &ctx.tenant, &id).await?.map(Arc::new)
        }
        Some(id) => ctx
            .st
            .directory
            .client(ctx.st.durable.as_ref(), &ctx.tenant.id, &id)
            .await?
            .map(|known| known.client.clone()),
        None => None,
    };
    // A suspended agent is refused like an unknown client.
    Ok(client.filter(|c| c.is_enabled()))
}

/// What signs `client`'s responses (JARM): the tenant's active key of the client's algorithm.
async fn response_signer(ctx: &Ctx, client: &Client) -> Result<ResponseSigner, PageError> {
    let alg = ciam_oauth::jarm::signing_alg(client, client.profile(&ctx.tenant.settings));
    let now = ctx.st.clock.now();
    let key = ctx.st.keys.keys(&ctx.tenant.id, now).await?.signing(alg)?;
    Ok(ResponseSigner {
        key,
        issuer: ctx.st.issuer(&ctx.tenant.id),
        client_id: client.client_id.to_string(),
        now: now.unix_timestamp(),
    })
}

/// Parses and validates an authorization request given as a query or form string. Until the
/// client and its redirect URI are verified, errors are pages; after, they go to the client,
/// signed when the request asked for a JARM response mode.
pub(super) async fn validated(ctx: &Ctx, query: &str) -> Result<(Arc<Client>, ValidAuthorization), PageError> {
    let params = Params::parse(query.as_bytes()).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
    i18n::set_ui_locales(params.get("ui_locales"));
    // The request's log lines name the client it claims to come from.
    if let Some(id) = params.get("client_id") {
        tracing::Span::current().record("client_id", id);
    }
    let client = named_client(ctx, &params).await?;
    let outcome = validate(&params, client.as_deref());
    let mode = match &outcome {
        Ok(valid) => Some(valid.response_mode),
        Err(AuthorizeError::Redirect { response_mode, .. }) => Some(*response_mode),
        Err(AuthorizeError::Page(_)) => None,
    };
    if let (Some(mode), Some(client)) = (mode, &client)
        && mode.is_jwt()
        && ctx.response_signer.get().is_none()
    {
        let _ = ctx.response_signer.set(response_signer(ctx, client).await?);
    }
    let valid = outcome.map_err(|e| match e {
        AuthorizeError::Page(error) => PageError::refused(error),
        AuthorizeError::Redirect { redirect_uri, response_mode, state, error } => ErrorRedirect {
            redirect_uri,
            response_mode,
            state,
            iss: ctx.st.issuer(&ctx.tenant.id),
            error,
            signer: ctx.response_signer.get().cloned(),
        }
        .into(),
    })?;
    let client = client.ok_or_else(|| PageError::bad_request(msg!("error-unknown-client")))?;
    Ok((client, valid))
}

/// `GET /t/{tenant}/authorize`.
pub(super) async fn authorize_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let query = expand(&ctx, query.as_deref().unwrap_or("")).await?;
        authorize(&ctx, &query, &headers, None).await
    })
    .await
}

/// `POST /t/{tenant}/authorize` (form-encoded request, OIDC Core §3.1.2.1).
pub(super) async fn authorize_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let query = expand(&ctx, &String::from_utf8_lossy(&body)).await?;
        authorize(&ctx, &query, &headers, None).await
    })
    .await
}

/// The parameters of a front-channel request: a `request_uri` replaced by the pushed request it
/// names, a `request` (RFC 9101) by its verified parameters, anything else as sent. Front-channel
/// requests never carry the internal markers. These errors come before the redirect URI is
/// verified (it is inside what is expanded), so they are pages.
async fn expand(ctx: &Ctx, query: &str) -> Result<String, PageError> {
    let params = Params::parse(query.as_bytes()).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
    i18n::set_ui_locales(params.get("ui_locales"));
    if params.get(PAR_MARKER).is_some() || params.get(JAR_MARKER).is_some() {
        return Err(PageError::bad_request(msg!("error-invalid-authorization-request")));
    }
    match (params.get("request"), params.get("request_uri")) {
        (None, None) => Ok(query.to_owned()),
        (Some(_), Some(_)) => {
            Err(PageError::bad_request(Text::verbatim("invalid_request: send request or request_uri, not both.")))
        }
        (None, Some(uri)) => expand_pushed(ctx, &params, uri).await,
        (Some(jwt), None) => {
            let client = named_client(ctx, &params)
                .await?
                .ok_or_else(|| PageError::bad_request(msg!("error-unknown-client")))?;
            signed_request(&ctx.st, &ctx.tenant, &client, &params, jwt)
                .await
                .map_err(|e| PageError::bad_request(Text::verbatim(format!("{}: {}.", e.code.as_str(), e.description))))
        }
    }
}

/// Replaces a `request_uri` (RFC 9126 §4) by the request it names, which must have been pushed
/// by the same client and not yet used. Any other `request_uri` is refused, never fetched.
async fn expand_pushed(ctx: &Ctx, params: &Params, uri: &str) -> Result<String, PageError> {
    if !uri.starts_with(REQUEST_URI_PREFIX) {
        return Err(PageError::bad_request(Text::verbatim(
            "request_uri_not_supported: only request_uri values from pushed authorization requests are accepted.",
        )));
    }
    let invalid =
        || PageError::bad_request(Text::verbatim("invalid_request_uri: the request is unknown, expired or used."));
    let pushed = Json::<Pushed>::new(ctx.st.ephemeral.as_ref());
    let pushed = pushed.get(&keyspace::pushed_request(&ctx.ns, uri)).await?.ok_or_else(invalid)?;
    if params.get("client_id") != Some(pushed.client_id.as_str()) {
        return Err(invalid());
    }
    let marker: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(PAR_MARKER, uri).finish();
    Ok(format!("{}&{marker}", pushed.query))
}

/// `GET /t/{tenant}/authorize/resume?flow=…`: continues a flow after a page.
pub(super) async fn resume(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(authorize(&ctx, &flow.query.clone(), &headers, Some((&id, &flow)))).await
}

/// Takes the step a (re-)validated request is at: sign in, step up, consent, or issue a code.
pub(super) async fn authorize(
    ctx: &Ctx,
    query: &str,
    headers: &HeaderMap,
    flow: Option<(&str, &Flow)>,
) -> Result<Response, PageError> {
    let (client, valid) = validated(ctx, query).await?;
    let pushed = query_param(Some(query), PAR_MARKER);
    if client.require_pushed_authorization_requests && pushed.is_none() {
        let why = "this client must use pushed authorization requests";
        return Err(refuse(ctx, &valid, ErrorCode::InvalidRequest, why));
    }
    if client.profile(&ctx.tenant.settings) == SecurityProfile::Fapi2 {
        ciam_oauth::fapi::check_authorization(&valid, pushed.is_some()).map_err(|e| redirect(ctx, &valid, e))?;
    }
    // RFC 9101 §10.5: pushed or not, the request must have come as a signed request object.
    if client.require_signed_request_object && query_param(Some(query), JAR_MARKER).is_none() {
        let why = "this client must send its requests as signed request objects";
        return Err(refuse(ctx, &valid, ErrorCode::InvalidRequest, why));
    }
    // An app may only ask for resources registered in the tenant (an agent, for those it is
    // allowed, checked with its delegation).
    if client.agent.is_none() {
        for resource in &valid.resources {
            if super::resource::known_resource(&ctx.st, &ctx.tenant.id, resource).await?.is_none() {
                return Err(refuse(ctx, &valid, ErrorCode::InvalidTarget, "the resource is not known here"));
            }
        }
    }
    if let Some(details) = &valid.authorization_details {
        crate::services::detail_types::checked(&ctx.st, &ctx.tenant.id, details)
            .await
            .map_err(|e| redirect(ctx, &valid, e))?;
    }
    let signed_in = signed_in_user(ctx, &valid, headers).await?;
    let (standing, purposes) = match &signed_in {
        Some((_, user)) => (
            Some(standing(ctx, &client, &valid, user).await?),
            consents::standing(&ctx.st, &ctx.tenant.id, &user.id).await?,
        ),
        None => (None, consents::Standing::default()),
    };
    let facts = Facts {
        prompt: valid.prompt,
        max_age: valid.max_age,
        now: ctx.st.clock.now().unix_timestamp(),
        session: signed_in.as_ref().zip(standing.as_ref()).map(|((s, _), (standing, _))| SessionFacts {
            auth_time: s.auth_time,
            acr: Acr::parse(&s.acr).unwrap_or(Acr::Password),
            standing: *standing,
        }),
        signed_in_now: flow.is_some_and(|(_, f)| f.signed_in),
        consented_now: flow.is_some_and(|(_, f)| f.consented),
        asked_acr: valid.requested_acr(),
        purposes_pending: !purposes.pending.is_empty(),
        details: valid.authorization_details.is_some(),
    };
    let decision = decide(&facts);
    let page = |page| async move {
        match flow {
            Some((id, _)) => Ok(see_other(&format!("{}?flow={id}", ctx.path(page)))),
            None => ctx.start_flow_at(query, page).await,
        }
    };
    match (decision, signed_in, standing) {
        (Decision::Refuse(code, why), ..) => Err(refuse(ctx, &valid, code, why)),
        (Decision::SignIn, ..) if valid.prompt.create && ctx.tenant.settings.signup.is_open() => page("signup").await,
        (Decision::SignIn, ..) => page("login").await,
        (Decision::Purposes, ..) => page("consent/purposes").await,
        (Decision::Consent, ..) => page("consent").await,
        (Decision::StepUp(acr), Some((session, _)), _) => step_up(ctx, query, flow, |_| {}, &session, acr).await,
        (Decision::Issue, Some((session, user)), Some((_, delegation))) => {
            let signed = Signed { session, user, delegation, purposes };
            issue_code(ctx, &client, &valid, pushed, flow, signed).await
        }
        (decision, ..) => Err(Failure::internal(format!("{decision:?} without a signed-in user")).into()),
    }
}

/// The browser's live session and its active user, unless an `id_token_hint` names another
/// user (C23): a hint this tenant did not issue is refused.
async fn signed_in_user(
    ctx: &Ctx,
    valid: &ValidAuthorization,
    headers: &HeaderMap,
) -> Result<Option<(Session, User)>, PageError> {
    let session = current_session(&ctx.st, &ctx.tenant, headers).await?;
    let hinted_sub = match &valid.id_token_hint {
        None => None,
        Some(h) => match super::hint::verify_id_token_hint(ctx, h).await? {
            Some(claims) => claims.get("sub").and_then(serde_json::Value::as_str).map(str::to_owned),
            None => return Err(refuse(ctx, valid, ErrorCode::InvalidRequest, "id_token_hint is not valid")),
        },
    };
    let Some(session) = session.filter(|s| hinted_sub.as_deref().is_none_or(|sub| sub == s.user_id)) else {
        return Ok(None);
    };
    let user = session_user(&ctx.st, &ctx.tenant.id, &session).await?;
    Ok(user.map(|u| (session, u)))
}

/// What the client already holds from `user` for this request: an agent's consent is a
/// delegation covering it, an app's the consent record.
async fn standing(
    ctx: &Ctx,
    client: &Client,
    valid: &ValidAuthorization,
    user: &User,
) -> Result<(Standing, Option<Delegation>), PageError> {
    if client.agent.is_some() {
        let audiences = match agent_audiences(client, &valid.resources) {
            Ok(a) => a,
            Err(why) => return Ok((Standing::BadTarget(why), None)),
        };
        let now = ctx.st.clock.now();
        let active = ctx.st.durable.active_delegations(&ctx.tenant.id, &user.id, &client.client_id, now).await?;
        let delegation = active.into_iter().find(|d| d.covers(&valid.consent_scope(), &audiences));
        return Ok((Standing::Agent { covered: delegation.is_some() }, delegation));
    }
    if client.client_id.is_metadata_document() {
        return Ok((Standing::Unregistered, None));
    }
    if client.first_party {
        return Ok((Standing::FirstParty, None));
    }
    let consent = ctx.st.durable.get_consent(&ctx.tenant.id, &user.id, &client.client_id).await?;
    // The scopes carrying claims asked for with the `claims` parameter need consent too.
    let wanted = valid.consent_scope();
    let covered = consent.and_then(|c| ScopeSet::parse_space_separated(&c).ok()).is_some_and(|c| wanted.is_subset(&c));
    Ok((Standing::App { covered }, None))
}

/// The signed-in user a code is issued to.
struct Signed {
    session: Session,
    user: User,
    delegation: Option<Delegation>,
    /// Where the user stands with the tenant's purposes: scopes bound to one they do not grant
    /// are left out, and the `consents` claim is taken from it.
    purposes: consents::Standing,
}

/// Issues the single-use code and sends it to the client; a pushed request is used up by it
/// (RFC 9126 §4: single use).
async fn issue_code(
    ctx: &Ctx,
    client: &Client,
    valid: &ValidAuthorization,
    pushed: Option<String>,
    flow: Option<(&str, &Flow)>,
    Signed { session, user, delegation, purposes }: Signed,
) -> Result<Response, PageError> {
    if let Some(uri) = pushed
        && ctx.st.ephemeral.take(keyspace::pushed_request(&ctx.ns, &uri).as_str()).await?.is_none()
    {
        return Err(refuse(ctx, valid, ErrorCode::InvalidRequest, "the request_uri was already used"));
    }
    let grant = CodeGrant {
        client_id: client.client_id.clone(),
        redirect_uri: valid.redirect_uri_sent.then(|| valid.redirect_uri.clone()),
        scope: purposes.allowed(&valid.scope),
        nonce: valid.nonce.clone(),
        code_challenge: valid.code_challenge.as_ref().map(|c| c.as_str().to_owned()),
        user_id: user.id,
        auth_time: session.auth_time,
        // One of the values the `claims` parameter asked for, if it did (OIDC Core §5.5.1.1).
        acr: Some(Acr::parse(&session.acr).map_or_else(|| session.acr.clone(), |a| valid.acr_claim(a).to_string())),
        amr: session.amr.clone(),
        sid: session.sid.clone(),
        issued_at: ctx.st.clock.now().unix_timestamp(),
        delegation_id: delegation.map(|d| d.id),
        resources: valid.resources.clone(),
        dpop_jkt: valid.dpop_jkt.clone(),
        id_token_claims: valid.claims.id_token.iter().cloned().collect(),
        userinfo_claims: valid.claims.userinfo.iter().cloned().collect(),
        consents: valid.scope.contains(CONSENTS_SCOPE).then_some(purposes.claim),
        authorization_details: valid.authorization_details.as_ref().map(ciam_oauth::rar::Details::to_value),
    };
    let code = match ctx.st.issuance.issue_code(&ctx.ns, &grant).await {
        Ok(code) => code,
        Err(e) => return Err(redirect(ctx, valid, OAuthError::from(e))),
    };
    if let Some((id, _)) = flow {
        let _ = finish_flow(&ctx.st, &ctx.ns, id).await;
    }
    let mut fields = vec![("code", code)];
    if let Some(s) = &valid.state {
        fields.push(("state", s.clone()));
    }
    fields.push(("iss", ctx.st.issuer(&ctx.tenant.id)));
    respond_in_mode(&valid.redirect_uri, valid.response_mode, fields, ctx.response_signer.get())
        .map_err(|cause| Failure::internal(cause).into())
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
) -> Result<Response, PageError> {
    let (id, mut flow, browser) = match flow {
        Some((id, f)) => (id.to_owned(), f.clone(), None),
        None => {
            let (id, browser, mut f) = start_flow(&ctx.st, &ctx.ns, query).await?;
            prepare(&mut f);
            (id, f, Some(browser))
        }
    };
    flow.pending = Some(Pending {
        user_id: session.user_id.clone(),
        amr: session.amr.iter().filter_map(|m| Amr::parse(m)).collect(),
        required,
        auth_time: ctx.st.clock.now().unix_timestamp(),
        no_email: flow.reauth.is_some_and(|r| !r.email_counts),
    });
    save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
    let res = see_other(&format!("{}?flow={id}", ctx.path("mfa")));
    Ok(match browser {
        Some(b) => ctx.with_flow_cookie(res, &b),
        None => res,
    })
}

/// The requested level cannot be reached with this user's authenticators: the client hears
/// `unmet_authentication_requirements`; a device sign-in gets a page.
pub(super) async fn unmet_requirements(ctx: &Ctx, flow: &Flow) -> PageError {
    if !flow.is_authorization() {
        return PageError::forbidden(msg!("error-stronger-sign-in"));
    }
    match validated(ctx, &flow.query).await {
        Ok((_, valid)) => refuse(
            ctx,
            &valid,
            ErrorCode::UnmetAuthenticationRequirements,
            "the requested authentication level cannot be reached",
        ),
        Err(e) => e,
    }
}
