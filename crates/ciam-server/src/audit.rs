//! Writing the audit trail from request handlers: who called (IP, User-Agent) plus what
//! happened, appended to the tenant's hash chain (by group commit) before the response is sent.
//! Every event's personal fields are sealed under the user's data key before it is queued
//! ([`crate::services::privacy_keys`]), so they never reach the database in clear.

use std::net::IpAddr;
use std::sync::Arc;

use ciam_core::Clock;
use ciam_core::audit::AuditRecord;
use ciam_core::id::TenantId;
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
pub use ciam_core::store::NotRecorded;
use ciam_core::store::{AuditEntry, AuditSink, DurableStore, StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

use crate::services::privacy_keys::DataKeys;
use crate::state::AppState;

/// Checks a tenant's whole chain, in pages: every event's hash, every link to the previous
/// event, and the head. The outer error is a store failure, the inner one the first break found;
/// intact, it counts the events checked. Retention may have removed the oldest events: the chain
/// is checked from the last removed one's recorded hash.
pub async fn verify_chain(
    store: &dyn DurableStore,
    tenant: &TenantId,
) -> StoreResult<Result<i64, ciam_core::audit::ChainBreak>> {
    let horizon = store.audit_horizon(tenant).await?;
    let mut after = horizon.as_ref().map_or(0, |(seq, _)| *seq);
    let mut verifier = ciam_core::audit::ChainVerifier::after(horizon);
    loop {
        let events = store.audit_chain(tenant, after, 1000).await?;
        let Some(last) = events.last() else { break };
        after = last.seq;
        for e in &events {
            if let Err(b) = verifier.next(e) {
                return Ok(Err(b));
            }
        }
    }
    Ok(verifier.finish(store.audit_head(tenant).await?))
}

/// The longest scope, audience or reason kept, in bytes.
const MAX_FIELD: usize = 2048;

/// Where a request came from (read from the request by its extractor in [`crate::http`]).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The client address: the peer address of the connection, or, when the peer is a trusted
    /// proxy, the right-most address of `X-Forwarded-For` that is not a trusted proxy.
    pub ip: Option<String>,
    /// The User-Agent header, truncated.
    pub user_agent: Option<String>,
    /// The request id (`X-Request-Id`), which every log line of the request carries.
    pub request_id: Option<String>,
}

impl Caller {
    /// The client address, parsed.
    pub fn addr(&self) -> Option<IpAddr> {
        self.ip.as_deref().and_then(|i| i.parse().ok())
    }
}

/// Appends `record`, stamped with the caller, to the tenant's trail, and returns once it is
/// committed. A failure is returned so the caller can refuse what it was about to do: no
/// untraced issuance.
pub async fn record(st: &AppState, tenant: &TenantId, caller: &Caller, record: AuditRecord) -> StoreResult<()> {
    record_grant(st, tenant, caller, record, None).await.map_err(|e| match e {
        NotRecorded::Grant(e) | NotRecorded::Trail(e) => e,
    })
}

/// [`record`] for an issuance that starts a refresh-token family: the family and the event
/// are stored together (one commit for the batch on the embedded store), or neither is.
pub async fn record_grant(
    st: &AppState,
    tenant: &TenantId,
    caller: &Caller,
    mut record: AuditRecord,
    family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
) -> Result<(), NotRecorded> {
    record.ip.clone_from(&caller.ip);
    record.user_agent.clone_from(&caller.user_agent);
    append(&st.audit, st.clock.now(), tenant, record, family).await
}

async fn append(
    writer: &AuditWriter,
    at: time::OffsetDateTime,
    tenant: &TenantId,
    mut record: AuditRecord,
    family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
) -> Result<(), NotRecorded> {
    bound_fields(&mut record);
    writer.append(AuditEntry { tenant: tenant.clone(), at, record, family }).await
}

/// The audit trail as the engine writes it ([`AuditSink`]): events already stamped with their
/// caller, bounded and timed here, appended by this node's group-commit writer.
pub(crate) struct TrailSink {
    writer: AuditWriter,
    clock: Arc<dyn Clock>,
}

impl TrailSink {
    pub(crate) fn new(writer: AuditWriter, clock: Arc<dyn Clock>) -> Self {
        Self { writer, clock }
    }
}

#[async_trait::async_trait]
impl AuditSink for TrailSink {
    async fn append(
        &self,
        tenant: &TenantId,
        record: AuditRecord,
        family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
    ) -> Result<(), NotRecorded> {
        append(&self.writer, self.clock.now(), tenant, record, family).await
    }
}

/// Request-supplied text (a refused request's scope or audience) is kept, but bounded, and a
/// NUL in it becomes U+FFFD: PostgreSQL's text holds no NUL, so an event quoting one could not
/// be stored, and the request it records would fail.
fn bound_fields(record: &mut AuditRecord) {
    for field in [&mut record.scope, &mut record.audience, &mut record.reason, &mut record.user_agent] {
        if let Some(text) = field.as_mut() {
            if text.len() > MAX_FIELD {
                let cut = (0..=MAX_FIELD).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                text.truncate(cut);
            }
            if text.contains('\0') {
                *text = text.replace('\0', "\u{fffd}");
            }
        }
    }
}

/// The most events one transaction appends.
const MAX_BATCH: usize = 256;
/// Scheduler turns the writer gives other tasks before committing what it has.
const LINGER_TURNS: usize = 2;

type Pending = (AuditEntry, oneshot::Sender<Result<StoreResult<()>, String>>);

/// Group commit of audit events. Requests queue their event and wait; one task per node takes
/// everything that queued while the previous batch was committing and appends it in one
/// transaction, then answers every waiter. Under load a request waits for about one commit
/// instead of contending for the database's write lock with every other request, and the
/// trail stays complete: a request is answered only after its event is durable.
#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
    keys: Arc<DataKeys>,
}

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime; it ends when the last handle is
    /// dropped, after writing what was queued.
    pub fn start(store: Arc<dyn DurableStore>, keys: Arc<DataKeys>) -> Self {
        let (queue, mut rx) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut pending = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut pending, MAX_BATCH).await > 0 {
                // Let the requests that are running now queue their events too: a larger batch
                // for the same commit, at the price of one turn of the scheduler.
                for _ in 0..LINGER_TURNS {
                    tokio::task::yield_now().await;
                    while pending.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(event) => pending.push(event),
                            Err(_) => break,
                        }
                    }
                }
                let (batch, waiters): (Vec<_>, Vec<_>) = pending.drain(..).unzip();
                match store.append_audit_with_grants(&batch).await {
                    Ok(outcomes) => {
                        for (done, outcome) in waiters.into_iter().zip(outcomes) {
                            let _ = done.send(Ok(outcome));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = ?e, events = batch.len(), "audit events could not be written");
                        for done in waiters {
                            let _ = done.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        Self { queue, keys }
    }

    /// The data keys that seal the personal fields of events.
    pub fn keys(&self) -> &Arc<DataKeys> {
        &self.keys
    }

    /// Seals the event's personal fields (each request on its own, so a key read never holds up
    /// the batch), queues it (with its grant) and waits until its batch is committed.
    pub async fn append(&self, mut entry: AuditEntry) -> Result<(), NotRecorded> {
        self.keys.seal(&entry.tenant, &mut entry.record).await.map_err(NotRecorded::Trail)?;
        let trail = |e: String| NotRecorded::Trail(StoreError::Unavailable(Box::new(std::io::Error::other(e))));
        let stopped = || trail("the audit writer has stopped".to_owned());
        let (done, committed) = oneshot::channel();
        self.queue.send((entry, done)).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?.map_err(trail)?.map_err(NotRecorded::Grant)
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::audit::ChainVerifier;
    use ciam_core::tenant::{Tenant, TenantSettings};

    use super::*;

    #[test]
    fn request_supplied_fields_are_bounded_on_a_character_boundary() {
        let mut r = AuditRecord::deny("token.refused", "x");
        r.scope = Some("é".repeat(MAX_FIELD));
        r.audience = Some("short".into());
        bound_fields(&mut r);
        assert_eq!(r.scope.as_ref().map(String::len), Some(MAX_FIELD));
        assert_eq!(r.audience.as_deref(), Some("short"));
    }

    /// Many requests appending at once: every one is answered after its event is stored, and
    /// the events form one intact chain.
    async fn appends_form_one_chain(store: Arc<dyn DurableStore>) {
        let tenant = TenantId::parse("acme").unwrap();
        let now = ciam_core::Clock::now(&ciam_core::SystemClock);
        let t = Tenant {
            id: tenant.clone(),
            display_name: "Acme".into(),
            home_region: ciam_core::Region::parse("eu").unwrap(),
            settings: TenantSettings::default(),
            created_at: now,
            updated_at: now,
            incarnation: String::new(),
        };
        store.create_tenant(&t).await.unwrap();
        let master = Arc::new(ciam_jose::MasterKey::from_base64(&ciam_jose::MasterKey::generate_base64()).unwrap());
        let keys = Arc::new(DataKeys::new(store.clone(), master, Arc::new(ciam_core::SystemClock)));
        let writer = AuditWriter::start(store.clone(), keys);
        let mut tasks = Vec::new();
        for wave in 0..10 {
            for i in 0..40 {
                let (writer, tenant) = (writer.clone(), tenant.clone());
                tasks.push(tokio::spawn(async move {
                    let mut r = AuditRecord::allow("token.issued");
                    r.client_id = Some(format!("client-{wave}-{i}"));
                    writer.append(AuditEntry { tenant, at: now, record: r, family: None }).await
                }));
            }
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let chain = store.audit_chain(&tenant, 0, 1000).await.unwrap();
        assert_eq!(chain.len(), 400, "every answered append is stored");
        let mut v = ChainVerifier::default();
        for e in &chain {
            v.next(e).unwrap();
        }
        assert_eq!(v.finish(store.audit_head(&tenant).await.unwrap()), Ok(400));
        drop(writer);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_are_group_committed_into_one_chain_on_sqlite() {
        let dir = std::env::temp_dir().join(format!("ciam-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/ciam.db?mode=rwc", dir.display());
        appends_form_one_chain(ciam_store::open_durable(&url, &ciam_store::PoolOptions::default()).await.unwrap())
            .await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_are_group_committed_into_one_chain_on_postgres() {
        let Some(pg) = ciam_store::testing::TestPostgres::create().await else { return };
        appends_form_one_chain(ciam_store::open_durable(&pg.url, &ciam_store::PoolOptions::default()).await.unwrap())
            .await;
    }
}
