//! One in-process server per test: the real router over real stores (in-memory SQLite, the
//! in-process ephemeral store), built by the server's own bootstrap, driven request by request.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, header};
use ciam_testkit::{AdminApi, TempDir};
use serde_json::Value;
use tower::ServiceExt as _;

/// The public URL of every router-test server: issuers are `http://ciam.test/t/{tenant}`.
pub(crate) const PUBLIC_URL: &str = "http://ciam.test";
const ADMIN_TOKEN: &str = "router-tests-admin-token-0123456789-abcdefghij";

/// A server as a router, with its admin token.
pub(crate) struct Harness {
    router: axum::Router,
    _dir: TempDir,
}

/// A response, read in full.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value, if present (the first of several).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Every value of a header.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    /// The `Location` header, which must be there.
    pub(crate) fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.text()))
    }

    /// The query parameters of the `Location`.
    pub(crate) fn redirect_params(&self) -> std::collections::HashMap<String, String> {
        ciam_testkit::callback_params(self.location())
    }

    /// The `name=value` pairs of every `Set-Cookie`, as a `Cookie` header.
    pub(crate) fn cookies(&self) -> String {
        self.all("set-cookie").iter().map(|c| c.split(';').next().unwrap().to_owned()).collect::<Vec<_>>().join("; ")
    }
}

/// `Authorization: Basic` for `id:secret` (RFC 6749 §2.3.1).
pub(crate) fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

/// A form body.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Percent-encodes a query value.
pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Harness {
    /// A fresh server: its own in-memory database and ephemeral store.
    pub(crate) async fn new() -> Self {
        let dir = TempDir::new("router");
        let config = ciam_server::Config {
            bind: "127.0.0.1:0".into(),
            public_url: Some(PUBLIC_URL.into()),
            data_dir: dir.0.clone(),
            database_url: Some("sqlite::memory:".into()),
            admin_token: Some(ADMIN_TOKEN.to_owned().into()),
            master_key: Some(ciam_testkit::SHARED_MASTER_KEY.to_owned().into()),
            ..Default::default()
        };
        // The bootstrap binds a port it never serves here; the router is what the tests drive.
        let built = ciam_server::App::build(config.validate().unwrap()).await.unwrap();
        let router = ciam_server::app(built.state().clone(), Duration::from_secs(30));
        Self { router, _dir: dir }
    }

    /// Sends one request through the router.
    pub(crate) async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), 4 << 20).await.unwrap().to_vec();
        Answer { status, headers, body }
    }

    /// `GET path` with extra headers.
    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// `POST path` with a form body and extra headers.
    pub(crate) async fn post_form(&self, path: &str, pairs: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(form(pairs))).unwrap()).await
    }

    /// `method /admin/v1{path}` with the admin token and an optional JSON body.
    pub(crate) async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.admin_as(Some(ADMIN_TOKEN), method, path, body).await
    }

    /// The same with another bearer token, or none.
    pub(crate) async fn admin_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(format!("/admin/v1{path}"));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }
}

impl AdminApi for Harness {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let answer = self.admin(method, path, body).await;
        (answer.status, answer.json())
    }
}

/// Asserts an RFC 6749 §5.2 error answer: `status`, `error` = `code`, a description, and never
/// cached (§5.1).
#[track_caller]
pub(crate) fn assert_oauth_error(answer: &Answer, status: u16, code: &str) {
    let body = answer.json();
    assert_eq!((answer.status, body["error"].as_str()), (status, Some(code)), "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

/// Asserts an RFC 9457 problem: `status`, `application/problem+json`, and `type`
/// `urn:ciam:problem:{kind}` with the status repeated in the body.
#[track_caller]
pub(crate) fn assert_problem(answer: &Answer, status: u16, kind: &str) -> Value {
    let body = answer.json();
    assert_eq!(answer.status, status, "{body}");
    assert_eq!(answer.header("content-type"), Some("application/problem+json"), "{body}");
    assert_eq!(body["type"], format!("urn:ciam:problem:{kind}"), "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// Tenant `acme` with three confidential clients: `svc` (client credentials only, scopes
/// `orders:read orders:write`), `web` (authorization code, the fixtures' callback) and `pushy`
/// (which must push its requests, RFC 9126 §6).
pub(crate) async fn acme(h: &Harness) -> ciam_testkit::Created {
    acme_world().create(h).await
}

/// [`acme`] with Ada (whose password costs an argon2id hash, so only the tests that sign in
/// create her).
pub(crate) async fn acme_with_ada(h: &Harness) -> ciam_testkit::Created {
    acme_world().user("ada@example.com").create(h).await
}

fn acme_world() -> ciam_testkit::World {
    use serde_json::json;
    ciam_testkit::World::tenant("acme")
        .named("Acme")
        .client(json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                       "grant_types": ["client_credentials"], "scopes": ["openid", "orders:read", "orders:write"]}))
        .client(json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential",
                       "redirect_uris": [ciam_testkit::CALLBACK], "scopes": ["openid", "offline_access"]}))
        .client(json!({"client_id": "pushy", "name": "Pushy", "client_type": "confidential",
                       "redirect_uris": [ciam_testkit::CALLBACK], "require_pushed_authorization_requests": true}))
}
