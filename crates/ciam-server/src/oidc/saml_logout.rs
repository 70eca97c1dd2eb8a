//! SAML single logout (SAML Profiles §4.4, HTTP-Redirect binding): when a session ends here, the
//! browser goes from app to app with a signed `LogoutRequest`, each app answering back at
//! `{issuer}/saml/slo` with its `LogoutResponse`, before it lands where the sign-out was to end.
//! An app's own `LogoutRequest` (signed with its registered certificate) ends the session the
//! same way and is answered last.
//!
//! # Security
//! - The chain is kept server-side under a random id (the `RelayState`); an answer continues it
//!   only if it comes from the app that was asked, answers the request that was sent, and is
//!   signed when the app's certificate is known.
//! - An app's `LogoutRequest` must be signed with its certificate (an app without one cannot end
//!   sessions), fresh, addressed here, and name the NameID this session gave that app.

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::random_token;
use ciam_oauth::authorize::Delivery;
use ciam_saml::idp::{Incoming, Message, ReceivedLogoutRequest, ReceivedLogoutResponse};
use serde::{Deserialize, Serialize};

use super::logout::signed_out;
use super::saml_idp::{FRESH, app_of, unreadable};
use super::session::{BrowserCookie, Session, read_cookie, set_cookie};
use super::web_flow::{Ctx, respond, see_other, with_cookie};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::services::saml_idp;
use crate::services::sessions::{self, SamlParticipant};
use crate::state::AppState;

/// How long a single logout may take from app to app.
const CHAIN_TTL: Duration = Duration::from_secs(600);

/// Where a single logout ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) enum Then {
    /// The signed-out page.
    SignedOut,
    /// A client's `post_logout_redirect_uri` (RP-initiated logout), with its `state`.
    Redirect { uri: String, state: Option<String> },
    /// The `LogoutResponse` to the app whose `LogoutRequest` started it.
    Answer { client_id: String, in_response_to: String, relay_state: Option<String> },
}

/// A single logout on its way.
#[derive(Debug, Serialize, Deserialize)]
struct Chain {
    /// The apps still to reach.
    left: Vec<SamlParticipant>,
    /// The ended session's `SessionIndex`.
    session_index: String,
    /// The app asked last and the `ID` of its request.
    waiting: Option<(String, String)>,
    then: Then,
}

/// After `ended` ended: reaches the SAML apps it signed into, then `then`. `None` when it signed
/// into none (the caller answers as usual).
pub(super) async fn after_sign_out(ctx: &Ctx, ended: &Session, then: Then) -> Result<Option<Response>, PageError> {
    if ended.saml.is_empty() {
        return Ok(None);
    }
    let chain = Chain { left: ended.saml.clone(), session_index: ended.sid.clone(), waiting: None, then };
    Ok(Some(next(ctx, &random_token(24), chain).await?))
}

/// Sends the browser to the next app with a single logout service, or to the end.
async fn next(ctx: &Ctx, id: &str, mut chain: Chain) -> Result<Response, PageError> {
    let store = Json::<Chain>::new(ctx.st.ephemeral.as_ref());
    let key = keyspace::saml_logout(&ctx.ns, id);
    while !chain.left.is_empty() {
        let participant = chain.left.remove(0);
        let Some(app) = app_of(ctx, &participant.client_id).await? else { continue };
        if let Some((url, request_id)) =
            saml_idp::logout_request(&ctx.st, &app, &participant, &chain.session_index, id).await?
        {
            chain.waiting = Some((participant.client_id, request_id));
            store.put(&key, &chain, CHAIN_TTL).await?;
            return Ok(see_other(&url));
        }
    }
    store.delete(&key).await?;
    finish(ctx, chain.then).await
}

/// The end of a single logout.
async fn finish(ctx: &Ctx, then: Then) -> Result<Response, PageError> {
    match then {
        Then::SignedOut => Ok(signed_out(ctx)),
        Then::Redirect { uri, state } => {
            Ok(respond(&uri, Delivery::Query, state.map(|s| vec![("state", s)]).unwrap_or_default()))
        }
        Then::Answer { client_id, in_response_to, relay_state } => {
            let Some(app) = app_of(ctx, &client_id).await? else { return Ok(signed_out(ctx)) };
            match saml_idp::logout_response(&ctx.st, &app, &in_response_to, relay_state.as_deref()).await? {
                Some(url) => Ok(see_other(&url)),
                None => Ok(signed_out(ctx)),
            }
        }
    }
}

/// `GET /t/{tenant}/saml/slo`: an app's `LogoutResponse` (continues a single logout) or its own
/// `LogoutRequest` (starts one), by HTTP-Redirect.
pub(super) async fn slo(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let incoming = Incoming::from_redirect(query.as_deref().unwrap_or("")).map_err(unreadable)?;
        match &incoming.message {
            Message::LogoutResponse(answer) => answered(&ctx, &incoming, answer).await,
            Message::LogoutRequest(request) => asked(&ctx, &caller, &incoming, request, &headers).await,
            Message::AuthnRequest(_) => Err(unreadable("an AuthnRequest at the single logout service")),
        }
    })
    .await
}

/// An app's answer: the chain goes on.
async fn answered(ctx: &Ctx, incoming: &Incoming, answer: &ReceivedLogoutResponse) -> Result<Response, PageError> {
    let id = incoming.relay_state.as_deref().ok_or_else(|| unreadable("a LogoutResponse without RelayState"))?;
    let store = Json::<Chain>::new(ctx.st.ephemeral.as_ref());
    // A chain that is over (or expired) has nothing left to do: the session ended already.
    let Some(mut chain) = store.get(&keyspace::saml_logout(&ctx.ns, id)).await? else { return Ok(signed_out(ctx)) };
    let (client_id, request_id) = chain.waiting.take().ok_or_else(|| unreadable("no logout request is waiting"))?;
    let app = app_of(ctx, &client_id).await?.ok_or_else(|| unreadable("the app is gone"))?;
    let saml = app.saml.as_ref().ok_or_else(|| unreadable("the app is gone"))?;
    if answer.issuer != saml.entity_id || answer.in_response_to.as_deref() != Some(request_id.as_str()) {
        return Err(unreadable("the LogoutResponse does not answer the request sent"));
    }
    if let Some(der) = saml_idp::signing_certificate(saml) {
        incoming.verify_signature(&[der]).map_err(unreadable)?;
    }
    if !answer.is_success() {
        tracing::info!(client = %client_id, status = %answer.status, "an app did not confirm single logout");
    }
    next(ctx, id, chain).await
}

/// An app asks to end the session: checked, the session ends and every other app hears of it.
async fn asked(
    ctx: &Ctx,
    caller: &Caller,
    incoming: &Incoming,
    request: &ReceivedLogoutRequest,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let app = ctx.st.durable.find_saml_app(&ctx.tenant.id, &request.issuer).await?;
    let app = app.ok_or_else(|| unreadable("no SAML app has this entity id"))?;
    let saml = app.saml.as_ref().ok_or_else(|| unreadable("not a SAML app"))?;
    let der =
        saml_idp::signing_certificate(saml).ok_or_else(|| unreadable("the app has no certificate to sign with"))?;
    incoming.verify_signature(&[der]).map_err(unreadable)?;
    let now = ctx.st.clock.now();
    let slo = saml_idp::endpoint(&ctx.st, &ctx.tenant.id, "slo");
    if request.destination.as_deref().is_some_and(|d| d != slo)
        || (request.issue_instant - now).abs() > FRESH
        || request.not_on_or_after.is_some_and(|t| t <= now)
    {
        return Err(unreadable("the LogoutRequest is not addressed here or not fresh"));
    }
    let then = Then::Answer {
        client_id: app.client_id.to_string(),
        in_response_to: request.id.clone(),
        relay_state: incoming.relay_state.clone(),
    };
    let cookie = read_cookie(&ctx.st, &ctx.tenant.id, headers, BrowserCookie::Session);
    let current = match cookie {
        Some(c) => sessions::current(&ctx.st, &ctx.tenant, c).await?,
        None => None,
    };
    let names_this =
        |s: &Session| s.saml.iter().any(|p| p.client_id == app.client_id.as_str() && p.name_id == request.name_id);
    // Not this browser's session (or none): there is nothing here to end; the app hears so.
    let (Some(cookie), Some(_)) = (cookie, current.filter(names_this)) else { return finish(ctx, then).await };
    let ended = sessions::end(&ctx.st, caller, &ctx.tenant, cookie).await?;
    let clear = set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Session, None, Duration::ZERO);
    let others = ended.map(|mut s| {
        s.saml.retain(|p| p.client_id != app.client_id.as_str());
        s
    });
    let res = match others {
        Some(s) => match after_sign_out(ctx, &s, then.clone()).await? {
            Some(res) => res,
            None => finish(ctx, then).await?,
        },
        None => finish(ctx, then).await?,
    };
    Ok(with_cookie(res, clear))
}
