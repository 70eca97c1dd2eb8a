//! The template filters of the messages. A page is rendered with its language as the runtime
//! value `locale` ([`crate::http::page::html`]); a template names a message by its id:
//!
//! - `{{ "login-title"|t }}`: the message, escaped like any value;
//! - `{{ "login-heading"|t1("tenant", brand.name) }}`: with an argument;
//! - `{{ "check-mail-intro"|th1("email", email) }}`: a message whose catalogue
//!   text holds markup (`<strong>`, a link): the catalogue is trusted, the arguments are escaped
//!   (`th2` with two arguments).
//!
//! Page structs bring them into scope with `use crate::i18n::filters;` beside the derive.

// `askama::filter_fn` makes a `pub` type of each filter.
#![allow(unreachable_pub)]

use std::fmt::Display;

use askama::Values;
use askama::filters::Safe;

use super::{Locale, format, isolated};

/// The page's language (English when rendered without one).
fn locale(values: &dyn Values) -> Locale {
    askama::get_value::<Locale>(values, "locale").copied().unwrap_or_default()
}

/// Whether an argument is a link: a message puts links in `href` attributes, where isolating
/// marks would make another address of them.
fn is_link(value: &str) -> bool {
    value.starts_with('/') || value.starts_with("https://") || value.starts_with("http://")
}

/// The message in the page's language, with its arguments (links excepted) isolated on a
/// right-to-left page.
fn message(values: &dyn Values, id: &str, args: &[(&str, String)]) -> String {
    let locale = locale(values);
    let args: Vec<(&str, String)> =
        args.iter().map(|(n, v)| (*n, if is_link(v) { v.clone() } else { isolated(locale, v).into_owned() })).collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
    // Templates name ids as string literals (the catalogue test reads them from the templates).
    format(locale, id, &args)
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A message.
#[askama::filter_fn]
pub(crate) fn t(id: impl Display, values: &dyn Values) -> askama::Result<String> {
    Ok(message(values, &id.to_string(), &[]))
}

/// A message with one argument.
#[askama::filter_fn]
pub(crate) fn t1<V: Display>(id: impl Display, values: &dyn Values, name: &str, value: V) -> askama::Result<String> {
    Ok(message(values, &id.to_string(), &[(name, value.to_string())]))
}

/// A message with markup and one (escaped) argument.
#[askama::filter_fn]
pub(crate) fn th1<V: Display>(
    id: impl Display,
    values: &dyn Values,
    name: &str,
    value: V,
) -> askama::Result<Safe<String>> {
    Ok(Safe(message(values, &id.to_string(), &[(name, escape(&value.to_string()))])))
}

/// A message with markup and two (escaped) arguments.
#[askama::filter_fn]
pub(crate) fn th2<V1: Display, V2: Display>(
    id: impl Display,
    values: &dyn Values,
    name1: &str,
    value1: V1,
    name2: &str,
    value2: V2,
) -> askama::Result<Safe<String>> {
    let args = [(name1, escape(&value1.to_string())), (name2, escape(&value2.to_string()))];
    Ok(Safe(message(values, &id.to_string(), &args)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a right-to-left page a link stays a link (isolating marks inside `href` would make
    /// another address of it), while other arguments are isolated.
    #[test]
    fn links_in_markup_are_not_isolated_on_right_to_left_pages() {
        let locale = Locale::Ar;
        let values: [(&str, &dyn std::any::Any); 1] = [("locale", &locale)];
        let url = "/t/acme/account/confirm?page=account/profile";
        let html = message(&values, "profile-email-confirm-first", &[("url", url.to_owned())]);
        assert!(html.contains(&format!("<a href=\"{url}\">")), "{html}");
        let text = message(&values, "device-connected", &[("client", "Acme Web".to_owned())]);
        assert!(text.contains("\u{2068}Acme Web\u{2069}"), "{text}");
    }
}
