//! Work done once per period by one node of the deployment (the SAML metadata refresh, the
//! retention sweep): each node looks often, and the node that first stores the period's key in
//! the ephemeral store does that period's work.

use std::time::Duration;

use ciam_core::keyspace::Key;
use tokio::sync::watch;

use crate::state::AppState;

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
