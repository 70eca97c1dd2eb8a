//! Adding and removing what a tenant connects to, in the console: registering an API (its
//! introspection secret shown once) and adding an OpenID Connect identity provider (generic, or
//! the Google, Microsoft and GitHub presets), each refused by its field as the management API
//! refuses it; deleting either is a dangerous action (confirmed, after a recent sign-in).
//! Introspection by key, SAML providers and every other setting go through the management API.

use axum::extract::State;
use axum::http::HeaderMap;
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::client::AuthMethod;
use ciam_core::id::ResourceId;
use ciam_core::resource::DEFAULT_RESOURCE_TOKEN_LIFETIME;
use ciam_core::scope::ScopeSet;
use ciam_core::tenant::Tenant;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::pages::{ConfirmForm, tenant_for};
use super::parts::{Danger, Field, Form, Frame, Page, Section, confirm_page, form_page, secret_page};
use super::{failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::see_other;
use crate::i18n::{msg, tr, tr_with};
use crate::services::resources::{self, ResourceSpec};
use crate::services::{By, ServiceError, federation};
use crate::state::AppState;

/// The API form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ResourceInput {
    csrf: String,
    id: String,
    name: String,
    identifier: String,
    scopes: String,
    access_token_lifetime: String,
    introspection: String,
}

fn resource_form(tenant: &Tenant, input: &ResourceInput) -> Form {
    Form {
        title: tr(msg!("console-new-resource")),
        intro: Some(tr(msg!("console-new-resource-intro"))),
        action: format!("/console/t/{}/resources/new", tenant.id),
        submit: tr(msg!("console-create-resource")),
        back: format!("/console/t/{}/resources", tenant.id),
        fields: vec![
            Field::text("name", tr(msg!("console-client-name")), &input.name),
            Field::text("id", tr(msg!("console-resource-id")), &input.id).hint(tr(msg!("console-resource-id-hint"))),
            Field::text("identifier", tr(msg!("console-identifier")), &input.identifier)
                .hint(tr(msg!("console-identifier-hint"))),
            Field::text("scopes", tr(msg!("console-scopes")), &input.scopes)
                .optional()
                .hint(tr(msg!("console-resource-scopes-hint"))),
            Field::text("access_token_lifetime", tr(msg!("console-token-lifetime")), &input.access_token_lifetime)
                .kind("number")
                .hint(tr(msg!("console-resource-lifetime-hint"))),
            Field::text("introspection", tr(msg!("console-introspects")), &input.introspection).options(vec![
                ("none".into(), tr(msg!("console-introspection-none"))),
                ("secret".into(), tr(msg!("console-introspection-secret"))),
            ]),
        ],
        error: None,
    }
}

/// What the API form says.
fn resource_spec(input: &ResourceInput) -> Result<ResourceSpec, FieldError> {
    let lifetime = input
        .access_token_lifetime
        .trim()
        .parse()
        .map_err(|_| FieldError::new("access_token_lifetime", tr(msg!("console-whole-number"))))?;
    Ok(ResourceSpec {
        id: ResourceId::parse(input.id.trim()).map_err(|e| e.on("id"))?,
        identifier: input.identifier.trim().to_owned(),
        name: input.name.clone(),
        scopes: ScopeSet::parse_space_separated(input.scopes.trim()).map_err(|e| e.on("scopes"))?,
        access_token_lifetime: Some(lifetime),
        introspection_auth_method: (input.introspection == "secret").then_some(AuthMethod::ClientSecretBasic),
        jwks_uri: None,
        jwks: None,
    })
}

/// `GET /console/t/{tenant}/resources/new`: the API form.
pub(super) async fn new_resource(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/resources/new")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ResourcesWrite).await?;
    let input = ResourceInput {
        access_token_lifetime: DEFAULT_RESOURCE_TOKEN_LIFETIME.to_string(),
        introspection: "none".into(),
        ..ResourceInput::default()
    };
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Resources);
    Ok(form_page(&signed, frame, resource_form(&tenant, &input)))
}

/// `POST /console/t/{tenant}/resources/new`: registers the API (its introspection secret shown
/// once), or shows the form again with the errors by their fields.
pub(super) async fn create_resource(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<ResourceInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/resources/new")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ResourcesWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Resources);
    let now = st.clock.now();
    let built =
        resource_spec(&input).map_err(ServiceError::Invalid).and_then(|spec| resources::build(&tenant, spec, now, now));
    let created = match built {
        Ok(r) => resources::create(&st, &By::admin(caller, &signed.admin), &r).await.map(|s| (r, s)),
        Err(e) => Err(e),
    };
    let list = format!("/console/t/{}/resources", tenant.id);
    match created {
        Ok((r, Some(secret))) => Ok(secret_page(&signed, frame, &r.name, secret.expose_secret(), list)),
        Ok((_, None)) => Ok(see_other(&format!("{list}?done=added"))),
        Err(e) => Ok(form_page(&signed, frame, resource_form(&tenant, &input).after(e, "id")?)),
    }
}

/// The identity provider form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProviderInput {
    csrf: String,
    kind: String,
    id: String,
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    home_realm_domains: String,
    create_users: String,
}

fn provider_form(tenant: &Tenant, input: &ProviderInput) -> Form {
    Form {
        title: tr(msg!("console-new-provider")),
        intro: Some(tr(msg!("console-new-provider-intro"))),
        action: format!("/console/t/{}/identity-providers/new", tenant.id),
        submit: tr(msg!("console-create-provider")),
        back: format!("/console/t/{}/identity-providers", tenant.id),
        fields: vec![
            Field::text("kind", tr(msg!("console-provider-kind")), &input.kind).options(vec![
                ("oidc".into(), "OpenID Connect".into()),
                ("google".into(), "Google".into()),
                ("microsoft".into(), "Microsoft Entra ID".into()),
                ("github".into(), "GitHub".into()),
            ]),
            Field::text("display_name", tr(msg!("console-client-name")), &input.display_name)
                .hint(tr(msg!("console-provider-name-hint"))),
            Field::text("id", tr(msg!("console-provider-id")), &input.id).hint(tr(msg!("console-provider-id-hint"))),
            Field::text("issuer", tr(msg!("console-issuer")), &input.issuer)
                .optional()
                .hint(tr(msg!("console-provider-issuer-hint"))),
            Field::text("client_id", tr(msg!("console-client-id")), &input.client_id)
                .hint(tr(msg!("console-provider-client-id-hint"))),
            Field::text("client_secret", tr(msg!("console-provider-secret")), "")
                .kind("password")
                .optional()
                .hint(tr(msg!("console-provider-secret-hint"))),
            Field::text("home_realm_domains", tr(msg!("console-home-realm")), &input.home_realm_domains)
                .kind("textarea")
                .optional()
                .hint(tr(msg!("console-home-realm-hint"))),
            Field::text("create_users", tr(msg!("console-provider-create-users")), &input.create_users).options(vec![
                ("yes".into(), tr(msg!("console-provider-create-yes"))),
                ("no".into(), tr(msg!("console-provider-create-no"))),
            ]),
        ],
        error: None,
    }
}

/// The management API's description of the provider the form describes.
fn provider_body(input: &ProviderInput) -> Map<String, Value> {
    let domains: Vec<&str> = input.home_realm_domains.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut body = json!({
        "id": input.id.trim(),
        "kind": input.kind,
        "display_name": input.display_name,
        "client_id": input.client_id.trim(),
        "home_realm_domains": domains,
        "create_users": input.create_users != "no",
    });
    if let Some(body) = body.as_object_mut() {
        if !input.issuer.trim().is_empty() {
            body.insert("issuer".into(), Value::String(input.issuer.trim().to_owned()));
        }
        if !input.client_secret.is_empty() {
            body.insert("client_secret".into(), Value::String(input.client_secret.clone()));
        }
    }
    match body {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `GET /console/t/{tenant}/identity-providers/new`: the provider form.
pub(super) async fn new_provider(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/identity-providers/new")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::IdentityProvidersWrite).await?;
    let input = ProviderInput { kind: "oidc".into(), create_users: "yes".into(), ..ProviderInput::default() };
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::IdentityProviders);
    Ok(form_page(&signed, frame, provider_form(&tenant, &input)))
}

/// `POST /console/t/{tenant}/identity-providers/new`: adds the provider, or shows the form again
/// with the errors by their fields (the secret is never sent back).
pub(super) async fn create_provider(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<ProviderInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/identity-providers/new")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::IdentityProvidersWrite).await?;
    let added = match federation::input(provider_body(&input)) {
        Ok((id, config, secret)) => {
            let by = By::admin(caller, &signed.admin);
            federation::create_provider(&st, &by, &tenant.id, &id, config, secret.as_ref().and_then(Value::as_str))
                .await
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(see_other(&format!("/console/t/{}/identity-providers?done=added", tenant.id))),
        Err(e) => {
            let frame = Frame::in_tenant(&signed, &tenant.id, Section::IdentityProviders);
            Ok(form_page(&signed, frame, provider_form(&tenant, &input).after(e, "id")?))
        }
    }
}

/// What can be deleted from these pages: an API or an identity provider, by its id.
#[derive(Clone, Copy)]
enum Removable {
    Resource,
    Provider,
}

impl Removable {
    /// The kind a console path names.
    fn of(slug: &str) -> Option<Self> {
        match slug {
            "resources" => Some(Self::Resource),
            "identity-providers" => Some(Self::Provider),
            _ => None,
        }
    }

    fn section(self) -> Section {
        match self {
            Self::Resource => Section::Resources,
            Self::Provider => Section::IdentityProviders,
        }
    }

    fn permission(self) -> Permission {
        match self {
            Self::Resource => Permission::ResourcesWrite,
            Self::Provider => Permission::IdentityProvidersWrite,
        }
    }

    fn list(self, tenant: &Tenant) -> String {
        match self {
            Self::Resource => format!("/console/t/{}/resources", tenant.id),
            Self::Provider => format!("/console/t/{}/identity-providers", tenant.id),
        }
    }

    /// The name of `id` in `tenant`, if it exists.
    async fn name(self, st: &AppState, tenant: &Tenant, id: &str) -> Result<Option<String>, ServiceError> {
        Ok(match self {
            Self::Resource => match ResourceId::parse(id) {
                Ok(id) => st.durable.get_resource(&tenant.id, &id).await?.map(|r| r.name),
                Err(_) => None,
            },
            Self::Provider => st.durable.get_identity_provider(&tenant.id, id).await?.map(|p| p.config.display_name),
        })
    }

    /// Deletes `id`, audited as through the management API.
    async fn delete(self, st: &AppState, by: &By, tenant: &Tenant, id: &str) -> Result<(), ServiceError> {
        match self {
            Self::Resource => {
                let id = ResourceId::parse(id).map_err(ServiceError::Invalid)?;
                if let Some(r) = st.durable.get_resource(&tenant.id, &id).await? {
                    resources::delete(st, by, &r).await?;
                }
            }
            Self::Provider => {
                federation::delete_provider(st, by, &tenant.id, id).await?;
            }
        }
        Ok(())
    }
}

/// `GET /console/t/{tenant}/{resources|identity-providers}/{id}/delete`: asks to confirm.
pub(super) async fn confirm_delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, kind, id)): Path<(String, String, String)>,
) -> Page {
    let here = format!("/console/t/{tenant}/{kind}/{id}/delete");
    let signed = signed_in(&st, &headers, &here).await?;
    let kind = Removable::of(&kind).ok_or_else(|| signed.not_found())?;
    let tenant = tenant_for(&st, &signed, &tenant, kind.permission()).await?;
    let name = kind.name(&st, &tenant, &id).await.map_err(failure)?.ok_or_else(|| signed.not_found())?;
    let (label, question) = match kind {
        Removable::Resource => (msg!("console-delete-resource"), msg!("console-delete-resource-question")),
        Removable::Provider => (msg!("console-delete-provider"), msg!("console-delete-provider-question")),
    };
    let danger = Danger {
        label: tr(label),
        question: tr_with(question, &[("name", &name)]),
        post_to: here.clone(),
        back: kind.list(&tenant),
        typed: None,
    };
    Ok(confirm_page(&st, &signed, Frame::in_tenant(&signed, &tenant.id, kind.section()), danger, &here))
}

/// `POST /console/t/{tenant}/{resources|identity-providers}/{id}/delete`: deletes the API, or
/// removes the provider and the links made through it.
pub(super) async fn delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, kind, id)): Path<(String, String, String)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/{kind}/{id}/delete");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let kind = Removable::of(&kind).ok_or_else(|| signed.not_found())?;
    let tenant = tenant_for(&st, &signed, &tenant, kind.permission()).await?;
    signed.check_recent(&st, &here)?;
    kind.name(&st, &tenant, &id).await.map_err(failure)?.ok_or_else(|| signed.not_found())?;
    kind.delete(&st, &By::admin(caller, &signed.admin), &tenant, &id).await.map_err(failure)?;
    Ok(see_other(&format!("{}?done=deleted", kind.list(&tenant))))
}
