//! The resource registry (RFC 8707): tokens for a registered API name it as audience, carry only
//! scopes it defines and live as long as it says; its Protected Resource Metadata (RFC 9728)
//! points clients at the issuer.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir};
use serde_json::{Value, json};

use crate::BIN;

const API: &str = "https://trips.example/api";

#[tokio::test]
async fn tokens_for_a_registered_resource_are_bounded_by_it() {
    let dir = TempDir::new("resources");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let created = admin
        .post(
            "/tenants/acme/resources",
            json!({"id": "trips", "identifier": API, "name": "Trips API", "scopes": ["trips:read", "trips:book"],
                   "access_token_lifetime": 120}),
            201,
        )
        .await;
    let meta_url = created["metadata_url"].as_str().unwrap().to_owned();
    admin
        .post("/tenants/acme/resources", json!({"id": "again", "identifier": API, "name": "x", "scopes": []}), 409)
        .await;
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/resources",
            Some(json!({"id": "bad", "identifier": "not a uri", "name": "x", "scopes": []})),
        )
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("identifier")));
    let c = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                   "grant_types": ["client_credentials"], "scopes": ["trips:read", "orders:read"]}),
            201,
        )
        .await;
    let secret = c["client_secret"].as_str().unwrap().to_owned();
    let token = |form: Vec<(&'static str, &'static str)>| {
        let req = server.http.post(server.url("/t/acme/token")).basic_auth("svc", Some(&secret)).form(&form);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };

    // RFC 9728: what an API serves at its /.well-known/oauth-protected-resource.
    let path = meta_url.split("/t/acme").nth(1).unwrap();
    let meta: Value = server.get_json(&format!("/t/acme{path}")).await;
    assert_eq!(meta["resource"], API);
    assert_eq!(meta["authorization_servers"], json!([server.url("/t/acme")]));
    assert_eq!(meta["scopes_supported"], json!(["trips:book", "trips:read"]));

    let (status, body) = token(vec![("grant_type", "client_credentials"), ("resource", API)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "trips:read", "only scopes the resource defines");
    assert_eq!(body["expires_in"], 120, "the resource's token lifetime");
    let payload = body["access_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    use base64::Engine as _;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["aud"], API);
    for (form, want) in [
        (vec![("grant_type", "client_credentials"), ("resource", API), ("scope", "orders:read")], "invalid_scope"),
        (vec![("grant_type", "client_credentials"), ("resource", "https://unknown.example/")], "invalid_target"),
        (
            vec![("grant_type", "client_credentials"), ("resource", API), ("resource", "https://other.example/")],
            "invalid_target",
        ),
    ] {
        let (status, body) = token(form.clone()).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(want)), "{form:?}");
    }
    let (status, body) =
        admin.call(reqwest::Method::PATCH, "/tenants/acme/resources/trips", Some(json!({"name": "Trips"}))).await;
    assert_eq!((status, body["name"].as_str(), body["identifier"].as_str()), (200, Some("Trips"), Some(API)));
    let (status, _) = admin.call(reqwest::Method::DELETE, "/tenants/acme/resources/trips", None).await;
    assert_eq!(status, 204);
    let (status, body) = token(vec![("grant_type", "client_credentials"), ("resource", API)]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")));
    assert_eq!(server.http.get(server.url(&format!("/t/acme{path}"))).send().await.unwrap().status(), 404);
}
