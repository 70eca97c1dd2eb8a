//! The durable store of a multi-region node: every port, routed by tenant.

use async_trait::async_trait;
use ciam_core::admin::{CustomRole, Principal, RoleAssignment, Scope};
use ciam_core::agent::Delegation;
use ciam_core::audit::{AuditCount, AuditEvent, AuditFilter, AuditRecord};
use ciam_core::authorization_details::AuthorizationDetailType;
use ciam_core::client::Client;
use ciam_core::factor::{Factor, FactorKind, SignInProfile};
use ciam_core::federation::{FederatedIdentity, IdentityProvider};
use ciam_core::id::{ClientId, Region, ResourceId, TenantId, UserId};
use ciam_core::invitation::Invitation;
use ciam_core::outbox::{OutboxEvent, QueuedMail};
use ciam_core::page::{Page, PageRequest};
use ciam_core::purpose::{ConsentEvent, Purpose, PurposeConsent, VersionCount};
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord, Rotation};
use ciam_core::region::{Placement, TenantDump};
use ciam_core::resource::Resource;
use ciam_core::saml_app::SamlSigningKey;
use ciam_core::secret::SecretHash;
use ciam_core::signing_key::StoredKey;
use ciam_core::store::*;
use ciam_core::tenant::Tenant;
use ciam_core::user::{Imported, ImportedUser, PasswordHash, User};
use time::OffsetDateTime;

use std::sync::Arc;

use super::{Access, RegionDurable, Served, Slot, copy_error, in_region};

/// The durable store of a node that serves several regions (see the module docs).
pub struct RegionalStore {
    pub(super) served: Served<dyn RegionDurable>,
}

impl RegionalStore {
    pub(crate) fn new(served: Served<dyn RegionDurable>) -> Self {
        Self { served }
    }

    /// The store of `tenant`'s home region.
    async fn store(
        &self,
        tenant: &TenantId,
        access: Access,
    ) -> StoreResult<(&Arc<Slot<dyn RegionDurable>>, Arc<dyn RegionDurable>)> {
        self.served.pick(tenant.as_str(), access).await
    }

    /// Runs `call` on every region served and adds up the counts; a region that fails is
    /// logged and skipped, and its error returned only when every region failed.
    async fn each_region<F, Fut>(&self, what: &str, call: F) -> StoreResult<u64>
    where
        F: Fn(Arc<dyn RegionDurable>) -> Fut,
        Fut: std::future::Future<Output = StoreResult<u64>>,
    {
        let (mut total, mut answered, mut failed) = (0, false, None);
        for (region, store) in self.served.each() {
            match async { call(store?).await }.await {
                Ok(n) => (total, answered) = (total + n, true),
                Err(e) => {
                    tracing::warn!(%region, error = %e, "{what}: region skipped");
                    failed = Some(in_region(region)(e));
                }
            }
        }
        match failed {
            Some(e) if !answered => Err(e),
            _ => Ok(total),
        }
    }

    /// Splits a cross-tenant batch by home region: `(region's store, indexes into the batch)`.
    async fn by_region(
        &self,
        tenants: impl Iterator<Item = &TenantId>,
    ) -> StoreResult<Vec<(&Region, Arc<dyn RegionDurable>, Vec<usize>)>> {
        let mut groups: Vec<(&Region, Arc<dyn RegionDurable>, Vec<usize>)> = Vec::new();
        for (i, tenant) in tenants.enumerate() {
            let (slot, store) = self.store(tenant, Access::Write).await?;
            match groups.iter_mut().find(|(r, _, _)| *r == slot.region()) {
                Some((_, _, indexes)) => indexes.push(i),
                None => groups.push((slot.region(), store, vec![i])),
            }
        }
        Ok(groups)
    }
}

/// An impl of `$port` whose methods name their tenant (`access fn name(args) -> T => tenant
/// expression;`), followed by methods written out. The whole impl comes from the macro, so
/// `async_trait` sees the methods.
macro_rules! routed {
    (impl $port:ident {
        $( $access:ident fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty => $tenant:expr; )*
    } $($rest:tt)*) => {
        #[async_trait]
        impl $port for RegionalStore {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> StoreResult<$ret> {
                    let (slot, store) = self.store($tenant, Access::$access).await?;
                    store.$name($($arg),*).await.map_err(in_region(slot.region()))
                }
            )*
            $($rest)*
        }
    };
}

#[async_trait]
impl TenantStore for RegionalStore {
    /// Places the tenant in its home region, then creates it there (or takes the placement
    /// back if that fails).
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let region = &tenant.home_region;
        let store = self.served.slot(region)?.get()?;
        // A tenant id taken in any region is taken (the answer tenants always gave).
        self.place_tenant(&tenant.id, region, tenant.created_at).await.map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "id" },
            other => other,
        })?;
        if let Err(e) = store.create_tenant(tenant).await {
            if let Err(undo) = self.remove_placement(&tenant.id).await {
                tracing::error!(tenant = %tenant.id, error = %undo, "a failed tenant's placement stays");
            }
            return Err(in_region(region)(e));
        }
        Ok(())
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        let (slot, store) = self.store(id, Access::Read).await?;
        store.get_tenant(id).await.map_err(in_region(slot.region()))
    }

    /// The tenants of every region served, merged in id order.
    async fn list_tenants(&self, page: &PageRequest) -> StoreResult<Page<Tenant>> {
        let (mut items, mut more) = (Vec::new(), false);
        for (region, store) in self.served.each() {
            let part = store?.list_tenants(page).await.map_err(in_region(region))?;
            more |= part.next_after.is_some();
            items.extend(part.items);
        }
        items.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        let limit = usize::try_from(page.size()).unwrap_or(usize::MAX);
        more |= items.len() > limit;
        items.truncate(limit);
        let next_after = if more { items.last().map(|t| t.id.to_string()) } else { None };
        Ok(Page { items, next_after })
    }

    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let (slot, store) = self.store(&tenant.id, Access::Write).await?;
        store.update_tenant(tenant).await.map_err(in_region(slot.region()))
    }

    /// Deletes the tenant in its region, then its placement.
    async fn delete_tenant(&self, id: &TenantId) -> StoreResult<bool> {
        let (slot, store) = self.store(id, Access::Write).await?;
        let deleted = store.delete_tenant(id).await.map_err(in_region(slot.region()))?;
        self.remove_placement(id).await?;
        Ok(deleted)
    }
}

routed! {
    impl UserStore {
        Write fn create_user(&self, user: &User, password: Option<&PasswordHash>) -> () => &user.tenant_id;
        Read fn get_user(&self, tenant: &TenantId, id: &UserId) -> Option<User> => tenant;
        Read fn find_user_by_email(&self, tenant: &TenantId, email_normalized: &str) -> Option<User> => tenant;
        Read fn list_users(&self, tenant: &TenantId, page: &PageRequest) -> Page<User> => tenant;
        Read fn find_users_by_name(&self, tenant: &TenantId, prefix: &str, page: &PageRequest) -> Page<User> => tenant;
        Write fn update_user(&self, user: &User, password: Option<&PasswordHash>) -> () => &user.tenant_id;
        Write fn delete_user(&self, tenant: &TenantId, id: &UserId) -> bool => tenant;
        Read fn password_hash(&self, tenant: &TenantId, id: &UserId) -> Option<PasswordHash> => tenant;
        Write fn import_users(&self, tenant: &TenantId, users: &[ImportedUser]) -> Vec<Imported> => tenant;
        Read fn external_id(&self, tenant: &TenantId, id: &UserId) -> Option<String> => tenant;
    }
}

routed! {
    impl ClientStore {
        Write fn create_client(&self, client: &Client, secret: Option<&SecretHash>) -> () => &client.tenant_id;
        Read fn get_client(&self, tenant: &TenantId, id: &ClientId) -> Option<Client> => tenant;
        Read fn list_clients(&self, tenant: &TenantId, page: &PageRequest) -> Page<Client> => tenant;
        Read fn list_agents(&self, tenant: &TenantId, page: &PageRequest) -> Page<Client> => tenant;
        Read fn find_saml_app(&self, tenant: &TenantId, entity_id: &str) -> Option<Client> => tenant;
        Read fn list_saml_apps(&self, tenant: &TenantId) -> Vec<Client> => tenant;
        Write fn update_client(&self, client: &Client) -> () => &client.tenant_id;
        Write fn set_client_secret(&self, tenant: &TenantId, id: &ClientId, secret: &SecretHash, now: OffsetDateTime)
            -> () => tenant;
        Read fn client_secret_hash(&self, tenant: &TenantId, id: &ClientId) -> Option<SecretHash> => tenant;
        Write fn set_registration_token(&self, tenant: &TenantId, id: &ClientId, token: &SecretHash) -> () => tenant;
        Read fn registration_token_hash(&self, tenant: &TenantId, id: &ClientId) -> Option<SecretHash> => tenant;
        Write fn delete_client(&self, tenant: &TenantId, id: &ClientId) -> bool => tenant;
    }
}

routed! {
    impl KeyStore {
        Write fn insert_key(&self, key: &StoredKey) -> () => &key.tenant_id;
        Read fn list_keys(&self, tenant: &TenantId) -> Vec<StoredKey> => tenant;
        Write fn rotate_keys(&self, tenant: &TenantId, alg: &str, next_kid: &str, new_next: &StoredKey,
            now: OffsetDateTime) -> () => tenant;
        Write fn delete_retired_keys(&self, tenant: &TenantId, cutoff: OffsetDateTime) -> u64 => tenant;
    }
}

routed! {
    impl RevocationStore {
        Write fn revoke_token(&self, tenant: &TenantId, jti: &str, expires_at: OffsetDateTime) -> () => tenant;
        Read fn is_token_revoked(&self, tenant: &TenantId, jti: &str, grant: Option<&str>) -> bool => tenant;
        Read fn unexpired_revocations(&self, tenant: &TenantId, now: OffsetDateTime, limit: u32) -> Vec<(String, OffsetDateTime)> => tenant;
    }

    async fn purge_revocations(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.each_region("purging revocations", |store| async move { store.purge_revocations(now).await }).await
    }
}

routed! {
    impl RefreshStore {
        Write fn create_refresh_family(&self, family: &RefreshFamily, first: &RefreshTokenRecord) -> ()
            => &family.tenant_id;
        Read fn find_refresh_token(&self, tenant: &TenantId, token_hash: &SecretHash)
            -> Option<(RefreshTokenRecord, RefreshFamily)> => tenant;
        Write fn rotate_refresh_token(&self, tenant: &TenantId, token_hash: &SecretHash,
            successor: &RefreshTokenRecord, now: OffsetDateTime) -> Rotation => tenant;
        Write fn revoke_refresh_family(&self, tenant: &TenantId, family_id: &str, now: OffsetDateTime) -> bool
            => tenant;
        Write fn revoke_user_refresh_families(&self, tenant: &TenantId, user: &UserId, now: OffsetDateTime) -> u64
            => tenant;
        Write fn narrow_user_refresh_families(&self, tenant: &TenantId, user: &UserId, scope: &str) -> u64 => tenant;
        Write fn revoke_client_refresh_families(&self, tenant: &TenantId, user: &UserId, client: &ClientId,
            now: OffsetDateTime) -> u64 => tenant;
    }
}

routed! {
    impl ConsentStore {
        Read fn get_consent(&self, tenant: &TenantId, user: &UserId, client: &ClientId) -> Option<String> => tenant;
        Read fn list_consents(&self, tenant: &TenantId, user: &UserId) -> Vec<(ClientId, String, OffsetDateTime)>
            => tenant;
    }
}

routed! {
    impl PurposeStore {
        Write fn create_purpose(&self, purpose: &Purpose) -> () => &purpose.tenant_id;
        Read fn list_purposes(&self, tenant: &TenantId) -> Vec<Purpose> => tenant;
        Write fn update_purpose(&self, purpose: &Purpose) -> bool => &purpose.tenant_id;
        Write fn delete_purpose(&self, tenant: &TenantId, id: &str) -> bool => tenant;
    }
}

routed! {
    impl DetailTypeStore {
        Write fn create_detail_type(&self, t: &AuthorizationDetailType) -> () => &t.tenant_id;
        Read fn list_detail_types(&self, tenant: &TenantId) -> Vec<AuthorizationDetailType> => tenant;
        Write fn update_detail_type(&self, t: &AuthorizationDetailType) -> bool => &t.tenant_id;
        Write fn delete_detail_type(&self, tenant: &TenantId, id: &str) -> bool => tenant;
    }
}

routed! {
    impl ConsentLedger {
        Write fn record_consent(&self, event: &ConsentEvent, notify: Option<&OutboxEvent>) -> i64 => &event.tenant_id;
        Read fn purpose_consents(&self, tenant: &TenantId, user: &UserId) -> Vec<PurposeConsent> => tenant;
        Read fn consent_history(&self, tenant: &TenantId, user: &UserId, page: &PageRequest) -> Page<ConsentEvent>
            => tenant;
        Read fn purpose_report(&self, tenant: &TenantId, purpose: &str) -> Vec<VersionCount> => tenant;
        Write fn queue_event(&self, event: &OutboxEvent) -> () => &event.tenant_id;
        Read fn list_outbox_events(&self, tenant: &TenantId, page: &PageRequest) -> Page<OutboxEvent> => tenant;
    }
}

routed! {
    impl RetentionStore {
        Write fn erase_user(&self, tenant: &TenantId, user: &UserId, at: OffsetDateTime) -> bool => tenant;
        Read fn is_erased(&self, tenant: &TenantId, user: &UserId) -> bool => tenant;
        Write fn request_erasure(&self, tenant: &TenantId, user: &UserId, requested: OffsetDateTime,
            due: OffsetDateTime) -> () => tenant;
        Read fn erasure_due(&self, tenant: &TenantId, user: &UserId) -> Option<OffsetDateTime> => tenant;
        Write fn cancel_erasure(&self, tenant: &TenantId, user: &UserId) -> bool => tenant;
        Read fn due_erasures(&self, tenant: &TenantId, now: OffsetDateTime, limit: u32) -> Vec<UserId> => tenant;
        Read fn unverified_users(&self, tenant: &TenantId, before: OffsetDateTime, limit: u32) -> Vec<UserId>
            => tenant;
        Write fn purge_ended_grants(&self, tenant: &TenantId, before: OffsetDateTime, limit: u32) -> u64 => tenant;
        Write fn prune_audit(&self, tenant: &TenantId, before_ms: i64, limit: u32) -> u64 => tenant;
        Read fn audit_horizon(&self, tenant: &TenantId) -> Option<(i64, String)> => tenant;
    }
}

routed! {
    impl ResourceStore {
        Write fn create_resource(&self, r: &Resource, secret: Option<&SecretHash>) -> () => &r.tenant_id;
        Read fn get_resource(&self, tenant: &TenantId, id: &ResourceId) -> Option<Resource> => tenant;
        Read fn find_resource(&self, tenant: &TenantId, identifier: &str) -> Option<Resource> => tenant;
        Read fn list_resources(&self, tenant: &TenantId) -> Vec<Resource> => tenant;
        Write fn update_resource(&self, r: &Resource) -> () => &r.tenant_id;
        Write fn set_resource_secret(&self, tenant: &TenantId, id: &ResourceId, secret: Option<&SecretHash>,
            now: OffsetDateTime) -> () => tenant;
        Read fn resource_secret_hash(&self, tenant: &TenantId, id: &ResourceId) -> Option<SecretHash> => tenant;
        Write fn delete_resource(&self, tenant: &TenantId, id: &ResourceId) -> bool => tenant;
    }
}

routed! {
    impl DelegationStore {
        Write fn create_delegation(&self, d: &Delegation) -> () => &d.tenant_id;
        Read fn get_delegation(&self, tenant: &TenantId, id: &str) -> Option<Delegation> => tenant;
        Read fn list_user_delegations(&self, tenant: &TenantId, user: &UserId) -> Vec<Delegation> => tenant;
        Read fn active_delegations(&self, tenant: &TenantId, user: &UserId, agent: &ClientId, now: OffsetDateTime)
            -> Vec<Delegation> => tenant;
        Read fn live_agent_delegations(&self, tenant: &TenantId, agent: &ClientId, now: OffsetDateTime)
            -> Vec<Delegation> => tenant;
        Write fn revoke_delegation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> bool => tenant;
    }
}

routed! {
    impl AuditStore {
        Read fn query_audit(&self, tenant: &TenantId, filter: &AuditFilter, page: &PageRequest) -> Page<AuditEvent>
            => tenant;
        Read fn audit_chain(&self, tenant: &TenantId, after_seq: i64, limit: u32) -> Vec<AuditEvent> => tenant;
        Read fn audit_head(&self, tenant: &TenantId) -> Option<(i64, String)> => tenant;
        Read fn audit_counts(&self, tenant: &TenantId, since_ms: i64, until_ms: i64) -> Vec<AuditCount> => tenant;
    }

    /// Each region's part of the batch in one call; the events come back in the batch's order.
    async fn append_audit(&self, batch: &[(TenantId, OffsetDateTime, AuditRecord)]) -> StoreResult<Vec<AuditEvent>> {
        let groups = self.by_region(batch.iter().map(|(t, _, _)| t)).await?;
        if let [(region, store, _)] = groups.as_slice() {
            return store.append_audit(batch).await.map_err(in_region(region));
        }
        let mut stored: Vec<Option<AuditEvent>> = batch.iter().map(|_| None).collect();
        for (region, store, indexes) in groups {
            let part: Vec<_> = indexes.iter().filter_map(|&i| batch.get(i).cloned()).collect();
            let events = store.append_audit(&part).await.map_err(in_region(region))?;
            for (i, event) in indexes.into_iter().zip(events) {
                if let Some(slot) = stored.get_mut(i) {
                    *slot = Some(event);
                }
            }
        }
        stored.into_iter().map(|e| e.ok_or_else(|| StoreError::Corrupt("an event was not stored".into()))).collect()
    }

    /// Each region's part in one call; a region that fails fails its own entries only.
    async fn append_audit_with_grants(&self, batch: &[AuditEntry]) -> StoreResult<Vec<StoreResult<()>>> {
        let groups = self.by_region(batch.iter().map(|e| &e.tenant)).await?;
        if let [(region, store, _)] = groups.as_slice() {
            return store.append_audit_with_grants(batch).await.map_err(in_region(region));
        }
        let mut outcomes: Vec<StoreResult<()>> = batch.iter().map(|_| Ok(())).collect();
        for (region, store, indexes) in groups {
            let part: Vec<_> = indexes.iter().filter_map(|&i| batch.get(i).cloned()).collect();
            let results = match store.append_audit_with_grants(&part).await.map_err(in_region(region)) {
                Ok(results) => results,
                Err(e) => indexes.iter().map(|_| Err(copy_error(&e))).collect(),
            };
            for (i, outcome) in indexes.into_iter().zip(results) {
                if let Some(slot) = outcomes.get_mut(i) {
                    *slot = outcome;
                }
            }
        }
        Ok(outcomes)
    }
}

routed! {
    impl DataKeyStore {
        Read fn data_key(&self, tenant: &TenantId, subject: &str) -> Option<String> => tenant;
        Write fn create_data_key(&self, tenant: &TenantId, subject: &str, sealed: &str, now: OffsetDateTime) -> String
            => tenant;
        Write fn destroy_data_key(&self, tenant: &TenantId, subject: &str) -> bool => tenant;
    }
}

routed! {
    impl FactorStore {
        Write fn create_factor(&self, factor: &Factor) -> () => &factor.tenant_id;
        Read fn list_factors(&self, tenant: &TenantId, user: &UserId) -> Vec<Factor> => tenant;
        Read fn find_factor(&self, tenant: &TenantId, kind: FactorKind, lookup: &str) -> Option<Factor> => tenant;
        Write fn replace_factor_data(&self, tenant: &TenantId, id: &str, expected: &str, new: &str,
            used_at: OffsetDateTime) -> bool => tenant;
        Write fn delete_factor(&self, tenant: &TenantId, user: &UserId, id: &str) -> bool => tenant;
        Write fn delete_user_factors(&self, tenant: &TenantId, user: &UserId, kind: Option<FactorKind>) -> u64
            => tenant;
        Read fn sign_in_profile(&self, tenant: &TenantId, user: &UserId) -> SignInProfile => tenant;
        Write fn put_sign_in_profile(&self, tenant: &TenantId, user: &UserId, profile: &SignInProfile) -> ()
            => tenant;
    }
}

routed! {
    impl MailOutboxStore {
        Write fn enqueue_mail(&self, mail: &QueuedMail) -> () => &mail.tenant_id;
        Write fn delete_claimed_mail(&self, tenant: &TenantId, id: &str, claim: &str) -> bool => tenant;
        Write fn release_failed_mail(&self, tenant: &TenantId, id: &str, claim: &str,
            retry_at: Option<OffsetDateTime>, error: &str) -> bool => tenant;
        Read fn get_mail(&self, tenant: &TenantId, id: &str) -> Option<QueuedMail> => tenant;
    }

    /// Claims from each region served in turn, up to `limit` in all; a region down is skipped.
    async fn claim_mail(
        &self,
        claim: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<QueuedMail>> {
        let mut claimed = Vec::new();
        for (region, store) in self.served.each() {
            let left = limit.saturating_sub(u32::try_from(claimed.len()).unwrap_or(u32::MAX));
            if left == 0 {
                break;
            }
            match async { store?.claim_mail(claim, now, until, left).await }.await {
                Ok(mails) => claimed.extend(mails),
                Err(e) => tracing::warn!(%region, error = %e, "claiming mail: region skipped"),
            }
        }
        Ok(claimed)
    }

    async fn purge_failed_mail(&self, cutoff: OffsetDateTime) -> StoreResult<u64> {
        self.each_region("purging failed mail", |store| async move { store.purge_failed_mail(cutoff).await }).await
    }
}

routed! {
    impl InvitationStore {
        Write fn create_invitation(&self, invitation: &Invitation, token_hash: &str) -> () => &invitation.tenant_id;
        Read fn list_invitations(&self, tenant: &TenantId, page: &PageRequest) -> Page<Invitation> => tenant;
        Read fn get_invitation(&self, tenant: &TenantId, id: &str) -> Option<Invitation> => tenant;
        Read fn find_invitation(&self, tenant: &TenantId, token_hash: &str) -> Option<Invitation> => tenant;
        Write fn use_invitation(&self, tenant: &TenantId, id: &str, user: &UserId, now: OffsetDateTime) -> bool
            => tenant;
        Write fn revoke_invitation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> bool => tenant;
    }
}

// Administrators' roles live with the control tenant, in its region.
routed! {
    impl AdminRoleStore {
        Write fn create_role_assignment(&self, assignment: &RoleAssignment) -> () => &assignment.control_tenant;
        Read fn get_role_assignment(&self, control: &TenantId, id: &str) -> Option<RoleAssignment> => control;
        Write fn delete_role_assignment(&self, control: &TenantId, id: &str) -> bool => control;
        Read fn role_assignments_of(&self, control: &TenantId, principal: &Principal) -> Vec<RoleAssignment>
            => control;
        Read fn list_role_assignments(&self, control: &TenantId, scope: &Scope, page: &PageRequest)
            -> Page<RoleAssignment> => control;
        Write fn delete_scope_assignments(&self, control: &TenantId, scope: &Scope) -> u64 => control;
        Write fn delete_principal_assignments(&self, control: &TenantId, principal: &Principal) -> u64 => control;
        Write fn save_custom_role(&self, role: &CustomRole) -> () => &role.control_tenant;
        Read fn custom_roles(&self, control: &TenantId) -> Vec<CustomRole> => control;
        Write fn delete_custom_role(&self, control: &TenantId, name: &str) -> bool => control;
    }
}

routed! {
    impl FederationStore {
        Write fn create_identity_provider(&self, provider: &IdentityProvider) -> () => &provider.tenant_id;
        Read fn get_identity_provider(&self, tenant: &TenantId, id: &str) -> Option<IdentityProvider> => tenant;
        Read fn list_identity_providers(&self, tenant: &TenantId) -> Vec<IdentityProvider> => tenant;
        Write fn update_identity_provider(&self, provider: &IdentityProvider) -> () => &provider.tenant_id;
        Write fn delete_identity_provider(&self, tenant: &TenantId, id: &str) -> Option<u64> => tenant;
        Write fn link_identity(&self, link: &FederatedIdentity) -> () => &link.tenant_id;
        Read fn find_identity(&self, tenant: &TenantId, provider: &str, subject: &str) -> Option<FederatedIdentity>
            => tenant;
        Read fn list_user_identities(&self, tenant: &TenantId, user: &UserId) -> Vec<FederatedIdentity> => tenant;
        Read fn saml_signing_key(&self, tenant: &TenantId) -> Option<SamlSigningKey> => tenant;
        Write fn create_saml_signing_key(&self, key: &SamlSigningKey) -> bool => &key.tenant_id;
        Write fn unlink_identity(&self, tenant: &TenantId, user: &UserId, provider: &str, subject: &str) -> bool
            => tenant;
    }
}

#[async_trait]
impl HealthCheck for RegionalStore {
    /// Ready while at least one region served answers (`/readyz` reports each one).
    async fn ping(&self) -> StoreResult<()> {
        self.served.ping_any().await
    }
}

/// The control region's directory, with this node's map kept in step with what it writes.
#[async_trait]
impl RegionDirectory for RegionalStore {
    async fn place_tenant(&self, tenant: &TenantId, region: &Region, now: OffsetDateTime) -> StoreResult<()> {
        let directory = self.served.placements.directory();
        directory.place_tenant(tenant, region, now).await?;
        if let Some(placement) = directory.placement(tenant).await? {
            self.served.placements.remember(&placement);
        }
        Ok(())
    }

    async fn placement(&self, tenant: &TenantId) -> StoreResult<Option<Placement>> {
        self.served.placements.directory().placement(tenant).await
    }

    async fn placements(&self) -> StoreResult<Vec<Placement>> {
        self.served.placements.directory().placements().await
    }

    async fn placements_version(&self) -> StoreResult<i64> {
        self.served.placements.directory().placements_version().await
    }

    async fn update_placement(&self, placement: &Placement) -> StoreResult<()> {
        self.served.placements.directory().update_placement(placement).await?;
        self.served.placements.remember(placement);
        Ok(())
    }

    async fn remove_placement(&self, tenant: &TenantId) -> StoreResult<bool> {
        let removed = self.served.placements.directory().remove_placement(tenant).await?;
        self.served.placements.forget(tenant);
        Ok(removed)
    }
}

// Transfers are what a move does while the tenant is frozen: they read and write around the
// freeze (`Read`), in the tenant's current region.
routed! {
    impl TenantTransfer {
        Read fn export_tenant(&self, tenant: &TenantId) -> TenantDump => tenant;
        Read fn import_tenant(&self, dump: &TenantDump) -> () => &dump.tenant;
        Read fn tenant_row_counts(&self, tenant: &TenantId) -> Vec<(String, u64)> => tenant;
        Read fn purge_tenant(&self, tenant: &TenantId) -> u64 => tenant;
    }
}
