//! Administrators: who may use the management API, and for what.
//!
//! An administrator is a user of the deployment's control tenant, or a service account (a
//! client-credentials client of that tenant). What they may do comes from role assignments: a
//! role (a set of [`Permission`]s) given to a principal for one tenant or for the whole
//! deployment. Four roles are built in ([`BuiltinRole`]); a deployment may define more
//! ([`CustomRole`]). Every management route names the one permission it needs.
//!
//! The decision ([`Grants::decide`]) keeps tenants apart: a principal with no role in a tenant
//! is told the tenant does not exist ([`Access::Hidden`]); one with a role that lacks the
//! permission is refused ([`Access::Forbidden`]).

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use crate::id::{ClientId, TenantId, UserId};
use crate::validation::FieldError;

macro_rules! permissions {
    ($($variant:ident = $name:literal, $about:literal;)*) => {
        /// One thing an administrator may do. Routes declare theirs; roles are sets of them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Permission {
            $(#[doc = $about] $variant,)*
        }

        impl Permission {
            /// Every permission, in the order the documentation lists them.
            pub const ALL: &[Permission] = &[$(Self::$variant,)*];

            /// The permission's name, `area:action`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// What it allows, in one sentence.
            pub fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $about,)*
                }
            }
        }
    };
}

permissions! {
    TenantsCreate = "tenants:create", "Create tenants (deployment-wide only).";
    TenantsRead = "tenants:read", "See a tenant, its settings and where its data lives.";
    TenantsWrite = "tenants:write", "Change a tenant's settings and move it to another region.";
    TenantsDelete = "tenants:delete", "Delete a tenant with everything in it.";
    UsersRead = "users:read", "Read users, their consents and linked identities; export them.";
    UsersWrite = "users:write", "Create, change, disable, delete, import and invite users; mail them; link and unlink identities; withdraw consents.";
    FactorsRead = "factors:read", "See a user's second factors and passkeys.";
    FactorsWrite = "factors:write", "Remove or reset a user's second factors and passkeys.";
    SessionsRead = "sessions:read", "See a user's sessions.";
    SessionsWrite = "sessions:write", "Sign a user out of one or all sessions.";
    DelegationsRead = "delegations:read", "See the delegations users gave agents.";
    DelegationsWrite = "delegations:write", "Revoke a delegation.";
    ClientsRead = "clients:read", "See applications and agents.";
    ClientsWrite = "clients:write", "Create, change and delete applications and agents; issue their secrets and initial access tokens.";
    KeysRead = "keys:read", "See the tenant's signing keys.";
    KeysWrite = "keys:write", "Rotate the tenant's signing keys.";
    ResourcesRead = "resources:read", "See the APIs tokens are issued for.";
    ResourcesWrite = "resources:write", "Register, change and delete APIs and their introspection credentials.";
    IdentityProvidersRead = "identity_providers:read", "See upstream identity providers.";
    IdentityProvidersWrite = "identity_providers:write", "Add, change and remove upstream identity providers.";
    PrivacyRead = "privacy:read", "See consent purposes, consent history and events; export a user's data.";
    PrivacyWrite = "privacy:write", "Change consent purposes; erase a user.";
    DetailTypesRead = "detail_types:read", "See the authorization detail types.";
    DetailTypesWrite = "detail_types:write", "Register, change and remove authorization detail types.";
    AuditRead = "audit:read", "Read and export the audit trail.";
    RolesRead = "roles:read", "See who holds which role, and the roles there are.";
    RolesWrite = "roles:write", "Give and take roles (never one with a permission the giver lacks); define custom roles.";
    ServiceAccountsRead = "service_accounts:read", "See service accounts (deployment-wide only).";
    ServiceAccountsWrite = "service_accounts:write", "Create and delete service accounts and issue their secrets (deployment-wide only).";
}

impl Permission {
    /// The permission named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == name)
    }

    /// Whether it only reads.
    pub fn reads(self) -> bool {
        self.as_str().ends_with(":read")
    }

    /// Whether it only means something deployment-wide (it is about no one tenant).
    pub fn deployment_only(self) -> bool {
        matches!(self, Self::TenantsCreate | Self::ServiceAccountsRead | Self::ServiceAccountsWrite)
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles every deployment has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinRole {
    /// Everything.
    Owner,
    /// Everything inside a tenant but deleting it (and, deployment-wide, neither creating
    /// tenants nor managing service accounts).
    Admin,
    /// Users, their factors, sessions and delegations; no keys, clients or settings, and not the
    /// audit trail.
    Support,
    /// Reads everything, the audit trail included; changes nothing.
    Auditor,
}

impl BuiltinRole {
    /// Every built-in role.
    pub const ALL: [BuiltinRole; 4] = [Self::Owner, Self::Admin, Self::Support, Self::Auditor];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Support => "support",
            Self::Auditor => "auditor",
        }
    }

    /// The built-in role named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// What the role is for.
    pub fn description(self) -> &'static str {
        match self {
            Self::Owner => "Everything, deleting the tenant included.",
            Self::Admin => "Everything inside the tenant but deleting it.",
            Self::Support => {
                "Users, their factors, sessions and delegations; no keys, clients, settings or audit trail."
            }
            Self::Auditor => "Reads everything, the audit trail included; changes nothing.",
        }
    }

    /// The role's permissions.
    pub fn permissions(self) -> BTreeSet<Permission> {
        use Permission as P;
        let all = Permission::ALL.iter().copied();
        match self {
            Self::Owner => all.collect(),
            Self::Admin => {
                all.filter(|p| !matches!(p, P::TenantsCreate | P::TenantsDelete | P::ServiceAccountsWrite)).collect()
            }
            Self::Support => [
                P::TenantsRead,
                P::UsersRead,
                P::UsersWrite,
                P::FactorsRead,
                P::FactorsWrite,
                P::SessionsRead,
                P::SessionsWrite,
                P::DelegationsRead,
                P::DelegationsWrite,
            ]
            .into(),
            Self::Auditor => all.filter(|p| p.reads()).collect(),
        }
    }
}

/// A role a deployment defines: a named set of permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    /// The control tenant that holds it.
    pub control_tenant: TenantId,
    /// Its name: 2-40 characters `a-z`, `0-9`, `_`, `-`, starting with a letter, and not a
    /// built-in role's.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// What it allows.
    pub permissions: BTreeSet<Permission>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl CustomRole {
    /// Field rules; errors name the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        let name_ok = (2..=40).contains(&self.name.len())
            && self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !name_ok {
            return Err(FieldError::new("name", "must be 2-40 characters a-z, 0-9, _ or -, starting with a letter"));
        }
        if BuiltinRole::parse(&self.name).is_some() {
            return Err(FieldError::new("name", "is the name of a built-in role"));
        }
        if self.description.chars().count() > 200 {
            return Err(FieldError::new("description", "must be at most 200 characters"));
        }
        if self.permissions.is_empty() {
            return Err(FieldError::new("permissions", "must name at least one permission"));
        }
        Ok(())
    }
}

/// Who a role is given to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A user of the control tenant (a person who signs in).
    User(UserId),
    /// A service account: a client-credentials client of the control tenant.
    ServiceAccount(ClientId),
}

impl Principal {
    /// The stored form: `user:{id}` or `service_account:{client_id}`.
    pub fn key(&self) -> String {
        match self {
            Self::User(u) => format!("user:{u}"),
            Self::ServiceAccount(c) => format!("service_account:{c}"),
        }
    }

    /// Reads [`Principal::key`]'s form.
    pub fn from_key(key: &str) -> Option<Self> {
        match key.split_once(':')? {
            ("user", id) => UserId::parse(id).ok().map(Self::User),
            ("service_account", id) => ClientId::parse(id).ok().map(Self::ServiceAccount),
            _ => None,
        }
    }
}

/// Where a role applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every tenant, and what belongs to no tenant (creating tenants, service accounts).
    Deployment,
    /// One tenant.
    Tenant(TenantId),
}

impl Scope {
    /// The stored form: `*` or the tenant id.
    pub fn key(&self) -> &str {
        match self {
            Self::Deployment => "*",
            Self::Tenant(t) => t.as_str(),
        }
    }

    /// Reads [`Scope::key`]'s form.
    pub fn from_key(key: &str) -> Option<Self> {
        if key == "*" { Some(Self::Deployment) } else { TenantId::parse(key).ok().map(Self::Tenant) }
    }

    /// The tenant, for a one-tenant scope.
    pub fn tenant(&self) -> Option<&TenantId> {
        match self {
            Self::Deployment => None,
            Self::Tenant(t) => Some(t),
        }
    }
}

/// A role given to a principal for a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    /// The control tenant that holds it.
    pub control_tenant: TenantId,
    /// Stable id (`ra_…`).
    pub id: String,
    /// Who holds the role.
    pub principal: Principal,
    /// Where.
    pub scope: Scope,
    /// A built-in role's name or a custom role's.
    pub role: String,
    /// When it was given.
    pub created_at: OffsetDateTime,
}

impl RoleAssignment {
    /// A fresh id.
    pub fn new_id() -> String {
        format!("ra_{}", uuid::Uuid::now_v7().simple())
    }
}

/// The permissions of role `name` among the built-in ones and `custom`; `None` for a role that
/// does not exist (an assignment of a deleted custom role grants nothing).
pub fn role_permissions(name: &str, custom: &[CustomRole]) -> Option<BTreeSet<Permission>> {
    match BuiltinRole::parse(name) {
        Some(builtin) => Some(builtin.permissions()),
        None => custom.iter().find(|r| r.name == name).map(|r| r.permissions.clone()),
    }
}

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Go ahead.
    Allowed,
    /// The principal has a role in the tenant (or deployment-wide), but not this permission.
    Forbidden,
    /// The principal has no role in the tenant: it does not exist, as far as they know.
    Hidden,
}

/// Everything a principal may do, gathered from their role assignments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    deployment: BTreeSet<Permission>,
    tenants: BTreeMap<TenantId, BTreeSet<Permission>>,
}

impl Grants {
    /// Every permission, deployment-wide (the break-glass token).
    pub fn everything() -> Self {
        Self { deployment: Permission::ALL.iter().copied().collect(), tenants: BTreeMap::new() }
    }

    /// The union of what `assignments` give, with `custom` roles resolved. A deployment-only
    /// permission in a one-tenant assignment gives nothing.
    pub fn of(assignments: &[RoleAssignment], custom: &[CustomRole]) -> Self {
        let mut grants = Self::default();
        for a in assignments {
            let Some(permissions) = role_permissions(&a.role, custom) else { continue };
            match &a.scope {
                Scope::Deployment => grants.deployment.extend(permissions),
                Scope::Tenant(t) => grants
                    .tenants
                    .entry(t.clone())
                    .or_default()
                    .extend(permissions.into_iter().filter(|p| !p.deployment_only())),
            }
        }
        grants
    }

    /// Whether the principal holds any role at all.
    pub fn is_empty(&self) -> bool {
        self.deployment.is_empty() && self.tenants.is_empty()
    }

    /// Whether `tenant` is visible: the principal has a role in it or deployment-wide.
    pub fn sees(&self, tenant: &TenantId) -> bool {
        !self.deployment.is_empty() || self.tenants.contains_key(tenant)
    }

    /// Whether `permission` is held for `scope`.
    pub fn allows(&self, scope: &Scope, permission: Permission) -> bool {
        self.deployment.contains(&permission)
            || match scope {
                Scope::Deployment => false,
                Scope::Tenant(t) => self.tenants.get(t).is_some_and(|p| p.contains(&permission)),
            }
    }

    /// Whether every permission in `wanted` is held for `scope` (a principal never gives a
    /// role with more than they hold).
    pub fn covers(&self, scope: &Scope, wanted: &BTreeSet<Permission>) -> bool {
        wanted.iter().all(|p| self.allows(scope, *p))
    }

    /// Whether `permission` is held in some tenant or deployment-wide (lists that show only what
    /// the principal may see).
    pub fn anywhere(&self, permission: Permission) -> bool {
        self.deployment.contains(&permission) || self.tenants.values().any(|p| p.contains(&permission))
    }

    /// The permissions held deployment-wide.
    pub fn deployment(&self) -> &BTreeSet<Permission> {
        &self.deployment
    }

    /// The permissions held in each tenant the principal has a role in (besides the
    /// deployment-wide ones).
    pub fn per_tenant(&self) -> &BTreeMap<TenantId, BTreeSet<Permission>> {
        &self.tenants
    }

    /// The tenants the principal has a role in; `None` when deployment-wide (every tenant).
    pub fn tenants(&self) -> Option<Vec<&TenantId>> {
        self.deployment.is_empty().then(|| self.tenants.keys().collect())
    }

    /// The decision for a request that needs `permission` in `tenant` (or, without a tenant, a
    /// deployment-wide one).
    pub fn decide(&self, tenant: Option<&TenantId>, permission: Permission) -> Access {
        match tenant {
            Some(t) if !self.sees(t) => Access::Hidden,
            Some(t) if self.allows(&Scope::Tenant(t.clone()), permission) => Access::Allowed,
            None if self.allows(&Scope::Deployment, permission) => Access::Allowed,
            _ => Access::Forbidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn tenant(id: &str) -> Result<TenantId, Box<dyn std::error::Error>> {
        Ok(TenantId::parse(id)?)
    }

    fn assignment(scope: Scope, role: &str) -> Result<RoleAssignment, Box<dyn std::error::Error>> {
        Ok(RoleAssignment {
            control_tenant: tenant("control")?,
            id: RoleAssignment::new_id(),
            principal: Principal::User(UserId::parse("0190b7e0-e0a0-7d3c-9b1f-2a3b4c5d6e7f")?),
            scope,
            role: role.to_owned(),
            created_at: datetime!(2026-01-01 0:00 UTC),
        })
    }

    #[test]
    fn every_permission_has_a_unique_name_that_parses_back() {
        let names: BTreeSet<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            assert!(p.as_str().contains(':') && !p.description().is_empty(), "{p}");
        }
        assert_eq!(Permission::parse("users:delete"), None);
    }

    #[test]
    fn the_built_in_roles_are_what_their_descriptions_say() {
        use Permission as P;
        let owner = BuiltinRole::Owner.permissions();
        assert_eq!(owner.len(), Permission::ALL.len());
        let admin = BuiltinRole::Admin.permissions();
        assert!(!admin.contains(&P::TenantsDelete) && !admin.contains(&P::TenantsCreate));
        assert!(admin.contains(&P::KeysWrite) && admin.contains(&P::RolesWrite) && admin.contains(&P::AuditRead));
        let support = BuiltinRole::Support.permissions();
        assert!(support.contains(&P::FactorsWrite) && support.contains(&P::SessionsWrite));
        for refused in [P::KeysRead, P::ClientsRead, P::TenantsWrite, P::AuditRead, P::RolesRead] {
            assert!(!support.contains(&refused), "{refused}");
        }
        let auditor = BuiltinRole::Auditor.permissions();
        assert!(auditor.contains(&P::AuditRead) && auditor.contains(&P::KeysRead));
        assert!(auditor.iter().all(|p| p.reads()), "an auditor changes nothing");
    }

    #[test]
    fn a_tenant_role_hides_other_tenants_and_forbids_what_it_lacks() -> TestResult {
        let (a, b) = (tenant("acme")?, tenant("beta")?);
        let grants = Grants::of(&[assignment(Scope::Tenant(a.clone()), "support")?], &[]);
        assert_eq!(grants.decide(Some(&a), Permission::FactorsWrite), Access::Allowed);
        assert_eq!(grants.decide(Some(&a), Permission::KeysRead), Access::Forbidden);
        assert_eq!(grants.decide(Some(&b), Permission::UsersRead), Access::Hidden);
        assert_eq!(grants.decide(None, Permission::TenantsCreate), Access::Forbidden);
        assert_eq!(grants.tenants(), Some(vec![&a]));
        Ok(())
    }

    #[test]
    fn deployment_only_permissions_come_only_from_deployment_wide_roles() -> TestResult {
        let a = tenant("acme")?;
        let tenant_owner = Grants::of(&[assignment(Scope::Tenant(a.clone()), "owner")?], &[]);
        assert_eq!(tenant_owner.decide(Some(&a), Permission::TenantsDelete), Access::Allowed);
        assert_eq!(tenant_owner.decide(None, Permission::TenantsCreate), Access::Forbidden);
        assert!(!tenant_owner.anywhere(Permission::ServiceAccountsWrite));
        let operator = Grants::of(&[assignment(Scope::Deployment, "owner")?], &[]);
        assert_eq!(operator.decide(None, Permission::TenantsCreate), Access::Allowed);
        assert_eq!(operator.decide(Some(&a), Permission::TenantsDelete), Access::Allowed);
        assert_eq!(operator.tenants(), None, "every tenant");
        Ok(())
    }

    #[test]
    fn roles_add_up_and_unknown_roles_grant_nothing() -> TestResult {
        let a = tenant("acme")?;
        let custom = CustomRole {
            control_tenant: tenant("control")?,
            name: "key-rotator".into(),
            description: String::new(),
            permissions: [Permission::KeysRead, Permission::KeysWrite].into(),
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        };
        custom.validate()?;
        let grants = Grants::of(
            &[
                assignment(Scope::Tenant(a.clone()), "support")?,
                assignment(Scope::Tenant(a.clone()), "key-rotator")?,
                assignment(Scope::Tenant(tenant("gone")?), "deleted-role")?,
            ],
            std::slice::from_ref(&custom),
        );
        assert_eq!(grants.decide(Some(&a), Permission::KeysWrite), Access::Allowed);
        assert_eq!(grants.decide(Some(&a), Permission::FactorsWrite), Access::Allowed);
        assert_eq!(grants.decide(Some(&a), Permission::AuditRead), Access::Forbidden);
        assert!(grants.covers(&Scope::Tenant(a.clone()), &custom.permissions));
        assert!(!grants.covers(&Scope::Tenant(a), &BuiltinRole::Admin.permissions()), "no escalation");
        // A role that no longer exists gives nothing, not even the sight of its tenant.
        assert_eq!(grants.decide(Some(&tenant("gone")?), Permission::UsersRead), Access::Hidden);
        Ok(())
    }

    #[test]
    fn custom_role_names_and_keys_are_checked() -> TestResult {
        let mut role = CustomRole {
            control_tenant: tenant("control")?,
            name: "owner".into(),
            description: String::new(),
            permissions: [Permission::UsersRead].into(),
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        };
        assert!(role.validate().is_err_and(|e| e.field == "name"), "a built-in name");
        role.name = "Read Only".into();
        assert!(role.validate().is_err_and(|e| e.field == "name"));
        role.name = "reader".into();
        role.permissions.clear();
        assert!(role.validate().is_err_and(|e| e.field == "permissions"));
        let user = Principal::User(UserId::parse("0190b7e0-e0a0-7d3c-9b1f-2a3b4c5d6e7f")?);
        assert_eq!(Principal::from_key(&user.key()), Some(user));
        assert_eq!(Principal::from_key("robot:x"), None);
        assert_eq!(Scope::from_key("*"), Some(Scope::Deployment));
        assert_eq!(Scope::from_key("acme"), Some(Scope::Tenant(tenant("acme")?)));
        Ok(())
    }
}
