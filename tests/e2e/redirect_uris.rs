//! Redirect URIs are registered only as valid RFC 3986 URIs written exactly as they parse, at
//! every door: the management API (clients and agents) and dynamic registration (RFC 7591);
//! metadata documents are checked in `cimd`. A URI stored before the rule is shown and can be
//! corrected, but is never redirected to.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir};
use serde_json::{Value, json};

use crate::BIN;

/// `https://evil.test\@app.example/cb`: on `app.example` for an RFC 3986 parser, on `evil.test`
/// for a browser (which reads `\` as `/`).
const BACKSLASH: &str = "https://evil.test\\@app.example/cb";

#[tokio::test]
async fn a_redirect_uri_parsers_read_differently_is_refused_at_every_door() {
    let dir = TempDir::new("redirect-uris");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let open = json!({"registration": {"mode": "open"}});
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme", "settings": open}), 201).await;

    // The management API: 422 problem documents naming the field and saying why.
    for (uri, why) in [
        (BACKSLASH, "backslash"),
        ("https://app.example", "register \"https://app.example/\" instead"),
        ("https://APP.example/cb", "register \"https://app.example/cb\" instead"),
        ("https://app.example/a/../cb", "register \"https://app.example/cb\" instead"),
        ("https://app.example/c|b", "RFC 3986"),
        ("https://app.example/c%zz", "percent-encoding"),
    ] {
        let body =
            json!({"name": "Web", "client_type": "confidential", "redirect_uris": ["https://app.example/ok", uri]});
        let (status, got) = admin.call(reqwest::Method::POST, "/tenants/acme/clients", Some(body)).await;
        assert_eq!(status, 422, "{uri}: {got}");
        assert_eq!(got["type"], "urn:ciam:problem:validation");
        assert_eq!(got["errors"][0]["field"], "redirect_uris[1]", "{uri}: {got}");
        let message = got["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(why), "{uri}: {message}");
    }
    let agent = json!({"name": "Agent", "owner": {"type": "client", "id": "nobody"}, "redirect_uris": [BACKSLASH]});
    let (status, got) = admin.call(reqwest::Method::POST, "/tenants/acme/agents", Some(agent)).await;
    assert_eq!((status, got["errors"][0]["field"].as_str()), (422, Some("redirect_uris[0]")), "{got}");
    let web = json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                     "redirect_uris": ["https://app.example/cb"]});
    admin.post("/tenants/acme/clients", web, 201).await;
    let (status, got) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/clients/web",
            Some(json!({"post_logout_redirect_uris": [BACKSLASH]})),
        )
        .await;
    assert_eq!((status, got["errors"][0]["field"].as_str()), (422, Some("post_logout_redirect_uris[0]")), "{got}");

    // Dynamic registration: RFC 7591 §3.2.2 invalid_redirect_uri.
    for uri in [BACKSLASH, "https://app.example", "com.example.app:\\cb"] {
        let body = json!({"redirect_uris": [uri], "token_endpoint_auth_method": "none"});
        let res = server.http.post(server.url("/t/acme/register")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 400, "{uri}");
        let got: Value = res.json().await.unwrap();
        assert_eq!(got["error"], "invalid_redirect_uri", "{uri}: {got}");
        assert!(got["error_description"].as_str().unwrap().starts_with("redirect_uris[0]"), "{got}");
    }

    // A URI stored before the rule (written here straight into the database) still loads, so
    // the client can be read and corrected, but the authorization endpoint sends nobody there:
    // an error page instead of a redirect to evil.test.
    let legacy = json!({"client_id": "legacy", "name": "Legacy", "client_type": "confidential",
                        "redirect_uris": ["https://app.example/cb"]});
    admin.post("/tenants/acme/clients", legacy, 201).await;
    let stored = serde_json::to_string(&json!([BACKSLASH])).unwrap();
    let rows = ciam_store::testing::execute_sql(
        &server.database_url,
        "update client set redirect_uris = $1 where tenant_id = 'acme' and client_id = 'legacy'",
        &[&stored],
    )
    .await;
    assert_eq!(rows, 1);
    let read = admin.get("/tenants/acme/clients/legacy", 200).await;
    assert_eq!(read["redirect_uris"], json!([BACKSLASH]));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", "legacy")
        .append_pair("redirect_uri", BACKSLASH)
        .append_pair("response_type", "token")
        .append_pair("state", "s")
        .finish();
    let res = server.http.get(server.url(&format!("/t/acme/authorize?{query}"))).send().await.unwrap();
    assert_eq!(res.status(), 400, "an error page");
    assert!(res.headers().get("location").is_none(), "no redirect: {:?}", res.headers().get("location"));
    let (status, got) =
        admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/legacy", Some(json!({"name": "Still legacy"}))).await;
    assert_eq!((status, got["errors"][0]["field"].as_str()), (422, Some("redirect_uris[0]")), "named for correction");
    let fixed = json!({"redirect_uris": ["https://app.example/cb"]});
    let (status, got) = admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/legacy", Some(fixed)).await;
    assert_eq!(status, 200, "{got}");
}
