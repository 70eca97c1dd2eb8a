//! The account centre's templates and the words they show: the shared navigation, how a
//! sign-in, a time and a browser are named for a person (never a protocol value).

use askama::Template;

use crate::i18n::{Msg, filters, msg, tr, tr_with};
use ciam_core::{Acr, Amr};

use super::super::web_flow::Ctx;
use crate::http::page::Brand;

/// The account pages in the navigation: path under the tenant, name, and what the overview
/// says about it.
const NAV: [(&str, Msg, Msg); 9] = [
    ("account", msg!("nav-overview"), msg!("nav-overview-about")),
    ("account/profile", msg!("nav-profile"), msg!("nav-profile-about")),
    ("account/password", msg!("nav-password"), msg!("nav-password-about")),
    ("account/security", msg!("security-heading"), msg!("nav-security-about")),
    ("account/sessions", msg!("nav-sessions"), msg!("nav-sessions-about")),
    ("account/apps", msg!("nav-apps"), msg!("nav-apps-about")),
    ("account/agents", msg!("nav-agents"), msg!("nav-agents-about")),
    ("account/approvals", msg!("nav-approvals"), msg!("nav-approvals-about")),
    ("account/privacy", msg!("nav-privacy"), msg!("nav-privacy-about")),
];

/// The navigation every account page shows (`account_nav.html`), with the current page marked.
pub(crate) struct Nav {
    pub(crate) items: Vec<NavItem>,
    /// The sign-out page.
    pub(crate) sign_out: String,
}

/// One link of the navigation.
pub(crate) struct NavItem {
    pub(crate) href: String,
    pub(crate) label: String,
    /// What the page is for (the overview lists it).
    pub(crate) about: String,
    pub(crate) current: bool,
}

impl Nav {
    /// The navigation on account page `current` (a path under the tenant), in the language of
    /// the request.
    pub(in crate::oidc) fn new(ctx: &Ctx, current: &str) -> Self {
        let items = NAV
            .iter()
            .map(|(path, label, about)| NavItem {
                href: ctx.path(path),
                label: tr(*label),
                about: tr(*about),
                current: *path == current,
            })
            .collect();
        Self { items, sign_out: ctx.path("logout") }
    }
}

/// How a session's sign-in is named: by the methods it used, in words (in the language of the
/// request).
pub(crate) fn sign_in_words(amr: &[String], acr: &str) -> String {
    tr(sign_in_msg(amr, acr))
}

fn sign_in_msg(amr: &[String], acr: &str) -> Msg {
    let used: Vec<Amr> = amr.iter().filter_map(|m| Amr::parse(m)).collect();
    let has = |m: Amr| used.contains(&m);
    if has(Amr::Hwk) || has(Amr::Swk) {
        return msg!("factor-passkey");
    }
    if has(Amr::Fed) {
        return if has(Amr::Otp) || has(Amr::Mfa) { msg!("sign-in-upstream-mfa") } else { msg!("sign-in-upstream") };
    }
    match (has(Amr::Pwd), has(Amr::Otp), has(Amr::Email)) {
        (true, true, _) => msg!("sign-in-password-otp"),
        (true, false, true) => msg!("sign-in-password-email"),
        (true, false, false) => msg!("field-password"),
        (false, _, true) => msg!("sign-in-email"),
        _ => match Acr::parse(acr) {
            Some(Acr::PhishingResistant) => msg!("factor-passkey"),
            Some(Acr::MultiFactor) => msg!("sign-in-password-second"),
            Some(Acr::Password) => msg!("field-password"),
            None => msg!("sign-in-other"),
        },
    }
}

pub(crate) use crate::i18n::{when, when_unix};

/// The browser and system a `User-Agent` names, in words ("Firefox on Linux", in the language of
/// the request; the names themselves are not translated); `None` when it names neither.
pub(crate) fn browser_words(user_agent: &str) -> Option<String> {
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
    const BROWSERS: [(&str, &str); 8] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 8] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS.iter().find(|(k, _)| user_agent.contains(k)).map(|(_, v)| *v);
    let system = SYSTEMS.iter().find(|(k, _)| user_agent.contains(k)).map(|(_, v)| *v);
    match (browser, system) {
        (Some(b), Some(s)) => Some(tr_with(msg!("browser-on"), &[("browser", b), ("system", s)])),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(tr_with(msg!("browser-any-on"), &[("system", s)])),
        (None, None) => None,
    }
}

#[derive(Template)]
#[template(path = "account_overview.html")]
pub(crate) struct OverviewPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) email: &'a str,
    pub(crate) email_verified: bool,
    pub(crate) name: Option<&'a str>,
    pub(crate) profile: &'a str,
}

/// One field of the profile form: its value as typed and what is wrong with it.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// A language the profile form offers.
pub(crate) struct Language {
    pub(crate) tag: String,
    pub(crate) name: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "account_profile.html")]
pub(crate) struct ProfilePage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    pub(crate) email_verified: bool,
    /// Where the new address is posted.
    pub(crate) email_action: &'a str,
    /// The new address typed, and what is wrong with it.
    pub(crate) new_email: Field,
    /// Where to confirm who you are first, when the session is not recent enough to change
    /// the address.
    pub(crate) email_confirm: Option<String>,
    pub(crate) name: Field,
    pub(crate) given_name: Field,
    pub(crate) family_name: Field,
    pub(crate) phone_number: Field,
    pub(crate) birthdate: Field,
    pub(crate) locale: Field,
    pub(crate) languages: Vec<Language>,
    pub(crate) notice: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "account_password.html")]
pub(crate) struct PasswordPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    /// The account has a password (change it) or not (set one).
    pub(crate) has_password: bool,
    /// The tenant's rules, in words.
    pub(crate) rules: Vec<String>,
    pub(crate) current_error: Option<&'a str>,
    pub(crate) new_error: Option<&'a str>,
    pub(crate) confirm: Option<String>,
    pub(crate) notice: Option<&'a str>,
}

/// One session on the sessions page.
pub(crate) struct SessionRow {
    pub(crate) sid: String,
    pub(crate) this_device: bool,
    pub(crate) browser: String,
    pub(crate) started: String,
    pub(crate) last_active: String,
    pub(crate) method: String,
}

#[derive(Template)]
#[template(path = "account_sessions.html")]
pub(crate) struct SessionsPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) base: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) sessions: Vec<SessionRow>,
    pub(crate) others: usize,
    pub(crate) confirm: Option<String>,
    pub(crate) notice: Option<&'a str>,
}

/// One connected app.
pub(crate) struct AppRow {
    pub(crate) client_id: String,
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) granted: String,
}

#[derive(Template)]
#[template(path = "account_apps.html")]
pub(crate) struct AppsPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) apps: Vec<AppRow>,
    /// The SAML apps the user may open from here: (client id, name).
    pub(crate) launch: Vec<(String, String)>,
    pub(crate) launch_action: &'a str,
    pub(crate) confirm: Option<String>,
    pub(crate) notice: Option<&'a str>,
}

/// One delegation to an agent.
pub(crate) struct AgentRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) granted: String,
    /// "Active until ….", "Ended on ….", "Revoked on …." (a sentence, in the request's language).
    pub(crate) status: String,
    pub(crate) active: bool,
}

#[derive(Template)]
#[template(path = "account_agents.html")]
pub(crate) struct AgentsPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) agents: Vec<AgentRow>,
    pub(crate) confirm: Option<String>,
    pub(crate) notice: Option<&'a str>,
}

/// A request on the approval requests page.
pub(crate) struct ApprovalRow {
    /// What names it in the form (the hash of its `auth_req_id`).
    pub(crate) id: String,
    /// "{client} asks for your approval".
    pub(crate) heading: String,
    /// For an agent: who operates it.
    pub(crate) owner: Option<String>,
    /// For an agent: what it says it does.
    pub(crate) description: Option<String>,
    /// The binding message, to match against the client's screen.
    pub(crate) reference: Option<String>,
    /// Each authorization details entry, in words.
    pub(crate) details: Vec<String>,
    /// The scopes, in words.
    pub(crate) scopes: Vec<String>,
    /// The services the tokens would be for.
    pub(crate) audiences: Vec<String>,
    /// "Answer before …".
    pub(crate) expires: String,
    /// Where to confirm who you are before approving, when the sign-in is not enough yet.
    pub(crate) confirm: Option<String>,
    /// The approval needs a passkey and the account has none.
    pub(crate) needs_passkey: bool,
}

#[derive(Template)]
#[template(path = "account_approvals.html")]
pub(crate) struct ApprovalsPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) requests: Vec<ApprovalRow>,
    /// Where to add a passkey.
    pub(crate) security: String,
    pub(crate) notice: Option<&'a str>,
}

/// A purpose on the privacy page: its words, where the user stands, and whether they may
/// withdraw it.
pub(crate) struct PurposeRow {
    pub(crate) choice: crate::oidc::pages::PurposeChoice,
    /// "Granted on … (version n)" or "Not granted".
    pub(crate) status: String,
    pub(crate) withdrawable: bool,
}

#[derive(Template)]
#[template(path = "account_privacy.html")]
pub(crate) struct PrivacyPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) nav: Nav,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) purposes: Vec<PurposeRow>,
    pub(crate) export_action: &'a str,
    pub(crate) delete_action: &'a str,
    /// An export is being prepared (the page reloads itself).
    pub(crate) export_pending: bool,
    /// The single-use link of a finished export.
    pub(crate) export_ready: Option<String>,
    /// Where to sign in again first, when the sign-in is not recent enough to ask for an export.
    pub(crate) confirm: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_are_named_in_words() {
        let s = |v: &[&str]| v.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>();
        assert_eq!(sign_in_words(&s(&["pwd"]), "urn:ciam:acr:pwd"), "Password");
        assert_eq!(sign_in_words(&s(&["pwd", "email", "mfa"]), "urn:ciam:acr:mfa"), "Password and a code by email");
        assert!(sign_in_words(&s(&["pwd", "otp", "mfa"]), "urn:ciam:acr:mfa").starts_with("Password and a one-time"));
        assert_eq!(sign_in_words(&s(&["swk", "user"]), "urn:ciam:acr:phr"), "Passkey");
        assert_eq!(sign_in_words(&s(&["email"]), "urn:ciam:acr:pwd"), "A code by email");
        assert_eq!(sign_in_words(&[], "urn:ciam:acr:mfa"), "Password and a second factor");
        assert_eq!(sign_in_words(&[], "urn:other"), "Another sign-in method");
    }

    #[test]
    fn browsers_are_named_in_words() {
        for (ua, words) in [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", Some("Firefox on Linux")),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0",
                Some("Edge on Windows"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                Some("Safari on iPhone"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
                Some("Chrome on macOS"),
            ),
            ("curl/8.0", None),
        ] {
            assert_eq!(browser_words(ua).as_deref(), words, "{ua}");
        }
    }

    #[tokio::test]
    async fn sign_ins_and_browsers_are_named_in_the_language_of_the_request() {
        use crate::i18n::{Locale, PageRequest, Preferences, scope};
        let words = |locale: Locale| {
            let preferences = Preferences { picked: Some(locale), ..Preferences::default() };
            scope(PageRequest { preferences, here: None }, async {
                let amr = ["pwd".to_owned(), "email".to_owned()];
                let nav = NAV.iter().map(|(_, label, _)| tr(*label)).collect::<Vec<_>>();
                (sign_in_words(&amr, "urn:ciam:acr:mfa"), browser_words("Firefox/140.0 (X11; Linux)"), nav)
            })
        };
        let (signed_in, browser, nav) = words(Locale::De).await;
        assert_eq!(signed_in, "Passwort und ein Code per E-Mail");
        assert_eq!(browser.as_deref(), Some("Firefox auf Linux"));
        assert_eq!(nav[0], "Übersicht");
        let (signed_in, browser, _) = words(Locale::Es).await;
        assert_eq!(
            (signed_in.as_str(), browser.as_deref()),
            ("Contraseña y un código por correo", Some("Firefox en Linux"))
        );
        let (_, browser, nav) = words(Locale::Ar).await;
        assert_eq!(browser.as_deref(), Some("\u{2068}Firefox\u{2069} على \u{2068}Linux\u{2069}"));
        assert_eq!(nav[8], "الخصوصية");
    }

    #[test]
    fn moments_read_as_dates_and_times() {
        assert_eq!(when_unix(1_767_225_600 + 14 * 3600 + 5 * 60), "2026-01-01 14:05 UTC");
    }
}

crate::http::page::hosted_pages!(
    OverviewPage,
    ProfilePage,
    PasswordPage,
    SessionsPage,
    AppsPage,
    AgentsPage,
    ApprovalsPage,
    PrivacyPage
);
