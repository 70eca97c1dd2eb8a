//! What the server observed about a sign-in or a token exchange.

use std::net::IpAddr;

use ciam_core::Acr;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who is authenticating: a person, or an AI agent acting through token exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A user signing in or presenting a session.
    User,
    /// An agent (a non-human client) exchanging tokens.
    Agent,
}

/// Where an IP address is, from a GeoIP database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// ISO 3166-1 alpha-2 country code (`DE`), if the database knows it.
    pub country: Option<String>,
    /// Continent code (`EU`, `NA`, ...), if the database knows it.
    pub continent: Option<String>,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
}

/// The subject's last successful sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousSignIn {
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Where it came from, if it was located.
    pub location: Option<Location>,
}

/// Signals specific to agents exchanging tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgentSignals {
    /// Token exchanges by this agent in the last minute, this one included.
    pub exchanges_last_minute: u32,
    /// Whether this agent has never obtained a token for the requested audience before.
    pub new_audience: bool,
}

/// Everything the server observed about one request. The caller computes the counters; the
/// engine only reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// A user or an agent.
    pub subject: Subject,
    /// The time of the request.
    pub now: OffsetDateTime,
    /// The client IP address, if known.
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
    /// GeoIP location of `ip`, if a database is configured.
    pub location: Option<Location>,
    /// The subject's last successful sign-in.
    pub previous: Option<PreviousSignIn>,
    /// Whether the device is known (a device cookie matched); `None` when not applicable
    /// (agents, API calls).
    pub known_device: Option<bool>,
    /// Recent failed attempts on this account.
    pub account_failures: u32,
    /// Recent failed attempts from this IP address.
    pub ip_failures: u32,
    /// Distinct accounts with recent failures from this IP's network (/24 for IPv4, /64 for IPv6).
    pub network_accounts_failed: u32,
    /// Badness 0-100 of `ip` on the reputation list, `None` when unlisted.
    pub ip_reputation: Option<u8>,
    /// When the user last passed a multi-factor or passkey authentication. When the
    /// authentication being evaluated is itself strong, this is `now`.
    pub last_strong_auth: Option<OffsetDateTime>,
    /// Whether this request needs a recent strong authentication (token exchange, sensitive
    /// operations): turns on the `strong_auth_age` rule.
    pub require_recent_strong_auth: bool,
    /// Level of the authentication being evaluated or presented.
    pub current_acr: Option<Acr>,
    /// For token exchange by agents.
    pub agent: Option<AgentSignals>,
}

impl Signals {
    /// Signals with nothing observed but who and when: no IP, no user agent, no location, no
    /// history, zero counters.
    pub fn new(subject: Subject, now: OffsetDateTime) -> Self {
        Self {
            subject,
            now,
            ip: None,
            user_agent: None,
            location: None,
            previous: None,
            known_device: None,
            account_failures: 0,
            ip_failures: 0,
            network_accounts_failed: 0,
            ip_reputation: None,
            last_strong_auth: None,
            require_recent_strong_auth: false,
            current_acr: None,
            agent: None,
        }
    }
}
