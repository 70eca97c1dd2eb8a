//! Application state: built once per server (so one process can run several independent
//! servers, as tests do) and shared behind one `Arc`, so the several clones every request makes
//! cost one reference count, not one per service.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ciam_authn::PasswordHasher;
use ciam_core::Clock;
use ciam_core::id::{Region, TenantId};
use ciam_core::secret::SecretHash;
use ciam_core::store::{DurableStore, EphemeralStore};
use ciam_jose::Keyring;

use crate::telemetry::Metrics;

/// Everything handlers need: a cheap handle on [`Services`].
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    /// Shares `services` with every handler.
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services of one server.
pub struct Services {
    /// Tenants, users, clients.
    pub durable: Arc<dyn DurableStore>,
    /// Sessions, codes, replay caches, counters.
    pub ephemeral: Arc<dyn EphemeralStore>,
    /// argon2id on a bounded blocking pool.
    pub passwords: PasswordHasher,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// Node settings derived from configuration.
    pub node: Arc<NodeSettings>,
    /// Signing keys of every tenant.
    pub keys: Arc<Keyring>,
    /// Fetches clients' JWK Sets from their `jwks_uri`.
    pub jwks_fetcher: Arc<crate::adapters::outbound::JwksFetcher>,
    /// Calls to upstream identity providers (discovery, token, userinfo), through the same
    /// guarded client and JWK Set cache.
    pub(crate) upstreams: Arc<crate::adapters::upstream::Upstreams>,
    /// Fetches and caches the metadata documents of clients identified by URL.
    pub metadata_documents: Arc<crate::adapters::metadata_documents::MetadataDocuments>,
    /// Hash of the break-glass admin token; none when it is turned off and was never made.
    pub admin_token: Arc<Option<SecretHash>>,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// Cleared when shutdown starts, so `/readyz` takes the node out of rotation at once.
    pub accepting: Arc<AtomicBool>,
    /// Appends audit events by group commit.
    pub audit: crate::audit::AuditWriter,
    /// Seals secrets at rest (signing keys, TOTP seeds) and the device cookie.
    pub master: Arc<ciam_jose::MasterKey>,
    /// The GeoIP database and reputation list of the risk policy.
    pub risk: Arc<crate::adapters::risk::RiskServices>,
    /// Delivers queued mail (the outbox worker's transport; requests queue mail through
    /// [`crate::services::outbox`] and never call it).
    pub mailer: Arc<crate::adapters::mail::Mailer>,
    /// Wakes this node's mail outbox worker when a request queues mail.
    pub(crate) outbox: crate::services::outbox::Outbox,
    /// The WebAuthn relying party of the public URL; `None` when the URL cannot have passkeys
    /// (plain http on an IP address).
    pub passkeys: Option<Arc<ciam_authn::passkey::PasskeyRp>>,
    /// The human check tenants may ask for on their sign-up page (`None`: not configured).
    pub captcha: Option<Arc<dyn crate::adapters::captcha::HumanCheck>>,
    /// Addresses held off the back-channel endpoints after failed client authentications.
    pub(crate) client_auth: Arc<crate::services::throttle::ClientAuthLimiter>,
    /// Tenants and clients, cached for a moment (see [`crate::adapters::directory`]).
    pub(crate) directory: Arc<crate::adapters::directory::Directory>,
    /// Issues, checks and revokes tokens: every grant of the token endpoint.
    pub issuance: Arc<ciam_oauth::issuer::Issuer>,
    /// The regions this node serves: `durable` and `ephemeral` route through them.
    pub regions: Arc<ciam_store::regional::Regions>,
}

/// Per-node settings.
#[derive(Debug)]
pub struct NodeSettings {
    /// Public base URL without a trailing slash.
    pub public_url: String,
    /// The control region (new tenants' default home region).
    pub region: Region,
    /// Every region of the deployment.
    pub regions: Vec<RegionInfo>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header in which those proxies forward the client certificate (RFC 8705), if any.
    pub client_certificate_header: Option<axum::http::HeaderName>,
    /// Administrators: the control tenant, the break-glass token, their sign-in level.
    pub admin: crate::config::AdminSettings,
}

/// A region of the deployment, as the HTTP layer needs it.
#[derive(Debug, Clone)]
pub struct RegionInfo {
    /// The region.
    pub region: Region,
    /// The public URL of the nodes serving it (without a trailing slash), for redirects.
    pub public_url: Option<String>,
    /// Whether this node serves it.
    pub served: bool,
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
