//! Delegations, the audit trail and resources on both SQL dialects.

use async_trait::async_trait;
use ciam_core::agent::Delegation;
use ciam_core::audit::{AuditEvent, AuditFilter, AuditRecord, GENESIS};
use ciam_core::id::{ClientId, ResourceId, TenantId, UserId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::resource::Resource;
use ciam_core::store::{AuditStore, DelegationStore, ResourceStore, StoreError, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{AuditRow, DelegationRow, ResourceRow, map_err, to_json, ts};
use super::{PgStore, SqliteStore, after, limit, lite, pg};

/// Audit events per multi-row insert: 16 values each stays far below SQLite's and PostgreSQL's
/// bind parameter limits.
const AUDIT_ROWS_PER_INSERT: usize = 256;

macro_rules! impl_agent_stores {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl DelegationStore for $store {
            async fn create_delegation(&self, d: &Delegation) -> StoreResult<()> {
                $db::query(INSERT_DELEGATION)
                    .bind(d.tenant_id.as_str())
                    .bind(&d.id)
                    .bind(d.user_id.to_string())
                    .bind(d.agent_id.as_str())
                    .bind(d.scope.to_string())
                    .bind(to_json(&d.audiences)?)
                    .bind(ts(d.created_at))
                    .bind(ts(d.expires_at))
                    .bind(d.revoked_at.map(ts))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("delegation"))?;
                Ok(())
            }

            async fn get_delegation(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Delegation>> {
                $db::query_as::<DelegationRow>(SELECT_DELEGATION)
                    .bind(tenant.as_str())
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("delegation"))?
                    .map(Delegation::try_from)
                    .transpose()
            }

            async fn list_user_delegations(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<Delegation>> {
                let rows = $db::query_as::<DelegationRow>(LIST_USER_DELEGATIONS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("delegation"))?;
                rows.into_iter().map(Delegation::try_from).collect()
            }

            async fn active_delegations(
                &self,
                tenant: &TenantId,
                user: &UserId,
                agent: &ClientId,
                now: OffsetDateTime,
            ) -> StoreResult<Vec<Delegation>> {
                let rows = $db::query_as::<DelegationRow>(ACTIVE_DELEGATIONS)
                    .bind(tenant.as_str())
                    .bind(user.to_string())
                    .bind(agent.as_str())
                    .bind(ts(now))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("delegation"))?;
                rows.into_iter().map(Delegation::try_from).collect()
            }

            async fn revoke_delegation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> StoreResult<bool> {
                let done = $db::query(REVOKE_DELEGATION)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("delegation"))?;
                Ok(done.rows_affected() > 0)
            }
        }

        #[async_trait]
        impl AuditStore for $store {
            async fn append_audit(
                &self,
                batch: &[(TenantId, OffsetDateTime, AuditRecord)],
            ) -> StoreResult<Vec<AuditEvent>> {
                let err = map_err("audit");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let mut stored: Vec<Option<AuditEvent>> = vec![None; batch.len()];
                // Tenants in order of first appearance; each tenant's head is taken once.
                let mut tenants: Vec<&TenantId> = Vec::new();
                for (t, _, _) in batch {
                    if !tenants.contains(&t) {
                        tenants.push(t);
                    }
                }
                for tenant in tenants {
                    let mine: Vec<usize> =
                        (0..batch.len()).filter(|&i| batch.get(i).is_some_and(|b| &b.0 == tenant)).collect();
                    let count = i64::try_from(mine.len()).unwrap_or(i64::MAX);
                    let (last_seq, mut prev): (i64, String) = $db::query_as(ADVANCE_AUDIT_HEAD)
                        .bind(tenant.as_str())
                        .bind(GENESIS)
                        .bind(count)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(&err)?;
                    let mut seq = last_seq - count;
                    let mut sealed = Vec::with_capacity(mine.len());
                    for i in mine {
                        let Some((_, at, record)) = batch.get(i) else { continue };
                        seq += 1;
                        let e = AuditEvent::seal(tenant, seq, *at, &prev, record.clone());
                        prev.clone_from(&e.hash);
                        let actors = to_json(&e.record.actors)?;
                        sealed.push((i, e, actors));
                    }
                    // One multi-row insert per chunk: one round trip for many events. Where the
                    // dialect allows, the last one also sets the head's hash.
                    let chunks = sealed.chunks(AUDIT_ROWS_PER_INSERT).count();
                    for (n, chunk) in sealed.chunks(AUDIT_ROWS_PER_INSERT).enumerate() {
                        let then_head = $db::DML_IN_CTE && n + 1 == chunks;
                        let mut insert = $db::QueryBuilder::new(if then_head {
                            INSERT_AUDIT_EVENTS_THEN_HEAD
                        } else {
                            INSERT_AUDIT_EVENTS
                        });
                        insert.push_values(chunk, |mut row, (_, e, actors)| {
                            let r = &e.record;
                            row.push_bind(tenant.as_str())
                                .push_bind(e.seq)
                                .push_bind(e.time_ms)
                                .push_bind(r.event_type.as_str())
                                .push_bind(r.user_id.as_deref())
                                .push_bind(r.client_id.as_deref())
                                .push_bind(actors.as_str())
                                .push_bind(r.delegation_id.as_deref())
                                .push_bind(r.scope.as_deref())
                                .push_bind(r.audience.as_deref())
                                .push_bind(r.ip.as_deref())
                                .push_bind(r.user_agent.as_deref())
                                .push_bind(r.decision.as_str())
                                .push_bind(r.reason.as_deref())
                                .push_bind(e.prev_hash.as_str())
                                .push_bind(e.hash.as_str());
                        });
                        if then_head {
                            insert.push(THEN_SET_AUDIT_HEAD_HASH);
                            insert.push_bind(prev.as_str());
                            insert.push(OF_TENANT);
                            insert.push_bind(tenant.as_str());
                        }
                        insert.build().execute(&mut *tx).await.map_err(&err)?;
                    }
                    if !$db::DML_IN_CTE || sealed.is_empty() {
                        $db::query(SET_AUDIT_HEAD_HASH)
                            .bind(tenant.as_str())
                            .bind(&prev)
                            .execute(&mut *tx)
                            .await
                            .map_err(&err)?;
                    }
                    for (i, e, _) in sealed {
                        if let Some(slot) = stored.get_mut(i) {
                            *slot = Some(e);
                        }
                    }
                }
                tx.commit().await.map_err(&err)?;
                Ok(stored.into_iter().flatten().collect())
            }

            async fn query_audit(
                &self,
                tenant: &TenantId,
                filter: &AuditFilter,
                page: &PageRequest,
            ) -> StoreResult<Page<AuditEvent>> {
                let after_seq: i64 = after(page).parse().unwrap_or(0);
                let rows = $db::query_as::<AuditRow>(QUERY_AUDIT)
                    .bind(tenant.as_str())
                    .bind(after_seq)
                    .bind(filter.user_id.as_deref())
                    .bind(filter.agent_id.as_deref())
                    .bind(filter.event_type.as_deref())
                    .bind(filter.since_ms)
                    .bind(filter.until_ms)
                    .bind(limit(page))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("audit"))?;
                let items = rows.into_iter().map(AuditEvent::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.limit, |e| e.seq.to_string()))
            }

            async fn audit_chain(&self, tenant: &TenantId, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>> {
                let rows = $db::query_as::<AuditRow>(AUDIT_CHAIN)
                    .bind(tenant.as_str())
                    .bind(after_seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("audit"))?;
                rows.into_iter().map(AuditEvent::try_from).collect()
            }

            async fn audit_head(&self, tenant: &TenantId) -> StoreResult<Option<(i64, String)>> {
                $db::query_as(SELECT_AUDIT_HEAD)
                    .bind(tenant.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("audit"))
            }
        }
    };
}

macro_rules! impl_resource_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl ResourceStore for $store {
            async fn create_resource(&self, r: &Resource) -> StoreResult<()> {
                $db::query(INSERT_RESOURCE)
                    .bind(r.tenant_id.as_str())
                    .bind(r.id.as_str())
                    .bind(&r.identifier)
                    .bind(&r.name)
                    .bind(to_json(&r.scopes)?)
                    .bind(i64::from(r.access_token_lifetime))
                    .bind(ts(r.created_at))
                    .bind(ts(r.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("resource"))?;
                Ok(())
            }

            async fn get_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<Option<Resource>> {
                $db::query_as::<ResourceRow>(SELECT_RESOURCE)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("resource"))?
                    .map(Resource::try_from)
                    .transpose()
            }

            async fn find_resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>> {
                $db::query_as::<ResourceRow>(FIND_RESOURCE)
                    .bind(tenant.as_str())
                    .bind(identifier)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("resource"))?
                    .map(Resource::try_from)
                    .transpose()
            }

            async fn list_resources(&self, tenant: &TenantId) -> StoreResult<Vec<Resource>> {
                let rows = $db::query_as::<ResourceRow>(LIST_RESOURCES)
                    .bind(tenant.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("resource"))?;
                rows.into_iter().map(Resource::try_from).collect()
            }

            async fn update_resource(&self, r: &Resource) -> StoreResult<()> {
                let done = $db::query(UPDATE_RESOURCE)
                    .bind(r.tenant_id.as_str())
                    .bind(r.id.as_str())
                    .bind(&r.identifier)
                    .bind(&r.name)
                    .bind(to_json(&r.scopes)?)
                    .bind(i64::from(r.access_token_lifetime))
                    .bind(ts(r.updated_at))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("resource"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn delete_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<bool> {
                let done = $db::query(DELETE_RESOURCE)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("resource"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_resource_store!(SqliteStore, lite);
impl_resource_store!(PgStore, pg);
impl_agent_stores!(SqliteStore, lite);
impl_agent_stores!(PgStore, pg);
