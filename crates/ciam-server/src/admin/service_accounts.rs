//! `/admin/v1/service-accounts`: credentials for automation (infrastructure as code, scripts).
//! A service account is a client-credentials client of the control tenant; it gets a token for
//! the management API at the control tenant's token endpoint and may do what its role
//! assignments say (none at first).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::client::{AuthMethod, Client, GrantType};
use ciam_core::id::ClientId;
use ciam_core::validation::display_text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, Path, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody, ProblemKind};
use crate::services::{By, admins, clients};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_service_account, list_service_accounts))
        .routes(routes!(get_service_account, delete_service_account))
        .routes(routes!(rotate_service_account_secret))
}

/// A service account to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ServiceAccountInput {
    /// Its client id (3-128 characters); generated when absent.
    #[schema(value_type = Option<String>, example = "terraform")]
    client_id: Option<ClientId>,
    /// What it is for (1-200 characters).
    #[schema(example = "Terraform, production")]
    name: String,
    /// Its public keys (a JWK Set) for `private_key_jwt`; without them it gets a secret.
    jwks: Option<Value>,
}

/// A service account.
#[derive(Serialize, ToSchema)]
pub(super) struct ServiceAccountView {
    /// Its client id.
    client_id: String,
    /// What it is for.
    name: String,
    /// `client_secret_basic` or `private_key_jwt`.
    token_endpoint_auth_method: String,
    /// Where it gets its tokens (client credentials).
    token_endpoint: String,
    /// The `resource` to ask for: the management API.
    resource: String,
    /// Its secret, in the creation's answer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl ServiceAccountView {
    fn new(st: &AppState, c: &Client) -> Self {
        let method = match c.token_endpoint_auth_method {
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            _ => "client_secret_basic",
        };
        Self {
            client_id: c.client_id.to_string(),
            name: c.name.clone(),
            token_endpoint_auth_method: method.to_owned(),
            token_endpoint: format!("{}/token", st.issuer(&st.node.admin.control_tenant)),
            resource: admins::api_audience(st),
            client_secret: None,
            created_at: c.created_at,
        }
    }
}

async fn existing(st: &AppState, id: &str) -> Result<Client, Problem> {
    let id = ClientId::parse(id).map_err(|_| Problem::not_found("service account"))?;
    let control = &st.node.admin.control_tenant;
    match st.durable.get_client(control, &id).await? {
        Some(c) if admins::is_service_account(&c) => Ok(c),
        _ => Err(Problem::not_found("service account")),
    }
}

/// Create a service account. Without `jwks` the answer carries `client_secret`, once.
#[utoipa::path(post, path = "/service-accounts", extensions(("x-permission" = json!("service_accounts:write"))), tag = "administrators",
    request_body = ServiceAccountInput,
    responses(
        (status = 201, body = ServiceAccountView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The client_id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_service_account(
    admin: AdminAuth,
    State(st): State<AppState>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let input: ServiceAccountInput = parse(Value::Object(body))?;
    let id = input.client_id.unwrap_or_else(ClientId::generate);
    let name = display_text("name", &input.name, 200).map_err(Problem::invalid)?;
    let mut account = admins::control_client(&st, id, &name, GrantType::ClientCredentials);
    if input.jwks.is_some() {
        account.token_endpoint_auth_method = AuthMethod::PrivateKeyJwt;
        account.jwks = input.jwks;
    }
    account.validate().map_err(Problem::invalid)?;
    let secret = clients::create(&st, &By::admin(caller, &admin.0), &account).await?;
    let mut view = ServiceAccountView::new(&st, &account);
    view.client_secret = secret.map(|s| s.expose_secret().to_owned());
    let location = format!("/admin/v1/service-accounts/{}", account.client_id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)))
}

/// List the service accounts.
#[utoipa::path(get, path = "/service-accounts", extensions(("x-permission" = json!("service_accounts:read"))), tag = "administrators",
    responses(
        (status = 200, body = Vec<ServiceAccountView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_service_accounts(
    _: AdminAuth,
    State(st): State<AppState>,
) -> Result<Json<Vec<ServiceAccountView>>, Problem> {
    // The control tenant's clients are few (its sign-in clients and the service accounts).
    let control = &st.node.admin.control_tenant;
    let mut accounts = Vec::new();
    let mut after = None;
    loop {
        let page = st.durable.list_clients(control, &ciam_core::page::PageRequest { limit: 200, after }).await?;
        accounts.extend(
            page.items.iter().filter(|c| admins::is_service_account(c)).map(|c| ServiceAccountView::new(&st, c)),
        );
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(Json(accounts)),
        }
    }
}

/// Read a service account.
#[utoipa::path(get, path = "/service-accounts/{client_id}", extensions(("x-permission" = json!("service_accounts:read"))), tag = "administrators",
    params(("client_id" = String, Path, description = "Client id")),
    responses(
        (status = 200, body = ServiceAccountView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_service_account(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ServiceAccountView>, Problem> {
    let account = existing(&st, &id).await?;
    Ok(Json(ServiceAccountView::new(&st, &account)))
}

/// Delete a service account with its roles; its tokens give nothing from then on.
#[utoipa::path(delete, path = "/service-accounts/{client_id}", extensions(("x-permission" = json!("service_accounts:write"))), tag = "administrators",
    params(("client_id" = String, Path, description = "Client id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_service_account(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let account = existing(&st, &id).await?;
    if !clients::delete(&st, &By::admin(caller, &admin.0), &account).await? {
        return Err(Problem::not_found("service account"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Issue a new secret; the old one stops working at once.
#[utoipa::path(post, path = "/service-accounts/{client_id}/secret", extensions(("x-permission" = json!("service_accounts:write"))), tag = "administrators",
    params(("client_id" = String, Path, description = "Client id")),
    responses(
        (status = 200, body = ServiceAccountView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "It authenticates with keys", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn rotate_service_account_secret(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Json<ServiceAccountView>, Problem> {
    let account = existing(&st, &id).await?;
    if !account.token_endpoint_auth_method.uses_secret() {
        return Err(Problem::new(ProblemKind::Conflict, "this service account authenticates with keys, not a secret"));
    }
    let secret = clients::rotate_secret(&st, &By::admin(caller, &admin.0), &account).await?;
    let mut view = ServiceAccountView::new(&st, &account);
    view.client_secret = Some(secret.expose_secret().to_owned());
    Ok(Json(view))
}
