//! An AI agent as an administrator describes it (through the management API or the console),
//! built into the client it is: the defaults filled in (keys, not passwords; DPoP-bound tokens;
//! short-lived tokens), its operator checked to exist in the tenant, and every client rule
//! checked. Registering and changing it then go through [`super::clients`].

use ciam_core::FieldError;
use ciam_core::agent::{
    AgentOwner, AgentProfile, AgentStatus, DEFAULT_DELEGATION_LIFETIME, DEFAULT_MAX_CHAIN_DEPTH,
    DEFAULT_MAX_TOKEN_LIFETIME,
};
use ciam_core::client::{AuthMethod, Backchannel, Client, ClientType, DeliveryMode, GrantType};
use ciam_core::id::{ClientId, TenantId};
use ciam_core::redirect::RedirectUri;
use ciam_core::scope::ScopeSet;
use ciam_core::validation::display_text;
use serde_json::Value;
use time::OffsetDateTime;

use super::ServiceError;
use crate::state::AppState;

/// What is said about an agent; what is left out takes its default.
#[derive(Debug, Clone)]
pub(crate) struct AgentSpec {
    /// Shown to users on the approval page (1-200 characters).
    pub(crate) name: String,
    /// What the agent does, shown on the approval page.
    pub(crate) description: String,
    /// Who operates it: a user or a client of the tenant.
    pub(crate) owner: AgentOwner,
    /// Where the approval flow returns.
    pub(crate) redirect_uris: Vec<RedirectUri>,
    /// Default: token exchange, plus the code flow when there are redirect URIs.
    pub(crate) grant_types: Option<Vec<GrantType>>,
    /// Default `private_key_jwt`.
    pub(crate) token_endpoint_auth_method: Option<AuthMethod>,
    pub(crate) jwks: Option<Value>,
    pub(crate) jwks_uri: Option<String>,
    /// The most scope it may ever hold; default `openid`.
    pub(crate) allowed_scopes: Option<ScopeSet>,
    /// The APIs it may get tokens for.
    pub(crate) allowed_audiences: Vec<String>,
    pub(crate) max_token_lifetime: Option<u32>,
    pub(crate) max_chain_depth: Option<u8>,
    pub(crate) delegation_lifetime: Option<u32>,
    /// Default true.
    pub(crate) dpop_bound_access_tokens: Option<bool>,
    pub(crate) backchannel_token_delivery_mode: Option<DeliveryMode>,
    pub(crate) backchannel_client_notification_endpoint: Option<String>,
}

impl AgentSpec {
    /// An agent operated by `owner`, everything else left to its default.
    pub(crate) fn operated_by(owner: AgentOwner) -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            owner,
            redirect_uris: Vec::new(),
            grant_types: None,
            token_endpoint_auth_method: None,
            jwks: None,
            jwks_uri: None,
            allowed_scopes: None,
            allowed_audiences: Vec::new(),
            max_token_lifetime: None,
            max_chain_depth: None,
            delegation_lifetime: None,
            dpop_bound_access_tokens: None,
            backchannel_token_delivery_mode: None,
            backchannel_client_notification_endpoint: None,
        }
    }

    /// What `agent` (a client with a profile) says, so that a change starts from it.
    pub(crate) fn of(agent: &Client, profile: &AgentProfile) -> Self {
        Self {
            name: agent.name.clone(),
            description: profile.description.clone(),
            owner: profile.owner.clone(),
            redirect_uris: agent.redirect_uris.clone(),
            grant_types: Some(agent.grant_types.clone()),
            token_endpoint_auth_method: Some(agent.token_endpoint_auth_method),
            jwks: agent.jwks.clone(),
            jwks_uri: agent.jwks_uri.clone(),
            allowed_scopes: Some(agent.scopes.clone()),
            allowed_audiences: profile.allowed_audiences.clone(),
            max_token_lifetime: Some(profile.max_token_lifetime),
            max_chain_depth: Some(profile.max_chain_depth),
            delegation_lifetime: Some(profile.delegation_lifetime),
            dpop_bound_access_tokens: Some(agent.dpop_bound_access_tokens),
            backchannel_token_delivery_mode: agent.backchannel.as_ref().map(|b| b.token_delivery_mode),
            backchannel_client_notification_endpoint: agent
                .backchannel
                .as_ref()
                .and_then(|b| b.client_notification_endpoint.clone()),
        }
    }
}

/// The agent `spec` describes, as client `id` of `tenant` with `status`; refused (naming the
/// field) when its operator is not a user or another client of the tenant, or a client rule
/// is broken.
pub(crate) async fn build(
    st: &AppState,
    tenant: &TenantId,
    spec: AgentSpec,
    id: ClientId,
    status: AgentStatus,
    created_at: OffsetDateTime,
) -> Result<Client, ServiceError> {
    let owner_exists = match &spec.owner {
        AgentOwner::User(u) => st.durable.get_user(tenant, u).await?.is_some(),
        AgentOwner::Client(c) => *c != id && st.durable.get_client(tenant, c).await?.is_some(),
    };
    if !owner_exists {
        return Err(ServiceError::Invalid(FieldError::new("owner", "no such user or client in this tenant")));
    }
    let mut grant_types = spec.grant_types.unwrap_or_else(|| {
        let mut g = vec![GrantType::TokenExchange];
        if !spec.redirect_uris.is_empty() {
            g.push(GrantType::AuthorizationCode);
        }
        g
    });
    grant_types.sort_unstable();
    grant_types.dedup();
    let scopes = match spec.allowed_scopes {
        Some(s) => s,
        None => ScopeSet::parse_space_separated("openid").map_err(ServiceError::Invalid)?,
    };
    let backchannel =
        Backchannel::from_metadata(spec.backchannel_token_delivery_mode, spec.backchannel_client_notification_endpoint)
            .map_err(ServiceError::Invalid)?;
    let client = Client {
        tenant_id: tenant.clone(),
        client_id: id,
        name: display_text("name", &spec.name, 200).map_err(ServiceError::Invalid)?,
        client_type: ClientType::Confidential,
        redirect_uris: spec.redirect_uris,
        post_logout_redirect_uris: Vec::new(),
        grant_types,
        token_endpoint_auth_method: spec.token_endpoint_auth_method.unwrap_or(AuthMethod::PrivateKeyJwt),
        scopes,
        jwks_uri: spec.jwks_uri,
        jwks: spec.jwks,
        require_pushed_authorization_requests: false,
        id_token_signed_response_alg: None,
        opaque_access_tokens: false,
        dpop_bound_access_tokens: spec.dpop_bound_access_tokens.unwrap_or(true),
        first_party: false,
        agent: Some(AgentProfile {
            description: spec.description,
            owner: spec.owner,
            allowed_audiences: spec.allowed_audiences,
            max_token_lifetime: spec.max_token_lifetime.unwrap_or(DEFAULT_MAX_TOKEN_LIFETIME),
            max_chain_depth: spec.max_chain_depth.unwrap_or(DEFAULT_MAX_CHAIN_DEPTH),
            delegation_lifetime: spec.delegation_lifetime.unwrap_or(DEFAULT_DELEGATION_LIFETIME),
            status,
        }),
        security_profile: None,
        token_exchange: None,
        require_signed_request_object: false,
        authorization_signed_response_alg: None,
        saml: None,
        backchannel,
        created_at,
        updated_at: st.clock.now(),
    };
    client.validate().map_err(ServiceError::Invalid)?;
    Ok(client)
}
