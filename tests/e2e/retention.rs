//! Retention and the erasure grace period, on a server running in process with a clock the test
//! moves (days cannot be waited for): "Delete my account" closes the account for the tenant's
//! grace period, the user (by the mailed link) or an administrator may cancel, and the sweep
//! erases what is due, with unverified sign-ups past their limit; `ciam privacy sweep` runs it
//! by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ciam_core::{Clock, SystemClock};
use ciam_testkit::{Browser, PASSWORD, TempDir, hidden, location};
use serde_json::{Value, json};

use crate::support::confirm_by_email;

/// The wall clock plus an offset in seconds the test sets.
#[derive(Default)]
struct Ahead(AtomicI64);

impl Clock for Ahead {
    fn now(&self) -> time::OffsetDateTime {
        SystemClock.now() + time::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
}

struct Admin {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Admin {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}/admin/v1{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// The "keep my account" link of a mail (its path and query).
fn keep_link(mail: &str) -> String {
    let link = mail.split_whitespace().find(|w| w.contains("/account/keep?")).expect("a keep link");
    link.get(link.find("/t/").unwrap_or(0)..).unwrap_or(link).to_owned()
}

/// Presses "Keep my account" on the page the link opens.
async fn use_keep_link(b: &Browser, link: &str) -> reqwest::Response {
    let page = b.get(link).await.text().await.unwrap();
    let form = [("user", hidden(&page, "user")), ("token", hidden(&page, "token"))];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post("/t/acme/account/keep", &pairs).await
}

/// Ticks "I understand…" and presses "Delete my account" on the Privacy page.
async fn delete_account(b: &Browser) -> reqwest::Response {
    let page = b.get("/t/acme/account/privacy").await.text().await.unwrap();
    b.post("/t/acme/account/privacy/delete", &[("csrf", hidden(&page, "csrf").as_str()), ("confirm", "on")]).await
}

#[tokio::test]
async fn a_deletion_waits_for_the_grace_period_and_the_sweep_erases_what_is_due() {
    let clock = Arc::new(Ahead::default());
    let dir = TempDir::new("retention");
    let config = ciam_server::Config { bind: "127.0.0.1:0".into(), data_dir: dir.0.clone(), ..Default::default() };
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), clock.clone()).await.unwrap();
    let (base, state) = (app.state().node.public_url.clone(), app.state().clone());
    tokio::spawn(app.run(std::future::pending()));
    let token = std::fs::read_to_string(dir.0.join("admin-token")).unwrap().trim().to_owned();
    let admin = Admin { base: base.clone(), token, http: reqwest::Client::new() };
    let settings = json!({"signup": {"mode": "open", "require_email_verification": true},
                          "privacy": {"erasure_grace_days": 7, "unverified_account_days": 2, "ended_grants_days": 1}});
    for (path, body) in [
        ("/tenants", json!({"id": "acme", "display_name": "Acme", "settings": settings})),
        ("/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD})),
    ] {
        let (status, body) = admin.call(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "{path}: {body}");
    }
    let (status, problem) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme",
            Some(json!({"settings": {"privacy": {"erasure_grace_days": 31}}})),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("settings.privacy.erasure_grace_days")),
        "{problem}"
    );
    let users = admin.call(reqwest::Method::GET, "/tenants/acme/users", None).await.1;
    let ada = users["items"][0]["id"].as_str().unwrap().to_owned();

    // A visitor signs up and never proves the address.
    let visitor = Browser::at(&base, Some("127.0.0.1"));
    let form_page = location(&visitor.get("/t/acme/signup").await);
    let html = visitor.get(&form_page).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", "never@example.com".to_owned()),
        ("password", PASSWORD.to_owned()),
        ("website", String::new()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(visitor.post("/t/acme/signup", &pairs).await.status(), 303);

    // Ada deletes her account: closed for seven days, not erased yet.
    let mail = dir.0.join("mail");
    let b = Browser::at(&base, Some("127.0.0.1"));
    let login = location(&b.get("/t/acme/account/privacy").await);
    let html = b.get(&login).await.text().await.unwrap();
    assert_eq!(b.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await.status(), 303);
    let res = delete_account(&b).await;
    confirm_by_email(&b, res, &mail).await;
    let res = delete_account(&b).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let due = (SystemClock.now() + time::Duration::days(7)).date().to_string();
    assert!(text.contains("is closed and will be erased") && text.contains(&due), "{text}");
    let user = admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.1;
    assert_eq!(user["status"], "disabled", "{user}");

    // An administrator cancels: enabled again; there is nothing to cancel a second time.
    let path = format!("/tenants/acme/users/{ada}/erase");
    assert_eq!(admin.call(reqwest::Method::DELETE, &path, None).await.0, 204);
    assert_eq!(admin.call(reqwest::Method::DELETE, &path, None).await.0, 404);
    let user = admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.1;
    assert_eq!(user["status"], "active", "{user}");
    // The link mailed with that request no longer keeps anything.
    let mailed = crate::support::mail_to(&mail, "ada@example.com", "will be erased on").await;
    let first_keep = keep_link(&mailed);
    let visitor = Browser::at(&base, Some("127.0.0.1"));
    assert_eq!(use_keep_link(&visitor, &first_keep).await.status(), 400, "nothing waits");

    // She asks again, and changes her mind herself: the mailed link keeps the account, once.
    let b = Browser::at(&base, Some("127.0.0.1"));
    let login = location(&b.get("/t/acme/account/privacy").await);
    let html = b.get(&login).await.text().await.unwrap();
    b.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    let res = delete_account(&b).await;
    assert_eq!(confirm_by_email(&b, res, &mail).await.status(), 303);
    let before = crate::support::mails_in(&mail);
    let res = delete_account(&b).await;
    assert!(res.text().await.unwrap().contains("has a link that keeps it"));
    let mailed = loop {
        let all = crate::support::mails_in(&mail);
        let new = all.into_iter().find(|m| m.1.contains("will be erased on") && !before.contains(m));
        if let Some((_, _, text)) = new {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert!(mailed.contains(&due) && mailed.contains("Changed your mind?"), "{mailed}");
    let keep = keep_link(&mailed);
    assert_ne!(keep, first_keep, "each request mails its own link");
    let page = visitor.get(&keep).await.text().await.unwrap();
    assert!(page.contains("Keep my account</button>"), "{page}");
    let res = use_keep_link(&visitor, &keep).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("is open again"));
    let user = admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.1;
    assert_eq!(user["status"], "active", "{user}");
    assert_eq!(use_keep_link(&visitor, &keep).await.status(), 400, "a link keeps once");
    let trail = admin.call(reqwest::Method::GET, "/tenants/acme/audit?type=user.erasure_cancelled", None).await.1;
    let kept_by = trail["items"].as_array().unwrap().iter().filter(|e| e["reason"].is_null()).count();
    assert_eq!(trail["items"].as_array().unwrap().len(), 2, "{trail}");
    assert_eq!(kept_by, 1, "her own cancellation names no administrator: {trail}");

    // She asks again; a sweep the next day erases nothing, eight days later both are erased.
    let b = Browser::at(&base, Some("127.0.0.1"));
    let login = location(&b.get("/t/acme/account/privacy").await);
    let html = b.get(&login).await.text().await.unwrap();
    b.password(&hidden(&html, "flow"), &hidden(&html, "csrf"), PASSWORD).await;
    let res = delete_account(&b).await;
    assert_eq!(confirm_by_email(&b, res, &mail).await.status(), 303);
    assert_eq!(delete_account(&b).await.status(), 200);

    clock.0.store(86_400, Ordering::Relaxed);
    let swept: Value = serde_json::from_str(&ciam_server::retention_sweep(&state).await.unwrap()).unwrap();
    assert_eq!(
        (swept["erased_on_request"].as_u64(), swept["erased_unverified"].as_u64()),
        (Some(0), Some(0)),
        "{swept}"
    );
    assert_eq!(admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.0, 200);

    clock.0.store(8 * 86_400, Ordering::Relaxed);
    let swept: Value = serde_json::from_str(&ciam_server::retention_sweep(&state).await.unwrap()).unwrap();
    assert_eq!(
        (swept["erased_on_request"].as_u64(), swept["erased_unverified"].as_u64()),
        (Some(1), Some(1)),
        "{swept}"
    );
    assert_eq!(admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.0, 404);
    let users = admin.call(reqwest::Method::GET, "/tenants/acme/users", None).await.1;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(0), "{users}");
    let audit = admin.call(reqwest::Method::GET, "/tenants/acme/audit?type=user.erased", None).await.1;
    let reasons: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["reason"].as_str()).collect();
    assert_eq!(reasons, ["retention", "retention"], "{audit}");
    let again: Value = serde_json::from_str(&ciam_server::retention_sweep(&state).await.unwrap()).unwrap();
    assert_eq!(again["erased_on_request"], 0, "nothing twice");

    // Audit events older than the tenant's retention go; the rest still verifies.
    clock.0.store(40 * 86_400, Ordering::Relaxed);
    let privacy = json!({"settings": {"privacy": {"audit_retention_days": 30}}});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(privacy)).await.0, 200);
    let swept: Value = serde_json::from_str(&ciam_server::retention_sweep(&state).await.unwrap()).unwrap();
    assert!(swept["audit_events"].as_u64().is_some_and(|n| n > 10), "{swept}");
    let left = admin.call(reqwest::Method::GET, "/tenants/acme/audit", None).await.1;
    let types: Vec<&str> = left["items"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types, ["tenant.updated"], "only the newest event is younger than 30 days: {left}");
    let verify = std::process::Command::new(crate::BIN)
        .args(["audit", "verify", "--tenant", "acme"])
        .env("CIAM_DATA_DIR", &dir.0)
        .env("CIAM_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{out}");
    assert!(out.contains("audit trail of acme is intact"), "{out}");
}
