//! The administrators' role port: assignments once per principal, role and scope; found by
//! principal, listed by scope; removed with their tenant or principal; custom roles replaced
//! by name.

use ciam_core::admin::{CustomRole, Permission, Principal, RoleAssignment, Scope};
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::page::PageRequest;
use ciam_core::store::{DurableStore, StoreError};

use super::{T0, T1, tenant};

type Outcome = Result<(), Box<dyn std::error::Error>>;

/// Role assignments and custom roles round-trip, are unique, and stay with their control tenant.
pub async fn admin_roles_round_trip_and_stay_with_the_control_tenant(s: &dyn DurableStore) {
    if let Err(e) = admin_roles(s).await {
        panic!("admin roles: {e}");
    }
}

async fn admin_roles(s: &dyn DurableStore) -> Outcome {
    s.create_tenant(&tenant("control")).await?;
    s.create_tenant(&tenant("acme")).await?;
    let control = TenantId::parse("control")?;
    let acme = Scope::Tenant(TenantId::parse("acme")?);
    let (ada, robot) = (Principal::User(UserId::generate()), Principal::ServiceAccount(ClientId::parse("terraform")?));
    let assign = |principal: &Principal, scope: &Scope, role: &str| RoleAssignment {
        control_tenant: control.clone(),
        id: RoleAssignment::new_id(),
        principal: principal.clone(),
        scope: scope.clone(),
        role: role.into(),
        created_at: T0,
    };
    let ada_acme = assign(&ada, &acme, "admin");
    s.create_role_assignment(&ada_acme).await?;
    s.create_role_assignment(&assign(&ada, &Scope::Deployment, "auditor")).await?;
    s.create_role_assignment(&assign(&robot, &acme, "support")).await?;
    match s.create_role_assignment(&assign(&ada, &acme, "admin")).await {
        Err(StoreError::Conflict { what: "role assignment" }) => {}
        other => return Err(format!("a second equal assignment: {other:?}").into()),
    }
    assert_eq!(s.get_role_assignment(&control, &ada_acme.id).await?, Some(ada_acme.clone()));
    let of_ada = s.role_assignments_of(&control, &ada).await?;
    assert_eq!(of_ada.iter().map(|a| a.role.as_str()).collect::<Vec<_>>(), ["admin", "auditor"]);

    let first = s.list_role_assignments(&control, &acme, &PageRequest { limit: 1, after: None }).await?;
    assert_eq!(first.items, std::slice::from_ref(&ada_acme));
    let rest = s.list_role_assignments(&control, &acme, &PageRequest { limit: 10, after: first.next_after }).await?;
    assert_eq!(rest.items.iter().map(|a| &a.principal).collect::<Vec<_>>(), [&robot]);
    assert!(rest.next_after.is_none());
    let everywhere =
        s.list_role_assignments(&control, &Scope::Deployment, &PageRequest { limit: 50, after: None }).await?;
    assert_eq!(everywhere.items.len(), 1);

    // Another tenant's id finds nothing.
    assert!(s.get_role_assignment(&TenantId::parse("acme")?, &ada_acme.id).await?.is_none());
    assert!(s.role_assignments_of(&TenantId::parse("acme")?, &ada).await?.is_empty());

    assert_eq!(s.delete_scope_assignments(&control, &acme).await?, 2, "the tenant's assignments go with it");
    assert_eq!(s.role_assignments_of(&control, &robot).await?, []);
    assert_eq!(s.delete_principal_assignments(&control, &ada).await?, 1);
    assert!(!s.delete_role_assignment(&control, &ada_acme.id).await?);
    let again = assign(&robot, &Scope::Deployment, "owner");
    s.create_role_assignment(&again).await?;
    assert!(s.delete_role_assignment(&control, &again.id).await?);

    let mut role = CustomRole {
        control_tenant: control.clone(),
        name: "key-rotator".into(),
        description: "Rotates keys".into(),
        permissions: [Permission::KeysRead, Permission::KeysWrite].into(),
        created_at: T0,
        updated_at: T0,
    };
    s.save_custom_role(&role).await?;
    role.permissions.insert(Permission::AuditRead);
    role.updated_at = T1;
    s.save_custom_role(&role).await?;
    assert_eq!(s.custom_roles(&control).await?, [role.clone()], "replaced by name, created_at kept");
    assert!(s.custom_roles(&TenantId::parse("acme")?).await?.is_empty());
    assert!(s.delete_custom_role(&control, "key-rotator").await?);
    assert!(!s.delete_custom_role(&control, "key-rotator").await?);
    Ok(())
}
