//! The language of the hosted pages' requests: what the request says (the switcher's `lang`
//! link or its cookie, `Accept-Language`) taken before the handler runs, into the scope that
//! [`crate::i18n::current`] reads; the handlers add what they learn (the tenant's default, the
//! flow's `ui_locales`, the user's `locale` claim).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use ciam_core::id::TenantId;

use super::session::{BrowserCookie, read_cookie, set_cookie};
use crate::i18n::{self, Here, Locale, PageRequest, Preferences};
use crate::state::AppState;

/// How long the switcher's choice is remembered.
const PICKED_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// The switcher's query parameter.
const LANG: &str = "lang";

/// Runs a hosted page's handler in its request's language scope. A `GET` with the switcher's
/// `lang` (a supported tag) picks that language and keeps it in a cookie; `lang` is taken out
/// of the query before the handler sees it.
pub(super) async fn negotiate(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let tenant = tenant_of(req.uri().path());
    let post = req.method() == Method::POST;
    let mut link = None;
    let query = req.uri().query().map(|q| {
        let (ours, rest): (Vec<_>, Vec<_>) = url::form_urlencoded::parse(q.as_bytes()).partition(|(k, _)| k == LANG);
        link = ours.last().and_then(|(_, v)| Locale::parse(v)).filter(|_| !post);
        let had_lang = !ours.is_empty();
        let rest = if had_lang {
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish()
        } else {
            q.to_owned()
        };
        (had_lang, rest)
    });
    let query = match query {
        Some((true, rest)) => {
            // The handler gets the request without `lang`.
            let path = req.uri().path().to_owned();
            let rebuilt = if rest.is_empty() { path } else { format!("{path}?{rest}") };
            if let Ok(uri) = rebuilt.parse::<Uri>() {
                *req.uri_mut() = uri;
            }
            Some(rest).filter(|r| !r.is_empty())
        }
        Some((false, rest)) => Some(rest),
        None => None,
    };
    let cookie = tenant.as_ref().and_then(|t| read_cookie(&st, t, req.headers(), BrowserCookie::Language));
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let preferences = Preferences {
        picked: link.or_else(|| cookie.and_then(Locale::parse)),
        accept: accept.and_then(Locale::from_accept_language),
        ..Preferences::default()
    };
    let here = Here { path: req.uri().path().to_owned(), query, post, flow: None };
    let mut res = i18n::scope(PageRequest { preferences, here: Some(here) }, next.run(req)).await;
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
