//! Fixtures the end-to-end suites share (each suite imports from here, never from another
//! suite): a server with a GeoIP database behind a trusted proxy, reading the development
//! mailer's folder, confirming by email, enrolling TOTP, redeeming `web`'s codes.

use ciam_authn::TotpSeed;
use ciam_testkit::{Admin, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, hidden, location};
use serde_json::{Value, json};

use crate::BIN;

/// An address the test GeoIP database places in Berlin.
pub(crate) const GERMANY: &str = "81.0.0.5";
/// An address the test GeoIP database places in New York.
pub(crate) const USA: &str = "198.51.100.20";

/// Calls the token endpoint as client `web`; returns the status and the body.
pub(crate) async fn token(server: &Server, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    token_as(server, "acme", ("web", secret), form).await
}

/// Calls `tenant`'s token endpoint as `client` (its id and secret, HTTP Basic) with `form`.
pub(crate) async fn token_as(
    server: &Server,
    tenant: &str,
    client: (&str, &str),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let url = server.url(&format!("/t/{tenant}/token"));
    let res = server.http.post(url).basic_auth(client.0, Some(client.1)).form(form).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Redeems a code; returns the token response.
pub(crate) async fn redeem(server: &Server, secret: &str, code: &str) -> Value {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let (status, body) = token(server, secret, &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Redeems a code and returns the ID token's claims.
pub(crate) async fn id_token_claims(server: &Server, secret: &str, code: &str) -> Value {
    crate::claims(redeem(server, secret, code).await["id_token"].as_str().unwrap())
}

/// A [`setup`] server: its admin token and `web`'s secret.
pub(crate) struct Setup {
    pub(crate) server: Server,
    pub(crate) admin_token: String,
    pub(crate) secret: String,
    _dir: TempDir,
}

impl Setup {
    /// A server a suite started itself, with its admin token, a client's secret and the
    /// directory it runs in (kept as long as the server).
    pub(crate) fn of(server: Server, admin_token: String, secret: String, dir: TempDir) -> Self {
        Self { server, admin_token, secret, _dir: dir }
    }
}

/// A server trusting 127.0.0.1 as its proxy, with a GeoIP database placing GERMANY in Berlin and
/// USA in New York, tenant `acme`, user Ada and confidential client `web`.
pub(crate) async fn setup(tag: &str, extra_env: Vec<(String, String)>) -> Setup {
    use ciam_policy::Location;
    let dir = TempDir::new(tag);
    let db = ciam_policy::testing::build_city_db(&[
        (
            "81.0.0.0/16".parse().unwrap(),
            Location { country: Some("DE".into()), continent: Some("EU".into()), latitude: 52.52, longitude: 13.40 },
        ),
        (
            "198.51.100.0/24".parse().unwrap(),
            Location { country: Some("US".into()), continent: Some("NA".into()), latitude: 40.71, longitude: -74.0 },
        ),
    ]);
    let geoip = dir.0.join("city.mmdb");
    std::fs::write(&geoip, db).unwrap();
    let mut env = vec![
        ("CIAM_SERVER__TRUSTED_PROXIES".to_owned(), "[\"127.0.0.1\"]".to_owned()),
        ("CIAM_RISK__GEOIP_DATABASE".to_owned(), geoip.display().to_string()),
    ];
    env.extend(extra_env);
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let admin_token = server.generated_admin_token();
    let world = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "scopes": ["openid"]}))
        .create(&Admin::new(&server, admin_token.clone()))
        .await;
    let secret = world.secret("web");
    Setup { server, admin_token, secret, _dir: dir }
}

/// [`setup`] with the public URL `http://localhost:PORT`: browsers allow WebAuthn on http only
/// for localhost. Returns the origin too.
pub(crate) async fn localhost_setup(tag: &str) -> (Setup, String) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let origin = format!("http://localhost:{port}");
    let env = vec![("CIAM_BIND".into(), format!("127.0.0.1:{port}")), ("CIAM_PUBLIC_URL".into(), origin.clone())];
    (setup(tag, env).await, origin)
}

/// What the browser tests need (`tests/browser` with its `node_modules`, and Chromium: `CHROMIUM`,
/// default `/usr/bin/chromium`), or why they cannot run here.
pub(crate) fn browser_tools() -> Result<(std::path::PathBuf, std::path::PathBuf), String> {
    use std::path::{Path, PathBuf};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    for package in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(package).is_dir() {
            return Err(format!("{package} is not installed: run npm ci --prefix {}", dir.display()));
        }
    }
    let chromium = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.is_file() {
        return Err(format!("no Chromium at {} (apt-get install chromium, or set CHROMIUM)", chromium.display()));
    }
    Ok((dir, chromium))
}

/// Runs `tests/browser/<script>` under node with Chromium (`tools`, from [`browser_tools`]) and
/// `env`, for at most `secs` seconds; returns the JSON line it printed. A failed run fails the
/// test with the script's error and `server`'s log.
pub(crate) async fn run_browser_script(
    tools: &(std::path::PathBuf, std::path::PathBuf),
    server: &Server,
    script: &str,
    env: &[(&str, String)],
    secs: u64,
) -> Value {
    let (dir, chromium) = tools;
    let run = tokio::process::Command::new("node")
        .arg(dir.join(script))
        .current_dir(dir)
        .env("CHROMIUM", chromium)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(secs), run).await;
    let out = out.unwrap_or_else(|_| panic!("{script} timed out")).expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stderr}\nserver log:\n{}", server.logs());
    serde_json::from_slice(out.stdout.trim_ascii()).unwrap_or_else(|e| panic!("{script} printed no JSON line: {e}"))
}

/// Enrolls a TOTP app for the visitor's signed-in user (password only, no second factor yet) on
/// the account page, confirming with a code by email first; returns its seed.
pub(crate) async fn enroll_totp(v: &Browser, mail_dir: &std::path::Path) -> TotpSeed {
    let res = confirm_by_email(v, v.get("/t/acme/account/security/totp").await, mail_dir).await;
    assert_eq!(location(&res), "/t/acme/account/security", "confirmed, back on the account page");
    let res = v.get("/t/acme/account/security/totp").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<svg"), "a QR code rendered on the server");
    let secret = html.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let seed = TotpSeed::from_base32(&secret).unwrap();
    let csrf = hidden(&html, "csrf");
    let now = ciam_testkit::unix_now();
    let wrong = v.post("/t/acme/account/security/totp", &[("csrf", &csrf), ("code", "000000")]).await;
    assert_eq!(wrong.status(), 401);
    let code = ciam_authn::totp::code_at(&seed, now);
    let res = v.post("/t/acme/account/security/totp", &[("csrf", &csrf), ("code", &code), ("name", "Phone")]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("recovery-codes"), "the first second factor comes with recovery codes: {html}");
    seed
}

/// Confirms who the visitor is with a code by email on the second-factor page `res` leads to (a
/// change to an account that has no second factor yet); returns the answer to the code.
pub(crate) async fn confirm_by_email(
    v: &Browser,
    res: reqwest::Response,
    mail_dir: &std::path::Path,
) -> reqwest::Response {
    assert_eq!(res.status(), 303);
    let page = location(&res);
    assert!(page.contains("/t/acme/mfa?flow="), "asked for a second factor: {page}");
    let html = v.get(&page).await.text().await.unwrap();
    assert!(html.contains("Email me a code"), "{html}");
    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
    let before: Vec<_> = ciam_server::adapters::mail::read_mail_dir(mail_dir).into_iter().map(|(p, _)| p).collect();
    let res = v.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "email_send")]).await;
    assert_eq!(res.status(), 200);
    // Another mail (a notice about the sign-in, say) may arrive first: wait for the code's.
    let text = wait_for_new_mail(mail_dir, &before, |t| t.contains("code is ")).await.expect("a code by email");
    let code: String = text.split("code is ").nth(1).unwrap().chars().take(6).collect();
    v.post("/t/acme/mfa", &[("flow", &flow), ("csrf", &csrf), ("method", "email"), ("code", &code)]).await
}

/// The messages in the file mailer's folder, once there are at least `n` (or after 20 s).
pub(crate) async fn wait_for_mails(dir: &std::path::Path, n: usize) -> Vec<(std::path::PathBuf, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mails = ciam_server::adapters::mail::read_mail_dir(dir);
        if mails.len() >= n || std::time::Instant::now() > deadline {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The text of the first mail in the file mailer's folder that is not one of `before` and of
/// which `wanted` holds, once there is one (or `None` after 20 s).
pub(crate) async fn wait_for_new_mail(
    dir: &std::path::Path,
    before: &[std::path::PathBuf],
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = ciam_server::adapters::mail::read_mail_dir(dir)
            .into_iter()
            .filter(|(p, _)| !before.contains(p))
            .find_map(|(_, raw)| ciam_server::adapters::mail::mail_text_body(&raw).filter(|t| wanted(t)));
        if found.is_some() || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Every mail in the file mailer's folder so far: (recipient, subject, text).
pub(crate) fn mails_in(dir: &std::path::Path) -> Vec<(String, String, String)> {
    use ciam_server::adapters::mail::{mail_header, mail_text_body, read_mail_dir};
    read_mail_dir(dir)
        .into_iter()
        .map(|(_, raw)| {
            let header = |n| mail_header(&raw, n).unwrap_or_default();
            (header("To"), header("Subject"), mail_text_body(&raw).unwrap_or_default())
        })
        .collect()
}

/// The newest mail to `to` whose subject contains `subject`, waiting for it to arrive.
pub(crate) async fn mail_to(dir: &std::path::Path, to: &str, subject: &str) -> String {
    for _ in 0..200 {
        if let Some((_, _, text)) =
            mails_in(dir).into_iter().rev().find(|(t, s, _)| t.contains(to) && s.contains(subject))
        {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no mail to {to} about {subject:?}: {:?}", mails_in(dir));
}

/// A page without its CSP nonces (fresh in every response).
pub(crate) fn without_nonces(html: &str) -> String {
    html.split(" nonce=\"")
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.split_once('"').unwrap().1 })
        .collect()
}

/// The directory `tests/{dir}` when Node.js 20 or later runs here and `package` is installed
/// there (`npm ci --prefix tests/{dir}`), or why not.
pub(crate) fn node_package(dir: &str, package: &str) -> Result<std::path::PathBuf, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(dir);
    let Ok(node) = std::process::Command::new("node").arg("--version").output() else {
        return Err("node is not installed (apt-get install nodejs npm)".into());
    };
    let version = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < 20 {
        return Err(format!("{package} needs Node.js 20 or later, found {version:?}"));
    }
    if !dir.join("node_modules").join(package).is_dir() {
        return Err(format!("{package} is not installed: run npm ci --prefix {}", dir.display()));
    }
    Ok(dir)
}

/// Opens `start` (a URL of the server) in `browser`, signs in to `tenant` with `credentials`
/// (email, password) on the login page it leads to, allows the consent page if one comes, and
/// follows the redirects until one leads to a URL starting with `until`, which it returns.
pub(crate) async fn sign_in_through(
    browser: &Browser,
    tenant: &str,
    start: &str,
    credentials: (&str, &str),
    until: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut res = browser.get(start).await;
    for _ in 0..12 {
        match res.status().as_u16() {
            302 | 303 => {
                let to = location(&res);
                if to.starts_with(until) {
                    return Ok(to);
                }
                res = browser.get(&to).await;
            }
            200 => {
                let html = res.text().await?;
                let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
                let form: Vec<(&str, &str)> = if html.contains("name=\"password\"") {
                    vec![("flow", &flow), ("csrf", &csrf), ("email", credentials.0), ("password", credentials.1)]
                } else if html.contains("value=\"allow\"") {
                    vec![("flow", &flow), ("csrf", &csrf), ("decision", "allow")]
                } else {
                    return Err(format!("an unexpected page: {html}").into());
                };
                let action = if form.len() == 4 { "login" } else { "consent" };
                res = browser.http.post(browser.abs(&format!("/t/{tenant}/{action}"))).form(&form).send().await?;
            }
            other => return Err(format!("the sign-in answered {other}: {}", res.text().await?).into()),
        }
    }
    Err("too many redirects".into())
}

/// A browser signed in to the administrators' console as `email` (with `password`), through the
/// control tenant's hosted sign-in.
pub(crate) async fn console_as(
    server: &ciam_testkit::Server,
    password: &str,
    email: &str,
) -> Result<Browser, Box<dyn std::error::Error>> {
    let browser = Browser::new(server);
    let callback = server.url("/console/callback");
    let answer = sign_in_through(&browser, "control", "/console", (email, password), &callback).await?;
    assert_eq!(location(&browser.get(&answer).await), "/console", "back where the sign-in started");
    Ok(browser)
}

/// Form fields as the browser helper takes them.
/// A server whose administrators sign in with a password (`admin.acr = pwd`; the control
/// tenant asks a second factor only on risk), so console tests sign in over HTTP (the browser
/// test signs in with a passkey). Returns it with its data directory.
pub(crate) async fn console_server(tag: &str) -> (Server, TempDir) {
    let dir = TempDir::new(tag);
    let env = vec![("CIAM_ADMIN__ACR".to_owned(), "pwd".to_owned())];
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let operator = Admin::new(&server, server.generated_admin_token());
    let patch = json!({"settings": {"login": {"mfa": "risk"}}});
    assert_eq!(operator.call(reqwest::Method::PATCH, "/tenants/control", Some(patch)).await.0, 200);
    (server, dir)
}

/// Adds `email` (password `password`) to the control tenant with `role` for `tenant`; returns
/// their user id.
pub(crate) async fn console_administrator(
    operator: &ciam_testkit::Admin<'_>,
    (email, password): (&str, &str),
    role: &str,
    tenant: &str,
) -> String {
    let body = serde_json::json!({"email": email, "password": password});
    let person = operator.post("/tenants/control/users", body, 201).await;
    let id = person["id"].as_str().unwrap_or_default().to_owned();
    let assignment = serde_json::json!({"user_id": id, "role": role});
    operator.post(&format!("/tenants/{tenant}/role-assignments"), assignment, 201).await;
    id
}

pub(crate) fn form_pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
