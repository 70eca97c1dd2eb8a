//! The consent page of the authorization flow (OIDC Core §3.1.2.4): what the client asks for,
//! in words, with Allow and Deny; and the recording of the answer, shared with the device
//! verification page (RFC 8628 §3.3): a delegation for an agent, a consent for an app.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::agent::{AgentOwner, Delegation};
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::UserId;
use ciam_core::scope::ScopeSet;
use ciam_oauth::ErrorCode;
use ciam_oauth::authorize::agent_audiences;
use url::Url;

use super::authorize::{authorize, refuse, validated};
use super::pages::{AgentConsent, ConsentPage, describe_scope, html};
use super::session::{current_session, finish_flow};
use super::web_flow::{Ctx, flow_expired, flow_step, form_step, query_param};
use crate::audit::{self, Caller};
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{self, msg, tr};
use crate::services::By;
use crate::services::consents::{self, Channel};
use crate::state::AppState;

/// `GET /t/{tenant}/consent?flow=…`: what the client asks for, with Allow and Deny.
pub(super) async fn consent_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        // The signed-in user's `locale` claim, for the page's language.
        if let Some(session) = current_session(&ctx.st, &ctx.tenant, &headers).await?
            && let Ok(user_id) = UserId::parse(&session.user_id)
            && let Some(user) = ctx.st.durable.get_user(&ctx.tenant.id, &user_id).await?
        {
            i18n::set_user(&user);
        }
        let (client, valid) = validated(&ctx, &flow.query).await?;
        let host =
            Url::parse(&valid.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        let action = ctx.path("consent");
        let audiences = agent_audiences(&client, &valid.resources).unwrap_or_default();
        let agent = agent_consent(&ctx, &client, audiences).await?;
        // A self-described client (a metadata document, or registered by itself): its name is its
        // own claim; show where it really lives.
        let unverified = if client.client_id.is_metadata_document() {
            Url::parse(client.client_id.as_str()).ok().and_then(|u| u.host_str().map(str::to_owned))
        } else {
            let registered = ctx.st.durable.registration_token_hash(&ctx.tenant.id, &client.client_id).await?;
            registered.map(|_| host.clone())
        };
        // Each entry in words, in the page's language (RFC 9396: what exactly is approved).
        let details = match &valid.authorization_details {
            Some(details) => {
                let types = crate::services::detail_types::checked(&ctx.st, &ctx.tenant.id, details)
                    .await
                    .map_err(|e| super::authorize::refuse_with(&ctx, &valid, e))?;
                crate::services::detail_types::in_words(&types, details, i18n::current())
            }
            None => Vec::new(),
        };
        Ok(html(
            StatusCode::OK,
            &ConsentPage {
                brand: &ctx.brand,
                client_name: &client.name,
                scopes: valid.consent_scope().iter().map(describe_scope).collect(),
                redirect_host: &host,
                action: &action,
                flow: &id,
                csrf: &flow.csrf,
                agent,
                unverified_host: unverified.as_deref(),
                details,
            },
        ))
    })
    .await
}

/// What the approval page says about an agent: who runs it, which APIs it would get, until when.
/// `None` for an app.
pub(super) async fn agent_consent(
    ctx: &Ctx,
    client: &Client,
    audiences: Vec<String>,
) -> Result<Option<AgentConsent>, PageError> {
    let Some(profile) = &client.agent else { return Ok(None) };
    let owner = agent_owner(ctx, &profile.owner).await?;
    let until = delegation_expiry(ctx, profile.delegation_lifetime);
    Ok(Some(AgentConsent {
        description: profile.description.clone(),
        owner,
        audiences,
        until: until.date().to_string(),
        manage: format!("{}{}", ctx.st.node.public_url, ctx.path("account/agents")),
    }))
}

/// Who operates an agent, in words: the owning app's name, or the owning user's address.
pub(super) async fn agent_owner(ctx: &Ctx, owner: &AgentOwner) -> Result<String, PageError> {
    Ok(match owner {
        AgentOwner::Client(id) => {
            ctx.st.durable.get_client(&ctx.tenant.id, id).await?.map_or_else(|| id.to_string(), |c| c.name)
        }
        AgentOwner::User(id) => ctx
            .st
            .durable
            .get_user(&ctx.tenant.id, id)
            .await?
            .map_or_else(|| tr(msg!("consent-former-user")), |u| u.email.as_str().to_owned()),
    })
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
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let (client, valid) = validated(&ctx, &flow.query).await?;
        let session = current_session(&ctx.st, &ctx.tenant, &headers).await?.ok_or_else(flow_expired)?;
        let user_id = UserId::parse(&session.user_id).map_err(|_| flow_expired())?;
        let allow = decision(form.get("decision"))?;
        let audiences = match (&client.agent, agent_audiences(&client, &valid.resources)) {
            (None, _) => Vec::new(),
            (Some(_), Ok(a)) => a,
            (Some(_), Err(_)) => return Err(flow_expired()),
        };
        record_decision(&ctx, "authorize", &caller, &client, &user_id, &valid.consent_scope(), audiences, allow)
            .await?;
        if !allow {
            let _ = finish_flow(&ctx.st, &ctx.ns, &id).await;
            return Err(refuse(&ctx, &valid, ErrorCode::AccessDenied, "the user denied access"));
        }
        flow.consented = true;
        authorize(&ctx, &flow.query, &headers, Some((&id, &flow))).await
    })
    .await
}

/// The answer of a consent form's `decision` button: Allow (`true`) or Deny.
pub(super) fn decision(value: Option<&str>) -> Result<bool, PageError> {
    match value {
        Some("allow") => Ok(true),
        Some("deny") => Ok(false),
        _ => Err(PageError::bad_request(msg!("error-choose-allow-or-deny"))),
    }
}

/// Records a user's answer to `client` asking for `scope`, wherever it was asked (the consent
/// page of the code flow, the device verification page). For an agent: the delegation with
/// `audiences` when allowed, and a `delegation.granted` / `delegation.denied` audit event either
/// way. For an app: the consent when allowed, remembered as the union with earlier consents so a
/// narrower request does not forget a wider one. Returns the new delegation's id.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_decision(
    ctx: &Ctx,
    page: &'static str,
    caller: &Caller,
    client: &Client,
    user_id: &UserId,
    scope: &ScopeSet,
    audiences: Vec<String>,
    allow: bool,
) -> Result<Option<String>, PageError> {
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
            ctx.st.durable.create_delegation(&delegation).await?;
        }
        audit::record(&ctx.st, &ctx.tenant.id, caller, event).await?;
        return Ok(allow.then_some(delegation.id));
    }
    // A client known only by its metadata document is asked every time: nothing to remember.
    if !allow || client.client_id.is_metadata_document() {
        return Ok(None);
    }
    let by = By::user(caller.clone(), *user_id);
    let at = Channel { page, via_client: Some(&client.client_id) };
    consents::remember_scopes(&ctx.st, &by, &ctx.tenant.id, user_id, &client.client_id, scope, at).await?;
    Ok(None)
}
