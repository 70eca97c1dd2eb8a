//! Sign-in through an upstream OpenID Connect provider, against an independent one: panva's
//! `oidc-provider` (`tests/upstream/upstream.mjs`), started by the test on loopback. ciam is its
//! relying party (discovery, PKCE, nonce, RFC 9207 `iss`, the ID token checked with its JWK Set,
//! userinfo), and links the upstream accounts to users without ever taking an account over by
//! its address alone.
//!
//! Needs Node.js 20 or later and `tests/upstream/node_modules` (`npm ci --prefix
//! tests/upstream`); `.ci/run` installs them. Outside CI a missing piece skips the test with a
//! notice; under `CI=true` it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use ciam_testkit::{
    Admin, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url, claims,
    hidden, location, skip_or_fail,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::BIN;

/// The upstream provider's directory, or why it cannot run here.
fn upstream_tools() -> Result<PathBuf, String> {
    crate::support::node_package("upstream", "oidc-provider")
}

/// The upstream's accounts: login -> claims (and the sign-in's `amr`).
fn accounts() -> Value {
    json!({
        "nina": {"email": "nina@corp.example", "email_verified": true, "name": "Nina Corp", "locale": "fr"},
        "ada-upstream": {"email": "ada@example.com", "email_verified": true, "name": "Ada Upstream"},
        "ada-unverified": {"email": "ada@example.com", "email_verified": false},
        "mallory": {"email": "mallory@elsewhere.example", "email_verified": true},
        "strong": {"email": "strong@corp.example", "email_verified": true, "amr": ["pwd", "mfa"]},
    })
}

struct Upstream {
    issuer: String,
    _child: Child,
}

impl Upstream {
    async fn start(dir: &Path, redirect_uri: &str) -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(dir.join("upstream.mjs"))
            .current_dir(dir)
            .env("UPSTREAM_CLIENT_ID", "ciam")
            .env("UPSTREAM_CLIENT_SECRET", "upstream-secret")
            .env("UPSTREAM_REDIRECT_URI", redirect_uri)
            .env("UPSTREAM_ACCOUNTS", accounts().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the upstream started in time")
            .unwrap()
            .expect("the upstream printed its issuer");
        let issuer = serde_json::from_str::<Value>(&line).unwrap()["issuer"].as_str().unwrap().to_owned();
        // Keep reading: a closed pipe would end the process at its next line of output.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { issuer, _child: child }
    }
}

struct Fixture {
    server: Server,
    admin_token: String,
    upstream: Upstream,
    ada: String,
    web_secret: String,
    _data: TempDir,
}

impl Fixture {
    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.server, self.admin_token.clone())
    }
}

async fn fixture(tag: &str, dir: &Path) -> Fixture {
    let data = TempDir::new(tag);
    let opts = ServerOptions {
        env: vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &data.0, opts).await;
    let admin_token = server.generated_admin_token();
    let created = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&Admin::new(&server, admin_token.clone()))
        .await;
    let upstream = Upstream::start(dir, &server.url("/t/acme/upstream/callback")).await;
    let provider = Admin::new(&server, admin_token.clone())
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "corp", "kind": "oidc", "display_name": "Corp", "issuer": upstream.issuer,
                   "client_id": "ciam", "client_secret": "upstream-secret", "create_users": true,
                   "claim_mapping": {"nickname": "name"}}),
            201,
        )
        .await;
    assert_eq!(provider["redirect_uri"], server.url("/t/acme/upstream/callback"), "{provider}");
    assert_eq!(provider["has_client_secret"], true, "{provider}");
    assert!(provider.get("client_secret").is_none(), "the secret is write-only: {provider}");
    Fixture {
        ada: created.user_id("ada@example.com"),
        web_secret: created.secret("web"),
        server,
        admin_token,
        upstream,
        _data: data,
    }
}

/// Opens client `web`'s authorization request (with `extra`) and returns the login page's HTML.
async fn login_html(browser: &Browser, extra: &str) -> String {
    let res = browser.get(&authorize_url("web", "openid email").nonce("n").extra(extra).build()).await;
    assert_eq!(res.status(), 303);
    browser.get(&location(&res)).await.text().await.unwrap()
}

/// Follows redirects across both servers until a page or ciam's client callback; returns the
/// final response.
async fn follow_everywhere(browser: &Browser, mut res: reqwest::Response) -> reqwest::Response {
    for _ in 0..15 {
        if !matches!(res.status().as_u16(), 302 | 303) {
            return res;
        }
        let to = location(&res);
        if to.starts_with(CALLBACK) {
            return res;
        }
        let next = if to.starts_with('/') { format!("{}{to}", res.url().origin().ascii_serialization()) } else { to };
        res = browser.get(&next).await;
    }
    panic!("too many redirects")
}

/// Presses "Continue with Corp" on `html` and signs in upstream as `login`; returns ciam's answer
/// to the callback (followed to the next page).
async fn through_upstream(browser: &Browser, html: &str, login: &str) -> reqwest::Response {
    assert!(html.contains("Continue with Corp"), "the button: {html}");
    let res = browser
        .post(
            "/t/acme/login/upstream",
            &[("flow", &hidden(html, "flow")), ("csrf", &hidden(html, "csrf")), ("provider", "corp")],
        )
        .await;
    sign_in_upstream(browser, res, login).await
}

/// From the redirect to the upstream: its sign-in page answered as `login`, then back to ciam.
async fn sign_in_upstream(browser: &Browser, to_upstream: reqwest::Response, login: &str) -> reqwest::Response {
    assert_eq!(to_upstream.status(), 303);
    let authorize = location(&to_upstream);
    let sent: std::collections::HashMap<_, _> =
        url::Url::parse(&authorize).unwrap().query_pairs().into_owned().collect();
    assert_eq!(sent["code_challenge_method"], "S256", "{authorize}");
    assert!(sent["nonce"].len() >= 32 && sent["state"].len() >= 32, "{authorize}");
    let page = follow_everywhere(browser, to_upstream).await;
    assert_eq!(page.status(), 200, "the upstream's sign-in page");
    let action = page.url().clone();
    let res = browser.post(action.as_str(), &[("login", login)]).await;
    follow_everywhere(browser, res).await
}

/// Allows consent if asked and returns the callback's parameters.
async fn finish(browser: &Browser, res: reqwest::Response) -> std::collections::HashMap<String, String> {
    browser.to_callback(res).await
}

/// Redeems `code` for client `web` and returns the ID token's claims.
async fn id_token(f: &Fixture, code: &str) -> Value {
    let res = reqwest::Client::new()
        .post(f.server.url("/t/acme/token"))
        .basic_auth("web", Some(&f.web_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    claims(body["id_token"].as_str().unwrap_or_else(|| panic!("{body}")))
}

#[tokio::test]
async fn a_first_upstream_sign_in_creates_a_linked_user_who_signs_in_again_by_sub() {
    let dir = match upstream_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with oidc-provider", why),
    };
    let f = fixture("fed-jit", &dir).await;
    let browser = Browser::new(&f.server);
    let html = login_html(&browser, "").await;
    let answer = finish(&browser, through_upstream(&browser, &html, "nina").await).await;
    let id = id_token(&f, &answer["code"]).await;
    assert_eq!(id["amr"], json!(["fed"]), "{id}");
    let user = id["sub"].as_str().unwrap().to_owned();
    let admin = f.admin();
    let made = admin.get(&format!("/tenants/acme/users/{user}"), 200).await;
    assert_eq!(made["email"], "nina@corp.example", "{made}");
    assert_eq!(made["email_verified"], true, "the upstream verified it: {made}");
    assert_eq!(made["source"], "federation", "{made}");
    assert_eq!(made["name"], "Nina Corp", "{made}");
    assert_eq!(made["locale"], "fr", "{made}");
    assert_eq!(made["nickname"], "Nina Corp", "mapped from the upstream's name: {made}");
    let links = admin.get(&format!("/tenants/acme/users/{user}/identities"), 200).await;
    assert_eq!(links[0]["provider"], "corp", "{links}");
    assert_eq!(links[0]["subject"], "nina", "{links}");

    // A second sign-in in a fresh browser reaches the same user, by the link.
    let other = Browser::new(&f.server);
    let html = login_html(&other, "").await;
    let answer = finish(&other, through_upstream(&other, &html, "nina").await).await;
    assert_eq!(id_token(&f, &answer["code"]).await["sub"], user.as_str());

    // The trail names what happened.
    let trail = admin.get("/tenants/acme/audit?limit=100", 200).await.to_string();
    for event in ["identity_provider.created", "user.created", "user.identity_linked", "sign_in.succeeded"] {
        assert!(trail.contains(event), "{event} in {trail}");
    }
}

#[tokio::test]
async fn an_address_of_an_existing_account_links_only_after_its_owner_signs_in() {
    let dir = match upstream_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with oidc-provider", why),
    };
    let f = fixture("fed-prove", &dir).await;
    let admin = f.admin();
    let browser = Browser::new(&f.server);
    let html = login_html(&browser, "").await;
    // The upstream says ada@example.com (verified), but Corp is not trusted for example.com:
    // the page asks Ada to sign in to her account first, nothing is linked yet.
    let page = through_upstream(&browser, &html, "ada-upstream").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("already exists") && html.contains("ada@example.com"), "{html}");
    assert_eq!(admin.get(&format!("/tenants/acme/users/{}/identities", f.ada), 200).await, json!([]));
    // A wrong password links nothing; the right one links and signs in.
    let flow = hidden(&html, "flow");
    let csrf = hidden(&html, "csrf");
    let res = browser
        .post("/t/acme/login", &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com"), ("password", "wrong")])
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(admin.get(&format!("/tenants/acme/users/{}/identities", f.ada), 200).await, json!([]));
    let res = browser
        .post(
            "/t/acme/login",
            &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    let answer = finish(&browser, res).await;
    assert_eq!(id_token(&f, &answer["code"]).await["sub"], f.ada.as_str());
    let links = admin.get(&format!("/tenants/acme/users/{}/identities", f.ada), 200).await;
    assert_eq!(links[0]["subject"], "ada-upstream", "{links}");
    // From now on the upstream account signs Ada in without her password.
    let other = Browser::new(&f.server);
    let html = login_html(&other, "").await;
    let answer = finish(&other, through_upstream(&other, &html, "ada-upstream").await).await;
    assert_eq!(id_token(&f, &answer["code"]).await["sub"], f.ada.as_str());

    // Trusted for example.com, Corp links a verified address at once; an unverified one still
    // needs the owner.
    admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/identity-providers/corp",
            Some(json!({"trusted_email_domains": ["example.com"]})),
        )
        .await;
    let b = Browser::new(&f.server);
    let html = login_html(&b, "").await;
    let page = through_upstream(&b, &html, "ada-unverified").await;
    assert!(page.text().await.unwrap().contains("already exists"), "unverified: proof still needed");
    assert_eq!(admin.get(&format!("/tenants/acme/users/{}/identities", f.ada), 200).await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn provider_rules_refuse_and_route() {
    let dir = match upstream_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with oidc-provider", why),
    };
    let f = fixture("fed-rules", &dir).await;
    let admin = f.admin();
    // Only corp.example addresses, and no new users.
    let (status, body) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/identity-providers/corp",
            Some(json!({"allowed_domains": ["corp.example"], "create_users": false, "home_realm_domains": ["corp.example"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["has_client_secret"], true, "a patch without client_secret keeps it: {body}");
    let b = Browser::new(&f.server);
    let html = login_html(&b, "").await;
    let page = through_upstream(&b, &html, "mallory").await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("cannot be used here"));
    let b = Browser::new(&f.server);
    let html = login_html(&b, "").await;
    let page = through_upstream(&b, &html, "nina").await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("No account here is linked"));

    // `idp=corp` goes straight upstream; so does an address of Corp's home realm.
    let b = Browser::new(&f.server);
    let res = b.get(&authorize_url("web", "openid").nonce("n").extra("&idp=corp").build()).await;
    let to_upstream = b.get(&location(&res)).await;
    assert_eq!(to_upstream.status(), 303);
    assert!(location(&to_upstream).starts_with(&f.upstream.issuer), "{}", location(&to_upstream));
    let html = login_html(&b, "").await;
    let res = b
        .post(
            "/t/acme/login",
            &[
                ("flow", &hidden(&html, "flow")),
                ("csrf", &hidden(&html, "csrf")),
                ("email", "nina@corp.example"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.starts_with(&f.upstream.issuer) && to.contains("login_hint=nina%40corp.example"), "{to}");

    // The callback is single use and bound to the browser that started it.
    let b = Browser::new(&f.server);
    let html = login_html(&b, "").await;
    let res = b
        .post(
            "/t/acme/login/upstream",
            &[("flow", &hidden(&html, "flow")), ("csrf", &hidden(&html, "csrf")), ("provider", "corp")],
        )
        .await;
    let page = follow_everywhere(&b, res).await;
    let res = b.post(page.url().as_str(), &[("login", "strong")]).await;
    // Stop at the redirect back to ciam: replay it in another browser, then twice in this one.
    let mut res = res;
    while !location(&res).contains("/upstream/callback") {
        res = b.get(&location(&res)).await;
    }
    let callback = location(&res);
    let thief = Browser::new(&f.server);
    assert_eq!(thief.get(&callback).await.status(), 400, "another browser");
    // (Corp takes no new users: this one is refused, after the round trip was checked.)
    assert_eq!(b.get(&callback).await.status(), 403);
    assert_eq!(b.get(&callback).await.status(), 400, "used once");
}

/// A browser script (`tests/browser/<script>`, see [`run_browser_script`]) that stops after its
/// first JSON line until told to go on, so the test can look at the server in between.
///
/// [`run_browser_script`]: crate::support::run_browser_script
struct SteppedScript {
    child: Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    stderr: tokio::task::JoinHandle<String>,
}

impl SteppedScript {
    fn start(tools: &(PathBuf, PathBuf), script: &str, env: &[(&str, String)]) -> Self {
        let (dir, chromium) = tools;
        let mut child = tokio::process::Command::new("node")
            .arg(dir.join(script))
            .current_dir(dir)
            .env("CHROMIUM", chromium)
            .env("CIAM_PAUSE", "1")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = tokio::io::AsyncReadExt::read_to_string(&mut err, &mut text).await;
            text
        });
        Self { child, lines, stderr }
    }

    /// The script's next JSON line; fails the test with its error and `server`'s log if it
    /// ends, fails or takes longer than `secs` seconds first.
    async fn line(&mut self, server: &Server, secs: u64) -> Value {
        let next = tokio::time::timeout(std::time::Duration::from_secs(secs), self.lines.next_line()).await;
        if let Ok(Ok(Some(line))) = next {
            return serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        }
        let _ = self.child.start_kill();
        let stderr = (&mut self.stderr).await.unwrap_or_default();
        panic!("the browser script stopped or timed out:\n{stderr}\nserver log:\n{}", server.logs())
    }

    /// Lets the script go on.
    async fn resume(&mut self) {
        use tokio::io::AsyncWriteExt;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"go\n").await.unwrap();
        stdin.flush().await.unwrap();
    }

    /// Waits for the script to end; fails the test unless it succeeded.
    async fn finish(mut self, server: &Server) {
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait()).await;
        let ok = matches!(status, Ok(Ok(s)) if s.success());
        if !ok {
            let _ = self.child.start_kill();
            let stderr = self.stderr.await.unwrap_or_default();
            panic!("the browser script failed:\n{stderr}\nserver log:\n{}", server.logs());
        }
    }
}

/// The `code` of a callback URL the browser reported.
fn code_in(report: &Value) -> String {
    let callback = report["callback"].as_str().unwrap_or_else(|| panic!("no callback in {report}"));
    let answer: std::collections::HashMap<_, _> =
        url::Url::parse(callback).unwrap().query_pairs().into_owned().collect();
    answer.get("code").unwrap_or_else(|| panic!("no code in {callback}")).clone()
}

/// The same link and unlink in Chromium (`tests/browser/federation.mjs`), by the pages'
/// accessible names, in English and in Arabic (right to left): "Continue with Corp", the
/// upstream's own sign-in page, back at ciam's sign-in page with the notice that the account
/// exists and the address filled in, the password links the accounts; then "Unlink Corp" under
/// "Linked accounts" on the account's security page, after confirming who she is when asked.
/// The admin API lists the link in between and nothing after.
#[tokio::test]
async fn chromium_signs_in_through_the_upstream_and_links_and_unlinks() {
    let dir = match upstream_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with oidc-provider", why),
    };
    let tools = match crate::support::browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let f = fixture("fed-chromium", &dir).await;
    let admin = f.admin();
    let identities = format!("/tenants/acme/users/{}/identities", f.ada);
    for lang in ["en", "ar"] {
        let start = authorize_url("web", "openid email").nonce("n").extra(&format!("&ui_locales={lang}")).build();
        let env = [
            ("CIAM_LANG", lang.to_owned()),
            ("CIAM_ORIGIN", f.server.url("")),
            ("CIAM_TENANT", "acme".to_owned()),
            ("CIAM_AUTHORIZE_URL", f.server.url(&start)),
            ("CIAM_CALLBACK", CALLBACK.to_owned()),
            ("CIAM_EMAIL", "ada@example.com".to_owned()),
            ("CIAM_PASSWORD", PASSWORD.to_owned()),
            ("CIAM_PROVIDER_NAME", "Corp".to_owned()),
            ("CIAM_UPSTREAM_ISSUER", f.upstream.issuer.clone()),
            ("CIAM_UPSTREAM_USER", "ada-upstream".to_owned()),
            ("CIAM_MAIL_DIR", f.server.data_dir.join("mail").display().to_string()),
        ];
        assert_eq!(admin.get(&identities, 200).await, json!([]), "{lang}: nothing linked yet");
        let mut run = SteppedScript::start(&tools, "federation.mjs", &env);

        // 1. Signed in as Ada, through Corp and her password: the accounts are linked.
        let signed_in = run.line(&f.server, 90).await;
        assert_eq!(signed_in["step"], "signed_in", "{signed_in}");
        assert_eq!(id_token(&f, &code_in(&signed_in)).await["sub"], f.ada.as_str(), "{lang}: {signed_in}");
        let links = admin.get(&identities, 200).await;
        assert_eq!(links.as_array().map(Vec::len), Some(1), "{lang}: {links}");
        assert_eq!((links[0]["provider"].as_str(), links[0]["subject"].as_str()), (Some("corp"), Some("ada-upstream")));

        // 2. Unlinked on the account's security page.
        run.resume().await;
        let report = run.line(&f.server, 90).await;
        run.finish(&f.server).await;
        assert_eq!(report["lang"], lang, "{report}");
        assert_eq!(report["dir"], if lang == "ar" { "rtl" } else { "ltr" }, "{report}");
        assert_eq!(report["link_notice_id"], "login-notice", "{report}");
        let notice = report["link_notice"].as_str().unwrap();
        assert!(notice.contains("ada@example.com") && notice.contains("Corp"), "{lang}: {report}");
        assert_eq!(report["email_filled"], "ada@example.com", "{report}");
        assert_eq!(report["callback"], signed_in["callback"], "{report}");
        assert!(report["linked"].as_str().unwrap().contains("Corp"), "{report}");
        assert_eq!(report["linked_after"], 0, "no linked accounts left on the page: {report}");
        if lang == "en" {
            assert!(notice.starts_with("An account with ada@example.com already exists."), "{report}");
            assert_eq!(report["unlink_notice"], "The account was unlinked.", "{report}");
        }
        assert_eq!(admin.get(&identities, 200).await, json!([]), "{lang}: unlinked");
    }
    let trail = admin.get("/tenants/acme/audit?limit=200", 200).await.to_string();
    for event in ["user.identity_linked", "user.identity_unlinked"] {
        assert!(trail.contains(event), "{event} in {trail}");
    }
}
