//! The command line: version, migrate, and configuration errors that name the key.

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
    let kid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
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
