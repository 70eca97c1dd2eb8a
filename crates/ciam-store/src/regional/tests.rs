//! Routing over two embedded regions: each tenant's rows and keys land in its home region only,
//! a frozen tenant is read but not written, and a region that is down or not served is named.
//! (The whole store contract also runs through a two-region router: see `crate::tests`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use ciam_core::audit::AuditRecord;
use ciam_core::id::{Region, TenantId};
use ciam_core::keyspace;
use ciam_core::page::PageRequest;
use ciam_core::region::{Move, MoveStep, RegionError};
use ciam_core::store::*;
use ciam_core::tenant::TenantNs;

use super::{RegionDurable, Regions, Slot};
use crate::contract::{T0, tenant, user};
use crate::{MemoryStore, PoolOptions, SqliteStore};

pub(crate) struct Files(std::path::PathBuf);
impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn region(name: &str) -> Region {
    Region::parse(name).unwrap()
}

/// Regions `names` on SQLite files, the first the control region; a region whose store is
/// `false` in `reached` is configured but down.
pub(crate) async fn regions(names: &[&str], reached: &[bool]) -> (Regions, Files) {
    let dir = std::env::temp_dir().join(format!("ciam-regions-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut slots = Vec::new();
    let mut directory: Option<Arc<dyn RegionDirectory>> = None;
    for (name, up) in names.iter().zip(reached) {
        let url = format!("sqlite://{}/{name}.db", dir.display());
        let store: Arc<dyn RegionDurable> =
            Arc::new(SqliteStore::connect(&url, &PoolOptions::default()).await.unwrap());
        if directory.is_none() {
            directory = Some(store.clone());
        }
        let ephemeral: Arc<dyn EphemeralStore> = Arc::new(MemoryStore::new());
        slots.push((Slot::new(region(name), up.then_some(store)), ephemeral));
    }
    let regions = Regions::new(region(names[0]), slots, directory.unwrap(), names.len() == 1).await.unwrap();
    (regions, Files(dir))
}

fn in_region(name: &str, id: &str) -> ciam_core::tenant::Tenant {
    ciam_core::tenant::Tenant { home_region: region(name), ..tenant(id) }
}

fn region_error(e: StoreError) -> RegionError {
    match e {
        StoreError::Unavailable(source) => *source.downcast::<RegionError>().expect("a region error"),
        other => panic!("expected a region error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_tenant_lives_in_its_home_region_only() {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await;
    r.durable.create_tenant(&in_region("eu", "acme")).await.unwrap();
    r.durable.create_tenant(&in_region("us", "globex")).await.unwrap();
    let (ada, bob) = (user("acme", "ada@example.com"), user("globex", "bob@example.com"));
    r.durable.create_user(&ada, None).await.unwrap();
    r.durable.create_user(&bob, None).await.unwrap();

    let (eu, us) = (r.durable_of(&region("eu")).unwrap(), r.durable_of(&region("us")).unwrap());
    let acme = TenantId::parse("acme").unwrap();
    let globex = TenantId::parse("globex").unwrap();
    assert!(eu.get_user(&acme, &ada.id).await.unwrap().is_some());
    assert!(us.get_user(&acme, &ada.id).await.unwrap().is_none() && us.get_tenant(&acme).await.unwrap().is_none());
    assert!(us.get_user(&globex, &bob.id).await.unwrap().is_some());
    assert!(eu.get_tenant(&globex).await.unwrap().is_none());
    assert_eq!(r.durable.get_user(&globex, &bob.id).await.unwrap().unwrap().email, bob.email);

    // The directory holds both; a tenant id is taken in every region.
    assert_eq!(eu.placements().await.unwrap().iter().map(|p| p.region.as_str()).collect::<Vec<_>>(), ["eu", "us"]);
    let again = r.durable.create_tenant(&in_region("us", "acme")).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict { what: "id" }), "{again:?}");

    // Listing merges the regions in id order, page by page.
    r.durable.create_tenant(&in_region("us", "beta")).await.unwrap();
    let mut seen = Vec::new();
    let mut page = PageRequest { limit: 2, after: None };
    loop {
        let got = r.durable.list_tenants(&page).await.unwrap();
        seen.extend(got.items.iter().map(|t| t.id.to_string()));
        match got.next_after {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    assert_eq!(seen, ["acme", "beta", "globex"]);

    // Audit batches are split by region; each trail stays in its region.
    let batch = [
        (acme.clone(), T0, AuditRecord::allow("user.created")),
        (globex.clone(), T0, AuditRecord::allow("user.created")),
        (acme.clone(), T0, AuditRecord::allow("user.updated")),
    ];
    let events = r.durable.append_audit(&batch).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.record.event_type.as_str()).collect::<Vec<_>>(),
        ["user.created", "user.created", "user.updated"]
    );
    assert_eq!(eu.audit_head(&acme).await.unwrap().unwrap().0, 2);
    assert_eq!(us.audit_head(&globex).await.unwrap().unwrap().0, 1);
    assert!(eu.audit_head(&globex).await.unwrap().is_none());

    // Deleting a tenant removes its placement too.
    assert!(r.durable.delete_tenant(&globex).await.unwrap());
    assert!(eu.placement(&globex).await.unwrap().is_none());
}

#[tokio::test]
async fn an_unknown_tenant_costs_one_directory_read_until_the_directory_changes() {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await;
    assert!(r.placements.route("nobody").await.unwrap().is_none());
    // Placed behind this node's back (as another node would): still unknown here...
    let directory = r.placements.directory().clone();
    directory.place_tenant(&TenantId::parse("nobody").unwrap(), &region("us"), T0).await.unwrap();
    assert!(r.placements.route("nobody").await.unwrap().is_none(), "remembered as unknown");
    // ...until the node sees the directory's version move.
    assert!(r.placements.refresh().await.unwrap());
    assert_eq!(r.placements.route("nobody").await.unwrap().map(|route| route.region), Some(region("us")));
}

#[tokio::test]
async fn short_lived_keys_follow_their_tenant() {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await;
    r.durable.create_tenant(&in_region("eu", "acme")).await.unwrap();
    r.durable.create_tenant(&in_region("us", "globex")).await.unwrap();
    let acme = TenantNs::new(&TenantId::parse("acme").unwrap(), "i1");
    let globex = TenantNs::new(&TenantId::parse("globex").unwrap(), "i2");
    let ttl = Duration::from_secs(60);
    let (a, g, both) = (keyspace::session(&acme, "c1"), keyspace::session(&globex, "c2"), keyspace::retention_sweep(1));
    for key in [&a, &g, &both] {
        r.ephemeral.put(key.as_str(), b"v", ttl).await.unwrap();
    }
    let (eu, us) = (r.ephemeral_of(&region("eu")).unwrap(), r.ephemeral_of(&region("us")).unwrap());
    assert!(eu.get(a.as_str()).await.unwrap().is_some() && us.get(a.as_str()).await.unwrap().is_none());
    assert!(us.get(g.as_str()).await.unwrap().is_some() && eu.get(g.as_str()).await.unwrap().is_none());
    // The deployment's own keys live in the control region.
    assert!(eu.get(both.as_str()).await.unwrap().is_some());
    assert_eq!(r.ephemeral.get(g.as_str()).await.unwrap().as_deref(), Some(&b"v"[..]));
    // A namespace purge reaches the tenant's region (the in-process store purges its sets).
    let sessions = keyspace::user_sessions(&globex, "bob");
    r.ephemeral.set_add(sessions.as_str(), "s1", ttl).await.unwrap();
    assert_eq!(us.set_members(sessions.as_str()).await.unwrap(), ["s1"]);
    assert_eq!(r.ephemeral.delete_namespace(globex.as_str()).await.unwrap(), 1);
    assert!(us.set_members(sessions.as_str()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_moving_tenant_is_read_but_not_written_until_the_switch() {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await;
    r.durable.create_tenant(&in_region("eu", "acme")).await.unwrap();
    let acme = TenantId::parse("acme").unwrap();
    let directory = r.placements.directory().clone();
    let mut placement = directory.placement(&acme).await.unwrap().unwrap();
    placement.moving = Some(Move { to: region("us"), step: MoveStep::Frozen, started_at: T0 });
    directory.update_placement(&placement).await.unwrap();
    assert!(r.placements.refresh().await.unwrap(), "the version changed");
    assert!(!r.placements.refresh().await.unwrap(), "and did not change again");

    assert!(r.durable.get_tenant(&acme).await.unwrap().is_some(), "reads go on from the old region");
    let refused = r.durable.create_user(&user("acme", "ada@example.com"), None).await.unwrap_err();
    assert!(matches!(region_error(refused), RegionError::Moving { ref to, .. } if to.as_str() == "us"));

    // Once switched, the new region serves the tenant (which it does not hold in this test).
    placement.moving = Some(Move { to: region("us"), step: MoveStep::Switched, started_at: T0 });
    directory.update_placement(&placement).await.unwrap();
    r.placements.refresh().await.unwrap();
    assert!(r.durable.get_tenant(&acme).await.unwrap().is_none());
}

#[tokio::test]
async fn a_region_down_or_not_served_fails_its_tenants_only_and_is_named() {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await;
    r.durable.create_tenant(&in_region("eu", "acme")).await.unwrap();
    r.durable.create_tenant(&in_region("us", "globex")).await.unwrap();
    let globex = TenantId::parse("globex").unwrap();
    let acme = TenantId::parse("acme").unwrap();

    // The same files, with `us` unreachable: its tenant fails, naming the region.
    let dir = _files.0.clone();
    let control: Arc<dyn RegionDurable> = Arc::new(
        SqliteStore::connect(&format!("sqlite://{}/eu.db", dir.display()), &PoolOptions::default()).await.unwrap(),
    );
    let memory = || -> Arc<dyn EphemeralStore> { Arc::new(MemoryStore::new()) };
    let down = Regions::new(
        region("eu"),
        vec![(Slot::new(region("eu"), Some(control.clone())), memory()), (Slot::new(region("us"), None), memory())],
        control.clone(),
        false,
    )
    .await
    .unwrap();
    let e = down.durable.get_tenant(&globex).await.unwrap_err();
    assert!(matches!(region_error(e), RegionError::Down { ref region, .. } if region.as_str() == "us"));
    assert!(down.durable.get_tenant(&acme).await.unwrap().is_some(), "the other region serves on");
    assert!(down.durable.ping().await.is_ok(), "ready while one region answers");
    // Work that spans tenants skips the region that is down.
    assert_eq!(down.durable.purge_revocations(T0).await.unwrap(), 0);
    assert!(down.durable.claim_mail("c", T0, T0, 10).await.unwrap().is_empty());

    // A node that serves only `eu`.
    let eu_only =
        Regions::new(region("eu"), vec![(Slot::new(region("eu"), Some(control.clone())), memory())], control, false)
            .await
            .unwrap();
    let e = eu_only.durable.get_tenant(&globex).await.unwrap_err();
    assert!(matches!(region_error(e), RegionError::NotServed { ref region } if region.as_str() == "us"));
    assert!(eu_only.durable_of(&region("us")).is_err());
}
