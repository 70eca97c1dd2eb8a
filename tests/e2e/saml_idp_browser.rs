//! A SAML app in a real browser, by the pages' accessible names, in English and in Arabic (right
//! to left): headless Chromium (`tests/browser/saml_apps.mjs`) signs Ada in to a small service
//! provider the test serves on loopback, whose messages pysaml2 (`tests/saml/peer.py`) makes and
//! checks. ciam's pages post the responses to the app by their auto-submitting forms under their
//! Content-Security-Policy, and single logout takes the browser through the app and back.
//!
//! Needs pysaml2 and xmlsec1 (see `saml.rs`), Chromium and playwright-core (see
//! `support::browser_tools`); outside CI a missing piece skips the test with a notice, under
//! `CI=true` it fails.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ciam_testkit::{Admin, PASSWORD, Server, ServerOptions, TempDir, World, skip_or_fail};
use serde_json::{Value, json};

use crate::BIN;
use crate::saml::{Peer, peer_python};

const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const MAIL: &str = "urn:oid:0.9.2342.19200300.100.1.3";

/// What the service provider was sent: the forms posted to its ACS and its verdicts on the
/// LogoutRequests it was sent.
#[derive(Default)]
struct Seen {
    posts: Vec<HashMap<String, String>>,
    logouts: Vec<Value>,
}

/// The service provider the browser talks to: its ACS and single logout service, with the
/// peer's SP side doing the SAML.
#[derive(Clone)]
struct TestSp {
    slo: String,
    peer: Arc<tokio::sync::Mutex<Peer>>,
    seen: Arc<std::sync::Mutex<Seen>>,
}

/// `POST /acs`: keeps the form; a page headed "Test SP".
async fn acs(State(sp): State<TestSp>, axum::Form(form): axum::Form<HashMap<String, String>>) -> Html<&'static str> {
    sp.seen.lock().unwrap().posts.push(form);
    Html("<!doctype html>\n<html lang=\"en\"><head><title>Test SP</title></head><body><h1>Test SP</h1></body></html>\n")
}

/// `GET /slo`: the peer verifies ciam's LogoutRequest (the URL exactly as called) and answers
/// with its LogoutResponse, to which the browser is redirected.
async fn slo(State(sp): State<TestSp>, RawQuery(query): RawQuery) -> Response {
    let url = format!("{}?{}", sp.slo, query.unwrap_or_default());
    let verdict = sp.peer.lock().await.try_ask(json!({"op": "sp_logout", "url": url})).await;
    sp.seen.lock().unwrap().logouts.push(verdict.clone());
    match verdict["logout_response_url"].as_str() {
        Some(to) if verdict["verified"] == true => {
            (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
        }
        _ => (StatusCode::BAD_REQUEST, format!("the LogoutRequest is refused: {verdict}")).into_response(),
    }
}

/// A message of the server's catalogue in `lang` (a single line, without arguments).
fn catalogue(lang: &str, id: &str) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("crates/ciam-server/locales/{lang}/ciam.ftl"));
    let text = std::fs::read_to_string(&path).unwrap();
    let prefix = format!("{id} = ");
    let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {id} in {}", path.display()));
    line[prefix.len()..].trim().to_owned()
}

/// SP-initiated and IdP-initiated sign-in to the SAML app "Wiki" and single logout from ciam, in
/// Chromium, in English and in Arabic: the sign-in page names the app, "Allow" on the consent
/// page, "Open Wiki" in the account centre, "Sign out"; the app receives two signed responses
/// pysaml2 verifies, and ciam's LogoutRequest for the NameID it was given.
#[tokio::test]
async fn chromium_signs_in_to_a_saml_app_both_ways_and_logs_out_through_it() {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail("pysaml2 and xmlsec1", why),
    };
    let tools = match crate::support::browser_tools() {
        Ok(tools) => tools,
        Err(why) => return skip_or_fail("headless Chromium with playwright-core", why),
    };
    let data = TempDir::new("saml-idp-browser");
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let created = World::tenant("acme")
        .named("Acme")
        .user_with(json!({"email": "ada@example.com", "password": PASSWORD, "email_verified": true,
                          "given_name": "Ada"}))
        .create(&admin)
        .await;
    let ada = created.user_id("ada@example.com");

    // The service provider, on 127.0.0.1 (another site than ciam's localhost).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sp_origin = format!("http://{}", listener.local_addr().unwrap());
    let (entity_id, acs_url, slo_url) =
        (format!("{sp_origin}/sp"), format!("{sp_origin}/acs"), format!("{sp_origin}/slo"));
    let peer = Arc::new(tokio::sync::Mutex::new(Peer::start(&python).await));
    let seen = Arc::new(std::sync::Mutex::new(Seen::default()));
    let test_sp = TestSp { slo: slo_url.clone(), peer: peer.clone(), seen: seen.clone() };
    let router = axum::Router::new()
        .route("/acs", axum::routing::post(acs))
        .route("/slo", axum::routing::get(slo))
        .with_state(test_sp);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let sp = peer
        .lock()
        .await
        .ask(json!({"op": "sp_describe", "entity_id": entity_id, "acs": acs_url, "slo": slo_url}))
        .await;
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "wiki", "name": "Wiki", "saml": {
                "entity_id": entity_id, "acs_urls": [acs_url], "slo_url": slo_url, "certificate": sp["certificate"],
                "attributes": [{"name": MAIL, "claim": "email", "friendly_name": "mail"}],
                "idp_initiated": true, "default_relay_state": "/home"}}),
            201,
        )
        .await;
    let res = reqwest::get(server.url("/t/acme/saml/metadata")).await.unwrap();
    assert_eq!(res.status(), 200);
    let metadata = res.text().await.unwrap();

    let sessions = format!("/tenants/acme/users/{ada}/sessions");
    let mut persistent: Option<String> = None;
    for (lang, dir) in [("en", "ltr"), ("ar", "rtl")] {
        let relay_state = format!("rs-{lang}");
        let request = peer
            .lock()
            .await
            .ask(json!({"op": "sp_request", "idp_metadata": metadata, "entity_id": entity_id, "acs": acs_url,
                        "slo": slo_url, "binding": "redirect", "relay_state": relay_state}))
            .await;
        let sso_url = request["url"].as_str().unwrap().to_owned();
        assert!(sso_url.starts_with(&server.url("/t/acme/saml/sso?SAMLRequest=")), "{request}");
        let env = [
            ("CIAM_LANG", lang.to_owned()),
            ("CIAM_ORIGIN", server.url("")),
            ("CIAM_TENANT", "acme".to_owned()),
            ("CIAM_TENANT_NAME", "Acme".to_owned()),
            ("CIAM_SSO_URL", sso_url),
            ("CIAM_EMAIL", "ada@example.com".to_owned()),
            ("CIAM_PASSWORD", PASSWORD.to_owned()),
            ("CIAM_APP_NAME", "Wiki".to_owned()),
            ("CIAM_ACS", acs_url.clone()),
        ];
        let report = crate::support::run_browser_script(&tools, &server, "saml_apps.mjs", &env, 120).await;

        // The pages, in the browser's language.
        assert_eq!((&report["lang_attr"], &report["dir"]), (&json!(lang), &json!(dir)), "{report}");
        assert_eq!((&report["sp_initiated"], &report["idp_initiated"]), (&json!(acs_url), &json!(acs_url)), "{report}");
        assert_eq!(report["signed_out_heading"], catalogue(lang, "logout-done"), "{report}");
        assert_eq!((&report["signed_out_dir"], &report["signed_out_lang"]), (&json!(dir), &json!(lang)), "{report}");
        if lang == "en" {
            assert_eq!(report["continue_to"], "to continue to Wiki", "{report}");
            assert_eq!(report["signed_out_heading"], "You are signed out", "{report}");
        }
        // Signing out went through the app's single logout service and back to ciam's.
        let path: Vec<&str> = report["sign_out_path"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(
            path,
            [
                format!("POST {}", server.url("/t/acme/logout/confirm")),
                format!("GET {slo_url}"),
                format!("GET {}", server.url("/t/acme/saml/slo")),
            ],
            "{report}"
        );

        // The app was posted two responses: the one it asked for, then the unsolicited one.
        let (posts, logouts) = {
            let mut seen = seen.lock().unwrap();
            (std::mem::take(&mut seen.posts), std::mem::take(&mut seen.logouts))
        };
        assert_eq!(posts.len(), 2, "{lang}: {posts:?}");
        assert_eq!(posts[0].get("RelayState"), Some(&relay_state), "{posts:?}");
        assert_eq!(posts[1].get("RelayState").map(String::as_str), Some("/home"), "{posts:?}");
        let mut peer = peer.lock().await;
        let verify = |post: &HashMap<String, String>, unsolicited: bool| {
            json!({"op": "sp_verify", "SAMLResponse": post["SAMLResponse"], "want_response_signed": true,
                   "want_assertions_signed": true, "allow_unsolicited": unsolicited})
        };
        let asked = peer.try_ask(verify(&posts[0], false)).await;
        assert_eq!(asked["verified"], true, "{lang}: {asked}\n{}", server.logs());
        assert_eq!((&asked["in_response_to"], &asked["name_id_format"]), (&request["request_id"], &json!(PERSISTENT)));
        assert_eq!((&asked["issuer"], &asked["audiences"]), (&json!(server.url("/t/acme")), &json!([entity_id])));
        assert_eq!(asked["raw_attributes"][MAIL], json!(["ada@example.com"]), "{asked}");
        let name_id = asked["name_id"].as_str().unwrap().to_owned();
        // Opaque: neither the address nor the user id shows through (a hex digest may well spell "ada").
        assert!(
            !name_id.contains("ada@example.com") && !name_id.contains(ada.as_str()) && name_id.len() >= 32,
            "an opaque persistent NameID: {name_id}"
        );
        assert_eq!(persistent.get_or_insert_with(|| name_id.clone()), &name_id, "the same NameID in both languages");

        let opened = peer.try_ask(verify(&posts[1], false)).await;
        assert_eq!(opened["verified"], false, "unsolicited responses are the SP's choice: {opened}");
        let opened = peer.try_ask(verify(&posts[1], true)).await;
        assert_eq!(opened["verified"], true, "{lang}: {opened}");
        assert_eq!((&opened["in_response_to"], &opened["name_id"]), (&Value::Null, &json!(name_id)), "{opened}");
        assert_eq!(opened["raw_attributes"][MAIL], json!(["ada@example.com"]), "{opened}");
        drop(peer);

        // ciam's LogoutRequest, verified by the app, named the NameID it had been given.
        assert_eq!(logouts.len(), 1, "{lang}: {logouts:?}");
        let logout = &logouts[0];
        assert_eq!((&logout["verified"], &logout["signature"]), (&json!(true), &json!("valid")), "{logout}");
        assert_eq!((&logout["name_id"], &logout["name_id_format"]), (&json!(name_id), &json!(PERSISTENT)), "{logout}");
        assert_eq!(logout["session_indexes"], json!([asked["session_index"]]), "{logout}");

        // Ada has no session left; her consent is remembered (taken back for the next language,
        // which then asks again).
        assert_eq!(admin.get(&sessions, 200).await, json!([]), "{lang}: signed out");
        let consents = admin.get(&format!("/tenants/acme/users/{ada}/consents"), 200).await;
        assert_eq!(consents[0]["client_id"], "wiki", "{consents}");
        let (status, body) =
            admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{ada}/consents/wiki"), None).await;
        assert_eq!(status, 204, "{body}");
    }
}
