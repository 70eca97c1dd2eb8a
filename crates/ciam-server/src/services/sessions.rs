//! The SSO sessions of a tenant as the ephemeral store keeps them, whichever door reads or
//! ends them: the hosted pages (through the browser's cookie, `oidc::session`, and logout) and
//! the management API (a user's sessions, listed and ended). The service takes the cookie
//! value, never the request's headers.
//!
//! Ending sessions is audited as `session.ended` (the user's id, never the cookie); the
//! sessions a password change or a disabled account ends are part of that `user.*` event.
//!
//! # Security
//! - Sessions are stored under the SHA-256 of their cookie value, per tenant incarnation; a
//!   user's sessions are indexed by those hashes, never by the cookie values.
//! - A new session id is issued at every sign-in (no fixation); the browser's old one is deleted.
//! - A session ends at the tenant's absolute lifetime (`settings.login.session_lifetime_secs`)
//!   or after `settings.login.session_idle_timeout_secs` without use, whichever comes first. A
//!   use moves the idle deadline, but the stored session is rewritten only once a tenth of the
//!   idle timeout has passed since the last mark (not on every request), and only while it still
//!   exists, so a concurrent logout is never undone.

use std::time::Duration;

use ciam_core::audit::AuditRecord;
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::StoreResult;
use ciam_core::tenant::{LoginSettings, Tenant, TenantNs};
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
    /// The browser's `User-Agent` at the sign-in (at most [`MAX_USER_AGENT`] characters), so the
    /// user can tell their sessions apart. Absent in sessions stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_agent: Option<String>,
    /// The SAML apps this session signed the user into, for single logout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) saml: Vec<SamlParticipant>,
}

/// A SAML app a session signed its user into: what a `LogoutRequest` to it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SamlParticipant {
    /// The app (its client id).
    pub(crate) client_id: String,
    /// The NameID it was given.
    pub(crate) name_id: String,
    /// The NameID's format URI.
    pub(crate) name_id_format: String,
}

/// The most SAML apps one session remembers for single logout.
const MAX_SAML_PARTICIPANTS: usize = 50;

/// The longest `User-Agent` kept with a session.
pub(crate) const MAX_USER_AGENT: usize = 256;

impl Session {
    pub(crate) fn started(&self) -> i64 {
        self.started_at.unwrap_or(self.auth_time)
    }

    /// The last recorded use (unix seconds).
    pub(crate) fn last_used(&self) -> i64 {
        self.last_active.unwrap_or_else(|| self.started())
    }
}

/// Which of a user's sessions to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which<'a> {
    /// Every one.
    All,
    /// The one with this public id (`sid`).
    One(&'a str),
    /// Every one but the one with this public id: the browser that asked stays signed in.
    AllBut(&'a str),
}

impl Which<'_> {
    fn covers(self, sid: &str) -> bool {
        match self {
            Self::All => true,
            Self::One(s) => s == sid,
            Self::AllBut(s) => s != sid,
        }
    }
}

/// How long a tenant's sessions last (`settings.login`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SessionLimits {
    /// The absolute lifetime from the sign-in.
    lifetime: Duration,
    /// How long an unused session lives.
    idle: Duration,
}

/// What using a session at some moment means.
#[derive(Debug, PartialEq, Eq)]
enum SessionUse {
    /// Past its absolute end or idle deadline: the session is over.
    Ended,
    /// Live, and its last-activity mark is recent enough to leave the stored copy alone.
    Live,
    /// Live, and its last-activity mark is due: store it with this TTL (until the new idle
    /// deadline, never past the absolute end).
    Touch(Duration),
}

impl SessionLimits {
    fn of(login: &LoginSettings) -> Self {
        Self {
            lifetime: Duration::from_secs(login.session_lifetime_secs),
            idle: Duration::from_secs(login.session_idle_timeout_secs),
        }
    }

    /// The TTL of a session stored at its start: the first idle deadline, within the lifetime.
    fn initial_ttl(&self) -> Duration {
        self.lifetime.min(self.idle)
    }

    /// How long a session used at `now` stays stored: until its next idle deadline, never past
    /// its absolute end (at least a second).
    fn ttl_after_use(&self, s: &Session, now: i64) -> Duration {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let until = s.started().saturating_add(secs(self.lifetime)).min(now.saturating_add(secs(self.idle)));
        Duration::from_secs(u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1))
    }

    /// What a use of `s` at `now` (unix seconds) means.
    fn on_use(&self, s: &Session, now: i64) -> SessionUse {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let end = s.started().saturating_add(secs(self.lifetime));
        let last = s.last_active.unwrap_or_else(|| s.started());
        let idle_end = last.saturating_add(secs(self.idle));
        if now >= end || now >= idle_end {
            return SessionUse::Ended;
        }
        // Marking every request would rewrite the session on each page view; a mark a tenth of
        // the timeout old is good enough (the session then ends 90-100% of the timeout after its
        // last use). Nor is there anything to move once the idle deadline reaches the absolute end.
        let step = (secs(self.idle) / 10).max(1);
        if now.saturating_sub(last) < step || idle_end >= end {
            return SessionUse::Live;
        }
        SessionUse::Touch(self.ttl_after_use(s, now))
    }
}

/// The live session of the browser holding `cookie`, if any. A session past its idle deadline
/// or absolute end is deleted and treated as absent; a use records the activity when the last
/// mark is due.
pub(crate) async fn current(st: &AppState, tenant: &Tenant, cookie: &str) -> StoreResult<Option<Session>> {
    let ns = tenant.ns();
    let key = keyspace::session(&ns, cookie);
    let sessions = Json::<Session>::new(st.ephemeral.as_ref());
    let Some(mut session) = sessions.get(&key).await? else { return Ok(None) };
    let limits = SessionLimits::of(&tenant.settings.login);
    let now = st.clock.now().unix_timestamp();
    match limits.on_use(&session, now) {
        SessionUse::Live => Ok(Some(session)),
        SessionUse::Ended => {
            if sessions.delete(&key).await? {
                let index = keyspace::user_sessions(&ns, &session.user_id);
                st.ephemeral.set_remove(index.as_str(), SecretHash::of(cookie).as_str()).await?;
            }
            Ok(None)
        }
        SessionUse::Touch(ttl) => {
            session.last_active = Some(now);
            // Only while it exists: a logout between the read and this write wins.
            let kept = sessions.put_if_present(&key, &session, ttl).await?;
            Ok(kept.then_some(session))
        }
    }
}

/// Remembers that the session of the browser holding `cookie` signed its user into a SAML app
/// (once per app: the latest NameID stays), for single logout. A session that ended meanwhile
/// stays ended.
pub(crate) async fn remember_saml_app(
    st: &AppState,
    tenant: &Tenant,
    cookie: &str,
    participant: SamlParticipant,
) -> StoreResult<()> {
    let key = keyspace::session(&tenant.ns(), cookie);
    let sessions = Json::<Session>::new(st.ephemeral.as_ref());
    let Some(mut session) = sessions.get(&key).await? else { return Ok(()) };
    let now = st.clock.now().unix_timestamp();
    let limits = SessionLimits::of(&tenant.settings.login);
    session.saml.retain(|p| p.client_id != participant.client_id);
    if session.saml.len() < MAX_SAML_PARTICIPANTS {
        session.saml.push(participant);
    }
    session.last_active = Some(now);
    sessions.put_if_present(&key, &session, limits.ttl_after_use(&session, now)).await?;
    Ok(())
}

/// Starts a new session (deleting the one of `old_cookie`, the browser's previous session) and
/// returns its cookie value and how long the cookie should live (the tenant's session lifetime).
pub(crate) async fn start(
    st: &AppState,
    tenant: &Tenant,
    session: &Session,
    old_cookie: Option<&str>,
) -> StoreResult<(String, Duration)> {
    let ns = tenant.ns();
    let sessions = Json::<Session>::new(st.ephemeral.as_ref());
    if let Some(old) = old_cookie {
        sessions.delete(&keyspace::session(&ns, old)).await?;
    }
    let limits = SessionLimits::of(&tenant.settings.login);
    let now = st.clock.now().unix_timestamp();
    let session = Session { started_at: Some(now), last_active: Some(now), ..session.clone() };
    let id = random_token(32);
    sessions.put(&keyspace::session(&ns, &id), &session, limits.initial_ttl()).await?;
    let hash = SecretHash::of(&id);
    let index = keyspace::user_sessions(&ns, &session.user_id);
    st.ephemeral.set_add(index.as_str(), hash.as_str(), limits.lifetime).await?;
    Ok((id, limits.lifetime))
}

/// A user's live sessions, most recently used first (stale index entries are dropped on the way).
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
    live.sort_by_key(|(_, s)| std::cmp::Reverse(s.last_used()));
    Ok(live)
}

/// Ends `which` of a user's sessions, unaudited: for the services whose own event says why (a
/// password change, a disabled account). Returns how many ended.
pub(super) async fn end_all_of(
    st: &AppState,
    tenant: &TenantNs,
    user_id: &str,
    which: Which<'_>,
) -> StoreResult<usize> {
    let index = keyspace::user_sessions(tenant, user_id);
    let mut ended = 0;
    for (hash, session) in user_sessions(st, tenant, user_id).await? {
        if which.covers(&session.sid) {
            st.ephemeral.delete(keyspace::session_of_hash(tenant, &hash).as_str()).await?;
            st.ephemeral.set_remove(index.as_str(), &hash).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Ends `which` of a user's sessions on `by`'s request; returns how many ended. Recorded as
/// `session.ended` when any did.
pub(crate) async fn end_user_sessions(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    user: &UserId,
    which: Which<'_>,
) -> Result<usize, ServiceError> {
    let ended = end_all_of(st, &tenant.ns(), &user.to_string(), which).await.map_err(ServiceError::Sessions)?;
    if ended > 0 {
        let mut e = AuditRecord::allow("session.ended");
        e.user_id = Some(user.to_string());
        e.reason = Some(match which {
            Which::One(_) => "one session".to_owned(),
            Which::All => format!("every session ({ended})"),
            Which::AllBut(_) => format!("every other session ({ended})"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn session(started: i64, last: Option<i64>) -> Session {
        Session {
            sid: "s".into(),
            user_id: "u".into(),
            auth_time: started,
            amr: vec![],
            acr: "0".into(),
            csrf: "c".into(),
            started_at: Some(started),
            last_active: last,
            user_agent: None,
            saml: vec![],
        }
    }

    #[test]
    fn which_sessions_end() {
        assert!(Which::All.covers("a"));
        assert!(Which::One("a").covers("a") && !Which::One("a").covers("b"));
        assert!(!Which::AllBut("a").covers("a") && Which::AllBut("a").covers("b"));
    }

    /// Idle timeout within the absolute lifetime: a use slides the idle deadline (recorded only
    /// when the mark is a tenth of the timeout old), never past the absolute end.
    #[test]
    fn sessions_end_when_idle_or_at_their_absolute_end() {
        let limits = SessionLimits { lifetime: Duration::from_secs(10_000), idle: Duration::from_secs(1000) };
        let t0 = 1_000_000;
        for (last, now, expect) in [
            (t0, t0, SessionUse::Live),
            (t0, t0 + 99, SessionUse::Live),
            (t0, t0 + 100, SessionUse::Touch(Duration::from_secs(1000))),
            (t0, t0 + 999, SessionUse::Touch(Duration::from_secs(1000))),
            (t0, t0 + 1000, SessionUse::Ended),
            (t0 + 8500, t0 + 9400, SessionUse::Touch(Duration::from_secs(600))),
            (t0 + 9900, t0 + 9999, SessionUse::Live),
            // The idle deadline already reaches the absolute end: nothing left to slide.
            (t0 + 9050, t0 + 9200, SessionUse::Live),
            (t0 + 9950, t0 + 10_000, SessionUse::Ended),
        ] {
            assert_eq!(limits.on_use(&session(t0, Some(last)), now), expect, "last {last} now {now}");
        }
        // Before idle timeouts, a session's last mark is its start (its auth_time before that).
        assert_eq!(limits.on_use(&session(t0, None), t0 + 1000), SessionUse::Ended);
        let mut legacy = session(t0, None);
        legacy.started_at = None;
        assert_eq!(limits.on_use(&legacy, t0 + 500), SessionUse::Touch(Duration::from_secs(1000)));
        assert_eq!(limits.on_use(&legacy, t0 + 1000), SessionUse::Ended);
        // An idle timeout longer than the lifetime never ends a session first.
        let long_idle = SessionLimits { lifetime: Duration::from_secs(600), idle: Duration::from_secs(3600) };
        assert_eq!(long_idle.initial_ttl(), Duration::from_secs(600));
        assert_eq!(long_idle.on_use(&session(t0, Some(t0)), t0 + 599), SessionUse::Live);
        assert_eq!(long_idle.on_use(&session(t0, Some(t0)), t0 + 600), SessionUse::Ended);
    }
}
