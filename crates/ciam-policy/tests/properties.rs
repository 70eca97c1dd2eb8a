//! Properties of the risk engine over any signals a request can carry (docs/standards.md, the
//! risk engine's inputs): it never panics, whatever the address, browser, place or counters
//! (NaN and infinite coordinates included); its score is the capped sum of the points of the
//! rules that fired; a score at `deny_at` denies; and more failures or a worse address never
//! lower the score. Seeded by proptest's defaults (256 cases each; `PROPTEST_CASES` raises it).

use std::net::IpAddr;

use ciam_core::Acr;
use ciam_policy::{Location, Outcome, PolicyConfig, PreviousSignIn, Signals, Subject, evaluate};
use proptest::prelude::*;
use time::OffsetDateTime;

fn coordinate() -> impl Strategy<Value = f64> {
    prop_oneof![-180.0f64..180.0, Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), Just(1e300)]
}

fn location() -> impl Strategy<Value = Location> {
    (prop::option::of("[A-Za-z]{0,3}"), prop::option::of("[A-Z]{2}"), coordinate(), coordinate())
        .prop_map(|(country, continent, latitude, longitude)| Location { country, continent, latitude, longitude })
}

fn signals() -> impl Strategy<Value = Signals> {
    let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    (
        (
            prop_oneof![Just(Subject::User), Just(Subject::Agent)],
            prop::option::of(any::<IpAddr>()),
            prop::option::of("\\PC{0,60}"),
        ),
        (prop::option::of(location()), prop::option::of((-1_000_000i64..1_000_000, prop::option::of(location())))),
        (prop::option::of(any::<bool>()), any::<u32>(), any::<u32>(), any::<u32>(), prop::option::of(any::<u8>())),
        (
            prop::option::of(-10_000_000i64..10_000_000),
            any::<bool>(),
            prop::option::of(prop_oneof![Just(Acr::Password), Just(Acr::MultiFactor), Just(Acr::PhishingResistant)]),
        ),
    )
        .prop_map(
            move |((subject, ip, user_agent), (here, previous), (known, acc, ipf, net, rep), (strong, recent, acr))| {
                let mut s = Signals::new(subject, now);
                s.ip = ip;
                s.user_agent = user_agent;
                s.location = here;
                s.previous =
                    previous.map(|(ago, location)| PreviousSignIn { at: now - time::Duration::seconds(ago), location });
                s.known_device = known;
                s.account_failures = acc;
                s.ip_failures = ipf;
                s.network_accounts_failed = net;
                s.ip_reputation = rep;
                s.last_strong_auth = strong.map(|ago| now - time::Duration::seconds(ago));
                s.require_recent_strong_auth = recent;
                s.current_acr = acr;
                s
            },
        )
}

proptest! {
    #[test]
    fn the_score_is_the_capped_sum_and_a_deny_score_denies(s in signals()) {
        let config = PolicyConfig::default();
        let d = evaluate(&config, &s);
        let sum: u32 = d.reasons.iter().map(|r| u32::from(r.points)).sum();
        prop_assert_eq!(u32::from(d.score), sum.min(100));
        if d.score >= config.deny_at {
            prop_assert_eq!(d.outcome, Outcome::Deny);
        }
        if d.reasons.is_empty() {
            prop_assert_eq!(d.outcome, Outcome::Allow);
        }
    }

    #[test]
    fn more_failures_or_a_worse_address_never_lower_the_score(s in signals(), more in 0u32..1000, worse in 0u8..=100) {
        let config = PolicyConfig::default();
        let before = evaluate(&config, &s).score;
        let mut after = s.clone();
        after.account_failures = s.account_failures.saturating_add(more);
        after.ip_failures = s.ip_failures.saturating_add(more);
        after.network_accounts_failed = s.network_accounts_failed.saturating_add(more);
        after.ip_reputation = Some(s.ip_reputation.unwrap_or(0).max(worse));
        prop_assert!(evaluate(&config, &after).score >= before);
    }
}
