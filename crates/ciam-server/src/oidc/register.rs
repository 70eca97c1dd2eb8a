//! Dynamic client registration (RFC 7591) at `POST /t/{tenant}/register`, and the registered
//! client's own management of its registration (RFC 7592) at `/t/{tenant}/register/{client_id}`.
//!
//! The tenant's `settings.registration` decides who may register: nobody (`closed`, the
//! default: the endpoint answers 403 and discovery does not name it), holders of an initial
//! access token from the management API (`initial_access_token`; confidential clients too), or
//! anyone (`open`) for public clients within the policy's scopes, rate-limited per address; MCP
//! clients register this way. Each registration returns a registration access token, kept only
//! as its hash, with which the client reads, replaces or deletes its registration.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::client::{Client, ClientType};
use ciam_core::id::ClientId;
use ciam_core::keyspace::{self, Counter};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::Secret;
use ciam_core::tenant::{RegistrationMode, Tenant};
use ciam_oauth::registration::{self, ClientMetadata, Limits};
use ciam_oauth::{ErrorCode, OAuthError};
use serde::Serialize;
use serde_json::Value;

use crate::audit::Caller;
use crate::error::OAuthFailure;
use crate::http::Path;
use crate::http::tenant_record;
use crate::services::{By, ServiceError, clients};
use crate::state::AppState;

/// The registration response (RFC 7591 §3.2.1, RFC 7592 §3).
#[derive(Serialize)]
struct Registered {
    client_id: String,
    client_id_issued_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    /// 0: the secret does not expire (RFC 7591 §3.2.1); present whenever a secret is.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_access_token: Option<String>,
    registration_client_uri: String,
    #[serde(flatten)]
    metadata: ClientMetadata,
}

impl Registered {
    fn new(st: &AppState, client: &Client, secret: Option<&Secret>, token: Option<String>) -> Self {
        Self {
            client_id: client.client_id.to_string(),
            client_id_issued_at: client.created_at.unix_timestamp(),
            client_secret: secret.map(|s| s.expose_secret().to_owned()),
            client_secret_expires_at: secret.map(|_| 0),
            registration_access_token: token,
            registration_client_uri: format!("{}/register/{}", st.issuer(&client.tenant_id), client.client_id),
            metadata: ClientMetadata::of(client),
        }
    }

    fn respond(self, status: StatusCode) -> Response {
        let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
        (status, no_store, Json(self)).into_response()
    }
}

fn fail(e: OAuthError) -> Response {
    OAuthFailure(e).into_response()
}

/// A failed change as RFC 7591/7592 clients hear it, never as the management API's problem
/// documents.
fn failed(e: ServiceError) -> Response {
    fail(match e {
        ServiceError::Store(e) => e.into(),
        ServiceError::Sessions(e) => OAuthError::unavailable(e),
        ServiceError::Invalid(field) => {
            OAuthError::new(ErrorCode::InvalidClientMetadata, format!("{}: {}", field.field, field.message))
        }
        other => OAuthError::server_error(other),
    })
}

fn with_status(e: OAuthError, status: StatusCode) -> Response {
    let mut res = fail(e);
    *res.status_mut() = status;
    res
}

fn invalid_token() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidToken, "the access token is missing, invalid or used up")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// A request body of client metadata: JSON (RFC 7591 §3.1).
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return Err(OAuthError::new(ErrorCode::InvalidClientMetadata, "send client metadata as application/json"));
    }
    serde_json::from_slice(body)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidClientMetadata, "the body is not valid JSON"))
}

fn limits(tenant: &Tenant, confidential: bool) -> Result<Limits, OAuthError> {
    let scopes = ScopeSet::from_list(&tenant.settings.registration.allowed_scopes)
        .map_err(|e| OAuthError::server_error(e.message))?;
    Ok(Limits { confidential, scopes, fallback_name: "Unnamed application".into() })
}

/// `POST /t/{tenant}/register` (RFC 7591 §3).
pub(super) async fn register(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tenant = match tenant_record(&st, &tenant).await {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let policy = &tenant.settings.registration;
    if policy.mode == RegistrationMode::Closed {
        let closed = OAuthError::new(ErrorCode::AccessDenied, "client registration is closed for this tenant");
        return with_status(closed, StatusCode::FORBIDDEN);
    }
    let confidential = match bearer(&headers) {
        Some(token) => match clients::use_initial_token(&st, &tenant, token).await {
            Ok(true) => true,
            Ok(false) => return fail(invalid_token()),
            Err(e) => return fail(OAuthError::unavailable(e)),
        },
        None if policy.mode == RegistrationMode::Open => {
            let who = caller.ip.as_deref().unwrap_or("unknown");
            let key = keyspace::open_registrations(&tenant.ns(), who);
            let count = Counter::new(st.ephemeral.as_ref()).hit(&key, keyspace::OPEN_REGISTRATION_WINDOW).await;
            match count {
                Ok(n) if n <= u64::from(policy.open_registrations_per_hour) => false,
                Ok(_) => {
                    let e = OAuthError::invalid_request("too many registrations from this address; try again later");
                    return crate::error::HoldOff::after(keyspace::OPEN_REGISTRATION_WINDOW).oauth(e);
                }
                Err(e) => return fail(OAuthError::unavailable(e)),
            }
        }
        None => return fail(invalid_token()),
    };
    let now = st.clock.now();
    let client = match limits(&tenant, confidential)
        .and_then(|l| registration::register(json_body(&headers, &body)?, &tenant.id, ClientId::generate(), &l, now))
    {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let by = By::client(caller, client.client_id.clone());
    let (secret, token) = match clients::register(&st, &by, &client).await {
        Ok(issued) => issued,
        Err(e) => return failed(e),
    };
    let token = token.expose_secret().to_owned();
    Registered::new(&st, &client, secret.as_ref(), Some(token)).respond(StatusCode::CREATED)
}

/// The tenant and the client a registration access token manages (RFC 7592 §3); any failure is
/// `invalid_token`, so the endpoint does not tell which clients exist.
async fn managed(
    st: &AppState,
    tenant: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(std::sync::Arc<Tenant>, Client), Response> {
    let tenant = tenant_record(st, tenant).await.map_err(IntoResponse::into_response)?;
    let token = bearer(headers).ok_or_else(|| fail(invalid_token()))?;
    let id = ClientId::parse(id).map_err(|_| fail(invalid_token()))?;
    if !clients::registration_token_matches(st, &tenant.id, &id, token).await.map_err(|e| fail(e.into()))? {
        return Err(fail(invalid_token()));
    }
    let client = st.durable.get_client(&tenant.id, &id).await.map_err(|e| fail(e.into()))?;
    // Agents are created by the management API and never get a registration access token; one
    // is still never managed here, where its changes would bypass the agents' audit trail.
    let client = client.filter(|c| c.agent.is_none());
    Ok((tenant, client.ok_or_else(|| fail(invalid_token()))?))
}

/// `GET /t/{tenant}/register/{client_id}`: the registration as it stands (RFC 7592 §2.1).
pub(super) async fn read(
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match managed(&st, &tenant, &id, &headers).await {
        Ok((_, client)) => Registered::new(&st, &client, None, None).respond(StatusCode::OK),
        Err(res) => res,
    }
}

/// `PUT /t/{tenant}/register/{client_id}`: replaces the metadata (RFC 7592 §2.2), within the
/// same policy as a registration; the client id and type stay.
pub(super) async fn update(
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (tenant, current) = match managed(&st, &tenant, &id, &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let replaced = async {
        let value = json_body(&headers, &body)?;
        if value.get("client_id").and_then(Value::as_str) != Some(current.client_id.as_str()) {
            return Err(OAuthError::invalid_request("client_id must be present and name this client"));
        }
        if let Some(sent) = value.get("client_secret") {
            let stored = st.durable.client_secret_hash(&tenant.id, &current.client_id).await?;
            if !sent.as_str().is_some_and(|s| stored.is_some_and(|h| h.verify(s))) {
                return Err(OAuthError::invalid_request("client_secret does not match the issued secret"));
            }
        }
        let confidential = current.client_type == ClientType::Confidential;
        let now = st.clock.now();
        let limits = limits(&tenant, confidential)?;
        let mut client = registration::register(value, &tenant.id, current.client_id.clone(), &limits, now)?;
        if client.client_type != current.client_type {
            return Err(OAuthError::new(
                ErrorCode::InvalidClientMetadata,
                "token_endpoint_auth_method: a registered client cannot switch between public and confidential",
            ));
        }
        client.created_at = current.created_at;
        Ok(client)
    };
    let client = match replaced.await {
        Ok(client) => client,
        Err(e) => return fail(e),
    };
    match clients::update(&st, &By::client(caller, client.client_id.clone()), &client).await {
        Ok(secret) => Registered::new(&st, &client, secret.as_ref(), None).respond(StatusCode::OK),
        Err(e) => failed(e),
    }
}

/// `DELETE /t/{tenant}/register/{client_id}`: the client deregisters (RFC 7592 §2.3).
pub(super) async fn delete(
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
) -> Response {
    let (_, client) = match managed(&st, &tenant, &id, &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    match clients::delete(&st, &By::client(caller, client.client_id.clone()), &client).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}
