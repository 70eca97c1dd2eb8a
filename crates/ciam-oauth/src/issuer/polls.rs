//! What this node remembers of the CIBA polls it answered: a poll that
//! comes sooner than the interval after the previous one this node answered gets `slow_down`
//! from memory, without a read of the store, so a client polling too fast costs no store round
//! trip. The store keeps the polling state too, for the other nodes: this memory only answers
//! earlier, never differently from what the rules say.
//!
//! Bounded in two generations of at most half the capacity each: when the newer one is full it
//! becomes the older one and the oldest entries go.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::device::{Polling, SLOW_DOWN_STEP};

/// Requests (by client and the hash of what the client polls with) remembered at most.
const CAPACITY: usize = 100_000;

type Generation = HashMap<(String, String), Polling>;

/// The polls this node answered recently.
#[derive(Default)]
pub(super) struct PollMemory {
    generations: Mutex<[Generation; 2]>,
}

impl PollMemory {
    fn lock(&self) -> MutexGuard<'_, [Generation; 2]> {
        self.generations.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `client`'s poll of `hash` at `now` is too soon after the last one this node
    /// answered; if so, the interval grows by [`SLOW_DOWN_STEP`] (the answer is `slow_down`).
    pub(super) fn too_soon(&self, client: &str, hash: &str, now: i64) -> bool {
        let key = (client.to_owned(), hash.to_owned());
        let mut generations = self.lock();
        let [newer, older] = &mut *generations;
        let Some(polling) = newer.get_mut(&key).or_else(|| older.get_mut(&key)) else { return false };
        if !polling.too_soon(now) {
            return false;
        }
        polling.last = Some(now);
        polling.interval += SLOW_DOWN_STEP;
        true
    }

    /// Remembers the polling state after a poll answered from the store (the larger interval
    /// of the two, when this node had already grown it).
    pub(super) fn remember(&self, client: &str, hash: &str, polling: &Polling) {
        let key = (client.to_owned(), hash.to_owned());
        let mut generations = self.lock();
        let [newer, older] = &mut *generations;
        let known = newer.get(&key).or_else(|| older.get(&key)).map_or(0, |p| p.interval);
        let kept = Polling { last: polling.last, interval: polling.interval.max(known) };
        if newer.len() >= CAPACITY / 2 && !newer.contains_key(&key) {
            *older = std::mem::take(newer);
        }
        newer.insert(key, kept);
    }

    /// Forgets a request that was answered for good (tokens, a denial, expiry).
    pub(super) fn forget(&self, client: &str, hash: &str) {
        let key = (client.to_owned(), hash.to_owned());
        let mut generations = self.lock();
        for g in generations.iter_mut() {
            g.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_too_soon_after_one_this_node_answered_is_slowed_down_from_memory() {
        let memory = PollMemory::default();
        assert!(!memory.too_soon("agent", "h", 100), "nothing remembered: the store decides");
        memory.remember("agent", "h", &Polling { last: Some(100), interval: 5 });
        assert!(memory.too_soon("agent", "h", 103));
        assert!(memory.too_soon("agent", "h", 110), "each slow_down grows the interval: now 10 after 103");
        assert!(!memory.too_soon("agent", "h", 130));
        assert!(!memory.too_soon("other", "h", 101), "per client");
        // The store's state never shrinks what this node grew.
        memory.remember("agent", "h", &Polling { last: Some(130), interval: 5 });
        assert!(memory.too_soon("agent", "h", 140), "the interval is still 15");
        memory.forget("agent", "h");
        assert!(!memory.too_soon("agent", "h", 141));
    }
}
