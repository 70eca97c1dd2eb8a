//! Adaptive-security risk engine of the ciam identity server.
//!
//! [`evaluate`] is a pure function from [`Signals`] (what the server observed about one
//! sign-in or token exchange) and a tenant's [`PolicyConfig`] to a [`Decision`]: a score 0-100,
//! an [`Outcome`] (allow, step up to an [`Acr`], deny) and the [`Reason`]s behind it, ready for
//! the audit trail. Users and agents go through the same engine. The crate does no I/O, except
//! reading GeoIP databases ([`GeoIp`]) and parsing reputation lists ([`ReputationList`]) that
//! the server loads at start-up.
//!
//! # Rules and defaults
//!
//! | rule | fires when | default |
//! |---|---|---|
//! | `ip_deny` (list) | the address is in `ip_deny` | deny; wins over `ip_allow` |
//! | `ip_allow` (list) | the address is in `ip_allow` | allow without scoring (`strong_auth_age` still applies) |
//! | `ip_reputation` | the address is on the reputation list | `points * badness / 100` with points 40; badness above `deny_above` 90 denies |
//! | `new_country` | the country differs from the previous sign-in's | 15 |
//! | `impossible_travel` | distance ≥ `min_distance_km` 500 covered faster than `speed_kmh` 1000 | 45, at least step-up to `multi_factor` |
//! | `new_device` | `known_device == Some(false)` | 15 |
//! | `account_failures` | failed attempts on the account ≥ `threshold` 5 | 20 |
//! | `ip_failures` | failed attempts from the address ≥ `threshold` 20 | 20 |
//! | `credential_stuffing` | distinct failing accounts from the network ≥ `threshold` 10 | 50; deny from 50 accounts (`deny_from`) |
//! | `bot_user_agent` | users only: no user agent, or one containing a marker ([`DEFAULT_BOT_MARKERS`]) | 30 |
//! | `strong_auth_age` | the request needs a recent strong authentication and the last is older than `max_age_secs` 43200 (or none) | 0, at least step-up to `multi_factor` |
//! | `agent_exchange_rate` | an agent's exchanges in the last minute ≥ `threshold` 60 | 40 |
//! | `agent_new_audience` | an agent's first token for the audience | 20 |
//!
//! Outcome: score ≥ `deny_at` (90) denies, ≥ `step_up_at` (40) steps up to `step_up_acr`
//! (`multi_factor`); a rule's `at_least` floor raises the outcome whatever the score. A step-up
//! asks for the highest level demanded by the firing rules and is an allow when `current_acr`
//! already reaches it. With these defaults a sign-in from another continent two hours after the
//! previous one (new country 15 + impossible travel 45 = 60, or 75 on a new device) steps up
//! to multi-factor rather than denying.
//!
//! `ask_user_instead` (`none`, `step_up`, `step_up_or_deny`) turns those outcomes of an agent's
//! token exchange into a question to the user: the agent is told to ask for an approval through
//! backchannel authentication (CIBA) instead. A denial by `ip_deny` is never turned into one.
//!
//! # Configuration
//!
//! ```json
//! {
//!   "step_up_at": 40,
//!   "deny_at": 90,
//!   "ip_allow": ["10.0.0.0/8"],
//!   "ip_deny": ["203.0.113.0/24"],
//!   "rules": {
//!     "new_device": { "points": 20 },
//!     "impossible_travel": { "points": 60, "at_least": "step_up", "acr": "phishing_resistant", "speed_kmh": 900 },
//!     "bot_user_agent": { "enabled": false }
//!   }
//! }
//! ```
#![warn(missing_docs)]

pub mod config;
pub mod decision;
mod engine;
pub mod geoip;
pub mod reputation;
pub mod signals;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;

pub use ciam_core::Acr;
pub use config::{
    AccountFailuresRule, AgentExchangeRateRule, AgentNewAudienceRule, AskUser, BotUserAgentRule,
    CredentialStuffingRule, DEFAULT_BOT_MARKERS, Floor, ImpossibleTravelRule, IpFailuresRule, IpReputationRule,
    NewCountryRule, NewDeviceRule, PolicyConfig, Rules, StrongAuthAgeRule,
};
pub use decision::{Decision, Outcome, Reason};
pub use engine::{distance_km, evaluate};
pub use geoip::{GeoIp, GeoIpError};
pub use reputation::ReputationList;
pub use signals::{AgentSignals, Location, PreviousSignIn, Signals, Subject};
