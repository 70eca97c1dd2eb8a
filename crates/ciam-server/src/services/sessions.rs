//! The SSO sessions of a tenant as the ephemeral store keeps them, whichever door reads or
//! ends them: the hosted pages (through the browser's cookie, `oidc::session`, and logout) and
//! the management API (a user's sessions, listed and ended). The service takes the cookie
//! value, never the request's headers.
//!
//! Ending sessions is audited as `session.ended` (the user's id, never the cookie); the
//! sessions a password change or a disabled account ends are part of that `user.*` event.
//!
//! # Security
//! Sessions are stored under the SHA-256 of their cookie value, per tenant incarnation; a
//! user's sessions are indexed by those hashes, never by the cookie values.

use ciam_core::audit::AuditRecord;
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::SecretHash;
use ciam_core::store::StoreResult;
use ciam_core::tenant::{Tenant, TenantNs};
use serde::{Deserialize, Serialize};

use super::{By, ServiceError, audited};
use crate::audit::{self, Caller};
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

/// A user's live sessions (stale index entries are dropped on the way).
pub(crate) async fn user_sessions(
    st: &AppState,
    tenant: &TenantNs,
    user_id: &str,
) -> StoreResult<Vec<(String, Session)>> {
    let index = keyspace::user_sessions(tenant, user_id);
    let mut live = Vec::new();
    for hash in st.ephemeral.set_members(index.as_str()).await? {
        let key = keyspace::session_of_hash(tenant, &hash);
        match st.ephemeral.get(key.as_str()).await? {
            Some(raw) => {
                if let Ok(s) = serde_json::from_slice::<Session>(&raw) {
                    live.push((hash, s));
                }
            }
            None => {
                st.ephemeral.set_remove(index.as_str(), &hash).await?;
            }
        }
    }
    Ok(live)
}

/// Ends a user's sessions (all, or the one with public id `sid`), unaudited: for the services
/// whose own event says why (a password change, a disabled account). Returns how many ended.
pub(super) async fn end_all_of(
    st: &AppState,
    tenant: &TenantNs,
    user_id: &str,
    sid: Option<&str>,
) -> StoreResult<usize> {
    let index = keyspace::user_sessions(tenant, user_id);
    let mut ended = 0;
    for (hash, session) in user_sessions(st, tenant, user_id).await? {
        if sid.is_none_or(|s| s == session.sid) {
            st.ephemeral.delete(keyspace::session_of_hash(tenant, &hash).as_str()).await?;
            st.ephemeral.set_remove(index.as_str(), &hash).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Ends a user's sessions (all, or the one with public id `sid`) on `by`'s request; returns
/// how many ended. Recorded as `session.ended` when any did.
pub(crate) async fn end_user_sessions(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    user: &UserId,
    sid: Option<&str>,
) -> Result<usize, ServiceError> {
    let ended = end_all_of(st, &tenant.ns(), &user.to_string(), sid).await.map_err(ServiceError::Sessions)?;
    if ended > 0 {
        let mut e = AuditRecord::allow("session.ended");
        e.user_id = Some(user.to_string());
        e.reason = Some(match sid {
            Some(_) => "one session".to_owned(),
            None => format!("every session ({ended})"),
        });
        audited(st, &tenant.id, by, e).await?;
    }
    Ok(ended)
}

/// Ends the session of the browser holding `cookie` (logout); returns it if there was one.
/// Recorded as `session.ended` by its user.
pub(crate) async fn end(
    st: &AppState,
    caller: &Caller,
    tenant: &Tenant,
    cookie: &str,
) -> Result<Option<Session>, ServiceError> {
    let ns = tenant.ns();
    let sessions = Json::<Session>::new(st.ephemeral.as_ref());
    let session = sessions.take(&keyspace::session(&ns, cookie)).await.map_err(ServiceError::Sessions)?;
    if let Some(s) = &session {
        let index = keyspace::user_sessions(&ns, &s.user_id);
        st.ephemeral
            .set_remove(index.as_str(), SecretHash::of(cookie).as_str())
            .await
            .map_err(ServiceError::Sessions)?;
        let mut e = AuditRecord::allow("session.ended");
        e.user_id = Some(s.user_id.clone());
        e.reason = Some("signed out".to_owned());
        audit::record(st, &tenant.id, caller, e).await?;
    }
    Ok(session)
}
