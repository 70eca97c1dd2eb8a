//! The SSO sessions of a tenant as the ephemeral store keeps them, whichever door reads them:
//! the hosted pages (through the browser's cookie, `oidc::session`) and the management API
//! (a user's sessions, listed and ended).
//!
//! # Security
//! Sessions are stored under the SHA-256 of their cookie value, per tenant incarnation; a
//! user's sessions are indexed by those hashes, never by the cookie values.

use ciam_core::secret::SecretHash;
use ciam_core::tenant::TenantNs;
use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// A signed-in browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    /// Public id of the session (the `sid` claim); not the cookie value.
    pub(crate) sid: String,
    pub(crate) user_id: String,
    pub(crate) auth_time: i64,
    pub(crate) amr: Vec<String>,
    pub(crate) acr: String,
    /// CSRF token of forms that act on the session (logout confirmation).
    pub(crate) csrf: String,
    /// When the session started (unix seconds); its absolute lifetime counts from here.
    /// Absent in sessions stored before lifetimes were per tenant (then `auth_time`).
    #[serde(default)]
    pub(crate) started_at: Option<i64>,
    /// The last recorded use (unix seconds), for the idle timeout; updated at most every tenth
    /// of the timeout. Absent in sessions stored before idle timeouts (then `started_at`).
    #[serde(default)]
    pub(crate) last_active: Option<i64>,
}

impl Session {
    pub(crate) fn started(&self) -> i64 {
        self.started_at.unwrap_or(self.auth_time)
    }
}

pub(crate) fn session_key(tenant: &TenantNs, cookie: &str) -> String {
    session_key_of_hash(tenant, SecretHash::of(cookie).as_str())
}

fn session_key_of_hash(tenant: &TenantNs, hash: &str) -> String {
    format!("session:{tenant}:{hash}")
}

/// The set of a user's session hashes, so an administrator can list and end them.
pub(crate) fn user_sessions_key(tenant: &TenantNs, user_id: &str) -> String {
    format!("user_sessions:{tenant}:{user_id}")
}

/// A user's live sessions (stale index entries are dropped on the way).
pub(crate) async fn user_sessions(
    st: &AppState,
    tenant: &TenantNs,
    user_id: &str,
) -> anyhow::Result<Vec<(String, Session)>> {
    let index = user_sessions_key(tenant, user_id);
    let mut live = Vec::new();
    for hash in st.ephemeral.set_members(&index).await? {
        match st.ephemeral.get(&session_key_of_hash(tenant, &hash)).await? {
            Some(raw) => {
                if let Ok(s) = serde_json::from_slice::<Session>(&raw) {
                    live.push((hash, s));
                }
            }
            None => {
                st.ephemeral.set_remove(&index, &hash).await?;
            }
        }
    }
    Ok(live)
}

/// Ends a user's sessions (all, or the one with public id `sid`); returns how many ended.
pub(crate) async fn end_user_sessions(
    st: &AppState,
    tenant: &TenantNs,
    user_id: &str,
    sid: Option<&str>,
) -> anyhow::Result<usize> {
    let index = user_sessions_key(tenant, user_id);
    let mut ended = 0;
    for (hash, session) in user_sessions(st, tenant, user_id).await? {
        if sid.is_none_or(|s| s == session.sid) {
            st.ephemeral.delete(&session_key_of_hash(tenant, &hash)).await?;
            st.ephemeral.set_remove(&index, &hash).await?;
            ended += 1;
        }
    }
    Ok(ended)
}
