//! The `claims` request parameter end to end (OIDC Core §5.5): an essential `acr` steps the
//! sign-in up and the ID token reports one of the requested values; user claims asked for one by
//! one reach the ID token or UserInfo (also after a refresh), only for a client registered for
//! the scope that carries them and only once the user consented to that scope.

use ciam_testkit::{Admin, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, authorize_url, location, unix_now};
use serde_json::{Value, json};

use crate::support::{GERMANY, enroll_totp, redeem, setup};

/// `authorize_url` for `client` with `scope` and the `claims` parameter.
fn with_claims(client: &str, scope: &str, claims: &Value) -> String {
    let claims: String = url::form_urlencoded::byte_serialize(claims.to_string().as_bytes()).collect();
    authorize_url(client, scope).nonce("n").extra(&format!("&claims={claims}")).build()
}

/// Redeems `code` as `client`; returns the token response.
async fn redeem_as(server: &Server, client: &str, secret: &str, code: &str) -> Value {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let res = server.http.post(server.url("/t/acme/token")).basic_auth(client, Some(secret)).form(&form).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Refreshes as `client`; returns the token response.
async fn refresh_as(server: &Server, client: &str, secret: &str, refresh_token: &str) -> Value {
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
    let res = server.http.post(server.url("/t/acme/token")).basic_auth(client, Some(secret)).form(&form).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn userinfo(server: &Server, access_token: &str) -> Value {
    let res = server.http.get(server.url("/t/acme/userinfo")).bearer_auth(access_token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// An essential `acr` at the multi-factor level: a password is not enough, the TOTP step-up is
/// asked, and the ID token's `acr` is the requested level, with `auth_time`. Without the
/// parameter the same sign-in needs no second factor; a voluntary request for the password level
/// gets exactly that value reported for a multi-factor session (OIDC Core §5.5.1.1).
#[tokio::test]
async fn an_essential_acr_in_claims_steps_up_and_the_id_token_carries_it_oidc_5_5_1_1() {
    let s = setup("claims-acr", vec![]).await;
    let base = s.server.url("");
    let ada = Browser::at(&base, Some(GERMANY));
    let (_, flow, csrf) = ada.login_page("").await;
    let answer = ada.to_callback(ada.password(&flow, &csrf, PASSWORD).await).await;
    assert!(answer.contains_key("code"), "{answer:?}");
    let seed = enroll_totp(&ada, &s.server.data_dir.join("mail")).await;

    // Without the claims parameter: a password suffices.
    let plain = Browser::at(&base, Some(GERMANY));
    let (_, flow, csrf) = plain.login_page("").await;
    let answer = plain.to_callback(plain.password(&flow, &csrf, PASSWORD).await).await;
    assert!(answer.contains_key("code"), "no step-up without a request: {answer:?}");

    let essential = json!({"id_token": {"acr": {"essential": true, "values": ["urn:ciam:acr:mfa", "urn:ciam:acr:phr"]},
                                        "auth_time": {"essential": true}}});
    let fresh = Browser::at(&base, Some(GERMANY));
    let res = fresh.sign_in(&with_claims("web", "openid", &essential)).await;
    assert_eq!(res.status(), 303);
    let mfa = location(&res);
    assert!(mfa.contains("/t/acme/mfa?flow="), "stepped up: {mfa}");
    let html = fresh.get(&mfa).await.text().await.unwrap();
    let (flow, csrf) = (ciam_testkit::hidden(&html, "flow"), ciam_testkit::hidden(&html, "csrf"));
    // The next step's code (the enrolment used the current one).
    let code = ciam_authn::totp::code_at(&seed, unix_now() + 30);
    let res = fresh.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "totp"), ("code", &code)]).await;
    let answer = fresh.to_callback(res).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    let id_token = crate::claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["acr"], "urn:ciam:acr:mfa", "{id_token}");
    assert!(id_token["auth_time"].as_i64().is_some_and(|t| t <= unix_now()), "{id_token}");

    // The same multi-factor session, asked (voluntarily) for the password level: that value.
    let voluntary = json!({"id_token": {"acr": {"value": "urn:ciam:acr:pwd"}}});
    let answer = fresh.answer_for(&with_claims("web", "openid", &voluntary)).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(crate::claims(tokens["id_token"].as_str().unwrap())["acr"], "urn:ciam:acr:pwd");
    assert_eq!(crate::claims(tokens["access_token"].as_str().unwrap())["acr"], "urn:ciam:acr:pwd");
}

/// `{"id_token":{"email":null},"userinfo":{"email_verified":null}}` with `scope=openid`, from a
/// client registered for `email`: the consent page asks for the email address (a consent for
/// `openid` alone does not cover it), the ID token has `email` and UserInfo `email_verified`,
/// each only where it was asked for, also after a refresh. A client not registered for `email`
/// asking the same gets neither, and is not asked about it.
#[tokio::test]
async fn claims_requested_one_by_one_reach_the_id_token_and_userinfo_oidc_5_5() {
    let s = setup("claims-user", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let mail = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "mail", "name": "Acme Mail", "client_type": "confidential",
                   "redirect_uris": [CALLBACK], "scopes": ["openid", "email", "profile"]}),
            201,
        )
        .await;
    let secret = mail["client_secret"].as_str().unwrap().to_owned();
    let ada = Browser::at(&s.server.url(""), Some(GERMANY));

    // A consent for openid alone.
    let (pages, callback) = ada.authorize(&authorize_url("mail", "openid").nonce("n").build(), "allow").await;
    let consent = pages.last().unwrap();
    assert!(consent.contains("Know who you are") && !consent.contains("See your email address"), "{consent}");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let plain = redeem_as(&s.server, "mail", &secret, &code).await;
    assert!(crate::claims(plain["id_token"].as_str().unwrap()).get("email").is_none());
    assert!(userinfo(&s.server, plain["access_token"].as_str().unwrap()).await.get("email_verified").is_none());

    // The claims parameter: asked again, now for the email address too.
    let claims = json!({"id_token": {"email": null}, "userinfo": {"email_verified": {"essential": true}}});
    let (pages, callback) = ada.authorize(&with_claims("mail", "openid", &claims), "allow").await;
    let consent = pages.last().expect("the consent page");
    assert!(consent.contains("See your email address"), "{consent}");
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let tokens = redeem_as(&s.server, "mail", &secret, &code).await;
    assert_eq!(tokens["scope"], "openid", "the granted scope is not widened");
    let id_token = crate::claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["email"], "ada@example.com", "{id_token}");
    assert!(id_token.get("email_verified").is_none(), "asked for UserInfo only: {id_token}");
    let info = userinfo(&s.server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info["email_verified"], false, "{info}");
    assert!(info.get("email").is_none(), "asked for the ID token only: {info}");
    let refreshed = refresh_as(&s.server, "mail", &secret, tokens["refresh_token"].as_str().unwrap()).await;
    let info = userinfo(&s.server, refreshed["access_token"].as_str().unwrap()).await;
    assert_eq!(info["email_verified"], false, "refreshed access tokens keep the request: {info}");

    // Consented now: the same request goes straight back with a code.
    let (pages, _) = ada.authorize(&with_claims("mail", "openid", &claims), "allow").await;
    assert!(pages.is_empty(), "no page: the consent covers the claims");

    // `web` may only have openid: the email claims are not returned, and not asked about.
    let asked =
        json!({"id_token": {"email": {"essential": true}}, "userinfo": {"email": null, "email_verified": null}});
    let (pages, callback) = ada.authorize(&with_claims("web", "openid", &asked), "allow").await;
    assert!(pages.iter().all(|p| !p.contains("See your email address")));
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let tokens = redeem(&s.server, &s.secret, &code).await;
    let id_token = crate::claims(tokens["id_token"].as_str().unwrap());
    assert!(id_token.get("email").is_none(), "{id_token}");
    let info = userinfo(&s.server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info.as_object().unwrap().keys().collect::<Vec<_>>(), ["sub"], "{info}");
}
