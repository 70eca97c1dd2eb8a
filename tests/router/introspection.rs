//! Introspection by a registered resource (RFC 7662 with RFC 9728 resources): a resource with
//! credentials of its own authenticates as `resource.{id}` and learns about exactly the tokens
//! whose audience it is; it can do nothing else.

use axum::http::Method;
use ciam_testkit::AgentKey;
use serde_json::{Value, json};

use crate::harness::{Answer, Harness, acme, assert_oauth_error, assert_problem, basic};

const ORDERS: &str = "https://orders.example/api";
const BILLING: &str = "https://billing.example/api";
const ISSUER: &str = "http://ciam.test/t/acme";

/// Registers resource `id` for `identifier` (scope `orders:read`) with the extra `fields`.
async fn resource(h: &Harness, id: &str, identifier: &str, fields: Value) -> Value {
    let mut body = json!({"id": id, "identifier": identifier, "name": id, "scopes": ["orders:read"]});
    if let (Some(b), Some(f)) = (body.as_object_mut(), fields.as_object()) {
        b.extend(f.clone());
    }
    let answer = h.admin(Method::POST, "/tenants/acme/resources", Some(body)).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    answer.json()
}

/// A client-credentials token of `svc`, for `resource` when given.
async fn token(h: &Harness, svc_secret: &str, resource: Option<&str>) -> String {
    let mut form = vec![("grant_type", "client_credentials"), ("scope", "orders:read")];
    form.extend(resource.map(|r| ("resource", r)));
    let answer = h.post_form("/t/acme/token", &form, &[("authorization", &basic("svc", svc_secret))]).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["access_token"].as_str().unwrap().to_owned()
}

async fn introspect_basic(h: &Harness, id: &str, secret: &str, token: &str) -> Answer {
    h.post_form("/t/acme/introspect", &[("token", token)], &[("authorization", &basic(id, secret))]).await
}

async fn introspect_signed(h: &Harness, assertion: Vec<(&'static str, String)>, token: &str) -> Answer {
    let mut form: Vec<(&str, &str)> = assertion.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("token", token));
    h.post_form("/t/acme/introspect", &form, &[]).await
}

fn active(answer: &Answer) -> bool {
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    answer.json()["active"].as_bool().unwrap()
}

#[tokio::test]
async fn a_resource_introspects_exactly_the_tokens_issued_for_it_with_its_secret() {
    let h = Harness::new().await;
    let svc = acme(&h).await.secret("svc");
    let orders = resource(&h, "orders", ORDERS, json!({"introspection_auth_method": "client_secret_basic"})).await;
    assert_eq!(orders["client_id"], "resource.orders");
    assert_eq!(orders["introspection_auth_method"], "client_secret_basic");
    let secret = orders["client_secret"].as_str().unwrap().to_owned();
    let billing = resource(&h, "billing", BILLING, json!({"introspection_auth_method": "client_secret_basic"})).await;
    let billing_secret = billing["client_secret"].as_str().unwrap().to_owned();
    // Shown once: never read back.
    let read = h.admin(Method::GET, "/tenants/acme/resources/orders", None).await.json();
    assert_eq!((read["client_id"].as_str(), read.get("client_secret")), (Some("resource.orders"), None));

    let for_orders = token(&h, &svc, Some(ORDERS)).await;
    let answer = introspect_basic(&h, "resource.orders", &secret, &for_orders).await;
    assert!(active(&answer), "{}", answer.text());
    let body = answer.json();
    assert_eq!((body["aud"].as_str(), body["client_id"].as_str()), (Some(ORDERS), Some("svc")));
    assert_eq!(body["scope"], "orders:read");
    assert_eq!(body["token_type"], "Bearer");

    // Another resource's token, and a token bound to no resource: nothing to learn.
    assert!(!active(&introspect_basic(&h, "resource.billing", &billing_secret, &for_orders).await));
    let unbound = token(&h, &svc, None).await;
    assert_eq!(introspect_basic(&h, "resource.orders", &secret, &unbound).await.json(), json!({"active": false}));
    let for_billing = token(&h, &svc, Some(BILLING)).await;
    assert!(!active(&introspect_basic(&h, "resource.orders", &secret, &for_billing).await));
    assert!(active(&introspect_basic(&h, "resource.billing", &billing_secret, &for_billing).await));

    // A wrong secret, another resource's secret, the resource's id alone: invalid_client.
    for (id, s) in [("resource.orders", "wrong"), ("resource.orders", billing_secret.as_str()), ("orders", &secret)] {
        let answer = introspect_basic(&h, id, s, &for_orders).await;
        assert_oauth_error(&answer, 401, "invalid_client");
        assert!(!answer.text().contains(&secret), "the secret is not echoed");
    }

    // A resource obtains nothing and revokes nothing: to every other endpoint it is no client.
    let auth = basic("resource.orders", &secret);
    for (path, form) in [
        ("/t/acme/token", vec![("grant_type", "client_credentials")]),
        ("/t/acme/revoke", vec![("token", for_orders.as_str())]),
        ("/t/acme/par", vec![("response_type", "code"), ("redirect_uri", ciam_testkit::CALLBACK)]),
        ("/t/acme/device_authorization", vec![("scope", "orders:read")]),
    ] {
        assert_oauth_error(&h.post_form(path, &form, &[("authorization", &auth)]).await, 401, "invalid_client");
    }
    assert!(active(&introspect_basic(&h, "resource.orders", &secret, &for_orders).await), "the token still lives");

    // Rotation: the new secret works at once, the old one no longer.
    let rotated = h.admin(Method::POST, "/tenants/acme/resources/orders/secret", None).await;
    assert_eq!((rotated.status, rotated.header("cache-control")), (200, Some("no-store")));
    let rotated = rotated.json();
    assert_eq!(rotated["client_id"], "resource.orders");
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_oauth_error(&introspect_basic(&h, "resource.orders", &secret, &for_orders).await, 401, "invalid_client");
    assert!(active(&introspect_basic(&h, "resource.orders", &new_secret, &for_orders).await));
    let trail = h.admin(Method::GET, "/tenants/acme/audit?type=resource.secret_rotated", None).await;
    assert_eq!(trail.json()["items"].as_array().map(Vec::len), Some(1), "{}", trail.text());
    assert!(!trail.text().contains(&new_secret), "never a secret in the trail");

    // Removing its credentials removes the secret: switching back issues a new one.
    let patch = |body: Value| h.admin(Method::PATCH, "/tenants/acme/resources/orders", Some(body));
    let removed = patch(json!({"introspection_auth_method": null})).await;
    assert_eq!(removed.status, 200, "{}", removed.text());
    assert_eq!(removed.json().get("client_id"), None);
    assert_oauth_error(&introspect_basic(&h, "resource.orders", &new_secret, &for_orders).await, 401, "invalid_client");
    let again = patch(json!({"introspection_auth_method": "client_secret_basic"})).await.json();
    let third = again["client_secret"].as_str().unwrap().to_owned();
    assert_oauth_error(&introspect_basic(&h, "resource.orders", &new_secret, &for_orders).await, 401, "invalid_client");
    assert!(active(&introspect_basic(&h, "resource.orders", &third, &for_orders).await));
}

#[tokio::test]
async fn a_resource_introspects_with_its_private_key() {
    let h = Harness::new().await;
    let svc = acme(&h).await.secret("svc");
    let (key, jwks) = AgentKey::new("resource.orders");
    let created =
        resource(&h, "orders", ORDERS, json!({"introspection_auth_method": "private_key_jwt", "jwks": jwks})).await;
    assert_eq!((created["client_id"].as_str(), created.get("client_secret")), (Some("resource.orders"), None));
    let for_orders = token(&h, &svc, Some(ORDERS)).await;
    let introspect = |assertion: Vec<(&'static str, String)>| introspect_signed(&h, assertion, &for_orders);
    let answer = introspect(key.assertion(ISSUER)).await;
    assert!(active(&answer), "{}", answer.text());
    assert_eq!(answer.json()["aud"], ORDERS);
    // A key it did not register, and the same assertion twice: refused.
    let (stranger, _) = AgentKey::new("resource.orders");
    assert_oauth_error(&introspect(stranger.assertion(ISSUER)).await, 401, "invalid_client");
    let once = key.assertion(ISSUER);
    assert!(active(&introspect(once.clone()).await));
    assert_oauth_error(&introspect(once).await, 401, "invalid_client");
    // No secret to rotate.
    let answer = h.admin(Method::POST, "/tenants/acme/resources/orders/secret", None).await;
    assert_eq!(assert_problem(&answer, 422, "validation")["errors"][0]["field"], "introspection_auth_method");
}

#[tokio::test]
async fn resource_credentials_are_checked_and_their_name_is_reserved() {
    let h = Harness::new().await;
    acme(&h).await;
    let keys = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]});
    for (fields, field) in [
        (json!({"introspection_auth_method": "private_key_jwt"}), "jwks_uri"),
        (json!({"introspection_auth_method": "none"}), "introspection_auth_method"),
        (json!({"introspection_auth_method": "client_secret_post"}), "introspection_auth_method"),
        (json!({"jwks": keys}), "introspection_auth_method"),
        (json!({"introspection_auth_method": "client_secret_basic", "jwks": keys}), "jwks"),
    ] {
        let mut body = json!({"id": "orders", "identifier": ORDERS, "name": "Orders", "scopes": []});
        body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        let answer = h.admin(Method::POST, "/tenants/acme/resources", Some(body)).await;
        assert_eq!(assert_problem(&answer, 422, "validation")["errors"][0]["field"], field, "{fields}");
    }
    // A resource without credentials does not introspect.
    resource(&h, "orders", ORDERS, json!({})).await;
    let answer = introspect_basic(&h, "resource.orders", "anything", "x").await;
    assert_oauth_error(&answer, 401, "invalid_client");
    // No client may take the name a resource introspects with.
    let client = json!({"client_id": "resource.orders", "name": "Impostor", "client_type": "confidential",
                        "grant_types": ["client_credentials"]});
    let answer = h.admin(Method::POST, "/tenants/acme/clients", Some(client)).await;
    assert_eq!(assert_problem(&answer, 422, "validation")["errors"][0]["field"], "client_id");
}
