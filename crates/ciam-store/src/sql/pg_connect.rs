//! Connecting to PostgreSQL with errors an operator can act on: each names the host, port, user
//! and database (never the password) and says what to do, and a refused connection fails at
//! once instead of after the pool's acquire timeout.

use std::fmt;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// Where the connections go, without the password.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    host: String,
    port: u16,
    user: String,
    database: String,
}

impl Target {
    pub(crate) fn of(options: &PgConnectOptions) -> Self {
        let host = options.get_socket().map_or_else(|| options.get_host().to_owned(), |s| s.display().to_string());
        let user = options.get_username().to_owned();
        // Postgres' own default: the database named like the user.
        let database = options.get_database().unwrap_or(&user).to_owned();
        Self { host, port: options.get_port(), user, database }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host {}, port {}, user {}, database {}", self.host, self.port, self.user, self.database)
    }
}

/// A connection or migration that failed, explained. Carries no source: the driver's message
/// is in `reason` once (its error chain repeats it), and the URL with its password never is.
#[derive(Debug, thiserror::Error)]
#[error("PostgreSQL ({target}): {reason}")]
pub struct PgConnectError {
    target: String,
    reason: String,
}

impl PgConnectError {
    fn new(target: &Target, reason: String) -> Self {
        Self { target: target.to_string(), reason }
    }
}

/// Opens one connection, within `timeout`, to check that the database is there and reachable
/// before a pool starts waiting for it.
pub(crate) async fn check(options: &PgConnectOptions, timeout: Duration) -> Result<(), PgConnectError> {
    let target = Target::of(options);
    match tokio::time::timeout(timeout, PgConnection::connect_with(options)).await {
        Err(_) => Err(PgConnectError::new(
            &target,
            format!("no answer within {} s: check the host and port, and any firewall between", timeout.as_secs()),
        )),
        Ok(Err(e)) => Err(explain(&target, &e)),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
    }
}

/// A migration that failed: a missing privilege says which.
pub(crate) fn explain_migration(target: &Target, e: &MigrateError) -> PgConnectError {
    match e {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => explain(target, e),
        other => PgConnectError::new(target, format!("migrations failed: {other}")),
    }
}

/// The driver's error, said as what to do about it.
pub(crate) fn explain(t: &Target, e: &sqlx::Error) -> PgConnectError {
    let Target { host, port, user, database } = t;
    let superuser = format!("as a superuser (e.g. `psql -h {host} -p {port} -U postgres`)");
    let create_database = format!("`CREATE DATABASE {database} OWNER {user};`");
    let reason = match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "connection refused: no PostgreSQL listens on {host} port {port}; start it, or correct the host and port \
             in DATABASE_URL"
        ),
        sqlx::Error::Io(io) => format!("cannot connect: {io}; check the host and port in DATABASE_URL"),
        sqlx::Error::Tls(tls) => format!("TLS failed: {tls}; check sslmode in DATABASE_URL"),
        sqlx::Error::PoolTimedOut => "no connection became free in time".to_owned(),
        sqlx::Error::Database(db) => {
            let message = db.message();
            match db.code().as_deref() {
                // invalid_catalog_name
                Some("3D000") => format!(
                    "database \"{database}\" does not exist. Create it, owned by the user ciam connects as, \
                     {superuser}: {create_database} (docs/deployment.md lists the privileges ciam needs)"
                ),
                // invalid_authorization_specification: an unknown role, or no pg_hba.conf entry
                Some("28000") if message.contains("does not exist") => format!(
                    "{message}. Create it and a database it owns, {superuser}: `CREATE ROLE {user} LOGIN PASSWORD \
                     '…';` then {create_database} (docs/deployment.md)"
                ),
                Some("28000") => {
                    format!("{message}: the server's pg_hba.conf does not let this user connect from here")
                }
                // invalid_password
                Some("28P01") => format!("{message}: check the password in DATABASE_URL"),
                // insufficient_privilege
                Some("42501") => format!(
                    "{message}: user {user} lacks a privilege ciam needs; make it the owner of the database \
                     (`ALTER DATABASE {database} OWNER TO {user};`), or grant what docs/deployment.md lists"
                ),
                _ => message.to_owned(),
            }
        }
        other => other.to_string(),
    };
    PgConnectError::new(t, reason)
}
