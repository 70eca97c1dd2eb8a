//! Clients (AI agents included, which are clients with a profile): registering, changing,
//! deleting them and rotating their secrets, whichever door it comes through (the management
//! API for clients and agents, RFC 7591/7592 registration); and the initial access tokens with
//! which dynamic registration is opened to a holder.
//!
//! Every change is audited: `client.{created,registered,updated,deleted,secret_rotated}`, or
//! for an agent `agent.{created,updated,suspended,resumed,deleted,secret_rotated}`, carrying the
//! client id, its scopes and (agents) allowed audiences, never a secret; issuing an initial
//! access token is `initial_access_token.issued`.

use std::time::Duration;

use ciam_core::FieldError;
use ciam_core::agent::AgentStatus;
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId};
use ciam_core::keyspace::{self, Counter};
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::store::{ClientStore, StoreError, StoreResult};
use ciam_core::tenant::Tenant;
use serde::{Deserialize, Serialize};

use super::{By, ServiceError, audited, delegations, ports};
use crate::state::AppState;

/// An initial access token as the ephemeral store keeps it (under the token's hash).
#[derive(Serialize, Deserialize)]
struct InitialAccessToken {
    /// How many clients it may register.
    max_registrations: u32,
}

/// How long the use counter of an initial access token lives: at most as long as any token
/// may (30 days).
const INITIAL_TOKEN_USES_TTL: Duration = Duration::from_secs(30 * 86_400);

/// The event of a change `verb` to `client`: `agent.{verb}` for an agent, else `client.{verb}`.
fn event(client: &Client, verb: &str) -> AuditRecord {
    let entity = if client.agent.is_some() { "agent" } else { "client" };
    let mut e = AuditRecord::allow(&format!("{entity}.{verb}"));
    e.client_id = Some(client.client_id.to_string());
    e.scope = Some(client.scopes.to_string());
    e.audience = client.agent.as_ref().map(|a| a.allowed_audiences.join(" "));
    e
}

/// Registers `client` (through the management API); a client that authenticates with a secret
/// gets one, returned here once and stored only as its hash.
pub(crate) async fn create(st: &AppState, by: &By, client: &Client) -> Result<Option<Secret>, ServiceError> {
    entity_id_free(st, client).await?;
    let secret = client.token_endpoint_auth_method.uses_secret().then(Secret::generate);
    ports(st).create_client(client, secret.as_ref().map(Secret::hash).as_ref()).await?;
    audited(st, &client.tenant_id, by, event(client, "created")).await?;
    Ok(secret)
}

/// Registers `client` by dynamic registration (RFC 7591 §3): as [`create`], plus the
/// registration access token with which the client manages its registration (RFC 7592),
/// returned here once and stored only as its hash.
pub(crate) async fn register(
    st: &AppState,
    by: &By,
    client: &Client,
) -> Result<(Option<Secret>, Secret), ServiceError> {
    let secret = client.token_endpoint_auth_method.uses_secret().then(Secret::generate);
    let token = Secret::generate();
    let store = ports(st);
    store.create_client(client, secret.as_ref().map(Secret::hash).as_ref()).await?;
    if let Err(e) = store.set_registration_token(&client.tenant_id, &client.client_id, &token.hash()).await {
        // A client nobody can manage or was told about must not stay behind.
        let _ = store.delete_client(&client.tenant_id, &client.client_id).await;
        return Err(e.into());
    }
    audited(st, &client.tenant_id, by, event(client, "registered")).await?;
    tracing::info!(tenant = %client.tenant_id, client = %client.client_id, "client registered");
    Ok((secret, token))
}

/// Replaces `client`'s registration. A client that now authenticates with a secret but did
/// not (or has none) gets a new one, returned once: a secret it had before it switched to keys
/// never comes back to life.
pub(crate) async fn update(st: &AppState, by: &By, client: &Client) -> Result<Option<Secret>, ServiceError> {
    entity_id_free(st, client).await?;
    let before = st.durable.get_client(&client.tenant_id, &client.client_id).await?;
    ports(st).update_client(client).await?;
    let switched = before.is_some_and(|b| !b.token_endpoint_auth_method.uses_secret());
    let secret = secret_if_switched(st, client, switched).await?;
    audited(st, &client.tenant_id, by, event(client, "updated")).await?;
    Ok(secret)
}

/// A SAML app's entity id names one app of the tenant: another app's is a conflict on
/// `saml.entity_id` (the store's unique index catches a race, as a conflict too).
async fn entity_id_free(st: &AppState, client: &Client) -> Result<(), ServiceError> {
    let Some(saml) = &client.saml else { return Ok(()) };
    match st.durable.find_saml_app(&client.tenant_id, &saml.entity_id).await? {
        Some(other) if other.client_id != client.client_id => {
            Err(StoreError::Conflict { what: "saml.entity_id" }.into())
        }
        _ => Ok(()),
    }
}

/// Suspends or resumes an agent (`agent.suspended`, `agent.resumed`).
pub(crate) async fn set_agent_status(
    st: &AppState,
    by: &By,
    agent: &mut Client,
    status: AgentStatus,
) -> Result<(), ServiceError> {
    if let Some(profile) = agent.agent.as_mut() {
        profile.status = status;
    }
    agent.updated_at = st.clock.now();
    ports(st).update_client(agent).await?;
    let verb = match status {
        AgentStatus::Active => "resumed",
        AgentStatus::Suspended => "suspended",
    };
    audited(st, &agent.tenant_id, by, event(agent, verb)).await
}

/// Deletes `client`; `false` when it was gone already. An agent's live delegations end first,
/// each with its `delegation.revoked` event, so none ends without a trace.
pub(crate) async fn delete(st: &AppState, by: &By, client: &Client) -> Result<bool, ServiceError> {
    let tenant = &client.tenant_id;
    if client.agent.is_some() {
        // The database would end the delegations silently with the agent.
        let live = st.durable.live_agent_delegations(tenant, &client.client_id, st.clock.now()).await?;
        delegations::end_all(st, tenant, live, &by.caller, "the agent was deleted").await?;
    }
    if !ports(st).delete_client(tenant, &client.client_id).await? {
        return Ok(false);
    }
    audited(st, tenant, by, event(client, "deleted")).await?;
    if *tenant == st.node.admin.control_tenant {
        let account = ciam_core::admin::Principal::ServiceAccount(client.client_id.clone());
        super::admins::forget_principal(st, &account).await?;
    }
    Ok(true)
}

/// Issues a new secret for `client` (one that authenticates with a secret); the old one stops
/// working at once.
pub(crate) async fn rotate_secret(st: &AppState, by: &By, client: &Client) -> Result<Secret, ServiceError> {
    if !client.token_endpoint_auth_method.uses_secret() {
        return Err(ServiceError::Invalid(FieldError::new(
            "token_endpoint_auth_method",
            "this client does not authenticate with a client secret",
        )));
    }
    let secret = Secret::generate();
    ports(st).set_client_secret(&client.tenant_id, &client.client_id, &secret.hash(), st.clock.now()).await?;
    audited(st, &client.tenant_id, by, event(client, "secret_rotated")).await?;
    Ok(secret)
}

/// A new initial access token for the tenant, valid `expires_in` for `max_registrations`
/// registrations; only its hash is kept (`initial_access_token.issued`).
pub(crate) async fn issue_initial_token(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    max_registrations: u32,
    expires_in: Duration,
) -> Result<Secret, ServiceError> {
    let token = Secret::generate();
    let key = keyspace::initial_access_token(&tenant.ns(), token.expose_secret());
    keyspace::Json::new(st.ephemeral.as_ref())
        .put(&key, &InitialAccessToken { max_registrations }, expires_in)
        .await
        .map_err(ServiceError::Sessions)?;
    let mut e = AuditRecord::allow("initial_access_token.issued");
    e.reason = Some(format!("{max_registrations} registration(s) within {} s", expires_in.as_secs()));
    audited(st, &tenant.id, by, e).await?;
    Ok(token)
}

/// Counts one use of an initial access token; `false` when it is unknown, expired or used up.
pub(crate) async fn use_initial_token(st: &AppState, tenant: &Tenant, token: &str) -> StoreResult<bool> {
    let key = keyspace::initial_access_token(&tenant.ns(), token);
    let Some(iat) = keyspace::Json::<InitialAccessToken>::new(st.ephemeral.as_ref()).get(&key).await? else {
        return Ok(false);
    };
    let uses_key = keyspace::initial_access_token_uses(&key);
    let uses = Counter::new(st.ephemeral.as_ref()).hit(&uses_key, INITIAL_TOKEN_USES_TTL).await?;
    Ok(uses <= u64::from(iat.max_registrations))
}

/// After an update: a client that now authenticates with a secret but has none, or did not use
/// one before (`switched`), gets a new one (shown once in the response).
async fn secret_if_switched(st: &AppState, client: &Client, switched: bool) -> StoreResult<Option<Secret>> {
    let needs_secret = client.token_endpoint_auth_method.uses_secret()
        && (switched || st.durable.client_secret_hash(&client.tenant_id, &client.client_id).await?.is_none());
    let secret = needs_secret.then(Secret::generate);
    if let Some(s) = &secret {
        ports(st).set_client_secret(&client.tenant_id, &client.client_id, &s.hash(), client.updated_at).await?;
    }
    Ok(secret)
}

/// The registration access token of `id` matches `token` (RFC 7592 §3).
pub(crate) async fn registration_token_matches(
    st: &AppState,
    tenant: &TenantId,
    id: &ClientId,
    token: &str,
) -> StoreResult<bool> {
    Ok(st.durable.registration_token_hash(tenant, id).await?.is_some_and(|h: SecretHash| h.verify(token)))
}
