//! `/admin/v1/tenants/{tenant}/authorization-detail-types`: the types of authorization details
//! (RFC 9396) the tenant accepts, each with its JSON Schema, how its entries may be narrowed in
//! a token exchange, and how an entry reads on an approval page per language.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ciam_core::FieldError;
use ciam_core::authorization_details::{AuthorizationDetailType, DetailTypeSpec};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AdminAuth, JsonObject, Path, existing_tenant, parse};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody};
use crate::services::{By, detail_types};
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_type, list_types)).routes(routes!(get_type, replace_type, delete_type))
}

/// A type to register: the `type` value its entries carry, and its spec.
#[derive(serde::Deserialize, ToSchema)]
#[allow(dead_code)] // the schema of the body, which is split into the type and the spec
pub(super) struct DetailTypeInput {
    /// The `type` value (1-200 visible ASCII characters: a name or a URI). Fixed.
    #[schema(example = "payment_initiation")]
    r#type: String,
    /// Schema, narrowing and templates.
    #[serde(flatten)]
    spec: DetailTypeSpec,
}

/// A registered type.
#[derive(Serialize, ToSchema)]
pub(super) struct DetailTypeView {
    /// The `type` value.
    r#type: String,
    /// Schema, narrowing and templates.
    #[serde(flatten)]
    spec: DetailTypeSpec,
    /// Registration time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Last change (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<AuthorizationDetailType> for DetailTypeView {
    fn from(t: AuthorizationDetailType) -> Self {
        Self { r#type: t.id, spec: t.spec, created_at: t.created_at, updated_at: t.updated_at }
    }
}

fn read_spec(mut body: serde_json::Map<String, Value>) -> Result<DetailTypeSpec, Problem> {
    for field in ["created_at", "updated_at"] {
        if body.contains_key(field) {
            return Err(Problem::invalid(FieldError::new(field, "is read-only")));
        }
    }
    body.remove("type");
    parse(Value::Object(body))
}

/// Register a type of authorization details. Its schema must compile (no remote references),
/// its templates need English and use the hosted pages' languages. Audited as
/// `authorization_detail_type.created`.
#[utoipa::path(post, path = "/tenants/{tenant}/authorization-detail-types", extensions(("x-permission" = json!("detail_types:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id")), request_body = DetailTypeInput,
    responses(
        (status = 201, body = DetailTypeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The type exists", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn create_type(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let Some(Value::String(id)) = body.get("type").cloned() else {
        return Err(Problem::invalid(FieldError::new("type", "is required (a name or a URI)")));
    };
    let spec = read_spec(body)?;
    let t = detail_types::create(&st, &By::admin(caller, &admin.0), &tenant.id, &id, spec).await?;
    let location = format!("/admin/v1/tenants/{}/authorization-detail-types/{}", tenant.id, url_segment(&t.id));
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(DetailTypeView::from(t))))
}

/// A type id as one path segment (a URI type has slashes).
fn url_segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// List the tenant's types by `type`.
#[utoipa::path(get, path = "/tenants/{tenant}/authorization-detail-types", extensions(("x-permission" = json!("detail_types:read"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id")),
    responses(
        (status = 200, body = Vec<DetailTypeView>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn list_types(
    _: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<DetailTypeView>>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let all = detail_types::list(&st, &tenant.id).await?;
    Ok(Json(all.into_iter().map(DetailTypeView::from).collect()))
}

/// Read a type (a URI type percent-encoded as one path segment).
#[utoipa::path(get, path = "/tenants/{tenant}/authorization-detail-types/{type}", extensions(("x-permission" = json!("detail_types:read"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("type" = String, Path, description = "The type")),
    responses(
        (status = 200, body = DetailTypeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn get_type(
    _: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Json<DetailTypeView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let t = detail_types::list(&st, &tenant.id).await?.into_iter().find(|t| t.id == id);
    Ok(Json(t.ok_or_else(|| Problem::not_found("authorization detail type"))?.into()))
}

/// Replace a type's schema, narrowing and templates. Tokens already issued keep their entries.
/// Audited as `authorization_detail_type.updated`.
#[utoipa::path(put, path = "/tenants/{tenant}/authorization-detail-types/{type}", extensions(("x-permission" = json!("detail_types:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("type" = String, Path, description = "The type")),
    request_body = DetailTypeSpec,
    responses(
        (status = 200, body = DetailTypeView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn replace_type(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<Json<DetailTypeView>, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if body.get("type").is_some_and(|t| t.as_str() != Some(id.as_str())) {
        return Err(Problem::invalid(FieldError::new("type", "is fixed")));
    }
    let spec = read_spec(body)?;
    let t = detail_types::update(&st, &By::admin(caller, &admin.0), &tenant.id, &id, spec).await?;
    Ok(Json(t.ok_or_else(|| Problem::not_found("authorization detail type"))?.into()))
}

/// Remove a type: new requests with its entries are refused; tokens already issued keep them.
/// Audited as `authorization_detail_type.deleted`.
#[utoipa::path(delete, path = "/tenants/{tenant}/authorization-detail-types/{type}", extensions(("x-permission" = json!("detail_types:write"))), tag = "agents",
    params(("tenant" = String, Path, description = "Tenant id"), ("type" = String, Path, description = "The type")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn delete_type(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    if detail_types::delete(&st, &By::admin(caller, &admin.0), &tenant.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("authorization detail type"))
    }
}
