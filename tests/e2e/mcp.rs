//! An MCP-style client end to end: it finds the authorization server from the API's Protected
//! Resource Metadata (RFC 9728) and the server's metadata (RFC 8414), registers itself (RFC 7591),
//! manages its registration (RFC 7592), runs the code flow with PKCE and `resource` (RFC 8707)
//! and gets DPoP-bound tokens (RFC 9449) that name the API as audience and carry only its scopes.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url,
};
use serde_json::{Value, json};

use crate::{BIN, claims};

const API: &str = "https://trips.example/mcp";

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The whole story in order on one server; the tests after it check its rules one by one, each
/// after the steps it needs.
#[tokio::test]
async fn an_mcp_client_discovers_registers_and_gets_a_dpop_bound_token_for_the_api() {
    let mut m = registered("mcp").await;
    manages_its_registration(&m).await;
    code_flow_with_dpop(&mut m).await;
    refresh_bound_to_the_key(&m).await;
    bound_token_at_userinfo(&m).await;
    deregistration(&m).await;
}

#[tokio::test]
async fn a_client_finds_the_server_and_registers_within_the_policy_rfc9728_3_rfc8414_3_rfc7591_3() {
    registered("mcp-register").await;
}

#[tokio::test]
async fn a_registration_is_read_and_changed_only_with_its_access_token_rfc7592_2() {
    let m = registered("mcp-manage").await;
    manages_its_registration(&m).await;
}

#[tokio::test]
async fn the_code_is_redeemed_with_a_dpop_proof_for_the_api_only_rfc8707_2_rfc9449_5() {
    let mut m = registered("mcp-code").await;
    code_flow_with_dpop(&mut m).await;
}

#[tokio::test]
async fn refresh_tokens_stay_bound_to_the_key_and_the_api_and_rotate_s15_s20() {
    let mut m = registered("mcp-refresh").await;
    code_flow_with_dpop(&mut m).await;
    refresh_bound_to_the_key(&m).await;
}

#[tokio::test]
async fn a_bound_token_needs_a_fresh_proof_by_its_key_at_userinfo_rfc9449_7_s21() {
    let m = registered("mcp-userinfo").await;
    bound_token_at_userinfo(&m).await;
}

/// Refreshes with the refresh token of the code flow: that step first.
#[tokio::test]
async fn deregistration_ends_the_client_rfc7592_2_3() {
    let mut m = registered("mcp-delete").await;
    code_flow_with_dpop(&mut m).await;
    deregistration(&m).await;
}

/// The MCP story's shared fixture: tenant `acme` with open registration for public clients
/// (two an hour), Ada and the Trips API, after the client found the authorization server and
/// registered (steps 1 and 2, with all their checks).
struct Mcp {
    server: Server,
    _dir: TempDir,
    issuer: String,
    token_url: String,
    /// The registration's metadata as sent, its client id, access token and configuration URI.
    metadata: Value,
    client_id: String,
    rat: String,
    config_uri: String,
    /// Ada's browser; the client's DPoP key and another one.
    story: Browser,
    key: AgentKey,
    thief: AgentKey,
    /// The refresh token of the code flow (step 4).
    refresh_token: String,
}

impl Mcp {
    /// `POST /token` with `form` and an optional DPoP proof.
    async fn token(&self, form: Vec<(&'static str, String)>, proof: Option<String>) -> (u16, Value) {
        let mut req = self.server.http.post(&self.token_url).form(&form);
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        json_of(req.send().await.unwrap()).await
    }

    /// A refresh token grant's form, with an optional `resource`.
    fn refresh(&self, rt: &str, resource: Option<&str>) -> Vec<(&'static str, String)> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", self.client_id.clone()),
            ("refresh_token", rt.to_owned()),
        ];
        if let Some(r) = resource {
            form.push(("resource", r.to_owned()));
        }
        form
    }
}

/// Steps 1 and 2: discovery from the API's metadata to the server's; registration within the
/// tenant's policy.
async fn registered(tag: &str) -> Mcp {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let policy = json!({"mode": "open", "allowed_scopes": ["openid", "offline_access", "trips:read"],
                        "open_registrations_per_hour": 2});
    let world = World::tenant("acme")
        .named("Acme")
        .settings(json!({"registration": policy}))
        .user("ada@example.com")
        .resource(
            json!({"id": "trips", "identifier": API, "name": "Trips MCP server", "scopes": ["trips:read", "trips:book"]}),
        )
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let api = &world.resources["trips"];
    let http = &server.http;

    // 1. Discovery: the API's metadata names the authorization server, whose metadata names the
    //    endpoints (RFC 9728 §3, RFC 8414 §3).
    let (_, resource_meta) = json_of(http.get(api["metadata_url"].as_str().unwrap()).send().await.unwrap()).await;
    let issuer = resource_meta["authorization_servers"][0].as_str().unwrap().to_owned();
    assert_eq!(issuer, server.url("/t/acme"));
    let well_known = issuer.replacen("/t/acme", "/.well-known/oauth-authorization-server/t/acme", 1);
    let (status, meta) = json_of(http.get(&well_known).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert!(meta["dpop_signing_alg_values_supported"].as_array().unwrap().contains(&json!("ES256")));
    let registration_endpoint = meta["registration_endpoint"].as_str().unwrap().to_owned();
    assert_eq!(registration_endpoint, format!("{issuer}/register"));

    // 2. Registration (RFC 7591): open to public clients within the tenant's scopes.
    let metadata = json!({
        "client_name": "Trip planner (MCP)", "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "scope": "openid offline_access trips:read", "dpop_bound_access_tokens": true, "software_id": "ignored"
    });
    let (status, reg) = json_of(http.post(&registration_endpoint).json(&metadata).send().await.unwrap()).await;
    assert_eq!(status, 201, "{reg}");
    assert!(reg.get("client_secret").is_none(), "a public client gets no secret");
    assert_eq!(reg["token_endpoint_auth_method"], "none");
    assert_eq!(reg["scope"], "offline_access openid trips:read");
    let client_id = reg["client_id"].as_str().unwrap().to_owned();
    let rat = reg["registration_access_token"].as_str().unwrap().to_owned();
    let config_uri = reg["registration_client_uri"].as_str().unwrap().to_owned();
    assert_eq!(config_uri, format!("{issuer}/register/{client_id}"));
    // Without an initial access token only public clients within the policy register.
    let confidential = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "client_secret_basic"});
    let (status, body) = json_of(http.post(&registration_endpoint).json(&confidential).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client_metadata")), "{body}");
    // ...and at most `open_registrations_per_hour` times per address.
    let res = http.post(&registration_endpoint).json(&metadata).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));

    let story = Browser::new(&server);
    let (key, _) = AgentKey::new("mcp-client");
    let (thief, _) = AgentKey::new("thief");
    let token_url = format!("{issuer}/token");
    Mcp {
        server,
        _dir: dir,
        issuer,
        token_url,
        metadata,
        client_id,
        rat,
        config_uri,
        story,
        key,
        thief,
        refresh_token: String::new(),
    }
}

/// Step 3: its registration is its own to read and change (RFC 7592), with the token it was
/// given, and not beyond the policy.
async fn manages_its_registration(m: &Mcp) {
    let (http, config_uri, rat) = (&m.server.http, &m.config_uri, &m.rat);
    let (status, _) = json_of(http.get(config_uri).send().await.unwrap()).await;
    assert_eq!(status, 401, "no registration access token");
    let (status, _) = json_of(http.get(config_uri).bearer_auth("guess").send().await.unwrap()).await;
    assert_eq!(status, 401);
    let (status, read) = json_of(http.get(config_uri).bearer_auth(rat).send().await.unwrap()).await;
    assert_eq!((status, read["client_name"].as_str()), (200, Some("Trip planner (MCP)")));
    assert!(read.get("registration_access_token").is_none(), "the token is shown once");
    let mut renamed = m.metadata.clone();
    renamed["client_id"] = json!(m.client_id);
    renamed["client_name"] = json!("Trip planner");
    let (status, updated) = json_of(http.put(config_uri).bearer_auth(rat).json(&renamed).send().await.unwrap()).await;
    assert_eq!((status, updated["client_name"].as_str()), (200, Some("Trip planner")), "{updated}");
    renamed["scope"] = json!("openid trips:book");
    let (status, body) = json_of(http.put(config_uri).bearer_auth(rat).json(&renamed).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client_metadata")), "not beyond the policy");
}

/// Step 4: code flow with PKCE and the API as resource; the code is redeemed with a DPoP proof
/// (not without one, not with a replayed one), for the API's scopes only.
async fn code_flow_with_dpop(m: &mut Mcp) {
    let (client_id, key) = (&m.client_id, &m.key);
    let url =
        authorize_url(client_id, "openid offline_access trips:read").state("s1").extra(&format!("&resource={API}"));
    let (pages, callback) = m.story.authorize(&url.build(), "allow").await;
    let consent = pages.iter().find(|p| p.contains("name=\"decision\"")).expect("a consent page");
    assert!(consent.contains("Trip planner"), "the consent page names the client");
    assert!(consent.contains("Unverified application"), "a self-registered name is the client's own claim");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let redeem = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", client_id.clone()),
        ("code", code),
        ("redirect_uri", CALLBACK.to_owned()),
        ("code_verifier", PKCE_VERIFIER.to_owned()),
        ("resource", API.to_owned()),
    ];
    let (status, body) = m.token(redeem.clone(), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "the client registered DPoP");
    let proof = key.proof("POST", &m.token_url, None);
    let (status, body) = m.token(redeem.clone(), Some(proof.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    assert_eq!(body["scope"], "trips:read", "only what the API defines");
    assert!(body["id_token"].is_string(), "openid was granted");
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], API);
    assert_eq!(at["client_id"], client_id.as_str());
    assert_eq!(at["cnf"]["jkt"], key.dpop_jkt.as_str());
    let refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = m.token(redeem, Some(proof)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "a replayed proof");
    m.refresh_token = refresh_token;
}

/// Step 5: refresh: bound to the key, rotated, still for the API; another resource is refused.
async fn refresh_bound_to_the_key(m: &Mcp) {
    let (key, token_url, refresh_token) = (&m.key, &m.token_url, &m.refresh_token);
    let (status, body) = m.token(m.refresh(refresh_token, None), Some(m.thief.proof("POST", token_url, None))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "another key");
    let (status, body) = m
        .token(m.refresh(refresh_token, Some("https://other.example/")), Some(key.proof("POST", token_url, None)))
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")), "{body}");
    let (status, body) = m.token(m.refresh(refresh_token, Some(API)), Some(key.proof("POST", token_url, None))).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["refresh_token"], refresh_token.as_str(), "public clients' refresh tokens rotate");
    assert_eq!(claims(body["access_token"].as_str().unwrap())["aud"], API);
}

/// Step 6: on the server's own protected endpoints, a bound token needs a fresh proof by its key.
async fn bound_token_at_userinfo(m: &Mcp) {
    let (http, issuer, key, thief) = (&m.server.http, &m.issuer, &m.key, &m.thief);
    let url = authorize_url(&m.client_id, "openid").state("s1");
    let (_, callback) = m.story.authorize(&url.build(), "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", m.client_id.clone()),
        ("code", code),
        ("redirect_uri", CALLBACK.to_owned()),
        ("code_verifier", PKCE_VERIFIER.to_owned()),
    ];
    let (status, body) = m.token(form, Some(key.proof("POST", &m.token_url, None))).await;
    assert_eq!(status, 200, "{body}");
    let at = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&at)["aud"], issuer.as_str(), "no resource: the issuer's own APIs");
    let userinfo = format!("{issuer}/userinfo");
    let call = |scheme: &str, proof: Option<String>| {
        let mut req = http.get(&userinfo).header("Authorization", format!("{scheme} {at}"));
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        req.send()
    };
    let res = call("Bearer", None).await.unwrap();
    assert_eq!(res.status(), 401, "a bound token used as a bearer token");
    let res = call("DPoP", None).await.unwrap();
    assert_eq!(res.status(), 401, "no proof");
    let res = call("DPoP", Some(thief.proof("GET", &userinfo, Some(&at)))).await.unwrap();
    assert_eq!(res.status(), 401, "another key");
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_dpop_proof"));
    let good = key.proof("GET", &userinfo, Some(&at));
    assert_eq!(call("DPoP", Some(good.clone())).await.unwrap().status(), 200);
    let res = call("DPoP", Some(good)).await.unwrap();
    assert_eq!(res.status(), 401, "a replayed proof");
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_dpop_proof"));
}

/// Step 7: deregistration (RFC 7592 §2.3) ends the client.
async fn deregistration(m: &Mcp) {
    let (http, config_uri, rat) = (&m.server.http, &m.config_uri, &m.rat);
    assert_eq!(http.delete(config_uri).bearer_auth(rat).send().await.unwrap().status(), 204);
    let (status, _) = json_of(http.get(config_uri).bearer_auth(rat).send().await.unwrap()).await;
    assert_eq!(status, 401);
    let (status, body) =
        m.token(m.refresh(&m.refresh_token, None), Some(m.key.proof("POST", &m.token_url, None))).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
}

#[tokio::test]
async fn registration_follows_the_tenant_policy() {
    let dir = TempDir::new("dcr-policy");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let http = &server.http;
    let endpoint = server.url("/t/acme/register");
    let discovery = server.url("/t/acme/.well-known/openid-configuration");
    let public = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"});

    // Closed by default: refused, and not advertised.
    let (status, body) = json_of(http.post(&endpoint).json(&public).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("access_denied")));
    let (_, meta) = json_of(http.get(&discovery).send().await.unwrap()).await;
    assert!(meta.get("registration_endpoint").is_none());

    // Initial access tokens: required, counted, and they let confidential clients register.
    let (status, _) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme",
            Some(json!({"settings": {"registration": {"mode": "initial_access_token"}}})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, meta) = json_of(http.get(&discovery).send().await.unwrap()).await;
    assert_eq!(meta["registration_endpoint"], endpoint.as_str());
    let (status, body) = json_of(http.post(&endpoint).json(&public).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));
    let (status, body) = admin
        .call(reqwest::Method::POST, "/tenants/acme/initial-access-tokens", Some(json!({"max_registrations": 0})))
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("max_registrations")));
    let iat = admin.post("/tenants/acme/initial-access-tokens", json!({"expires_in": 600}), 201).await;
    assert_eq!(iat["max_registrations"], 1);
    let iat = iat["token"].as_str().unwrap().to_owned();
    let confidential = json!({"client_name": "Partner portal", "redirect_uris": ["https://partner.example/cb"],
                              "grant_types": ["authorization_code", "refresh_token"]});
    let (status, reg) = json_of(http.post(&endpoint).bearer_auth(&iat).json(&confidential).send().await.unwrap()).await;
    assert_eq!(status, 201, "{reg}");
    assert_eq!(reg["token_endpoint_auth_method"], "client_secret_basic", "the RFC 7591 default");
    assert_eq!(reg["client_secret_expires_at"], 0);
    let (client_id, secret) = (reg["client_id"].as_str().unwrap(), reg["client_secret"].as_str().unwrap());
    let (status, _) = json_of(http.post(&endpoint).bearer_auth(&iat).json(&public).send().await.unwrap()).await;
    assert_eq!(status, 401, "the token was good for one registration");
    // The registered client authenticates with its secret, and shows up in the management API.
    let res = http
        .post(server.url("/t/acme/introspect"))
        .basic_auth(client_id, Some(secret))
        .form(&[("token", "nothing")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let listed = admin.get(&format!("/tenants/acme/clients/{client_id}"), 200).await;
    assert_eq!(listed["name"], "Partner portal");

    // Bad metadata names the RFC 7591 error.
    let iat = admin.post("/tenants/acme/initial-access-tokens", json!({"max_registrations": 5}), 201).await;
    let iat = iat["token"].as_str().unwrap();
    for (body, want) in [
        (
            json!({"redirect_uris": ["https://app.example/cb#x"], "token_endpoint_auth_method": "none"}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": [CALLBACK], "grant_types": ["password"]}), "invalid_client_metadata"),
        (json!({"redirect_uris": [CALLBACK], "scope": "admin"}), "invalid_client_metadata"),
    ] {
        let (status, got) = json_of(http.post(&endpoint).bearer_auth(iat).json(&body).send().await.unwrap()).await;
        assert_eq!((status, got["error"].as_str()), (400, Some(want)), "{body}");
    }
    let res = http.post(&endpoint).bearer_auth(iat).body("client_name=x").send().await.unwrap();
    assert_eq!(res.status(), 400, "metadata is JSON");
}
