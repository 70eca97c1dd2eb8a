//! The APIs tokens are issued for (RFC 8707): registering, changing and deleting them, through
//! the node's cache. Audited as `resource.{created,updated,deleted}`, with the resource's
//! identifier as the audience and its scopes.

use ciam_core::audit::AuditRecord;
use ciam_core::resource::Resource;
use ciam_core::store::ResourceStore;

use super::{By, ServiceError, audited, ports};
use crate::state::AppState;

fn event(kind: &str, r: &Resource) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.audience = Some(r.identifier.clone());
    e.scope = Some(r.scopes.to_string());
    e
}

/// Registers `r`.
pub(crate) async fn create(st: &AppState, by: &By, r: &Resource) -> Result<(), ServiceError> {
    ports(st).create_resource(r).await?;
    audited(st, &r.tenant_id, by, event("resource.created", r)).await
}

/// Replaces `r`.
pub(crate) async fn update(st: &AppState, by: &By, r: &Resource) -> Result<(), ServiceError> {
    ports(st).update_resource(r).await?;
    audited(st, &r.tenant_id, by, event("resource.updated", r)).await
}

/// Deletes `r`; `false` when it was gone already. Tokens for it are no longer issued.
pub(crate) async fn delete(st: &AppState, by: &By, r: &Resource) -> Result<bool, ServiceError> {
    if !ports(st).delete_resource(&r.tenant_id, &r.id).await? {
        return Ok(false);
    }
    audited(st, &r.tenant_id, by, event("resource.deleted", r)).await?;
    Ok(true)
}
