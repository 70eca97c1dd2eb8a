//! The management API's refusals: every 4xx is an RFC 9457 `application/problem+json` with a
//! stable `type` (`urn:ciam:problem:{kind}`), never a plain-text body.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;

use crate::harness::{Harness, acme, assert_problem};

#[tokio::test]
async fn a_missing_or_wrong_admin_token_is_401_unauthorized_with_a_bearer_challenge() {
    let h = Harness::new().await;
    let wrong = "x".repeat(43);
    for token in [None, Some(wrong.as_str())] {
        let answer = h.admin_as(token, Method::GET, "/tenants", None).await;
        assert_problem(&answer, 401, "unauthorized");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer realm=\"ciam-admin\""));
    }
}

#[tokio::test]
async fn an_unknown_tenant_is_404_not_found() {
    let h = Harness::new().await;
    assert_problem(&h.admin(Method::GET, "/tenants/nobody", None).await, 404, "not-found");
    assert_problem(&h.admin(Method::GET, "/tenants/nobody/users", None).await, 404, "not-found");
}

#[tokio::test]
async fn an_invalid_field_is_422_validation_naming_the_field() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer =
        h.admin(Method::POST, "/tenants/acme/clients", Some(json!({"name": "x", "client_type": "sideways"}))).await;
    let body = assert_problem(&answer, 422, "validation");
    assert_eq!(body["errors"][0]["field"], "client_type");
}

#[tokio::test]
async fn a_taken_id_is_409_conflict() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.admin(Method::POST, "/tenants", Some(json!({"id": "acme", "display_name": "Again"}))).await;
    assert_problem(&answer, 409, "conflict");
    let answer = h
        .admin(
            Method::POST,
            "/tenants/acme/clients",
            Some(json!({"client_id": "web", "name": "Again", "client_type": "confidential",
                        "redirect_uris": [ciam_testkit::CALLBACK]})),
        )
        .await;
    assert_problem(&answer, 409, "conflict");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400_bad_request() {
    let h = Harness::new().await;
    let req = Request::post("/admin/v1/tenants")
        .header("authorization", "Bearer router-tests-admin-token-0123456789-abcdefghij")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let body = assert_problem(&h.send(req).await, 400, "bad-request");
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"), "{body}");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let h = Harness::new().await;
    assert_problem(&h.admin(Method::GET, "/no-such-thing", None).await, 404, "not-found");
    assert_problem(&h.admin(Method::PUT, "/tenants", None).await, 405, "method-not-allowed");
}

/// A resource of tenant `other` addressed through `acme`'s path is not found (T10).
#[tokio::test]
async fn another_tenants_resource_through_this_tenants_path_is_404_t10() {
    let h = Harness::new().await;
    acme(&h).await;
    let other = ciam_testkit::World::tenant("other").user("bob@example.com").create(&h).await;
    let bob = other.user_id("bob@example.com");
    assert_eq!(h.admin(Method::GET, &format!("/tenants/other/users/{bob}"), None).await.status, 200);
    let through_acme = format!("/tenants/acme/users/{bob}");
    assert_problem(&h.admin(Method::GET, &through_acme, None).await, 404, "not-found");
    let patch = json!({"status": "disabled"});
    assert_problem(&h.admin(Method::PATCH, &through_acme, Some(patch)).await, 404, "not-found");
    assert_problem(&h.admin(Method::DELETE, &through_acme, None).await, 404, "not-found");
    assert_eq!(h.admin(Method::GET, &format!("/tenants/other/users/{bob}"), None).await.json()["status"], "active");
}

#[tokio::test]
async fn rotating_to_an_unsupported_algorithm_is_422() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.admin(Method::POST, "/tenants/acme/keys/rotate", Some(json!({"algs": ["HS256"]}))).await;
    assert_problem(&answer, 422, "validation");
}

#[tokio::test]
async fn a_bad_risk_policy_is_refused_naming_it() {
    let h = Harness::new().await;
    acme(&h).await;
    let bad = json!({"settings": {"risk_policy": {"rules": {"new_device": {"points": 500}}}}});
    let answer = h.admin(Method::PATCH, "/tenants/acme", Some(bad)).await;
    let body = assert_problem(&answer, 422, "validation");
    assert!(body.to_string().contains("risk_policy"), "{body}");
}

#[tokio::test]
async fn admin_answers_are_never_cached() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.admin(Method::GET, "/tenants/acme", None).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}
