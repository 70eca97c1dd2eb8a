//! Configuration: one typed tree, layered as
//! built-in defaults < config file < `CIAM_*` environment (`__` nests: `CIAM_LOG__LEVEL`) <
//! `DATABASE_URL` / `REDIS_URL` < command-line flags,
//! then validated once into [`ValidatedConfig`] so a bad value stops the process at start with an
//! error naming the key. Unknown keys, in the file or as `CIAM_*` variables, are errors: a typo
//! never silently does nothing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ciam_core::id::Region;
use ciam_jose::MasterKey;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

mod admin;
mod regions;

pub use admin::{AdminConfig, AdminSettings};
pub use regions::{RegionConfig, RegionSettings};

/// The configuration as written by the operator (before validation).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: String,
    /// Public base URL; issuers are `{public_url}/t/{tenant}`. Default
    /// [`default_public_url`] of the bound address: `http://localhost:{port}` on loopback.
    pub public_url: Option<String>,
    /// Directory for the embedded database, the generated admin token and keys.
    pub data_dir: PathBuf,
    /// Durable store: `sqlite://…` or `postgres://…`. Default: `sqlite://{data_dir}/ciam.db`.
    pub database_url: Option<String>,
    /// Ephemeral store: `redis://…`. Default: in-process (single node only).
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments can share one Redis.
    pub redis_key_prefix: String,
    /// The deployment's control region: it holds the placement directory (tenant -> home
    /// region), its stores are `database_url` and `redis_url`, and new tenants live there unless
    /// they name another region.
    pub region: String,
    /// The other data-residency regions, `[regions.<name>]`, each with its own stores.
    pub regions: BTreeMap<String, RegionConfig>,
    /// The regions this node serves, comma-separated (default: every region).
    pub serve_regions: String,
    /// Bearer token for `/admin/v1`. Default: generated once into `{data_dir}/admin-token`.
    #[serde(skip_serializing)]
    pub admin_token: Option<SecretString>,
    /// File holding the admin token (for secret mounts); wins over `admin_token`.
    pub admin_token_file: Option<PathBuf>,
    /// Administrators: the control tenant, the break-glass token, their sign-in level.
    pub admin: AdminConfig,
    /// Key that seals private signing keys at rest: 32 random bytes, base64url. Every node of a
    /// deployment needs the same one. Default with SQLite: generated once into
    /// `{data_dir}/master-key`; required with Postgres.
    #[serde(skip_serializing)]
    pub master_key: Option<SecretString>,
    /// File holding the master key; wins over `master_key`.
    pub master_key_file: Option<PathBuf>,
    /// Logging.
    pub log: LogConfig,
    /// Database pool.
    pub database: DatabaseConfig,
    /// HTTP server limits.
    pub server: ServerConfig,
    /// Requests the server itself makes (client `jwks_uri` fetches).
    pub outbound: OutboundConfig,
    /// Files the risk policy reads.
    pub risk: RiskConfig,
    /// Outgoing mail (sign-in codes), delivered from the outbox.
    pub mail: MailConfig,
    /// The CAPTCHA tenants may ask for on their sign-up page (`settings.signup.captcha`).
    pub captcha: CaptchaConfig,
    /// Sign-in through upstream identity providers.
    pub federation: FederationConfig,
    /// `CIAM_*` variables that name no key: skipped, and named in a warning at start.
    #[serde(skip)]
    pub ignored_env: Vec<String>,
}

/// Files the risk policy reads at start-up.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// A MaxMind-format city database (GeoLite2-City or GeoIP2-City) for the country and
    /// impossible-travel rules. Without it those rules never fire.
    pub geoip_database: Option<PathBuf>,
    /// A list of addresses with a bad reputation: one `CIDR [score 0-100]` per line, `#` comments.
    pub ip_reputation_file: Option<PathBuf>,
}

/// How mail is sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// `file:` (the default: each message is written to `{data_dir}/mail/`, for development),
    /// `smtp://user@host:587` (STARTTLS) or `smtps://user@host:465` (TLS); `?tls=none` on an
    /// `smtp://` URL for a relay on the same host or network only. The password goes in
    /// `password` or `password_file`, never in the URL. Requests only queue mail; the outbox
    /// worker sends it, with retries.
    pub url: String,
    /// The sender address.
    pub from: String,
    /// The SMTP password.
    #[serde(skip_serializing)]
    pub password: Option<SecretString>,
    /// File holding the SMTP password; wins over `password`.
    pub password_file: Option<PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self { url: "file:".into(), from: "no-reply@localhost".into(), password: None, password_file: None }
    }
}

/// A CAPTCHA for self-service sign-up: Cloudflare Turnstile or hCaptcha, with the deployment's
/// keys. Off unless `provider` is set; each tenant turns it on with `settings.signup.captcha`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaptchaConfig {
    /// `turnstile` or `hcaptcha`; empty (the default): no CAPTCHA.
    pub provider: String,
    /// The public site key the widget shows.
    pub site_key: String,
    /// The secret key the server verifies responses with.
    #[serde(skip_serializing)]
    pub secret: Option<SecretString>,
    /// File holding the secret key; wins over `secret`.
    pub secret_file: Option<PathBuf>,
    /// The verification endpoint; default the provider's own (an `https` URL; `http` only on
    /// loopback, for tests).
    pub verify_url: Option<String>,
}

/// The CAPTCHA of a validated configuration.
#[derive(Debug, Clone)]
pub struct CaptchaSettings {
    /// The provider.
    pub provider: crate::adapters::captcha::Provider,
    /// The public site key.
    pub site_key: String,
    /// The secret key.
    pub secret: SecretString,
    /// The verification endpoint.
    pub verify_url: String,
}

impl CaptchaConfig {
    fn validate(&self) -> Result<Option<CaptchaSettings>, ConfigError> {
        if self.provider.is_empty() {
            return Ok(None);
        }
        let provider = crate::adapters::captcha::Provider::parse(&self.provider)
            .ok_or_else(|| bad("captcha.provider", "must be turnstile or hcaptcha"))?;
        if self.site_key.trim().is_empty() {
            return Err(bad("captcha.site_key", "is needed with a provider"));
        }
        let secret = secret_or_file("captcha.secret_file", &self.secret_file, self.secret.clone())?
            .ok_or_else(|| bad("captcha.secret", "is needed with a provider (or captcha.secret_file)"))?;
        let verify_url = self.verify_url.clone().unwrap_or_else(|| provider.verify_url().to_owned());
        let ok = Url::parse(&verify_url).is_ok_and(|u| {
            u.scheme() == "https"
                || (u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
        });
        if !ok {
            return Err(bad("captcha.verify_url", "must be an https URL (http only on loopback)"));
        }
        Ok(Some(CaptchaSettings { provider, site_key: self.site_key.trim().to_owned(), secret, verify_url }))
    }
}

/// Outbound HTTP settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundConfig {
    /// Allow fetching from loopback and private networks, over plain http too. Development and
    /// tests only: in production this would let anyone who registers a client make the server
    /// call internal services (SSRF).
    pub allow_private_networks: bool,
}

/// Settings of sign-in through upstream identity providers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// Seconds between two refreshes of the metadata of SAML identity providers given by
    /// `saml_metadata_url` (one node of the deployment refreshes them); 0 turns it off.
    pub saml_metadata_refresh_secs: u64,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self { saml_metadata_refresh_secs: 6 * 3600 }
    }
}

/// Logging settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (human) or `json` (one object per line).
    pub format: LogFormat,
    /// `tracing` filter directive, e.g. `info` or `info,ciam_server=debug`.
    pub level: String,
    /// The server writes its log lines in batches at most this many milliseconds apart (sooner
    /// once 32 KiB wait, at once for warnings and errors), sparing a system call per request;
    /// 0 writes each line at once. A terminal always gets each line at once.
    pub flush_ms: u64,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// JSON lines.
    Json,
}

/// Database pool settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Most connections per node.
    pub max_connections: u32,
    /// Seconds a request waits for a connection before failing with 503.
    pub acquire_timeout_secs: u64,
}

/// HTTP server settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Seconds in-flight requests get to finish after SIGTERM / Ctrl-C.
    pub shutdown_timeout_secs: u64,
    /// Seconds after which a request is answered 503 (408 while reading the body).
    pub request_timeout_secs: u64,
    /// Seconds a client gets to send a request's headers; a connection that is slower (a
    /// slowloris attack, or a dead client) is closed. Default 10.
    pub header_timeout_secs: u64,
    /// Argon2 computations allowed at once (0 = number of CPUs).
    pub password_hashing_concurrency: usize,
    /// Addresses (CIDR) of reverse proxies whose `X-Forwarded-For` is believed. The client
    /// address of a request is the right-most address not in this list; empty means the
    /// connection's peer address is the client (no header is believed).
    pub trusted_proxies: Vec<String>,
    /// The header in which the trusted proxies forward the TLS client certificate they verified
    /// (PEM, URL-encoded PEM or base64 DER), for certificate-bound tokens (RFC 8705). Unset: no
    /// certificate is read.
    pub client_certificate_header: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            redis_key_prefix: "ciam:".into(),
            region: "local".into(),
            regions: BTreeMap::new(),
            serve_regions: String::new(),
            admin_token: None,
            admin_token_file: None,
            admin: AdminConfig::default(),
            master_key: None,
            master_key_file: None,
            log: LogConfig::default(),
            database: DatabaseConfig::default(),
            server: ServerConfig::default(),
            outbound: OutboundConfig::default(),
            risk: RiskConfig::default(),
            mail: MailConfig::default(),
            captcha: CaptchaConfig::default(),
            federation: FederationConfig::default(),
            ignored_env: Vec::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: "info".into(), flush_ms: 100 }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { max_connections: 10, acquire_timeout_secs: 5 }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            shutdown_timeout_secs: 30,
            request_timeout_secs: 30,
            header_timeout_secs: 75,
            password_hashing_concurrency: 0,
            trusted_proxies: Vec::new(),
            client_certificate_header: None,
        }
    }
}

/// Values given as command-line flags; they win over every other layer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    /// `--bind`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// `--public-url`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// `--data-dir`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--database-url`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--redis-url`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
}

/// A configuration error, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

fn bad(key: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("`{key}` {why}"))
}

/// Whether a `CIAM_*` variable (without the prefix, lower case) has the shape of a service link:
/// Kubernetes sets `CIAM_SERVICE_HOST`, `CIAM_SERVICE_PORT[_NAME]`, `CIAM_PORT[_8080_TCP[_…]]` in
/// every pod of a namespace with a Service named `ciam`, and Docker links set `CIAM_PORT…`,
/// `CIAM_NAME` and `CIAM_ENV_…`. No configuration key has these names.
fn is_service_link(key: &str) -> bool {
    matches!(key, "port" | "name" | "service_host" | "service_port")
        || key.starts_with("port_")
        || key.starts_with("service_port_")
        || key.starts_with("env_")
}

/// The environment variables of the most used keys, for `ciam --help` (every key has one:
/// docs/configuration.md).
pub const ENVIRONMENT_HELP: &str = "\
Environment (every configuration key has a CIAM_ variable; nested keys use a double underscore):
  CIAM_CONFIG             configuration file (default: config/ciam.toml when present)
  CIAM_BIND               address and port to listen on (default: 127.0.0.1:8080)
  CIAM_PUBLIC_URL         public base URL (default: http://localhost:PORT when bound to loopback)
  CIAM_DATA_DIR           embedded database, admin token and master key (default: ./data)
  DATABASE_URL            durable store, sqlite://PATH or postgres://USER@HOST:PORT/DB
                          (also CIAM_DATABASE_URL; default: SQLite in the data directory)
  REDIS_URL               ephemeral store, redis://HOST:PORT (also CIAM_REDIS_URL; default: in-process)
  CIAM_ADMIN_TOKEN_FILE   file holding the admin API token (or CIAM_ADMIN_TOKEN;
                          default: generated into DATA_DIR/admin-token)
  CIAM_ADMIN__BREAK_GLASS false turns the admin token off (administrators then sign in through
                          the control tenant: docs/admin-api.md)
  CIAM_MASTER_KEY_FILE    file holding the key that seals signing keys (or CIAM_MASTER_KEY;
                          required with Postgres: `ciam generate-master-key`)
  CIAM_LOG__LEVEL         trace, debug, info, warn or error, or a filter such as info,ciam_server=debug
  CIAM_LOG__FORMAT        text or json
  CIAM_REGION             the control region, whose stores are the ones above (default: local)
  CIAM_REGIONS__<NAME>__DATABASE_URL, __REDIS_URL, __PUBLIC_URL
                          another region and its stores (docs/residency.md)
  CIAM_SERVE_REGIONS      the regions this node serves, comma-separated (default: all)
See docs/configuration.md for every key.";

/// Where the config file is looked for when `--config` / `CIAM_CONFIG` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "config/ciam.toml";

impl Config {
    /// Loads the layers. `file` is the explicit config file (must exist); without it
    /// [`DEFAULT_CONFIG_FILE`] is read when present. `env` is the process environment.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.is_file() => {
                return Err(ConfigError(format!("config file {} does not exist", path.display())));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE))
            }
            None => {}
        }
        let mut conventional = Vec::new();
        for (var, key) in [("DATABASE_URL", "database_url"), ("REDIS_URL", "redis_url")] {
            if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                conventional.push((key, v));
            }
        }
        // Unknown `CIAM_*` variables are skipped with a warning (a file's unknown keys stay
        // errors): each round finds the next one by serde's own list of fields.
        let mut unknown_env: Vec<String> = Vec::new();
        loop {
            let skipped = unknown_env.clone();
            let env_layer = Env::prefixed("CIAM_")
                .filter(move |k| {
                    let k = k.as_str().to_ascii_lowercase();
                    // CIAM_CONFIG names the file itself, not a key.
                    k != "config" && !is_service_link(&k) && !skipped.contains(&k)
                })
                .split("__");
            let mut layered = figment.clone().merge(env_layer);
            for (key, v) in &conventional {
                layered = layered.merge(Serialized::global(key, v));
            }
            layered = layered.merge(Serialized::globals(overrides));
            match layered.extract::<Config>() {
                Ok(mut config) => {
                    config.ignored_env =
                        unknown_env.iter().map(|k| format!("CIAM_{}", k.to_ascii_uppercase())).collect();
                    return Ok(config);
                }
                Err(e) => {
                    let from_env = e.metadata.as_ref().is_some_and(|m| m.name.contains("environment variable"));
                    if let (true, figment::error::Kind::UnknownField(field, _)) = (from_env, &e.kind) {
                        // The error's path ends with the unknown field (`log.levell`).
                        let mut path = e.path.clone();
                        if path.last() != Some(field) {
                            path.push(field.clone());
                        }
                        let raw = path.join("__").to_ascii_lowercase();
                        if !unknown_env.contains(&raw) && unknown_env.len() < 64 {
                            unknown_env.push(raw);
                            continue;
                        }
                    }
                    let key = e.path.join(".");
                    let source = e.metadata.as_ref().map(|m| format!(" (from {})", m.name)).unwrap_or_default();
                    return Err(if key.is_empty() {
                        ConfigError(format!("{}{source}", e.kind))
                    } else {
                        bad(&key, format!("{}{source}", e.kind))
                    });
                }
            }
        }
    }

    /// Checks every value and resolves defaults that depend on other values.
    pub fn validate(self) -> Result<ValidatedConfig, ConfigError> {
        let bind: SocketAddr =
            self.bind.parse().map_err(|_| bad("bind", "must be an address and port such as 127.0.0.1:8080"))?;
        let public_url = self.public_url.as_deref().map(parse_public_url).transpose()?;
        // Absolute from here on, so logs and errors name the directory whatever the working
        // directory of a later command.
        let data_dir = std::path::absolute(&self.data_dir)
            .map_err(|e| bad("data_dir", format!("cannot be resolved to an absolute path: {e}")))?;
        let database_url = match self.database_url {
            Some(u) => regions::check_database_url("database_url", u)?,
            None => format!("sqlite://{}?mode=rwc", data_dir.join("ciam.db").display()),
        };
        regions::check_redis_url("redis_url", self.redis_url.as_ref())?;
        let region = Region::parse(&self.region).map_err(|e| bad("region", e.message))?;
        let regions = regions::resolve(
            &region,
            &database_url,
            self.redis_url.as_ref(),
            &self.regions,
            &self.serve_regions,
            &data_dir,
        )?;
        // `[regions.<region>]` may name the control region's stores instead of the top level.
        let (database_url, redis_url) = match regions.first() {
            Some(control) => (control.database_url.clone(), control.redis_url.clone()),
            None => (database_url, self.redis_url),
        };
        let admin_token = secret_or_file("admin_token_file", &self.admin_token_file, self.admin_token)?;
        let admin = self.admin.validate()?;
        let master_key = secret_or_file("master_key_file", &self.master_key_file, self.master_key)?;
        if let Some(k) = &master_key {
            MasterKey::from_base64(k.expose_secret()).map_err(|e| bad("master_key", e))?;
        } else if !database_url.starts_with("sqlite:") {
            return Err(bad(
                "master_key",
                "is required with a shared database: every node must seal and open signing keys with the same key \
                 (generate one with `ciam generate-master-key`)",
            ));
        }
        if let Some(t) = &admin_token
            && t.expose_secret().len() < 32
        {
            return Err(bad("admin_token", "must be at least 32 characters (use a random value)"));
        }
        check_log_level(&self.log.level)?;
        let trusted_proxies = self
            .server
            .trusted_proxies
            .iter()
            .map(|p| {
                parse_net(p).ok_or_else(|| bad("server.trusted_proxies", format!("{p:?} is not an address or CIDR")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client_certificate_header = match &self.server.client_certificate_header {
            None => None,
            Some(_) if trusted_proxies.is_empty() => {
                return Err(bad(
                    "server.client_certificate_header",
                    "needs server.trusted_proxies: the header is believed only from them",
                ));
            }
            Some(h) => Some(
                axum::http::HeaderName::try_from(h.as_str())
                    .map_err(|_| bad("server.client_certificate_header", "is not a valid header name"))?,
            ),
        };
        let mail_password = secret_or_file("mail.password_file", &self.mail.password_file, self.mail.password.clone())?;
        if Url::parse(&self.mail.url).is_ok_and(|u| u.password().is_some()) {
            return Err(bad("mail.url", "must not contain the password: set mail.password or mail.password_file"));
        }
        let captcha = self.captcha.validate()?;
        let positive = |key: &str, v: u64| if v == 0 { Err(bad(key, "must be greater than 0")) } else { Ok(v) };
        Ok(ValidatedConfig {
            bind,
            public_url,
            data_dir,
            database_url,
            redis_url,
            redis_key_prefix: self.redis_key_prefix,
            region,
            regions,
            admin_token,
            admin,
            master_key,
            log: self.log,
            max_connections: u32::try_from(positive("database.max_connections", self.database.max_connections.into())?)
                .unwrap_or(10),
            acquire_timeout: Duration::from_secs(positive(
                "database.acquire_timeout_secs",
                self.database.acquire_timeout_secs,
            )?),
            shutdown_timeout: Duration::from_secs(self.server.shutdown_timeout_secs),
            header_timeout: Duration::from_secs(positive(
                "server.header_timeout_secs",
                self.server.header_timeout_secs,
            )?),
            request_timeout: Duration::from_secs(positive(
                "server.request_timeout_secs",
                self.server.request_timeout_secs,
            )?),
            allow_private_networks: self.outbound.allow_private_networks,
            trusted_proxies,
            client_certificate_header,
            risk: self.risk,
            mail: self.mail,
            mail_password,
            captcha,
            saml_metadata_refresh: match self.federation.saml_metadata_refresh_secs {
                0 => None,
                secs => Some(Duration::from_secs(secs)),
            },
            ignored_env: self.ignored_env,
            password_hashing_concurrency: match self.server.password_hashing_concurrency {
                0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
                n => n,
            },
        })
    }
}

/// A `tracing` filter that logs something: its syntax checked, and each bare word a level. A
/// bare word is a target to `tracing` (`verbose` would log only events of a target named
/// "verbose", which is none, silencing even the line that says where the admin token is), so a
/// target is written `target=level`.
fn check_log_level(level: &str) -> Result<(), ConfigError> {
    const LEVELS: &str = "use trace, debug, info, warn, error or off, or target=level such as info,ciam_server=debug";
    tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| bad("log.level", format!("is not a valid filter ({LEVELS}): {e}")))?;
    for directive in level.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains(['=', '[']) && directive.parse::<tracing::level_filters::LevelFilter>().is_err() {
            return Err(bad("log.level", format!("{directive:?} is not a level: {LEVELS}")));
        }
    }
    Ok(())
}

/// An address or a CIDR network (`10.0.0.1`, `10.0.0.0/8`, `::1`).
fn parse_net(s: &str) -> Option<ipnet::IpNet> {
    s.parse().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

/// A secret given inline or, preferably, in a file (secret mounts); the file wins.
fn secret_or_file(
    file_key: &str,
    file: &Option<PathBuf>,
    inline: Option<SecretString>,
) -> Result<Option<SecretString>, ConfigError> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| bad(file_key, format!("cannot be read: {e}")))?;
            Ok(Some(SecretString::from(text.trim().to_owned())))
        }
        None => Ok(inline),
    }
}

/// The public URL of a server given none: `http://localhost:{port}` when it listens on
/// 127.0.0.1 or ::1, so passkeys work out of the box (browsers allow WebAuthn on plain http for
/// `localhost` only, never for `127.0.0.1`) and the URLs in the documentation are the issuer;
/// `http://{address}` otherwise. Issuers stay an exact match: a server reached as
/// `http://127.0.0.1:8080` still names itself `http://localhost:8080`.
pub fn default_public_url(local: SocketAddr) -> String {
    // `localhost` resolves to these two only: a server on 127.0.0.2 is not reachable by that name.
    let ip = local.ip();
    if ip == std::net::Ipv4Addr::LOCALHOST || ip == std::net::Ipv6Addr::LOCALHOST {
        format!("http://localhost:{}", local.port())
    } else {
        format!("http://{local}")
    }
}

fn parse_public_url(s: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(s).map_err(|_| bad("public_url", "must be an absolute URL such as https://id.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad("public_url", "must be an http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("public_url", "must not have a query, fragment or user information"));
    }
    Ok(url)
}

/// The configuration after validation: every value parsed, every default resolved.
#[derive(Debug, Clone)]
pub struct ValidatedConfig {
    /// Listen address.
    pub bind: SocketAddr,
    /// Public base URL; `None` means [`default_public_url`] of the actual listen address.
    pub public_url: Option<Url>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Durable store URL.
    pub database_url: String,
    /// Redis URL, if any.
    pub redis_url: Option<String>,
    /// Redis key prefix.
    pub redis_key_prefix: String,
    /// The control region.
    pub region: Region,
    /// Every region, the control region first.
    pub regions: Vec<RegionSettings>,
    /// Admin token, if configured.
    pub admin_token: Option<SecretString>,
    /// Administrators.
    pub admin: AdminSettings,
    /// Master key, if configured (checked to be well-formed).
    pub master_key: Option<SecretString>,
    /// Logging.
    pub log: LogConfig,
    /// Database pool size.
    pub max_connections: u32,
    /// Database pool acquire timeout.
    pub acquire_timeout: Duration,
    /// Graceful shutdown budget.
    pub shutdown_timeout: Duration,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Concurrent argon2 computations.
    pub password_hashing_concurrency: usize,
    /// Whether outbound fetches may reach private networks.
    pub allow_private_networks: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header carrying the client certificate those proxies verified.
    pub client_certificate_header: Option<axum::http::HeaderName>,
    /// Files the risk policy reads.
    pub risk: RiskConfig,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// The SMTP password, read from `mail.password` or `mail.password_file`.
    pub mail_password: Option<SecretString>,
    /// The sign-up CAPTCHA, when configured.
    pub captcha: Option<CaptchaSettings>,
    /// How often SAML identity providers' metadata is fetched again from its URL (`None`: never).
    pub saml_metadata_refresh: Option<Duration>,
    /// `CIAM_*` variables that named no key and were skipped (names only, never values).
    pub ignored_env: Vec<String>,
}

impl ValidatedConfig {
    /// Checks that an SQLite database can be created where `database_url` says: its directory
    /// must exist (SQLite itself would only say "Error code 14").
    pub fn check_sqlite_directory(&self) -> Result<(), ConfigError> {
        let Some(file) = self.sqlite_file() else { return Ok(()) };
        match file.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) if !dir.is_dir() => Err(bad(
                "database_url",
                format!("names {}, but the directory {} does not exist", file.display(), dir.display()),
            )),
            _ => Ok(()),
        }
    }

    /// The file of an SQLite durable store (`None` for Postgres and in-memory SQLite).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
    }

    /// A description of the durable store that is safe to log: user, host, port and database,
    /// never the password.
    pub fn database_description(&self) -> String {
        match Url::parse(&self.database_url) {
            Ok(u) if u.scheme().starts_with("postgres") => {
                let user = if u.username().is_empty() { String::new() } else { format!("{}@", u.username()) };
                format!("postgres://{user}{}:{}{}", u.host_str().unwrap_or(""), u.port().unwrap_or(5432), u.path())
            }
            _ => self.database_url.split('?').next().unwrap_or_default().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
