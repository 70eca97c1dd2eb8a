//! The durable store on SQL: [`SqliteStore`] and [`PgStore`].
//!
//! Both dialects share the SQL text in `queries` and the row mapping in `rows`; one macro stamps
//! the same method bodies onto both, calling `$db::query(..)` where `$db` is `pg` (sqlx pinned to
//! Postgres) or `lite` (SQLite driven in-process, with the same calls; see there). The dialect
//! shows only where it differs: connection options, migrations, how a write transaction begins
//! (SQLite takes the write lock up front with `BEGIN IMMEDIATE`, so two writers never deadlock on
//! lock upgrade), and the audit append, which on Postgres is one statement when this node wrote
//! the tenant's head last (`agents::append_compare_and_set`).
//!
//! Every store has a `pool` for reads and a `writer` for writes. On Postgres they are the same
//! pool. On SQLite, `pool` is the read-only connections and `writer` the one write connection,
//! so a write can go nowhere else.

mod admin_roles;
mod agents;
mod data_keys;
mod detail_types;
mod factors;
mod federation;
mod grants;
mod invitations;
mod keys;
pub(crate) mod lite;
mod outbox;
mod pg_connect;
mod placement;
mod privacy;
mod queries;
pub(crate) mod rows;
mod transfer;

pub use pg_connect::PgConnectError;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::secret::SecretHash;
use ciam_core::store::{
    ClientStore, HealthCheck, MAX_SAML_APPS_LISTED, StoreError, StoreResult, TenantStore, UserStore,
};
use ciam_core::tenant::Tenant;
use ciam_core::user::{Imported, ImportedUser, PasswordHash, User};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use self::queries::*;
use self::rows::{ClientRow, TenantRow, UserRow, enum_to_str, map_err, to_json, ts};

/// Pool settings shared by both dialects.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections per node.
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing with 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_connections: 10, acquire_timeout: Duration::from_secs(5) }
    }
}

/// A pooled Postgres connection idle longer than this is pinged before use, so one that died
/// with the server or a proxy is replaced instead of failing a request. A connection in steady
/// use is not: a ping on every acquire would double the round trips of every query.
const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

/// The embedded durable store: one SQLite file in WAL mode, driven in-process (see `lite`).
#[derive(Clone)]
pub struct SqliteStore {
    /// Read-only connections (or the writer, for an in-memory database).
    pub(crate) pool: lite::Readers,
    /// The one connection that writes.
    writer: lite::Writer,
}

impl SqliteStore {
    /// After an erasure: the write-ahead log copied into the database file and emptied, so the
    /// erased rows' earlier versions are gone from the WAL too (the deletes themselves zero the
    /// freed content: `secure_delete` is on). A reader in the middle of a read holds the
    /// truncation up: it is tried again for up to a second, then left to the next erasure.
    async fn settle_erasure(&self) {
        for _ in 0..40 {
            let done =
                lite::query_as::<(i64, i64, i64)>("pragma wal_checkpoint(truncate)").fetch_all(&self.writer).await;
            match done.as_deref() {
                Ok([(0, _, _)]) => return,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(25)).await,
                Err(e) => {
                    tracing::warn!(error = %e, "sqlite checkpoint after an erasure failed");
                    return;
                }
            }
        }
        tracing::warn!("sqlite checkpoint after an erasure: readers held it up; the WAL is emptied at a later one");
    }

    /// Opens (creating if missing) the database at `url` (`sqlite://path`, `sqlite::memory:`)
    /// and applies migrations.
    pub async fn connect(url: &str, options: &PoolOptions) -> StoreResult<Self> {
        let path = lite::path_of(url);
        let keep = usize::try_from(options.max_connections).unwrap_or(usize::MAX);
        let (writer, readers) = lite::connect(path.as_deref(), keep, options.acquire_timeout).map_err(unavailable)?;
        lite::migrate(&writer, &sqlx::migrate!("../../migrations/sqlite"))
            .await
            .map_err(|e| StoreError::Unavailable(e.into()))?;
        if let Some(path) = path {
            lite::spawn_checkpoints(path, &writer);
        }
        Ok(Self { pool: readers, writer })
    }

    async fn begin_write(&self) -> Result<lite::WriteTx, lite::Error> {
        self.writer.begin().await
    }

    /// Runs one statement on the writer, for tests that change rows directly.
    #[cfg(any(test, feature = "testing"))]
    pub async fn execute(&self, sql: &'static str) -> StoreResult<u64> {
        lite::query(sql).execute(&self.writer).await.map(|d| d.rows_affected()).map_err(unavailable)
    }
}

/// The production durable store: PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The same pool: Postgres has row locks, not one writer.
    writer: PgPool,
    /// The audit heads this node wrote last (see `append_compare_and_set`).
    pub(crate) audit_heads: AuditHeads,
}

/// Each tenant's audit head (last seq and hash) as this node last wrote it; bounded.
#[derive(Clone, Default)]
pub(crate) struct AuditHeads(Arc<Mutex<HashMap<TenantId, (i64, String)>>>);

impl AuditHeads {
    const MAX_TENANTS: usize = 10_000;

    fn lock(&self) -> MutexGuard<'_, HashMap<TenantId, (i64, String)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn get(&self, tenant: &TenantId) -> Option<(i64, String)> {
        self.lock().get(tenant).cloned()
    }

    /// Forgets a tenant's head: its trail was purged or replaced by an import.
    fn forget(&self, tenant: &TenantId) {
        self.lock().remove(tenant);
    }

    /// Remembers a head, unless one further along is already known.
    fn set(&self, tenant: &TenantId, seq: i64, hash: String) {
        let mut heads = self.lock();
        if heads.len() >= Self::MAX_TENANTS && !heads.contains_key(tenant) {
            heads.clear();
        }
        match heads.get_mut(tenant) {
            Some(known) if known.0 >= seq => {}
            Some(known) => *known = (seq, hash),
            None => {
                heads.insert(tenant.clone(), (seq, hash));
            }
        }
    }
}

impl PgStore {
    /// After an erasure: nothing at once. Postgres keeps deleted rows' bytes in the table files
    /// until `VACUUM` reuses the space or `VACUUM FULL` rewrites them (docs/privacy.md).
    #[allow(clippy::unused_async)]
    async fn settle_erasure(&self) {}

    /// Connects to `url` and applies migrations (under Postgres' advisory lock, so nodes starting
    /// together migrate once). A database that is not there fails at once with a
    /// [`PgConnectError`] that says why and what to do, before the pool waits for connections.
    pub async fn connect(url: &str, options: &PoolOptions) -> StoreResult<Self> {
        let connect = PgConnectOptions::from_str(url).map_err(unavailable)?;
        let target = pg_connect::Target::of(&connect);
        pg_connect::check(&connect, options.acquire_timeout).await.map_err(unavailable)?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(connect)
            .await
            .map_err(|e| unavailable(pg_connect::explain(&target, &e)))?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| unavailable(pg_connect::explain_migration(&target, &e)))?;
        Ok(Self { writer: pool.clone(), pool, audit_heads: AuditHeads::default() })
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.writer.begin().await
    }

    /// The pool, for tests that inspect rows directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// sqlx on Postgres under the names the shared method bodies call (`lite` has the same for SQLite).
mod pg {
    use sqlx::postgres::{PgArguments, PgRow};
    use sqlx::query::QueryAs;
    use sqlx::{FromRow, Postgres};

    pub(crate) use sqlx::{query, query_scalar};

    pub(crate) fn query_as<'q, O>(sql: &'static str) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, PgRow>,
    {
        sqlx::query_as(sql)
    }

    pub(crate) type QueryBuilder = sqlx::QueryBuilder<Postgres>;
    /// A write transaction.
    pub(crate) type Tx = sqlx::Transaction<'static, Postgres>;
}

/// The rows to fetch for `page`: one more than its size, to learn whether more follow.
fn limit(page: &PageRequest) -> i64 {
    i64::from(page.size()) + 1
}

fn after(page: &PageRequest) -> &str {
    page.after.as_deref().unwrap_or("")
}

/// Inserts user `$u` and its password hash (an `Option<&PasswordHash>`) in transaction `$tx`.
macro_rules! insert_user {
    ($db:ident, $tx:ident, $u:expr, $password:expr, $err:expr) => {
        $db::query(INSERT_USER)
            .bind($u.tenant_id.as_str())
            .bind($u.id.to_string())
            .bind($u.email.as_str())
            .bind($u.email.normalized())
            .bind($u.email_verified)
            .bind($u.status.as_str())
            .bind(to_json(&$u.profile)?)
            .bind(ts($u.created_at))
            .bind(ts($u.updated_at))
            .bind($u.source.as_str())
            .bind($u.name_key())
            .execute(&mut *$tx)
            .await
            .map_err(&$err)?;
        if let Some(p) = $password {
            $db::query(UPSERT_PASSWORD)
                .bind($u.tenant_id.as_str())
                .bind($u.id.to_string())
                .bind(p.as_str())
                .bind(ts($u.updated_at))
                .execute(&mut *$tx)
                .await
                .map_err(&$err)?;
        }
    };
}

macro_rules! impl_sql_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl HealthCheck for $store {
            async fn ping(&self) -> StoreResult<()> {
                $db::query(PING).execute(&self.pool).await.map(|_| ()).map_err(map_err("ping"))
            }
        }

        #[async_trait]
        impl TenantStore for $store {
            async fn create_tenant(&self, t: &Tenant) -> StoreResult<()> {
                $db::query(INSERT_TENANT)
                    .bind(t.id.as_str())
                    .bind(&t.display_name)
                    .bind(t.home_region.as_str())
                    .bind(to_json(&t.settings)?)
                    .bind(ts(t.created_at))
                    .bind(ts(t.updated_at))
                    .bind(&t.incarnation)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("id"))?;
                Ok(())
            }

            async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
                $db::query_as::<TenantRow>(SELECT_TENANT)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("tenant"))?
                    .map(Tenant::try_from)
                    .transpose()
            }

            async fn list_tenants(&self, page: &PageRequest) -> StoreResult<Page<Tenant>> {
                let rows = $db::query_as::<TenantRow>(LIST_TENANTS)
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("tenant"))?;
                let items = rows.into_iter().map(Tenant::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |t| t.id.to_string()))
            }

            async fn update_tenant(&self, t: &Tenant) -> StoreResult<()> {
                let done = $db::query(UPDATE_TENANT)
                    .bind(t.id.as_str())
                    .bind(&t.display_name)
                    .bind(t.home_region.as_str())
                    .bind(to_json(&t.settings)?)
                    .bind(ts(t.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("tenant"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn delete_tenant(&self, id: &TenantId) -> StoreResult<bool> {
                let done = $db::query(DELETE_TENANT)
                    .bind(id.as_str())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("tenant"))?;
                Ok(done.rows_affected() > 0)
            }
        }

        #[async_trait]
        impl UserStore for $store {
            async fn create_user(&self, u: &User, password: Option<&PasswordHash>) -> StoreResult<()> {
                let err = map_err("email");
                let mut tx = self.begin_write().await.map_err(&err)?;
                insert_user!($db, tx, u, password, err);
                tx.commit().await.map_err(&err)
            }

            async fn import_users(&self, tenant: &TenantId, users: &[ImportedUser]) -> StoreResult<Vec<Imported>> {
                let err = map_err("email");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let mut out = Vec::with_capacity(users.len());
                for ImportedUser { user: u, password, external_id } in users {
                    if u.tenant_id != *tenant {
                        return Err(StoreError::Corrupt(format!(
                            "an imported user of tenant {} in {tenant}",
                            u.tenant_id
                        )));
                    }
                    let by_external: Option<String> = match external_id {
                        Some(x) => $db::query_scalar(SELECT_USER_ID_BY_EXTERNAL_ID)
                            .bind(tenant.as_str())
                            .bind(x.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(&err)?,
                        None => None,
                    };
                    let existing: Option<String> = match by_external {
                        Some(id) => Some(id),
                        None => $db::query_scalar(SELECT_USER_ID_BY_EMAIL)
                            .bind(tenant.as_str())
                            .bind(u.email.normalized())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(&err)?,
                    };
                    let (id, outcome) = match existing {
                        Some(id) => {
                            let id = UserId::parse(&id)
                                .map_err(|e| StoreError::Corrupt(format!("user id: {}", e.message)))?;
                            (id, Imported::Existing(id))
                        }
                        None => {
                            insert_user!($db, tx, u, password.as_ref(), err);
                            (u.id, Imported::Created(u.id))
                        }
                    };
                    if let Some(x) = external_id {
                        $db::query(INSERT_EXTERNAL_ID)
                            .bind(tenant.as_str())
                            .bind(x.as_str())
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await
                            .map_err(&err)?;
                    }
                    out.push(outcome);
                }
                tx.commit().await.map_err(&err)?;
                Ok(out)
            }

            async fn external_id(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<String>> {
                $db::query_scalar(SELECT_EXTERNAL_ID)
                    .bind(tenant.as_str())
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("user"))
            }

            async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>> {
                $db::query_as::<UserRow>(SELECT_USER)
                    .bind(tenant.as_str())
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("user"))?
                    .map(User::try_from)
                    .transpose()
            }

            async fn find_user_by_email(&self, tenant: &TenantId, email: &str) -> StoreResult<Option<User>> {
                $db::query_as::<UserRow>(SELECT_USER_BY_EMAIL)
                    .bind(tenant.as_str())
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("user"))?
                    .map(User::try_from)
                    .transpose()
            }

            async fn list_users(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<User>> {
                let rows = $db::query_as::<UserRow>(LIST_USERS)
                    .bind(tenant.as_str())
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("user"))?;
                let items = rows.into_iter().map(User::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |u| u.id.to_string()))
            }

            async fn find_users_by_name(
                &self,
                tenant: &TenantId,
                prefix: &str,
                page: &PageRequest,
            ) -> StoreResult<Page<User>> {
                let (after_key, after_id) = after(page).split_once('\u{1f}').unwrap_or(("", ""));
                let rows = $db::query_as::<UserRow>(FIND_USERS_BY_NAME)
                    .bind(tenant.as_str())
                    .bind(prefix)
                    .bind(format!("{prefix}{}", char::MAX))
                    .bind(after_key)
                    .bind(after_id)
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("user"))?;
                let items = rows.into_iter().map(User::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |u| {
                    format!("{}\u{1f}{}", u.name_key().unwrap_or_default(), u.id)
                }))
            }

            async fn update_user(&self, u: &User, password: Option<&PasswordHash>) -> StoreResult<()> {
                let err = map_err("email");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let done = $db::query(UPDATE_USER)
                    .bind(u.tenant_id.as_str())
                    .bind(u.id.to_string())
                    .bind(u.email.as_str())
                    .bind(u.email.normalized())
                    .bind(u.email_verified)
                    .bind(u.status.as_str())
                    .bind(to_json(&u.profile)?)
                    .bind(ts(u.updated_at))
                    .bind(u.name_key())
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                if let Some(p) = password {
                    $db::query(UPSERT_PASSWORD)
                        .bind(u.tenant_id.as_str())
                        .bind(u.id.to_string())
                        .bind(p.as_str())
                        .bind(ts(u.updated_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(&err)?;
                }
                tx.commit().await.map_err(&err)
            }

            async fn delete_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<bool> {
                let done = $db::query(DELETE_USER)
                    .bind(tenant.as_str())
                    .bind(id.to_string())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("user"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn password_hash(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<PasswordHash>> {
                let phc: Option<String> = $db::query_scalar(SELECT_PASSWORD)
                    .bind(tenant.as_str())
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("password"))?;
                Ok(phc.map(PasswordHash::new))
            }
        }

        #[async_trait]
        impl ClientStore for $store {
            async fn create_client(&self, c: &Client, secret: Option<&SecretHash>) -> StoreResult<()> {
                $db::query(INSERT_CLIENT)
                    .bind(c.tenant_id.as_str())
                    .bind(c.client_id.as_str())
                    .bind(&c.name)
                    .bind(enum_to_str(&c.client_type)?)
                    .bind(to_json(&c.redirect_uris)?)
                    .bind(to_json(&c.post_logout_redirect_uris)?)
                    .bind(to_json(&c.grant_types)?)
                    .bind(enum_to_str(&c.token_endpoint_auth_method)?)
                    .bind(to_json(&c.scopes)?)
                    .bind(c.jwks_uri.as_deref())
                    .bind(c.jwks.as_ref().map(to_json).transpose()?)
                    .bind(secret.map(SecretHash::as_str))
                    .bind(secret.map(|_| ts(c.created_at)))
                    .bind(ts(c.created_at))
                    .bind(ts(c.updated_at))
                    .bind(c.require_pushed_authorization_requests)
                    .bind(c.id_token_signed_response_alg.as_deref())
                    .bind(c.opaque_access_tokens)
                    .bind(c.agent.as_ref().map(to_json).transpose()?)
                    .bind(c.dpop_bound_access_tokens)
                    .bind(c.security_profile.as_ref().map(enum_to_str).transpose()?)
                    .bind(c.token_exchange.as_ref().map(to_json).transpose()?)
                    .bind(c.require_signed_request_object)
                    .bind(c.authorization_signed_response_alg.as_deref())
                    .bind(c.saml.as_ref().map(to_json).transpose()?)
                    .bind(c.saml.as_ref().map(|s| s.entity_id.as_str()))
                    .bind(c.backchannel.as_ref().map(to_json).transpose()?)
                    .bind(c.first_party)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("client_id"))?;
                Ok(())
            }

            async fn get_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Client>> {
                $db::query_as::<ClientRow>(SELECT_CLIENT)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("client"))?
                    .map(Client::try_from)
                    .transpose()
            }

            async fn list_clients(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>> {
                let rows = $db::query_as::<ClientRow>(LIST_CLIENTS)
                    .bind(tenant.as_str())
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("client"))?;
                let items = rows.into_iter().map(Client::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |c| c.client_id.to_string()))
            }

            async fn list_agents(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>> {
                let rows = $db::query_as::<ClientRow>(LIST_AGENTS)
                    .bind(tenant.as_str())
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("client"))?;
                let items = rows.into_iter().map(Client::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |c| c.client_id.to_string()))
            }

            async fn find_saml_app(&self, tenant: &TenantId, entity_id: &str) -> StoreResult<Option<Client>> {
                $db::query_as::<ClientRow>(SELECT_SAML_APP)
                    .bind(tenant.as_str())
                    .bind(entity_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("client"))?
                    .map(Client::try_from)
                    .transpose()
            }

            async fn list_saml_apps(&self, tenant: &TenantId) -> StoreResult<Vec<Client>> {
                $db::query_as::<ClientRow>(LIST_SAML_APPS)
                    .bind(tenant.as_str())
                    .bind(i64::from(MAX_SAML_APPS_LISTED))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("client"))?
                    .into_iter()
                    .map(Client::try_from)
                    .collect()
            }

            async fn update_client(&self, c: &Client) -> StoreResult<()> {
                let done = $db::query(UPDATE_CLIENT)
                    .bind(c.tenant_id.as_str())
                    .bind(c.client_id.as_str())
                    .bind(&c.name)
                    .bind(to_json(&c.redirect_uris)?)
                    .bind(to_json(&c.post_logout_redirect_uris)?)
                    .bind(to_json(&c.grant_types)?)
                    .bind(enum_to_str(&c.token_endpoint_auth_method)?)
                    .bind(to_json(&c.scopes)?)
                    .bind(c.jwks_uri.as_deref())
                    .bind(c.jwks.as_ref().map(to_json).transpose()?)
                    .bind(ts(c.updated_at))
                    .bind(c.require_pushed_authorization_requests)
                    .bind(c.id_token_signed_response_alg.as_deref())
                    .bind(c.opaque_access_tokens)
                    .bind(c.agent.as_ref().map(to_json).transpose()?)
                    .bind(c.dpop_bound_access_tokens)
                    .bind(c.security_profile.as_ref().map(enum_to_str).transpose()?)
                    .bind(c.token_exchange.as_ref().map(to_json).transpose()?)
                    .bind(c.require_signed_request_object)
                    .bind(c.authorization_signed_response_alg.as_deref())
                    .bind(c.saml.as_ref().map(to_json).transpose()?)
                    .bind(c.saml.as_ref().map(|s| s.entity_id.as_str()))
                    .bind(c.backchannel.as_ref().map(to_json).transpose()?)
                    .bind(c.first_party)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("client"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn set_client_secret(
                &self,
                tenant: &TenantId,
                id: &ClientId,
                secret: &SecretHash,
                now: time::OffsetDateTime,
            ) -> StoreResult<()> {
                let done = $db::query(SET_CLIENT_SECRET)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .bind(secret.as_str())
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("client"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn client_secret_hash(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<SecretHash>> {
                let hash: Option<Option<String>> = $db::query_scalar(SELECT_CLIENT_SECRET)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("client"))?;
                Ok(hash.flatten().map(SecretHash::from_stored))
            }

            async fn set_registration_token(
                &self,
                tenant: &TenantId,
                id: &ClientId,
                token: &SecretHash,
            ) -> StoreResult<()> {
                let done = $db::query(SET_REGISTRATION_TOKEN)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .bind(token.as_str())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("client"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn registration_token_hash(
                &self,
                tenant: &TenantId,
                id: &ClientId,
            ) -> StoreResult<Option<SecretHash>> {
                let hash: Option<Option<String>> = $db::query_scalar(SELECT_REGISTRATION_TOKEN)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("client"))?;
                Ok(hash.flatten().map(SecretHash::from_stored))
            }

            async fn delete_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<bool> {
                let done = $db::query(DELETE_CLIENT)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("client"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_sql_store!(SqliteStore, lite);
impl_sql_store!(PgStore, pg);
