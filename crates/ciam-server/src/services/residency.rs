//! Data residency: keeping this node's placement map current, and moving a tenant to another
//! region.
//!
//! A move runs the steps of [`MoveStep`] in order, each recorded in the tenant's placement in
//! the control region once done, so a move interrupted anywhere (the node stopped, a region did
//! not answer) resumes from the last step recorded when it is asked for again:
//!
//! 1. **frozen**: every node refuses writes for the tenant (503, `Retry-After`) once its map
//!    shows the freeze; the move waits [`SETTLE`] so every node has seen it;
//! 2. **copied**: the tenant's rows are exported from the old region and imported into the new
//!    one (one transaction; an earlier partial import is replaced), and every table's row count
//!    is compared;
//! 3. **switched**: the placement names the new region, which takes reads and writes; the move
//!    waits [`SETTLE`] again so no node still reads the old region;
//! 4. **purged**: the old region's rows of the tenant are deleted (so its files keep nothing of
//!    it) with its short-lived state, and the move is over.
//!
//! Audited in the tenant's trail as `tenant.move_started` (in the old region, so the event moves
//! with the trail) and `tenant.moved` (in the new region, once it takes writes), both naming
//! the regions.

use std::time::Duration;

use ciam_core::audit::AuditRecord;
use ciam_core::id::{Region, TenantId};
use ciam_core::region::{Move, MoveStep, Placement};
use ciam_core::store::StoreError;
use ciam_core::validation::FieldError;

use super::{By, ServiceError, audited};
use crate::state::AppState;

/// How often a node checks the placement directory for changes.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// How long a move waits after freezing and after switching, so every node's map has caught
/// up: twice the refresh period.
pub(crate) const SETTLE: Duration = Duration::from_secs(2);

/// Keeps this node's placement map current while the node runs (only a node of a deployment
/// with several regions has anything to refresh).
pub(crate) fn start_refresh(
    st: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if st.node.regions.len() < 2 {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                () = tokio::time::sleep(REFRESH_EVERY) => {}
            }
            if let Err(e) = st.regions.placements.refresh().await {
                tracing::warn!(error = %e, "the placement directory could not be read; routing stays as it was");
            }
        }
    }))
}

/// The tenant's placement, as the control region records it.
pub(crate) async fn placement(st: &AppState, tenant: &TenantId) -> Result<Option<Placement>, ServiceError> {
    Ok(st.regions.placements.directory().placement(tenant).await?)
}

/// Starts (or resumes) moving `tenant` to region `to`, and runs the move in the background.
/// This node must serve both regions.
pub(crate) async fn start_move(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    to: &Region,
) -> Result<Placement, ServiceError> {
    let invalid = |why: String| ServiceError::Invalid(FieldError::new("region", why));
    let Some(mut placement) = placement(st, tenant).await? else { return Err(StoreError::NotFound.into()) };
    for region in [&placement.region, to] {
        if !st.node.regions.iter().any(|r| &r.region == region && r.served) {
            return Err(invalid(format!(
                "this node does not serve region {region}: run the move on one that serves both"
            )));
        }
    }
    match &placement.moving {
        Some(m) if &m.to != to => {
            return Err(invalid(format!("the tenant is moving to region {} already; resume that move first", m.to)));
        }
        Some(_) => {}
        None if &placement.region == to => return Err(invalid(format!("the tenant lives in region {to} already"))),
        None => {
            let record = AuditRecord {
                reason: Some(format!("from {} to {to}", placement.region)),
                ..AuditRecord::allow("tenant.move_started")
            };
            audited(st, tenant, by, record).await?;
            let now = st.clock.now();
            placement.moving = Some(Move { to: to.clone(), step: MoveStep::Frozen, started_at: now });
            placement.updated_at = now;
            save(st, &placement).await?;
        }
    }
    // One run per tenant on this node: asking again while it runs changes nothing.
    if let Some(running) = st.regions.placements.run_move(tenant) {
        let (st, by, tenant) = (st.clone(), by.clone(), tenant.clone());
        tokio::spawn(async move {
            if let Err(e) = run(&st, &by, &tenant).await {
                tracing::error!(%tenant, error = %e, "moving the tenant stopped; ask for the move again to resume it");
            }
            drop(running);
        });
    }
    Ok(placement)
}

async fn save(st: &AppState, placement: &Placement) -> Result<(), ServiceError> {
    st.regions.placements.directory().update_placement(placement).await?;
    st.regions.placements.remember(placement);
    Ok(())
}

/// Runs the move's remaining steps.
pub(crate) async fn run(st: &AppState, by: &By, tenant: &TenantId) -> Result<(), ServiceError> {
    loop {
        let Some(mut placement) = placement(st, tenant).await? else { return Ok(()) };
        let Some(moving) = placement.moving.clone() else { return Ok(()) };
        let (from, to) = (placement.region.clone(), moving.to.clone());
        let next = match moving.step {
            MoveStep::Frozen => {
                tokio::time::sleep(SETTLE).await;
                copy(st, tenant, &from, &to).await?;
                MoveStep::Copied
            }
            MoveStep::Copied => MoveStep::Switched,
            MoveStep::Switched => {
                tokio::time::sleep(SETTLE).await;
                let record =
                    AuditRecord { reason: Some(format!("from {from} to {to}")), ..AuditRecord::allow("tenant.moved") };
                audited(st, tenant, by, record).await?;
                purge(st, tenant, &from).await?;
                MoveStep::Purged
            }
            MoveStep::Purged => {
                placement.region = to;
                placement.moving = None;
                placement.updated_at = st.clock.now();
                save(st, &placement).await?;
                tracing::info!(tenant = %tenant, %from, region = %placement.region, "tenant moved");
                return Ok(());
            }
        };
        placement.moving = Some(Move { step: next, ..moving });
        placement.updated_at = st.clock.now();
        save(st, &placement).await?;
    }
}

/// Copies the tenant's rows from `from` into `to` and checks that every table holds as many.
async fn copy(st: &AppState, tenant: &TenantId, from: &Region, to: &Region) -> Result<(), ServiceError> {
    let (source, target) = (st.regions.durable_of(from)?, st.regions.durable_of(to)?);
    let dump = source.export_tenant(tenant).await?;
    target.import_tenant(&dump).await?;
    // The copy's tenant row names its new home (written to the region directly: the tenant
    // takes no writes through the router until the switch).
    if let Some(mut record) = target.get_tenant(tenant).await? {
        record.home_region = to.clone();
        target.update_tenant(&record).await?;
    }
    let (before, after) = (source.tenant_row_counts(tenant).await?, target.tenant_row_counts(tenant).await?);
    if before != after {
        let differ: Vec<_> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|((table, a), (_, b))| format!("{table}: {a} in {from}, {b} in {to}"))
            .collect();
        return Err(ServiceError::Internal(format!("the copy differs ({})", differ.join(", "))));
    }
    tracing::info!(tenant = %tenant, %from, %to, tables = before.len(), "tenant copied");
    Ok(())
}

/// Deletes what the old region holds of the tenant: its rows and its short-lived state.
async fn purge(st: &AppState, tenant: &TenantId, from: &Region) -> Result<(), ServiceError> {
    let incarnation = st.durable.get_tenant(tenant).await?.map(|t| t.ns());
    let rows = st.regions.durable_of(from)?.purge_tenant(tenant).await?;
    if let Some(ns) = incarnation {
        let keys =
            st.regions.ephemeral_of(from)?.delete_namespace(ns.as_str()).await.map_err(ServiceError::Sessions)?;
        tracing::info!(tenant = %tenant, region = %from, rows, keys, "old region purged of the tenant");
    }
    Ok(())
}
