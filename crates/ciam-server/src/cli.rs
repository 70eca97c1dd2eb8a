//! The `ciam` command line.

use std::path::PathBuf;

use anyhow::Context as _;
use ciam_core::id::TenantId;
use clap::{Parser, Subcommand};

use crate::app::{App, shutdown_signal};
use crate::config::{Config, Overrides};
use crate::telemetry::{LogOutput, LogTarget, init_tracing};

/// ciam: one identity layer for humans and AI agents.
///
/// A multi-tenant OAuth 2.0 / OpenID Connect authorization server: apps send their users here for
/// hosted sign-in, AI agents get delegated tokens to act for a user (RFC 8693 token exchange), and
/// administrators drive tenants, users, clients and agents through the management API.
///
/// Without a command it runs the server: on a SQLite file and an in-process session store by
/// default, or on PostgreSQL and Redis when `database_url` and `redis_url` name them.
#[derive(Debug, Parser)]
#[command(name = "ciam", version, after_help = crate::config::ENVIRONMENT_HELP)]
pub struct Cli {
    /// Configuration file (TOML). Default: config/ciam.toml when present.
    #[arg(long, global = true, env = "CIAM_CONFIG")]
    config: Option<PathBuf>,
    /// Address and port to listen on (config key `bind`).
    #[arg(long, global = true)]
    bind: Option<String>,
    /// Public base URL (config key `public_url`).
    #[arg(long, global = true)]
    public_url: Option<String>,
    /// Data directory (config key `data_dir`).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Durable store URL (config key `database_url`).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Redis URL (config key `redis_url`).
    #[arg(long, global = true)]
    redis_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the version.
    Version,
    /// Print the management API's OpenAPI document.
    Openapi,
    /// Manage signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print a new random master key (for `master_key` / `CIAM_MASTER_KEY`).
    GenerateMasterKey,
    /// Work with a tenant's users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Work with the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Privacy operations (docs/privacy.md).
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// Development tools: keys, client assertions, DPoP proofs and scripted sign-ins for trying
    /// the server from a shell (docs/cli.md, "Development tools").
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Print the JWK Set of the private key in FILE (PKCS#8 PEM), generating a new key into FILE
    /// first when it does not exist.
    Jwk {
        /// The private key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The algorithm of a new key: ES256, RS256 or EdDSA.
        #[arg(long, default_value = "ES256")]
        alg: String,
    },
    /// Print a `private_key_jwt` client assertion (RFC 7523) signed with the key in FILE.
    Assertion {
        /// The private key file (as written by `ciam dev jwk`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The client id (`iss` and `sub`).
        #[arg(long)]
        client_id: String,
        /// The audience: the tenant's issuer, e.g. http://localhost:8080/t/acme.
        #[arg(long)]
        audience: String,
        /// Seconds until it expires.
        #[arg(long, default_value_t = 60)]
        lifetime: i64,
    },
    /// Print a JWT of the given claims signed with the key in FILE (its `kid` in the header): a
    /// request object (RFC 9101) or any JWT a client signs.
    Jwt {
        /// The private key file (as written by `ciam dev jwk`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The `typ` header, e.g. oauth-authz-req+jwt.
        #[arg(long, default_value = "JWT")]
        typ: String,
        /// The claims, a JSON object.
        #[arg(long)]
        claims: String,
    },
    /// Print a DPoP proof (RFC 9449) for a request, signed with the key in FILE.
    Dpop {
        /// The private key file (as written by `ciam dev jwk`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The HTTP method.
        #[arg(long, default_value = "POST")]
        method: String,
        /// The URL of the request (without query).
        #[arg(long)]
        url: String,
        /// The access token sent with the proof (adds `ath`).
        #[arg(long)]
        access_token: Option<String>,
        /// The server's `DPoP-Nonce`.
        #[arg(long)]
        nonce: Option<String>,
    },
    /// Sign in on the hosted pages of a server on this machine (email and password, consent
    /// allowed) and print the URL the browser would be sent back to.
    SignIn {
        /// The authorization URL.
        url: String,
        /// The user's email.
        #[arg(long)]
        email: String,
        /// The user's password.
        #[arg(long, env = "CIAM_DEV_PASSWORD")]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Import users from another system: an NDJSON file, one user per line (docs/migration.md),
    /// sent to the server's management API (its public URL, with the admin token of this
    /// directory or CIAM_ADMIN_TOKEN). Prints each refused line and the counts; exits 1 when a
    /// line was refused. Running it again imports nobody twice.
    Import {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The NDJSON file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check a tenant's audit trail: every event's hash, every link to the previous event and the
    /// recorded head. Exits 0 when intact, 1 naming the first event that was edited, deleted or
    /// reordered.
    Verify {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
enum PrivacyCommand {
    /// Run the retention sweep now, for every tenant (servers run it every hour): erasures whose
    /// grace period is over, unverified sign-ups past `unverified_account_days`, grants ended
    /// more than `ended_grants_days` ago. Prints what went, as JSON.
    Sweep,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Rotate a tenant's signing keys: the published next key starts signing, the active one is
    /// retired but stays published until its tokens expire.
    Rotate {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Only this algorithm (ES256 or RS256); default both.
        #[arg(long)]
        alg: Option<String>,
    },
    /// Rotate now, in every tenant with a schedule (`settings.keys.rotate_every_days`), the keys
    /// that are due (servers do this every hour). Prints how many keys started signing.
    RotateDue,
}

/// `config` with tracing to stderr, binding no port the deployment uses: for a command that
/// works on the deployment's stores with the whole application.
fn off_port(mut config: crate::config::ValidatedConfig) -> crate::config::ValidatedConfig {
    init_tracing(&config.log, LogTarget::Stderr);
    config.bind = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config
}

/// Parses the command line and runs the command.
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let overrides = Overrides {
        bind: cli.bind,
        public_url: cli.public_url,
        data_dir: cli.data_dir,
        database_url: cli.database_url,
        redis_url: cli.redis_url,
    };
    let load = || -> anyhow::Result<_> {
        Ok(Config::load(cli.config.as_deref(), |k| std::env::var(k).ok(), &overrides)?.validate()?)
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Version => print_out(&format!("ciam {}", env!("CARGO_PKG_VERSION")))?,
        Command::Openapi => print_out(&crate::admin::openapi_json())?,
        Command::Migrate => {
            let config = load()?;
            init_tracing(&config.log, LogTarget::Stderr);
            std::fs::create_dir_all(&config.data_dir).context("cannot create data_dir")?;
            config.check_sqlite_directory()?;
            crate::app::open_regions(&config)
                .await
                .with_context(|| format!("migrating {}", config.database_description()))?;
            tracing::info!(database = %config.database_description(), regions = config.regions.len(), "migrations applied");
        }
        Command::GenerateMasterKey => print_out(&ciam_jose::MasterKey::generate_base64())?,
        Command::Keys { command: KeysCommand::Rotate { tenant, alg } } => {
            let config = load()?;
            init_tracing(&config.log, LogTarget::Stderr);
            let tenant = TenantId::parse(&tenant).map_err(|e| anyhow::anyhow!("--tenant: {}", e.message))?;
            let algs = match alg.as_deref() {
                None => ciam_jose::keyring::TENANT_ALGS.to_vec(),
                Some(a) => vec![
                    ciam_jose::Alg::parse(a)
                        .filter(|a| ciam_jose::keyring::TENANT_ALGS.contains(a))
                        .ok_or_else(|| anyhow::anyhow!("--alg must be ES256 or RS256"))?,
                ],
            };
            let store = open_existing(&config, 2).await?;
            store.get_tenant(&tenant).await?.ok_or_else(|| anyhow::anyhow!("no tenant {tenant}"))?;
            let keyring = ciam_jose::Keyring::new(store.clone(), std::sync::Arc::new(crate::app::master_key(&config)?));
            let now = ciam_core::Clock::now(&ciam_core::SystemClock);
            let activated = keyring.rotate(&tenant, &algs, now).await?;
            let keys = store.list_keys(&tenant).await?;
            let mut lines = Vec::new();
            for kid in &activated {
                let alg = keys.iter().find(|k| &k.kid == kid).map_or("", |k| k.alg.as_str());
                lines.push(format!("{alg} signing key now active: {kid}"));
            }
            if !lines.is_empty() {
                lines.push("The keys they replace stay published until the tokens they signed expire.".to_owned());
            }
            print_out(&lines.join("\n"))?;
        }
        Command::Dev { command } => print_out(&dev(command).await?)?,
        Command::Users { command: UsersCommand::Import { tenant, file } } => {
            let config = load()?;
            init_tracing(&config.log, LogTarget::Stderr);
            let base = config
                .public_url
                .clone()
                .map_or_else(|| url::Url::parse(&crate::config::default_public_url(config.bind)), Ok)?;
            let token = match &config.admin_token {
                Some(t) => secrecy::ExposeSecret::expose_secret(t).to_owned(),
                None => std::fs::read_to_string(config.data_dir.join("admin-token"))
                    .map(|t| t.trim().to_owned())
                    .with_context(|| {
                        format!("no admin token: set CIAM_ADMIN_TOKEN, or run where {} is", config.data_dir.display())
                    })?,
            };
            let counts = crate::import::run(&base, &token, &tenant, &file).await?;
            print_out(&format!(
                "{} users created, {} already there, {} lines refused",
                counts.created, counts.existing, counts.refused
            ))?;
            if counts.refused > 0 {
                std::process::exit(1);
            }
        }
        Command::Privacy { command: PrivacyCommand::Sweep } => {
            let app = App::build(off_port(load()?)).await?;
            print_out(&crate::app::retention_sweep(app.state()).await?)?;
        }
        Command::Keys { command: KeysCommand::RotateDue } => {
            let app = App::build(off_port(load()?)).await?;
            let rotated = crate::app::rotate_due_keys(app.state()).await?;
            print_out(&format!("{rotated} signing key(s) now active"))?;
        }
        Command::Audit { command: AuditCommand::Verify { tenant } } => {
            let config = load()?;
            init_tracing(&config.log, LogTarget::Stderr);
            let tenant = TenantId::parse(&tenant).map_err(|e| anyhow::anyhow!("--tenant: {}", e.message))?;
            let store = open_existing(&config, 1).await?;
            store.get_tenant(&tenant).await?.ok_or_else(|| anyhow::anyhow!("no tenant {tenant}"))?;
            match crate::audit::verify_chain(store.as_ref(), &tenant).await? {
                Ok(n) => print_out(&format!("audit trail of {tenant} is intact: {n} events"))?,
                Err(e) => {
                    print_out(&format!("audit trail of {tenant} is NOT intact: {e}"))?;
                    std::process::exit(1);
                }
            }
        }
        Command::Serve => {
            let config = load()?;
            let batched = init_tracing(&config.log, LogTarget::Stdout);
            for name in &config.ignored_env {
                tracing::warn!(variable = %name, "ignored: this CIAM_ environment variable names no configuration key");
            }
            let flushing = batched.as_ref().map(LogOutput::flush_periodically);
            let served = async { App::build(config).await?.run(shutdown_signal()).await }.await;
            flushing.inspect(tokio::task::JoinHandle::abort);
            crate::telemetry::flush_logs();
            served?;
        }
    }
    Ok(())
}

/// Runs a development tool; returns what it prints.
async fn dev(command: DevCommand) -> anyhow::Result<String> {
    use crate::dev;
    let now = || ciam_core::Clock::now(&ciam_core::SystemClock).unix_timestamp();
    Ok(match command {
        DevCommand::Jwk { key, alg } => {
            let alg =
                ciam_jose::Alg::parse(&alg).ok_or_else(|| anyhow::anyhow!("--alg must be ES256, RS256 or EdDSA"))?;
            dev::jwk_set(&dev::load_or_create_key(&key, alg, true)?).to_string()
        }
        DevCommand::Assertion { key, client_id, audience, lifetime } => {
            let key = dev::load_or_create_key(&key, ciam_jose::Alg::ES256, false)?;
            dev::assertion(&key, &client_id, &audience, now(), lifetime)?
        }
        DevCommand::Jwt { key, typ, claims } => {
            let key = dev::load_or_create_key(&key, ciam_jose::Alg::ES256, false)?;
            dev::jwt(&key, &typ, &claims)?
        }
        DevCommand::Dpop { key, method, url, access_token, nonce } => {
            let key = dev::load_or_create_key(&key, ciam_jose::Alg::ES256, false)?;
            dev::dpop_proof(&key, &method, &url, access_token.as_deref(), nonce.as_deref(), now())?
        }
        DevCommand::SignIn { url, email, password } => dev::sign_in(&url, &email, &password).await?,
    })
}

/// Prints a line to standard output. A reader that went away (`ciam openapi | head`) is not an
/// error: the command did its job for as long as anyone read.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(anyhow::Error::new(e).context("writing to stdout")),
        _ => Ok(()),
    }
}

/// The durable store of a command that works on an existing deployment (`keys`, `audit`):
/// an embedded database must already exist, since creating an empty one here would only fail
/// later with "no tenant" (or, in a directory without `data/`, SQLite's "Error code 14").
async fn open_existing(
    config: &crate::config::ValidatedConfig,
    max_connections: u32,
) -> anyhow::Result<std::sync::Arc<dyn ciam_core::store::DurableStore>> {
    if let Some(file) = config.sqlite_file()
        && !file.is_file()
    {
        anyhow::bail!(
            "no database at {}: run this command where the server runs, or name its data directory \
             (--data-dir or CIAM_DATA_DIR) or its database (DATABASE_URL)",
            file.display()
        );
    }
    let config = crate::config::ValidatedConfig { max_connections, ..config.clone() };
    let regions = crate::app::open_regions(&config)
        .await
        .with_context(|| format!("opening {}", config.database_description()))?;
    Ok(regions.durable.clone())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn help_opens_with_what_the_product_is() {
        let help = Cli::command().render_help().to_string();
        assert!(help.starts_with("ciam: one identity layer for humans and AI agents"), "{help}");
        assert!(!help.contains("HTTP layer"), "{help}");
        let long = Cli::command().render_long_help().to_string();
        assert!(long.contains("RFC 8693 token exchange"), "{long}");
        assert!(long.contains("Serve") || long.contains("serve"), "{long}");
        for var in ["CIAM_BIND", "CIAM_PUBLIC_URL", "CIAM_DATA_DIR", "DATABASE_URL", "REDIS_URL", "CIAM_LOG__LEVEL"] {
            assert!(help.contains(var), "{var} in {help}");
        }
    }
}
