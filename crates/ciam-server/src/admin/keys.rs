//! `/admin/v1/tenants/{tenant}/keys`: list a tenant's signing keys and rotate them.

use axum::Json;
use axum::extract::State;
use ciam_core::FieldError;
use ciam_core::signing_key::KeyState;
use ciam_jose::Alg;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, Path, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, keys};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_keys)).routes(routes!(rotate_keys))
}

/// A signing key (public information only).
#[derive(Serialize, ToSchema)]
pub(super) struct KeyView {
    /// Key id (RFC 7638 thumbprint), the `kid` header of tokens it signs.
    kid: String,
    /// `ES256`, `RS256` or `EdDSA`.
    alg: String,
    /// `next` (published, not yet signing), `active` (signing) or `retired` (published until
    /// the tokens it signed have expired).
    #[schema(value_type = String)]
    state: KeyState,
    /// Creation time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// When it started signing.
    #[serde(with = "time::serde::rfc3339::option")]
    activated_at: Option<OffsetDateTime>,
    /// When it stopped signing.
    #[serde(with = "time::serde::rfc3339::option")]
    retired_at: Option<OffsetDateTime>,
}

/// List a tenant's signing keys, newest first.
#[utoipa::path(get, path = "/tenants/{tenant}/keys", extensions(("x-permission" = json!("keys:read"))), tag = "keys",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = Vec<KeyView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_keys(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<KeyView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let keys = st.durable.list_keys(&tenant.id).await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| KeyView {
                kid: k.kid,
                alg: k.alg,
                state: k.state,
                created_at: k.created_at,
                activated_at: k.activated_at,
                retired_at: k.retired_at,
            })
            .collect(),
    ))
}

/// Which algorithms to rotate.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RotateInput {
    /// Default: every algorithm the tenant signs with (`ES256`, `RS256`).
    #[schema(value_type = Option<Vec<String>>, example = json!(["ES256"]))]
    algs: Option<Vec<String>>,
}

/// The result of a rotation.
#[derive(Serialize, ToSchema)]
pub(super) struct Rotated {
    /// Key ids that now sign (they were published as `next` before).
    activated: Vec<String>,
}

/// Rotate signing keys: each `next` key starts signing, the active key is retired (still
/// published so existing tokens verify), and a new `next` key is published.
#[utoipa::path(post, path = "/tenants/{tenant}/keys/rotate", extensions(("x-permission" = json!("keys:write"))), tag = "keys",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = RotateInput,
    responses(
        (status = 200, body = Rotated),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Another rotation ran at the same time; retry", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn rotate_keys(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<Json<Rotated>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let input: RotateInput = parse(Value::Object(body))?;
    let algs = match input.algs {
        None => ciam_jose::keyring::TENANT_ALGS.to_vec(),
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                Alg::parse(n)
                    .filter(|a| ciam_jose::keyring::TENANT_ALGS.contains(a))
                    .ok_or_else(|| Problem::invalid(FieldError::new(format!("algs[{i}]"), "must be ES256 or RS256")))
            })
            .collect::<Result<_, _>>()?,
    };
    let activated = keys::rotate(&st, &By::admin(caller, &admin.0), &tenant.id, &algs).await?;
    Ok(Json(Rotated { activated }))
}
