//! Identity and authorization chaining across trust domains (draft-ietf-oauth-identity-chaining)
//! between two tenants of one server acting as two companies: Acme's broker service exchanges
//! Ada's token for a JWT authorization grant for Globex's authorization server; Globex, which
//! trusts Acme's issuer (its keys fetched from Acme's JWKS), turns the grant into an access token
//! for its own Ada, with the acting service still on record; a grant is used once, and one that is
//! forged, foreign, wider or aimed elsewhere is refused. `TEST_BACKEND=postgres` runs it on
//! Postgres and Redis.

use ciam_testkit::{Admin, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};

use crate::BIN;
use crate::support::token_as as token;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const ORDERS_B: &str = "https://orders.globex.example";

#[tokio::test]
async fn an_acme_grant_becomes_a_globex_token_for_the_same_person_once() {
    let dir = TempDir::new("chaining");
    // Globex fetches Acme's keys from this very server, on loopback.
    let env = vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".to_owned(), "true".to_owned())];
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let (acme_issuer, globex_issuer) = (server.url("/t/acme"), server.url("/t/globex"));
    let acme = World::tenant("acme")
        .named("Acme")
        .user_with(json!({"email": "ada@example.com", "password": ciam_testkit::PASSWORD, "email_verified": true}))
        .client(json!({"client_id": "web", "name": "Acme portal", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "email", "orders:read"]}))
        .client(json!({"client_id": "broker", "name": "Broker", "client_type": "confidential",
                       "grant_types": [EXCHANGE], "scopes": ["email", "orders:read"],
                       "token_exchange": {"audiences": [globex_issuer]}}))
        .create(&admin)
        .await;
    let globex = World::tenant("globex")
        .named("Globex")
        .user_with(json!({"email": "Ada@Example.com", "email_verified": true}))
        .client(json!({"client_id": "acme-broker", "name": "Acme's broker", "client_type": "confidential",
                       "grant_types": [JWT_BEARER], "scopes": ["email", "orders:read"]}))
        .create(&admin)
        .await;
    let (web_secret, broker_secret) = (acme.secret("web"), acme.secret("broker"));
    let at_globex_secret = globex.secret("acme-broker");
    let (web, broker, at_globex) =
        (("web", web_secret.as_str()), ("broker", broker_secret.as_str()), ("acme-broker", at_globex_secret.as_str()));
    let ada_at_globex = globex.user_id("Ada@Example.com");

    // The trust, both ways, in each tenant's settings (checked when saved).
    let bad = json!({"settings": {"identity_chaining": {"trusted_issuers": [{"issuer": "ftp://x"}]}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/globex", Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    let out = json!({"settings": {"identity_chaining": {"grant_audiences": [globex_issuer]}}});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(out)).await.0, 200);
    let trust = json!({"settings": {"identity_chaining": {"trusted_issuers": [{
        "issuer": acme_issuer, "jwks_uri": server.url("/t/acme/jwks"), "audiences": [ORDERS_B], "subject": "email"}]}}});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/globex", Some(trust)).await.0, 200);
    let discovery: Value = server.get_json("/t/globex/.well-known/openid-configuration").await;
    assert!(discovery["grant_types_supported"].as_array().unwrap().contains(&json!(JWT_BEARER)), "{discovery}");
    let discovery: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(discovery["identity_chaining_requested_token_types_supported"], json!([JWT]));

    // Ada's token at Acme.
    let browser = Browser::new(&server);
    let (_, callback) = browser.authorize(&authorize_url("web", "openid email orders:read").build(), "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let (status, tokens) = token(&server, "acme", web, &form).await;
    assert_eq!(status, 200, "{tokens}");
    let ada = tokens["access_token"].as_str().unwrap().to_owned();

    // 1. Acme's broker gets a grant for Globex's authorization server.
    let grant_for = |scope: &'static str| {
        let ada = ada.clone();
        let globex_issuer = globex_issuer.clone();
        let server = &server;
        async move {
            let form = [
                ("grant_type", EXCHANGE),
                ("subject_token", ada.as_str()),
                ("subject_token_type", ACCESS_TOKEN),
                ("requested_token_type", JWT),
                ("audience", globex_issuer.as_str()),
                ("scope", scope),
            ];
            token(server, "acme", broker, &form).await
        }
    };
    let (status, issued) = grant_for("email orders:read").await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!((&issued["token_type"], &issued["issued_token_type"]), (&json!("N_A"), &json!(JWT)));
    let grant = issued["access_token"].as_str().unwrap().to_owned();
    let g = crate::claims(&grant);
    assert_eq!(
        (&g["iss"], &g["aud"], &g["email"]),
        (&json!(acme_issuer), &json!(globex_issuer), &json!("ada@example.com"))
    );
    assert_eq!(g["act"], json!({"sub": "broker"}));
    assert!(g["exp"].as_i64().unwrap() - g["iat"].as_i64().unwrap() <= 60);

    // 2. Globex turns it into a token for its own Ada, for one of its resources.
    let present = |assertion: String, extra: Vec<(&'static str, &'static str)>| {
        let server = &server;
        async move {
            let mut form = vec![("grant_type", JWT_BEARER), ("assertion", assertion.as_str())];
            form.extend(extra);
            token(server, "globex", at_globex, &form).await
        }
    };
    let (status, body) = present(grant.clone(), vec![("resource", ORDERS_B), ("scope", "orders:read")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    let t = crate::claims(body["access_token"].as_str().unwrap());
    assert_eq!((&t["iss"], &t["sub"], &t["aud"]), (&json!(globex_issuer), &json!(ada_at_globex), &json!(ORDERS_B)));
    assert_eq!(
        (&t["scope"], &t["client_id"], &t["act"]),
        (&json!("orders:read"), &json!("acme-broker"), &json!({"sub": "broker"}))
    );

    // 3. Once only; and a forged, wider or misdirected grant is refused.
    let (status, body) = present(grant.clone(), vec![]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "replayed: {body}");
    let (_, fresh) = grant_for("email orders:read").await;
    let fresh = fresh["access_token"].as_str().unwrap().to_owned();
    let mut forged = fresh.clone();
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    for (assertion, extra, error) in [
        (forged, vec![], "invalid_grant"),
        (ada.clone(), vec![], "invalid_grant"),
        (fresh.clone(), vec![("resource", "https://elsewhere.example")], "invalid_target"),
        (fresh.clone(), vec![("scope", "orders:write")], "invalid_scope"),
    ] {
        let (status, body) = present(assertion, extra.clone()).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{extra:?}: {body}");
    }
    let (status, _) = present(fresh, vec![]).await;
    assert_eq!(status, 200, "a refused attempt does not use the grant up");

    // 4. Acme only issues grants for the authorization servers it names.
    let form = [
        ("grant_type", EXCHANGE),
        ("subject_token", ada.as_str()),
        ("subject_token_type", ACCESS_TOKEN),
        ("requested_token_type", JWT),
        ("audience", "https://as.initech.example"),
    ];
    let (status, body) = token(&server, "acme", broker, &form).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")), "{body}");

    // 5. Globex's trail names the grant's issuer and the service that acted.
    let trail = admin.get(&format!("/tenants/globex/audit?user={ada_at_globex}&type=token.issued&limit=10"), 200).await;
    let event = &trail["items"][0];
    assert_eq!(event["reason"], format!("identity chaining: a grant of {acme_issuer}"), "{trail}");
    assert_eq!(event["actors"], json!(["broker"]));
}
