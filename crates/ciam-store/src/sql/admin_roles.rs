//! Administrators' role assignments and custom roles, on both SQL dialects.

use async_trait::async_trait;
use ciam_core::admin::{CustomRole, Permission, Principal, RoleAssignment, Scope};
use ciam_core::id::TenantId;
use ciam_core::page::{Page, PageRequest};
use ciam_core::store::{AdminRoleStore, StoreError, StoreResult};

use super::rows::{from_ts, map_err, sql_row, ts};
use super::{PgStore, SqliteStore, after, limit, lite, pg};

macro_rules! assignment_columns {
    () => {
        "select tenant_id, assignment_id, principal, scope, role, created_at from admin_role_assignment"
    };
}
const SELECT_ASSIGNMENT: &str = concat!(assignment_columns!(), " where tenant_id = $1 and assignment_id = $2");
const ASSIGNMENTS_OF: &str =
    concat!(assignment_columns!(), " where tenant_id = $1 and principal = $2 order by assignment_id");
const LIST_ASSIGNMENTS: &str = concat!(
    assignment_columns!(),
    " where tenant_id = $1 and scope = $2 and assignment_id > $3 order by assignment_id limit $4"
);
const INSERT_ASSIGNMENT: &str = "insert into admin_role_assignment (tenant_id, assignment_id, principal, scope, \
     role, created_at) values ($1, $2, $3, $4, $5, $6)";
const DELETE_ASSIGNMENT: &str = "delete from admin_role_assignment where tenant_id = $1 and assignment_id = $2";
const DELETE_SCOPE_ASSIGNMENTS: &str = "delete from admin_role_assignment where tenant_id = $1 and scope = $2";
const DELETE_PRINCIPAL_ASSIGNMENTS: &str = "delete from admin_role_assignment where tenant_id = $1 and principal = $2";
const LIST_ROLES: &str = "select tenant_id, name, description, permissions, created_at, updated_at from admin_role \
     where tenant_id = $1 order by name";
const SAVE_ROLE: &str = "insert into admin_role (tenant_id, name, description, permissions, created_at, updated_at) \
     values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, name) do update set description = $3, \
     permissions = $4, updated_at = $6";
const DELETE_ROLE: &str = "delete from admin_role where tenant_id = $1 and name = $2";

sql_row! {
pub(crate) struct AssignmentRow {
    tenant_id: String,
    assignment_id: String,
    principal: String,
    scope: String,
    role: String,
    created_at: i64,
}
}

impl TryFrom<AssignmentRow> for RoleAssignment {
    type Error = StoreError;
    fn try_from(r: AssignmentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("role assignment {}: {what}", r.assignment_id));
        Ok(Self {
            control_tenant: TenantId::parse(&r.tenant_id).map_err(|_| corrupt("tenant_id"))?,
            principal: Principal::from_key(&r.principal).ok_or_else(|| corrupt("principal"))?,
            scope: Scope::from_key(&r.scope).ok_or_else(|| corrupt("scope"))?,
            id: r.assignment_id,
            role: r.role,
            created_at: from_ts(r.created_at)?,
        })
    }
}

sql_row! {
pub(crate) struct RoleRow {
    tenant_id: String,
    name: String,
    description: String,
    permissions: String,
    created_at: i64,
    updated_at: i64,
}
}

impl TryFrom<RoleRow> for CustomRole {
    type Error = StoreError;
    fn try_from(r: RoleRow) -> Result<Self, StoreError> {
        let permissions = r
            .permissions
            .split_whitespace()
            .map(|p| {
                Permission::parse(p).ok_or_else(|| StoreError::Corrupt(format!("role {}: permission {p}", r.name)))
            })
            .collect::<StoreResult<_>>()?;
        Ok(Self {
            control_tenant: TenantId::parse(&r.tenant_id)
                .map_err(|_| StoreError::Corrupt(format!("role {}: tenant_id", r.name)))?,
            name: r.name,
            description: r.description,
            permissions,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

fn permission_list(role: &CustomRole) -> String {
    role.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")
}

macro_rules! impl_admin_roles {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl AdminRoleStore for $store {
            async fn create_role_assignment(&self, a: &RoleAssignment) -> StoreResult<()> {
                $db::query(INSERT_ASSIGNMENT)
                    .bind(a.control_tenant.as_str())
                    .bind(&a.id)
                    .bind(a.principal.key())
                    .bind(a.scope.key())
                    .bind(&a.role)
                    .bind(ts(a.created_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role assignment"))?;
                Ok(())
            }

            async fn get_role_assignment(&self, control: &TenantId, id: &str) -> StoreResult<Option<RoleAssignment>> {
                $db::query_as::<AssignmentRow>(SELECT_ASSIGNMENT)
                    .bind(control.as_str())
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("role assignment"))?
                    .map(RoleAssignment::try_from)
                    .transpose()
            }

            async fn delete_role_assignment(&self, control: &TenantId, id: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_ASSIGNMENT)
                    .bind(control.as_str())
                    .bind(id)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role assignment"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn role_assignments_of(
                &self,
                control: &TenantId,
                principal: &Principal,
            ) -> StoreResult<Vec<RoleAssignment>> {
                let rows = $db::query_as::<AssignmentRow>(ASSIGNMENTS_OF)
                    .bind(control.as_str())
                    .bind(principal.key())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("role assignment"))?;
                rows.into_iter().map(RoleAssignment::try_from).collect()
            }

            async fn list_role_assignments(
                &self,
                control: &TenantId,
                scope: &Scope,
                page: &PageRequest,
            ) -> StoreResult<Page<RoleAssignment>> {
                let rows = $db::query_as::<AssignmentRow>(LIST_ASSIGNMENTS)
                    .bind(control.as_str())
                    .bind(scope.key())
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("role assignment"))?;
                let items = rows.into_iter().map(RoleAssignment::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |a| a.id.clone()))
            }

            async fn delete_scope_assignments(&self, control: &TenantId, scope: &Scope) -> StoreResult<u64> {
                let done = $db::query(DELETE_SCOPE_ASSIGNMENTS)
                    .bind(control.as_str())
                    .bind(scope.key())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role assignment"))?;
                Ok(done.rows_affected())
            }

            async fn delete_principal_assignments(
                &self,
                control: &TenantId,
                principal: &Principal,
            ) -> StoreResult<u64> {
                let done = $db::query(DELETE_PRINCIPAL_ASSIGNMENTS)
                    .bind(control.as_str())
                    .bind(principal.key())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role assignment"))?;
                Ok(done.rows_affected())
            }

            async fn save_custom_role(&self, role: &CustomRole) -> StoreResult<()> {
                $db::query(SAVE_ROLE)
                    .bind(role.control_tenant.as_str())
                    .bind(&role.name)
                    .bind(&role.description)
                    .bind(permission_list(role))
                    .bind(ts(role.created_at))
                    .bind(ts(role.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role"))?;
                Ok(())
            }

            async fn custom_roles(&self, control: &TenantId) -> StoreResult<Vec<CustomRole>> {
                let rows = $db::query_as::<RoleRow>(LIST_ROLES)
                    .bind(control.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("role"))?;
                rows.into_iter().map(CustomRole::try_from).collect()
            }

            async fn delete_custom_role(&self, control: &TenantId, name: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_ROLE)
                    .bind(control.as_str())
                    .bind(name)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("role"))?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

impl_admin_roles!(SqliteStore, lite);
impl_admin_roles!(PgStore, pg);
