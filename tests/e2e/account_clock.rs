//! What only a clock the test moves can show, on a server running in process (the only way to
//! age a session or a token without waiting), on an ephemeral port, driven over HTTP like every
//! other end-to-end test:
//! - changing authenticators needs a recent sign-in: on the account pages, a session older than
//!   15 minutes may look but not change anything until the user signs in again;
//! - the server's own access tokens die at their `exp`, to the second, at introspection,
//!   userinfo and the account API;
//! - a tenant's signing keys rotate on its schedule, and only then.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ciam_core::{Clock, SystemClock};
use ciam_testkit::{Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, TempDir, authorize_url, hidden, location};
use serde_json::json;

use crate::support::confirm_by_email;

/// The wall clock plus an offset the test sets.
#[derive(Default)]
struct Ahead(AtomicI64);

impl Clock for Ahead {
    fn now(&self) -> time::OffsetDateTime {
        SystemClock.now() + time::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
}

impl Ahead {
    /// Sets the server's clock to the unix time `at`.
    fn show(&self, at: i64) {
        self.0.store(at - SystemClock.now().unix_timestamp(), Ordering::Relaxed);
    }
}

/// A server on the clock `clock` with tenant `acme` and user Ada; returns its base URL and the
/// admin token (and keeps the data directory until the test ends).
async fn server_with(clock: Arc<Ahead>, tag: &str) -> (String, String, TempDir) {
    let dir = TempDir::new(tag);
    let config = ciam_server::Config { bind: "127.0.0.1:0".into(), data_dir: dir.0.clone(), ..Default::default() };
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), clock).await.unwrap();
    let base = app.state().node.public_url.clone();
    tokio::spawn(app.run(std::future::pending()));
    let admin_token = std::fs::read_to_string(dir.0.join("admin-token")).unwrap().trim().to_owned();
    let admin = reqwest::Client::new();
    for (path, body) in [
        ("/admin/v1/tenants", json!({"id": "acme", "display_name": "Acme"})),
        ("/admin/v1/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD})),
    ] {
        let res = admin.post(format!("{base}{path}")).bearer_auth(&admin_token).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 201, "{path}");
    }
    (base, admin_token, dir)
}

#[tokio::test]
async fn changing_authenticators_needs_a_sign_in_from_the_last_15_minutes() {
    let clock = Arc::new(Ahead::default());
    let (base, _, dir) = server_with(clock.clone(), "recent-auth").await;
    let mail = dir.0.join("mail");

    let ada = Browser::at(&base, Some("127.0.0.1"));
    sign_in(&ada, ada.get("/t/acme/account/security").await).await;
    // Her account has no second factor: the first one needs the password and a code by email.
    let confirmed = confirm_by_email(&ada, ada.get("/t/acme/account/security/totp").await, &mail).await;
    assert_eq!(location(&confirmed), "/t/acme/account/security");
    let enrol = ada.get("/t/acme/account/security/totp").await;
    assert_eq!(enrol.status(), 200, "a fresh, confirmed sign-in may add an authenticator");
    let csrf = hidden(&enrol.text().await.unwrap(), "csrf");

    // Sixteen minutes later: the session still shows the page, but changes ask for a sign-in.
    clock.0.store(16 * 60, Ordering::Relaxed);
    assert_eq!(ada.get("/t/acme/account/security").await.status(), 200, "looking is fine");
    let res = ada.post("/t/acme/account/security/totp", &[("csrf", &csrf), ("code", "123456")]).await;
    assert_eq!(res.status(), 303, "a change is not even checked");
    let login = location(&res);
    assert!(login.contains("/t/acme/login?flow="), "{login}");
    let html = ada.get(&login).await.text().await.unwrap();
    let res = ada.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    let confirmed = confirm_by_email(&ada, res, &mail).await;
    assert_eq!(location(&confirmed), "/t/acme/account/security");
    assert_eq!(ada.get("/t/acme/account/security/totp").await.status(), 200, "after signing in again");
}

/// The SSO session ends after the tenant's idle timeout without use, and at its absolute
/// lifetime however it is used; each use in between moves the idle deadline. Tenant `acme` has
/// a 10-minute idle timeout within a 30-minute lifetime. Under `TEST_BACKEND=postgres` the
/// sessions live in Redis.
#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_at_their_absolute_lifetime() {
    let dir = TempDir::new("idle-timeout");
    let mut config = ciam_server::Config { bind: "127.0.0.1:0".into(), data_dir: dir.0.clone(), ..Default::default() };
    let _stores = production_stores(&mut config).await;
    let clock = Arc::new(Ahead::default());
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), clock.clone()).await.unwrap();
    let base = app.state().node.public_url.clone();
    tokio::spawn(app.run(std::future::pending()));
    let admin_token = format!("Bearer {}", std::fs::read_to_string(dir.0.join("admin-token")).unwrap().trim());
    let admin = reqwest::Client::new();
    let tenant = json!({"id": "acme", "display_name": "Acme",
                        "settings": {"login": {"session_idle_timeout_secs": 600, "session_lifetime_secs": 1800}}});
    let mut user_id = String::new();
    for (path, body) in [
        ("/admin/v1/tenants", tenant),
        ("/admin/v1/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD})),
    ] {
        let res = admin.post(format!("{base}{path}")).header("authorization", &admin_token).json(&body).send().await;
        let res = res.unwrap();
        assert_eq!(res.status(), 201, "{path}");
        user_id = res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    }
    let sessions = async || {
        let url = format!("{base}/admin/v1/tenants/acme/users/{user_id}/sessions");
        let res = admin.get(url).header("authorization", &admin_token).send().await.unwrap();
        res.json::<serde_json::Value>().await.unwrap().as_array().unwrap().len()
    };
    let at = |secs: i64| clock.0.store(secs, Ordering::Relaxed);
    let page = "/t/acme/account/security";

    // Used every 8 minutes, the session outlives its 10-minute idle timeout...
    let ada = Browser::at(&base, Some("127.0.0.1"));
    sign_in(&ada, ada.get(page).await).await;
    for minute in [8, 16, 24] {
        at(minute * 60);
        assert_eq!(ada.get(page).await.status(), 200, "still signed in at minute {minute}");
    }
    // ...but not its 30-minute lifetime.
    at(31 * 60);
    let res = ada.get(page).await;
    assert_eq!(res.status(), 303, "the absolute lifetime is over");
    assert_eq!(sessions().await, 0, "and the session is gone");

    // Signed in again at minute 31, then left alone for 10 minutes: the idle timeout ends it.
    sign_in(&ada, res).await;
    at(40 * 60);
    assert_eq!(ada.get(page).await.status(), 200, "9 minutes without use");
    assert_eq!(sessions().await, 1);
    at(50 * 60 + 1);
    assert_eq!(ada.get(page).await.status(), 303, "10 minutes without use");
    assert_eq!(sessions().await, 0, "the idle session is deleted");
}

/// A tenant with `settings.keys.rotate_every_days` has its keys rotated once its active keys
/// have signed that long (the servers look every hour; `ciam_server::rotate_due_keys` is that
/// look), recorded as `key.rotated` by the schedule; a tenant without one keeps its keys. Out
/// of range, the schedule is refused by its field. Under `TEST_BACKEND=postgres` on Postgres.
#[tokio::test]
async fn signing_keys_rotate_on_the_tenants_schedule() {
    let dir = TempDir::new("key-schedule");
    let mut config = ciam_server::Config { bind: "127.0.0.1:0".into(), data_dir: dir.0.clone(), ..Default::default() };
    let _stores = production_stores(&mut config).await;
    let clock = Arc::new(Ahead::default());
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), clock.clone()).await.unwrap();
    let (base, state) = (app.state().node.public_url.clone(), app.state().clone());
    tokio::spawn(app.run(std::future::pending()));
    let admin_token = format!("Bearer {}", std::fs::read_to_string(dir.0.join("admin-token")).unwrap().trim());
    let http = reqwest::Client::new();
    let call = async |method: reqwest::Method, path: &str, body: Option<serde_json::Value>| {
        let mut req = http.request(method, format!("{base}/admin/v1{path}")).header("authorization", &admin_token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap_or_default())
    };
    let active = async |tenant: &str| {
        let (_, keys) = call(reqwest::Method::GET, &format!("/tenants/{tenant}/keys"), None).await;
        let mut kids: Vec<String> = keys
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| k["state"] == "active")
            .filter_map(|k| k["kid"].as_str().map(str::to_owned))
            .collect();
        kids.sort();
        kids
    };

    let scheduled =
        |days: u32| json!({"id": "acme", "display_name": "Acme", "settings": {"keys": {"rotate_every_days": days}}});
    let (status, problem) = call(reqwest::Method::POST, "/tenants", Some(scheduled(3))).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("settings.keys.rotate_every_days"), "{problem}");
    assert_eq!(call(reqwest::Method::POST, "/tenants", Some(scheduled(30))).await.0, 201);
    let by_hand = json!({"id": "beta", "display_name": "Beta"});
    assert_eq!(call(reqwest::Method::POST, "/tenants", Some(by_hand)).await.0, 201);
    let (acme, beta) = (active("acme").await, active("beta").await);
    assert_eq!((acme.len(), beta.len()), (2, 2), "ES256 and RS256 each: {acme:?} {beta:?}");

    // Not yet due, a day before: nothing happens.
    clock.0.store(29 * 86_400, Ordering::Relaxed);
    assert_eq!(ciam_server::rotate_due_keys(&state).await.unwrap(), 0);
    assert_eq!(active("acme").await, acme);

    // Due: both of acme's keys rotate, once; beta's stay.
    clock.0.store(30 * 86_400 + 60, Ordering::Relaxed);
    assert_eq!(ciam_server::rotate_due_keys(&state).await.unwrap(), 2);
    let rotated = active("acme").await;
    assert!(rotated.iter().all(|kid| !acme.contains(kid)), "{acme:?} -> {rotated:?}");
    assert_eq!(active("beta").await, beta, "no schedule, no rotation");
    assert_eq!(ciam_server::rotate_due_keys(&state).await.unwrap(), 0, "the new keys are not due");
    let (_, trail) = call(reqwest::Method::GET, "/tenants/acme/audit?type=key.rotated", None).await;
    let reason = trail["items"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("key-schedule: ") && rotated.iter().all(|kid| reason.contains(kid.as_str())), "{trail}");
}

/// Under `TEST_BACKEND=postgres`, points `config` at a fresh Postgres database and Redis prefix
/// (dropped with the returned guards), as the spawned test servers do.
async fn production_stores(
    config: &mut ciam_server::Config,
) -> Option<(ciam_testkit::TestPostgres, ciam_testkit::TestRedis)> {
    if !std::env::var("TEST_BACKEND").is_ok_and(|b| b == "postgres") {
        return None;
    }
    let pg = ciam_testkit::TestPostgres::create().await?;
    let redis = ciam_testkit::TestRedis::create().await?;
    config.database_url = Some(pg.url.clone());
    config.redis_url = Some(redis.url.clone());
    config.redis_key_prefix.clone_from(&redis.prefix);
    config.master_key = Some(ciam_testkit::SHARED_MASTER_KEY.to_owned().into());
    Some((pg, redis))
}

/// Follows a redirect to the login page and signs Ada in there; she lands on the account page.
async fn sign_in(ada: &Browser, res: reqwest::Response) {
    assert_eq!(res.status(), 303);
    let login = location(&res);
    assert!(login.contains("/t/acme/login?flow="), "sent to sign in: {login}");
    let html = ada.get(&login).await.text().await.unwrap();
    let res = ada.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    assert_eq!(location(&res), "/t/acme/account/security", "and back to the account page");
}

/// The clock-skew allowance is for tokens of other issuers; a token this server issued is dead
/// from the second its `exp` names (RFC 7519 §4.1.4: "on or after"), everywhere the server
/// checks it: introspection says inactive, userinfo and the account API refuse it.
#[tokio::test]
async fn the_servers_own_tokens_expire_to_the_second() {
    let clock = Arc::new(Ahead::default());
    let (base, admin_token, _dir) = server_with(clock.clone(), "own-expiry").await;
    let http = reqwest::Client::new();
    let client = json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                        "redirect_uris": [CALLBACK], "scopes": ["openid", "account"]});
    let res = http
        .post(format!("{base}/admin/v1/tenants/acme/clients"))
        .bearer_auth(&admin_token)
        .json(&client)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let secret = res.json::<serde_json::Value>().await.unwrap()["client_secret"].as_str().unwrap().to_owned();

    // Ada signs in; the app redeems the code.
    let ada = Browser::at(&base, Some("127.0.0.1"));
    let (_, flow, csrf) = ada.login_page("").await;
    let callback = ada.to_callback(ada.password(&flow, &csrf, PASSWORD).await).await;
    let redeem = |code: String| {
        let (http, base, secret) = (&http, &base, &secret);
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", PKCE_VERIFIER),
            ];
            let res =
                http.post(format!("{base}/t/acme/token")).basic_auth("web", Some(secret)).form(&form).send().await;
            let body: serde_json::Value = res.unwrap().json().await.unwrap();
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let token = redeem(callback["code"].clone()).await;
    // And a token for the account API (its own audience and scope), by single sign-on.
    let account = url::form_urlencoded::byte_serialize(format!("{base}/t/acme/account").as_bytes()).collect::<String>();
    let start = authorize_url("web", "account").nonce("n").extra(&format!("&resource={account}")).build();
    let account_token = redeem(ada.to_callback(ada.get(&start).await).await["code"].clone()).await;
    let exp_of = |t: &str| crate::claims(t)["exp"].as_i64().unwrap();
    let (exp, account_exp) = (exp_of(&token), exp_of(&account_token));

    // (introspection active, userinfo status, account API status), `delta` seconds from exp.
    let check = |delta: i64| {
        let (http, base, token, account_token, secret, clock) = (&http, &base, &token, &account_token, &secret, &clock);
        async move {
            clock.show(exp + delta);
            let res = http
                .post(format!("{base}/t/acme/introspect"))
                .basic_auth("web", Some(secret))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap();
            let active = res.json::<serde_json::Value>().await.unwrap()["active"].as_bool().unwrap();
            let userinfo = http.get(format!("{base}/t/acme/userinfo")).bearer_auth(token).send().await.unwrap();
            clock.show(account_exp + delta);
            let url = format!("{base}/t/acme/account/delegations");
            let account = http.get(url).bearer_auth(account_token).send().await;
            (active, userinfo.status().as_u16(), account.unwrap().status().as_u16())
        }
    };
    assert_eq!(check(-3).await, (true, 200, 200), "three seconds before exp");
    assert_eq!(check(5).await, (false, 401, 401), "five seconds after exp: no 60 s of grace");
    assert_eq!(check(0).await, (false, 401, 401), "at exp itself");
}

/// A reset link works for 30 minutes and a verification mail for 24 hours: one second past
/// either, the link says it no longer works and nothing changes.
#[tokio::test]
async fn reset_and_verification_links_expire_on_time() {
    let clock = Arc::new(Ahead::default());
    let (base, admin_token, dir) = server_with(clock.clone(), "mail-expiry").await;
    let admin = reqwest::Client::new();
    let users: serde_json::Value = admin
        .get(format!("{base}/admin/v1/tenants/acme/users?email=ada%40example.com"))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let start = clock.now().unix_timestamp();
    let mut links = Vec::new();
    for (kind, page) in [("reset_password", "/recover/reset?"), ("verify_email", "/verify?")] {
        let res = admin
            .post(format!("{base}/admin/v1/tenants/acme/users/{id}/mail"))
            .bearer_auth(&admin_token)
            .json(&json!({"type": kind}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let mut text = None;
        for _ in 0..200 {
            text = ciam_server::adapters::mail::read_mail_dir(&dir.0.join("mail"))
                .into_iter()
                .filter_map(|(_, raw)| ciam_server::adapters::mail::mail_text_body(&raw))
                .find(|t| t.contains(page));
            if text.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let text = text.expect("the mail");
        links.push(text.split_whitespace().find(|w| w.contains(page)).unwrap().to_owned());
    }
    let v = Browser::at(&base, Some("127.0.0.1"));
    // 30 minutes and one second later: the reset link is gone.
    clock.show(start + 30 * 60 + 1);
    let res = v.get(&links[0]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("does not work any more"));
    // Still within the day, the verification link shows its page; a day and a second later it is gone.
    clock.show(start + 24 * 3600 + 1);
    let html = v.get(&links[1]).await.text().await.unwrap();
    let form = [("user", hidden(&html, "user")), ("token", hidden(&html, "token"))];
    let res = v.http.post(format!("{base}/t/acme/verify")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let users: serde_json::Value = admin
        .get(format!("{base}/admin/v1/tenants/acme/users/{id}"))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users["email_verified"], false, "an expired link verifies nothing");
}
