//! Routing over two embedded regions: each tenant's rows and keys land in its home region only,
//! a frozen tenant is read but not written, and a region that is down or not served is named.
//! (The whole store contract also runs through a two-region router: see `crate::tests`.)

#![allow(clippy::indexing_slicing, clippy::panic)]

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

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub(crate) struct Files(std::path::PathBuf);
impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn region(name: &str) -> TestResult<Region> {
    Ok(Region::parse(name)?)
}

/// Regions `names` on SQLite files, the first the control region; a region whose store is
/// `false` in `reached` is configured but down.
pub(crate) async fn regions(names: &[&str], reached: &[bool]) -> TestResult<(Regions, Files)> {
    let dir = std::env::temp_dir().join(format!("ciam-regions-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut slots = Vec::new();
    let mut directory: Option<Arc<dyn RegionDirectory>> = None;
    for (name, up) in names.iter().zip(reached) {
        let url = format!("sqlite://{}/{name}.db", dir.display());
        let store: Arc<dyn RegionDurable> = Arc::new(SqliteStore::connect(&url, &PoolOptions::default()).await?);
        if directory.is_none() {
            directory = Some(store.clone());
        }
        let ephemeral: Arc<dyn EphemeralStore> = Arc::new(MemoryStore::new());
        slots.push((Slot::new(region(name)?, up.then_some(store)), ephemeral));
    }
    let directory = directory.ok_or("no region")?;
    let regions = Regions::new(region(names[0])?, slots, directory, names.len() == 1).await?;
    Ok((regions, Files(dir)))
}

fn in_region(name: &str, id: &str) -> TestResult<ciam_core::tenant::Tenant> {
    Ok(ciam_core::tenant::Tenant { home_region: region(name)?, ..tenant(id) })
}

/// The region error a store error carries, if it carries one.
fn region_error(e: StoreError) -> Option<RegionError> {
    match e {
        StoreError::Unavailable(source) => source.downcast::<RegionError>().ok().map(|e| *e),
        _ => None,
    }
}

#[tokio::test]
async fn each_tenant_lives_in_its_home_region_only() -> TestResult {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await?;
    r.durable.create_tenant(&in_region("eu", "acme")?).await?;
    r.durable.create_tenant(&in_region("us", "globex")?).await?;
    let (ada, bob) = (user("acme", "ada@example.com"), user("globex", "bob@example.com"));
    r.durable.create_user(&ada, None).await?;
    r.durable.create_user(&bob, None).await?;

    let (eu, us) = (r.durable_of(&region("eu")?)?, r.durable_of(&region("us")?)?);
    let acme = TenantId::parse("acme")?;
    let globex = TenantId::parse("globex")?;
    assert!(eu.get_user(&acme, &ada.id).await?.is_some());
    assert!(us.get_user(&acme, &ada.id).await?.is_none() && us.get_tenant(&acme).await?.is_none());
    assert!(us.get_user(&globex, &bob.id).await?.is_some());
    assert!(eu.get_tenant(&globex).await?.is_none());
    assert_eq!(r.durable.get_user(&globex, &bob.id).await?.ok_or("missing")?.email, bob.email);

    // The directory holds both; a tenant id is taken in every region.
    assert_eq!(eu.placements().await?.iter().map(|p| p.region.as_str()).collect::<Vec<_>>(), ["eu", "us"]);
    let again = r.durable.create_tenant(&in_region("us", "acme")?).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict { what: "id" }), "{again:?}");

    // Listing merges the regions in id order, page by page.
    r.durable.create_tenant(&in_region("us", "beta")?).await?;
    let mut seen = Vec::new();
    let mut page = PageRequest { limit: 2, after: None };
    loop {
        let got = r.durable.list_tenants(&page).await?;
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
    let events = r.durable.append_audit(&batch).await?;
    assert_eq!(
        events.iter().map(|e| e.record.event_type.as_str()).collect::<Vec<_>>(),
        ["user.created", "user.created", "user.updated"]
    );
    assert_eq!(eu.audit_head(&acme).await?.ok_or("missing")?.0, 2);
    assert_eq!(us.audit_head(&globex).await?.ok_or("missing")?.0, 1);
    assert!(eu.audit_head(&globex).await?.is_none());

    // Deleting a tenant removes its placement too.
    assert!(r.durable.delete_tenant(&globex).await?);
    assert!(eu.placement(&globex).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn an_unknown_tenant_costs_one_directory_read_until_the_directory_changes() -> TestResult {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await?;
    assert!(r.placements.route("nobody").await?.is_none());
    // Placed behind this node's back (as another node would): still unknown here...
    let directory = r.placements.directory().clone();
    directory.place_tenant(&TenantId::parse("nobody")?, &region("us")?, T0).await?;
    assert!(r.placements.route("nobody").await?.is_none(), "remembered as unknown");
    // ...until the node sees the directory's version move.
    assert!(r.placements.refresh().await?);
    assert_eq!(r.placements.route("nobody").await?.map(|route| route.region.clone()), Some(region("us")?));
    Ok(())
}

#[tokio::test]
async fn short_lived_keys_follow_their_tenant() -> TestResult {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await?;
    r.durable.create_tenant(&in_region("eu", "acme")?).await?;
    r.durable.create_tenant(&in_region("us", "globex")?).await?;
    let acme = TenantNs::new(&TenantId::parse("acme")?, "i1");
    let globex = TenantNs::new(&TenantId::parse("globex")?, "i2");
    let ttl = Duration::from_secs(60);
    let (a, g, both) = (keyspace::session(&acme, "c1"), keyspace::session(&globex, "c2"), keyspace::retention_sweep(1));
    for key in [&a, &g, &both] {
        r.ephemeral.put(key.as_str(), b"v", ttl).await?;
    }
    let (eu, us) = (r.ephemeral_of(&region("eu")?)?, r.ephemeral_of(&region("us")?)?);
    assert!(eu.get(a.as_str()).await?.is_some() && us.get(a.as_str()).await?.is_none());
    assert!(us.get(g.as_str()).await?.is_some() && eu.get(g.as_str()).await?.is_none());
    // The deployment's own keys live in the control region.
    assert!(eu.get(both.as_str()).await?.is_some());
    assert_eq!(r.ephemeral.get(g.as_str()).await?.as_deref(), Some(&b"v"[..]));
    let other = keyspace::session(&globex, "c3");
    assert_eq!(r.ephemeral.get_many(&[g.as_str(), other.as_str()]).await?, [Some(b"v".to_vec()), None], "from us");
    // A namespace purge reaches the tenant's region (the in-process store purges its sets).
    let sessions = keyspace::user_sessions(&globex, "bob");
    r.ephemeral.set_add(sessions.as_str(), "s1", ttl).await?;
    assert_eq!(us.set_members(sessions.as_str()).await?, ["s1"]);
    assert_eq!(r.ephemeral.delete_namespace(globex.as_str()).await?, 1);
    assert!(us.set_members(sessions.as_str()).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_moving_tenant_is_read_but_not_written_until_the_switch() -> TestResult {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await?;
    r.durable.create_tenant(&in_region("eu", "acme")?).await?;
    let acme = TenantId::parse("acme")?;
    let directory = r.placements.directory().clone();
    let mut placement = directory.placement(&acme).await?.ok_or("missing")?;
    placement.moving = Some(Move { to: region("us")?, step: MoveStep::Frozen, started_at: T0 });
    directory.update_placement(&placement).await?;
    assert!(r.placements.refresh().await?, "the version changed");
    assert!(!r.placements.refresh().await?, "and did not change again");

    assert!(r.durable.get_tenant(&acme).await?.is_some(), "reads go on from the old region");
    let refused = r.durable.create_user(&user("acme", "ada@example.com"), None).await.unwrap_err();
    assert!(matches!(region_error(refused), Some(RegionError::Moving { ref to, .. }) if to.as_str() == "us"));

    // Once switched, the new region serves the tenant (which it does not hold in this test).
    placement.moving = Some(Move { to: region("us")?, step: MoveStep::Switched, started_at: T0 });
    directory.update_placement(&placement).await?;
    r.placements.refresh().await?;
    assert!(r.durable.get_tenant(&acme).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_region_down_or_not_served_fails_its_tenants_only_and_is_named() -> TestResult {
    let (r, _files) = regions(&["eu", "us"], &[true, true]).await?;
    r.durable.create_tenant(&in_region("eu", "acme")?).await?;
    r.durable.create_tenant(&in_region("us", "globex")?).await?;
    let globex = TenantId::parse("globex")?;
    let acme = TenantId::parse("acme")?;

    // The same files, with `us` unreachable: its tenant fails, naming the region.
    let dir = _files.0.clone();
    let control: Arc<dyn RegionDurable> =
        Arc::new(SqliteStore::connect(&format!("sqlite://{}/eu.db", dir.display()), &PoolOptions::default()).await?);
    let memory = || -> Arc<dyn EphemeralStore> { Arc::new(MemoryStore::new()) };
    let down = Regions::new(
        region("eu")?,
        vec![(Slot::new(region("eu")?, Some(control.clone())), memory()), (Slot::new(region("us")?, None), memory())],
        control.clone(),
        false,
    )
    .await?;
    let e = down.durable.get_tenant(&globex).await.unwrap_err();
    assert!(matches!(region_error(e), Some(RegionError::Down { ref region, .. }) if region.as_str() == "us"));
    assert!(down.durable.get_tenant(&acme).await?.is_some(), "the other region serves on");
    assert!(down.durable.ping().await.is_ok(), "ready while one region answers");
    // Work that spans tenants skips the region that is down.
    assert_eq!(down.durable.purge_revocations(T0).await?, 0);
    assert!(down.durable.claim_mail("c", T0, T0, 10).await?.is_empty());

    // A node that serves only `eu`.
    let eu_only =
        Regions::new(region("eu")?, vec![(Slot::new(region("eu")?, Some(control.clone())), memory())], control, false)
            .await?;
    let e = eu_only.durable.get_tenant(&globex).await.unwrap_err();
    assert!(matches!(region_error(e), Some(RegionError::NotServed { ref region }) if region.as_str() == "us"));
    assert!(eu_only.durable_of(&region("us")?).is_err());
    Ok(())
}
