//! Consent purposes and the consent ledger, end to end: an administrator declares purposes, a
//! sign-in asks for the required one and for a new version that asks again, the user's answers
//! land in their history (with page, application and address), the ID token and UserInfo carry
//! the `consents` claim, and withdrawing in the account centre takes the bound scope out of the
//! next token and queues an event for downstream systems. `TEST_BACKEND=postgres` runs it on
//! Postgres and Redis.

use ciam_testkit::{Admin, Browser, authorize_url, hidden, location};
use serde_json::{Value, json};

use crate::support::{GERMANY, Setup, redeem, setup, token};

fn admin(s: &Setup) -> Admin<'_> {
    Admin::new(&s.server, s.admin_token.clone())
}

/// A tenant with a required purpose `tos` and an optional `news` bound to scope `newsletter`;
/// client `web` may ask for `newsletter`, `consents` and refresh tokens.
async fn with_purposes(tag: &str) -> Setup {
    let s = setup(tag, vec![]).await;
    let a = admin(&s);
    a.post(
        "/tenants/acme/purposes",
        json!({"id": "tos", "texts": {"en": {"title": "the Acme terms"}, "de": {"title": "die Acme-Bedingungen"}},
               "url": "https://acme.example/tos", "legal_basis": "contract", "required": true, "ask_again": true}),
        201,
    )
    .await;
    let news = a
        .post(
            "/tenants/acme/purposes",
            json!({"id": "news", "texts": {"en": {"title": "Product news", "description": "A monthly mail."}},
                   "legal_basis": "consent", "scopes": ["newsletter"]}),
            201,
        )
        .await;
    assert_eq!((news["version"].as_u64(), news["required"].as_bool()), (Some(1), Some(false)), "{news}");
    let (status, body) = a
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/clients/web",
            Some(json!({"scopes": ["openid", "newsletter", "consents", "offline_access"],
                        "grant_types": ["authorization_code", "refresh_token"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    s
}

fn start() -> String {
    authorize_url("web", "openid newsletter consents offline_access").nonce("n").build()
}

/// Signs Ada in from `start` and returns the page the sign-in leads to (its URL and HTML).
async fn signed_in_page(v: &Browser, start: &str) -> (String, String) {
    let res = v.sign_in(start).await;
    assert_eq!(res.status(), 303);
    let mut to = location(&res);
    // Through the resume of the authorization to the page it shows.
    loop {
        let res = v.get(&to).await;
        if res.status() == 303 {
            to = location(&res);
            continue;
        }
        return (to, res.text().await.unwrap());
    }
}

/// Posts `form` (owned values) to `url`.
async fn post(v: &Browser, url: &str, form: &[(&str, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    v.post(url, &pairs).await
}

async fn answer_purposes(v: &Browser, html: &str, ticked: &[&str], decision: &str) -> reqwest::Response {
    let names: Vec<String> = ticked.iter().map(|id| format!("purpose_{id}")).collect();
    let mut form = vec![("flow", hidden(html, "flow")), ("csrf", hidden(html, "csrf")), ("decision", decision.into())];
    form.extend(names.iter().map(|n| (n.as_str(), "on".to_owned())));
    post(v, "/t/acme/consent/purposes", &form).await
}

/// Grants or withdraws `purpose` on the account centre's privacy page `html`.
async fn choose(v: &Browser, html: &str, purpose: &str, decision: &str) -> u16 {
    let form = [("csrf", hidden(html, "csrf")), ("purpose", purpose.into()), ("decision", decision.into())];
    post(v, "/t/acme/account/privacy/consent", &form).await.status().as_u16()
}

async fn history(s: &Setup, user: &str) -> Vec<Value> {
    let h = admin(s).get(&format!("/tenants/acme/users/{user}/consent-history"), 200).await;
    h["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn purposes_are_asked_recorded_claimed_and_withdrawn() {
    let s = with_purposes("privacy-purposes").await;
    let ada = admin(&s).get("/tenants/acme/users?limit=10", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    let v = Browser::at(&s.server.url(""), Some(GERMANY));

    // The required purpose was never granted: the sign-in stops at the purposes page, in words.
    let (page, html) = signed_in_page(&v, &start()).await;
    assert!(page.contains("/t/acme/consent/purposes?flow="), "{page}");
    assert!(html.contains("I accept the Acme terms") && html.contains("https://acme.example/tos"), "{html}");
    assert!(!html.contains("Product news"), "an optional purpose never answered is not pressed on the user: {html}");

    // Continue without the required box: asked again, named.
    let res = answer_purposes(&v, &html, &[], "allow").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Accept the Acme terms to continue."));
    // Deny: the client hears access_denied.
    let res = answer_purposes(&v, &html, &[], "deny").await;
    assert!(location(&res).contains("error=access_denied"), "{}", location(&res));
    assert!(history(&s, &ada).await.is_empty(), "nothing was answered");

    // Accepting continues to the app's consent and the code.
    let (_, html) = signed_in_page(&v, &start()).await;
    let res = answer_purposes(&v, &html, &["tos"], "allow").await;
    let params = v.to_callback(res).await;
    let tokens = redeem(&s.server, &s.secret, &params["code"]).await;
    assert_eq!(tokens["scope"], "consents offline_access openid", "news not granted: newsletter withheld");
    let id = ciam_testkit::claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["consents"]["tos"]["version"], 1, "{id}");
    assert!(id["consents"].get("news").is_none(), "{id}");

    // Granting news in the account centre: one click; the next sign-in's tokens carry newsletter.
    let privacy = v.get("/t/acme/account/privacy").await.text().await.unwrap();
    assert!(privacy.contains("Grant Product news") && privacy.contains("Needed to use your account"), "{privacy}");
    assert_eq!(choose(&v, &privacy, "news", "grant").await, 303);
    let params = v.to_callback(v.get(&start()).await).await;
    let tokens = redeem(&s.server, &s.secret, &params["code"]).await;
    assert_eq!(tokens["scope"], "consents newsletter offline_access openid");
    let userinfo: Value = s
        .server
        .http
        .get(s.server.url("/t/acme/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["consents"]["news"]["version"], 1, "{userinfo}");

    // Withdrawing is as easy: the refresh grant loses newsletter at once, an event is queued.
    let privacy = v.get("/t/acme/account/privacy").await.text().await.unwrap();
    assert!(privacy.contains("Withdraw Product news"), "{privacy}");
    assert_eq!(choose(&v, &privacy, "news", "withdraw").await, 303);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) =
        token(&s.server, &s.secret, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["scope"], "consents offline_access openid", "{refreshed}");
    let events = admin(&s).get("/tenants/acme/events", 200).await;
    assert_eq!(events["items"][0]["type"], "consent.withdrawn", "{events}");
    assert_eq!(events["items"][0]["subject"], ada.as_str());
    assert_eq!(events["items"][0]["data"]["scopes"], json!(["newsletter"]));
    // The terms rest on the contract: not withdrawable by the user.
    assert_eq!(choose(&v, &privacy, "tos", "withdraw").await, 400);

    // The history has every answer, in order, with where it was given and from which address;
    // the app's scope consent is in it too (once: the second sign-in was covered by it).
    let h = history(&s, &ada).await;
    let seen: Vec<(String, String, String)> = h
        .iter()
        .map(|e| {
            let about = e["purpose"].as_str().or(e["client_id"].as_str()).unwrap_or("?").to_owned();
            (e["action"].as_str().unwrap().to_owned(), about, e["channel"].as_str().unwrap().to_owned())
        })
        .collect();
    let want = [
        ("granted", "tos", "authorize"),
        ("granted", "web", "authorize"),
        ("granted", "news", "account"),
        ("withdrawn", "news", "account"),
    ];
    assert_eq!(seen, want.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned())), "{h:?}");
    assert_eq!(h[0]["ip"], GERMANY);
    assert_eq!(h[0]["via_client"], "web");
    assert_eq!(h[0]["version"], 1);
    assert_eq!(h[0]["digest"].as_str().map(str::len), Some(64));

    // A new version that asks again: the next sign-in asks about it, and the report counts.
    let updated = admin(&s)
        .call(
            reqwest::Method::PUT,
            "/tenants/acme/purposes/tos",
            Some(json!({"texts": {"en": {"title": "the new Acme terms"}}, "url": "https://acme.example/tos",
                        "legal_basis": "contract", "required": true, "ask_again": true})),
        )
        .await;
    assert_eq!((updated.0, updated.1["version"].as_u64()), (200, Some(2)), "{:?}", updated.1);
    let res = v.get(&start()).await;
    assert!(location(&res).contains("/t/acme/consent/purposes"), "{}", location(&res));
    let report = admin(&s).get("/tenants/acme/purposes/tos/report", 200).await;
    assert_eq!(report["current_version"], 2);
    assert_eq!(report["versions"], json!([{"version": 1, "granted": 1, "withdrawn": 0}]));
    let report = admin(&s).get("/tenants/acme/purposes/news/report", 200).await;
    assert_eq!(report["versions"], json!([{"version": 1, "granted": 0, "withdrawn": 1}]));

    // Every change of a purpose and every answer is in the audit trail.
    let audit = admin(&s).get("/tenants/acme/audit?type=consent.withdrawn", 200).await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
}

#[tokio::test]
async fn purpose_settings_are_checked_field_by_field() {
    let s = with_purposes("privacy-admin").await;
    let a = admin(&s);
    let bad = [
        (json!({"id": "News", "texts": {"en": {"title": "x"}}, "legal_basis": "consent"}), "id"),
        (json!({"id": "x", "texts": {}, "legal_basis": "consent"}), "texts"),
        (json!({"id": "x", "texts": {"pt": {"title": "x"}}, "legal_basis": "consent"}), "texts.pt"),
        (json!({"id": "x", "texts": {"en": {"title": "x"}}, "legal_basis": "whim"}), "legal_basis"),
        (
            json!({"id": "x", "texts": {"en": {"title": "x"}}, "legal_basis": "consent", "url": "http://a.example"}),
            "url",
        ),
        (
            json!({"id": "x", "texts": {"en": {"title": "x"}}, "legal_basis": "consent", "scopes": ["openid"]}),
            "scopes[0]",
        ),
        (json!({"id": "x", "texts": {"en": {"title": "x"}}, "legal_basis": "consent", "version": 7}), "version"),
    ];
    for (body, field) in bad {
        let (status, problem) = a.call(reqwest::Method::POST, "/tenants/acme/purposes", Some(body.clone())).await;
        assert_eq!(status, 422, "{body} -> {problem}");
        assert!(problem.to_string().contains(field), "{body} names {field}: {problem}");
    }
    let dup = json!({"id": "news", "texts": {"en": {"title": "x"}}, "legal_basis": "consent"});
    assert_eq!(a.call(reqwest::Method::POST, "/tenants/acme/purposes", Some(dup)).await.0, 409);
    let list = a.get("/tenants/acme/purposes", 200).await;
    assert_eq!(
        list.as_array().map(|l| l.iter().map(|p| p["id"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("news"), json!("tos")])
    );
    assert_eq!(a.call(reqwest::Method::DELETE, "/tenants/acme/purposes/news", None).await.0, 204);
    assert_eq!(a.call(reqwest::Method::GET, "/tenants/acme/purposes/news", None).await.0, 404);
    let discovery: Value = s.server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert!(discovery["scopes_supported"].as_array().unwrap().contains(&json!("consents")));
}

/// The same pages in headless Chromium, by their accessible names (`tests/browser/consents.mjs`):
/// the terms asked at sign-in, then one click to grant and one to withdraw in the account centre.
#[tokio::test]
async fn consents_are_given_and_withdrawn_in_chromium() {
    let tools = match crate::support::browser_tools() {
        Ok(tools) => tools,
        Err(why) => return ciam_testkit::skip_or_fail("headless Chromium with playwright-core", why),
    };
    let s = with_purposes("privacy-chromium").await;
    let env = [
        ("CIAM_ORIGIN", s.server.url("").trim_end_matches('/').to_owned()),
        ("CIAM_AUTHORIZE_URL", s.server.url(&start())),
        ("CIAM_CALLBACK", ciam_testkit::CALLBACK.to_owned()),
        ("CIAM_EMAIL", "ada@example.com".to_owned()),
        ("CIAM_PASSWORD", ciam_testkit::PASSWORD.to_owned()),
    ];
    let report = crate::support::run_browser_script(&tools, &s.server, "consents.mjs", &env, 120).await;
    assert!(report["callback"].as_str().is_some_and(|c| c.contains("code=")), "{report}");
    assert!(report["after_grant"].as_str().unwrap().contains("Granted on"), "{report}");
    assert!(report["after_withdraw"].as_str().unwrap().contains("Not granted"), "{report}");
    assert_eq!(report["csp_violations"], json!([]), "{report}");
    let ada = admin(&s).get("/tenants/acme/users?limit=10", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    let actions: Vec<String> = history(&s, &ada)
        .await
        .iter()
        .filter(|e| e["purpose"] == "news")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["granted", "withdrawn"]);
}

/// The device flow asks what a sign-in at the authorization endpoint asks: the terms never
/// granted are on the device approval page, Allow without them is refused, and the answers land
/// in the history as given on the device page, for the device's client.
#[tokio::test]
async fn a_device_approval_asks_the_purposes_a_sign_in_would() {
    let s = with_purposes("privacy-device").await;
    admin(&s)
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "acme-tv", "name": "Acme TV", "client_type": "public", "token_endpoint_auth_method": "none",
                   "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"], "scopes": ["openid"]}),
            201,
        )
        .await;
    let ada = admin(&s).get("/tenants/acme/users?limit=10", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    let started: Value = s
        .server
        .http
        .post(s.server.url("/t/acme/device_authorization"))
        .form(&[("client_id", "acme-tv"), ("scope", "openid")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = started["user_code"].as_str().unwrap();

    // Ada signs in on the device page (no authorization request, so no purposes page on the way).
    let v = Browser::at(&s.server.url(""), Some(GERMANY));
    let login = location(&v.get(&format!("/t/acme/device?user_code={user_code}")).await);
    let html = v.get(&login).await.text().await.unwrap();
    assert_eq!(v.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), ciam_testkit::PASSWORD).await.status(), 303);
    let entry = v.get("/t/acme/device").await.text().await.unwrap();
    let csrf = hidden(&entry, "csrf");
    let consent = v.post("/t/acme/device", &[("csrf", &csrf), ("user_code", user_code)]).await.text().await.unwrap();
    assert!(consent.contains("I accept the Acme terms") && consent.contains("https://acme.example/tos"), "{consent}");

    // Allow without the terms: the page again, saying what is missing; nothing is decided.
    let allow = |extra: Option<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.as_str()), ("user_code", user_code), ("decision", "allow")];
        form.extend(extra);
        let v = &v;
        async move { v.post("/t/acme/device", &form).await }
    };
    let res = allow(None).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Accept the Acme terms to continue."));
    assert!(history(&s, &ada).await.is_empty(), "nothing was answered");

    // With them: connected, and the ledger says where.
    let res = allow(Some(("purpose_tos", "on"))).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Acme TV is now connected"));
    let h = history(&s, &ada).await;
    let tos = h.iter().find(|e| e["purpose"] == "tos").expect("the terms were granted");
    assert_eq!((tos["action"].as_str(), tos["channel"].as_str()), (Some("granted"), Some("device")), "{h:?}");
    assert_eq!(tos["via_client"], "acme-tv");
    let device_code = started["device_code"].as_str().unwrap();
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    let form = [("grant_type", grant), ("device_code", device_code), ("client_id", "acme-tv")];
    let res = s.server.http.post(s.server.url("/t/acme/token")).form(&form).send().await.unwrap();
    let (status, tokens) = (res.status().as_u16(), res.json::<Value>().await.unwrap());
    assert_eq!(status, 200, "{tokens}");
}
