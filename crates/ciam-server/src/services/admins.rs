//! Administrators: the control tenant, who a management API request comes from, what they may
//! do, and the role assignments that say so (docs/admin-api.md, "Administrators and roles").
//!
//! A request is made with one of:
//! - the static admin token, the break-glass credential (everything, deployment-wide), unless
//!   `admin.break_glass` is off;
//! - an access token of the control tenant for the management API (its audience is
//!   `{public_url}/admin/v1`): a person's, from a sign-in at least as strong as `admin.acr`, or a
//!   service account's (client credentials). Tokens bound to a key (DPoP, mTLS) and delegated
//!   tokens (an agent acting for someone) are refused here.
//!
//! Role changes are audited as `role.assigned` / `role.unassigned` in the trail of the tenant
//! they are for (the control tenant's for deployment-wide ones), and custom roles as
//! `role.defined` / `role.removed` in the control tenant's.

use std::collections::BTreeSet;

use ciam_core::admin::{
    BuiltinRole, CustomRole, Grants, Permission, Principal, RoleAssignment, Scope, role_permissions,
};
use ciam_core::audit::AuditRecord;
use ciam_core::id::{ClientId, ResourceId, TenantId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::resource::Resource;
use ciam_core::store::{ClientStore, StoreError};
use ciam_core::tenant::{MfaMode, Tenant, TenantSettings};
use ciam_core::{Acr, FieldError};
use serde_json::Value;

use super::{By, ServiceError, audited, ports};
use crate::config::AdminSettings;
use crate::state::AppState;

/// The management API's resource in the control tenant.
const API_RESOURCE: &str = "management-api";
/// The lifetime of an administrator's access token, seconds.
const TOKEN_LIFETIME_SECS: u32 = 600;

/// Who is making a management API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Acting {
    /// The static admin token.
    BreakGlass,
    /// A control-tenant principal.
    Principal(Principal),
}

/// An authenticated administrator and everything they may do.
#[derive(Debug, Clone)]
pub(crate) struct Admin {
    /// Who.
    pub(crate) acting: Acting,
    /// What they may do.
    pub(crate) grants: Grants,
    /// A person's email address, as their token's account has it now (the console shows it).
    pub(crate) email: Option<String>,
}

impl Admin {
    /// How the audit trail names them: `break-glass token`, `administrator {user id}` or
    /// `service account {client id}`.
    pub(crate) fn label(&self) -> String {
        match &self.acting {
            Acting::BreakGlass => "break-glass token".to_owned(),
            Acting::Principal(Principal::User(u)) => format!("administrator {u}"),
            Acting::Principal(Principal::ServiceAccount(c)) => format!("service account {c}"),
        }
    }
}

/// Why a request is not an administrator's.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unauthenticated {
    #[error("send an administrator's access token (or the admin token) as Authorization: Bearer <token>")]
    NoToken,
    #[error("the token is not valid for the management API")]
    BadToken,
    #[error("the break-glass admin token is turned off on this deployment (admin.break_glass)")]
    BreakGlassOff,
    #[error("the management API needs a sign-in of at least {}: sign in again", .0.as_str())]
    WeakSignIn(Acr),
    #[error("the management API accepts only bearer tokens of an administrator, not bound or delegated ones")]
    NotPlain,
    #[error(transparent)]
    Failed(#[from] ServiceError),
}

/// The audience of administrators' tokens.
pub(crate) fn api_audience(st: &AppState) -> String {
    format!("{}/admin/v1", st.node.public_url)
}

/// Creates the control tenant on first start (sign-in always with a second factor, sign-up
/// closed), and registers the console's client and the management API (as its resource) under
/// this deployment's public URL.
///
/// Nodes starting together on one database race to do it: a node that finds the tenant taken
/// but not yet written (or its client or resource half made) tries again, for up to 5 seconds.
pub(crate) async fn bootstrap(st: &AppState) -> Result<(), ServiceError> {
    // A node that does not serve the control region leaves this to one that does.
    if !st.node.regions.iter().any(|r| r.region == st.node.region && r.served) {
        return Ok(());
    }
    let mut tries = 0;
    loop {
        match bootstrap_once(st).await {
            Err(ServiceError::Store(StoreError::NotFound | StoreError::Conflict { .. })) if tries < 25 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            done => return done,
        }
    }
}

async fn bootstrap_once(st: &AppState) -> Result<(), ServiceError> {
    let control = &st.node.admin.control_tenant;
    let by = By::system("first start");
    let now = st.clock.now();
    if st.durable.get_tenant(control).await?.is_none() {
        let mut settings = TenantSettings::default();
        settings.login.mfa = MfaMode::Always;
        let tenant = Tenant {
            id: control.clone(),
            display_name: "Administrators".into(),
            home_region: st.node.region.clone(),
            settings,
            created_at: now,
            updated_at: now,
            incarnation: ciam_core::tenant::new_incarnation(),
        };
        match super::tenants::create(st, &by, &tenant).await {
            Ok(()) => tracing::info!(tenant = %control, "control tenant created: its users are the administrators"),
            // Another node created it first.
            Err(ServiceError::Store(StoreError::Conflict { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    super::console::ensure_client(st, &by).await?;
    let id = ResourceId::parse(API_RESOURCE).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let identifier = api_audience(st);
    match st.durable.get_resource(control, &id).await? {
        Some(r) if r.identifier == identifier => Ok(()),
        Some(r) => {
            let moved = Resource { identifier, updated_at: now, ..r };
            super::resources::update(st, &by, &moved).await.map(drop)
        }
        None => {
            let api = Resource {
                tenant_id: control.clone(),
                id,
                identifier,
                name: "ciam management API".into(),
                scopes: Default::default(),
                access_token_lifetime: TOKEN_LIFETIME_SECS,
                introspection: None,
                created_at: now,
                updated_at: now,
            };
            match super::resources::create(st, &by, &api).await {
                Err(ServiceError::Store(StoreError::Conflict { .. })) => Ok(()),
                other => other.map(drop),
            }
        }
    }
}

/// The administrator a bearer token stands for.
pub(crate) async fn authenticate(st: &AppState, token: Option<&str>) -> Result<Admin, Unauthenticated> {
    let settings: &AdminSettings = &st.node.admin;
    let token = token.filter(|t| !t.is_empty()).ok_or(Unauthenticated::NoToken)?;
    if st.admin_token.iter().any(|hash| hash.verify(token)) {
        if !settings.break_glass {
            return Err(Unauthenticated::BreakGlassOff);
        }
        return Ok(Admin { acting: Acting::BreakGlass, grants: Grants::everything(), email: None });
    }
    let control = &settings.control_tenant;
    let live = st
        .issuance
        .verified_access_token(control, token)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .ok_or(Unauthenticated::BadToken)?;
    let claims = &live.claims;
    let audience = api_audience(st);
    let for_api = match claims.get("aud") {
        Some(Value::String(a)) => *a == audience,
        Some(Value::Array(all)) => all.iter().any(|a| a.as_str() == Some(audience.as_str())),
        _ => false,
    };
    if !for_api {
        return Err(Unauthenticated::BadToken);
    }
    if claims.contains_key("cnf") || claims.contains_key("act") {
        return Err(Unauthenticated::NotPlain);
    }
    let email = live.user.as_ref().map(|u| u.email.as_str().to_owned());
    let principal = match live.user {
        Some(user) => {
            let acr = claims.get("acr").and_then(Value::as_str).and_then(Acr::parse).unwrap_or(Acr::Password);
            if !acr.satisfies(settings.acr) {
                return Err(Unauthenticated::WeakSignIn(settings.acr));
            }
            Principal::User(user.id)
        }
        None => {
            let client = claims.get("client_id").and_then(Value::as_str);
            match client.filter(|c| claims.get("sub").and_then(Value::as_str) == Some(*c)) {
                Some(c) => Principal::ServiceAccount(ClientId::parse(c).map_err(|_| Unauthenticated::BadToken)?),
                None => return Err(Unauthenticated::BadToken),
            }
        }
    };
    let grants = grants_of(st, &principal).await?;
    Ok(Admin { acting: Acting::Principal(principal), grants, email })
}

/// The tenants `grants` has a role in (every tenant for a deployment-wide role), a page at a
/// time in id order.
pub(crate) async fn visible_tenants(
    st: &AppState,
    grants: &Grants,
    page: &PageRequest,
) -> Result<Page<Tenant>, ServiceError> {
    let Some(ids) = grants.tenants() else { return Ok(st.durable.list_tenants(page).await?) };
    let after = page.after.as_deref().unwrap_or("");
    let mut items = Vec::new();
    for id in ids.into_iter().filter(|id| id.as_str() > after).take(page.size() as usize + 1) {
        items.extend(st.durable.get_tenant(id).await?);
    }
    Ok(Page::from_overfetch(items, page.size(), |t| t.id.to_string()))
}

/// What `principal`'s role assignments give.
async fn grants_of(st: &AppState, principal: &Principal) -> Result<Grants, ServiceError> {
    let control = &st.node.admin.control_tenant;
    let assignments = st.durable.role_assignments_of(control, principal).await?;
    let custom = if assignments.iter().all(|a| BuiltinRole::parse(&a.role).is_some()) {
        Vec::new()
    } else {
        st.durable.custom_roles(control).await?
    };
    Ok(Grants::of(&assignments, &custom))
}

/// The permissions of role `name`, or a 422 naming the field.
pub(crate) async fn permissions_of(st: &AppState, name: &str) -> Result<BTreeSet<Permission>, ServiceError> {
    if let Some(builtin) = BuiltinRole::parse(name) {
        return Ok(builtin.permissions());
    }
    let custom = st.durable.custom_roles(&st.node.admin.control_tenant).await?;
    role_permissions(name, &custom).ok_or_else(|| ServiceError::Invalid(FieldError::new("role", "is not a role")))
}

/// The trail a role change for `scope` goes to.
fn trail_of<'a>(st: &'a AppState, scope: &'a Scope) -> &'a TenantId {
    scope.tenant().unwrap_or(&st.node.admin.control_tenant)
}

fn role_event(kind: &str, a: &RoleAssignment) -> AuditRecord {
    let mut event = AuditRecord::allow(kind);
    event.reason = Some(format!("{} as {} for {}", a.principal.key(), a.role, scope_words(&a.scope)));
    event
}

fn scope_words(scope: &Scope) -> String {
    match scope {
        Scope::Deployment => "the deployment".to_owned(),
        Scope::Tenant(t) => format!("tenant {t}"),
    }
}

/// Whether `principal` exists in the control tenant (a user, or a service account).
async fn principal_exists(st: &AppState, principal: &Principal) -> Result<bool, ServiceError> {
    let control = &st.node.admin.control_tenant;
    Ok(match principal {
        Principal::User(u) => st.durable.get_user(control, u).await?.is_some(),
        Principal::ServiceAccount(c) => ports(st).get_client(control, c).await?.is_some_and(|c| is_service_account(&c)),
    })
}

/// A confidential client of the control tenant with one grant and nothing else (the console
/// and service accounts start from it).
pub(crate) fn control_client(
    st: &AppState,
    client_id: ClientId,
    name: &str,
    grant: ciam_core::client::GrantType,
) -> ciam_core::client::Client {
    use ciam_core::client::{AuthMethod, Client, ClientType};
    Client::minimal(
        st.node.admin.control_tenant.clone(),
        client_id,
        name.to_owned(),
        ClientType::Confidential,
        vec![grant],
        AuthMethod::ClientSecretBasic,
        st.clock.now(),
    )
}

/// Whether a control-tenant client is a service account: a confidential client whose only
/// grant is `client_credentials`.
pub(crate) fn is_service_account(client: &ciam_core::client::Client) -> bool {
    client.agent.is_none() && client.grant_types == [ciam_core::client::GrantType::ClientCredentials]
}

/// Gives `role` to `principal` for `scope`, by `admin`, who must hold every permission of the
/// role there.
pub(crate) async fn assign(
    st: &AppState,
    by: &By,
    admin: &Admin,
    principal: Principal,
    scope: Scope,
    role: String,
) -> Result<RoleAssignment, ServiceError> {
    let permissions = permissions_of(st, &role).await?;
    if !admin.grants.covers(&scope, &permissions) {
        return Err(ServiceError::Forbidden(format!(
            "you may not give the role {role}: it has permissions you do not hold for {}",
            scope_words(&scope)
        )));
    }
    if !principal_exists(st, &principal).await? {
        return Err(ServiceError::Invalid(FieldError::new(
            "principal",
            "names no user or service account of the control tenant",
        )));
    }
    if let Some(t) = scope.tenant()
        && st.durable.get_tenant(t).await?.is_none()
    {
        return Err(ServiceError::Invalid(FieldError::new("tenant", "no such tenant")));
    }
    let assignment = RoleAssignment {
        control_tenant: st.node.admin.control_tenant.clone(),
        id: RoleAssignment::new_id(),
        principal,
        scope,
        role,
        created_at: st.clock.now(),
    };
    st.durable.create_role_assignment(&assignment).await?;
    audited(st, trail_of(st, &assignment.scope), by, role_event("role.assigned", &assignment)).await?;
    Ok(assignment)
}

/// Takes an assignment back, by `admin`, who must be able to give it.
pub(crate) async fn unassign(
    st: &AppState,
    by: &By,
    admin: &Admin,
    assignment: &RoleAssignment,
) -> Result<bool, ServiceError> {
    // A deleted custom role gives nothing, so anyone who may change roles may take it back.
    let permissions = match permissions_of(st, &assignment.role).await {
        Err(ServiceError::Invalid(_)) => BTreeSet::new(),
        other => other?,
    };
    if !admin.grants.covers(&assignment.scope, &permissions) {
        return Err(ServiceError::Forbidden(format!(
            "you may not take back the role {}: it has permissions you do not hold",
            assignment.role
        )));
    }
    if !st.durable.delete_role_assignment(&assignment.control_tenant, &assignment.id).await? {
        return Ok(false);
    }
    audited(st, trail_of(st, &assignment.scope), by, role_event("role.unassigned", assignment)).await?;
    Ok(true)
}

/// Creates or replaces a custom role (`role.defined`).
pub(crate) async fn define_role(st: &AppState, by: &By, role: &CustomRole) -> Result<(), ServiceError> {
    role.validate().map_err(ServiceError::Invalid)?;
    st.durable.save_custom_role(role).await?;
    let mut event = AuditRecord::allow("role.defined");
    event.reason =
        Some(format!("{}: {}", role.name, role.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")));
    audited(st, &role.control_tenant, by, event).await
}

/// Removes a custom role (`role.removed`); its assignments then give nothing.
pub(crate) async fn remove_role(st: &AppState, by: &By, name: &str) -> Result<bool, ServiceError> {
    let control = &st.node.admin.control_tenant;
    if !st.durable.delete_custom_role(control, name).await? {
        return Ok(false);
    }
    let mut event = AuditRecord::allow("role.removed");
    event.reason = Some(name.to_owned());
    audited(st, control, by, event).await?;
    Ok(true)
}

/// What goes when tenant `id` is deleted: the roles given for it.
pub(crate) async fn forget_tenant(st: &AppState, id: &TenantId) -> Result<(), ServiceError> {
    st.durable.delete_scope_assignments(&st.node.admin.control_tenant, &Scope::Tenant(id.clone())).await?;
    Ok(())
}

/// What goes when an administrator (a control-tenant user or service account) is deleted: their
/// roles.
pub(crate) async fn forget_principal(st: &AppState, principal: &Principal) -> Result<(), ServiceError> {
    st.durable.delete_principal_assignments(&st.node.admin.control_tenant, principal).await?;
    Ok(())
}
