//! Tenants: creating, changing and deleting them, through the node's cache.
//!
//! Audited as `tenant.created` (its signing keys are made with it) and `tenant.updated` in the
//! tenant's own trail. Sign-up's documents in the settings become the purposes `terms` and
//! `privacy` when saved ([`super::consents::adopt_signup_documents`]). A deleted tenant's trail is deleted with it, so the deletion is written
//! to the server log instead.

use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::id::{Region, TenantId};
use ciam_core::store::TenantStore;
use ciam_core::tenant::{Tenant, TenantSettings};
use ciam_core::validation::display_text;

use super::{By, ServiceError, audited, ports};
use crate::state::AppState;

/// Checks a tenant's mutable parts, whichever door they come through: its display name
/// (returned trimmed), its settings (the risk policy included) and its home region, which must
/// be one this node serves (default: the node's own).
pub(crate) fn checked(
    st: &AppState,
    display_name: &str,
    home_region: Option<Region>,
    settings: &TenantSettings,
) -> Result<(String, Region), FieldError> {
    let display_name = display_text("display_name", display_name, 200)?;
    settings.validate().map_err(|e| e.under("settings"))?;
    let policy: ciam_policy::PolicyConfig =
        serde_json::from_value(serde_json::Value::Object(settings.risk_policy.clone()))
            .map_err(|e| FieldError::new("settings.risk_policy", e.to_string()))?;
    policy.validate().map_err(|e| e.under("settings.risk_policy"))?;
    if settings.signup.captcha && st.captcha.is_none() {
        return Err(FieldError::new(
            "settings.signup.captcha",
            "this deployment has no CAPTCHA configured (captcha.provider in docs/configuration.md)",
        ));
    }
    let region = home_region.unwrap_or_else(|| st.node.region.clone());
    match st.node.regions.iter().find(|r| r.region == region) {
        Some(r) if r.served => Ok((display_name, region)),
        Some(_) => Err(FieldError::new(
            "home_region",
            format!("this node does not serve region {region}: create the tenant on a node that does"),
        )),
        None => {
            let known: Vec<_> = st.node.regions.iter().map(|r| r.region.as_str()).collect();
            Err(FieldError::new("home_region", format!("is not a region of this deployment ({})", known.join(", "))))
        }
    }
}

/// Creates `tenant` with its signing keys: an active and a next key per algorithm, so it signs
/// from its first moment.
pub(crate) async fn create(st: &AppState, by: &By, tenant: &Tenant) -> Result<(), ServiceError> {
    ports(st).create_tenant(tenant).await?;
    st.keys.ensure_keys(&tenant.id, tenant.created_at).await?;
    warn_testing_settings(tenant);
    audited(st, &tenant.id, by, AuditRecord::allow("tenant.created")).await?;
    super::consents::adopt_signup_documents(st, by, tenant).await?;
    Ok(())
}

/// Replaces the tenant's mutable fields.
pub(crate) async fn update(st: &AppState, by: &By, tenant: &Tenant) -> Result<(), ServiceError> {
    ports(st).update_tenant(tenant).await?;
    warn_testing_settings(tenant);
    audited(st, &tenant.id, by, AuditRecord::allow("tenant.updated")).await?;
    super::consents::adopt_signup_documents(st, by, tenant).await?;
    Ok(())
}

/// Says in the log that a tenant weakens a protection for automated tests, each time it is
/// saved that way, so a test setting left on is visible to whoever reads the log.
fn warn_testing_settings(tenant: &Tenant) {
    if tenant.settings.allows_scripted_sign_ins() {
        tracing::warn!(
            tenant = %tenant.id,
            "development tenant with testing.allow_scripted_sign_ins: sign-ins by scripts and automated browsers are not stepped up"
        );
    }
}

/// Whether the tenant may be deleted at all: not the control tenant, which holds the
/// administrators.
pub(crate) fn deletable(st: &AppState, id: &TenantId) -> bool {
    *id != st.node.admin.control_tenant
}

/// Deletes the tenant with everything it owns; `false` when there was none. The control tenant
/// is refused ([`deletable`]).
pub(crate) async fn delete(st: &AppState, id: &TenantId) -> Result<bool, ServiceError> {
    if !deletable(st, id) {
        return Err(ServiceError::Conflict("the control tenant holds the administrators and cannot be deleted"));
    }
    let Some(record) = st.durable.get_tenant(id).await? else { return Ok(false) };
    let deleted = ports(st).delete_tenant(id).await?;
    st.keys.invalidate(id);
    if !deleted {
        return Ok(false);
    }
    tracing::info!(tenant = %id, "tenant deleted");
    super::admins::forget_tenant(st, id).await?;
    // The tenant's short-lived state is unreachable from now on (a tenant created again under
    // this id gets another incarnation); the purge only gives its memory back, so it runs after
    // the answer.
    let (ephemeral, ns) = (st.ephemeral.clone(), record.ns());
    tokio::spawn(async move {
        match ephemeral.delete_namespace(ns.as_str()).await {
            Ok(n) => tracing::info!(tenant = %ns, keys = n, "deleted tenant's short-lived state purged"),
            Err(e) => tracing::warn!(tenant = %ns, error = %e, "purging a deleted tenant's short-lived state failed"),
        }
    });
    Ok(true)
}
