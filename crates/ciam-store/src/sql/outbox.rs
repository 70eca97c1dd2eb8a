//! The mail outbox on both SQL dialects: one statement per call, the claim a compare-and-set on
//! the hold (`locked_until`), so several nodes on one Postgres share the work without row locks
//! and SQLite needs no `for update`.

use async_trait::async_trait;
use ciam_core::id::TenantId;
use ciam_core::outbox::QueuedMail;
use ciam_core::store::{MailOutboxStore, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{MailRow, map_err, ts};
use super::{PgStore, SqliteStore, lite, pg};

/// The longest error text kept with a message.
const MAX_ERROR: usize = 500;

fn bounded(error: &str) -> &str {
    let cut = (0..=MAX_ERROR.min(error.len())).rev().find(|&i| error.is_char_boundary(i)).unwrap_or(0);
    error.get(..cut).unwrap_or("")
}

macro_rules! impl_outbox_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl MailOutboxStore for $store {
            async fn enqueue_mail(&self, m: &QueuedMail) -> StoreResult<()> {
                $db::query(INSERT_MAIL)
                    .bind(m.tenant_id.as_str())
                    .bind(&m.id)
                    .bind(&m.sealed)
                    .bind(m.state.as_str())
                    .bind(i64::from(m.attempts))
                    .bind(ts(m.created_at))
                    .bind(ts(m.next_attempt_at))
                    .bind(ts(m.expires_at))
                    .bind(m.claim.as_deref())
                    .bind(m.locked_until.map(ts))
                    .bind(m.last_error.as_deref().map(bounded))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("mail"))?;
                Ok(())
            }

            async fn claim_mail(
                &self,
                claim: &str,
                now: OffsetDateTime,
                until: OffsetDateTime,
                limit: u32,
            ) -> StoreResult<Vec<QueuedMail>> {
                let rows = $db::query_as::<MailRow>(CLAIM_MAIL)
                    .bind(claim)
                    .bind(ts(now))
                    .bind(ts(until))
                    .bind(i64::from(limit))
                    .fetch_all(&self.writer)
                    .await
                    .map_err(map_err("mail"))?;
                let mut claimed = rows.into_iter().map(QueuedMail::try_from).collect::<StoreResult<Vec<_>>>()?;
                // `returning` keeps no order.
                claimed.sort_by(|a, b| (a.next_attempt_at, a.created_at).cmp(&(b.next_attempt_at, b.created_at)));
                Ok(claimed)
            }

            async fn delete_claimed_mail(&self, tenant: &TenantId, id: &str, claim: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_CLAIMED_MAIL)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(claim)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("mail"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_failed_mail(
                &self,
                tenant: &TenantId,
                id: &str,
                claim: &str,
                retry_at: Option<OffsetDateTime>,
                error: &str,
            ) -> StoreResult<bool> {
                let done = $db::query(RELEASE_FAILED_MAIL)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(claim)
                    .bind(retry_at.map(ts))
                    .bind(bounded(error))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("mail"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn get_mail(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<QueuedMail>> {
                $db::query_as::<MailRow>(SELECT_MAIL)
                    .bind(tenant.as_str())
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("mail"))?
                    .map(QueuedMail::try_from)
                    .transpose()
            }

            async fn purge_failed_mail(&self, cutoff: OffsetDateTime) -> StoreResult<u64> {
                let done = $db::query(PURGE_FAILED_MAIL)
                    .bind(ts(cutoff))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("mail"))?;
                Ok(done.rows_affected())
            }
        }
    };
}

impl_outbox_store!(SqliteStore, lite);
impl_outbox_store!(PgStore, pg);
