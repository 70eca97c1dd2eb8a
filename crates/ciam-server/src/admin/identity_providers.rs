//! `/admin/v1/tenants/{tenant}/identity-providers`: the upstream OpenID Connect providers users
//! sign in with ("Continue with Google", an enterprise IdP), and
//! `/admin/v1/tenants/{tenant}/users/{user}/identities`: the upstream accounts linked to a user.
//!
//! A provider's client secret is write-only: sealed at rest, never returned (`has_client_secret`
//! says whether there is one).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::FieldError;
use ciam_core::federation::{FederatedIdentity, IdentityProvider, ProviderConfig};
use ciam_core::id::TenantId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::existing_user;
use super::{AdminAuth, JsonObject, Path, existing_tenant, parse, patched};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::By;
use crate::services::federation::{self, SecretChange, Unlinked};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_provider, list_providers))
        .routes(routes!(get_provider, update_provider, delete_provider))
        .routes(routes!(list_identities, link_identity))
        .routes(routes!(unlink_identity))
}

/// A provider as created (the body of a POST; a PATCH is a merge patch of the same fields).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // the schema of the body, which is parsed field by field to refuse unknown ones
pub(super) struct ProviderInput {
    /// Id in URLs, the `idp` parameter and the button's form: 1-32 of `a-z 0-9 -`. Fixed.
    #[schema(example = "corp")]
    id: String,
    /// The settings. `issuer` may be left out for `google` and `microsoft`.
    #[serde(flatten)]
    config: ProviderConfig,
    /// The client secret at the upstream (for `client_secret_basic` and `client_secret_post`).
    /// Write-only; `null` in a PATCH removes it.
    client_secret: Option<String>,
}

/// A provider.
#[derive(Serialize, ToSchema)]
pub(super) struct ProviderView {
    /// Id.
    id: String,
    /// The settings.
    #[serde(flatten)]
    config: ProviderConfig,
    /// Whether a client secret is set (it is never shown).
    has_client_secret: bool,
    /// The redirect URI to register at the upstream.
    redirect_uri: String,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl ProviderView {
    fn new(st: &AppState, p: IdentityProvider) -> Self {
        Self {
            redirect_uri: federation::redirect_uri(st, &p.tenant_id),
            // A SAML provider's secret is this service's own key, not one the admin gave.
            has_client_secret: p.sealed_secret.is_some() && p.config.kind != ciam_core::federation::ProviderKind::Saml,
            id: p.id,
            config: p.config,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

const READ_ONLY: [&str; 4] = ["has_client_secret", "redirect_uri", "created_at", "updated_at"];

/// Splits a body into the id, the settings and the client secret ([`federation::input`]); the
/// view's read-only fields are refused.
fn read_input(body: Map<String, Value>) -> Result<(String, ProviderConfig, Option<Value>), Problem> {
    for field in READ_ONLY {
        if body.contains_key(field) {
            return Err(Problem::invalid(FieldError::new(field, "is read-only")));
        }
    }
    Ok(federation::input(body)?)
}

/// A SAML provider given by `saml_metadata_url` (when `fetch`): the document fetched into
/// `saml_metadata`, and the issuer it names (a changed document names its own).
async fn fetch_saml_metadata(st: &AppState, body: &mut Map<String, Value>, fetch: bool) -> Result<(), Problem> {
    let Some(url) = body.get("saml_metadata_url").and_then(Value::as_str).filter(|_| fetch) else { return Ok(()) };
    let xml = crate::services::saml::fetch_metadata(st, url).await.map_err(Problem::invalid)?;
    let entity_id = crate::services::saml::entity_id_of(&xml).map_err(Problem::invalid)?;
    body.insert("saml_metadata".into(), Value::String(xml));
    body.insert("issuer".into(), Value::String(entity_id));
    Ok(())
}

async fn existing(st: &AppState, tenant: &TenantId, id: &str) -> Result<IdentityProvider, Problem> {
    st.durable.get_identity_provider(tenant, id).await?.ok_or_else(|| Problem::not_found("identity provider"))
}

/// Add an upstream identity provider. Register the response's `redirect_uri` at the upstream.
#[utoipa::path(post, path = "/tenants/{tenant}/identity-providers", extensions(("x-permission" = json!("identity_providers:write"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = ProviderInput,
    responses(
        (status = 201, body = ProviderView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_provider(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(mut body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    fetch_saml_metadata(&st, &mut body, true).await?;
    let (id, config, secret) = read_input(body)?;
    let secret = secret.as_ref().and_then(Value::as_str);
    let p = federation::create_provider(&st, &By::admin(caller, &admin.0), &tenant.id, &id, config, secret).await?;
    let location = format!("/admin/v1/tenants/{}/identity-providers/{}", tenant.id, p.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ProviderView::new(&st, p))))
}

/// List a tenant's identity providers by id.
#[utoipa::path(get, path = "/tenants/{tenant}/identity-providers", extensions(("x-permission" = json!("identity_providers:read"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = Vec<ProviderView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_providers(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<ProviderView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let list = st.durable.list_identity_providers(&tenant.id).await?;
    Ok(Json(list.into_iter().map(|p| ProviderView::new(&st, p)).collect()))
}

/// Read an identity provider.
#[utoipa::path(get, path = "/tenants/{tenant}/identity-providers/{provider_id}", extensions(("x-permission" = json!("identity_providers:read"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("provider_id" = String, Path, description = "Provider id")),
    responses(
        (status = 200, body = ProviderView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_provider(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<ProviderView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    Ok(Json(ProviderView::new(&st, existing(&st, &tenant.id, &id).await?)))
}

/// Change an identity provider with a JSON merge patch (RFC 7396); `id` is fixed.
/// `client_secret` replaces the secret, `null` removes it, leaving it out keeps it.
#[utoipa::path(patch, path = "/tenants/{tenant}/identity-providers/{provider_id}", extensions(("x-permission" = json!("identity_providers:write"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("provider_id" = String, Path, description = "Provider id")),
    request_body(content = ProviderInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ProviderView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn update_provider(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(mut patch): JsonObject,
) -> Result<Json<ProviderView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let current = existing(&st, &tenant.id, &id).await?;
    let secret = patch.remove("client_secret");
    let refetch = patch.contains_key("saml_metadata_url");
    fetch_saml_metadata(&st, &mut patch, refetch).await?;
    let mut merged: Map<String, Value> = patched(ProviderView::new(&st, current.clone()), &READ_ONLY, patch)?;
    if let Some(s) = secret.clone() {
        merged.insert("client_secret".into(), s);
    }
    let (new_id, config, secret) = read_input(merged)?;
    super::unchanged("id", &current.id, &new_id)?;
    let change = match secret {
        None => SecretChange::Keep,
        Some(Value::String(s)) => SecretChange::Set(s),
        Some(_) => SecretChange::Remove,
    };
    let p = federation::update_provider(&st, &By::admin(caller, &admin.0), &current, config, change).await?;
    Ok(Json(ProviderView::new(&st, p)))
}

/// Delete an identity provider, and every link made through it: its users sign in another way
/// (or not at all, if it was their only one).
#[utoipa::path(delete, path = "/tenants/{tenant}/identity-providers/{provider_id}", extensions(("x-permission" = json!("identity_providers:write"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("provider_id" = String, Path, description = "Provider id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_provider(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if federation::delete_provider(&st, &By::admin(caller, &admin.0), &tenant.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("identity provider"))
    }
}

/// An upstream account linked to a user.
#[derive(Serialize, ToSchema)]
pub(super) struct IdentityView {
    /// The provider's id.
    provider: String,
    /// The upstream's `sub`.
    subject: String,
    /// The address the upstream asserted when the link was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    /// When the link was made (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    linked_at: OffsetDateTime,
}

impl From<FederatedIdentity> for IdentityView {
    fn from(l: FederatedIdentity) -> Self {
        Self { provider: l.provider_id, subject: l.subject, email: l.email, linked_at: l.linked_at }
    }
}

/// A link an administrator makes (for accounts brought over from another system).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LinkInput {
    /// The provider's id.
    provider: String,
    /// The upstream's `sub` for the account (1-255 characters).
    subject: String,
}

/// List the upstream accounts linked to a user.
#[utoipa::path(get, path = "/tenants/{tenant}/users/{user_id}/identities", extensions(("x-permission" = json!("users:read"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = Vec<IdentityView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_identities(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
) -> Result<Json<Vec<IdentityView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    let links = st.durable.list_user_identities(&tenant.id, &user.id).await?;
    Ok(Json(links.into_iter().map(IdentityView::from).collect()))
}

/// Link an upstream account to a user. An upstream account is linked to one user at most.
#[utoipa::path(post, path = "/tenants/{tenant}/users/{user_id}/identities", extensions(("x-permission" = json!("users:write"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id")),
    request_body = LinkInput,
    responses(
        (status = 201, body = IdentityView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The upstream account is linked already", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn link_identity(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    let input: LinkInput = parse(Value::Object(body))?;
    if input.subject.is_empty() || input.subject.len() > 255 || input.subject.chars().any(char::is_control) {
        return Err(Problem::invalid(FieldError::new("subject", "must be 1 to 255 characters of text")));
    }
    if st.durable.get_identity_provider(&tenant.id, &input.provider).await?.is_none() {
        return Err(Problem::invalid(FieldError::new("provider", "is not an identity provider of the tenant")));
    }
    let by = By::admin(caller, &admin.0);
    let link = federation::identity(&st, &tenant.id, (&input.provider, &input.subject), None, &user.id);
    federation::link(&st, &by, &link, "admin").await?;
    Ok((StatusCode::CREATED, Json(IdentityView::from(link))))
}

/// Unlink an upstream account from a user (even the user's last way to sign in: an
/// administrator decides).
#[utoipa::path(delete, path = "/tenants/{tenant}/users/{user_id}/identities/{provider_id}/{subject}", extensions(("x-permission" = json!("users:write"))), tag = "identity providers",
    params(("tenant" = String, Path, description = "Tenant id"), ("user_id" = String, Path, description = "User id"),
        ("provider_id" = String, Path, description = "Provider id"), ("subject" = String, Path, description = "The upstream's sub, percent-encoded")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn unlink_identity(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, user, provider, subject)): Path<(String, String, String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let user = existing_user(&st, &tenant.id, &user).await?;
    match federation::unlink(&st, &By::admin(caller, &admin.0), &tenant, &user.id, &provider, &subject, false).await? {
        Unlinked::Done => Ok(StatusCode::NO_CONTENT),
        Unlinked::NotFound | Unlinked::LastWay => Err(Problem::not_found("identity")),
    }
}
