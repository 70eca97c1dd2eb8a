//! The languages of the hosted pages, their error messages and the mails: the message
//! catalogues (Fluent, `locales/{tag}/ciam.ftl`, compiled into the binary), the language of the
//! request being answered, and the template filters that put messages on a page.
//!
//! # How a request's language is chosen
//! In this order, the first that names a supported language ([`Locale`]): the authorization
//! request's `ui_locales` (the flow's), the signed-in user's `locale` claim, the language picked
//! with the pages' switcher (a cookie), `Accept-Language`, the tenant's
//! `branding.default_locale`, English. The hosted-page routes run inside [`scope`] with what the
//! request itself says (the cookie, `Accept-Language`); handlers that learn more refine it
//! ([`set_tenant_default`], [`set_flow`], [`set_user`]); [`current`] answers.
//!
//! # Messages
//! A message is named by a [`Msg`], written `msg!("id")` so that the test of the catalogues
//! finds every id the code uses; templates use the filters of [`filters`]
//! (`{{ "login-title"|t }}`). English is the source; a message missing in another language is
//! shown in English.

pub(crate) mod filters;
mod rules;
mod switcher;

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::LazyLock;

pub(crate) use ciam_core::locale::Locale;
use ciam_core::user::User;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
pub(crate) use rules::refusal;
pub(crate) use switcher::{Here, LanguageLink, switcher};

/// The message catalogue of every language, in the order of [`Locale::ALL`].
const SOURCES: [(Locale, &str); 5] = [
    (Locale::En, include_str!("../../locales/en/ciam.ftl")),
    (Locale::De, include_str!("../../locales/de/ciam.ftl")),
    (Locale::Fr, include_str!("../../locales/fr/ciam.ftl")),
    (Locale::Es, include_str!("../../locales/es/ciam.ftl")),
    (Locale::Ar, include_str!("../../locales/ar/ciam.ftl")),
];

/// The id of a message in the catalogues. Made only by [`msg!`], so every id the code uses is
/// written `msg!("…")` and the catalogue test can find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Msg(&'static str);

impl Msg {
    #[doc(hidden)]
    pub(crate) const fn new(id: &'static str) -> Self {
        Self(id)
    }
}

/// A message id: `msg!("login-title")`.
macro_rules! msg {
    ($id:literal) => {
        $crate::i18n::Msg::new($id)
    };
}
pub(crate) use msg;

type Bundle = FluentBundle<FluentResource>;

/// The bundles, built on first use. A catalogue that does not parse keeps the messages that do
/// (the catalogue test fails on any error); a message missing from a language falls back to English.
static BUNDLES: LazyLock<Vec<(Locale, Bundle)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(locale, source)| {
            let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, _)| partial);
            let tag = locale.tag().parse().unwrap_or_default();
            let mut bundle = Bundle::new_concurrent(vec![tag]);
            // Placeables are isolated by [`isolated`] where the output is right to left, not by
            // Fluent: mails keep links and codes free of invisible characters.
            bundle.set_use_isolating(false);
            // A duplicate id keeps the first definition; the catalogue test refuses duplicates.
            let _ = bundle.add_resource(resource);
            (*locale, bundle)
        })
        .collect()
});

fn bundle(locale: Locale) -> Option<&'static Bundle> {
    BUNDLES.iter().find(|(l, _)| *l == locale).map(|(_, b)| b)
}

/// `msg` in `locale` with `args` (`{ $name }` in the catalogue), English when the language lacks
/// it, the id itself when English does too (the catalogue test keeps that from happening).
pub(crate) fn text(locale: Locale, msg: Msg, args: &[(&str, &str)]) -> String {
    format(locale, msg.0, args)
}

/// [`text`] of a message named by a string (a template's).
fn format(locale: Locale, id: &str, args: &[(&str, &str)]) -> String {
    let found = [locale, Locale::En].into_iter().find_map(|l| {
        let bundle = bundle(l)?;
        let pattern = bundle.get_message(id)?.value()?;
        Some((bundle, pattern))
    });
    let Some((bundle, pattern)) = found else { return id.to_owned() };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, *value);
    }
    let mut errors = vec![];
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// `value` between First Strong Isolate and Pop Directional Isolate when `locale` is written
/// right to left, so an address, a name or a code in a left-to-right script keeps its own order
/// inside Arabic text (Unicode Bidirectional Algorithm, UAX #9 §2.7).
pub(crate) fn isolated(locale: Locale, value: &str) -> Cow<'_, str> {
    if locale.is_rtl() { Cow::Owned(format!("\u{2068}{value}\u{2069}")) } else { Cow::Borrowed(value) }
}

/// `msg` in the language of the request being answered, with its arguments isolated for a
/// right-to-left page: for words a handler puts on a page.
pub(crate) fn tr(msg: Msg) -> String {
    tr_with(msg, &[])
}

/// [`tr`] with arguments.
pub(crate) fn tr_with(msg: Msg, args: &[(&str, &str)]) -> String {
    let locale = current();
    let isolated: Vec<(&str, Cow<'_, str>)> = args.iter().map(|(n, v)| (*n, isolated(locale, v))).collect();
    let args: Vec<(&str, &str)> = isolated.iter().map(|(n, v)| (*n, v.as_ref())).collect();
    text(locale, msg, &args)
}

/// Words for a person that are kept until the language of the answer is known: a message, or
/// text that has no translation (the description of a refused protocol request, for the
/// developer of the application).
#[derive(Debug, Clone)]
pub(crate) enum Text {
    /// A message with its arguments.
    Msg(Msg, Vec<(&'static str, String)>),
    /// Text shown as it is.
    Verbatim(Cow<'static, str>),
}

impl Text {
    /// Text shown as it is.
    pub(crate) fn verbatim(text: impl Into<Cow<'static, str>>) -> Self {
        Self::Verbatim(text.into())
    }

    /// The text in the language of the request being answered.
    pub(crate) fn resolve(&self) -> String {
        match self {
            Self::Msg(msg, args) => {
                let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
                tr_with(*msg, &args)
            }
            Self::Verbatim(text) => text.clone().into_owned(),
        }
    }
}

impl From<Msg> for Text {
    fn from(msg: Msg) -> Self {
        Self::Msg(msg, vec![])
    }
}

/// What says which language a request is answered in, strongest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Preferences {
    /// The authorization request's `ui_locales`.
    pub(crate) ui_locales: Option<Locale>,
    /// The signed-in user's `locale` claim.
    pub(crate) claim: Option<Locale>,
    /// Picked with the language switcher (its cookie, or the link just followed).
    pub(crate) picked: Option<Locale>,
    /// The browser's `Accept-Language`.
    pub(crate) accept: Option<Locale>,
    /// The tenant's `branding.default_locale`.
    pub(crate) tenant: Option<Locale>,
}

impl Preferences {
    /// The language these preferences choose: the first set, else English.
    pub(crate) fn resolve(&self) -> Locale {
        self.ui_locales.or(self.claim).or(self.picked).or(self.accept).or(self.tenant).unwrap_or_default()
    }
}

/// What the hosted pages know about the request they answer: its language preferences and
/// where the language switcher leads.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageRequest {
    pub(crate) preferences: Preferences,
    pub(crate) here: Option<Here>,
}

tokio::task_local! {
    static PAGE: RefCell<PageRequest>;
}

/// Runs `f` (a page request's handler) with `request` as what [`current`] and the switcher read.
pub(crate) async fn scope<F: Future>(request: PageRequest, f: F) -> F::Output {
    PAGE.scope(RefCell::new(request), f).await
}

fn refine(f: impl FnOnce(&mut PageRequest)) {
    // Outside a page request (a test, a background task) there is nothing to refine.
    let _ = PAGE.try_with(|r| f(&mut r.borrow_mut()));
}

/// The language of the request being answered (English outside a page request).
pub(crate) fn current() -> Locale {
    PAGE.try_with(|r| r.borrow().preferences.resolve()).unwrap_or_default()
}

/// The tenant's default language, once the tenant of the request is known.
pub(crate) fn set_tenant_default(locale: Locale) {
    refine(|r| r.preferences.tenant = Some(locale));
}

/// The flow the page continues: its id (which the language switcher keeps) and its
/// authorization request's `ui_locales`.
pub(crate) fn set_flow(id: &str, ui_locales: Option<&str>) {
    refine(|r| {
        if let Some(here) = &mut r.here {
            here.flow = Some(id.to_owned());
        }
    });
    set_ui_locales(ui_locales);
}

/// An authorization request's `ui_locales` (OIDC Core §3.1.2.1: tags separated by spaces, in
/// order of preference): the first supported one comes before every other preference.
pub(crate) fn set_ui_locales(ui_locales: Option<&str>) {
    if let Some(locale) = ui_locales.and_then(|l| Locale::first_of(l.split_whitespace())) {
        refine(|r| r.preferences.ui_locales = Some(locale));
    }
}

/// The signed-in user, whose `locale` claim, when it names a supported language, comes before
/// the browser's preferences.
pub(crate) fn set_user(user: &User) {
    if let Some(locale) = claimed(user) {
        refine(|r| r.preferences.claim = Some(locale));
    }
}

/// The supported language a user's `locale` claim names.
fn claimed(user: &User) -> Option<Locale> {
    user.profile.locale.as_deref().and_then(Locale::matching)
}

/// The language of a mail to `recipient`: their `locale` claim, else the language of the
/// request that caused the mail (`request`, which ends in the tenant's default).
pub(crate) fn mail_locale(recipient: Option<&User>, request: Locale) -> Locale {
    recipient.and_then(claimed).unwrap_or(request)
}

/// A moment as people read it, the same in every language: `2026-03-01 14:05 UTC` (ISO 8601's
/// order, which every supported language reads).
pub(crate) fn when(t: time::OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

/// [`when`] for unix seconds.
pub(crate) fn when_unix(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs).map_or_else(|_| tr(msg!("time-unknown")), when)
}

#[cfg(test)]
mod tests;
