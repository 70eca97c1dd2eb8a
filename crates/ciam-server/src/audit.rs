//! Writing the audit trail from request handlers: who called (IP, User-Agent) plus what
//! happened, appended to the tenant's hash chain (by group commit) before the response is sent.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use ciam_core::audit::AuditRecord;
use ciam_core::id::TenantId;
use ciam_core::store::{DurableStore, StoreError, StoreResult};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::state::AppState;

/// The longest User-Agent kept.
const MAX_USER_AGENT: usize = 256;
/// The longest scope, audience or reason kept, in bytes.
const MAX_FIELD: usize = 2048;

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The peer address of the connection.
    pub ip: Option<String>,
    /// The User-Agent header, truncated.
    pub user_agent: Option<String>,
}

impl Caller {
    /// Reads the caller from request parts.
    pub fn of(parts: &Parts) -> Self {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
        Self { ip, user_agent }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// Appends `record`, stamped with the caller, to the tenant's trail, and returns once it is
/// committed. A failure is returned so the caller can refuse what it was about to do: no
/// untraced issuance.
pub async fn record(st: &AppState, tenant: &TenantId, caller: &Caller, mut record: AuditRecord) -> StoreResult<()> {
    record.ip.clone_from(&caller.ip);
    record.user_agent.clone_from(&caller.user_agent);
    bound_fields(&mut record);
    st.audit.append(tenant.clone(), st.clock.now(), record).await
}

/// Request-supplied text (a refused request's scope or audience) is kept, but bounded.
fn bound_fields(record: &mut AuditRecord) {
    for field in [&mut record.scope, &mut record.audience, &mut record.reason] {
        if let Some(text) = field.as_mut()
            && text.len() > MAX_FIELD
        {
            let cut = (0..=MAX_FIELD).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            text.truncate(cut);
        }
    }
}

/// The most events one transaction appends.
const MAX_BATCH: usize = 256;

type Pending = (TenantId, OffsetDateTime, AuditRecord, oneshot::Sender<Result<(), String>>);

/// Group commit of audit events. Requests queue their event and wait; one task per node takes
/// everything that queued while the previous batch was committing and appends it in one
/// transaction, then answers every waiter. Under load a request waits for about one commit
/// instead of contending for the database's write lock with every other request, and the
/// trail stays complete: a request is answered only after its event is durable.
#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime; it ends when the last handle is
    /// dropped, after writing what was queued.
    pub fn start(store: Arc<dyn DurableStore>) -> Self {
        let (queue, mut rx) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut pending = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut pending, MAX_BATCH).await > 0 {
                let (batch, waiters): (Vec<_>, Vec<_>) =
                    pending.drain(..).map(|(tenant, at, record, done)| ((tenant, at, record), done)).unzip();
                let result = store.append_audit(&batch).await.map(|_| ()).map_err(|e| {
                    tracing::error!(error = ?e, events = batch.len(), "audit events could not be written");
                    e.to_string()
                });
                for done in waiters {
                    let _ = done.send(result.clone());
                }
            }
        });
        Self { queue }
    }

    /// Queues one event and waits until its batch is committed.
    pub async fn append(&self, tenant: TenantId, at: OffsetDateTime, record: AuditRecord) -> StoreResult<()> {
        let stopped = || StoreError::Unavailable(Box::new(std::io::Error::other("the audit writer has stopped")));
        let (done, committed) = oneshot::channel();
        self.queue.send((tenant, at, record, done)).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?.map_err(|e| StoreError::Unavailable(Box::new(std::io::Error::other(e))))
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
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_are_group_committed_into_one_chain() {
        let dir = std::env::temp_dir().join(format!("ciam-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/ciam.db?mode=rwc", dir.display());
        let store: Arc<dyn DurableStore> =
            ciam_store::open_durable(&url, &ciam_store::PoolOptions::default()).await.unwrap();
        let tenant = TenantId::parse("acme").unwrap();
        let now = ciam_core::Clock::now(&ciam_core::SystemClock);
        let t = Tenant {
            id: tenant.clone(),
            display_name: "Acme".into(),
            home_region: ciam_core::Region::parse("eu").unwrap(),
            settings: TenantSettings::default(),
            created_at: now,
            updated_at: now,
        };
        store.create_tenant(&t).await.unwrap();
        let writer = AuditWriter::start(store.clone());
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let (writer, tenant) = (writer.clone(), tenant.clone());
                tokio::spawn(async move {
                    let mut r = AuditRecord::allow("token.issued");
                    r.client_id = Some(format!("client-{i}"));
                    writer.append(tenant, now, r).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let chain = store.audit_chain(&tenant, 0, 1000).await.unwrap();
        assert_eq!(chain.len(), 200, "every answered append is stored");
        let mut v = ChainVerifier::default();
        for e in &chain {
            v.next(e).unwrap();
        }
        assert_eq!(v.finish(store.audit_head(&tenant).await.unwrap()), Ok(200));
        drop(writer);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
