//! What a tenant connects to, in the console: the APIs (resources) its tokens are issued for,
//! and the upstream identity providers its users may sign in with, listed with what the
//! administrator may do to them (the forms are in `integration_forms`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::Permission;
use ciam_core::tenant::Tenant;

use super::pages::tenant_for;
use super::parts::{Frame, ListQuery, Page, Section, when};
use super::{failure, signed_in};
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html};
use crate::i18n::{filters, msg, tr};
use crate::services::federation;
use crate::state::AppState;

hosted_pages!(ResourcesPage, ProvidersPage);

/// An API as the list shows it.
struct ResourceRow {
    id: String,
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
    may_write: bool,
    notice: Option<String>,
}

/// The notice of a list after `done`: what was added, or deleted.
fn notice(done: Option<&str>, [added, deleted]: [crate::i18n::Msg; 2]) -> Option<String> {
    match done? {
        "added" => Some(tr(added)),
        "deleted" => Some(tr(deleted)),
        _ => None,
    }
}

/// `GET /console/t/{tenant}/resources`: the APIs tokens are issued for.
pub(super) async fn resources(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/resources")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ResourcesRead).await?;
    let resources = st.durable.list_resources(&tenant.id).await.map_err(failure)?;
    let page = ResourcesPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Resources),
        may_write: signed.may(&tenant.id, Permission::ResourcesWrite),
        notice: notice(q.done.as_deref(), [msg!("console-resource-added"), msg!("console-resource-deleted")]),
        tenant: &tenant,
        resources: resources
            .into_iter()
            .map(|r| ResourceRow {
                scopes: r.scopes.to_string(),
                lifetime: r.access_token_lifetime,
                introspects: r.introspection.is_some(),
                created: when(r.created_at),
                id: r.id.to_string(),
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
    /// The redirect URI to register at every provider.
    redirect_uri: String,
    may_write: bool,
    notice: Option<String>,
}

/// `GET /console/t/{tenant}/identity-providers`: where the tenant's users may sign in from.
pub(super) async fn providers(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/identity-providers")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::IdentityProvidersRead).await?;
    let providers = st.durable.list_identity_providers(&tenant.id).await.map_err(failure)?;
    let page = ProvidersPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::IdentityProviders),
        redirect_uri: federation::redirect_uri(&st, &tenant.id),
        may_write: signed.may(&tenant.id, Permission::IdentityProvidersWrite),
        notice: notice(q.done.as_deref(), [msg!("console-provider-added"), msg!("console-provider-deleted")]),
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
