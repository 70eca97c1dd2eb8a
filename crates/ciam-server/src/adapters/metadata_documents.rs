//! Resolving clients identified by the URL of their metadata document
//! (draft-ietf-oauth-client-id-metadata-document): fetching the document under the SSRF guards of
//! [`crate::adapters::outbound`], caching it on this node, and turning it into an in-memory client.
//!
//! # Security
//! - Only tenants that allow a URL's host resolve it at all; every other `client_id` URL is an
//!   unknown client, without any request being made.
//! - Fetches are https only to public addresses, no redirects, 3-second timeout, at most 5 KiB.
//!   A tenant may allow loopback and private addresses (and plain http on loopback) for
//!   development, which takes effect only on a server that allows private networks.
//! - Documents are cached per node for their `Cache-Control: max-age`, clamped to 1-60 minutes
//!   (5 minutes without one); failures for 10 seconds. At most 1,000 documents are kept.
//! - The document is validated on every use against the tenant's policy
//!   ([`ciam_core::metadata_document::client_from_document`]).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ciam_core::client::Client;
use ciam_core::id::ClientId;
use ciam_core::metadata_document::{STANDARD_SCOPES, client_from_document, host_allowed};
use ciam_core::scope::ScopeSet;
use ciam_core::store::StoreError;
use ciam_core::tenant::Tenant;

use crate::adapters::outbound::{FetchError, guarded_client, guarded_get};
use crate::state::AppState;

/// The largest metadata document accepted.
pub const MAX_DOCUMENT: usize = 5 * 1024;
/// How long a document is reused when its server says nothing.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The shortest reuse, whatever the server says (`no-store` included): one authorization touches
/// the document several times.
pub const MIN_TTL: Duration = Duration::from_secs(60);
/// The longest reuse, so a changed or withdrawn document takes effect within the hour.
pub const MAX_TTL: Duration = Duration::from_secs(3600);
/// How long a failed fetch is remembered (so a bad URL cannot make the server hammer a host).
pub const FAILURE_TTL: Duration = Duration::from_secs(10);
/// The most documents cached per node.
const MAX_ENTRIES: usize = 1000;

/// The reuse lifetime for a server's `max-age`.
pub fn ttl_for(max_age: Option<Duration>) -> Duration {
    max_age.map_or(DEFAULT_TTL, |a| a.clamp(MIN_TTL, MAX_TTL))
}

type Fetch = Result<Vec<u8>, String>;

struct Entry {
    expires: Instant,
    result: Fetch,
}

/// Fetches and caches metadata documents.
pub struct MetadataDocuments {
    strict: reqwest::Client,
    /// For development tenants; present only when the server allows private networks.
    open: Option<reqwest::Client>,
    cache: Mutex<HashMap<(bool, String), Entry>>,
}

impl MetadataDocuments {
    /// A resolver; `allow_private_networks` lets tenants that ask for it reach private addresses.
    pub fn new(allow_private_networks: bool) -> Result<Self, FetchError> {
        let open = if allow_private_networks { Some(guarded_client(true)?) } else { None };
        Ok(Self { strict: guarded_client(false)?, open, cache: Mutex::new(HashMap::new()) })
    }

    /// The document at `url`, from the cache while fresh.
    async fn document(&self, url: &ClientId, allow_private: bool) -> Fetch {
        let key = (allow_private, url.as_str().to_owned());
        let now = Instant::now();
        if let Some(e) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(&key)
            && e.expires > now
        {
            return e.result.clone();
        }
        let (result, ttl) = match self.fetch(url, allow_private).await {
            Ok(fetched) => (Ok(fetched.body), ttl_for(fetched.max_age)),
            Err(e) => (Err(e.to_string()), FAILURE_TTL),
        };
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_ENTRIES {
            cache.retain(|_, e| e.expires > now);
        }
        if cache.len() >= MAX_ENTRIES
            && let Some(soonest) = cache.iter().min_by_key(|(_, e)| e.expires).map(|(k, _)| k.clone())
        {
            cache.remove(&soonest);
        }
        cache.insert(key, Entry { expires: Instant::now() + ttl, result: result.clone() });
        result
    }

    async fn fetch(
        &self,
        url: &ClientId,
        allow_private: bool,
    ) -> Result<crate::adapters::outbound::Fetched, FetchError> {
        let parsed = url::Url::parse(url.as_str()).map_err(|_| FetchError::NotAllowed("not a URL"))?;
        let client = match (&self.open, allow_private) {
            (Some(open), true) => open,
            _ => &self.strict,
        };
        let private = allow_private && self.open.is_some();
        guarded_get(client, parsed, private, MAX_DOCUMENT, "application/json").await
    }
}

/// The client a metadata document URL names for `tenant`: `None` (logged with the reason) when
/// the tenant does not allow it or the document cannot be fetched or is not acceptable.
///
/// The client may ask for the standard OpenID Connect scopes and the scopes the tenant's
/// registered resources define.
pub(crate) async fn resolve(st: &AppState, tenant: &Tenant, id: &ClientId) -> Result<Option<Client>, StoreError> {
    let policy = &tenant.settings.client_metadata_documents;
    let Ok(url) = url::Url::parse(id.as_str()) else { return Ok(None) };
    let host = url.host_str().unwrap_or("");
    if !host_allowed(&policy.allowed_hosts, host) {
        tracing::info!(tenant = %tenant.id, client = %id, "client metadata document host not allowed");
        return Ok(None);
    }
    if url.scheme() != "https" && !policy.allow_private_addresses {
        tracing::info!(tenant = %tenant.id, client = %id, "client metadata document not over https");
        return Ok(None);
    }
    let document = match st.metadata_documents.document(id, policy.allow_private_addresses).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, client = %id, error = %e, "client metadata document unavailable");
            return Ok(None);
        }
    };
    let mut allowed: Vec<String> = STANDARD_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    for r in st.durable.list_resources(&tenant.id).await? {
        allowed.extend(r.scopes.to_vec());
    }
    let allowed = ScopeSet::from_list(&allowed).unwrap_or_default();
    match client_from_document(id, &document, &tenant.id, &allowed, st.clock.now()) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, client = %id, field = %e.field, error = %e.message,
                "client metadata document refused");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_lifetimes_are_clamped() {
        assert_eq!(ttl_for(None), DEFAULT_TTL);
        assert_eq!(ttl_for(Some(Duration::ZERO)), MIN_TTL);
        assert_eq!(ttl_for(Some(Duration::from_secs(5))), MIN_TTL);
        assert_eq!(ttl_for(Some(Duration::from_secs(900))), Duration::from_secs(900));
        assert_eq!(ttl_for(Some(Duration::from_secs(86_400 * 365))), MAX_TTL);
    }

    #[tokio::test]
    async fn strict_tenants_never_reach_private_addresses() {
        // Even on a server that allows private networks, a tenant that did not ask is strict.
        let docs = MetadataDocuments::new(true).unwrap();
        for url in ["http://127.0.0.1:9/client.json", "https://127.0.0.1:9/client.json", "https://[::1]:9/c"] {
            let id = ClientId::parse(url).unwrap();
            let err = docs.document(&id, false).await.unwrap_err();
            assert!(err.contains("not allowed"), "{url}: {err}");
        }
        // A name that resolves only to loopback is refused by the resolver.
        let id = ClientId::parse("https://localhost:9/client.json").unwrap();
        assert!(docs.document(&id, false).await.is_err());
    }
}
