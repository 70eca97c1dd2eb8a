//! A development tenant's testing setting: scripted sign-ins (curl, python-requests, headless
//! browsers) are stepped up by the default risk policy for their user agent; a tenant marked
//! `environment: development` may turn that off with `testing.allow_scripted_sign_ins`, which
//! the management API refuses for production tenants, and the sign-in page says so when on.

use axum::http::Method;
use ciam_testkit::{PASSWORD, authorize_url, hidden};
use serde_json::json;

use crate::harness::{Harness, acme_with_ada, assert_problem};

const CURL: &str = "curl/8.5.0";

/// Opens `web`'s authorization request and signs Ada in with `user_agent`; returns the login
/// page's HTML and where the answer to the login POST leads.
async fn scripted_sign_in(h: &Harness, user_agent: &str) -> (String, String) {
    let start = h.get(&authorize_url("web", "openid").build(), &[("user-agent", user_agent)]).await;
    let cookie = start.cookies();
    let headers = [("cookie", cookie.as_str()), ("user-agent", user_agent)];
    let html = h.get(start.location(), &headers).await.text();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", "ada@example.com".into()),
        ("password", PASSWORD.into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = h.post_form("/t/acme/login", &form, &headers).await;
    assert_eq!(answer.status, 303, "{}", answer.text());
    (html, answer.location().to_owned())
}

#[tokio::test]
async fn production_tenants_refuse_the_testing_setting_naming_the_field() {
    let h = Harness::new().await;
    acme_with_ada(&h).await;
    let on = json!({"settings": {"testing": {"allow_scripted_sign_ins": true}}});
    // A tenant is production unless marked otherwise.
    let body = assert_problem(&h.admin(Method::PATCH, "/tenants/acme", Some(on.clone())).await, 422, "validation");
    assert_eq!(body["errors"][0]["field"], "settings.testing.allow_scripted_sign_ins", "{body}");
    let marked = json!({"settings": {"environment": "production", "testing": {"allow_scripted_sign_ins": true}}});
    assert_problem(&h.admin(Method::PATCH, "/tenants/acme", Some(marked)).await, 422, "validation");
    let created = json!({"id": "prod", "display_name": "Prod",
                         "settings": {"testing": {"allow_scripted_sign_ins": true}}});
    let body = assert_problem(&h.admin(Method::POST, "/tenants", Some(created)).await, 422, "validation");
    assert_eq!(body["errors"][0]["field"], "settings.testing.allow_scripted_sign_ins", "{body}");
    let tenant = h.admin(Method::GET, "/tenants/acme", None).await.json();
    assert_eq!(tenant["settings"]["environment"], "production", "{tenant}");
    assert_eq!(tenant["settings"]["testing"]["allow_scripted_sign_ins"], false, "{tenant}");
    // Marked development, the same setting is accepted; an unknown environment is not.
    let dev = json!({"settings": {"environment": "development", "testing": {"allow_scripted_sign_ins": true}}});
    assert_eq!(h.admin(Method::PATCH, "/tenants/acme", Some(dev)).await.status, 200);
    let staging = json!({"settings": {"environment": "staging"}});
    assert_problem(&h.admin(Method::PATCH, "/tenants/acme", Some(staging)).await, 422, "validation");
    // Back to production while the setting is on: refused, the setting must go first.
    let back = json!({"settings": {"environment": "production"}});
    assert_problem(&h.admin(Method::PATCH, "/tenants/acme", Some(back)).await, 422, "validation");
}

#[tokio::test]
async fn scripted_sign_ins_are_stepped_up_unless_a_development_tenant_allows_them() {
    let h = Harness::new().await;
    acme_with_ada(&h).await;
    // Default policy: a script's user agent on a new device asks for a second factor.
    let (html, next) = scripted_sign_in(&h, CURL).await;
    assert!(next.contains("/t/acme/mfa?flow="), "stepped up: {next}");
    assert!(!html.contains("testing-notice"), "no notice on a production tenant");
    // Only marked development: still stepped up.
    let dev = json!({"settings": {"environment": "development"}});
    assert_eq!(h.admin(Method::PATCH, "/tenants/acme", Some(dev)).await.status, 200);
    assert!(scripted_sign_in(&h, CURL).await.1.contains("/t/acme/mfa?flow="));
    // With the testing setting the same sign-in goes on to the application, and the page says why.
    let on = json!({"settings": {"testing": {"allow_scripted_sign_ins": true}}});
    assert_eq!(h.admin(Method::PATCH, "/tenants/acme", Some(on)).await.status, 200);
    for agent in [CURL, "python-requests/2.32.3", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0.0.0"] {
        let (html, next) = scripted_sign_in(&h, agent).await;
        assert!(!next.contains("/mfa"), "{agent}: not stepped up: {next}");
        assert!(next.contains("/t/acme/consent") || next.contains("/authorize"), "{agent}: {next}");
        assert!(html.contains("id=\"testing-notice\""), "the sign-in page shows a development tenant");
    }
    // Turned off again: stepped up again.
    let off = json!({"settings": {"testing": {"allow_scripted_sign_ins": false}}});
    assert_eq!(h.admin(Method::PATCH, "/tenants/acme", Some(off)).await.status, 200);
    let (html, next) = scripted_sign_in(&h, CURL).await;
    assert!(next.contains("/t/acme/mfa?flow="), "{next}");
    assert!(!html.contains("testing-notice"));
}
