//! The revocation list as token checks read it: the durable list (the record), mirrored in the
//! ephemeral store, so that checking a token (introspection, userinfo, an exchange's subject
//! token, every resource call) costs one ephemeral read instead of a database query.
//!
//! # Why it stays exact
//! - A revocation is written to the mirror first, then to the durable list, then to the mirror
//!   again. If the mirror cannot be written the revocation fails (`503`) before anything is
//!   recorded, so the two never disagree about a revocation that was answered with success.
//! - The mirror is trusted only while its marker ([`keyspace::revocations_held`]) says it holds
//!   every unexpired revocation of the tenant. The marker is set after the tenant's unexpired
//!   revocations were copied in from the durable list; a flushed or restarted store loses it
//!   with the records, and the next check copies them in again. The third write above covers a
//!   store emptied and refilled while a revocation was being recorded.
//! - When the mirror cannot be read (the ephemeral store is down) the durable list answers, as
//!   it does for a tenant with more unexpired revocations than the mirror copies in
//!   ([`COPIED_AT_MOST`]).
//! - A record lives until its token has expired, plus a margin for the verifiers' leeway. An
//!   ephemeral store that evicts keys before their TTL would lose revocations: Redis must run
//!   with `maxmemory-policy noeviction` (docs/deployment.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ciam_core::Clock;
use ciam_core::id::TenantId;
use ciam_core::keyspace;
use ciam_core::store::{DurableStore, EphemeralStore, RevocationStore, StoreResult};
use ciam_core::tenant::TenantNs;
use time::OffsetDateTime;
use tokio::time::Instant;

use crate::adapters::directory::Directory;

/// The most unexpired revocations of one tenant copied into the mirror; a tenant with more is
/// checked against the durable list until enough of them expire.
pub(crate) const COPIED_AT_MOST: u32 = 1_000;
/// How long a record outlives its token (the verifiers' leeway, and clocks that disagree).
const MARGIN: Duration = Duration::from_secs(300);
/// How long the marker lives; the copy is made again when it is gone.
const HELD_FOR: Duration = Duration::from_secs(86_400);
/// How long a node leaves a tenant with too many revocations to the durable list before it
/// counts them again.
const TOO_MANY_FOR: Duration = Duration::from_secs(60);

/// The mirrored revocation list; one per node, the engine's revocation port.
pub(crate) struct MirroredRevocations {
    durable: Arc<dyn DurableStore>,
    ephemeral: Arc<dyn EphemeralStore>,
    directory: Arc<Directory>,
    clock: Arc<dyn Clock>,
    /// Tenants found with more than [`COPIED_AT_MOST`] unexpired revocations, and since when.
    too_many: Mutex<HashMap<TenantId, Instant>>,
}

impl MirroredRevocations {
    pub(crate) fn new(
        durable: Arc<dyn DurableStore>,
        ephemeral: Arc<dyn EphemeralStore>,
        directory: Arc<Directory>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { durable, ephemeral, directory, clock, too_many: Mutex::default() }
    }

    /// The tenant's namespace; `None` for an unknown tenant (whose checks go to the durable list).
    async fn ns(&self, tenant: &TenantId) -> StoreResult<Option<TenantNs>> {
        Ok(self.directory.tenant(self.durable.as_ref(), tenant).await?.map(|t| t.ns()))
    }

    async fn mirror(&self, ns: &TenantNs, jti: &str, expires_at: OffsetDateTime) -> StoreResult<()> {
        let left = Duration::try_from(expires_at - self.clock.now()).unwrap_or(Duration::ZERO);
        self.ephemeral.put(keyspace::revoked_token(ns, jti).as_str(), b"1", left + MARGIN).await
    }

    /// Copies the tenant's unexpired revocations into the mirror and sets its marker, unless
    /// there are too many; returns the ids copied (`None` when nothing was).
    async fn copy_in(&self, tenant: &TenantId, ns: &TenantNs) -> StoreResult<Option<Vec<String>>> {
        let recently = self.lock().get(tenant).is_some_and(|since| since.elapsed() < TOO_MANY_FOR);
        if recently {
            return Ok(None);
        }
        let live = self.durable.unexpired_revocations(tenant, self.clock.now(), COPIED_AT_MOST + 1).await?;
        if live.len() > COPIED_AT_MOST as usize {
            let mut too_many = self.lock();
            too_many.retain(|_, since| since.elapsed() < TOO_MANY_FOR);
            too_many.insert(tenant.clone(), Instant::now());
            return Ok(None);
        }
        for (jti, expires_at) in &live {
            self.mirror(ns, jti, *expires_at).await?;
        }
        self.ephemeral.put(keyspace::revocations_held(ns).as_str(), b"1", HELD_FOR).await?;
        Ok(Some(live.into_iter().map(|(jti, _)| jti).collect()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, Instant>> {
        self.too_many.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl RevocationStore for MirroredRevocations {
    async fn revoke_token(&self, tenant: &TenantId, jti: &str, expires_at: OffsetDateTime) -> StoreResult<()> {
        let ns = self.ns(tenant).await?;
        if let Some(ns) = &ns {
            self.mirror(ns, jti, expires_at).await?;
        }
        self.durable.revoke_token(tenant, jti, expires_at).await?;
        if let Some(ns) = &ns {
            // Already there, unless the store was emptied and refilled meanwhile.
            let _ = self.mirror(ns, jti, expires_at).await;
        }
        Ok(())
    }

    async fn is_token_revoked(&self, tenant: &TenantId, jti: &str, grant: Option<&str>) -> StoreResult<bool> {
        let Some(ns) = self.ns(tenant).await? else {
            return self.durable.is_token_revoked(tenant, jti, grant).await;
        };
        let held = keyspace::revocations_held(&ns);
        let own = keyspace::revoked_token(&ns, jti);
        let of_grant = grant.map(|g| keyspace::revoked_token(&ns, g));
        let mut keys = vec![held.as_str(), own.as_str()];
        keys.extend(of_grant.as_ref().map(keyspace::Key::as_str));
        match self.ephemeral.get_many(&keys).await {
            Ok(found) if found.first().is_some_and(Option::is_some) => {
                return Ok(found.iter().skip(1).any(Option::is_some));
            }
            Ok(_) => match self.copy_in(tenant, &ns).await {
                // The whole unexpired list was just read: it answers.
                Ok(Some(copied)) => return Ok(copied.iter().any(|id| id == jti || Some(id.as_str()) == grant)),
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(tenant = %tenant, error = %e, "revocations not copied into the ephemeral store");
                }
            },
            Err(e) => {
                tracing::debug!(tenant = %tenant, error = %e, "revocation mirror unreadable: the durable list answers")
            }
        }
        self.durable.is_token_revoked(tenant, jti, grant).await
    }

    async fn unexpired_revocations(
        &self,
        tenant: &TenantId,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(String, OffsetDateTime)>> {
        self.durable.unexpired_revocations(tenant, now, limit).await
    }

    async fn purge_revocations(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.durable.purge_revocations(now).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ciam_store::MemoryStore;

    use super::*;

    struct Fixture {
        durable: Arc<dyn DurableStore>,
        ephemeral: Arc<dyn EphemeralStore>,
        mirrored: MirroredRevocations,
        tenant: TenantId,
        ns: TenantNs,
    }

    async fn fixture() -> Fixture {
        let durable = ciam_store::open_durable("sqlite::memory:", &ciam_store::PoolOptions::default()).await.unwrap();
        let record = ciam_store::contract::tenant("acme");
        let tenant = record.id.clone();
        durable.create_tenant(&record).await.unwrap();
        let ephemeral: Arc<dyn EphemeralStore> = Arc::new(MemoryStore::new());
        let mirrored = MirroredRevocations::new(
            durable.clone(),
            ephemeral.clone(),
            Arc::new(Directory::default()),
            Arc::new(ciam_core::SystemClock),
        );
        Fixture { durable, ephemeral, mirrored, tenant, ns: record.ns() }
    }

    fn in_an_hour() -> OffsetDateTime {
        ciam_core::SystemClock.now() + time::Duration::hours(1)
    }

    #[tokio::test]
    async fn a_revocation_is_recorded_in_both_and_checks_read_the_mirror_alone() {
        let f = fixture().await;
        f.mirrored.revoke_token(&f.tenant, "j1", in_an_hour()).await.unwrap();
        assert!(f.durable.is_token_revoked(&f.tenant, "j1", None).await.unwrap(), "recorded durably");
        assert!(f.mirrored.is_token_revoked(&f.tenant, "j1", None).await.unwrap());
        assert!(!f.mirrored.is_token_revoked(&f.tenant, "j2", None).await.unwrap());
        f.mirrored.revoke_token(&f.tenant, "grant:g1", in_an_hour()).await.unwrap();
        assert!(f.mirrored.is_token_revoked(&f.tenant, "j3", Some("grant:g1")).await.unwrap(), "by its grant");
        assert!(!f.mirrored.is_token_revoked(&f.tenant, "j3", Some("grant:g2")).await.unwrap());
        // Once the mirror holds the tenant's list, the durable list is not read: a record written
        // past the mirror (which nothing in the server does) is not seen.
        f.durable.revoke_token(&f.tenant, "past-the-mirror", in_an_hour()).await.unwrap();
        assert!(!f.mirrored.is_token_revoked(&f.tenant, "past-the-mirror", None).await.unwrap());
    }

    #[tokio::test]
    async fn an_emptied_mirror_is_filled_again_from_the_durable_list() {
        let f = fixture().await;
        // Recorded before the mirror existed, and with the ephemeral store then emptied.
        f.durable.revoke_token(&f.tenant, "old", in_an_hour()).await.unwrap();
        f.mirrored.revoke_token(&f.tenant, "newer", in_an_hour()).await.unwrap();
        assert!(f.mirrored.is_token_revoked(&f.tenant, "old", None).await.unwrap(), "copied in on first use");
        let ns = &f.ns;
        for key in
            [keyspace::revocations_held(ns), keyspace::revoked_token(ns, "old"), keyspace::revoked_token(ns, "newer")]
        {
            assert!(f.ephemeral.delete(key.as_str()).await.unwrap(), "emptied, as by a flush");
        }
        for jti in ["old", "newer"] {
            assert!(f.mirrored.is_token_revoked(&f.tenant, jti, None).await.unwrap(), "{jti} still revoked");
        }
        assert!(f.ephemeral.get(keyspace::revoked_token(ns, "old").as_str()).await.unwrap().is_some(), "copied again");
        assert!(!f.mirrored.is_token_revoked(&f.tenant, "never", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_tenant_with_more_revocations_than_copied_is_checked_against_the_durable_list() {
        let f = fixture().await;
        for i in 0..=COPIED_AT_MOST {
            f.durable.revoke_token(&f.tenant, &format!("j{i}"), in_an_hour()).await.unwrap();
        }
        assert!(f.mirrored.is_token_revoked(&f.tenant, "j7", None).await.unwrap());
        let ns = &f.ns;
        assert!(f.ephemeral.get(keyspace::revocations_held(ns).as_str()).await.unwrap().is_none(), "not marked");
        f.durable.revoke_token(&f.tenant, "later", in_an_hour()).await.unwrap();
        assert!(f.mirrored.is_token_revoked(&f.tenant, "later", None).await.unwrap(), "the durable list answers");
    }
}
