//! The evaluation: rules in a fixed order, points summed, outcome from thresholds and floors.

use ciam_core::Acr;

use crate::config::{BasicRule, CountRule, Floor, PolicyConfig};
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
            basic(&mut eval, "new_country", &rules.new_country, || format!("country changed from {from} to {to}"));
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
        basic(&mut eval, "new_device", &rules.new_device, || "device not seen before".to_owned());
    }

    count(
        &mut eval,
        "account_failures",
        &rules.account_failures,
        signals.account_failures,
        "failed attempts on the account",
    );
    count(&mut eval, "ip_failures", &rules.ip_failures, signals.ip_failures, "failed attempts from the address");
    count(
        &mut eval,
        "credential_stuffing",
        &rules.credential_stuffing,
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
            &rules.agent_exchange_rate,
            agent.exchanges_last_minute,
            "token exchanges in the last minute",
        );
        if agent.new_audience {
            basic(&mut eval, "agent_new_audience", &rules.agent_new_audience, || {
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

fn basic(eval: &mut Eval, name: &'static str, rule: &BasicRule, detail: impl FnOnce() -> String) {
    if rule.enabled {
        eval.fire(name, rule.points, rule.at_least, rule.acr, detail());
    }
}

fn count(eval: &mut Eval, name: &'static str, rule: &CountRule, n: u32, what: &str) {
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
