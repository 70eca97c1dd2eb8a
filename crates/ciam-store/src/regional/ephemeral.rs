//! The ephemeral store of a multi-region node: each key goes to the region of the tenant it
//! names ([`ciam_core::keyspace::tenant_of`]); the deployment's own keys (schedules that one node
//! claims per period) go to the first region served, the control region when it is served.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ciam_core::keyspace::tenant_of;
use ciam_core::store::{EphemeralStore, HealthCheck, Marker, StoreError, StoreResult};

use super::{Access, Served, Slot, in_region};

/// The ephemeral store of a node that serves several regions.
pub struct RegionalEphemeral {
    pub(super) served: Served<dyn EphemeralStore>,
}

impl RegionalEphemeral {
    pub(crate) fn new(served: Served<dyn EphemeralStore>) -> Self {
        Self { served }
    }

    /// The store that keeps `key`. Every key is read and written by the same calls, so a key
    /// of a tenant frozen for a move is still written (its sessions go on until the switch).
    async fn store(&self, key: &str) -> StoreResult<(&Arc<Slot<dyn EphemeralStore>>, Arc<dyn EphemeralStore>)> {
        match tenant_of(key) {
            Some(tenant) => self.served.pick(tenant, Access::Read).await,
            None => {
                let first = self.served.regions.first().ok_or(StoreError::NotFound)?;
                Ok((first, first.get()?))
            }
        }
    }
}

/// The impl, every method but the last routed by its key (the whole impl comes from the macro,
/// so `async_trait` sees the methods).
macro_rules! by_key {
    ($( fn $name:ident(&self, key: &str $(, $arg:ident: $ty:ty)*) -> $ret:ty; )* ; $($rest:tt)*) => {
        #[async_trait]
        impl EphemeralStore for RegionalEphemeral {
            $(
                async fn $name(&self, key: &str $(, $arg: $ty)*) -> StoreResult<$ret> {
                    let (slot, store) = self.store(key).await?;
                    store.$name(key $(, $arg)*).await.map_err(in_region(slot.region()))
                }
            )*
            $($rest)*
        }
    };
}

by_key! {
    fn put(&self, key: &str, value: &[u8], ttl: Duration) -> ();
    fn put_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> bool;
    fn put_if_absent_marked(&self, key: &str, value: &[u8], ttl: Duration, marker: Marker<'_>) -> (bool, i64);
    fn put_if_present(&self, key: &str, value: &[u8], ttl: Duration) -> bool;
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    fn take(&self, key: &str) -> Option<Vec<u8>>;
    fn delete(&self, key: &str) -> bool;
    fn incr(&self, key: &str, window: Duration) -> u64;
    fn count(&self, key: &str) -> u64;
    fn set_add(&self, key: &str, member: &str, ttl: Duration) -> ();
    fn set_remove(&self, key: &str, member: &str) -> bool;
    fn set_members(&self, key: &str) -> Vec<String>;
    ;
    async fn get_many(&self, keys: &[&str]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        let Some(first) = keys.first() else { return Ok(Vec::new()) };
        let (slot, store) = self.store(first).await?;
        store.get_many(keys).await.map_err(in_region(slot.region()))
    }

    /// A namespace is a tenant's: removed from its region's store, or from every region's when
    /// the tenant is placed nowhere any more (it was just deleted).
    async fn delete_namespace(&self, ns: &str) -> StoreResult<u64> {
        let tenant = ns.split_once('@').map_or(ns, |(id, _)| id);
        if self.served.placements.cached(tenant).is_some() {
            let (slot, store) = self.served.pick(tenant, Access::Read).await?;
            return store.delete_namespace(ns).await.map_err(in_region(slot.region()));
        }
        let mut total = 0;
        for (region, store) in self.served.each() {
            total += store?.delete_namespace(ns).await.map_err(in_region(region))?;
        }
        Ok(total)
    }
}

#[async_trait]
impl HealthCheck for RegionalEphemeral {
    /// Ready while at least one region served answers.
    async fn ping(&self) -> StoreResult<()> {
        self.served.ping_any().await
    }
}
