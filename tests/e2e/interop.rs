//! Interoperability with an independent FAPI 2.0 relying party: `tests/interop/fapi-rp.mjs`,
//! built on the certified `openid-client` library for Node.js, completes PAR + JAR + JARM + DPoP +
//! `private_key_jwt` against the real server, validating everything it receives with the
//! library's own checks. The test registers the client with the keys the script generated,
//! signs Ada in and consents with the test browser, and asserts on the script's report.
//!
//! Needs Node.js 20 or later and `tests/interop/node_modules` (`npm ci --prefix tests/interop`);
//! `.ci/run` installs them. Outside CI a missing piece skips the test with a notice; under
//! `CI=true` it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use ciam_testkit::{Admin, Browser, CALLBACK, Server, ServerOptions, TempDir, World, claims, location, skip_or_fail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::BIN;

/// How long the script may take for one step.
const STEP: Duration = Duration::from_secs(30);

/// The relying party's directory, or why it cannot run here.
fn interop_tools() -> Result<PathBuf, String> {
    // openid-client 6 needs Node.js 20 or later (WebCrypto and fetch as globals).
    crate::support::node_package("interop", "openid-client")
}

/// The relying party's process, spoken to one JSON line at a time.
struct RelyingParty {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl RelyingParty {
    fn start(dir: &Path, issuer: &str, client_id: &str, mode: &str) -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(dir.join("fapi-rp.mjs"))
            .current_dir(dir)
            .env("CIAM_ISSUER", issuer)
            .env("CIAM_CLIENT_ID", client_id)
            .env("CIAM_REDIRECT_URI", CALLBACK)
            .env("CIAM_RP_MODE", mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdin, stdout }
    }

    /// The script's next message; on its exit, fails with what it wrote to stderr (the
    /// library's error) and the server's log.
    async fn read(&mut self, server: &Server) -> Value {
        let line = tokio::time::timeout(STEP, self.stdout.next_line()).await.expect("the relying party timed out");
        if let Ok(Some(line)) = line {
            return serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        }
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = tokio::time::timeout(STEP, err.read_to_string(&mut stderr)).await;
        }
        let status = tokio::time::timeout(STEP, self.child.wait()).await;
        panic!("the relying party stopped ({status:?}):\n{stderr}\nserver log:\n{}", server.logs())
    }

    async fn write(&mut self, message: Value) {
        self.stdin.write_all(format!("{message}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }
}

/// A server with tenant `acme` and Ada, the relying party started in `mode` and registered as
/// the FAPI 2.0 client `fapi-rp` with the keys it generated; returns them with the authorization
/// URL the relying party wants the user sent to.
async fn registered(dir: &Path, tag: &str, mode: &str) -> (Server, TempDir, RelyingParty, String) {
    let data = TempDir::new(tag);
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    World::tenant("acme").named("Acme Bank").user("ada@example.com").create(&admin).await;
    let issuer = server.url("/t/acme");
    let mut rp = RelyingParty::start(dir, &issuer, "fapi-rp", mode);
    let hello = rp.read(&server).await;
    let jwks = hello["jwks"].clone();
    assert_eq!(jwks["keys"][0]["alg"], "ES256", "{hello}");
    admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "fapi-rp", "name": "Interop RP", "client_type": "confidential",
                   "redirect_uris": [CALLBACK], "scopes": ["openid", "offline_access"],
                   "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks,
                   "security_profile": "fapi2", "require_signed_request_object": true}),
            201,
        )
        .await;
    rp.write(json!({"ok": true})).await;
    let url = rp.read(&server).await["authorization_url"].as_str().expect("an authorization URL").to_owned();
    (server, data, rp, url)
}

#[tokio::test]
async fn openid_client_completes_par_jar_dpop_and_private_key_jwt() {
    let dir = match interop_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with openid-client", why),
    };
    let (server, _data, mut rp, url) = registered(&dir, "interop", "pushed").await;
    let issuer = server.url("/t/acme");
    // The request was pushed: the front channel carries only its reference.
    let sent: std::collections::HashMap<String, String> =
        url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    assert!(url.starts_with(&format!("{issuer}/authorize?")), "{url}");
    assert_eq!(sent.len(), 2, "client_id and request_uri alone: {url}");
    assert!(sent["request_uri"].starts_with("urn:ietf:params:oauth:request_uri:"), "{url}");

    let (_, callback) = Browser::new(&server).authorize(&url, "allow").await;
    // JARM: the code travels only inside the signed `response` (the library verifies it).
    let answer: std::collections::HashMap<_, _> = callback.query_pairs().into_owned().collect();
    assert!(answer.contains_key("response") && !answer.contains_key("code"), "{callback}");
    rp.write(json!({"callback": callback.as_str()})).await;
    let report = rp.read(&server).await;

    let id_token = &report["id_token_claims"];
    assert_eq!(id_token["iss"], issuer.as_str(), "{report}");
    assert_eq!(id_token["aud"], json!(["fapi-rp"]), "{report}");
    assert_eq!(id_token["nonce"], report["nonce"], "the nonce the relying party sent: {report}");
    let sub = id_token["sub"].as_str().unwrap();
    assert_eq!(report["userinfo"]["sub"], sub, "{report}");
    // The library reports token types in lower case.
    assert!(report["token_type"].as_str().unwrap().eq_ignore_ascii_case("DPoP"), "{report}");
    // The access token is bound to the relying party's own DPoP key.
    assert_eq!(claims(report["access_token"].as_str().unwrap())["cnf"]["jkt"], report["dpop_jkt"], "{report}");
    assert_eq!(report["refreshed"], true, "{report}");
    assert_eq!(report["refresh_token_rotated"], false, "FAPI 2.0 refresh tokens are not rotated: {report}");
}

#[tokio::test]
async fn openid_client_surfaces_the_refusal_of_a_front_channel_request() {
    let dir = match interop_tools() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail("node with openid-client", why),
    };
    let (server, _data, mut rp, url) = registered(&dir, "interop-front", "front-channel").await;
    // A plain authorization request: answered at the callback, before any sign-in.
    let res = Browser::new(&server).get(&url).await;
    let callback = location(&res);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    rp.write(json!({"callback": callback})).await;
    let report = rp.read(&server).await;
    // The library accepted the error response as the issuer's (RFC 9207 `iss`, `state`) and
    // raised it as such.
    let refused = &report["refused"];
    assert_eq!(refused["name"], "AuthorizationResponseError", "{report}");
    assert_eq!(refused["error"], "invalid_request", "{report}");
    assert!(refused["error_description"].as_str().unwrap().contains("pushed"), "{report}");
}
