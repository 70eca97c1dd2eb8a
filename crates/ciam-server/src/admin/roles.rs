//! Administrators' roles: the permissions there are, the roles (built-in and custom), and role
//! assignments, deployment-wide (`/admin/v1/role-assignments`) and per tenant
//! (`/admin/v1/tenants/{tenant}/role-assignments`). Nobody gives or takes back a role with a
//! permission they do not hold where it applies.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::FieldError;
use ciam_core::admin::{BuiltinRole, CustomRole, Permission, Principal, RoleAssignment, Scope};
use ciam_core::id::{ClientId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, admins};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_permissions))
        .routes(routes!(list_roles))
        .routes(routes!(define_role, delete_role))
        .routes(routes!(assign_deployment_role, list_deployment_assignments))
        .routes(routes!(unassign_deployment_role))
        .routes(routes!(assign_tenant_role, list_tenant_assignments))
        .routes(routes!(unassign_tenant_role))
}

/// A permission.
#[derive(Serialize, ToSchema)]
pub(super) struct PermissionView {
    /// `area:action`.
    #[schema(example = "users:read")]
    name: &'static str,
    /// What it allows.
    description: &'static str,
}

/// A role.
#[derive(Serialize, ToSchema)]
pub(super) struct RoleView {
    /// Its name.
    #[schema(example = "support")]
    name: String,
    /// Whether it is one of the four every deployment has.
    builtin: bool,
    /// What it is for.
    description: String,
    /// What it allows.
    permissions: Vec<&'static str>,
}

/// A custom role to define or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleInput {
    /// What it is for (up to 200 characters).
    #[serde(default)]
    description: String,
    /// What it allows: permission names (`GET /admin/v1/permissions`).
    #[schema(example = json!(["keys:read", "keys:write"]))]
    permissions: Vec<String>,
}

/// A role to give.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AssignmentInput {
    /// A user of the control tenant (exactly one of `user_id` and `service_account`).
    #[schema(value_type = Option<String>)]
    user_id: Option<UserId>,
    /// A service account's client id.
    #[schema(value_type = Option<String>)]
    service_account: Option<ClientId>,
    /// The role: built-in (`owner`, `admin`, `support`, `auditor`) or custom.
    #[schema(example = "support")]
    role: String,
}

/// Who holds a role.
#[derive(Serialize, ToSchema)]
pub(super) struct PrincipalView {
    /// `user` or `service_account`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The control tenant's user id or the service account's client id.
    id: String,
}

fn principal_view(p: Principal) -> PrincipalView {
    match p {
        Principal::User(u) => PrincipalView { kind: "user", id: u.to_string() },
        Principal::ServiceAccount(c) => PrincipalView { kind: "service_account", id: c.to_string() },
    }
}

/// A role assignment.
#[derive(Serialize, ToSchema)]
pub(super) struct AssignmentView {
    /// Stable id.
    id: String,
    /// Who holds the role.
    principal: PrincipalView,
    /// The tenant it applies to; absent: deployment-wide.
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    /// The role.
    role: String,
    /// When it was given (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<RoleAssignment> for AssignmentView {
    fn from(a: RoleAssignment) -> Self {
        let principal = principal_view(a.principal);
        Self {
            id: a.id,
            principal,
            tenant: a.scope.tenant().map(ToString::to_string),
            role: a.role,
            created_at: a.created_at,
        }
    }
}

fn names(permissions: impl IntoIterator<Item = Permission>) -> Vec<&'static str> {
    permissions.into_iter().map(Permission::as_str).collect()
}

/// The calling administrator and what they may do.
#[derive(Serialize, ToSchema)]
pub(super) struct MeView {
    /// Who: a person, a service account, or the break-glass token (which has no id).
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<PrincipalView>,
    /// `true` for the break-glass token.
    break_glass: bool,
    /// A person's email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    /// The permissions held deployment-wide (in every tenant).
    deployment: Vec<&'static str>,
    /// The permissions held in each tenant with a role of theirs, besides the deployment-wide
    /// ones.
    #[schema(value_type = Object)]
    tenants: std::collections::BTreeMap<String, Vec<&'static str>>,
}

/// Who the caller is and what they may do, deployment-wide and tenant by tenant. Every
/// authenticated administrator may ask, whatever their roles (a tool shows only what works).
#[utoipa::path(get, path = "/me", extensions(("x-permission" = json!("authenticated"))), tag = "administrators",
    responses(
        (status = 200, body = MeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn me(admin: AdminAuth) -> Json<MeView> {
    let admin = &admin.0;
    let principal = match &admin.acting {
        admins::Acting::BreakGlass => None,
        admins::Acting::Principal(p) => Some(principal_view(p.clone())),
    };
    Json(MeView {
        break_glass: principal.is_none(),
        principal,
        email: admin.email.clone(),
        deployment: names(admin.grants.deployment().iter().copied()),
        tenants: admin.grants.per_tenant().iter().map(|(t, p)| (t.to_string(), names(p.iter().copied()))).collect(),
    })
}

/// List the permissions routes declare (each route's is its `x-permission`).
#[utoipa::path(get, path = "/permissions", extensions(("x-permission" = json!("roles:read"))), tag = "administrators",
    responses(
        (status = 200, body = Vec<PermissionView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_permissions(_: AdminAuth) -> Json<Vec<PermissionView>> {
    Json(Permission::ALL.iter().map(|p| PermissionView { name: p.as_str(), description: p.description() }).collect())
}

/// List the roles: the four built-in ones, then the custom ones by name.
#[utoipa::path(get, path = "/roles", extensions(("x-permission" = json!("roles:read"))), tag = "administrators",
    responses(
        (status = 200, body = Vec<RoleView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_roles(_: AdminAuth, State(st): State<AppState>) -> Result<Json<Vec<RoleView>>, Problem> {
    let custom = st.durable.custom_roles(&st.node.admin.control_tenant).await?;
    let builtin = BuiltinRole::ALL.into_iter().map(|r| RoleView {
        name: r.as_str().to_owned(),
        builtin: true,
        description: r.description().to_owned(),
        permissions: names(r.permissions()),
    });
    let custom = custom.into_iter().map(|r| RoleView {
        name: r.name,
        builtin: false,
        description: r.description,
        permissions: names(r.permissions),
    });
    Ok(Json(builtin.chain(custom).collect()))
}

/// Define a custom role, or replace one (its assignments follow the new permissions at once).
#[utoipa::path(put, path = "/roles/{name}", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    params(("name" = String, Path, description = "The role's name")), request_body = RoleInput,
    responses(
        (status = 200, body = RoleView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn define_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(name): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<Json<RoleView>, Problem> {
    let input: RoleInput = parse(Value::Object(body))?;
    let mut permissions = std::collections::BTreeSet::new();
    for (i, p) in input.permissions.iter().enumerate() {
        let known = Permission::parse(p)
            .ok_or_else(|| Problem::invalid(FieldError::new(format!("permissions[{i}]"), "is not a permission")))?;
        permissions.insert(known);
    }
    let control = st.node.admin.control_tenant.clone();
    let now = st.clock.now();
    let created_at =
        st.durable.custom_roles(&control).await?.into_iter().find(|r| r.name == name).map(|r| r.created_at);
    let role = CustomRole {
        control_tenant: control,
        name,
        description: input.description,
        permissions,
        created_at: created_at.unwrap_or(now),
        updated_at: now,
    };
    admins::define_role(&st, &By::admin(caller, &admin.0), &role).await?;
    Ok(Json(RoleView {
        name: role.name,
        builtin: false,
        description: role.description,
        permissions: names(role.permissions),
    }))
}

/// Remove a custom role; assignments of it then give nothing.
#[utoipa::path(delete, path = "/roles/{name}", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    params(("name" = String, Path, description = "The role's name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(name): Path<String>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    if admins::remove_role(&st, &By::admin(caller, &admin.0), &name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("role"))
    }
}

/// Gives a role for `scope`; the answer's `Location` is `base/{id}`.
async fn assign(
    st: &AppState,
    admin: &AdminAuth,
    caller: Caller,
    scope: Scope,
    body: JsonObject,
    base: String,
) -> Result<impl IntoResponse + use<>, Problem> {
    let input: AssignmentInput = parse(Value::Object(body.0))?;
    let principal = match (input.user_id, input.service_account) {
        (Some(u), None) => Principal::User(u),
        (None, Some(c)) => Principal::ServiceAccount(c),
        _ => {
            return Err(Problem::invalid(FieldError::new(
                "user_id",
                "give exactly one of user_id and service_account",
            )));
        }
    };
    let by = By::admin(caller, &admin.0);
    let assignment = admins::assign(st, &by, &admin.0, principal, scope, input.role).await?;
    let location = format!("{base}/{}", assignment.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(AssignmentView::from(assignment))))
}

/// Lists the assignments for `scope`.
async fn list(
    st: &AppState,
    scope: &Scope,
    params: &ListParams,
) -> Result<Json<ListResponse<AssignmentView>>, Problem> {
    let page = st.durable.list_role_assignments(&st.node.admin.control_tenant, scope, &params.page("roles")?).await?;
    Ok(Json(ListResponse {
        items: page.items.into_iter().map(AssignmentView::from).collect(),
        next_cursor: cursor("roles", page.next_after),
    }))
}

/// Takes back assignment `id` of `scope`.
async fn unassign(
    st: &AppState,
    admin: &AdminAuth,
    caller: Caller,
    scope: &Scope,
    id: &str,
) -> Result<StatusCode, Problem> {
    let found = st.durable.get_role_assignment(&st.node.admin.control_tenant, id).await?;
    let Some(assignment) = found.filter(|a| a.scope == *scope) else {
        return Err(Problem::not_found("role assignment"));
    };
    if admins::unassign(st, &By::admin(caller, &admin.0), &admin.0, &assignment).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("role assignment"))
    }
}

/// Give a role for the whole deployment.
#[utoipa::path(post, path = "/role-assignments", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    request_body = AssignmentInput,
    responses(
        (status = 201, body = AssignmentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The role has a permission you lack", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Already given", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn assign_deployment_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> Result<impl IntoResponse, Problem> {
    assign(&st, &admin, caller, Scope::Deployment, body, "/admin/v1/role-assignments".into()).await
}

/// List the deployment-wide role assignments.
#[utoipa::path(get, path = "/role-assignments", extensions(("x-permission" = json!("roles:read"))), tag = "administrators",
    params(ListParams),
    responses(
        (status = 200, body = ListResponse<AssignmentView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_deployment_assignments(
    _: AdminAuth,
    State(st): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<AssignmentView>>, Problem> {
    list(&st, &Scope::Deployment, &params).await
}

/// Take back a deployment-wide role.
#[utoipa::path(delete, path = "/role-assignments/{assignment_id}", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    params(("assignment_id" = String, Path, description = "Assignment id")),
    responses(
        (status = 204, description = "Taken back"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn unassign_deployment_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    unassign(&st, &admin, caller, &Scope::Deployment, &id).await
}

/// Give a role for this tenant.
#[utoipa::path(post, path = "/tenants/{tenant}/role-assignments", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = AssignmentInput,
    responses(
        (status = 201, body = AssignmentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The role has a permission you lack", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Already given", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn assign_tenant_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    body: JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let base = format!("/admin/v1/tenants/{}/role-assignments", tenant.id);
    assign(&st, &admin, caller, Scope::Tenant(tenant.id), body, base).await
}

/// List the role assignments for this tenant.
#[utoipa::path(get, path = "/tenants/{tenant}/role-assignments", extensions(("x-permission" = json!("roles:read"))), tag = "administrators",
    params(("tenant" = String, Path, description = "Tenant id"), ListParams),
    responses(
        (status = 200, body = ListResponse<AssignmentView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_tenant_assignments(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<ListResponse<AssignmentView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    list(&st, &Scope::Tenant(tenant.id), &params).await
}

/// Take back a role for this tenant.
#[utoipa::path(delete, path = "/tenants/{tenant}/role-assignments/{assignment_id}", extensions(("x-permission" = json!("roles:write"))), tag = "administrators",
    params(("tenant" = String, Path, description = "Tenant id"), ("assignment_id" = String, Path, description = "Assignment id")),
    responses(
        (status = 204, description = "Taken back"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn unassign_tenant_role(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    unassign(&st, &admin, caller, &Scope::Tenant(tenant.id), &id).await
}
