//! Accounts without a password get back in by mail with a new passkey: Grace was created without
//! a password, signs in with codes by email and adds a passkey, then loses it. The reset mail's
//! link opens "Add a passkey" (never a password form), the new passkey is made with a software
//! authenticator, every other session ends, and the account's authenticator app or a recovery
//! code is asked for first when it has them. Real binary on `http://localhost` (WebAuthn needs a
//! secure origin); `scripts/test` runs the suite again on Postgres and Redis.

use ciam_testkit::{Admin, Browser, SoftPasskey, authorize_url, hidden, location};
use serde_json::{Value, json};

use crate::support::{GERMANY, Setup, id_token_claims, localhost_setup, mail_to, mails_in};

const GRACE: &str = "grace@example.com";

struct Grace {
    s: Setup,
    origin: String,
    origin_url: url::Url,
    mail_dir: std::path::PathBuf,
    /// Grace's browser, signed in to her account page.
    browser: Browser,
    id: String,
}

impl Grace {
    fn admin(&self) -> Admin<'_> {
        Admin::new(&self.s.server, self.s.admin_token.clone())
    }

    fn browser(&self) -> Browser {
        Browser::at(&self.origin, Some(GERMANY))
    }

    async fn passkeys(&self) -> Vec<Value> {
        let factors = self.admin().get(&format!("/tenants/acme/users/{}/factors", self.id), 200).await;
        factors.as_array().unwrap().iter().filter(|f| f["kind"] == "passkey").cloned().collect()
    }

    /// The security page's session CSRF token.
    async fn session_csrf(&self) -> String {
        let html = self.browser.get("/t/acme/account/security").await.text().await.unwrap();
        html.split("data-csrf=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
    }
}

/// Grace (no password; codes by email on) signed in on her account page with a code by email:
/// with nothing but her mailbox, that code is all a change to her account needs.
async fn grace_signed_in(tag: &str) -> Grace {
    let (s, origin) = localhost_setup(tag).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let on = json!({"settings": {"login": {"email_code": true}}});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(on)).await.0, 200);
    let (status, user) = admin
        .call(reqwest::Method::POST, "/tenants/acme/users", Some(json!({"email": GRACE, "email_verified": true})))
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let mail_dir = s.server.data_dir.join("mail");
    let browser = Browser::at(&origin, Some(GERMANY));
    let login = location(&browser.get("/t/acme/account/security").await);
    let html = browser.get(&login).await.text().await.unwrap();
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let res = browser.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", GRACE)]).await;
    assert_eq!(res.status(), 200);
    let text = mail_to(&mail_dir, GRACE, "sign-in code").await;
    let code: String = text.split("code is ").nth(1).unwrap().chars().take(6).collect();
    let form = [("flow", flow.as_str()), ("csrf", &csrf), ("email", GRACE), ("code", &code)];
    let res = browser.post("/t/acme/login/email/verify", &form).await;
    assert_eq!(location(&res), "/t/acme/account/security");
    let html = browser.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(!html.contains("confirm it's you"), "the code by email confirms an account that has nothing else: {html}");
    let origin_url = url::Url::parse(&origin).unwrap();
    Grace { s, origin, origin_url, mail_dir, browser, id }
}

/// Grace adds a passkey named "Phone" on her account page; returns its authenticator.
async fn add_first_passkey(g: &Grace) -> SoftPasskey {
    let csrf = g.session_csrf().await;
    let (status, options) = g.browser.post_json("/t/acme/account/security/passkey/start", &json!({"csrf": csrf})).await;
    assert_eq!(status, 200, "{options}");
    let mut phone = SoftPasskey::new();
    let credential = phone.register(&g.origin_url, &options);
    let body = json!({"csrf": csrf, "credential": credential, "name": "Phone"});
    let (status, done) = g.browser.post_json("/t/acme/account/security/passkey/finish", &body).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(g.passkeys().await.len(), 1);
    phone
}

/// Asks for a reset of Grace's account in `v`, in the flow of `start` (the page the app sent
/// `v` to) or on its own; returns the mailed link.
async fn reset_link(g: &Grace, v: &Browser, flow: Option<(&str, &str)>) -> String {
    let (flow, csrf) = match flow {
        Some((f, c)) => (f.to_owned(), c.to_owned()),
        None => {
            let html = v.get(&location(&v.get("/t/acme/recover").await)).await.text().await.unwrap();
            (hidden(&html, "flow"), hidden(&html, "csrf"))
        }
    };
    let resets =
        || mails_in(&g.mail_dir).into_iter().filter(|(_, s, _)| s.contains("Get back into your")).collect::<Vec<_>>();
    let before = resets().len();
    let res = v.post("/t/acme/recover", &[("flow", &flow), ("csrf", &csrf), ("email", GRACE)]).await;
    assert_eq!(res.status(), 200);
    for _ in 0..400 {
        if let Some((to, _, text)) = resets().into_iter().nth(before) {
            assert_eq!(to, GRACE);
            assert!(text.contains("add a new passkey"), "{text}");
            return text.split_whitespace().find(|w| w.starts_with("http")).unwrap().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no reset mail: {:?}", mails_in(&g.mail_dir));
}

/// Makes a passkey with `authenticator` on the reset page of `flow`; returns the finish answer.
async fn make_passkey(g: &Grace, v: &Browser, flow: &str, csrf: &str, authenticator: &mut SoftPasskey) -> (u16, Value) {
    let start = json!({"flow": flow, "csrf": csrf});
    let (status, options) = v.post_json("/t/acme/recover/passkey/start", &start).await;
    assert_eq!(status, 200, "{options}");
    let credential = authenticator.register(&g.origin_url, &options);
    let finish = json!({"flow": flow, "csrf": csrf, "credential": credential, "name": "New phone"});
    v.post_json("/t/acme/recover/passkey/finish", &finish).await
}

/// Grace lost the phone that held her only passkey. From the app's sign-in page she asks for a
/// reset; the link opens "Add a passkey" (the password page refuses her link), her new passkey
/// is made, she is back at the app signed in by email, her other session is over, the old
/// passkey stays until she removes it, she is told by mail, the event is recorded and the link
/// is used up. The new passkey signs her in.
#[tokio::test]
async fn a_passkey_only_account_gets_back_in_by_mail_with_a_new_passkey() {
    let g = grace_signed_in("passkey-recovery").await;
    let lost = add_first_passkey(&g).await;
    let old_id = lost.credential_ids()[0].clone();

    let v = g.browser();
    let start = authorize_url("web", "openid").nonce("n").build();
    let page = location(&v.get(&start).await);
    let html = v.get(&page).await.text().await.unwrap();
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let link = reset_link(&g, &v, Some((&flow, &csrf))).await;
    let res = v.get(&link).await;
    assert_eq!(location(&res), format!("/t/acme/recover/passkey?flow={flow}"), "the app's flow goes on");
    let html = v.get(&location(&res)).await.text().await.unwrap();
    assert!(html.contains("<h1>Add a passkey</h1>") && html.contains(">Passkey name<"), "{html}");
    assert!(!html.contains("New password"), "no password for an account without one: {html}");
    // The link is for a passkey: the password form refuses it.
    let res = v
        .post("/t/acme/recover/password", &[("flow", &flow), ("csrf", &csrf), ("password", "a fresh passphrase")])
        .await;
    assert_eq!(res.status(), 400);
    // A forged CSRF token is refused before anything happens.
    let (status, _) = v.post_json("/t/acme/recover/passkey/start", &json!({"flow": flow, "csrf": "x"})).await;
    assert_eq!(status, 403);
    let (_, options) = v.post_json("/t/acme/recover/passkey/start", &json!({"flow": flow, "csrf": csrf})).await;
    let excluded: Vec<_> =
        options["publicKey"]["excludeCredentials"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(excluded, vec![json!(old_id)], "the passkeys the account has are not made again");

    let mut new_phone = SoftPasskey::new();
    let (status, done) = make_passkey(&g, &v, &flow, &csrf, &mut new_phone).await;
    assert_eq!(status, 200, "{done}");
    let answer = v.to_callback(v.get(done["redirect"].as_str().unwrap()).await).await;
    let claims = id_token_claims(&g.s.server, &g.s.secret, &answer["code"]).await;
    assert_eq!(claims["amr"], json!(["email"]), "signed in by the mailed link: {claims}");
    assert_eq!(claims["acr"], "urn:ciam:acr:pwd");

    let passkeys = g.passkeys().await;
    let names: Vec<_> = passkeys.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{passkeys:?}");
    assert!(names.contains(&"Phone") && names.contains(&"New phone"), "{names:?}");
    let res = g.browser.get("/t/acme/account/security").await;
    assert!(location(&res).contains("/t/acme/login?flow="), "the other session is over");
    let notice = mail_to(&g.mail_dir, GRACE, "A passkey was added").await;
    assert!(notice.contains("signed out"), "{notice}");
    let audit = g.admin().get("/tenants/acme/audit?type=user.passkey_recovered", 200).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit["items"][0]["user_id"], g.id.as_str());
    let again = g.browser().get(&link).await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("does not work any more"));

    // The new passkey signs Grace in, on its own.
    let laptop = g.browser();
    let (_, flow, csrf) = laptop.login_page("").await;
    let (_, options) = laptop.post_json("/t/acme/passkey/sign-in/start", &json!({"flow": flow, "csrf": csrf})).await;
    let assertion = new_phone.sign_in(&g.origin_url, &options);
    let body = json!({"flow": flow, "csrf": csrf, "credential": assertion});
    let (status, done) = laptop.post_json("/t/acme/passkey/sign-in/finish", &body).await;
    assert_eq!(status, 200, "{done}");
    assert!(!g.s.server.logs().contains(link.split("token=").nth(1).unwrap()), "the link's token is not logged");
}

/// Grace has an authenticator app (and its recovery codes) but no passkey yet: her reset link
/// asks for one of their codes before any passkey; a wrong code is refused and counted, the
/// ceremony cannot start before; a recovery code lets her add the passkey, once.
#[tokio::test]
async fn an_account_with_an_authenticator_app_gives_a_code_before_the_new_passkey() {
    let g = grace_signed_in("passkey-recovery-code").await;
    let html = g.browser.get("/t/acme/account/security/totp").await.text().await.unwrap();
    let secret = html.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let seed = ciam_authn::TotpSeed::from_base32(&secret).unwrap();
    let code = ciam_authn::totp::code_at(&seed, ciam_testkit::unix_now());
    let form = [("csrf", hidden(&html, "csrf")), ("code", code), ("name", "Phone".into())];
    let res = g.browser.http.post(g.browser.abs("/t/acme/account/security/totp")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let recovery_code = html.split("<li><code>").nth(1).unwrap().split('<').next().unwrap().to_owned();

    let v = g.browser();
    let link = reset_link(&g, &v, None).await;
    let page = location(&v.get(&link).await);
    assert!(page.starts_with("/t/acme/recover/passkey?flow="), "{page}");
    let html = v.get(&page).await.text().await.unwrap();
    assert!(html.contains(">Code from your authenticator app, or a recovery code<"), "{html}");
    assert!(!html.contains("passkey-button"), "no passkey before the code: {html}");
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let (status, refused) = v.post_json("/t/acme/recover/passkey/start", &json!({"flow": flow, "csrf": csrf})).await;
    assert_eq!(status, 403, "{refused}");
    let wrong = v.post("/t/acme/recover/passkey", &[("flow", &flow), ("csrf", &csrf), ("code", "0000-0000")]).await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("role=\"alert\""));
    let right = v.post("/t/acme/recover/passkey", &[("flow", &flow), ("csrf", &csrf), ("code", &recovery_code)]).await;
    assert_eq!(location(&right), page);
    let html = v.get(&page).await.text().await.unwrap();
    assert!(html.contains("passkey-button"), "{html}");

    let mut authenticator = SoftPasskey::new();
    let (status, done) = make_passkey(&g, &v, &flow, &csrf, &mut authenticator).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["redirect"], "/t/acme/account/security", "a reset begun on its own ends at the account");
    let html = v.get("/t/acme/account/security").await.text().await.unwrap();
    assert!(html.contains("New phone"), "{html}");
    assert_eq!(g.passkeys().await.len(), 1);
    // The recovery code was used up with the reset.
    let other = g.browser();
    let link = reset_link(&g, &other, None).await;
    let page = location(&other.get(&link).await);
    let html = other.get(&page).await.text().await.unwrap();
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let res =
        other.post("/t/acme/recover/passkey", &[("flow", &flow), ("csrf", &csrf), ("code", &recovery_code)]).await;
    assert_eq!(res.status(), 401, "a recovery code works once");
}
