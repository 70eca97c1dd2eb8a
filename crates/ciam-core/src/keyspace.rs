//! The ephemeral key space: every key the server keeps in the [`EphemeralStore`] is built here,
//! one constructor per key family, so the whole space can be read in one place and no two
//! families can collide.
//!
//! Rules every family follows:
//! - the family name comes first, then the tenant: its namespace ([`TenantNs`], id and
//!   incarnation) for state that dies with the tenant, or its bare id for the replay caches
//!   that must outlive a tenant recreated under the same id (they only ever refuse); the
//!   deployment's own keys have `*` there. So [`tenant_of`] reads any key's tenant, and a
//!   node serving several regions keeps each key in its tenant's region;
//! - a secret (a code, a token, a cookie, a typed address) appears only as its SHA-256
//!   ([`SecretHash`]), so a dump of the store hands out nothing usable;
//! - the value's lifetime is the family's: the constants here, or the lifetime of what the
//!   value stands for, which the caller passes.
//!
//! The typed wrappers at the end ([`Json`], [`Replay`], [`Counter`]) are how the hot families
//! (codes, sessions, flows, replay caches, rate counters) are read and written: the value is
//! (de)serialised in one place, and a value that does not decode reads as absent.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::id::TenantId;
use crate::secret::SecretHash;
use crate::store::{EphemeralStore, Marker, StoreResult};
use crate::tenant::TenantNs;

/// A key of the ephemeral store. Only this module builds one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// The key as the store sees it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn hashed(family: &str, tenant: impl fmt::Display, secret: &str) -> Self {
        Self(format!("{family}:{tenant}:{}", SecretHash::of(secret).as_str()))
    }

    fn plain(family: &str, tenant: impl fmt::Display, rest: impl fmt::Display) -> Self {
        Self(format!("{family}:{tenant}:{rest}"))
    }
}

/// The tenant segment of the deployment's own keys (no tenant's: not a valid tenant id).
const DEPLOYMENT: &str = "*";

/// The tenant id a key belongs to (its namespace without the incarnation); `None` for the
/// deployment's own keys.
pub fn tenant_of(key: &str) -> Option<&str> {
    let ns = key.split(':').nth(1)?;
    let tenant = ns.split_once('@').map_or(ns, |(id, _)| id);
    (tenant != DEPLOYMENT && !tenant.is_empty()).then_some(tenant)
}

/// Keys can hold hashes of secrets and identifiers of users: never printed whole.
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let family = self.0.split(':').next().unwrap_or_default();
        write!(f, "Key({family}:…)")
    }
}

// --- Browser sessions and web flows -------------------------------------------------------

/// A browser session, by the hash of its cookie.
pub fn session(tenant: &TenantNs, cookie: &str) -> Key {
    session_of_hash(tenant, SecretHash::of(cookie).as_str())
}

/// A browser session, by the hash already taken of its cookie (the user's session index holds
/// hashes).
pub fn session_of_hash(tenant: &TenantNs, hash: &str) -> Key {
    Key::plain("session", tenant, hash)
}

/// The set of a user's session hashes, so the user and administrators can list and end them.
pub fn user_sessions(tenant: &TenantNs, user_id: &str) -> Key {
    Key::plain("user_sessions", tenant, user_id)
}

/// A sign-in flow in progress, by the hash of its id (the flow cookie).
pub fn flow(tenant: &TenantNs, id: &str) -> Key {
    Key::hashed("flow", tenant, id)
}

/// An upstream sign-in in progress, by the hash of its `state` (single use).
pub fn upstream_sign_in(tenant: &TenantNs, state: &str) -> Key {
    Key::hashed("upstream", tenant, state)
}

/// An administrator's console sign-in in progress, by the hash of its `state` (single use).
pub fn console_sign_in(tenant: &TenantNs, state: &str) -> Key {
    Key::hashed("console_sign_in", tenant, state)
}

/// An administrator's console session, by the hash of its cookie.
pub fn console_session(tenant: &TenantNs, cookie: &str) -> Key {
    Key::hashed("console_session", tenant, cookie)
}

/// An upstream's `form_post` answer, kept between the cross-site POST (which carries no
/// `SameSite=Lax` cookie) and the same-site GET that continues the flow.
pub fn upstream_answer(tenant: &TenantNs, state: &str) -> Key {
    Key::hashed("upstream_answer", tenant, state)
}

/// A SAML assertion already used, by the tenant, the provider and the assertion's `ID`; kept
/// until the assertion's `NotOnOrAfter` (replay cache).
pub fn saml_assertion(tenant: &TenantId, provider: &str, id: &str) -> Key {
    Key(format!("saml_assertion:{tenant}:{provider}:{}", SecretHash::of(id).as_str()))
}

/// A SAML `AuthnRequest` already received, by the tenant, the app's entity id and the request's
/// `ID`; kept while such a request could still be fresh (a request is used once).
pub fn saml_request(tenant: &TenantId, entity_id: &str, id: &str) -> Key {
    Key(format!("saml_request:{tenant}:{}", SecretHash::of(&format!("{entity_id}\n{id}")).as_str()))
}

/// A JWT authorization grant of another trust domain already used (identity chaining), by the
/// tenant and the hash of its issuer and `jti`; kept while the grant could still be fresh.
pub fn chained_grant(tenant: &TenantId, issuer: &str, jti: &str) -> Key {
    Key::hashed("chained_grant", tenant, &format!("{issuer}\n{jti}"))
}

/// A SAML single logout going from app to app, by the hash of its id (the `RelayState`).
pub fn saml_logout(tenant: &TenantNs, id: &str) -> Key {
    Key::hashed("saml_logout", tenant, id)
}

/// The deployment's refresh of SAML identity providers' metadata for one period: `window` is
/// the period's number (Unix time divided by the period). The node that stores it first does
/// that period's refresh; the others skip it. Not a tenant's: one refresh covers every tenant.
pub fn saml_metadata_refresh(window: i64) -> Key {
    Key::plain("saml_metadata_refresh", DEPLOYMENT, window)
}

/// The retention sweep of period `window` (hours since the epoch): claimed by one node.
pub fn retention_sweep(window: i64) -> Key {
    Key::plain("retention_sweep", DEPLOYMENT, window)
}

/// The scheduled key rotation of period `window` (hours since the epoch): claimed by one node.
pub fn key_rotation(window: i64) -> Key {
    Key::plain("key_rotation", DEPLOYMENT, window)
}

/// How long an upstream sign-in may take.
pub const UPSTREAM_SIGN_IN_TTL: Duration = Duration::from_secs(600);

/// The state of a passkey ceremony (`purpose`: a sign-in or a second factor) of a flow.
pub fn passkey_ceremony(tenant: &TenantNs, purpose: &str, flow: &str) -> Key {
    Key::hashed(&format!("passkey_{purpose}"), tenant, flow)
}

/// An authenticator app being enrolled from the security page of session `sid`.
pub fn totp_enrolment(tenant: &TenantNs, sid: &str) -> Key {
    Key::plain("totp_enrol", tenant, sid)
}

/// A passkey being registered from the security page of session `sid`.
pub fn passkey_enrolment(tenant: &TenantNs, sid: &str) -> Key {
    Key::plain("passkey_enrol", tenant, sid)
}

/// A code (and magic link) mailed to the user of a flow.
pub fn email_code(tenant: &TenantNs, flow: &str) -> Key {
    Key::hashed("email_code", tenant, flow)
}

/// Sign-in mails sent to one address, counted per throttle window.
pub fn mail_sends(tenant: &TenantNs, address: &str) -> Key {
    Key::hashed("mail_sends", tenant, address)
}

/// The link (and code) mailed to prove an address for `purpose` (`verify`, `reset`), one per
/// user and purpose: a new mail replaces the previous one's.
pub fn mail_proof(tenant: &TenantNs, purpose: &str, user_id: &str) -> Key {
    Key::hashed(&format!("mail_proof_{purpose}"), tenant, user_id)
}

/// A user's data export, sealed, by the hash of its single-use download token.
pub fn data_export(tenant: &TenantNs, token: &str) -> Key {
    Key::hashed("data_export", tenant, token)
}

/// Where a user's data export stands (being made, or ready with its download token).
pub fn data_export_of(tenant: &TenantNs, user_id: &str) -> Key {
    Key::hashed("data_export_of", tenant, user_id)
}

/// Sign-ups and recovery mails from one network (`what`: `signup`, `recover`), counted per hour.
pub fn self_service_rate(tenant: &TenantNs, what: &str, network: &str) -> Key {
    Key::hashed(&format!("self_service_{what}"), tenant, network)
}

// --- Sign-in throttling -------------------------------------------------------------------

/// A sign-in throttle counter: `what` names the counter (`pair`, `account`, `ip`, `net`,
/// `seen`), `rest` what it counts (already hashed where it names an account).
pub fn throttle(tenant: &TenantNs, what: &str, rest: &str) -> Key {
    Key(format!("throttle:{tenant}:{what}:{rest}"))
}

/// The lock of a throttled (account, address) pair, beside its counter.
pub fn throttle_lock(pair: &Key) -> Key {
    Key(format!("{}:lock", pair.0))
}

/// Failed client authentications of one client from one address (`ip` empty when unknown).
pub fn client_auth_failures(tenant: &TenantNs, client_id: &str, ip: &str) -> Key {
    Key(format!("client_auth:{tenant}:{}:{ip}", SecretHash::of(client_id).as_str()))
}

/// Failed client authentications from one address, whatever the client.
pub fn client_auth_failures_from(tenant: &TenantNs, ip: &str) -> Key {
    Key(format!("client_auth:{tenant}:ip:{ip}"))
}

// --- Authorization and tokens -------------------------------------------------------------

/// An authorization code's grant, by the code's hash (RFC 6749 §4.1.2; single use: taken).
pub fn code(tenant: &TenantNs, code: &str) -> Key {
    Key::hashed("code", tenant, code)
}

/// What the redemption of the code at `code_key` issued, kept so a second redemption can
/// revoke it.
pub fn code_redeemed(code_key: &Key) -> Key {
    Key(format!("used_{}", code_key.0))
}

/// How long a redeemed code's marker is kept: well past the code's own lifetime.
pub const CODE_REDEEMED_TTL: Duration = Duration::from_secs(600);

/// A pushed authorization request, by the hash of its `request_uri` (RFC 9126).
pub fn pushed_request(tenant: &TenantNs, request_uri: &str) -> Key {
    Key::hashed("par", tenant, request_uri)
}

/// An opaque access token's claims, by the token's hash.
pub fn opaque_access_token(tenant: &TenantNs, token: &str) -> Key {
    Key::hashed("at", tenant, token)
}

/// An initial access token for dynamic client registration (RFC 7591 §3), by its hash.
pub fn initial_access_token(tenant: &TenantNs, token: &str) -> Key {
    Key::hashed("iat", tenant, token)
}

/// How many clients the initial access token at `token_key` has registered.
pub fn initial_access_token_uses(token_key: &Key) -> Key {
    Key(format!("{}:uses", token_key.0))
}

/// Open dynamic registrations from one address, per [`OPEN_REGISTRATION_WINDOW`].
pub fn open_registrations(tenant: &TenantNs, address: &str) -> Key {
    Key::plain("dcr", tenant, address)
}

/// The window of [`open_registrations`].
pub const OPEN_REGISTRATION_WINDOW: Duration = Duration::from_secs(3600);

/// A client assertion's `jti` seen (RFC 7523 §3): keyed by the tenant id, not its incarnation,
/// because an assertion names the issuer URL that a tenant recreated under the same id shares.
pub fn assertion_jti(tenant: &TenantId, client_id: &str, jti: &str) -> Key {
    Key(format!("jti:{tenant}:{client_id}:{}", SecretHash::of(jti).as_str()))
}

/// A DPoP proof seen (RFC 9449 §11.1), by its key thumbprint and `jti`; keyed by the tenant id,
/// as [`assertion_jti`].
pub fn dpop_proof(tenant: &TenantId, jkt: &str, jti: &str) -> Key {
    Key::hashed("dpop", tenant, &format!("{jkt}:{jti}"))
}

/// Since when an ephemeral store holds every record of used DPoP proofs and client assertions
/// (unix seconds, by the store's clock; [`Replay::first_use_since`]). One per store: it goes
/// with the records when the store loses them.
pub fn replay_records() -> Key {
    Key::plain("replay", DEPLOYMENT, "since")
}

/// A revoked token (or grant, `grant:{id}`), by its id: kept beside the durable revocation
/// list until the token has expired, so that a token's check reads the ephemeral store alone.
pub fn revoked_token(tenant: &TenantNs, jti: &str) -> Key {
    Key::plain("revoked", tenant, jti)
}

/// Present while the ephemeral store holds every unexpired revocation of the tenant: set when
/// they were copied in from the durable list, gone with a flushed store.
pub fn revocations_held(tenant: &TenantNs) -> Key {
    Key::plain("revoked-held", tenant, "all")
}

/// The tenant's DPoP server nonce of one time window (RFC 9449 §8).
pub fn dpop_nonce(tenant: &TenantId, window: i64) -> Key {
    Key::plain("dpop-nonce", tenant, window)
}

// --- Agents -------------------------------------------------------------------------------

/// Token exchanges by one agent in the current [`EXCHANGE_RATE_WINDOW`].
pub fn exchange_rate(tenant: &TenantNs, agent: &str) -> Key {
    Key::plain("exchange_rate", tenant, agent)
}

/// The window of [`exchange_rate`].
pub const EXCHANGE_RATE_WINDOW: Duration = Duration::from_secs(60);

/// An audience an agent has already received a token for.
pub fn agent_audience(tenant: &TenantNs, agent: &str, audience: &str) -> Key {
    Key(format!("agent_audience:{tenant}:{agent}:{}", SecretHash::of(audience).as_str()))
}

/// How long an agent's audiences are remembered (the policy's "new audience" signal).
pub const AGENT_AUDIENCE_MEMORY: Duration = Duration::from_secs(90 * 86_400);

// --- Device authorization (RFC 8628) ------------------------------------------------------

/// A device authorization request, by the hash of its device code.
pub fn device_request(tenant: &TenantNs, device_code: &str) -> Key {
    device_request_of_hash(tenant, SecretHash::of(device_code).as_str())
}

/// The same, from the device code's hash (what the user code points to).
pub fn device_request_of_hash(tenant: &TenantNs, hash: &str) -> Key {
    Key::plain("device", tenant, hash)
}

/// What is kept beside a device request (`decision`, `poll`, `used`), by the device code's hash.
pub fn device_beside(tenant: &TenantNs, hash: &str, what: &str) -> Key {
    Key(format!("device_{what}:{tenant}:{hash}"))
}

/// A user code, naming its device request, by the code's hash.
pub fn device_user_code(tenant: &TenantNs, user_code: &str) -> Key {
    Key::hashed("device_user", tenant, user_code)
}

/// Device authorizations started by one client in the current [`DEVICE_STARTS_WINDOW`].
pub fn device_starts(tenant: &TenantNs, client_id: &str) -> Key {
    Key::plain("device_starts", tenant, client_id)
}

/// The window of [`device_starts`].
pub const DEVICE_STARTS_WINDOW: Duration = Duration::from_secs(60);

/// Wrong user codes typed by one user.
pub fn device_wrong_codes(tenant: &TenantNs, user_id: &str) -> Key {
    Key::plain("device_wrong", tenant, user_id)
}

/// A user held off typing user codes after too many wrong ones.
pub fn device_locked(tenant: &TenantNs, user_id: &str) -> Key {
    Key::plain("device_locked", tenant, user_id)
}

// --- Backchannel authentication (OpenID CIBA Core 1.0) --------------------------------------

/// A backchannel authentication request, by the hash of its `auth_req_id`.
pub fn ciba_request(tenant: &TenantNs, hash: &str) -> Key {
    Key::plain("ciba", tenant, hash)
}

/// What is kept beside a backchannel request (`decision`, `used`), by its id's hash.
pub fn ciba_beside(tenant: &TenantNs, hash: &str, what: &str) -> Key {
    Key(format!("ciba_{what}:{tenant}:{hash}"))
}

/// The hashes of the backchannel requests waiting for one user's answer (a set).
pub fn ciba_pending(tenant: &TenantNs, user_id: &str) -> Key {
    Key::plain("ciba_pending", tenant, user_id)
}

/// Approval request mails sent to one user in the current window.
pub fn ciba_mails(tenant: &TenantNs, user_id: &str) -> Key {
    Key::plain("ciba_mails", tenant, user_id)
}

/// Backchannel requests started by one client in the current [`DEVICE_STARTS_WINDOW`].
pub fn ciba_starts(tenant: &TenantNs, client_id: &str) -> Key {
    Key::plain("ciba_starts", tenant, client_id)
}

// --- Typed access ---------------------------------------------------------------------------

/// A family whose values are JSON documents of type `T`.
pub struct Json<'a, T> {
    store: &'a dyn EphemeralStore,
    _value: PhantomData<fn() -> T>,
}

impl<'a, T: Serialize + DeserializeOwned> Json<'a, T> {
    /// Reads and writes `T` values in `store`.
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        Self { store, _value: PhantomData }
    }

    /// Stores `value` under `key` for `ttl`.
    pub async fn put(&self, key: &Key, value: &T, ttl: Duration) -> StoreResult<()> {
        self.store.put(key.as_str(), &encode(value)?, ttl).await
    }

    /// Stores `value` only if `key` is live (sliding expiry); `true` if stored.
    pub async fn put_if_present(&self, key: &Key, value: &T, ttl: Duration) -> StoreResult<bool> {
        self.store.put_if_present(key.as_str(), &encode(value)?, ttl).await
    }

    /// The live value at `key`; one that does not decode reads as absent.
    pub async fn get(&self, key: &Key) -> StoreResult<Option<T>> {
        Ok(self.store.get(key.as_str()).await?.and_then(|raw| serde_json::from_slice(&raw).ok()))
    }

    /// Reads and removes the value at `key` in one atomic step (single use).
    pub async fn take(&self, key: &Key) -> StoreResult<Option<T>> {
        Ok(self.store.take(key.as_str()).await?.and_then(|raw| serde_json::from_slice(&raw).ok()))
    }

    /// Removes the value at `key`; `true` if it existed.
    pub async fn delete(&self, key: &Key) -> StoreResult<bool> {
        self.store.delete(key.as_str()).await
    }
}

fn encode<T: Serialize>(value: &T) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| crate::store::StoreError::Corrupt(format!("unencodable value: {e}")))
}

/// A replay cache: remembers what was seen for as long as it could be presented again.
pub struct Replay<'a>(&'a dyn EphemeralStore);

impl<'a> Replay<'a> {
    /// A replay cache in `store`.
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        Self(store)
    }

    /// `true` the first time `key` is presented within `ttl`, `false` on every later time.
    pub async fn first_use(&self, key: &Key, ttl: Duration) -> StoreResult<bool> {
        self.0.put_if_absent(key.as_str(), b"1", ttl).await
    }

    /// Whether a token issued at `issued_at` (unix seconds, by its maker's clock) and recorded
    /// under `key` for `ttl` is used for the first time, as [`Replay::first_use`], failing
    /// closed when the records may have been lost: the store keeps, beside them, since when it
    /// holds them all ([`replay_records`], set by the store's own clock when a node starts on an
    /// empty store, [`Replay::open_records`], or at the first record after a loss), and a token
    /// issued before that may have been used already: [`Use::BeforeRecords`]. Lost means a
    /// flushed or replaced Redis, or a restarted node with the in-process store. One round trip,
    /// as `first_use`.
    pub async fn first_use_since(&self, key: &Key, ttl: Duration, issued_at: i64) -> StoreResult<Use> {
        let (fresh, begins) = self.marked(key, ttl).await?;
        Ok(match (fresh, issued_at >= begins) {
            (false, _) => Use::Replayed,
            (true, false) => Use::BeforeRecords,
            (true, true) => Use::First,
        })
    }

    /// Marks, when a node starts, that the store holds every record from now on, unless it
    /// already says since when (then it only renews that): tokens made after this start are
    /// never taken for ones made before a loss.
    pub async fn open_records(&self) -> StoreResult<()> {
        let opened = Key::plain("replay", DEPLOYMENT, "opened");
        self.marked(&opened, Duration::from_secs(1)).await.map(|_| ())
    }

    /// Records `key` for `ttl` beside [`replay_records`]: whether it is new, and since when.
    async fn marked(&self, key: &Key, ttl: Duration) -> StoreResult<(bool, i64)> {
        let marker = replay_records();
        let since = Marker { key: marker.as_str(), ttl: RECORDS_MARKER_TTL };
        self.0.put_if_absent_marked(key.as_str(), b"1", ttl, since).await
    }
}

/// How long the replay records' marker lives after its last use (a record, or a node's start):
/// far longer than any record (a DPoP proof's window and a client assertion's lifetime are
/// minutes), so it lapses only in a deployment idle for a month.
const RECORDS_MARKER_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// What a replay cache says of a token ([`Replay::first_use_since`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Not seen before: accept it.
    First,
    /// Seen before: a replay.
    Replayed,
    /// Issued before the cache's records begin: it may have been used while they were lost.
    BeforeRecords,
}

/// A fixed-window rate counter.
pub struct Counter<'a>(&'a dyn EphemeralStore);

impl<'a> Counter<'a> {
    /// Counters in `store`.
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        Self(store)
    }

    /// Counts one more event at `key` and returns the count of the window; the first event
    /// starts a window of `window`.
    pub async fn hit(&self, key: &Key, window: Duration) -> StoreResult<u64> {
        self.0.incr(key.as_str(), window).await
    }

    /// The count of the current window, without counting.
    pub async fn count(&self, key: &Key) -> StoreResult<u64> {
        self.0.count(key.as_str()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> TenantNs {
        TenantNs::new(&TenantId::parse("acme").unwrap(), "i1")
    }

    #[test]
    fn secrets_appear_only_as_hashes() {
        let secret = "s3cret-code-value";
        for key in [
            session(&ns(), secret),
            flow(&ns(), secret),
            code(&ns(), secret),
            pushed_request(&ns(), secret),
            opaque_access_token(&ns(), secret),
            initial_access_token(&ns(), secret),
            email_code(&ns(), secret),
            mail_sends(&ns(), secret),
            device_request(&ns(), secret),
            device_user_code(&ns(), secret),
            passkey_ceremony(&ns(), "signin", secret),
            assertion_jti(&TenantId::parse("acme").unwrap(), "app", secret),
            dpop_proof(&TenantId::parse("acme").unwrap(), "jkt", secret),
            agent_audience(&ns(), "agent", secret),
            client_auth_failures(&ns(), secret, "10.0.0.1"),
        ] {
            assert!(!key.as_str().contains(secret), "{}", key.as_str());
            assert!(!format!("{key:?}").contains(SecretHash::of(secret).as_str()));
        }
    }

    #[test]
    fn the_tenant_namespace_is_a_segment_of_every_tenant_scoped_key() {
        // `EphemeralStore::delete_namespace` finds a deleted tenant's keys by this segment.
        let hash = SecretHash::of("x");
        for key in [
            session_of_hash(&ns(), hash.as_str()),
            user_sessions(&ns(), "u1"),
            throttle(&ns(), "ip", "10.0.0.1"),
            exchange_rate(&ns(), "agent"),
            device_beside(&ns(), hash.as_str(), "poll"),
            device_starts(&ns(), "tv"),
            device_locked(&ns(), "u1"),
            open_registrations(&ns(), "10.0.0.1"),
            initial_access_token_uses(&initial_access_token(&ns(), "t")),
            totp_enrolment(&ns(), "sid"),
            passkey_ceremony(&ns(), "mfa", "flow"),
        ] {
            assert!(key.as_str().split(':').any(|s| s == "acme@i1"), "{}", key.as_str());
        }
    }

    #[test]
    fn every_key_names_its_tenant_where_a_region_router_reads_it() {
        let id = TenantId::parse("acme").unwrap();
        let (n, x) = (ns(), "x");
        let keys = [
            session(&n, x),
            session_of_hash(&n, x),
            user_sessions(&n, x),
            flow(&n, x),
            upstream_sign_in(&n, x),
            upstream_answer(&n, x),
            saml_assertion(&id, x, x),
            saml_request(&id, x, x),
            chained_grant(&id, x, x),
            saml_logout(&n, x),
            passkey_ceremony(&n, "mfa", x),
            totp_enrolment(&n, x),
            passkey_enrolment(&n, x),
            email_code(&n, x),
            mail_sends(&n, x),
            mail_proof(&n, "verify", x),
            data_export(&n, x),
            data_export_of(&n, x),
            self_service_rate(&n, "signup", x),
            throttle(&n, x, x),
            throttle_lock(&throttle(&n, x, x)),
            client_auth_failures(&n, x, x),
            client_auth_failures_from(&n, x),
            code(&n, x),
            code_redeemed(&code(&n, x)),
            pushed_request(&n, x),
            opaque_access_token(&n, x),
            initial_access_token(&n, x),
            initial_access_token_uses(&initial_access_token(&n, x)),
            open_registrations(&n, x),
            assertion_jti(&id, x, x),
            dpop_proof(&id, x, x),
            dpop_nonce(&id, 7),
            exchange_rate(&n, x),
            agent_audience(&n, x, x),
            device_request(&n, x),
            device_request_of_hash(&n, x),
            device_beside(&n, x, "poll"),
            device_user_code(&n, x),
            device_starts(&n, x),
            device_wrong_codes(&n, x),
            device_locked(&n, x),
            ciba_request(&n, x),
            ciba_beside(&n, x, "decision"),
            ciba_pending(&n, x),
            ciba_starts(&n, x),
            ciba_mails(&n, x),
        ];
        for key in &keys {
            assert_eq!(tenant_of(key.as_str()), Some("acme"), "{}", key.as_str());
        }
        for key in [saml_metadata_refresh(7), retention_sweep(7), key_rotation(7)] {
            assert_eq!(tenant_of(key.as_str()), None, "{}", key.as_str());
        }
        assert_eq!(tenant_of("nocolon"), None);
    }

    #[test]
    fn families_do_not_collide() {
        let same = "abc";
        let keys = [
            session(&ns(), same),
            flow(&ns(), same),
            code(&ns(), same),
            pushed_request(&ns(), same),
            opaque_access_token(&ns(), same),
            initial_access_token(&ns(), same),
            email_code(&ns(), same),
            device_request(&ns(), same),
            device_user_code(&ns(), same),
            ciba_request(&ns(), same),
            ciba_pending(&ns(), same),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        let c = code(&ns(), same);
        assert_eq!(code_redeemed(&c).as_str(), format!("used_{}", c.as_str()));
        let iat = initial_access_token(&ns(), same);
        assert_eq!(initial_access_token_uses(&iat).as_str(), format!("{}:uses", iat.as_str()));
    }
}
