//! The ephemeral store's port: short-lived state with TTLs, kept in process or in Redis.

use std::time::Duration;

use async_trait::async_trait;

use super::{HealthCheck, StoreResult};

/// A key kept beside another one, holding when it was set ([`EphemeralStore::put_if_absent_marked`]).
#[derive(Debug, Clone, Copy)]
pub struct Marker<'a> {
    /// Its key.
    pub key: &'a str,
    /// How long it lives after each use.
    pub ttl: Duration,
}

/// The ephemeral store: short-lived state with TTLs (sessions, codes, replay caches, counters).
///
/// Keys are namespaced by the caller (`code:{tenant}:{hash}`); values are opaque bytes. Losing
/// this store logs users out and restarts flows, but never loses durable data.
#[async_trait]
pub trait EphemeralStore: HealthCheck {
    /// Stores `value` under `key` for `ttl`, replacing any previous value.
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<()>;
    /// Stores `value` only if `key` is absent; `true` if stored. The building block of replay
    /// caches (`jti` seen?) and of single-flight locks.
    async fn put_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool>;
    /// [`EphemeralStore::put_if_absent`] of `key`, and in the same atomic step the marker
    /// `marker.key`: set to the store's own time (unix seconds) when it is missing, its lifetime
    /// renewed to `marker.ttl` when it is not. Returns whether `key` was stored and the time the
    /// marker holds. A replay cache keeps such a marker of when its records begin, so it can tell
    /// an entry it never saw from one it lost (a flushed Redis, a restarted node); the store's
    /// clock sets it, so nodes whose clocks disagree agree on it.
    async fn put_if_absent_marked(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        marker: Marker<'_>,
    ) -> StoreResult<(bool, i64)>;
    /// Replaces the value and the TTL of `key` only if it is live; `true` if replaced. Sliding
    /// expiry (a session's idle timeout) uses it, so a value deleted meanwhile (a session ended
    /// by logout or by an administrator) is never brought back by a late write.
    async fn put_if_present(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool>;
    /// Reads a live value.
    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Reads several live values in one round trip, in the order of `keys` (`None` where a key
    /// is absent). The keys must belong to one tenant: a store that serves several regions picks
    /// the region by the first.
    async fn get_many(&self, keys: &[&str]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.get(key).await?);
        }
        Ok(values)
    }
    /// Reads and removes a value in one atomic step: of many concurrent takes of one key,
    /// exactly one gets the value. Authorization codes and PAR request URIs are consumed this way.
    async fn take(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Removes a value; `true` if it existed.
    async fn delete(&self, key: &str) -> StoreResult<bool>;
    /// Atomically increments the counter at `key` and returns the new value. The first increment
    /// starts the window: the counter expires `window` after it (fixed-window rate counting).
    async fn incr(&self, key: &str, window: Duration) -> StoreResult<u64>;
    /// The current value of the counter at `key` (0 when absent or expired), without counting.
    async fn count(&self, key: &str) -> StoreResult<u64>;
    /// Adds `member` to the set at `key` and (re)starts the set's expiry at `ttl`. Indexes such as
    /// "the sessions of a user" are sets, so concurrent additions never lose each other.
    async fn set_add(&self, key: &str, member: &str, ttl: Duration) -> StoreResult<()>;
    /// Removes `member`; `true` if it was there.
    async fn set_remove(&self, key: &str, member: &str) -> StoreResult<bool>;
    /// The members of a live set (empty when absent).
    async fn set_members(&self, key: &str) -> StoreResult<Vec<String>>;
    /// Deletes, in the background of a tenant's deletion, the keys that carry `ns` as one of
    /// their `:`-separated segments (`session:{ns}:…`), and returns how many went. Nothing
    /// depends on it for safety (keys of a deleted tenant's namespace are never read again); it
    /// gives the memory back early. A store that keeps only hashes of its keys cannot find them
    /// and removes only what it can; the rest expires with its TTL.
    async fn delete_namespace(&self, ns: &str) -> StoreResult<u64>;
}
