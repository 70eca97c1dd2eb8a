//! Work done once per period by one node of the deployment (the SAML metadata refresh, the
//! retention sweep, scheduled key rotation): each node looks often, and the node that first
//! stores the period's key in the ephemeral store does that period's work.

use std::time::Duration;

use ciam_core::keyspace::Key;
use ciam_core::page::PageRequest;
use ciam_core::tenant::Tenant;
use tokio::sync::watch;

use super::ServiceError;
use crate::state::AppState;

/// Starts a worker of this node that does `work` once per `period` (looking every minute),
/// when it claims the period under `key`; `what` names it in the log, with the summary `work`
/// returns. It stops when `stop` turns true (or its sender is dropped), after the work under way.
pub(crate) fn periodic<W, F>(
    st: AppState,
    mut stop: watch::Receiver<bool>,
    what: &'static str,
    period: Duration,
    key: fn(i64) -> Key,
    work: W,
) -> tokio::task::JoinHandle<()>
where
    W: Fn(AppState) -> F + Send + 'static,
    F: Future<Output = Result<String, ServiceError>> + Send,
{
    tokio::spawn(async move {
        let look_every = period.min(Duration::from_secs(60));
        while let Some(mine) = next_turn(&st, &mut stop, look_every, period, key, what).await {
            if mine {
                match work(st.clone()).await {
                    Ok(summary) => tracing::info!(%summary, "{what} done"),
                    Err(e) => tracing::warn!(error = %e, "{what} failed; the next period tries again"),
                }
            }
        }
    })
}

/// The deployment's tenants, a page at a time: `while let Some(page) = pages.next(st).await? {…}`.
pub(crate) struct TenantPages(Option<PageRequest>);

impl TenantPages {
    /// From the first tenant.
    pub(crate) fn new() -> Self {
        Self(Some(PageRequest { limit: PageRequest::MAX_LIMIT, after: None }))
    }

    /// The next page; `None` after the last.
    pub(crate) async fn next(&mut self, st: &AppState) -> Result<Option<Vec<Tenant>>, ServiceError> {
        let Some(page) = self.0.take() else { return Ok(None) };
        let tenants = st.durable.list_tenants(&page).await?;
        self.0 = tenants.next_after.map(|after| PageRequest { after: Some(after), ..page });
        Ok(Some(tenants.items))
    }
}

/// Waits `look_every`, then claims the current period (of length `period`, counted from the Unix
/// epoch so restarts do not move it) under `key(period number)`. `Some(true)`: this node does
/// the period's work; `Some(false)`: another node has it (or the ephemeral store is unavailable,
/// logged naming `what`); `None`: `stop` turned true or its sender is gone.
pub(crate) async fn next_turn(
    st: &AppState,
    stop: &mut watch::Receiver<bool>,
    look_every: Duration,
    period: Duration,
    key: fn(i64) -> Key,
    what: &str,
) -> Option<bool> {
    tokio::select! {
        changed = stop.changed() => if changed.is_err() { return None },
        () = tokio::time::sleep(look_every) => {}
    }
    if *stop.borrow() {
        return None;
    }
    let length = i64::try_from(period.as_secs().max(1)).unwrap_or(i64::MAX);
    let window = st.clock.now().unix_timestamp().div_euclid(length);
    match st.ephemeral.put_if_absent(key(window).as_str(), b"1", period).await {
        Ok(mine) => Some(mine),
        Err(e) => {
            tracing::warn!(error = %e, "{what}: the ephemeral store is unavailable");
            Some(false)
        }
    }
}
