//! Micro-benchmarks of the risk engine on the sign-in and token exchange paths. Run with
//! `cargo bench -p ciam-policy`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use ciam_policy::{
    Acr, AgentSignals, Location, PolicyConfig, PreviousSignIn, ReputationList, Signals, Subject, evaluate,
};
use criterion::{Criterion, criterion_group, criterion_main};
use time::Duration;
use time::macros::datetime;

fn config() -> PolicyConfig {
    serde_json::from_value(serde_json::json!({
        "ip_allow": ["10.0.0.0/8", "172.16.0.0/12", "2001:db8:aaaa::/48"],
        "ip_deny": ["192.0.2.0/24", "2001:db8:dead::/48"],
        "rules": { "bot_user_agent": { "markers": ["scanner", "curl/", "python-requests", "headlesschrome", "bot"] } }
    }))
    .unwrap()
}

fn risky_sign_in() -> Signals {
    let now = datetime!(2026-12-03 12:00 UTC);
    Signals {
        ip: Some("198.51.100.7".parse().unwrap()),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36".into(),
        ),
        location: Some(Location {
            country: Some("US".into()),
            continent: Some("NA".into()),
            latitude: 40.713,
            longitude: -74.006,
        }),
        previous: Some(PreviousSignIn {
            at: now - Duration::hours(2),
            location: Some(Location {
                country: Some("DE".into()),
                continent: Some("EU".into()),
                latitude: 52.52,
                longitude: 13.405,
            }),
        }),
        known_device: Some(false),
        account_failures: 6,
        ip_failures: 25,
        network_accounts_failed: 12,
        ip_reputation: Some(60),
        last_strong_auth: Some(now - Duration::days(3)),
        require_recent_strong_auth: true,
        current_acr: Some(Acr::Password),
        ..Signals::new(Subject::User, now)
    }
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate");
    let config = config();
    // Every rule fires (eleven reasons).
    let mut risky = risky_sign_in();
    risky.agent = Some(AgentSignals { exchanges_last_minute: 90, new_audience: true });
    assert_eq!(evaluate(&config, &risky).reasons.len(), 11);
    g.bench_function("all_rules_firing", |b| b.iter(|| evaluate(black_box(&config), black_box(&risky))));
    let mut calm = risky_sign_in();
    calm.current_acr = None;
    calm.user_agent = Some("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0".into());
    calm.location = calm.previous.as_ref().and_then(|p| p.location.clone());
    calm.known_device = Some(true);
    calm.account_failures = 0;
    calm.ip_failures = 0;
    calm.network_accounts_failed = 0;
    calm.ip_reputation = None;
    calm.require_recent_strong_auth = false;
    assert!(evaluate(&config, &calm).reasons.is_empty());
    g.bench_function("user_nothing_firing", |b| b.iter(|| evaluate(black_box(&config), black_box(&calm))));
    let mut agent = Signals::new(Subject::Agent, risky.now);
    agent.ip = risky.ip;
    agent.agent = Some(AgentSignals { exchanges_last_minute: 90, new_audience: true });
    g.bench_function("agent_exchange", |b| b.iter(|| evaluate(black_box(&config), black_box(&agent))));
    g.finish();
}

fn reputation(c: &mut Criterion) {
    let mut g = c.benchmark_group("reputation");
    // 10,000 entries over a few prefix lengths, as a typical abuse feed.
    let mut text = String::new();
    for i in 0..10_000u32 {
        let a = 0x0b00_0000u32 + i * 512;
        let len = match i % 4 {
            0 => 32,
            1 => 24,
            2 => 23,
            _ => 16,
        };
        text.push_str(&format!("{}/{len} {}\n", std::net::Ipv4Addr::from(a), i % 101));
    }
    let list = ReputationList::parse(&text).unwrap();
    let listed = "11.0.2.0".parse().unwrap();
    let unlisted = "198.51.100.7".parse().unwrap();
    g.bench_function("lookup_listed_10k", |b| b.iter(|| black_box(&list).lookup(black_box(listed))));
    g.bench_function("lookup_unlisted_10k", |b| b.iter(|| black_box(&list).lookup(black_box(unlisted))));
    g.finish();
}

criterion_group!(benches, engine, reputation);
criterion_main!(benches);
