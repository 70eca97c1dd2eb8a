//! The token endpoint's error matrix (RFC 6749 §5.2): each refusal's status, `error` code,
//! challenge and cache headers.

use crate::harness::{Harness, acme, assert_oauth_error, basic};

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

/// `POST /t/acme/token` as `svc` with its secret.
async fn as_svc(h: &Harness, secret: &str, pairs: &[(&str, &str)]) -> crate::harness::Answer {
    h.post_form("/t/acme/token", pairs, &[("authorization", &basic("svc", secret))]).await
}

#[tokio::test]
async fn a_token_response_is_never_cached_rfc6749_5_1() {
    let h = Harness::new().await;
    let w = acme(&h).await;
    let answer = as_svc(&h, &w.secret("svc"), &CC).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("pragma"), Some("no-cache"));
    let body = answer.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "orders:read orders:write", "user scopes are never granted to a client for itself");
}

/// A failed client authentication is 401 with a `WWW-Authenticate` for the Basic scheme,
/// whatever failed, and never echoes the secret.
#[tokio::test]
async fn failed_client_authentication_is_invalid_client_challenged_only_to_the_scheme_tried_rfc6749_5_2() {
    let h = Harness::new().await;
    let w = acme(&h).await;
    let secret = w.secret("svc");
    let body_secret = [("grant_type", "client_credentials"), ("client_id", "svc"), ("client_secret", &secret)];
    // (what, Authorization header, form)
    type Case<'a> = (&'a str, Option<String>, &'a [(&'a str, &'a str)]);
    let cases: [Case<'_>; 4] = [
        ("wrong secret", Some(basic("svc", "wrong")), &CC),
        ("unknown client", Some(basic("ghost", &secret)), &CC),
        ("no authentication", None, &CC),
        ("secret in the body of a client_secret_basic client", None, &body_secret),
    ];
    for (what, auth, pairs) in cases {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
        let answer = h.post_form("/t/acme/token", pairs, &headers).await;
        assert_oauth_error(&answer, 401, "invalid_client");
        // RFC 6749 §5.2: the challenge names the scheme the client tried, so only with the header.
        match auth {
            Some(_) => assert!(answer.header("www-authenticate").unwrap().starts_with("Basic"), "{what}"),
            None => assert_eq!(answer.header("www-authenticate"), None, "{what}: not challenged to Basic"),
        }
        assert!(!answer.text().contains(&secret), "{what}: the secret is not echoed");
    }
}

#[tokio::test]
async fn a_client_of_another_tenant_is_an_unknown_client_t02() {
    let h = Harness::new().await;
    let w = acme(&h).await;
    ciam_testkit::World::tenant("other").create(&h).await;
    let answer = h.post_form("/t/other/token", &CC, &[("authorization", &basic("svc", &w.secret("svc")))]).await;
    assert_oauth_error(&answer, 401, "invalid_client");
}

#[tokio::test]
async fn two_authentication_methods_are_invalid_request_rfc6749_2_3() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let answer = as_svc(&h, &secret, &[("grant_type", "client_credentials"), ("client_secret", &secret)]).await;
    assert_oauth_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn a_scope_beyond_the_clients_is_invalid_scope_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    for scope in ["orders:delete", "openid"] {
        let answer = as_svc(&h, &secret, &[("grant_type", "client_credentials"), ("scope", scope)]).await;
        assert_oauth_error(&answer, 400, "invalid_scope");
    }
    let narrowed = as_svc(&h, &secret, &[("grant_type", "client_credentials"), ("scope", "orders:read")]).await;
    assert_eq!((narrowed.status, narrowed.json()["scope"].as_str()), (200, Some("orders:read")));
}

#[tokio::test]
async fn a_missing_grant_type_is_invalid_request_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    assert_oauth_error(&as_svc(&h, &secret, &[]).await, 400, "invalid_request");
}

#[tokio::test]
async fn the_password_grant_is_an_unsupported_grant_type_rfc9700_2_4() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let answer = as_svc(&h, &secret, &[("grant_type", "password"), ("username", "ada"), ("password", "x")]).await;
    assert_oauth_error(&answer, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn a_grant_type_the_client_did_not_register_is_unauthorized_client_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let answer = as_svc(&h, &secret, &[("grant_type", "authorization_code"), ("code", "x")]).await;
    assert_oauth_error(&answer, 400, "unauthorized_client");
}

#[tokio::test]
async fn a_repeated_parameter_is_invalid_request_rfc6749_3_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let answer =
        as_svc(&h, &secret, &[("grant_type", "client_credentials"), ("grant_type", "client_credentials")]).await;
    assert_oauth_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn an_unknown_resource_is_invalid_target_rfc8707_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let answer =
        as_svc(&h, &secret, &[("grant_type", "client_credentials"), ("resource", "https://api.example")]).await;
    assert_oauth_error(&answer, 400, "invalid_target");
}

#[tokio::test]
async fn a_json_body_is_invalid_request_rfc6749_3_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let req = axum::http::Request::post("/t/acme/token")
        .header("authorization", basic("svc", &secret))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"grant_type":"client_credentials"}"#))
        .unwrap();
    assert_oauth_error(&h.send(req).await, 400, "invalid_request");
}

#[tokio::test]
async fn an_unknown_or_spent_code_is_invalid_grant_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("web");
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", "no-such-code"),
        ("redirect_uri", ciam_testkit::CALLBACK),
        ("code_verifier", ciam_testkit::PKCE_VERIFIER),
    ];
    let answer = h.post_form("/t/acme/token", &pairs, &[("authorization", &basic("web", &secret))]).await;
    assert_oauth_error(&answer, 400, "invalid_grant");
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid_grant_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("web");
    let pairs = [("grant_type", "refresh_token"), ("refresh_token", "bogus")];
    let answer = h.post_form("/t/acme/token", &pairs, &[("authorization", &basic("web", &secret))]).await;
    assert_oauth_error(&answer, 400, "invalid_grant");
}

/// A proxy in front may have read the other header: refused whichever comes first.
#[tokio::test]
async fn two_authorization_headers_are_invalid_request_rfc6749_5_2() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    let (good, wrong) = (basic("svc", &secret), basic("svc", "not-the-secret"));
    for pair in [[&good, &wrong], [&wrong, &good]] {
        let headers = [("authorization", pair[0].as_str()), ("authorization", pair[1].as_str())];
        let answer = h.post_form("/t/acme/token", &CC, &headers).await;
        assert_oauth_error(&answer, 400, "invalid_request");
        assert!(answer.json()["error_description"].as_str().unwrap().contains("Authorization"));
    }
}

#[tokio::test]
async fn the_token_endpoint_takes_no_get_rfc9700_4_3_2_and_no_unknown_tenant() {
    let h = Harness::new().await;
    acme(&h).await;
    assert_eq!(h.get("/t/acme/token", &[]).await.status, 405);
    assert_eq!(h.post_form("/t/nobody/token", &CC, &[]).await.status, 404);
}

/// Introspection and revocation require client authentication (RFC 7662 §2.1, RFC 7009 §2.1);
/// a missing `token` is invalid_request.
#[tokio::test]
async fn introspection_and_revocation_need_client_authentication_s27() {
    let h = Harness::new().await;
    let secret = acme(&h).await.secret("svc");
    for path in ["/t/acme/introspect", "/t/acme/revoke"] {
        assert_oauth_error(&h.post_form(path, &[("token", "x")], &[]).await, 401, "invalid_client");
    }
    let answer = h.post_form("/t/acme/introspect", &[], &[("authorization", &basic("svc", &secret))]).await;
    assert_oauth_error(&answer, 400, "invalid_request");
    let answer =
        h.post_form("/t/acme/introspect", &[("token", "garbage")], &[("authorization", &basic("svc", &secret))]).await;
    assert_eq!((answer.status, answer.json()), (200, serde_json::json!({"active": false})));
}

/// docs/oidc.md: every token-endpoint answer is RFC 6749 §5.2 JSON with `no-store`, an oversized
/// body too (and at PAR, which reads its body the same way).
#[tokio::test]
async fn an_oversized_body_is_a_json_invalid_request_with_413_and_no_store() {
    let h = Harness::new().await;
    let w = acme(&h).await;
    let padding = "x".repeat(80 * 1024);
    for path in ["/t/acme/token", "/t/acme/par"] {
        let pairs = [("grant_type", "client_credentials"), ("padding", padding.as_str())];
        let answer = h.post_form(path, &pairs, &[("authorization", &basic("svc", &w.secret("svc")))]).await;
        assert_oauth_error(&answer, 413, "invalid_request");
        assert_eq!(answer.header("cache-control"), Some("no-store"), "{path}");
    }
}
