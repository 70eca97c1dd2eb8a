//! Upstream sign-in with the presets that are not plain OpenID Connect (GitHub's OAuth 2.0 and
//! user APIs; Sign in with Apple's `form_post`, signed client secret and first-sign-in name) and
//! the upstream answers ciam must refuse (`alg: none`, a key not in the JWK Set, another issuer
//! in the ID token or in the RFC 9207 `iss` parameter, a replayed nonce). The upstream here is a
//! stand-in served by the test on loopback, since the real ones cannot be reached from the test
//! machine; the happy path against an independent provider is `federation.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ciam_jose::{Alg, SigningKey};
use ciam_testkit::{Admin, Browser, CALLBACK, Server, ServerOptions, TempDir, World, authorize_url, hidden, location};
use serde_json::{Value, json};

use crate::BIN;

/// How the stand-in misbehaves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Honest,
    AlgNone,
    UnknownKey,
    OtherIssuer,
    OtherIssParameter,
    WrongNonce,
}

#[derive(Default)]
struct Seen {
    /// Per code: the nonce and the PKCE challenge of its authorization request.
    codes: HashMap<String, (String, String)>,
    /// The token requests' forms.
    token_forms: Vec<HashMap<String, String>>,
}

#[derive(Clone)]
struct Stand {
    base: String,
    mode: Arc<Mutex<Mode>>,
    key: Arc<SigningKey>,
    stranger: Arc<SigningKey>,
    /// Apple's public key of the developer's signing key, as Apple lists it (kid = key id).
    apple_jwks: Value,
    seen: Arc<Mutex<Seen>>,
}

const APPLE_KEY_ID: &str = "KEYID12345";
const APPLE_TEAM: &str = "TEAM123456";
/// What Apple posts as `user` at a first sign-in.
const APPLE_USER: &str = r#"{"name":{"firstName":"Ada","lastName":"Apple"},"email":"ada.apple@privaterelay.example"}"#;

/// An unsigned token (`alg: none`).
fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

async fn discovery(State(s): State<Stand>) -> axum::Json<Value> {
    let iss_param = *s.mode.lock().unwrap() == Mode::OtherIssParameter;
    axum::Json(json!({
        "issuer": s.base, "authorization_endpoint": format!("{}/authorize", s.base),
        "token_endpoint": format!("{}/token", s.base), "jwks_uri": format!("{}/jwks", s.base),
        "authorization_response_iss_parameter_supported": iss_param,
    }))
}

async fn jwks(State(s): State<Stand>) -> axum::Json<Value> {
    axum::Json(json!({"keys": [s.key.public_jwk().as_json()]}))
}

/// The authorization endpoint (and GitHub's): signs the person in at once and answers, by
/// redirect or, for `response_mode=form_post`, with the form a browser would post.
async fn authorize(State(s): State<Stand>, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = format!("code-{}", s.seen.lock().unwrap().codes.len());
    let nonce = q.get("nonce").cloned().unwrap_or_default();
    let challenge = q.get("code_challenge").cloned().unwrap_or_default();
    s.seen.lock().unwrap().codes.insert(code.clone(), (nonce, challenge));
    let state = q.get("state").cloned().unwrap_or_default();
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    if q.get("response_mode").map(String::as_str) == Some("form_post") {
        let html = format!(
            "<form method=\"post\" action=\"{redirect}\"><input type=\"hidden\" name=\"code\" value=\"{code}\">\
             <input type=\"hidden\" name=\"state\" value=\"{state}\"></form>"
        );
        return axum::response::Html(html).into_response();
    }
    let iss = if *s.mode.lock().unwrap() == Mode::OtherIssParameter {
        "https://evil.example".to_owned()
    } else {
        s.base.clone()
    };
    let to =
        url::Url::parse_with_params(&redirect, &[("code", code.as_str()), ("state", &state), ("iss", &iss)]).unwrap();
    Redirect::to(to.as_str()).into_response()
}

/// The token endpoint (and GitHub's): checks PKCE, records the form, mints the ID token the
/// mode asks for.
async fn token(State(s): State<Stand>, Form(form): Form<HashMap<String, String>>) -> Response {
    let (nonce, challenge) =
        s.seen.lock().unwrap().codes.get(form.get("code").map_or("", String::as_str)).cloned().unwrap_or_default();
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let expected = URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(verifier.as_bytes()));
    s.seen.lock().unwrap().token_forms.push(form.clone());
    if expected != challenge {
        return (axum::http::StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_grant"}))).into_response();
    }
    let mode = *s.mode.lock().unwrap();
    let now = ciam_core::Clock::now(&ciam_core::SystemClock).unix_timestamp();
    let client_id = form.get("client_id").cloned().unwrap_or_else(|| "ciam".into());
    let claims = json!({
        "iss": if mode == Mode::OtherIssuer { "https://evil.example".to_owned() } else { s.base.clone() },
        "aud": client_id, "sub": "up-1", "iat": now, "exp": now + 300,
        "nonce": if mode == Mode::WrongNonce { "not-the-nonce".to_owned() } else { nonce },
        "email": "ada.apple@privaterelay.example", "email_verified": "true", "amr": ["pwd", "mfa"],
    });
    let id_token = match mode {
        Mode::AlgNone => unsigned(&claims),
        Mode::UnknownKey => ciam_jose::mint(&s.stranger, "JWT", &claims).unwrap(),
        _ => ciam_jose::mint(&s.key, "JWT", &claims).unwrap(),
    };
    axum::Json(json!({"access_token": "at-1", "token_type": "Bearer", "id_token": id_token})).into_response()
}

async fn github_user(headers: axum::http::HeaderMap) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer at-1") {
        return axum::http::StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(json!({"id": 583231, "login": "octocat", "name": "The Octocat", "email": null,
                      "avatar_url": "https://avatars.example/u/583231"}))
    .into_response()
}

async fn github_emails() -> axum::Json<Value> {
    axum::Json(json!([
        {"email": "octocat@github.example", "verified": true, "primary": true, "visibility": "private"},
        {"email": "octo@old.example", "verified": false, "primary": false, "visibility": null},
    ]))
}

async fn stand_in() -> Stand {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
    let (stranger, _) = SigningKey::generate(Alg::ES256).unwrap();
    let stand = Stand {
        base,
        mode: Arc::new(Mutex::new(Mode::Honest)),
        key: Arc::new(key),
        stranger: Arc::new(stranger),
        apple_jwks: Value::Null,
        seen: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", axum::routing::get(discovery))
        .route("/jwks", axum::routing::get(jwks))
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .route("/login/oauth/authorize", axum::routing::get(authorize))
        .route("/login/oauth/access_token", axum::routing::post(token))
        .route("/api/v3/user", axum::routing::get(github_user))
        .route("/api/v3/user/emails", axum::routing::get(github_emails))
        .with_state(stand.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    stand
}

struct Fixture {
    server: Server,
    token: String,
    _data: TempDir,
}

async fn fixture(tag: &str) -> Fixture {
    let data = TempDir::new(tag);
    let opts = ServerOptions {
        env: vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &data.0, opts).await;
    let token = server.generated_admin_token();
    World::tenant("acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&Admin::new(&server, token.clone()))
        .await;
    Fixture { server, token, _data: data }
}

/// Adds the stand-in as the OpenID Connect provider `stand` (creating users), with `extra`
/// settings over those (`null` leaves one out).
async fn add_stand(admin: &Admin<'_>, stand: &Stand, extra: Value) {
    let mut body = json!({"id": "stand", "kind": "oidc", "display_name": "Stand-in", "issuer": stand.base,
                          "client_id": "ciam", "client_secret": "s", "create_users": true});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        match v {
            Value::Null => _ = body.as_object_mut().unwrap().remove(&k),
            v => body[k] = v,
        }
    }
    admin.post("/tenants/acme/identity-providers", body, 201).await;
}

/// Starts an upstream sign-in with provider `id` from a fresh authorization request; returns the
/// browser and the redirect to the upstream.
async fn start(f: &Fixture, id: &str) -> (Browser, reqwest::Response) {
    start_with(f, id, "").await
}

/// [`start`] with `extra` authorization parameters.
async fn start_with(f: &Fixture, id: &str, extra: &str) -> (Browser, reqwest::Response) {
    let b = Browser::new(&f.server);
    let res = b.get(&authorize_url("web", "openid").nonce("n").extra(extra).build()).await;
    let html = b.get(&location(&res)).await.text().await.unwrap();
    let res = b
        .post(
            "/t/acme/login/upstream",
            &[("flow", &hidden(&html, "flow")), ("csrf", &hidden(&html, "csrf")), ("provider", id)],
        )
        .await;
    assert_eq!(res.status(), 303, "to the upstream");
    (b, res)
}

/// Goes to the upstream and back to ciam's callback; returns ciam's answer.
async fn round_trip(b: &Browser, to_upstream: reqwest::Response) -> reqwest::Response {
    let back = b.get(&location(&to_upstream)).await;
    assert_eq!(back.status(), 303, "the stand-in answers at once");
    b.get(&location(&back)).await
}

#[tokio::test]
async fn upstream_answers_that_must_be_refused_are_refused() {
    let f = fixture("fed-refusals").await;
    let stand = stand_in().await;
    let admin = Admin::new(&f.server, f.token.clone());
    add_stand(&admin, &stand, json!({})).await;
    let cases = [
        (Mode::AlgNone, "malformed token"),
        (Mode::UnknownKey, "unknown signing key"),
        (Mode::OtherIssuer, "issuer is not the provider's"),
        (Mode::OtherIssParameter, "RFC 9207"),
        (Mode::WrongNonce, "nonce does not match"),
    ];
    for (mode, why) in cases {
        *stand.mode.lock().unwrap() = mode;
        let (b, to) = start(&f, "stand").await;
        let res = round_trip(&b, to).await;
        assert_eq!(res.status(), 502, "{mode:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("did not work"), "{mode:?}: {page}");
        let logs = f.server.logs();
        let line = logs.lines().rev().find(|l| l.contains("upstream sign-in failed")).unwrap_or_default();
        assert!(line.contains(why), "{mode:?}: {why} in {line}");
    }
    let users = admin.get("/tenants/acme/users", 200).await.to_string();
    assert!(!users.contains("privaterelay"), "no user was made from a refused answer: {users}");
    let trail = admin.get("/tenants/acme/audit?type=sign_in.upstream_failed", 200).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 5, "each refusal is in the trail: {trail}");
    let logs = f.server.logs();
    assert!(!logs.contains("code-0") && !logs.contains("at-1"), "no code or token in the log");
    // An honest answer after all that signs in.
    *stand.mode.lock().unwrap() = Mode::Honest;
    let (b, to) = start(&f, "stand").await;
    let res = round_trip(&b, to).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
}

#[tokio::test]
async fn the_upstream_s_mfa_counts_only_where_the_tenant_trusts_it() {
    let f = fixture("fed-mfa").await;
    let stand = stand_in().await;
    let admin = Admin::new(&f.server, f.token.clone());
    add_stand(&admin, &stand, json!({"trust_mfa": true})).await;
    // The application asks for multi-factor authentication; the upstream says it did it.
    let asks_mfa = "&acr_values=urn%3Aciam%3Aacr%3Amfa";
    let (b, to) = start_with(&f, "stand", asks_mfa).await;
    let res = round_trip(&b, to).await;
    let next = location(&res);
    assert!(next.contains("/authorize/resume") || next.contains("/consent"), "trusted: no step-up: {next}");
    let answer = b.to_callback(res).await;
    assert!(answer.contains_key("code"), "{answer:?}");
    // Not trusted: the same answer must be topped up by a factor of the user's own (who has
    // none here), so no code is issued at the level asked for.
    let (status, _) = admin
        .call(reqwest::Method::PATCH, "/tenants/acme/identity-providers/stand", Some(json!({"trust_mfa": false})))
        .await;
    assert_eq!(status, 200);
    let (b, to) = start_with(&f, "stand", asks_mfa).await;
    let res = round_trip(&b, to).await;
    let mut next = location(&res);
    while next.starts_with('/') && !next.contains("/mfa") {
        next = location(&b.get(&next).await);
    }
    assert!(next.contains("/mfa") || next.contains("error=unmet_authentication_requirements"), "{next}");
}

#[tokio::test]
async fn github_signs_in_by_account_id_with_the_verified_primary_address() {
    let f = fixture("fed-github").await;
    let stand = stand_in().await;
    let admin = Admin::new(&f.server, f.token.clone());
    admin
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "github", "kind": "github", "display_name": "GitHub", "issuer": stand.base,
                   "client_id": "gh-client", "client_secret": "gh-secret", "client_auth": "client_secret_post",
                   "create_users": true}),
            201,
        )
        .await;
    let (b, to) = start(&f, "github").await;
    let sent: HashMap<_, _> = url::Url::parse(&location(&to)).unwrap().query_pairs().into_owned().collect();
    assert!(location(&to).starts_with(&format!("{}/login/oauth/authorize?", stand.base)));
    assert_eq!(sent["scope"], "read:user user:email");
    let res = round_trip(&b, to).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    let users = admin.get("/tenants/acme/users", 200).await;
    let octo = users["items"].as_array().unwrap().iter().find(|u| u["email"] == "octocat@github.example").cloned();
    let octo = octo.unwrap_or_else(|| panic!("{users}"));
    assert_eq!(octo["email_verified"], true);
    assert_eq!(octo["nickname"], "octocat");
    let links = admin.get(&format!("/tenants/acme/users/{}/identities", octo["id"].as_str().unwrap()), 200).await;
    assert_eq!(links[0]["subject"], "583231", "the numeric id, not the login: {links}");
    let form = stand.seen.lock().unwrap().token_forms[0].clone();
    assert_eq!(form.get("client_secret").map(String::as_str), Some("gh-secret"), "{form:?}");
}

#[tokio::test]
async fn apple_posts_its_answer_and_gets_a_signed_client_secret() {
    let f = fixture("fed-apple").await;
    let mut stand = stand_in().await;
    let (apple_key, der) = SigningKey::generate(Alg::ES256).unwrap();
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", STANDARD.encode(der));
    let mut public = apple_key.public_jwk().as_json().clone();
    public.insert("kid".into(), json!(APPLE_KEY_ID));
    stand.apple_jwks = json!({"keys": [public]});
    let admin = Admin::new(&f.server, f.token.clone());
    // Apple needs its key: a secret that is not one is refused, by name.
    let (status, problem) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/identity-providers",
            Some(json!({"id": "apple", "kind": "apple", "display_name": "Apple", "issuer": stand.base,
                        "client_id": "com.example.web", "client_secret": "not a key",
                        "apple_team_id": APPLE_TEAM, "apple_key_id": APPLE_KEY_ID})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "client_secret", "{problem}");
    admin
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "apple", "kind": "apple", "display_name": "Apple", "issuer": stand.base,
                   "client_id": "com.example.web", "client_secret": pem, "create_users": true,
                   "apple_team_id": APPLE_TEAM, "apple_key_id": APPLE_KEY_ID}),
            201,
        )
        .await;
    let (b, to) = start(&f, "apple").await;
    assert!(location(&to).contains("response_mode=form_post"), "{}", location(&to));
    // Apple's page posts the answer to the callback (cross-site: the flow cookie is not sent
    // with it, so ciam keeps the answer and continues on a same-site GET).
    let page = b.get(&location(&to)).await.text().await.unwrap();
    let action = f.server.url("/t/acme/upstream/callback");
    let fields = [("code", hidden(&page, "code")), ("state", hidden(&page, "state")), ("user", APPLE_USER.to_owned())];
    let posted = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = posted.post(&action).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.contains("answer=posted") && !back.contains("code="), "the code stays out of the URL: {back}");
    let res = b.get(&back).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    assert_eq!(b.get(&back).await.status(), 400, "the kept answer is used once");

    // The client secret was a JWT Apple can check: ES256 under the key id, from the team.
    let form = stand.seen.lock().unwrap().token_forms[0].clone();
    let secret = form.get("client_secret").cloned().unwrap_or_default();
    let header = jsonwebtoken::decode_header(&secret).unwrap();
    assert_eq!(header.kid.as_deref(), Some(APPLE_KEY_ID));
    let claims =
        ciam_jose::jwt::verify_with_jwk_set(&secret, &stand.apple_jwks, &[jsonwebtoken::Algorithm::ES256], &[])
            .unwrap();
    assert_eq!(claims["iss"], APPLE_TEAM);
    assert_eq!(claims["sub"], "com.example.web");
    assert_eq!(claims["aud"], stand.base.as_str());
    // The name came once, with the first sign-in.
    let users = admin.get("/tenants/acme/users", 200).await;
    let ada =
        users["items"].as_array().unwrap().iter().find(|u| u["email"] == "ada.apple@privaterelay.example").cloned();
    let ada = ada.unwrap_or_else(|| panic!("{users}"));
    assert_eq!(ada["name"], "Ada Apple", "{ada}");
    assert_eq!(ada["email_verified"], true, "Apple's \"true\" string counts: {ada}");
}

#[tokio::test]
async fn private_key_jwt_authenticates_ciam_with_the_tenant_s_published_key() {
    let f = fixture("fed-pkjwt").await;
    let stand = stand_in().await;
    let admin = Admin::new(&f.server, f.token.clone());
    add_stand(&admin, &stand, json!({"client_auth": "private_key_jwt", "client_secret": null})).await;
    let (b, to) = start(&f, "stand").await;
    assert_eq!(round_trip(&b, to).await.status(), 303, "{}", f.server.logs());
    let form = stand.seen.lock().unwrap().token_forms[0].clone();
    assert_eq!(
        form.get("client_assertion_type").map(String::as_str),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert!(!form.contains_key("client_secret"), "{form:?}");
    // The upstream checks the assertion with the tenant's JWK Set, as RFC 7523 has it.
    let jwks: Value = f.server.get_json("/t/acme/jwks").await;
    let assertion = form.get("client_assertion").cloned().unwrap_or_default();
    let claims =
        ciam_jose::jwt::verify_with_jwk_set(&assertion, &jwks, &[jsonwebtoken::Algorithm::RS256], &[]).unwrap();
    assert_eq!((&claims["iss"], &claims["sub"]), (&json!("ciam"), &json!("ciam")));
    assert_eq!(claims["aud"], format!("{}/token", stand.base));
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16), "{claims:?}");
}
