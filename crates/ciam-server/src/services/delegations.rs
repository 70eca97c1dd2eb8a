//! Delegations as the account API, the management API and introspection show them, and their
//! revocation (which the revocation cascade turns into "every derived token inactive").

use ciam_core::agent::Delegation;
use ciam_core::audit::AuditRecord;
use ciam_core::id::{TenantId, UserId};
use ciam_core::store::StoreResult;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Actor, By};
use crate::audit::{self, Caller};
use crate::state::AppState;

/// A user's delegation to an agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationView {
    /// Delegation id (`dlg_…`).
    pub id: String,
    /// The user who approved it.
    pub user_id: String,
    /// The agent that may act.
    pub agent_id: String,
    /// The scopes the agent may use, space-separated.
    pub scope: String,
    /// The APIs its tokens may name.
    pub audiences: Vec<String>,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
    /// When the user approved it (unix seconds).
    pub created_at: i64,
    /// When it ends by itself (unix seconds).
    pub expires_at: i64,
    /// When it was revoked (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

impl DelegationView {
    /// The view of `d` at `now`.
    pub fn new(d: &Delegation, now: OffsetDateTime) -> Self {
        Self {
            id: d.id.clone(),
            user_id: d.user_id.to_string(),
            agent_id: d.agent_id.to_string(),
            scope: d.scope.to_string(),
            audiences: d.audiences.clone(),
            status: d.state(now),
            created_at: d.created_at.unix_timestamp(),
            expires_at: d.expires_at.unix_timestamp(),
            revoked_at: d.revoked_at.map(OffsetDateTime::unix_timestamp),
        }
    }
}

/// Every delegation of a user, newest first.
pub async fn list(st: &AppState, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<DelegationView>> {
    let now = st.clock.now();
    Ok(st.durable.list_user_delegations(tenant, user).await?.iter().map(|d| DelegationView::new(d, now)).collect())
}

/// Revokes `user`'s delegation `id` and records who did it (the user or an administrator).
/// `false` when the user has no such delegation or it was revoked already.
pub(crate) async fn revoke(st: &AppState, tenant: &TenantId, user: &UserId, id: &str, by: &By) -> StoreResult<bool> {
    let Some(d) = st.durable.get_delegation(tenant, id).await?.filter(|d| d.user_id == *user) else {
        return Ok(false);
    };
    let who = match by.actor {
        Actor::Admin(_) | Actor::System(_) => "admin",
        Actor::User(_) | Actor::Visitor => "user",
        Actor::Client(_) => "client",
    };
    ended(st, tenant, d, &by.caller, format!("revoked by the {who}")).await
}

/// Ends every delegation in `delegations` that is still live, each with its own
/// `delegation.revoked` event giving `reason`: what a deletion does before it removes the user
/// or agent the delegations belong to, so no delegation ends without a trace.
///
/// # Security
/// Each delegation is revoked and its event appended before the caller deletes anything: when
/// the trail cannot be written the deletion is not made, and the delegations revoked so far
/// stay revoked (which is what was asked).
pub async fn end_all(
    st: &AppState,
    tenant: &TenantId,
    delegations: Vec<Delegation>,
    caller: &Caller,
    reason: &str,
) -> StoreResult<usize> {
    let now = st.clock.now();
    let mut count = 0;
    for d in delegations.into_iter().filter(|d| d.is_active(now)) {
        if ended(st, tenant, d, caller, reason.to_owned()).await? {
            count += 1;
        }
    }
    Ok(count)
}

/// Revokes `d` and appends its `delegation.revoked` event; `false` when it was revoked already.
async fn ended(st: &AppState, tenant: &TenantId, d: Delegation, caller: &Caller, reason: String) -> StoreResult<bool> {
    if !st.durable.revoke_delegation(tenant, &d.id, st.clock.now()).await? {
        return Ok(false);
    }
    let mut event = AuditRecord::allow("delegation.revoked");
    event.user_id = Some(d.user_id.to_string());
    event.client_id = Some(d.agent_id.to_string());
    event.actors = vec![d.agent_id.to_string()];
    event.delegation_id = Some(d.id);
    event.scope = Some(d.scope.to_string());
    event.audience = Some(d.audiences.join(" "));
    event.reason = Some(reason);
    audit::record(st, tenant, caller, event).await?;
    Ok(true)
}
