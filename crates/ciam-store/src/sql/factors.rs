//! Users' authenticators and sign-in profiles on both SQL dialects.

use async_trait::async_trait;
use ciam_core::factor::{Factor, FactorKind, SignInProfile};
use ciam_core::id::{TenantId, UserId};
use ciam_core::store::{FactorStore, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{FactorRow, from_json, map_err, to_json, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! impl_factor_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl FactorStore for $store {
            async fn create_factor(&self, f: &Factor) -> StoreResult<()> {
                $db::query(INSERT_FACTOR)
                    .bind(f.tenant_id.as_str())
                    .bind(&f.id)
                    .bind(f.user_id.to_string())
                    .bind(f.kind.as_str())
                    .bind(&f.name)
                    .bind(f.lookup.as_deref())
                    .bind(&f.data)
                    .bind(ts(f.created_at))
                    .bind(f.last_used_at.map(ts))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("factor"))?;
                Ok(())
            }

            async fn list_factors(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<Factor>> {
                $db::query_as::<FactorRow>(LIST_USER_FACTORS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("factor"))?
                    .into_iter()
                    .map(Factor::try_from)
                    .collect()
            }

            async fn find_factor(
                &self,
                tenant: &TenantId,
                kind: FactorKind,
                lookup: &str,
            ) -> StoreResult<Option<Factor>> {
                $db::query_as::<FactorRow>(FIND_FACTOR)
                    .bind(tenant.as_str())
                    .bind(kind.as_str())
                    .bind(lookup)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("factor"))?
                    .map(Factor::try_from)
                    .transpose()
            }

            async fn replace_factor_data(
                &self,
                tenant: &TenantId,
                id: &str,
                expected: &str,
                new: &str,
                used_at: OffsetDateTime,
            ) -> StoreResult<bool> {
                let done = $db::query(REPLACE_FACTOR_DATA)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(expected)
                    .bind(new)
                    .bind(ts(used_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("factor"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_factor(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_FACTOR)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(id)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("factor"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_user_factors(
                &self,
                tenant: &TenantId,
                user: &UserId,
                kind: Option<FactorKind>,
            ) -> StoreResult<u64> {
                let done = $db::query(DELETE_USER_FACTORS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(kind.map(FactorKind::as_str))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("factor"))?;
                Ok(done.rows_affected())
            }

            async fn sign_in_profile(&self, tenant: &TenantId, user: &UserId) -> StoreResult<SignInProfile> {
                let raw: Option<String> = $db::query_scalar(SELECT_SIGN_IN_PROFILE)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("sign_in_profile"))?;
                raw.map_or_else(|| Ok(SignInProfile::default()), |r| from_json("sign_in_profile", &r))
            }

            async fn put_sign_in_profile(
                &self,
                tenant: &TenantId,
                user: &UserId,
                profile: &SignInProfile,
            ) -> StoreResult<()> {
                $db::query(UPSERT_SIGN_IN_PROFILE)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(to_json(profile)?)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("sign_in_profile"))?;
                Ok(())
            }
        }
    };
}

impl_factor_store!(SqliteStore, lite);
impl_factor_store!(PgStore, pg);
