//! Data residency inside one deployment: two regions (two SQLite files, or under
//! `TEST_BACKEND=postgres` two Postgres databases and Redis prefixes), each tenant's rows only in
//! its region's database (checked with SQL against both), a tenant moved with nothing left
//! behind, a region down failing only its tenants with a 503 problem naming it, and a node that
//! serves one region redirecting or refusing the other's tenants.

use std::time::Duration;

use ciam_testkit::{Admin, Browser, Server, ServerOptions, TempDir, TestPostgres, TestRedis, authorize_url};
use serde_json::{Value, json};

use crate::BIN;
use crate::support::{redeem, setup, token};

/// The tables holding a tenant's rows that the checks read.
const TABLES: [&str; 6] = ["tenant", "user_account", "audit_event", "refresh_family", "signing_key", "consent_event"];

/// A region's database, read by SQL from the test.
enum Db {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Db {
    fn of_url(url: &str) -> Self {
        match url.strip_prefix("sqlite://") {
            Some(rest) => Self::Sqlite(rest.split('?').next().unwrap().into()),
            None => Self::Postgres(url.to_owned()),
        }
    }

    /// How many rows `tenant` owns in each of [`TABLES`].
    async fn rows(&self, tenant: &str) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in TABLES {
            // Table names from the list above, the tenant bound.
            let sql = format!("select count(*) from {table} where tenant_id = $1");
            counts.push(match self {
                Self::Sqlite(file) => {
                    let db = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .unwrap();
                    db.query_row(&sql.replace("$1", "?1"), [tenant], |row| row.get(0)).unwrap()
                }
                Self::Postgres(url) => {
                    use sqlx::Connection;
                    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
                    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                        .bind(tenant)
                        .fetch_one(&mut db)
                        .await
                        .unwrap()
                }
            });
        }
        counts
    }

    /// Whether `needle` is anywhere in the database's files (Postgres: after `VACUUM FULL`).
    async fn files_contain(&self, needle: &str) -> bool {
        match self {
            Self::Sqlite(file) => crate::erasure::in_sqlite_files(file, needle),
            Self::Postgres(url) => !crate::erasure::postgres_files_with(url, needle, true).await.is_empty(),
        }
    }
}

fn on_postgres() -> bool {
    std::env::var("TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// A second region `us`: another Postgres database and Redis prefix under
/// `TEST_BACKEND=postgres`, else another SQLite file in `dir`. Returns its settings and what
/// must outlive the server.
async fn us_region(dir: &std::path::Path) -> (Vec<(String, String)>, Option<(TestPostgres, TestRedis)>) {
    if !on_postgres() {
        let url = format!("sqlite://{}?mode=rwc", dir.join("us.db").display());
        return (vec![("CIAM_REGIONS__US__DATABASE_URL".to_owned(), url)], None);
    }
    let (Some(pg), Some(redis)) = (TestPostgres::create().await, TestRedis::create().await) else {
        panic!("TEST_BACKEND=postgres needs Postgres and Redis")
    };
    let env = vec![
        ("CIAM_REGIONS__US__DATABASE_URL".to_owned(), pg.url.clone()),
        ("CIAM_REGIONS__US__REDIS_URL".to_owned(), redis.url.clone()),
        ("CIAM_REGIONS__US__REDIS_KEY_PREFIX".to_owned(), redis.prefix.clone()),
    ];
    (env, Some((pg, redis)))
}

fn env_value<'a>(env: &'a [(String, String)], key: &str) -> &'a str {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap()
}

/// Polls the tenant's placement until no move is under way.
async fn moved(admin: &Admin<'_>, tenant: &str) -> Value {
    for _ in 0..120 {
        let placement = admin.get(&format!("/tenants/{tenant}/placement"), 200).await;
        if placement["moving"].is_null() {
            return placement;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the move did not finish")
}

#[tokio::test]
async fn each_tenant_lives_in_its_region_and_a_move_leaves_nothing_behind() {
    let dir = TempDir::new("residency-us");
    let (mut env, us_services) = us_region(&dir.0).await;
    // Under TEST_BACKEND=postgres, the keys of acme in us's Redis.
    let acme_keys_in_us =
        || us_services.as_ref().map(|(_, redis)| redis.keys().iter().filter(|k| k.contains(":acme@")).count());
    env.push(("CIAM_REGION".into(), "eu".into()));
    let us = Db::of_url(env_value(&env, "CIAM_REGIONS__US__DATABASE_URL"));
    let regions = env.clone();
    let s = setup("residency", env).await;
    let eu = Db::of_url(&s.server.database_url);
    let admin = Admin::new(&s.server, s.admin_token.clone());

    // `acme` (made by the setup) lives in the control region; `globex` in `us`.
    assert_eq!(admin.get("/tenants/acme", 200).await["home_region"], "eu");
    let globex =
        admin.post("/tenants", json!({"id": "globex", "display_name": "Globex", "home_region": "us"}), 201).await;
    assert_eq!(globex["home_region"], "us");
    admin.post("/tenants/globex/users", json!({"email": "bob@globex.example"}), 201).await;
    let mars = admin
        .call(reqwest::Method::POST, "/tenants", Some(json!({"id": "m", "display_name": "M", "home_region": "mars"})))
        .await;
    assert_eq!(mars.0, 422, "{}", mars.1);
    assert!(mars.1["errors"][0]["message"].as_str().unwrap().contains("eu, us"), "{}", mars.1);

    // Ada signs in to acme and gets a refresh grant.
    let patch = json!({"scopes": ["openid", "offline_access"], "grant_types": ["authorization_code", "refresh_token"]});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/web", Some(patch)).await.0, 200);
    let v = Browser::new(&s.server);
    let start = authorize_url("web", "openid offline_access").nonce("n").build();
    let tokens = redeem(&s.server, &s.secret, &v.to_callback(v.sign_in(&start).await).await["code"]).await;
    let ada = admin.get("/tenants/acme/users?limit=1", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(admin.get(&format!("/tenants/acme/users/{ada}/sessions"), 200).await.as_array().unwrap().len(), 1);
    assert!(matches!(acme_keys_in_us(), None | Some(0)), "the session is not in us's Redis");

    // Each tenant's users, grants, keys and audit trail are in its own region's database only.
    let (acme_eu, acme_us) = (eu.rows("acme").await, us.rows("acme").await);
    assert!(acme_eu[..5].iter().all(|&n| n > 0), "acme in eu: {acme_eu:?}");
    assert!(acme_us.iter().all(|&n| n == 0), "acme in us: {acme_us:?}");
    let (globex_eu, globex_us) = (eu.rows("globex").await, us.rows("globex").await);
    assert!(globex_eu.iter().all(|&n| n == 0), "globex in eu: {globex_eu:?}");
    assert!(globex_us[..3].iter().all(|&n| n > 0), "globex in us: {globex_us:?}");
    assert!(!us.files_contain("ada@example.com").await);

    // The readiness report names both regions.
    let ready: Value = s.server.get_json("/readyz").await;
    assert_eq!(ready["regions"]["eu"]["durable_store"], "ok", "{ready}");
    assert_eq!(ready["regions"]["us"]["durable_store"], "ok", "{ready}");

    // Move acme to us: writes wait while its rows are copied.
    let started = admin.post("/tenants/acme/move", json!({"region": "us"}), 202).await;
    assert_eq!(
        (&started["region"], &started["moving"]["to"], &started["moving"]["step"]),
        (&json!("eu"), &json!("us"), &json!("frozen"))
    );
    let (status, refused) =
        admin.call(reqwest::Method::POST, "/tenants/acme/users", Some(json!({"email": "late@example.com"}))).await;
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["detail"], "tenant acme is moving to region us; retry shortly", "{refused}");
    let same = admin.call(reqwest::Method::POST, "/tenants/acme/move", Some(json!({"region": "eu"}))).await;
    assert_eq!(same.0, 422, "a second move elsewhere waits: {}", same.1);
    let again = admin.post("/tenants/acme/move", json!({"region": "us"}), 202).await;
    assert_eq!(again["moving"]["to"], "us", "asking again while it runs changes nothing: {again}");

    let placement = moved(&admin, "acme").await;
    assert_eq!(placement["region"], "us", "{placement}");
    assert_eq!(admin.get("/tenants/acme", 200).await["home_region"], "us");
    assert_eq!(eu.rows("acme").await, vec![0; TABLES.len()], "the old region holds nothing of acme");
    let acme_us = us.rows("acme").await;
    for (i, table) in TABLES.iter().enumerate().filter(|(_, t)| **t != "audit_event") {
        assert_eq!(acme_us[i], acme_eu[i], "every row of {table} arrived");
    }
    assert!(!eu.files_contain("ada@example.com").await, "nor in its files");

    // Ada's grant moved with her: it still refreshes, and new writes land in us.
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())];
    let (status, body) = token(&s.server, &s.secret, &refresh).await;
    assert_eq!(status, 200, "{body}");
    admin.post("/tenants/acme/users", json!({"email": "late@example.com"}), 201).await;
    assert_eq!(us.rows("acme").await[1], acme_eu[1] + 1);
    // Sessions did not move: Ada signs in again, and her new session lives in us.
    let again = Browser::new(&s.server);
    let code = again.to_callback(again.sign_in(&start).await).await["code"].clone();
    redeem(&s.server, &s.secret, &code).await;
    assert_eq!(admin.get(&format!("/tenants/acme/users/{ada}/sessions"), 200).await.as_array().unwrap().len(), 1);
    assert!(matches!(acme_keys_in_us(), None | Some(1..)), "the new session is in us's Redis");

    // The move is in the tenant's trail, which still verifies.
    let events = admin.get("/tenants/acme/audit?limit=200", 200).await;
    let types: Vec<&str> = events["items"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(types.contains(&"tenant.move_started") && types.contains(&"tenant.moved"), "{types:?}");
    // `ciam audit verify` with the deployment's regions finds the trail in its new region.
    let out = std::process::Command::new(BIN)
        .args(["audit", "verify", "--tenant", "acme"])
        .env_remove("DATABASE_URL")
        .envs(s.server.cli_env().iter().map(|(k, v)| (k, v)))
        .envs(regions.iter().map(|(k, v)| (k, v)))
        .env("CIAM_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let back = admin.call(reqwest::Method::POST, "/tenants/acme/move", Some(json!({"region": "us"}))).await;
    assert_eq!(back.0, 422, "already there: {}", back.1);
}

/// A two-region deployment whose nodes a test starts and stops: `eu` (control) and `us`, on
/// SQLite files or, under `TEST_BACKEND=postgres`, on Postgres databases and Redis prefixes.
struct Deployment {
    dir: TempDir,
    us: Vec<(String, String)>,
    eu_db: Option<TestPostgres>,
    eu_redis: Option<TestRedis>,
    _us_services: Option<(TestPostgres, TestRedis)>,
}

const TOKEN: &str = "residency-admin-token-0123456789abcdef";

impl Deployment {
    async fn new(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let (us, us_services) = us_region(&dir.0).await;
        let (eu_db, eu_redis) =
            if on_postgres() { (TestPostgres::create().await, TestRedis::create().await) } else { (None, None) };
        Self { dir, us, eu_db, eu_redis, _us_services: us_services }
    }

    /// A node with the `us` settings `us` (the deployment's, unless a test changes them).
    async fn node(&self, us: &[(String, String)]) -> Server {
        let mut env = us.to_vec();
        env.push(("CIAM_REGION".into(), "eu".into()));
        env.push(("CIAM_ADMIN_TOKEN".into(), TOKEN.into()));
        let opts = ServerOptions {
            database_url: self.eu_db.as_ref().map(|db| db.url.clone()),
            redis: self.eu_redis.as_ref().map(|r| (r.url.clone(), r.prefix.clone())),
            env,
            embedded: !on_postgres(),
            ..ServerOptions::default()
        };
        Server::start(BIN, &self.dir.0, opts).await
    }
}

#[tokio::test]
async fn a_move_cut_short_resumes_where_it_stopped() {
    let d = Deployment::new("residency-resume").await;
    let server = d.node(&d.us).await;
    let admin = Admin::new(&server, TOKEN);
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let ada = admin.post("/tenants/acme/users", json!({"email": "ada@example.com"}), 201).await;
    admin.post("/tenants/acme/move", json!({"region": "us"}), 202).await;
    // The node stops (SIGKILL) while the move waits for the freeze to settle.
    drop(server);

    let server = d.node(&d.us).await;
    let admin = Admin::new(&server, TOKEN);
    let stopped = admin.get("/tenants/acme/placement", 200).await;
    assert_eq!((&stopped["region"], &stopped["moving"]["step"]), (&json!("eu"), &json!("frozen")), "{stopped}");
    let (status, _) = admin
        .call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{}", ada["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(status, 503, "still frozen");
    let resumed = admin.post("/tenants/acme/move", json!({"region": "us"}), 202).await;
    assert_eq!(resumed["moving"]["step"], "frozen", "{resumed}");
    assert_eq!(moved(&admin, "acme").await["region"], "us");
    let users = admin.get("/tenants/acme/users", 200).await;
    assert_eq!(users["items"][0]["email"], "ada@example.com", "{users}");
    let eu = Db::of_url(
        &d.eu_db
            .as_ref()
            .map_or_else(|| format!("sqlite://{}", server.data_dir.join("ciam.db").display()), |db| db.url.clone()),
    );
    assert_eq!(eu.rows("acme").await, vec![0; TABLES.len()]);
}

#[tokio::test]
async fn a_region_down_or_elsewhere_fails_only_its_tenants_and_says_which() {
    let d = Deployment::new("residency-down").await;
    {
        let server = d.node(&d.us).await;
        let admin = Admin::new(&server, TOKEN);
        admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
        admin.post("/tenants", json!({"id": "globex", "display_name": "Globex", "home_region": "us"}), 201).await;
    }

    // `us` unreachable: its tenant gets 503 naming the region; `eu`'s tenant is served.
    let unreachable = if on_postgres() {
        "postgres://postgres@127.0.0.1:1/ciam_unreachable".to_owned()
    } else {
        format!("sqlite://{}/missing/us.db", d.dir.0.display())
    };
    let server = d.node(&[("CIAM_REGIONS__US__DATABASE_URL".into(), unreachable)]).await;
    let admin = Admin::new(&server, TOKEN);
    let (status, problem) = admin.call(reqwest::Method::GET, "/tenants/globex", None).await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["detail"], "region us is unavailable; retry shortly", "{problem}");
    assert!(!problem.to_string().contains("missing") && !problem.to_string().contains(":1/"), "no URL: {problem}");
    let res = server.http.get(server.url("/t/globex/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(admin.get("/tenants/acme", 200).await["id"], "acme");
    let res = server.http.get(server.url("/t/acme/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200, "one region down leaves the node in rotation");
    let ready: Value = res.json().await.unwrap();
    assert_eq!(
        (&ready["regions"]["eu"]["durable_store"], &ready["regions"]["us"]["durable_store"]),
        (&json!("ok"), &json!("unavailable")),
        "{ready}"
    );
    drop(server);

    // A node that serves only `eu` refuses `us`'s tenants with 421, or redirects them to the
    // region's public URL when it has one.
    let mut env = d.us.clone();
    env.push(("CIAM_SERVE_REGIONS".into(), "eu".into()));
    let server = d.node(&env).await;
    let admin = Admin::new(&server, TOKEN);
    let (status, problem) = admin.call(reqwest::Method::GET, "/tenants/globex/users", None).await;
    assert_eq!(status, 421, "{problem}");
    assert_eq!(problem["detail"], "this tenant lives in region us, which this node does not serve", "{problem}");
    assert_eq!(admin.get("/tenants/acme", 200).await["id"], "acme");
    let made = admin
        .call(
            reqwest::Method::POST,
            "/tenants",
            Some(json!({"id": "initech", "display_name": "I", "home_region": "us"})),
        )
        .await;
    assert_eq!(made.0, 422, "{}", made.1);
    drop(server);
    env.push(("CIAM_REGIONS__US__PUBLIC_URL".into(), "https://us.id.example.com".into()));
    let server = d.node(&env).await;
    let res = server.http.get(server.url("/t/globex/authorize?client_id=x&scope=openid")).send().await.unwrap();
    assert_eq!(res.status(), 307);
    assert_eq!(res.headers()["location"], "https://us.id.example.com/t/globex/authorize?client_id=x&scope=openid");
}
