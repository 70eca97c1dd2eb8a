//! Pushed authorization requests (RFC 9126): back-channel errors are JSON, never redirects.

use ciam_testkit::CALLBACK;

use crate::harness::{Harness, acme, assert_oauth_error, basic};

fn request() -> Vec<(&'static str, &'static str)> {
    vec![("response_type", "code"), ("redirect_uri", CALLBACK), ("scope", "openid"), ("state", "pushed")]
}

#[tokio::test]
async fn a_pushed_request_gets_a_single_use_uri_for_60_seconds_rfc9126_2_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("pushy");
    let answer = h.post_form("/t/acme/par", &request(), &[("authorization", &basic("pushy", &secret))]).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let body = answer.json();
    assert_eq!(body["expires_in"], 60);
    assert!(body["request_uri"].as_str().unwrap().starts_with("urn:ietf:params:oauth:request_uri:"));
}

#[tokio::test]
async fn a_confidential_client_authenticates_at_par_s22() {
    let h = Harness::new().await;
    acme(&h).await;
    let mut pairs = request();
    pairs.push(("client_id", "pushy"));
    assert_oauth_error(&h.post_form("/t/acme/par", &pairs, &[]).await, 401, "invalid_client");
}

#[tokio::test]
async fn a_pushed_request_cannot_carry_a_request_uri_rfc9126_2_1() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("pushy");
    let mut pairs = request();
    pairs.push(("request_uri", "urn:x"));
    let answer = h.post_form("/t/acme/par", &pairs, &[("authorization", &basic("pushy", &secret))]).await;
    assert_oauth_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_refused_at_par_not_redirected_to() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("pushy");
    let mut pairs = request();
    pairs[1].1 = "https://evil.example/cb";
    let answer = h.post_form("/t/acme/par", &pairs, &[("authorization", &basic("pushy", &secret))]).await;
    assert_eq!(answer.status, 400);
    assert!(answer.header("location").is_none());
    assert_eq!(h.get("/t/acme/par", &[]).await.status, 405);
}
