//! Data keys on both SQL dialects: created at most once per subject (an insert that does nothing
//! on conflict, then a read of the key stored), read, and destroyed.

use async_trait::async_trait;
use ciam_core::id::TenantId;
use ciam_core::store::{DataKeyStore, StoreError, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{map_err, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! impl_data_key_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl DataKeyStore for $store {
            async fn data_key(&self, tenant: &TenantId, subject: &str) -> StoreResult<Option<String>> {
                $db::query_scalar(SELECT_DATA_KEY)
                    .bind(tenant.as_str())
                    .bind(subject)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("data key"))
            }

            async fn create_data_key(
                &self,
                tenant: &TenantId,
                subject: &str,
                sealed: &str,
                now: OffsetDateTime,
            ) -> StoreResult<String> {
                $db::query(INSERT_DATA_KEY)
                    .bind(tenant.as_str())
                    .bind(subject)
                    .bind(sealed)
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("data key"))?;
                // Read on the writer: the key stored now, whoever inserted it. None only if it
                // was destroyed in between, which the caller sees as a failure, not a new key.
                let stored: Option<String> = $db::query_scalar(SELECT_DATA_KEY)
                    .bind(tenant.as_str())
                    .bind(subject)
                    .fetch_optional(&self.writer)
                    .await
                    .map_err(map_err("data key"))?;
                stored.ok_or(StoreError::NotFound)
            }

            async fn destroy_data_key(&self, tenant: &TenantId, subject: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_DATA_KEY)
                    .bind(tenant.as_str())
                    .bind(subject)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("data key"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_data_key_store!(SqliteStore, lite);
impl_data_key_store!(PgStore, pg);
