//! The language of the hosted pages' requests, with the tenant's language cookie
//! ([`crate::http::language`] does the rest).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ciam_core::id::TenantId;

use super::session::{BrowserCookie, read_cookie, set_cookie};
use crate::http::language::PICKED_TTL;
use crate::state::AppState;

/// Runs a hosted page's handler in its request's language scope
/// ([`crate::http::language::negotiate`]); the switcher's choice is kept in the tenant's
/// language cookie.
pub(super) async fn negotiate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let tenant = tenant_of(req.uri().path());
    let cookie = tenant.as_ref().and_then(|t| read_cookie(&st, t, req.headers(), BrowserCookie::Language));
    let cookie = cookie.map(str::to_owned);
    let (mut res, link) = crate::http::language::negotiate(req, next, cookie.as_deref()).await;
    if let (Some(locale), Some(tenant)) = (link, &tenant)
        && let Ok(v) =
            HeaderValue::from_str(&set_cookie(&st, tenant, BrowserCookie::Language, Some(locale.tag()), PICKED_TTL))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The tenant of a hosted page's path (`/t/{tenant}/…`).
fn tenant_of(path: &str) -> Option<TenantId> {
    let rest = path.strip_prefix("/t/")?;
    TenantId::parse(rest.split('/').next()?).ok()
}
