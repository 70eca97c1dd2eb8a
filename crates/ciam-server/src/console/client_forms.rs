//! The console's forms for applications and agents: registering an application (its secret
//! shown once), registering an agent with its operator, keys and ceilings, and changing either
//! after registration. Each is checked by the rules the management API applies, and a refusal
//! stands next to its field.

use axum::extract::State;
use axum::http::HeaderMap;
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::agent::{AgentOwner, AgentStatus};
use ciam_core::client::{AuthMethod, Client, ClientType, GrantType};
use ciam_core::id::{ClientId, UserId};
use ciam_core::redirect::RedirectUri;
use ciam_core::scope::ScopeSet;
use ciam_core::tenant::Tenant;
use serde::Deserialize;

use super::clients::client_of;
use super::pages::tenant_for;
use super::parts::{Field, Form, Frame, Page, Section, form_page, secret_page};
use super::{Signed, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::see_other;
use crate::i18n::{msg, refusal, tr};
use crate::services::agents::{self, AgentSpec};
use crate::services::{By, ServiceError, clients};
use crate::state::AppState;

/// The form of an application or an agent as sent (an application's has no operator, keys or
/// ceilings; a change has no id or type).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ClientInput {
    csrf: String,
    client_id: String,
    name: String,
    client_type: String,
    description: String,
    owner_type: String,
    owner: String,
    redirect_uris: String,
    jwks: String,
    scopes: String,
    allowed_audiences: String,
    max_token_lifetime: String,
    max_chain_depth: String,
    delegation_lifetime: String,
    dpop: String,
    /// A checkbox: `on` when ticked.
    first_party: String,
}

/// What the form is for: a new client, or a change to `client`.
enum Purpose<'a> {
    Register,
    Change(&'a Client),
}

impl Purpose<'_> {
    fn action(&self, tenant: &Tenant, new: &str) -> String {
        match self {
            Self::Register => format!("/console/t/{}/clients/{new}", tenant.id),
            Self::Change(c) => format!("/console/t/{}/clients/{}/edit", tenant.id, c.client_id),
        }
    }

    fn back(&self, tenant: &Tenant) -> String {
        match self {
            Self::Register => format!("/console/t/{}/clients", tenant.id),
            Self::Change(c) => format!("/console/t/{}/clients/{}", tenant.id, c.client_id),
        }
    }
}

fn redirect_field(value: &str) -> Field {
    Field::text("redirect_uris", tr(msg!("console-redirect-uris")), value)
        .kind("textarea")
        .hint(tr(msg!("console-redirect-uris-hint")))
}

fn scopes_field(value: &str) -> Field {
    Field::text("scopes", tr(msg!("console-scopes")), value).hint(tr(msg!("console-scopes-hint")))
}

fn jwks_field(value: &str) -> Field {
    Field::text("jwks", tr(msg!("console-jwks")), value).kind("textarea").optional().hint(tr(msg!("console-jwks-hint")))
}

fn id_field(value: &str) -> Field {
    Field::text("client_id", tr(msg!("console-client-id")), value).optional().hint(tr(msg!("console-client-id-hint")))
}

/// An application's form with `input` as typed.
fn app_form(tenant: &Tenant, purpose: &Purpose<'_>, input: &ClientInput) -> Form {
    let mut fields = vec![Field::text("name", tr(msg!("console-client-name")), &input.name)];
    if let Purpose::Register = purpose {
        let client_type = if input.client_type.is_empty() { "confidential" } else { &input.client_type };
        fields.push(Field::text("client_type", tr(msg!("console-client-type")), client_type).options(vec![
            ("confidential".into(), tr(msg!("console-kind-confidential"))),
            ("public".into(), tr(msg!("console-kind-public"))),
        ]));
    }
    fields.extend([redirect_field(&input.redirect_uris), scopes_field(&input.scopes)]);
    if let Purpose::Register = purpose {
        fields.push(id_field(&input.client_id));
    }
    fields.push(jwks_field(&input.jwks));
    fields.push(
        Field::text("first_party", tr(msg!("console-first-party")), &input.first_party)
            .kind("checkbox")
            .hint(tr(msg!("console-first-party-hint"))),
    );
    let (title, submit) = match purpose {
        Purpose::Register => (tr(msg!("console-new-client")), tr(msg!("console-create-client"))),
        Purpose::Change(c) => (c.name.clone(), tr(msg!("console-save-client"))),
    };
    Form {
        title,
        intro: matches!(purpose, Purpose::Register).then(|| tr(msg!("console-new-client-intro"))),
        action: purpose.action(tenant, "new"),
        submit,
        back: purpose.back(tenant),
        fields,
        error: None,
    }
}

/// An agent's form with `input` as typed.
fn agent_form(tenant: &Tenant, purpose: &Purpose<'_>, input: &ClientInput) -> Form {
    let mut fields = vec![
        Field::text("name", tr(msg!("console-client-name")), &input.name),
        Field::text("description", tr(msg!("console-agent-description")), &input.description)
            .kind("textarea")
            .optional()
            .hint(tr(msg!("console-agent-description-hint"))),
        Field::text("owner_type", tr(msg!("console-agent-operator-kind")), &input.owner_type).options(vec![
            ("client".into(), tr(msg!("console-operator-client"))),
            ("user".into(), tr(msg!("console-operator-user"))),
        ]),
        Field::text("owner", tr(msg!("console-agent-operator-id")), &input.owner)
            .hint(tr(msg!("console-agent-operator-hint"))),
        Field::text("jwks", tr(msg!("console-jwks")), &input.jwks)
            .kind("textarea")
            .hint(tr(msg!("console-agent-jwks-hint"))),
        Field::text("scopes", tr(msg!("console-scopes")), &input.scopes).hint(tr(msg!("console-agent-scopes-hint"))),
        Field::text("allowed_audiences", tr(msg!("console-allowed-audiences")), &input.allowed_audiences)
            .kind("textarea")
            .optional()
            .hint(tr(msg!("console-audiences-hint"))),
        Field::text("max_token_lifetime", tr(msg!("console-max-token-lifetime")), &input.max_token_lifetime)
            .kind("number")
            .hint(tr(msg!("console-max-token-lifetime-hint"))),
        Field::text("max_chain_depth", tr(msg!("console-max-chain-depth")), &input.max_chain_depth)
            .kind("number")
            .hint(tr(msg!("console-max-chain-depth-hint"))),
        Field::text("delegation_lifetime", tr(msg!("console-delegation-lifetime")), &input.delegation_lifetime)
            .kind("number")
            .hint(tr(msg!("console-delegation-lifetime-hint"))),
        Field::text("dpop", tr(msg!("console-dpop")), &input.dpop).options(vec![
            ("required".into(), tr(msg!("console-dpop-required"))),
            ("optional".into(), tr(msg!("console-dpop-optional"))),
        ]),
        Field::text("redirect_uris", tr(msg!("console-redirect-uris")), &input.redirect_uris)
            .kind("textarea")
            .optional()
            .hint(tr(msg!("console-agent-redirect-uris-hint"))),
    ];
    if let Purpose::Register = purpose {
        fields.insert(1, id_field(&input.client_id));
    }
    let (title, submit) = match purpose {
        Purpose::Register => (tr(msg!("console-new-agent")), tr(msg!("console-create-agent"))),
        Purpose::Change(c) => (c.name.clone(), tr(msg!("console-save-client"))),
    };
    Form {
        title,
        intro: matches!(purpose, Purpose::Register).then(|| tr(msg!("console-new-agent-intro"))),
        action: purpose.action(tenant, "new-agent"),
        submit,
        back: purpose.back(tenant),
        fields,
        error: None,
    }
}

/// The lines of a text area, trimmed, without the empty ones.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn redirect_uris(text: &str) -> Result<Vec<RedirectUri>, FieldError> {
    lines(text)
        .map(|l| RedirectUri::parse(l).map_err(|e| FieldError::new("redirect_uris", format!("{l}: {}", refusal(&e)))))
        .collect()
}

fn scopes(text: &str) -> Result<ScopeSet, FieldError> {
    ScopeSet::parse_space_separated(text.trim()).map_err(|e| e.on("scopes"))
}

fn jwks(text: &str) -> Result<Option<serde_json::Value>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        text => serde_json::from_str(text).map(Some).map_err(|e| FieldError::new("jwks", e.to_string())),
    }
}

/// The id typed for a new client (a URL is refused: it names a client by its metadata
/// document), or a new one.
fn new_id(text: &str) -> Result<ClientId, FieldError> {
    let id = match text.trim() {
        "" => ClientId::generate(),
        id => ClientId::parse(id).map_err(|e| e.on("client_id"))?,
    };
    if id.is_metadata_document() {
        return Err(FieldError::new("client_id", "a URL names a client by its metadata document"));
    }
    Ok(id)
}

fn number<T: std::str::FromStr>(field: &'static str, text: &str) -> Result<T, FieldError> {
    text.trim().parse().map_err(|_| FieldError::new(field, tr(msg!("console-whole-number"))))
}

/// The application the registration form describes.
fn new_app(st: &AppState, tenant: &Tenant, input: &ClientInput) -> Result<Client, FieldError> {
    let client_id = new_id(&input.client_id)?;
    let name = ciam_core::validation::display_text("name", &input.name, 200)?;
    let client_type = match input.client_type.as_str() {
        "public" => ClientType::Public,
        "confidential" => ClientType::Confidential,
        _ => return Err(FieldError::new("client_type", "confidential or public")),
    };
    let jwks = jwks(&input.jwks)?;
    let method = match (client_type, &jwks) {
        (ClientType::Public, _) => AuthMethod::None,
        (ClientType::Confidential, Some(_)) => AuthMethod::PrivateKeyJwt,
        (ClientType::Confidential, None) => AuthMethod::ClientSecretBasic,
    };
    let grants = vec![GrantType::AuthorizationCode, GrantType::RefreshToken];
    let mut client = Client::minimal(tenant.id.clone(), client_id, name, client_type, grants, method, st.clock.now());
    client.redirect_uris = redirect_uris(&input.redirect_uris)?;
    client.scopes = scopes(&input.scopes)?;
    client.jwks = jwks;
    client.first_party = input.first_party == "on";
    client.validate()?;
    Ok(client)
}

/// `current` as the change form describes it. A confidential application given a JWK Set
/// authenticates with its keys from then on; one whose inline keys are taken away gets a
/// secret (shown once).
fn changed_app(st: &AppState, current: &Client, input: &ClientInput) -> Result<Client, FieldError> {
    let mut client = current.clone();
    client.name = ciam_core::validation::display_text("name", &input.name, 200)?;
    client.redirect_uris = redirect_uris(&input.redirect_uris)?;
    client.scopes = scopes(&input.scopes)?;
    client.jwks = jwks(&input.jwks)?;
    client.first_party = input.first_party == "on";
    if client.client_type == ClientType::Confidential && client.jwks_uri.is_none() {
        client.token_endpoint_auth_method = match (&client.jwks, client.token_endpoint_auth_method) {
            (Some(_), _) => AuthMethod::PrivateKeyJwt,
            (None, AuthMethod::PrivateKeyJwt) => AuthMethod::ClientSecretBasic,
            (None, method) => method,
        };
    }
    client.updated_at = st.clock.now();
    client.validate()?;
    Ok(client)
}

/// What the agent form says, over `base` (the agent as it is, or the defaults).
fn agent_spec(base: Option<AgentSpec>, input: &ClientInput) -> Result<AgentSpec, FieldError> {
    let owner = match input.owner_type.as_str() {
        "user" => AgentOwner::User(UserId::parse(input.owner.trim()).map_err(|e| e.on("owner"))?),
        _ => AgentOwner::Client(ClientId::parse(input.owner.trim()).map_err(|e| e.on("owner"))?),
    };
    let redirect_uris = redirect_uris(&input.redirect_uris)?;
    let keys = jwks(&input.jwks)?;
    let base_has_other_credentials = base.as_ref().is_some_and(|b| {
        b.jwks_uri.is_some() || b.token_endpoint_auth_method.is_some_and(|m| m != AuthMethod::PrivateKeyJwt)
    });
    if keys.is_none() && !base_has_other_credentials {
        return Err(FieldError::new("jwks", tr(msg!("console-agent-needs-keys"))));
    }
    let mut spec = base.unwrap_or_else(|| AgentSpec::operated_by(owner.clone()));
    if keys.is_some() {
        spec.token_endpoint_auth_method = Some(AuthMethod::PrivateKeyJwt);
        spec.jwks_uri = None;
    }
    // The code flow comes and goes with the redirect URIs; other grants (CIBA) stay.
    if let Some(grants) = spec.grant_types.as_mut() {
        grants.retain(|g| *g != GrantType::AuthorizationCode);
        if !redirect_uris.is_empty() {
            grants.push(GrantType::AuthorizationCode);
        }
    }
    spec.name = input.name.clone();
    spec.description = input.description.trim().to_owned();
    spec.owner = owner;
    spec.redirect_uris = redirect_uris;
    spec.jwks = keys;
    spec.allowed_scopes = Some(scopes(&input.scopes)?);
    spec.allowed_audiences = lines(&input.allowed_audiences).map(str::to_owned).collect();
    spec.max_token_lifetime = Some(number("max_token_lifetime", &input.max_token_lifetime)?);
    spec.max_chain_depth = Some(number("max_chain_depth", &input.max_chain_depth)?);
    spec.delegation_lifetime = Some(number("delegation_lifetime", &input.delegation_lifetime)?);
    spec.dpop_bound_access_tokens = Some(input.dpop != "optional");
    Ok(spec)
}

/// The form of `client`'s kind, filled with what it is now.
fn change_form(tenant: &Tenant, client: &Client) -> Option<Form> {
    let redirects = client.redirect_uris.iter().map(RedirectUri::as_str).collect::<Vec<_>>().join("\n");
    let keys = client.jwks.as_ref().and_then(|j| serde_json::to_string_pretty(j).ok()).unwrap_or_default();
    if !changeable(client) {
        return None;
    }
    let purpose = Purpose::Change(client);
    match &client.agent {
        None => {
            let input = ClientInput {
                name: client.name.clone(),
                redirect_uris: redirects,
                scopes: client.scopes.to_string(),
                jwks: keys,
                first_party: if client.first_party { "on" } else { "" }.into(),
                ..ClientInput::default()
            };
            Some(app_form(tenant, &purpose, &input))
        }
        Some(profile) => {
            let (owner_type, owner) = match &profile.owner {
                AgentOwner::User(u) => ("user", u.to_string()),
                AgentOwner::Client(c) => ("client", c.to_string()),
            };
            let input = ClientInput {
                name: client.name.clone(),
                description: profile.description.clone(),
                owner_type: owner_type.into(),
                owner,
                redirect_uris: redirects,
                jwks: keys,
                scopes: client.scopes.to_string(),
                allowed_audiences: profile.allowed_audiences.join("\n"),
                max_token_lifetime: profile.max_token_lifetime.to_string(),
                max_chain_depth: profile.max_chain_depth.to_string(),
                delegation_lifetime: profile.delegation_lifetime.to_string(),
                dpop: if client.dpop_bound_access_tokens { "required" } else { "optional" }.into(),
                ..ClientInput::default()
            };
            Some(agent_form(tenant, &purpose, &input))
        }
    }
}

/// Whether `client` can be changed from the console (SAML applications cannot, yet: their
/// metadata goes through the management API).
pub(super) fn changeable(client: &Client) -> bool {
    client.saml.is_none()
}

/// Whether a form registers a client or changes one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    Register,
    Change,
}

/// Registers or changes the client `built` describes, and answers: its new secret once (a
/// confidential client's first, or one it needs now), else its page; or `form` again with the
/// refusal by its field.
async fn store(
    st: &AppState,
    signed: &Signed,
    by: &By,
    frame: Frame<'_>,
    form: Form,
    built: Result<Client, ServiceError>,
    how: Store,
) -> Page {
    let stored = match built {
        Ok(client) => match how {
            Store::Register => clients::create(st, by, &client).await,
            Store::Change => clients::update(st, by, &client).await,
        }
        .map(|secret| (client, secret)),
        Err(e) => Err(e),
    };
    let (client, secret) = match stored {
        Ok(stored) => stored,
        Err(e) => return Ok(form_page(signed, frame, form.after(e, "client_id")?)),
    };
    let done = if how == Store::Change { "?done=saved" } else { "" };
    let page = format!("/console/t/{}/clients/{}{done}", client.tenant_id, client.client_id);
    Ok(match secret {
        Some(secret) => secret_page(signed, frame, &client.name, secret.expose_secret(), page),
        None => see_other(&page),
    })
}

/// `GET /console/t/{tenant}/clients/new`: the application form.
pub(super) async fn new_app_form(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/new")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
    let input = ClientInput { scopes: "openid profile email".into(), ..ClientInput::default() };
    Ok(form_page(&signed, frame, app_form(&tenant, &Purpose::Register, &input)))
}

/// `POST /console/t/{tenant}/clients/new`: registers the application and shows its secret once,
/// or shows the form again with the errors by their fields.
pub(super) async fn create_app(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<ClientInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/new")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
    let form = app_form(&tenant, &Purpose::Register, &input);
    let built = new_app(&st, &tenant, &input).map_err(ServiceError::Invalid);
    store(&st, &signed, &By::admin(caller, &signed.admin), frame, form, built, Store::Register).await
}

/// `GET /console/t/{tenant}/clients/new-agent`: the agent form, with the defaults.
pub(super) async fn new_agent_form(State(st): State<AppState>, headers: HeaderMap, Path(tenant): Path<String>) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/new-agent")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
    let input = ClientInput {
        owner_type: "client".into(),
        scopes: "openid".into(),
        max_token_lifetime: ciam_core::agent::DEFAULT_MAX_TOKEN_LIFETIME.to_string(),
        max_chain_depth: ciam_core::agent::DEFAULT_MAX_CHAIN_DEPTH.to_string(),
        delegation_lifetime: ciam_core::agent::DEFAULT_DELEGATION_LIFETIME.to_string(),
        dpop: "required".into(),
        ..ClientInput::default()
    };
    Ok(form_page(&signed, frame, agent_form(&tenant, &Purpose::Register, &input)))
}

/// `POST /console/t/{tenant}/clients/new-agent`: registers the agent, or shows the form again
/// with the errors by their fields.
pub(super) async fn create_agent(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path(tenant): Path<String>,
    axum::Form(input): axum::Form<ClientInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/new-agent")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
    let form = agent_form(&tenant, &Purpose::Register, &input);
    let built = match (new_id(&input.client_id), agent_spec(None, &input)) {
        (Ok(id), Ok(spec)) => agents::build(&st, &tenant.id, spec, id, AgentStatus::Active, st.clock.now()).await,
        (Err(e), _) | (_, Err(e)) => Err(ServiceError::Invalid(e)),
    };
    store(&st, &signed, &By::admin(caller, &signed.admin), frame, form, built, Store::Register).await
}

/// `GET /console/t/{tenant}/clients/{client}/edit`: the client's form, filled in.
pub(super) async fn edit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, client_id)): Path<(String, String)>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/{client_id}/edit")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let client = client_of(&st, &signed, &tenant, &client_id).await?;
    let form = change_form(&tenant, &client).ok_or_else(|| signed.not_found())?;
    Ok(form_page(&signed, Frame::in_tenant(&signed, &tenant.id, Section::Clients), form))
}

/// `POST /console/t/{tenant}/clients/{client}/edit`: saves the change (a secret the client
/// now needs is shown once), or shows the form again with the errors by their fields.
pub(super) async fn save(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, client_id)): Path<(String, String)>,
    axum::Form(input): axum::Form<ClientInput>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/{client_id}/edit")).await?;
    signed.check_form(&input.csrf)?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let current = client_of(&st, &signed, &tenant, &client_id).await?;
    if !changeable(&current) {
        return Err(signed.not_found());
    }
    let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
    let purpose = Purpose::Change(&current);
    let (form, built) = match &current.agent {
        None => {
            (app_form(&tenant, &purpose, &input), changed_app(&st, &current, &input).map_err(ServiceError::Invalid))
        }
        Some(profile) => {
            let base = AgentSpec::of(&current, profile);
            let built = match agent_spec(Some(base), &input) {
                Ok(spec) => {
                    let id = current.client_id.clone();
                    agents::build(&st, &tenant.id, spec, id, profile.status, current.created_at).await
                }
                Err(e) => Err(ServiceError::Invalid(e)),
            };
            (agent_form(&tenant, &purpose, &input), built)
        }
    };
    store(&st, &signed, &By::admin(caller, &signed.admin), frame, form, built, Store::Change).await
}
