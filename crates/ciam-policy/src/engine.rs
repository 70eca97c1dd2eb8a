//! The evaluation: rules in a fixed order, points summed, outcome from thresholds and floors.

use ciam_core::Acr;

use crate::config::{BasicView, CountView, Floor, PolicyConfig};
use crate::decision::{Decision, Outcome, Reason};
use crate::signals::{Location, Signals, Subject};

/// Mean Earth radius in kilometres (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two points, in kilometres (haversine formula).
pub fn distance_km(a: &Location, b: &Location) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Evaluates one request against a tenant's policy.
///
/// Order: `ip_deny` (deny, nothing else runs), then `ip_allow` (allow; only `strong_auth_age`
/// still runs), then every enabled rule. The score is the sum of the points of the rules that
/// fired, capped at 100. The outcome is the more severe of what the score reaches (`deny_at`,
/// `step_up_at`) and the floors (`at_least`) of the rules that fired. A step-up asks for the
/// highest level among `step_up_acr` and the `acr` of the rules that fired, and becomes an
/// allow when `current_acr` already reaches it, except when `strong_auth_age` fired (an old
/// authentication does not prove a recent one).
pub fn evaluate(config: &PolicyConfig, signals: &Signals) -> Decision {
    let mut eval = Eval::new(config);
    let ip = signals.ip.map(|ip| ip.to_canonical());
    if let Some(ip) = ip {
        if let Some(net) = config.ip_deny.iter().find(|n| n.contains(&ip)) {
            eval.fire("ip_deny", 100, Floor::Deny, None, format!("address in denied network {net}"));
            return eval.finish(config, signals);
        }
        if let Some(net) = config.ip_allow.iter().find(|n| n.contains(&ip)) {
            eval.fire("ip_allow", 0, Floor::Allow, None, format!("address in allowed network {net}"));
            if config.enabled {
                strong_auth_age(config, signals, &mut eval);
            }
            return eval.finish(config, signals);
        }
    }
    if !config.enabled {
        return eval.finish(config, signals);
    }
    let rules = &config.rules;

    if let Some(badness) = signals.ip_reputation
        && rules.ip_reputation.enabled
    {
        let r = &rules.ip_reputation;
        let points = (u32::from(r.points) * u32::from(badness)).div_ceil(100);
        let deny = badness > r.deny_above;
        if points > 0 || deny {
            let floor = if deny { Floor::Deny } else { r.at_least };
            eval.fire("ip_reputation", clamp(points), floor, r.acr, format!("address listed with badness {badness}"));
        }
    }

    if let (Some(prev), Some(here)) = (&signals.previous, &signals.location)
        && let Some(there) = &prev.location
    {
        if let (Some(from), Some(to)) = (&there.country, &here.country)
            && !from.eq_ignore_ascii_case(to)
        {
            basic(&mut eval, "new_country", rules.new_country.view(), || {
                format!("country changed from {from} to {to}")
            });
        }
        let t = &rules.impossible_travel;
        let km = distance_km(there, here);
        if t.enabled && km >= t.min_distance_km {
            let elapsed = signals.now - prev.at;
            let hours = elapsed.as_seconds_f64() / 3600.0;
            let speed = if hours > 0.0 { km / hours } else { f64::INFINITY };
            if speed > t.speed_kmh {
                let minutes = elapsed.whole_minutes().max(0);
                eval.fire(
                    "impossible_travel",
                    t.points,
                    t.at_least,
                    t.acr,
                    format!("{km:.0} km in {minutes} min since the previous sign-in ({speed:.0} km/h)"),
                );
            }
        }
    }

    if signals.known_device == Some(false) {
        basic(&mut eval, "new_device", rules.new_device.view(), || "device not seen before".to_owned());
    }

    count(
        &mut eval,
        "account_failures",
        rules.account_failures.view(),
        signals.account_failures,
        "failed attempts on the account",
    );
    count(&mut eval, "ip_failures", rules.ip_failures.view(), signals.ip_failures, "failed attempts from the address");
    count(
        &mut eval,
        "credential_stuffing",
        rules.credential_stuffing.view(),
        signals.network_accounts_failed,
        "accounts with failed attempts from the network",
    );

    let b = &rules.bot_user_agent;
    if signals.subject == Subject::User && b.enabled {
        match signals.user_agent.as_deref().map(str::trim) {
            None | Some("") => {
                if b.missing {
                    eval.fire("bot_user_agent", b.points, b.at_least, b.acr, "no user agent".to_owned());
                }
            }
            Some(ua) => {
                if let Some(marker) = b.markers.iter().find(|m| contains_ignore_ascii_case(ua, m)) {
                    eval.fire("bot_user_agent", b.points, b.at_least, b.acr, format!("user agent contains {marker:?}"));
                }
            }
        }
    }

    strong_auth_age(config, signals, &mut eval);

    if let Some(agent) = &signals.agent {
        count(
            &mut eval,
            "agent_exchange_rate",
            rules.agent_exchange_rate.view(),
            agent.exchanges_last_minute,
            "token exchanges in the last minute",
        );
        if agent.new_audience {
            basic(&mut eval, "agent_new_audience", rules.agent_new_audience.view(), || {
                "first token for this audience".to_owned()
            });
        }
    }

    eval.finish(config, signals)
}

fn strong_auth_age(config: &PolicyConfig, signals: &Signals, eval: &mut Eval) {
    let s = &config.rules.strong_auth_age;
    if !(s.enabled && signals.require_recent_strong_auth) {
        return;
    }
    let detail = match signals.last_strong_auth {
        None => "no strong authentication on record".to_owned(),
        Some(at) => {
            let age = signals.now - at;
            if age.whole_seconds() <= i64::from(s.max_age_secs) {
                return;
            }
            format!("last strong authentication {} min ago", age.whole_minutes())
        }
    };
    eval.fresh_required = true;
    eval.fire("strong_auth_age", s.points, s.at_least, s.acr, detail);
}

fn basic(eval: &mut Eval, name: &'static str, rule: BasicView, detail: impl FnOnce() -> String) {
    if rule.enabled {
        eval.fire(name, rule.points, rule.at_least, rule.acr, detail());
    }
}

fn count(eval: &mut Eval, name: &'static str, rule: CountView, n: u32, what: &str) {
    if !rule.enabled || n < rule.threshold {
        return;
    }
    let floor = if rule.deny_from.is_some_and(|d| n >= d) { Floor::Deny } else { rule.at_least };
    eval.fire(name, rule.points, floor, rule.acr, format!("{n} {what} (threshold {})", rule.threshold));
}

fn clamp(points: u32) -> u8 {
    u8::try_from(points.min(100)).unwrap_or(100)
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case. No allocation.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty() || haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

struct Eval {
    reasons: Vec<Reason>,
    total: u32,
    floor: Floor,
    acr: Acr,
    fresh_required: bool,
}

impl Eval {
    fn new(config: &PolicyConfig) -> Self {
        Self { reasons: Vec::new(), total: 0, floor: Floor::Allow, acr: config.step_up_acr, fresh_required: false }
    }

    fn fire(&mut self, rule: &'static str, points: u8, floor: Floor, acr: Option<Acr>, detail: String) {
        self.total += u32::from(points);
        self.floor = self.floor.max(floor);
        if let Some(acr) = acr {
            self.acr = self.acr.max(acr);
        }
        self.reasons.push(Reason { rule: rule.to_owned(), points, detail });
    }

    fn finish(self, config: &PolicyConfig, signals: &Signals) -> Decision {
        let score = clamp(self.total);
        let by_score = if score >= config.deny_at {
            Floor::Deny
        } else if score >= config.step_up_at {
            Floor::StepUp
        } else {
            Floor::Allow
        };
        let outcome = match by_score.max(self.floor) {
            Floor::Deny => Outcome::Deny,
            Floor::StepUp if !self.fresh_required && signals.current_acr.is_some_and(|c| c.satisfies(self.acr)) => {
                Outcome::Allow
            }
            Floor::StepUp => Outcome::StepUp { acr: self.acr },
            Floor::Allow => Outcome::Allow,
        };
        Decision { score, outcome, reasons: self.reasons }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::signals::{AgentSignals, PreviousSignIn};

    const NOW: time::OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn berlin() -> Location {
        Location { country: Some("DE".into()), continent: Some("EU".into()), latitude: 52.52, longitude: 13.405 }
    }
    fn munich() -> Location {
        Location { country: Some("DE".into()), continent: Some("EU".into()), latitude: 48.137, longitude: 11.575 }
    }
    fn potsdam() -> Location {
        Location { country: Some("DE".into()), continent: Some("EU".into()), latitude: 52.391, longitude: 13.064 }
    }
    fn vienna() -> Location {
        Location { country: Some("AT".into()), continent: Some("EU".into()), latitude: 48.208, longitude: 16.373 }
    }
    fn new_york() -> Location {
        Location { country: Some("US".into()), continent: Some("NA".into()), latitude: 40.713, longitude: -74.006 }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// A quiet sign-in: known device, browser, same city as yesterday, no failures.
    fn calm() -> Signals {
        Signals {
            ip: Some(ip("198.51.100.7")),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0".into()),
            location: Some(berlin()),
            previous: Some(PreviousSignIn { at: NOW - Duration::days(1), location: Some(berlin()) }),
            known_device: Some(true),
            ..Signals::new(Subject::User, NOW)
        }
    }

    fn travelled(to: Location, after: Duration) -> impl Fn(&mut Signals) {
        move |s: &mut Signals| {
            s.previous = Some(PreviousSignIn { at: NOW - after, location: Some(berlin()) });
            s.location = Some(to.clone());
        }
    }

    fn rules_fired(d: &Decision) -> Vec<&str> {
        d.reasons.iter().map(|r| r.rule.as_str()).collect()
    }

    #[test]
    fn calm_sign_in_is_allowed_without_reasons() {
        let d = evaluate(&PolicyConfig::default(), &calm());
        assert_eq!(d, Decision { score: 0, outcome: Outcome::Allow, reasons: vec![] });
    }

    /// Every rule, firing and not firing, from the calm baseline with the default configuration.
    #[test]
    fn each_rule_fires_only_on_its_signal() {
        type Case = (&'static str, Box<dyn Fn(&mut Signals)>, &'static str, bool);
        let cases: Vec<Case> = vec![
            ("reputation listed", Box::new(|s| s.ip_reputation = Some(50)), "ip_reputation", true),
            ("reputation zero", Box::new(|s| s.ip_reputation = Some(0)), "ip_reputation", false),
            ("reputation unlisted", Box::new(|s| s.ip_reputation = None), "ip_reputation", false),
            ("country changed", Box::new(travelled(vienna(), Duration::days(1))), "new_country", true),
            ("same country", Box::new(travelled(munich(), Duration::days(1))), "new_country", false),
            (
                "country unknown now",
                Box::new(|s| s.location = Some(Location { country: None, ..vienna() })),
                "new_country",
                false,
            ),
            (
                "country case differs",
                Box::new(|s| s.location = Some(Location { country: Some("de".into()), ..berlin() })),
                "new_country",
                false,
            ),
            ("DE to US in 2 h", Box::new(travelled(new_york(), Duration::hours(2))), "impossible_travel", true),
            ("DE to US in 10 h", Box::new(travelled(new_york(), Duration::hours(10))), "impossible_travel", false),
            ("DE to US, clock skew", Box::new(travelled(new_york(), Duration::minutes(-5))), "impossible_travel", true),
            (
                "Berlin to Munich in 10 min",
                Box::new(travelled(munich(), Duration::minutes(10))),
                "impossible_travel",
                true,
            ),
            (
                "Berlin to Potsdam in 1 min (GeoIP noise)",
                Box::new(travelled(potsdam(), Duration::minutes(1))),
                "impossible_travel",
                false,
            ),
            (
                "same city a second later",
                Box::new(travelled(berlin(), Duration::seconds(1))),
                "impossible_travel",
                false,
            ),
            ("no previous sign-in", Box::new(|s| s.previous = None), "impossible_travel", false),
            ("no location now", Box::new(|s| s.location = None), "impossible_travel", false),
            ("unknown device", Box::new(|s| s.known_device = Some(false)), "new_device", true),
            ("device not applicable", Box::new(|s| s.known_device = None), "new_device", false),
            ("5 account failures", Box::new(|s| s.account_failures = 5), "account_failures", true),
            ("4 account failures", Box::new(|s| s.account_failures = 4), "account_failures", false),
            ("20 IP failures", Box::new(|s| s.ip_failures = 20), "ip_failures", true),
            ("19 IP failures", Box::new(|s| s.ip_failures = 19), "ip_failures", false),
            ("10 accounts failing", Box::new(|s| s.network_accounts_failed = 10), "credential_stuffing", true),
            ("9 accounts failing", Box::new(|s| s.network_accounts_failed = 9), "credential_stuffing", false),
            ("no user agent", Box::new(|s| s.user_agent = None), "bot_user_agent", true),
            ("blank user agent", Box::new(|s| s.user_agent = Some("  ".into())), "bot_user_agent", true),
            ("curl", Box::new(|s| s.user_agent = Some("curl/8.5.0".into())), "bot_user_agent", true),
            (
                "ciam dev sign-in",
                Box::new(|s| s.user_agent = Some("ciam-dev/0.1.0 sign-in".into())),
                "bot_user_agent",
                true,
            ),
            (
                "python-requests",
                Box::new(|s| s.user_agent = Some("python-requests/2.32".into())),
                "bot_user_agent",
                true,
            ),
            (
                "headless chrome, any case",
                Box::new(|s| s.user_agent = Some("Mozilla/5.0 HEADLESSCHROME/120".into())),
                "bot_user_agent",
                true,
            ),
            (
                "agent with curl",
                Box::new(|s| {
                    s.subject = Subject::Agent;
                    s.user_agent = Some("curl/8".into())
                }),
                "bot_user_agent",
                false,
            ),
            (
                "stale strong auth, required",
                Box::new(|s| {
                    s.require_recent_strong_auth = true;
                    s.last_strong_auth = Some(NOW - Duration::hours(13))
                }),
                "strong_auth_age",
                true,
            ),
            ("no strong auth, required", Box::new(|s| s.require_recent_strong_auth = true), "strong_auth_age", true),
            (
                "recent strong auth, required",
                Box::new(|s| {
                    s.require_recent_strong_auth = true;
                    s.last_strong_auth = Some(NOW - Duration::hours(11))
                }),
                "strong_auth_age",
                false,
            ),
            (
                "stale strong auth, not required",
                Box::new(|s| s.last_strong_auth = Some(NOW - Duration::days(30))),
                "strong_auth_age",
                false,
            ),
            (
                "60 exchanges a minute",
                Box::new(|s| s.agent = Some(AgentSignals { exchanges_last_minute: 60, new_audience: false })),
                "agent_exchange_rate",
                true,
            ),
            (
                "59 exchanges a minute",
                Box::new(|s| s.agent = Some(AgentSignals { exchanges_last_minute: 59, new_audience: false })),
                "agent_exchange_rate",
                false,
            ),
            (
                "new audience",
                Box::new(|s| s.agent = Some(AgentSignals { exchanges_last_minute: 1, new_audience: true })),
                "agent_new_audience",
                true,
            ),
            (
                "known audience",
                Box::new(|s| s.agent = Some(AgentSignals { exchanges_last_minute: 1, new_audience: false })),
                "agent_new_audience",
                false,
            ),
        ];
        let config = PolicyConfig::default();
        for (name, mutate, rule, fires) in cases {
            let mut s = calm();
            mutate(&mut s);
            let d = evaluate(&config, &s);
            assert_eq!(rules_fired(&d).contains(&rule), fires, "{name}: {d:?}");
            if fires {
                let reason = d.reasons.iter().find(|r| r.rule == rule).unwrap();
                assert!(!reason.detail.is_empty(), "{name}");
            }
        }
    }

    /// Each rule can be switched off, and then never fires.
    #[test]
    fn disabled_rules_never_fire() {
        let mut s = calm();
        travelled(new_york(), Duration::hours(2))(&mut s);
        s.ip_reputation = Some(50);
        s.known_device = Some(false);
        s.account_failures = 100;
        s.ip_failures = 100;
        s.network_accounts_failed = 100;
        s.user_agent = None;
        s.require_recent_strong_auth = true;
        s.agent = Some(AgentSignals { exchanges_last_minute: 1000, new_audience: true });
        let mut config = PolicyConfig::default();
        assert_eq!(evaluate(&config, &s).reasons.len(), 11);
        let r = &mut config.rules;
        r.ip_reputation.enabled = false;
        r.new_country.enabled = false;
        r.impossible_travel.enabled = false;
        r.new_device.enabled = false;
        r.account_failures.enabled = false;
        r.ip_failures.enabled = false;
        r.credential_stuffing.enabled = false;
        r.bot_user_agent.enabled = false;
        r.strong_auth_age.enabled = false;
        r.agent_exchange_rate.enabled = false;
        r.agent_new_audience.enabled = false;
        assert_eq!(evaluate(&config, &s), Decision { score: 0, outcome: Outcome::Allow, reasons: vec![] });
    }

    #[test]
    fn outcomes() {
        let mfa = Outcome::StepUp { acr: Acr::MultiFactor };
        type Case = (&'static str, Box<dyn Fn(&mut PolicyConfig)>, Box<dyn Fn(&mut Signals)>, Outcome, u8);
        let keep = || -> Box<dyn Fn(&mut PolicyConfig)> { Box::new(|_| {}) };
        let cases: Vec<Case> = vec![
            (
                "Germany, then the USA 2 h later: step up, not deny",
                keep(),
                Box::new(travelled(new_york(), Duration::hours(2))),
                mfa,
                60,
            ),
            (
                "the same on a new device still steps up",
                keep(),
                Box::new(|s| {
                    travelled(new_york(), Duration::hours(2))(s);
                    s.known_device = Some(false)
                }),
                mfa,
                75,
            ),
            (
                "the same after multi-factor is allowed",
                keep(),
                Box::new(|s| {
                    travelled(new_york(), Duration::hours(2))(s);
                    s.current_acr = Some(Acr::MultiFactor)
                }),
                Outcome::Allow,
                60,
            ),
            (
                "a password alone does not satisfy the step-up",
                keep(),
                Box::new(|s| {
                    travelled(new_york(), Duration::hours(2))(s);
                    s.current_acr = Some(Acr::Password)
                }),
                mfa,
                60,
            ),
            (
                "floor: impossible travel with zero points still steps up",
                Box::new(|c| c.rules.impossible_travel.points = 0),
                Box::new(travelled(new_york(), Duration::hours(2))),
                mfa,
                15,
            ),
            (
                "a rule asking for a passkey raises the step-up level",
                Box::new(|c| c.rules.impossible_travel.acr = Some(Acr::PhishingResistant)),
                Box::new(|s| {
                    travelled(new_york(), Duration::hours(2))(s);
                    s.current_acr = Some(Acr::MultiFactor)
                }),
                Outcome::StepUp { acr: Acr::PhishingResistant },
                60,
            ),
            ("below step_up_at: allow", keep(), Box::new(|s| s.account_failures = 5), Outcome::Allow, 20),
            (
                "at step_up_at: step up",
                keep(),
                Box::new(|s| {
                    s.account_failures = 5;
                    s.ip_failures = 20
                }),
                mfa,
                40,
            ),
            (
                "at deny_at: deny",
                keep(),
                Box::new(|s| {
                    s.account_failures = 5;
                    s.ip_failures = 20;
                    s.network_accounts_failed = 10
                }),
                Outcome::Deny,
                90,
            ),
            (
                "score is capped at 100",
                keep(),
                Box::new(|s| {
                    s.account_failures = 5;
                    s.ip_failures = 20;
                    s.network_accounts_failed = 10;
                    s.user_agent = None;
                }),
                Outcome::Deny,
                100,
            ),
            ("reputation 50 scores 20", keep(), Box::new(|s| s.ip_reputation = Some(50)), Outcome::Allow, 20),
            ("reputation 1 scores 1 (rounded up)", keep(), Box::new(|s| s.ip_reputation = Some(1)), Outcome::Allow, 1),
            ("reputation 91 denies", keep(), Box::new(|s| s.ip_reputation = Some(91)), Outcome::Deny, 37),
            ("reputation 90 does not deny", keep(), Box::new(|s| s.ip_reputation = Some(90)), Outcome::Allow, 36),
            (
                "reputation never denies at deny_above 100",
                Box::new(|c| c.rules.ip_reputation.deny_above = 100),
                Box::new(|s| s.ip_reputation = Some(100)),
                mfa,
                40,
            ),
            (
                "credential stuffing from 50 accounts denies",
                keep(),
                Box::new(|s| s.network_accounts_failed = 50),
                Outcome::Deny,
                50,
            ),
            ("49 accounts: points only", keep(), Box::new(|s| s.network_accounts_failed = 49), mfa, 50),
            (
                "stale strong authentication steps up even with an MFA token",
                keep(),
                Box::new(|s| {
                    s.require_recent_strong_auth = true;
                    s.last_strong_auth = Some(NOW - Duration::days(2));
                    s.current_acr = Some(Acr::MultiFactor);
                }),
                mfa,
                0,
            ),
            (
                "agent: fast exchanges to a new audience step up",
                keep(),
                Box::new(|s| {
                    s.subject = Subject::Agent;
                    s.known_device = None;
                    s.user_agent = None;
                    s.agent = Some(AgentSignals { exchanges_last_minute: 80, new_audience: true });
                }),
                mfa,
                60,
            ),
            (
                "rule floor deny",
                Box::new(|c| c.rules.new_device.at_least = Floor::Deny),
                Box::new(|s| s.known_device = Some(false)),
                Outcome::Deny,
                15,
            ),
            (
                "custom thresholds",
                Box::new(|c| {
                    c.step_up_at = 10;
                    c.deny_at = 15
                }),
                Box::new(|s| s.known_device = Some(false)),
                Outcome::Deny,
                15,
            ),
            (
                "deny list",
                Box::new(|c| c.ip_deny = vec!["198.51.100.0/24".parse().unwrap()]),
                Box::new(|_| {}),
                Outcome::Deny,
                100,
            ),
            (
                "deny list wins over allow list",
                Box::new(|c| {
                    c.ip_deny = vec!["198.51.100.0/24".parse().unwrap()];
                    c.ip_allow = vec!["198.51.100.7/32".parse().unwrap()];
                }),
                Box::new(|_| {}),
                Outcome::Deny,
                100,
            ),
            (
                "deny list matches IPv4-mapped IPv6",
                Box::new(|c| c.ip_deny = vec!["198.51.100.0/24".parse().unwrap()]),
                Box::new(|s| s.ip = Some(ip("::ffff:198.51.100.7"))),
                Outcome::Deny,
                100,
            ),
            (
                "deny list does not match other addresses",
                Box::new(|c| c.ip_deny = vec!["2001:db8::/32".parse().unwrap()]),
                Box::new(|_| {}),
                Outcome::Allow,
                0,
            ),
            (
                "allow list skips scoring",
                Box::new(|c| c.ip_allow = vec!["198.51.100.0/24".parse().unwrap()]),
                Box::new(|s| {
                    s.user_agent = None;
                    s.network_accounts_failed = 100;
                    s.ip_reputation = Some(100)
                }),
                Outcome::Allow,
                0,
            ),
            (
                "allow list keeps the strong authentication requirement",
                Box::new(|c| c.ip_allow = vec!["198.51.100.0/24".parse().unwrap()]),
                Box::new(|s| s.require_recent_strong_auth = true),
                mfa,
                0,
            ),
            (
                "disabled policy allows",
                Box::new(|c| c.enabled = false),
                Box::new(|s| {
                    s.network_accounts_failed = 100;
                    s.require_recent_strong_auth = true
                }),
                Outcome::Allow,
                0,
            ),
            (
                "disabled policy still applies the deny list",
                Box::new(|c| {
                    c.enabled = false;
                    c.ip_deny = vec!["198.51.100.7/32".parse().unwrap()]
                }),
                Box::new(|_| {}),
                Outcome::Deny,
                100,
            ),
        ];
        for (name, configure, mutate, outcome, score) in cases {
            let mut config = PolicyConfig::default();
            configure(&mut config);
            config.validate().unwrap();
            let mut s = calm();
            mutate(&mut s);
            let d = evaluate(&config, &s);
            assert_eq!((d.outcome, d.score), (outcome, score), "{name}: {d:?}");
        }
    }

    #[test]
    fn impossible_travel_speed_is_configurable() {
        let mut s = calm();
        // Berlin to New York, about 6,400 km, in 8 hours: 800 km/h.
        travelled(new_york(), Duration::hours(8))(&mut s);
        let mut config = PolicyConfig::default();
        assert!(!rules_fired(&evaluate(&config, &s)).contains(&"impossible_travel"));
        config.rules.impossible_travel.speed_kmh = 700.0;
        assert!(rules_fired(&evaluate(&config, &s)).contains(&"impossible_travel"));
        config.rules.impossible_travel.min_distance_km = 7000.0;
        assert!(!rules_fired(&evaluate(&config, &s)).contains(&"impossible_travel"));
    }

    #[test]
    fn bot_markers_are_configurable() {
        let mut s = calm();
        s.user_agent = Some("AcmeScanner/1.0".into());
        let mut config = PolicyConfig::default();
        assert!(!rules_fired(&evaluate(&config, &s)).contains(&"bot_user_agent"));
        config.rules.bot_user_agent.markers = vec!["acmescanner".into()];
        assert!(rules_fired(&evaluate(&config, &s)).contains(&"bot_user_agent"));
        s.user_agent = None;
        config.rules.bot_user_agent.missing = false;
        assert!(!rules_fired(&evaluate(&config, &s)).contains(&"bot_user_agent"));
    }

    #[test]
    fn great_circle_distances() {
        let cases = [
            (berlin(), berlin(), 0.0),
            (berlin(), munich(), 504.0),
            (berlin(), new_york(), 6385.0),
            (
                Location { country: None, continent: None, latitude: 0.0, longitude: 0.0 },
                Location { country: None, continent: None, latitude: 0.0, longitude: 180.0 },
                20015.1,
            ),
        ];
        for (a, b, km) in cases {
            let d = distance_km(&a, &b);
            assert!((d - km).abs() < 5.0, "{a:?} {b:?}: {d}");
            assert!((distance_km(&b, &a) - d).abs() < 1e-6);
        }
    }

    #[test]
    fn decisions_serialize_for_the_audit_trail() {
        let mut s = calm();
        travelled(new_york(), Duration::hours(2))(&mut s);
        let d = evaluate(&PolicyConfig::default(), &s);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["score"], 60);
        assert_eq!(json["outcome"], serde_json::json!({ "kind": "step_up", "acr": "multi_factor" }));
        assert_eq!(json["reasons"][0]["rule"], "new_country");
        assert_eq!(json["reasons"][0]["points"], 15);
        assert_eq!(json["reasons"][0]["detail"], "country changed from DE to US");
        assert_eq!(json["reasons"][1]["rule"], "impossible_travel");
        assert_eq!(json["reasons"][1]["detail"], "6385 km in 120 min since the previous sign-in (3192 km/h)");
        assert_eq!(serde_json::to_value(Outcome::Deny).unwrap(), serde_json::json!({ "kind": "deny" }));
        let back: Decision = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
    }
}
