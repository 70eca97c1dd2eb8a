//! Tenants' signing keys on both SQL dialects: stored sealed, listed, rotated in one transaction
//! (compare-and-set on the next key, so concurrent rotations on several nodes do not fork), and
//! retired keys purged.

use async_trait::async_trait;
use ciam_core::id::TenantId;
use ciam_core::signing_key::StoredKey;
use ciam_core::store::{KeyStore, StoreError, StoreResult};

use super::queries::*;
use super::rows::{KeyRow, map_err, to_json, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! insert_key {
    ($db:ident, $key:expr) => {
        $db::query(INSERT_KEY)
            .bind($key.tenant_id.as_str())
            .bind(&$key.kid)
            .bind(&$key.alg)
            .bind($key.state.as_str())
            .bind(to_json(&$key.public_jwk)?)
            .bind(&$key.sealed_private)
            .bind(ts($key.created_at))
            .bind($key.activated_at.map(ts))
            .bind($key.retired_at.map(ts))
    };
}

macro_rules! impl_key_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl KeyStore for $store {
            async fn insert_key(&self, key: &StoredKey) -> StoreResult<()> {
                insert_key!($db, key).execute(&self.writer).await.map_err(map_err("kid"))?;
                Ok(())
            }

            async fn list_keys(&self, tenant: &TenantId) -> StoreResult<Vec<StoredKey>> {
                let rows = $db::query_as::<KeyRow>(LIST_KEYS)
                    .bind(tenant.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("key"))?;
                rows.into_iter().map(StoredKey::try_from).collect()
            }

            async fn rotate_keys(
                &self,
                tenant: &TenantId,
                alg: &str,
                next_kid: &str,
                new_next: &StoredKey,
                now: time::OffsetDateTime,
            ) -> StoreResult<()> {
                let err = map_err("next");
                let mut tx = self.begin_write().await.map_err(&err)?;
                $db::query(RETIRE_ACTIVE_KEY)
                    .bind(tenant.as_str())
                    .bind(alg)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                // Compare-and-set: if another node rotated first, `next_kid` is no longer next.
                let promoted = $db::query(PROMOTE_NEXT_KEY)
                    .bind(tenant.as_str())
                    .bind(alg)
                    .bind(next_kid)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                if promoted.rows_affected() != 1 {
                    return Err(StoreError::Conflict { what: "next" });
                }
                insert_key!($db, new_next).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)
            }

            async fn delete_retired_keys(&self, tenant: &TenantId, cutoff: time::OffsetDateTime) -> StoreResult<u64> {
                let done = $db::query(DELETE_RETIRED_KEYS)
                    .bind(tenant.as_str())
                    .bind(ts(cutoff))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("key"))?;
                Ok(done.rows_affected())
            }
        }
    };
}

impl_key_store!(SqliteStore, lite);
impl_key_store!(PgStore, pg);
