//! Application state: one `Clone` struct of `Arc`s, built once per server, so one process can run
//! several independent servers (tests do).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ciam_authn::{PasswordHasher, PasswordPolicy};
use ciam_core::Clock;
use ciam_core::id::{Region, TenantId};
use ciam_core::secret::SecretHash;
use ciam_core::store::{DurableStore, EphemeralStore};
use ciam_jose::Keyring;

use crate::telemetry::Metrics;

/// Everything handlers need.
#[derive(Clone)]
pub struct AppState {
    /// Tenants, users, clients.
    pub durable: Arc<dyn DurableStore>,
    /// Sessions, codes, replay caches, counters.
    pub ephemeral: Arc<dyn EphemeralStore>,
    /// argon2id on a bounded blocking pool.
    pub passwords: PasswordHasher,
    /// Password rules for new passwords.
    pub password_policy: PasswordPolicy,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// Node settings derived from configuration.
    pub node: Arc<NodeSettings>,
    /// Signing keys of every tenant.
    pub keys: Arc<Keyring>,
    /// Fetches clients' JWK Sets from their `jwks_uri`.
    pub jwks_fetcher: Arc<crate::outbound::JwksFetcher>,
    /// Fetches and caches the metadata documents of clients identified by URL.
    pub metadata_documents: Arc<crate::metadata_documents::MetadataDocuments>,
    /// Hash of the admin bearer token.
    pub admin_token: Arc<SecretHash>,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// Cleared when shutdown starts, so `/readyz` takes the node out of rotation at once.
    pub accepting: Arc<AtomicBool>,
    /// Appends audit events by group commit.
    pub audit: crate::audit::AuditWriter,
}

/// Per-node settings.
#[derive(Debug)]
pub struct NodeSettings {
    /// Public base URL without a trailing slash.
    pub public_url: String,
    /// This deployment's region.
    pub region: Region,
}

impl AppState {
    /// The issuer of a tenant: `{public_url}/t/{tenant}`.
    pub fn issuer(&self, tenant: &TenantId) -> String {
        format!("{}/t/{tenant}", self.node.public_url)
    }

    /// Whether the node still takes new work.
    pub fn is_accepting(&self) -> bool {
        self.accepting.load(Ordering::Relaxed)
    }
}

impl axum::extract::FromRef<AppState> for Arc<Metrics> {
    fn from_ref(s: &AppState) -> Self {
        s.metrics.clone()
    }
}
