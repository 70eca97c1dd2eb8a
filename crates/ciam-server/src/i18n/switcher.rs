//! The language switcher of every page: a link per language to the same page, which the
//! hosted-page middleware answers with the page in that language and a cookie that keeps it.

use super::{Locale, PAGE};

/// The page being answered, as the switcher's links lead back to it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Here {
    /// The request's path.
    pub(crate) path: String,
    /// The request's query, without the switcher's own `lang`.
    pub(crate) query: Option<String>,
    /// The request posted a form: the links lead to the page the form belongs to.
    pub(crate) post: bool,
    /// The flow the page continues, once the handler knows it.
    pub(crate) flow: Option<String>,
}

/// Pages that only take a form, and the page each form belongs to (path suffixes).
const FORM_ONLY: [(&str, &str); 8] = [
    ("/login/email/verify", "/login"),
    ("/login/email", "/login"),
    ("/login/upstream", "/login"),
    ("/signup/resend", "/signup/verify"),
    ("/account/security/remove", "/account/security"),
    ("/account/security/recovery-codes", "/account/security"),
    ("/account/security/unlink", "/account/security"),
    ("/logout/confirm", "/logout"),
];

impl Here {
    /// This page in `locale`: the same path and query (for a posted form, the page of the form
    /// with its flow), plus `lang`.
    fn link(&self, locale: Locale) -> String {
        let (path, query) = if self.post {
            let path = FORM_ONLY
                .iter()
                .find_map(|(form, page)| self.path.strip_suffix(form).map(|prefix| format!("{prefix}{page}")))
                .unwrap_or_else(|| self.path.clone());
            let query = self
                .flow
                .as_ref()
                .map(|f| url::form_urlencoded::Serializer::new(String::new()).append_pair("flow", f).finish());
            (path, query)
        } else {
            (self.path.clone(), self.query.clone())
        };
        let lang = url::form_urlencoded::Serializer::new(String::new()).append_pair("lang", locale.tag()).finish();
        match query.filter(|q| !q.is_empty()) {
            Some(q) => format!("{path}?{q}&{lang}"),
            None => format!("{path}?{lang}"),
        }
    }
}

/// One entry of the language switcher.
#[derive(Debug, Clone)]
pub(crate) struct LanguageLink {
    /// The language tag (`hreflang`, `lang`).
    pub(crate) tag: &'static str,
    /// The language's name in itself.
    pub(crate) name: &'static str,
    pub(crate) href: String,
    /// The language of the page (`aria-current`).
    pub(crate) current: bool,
}

/// The switcher of the page being answered in `current`; empty outside a page request.
pub(crate) fn switcher(current: Locale) -> Vec<LanguageLink> {
    let here = PAGE.try_with(|r| r.borrow().here.clone()).ok().flatten();
    let Some(here) = here else { return vec![] };
    Locale::ALL
        .into_iter()
        .map(|l| LanguageLink { tag: l.tag(), name: l.native_name(), href: here.link(l), current: l == current })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_page_and_its_query() {
        let here = Here { path: "/t/acme/login".into(), query: Some("flow=abc".into()), post: false, flow: None };
        assert_eq!(here.link(Locale::De), "/t/acme/login?flow=abc&lang=de");
        let here = Here { path: "/t/acme/account/security".into(), query: None, post: false, flow: None };
        assert_eq!(here.link(Locale::Ar), "/t/acme/account/security?lang=ar");
    }

    #[test]
    fn after_a_form_links_lead_to_the_page_of_the_form() {
        let here = Here { path: "/t/acme/login".into(), query: None, post: true, flow: Some("f 1".into()) };
        assert_eq!(here.link(Locale::Fr), "/t/acme/login?flow=f+1&lang=fr");
        let here = Here { path: "/t/acme/login/email/verify".into(), query: None, post: true, flow: Some("f".into()) };
        assert_eq!(here.link(Locale::Es), "/t/acme/login?flow=f&lang=es");
        let here = Here { path: "/t/acme/signup/resend".into(), query: None, post: true, flow: Some("f".into()) };
        assert_eq!(here.link(Locale::En), "/t/acme/signup/verify?flow=f&lang=en");
        let here = Here { path: "/t/acme/account/security/remove".into(), query: None, post: true, flow: None };
        assert_eq!(here.link(Locale::De), "/t/acme/account/security?lang=de");
    }
}
