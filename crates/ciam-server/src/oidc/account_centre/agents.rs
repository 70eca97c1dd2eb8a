//! `/t/{tenant}/account/agents`: the delegations the user gave AI agents (which agent, who
//! operates it, what it may do in the consent page's words, on which services, until when), and
//! revoking one through the delegations service, as the account API does: every token the agent
//! derived from it is inactive at once (audited `delegation.revoked`, by the user).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::apps::scopes_in_words;
use super::views::{AgentRow, AgentsPage, Nav, when};
use super::{Need, confirm_link, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::oidc::consent::agent_owner;
use crate::oidc::pages::html;
use crate::oidc::web_flow::see_other;
use crate::services::{By, delegations};
use crate::state::AppState;

const PAGE: &str = "account/agents";

/// `GET /t/{tenant}/account/agents`: live delegations first, then ended ones.
pub(in crate::oidc) async fn agents_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said = notice(query.as_deref(), &[("revoked", msg!("agents-revoked"))]);
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let now = st.clock.now();
            let mut agents = Vec::new();
            for d in st.durable.list_user_delegations(tenant, &h.user.id).await? {
                let known = st.directory.client(st.durable.as_ref(), tenant, &d.agent_id).await?;
                let (name, owner) = match known.as_ref().and_then(|k| k.client.agent.as_ref().map(|a| (k, a))) {
                    Some((k, profile)) => (k.client.name.clone(), agent_owner(&h.ctx, &profile.owner).await?),
                    None => (d.agent_id.to_string(), tr(msg!("agents-unknown-owner"))),
                };
                let active = d.is_active(now);
                let status = match d.revoked_at {
                    Some(at) => tr_with(msg!("agents-revoked-on"), &[("date", &when(at))]),
                    None if active => tr_with(msg!("agents-active-until"), &[("date", &when(d.expires_at))]),
                    None => tr_with(msg!("agents-ended-on"), &[("date", &when(d.expires_at))]),
                };
                agents.push(AgentRow {
                    id: d.id.clone(),
                    name,
                    owner,
                    scopes: scopes_in_words(&d.scope.to_string()),
                    audiences: d.audiences.clone(),
                    granted: when(d.created_at),
                    status,
                    active,
                });
            }
            agents.sort_by_key(|a| !a.active);
            let action = format!("{}/revoke", h.ctx.path(PAGE));
            Ok(html(
                StatusCode::OK,
                &AgentsPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    action: &action,
                    csrf: &h.session.csrf,
                    agents,
                    confirm: confirm_link(&h, PAGE).await?,
                    notice: said.as_deref(),
                },
            ))
        })
        .await
}

/// `POST /t/{tenant}/account/agents/revoke`: revokes the user's delegation `delegation`.
pub(in crate::oidc) async fn agents_revoke(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let id = form.get("delegation").unwrap_or("");
            let by = By::user(caller, h.user.id);
            if !delegations::revoke(&h.ctx.st, &h.ctx.tenant.id, &h.user.id, id, &by).await? {
                return Err(PageError::new(StatusCode::NOT_FOUND, msg!("agents-gone")));
            }
            Ok(see_other(&format!("{}?done=revoked", h.ctx.path(PAGE))))
        })
        .await
}
