//! The hosted pages meet WCAG 2.2 level AA as far as a machine can tell: headless Chromium visits
//! every page a user of a test tenant reaches (`tests/browser/a11y.mjs`, driven by
//! playwright-core) and runs axe-core on each with the WCAG 2.0, 2.1 and 2.2 A and AA rules. Any
//! violation fails the test, naming the page, the rule and the element. The pages'
//! Content-Security-Policy stays enforced (axe-core runs through the DevTools protocol), and a
//! violation of it fails the run too.
//!
//! The tenant offers sign-in codes by email (so the sign-in page shows both forms) and has the
//! lightest primary colour the contrast rule accepts, `#767676`, which axe-core must find
//! readable under white text too.
//!
//! Needs `node`, `tests/browser/node_modules` (`npm ci --prefix tests/browser`) and Chromium
//! (`CHROMIUM`, default `/usr/bin/chromium`); `.ci/run` installs them. Outside CI a missing piece
//! skips the test with a notice; under `CI=true` it fails.

use ciam_testkit::{Admin, PASSWORD, authorize_url, skip_or_fail};
use serde_json::{Value, json};

use crate::support::{browser_tools, localhost_setup, run_browser_script};

const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The pages the check must reach (a11y.mjs may check more).
const REQUIRED: [&str; 32] = [
    "sign-in",
    "sign-in with an error",
    "email code",
    "second factor",
    "updated terms",
    "consent",
    "account security",
    "authenticator app enrolment",
    "device",
    "device consent",
    "sign out",
    "signed out",
    "sign-up",
    "sign-up with an error",
    "check your email",
    "confirm email address",
    "forgot password",
    "new password",
    "second factor before a new password",
    "account overview",
    "account profile",
    "account password",
    "account sessions",
    "account connected apps",
    "account agents",
    "account approval requests",
    "account privacy",
    "add a passkey by mail",
    "account profile in Arabic",
    "account sessions in Arabic",
    "sign-in in Arabic",
    "error",
];

#[tokio::test]
async fn every_hosted_page_passes_axe_core_wcag_2_2_aa_in_headless_chromium() {
    let tools = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core and axe-core", why),
    };
    let (s, origin) = localhost_setup("a11y").await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let signup = json!({"mode": "open", "fields": [{"claim": "name", "required": true}, {"claim": "locale"}],
                        "blocked_email_domains": ["blocked.example"], "terms_url": "https://acme.example/terms"});
    let settings = json!({"settings": {"login": {"email_code": true}, "branding": {"primary_color": "#767676"},
                                       "signup": signup}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(settings)).await;
    assert_eq!(status, 200, "{body}");
    // An account without a password: its reset link opens "Add a passkey".
    admin.post("/tenants/acme/users", json!({"email": "hedy@example.com"}), 201).await;
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "acme-cli", "name": "Acme CLI", "client_type": "public",
                   "token_endpoint_auth_method": "none", "grant_types": [DEVICE], "scopes": ["openid"]}),
            201,
        )
        .await;
    let started: Value = s
        .server
        .http
        .post(s.server.url("/t/acme/device_authorization"))
        .form(&[("client_id", "acme-cli"), ("scope", "openid")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = started["user_code"].as_str().unwrap_or_else(|| panic!("a device request: {started}"));

    let env = [
        ("CIAM_ORIGIN", origin.to_string()),
        ("CIAM_TENANT", "acme".to_string()),
        ("CIAM_EMAIL", "ada@example.com".to_string()),
        ("CIAM_PASSWORD", PASSWORD.to_string()),
        ("CIAM_PASSWORDLESS_EMAIL", "hedy@example.com".to_string()),
        ("CIAM_AUTHORIZE_URL", format!("{origin}{}", authorize_url("web", "openid").nonce("n"))),
        ("CIAM_MAIL_DIR", s.server.data_dir.join("mail").display().to_string()),
        ("CIAM_DEVICE_USER_CODE", user_code.to_string()),
        ("CIAM_SCREENSHOTS", std::env::var("CIAM_SCREENSHOTS").unwrap_or_default()),
    ];
    let report = run_browser_script(&tools, &s.server, "a11y.mjs", &env, 180).await;
    let pages = report["pages"].as_array().unwrap();
    let names: Vec<&str> = pages.iter().filter_map(|p| p["name"].as_str()).collect();
    eprintln!("axe-core checked {} pages: {}", names.len(), names.join(", "));
    for required in REQUIRED {
        assert!(names.contains(&required), "{required} was not checked: {report}");
    }
    for page in pages {
        assert_eq!(page["violations"], 0, "{page}");
        assert!(page["passes"].as_u64().unwrap() > 0, "axe-core ran its rules on {page}");
    }
}
