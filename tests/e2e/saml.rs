//! SAML 2.0 service provider against an independent identity provider: Python's pysaml2 (with
//! xmlsec1) in `tests/saml/peer.py`, driven one JSON line at a time. The peer checks the
//! signature of ciam's AuthnRequest against the metadata ciam publishes, answers it with signed
//! responses, and tampers with them the classic ways (XML signature wrapping XSW1-8, comment
//! injection, unsigned, another audience, expired, another key): ciam signs the person in for
//! the first and refuses every other, creating nobody. Metadata given by URL is refreshed on a
//! schedule.
//!
//! Needs `<target dir>/saml-venv` with `tests/saml/requirements.txt` and `xmlsec1`; `.ci/run`
//! prepares both. Outside CI a missing piece skips the test with a notice; under `CI=true` it
//! fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ciam_testkit::{
    Admin, Browser, CALLBACK, Server, ServerOptions, TempDir, World, authorize_url, hidden, location, skip_or_fail,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::BIN;

/// The peer's Python, or why it cannot run here.
pub(crate) fn peer_python() -> Result<PathBuf, String> {
    let target = Path::new(BIN).parent().and_then(Path::parent).ok_or("no target directory")?;
    let python = target.join("saml-venv/bin/python");
    if !python.exists() {
        return Err(format!("{} is missing: see tests/saml/README.md", python.display()));
    }
    if std::process::Command::new("xmlsec1").arg("--version").output().is_err() {
        return Err("xmlsec1 is not installed (apt-get install xmlsec1)".into());
    }
    Ok(python)
}

pub(crate) struct Peer {
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    pub(crate) ready: Value,
}

impl Peer {
    pub(crate) async fn start(python: &Path) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/saml/peer.py");
        let mut child = tokio::process::Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the peer starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line()).await.unwrap().unwrap().unwrap();
        let ready: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(ready["ready"], true, "{ready}");
        Self { _child: child, stdin, stdout, ready }
    }

    /// The peer's answer to `message`, which must be `ok`.
    pub(crate) async fn ask(&mut self, message: Value) -> Value {
        let answer = self.try_ask(message.clone()).await;
        assert_eq!(answer["ok"], true, "{message} -> {answer}");
        answer
    }

    /// The peer's answer to `message`, whatever it is (a refusal is `"ok": false`).
    pub(crate) async fn try_ask(&mut self, message: Value) -> Value {
        self.stdin.write_all(format!("{message}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
        let line =
            tokio::time::timeout(Duration::from_secs(60), self.stdout.next_line()).await.unwrap().unwrap().unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

struct Fixture {
    server: Server,
    token: String,
    peer: Peer,
    _data: TempDir,
}

async fn fixture(tag: &str, python: &Path) -> Fixture {
    let data = TempDir::new(tag);
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let token = server.generated_admin_token();
    let admin = Admin::new(&server, token.clone());
    World::tenant("acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&admin)
        .await;
    let mut peer = Peer::start(python).await;
    let provider = admin
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "corp", "kind": "saml", "display_name": "Corp SSO", "saml_metadata": peer.ready["idp_metadata"],
                   "create_users": true, "trusted_email_domains": ["corp.example"],
                   "claim_mapping": {"name": "displayName"}}),
            201,
        )
        .await;
    assert_eq!(provider["issuer"], peer.ready["entity_id"], "the entity id of the metadata: {provider}");
    let res = reqwest::get(server.url("/t/acme/saml/corp/metadata")).await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/samlmetadata+xml");
    let sp_metadata = res.text().await.unwrap();
    let loaded = peer.ask(json!({"op": "sp_metadata", "xml": sp_metadata})).await;
    let sp = &loaded["entities"][0];
    assert_eq!(sp["authn_requests_signed"], true, "ciam signs its requests: {loaded}");
    assert_eq!((&sp["signing_certificates"], &sp["encryption_certificates"]), (&json!(1), &json!(1)), "{loaded}");
    Fixture { server, token, peer, _data: data }
}

/// The user the peer signs in.
fn nina() -> Value {
    json!({"name_id": "nina-42", "name_id_format": "persistent",
           "attributes": {"mail": ["nina@corp.example"], "displayName": ["Nina Corp"]}})
}

/// Starts a sign-in with Corp in a fresh browser; returns the browser and the URL ciam sends it
/// to (the identity provider's SSO endpoint with the AuthnRequest).
async fn start(f: &Fixture) -> (Browser, String) {
    let b = Browser::new(&f.server);
    let res = b.get(&authorize_url("web", "openid").nonce("n").build()).await;
    let html = b.get(&location(&res)).await.text().await.unwrap();
    assert!(html.contains("Continue with Corp SSO"), "{html}");
    let form = [("flow", hidden(&html, "flow")), ("csrf", hidden(&html, "csrf")), ("provider", "corp".to_owned())];
    let res = b.http.post(b.abs("/t/acme/login/upstream")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    (b, location(&res))
}

/// Posts `saml_response` to the ACS as the identity provider's page would (cross-site: no
/// cookies), then continues in the browser; returns ciam's answer there.
async fn post_back(b: &Browser, acs: &str, saml_response: &str, relay_state: &str) -> reqwest::Response {
    let cross_site = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = cross_site
        .post(acs)
        .form(&[("SAMLResponse", saml_response), ("RelayState", relay_state)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    b.get(&location(&res)).await
}

fn users_with(users: &Value, email: &str) -> usize {
    users["items"].as_array().unwrap().iter().filter(|u| u["email"] == email).count()
}

#[tokio::test]
async fn pysaml2_signs_a_user_in_and_every_tampered_response_is_refused() {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail("pysaml2 and xmlsec1", why),
    };
    let mut f = fixture("saml-sp", &python).await;
    let admin = Admin::new(&f.server, f.token.clone());

    // ciam's AuthnRequest is signed (HTTP-Redirect, RSA-SHA256): the peer requires the signature
    // and checks it against the certificate of ciam's metadata, and so does pysaml2 its own way.
    // The same request with another RelayState, or without its signature, is refused.
    let (_, sso) = start(&f).await;
    for (tampered, why) in [
        (sso.replace("RelayState=", "RelayState=x"), "does not verify"),
        (sso.split("&SigAlg=").next().unwrap().to_owned(), "not signed"),
    ] {
        assert_ne!(tampered, sso);
        let refused = f
            .peer
            .try_ask(
                json!({"op": "respond", "authn_request_url": tampered, "user": nina(), "require_signed_request": true}),
            )
            .await;
        assert_eq!(refused["ok"], false, "{why}: {refused}");
        assert!(refused["error"].as_str().unwrap().contains(why), "{why}: {refused}");
    }

    // A signed assertion: Nina is created, linked by her NameID, and signed in.
    let (b, sso) = start(&f).await;
    assert!(sso.starts_with(f.peer.ready["sso_url"].as_str().unwrap()), "{sso}");
    let answer = f
        .peer
        .ask(json!({"op": "respond", "authn_request_url": sso, "user": nina(), "sign_assertion": true,
                    "sign_response": false, "require_signed_request": true}))
        .await;
    assert_eq!(answer["request_signed"], true, "{answer}");
    let request = &answer["request"];
    assert_eq!(
        (&request["signature"], &request["pysaml2_signature_check"]),
        (&json!("valid"), &json!(true)),
        "{answer}"
    );
    assert_eq!(request["sig_alg"], "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "{answer}");
    assert_eq!(answer["request"]["acs_url"], f.server.url("/t/acme/saml/corp/acs"), "{answer}");
    let (acs, response, relay) = (
        answer["acs"].as_str().unwrap(),
        answer["SAMLResponse"].as_str().unwrap(),
        answer["RelayState"].as_str().unwrap(),
    );
    let res = post_back(&b, acs, response, relay).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    let callback = b.to_callback(res).await;
    assert!(callback.contains_key("code"), "{callback:?}: {}", f.server.logs());
    let users = admin.get("/tenants/acme/users", 200).await;
    let created = users["items"].as_array().unwrap().iter().find(|u| u["email"] == "nina@corp.example").cloned();
    let created = created.unwrap_or_else(|| panic!("{users}"));
    assert_eq!((&created["name"], &created["email_verified"]), (&json!("Nina Corp"), &json!(true)), "{created}");
    let links = admin.get(&format!("/tenants/acme/users/{}/identities", created["id"].as_str().unwrap()), 200).await;
    assert_eq!((&links[0]["provider"], &links[0]["subject"]), (&json!("corp"), &json!("nina-42")), "{links}");

    // The same response again, for a new sign-in in its own browser: it answers another request.
    let (b2, sso2) = start(&f).await;
    let q: std::collections::HashMap<_, _> = url::Url::parse(&sso2).unwrap().query_pairs().into_owned().collect();
    let res = post_back(&b2, acs, response, &q["RelayState"]).await;
    assert_eq!(res.status(), 502, "a replayed response: {}", f.server.logs());
    // Posted back into another browser than the one that started the sign-in: it goes nowhere.
    let (_, sso3) = start(&f).await;
    let q: std::collections::HashMap<_, _> = url::Url::parse(&sso3).unwrap().query_pairs().into_owned().collect();
    assert_eq!(post_back(&Browser::new(&f.server), acs, response, &q["RelayState"]).await.status(), 400);

    // Signed by the response only, and by both; and encrypted for ciam's key (published in its
    // metadata), signed inside or outside: accepted.
    for (sign_response, sign_assertion, encrypt) in
        [(true, false, false), (true, true, false), (false, true, true), (true, false, true)]
    {
        let (b, sso) = start(&f).await;
        let a = f
            .peer
            .ask(json!({"op": "respond", "authn_request_url": sso, "user": nina(),
                        "sign_response": sign_response, "sign_assertion": sign_assertion,
                        "encrypt_assertion": encrypt}))
            .await;
        let res = post_back(&b, acs, a["SAMLResponse"].as_str().unwrap(), a["RelayState"].as_str().unwrap()).await;
        assert_eq!(
            res.status(),
            303,
            "response {sign_response} assertion {sign_assertion} encrypted {encrypt}: {}",
            f.server.logs()
        );
    }

    // Tampered, or signed by a key the metadata does not have: refused, and nobody is made.
    let mut refused = Vec::new();
    for attack in [
        "xsw1",
        "xsw2",
        "xsw3",
        "xsw4",
        "xsw5",
        "xsw6",
        "xsw7",
        "xsw8",
        "unsigned",
        "wrong_audience",
        "expired",
        "attacker",
        "encrypted_for_another",
    ] {
        let (b, sso) = start(&f).await;
        let signed_response = matches!(attack, "xsw1" | "xsw2");
        let mut ask = json!({"op": "respond", "authn_request_url": sso, "user": nina(),
                             "sign_assertion": !signed_response, "sign_response": signed_response});
        if attack == "attacker" {
            ask["signing_key"] = json!("attacker");
        }
        if attack == "encrypted_for_another" {
            ask["encrypt_assertion"] = json!(true);
            ask["encryption_certificate"] = f.peer.ready["attacker_certificate"].clone();
        }
        let a = f.peer.ask(ask).await;
        let mut saml_response = a["SAMLResponse"].as_str().unwrap().to_owned();
        if !matches!(attack, "attacker" | "encrypted_for_another") {
            let t = f.peer.ask(json!({"op": "tamper", "SAMLResponse": saml_response, "attack": attack})).await;
            saml_response = t["SAMLResponse"].as_str().unwrap().to_owned();
        }
        let res = post_back(&b, acs, &saml_response, a["RelayState"].as_str().unwrap()).await;
        assert_eq!(res.status(), 502, "{attack} must be refused: {}", f.server.logs());
        refused.push(attack);
    }
    let users = admin.get("/tenants/acme/users", 200).await;
    assert_eq!(users_with(&users, "admin@evil.test"), 0, "{users}");
    assert_eq!(users["items"].as_array().unwrap().len(), 2, "Ada and Nina only: {users}");

    // A comment inside the NameID does not shorten it: the signed value is read whole.
    let (b, sso) = start(&f).await;
    let mut user = nina();
    user["name_id"] = json!("admin@x.test.evil.test");
    let a = f.peer.ask(json!({"op": "respond", "authn_request_url": sso, "user": user, "sign_assertion": true})).await;
    let t = f.peer.ask(json!({"op": "tamper", "SAMLResponse": a["SAMLResponse"], "attack": "comment_injection"})).await;
    let res = post_back(&b, acs, t["SAMLResponse"].as_str().unwrap(), a["RelayState"].as_str().unwrap()).await;
    assert_eq!(res.status(), 303, "{}", f.server.logs());
    let nina_id = created["id"].as_str().unwrap();
    let links = admin.get(&format!("/tenants/acme/users/{nina_id}/identities"), 200).await;
    let subjects: Vec<&str> = links.as_array().unwrap().iter().filter_map(|l| l["subject"].as_str()).collect();
    assert!(subjects.contains(&"admin@x.test.evil.test") && !subjects.contains(&"admin@x.test"), "{links}");
    assert!(!f.server.logs().contains(response), "no SAMLResponse in the log");
}

/// Metadata given by URL is fetched (through the guarded client) when the provider is saved, and
/// again by a change that names the URL; one that cannot be fetched or read is refused by name.
#[tokio::test]
async fn metadata_by_url_is_fetched_when_saved() {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail("pysaml2 and xmlsec1", why),
    };
    let peer = Peer::start(&python).await;
    let xml = peer.ready["idp_metadata"].as_str().unwrap().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/metadata.xml", axum::routing::get(move || async move { xml }))
        .route("/broken.xml", axum::routing::get(|| async { "<nope/>" }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let data = TempDir::new("saml-url");
    let opts = ServerOptions {
        env: vec![("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &data.0, opts).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let body =
        |url: String| Some(json!({"id": "corp", "kind": "saml", "display_name": "Corp", "saml_metadata_url": url}));
    let p = "/tenants/acme/identity-providers";
    let (status, created) = admin.call(reqwest::Method::POST, p, body(format!("{base}/metadata.xml"))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["issuer"], peer.ready["entity_id"], "{created}");
    assert!(created["saml_metadata"].as_str().is_some_and(|m| m.contains("IDPSSODescriptor")), "{created}");
    for (url, why) in
        [(format!("{base}/missing.xml"), "could not be fetched"), (format!("{base}/broken.xml"), "EntityDescriptor")]
    {
        let mut b = body(url).unwrap();
        b["id"] = json!("other");
        let (status, problem) = admin.call(reqwest::Method::POST, p, Some(b)).await;
        assert_eq!(status, 422, "{problem}");
        let error = &problem["errors"][0];
        assert!(error["field"].as_str().unwrap().starts_with("saml_metadata"), "{problem}");
        assert!(error["message"].as_str().unwrap().contains(why), "{why}: {problem}");
    }
}

/// Metadata given by URL is fetched again on a schedule (here every second): an identity
/// provider that rotates its signing certificate is followed, with the directory's cache
/// invalidated at once (a response signed with the new key signs in, one with the old key no
/// longer), and audited once; metadata that stops being readable leaves the last good one in
/// place, with a warning naming the tenant and the provider.
#[tokio::test]
async fn metadata_by_url_is_refreshed_on_a_schedule() {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail("pysaml2 and xmlsec1", why),
    };
    let mut peer = Peer::start(&python).await;
    let original = peer.ready["idp_metadata"].as_str().unwrap().to_owned();
    let body = |pem: &Value| pem.as_str().unwrap().lines().filter(|l| !l.starts_with("-----")).collect::<String>();
    let (old_cert, new_cert) = (body(&peer.ready["certificate"]), body(&peer.ready["attacker_certificate"]));
    assert!(original.contains(&old_cert), "{original}");
    let rotated = original.replace(&old_cert, &new_cert);
    let served = Arc::new(Mutex::new(original.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/metadata.xml", listener.local_addr().unwrap());
    let doc = served.clone();
    let app = axum::Router::new().route(
        "/metadata.xml",
        axum::routing::get(move || {
            let xml = doc.lock().unwrap().clone();
            async move { xml }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let data = TempDir::new("saml-refresh");
    let opts = ServerOptions {
        env: vec![
            ("CIAM_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into()),
            ("CIAM_FEDERATION__SAML_METADATA_REFRESH_SECS".into(), "1".into()),
        ],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &data.0, opts).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    World::tenant("acme")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&admin)
        .await;
    admin
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "corp", "kind": "saml", "display_name": "Corp SSO", "saml_metadata_url": url,
                   "create_users": true, "trusted_email_domains": ["corp.example"]}),
            201,
        )
        .await;
    let sp_metadata = reqwest::get(server.url("/t/acme/saml/corp/metadata")).await.unwrap().text().await.unwrap();
    peer.ask(json!({"op": "sp_metadata", "xml": sp_metadata})).await;
    let stored = || async { admin.get("/tenants/acme/identity-providers/corp", 200).await["saml_metadata"].clone() };
    let refreshes = || async {
        let events = admin.get("/tenants/acme/audit?type=identity_provider.updated", 200).await;
        let reasons = events["items"].as_array().unwrap().iter().filter_map(|e| e["reason"].as_str());
        reasons.filter(|r| r.contains("metadata refreshed")).count()
    };

    // The identity provider rotates its key: the new certificate is taken within a few periods.
    *served.lock().unwrap() = rotated.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while stored().await != json!(rotated) {
        assert!(tokio::time::Instant::now() < deadline, "not refreshed: {}", server.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A response signed with the new key signs in; one signed with the old key is refused.
    for (signing_key, status) in [("attacker", 303), ("idp", 502)] {
        let b = Browser::new(&server);
        let res = b.get(&authorize_url("web", "openid").nonce("n").build()).await;
        let html = b.get(&location(&res)).await.text().await.unwrap();
        let form = [("flow", hidden(&html, "flow")), ("csrf", hidden(&html, "csrf")), ("provider", "corp".to_owned())];
        let res = b.http.post(b.abs("/t/acme/login/upstream")).form(&form).send().await.unwrap();
        let a = peer
            .ask(json!({"op": "respond", "authn_request_url": location(&res), "user": nina(),
                        "sign_assertion": true, "signing_key": signing_key}))
            .await;
        let res = post_back(
            &b,
            a["acs"].as_str().unwrap(),
            a["SAMLResponse"].as_str().unwrap(),
            a["RelayState"].as_str().unwrap(),
        )
        .await;
        assert_eq!(res.status(), status, "signed by {signing_key}: {}", server.logs());
    }

    // Metadata that cannot be read leaves the last good one in place, and says so in the log.
    *served.lock().unwrap() = "<nope/>".into();
    let warned = |logs: &str| {
        logs.lines().any(|l| l.contains("SAML metadata refresh failed") && l.contains("acme") && l.contains("corp"))
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !warned(&server.logs()) {
        assert!(tokio::time::Instant::now() < deadline, "no warning: {}", server.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored().await, json!(rotated));
    // The unchanged metadata of the periods before and after the rotation stored nothing: one
    // refresh, audited once.
    assert_eq!(refreshes().await, 1, "{}", server.logs());
}

/// A response the identity provider sends unasked (from its portal) is refused unless the
/// provider allows IdP-initiated sign-in; then it signs the person in to the account pages, once.
#[tokio::test]
async fn idp_initiated_sign_in_is_off_until_allowed_and_never_replays() {
    let python = match peer_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail("pysaml2 and xmlsec1", why),
    };
    let mut f = fixture("saml-idp-initiated", &python).await;
    let admin = Admin::new(&f.server, f.token.clone());
    let acs = f.server.url("/t/acme/saml/corp/acs");
    let a = f
        .peer
        .ask(json!({"op": "unsolicited", "acs": acs, "audience": f.server.url("/t/acme/saml/corp"),
                    "user": nina(), "sign_assertion": true}))
        .await;
    let response = a["SAMLResponse"].as_str().unwrap().to_owned();
    let b = Browser::new(&f.server);
    let post = |b: &Browser| b.http.post(&acs).form(&[("SAMLResponse", response.as_str())]).send();
    assert_eq!(post(&b).await.unwrap().status(), 400, "off by default");
    let (status, body) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/identity-providers/corp",
            Some(json!({"saml_allow_idp_initiated": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let res = post(&b).await.unwrap();
    assert_eq!(res.status(), 303);
    let (page, seen) = b.follow(res).await;
    assert_eq!(page.status(), 200, "{seen:?}: {}", f.server.logs());
    assert!(seen.last().is_some_and(|l| l.ends_with("/t/acme/account")), "to the account pages: {seen:?}");
    let users = admin.get("/tenants/acme/users", 200).await;
    assert_eq!(users_with(&users, "nina@corp.example"), 1, "{users}");
    // The same response again: refused (its assertion was used).
    let again = Browser::new(&f.server);
    let res = post(&again).await.unwrap();
    let res = again.get(&location(&res)).await;
    assert_eq!(res.status(), 502, "{}", f.server.logs());
    assert!(f.server.logs().contains("used before (replay)"));
}
