//! The command line: version, migrate, configuration errors that name the key, database errors
//! that say what to do, and the front page a fresh server answers.

use std::process::Command;

use ciam_testkit::TempDir;

use crate::BIN;

fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env_remove("DATABASE_URL").env_remove("REDIS_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn version_prints_the_crate_version() {
    let dir = TempDir::new("cli");
    let out = run(&dir.0, &["version"], &[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("ciam {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn migrate_creates_the_embedded_database_and_is_idempotent() {
    let dir = TempDir::new("migrate");
    for _ in 0..2 {
        let out = run(&dir.0, &["migrate"], &[("CIAM_DATA_DIR", "./d")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(dir.0.join("d/ciam.db").exists());
}

#[test]
fn generate_master_key_prints_a_usable_key() {
    let dir = TempDir::new("mk");
    let out = run(&dir.0, &["generate-master-key"], &[]);
    assert!(out.status.success());
    let key = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(key.len(), 43);
    let again = run(&dir.0, &["migrate"], &[("CIAM_MASTER_KEY", &key), ("CIAM_DATA_DIR", "./d")]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
}

#[tokio::test]
async fn keys_rotate_on_the_command_line() {
    use ciam_testkit::{Admin, Server, ServerOptions};
    let dir = TempDir::new("cli-rotate");
    // The command line works on the embedded database of the data dir.
    let server = Server::start(BIN, &dir.0, ServerOptions { embedded: true, ..ServerOptions::default() }).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", serde_json::json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let data_dir = server.data_dir.to_string_lossy().into_owned();
    let out = run(&dir.0, &["keys", "rotate", "--tenant", "acme", "--alg", "RS256"], &[("CIAM_DATA_DIR", &data_dir)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Each line says what it is: the algorithm and the key now signing.
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let kid = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RS256 signing key now active: "))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_owned();
    assert!(stdout.contains("stay published until the tokens they signed expire"), "{stdout}");
    let keys = admin.get("/tenants/acme/keys", 200).await;
    let active_rs = keys.as_array().unwrap().iter().find(|k| k["alg"] == "RS256" && k["state"] == "active").unwrap();
    assert_eq!(active_rs["kid"], kid.as_str());
    let missing = run(&dir.0, &["keys", "rotate", "--tenant", "nope"], &[("CIAM_DATA_DIR", &data_dir)]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no tenant nope"));
}

#[test]
fn bad_configuration_stops_the_process_naming_the_key() {
    let dir = TempDir::new("badconf");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("CIAM_BIND", "not-an-address")], "`bind`"),
        (&[("CIAM_PUBLIC_URL", "ftp://id.example")], "`public_url`"),
        (&[("DATABASE_URL", "mysql://db/ciam")], "`database_url`"),
        (&[("DATABASE_URL", "postgres://127.0.0.1/ciam")], "`master_key`"),
        (&[("CIAM_MASTER_KEY", "not-a-key")], "`master_key`"),
        (&[("CIAM_ADMIN_TOKEN", "too-short")], "`admin_token`"),
        (&[("CIAM_LOG__FORMAT", "xml")], "log.format"),
        // A word that is not a level would silence every line, the admin token's too.
        (&[("CIAM_LOG__LEVEL", "verbose")], "`log.level` \"verbose\" is not a level"),
        // An unknown CIAM_ variable is skipped (docs/configuration.md), never masking a bad value.
        (&[("CIAM_TYPO_KEY", "1"), ("CIAM_SERVICE_HOST", "10.0.0.7"), ("CIAM_BIND", "x")], "`bind`"),
    ];
    for (env, want) in cases {
        let out = run(&dir.0, &["serve"], env);
        assert_eq!(out.status.code(), Some(1), "{env:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{env:?}: {stderr}");
        assert!(!stderr.contains("too-short") || *want != "`admin_token`", "the bad token is not echoed");
    }
    let missing = run(&dir.0, &["--config", "nope.toml", "serve"], &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.toml"));
}

#[test]
fn a_config_file_is_read_and_unknown_keys_in_it_are_errors() {
    let dir = TempDir::new("conffile");
    std::fs::write(dir.0.join("c.toml"), "bind = \"127.0.0.1:1\"\nbnid = 2\n").unwrap();
    let out = run(&dir.0, &["--config", "c.toml", "serve"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bnid"));
}

#[test]
fn help_lists_the_environment_variables() {
    let dir = TempDir::new("help");
    let out = run(&dir.0, &["--help"], &[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for var in ["CIAM_BIND", "CIAM_PUBLIC_URL", "CIAM_DATA_DIR", "DATABASE_URL", "REDIS_URL", "CIAM_LOG__LEVEL"] {
        assert!(help.contains(var), "{var}: {help}");
    }
    assert!(help.contains("docs/configuration.md"), "{help}");
}

/// `ciam openapi | head`: the reader leaves early, and the command still ends quietly.
#[test]
fn printing_into_a_closed_pipe_is_not_a_panic() {
    use std::process::Stdio;
    let dir = TempDir::new("pipe");
    let mut child = Command::new(BIN)
        .arg("openapi")
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The document is larger than a pipe's buffer, so the writer meets the closed end.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(run(&dir.0, &["openapi"], &[]).stdout.len() > 65_536, "a pipe holds 64 KiB: grow the test");
}

/// Run from a directory that is not the server's, a command that needs the database says where
/// it looked, and creates nothing there.
#[test]
fn a_command_that_finds_no_database_says_where_it_looked() {
    let dir = TempDir::new("nodb");
    for args in [&["keys", "rotate", "--tenant", "acme"][..], &["audit", "verify", "--tenant", "acme"]] {
        let out = run(&dir.0, args, &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = std::path::absolute(dir.0.join("data/ciam.db")).unwrap();
        assert!(stderr.contains(&format!("no database at {}", expected.display())), "{args:?}: {stderr}");
        assert!(stderr.contains("--data-dir") && stderr.contains("DATABASE_URL"), "{stderr}");
        assert!(!stderr.contains("code 14"), "{stderr}");
        assert!(!dir.0.join("data").exists(), "nothing is created where nothing was");
    }
}

/// An SQLite database in a directory that does not exist: the error names it (SQLite itself
/// says only "Error code 14").
#[test]
fn an_sqlite_database_in_a_missing_directory_is_named() {
    let dir = TempDir::new("sqlite-dir");
    let missing = dir.0.join("no-such-dir");
    let url = format!("sqlite://{}/ciam.db?mode=rwc", missing.display());
    for command in ["migrate", "serve"] {
        let out = run(&dir.0, &[command], &[("DATABASE_URL", &url), ("CIAM_BIND", "127.0.0.1:0")]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("the directory {} does not exist", missing.display())), "{stderr}");
        assert!(!stderr.contains("code 14"), "{stderr}");
    }
}

/// A port with nothing listening: the error comes at once (not after the pool's 5 s wait) and
/// names host, port, user and database, never the password.
#[test]
fn postgres_that_refuses_the_connection_fails_at_once_naming_where() {
    let dir = TempDir::new("pg-refused");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://ciam_app:s3cret-pw@127.0.0.1:{port}/ciam_db");
    let key = String::from_utf8_lossy(&run(&dir.0, &["generate-master-key"], &[]).stdout).trim().to_owned();
    for command in ["migrate", "serve"] {
        let started = std::time::Instant::now();
        let out = run(&dir.0, &[command], &[("DATABASE_URL", &url), ("CIAM_MASTER_KEY", &key)]);
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(took < std::time::Duration::from_secs(3), "{command} took {took:?}: {stderr}");
        for want in
            ["host 127.0.0.1", &format!("port {port}"), "user ciam_app", "database ciam_db", "connection refused"]
        {
            assert!(stderr.contains(want), "{command}: {want} in {stderr}");
        }
        assert!(!stderr.contains("s3cret-pw"), "{stderr}");
        assert!(!stderr.contains("pool timed out"), "{stderr}");
    }
}

/// A database or a role that is not there: the error says so once and gives the statements
/// that create them.
#[tokio::test]
async fn a_missing_postgres_database_or_role_says_how_to_create_it() {
    let Some(pg) = ciam_testkit::TestPostgres::create().await else { return };
    let dir = TempDir::new("pg-missing");
    let key = String::from_utf8_lossy(&run(&dir.0, &["generate-master-key"], &[]).stdout).trim().to_owned();
    let mut missing_db = url::Url::parse(&pg.url).unwrap();
    // A name no other test uses: the fresh database's own, which is unique, plus a suffix.
    let name = format!("{}_missing", missing_db.path().trim_start_matches('/'));
    missing_db.set_path(&name);
    let user = missing_db.username().to_owned();

    let out = run(&dir.0, &["migrate"], &[("DATABASE_URL", missing_db.as_str()), ("CIAM_MASTER_KEY", &key)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches(&format!("database \"{name}\" does not exist")).count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("CREATE DATABASE {name} OWNER {user};")), "{stderr}");
    assert!(stderr.contains("docs/deployment.md"), "{stderr}");
    assert!(!stderr.contains("at line"), "no driver internals: {stderr}");

    let mut missing_role = missing_db.clone();
    missing_role.set_username(&name).unwrap();
    missing_role.set_password(Some("pw")).unwrap();
    let out = run(&dir.0, &["migrate"], &[("DATABASE_URL", missing_role.as_str()), ("CIAM_MASTER_KEY", &key)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("role \"{name}\" does not exist")), "{stderr}");
    assert!(stderr.contains(&format!("CREATE ROLE {name} LOGIN")), "{stderr}");
    assert!(stderr.contains(&format!("CREATE DATABASE {name} OWNER {name};")), "{stderr}");
    drop(pg);
}

/// Bound to loopback with no public URL, the server names itself `http://localhost:PORT` (the
/// URL of the documentation, and one where browsers allow passkeys), logs its data directory as
/// an absolute path, and answers `/` with a page on how discovery URLs are formed, which lists
/// no tenant.
#[tokio::test]
async fn a_fresh_server_is_localhost_and_its_front_page_says_where_discovery_is() {
    use ciam_testkit::{Admin, Server, ServerOptions};
    let dir = TempDir::new("front");
    let opts = ServerOptions {
        embedded: true,
        env: vec![("CIAM_DATA_DIR".into(), "./relative-data".into())],
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &dir.0, opts).await;
    let base = format!("http://localhost:{}", server.addr.port());
    assert_eq!(server.public_url, base);
    let data_dir = std::path::absolute(dir.0.join("relative-data")).unwrap();
    let logs = server.logs();
    let ready = logs.lines().find(|l| l.contains("ciam ready")).unwrap();
    let ready: serde_json::Value = serde_json::from_str(ready).unwrap();
    assert_eq!(ready["data_dir"], data_dir.display().to_string(), "{ready}");

    let token = std::fs::read_to_string(data_dir.join("admin-token")).unwrap().trim().to_owned();
    Admin::new(&server, token).post("/tenants", serde_json::json!({"id": "acme", "display_name": "Acme"}), 201).await;
    let discovery: serde_json::Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(discovery["issuer"], format!("{base}/t/acme"));

    let res = server.http.get(server.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("{base}/t/<var>tenant</var>/.well-known/openid-configuration")), "{page}");
    assert!(page.contains("docs/oidc.md"), "{page}");
    assert!(!page.contains("acme"), "no tenant is listed to anyone: {page}");
    // Other paths still answer the JSON 404.
    assert_eq!(server.http.get(server.url("/nope")).send().await.unwrap().status(), 404);
}
