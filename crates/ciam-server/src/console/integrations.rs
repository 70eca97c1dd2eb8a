//! What a tenant connects to, in the console: the APIs (resources) its tokens are issued for,
//! and the upstream identity providers its users may sign in with. Read here; they are changed
//! through the management API, whose routes these pages name.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::Permission;
use ciam_core::tenant::Tenant;

use super::pages::tenant_for;
use super::parts::{Frame, Page, Section, when};
use super::{failure, signed_in};
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html};
use crate::i18n::filters;
use crate::state::AppState;

hosted_pages!(ResourcesPage, ProvidersPage);

/// An API as the list shows it.
struct ResourceRow {
    name: String,
    identifier: String,
    scopes: String,
    lifetime: u32,
    introspects: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "console_resources.html")]
struct ResourcesPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    resources: Vec<ResourceRow>,
}

/// `GET /console/t/{tenant}/resources`: the APIs tokens are issued for.
pub(super) async fn resources(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/resources")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ResourcesRead).await?;
    let resources = st.durable.list_resources(&tenant.id).await.map_err(failure)?;
    let page = ResourcesPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Resources),
        tenant: &tenant,
        resources: resources
            .into_iter()
            .map(|r| ResourceRow {
                scopes: r.scopes.to_string(),
                lifetime: r.access_token_lifetime,
                introspects: r.introspection.is_some(),
                created: when(r.created_at),
                name: r.name,
                identifier: r.identifier,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// An upstream identity provider as the list shows it.
struct ProviderRow {
    id: String,
    name: String,
    kind: String,
    issuer: String,
    domains: String,
    created: String,
}

#[derive(Template)]
#[template(path = "console_providers.html")]
struct ProvidersPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    providers: Vec<ProviderRow>,
}

/// `GET /console/t/{tenant}/identity-providers`: where the tenant's users may sign in from.
pub(super) async fn providers(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/identity-providers")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::IdentityProvidersRead).await?;
    let providers = st.durable.list_identity_providers(&tenant.id).await.map_err(failure)?;
    let page = ProvidersPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::IdentityProviders),
        tenant: &tenant,
        providers: providers
            .into_iter()
            .map(|p| ProviderRow {
                kind: serde_json::to_value(p.config.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                name: p.config.display_name,
                issuer: p.config.issuer,
                domains: p.config.home_realm_domains.join(", "),
                created: when(p.created_at),
                id: p.id,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}
