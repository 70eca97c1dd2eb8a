//! Retention: what a tenant no longer needs goes, by its `settings.privacy` (docs/privacy.md):
//! erasures whose grace period is over, accounts made by sign-up and never verified, ended
//! grants, and audit events past the tenant's retention (the trail keeps the last removed
//! event's hash, so what remains still verifies). Work is done in batches of [`BATCH`] rows, each its own short transaction, so no
//! long lock is held. One node sweeps at a time: the node that claims the period in the
//! ephemeral store ([`start_sweeper`]); `ciam privacy sweep` runs a sweep by hand.

use std::time::Duration;

use ciam_core::keyspace;
use ciam_core::tenant::Tenant;
use serde::Serialize;
use tokio::sync::watch;

use super::schedule::{TenantPages, periodic};
use super::{By, ServiceError, privacy};
use crate::state::AppState;

/// Rows per batch.
const BATCH: u32 = 500;
/// How often a sweep is due.
pub(crate) const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Swept {
    /// Tenants looked at.
    pub(crate) tenants: u64,
    /// Users erased because their grace period was over.
    pub(crate) erased_on_request: u64,
    /// Accounts made by sign-up and never verified, erased.
    pub(crate) erased_unverified: u64,
    /// Ended refresh-token grants and delegations removed.
    pub(crate) ended_grants: u64,
    /// Audit events older than the tenant's retention removed.
    pub(crate) audit_events: u64,
}

/// Sweeps every tenant once.
pub(crate) async fn sweep(st: &AppState) -> Result<Swept, ServiceError> {
    let (mut out, mut pages) = (Swept::default(), TenantPages::new());
    while let Some(tenants) = pages.next(st).await? {
        for tenant in &tenants {
            sweep_tenant(st, tenant, &mut out).await?;
            out.tenants += 1;
        }
    }
    Ok(out)
}

async fn sweep_tenant(st: &AppState, tenant: &Tenant, out: &mut Swept) -> Result<(), ServiceError> {
    let (t, settings, now) = (&tenant.id, &tenant.settings.privacy, st.clock.now());
    let by = By::system("retention");
    loop {
        let due = st.durable.due_erasures(t, now, BATCH).await?;
        let mut erased = 0;
        for user in &due {
            erased += u64::from(privacy::erase(st, &by, tenant, user).await?);
        }
        out.erased_on_request += erased;
        if erased == 0 || due.len() < BATCH as usize {
            break;
        }
    }
    if let Some(days) = settings.unverified_account_days {
        let before = now - time::Duration::days(i64::from(days));
        loop {
            let stale = st.durable.unverified_users(t, before, BATCH).await?;
            let mut erased = 0;
            for user in &stale {
                erased += u64::from(privacy::erase(st, &by, tenant, user).await?);
            }
            out.erased_unverified += erased;
            if erased == 0 || stale.len() < BATCH as usize {
                break;
            }
        }
    }
    let before = now - time::Duration::days(i64::from(settings.ended_grants_days));
    loop {
        let gone = st.durable.purge_ended_grants(t, before, BATCH).await?;
        out.ended_grants += gone;
        if gone == 0 {
            break;
        }
    }
    if let Some(days) = settings.audit_retention_days {
        let before = now - time::Duration::days(i64::from(days));
        let before_ms = i64::try_from(before.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        loop {
            let gone = st.durable.prune_audit(t, before_ms, BATCH).await?;
            out.audit_events += gone;
            if gone == 0 {
                break;
            }
        }
    }
    Ok(())
}

/// Starts the sweeper of this node: every [`SWEEP_EVERY`], the node that claims the period
/// sweeps. It stops when `stop` turns true (or its sender is dropped), after the batch under way.
pub(crate) fn start_sweeper(st: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    periodic(st, stop, "retention sweep", SWEEP_EVERY, keyspace::retention_sweep, |st| async move {
        Ok(format!("{:?}", sweep(&st).await?))
    })
}
