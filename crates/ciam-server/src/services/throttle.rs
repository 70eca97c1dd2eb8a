//! Brute-force and credential-stuffing defence for every place a user proves who they are
//! (password, one-time codes), with counters in the ephemeral store so every node sees the same
//! numbers.
//!
//! # Rules
//! - **One account from one address** (`pair`): 5 failures are free; each further failure locks
//!   that pair for a growing delay (2 s, 4 s, 8 s … at most 15 minutes). The lock is on the pair,
//!   so an attacker hammering a victim's account locks only themselves: the victim signing in
//!   from their own address is not delayed. The risk policy still sees the account's failures
//!   and may ask that sign-in for a second factor.
//! - **One address, any accounts**: 20 failures in 15 minutes lock the address out of sign-in
//!   for the rest of the window.
//! - **One network (/24, /64), many accounts**: the number of distinct accounts failing from the
//!   network in the window feeds the policy's credential-stuffing rule.
//! - **Per account, all addresses**: counted for the policy (step-up), never a lock, so nobody can
//!   lock a victim out.
//!
//! Keys hold hashes of the submitted identifier, never the identifier, and the same rules apply
//! whether the account exists or not, so throttling reveals nothing about which accounts exist.

use std::net::IpAddr;
use std::time::Duration;

use ciam_core::keyspace::{self, Counter, Key, Replay};
use ciam_core::secret::SecretHash;
use ciam_core::store::{EphemeralStore, StoreResult};
use ciam_core::tenant::TenantNs;

use crate::state::AppState;

/// The counting window.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures of one account from one address before delays start.
pub(crate) const FREE_PAIR_FAILURES: u64 = 5;
/// Failures from one address (any accounts) before the address is locked out.
pub(crate) const IP_FAILURES: u64 = 20;
/// The longest delay.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

/// The counters the risk policy reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Failures {
    /// Failures on the account, from anywhere.
    pub(crate) account: u32,
    /// Failures from the address, on any account.
    pub(crate) ip: u32,
    /// Distinct accounts failing from the address's network.
    pub(crate) network_accounts: u32,
}

/// Throttling of one sign-in attempt: the tenant, the submitted identifier (an email address,
/// normalized by the caller) and the client address.
pub(crate) struct Attempt<'a> {
    st: &'a AppState,
    tenant: &'a TenantNs,
    account: String,
    ip: Option<IpAddr>,
}

impl<'a> Attempt<'a> {
    pub(crate) fn new(st: &'a AppState, tenant: &'a TenantNs, identifier: &str, ip: Option<IpAddr>) -> Self {
        let account = SecretHash::of(&identifier.to_lowercase()).as_str().to_owned();
        Self { st, tenant, account, ip }
    }

    fn key(&self, what: &str, rest: &str) -> Key {
        keyspace::throttle(self.tenant, what, rest)
    }

    fn pair(&self) -> Key {
        let ip = self.ip.map(|i| i.to_string()).unwrap_or_default();
        self.key("pair", &format!("{}:{ip}", self.account))
    }

    fn ip_key(&self) -> Option<Key> {
        self.ip.map(|i| self.key("ip", &i.to_string()))
    }

    /// Whether the attempt must be refused before any credential is checked.
    pub(crate) async fn locked(&self) -> StoreResult<bool> {
        if self.st.ephemeral.get(keyspace::throttle_lock(&self.pair()).as_str()).await?.is_some() {
            return Ok(true);
        }
        match self.ip_key() {
            Some(k) => Ok(self.counters().count(&k).await? >= IP_FAILURES),
            None => Ok(false),
        }
    }

    fn counters(&self) -> Counter<'_> {
        Counter::new(self.st.ephemeral.as_ref())
    }

    /// The counters as they stand, for the policy.
    pub(crate) async fn failures(&self) -> StoreResult<Failures> {
        let c = self.counters();
        let account = c.count(&self.key("account", &self.account)).await?;
        let (ip, network) = match (self.ip_key(), self.ip) {
            (Some(k), Some(addr)) => (c.count(&k).await?, c.count(&self.key("net", &network_of(addr))).await?),
            _ => (0, 0),
        };
        let small = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Failures { account: small(account), ip: small(ip), network_accounts: small(network) })
    }

    /// Records a failure; afterwards the pair may be locked for a while.
    pub(crate) async fn failed(&self) -> StoreResult<()> {
        let c = self.counters();
        let pair = self.pair();
        let n = c.hit(&pair, WINDOW).await?;
        if let Some(delay) = delay_after(n) {
            self.st.ephemeral.put(keyspace::throttle_lock(&pair).as_str(), b"1", delay).await?;
        }
        c.hit(&self.key("account", &self.account), WINDOW).await?;
        if let (Some(k), Some(addr)) = (self.ip_key(), self.ip) {
            c.hit(&k, WINDOW).await?;
            let net = network_of(addr);
            let seen = self.key("seen", &format!("{net}:{}", self.account));
            if Replay::new(self.st.ephemeral.as_ref()).first_use(&seen, WINDOW).await? {
                c.hit(&self.key("net", &net), WINDOW).await?;
            }
        }
        Ok(())
    }

    /// A success forgets the pair's failures (the account's stay, for the policy).
    pub(crate) async fn succeeded(&self) -> StoreResult<()> {
        let pair = self.pair();
        self.st.ephemeral.delete(pair.as_str()).await?;
        self.st.ephemeral.delete(keyspace::throttle_lock(&pair).as_str()).await?;
        Ok(())
    }
}

/// Failed client authentications from one address for one client before the address is held
/// off that client for [`WINDOW`].
pub(crate) const CLIENT_FAILURES: u64 = 10;
/// Failed client authentications from one address, any clients, before the address is held off
/// the back-channel endpoints for [`WINDOW`].
pub(crate) const CLIENT_IP_FAILURES: u64 = 50;
/// Held-off keys one node remembers; beyond it, expired entries are dropped first and then new
/// ones are not remembered (the shared counters still refuse them at their next failure).
const MAX_HELD_OFF: usize = 10_000;

/// Failed client authentication at the back-channel endpoints (token, introspection, revocation,
/// PAR). Failures are counted in the ephemeral store, so every node sees the sum; the decision
/// to hold an address off is remembered by each node that sees a failure cross the threshold.
/// A successful request therefore costs one in-memory lookup and no store round trip, and an
/// attacker spread over N nodes gets at most N extra attempts. Locks are per address (per client
/// and address, and per address), so a failing attacker cannot lock a legitimate client out.
#[derive(Default)]
pub(crate) struct ClientAuthLimiter {
    held_off: std::sync::Mutex<std::collections::HashMap<Key, tokio::time::Instant>>,
}

impl ClientAuthLimiter {
    fn keys(tenant: &TenantNs, client_id: &str, ip: Option<IpAddr>) -> [Key; 2] {
        let ip = ip.map(|i| i.to_string()).unwrap_or_default();
        [keyspace::client_auth_failures(tenant, client_id, &ip), keyspace::client_auth_failures_from(tenant, &ip)]
    }

    /// How long this address is still held off this client, if it is.
    pub(crate) fn held_off(&self, tenant: &TenantNs, client_id: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = tokio::time::Instant::now();
        let map = self.held_off.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.is_empty() {
            return None;
        }
        Self::keys(tenant, client_id, ip)
            .iter()
            .filter_map(|k| map.get(k))
            .filter_map(|until| until.checked_duration_since(now))
            .max()
    }

    /// Records a failed authentication; an address over a threshold is held off from now on.
    pub(crate) async fn failed(
        &self,
        counters: &dyn EphemeralStore,
        tenant: &TenantNs,
        client_id: &str,
        ip: Option<IpAddr>,
    ) -> StoreResult<()> {
        let [pair, address] = Self::keys(tenant, client_id, ip);
        let counters = Counter::new(counters);
        let over_pair = counters.hit(&pair, WINDOW).await? >= CLIENT_FAILURES;
        let over_address = counters.hit(&address, WINDOW).await? >= CLIENT_IP_FAILURES;
        if over_pair || over_address {
            tracing::warn!(tenant = %tenant, ip = ?ip, "failed client authentications: address held off");
            let until = tokio::time::Instant::now() + WINDOW;
            let mut map = self.held_off.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if map.len() >= MAX_HELD_OFF {
                let now = tokio::time::Instant::now();
                map.retain(|_, t| *t > now);
            }
            for (key, over) in [(pair, over_pair), (address, over_address)] {
                if over && map.len() < MAX_HELD_OFF {
                    map.insert(key, until);
                }
            }
        }
        Ok(())
    }
}

/// The delay after the `n`th failure of a pair: none for the free ones, then doubling.
pub(crate) fn delay_after(n: u64) -> Option<Duration> {
    let over = n.checked_sub(FREE_PAIR_FAILURES).filter(|o| *o > 0)?;
    let secs = 1u64.checked_shl(u32::try_from(over).unwrap_or(u32::MAX)).unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_DELAY))
}

/// The network an address belongs to for stuffing detection: its /24 or /64.
pub(crate) fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
    }
}

/// The window of the self-service pages' per-network limits (sign-ups, reset requests).
pub(crate) const HOUR: Duration = Duration::from_secs(3600);

/// Counts one self-service request (`what`: `signup`, `recover`) from `ip`'s network and says
/// whether the network has gone past `limit` this hour. An unknown address is not counted.
pub(crate) async fn network_over_hourly_limit(
    st: &AppState,
    tenant: &TenantNs,
    what: &str,
    ip: Option<IpAddr>,
    limit: u64,
) -> StoreResult<bool> {
    let Some(ip) = ip else { return Ok(false) };
    let key = keyspace::self_service_rate(tenant, what, &network_of(ip));
    Ok(Counter::new(st.ephemeral.as_ref()).hit(&key, HOUR).await? > limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let cases =
            [(1, None), (5, None), (6, Some(2)), (7, Some(4)), (10, Some(32)), (15, Some(900)), (99, Some(900))];
        for (n, want) in cases {
            assert_eq!(delay_after(n), want.map(Duration::from_secs), "failure {n}");
        }
        assert_eq!(delay_after(u64::MAX), Some(MAX_DELAY));
    }

    #[tokio::test]
    async fn failed_client_authentication_holds_off_the_address_not_the_client() {
        let counters = ciam_store::open_ephemeral(None, "t:").unwrap();
        let limiter = ClientAuthLimiter::default();
        let ns = |id: &str| TenantNs::new(&ciam_core::id::TenantId::parse(id).unwrap(), "i1");
        let tenant = ns("acme");
        let (attacker, owner) = (Some("203.0.113.9".parse().unwrap()), Some("198.51.100.1".parse().unwrap()));
        for _ in 1..CLIENT_FAILURES {
            limiter.failed(counters.as_ref(), &tenant, "web", attacker).await.unwrap();
            assert_eq!(limiter.held_off(&tenant, "web", attacker), None);
        }
        limiter.failed(counters.as_ref(), &tenant, "web", attacker).await.unwrap();
        let wait = limiter.held_off(&tenant, "web", attacker).unwrap();
        assert!(wait > WINDOW - Duration::from_secs(5) && wait <= WINDOW, "{wait:?}");
        assert_eq!(limiter.held_off(&tenant, "web", owner), None, "the client from its own address");
        assert_eq!(limiter.held_off(&tenant, "other", attacker), None, "another client from the address");
        assert_eq!(limiter.held_off(&ns("other"), "web", attacker), None);

        // Many clients from one address: the address itself, for every client.
        for i in CLIENT_FAILURES..CLIENT_IP_FAILURES {
            assert_eq!(limiter.held_off(&tenant, "fresh", attacker), None, "after {i}");
            limiter.failed(counters.as_ref(), &tenant, &format!("client-{i}"), attacker).await.unwrap();
        }
        assert!(limiter.held_off(&tenant, "fresh", attacker).is_some());
        assert_eq!(limiter.held_off(&tenant, "fresh", owner), None);

        // Another node (its own memory, the same counters) learns at its first failure.
        let other_node = ClientAuthLimiter::default();
        assert_eq!(other_node.held_off(&tenant, "web", attacker), None);
        other_node.failed(counters.as_ref(), &tenant, "web", attacker).await.unwrap();
        assert!(other_node.held_off(&tenant, "web", attacker).is_some());
    }

    #[test]
    fn networks_are_slash_24_and_slash_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(network_of(ip("198.51.100.77")), "198.51.100.0/24");
        assert_eq!(network_of(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
    }
}
