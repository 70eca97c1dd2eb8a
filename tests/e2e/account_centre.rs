//! The account centre end to end (`/t/{tenant}/account/…`): a browser with a cookie jar signs
//! in, every page renders with its accessible names, the profile is edited (hostile input
//! refused, field by field), the password changed (the right current password needed, other
//! sessions and refresh tokens ended, this browser kept), another session signed out, an app's
//! access removed (consent asked again, its refresh token dead), an agent revoked (its next token
//! request refused). Not signed in: sent to sign in and back; no CSRF token: refused. Under
//! `TEST_BACKEND=postgres` the same stories run on PostgreSQL and Redis.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PASSWORD, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url,
    hidden, location,
};
use serde_json::{Value, json};

use crate::BIN;
use crate::support::{GERMANY, Setup, confirm_by_email, redeem, setup, token};

/// Every page of the account centre, with its `<h1>`.
const PAGES: [(&str, &str); 8] = [
    ("/t/acme/account", "Your account"),
    ("/t/acme/account/profile", "Profile"),
    ("/t/acme/account/password", "Password"),
    ("/t/acme/account/security", "Sign-in and security"),
    ("/t/acme/account/sessions", "Sessions"),
    ("/t/acme/account/apps", "Connected apps"),
    ("/t/acme/account/agents", "Agents"),
    ("/t/acme/account/privacy", "Privacy"),
];

/// The navigation's links, in order.
const NAV: [&str; 8] =
    ["Overview", "Profile", "Password", "Sign-in and security", "Sessions", "Connected apps", "Agents", "Privacy"];

/// Opens `page` without a session: sent to sign in (the page says what for), signs Ada in with
/// `password`, and lands back on `page`.
async fn sign_in_to(b: &Browser, page: &str, password: &str) {
    let res = b.get(page).await;
    assert_eq!(res.status(), 303, "{page}: not signed in");
    let login = location(&res);
    assert!(login.contains("/t/acme/login?flow="), "{page}: sent to sign in: {login}");
    let html = b.get(&login).await.text().await.unwrap();
    assert!(html.contains("your account settings"), "{html}");
    let res = b.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), password).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page, "back on the page asked for");
}

/// A page's HTML, which must answer 200.
async fn page(b: &Browser, path: &str) -> String {
    let res = b.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// `<label for="{id}">{label}</label>` and the control it names are on the page.
fn labelled(html: &str, id: &str, label: &str) {
    assert!(html.contains(&format!("<label for=\"{id}\">{label}</label>")), "label {label:?} for #{id}: {html}");
    assert!(html.contains(&format!("id=\"{id}\"")), "control #{id}: {html}");
}

/// A button named `name`.
fn button(html: &str, name: &str) -> bool {
    html.contains(&format!(">{name}</button>"))
}

/// Confirms who Ada is (a code by email, her account having no second factor) for `page`;
/// she comes back to it.
async fn confirm(s: &Setup, b: &Browser, page: &str) {
    let html = self::page(b, page).await;
    let link = html.split("href=\"").find(|l| l.starts_with("/t/acme/account/confirm?")).expect("a confirm link");
    let link = link.split('"').next().unwrap().replace("&amp;", "&");
    let res = confirm_by_email(b, b.get(&link).await, &s.server.data_dir.join("mail")).await;
    assert_eq!(location(&res), page, "confirmed, back on the page");
    assert!(!self::page(b, page).await.contains("confirm it's you"), "{page} asks no more");
}

/// The audit events of `kind`.
async fn events(s: &Setup, kind: &str) -> Vec<Value> {
    let admin = Admin::new(&s.server, s.admin_token.clone());
    admin.get(&format!("/tenants/acme/audit?type={kind}"), 200).await["items"].as_array().unwrap().clone()
}

/// Ada in a browser of her own, signed in through the account overview.
async fn ada_signed_in(tag: &str) -> (Setup, Browser) {
    let s = setup(tag, vec![]).await;
    let ada = Browser::at(&s.server.url(""), Some(GERMANY));
    sign_in_to(&ada, "/t/acme/account", PASSWORD).await;
    (s, ada)
}

/// Not signed in, every page sends the browser to sign in, and the sign-in comes back to the
/// page asked for; signed in, every page has the "Account" navigation (the current page marked),
/// its heading, and words rather than protocol values.
#[tokio::test]
async fn every_page_needs_a_sign_in_comes_back_to_it_and_renders_with_its_accessible_names() {
    let s = setup("account-pages", vec![]).await;
    for (path, _) in PAGES {
        let b = Browser::at(&s.server.url(""), Some(GERMANY));
        sign_in_to(&b, path, PASSWORD).await;
    }
    let ada = Browser::at(&s.server.url(""), Some(GERMANY));
    sign_in_to(&ada, "/t/acme/account", PASSWORD).await;
    for (path, heading) in PAGES {
        let html = page(&ada, path).await;
        assert!(html.contains("<nav aria-label=\"Account\">"), "{path}: the navigation landmark");
        for name in NAV {
            assert!(html.contains(&format!("\">{name}</a></li>")), "{path}: a link to {name}");
        }
        assert_eq!(html.matches("aria-current=\"page\"").count(), 1, "{path}: the current page is marked");
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{path}: heading {heading:?}");
        assert!(!html.contains("urn:ciam"), "{path}: no protocol values: {html}");
    }
    let overview = page(&ada, "/t/acme/account").await;
    assert!(overview.contains("ada@example.com (not verified)"), "{overview}");
    assert!(overview.contains("Add your name"));

    let profile = page(&ada, "/t/acme/account/profile").await;
    for (id, label) in [
        ("name", "Name"),
        ("given_name", "Given name"),
        ("family_name", "Family name"),
        ("phone_number", "Phone number"),
        ("birthdate", "Birthdate"),
        ("locale", "Language"),
    ] {
        labelled(&profile, id, label);
    }
    assert!(button(&profile, "Save"));
    assert!(profile.contains("<h2>Email</h2>") && profile.contains("This address is not verified yet."));

    let password = page(&ada, "/t/acme/account/password").await;
    labelled(&password, "current_password", "Current password");
    labelled(&password, "new_password", "New password");
    assert!(button(&password, "Change password"));
    assert!(password.contains("At least 8 characters."), "the rules, before submitting: {password}");
    assert!(password.contains("aria-describedby=\"password-rules\""), "tied to the field");
    assert!(password.contains("confirm it's you"), "a change needs a recent confirmation");

    let security = page(&ada, "/t/acme/account/security").await;
    assert!(security.contains("<span id=\"session-sign-in\">Password</span>"), "{security}");

    let sessions = page(&ada, "/t/acme/account/sessions").await;
    assert!(sessions.contains("Firefox on Linux (this device)"), "{sessions}");
    assert!(sessions.contains("<strong>This device</strong>"));
    assert_eq!(sessions.matches(">Sign out</button>").count(), PAGES.len(), "the browsers above: {sessions}");
    assert!(button(&sessions, "Sign out everywhere else"));

    assert!(page(&ada, "/t/acme/account/apps").await.contains("No apps have access to your account."));
    assert!(page(&ada, "/t/acme/account/agents").await.contains("You have not allowed any agent"));
    let privacy = page(&ada, "/t/acme/account/privacy").await;
    for needle in ["<h2>Your data</h2>", "<h2>Your account</h2>", "everything Acme keeps about you"] {
        assert!(privacy.contains(needle), "{needle}: {privacy}");
    }
    assert!(button(&privacy, "Download my data") && button(&privacy, "Delete my account"), "{privacy}");
    let confirm =
        "<label for=\"confirm\" class=\"inline\">I understand that my account and my data are erased for good";
    assert!(privacy.contains(confirm), "{privacy}");
}

/// Ada edits her profile: saved (through the users service, audited as her own change) and
/// shown back. Hostile input (a text-direction override, a control character, an oversize
/// value, a malformed phone number) is refused with an error announced and tied to its field,
/// and nothing is saved. A form without its CSRF token is refused.
#[tokio::test]
async fn the_profile_is_saved_and_hostile_input_is_refused_field_by_field() {
    let (s, ada) = ada_signed_in("account-profile").await;
    let html = page(&ada, "/t/acme/account/profile").await;
    let csrf = hidden(&html, "csrf");
    let form = |name: &str, phone: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("given_name", "Ada".into()),
            ("family_name", "Lovelace".into()),
            ("phone_number", phone.to_owned()),
            ("birthdate", "1815-12-10".into()),
            ("locale", "en-GB".into()),
        ]
    };
    let res = ada.http.post(ada.abs("/t/acme/account/profile")).form(&form("Ada Lovelace", "+442071234567")).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/profile?done=saved");
    let html = page(&ada, "/t/acme/account/profile?done=saved").await;
    assert!(html.contains("role=\"status\">Your profile was saved."), "{html}");
    assert!(html.contains("value=\"Ada Lovelace\"") && html.contains("value=\"+442071234567\""));
    assert!(html.contains("<option value=\"en-GB\" selected>"), "{html}");
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let users = admin.get("/tenants/acme/users", 200).await;
    let stored = &users["items"][0];
    assert_eq!(stored["name"], "Ada Lovelace");
    assert_eq!(stored["birthdate"], "1815-12-10");
    let updated = events(&s, "user.updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["user_id"], stored["id"]);
    assert!(page(&ada, "/t/acme/account").await.contains("Ada Lovelace"));

    for (name, phone, field, message) in [
        (
            "Ada\u{202E}gpj.exe",
            "+442071234567",
            "name",
            "Name must not contain invisible characters that change the direction of text.",
        ),
        (
            "Ada\u{7}",
            "+442071234567",
            "name",
            "Name must not contain control characters (such as line breaks or tabs).",
        ),
        (&*"A".repeat(201), "+442071234567", "name", "Name must be at most 200 characters."),
        ("Ada", "call me", "phone_number", "Enter the phone number with + and the country code"),
    ] {
        let res = ada.http.post(ada.abs("/t/acme/account/profile")).form(&form(name, phone)).send().await.unwrap();
        assert_eq!(res.status(), 400, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("<p class=\"error\" id=\"{field}-error\" role=\"alert\">{message}")), "{html}");
        assert!(html.contains(&format!("aria-describedby=\"{field}-error")), "tied to the field: {html}");
        assert!(html.contains("aria-invalid=\"true\""));
    }
    let users = admin.get("/tenants/acme/users", 200).await;
    assert_eq!(users["items"][0]["name"], "Ada Lovelace", "nothing saved");

    let mut forged = form("Mallory", "+442071234567");
    forged.remove(0);
    let res = ada.http.post(ada.abs("/t/acme/account/profile")).form(&forged).send().await.unwrap();
    assert_eq!(res.status(), 403, "no CSRF token");
    forged.push(("csrf", "not-the-token".into()));
    let res = ada.http.post(ada.abs("/t/acme/account/profile")).form(&forged).send().await.unwrap();
    assert_eq!(res.status(), 403, "a wrong CSRF token");
    assert_eq!(admin.get("/tenants/acme/users", 200).await["items"][0]["name"], "Ada Lovelace");
    assert_eq!(events(&s, "user.updated").await.len(), 1);
}

/// Ada's pages speak her language: once her profile's language (her `locale` claim) is German,
/// every account page is in German, notices and field errors included; once it is Arabic, the
/// pages are in Arabic and written right to left.
#[tokio::test]
async fn the_pages_follow_the_user_s_language_german_and_arabic_right_to_left() {
    let (_s, ada) = ada_signed_in("account-languages").await;
    let csrf = hidden(&page(&ada, "/t/acme/account/profile").await, "csrf");
    let save = |locale: &str, phone: &str| {
        let form = [("csrf", csrf.as_str()), ("name", "Ada Lovelace"), ("phone_number", phone), ("locale", locale)];
        ada.http.post(ada.abs("/t/acme/account/profile")).form(&form).send()
    };
    assert_eq!(save("de", "").await.unwrap().status(), 303);

    let overview = page(&ada, "/t/acme/account").await;
    assert!(overview.contains("<html lang=\"de\" dir=\"ltr\">"), "{overview}");
    for words in [
        "<h1>Ihr Konto</h1>",
        "<nav aria-label=\"Konto\">",
        ">Verbundene Apps</a>",
        ">Abmelden</a>",
        "(nicht bestätigt)",
    ] {
        assert!(overview.contains(words), "{words}: {overview}");
    }
    let profile = page(&ada, "/t/acme/account/profile?done=saved").await;
    assert!(profile.contains("role=\"status\">Ihr Profil wurde gespeichert."), "{profile}");
    labelled(&profile, "given_name", "Vorname");
    assert!(profile.contains("bestätigen Sie zuerst, dass Sie es sind</a>"), "changing the address: {profile}");
    assert!(button(&profile, "Speichern"), "{profile}");
    let password = page(&ada, "/t/acme/account/password").await;
    labelled(&password, "current_password", "Aktuelles Passwort");
    assert!(password.contains("Mindestens 8 Zeichen.") && button(&password, "Passwort ändern"), "{password}");
    let sessions = page(&ada, "/t/acme/account/sessions").await;
    assert!(sessions.contains("Firefox auf Linux (dieses Gerät)"), "{sessions}");
    let security = page(&ada, "/t/acme/account/security").await;
    assert!(security.contains("<span id=\"session-sign-in\">Passwort</span>"), "{security}");
    let privacy = page(&ada, "/t/acme/account/privacy").await;
    assert!(button(&privacy, "Meine Daten herunterladen") && button(&privacy, "Mein Konto löschen"), "{privacy}");
    assert!(!overview.contains(">Connected apps<") && !profile.contains(">Save<"), "no English left");

    // A field error, in German, tied to its field; nothing saved.
    let res = save("de", "call me").await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    let error = "<p class=\"error\" id=\"phone_number-error\" role=\"alert\">Geben Sie die Telefonnummer mit + und Ländervorwahl ein";
    assert!(html.contains(error), "{html}");

    // Arabic, right to left; its field error too.
    assert_eq!(save("ar", "").await.unwrap().status(), 303);
    let overview = page(&ada, "/t/acme/account").await;
    assert!(overview.contains("<html lang=\"ar\" dir=\"rtl\">"), "{overview}");
    assert!(overview.contains("<h1>حسابك</h1>") && overview.contains("<nav aria-label=\"الحساب\">"), "{overview}");
    let sessions = page(&ada, "/t/acme/account/sessions").await;
    assert!(sessions.contains("\u{2068}Firefox\u{2069} على \u{2068}Linux\u{2069}"), "{sessions}");
    let res = save("ar", "call me").await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("id=\"phone_number-error\" role=\"alert\">أدخل رقم الهاتف مع + ورمز الدولة"), "{html}");
}

/// Ada signs in to the `web` app on another device (a refresh token), then changes her
/// password on the account page: first she confirms who she is; a wrong current password is
/// refused, as is a new one that breaks the rules; then the change goes through. This browser
/// stays signed in; the other device is signed out on its next request and the app's refresh
/// token stops working. Only the new password signs in.
#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_every_other_session() {
    let (s, ada) = ada_signed_in("account-password").await;
    let phone = Browser::at(&s.server.url(""), Some(GERMANY));
    sign_in_to(&phone, "/t/acme/account/sessions", PASSWORD).await;
    let answer = phone.to_callback(phone.get(&authorize_url("web", "openid").build()).await).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Not yet confirmed: the change sends her to confirm first and changes nothing.
    let html = page(&ada, "/t/acme/account/password").await;
    let with = |csrf: &str, current: &str, new: &str| {
        vec![("csrf", csrf.to_owned()), ("current_password", current.to_owned()), ("new_password", new.to_owned())]
    };
    let form = with(&hidden(&html, "csrf"), PASSWORD, "a brand new passphrase");
    let res = ada.http.post(ada.abs("/t/acme/account/password")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("/t/acme/mfa?flow="), "confirm first");
    // Confirming starts a new session, with a new CSRF token.
    confirm(&s, &ada, "/t/acme/account/password").await;
    let csrf = hidden(&page(&ada, "/t/acme/account/password").await, "csrf");
    let change = |current: &str, new: &str| with(&csrf, current, new);

    let post =
        |form: Vec<(&'static str, String)>| ada.http.post(ada.abs("/t/acme/account/password")).form(&form).send();
    let res = post(change("wrong password", "a brand new passphrase")).await.unwrap();
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"current_password-error\" role=\"alert\">That is not your current password."), "{html}");
    assert!(html.contains("aria-describedby=\"current_password-error\""));
    let res = post(change(PASSWORD, "short")).await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("role=\"alert\">The new password must be at least 8 characters."), "{html}");
    let res = post(vec![("current_password", PASSWORD.into()), ("new_password", "a brand new passphrase".into())]);
    assert_eq!(res.await.unwrap().status(), 403, "no CSRF token");

    let res = post(change(PASSWORD, "a brand new passphrase")).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/password?done=changed");
    assert!(page(&ada, "/t/acme/account/password?done=changed").await.contains("Your password was changed."));
    assert_eq!(ada.get("/t/acme/account").await.status(), 200, "this browser stays signed in");
    let res = phone.get("/t/acme/account/sessions").await;
    assert_eq!(res.status(), 303, "the other device is signed out");
    assert!(location(&res).contains("/t/acme/login?flow="));
    let (status, body) =
        token(&s.server, &s.secret, &[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let changed = events(&s, "user.password_changed").await;
    assert_eq!(changed.len(), 1);

    let old = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = old.login_page("").await;
    assert_eq!(old.password(&flow, &csrf, PASSWORD).await.status(), 401, "the old password is gone");
    sign_in_to(&Browser::at(&s.server.url(""), Some(GERMANY)), "/t/acme/account", "a brand new passphrase").await;
}

/// The current password cannot be guessed through the form: it is behind the sign-in
/// throttle, which holds the address off after five failures, even with the right password.
#[tokio::test]
async fn the_current_password_is_behind_the_sign_in_throttle() {
    let (s, ada) = ada_signed_in("account-password-throttle").await;
    confirm(&s, &ada, "/t/acme/account/password").await;
    let csrf = hidden(&page(&ada, "/t/acme/account/password").await, "csrf");
    let mut statuses = Vec::new();
    for guess in ["guess 1", "guess 2", "guess 3", "guess 4", "guess 5", "guess 6", PASSWORD] {
        let form = [("csrf", csrf.as_str()), ("current_password", guess), ("new_password", "a brand new passphrase")];
        statuses.push(ada.post("/t/acme/account/password", &form).await.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 401, 429], "held off, even with the right password");
    assert_eq!(events(&s, "user.password_changed").await.len(), 0);
}

/// Ada is signed in on two more devices. From the sessions page she signs one out (after
/// confirming who she is): it is signed out on its next request, she is not. Then "Sign out
/// everywhere else" ends the last one.
#[tokio::test]
async fn signing_out_another_session_takes_effect_on_its_next_request() {
    let (s, ada) = ada_signed_in("account-sessions").await;
    let phone = Browser::at(&s.server.url(""), Some(GERMANY));
    sign_in_to(&phone, "/t/acme/account", PASSWORD).await;
    let tablet = Browser::at(&s.server.url(""), Some(GERMANY));
    sign_in_to(&tablet, "/t/acme/account", PASSWORD).await;
    confirm(&s, &ada, "/t/acme/account/sessions").await;

    let html = page(&ada, "/t/acme/account/sessions").await;
    assert_eq!(html.matches(">Sign out</button>").count(), 2, "one button per other session: {html}");
    assert!(button(&html, "Sign out everywhere else"));
    let csrf = hidden(&html, "csrf");
    let other = hidden(&html, "session");
    let res = ada.post("/t/acme/account/sessions/end", &[("session", other.as_str())]).await;
    assert_eq!(res.status(), 403, "no CSRF token");
    let res = ada.post("/t/acme/account/sessions/end", &[("csrf", &csrf), ("session", &other)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/sessions?done=ended");
    let statuses = [phone.get("/t/acme/account").await.status(), tablet.get("/t/acme/account").await.status()];
    assert!(statuses.contains(&reqwest::StatusCode::SEE_OTHER), "one device is signed out: {statuses:?}");
    assert!(statuses.contains(&reqwest::StatusCode::OK), "the other is not: {statuses:?}");
    assert_eq!(ada.get("/t/acme/account").await.status(), 200);
    let res = ada.post("/t/acme/account/sessions/end", &[("csrf", &csrf), ("session", &other)]).await;
    assert_eq!(res.status(), 404, "already ended");

    let res = ada.post("/t/acme/account/sessions/end-others", &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), "/t/acme/account/sessions?done=ended-others");
    assert_eq!(phone.get("/t/acme/account").await.status(), 303);
    assert_eq!(tablet.get("/t/acme/account").await.status(), 303);
    let html = page(&ada, "/t/acme/account/sessions").await;
    assert!(html.contains("You are not signed in anywhere else."), "{html}");
    let ended = events(&s, "session.ended").await;
    assert_eq!(ended.len(), 2, "{ended:?}");
}

/// Ada allowed the `web` app; the connected apps page shows it in words. Removing its access
/// (after confirming) makes the next authorization ask for consent again and its refresh token
/// stop working.
#[tokio::test]
async fn removing_an_apps_access_asks_consent_again_and_ends_its_refresh_token() {
    let (s, ada) = ada_signed_in("account-apps").await;
    let res = ada.get(&authorize_url("web", "openid").build()).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("/t/acme/consent?flow="), "asked the first time");
    let answer = ada.to_callback(res).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let res = ada.get(&authorize_url("web", "openid").build()).await;
    assert!(location(&res).starts_with(CALLBACK), "remembered");

    let html = page(&ada, "/t/acme/account/apps").await;
    assert!(html.contains(">Acme Web</h2>") && html.contains("<li>Know who you are</li>"), "{html}");
    assert!(button(&html, "Remove access"));
    confirm(&s, &ada, "/t/acme/account/apps").await;
    let csrf = hidden(&page(&ada, "/t/acme/account/apps").await, "csrf");
    assert_eq!(ada.post("/t/acme/account/apps/remove", &[("client", "web")]).await.status(), 403, "no CSRF token");
    let res = ada.post("/t/acme/account/apps/remove", &[("csrf", &csrf), ("client", "web")]).await;
    assert_eq!(location(&res), "/t/acme/account/apps?done=removed");
    assert!(page(&ada, "/t/acme/account/apps").await.contains("No apps have access to your account."));

    let res = ada.get(&authorize_url("web", "openid").build()).await;
    assert!(location(&res).contains("/t/acme/consent?flow="), "asked again");
    let (status, body) =
        token(&s.server, &s.secret, &[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let revoked = events(&s, "consent.revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["client_id"], "web");
    let res = ada.post("/t/acme/account/apps/remove", &[("csrf", &csrf), ("client", "web")]).await;
    assert_eq!(res.status(), 404, "nothing left to remove");
}

const API: &str = "https://trips.example/api";

/// Ada approves an agent on the consent page (which says she can revoke it from her account),
/// the agent exchanges her app token; she revokes it on the agents page (after confirming) and
/// the agent's next token request is refused.
#[tokio::test]
async fn revoking_an_agent_makes_its_next_token_request_fail() {
    let dir = TempDir::new("account-agents");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin_token = server.generated_admin_token();
    let mut created = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "travel-app", "name": "Travel app", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "trips:read"]}))
        .agent(
            "trip-planner",
            json!({"name": "Trip planner", "description": "Plans trips", "redirect_uris": [CALLBACK],
                   "owner": {"type": "client", "id": "travel-app"},
                   "allowed_scopes": ["openid", "trips:read"], "allowed_audiences": [API]}),
        )
        .create(&Admin::new(&server, admin_token.clone()))
        .await;
    let app_secret = created.secret("travel-app");
    let planner = created.agents.remove("trip-planner").unwrap();
    let issuer = server.url("/t/acme");
    let ada = Browser::new(&server);

    // Ada approves the planner; the approval page says where she can revoke it.
    let start = authorize_url("trip-planner", "trips:read").extra(&format!("&resource={API}")).build();
    let (pages, callback) = ada.authorize(&start, "allow").await;
    let approval = pages.last().unwrap();
    let manage = format!("{issuer}/account/agents");
    assert!(approval.contains(&format!("revoke it yourself at any time from your account, at <a href=\"{manage}\">")));
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code),
        ("redirect_uri", CALLBACK.into()),
        ("code_verifier", PKCE_VERIFIER.into()),
    ];
    assert_eq!(agent_token(&server, &planner, &issuer, form).await.0, 200);

    // The app's token, which the agent exchanges for one for the API.
    let (_, callback) = ada.authorize(&authorize_url("travel-app", "openid trips:read").build(), "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let res = server.http.post(server.url("/t/acme/token")).basic_auth("travel-app", Some(&app_secret)).form(&form);
    let app: Value = res.send().await.unwrap().json().await.unwrap();
    let app_token = app["access_token"].as_str().unwrap().to_owned();
    let exchange = || {
        vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange".to_owned()),
            ("subject_token", app_token.clone()),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token".into()),
            ("resource", API.into()),
        ]
    };
    let (status, body) = agent_token(&server, &planner, &issuer, exchange()).await;
    assert_eq!(status, 200, "{body}");

    // The agents page: who, operated by whom, what in words, where, until when.
    let html = page(&ada, "/t/acme/account/agents").await;
    for needle in [">Trip planner</h2>", "Operated by <strong>Travel app</strong>", "trips:read", API, "Active until"] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
    assert!(button(&html, "Revoke"));
    let s = Setup::of(server, admin_token, app_secret, dir);
    confirm(&s, &ada, "/t/acme/account/agents").await;
    let html = page(&ada, "/t/acme/account/agents").await;
    let (csrf, delegation) = (hidden(&html, "csrf"), hidden(&html, "delegation"));
    let res = ada.post("/t/acme/account/agents/revoke", &[("delegation", &delegation)]).await;
    assert_eq!(res.status(), 403, "no CSRF token");
    let res = ada.post("/t/acme/account/agents/revoke", &[("csrf", &csrf), ("delegation", &delegation)]).await;
    assert_eq!(location(&res), "/t/acme/account/agents?done=revoked");
    let html = page(&ada, "/t/acme/account/agents?done=revoked").await;
    assert!(html.contains("Revoked on") && !button(&html, "Revoke"), "{html}");

    let (status, body) = agent_token(&s.server, &planner, &issuer, exchange()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "refused at once: {body}");
    let revoked = events(&s, "delegation.revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["reason"], "revoked by the user");
}

/// A token request by `agent` with its signed assertion and a DPoP proof.
async fn agent_token(server: &Server, agent: &AgentKey, issuer: &str, mut form: Vec<(&str, String)>) -> (u16, Value) {
    form.extend(agent.assertion(issuer));
    let proof = agent.proof("POST", &format!("{issuer}/token"), None);
    let res = server.http.post(server.url("/t/acme/token")).header("DPoP", proof).form(&form).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Ada moves her account to a new address: she confirms who she is, the link goes to the new
/// address, the change happens when she opens it, and the old address is told. An address
/// that has another account gets no mail and the page answers the same.
#[tokio::test]
async fn an_email_change_goes_through_the_new_address_and_tells_the_old_one() {
    let (s, ada) = ada_signed_in("account-email").await;
    let profile = "/t/acme/account/profile";
    assert!(page(&ada, profile).await.contains("confirm it's you"), "a change of address needs a recent confirmation");
    confirm(&s, &ada, profile).await;
    let html = page(&ada, profile).await;
    labelled(&html, "new_email", "New email address");
    assert!(button(&html, "Change email"), "{html}");
    let csrf = hidden(&html, "csrf");
    let res = ada.post("/t/acme/account/email", &[("csrf", &csrf), ("new_email", "not an address")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Enter an email address"));
    let res = ada.post("/t/acme/account/email", &[("csrf", &csrf), ("new_email", "ada.l@example.com")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/profile?done=email_sent");
    let mail_dir = s.server.data_dir.join("mail");
    let mails = crate::support::wait_for_mails(&mail_dir, 2).await;
    let text = mails
        .iter()
        .filter(|(_, raw)| ciam_server::adapters::mail::mail_header(raw, "To").is_some_and(|t| t.contains("ada.l@")))
        .find_map(|(_, raw)| ciam_server::adapters::mail::mail_text_body(raw))
        .expect("a mail to the new address");
    let link = text.split_whitespace().find(|w| w.starts_with("http")).unwrap().to_owned();
    // Until the link is opened, nothing changed.
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let users = admin.get("/tenants/acme/users?email=ada%40example.com", 200).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    let confirm_page = page(&ada, &link).await;
    let form = [("user", hidden(&confirm_page, "user")), ("token", hidden(&confirm_page, "token"))];
    let res = ada.http.post(ada.abs("/t/acme/account/email/confirm")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Email address changed"));
    let moved = admin.get("/tenants/acme/users?email=ada.l%40example.com", 200).await;
    assert_eq!(moved["items"][0]["email_verified"], true, "{moved}");
    assert_eq!(events(&s, "user.email_changed").await.len(), 1);
    // The old address is told, with the new one mostly hidden.
    let notice = crate::support::wait_for_mails(&mail_dir, 3).await.into_iter().find_map(|(_, raw)| {
        let to = ciam_server::adapters::mail::mail_header(&raw, "To")?;
        let subject = ciam_server::adapters::mail::mail_header(&raw, "Subject")?;
        (to.contains("ada@example.com") && subject.contains("was changed"))
            .then(|| ciam_server::adapters::mail::mail_text_body(&raw))
            .flatten()
    });
    let notice = notice.expect("a notice to the old address");
    assert!(notice.contains("a***@example.com") && !notice.contains("ada.l@"), "{notice}");
    // The link worked once.
    let res = ada.http.post(ada.abs("/t/acme/account/email/confirm")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 400);

    // Another account's address: the same answer, and no mail goes there.
    admin.post("/tenants/acme/users", serde_json::json!({"email": "grace@example.com"}), 201).await;
    let before = ciam_server::adapters::mail::read_mail_dir(&mail_dir).len();
    let html = page(&ada, profile).await;
    let res = ada
        .post("/t/acme/account/email", &[("csrf", &hidden(&html, "csrf")), ("new_email", "grace@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/profile?done=email_sent");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(ciam_server::adapters::mail::read_mail_dir(&mail_dir).len(), before, "nothing sent to grace");
}
