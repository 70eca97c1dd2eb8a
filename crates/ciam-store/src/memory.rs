//! The in-process ephemeral store: the embedded default for a single node.
//!
//! One mutex-guarded map; every operation is a single critical section, so `take` and `incr` are
//! atomic. The lock is never held across an `.await`. Expired entries are dropped lazily on access
//! and swept in bulk every few thousand writes, so memory stays bounded by the live set.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ciam_core::store::{EphemeralStore, HealthCheck, StoreResult};

const SWEEP_EVERY: u32 = 4096;

#[derive(Debug)]
struct Entry {
    value: Vec<u8>,
    expires: Instant,
}

/// In-process ephemeral store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, Entry>>,
    sets: Mutex<HashMap<String, (BTreeSet<String>, Instant)>>,
    writes: AtomicU32,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave the map half-updated (each operation is a
        // single insert/remove), so a poisoned lock is safe to keep using.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        let mut map = self.lock();
        if self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            let now = Instant::now();
            map.retain(|_, e| e.expires > now);
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

fn live(e: &Entry, now: Instant) -> bool {
    e.expires > now
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
        let expires = Instant::now() + ttl;
        self.write().insert(key.to_owned(), Entry { value: value.to_vec(), expires });
        Ok(())
    }

    async fn put_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool> {
        let now = Instant::now();
        let mut map = self.write();
        if map.get(key).is_some_and(|e| live(e, now)) {
            return Ok(false);
        }
        map.insert(key.to_owned(), Entry { value: value.to_vec(), expires: now + ttl });
        Ok(true)
    }

    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let now = Instant::now();
        Ok(self.lock().get(key).filter(|e| live(e, now)).map(|e| e.value.clone()))
    }

    async fn take(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let now = Instant::now();
        Ok(self.lock().remove(key).filter(|e| live(e, now)).map(|e| e.value))
    }

    async fn delete(&self, key: &str) -> StoreResult<bool> {
        let now = Instant::now();
        Ok(self.lock().remove(key).is_some_and(|e| live(&e, now)))
    }

    async fn incr(&self, key: &str, window: Duration) -> StoreResult<u64> {
        let now = Instant::now();
        let mut map = self.write();
        let entry = map
            .entry(key.to_owned())
            .and_modify(|e| {
                if !live(e, now) {
                    *e = Entry { value: 0u64.to_be_bytes().to_vec(), expires: now + window };
                }
            })
            .or_insert_with(|| Entry { value: 0u64.to_be_bytes().to_vec(), expires: now + window });
        let current = <[u8; 8]>::try_from(entry.value.as_slice()).map(u64::from_be_bytes).unwrap_or(0);
        let next = current.saturating_add(1);
        entry.value = next.to_be_bytes().to_vec();
        Ok(next)
    }

    async fn count(&self, key: &str) -> StoreResult<u64> {
        let now = Instant::now();
        Ok(self
            .lock()
            .get(key)
            .filter(|e| live(e, now))
            .and_then(|e| <[u8; 8]>::try_from(e.value.as_slice()).ok())
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

    async fn set_members(&self, key: &str) -> StoreResult<Vec<String>> {
        let now = Instant::now();
        let sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(sets.get(key).filter(|(_, e)| *e > now).map(|(set, _)| set.iter().cloned().collect()).unwrap_or_default())
    }
}
