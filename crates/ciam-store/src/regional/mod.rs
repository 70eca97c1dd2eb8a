//! Data residency: one deployment, several regions, each with its own durable and ephemeral
//! store, and every call for a tenant served by its home region's stores.
//!
//! [`RegionalStore`] and [`RegionalEphemeral`] implement the store ports over the stores of
//! the regions this node serves. They route each call by the tenant it names, through the
//! [`Placements`] this node keeps in memory: a map from tenant id to home region, loaded from
//! the placement directory (the control region's [`RegionDirectory`]) and reloaded when its
//! version changes. Routing is a map lookup; a tenant the map does not know yet costs one
//! directory read, once.
//!
//! Calls that name no tenant (the mail worker's claims, the purges of expired rows) go to every
//! region served; a region that fails is skipped and named in the log, so one region down
//! leaves the others working.

mod durable;
mod ephemeral;
mod open;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use ciam_core::id::{Region, TenantId};
use ciam_core::region::{MoveStep, Placement, RegionError};
use ciam_core::store::{
    DurableStore, EphemeralStore, HealthCheck, RegionDirectory, StoreError, StoreResult, TenantTransfer,
};

pub use durable::RegionalStore;
pub use ephemeral::RegionalEphemeral;
pub(crate) use open::open_region;
pub use open::{RegionSpec, open};

/// Where a tenant's calls go: its home region, and whether it takes writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The home region.
    pub region: Region,
    /// The region the tenant is moving to: writes are refused until the move is over.
    pub moving_to: Option<Region>,
}

impl From<&Placement> for Route {
    /// Before the switch, a moving tenant is read from its old region and takes no writes;
    /// from the switch on, the new region serves it (the placement names the old region until
    /// the purge, so a resumed move knows what to purge).
    fn from(p: &Placement) -> Self {
        match &p.moving {
            Some(m) if m.step >= MoveStep::Switched => Self { region: m.to.clone(), moving_to: None },
            Some(m) => Self { region: p.region.clone(), moving_to: Some(m.to.clone()) },
            None => Self { region: p.region.clone(), moving_to: None },
        }
    }
}

/// What a call does with the tenant's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reads only: served during a move.
    Read,
    /// Writes: refused while the tenant is frozen for a move.
    Write,
}

/// This node's copy of the placement directory.
pub struct Placements {
    directory: Arc<dyn RegionDirectory>,
    routes: RwLock<HashMap<String, Arc<Route>>>,
    version: AtomicI64,
    /// Tenant ids the directory did not know at their last read (a request for a tenant that
    /// does not exist costs one directory read, not one per request); forgotten at every reload.
    unknown: RwLock<std::collections::HashSet<String>>,
    /// Tenants whose move this node is running.
    moving: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The most unknown tenant ids remembered: past it the set starts again, so ids made up by
/// the thousand cannot grow it.
const MAX_UNKNOWN: usize = 10_000;

/// This node runs `tenant`'s move while it holds this.
pub struct MoveRun {
    placements: Arc<Placements>,
    tenant: String,
}

impl Drop for MoveRun {
    fn drop(&mut self) {
        self.placements.moving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.tenant);
    }
}

impl Placements {
    /// Loads every placement from `directory`.
    pub async fn load(directory: Arc<dyn RegionDirectory>) -> StoreResult<Arc<Self>> {
        let placements = Arc::new(Self {
            directory,
            routes: RwLock::default(),
            version: AtomicI64::new(i64::MIN),
            unknown: RwLock::default(),
            moving: std::sync::Mutex::default(),
        });
        placements.refresh().await?;
        Ok(placements)
    }

    /// The directory itself (the control region's).
    pub fn directory(&self) -> &Arc<dyn RegionDirectory> {
        &self.directory
    }

    /// Reloads the map if the directory changed since the last load; `true` if it did.
    pub async fn refresh(&self) -> StoreResult<bool> {
        let version = self.directory.placements_version().await?;
        if version == self.version.load(Ordering::Acquire) {
            return Ok(false);
        }
        let all = self.directory.placements().await?;
        let routes = all.iter().map(|p| (p.tenant.as_str().to_owned(), Arc::new(Route::from(p)))).collect();
        *self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner) = routes;
        self.unknown.write().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        self.version.store(version, Ordering::Release);
        Ok(true)
    }

    /// The route of `tenant` known to this node, without a directory read.
    pub fn cached(&self, tenant: &str) -> Option<Arc<Route>> {
        self.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(tenant).cloned()
    }

    /// The route of `tenant`: from memory, else from the directory (remembered). `None` for a
    /// tenant placed nowhere (it does not exist).
    pub async fn route(&self, tenant: &str) -> StoreResult<Option<Arc<Route>>> {
        if let Some(route) = self.cached(tenant) {
            return Ok(Some(route));
        }
        let Ok(id) = TenantId::parse(tenant) else { return Ok(None) };
        if self.unknown.read().unwrap_or_else(std::sync::PoisonError::into_inner).contains(tenant) {
            return Ok(None);
        }
        let Some(placement) = self.directory.placement(&id).await? else {
            let mut unknown = self.unknown.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            if unknown.len() >= MAX_UNKNOWN {
                unknown.clear();
            }
            unknown.insert(tenant.to_owned());
            return Ok(None);
        };
        Ok(Some(self.remember(&placement)))
    }

    /// Records a placement this node just wrote or read.
    pub fn remember(&self, placement: &Placement) -> Arc<Route> {
        let route = Arc::new(Route::from(placement));
        self.unknown.write().unwrap_or_else(std::sync::PoisonError::into_inner).remove(placement.tenant.as_str());
        self.routes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(placement.tenant.as_str().to_owned(), route.clone());
        route
    }

    /// Claims the running of `tenant`'s move on this node; `None` while it runs already (a
    /// second request to resume it finds it under way).
    pub fn run_move(self: &Arc<Self>, tenant: &TenantId) -> Option<MoveRun> {
        let mut moving = self.moving.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        moving
            .insert(tenant.as_str().to_owned())
            .then(|| MoveRun { placements: self.clone(), tenant: tenant.as_str().to_owned() })
    }

    /// Forgets a tenant (deleted).
    pub fn forget(&self, tenant: &TenantId) {
        self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner).remove(tenant.as_str());
    }
}

/// The durable store of one region: every port, the placement directory (answered by the
/// control region's) and tenant transfers.
pub trait RegionDurable: DurableStore + TenantTransfer + RegionDirectory {}
impl<T: DurableStore + TenantTransfer + RegionDirectory + ?Sized> RegionDurable for T {}

/// One region's store, absent until the region could be reached.
pub struct Slot<S: ?Sized> {
    region: Region,
    store: RwLock<Option<Arc<S>>>,
}

impl<S: ?Sized> Slot<S> {
    /// A region's slot, holding `store` if it could be opened.
    pub fn new(region: Region, store: Option<Arc<S>>) -> Arc<Self> {
        Arc::new(Self { region, store: RwLock::new(store) })
    }

    /// The region.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The store, or [`RegionError::Down`] while the region has not been reached.
    pub fn get(&self) -> StoreResult<Arc<S>> {
        let store = self.store.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        store.ok_or_else(|| {
            unavailable(RegionError::Down {
                region: self.region.clone(),
                source: Box::new(std::io::Error::other("not connected yet")),
            })
        })
    }

    /// Puts the store in once the region is reached.
    pub fn attach(&self, store: Arc<S>) {
        *self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(store);
    }
}

/// The regions this node serves, and how to reach each tenant's.
pub(crate) struct Served<S: ?Sized> {
    placements: Arc<Placements>,
    /// Served regions, the control region first when served.
    regions: Vec<Arc<Slot<S>>>,
    /// The deployment has this one region: nothing to look up, nowhere to move to.
    only: bool,
}

impl<S: ?Sized> Served<S> {
    fn new(placements: Arc<Placements>, control: &Region, mut regions: Vec<Arc<Slot<S>>>, only: bool) -> Self {
        regions.sort_by_key(|slot| slot.region() != control);
        let only = only && regions.len() == 1;
        Self { placements, regions, only }
    }

    fn slot(&self, region: &Region) -> StoreResult<&Arc<Slot<S>>> {
        self.regions
            .iter()
            .find(|slot| slot.region() == region)
            .ok_or_else(|| unavailable(RegionError::NotServed { region: region.clone() }))
    }

    /// The store of `tenant`'s home region, for a call that does `access`. A tenant placed
    /// nowhere goes to the first region served, which answers as for any unknown tenant.
    /// Returns the region's slot (whose region names a failure) with its store.
    async fn pick(&self, tenant: &str, access: Access) -> StoreResult<(&Arc<Slot<S>>, Arc<S>)> {
        let route = match self.regions.as_slice() {
            [only] if self.only => return Ok((only, only.get()?)),
            _ => self.placements.route(tenant).await?,
        };
        let Some(route) = route else {
            let first = self.regions.first().ok_or(StoreError::NotFound)?;
            return Ok((first, first.get()?));
        };
        if let (Access::Write, Some(to)) = (access, &route.moving_to) {
            let tenant = TenantId::parse(tenant).map_err(|_| StoreError::NotFound)?;
            return Err(unavailable(RegionError::Moving { tenant, to: to.clone() }));
        }
        let slot = self.slot(&route.region)?;
        Ok((slot, slot.get()?))
    }

    /// Every region served with its store (or why it cannot be reached).
    fn each(&self) -> impl Iterator<Item = (&Region, StoreResult<Arc<S>>)> + '_ {
        self.regions.iter().map(|slot| (slot.region(), slot.get()))
    }
}

impl<S: HealthCheck + ?Sized> Served<S> {
    /// `Ok` while at least one region served answers; else the last region's failure.
    async fn ping_any(&self) -> StoreResult<()> {
        let mut last = StoreError::NotFound;
        for (region, store) in self.each() {
            match store {
                Ok(store) => match store.ping().await {
                    Ok(()) => return Ok(()),
                    Err(e) => last = in_region(region)(e),
                },
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

fn unavailable(e: RegionError) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

/// A failure of `region`'s store, named: a backend that does not answer becomes
/// [`RegionError::Down`]; answers (not found, conflicts) pass unchanged. The region is copied
/// only for a failure.
pub(crate) fn in_region(region: &Region) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |e| match e {
        StoreError::Unavailable(source) if !source.is::<RegionError>() => {
            unavailable(RegionError::Down { region: region.clone(), source })
        }
        other => other,
    }
}

/// A copy of an error for each of several callers (errors are not `Clone`).
pub(crate) fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what } => StoreError::Conflict { what },
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Corrupt(why) => StoreError::Corrupt(why.clone()),
        StoreError::Unavailable(source) => match source.downcast_ref::<RegionError>() {
            Some(RegionError::Down { region, source }) => unavailable(RegionError::Down {
                region: region.clone(),
                source: Box::new(std::io::Error::other(source.to_string())),
            }),
            Some(RegionError::NotServed { region }) => unavailable(RegionError::NotServed { region: region.clone() }),
            Some(RegionError::Moving { tenant, to }) => {
                unavailable(RegionError::Moving { tenant: tenant.clone(), to: to.clone() })
            }
            None => StoreError::Unavailable(Box::new(std::io::Error::other(source.to_string()))),
        },
    }
}

/// One region's durable slot and ephemeral store.
pub type RegionSlots = (Arc<Slot<dyn RegionDurable>>, Arc<dyn EphemeralStore>);

/// The stores of a node: routing durable and ephemeral stores over the regions it serves.
pub struct Regions {
    /// This node's copy of the placement directory.
    pub placements: Arc<Placements>,
    /// The durable store every request uses.
    pub durable: Arc<RegionalStore>,
    /// The ephemeral store every request uses.
    pub ephemeral: Arc<RegionalEphemeral>,
}

impl Regions {
    /// Routes over `regions` (each a durable slot and an ephemeral store), with the placement
    /// directory of the `control` region, which must be reachable. `only`: the deployment has
    /// no other region (so calls need no look-up).
    pub async fn new(
        control: Region,
        regions: Vec<RegionSlots>,
        directory: Arc<dyn RegionDirectory>,
        only: bool,
    ) -> StoreResult<Self> {
        let placements = Placements::load(directory).await?;
        let (durable, ephemeral): (Vec<_>, Vec<_>) = regions
            .into_iter()
            .map(|(slot, e)| {
                let ephemeral = Slot::new(slot.region().clone(), Some(e));
                (slot, ephemeral)
            })
            .unzip();
        Ok(Self {
            durable: Arc::new(RegionalStore::new(Served::new(placements.clone(), &control, durable, only))),
            ephemeral: Arc::new(RegionalEphemeral::new(Served::new(placements.clone(), &control, ephemeral, only))),
            placements,
        })
    }

    /// The regions this node serves, the control region first when served.
    pub fn served(&self) -> impl Iterator<Item = &Region> {
        self.durable.served.regions.iter().map(|slot| slot.region())
    }

    /// One region's durable store; [`RegionError::NotServed`] or [`RegionError::Down`].
    pub fn durable_of(&self, region: &Region) -> StoreResult<Arc<dyn RegionDurable>> {
        self.durable.served.slot(region)?.get()
    }

    /// One region's ephemeral store.
    pub fn ephemeral_of(&self, region: &Region) -> StoreResult<Arc<dyn EphemeralStore>> {
        self.ephemeral.served.slot(region)?.get()
    }
}

#[cfg(test)]
pub(crate) mod tests;
