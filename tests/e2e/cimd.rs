//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), as MCP clients use
//! them: a public client that was never registered names itself by the URL of its metadata
//! document, and completes the authorization code flow with PKCE and a DPoP-bound token. The
//! document is served by the test on loopback; the tenant allows private addresses (development).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, TestPostgres,
    TestRedis, authorize_url,
};
use serde_json::{Value, json};

use crate::BIN;

/// On `app.example` for an RFC 3986 parser, on `evil.test` for a browser.
const BACKSLASH: &str = "https://evil.test\\@app.example/cb";

/// Serves metadata documents on loopback and counts the requests per path.
struct DocumentHost {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl DocumentHost {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (b, h) = (base.clone(), hits.clone());
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let (base, hits) = (b.clone(), h.clone());
            async move {
                let path = uri.path().to_owned();
                *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                let doc = |id: String| {
                    json!({"client_id": id, "client_name": "Trip Planner", "redirect_uris": [CALLBACK],
                           "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                           "token_endpoint_auth_method": "none", "client_uri": "https://planner.example"})
                };
                use axum::response::IntoResponse;
                match path.as_str() {
                    "/planner.json" | "/unlisted.json" => {
                        ([("cache-control", "max-age=600")], axum::Json(doc(format!("{base}{path}")))).into_response()
                    }
                    "/impostor.json" => axum::Json(doc(format!("{base}/planner.json"))).into_response(),
                    "/large.json" => {
                        let mut d = doc(format!("{base}{path}"));
                        d["policy_uri"] = json!(format!("https://planner.example/{}", "p".repeat(6 * 1024)));
                        axum::Json(d).into_response()
                    }
                    "/moved.json" => {
                        axum::response::Redirect::temporary(&format!("{base}/planner.json")).into_response()
                    }
                    "/backslash.json" => {
                        let mut d = doc(format!("{base}{path}"));
                        d["redirect_uris"] = json!([CALLBACK, BACKSLASH]);
                        axum::Json(d).into_response()
                    }
                    "/secret.json" => {
                        let mut d = doc(format!("{base}{path}"));
                        d["token_endpoint_auth_method"] = json!("client_secret_basic");
                        d["client_secret"] = json!("not-so-secret");
                        axum::Json(d).into_response()
                    }
                    _ => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

#[tokio::test]
async fn a_client_identified_by_its_metadata_document() {
    metadata_document_flow(ServerOptions::default(), None).await;
}

#[tokio::test]
async fn a_client_identified_by_its_metadata_document_on_postgres_and_redis() {
    let Some(pg) = TestPostgres::create().await else { return };
    let Some(redis) = TestRedis::create().await else { return };
    let opts = ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        ..ServerOptions::default()
    };
    metadata_document_flow(opts, Some("admin-token-for-the-cimd-postgres-test-0123456789")).await;
}

async fn metadata_document_flow(mut opts: ServerOptions, admin_token: Option<&str>) {
    let host = DocumentHost::start().await;
    let dir = TempDir::new("cimd");
    // The server allows private networks (development) ...
    opts.env.push(("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into()));
    if let Some(t) = admin_token {
        opts.env.push(("CIAM_ADMIN_TOKEN".into(), t.into()));
    }
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin = Admin::new(&server, admin_token.map_or_else(|| server.generated_admin_token(), str::to_owned));
    // ... and so does this tenant, for documents on 127.0.0.1 only.
    let policy =
        json!({"client_metadata_documents": {"allowed_hosts": ["127.0.0.1"], "allow_private_addresses": true}});
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme", "settings": policy}), 201).await;
    admin.post("/tenants", json!({"id": "other", "display_name": "Other"}), 201).await;
    admin.post("/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD}), 201).await;

    // Discovery says so only where the tenant allows it.
    let meta: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(meta["client_id_metadata_document_supported"], true);
    let meta: Value = server.get_json("/t/other/.well-known/openid-configuration").await;
    assert!(meta.get("client_id_metadata_document_supported").is_none());

    // Bad policies are refused with the field named; URLs cannot be registered as client ids.
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/tenants",
            Some(json!({"id": "bad", "display_name": "Bad", "settings": {"client_metadata_documents": {"allowed_hosts": ["*"]}}})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("settings.client_metadata_documents.allowed_hosts[0]"), "{body}");
    let (status, _) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/clients",
            Some(json!({"client_id": host.url("/planner.json"), "name": "Squatter", "client_type": "public",
                        "redirect_uris": [CALLBACK]})),
        )
        .await;
    assert_eq!(status, 422, "a registered client cannot take a document URL");

    // The whole flow: sign in, an unverified consent page, a code, a DPoP-bound token.
    let client_id = host.url("/planner.json");
    let s = Browser::new(&server);
    let issuer = server.url("/t/acme");
    let (start, verifier) = (authorize_url(&client_id, "openid profile").state("s1").build(), PKCE_VERIFIER.to_owned());
    let (pages, callback) = s.authorize(&start, "allow").await;
    let consent = pages.iter().find(|p| p.contains("name=\"decision\"")).expect("a consent page");
    assert!(consent.contains("Trip Planner"), "{consent}");
    assert!(consent.contains("Unverified application"), "{consent}");
    assert!(consent.contains("<strong>127.0.0.1</strong>"), "the client id host: {consent}");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let token_url = format!("{issuer}/token");
    let (key, _) = AgentKey::new("planner");
    let redeem = |code: String, verifier: String| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", client_id.clone()),
            ("code", code),
            ("redirect_uri", CALLBACK.into()),
            ("code_verifier", verifier),
        ]
    };
    let res = server
        .http
        .post(server.url("/t/acme/token"))
        .header("DPoP", key.proof("POST", &token_url, None))
        .form(&redeem(code.clone(), verifier.clone()))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "DPoP", "{body}");
    assert!(body["access_token"].is_string() && body["id_token"].is_string(), "{body}");
    assert!(body.get("refresh_token").is_none(), "no refresh tokens for unregistered clients: {body}");
    let at = body["access_token"].as_str().unwrap();
    let res = server
        .http
        .get(server.url("/t/acme/userinfo"))
        .header("Authorization", format!("DPoP {at}"))
        .header("DPoP", key.proof("GET", &format!("{issuer}/userinfo"), Some(at)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the bound token works with its key");
    // The code was for this client only, and only once.
    let res = server.http.post(server.url("/t/acme/token")).form(&redeem(code, verifier)).send().await.unwrap();
    assert_eq!(res.status(), 400);

    // Consent is asked again the next time: a self-described client is never silently trusted.
    let start = authorize_url(&client_id, "openid profile").state("s1").build();
    let (pages, callback) = s.authorize(&start, "allow").await;
    assert!(pages.iter().any(|p| p.contains("Unverified application")), "consent asked again");
    assert!(pages.iter().all(|p| !p.contains("name=\"password\"")), "signed in already");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    // Without PKCE there is no redeeming: a public client.
    let res =
        server.http.post(server.url("/t/acme/token")).form(&redeem(code, "wrong".repeat(10))).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(host.hits("/planner.json"), 1, "the document is cached on the node");
    // Nor without asking: prompt=none gets consent_required, even right after consenting.
    let start = authorize_url(&client_id, "openid profile").state("s1").build();
    let (pages, callback) = s.authorize(&format!("{start}&prompt=none"), "allow").await;
    assert!(pages.is_empty());
    assert!(callback.query_pairs().any(|(k, v)| k == "error" && v == "consent_required"), "{callback}");

    // Refusals: an error page, never a redirect to the client.
    let browser = Browser::new(&server);
    let refused = |client_id: String, redirect_uri: &'static str, why: &'static str| {
        let browser = &browser;
        async move {
            let start = authorize_url(&client_id, "openid profile").redirect_uri(redirect_uri).state("s1").build();
            let res = browser.get(&start).await;
            assert_eq!(res.status(), 400, "{why}");
            assert!(res.headers().get("location").is_none(), "{why}");
            res.text().await.unwrap()
        }
    };
    let unlisted = host.url("/unlisted.json").replace("127.0.0.1", "localhost");
    refused(unlisted, CALLBACK, "host not allowed").await;
    assert_eq!(host.hits("/unlisted.json"), 0, "a host the tenant does not allow is never fetched");
    refused(host.url("/impostor.json"), CALLBACK, "the document names another client_id").await;
    refused(host.url("/large.json"), CALLBACK, "the document is too large").await;
    refused(host.url("/moved.json"), CALLBACK, "redirects are not followed").await;
    assert_eq!(host.hits("/planner.json"), 1, "the redirect was not followed");
    refused(host.url("/secret.json"), CALLBACK, "shared secrets are refused").await;
    refused(host.url("/missing.json"), CALLBACK, "no document").await;
    let why = "a redirect URI that parsers read differently (RFC 3986 vs a browser)";
    refused(host.url("/backslash.json"), BACKSLASH, why).await;
    refused(host.url("/backslash.json"), CALLBACK, "not even with its other URI").await;
    assert!(server.logs().contains("must not contain a backslash"), "the operator learns why");
    let html = refused(client_id.clone(), "http://127.0.0.1:9/elsewhere", "redirect_uri not in the document").await;
    assert!(html.contains("redirect"), "{html}");
    // A URL with a fragment or dot segments is no client id at all.
    refused(format!("{client_id}#x"), CALLBACK, "fragment").await;
    refused(host.url("/a/../planner.json"), CALLBACK, "dot segments").await;

    // Another tenant without the policy knows no such client, and fetches nothing.
    let start = authorize_url(&host.url("/unlisted.json"), "openid profile").state("s1").build();
    let res = browser.get(&start.replace("/t/acme/", "/t/other/")).await;
    assert_eq!(res.status(), 400);
    assert_eq!(host.hits("/unlisted.json"), 0);

    // At the token endpoint, a document URL the tenant does not accept is an unknown client.
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", &*host.url("/impostor.json")),
        ("code", "nope"),
        ("redirect_uri", CALLBACK),
        ("code_verifier", "x"),
    ];
    let res = server.http.post(server.url("/t/acme/token")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
}
