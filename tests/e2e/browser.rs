//! The hosted pages in a real browser: Debian's Chromium, headless, driven by playwright-core
//! (`tests/browser/passkey.mjs`) with a CDP virtual authenticator. It registers a passkey on
//! the account page with the page's own script and then signs in with it alone, so the
//! JavaScript, the WebAuthn JSON encoding and the server agree in the browser that users have;
//! then a `response_mode=form_post` answer submits itself. Chromium enforces the pages'
//! Content-Security-Policy, and the run fails on any violation it reports.
//!
//! A second test signs up in German and in Arabic (`tests/browser/signup.mjs`); a third gets an
//! account without a password back with a new passkey from the reset mail
//! (`tests/browser/recover_passkey.mjs`).
//!
//! Needs `node`, `tests/browser/node_modules` (`npm ci --prefix tests/browser`) and Chromium
//! (`CHROMIUM`, default `/usr/bin/chromium`); `.ci/run` installs them. Outside CI a missing piece
//! skips the test with a notice; under `CI=true` it fails.

use std::process::Stdio;

use ciam_testkit::{Admin, CALLBACK, PASSWORD, authorize_url, skip_or_fail};
use serde_json::Value;

use crate::support::{browser_tools, id_token_claims, localhost_setup};

#[tokio::test]
async fn a_passkey_is_registered_and_signs_in_in_headless_chromium() {
    let (dir, chromium) = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser").await;
    let authorize =
        format!("{origin}{}", authorize_url("web", "openid").nonce("n").extra("&acr_values=urn%3Aciam%3Aacr%3Aphr"));
    let run = tokio::process::Command::new("node")
        .arg(dir.join("passkey.mjs"))
        .current_dir(&dir)
        .env("CHROMIUM", &chromium)
        .env("CIAM_ORIGIN", &origin)
        .env("CIAM_TENANT", "acme")
        .env("CIAM_EMAIL", "ada@example.com")
        .env("CIAM_PASSWORD", PASSWORD)
        .env("CIAM_AUTHORIZE_URL", &authorize)
        .env("CIAM_CALLBACK", CALLBACK)
        .env("CIAM_MAIL_DIR", s.server.data_dir.join("mail"))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(90), run).await.expect("the browser run timed out");
    let out = out.expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser run failed: {stderr}\nserver log:\n{}", s.server.logs());
    let report: Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();

    // The authenticator holds one discoverable credential for the server's RP ID.
    let creds = report["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 1, "{report}");
    assert_eq!(creds[0]["resident"], true);
    assert_eq!(creds[0]["rp"], "localhost");

    // The server stored it under the name typed on the page.
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let users = admin.get("/tenants/acme/users", 200).await;
    let user_id = users["items"][0]["id"].as_str().unwrap();
    let factors = admin.get(&format!("/tenants/acme/users/{user_id}/factors?kind=passkey"), 200).await;
    assert_eq!(factors.as_array().unwrap().len(), 1, "{factors}");
    assert_eq!(factors[0]["name"], "Chromium");

    // The passkey alone answered an application that asked for phishing resistance.
    let callback = url::Url::parse(report["callback"].as_str().unwrap()).unwrap();
    let answer: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
    let code = answer.get("code").unwrap_or_else(|| panic!("no code in {callback}"));
    let claims = id_token_claims(&s.server, &s.secret, code).await;
    assert_eq!(claims["acr"], "urn:ciam:acr:phr", "{claims}");
    let amr = claims["amr"].as_array().unwrap();
    assert!(!amr.contains(&serde_json::json!("pwd")), "no password in the passkey sign-in: {claims}");

    // The form_post answer page's own script posted the code, under the page's CSP.
    assert_eq!(report["form_post"]["method"], "POST", "{report}");
    let body = report["form_post"]["body"].as_str().unwrap();
    let posted: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    assert!(posted.contains_key("code") && posted["state"] == "s", "{body}");
}

/// A visitor signs up in Chromium in the language the application asks for, German and Arabic
/// (right to left), fills the form by its accessible names in that language, confirms the
/// address with the mailed link, and is back at the application with a code for the new account.
#[tokio::test]
async fn a_visitor_signs_up_in_german_and_in_arabic_and_lands_back_at_the_app() {
    let (dir, chromium) = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser-signup").await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let signup =
        serde_json::json!({"settings": {"signup": {"mode": "open", "fields": [{"claim": "name", "required": true}]}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(signup)).await;
    assert_eq!(status, 200, "{body}");
    for (lang, dir_attr, email) in [("de", "ltr", "grete@example.com"), ("ar", "rtl", "layla@example.com")] {
        let authorize = format!(
            "{origin}{}",
            authorize_url("web", "openid").nonce("n").extra(&format!("&prompt=create&ui_locales={lang}"))
        );
        let run = tokio::process::Command::new("node")
            .arg(dir.join("signup.mjs"))
            .current_dir(&dir)
            .env("CHROMIUM", &chromium)
            .env("CIAM_ORIGIN", &origin)
            .env("CIAM_AUTHORIZE_URL", &authorize)
            .env("CIAM_LANG", lang)
            .env("CIAM_EMAIL", email)
            .env("CIAM_PASSWORD", PASSWORD)
            .env("CIAM_CALLBACK", CALLBACK)
            .env("CIAM_MAIL_DIR", s.server.data_dir.join("mail"))
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let out =
            tokio::time::timeout(std::time::Duration::from_secs(90), run).await.expect("the browser run timed out");
        let out = out.expect("node runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the {lang} sign-up failed: {stderr}\nserver log:\n{}", s.server.logs());
        let report: Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();
        assert_eq!(report["lang"], lang, "{report}");
        assert_eq!(report["dir"], dir_attr, "{report}");
        assert!(!report["subject"].as_str().unwrap().starts_with("Confirm"), "the mail is in {lang}: {report}");
        let callback = url::Url::parse(report["callback"].as_str().unwrap()).unwrap();
        let answer: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
        let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
        let user = admin.get(&format!("/tenants/acme/users?email={email}"), 200).await;
        assert_eq!(claims["sub"], user["items"][0]["id"], "signed in as the new account: {claims}");
        assert_eq!(user["items"][0]["email_verified"], true);
    }
}

/// Grace's account has no password. From the application's sign-in page she follows
/// "Forgot password?", opens the mailed link in the same browser, names and adds a passkey on
/// "Add a passkey" with the page's own script, and is back at the application, signed in by
/// email, with the passkey stored under the name she typed.
#[tokio::test]
async fn an_account_without_a_password_gets_a_new_passkey_from_the_reset_mail_in_headless_chromium() {
    let (dir, chromium) = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser-recover").await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let grace = admin.post("/tenants/acme/users", serde_json::json!({"email": "grace@example.com"}), 201).await;
    let grace = grace["id"].as_str().unwrap();
    let run = tokio::process::Command::new("node")
        .arg(dir.join("recover_passkey.mjs"))
        .current_dir(&dir)
        .env("CHROMIUM", &chromium)
        .env("CIAM_EMAIL", "grace@example.com")
        .env("CIAM_AUTHORIZE_URL", format!("{origin}{}", authorize_url("web", "openid").nonce("n")))
        .env("CIAM_CALLBACK", CALLBACK)
        .env("CIAM_MAIL_DIR", s.server.data_dir.join("mail"))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(90), run).await.expect("the browser run timed out");
    let out = out.expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser run failed: {stderr}\nserver log:\n{}", s.server.logs());
    let report: Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();
    let creds = report["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 1, "{report}");
    assert_eq!(creds[0]["rp"], "localhost");
    let factors = admin.get(&format!("/tenants/acme/users/{grace}/factors?kind=passkey"), 200).await;
    assert_eq!(factors.as_array().unwrap().len(), 1, "{factors}");
    assert_eq!(factors[0]["name"], "Chromium");
    let callback = url::Url::parse(report["callback"].as_str().unwrap()).unwrap();
    let answer: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
    let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(claims["sub"], grace, "{claims}");
    assert_eq!(claims["amr"], serde_json::json!(["email"]), "signed in by the mailed link: {claims}");
}
