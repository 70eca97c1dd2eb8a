//! Configuration layers, validation and the errors that name their key.
use std::collections::HashMap;

use super::*;

/// A test's outcome: `?` on a step that should work fails the test with the step's error.
type TestResult = Result<(), Box<dyn std::error::Error>>;

#[allow(clippy::result_large_err)] // figment's Jail API fixes the closure's error type
fn load(vars: &[(&str, &str)], overrides: &Overrides) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut out = None;
    // Jail isolates the process environment and working directory for figment's Env provider.
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        for (k, v) in vars {
            jail.set_env(k, v);
        }
        out = Some(Config::load(None, |k| map.get(k).cloned(), overrides));
        Ok(())
    });
    out.ok_or_else(|| bad("environment", "the configuration was not loaded"))?
}

/// Inside a jail: other tests' jails change the working directory, which a relative
/// `data_dir` is resolved against.
#[test]
#[allow(clippy::result_large_err)] // figment::Jail's own error type
fn defaults_give_the_embedded_setup() {
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        let c = Config::load(None, |_| None, &Overrides::default())
            .and_then(Config::validate)
            .map_err(|e| figment::Error::from(e.to_string()))?;
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        let data_dir = std::env::current_dir().map_err(|e| figment::Error::from(e.to_string()))?.join("data");
        assert_eq!(c.data_dir, data_dir, "a relative data_dir is resolved once, at start");
        assert_eq!(c.database_url, format!("sqlite://{}?mode=rwc", data_dir.join("ciam.db").display()));
        assert_eq!(c.sqlite_file(), Some(data_dir.join("ciam.db")));
        assert!(c.redis_url.is_none() && c.public_url.is_none() && c.admin_token.is_none());
        Ok(())
    });
}

#[test]
fn log_levels_and_targets_are_accepted() -> TestResult {
    for level in ["info", "WARN", "off", "debug,ciam_server=trace", "ciam_store=debug", "3"] {
        check_log_level(level).map_err(|e| format!("{level}: {e}"))?;
    }
    Ok(())
}

/// Every variable `ciam --help` names is a configuration key (or the file), never one the
/// loader would skip as unknown.
#[test]
fn the_help_names_real_environment_variables() -> TestResult {
    let vars: Vec<&str> = ENVIRONMENT_HELP
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| (w.starts_with("CIAM_") && w.len() > 5) || (w.ends_with("_URL") && w.len() > 4))
        .collect();
    assert!(vars.len() >= 12, "{vars:?}");
    for var in vars.into_iter().filter(|v| *v != "CIAM_CONFIG") {
        match load(&[(var, "x")], &Overrides::default()) {
            Ok(c) => assert!(c.ignored_env.is_empty(), "{var} is not a key: {:?}", c.ignored_env),
            Err(e) => assert!(!e.to_string().contains("unknown field"), "{var}: {e}"),
        }
    }
    Ok(())
}

#[test]
fn the_sqlite_file_of_the_database_url() -> TestResult {
    let file = |url: &str| {
        let c = load(
            &[("DATABASE_URL", url), ("CIAM_MASTER_KEY", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFA")],
            &Overrides::default(),
        );
        Ok::<_, ConfigError>(c?.validate()?.sqlite_file())
    };
    assert_eq!(file("sqlite:///var/lib/ciam/ciam.db?mode=rwc")?, Some(PathBuf::from("/var/lib/ciam/ciam.db")));
    assert_eq!(file("sqlite:rel.db")?, Some(PathBuf::from("rel.db")));
    assert_eq!(file("sqlite::memory:")?, None);
    assert_eq!(file("postgres://db/ciam")?, None);
    Ok(())
}

#[test]
fn the_default_public_url_is_localhost_on_loopback() -> TestResult {
    let url = |a: &str| a.parse().map(default_public_url);
    assert_eq!(url("127.0.0.1:8080")?, "http://localhost:8080");
    assert_eq!(url("127.0.0.2:9000")?, "http://127.0.0.2:9000", "localhost does not resolve to it");
    assert_eq!(url("[::1]:8080")?, "http://localhost:8080");
    assert_eq!(url("10.0.0.7:8080")?, "http://10.0.0.7:8080", "another host cannot reach localhost");
    assert_eq!(url("0.0.0.0:8080")?, "http://0.0.0.0:8080");
    assert_eq!(url("[2001:db8::1]:443")?, "http://[2001:db8::1]:443");
    Ok(())
}

#[test]
fn layers_env_then_conventional_urls_then_flags() -> TestResult {
    let c = load(
        &[
            ("CIAM_BIND", "0.0.0.0:9000"),
            ("CIAM_LOG__FORMAT", "json"),
            ("CIAM_DATABASE__MAX_CONNECTIONS", "3"),
            ("DATABASE_URL", "postgres://db/ciam"),
            ("CIAM_DATABASE_URL", "sqlite://x.db"),
            ("CIAM_MASTER_KEY", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFA"),
        ],
        &Overrides { redis_url: Some("redis://cache:6379".into()), ..Overrides::default() },
    )?
    .validate()?;
    assert_eq!(c.bind.port(), 9000);
    assert_eq!(c.log.format, LogFormat::Json);
    assert_eq!(c.max_connections, 3);
    assert_eq!(c.database_url, "postgres://db/ciam", "DATABASE_URL wins over CIAM_DATABASE_URL");
    assert_eq!(c.redis_url.as_deref(), Some("redis://cache:6379"));
    let flags = Overrides { bind: Some("127.0.0.1:1".into()), ..Overrides::default() };
    assert_eq!(load(&[("CIAM_BIND", "0.0.0.0:9000")], &flags)?.bind, "127.0.0.1:1");
    Ok(())
}

#[test]
fn errors_name_the_key() -> TestResult {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("CIAM_BIND", "localhost")], "`bind`"),
        (&[("CIAM_PUBLIC_URL", "ftp://x")], "`public_url`"),
        (&[("CIAM_PUBLIC_URL", "https://id.example/?q=1")], "`public_url`"),
        (&[("DATABASE_URL", "mysql://db")], "`database_url`"),
        (&[("DATABASE_URL", "postgres://db/ciam")], "`master_key`"),
        (&[("CIAM_MASTER_KEY", "not-base64-32-bytes")], "`master_key`"),
        (&[("REDIS_URL", "http://cache")], "`redis_url`"),
        (&[("CIAM_ADMIN_TOKEN", "short")], "`admin_token`"),
        (&[("CIAM_LOG__FORMAT", "xml")], "`log.format`"),
        (&[("CIAM_LOG__LEVEL", "info,[[[")], "`log.level`"),
        // A word that is not a level would silence every line (it names a target).
        (&[("CIAM_LOG__LEVEL", "verbose")], "`log.level` \"verbose\" is not a level"),
        (&[("CIAM_LOG__LEVEL", "info,chatty")], "`log.level` \"chatty\" is not a level"),
        (&[("CIAM_REGION", "EU 1")], "`region`"),
        (&[("CIAM_DATABASE__MAX_CONNECTIONS", "0")], "`database.max_connections`"),
        (&[("CIAM_SERVER__REQUEST_TIMEOUT_SECS", "soon")], "`server.request_timeout_secs`"),
        // Believed only from trusted proxies, so it needs some.
        (&[("CIAM_SERVER__CLIENT_CERTIFICATE_HEADER", "x-client-cert")], "`server.client_certificate_header`"),
        (
            &[
                ("CIAM_SERVER__TRUSTED_PROXIES", "[\"10.0.0.1\"]"),
                ("CIAM_SERVER__CLIENT_CERTIFICATE_HEADER", "bad header"),
            ],
            "`server.client_certificate_header`",
        ),
        (&[("CIAM_CAPTCHA__PROVIDER", "recaptcha")], "`captcha.provider`"),
        (&[("CIAM_CAPTCHA__PROVIDER", "turnstile")], "`captcha.site_key`"),
        (&[("CIAM_CAPTCHA__PROVIDER", "turnstile"), ("CIAM_CAPTCHA__SITE_KEY", "k")], "`captcha.secret`"),
        (
            &[
                ("CIAM_CAPTCHA__PROVIDER", "hcaptcha"),
                ("CIAM_CAPTCHA__SITE_KEY", "k"),
                ("CIAM_CAPTCHA__SECRET", "s"),
                ("CIAM_CAPTCHA__VERIFY_URL", "http://verify.example/siteverify"),
            ],
            "`captcha.verify_url`",
        ),
    ];
    for (vars, want) in cases {
        let err = load(vars, &Overrides::default())
            .and_then(Config::validate)
            .err()
            .ok_or("the configuration was accepted")?
            .to_string();
        assert!(err.contains(want), "{vars:?}: {err}");
    }
    Ok(())
}

/// Kubernetes injects service links for a Service named `ciam` into every pod of its
/// namespace (Docker links did the same): they must not stop the server.
#[test]
fn service_link_variables_are_not_configuration() -> TestResult {
    let links = [
        ("CIAM_PORT", "tcp://10.0.0.7:8080"),
        ("CIAM_PORT_8080_TCP", "tcp://10.0.0.7:8080"),
        ("CIAM_PORT_8080_TCP_PROTO", "tcp"),
        ("CIAM_PORT_8080_TCP_PORT", "8080"),
        ("CIAM_PORT_8080_TCP_ADDR", "10.0.0.7"),
        ("CIAM_SERVICE_HOST", "10.0.0.7"),
        ("CIAM_SERVICE_PORT", "8080"),
        ("CIAM_SERVICE_PORT_HTTP", "8080"),
        ("CIAM_NAME", "/web/ciam"),
        ("CIAM_ENV_LANG", "C.UTF-8"),
        ("CIAM_BIND", "0.0.0.0:9000"),
    ];
    let c = load(&links, &Overrides::default())?;
    assert_eq!(c.bind, "0.0.0.0:9000");
    assert!(c.ignored_env.is_empty(), "{:?}", c.ignored_env);
    Ok(())
}

/// An unknown `CIAM_*` variable is skipped and named (never its value) for a warning at
/// start; the known ones around it still apply.
#[test]
fn unknown_environment_variables_are_skipped_and_named() -> TestResult {
    let vars = [
        ("CIAM_BINDD", "secret-looking-value"),
        ("CIAM_LOG__LEVELL", "debug"),
        ("CIAM_LOG__FORMAT", "json"),
        ("CIAM_BIND", "0.0.0.0:9000"),
    ];
    let c = load(&vars, &Overrides::default())?.validate()?;
    assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(c.log.format, LogFormat::Json);
    let mut ignored = c.ignored_env.clone();
    ignored.sort();
    assert_eq!(ignored, ["CIAM_BINDD", "CIAM_LOG__LEVELL"]);
    assert!(!format!("{:?}", c.ignored_env).contains("secret-looking-value"));
    Ok(())
}

/// A file is written on purpose: an unknown key in it stays an error, even while the same
/// key as a variable would only be skipped.
#[test]
#[allow(clippy::result_large_err)] // figment::Jail's own error type
fn unknown_keys_in_the_file_are_still_errors() {
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("ciam.toml", "bindd = \"0.0.0.0:1\"\n")?;
        let Err(err) = Config::load(Some(Path::new("ciam.toml")), |_| None, &Overrides::default()) else {
            return Err(figment::Error::from("the file's unknown key was accepted".to_owned()));
        };
        assert!(err.to_string().contains("bindd"), "{err}");
        Ok(())
    });
}

#[test]
fn admin_token_is_never_in_debug_output() -> TestResult {
    let token = "a-very-long-admin-token-0123456789abcdef";
    let c = load(&[("CIAM_ADMIN_TOKEN", token)], &Overrides::default())?;
    assert!(!format!("{c:?}").contains(token));
    let v = c.validate()?;
    assert!(!format!("{v:?}").contains(token));
    assert_eq!(v.admin_token.ok_or("no admin token")?.expose_secret(), token);
    Ok(())
}

#[test]
fn database_description_hides_the_password() -> TestResult {
    let c = load(
        &[
            ("DATABASE_URL", "postgres://ciam:s3cret@db:5432/ciam"),
            ("CIAM_MASTER_KEY", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFA"),
        ],
        &Overrides::default(),
    )?
    .validate()?;
    assert_eq!(c.database_description(), "postgres://ciam@db:5432/ciam", "user, host, port and database");
    Ok(())
}

#[test]
fn documented_defaults_match_the_code() -> TestResult {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/default.toml");
    let documented: Config = Figment::from(Toml::file_exact(path)).extract()?;
    let code = Config::default();
    assert_eq!(
        serde_json::to_value(&documented)?,
        serde_json::to_value(&code)?,
        "config/default.toml and Config::default() disagree"
    );
    Ok(())
}

#[test]
fn a_captcha_is_configured_with_its_provider_defaults_and_its_secret_stays_hidden() -> TestResult {
    let vars = [
        ("CIAM_CAPTCHA__PROVIDER", "hcaptcha"),
        ("CIAM_CAPTCHA__SITE_KEY", " site "),
        ("CIAM_CAPTCHA__SECRET", "captcha-secret-value"),
    ];
    let config = load(&vars, &Overrides::default()).and_then(Config::validate)?;
    let captcha = config.captcha.clone().ok_or("no CAPTCHA")?;
    assert_eq!(captcha.site_key, "site");
    assert_eq!(captcha.verify_url, "https://api.hcaptcha.com/siteverify");
    assert!(!format!("{config:?}").contains("captcha-secret-value"));
    let none = load(&[], &Overrides::default()).and_then(Config::validate)?;
    assert!(none.captcha.is_none(), "no CAPTCHA unless a provider is set");
    Ok(())
}

#[test]
fn saml_metadata_is_refreshed_every_six_hours_unless_set_or_turned_off() -> TestResult {
    let default = load(&[], &Overrides::default()).and_then(Config::validate)?;
    assert_eq!(default.saml_metadata_refresh, Some(std::time::Duration::from_secs(21_600)));
    let set = load(&[("CIAM_FEDERATION__SAML_METADATA_REFRESH_SECS", "600")], &Overrides::default())
        .and_then(Config::validate)?;
    assert_eq!(set.saml_metadata_refresh, Some(std::time::Duration::from_secs(600)));
    let off = load(&[("CIAM_FEDERATION__SAML_METADATA_REFRESH_SECS", "0")], &Overrides::default())
        .and_then(Config::validate)?;
    assert_eq!(off.saml_metadata_refresh, None, "0 turns it off");
    Ok(())
}
