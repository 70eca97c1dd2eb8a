//! A tenant's signing keys: rotation. Audited as `key.rotated`, naming the key ids that now
//! sign (public information; the keys themselves never leave the keyring).

use ciam_core::audit::AuditRecord;
use ciam_core::id::TenantId;
use ciam_jose::Alg;

use super::{By, ServiceError, audited};
use crate::state::AppState;

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
