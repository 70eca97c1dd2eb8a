//! `/t/{tenant}/account/approvals`: the backchannel authentication requests (OpenID CIBA) waiting
//! for the user's answer: which app or agent asks (for an agent, who operates it), the reference
//! its own screen shows (the binding message), every authorization details entry in words, what
//! the tokens would allow, and until when the request stands. The list keeps itself current where
//! JavaScript runs (`assets/approvals.js`); without it, a reload shows new requests.
//!
//! # Security
//! - Approving needs a recent sign-in (at most 15 minutes old) at the level the tenant's
//!   authorization details types ask for the request's entries (`approval` of a type: a passkey
//!   above an amount, say); otherwise the page links to confirming who you are first, and the
//!   form refuses an approval that comes without it. Denying needs only the session.
//! - The answer goes through `services::ciba` (audited `ciba.approved` / `ciba.denied`); a
//!   request is answered once, and only by its user.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::reauth::Reauth;
use ciam_core::Acr;
use ciam_core::factor::FactorKind;
use ciam_oauth::issuer::PendingCiba;
use ciam_oauth::rar::Types;

use super::apps::scopes_in_words;
use super::views::{ApprovalRow, ApprovalsPage, Nav, when_unix};
use super::{Holder, Need, confirm_first, confirmed, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{self, msg, tr_with};
use crate::oidc::consent::agent_owner;
use crate::oidc::pages::html;
use crate::oidc::web_flow::{query_param, see_other};
use crate::services::{By, ciba};
use crate::state::AppState;

const PAGE: &str = "account/approvals";

/// What approving `request` takes: a recent sign-in, at the level its entries' types ask for.
fn requirement(types: &Types, request: &PendingCiba) -> Reauth {
    let acr = request.request.details().and_then(|d| types.approval_acr(&d)).unwrap_or(Acr::Password);
    Reauth { acr, email_counts: true }
}

/// The user's waiting requests, with the tenant's types (to put them in words and weigh them).
async fn waiting(h: &Holder) -> Result<(Vec<PendingCiba>, std::sync::Arc<Types>), PageError> {
    let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
    let pending = st.issuance.pending_ciba(tenant, &h.ctx.ns, &h.user.id).await?;
    let types = st.directory.detail_types(st.durable.as_ref(), tenant).await?;
    Ok((pending, types))
}

/// The user's waiting request named `asked` and what approving it takes; `None` when it is not
/// one of theirs still waiting.
async fn waiting_one(h: &Holder, asked: &str) -> Result<Option<(PendingCiba, Reauth)>, PageError> {
    let (pending, types) = waiting(h).await?;
    Ok(pending.into_iter().find(|p| p.hash == asked).map(|p| {
        let need = requirement(&types, &p);
        (p, need)
    }))
}

/// Back to the list, saying the request is gone.
fn gone(h: &Holder) -> Response {
    see_other(&format!("{}?done=gone", h.ctx.path(PAGE)))
}

/// `GET /t/{tenant}/account/approvals`.
pub(in crate::oidc) async fn approvals_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said = notice(
        query.as_deref(),
        &[
            ("approved", msg!("approvals-approved")),
            ("denied", msg!("approvals-denied")),
            ("gone", msg!("approvals-gone")),
        ],
    );
    h.ctx
        .branded(async {
            let (pending, types) = waiting(&h).await?;
            let factors = h.ctx.st.durable.list_factors(&h.ctx.tenant.id, &h.user.id).await?;
            let has_passkey = factors.iter().any(|f| f.kind == FactorKind::Passkey);
            let locale = i18n::current();
            let mut requests = Vec::with_capacity(pending.len());
            for p in &pending {
                let need = requirement(&types, p);
                let agent = p.client.agent.as_ref();
                let owner = match agent {
                    Some(profile) => Some(agent_owner(&h.ctx, &profile.owner).await?),
                    None => None,
                };
                let confirm =
                    (!confirmed(&h, &need)).then(|| format!("{}/confirm?request={}", h.ctx.path(PAGE), p.hash));
                requests.push(ApprovalRow {
                    id: p.hash.clone(),
                    heading: tr_with(msg!("approvals-from"), &[("client", &p.client.name)]),
                    owner,
                    description: agent.map(|a| a.description.clone()).filter(|d| !d.is_empty()),
                    reference: p.request.binding_message.clone(),
                    details: ciba::in_words(&types, &p.request, locale),
                    scopes: scopes_in_words(&p.request.scope),
                    audiences: p.request.resources.clone(),
                    expires: tr_with(msg!("approvals-expires"), &[("date", &when_unix(p.request.expires_at))]),
                    needs_passkey: need.acr == Acr::PhishingResistant && !has_passkey,
                    confirm,
                });
            }
            let action = format!("{}/decide", h.ctx.path(PAGE));
            Ok(html(
                StatusCode::OK,
                &ApprovalsPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    action: &action,
                    csrf: &h.session.csrf,
                    requests,
                    security: h.ctx.path("account/security"),
                    notice: said.as_deref(),
                },
            ))
        })
        .await
}

/// `GET /t/{tenant}/account/approvals/confirm?request=…`: confirm who you are at the level the
/// request needs, then back to the list.
pub(in crate::oidc) async fn approvals_confirm(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let brand = h.ctx.brand.clone();
    let asked = query_param(query.as_deref(), "request").unwrap_or_default();
    let go = async {
        let Some((_, need)) = waiting_one(&h, &asked).await? else { return Ok(gone(&h)) };
        if confirmed(&h, &need) {
            return Ok(see_other(&h.ctx.path(PAGE)));
        }
        confirm_first(&h, need, PAGE).await
    };
    go.await.map_err(|e: PageError| e.branded(&brand))
}

/// `POST /t/{tenant}/account/approvals/decide`: `decision=approve` or `deny` for `request`.
pub(in crate::oidc) async fn approvals_decide(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Session).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let asked = form.get("request").unwrap_or("");
            let allow = match form.get("decision") {
                Some("approve") => true,
                Some("deny") => false,
                _ => return Err(PageError::bad_request(msg!("error-invalid-form"))),
            };
            let Some((request, need)) = waiting_one(&h, asked).await? else { return Ok(gone(&h)) };
            if allow && !confirmed(&h, &need) {
                return Ok(see_other(&format!("{}/confirm?request={asked}", h.ctx.path(PAGE))));
            }
            let by = By::user(caller, h.user.id);
            let done = ciba::decide(&h.ctx.st, &h.ctx.tenant, &by, &h.session, &h.user, &request, allow).await?;
            let word = match (done, allow) {
                (false, _) => "gone",
                (true, true) => "approved",
                (true, false) => "denied",
            };
            Ok(see_other(&format!("{}?done={word}", h.ctx.path(PAGE))))
        })
        .await
}
