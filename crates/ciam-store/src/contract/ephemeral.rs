//! The ephemeral store's contract (sessions, codes, replay caches, counters, sets), run against
//! the in-process and Redis adapters.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use ciam_core::store::{EphemeralStore, Marker};

pub async fn ephemeral_put_get_delete(s: &dyn EphemeralStore) {
    let ttl = Duration::from_secs(60);
    assert_eq!(s.get("k").await.unwrap(), None);
    s.put("k", b"v1", ttl).await.unwrap();
    assert_eq!(s.get("k").await.unwrap().as_deref(), Some(&b"v1"[..]));
    s.put("k", b"v2", ttl).await.unwrap();
    assert_eq!(s.get("k").await.unwrap().as_deref(), Some(&b"v2"[..]));
    s.put("k2", b"w", ttl).await.unwrap();
    let many = s.get_many(&["k", "absent", "k2", "k"]).await.unwrap();
    assert_eq!(many, [Some(b"v2".to_vec()), None, Some(b"w".to_vec()), Some(b"v2".to_vec())], "in the keys' order");
    assert!(s.get_many(&[]).await.unwrap().is_empty());
    assert!(s.delete("k2").await.unwrap());
    assert!(s.delete("k").await.unwrap());
    assert!(!s.delete("k").await.unwrap());
    assert_eq!(s.get("k").await.unwrap(), None);
    s.ping().await.unwrap();
}

pub async fn ephemeral_ttl_expires(s: &dyn EphemeralStore) {
    s.put("short", b"v", Duration::from_millis(150)).await.unwrap();
    s.put("long", b"v", Duration::from_secs(60)).await.unwrap();
    assert!(s.get("short").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.get("short").await.unwrap(), None);
    assert_eq!(s.get_many(&["short", "long"]).await.unwrap(), [None, Some(b"v".to_vec())]);
    assert_eq!(s.take("short").await.unwrap(), None);
    assert!(s.put_if_absent("short", b"again", Duration::from_secs(60)).await.unwrap(), "expired key is absent");
    assert!(s.get("long").await.unwrap().is_some());
}

pub async fn ephemeral_take_is_single_use(s: &dyn EphemeralStore) {
    s.put("code", b"grant", Duration::from_secs(60)).await.unwrap();
    assert_eq!(s.take("code").await.unwrap().as_deref(), Some(&b"grant"[..]));
    assert_eq!(s.take("code").await.unwrap(), None);
    assert_eq!(s.get("code").await.unwrap(), None);
}

/// Standards F09: of 50 parallel takes of one key exactly one wins.
pub async fn ephemeral_concurrent_take_exactly_once(s: Arc<dyn EphemeralStore>) {
    for round in 0..5 {
        let key = format!("race-{round}");
        s.put(&key, b"x", Duration::from_secs(60)).await.unwrap();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (s, key) = (s.clone(), key.clone());
                tokio::spawn(async move { s.take(&key).await.unwrap().is_some() })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap());
        }
        assert_eq!(wins, 1, "round {round}");
    }
}

pub async fn ephemeral_put_if_absent(s: Arc<dyn EphemeralStore>) {
    let ttl = Duration::from_secs(60);
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.put_if_absent("jti", format!("{i}").as_bytes(), ttl).await.unwrap() })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        stored += usize::from(t.await.unwrap());
    }
    assert_eq!(stored, 1);
    assert!(s.get("jti").await.unwrap().is_some());
}

/// A replay entry and its marker in one step: the marker holds the store's time when it was set,
/// is kept (and its lifetime renewed) while it is used, and set afresh only after it was lost.
pub async fn ephemeral_put_if_absent_marked(s: Arc<dyn EphemeralStore>) {
    let ttl = Duration::from_secs(60);
    let marker = Marker { key: "since", ttl: Duration::from_millis(600) };
    let wall = || {
        use ciam_core::Clock as _;
        ciam_core::SystemClock.now().unix_timestamp()
    };
    let before = wall();
    let (fresh, set) = s.put_if_absent_marked("e1", b"1", ttl, marker).await.unwrap();
    assert!(fresh);
    assert!((before - 1..=wall() + 1).contains(&set), "the store's time, in unix seconds: {set}");
    assert_eq!(s.put_if_absent_marked("e1", b"1", ttl, marker).await.unwrap(), (false, set));
    // Concurrent first uses of other keys all read the one marker.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.put_if_absent_marked(&format!("c{i}"), b"1", ttl, marker).await.unwrap() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), (true, set));
    }
    // Each use renews the marker: it outlives its first lifetime.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(s.put_if_absent_marked("e1", b"1", ttl, marker).await.unwrap().1, set);
    }
    // Lost, it is set afresh, later.
    assert!(s.delete("since").await.unwrap());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (fresh, again) = s.put_if_absent_marked("e1", b"1", ttl, marker).await.unwrap();
    assert!(!fresh && again > set, "{again} after {set}");
}

/// A sliding expiry replaces a live value and restarts its TTL, but never brings back a value
/// that was deleted or expired meanwhile.
pub async fn ephemeral_put_if_present(s: Arc<dyn EphemeralStore>) {
    let long = Duration::from_secs(60);
    assert!(!s.put_if_present("slide", b"v0", long).await.unwrap(), "absent");
    assert_eq!(s.get("slide").await.unwrap(), None, "nothing stored for an absent key");
    s.put("slide", b"v1", Duration::from_millis(300)).await.unwrap();
    assert!(s.put_if_present("slide", b"v2", long).await.unwrap());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.get("slide").await.unwrap().as_deref(), Some(&b"v2"[..]), "value and TTL replaced");
    assert!(s.delete("slide").await.unwrap());
    assert!(!s.put_if_present("slide", b"v3", long).await.unwrap(), "a deleted value stays deleted");
    assert_eq!(s.get("slide").await.unwrap(), None);
    s.put("gone", b"v", Duration::from_millis(150)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!s.put_if_present("gone", b"again", long).await.unwrap(), "an expired value stays expired");
    assert_eq!(s.get("gone").await.unwrap(), None);
}

pub async fn ephemeral_counters(s: Arc<dyn EphemeralStore>) {
    let window = Duration::from_millis(300);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.incr("hits", Duration::from_secs(60)).await.unwrap() })
        })
        .collect();
    let mut values = Vec::new();
    for t in tasks {
        values.push(t.await.unwrap());
    }
    values.sort_unstable();
    assert_eq!(values, (1..=100).collect::<Vec<u64>>(), "every increment counted once");

    assert_eq!(s.count("hits").await.unwrap(), 100, "count reads without counting");
    assert_eq!(s.count("hits").await.unwrap(), 100);
    assert_eq!(s.count("never").await.unwrap(), 0);

    assert_eq!(s.incr("win", window).await.unwrap(), 1);
    assert_eq!(s.incr("win", window).await.unwrap(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.count("win").await.unwrap(), 0, "an expired counter reads 0");
    assert_eq!(s.incr("win", window).await.unwrap(), 1, "a new window starts after expiry");
}

pub async fn ephemeral_sets(s: Arc<dyn EphemeralStore>) {
    let ttl = Duration::from_secs(60);
    assert!(s.set_members("idx").await.unwrap().is_empty());
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.set_add("idx", &format!("m{i:02}"), ttl).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let mut members = s.set_members("idx").await.unwrap();
    members.sort();
    assert_eq!(members, (0..20).map(|i| format!("m{i:02}")).collect::<Vec<_>>(), "no concurrent addition is lost");
    assert!(s.set_remove("idx", "m03").await.unwrap());
    assert!(!s.set_remove("idx", "m03").await.unwrap());
    assert_eq!(s.set_members("idx").await.unwrap().len(), 19);
    s.set_add("short", "x", Duration::from_millis(150)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(s.set_members("short").await.unwrap().is_empty(), "sets expire");
}

/// A deleted tenant's namespace is purged as far as the store can find it; other namespaces,
/// including an earlier incarnation and the bare id, are untouched.
pub async fn ephemeral_namespace_purge(s: Arc<dyn EphemeralStore>) {
    let ttl = Duration::from_secs(60);
    s.set_add("user_sessions:acme@old:u1", "h1", ttl).await.unwrap();
    s.set_add("user_sessions:acme@new:u1", "h2", ttl).await.unwrap();
    for key in ["session:acme@old:a", "code:acme@old:b", "code:acme@new:c", "jti:acme:d", "code:acme@older:e"] {
        s.put(key, b"1", ttl).await.unwrap();
    }
    assert!(s.delete_namespace("acme@old").await.unwrap() >= 1);
    assert!(s.set_members("user_sessions:acme@old:u1").await.unwrap().is_empty(), "the set index is gone");
    assert_eq!(s.set_members("user_sessions:acme@new:u1").await.unwrap(), vec!["h2".to_owned()]);
    for kept in ["code:acme@new:c", "jti:acme:d", "code:acme@older:e"] {
        assert!(s.get(kept).await.unwrap().is_some(), "{kept} belongs to another namespace");
    }
}
