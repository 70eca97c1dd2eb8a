//! Adaptive authentication end to end: throttling of password guessing, the risk policy with a
//! GeoIP database stepping a sign-in up to TOTP, `acr_values`, and passkeys (registered on the
//! account page, then used for passwordless sign-in) with a software authenticator.
//!
//! Client addresses come from `X-Forwarded-For`, believed because the test server trusts
//! 127.0.0.1 as its reverse proxy (`server.trusted_proxies`).

use ciam_authn::TotpSeed;
use ciam_testkit::{Admin, Browser, PASSWORD, SoftPasskey, hidden, location, unix_now};
use serde_json::{Value, json};

use crate::support::{
    GERMANY, Setup, USA, confirm_by_email, enroll_totp, id_token_claims, localhost_setup, redeem, setup, token,
    wait_for_mails, without_nonces,
};

const ATTACKER: &str = "203.0.113.66";

/// Twenty wrong passwords from one address: after five, that address is held off (429, even
/// with the right password), while Ada signing in from her own address is not delayed. Many
/// accounts failing from one address lock the address out. The messages never say whether an
/// account exists.
#[tokio::test]
async fn password_guessing_is_throttled_per_address_without_locking_the_owner_out() {
    let s = setup("throttle", vec![]).await;
    let base = s.server.url("");
    let attacker = Browser::at(&base, Some(ATTACKER));
    let (_, flow, csrf) = attacker.login_page("").await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let res = attacker.password(&flow, &csrf, "wrong password").await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            assert!(res.headers().contains_key("retry-after"));
            let html = res.text().await.unwrap();
            assert!(html.contains("Too many attempts"));
        }
    }
    assert_eq!(statuses[..6], [401; 6], "five free failures, the sixth still checked: {statuses:?}");
    assert!(statuses[6..].iter().all(|s| *s == 429), "then held off: {statuses:?}");
    // Held off even with the right password: the guess is not even checked.
    assert_eq!(attacker.password(&flow, &csrf, PASSWORD).await.status(), 429);

    // Ada, from her own address, signs in at once.
    let ada = Browser::at(&base, Some(GERMANY));
    let (_, flow, csrf) = ada.login_page("").await;
    let res = ada.password(&flow, &csrf, PASSWORD).await;
    assert_eq!(res.status(), 303, "the owner is not locked out");
    let answer = ada.to_callback(res).await;
    assert!(answer.contains_key("code"), "{answer:?}");

    // Many accounts from one address: after 20 failures the address is locked out of sign-in,
    // for an unknown account exactly as for a known one.
    let sprayer = Browser::at(&base, Some("192.0.2.10"));
    let (_, flow, csrf) = sprayer.login_page("").await;
    for i in 0..20 {
        let email = format!("user{i}@example.com");
        let res = sprayer
            .post("/t/acme/login", &[("flow", &flow), ("csrf", &csrf), ("email", &email), ("password", "Winter2026!")])
            .await;
        assert_eq!(res.status(), 401, "attempt {i}");
        assert!(res.text().await.unwrap().contains("Incorrect email or password."));
    }
    let res = sprayer.password(&flow, &csrf, PASSWORD).await;
    assert_eq!(res.status(), 429, "the address is locked out");
    let res = sprayer
        .post("/t/acme/login", &[("flow", &flow), ("csrf", &csrf), ("email", "nobody@example.com"), ("password", "x")])
        .await;
    assert_eq!(res.status(), 429, "same answer for an unknown account");
    assert!(!s.server.logs().contains(PASSWORD), "no password in the logs");
}

/// Sets Ada's last sign-in two hours back, as if the Berlin sign-in had happened then.
async fn two_hours_ago(database_url: &str) {
    let at = unix_now() - 2 * 3600;
    let profile =
        json!({"last": {"at": at, "country": "DE", "continent": "EU", "latitude": 52.52, "longitude": 13.40}})
            .to_string();
    let sql = "update sign_in_profile set data = $1 where tenant_id = 'acme'";
    assert_eq!(ciam_store::testing::execute_sql(database_url, sql, &[&profile]).await, 1);
}

/// Ada signs in from Berlin and sets up TOTP; two hours later a sign-in from New York (same
/// browser) is impossible travel: the password is not enough, TOTP is asked and the ID token
/// says multi-factor. An application asking for phishing resistance cannot get it with password
/// and TOTP. Every decision is in the audit trail with its reasons.
#[tokio::test]
async fn sign_in_from_another_continent_two_hours_later_is_stepped_up_to_totp() {
    let t = totp_enrolled("stepup").await;
    impossible_travel(&t).await;
    acr_values(&t).await;
    risk_audit(&t).await;
}

#[tokio::test]
async fn impossible_travel_asks_for_totp_and_the_tokens_say_mfa_after_refresh_too_rfc9470_4() {
    let t = totp_enrolled("stepup-travel").await;
    impossible_travel(&t).await;
}

/// From New York without a step-up of its own: after the travel step.
#[tokio::test]
async fn acr_values_beyond_password_and_totp_are_unmet_and_mfa_steps_up_c16() {
    let t = totp_enrolled("stepup-acr").await;
    impossible_travel(&t).await;
    acr_values(&t).await;
}

/// Ada's first sign-in (from Berlin, password only) and her TOTP enrolment: the step-up
/// story's shared fixture.
struct Enrolled {
    s: Setup,
    base: String,
    seed: TotpSeed,
}

async fn totp_enrolled(tag: &str) -> Enrolled {
    let s = setup(tag, vec![]).await;
    let base = s.server.url("");
    let ada = Browser::at(&base, Some(GERMANY));
    let (_, flow, csrf) = ada.login_page("").await;
    let answer = ada.to_callback(ada.password(&flow, &csrf, PASSWORD).await).await;
    let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(claims["acr"], "urn:ciam:acr:pwd");
    assert_eq!(claims["amr"], json!(["pwd"]));
    let seed = enroll_totp(&ada, &s.server.data_dir.join("mail")).await;
    Enrolled { s, base, seed }
}

/// Two hours later, someone with Ada's password signs in from New York on another device: TOTP
/// is asked (a wrong code refused); the tokens say multi-factor, the access token also after a
/// refresh.
async fn impossible_travel(t: &Enrolled) {
    let (s, base, seed) = (&t.s, &t.base, &t.seed);
    two_hours_ago(&s.server.database_url).await;
    let travelling = Browser::at(base, Some(USA));
    let (_, flow, csrf) = travelling.login_page("").await;
    let res = travelling.password(&flow, &csrf, PASSWORD).await;
    assert_eq!(res.status(), 303);
    let mfa = location(&res);
    assert!(mfa.contains("/t/acme/mfa?flow="), "stepped up: {mfa}");
    let html = travelling.get(&mfa).await.text().await.unwrap();
    assert!(html.contains("authenticator app"), "{html}");
    let wrong = travelling
        .post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "totp"), ("code", "123456")])
        .await;
    assert_eq!(wrong.status(), 401);
    // The next step's code (the enrolment used the current one; a used step never works again).
    let code = ciam_authn::totp::code_at(seed, unix_now() + 30);
    let res =
        travelling.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "totp"), ("code", &code)]).await;
    let answer = travelling.to_callback(res).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    let claims = crate::claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["acr"], "urn:ciam:acr:mfa");
    for m in ["pwd", "otp", "mfa"] {
        assert!(claims["amr"].as_array().unwrap().contains(&json!(m)), "amr has {m}: {claims}");
    }
    // Access tokens say how the user authenticated, also after a refresh (RFC 9470 §4).
    let first = crate::claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(first["acr"], "urn:ciam:acr:mfa");
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) =
        token(&s.server, &s.secret, &[("grant_type", "refresh_token"), ("refresh_token", rt)]).await;
    assert_eq!(status, 200, "{refreshed}");
    let again = crate::claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(again["acr"], first["acr"], "{again}");
    assert_eq!(again["auth_time"], first["auth_time"], "the original authentication's time: {again}");
}

/// `acr_values` asking for a passkey: password + TOTP cannot satisfy it; asking for multi-factor
/// on a session that has only a password: stepped up.
async fn acr_values(t: &Enrolled) {
    let base = &t.base;
    let strict = Browser::at(base, Some(USA));
    let (_, flow, csrf) = strict.login_page("&acr_values=urn%3Aciam%3Aacr%3Aphr").await;
    let res = strict.password(&flow, &csrf, PASSWORD).await;
    let answer = strict.to_callback(res).await;
    assert_eq!(answer["error"], "unmet_authentication_requirements", "{answer:?}");
    assert!(!answer.contains_key("code"));

    // acr_values asking for multi-factor on a session that has only a password: stepped up.
    let fresh = Browser::at(base, Some(USA));
    let (_, flow, csrf) = fresh.login_page("&acr_values=urn%3Aciam%3Aacr%3Amfa").await;
    let res = fresh.password(&flow, &csrf, PASSWORD).await;
    assert!(location(&res).contains("/t/acme/mfa?flow="));
}

/// The audit trail has the decisions and why.
async fn risk_audit(t: &Enrolled) {
    let admin = Admin::new(&t.s.server, t.s.admin_token.clone());
    let events = admin.get("/tenants/acme/audit?type=sign_in.risk", 200).await;
    let items = events["items"].as_array().unwrap();
    let travel = items.iter().find(|e| e["decision"] == "step_up").expect("a step-up decision");
    let reason = travel["reason"].as_str().unwrap();
    assert!(reason.contains("impossible_travel") && reason.contains("new_country"), "{reason}");
    assert_eq!(travel["ip"], USA);
}

/// Ada adds a passkey on the account page (software authenticator), then signs in with it alone:
/// no password, phishing-resistant, and good for an application that asks for exactly that.
#[tokio::test]
async fn a_passkey_is_registered_and_used_for_passwordless_sign_in() {
    let a = confirmed_on_the_account_page("passkey").await;
    let (mut authenticator, user_id) = register_a_passkey(&a).await;
    passkey_sign_in(&a, &mut authenticator).await;
    factor_reset(&a, &mut authenticator, &user_id).await;
}

#[tokio::test]
async fn a_passkey_alone_signs_in_once_per_ceremony_and_meets_phishing_resistance_s12() {
    let a = confirmed_on_the_account_page("passkey-sign-in").await;
    let (mut authenticator, _) = register_a_passkey(&a).await;
    passkey_sign_in(&a, &mut authenticator).await;
}

#[tokio::test]
async fn an_admin_factor_reset_removes_the_passkey() {
    let a = confirmed_on_the_account_page("passkey-reset").await;
    let (mut authenticator, user_id) = register_a_passkey(&a).await;
    factor_reset(&a, &mut authenticator, &user_id).await;
}

/// Ada signed in on the account page and confirmed by a code by email (the first second factor
/// needs it, 7.5.1): the passkey story's shared fixture.
struct Account {
    s: Setup,
    origin: String,
    origin_url: url::Url,
    ada: Browser,
}

impl Account {
    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.s.server, self.s.admin_token.clone())
    }
}

async fn confirmed_on_the_account_page(tag: &str) -> Account {
    let (s, origin) = localhost_setup(tag).await;
    let origin_url = url::Url::parse(&origin).unwrap();
    let ada = Browser::at(&origin, Some(GERMANY));
    // The account page without a session: sign in first, then back to it.
    let res = ada.get("/t/acme/account/security").await;
    assert_eq!(res.status(), 303);
    let login = location(&res);
    assert!(login.contains("/t/acme/login?flow="), "{login}");
    let html = ada.get(&login).await.text().await.unwrap();
    assert!(html.contains("your account settings"));
    let res = ada.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    assert_eq!(location(&res), "/t/acme/account/security");

    // The password alone may look, not change: adding the first second factor needs a code by
    // email too.
    let html = ada.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(html.contains("confirm it's you"), "{html}");
    let session_csrf = html.split("data-csrf=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (status, _) = ada.post_json("/t/acme/account/security/passkey/start", &json!({"csrf": session_csrf})).await;
    assert_eq!(status, 401, "not before confirming");
    let confirmed =
        confirm_by_email(&ada, ada.get("/t/acme/account/security/confirm").await, &s.server.data_dir.join("mail"))
            .await;
    assert_eq!(location(&confirmed), "/t/acme/account/security");
    Account { s, origin, origin_url, ada }
}

/// Ada adds a passkey named "Laptop"; the admin API lists it without its data. Returns the
/// authenticator and Ada's id.
async fn register_a_passkey(a: &Account) -> (SoftPasskey, String) {
    let ada = &a.ada;
    let html = ada.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(html.contains("Add a passkey"));
    assert!(!html.contains("confirm it's you"));
    let session_csrf = html.split("data-csrf=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (status, options) =
        ada.post_json("/t/acme/account/security/passkey/start", &json!({"csrf": session_csrf})).await;
    assert_eq!(status, 200, "{options}");
    assert_eq!(options["publicKey"]["authenticatorSelection"]["userVerification"], "required");
    let mut authenticator = SoftPasskey::new();
    let credential = authenticator.register(&a.origin_url, &options);
    let (status, done) = ada
        .post_json(
            "/t/acme/account/security/passkey/finish",
            &json!({"csrf": session_csrf, "credential": credential, "name": "Laptop"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let admin = a.admin();
    let users = admin.get("/tenants/acme/users", 200).await;
    let user_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let factors = admin.get(&format!("/tenants/acme/users/{user_id}/factors"), 200).await;
    assert_eq!(factors[0]["kind"], "passkey");
    assert_eq!(factors[0]["name"], "Laptop");
    assert!(factors[0].get("data").is_none(), "no authenticator data in the admin API");
    (authenticator, user_id)
}

/// Another browser, passkey only, for an application that asks for phishing resistance; a forged
/// CSRF token and a second use of the ceremony are refused.
async fn passkey_sign_in(a: &Account, authenticator: &mut SoftPasskey) {
    let (s, origin_url) = (&a.s, &a.origin_url);
    let laptop = Browser::at(&a.origin, Some(GERMANY));
    let (_, flow, csrf) = laptop.login_page("&acr_values=urn%3Aciam%3Aacr%3Aphr").await;
    let (status, options) =
        laptop.post_json("/t/acme/passkey/sign-in/start", &json!({"flow": flow, "csrf": csrf})).await;
    assert_eq!(status, 200, "{options}");
    let assertion = authenticator.sign_in(origin_url, &options);
    // A forged CSRF token is refused before anything is checked.
    let (status, _) = laptop
        .post_json("/t/acme/passkey/sign-in/finish", &json!({"flow": flow, "csrf": "x", "credential": assertion}))
        .await;
    assert_eq!(status, 403);
    let (status, done) = laptop
        .post_json("/t/acme/passkey/sign-in/finish", &json!({"flow": flow, "csrf": csrf, "credential": assertion}))
        .await;
    assert_eq!(status, 200, "{done}");
    // The ceremony state is single use: the same assertion again is refused.
    let (status, _) = laptop
        .post_json("/t/acme/passkey/sign-in/finish", &json!({"flow": flow, "csrf": csrf, "credential": assertion}))
        .await;
    assert_eq!(status, 400);
    let next = done["redirect"].as_str().unwrap();
    let answer = laptop.to_callback(laptop.get(next).await).await;
    let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(claims["acr"], "urn:ciam:acr:phr");
    let amr = claims["amr"].as_array().unwrap();
    assert!(amr.contains(&json!("hwk")) || amr.contains(&json!("swk")), "{claims}");
    assert!(!amr.contains(&json!("pwd")));
}

/// An admin reset removes it: the passkey no longer signs in.
async fn factor_reset(a: &Account, authenticator: &mut SoftPasskey, user_id: &str) {
    let (status, _) =
        a.admin().call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{user_id}/factors"), None).await;
    assert_eq!(status, 204);
    let other = Browser::at(&a.origin, Some(GERMANY));
    let (_, flow, csrf) = other.login_page("").await;
    let (_, options) = other.post_json("/t/acme/passkey/sign-in/start", &json!({"flow": flow, "csrf": csrf})).await;
    let assertion = authenticator.sign_in(&a.origin_url, &options);
    let (status, _) = other
        .post_json("/t/acme/passkey/sign-in/finish", &json!({"flow": flow, "csrf": csrf, "credential": assertion}))
        .await;
    assert_eq!(status, 401);
}

/// With codes by email on, Ada signs in with a code from her mailbox (the development mailer
/// writes `.eml` files into the data directory, delivered from the outbox) and no password. An
/// unknown address gets the same page and no mail; a wrong code is refused; a bad risk policy is
/// refused by the admin API. The mail counts need every step, in order.
#[tokio::test]
async fn an_emailed_code_signs_in_without_a_password() {
    let e = email_codes_on("emailcode").await;
    let code = code_sign_in(&e).await;
    magic_link(&e, &code).await;
    mail_limit(&e).await;
}

#[tokio::test]
async fn an_emailed_code_signs_in_and_an_unknown_address_looks_the_same_asvs_6_3_8() {
    let e = email_codes_on("emailcode-code").await;
    code_sign_in(&e).await;
}

/// Tells the link's mail from the code's: that step first.
#[tokio::test]
async fn a_magic_link_works_once_and_only_in_the_browser_that_asked_asvs_6_5_1() {
    let e = email_codes_on("emailcode-link").await;
    let code = code_sign_in(&e).await;
    magic_link(&e, &code).await;
}

/// A server with codes by email on (after a bad risk policy was refused): the email story's
/// shared fixture.
struct EmailCodes {
    s: Setup,
    base: String,
    mail_dir: std::path::PathBuf,
}

async fn email_codes_on(tag: &str) -> EmailCodes {
    let s = setup(tag, vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let bad = json!({"settings": {"risk_policy": {"rules": {"new_device": {"points": 500}}}}});
    let (status, problem) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(bad)).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("risk_policy"), "{problem}");
    let on = json!({"settings": {"login": {"email_code": true}}});
    let (status, tenant) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(on)).await;
    assert_eq!(status, 200, "{tenant}");
    let base = s.server.url("");
    let mail_dir = s.server.data_dir.join("mail");
    EmailCodes { s, base, mail_dir }
}

/// The first mail: the same page for an unknown address (which gets no mail); the code is not
/// logged; a wrong code is refused, the right one signs in with `amr` email. Returns the code.
async fn code_sign_in(e: &EmailCodes) -> String {
    let (s, mail_dir) = (&e.s, &e.mail_dir);
    let v = Browser::at(&e.base, Some(GERMANY));
    let (page, flow, csrf) = v.login_page("").await;
    assert!(v.get(&page).await.text().await.unwrap().contains("Email me a code"));
    let unknown =
        v.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", "nobody@example.com")]).await;
    assert_eq!(unknown.status(), 200);
    let unknown_page = unknown.text().await.unwrap();
    let known = v.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com")]).await;
    assert_eq!(known.status(), 200);
    let known_page = known.text().await.unwrap();
    assert_eq!(
        without_nonces(&unknown_page.replace("nobody@example.com", "X")),
        without_nonces(&known_page.replace("ada@example.com", "X")),
        "the same page whether or not the account exists"
    );
    // Mail leaves through the outbox, just after the response; the unknown address gets none.
    let mails = wait_for_mails(mail_dir, 1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(ciam_server::adapters::mail::mail_header(&mails[0].1, "To").as_deref(), Some("ada@example.com"));
    let text = ciam_server::adapters::mail::mail_text_body(&mails[0].1).unwrap();
    let code: String = text.split("code is ").nth(1).unwrap().chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    assert!(!s.server.logs().contains(&code), "the code is not logged");

    let form = |code: &str| {
        vec![("flow", flow.clone()), ("csrf", csrf.clone()), ("email", "ada@example.com".into()), ("code", code.into())]
    };
    let wrong = v.http.post(v.abs("/t/acme/login/email/verify")).form(&form("000000")).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let right = v.http.post(v.abs("/t/acme/login/email/verify")).form(&form(&code)).send().await.unwrap();
    assert_eq!(right.status(), 303);
    let answer = v.to_callback(right).await;
    let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(claims["amr"], json!(["email"]));
    assert_eq!(claims["acr"], "urn:ciam:acr:pwd");
    code
}

/// The second mail's magic link: it works once, only in the browser that asked for it, and its
/// token is not logged.
async fn magic_link(e: &EmailCodes, code: &str) {
    let (s, base, mail_dir) = (&e.s, &e.base, &e.mail_dir);
    let v = Browser::at(base, Some(GERMANY));
    let (_, flow, csrf) = v.login_page("").await;
    let res = v.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com")]).await;
    assert_eq!(res.status(), 200);
    let mails = wait_for_mails(mail_dir, 2).await;
    assert_eq!(mails.len(), 2);
    let latest = mails
        .iter()
        .map(|(_, raw)| ciam_server::adapters::mail::mail_text_body(raw).unwrap())
        .find(|t| !t.contains(code));
    let text = latest.expect("the second mail");
    let link = text.lines().find(|l| l.contains("/login/link?")).expect("a magic link").trim().to_owned();
    assert!(link.starts_with(&format!("{base}/t/acme/login/link?flow=")), "{link}");
    assert!(!s.server.logs().contains(link.split("token=").nth(1).unwrap()), "the link's token is not logged");
    // A mail scanner (or another device) opening it changes nothing.
    let scanner = Browser::at(base, Some(USA));
    let res = scanner.get(&link).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("in the browser where you asked for it"));
    let tampered = format!("{}x", link);
    assert_eq!(v.get(&tampered).await.status(), 400, "a wrong token is refused");
    let res = v.get(&link).await;
    assert_eq!(res.status(), 303, "the browser that asked signs in");
    let answer = v.to_callback(res).await;
    let claims = id_token_claims(&s.server, &s.secret, &answer["code"]).await;
    assert_eq!(claims["amr"], json!(["email"]));
    assert_eq!(v.get(&link).await.status(), 400, "a link works once");
}

/// At most five sign-in mails per address in 15 minutes, whether or not it has an account
/// (counted from the two steps before).
async fn mail_limit(e: &EmailCodes) {
    let v = Browser::at(&e.base, Some(GERMANY));
    let (_, flow, csrf) = v.login_page("").await;
    for address in ["ada@example.com", "nobody@example.com"] {
        let statuses = mail_statuses(&v, &flow, &csrf, address).await;
        // Ada had two mails already; the unknown address was asked for once.
        let expected: Vec<u16> =
            if address == "ada@example.com" { vec![200, 200, 200, 429] } else { vec![200, 200, 200, 200, 429] };
        assert_eq!(statuses, expected, "{address}");
    }
    assert_eq!(wait_for_mails(&e.mail_dir, 5).await.len(), 5, "no mail beyond the limit");
}

/// Asks for sign-in mails to `address` until one is refused; the statuses in order.
async fn mail_statuses(v: &Browser, flow: &str, csrf: &str, address: &str) -> Vec<u16> {
    let mut statuses = Vec::new();
    while statuses.last() != Some(&429) && statuses.len() < 10 {
        let res = v.post("/t/acme/login/email", &[("flow", flow), ("csrf", csrf), ("email", address)]).await;
        statuses.push(res.status().as_u16());
    }
    statuses
}

/// A client secret guessed from one address: after ten failures that address is held off the
/// token endpoint (429, `slow_down`, even with the right secret), while the same client calling
/// from its own address is not.
#[tokio::test]
async fn failed_client_authentication_holds_the_address_off() {
    let s = setup("clientauth", vec![]).await;
    let from = |ip: &'static str, secret: String| {
        let http = &s.server.http;
        let url = s.server.url("/t/acme/token");
        async move {
            let res = http
                .post(url)
                .header("x-forwarded-for", ip)
                .basic_auth("web", Some(secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            (res.status().as_u16(), retry, res.json::<Value>().await.unwrap())
        }
    };
    for i in 0..10 {
        let (status, _, body) = from(ATTACKER, format!("guess-{i}")).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "attempt {i}");
    }
    let (status, retry, body) = from(ATTACKER, s.secret.clone()).await;
    assert_eq!((status, body["error"].as_str()), (429, Some("slow_down")), "{body}");
    assert!(retry.is_some_and(|r| r > 60 && r <= 900), "{retry:?}");
    // The client from its own address: authenticated (its grant type is another matter).
    let (status, _, body) = from(GERMANY, s.secret.clone()).await;
    assert_ne!(status, 429, "{body}");
    assert_ne!(body["error"], "invalid_client", "{body}");
}
