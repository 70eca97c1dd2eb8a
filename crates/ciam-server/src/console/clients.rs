//! A tenant's applications and agents in the console: the list, one client (with an agent's
//! operator and ceilings), and the dangerous actions: issuing a new secret (the old one stops at once), suspending or resuming an
//! agent, deleting either (an agent's delegations end with it).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::Permission;
use ciam_core::agent::{AgentOwner, AgentStatus};
use ciam_core::client::{Client, ClientType};
use ciam_core::id::ClientId;
use ciam_core::tenant::Tenant;

use super::client_forms::changeable;
use super::pages::{ConfirmForm, tenant_for};
use super::parts::{Danger, Frame, ListQuery, Page, Section, confirm_page, page_after, secret_page, when};
use super::{Signed, failure, signed_in};
use crate::audit::Caller;
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html, see_other};
use crate::i18n::{filters, msg, tr, tr_with};
use crate::services::{By, clients};
use crate::state::AppState;

/// What an administrator may do to a client from the console, each confirmed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Issue a new secret; the old one stops working at once.
    RotateSecret,
    /// Stop an agent from getting tokens, keeping its delegations.
    Suspend,
    /// Let a suspended agent act again.
    Resume,
    /// Delete the client (an agent's delegations end with it).
    Delete,
}

impl Action {
    const ALL: [Action; 4] = [Self::RotateSecret, Self::Suspend, Self::Resume, Self::Delete];

    fn slug(self) -> &'static str {
        match self {
            Self::RotateSecret => "rotate-secret",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Delete => "delete",
        }
    }

    fn of(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    fn applies(self, client: &Client) -> bool {
        let status = client.agent.as_ref().map(|a| a.status);
        match self {
            Self::RotateSecret => client.token_endpoint_auth_method.uses_secret(),
            Self::Suspend => status == Some(AgentStatus::Active),
            Self::Resume => status == Some(AgentStatus::Suspended),
            Self::Delete => true,
        }
    }

    fn label(self) -> String {
        tr(match self {
            Self::RotateSecret => msg!("console-rotate-secret"),
            Self::Suspend => msg!("console-suspend-agent"),
            Self::Resume => msg!("console-resume-agent"),
            Self::Delete => msg!("console-delete-client"),
        })
    }

    fn question(self, name: &str) -> String {
        let id = match self {
            Self::RotateSecret => msg!("console-rotate-secret-question"),
            Self::Suspend => msg!("console-suspend-question"),
            Self::Resume => msg!("console-resume-question"),
            Self::Delete => msg!("console-delete-client-question"),
        };
        tr_with(id, &[("name", name)])
    }

    fn done(self) -> String {
        tr(match self {
            Self::RotateSecret => msg!("console-secret-rotated"),
            Self::Suspend => msg!("console-agent-suspended"),
            Self::Resume => msg!("console-agent-resumed"),
            Self::Delete => msg!("console-client-deleted"),
        })
    }
}

hosted_pages!(ClientsPage, ClientPage);

/// A client as the list shows it.
struct ClientRow {
    id: String,
    name: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "console_clients.html")]
struct ClientsPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    clients: Vec<ClientRow>,
    next: Option<String>,
    may_write: bool,
    notice: Option<String>,
}

/// `GET /console/t/{tenant}/clients`: applications and agents, 50 a page by client id.
pub(super) async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsRead).await?;
    let page = page_after(q.after);
    let found = st.durable.list_clients(&tenant.id, &page).await.map_err(failure)?;
    let clients = found
        .items
        .into_iter()
        .map(|c| ClientRow { id: c.client_id.to_string(), kind: kind(&c), name: c.name })
        .collect();
    let page = ClientsPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Clients),
        may_write: signed.may(&tenant.id, Permission::ClientsWrite),
        tenant: &tenant,
        clients,
        next: found.next_after,
        notice: (q.done.as_deref() == Some("delete")).then(|| Action::Delete.done()),
    };
    Ok(html(StatusCode::OK, &page))
}

/// What a client is: an agent, a SAML application, a confidential or a public application.
fn kind(c: &Client) -> String {
    tr(match (&c.agent, &c.saml, c.client_type) {
        (Some(_), _, _) => msg!("console-kind-agent"),
        (None, Some(_), _) => msg!("console-kind-saml"),
        (None, None, ClientType::Confidential) => msg!("console-kind-confidential"),
        (None, None, ClientType::Public) => msg!("console-kind-public"),
    })
}

#[derive(Template)]
#[template(path = "console_client.html")]
struct ClientPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    client: &'a Client,
    kind: String,
    grant_types: Vec<String>,
    /// The key ids of its inline JWK Set.
    kids: Vec<String>,
    /// An agent's facts: its operator, status and ceilings.
    agent: Option<AgentFacts>,
    created: String,
    actions: Vec<(&'static str, String)>,
    notice: Option<String>,
}

/// An agent's operator, status and ceilings, as the client page shows them.
struct AgentFacts {
    description: String,
    operator: String,
    active: bool,
    audiences: Vec<String>,
    max_token_lifetime: u32,
    max_chain_depth: u8,
    delegation_lifetime: u32,
}

/// The client a console path names.
pub(super) async fn client_of(
    st: &AppState,
    signed: &Signed,
    tenant: &Tenant,
    id: &str,
) -> Result<Client, axum::response::Response> {
    let id = ClientId::parse(id).map_err(|_| signed.not_found())?;
    st.durable.get_client(&tenant.id, &id).await.map_err(failure)?.ok_or_else(|| signed.not_found())
}

/// `GET /console/t/{tenant}/clients/{client}`: a client, and what the administrator may do.
pub(super) async fn client(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, client_id)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/clients/{client_id}")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsRead).await?;
    let client = client_of(&st, &signed, &tenant, &client_id).await?;
    let grant_types =
        client.grant_types.iter().filter_map(|g| serde_json::to_value(g).ok()?.as_str().map(str::to_owned)).collect();
    let kids = client
        .jwks
        .as_ref()
        .and_then(|j| j["keys"].as_array())
        .map(|keys| keys.iter().map(|k| k["kid"].as_str().unwrap_or("-").to_owned()).collect())
        .unwrap_or_default();
    let agent = client.agent.as_ref().map(|a| AgentFacts {
        description: a.description.clone(),
        operator: match &a.owner {
            AgentOwner::User(u) => tr_with(msg!("console-operated-by-user"), &[("id", &u.to_string())]),
            AgentOwner::Client(c) => tr_with(msg!("console-operated-by-client"), &[("id", c.as_str())]),
        },
        active: a.status == AgentStatus::Active,
        audiences: a.allowed_audiences.clone(),
        max_token_lifetime: a.max_token_lifetime,
        max_chain_depth: a.max_chain_depth,
        delegation_lifetime: a.delegation_lifetime,
    });
    let may_write = signed.may(&tenant.id, Permission::ClientsWrite);
    let mut actions: Vec<_> =
        Action::ALL.into_iter().filter(|a| may_write && a.applies(&client)).map(|a| (a.slug(), a.label())).collect();
    if may_write && changeable(&client) {
        let label = if client.agent.is_some() { msg!("console-edit-agent") } else { msg!("console-edit-client") };
        actions.insert(0, ("edit", tr(label)));
    }
    let page = ClientPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Clients),
        tenant: &tenant,
        kind: kind(&client),
        client: &client,
        grant_types,
        kids,
        agent,
        created: when(client.created_at),
        actions,
        notice: match q.done.as_deref() {
            Some("saved") => Some(tr(msg!("console-client-saved"))),
            done => done.and_then(Action::of).map(Action::done),
        },
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/t/{tenant}/clients/{client}/{action}`: asks to confirm.
pub(super) async fn confirm(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((tenant, client_id, slug)): Path<(String, String, String)>,
) -> Page {
    let here = format!("/console/t/{tenant}/clients/{client_id}/{slug}");
    let signed = signed_in(&st, &headers, &here).await?;
    let Some(action) = Action::of(&slug) else { return Err(signed.not_found()) };
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    let client = client_of(&st, &signed, &tenant, &client_id).await?;
    if !action.applies(&client) {
        return Err(signed.not_found());
    }
    let back = format!("/console/t/{}/clients/{}", tenant.id, client.client_id);
    let danger = Danger {
        label: action.label(),
        question: action.question(&client.name),
        post_to: here.clone(),
        back,
        typed: None,
    };
    Ok(confirm_page(&st, &signed, Frame::in_tenant(&signed, &tenant.id, Section::Clients), danger, &here))
}

/// `POST /console/t/{tenant}/clients/{client}/{action}`: does it, audited as through the
/// management API; a new secret is shown once.
pub(super) async fn act(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Path((tenant, client_id, slug)): Path<(String, String, String)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Page {
    let here = format!("/console/t/{tenant}/clients/{client_id}/{slug}");
    let signed = signed_in(&st, &headers, &here).await?;
    signed.check_form(&form.csrf)?;
    let Some(action) = Action::of(&slug) else { return Err(signed.not_found()) };
    let tenant = tenant_for(&st, &signed, &tenant, Permission::ClientsWrite).await?;
    signed.check_recent(&st, &here)?;
    let mut client = client_of(&st, &signed, &tenant, &client_id).await?;
    if !action.applies(&client) {
        return Err(signed.not_found());
    }
    let by = By::admin(caller, &signed.admin);
    let page = format!("/console/t/{}/clients/{}", tenant.id, client.client_id);
    match action {
        Action::RotateSecret => {
            let secret = clients::rotate_secret(&st, &by, &client).await.map_err(failure)?;
            let frame = Frame::in_tenant(&signed, &tenant.id, Section::Clients);
            return Ok(secret_page(&signed, frame, &client.name, secret.expose_secret(), page));
        }
        Action::Suspend | Action::Resume => {
            let status = if action == Action::Suspend { AgentStatus::Suspended } else { AgentStatus::Active };
            clients::set_agent_status(&st, &by, &mut client, status).await.map_err(failure)?;
        }
        Action::Delete => {
            clients::delete(&st, &by, &client).await.map_err(failure)?;
            return Ok(see_other(&format!("/console/t/{}/clients?done=delete", tenant.id)));
        }
    }
    Ok(see_other(&format!("{page}?done={}", action.slug())))
}
