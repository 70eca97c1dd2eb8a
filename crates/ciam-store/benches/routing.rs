//! What routing by region costs a request: a short-lived store read straight from one region's
//! store against the same read through the regional router (tenant read from the key, looked up
//! in the node's placement map of 10 000 tenants, the region's store picked), and the placement
//! lookup alone. Run with `cargo bench -p ciam-store --bench routing`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ciam_core::id::{Region, TenantId};
use ciam_core::keyspace;
use ciam_core::region::Placement;
use ciam_core::store::{EphemeralStore, RegionDirectory, StoreResult};
use ciam_core::tenant::TenantNs;
use ciam_store::MemoryStore;
use ciam_store::regional::{Regions, Slot};
use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;

/// A placement directory in memory (the bench measures the node's map, not the database).
#[derive(Default)]
struct Directory(Mutex<BTreeMap<String, Placement>>);

#[async_trait]
impl RegionDirectory for Directory {
    async fn place_tenant(&self, tenant: &TenantId, region: &Region, now: OffsetDateTime) -> StoreResult<()> {
        let p = Placement { tenant: tenant.clone(), region: region.clone(), moving: None, updated_at: now };
        self.0.lock().unwrap().insert(tenant.to_string(), p);
        Ok(())
    }
    async fn placement(&self, tenant: &TenantId) -> StoreResult<Option<Placement>> {
        Ok(self.0.lock().unwrap().get(tenant.as_str()).cloned())
    }
    async fn placements(&self) -> StoreResult<Vec<Placement>> {
        Ok(self.0.lock().unwrap().values().cloned().collect())
    }
    async fn placements_version(&self) -> StoreResult<i64> {
        Ok(1)
    }
    async fn update_placement(&self, p: &Placement) -> StoreResult<()> {
        self.0.lock().unwrap().insert(p.tenant.to_string(), p.clone());
        Ok(())
    }
    async fn remove_placement(&self, tenant: &TenantId) -> StoreResult<bool> {
        Ok(self.0.lock().unwrap().remove(tenant.as_str()).is_some())
    }
}

fn routing(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (eu, us) = (Region::parse("eu").unwrap(), Region::parse("us").unwrap());
    let directory = Arc::new(Directory::default());
    for i in 0..10_000 {
        let region = if i % 2 == 0 { &eu } else { &us };
        let tenant = TenantId::parse(&format!("tenant-{i}")).unwrap();
        rt.block_on(directory.place_tenant(&tenant, region, OffsetDateTime::UNIX_EPOCH)).unwrap();
    }
    let (eu_memory, us_memory) = (Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()));
    let regions = rt
        .block_on(Regions::new(
            eu.clone(),
            vec![
                (Slot::new(eu.clone(), None), eu_memory as Arc<dyn EphemeralStore>),
                (Slot::new(us.clone(), None), us_memory.clone() as Arc<dyn EphemeralStore>),
            ],
            directory,
            false,
        ))
        .unwrap();
    let tenant = TenantId::parse("tenant-5001").unwrap();
    let key = keyspace::session(&TenantNs::new(&tenant, "i1"), "cookie");
    rt.block_on(us_memory.put(key.as_str(), b"session", Duration::from_secs(600))).unwrap();
    assert!(rt.block_on(regions.ephemeral.get(key.as_str())).unwrap().is_some(), "routed to us");

    let mut group = c.benchmark_group("routing");
    group.bench_function("session read, one region's store", |b| {
        b.iter(|| rt.block_on(us_memory.get(black_box(key.as_str()))).unwrap())
    });
    group.bench_function("session read, routed by region", |b| {
        b.iter(|| rt.block_on(regions.ephemeral.get(black_box(key.as_str()))).unwrap())
    });
    group.bench_function("placement lookup of 10 000 tenants", |b| {
        b.iter(|| regions.placements.cached(black_box("tenant-5001")).unwrap())
    });
    group.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
