//! Secrets sent to the server never appear in its logs, even at the most verbose level.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir};
use serde_json::json;

use crate::BIN;

#[tokio::test]
async fn passwords_secrets_and_tokens_never_reach_the_logs() {
    let dir = TempDir::new("logs");
    let admin_token = "admin-token-that-must-never-be-logged-4242424242";
    let opts = ServerOptions {
        env: vec![("CIAM_ADMIN_TOKEN".into(), admin_token.into())],
        log_level: Some("trace".into()),
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin = Admin::new(&server, admin_token);
    let password = "Pa55word-that-must-never-be-logged";
    let bogus_bearer = "bogus-bearer-that-must-never-be-logged-777";

    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    admin.post("/tenants/acme/users", json!({"email": "ada@example.com", "password": password}), 201).await;
    let user = admin.get("/tenants/acme/users?email=ada@example.com", 200).await;
    let id = user["items"][0]["id"].as_str().unwrap().to_owned();
    let new_password = "An0ther-password-never-logged";
    let (status, _) = admin
        .call(reqwest::Method::PATCH, &format!("/tenants/acme/users/{id}"), Some(json!({"password": new_password})))
        .await;
    assert_eq!(status, 200);
    // A secret in the wrong field, and a too-short password: errors must not echo them.
    let misplaced = "misplaced-secret-never-logged";
    admin.post("/tenants/acme/users", json!({"email": "x@example.com", "email_verified": misplaced}), 422).await;
    let short = "Sh0rt!";
    let err = admin.post("/tenants/acme/users", json!({"email": "y@example.com", "password": short}), 422).await;
    assert!(!err.to_string().contains(short));
    let client = admin
        .post(
            "/tenants/acme/clients",
            json!({"name": "Web", "client_type": "confidential", "redirect_uris": ["https://app.example/cb"]}),
            201,
        )
        .await;
    let client_secret = client["client_secret"].as_str().unwrap().to_owned();
    let rotated = admin
        .post(&format!("/tenants/acme/clients/{}/secret", client["client_id"].as_str().unwrap()), json!({}), 200)
        .await;
    let rotated_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    // A wrong token, and a token smuggled into a query string.
    let res = server.http.get(server.url("/admin/v1/tenants")).bearer_auth(bogus_bearer).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let query_token = "query-token-never-logged-31337";
    server.http.get(server.url(&format!("/admin/v1/tenants?access_token={query_token}"))).send().await.unwrap();

    let logs = server.logs();
    assert!(logs.contains("request"), "trace logging was on: {logs}");
    for secret in [
        admin_token,
        password,
        new_password,
        misplaced,
        short,
        bogus_bearer,
        query_token,
        &client_secret,
        &rotated_secret,
    ] {
        assert!(!logs.contains(secret), "a secret appeared in the logs");
    }
    assert!(!logs.contains("ada@example.com"), "emails are personal data and stay out of logs");
    // Every request log line carries a request id.
    let request_lines: Vec<&str> = logs.lines().filter(|l| l.contains("\"route\"")).collect();
    assert!(!request_lines.is_empty());
    assert!(request_lines.iter().all(|l| l.contains("request_id")), "request id on every request line");
}
