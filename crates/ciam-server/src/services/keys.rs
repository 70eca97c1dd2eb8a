//! A tenant's signing keys: rotation, by an administrator or on the tenant's schedule
//! (`settings.keys.rotate_every_days`). Audited as `key.rotated`, naming the key ids that now
//! sign (public information; the keys themselves never leave the keyring).

use std::time::Duration;

use ciam_core::audit::AuditRecord;
use ciam_core::id::TenantId;
use ciam_core::keyspace;
use ciam_core::signing_key::{KeyState, StoredKey};
use ciam_core::tenant::Tenant;
use ciam_jose::Alg;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::schedule::{TenantPages, periodic};
use super::{By, ServiceError, audited};
use crate::state::AppState;

/// How often the schedule is looked at: keys are due by the day, so an hour late at most.
const CHECK_EVERY: Duration = Duration::from_secs(3600);

/// Rotates the tenant's keys of `algs`: each `next` key starts signing, the active key is
/// retired (still published), and a new `next` key is published. Returns the activated kids.
pub(crate) async fn rotate(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    algs: &[Alg],
) -> Result<Vec<String>, ServiceError> {
    let activated = st.keys.rotate(tenant, algs, st.clock.now()).await?;
    let mut e = AuditRecord::allow("key.rotated");
    e.reason = Some(if activated.is_empty() { "no key activated".to_owned() } else { activated.join(" ") });
    audited(st, tenant, by, e).await?;
    Ok(activated)
}

/// When `tenant`'s keys (as listed, `keys`) are next rotated on its schedule: the earliest of
/// its active keys, if it has a schedule and keys.
pub(crate) fn next_rotation(tenant: &Tenant, keys: &[StoredKey]) -> Option<OffsetDateTime> {
    due(tenant, keys).into_iter().map(|(_, at)| at).min()
}

/// Each algorithm of `tenant`'s active keys with the time it is due, on the tenant's schedule.
fn due(tenant: &Tenant, keys: &[StoredKey]) -> Vec<(Alg, OffsetDateTime)> {
    let schedule = &tenant.settings.keys;
    keys.iter()
        .filter(|k| k.state == KeyState::Active)
        .filter_map(|k| Some((Alg::parse(&k.alg)?, schedule.due_at(k.activated_at.unwrap_or(k.created_at))?)))
        .collect()
}

/// Rotates, in every tenant with a schedule, the keys whose active key is due; returns how
/// many keys started signing. Recorded as `key.rotated` by `system:key-schedule`.
pub(crate) async fn rotate_due(st: &AppState) -> Result<u64, ServiceError> {
    let (by, mut rotated, mut pages) = (By::system("key-schedule"), 0, TenantPages::new());
    while let Some(tenants) = pages.next(st).await? {
        for tenant in &tenants {
            if tenant.settings.keys.rotate_every_days.is_none() {
                continue;
            }
            let (keys, now) = (st.durable.list_keys(&tenant.id).await?, st.clock.now());
            let algs: Vec<Alg> = due(tenant, &keys).into_iter().filter(|(_, at)| *at <= now).map(|(a, _)| a).collect();
            if !algs.is_empty() {
                rotated += rotate(st, &by, &tenant.id, &algs).await?.len() as u64;
            }
        }
    }
    Ok(rotated)
}

/// Starts this node's part of scheduled rotation: every hour, the node that claims the period
/// rotates what is due. It stops when `stop` turns true.
pub(crate) fn start_rotator(st: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    periodic(st, stop, "scheduled key rotation", CHECK_EVERY, keyspace::key_rotation, |st| async move {
        Ok(format!("{} key(s) rotated", rotate_due(&st).await?))
    })
}
