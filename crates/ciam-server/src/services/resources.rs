//! The APIs tokens are issued for (RFC 8707): registering, changing and deleting them, through
//! the node's cache, and rotating the secret a resource introspects with. Audited as
//! `resource.{created,updated,deleted,secret_rotated}`, with the resource's identifier as the
//! audience, its scopes and, when it has credentials, the client id it introspects as; never a
//! secret.

use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::client::{AuthMethod, SecurityProfile};
use ciam_core::id::ResourceId;
use ciam_core::resource::{DEFAULT_RESOURCE_TOKEN_LIFETIME, IntrospectionAuth, Resource};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::Secret;
use ciam_core::store::ResourceStore;
use ciam_core::tenant::Tenant;
use ciam_core::validation::display_text;
use time::OffsetDateTime;

use super::{By, ServiceError, audited, ports};
use crate::state::AppState;

/// What is said about a resource, whichever door; what is left out takes its default.
pub(crate) struct ResourceSpec {
    pub(crate) id: ResourceId,
    pub(crate) identifier: String,
    pub(crate) name: String,
    pub(crate) scopes: ScopeSet,
    /// Default [`DEFAULT_RESOURCE_TOKEN_LIFETIME`].
    pub(crate) access_token_lifetime: Option<u32>,
    /// How it authenticates at the introspection endpoint; none: it does not introspect.
    pub(crate) introspection_auth_method: Option<AuthMethod>,
    pub(crate) jwks_uri: Option<String>,
    pub(crate) jwks: Option<serde_json::Value>,
}

/// The resource `spec` describes in `tenant`, checked (naming the field of what is wrong).
pub(crate) fn build(
    tenant: &Tenant,
    spec: ResourceSpec,
    created_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Resource, ServiceError> {
    let introspection = match spec.introspection_auth_method {
        None if spec.jwks.is_some() || spec.jwks_uri.is_some() => {
            return Err(ServiceError::Invalid(FieldError::new(
                "introspection_auth_method",
                "jwks and jwks_uri need introspection_auth_method private_key_jwt",
            )));
        }
        None => None,
        Some(method)
            if tenant.settings.security_profile == SecurityProfile::Fapi2 && method != AuthMethod::PrivateKeyJwt =>
        {
            return Err(ServiceError::Invalid(FieldError::new(
                "introspection_auth_method",
                "the tenant's fapi2 profile needs private_key_jwt",
            )));
        }
        Some(method) => Some(IntrospectionAuth { method, jwks_uri: spec.jwks_uri, jwks: spec.jwks }),
    };
    let r = Resource {
        tenant_id: tenant.id.clone(),
        introspection,
        id: spec.id,
        identifier: spec.identifier,
        name: display_text("name", &spec.name, 200).map_err(ServiceError::Invalid)?,
        scopes: spec.scopes,
        access_token_lifetime: spec.access_token_lifetime.unwrap_or(DEFAULT_RESOURCE_TOKEN_LIFETIME),
        created_at,
        updated_at: now,
    };
    r.validate().map_err(ServiceError::Invalid)?;
    Ok(r)
}

fn event(kind: &str, r: &Resource) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.audience = Some(r.identifier.clone());
    e.scope = Some(r.scopes.to_string());
    e.client_id = r.introspection.as_ref().map(|_| r.client_id().to_string());
    e
}

/// Whether `r` introspects with a server-generated secret.
fn uses_secret(r: &Resource) -> bool {
    r.introspection.as_ref().is_some_and(|a| a.method == AuthMethod::ClientSecretBasic)
}

/// Registers `r`; a resource that introspects with a secret gets one, returned here once and
/// stored only as its hash.
pub(crate) async fn create(st: &AppState, by: &By, r: &Resource) -> Result<Option<Secret>, ServiceError> {
    let secret = uses_secret(r).then(Secret::generate);
    ports(st).create_resource(r, secret.as_ref().map(Secret::hash).as_ref()).await?;
    audited(st, &r.tenant_id, by, event("resource.created", r)).await?;
    Ok(secret)
}

/// Replaces `r`. A resource that now introspects with a secret but has none gets one (returned
/// once); one that no longer does loses its secret, so an old secret never comes back to life.
pub(crate) async fn update(st: &AppState, by: &By, r: &Resource) -> Result<Option<Secret>, ServiceError> {
    let store = ports(st);
    store.update_resource(r).await?;
    let had_secret = store.resource_secret_hash(&r.tenant_id, &r.id).await?.is_some();
    let secret = match (uses_secret(r), had_secret) {
        (true, false) => {
            let s = Secret::generate();
            store.set_resource_secret(&r.tenant_id, &r.id, Some(&s.hash()), r.updated_at).await?;
            Some(s)
        }
        (false, true) => {
            store.set_resource_secret(&r.tenant_id, &r.id, None, r.updated_at).await?;
            None
        }
        _ => None,
    };
    audited(st, &r.tenant_id, by, event("resource.updated", r)).await?;
    Ok(secret)
}

/// Issues a new introspection secret for `r` (one that introspects with a secret); the old one
/// stops working at once.
pub(crate) async fn rotate_secret(st: &AppState, by: &By, r: &Resource) -> Result<Secret, ServiceError> {
    if !uses_secret(r) {
        return Err(ServiceError::Invalid(FieldError::new(
            "introspection_auth_method",
            "this resource does not introspect with a client secret",
        )));
    }
    let secret = Secret::generate();
    ports(st).set_resource_secret(&r.tenant_id, &r.id, Some(&secret.hash()), st.clock.now()).await?;
    audited(st, &r.tenant_id, by, event("resource.secret_rotated", r)).await?;
    Ok(secret)
}

/// Deletes `r`; `false` when it was gone already. Tokens for it are no longer issued.
pub(crate) async fn delete(st: &AppState, by: &By, r: &Resource) -> Result<bool, ServiceError> {
    if !ports(st).delete_resource(&r.tenant_id, &r.id).await? {
        return Ok(false);
    }
    audited(st, &r.tenant_id, by, event("resource.deleted", r)).await?;
    Ok(true)
}
