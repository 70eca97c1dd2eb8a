//! Lazy migration: the tenant's old system checks the password of a user ciam does not have yet
//! (`settings.migration.legacy_password_check_url`). The old system here is a stand-in served
//! by the test, which checks the request's signature with the tenant's published keys, as a real
//! one would.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use ciam_testkit::{Admin, Browser, CALLBACK, Server, ServerOptions, TempDir, World, authorize_url, hidden, location};
use serde_json::{Value, json};

use crate::BIN;

#[derive(Clone, Default)]
struct OldSystem {
    /// The tenant's JWK Set (set once the server runs).
    jwks: Arc<Mutex<Value>>,
    /// Every request: the address asked about, and whether its signature and body hash held.
    asked: Arc<Mutex<Vec<(String, bool)>>>,
    down: Arc<Mutex<bool>>,
    url: String,
}

async fn check(State(old): State<OldSystem>, headers: HeaderMap, body: String) -> Response {
    if *old.down.lock().unwrap() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let jwks = old.jwks.lock().unwrap().clone();
    let claims =
        token.and_then(|t| ciam_jose::jwt::verify_with_jwk_set(t, &jwks, &[jsonwebtoken::Algorithm::ES256], &[]).ok());
    let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(body.as_bytes()));
    let signed = claims.is_some_and(|c| c["aud"] == old.url.as_str() && c["body_sha256"] == digest.as_str());
    let request: Value = serde_json::from_str(&body).unwrap_or_default();
    let email = request["email"].as_str().unwrap_or_default().to_owned();
    old.asked.lock().unwrap().push((email.clone(), signed));
    let valid = signed && email == "old.timer@example.com" && request["password"] == "the old password";
    if valid {
        axum::Json(json!({"valid": true, "user": {"name": "Old Timer", "email_verified": true, "website": "ftp://no"}}))
            .into_response()
    } else {
        axum::Json(json!({"valid": false})).into_response()
    }
}

async fn old_system() -> OldSystem {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let old = OldSystem { url: format!("http://{}/check", listener.local_addr().unwrap()), ..OldSystem::default() };
    let app = axum::Router::new().route("/check", axum::routing::post(check)).with_state(old.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    old
}

/// Signs in on client `web`'s login page as `email`/`password`; the login POST's answer.
async fn sign_in(server: &Server, email: &str, password: &str) -> reqwest::Response {
    let b = Browser::new(server);
    let res = b.get(&authorize_url("web", "openid").nonce("n").build()).await;
    let html = b.get(&location(&res)).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", email.into()),
        ("password", password.into()),
    ];
    b.http.post(b.abs("/t/acme/login")).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn the_old_system_is_asked_once_per_user_and_fails_closed() {
    let old = old_system().await;
    let data = TempDir::new("legacy-hook");
    let opts = ServerOptions {
        env: vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &data.0, opts).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    World::tenant("acme")
        .settings(json!({"migration": {"legacy_password_check_url": old.url}}))
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&admin)
        .await;
    *old.jwks.lock().unwrap() = server.get_json("/t/acme/jwks").await;

    // Down: the sign-in fails closed, with a message, and nothing is created.
    *old.down.lock().unwrap() = true;
    let res = sign_in(&server, "old.timer@example.com", "the old password").await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("could not be checked right now"));
    let users = admin.get("/tenants/acme/users", 200).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "only Ada: {users}");
    *old.down.lock().unwrap() = false;

    // A wrong password: asked, refused like any wrong password, nothing created.
    assert_eq!(sign_in(&server, "old.timer@example.com", "a guess").await.status(), 401);
    assert_eq!(admin.get("/tenants/acme/users", 200).await["items"].as_array().unwrap().len(), 1);

    // The right one: the user is created with it and signs in.
    assert_eq!(sign_in(&server, "old.timer@example.com", "the old password").await.status(), 303);
    let users = admin.get("/tenants/acme/users", 200).await;
    let timer = users["items"].as_array().unwrap().iter().find(|u| u["email"] == "old.timer@example.com").cloned();
    let timer = timer.unwrap_or_else(|| panic!("{users}"));
    assert_eq!((&timer["name"], &timer["email_verified"]), (&json!("Old Timer"), &json!(true)), "{timer}");
    assert!(timer.get("website").is_none(), "an invalid claim is left out: {timer}");
    let asked = old.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "the wrong and the right password (not while down): {asked:?}");
    assert!(asked.iter().all(|(_, signed)| *signed), "every request signed with the tenant's key: {asked:?}");

    // From now on the password is checked here: the old system is not asked again (not even
    // about a wrong password), and neither about Ada, who was never in it.
    assert_eq!(sign_in(&server, "old.timer@example.com", "the old password").await.status(), 303);
    assert_eq!(sign_in(&server, "old.timer@example.com", "a guess").await.status(), 401);
    assert_eq!(sign_in(&server, "ada@example.com", "a guess").await.status(), 401);
    assert_eq!(old.asked.lock().unwrap().len(), 2);
    let trail = admin.get("/tenants/acme/audit?type=user.migrated", 200).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1, "{trail}");
    assert!(!server.logs().contains("the old password"), "no password in the log");

    // A setting that is not an https URL is refused, by name.
    let (status, problem) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme",
            Some(json!({"settings": {"migration": {"legacy_password_check_url": "http://old.example/check"}}})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "settings.migration.legacy_password_check_url", "{problem}");
}
