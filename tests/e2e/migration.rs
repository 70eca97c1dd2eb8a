//! Users brought from another system keep their password: the management API stores their old
//! system's hash as it is, one user at a time or a whole export at once (NDJSON) (bcrypt, PBKDF2 in Django's and PHC form, scrypt, SHA-crypt), the
//! first sign-in checks the password against it and replaces it with an argon2id hash, and the
//! sign-ins after that use the new hash. Hashes the server cannot check, or could only check at
//! an absurd cost, are refused with a problem naming `password_hash`. The hashes were made by
//! independent implementations (Python's hashlib and libxcrypt). Both backends.

use ciam_testkit::{Admin, Browser, authorize_url, hidden};
use serde_json::json;

use crate::support::setup;

const PASSWORD: &str = "correct horse battery staple";

const IMPORTED: [(&str, &str); 4] = [
    ("bcrypt@example.com", "$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS"),
    ("django@example.com", "pbkdf2_sha256$1000$Zk8rBWbnH5s1$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs="),
    ("scrypt@example.com", "$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM"),
    (
        "shacrypt@example.com",
        "$6$rounds=5000$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
    ),
];

/// The status of a sign-in as `email` with `password` on a fresh browser.
async fn sign_in(server: &ciam_testkit::Server, email: &str, password: &str) -> u16 {
    let v = Browser::new(server);
    let res = v.get(&authorize_url("web", "openid").nonce("n").build()).await;
    let html = v.get(&ciam_testkit::location(&res)).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", email.into()),
        ("password", password.into()),
    ];
    v.http.post(v.abs("/t/acme/login")).form(&form).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn imported_password_hashes_sign_in_once_and_become_argon2id() {
    let s = setup("migration", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    for (email, hash) in IMPORTED {
        admin
            .post("/tenants/acme/users", json!({"email": email, "password_hash": hash, "email_verified": true}), 201)
            .await;
    }
    for (email, hash) in IMPORTED {
        assert_eq!(sign_in(&s.server, email, "not the password").await, 401, "{email}");
        let before = s.server.logs().matches("password rehashed").count();
        assert_eq!(sign_in(&s.server, email, PASSWORD).await, 303, "{email} signs in with the old password");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced at once");
        assert_eq!(sign_in(&s.server, email, PASSWORD).await, 303, "{email} again, on the argon2id hash");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced once");
        assert!(!s.server.logs().contains(hash), "the imported hash is never logged");
    }

    // What cannot be stored.
    let refused = [
        json!({"email": "plain@example.com", "password_hash": PASSWORD}),
        json!({"email": "both@example.com", "password": PASSWORD, "password_hash": IMPORTED[0].1}),
        json!({"email": "costly@example.com", "password_hash": "pbkdf2_sha256$99999999$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs="}),
        json!({"email": "md5@example.com", "password_hash": "$1$saltsalt$WGNTgSjxOk4S2LdO7Cpsq."}),
    ];
    for body in refused {
        let (status, problem) = admin.call(reqwest::Method::POST, "/tenants/acme/users", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(problem.to_string().contains("password_hash"), "{problem}");
        assert!(!problem.to_string().contains(PASSWORD), "the problem never echoes a secret: {problem}");
    }
    // A patch can set an imported hash too; like a new password, it ends the user's sessions.
    let users = admin.get("/tenants/acme/users?email=bcrypt@example.com", 200).await;
    let id = users["items"][0]["id"].as_str().unwrap();
    let django = IMPORTED[1].1;
    let (status, body) = admin
        .call(reqwest::Method::PATCH, &format!("/tenants/acme/users/{id}"), Some(json!({"password_hash": django})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("password_hash").is_none(), "write-only: {body}");
    assert_eq!(sign_in(&s.server, "bcrypt@example.com", PASSWORD).await, 303);
}

/// Posts `body` as an import into `acme`; returns the status and the report's lines.
pub(crate) async fn import(s: &crate::support::Setup, body: impl Into<reqwest::Body>) -> (u16, Vec<serde_json::Value>) {
    import_into(s, "acme", body).await
}

/// Posts `body` as an import into `tenant`; returns the status and the report's lines.
async fn import_into(
    s: &crate::support::Setup,
    tenant: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Vec<serde_json::Value>) {
    let res = s
        .server
        .http
        .post(s.server.url(&format!("/admin/v1/tenants/{tenant}/users:import")))
        .bearer_auth(&s.admin_token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| json!({"raw": l}))).collect())
}

/// A whole export in one request: each line reported (created, refused with the field and
/// never the value, blank lines skipped; refusals come at once, the others when their batch is
/// stored), then a summary; the same file again creates nobody
/// (by external id, even for a changed address, else by email); the imported users sign in
/// with their old passwords. Not NDJSON is a 415, an oversized body a 413.
#[tokio::test]
async fn an_export_is_imported_once_line_by_line() {
    let s = setup("import", vec![]).await;
    let lines = [
        json!({"email": "lovelace@example.com", "email_verified": true, "name": "Ada", "external_id": "auth0|1",
               "password_hash": IMPORTED[0].1}),
        json!({"email": "grace@example.com", "external_id": "auth0|2", "password_hash": IMPORTED[1].1}),
        json!({"email": "not an address", "external_id": "auth0|3"}),
        json!({"email": "eve@example.com", "password": "a plaintext secret"}),
        json!({"email": "mallory@example.com", "password_hash": "secret-not-a-hash"}),
    ];
    let mut file: String = lines.iter().map(|l| format!("{l}\n")).collect();
    file.push_str("\n{broken json\n");
    let (status, report) = import(&s, file.clone()).await;
    assert_eq!(status, 200, "{report:?}");
    let statuses: Vec<(u64, &str)> =
        report.iter().filter_map(|r| Some((r["line"].as_u64()?, r["status"].as_str()?))).collect();
    assert_eq!(statuses.len(), 6, "{report:?}");
    for (line, want) in [(1, "created"), (2, "created"), (3, "refused"), (4, "refused"), (5, "refused"), (7, "refused")]
    {
        assert!(statuses.contains(&(line, want)), "line {line} {want}: {report:?}");
    }
    let field = |line: u64| report.iter().find(|r| r["line"] == line).map(|r| r["field"].clone()).unwrap();
    assert_eq!((field(3), field(4), field(5)), (json!("email"), json!("password"), json!("password_hash")));
    let summary = report.last().unwrap();
    assert_eq!(summary["summary"], json!({"created": 2, "existing": 0, "refused": 4}), "{summary}");
    assert_eq!(summary["complete"], true);
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("plaintext secret") && !text.contains("secret-not-a-hash"), "no value echoed: {text}");

    // Again, with Grace's address changed in the export: nobody is created.
    let again = file.replace("grace@example.com", "grace.hopper@example.com");
    let (_, report) = import(&s, again).await;
    assert_eq!(report.last().unwrap()["summary"], json!({"created": 0, "existing": 2, "refused": 4}));
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let users = admin.get("/tenants/acme/users?limit=100", 200).await;
    let imported: Vec<_> = users["items"].as_array().unwrap().iter().filter(|u| u["source"] == "import").collect();
    assert_eq!(imported.len(), 2, "{users}");
    assert_eq!(sign_in(&s.server, "lovelace@example.com", PASSWORD).await, 303);
    assert_eq!(sign_in(&s.server, "grace@example.com", PASSWORD).await, 303);
    let audit = admin.get("/tenants/acme/audit?type=user.imported", 200).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2, "one event per batch: {audit}");

    // Not NDJSON; too large (said up front).
    let res = s
        .server
        .http
        .post(s.server.url("/admin/v1/tenants/acme/users:import"))
        .bearer_auth(&s.admin_token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(announced_too_large(&s).await, "HTTP/1.1 413 Payload Too Large");
}

/// The status line answered to an import that announces 33 MiB (before any of it is sent:
/// the server refuses on the length alone).
async fn announced_too_large(s: &crate::support::Setup) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = s.server.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /admin/v1/tenants/acme/users:import HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        s.admin_token,
        33u64 << 20
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tcp.read(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_owned()
}

/// `ciam users import` sends a file to the server named by its configuration and prints each
/// refused line with its number in the file, then the counts; it exits 1 when a line was
/// refused, and a second run creates nobody.
#[tokio::test]
async fn the_import_command_reports_each_refused_line_and_the_counts() {
    let s = setup("import-cli", vec![]).await;
    let dir = ciam_testkit::TempDir::new("import-cli-file");
    let file = dir.0.join("users.ndjson");
    let lines = [
        json!({"email": "hopper@example.com", "external_id": "7", "password_hash": IMPORTED[2].1}),
        json!({"email": "nobody", "external_id": "8"}),
        json!({"email": "turing@example.com", "external_id": "9", "password_hash": IMPORTED[3].1}),
    ];
    std::fs::write(&file, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let run = || {
        std::process::Command::new(crate::BIN)
            .args(["users", "import", "--tenant", "acme"])
            .arg(&file)
            .current_dir(&dir.0)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("CIAM_PUBLIC_URL", s.server.url(""))
            .env("CIAM_ADMIN_TOKEN", &s.admin_token)
            .output()
            .unwrap()
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(1), "a refused line: {out}");
    assert!(out.contains("line 2: email: "), "{out}");
    assert!(out.ends_with("2 users created, 0 already there, 1 lines refused\n"), "{out}");
    let second = run();
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(out.ends_with("0 users created, 2 already there, 1 lines refused\n"), "{out}");
    assert_eq!(sign_in(&s.server, "turing@example.com", PASSWORD).await, 303);
}

/// Exports `tenant`'s users (with their hashes when `hashes`) as NDJSON lines.
async fn export(s: &crate::support::Setup, tenant: &str, hashes: bool) -> Vec<serde_json::Value> {
    let url = format!("/admin/v1/tenants/{tenant}/users:export{}", if hashes { "?password_hashes=true" } else { "" });
    let res = s.server.http.get(s.server.url(&url)).bearer_auth(&s.admin_token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    res.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The export is the import's format: without hashes unless asked (and audited either way);
/// with them, another tenant imports it and its users sign in with their passwords.
#[tokio::test]
async fn an_export_is_imported_again_elsewhere() {
    let s = setup("export", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let file: String = [
        json!({"email": "lovelace@example.com", "name": "Ada", "external_id": "legacy-1", "password_hash": IMPORTED[0].1}),
        json!({"email": "hopper@example.com", "external_id": "legacy-2", "password_hash": IMPORTED[2].1}),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    assert_eq!(import(&s, file).await.1.last().unwrap()["summary"]["created"], 2);

    let plain = export(&s, "acme", false).await;
    assert_eq!(plain.len(), 3, "Ada of the setup and the two imported: {plain:?}");
    assert!(plain.iter().all(|l| l.get("password_hash").is_none()), "no hashes unless asked: {plain:?}");
    let lovelace = plain.iter().find(|l| l["email"] == "lovelace@example.com").unwrap();
    assert_eq!((&lovelace["external_id"], &lovelace["name"]), (&json!("legacy-1"), &json!("Ada")));
    let full = export(&s, "acme", true).await;
    let hopper = full.iter().find(|l| l["email"] == "hopper@example.com").unwrap();
    assert_eq!(hopper["password_hash"], IMPORTED[2].1, "not signed in yet: the imported hash");
    let audit = admin.get("/tenants/acme/audit?type=user.exported", 200).await;
    let reasons: Vec<_> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["reason"].as_str()).collect();
    assert_eq!(
        reasons,
        [
            "management API, by break-glass token: without password hashes",
            "management API, by break-glass token: with password hashes"
        ],
        "{audit}"
    );

    // Another tenant takes the export as it is.
    admin.post("/tenants", json!({"id": "beta", "display_name": "Beta"}), 201).await;
    let file: String = full.iter().map(|l| format!("{l}\n")).collect();
    let (_, report) = import_into(&s, "beta", file).await;
    assert_eq!(report.last().unwrap()["summary"], json!({"created": 3, "existing": 0, "refused": 0}), "{report:?}");
    let copied = export(&s, "beta", false).await;
    assert_eq!(copied.len(), 3);
    assert!(copied.iter().any(|l| l["email"] == "hopper@example.com" && l["external_id"] == "legacy-2"), "{copied:?}");
}

/// Users come with the upstream accounts they sign in with (`identities`): linked at import,
/// exported again, refused for a provider the tenant does not have, and not stolen from
/// another user (the line is imported without that link, and says so).
#[tokio::test]
async fn imported_users_keep_their_upstream_accounts() {
    let s = setup("import-links", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    admin
        .post(
            "/tenants/acme/identity-providers",
            json!({"id": "google", "kind": "google", "display_name": "Google", "client_id": "g"}),
            201,
        )
        .await;
    let file: String = [
        json!({"email": "lovelace@example.com", "external_id": "auth0|1",
               "identities": [{"provider": "google", "subject": "108"}]}),
        json!({"email": "hopper@example.com", "identities": [{"provider": "github", "subject": "1"}]}),
        json!({"email": "turing@example.com", "identities": [{"provider": "google", "subject": "108"}]}),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    let (status, report) = import(&s, file.clone()).await;
    assert_eq!(status, 200);
    let line = |n: u64| report.iter().find(|r| r["line"] == n).cloned().unwrap();
    assert_eq!(line(1)["status"], "created", "{report:?}");
    assert!(line(1).get("identities_refused").is_none(), "{report:?}");
    assert_eq!((&line(2)["status"], &line(2)["field"]), (&json!("refused"), &json!("identities")), "{report:?}");
    assert_eq!(line(3)["status"], "created", "{report:?}");
    assert_eq!(line(3)["identities_refused"], json!(["google"]), "linked to Lovelace already: {report:?}");
    let ada = line(1)["id"].as_str().unwrap().to_owned();
    let links = admin.get(&format!("/tenants/acme/users/{ada}/identities"), 200).await;
    assert_eq!((&links[0]["provider"], &links[0]["subject"]), (&json!("google"), &json!("108")), "{links}");
    // Again: nothing new, and Lovelace's own link is no refusal.
    let (_, report) = import(&s, file).await;
    assert!(report.iter().find(|r| r["line"] == 1).unwrap().get("identities_refused").is_none(), "{report:?}");
    // The export carries the links, in the same form.
    let exported = export(&s, "acme", false).await;
    let lovelace = exported.iter().find(|l| l["email"] == "lovelace@example.com").unwrap();
    assert_eq!(lovelace["identities"], json!([{"provider": "google", "subject": "108"}]), "{lovelace}");
}
