//! DPoP (RFC 9449) for a public client: a native app or MCP-style client without a secret binds
//! its access and refresh tokens to a key it holds; a stolen refresh token is useless without it.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url,
};
use serde_json::{Value, json};

use crate::BIN;

#[tokio::test]
async fn a_public_client_binds_its_access_and_refresh_tokens_to_its_key() {
    let dir = TempDir::new("dpop");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "cli-app", "name": "CLI", "client_type": "public", "redirect_uris": [CALLBACK],
                       "scopes": ["openid", "offline_access"], "dpop_bound_access_tokens": true}))
        .create(&admin)
        .await;
    let s = Browser::new(&server);
    let issuer = server.url("/t/acme");
    let token_url = format!("{issuer}/token");
    let (key, _) = AgentKey::new("cli-app");
    let (other, _) = AgentKey::new("thief");
    let url = authorize_url("cli-app", "openid offline_access").state("s1").build();
    let (pages, callback) = s.authorize(&url, "allow").await;
    assert!(!pages.iter().any(|p| p.contains("Unverified application")), "the admin registered this client");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let post = |form: Vec<(&'static str, String)>, proof: Option<String>| {
        let mut req = server.http.post(server.url("/t/acme/token")).form(&form);
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let redeem = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", "cli-app".into()),
        ("code", code),
        ("redirect_uri", CALLBACK.into()),
        ("code_verifier", PKCE_VERIFIER.to_owned()),
    ];
    let (status, body) = post(redeem.clone(), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "this client must use DPoP");
    let (status, body) = post(redeem, Some(key.proof("POST", &token_url, None))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    let refresh = |token: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", "cli-app".into()),
            ("refresh_token", token.to_owned()),
        ]
    };
    let rt = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = post(refresh(&rt), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "a stolen refresh token alone");
    let (status, body) = post(refresh(&rt), Some(other.proof("POST", &token_url, None))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "with another key");
    let (status, body) = post(refresh(&rt), Some(key.proof("POST", &token_url, None))).await;
    assert_eq!(status, 200, "the key holder refreshes: {body}");
    assert_eq!(body["token_type"], "DPoP");
    assert_ne!(body["refresh_token"], rt.as_str(), "public clients' refresh tokens rotate on every use");
    let at = body["access_token"].as_str().unwrap();
    let userinfo = format!("{issuer}/userinfo");
    let call_userinfo = |at: &str, proof: String| {
        server
            .http
            .get(server.url("/t/acme/userinfo"))
            .header("Authorization", format!("DPoP {at}"))
            .header("DPoP", proof)
            .send()
    };
    let res = call_userinfo(at, key.proof("GET", &userinfo, Some(at))).await.unwrap();
    assert_eq!(res.status(), 200);

    // Nonces (RFC 9449 §8): every answer to a DPoP request carries one; once the tenant requires
    // them, a proof without the current nonce gets use_dpop_nonce and the nonce to use.
    let (status, _) = admin
        .call(reqwest::Method::PATCH, "/tenants/acme", Some(json!({"settings": {"dpop_nonce_required": true}})))
        .await;
    assert_eq!(status, 200);
    let rt = body["refresh_token"].as_str().unwrap().to_owned();
    let res = server
        .http
        .post(server.url("/t/acme/token"))
        .header("DPoP", key.proof("POST", &token_url, None))
        .form(&refresh(&rt))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let nonce = res.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "use_dpop_nonce");
    let (status, body) =
        post(refresh(&rt), Some(key.proof_with_nonce("POST", &token_url, None, Some("made-up")))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("use_dpop_nonce")), "only this server's nonces");
    let (status, body) = post(refresh(&rt), Some(key.proof_with_nonce("POST", &token_url, None, Some(&nonce)))).await;
    assert_eq!(status, 200, "{body}");
    let at = body["access_token"].as_str().unwrap();
    let res = call_userinfo(at, key.proof("GET", &userinfo, Some(at))).await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("use_dpop_nonce"));
    assert!(res.headers().contains_key("dpop-nonce"), "a resource refusal names the nonce too");
    let res = call_userinfo(at, key.proof_with_nonce("GET", &userinfo, Some(at), Some(&nonce))).await.unwrap();
    assert_eq!(res.status(), 200);

    let meta: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert!(meta["dpop_signing_alg_values_supported"].as_array().unwrap().contains(&json!("ES256")));
}
