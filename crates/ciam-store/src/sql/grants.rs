//! What grants leave behind, on both SQL dialects: revoked access tokens, refresh token families
//! with rotation and reuse detection, and remembered consents.

use async_trait::async_trait;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord, Rotation};
use ciam_core::secret::SecretHash;
use ciam_core::store::{ConsentStore, RefreshStore, RevocationStore, StoreError, StoreResult};

use super::agents::refresh_family_values;
use super::queries::*;
use super::rows::{self, RefreshRow, from_ts, map_err, to_json, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! impl_revocation_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl RevocationStore for $store {
            async fn revoke_token(
                &self,
                tenant: &TenantId,
                jti: &str,
                expires_at: time::OffsetDateTime,
            ) -> StoreResult<()> {
                $db::query(REVOKE_TOKEN)
                    .bind(tenant.as_str())
                    .bind(jti)
                    .bind(ts(expires_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("revocation"))?;
                Ok(())
            }

            async fn is_token_revoked(&self, tenant: &TenantId, jti: &str, grant: Option<&str>) -> StoreResult<bool> {
                let hit: Option<i32> = $db::query_scalar(IS_TOKEN_REVOKED)
                    .bind(tenant.as_str())
                    .bind(jti)
                    .bind(grant.unwrap_or(jti))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("revocation"))?;
                Ok(hit.is_some())
            }

            async fn unexpired_revocations(
                &self,
                tenant: &TenantId,
                now: time::OffsetDateTime,
                limit: u32,
            ) -> StoreResult<Vec<(String, time::OffsetDateTime)>> {
                let rows: Vec<(String, i64)> = $db::query_as(UNEXPIRED_REVOCATIONS)
                    .bind(tenant.as_str())
                    .bind(ts(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("revocation"))?;
                rows.into_iter().map(|(jti, expires_at)| Ok((jti, from_ts(expires_at)?))).collect()
            }

            async fn purge_revocations(&self, now: time::OffsetDateTime) -> StoreResult<u64> {
                let done = $db::query(PURGE_REVOCATIONS)
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("revocation"))?;
                Ok(done.rows_affected())
            }
        }
    };
}

macro_rules! insert_refresh_token {
    ($db:ident, $t:expr) => {
        $db::query(INSERT_REFRESH_TOKEN)
            .bind($t.tenant_id.as_str())
            .bind($t.token_hash.as_str())
            .bind(&$t.family_id)
            .bind(ts($t.issued_at))
            .bind(ts($t.expires_at))
            .bind($t.rotated_at.map(ts))
    };
}

macro_rules! impl_refresh_store {
    ($store:ty, $db:ident) => {
        impl $store {
            /// Inserts a family and its first token within `tx`.
            pub(super) async fn insert_refresh_family(
                tx: &mut $db::Tx,
                f: &RefreshFamily,
                first: &RefreshTokenRecord,
            ) -> StoreResult<()> {
                let err = map_err("refresh_family");
                let details = f.authorization_details.as_ref().map(to_json).transpose()?;
                refresh_family_values!($db::query(INSERT_REFRESH_FAMILY), bind, f, details)
                    .execute(&mut **tx)
                    .await
                    .map_err(&err)?;
                insert_refresh_token!($db, first).execute(&mut **tx).await.map_err(&err)?;
                Ok(())
            }
        }

        #[async_trait]
        impl RefreshStore for $store {
            async fn create_refresh_family(&self, f: &RefreshFamily, first: &RefreshTokenRecord) -> StoreResult<()> {
                let err = map_err("refresh_family");
                let mut tx = self.begin_write().await.map_err(&err)?;
                Self::insert_refresh_family(&mut tx, f, first).await?;
                tx.commit().await.map_err(&err)
            }

            async fn find_refresh_token(
                &self,
                tenant: &TenantId,
                token_hash: &SecretHash,
            ) -> StoreResult<Option<(RefreshTokenRecord, RefreshFamily)>> {
                $db::query_as::<RefreshRow>(FIND_REFRESH_TOKEN)
                    .bind(tenant.as_str())
                    .bind(token_hash.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("refresh_token"))?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn rotate_refresh_token(
                &self,
                tenant: &TenantId,
                token_hash: &SecretHash,
                successor: &RefreshTokenRecord,
                now: time::OffsetDateTime,
            ) -> StoreResult<Rotation> {
                let err = map_err("refresh_token");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let marked = $db::query(MARK_REFRESH_ROTATED)
                    .bind(tenant.as_str())
                    .bind(token_hash.as_str())
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                if marked.rows_affected() == 0 {
                    // Already rotated: reuse. Revoke the family in the same transaction.
                    $db::query(REVOKE_FAMILY_OF_TOKEN)
                        .bind(tenant.as_str())
                        .bind(token_hash.as_str())
                        .bind(ts(now))
                        .execute(&mut *tx)
                        .await
                        .map_err(&err)?;
                    tx.commit().await.map_err(&err)?;
                    return Ok(Rotation::Reused);
                }
                insert_refresh_token!($db, successor).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)?;
                Ok(Rotation::Rotated)
            }

            async fn revoke_refresh_family(
                &self,
                tenant: &TenantId,
                family_id: &str,
                now: time::OffsetDateTime,
            ) -> StoreResult<bool> {
                let done = $db::query(REVOKE_REFRESH_FAMILY)
                    .bind(tenant.as_str())
                    .bind(family_id)
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("refresh_family"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn revoke_user_refresh_families(
                &self,
                tenant: &TenantId,
                user: &UserId,
                now: time::OffsetDateTime,
            ) -> StoreResult<u64> {
                let done = $db::query(REVOKE_USER_REFRESH_FAMILIES)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("refresh_family"))?;
                Ok(done.rows_affected())
            }

            async fn narrow_user_refresh_families(
                &self,
                tenant: &TenantId,
                user: &UserId,
                scope: &str,
            ) -> StoreResult<u64> {
                let done = $db::query(NARROW_USER_REFRESH_FAMILIES)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(scope)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("refresh_family"))?;
                Ok(done.rows_affected())
            }

            async fn revoke_client_refresh_families(
                &self,
                tenant: &TenantId,
                user: &UserId,
                client: &ClientId,
                now: time::OffsetDateTime,
            ) -> StoreResult<u64> {
                let done = $db::query(REVOKE_CLIENT_REFRESH_FAMILIES)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(client.as_str())
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("refresh_family"))?;
                Ok(done.rows_affected())
            }
        }
    };
}

macro_rules! impl_consent_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl ConsentStore for $store {
            async fn get_consent(
                &self,
                tenant: &TenantId,
                user: &UserId,
                client: &ClientId,
            ) -> StoreResult<Option<String>> {
                $db::query_scalar(SELECT_CONSENT)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(client.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("consent"))
            }

            async fn list_consents(
                &self,
                tenant: &TenantId,
                user: &UserId,
            ) -> StoreResult<Vec<(ClientId, String, time::OffsetDateTime)>> {
                let rows: Vec<(String, String, i64)> = $db::query_as(LIST_CONSENTS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("consent"))?;
                rows.into_iter()
                    .map(|(c, s, t)| {
                        let client = ClientId::parse(&c).map_err(|e| StoreError::Corrupt(format!("client_id: {e}")))?;
                        Ok((client, s, rows::from_ts(t)?))
                    })
                    .collect()
            }
        }
    };
}

impl_consent_store!(SqliteStore, lite);
impl_consent_store!(PgStore, pg);
impl_refresh_store!(SqliteStore, lite);
impl_refresh_store!(PgStore, pg);
impl_revocation_store!(SqliteStore, lite);
impl_revocation_store!(PgStore, pg);
