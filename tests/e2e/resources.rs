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

/// The Rust code of docs/protect-an-api.md, compiled and run here.
#[path = "snippets/verify_access_token.rs"]
#[allow(unreachable_pub)]
mod guide;

/// docs/protect-an-api.md: an API verifies its JWT access tokens locally with the guide's code,
/// and introspects them with its own credentials, learning about its own tokens only; with them
/// it obtains no token.
#[tokio::test]
async fn a_registered_api_verifies_and_introspects_the_tokens_issued_for_it() {
    assert!(
        include_str!("../../docs/protect-an-api.md").contains(include_str!("snippets/verify_access_token.rs")),
        "docs/protect-an-api.md shows the code this test runs"
    );
    const OTHER: &str = "https://other.example/api";
    let dir = TempDir::new("protect-api");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let credentials = |id: &str, identifier: &str| {
        json!({"id": id, "identifier": identifier, "name": id, "scopes": ["trips:read"],
               "introspection_auth_method": "client_secret_basic"})
    };
    let api = admin.post("/tenants/acme/resources", credentials("trips", API), 201).await;
    let (api_id, api_secret) = (api["client_id"].as_str().unwrap(), api["client_secret"].as_str().unwrap());
    assert_eq!(api_id, "resource.trips");
    let other = admin.post("/tenants/acme/resources", credentials("other", OTHER), 201).await;
    let c = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                   "grant_types": ["client_credentials"], "scopes": ["trips:read"]}),
            201,
        )
        .await;
    let svc_secret = c["client_secret"].as_str().unwrap().to_owned();
    let token = |resource: Option<&'static str>| {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend(resource.map(|r| ("resource", r)));
        let req = server.http.post(server.url("/t/acme/token")).basic_auth("svc", Some(&svc_secret)).form(&form);
        async move {
            let body: Value = req.send().await.unwrap().json().await.unwrap();
            body["access_token"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
        }
    };
    let (for_api, for_other, unbound) = (token(Some(API)).await, token(Some(OTHER)).await, token(None).await);

    // Locally: signature from the tenant's JWKS, typ, iss, aud, exp.
    let jwks: jsonwebtoken::jwk::JwkSet = server.get_json("/t/acme/jwks").await;
    let issuer = server.url("/t/acme");
    let claims = guide::verify_access_token(&for_api, &jwks, &issuer, API).expect("a token for this API");
    assert_eq!((claims["aud"].as_str(), claims["scope"].as_str()), (Some(API), Some("trips:read")));
    assert!(guide::verify_access_token(&for_other, &jwks, &issuer, API).is_none(), "another API's token");
    assert!(guide::verify_access_token(&unbound, &jwks, &issuer, API).is_none(), "a token for no API");
    let elsewhere = server.url("/t/other");
    assert!(guide::verify_access_token(&for_api, &jwks, &elsewhere, API).is_none(), "another issuer");
    let mut forged = for_api.clone();
    forged.pop();
    forged.push(if for_api.ends_with('A') { 'B' } else { 'A' });
    assert!(guide::verify_access_token(&forged, &jwks, &issuer, API).is_none(), "a broken signature");

    // Introspection with the API's own credentials.
    let introspect = |id: &str, secret: &str, token: &str| {
        let req =
            server.http.post(server.url("/t/acme/introspect")).basic_auth(id, Some(secret)).form(&[("token", token)]);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = introspect(api_id, api_secret, &for_api).await;
    assert_eq!(
        (status, &body["active"], &body["aud"], &body["client_id"]),
        (200, &json!(true), &json!(API), &json!("svc"))
    );
    for (what, token) in [("another API's token", &for_other), ("a token for no API", &unbound)] {
        assert_eq!(introspect(api_id, api_secret, token).await, (200, json!({"active": false})), "{what}");
    }
    let other_secret = other["client_secret"].as_str().unwrap();
    assert_eq!(introspect("resource.other", other_secret, &for_other).await.1["active"], true);
    let (status, body) = introspect(api_id, "wrong", &for_api).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, body) = introspect(api_id, other_secret, &for_api).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "another API's secret");
    // The API's credentials obtain no token.
    let res = server
        .http
        .post(server.url("/t/acme/token"))
        .basic_auth(api_id, Some(api_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
}
