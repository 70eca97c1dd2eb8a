//! Token exchange for services (RFC 8693), end to end: Ada signs in to the web app, whose backend
//! service exchanges her token for one aimed at another API, acting on her behalf (`act`) or in
//! her name (impersonation), within the audiences the tenant's admin granted it; without a
//! target the token is for the audience of hers; everything else is refused with the RFC error.

use ciam_testkit::{Admin, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};

use crate::BIN;

const API: &str = "https://orders.example/api";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Calls the token endpoint as `client` with its secret.
async fn token(server: &Server, client: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    let req = server.http.post(server.url("/t/acme/token")).basic_auth(client.0, Some(client.1)).form(form);
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// An exchange of `subject` by `client`, with `extra` parameters (`audience`, `resource`, `scope`).
async fn exchange(server: &Server, client: (&str, &str), subject: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("grant_type", EXCHANGE), ("subject_token", subject), ("subject_token_type", ACCESS_TOKEN)];
    form.extend_from_slice(extra);
    token(server, client, &form).await
}

/// Ada signs in to `web` (with `extra` authorization parameters) and `web` redeems the code.
async fn ada_token(server: &Server, browser: &Browser, web: (&str, &str), extra: &str) -> String {
    let url = authorize_url("web", "openid orders:read orders:write").state("s").extra(extra).build();
    let (_, callback) = browser.authorize(&url, "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let (status, body) = token(server, web, &form).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_backend_service_exchanges_a_users_token_on_her_behalf_rfc8693() {
    let dir = TempDir::new("service-exchange");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let service = |id: &str, extra: Value| {
        let mut body = json!({"client_id": id, "name": id, "client_type": "confidential",
                              "grant_types": [EXCHANGE], "scopes": ["orders:read", "orders:write"]});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let created = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .resource(json!({"id": "orders", "identifier": API, "name": "Orders API",
                         "scopes": ["orders:read", "orders:write"]}))
        .client(json!({"client_id": "web", "name": "Web shop", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "orders:read", "orders:write"]}))
        .client(json!({"client_id": "billing", "name": "Billing", "client_type": "confidential",
                       "grant_types": ["client_credentials"], "scopes": ["orders:read"]}))
        .client(service("orders-backend", json!({})))
        .client(service("reporting", json!({"token_exchange": {"audiences": [API], "mode": "impersonate"}})))
        .create(&admin)
        .await;
    let ada_id = created.user_id("ada@example.com");
    let secret = |id: &str| created.secret(id);
    let (web_secret, backend_secret, reporting_secret) = (secret("web"), secret("orders-backend"), secret("reporting"));
    let (web, backend, reporting) = (
        ("web", web_secret.as_str()),
        ("orders-backend", backend_secret.as_str()),
        ("reporting", reporting_secret.as_str()),
    );
    let browser = Browser::new(&server);
    let ada = ada_token(&server, &browser, web, &format!("&resource={API}")).await;
    let ada_claims = crate::claims(&ada);
    assert_eq!(ada_claims["aud"], API);

    // 1. Without a permission the backend may not exchange at all.
    let (status, body) = exchange(&server, backend, &ada, &[("audience", "billing")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unauthorized_client")), "{body}");

    // 2. The admin grants it exchanges for the orders API and the billing service.
    let grant = json!({"token_exchange": {"audiences": [API, "billing"]}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/orders-backend", Some(grant)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_exchange"], json!({"audiences": [API, "billing"], "mode": "delegate"}));

    // 3. It exchanges Ada's token for one for billing, narrower, naming itself as the actor.
    let (status, body) = exchange(&server, backend, &ada, &[("audience", "billing"), ("scope", "orders:read")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["issued_token_type"].as_str(), body["token_type"].as_str()), (Some(ACCESS_TOKEN), Some("Bearer")));
    let t = crate::claims(body["access_token"].as_str().unwrap());
    assert_eq!((t["sub"].as_str(), t["aud"].as_str()), (Some(ada_id.as_str()), Some("billing")));
    assert_eq!((t["client_id"].as_str(), t["scope"].as_str()), (Some("orders-backend"), Some("orders:read")));
    assert_eq!(t["act"], json!({"sub": "orders-backend"}));
    assert!(t["exp"].as_i64() <= ada_claims["exp"].as_i64(), "never outlives Ada's token");

    // 4. Without a target: for the audience of Ada's token, as if it had been named.
    let (status, body) = exchange(&server, backend, &ada, &[]).await;
    assert_eq!(status, 200, "{body}");
    let t = crate::claims(body["access_token"].as_str().unwrap());
    assert_eq!((t["aud"].as_str(), t["scope"].as_str()), (Some(API), Some("orders:read orders:write")));
    assert_eq!(t["act"], json!({"sub": "orders-backend"}));

    // 5. Outside the permission, wider than Ada's token, or a token of hers for the issuer only
    //    (not in the permission): refused.
    let plain = ada_token(&server, &browser, web, "").await;
    for (subject, extra, want) in [
        (&ada, vec![("audience", "https://elsewhere.example/")], "invalid_target"),
        (&ada, vec![("resource", API), ("scope", "orders:read orders:delete")], "invalid_scope"),
        (&plain, vec![], "invalid_target"),
    ] {
        let (status, body) = exchange(&server, backend, subject, &extra).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(want)), "{extra:?}: {body}");
    }

    // 6. A service that impersonates: the token stands for Ada alone, without `act`.
    let (status, body) = exchange(&server, reporting, &ada, &[]).await;
    assert_eq!(status, 200, "{body}");
    let t = crate::claims(body["access_token"].as_str().unwrap());
    assert_eq!((t["sub"].as_str(), t["aud"].as_str(), t.get("act")), (Some(ada_id.as_str()), Some(API), None));

    // 7. The trail names Ada, the acting service and the audience, for every exchange and refusal.
    let trail = admin.get(&format!("/tenants/acme/audit?user={ada_id}&type=token.exchanged&limit=50"), 200).await;
    let events = trail["items"].as_array().unwrap();
    let by = |client: &str| events.iter().filter(|e| e["client_id"] == client).collect::<Vec<_>>();
    assert_eq!(by("orders-backend").len(), 2);
    assert!(by("orders-backend").iter().all(|e| e["actors"] == json!(["orders-backend"])));
    assert!(by("orders-backend").iter().any(|e| e["audience"] == "billing"));
    assert_eq!(by("reporting")[0]["actors"], json!(["reporting"]), "the impersonator is on record");
    let refused = admin.get(&format!("/tenants/acme/audit?user={ada_id}&type=token.refused&limit=50"), 200).await;
    let refused = refused["items"].as_array().unwrap();
    assert!(refused.iter().any(|e| e["client_id"] == "orders-backend"
        && e["actors"] == json!(["orders-backend"])
        && e["reason"].as_str().unwrap().starts_with("invalid_target")));

    // 8. A tenant may require every exchange to name its target.
    let strict = json!({"settings": {"token_exchange": {"require_target": true}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(strict)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = exchange(&server, backend, &ada, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("resource or audience"), "{body}");
    let (status, body) = exchange(&server, backend, &ada, &[("resource", API)]).await;
    assert_eq!(status, 200, "a named target is still served: {body}");
}
