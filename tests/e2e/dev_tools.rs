//! `ciam dev`: the development tools a shell walk-through uses where curl cannot (a key and its
//! JWK Set, a `private_key_jwt` assertion, a DPoP proof, a scripted sign-in), against the real
//! server.

use std::process::Command;

use ciam_testkit::{Admin, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};

use crate::BIN;

/// Runs `ciam dev <args>`; returns its exit code, standard output (trimmed) and standard error.
fn dev(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out =
        Command::new(BIN).arg("dev").args(args).current_dir(dir).env_remove("CIAM_DEV_PASSWORD").output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

async fn server(tag: &str) -> (Server, String, TempDir) {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let token = server.generated_admin_token();
    (server, token, dir)
}

#[tokio::test]
async fn jwk_assertion_and_dpop_get_a_private_key_jwt_client_a_dpop_bound_token() {
    let (server, token, dir) = server("dev-keys").await;
    let (code, jwks, err) = dev(&dir.0, &["jwk", "--key", "client.pem"]);
    assert_eq!(code, Some(0), "{err}");
    let jwks: Value = serde_json::from_str(&jwks).unwrap();
    assert!(jwks["keys"][0].get("d").is_none(), "only the public half is printed: {jwks}");
    assert!(std::fs::read_to_string(dir.0.join("client.pem")).unwrap().contains("BEGIN PRIVATE KEY"));
    let (_, again, _) = dev(&dir.0, &["jwk", "--key", "client.pem"]);
    assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), jwks, "an existing key file is read, not replaced");

    World::tenant("acme")
        .client(json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                       "grant_types": ["client_credentials"], "scopes": ["reports:read"],
                       "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}))
        .create(&Admin::new(&server, token))
        .await;
    let issuer = server.url("/t/acme");
    let token_url = server.url("/t/acme/token");
    let (_, assertion, _) =
        dev(&dir.0, &["assertion", "--key", "client.pem", "--client-id", "svc", "--audience", &issuer]);
    let (_, proof, _) = dev(&dir.0, &["dpop", "--key", "client.pem", "--url", &token_url]);
    let form = |assertion: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion", assertion.to_owned()),
        ]
    };
    let res = server.http.post(&token_url).header("DPoP", &proof).form(&form(&assertion)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "DPoP", "{body}");
    let at = body["access_token"].as_str().unwrap();
    assert_eq!(crate::claims(at)["cnf"]["jkt"], jwks["keys"][0]["kid"], "bound to the key of the file");

    // The assertion is single use, and one for another audience is refused.
    let (_, proof2, _) = dev(&dir.0, &["dpop", "--key", "client.pem", "--url", &token_url]);
    let replay = server.http.post(&token_url).header("DPoP", &proof2).form(&form(&assertion)).send().await.unwrap();
    assert_eq!(replay.status(), 401);
    let (_, other, _) = dev(
        &dir.0,
        &["assertion", "--key", "client.pem", "--client-id", "svc", "--audience", "https://elsewhere.example"],
    );
    let (_, proof3, _) = dev(&dir.0, &["dpop", "--key", "client.pem", "--url", &token_url]);
    let wrong = server.http.post(&token_url).header("DPoP", &proof3).form(&form(&other)).send().await.unwrap();
    assert_eq!(wrong.status(), 401);

    // A proof with the token (`ath`) is accepted at userinfo's sibling, introspection needs none;
    // a proof for another URL is refused at the token endpoint.
    let (_, elsewhere, _) = dev(&dir.0, &["dpop", "--key", "client.pem", "--url", &server.url("/t/acme/par")]);
    let (_, fresh, _) = dev(&dir.0, &["assertion", "--key", "client.pem", "--client-id", "svc", "--audience", &issuer]);
    let res = server.http.post(&token_url).header("DPoP", &elsewhere).form(&form(&fresh)).send().await.unwrap();
    assert_eq!(res.status(), 400, "htu must be the token endpoint");
    let (_, with_ath, _) =
        dev(&dir.0, &["dpop", "--key", "client.pem", "--method", "get", "--url", "http://x/", "--access-token", at]);
    assert_eq!(ciam_jose::dpop::verify_proof(&with_ath).unwrap().claims["ath"], ciam_jose::dpop::access_token_hash(at));
}

#[test]
fn dev_tools_name_what_is_wrong() {
    let dir = TempDir::new("dev-errors");
    let (code, _, err) = dev(&dir.0, &["assertion", "--key", "missing.pem", "--client-id", "c", "--audience", "a"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("missing.pem"), "{err}");
    assert!(!dir.0.join("missing.pem").exists(), "only `dev jwk` creates a key");
    let (code, _, err) = dev(&dir.0, &["jwk", "--key", "k.pem", "--alg", "HS256"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("ES256, RS256 or EdDSA"), "{err}");
    let (code, jwks, _) = dev(&dir.0, &["jwk", "--key", "rsa.pem", "--alg", "RS256"]);
    assert_eq!(code, Some(0));
    assert_eq!(serde_json::from_str::<Value>(&jwks).unwrap()["keys"][0]["kty"], "RSA");
}

#[tokio::test]
async fn sign_in_prints_the_callback_with_a_code_that_redeems() {
    let (server, token, dir) = server("dev-sign-in").await;
    // The default policy steps a script's sign-in up; this tenant lets this machine through.
    let world = World::tenant("acme")
        .settings(json!({"risk_policy": {"ip_allow": ["127.0.0.1/32"]}}))
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "scopes": ["openid"]}))
        .create(&Admin::new(&server, token))
        .await;
    // The server's public URL is http://127.0.0.1:PORT, a loopback address.
    let start = server.url(&authorize_url("web", "openid").build());
    let (code, callback, err) = dev(&dir.0, &["sign-in", &start, "--email", "ada@example.com", "--password", PASSWORD]);
    assert_eq!(code, Some(0), "{err}");
    let params = ciam_testkit::callback_params(&callback);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", params["code"].as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let res = server
        .http
        .post(server.url("/t/acme/token"))
        .basic_auth("web", Some(world.secret("web")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let (code, out, err) =
        dev(&dir.0, &["sign-in", &start, "--email", "ada@example.com", "--password", "wrong password"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(err.contains("stopped at") && err.contains("/t/acme/login"), "the page's message: {err}");
    assert!(!err.contains("wrong password"), "the password is never printed: {err}");

    // On a tenant with the default policy the script is recognised and asked for a second factor.
    World::tenant("strict")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "scopes": ["openid"]}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let strict = server.url(&authorize_url("web", "openid").tenant("strict").build());
    let (code, out, err) = dev(&dir.0, &["sign-in", &strict, "--email", "ada@example.com", "--password", PASSWORD]);
    assert_eq!(code, Some(1), "{out}");
    assert!(err.contains("/t/strict/mfa"), "stepped up, not signed in: {err}");

    // An error sent to the redirect URI fails the command, naming it.
    let refused = server.url(&authorize_url("web", "openid").extra("&prompt=none").build());
    let (code, out, err) = dev(&dir.0, &["sign-in", &refused, "--email", "ada@example.com", "--password", PASSWORD]);
    assert_eq!(code, Some(1), "{out}");
    assert!(err.contains("login_required"), "{err}");
}
