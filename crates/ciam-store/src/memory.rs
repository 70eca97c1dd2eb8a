//! The in-process ephemeral store: the embedded default for a single node.
//!
//! One mutex-guarded map; every operation is a single critical section, so `take` and `incr` are
//! atomic. The lock is never held across an `.await`. Expired entries are dropped lazily on access
//! and swept in bulk every few thousand writes, so memory stays bounded by the live set; a table
//! left mostly empty by a sweep is shrunk.
//!
//! An entry is kept small, because replay caches hold one per request for a minute or more: the
//! key is stored as the first 16 bytes of its SHA-256 (two keys would have to collide in 128 bits
//! to be confused, which takes about 2^64 tries to arrange on purpose), the expiry as milliseconds
//! since the store started. A slot is 40 bytes and the value its only allocation, where a `String`
//! key, a `Vec` and an `Instant` took 64 bytes and two allocations.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ciam_core::secret::sha256;
use ciam_core::store::{EphemeralStore, HealthCheck, Marker, StoreResult};

const SWEEP_EVERY: u32 = 4096;

/// A key as stored: the first 16 bytes of its SHA-256.
type Key = [u8; 16];

fn key_of(key: &str) -> Key {
    let digest = sha256(key.as_bytes());
    digest.first_chunk().copied().unwrap_or_default()
}

#[derive(Debug)]
struct Entry {
    value: Box<[u8]>,
    /// Milliseconds since the store's `epoch`.
    expires: u64,
}

/// In-process ephemeral store.
#[derive(Debug)]
pub struct MemoryStore {
    map: Mutex<HashMap<Key, Entry>>,
    sets: Mutex<HashMap<String, (BTreeSet<String>, Instant)>>,
    writes: AtomicU32,
    epoch: Instant,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self { map: Mutex::default(), sets: Mutex::default(), writes: AtomicU32::new(0), epoch: Instant::now() }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Now, in milliseconds since the store started.
    fn now(&self) -> u64 {
        millis(self.epoch.elapsed())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding the lock cannot leave the map half-updated (each operation is a
        // single insert/remove), so a poisoned lock is safe to keep using.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        let mut map = self.lock();
        if self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            let now = self.now();
            map.retain(|_, e| e.expires > now);
            // After a burst the table would keep its largest size: give most of it back
            // (to half full: growing back takes as many inserts again as the table holds).
            let live = map.len();
            if map.capacity() > 3 * live.max(SWEEP_EVERY as usize) {
                map.shrink_to(2 * live);
            }
        }
        map
    }

    /// Number of entries held, live or not yet swept (for tests of the sweep).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn live(e: &Entry, now: u64) -> bool {
    e.expires > now
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// An expiry `ttl` after `now`: a TTL under a millisecond still lives for one.
fn expiry(now: u64, ttl: Duration) -> u64 {
    now.saturating_add(millis(ttl).max(1))
}

/// The wall clock, in unix seconds (a marker's time: the store's own, as Redis uses its own).
fn unix_seconds() -> i64 {
    use ciam_core::Clock as _;
    ciam_core::SystemClock.now().unix_timestamp()
}

/// A counter's value.
fn counter(n: u64) -> Box<[u8]> {
    Box::new(n.to_be_bytes())
}

#[async_trait]
impl HealthCheck for MemoryStore {
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}

#[async_trait]
impl EphemeralStore for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<()> {
        let (key, expires) = (key_of(key), expiry(self.now(), ttl));
        self.write().insert(key, Entry { value: value.into(), expires });
        Ok(())
    }

    async fn put_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool> {
        let (key, now) = (key_of(key), self.now());
        let mut map = self.write();
        if map.get(&key).is_some_and(|e| live(e, now)) {
            return Ok(false);
        }
        map.insert(key, Entry { value: value.into(), expires: expiry(now, ttl) });
        Ok(true)
    }

    async fn put_if_absent_marked(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        marker: Marker<'_>,
    ) -> StoreResult<(bool, i64)> {
        let (key, mark, now) = (key_of(key), key_of(marker.key), self.now());
        let mut map = self.write();
        let fresh = !map.get(&key).is_some_and(|e| live(e, now));
        if fresh {
            map.insert(key, Entry { value: value.into(), expires: expiry(now, ttl) });
        }
        let kept = match map.get(&mark).filter(|e| live(e, now)) {
            Some(e) => e.value.clone(),
            None => counter(u64::try_from(unix_seconds()).unwrap_or(0)),
        };
        let set = kept.first_chunk().map_or(0, |b| u64::from_be_bytes(*b));
        map.insert(mark, Entry { value: kept, expires: expiry(now, marker.ttl) });
        Ok((fresh, i64::try_from(set).unwrap_or(i64::MAX)))
    }

    async fn put_if_present(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool> {
        let (key, now) = (key_of(key), self.now());
        let mut map = self.write();
        match map.get_mut(&key) {
            Some(e) if live(e, now) => {
                *e = Entry { value: value.into(), expires: expiry(now, ttl) };
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let (key, now) = (key_of(key), self.now());
        Ok(self.lock().get(&key).filter(|e| live(e, now)).map(|e| e.value.to_vec()))
    }

    async fn take(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let (key, now) = (key_of(key), self.now());
        Ok(self.lock().remove(&key).filter(|e| live(e, now)).map(|e| e.value.into_vec()))
    }

    async fn delete(&self, key: &str) -> StoreResult<bool> {
        let (key, now) = (key_of(key), self.now());
        Ok(self.lock().remove(&key).is_some_and(|e| live(&e, now)))
    }

    async fn incr(&self, key: &str, window: Duration) -> StoreResult<u64> {
        let (key, now) = (key_of(key), self.now());
        let mut map = self.write();
        let entry = map
            .entry(key)
            .and_modify(|e| {
                if !live(e, now) {
                    *e = Entry { value: counter(0), expires: expiry(now, window) };
                }
            })
            .or_insert_with(|| Entry { value: counter(0), expires: expiry(now, window) });
        let current = <[u8; 8]>::try_from(&*entry.value).map(u64::from_be_bytes).unwrap_or(0);
        let next = current.saturating_add(1);
        entry.value = counter(next);
        Ok(next)
    }

    async fn count(&self, key: &str) -> StoreResult<u64> {
        let (key, now) = (key_of(key), self.now());
        Ok(self
            .lock()
            .get(&key)
            .filter(|e| live(e, now))
            .and_then(|e| <[u8; 8]>::try_from(&*e.value).ok())
            .map_or(0, u64::from_be_bytes))
    }

    async fn set_add(&self, key: &str, member: &str, ttl: Duration) -> StoreResult<()> {
        let now = Instant::now();
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.retain(|_, (_, expires)| *expires > now);
        let entry = sets.entry(key.to_owned()).or_insert_with(|| (BTreeSet::new(), now + ttl));
        entry.0.insert(member.to_owned());
        entry.1 = now + ttl;
        Ok(())
    }

    async fn set_remove(&self, key: &str, member: &str) -> StoreResult<bool> {
        let now = Instant::now();
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(sets.get_mut(key).filter(|(_, e)| *e > now).is_some_and(|(set, _)| set.remove(member)))
    }

    /// Only the sets (indexes such as a user's sessions) can be found: the other entries are
    /// kept under a hash of their key and expire with their TTL.
    async fn delete_namespace(&self, ns: &str) -> StoreResult<u64> {
        let segment = format!(":{ns}:");
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        let before = sets.len();
        sets.retain(|key, _| !key.contains(&segment));
        Ok(u64::try_from(before - sets.len()).unwrap_or(u64::MAX))
    }

    async fn set_members(&self, key: &str) -> StoreResult<Vec<String>> {
        let now = Instant::now();
        let sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(sets.get(key).filter(|(_, e)| *e > now).map(|(set, _)| set.iter().cloned().collect()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A burst of short-lived entries grows the table; once they are swept it is shrunk back.
    #[tokio::test]
    async fn a_table_emptied_by_a_sweep_is_shrunk() {
        let s = MemoryStore::new();
        let ttl = Duration::from_secs(1);
        for i in 0..100_000 {
            s.put(&format!("burst{i}"), b"1", ttl).await.unwrap();
        }
        let grown = s.lock().capacity();
        assert!(grown >= 100_000, "{grown}");
        tokio::time::sleep(ttl + Duration::from_millis(10)).await;
        for i in 0..2 * SWEEP_EVERY {
            s.put(&format!("kept{i}"), b"1", Duration::from_secs(60)).await.unwrap();
        }
        let (live, capacity) = (s.len(), s.lock().capacity());
        assert!(live <= 2 * SWEEP_EVERY as usize, "expired entries are gone: {live}");
        assert!(capacity < grown / 4, "the table was shrunk: {capacity} of {grown}");
        for i in 0..2 * SWEEP_EVERY {
            assert_eq!(s.get(&format!("kept{i}")).await.unwrap().as_deref(), Some(&b"1"[..]), "kept{i}");
        }
    }
}
