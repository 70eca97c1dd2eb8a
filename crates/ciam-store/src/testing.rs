//! Service fixtures for tests: a fresh Postgres database and a private Redis key prefix per
//! test, both removed on drop (also when the test panics).
//!
//! Outside CI a missing service prints a visible "skipped" line and the test returns early;
//! with `CI=true` a missing service fails the test, so CI can never pass silently without it.

#![allow(clippy::expect_used, clippy::panic)] // test fixtures: failing loudly is the point

use std::fmt::Display;

use sqlx::Connection as _;

/// Postgres server used by tests (a database on it is created per test).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Redis server used by tests (a key prefix on it is chosen per test).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Whether this run must not skip service-backed suites (`CI=true`).
pub fn services_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports an unavailable service: panics under CI, prints a skip notice otherwise.
pub fn skip_or_fail(service: &str, why: impl Display) {
    assert!(!services_required(), "{service} is required under CI=true but unavailable: {why}");
    eprintln!("skipped: {service} unavailable ({why}); set CI=true to make this a failure");
}

/// A fresh, uniquely named Postgres database, dropped on drop.
#[derive(Debug)]
pub struct TestPostgres {
    /// Connection URL of the fresh database.
    pub url: String,
    name: String,
    admin_url: String,
}

impl TestPostgres {
    /// Creates `ciam_test_<uuid>`; `None` (after a skip notice) when Postgres is unreachable.
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                skip_or_fail("PostgreSQL", e);
                return None;
            }
        };
        let name = format!("ciam_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
        Some(Self { url: format!("{base}/{name}"), name, admin_url })
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any async context we could borrow; use a private runtime on a
        // private thread. `with (force)` ends connections a pool may still hold.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!("drop database if exists {name} with (force)");
                    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                }
            });
        })
        .join();
    }
}

/// A private key prefix on the test Redis; its keys are deleted on drop.
#[derive(Debug)]
pub struct TestRedis {
    /// Redis URL.
    pub url: String,
    /// Prefix of every key this test may create.
    pub prefix: String,
}

impl TestRedis {
    /// A fresh prefix; `None` (after a skip notice) when Redis is unreachable.
    pub async fn create() -> Option<Self> {
        let url = redis_url();
        let reachable = async {
            let client = redis::Client::open(url.as_str())?;
            let mut conn = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(std::time::Duration::from_secs(3), reachable).await {
            Ok(Ok(_)) => Some(Self { url, prefix: format!("ciam_test_{}:", uuid::Uuid::now_v7().simple()) }),
            Ok(Err(e)) => {
                skip_or_fail("Redis", e);
                None
            }
            Err(_) => {
                skip_or_fail("Redis", "connection timed out");
                None
            }
        }
    }

    /// Keys under this prefix that exist now.
    pub fn keys(&self) -> Vec<String> {
        let Ok(mut conn) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection()) else {
            return Vec::new();
        };
        redis::cmd("KEYS").arg(format!("{}*", self.prefix)).query(&mut conn).unwrap_or_default()
    }

    /// Deletes every key under this prefix, as a flushed (or replaced) Redis loses them.
    pub fn flush(&self) {
        let keys = self.keys();
        if keys.is_empty() {
            return;
        }
        if let Ok(mut conn) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection()) {
            let _ = redis::cmd("DEL").arg(keys).query::<u64>(&mut conn);
        }
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Runs one statement (`$1`, `$2` … bound to `args`) directly on the database at `database_url`,
/// as an operator or an attacker with database access would, and returns the rows it changed.
pub async fn execute_sql(database_url: &str, sql: &'static str, args: &[&str]) -> u64 {
    if database_url.starts_with("sqlite:") {
        let path = crate::sql::lite::path_of(database_url).expect("a database file");
        let mut conn = rusqlite::Connection::open(path).expect("open the database");
        conn.busy_timeout(std::time::Duration::from_secs(5)).expect("busy timeout");
        let query = args.iter().fold(crate::sql::lite::query(sql), |q, a| q.bind(*a));
        query.execute(&mut conn).await.expect("the statement runs").rows_affected()
    } else {
        let mut conn = sqlx::PgConnection::connect(database_url).await.expect("connect");
        let query = args.iter().fold(sqlx::query(sql), |q, a| q.bind(*a));
        query.execute(&mut conn).await.expect("the statement runs").rows_affected()
    }
}
