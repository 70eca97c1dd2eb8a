//! The README's first command on a fresh machine: embedded SQLite and in-process store, with a
//! generated admin token. And the same server on Postgres + Redis.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir, TestPostgres, TestRedis};
use serde_json::json;

use crate::BIN;

async fn admin_api_works(server: &Server, token: &str) {
    let ready = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let admin = Admin::new(server, token);
    let t = admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    assert_eq!(t["issuer"], server.url("/t/acme"));
    let u = admin
        .post(
            "/tenants/acme/users",
            json!({"email": "ada@example.com", "password": "correct horse", "name": "Ada"}),
            201,
        )
        .await;
    let c = admin
        .post(
            "/tenants/acme/clients",
            json!({"name": "Web", "client_type": "confidential", "redirect_uris": ["https://app.example/cb"]}),
            201,
        )
        .await;
    assert!(c["client_secret"].as_str().unwrap().len() >= 43);
    let got = admin.get(&format!("/tenants/acme/users/{}", u["id"].as_str().unwrap()), 200).await;
    assert_eq!(got["email"], "ada@example.com");
    let bad = admin.post("/tenants/acme/clients", json!({"name": "x", "client_type": "sideways"}), 422).await;
    assert_eq!(bad["errors"][0]["field"], "client_type");
    jwks_publishes_and_rotates(server, &admin).await;

    // Metrics count requests per route template, never per raw path (T22).
    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("ciam_http_requests_total{method=\"POST\",route=\"/admin/v1/tenants\",status=\"201\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("ciam_http_request_duration_seconds_count{route=\"/admin/v1/tenants/{tenant}/users\"}"));
    assert!(!metrics.contains(u["id"].as_str().unwrap()), "no ids in labels");
}

/// Every tenant publishes an active and a next key per algorithm from creation on; rotation
/// starts signing with the published next key and keeps the old one published.
async fn jwks_publishes_and_rotates(server: &Server, admin: &Admin<'_>) {
    let res = server.http.get(server.url("/t/acme/jwks")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/jwk-set+json");
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let jwks: serde_json::Value = res.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    for k in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "no private members (C02)");
        }
        assert!(["ES256", "RS256"].contains(&k["alg"].as_str().unwrap()));
    }
    let listed = admin.get("/tenants/acme/keys", 200).await;
    let next_es256 =
        listed.as_array().unwrap().iter().find(|k| k["alg"] == "ES256" && k["state"] == "next").unwrap()["kid"].clone();
    let rotated = admin.post("/tenants/acme/keys/rotate", json!({"algs": ["ES256"]}), 200).await;
    assert_eq!(rotated["activated"], json!([next_es256]));
    let after = admin.get("/tenants/acme/keys", 200).await;
    let state_of =
        |kid: &serde_json::Value| after.as_array().unwrap().iter().find(|k| &k["kid"] == kid).unwrap()["state"].clone();
    assert_eq!(state_of(&next_es256), "active");
    assert_eq!(after.as_array().unwrap().len(), 5);
    admin.post("/tenants/acme/keys/rotate", json!({"algs": ["HS256"]}), 422).await;
    assert_eq!(server.http.get(server.url("/t/nobody/jwks")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn fresh_start_on_the_embedded_default_with_a_generated_admin_token() {
    let dir = TempDir::new("embedded");
    let server = Server::start(BIN, &dir.0, ServerOptions { embedded: true, ..ServerOptions::default() }).await;
    let token_file = server.data_dir.join("admin-token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the admin token file is private");
    }
    let master_key_file = server.data_dir.join("master-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&master_key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the master key file is private");
    }
    let token = server.generated_admin_token();
    assert!(token.len() >= 43);
    assert!(server.data_dir.join("ciam.db").exists(), "SQLite database created in the data dir");
    let logs = server.logs();
    assert!(logs.contains("admin-token"), "the log says where the token is");
    assert!(!logs.contains(&token), "the log never contains the token");
    let master_key = std::fs::read_to_string(&master_key_file).unwrap();
    assert!(!logs.contains(master_key.trim()), "the log never contains the master key");
    admin_api_works(&server, &token).await;
    let wrong = server.http.get(server.url("/admin/v1/tenants")).bearer_auth("x".repeat(43)).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn the_generated_admin_token_survives_a_restart_and_so_does_the_data() {
    let dir = TempDir::new("restart");
    let mut first = Server::start(BIN, &dir.0, ServerOptions { embedded: true, ..ServerOptions::default() }).await;
    let token = first.generated_admin_token();
    Admin::new(&first, &token).post("/tenants", json!({"id": "kept", "display_name": "Kept"}), 201).await;
    first.terminate();
    assert_eq!(first.wait(std::time::Duration::from_secs(20)).await, Some(0));
    let second = Server::start(BIN, &dir.0, ServerOptions { embedded: true, ..ServerOptions::default() }).await;
    assert_eq!(second.generated_admin_token(), token);
    Admin::new(&second, &token).get("/tenants/kept", 200).await;
}

#[tokio::test]
async fn the_same_server_on_postgres_and_redis() {
    let Some(pg) = TestPostgres::create().await else { return };
    let Some(redis) = TestRedis::create().await else { return };
    let dir = TempDir::new("pg");
    let token = "an-admin-token-for-the-postgres-suite-0123456789";
    let opts = ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        env: vec![("CIAM_ADMIN_TOKEN".into(), token.into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &dir.0, opts).await;
    assert!(!server.data_dir.join("ciam.db").exists(), "no SQLite file when Postgres is configured");
    admin_api_works(&server, token).await;
    let ready: serde_json::Value = server.get_json("/readyz").await;
    assert_eq!(ready["checks"]["ephemeral_store"], "ok");
}

#[tokio::test]
async fn readyz_reports_an_unreachable_redis_and_the_node_still_starts() {
    let dir = TempDir::new("noredis");
    // A port nothing listens on: the node starts, /healthz is fine, /readyz names the store.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let opts =
        ServerOptions { redis: Some((format!("redis://127.0.0.1:{port}"), "x:".into())), ..ServerOptions::default() };
    let server = Server::start(BIN, &dir.0, opts).await;
    assert_eq!(server.http.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let res = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["checks"]["durable_store"], "ok");
    assert_ne!(body["checks"]["ephemeral_store"], "ok");
}
