//! The language of a page request, shared by the doors that render pages (the hosted pages, the
//! console): what the request says (the switcher's `lang` link, the door's language cookie,
//! `Accept-Language`) is taken before the handler runs, into the scope that
//! [`crate::i18n::current`] reads; handlers add what they learn (a tenant's default, a flow's
//! `ui_locales`, a user's `locale` claim).

use std::time::Duration;

use axum::extract::Request;
use axum::http::{Method, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::i18n::{self, Here, Locale, PageRequest, Preferences};

/// How long a door remembers the switcher's choice in its cookie.
pub(crate) const PICKED_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// The switcher's query parameter.
const LANG: &str = "lang";

/// Runs a page's handler in its request's language scope. `cookie` is the door's remembered
/// choice. A `GET` with the switcher's `lang` (a supported tag) picks that language; `lang` is
/// taken out of the query before the handler sees it. Returns the answer and the language the
/// link picked, which the door then keeps in its cookie.
pub(crate) async fn negotiate(mut req: Request, next: Next, cookie: Option<&str>) -> (Response, Option<Locale>) {
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
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let preferences = Preferences {
        picked: link.or_else(|| cookie.and_then(Locale::parse)),
        accept: accept.and_then(Locale::from_accept_language),
        ..Preferences::default()
    };
    let here = Here { path: req.uri().path().to_owned(), query, post, flow: None };
    let res = i18n::scope(PageRequest { preferences, here: Some(here) }, next.run(req)).await;
    (res, link)
}
