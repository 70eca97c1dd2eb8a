//! Invitations on both SQL dialects. Using one is a compare-and-set (pending only), so two
//! requests with the same link create one account.

use async_trait::async_trait;
use ciam_core::id::{TenantId, UserId};
use ciam_core::invitation::Invitation;
use ciam_core::page::{Page, PageRequest};
use ciam_core::store::{InvitationStore, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{InvitationRow, map_err, ts};
use super::{PgStore, SqliteStore, after, limit, lite, pg};

macro_rules! impl_invitation_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl InvitationStore for $store {
            async fn create_invitation(&self, i: &Invitation, token_hash: &str) -> StoreResult<()> {
                $db::query(INSERT_INVITATION)
                    .bind(i.tenant_id.as_str())
                    .bind(&i.id)
                    .bind(i.email.as_str())
                    .bind(i.email.normalized())
                    .bind(token_hash)
                    .bind(ts(i.created_at))
                    .bind(ts(i.expires_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("invitation"))?;
                Ok(())
            }

            async fn list_invitations(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Invitation>> {
                let rows = $db::query_as::<InvitationRow>(LIST_INVITATIONS)
                    .bind(tenant.as_str())
                    .bind(after(page))
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("invitation"))?;
                let items = rows.into_iter().map(Invitation::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |i| i.id.clone()))
            }

            async fn get_invitation(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Invitation>> {
                $db::query_as::<InvitationRow>(SELECT_INVITATION)
                    .bind(tenant.as_str())
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("invitation"))?
                    .map(Invitation::try_from)
                    .transpose()
            }

            async fn find_invitation(&self, tenant: &TenantId, token_hash: &str) -> StoreResult<Option<Invitation>> {
                $db::query_as::<InvitationRow>(FIND_INVITATION)
                    .bind(tenant.as_str())
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("invitation"))?
                    .map(Invitation::try_from)
                    .transpose()
            }

            async fn use_invitation(
                &self,
                tenant: &TenantId,
                id: &str,
                user: &UserId,
                now: OffsetDateTime,
            ) -> StoreResult<bool> {
                let done = $db::query(USE_INVITATION)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(user.to_string())
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("invitation"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_invitation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> StoreResult<bool> {
                let done = $db::query(REVOKE_INVITATION)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("invitation"))?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

impl_invitation_store!(SqliteStore, lite);
impl_invitation_store!(PgStore, pg);
