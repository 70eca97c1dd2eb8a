//! ciam as a SAML 2.0 identity provider, against an independent service provider: Python's
//! pysaml2 (with xmlsec1) in `tests/saml/peer.py` builds the requests, verifies ciam's signed
//! responses with ciam's published metadata, and takes part in single logout both ways.
//!
//! Needs `<target dir>/saml-venv` and `xmlsec1` (see `saml.rs`); outside CI a missing piece
//! skips the test with a notice, under `CI=true` it fails.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciam_testkit::{
    Admin, Browser, PASSWORD, Server, ServerOptions, TempDir, World, hidden, location, skip_or_fail, unix_now,
};
use serde_json::{Value, json};

use crate::BIN;
use crate::saml::{Peer, peer_python};
use crate::support::enroll_totp;

const SP: &str = "https://sp.test/saml";
const ACS: &str = "https://sp.test/saml/acs";
const SLO: &str = "https://sp.test/saml/slo";
const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

struct Fixture {
    server: Server,
    token: String,
    peer: Peer,
    /// ciam's IdP metadata, as the SP loaded it.
    metadata: String,
    _data: TempDir,
}

async fn fixture(tag: &str) -> Option<Fixture> {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => {
            skip_or_fail("pysaml2 and xmlsec1", why);
            return None;
        }
    };
    let data = TempDir::new(tag);
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let token = server.generated_admin_token();
    let admin = Admin::new(&server, token.clone());
    World::tenant("acme")
        .user_with(json!({"email": "ada@example.com", "password": PASSWORD, "email_verified": true,
                          "given_name": "Ada"}))
        .create(&admin)
        .await;
    let mut peer = Peer::start(&python).await;
    let sp = peer.ask(json!({"op": "sp_describe", "entity_id": SP, "acs": ACS, "slo": SLO})).await;
    let app = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "wiki", "name": "Wiki", "saml": {
                "entity_id": SP, "acs_urls": [ACS], "slo_url": SLO, "certificate": sp["certificate"],
                "attributes": [
                    {"name": "urn:oid:0.9.2342.19200300.100.1.3", "claim": "email", "friendly_name": "mail"},
                    {"name": "givenName", "claim": "given_name"}],
                "idp_initiated": true, "default_relay_state": "/home"}}),
            201,
        )
        .await;
    assert_eq!((&app["client_type"], &app["grant_types"]), (&json!("public"), &json!([])), "{app}");
    assert!(app.get("client_secret").is_none(), "a SAML app holds no secret: {app}");
    let res = reqwest::get(server.url("/t/acme/saml/metadata")).await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/samlmetadata+xml");
    let metadata = res.text().await.unwrap();
    assert!(metadata.contains(&format!("entityID=\"{}\"", server.url("/t/acme"))), "{metadata}");
    Some(Fixture { server, token, peer, metadata, _data: data })
}

impl Fixture {
    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.server, self.token.clone())
    }

    /// An AuthnRequest of the SP, by `binding`, with `extra` fields for the peer.
    async fn request(&mut self, binding: &str, extra: Value) -> Value {
        let mut ask = json!({"op": "sp_request", "idp_metadata": self.metadata, "entity_id": SP, "acs": ACS,
                             "slo": SLO, "binding": binding, "relay_state": "rs-1"});
        if let (Some(a), Some(e)) = (ask.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
        self.peer.ask(ask).await
    }

    /// The SP's verdict on a response page (the auto-posting form ciam answered with).
    async fn verify(&mut self, page: &str, extra: Value) -> Value {
        assert!(page.contains(&format!("action=\"{ACS}\"")), "posted to the registered ACS: {page}");
        let mut ask = json!({"op": "sp_verify", "SAMLResponse": hidden(page, "SAMLResponse"),
                             "want_response_signed": true, "want_assertions_signed": true});
        if let (Some(a), Some(e)) = (ask.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
        self.peer.try_ask(ask).await
    }
}

/// Sends `browser` to a request by the SP (a redirect URL, or a POST form) and returns ciam's
/// first answer.
async fn send(b: &Browser, request: &Value) -> reqwest::Response {
    match request["binding"].as_str() {
        Some("post") => {
            let mut form = vec![("SAMLRequest", request["SAMLRequest"].as_str().unwrap().to_owned())];
            if let Some(r) = request["RelayState"].as_str() {
                form.push(("RelayState", r.to_owned()));
            }
            // ciam reads no cookie here (a browser sends none with a cross-site POST): it keeps
            // the request and continues with a same-site GET.
            let res = b.http.post(request["action"].as_str().unwrap()).form(&form).send().await.unwrap();
            assert_eq!(res.status(), 303);
            assert!(location(&res).contains("/t/acme/saml/resume?flow="), "{}", location(&res));
            res
        }
        _ => b.get(request["url"].as_str().unwrap()).await,
    }
}

/// Follows ciam's pages (signing Ada in, allowing the consent) to the page that posts the
/// response to the SP; returns that page and the pages seen on the way.
async fn to_response(b: &Browser, mut res: reqwest::Response) -> (String, Vec<String>) {
    let mut seen = Vec::new();
    for _ in 0..10 {
        match res.status().as_u16() {
            302 | 303 => {
                let to = location(&res);
                seen.push(to.clone());
                res = b.get(&to).await;
            }
            200 => {
                let html = res.text().await.unwrap();
                if html.contains("name=\"SAMLResponse\"") {
                    return (html, seen);
                }
                let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
                res = if html.contains("name=\"password\"") {
                    let form = [
                        ("flow", flow.as_str()),
                        ("csrf", &csrf),
                        ("email", "ada@example.com"),
                        ("password", PASSWORD),
                    ];
                    b.post("/t/acme/login", &form).await
                } else {
                    assert!(html.contains("value=\"allow\""), "the consent page: {html}");
                    b.post("/t/acme/saml/consent", &[("flow", &flow), ("csrf", &csrf), ("decision", "allow")]).await
                };
            }
            status => panic!("unexpected {status}: {}", res.text().await.unwrap()),
        }
    }
    panic!("too many steps: {seen:?}")
}

fn decoded(page: &str) -> String {
    String::from_utf8(STANDARD.decode(hidden(page, "SAMLResponse")).unwrap()).unwrap()
}

#[tokio::test]
async fn pysaml2_signs_in_through_ciam_by_both_bindings_and_logs_out_from_either_side() {
    let Some(mut f) = fixture("saml-idp").await else { return };
    let b = Browser::new(&f.server);

    // SP-initiated, HTTP-Redirect: sign in, consent to the attributes, a signed response.
    let request = f.request("redirect", json!({})).await;
    assert!(request["url"].as_str().unwrap().starts_with(&f.server.url("/t/acme/saml/sso?")), "{request}");
    let (page, seen) = to_response(&b, send(&b, &request).await).await;
    assert!(seen.iter().any(|s| s.contains("/t/acme/login?flow=")), "{seen:?}");
    let consent = b.get(seen.iter().find(|s| s.contains("/saml/consent")).unwrap()).await;
    assert_eq!(consent.status(), 400, "the flow is over once answered");
    assert!(seen.iter().any(|s| s.contains("/t/acme/saml/consent?flow=")), "{seen:?}");
    assert_eq!(hidden(&page, "RelayState"), "rs-1");
    let v = f.verify(&page, json!({})).await;
    assert_eq!(v["verified"], true, "{v}: {}", f.server.logs());
    assert_eq!((&v["response_signed"], &v["assertion_signed"]), (&json!(true), &json!(true)), "{v}");
    assert_eq!((&v["in_response_to"], &v["name_id_format"]), (&request["request_id"], &json!(PERSISTENT)), "{v}");
    assert_eq!((&v["issuer"], &v["audiences"]), (&json!(f.server.url("/t/acme")), &json!([SP])), "{v}");
    assert_eq!(v["raw_attributes"]["urn:oid:0.9.2342.19200300.100.1.3"], json!(["ada@example.com"]), "{v}");
    assert_eq!(v["raw_attributes"]["givenName"], json!(["Ada"]), "{v}");
    assert_eq!(v["authn_context_class_ref"], "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");
    let persistent = v["name_id"].as_str().unwrap().to_owned();
    // Opaque: the address does not show through (a hex digest may well spell "ada").
    assert!(!persistent.contains("ada@example.com") && persistent.len() >= 32, "opaque: {persistent}");

    // The same request again: taken once.
    assert_eq!(send(&b, &request).await.status(), 400, "a replayed request");

    // HTTP-POST, signed, asking for the address: the session and the consent stand, no page.
    let request = f.request("post", json!({"sign_request": true, "name_id_format": "email"})).await;
    let (page, seen) = to_response(&b, send(&b, &request).await).await;
    assert!(seen.iter().all(|s| !s.contains("/login") && !s.contains("/consent")), "{seen:?}");
    let v = f.verify(&page, json!({})).await;
    assert_eq!((&v["name_id"], &v["name_id_format"]), (&json!("ada@example.com"), &json!(EMAIL)), "{v}");
    // And the persistent NameID is the same every time.
    let request = f.request("redirect", json!({})).await;
    let (page, _) = to_response(&b, send(&b, &request).await).await;
    assert_eq!(f.verify(&page, json!({})).await["name_id"], json!(persistent.clone()));

    // IsPassive without a session: NoPassive, never a page.
    let request = f.request("redirect", json!({"is_passive": true})).await;
    let fresh = Browser::new(&f.server);
    let res = send(&fresh, &request).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(decoded(&page).contains("urn:oasis:names:tc:SAML:2.0:status:NoPassive"), "{}", decoded(&page));
    assert_eq!(f.verify(&page, json!({})).await["verified"], json!(false));

    // IdP-initiated, from the account centre: the app's button posts an unsolicited response.
    let apps = b.get("/t/acme/account/apps").await.text().await.unwrap();
    assert!(apps.contains(">Open Wiki</button>"), "{apps}");
    let csrf = hidden(&apps, "csrf");
    let res = b.post("/t/acme/saml/launch", &[("csrf", csrf.as_str()), ("client", "wiki")]).await;
    let page = res.text().await.unwrap();
    assert_eq!(hidden(&page, "RelayState"), "/home");
    let v = f.verify(&page, json!({})).await;
    assert_eq!(v["verified"], false, "unsolicited responses are the SP's choice: {v}");
    let v = f.verify(&page, json!({"allow_unsolicited": true})).await;
    assert_eq!((&v["verified"], &v["in_response_to"]), (&json!(true), &Value::Null), "{v}");
    assert_eq!(b.post("/t/acme/saml/launch", &[("csrf", "forged"), ("client", "wiki")]).await.status(), 403);

    // Single logout from ciam: the SP is sent a signed LogoutRequest for Ada's NameID; its
    // signed answer brings the browser back to the signed-out page.
    let confirm = b.get("/t/acme/logout").await.text().await.unwrap();
    let res = b.post("/t/acme/logout/confirm", &[("csrf", &hidden(&confirm, "csrf"))]).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    let to_sp = location(&res);
    assert!(to_sp.starts_with(&format!("{SLO}?SAMLRequest=")), "{to_sp}");
    let logout = f.peer.ask(json!({"op": "sp_logout", "url": to_sp})).await;
    assert_eq!((&logout["verified"], &logout["name_id"]), (&json!(true), &json!(persistent)), "{logout}");
    assert_eq!(logout["known_session"], true, "the session the SP holds: {logout}");
    let back = b.get(logout["logout_response_url"].as_str().unwrap()).await;
    assert_eq!(back.status(), 200, "{}", f.server.logs());
    assert_eq!(b.get("/t/acme/account").await.status(), 303, "signed out");

    // Single logout from the SP: its signed LogoutRequest ends the session; it is answered.
    let b = Browser::new(&f.server);
    let request = f.request("redirect", json!({})).await;
    let (page, _) = to_response(&b, send(&b, &request).await).await;
    let v = f.verify(&page, json!({})).await;
    let ask = json!({"op": "sp_logout_request", "name_id": v["name_id"], "name_id_format": PERSISTENT,
                     "sp_name_qualifier": SP, "session_index": v["session_index"], "relay_state": "bye"});
    let asked = f.peer.ask(ask).await;
    let res = b.get(asked["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    let answer = f.peer.ask(json!({"op": "sp_logout_response", "url": location(&res)})).await;
    assert_eq!((&answer["success"], &answer["relay_state"]), (&json!(true), &json!("bye")), "{answer}");
    assert_eq!(b.get("/t/acme/account").await.status(), 303, "signed out");

    let audit = f.admin().get("/tenants/acme/audit?event_type=saml.assertion_issued", 200).await;
    assert!(audit["items"].as_array().is_some_and(|i| i.len() >= 5), "{audit}");
    assert!(!f.server.logs().contains(&hidden(&page, "SAMLResponse")), "no SAMLResponse in the log");
}

/// What cannot be answered to the app is a page; what can is a signed failure to its ACS.
#[tokio::test]
async fn requests_ciam_cannot_trust_are_refused() {
    let Some(mut f) = fixture("saml-idp-refusals").await else { return };
    let b = Browser::new(&f.server);
    // An ACS the app did not register: nothing is posted there.
    let request = f.request("redirect", json!({"acs": "https://sp.test/elsewhere"})).await;
    assert_eq!(send(&b, &request).await.status(), 400, "{}", f.server.logs());
    // An unknown SP.
    let request = f.request("redirect", json!({"entity_id": "https://other.test/sp", "acs": ACS})).await;
    assert_eq!(send(&b, &request).await.status(), 400);
    // A NameID format ciam does not issue: the app hears InvalidNameIDPolicy.
    let request = f.request("redirect", json!({"entity_id": SP, "name_id_format": "transient"})).await;
    let res = send(&b, &request).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(decoded(&page).contains("status:InvalidNameIDPolicy"), "{}", decoded(&page));
    // Signed requests required: an unsigned one is refused, a signed one goes on.
    let (status, body) = f
        .admin()
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/clients/wiki",
            Some(json!({"saml": {"require_signed_requests": true}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let request = f.request("redirect", json!({})).await;
    assert_eq!(send(&b, &request).await.status(), 400, "unsigned");
    let request = f.request("redirect", json!({"sign_request": true})).await;
    assert_eq!(send(&b, &request).await.status(), 303, "signed: on to the sign-in");
    // Garbage at every SAML door: a page that says so (400), never a 5xx.
    let bomb = {
        use std::io::Write as _;
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'<'; 8 * 1024 * 1024]).unwrap();
        STANDARD.encode(z.finish().unwrap())
    };
    let dtd = STANDARD.encode("<!DOCTYPE x [<!ENTITY a \"b\">]><samlp:AuthnRequest/>");
    for query in ["", "SAMLRequest=", "SAMLRequest=%%%", "SAMLRequest=bm90IGRlZmxhdGVk", "SAMLResponse=AAAA"] {
        for path in ["/t/acme/saml/sso", "/t/acme/saml/slo"] {
            let res = b.get(&format!("{path}?{query}")).await;
            assert_eq!(res.status(), 400, "{path}?{query}");
        }
    }
    let bomb_query: String =
        url::form_urlencoded::Serializer::new(String::new()).append_pair("SAMLRequest", &bomb).finish();
    assert_eq!(b.get(&format!("/t/acme/saml/sso?{bomb_query}")).await.status(), 400, "a deflate bomb");
    for body in [vec![("SAMLRequest", dtd.as_str())], vec![("SAMLRequest", "@@@")], vec![]] {
        assert_eq!(b.post("/t/acme/saml/sso", &body).await.status(), 400, "{body:?}");
    }
    assert_eq!(b.get("/t/acme/saml/resume?flow=nope").await.status(), 400);
    assert_eq!(b.post("/t/acme/saml/consent", &[("flow", "nope"), ("csrf", "x")]).await.status(), 400);

    // A signed request whose RelayState was changed on the way: its signature fails.
    let request = f.request("redirect", json!({"sign_request": true})).await;
    let tampered = request["url"].as_str().unwrap().replace("RelayState=rs-1", "RelayState=rs-2");
    assert_eq!(b.get(&tampered).await.status(), 400);
}

/// The management API keeps SAML apps apart from OAuth clients and their entity ids unique.
#[tokio::test]
async fn saml_apps_are_validated_by_the_admin_api() {
    let data = TempDir::new("saml-apps-admin");
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let app = |id: &str, saml: Value| json!({"client_id": id, "name": "Wiki", "saml": saml});
    let saml = json!({"entity_id": SP, "acs_urls": [ACS]});
    admin.post("/tenants/acme/clients", app("wiki", saml.clone()), 201).await;
    for (body, status, field) in [
        (app("twin", saml.clone()), 409, "saml.entity_id"),
        (app("bad", json!({"entity_id": "x", "acs_urls": ["http://sp.test/acs"]})), 422, "saml.acs_urls[0]"),
        (
            app(
                "bad",
                json!({"entity_id": "x", "acs_urls": [ACS], "attributes": [{"name": "pw", "claim": "password"}]}),
            ),
            422,
            "saml.attributes[0].claim",
        ),
        (
            json!({"client_id": "bad", "name": "W", "saml": {"entity_id": "y", "acs_urls": [ACS]},
                "grant_types": ["authorization_code"]}),
            422,
            "grant_types",
        ),
        (json!({"client_id": "bad", "name": "W"}), 422, "client_type"),
    ] {
        let (got, problem) = admin.call(reqwest::Method::POST, "/tenants/acme/clients", Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    // An OAuth request naming the SAML app is refused: it has no redirect URI.
    let res = Browser::new(&server)
        .get("/t/acme/authorize?client_id=wiki&response_type=code&redirect_uri=https://sp.test/cb&scope=openid")
        .await;
    assert_eq!(res.status(), 400);
}

/// A `RequestedAuthnContext` for multi-factor authentication asks the person for a second factor
/// (the REFEDS MFA class reported); a class ciam cannot offer is answered `NoAuthnContext`.
#[tokio::test]
async fn a_requested_mfa_context_steps_up() {
    let Some(mut f) = fixture("saml-idp-mfa").await else { return };
    let b = Browser::new(&f.server);
    let request = f.request("redirect", json!({})).await;
    let (page, _) = to_response(&b, send(&b, &request).await).await;
    assert_eq!(f.verify(&page, json!({})).await["verified"], true);
    let seed = enroll_totp(&b, &f.server.data_dir.join("mail")).await;

    // In another browser, a password sign-in is enough for a request that asks for nothing.
    let b = Browser::new(&f.server);
    let request = f.request("redirect", json!({})).await;
    let (page, _) = to_response(&b, send(&b, &request).await).await;
    let v = f.verify(&page, json!({})).await;
    assert_eq!(v["authn_context_class_ref"], "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");

    // A request for MFA steps the session up with the TOTP app.
    let request = f.request("redirect", json!({"requested_authn_context": ["https://refeds.org/profile/mfa"]})).await;
    let res = send(&b, &request).await;
    assert_eq!(res.status(), 303);
    let mfa = location(&res);
    assert!(mfa.contains("/t/acme/mfa?flow="), "a second factor is asked for: {mfa}");
    let html = b.get(&mfa).await.text().await.unwrap();
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let code = ciam_authn::totp::code_at(&seed, unix_now() + 30);
    let res = b.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "totp"), ("code", &code)]).await;
    let (page, _) = to_response(&b, res).await;
    let v = f.verify(&page, json!({})).await;
    assert_eq!(v["verified"], true, "{v}: {}", f.server.logs());
    assert_eq!(v["authn_context_class_ref"], "https://refeds.org/profile/mfa", "{v}");

    let kerberos = "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos";
    let request = f.request("redirect", json!({"requested_authn_context": [kerberos]})).await;
    let page = send(&b, &request).await.text().await.unwrap();
    assert!(decoded(&page).contains("status:NoAuthnContext"), "{}", decoded(&page));
}

/// An app registered from its own metadata gets its entity id, ACS, single logout service and
/// certificates from it; with `encrypt_assertions` its assertions are encrypted to its key, and
/// pysaml2 decrypts and verifies them.
#[tokio::test]
async fn an_app_registered_from_its_metadata_gets_encrypted_assertions() {
    let Some(mut f) = fixture("saml-idp-metadata").await else { return };
    let (entity, acs, slo) =
        ("https://portal.test/saml", "https://portal.test/saml/acs", "https://portal.test/saml/slo");
    let sp = f.peer.ask(json!({"op": "sp_describe", "entity_id": entity, "acs": acs, "slo": slo})).await;
    let app = f
        .admin()
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "portal", "name": "Portal",
                   "saml": {"metadata": sp["sp_metadata"], "encrypt_assertions": true,
                            "attributes": [{"name": "urn:oid:0.9.2342.19200300.100.1.3", "claim": "email"}]}}),
            201,
        )
        .await;
    let saml = &app["saml"];
    assert_eq!((&saml["entity_id"], &saml["acs_urls"], &saml["slo_url"]), (&json!(entity), &json!([acs]), &json!(slo)));
    assert!(saml["certificate"].as_str().is_some_and(|c| c.len() > 500), "{app}");
    assert!(saml.get("metadata").is_none(), "the metadata is read, not kept: {app}");
    let (status, problem) = f
        .admin()
        .call(
            reqwest::Method::POST,
            "/tenants/acme/clients",
            Some(json!({"client_id": "broken", "name": "B", "saml": {"metadata": "<md:EntityDescriptor/>"}})),
        )
        .await;
    assert_eq!((status, &problem["errors"][0]["field"]), (422, &json!("saml.metadata")), "{problem}");

    let b = Browser::new(&f.server);
    let request = f.request("redirect", json!({"entity_id": entity, "acs": acs, "slo": slo})).await;
    let (page, _) = to_response(&b, send(&b, &request).await).await;
    assert!(decoded(&page).contains("EncryptedAssertion") && !decoded(&page).contains("ada@example.com"));
    assert!(page.contains(&format!("action=\"{acs}\"")), "{page}");
    let v = f
        .peer
        .try_ask(
            json!({"op": "sp_verify", "SAMLResponse": hidden(&page, "SAMLResponse"), "want_response_signed": true}),
        )
        .await;
    // Read only once decrypted with the SP's key.
    assert_eq!(v["verified"], true, "{v}");
    assert_eq!(v["raw_attributes"]["urn:oid:0.9.2342.19200300.100.1.3"], json!(["ada@example.com"]), "{v}");
}
