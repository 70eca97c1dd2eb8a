//! Changing authenticators needs a recent sign-in: on the account pages, a session older than
//! 15 minutes may look but not change anything until the user signs in again. The server runs
//! in process with a clock the test moves forward (the only way to age a session without
//! waiting), on an ephemeral port, driven over HTTP like every other end-to-end test.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ciam_core::{Clock, SystemClock};
use ciam_testkit::TempDir;
use serde_json::json;

use crate::oidc::{PASSWORD, hidden, location};
use crate::security::Visitor;

/// The wall clock plus an offset the test sets.
#[derive(Default)]
struct Ahead(AtomicI64);

impl Clock for Ahead {
    fn now(&self) -> time::OffsetDateTime {
        SystemClock.now() + time::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
}

#[tokio::test]
async fn changing_authenticators_needs_a_sign_in_from_the_last_15_minutes() {
    let dir = TempDir::new("recent-auth");
    let config = ciam_server::Config { bind: "127.0.0.1:0".into(), data_dir: dir.0.clone(), ..Default::default() };
    let clock = Arc::new(Ahead::default());
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), clock.clone()).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run(std::future::pending()));
    let admin_token = std::fs::read_to_string(dir.0.join("admin-token")).unwrap();
    let admin = reqwest::Client::new();
    for (path, body) in [
        ("/admin/v1/tenants", json!({"id": "acme", "display_name": "Acme"})),
        ("/admin/v1/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD})),
    ] {
        let res = admin.post(format!("{base}{path}")).bearer_auth(admin_token.trim()).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 201, "{path}");
    }

    let ada = Visitor::new(&base, "127.0.0.1");
    sign_in(&ada, ada.get("/t/acme/account/security").await).await;
    let enrol = ada.get("/t/acme/account/security/totp").await;
    assert_eq!(enrol.status(), 200, "a fresh sign-in may add an authenticator");
    let csrf = hidden(&enrol.text().await.unwrap(), "csrf");

    // Sixteen minutes later: the session still shows the page, but changes ask for a sign-in.
    clock.0.store(16 * 60, Ordering::Relaxed);
    assert_eq!(ada.get("/t/acme/account/security").await.status(), 200, "looking is fine");
    let res = ada.post("/t/acme/account/security/totp", &[("csrf", &csrf), ("code", "123456")]).await;
    assert_eq!(res.status(), 303, "a change is not even checked");
    assert!(location(&res).contains("/t/acme/login?flow="));
    let res = ada.get("/t/acme/account/security/totp").await;
    sign_in(&ada, res).await;
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
    let base = format!("http://{}", app.local_addr());
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
    let ada = Visitor::new(&base, "127.0.0.1");
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
async fn sign_in(ada: &Visitor, res: reqwest::Response) {
    assert_eq!(res.status(), 303);
    let login = location(&res);
    assert!(login.contains("/t/acme/login?flow="), "sent to sign in: {login}");
    let html = ada.get(&login).await.text().await.unwrap();
    let res = ada.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    assert_eq!(location(&res), "/t/acme/account/security", "and back to the account page");
}
