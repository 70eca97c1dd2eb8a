//! Sign-in through an upstream identity provider, on the hosted pages: the "Continue with …"
//! buttons (`POST /t/{t}/login/upstream`), direct routing from the authorization request (`idp`,
//! or a `login_hint` in a provider's home realm), home-realm discovery from the sign-in form, and
//! the callback (`/t/{t}/upstream/callback`, GET or `form_post`) that continues the flow.
//!
//! # Security
//! The upstream's `state` is single use and names the flow, which must be bound to this browser
//! (its cookie): an authorization response carried to another browser goes nowhere. PKCE, the
//! nonce, the `iss` parameter and the ID token are checked by `services::federation`; which
//! account the upstream account reaches is decided by `ciam_authn::federation::resolve`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::federation::Refusal;
use ciam_core::audit::AuditRecord;
use ciam_core::federation::IdentityProvider;
use ciam_oauth::form::Params;

use super::login::{client_label, login_page};
use super::session::save_flow;
use super::signin::{FirstFactor, first_factor_passed};
use super::web_flow::{Ctx, flow_expired, form_step, see_other, the_flow};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{Msg, Text, msg, tr_with};
use crate::services::By;
use crate::services::federation::{self, Arrival, Callback, PendingLink, UpstreamFailure};
use crate::services::throttle::Attempt;
use crate::state::AppState;

/// The enabled provider an authorization request or an address sends the person to directly:
/// the one named by `idp`, else the one whose home realm holds the domain of `hint` (an address,
/// or `@domain`).
pub(super) async fn direct_route(
    ctx: &Ctx,
    idp: Option<&str>,
    hint: Option<&str>,
) -> Result<Option<IdentityProvider>, PageError> {
    let domain = hint.and_then(|h| h.rsplit_once('@')).map(|(_, d)| d.trim().to_ascii_lowercase());
    if idp.is_none() && domain.as_deref().is_none_or(str::is_empty) {
        return Ok(None);
    }
    let providers = federation::providers(&ctx.st, &ctx.tenant.id).await?;
    let found = match (idp, domain) {
        (Some(idp), _) => providers.iter().find(|p| p.config.enabled && p.id == idp),
        (None, Some(d)) => providers.iter().find(|p| p.config.is_home_realm_of(&d)),
        (None, None) => None,
    };
    Ok(found.cloned())
}

/// Sends the browser of flow `flow_id` to `provider`'s authorization endpoint.
pub(super) async fn start(
    ctx: &Ctx,
    flow_id: &str,
    provider: &IdentityProvider,
    login_hint: Option<&str>,
) -> Result<Response, PageError> {
    let hint = login_hint.filter(|h| h.contains('@') && !h.starts_with('@'));
    match federation::begin(&ctx.st, &ctx.tenant, provider, flow_id, hint).await {
        Ok(url) => Ok(see_other(&url)),
        Err(e) => Err(failed(ctx, Some(&provider.id), &e)),
    }
}

/// The page of an upstream sign-in that failed (at `provider`, when known); the cause goes to the
/// log only.
fn failed(ctx: &Ctx, provider: Option<&str>, e: &UpstreamFailure) -> PageError {
    match e {
        UpstreamFailure::Expired => flow_expired(),
        UpstreamFailure::Upstream(why) => {
            tracing::warn!(tenant = %ctx.tenant.id, provider, reason = %why, "upstream sign-in failed");
            PageError::new(StatusCode::BAD_GATEWAY, msg!("error-upstream-failed"))
        }
        UpstreamFailure::Service(e) => {
            tracing::error!(tenant = %ctx.tenant.id, provider, error = %e, "upstream sign-in failed");
            PageError::new(StatusCode::SERVICE_UNAVAILABLE, msg!("error-unavailable"))
        }
    }
}

/// `POST /t/{tenant}/login/upstream`: a "Continue with …" button.
pub(super) async fn start_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, _flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let provider = direct_route(&ctx, Some(form.get("provider").unwrap_or_default()), None)
            .await?
            .ok_or_else(|| PageError::bad_request(msg!("error-upstream-unknown")))?;
        start(&ctx, &id, &provider, None).await
    })
    .await
}

/// `GET /t/{tenant}/upstream/callback`: the upstream's authorization response.
pub(super) async fn callback_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes())
        .map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let state = params.get("state").ok_or_else(flow_expired)?;
        let answer = if params.get("answer") == Some("posted") {
            federation::take_posted_answer(&ctx.st, &ctx.tenant, state).await?.ok_or_else(flow_expired)?
        } else {
            federation::answer_of(|name| params.get(name))
        };
        callback(&ctx, &answer, &caller, &headers).await
    })
    .await
}

/// `POST /t/{tenant}/upstream/callback`: the same, as `response_mode=form_post`. The answer is
/// kept a minute and the browser sent back by GET, which carries its `SameSite=Lax` cookies.
pub(super) async fn callback_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let answer = federation::answer_of(|name| params.get(name));
        keep_and_continue(&ctx, &answer).await?.ok_or_else(flow_expired)
    })
    .await
}

/// `GET /t/{tenant}/saml/{provider}/metadata`: this service provider's SAML metadata for a
/// `saml` provider (what the customer's identity provider is configured with).
pub(super) async fn saml_metadata(
    State(st): State<AppState>,
    Path((tenant, provider)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    let found = ctx.st.durable.get_identity_provider(&ctx.tenant.id, &provider).await?;
    let Some(found) = found.filter(|p| p.config.kind == ciam_core::federation::ProviderKind::Saml) else {
        return Err(PageError::new(StatusCode::NOT_FOUND, msg!("error-upstream-unknown")).branded(&ctx.brand));
    };
    let xml = crate::services::saml::metadata(&ctx.st, &found);
    let mut res = Response::new(axum::body::Body::from(xml));
    res.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/samlmetadata+xml"));
    Ok(res)
}

/// `POST /t/{tenant}/saml/{provider}/acs`: a SAML identity provider's response (HTTP-POST
/// binding), kept a minute and continued by a same-site GET of the callback, as `form_post`
/// answers are; its `RelayState` is the sign-in's `state`.
pub(super) async fn saml_acs(
    State(st): State<AppState>,
    Path((tenant, provider)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let mut answer = federation::answer_of(|name| params.get(if name == "state" { "RelayState" } else { name }));
        if let Some(answered) = keep_and_continue(&ctx, &answer).await? {
            return Ok(answered);
        }
        // Not an answer to a sign-in of ours: an IdP-initiated sign-in, where the provider allows
        // it, into the account pages, in a flow bound to this browser from now on.
        let provider = ctx.st.durable.get_identity_provider(&ctx.tenant.id, &provider).await?;
        let Some(provider) = provider.filter(|p| p.config.enabled && p.config.saml_allow_idp_initiated) else {
            return Err(flow_expired());
        };
        let (id, browser, mut flow) = super::session::start_flow(&ctx.st, &ctx.ns, "account").await?;
        flow.account = true;
        save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
        let state = federation::begin_unsolicited(&ctx.st, &ctx.tenant, &provider, &id).await?;
        answer.insert("state".into(), state);
        let answered = keep_and_continue(&ctx, &answer).await?.ok_or_else(flow_expired)?;
        Ok(ctx.with_flow_cookie(answered, &browser))
    })
    .await
}

/// Keeps a posted answer and sends the browser to the callback by GET; `None` when the answer
/// names no sign-in in progress.
async fn keep_and_continue(ctx: &Ctx, answer: &federation::Answer) -> Result<Option<Response>, PageError> {
    if !federation::keep_posted_answer(&ctx.st, &ctx.tenant, answer).await? {
        return Ok(None);
    }
    let state: String =
        url::form_urlencoded::byte_serialize(answer.get("state").map(String::as_str).unwrap_or_default().as_bytes())
            .collect();
    Ok(Some(see_other(&format!("{}?state={state}&answer=posted", ctx.path(federation::CALLBACK_PATH)))))
}

/// Continues the flow of an upstream's answer.
async fn callback(
    ctx: &Ctx,
    answer: &federation::Answer,
    caller: &Caller,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let field = |name: &str| answer.get(name).map(String::as_str);
    let state = field("state").ok_or_else(flow_expired)?;
    let flow_id = federation::flow_of(&ctx.st, &ctx.tenant, state).await?.ok_or_else(flow_expired)?;
    let (id, mut flow) = the_flow(ctx, Some(&flow_id), headers).await?;
    let cb = Callback {
        state: Some(state),
        code: field("code"),
        iss: field("iss"),
        error: field("error"),
        user: field("user"),
        saml_response: field("SAMLResponse"),
    };
    let returned = match federation::complete(&ctx.st, &ctx.tenant, cb).await {
        Ok(r) => r,
        Err(e) => {
            // What went wrong goes to the trail too (never a code, token or assertion).
            if let UpstreamFailure::Upstream(why) = &e {
                let event = AuditRecord::deny("sign_in.upstream_failed", why.clone());
                crate::audit::record(&ctx.st, &ctx.tenant.id, caller, event).await?;
            }
            return Err(failed(ctx, None, &e));
        }
    };
    let by = By::visitor(caller.clone());
    let provider_name = returned.provider.config.display_name.clone();
    let refuse = |message: Msg| {
        let text = tr_with(message, &[("provider", &provider_name)]);
        let (ctx, flow, id) = (&ctx, &flow, &id);
        async move {
            let client = client_label(ctx, flow).await?;
            login_page(ctx, &client, id, flow, "", Some(&text), StatusCode::FORBIDDEN).await
        }
    };
    match federation::arrive(&ctx.st, &by, &ctx.tenant, &returned).await? {
        Arrival::SignIn(user) => {
            tracing::info!(tenant = %ctx.tenant.id, provider = %returned.provider.id, user = %user.id, "upstream sign-in");
            let attempt = Attempt::new(&ctx.st, &ctx.ns, user.email.normalized(), caller.addr());
            first_factor_passed(FirstFactor {
                ctx,
                caller,
                headers,
                flow_id: &id,
                flow: flow.clone(),
                user_id: user.id,
                amr: returned.account.amr.clone(),
                attempt: &attempt,
                own_factor_required: false,
            })
            .await
        }
        Arrival::ProveExisting(user) => {
            flow.linking = Some(PendingLink {
                provider: returned.provider.id.clone(),
                subject: returned.account.subject.clone(),
                email: user.email.as_str().to_owned(),
                display_name: provider_name.clone(),
            });
            save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
            // The sign-in page (not this single-use callback) says why, with the address in.
            Ok(see_other(&format!("{}?flow={id}", ctx.path("login"))))
        }
        Arrival::Refused(Refusal::DomainNotAllowed) => refuse(msg!("login-upstream-domain")).await,
        Arrival::Refused(Refusal::NoAccount) => refuse(msg!("login-upstream-no-account")).await,
        Arrival::Refused(Refusal::NoEmail) => refuse(msg!("login-upstream-no-email")).await,
        Arrival::Disabled => refuse(msg!("login-upstream-disabled")).await,
    }
}
