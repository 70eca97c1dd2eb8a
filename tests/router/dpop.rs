//! DPoP (RFC 9449) and bearer (RFC 6750) challenges: proofs at the token endpoint, nonces, and
//! what a protected resource answers to a missing, bad or wrongly presented token.

use ciam_testkit::AgentKey;
use serde_json::json;

use crate::harness::{Answer, Harness, PUBLIC_URL, acme, assert_oauth_error, basic};

const TOKEN_URL: &str = "http://ciam.test/t/acme/token";
const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

/// A client-credentials token request by `svc` with `proofs` as DPoP headers.
async fn token_with(h: &Harness, secret: &str, proofs: &[&str]) -> Answer {
    let auth = basic("svc", secret);
    let mut headers = vec![("authorization", auth.as_str())];
    headers.extend(proofs.iter().map(|p| ("dpop", *p)));
    h.post_form("/t/acme/token", &CC, &headers).await
}

/// Asserts both challenges of a refused protected request (RFC 6750 §3, RFC 9449 §7.1).
#[track_caller]
fn assert_challenges(answer: &Answer, error: &str) {
    assert_eq!(answer.status, 401, "{}", answer.text());
    let challenges = answer.all("www-authenticate");
    assert!(challenges.contains(&format!("Bearer error=\"{error}\"")), "{challenges:?}");
    assert!(challenges.iter().any(|c| c.starts_with(&format!("DPoP error=\"{error}\", algs=\""))), "{challenges:?}");
    assert_eq!(answer.json()["error"], error);
}

#[tokio::test]
async fn a_valid_proof_binds_the_token_to_the_key_rfc9449_5() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (key, _) = AgentKey::new("svc");
    let answer = token_with(&h, &secret, &[&key.proof("POST", TOKEN_URL, None)]).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["token_type"], "DPoP");
    let claims = ciam_testkit::claims(answer.json()["access_token"].as_str().unwrap());
    assert_eq!(claims["cnf"]["jkt"], key.dpop_jkt.as_str(), "bound to the proof's key (RFC 9449 §6.1)");
}

#[tokio::test]
async fn a_malformed_proof_is_invalid_dpop_proof_rfc9449_4_3() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    assert_oauth_error(&token_with(&h, &secret, &["not-a-jwt"]).await, 400, "invalid_dpop_proof");
}

#[tokio::test]
async fn a_proof_for_another_method_or_url_is_invalid_dpop_proof_rfc9449_4_3() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (key, _) = AgentKey::new("svc");
    for proof in [key.proof("GET", TOKEN_URL, None), key.proof("POST", "http://ciam.test/t/other/token", None)] {
        assert_oauth_error(&token_with(&h, &secret, &[&proof]).await, 400, "invalid_dpop_proof");
    }
}

#[tokio::test]
async fn two_proofs_or_a_replayed_proof_are_invalid_dpop_proof_rfc9449_11_1() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (key, _) = AgentKey::new("svc");
    let (a, b) = (key.proof("POST", TOKEN_URL, None), key.proof("POST", TOKEN_URL, None));
    assert_oauth_error(&token_with(&h, &secret, &[&a, &b]).await, 400, "invalid_dpop_proof");
    assert_eq!(token_with(&h, &secret, &[&a]).await.status, 200);
    assert_oauth_error(&token_with(&h, &secret, &[&a]).await, 400, "invalid_dpop_proof");
}

/// Once the tenant requires nonces, a proof without the current one gets `use_dpop_nonce` and
/// the nonce to use in `DPoP-Nonce`; made-up nonces are refused; the server's own works.
#[tokio::test]
async fn a_tenant_requiring_nonces_answers_use_dpop_nonce_with_the_nonce_rfc9449_8() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let patch = json!({"settings": {"dpop_nonce_required": true}});
    assert_eq!(h.admin(axum::http::Method::PATCH, "/tenants/acme", Some(patch)).await.status, 200);
    let (key, _) = AgentKey::new("svc");
    let answer = token_with(&h, &secret, &[&key.proof("POST", TOKEN_URL, None)]).await;
    assert_oauth_error(&answer, 400, "use_dpop_nonce");
    let nonce = answer.header("dpop-nonce").expect("the nonce to use").to_owned();
    let made_up = key.proof_with_nonce("POST", TOKEN_URL, None, Some("made-up"));
    assert_oauth_error(&token_with(&h, &secret, &[&made_up]).await, 400, "use_dpop_nonce");
    let answer = token_with(&h, &secret, &[&key.proof_with_nonce("POST", TOKEN_URL, None, Some(&nonce))]).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
}

#[tokio::test]
async fn a_protected_resource_without_a_token_challenges_both_schemes_rfc6750_3() {
    let h = Harness::new().await;
    acme(&h).await;
    assert_challenges(&h.get("/t/acme/userinfo", &[]).await, "invalid_token");
    assert_challenges(&h.get("/t/acme/userinfo", &[("authorization", "Bearer garbage")]).await, "invalid_token");
}

/// A bound token presented as a bearer token is refused, so a stolen one is useless without the
/// key (RFC 9449 §7.2); so is an unbound token presented as DPoP.
#[tokio::test]
async fn a_token_presented_with_the_wrong_scheme_is_invalid_token_rfc9449_7_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (key, _) = AgentKey::new("svc");
    let bound = token_with(&h, &secret, &[&key.proof("POST", TOKEN_URL, None)]).await.json();
    let bound = bound["access_token"].as_str().unwrap();
    let answer = h.get("/t/acme/userinfo", &[("authorization", &format!("Bearer {bound}"))]).await;
    assert_challenges(&answer, "invalid_token");
    let unbound = token_with(&h, &secret, &[]).await.json();
    let unbound = unbound["access_token"].as_str().unwrap();
    let proof = key.proof("GET", &format!("{PUBLIC_URL}/t/acme/userinfo"), Some(unbound));
    let answer = h.get("/t/acme/userinfo", &[("authorization", &format!("DPoP {unbound}")), ("dpop", &proof)]).await;
    assert_challenges(&answer, "invalid_token");
}

/// A bound token with a proof from another key is `invalid_dpop_proof`.
#[tokio::test]
async fn a_proof_from_another_key_is_invalid_dpop_proof_at_a_resource_rfc9449_7_1() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (key, _) = AgentKey::new("svc");
    let (thief, _) = AgentKey::new("thief");
    let bound = token_with(&h, &secret, &[&key.proof("POST", TOKEN_URL, None)]).await.json();
    let bound = bound["access_token"].as_str().unwrap();
    let proof = thief.proof("GET", &format!("{PUBLIC_URL}/t/acme/userinfo"), Some(bound));
    let answer = h.get("/t/acme/userinfo", &[("authorization", &format!("DPoP {bound}")), ("dpop", &proof)]).await;
    assert_challenges(&answer, "invalid_dpop_proof");
}

#[tokio::test]
async fn two_authorization_headers_at_a_resource_are_invalid_request_rfc6750_3_1() {
    let h = Harness::new().await;
    acme(&h).await;
    let req = axum::http::Request::get("/t/acme/userinfo")
        .header("authorization", "Bearer one")
        .header("authorization", "Bearer two")
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = h.send(req).await;
    assert_oauth_error(&answer, 400, "invalid_request");
    assert_eq!(answer.header("www-authenticate"), Some("Bearer error=\"invalid_request\""));
}
