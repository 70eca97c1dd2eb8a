//! Writing the audit trail from request handlers: who called (IP, User-Agent) plus what
//! happened, appended to the tenant's hash chain before the response is sent.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use ciam_core::audit::AuditRecord;
use ciam_core::id::TenantId;
use ciam_core::store::StoreResult;

use crate::state::AppState;

/// The longest User-Agent kept.
const MAX_USER_AGENT: usize = 256;

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

/// Appends `record`, stamped with the caller, to the tenant's trail. A failure is returned so
/// the caller can refuse what it was about to do: no untraced issuance.
pub async fn record(st: &AppState, tenant: &TenantId, caller: &Caller, mut record: AuditRecord) -> StoreResult<()> {
    record.ip.clone_from(&caller.ip);
    record.user_agent.clone_from(&caller.user_agent);
    st.durable.append_audit(tenant, st.clock.now(), record).await.map(|_| ())
}
