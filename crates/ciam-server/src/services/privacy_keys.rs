//! Personal data in the audit trail: the data keys that seal it, and its erasure.
//!
//! Every event is sealed before it joins the chain ([`DataKeys::seal`]): its user id, IP address
//! and User-Agent are taken out of the record and sealed (AES-256-GCM) under the user's data key
//! (the tenant's key for events about no user), and the user id is replaced by its keyed
//! pseudonym, which the `user` filter looks up. The hash covers that stored form, so destroying a
//! key ([`forget_user_data`]) erases the fields for good and leaves `ciam audit verify` passing.
//! A data key is 32 random bytes, created on first use, stored sealed under the master key
//! (bound to tenant and subject). See `docs/privacy.md`.
//!
//! # Cache
//! Sealing uses a per-node cache of opened keys ([`TTL`], at most [`MAX_KEYS`]), so issuing
//! tokens for a user costs a store read of the key at most once per [`TTL`] on each node.
//! Reading the trail never uses the cache: it reads each key from the store, so once a key is
//! destroyed the events read as erased on every node at once. For up to [`TTL`] after an
//! erasure another node may still seal a new event under the destroyed key it cached; that event
//! cannot be read either.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ciam_core::Clock;
use ciam_core::audit::{AuditEvent, AuditFilter, AuditRecord, Personal, PersonalData, PersonalFields, SealedPersonal};
use ciam_core::id::{TenantId, UserId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::store::{DurableStore, StoreError, StoreResult, TENANT_DATA_KEY};
use ciam_jose::MasterKey;
use tokio::time::Instant;

use crate::state::AppState;

/// How long this node seals with a key it opened before reading it from the store again.
pub(crate) const TTL: Duration = Duration::from_secs(5);
/// Opened keys one node keeps (all tenants together); when full, expired keys are dropped, and
/// if none had expired, all of them.
const MAX_KEYS: usize = 10_000;

/// A key's subject within its tenant: the user's pseudonym or [`TENANT_DATA_KEY`].
type Slot = (TenantId, String);

/// The data keys of every tenant, as this node seals and opens audit events with them.
pub struct DataKeys {
    store: Arc<dyn DurableStore>,
    master: Arc<MasterKey>,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<Slot, (Instant, Arc<MasterKey>)>>,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKeys([redacted])")
    }
}

/// Why a key or a sealed value did not open: the master key changed, or a row was tampered with.
fn unreadable(e: ciam_jose::SealError) -> StoreError {
    StoreError::Corrupt(format!("personal data of the audit trail: {e}"))
}

/// What a data key is bound to when sealed under the master key.
fn key_owner(tenant: &TenantId, subject: &str) -> String {
    format!("{tenant}/data-key/{subject}")
}

/// What an event's personal fields are bound to when sealed under a data key.
fn data_owner(tenant: &TenantId, subject: &str) -> String {
    format!("{tenant}/audit/{subject}")
}

impl DataKeys {
    /// The data keys on `store`, sealed under `master`.
    pub fn new(store: Arc<dyn DurableStore>, master: Arc<MasterKey>, clock: Arc<dyn Clock>) -> Self {
        Self { store, master, clock, cache: Mutex::default() }
    }

    /// The keyed pseudonym of a user id in `tenant`: what sealed events and the key table hold
    /// instead of the id.
    pub fn subject(&self, tenant: &TenantId, user_id: &str) -> String {
        self.master.pseudonym(tenant.as_str(), user_id)
    }

    /// Puts `record` into its stored form: the personal fields sealed, the user id replaced by
    /// its pseudonym. Creates the user's (or tenant's) key on first use.
    ///
    /// # Security
    /// The clear fields are emptied here, and the store writes no clear field of a sealed event.
    pub async fn seal(&self, tenant: &TenantId, record: &mut AuditRecord) -> StoreResult<()> {
        let fields = PersonalFields::take(record);
        let subject = fields.user_id.as_deref().map(|u| self.subject(tenant, u));
        let data = if fields.is_empty() {
            None
        } else {
            let key_subject = subject.as_deref().unwrap_or(TENANT_DATA_KEY);
            let key = self.sealing_key(tenant, key_subject).await?;
            let plain = serde_json::to_vec(&fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Some(key.seal(&data_owner(tenant, key_subject), &plain).map_err(unreadable)?)
        };
        record.personal = Personal::Sealed(SealedPersonal { subject, data });
        Ok(())
    }

    /// Opens the personal fields of sealed `events` for a reader; an event whose key was
    /// destroyed gets [`PersonalData::Erased`] instead. Keys are read from the store (never
    /// from the cache), once per subject.
    pub async fn open(&self, tenant: &TenantId, events: &mut [AuditEvent]) -> StoreResult<()> {
        let mut keys: HashMap<String, Option<MasterKey>> = HashMap::new();
        for e in events {
            let Personal::Sealed(SealedPersonal { subject, data: Some(data) }) = &e.record.personal else {
                continue;
            };
            let key_subject = subject.as_deref().unwrap_or(TENANT_DATA_KEY);
            if !keys.contains_key(key_subject) {
                let key = match self.store.data_key(tenant, key_subject).await? {
                    Some(sealed) => Some(self.unwrap_key(tenant, key_subject, &sealed)?),
                    None => None,
                };
                keys.insert(key_subject.to_owned(), key);
            }
            match keys.get(key_subject).and_then(Option::as_ref) {
                Some(key) => {
                    let plain = key.open(&data_owner(tenant, key_subject), data).map_err(unreadable)?;
                    let fields: PersonalFields =
                        serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    fields.restore(&mut e.record);
                }
                None => e.personal_data = Some(PersonalData::Erased),
            }
        }
        Ok(())
    }

    /// Destroys the data key of `subject` and drops it from this node's cache; `false` when
    /// there was none.
    pub async fn destroy(&self, tenant: &TenantId, subject: &str) -> StoreResult<bool> {
        self.forget(tenant, subject);
        let destroyed = self.store.destroy_data_key(tenant, subject).await?;
        // Again, in case this node sealed an event (and cached the key) meanwhile.
        self.forget(tenant, subject);
        Ok(destroyed)
    }

    fn forget(&self, tenant: &TenantId, subject: &str) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.remove(&(tenant.clone(), subject.to_owned()));
    }

    /// The key that seals new events of `subject`: cached, stored, or created now (once, whichever
    /// node asks first).
    async fn sealing_key(&self, tenant: &TenantId, subject: &str) -> StoreResult<Arc<MasterKey>> {
        let slot = (tenant.clone(), subject.to_owned());
        let now = Instant::now();
        {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((at, key)) = cache.get(&slot)
                && now.duration_since(*at) < TTL
            {
                return Ok(key.clone());
            }
        }
        let sealed = match self.store.data_key(tenant, subject).await? {
            Some(sealed) => sealed,
            None => {
                let fresh = MasterKey::generate_base64();
                let sealed = self.master.seal(&key_owner(tenant, subject), fresh.as_bytes()).map_err(unreadable)?;
                self.store.create_data_key(tenant, subject, &sealed, self.clock.now()).await?
            }
        };
        let key = Arc::new(self.unwrap_key(tenant, subject, &sealed)?);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_KEYS {
            cache.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            if cache.len() >= MAX_KEYS {
                cache.clear();
            }
        }
        cache.insert(slot, (now, key.clone()));
        Ok(key)
    }

    fn unwrap_key(&self, tenant: &TenantId, subject: &str, sealed: &str) -> StoreResult<MasterKey> {
        let material = self.master.open(&key_owner(tenant, subject), sealed).map_err(unreadable)?;
        let text = std::str::from_utf8(&material).map_err(|_| StoreError::Corrupt("a data key is not text".into()))?;
        MasterKey::from_base64(text).map_err(unreadable)
    }
}

/// Erases the personal data the audit trail holds about `user`: destroys the user's data key,
/// so every event sealed under it reads as erased from now on (user id, IP address and
/// User-Agent absent, `personal_data: erased`), while the event's other fields and the hash chain
/// stay intact. Returns whether the user had a key.
///
/// Call it once the user is deleted: an event recorded about the user afterwards would create a
/// new key. It appends no event itself; the caller records the erasure, without the user id
/// (an event naming the user would be sealed under a new key of the user).
pub async fn forget_user_data(st: &AppState, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
    let keys = st.audit.keys();
    keys.destroy(tenant, &keys.subject(tenant, &user.to_string())).await
}

/// A page of the tenant's trail for a reader: the `user` filter matched by clear id (events
/// written before migration 0025) or pseudonym, and the personal fields opened.
pub(crate) async fn read_audit(
    st: &AppState,
    tenant: &TenantId,
    mut filter: AuditFilter,
    page: &PageRequest,
) -> StoreResult<Page<AuditEvent>> {
    let keys = st.audit.keys();
    filter.subject = filter.user_id.as_deref().map(|u| keys.subject(tenant, u));
    let mut found = st.durable.query_audit(tenant, &filter, page).await?;
    keys.open(tenant, &mut found.items).await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use ciam_core::tenant::{Tenant, TenantSettings};

    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    async fn keys(name: &str) -> Result<(DataKeys, Arc<dyn DurableStore>, TenantId), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("ciam-data-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}/ciam.db?mode=rwc", dir.display());
        let store: Arc<dyn DurableStore> = ciam_store::open_durable(&url, &ciam_store::PoolOptions::default()).await?;
        let tenant = TenantId::parse("acme")?;
        let now = ciam_core::Clock::now(&ciam_core::SystemClock);
        store
            .create_tenant(&Tenant {
                id: tenant.clone(),
                display_name: "Acme".into(),
                home_region: ciam_core::Region::parse("eu")?,
                settings: TenantSettings::default(),
                created_at: now,
                updated_at: now,
                incarnation: String::new(),
            })
            .await?;
        let master = Arc::new(MasterKey::from_base64(&MasterKey::generate_base64())?);
        Ok((DataKeys::new(store.clone(), master, Arc::new(ciam_core::SystemClock)), store, tenant))
    }

    fn record(user: Option<&str>, ip: &str) -> AuditRecord {
        let mut r = AuditRecord::allow("token.issued");
        r.user_id = user.map(str::to_owned);
        r.ip = Some(ip.into());
        r.user_agent = Some("Firefox/140".into());
        r.client_id = Some("web".into());
        r
    }

    #[tokio::test]
    async fn events_are_sealed_opened_and_erased_with_the_users_key() -> TestResult {
        let (keys, store, t) = keys("erase").await?;
        let mut batch = Vec::new();
        for r in
            [record(Some("ada.lovelace"), "192.0.2.1"), record(None, "192.0.2.9"), record(Some("bob"), "192.0.2.2")]
        {
            let mut r = r;
            keys.seal(&t, &mut r).await?;
            assert!(r.user_id.is_none() && r.ip.is_none() && r.user_agent.is_none(), "taken out");
            batch.push((t.clone(), ciam_core::Clock::now(&ciam_core::SystemClock), r));
        }
        store.append_audit(&batch).await?;
        let stored = store.audit_chain(&t, 0, 10).await?;
        let text = format!("{stored:?}");
        // (A name with letters beyond a-f: a hex digest may well spell "ada".)
        for clear in ["ada.lovelace", "192.0.2.1", "Firefox"] {
            assert!(!text.contains(clear), "{clear} is not stored in clear");
        }
        let ada = keys.subject(&t, "ada.lovelace");
        assert!(text.contains(&ada), "the pseudonym is");

        let mut read = stored.clone();
        keys.open(&t, &mut read).await?;
        let users: Vec<_> = read.iter().map(|e| e.record.user_id.as_deref()).collect();
        assert_eq!(users, [Some("ada.lovelace"), None, Some("bob")]);
        assert_eq!(read[1].record.ip.as_deref(), Some("192.0.2.9"), "sealed under the tenant's key");
        assert!(read.iter().all(|e| e.personal_data.is_none() && e.hash_matches()));

        // Ada's key destroyed: her event is erased, the others open, every hash still matches.
        assert!(keys.destroy(&t, &ada).await?);
        assert!(!keys.destroy(&t, &ada).await?);
        let mut read = stored.clone();
        keys.open(&t, &mut read).await?;
        assert_eq!(read[0].personal_data, Some(PersonalData::Erased));
        assert!(read[0].record.user_id.is_none() && read[0].record.ip.is_none());
        assert_eq!(read[0].record.client_id.as_deref(), Some("web"), "the facts stay readable");
        assert_eq!(read[2].record.user_id.as_deref(), Some("bob"));
        let mut v = ciam_core::audit::ChainVerifier::default();
        for e in &read {
            v.next(e)?;
        }
        assert_eq!(v.finish(store.audit_head(&t).await?)?, 3);
        Ok(())
    }

    #[tokio::test]
    async fn one_key_per_user_cached_and_dropped_at_erasure() -> TestResult {
        let (keys, store, t) = keys("cache").await?;
        let ada = keys.subject(&t, "ada");
        let first = keys.sealing_key(&t, &ada).await?;
        assert!(Arc::ptr_eq(&first, &keys.sealing_key(&t, &ada).await?), "from the cache");
        let sealed = store.data_key(&t, &ada).await?.ok_or("stored")?;
        assert!(sealed.starts_with("v1."), "stored sealed under the master key");
        keys.destroy(&t, &ada).await?;
        let second = keys.sealing_key(&t, &ada).await?;
        assert!(!Arc::ptr_eq(&first, &second));
        let probe = second.seal("o", b"x")?;
        assert!(first.open("o", &probe).is_err(), "a new key, not the destroyed one");
        assert_ne!(keys.subject(&t, "ada"), keys.subject(&TenantId::parse("other")?, "ada"), "per tenant");
        Ok(())
    }
}
