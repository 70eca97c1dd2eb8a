//! OAuth 2.0 Protected Resource Metadata (RFC 9728) for the resources registered in a tenant,
//! so an API (an MCP server, say) can point its clients at this authorization server: it serves
//! or redirects to this document at its own `/.well-known/oauth-protected-resource`. Also the
//! one resource every tenant has without registering it: its account API.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::id::{ResourceId, TenantId};
use ciam_core::resource::Resource;
use ciam_core::store::StoreResult;
use serde_json::json;

use super::tenant_of;
use crate::error::Problem;
use crate::http::Path;
use crate::state::AppState;

/// `GET /t/{tenant}/resources/{id}/oauth-protected-resource`.
pub(super) async fn metadata(State(st): State<AppState>, Path((tenant, id)): Path<(String, String)>) -> Response {
    let found = async {
        let tenant = tenant_of(&st, &tenant).await?;
        let id = ResourceId::parse(&id).map_err(|_| Problem::not_found("resource"))?;
        st.durable.get_resource(&tenant, &id).await?.ok_or_else(|| Problem::not_found("resource"))
    };
    match found.await {
        Ok(r) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            ],
            Json(json!({
                "resource": r.identifier,
                "resource_name": r.name,
                "authorization_servers": [st.issuer(&r.tenant_id)],
                "scopes_supported": r.scopes.to_vec(),
                "bearer_methods_supported": ["header"],
                "dpop_signing_alg_values_supported": ciam_jose::dpop::DPOP_ALGS,
            })),
        )
            .into_response(),
        Err(p) => p.into_response(),
    }
}

/// The scope the account API asks of the tokens it takes.
pub(crate) use ciam_oauth::issuer::ACCOUNT_SCOPE;

/// The audience of the tenant's account API (`/t/{tenant}/account/…`): `{issuer}/account`.
pub(crate) fn account_audience(st: &AppState, tenant: &TenantId) -> String {
    st.issuance.account_audience(tenant)
}

/// The resource `identifier` names (RFC 8707): one registered in the tenant, or the account
/// API, which every tenant has and which defines one scope, [`ACCOUNT_SCOPE`].
pub(crate) async fn known_resource(
    st: &AppState,
    tenant: &TenantId,
    identifier: &str,
) -> StoreResult<Option<Resource>> {
    st.issuance.known_resource(tenant, identifier).await
}
