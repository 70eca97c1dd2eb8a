//! Browser state of the hosted flow: the SSO session and the pending authorization ("flow"),
//! both in the ephemeral store, addressed by random ids that travel in per-tenant cookies.
//!
//! # Security
//! - Cookie values are 256-bit random ids; the store keys are their SHA-256 (a store dump holds
//!   no usable cookie). Cookies are `HttpOnly` and `SameSite=Lax`. On an https public URL they
//!   are `__Host-` cookies (`Secure`, no `Domain`, `Path=/`; RFC 6265bis §4.1.3.2), so neither a
//!   sibling host nor a plain-http response can set or shadow them, with the tenant in the name
//!   (`__Host-ciam_session_{tenant}`) to keep tenants apart. On plain http (development only)
//!   they are `ciam_session` etc. with `Path={prefix}/t/{tenant}`.
//! - A new session id is issued at every sign-in (no fixation); the old one is deleted. How
//!   long a session lives (absolute lifetime, idle timeout) is the sessions service's
//!   ([`crate::services::sessions`]); this module only reads and writes the cookie.
//! - A flow is bound to the browser that started it by a second cookie, so a flow id copied into
//!   another browser (login CSRF) is refused; its forms carry a CSRF token compared in constant
//!   time.

use std::time::Duration;

use axum::http::HeaderMap;
use ciam_core::id::{TenantId, UserId};
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::StoreResult;
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_core::user::{User, UserStatus};
use serde::{Deserialize, Serialize};

use crate::services::sessions;
pub(crate) use crate::services::sessions::Session;
use crate::state::AppState;

/// The cookies of the hosted pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrowserCookie {
    /// The SSO session.
    Session,
    /// Binds a pending flow to this browser.
    Flow,
    /// Recognizes a browser the user signed in with before (sealed device id).
    Device,
    /// The language picked with the pages' switcher (a language tag).
    Language,
}

impl BrowserCookie {
    fn base_name(self) -> &'static str {
        match self {
            Self::Session => "ciam_session",
            Self::Flow => "ciam_flow",
            Self::Device => "ciam_device",
            Self::Language => "ciam_lang",
        }
    }
}

/// How long a sign-in may take.
pub(crate) const FLOW_TTL: Duration = Duration::from_secs(600);

/// A pending authorization request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Flow {
    /// The authorization request's parameters, re-validated at every step.
    pub(crate) query: String,
    pub(crate) csrf: String,
    /// SHA-256 of the browser-binding cookie.
    pub(crate) browser: String,
    /// Set when the user signed in during this flow (so `prompt=login` does not loop).
    pub(crate) signed_in: bool,
    /// Set when the user allowed access during this flow.
    pub(crate) consented: bool,
    /// A sign-in on the way to the device verification page (RFC 8628 §3.3) rather than an
    /// authorization request; `query` then holds only the user code the page was opened with.
    #[serde(default)]
    pub(crate) device: bool,
    /// A sign-in for the account pages rather than an application; `query` then holds the
    /// account page to come back to (one of [`ACCOUNT_PAGES`]).
    #[serde(default)]
    pub(crate) account: bool,
    /// A sign-in whose first factor passed, waiting for a second factor.
    #[serde(default)]
    pub(crate) pending: Option<super::signin::Pending>,
    /// A sign-in that confirms who the user is before a change to their authenticators: the
    /// level it must reach, and whether a code by email may be the second factor.
    #[serde(default)]
    pub(crate) reauth: Option<ciam_authn::reauth::Reauth>,
    /// A sign-in (or sign-up) held until the user proves their address with the mailed link or
    /// code; it continues where it stopped once they do.
    #[serde(default)]
    pub(crate) verifying: Option<super::signup::Verifying>,
    /// A reset whose mailed link opened this flow: the user and the link's hash (the link itself
    /// is used up when the new password is chosen or the new passkey made).
    #[serde(default)]
    pub(crate) recovering: Option<super::recover::Recovering>,
    /// A reset (a new password, or a new passkey for an account without a password) that takes
    /// effect when the sign-in it started completes: after the second factor, when the account
    /// has one the reset must not bypass.
    #[serde(default)]
    pub(crate) recovered: Option<crate::services::accounts::Recovery>,
    /// The invitation (its id) whose link opened this sign-up.
    #[serde(default)]
    pub(crate) invitation: Option<String>,
    /// An upstream account to link to the account the person signs in to in this flow (its
    /// address belongs to an account the upstream may not claim by itself).
    #[serde(default)]
    pub(crate) linking: Option<crate::services::federation::PendingLink>,
    /// A sign-in for a SAML app rather than an OAuth client; `query` is then empty.
    #[serde(default)]
    pub(crate) saml: Option<super::saml_idp::SamlPending>,
}

/// The account centre's pages (paths under the tenant), which a sign-in for the account may come
/// back to.
pub(crate) const ACCOUNT_PAGES: [&str; 9] = [
    "account",
    "account/profile",
    "account/password",
    "account/security",
    "account/sessions",
    "account/apps",
    "account/agents",
    "account/approvals",
    "account/privacy",
];

/// The account page named `page` (one of [`ACCOUNT_PAGES`]); anything else is `None`, so a
/// sign-in never continues anywhere but an account page.
pub(crate) fn account_page(page: &str) -> Option<&'static str> {
    ACCOUNT_PAGES.iter().copied().find(|p| *p == page)
}

impl Flow {
    /// The page a completed sign-in of this flow continues on.
    pub(crate) fn next_page(&self) -> &'static str {
        if self.device {
            "device"
        } else if self.account {
            // Flows started before the account centre hold no page: the security page.
            account_page(&self.query).unwrap_or("account/security")
        } else if self.saml.is_some() {
            "saml/resume"
        } else {
            "authorize/resume"
        }
    }

    /// Whether the flow serves an authorization request (not the device page, the account pages
    /// or a SAML app).
    pub(crate) fn is_authorization(&self) -> bool {
        !self.device && !self.account && self.saml.is_none()
    }
}

use crate::http::cookie_value as cookie;

/// A tenant's cookie as this deployment names and scopes it.
#[derive(Debug)]
struct CookieScope {
    name: String,
    path: String,
    secure: bool,
}

impl CookieScope {
    /// `__Host-{name}_{tenant}` at `Path=/` on https; `{name}` at `Path={prefix}/t/{tenant}` on
    /// plain http (where browsers refuse `__Host-` cookies). Tenant ids are `[a-z0-9-]`, which
    /// cookie names allow, and never contain `_`, so no two (cookie, tenant) pairs share a name.
    fn of(public_url: &str, tenant: &TenantId, which: BrowserCookie) -> Self {
        if public_url.starts_with("https://") {
            Self { name: format!("__Host-{}_{tenant}", which.base_name()), path: "/".into(), secure: true }
        } else {
            let path = format!("{}/t/{tenant}", url_path_prefix(public_url));
            Self { name: which.base_name().to_owned(), path, secure: false }
        }
    }

    fn header(&self, value: Option<&str>, max_age: Duration) -> String {
        let Self { name, path, secure } = self;
        let secure = if *secure { "; Secure" } else { "" };
        let (value, max_age) = value.map_or(("", 0), |v| (v, max_age.as_secs()));
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// The value of one of the tenant's cookies in the request.
pub(crate) fn read_cookie<'a>(
    st: &AppState,
    tenant: &TenantId,
    headers: &'a HeaderMap,
    which: BrowserCookie,
) -> Option<&'a str> {
    cookie(headers, &CookieScope::of(&st.node.public_url, tenant, which).name)
}

/// A `Set-Cookie` value for one of the tenant's cookies; `None` clears it.
pub(crate) fn set_cookie(
    st: &AppState,
    tenant: &TenantId,
    which: BrowserCookie,
    value: Option<&str>,
    max_age: Duration,
) -> String {
    CookieScope::of(&st.node.public_url, tenant, which).header(value, max_age)
}

/// The path part of the public URL (`https://id.example/auth` → `/auth`), for cookie paths.
fn url_path_prefix(public_url: &str) -> &str {
    public_url.split_once("://").and_then(|(_, rest)| rest.find('/').and_then(|i| rest.get(i..))).unwrap_or("")
}

/// The browser's live session, if any (see [`crate::services::sessions::current`]).
pub(crate) async fn current_session(
    st: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
) -> StoreResult<Option<Session>> {
    let Some(cookie) = read_cookie(st, &tenant.id, headers, BrowserCookie::Session) else { return Ok(None) };
    sessions::current(st, tenant, cookie).await
}

/// The active user `session` belongs to; `None` when the account is gone or no longer active.
/// The user's `locale` claim then chooses the language of the pages.
pub(crate) async fn session_user(st: &AppState, tenant: &TenantId, session: &Session) -> StoreResult<Option<User>> {
    let Ok(id) = UserId::parse(&session.user_id) else { return Ok(None) };
    let user = st.durable.get_user(tenant, &id).await?.filter(|u| u.status == UserStatus::Active);
    if let Some(user) = &user {
        crate::i18n::set_user(user);
    }
    Ok(user)
}

/// Starts a new session, ending the one the browser's cookie names (see
/// [`crate::services::sessions::start`]); returns its cookie value and how long the cookie
/// should live.
pub(crate) async fn start_session(
    st: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    session: &Session,
) -> StoreResult<(String, Duration)> {
    let old = read_cookie(st, &tenant.id, headers, BrowserCookie::Session);
    sessions::start(st, tenant, session, old).await
}

/// Saves a new flow; returns its id and the browser-binding cookie value.
pub(crate) async fn start_flow(st: &AppState, tenant: &TenantNs, query: &str) -> StoreResult<(String, String, Flow)> {
    let (id, browser) = (random_token(16), random_token(32));
    let flow = Flow {
        query: query.to_owned(),
        csrf: random_token(32),
        browser: SecretHash::of(&browser).as_str().to_owned(),
        ..Flow::default()
    };
    save_flow(st, tenant, &id, &flow).await?;
    Ok((id, browser, flow))
}

/// Stores a flow's new state.
pub(crate) async fn save_flow(st: &AppState, tenant: &TenantNs, id: &str, flow: &Flow) -> StoreResult<()> {
    Json::new(st.ephemeral.as_ref()).put(&keyspace::flow(tenant, id), flow, FLOW_TTL).await
}

/// Loads a flow if it exists and belongs to this browser (a flow that does not decode is gone).
pub(crate) async fn load_flow(
    st: &AppState,
    tenant: &Tenant,
    id: &str,
    headers: &HeaderMap,
) -> StoreResult<Option<Flow>> {
    let Some(flow) = Json::<Flow>::new(st.ephemeral.as_ref()).get(&keyspace::flow(&tenant.ns(), id)).await? else {
        return Ok(None);
    };
    let bound = read_cookie(st, &tenant.id, headers, BrowserCookie::Flow)
        .is_some_and(|b| SecretHash::from_stored(flow.browser.clone()).verify(b));
    Ok(bound.then_some(flow))
}

/// Deletes a finished flow.
pub(crate) async fn finish_flow(st: &AppState, tenant: &TenantNs, id: &str) -> StoreResult<()> {
    Json::<Flow>::new(st.ephemeral.as_ref()).delete(&keyspace::flow(tenant, id)).await?;
    Ok(())
}

pub(crate) use crate::http::csrf_ok;

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;

    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; ciam_session=abc; ciam_session_x=zzz"));
        h.append(COOKIE, HeaderValue::from_static("ciam_flow=f; __Host-ciam_session_acme=h"));
        assert_eq!(cookie(&h, "ciam_session"), Some("abc"));
        assert_eq!(cookie(&h, "ciam_flow"), Some("f"));
        assert_eq!(cookie(&h, "__Host-ciam_session_acme"), Some("h"));
        assert_eq!(cookie(&h, "__Host-ciam_session_acm"), None);
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn an_account_sign_in_comes_back_to_an_account_page_only() {
        let flow = |query: &str| Flow {
            query: query.into(),
            csrf: String::new(),
            browser: String::new(),
            signed_in: false,
            consented: false,
            device: false,
            account: true,
            ..Flow::default()
        };
        assert_eq!(flow("account/sessions").next_page(), "account/sessions");
        assert_eq!(flow("account").next_page(), "account");
        for elsewhere in ["", "https://evil.example/", "//evil.example", "account/../authorize", "login"] {
            assert_eq!(flow(elsewhere).next_page(), "account/security", "{elsewhere:?}");
        }
    }

    #[test]
    fn cookie_paths_follow_the_public_url() {
        assert_eq!(url_path_prefix("https://id.example"), "");
        assert_eq!(url_path_prefix("https://id.example/auth"), "/auth");
        assert_eq!(url_path_prefix("http://127.0.0.1:8080"), "");
    }

    /// `__Host-` cookies need `Secure`, no `Domain` and `Path=/` (RFC 6265bis §4.1.3.2), so on
    /// https the tenant moves from the path into the name; plain http keeps path-scoped cookies.
    #[test]
    fn https_deployments_use_host_prefixed_cookies_per_tenant() {
        let acme = TenantId::parse("acme").unwrap();
        let ttl = Duration::from_secs(3600);
        for url in ["https://id.example", "https://id.example/auth"] {
            let c = CookieScope::of(url, &acme, BrowserCookie::Session);
            assert_eq!(
                c.header(Some("v"), ttl),
                "__Host-ciam_session_acme=v; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure",
                "{url}: a path prefix still gets Path=/"
            );
            assert_eq!(
                c.header(None, ttl),
                "__Host-ciam_session_acme=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"
            );
            assert!(!c.header(Some("v"), ttl).contains("Domain"));
        }
        let names: Vec<String> = [BrowserCookie::Session, BrowserCookie::Flow, BrowserCookie::Device]
            .into_iter()
            .flat_map(|w| {
                ["acme", "acme-x"].map(|t| CookieScope::of("https://id.example", &TenantId::parse(t).unwrap(), w).name)
            })
            .collect();
        assert_eq!(
            names,
            [
                "__Host-ciam_session_acme",
                "__Host-ciam_session_acme-x",
                "__Host-ciam_flow_acme",
                "__Host-ciam_flow_acme-x",
                "__Host-ciam_device_acme",
                "__Host-ciam_device_acme-x"
            ]
        );
        assert_eq!(
            CookieScope::of("http://127.0.0.1:8080", &acme, BrowserCookie::Flow).header(Some("f"), ttl),
            "ciam_flow=f; Path=/t/acme; Max-Age=3600; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            CookieScope::of("http://localhost/auth", &acme, BrowserCookie::Device).header(None, ttl),
            "ciam_device=; Path=/auth/t/acme; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }
}
