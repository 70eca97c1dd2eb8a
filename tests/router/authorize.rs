//! The authorization endpoint: before the client and redirect URI are verified, an error is a
//! page and never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.11); after, it is a redirect to
//! the client carrying `error`, `state` and `iss` (RFC 9207), or the answer page of
//! `response_mode=form_post`.

use ciam_testkit::{CALLBACK, authorize_url};

use crate::harness::{Answer, Harness, PUBLIC_URL, acme, acme_with_ada, enc};

/// Asserts an error page: 400 HTML, no redirect, not framable.
#[track_caller]
fn assert_error_page(answer: &Answer) {
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert!(answer.header("location").is_none(), "never a redirect");
    assert!(answer.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(answer.header("x-frame-options"), Some("DENY"), "anti-framing on error pages too (S11)");
}

/// Asserts a redirect to the client's callback with `error` and `state`, and the issuer (RFC 9207).
#[track_caller]
fn assert_error_redirect(answer: &Answer, error: &str, state: &str) {
    assert_eq!(answer.status, 303, "{}", answer.text());
    assert!(answer.location().starts_with(CALLBACK), "{}", answer.location());
    let p = answer.redirect_params();
    assert_eq!((p["error"].as_str(), p.get("state").map(String::as_str)), (error, Some(state)), "{p:?}");
    assert_eq!(p["iss"], format!("{PUBLIC_URL}/t/acme"));
    assert!(!p.contains_key("code"));
}

#[tokio::test]
async fn an_unknown_client_gets_an_error_page_never_a_redirect_s02() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.get(&authorize_url("ghost", "openid").build(), &[]).await;
    assert_error_page(&answer);
}

#[tokio::test]
async fn an_unregistered_redirect_uri_gets_an_error_page_c24() {
    let h = Harness::new().await;
    acme(&h).await;
    for uri in ["https://evil.example/cb", "http://127.0.0.1:9/callback/", "http://127.0.0.1:9/callback?x=1"] {
        let answer = h.get(&authorize_url("web", "openid").redirect_uri(uri).build(), &[]).await;
        assert_error_page(&answer);
    }
}

#[tokio::test]
async fn an_unsupported_response_type_redirects_with_error_state_and_iss_c09() {
    let h = Harness::new().await;
    acme(&h).await;
    let path = format!(
        "/t/acme/authorize?client_id=web&redirect_uri={}&response_type=token&scope=openid&state=xyz",
        enc(CALLBACK)
    );
    assert_error_redirect(&h.get(&path, &[]).await, "unsupported_response_type", "xyz");
}

#[tokio::test]
async fn a_missing_response_type_redirects_invalid_request_c09() {
    let h = Harness::new().await;
    acme(&h).await;
    let path = format!("/t/acme/authorize?client_id=web&redirect_uri={}&scope=openid&state=st", enc(CALLBACK));
    assert_error_redirect(&h.get(&path, &[]).await, "invalid_request", "st");
}

#[tokio::test]
async fn prompt_none_without_a_session_redirects_login_required_c19() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.get(&authorize_url("web", "openid").extra("&prompt=none").build(), &[]).await;
    assert_error_redirect(&answer, "login_required", "s");
}

/// A client registered with `require_pushed_authorization_requests` is refused on the front
/// channel, by redirect since client and redirect URI are known (RFC 9126 §6).
#[tokio::test]
async fn a_client_that_must_push_is_refused_on_the_front_channel_rfc9126_6() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.get(&authorize_url("pushy", "openid").state("f").build(), &[]).await;
    assert_error_redirect(&answer, "invalid_request", "f");
}

#[tokio::test]
async fn an_unknown_request_uri_or_a_smuggled_par_marker_is_an_error_page_rfc9126_4() {
    let h = Harness::new().await;
    acme(&h).await;
    let uri = enc("urn:ietf:params:oauth:request_uri:nothing-was-pushed");
    assert_error_page(&h.get(&format!("/t/acme/authorize?client_id=web&request_uri={uri}"), &[]).await);
    assert_error_page(&h.get(&format!("/t/acme/authorize?client_id=web&__par={uri}"), &[]).await);
}

/// `response_mode=form_post`: the same answer as an auto-posting page, never a redirect.
#[tokio::test]
async fn form_post_delivers_the_error_in_an_auto_posting_page() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h
        .get(&authorize_url("web", "openid").state("fp").extra("&response_mode=form_post&prompt=none").build(), &[])
        .await;
    assert_eq!(answer.status, 200);
    assert!(answer.header("location").is_none());
    let html = answer.text();
    assert!(html.contains(&format!("action=\"{CALLBACK}\"")), "{html}");
    assert!(html.contains("name=\"error\" value=\"login_required\"") && html.contains("name=\"state\" value=\"fp\""));
}

/// Without a session the request goes on to the hosted login page: a 303 (RFC 9700 §4.12),
/// never readable cross-origin (S08); the page is not framable nor cached and names the client.
#[tokio::test]
async fn without_a_session_the_request_goes_to_the_login_page_s08() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.get(&authorize_url("web", "openid").build(), &[]).await;
    assert_eq!(answer.status, 303);
    assert!(answer.header("access-control-allow-origin").is_none(), "S08");
    let login = answer.location().to_owned();
    assert!(login.contains("/t/acme/login?flow="), "{login}");
    let page = h.get(&login, &[("cookie", &answer.cookies())]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(page.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = page.text();
    for label in ["Email", "Password", "Sign in", "Acme Web"] {
        assert!(html.contains(label), "login page shows {label}");
    }
}

/// A login flow belongs to the browser that opened it: without its cookie the page is refused
/// (login CSRF).
#[tokio::test]
async fn a_login_flow_opened_in_another_browser_is_refused() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h.get(&authorize_url("web", "openid").extra("&prompt=login").build(), &[]).await;
    assert_eq!(h.get(answer.location(), &[]).await.status, 400);
}

/// Wrong password and unknown account get the same answer (no account enumeration), and a
/// forged CSRF token changes nothing (S12).
#[tokio::test]
async fn a_failed_sign_in_never_says_whether_the_account_exists_s12() {
    let h = Harness::new().await;
    acme_with_ada(&h).await;
    let start = h.get(&authorize_url("web", "openid").build(), &[]).await;
    let cookie = start.cookies();
    let html = h.get(start.location(), &[("cookie", &cookie)]).await.text();
    let (flow, csrf) = (ciam_testkit::hidden(&html, "flow"), ciam_testkit::hidden(&html, "csrf"));
    let headers = [("cookie", cookie.as_str()), ("user-agent", ciam_testkit::USER_AGENT)];
    for (email, password) in [("ada@example.com", "wrong password"), ("nobody@example.com", ciam_testkit::PASSWORD)] {
        let form = [("flow", flow.as_str()), ("csrf", csrf.as_str()), ("email", email), ("password", password)];
        let answer = h.post_form("/t/acme/login", &form, &headers).await;
        assert_eq!(answer.status, 401, "{email}");
        assert!(answer.text().contains("Incorrect email or password."));
    }
    let forged = [
        ("flow", flow.as_str()),
        ("csrf", "forged"),
        ("email", "ada@example.com"),
        ("password", ciam_testkit::PASSWORD),
    ];
    assert_eq!(h.post_form("/t/acme/login", &forged, &headers).await.status, 403);
}

fn with_claims(claims: &str) -> String {
    authorize_url("web", "openid").state("cl").extra(&format!("&claims={}", enc(claims))).build()
}

/// OIDC Core §5.5.1.1 and the OpenID registry's `unmet_authentication_requirements`: an
/// essential `acr` naming no level this server defines can never be met, so the client hears
/// it at once; a voluntary one is ignored like an unknown `acr_values`.
#[tokio::test]
async fn an_essential_acr_no_level_can_meet_is_unmet_at_the_redirect_uri_oidc_5_5_1_1() {
    let h = Harness::new().await;
    acme(&h).await;
    let unmet =
        h.get(&with_claims(r#"{"id_token":{"acr":{"essential":true,"values":["urn:other:gold"]}}}"#), &[]).await;
    assert_error_redirect(&unmet, "unmet_authentication_requirements", "cl");
    let voluntary = h.get(&with_claims(r#"{"id_token":{"acr":{"values":["urn:other:gold"]}}}"#), &[]).await;
    assert!(voluntary.location().contains("/t/acme/login?flow="), "{}", voluntary.location());
    let known = r#"{"id_token":{"acr":{"essential":true,"values":["urn:other:gold","urn:ciam:acr:mfa"]}}}"#;
    assert!(h.get(&with_claims(known), &[]).await.location().contains("/t/acme/login?flow="));
}

/// OIDC Core §5.5: a `claims` parameter that is not a JSON object of claim requests is
/// `invalid_request` at the redirect URI; unknown claims and members are not an error.
#[tokio::test]
async fn a_malformed_claims_parameter_is_invalid_request_oidc_5_5() {
    let h = Harness::new().await;
    acme(&h).await;
    for bad in ["not json", "[]", r#"{"id_token":["email"]}"#, r#"{"userinfo":{"email":1}}"#] {
        assert_error_redirect(&h.get(&with_claims(bad), &[]).await, "invalid_request", "cl");
    }
    let huge = format!(r#"{{"userinfo":{{"email":{{"values":["{}"]}}}}}}"#, "x".repeat(5000));
    let answer = h.get(&with_claims(&huge), &[]).await;
    assert_error_redirect(&answer, "invalid_request", "cl");
    assert!(answer.redirect_params()["error_description"].contains("too long"));
    let unknown = r#"{"id_token":{"shoe_size":{"essential":true}},"verified_claims":{}}"#;
    assert!(h.get(&with_claims(unknown), &[]).await.location().contains("/t/acme/login?flow="));
}
