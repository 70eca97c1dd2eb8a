//! The device authorization grant (RFC 8628) end to end: a headless agent and a public CLI start
//! the flow, poll (`authorization_pending`, `slow_down`), Ada signs in and approves on the hosted
//! verification page; the agent's next poll gets a DPoP-bound token resting on the delegation she
//! approved (listed in her account), the CLI gets her tokens with a refresh token. A denied
//! request gives `access_denied`, a used device code `invalid_grant`, and the page refuses
//! wrong codes, then stops accepting them.

use ciam_testkit::{Admin, AgentKey, Browser, PASSWORD, Server, ServerOptions, TempDir, World, hidden, location};
use serde_json::{Value, json};

use crate::{BIN, claims};

const API: &str = "https://builds.example/api";
const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";
const ALPHABET: &str = "BCDFGHJKLMNPQRSTVWXZ";

struct Cli<'a> {
    server: &'a Server,
    issuer: String,
}

impl Cli<'_> {
    /// `POST /device_authorization` as `agent` (signed assertion) or as the public CLI.
    async fn start(&self, agent: Option<&AgentKey>, form: &[(&str, &str)]) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut form: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        match agent {
            Some(a) => form.extend(a.assertion(&self.issuer)),
            None => form.push(("client_id", "acme-cli".into())),
        }
        let url = format!("{}/device_authorization", self.issuer);
        let res = self.server.http.post(url).form(&form).send().await.unwrap();
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        (status, res.json().await.unwrap(), headers)
    }

    /// One poll of the token endpoint; an agent signs its request and sends a DPoP proof.
    async fn poll(&self, agent: Option<&AgentKey>, device_code: &str) -> (u16, Value) {
        let token_url = format!("{}/token", self.issuer);
        let mut form = vec![("grant_type", DEVICE.to_owned()), ("device_code", device_code.to_owned())];
        let mut req = self.server.http.post(&token_url);
        match agent {
            Some(a) => {
                form.extend(a.assertion(&self.issuer));
                req = req.header("DPoP", a.proof("POST", &token_url, None));
            }
            None => form.push(("client_id", "acme-cli".into())),
        }
        let res = req.form(&form).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }
}

fn error(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or("none"))
}

/// The verification page as a signed-in browser sees it: enter `code`, answer the consent
/// page with `decision`; returns the consent page and the final page.
async fn approve(browser: &Browser, code: &str, decision: &str) -> (String, String) {
    let html = browser.get("/t/acme/device").await.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", code)]).await;
    assert_eq!(res.status(), 200);
    let consent = res.text().await.unwrap();
    let shown = hidden(&consent, "user_code");
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", &shown), ("decision", decision)]).await;
    assert_eq!(res.status(), 200);
    (consent, res.text().await.unwrap())
}

/// The whole story in order on one server (the audit trail and the logs need every step); the
/// tests after it check its rules one by one, each after the steps it needs.
#[tokio::test]
async fn a_headless_agent_and_a_cli_get_tokens_through_the_device_flow() {
    let mut d = started("device").await;
    early_polls(&d).await;
    sign_in_and_enter_the_code(&mut d).await;
    agent_token(&mut d).await;
    cli_tokens(&mut d).await;
    denied(&mut d).await;
    guessing_and_flooding(&d).await;
    no_code_in_the_logs(&d);
}

#[tokio::test]
async fn discovery_names_the_endpoint_and_a_start_answers_codes_rfc8628_3_2_4() {
    let d = started("device-start").await;
    no_code_in_the_logs(&d);
}

#[tokio::test]
async fn early_polls_are_authorization_pending_then_slow_down_rfc8628_3_5() {
    let d = started("device-pending").await;
    early_polls(&d).await;
}

#[tokio::test]
async fn an_approved_agent_gets_a_single_use_dpop_bound_token_on_its_delegation_rfc8628_3_3_3_5() {
    let mut d = started("device-approve").await;
    sign_in_and_enter_the_code(&mut d).await;
    agent_token(&mut d).await;
}

/// Lists and revokes the delegation the agent's approval created: that step first.
#[tokio::test]
async fn a_public_cli_gets_id_and_refresh_tokens_and_the_account_lists_the_delegation() {
    let mut d = started("device-cli").await;
    sign_in_and_enter_the_code(&mut d).await;
    agent_token(&mut d).await;
    cli_tokens(&mut d).await;
}

/// The trail check also looks for the approval's events: that step first.
#[tokio::test]
async fn a_denied_request_is_access_denied_and_audited_rfc8628_3_5() {
    let mut d = started("device-deny").await;
    sign_in_and_enter_the_code(&mut d).await;
    agent_token(&mut d).await;
    denied(&mut d).await;
}

#[tokio::test]
async fn wrong_user_codes_and_floods_of_starts_are_cut_short_rfc8628_5_1_5_2() {
    let mut d = started("device-guessing").await;
    sign_in_and_enter_the_code(&mut d).await;
    guessing_and_flooding(&d).await;
    no_code_in_the_logs(&d);
}

/// The device story's shared fixture: tenant `acme` with Ada, the public CLI `acme-cli` and the
/// agent `build-bot` it operates, after the agent started a flow (step 1, with all its checks).
struct Device {
    server: Server,
    _dir: TempDir,
    admin_token: String,
    ada_id: String,
    bot: AgentKey,
    issuer: String,
    device_code: String,
    user_code: String,
    /// A well-formed user code that is not `user_code`.
    wrong: String,
    /// Ada's browser (signed in from step 3 on) and its page's CSRF token.
    browser: Browser,
    csrf: String,
    /// The delegation Ada's approval created (step 4).
    delegation_id: String,
    /// Every device and user code handed out so far, none of which may reach the logs.
    codes: Vec<String>,
}

impl Device {
    fn cli(&self) -> Cli<'_> {
        Cli { server: &self.server, issuer: self.issuer.clone() }
    }

    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.server, self.admin_token.clone())
    }
}

/// Discovery, then step 1: the agent starts the flow; requests beyond what it may have are
/// refused.
async fn started(tag: &str) -> Device {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin_token = server.generated_admin_token();
    let mut world = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "acme-cli", "name": "Acme CLI", "client_type": "public",
                       "token_endpoint_auth_method": "none", "grant_types": [DEVICE, "refresh_token"],
                       "scopes": ["openid", "profile"]}))
        .agent(
            "build-bot",
            json!({"name": "Build bot", "description": "Runs builds from a terminal",
                   "owner": {"type": "client", "id": "acme-cli"}, "grant_types": [DEVICE],
                   "allowed_scopes": ["builds:read", "builds:run"], "allowed_audiences": [API]}),
        )
        .create(&Admin::new(&server, admin_token.clone()))
        .await;
    let ada_id = world.user_id("ada@example.com");
    let cli = &world.clients["acme-cli"];
    assert!(cli["grant_types"].as_array().unwrap().contains(&json!(DEVICE)), "registered with the device grant");
    let bot = world.agents.remove("build-bot").unwrap();
    let c = Cli { server: &server, issuer: server.url("/t/acme") };

    // Discovery names the endpoint and the grant (RFC 8628 §4).
    let meta: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(meta["device_authorization_endpoint"], format!("{}/device_authorization", c.issuer));
    assert!(meta["grant_types_supported"].as_array().unwrap().contains(&json!(DEVICE)));

    // 1. The agent starts the flow (RFC 8628 §3.1, §3.2).
    let (status, started, headers) = c.start(Some(&bot), &[("scope", "builds:run"), ("resource", API)]).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(headers["cache-control"], "no-store");
    let user_code = started["user_code"].as_str().unwrap().to_owned();
    assert_eq!(user_code.len(), 9);
    assert!(user_code.chars().enumerate().all(|(i, ch)| if i == 4 { ch == '-' } else { ALPHABET.contains(ch) }));
    assert_eq!(started["verification_uri"], format!("{}/device", c.issuer));
    assert_eq!(started["verification_uri_complete"], format!("{}/device?user_code={user_code}", c.issuer));
    assert_eq!((started["expires_in"].as_i64(), started["interval"].as_i64()), (Some(600), Some(5)));
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    assert!(device_code.len() >= 43, "256 bits");

    // Requests beyond what the client may have are refused as at the authorization endpoint.
    let (status, body, _) = c.start(Some(&bot), &[("scope", "builds:delete")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));
    let (status, body, _) = c.start(Some(&bot), &[("resource", "https://elsewhere.example")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")));

    let issuer = c.issuer;
    let wrong = if user_code == "BCDF-GHJK" { "BCDF-GHJL" } else { "BCDF-GHJK" }.to_owned();
    let browser = Browser::new(&server);
    let codes = vec![device_code.clone(), user_code.clone()];
    Device {
        server,
        _dir: dir,
        admin_token,
        ada_id,
        bot,
        issuer,
        device_code,
        user_code,
        wrong,
        browser,
        csrf: String::new(),
        delegation_id: String::new(),
        codes,
    }
}

/// Step 2: the agent polls before Ada did anything, then too fast (RFC 8628 §3.5); another
/// client cannot redeem its code.
async fn early_polls(d: &Device) {
    let c = d.cli();
    let (bot, device_code) = (&d.bot, &d.device_code);
    assert_eq!(error(&c.poll(Some(bot), device_code).await), (400, "authorization_pending"));
    assert_eq!(error(&c.poll(Some(bot), device_code).await), (400, "slow_down"));
    // Another client cannot redeem it.
    assert_eq!(error(&c.poll(None, device_code).await), (400, "invalid_grant"));
}

/// Step 3: Ada opens the complete verification URI, signs in, is back on the device page with
/// the code filled in; a wrong code and a missing CSRF token are refused; she enters the code
/// as typed and approves on the agent approval page.
async fn sign_in_and_enter_the_code(d: &mut Device) {
    let (browser, user_code, wrong) = (&d.browser, &d.user_code, &d.wrong);
    // 3. Ada opens the complete verification URI: sign-in first, then back to the device page
    //    with the code filled in.
    let res = browser.get(&format!("{}/device?user_code={user_code}", d.issuer)).await;
    assert_eq!(res.status(), 303);
    let login = location(&res);
    assert!(login.starts_with("/t/acme/login?flow="), "{login}");
    let html = browser.get(&login).await.text().await.unwrap();
    assert!(html.contains("connect a device"));
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", "ada@example.com".into()),
        ("password", PASSWORD.into()),
    ];
    let res = browser.http.post(browser.abs("/t/acme/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.starts_with("/t/acme/device?flow="), "{back}");
    let page = browser.get(&back).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert_eq!(&hidden(&html, "user_code"), user_code, "prefilled from verification_uri_complete");
    let csrf = hidden(&html, "csrf");

    // A wrong code is refused on the page; a missing CSRF token changes nothing.
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", wrong)]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("That code is not valid"));
    let res = browser.post("/t/acme/device", &[("user_code", user_code), ("decision", "allow")]).await;
    assert_eq!(res.status(), 403);

    // The code as typed: lower case, no dash. The approval page is the agent one.
    let typed = user_code.replace('-', "").to_lowercase();
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", &typed)]).await;
    assert_eq!(res.status(), 200);
    let consent = res.text().await.unwrap();
    for needle in
        ["Build bot is an AI agent", "Operated by <strong>Acme CLI</strong>", API, "Access ends on", user_code]
    {
        assert!(consent.contains(needle), "the approval page shows {needle:?}: {consent}");
    }
    assert!(consent.contains("Use the permission \u{201c}builds:run\u{201d}"));
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", user_code), ("decision", "allow")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Build bot is now connected"));
    d.csrf = csrf;
}

/// Step 4: the next poll gets a DPoP-bound token resting on the delegation; the code is then
/// used, and a decided code cannot be entered again.
async fn agent_token(d: &mut Device) {
    let c = d.cli();
    let (bot, device_code) = (&d.bot, &d.device_code);
    let (status, tokens) = c.poll(Some(bot), device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    assert_eq!(tokens["scope"], "builds:run");
    assert!(tokens.get("refresh_token").is_none(), "agents do not refresh");
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["sub"], d.ada_id.as_str());
    assert_eq!(at["client_id"], "build-bot");
    assert_eq!(at["aud"], API, "as after the code flow: the resource it asked for");
    assert_eq!(at["cnf"]["jkt"], bot.dpop_jkt.as_str());
    let delegation_id = at["delegation_id"].as_str().unwrap().to_owned();
    assert_eq!(error(&c.poll(Some(bot), device_code).await), (400, "invalid_grant"), "single use");
    // A decided code cannot be entered again.
    let res = d.browser.post("/t/acme/device", &[("csrf", &d.csrf), ("user_code", &d.user_code)]).await;
    assert_eq!(res.status(), 400);
    d.delegation_id = delegation_id;
}

/// Step 5: the public CLI. Ada is signed in already, so the page asks only for the code. An app
/// may name only resources registered in the tenant; its tokens are for it alone. Her browser
/// session lists the delegation she gave the agent.
async fn cli_tokens(d: &mut Device) {
    let (c, server, browser, delegation_id) = (d.cli(), &d.server, &d.browser, &d.delegation_id);
    let (status, body, _) = c.start(None, &[("scope", "openid"), ("resource", API)]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")), "{body}");
    let (status, started, _) = c.start(None, &[("scope", "openid profile")]).await;
    assert_eq!(status, 200, "{started}");
    let cli_code = started["device_code"].as_str().unwrap().to_owned();
    let (consent, done) = approve(browser, started["user_code"].as_str().unwrap(), "allow").await;
    assert!(consent.contains("Allow Acme CLI access?"), "{consent}");
    assert!(done.contains("Acme CLI is now connected"));
    let (status, tokens) = c.poll(None, &cli_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"].is_string() && tokens["id_token"].is_string());
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!((id_token["sub"].as_str(), id_token["aud"][0].as_str()), (Some(d.ada_id.as_str()), Some("acme-cli")));
    // The CLI's token is for the CLI: the account API refuses it.
    let res = server
        .http
        .get(server.url("/t/acme/account/delegations"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Her browser session lists the delegation she gave the agent; a change needs the
    // session's CSRF token.
    let mine: Value = browser.get("/t/acme/account/delegations").await.json().await.unwrap();
    let listed = mine.as_array().unwrap().iter().find(|d| d["id"] == delegation_id.as_str()).expect("listed");
    assert_eq!((listed["agent_id"].as_str(), listed["audiences"].clone()), (Some("build-bot"), json!([API])));
    let revoke = |csrf: Option<String>| {
        let mut req = browser.http.delete(browser.abs(&format!("/t/acme/account/delegations/{delegation_id}")));
        if let Some(c) = csrf {
            req = req.header("X-CSRF-Token", c);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(revoke(None).await, 403, "no change without the CSRF token");
    assert_eq!(revoke(Some("forged".into())).await, 403);
    let session_csrf = hidden(&browser.get("/t/acme/device").await.text().await.unwrap(), "csrf");
    assert_eq!(revoke(Some(session_csrf)).await, 204);
    d.codes.push(cli_code);
}

/// Step 6: a denied request gives access_denied, and is audited like a denied consent.
async fn denied(d: &mut Device) {
    let c = d.cli();
    let (_, started, _) = c.start(Some(&d.bot), &[]).await;
    let denied_code = started["device_code"].as_str().unwrap().to_owned();
    let (_, done) = approve(&d.browser, started["user_code"].as_str().unwrap(), "deny").await;
    assert!(done.contains("Build bot was not given access"));
    assert_eq!(error(&c.poll(Some(&d.bot), &denied_code).await), (400, "access_denied"));
    let trail = d.admin().get(&format!("/tenants/acme/audit?user={}&limit=200", d.ada_id), 200).await;
    let types: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in ["delegation.granted", "delegation.denied", "token.issued"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    d.codes.push(denied_code);
}

/// Step 7: guessing is cut short: after a few wrong codes the page stops accepting any. A client
/// cannot flood the server with pending requests: 30 a minute at most. Every start is in the
/// audit trail, the refused ones too.
async fn guessing_and_flooding(d: &Device) {
    let (c, browser, wrong, admin) = (d.cli(), &d.browser, &d.wrong, d.admin());
    let html = browser.get("/t/acme/device").await.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let mut last = 0;
    for _ in 0..5 {
        last = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", wrong)]).await.status().as_u16();
    }
    assert_eq!(last, 429);
    let (_, started, _) = c.start(None, &[]).await;
    let res =
        browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", started["user_code"].as_str().unwrap())]).await;
    assert_eq!(res.status(), 429, "even the right code, until the window ends");
    assert!(res.text().await.unwrap().contains("Too many wrong codes"));

    // A client cannot flood the server with pending requests: 30 a minute at most.
    let mut answers = Vec::new();
    for _ in 0..31 {
        let (status, body, _) = c.start(None, &[]).await;
        answers.push((status, body["error"].as_str().unwrap_or("none").to_owned()));
    }
    assert_eq!(answers.first(), Some(&(200, "none".to_owned())));
    assert_eq!(answers.last(), Some(&(400, "slow_down".to_owned())), "{answers:?}");
    // Every start is in the audit trail, the refused ones too.
    let started = admin.get("/tenants/acme/audit?type=device.started&agent=build-bot", 200).await;
    assert!(started["items"].as_array().is_some_and(|i| !i.is_empty()), "{started}");
    let refused = admin.get("/tenants/acme/audit?type=device.refused&agent=acme-cli&limit=200", 200).await;
    assert!(
        refused["items"].as_array().unwrap().iter().any(|e| e["reason"].as_str().unwrap().contains("slow_down")),
        "{refused}"
    );
}

/// Codes never reach the logs.
fn no_code_in_the_logs(d: &Device) {
    let logs = d.server.logs();
    for secret in &d.codes {
        assert!(!logs.contains(secret.as_str()), "a code was logged");
    }
}
