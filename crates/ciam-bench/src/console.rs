//! The `console` scenario: an administrator's console pages for a tenant of 100,000 users. The
//! benchmark tenant gets the users by `users:import`, an administrator of the control tenant
//! (role `admin` for the benchmark tenant) signs in to the console once through the hosted
//! sign-in, and each operation opens one page with that console session, in turn: the users list
//! at a cursor spread over the whole tenant (keyset pagination), one user's page (their factors,
//! sessions, consents, delegations and linked identities), a search by the start of a name, and
//! the tenant's overview (its activity counted from the audit trail).

use std::sync::atomic::AtomicUsize;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::scenario::{Work, hidden};
use crate::target::Target;

/// The tenant's size.
pub(crate) const USERS: usize = 100_000;
/// Cursors and users the pages are opened at.
const SAMPLES: usize = 1_000;
const ADMIN_EMAIL: &str = "root@bench.example";
/// A benchmark fixture, not a secret: the administrator exists only in a throw-away database.
const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// The pages and the console session's cookie (the users and the administrator are made for
/// the server's first console row).
pub(crate) async fn work(target: &Target) -> Result<Work> {
    let admin = Admin { target, http: reqwest::Client::new() };
    let known =
        admin.call(reqwest::Method::GET, &format!("/tenants/control/users?email={ADMIN_EMAIL}"), Value::Null).await?;
    if known.get("items").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        provision(target, &admin).await?;
    }
    let cookie = sign_in(target).await.context("sign in to the console")?;
    let ids = sample(&admin).await?;
    let mut paths = Vec::with_capacity(ids.len() * 4);
    for (k, id) in ids.iter().enumerate() {
        paths.push(format!("/console/t/bench/users?after={id}"));
        paths.push(format!("/console/t/bench/users/{id}"));
        // The start of a name: "user 123" finds users 123, 1230-1239, 12300-12399, … (the
        // import names them "User {i}"); a page of 50 in name order.
        paths.push(format!("/console/t/bench/users?q=user%20{}", (k * 97) % USERS));
        paths.push("/console/t/bench".to_owned());
    }
    Ok(Work::Pages { paths, cookie, next: AtomicUsize::new(0) })
}

/// The tenant's users, and its administrator in the control tenant.
async fn provision(target: &Target, admin: &Admin<'_>) -> Result<()> {
    crate::import::run(target, USERS).await.context("import the tenant's users")?;
    // Administrators sign in with a password in the benchmark (the server runs with
    // admin.acr = pwd), so the control tenant asks for nothing more.
    admin.call(reqwest::Method::PATCH, "/tenants/control", json!({"settings": {"login": {"mfa": "risk"}}})).await?;
    let person = admin
        .call(
            reqwest::Method::POST,
            "/tenants/control/users",
            json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await?;
    let id = person.get("id").and_then(Value::as_str).ok_or_else(|| anyhow!("no user id"))?;
    admin
        .call(reqwest::Method::POST, "/tenants/bench/role-assignments", json!({"user_id": id, "role": "admin"}))
        .await?;
    Ok(())
}

struct Admin<'a> {
    target: &'a Target,
    http: reqwest::Client,
}

impl Admin<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Result<Value> {
        let mut req = self.http.request(method.clone(), self.target.url(&format!("/admin/v1{path}")));
        req = req.bearer_auth(self.target.admin_token());
        if method != reqwest::Method::GET {
            req = req.json(&body);
        }
        let res = req.send().await?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{method} {path}: {status}: {v}");
        }
        Ok(v)
    }
}

/// User ids spread over the tenant: every 100th of its first 100,000 in id order.
async fn sample(admin: &Admin<'_>) -> Result<Vec<String>> {
    let mut ids = Vec::with_capacity(SAMPLES);
    let mut cursor: Option<String> = None;
    while ids.len() < SAMPLES {
        let path = match &cursor {
            Some(c) => format!("/tenants/bench/users?limit=200&cursor={c}"),
            None => "/tenants/bench/users?limit=200".to_owned(),
        };
        let page = admin.call(reqwest::Method::GET, &path, Value::Null).await?;
        let items = page.get("items").and_then(Value::as_array).ok_or_else(|| anyhow!("no items"))?;
        ids.extend(items.iter().step_by(100).filter_map(|u| u.get("id")?.as_str().map(str::to_owned)));
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    Ok(ids)
}

/// Signs the administrator in to the console the way a browser does (allowing the console on
/// the consent page); returns the `Cookie` header of the console session.
async fn sign_in(target: &Target) -> Result<String> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::load::BROWSER_UA)
        .build()?;
    // The server's own name for itself: the sign-in's cookies are set for it.
    let mut url = url::Url::parse(&format!("http://localhost:{}/console", target.addr().port()))?;
    let mut res = http.get(url.clone()).send().await?;
    for _ in 0..12 {
        match res.status().as_u16() {
            302 | 303 => {
                let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
                if url.path() == "/console/callback" {
                    let cookie = res
                        .headers()
                        .get_all("set-cookie")
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .find(|c| c.starts_with("ciam_console="))
                        .and_then(|c| c.split(';').next())
                        .ok_or_else(|| anyhow!("no console cookie"))?;
                    return Ok(cookie.to_owned());
                }
                url = url.join(location)?;
                res = http.get(url.clone()).send().await?;
            }
            200 => {
                let html = res.text().await?;
                let (flow, csrf) = (hidden(&html, "flow")?, hidden(&html, "csrf")?);
                let (action, form) = if html.contains("name=\"password\"") && url.path() != "/t/control/mfa" {
                    (
                        "/t/control/login",
                        vec![
                            ("flow", flow),
                            ("csrf", csrf),
                            ("email", ADMIN_EMAIL.into()),
                            ("password", ADMIN_PASSWORD.into()),
                        ],
                    )
                } else if html.contains("value=\"allow\"") {
                    ("/t/control/consent", vec![("flow", flow), ("csrf", csrf), ("decision", "allow".into())])
                } else {
                    bail!("console sign-in: an unexpected page at {url}");
                };
                res = http.post(url.join(action)?).form(&form).send().await?;
            }
            other => bail!("console sign-in: {other} at {url}"),
        }
    }
    bail!("console sign-in: too many redirects")
}
