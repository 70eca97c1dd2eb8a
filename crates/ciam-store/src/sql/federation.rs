//! Upstream identity providers and the accounts linked through them, on both SQL dialects. A
//! provider's settings are one JSON column; its sealed client secret a column of its own. Links
//! go with their provider (deleted in the same transaction, counted) and with their user (by the
//! foreign key's cascade).

use async_trait::async_trait;
use ciam_core::federation::{FederatedIdentity, IdentityProvider};
use ciam_core::id::{TenantId, UserId};
use ciam_core::saml_app::SamlSigningKey;
use ciam_core::store::{FederationStore, StoreError, StoreResult};

use super::queries::*;
use super::rows::{FederatedIdentityRow, IdentityProviderRow, from_ts, map_err, to_json, ts};
use super::{PgStore, SqliteStore, lite, pg};

macro_rules! impl_federation_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl FederationStore for $store {
            async fn saml_signing_key(&self, tenant: &TenantId) -> StoreResult<Option<SamlSigningKey>> {
                let row: Option<(String, String, i64)> = $db::query_as(SELECT_SAML_SIGNING_KEY)
                    .bind(tenant.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("saml signing key"))?;
                row.map(|(sealed_private, certificate, created_at)| {
                    Ok(SamlSigningKey {
                        tenant_id: tenant.clone(),
                        sealed_private,
                        certificate,
                        created_at: from_ts(created_at)?,
                    })
                })
                .transpose()
            }

            async fn create_saml_signing_key(&self, key: &SamlSigningKey) -> StoreResult<bool> {
                let done = $db::query(INSERT_SAML_SIGNING_KEY)
                    .bind(key.tenant_id.as_str())
                    .bind(&key.sealed_private)
                    .bind(&key.certificate)
                    .bind(ts(key.created_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("saml signing key"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
                $db::query(INSERT_IDENTITY_PROVIDER)
                    .bind(p.tenant_id.as_str())
                    .bind(&p.id)
                    .bind(to_json(&p.config)?)
                    .bind(p.sealed_secret.as_deref())
                    .bind(ts(p.created_at))
                    .bind(ts(p.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("identity provider"))?;
                Ok(())
            }

            async fn get_identity_provider(
                &self,
                tenant: &TenantId,
                id: &str,
            ) -> StoreResult<Option<IdentityProvider>> {
                $db::query_as::<IdentityProviderRow>(SELECT_IDENTITY_PROVIDER)
                    .bind(tenant.as_str())
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("identity provider"))?
                    .map(IdentityProvider::try_from)
                    .transpose()
            }

            async fn list_identity_providers(&self, tenant: &TenantId) -> StoreResult<Vec<IdentityProvider>> {
                $db::query_as::<IdentityProviderRow>(LIST_IDENTITY_PROVIDERS)
                    .bind(tenant.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("identity provider"))?
                    .into_iter()
                    .map(IdentityProvider::try_from)
                    .collect()
            }

            async fn update_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
                let done = $db::query(UPDATE_IDENTITY_PROVIDER)
                    .bind(p.tenant_id.as_str())
                    .bind(&p.id)
                    .bind(to_json(&p.config)?)
                    .bind(p.sealed_secret.as_deref())
                    .bind(ts(p.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("identity provider"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn delete_identity_provider(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<u64>> {
                let err = map_err("identity provider");
                let mut tx = self.begin_write().await.map_err(&err)?;
                // The links first, to count them; a link made meanwhile (Postgres) still goes
                // with the provider by the foreign key's cascade.
                let links = $db::query(DELETE_PROVIDER_IDENTITIES)
                    .bind(tenant.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                let provider = $db::query(DELETE_IDENTITY_PROVIDER)
                    .bind(tenant.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                if provider.rows_affected() == 0 {
                    // No provider, so no links either: nothing to keep.
                    return Ok(None);
                }
                tx.commit().await.map_err(&err)?;
                Ok(Some(links.rows_affected()))
            }

            async fn link_identity(&self, link: &FederatedIdentity) -> StoreResult<()> {
                // A taken (provider, subject) is a unique violation (conflict), a missing provider
                // or user a foreign key violation (not found).
                $db::query(INSERT_FEDERATED_IDENTITY)
                    .bind(link.tenant_id.as_str())
                    .bind(&link.provider_id)
                    .bind(&link.subject)
                    .bind(link.user_id.to_string())
                    .bind(link.email.as_deref())
                    .bind(ts(link.linked_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("identity link"))?;
                Ok(())
            }

            async fn find_identity(
                &self,
                tenant: &TenantId,
                provider: &str,
                subject: &str,
            ) -> StoreResult<Option<FederatedIdentity>> {
                $db::query_as::<FederatedIdentityRow>(FIND_FEDERATED_IDENTITY)
                    .bind(tenant.as_str())
                    .bind(provider)
                    .bind(subject)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("identity link"))?
                    .map(FederatedIdentity::try_from)
                    .transpose()
            }

            async fn list_user_identities(
                &self,
                tenant: &TenantId,
                user: &UserId,
            ) -> StoreResult<Vec<FederatedIdentity>> {
                $db::query_as::<FederatedIdentityRow>(LIST_USER_IDENTITIES)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("identity link"))?
                    .into_iter()
                    .map(FederatedIdentity::try_from)
                    .collect()
            }

            async fn unlink_identity(
                &self,
                tenant: &TenantId,
                user: &UserId,
                provider: &str,
                subject: &str,
            ) -> StoreResult<bool> {
                let done = $db::query(DELETE_FEDERATED_IDENTITY)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(provider)
                    .bind(subject)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("identity link"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_federation_store!(SqliteStore, lite);
impl_federation_store!(PgStore, pg);
