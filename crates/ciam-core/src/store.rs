//! Store ports: the narrow async traits that protocol and admin code call. Adapters live in
//! `ciam-store` (SQLite and Postgres for the durable store; in-process and Redis for the
//! ephemeral store), and one contract suite holds every adapter to the same behaviour.
//!
//! Tenancy is in every durable signature: each method takes the [`TenantId`] first, and every
//! key in every table starts with it, so no call can reach another tenant's rows.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::admin::{CustomRole, Principal, RoleAssignment, Scope};
use crate::agent::Delegation;
use crate::audit::{AuditCount, AuditEvent, AuditFilter, AuditRecord};
use crate::authorization_details::AuthorizationDetailType;
use crate::client::Client;
use crate::factor::{Factor, FactorKind, SignInProfile};
use crate::federation::{FederatedIdentity, IdentityProvider};
use crate::id::{ClientId, Region, ResourceId, TenantId, UserId};
use crate::invitation::Invitation;
use crate::outbox::{OutboxEvent, QueuedMail};
use crate::page::{Page, PageRequest};
use crate::purpose::{ConsentEvent, Purpose, PurposeConsent, VersionCount};
use crate::refresh::{RefreshFamily, RefreshTokenRecord, Rotation};
use crate::region::{Placement, TenantDump};
use crate::resource::Resource;
use crate::saml_app::SamlSigningKey;
use crate::secret::SecretHash;
use crate::signing_key::StoredKey;
use crate::tenant::Tenant;
use crate::user::{Imported, ImportedUser, PasswordHash, User};

mod ephemeral;
pub use ephemeral::{EphemeralStore, Marker};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was violated; `what` names it for the caller (e.g. "email").
    #[error("conflict: {what} already exists")]
    Conflict {
        /// The unique field or entity, safe to show.
        what: &'static str,
    },
    /// The row to change does not exist (in this tenant).
    #[error("not found")]
    NotFound,
    /// The backend could not be reached or failed; the source is kept for the log only.
    #[error("storage backend unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored row could not be mapped back to the domain (corruption or a bad migration).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Tenants.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Inserts a tenant; [`StoreError::Conflict`] if the id is taken.
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Reads a tenant.
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>>;
    /// Lists tenants by id.
    async fn list_tenants(&self, page: &PageRequest) -> StoreResult<Page<Tenant>>;
    /// Replaces a tenant's mutable fields; [`StoreError::NotFound`] if absent.
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Deletes a tenant and everything it owns; `false` if it did not exist.
    async fn delete_tenant(&self, id: &TenantId) -> StoreResult<bool>;
}

/// Users and their password credentials.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user (and its password hash, atomically); [`StoreError::Conflict`] with
    /// `what = "email"` if the normalised email is taken in this tenant.
    async fn create_user(&self, user: &User, password: Option<&PasswordHash>) -> StoreResult<()>;
    /// Reads a user.
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>>;
    /// Finds a user by normalised email.
    async fn find_user_by_email(&self, tenant: &TenantId, email_normalized: &str) -> StoreResult<Option<User>>;
    /// Lists a tenant's users by id (creation order).
    async fn list_users(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<User>>;
    /// A tenant's users whose [`crate::user::name_key`] starts with `prefix` (already a name key),
    /// by name key then id, after `page.after` (the previous page's last `name key\u{1f}user id`).
    async fn find_users_by_name(&self, tenant: &TenantId, prefix: &str, page: &PageRequest) -> StoreResult<Page<User>>;
    /// Replaces a user's mutable fields, and the password hash when one is given.
    async fn update_user(&self, user: &User, password: Option<&PasswordHash>) -> StoreResult<()>;
    /// Deletes a user and its credentials; `false` if it did not exist.
    async fn delete_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<bool>;
    /// The user's password hash, if the user has a password.
    async fn password_hash(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<PasswordHash>>;
    /// Imports `users` into `tenant` in one transaction, each with its password hash and
    /// external id. A user the tenant already has, by external id or else by normalised email,
    /// is left as it is (an external id it lacked is recorded for it); later lines see earlier
    /// ones. One answer per user, in order.
    async fn import_users(&self, tenant: &TenantId, users: &[ImportedUser]) -> StoreResult<Vec<Imported>>;
    /// The user's id in the system they were imported from, if an import recorded one.
    async fn external_id(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<String>>;
}

/// The most SAML apps [`ClientStore::list_saml_apps`] returns.
pub const MAX_SAML_APPS_LISTED: u32 = 500;

/// Clients and their secret hashes.
#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Inserts a client with its secret hash (confidential clients); [`StoreError::Conflict`]
    /// with `what = "client_id"` if taken in this tenant.
    async fn create_client(&self, client: &Client, secret: Option<&SecretHash>) -> StoreResult<()>;
    /// Reads a client.
    async fn get_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Client>>;
    /// Lists a tenant's clients (agents included) by client id.
    async fn list_clients(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>>;
    /// Lists a tenant's agents (clients with an agent profile) by client id. The query selects
    /// only agents, so a page is full unless it is the last.
    async fn list_agents(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Client>>;
    /// The SAML app whose service provider entity id is `entity_id`.
    async fn find_saml_app(&self, tenant: &TenantId, entity_id: &str) -> StoreResult<Option<Client>>;
    /// A tenant's SAML apps by client id, at most [`MAX_SAML_APPS_LISTED`].
    async fn list_saml_apps(&self, tenant: &TenantId) -> StoreResult<Vec<Client>>;
    /// Replaces a client's mutable fields.
    async fn update_client(&self, client: &Client) -> StoreResult<()>;
    /// Replaces the secret hash (rotation).
    async fn set_client_secret(
        &self,
        tenant: &TenantId,
        id: &ClientId,
        secret: &SecretHash,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The client's secret hash, if it has a secret.
    async fn client_secret_hash(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<SecretHash>>;
    /// Sets the hash of a dynamically registered client's registration access token (RFC 7592).
    async fn set_registration_token(&self, tenant: &TenantId, id: &ClientId, token: &SecretHash) -> StoreResult<()>;
    /// The hash of the client's registration access token; `None` for clients the admin created.
    async fn registration_token_hash(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<SecretHash>>;
    /// Deletes a client; `false` if it did not exist.
    async fn delete_client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<bool>;
}

/// Signing keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Inserts a key; [`StoreError::Conflict`] with `what = "kid"` if the id exists.
    async fn insert_key(&self, key: &StoredKey) -> StoreResult<()>;
    /// Every key of a tenant, newest first.
    async fn list_keys(&self, tenant: &TenantId) -> StoreResult<Vec<StoredKey>>;
    /// In one transaction: the active key of `alg` becomes retired, the next key `next_kid`
    /// becomes active, and `new_next` is inserted. [`StoreError::Conflict`] with `what = "next"`
    /// when `next_kid` is no longer the next key (a concurrent rotation won).
    async fn rotate_keys(
        &self,
        tenant: &TenantId,
        alg: &str,
        next_kid: &str,
        new_next: &StoredKey,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Deletes retired keys retired before `cutoff`; returns how many.
    async fn delete_retired_keys(&self, tenant: &TenantId, cutoff: OffsetDateTime) -> StoreResult<u64>;
}

/// Revoked access tokens (RFC 7009), by `jti`.
#[async_trait]
pub trait RevocationStore: Send + Sync {
    /// Records a revoked token until `expires_at` (idempotent).
    async fn revoke_token(&self, tenant: &TenantId, jti: &str, expires_at: OffsetDateTime) -> StoreResult<()>;
    /// Whether the token `jti` was revoked, or (with `grant`) the grant it was issued from: one
    /// read for both, since every verification of a grant's token asks.
    async fn is_token_revoked(&self, tenant: &TenantId, jti: &str, grant: Option<&str>) -> StoreResult<bool>;
    /// The tenant's revocations of tokens that expire at or after `now` (each id with its
    /// token's expiry), at most `limit` of them, in no particular order.
    async fn unexpired_revocations(
        &self,
        tenant: &TenantId,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(String, OffsetDateTime)>>;
    /// Forgets revocations of tokens that expired before `now`; returns how many.
    async fn purge_revocations(&self, now: OffsetDateTime) -> StoreResult<u64>;
}

/// One event for [`AuditStore::append_audit_with_grants`], with the grant it records.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// The tenant whose trail the event joins.
    pub tenant: TenantId,
    /// When it happened.
    pub at: OffsetDateTime,
    /// The event.
    pub record: AuditRecord,
    /// A refresh-token family started by the issuance, with its first token.
    pub family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
}

/// Why an audit event (and the grant it records) was not stored.
#[derive(Debug)]
pub enum NotRecorded {
    /// The grant was refused (its user or client is gone); its event was left out.
    Grant(StoreError),
    /// The trail could not be written.
    Trail(StoreError),
}

/// The audit trail as request code writes it: one event, with the refresh-token family the
/// issuance it records starts, committed together (or neither), before the caller answers.
#[async_trait]
pub trait AuditSink: Send + Sync {
    /// Appends `record` (already stamped with its caller) to `tenant`'s trail, with `family`,
    /// and returns once both are committed.
    async fn append(
        &self,
        tenant: &TenantId,
        record: AuditRecord,
        family: Option<Box<(RefreshFamily, RefreshTokenRecord)>>,
    ) -> Result<(), NotRecorded>;
}

/// Refresh-token families.
#[async_trait]
pub trait RefreshStore: Send + Sync {
    /// Inserts a family with its first token, atomically.
    async fn create_refresh_family(&self, family: &RefreshFamily, first: &RefreshTokenRecord) -> StoreResult<()>;
    /// Finds a token by hash, with its family.
    async fn find_refresh_token(
        &self,
        tenant: &TenantId,
        token_hash: &SecretHash,
    ) -> StoreResult<Option<(RefreshTokenRecord, RefreshFamily)>>;
    /// Rotates `token_hash` into `successor` in one transaction, as a compare-and-set on "not yet
    /// rotated": if the token was rotated already (or a concurrent rotation won), nothing is
    /// inserted, the family is revoked and [`Rotation::Reused`] is returned.
    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        token_hash: &SecretHash,
        successor: &RefreshTokenRecord,
        now: OffsetDateTime,
    ) -> StoreResult<Rotation>;
    /// Revokes a family; `false` if it did not exist or was revoked already.
    async fn revoke_refresh_family(&self, tenant: &TenantId, family_id: &str, now: OffsetDateTime)
    -> StoreResult<bool>;
    /// Revokes every live family of a user (password change, disable, logout everywhere).
    async fn revoke_user_refresh_families(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;
    /// Takes `scope` (one scope token) out of every live family of a user (a consent bound to
    /// it was withdrawn): their next access tokens go without it. Returns how many changed.
    async fn narrow_user_refresh_families(&self, tenant: &TenantId, user: &UserId, scope: &str) -> StoreResult<u64>;
    /// Revokes every live family a client holds for a user (the user removed the client's
    /// access); returns how many.
    async fn revoke_client_refresh_families(
        &self,
        tenant: &TenantId,
        user: &UserId,
        client: &ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<u64>;
}

/// Remembered consents: which scopes a user granted a client.
#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// The scopes the user granted the client (space-separated), if any.
    async fn get_consent(&self, tenant: &TenantId, user: &UserId, client: &ClientId) -> StoreResult<Option<String>>;
    /// Every consent of a user: `(client, scope, granted_at)`.
    async fn list_consents(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> StoreResult<Vec<(ClientId, String, OffsetDateTime)>>;
}

/// A tenant's consent purposes (read through the server's per-node cache).
#[async_trait]
pub trait PurposeStore: Send + Sync {
    /// Inserts a purpose; [`StoreError::Conflict`] with `what = "purpose"` when the id is taken.
    async fn create_purpose(&self, purpose: &Purpose) -> StoreResult<()>;
    /// Every purpose of the tenant, by id.
    async fn list_purposes(&self, tenant: &TenantId) -> StoreResult<Vec<Purpose>>;
    /// Replaces a purpose; `false` if there is none.
    async fn update_purpose(&self, purpose: &Purpose) -> StoreResult<bool>;
    /// Deletes a purpose (its ledger entries stay); `false` if there was none.
    async fn delete_purpose(&self, tenant: &TenantId, id: &str) -> StoreResult<bool>;
}

/// The types of authorization details a tenant accepts (RFC 9396).
#[async_trait]
pub trait DetailTypeStore: Send + Sync {
    /// Registers a type; [`StoreError::Conflict`] with `what = "type"` when it exists.
    async fn create_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<()>;
    /// Every type of the tenant, by id.
    async fn list_detail_types(&self, tenant: &TenantId) -> StoreResult<Vec<AuthorizationDetailType>>;
    /// Replaces a type's spec; `false` if there is none.
    async fn update_detail_type(&self, t: &AuthorizationDetailType) -> StoreResult<bool>;
    /// Removes a type; `false` if there was none. Tokens already carrying its entries keep them.
    async fn delete_detail_type(&self, tenant: &TenantId, id: &str) -> StoreResult<bool>;
}

/// The append-only consent ledger, and the outbox of events for downstream systems.
#[async_trait]
pub trait ConsentLedger: Send + Sync {
    /// Appends `event` and, in the same transaction, updates the current state it changes (a
    /// purpose's latest answer, or the remembered scopes of an app: replaced on a grant,
    /// forgotten on a withdrawal) and queues `notify`. Returns the event's `seq`.
    async fn record_consent(&self, event: &ConsentEvent, notify: Option<&OutboxEvent>) -> StoreResult<i64>;
    /// The user's latest answer about each purpose they answered.
    async fn purpose_consents(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<PurposeConsent>>;
    /// The user's ledger, oldest first (cursor: `seq`).
    async fn consent_history(
        &self,
        tenant: &TenantId,
        user: &UserId,
        page: &PageRequest,
    ) -> StoreResult<Page<ConsentEvent>>;
    /// For each version of a purpose, how many users' latest answer is at it, granted or not.
    async fn purpose_report(&self, tenant: &TenantId, purpose: &str) -> StoreResult<Vec<VersionCount>>;
    /// Queues an event for downstream systems on its own.
    async fn queue_event(&self, event: &OutboxEvent) -> StoreResult<()>;
    /// The tenant's queued events, oldest first (cursor: the event id's position).
    async fn list_outbox_events(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<OutboxEvent>>;
}

/// What the server forgets: erased users (GDPR Art. 17) and what retention removes.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// In one transaction: leaves a tombstone for `user` (its id can never be created again),
    /// deletes the invitations that name it and the user with everything that goes with it
    /// (credentials, factors, links, consents and their ledger, refresh families,
    /// delegations). `false` when there was no such user.
    async fn erase_user(&self, tenant: &TenantId, user: &UserId, at: OffsetDateTime) -> StoreResult<bool>;
    /// Whether `user` was erased.
    async fn is_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool>;
    /// Records that `user` asked to be erased at `due` (replacing an earlier request).
    async fn request_erasure(
        &self,
        tenant: &TenantId,
        user: &UserId,
        requested: OffsetDateTime,
        due: OffsetDateTime,
    ) -> StoreResult<()>;
    /// When `user`'s requested erasure is due, if one is waiting.
    async fn erasure_due(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<OffsetDateTime>>;
    /// Withdraws a waiting erasure; `false` if there was none.
    async fn cancel_erasure(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool>;
    /// Up to `limit` users whose requested erasure is due at `now`, soonest first.
    async fn due_erasures(&self, tenant: &TenantId, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<UserId>>;
    /// Up to `limit` users made by sign-up before `before` whose address was never verified.
    async fn unverified_users(&self, tenant: &TenantId, before: OffsetDateTime, limit: u32)
    -> StoreResult<Vec<UserId>>;
    /// Deletes up to `limit` refresh-token grants and up to `limit` delegations that ended
    /// (revoked or expired) before `before`; returns how many went.
    async fn purge_ended_grants(&self, tenant: &TenantId, before: OffsetDateTime, limit: u32) -> StoreResult<u64>;
    /// Removes up to `limit` of the tenant's oldest audit events, those older than `before_ms`
    /// (stopping at the first younger one), and records the last removed event's sequence
    /// number and hash as the trail's horizon, in one transaction; returns how many went.
    async fn prune_audit(&self, tenant: &TenantId, before_ms: i64, limit: u32) -> StoreResult<u64>;
    /// The trail's horizon: the last event retention removed, `(seq, hash)`; verification
    /// starts after it.
    async fn audit_horizon(&self, tenant: &TenantId) -> StoreResult<Option<(i64, String)>>;
}

/// Registered resources (APIs).
#[async_trait]
pub trait ResourceStore: Send + Sync {
    /// Inserts a resource; [`StoreError::Conflict`] with `what = "resource"` when the id or the
    /// identifier is taken in this tenant. `secret` is the hash of its introspection secret
    /// (`client_secret_basic`).
    async fn create_resource(&self, r: &Resource, secret: Option<&SecretHash>) -> StoreResult<()>;
    /// Reads one by id.
    async fn get_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<Option<Resource>>;
    /// Reads one by its identifier (audience URI).
    async fn find_resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>>;
    /// Every resource of a tenant, by id.
    async fn list_resources(&self, tenant: &TenantId) -> StoreResult<Vec<Resource>>;
    /// Replaces a resource's mutable fields (not its secret).
    async fn update_resource(&self, r: &Resource) -> StoreResult<()>;
    /// Replaces or removes the hash of its introspection secret; [`StoreError::NotFound`] when
    /// there is no such resource.
    async fn set_resource_secret(
        &self,
        tenant: &TenantId,
        id: &ResourceId,
        secret: Option<&SecretHash>,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The hash of its introspection secret, if it has one.
    async fn resource_secret_hash(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<Option<SecretHash>>;
    /// Deletes one; `false` if absent.
    async fn delete_resource(&self, tenant: &TenantId, id: &ResourceId) -> StoreResult<bool>;
}

/// Delegations users gave agents.
#[async_trait]
pub trait DelegationStore: Send + Sync {
    /// Inserts a delegation.
    async fn create_delegation(&self, d: &Delegation) -> StoreResult<()>;
    /// Reads one.
    async fn get_delegation(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Delegation>>;
    /// Every delegation of a user (active, expired and revoked), newest first.
    async fn list_user_delegations(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<Delegation>>;
    /// The delegations a user gave one agent that are neither revoked nor expired at `now`.
    async fn active_delegations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        agent: &ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Delegation>>;
    /// The delegations users gave one agent that are neither revoked nor expired at `now`,
    /// newest first (what deleting the agent ends).
    async fn live_agent_delegations(
        &self,
        tenant: &TenantId,
        agent: &ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Delegation>>;
    /// Revokes a delegation; `false` if absent or already revoked.
    async fn revoke_delegation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> StoreResult<bool>;
}

/// The tamper-evident audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends a batch of events, in order, to their tenants' chains in one transaction (per
    /// tenant: advance the head, insert the sealed events) and returns the stored events in
    /// the same order. Concurrent appends, from any node, are serialised on each tenant's head,
    /// so a chain never forks. Either every event of the batch is stored or none is.
    async fn append_audit(&self, batch: &[(TenantId, OffsetDateTime, AuditRecord)]) -> StoreResult<Vec<AuditEvent>>;
    /// [`AuditStore::append_audit`] for events that record a grant: each entry's refresh-token
    /// family, if any, is created with its first token, then the events of the entries whose
    /// family was created are appended. An entry whose family cannot be created (its user or
    /// client was deleted meanwhile) gets that error and its event is left out; the rest of the
    /// batch goes on. So a grant is never stored without the event that records it. The
    /// embedded store does all of it in one transaction: one commit for a batch of token
    /// requests. `Err` when the batch as a whole failed: no event of it is stored (nor, on the
    /// embedded store, any family; on Postgres families already created stay, never handed out).
    async fn append_audit_with_grants(&self, batch: &[AuditEntry]) -> StoreResult<Vec<StoreResult<()>>>;
    /// Events matching `filter`, in sequence order, after the sequence number in `page.after`.
    async fn query_audit(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<AuditEvent>>;
    /// The whole chain in sequence order, `limit` events after `after_seq` (for verification).
    async fn audit_chain(&self, tenant: &TenantId, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>>;
    /// The head the store recorded: `(seq, hash)` of the newest event.
    async fn audit_head(&self, tenant: &TenantId) -> StoreResult<Option<(i64, String)>>;
    /// How many events of each type and decision the trail holds at or after `since_ms` and
    /// before `until_ms` (milliseconds since the epoch), by type then decision: the counts the
    /// console's dashboard shows.
    async fn audit_counts(&self, tenant: &TenantId, since_ms: i64, until_ms: i64) -> StoreResult<Vec<AuditCount>>;
}

/// The data keys that seal personal data at rest (today: the personal fields of audit events),
/// one per user and one per tenant, each stored sealed under the master key. A key is named by
/// its `subject`: the keyed pseudonym of the user id, or [`TENANT_DATA_KEY`]. Destroying a key
/// erases, for good, everything sealed under it. Deleting a tenant deletes its keys.
#[async_trait]
pub trait DataKeyStore: Send + Sync {
    /// The sealed key of `subject`, if it exists (it was never created, or was destroyed).
    async fn data_key(&self, tenant: &TenantId, subject: &str) -> StoreResult<Option<String>>;
    /// Stores `sealed` as the key of `subject` unless it already has one, and returns the key
    /// stored: `sealed`, or the key another request (on any node) created first. Never replaces
    /// a key. [`StoreError::NotFound`] when the tenant does not exist.
    async fn create_data_key(
        &self,
        tenant: &TenantId,
        subject: &str,
        sealed: &str,
        now: OffsetDateTime,
    ) -> StoreResult<String>;
    /// Destroys the key of `subject`; `false` when there was none.
    async fn destroy_data_key(&self, tenant: &TenantId, subject: &str) -> StoreResult<bool>;
}

/// The subject of a tenant's own data key, which seals the personal fields of events about no
/// user (a refused request's IP address). Pseudonyms are 64 hex digits, so it names no user.
pub const TENANT_DATA_KEY: &str = "tenant";

/// Reachability of a backend, for `/readyz`.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// `Ok` when the backend answers a trivial request.
    async fn ping(&self) -> StoreResult<()>;
}

/// Users' authenticators and sign-in history.
#[async_trait]
pub trait FactorStore: Send + Sync {
    /// Enrolls a factor; `Conflict` when its `lookup` is taken in the tenant for that kind.
    async fn create_factor(&self, factor: &Factor) -> StoreResult<()>;
    /// A user's factors, oldest first.
    async fn list_factors(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<Factor>>;
    /// The factor of `kind` with this `lookup` value (a passkey's credential id).
    async fn find_factor(&self, tenant: &TenantId, kind: FactorKind, lookup: &str) -> StoreResult<Option<Factor>>;
    /// Replaces a factor's data if it is still `expected` and records the use; `false` when
    /// another request changed it first (the caller lost the race: the code was already used).
    async fn replace_factor_data(
        &self,
        tenant: &TenantId,
        id: &str,
        expected: &str,
        new: &str,
        used_at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Removes one of a user's factors.
    async fn delete_factor(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<bool>;
    /// Removes a user's factors (all, or all of one kind); returns how many.
    async fn delete_user_factors(&self, tenant: &TenantId, user: &UserId, kind: Option<FactorKind>)
    -> StoreResult<u64>;
    /// What the risk policy remembers about the user's sign-ins.
    async fn sign_in_profile(&self, tenant: &TenantId, user: &UserId) -> StoreResult<SignInProfile>;
    /// Replaces it.
    async fn put_sign_in_profile(&self, tenant: &TenantId, user: &UserId, profile: &SignInProfile) -> StoreResult<()>;
}

/// The mail outbox (see [`crate::outbox`]). Messages are queued per tenant; the worker's calls
/// span tenants, as one worker per node delivers everyone's mail.
#[async_trait]
pub trait MailOutboxStore: Send + Sync {
    /// Queues a message (see [`QueuedMail::new`]); [`StoreError::NotFound`] when the tenant does
    /// not exist.
    async fn enqueue_mail(&self, mail: &QueuedMail) -> StoreResult<()>;
    /// Claims up to `limit` pending messages of any tenant that are due at `now` and not held by
    /// a live claim: each is held by `claim` until `until` and its attempt count goes up by one.
    /// A compare-and-set on the hold: of concurrent claimers, on any node, each message goes to
    /// one. A claim that lapses (its worker died) frees the message for the next claimer.
    /// Oldest due first.
    async fn claim_mail(
        &self,
        claim: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<QueuedMail>>;
    /// The message was delivered (or was not to be sent): deletes it, if `claim` still holds it.
    /// `false` when it does not (the claim lapsed and another worker took the message over).
    async fn delete_claimed_mail(&self, tenant: &TenantId, id: &str, claim: &str) -> StoreResult<bool>;
    /// A delivery attempt failed: releases the hold of `claim` and records `error`. With
    /// `retry_at` the message is due again then; with `None` it is given up
    /// ([`crate::outbox::MailState::Failed`]) and kept. `false` when `claim` no longer holds it.
    async fn release_failed_mail(
        &self,
        tenant: &TenantId,
        id: &str,
        claim: &str,
        retry_at: Option<OffsetDateTime>,
        error: &str,
    ) -> StoreResult<bool>;
    /// Reads one message.
    async fn get_mail(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<QueuedMail>>;
    /// Deletes messages given up that were queued before `cutoff`; returns how many.
    async fn purge_failed_mail(&self, cutoff: OffsetDateTime) -> StoreResult<u64>;
}

/// Invitations to sign up (only the hashes of their tokens).
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Stores a new invitation with the hash of its token.
    async fn create_invitation(&self, invitation: &Invitation, token_hash: &str) -> StoreResult<()>;
    /// A tenant's invitations in id order (oldest first: ids grow with time), after `page.after`.
    async fn list_invitations(&self, tenant: &TenantId, page: &PageRequest) -> StoreResult<Page<Invitation>>;
    /// One invitation by id.
    async fn get_invitation(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Invitation>>;
    /// The invitation whose token hashes to `token_hash`.
    async fn find_invitation(&self, tenant: &TenantId, token_hash: &str) -> StoreResult<Option<Invitation>>;
    /// Marks the invitation used by `user`, only if it is still pending at `now` (one use, even
    /// when two requests race); `true` if this call used it.
    async fn use_invitation(
        &self,
        tenant: &TenantId,
        id: &str,
        user: &UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Withdraws a pending invitation; `true` if it was pending.
    async fn revoke_invitation(&self, tenant: &TenantId, id: &str, now: OffsetDateTime) -> StoreResult<bool>;
}

/// Upstream identity providers and the accounts linked through them.
#[async_trait]
pub trait FederationStore: Send + Sync {
    /// Stores a new provider; `Conflict { what: "identity provider" }` if the id is taken.
    async fn create_identity_provider(&self, provider: &IdentityProvider) -> StoreResult<()>;
    /// One provider by id.
    async fn get_identity_provider(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<IdentityProvider>>;
    /// A tenant's providers in id order.
    async fn list_identity_providers(&self, tenant: &TenantId) -> StoreResult<Vec<IdentityProvider>>;
    /// Replaces a provider's settings, secret and `updated_at`; `NotFound` if it does not exist.
    async fn update_identity_provider(&self, provider: &IdentityProvider) -> StoreResult<()>;
    /// Deletes a provider and every link made through it, in one transaction; the number of
    /// links removed, or `None` if there was no such provider.
    async fn delete_identity_provider(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<u64>>;
    /// Links an upstream account to a user; `Conflict { what: "identity link" }` if that
    /// upstream account is already linked (to anyone), `NotFound` if the provider or the user
    /// does not exist.
    async fn link_identity(&self, link: &FederatedIdentity) -> StoreResult<()>;
    /// The link of an upstream account.
    async fn find_identity(
        &self,
        tenant: &TenantId,
        provider: &str,
        subject: &str,
    ) -> StoreResult<Option<FederatedIdentity>>;
    /// A user's links, by provider then subject.
    async fn list_user_identities(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<FederatedIdentity>>;
    /// The tenant's SAML identity provider signing key, if it has one yet.
    async fn saml_signing_key(&self, tenant: &TenantId) -> StoreResult<Option<SamlSigningKey>>;
    /// Stores the tenant's first SAML signing key; `false` (and nothing changes) when it has one
    /// already, so nodes that race to make it all end up with the same key.
    async fn create_saml_signing_key(&self, key: &SamlSigningKey) -> StoreResult<bool>;
    /// Removes one of a user's links; `true` if it existed.
    async fn unlink_identity(
        &self,
        tenant: &TenantId,
        user: &UserId,
        provider: &str,
        subject: &str,
    ) -> StoreResult<bool>;
}

/// The placement directory: which region each tenant lives in (see [`crate::region`]). Only the
/// control region's store answers for the deployment; every store has the table.
#[async_trait]
pub trait RegionDirectory: Send + Sync {
    /// Places a new tenant; [`StoreError::Conflict`] with `what = "tenant"` when the id is
    /// placed already (in any region).
    async fn place_tenant(&self, tenant: &TenantId, region: &Region, now: OffsetDateTime) -> StoreResult<()>;
    /// The placement of one tenant.
    async fn placement(&self, tenant: &TenantId) -> StoreResult<Option<Placement>>;
    /// Every placement, by tenant id.
    async fn placements(&self) -> StoreResult<Vec<Placement>>;
    /// A number that changes whenever any placement changes, so nodes reload the directory
    /// only when it did.
    async fn placements_version(&self) -> StoreResult<i64>;
    /// Replaces a placement's region and move; [`StoreError::NotFound`] when it does not exist.
    async fn update_placement(&self, placement: &Placement) -> StoreResult<()>;
    /// Removes a placement (the tenant was deleted); `false` when there was none.
    async fn remove_placement(&self, tenant: &TenantId) -> StoreResult<bool>;
}

/// Moving a tenant between the durable stores of two regions of one backend.
#[async_trait]
pub trait TenantTransfer: Send + Sync {
    /// Every row the tenant owns, table by table, parents first.
    async fn export_tenant(&self, tenant: &TenantId) -> StoreResult<TenantDump>;
    /// In one transaction: removes what this store holds of the dump's tenant (an earlier
    /// import that was interrupted), then inserts every row of the dump. Rows keep their
    /// values, except the store-assigned positions of the consent ledger and the event outbox,
    /// which are assigned anew in the same order. [`StoreError::Corrupt`] for a dump of another
    /// backend.
    async fn import_tenant(&self, dump: &TenantDump) -> StoreResult<()>;
    /// How many rows the tenant owns in each table (those with none included), by table name.
    async fn tenant_row_counts(&self, tenant: &TenantId) -> StoreResult<Vec<(String, u64)>>;
    /// Deletes every row of the tenant, its tenant row included, so that nothing of it stays
    /// readable in the store's files (the embedded store overwrites deleted content and
    /// truncates its write-ahead log); returns how many rows went.
    async fn purge_tenant(&self, tenant: &TenantId) -> StoreResult<u64>;
}

/// Administrators' role assignments and the deployment's custom roles. Both belong to the
/// control tenant (`control`), whose region keeps them.
#[async_trait]
pub trait AdminRoleStore: Send + Sync {
    /// Stores a new assignment; `Conflict { what: "role assignment" }` if the principal already
    /// holds that role for that scope.
    async fn create_role_assignment(&self, assignment: &RoleAssignment) -> StoreResult<()>;
    /// One assignment by id.
    async fn get_role_assignment(&self, control: &TenantId, id: &str) -> StoreResult<Option<RoleAssignment>>;
    /// Removes one assignment; `true` if it existed.
    async fn delete_role_assignment(&self, control: &TenantId, id: &str) -> StoreResult<bool>;
    /// Every assignment `principal` holds (what a request by them may do).
    async fn role_assignments_of(&self, control: &TenantId, principal: &Principal) -> StoreResult<Vec<RoleAssignment>>;
    /// The assignments for `scope` in id order, after `page.after`.
    async fn list_role_assignments(
        &self,
        control: &TenantId,
        scope: &Scope,
        page: &PageRequest,
    ) -> StoreResult<Page<RoleAssignment>>;
    /// Removes every assignment for `scope` (a deleted tenant); returns how many went.
    async fn delete_scope_assignments(&self, control: &TenantId, scope: &Scope) -> StoreResult<u64>;
    /// Removes every assignment of `principal` (a deleted administrator); returns how many went.
    async fn delete_principal_assignments(&self, control: &TenantId, principal: &Principal) -> StoreResult<u64>;
    /// Creates or replaces a custom role (by name).
    async fn save_custom_role(&self, role: &CustomRole) -> StoreResult<()>;
    /// Every custom role, by name.
    async fn custom_roles(&self, control: &TenantId) -> StoreResult<Vec<CustomRole>>;
    /// Removes a custom role; `true` if it existed.
    async fn delete_custom_role(&self, control: &TenantId, name: &str) -> StoreResult<bool>;
}

/// The durable store: everything that must survive restarts.
pub trait DurableStore:
    TenantStore
    + UserStore
    + ClientStore
    + KeyStore
    + RevocationStore
    + RefreshStore
    + ConsentStore
    + PurposeStore
    + DetailTypeStore
    + ConsentLedger
    + RetentionStore
    + DelegationStore
    + AuditStore
    + DataKeyStore
    + ResourceStore
    + FactorStore
    + MailOutboxStore
    + InvitationStore
    + FederationStore
    + AdminRoleStore
    + HealthCheck
{
}
impl<T> DurableStore for T where
    T: TenantStore
        + UserStore
        + ClientStore
        + KeyStore
        + RevocationStore
        + RefreshStore
        + ConsentStore
        + PurposeStore
        + DetailTypeStore
        + ConsentLedger
        + RetentionStore
        + DelegationStore
        + AuditStore
        + DataKeyStore
        + ResourceStore
        + FactorStore
        + MailOutboxStore
        + InvitationStore
        + FederationStore
        + AdminRoleStore
        + HealthCheck
{
}
