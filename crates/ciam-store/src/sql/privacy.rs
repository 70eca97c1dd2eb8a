//! Consent purposes, the consent ledger and the events outbox on both SQL dialects. A ledger
//! entry and the current state it changes are written in one transaction.

use async_trait::async_trait;
use ciam_core::id::{TenantId, UserId};
use ciam_core::outbox::OutboxEvent;
use ciam_core::page::{Page, PageRequest};
use ciam_core::purpose::{ConsentAction, ConsentEvent, ConsentTopic, Purpose, PurposeConsent, VersionCount};
use ciam_core::store::{ConsentLedger, PurposeStore, RetentionStore, StoreError, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{ConsentEventRow, OutboxEventRow, PurposeConsentRow, PurposeRow, from_ts, map_err, to_json, ts};
use super::{PgStore, SqliteStore, after, limit, lite, pg};

/// The insert of outbox event `$n`, ready to execute.
macro_rules! queue_event {
    ($db:ident, $n:expr) => {
        $db::query(INSERT_OUTBOX_EVENT)
            .bind($n.tenant_id.as_str())
            .bind(&$n.id)
            .bind(&$n.event_type)
            .bind(&$n.subject)
            .bind(to_json(&$n.data)?)
            .bind(ts($n.created_at))
    };
}

macro_rules! impl_privacy_stores {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl PurposeStore for $store {
            async fn create_purpose(&self, p: &Purpose) -> StoreResult<()> {
                $db::query(INSERT_PURPOSE)
                    .bind(p.tenant_id.as_str())
                    .bind(&p.id)
                    .bind(to_json(&p.spec)?)
                    .bind(i64::from(p.version))
                    .bind(&p.digest)
                    .bind(ts(p.created_at))
                    .bind(ts(p.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("purpose"))?;
                Ok(())
            }

            async fn list_purposes(&self, tenant: &TenantId) -> StoreResult<Vec<Purpose>> {
                $db::query_as::<PurposeRow>(LIST_PURPOSES)
                    .bind(tenant.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("purpose"))?
                    .into_iter()
                    .map(Purpose::try_from)
                    .collect()
            }

            async fn update_purpose(&self, p: &Purpose) -> StoreResult<bool> {
                let done = $db::query(UPDATE_PURPOSE)
                    .bind(p.tenant_id.as_str())
                    .bind(&p.id)
                    .bind(to_json(&p.spec)?)
                    .bind(i64::from(p.version))
                    .bind(&p.digest)
                    .bind(ts(p.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("purpose"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_purpose(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
                let done = $db::query(DELETE_PURPOSE)
                    .bind(tenant.as_str())
                    .bind(id)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("purpose"))?;
                Ok(done.rows_affected() > 0)
            }
        }

        #[async_trait]
        impl ConsentLedger for $store {
            async fn record_consent(&self, e: &ConsentEvent, notify: Option<&OutboxEvent>) -> StoreResult<i64> {
                let err = map_err("consent");
                let (tenant, user) = (e.tenant_id.as_str(), e.user_id.to_string());
                let granted = e.action == ConsentAction::Granted;
                let mut tx = self.begin_write().await.map_err(&err)?;
                let (purpose, version, digest, client, scope) = match &e.topic {
                    ConsentTopic::Purpose { purpose, version, digest } => {
                        (Some(purpose.as_str()), Some(i64::from(*version)), Some(digest.as_str()), None, None)
                    }
                    ConsentTopic::Scope { client_id, scope } => {
                        (None, None, None, Some(client_id.as_str()), Some(scope.as_str()))
                    }
                };
                let seq: i64 = $db::query_scalar(INSERT_CONSENT_EVENT)
                    .bind(tenant)
                    .bind(&user)
                    .bind(e.action.as_str())
                    .bind(purpose)
                    .bind(version)
                    .bind(digest)
                    .bind(client)
                    .bind(scope)
                    .bind(e.channel.as_str())
                    .bind(e.via_client.as_deref())
                    .bind(e.ip.as_deref())
                    .bind(ts(e.at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(&err)?;
                match &e.topic {
                    ConsentTopic::Purpose { purpose, version, .. } => {
                        $db::query(UPSERT_PURPOSE_CONSENT)
                            .bind(tenant)
                            .bind(&user)
                            .bind(purpose.as_str())
                            .bind(i64::from(*version))
                            .bind(granted)
                            .bind(ts(e.at))
                            .execute(&mut *tx)
                            .await
                            .map_err(&err)?;
                    }
                    ConsentTopic::Scope { client_id, scope } if granted => {
                        $db::query(UPSERT_CONSENT)
                            .bind(tenant)
                            .bind(&user)
                            .bind(client_id.as_str())
                            .bind(scope.as_str())
                            .bind(ts(e.at))
                            .execute(&mut *tx)
                            .await
                            .map_err(&err)?;
                    }
                    ConsentTopic::Scope { client_id, .. } => {
                        $db::query(DELETE_CONSENT)
                            .bind(tenant)
                            .bind(&user)
                            .bind(client_id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(&err)?;
                    }
                }
                if let Some(n) = notify {
                    queue_event!($db, n).execute(&mut *tx).await.map_err(&err)?;
                }
                tx.commit().await.map_err(&err)?;
                Ok(seq)
            }

            async fn purpose_consents(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<PurposeConsent>> {
                $db::query_as::<PurposeConsentRow>(LIST_PURPOSE_CONSENTS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("consent"))?
                    .into_iter()
                    .map(PurposeConsent::try_from)
                    .collect()
            }

            async fn consent_history(
                &self,
                tenant: &TenantId,
                user: &UserId,
                page: &PageRequest,
            ) -> StoreResult<Page<ConsentEvent>> {
                let after_seq: i64 = after(page).parse().unwrap_or(0);
                let rows = $db::query_as::<ConsentEventRow>(CONSENT_HISTORY)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(after_seq)
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("consent"))?;
                let items = rows.into_iter().map(ConsentEvent::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |e| e.seq.to_string()))
            }

            async fn purpose_report(&self, tenant: &TenantId, purpose: &str) -> StoreResult<Vec<VersionCount>> {
                let rows: Vec<(i64, bool, i64)> = $db::query_as(PURPOSE_REPORT)
                    .bind(tenant.as_str())
                    .bind(purpose)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("consent"))?;
                let mut out = std::collections::BTreeMap::<u32, VersionCount>::new();
                for (version, granted, n) in rows {
                    let version = u32::try_from(version).map_err(|_| StoreError::Corrupt("consent version".into()))?;
                    let n = u64::try_from(n).unwrap_or(0);
                    let count = out.entry(version).or_insert(VersionCount { version, granted: 0, withdrawn: 0 });
                    if granted {
                        count.granted += n;
                    } else {
                        count.withdrawn += n;
                    }
                }
                Ok(out.into_values().collect())
            }

            async fn queue_event(&self, n: &OutboxEvent) -> StoreResult<()> {
                queue_event!($db, n).execute(&self.writer).await.map_err(map_err("outbox event"))?;
                Ok(())
            }

            async fn list_outbox_events(
                &self,
                tenant: &TenantId,
                page: &PageRequest,
            ) -> StoreResult<Page<OutboxEvent>> {
                let after_pos: i64 = after(page).parse().unwrap_or(0);
                let rows = $db::query_as::<OutboxEventRow>(LIST_OUTBOX_EVENTS)
                    .bind(tenant.as_str())
                    .bind(after_pos)
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("outbox event"))?;
                let items = rows.into_iter().map(OutboxEventRow::into_event).collect::<StoreResult<Vec<_>>>()?;
                let page = Page::from_overfetch(items, page.size(), |(pos, _)| pos.to_string());
                Ok(Page { items: page.items.into_iter().map(|(_, e)| e).collect(), next_after: page.next_after })
            }
        }
    };
}

macro_rules! impl_erasure_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl RetentionStore for $store {
            async fn erase_user(&self, tenant: &TenantId, user: &UserId, at: OffsetDateTime) -> StoreResult<bool> {
                let err = map_err("user");
                let (t, u) = (tenant.as_str(), user.to_string());
                let mut tx = self.begin_write().await.map_err(&err)?;
                $db::query(DELETE_USER_INVITATIONS).bind(t).bind(&u).execute(&mut *tx).await.map_err(&err)?;
                let gone = $db::query(DELETE_USER).bind(t).bind(&u).execute(&mut *tx).await.map_err(&err)?;
                if gone.rows_affected() == 0 {
                    return Ok(false);
                }
                $db::query(INSERT_TOMBSTONE).bind(t).bind(&u).bind(ts(at)).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)?;
                self.settle_erasure().await;
                Ok(true)
            }

            async fn is_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
                let found: Option<i64> = $db::query_scalar(SELECT_TOMBSTONE)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("user"))?;
                Ok(found.is_some())
            }

            async fn request_erasure(
                &self,
                tenant: &TenantId,
                user: &UserId,
                requested: OffsetDateTime,
                due: OffsetDateTime,
            ) -> StoreResult<()> {
                $db::query(UPSERT_ERASURE_REQUEST)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(ts(requested))
                    .bind(ts(due))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("user"))?;
                Ok(())
            }

            async fn erasure_due(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<OffsetDateTime>> {
                let due: Option<i64> = $db::query_scalar(SELECT_ERASURE_DUE)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("erasure request"))?;
                due.map(from_ts).transpose()
            }

            async fn cancel_erasure(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
                let done = $db::query(DELETE_ERASURE_REQUEST)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("erasure request"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn due_erasures(
                &self,
                tenant: &TenantId,
                now: OffsetDateTime,
                limit: u32,
            ) -> StoreResult<Vec<UserId>> {
                let ids: Vec<String> = $db::query_scalar(DUE_ERASURES)
                    .bind(tenant.as_str())
                    .bind(ts(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("erasure request"))?;
                user_ids(ids)
            }

            async fn unverified_users(
                &self,
                tenant: &TenantId,
                before: OffsetDateTime,
                limit: u32,
            ) -> StoreResult<Vec<UserId>> {
                let ids: Vec<String> = $db::query_scalar(UNVERIFIED_USERS)
                    .bind(tenant.as_str())
                    .bind(false)
                    .bind(ts(before))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("user"))?;
                user_ids(ids)
            }

            async fn purge_ended_grants(
                &self,
                tenant: &TenantId,
                before: OffsetDateTime,
                limit: u32,
            ) -> StoreResult<u64> {
                let mut gone = 0;
                for sql in [PURGE_ENDED_FAMILIES, PURGE_ENDED_DELEGATIONS] {
                    let done = $db::query(sql)
                        .bind(tenant.as_str())
                        .bind(ts(before))
                        .bind(i64::from(limit))
                        .execute(&self.writer)
                        .await
                        .map_err(map_err("grant"))?;
                    gone += done.rows_affected();
                }
                Ok(gone)
            }

            async fn prune_audit(&self, tenant: &TenantId, before_ms: i64, limit: u32) -> StoreResult<u64> {
                let err = map_err("audit");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let oldest: Vec<(i64, i64, String)> = $db::query_as(OLDEST_AUDIT_EVENTS)
                    .bind(tenant.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(&err)?;
                let Some((seq, _, hash)) = oldest.iter().take_while(|(_, at, _)| *at < before_ms).last() else {
                    return Ok(0);
                };
                let gone = $db::query(DELETE_AUDIT_PREFIX)
                    .bind(tenant.as_str())
                    .bind(*seq)
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                $db::query(UPSERT_AUDIT_HORIZON)
                    .bind(tenant.as_str())
                    .bind(*seq)
                    .bind(hash.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                tx.commit().await.map_err(&err)?;
                Ok(gone.rows_affected())
            }

            async fn audit_horizon(&self, tenant: &TenantId) -> StoreResult<Option<(i64, String)>> {
                $db::query_as(SELECT_AUDIT_HORIZON)
                    .bind(tenant.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("audit"))
            }
        }
    };
}

fn user_ids(ids: Vec<String>) -> StoreResult<Vec<UserId>> {
    ids.iter().map(|id| UserId::parse(id).map_err(|e| StoreError::Corrupt(format!("user_id: {e}")))).collect()
}

impl_privacy_stores!(SqliteStore, lite);
impl_erasure_store!(SqliteStore, lite);
impl_erasure_store!(PgStore, pg);
impl_privacy_stores!(PgStore, pg);
