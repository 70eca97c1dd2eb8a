//! The hosted pages in a real browser: Debian's Chromium, headless, driven by playwright-core
//! (`tests/browser/passkey.mjs`) with a CDP virtual authenticator. It registers a passkey on
//! the account page with the page's own script and then signs in with it alone, so the
//! JavaScript, the WebAuthn JSON encoding and the server agree in the browser that users have;
//! then a `response_mode=form_post` answer submits itself. Chromium enforces the pages'
//! Content-Security-Policy, and the run fails on any violation it reports.
//!
//! A second test signs up in German and in Arabic (`tests/browser/signup.mjs`); a third runs
//! the other self-service flows in Spanish and in Arabic (`tests/browser/account_flows.mjs`); a
//! fourth gets an account without a password back with a new passkey from the reset mail
//! (`tests/browser/recover_passkey.mjs`).
//!
//! Needs `node`, `tests/browser/node_modules` (`npm ci --prefix tests/browser`) and Chromium
//! (`CHROMIUM`, default `/usr/bin/chromium`); `.ci/run` installs them. Outside CI a missing piece
//! skips the test with a notice; under `CI=true` it fails.

use ciam_testkit::{Admin, CALLBACK, PASSWORD, authorize_url, skip_or_fail};
use serde_json::Value;

use crate::support::{browser_tools, enroll_totp, id_token_claims, localhost_setup, mails_in, run_browser_script};

#[tokio::test]
async fn a_passkey_is_registered_and_signs_in_in_headless_chromium() {
    let tools = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser").await;
    let authorize =
        format!("{origin}{}", authorize_url("web", "openid").nonce("n").extra("&acr_values=urn%3Aciam%3Aacr%3Aphr"));
    let env = [
        ("CIAM_ORIGIN", origin.to_string()),
        ("CIAM_TENANT", "acme".to_string()),
        ("CIAM_EMAIL", "ada@example.com".to_string()),
        ("CIAM_PASSWORD", PASSWORD.to_string()),
        ("CIAM_AUTHORIZE_URL", authorize.to_string()),
        ("CIAM_CALLBACK", CALLBACK.to_string()),
        ("CIAM_MAIL_DIR", s.server.data_dir.join("mail").display().to_string()),
    ];
    let report = run_browser_script(&tools, &s.server, "passkey.mjs", &env, 90).await;

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
    let tools = match browser_tools() {
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
        let env = [
            ("CIAM_ORIGIN", origin.to_string()),
            ("CIAM_AUTHORIZE_URL", authorize.to_string()),
            ("CIAM_LANG", lang.to_string()),
            ("CIAM_EMAIL", email.to_string()),
            ("CIAM_PASSWORD", PASSWORD.to_string()),
            ("CIAM_CALLBACK", CALLBACK.to_string()),
            ("CIAM_MAIL_DIR", s.server.data_dir.join("mail").display().to_string()),
        ];
        let report = run_browser_script(&tools, &s.server, "signup.mjs", &env, 90).await;
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
    let tools = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser-recover").await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let grace = admin.post("/tenants/acme/users", serde_json::json!({"email": "grace@example.com"}), 201).await;
    let grace = grace["id"].as_str().unwrap();
    let env = [
        ("CIAM_EMAIL", "grace@example.com".to_string()),
        ("CIAM_AUTHORIZE_URL", format!("{origin}{}", authorize_url("web", "openid").nonce("n"))),
        ("CIAM_CALLBACK", CALLBACK.to_string()),
        ("CIAM_MAIL_DIR", s.server.data_dir.join("mail").display().to_string()),
    ];
    let report = run_browser_script(&tools, &s.server, "recover_passkey.mjs", &env, 90).await;
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

/// A message of the server's catalogue in `lang`, with `{ $tenant }` filled in.
fn catalogue_message(lang: &str, id: &str) -> String {
    let path = format!("{}/crates/ciam-server/locales/{lang}/ciam.ftl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find_map(|l| l.strip_prefix(&format!("{id} = "))).unwrap_or_else(|| panic!("no {id}"));
    line.replace("{ $tenant }", "Acme")
}

/// The code in a callback URL the browser run reported.
fn code_of(report: &Value, key: &str) -> String {
    let callback = url::Url::parse(report[key].as_str().unwrap_or_else(|| panic!("no {key} in {report}"))).unwrap();
    let answer: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
    answer.get("code").unwrap_or_else(|| panic!("no code in {callback}")).clone()
}

/// The self-service flows in Chromium, in Spanish and in Arabic (right to left), by the pages'
/// accessible names in that language: sign-up with a taken address (same page, owner told),
/// an unverified account held at "check your mail", a reset without and with a second factor
/// (a reused link refused), an email change behind a recent sign-in, other sessions signed out
/// and an app's access removed, each taking effect on the next request.
#[tokio::test]
async fn the_self_service_flows_work_in_spanish_and_in_arabic_in_headless_chromium() {
    let tools = match browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let (s, origin) = localhost_setup("browser-flows").await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let signup =
        serde_json::json!({"settings": {"signup": {"mode": "open", "fields": [{"claim": "name", "required": true}]}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(signup)).await;
    assert_eq!(status, 200, "{body}");
    let mail_dir = s.server.data_dir.join("mail");
    let new_password = "a completely new passphrase";
    for (lang, dir_attr) in [("es", "ltr"), ("ar", "rtl")] {
        let [ada, tom, newcomer, changed] =
            ["ada", "tom", "new", "moved"].map(|who| format!("{who}-{lang}@example.com"));
        let mut ids = Vec::new();
        for who in [&ada, &tom] {
            let body = serde_json::json!({"email": who, "password": PASSWORD, "email_verified": true});
            ids.push(admin.post("/tenants/acme/users", body, 201).await["id"].as_str().unwrap().to_owned());
        }
        let tom_browser = ciam_testkit::Browser::at(&origin, None);
        let start = authorize_url("web", "openid").nonce("n").build();
        let _ = tom_browser.to_callback(tom_browser.sign_in_as(&start, &tom).await).await;
        let seed = enroll_totp(&tom_browser, &mail_dir).await;
        let env = [
            ("CIAM_ORIGIN", origin.to_string()),
            ("CIAM_TENANT", "acme".to_string()),
            ("CIAM_LANG", lang.to_string()),
            ("CIAM_AUTHORIZE_URL", format!("{origin}{start}")),
            ("CIAM_CALLBACK", CALLBACK.to_string()),
            ("CIAM_MAIL_DIR", mail_dir.display().to_string()),
            ("CIAM_PASSWORD", PASSWORD.to_string()),
            ("CIAM_NEW_PASSWORD", new_password.to_string()),
            ("CIAM_ADA", ada.to_string()),
            ("CIAM_TOM", tom.to_string()),
            ("CIAM_TOTP_SECRET", seed.to_base32().to_string()),
            ("CIAM_NEWCOMER", newcomer.to_string()),
            ("CIAM_CHANGED_EMAIL", changed.to_string()),
        ];
        let report = run_browser_script(&tools, &s.server, "account_flows.mjs", &env, 180).await;
        assert_eq!((report["page_lang"].as_str(), report["dir"].as_str()), (Some(lang), Some(dir_attr)), "{report}");

        // 1. The owner of the taken address was told, in the visitor's language; 5. Ada's old
        // address was told of the change, in hers.
        let mails = mails_in(&mail_dir);
        for id in ["mail-taken-subject", "mail-email-changed-subject"] {
            let subject = catalogue_message(lang, id);
            assert!(mails.iter().any(|(to, s, _)| to.contains(&ada) && *s == subject), "{subject}: {mails:?}");
        }
        // 2. The newcomer, held until the address was proven, is back at the app, verified.
        let claims = id_token_claims(&s.server, &s.secret, &code_of(&report, "held_callback")).await;
        let user = admin.get(&format!("/tenants/acme/users?email={newcomer}"), 200).await;
        assert_eq!(claims["sub"], user["items"][0]["id"], "{claims}");
        assert_eq!(user["items"][0]["email_verified"], true);
        // 3. Ada's reset signed her in; the link was refused the second time.
        let claims = id_token_claims(&s.server, &s.secret, &code_of(&report, "reset_callback")).await;
        assert_eq!(claims["sub"], ids[0].as_str(), "{claims}");
        assert_eq!(report["reused_link_status"], 400, "{report}");
        // 4. Tom's reset passed through his authenticator app.
        let claims = id_token_claims(&s.server, &s.secret, &code_of(&report, "second_factor_reset_callback")).await;
        assert_eq!(claims["sub"], ids[1].as_str(), "{claims}");
        let amr = claims["amr"].as_array().unwrap();
        assert!(amr.contains(&serde_json::json!("pwd")) && amr.contains(&serde_json::json!("otp")), "{claims}");
        // 5. Ada's address changed.
        assert_eq!(report["profile_email"], changed.as_str(), "{report}");
        let user = admin.get(&format!("/tenants/acme/users/{}", ids[0]), 200).await;
        assert_eq!(user["email"], changed.as_str());
        // 6, 7. The other session ended; consent is asked again.
        assert_eq!(report["other_session_signed_out"], true, "{report}");
        assert_eq!(report["consent_asked_again"], true, "{report}");
    }
}
