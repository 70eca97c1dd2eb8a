//! What a browser is told and sent beyond the protocol: RP-initiated logout that another site
//! cannot aim at someone else's session, the Content-Security-Policy of the hosted pages, and on
//! https deployments `Strict-Transport-Security` and `__Host-` cookies.

use std::collections::HashMap;

use ciam_testkit::{
    Admin, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url, hidden,
    location,
};
use serde_json::{Value, json};

use crate::BIN;

const BYE: &str = "http://127.0.0.1:9/signed-out";

struct Fixture {
    server: Server,
    secret: String,
    _dir: TempDir,
}

/// Tenant `acme` with users Ada and Bob and the confidential client `web` (which registered a
/// post-logout redirect URI), on a server started with `env`.
async fn fixture(tag: &str, env: Vec<(String, String)>) -> Fixture {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let world = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .user("bob@example.com")
        .client(json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "post_logout_redirect_uris": [BYE], "scopes": ["openid"]}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    Fixture { secret: world.secret("web"), server, _dir: dir }
}

/// Signs `email` in through `web`'s authorization request (allowing consent on the way) and
/// returns the answer at the callback.
async fn sign_in(browser: &Browser, email: &str) -> HashMap<String, String> {
    let start = authorize_url("web", "openid").nonce("n").build();
    browser.to_callback(browser.sign_in_as(&start, email).await).await
}

/// Whether the browser is still signed in: `prompt=none` gives a code, not `login_required`.
async fn signed_in(browser: &Browser) -> bool {
    let answer = browser.answer_for(&authorize_url("web", "openid").nonce("n").extra("&prompt=none").build()).await;
    assert!(answer.contains_key("code") || answer["error"] == "login_required", "{answer:?}");
    answer.contains_key("code")
}

/// Redeems a code of client `web`; returns the ID token.
async fn id_token(f: &Fixture, code: &str) -> String {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let res =
        f.server.http.post(f.server.url("/t/acme/token")).basic_auth("web", Some(&f.secret)).form(&form).send().await;
    let body: Value = res.unwrap().json().await.unwrap();
    body["id_token"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// OpenID Connect RP-Initiated Logout 1.0 §2: the OP must ask the user when the ID token hint
/// "does not belong to the current OP session". A site sending Ada's browser to the logout
/// endpoint with Bob's ID token (or with an ID token of Ada's from another session) gets the
/// confirmation page: Ada's session is neither ended nor its cookie cleared, and the browser is
/// not sent to the post-logout redirect URI. Ada's own hint still signs her out at once.
#[tokio::test]
async fn a_logout_hint_for_another_session_ends_and_clears_nothing_rp_initiated_logout_2() {
    let f = fixture("logout-hint", vec![]).await;
    let bob = Browser::new(&f.server);
    let bobs_token = id_token(&f, &sign_in(&bob, "bob@example.com").await["code"]).await;
    let elsewhere = Browser::new(&f.server);
    let adas_other_token = id_token(&f, &sign_in(&elsewhere, "ada@example.com").await["code"]).await;
    let ada = Browser::new(&f.server);
    let adas_token = id_token(&f, &sign_in(&ada, "ada@example.com").await["code"]).await;
    assert_eq!(crate::claims(&adas_token)["sub"], crate::claims(&adas_other_token)["sub"]);
    assert_ne!(crate::claims(&adas_token)["sid"], crate::claims(&adas_other_token)["sid"]);

    for (who, hint) in [("another user", &bobs_token), ("another session of Ada", &adas_other_token)] {
        for extra in [String::new(), format!("&post_logout_redirect_uri={}&state=x", enc(BYE))] {
            let res = ada.get(&format!("/t/acme/logout?id_token_hint={}{extra}", enc(hint))).await;
            assert_eq!(res.status(), 200, "{who}{extra}: the confirmation page");
            assert!(res.headers().get("location").is_none(), "{who}{extra}: no redirect");
            assert!(res.headers().get("set-cookie").is_none(), "{who}{extra}: no cookie cleared");
            let page = res.text().await.unwrap();
            assert!(page.contains("Sign out of Acme?"), "{who}{extra}: {page}");
            assert!(signed_in(&ada).await, "{who}{extra}: Ada's session survives");
        }
    }
    assert!(signed_in(&bob).await && signed_in(&elsewhere).await, "nobody else was signed out either");

    // Confirming the question signs Ada out, with the form's CSRF token.
    let page = ada.get(&format!("/t/acme/logout?id_token_hint={}", enc(&bobs_token))).await.text().await.unwrap();
    let done = ada.post("/t/acme/logout/confirm", &[("csrf", &hidden(&page, "csrf"))]).await;
    assert!(done.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert!(done.text().await.unwrap().contains("You are signed out"));
    assert!(!signed_in(&ada).await);
    assert!(signed_in(&bob).await, "Bob's session is his own");

    // Ada's own hint for her current session: signed out and sent back at once.
    let answer = sign_in(&ada, "ada@example.com").await;
    let adas_token = id_token(&f, &answer["code"]).await;
    let res = ada
        .get(&format!(
            "/t/acme/logout?id_token_hint={}&post_logout_redirect_uri={}&state=x",
            enc(&adas_token),
            enc(BYE)
        ))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{BYE}?state=x"));
    assert!(!signed_in(&ada).await);
}

/// The policy a response was sent with, and its directives by name.
fn csp(res: &reqwest::Response) -> HashMap<String, String> {
    let header = res.headers()["content-security-policy"].to_str().unwrap();
    header
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// The nonce of a page's policy (the same in `script-src` and `style-src`).
fn nonce(policy: &HashMap<String, String>) -> String {
    let n = policy["style-src"].trim_start_matches("'nonce-").trim_end_matches('\'').to_owned();
    assert_eq!(policy["script-src"], format!("'self' 'nonce-{n}'"));
    assert!(n.len() >= 22, "at least 128 bits: {n}");
    n
}

/// Every hosted page restricts scripts to this origin and to inline elements carrying the
/// response's nonce, which is fresh for each response; plugins, `<base>` and framing are off. The
/// inline stylesheet and the auto-submit of `response_mode=form_post` carry the nonce, and no
/// page has inline event handlers. Other responses are locked down completely. Plain-http
/// deployments send no HSTS.
#[tokio::test]
async fn hosted_pages_send_a_script_restricting_csp_with_a_fresh_nonce() {
    let f = fixture("csp", vec![]).await;
    let ada = Browser::new(&f.server);
    let res = ada.get(&authorize_url("web", "openid").nonce("n").build()).await;
    assert_eq!(res.status(), 303);
    let login = location(&res);
    let mut pages = vec![];
    for url in [login.as_str(), login.as_str(), "/t/acme/logout", "/t/acme/login?flow=unknown"] {
        let res = ada.get(url).await;
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{url}");
        let policy = csp(&res);
        pages.push((url.to_owned(), policy.clone(), res.text().await.unwrap()));
    }
    let answer = sign_in(&ada, "ada@example.com").await;
    assert!(answer.contains_key("code"));
    let res =
        ada.get(&authorize_url("web", "openid").nonce("n").extra("&response_mode=form_post&prompt=none").build()).await;
    assert_eq!(res.status(), 200);
    let policy = csp(&res);
    pages.push(("form_post".into(), policy, res.text().await.unwrap()));

    let mut nonces = std::collections::HashSet::new();
    for (url, policy, html) in &pages {
        for (directive, value) in [
            ("default-src", "'none'"),
            ("object-src", "'none'"),
            ("base-uri", "'none'"),
            ("frame-ancestors", "'none'"),
            ("connect-src", "'self'"),
        ] {
            assert_eq!(policy.get(directive).map(String::as_str), Some(value), "{url}: {directive}");
        }
        let n = nonce(policy);
        assert!(nonces.insert(n.clone()), "{url}: a nonce is never reused");
        if url != "form_post" {
            assert!(html.contains(&format!("<style nonce=\"{n}\">")), "{url}: the stylesheet carries the nonce");
        }
        for inline in [" onload=", " onclick=", " onsubmit=", " style=", "javascript:"] {
            assert!(!html.contains(inline), "{url}: {inline}");
        }
        for script in html.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap();
            assert!(
                tag.contains("src=\"/assets/") || tag.contains(&format!("nonce=\"{n}\"")),
                "{url}: a script from this origin or with the nonce: <script{tag}>"
            );
        }
    }
    let (_, form_post_policy, form_post) = pages.last().unwrap();
    let n = nonce(form_post_policy);
    assert!(form_post.contains(&format!("<script nonce=\"{n}\">document.forms[0].submit();</script>")), "{form_post}");

    // JSON, scripts and redirects load nothing.
    for res in [
        f.server.http.get(f.server.url("/t/acme/.well-known/openid-configuration")).send().await.unwrap(),
        f.server.http.get(f.server.url("/assets/passkey.js")).send().await.unwrap(),
        ada.get(&authorize_url("web", "openid").nonce("n").build()).await,
    ] {
        let policy = csp(&res);
        assert_eq!(policy["default-src"], "'none'", "{}", res.url());
        assert_eq!(policy["frame-ancestors"], "'none'", "{}", res.url());
        assert!(res.headers().get("strict-transport-security").is_none(), "no HSTS over plain http");
    }
}

/// The values of the `Set-Cookie` headers of a response, by cookie name.
fn set_cookies(res: &reqwest::Response) -> HashMap<String, String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| {
            let v = v.to_str().unwrap().to_owned();
            (v.split('=').next().unwrap().to_owned(), v)
        })
        .collect()
}

/// The cookie value in a `Set-Cookie` header.
fn value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1
}

/// With an https public URL (here with a path prefix, as behind a proxy at
/// `https://id.example/auth`), every response carries `Strict-Transport-Security`, and the
/// session, flow and device cookies are `__Host-` cookies (RFC 6265bis §4.1.3.2: `Secure`, no
/// `Domain`, `Path=/`) named per tenant. The server reads them back under the same names and
/// does not accept the plain-http names.
#[tokio::test]
async fn https_deployments_send_hsts_and_host_prefixed_cookies_per_tenant() {
    let env = vec![("CIAM_PUBLIC_URL".to_owned(), "https://id.example/auth".to_owned())];
    let f = fixture("host-cookies", env).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(ciam_testkit::USER_AGENT)
        .build()
        .unwrap();
    let get = async |path: &str, cookies: &str| {
        let mut req = http.get(f.server.url(path));
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        req.send().await.unwrap()
    };

    let res = get("/t/acme/account/security", "").await;
    assert_eq!(res.headers()["strict-transport-security"], "max-age=63072000");
    assert_eq!(res.status(), 303);
    let login = location(&res);
    let flow_cookie = set_cookies(&res).remove("__Host-ciam_flow_acme").expect("a __Host- flow cookie");
    assert!(flow_cookie.ends_with("; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"), "{flow_cookie}");
    let flow_pair = format!("__Host-ciam_flow_acme={}", value(&flow_cookie));

    let html = get(&login, &flow_pair).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", "ada@example.com".into()),
        ("password", PASSWORD.into()),
    ];
    let res = http.post(f.server.url("/t/acme/login")).header("cookie", &flow_pair).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303, "the flow cookie was read back under its __Host- name");
    assert_eq!(res.headers()["strict-transport-security"], "max-age=63072000");
    let cookies = set_cookies(&res);
    for name in ["__Host-ciam_session_acme", "__Host-ciam_device_acme"] {
        let c = &cookies[name];
        assert!(c.contains("; Path=/;") && c.ends_with("; HttpOnly; SameSite=Lax; Secure"), "{c}");
        assert!(!c.contains("Domain"), "{c}");
    }
    assert!(!cookies.keys().any(|k| !k.starts_with("__Host-")), "{cookies:?}");
    let session = value(&cookies["__Host-ciam_session_acme"]).to_owned();

    let res = get("/t/acme/account/security", &format!("__Host-ciam_session_acme={session}")).await;
    assert_eq!(res.status(), 200, "signed in with the __Host- session cookie");
    for other in [format!("ciam_session={session}"), format!("__Host-ciam_session_other={session}")] {
        assert_eq!(get("/t/acme/account/security", &other).await.status(), 303, "{other} is not this tenant's cookie");
    }
}
