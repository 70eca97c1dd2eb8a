//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//!
//! # Security
//! - With a valid `id_token_hint` (signed by this tenant, for the client that registered the
//!   `post_logout_redirect_uri`) that matches the browser's session (its `sub` is the session's
//!   user and its `sid`, if any, the session's), the session ends and the browser returns to that
//!   URI with `state`. With no session at all there is nothing to end, and the same happens.
//! - Without a hint, or with a valid hint for another user or another session, the user is asked
//!   to confirm with a CSRF-protected form (§2: the OP MUST ask when the hint "does not belong to
//!   the current OP session"), so a third-party page cannot sign users out with its own ID token
//!   (forced logout; ASVS 10.6.2). Nothing is ended, no cookie is cleared and nothing is
//!   redirected until the user confirms; the confirmation then ends on the signed-out page, not
//!   at the hint's client, whose hint did not name this session.
//! - A bad hint, or a `post_logout_redirect_uri` that is not registered exactly, is an error page
//!   (§4: no post-logout redirection when validation fails): never an open redirector (RFC 9700
//!   §4.11), and nothing is ended or cleared.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_oauth::authorize::Delivery;
use ciam_oauth::form::Params;
use serde_json::Value;

use super::hint::verify_id_token_hint;
use super::pages::{LogoutPage, html};
use super::saml_logout::{Then, after_sign_out};
use super::session::{BrowserCookie, Session, csrf_ok, current_session, read_cookie, set_cookie};
use super::web_flow::{Ctx, form_expired, respond, with_cookie};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{Text, msg};
use crate::services::sessions;
use crate::state::AppState;

/// `GET|POST /t/{tenant}/logout`.
pub(super) async fn logout(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let raw = if body.is_empty() { query.unwrap_or_default().into_bytes() } else { body.to_vec() };
        let params = Params::parse(&raw).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
        let Some(hint) = params.get("id_token_hint") else {
            if params.get("post_logout_redirect_uri").is_some() {
                return Err(PageError::bad_request(msg!("error-logout-needs-hint")));
            }
            return confirm_page(&ctx, &headers).await;
        };
        let invalid = || PageError::bad_request(msg!("error-logout-invalid"));
        let claims = verify_id_token_hint(&ctx, hint).await?.ok_or_else(invalid)?;
        let client_id = claims.get("azp").and_then(Value::as_str).unwrap_or_default().to_owned();
        if params.get("client_id").is_some_and(|c| c != client_id) {
            return Err(invalid());
        }
        let redirect = match params.get("post_logout_redirect_uri") {
            None => None,
            Some(uri) => {
                let client = match ciam_core::id::ClientId::parse(&client_id) {
                    Ok(id) => ctx.st.durable.get_client(&ctx.tenant.id, &id).await?,
                    Err(_) => None,
                };
                if !client.is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u.as_str() == uri)) {
                    return Err(PageError::bad_request(msg!("error-logout-unregistered")));
                }
                Some(uri.to_owned())
            }
        };
        let ended = match current_session(&ctx.st, &ctx.tenant, &headers).await? {
            // Another user's (or another session's) ID token says nothing about this browser: ask.
            Some(s) if !hint_names(&claims, &s) => return Ok(confirmation(&ctx, &s)),
            Some(_) => end_session(&ctx, &caller, &headers).await?,
            None => None,
        };
        let clear = set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Session, None, std::time::Duration::ZERO);
        // The SAML apps the session signed into hear of it first.
        if let Some(s) = &ended {
            let then = match &redirect {
                Some(uri) => Then::Redirect { uri: uri.clone(), state: params.get("state").map(str::to_owned) },
                None => Then::SignedOut,
            };
            if let Some(res) = after_sign_out(&ctx, s, then).await? {
                return Ok(with_cookie(res, clear));
            }
        }
        let res = match redirect {
            Some(uri) => {
                let fields = params.get("state").map(|s| vec![("state", s.to_owned())]).unwrap_or_default();
                respond(&uri, Delivery::Query, fields)
            }
            None => signed_out(&ctx),
        };
        Ok(with_cookie(res, clear))
    })
    .await
}

/// Ends the browser's session, if it has one (through the sessions service, which records it).
async fn end_session(ctx: &Ctx, caller: &Caller, headers: &HeaderMap) -> Result<Option<Session>, PageError> {
    match read_cookie(&ctx.st, &ctx.tenant.id, headers, BrowserCookie::Session) {
        Some(cookie) => Ok(sessions::end(&ctx.st, caller, &ctx.tenant, cookie).await?),
        None => Ok(None),
    }
}

/// Whether a verified ID token names this session: its user, and its `sid` when it has one.
fn hint_names(claims: &serde_json::Map<String, Value>, session: &Session) -> bool {
    let sub = claims.get("sub").and_then(Value::as_str);
    let sid_ok = claims.get("sid").is_none_or(|sid| sid.as_str() == Some(session.sid.as_str()));
    sub == Some(session.user_id.as_str()) && sid_ok
}

/// The question "sign out?", with the session's CSRF token on its form.
fn confirmation(ctx: &Ctx, session: &Session) -> Response {
    let action = ctx.path("logout/confirm");
    html(StatusCode::OK, &LogoutPage { brand: &ctx.brand, action: &action, csrf: Some(&session.csrf) })
}

/// The signed-out page.
pub(super) fn signed_out(ctx: &Ctx) -> Response {
    let action = ctx.path("logout");
    html(StatusCode::OK, &LogoutPage { brand: &ctx.brand, action: &action, csrf: None })
}

async fn confirm_page(ctx: &Ctx, headers: &HeaderMap) -> Result<Response, PageError> {
    Ok(match current_session(&ctx.st, &ctx.tenant, headers).await? {
        Some(s) => confirmation(ctx, &s),
        None => signed_out(ctx),
    })
}

/// `POST /t/{tenant}/logout/confirm`: the user confirmed signing out.
pub(super) async fn confirm(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form = Params::parse(&body).unwrap_or_default();
        match current_session(&ctx.st, &ctx.tenant, &headers).await? {
            Some(s) if csrf_ok(&s.csrf, form.get("csrf")) => {
                let ended = end_session(&ctx, &caller, &headers).await?;
                let clear =
                    set_cookie(&ctx.st, &ctx.tenant.id, BrowserCookie::Session, None, std::time::Duration::ZERO);
                let res = match &ended {
                    Some(s) => after_sign_out(&ctx, s, Then::SignedOut).await?,
                    None => None,
                };
                Ok(with_cookie(res.unwrap_or_else(|| signed_out(&ctx)), clear))
            }
            Some(_) => Err(form_expired()),
            None => Ok(signed_out(&ctx)),
        }
    })
    .await
}
