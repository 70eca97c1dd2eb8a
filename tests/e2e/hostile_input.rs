//! Bad input on every management route gives a 4xx problem document, never a 5xx or a panic.
//! The routes and their body schemas come from the server's own OpenAPI document, so a route
//! added later is covered without touching this test.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir};
use serde_json::{Value, json};

use crate::BIN;

/// Property names and declared types of a schema, following `$ref` and `allOf`.
fn properties(doc: &Value, schema: &Value, out: &mut Vec<(String, String)>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return properties(doc, &doc["components"]["schemas"][name], out);
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        properties(doc, part, out);
    }
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let ty = match &prop["type"] {
            Value::String(t) => t.clone(),
            Value::Array(ts) => {
                ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("object").to_owned()
            }
            _ => "object".to_owned(),
        };
        out.push((name.clone(), ty));
    }
}

/// Values that are not of the declared JSON type.
fn wrong_values(ty: &str) -> Vec<Value> {
    let deep = (0..200).fold(json!(1), |v, _| json!([v]));
    match ty {
        "string" => vec![json!(12345), json!(true), json!([]), json!({}), deep],
        "boolean" => vec![json!("hunter2"), json!(1), json!([]), json!({})],
        "integer" | "number" => vec![json!("1"), json!(true), json!([]), json!(1e308)],
        "array" => vec![json!("a"), json!(1), json!({}), json!([[], {}]), json!([null])],
        _ => vec![json!("a"), json!(1), json!([]), json!(true)],
    }
}

fn assert_problem(what: &str, status: u16, content_type: &str) {
    assert!((400..500).contains(&status), "{what}: status {status}");
    assert_eq!(content_type, "application/problem+json", "{what}");
}

#[tokio::test]
async fn every_admin_route_answers_bad_input_with_a_4xx_problem() {
    let dir = TempDir::new("hostile");
    let token = "admin-token-for-the-hostile-input-test-0123456789";
    let opts = ServerOptions { env: vec![("CIAM_ADMIN_TOKEN".into(), token.into())], ..ServerOptions::default() };
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin = Admin::new(&server, token);
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let user = admin.post("/tenants/acme/users", json!({"email": "ada@example.com"}), 201).await;
    let client = admin
        .post("/tenants/acme/clients", json!({"client_id": "web-app", "name": "Web", "client_type": "confidential", "redirect_uris": ["https://a.example/cb"]}), 201)
        .await;
    let doc: Value = server.get_json("/admin/v1/openapi.json").await;

    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let path = path
            .replace("{tenant}", "acme")
            .replace("{user_id}", user["id"].as_str().unwrap())
            .replace("{client_id}", client["client_id"].as_str().unwrap());
        for (method, op) in item.as_object().unwrap() {
            if method == "delete" {
                continue; // no input to break, and it would remove the fixtures
            }
            let url = server.url(&path);
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let send = |body: Option<(String, &'static str)>, query: &str| {
                let mut req = server.http.request(m.clone(), format!("{url}{query}")).bearer_auth(token);
                if let Some((b, ct)) = body {
                    req = req.header("content-type", ct).body(b);
                }
                req.send()
            };
            if op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["name"] == "limit")) {
                for q in
                    ["?limit=-1", "?limit=abc", "?limit=99999999999", "?cursor=%00", "?cursor=e30", "?limit=1&limit=2"]
                {
                    let res = send(None, q).await.unwrap();
                    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
                    assert_problem(&format!("{method} {path}{q}"), res.status().as_u16(), &ct);
                    checked += 1;
                }
            }
            let Some((media, schema)) =
                op["requestBody"]["content"].as_object().and_then(|c| c.iter().next()).map(|(m, c)| (m, &c["schema"]))
            else {
                continue;
            };
            let mut bodies: Vec<(String, &'static str)> = vec![
                (String::new(), "application/json"),
                ("null".into(), "application/json"),
                ("[]".into(), "application/json"),
                ("{".into(), "application/json"),
                ("{\"a\":1,}".into(), "application/json"),
                ("\u{feff}{}".into(), "application/json"),
                ("{}".into(), "text/plain"),
                ("[".repeat(10_000), "application/json"),
                (format!("{{\"x\":\"{}\"}}", "a".repeat(70 * 1024)), "application/json"),
                ("{\"id\":\"\u{0000}\"}".into(), "application/json"),
            ];
            let mut props = Vec::new();
            properties(&doc, schema, &mut props);
            // A route that takes another media type (the NDJSON import) answers every JSON body
            // above with a 415 problem; its lines are checked by its own tests.
            assert!(
                media != "application/json" || !props.is_empty(),
                "{method} {path} has a body schema with properties"
            );
            for (name, ty) in &props {
                for bad in wrong_values(ty) {
                    bodies.push((json!({ name: bad }).to_string(), "application/json"));
                }
            }
            for (body, ct) in bodies {
                let what = format!("{method} {path} {ct} {}", body.chars().take(60).collect::<String>());
                let res = send(Some((body, ct)), "").await.unwrap();
                let status = res.status().as_u16();
                let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
                assert_problem(&what, status, &ct);
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "covered {checked} cases");
    // The fixtures are intact: nothing above changed them.
    let got = admin.get(&format!("/tenants/acme/clients/{}", client["client_id"].as_str().unwrap()), 200).await;
    assert_eq!(got["redirect_uris"], json!(["https://a.example/cb"]));
}

/// A client that trickles its request's headers (slowloris) is cut off at
/// `server.header_timeout_secs`, while a prompt request on another connection is served; the
/// trickling connection never gets an answer.
#[tokio::test]
async fn a_connection_that_trickles_its_headers_is_closed_at_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = TempDir::new("slowloris");
    let env = vec![("CIAM_SERVER__HEADER_TIMEOUT_SECS".to_owned(), "1".to_owned())];
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let addr = server.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = std::time::Instant::now();
    // One header byte every 200 ms, never the blank line that ends them.
    let mut closed_after = None;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if slow.write_all(b"X").await.is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 256];
        match tokio::time::timeout(std::time::Duration::from_millis(10), slow.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => {
                closed_after = Some(started.elapsed());
                break;
            }
            Ok(Ok(n)) => {
                let answer = String::from_utf8_lossy(&buf[..n]).to_string();
                assert!(!answer.contains(" 200 "), "the trickling request was answered: {answer}");
            }
            Err(_) => {}
        }
        // Meanwhile a prompt request is served.
        if closed_after.is_none() && started.elapsed() < std::time::Duration::from_millis(500) {
            assert_eq!(reqwest::get(server.url("/healthz")).await.unwrap().status(), 200);
        }
    }
    let closed_after = closed_after.expect("the trickling connection was never closed");
    assert!(closed_after < std::time::Duration::from_secs(4), "closed after {closed_after:?}");
    assert_eq!(reqwest::get(server.url("/healthz")).await.unwrap().status(), 200, "the server still serves");
}

/// Every endpoint the discovery document names, sent what an attacker sends: a body far too
/// large, invalid UTF-8, a parameter twice (RFC 6749 §3.1), NUL and bidirectional-override
/// characters, deeply nested JSON, and a huge header. Each is answered in the protocol's way,
/// with a 4xx (an OAuth error object on the OAuth endpoints), quickly, never a 5xx; no answer
/// carries the client's secret. The endpoints come from discovery, so a new one is covered.
#[tokio::test]
async fn every_public_endpoint_answers_hostile_input_with_a_4xx() {
    use ciam_testkit::World;

    let dir = TempDir::new("hostile-public");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let world = World::tenant("acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                       "redirect_uris": [ciam_testkit::CALLBACK], "grant_types": ["authorization_code", "client_credentials"]}))
        .create(&admin)
        .await;
    let secret = world.secret("web");
    let discovery: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    let mut endpoints: Vec<String> = discovery
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.ends_with("_endpoint") || *k == "jwks_uri")
        .filter_map(|(_, v)| v.as_str().map(str::to_owned))
        .collect();
    endpoints.sort();
    endpoints.dedup();
    assert!(endpoints.len() >= 8, "{endpoints:?}");
    // The OAuth endpoints answer with an OAuth error object.
    let oauth = [
        "token_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "pushed_authorization_request_endpoint",
        "device_authorization_endpoint",
        "backchannel_authentication_endpoint",
    ]
    .iter()
    .filter_map(|k| discovery[*k].as_str().map(str::to_owned))
    .collect::<Vec<_>>();

    let big = "a=".to_owned() + &"b".repeat(3 * 1024 * 1024);
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("oversized body", "application/x-www-form-urlencoded", big.into_bytes()),
        (
            "invalid UTF-8",
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&scope=\xff\xfe\xfd".to_vec(),
        ),
        (
            "a parameter twice",
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&grant_type=password&scope=openid".to_vec(),
        ),
        (
            "NUL",
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&scope=open%00id&token=a%00b".to_vec(),
        ),
        (
            "bidi override",
            "application/x-www-form-urlencoded",
            "grant_type=client_credentials&scope=\u{202e}di nepo&token=\u{202e}x".as_bytes().to_vec(),
        ),
        ("deep JSON", "application/json", deep.into_bytes()),
    ];
    // A fresh connection for every request: a refused oversized body leaves its connection closed.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    for endpoint in &endpoints {
        for (what, content_type, body) in &bodies {
            let started = std::time::Instant::now();
            let sent = http
                .post(endpoint)
                .basic_auth("web", Some(&secret))
                .header("content-type", *content_type)
                .body(body.clone())
                .send()
                .await;
            let res = match sent {
                Ok(res) => res,
                // Refused before it was all read: the server answered 413 and closed the
                // connection under a client still sending.
                Err(e) if *what == "oversized body" && e.is_request() => continue,
                Err(e) => panic!("{what} at {endpoint}: {e}"),
            };
            let status = res.status().as_u16();
            let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let text = res.text().await.unwrap_or_default();
            let took = started.elapsed();
            assert!(status < 500, "{what} at {endpoint}: {status} {text}");
            assert!(took < std::time::Duration::from_secs(3), "{what} at {endpoint} took {took:?}");
            assert!(!text.contains(&secret), "{what} at {endpoint}: the secret is in the answer");
            // An unknown token is inactive (RFC 7662 §2.2) or revoked already (RFC 7009 §2.2): 200.
            let inactive = Some(endpoint.as_str()) == discovery["introspection_endpoint"].as_str()
                && status == 200
                && text == r#"{"active":false}"#;
            let revoked = Some(endpoint.as_str()) == discovery["revocation_endpoint"].as_str() && status == 200;
            if oauth.contains(endpoint) && *what != "oversized body" && !inactive && !revoked {
                assert!((400..500).contains(&status), "{what} at {endpoint}: {status} {text}");
                if ct.starts_with("application/json") {
                    let error: Value = serde_json::from_str(&text).unwrap_or_default();
                    assert!(error["error"].is_string(), "{what} at {endpoint}: not an OAuth error: {text}");
                }
            }
            if *what == "oversized body" {
                assert!((400..500).contains(&status), "{what} at {endpoint}: {status}");
            }
        }
        // A header far larger than any real one.
        let res = http.get(endpoint).header("x-padding", "p".repeat(128 * 1024)).send().await;
        if let Ok(res) = res {
            assert!(res.status().as_u16() < 500, "a huge header at {endpoint}: {}", res.status());
        }
    }
    // A NUL in what names the client (looked up in the store) is an unknown client, on every
    // OAuth endpoint; and in the address typed on the sign-in page, an unknown account.
    for endpoint in &oauth {
        let res = http
            .post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("client_id=we%00b&grant_type=client_credentials&token=x&scope=openid")
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status().as_u16(), 400 | 401), "client_id with NUL at {endpoint}: {}", res.status());
    }
    let browser = ciam_testkit::Browser::new(&server);
    let (_, flow, csrf) = browser.login_page("").await;
    let res = browser
        .post(
            "/t/acme/login",
            &[("flow", flow.as_str()), ("csrf", csrf.as_str()), ("email", "ada\0@example.com"), ("password", "x")],
        )
        .await;
    assert!(res.status().as_u16() < 500, "an address with NUL on the sign-in page: {}", res.status());
    // A repeated parameter at the token endpoint is the RFC's invalid_request.
    let token = discovery["token_endpoint"].as_str().unwrap_or_default();
    let res = http
        .post(token)
        .basic_auth("web", Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
}
