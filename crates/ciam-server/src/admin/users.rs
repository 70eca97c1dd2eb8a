//! `/admin/v1/tenants/{tenant}/users`: create, read, list, update (merge patch) and delete users.
//! Passwords are write-only: hashed with argon2id before storage and never returned.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::email::Email;
use ciam_core::id::{TenantId, UserId};
use ciam_core::secret::Secret;
use ciam_core::tenant::Tenant;
use ciam_core::user::{PasswordHash, User, UserProfile, UserSource, UserStatus};
use ciam_core::validation::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    AdminAuth, JsonObject, ListParams, ListResponse, Path, Query, cursor, existing_tenant, merge_patch, parse,
};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, users};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_user, list_users)).routes(routes!(get_user, update_user, delete_user))
}

/// A user as created or patched. Besides the fields below, any standard OIDC profile claim
/// (`name`, `given_name`, `family_name`, `nickname`, `preferred_username`, `picture`, `website`,
/// `locale`, `zoneinfo`, `birthdate`, `phone_number`, `phone_number_verified`) may be given.
#[derive(Deserialize, ToSchema)]
pub(super) struct UserInput {
    /// Sign-in address, unique per tenant (case-insensitive).
    #[schema(value_type = String, format = "email", example = "ada@example.com")]
    email: Email,
    /// Initial or new password (8-1024 characters). Write-only.
    #[schema(value_type = Option<String>, format = Password, write_only)]
    #[serde(default)]
    password: Option<Secret>,
    /// A password hash imported from another system, instead of `password`: argon2 (PHC),
    /// bcrypt (`$2a$`/`$2b$`/`$2y$`), PBKDF2 (PHC `$pbkdf2-sha256$…` or Django
    /// `pbkdf2_sha256$…`), scrypt (PHC, or Firebase's `$firebase-scrypt$…`), SHA-crypt
    /// (`$5$`/`$6$`) or salted SHA-2 (`$salted-sha512$…`, LDAP `{SSHA512}`); or a Keycloak
    /// credential as its export has it: `{"keycloak": {"secretData": "…", "credentialData":
    /// "…"}}` (docs/migration.md). The user signs in with their old password, and that first
    /// sign-in replaces it with an argon2id hash. Write-only.
    #[schema(value_type = Option<String>, format = Password, write_only, example = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW")]
    #[serde(default)]
    password_hash: Option<ImportedHash>,
    /// Whether the address is verified.
    #[serde(default)]
    email_verified: bool,
    /// `active` (default) or `disabled`.
    #[serde(default = "active")]
    status: UserStatus,
    #[serde(flatten)]
    profile: UserProfile,
}

fn active() -> UserStatus {
    UserStatus::Active
}

/// A password hash from another system: its string, or a Keycloak credential.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "a password hash string, or {\"keycloak\": {\"secretData\": \"…\", \"credentialData\": \"…\"}}"
)]
pub(super) enum ImportedHash {
    Text(Secret),
    Keycloak { keycloak: KeycloakCredential },
}

/// A password credential of a Keycloak realm export.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KeycloakCredential {
    #[serde(rename = "secretData")]
    secret_data: Secret,
    #[serde(rename = "credentialData")]
    credential_data: String,
}

impl ImportedHash {
    /// The hash as the server stores it (a Keycloak credential converted to its PHC string).
    fn into_secret(self) -> Result<Secret, Problem> {
        match self {
            Self::Text(s) => Ok(s),
            Self::Keycloak { keycloak } => {
                ciam_authn::legacy::from_keycloak(keycloak.secret_data.expose_secret(), &keycloak.credential_data)
                    .map(Secret::new)
                    .map_err(|why| Problem::invalid(FieldError::new("password_hash", why)))
            }
        }
    }
}

/// The imported hash of an input, converted.
fn imported_hash(hash: Option<ImportedHash>) -> Result<Option<Secret>, Problem> {
    hash.map(ImportedHash::into_secret).transpose()
}

/// The keys [`UserInput`] reads itself; every other key must be a profile claim.
const USER_KEYS: [&str; 5] = ["email", "password", "password_hash", "email_verified", "status"];

/// Parses a user document strictly: the profile claims are checked by [`UserProfile`], which
/// refuses unknown keys (serde cannot refuse them through `flatten`).
fn parse_user(doc: Map<String, Value>) -> Result<UserInput, Problem> {
    let mut claims = doc.clone();
    claims.retain(|k, _| !USER_KEYS.contains(&k.as_str()));
    let profile: UserProfile = parse(Value::Object(claims))?;
    let input: UserInput = parse(Value::Object(doc))?;
    let profile = profile.validate().map_err(Problem::invalid)?;
    Ok(UserInput { profile, ..input })
}

/// The user a line of an import creates (with its password hash), or why the line is refused:
/// a user document as for a create, except that a password comes only as `password_hash`
/// (hashing plaintext would cost an argon2 computation per line).
pub(super) async fn imported_user(
    st: &AppState,
    tenant: &Tenant,
    doc: Map<String, Value>,
) -> Result<(User, Option<PasswordHash>), Problem> {
    if doc.contains_key("password") {
        let why = "an import takes password_hash, not a plaintext password";
        return Err(Problem::invalid(FieldError::new("password", why)));
    }
    let input = parse_user(doc)?;
    let password = users::password_or_hash(st, tenant, None, imported_hash(input.password_hash)?).await?;
    let now = st.clock.now();
    let user = User {
        tenant_id: tenant.id.clone(),
        id: UserId::generate(),
        email: input.email,
        email_verified: input.email_verified,
        status: input.status,
        profile: input.profile,
        source: UserSource::Import,
        created_at: now,
        updated_at: now,
    };
    Ok((user, password))
}

/// A user.
#[derive(Serialize, ToSchema)]
pub(super) struct UserView {
    /// Stable id, the `sub` claim.
    #[schema(value_type = String, format = "uuid")]
    id: UserId,
    /// Sign-in address.
    #[schema(value_type = String, format = "email")]
    email: Email,
    /// Whether the address is verified.
    email_verified: bool,
    /// `active` or `disabled`.
    status: UserStatus,
    #[serde(flatten)]
    profile: UserProfile,
    /// How the account was created: `admin` (this API or the CLI), `sign_up` (the hosted
    /// sign-up page), `invitation` or `import` (`users:import`). Read-only.
    source: UserSource,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            email_verified: u.email_verified,
            status: u.status,
            profile: u.profile,
            source: u.source,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn user_id(id: &str) -> Result<UserId, Problem> {
    UserId::parse(id).map_err(|_| Problem::not_found("user"))
}

pub(super) async fn existing_user(st: &AppState, tenant: &TenantId, id: &str) -> Result<User, Problem> {
    st.durable.get_user(tenant, &user_id(id)?).await?.ok_or_else(|| Problem::not_found("user"))
}

/// Create a user.
#[utoipa::path(post, path = "/tenants/{tenant}/users", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = UserInput,
    responses(
        (status = 201, body = UserView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_user(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let input = parse_user(body)?;
    let password = users::password_or_hash(&st, &tenant, input.password, imported_hash(input.password_hash)?).await?;
    let now = st.clock.now();
    let user = User {
        tenant_id: tenant.id,
        id: UserId::generate(),
        email: input.email,
        email_verified: input.email_verified,
        status: input.status,
        profile: input.profile,
        source: UserSource::Admin,
        created_at: now,
        updated_at: now,
    };
    users::create(&st, &By::admin(caller, &admin.0), &user, password.as_ref()).await?;
    let location = format!("/admin/v1/tenants/{}/users/{}", user.tenant_id, user.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(UserView::from(user))))
}

/// Optional filter of the user list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct UserFilter {
    /// Only the user with this email (case-insensitive).
    email: Option<String>,
    /// Only users whose name starts with this (case-insensitive), in name order, paginated.
    name: Option<String>,
}

/// List a tenant's users in creation order, find one by email, or find users by the start of
/// their name.
#[utoipa::path(get, path = "/tenants/{tenant}/users", extensions(("x-permission" = json!("users:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ListParams, UserFilter),
    responses(
        (status = 200, body = ListResponse<UserView>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_users(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    Query(params): Query<ListParams>,
    Query(filter): Query<UserFilter>,
) -> Result<Json<ListResponse<UserView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if let Some(email) = filter.email {
        // An unparseable address matches nobody; that is an empty list, not an error.
        let found = match Email::parse(&email) {
            Ok(e) => st.durable.find_user_by_email(&tenant.id, e.normalized()).await?,
            Err(_) => None,
        };
        return Ok(Json(ListResponse { items: found.into_iter().map(UserView::from).collect(), next_cursor: None }));
    }
    if let Some(name) = filter.name {
        let key = ciam_core::user::name_key(&name);
        if key.is_empty() {
            return Err(Problem::bad_field(FieldError::new("name", "must not be empty")));
        }
        // The cursor is bound to this search: another name cannot continue it.
        let list = format!("{}/users?name={key}", tenant.id);
        let page = st.durable.find_users_by_name(&tenant.id, &key, &params.page(&list)?).await?;
        return Ok(Json(ListResponse {
            items: page.items.into_iter().map(UserView::from).collect(),
            next_cursor: cursor(&list, page.next_after),
        }));
    }
    let list = format!("{}/users", tenant.id);
    let page = st.durable.list_users(&tenant.id, &params.page(&list)?).await?;
    Ok(Json(ListResponse {
        items: page.items.into_iter().map(UserView::from).collect(),
        next_cursor: cursor(&list, page.next_after),
    }))
}

/// Read a user.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}", extensions(("x-permission" = json!("users:read"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_user(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<UserView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(existing_user(&st, &tenant.id, &id).await?.into()))
}

/// Change a user with a JSON merge patch (RFC 7396); `"password"` sets a new password,
/// `null` clears a profile claim.
#[utoipa::path(patch, path = "/tenants/{tenant}/users/{user_id}", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    request_body(content = UserInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn update_user(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(patch): JsonObject,
) -> Result<Json<UserView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let current = existing_user(&st, &tenant.id, &id).await?;
    let mut doc = serde_json::to_value(UserView::from(current.clone())).map_err(Problem::internal)?;
    if let Value::Object(m) = &mut doc {
        for read_only in ["id", "source", "created_at", "updated_at"] {
            m.remove(read_only);
        }
    }
    merge_patch(&mut doc, Value::Object(patch));
    let Value::Object(doc) = doc else { return Err(Problem::internal("merge patch produced a non-object")) };
    let input = parse_user(doc)?;
    let password = users::password_or_hash(&st, &tenant, input.password, imported_hash(input.password_hash)?).await?;
    let updated = User {
        email: input.email,
        email_verified: input.email_verified,
        status: input.status,
        profile: input.profile,
        updated_at: st.clock.now(),
        ..current.clone()
    };
    // A new password or a disabled account ends every grant of the user (standards S14).
    users::update(&st, &By::admin(caller, &admin.0), &tenant, &current, &updated, password.as_ref()).await?;
    Ok(Json(updated.into()))
}

/// Delete a user and their credentials. Their delegations to agents end, each recorded as
/// `delegation.revoked`.
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_user(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let id = user_id(&id)?;
    if users::delete(&st, &By::admin(caller, &admin.0), &tenant.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("user"))
    }
}

/// The tenant and user of a `/users/{user_id}/…` path, both existing, else 404.
pub(super) async fn user_path(st: &AppState, tenant: &str, user: &str) -> Result<(TenantId, UserId), Problem> {
    let tenant = existing_tenant(st, tenant).await?;
    let id = UserId::parse(user).map_err(|_| Problem::not_found("user"))?;
    st.durable.get_user(&tenant.id, &id).await?.ok_or_else(|| Problem::not_found("user"))?;
    Ok((tenant.id, id))
}
