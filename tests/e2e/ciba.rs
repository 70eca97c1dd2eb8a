//! Agents ask a person before they act (OpenID CIBA Core 1.0 with RFC 9396 details), end to end:
//! an agent authenticating with its own key (`private_key_jwt`) and DPoP asks Ada to approve a
//! €420 payment; she sees it appear in her account centre in Chromium, confirms it's her with a
//! passkey (the tenant asks for one above €100) and approves; the agent's polls get
//! `authorization_pending`, `slow_down`, then tokens carrying exactly that payment, which an
//! exchange may narrow and never raise. Denial, expiry, a delegation revoked while a request
//! waits, the ping mode, the risk policy asking the user instead of stepping up, and hostile
//! requests. `TEST_BACKEND=postgres` runs it on Postgres and Redis.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PASSWORD, Server, ServerOptions, TempDir, World, authorize_url, hidden,
    skip_or_fail,
};
use serde_json::{Value, json};

use crate::BIN;
use crate::support::{browser_tools, mail_to, run_browser_script};

const API: &str = "https://payments.example/api";
const CIBA: &str = "urn:openid:params:grant-type:ciba";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const SCOPE: &str = "openid payments:initiate";

fn payment(amount: &str) -> Value {
    json!({"type": "payment_initiation", "instructedAmount": {"currency": "EUR", "amount": amount},
           "creditorName": "Air Example"})
}

/// The tenant's payment type: approving one above €100 needs a passkey.
fn payment_type() -> Value {
    let mut t = crate::rar::payment_type();
    t["approval"] = json!({"acr": "phishing_resistant", "above": {"field": "instructedAmount.amount", "value": 100}});
    t
}

/// A tenant with Ada, the travel app, and two agents it owns that may ask Ada through CIBA: one
/// polls, one is pinged at `ping_endpoint`.
struct Ciba {
    _dir: TempDir,
    server: Server,
    admin_token: String,
    issuer: String,
    ada: String,
    app_secret: String,
    payer: AgentKey,
    pinged: AgentKey,
    /// Ada's browser (reqwest), signed in while approving the delegations.
    browser: Browser,
}

async fn world(tag: &str, env: Vec<(String, String)>, ping_endpoint: &str, settings: Value) -> Ciba {
    let dir = TempDir::new(tag);
    let mut env = env;
    env.push(("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into()));
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let admin_token = server.generated_admin_token();
    let admin = Admin::new(&server, admin_token.clone());
    let agent = |name: &str, mode: Value| {
        let mut body = json!({"name": name, "description": format!("{name} pays for trips"),
            "owner": {"type": "client", "id": "travel-app"}, "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code", EXCHANGE, CIBA],
            "allowed_scopes": ["openid", "payments:initiate"], "allowed_audiences": [API]});
        if let (Some(b), Some(m)) = (body.as_object_mut(), mode.as_object()) {
            b.extend(m.clone());
        }
        body
    };
    let mut created = World::tenant("acme")
        .named("Acme")
        .settings(settings)
        .user("ada@example.com")
        .client(json!({"client_id": "travel-app", "name": "Travel app", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "payments:initiate"]}))
        .agent("payer", agent("Payer", json!({"backchannel_token_delivery_mode": "poll"})))
        .agent(
            "pinged",
            agent(
                "Pinged",
                json!({"backchannel_token_delivery_mode": "ping",
                       "backchannel_client_notification_endpoint": ping_endpoint}),
            ),
        )
        .create(&admin)
        .await;
    assert_eq!(created.agent_bodies["pinged"]["backchannel_token_delivery_mode"], "ping");
    admin.post("/tenants/acme/authorization-detail-types", payment_type(), 201).await;
    let browser = Browser::new(&server);
    Ciba {
        _dir: dir,
        issuer: server.url("/t/acme"),
        ada: created.user_id("ada@example.com"),
        app_secret: created.secret("travel-app"),
        payer: created.agents.remove("payer").expect("payer"),
        pinged: created.agents.remove("pinged").expect("pinged"),
        browser,
        admin_token,
        server,
    }
}

impl Ciba {
    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.server, self.admin_token.clone())
    }

    /// Ada approves a delegation to `agent` for the payments API on the hosted consent page.
    async fn delegate(&self, agent: &AgentKey) {
        let start = authorize_url(agent.id(), SCOPE).state("s").extra(&format!("&resource={API}")).build();
        let (_, callback) = self.browser.authorize(&start, "allow").await;
        assert!(callback.query_pairs().any(|(k, _)| k == "code"), "{callback}");
    }

    /// A backchannel authentication request by `agent`, with its signed assertion.
    async fn ask(&self, agent: &AgentKey, form: &[(&str, &str)]) -> (u16, Value) {
        let mut form: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        form.extend(agent.assertion(&self.issuer));
        let res = self.server.http.post(self.server.url("/t/acme/bc-authorize")).form(&form).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// `agent` asks Ada to approve paying `amount`, with `extra` parameters; returns the
    /// `auth_req_id`.
    async fn ask_to_pay(&self, agent: &AgentKey, amount: &str, extra: &[(&str, &str)]) -> String {
        let details = json!([payment(amount)]).to_string();
        let mut form = vec![
            ("scope", SCOPE),
            ("login_hint", "ada@example.com"),
            ("resource", API),
            ("authorization_details", &details),
        ];
        form.extend_from_slice(extra);
        let (status, body) = self.ask(agent, &form).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["interval"], 5);
        body["auth_req_id"].as_str().expect("an auth_req_id").to_owned()
    }

    /// A token request by `agent` with its assertion and a DPoP proof.
    async fn token(&self, agent: &AgentKey, form: &[(&str, &str)]) -> (u16, Value) {
        let mut form: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        form.extend(agent.assertion(&self.issuer));
        let proof = agent.proof("POST", &format!("{}/token", self.issuer), None);
        let res =
            self.server.http.post(self.server.url("/t/acme/token")).header("DPoP", proof).form(&form).send().await;
        let res = res.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    async fn poll(&self, agent: &AgentKey, auth_req_id: &str) -> (u16, Value) {
        self.token(agent, &[("grant_type", CIBA), ("auth_req_id", auth_req_id)]).await
    }

    /// Ada's waiting requests on her account page: (request id, csrf) of the first, if any.
    async fn first_waiting(&self) -> Option<(String, String)> {
        let res = self.browser.get(&self.server.url("/t/acme/account/approvals")).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        html.contains("name=\"request\"").then(|| (hidden(&html, "request"), hidden(&html, "csrf")))
    }

    /// Ada answers her first waiting request on the page; returns where the form sent her.
    async fn answer(&self, decision: &str) -> String {
        let (request, csrf) = self.first_waiting().await.expect("a waiting request");
        let form = [("csrf", csrf.as_str()), ("request", request.as_str()), ("decision", decision)];
        let res = self.browser.post(&self.server.url("/t/acme/account/approvals/decide"), &form).await;
        assert_eq!(res.status(), 303);
        ciam_testkit::location(&res)
    }

    async fn events(&self, kind: &str) -> Vec<Value> {
        let page = self.admin().get(&format!("/tenants/acme/audit?type={kind}&limit=100"), 200).await;
        page["items"].as_array().cloned().unwrap_or_default()
    }
}

/// The origin of a server that will listen on a free port of localhost (browsers allow
/// WebAuthn on http only for localhost), and the environment that makes it so.
fn on_localhost() -> (String, Vec<(String, String)>) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let origin = format!("http://localhost:{port}");
    (origin.clone(), vec![("CIAM_BIND".into(), format!("127.0.0.1:{port}")), ("CIAM_PUBLIC_URL".into(), origin)])
}

#[tokio::test]
async fn ada_approves_an_agents_payment_with_a_passkey_and_its_tokens_carry_exactly_that() {
    let tools = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (origin, env) = on_localhost();
    let w = world("ciba", env, "http://127.0.0.1:9/ciba", json!({})).await;
    w.delegate(&w.payer).await;
    let mail_dir = w.server.data_dir.join("mail");

    // Ada opens her approval requests in Chromium; once she is there, the agent asks.
    let ready = w.server.data_dir.join("ready");
    let env = [
        ("CIAM_ORIGIN", origin.clone()),
        ("CIAM_TENANT", "acme".to_owned()),
        ("CIAM_EMAIL", "ada@example.com".to_owned()),
        ("CIAM_PASSWORD", PASSWORD.to_owned()),
        ("CIAM_MAIL_DIR", mail_dir.display().to_string()),
        ("CIAM_READY_FILE", ready.display().to_string()),
        ("CIAM_ASKER", "Payer".to_owned()),
    ];
    let chromium = run_browser_script(&tools, &w.server, "ciba.mjs", &env, 180);
    let agent = async {
        for _ in 0..1200 {
            if ready.exists() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let id = w.ask_to_pay(&w.payer, "420.00", &[("binding_message", "Flight LH400 for Ada")]).await;
        // The agent polls at once, then again too soon: told to wait, then to slow down.
        let (status, first) = w.poll(&w.payer, &id).await;
        assert_eq!((status, first["error"].as_str()), (400, Some("authorization_pending")), "{first}");
        let (_, second) = w.poll(&w.payer, &id).await;
        assert_eq!(second["error"], "slow_down", "{second}");
        // Then every (grown) interval until Ada has answered.
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            let (status, body) = w.poll(&w.payer, &id).await;
            if status == 200 {
                return (id, body);
            }
            assert_eq!(body["error"], "authorization_pending", "{body}");
        }
        panic!("Ada's approval never came:\n{}", w.server.logs());
    };
    let (report, (id, tokens)) = tokio::join!(chromium, agent);

    // What Chromium saw: the request appeared by itself, said everything in words, and offered
    // Approve only after the passkey.
    assert_eq!(report["empty"], true, "{report}");
    let text = report["text"].as_str().unwrap();
    for needle in [
        "Payer asks for your approval",
        "An AI agent operated by Travel app",
        "Payer pays for trips",
        "Reference: Flight LH400 for Ada",
        "Pay 420.00 EUR to Air Example",
        API,
    ] {
        assert!(text.contains(needle), "the page shows {needle:?}: {text}");
    }
    assert_eq!(report["approve_before_passkey"], 0, "no Approve before the passkey: {report}");
    assert_eq!(report["status"], "You approved the request.");

    // The tokens: DPoP-bound, for the API, on Ada's delegation, with exactly the payment.
    let flight = json!([payment("420.00")]);
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    assert_eq!(tokens["authorization_details"], flight);
    assert!(tokens["id_token"].is_string(), "openid was asked: {tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let claims = crate::claims(&access);
    assert_eq!((claims["sub"].as_str(), claims["client_id"].as_str()), (Some(w.ada.as_str()), Some("payer")));
    assert_eq!(claims["aud"], API);
    assert_eq!(claims["authorization_details"], flight);
    assert_eq!(claims["cnf"]["jkt"], w.payer.dpop_jkt.as_str());
    assert_eq!(claims["acr"], "urn:ciam:acr:phr", "approved after a passkey");
    assert!(claims["delegation_id"].is_string(), "{claims}");
    let (status, again) = w.poll(&w.payer, &id).await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")), "redeemed once: {again}");

    // Ada was mailed a link to the page, with what is asked in words.
    let mail = mail_to(&mail_dir, "ada@example.com", "Payer asks for your approval").await;
    for needle in ["Reference: Flight LH400 for Ada", "- Pay 420.00 EUR to Air Example", "/t/acme/account/approvals"] {
        assert!(mail.contains(needle), "the mail says {needle:?}: {mail}");
    }

    // An exchange may narrow the payment, never raise it.
    let w = &w;
    let exchange = |amount: &str| {
        let details = json!([payment(amount)]).to_string();
        let access = access.clone();
        async move {
            let form = [
                ("grant_type", EXCHANGE),
                ("subject_token", access.as_str()),
                ("subject_token_type", ACCESS_TOKEN),
                ("resource", API),
                ("authorization_details", details.as_str()),
            ];
            w.token(&w.payer, &form).await
        }
    };
    let (status, raised) = exchange("500.00").await;
    assert_eq!((status, raised["error"].as_str()), (400, Some("invalid_authorization_details")), "{raised}");
    let (status, narrowed) = exchange("200.00").await;
    assert_eq!(status, 200, "{narrowed}");
    assert_eq!(
        crate::claims(narrowed["access_token"].as_str().unwrap())["authorization_details"],
        json!([payment("200.00")])
    );

    // The trail: the request, the approval and the token, each with the user, the agent, the
    // delegation and (sealed, opened for the administrator) the details.
    let requested = w.events("ciba.requested").await;
    let approved = w.events("ciba.approved").await;
    assert_eq!((requested.len(), approved.len()), (1, 1), "{requested:?} {approved:?}");
    for e in [&requested[0], &approved[0]] {
        assert_eq!((e["user_id"].as_str(), e["client_id"].as_str()), (Some(w.ada.as_str()), Some("payer")), "{e}");
        assert_eq!(e["actors"], json!(["payer"]));
        assert_eq!(e["delegation_id"], claims["delegation_id"]);
        assert!(e["reason"].as_str().unwrap().contains("Flight LH400 for Ada"), "{e}");
    }
    let issued = w.events("token.issued").await;
    let ciba_token = issued.iter().find(|e| e["client_id"] == "payer").expect("the CIBA token is on the trail");
    assert!(ciba_token["reason"].as_str().unwrap().contains("420.00"), "{ciba_token}");
    let exchanged = w.events("token.exchanged").await;
    let reason = exchanged.first().and_then(|e| e["reason"].as_str()).unwrap_or_default();
    assert!(reason.contains("\"score\"") && reason.contains("200.00"), "the decision, then the details: {reason}");
}

#[tokio::test]
async fn denial_expiry_and_a_revoked_delegation_end_a_request_and_ping_clients_are_told() {
    // The pinged agent's notification endpoint.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://127.0.0.1:{}/ciba", listener.local_addr().unwrap().port());
    let w = world("ciba-ends", Vec::new(), &endpoint, json!({})).await;
    w.delegate(&w.payer).await;

    // Denied on the page: access_denied.
    let id = w.ask_to_pay(&w.payer, "50.00", &[]).await;
    assert!(w.answer("deny").await.ends_with("/account/approvals?done=denied"));
    let (status, denied) = w.poll(&w.payer, &id).await;
    assert_eq!((status, denied["error"].as_str()), (400, Some("access_denied")), "{denied}");
    assert_eq!(w.events("ciba.denied").await.len(), 1);

    // Not answered in time: expired_token.
    let id = w.ask_to_pay(&w.payer, "50.00", &[("requested_expiry", "1")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (_, expired) = w.poll(&w.payer, &id).await;
    assert_eq!(expired["error"], "expired_token", "{expired}");
    assert!(w.first_waiting().await.is_none(), "an expired request is not listed");

    // Pinged: the agent's endpoint hears of the answer with its own token, then redeems once.
    w.delegate(&w.pinged).await;
    let id = w.ask_to_pay(&w.pinged, "50.00", &[("client_notification_token", "ping-token-8c1d")]).await;
    let (status, pending) = w.poll(&w.pinged, &id).await;
    assert_eq!((status, pending["error"].as_str()), (400, Some("authorization_pending")));
    assert!(w.answer("approve").await.ends_with("/account/approvals?done=approved"), "a recent sign-in suffices");
    let ping = tokio::time::timeout(std::time::Duration::from_secs(10), receive(&listener)).await.expect("a ping");
    assert!(ping.starts_with("POST /ciba HTTP/1.1"), "{ping}");
    assert!(ping.to_ascii_lowercase().contains("authorization: bearer ping-token-8c1d"), "{ping}");
    let body: Value = serde_json::from_str(ping.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap();
    assert_eq!(body, json!({"auth_req_id": id}));
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let (status, tokens) = w.poll(&w.pinged, &id).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        crate::claims(tokens["access_token"].as_str().unwrap())["authorization_details"],
        json!([payment("50.00")])
    );

    // Ada revokes the payer's delegation while it waits for her: the request ends at once.
    let id = w.ask_to_pay(&w.payer, "50.00", &[]).await;
    let delegations = w.admin().get(&format!("/tenants/acme/users/{}/delegations", w.ada), 200).await;
    let payer = delegations.as_array().unwrap().iter().find(|d| d["agent_id"] == "payer").unwrap();
    let (status, _) = w
        .admin()
        .call(
            reqwest::Method::DELETE,
            &format!("/tenants/acme/users/{}/delegations/{}", w.ada, payer["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert!(w.first_waiting().await.is_none(), "a request of a revoked delegation is not listed");
    let (_, revoked) = w.poll(&w.payer, &id).await;
    assert_eq!(revoked["error"], "access_denied", "{revoked}");

    // Four requests mailed Ada so far; of two more, only the first is mailed (the other waits on
    // her page unannounced): five a quarter of an hour, so no agent floods her mailbox.
    for _ in 0..2 {
        w.ask_to_pay(&w.pinged, "5.00", &[("client_notification_token", "ping-token-8c1d")]).await;
    }
    let mail_dir = w.server.data_dir.join("mail");
    let asked = || {
        crate::support::mails_in(&mail_dir)
            .into_iter()
            .filter(|(_, subject, _)| subject.contains("asks for your approval"))
            .count()
    };
    for _ in 0..100 {
        if asked() >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(asked(), 5, "{:?}", crate::support::mails_in(&mail_dir));
}

/// Reads one request from `listener` and answers `204 No Content`; returns the request.
async fn receive(listener: &tokio::net::TcpListener) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut stream, _) = listener.accept().await.unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        raw.extend_from_slice(buf.get(..n).unwrap_or_default());
        let text = String::from_utf8_lossy(&raw).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            assert!(n > 0, "the connection closed mid-request: {text}");
            continue;
        };
        let length = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if body.len() >= length || n == 0 {
            stream.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await.unwrap();
            return text;
        }
    }
}

#[tokio::test]
async fn hostile_and_unreachable_requests_are_refused_without_revealing_who_has_an_account() {
    let w = world("ciba-hostile", Vec::new(), "http://127.0.0.1:9/ciba", json!({})).await;
    // No delegation yet: Ada is as unreachable as someone who does not exist.
    let form = |hint: &'static str| [("scope", SCOPE), ("login_hint", hint)];
    let (s1, ada) = w.ask(&w.payer, &form("ada@example.com")).await;
    let (s2, nobody) = w.ask(&w.payer, &form("nobody@example.com")).await;
    let (s3, by_id) = w.ask(&w.payer, &[("scope", SCOPE), ("login_hint", w.ada.as_str())]).await;
    assert_eq!((s1, ada["error"].as_str()), (400, Some("unknown_user_id")), "{ada}");
    assert_eq!((s1, &ada), (s2, &nobody), "the same answer for a user without delegation and for nobody");
    assert_eq!((s1, &ada), (s3, &by_id));
    w.delegate(&w.payer).await;

    let details = |v: Value| v.to_string();
    let many = details(Value::Array(vec![json!({"type": "t"}); 1000]));
    let unknown = details(json!([{"type": "wire_transfer", "amount": "5"}]));
    let off_schema =
        details(json!([{"type": "payment_initiation", "instructedAmount": {"currency": "EUR", "amount": "lots"},
                                     "creditorName": "Air Example"}]));
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("binding_message", "pay\u{202E}won")], "invalid_binding_message"),
        (&[("binding_message", "line\nbreak")], "invalid_binding_message"),
        (
            &[("binding_message", "a message that is far longer than what anyone reads on a phone screen")],
            "invalid_binding_message",
        ),
        (&[("authorization_details", &many)], "invalid_authorization_details"),
        (&[("authorization_details", &unknown)], "invalid_authorization_details"),
        (&[("authorization_details", &off_schema)], "invalid_authorization_details"),
        (&[("login_hint_token", "x")], "invalid_request"),
        (&[("requested_expiry", "-5")], "invalid_request"),
    ];
    for (extra, want) in cases {
        let mut form = vec![("scope", SCOPE), ("login_hint", "ada@example.com")];
        form.extend_from_slice(extra);
        let (status, body) = w.ask(&w.payer, &form).await;
        let named: Vec<&str> = extra.iter().map(|(k, _)| *k).collect();
        assert_eq!((status, body["error"].as_str()), (400, Some(want)), "{named:?}: {body}");
    }
    let (status, body) = w.ask(&w.payer, &[("scope", "payments:initiate"), ("login_hint", "ada@example.com")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")), "openid is required: {body}");
    // An ID token issued to another client is no hint for this one.
    let (status, body) = w.ask(&w.payer, &[("scope", SCOPE), ("id_token_hint", "eyJhbGciOiJub25lIn0.e30.")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    let refused = w.events("ciba.refused").await;
    assert!(refused.len() >= 12, "every refusal is on the trail: {}", refused.len());

    // Discovery says how to ask.
    let discovery: Value = w.server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(discovery["backchannel_authentication_endpoint"], format!("{}/bc-authorize", w.issuer));
    assert_eq!(discovery["backchannel_token_delivery_modes_supported"], json!(["poll", "ping"]));
    assert!(discovery["grant_types_supported"].as_array().unwrap().contains(&json!(CIBA)));
}

#[tokio::test]
async fn the_risk_policy_asks_the_user_instead_of_a_new_sign_in_for_an_agents_exchange() {
    // Every exchange steps up (the rate rule fires from the first one); this tenant asks the user
    // through CIBA instead.
    let rules = json!({"agent_exchange_rate": {"threshold": 1, "at_least": "step_up"}});
    let policy = json!({"risk_policy": {"ask_user_instead": "step_up", "rules": rules}});
    let w = world("ciba-risk", Vec::new(), "http://127.0.0.1:9/ciba", policy).await;
    w.delegate(&w.payer).await;
    let start = authorize_url("travel-app", SCOPE).state("s").build();
    let (_, callback) = w.browser.authorize(&start, "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", ciam_testkit::PKCE_VERIFIER),
    ];
    let (status, app) = crate::support::token_as(&w.server, "acme", ("travel-app", &w.app_secret), &form).await;
    assert_eq!(status, 200, "{app}");
    let subject = app["access_token"].as_str().unwrap();
    let form = [
        ("grant_type", EXCHANGE),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
        ("resource", API),
        ("scope", "payments:initiate"),
    ];
    let (status, asked) = w.token(&w.payer, &form).await;
    assert_eq!((status, asked["error"].as_str()), (400, Some("interaction_required")), "{asked}");
    assert_eq!(asked["backchannel_authentication_endpoint"], format!("{}/bc-authorize", w.issuer));
    assert_eq!(
        (asked["login_hint"].as_str(), asked["scope"].as_str()),
        (Some(w.ada.as_str()), Some("payments:initiate"))
    );
    assert_eq!(asked["resource"], json!([API]));
    // The agent does as told, and the request reaches Ada.
    let (status, started) = w
        .ask(&w.payer, &[("scope", "openid payments:initiate"), ("login_hint", w.ada.as_str()), ("resource", API)])
        .await;
    assert_eq!(status, 200, "{started}");
    assert!(w.first_waiting().await.is_some());
    // Without the setting the same exchange asks for a new sign-in, as before.
    let (status, body) = w
        .admin()
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme",
            Some(json!({"settings": {"risk_policy": {"ask_user_instead": "none", "rules": rules}}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, stepped_up) = w.token(&w.payer, &form).await;
    assert_eq!(stepped_up["error"], "insufficient_user_authentication", "{stepped_up}");
}
