//! A user's rights over their data, end to end: "Download my data" prepares the export in the
//! background and offers it once; an administrator exports the same document; "Delete my
//! account" erases the user: sessions, refresh grants and access tokens stop, the id stays
//! taken, an event is queued, and nothing of the address is left in the database files
//! (SQLite: `secure_delete` and a truncated WAL; Postgres: after `VACUUM FULL`, docs/privacy.md).
//! `TEST_BACKEND=postgres` runs it on Postgres and Redis.

use ciam_testkit::{Admin, Browser, authorize_url, hidden, location};
use serde_json::{Value, json};

use crate::support::{confirm_by_email, redeem, setup, token};

const ADA: &str = "ada@example.com";

/// Whether `needle` occurs in the SQLite database `file` or its WAL.
pub(crate) fn in_sqlite_files(file: &std::path::Path, needle: &str) -> bool {
    let wal = std::path::PathBuf::from(format!("{}-wal", file.display()));
    [file.to_path_buf(), wal].iter().any(|f| {
        std::fs::read(f).map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes())).unwrap_or(false)
    })
}

/// The tables and indexes of the Postgres database at `url` whose data files hold `needle` (read
/// by the server itself, `pg_read_binary_file`).
///
/// With `vacuum`, after `VACUUM FULL`, tried again for a few seconds: `VACUUM FULL` keeps a
/// deleted row's old version while a transaction that may still see it runs (Postgres calls it
/// recently dead), and on a busy server one sometimes does, for a moment.
pub(crate) async fn postgres_files_with(url: &str, needle: &str, vacuum: bool) -> Vec<String> {
    use sqlx::{Connection, Executor, Row};
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let mut tries = if vacuum { 20 } else { 1 };
    loop {
        db.execute("checkpoint").await.unwrap();
        if vacuum {
            db.execute("vacuum full").await.unwrap();
            db.execute("checkpoint").await.unwrap();
        }
        let files = sqlx::query(
            "select c.relname::text, pg_relation_filepath(c.oid) from pg_class c \
             join pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = 'public' and c.relkind in ('r', 'i') and pg_relation_filepath(c.oid) is not null",
        )
        .fetch_all(&mut db)
        .await
        .unwrap();
        let mut holding = Vec::new();
        for f in files {
            let (name, path): (String, String) = (f.get(0), f.get(1));
            let bytes: Option<Vec<u8>> = sqlx::query_scalar("select pg_read_binary_file($1)")
                .bind(&path)
                .fetch_one(&mut db)
                .await
                .unwrap_or(None);
            if bytes.is_some_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())) {
                holding.push(name);
            }
        }
        tries -= 1;
        if holding.is_empty() || tries == 0 {
            return holding;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_user_downloads_their_data_and_has_their_account_erased() {
    let s = setup("privacy-erasure", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let (status, body) = admin
        .call(
            reqwest::Method::PATCH,
            "/tenants/acme/clients/web",
            Some(
                json!({"scopes": ["openid", "offline_access"], "grant_types": ["authorization_code", "refresh_token"]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ada = admin.get("/tenants/acme/users?limit=10", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    let v = Browser::new(&s.server);
    let start = authorize_url("web", "openid offline_access").nonce("n").build();
    let tokens = redeem(&s.server, &s.secret, &v.to_callback(v.sign_in(&start).await).await["code"]).await;

    // "Download my data": prepared in the background, offered by a single-use link.
    let page = v.get("/t/acme/account/privacy").await.text().await.unwrap();
    assert!(page.contains(">Download my data</button>"), "{page}");
    assert!(page.contains("To download your data or delete your account, first"), "{page}");
    // A recent, confirmed sign-in first (a code by email: Ada has no second factor).
    let res = v.post("/t/acme/account/privacy/export", &[("csrf", &hidden(&page, "csrf"))]).await;
    let mail_dir = s.server.data_dir.join("mail");
    confirm_by_email(&v, res, &mail_dir).await;
    let page = v.get("/t/acme/account/privacy").await.text().await.unwrap();
    assert!(!page.contains("first <a"), "confirmed: {page}");
    let res = v.post("/t/acme/account/privacy/export", &[("csrf", &hidden(&page, "csrf"))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/t/acme/account/privacy");
    let mut link = None;
    for _ in 0..50 {
        let page = v.get("/t/acme/account/privacy").await.text().await.unwrap();
        if let Some(at) = page.find("/t/acme/account/privacy/export?token=") {
            link = page[at..].split('"').next().map(str::to_owned);
            break;
        }
        assert!(page.contains("Your data is being prepared"), "{page}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let link = link.expect("the export is ready within five seconds");
    let res = v.get(&link).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["format"], "ciam.user-export.v1");
    assert_eq!((doc["user"]["id"].as_str(), doc["user"]["email"].as_str()), (Some(ada.as_str()), Some(ADA)));
    assert_eq!(doc["applications"][0]["client_id"], "web", "{doc}");
    assert_eq!(doc["sessions"].as_array().map(Vec::len), Some(1), "{doc}");
    let types: Vec<&str> = doc["audit_events"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(types.contains(&"token.issued") && types.contains(&"user.exported"), "{types:?}");
    let text = doc.to_string();
    for secret in ["$argon2", tokens["refresh_token"].as_str().unwrap(), tokens["access_token"].as_str().unwrap()] {
        assert!(!text.contains(secret), "the export holds no secret");
    }
    assert_eq!(v.get(&link).await.status(), 404, "the link works once");

    // The administrator's export is the same document.
    let by_admin = admin.get(&format!("/tenants/acme/users/{ada}/export"), 200).await;
    assert_eq!(by_admin["user"], doc["user"]);

    // The address is in the database files now (so the check after the erasure means something).
    if s.server.database_url.starts_with("postgres") {
        assert!(!postgres_files_with(&s.server.database_url, ADA, false).await.is_empty());
    } else {
        assert!(in_sqlite_files(&s.server.data_dir.join("ciam.db"), ADA));
    }

    // "Delete my account": confirmed, then erased at once and signed out.
    let page = v.get("/t/acme/account/privacy").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    assert_eq!(v.post("/t/acme/account/privacy/delete", &[("csrf", &csrf)]).await.status(), 400, "unconfirmed");
    let res = v.post("/t/acme/account/privacy/delete", &[("csrf", &csrf), ("confirm", "on")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert!(res.text().await.unwrap().contains("were erased"));
    let account = location(&v.get("/t/acme/account").await);
    assert!(account.contains("/login"), "signed out: {account}");

    // Nothing of the grant stands.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, body) =
        token(&s.server, &s.secret, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let userinfo = s
        .server
        .http
        .get(s.server.url("/t/acme/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
    assert_eq!(admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}"), None).await.0, 404);
    let events = admin.get("/tenants/acme/events", 200).await;
    assert!(
        events["items"].as_array().unwrap().iter().any(|e| e["type"] == "user.erased" && e["subject"] == ada.as_str())
    );
    // The trail keeps the facts of every event about her, found by her id, with the personal
    // fields gone (her data key was destroyed), and it still verifies.
    let audit = admin.get(&format!("/tenants/acme/audit?user={ada}"), 200).await;
    let events = audit["items"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["type"] == "user.erased") && events.iter().any(|e| e["type"] == "token.issued"),
        "{audit}"
    );
    for e in events {
        assert_eq!(e["personal_data"], "erased", "{e}");
        assert!(e.get("user_id").is_none() && e.get("ip").is_none() && e.get("user_agent").is_none(), "{e}");
    }
    let (code, out) = s.server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
    // Nothing of the address is left in the database files.
    if s.server.database_url.starts_with("postgres") {
        let holding = postgres_files_with(&s.server.database_url, ADA, true).await;
        assert!(holding.is_empty(), "still in {holding:?} after VACUUM FULL");
    } else {
        assert!(!in_sqlite_files(&s.server.data_dir.join("ciam.db"), ADA), "gone from the SQLite file and its WAL");
    }
    // The id stays taken; the address may sign up or be created again, as a new user.
    let again = admin.post("/tenants/acme/users", json!({"email": ADA}), 201).await;
    assert_ne!(again["id"], ada.as_str());
    assert_eq!(
        admin
            .call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{}", again["id"].as_str().unwrap()), None)
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn an_administrator_erases_a_user_once() {
    let s = setup("privacy-admin-erase", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let ada = admin.get("/tenants/acme/users?limit=10", 200).await["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(admin.call(reqwest::Method::POST, "/tenants/acme/users/nobody/erase", None).await.0, 404);
    assert_eq!(admin.call(reqwest::Method::POST, &format!("/tenants/acme/users/{ada}/erase"), None).await.0, 204);
    assert_eq!(admin.call(reqwest::Method::POST, &format!("/tenants/acme/users/{ada}/erase"), None).await.0, 404);
    assert_eq!(admin.call(reqwest::Method::GET, &format!("/tenants/acme/users/{ada}/export"), None).await.0, 404);
    let audit = admin.get("/tenants/acme/audit?type=user.erased", 200).await;
    assert!(audit["items"][0]["reason"].as_str().unwrap().contains("management API"), "{audit}");

    // `ciam privacy sweep` runs the retention sweep by hand, on the deployment's stores.
    let (code, out) = s.server.cli(&["privacy", "sweep"]);
    assert_eq!(code, Some(0), "{out}");
    let swept: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(swept["tenants"], 2, "acme and the control tenant: {swept}");
}
