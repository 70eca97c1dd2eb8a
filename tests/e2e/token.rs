//! The token endpoint with the `client_credentials` grant (RFC 6749 §4.4), JWT access tokens
//! (RFC 9068) and RFC 6749 §5.2 errors, checked with an independent JWT library against the
//! published JWKS.

use ciam_testkit::{Admin, Server, ServerOptions, TempDir, World};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Value, json};

use crate::BIN;

struct Fixture {
    _dir: TempDir,
    server: Server,
}

async fn fixture() -> (Fixture, String, String) {
    let dir = TempDir::new("token");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let acme = World::tenant("acme")
        .client(json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                       "grant_types": ["client_credentials"], "scopes": ["openid", "orders:read", "orders:write"]}))
        .create(&admin)
        .await;
    World::tenant("other").create(&admin).await;
    let secret = acme.secret("svc");
    (Fixture { _dir: dir, server }, "svc".to_owned(), secret)
}

async fn post(
    server: &Server,
    tenant: &str,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = server.http.post(server.url(&format!("/t/{tenant}/token"))).form(form);
    if let Some((id, secret)) = auth {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn client_credentials_issues_a_verifiable_rfc9068_access_token() {
    let (f, id, secret) = fixture().await;
    let s = &f.server;
    let (status, headers, body) = post(s, "acme", Some((&id, &secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "orders:read orders:write", "user scopes are never granted to a client for itself");
    let token = body["access_token"].as_str().unwrap();
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "RFC 6749 Appendix A.12");

    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"), "RFC 9068 §2.1");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let jwks: JwkSet = s.get_json("/t/acme/jwks").await;
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("signing key is published");
    let mut v = Validation::new(jsonwebtoken::Algorithm::ES256);
    let issuer = s.url("/t/acme");
    v.set_issuer(&[&issuer]);
    v.set_audience(&[&issuer]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
    let claims = jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v).unwrap().claims;
    assert_eq!(claims["sub"], "svc");
    assert_eq!(claims["client_id"], "svc");
    assert_eq!(claims["scope"], "orders:read orders:write");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    assert!(claims["jti"].as_str().unwrap().len() >= 22);

    // Narrowing works; the tenant's other JWKS does not verify this token.
    let (status, _, body) =
        post(s, "acme", Some((&id, &secret)), &[("grant_type", "client_credentials"), ("scope", "orders:read")]).await;
    assert_eq!((status, body["scope"].as_str()), (200, Some("orders:read")));
    let other: JwkSet = s.get_json("/t/other/jwks").await;
    assert!(other.find(header.kid.as_deref().unwrap()).is_none(), "keys are per tenant (T07)");
}

#[tokio::test]
async fn token_endpoint_errors_follow_rfc6749_5_2() {
    let (f, id, secret) = fixture().await;
    let s = &f.server;
    let cc = [("grant_type", "client_credentials")];
    // (what, basic credentials, form, status, error)
    type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("wrong secret", Some((&id, "wrong")), cc.to_vec(), 401, "invalid_client"),
        ("unknown client", Some(("ghost", &secret)), cc.to_vec(), 401, "invalid_client"),
        ("no authentication", None, cc.to_vec(), 401, "invalid_client"),
        (
            "secret in body for a basic client",
            None,
            vec![("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret)],
            401,
            "invalid_client",
        ),
        (
            "two methods",
            Some((&id, &secret)),
            vec![("grant_type", "client_credentials"), ("client_secret", &secret)],
            400,
            "invalid_request",
        ),
        ("another tenant (T02)", Some((&id, &secret)), cc.to_vec(), 401, "invalid_client"),
        (
            "wider scope",
            Some((&id, &secret)),
            vec![("grant_type", "client_credentials"), ("scope", "orders:delete")],
            400,
            "invalid_scope",
        ),
        (
            "user scope",
            Some((&id, &secret)),
            vec![("grant_type", "client_credentials"), ("scope", "openid")],
            400,
            "invalid_scope",
        ),
        ("no grant_type", Some((&id, &secret)), vec![], 400, "invalid_request"),
        ("password grant", Some((&id, &secret)), vec![("grant_type", "password")], 400, "unsupported_grant_type"),
        (
            "not this client's grant",
            Some((&id, &secret)),
            vec![("grant_type", "authorization_code"), ("code", "x")],
            400,
            "unauthorized_client",
        ),
        (
            "repeated parameter",
            Some((&id, &secret)),
            vec![("grant_type", "client_credentials"), ("grant_type", "client_credentials")],
            400,
            "invalid_request",
        ),
        (
            "unknown resource",
            Some((&id, &secret)),
            vec![("grant_type", "client_credentials"), ("resource", "https://api.example")],
            400,
            "invalid_target",
        ),
    ];
    for (what, auth, form, status, error) in cases {
        let tenant = if what.starts_with("another tenant") { "other" } else { "acme" };
        let (got, headers, body) = post(s, tenant, auth, &form).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{what}: {body}");
        assert_eq!(headers["cache-control"], "no-store", "{what}");
        assert!(body["error_description"].is_string());
        assert!(!body.to_string().contains(&secret), "{what}: the secret is not echoed");
        // RFC 6749 §5.2: a Basic challenge only to a client that tried the Authorization header.
        if status == 401 && auth.is_some() {
            assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic"), "{what}");
        } else {
            assert!(headers.get("www-authenticate").is_none(), "{what}");
        }
    }
    let json_body = s
        .http
        .post(s.url("/t/acme/token"))
        .basic_auth(&id, Some(&secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), 400);
    assert_eq!(json_body.json::<Value>().await.unwrap()["error"], "invalid_request");
    assert_eq!(s.http.get(s.url("/t/acme/token")).send().await.unwrap().status(), 405, "RFC 9700 §4.3.2: no GET");
    assert_eq!(s.http.post(s.url("/t/nobody/token")).form(&cc).send().await.unwrap().status(), 404);
    assert!(!s.logs().contains(&secret), "the client secret never reaches the logs");
}

async fn call(server: &Server, path: &str, auth: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    let res = server.http.post(server.url(path)).basic_auth(auth.0, Some(auth.1)).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    assert_eq!(res.headers()["cache-control"], "no-store");
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Introspection (RFC 7662) and revocation (RFC 7009) are tried on: a token of `svc`, a second
/// client of the same tenant, and a client with the same id in tenant `other`. (The tests over
/// it were one story, `introspection_and_revocation_rfc7662_rfc7009`.)
struct Tokens {
    f: Fixture,
    id: String,
    secret: String,
    second: (&'static str, String),
    foreign_secret: String,
    token: String,
}

async fn tokens() -> Tokens {
    let (f, id, secret) = fixture().await;
    let s = &f.server;
    let admin = Admin::new(s, s.generated_admin_token());
    let second = admin
        .post("/tenants/acme/clients", json!({"client_id": "svc2", "name": "Other", "client_type": "confidential", "grant_types": ["client_credentials"], "scopes": ["x"]}), 201)
        .await;
    let second = ("svc2", second["client_secret"].as_str().unwrap().to_owned());
    let foreign = admin
        .post("/tenants/other/clients", json!({"client_id": "svc", "name": "Same id, other tenant", "client_type": "confidential", "grant_types": ["client_credentials"], "scopes": ["orders:read"]}), 201)
        .await;
    let foreign_secret = foreign["client_secret"].as_str().unwrap().to_owned();

    let (_, _, body) = post(s, "acme", Some((&id, &secret)), &[("grant_type", "client_credentials")]).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    Tokens { id, secret, second, foreign_secret, token, f }
}

/// Introspection answers the owning client only; nothing leaks to another client, another
/// tenant, or about garbage (RFC 7662 §2.2, S27, T01).
#[tokio::test]
async fn introspection_answers_only_the_client_the_token_was_issued_to_rfc7662_s27_t01() {
    let t = tokens().await;
    let (s, id, secret, second, token) = (&t.f.server, &t.id, &t.secret, &t.second, t.token.clone());
    let foreign_secret = t.foreign_secret.clone();
    let me = (id.as_str(), secret.as_str());
    let (status, v) =
        call(s, "/t/acme/introspect", me, &[("token", &token), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(status, 200);
    assert_eq!(v["active"], true, "a wrong hint does not hide the token (RFC 7662 §2.1)");
    assert_eq!(
        (v["client_id"].as_str(), v["sub"].as_str(), v["token_type"].as_str()),
        (Some("svc"), Some("svc"), Some("Bearer"))
    );
    assert_eq!(v["scope"], "orders:read orders:write");
    assert_eq!(v["iss"], s.url("/t/acme"));

    // Nothing leaks to another client, to another tenant, or about garbage (S27, T01).
    let inactive = json!({"active": false});
    assert_eq!(call(s, "/t/acme/introspect", (second.0, &second.1), &[("token", &token)]).await.1, inactive);
    let (_, _, other_body) =
        post(s, "other", Some(("svc", &foreign_secret)), &[("grant_type", "client_credentials")]).await;
    let other_token = other_body["access_token"].as_str().unwrap();
    assert_eq!(
        call(s, "/t/acme/introspect", me, &[("token", other_token)]).await.1,
        inactive,
        "same client id, other tenant"
    );
    let mut tampered = token.clone();
    tampered.push('A');
    for bad in ["garbage", "a.b.c", tampered.as_str()] {
        assert_eq!(call(s, "/t/acme/introspect", me, &[("token", bad)]).await.1, inactive, "{bad}");
    }
    assert_eq!(
        call(s, "/t/acme/introspect", me, &[]).await,
        (400, json!({"error": "invalid_request", "error_description": "missing parameter token"}))
    );
    let anonymous = s.http.post(s.url("/t/acme/introspect")).form(&[("token", &token)]).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "introspection requires client authentication");
}

/// Revocation needs client authentication, is answered 200 whatever the token, and takes effect
/// at once for the owning client only (RFC 7009 §2.1, §2.2).
#[tokio::test]
async fn revocation_ends_a_token_at_once_for_its_own_client_only_rfc7009_2() {
    let t = tokens().await;
    let (s, second, token) = (&t.f.server, &t.second, t.token.clone());
    let me = (t.id.as_str(), t.secret.as_str());
    let inactive = json!({"active": false});
    // Revocation: another client's attempt has no effect but is answered 200 (RFC 7009 §2.1, §2.2).
    assert_eq!(call(s, "/t/acme/revoke", (second.0, &second.1), &[("token", &token)]).await.0, 200);
    assert_eq!(call(s, "/t/acme/introspect", me, &[("token", &token)]).await.1["active"], true);
    assert_eq!(call(s, "/t/acme/revoke", me, &[("token", &token)]).await.0, 200);
    assert_eq!(call(s, "/t/acme/introspect", me, &[("token", &token)]).await.1, inactive, "revoked at once");
    assert_eq!(call(s, "/t/acme/revoke", me, &[("token", &token)]).await.0, 200, "revoking twice is fine");
    assert_eq!(call(s, "/t/acme/revoke", me, &[("token", "garbage")]).await.0, 200, "invalid tokens are not an error");
    let anonymous = s.http.post(s.url("/t/acme/revoke")).form(&[("token", &token)]).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// `private_key_jwt` (RFC 7523; standards C35, C36, S19, S23): the client signs an assertion with
/// its own key, registered as a public JWK Set.
#[tokio::test]
async fn private_key_jwt_client_authentication() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let dir = TempDir::new("pkjwt");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    // The client's key pair (generated here; the server only ever sees the public half).
    let (key, pkcs8) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
    let (other, other_pkcs8) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
    let _ = other;
    let jwk = key.public_jwk().as_json().clone();
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "agent-1", "name": "Agent", "client_type": "confidential", "token_endpoint_auth_method": "private_key_jwt",
                   "grant_types": ["client_credentials"], "scopes": ["jobs:run"], "jwks": {"keys": [jwk]}}),
            201,
        )
        .await;
    let issuer = server.url("/t/acme");
    let token_endpoint = format!("{issuer}/token");
    let now = std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_secs() as i64;
    let sign = |claims: Value, der: &[u8], typ: Option<&str>| {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(key.kid().to_owned());
        h.typ = typ.map(str::to_owned);
        jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(der)).unwrap()
    };
    let claims = |aud: &str, exp: i64, jti: &str| json!({"iss": "agent-1", "sub": "agent-1", "aud": aud, "exp": exp, "iat": now, "jti": jti});
    let send = |assertion: String| {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion", assertion),
        ];
        server.http.post(&token_endpoint).form(&form).send()
    };

    let good = sign(claims(&token_endpoint, now + 60, "j1"), &pkcs8, Some("JWT"));
    let res = send(good.clone()).await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let replay = send(good).await.unwrap();
    assert_eq!(replay.status(), 401, "a jti is single use (RFC 7523 §3)");
    let res = send(sign(claims(&issuer, now + 60, "j2"), &pkcs8, None)).await.unwrap();
    assert_eq!(res.status(), 200, "the issuer is an accepted audience (C35)");

    for (what, assertion) in [
        ("wrong audience", sign(claims("https://elsewhere.example/token", now + 60, "j3"), &pkcs8, None)),
        ("expired", sign(claims(&token_endpoint, now - 300, "j4"), &pkcs8, None)),
        ("too long-lived", sign(claims(&token_endpoint, now + 3600, "j5"), &pkcs8, None)),
        ("signed by another key", sign(claims(&token_endpoint, now + 60, "j6"), &other_pkcs8, None)),
        ("a DPoP proof is not an assertion", sign(claims(&token_endpoint, now + 60, "j7"), &pkcs8, Some("dpop+jwt"))),
        ("not a JWT", "not.a.jwt".to_owned()),
    ] {
        let res = send(assertion).await.unwrap();
        assert_eq!(res.status(), 401, "{what}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client", "{what}");
    }
    let mut no_sub = claims(&token_endpoint, now + 60, "j8");
    no_sub.as_object_mut().unwrap().remove("sub");
    assert_eq!(send(sign(no_sub, &pkcs8, None)).await.unwrap().status(), 401, "sub is required (C36)");
    let meta: Value = server
        .http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(meta["token_endpoint_auth_methods_supported"].as_array().unwrap().contains(&json!("private_key_jwt")));
}

/// `private_key_jwt` with keys published at the client's `jwks_uri`, fetched by the server and
/// refetched when the client rotates to a new key (standards C35).
#[tokio::test]
async fn private_key_jwt_with_a_jwks_uri_and_key_rotation() {
    use std::sync::{Arc, Mutex};

    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    // The client's own JWKS endpoint.
    let (first, first_der) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
    let (second, second_der) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
    let published = Arc::new(Mutex::new(json!({"keys": [first.public_jwk().as_json()]})));
    let served = published.clone();
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let jwks = served.lock().unwrap().clone();
            async move { axum::Json(jwks) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_uri = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = TempDir::new("jwks-uri");
    let opts = ServerOptions {
        env: vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "agent-2", "name": "Agent", "client_type": "confidential", "token_endpoint_auth_method": "private_key_jwt",
                   "grant_types": ["client_credentials"], "scopes": ["jobs:run"], "jwks_uri": jwks_uri}),
            201,
        )
        .await;
    let token_endpoint = server.url("/t/acme/token");
    let now = std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_secs() as i64;
    let assertion = |key: &ciam_jose::SigningKey, der: &[u8], jti: &str| {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(key.kid().to_owned());
        let claims =
            json!({"iss": "agent-2", "sub": "agent-2", "aud": token_endpoint, "exp": now + 60, "iat": now, "jti": jti});
        jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(der)).unwrap()
    };
    let send = |assertion: String| {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion", assertion),
        ];
        server.http.post(&token_endpoint).form(&form).send()
    };
    assert_eq!(send(assertion(&first, &first_der, "a1")).await.unwrap().status(), 200);
    // The client rotates: the server sees an unknown kid and fetches the key set again.
    *published.lock().unwrap() = json!({"keys": [second.public_jwk().as_json()]});
    // Refetches are rate-limited to one a second per URI.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        send(assertion(&second, &second_der, "a2")).await.unwrap().status(),
        200,
        "new kid accepted after refetch"
    );
}

/// Opaque access tokens per client: not a JWT, checked through introspection, revocable.
#[tokio::test]
async fn opaque_access_tokens_are_checked_by_introspection() {
    let dir = TempDir::new("opaque");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let c = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "svc", "name": "Service", "client_type": "confidential", "grant_types": ["client_credentials"],
                   "scopes": ["orders:read"], "opaque_access_tokens": true}),
            201,
        )
        .await;
    let secret = c["client_secret"].as_str().unwrap().to_owned();
    let (status, _, body) =
        post(&server, "acme", Some(("svc", &secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(!token.contains('.'), "opaque, not a JWT");
    assert!(token.len() >= 43, "256 bits");
    let (_, v) = call(&server, "/t/acme/introspect", ("svc", &secret), &[("token", &token)]).await;
    assert_eq!(
        (v["active"].as_bool(), v["scope"].as_str(), v["client_id"].as_str()),
        (Some(true), Some("orders:read"), Some("svc"))
    );
    assert_eq!(call(&server, "/t/acme/revoke", ("svc", &secret), &[("token", &token)]).await.0, 200);
    assert_eq!(
        call(&server, "/t/acme/introspect", ("svc", &secret), &[("token", &token)]).await.1,
        json!({"active": false})
    );
    assert_eq!(
        call(&server, "/t/acme/introspect", ("svc", &secret), &[("token", "not-a-token")]).await.1,
        json!({"active": false})
    );
}

/// Two `Authorization` or two `Content-Type` headers: whichever one the server read, a proxy in
/// front may have read the other. Every endpoint that reads them refuses the request with
/// `invalid_request` (RFC 6749 §5.2; RFC 6750 §3.1 at protected resources), whichever comes
/// first.
#[tokio::test]
async fn repeated_authorization_or_content_type_headers_are_refused_with_invalid_request() {
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
    let (f, id, secret) = fixture().await;
    let s = &f.server;
    let basic = |id: &str, secret: &str| {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        HeaderValue::from_str(&format!("Basic {raw}")).unwrap()
    };
    let (good, wrong) = (basic(&id, &secret), basic(&id, "not-the-secret"));
    let form = [("grant_type", "client_credentials")];
    let send = |path: &str, auths: Vec<HeaderValue>, types: Vec<&'static str>| {
        let mut req = s.http.post(s.url(path)).body("grant_type=client_credentials&token=x");
        for a in auths {
            req = req.header(AUTHORIZATION, a);
        }
        for t in types {
            req = req.header(CONTENT_TYPE, t);
        }
        req.send()
    };
    let refused = |res: reqwest::Response, what: String| async move {
        assert_eq!(res.status(), 400, "{what}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{what}: {body}");
        body
    };
    const FORM: &str = "application/x-www-form-urlencoded";

    // One of each: a token.
    let res = send("/t/acme/token", vec![good.clone()], vec![FORM]).await.unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(post(s, "acme", Some((&id, &secret)), &form).await.0, 200);

    // The valid credentials first, then wrong ones (and the other way round): refused.
    for path in ["/t/acme/token", "/t/acme/introspect", "/t/acme/revoke", "/t/acme/par", "/t/acme/device_authorization"]
    {
        for auths in [vec![good.clone(), wrong.clone()], vec![wrong.clone(), good.clone()]] {
            let res = send(path, auths, vec![FORM]).await.unwrap();
            let body = refused(res, format!("two Authorization headers at {path}")).await;
            assert!(body["error_description"].as_str().unwrap().contains("Authorization"), "{body}");
        }
        let res = send(path, vec![good.clone()], vec![FORM, "application/json"]).await.unwrap();
        let body = refused(res, format!("two Content-Type headers at {path}")).await;
        assert!(body["error_description"].as_str().unwrap().contains("Content-Type"), "{body}");
    }
    // Dynamic registration reads both too.
    let res = send("/t/acme/register", vec![good.clone(), wrong.clone()], vec!["application/json"]).await.unwrap();
    refused(res, "two Authorization headers at /register".into()).await;

    // The server's protected resources: 400 with a Bearer challenge (RFC 6750 §3.1).
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    for path in ["/t/acme/userinfo", "/t/acme/account/delegations"] {
        let res = s
            .http
            .get(s.url(path))
            .header(AUTHORIZATION, bearer.clone())
            .header(AUTHORIZATION, HeaderValue::from_static("Bearer forged"))
            .send()
            .await
            .unwrap();
        let challenge = res.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert_eq!(challenge, "Bearer error=\"invalid_request\"", "{path}");
        refused(res, format!("two Authorization headers at {path}")).await;
    }
    // The token itself was never in doubt.
    let (status, v) = call(s, "/t/acme/introspect", (&id, &secret), &[("token", &token)]).await;
    assert_eq!((status, v["active"].as_bool()), (200, Some(true)));
}
