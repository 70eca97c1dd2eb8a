//! Agents acting for users: token exchange (RFC 8693) at the token endpoint, the binding of
//! user tokens to delegations (`delegation_id`, `may_act`), and the revocation cascade that
//! every access-token check runs.

use std::collections::BTreeSet;

use ciam_core::agent::{AgentOwner, Delegation};
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::scope::ScopeSet;
use ciam_oauth::exchange::{ExchangeRequest, Subject, may_act, plan};
use ciam_oauth::token::AccessTokenClaims;
use ciam_oauth::{ErrorCode, OAuthError};
use serde_json::{Map, Value};

use super::introspect::verified_access_token;
use crate::state::AppState;

/// Decides a token exchange by `agent` and returns the claims of the token to issue.
pub(super) async fn exchange(
    st: &AppState,
    tenant: &TenantId,
    agent: &Client,
    request: &ExchangeRequest,
) -> Result<AccessTokenClaims, OAuthError> {
    let Some(profile) = &agent.agent else {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "only agents exchange tokens on a user's behalf"));
    };
    let claims = verified_access_token(st, tenant, &request.subject_token)
        .await?
        .ok_or_else(|| OAuthError::invalid_request("the subject_token is invalid, expired or revoked"))?;
    let subject = Subject::from_claims(&claims, |s| UserId::parse(s).is_ok())
        .ok_or_else(|| OAuthError::invalid_request("the subject_token does not stand for a user"))?;
    if let Some(actor_token) = &request.actor_token {
        let actor = verified_access_token(st, tenant, actor_token)
            .await?
            .ok_or_else(|| OAuthError::invalid_request("the actor_token is invalid, expired or revoked"))?;
        let me = Some(agent.client_id.as_str());
        if actor.get("sub").and_then(Value::as_str) != me || actor.get("client_id").and_then(Value::as_str) != me {
            return Err(OAuthError::invalid_request("the actor_token must identify the authenticated agent"));
        }
    }
    let user = UserId::parse(&subject.user_id).map_err(|e| OAuthError::server_error(e.message))?;
    let now = st.clock.now();
    let delegations = st.durable.active_delegations(tenant, &user, &agent.client_id, now).await?;
    let mut claims = plan(agent, profile, &subject, request, &delegations, &st.issuer(tenant), now)?;
    // A registered resource (RFC 8707) bounds the token too: only scopes it defines, no longer
    // than its token lifetime.
    for target in &request.targets {
        let Some(resource) = st.durable.find_resource(tenant, target).await? else { continue };
        let scope = ScopeSet::parse_space_separated(&claims.scope).map_err(|e| OAuthError::server_error(e.message))?;
        let narrowed = resource.scope_for(request.scope.as_ref(), &scope).ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidScope, format!("{target} does not define the requested scope"))
        })?;
        claims.scope = narrowed.to_string();
        claims.exp = claims.exp.min(claims.iat + i64::from(resource.access_token_lifetime));
    }
    Ok(claims)
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

async fn owned_by(st: &AppState, tenant: &TenantId, agent: &ClientId, app: &Client) -> Result<bool, OAuthError> {
    Ok(st.durable.get_client(tenant, agent).await?.is_some_and(|a| {
        a.is_enabled() && a.agent.is_some_and(|p| p.owner == AgentOwner::Client(app.client_id.clone()))
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
