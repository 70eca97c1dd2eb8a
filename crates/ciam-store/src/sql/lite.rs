//! SQLite driven in-process, on the calling thread.
//!
//! The store's SQL runs on SQLite through the same calls it makes on Postgres through sqlx
//! (`query(..).bind(..).execute(..)`, `query_as`, `query_scalar`, `QueryBuilder`, transactions),
//! so one set of method bodies serves both dialects. What differs is where the work happens: a
//! statement on this file is a few microseconds of CPU, less than handing it to a worker thread
//! and waking the caller again, so it runs right where it is awaited.
//!
//! - Reads take an idle read-only connection (opening one when none is idle), run, and give it
//!   back. In WAL mode readers never wait for the writer.
//! - Writes go through the one write connection behind an async mutex; a transaction holds it from
//!   `BEGIN IMMEDIATE` to `COMMIT` (or to the rollback when it is dropped). SQLite allows one
//!   writer at a time, so writers queue here instead of sleeping in SQLite's busy handler.
//! - With `synchronous = NORMAL` a commit only appends to the WAL; the fsync-heavy checkpoint is
//!   taken off the request path and run every [`CHECKPOINT_EVERY`] on the blocking pool.
//! - Placeholders are `$N`, as on Postgres: the N-th bound value, wherever and however often
//!   `$N` appears.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use rusqlite::types::{FromSql, ToSqlOutput, Value};
use rusqlite::{Connection, OpenFlags, Row, ToSql};
use tokio::sync::OwnedMutexGuard;

pub(crate) use rusqlite::Error;

/// How often committed pages are copied from the WAL back into the database file.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Prepared statements kept per connection (the audit trail's multi-row inserts come in many
/// sizes).
const STATEMENT_CACHE: usize = 256;

/// What a write changed.
pub(crate) struct Done(usize);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        u64::try_from(self.0).unwrap_or(u64::MAX)
    }
}

/// A statement and its arguments.
pub(crate) struct Query {
    sql: Cow<'static, str>,
    args: Vec<Value>,
    /// The first argument that could not be converted; reported when the statement runs.
    bad: Option<String>,
    /// Whether `$1`, `$2` … appear once each, in order (built statements), so that parameter i
    /// is `$i` without asking SQLite for names (a linear search per name).
    in_order: bool,
}

pub(crate) fn query(sql: &'static str) -> Query {
    Query { sql: Cow::Borrowed(sql), args: Vec::new(), bad: None, in_order: false }
}

impl Query {
    pub(crate) fn bind<T: ToSql>(mut self, value: T) -> Self {
        self.push(value);
        self
    }

    fn push<T: ToSql>(&mut self, value: T) {
        match value.to_sql() {
            Ok(ToSqlOutput::Borrowed(v)) => match Value::try_from(v) {
                Ok(v) => self.args.push(v),
                Err(e) => self.fail(e.to_string()),
            },
            Ok(ToSqlOutput::Owned(v)) => self.args.push(v),
            Ok(_) => self.fail("unsupported argument".into()),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn fail(&mut self, why: String) {
        self.args.push(Value::Null);
        self.bad.get_or_insert(why);
    }

    pub(crate) async fn execute(self, on: impl Exec) -> Result<Done, Error> {
        on.with(move |c| {
            let mut statement = self.prepare(c)?;
            if statement.column_count() == 0 {
                return Ok(Done(statement.raw_execute()?));
            }
            // A statement that returns rows (as sqlx allows here): run it to the end.
            let mut rows = statement.raw_query();
            while rows.next()?.is_some() {}
            Ok(Done(0))
        })
        .await
    }

    /// The statement, prepared (or taken from the connection's cache) with every `$N` bound.
    fn prepare<'c>(&self, c: &'c Connection) -> Result<rusqlite::CachedStatement<'c>, Error> {
        if let Some(bad) = &self.bad {
            return Err(Error::ToSqlConversionFailure(bad.clone().into()));
        }
        let mut statement = c.prepare_cached(&self.sql)?;
        for i in 1..=statement.parameter_count() {
            let named = || statement.parameter_name(i)?.strip_prefix('$')?.parse::<usize>().ok();
            let n = if self.in_order { i } else { named().unwrap_or(i) };
            let value = n
                .checked_sub(1)
                .and_then(|n| self.args.get(n))
                .ok_or(Error::InvalidParameterCount(n, self.args.len()))?;
            statement.raw_bind_parameter(i, value)?;
        }
        Ok(statement)
    }
}

/// A statement whose rows are read as `R`.
pub(crate) struct QueryAs<R> {
    query: Query,
    row: PhantomData<fn() -> R>,
}

pub(crate) fn query_as<R: FromLite>(sql: &'static str) -> QueryAs<R> {
    QueryAs { query: query(sql), row: PhantomData }
}

/// As [`query_as`]: a single value is a row of one column here.
pub(crate) fn query_scalar<R: FromLite>(sql: &'static str) -> QueryAs<R> {
    query_as(sql)
}

impl<R: FromLite> QueryAs<R> {
    pub(crate) fn bind<T: ToSql>(mut self, value: T) -> Self {
        self.query.push(value);
        self
    }

    pub(crate) async fn fetch_all(self, on: impl Exec) -> Result<Vec<R>, Error> {
        on.with(move |c| {
            let mut statement = self.query.prepare(c)?;
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(R::from_row(row)?);
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn fetch_optional(self, on: impl Exec) -> Result<Option<R>, Error> {
        on.with(move |c| {
            let mut statement = self.query.prepare(c)?;
            let mut rows = statement.raw_query();
            rows.next()?.map(R::from_row).transpose()
        })
        .await
    }

    pub(crate) async fn fetch_one(self, on: impl Exec) -> Result<R, Error> {
        self.fetch_optional(on).await?.ok_or(Error::QueryReturnedNoRows)
    }
}

/// A row read into a value.
pub(crate) trait FromLite: Sized + Send {
    fn from_row(row: &Row<'_>) -> Result<Self, Error>;
}

macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl FromLite for $t {
            fn from_row(row: &Row<'_>) -> Result<Self, Error> {
                row.get(0)
            }
        }
    )*};
}

scalar!(String, i64, i32, bool, Option<String>, Option<i64>, Vec<u8>);

macro_rules! tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: FromSql + Send),*> FromLite for ($($t,)*) {
            fn from_row(row: &Row<'_>) -> Result<Self, Error> {
                Ok(($(row.get($i)?,)*))
            }
        }
    };
}

tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);

/// A multi-row statement built at run time, as sqlx's `QueryBuilder`.
pub(crate) struct QueryBuilder {
    query: Query,
}

/// One row's values in a [`QueryBuilder`].
pub(crate) struct Separated<'a> {
    query: &'a mut Query,
    first: bool,
}

impl QueryBuilder {
    pub(crate) fn new(sql: &'static str) -> Self {
        Self { query: Query { sql: Cow::Owned(sql.to_owned()), args: Vec::new(), bad: None, in_order: true } }
    }

    /// Appends `VALUES (..), (..)`, one tuple per item.
    pub(crate) fn push_values<I, F>(&mut self, items: I, mut push: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Separated<'_>, I::Item),
    {
        self.query.sql.to_mut().push_str(" VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.query.sql.to_mut().push_str(if i == 0 { "(" } else { ", (" });
            push(Separated { query: &mut self.query, first: true }, item);
            self.query.sql.to_mut().push(')');
        }
        self
    }

    pub(crate) fn build(self) -> Query {
        self.query
    }
}

impl Separated<'_> {
    pub(crate) fn push_bind<T: ToSql>(&mut self, value: T) -> &mut Self {
        self.query.push(value);
        let sql = self.query.sql.to_mut();
        if !std::mem::take(&mut self.first) {
            sql.push_str(", ");
        }
        sql.push('$');
        sql.push_str(&self.query.args.len().to_string());
        self
    }
}

/// Where a statement runs: the read connections, the writer, or an open transaction.
pub(crate) trait Exec: Send {
    fn with<T: Send>(
        self,
        f: impl FnOnce(&Connection) -> Result<T, Error> + Send,
    ) -> impl Future<Output = Result<T, Error>> + Send;
}

/// The one write connection; a write waits for it at most `wait`.
#[derive(Clone)]
pub(crate) struct Writer {
    conn: Arc<tokio::sync::Mutex<Connection>>,
    wait: Duration,
}

impl Writer {
    async fn lock(&self) -> Result<OwnedMutexGuard<Connection>, Error> {
        tokio::time::timeout(self.wait, Arc::clone(&self.conn).lock_owned()).await.map_err(|_| {
            Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some("timed out waiting for the write connection".into()),
            )
        })
    }

    /// Begins a write transaction, taking SQLite's write lock up front (`BEGIN IMMEDIATE`).
    pub(crate) async fn begin(&self) -> Result<WriteTx, Error> {
        let conn = self.lock().await?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(WriteTx { conn, open: true })
    }
}

impl Exec for &Writer {
    async fn with<T: Send>(self, f: impl FnOnce(&Connection) -> Result<T, Error> + Send) -> Result<T, Error> {
        let conn = self.lock().await?;
        f(&conn)
    }
}

/// A write transaction (the name the shared method bodies use on both dialects).
pub(crate) type Tx = WriteTx;

/// An open write transaction; dropped without [`WriteTx::commit`], it rolls back.
pub(crate) struct WriteTx {
    conn: OwnedMutexGuard<Connection>,
    open: bool,
}

impl WriteTx {
    pub(crate) async fn commit(mut self) -> Result<(), Error> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if self.open {
            // Fails only if there is nothing to roll back.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Deref for WriteTx {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Exec for &mut Connection {
    async fn with<T: Send>(self, f: impl FnOnce(&Connection) -> Result<T, Error> + Send) -> Result<T, Error> {
        f(self)
    }
}

/// The read side: read-only connections to the file, or, for an in-memory database (which only
/// one connection can see), the writer itself.
#[derive(Clone)]
pub(crate) enum Readers {
    File(Arc<FileReaders>),
    Writer(Writer),
}

/// Idle read-only connections to one file; at most `keep` are kept.
pub(crate) struct FileReaders {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl FileReaders {
    fn run<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.keep {
            idle.push(conn);
        }
        out
    }
}

impl Exec for &Readers {
    async fn with<T: Send>(self, f: impl FnOnce(&Connection) -> Result<T, Error> + Send) -> Result<T, Error> {
        match self {
            Readers::File(readers) => readers.run(f),
            Readers::Writer(writer) => writer.with(f).await,
        }
    }
}

fn open(path: &Path, access: OpenFlags) -> Result<Connection, Error> {
    let conn = Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // Only another process (the CLI beside a running server) can hold the write lock.
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Where the database lives, from a `sqlite:` URL: `sqlite://path/to/file.db[?mode=rwc]`,
/// `sqlite:file.db` or `sqlite::memory:`. `None` is an in-memory database.
pub(crate) fn path_of(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (path != ":memory:" && !path.is_empty() && !url.contains("mode=memory")).then(|| PathBuf::from(path))
}

/// Opens the writer (creating the file if missing) and the read side. A write waits at most
/// `wait` for the writer; at most `keep_readers` idle read connections are kept.
pub(crate) fn connect(path: Option<&Path>, keep_readers: usize, wait: Duration) -> Result<(Writer, Readers), Error> {
    let conn = match path {
        Some(path) => open(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?,
        None => {
            let conn = Connection::open_in_memory()?;
            conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            conn
        }
    };
    conn.execute_batch(
        "pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma secure_delete = on; \
         pragma wal_autocheckpoint = 0;",
    )?;
    let writer = Writer { conn: Arc::new(tokio::sync::Mutex::new(conn)), wait };
    let readers = match path {
        Some(path) => Readers::File(Arc::new(FileReaders {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            keep: keep_readers,
        })),
        None => Readers::Writer(writer.clone()),
    };
    Ok((writer, readers))
}

/// Copies committed pages from the WAL into the database file every [`CHECKPOINT_EVERY`], on the
/// blocking pool, until the store is dropped. `PASSIVE` never waits for readers or the writer.
pub(crate) fn spawn_checkpoints(path: PathBuf, writer: &Writer) {
    let alive: Weak<tokio::sync::Mutex<Connection>> = Arc::downgrade(&writer.conn);
    tokio::spawn(async move {
        let mut conn: Option<Connection> = None;
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 {
                return;
            }
            let path = path.clone();
            let kept = conn.take();
            let run = tokio::task::spawn_blocking(move || {
                let c = match kept {
                    Some(c) => c,
                    None => open(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?,
                };
                c.execute_batch("pragma wal_checkpoint(passive)")?;
                Ok::<_, Error>(c)
            });
            match run.await {
                Ok(Ok(c)) => conn = Some(c),
                Ok(Err(e)) => tracing::warn!(error = %e, "sqlite checkpoint failed"),
                Err(_) => return,
            }
        }
    });
}

/// Applies the embedded migrations not yet applied, recording them in sqlx's own table
/// (`_sqlx_migrations`) so databases migrated by either stay interchangeable. A migration whose
/// file changed after it was applied, or that failed half-way, stops the start.
pub(crate) async fn migrate(writer: &Writer, migrator: &sqlx::migrate::Migrator) -> Result<(), String> {
    let mut conn = writer.lock().await.map_err(|e| e.to_string())?;
    let conn: &mut Connection = &mut conn;
    let err = |e: Error| e.to_string();
    conn.execute_batch(
        "create table if not exists _sqlx_migrations (version bigint primary key, description text not null, \
         installed_on timestamp not null default current_timestamp, success boolean not null, \
         checksum blob not null, execution_time bigint not null)",
    )
    .map_err(err)?;
    let applied: Vec<(i64, Vec<u8>, bool)> = {
        let mut st = conn.prepare("select version, checksum, success from _sqlx_migrations").map_err(err)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)?
    };
    for m in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
        match applied.iter().find(|(v, _, _)| *v == m.version) {
            Some((_, _, false)) => return Err(format!("migration {} is partially applied", m.version)),
            Some((_, checksum, true)) if checksum.as_slice() != &*m.checksum => {
                return Err(format!("migration {} was changed after it was applied", m.version));
            }
            Some(_) => continue,
            None => {}
        }
        let started = Instant::now();
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(m.sql.as_str()).map_err(err)?;
        tx.execute(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
             values (?1, ?2, true, ?3, ?4)",
            rusqlite::params![
                m.version,
                &*m.description,
                &*m.checksum,
                i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_db() -> (TempDir, PathBuf) {
        let dir = std::env::temp_dir().join(format!("ciam-lite-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        (TempDir(dir), path)
    }

    #[test]
    fn urls_name_a_file_or_memory() {
        assert_eq!(path_of("sqlite://./data/ciam.db?mode=rwc"), Some(PathBuf::from("./data/ciam.db")));
        assert_eq!(path_of("sqlite:///var/lib/ciam/ciam.db"), Some(PathBuf::from("/var/lib/ciam/ciam.db")));
        assert_eq!(path_of("sqlite:ciam.db"), Some(PathBuf::from("ciam.db")));
        assert_eq!(path_of("sqlite::memory:"), None);
        assert_eq!(path_of("sqlite://shared?mode=memory"), None);
    }

    /// `$N` is the N-th bound value wherever it appears, as on Postgres: out of order, repeated.
    #[tokio::test]
    async fn placeholders_are_numbered_like_postgres() {
        let (writer, _) = connect(None, 1, Duration::from_secs(5)).unwrap();
        let got: String =
            query_scalar("select $2 || '-' || $1 || '-' || $2").bind("a").bind("b").fetch_one(&writer).await.unwrap();
        assert_eq!(got, "b-a-b");
        let missing = query_scalar::<String>("select $1 || $2").bind("a").fetch_one(&writer).await;
        assert!(matches!(missing, Err(Error::InvalidParameterCount(2, 1))), "{missing:?}");
    }

    #[tokio::test]
    async fn built_multi_row_inserts_bind_every_value() {
        let (writer, _) = connect(None, 1, Duration::from_secs(5)).unwrap();
        query("create table t (a integer, b text)").execute(&writer).await.unwrap();
        let mut insert = QueryBuilder::new("insert into t (a, b)");
        insert.push_values([(1, "x"), (2, "y"), (3, "z")], |mut row, (a, b)| {
            row.push_bind(a).push_bind(b);
        });
        assert_eq!(insert.build().execute(&writer).await.unwrap().rows_affected(), 3);
        let rows: Vec<(i64, String)> = query_as("select a, b from t order by a").fetch_all(&writer).await.unwrap();
        assert_eq!(rows, vec![(1, "x".into()), (2, "y".into()), (3, "z".into())]);
    }

    /// A transaction dropped without commit leaves nothing behind and frees the writer.
    #[tokio::test]
    async fn dropped_transactions_roll_back() {
        let (writer, readers) = connect(None, 1, Duration::from_secs(5)).unwrap();
        query("create table t (a integer)").execute(&writer).await.unwrap();
        {
            let mut tx = writer.begin().await.unwrap();
            query("insert into t values (1)").execute(&mut *tx).await.unwrap();
        }
        let mut tx = writer.begin().await.unwrap();
        query("insert into t values (2)").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        let all: Vec<i64> = query_scalar("select a from t").fetch_all(&readers).await.unwrap();
        assert_eq!(all, vec![2]);
    }

    /// A write waits for the writer no longer than the configured time, then fails as busy.
    #[tokio::test]
    async fn writes_wait_for_the_writer_a_bounded_time() {
        let (writer, _) = connect(None, 1, Duration::from_millis(50)).unwrap();
        query("create table t (a integer)").execute(&writer).await.unwrap();
        let tx = writer.begin().await.unwrap();
        let busy = query("insert into t values (1)").execute(&writer).await.err().unwrap();
        assert_eq!(busy.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy), "{busy}");
        tx.commit().await.unwrap();
        query("insert into t values (1)").execute(&writer).await.unwrap();
    }

    /// Committed pages reach the database file without any checkpoint on the writing path.
    #[tokio::test]
    async fn checkpoints_run_in_the_background() {
        let (_dir, path) = temp_db();
        let (writer, _) = connect(Some(&path), 1, Duration::from_secs(5)).unwrap();
        query("create table t (a text)").execute(&writer).await.unwrap();
        for _ in 0..200 {
            query("insert into t values (randomblob(1000))").execute(&writer).await.unwrap();
        }
        let before = std::fs::metadata(&path).unwrap().len();
        spawn_checkpoints(path.clone(), &writer);
        let deadline = Instant::now() + 10 * CHECKPOINT_EVERY;
        while std::fs::metadata(&path).unwrap().len() < 200_000 && Instant::now() < deadline {
            tokio::time::sleep(CHECKPOINT_EVERY / 5).await;
        }
        let after = std::fs::metadata(&path).unwrap().len();
        assert!(before < 100_000 && after >= 200_000, "database file {before} -> {after} bytes");
    }

    /// Migrations apply once; reopening applies nothing, and a migration whose text changed
    /// after it was applied stops the start.
    #[tokio::test]
    async fn migrations_apply_once_and_refuse_changed_history() {
        let (_dir, path) = temp_db();
        let migrator = sqlx::migrate!("../../migrations/sqlite");
        let (writer, readers) = connect(Some(&path), 1, Duration::from_secs(5)).unwrap();
        migrate(&writer, &migrator).await.unwrap();
        migrate(&writer, &migrator).await.unwrap();
        let applied: i64 =
            query_scalar("select count(*) from _sqlx_migrations where success").fetch_one(&readers).await.unwrap();
        assert_eq!(applied, i64::try_from(migrator.iter().count()).unwrap());
        query("update _sqlx_migrations set checksum = x'00' where version = 1").execute(&writer).await.unwrap();
        let refused = migrate(&writer, &migrator).await.unwrap_err();
        assert!(refused.contains("migration 1 was changed"), "{refused}");
    }
}
