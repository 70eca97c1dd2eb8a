//! Agents acting for users: token exchange (RFC 8693) at the token endpoint, the binding of
//! user tokens to delegations (`delegation_id`, `may_act`), and the revocation cascade that
//! every access-token check runs.

use std::collections::BTreeSet;

use ciam_core::Acr;
use ciam_core::agent::{AgentOwner, Delegation};
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::SecretHash;
use ciam_oauth::exchange::{ExchangeRequest, Subject, may_act, plan};
use ciam_oauth::token::AccessTokenClaims;
use ciam_oauth::{ErrorCode, OAuthError};
use ciam_policy::{AgentSignals, Decision, Outcome, Signals, Subject as PolicySubject};
use serde_json::{Map, Value};

use super::introspect::{issued_claims, verified_access_token};
use crate::audit::Caller;
use crate::state::AppState;

/// Names, on the audit event of a refused token exchange, the user its subject token stands for,
/// the actor chain the exchange would have made (the caller first) and the delegation it rests
/// on, so filtering the trail by user or agent finds every refusal. The subject token must be
/// one this tenant issued (revoked or not); anything else names nobody.
pub(crate) async fn attribute_refusal(
    st: &AppState,
    tenant: &TenantId,
    caller: &str,
    params: &ciam_oauth::form::Params,
    event: &mut ciam_core::audit::AuditRecord,
) {
    if params.get("grant_type") != Some(ciam_oauth::exchange::GRANT_TYPE) {
        return;
    }
    let Some(subject) = params.get("subject_token") else { return };
    let Ok(Some(claims)) = issued_claims(st, tenant, subject).await else { return };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    event.user_id = text("sub").filter(|s| UserId::parse(s).is_ok());
    event.actors = std::iter::once(caller.to_owned())
        .chain(ciam_oauth::exchange::actor_chain(claims.get("act")).unwrap_or_default())
        .collect();
    event.delegation_id = text("delegation_id");
}

/// Whether `targets` is one other active agent of the tenant that `user` delegated to: the
/// audience of a hand-off (see [`ciam_oauth::exchange::ExchangeRequest::hand_off`]). Targets
/// that are URLs (APIs) are never agents, and cost no lookup.
async fn hand_off_target(
    st: &AppState,
    tenant: &TenantId,
    agent: &Client,
    user: &UserId,
    targets: &[String],
    now: time::OffsetDateTime,
) -> Result<bool, OAuthError> {
    let [target] = targets else { return Ok(false) };
    if target.contains(':') || target == agent.client_id.as_str() {
        return Ok(false);
    }
    let Ok(id) = ClientId::parse(target) else { return Ok(false) };
    let next = st.directory.client(st.durable.as_ref(), tenant, &id).await?;
    if !next.is_some_and(|k| k.client.agent.is_some() && k.client.is_enabled()) {
        return Ok(false);
    }
    Ok(!st.durable.active_delegations(tenant, user, &id, now).await?.is_empty())
}

/// Decides a token exchange by `agent` and returns the claims of the token to issue, with the
/// risk policy's decision (recorded with the issuance).
pub(super) async fn exchange(
    st: &AppState,
    tenant: &TenantId,
    agent: &Client,
    request: &mut ExchangeRequest,
    caller: &Caller,
) -> Result<(AccessTokenClaims, Decision), OAuthError> {
    let Some(profile) = &agent.agent else {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "only agents exchange tokens on a user's behalf"));
    };
    // The account API takes no delegated tokens, and a token for it is no one's to pass on.
    let account = super::resource::account_audience(st, tenant);
    if request.targets.contains(&account) {
        return Err(OAuthError::new(ErrorCode::InvalidTarget, "the account API takes no delegated tokens"));
    }
    let subject_claims = verified_access_token(st, tenant, &request.subject_token)
        .await?
        .ok_or_else(|| OAuthError::invalid_request("the subject_token is invalid, expired or revoked"))?
        .claims;
    let subject = Subject::from_claims(&subject_claims, |s| UserId::parse(s).is_ok())
        .ok_or_else(|| OAuthError::invalid_request("the subject_token does not stand for a user"))?;
    if subject.audiences.contains(&account) {
        return Err(OAuthError::invalid_request("a token for the account API cannot be exchanged"));
    }
    if let Some(actor_token) = &request.actor_token {
        let actor = verified_access_token(st, tenant, actor_token)
            .await?
            .ok_or_else(|| OAuthError::invalid_request("the actor_token is invalid, expired or revoked"))?
            .claims;
        let me = Some(agent.client_id.as_str());
        if actor.get("sub").and_then(Value::as_str) != me || actor.get("client_id").and_then(Value::as_str) != me {
            return Err(OAuthError::invalid_request("the actor_token must identify the authenticated agent"));
        }
    }
    let user = UserId::parse(&subject.user_id).map_err(|e| OAuthError::server_error(e.message))?;
    let now = st.clock.now();
    request.hand_off = hand_off_target(st, tenant, agent, &user, &request.targets, now).await?;
    let delegations = st.durable.active_delegations(tenant, &user, &agent.client_id, now).await?;
    let mut claims = plan(agent, profile, &subject, request, &delegations, &st.issuer(tenant), now)?;
    // The delegated token says how and when the user authenticated, as the subject token did.
    claims.auth_time = subject_claims.get("auth_time").and_then(Value::as_i64);
    claims.acr = subject_claims.get("acr").and_then(Value::as_str).map(str::to_owned);
    let decision = risk(st, tenant, agent, &user, &claims, caller).await?;
    // A registered resource (RFC 8707) bounds the token too: only scopes it defines, no longer
    // than its token lifetime.
    for target in &request.targets {
        let Some(resource) = super::resource::known_resource(st, tenant, target).await? else { continue };
        let scope = ScopeSet::parse_space_separated(&claims.scope).map_err(|e| OAuthError::server_error(e.message))?;
        let narrowed = resource.scope_for(request.scope.as_ref(), &scope).ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidScope, format!("{target} does not define the requested scope"))
        })?;
        claims.scope = narrowed.to_string();
        claims.exp = claims.exp.min(claims.iat + i64::from(resource.access_token_lifetime));
    }
    Ok((claims, decision))
}

/// How long an agent's audiences are remembered for the `agent_new_audience` rule.
const AUDIENCE_MEMORY: std::time::Duration = std::time::Duration::from_secs(90 * 86_400);

/// The tenant's risk policy on an agent's exchange: its rate, a first token for an audience,
/// and (when the tenant asks for it) how recently the user passed a strong authentication.
/// A step-up is `insufficient_user_authentication` (the user must sign in again at the level
/// named, RFC 9470's vocabulary); a denial is `invalid_grant`.
async fn risk(
    st: &AppState,
    tenant: &TenantId,
    agent: &Client,
    user: &UserId,
    claims: &AccessTokenClaims,
    caller: &Caller,
) -> Result<Decision, OAuthError> {
    let record = st
        .directory
        .tenant(st.durable.as_ref(), tenant)
        .await?
        .ok_or_else(|| OAuthError::server_error("tenant gone"))?;
    let (e, ns) = (&st.ephemeral, record.ns());
    let rate = e.incr(&format!("exchange_rate:{ns}:{}", agent.client_id), std::time::Duration::from_secs(60)).await?;
    let mut new_audience = false;
    for aud in &claims.aud {
        let key = format!("agent_audience:{ns}:{}:{}", agent.client_id, SecretHash::of(aud).as_str());
        new_audience |= e.put_if_absent(&key, b"1", AUDIENCE_MEMORY).await?;
    }
    let mut signals = Signals::new(PolicySubject::Agent, st.clock.now());
    signals.ip = caller.addr();
    signals.user_agent.clone_from(&caller.user_agent);
    signals.agent = Some(AgentSignals { exchanges_last_minute: u32::try_from(rate).unwrap_or(u32::MAX), new_audience });
    let acr = claims.acr.as_deref().and_then(Acr::parse);
    signals.current_acr = acr;
    signals.require_recent_strong_auth = record.settings.login.exchange_requires_strong_auth;
    // The user's last strong authentication matters only when the tenant requires a recent one.
    if signals.require_recent_strong_auth {
        let strong_now = acr.is_some_and(|a| a >= Acr::MultiFactor).then_some(claims.auth_time).flatten();
        let remembered = st.durable.sign_in_profile(tenant, user).await?.last_strong_auth;
        signals.last_strong_auth =
            strong_now.max(remembered).and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
    }
    let decision = ciam_policy::evaluate(&super::signin::tenant_policy(&record), &signals);
    let why = || decision.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>().join(", ");
    match decision.outcome {
        Outcome::Allow => Ok(decision),
        Outcome::StepUp { acr } => Err(OAuthError::new(
            ErrorCode::InsufficientUserAuthentication,
            format!("the user must sign in again with acr_values={} (risk: {})", acr.as_str(), why()),
        )),
        Outcome::Deny => Err(OAuthError::new(
            ErrorCode::InvalidGrant,
            format!("the exchange was refused by the risk policy (score {}: {})", decision.score, why()),
        )),
    }
}

/// Binds a user's access token to what it rests on.
///
/// - Issued to an agent (the code flow in which the user approved it): the token carries the
///   delegation, lives no longer than it nor than the agent's ceiling, and dies with it.
/// - Issued to an app that embeds agents: `may_act` names the agents owned by this app that the
///   user has delegated to, so they can exchange this token (RFC 8693 §4.4).
pub(super) async fn bind_user_token(
    st: &AppState,
    tenant: &TenantId,
    client: &Client,
    user: &UserId,
    delegation_id: Option<&str>,
    claims: &mut AccessTokenClaims,
) -> Result<(), OAuthError> {
    let now = st.clock.now();
    if let Some(profile) = &client.agent {
        let invalid =
            || OAuthError::new(ErrorCode::InvalidGrant, "the delegation behind this grant is no longer active");
        let id = delegation_id.ok_or_else(invalid)?;
        let d = st.durable.get_delegation(tenant, id).await?.ok_or_else(invalid)?;
        if !d.is_active(now) || d.agent_id != client.client_id || d.user_id != *user {
            return Err(invalid());
        }
        let until = d.expires_at.unix_timestamp().min(claims.iat + i64::from(profile.max_token_lifetime));
        claims.exp = claims.exp.min(until);
        claims.delegation_id = Some(d.id.clone());
        claims.delegation_chain = vec![d.id];
        return Ok(());
    }
    let mut agents = BTreeSet::new();
    for d in st.durable.list_user_delegations(tenant, user).await? {
        if d.is_active(now)
            && !agents.contains(d.agent_id.as_str())
            && owned_by(st, tenant, &d.agent_id, client).await?
        {
            agents.insert(d.agent_id.to_string());
        }
    }
    claims.may_act = may_act(&agents.into_iter().collect::<Vec<_>>());
    Ok(())
}

/// Whether `agent` is an enabled agent of `app`. Read through the per-node cache: `may_act` only
/// names who may ask for an exchange, and the exchange itself checks the delegation and the
/// agent against the store.
async fn owned_by(st: &AppState, tenant: &TenantId, agent: &ClientId, app: &Client) -> Result<bool, OAuthError> {
    Ok(st.directory.client(st.durable.as_ref(), tenant, agent).await?.is_some_and(|known| {
        let a = &known.client;
        a.is_enabled() && a.agent.as_ref().is_some_and(|p| p.owner == AgentOwner::Client(app.client_id.clone()))
    }))
}

/// Where a token stands with the delegations it derives from.
pub(super) enum Standing {
    /// It rests on no delegation.
    Undelegated,
    /// Every delegation it derives from holds; this is the one it rests on.
    Delegated(Delegation),
    /// A delegation or agent it derives from is gone, revoked, expired or suspended.
    Ended,
}

/// The revocation cascade: a token that derives from delegations is live only while every one
/// of them is active, belongs to the token's user, and its agent exists and is not suspended.
/// Read from the durable store on every call (never cached), so revoking a delegation,
/// suspending or deleting an agent ends its tokens at once on every node.
pub(super) async fn standing(
    st: &AppState,
    tenant: &TenantId,
    claims: &Map<String, Value>,
) -> Result<Standing, OAuthError> {
    let Some(chain) = claims.get("delegation_chain") else { return Ok(Standing::Undelegated) };
    let Ok(chain) = serde_json::from_value::<Vec<String>>(chain.clone()) else { return Ok(Standing::Ended) };
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    let now = st.clock.now();
    let mut last = None;
    for id in &chain {
        let Some(d) = st.durable.get_delegation(tenant, id).await? else { return Ok(Standing::Ended) };
        let agent_ok = st.durable.get_client(tenant, &d.agent_id).await?.is_some_and(|a| a.is_enabled());
        if !d.is_active(now) || d.user_id.to_string() != sub || !agent_ok {
            return Ok(Standing::Ended);
        }
        last = Some(d);
    }
    match last {
        Some(d) if claims.get("delegation_id").and_then(Value::as_str) == Some(d.id.as_str()) => {
            Ok(Standing::Delegated(d))
        }
        _ => Ok(Standing::Ended),
    }
}
