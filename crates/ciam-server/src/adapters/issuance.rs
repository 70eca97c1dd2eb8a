//! Adapters of the issuance engine's ports ([`ciam_oauth::issuer`]): its cached lookups over
//! this node's [`Directory`], and the wiring of the one [`Issuer`] a server builds at startup.

use std::sync::Arc;

use async_trait::async_trait;
use ciam_core::Clock;
use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId};
use ciam_core::resource::Resource;
use ciam_core::store::{DurableStore, EphemeralStore, StoreResult};
use ciam_core::tenant::Tenant;
use ciam_jose::Keyring;
use ciam_oauth::issuer::{Issuer, Ports};

use crate::adapters::directory::Directory;
use crate::adapters::revocations::MirroredRevocations;
use crate::audit::{AuditWriter, TrailSink};

/// The engine's cached lookups, answered by the node's cache over the durable store.
pub(crate) struct CachedLookups {
    pub(crate) directory: Arc<Directory>,
    pub(crate) store: Arc<dyn DurableStore>,
}

#[async_trait]
impl ciam_oauth::issuer::Directory for CachedLookups {
    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<Arc<Tenant>>> {
        self.directory.tenant(self.store.as_ref(), id).await
    }

    async fn may_own_agents(&self, tenant: &TenantId, app: &ClientId) -> StoreResult<bool> {
        self.directory.may_own_agents(self.store.as_ref(), tenant, app).await
    }

    async fn client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Arc<Client>>> {
        Ok(self.directory.client(self.store.as_ref(), tenant, id).await?.map(|known| known.client.clone()))
    }

    async fn resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>> {
        self.directory.resource(self.store.as_ref(), tenant, identifier).await
    }

    async fn detail_types(&self, tenant: &TenantId) -> StoreResult<Arc<ciam_oauth::rar::Types>> {
        self.directory.detail_types(self.store.as_ref(), tenant).await
    }
}

/// The keys of the issuers tenants trust for identity chaining: given inline, or fetched from
/// their `jwks_uri` through the guarded, caching fetcher clients' keys use.
pub(crate) struct TrustedIssuerKeys {
    pub(crate) fetcher: Arc<crate::adapters::outbound::JwksFetcher>,
}

#[async_trait]
impl ciam_oauth::issuer::ForeignKeys for TrustedIssuerKeys {
    async fn jwk_set(
        &self,
        trusted: &ciam_core::chaining::TrustedIssuer,
        refresh: bool,
    ) -> Result<serde_json::Value, ciam_oauth::OAuthError> {
        match (&trusted.jwks, &trusted.jwks_uri) {
            (Some(set), _) => Ok(set.clone()),
            (None, Some(uri)) => self.fetcher.get(uri, refresh).await.map_err(|e| {
                ciam_oauth::OAuthError::new(
                    ciam_oauth::ErrorCode::InvalidGrant,
                    "the issuer's keys could not be fetched",
                )
                .because(format!("jwks_uri {uri}: {e}"))
            }),
            (None, None) => Err(ciam_oauth::OAuthError::server_error("a trusted issuer without keys")),
        }
    }
}

/// What a server's issuer is built on.
pub(crate) struct IssuerParts<'a> {
    pub(crate) durable: &'a Arc<dyn DurableStore>,
    pub(crate) ephemeral: &'a Arc<dyn EphemeralStore>,
    pub(crate) directory: &'a Arc<Directory>,
    pub(crate) audit: &'a AuditWriter,
    pub(crate) keys: &'a Arc<Keyring>,
    pub(crate) clock: &'a Arc<dyn Clock>,
    pub(crate) jwks_fetcher: &'a Arc<crate::adapters::outbound::JwksFetcher>,
}

/// The issuer of a server: its stores, its node cache, its audit trail, its keys.
pub(crate) fn issuer(parts: IssuerParts<'_>, public_url: &str) -> Issuer {
    let IssuerParts { durable, ephemeral, directory, audit, keys, clock, jwks_fetcher } = parts;
    let ports = Ports {
        directory: Arc::new(CachedLookups { directory: directory.clone(), store: durable.clone() }),
        users: durable.clone(),
        clients: durable.clone(),
        refresh: durable.clone(),
        revocations: Arc::new(MirroredRevocations::new(
            durable.clone(),
            ephemeral.clone(),
            directory.clone(),
            clock.clone(),
        )),
        delegations: durable.clone(),
        profiles: durable.clone(),
        ephemeral: ephemeral.clone(),
        audit: Arc::new(TrailSink::new(audit.clone(), clock.clone())),
        keys: keys.clone(),
        clock: clock.clone(),
        foreign_keys: Arc::new(TrustedIssuerKeys { fetcher: jwks_fetcher.clone() }),
    };
    Issuer::new(ports, public_url)
}
