//! Regression tests for what probing the server from outside, as an attacker would, found
//! (docs/security.md, "Findings fixed"): each fails on the code before its fix.

use ciam_testkit::{
    Admin, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, authorize_url, hidden, location,
    unix_now,
};
use serde_json::{Value, json};

use crate::BIN;

const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Creates tenant `acme` with Ada, the confidential app `web` and the public CLI `cli` (device
/// grant), registration by initial access token; returns `web`'s secret.
async fn acme(admin: &Admin<'_>) -> String {
    admin
        .post(
            "/tenants",
            json!({"id": "acme", "display_name": "Acme", "settings": {"registration": {"mode": "initial_access_token"}}}),
            201,
        )
        .await;
    admin.post("/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD}), 201).await;
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "cli", "name": "Acme CLI", "client_type": "public",
                   "token_endpoint_auth_method": "none", "grant_types": [DEVICE], "scopes": ["openid"]}),
            201,
        )
        .await;
    let web = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential",
                   "redirect_uris": [CALLBACK], "scopes": ["openid"]}),
            201,
        )
        .await;
    web["client_secret"].as_str().unwrap().to_owned()
}

/// Delete tenant `acme`, create `acme` again: nothing the old tenant left in the short-lived
/// store (an initial access token, a pushed request, a device code and its user code) works in
/// the new one, because the new tenant has another incarnation that keys all of it.
#[tokio::test]
async fn a_deleted_tenants_short_lived_state_does_not_reach_a_new_tenant_with_its_id() {
    let dir = TempDir::new("incarnation");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let old_secret = acme(&admin).await;

    // What the old tenant hands out.
    let iat = admin.post("/tenants/acme/initial-access-tokens", json!({"max_registrations": 1000}), 201).await;
    let iat = iat["token"].as_str().unwrap().to_owned();
    let json = |req: reqwest::RequestBuilder| async move { req.send().await.unwrap().json::<Value>().await.unwrap() };
    let par = [("response_type", "code"), ("redirect_uri", CALLBACK), ("scope", "openid"), ("state", "old")];
    let pushed =
        json(server.http.post(server.url("/t/acme/par")).basic_auth("web", Some(&old_secret)).form(&par)).await;
    let request_uri = pushed["request_uri"].as_str().unwrap().to_owned();
    let device = json(
        server.http.post(server.url("/t/acme/device_authorization")).form(&[("client_id", "cli"), ("scope", "openid")]),
    )
    .await;
    let (device_code, user_code) =
        (device["device_code"].as_str().unwrap().to_owned(), device["user_code"].as_str().unwrap().to_owned());

    let (status, _) = admin.call(reqwest::Method::DELETE, "/tenants/acme", None).await;
    assert_eq!(status, 204);
    acme(&admin).await;

    // The old initial access token registers nothing.
    let res = server
        .http
        .post(server.url("/t/acme/register"))
        .bearer_auth(&iat)
        .json(&json!({"client_name": "Intruder", "redirect_uris": ["https://evil.example/cb"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "{}", res.text().await.unwrap());

    // The old pushed request is unknown to the new tenant, even for its signed-in user.
    let browser = Browser::new(&server);
    let start = authorize_url("web", "openid").build();
    let res = browser.sign_in(&start).await;
    assert_eq!(res.status(), 303, "Ada of the new tenant is signed in");
    let res = browser.get(&format!("/t/acme/authorize?client_id=web&request_uri={}", enc(&request_uri))).await;
    let to = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(!to.contains("code="), "no code from the old tenant's pushed request: {to}");
    assert_eq!(res.status(), 400, "{to}");

    // The old user code is not a live code of the new tenant's verification page...
    let html = browser.get("/t/acme/device").await.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let res = browser.post("/t/acme/device", &[("csrf", &csrf), ("user_code", &user_code)]).await;
    let page = res.text().await.unwrap();
    assert!(!page.contains("name=\"decision\""), "no Allow button for the old code: {page}");
    // ... and the old device code gets nothing.
    let res = server
        .http
        .post(server.url("/t/acme/token"))
        .form(&[("grant_type", DEVICE), ("device_code", &device_code), ("client_id", "cli")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

/// Posts a form to the token endpoint as `client` with `secret`.
async fn token(server: &Server, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res =
        server.http.post(server.url("/t/acme/token")).basic_auth(client, Some(secret)).form(form).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Whether `access_token` introspects as active for `client`.
async fn active(server: &Server, client: &str, secret: &str, access_token: &str) -> bool {
    let res = server
        .http
        .post(server.url("/t/acme/introspect"))
        .basic_auth(client, Some(secret))
        .form(&[("token", access_token)])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["active"].as_bool().unwrap()
}

/// RFC 9700 §4.14.2: a replayed refresh token means the grant may be stolen, so the grant ends
/// whole: its refresh tokens and every access token issued from it, the newest included.
#[tokio::test]
async fn a_replayed_refresh_token_ends_every_access_token_of_its_grant() {
    let dir = TempDir::new("refresh-reuse");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    acme(&admin).await;
    let app = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "spa-backend", "name": "App", "client_type": "confidential",
                   "redirect_uris": [CALLBACK], "grant_types": ["authorization_code", "refresh_token"],
                   "scopes": ["openid"]}),
            201,
        )
        .await;
    let secret = app["client_secret"].as_str().unwrap();
    let browser = Browser::new(&server);
    let redeem = |code: String| {
        let server = &server;
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
                ("code_verifier", PKCE_VERIFIER),
            ];
            token(server, "spa-backend", secret, &form).await
        }
    };
    let start = authorize_url("spa-backend", "openid").nonce("n").build();
    let (status, first) = redeem(browser.to_callback(browser.sign_in(&start).await).await["code"].clone()).await;
    assert_eq!(status, 200, "{first}");
    let (at1, rt1) = (first["access_token"].as_str().unwrap(), first["refresh_token"].as_str().unwrap());
    let (status, second) =
        token(&server, "spa-backend", secret, &[("grant_type", "refresh_token"), ("refresh_token", rt1)]).await;
    assert_eq!(status, 200, "{second}");
    let at2 = second["access_token"].as_str().unwrap();
    assert!(active(&server, "spa-backend", secret, at1).await && active(&server, "spa-backend", secret, at2).await);
    let userinfo = |token: String| {
        let req = server.http.get(server.url("/t/acme/userinfo")).bearer_auth(token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(userinfo(at2.to_owned()).await, 200);

    // The first refresh token comes back: a replay.
    let (status, replay) =
        token(&server, "spa-backend", secret, &[("grant_type", "refresh_token"), ("refresh_token", rt1)]).await;
    assert_eq!((status, replay["error"].as_str()), (400, Some("invalid_grant")));
    assert!(!active(&server, "spa-backend", secret, at2).await, "the newest access token of the grant ends");
    assert!(!active(&server, "spa-backend", secret, at1).await, "and the first one");
    assert_eq!(userinfo(at2.to_owned()).await, 401);
    let rt2 = second["refresh_token"].as_str().unwrap();
    let (status, _) =
        token(&server, "spa-backend", secret, &[("grant_type", "refresh_token"), ("refresh_token", rt2)]).await;
    assert_eq!(status, 400, "the newest refresh token ends too");

    // Another grant of the same user and client is untouched.
    let (status, other) = redeem(browser.to_callback(browser.get(&start).await).await["code"].clone()).await;
    assert_eq!(status, 200, "{other}");
    let other_at = other["access_token"].as_str().unwrap();
    assert!(active(&server, "spa-backend", secret, other_at).await);
    // RFC 7009 §2.1: revoking the refresh token ends the access tokens of its grant too.
    let res = server
        .http
        .post(server.url("/t/acme/revoke"))
        .basic_auth("spa-backend", Some(secret))
        .form(&[("token", other["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!active(&server, "spa-backend", secret, other_at).await);
}

/// A phished password is not a takeover: a session that proved only the password can look at
/// the account's authenticators but not add, remove or replace any. The owner, whose account
/// has an authenticator app, confirms with the app (a code by email is not offered), and every
/// change is audited and mailed to her.
#[tokio::test]
async fn a_password_alone_cannot_change_the_second_factors() {
    use crate::support::{enroll_totp, setup, wait_for_mails};
    let s = setup("factor-changes", vec![]).await;
    let (base, mail) = (s.server.url(""), s.server.data_dir.join("mail"));
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let sign_in = |v: &'static str| {
        let base = base.clone();
        async move {
            let visitor = Browser::at(&base, Some(v));
            let res = visitor.get("/t/acme/account/security").await;
            let html = visitor.get(&location(&res)).await.text().await.unwrap();
            let res = visitor.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
            assert_eq!(location(&res), "/t/acme/account/security", "the password opens the page");
            visitor
        }
    };

    // Ada adds an authenticator app (her first second factor: password plus a code by email).
    let ada = sign_in("81.0.0.1").await;
    let seed = enroll_totp(&ada, &mail).await;
    let notices: Vec<String> = wait_for_mails(&mail, 3)
        .await
        .iter()
        .filter_map(|(_, raw)| ciam_server::adapters::mail::mail_header(raw, "Subject"))
        .collect();
    assert!(notices.iter().any(|s| s.contains("An authenticator app was added")), "{notices:?}");
    assert!(notices.iter().any(|s| s.contains("New recovery codes were created")), "{notices:?}");
    let users = admin.get("/tenants/acme/users", 200).await;
    let ada_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let factors_path = format!("/tenants/acme/users/{ada_id}/factors");
    let factors = || admin.get(&factors_path, 200);
    let before = factors().await;
    assert_eq!(before.as_array().unwrap().len(), 2, "an app and recovery codes: {before}");

    // Someone with her password, from another browser: the page opens, changes do not.
    let thief = sign_in("81.0.0.2").await;
    let html = thief.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(html.contains("confirm it's you"), "{html}");
    let csrf = hidden(&html, "csrf");
    let factor = hidden(&html, "factor");
    for (path, form) in [
        ("/t/acme/account/security/remove", vec![("csrf", csrf.as_str()), ("factor", factor.as_str())]),
        ("/t/acme/account/security/recovery-codes", vec![("csrf", csrf.as_str())]),
        ("/t/acme/account/security/totp", vec![("csrf", csrf.as_str()), ("code", "123456")]),
    ] {
        let res = thief.post(path, &form).await;
        assert_eq!(res.status(), 303, "{path}: sent to confirm, nothing changed");
        assert!(location(&res).contains("/t/acme/mfa?flow="), "{path}");
    }
    assert_eq!(thief.get("/t/acme/account/security/totp").await.status(), 303);
    let session_csrf = html.split("data-csrf=\"").nth(1).map(|r| r.split('"').next().unwrap().to_owned());
    if let Some(c) = session_csrf {
        let (status, _) = thief.post_json("/t/acme/account/security/passkey/start", &json!({"csrf": c})).await;
        assert_eq!(status, 401, "no passkey either");
    }
    assert_eq!(factors().await, before, "her authenticators are as they were");

    // Confirming offers her app and her recovery codes, never the mailbox.
    let res = thief.get("/t/acme/account/security/confirm").await;
    let page = thief.get(&location(&res)).await.text().await.unwrap();
    assert!(page.contains("name=\"method\" value=\"totp\""), "{page}");
    assert!(!page.contains("Email me a code"), "a code by email does not count for an account with an app");
    let (flow, fcsrf) = (hidden(&page, "flow"), hidden(&page, "csrf"));
    let res = thief.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &fcsrf), ("method", "email_send")]).await;
    assert_eq!(res.status(), 400, "not even asked for by hand");

    // Ada herself confirms with the app, and may then remove it; the removal is mailed too.
    let res = ada.get("/t/acme/account/security/confirm").await;
    let page = ada.get(&location(&res)).await.text().await.unwrap();
    let (flow, fcsrf) = (hidden(&page, "flow"), hidden(&page, "csrf"));
    let step = (unix_now() / 30 + 1) * 30; // the enrolment used the current step
    let code = ciam_authn::totp::code_at(&seed, step);
    let res = ada.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &fcsrf), ("method", "totp"), ("code", &code)]).await;
    assert_eq!(location(&res), "/t/acme/account/security");
    let html = ada.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(!html.contains("confirm it's you"), "{html}");
    let res =
        ada.post("/t/acme/account/security/remove", &[("csrf", &hidden(&html, "csrf")), ("factor", &factor)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(factors().await.as_array().unwrap().len(), 1);
    let removed = wait_for_mails(&mail, 4).await;
    assert!(
        removed.iter().any(|(_, raw)| ciam_server::adapters::mail::mail_header(raw, "Subject")
            .is_some_and(|s| s.contains("was removed"))),
        "the removal is mailed"
    );
    let trail = admin.get(&format!("/tenants/acme/audit?user={ada_id}&limit=200"), 200).await;
    let types: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"factor.added") && types.contains(&"factor.removed"), "{types:?}");
}
