//! Signed request objects (JAR, RFC 9101) at the PAR and authorization endpoints, and signed
//! authorization responses (JARM) for `response_mode=jwt` and its variants.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciam_testkit::{AgentKey, CALLBACK, authorize_url, unix_now};
use serde_json::{Value, json};

use crate::harness::{Answer, Harness, assert_oauth_error, basic, enc};

const ISSUER: &str = "http://ciam.test/t/acme";

/// Tenant `acme` with `signer` (registers a key, may send plain requests), `strict` (must sign
/// its requests, RFC 9101 §10.5), `ecdsa` (ES256 signed responses) and `web` (no keys).
struct Fixture {
    h: Harness,
    key: AgentKey,
    strict_key: AgentKey,
    secrets: std::collections::HashMap<String, String>,
}

async fn fixture() -> Fixture {
    let h = Harness::new().await;
    let (key, jwks) = AgentKey::new("signer");
    let (strict_key, strict_jwks) = AgentKey::new("strict");
    let created = ciam_testkit::World::tenant("acme")
        .named("Acme")
        .client(json!({"client_id": "signer", "name": "Signer", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "scopes": ["openid", "profile"], "jwks": jwks}))
        .client(json!({"client_id": "strict", "name": "Strict", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "jwks": strict_jwks, "require_signed_request_object": true}))
        .client(json!({"client_id": "ecdsa", "name": "ECDSA", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "authorization_signed_response_alg": "ES256"}))
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                       "redirect_uris": [CALLBACK]}))
        .create(&h)
        .await;
    Fixture { h, key, strict_key, secrets: created.secrets }
}

impl Fixture {
    async fn par(&self, client: &str, pairs: &[(&str, &str)]) -> Answer {
        let auth = basic(client, &self.secrets[client]);
        self.h.post_form("/t/acme/par", pairs, &[("authorization", &auth)]).await
    }
}

/// The parameters an object carries: a `prompt=none` request, so that without a session the
/// answer is an immediate `login_required` redirect carrying the object's `state`.
fn inner() -> Value {
    json!({"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "inner",
           "prompt": "none"})
}

#[track_caller]
fn assert_page_says(answer: &Answer, code: &str) {
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert!(answer.header("location").is_none(), "never a redirect");
    assert!(answer.text().contains(code), "{code}: {}", answer.text());
}

/// RFC 9101 §6.3: only the object's parameters count; the outer ones (but `client_id`) are
/// ignored, so the answer carries the object's `state` and honours its `prompt`.
#[tokio::test]
async fn a_request_object_by_value_is_used_and_outer_parameters_ignored_rfc9101_6_3() {
    let f = fixture().await;
    let jwt = f.key.request_object(ISSUER, &inner());
    let path = format!(
        "/t/acme/authorize?client_id=signer&request={jwt}&state=outer&scope=nonsense&response_type=token&redirect_uri={}",
        enc("https://evil.example/cb")
    );
    let answer = f.h.get(&path, &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.text());
    assert!(answer.location().starts_with(CALLBACK));
    let p = answer.redirect_params();
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("login_required", "inner"), "{p:?}");
    // Without prompt=none the request goes on to the login page.
    let mut interactive = inner();
    interactive["prompt"] = Value::Null;
    let jwt = f.key.request_object(ISSUER, &interactive);
    let answer = f.h.get(&format!("/t/acme/authorize?client_id=signer&request={jwt}"), &[]).await;
    assert_eq!(answer.status, 303);
    assert!(answer.location().contains("/t/acme/login?flow="), "{}", answer.location());
    // Also as a form POST.
    let answer =
        f.h.post_form(
            "/t/acme/authorize",
            &[("client_id", "signer"), ("request", &f.key.request_object(ISSUER, &inner()))],
            &[],
        )
        .await;
    assert_eq!(answer.redirect_params()["state"], "inner");
}

/// Every broken object is refused with `invalid_request_object`: as a page at the authorization
/// endpoint (its redirect URI is inside it, unverified), as JSON at PAR.
#[tokio::test]
async fn broken_request_objects_are_invalid_request_object_rfc9101_6_3() {
    let f = fixture().await;
    let now = unix_now();
    let good = f.key.request_object(ISSUER, &inner());
    let with = |extra: Value| {
        let mut claims = json!({"iss": "signer", "aud": ISSUER, "client_id": "signer", "iat": now, "nbf": now,
                                "exp": now + 300});
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        for (k, v) in inner().as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = {
        let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["scope"] = json!("openid profile");
        format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2])
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "oauth-authz-req+jwt"}).to_string()),
        parts[1]
    );
    let (stranger, _) = AgentKey::new("signer");
    let cases: Vec<(&str, String)> = vec![
        ("tampered", tampered),
        ("alg none", unsigned),
        ("unknown key", stranger.request_object(ISSUER, &inner())),
        ("wrong aud", f.key.request_object("https://other.example", &inner())),
        ("aud is the token endpoint", f.key.request_object(&format!("{ISSUER}/token"), &inner())),
        ("expired", f.key.sign(Some("oauth-authz-req+jwt"), &with(json!({"exp": now - 1})))),
        ("wrong iss", f.key.sign(Some("oauth-authz-req+jwt"), &with(json!({"iss": "web"})))),
        ("another client_id inside", f.key.sign(Some("JWT"), &with(json!({"client_id": "web"})))),
        ("no nbf", f.key.sign(Some("oauth-authz-req+jwt"), &with(json!({"nbf": null})))),
        ("too long", f.key.sign(Some("oauth-authz-req+jwt"), &with(json!({"exp": now + 3700})))),
        ("a DPoP proof's typ", f.key.sign(Some("dpop+jwt"), &with(json!({})))),
        ("nested request_uri", f.key.sign(None, &with(json!({"request_uri": "urn:ietf:params:oauth:request_uri:x"})))),
        ("smuggled marker", f.key.sign(None, &with(json!({"__par": "urn:ietf:params:oauth:request_uri:x"})))),
        ("not a JWT", "garbage".into()),
    ];
    for (why, jwt) in &cases {
        let answer = f.h.get(&format!("/t/acme/authorize?client_id=signer&request={jwt}"), &[]).await;
        assert_page_says(&answer, "invalid_request_object");
        let answer = f.par("signer", &[("request", jwt)]).await;
        assert_eq!(answer.json()["error"], "invalid_request_object", "{why}: {}", answer.text());
        assert_oauth_error(&answer, 400, "invalid_request_object");
    }
    // The object's client_id and the outer one must agree.
    let answer = f.par("signer", &[("request", &good), ("client_id", "web")]).await;
    assert_oauth_error(&answer, 400, "invalid_request");
    let answer = f.h.get(&format!("/t/acme/authorize?client_id=web&request={good}"), &[]).await;
    assert_page_says(&answer, "invalid_request_object");
    // A client without keys cannot sign.
    let answer = f.par("web", &[("request", &good)]).await;
    assert_oauth_error(&answer, 400, "invalid_request_object");
}

/// RFC 9126 §3 with RFC 9101: the pushed object's parameters are the request; the browser sends
/// only `client_id` and `request_uri`.
#[tokio::test]
async fn a_pushed_request_object_is_the_request_rfc9126_3() {
    let f = fixture().await;
    let jwt = f.key.request_object(ISSUER, &inner());
    // Outer authorization parameters beside the object are ignored.
    let answer = f.par("signer", &[("request", &jwt), ("state", "outer"), ("scope", "bogus")]).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let uri = answer.json()["request_uri"].as_str().unwrap().to_owned();
    let answer = f.h.get(&format!("/t/acme/authorize?client_id=signer&request_uri={}", enc(&uri)), &[]).await;
    let p = answer.redirect_params();
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("login_required", "inner"), "{p:?}");
}

/// RFC 9101 §6.2 without fetching: only our own pushed `request_uri`s are accepted; any other is
/// `request_uri_not_supported`, and `request` with `request_uri` is refused.
#[tokio::test]
async fn a_request_uri_not_from_par_is_never_fetched_rfc9101_6_2() {
    let f = fixture().await;
    for uri in ["https://signer.example/request.jwt", "urn:example:request"] {
        let answer = f.h.get(&format!("/t/acme/authorize?client_id=signer&request_uri={}", enc(uri)), &[]).await;
        assert_page_says(&answer, "request_uri_not_supported");
    }
    let jwt = f.key.request_object(ISSUER, &inner());
    let answer =
        f.h.get(
            &format!(
                "/t/acme/authorize?client_id=signer&request={jwt}&request_uri={}",
                enc("urn:ietf:params:oauth:request_uri:x")
            ),
            &[],
        )
        .await;
    assert_page_says(&answer, "invalid_request");
    assert_page_says(&f.h.get("/t/acme/authorize?client_id=signer&__jar=1", &[]).await, "Invalid");
}

/// RFC 9101 §10.5: a client registered with `require_signed_request_object` is refused a plain
/// request, pushed or not, and accepted with a signed one, pushed or by value.
#[tokio::test]
async fn require_signed_request_object_refuses_plain_requests_rfc9101_10_5() {
    let f = fixture().await;
    let plain = authorize_url("strict", "openid").state("plain").build();
    let answer = f.h.get(&plain, &[]).await;
    let p = answer.redirect_params();
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("invalid_request", "plain"), "{p:?}");
    let answer = f
        .par("strict", &[("response_type", "code"), ("redirect_uri", CALLBACK), ("scope", "openid"), ("state", "p")])
        .await;
    assert_oauth_error(&answer, 400, "invalid_request");

    let jwt = f.strict_key.request_object(ISSUER, &inner());
    let answer = f.h.get(&format!("/t/acme/authorize?client_id=strict&request={jwt}"), &[]).await;
    assert_eq!(answer.redirect_params()["error"], "login_required", "accepted, then prompt=none");
    let answer = f.par("strict", &[("request", &jwt)]).await;
    let uri = answer.json()["request_uri"].as_str().unwrap().to_owned();
    let answer = f.h.get(&format!("/t/acme/authorize?client_id=strict&request_uri={}", enc(&uri)), &[]).await;
    assert_eq!(answer.redirect_params()["error"], "login_required");
}

/// The tenant's published keys, as the JARM verifier trusts them.
async fn published_keys(h: &Harness) -> Vec<ciam_jose::PublicJwk> {
    let jwks = h.get("/t/acme/jwks", &[]).await.json();
    jwks["keys"].as_array().unwrap().iter().map(|k| ciam_jose::PublicJwk::from_value(k.clone()).unwrap()).collect()
}

/// Verifies a signed response for `client` with the published keys: `iss`, `aud`, a short
/// `exp`; returns its claims and `alg`.
async fn verified_response(h: &Harness, client: &str, jwt: &str) -> (serde_json::Map<String, Value>, String) {
    let now = unix_now();
    let expect = ciam_jose::Expect {
        typ: "JWT",
        algs: &[ciam_jose::Alg::RS256, ciam_jose::Alg::ES256],
        issuer: ISSUER,
        audience: Some(client),
        now: time::OffsetDateTime::from_unix_timestamp(now).unwrap(),
        exp_leeway: 0,
        skew: 5,
    };
    let claims = ciam_jose::verify(jwt, &published_keys(h).await, &expect).unwrap().claims;
    let exp = claims["exp"].as_i64().unwrap();
    assert!(exp > now && exp <= now + 600, "a short exp (JARM §2.1): {exp} vs {now}");
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    (claims, format!("{:?}", header.alg))
}

/// JARM: an error in `jwt` (`query.jwt`) mode is one `response` parameter, signed for the
/// client (RS256 by default, ES256 when it registered that).
#[tokio::test]
async fn jwt_mode_errors_are_one_signed_response_parameter_jarm_2_3() {
    let f = fixture().await;
    for (client, mode, alg) in [("web", "jwt", "RS256"), ("web", "query.jwt", "RS256"), ("ecdsa", "jwt", "ES256")] {
        let url = authorize_url(client, "openid").state("s-jwt").extra(&format!("&prompt=none&response_mode={mode}"));
        let answer = f.h.get(&url.build(), &[]).await;
        assert_eq!(answer.status, 303, "{}", answer.text());
        let p = answer.redirect_params();
        assert_eq!(p.keys().collect::<Vec<_>>(), ["response"], "nothing in the clear: {p:?}");
        let (claims, got_alg) = verified_response(&f.h, client, &p["response"]).await;
        assert_eq!(got_alg, alg, "{client}");
        assert_eq!(claims["error"], "login_required");
        assert_eq!(claims["state"], "s-jwt");
        assert!(claims["error_description"].is_string());
    }
    // An error found by validation (after the redirect URI is verified) is signed too.
    let url = authorize_url("web", "openid").state("v").extra("&response_mode=jwt&prompt=sometimes");
    let p = f.h.get(&url.build(), &[]).await.redirect_params();
    let (claims, _) = verified_response(&f.h, "web", &p["response"]).await;
    assert_eq!((claims["error"].as_str(), claims["state"].as_str()), (Some("invalid_request"), Some("v")));
    // A mode not offered is refused in the default mode, unsigned.
    let url = authorize_url("web", "openid").state("f").extra("&response_mode=fragment.jwt");
    let p = f.h.get(&url.build(), &[]).await.redirect_params();
    assert_eq!(p["error"], "invalid_request");
}

/// JARM `form_post.jwt`: an auto-posting form carrying only `response`.
#[tokio::test]
async fn form_post_jwt_posts_only_the_signed_response_jarm_2_3_3() {
    let f = fixture().await;
    let url = authorize_url("web", "openid").state("fpj").extra("&prompt=none&response_mode=form_post.jwt");
    let answer = f.h.get(&url.build(), &[]).await;
    assert_eq!(answer.status, 200);
    let html = answer.text();
    assert!(html.contains(&format!("action=\"{CALLBACK}\"")), "{html}");
    assert!(!html.contains("name=\"error\"") && !html.contains("name=\"state\""), "{html}");
    let jwt = ciam_testkit::hidden(&html, "response");
    let (claims, _) = verified_response(&f.h, "web", &jwt).await;
    assert_eq!((claims["error"].as_str(), claims["state"].as_str()), (Some("login_required"), Some("fpj")));
}

/// A `fapi2` client: its request objects must use PS256, ES256 or EdDSA (FAPI 2.0 §5.4.1, so an
/// RS256 object is refused even with a registered RS256 key), and its signed responses default
/// to ES256.
#[tokio::test]
async fn a_fapi2_clients_objects_and_responses_use_the_profiles_algorithms() {
    let h = Harness::new().await;
    let (key, jwks) = AgentKey::new("bank-app");
    let (rsa, _) = ciam_jose::SigningKey::generate(ciam_jose::Alg::RS256).unwrap();
    let mut keys = jwks["keys"].as_array().unwrap().clone();
    keys.push(Value::Object(rsa.public_jwk().as_json().clone()));
    ciam_testkit::World::tenant("acme")
        .named("Acme")
        .client(json!({"client_id": "bank-app", "name": "Bank", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "private_key_jwt",
                       "jwks": {"keys": keys}, "security_profile": "fapi2"}))
        .create(&h)
        .await;
    let params = json!({"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "fapi",
                        "prompt": "none", "response_mode": "jwt", "code_challenge": ciam_testkit::PKCE_CHALLENGE,
                        "code_challenge_method": "S256"});
    let push = |object: String| {
        let mut form: Vec<(&str, String)> = key.assertion(ISSUER);
        form.push(("request", object));
        form
    };
    let now = unix_now();
    let mut claims = json!({"iss": "bank-app", "aud": ISSUER, "client_id": "bank-app", "nbf": now, "exp": now + 300});
    for (k, v) in params.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let rs256 = ciam_jose::mint(&rsa, "oauth-authz-req+jwt", &claims).unwrap();
    let form = push(rs256);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = h.post_form("/t/acme/par", &pairs, &[]).await;
    assert_oauth_error(&answer, 400, "invalid_request_object");
    assert!(answer.json()["error_description"].as_str().unwrap().contains("algorithm"), "{}", answer.text());

    let form = push(key.request_object(ISSUER, &params));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = h.post_form("/t/acme/par", &pairs, &[]).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let uri = answer.json()["request_uri"].as_str().unwrap().to_owned();
    let answer = h.get(&format!("/t/acme/authorize?client_id=bank-app&request_uri={}", enc(&uri)), &[]).await;
    let p = answer.redirect_params();
    let (claims, alg) = verified_response(&h, "bank-app", &p["response"]).await;
    assert_eq!(alg, "ES256", "fapi2 responses are ES256 by default");
    assert_eq!((claims["error"].as_str(), claims["state"].as_str()), (Some("login_required"), Some("fapi")));
}
