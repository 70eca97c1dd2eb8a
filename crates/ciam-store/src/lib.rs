//! Storage adapters of the ciam identity server.
//!
//! - durable: [`SqliteStore`] (embedded default, one file, WAL) and [`PgStore`] (production),
//!   one SQL text for both where the dialects agree, stamped onto both pools by one macro;
//! - ephemeral: [`MemoryStore`] (in-process default) and [`RedisStore`] (shared by all nodes);
//! - [`regional`]: every port over the stores of several regions, each call routed to its
//!   tenant's home region.
//!
//! Every adapter implements the ports of `ciam_core::store`; the contract suite in `contract`
//! (feature `testing`) runs the same test bodies against each of them.

mod memory;
mod redis_store;
pub mod regional;
mod sql;

#[cfg(any(test, feature = "testing"))]
pub mod contract;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::sync::Arc;

use ciam_core::store::{DurableStore, EphemeralStore, StoreError};

pub use memory::MemoryStore;
pub use redis_store::RedisStore;
pub use sql::{PgConnectError, PgStore, PoolOptions, SqliteStore};

/// Opens the durable store named by `url` (`sqlite:` or `postgres:`), applying migrations.
pub async fn open_durable(url: &str, options: &PoolOptions) -> Result<Arc<dyn DurableStore>, StoreError> {
    let store: Arc<dyn DurableStore> = regional::open_region(url, options).await?;
    Ok(store)
}

/// Opens the ephemeral store: Redis when a URL is given, else the in-process store.
pub fn open_ephemeral(redis_url: Option<&str>, key_prefix: &str) -> Result<Arc<dyn EphemeralStore>, StoreError> {
    match redis_url {
        Some(url) => Ok(Arc::new(RedisStore::connect(url, key_prefix)?)),
        None => Ok(Arc::new(MemoryStore::new())),
    }
}

#[cfg(test)]
mod tests {
    //! The contract suite on every adapter. SQLite uses a temp file; Postgres a fresh database;
    //! Redis a fresh key prefix (see `testing`).
    use std::sync::Arc;

    use ciam_core::store::EphemeralStore;

    use super::*;
    use crate::contract::ResidencyStore;
    use crate::testing::{TestPostgres, TestRedis};

    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn sqlite() -> Option<(Arc<dyn ResidencyStore>, TempDir)> {
        let dir = std::env::temp_dir().join(format!("ciam-store-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/ciam.db", dir.display());
        let store = SqliteStore::connect(&url, &PoolOptions::default()).await.unwrap();
        Some((Arc::new(store), TempDir(dir)))
    }

    async fn postgres() -> Option<(Arc<dyn ResidencyStore>, TestPostgres)> {
        let db = TestPostgres::create().await?;
        let store = PgStore::connect(&db.url, &PoolOptions::default()).await.unwrap();
        Some((Arc::new(store), db))
    }

    async fn memory() -> Option<(Arc<dyn EphemeralStore>, ())> {
        Some((Arc::new(MemoryStore::new()), ()))
    }

    async fn redis() -> Option<(Arc<dyn EphemeralStore>, TestRedis)> {
        let r = TestRedis::create().await?;
        let store = RedisStore::connect(&r.url, &r.prefix).unwrap();
        Some((Arc::new(store), r))
    }

    mod sqlite_durable {
        use super::*;
        crate::durable_contract_tests!(sqlite());
    }

    /// The whole contract through a two-region router whose tenants all live in the control
    /// region (`local`, as the contract's tenants say): every port is routed without loss.
    async fn regional() -> Option<(Arc<dyn ResidencyStore>, regional::tests::Files)> {
        match regional::tests::regions(&["local", "other"], &[true, true]).await {
            Ok((regions, files)) => Some((regions.durable.clone(), files)),
            Err(e) => panic!("two embedded regions: {e}"),
        }
    }

    mod regional_durable {
        use super::*;
        crate::durable_contract_tests!(regional());
    }

    mod postgres_durable {
        use super::*;
        crate::durable_contract_tests!(postgres());
    }

    mod memory_ephemeral {
        use super::*;
        crate::ephemeral_contract_tests!(memory());
    }

    mod redis_ephemeral {
        use super::*;
        crate::ephemeral_contract_tests!(redis());

        #[tokio::test]
        async fn keys_carry_the_prefix_and_are_cleaned_up() {
            let Some(r) = TestRedis::create().await else { return };
            let store = RedisStore::connect(&r.url, &r.prefix).unwrap();
            store.put("a", b"1", std::time::Duration::from_secs(60)).await.unwrap();
            assert_eq!(r.keys(), vec![format!("{}a", r.prefix)]);
        }

        /// Redis finds every key of a namespace (the contract test checks what survives).
        #[tokio::test]
        async fn a_namespace_is_purged_entirely() {
            let Some(r) = TestRedis::create().await else { return };
            let store = RedisStore::connect(&r.url, &r.prefix).unwrap();
            let ttl = std::time::Duration::from_secs(60);
            for i in 0..2500 {
                store.put(&format!("code:acme@gone:{i}"), b"1", ttl).await.unwrap();
            }
            store.put("code:acme@live:x", b"1", ttl).await.unwrap();
            assert_eq!(store.delete_namespace("acme@gone").await.unwrap(), 2500);
            assert_eq!(r.keys(), vec![format!("{}code:acme@live:x", r.prefix)]);
        }
    }

    /// SQLite reads go through read-only connections, so every write must take the one writer
    /// connection (the contract suite above would fail on any write sent elsewhere).
    #[tokio::test]
    async fn sqlite_reads_cannot_write_and_writes_are_seen_by_reads() {
        use sql::lite;
        let dir = std::env::temp_dir().join(format!("ciam-store-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let _cleanup = TempDir(dir.clone());
        let store = SqliteStore::connect(&format!("sqlite://{}/ciam.db", dir.display()), &PoolOptions::default())
            .await
            .unwrap();
        let refused = lite::query("create table nope (x integer)").execute(&store.pool).await.err().unwrap();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        store.execute("create table yes (x integer)").await.unwrap();
        assert_eq!(store.execute("insert into yes values (7)").await.unwrap(), 1);
        let x: i64 = lite::query_scalar("select x from yes").fetch_one(&store.pool).await.unwrap();
        assert_eq!(x, 7);
    }

    /// Two Postgres nodes appending to one tenant's trail in turn: each one's remembered head goes
    /// stale when the other appends, its one-statement append then changes nothing and the
    /// transaction takes over, and the events form one chain whatever path they took.
    #[tokio::test]
    async fn postgres_audit_appends_from_two_nodes_form_one_chain() {
        use ciam_core::audit::{AuditRecord, ChainVerifier};
        use ciam_core::store::{AuditStore as _, TenantStore as _};
        let Some(db) = TestPostgres::create().await else { return };
        let a = PgStore::connect(&db.url, &PoolOptions::default()).await.unwrap();
        let b = PgStore::connect(&db.url, &PoolOptions::default()).await.unwrap();
        a.create_tenant(&crate::contract::tenant("acme")).await.unwrap();
        let t = ciam_core::id::TenantId::parse("acme").unwrap();
        let at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let event = |n: i64| (t.clone(), at + time::Duration::seconds(n), AuditRecord::allow("token.issued"));
        for (n, node) in [&a, &a, &b, &a, &b, &b, &a].into_iter().enumerate() {
            let n = i64::try_from(n).unwrap();
            let stored = node.append_audit(&[event(2 * n), event(2 * n + 1)]).await.unwrap();
            assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2 * n + 1, 2 * n + 2]);
            assert_eq!(node.audit_heads.get(&t).map(|(seq, _)| seq), Some(2 * n + 2), "the node remembers its head");
        }
        let chain = a.audit_chain(&t, 0, 100).await.unwrap();
        let mut v = ChainVerifier::default();
        for e in &chain {
            v.next(e).unwrap();
        }
        assert_eq!(v.finish(b.audit_head(&t).await.unwrap()), Ok(14));
    }

    /// The moved tenant's main email, looked for in the old store's files once it is purged.
    const MOVED_EMAIL: &str = "ada.residency@example.com";

    /// `acme`'s rows in every table of the live schema that has a `tenant_id` column.
    fn sqlite_rows_of_acme(path: &std::path::Path) -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut tables = conn
            .prepare(
                "select m.name from sqlite_master m where m.type = 'table' and exists \
                 (select 1 from pragma_table_info(m.name) c where c.name = 'tenant_id') order by m.name",
            )
            .unwrap();
        let tables: Vec<String> = tables.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert!(tables.len() > 20, "{tables:?}");
        tables
            .into_iter()
            .map(|t| {
                let n = conn
                    .query_row(&format!("select count(*) from {t} where tenant_id = 'acme'"), [], |r| r.get(0))
                    .unwrap();
                (t, n)
            })
            .collect()
    }

    /// Whether `needle` occurs in the file at `path` (a missing file holds nothing).
    fn file_holds(path: &std::path::Path, needle: &str) -> bool {
        std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    }

    /// A tenant moved from one SQLite file to another: the new file holds every row, the old one
    /// none, and nothing of the tenant stays readable in the old file or its write-ahead log.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_tenant_moves_between_two_files_and_leaves_nothing_behind() {
        let dirs = [(); 2].map(|()| {
            let dir = std::env::temp_dir().join(format!("ciam-store-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        });
        let [path_a, path_b] = [0, 1].map(|i| dirs[i].0.join("ciam.db"));
        let open = |path: &std::path::Path| {
            let url = format!("sqlite://{}", path.display());
            async move { SqliteStore::connect(&url, &PoolOptions::default()).await.unwrap() }
        };
        let (a, b) = (open(&path_a).await, open(&path_b).await);
        contract::a_tenant_moves_between_two_stores(&a, &b, MOVED_EMAIL).await;

        let wal = |path: &std::path::Path| path.with_extension("db-wal");
        assert!(!file_holds(&path_a, MOVED_EMAIL), "the old database file still holds the moved user's email");
        assert!(!file_holds(&wal(&path_a), MOVED_EMAIL), "the old write-ahead log still holds it");
        assert!(file_holds(&path_b, MOVED_EMAIL) || file_holds(&wal(&path_b), MOVED_EMAIL), "the search finds it");
        for (table, n) in sqlite_rows_of_acme(&path_a) {
            assert_eq!(n, 0, "{table} of the old store");
        }
        for (table, n) in sqlite_rows_of_acme(&path_b) {
            assert!(n > 0 || table == "tenant_placement", "{table} of the new store");
        }
    }

    /// The same move between two Postgres databases, checked in every table with a `tenant_id`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_tenant_moves_between_two_databases() {
        let Some(db_a) = TestPostgres::create().await else { return };
        let Some(db_b) = TestPostgres::create().await else { return };
        let a = PgStore::connect(&db_a.url, &PoolOptions::default()).await.unwrap();
        let b = PgStore::connect(&db_b.url, &PoolOptions::default()).await.unwrap();
        contract::a_tenant_moves_between_two_stores(&a, &b, MOVED_EMAIL).await;
        let rows_of_acme = |store: PgStore| async move {
            let tables: Vec<String> = sqlx::query_scalar(
                "select table_name::text from information_schema.columns \
                 where table_schema = current_schema() and column_name = 'tenant_id' order by 1",
            )
            .fetch_all(store.pool())
            .await
            .unwrap();
            assert!(tables.len() > 20, "{tables:?}");
            let mut rows = Vec::new();
            for t in tables {
                let sql = format!("select count(*) from {t} where tenant_id = 'acme'");
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(store.pool()).await.unwrap();
                rows.push((t, n));
            }
            rows
        };
        for (table, n) in rows_of_acme(a).await {
            assert_eq!(n, 0, "{table} of the old database");
        }
        for (table, n) in rows_of_acme(b).await {
            assert!(n > 0 || table == "tenant_placement", "{table} of the new database");
        }
    }

    /// An in-memory database is shared by the reading and the writing connections.
    #[tokio::test]
    async fn sqlite_in_memory_is_one_database() {
        use ciam_core::store::TenantStore as _;
        let store = SqliteStore::connect("sqlite::memory:", &PoolOptions::default()).await.unwrap();
        let tenant = crate::contract::tenant("acme");
        store.create_tenant(&tenant).await.unwrap();
        assert!(store.get_tenant(&tenant.id).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn memory_store_sweeps_expired_entries() {
        let s = MemoryStore::new();
        for i in 0..5000 {
            s.put(&format!("k{i}"), b"v", std::time::Duration::from_millis(1)).await.unwrap();
            if i == 100 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        assert!(s.len() < 5000, "expired entries are swept: {}", s.len());
    }

    #[test]
    fn migration_sets_are_identical() {
        let names = |d: &str| {
            let mut v: Vec<String> = std::fs::read_dir(format!("{}/../../migrations/{d}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("sqlite"), names("postgres"));
        assert!(!names("sqlite").is_empty());
    }
}
