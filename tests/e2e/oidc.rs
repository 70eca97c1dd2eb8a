//! The authorization code flow end to end, driven by a real relying party (the `openidconnect`
//! crate: discovery, PKCE, ID token verification against the JWKS, userinfo, refresh) and a
//! cookie-keeping HTTP client standing in for the browser on the hosted pages.

use ciam_testkit::{
    Admin, Browser, CALLBACK, PASSWORD, Server, ServerOptions, TempDir, TestPostgres, TestRedis, World,
    callback_params, hidden, location,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde_json::{Value, json};

use crate::BIN;

const BYE: &str = "http://127.0.0.1:9/signed-out";

/// openidconnect's HTTP client interface on top of this workspace's reqwest.
fn rp_http(
    client: reqwest::Client,
) -> impl Fn(
    openidconnect::HttpRequest,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<openidconnect::HttpResponse, reqwest::Error>>>> {
    move |req: openidconnect::HttpRequest| {
        let client = client.clone();
        Box::pin(async move {
            let res = client.execute(reqwest::Request::try_from(req)?).await?;
            let mut out = http::Response::builder().status(res.status());
            for (k, v) in res.headers() {
                out = out.header(k, v);
            }
            Ok(out.body(res.bytes().await?.to_vec()).expect("valid response"))
        })
    }
}

/// Discovery (C01), the login page, consent, the code with `state` and `iss` (C03, RFC 9207),
/// an ID token the relying party verifies, userinfo (C08, C13).
#[tokio::test]
async fn authorization_code_flow_with_a_real_relying_party() {
    signed_in("oidc", ServerOptions::default()).await;
}

#[tokio::test]
async fn a_code_is_single_use_and_its_replay_revokes_what_it_issued_c28_c29() {
    let mut f = signed_in("oidc-code-reuse", ServerOptions::default()).await;
    code_reuse(&mut f).await;
}

#[tokio::test]
async fn sso_skips_sign_in_and_consent_and_refresh_tokens_rotate_s13_c33() {
    let mut f = signed_in("oidc-refresh", ServerOptions::default()).await;
    sso_and_refresh_rotation(&mut f).await;
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_grant_rfc7009_2_1() {
    let mut f = signed_in("oidc-revoke", ServerOptions::default()).await;
    refresh_revocation(&mut f).await;
}

#[tokio::test]
async fn prompt_none_and_id_token_hint_c19_c20_c23_s19() {
    let mut f = signed_in("oidc-prompt-none", ServerOptions::default()).await;
    prompt_none(&mut f).await;
}

#[tokio::test]
async fn disabling_the_user_ends_sessions_codes_and_tokens_s14_s26() {
    let mut f = signed_in("oidc-disable", ServerOptions::default()).await;
    disabled_user(&mut f).await;
}

#[tokio::test]
async fn a_revoked_consent_is_asked_again() {
    let mut f = signed_in("oidc-consent", ServerOptions::default()).await;
    consent_revocation(&mut f).await;
}

/// Needs a later session than the first ID token's and a revoked consent: the chapters before
/// it first.
#[tokio::test]
async fn rp_initiated_logout_confirms_unless_the_hint_names_this_session_c39() {
    let mut f = signed_in("oidc-logout", ServerOptions::default()).await;
    disabled_user(&mut f).await;
    consent_revocation(&mut f).await;
    rp_initiated_logout(&mut f).await;
}

/// Needs Ada signed out with her consent revoked: the chapters before it first.
#[tokio::test]
async fn a_code_whose_user_is_deleted_is_invalid_grant_and_audited() {
    let mut f = signed_in("oidc-deleted", ServerOptions::default()).await;
    disabled_user(&mut f).await;
    consent_revocation(&mut f).await;
    rp_initiated_logout(&mut f).await;
    deleted_user(&mut f).await;
}

/// The whole story, every chapter in order on one server, with sessions, flows and codes in
/// Redis and everything durable in Postgres.
#[tokio::test]
async fn authorization_code_flow_on_postgres_and_redis() {
    let Some(pg) = TestPostgres::create().await else { return };
    let Some(redis) = TestRedis::create().await else { return };
    code_flow(ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        env: vec![("CIAM_ADMIN_TOKEN".into(), "admin-token-for-the-oidc-postgres-test-0123456789".into())],
        ..ServerOptions::default()
    })
    .await;
    // Codes (and their reuse markers), sessions and flows went through Redis: the markers outlive
    // the flow (sessions ended with the logout at its end).
    assert!(redis.keys().iter().any(|k| k.contains(":used_code:acme@")), "codes live in Redis");
}

/// `openidconnect`'s client as discovery configures it.
type Rp = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The code-flow story's shared fixture: tenant `acme` with Ada (with an address) and client
/// `web`, a relying party configured by discovery, and Ada's browser after her first sign-in,
/// consent and code redemption (the story's first chapter, with all its checks). Each later
/// chapter is a function over it, run alone by its rule-named test (after the chapters it
/// needs) and all in order by the Postgres and Redis variant.
struct Flow {
    server: Server,
    admin_token: String,
    user: Value,
    secret: String,
    client: reqwest::Client,
    rp: Rp,
    browser: Browser,
    first_code: String,
    first_access: String,
    /// The access token of the latest grant.
    last_access: String,
    id_token_hint: String,
    /// The first ID token with its last character removed.
    forged: String,
    /// A `prompt=none` request for `email`.
    silent: String,
    _dir: TempDir,
}

/// The fixture: a server started with `opts`, discovery, and Ada's first sign-in.
async fn signed_in(tag: &str, opts: ServerOptions) -> Flow {
    let dir = TempDir::new(tag);
    let token = opts.env.iter().find(|(k, _)| k == "CIAM_ADMIN_TOKEN").map(|(_, v)| v.clone());
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin_token = token.unwrap_or_else(|| server.generated_admin_token());
    let admin = Admin::new(&server, admin_token.clone());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let user = admin
        .post(
            "/tenants/acme/users",
            json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada Lovelace", "email_verified": true,
                   "address": {"locality": "London", "country": "GB"}}),
            201,
        )
        .await;
    let web = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential", "redirect_uris": [CALLBACK],
                   "post_logout_redirect_uris": [BYE], "scopes": ["openid", "profile", "email", "address", "offline_access"]}),
            201,
        )
        .await;
    let secret = web["client_secret"].as_str().unwrap().to_owned();

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let http = rp_http(client.clone());
    let issuer = server.url("/t/acme");
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
        .await
        .expect("discovery (C01)");
    let rp =
        CoreClient::from_provider_metadata(meta, ClientId::new("web".into()), Some(ClientSecret::new(secret.clone())))
            .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("address".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser: authorize -> login page -> sign in -> consent page -> allow -> callback.
    let browser = Browser::new(&server);
    let res = browser.get(auth_url.as_str()).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers().get("access-control-allow-origin").is_none(), "S08");
    let login_url = location(&res);
    assert!(login_url.contains("/t/acme/login?flow="));
    let page = browser.get(&login_url).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    for label in ["Email", "Password", "Sign in", "Acme Web"] {
        assert!(html.contains(label), "login page shows {label}");
    }
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));

    // Wrong password and unknown email: same message, same status.
    for (email, password) in [("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)] {
        let res = browser
            .post("/t/acme/login", &[("flow", &flow), ("csrf", &csrf), ("email", email), ("password", password)])
            .await;
        assert_eq!(res.status(), 401);
        assert!(res.text().await.unwrap().contains("Incorrect email or password."));
    }
    // A missing or wrong CSRF token changes nothing (S12).
    let res = browser
        .post(
            "/t/acme/login",
            &[("flow", &flow), ("csrf", "forged"), ("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);

    let res = browser
        .post(
            "/t/acme/login",
            &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303, "S09: 303 after the login POST");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/t/acme"),
        "{cookie}"
    );
    let (consent, _) = browser.follow(res).await;
    let html = consent.text().await.unwrap();
    for text in ["Allow", "Deny", "Acme Web", "See your email address", "127.0.0.1"] {
        assert!(html.contains(text), "consent page shows {text}");
    }
    let hops = browser.allow(&html).await;
    let callback = callback_params(hops.last().unwrap());
    assert_eq!(callback["state"], *state.secret(), "state echoed (C03)");
    assert_eq!(callback["iss"], issuer, "RFC 9207");
    let code = callback["code"].clone();

    // Token exchange; openidconnect verifies the ID token (signature via JWKS, iss, aud, nonce, exp).
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().expect("an ID token");
    let id_token_hint = id_token.to_string();
    let claims = id_token.claims(&rp.id_token_verifier(), &nonce).expect("a valid ID token");
    assert_eq!(claims.subject().as_str(), user["id"].as_str().unwrap());
    assert!(claims.auth_time().is_some());
    let info: CoreUserInfoClaims =
        rp.user_info(tokens.access_token().clone(), None).unwrap().request_async(&http).await.expect("userinfo");
    assert_eq!(info.subject(), claims.subject(), "C08");
    assert_eq!(info.email().unwrap().as_str(), "ada@example.com");
    assert_eq!(info.name().unwrap().get(None).unwrap().as_str(), "Ada Lovelace");
    let address = info.address().expect("the address scope returns the address claim (C13)");
    assert_eq!(address.locality.as_ref().unwrap().as_str(), "London");

    let silent = format!(
        "{}&prompt=none",
        rp.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
            .url()
            .0
    );
    let mut forged = id_token_hint.clone();
    forged.pop();
    Flow {
        last_access: tokens.access_token().secret().clone(),
        first_access: tokens.access_token().secret().clone(),
        first_code: code,
        admin_token,
        user,
        secret,
        client,
        rp,
        browser,
        id_token_hint,
        forged,
        silent,
        server,
        _dir: dir,
    }
}

/// The code is single use, and its second use revokes what the first issued (C28, C29).
async fn code_reuse(f: &mut Flow) {
    let server = &f.server;
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let secret = &f.secret;
    // The code is single use, and its second use revokes what the first issued (C28, C29).
    let again = rp.exchange_code(AuthorizationCode::new(f.first_code.clone())).unwrap().request_async(&http).await;
    assert!(again.is_err());
    let intro: Value = server
        .http
        .post(server.url("/t/acme/introspect"))
        .basic_auth("web", Some(&secret))
        .form(&[("token", &f.first_access)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro, json!({"active": false}));
}

/// A fresh grant needs no sign-in and no consent; refresh tokens rotate, and reusing a rotated
/// one revokes the family (S13, C33).
async fn sso_and_refresh_rotation(f: &mut Flow) {
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let browser = &f.browser;
    // A fresh grant: the session and the consent are remembered, so the code comes at once.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let res = browser.get(auth_url.as_str()).await;
    let to = location(&res);
    assert!(to.starts_with(CALLBACK), "SSO + remembered consent: straight back to the client ({to})");
    let tokens = rp
        .exchange_code(AuthorizationCode::new(callback_params(&to)["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();

    // Refresh rotates; reusing a rotated token revokes the family (S13).
    let first = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = rp.exchange_refresh_token(&first).unwrap().request_async(&http).await.expect("refresh");
    let second = refreshed.refresh_token().unwrap().clone();
    assert_ne!(first.secret(), second.secret());
    assert_ne!(refreshed.access_token().secret(), tokens.access_token().secret(), "C33");
    assert!(rp.exchange_refresh_token(&first).unwrap().request_async(&http).await.is_err(), "reuse refused");
    assert!(rp.exchange_refresh_token(&second).unwrap().request_async(&http).await.is_err(), "family revoked");
    assert!(rp.exchange_refresh_token(&RefreshToken::new("bogus".into())).unwrap().request_async(&http).await.is_err());
    f.last_access = refreshed.access_token().secret().clone();
}

/// Revoking a refresh token ends its grant; only the owning client can (RFC 7009).
async fn refresh_revocation(f: &mut Flow) {
    let server = &f.server;
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let browser = &f.browser;
    let secret = &f.secret;
    // Revoking a refresh token (RFC 7009) ends its grant; only the owning client can.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = callback_params(&location(&browser.get(auth_url.as_str()).await))["code"].clone();
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    let revoke =
        server.http.post(server.url("/t/acme/revoke")).basic_auth("web", Some(&secret)).form(&[("token", &refresh)]);
    assert_eq!(revoke.send().await.unwrap().status(), 200);
    assert!(
        rp.exchange_refresh_token(&RefreshToken::new(refresh)).unwrap().request_async(&http).await.is_err(),
        "revoked"
    );
    f.last_access = tokens.access_token().secret().clone();
}

/// `prompt=none` and `id_token_hint` (C19, C20, C23, S19).
async fn prompt_none(f: &mut Flow) {
    let server = &f.server;
    let browser = &f.browser;
    let id_token_hint = f.id_token_hint.clone();
    let forged = f.forged.clone();
    let silent = f.silent.clone();
    let issuer = server.url("/t/acme");
    // prompt=none with a session and consent: silent success; with another browser: login_required.
    assert!(callback_params(&location(&browser.get(&silent).await)).contains_key("code"), "C20");
    let hinted = browser.answer_for(&format!("{silent}&id_token_hint={}", enc(&id_token_hint))).await;
    assert!(hinted.contains_key("code"), "C23: our own ID token as hint, same user: silent success");
    let refused = browser.answer_for(&format!("{silent}&id_token_hint={}", enc(&forged))).await;
    assert_eq!(refused["error"], "invalid_request", "C23: a hint we did not sign is refused");
    let access_as_hint = browser.answer_for(&format!("{silent}&id_token_hint={}", enc(&f.last_access))).await;
    assert_eq!(access_as_hint["error"], "invalid_request", "S19: an access token is not an ID token");
    let stranger = Browser::new(server);
    let answer = callback_params(&location(&stranger.get(&silent).await));
    assert_eq!(answer["error"], "login_required", "C19");
    assert_eq!(answer["iss"], issuer);
    assert!(!server.logs().contains(PASSWORD), "the password never reaches the logs");
}

/// Disabling the user ends sessions, codes and tokens at once (S14, S26); the admin API lists
/// and ends sessions.
async fn disabled_user(f: &mut Flow) {
    let server = &f.server;
    let admin = Admin::new(&f.server, f.admin_token.clone());
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let browser = &f.browser;
    let secret = &f.secret;
    let silent = f.silent.clone();
    let user = &f.user;
    let refusal = async |code: String, verifier: PkceCodeVerifier| {
        let request = rp.exchange_code(AuthorizationCode::new(code)).unwrap().set_pkce_verifier(verifier);
        let refused = request.request_async(&http).await.expect_err("the code gives nothing");
        let openidconnect::RequestTokenError::ServerResponse(e) = refused else { panic!("{refused:?}") };
        e.error().as_ref().to_owned()
    };
    // Disabling the user makes their tokens inactive at once and ends their refresh tokens (S14, S26).
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = browser.answer_for(auth_url.as_str()).await["code"].clone();
    let live = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let uid = user["id"].as_str().unwrap();
    let sessions = admin.get(&format!("/tenants/acme/users/{uid}/sessions"), 200).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "the admin API lists the browser's session");
    assert_eq!(sessions[0]["amr"], json!(["pwd"]));
    assert!(!sessions.to_string().contains("ciam_session"), "never a cookie value");
    let (pending_challenge, pending_verifier) = PkceCodeChallenge::new_random_sha256();
    let (pending_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(pending_challenge)
        .url();
    let pending = browser.answer_for(pending_url.as_str()).await["code"].clone();
    let (status, _) = admin
        .call(reqwest::Method::PATCH, &format!("/tenants/acme/users/{uid}"), Some(json!({"status": "disabled"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(refusal(pending, pending_verifier).await, "invalid_grant", "approved before the user was disabled");
    assert_eq!(
        admin.get(&format!("/tenants/acme/users/{uid}/sessions"), 200).await,
        json!([]),
        "sessions end (ASVS 7.4.2)"
    );
    assert_eq!(browser.answer_for(&silent).await["error"], "login_required");
    let intro: Value = server
        .http
        .post(server.url("/t/acme/introspect"))
        .basic_auth("web", Some(&secret))
        .form(&[("token", live.access_token().secret())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro, json!({"active": false}), "disabled user's token is inactive");
    assert!(rp.exchange_refresh_token(live.refresh_token().unwrap()).unwrap().request_async(&http).await.is_err());
    let (status, _) = admin
        .call(
            reqwest::Method::PATCH,
            &format!("/tenants/acme/users/{}", user["id"].as_str().unwrap()),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(status, 200);
    // Sign in again; the consent is still remembered, so the code comes straight back.
    let res = browser.sign_in(auth_url.as_str()).await;
    let (_, hops) = browser.follow(res).await;
    assert!(callback_params(hops.last().unwrap()).contains_key("code"));
    // An administrator can end one session by its id.
    let sessions = admin.get(&format!("/tenants/acme/users/{uid}/sessions"), 200).await;
    let sid = sessions[0]["sid"].as_str().unwrap().to_owned();
    let (status, _) =
        admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{uid}/sessions/{sid}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(browser.answer_for(&silent).await["error"], "login_required");
    let (status, _) =
        admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{uid}/sessions/{sid}"), None).await;
    assert_eq!(status, 404);
    let res = browser.sign_in(auth_url.as_str()).await;
    let _ = browser.follow(res).await;
    f.last_access = live.access_token().secret().clone();
}

/// The admin API lists and revokes consents; the next request asks again.
async fn consent_revocation(f: &mut Flow) {
    let admin = Admin::new(&f.server, f.admin_token.clone());
    let browser = &f.browser;
    let silent = f.silent.clone();
    let uid = f.user["id"].as_str().unwrap();
    // The admin API lists the consent and can revoke it; the next request asks again.
    let consents = admin.get(&format!("/tenants/acme/users/{uid}/consents"), 200).await;
    assert_eq!(consents[0]["client_id"], "web");
    assert!(consents[0]["scopes"].as_array().unwrap().contains(&json!("email")));
    let (status, _) =
        admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{uid}/consents/web"), None).await;
    assert_eq!(status, 204);
    assert_eq!(browser.answer_for(&silent).await["error"], "consent_required", "consent revoked");
}

/// RP-initiated logout (C39; RP-Initiated Logout 1.0 §2).
async fn rp_initiated_logout(f: &mut Flow) {
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let browser = &f.browser;
    let id_token_hint = f.id_token_hint.clone();
    let forged = f.forged.clone();
    let silent = f.silent.clone();
    let (auth_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    // RP-initiated logout (C39): a bad hint or an unregistered URI is an error page, no redirect.
    for q in [
        format!("id_token_hint={}&post_logout_redirect_uri={}", enc(&forged), enc(BYE)),
        format!("id_token_hint={}&post_logout_redirect_uri={}", enc(&id_token_hint), enc("https://evil.example/")),
        format!("post_logout_redirect_uri={}", enc(BYE)),
    ] {
        let res = browser.get(&format!("/t/acme/logout?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
        assert!(res.headers().get("location").is_none());
    }
    // Without a hint the user must confirm; the page alone changes nothing.
    let page = browser.get("/t/acme/logout").await.text().await.unwrap();
    assert!(page.contains("Sign out of Acme?"));
    assert_eq!(browser.answer_for(&silent).await["error"], "consent_required", "still signed in");
    // The first ID token is from an earlier session of Ada's (she signed in again since): it does
    // not name this session, so the user is asked (RP-Initiated Logout 1.0 §2).
    let logout_with = |hint: &str| {
        format!("/t/acme/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye1", enc(hint), enc(BYE))
    };
    let res = browser.get(&logout_with(&id_token_hint)).await;
    assert_eq!(res.status(), 200, "an earlier session's hint: confirm first");
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.unwrap().contains("Sign out of Acme?"));
    // An ID token of this session signs out at once.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let (consent, _) = browser.follow(browser.get(url.as_str()).await).await;
    let hops = browser.allow(&consent.text().await.unwrap()).await;
    let code = callback_params(hops.last().unwrap())["code"].clone();
    let current = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let res = browser.get(&logout_with(&current.id_token().unwrap().to_string())).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{BYE}?state=bye1"));
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(browser.answer_for(&silent).await["error"], "login_required", "the session is gone");
    // The confirmation form works too, and needs its CSRF token.
    let res = browser.sign_in(auth_url.as_str()).await;
    assert_eq!(res.status(), 303);
    let page = browser.get("/t/acme/logout").await.text().await.unwrap();
    assert_eq!(browser.post("/t/acme/logout/confirm", &[("csrf", "forged")]).await.status(), 403);
    let done = browser.post("/t/acme/logout/confirm", &[("csrf", &hidden(&page, "csrf"))]).await;
    assert!(done.text().await.unwrap().contains("You are signed out"));
    assert_eq!(browser.answer_for(&silent).await["error"], "login_required");
}

/// A code whose user is deleted before it is redeemed is refused as invalid_grant, and the
/// refusal (not an issuance) is what the trail records.
async fn deleted_user(f: &mut Flow) {
    let admin = Admin::new(&f.server, f.admin_token.clone());
    let rp = &f.rp;
    let http = rp_http(f.client.clone());
    let browser = &f.browser;
    let uid = f.user["id"].as_str().unwrap();
    let refusal = async |code: String, verifier: PkceCodeVerifier| {
        let request = rp.exchange_code(AuthorizationCode::new(code)).unwrap().set_pkce_verifier(verifier);
        let refused = request.request_async(&http).await.expect_err("the code gives nothing");
        let openidconnect::RequestTokenError::ServerResponse(e) = refused else { panic!("{refused:?}") };
        e.error().as_ref().to_owned()
    };
    // A code whose user is deleted before it is redeemed: refused as invalid_grant, and the
    // refusal (not an issuance) is what the trail records.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (consent, _) = browser.follow(browser.sign_in(url.as_str()).await).await;
    let html = consent.text().await.unwrap();
    let hops = browser.allow(&html).await;
    let code = callback_params(hops.last().unwrap())["code"].clone();
    let (status, _) = admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{uid}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(refusal(code, verifier).await, "invalid_grant", "the user is gone");
    let events = admin.get("/tenants/acme/audit?type=token.refused&limit=200", 200).await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert!(last["reason"].as_str().unwrap().starts_with("invalid_grant"), "{last}");
}

/// The whole story in order, every chapter on one server.
async fn code_flow(opts: ServerOptions) {
    let mut f = signed_in("oidc", opts).await;
    code_reuse(&mut f).await;
    sso_and_refresh_rotation(&mut f).await;
    refresh_revocation(&mut f).await;
    prompt_none(&mut f).await;
    disabled_user(&mut f).await;
    consent_revocation(&mut f).await;
    rp_initiated_logout(&mut f).await;
    deleted_user(&mut f).await;
}

/// Tenant `acme` with Ada and the confidential client `web`, on a fresh server; a browser on it
/// and the callback, encoded. Shared by the authorization-error tests below.
/// (They were one story, `authorization_errors_are_pages_or_redirects_as_the_rfc_says`.)
struct ErrorsFixture {
    server: Server,
    browser: Browser,
    cb: String,
    _dir: TempDir,
}

async fn errors_fixture(tag: &str) -> ErrorsFixture {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let browser = Browser::new(&server);
    let cb = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>();
    ErrorsFixture { server, browser, cb, _dir: dir }
}

/// Signs Ada in on the authorization request `query` and returns the consent page's HTML.
async fn consent_page(browser: &Browser, query: &str) -> String {
    let res = browser.get(&format!("/t/acme/authorize?{query}")).await;
    let html = browser.get(&location(&res)).await.text().await.unwrap();
    let res = browser
        .post(
            "/t/acme/login",
            &[
                ("flow", &hidden(&html, "flow")),
                ("csrf", &hidden(&html, "csrf")),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let (consent, _) = browser.follow(res).await;
    consent.text().await.unwrap()
}

/// Unknown client or unregistered redirect URI: an error page, never a redirect (S02, C24).
#[tokio::test]
async fn authorization_errors_before_the_redirect_uri_is_verified_are_pages_s02_c24() {
    let ErrorsFixture { browser, cb, .. } = &errors_fixture("oidc-errors-page").await;
    for q in [
        format!("client_id=ghost&redirect_uri={cb}&response_type=code&scope=openid"),
        "client_id=web&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code&scope=openid".to_owned(),
    ] {
        let res = browser.get(&format!("/t/acme/authorize?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
        assert!(res.headers().get("location").is_none());
        assert_eq!(res.headers()["x-frame-options"], "DENY", "anti-framing on error pages too (S11)");
    }
}

/// After verification: redirect with error, state and iss (C09, S03).
#[tokio::test]
async fn authorization_errors_after_the_redirect_uri_is_verified_are_redirects_c09_s03() {
    let ErrorsFixture { server, browser, cb, .. } = &errors_fixture("oidc-errors-redirect").await;
    let res = browser
        .get(&format!("/t/acme/authorize?client_id=web&redirect_uri={cb}&response_type=token&scope=openid&state=xyz"))
        .await;
    let p = callback_params(&location(&res));
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("unsupported_response_type", "xyz"));
    assert_eq!(p["iss"], server.url("/t/acme"));
}

/// Deny on the consent page returns access_denied (C40).
#[tokio::test]
async fn denying_consent_returns_access_denied_c40() {
    let ErrorsFixture { browser, cb, .. } = &errors_fixture("oidc-errors-deny").await;
    let html =
        consent_page(browser, &format!("client_id=web&redirect_uri={cb}&response_type=code&scope=openid&state=s1"))
            .await;
    let res = browser
        .post(
            "/t/acme/consent",
            &[("flow", &hidden(&html, "flow")), ("csrf", &hidden(&html, "csrf")), ("decision", "deny")],
        )
        .await;
    let p = callback_params(&location(&res));
    assert_eq!((p["error"].as_str(), p["state"].as_str()), ("access_denied", "s1"));
}

/// A first-party application (an administrator's choice) gets its code right after the
/// sign-in, without a consent page and without a consent record; `prompt=consent` still asks.
#[tokio::test]
async fn a_first_party_app_is_not_asked_for_consent_unless_it_asks() {
    let ErrorsFixture { server, browser, cb, .. } = &errors_fixture("oidc-first-party").await;
    let admin = Admin::new(server, server.generated_admin_token());
    let patch = json!({"first_party": true});
    let (status, client) = admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/web", Some(patch)).await;
    assert_eq!((status, client["first_party"].as_bool()), (200, Some(true)), "{client}");
    let query = format!("client_id=web&redirect_uri={cb}&response_type=code&scope=openid%20email&state=s1");
    let res = browser.get(&format!("/t/acme/authorize?{query}")).await;
    let html = browser.get(&location(&res)).await.text().await.unwrap();
    let form = [("flow", hidden(&html, "flow")), ("csrf", hidden(&html, "csrf"))];
    let (email, password) = (("email", "ada@example.com".to_owned()), ("password", PASSWORD.to_owned()));
    let fields: Vec<(&str, &str)> = form.iter().chain([&email, &password]).map(|(k, v)| (*k, v.as_str())).collect();
    let (_, seen) = browser.follow(browser.post("/t/acme/login", &fields).await).await;
    assert!(!seen.iter().any(|to| to.contains("/consent")), "no consent page: {seen:?}");
    let answer = callback_params(seen.last().map_or("", String::as_str));
    assert!(!answer["code"].is_empty() && answer["state"] == "s1", "{answer:?}");
    let users = admin.get("/tenants/acme/users?email=ada@example.com", 200).await;
    let ada = users["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let consents = admin.get(&format!("/tenants/acme/users/{ada}/consents"), 200).await;
    assert_eq!(consents.as_array().map(Vec::len), Some(0), "nothing was asked, nothing is recorded: {consents}");
    // With prompt=consent the user is asked all the same.
    let res = browser.get(&format!("/t/acme/authorize?{query}&prompt=consent")).await;
    assert!(location(&res).contains("/t/acme/consent"), "{}", location(&res));
}

/// A flow opened in another browser is refused (login CSRF).
#[tokio::test]
async fn a_login_flow_opened_in_another_browser_is_refused_s12() {
    let ErrorsFixture { server, browser, cb, .. } = &errors_fixture("oidc-errors-csrf").await;
    let res = browser
        .get(&format!("/t/acme/authorize?client_id=web&redirect_uri={cb}&response_type=code&scope=openid&prompt=login"))
        .await;
    let other = Browser::new(server);
    assert_eq!(other.get(&location(&res)).await.status(), 400);
}

/// form_post response mode delivers the same fields in an auto-posting form (C17-style): a
/// signed-in user who has not consented gets consent_required there.
#[tokio::test]
async fn form_post_delivers_the_answer_in_an_auto_posting_form_c17() {
    let ErrorsFixture { browser, cb, .. } = &errors_fixture("oidc-errors-form-post").await;
    consent_page(browser, &format!("client_id=web&redirect_uri={cb}&response_type=code&scope=openid&state=s1")).await;
    let res = browser.get(&format!("/t/acme/authorize?client_id=web&redirect_uri={cb}&response_type=code&scope=openid&state=fp&response_mode=form_post&prompt=none")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{CALLBACK}\"")));
    assert!(
        html.contains("name=\"error\" value=\"consent_required\"") && html.contains("name=\"state\" value=\"fp\""),
        "{html}"
    );
}

/// Pushed authorization requests (RFC 9126; standards C37, S22): tenant `acme` with Ada, client
/// `web` (which must push, and registered ES256 ID tokens) and client `other`.
/// (The tests over it were one story, `pushed_authorization_requests`.)
struct ParFixture {
    server: Server,
    secret: String,
    other_secret: String,
    browser: Browser,
    _dir: TempDir,
}

async fn par_fixture(tag: &str) -> ParFixture {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let world = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK],
                       "require_pushed_authorization_requests": true, "id_token_signed_response_alg": "ES256"}))
        .client(json!({"client_id": "other", "name": "Other", "client_type": "confidential",
                       "redirect_uris": [CALLBACK]}))
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    let browser = Browser::new(&server);
    ParFixture { secret: world.secret("web"), other_secret: world.secret("other"), browser, server, _dir: dir }
}

impl ParFixture {
    /// Pushes `form`, authenticated as `auth` if given.
    async fn par(&self, form: Vec<(&'static str, String)>, auth: Option<(&'static str, String)>) -> reqwest::Response {
        let mut req = self.server.http.post(self.server.url("/t/acme/par")).form(&form);
        if let Some((id, s)) = auth {
            req = req.basic_auth(id, Some(s));
        }
        req.send().await.unwrap()
    }
}

/// The request `web` pushes.
fn pushed_request() -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("redirect_uri", CALLBACK.to_owned()),
        ("scope", "openid".to_owned()),
        ("state", "pushed-state".to_owned()),
    ]
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A pushed request is good for 60 s, for the client that pushed it only, until the code it leads
/// to is issued; its parameters are the ones that count (C37).
#[tokio::test]
async fn a_pushed_request_serves_its_own_client_once_c37() {
    let f = par_fixture("par-used").await;
    let res = f.par(pushed_request(), Some(("web", f.secret.clone()))).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["expires_in"], 60);
    let request_uri = body["request_uri"].as_str().unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    let front = format!("/t/acme/authorize?client_id=web&request_uri={}", enc(&request_uri));

    // Another client cannot use it; opening it twice before signing in works (C37).
    assert_eq!(
        f.browser.get(&format!("/t/acme/authorize?client_id=other&request_uri={}", enc(&request_uri))).await.status(),
        400
    );
    let _ = f.browser.get(&front).await;
    let res = f.browser.get(&front).await;
    assert_eq!(res.status(), 303);
    let html = f.browser.get(&location(&res)).await.text().await.unwrap();
    let res = f
        .browser
        .post(
            "/t/acme/login",
            &[
                ("flow", &hidden(&html, "flow")),
                ("csrf", &hidden(&html, "csrf")),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let (consent, _) = f.browser.follow(res).await;
    let html = consent.text().await.unwrap();
    let hops = f.browser.allow(&html).await;
    let p = callback_params(hops.last().unwrap());
    assert!(p.contains_key("code"));
    assert_eq!(p["state"], "pushed-state", "parameters come from the pushed request");
    // The client registered ES256 ID tokens.
    let tokens: Value = f
        .server
        .http
        .post(f.server.url("/t/acme/token"))
        .basic_auth("web", Some(&f.secret))
        .form(&[("grant_type", "authorization_code"), ("code", &p["code"]), ("redirect_uri", CALLBACK)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(tokens["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    // Used up by the code it led to.
    assert_eq!(f.browser.get(&front).await.status(), 400, "single use");
}

/// This client must push: a front-channel request is refused, by redirect (RFC 9126 §6).
#[tokio::test]
async fn a_client_that_must_push_is_refused_on_the_front_channel_rfc9126_6() {
    let f = par_fixture("par-front").await;
    let cb = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>();
    let front_only = f
        .browser
        .get(&format!("/t/acme/authorize?client_id=web&redirect_uri={cb}&response_type=code&scope=openid&state=f"))
        .await;
    let answer = callback_params(&location(&front_only));
    assert_eq!((answer["error"].as_str(), answer["state"].as_str()), ("invalid_request", "f"));
}

/// Back-channel errors are JSON, never redirects; confidential clients authenticate (S22).
#[tokio::test]
async fn par_errors_are_json_and_each_client_pushes_its_own_s22() {
    let f = par_fixture("par-errors").await;
    let res = f.par(pushed_request(), Some(("web", f.secret.clone()))).await;
    assert_eq!(res.status(), 201);
    let request_uri = res.json::<Value>().await.unwrap()["request_uri"].as_str().unwrap().to_owned();
    // Back-channel errors are JSON, never redirects.
    let res = f.par(pushed_request(), None).await;
    assert_eq!(res.status(), 401, "confidential clients authenticate at PAR (S22)");
    let mut with_uri = pushed_request();
    with_uri.push(("request_uri", "urn:x".to_owned()));
    let res = f.par(with_uri, Some(("web", f.secret.clone()))).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
    let mut bad_redirect = pushed_request();
    bad_redirect[1].1 = "https://evil.example/cb".into();
    let res = f.par(bad_redirect, Some(("web", f.secret.clone()))).await;
    assert_eq!(res.status(), 400);
    let res = f.par(pushed_request(), Some(("other", f.other_secret.clone()))).await;
    assert_eq!(res.status(), 201, "each client pushes its own requests");
    assert_eq!(f.server.http.get(f.server.url("/t/acme/par")).send().await.unwrap().status(), 405);
    // The front channel cannot smuggle the internal marker.
    assert_eq!(
        f.browser.get(&format!("/t/acme/authorize?client_id=web&__par={}", enc(&request_uri))).await.status(),
        400
    );
}
