//! `/admin/v1/tenants/{tenant}/agents`: AI agents. An agent is a client with an owner, ceilings
//! and a status, so every client rule applies to it too; it authenticates with its own keys
//! (`private_key_jwt`, RFC 7523) by default. Suspending an agent stops it at once: it
//! authenticates nowhere and every token derived from its delegations is inactive.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::agent::{AgentOwner, AgentProfile, AgentStatus};
use ciam_core::client::{AuthMethod, Client, DeliveryMode, GrantType};
use ciam_core::id::{ClientId, TenantId};
use ciam_core::redirect::RedirectUri;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::clients::SecretView;
use super::{
    AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, parse, patched, unchanged,
};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::agents::{self, AgentSpec};
use crate::services::{By, clients};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_agent, list_agents))
        .routes(routes!(get_agent, update_agent, delete_agent))
        .routes(routes!(suspend_agent))
        .routes(routes!(resume_agent))
        .routes(routes!(rotate_agent_secret))
}

/// An agent as registered or patched.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentInput {
    /// The agent's `client_id`; generated when absent. Fixed after creation.
    #[schema(value_type = Option<String>, example = "trip-planner")]
    agent_id: Option<ClientId>,
    /// Name shown to users on the approval page (1-200 characters).
    #[schema(example = "Trip planner")]
    name: String,
    /// What the agent does, shown on the approval page (at most 500 characters).
    #[serde(default)]
    description: String,
    /// Who operates the agent: `{"type": "user" | "client", "id": "…"}`. Users of an owning
    /// client's app get `may_act` for this agent once they delegated to it.
    #[schema(value_type = Object, example = json!({"type": "client", "id": "travel-app"}))]
    owner: AgentOwner,
    /// Where the authorization code flow that asks a user for a delegation returns.
    #[schema(value_type = Vec<String>)]
    #[serde(default)]
    redirect_uris: Vec<RedirectUri>,
    /// Default `["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"]`
    /// (without `authorization_code` when there are no redirect URIs). Never `refresh_token`.
    grant_types: Option<Vec<GrantType>>,
    /// Default `private_key_jwt`; `client_secret_basic`/`client_secret_post` are allowed.
    token_endpoint_auth_method: Option<AuthMethod>,
    /// The agent's public JWK Set, for `private_key_jwt`.
    #[schema(value_type = Option<Object>)]
    jwks: Option<Value>,
    /// Or the https URL of its JWK Set.
    jwks_uri: Option<String>,
    /// The most scope the agent may ever hold. Default `["openid"]`.
    #[schema(value_type = Option<Vec<String>>)]
    allowed_scopes: Option<ScopeSet>,
    /// The APIs (RFC 8707 resource URIs) the agent may get tokens for.
    #[serde(default)]
    allowed_audiences: Vec<String>,
    /// Ceiling of its access tokens' lifetime in seconds, 30-3600. Default 300.
    max_token_lifetime: Option<u32>,
    /// Most agents in an `act` chain ending with this one, 1-5. Default 2.
    max_chain_depth: Option<u8>,
    /// How long an approved delegation lasts, seconds (60 s - 365 days). Default 30 days.
    delegation_lifetime: Option<u32>,
    /// Require DPoP (RFC 9449) and bind every token to the agent's proof key, so a stolen
    /// agent token is useless. Default true.
    dpop_bound_access_tokens: Option<bool>,
    /// With the CIBA grant (`urn:openid:params:grant-type:ciba`): `poll` or `ping`, how the
    /// agent gets the tokens of an approval it asked a user for (docs/agents.md).
    backchannel_token_delivery_mode: Option<DeliveryMode>,
    /// For the ping mode: where the server notifies the agent that the user answered.
    backchannel_client_notification_endpoint: Option<String>,
}

/// An agent.
#[derive(Serialize, ToSchema)]
pub(super) struct AgentView {
    /// The agent's `client_id`.
    agent_id: String,
    /// Display name.
    name: String,
    /// What it does.
    description: String,
    /// Who operates it.
    #[schema(value_type = Object)]
    owner: AgentOwner,
    /// `active` or `suspended`.
    status: AgentStatus,
    /// Redirect URIs of the approval flow.
    redirect_uris: Vec<String>,
    /// Allowed grant types.
    grant_types: Vec<GrantType>,
    /// Token endpoint authentication method.
    token_endpoint_auth_method: AuthMethod,
    /// Inline JWK Set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    jwks: Option<Value>,
    /// JWK Set URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<String>,
    /// Scope ceiling.
    allowed_scopes: Vec<String>,
    /// Audience ceiling.
    allowed_audiences: Vec<String>,
    /// Token lifetime ceiling, seconds.
    max_token_lifetime: u32,
    /// Chain depth ceiling.
    max_chain_depth: u8,
    /// Delegation lifetime, seconds.
    delegation_lifetime: u32,
    /// Whether its tokens must be DPoP-bound.
    dpop_bound_access_tokens: bool,
    /// How it gets the tokens of a backchannel approval: `poll` or `ping`.
    #[serde(skip_serializing_if = "Option::is_none")]
    backchannel_token_delivery_mode: Option<DeliveryMode>,
    /// Where a ping goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    backchannel_client_notification_endpoint: Option<String>,
    /// The client secret, only in the response that generated it (secret-based agents).
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl AgentView {
    fn new(c: Client, profile: AgentProfile, secret: Option<&Secret>) -> Self {
        Self {
            agent_id: c.client_id.to_string(),
            name: c.name,
            description: profile.description,
            owner: profile.owner,
            status: profile.status,
            redirect_uris: c.redirect_uris.iter().map(|u| u.as_str().to_owned()).collect(),
            grant_types: c.grant_types,
            token_endpoint_auth_method: c.token_endpoint_auth_method,
            jwks: c.jwks,
            jwks_uri: c.jwks_uri,
            allowed_scopes: c.scopes.to_vec(),
            allowed_audiences: profile.allowed_audiences,
            max_token_lifetime: profile.max_token_lifetime,
            max_chain_depth: profile.max_chain_depth,
            delegation_lifetime: profile.delegation_lifetime,
            dpop_bound_access_tokens: c.dpop_bound_access_tokens,
            backchannel_token_delivery_mode: c.backchannel.as_ref().map(|b| b.token_delivery_mode),
            backchannel_client_notification_endpoint: c.backchannel.and_then(|b| b.client_notification_endpoint),
            client_secret: secret.map(|s| s.expose_secret().to_owned()),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }

    /// A listed agent. The store lists only clients with a profile; one without is a fault,
    /// never silently dropped (a dropped row would leave the page short).
    fn listed(c: Client) -> Result<Self, Problem> {
        let profile = c.agent.clone().ok_or_else(|| Problem::internal("agent without profile"))?;
        Ok(Self::new(c, profile, None))
    }
}

impl AgentInput {
    /// The id it asks for, and what it says about the agent.
    fn split(self) -> (Option<ClientId>, AgentSpec) {
        let spec = AgentSpec {
            name: self.name,
            description: self.description,
            owner: self.owner,
            redirect_uris: self.redirect_uris,
            grant_types: self.grant_types,
            token_endpoint_auth_method: self.token_endpoint_auth_method,
            jwks: self.jwks,
            jwks_uri: self.jwks_uri,
            allowed_scopes: self.allowed_scopes,
            allowed_audiences: self.allowed_audiences,
            max_token_lifetime: self.max_token_lifetime,
            max_chain_depth: self.max_chain_depth,
            delegation_lifetime: self.delegation_lifetime,
            dpop_bound_access_tokens: self.dpop_bound_access_tokens,
            backchannel_token_delivery_mode: self.backchannel_token_delivery_mode,
            backchannel_client_notification_endpoint: self.backchannel_client_notification_endpoint,
        };
        (self.agent_id, spec)
    }
}

/// The agent `id` of `tenant`, with its profile; 404 for unknown ids and for plain clients.
async fn existing_agent(st: &AppState, tenant: &TenantId, id: &str) -> Result<(Client, AgentProfile), Problem> {
    let id = ClientId::parse(id).map_err(|_| Problem::not_found("agent"))?;
    let client = st.durable.get_client(tenant, &id).await?.ok_or_else(|| Problem::not_found("agent"))?;
    let profile = client.agent.clone().ok_or_else(|| Problem::not_found("agent"))?;
    Ok((client, profile))
}

/// Register an agent. A secret-based agent gets its `client_secret` here, once.
#[utoipa::path(post, path = "/tenants/{tenant}/agents", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = AgentInput,
    responses(
        (status = 201, body = AgentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_agent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let (id, spec) = parse::<AgentInput>(Value::Object(body))?.split();
    let id = id.unwrap_or_else(ClientId::generate);
    super::clients::not_a_document_url("agent_id", &id)?;
    let agent = agents::build(&st, &tenant.id, spec, id, AgentStatus::Active, st.clock.now()).await?;
    let secret = clients::create(&st, &By::admin(caller, &admin.0), &agent).await?;
    let location = format!("/admin/v1/tenants/{}/agents/{}", tenant.id, agent.client_id);
    let profile = agent.agent.clone().ok_or_else(|| Problem::internal("agent without profile"))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), (header::CACHE_CONTROL, "no-store".into())],
        Json(AgentView::new(agent, profile, secret.as_ref())),
    ))
}

/// List a tenant's agents by id. A page holds `limit` agents unless it is the last, and
/// `next_cursor` is present only when more agents follow.
#[utoipa::path(get, path = "/tenants/{tenant}/agents", extensions(("x-permission" = json!("clients:read"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ListParams),
    responses(
        (status = 200, body = ListResponse<AgentView>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_agents(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<AgentView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let list = format!("{}/agents", tenant.id);
    let page = st.durable.list_agents(&tenant.id, &params.page(&list)?).await?;
    Ok(Json(ListResponse {
        items: page.items.into_iter().map(AgentView::listed).collect::<Result<_, _>>()?,
        next_cursor: cursor(&list, page.next_after),
    }))
}

/// Read an agent.
#[utoipa::path(get, path = "/tenants/{tenant}/agents/{agent_id}", extensions(("x-permission" = json!("clients:read"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    responses(
        (status = 200, body = AgentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_agent(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<AgentView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let (client, profile) = existing_agent(&st, &tenant.id, &id).await?;
    Ok(Json(AgentView::new(client, profile, None)))
}

/// Change an agent with a JSON merge patch (RFC 7396). `agent_id` is fixed; the status changes
/// only through `suspend` and `resume`. Narrowing ceilings applies to new exchanges at once.
#[utoipa::path(patch, path = "/tenants/{tenant}/agents/{agent_id}", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    request_body(content = AgentInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = AgentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn update_agent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(patch): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let (current, profile) = existing_agent(&st, &tenant.id, &id).await?;
    let view = AgentView::new(current.clone(), profile.clone(), None);
    let (id, spec) = patched::<AgentInput>(view, &["created_at", "updated_at", "status"], patch)?.split();
    unchanged("agent_id", &Some(current.client_id.clone()), &id)?;
    let updated =
        agents::build(&st, &tenant.id, spec, current.client_id.clone(), profile.status, current.created_at).await?;
    let secret = clients::update(&st, &By::admin(caller, &admin.0), &updated).await?;
    let profile = updated.agent.clone().ok_or_else(|| Problem::internal("agent without profile"))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(AgentView::new(updated, profile, secret.as_ref()))))
}

/// Delete an agent: its delegations end (each recorded as `delegation.revoked`), and every
/// token derived from them is inactive at once.
#[utoipa::path(delete, path = "/tenants/{tenant}/agents/{agent_id}", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_agent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let (agent, _) = existing_agent(&st, &tenant.id, &id).await?;
    // Its delegations end first, each with its own `delegation.revoked` event.
    if !clients::delete(&st, &By::admin(caller, &admin.0), &agent).await? {
        return Err(Problem::not_found("agent"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn set_status(
    st: &AppState,
    tenant: &str,
    id: &str,
    by: &By,
    status: AgentStatus,
) -> Result<Json<AgentView>, Problem> {
    let tenant = existing_tenant(st, tenant).await?;
    let (mut agent, _) = existing_agent(st, &tenant.id, id).await?;
    clients::set_agent_status(st, by, &mut agent, status).await?;
    let profile = agent.agent.clone().ok_or_else(|| Problem::internal("agent without profile"))?;
    Ok(Json(AgentView::new(agent, profile, None)))
}

/// Suspend an agent: it authenticates nowhere, and every token derived from its delegations is
/// inactive at once. Its delegations are kept, so `resume` restores it.
#[utoipa::path(post, path = "/tenants/{tenant}/agents/{agent_id}/suspend", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    responses(
        (status = 200, body = AgentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn suspend_agent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Json<AgentView>, Problem> {
    set_status(&st, &tenant, &id, &By::admin(caller, &admin.0), AgentStatus::Suspended).await
}

/// Resume a suspended agent.
#[utoipa::path(post, path = "/tenants/{tenant}/agents/{agent_id}/resume", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    responses(
        (status = 200, body = AgentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn resume_agent(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Json<AgentView>, Problem> {
    set_status(&st, &tenant, &id, &By::admin(caller, &admin.0), AgentStatus::Active).await
}

/// Issue a new client secret for an agent that authenticates with one; the old one stops
/// working at once. Recorded as `agent.secret_rotated`.
#[utoipa::path(post, path = "/tenants/{tenant}/agents/{agent_id}/secret", extensions(("x-permission" = json!("clients:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("agent_id" = String, Path, description = "Agent id")),
    responses(
        (status = 200, body = SecretView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The agent does not authenticate with a secret", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn rotate_agent_secret(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let (agent, _) = existing_agent(&st, &tenant.id, &id).await?;
    let view = super::clients::new_secret(&st, &By::admin(caller, &admin.0), &agent).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view)))
}
