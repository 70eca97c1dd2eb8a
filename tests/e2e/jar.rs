//! Signed requests (JAR, RFC 9101) and signed responses (JARM) through the whole code flow on a
//! real server: a client pushes a signed request object, Ada signs in and consents, the client
//! receives its code inside a response JWT it verifies with the published keys, and redeems it.

use ciam_testkit::{Admin, AgentKey, Browser, CALLBACK, Server, ServerOptions, TempDir, World, hidden};
use serde_json::{Value, json};

use crate::BIN;

/// Verifies a signed authorization response with the tenant's published keys: `iss`, `aud` (the
/// client), a short `exp`. Returns its claims.
async fn verified_response(server: &Server, issuer: &str, jwt: &str) -> serde_json::Map<String, Value> {
    let jwks: Value = server.get_json("/t/acme/jwks").await;
    let keys: Vec<ciam_jose::PublicJwk> =
        jwks["keys"].as_array().unwrap().iter().map(|k| ciam_jose::PublicJwk::from_value(k.clone()).unwrap()).collect();
    let now = ciam_testkit::unix_now();
    let expect = ciam_jose::Expect {
        typ: "JWT",
        algs: &[ciam_jose::Alg::RS256],
        issuer,
        audience: Some("signer"),
        now: time::OffsetDateTime::from_unix_timestamp(now).unwrap(),
        exp_leeway: 0,
        skew: 5,
    };
    let claims = ciam_jose::verify(jwt, &keys, &expect).unwrap().claims;
    let exp = claims["exp"].as_i64().unwrap();
    assert!(exp > now && exp <= now + 600, "a short exp (JARM §2.1)");
    claims
}

#[tokio::test]
async fn a_signed_pushed_request_gets_a_signed_code_response_rfc9101_jarm() {
    let dir = TempDir::new("jar-flow");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let (key, jwks) = AgentKey::new("signer");
    let world = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "signer", "name": "Signer", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "jwks": jwks, "require_signed_request_object": true}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let secret = world.secret("signer");
    let meta: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    let issuer = meta["issuer"].as_str().unwrap().to_owned();

    // The client pushes a signed request object asking for a signed response.
    let object = key.request_object(
        &issuer,
        &json!({"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "jar-state",
                "nonce": "jar-nonce", "response_mode": "jwt"}),
    );
    let res = server
        .http
        .post(server.url("/t/acme/par"))
        .basic_auth("signer", Some(&secret))
        .form(&[("request", object.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let request_uri = res.json::<Value>().await.unwrap()["request_uri"].as_str().unwrap().to_owned();

    // Ada signs in and allows; the callback receives one signed `response`.
    let browser = Browser::new(&server);
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let start = format!("/t/acme/authorize?client_id=signer&request_uri={}", enc(&request_uri));
    let (_, callback) = browser.authorize(&start, "allow").await;
    let params: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    assert_eq!(params.len(), 1, "only the response parameter: {params:?}");
    assert_eq!(params[0].0, "response");
    let claims = verified_response(&server, &issuer, &params[0].1).await;
    assert_eq!(claims["state"], "jar-state");
    assert_eq!(claims["iss"], issuer.as_str());
    let code = claims["code"].as_str().unwrap().to_owned();

    // The code inside redeems as any code.
    let tokens: Value = server
        .http
        .post(server.url("/t/acme/token"))
        .basic_auth("signer", Some(&secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CALLBACK)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["access_token"].is_string(), "{tokens}");
    assert_eq!(crate::claims(tokens["id_token"].as_str().unwrap())["nonce"], "jar-nonce");

    // By value with form_post.jwt: the signed-in, consented browser gets the posting page at once.
    let object = key.request_object(
        &issuer,
        &json!({"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "by-value",
                "response_mode": "form_post.jwt"}),
    );
    let res = browser.get(&format!("/t/acme/authorize?client_id=signer&request={object}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(!html.contains("name=\"code\""), "nothing in the clear");
    let claims = verified_response(&server, &issuer, &hidden(&html, "response")).await;
    assert_eq!(claims["state"], "by-value");
    assert!(claims["code"].is_string());

    // The same client's plain request is refused: it registered require_signed_request_object.
    let plain = ciam_testkit::authorize_url("signer", "openid").state("plain").build();
    let p = browser.answer_for(&plain).await;
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("invalid_request", "plain"));
}
