//! A short-lived per-node cache of what every OAuth request reads first: the tenant record, the
//! calling client with its secret hash, the tenant's registered resources (RFC 8707), and the
//! tenant's upstream identity providers (every sign-in page shows them) and its consent purposes
//! (every sign-in checks them). Without
//! it, each token request starts with two or three database round trips for data that changes a
//! few times a day.
//!
//! # Consistency
//! - Writes go through [`Directory::through`], a decorator over the tenant, client, resource and
//!   identity-provider ports: every write made through it (by the services, whichever door the change came
//!   through) drops the tenant's entries on this node at once, so the next request on this node
//!   reads the store. No other code drops entries.
//! - Other nodes see a change after at most [`TTL`]: disabling a client, rotating its secret or
//!   changing a tenant setting takes effect everywhere within that time. Revocation state
//!   (revoked tokens, refresh families, delegations, sessions) is never cached here: it is read
//!   on every request, so revoking a delegation still stops an agent at once on every node.
//! - Only entries that exist are cached (an unknown client id costs a store read each time, so
//!   random ids cannot fill the cache), and the cache holds at most [`MAX_CLIENTS`] clients.
//!   Resources are cached as the tenant's whole list, so a `resource` that names no registered
//!   resource is answered from memory too, without a per-identifier entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ciam_core::agent::AgentOwner;
use ciam_core::authorization_details::AuthorizationDetailType;
use ciam_core::client::Client;
use ciam_core::federation::{FederatedIdentity, IdentityProvider};
use ciam_core::id::UserId;
use ciam_core::id::{ClientId, ResourceId, TenantId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::purpose::Purpose;
use ciam_core::resource::Resource;
use ciam_core::saml_app::SamlSigningKey;
use ciam_core::secret::SecretHash;
use ciam_core::store::{
    ClientStore, DetailTypeStore, DurableStore, FederationStore, PurposeStore, ResourceStore, StoreResult, TenantStore,
};
use ciam_core::tenant::Tenant;
use time::OffsetDateTime;
use tokio::time::Instant;

/// How long an entry is used before the store is read again.
pub(crate) const TTL: Duration = Duration::from_secs(2);
/// Clients one node keeps (all tenants together).
const MAX_CLIENTS: usize = 20_000;

/// A client as client authentication needs it.
#[derive(Debug)]
pub(crate) struct KnownClient {
    pub(crate) client: Arc<Client>,
    /// The stored secret hash, for clients that authenticate with a secret.
    pub(crate) secret: Option<SecretHash>,
}

#[derive(Default)]
struct TenantEntry {
    tenant: Option<(Instant, Arc<Tenant>)>,
    clients: HashMap<ClientId, (Instant, Arc<KnownClient>)>,
    /// The serialized discovery document.
    discovery: Option<(Instant, Arc<str>)>,
    /// Every registered resource of the tenant.
    resources: Option<(Instant, Arc<[Resource]>)>,
    /// Every upstream identity provider of the tenant.
    providers: Option<(Instant, Arc<[IdentityProvider]>)>,
    /// Every consent purpose of the tenant.
    purposes: Option<(Instant, Arc<[Purpose]>)>,
    /// The tenant's authorization details types, their schemas compiled.
    detail_types: Option<(Instant, Arc<ciam_oauth::rar::Types>)>,
    /// The apps that own at least one of the tenant's agents; `None` for a tenant with more
    /// agents than one page lists.
    agent_owners: Option<(Instant, Option<Arc<[ClientId]>>)>,
}

/// The cache; one per node, in [`crate::AppState`].
#[derive(Default)]
pub(crate) struct Directory {
    tenants: Mutex<HashMap<TenantId, TenantEntry>>,
}

impl Directory {
    fn fresh<T: Clone>(entry: Option<&(Instant, T)>) -> Option<T> {
        entry.filter(|(at, _)| at.elapsed() < TTL).map(|(_, v)| v.clone())
    }

    /// The tenant, from the cache when fresh.
    pub(crate) async fn tenant(&self, store: &dyn DurableStore, id: &TenantId) -> StoreResult<Option<Arc<Tenant>>> {
        if let Some(t) = Self::fresh(self.lock().get(id).and_then(|e| e.tenant.as_ref())) {
            return Ok(Some(t));
        }
        let Some(tenant) = store.get_tenant(id).await?.map(Arc::new) else { return Ok(None) };
        self.lock().entry(id.clone()).or_default().tenant = Some((Instant::now(), tenant.clone()));
        Ok(Some(tenant))
    }

    /// The client and its secret hash, from the cache when fresh.
    pub(crate) async fn client(
        &self,
        store: &dyn DurableStore,
        tenant: &TenantId,
        id: &ClientId,
    ) -> StoreResult<Option<Arc<KnownClient>>> {
        if let Some(c) = Self::fresh(self.lock().get(tenant).and_then(|e| e.clients.get(id))) {
            return Ok(Some(c));
        }
        let Some(client) = store.get_client(tenant, id).await? else { return Ok(None) };
        let secret = if client.token_endpoint_auth_method.uses_secret() {
            store.client_secret_hash(tenant, id).await?
        } else {
            None
        };
        let known = Arc::new(KnownClient { client: Arc::new(client), secret });
        let mut map = self.lock();
        let count = |map: &HashMap<TenantId, TenantEntry>| map.values().map(|e| e.clients.len()).sum::<usize>();
        let mut cached = count(&map);
        if cached >= MAX_CLIENTS {
            for e in map.values_mut() {
                e.clients.retain(|_, (at, _)| at.elapsed() < TTL);
            }
            cached = count(&map);
        }
        if cached < MAX_CLIENTS {
            map.entry(tenant.clone()).or_default().clients.insert(id.clone(), (Instant::now(), known.clone()));
        }
        Ok(Some(known))
    }

    /// The tenant's registered resource whose identifier is `identifier`, if any.
    pub(crate) async fn resource(
        &self,
        store: &dyn DurableStore,
        tenant: &TenantId,
        identifier: &str,
    ) -> StoreResult<Option<Resource>> {
        let cached = Self::fresh(self.lock().get(tenant).and_then(|e| e.resources.as_ref()));
        let all = match cached {
            Some(all) => all,
            None => {
                let all: Arc<[Resource]> = store.list_resources(tenant).await?.into();
                self.lock().entry(tenant.clone()).or_default().resources = Some((Instant::now(), all.clone()));
                all
            }
        };
        Ok(all.iter().find(|r| r.identifier == identifier).cloned())
    }

    /// The tenant's upstream identity providers (enabled or not), from the cache when fresh.
    pub(crate) async fn identity_providers(
        &self,
        store: &dyn DurableStore,
        tenant: &TenantId,
    ) -> StoreResult<Arc<[IdentityProvider]>> {
        if let Some(all) = Self::fresh(self.lock().get(tenant).and_then(|e| e.providers.as_ref())) {
            return Ok(all);
        }
        let all: Arc<[IdentityProvider]> = store.list_identity_providers(tenant).await?.into();
        self.lock().entry(tenant.clone()).or_default().providers = Some((Instant::now(), all.clone()));
        Ok(all)
    }

    /// The tenant's consent purposes, from the cache when fresh.
    pub(crate) async fn purposes(&self, store: &dyn DurableStore, tenant: &TenantId) -> StoreResult<Arc<[Purpose]>> {
        if let Some(all) = Self::fresh(self.lock().get(tenant).and_then(|e| e.purposes.as_ref())) {
            return Ok(all);
        }
        let all: Arc<[Purpose]> = store.list_purposes(tenant).await?.into();
        self.lock().entry(tenant.clone()).or_default().purposes = Some((Instant::now(), all.clone()));
        Ok(all)
    }

    /// The tenant's authorization details types (RFC 9396), compiled, from the cache when fresh.
    pub(crate) async fn detail_types(
        &self,
        store: &dyn DurableStore,
        tenant: &TenantId,
    ) -> StoreResult<Arc<ciam_oauth::rar::Types>> {
        if let Some(types) = Self::fresh(self.lock().get(tenant).and_then(|e| e.detail_types.as_ref())) {
            return Ok(types);
        }
        let types = Arc::new(ciam_oauth::rar::Types::new(&store.list_detail_types(tenant).await?));
        self.lock().entry(tenant.clone()).or_default().detail_types = Some((Instant::now(), types.clone()));
        Ok(types)
    }

    /// Whether `app` may own one of the tenant's agents (an app's users' tokens then name the
    /// agents they delegated to in `may_act`): `false` only when the tenant's agents, from the
    /// cache when fresh, are all someone else's.
    pub(crate) async fn may_own_agents(
        &self,
        store: &dyn DurableStore,
        tenant: &TenantId,
        app: &ClientId,
    ) -> StoreResult<bool> {
        let cached = Self::fresh(self.lock().get(tenant).and_then(|e| e.agent_owners.as_ref()));
        let owners = match cached {
            Some(owners) => owners,
            None => {
                let page =
                    store.list_agents(tenant, &PageRequest { limit: PageRequest::MAX_LIMIT, after: None }).await?;
                let owners: Option<Arc<[ClientId]>> = page.next_after.is_none().then(|| {
                    page.items
                        .iter()
                        .filter_map(|a| match &a.agent.as_ref()?.owner {
                            AgentOwner::Client(owner) => Some(owner.clone()),
                            AgentOwner::User(_) => None,
                        })
                        .collect()
                });
                self.lock().entry(tenant.clone()).or_default().agent_owners = Some((Instant::now(), owners.clone()));
                owners
            }
        };
        Ok(owners.is_none_or(|owners| owners.contains(app)))
    }

    /// The tenant's discovery document, built by `build` at most once per [`TTL`].
    pub(crate) fn discovery(&self, tenant: &TenantId, build: impl FnOnce() -> String) -> Arc<str> {
        if let Some(doc) = Self::fresh(self.lock().get(tenant).and_then(|e| e.discovery.as_ref())) {
            return doc;
        }
        let doc: Arc<str> = build().into();
        self.lock().entry(tenant.clone()).or_default().discovery = Some((Instant::now(), doc.clone()));
        doc
    }

    /// The tenant, client and resource ports of `store` with this cache in front: every write
    /// through them drops what this node cached for the tenant. Reads through the ports go to
    /// the store (the management API shows the latest); the cached reads are the methods above.
    pub(crate) fn through<'a>(&'a self, store: &'a dyn DurableStore) -> Through<'a> {
        Through { store, cache: self }
    }

    /// Drops everything cached for a tenant; only [`Through`] calls it, after each write.
    fn forget(&self, tenant: &TenantId) {
        self.lock().remove(tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, TenantEntry>> {
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The durable store's tenant, client and resource ports behind the node's cache (see
/// [`Directory::through`]). The tenant's entries are dropped after the write whether or not it
/// succeeded: a failed write may still have reached the store.
pub(crate) struct Through<'a> {
    store: &'a dyn DurableStore,
    cache: &'a Directory,
}

impl Through<'_> {
    fn written<T>(&self, tenant: &TenantId, result: StoreResult<T>) -> StoreResult<T> {
        self.cache.forget(tenant);
        result
    }
}

#[async_trait]
impl TenantStore for Through<'_> {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.written(&tenant.id, self.store.create_tenant(tenant).await)
    }
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        self.store.get_tenant(id).await
    }
    async fn list_tenants(&self, page: &PageRequest) -> StoreResult<Page<Tenant>> {
        self.store.list_tenants(page).await
    }
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.written(&tenant.id, self.store.update_tenant(tenant).await)
    }
    async fn delete_tenant(&self, id: &TenantId) -> StoreResult<bool> {
        self.written(id, self.store.delete_tenant(id).await)
    }
}

#[async_trait]
impl ClientStore for Through<'_> {
    async fn create_client(&self, client: &Client, secret: Option<&SecretHash>) -> StoreResult<()> {
        self.written(&client.tenant_id, self.store.create_client(client, secret).await)
    }
    async fn get_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Client>> {
        self.store.get_client(tenant, id).await
    }
    async fn list_clients(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>> {
        self.store.list_clients(tenant, page).await
    }
    async fn list_agents(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>> {
        self.store.list_agents(tenant, page).await
    }
    async fn find_saml_app(&self, tenant: &TenantId, entity_id: &str) -> StoreResult<Option<Client>> {
        self.store.find_saml_app(tenant, entity_id).await
    }
    async fn list_saml_apps(&self, tenant: &TenantId) -> StoreResult<Vec<Client>> {
        self.store.list_saml_apps(tenant).await
    }
    async fn update_client(&self, client: &Client) -> StoreResult<()> {
        self.written(&client.tenant_id, self.store.update_client(client).await)
    }
    async fn set_client_secret(
        &self,
        tenant: &TenantId,
        id: &ClientId,
        secret: &SecretHash,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.written(tenant, self.store.set_client_secret(tenant, id, secret, now).await)
    }
    async fn client_secret_hash(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<SecretHash>> {
        self.store.client_secret_hash(tenant, id).await
    }
    async fn set_registration_token(&self, tenant: &TenantId, id: &ClientId, token: &SecretHash) -> StoreResult<()> {
        self.written(tenant, self.store.set_registration_token(tenant, id, token).await)
    }
    async fn registration_token_hash(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<SecretHash>> {
        self.store.registration_token_hash(tenant, id).await
    }
    async fn delete_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<bool> {
        self.written(tenant, self.store.delete_client(tenant, id).await)
    }
}

#[async_trait]
impl ResourceStore for Through<'_> {
    async fn create_resource(&self, r: &Resource, secret: Option<&SecretHash>) -> StoreResult<()> {
        self.written(&r.tenant_id, self.store.create_resource(r, secret).await)
    }
    async fn get_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<Option<Resource>> {
        self.store.get_resource(tenant, id).await
    }
    async fn find_resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>> {
        self.store.find_resource(tenant, identifier).await
    }
    async fn list_resources(&self, tenant: &TenantId) -> StoreResult<Vec<Resource>> {
        self.store.list_resources(tenant).await
    }
    async fn update_resource(&self, r: &Resource) -> StoreResult<()> {
        self.written(&r.tenant_id, self.store.update_resource(r).await)
    }
    async fn delete_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<bool> {
        self.written(tenant, self.store.delete_resource(tenant, id).await)
    }
    async fn set_resource_secret(
        &self,
        tenant: &TenantId,
        id: &ResourceId,
        secret: Option<&SecretHash>,
        now: time::OffsetDateTime,
    ) -> StoreResult<()> {
        self.store.set_resource_secret(tenant, id, secret, now).await
    }
    async fn resource_secret_hash(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<Option<SecretHash>> {
        self.store.resource_secret_hash(tenant, id).await
    }
}

/// Purpose writes drop the tenant's entries.
#[async_trait]
impl PurposeStore for Through<'_> {
    async fn create_purpose(&self, p: &Purpose) -> StoreResult<()> {
        self.written(&p.tenant_id, self.store.create_purpose(p).await)
    }
    async fn list_purposes(&self, tenant: &TenantId) -> StoreResult<Vec<Purpose>> {
        self.store.list_purposes(tenant).await
    }
    async fn update_purpose(&self, p: &Purpose) -> StoreResult<bool> {
        self.written(&p.tenant_id, self.store.update_purpose(p).await)
    }
    async fn delete_purpose(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
        self.written(tenant, self.store.delete_purpose(tenant, id).await)
    }
}

/// Type writes drop the tenant's entries (the discovery document lists the types).
#[async_trait]
impl DetailTypeStore for Through<'_> {
    async fn create_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<()> {
        self.written(&t.tenant_id, self.store.create_detail_type(t).await)
    }
    async fn list_detail_types(&self, tenant: &TenantId) -> StoreResult<Vec<AuthorizationDetailType>> {
        self.store.list_detail_types(tenant).await
    }
    async fn update_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<bool> {
        self.written(&t.tenant_id, self.store.update_detail_type(t).await)
    }
    async fn delete_detail_type(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
        self.written(tenant, self.store.delete_detail_type(tenant, id).await)
    }
}

/// Provider writes drop the tenant's entries; links are never cached and go straight through.
#[async_trait]
impl FederationStore for Through<'_> {
    async fn saml_signing_key(&self, tenant: &TenantId) -> StoreResult<Option<SamlSigningKey>> {
        self.store.saml_signing_key(tenant).await
    }
    async fn create_saml_signing_key(&self, key: &SamlSigningKey) -> StoreResult<bool> {
        self.written(&key.tenant_id, self.store.create_saml_signing_key(key).await)
    }
    async fn create_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        self.written(&p.tenant_id, self.store.create_identity_provider(p).await)
    }
    async fn get_identity_provider(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<IdentityProvider>> {
        self.store.get_identity_provider(tenant, id).await
    }
    async fn list_identity_providers(&self, tenant: &TenantId) -> StoreResult<Vec<IdentityProvider>> {
        self.store.list_identity_providers(tenant).await
    }
    async fn update_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        self.written(&p.tenant_id, self.store.update_identity_provider(p).await)
    }
    async fn delete_identity_provider(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<u64>> {
        self.written(tenant, self.store.delete_identity_provider(tenant, id).await)
    }
    async fn link_identity(&self, link: &FederatedIdentity) -> StoreResult<()> {
        self.store.link_identity(link).await
    }
    async fn find_identity(
        &self,
        tenant: &TenantId,
        provider: &str,
        subject: &str,
    ) -> StoreResult<Option<FederatedIdentity>> {
        self.store.find_identity(tenant, provider, subject).await
    }
    async fn list_user_identities(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<FederatedIdentity>> {
        self.store.list_user_identities(tenant, user).await
    }
    async fn unlink_identity(
        &self,
        tenant: &TenantId,
        user: &UserId,
        provider: &str,
        subject: &str,
    ) -> StoreResult<bool> {
        self.store.unlink_identity(tenant, user, provider, subject).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_used_only_while_fresh() {
        let now = Instant::now();
        assert_eq!(Directory::fresh(Some(&(now, 7))), Some(7));
        let old = now.checked_sub(TTL + Duration::from_millis(1)).unwrap();
        assert_eq!(Directory::fresh(Some(&(old, 7))), None);
        assert_eq!(Directory::fresh::<i32>(None), None);
    }

    /// A SQLite store in a fresh directory with tenant `acme`, its client `web` (with a secret)
    /// and, not yet stored, its resource `trips`.
    struct Fixture {
        dir: std::path::PathBuf,
        store: Arc<dyn ciam_core::store::DurableStore>,
        tenant: TenantId,
        acme: ciam_core::tenant::Tenant,
        web: ciam_core::client::Client,
        trips: ciam_core::resource::Resource,
    }

    impl Fixture {
        async fn new() -> Self {
            use ciam_store::contract::{client, tenant};
            let dir = std::env::temp_dir().join(format!("ciam-directory-{}", ciam_core::secret::random_token(8)));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}/ciam.db", dir.display());
            let store = ciam_store::open_durable(&url, &ciam_store::PoolOptions::default()).await.unwrap();
            let acme = tenant("acme");
            store.create_tenant(&acme).await.unwrap();
            let web = client("acme", "web");
            store.create_client(&web, Some(&SecretHash::of("first"))).await.unwrap();
            let trips = ciam_core::resource::Resource {
                tenant_id: acme.id.clone(),
                id: ciam_core::id::ResourceId::parse("trips").unwrap(),
                identifier: "https://trips.example/api".into(),
                name: "Trips".into(),
                scopes: ciam_core::scope::ScopeSet::parse_space_separated("trips:read").unwrap(),
                access_token_lifetime: 600,
                introspection: None,
                created_at: web.created_at,
                updated_at: web.created_at,
            };
            Self { dir, store, tenant: acme.id.clone(), acme, web, trips }
        }
    }

    /// Reads come from the cache until a write goes through it; unknown clients are not cached.
    #[tokio::test]
    async fn serves_from_memory_until_written_through() {
        use ciam_core::client::AuthMethod;
        let Fixture { dir, store, tenant: t, web, trips, .. } = Fixture::new().await;
        let directory = Directory::default();

        let known = directory.client(store.as_ref(), &t, &web.client_id).await.unwrap().unwrap();
        assert_eq!(known.secret, Some(SecretHash::of("first")));
        assert_eq!(directory.tenant(store.as_ref(), &t).await.unwrap().unwrap().display_name, "Tenant acme");

        // Changed behind the cache's back (as another node would): still the cached values.
        store.set_client_secret(&t, &web.client_id, &SecretHash::of("second"), web.updated_at).await.unwrap();
        let public = ciam_core::client::Client { token_endpoint_auth_method: AuthMethod::None, ..web.clone() };
        store.update_client(&public).await.unwrap();
        let mut renamed = (*directory.tenant(store.as_ref(), &t).await.unwrap().unwrap()).clone();
        renamed.display_name = "Renamed".into();
        store.update_tenant(&renamed).await.unwrap();
        let cached = directory.client(store.as_ref(), &t, &web.client_id).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&cached, &known));
        assert_eq!(directory.tenant(store.as_ref(), &t).await.unwrap().unwrap().display_name, "Tenant acme");

        // A write through the decorator (a change through this node): the next read sees the store.
        directory.through(store.as_ref()).update_tenant(&renamed).await.unwrap();
        let fresh = directory.client(store.as_ref(), &t, &web.client_id).await.unwrap().unwrap();
        assert_eq!(fresh.client.token_endpoint_auth_method, AuthMethod::None);
        assert_eq!(fresh.secret, None, "no secret is read for a client that does not use one");
        assert_eq!(directory.tenant(store.as_ref(), &t).await.unwrap().unwrap().display_name, "Renamed");

        let ghost = ClientId::parse("ghost").unwrap();
        assert!(directory.client(store.as_ref(), &t, &ghost).await.unwrap().is_none());
        assert!(!directory.lock().get(&t).unwrap().clients.contains_key(&ghost), "unknown ids are not cached");

        // Resources: the tenant's list, so an unregistered identifier is answered from it too.
        let uri = trips.identifier.as_str();
        assert!(directory.resource(store.as_ref(), &t, uri).await.unwrap().is_none());
        store.create_resource(&trips, None).await.unwrap();
        assert!(directory.resource(store.as_ref(), &t, uri).await.unwrap().is_none(), "cached: not yet seen");
        directory.through(store.as_ref()).update_resource(&trips).await.unwrap();
        assert_eq!(directory.resource(store.as_ref(), &t, uri).await.unwrap().unwrap().id, trips.id);
        assert!(directory.resource(store.as_ref(), &t, "https://other.example/").await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    /// An app owns an agent or not, as the tenant's agents say, cached like the rest.
    #[tokio::test]
    async fn which_apps_own_agents_is_read_once_per_period() {
        use ciam_core::agent::{AgentProfile, AgentStatus};
        let Fixture { dir, store, tenant: t, web, .. } = Fixture::new().await;
        let directory = Directory::default();
        let agent_of = |id: &str, owner: AgentOwner| {
            let mut agent = ciam_store::contract::client("acme", id);
            agent.agent = Some(AgentProfile {
                description: "Books trips".into(),
                owner,
                allowed_audiences: vec![],
                max_token_lifetime: 300,
                max_chain_depth: 2,
                delegation_lifetime: 3600,
                status: AgentStatus::Active,
            });
            agent
        };
        let other = ClientId::parse("other").unwrap();
        assert!(!directory.may_own_agents(store.as_ref(), &t, &web.client_id).await.unwrap(), "no agent yet");
        // Behind the cache's back: seen after a write through it (or the TTL).
        store.create_client(&agent_of("concierge", AgentOwner::Client(web.client_id.clone())), None).await.unwrap();
        assert!(!directory.may_own_agents(store.as_ref(), &t, &web.client_id).await.unwrap(), "cached");
        let personal = agent_of("butler", AgentOwner::User(ciam_core::id::UserId::generate()));
        directory.through(store.as_ref()).create_client(&personal, None).await.unwrap();
        assert!(directory.may_own_agents(store.as_ref(), &t, &web.client_id).await.unwrap());
        assert!(!directory.may_own_agents(store.as_ref(), &t, &other).await.unwrap(), "a user's agent is no app's");
        // More agents than one page: every app may own one.
        for i in 0..PageRequest::MAX_LIMIT {
            let agent = agent_of(&format!("agent-{i}"), AgentOwner::Client(web.client_id.clone()));
            directory.through(store.as_ref()).create_client(&agent, None).await.unwrap();
        }
        assert!(directory.may_own_agents(store.as_ref(), &t, &other).await.unwrap());
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Every write through the decorator drops the tenant's entries, even a write the store
    /// refuses (it may have reached the store before failing).
    #[tokio::test]
    async fn every_write_through_the_decorator_drops_the_tenants_entries() {
        let Fixture { dir, store, tenant: t, acme, web, trips } = Fixture::new().await;
        let directory = Directory::default();
        let other = ciam_store::contract::client("acme", "other");
        let through = directory.through(store.as_ref());
        let corp = ciam_store::contract::identity_provider("acme", "corp");
        for write in 0..13 {
            directory.tenant(store.as_ref(), &t).await.unwrap().unwrap();
            assert!(directory.lock().contains_key(&t));
            let token = SecretHash::of("rat");
            let _ = match write {
                0 => through.create_tenant(&acme).await.map(drop),
                1 => through.update_tenant(&acme).await,
                2 => through.create_client(&other, None).await,
                3 => through.update_client(&web).await,
                4 => through.set_client_secret(&t, &web.client_id, &token, web.updated_at).await,
                5 => through.set_registration_token(&t, &web.client_id, &token).await,
                6 => through.delete_client(&t, &other.client_id).await.map(drop),
                7 => through.create_resource(&trips, None).await,
                8 => through.update_resource(&trips).await,
                9 => through.delete_resource(&t, &trips.id).await.map(drop),
                10 => through.create_identity_provider(&corp).await,
                11 => through.update_identity_provider(&corp).await,
                _ => through.delete_identity_provider(&t, &corp.id).await.map(drop),
            };
            assert!(!directory.lock().contains_key(&t), "write {write} left the cache in place");
        }
        through.delete_tenant(&t).await.unwrap();
        assert!(directory.tenant(store.as_ref(), &t).await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
