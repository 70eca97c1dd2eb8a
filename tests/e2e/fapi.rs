//! The FAPI 2.0 Security Profile (docs/oidc.md, "FAPI 2.0"): each rule a `fapi2` client is held
//! to, with the request that keeps it and the one that breaks it. Client `fintech` of tenant
//! `acme` follows the profile; `web` does not and shows that the rules are the profile's.
//! Certificate binding (RFC 8705) goes through 127.0.0.1 as the TLS-terminating proxy.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PKCE_CHALLENGE, PKCE_VERIFIER, Server, ServerOptions, TempDir, World,
    callback_params, claims, unix_now,
};
use serde_json::{Value, json};

use crate::BIN;

/// The header the proxy forwards the client certificate in.
const CERT_HEADER: &str = "x-client-cert";

struct Fapi {
    server: Server,
    key: AgentKey,
    browser: Browser,
    issuer: String,
    web_secret: String,
    _dir: TempDir,
}

async fn fapi(tag: &str) -> Fapi {
    let dir = TempDir::new(tag);
    let env = vec![
        ("CIAM_SERVER__TRUSTED_PROXIES".to_owned(), "[\"127.0.0.1\"]".to_owned()),
        ("CIAM_SERVER__CLIENT_CERTIFICATE_HEADER".to_owned(), CERT_HEADER.to_owned()),
    ];
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let (key, jwks) = AgentKey::new("fintech");
    let world = World::tenant("acme")
        .named("Acme Bank")
        .user("ada@example.com")
        .client(json!({"client_id": "fintech", "name": "Fintech", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "scopes": ["openid", "offline_access"],
                       "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks,
                       "security_profile": "fapi2"}))
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK],
                       "scopes": ["openid", "offline_access"]}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let issuer = server.url("/t/acme");
    Fapi { browser: Browser::new(&server), web_secret: world.secret("web"), issuer, key, server, _dir: dir }
}

/// What a pushed request carries by default; tests remove or change one parameter at a time.
fn request() -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", "fintech".into()),
        ("redirect_uri", CALLBACK.into()),
        ("scope", "openid offline_access".into()),
        ("state", "s-fapi".into()),
        ("nonce", "n-fapi".into()),
        ("code_challenge", PKCE_CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

fn without(form: Vec<(&'static str, String)>, name: &str) -> Vec<(&'static str, String)> {
    form.into_iter().filter(|(k, _)| *k != name).collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Fapi {
    /// POSTs `form` to `endpoint` as `fintech` (a fresh assertion), with a DPoP `proof` and a
    /// forwarded client `cert` if given.
    async fn post(
        &self,
        endpoint: &str,
        mut form: Vec<(&'static str, String)>,
        proof: Option<String>,
        cert: Option<&str>,
    ) -> (u16, Value) {
        form.extend(self.key.assertion(&self.issuer));
        let mut req = self.server.http.post(format!("{}/{endpoint}", self.issuer)).form(&form);
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        if let Some(c) = cert {
            req = req.header(CERT_HEADER, c);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    fn proof(&self, endpoint: &str) -> String {
        self.key.proof("POST", &format!("{}/{endpoint}", self.issuer), None)
    }

    /// Pushes `form`; returns its `request_uri`.
    async fn push(&self, form: Vec<(&'static str, String)>, proof: Option<String>) -> String {
        let (status, body) = self.post("par", form, proof, None).await;
        assert_eq!(status, 201, "{body}");
        body["request_uri"].as_str().unwrap().to_owned()
    }

    /// Signs Ada in and consents for the pushed request; returns the callback's parameters.
    async fn approve(&self, request_uri: &str) -> std::collections::HashMap<String, String> {
        let start = format!("/t/acme/authorize?client_id=fintech&request_uri={}", enc(request_uri));
        let (_, callback) = self.browser.authorize(&start, "allow").await;
        callback_params(callback.as_str())
    }

    fn redeem(code: &str) -> Vec<(&'static str, String)> {
        vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.into()),
            ("redirect_uri", CALLBACK.into()),
            ("code_verifier", PKCE_VERIFIER.into()),
        ]
    }
}

#[tokio::test]
async fn the_whole_profile_par_private_key_jwt_dpop_iss_es256_and_no_rotation() {
    let f = fapi("fapi-flow").await;
    let request_uri = f.push(request(), None).await;
    let answer = f.approve(&request_uri).await;
    // RFC 9207: the authorization response names the issuer.
    assert_eq!(answer.get("iss"), Some(&f.issuer));
    assert_eq!(answer["state"], "s-fapi");
    let (status, tokens) = f.post("token", Fapi::redeem(&answer["code"]), Some(f.proof("token")), None).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    assert_eq!(claims(tokens["access_token"].as_str().unwrap())["cnf"]["jkt"], f.key.dpop_jkt);
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(jsonwebtoken::decode_header(id_token).unwrap().alg, jsonwebtoken::Algorithm::ES256);
    assert_eq!(claims(id_token)["nonce"], "n-fapi");
    // Refresh tokens are not rotated (FAPI 2.0 §5.3.2.1): the same one serves again.
    let refresh = vec![("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())];
    let refresh: Vec<(&'static str, String)> = refresh.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
    for _ in 0..2 {
        let (status, body) = f.post("token", refresh.clone(), Some(f.proof("token")), None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("refresh_token").is_none(), "{body}");
    }
    // The access token works at userinfo with its key.
    let at = tokens["access_token"].as_str().unwrap();
    let userinfo = format!("{}/userinfo", f.issuer);
    let res = f
        .server
        .http
        .get(&userinfo)
        .header("Authorization", format!("DPoP {at}"))
        .header("DPoP", f.key.proof("GET", &userinfo, Some(at)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn only_pushed_requests_with_redirect_uri_and_pkce_and_only_code() {
    let f = fapi("fapi-par").await;
    // A front-channel request of a fapi2 client is refused at its verified redirect URI.
    let front: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(request().iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    let res = f.browser.get(&format!("/t/acme/authorize?{front}")).await;
    let answer = callback_params(&ciam_testkit::location(&res));
    assert_eq!(answer["error"], "invalid_request");
    assert!(answer["error_description"].contains("pushed"), "{answer:?}");
    assert_eq!(answer.get("iss"), Some(&f.issuer));
    // The same request from `web` (standard profile) is fine on the front channel.
    let web = front.replace("client_id=fintech", "client_id=web");
    let res = f.browser.get(&format!("/t/acme/authorize?{web}")).await;
    assert!(!ciam_testkit::location(&res).contains("error="), "{}", ciam_testkit::location(&res));

    for (missing, why) in [("code_challenge", "PKCE"), ("redirect_uri", "redirect_uri")] {
        let form = without(request(), missing);
        let form = if missing == "code_challenge" { without(form, "code_challenge_method") } else { form };
        let (status, body) = f.post("par", form, None, None).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{missing}: {body}");
        assert!(body["error_description"].as_str().unwrap().contains(why), "{body}");
    }
    let mut implicit = without(request(), "response_type");
    implicit.push(("response_type", "token".into()));
    let (status, body) = f.post("par", implicit, None, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_response_type")), "{body}");
}

#[tokio::test]
async fn client_assertions_name_the_issuer_alone_and_use_a_fapi_algorithm() {
    let f = fapi("fapi-auth").await;
    let assertion = |aud: &str, key: &ciam_jose::SigningKey| {
        let now = unix_now();
        let jti = format!("j-{aud}-{}", key.alg());
        let claims = json!({"iss": "fintech", "sub": "fintech", "aud": aud, "iat": now, "exp": now + 60, "jti": jti});
        ciam_jose::mint(key, "JWT", &claims).unwrap()
    };
    // A second client key, RSA: the profile refuses RS256 (§5.4.1) even from a registered key.
    let (rsa, _) = ciam_jose::SigningKey::generate(ciam_jose::Alg::RS256).unwrap();
    let (ec, _) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
    let jwks = json!({"keys": [rsa.public_jwk().as_json(), ec.public_jwk().as_json()]});
    let admin = Admin::new(&f.server, f.server.generated_admin_token());
    let (status, body) =
        admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/fintech", Some(json!({"jwks": jwks}))).await;
    assert_eq!(status, 200, "{body}");
    let token_endpoint = format!("{}/token", f.issuer);
    let try_with = |jwt: String| {
        let mut form = request();
        form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()));
        form.push(("client_assertion", jwt));
        let req = f.server.http.post(format!("{}/par", f.issuer)).form(&form);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(try_with(assertion(&f.issuer, &ec)).await, 201, "ES256, audience = issuer");
    assert_eq!(try_with(assertion(&token_endpoint, &ec)).await, 401, "the token endpoint URL is not the issuer");
    assert_eq!(try_with(assertion(&f.issuer, &rsa)).await, 401, "RS256 is not a FAPI algorithm");

    // A client secret is no authentication under the profile: a client of a tenant whose
    // default is fapi2 that was registered with a secret is refused.
    let (status, _) = admin
        .call(reqwest::Method::PATCH, "/tenants/acme", Some(json!({"settings": {"security_profile": "fapi2"}})))
        .await;
    assert_eq!(status, 200);
    let res = f
        .server
        .http
        .post(format!("{}/par", f.issuer))
        .basic_auth("web", Some(&f.web_secret))
        .form(&without(without(request(), "client_id"), "nonce"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    // And registering one is refused outright.
    let (status, problem) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/clients",
            Some(json!({"name": "Legacy", "client_type": "confidential", "redirect_uris": [CALLBACK],
                        "security_profile": "fapi2"})),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("token_endpoint_auth_method")),
        "{problem}"
    );
    // Discovery says what the tenant now allows.
    let meta: Value = f.server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    assert_eq!(meta["token_endpoint_auth_methods_supported"], json!(["private_key_jwt"]));
    assert_eq!(meta["id_token_signing_alg_values_supported"], json!(["ES256"]));
    assert_eq!(meta["request_object_signing_alg_values_supported"], json!(["PS256", "ES256", "EdDSA"]));
    assert_eq!(meta["authorization_signing_alg_values_supported"], json!(["ES256"]));
    assert_eq!(meta["tls_client_certificate_bound_access_tokens"], true);
}

#[tokio::test]
async fn tokens_are_sender_constrained_by_dpop_or_by_the_client_certificate() {
    let f = fapi("fapi-bind").await;
    // No proof and no certificate: refused (before the code is even looked at).
    let answer = f.approve(&f.push(request(), None).await).await;
    let (status, body) = f.post("token", Fapi::redeem(&answer["code"]), None, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("sender-constrained"), "{body}");

    // A certificate forwarded by the proxy binds the token to it (RFC 8705 §3.1).
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----",
        base64_der(b"\x30\x03\x02\x01\x05") // a DER SEQUENCE standing in for the certificate
    );
    let escaped = enc(&cert).replace('+', "%20");
    let answer = f.approve(&f.push(request(), None).await).await;
    let (status, tokens) = f.post("token", Fapi::redeem(&answer["code"]), None, Some(&escaped)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let at = tokens["access_token"].as_str().unwrap();
    let x5t = claims(at)["cnf"]["x5t#S256"].as_str().unwrap().to_owned();
    assert_eq!(x5t.len(), 43);
    let userinfo = format!("{}/userinfo", f.issuer);
    let call = |cert: Option<String>| {
        let mut req = f.server.http.get(&userinfo).bearer_auth(at);
        if let Some(c) = cert {
            req = req.header(CERT_HEADER, c);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(call(Some(escaped.clone())).await, 200, "the same certificate");
    assert_eq!(call(None).await, 401, "a certificate-bound token without its certificate");
    let other =
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----", base64_der(b"\x30\x03\x02\x01\x06"));
    assert_eq!(call(Some(enc(&other))).await, 401, "another certificate");
    // Introspection shows the binding to resource servers.
    let (status, intro) = f.post("introspect", vec![("token", at.to_owned())], None, None).await;
    assert_eq!((status, intro["cnf"]["x5t#S256"].as_str()), (200, Some(x5t.as_str())), "{intro}");
}

#[tokio::test]
async fn a_proof_sent_with_the_pushed_request_binds_the_code_to_its_key_rfc9449_10() {
    let f = fapi("fapi-jkt").await;
    let answer = f.approve(&f.push(request(), Some(f.proof("par"))).await).await;
    let (thief, _) = AgentKey::new("fintech");
    let stolen = thief.proof("POST", &format!("{}/token", f.issuer), None);
    let (status, body) = f.post("token", Fapi::redeem(&answer["code"]), Some(stolen), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    // dpop_jkt named in the request must be the proof's key.
    let mut mismatched = request();
    mismatched.push(("dpop_jkt", thief.dpop_jkt.clone()));
    let (status, body) = f.post("par", mismatched, Some(f.proof("par")), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    // The holder of the key redeems a fresh code.
    let answer = f.approve(&f.push(request(), Some(f.proof("par"))).await).await;
    let (status, body) = f.post("token", Fapi::redeem(&answer["code"]), Some(f.proof("token")), None).await;
    assert_eq!(status, 200, "{body}");
}

fn base64_der(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}
