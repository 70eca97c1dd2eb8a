//! The types of authorization details a tenant accepts (RFC 9396): registering, replacing and
//! removing them, through the node's cache (which keeps them compiled, and whose discovery
//! document lists them). Audited as `authorization_detail_type.created`, `.updated` and
//! `.deleted`, with the type as the reason.

use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::authorization_details::{AuthorizationDetailType, DetailTypeSpec};
use ciam_core::id::TenantId;
use ciam_core::store::DetailTypeStore;

use super::{By, ServiceError, audited, ports};
use crate::state::AppState;

/// A type id: 1-200 visible ASCII characters (a short name or a URI, RFC 9396 §2).
fn check_id(id: &str) -> Result<(), FieldError> {
    if id.is_empty() || id.len() > 200 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldError::new("type", "must be 1-200 visible ASCII characters (a name or a URI)"));
    }
    Ok(())
}

fn event(kind: &str, id: &str) -> AuditRecord {
    AuditRecord { reason: Some(id.to_owned()), ..AuditRecord::allow(kind) }
}

/// Checks a request's `authorization_details` against the tenant's types (cached, compiled):
/// `invalid_authorization_details` for an unknown type or an entry its schema refuses. Returns
/// the types, to put the entries in words or check a narrowing.
pub(crate) async fn checked(
    st: &AppState,
    tenant: &TenantId,
    details: &ciam_oauth::rar::Details,
) -> Result<std::sync::Arc<ciam_oauth::rar::Types>, ciam_oauth::OAuthError> {
    let types = st.directory.detail_types(st.durable.as_ref(), tenant).await.map_err(ciam_oauth::OAuthError::from)?;
    types.check(details)?;
    Ok(types)
}

/// Each entry of `details` in words, in `locale`, by its type's template.
pub(crate) fn in_words(
    types: &ciam_oauth::rar::Types,
    details: &ciam_oauth::rar::Details,
    locale: ciam_core::locale::Locale,
) -> Vec<String> {
    details
        .entries()
        .iter()
        .map(|entry| {
            let kind = entry.get("type").and_then(serde_json::Value::as_str).unwrap_or_default();
            ciam_oauth::rar::in_words(entry, types.spec(kind), locale)
        })
        .collect()
}

/// The tenant's types.
pub(crate) async fn list(st: &AppState, tenant: &TenantId) -> Result<Vec<AuthorizationDetailType>, ServiceError> {
    Ok(st.durable.list_detail_types(tenant).await?)
}

/// Registers a type.
pub(crate) async fn create(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    id: &str,
    spec: DetailTypeSpec,
) -> Result<AuthorizationDetailType, ServiceError> {
    check_id(id).map_err(ServiceError::Invalid)?;
    ciam_oauth::rar::check_spec(&spec).map_err(ServiceError::Invalid)?;
    let now = st.clock.now();
    let t = AuthorizationDetailType {
        tenant_id: tenant.clone(),
        id: id.to_owned(),
        spec,
        created_at: now,
        updated_at: now,
    };
    ports(st).create_detail_type(&t).await?;
    audited(st, tenant, by, event("authorization_detail_type.created", id)).await?;
    Ok(t)
}

/// Replaces a type's spec; `None` when there is no such type.
pub(crate) async fn update(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    id: &str,
    spec: DetailTypeSpec,
) -> Result<Option<AuthorizationDetailType>, ServiceError> {
    ciam_oauth::rar::check_spec(&spec).map_err(ServiceError::Invalid)?;
    let Some(current) = list(st, tenant).await?.into_iter().find(|t| t.id == id) else { return Ok(None) };
    let t = AuthorizationDetailType { spec, updated_at: st.clock.now(), ..current };
    if !ports(st).update_detail_type(&t).await? {
        return Ok(None);
    }
    audited(st, tenant, by, event("authorization_detail_type.updated", id)).await?;
    Ok(Some(t))
}

/// Removes a type; `false` when there was none. Tokens already issued keep their entries.
pub(crate) async fn delete(st: &AppState, by: &By, tenant: &TenantId, id: &str) -> Result<bool, ServiceError> {
    if !ports(st).delete_detail_type(tenant, id).await? {
        return Ok(false);
    }
    audited(st, tenant, by, event("authorization_detail_type.deleted", id)).await?;
    Ok(true)
}
