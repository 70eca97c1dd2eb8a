//! The types of authorization details a tenant accepts (RFC 9396), on both SQL dialects.

use async_trait::async_trait;
use ciam_core::authorization_details::AuthorizationDetailType;
use ciam_core::id::TenantId;
use ciam_core::store::{DetailTypeStore, StoreResult};

use super::queries::{DELETE_DETAIL_TYPE, INSERT_DETAIL_TYPE, LIST_DETAIL_TYPES, UPDATE_DETAIL_TYPE};
use super::rows::{DetailTypeRow, map_err, to_json, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! impl_detail_types {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl DetailTypeStore for $store {
            async fn create_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<()> {
                $db::query(INSERT_DETAIL_TYPE)
                    .bind(t.tenant_id.as_str())
                    .bind(&t.id)
                    .bind(to_json(&t.spec)?)
                    .bind(ts(t.created_at))
                    .bind(ts(t.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("type"))?;
                Ok(())
            }

            async fn list_detail_types(&self, tenant: &TenantId) -> StoreResult<Vec<AuthorizationDetailType>> {
                $db::query_as::<DetailTypeRow>(LIST_DETAIL_TYPES)
                    .bind(tenant.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("type"))?
                    .into_iter()
                    .map(AuthorizationDetailType::try_from)
                    .collect()
            }

            async fn update_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<bool> {
                let done = $db::query(UPDATE_DETAIL_TYPE)
                    .bind(t.tenant_id.as_str())
                    .bind(&t.id)
                    .bind(to_json(&t.spec)?)
                    .bind(ts(t.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("type"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_detail_type(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_DETAIL_TYPE)
                    .bind(tenant.as_str())
                    .bind(id)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("type"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_detail_types!(SqliteStore, lite);
impl_detail_types!(PgStore, pg);
