//! Resources: the APIs of a tenant that tokens are issued for (RFC 8707 `resource`). A resource
//! has an identifier (the audience URI its tokens carry), the scopes it defines and the lifetime
//! of its access tokens. A token for a registered resource never carries a scope the resource
//! does not define.

use time::OffsetDateTime;

use crate::agent::validate_audience;
use crate::id::{ResourceId, TenantId};
use crate::scope::ScopeSet;
use crate::validation::FieldError;

/// Default lifetime of access tokens for a resource, seconds.
pub const DEFAULT_RESOURCE_TOKEN_LIFETIME: u32 = 900;

/// A registered API.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Id in management URLs.
    pub id: ResourceId,
    /// The audience URI (`aud` of its tokens, `resource` parameter value).
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// The scopes it defines.
    pub scopes: ScopeSet,
    /// Lifetime of access tokens for it, seconds (60-86400).
    pub access_token_lifetime: u32,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl Resource {
    /// Field rules; errors name the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_audience(&self.identifier).map_err(|e| FieldError::new("identifier", e.message))?;
        if !(60..=86_400).contains(&self.access_token_lifetime) {
            return Err(FieldError::new("access_token_lifetime", "must be 60-86400 seconds"));
        }
        Ok(())
    }

    /// Narrows `requested` (or, when absent, `allowed`) to what this resource defines; `None`
    /// when a requested scope is not defined here.
    pub fn scope_for(&self, requested: Option<&ScopeSet>, allowed: &ScopeSet) -> Option<ScopeSet> {
        match requested {
            Some(r) if r.is_subset(&self.scopes) && r.is_subset(allowed) => Some(r.clone()),
            Some(_) => None,
            None => Some(allowed.intersect(&self.scopes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn api() -> Resource {
        Resource {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: ResourceId::parse("trips").unwrap(),
            identifier: "https://trips.example/api".into(),
            name: "Trips".into(),
            scopes: ScopeSet::parse_space_separated("trips:read trips:book").unwrap(),
            access_token_lifetime: DEFAULT_RESOURCE_TOKEN_LIFETIME,
            created_at: datetime!(2026-12-01 0:00 UTC),
            updated_at: datetime!(2026-12-01 0:00 UTC),
        }
    }

    #[test]
    fn rules_and_scope_narrowing() {
        assert!(api().validate().is_ok());
        assert_eq!(Resource { identifier: "nope".into(), ..api() }.validate().unwrap_err().field, "identifier");
        assert_eq!(
            Resource { access_token_lifetime: 5, ..api() }.validate().unwrap_err().field,
            "access_token_lifetime"
        );
        let s = |x| ScopeSet::parse_space_separated(x).unwrap();
        let client = s("trips:read orders:read");
        assert_eq!(api().scope_for(None, &client), Some(s("trips:read")), "only what the resource defines");
        assert_eq!(api().scope_for(Some(&s("trips:read")), &client), Some(s("trips:read")));
        assert_eq!(api().scope_for(Some(&s("orders:read")), &client), None, "not defined by this resource");
        assert_eq!(api().scope_for(Some(&s("trips:book")), &client), None, "not allowed to the client");
    }
}
