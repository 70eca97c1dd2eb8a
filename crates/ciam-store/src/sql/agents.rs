//! Delegations, the audit trail and resources on both SQL dialects.

use async_trait::async_trait;
use ciam_core::agent::Delegation;
use ciam_core::audit::{AuditCount, AuditEvent, AuditFilter, AuditRecord, GENESIS, Personal};
use ciam_core::id::{ClientId, ResourceId, TenantId, UserId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
use ciam_core::resource::Resource;
use ciam_core::secret::SecretHash;
use ciam_core::store::{AuditEntry, AuditStore, DelegationStore, RefreshStore, ResourceStore, StoreError, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{AuditRow, DelegationRow, ResourceRow, enum_to_str, map_err, to_json, ts};
use super::{PgStore, SqliteStore, after, limit, lite, pg};

/// Audit events per multi-row insert: 20 values each stays far below SQLite's and PostgreSQL's
/// bind parameter limits.
const AUDIT_ROWS_PER_INSERT: usize = 256;

/// The values of one audit row, in `audit_columns!` order, onto a `push_values` row. A sealed
/// event's clear personal columns are written empty whatever its record holds: its hash does not
/// cover them, and they must never reach the database.
macro_rules! audit_values {
    ($row:ident, $e:expr, $actors:expr) => {{
        let (e, r) = ($e, &$e.record);
        let (clear, subject, personal) = match &r.personal {
            Personal::Clear => (true, None, None),
            Personal::Sealed(s) => (false, s.subject.as_deref(), s.data.as_deref()),
        };
        let clear_only = |v: &Option<String>| if clear { v.clone() } else { None };
        $row.push_bind(e.tenant_id.as_str())
            .push_bind(e.seq)
            .push_bind(e.time_ms)
            .push_bind(r.event_type.as_str())
            .push_bind(clear_only(&r.user_id))
            .push_bind(r.client_id.as_deref())
            .push_bind($actors.as_str())
            .push_bind(r.delegation_id.as_deref())
            .push_bind(r.scope.as_deref())
            .push_bind(r.audience.as_deref())
            .push_bind(clear_only(&r.ip))
            .push_bind(clear_only(&r.user_agent))
            .push_bind(r.decision.as_str())
            .push_bind(r.reason.as_deref())
            .push_bind(e.prev_hash.as_str())
            .push_bind(e.hash.as_str())
            .push_bind(r.personal.form())
            .push_bind(subject)
            .push_bind(personal)
            .push_bind(r.grant.as_deref());
    }};
}

/// The values of one refresh family in `INSERT_REFRESH_FAMILY`'s column order, bound with
/// `$bind`: `bind` on a query, `push_bind` on a row of a multi-row insert.
macro_rules! refresh_family_values {
    ($q:expr, $bind:ident, $f:expr, $details:expr) => {
        $q.$bind($f.tenant_id.as_str())
            .$bind($f.family_id.as_str())
            .$bind($f.client_id.as_str())
            .$bind($f.user_id.to_string())
            .$bind($f.scope.as_str())
            .$bind(ts($f.auth_time))
            .$bind($f.sid.as_deref())
            .$bind(ts($f.created_at))
            .$bind(ts($f.expires_at))
            .$bind($f.revoked_at.map(ts))
            .$bind($f.dpop_jkt.as_deref())
            .$bind($f.resources.join(" "))
            .$bind($f.acr.as_deref())
            .$bind($f.userinfo_claims.join(" "))
            .$bind($details)
    };
}
pub(crate) use refresh_family_values;

/// An event to append, borrowed from the caller's batch: only sealing copies the record.
type Event<'a> = (&'a TenantId, OffsetDateTime, &'a AuditRecord);

/// A batch of `append_audit`, as events.
fn events(batch: &[(TenantId, OffsetDateTime, AuditRecord)]) -> Vec<Event<'_>> {
    batch.iter().map(|(tenant, at, record)| (tenant, *at, record)).collect()
}

/// Tenants of `batch` in order of first appearance, each with the indexes of its events.
fn by_tenant<'a>(batch: &[Event<'a>]) -> Vec<(&'a TenantId, Vec<usize>)> {
    let mut tenants: Vec<(&TenantId, Vec<usize>)> = Vec::new();
    for (i, &(t, _, _)) in batch.iter().enumerate() {
        match tenants.iter_mut().find(|(known, _)| *known == t) {
            Some((_, mine)) => mine.push(i),
            None => tenants.push((t, vec![i])),
        }
    }
    tenants
}

/// Seals the events `mine` of `batch` onto the chain after `last_seq` and `prev` (which ends as
/// the new head's hash), each with its index and its actors as JSON.
fn seal(
    batch: &[Event<'_>],
    tenant: &TenantId,
    mine: &[usize],
    last_seq: i64,
    prev: &mut String,
) -> StoreResult<Vec<(usize, AuditEvent, String)>> {
    let mut sealed = Vec::with_capacity(mine.len());
    let mut seq = last_seq;
    for &i in mine {
        let Some(&(_, at, record)) = batch.get(i) else { continue };
        seq += 1;
        let e = AuditEvent::seal(tenant, seq, at, prev, record.clone());
        prev.clone_from(&e.hash);
        let actors = to_json(&e.record.actors)?;
        sealed.push((i, e, actors));
    }
    Ok(sealed)
}

macro_rules! impl_agent_stores {
    ($store:ty, $db:ident, $append:ident, $append_with:ident) => {
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

            async fn live_agent_delegations(
                &self,
                tenant: &TenantId,
                agent: &ClientId,
                now: OffsetDateTime,
            ) -> StoreResult<Vec<Delegation>> {
                let rows = $db::query_as::<DelegationRow>(LIVE_AGENT_DELEGATIONS)
                    .bind(tenant.as_str())
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

        impl $store {
            /// Appends in one transaction: each tenant's head is advanced (created on first use)
            /// and its events inserted.
            async fn append_in_transaction(&self, batch: &[Event<'_>]) -> StoreResult<Vec<AuditEvent>> {
                let err = map_err("audit");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let stored = Self::append_within(&mut tx, batch).await?;
                tx.commit().await.map_err(&err)?;
                Ok(stored)
            }

            /// Appends `batch` within `tx`.
            async fn append_within(tx: &mut $db::Tx, batch: &[Event<'_>]) -> StoreResult<Vec<AuditEvent>> {
                let err = map_err("audit");
                let mut stored: Vec<Option<AuditEvent>> = vec![None; batch.len()];
                // Tenants in order of first appearance; each tenant's head is taken once.
                for (tenant, mine) in by_tenant(batch) {
                    let count = i64::try_from(mine.len()).unwrap_or(i64::MAX);
                    let (last_seq, mut prev): (i64, String) = $db::query_as(ADVANCE_AUDIT_HEAD)
                        .bind(tenant.as_str())
                        .bind(GENESIS)
                        .bind(count)
                        .fetch_one(&mut **tx)
                        .await
                        .map_err(&err)?;
                    let sealed = seal(batch, tenant, &mine, last_seq - count, &mut prev)?;
                    // One multi-row insert per chunk: one round trip for many events.
                    for chunk in sealed.chunks(AUDIT_ROWS_PER_INSERT) {
                        let mut insert = $db::QueryBuilder::new(INSERT_AUDIT_EVENTS);
                        insert.push_values(chunk, |mut row, (_, e, actors)| audit_values!(row, e, actors));
                        insert.build().execute(&mut **tx).await.map_err(&err)?;
                    }
                    $db::query(SET_AUDIT_HEAD_HASH)
                        .bind(tenant.as_str())
                        .bind(&prev)
                        .execute(&mut **tx)
                        .await
                        .map_err(&err)?;
                    for (i, e, _) in sealed {
                        if let Some(slot) = stored.get_mut(i) {
                            *slot = Some(e);
                        }
                    }
                }
                Ok(stored.into_iter().flatten().collect())
            }
        }

        #[async_trait]
        impl AuditStore for $store {
            async fn append_audit(
                &self,
                batch: &[(TenantId, OffsetDateTime, AuditRecord)],
            ) -> StoreResult<Vec<AuditEvent>> {
                self.$append(&events(batch)).await
            }

            async fn append_audit_with_grants(&self, batch: &[AuditEntry]) -> StoreResult<Vec<StoreResult<()>>> {
                self.$append_with(batch).await
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
                    .bind(filter.subject.as_deref())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("audit"))?;
                let items = rows.into_iter().map(AuditEvent::try_from).collect::<StoreResult<Vec<_>>>()?;
                Ok(Page::from_overfetch(items, page.size(), |e| e.seq.to_string()))
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

            async fn audit_counts(
                &self,
                tenant: &TenantId,
                since_ms: i64,
                until_ms: i64,
            ) -> StoreResult<Vec<AuditCount>> {
                let rows: Vec<(String, String, Option<String>, i64)> = $db::query_as(AUDIT_COUNTS)
                    .bind(tenant.as_str())
                    .bind(since_ms)
                    .bind(until_ms)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("audit"))?;
                Ok(rows
                    .into_iter()
                    .map(|(event_type, decision, grant, n)| AuditCount {
                        event_type,
                        decision,
                        grant,
                        count: u64::try_from(n).unwrap_or(0),
                    })
                    .collect())
            }
        }
    };
}

/// How a resource introspects, as stored.
fn introspection_method(r: &Resource) -> StoreResult<Option<String>> {
    r.introspection.as_ref().map(|a| enum_to_str(&a.method)).transpose()
}

/// A resource's inline keys, as stored.
fn introspection_jwks(r: &Resource) -> StoreResult<Option<String>> {
    r.introspection.as_ref().and_then(|a| a.jwks.as_ref()).map(to_json).transpose()
}

macro_rules! impl_resource_store {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl ResourceStore for $store {
            async fn create_resource(&self, r: &Resource, secret: Option<&SecretHash>) -> StoreResult<()> {
                $db::query(INSERT_RESOURCE)
                    .bind(r.tenant_id.as_str())
                    .bind(r.id.as_str())
                    .bind(&r.identifier)
                    .bind(&r.name)
                    .bind(to_json(&r.scopes)?)
                    .bind(i64::from(r.access_token_lifetime))
                    .bind(ts(r.created_at))
                    .bind(ts(r.updated_at))
                    .bind(introspection_method(r)?)
                    .bind(r.introspection.as_ref().and_then(|a| a.jwks_uri.as_deref()))
                    .bind(introspection_jwks(r)?)
                    .bind(secret.map(SecretHash::as_str))
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
                    .bind(introspection_method(r)?)
                    .bind(r.introspection.as_ref().and_then(|a| a.jwks_uri.as_deref()))
                    .bind(introspection_jwks(r)?)
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("resource"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn set_resource_secret(
                &self,
                tenant: &TenantId,
                id: &ResourceId,
                secret: Option<&SecretHash>,
                now: OffsetDateTime,
            ) -> StoreResult<()> {
                let done = $db::query(SET_RESOURCE_SECRET)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .bind(secret.map(SecretHash::as_str))
                    .bind(ts(now))
                    .execute(&self.writer)
                    .await
                    .map_err(map_err("resource"))?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn resource_secret_hash(
                &self,
                tenant: &TenantId,
                id: &ResourceId,
            ) -> StoreResult<Option<SecretHash>> {
                let hash: Option<Option<String>> = $db::query_scalar(SELECT_RESOURCE_SECRET)
                    .bind(tenant.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("resource"))?;
                Ok(hash.flatten().map(SecretHash::from_stored))
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
impl_agent_stores!(SqliteStore, lite, append_in_transaction, append_with_grants_in_transaction);
impl_agent_stores!(PgStore, pg, append_compare_and_set, append_with_grants_first);

/// The events of the entries whose grant was stored.
fn stored_events<'a>(batch: &'a [AuditEntry], outcomes: &[StoreResult<()>]) -> Vec<Event<'a>> {
    batch
        .iter()
        .zip(outcomes)
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|(e, _)| (&e.tenant, e.at, &e.record))
        .collect()
}

impl SqliteStore {
    /// Everything in one transaction, so a batch of token requests costs one commit: each
    /// family inside a savepoint (a refused one is rolled back alone), then the events.
    async fn append_with_grants_in_transaction(&self, batch: &[AuditEntry]) -> StoreResult<Vec<StoreResult<()>>> {
        let err = map_err("audit");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for entry in batch {
            let Some(family) = &entry.family else {
                outcomes.push(Ok(()));
                continue;
            };
            lite::query("savepoint grant").execute(&mut *tx).await.map_err(&err)?;
            let outcome = Self::insert_refresh_family(&mut tx, &family.0, &family.1).await;
            if outcome.is_err() {
                lite::query("rollback to grant").execute(&mut *tx).await.map_err(&err)?;
            }
            lite::query("release grant").execute(&mut *tx).await.map_err(&err)?;
            outcomes.push(outcome);
        }
        Self::append_within(&mut tx, &stored_events(batch, &outcomes)).await?;
        tx.commit().await.map_err(&err)?;
        Ok(outcomes)
    }
}

impl PgStore {
    /// A batch of token requests on PostgreSQL. For each tenant whose head this node wrote last
    /// (and no more than one insert's worth of events), one autocommitted statement advances the
    /// head if it is still the one remembered and, only if it did, creates the batch's refresh
    /// families with their first tokens and inserts its events: one round trip and one commit
    /// for the tenant's part of the batch, all of it or nothing. What that leaves (a tenant's
    /// first append on this node, another node appended since, a family refused, say its user
    /// deleted meanwhile) goes through [`Self::append_families_then_events`].
    async fn append_with_grants_first(&self, batch: &[AuditEntry]) -> StoreResult<Vec<StoreResult<()>>> {
        let events: Vec<Event<'_>> = batch.iter().map(|e| (&e.tenant, e.at, &e.record)).collect();
        let mut rest = Vec::new();
        for (tenant, mine) in by_tenant(&events) {
            let families: Vec<_> = mine.iter().filter_map(|&i| batch.get(i)?.family.as_deref()).collect();
            if self.append_at_head(&events, tenant, &mine, &families).await?.is_none() {
                rest.extend(mine);
            }
        }
        let mut outcomes: Vec<StoreResult<()>> = batch.iter().map(|_| Ok(())).collect();
        if !rest.is_empty() {
            for (i, outcome) in rest.iter().zip(self.append_families_then_events(batch, &rest).await?) {
                if let Some(slot) = outcomes.get_mut(*i) {
                    *slot = outcome;
                }
            }
        }
        Ok(outcomes)
    }

    /// The one statement for the events `mine` of `tenant` (and `families`), when this node
    /// knows the tenant's head: the events as appended, each with its index, or `None` when it
    /// appended nothing.
    async fn append_at_head(
        &self,
        events: &[Event<'_>],
        tenant: &TenantId,
        mine: &[usize],
        families: &[&(RefreshFamily, RefreshTokenRecord)],
    ) -> StoreResult<Option<Vec<(usize, AuditEvent, String)>>> {
        let Some((last_seq, mut prev)) = self.audit_heads.get(tenant).filter(|_| mine.len() <= AUDIT_ROWS_PER_INSERT)
        else {
            return Ok(None);
        };
        let last_hash = prev.clone();
        let sealed = seal(events, tenant, mine, last_seq, &mut prev)?;
        let new_seq = last_seq + i64::try_from(sealed.len()).unwrap_or(i64::MAX);
        let authorization_details = families
            .iter()
            .map(|(f, _)| f.authorization_details.as_ref().map(to_json).transpose())
            .collect::<StoreResult<Vec<_>>>()?;
        let mut append = pg::QueryBuilder::new(ADVANCE_AUDIT_HEAD_IF);
        append.push_bind(new_seq).push(", hash = ").push_bind(prev.as_str());
        append.push(" where tenant_id = ").push_bind(tenant.as_str());
        append.push(" and seq = ").push_bind(last_seq).push(" and hash = ").push_bind(last_hash.as_str());
        append.push(" returning 1)");
        if !families.is_empty() {
            append.push(THEN_INSERT_REFRESH_FAMILIES);
            append.push_values(families.iter().zip(&authorization_details), |mut row, ((f, _), details)| {
                refresh_family_values!(row, push_bind, f, details.as_deref());
            });
            append.push(IF_ADVANCED_THEN_INSERT_REFRESH_TOKENS);
            append.push_values(families, |mut row, (_, t)| {
                row.push_bind(t.tenant_id.as_str())
                    .push_bind(t.token_hash.as_str())
                    .push_bind(t.family_id.as_str())
                    .push_bind(ts(t.issued_at))
                    .push_bind(ts(t.expires_at))
                    .push_bind(t.rotated_at.map(ts));
            });
            append.push(IF_ADVANCED_END);
        }
        append.push(THEN_INSERT_AUDIT_EVENTS);
        append.push_values(&sealed, |mut row, (_, e, actors)| audit_values!(row, e, actors));
        append.push(IF_ADVANCED);
        match append.build_query_scalar::<i64>().fetch_one(&self.pool).await {
            Ok(1) => {
                self.audit_heads.set(tenant, new_seq, prev);
                Ok(Some(sealed))
            }
            // Another node appended since: the head is read again in a transaction.
            Ok(_) => {
                self.audit_heads.forget(tenant);
                Ok(None)
            }
            // A family refused (the slower way tells which): nothing was written.
            Err(e) if e.as_database_error().is_some() && !families.is_empty() => Ok(None),
            Err(e) => Err(map_err("audit")(e)),
        }
    }

    /// Each pending family in its own transaction, concurrently; then the events of the entries
    /// whose family was created (or that had none). A family whose event could then not be
    /// appended stays behind, unused: the client never got its token.
    async fn append_families_then_events(
        &self,
        batch: &[AuditEntry],
        rest: &[usize],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        let mut creating = tokio::task::JoinSet::new();
        for (k, &i) in rest.iter().enumerate() {
            if let Some(family) = batch.get(i).and_then(|e| e.family.clone()) {
                let store = self.clone();
                creating.spawn(async move { (k, store.create_refresh_family(&family.0, &family.1).await) });
            }
        }
        let mut outcomes: Vec<StoreResult<()>> = rest.iter().map(|_| Ok(())).collect();
        while let Some(done) = creating.join_next().await {
            let (k, outcome) = done.map_err(|e| StoreError::Unavailable(Box::new(e)))?;
            if let Some(slot) = outcomes.get_mut(k) {
                *slot = outcome;
            }
        }
        let events: Vec<Event<'_>> = rest
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| outcome.is_ok())
            .filter_map(|(&i, _)| batch.get(i).map(|e| (&e.tenant, e.at, &e.record)))
            .collect();
        self.append_compare_and_set(&events).await?;
        Ok(outcomes)
    }

    /// Appends with one round trip per tenant whose head this node knows
    /// ([`Self::append_at_head`]); the others in one transaction.
    async fn append_compare_and_set(&self, batch: &[Event<'_>]) -> StoreResult<Vec<AuditEvent>> {
        let mut stored: Vec<Option<AuditEvent>> = vec![None; batch.len()];
        let mut rest = Vec::new();
        for (tenant, mine) in by_tenant(batch) {
            let Some(sealed) = self.append_at_head(batch, tenant, &mine, &[]).await? else {
                rest.extend(mine);
                continue;
            };
            for (i, e, _) in sealed {
                if let Some(slot) = stored.get_mut(i) {
                    *slot = Some(e);
                }
            }
        }
        if !rest.is_empty() {
            let others: Vec<Event<'_>> = rest.iter().filter_map(|&i| batch.get(i).copied()).collect();
            let events = self.append_in_transaction(&others).await?;
            for (&i, e) in rest.iter().zip(events) {
                self.audit_heads.set(&e.tenant_id, e.seq, e.hash.clone());
                if let Some(slot) = stored.get_mut(i) {
                    *slot = Some(e);
                }
            }
        }
        Ok(stored.into_iter().flatten().collect())
    }
}
