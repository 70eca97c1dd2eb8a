//! Two nodes on one Postgres and one Redis behave as one service.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir, TestPostgres, TestRedis};
use serde_json::json;

use crate::BIN;

#[tokio::test]
async fn two_nodes_sharing_postgres_and_redis_act_as_one_service() {
    let Some(pg) = TestPostgres::create().await else { return };
    let Some(redis) = TestRedis::create().await else { return };
    let token = "shared-admin-token-for-both-nodes-0123456789";
    let opts = ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        env: vec![("CIAM_ADMIN_TOKEN".into(), token.into())],
        ..ServerOptions::default()
    };
    let (dir_a, dir_b) = (TempDir::new("node-a"), TempDir::new("node-b"));
    // Started together: migrations run once under Postgres' advisory lock.
    let (a, b) = tokio::join!(Server::start(BIN, &dir_a.0, opts.clone()), Server::start(BIN, &dir_b.0, opts));
    assert_ne!(a.addr, b.addr);
    let (on_a, on_b) = (Admin::new(&a, token), Admin::new(&b, token));

    on_a.post("/tenants", json!({"id": "shared", "display_name": "Shared"}), 201).await;
    let client = on_a
        .post(
            "/tenants/shared/clients",
            json!({"name": "Web", "client_type": "confidential", "redirect_uris": ["https://app.example/cb"]}),
            201,
        )
        .await;
    let id = client["client_id"].as_str().unwrap();
    let seen = on_b.get(&format!("/tenants/shared/clients/{id}"), 200).await;
    assert_eq!(seen["redirect_uris"], json!(["https://app.example/cb"]));

    // A secret rotated on B is the only one valid for A's next read of the store.
    let rotated = on_b.post(&format!("/tenants/shared/clients/{id}/secret"), json!({}), 200).await;
    assert_ne!(rotated["client_secret"], client["client_secret"]);

    let user =
        on_b.post("/tenants/shared/users", json!({"email": "bo@example.com", "password": "long enough"}), 201).await;
    let listed = on_a.get("/tenants/shared/users?email=BO@example.com", 200).await;
    assert_eq!(listed["items"][0]["id"], user["id"]);
    // A duplicate created on the other node is a conflict, not a second row.
    on_a.post("/tenants/shared/users", json!({"email": "Bo@Example.com"}), 409).await;

    // Deleting on one node is visible on the other at once.
    let (status, _) = on_a.call(reqwest::Method::DELETE, &format!("/tenants/shared/clients/{id}"), None).await;
    assert_eq!(status, 204);
    on_b.get(&format!("/tenants/shared/clients/{id}"), 404).await;

    // A key rotated on A: B publishes the key that now signs without waiting for its cache,
    // because that key was published as `next` before the rotation.
    let jwks_b: serde_json::Value = b.get_json("/t/shared/jwks").await;
    let rotated = on_a.post("/tenants/shared/keys/rotate", json!({}), 200).await;
    for kid in rotated["activated"].as_array().unwrap() {
        assert!(jwks_b["keys"].as_array().unwrap().iter().any(|k| &k["kid"] == kid), "B already published {kid}");
    }

    for node in [&a, &b] {
        assert_eq!(node.http.get(node.url("/readyz")).send().await.unwrap().status(), 200);
    }
}
