//! Per-tenant policy configuration: thresholds, IP lists and one entry per rule.
//!
//! Every field has a default, so `{}` is a valid configuration (the defaults are listed in the
//! crate documentation). Unknown fields are rejected so a mistyped rule name is an error rather
//! than a silently ignored setting.

use ciam_core::{Acr, FieldError};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Most entries accepted in `ip_allow` or `ip_deny`.
pub const MAX_IP_LIST: usize = 1000;
/// Most user-agent markers accepted by the `bot_user_agent` rule.
pub const MAX_MARKERS: usize = 100;
/// Longest user-agent marker accepted.
pub const MAX_MARKER_LEN: usize = 100;

/// The least severe outcome a rule imposes when it fires, whatever the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Floor {
    /// No minimum: the score decides.
    Allow,
    /// At least a step-up.
    StepUp,
    /// Always deny.
    Deny,
}

/// Per-tenant risk policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Whether the scoring rules run. When `false`, only `ip_deny` and `ip_allow` apply and
    /// every other request is allowed. Default `true`.
    pub enabled: bool,
    /// Score from which the outcome is a step-up. Default 40.
    pub step_up_at: u8,
    /// Score from which the outcome is a denial. Default 90.
    pub deny_at: u8,
    /// Level a step-up asks for unless a firing rule asks for more. Default `multi_factor`.
    pub step_up_acr: Acr,
    /// Networks whose requests skip scoring and are allowed: CIDR (`10.0.0.0/8`) or a bare
    /// address (`203.0.113.7`, one host). Default empty.
    #[serde(deserialize_with = "networks")]
    pub ip_allow: Vec<IpNet>,
    /// Networks whose requests are denied, written as in `ip_allow`; wins over `ip_allow`.
    /// Default empty.
    #[serde(deserialize_with = "networks")]
    pub ip_deny: Vec<IpNet>,
    /// The rules.
    pub rules: Rules,
    /// Which outcomes of an agent's token exchange become a demand for the user's approval
    /// instead: the agent is told to ask the user through backchannel authentication (CIBA),
    /// with what it asked for, and acts on the tokens the approval gives. Only for agents
    /// registered for the CIBA grant; a denial by `ip_deny` is never turned into a question.
    /// Default `none`.
    pub ask_user_instead: AskUser,
}

/// The outcomes of an agent's exchange that ask the user instead ([`PolicyConfig::ask_user_instead`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AskUser {
    /// Never: a step-up asks for a new sign-in, a denial denies.
    #[default]
    None,
    /// A step-up.
    StepUp,
    /// A step-up or a denial.
    StepUpOrDeny,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            step_up_at: 40,
            deny_at: 90,
            step_up_acr: Acr::MultiFactor,
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
            rules: Rules::default(),
            ask_user_instead: AskUser::None,
        }
    }
}

/// A list of networks, each written in CIDR notation or as a bare address (a network of that
/// one host: `/32` for IPv4, `/128` for IPv6), so an allowlist entry for one machine need not
/// spell out its prefix length.
fn networks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    let entries = Vec::<String>::deserialize(d)?;
    entries
        .iter()
        .map(|entry| {
            entry.parse::<IpNet>().or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from)).map_err(|_| {
                serde::de::Error::custom(format!(
                    "{entry:?} is neither a network (CIDR, as 10.0.0.0/8) nor an IP address"
                ))
            })
        })
        .collect()
}

/// One entry per rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// The IP address is on the reputation list.
    pub ip_reputation: IpReputationRule,
    /// The sign-in comes from another country than the previous one.
    pub new_country: NewCountryRule,
    /// The distance from the previous sign-in cannot have been covered in the time elapsed.
    pub impossible_travel: ImpossibleTravelRule,
    /// The device is not known (`known_device == Some(false)`).
    pub new_device: NewDeviceRule,
    /// Many recent failed attempts on the account.
    pub account_failures: AccountFailuresRule,
    /// Many recent failed attempts from the IP address.
    pub ip_failures: IpFailuresRule,
    /// Many distinct accounts failing from the IP's network.
    pub credential_stuffing: CredentialStuffingRule,
    /// The user agent is missing or looks like a script or a headless browser (users only).
    pub bot_user_agent: BotUserAgentRule,
    /// The last strong authentication is older than allowed (only when the request needs one).
    pub strong_auth_age: StrongAuthAgeRule,
    /// An agent exchanges tokens faster than allowed.
    pub agent_exchange_rate: AgentExchangeRateRule,
    /// An agent asks for an audience it never had a token for.
    pub agent_new_audience: AgentNewAudienceRule,
}

/// The common part of a yes/no rule, for the engine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BasicView {
    pub(crate) enabled: bool,
    pub(crate) points: u8,
    pub(crate) at_least: Floor,
    pub(crate) acr: Option<Acr>,
}

/// The common part of a counter rule, for the engine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountView {
    pub(crate) enabled: bool,
    pub(crate) threshold: u32,
    pub(crate) points: u8,
    pub(crate) deny_from: Option<u32>,
    pub(crate) at_least: Floor,
    pub(crate) acr: Option<Acr>,
}

/// A rule that fires on a yes/no signal; each has its own type so a partial entry keeps that
/// rule's defaults.
macro_rules! basic_rule {
    ($(#[$doc:meta])* $name:ident, points = $points:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            /// Whether the rule runs. Default `true`.
            pub enabled: bool,
            /// Points added when it fires (0-100).
            pub points: u8,
            /// Least severe outcome when it fires. Default `allow` (the score decides).
            pub at_least: Floor,
            /// Level a step-up asks for when this rule fires; `None` leaves it to `step_up_acr`.
            pub acr: Option<Acr>,
        }

        impl Default for $name {
            fn default() -> Self {
                Self { enabled: true, points: $points, at_least: Floor::Allow, acr: None }
            }
        }

        impl $name {
            fn validate(&self) -> Result<(), FieldError> {
                check_points("points", self.points)?;
                check_acr("acr", self.acr)
            }

            pub(crate) fn view(&self) -> BasicView {
                BasicView { enabled: self.enabled, points: self.points, at_least: self.at_least, acr: self.acr }
            }
        }
    };
}

/// A rule that fires when a counter reaches a threshold; each has its own type so a partial
/// entry keeps that rule's defaults.
macro_rules! count_rule {
    ($(#[$doc:meta])* $name:ident, threshold = $threshold:expr, points = $points:expr, deny_from = $deny:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            /// Whether the rule runs. Default `true`.
            pub enabled: bool,
            /// The rule fires when the counter is at least this (1 or more).
            pub threshold: u32,
            /// Points added when it fires (0-100).
            pub points: u8,
            /// From this count on the request is denied, whatever the score. `None`: never.
            pub deny_from: Option<u32>,
            /// Least severe outcome when it fires. Default `allow` (the score decides).
            pub at_least: Floor,
            /// Level a step-up asks for when this rule fires; `None` leaves it to `step_up_acr`.
            pub acr: Option<Acr>,
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    enabled: true,
                    threshold: $threshold,
                    points: $points,
                    deny_from: $deny,
                    at_least: Floor::Allow,
                    acr: None,
                }
            }
        }

        impl $name {
            fn validate(&self) -> Result<(), FieldError> {
                check_points("points", self.points)?;
                check_acr("acr", self.acr)?;
                if self.threshold == 0 {
                    return Err(FieldError::new("threshold", "must be at least 1"));
                }
                if let Some(deny_from) = self.deny_from
                    && deny_from < self.threshold
                {
                    return Err(FieldError::new("deny_from", "must be at least threshold"));
                }
                Ok(())
            }

            pub(crate) fn view(&self) -> CountView {
                CountView {
                    enabled: self.enabled,
                    threshold: self.threshold,
                    points: self.points,
                    deny_from: self.deny_from,
                    at_least: self.at_least,
                    acr: self.acr,
                }
            }
        }
    };
}

basic_rule!(
    /// `new_country`: the country differs from the previous sign-in's. Default 15 points.
    NewCountryRule,
    points = 15
);
basic_rule!(
    /// `new_device`: the device is not known. Default 15 points.
    NewDeviceRule,
    points = 15
);
basic_rule!(
    /// `agent_new_audience`: an agent's first token for an audience. Default 20 points.
    AgentNewAudienceRule,
    points = 20
);
count_rule!(
    /// `account_failures`: recent failed attempts on the account. Default 20 points from 5.
    AccountFailuresRule,
    threshold = 5,
    points = 20,
    deny_from = None
);
count_rule!(
    /// `ip_failures`: recent failed attempts from the address. Default 20 points from 20.
    IpFailuresRule,
    threshold = 20,
    points = 20,
    deny_from = None
);
count_rule!(
    /// `credential_stuffing`: distinct accounts failing from the address's network. Default 50
    /// points from 10 accounts, denied from 50.
    CredentialStuffingRule,
    threshold = 10,
    points = 50,
    deny_from = Some(50)
);
count_rule!(
    /// `agent_exchange_rate`: an agent's token exchanges in the last minute. Default 40 points
    /// from 60.
    AgentExchangeRateRule,
    threshold = 60,
    points = 40,
    deny_from = None
);

/// Scoring of the IP reputation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IpReputationRule {
    /// Whether the rule runs. Default `true`.
    pub enabled: bool,
    /// Points for a badness of 100; a listed address gets `points * badness / 100` (rounded
    /// up). Default 40.
    pub points: u8,
    /// A badness strictly above this denies the request. Default 90; 100 never denies.
    pub deny_above: u8,
    /// Least severe outcome when it fires. Default `allow` (the score decides).
    pub at_least: Floor,
    /// Level a step-up asks for when this rule fires; `None` leaves it to `step_up_acr`.
    pub acr: Option<Acr>,
}

impl Default for IpReputationRule {
    fn default() -> Self {
        Self { enabled: true, points: 40, deny_above: 90, at_least: Floor::Allow, acr: None }
    }
}

/// Travel faster than an airliner between the previous sign-in and this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImpossibleTravelRule {
    /// Whether the rule runs. Default `true`.
    pub enabled: bool,
    /// Points added when it fires. Default 45.
    pub points: u8,
    /// Least severe outcome when it fires. Default `step_up`.
    pub at_least: Floor,
    /// Level a step-up asks for when this rule fires. Default `multi_factor`.
    pub acr: Option<Acr>,
    /// Fastest plausible travel, in km/h. Default 1000.
    pub speed_kmh: f64,
    /// Distances below this (km) never fire, so GeoIP imprecision within a region is not
    /// travel. Default 500.
    pub min_distance_km: f64,
}

impl Default for ImpossibleTravelRule {
    fn default() -> Self {
        Self {
            enabled: true,
            points: 45,
            at_least: Floor::StepUp,
            acr: Some(Acr::MultiFactor),
            speed_kmh: 1000.0,
            min_distance_km: 500.0,
        }
    }
}

/// User agents of scripts, HTTP libraries and headless browsers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotUserAgentRule {
    /// Whether the rule runs. Default `true`.
    pub enabled: bool,
    /// Points added when it fires. Default 30.
    pub points: u8,
    /// Least severe outcome when it fires. Default `allow` (the score decides).
    pub at_least: Floor,
    /// Level a step-up asks for when this rule fires; `None` leaves it to `step_up_acr`.
    pub acr: Option<Acr>,
    /// Whether a missing or blank user agent fires the rule. Default `true`.
    pub missing: bool,
    /// Substrings that mark a bot, matched case-insensitively. Default: see
    /// [`DEFAULT_BOT_MARKERS`].
    pub markers: Vec<String>,
}

/// User-agent substrings of common HTTP libraries, command-line tools and browser automation.
pub const DEFAULT_BOT_MARKERS: &[&str] = &[
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "apache-httpclient",
    "libwww-perl",
    "node-fetch",
    "axios/",
    "undici",
    "scrapy",
    "headlesschrome",
    "phantomjs",
    "selenium",
    "puppeteer",
    "playwright",
    "bot",
    "crawler",
    "spider",
    // This server's own scripted sign-in (`ciam dev sign-in`) is automation too.
    "ciam-dev/",
];

impl Default for BotUserAgentRule {
    fn default() -> Self {
        Self {
            enabled: true,
            points: 30,
            at_least: Floor::Allow,
            acr: None,
            missing: true,
            markers: DEFAULT_BOT_MARKERS.iter().map(|m| (*m).to_owned()).collect(),
        }
    }
}

/// A recent strong authentication, for requests that need one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrongAuthAgeRule {
    /// Whether the rule runs. Default `true`.
    pub enabled: bool,
    /// Oldest acceptable strong authentication, in seconds. Default 43200 (12 hours).
    pub max_age_secs: u32,
    /// Points added when it fires. Default 0 (the rule works through `at_least`).
    pub points: u8,
    /// Least severe outcome when it fires. Default `step_up`.
    pub at_least: Floor,
    /// Level the step-up asks for. Default `multi_factor`.
    pub acr: Option<Acr>,
}

impl Default for StrongAuthAgeRule {
    fn default() -> Self {
        Self { enabled: true, max_age_secs: 12 * 3600, points: 0, at_least: Floor::StepUp, acr: Some(Acr::MultiFactor) }
    }
}

fn check_points(field: &'static str, points: u8) -> Result<(), FieldError> {
    if points > 100 { Err(FieldError::new(field, "must be 0-100")) } else { Ok(()) }
}

fn check_acr(field: &'static str, acr: Option<Acr>) -> Result<(), FieldError> {
    match acr {
        Some(Acr::Password) => Err(FieldError::new(field, "a step-up must ask for multi_factor or phishing_resistant")),
        _ => Ok(()),
    }
}

impl PolicyConfig {
    /// The policy `tenant`'s settings hold (validated when the tenant was saved; the default
    /// policy if they cannot be read).
    ///
    /// A development tenant that allows scripted sign-ins (`testing.allow_scripted_sign_ins`)
    /// gets its policy without the `bot_user_agent` rule.
    pub fn of_tenant(tenant: &ciam_core::tenant::Tenant) -> Self {
        let mut policy: Self =
            serde_json::from_value(serde_json::Value::Object(tenant.settings.risk_policy.clone())).unwrap_or_default();
        if tenant.settings.allows_scripted_sign_ins() {
            policy.rules.bot_user_agent.enabled = false;
        }
        policy
    }

    /// Checks the configuration: thresholds and points within 0-100, `step_up_at` below
    /// `deny_at`, positive speeds, distances and counts, bounded lists.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.step_up_at == 0 || self.step_up_at > 100 {
            return Err(FieldError::new("step_up_at", "must be 1-100"));
        }
        if self.deny_at == 0 || self.deny_at > 100 {
            return Err(FieldError::new("deny_at", "must be 1-100"));
        }
        if self.step_up_at >= self.deny_at {
            return Err(FieldError::new("step_up_at", "must be below deny_at"));
        }
        if self.step_up_acr == Acr::Password {
            return Err(FieldError::new("step_up_acr", "must be multi_factor or phishing_resistant"));
        }
        for (field, list) in [("ip_allow", &self.ip_allow), ("ip_deny", &self.ip_deny)] {
            if list.len() > MAX_IP_LIST {
                return Err(FieldError::new(field, format!("at most {MAX_IP_LIST} networks")));
            }
        }
        self.rules.validate().map_err(|e| e.under("rules"))
    }
}

impl Rules {
    fn validate(&self) -> Result<(), FieldError> {
        let r = &self.ip_reputation;
        (|| {
            check_points("points", r.points)?;
            check_acr("acr", r.acr)?;
            if r.deny_above > 100 { Err(FieldError::new("deny_above", "must be 0-100")) } else { Ok(()) }
        })()
        .map_err(|e| e.under("ip_reputation"))?;
        self.new_country.validate().map_err(|e| e.under("new_country"))?;
        let t = &self.impossible_travel;
        (|| {
            check_points("points", t.points)?;
            check_acr("acr", t.acr)?;
            if !(t.speed_kmh.is_finite() && t.speed_kmh > 0.0) {
                return Err(FieldError::new("speed_kmh", "must be a positive number"));
            }
            if !(t.min_distance_km.is_finite() && t.min_distance_km >= 0.0) {
                return Err(FieldError::new("min_distance_km", "must be zero or a positive number"));
            }
            Ok(())
        })()
        .map_err(|e| e.under("impossible_travel"))?;
        self.new_device.validate().map_err(|e| e.under("new_device"))?;
        self.account_failures.validate().map_err(|e| e.under("account_failures"))?;
        self.ip_failures.validate().map_err(|e| e.under("ip_failures"))?;
        self.credential_stuffing.validate().map_err(|e| e.under("credential_stuffing"))?;
        let b = &self.bot_user_agent;
        (|| {
            check_points("points", b.points)?;
            check_acr("acr", b.acr)?;
            if b.markers.len() > MAX_MARKERS {
                return Err(FieldError::new("markers", format!("at most {MAX_MARKERS} markers")));
            }
            for (i, m) in b.markers.iter().enumerate() {
                if m.trim().is_empty() || m.chars().count() > MAX_MARKER_LEN {
                    return Err(FieldError::new(
                        format!("markers[{i}]"),
                        format!("must be 1-{MAX_MARKER_LEN} characters"),
                    ));
                }
            }
            Ok(())
        })()
        .map_err(|e| e.under("bot_user_agent"))?;
        let s = &self.strong_auth_age;
        (|| {
            check_points("points", s.points)?;
            check_acr("acr", s.acr)?;
            if s.max_age_secs == 0 { Err(FieldError::new("max_age_secs", "must be at least 1")) } else { Ok(()) }
        })()
        .map_err(|e| e.under("strong_auth_age"))?;
        self.agent_exchange_rate.validate().map_err(|e| e.under("agent_exchange_rate"))?;
        self.agent_new_audience.validate().map_err(|e| e.under("agent_new_audience"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn empty_object_is_the_default_and_valid() {
        let config: PolicyConfig = serde_json::from_value(json!({})).unwrap();
        assert_eq!(config, PolicyConfig::default());
        config.validate().unwrap();
        assert!(config.enabled);
        assert_eq!((config.step_up_at, config.deny_at), (40, 90));
        assert_eq!(config.rules.impossible_travel.speed_kmh, 1000.0);
        assert_eq!(config.rules.bot_user_agent.markers.len(), DEFAULT_BOT_MARKERS.len());
    }

    #[test]
    fn partial_rules_keep_the_other_defaults() {
        let config: PolicyConfig = serde_json::from_value(json!({
            "deny_at": 95,
            "ip_allow": ["10.0.0.0/8", "2001:db8::/32"],
            "rules": {
                "new_device": { "points": 20 },
                "impossible_travel": { "points": 60, "at_least": "step_up", "acr": "phishing_resistant", "speed_kmh": 900 },
                "credential_stuffing": { "deny_from": null },
                "bot_user_agent": { "enabled": false }
            }
        }))
        .unwrap();
        config.validate().unwrap();
        assert_eq!(config.deny_at, 95);
        assert_eq!(config.step_up_at, 40);
        assert_eq!(config.ip_allow.len(), 2);
        assert_eq!(config.rules.new_device, NewDeviceRule { points: 20, ..NewDeviceRule::default() });
        let t = &config.rules.impossible_travel;
        assert_eq!(
            (t.points, t.at_least, t.acr, t.speed_kmh),
            (60, Floor::StepUp, Some(Acr::PhishingResistant), 900.0)
        );
        assert_eq!(t.min_distance_km, 500.0);
        assert_eq!(config.rules.credential_stuffing.deny_from, None);
        assert_eq!(config.rules.credential_stuffing.threshold, 10);
        assert!(!config.rules.bot_user_agent.enabled);
        // And back: what is written reads the same.
        let again: PolicyConfig = serde_json::from_value(serde_json::to_value(&config).unwrap()).unwrap();
        assert_eq!(again, config);
    }

    #[test]
    fn ip_lists_accept_bare_addresses_as_single_hosts() {
        let config: PolicyConfig = serde_json::from_value(json!({
            "ip_allow": ["203.0.113.7", "10.0.0.0/8", "2001:db8::1"],
            "ip_deny": ["198.51.100.9"]
        }))
        .unwrap();
        config.validate().unwrap();
        let allow: Vec<String> = config.ip_allow.iter().map(ToString::to_string).collect();
        assert_eq!(allow, ["203.0.113.7/32", "10.0.0.0/8", "2001:db8::1/128"]);
        assert_eq!(config.ip_deny[0].to_string(), "198.51.100.9/32");
        // A bare address covers that host only.
        let host = config.ip_allow[0];
        assert!(host.contains(&"203.0.113.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(!host.contains(&"203.0.113.8".parse::<std::net::IpAddr>().unwrap()));
        // Written back in CIDR form, and read the same again.
        let again: PolicyConfig = serde_json::from_value(serde_json::to_value(&config).unwrap()).unwrap();
        assert_eq!(again, config);
        for bad in ["203.0.113", "203.0.113.7/33", "localhost", ""] {
            let err = serde_json::from_value::<PolicyConfig>(json!({ "ip_allow": [bad] })).unwrap_err();
            assert!(err.to_string().contains("neither a network"), "{bad}: {err}");
        }
    }

    fn tenant(settings: serde_json::Value) -> ciam_core::tenant::Tenant {
        use ciam_core::id::{Region, TenantId};
        ciam_core::tenant::Tenant {
            id: TenantId::parse("acme").unwrap(),
            display_name: "Acme".into(),
            home_region: Region::parse("local").unwrap(),
            settings: serde_json::from_value(settings).unwrap(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            incarnation: String::new(),
        }
    }

    #[test]
    fn scripted_sign_ins_drop_the_bot_rule_only_on_development_tenants() {
        let bot = |settings| PolicyConfig::of_tenant(&tenant(settings)).rules.bot_user_agent.enabled;
        assert!(bot(json!({})), "the default policy steps scripted sign-ins up");
        assert!(bot(json!({"environment": "development"})));
        // Stored by an older version without the check: still not in effect in production.
        assert!(bot(json!({"testing": {"allow_scripted_sign_ins": true}})));
        assert!(!bot(json!({"environment": "development", "testing": {"allow_scripted_sign_ins": true}})));
        // Everything else in the tenant's policy stays.
        let policy = PolicyConfig::of_tenant(&tenant(json!({
            "environment": "development", "testing": {"allow_scripted_sign_ins": true},
            "risk_policy": {"step_up_at": 30, "rules": {"new_device": {"points": 35}}}
        })));
        assert_eq!((policy.step_up_at, policy.rules.new_device.points), (30, 35));
        assert!(!policy.rules.bot_user_agent.enabled);
    }

    #[test]
    fn unknown_fields_and_bad_values_are_rejected() {
        for bad in [
            json!({ "step_up": 40 }),
            json!({ "rules": { "new_devices": {} } }),
            json!({ "rules": { "new_device": { "point": 3 } } }),
            json!({ "rules": { "impossible_travel": { "at_least": "maybe" } } }),
            json!({ "ip_deny": ["not-a-network"] }),
            json!({ "step_up_acr": "urn:ciam:acr:mfa" }),
        ] {
            assert!(serde_json::from_value::<PolicyConfig>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_names_the_field() {
        type Case = (fn(&mut PolicyConfig), &'static str);
        let cases: &[Case] = &[
            (|c| c.step_up_at = 0, "step_up_at"),
            (|c| c.step_up_at = 101, "step_up_at"),
            (|c| c.deny_at = 101, "deny_at"),
            (|c| c.step_up_at = 90, "step_up_at"),
            (|c| c.step_up_acr = Acr::Password, "step_up_acr"),
            (|c| c.ip_deny = vec!["10.0.0.0/8".parse().unwrap(); MAX_IP_LIST + 1], "ip_deny"),
            (|c| c.rules.ip_reputation.points = 101, "rules.ip_reputation.points"),
            (|c| c.rules.ip_reputation.deny_above = 101, "rules.ip_reputation.deny_above"),
            (|c| c.rules.new_country.acr = Some(Acr::Password), "rules.new_country.acr"),
            (|c| c.rules.impossible_travel.speed_kmh = 0.0, "rules.impossible_travel.speed_kmh"),
            (|c| c.rules.impossible_travel.speed_kmh = f64::NAN, "rules.impossible_travel.speed_kmh"),
            (|c| c.rules.impossible_travel.min_distance_km = -1.0, "rules.impossible_travel.min_distance_km"),
            (|c| c.rules.new_device.points = 200, "rules.new_device.points"),
            (|c| c.rules.account_failures.threshold = 0, "rules.account_failures.threshold"),
            (|c| c.rules.ip_failures.points = 101, "rules.ip_failures.points"),
            (|c| c.rules.credential_stuffing.deny_from = Some(5), "rules.credential_stuffing.deny_from"),
            (|c| c.rules.bot_user_agent.markers.push(" ".into()), "rules.bot_user_agent.markers[24]"),
            (|c| c.rules.bot_user_agent.markers = vec!["x".into(); MAX_MARKERS + 1], "rules.bot_user_agent.markers"),
            (|c| c.rules.strong_auth_age.max_age_secs = 0, "rules.strong_auth_age.max_age_secs"),
            (|c| c.rules.agent_exchange_rate.threshold = 0, "rules.agent_exchange_rate.threshold"),
            (|c| c.rules.agent_new_audience.points = 101, "rules.agent_new_audience.points"),
        ];
        for (mutate, field) in cases {
            let mut config = PolicyConfig::default();
            mutate(&mut config);
            let err = config.validate().unwrap_err();
            assert_eq!(err.field, *field, "{err}");
        }
        let mut edge = PolicyConfig { step_up_at: 99, deny_at: 100, ..PolicyConfig::default() };
        edge.rules.impossible_travel.min_distance_km = 0.0;
        edge.rules.credential_stuffing.deny_from = Some(10);
        edge.validate().unwrap();
    }
}
