//! Moving a tenant between the durable stores of two regions of one backend: every row it owns,
//! exported in the backend's own JSON form of a row, imported in one transaction, counted table
//! by table, and purged.
//!
//! The tables come from [`TENANT_TABLES`], parents before children; their columns from the live
//! schema. No name in any statement comes from a dump: a dump only supplies values, bound as
//! parameters. Unlike the rest of the store, the two dialects share little here (Postgres turns
//! rows into JSON and back with `row_to_json` and `json_populate_recordset`, SQLite with
//! `json_object` and `json_extract`), so each has its own implementation.

use std::collections::HashSet;
use std::sync::LazyLock;

use async_trait::async_trait;
use ciam_core::id::TenantId;
use ciam_core::region::TenantDump;
use ciam_core::store::{StoreError, StoreResult, TenantTransfer};
use rusqlite::Connection;
use serde_json::Value;

use super::lite::{self, Exec as _};
use super::rows::map_err;
use super::{PgStore, SqliteStore};

/// One table whose rows belong to a tenant (it has a `tenant_id` column).
#[derive(Debug)]
pub(crate) struct TenantTable {
    /// The table.
    pub(crate) name: &'static str,
    /// Its primary key's columns: rows are exported in this order.
    pub(crate) key: &'static str,
    /// Whether the key is a position the store assigns (a serial): an import leaves it out, and
    /// the importing store assigns new positions in the same order.
    pub(crate) serial: bool,
}

const fn table(name: &'static str, key: &'static str) -> TenantTable {
    TenantTable { name, key, serial: false }
}

/// Every table a tenant owns, parents before children (a table's foreign keys point to tables
/// above it). `user_account` comes before `user_tombstone`: a trigger refuses a user whose id has
/// a tombstone. `tenant_placement` is not here: the directory is not the tenant's, it says where
/// the tenant is. A test fails when a migration adds a table with a `tenant_id` column that is
/// missing, or breaks the order.
pub(crate) const TENANT_TABLES: &[TenantTable] = &[
    table("tenant", "tenant_id"),
    table("user_account", "tenant_id, user_id"),
    table("password_credential", "tenant_id, user_id"),
    table("user_external_id", "tenant_id, external_id"),
    table("user_tombstone", "tenant_id, user_id"),
    table("factor", "tenant_id, factor_id"),
    table("sign_in_profile", "tenant_id, user_id"),
    table("erasure_request", "tenant_id, user_id"),
    table("client", "tenant_id, client_id"),
    table("consent", "tenant_id, user_id, client_id"),
    table("refresh_family", "tenant_id, family_id"),
    table("refresh_token", "tenant_id, token_hash"),
    table("delegation", "tenant_id, delegation_id"),
    table("signing_key", "tenant_id, kid"),
    table("revoked_token", "tenant_id, jti"),
    table("resource", "tenant_id, resource_id"),
    table("authorization_detail_type", "tenant_id, type_id"),
    table("identity_provider", "tenant_id, provider_id"),
    table("federated_identity", "tenant_id, provider_id, subject"),
    table("saml_signing_key", "tenant_id"),
    table("invitation", "tenant_id, invitation_id"),
    table("admin_role_assignment", "tenant_id, assignment_id"),
    table("admin_role", "tenant_id, name"),
    table("mail_outbox", "tenant_id, mail_id"),
    table("purpose", "tenant_id, purpose_id"),
    table("purpose_consent", "tenant_id, user_id, purpose_id"),
    TenantTable { name: "consent_event", key: "seq", serial: true },
    TenantTable { name: "event_outbox", key: "pos", serial: true },
    table("user_data_key", "tenant_id, subject"),
    table("audit_head", "tenant_id"),
    table("audit_event", "tenant_id, seq"),
    table("audit_horizon", "tenant_id"),
];

/// Rows inserted per statement on import.
const ROWS_PER_INSERT: usize = 500;

/// One statement counting the tenant's rows in every table: `(table, count)`, one snapshot.
static COUNT_ROWS: LazyLock<String> = LazyLock::new(|| {
    TENANT_TABLES
        .iter()
        .map(|t| format!("select '{0}', count(*) from {0} where tenant_id = $1", t.name))
        .collect::<Vec<_>>()
        .join(" union all ")
});

/// The deletes of the tenant's rows, children first.
static DELETE_ROWS: LazyLock<Vec<String>> = LazyLock::new(|| {
    TENANT_TABLES.iter().rev().map(|t| format!("delete from {} where tenant_id = $1", t.name)).collect()
});

/// Counts in list order (a table the statement did not report counts 0).
fn in_list_order(counted: Vec<(String, i64)>) -> Vec<(String, u64)> {
    TENANT_TABLES
        .iter()
        .map(|t| {
            let n = counted.iter().find(|(name, _)| name == t.name).map_or(0, |(_, n)| *n);
            (t.name.to_owned(), u64::try_from(n).unwrap_or(0))
        })
        .collect()
}

fn corrupt(why: impl Into<String>) -> StoreError {
    StoreError::Corrupt(why.into())
}

/// A column name from the live schema, safe to write into a statement as it is.
fn plain(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The dump's rows, table by table in list order, after checking that it is of `backend`, names
/// only tables of the list (each once), and holds only JSON objects of its own tenant.
fn checked_rows<'d>(dump: &'d TenantDump, backend: &str) -> StoreResult<Vec<(&'static TenantTable, &'d [Value])>> {
    if dump.backend != backend {
        return Err(corrupt(format!("a dump of a {} store cannot be imported into a {backend} store", dump.backend)));
    }
    let mut seen = HashSet::new();
    for (name, rows) in &dump.tables {
        if !TENANT_TABLES.iter().any(|t| t.name == name) {
            return Err(corrupt(format!("the dump holds table {name:?}, which is not a tenant table")));
        }
        if !seen.insert(name.as_str()) {
            return Err(corrupt(format!("the dump holds table {name} twice")));
        }
        let tenant = Value::String(dump.tenant.as_str().to_owned());
        if !rows.iter().all(|row| row.as_object().and_then(|r| r.get("tenant_id")) == Some(&tenant)) {
            return Err(corrupt(format!("a row of {name} in the dump is not a row of tenant {}", dump.tenant)));
        }
    }
    Ok(TENANT_TABLES
        .iter()
        .filter_map(|t| dump.tables.iter().find(|(name, _)| name == t.name).map(|(_, rows)| (t, rows.as_slice())))
        .collect())
}

/// Checks that every row has exactly the columns the table has here (both regions run the same
/// migrations), and returns the columns to insert (the serial key left out).
fn insert_columns(t: &TenantTable, columns: &[String], rows: &[Value]) -> StoreResult<Vec<String>> {
    let fits = |row: &Value| {
        row.as_object().is_some_and(|r| r.len() == columns.len() && columns.iter().all(|c| r.contains_key(c)))
    };
    if !rows.iter().all(fits) {
        return Err(corrupt(format!(
            "the dump's rows of {} do not have this store's columns: both regions must run the same version",
            t.name
        )));
    }
    Ok(columns.iter().filter(|c| !(t.serial && c.as_str() == t.key)).cloned().collect())
}

fn parse_row(table: &str, json: &str) -> StoreResult<Value> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("a row of {table} is not JSON: {e}")))
}

// ------------------------------------------------------------------ SQLite

/// The live columns of a table, in order; a table the schema does not have is corrupt.
fn lite_columns(c: &Connection, table: &str) -> StoreResult<Vec<String>> {
    let err = map_err("tenant");
    let mut st = c.prepare_cached("select name from pragma_table_info($1) order by cid").map_err(&err)?;
    let columns =
        st.query_map([table], |r| r.get::<_, String>(0)).map_err(&err)?.collect::<Result<Vec<_>, _>>().map_err(&err)?;
    if columns.is_empty() || !columns.iter().all(|c| plain(c)) {
        return Err(corrupt(format!("table {table} is missing or has an unexpected column name")));
    }
    Ok(columns)
}

/// Every table's rows of the tenant, read in one transaction (one snapshot).
fn lite_export(c: &Connection, tenant: &str) -> StoreResult<Vec<(String, Vec<Value>)>> {
    let err = map_err("tenant");
    let read = c.unchecked_transaction().map_err(&err)?;
    let mut tables = Vec::with_capacity(TENANT_TABLES.len());
    for t in TENANT_TABLES {
        let pairs: Vec<String> = lite_columns(&read, t.name)?.iter().map(|c| format!("'{c}', {c}")).collect();
        let sql =
            format!("select json_object({}) from {} where tenant_id = $1 order by {}", pairs.join(", "), t.name, t.key);
        let mut st = read.prepare(&sql).map_err(&err)?;
        let rows = st
            .query_map([tenant], |r| r.get::<_, String>(0))
            .map_err(&err)?
            .map(|json| parse_row(t.name, &json.map_err(&err)?))
            .collect::<StoreResult<Vec<_>>>()?;
        tables.push((t.name.to_owned(), rows));
    }
    Ok(tables)
}

/// Inserts rows of one table, in their order, a batch per statement.
fn lite_insert(c: &Connection, t: &TenantTable, rows: &[Value]) -> StoreResult<()> {
    let err = map_err("tenant");
    let columns = insert_columns(t, &lite_columns(c, t.name)?, rows)?;
    let values: Vec<String> = columns.iter().map(|c| format!("json_extract(value, '$.{c}')")).collect();
    let sql = format!(
        "insert into {} ({}) select {} from json_each($1) order by key",
        t.name,
        columns.join(", "),
        values.join(", ")
    );
    let mut st = c.prepare(&sql).map_err(&err)?;
    for batch in rows.chunks(ROWS_PER_INSERT) {
        let json = serde_json::to_string(batch).map_err(|e| corrupt(format!("json: {e}")))?;
        let inserted = st.execute([json]).map_err(&err)?;
        if inserted != batch.len() {
            return Err(corrupt(format!("{} of {} rows of {} were inserted", inserted, batch.len(), t.name)));
        }
    }
    Ok(())
}

fn lite_delete(c: &Connection, tenant: &str) -> StoreResult<u64> {
    let err = map_err("tenant");
    let mut gone = 0;
    for sql in DELETE_ROWS.iter() {
        let done = c.prepare_cached(sql).and_then(|mut st| st.execute([tenant])).map_err(&err)?;
        gone += u64::try_from(done).unwrap_or(u64::MAX);
    }
    Ok(gone)
}

/// On SQLite every connection has `secure_delete` on, so a purge overwrites the deleted rows'
/// content in the database file; the write-ahead log is then checkpointed and truncated, as
/// after an erasure, so no earlier version of the rows stays in it.
#[async_trait]
impl TenantTransfer for SqliteStore {
    async fn export_tenant(&self, tenant: &TenantId) -> StoreResult<TenantDump> {
        let id = tenant.as_str().to_owned();
        let tables = (&self.pool).with(move |c| Ok(lite_export(c, &id))).await.map_err(map_err("tenant"))??;
        Ok(TenantDump { tenant: tenant.clone(), backend: "sqlite", tables })
    }

    async fn import_tenant(&self, dump: &TenantDump) -> StoreResult<()> {
        let tables = checked_rows(dump, "sqlite")?;
        let err = map_err("tenant");
        let tx = self.begin_write().await.map_err(&err)?;
        lite_delete(&tx, dump.tenant.as_str())?;
        for (t, rows) in tables.into_iter().filter(|(_, rows)| !rows.is_empty()) {
            lite_insert(&tx, t, rows)?;
        }
        tx.commit().await.map_err(&err)
    }

    async fn tenant_row_counts(&self, tenant: &TenantId) -> StoreResult<Vec<(String, u64)>> {
        let counted: Vec<(String, i64)> = lite::query_as(COUNT_ROWS.as_str())
            .bind(tenant.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(map_err("tenant"))?;
        Ok(in_list_order(counted))
    }

    async fn purge_tenant(&self, tenant: &TenantId) -> StoreResult<u64> {
        let err = map_err("tenant");
        let tx = self.begin_write().await.map_err(&err)?;
        let gone = lite_delete(&tx, tenant.as_str())?;
        tx.commit().await.map_err(&err)?;
        self.settle_erasure().await;
        Ok(gone)
    }
}

// ---------------------------------------------------------------- Postgres

/// A statement whose names come from [`TENANT_TABLES`] and the live schema only.
fn pg_sql(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

async fn pg_columns(tx: &mut sqlx::PgConnection, table: &str) -> StoreResult<Vec<String>> {
    let columns: Vec<String> = sqlx::query_scalar(
        "select column_name::text from information_schema.columns \
         where table_schema = current_schema() and table_name = $1 order by ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err("tenant"))?;
    if columns.is_empty() || !columns.iter().all(|c| plain(c)) {
        return Err(corrupt(format!("table {table} is missing or has an unexpected column name")));
    }
    Ok(columns)
}

async fn pg_delete(tx: &mut sqlx::PgConnection, tenant: &str) -> StoreResult<u64> {
    let mut gone = 0;
    for sql in DELETE_ROWS.iter() {
        let done = sqlx::query(sql.as_str()).bind(tenant).execute(&mut *tx).await.map_err(map_err("tenant"))?;
        gone += done.rows_affected();
    }
    Ok(gone)
}

/// On Postgres a purge deletes the rows; their bytes stay in the table files until `VACUUM`
/// reuses the space (or `VACUUM FULL` rewrites the tables), which is the operator's to run after
/// a move (docs/privacy.md), as after an erasure.
#[async_trait]
impl TenantTransfer for PgStore {
    async fn export_tenant(&self, tenant: &TenantId) -> StoreResult<TenantDump> {
        let err = map_err("tenant");
        let mut tx = self.pool.begin().await.map_err(&err)?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        let mut tables = Vec::with_capacity(TENANT_TABLES.len());
        for t in TENANT_TABLES {
            let sql = format!("select row_to_json(r)::text from {} r where tenant_id = $1 order by {}", t.name, t.key);
            let rows: Vec<String> =
                sqlx::query_scalar(pg_sql(sql)).bind(tenant.as_str()).fetch_all(&mut *tx).await.map_err(&err)?;
            let rows = rows.iter().map(|json| parse_row(t.name, json)).collect::<StoreResult<Vec<_>>>()?;
            tables.push((t.name.to_owned(), rows));
        }
        tx.commit().await.map_err(&err)?;
        Ok(TenantDump { tenant: tenant.clone(), backend: "postgres", tables })
    }

    async fn import_tenant(&self, dump: &TenantDump) -> StoreResult<()> {
        let tables = checked_rows(dump, "postgres")?;
        let err = map_err("tenant");
        let mut tx = self.begin_write().await.map_err(&err)?;
        pg_delete(&mut tx, dump.tenant.as_str()).await?;
        for (t, rows) in tables.into_iter().filter(|(_, rows)| !rows.is_empty()) {
            let columns = insert_columns(t, &pg_columns(&mut tx, t.name).await?, rows)?;
            let columns = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "insert into {0} ({1}) select {1} from json_populate_recordset(null::{0}, $1::json) \
                 with ordinality as r order by r.ordinality",
                t.name, columns
            );
            for batch in rows.chunks(ROWS_PER_INSERT) {
                let json = serde_json::to_string(batch).map_err(|e| corrupt(format!("json: {e}")))?;
                let done = sqlx::query(pg_sql(sql.clone())).bind(json).execute(&mut *tx).await.map_err(&err)?;
                if usize::try_from(done.rows_affected()).ok() != Some(batch.len()) {
                    return Err(corrupt(format!(
                        "{} of {} rows of {} were inserted",
                        done.rows_affected(),
                        batch.len(),
                        t.name
                    )));
                }
            }
        }
        tx.commit().await.map_err(&err)?;
        self.audit_heads.forget(&dump.tenant);
        Ok(())
    }

    async fn tenant_row_counts(&self, tenant: &TenantId) -> StoreResult<Vec<(String, u64)>> {
        let counted: Vec<(String, i64)> = sqlx::query_as(COUNT_ROWS.as_str())
            .bind(tenant.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(map_err("tenant"))?;
        Ok(in_list_order(counted))
    }

    async fn purge_tenant(&self, tenant: &TenantId) -> StoreResult<u64> {
        let err = map_err("tenant");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let gone = pg_delete(&mut tx, tenant.as_str()).await?;
        tx.commit().await.map_err(&err)?;
        self.audit_heads.forget(tenant);
        self.settle_erasure().await;
        Ok(gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::PoolOptions;

    /// Tables with a `tenant_id` column that are not a tenant's.
    const NOT_A_TENANT_TABLE: &[&str] = &["tenant_placement"];

    async fn sqlite() -> SqliteStore {
        SqliteStore::connect("sqlite::memory:", &PoolOptions::default()).await.unwrap()
    }

    fn listed() -> Vec<&'static str> {
        TENANT_TABLES.iter().map(|t| t.name).collect()
    }

    /// Every table of the live schema with a `tenant_id` column is in the list (a migration that
    /// adds one must add it there), and the list names no other.
    #[tokio::test]
    async fn every_table_with_a_tenant_id_is_listed() {
        let store = sqlite().await;
        let mut schema: Vec<String> = lite::query_scalar(
            "select m.name from sqlite_master m where m.type = 'table' and exists \
             (select 1 from pragma_table_info(m.name) c where c.name = 'tenant_id') order by m.name",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        schema.retain(|t| !NOT_A_TENANT_TABLE.contains(&t.as_str()));
        let mut list = listed();
        list.sort_unstable();
        assert_eq!(schema, list, "TENANT_TABLES must name every table a tenant owns");
    }

    /// Parents come before children: every foreign key of a listed table points to a table above
    /// it; each table's order key is its primary key; the serial keys are the store's positions;
    /// users come before tombstones (a trigger refuses a user whose id has one).
    #[tokio::test]
    async fn tables_are_listed_parents_first_with_their_primary_keys() {
        let store = sqlite().await;
        let names = listed();
        for (i, t) in TENANT_TABLES.iter().enumerate() {
            let parents: Vec<String> = lite::query_scalar("select \"table\" from pragma_foreign_key_list($1)")
                .bind(t.name)
                .fetch_all(&store.pool)
                .await
                .unwrap();
            for parent in parents {
                let at = names.iter().position(|n| *n == parent);
                assert!(at.is_some_and(|at| at < i), "{} references {parent}, which must be listed above it", t.name);
            }
            let key: Vec<String> =
                lite::query_scalar("select name from pragma_table_info($1) where pk > 0 order by pk")
                    .bind(t.name)
                    .fetch_all(&store.pool)
                    .await
                    .unwrap();
            assert_eq!(key.join(", "), t.key, "the primary key of {}", t.name);
        }
        let serial: Vec<(&str, &str)> = TENANT_TABLES.iter().filter(|t| t.serial).map(|t| (t.name, t.key)).collect();
        assert_eq!(serial, [("consent_event", "seq"), ("event_outbox", "pos")]);
        let at = |name: &str| names.iter().position(|n| *n == name);
        assert!(at("user_account") < at("user_tombstone"));
        let triggers: Vec<String> =
            lite::query_scalar("select name from sqlite_master where type = 'trigger' order by name")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(triggers, ["user_tombstone_guard"], "a new trigger may constrain the import order");
    }

    /// The Postgres schema has the same tenant tables.
    #[tokio::test]
    async fn postgres_has_the_same_tenant_tables() {
        let Some(db) = crate::testing::TestPostgres::create().await else { return };
        let store = PgStore::connect(&db.url, &PoolOptions::default()).await.unwrap();
        let mut schema: Vec<String> = sqlx::query_scalar(
            "select table_name::text from information_schema.columns \
             where table_schema = current_schema() and column_name = 'tenant_id' order by 1",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        schema.retain(|t| !NOT_A_TENANT_TABLE.contains(&t.as_str()));
        schema.sort_unstable();
        let mut list = listed();
        list.sort_unstable();
        assert_eq!(schema, list);
    }

    #[test]
    fn counts_come_in_list_order() {
        let counts = in_list_order(vec![("audit_event".into(), 3), ("tenant".into(), 1)]);
        assert_eq!(counts.len(), TENANT_TABLES.len());
        assert_eq!(counts.first(), Some(&("tenant".to_owned(), 1)));
        assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 4);
    }
}
