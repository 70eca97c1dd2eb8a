//! Opening the stores of every region a node serves.

use std::sync::Arc;
use std::time::Duration;

use ciam_core::id::Region;
use ciam_core::store::{EphemeralStore, RegionDirectory, StoreError};

use super::{RegionDurable, Regions, Slot};
use crate::{PgStore, PoolOptions, SqliteStore};

/// How a node reaches one region.
#[derive(Debug, Clone)]
pub struct RegionSpec {
    /// The region.
    pub region: Region,
    /// Its durable store (`sqlite:` or `postgres:`).
    pub database_url: String,
    /// Its Redis, or `None` for an in-process ephemeral store.
    pub redis_url: Option<String>,
    /// The prefix of this deployment's Redis keys.
    pub redis_key_prefix: String,
    /// Whether this node serves the region (else it only reads the placement directory from
    /// it, when it is the control region).
    pub serve: bool,
}

/// How often a region that could not be reached at start is tried again.
const RECONNECT_EVERY: Duration = Duration::from_secs(5);

/// Opens one region's durable store (`sqlite:` or `postgres:`), applying migrations.
pub(crate) async fn open_region(url: &str, pool: &PoolOptions) -> Result<Arc<dyn RegionDurable>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url, pool).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url, pool).await?))
    } else {
        Err(StoreError::Corrupt("the database URL must start with sqlite: or postgres:".into()))
    }
}

/// Opens the regions of `specs` (applying migrations). The control region must answer; another
/// region that does not is tried again every few seconds in the background, and its tenants
/// get [`ciam_core::region::RegionError::Down`] meanwhile, while the others are served.
pub async fn open(control: &Region, specs: &[RegionSpec], pool: &PoolOptions) -> Result<Regions, StoreError> {
    let control_spec = specs
        .iter()
        .find(|s| &s.region == control)
        .ok_or_else(|| StoreError::Corrupt(format!("the control region {control} is not configured")))?;
    let directory_store = open_region(&control_spec.database_url, pool).await?;
    let mut regions = Vec::new();
    for spec in specs.iter().filter(|s| s.serve) {
        let ephemeral: Arc<dyn EphemeralStore> =
            crate::open_ephemeral(spec.redis_url.as_deref(), &spec.redis_key_prefix)?;
        let store = if &spec.region == control {
            Some(directory_store.clone())
        } else {
            match open_region(&spec.database_url, pool).await {
                Ok(store) => Some(store),
                Err(e) => {
                    tracing::error!(region = %spec.region, error = %e, "region unreachable; its tenants get 503 until it answers");
                    None
                }
            }
        };
        let slot = Slot::new(spec.region.clone(), store);
        if slot.get().is_err() {
            tokio::spawn(reconnect(slot.clone(), spec.database_url.clone(), pool.clone()));
        }
        regions.push((slot, ephemeral));
    }
    let directory: Arc<dyn RegionDirectory> = directory_store;
    Regions::new(control.clone(), regions, directory, specs.len() == 1).await
}

/// Tries to open a region's store until it answers, then serves its tenants.
async fn reconnect(slot: Arc<Slot<dyn RegionDurable>>, url: String, pool: PoolOptions) {
    loop {
        tokio::time::sleep(RECONNECT_EVERY).await;
        if let Ok(store) = open_region(&url, &pool).await {
            tracing::info!(region = %slot.region(), "region reached");
            slot.attach(store);
            return;
        }
    }
}
