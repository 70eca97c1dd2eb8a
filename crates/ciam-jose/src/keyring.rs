//! The keyring: each tenant's signing keys, loaded from the key store, opened with the master
//! key, cached per node for a short time, and rotated.
//!
//! Per tenant and algorithm there is an active key (signs) and a next key (published, not yet
//! signing); rotation promotes next to active and retires the old active key, which stays in the
//! JWKS for [`RETIRED_KEY_RETENTION`] so tokens it signed keep verifying. Because the next key
//! is published before it signs, a node whose cache is still a few seconds old already knows the
//! key another node has just started signing with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ciam_core::id::TenantId;
use ciam_core::signing_key::{KeyState, StoredKey};
use ciam_core::store::{KeyStore, StoreError};
use time::OffsetDateTime;

use crate::jwt::SignatureCache;
use crate::keys::{Alg, KeyError, PublicJwk, SigningKey};
use crate::seal::{MasterKey, SealError};

/// How long retired keys stay published: longer than any token they can have signed lives.
pub const RETIRED_KEY_RETENTION: time::Duration = time::Duration::days(1);

/// How long a node reuses a tenant's loaded keys before reading the store again.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// The algorithms every tenant has keys for: ES256 signs access tokens, RS256 ID tokens
/// (OIDC Core §15.1 requires RS256 support).
pub const TENANT_ALGS: [Alg; 2] = [Alg::ES256, Alg::RS256];

/// Why a keyring operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The key store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A private key could not be opened (wrong master key or tampered row).
    #[error("signing key {kid} cannot be opened: {source}")]
    Seal {
        /// The key.
        kid: String,
        /// Why.
        #[source]
        source: SealError,
    },
    /// Key material is invalid.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The tenant has no active key for the algorithm.
    #[error("no active {0} key")]
    NoActiveKey(Alg),
}

/// A tenant's keys as loaded.
#[derive(Debug)]
pub struct TenantKeys {
    active: HashMap<Alg, Arc<SigningKey>>,
    published: Vec<PublicJwk>,
    /// The JWK Set document, serialized once per load.
    jwks_json: String,
}

impl TenantKeys {
    /// The key that signs new tokens with `alg`.
    pub fn signing(&self, alg: Alg) -> Result<Arc<SigningKey>, KeyringError> {
        self.active.get(&alg).cloned().ok_or(KeyringError::NoActiveKey(alg))
    }

    /// Every published public key (active, next, and retired within retention).
    pub fn published(&self) -> &[PublicJwk] {
        &self.published
    }

    /// The JWK Set document (RFC 7517 §5) as JSON text, serialized when the keys were loaded
    /// (the JWKS endpoint serves it as is).
    pub fn jwks_json(&self) -> &str {
        &self.jwks_json
    }
}

/// Loads, caches and rotates signing keys.
pub struct Keyring {
    store: Arc<dyn KeyStore>,
    master: Arc<MasterKey>,
    cache: Mutex<HashMap<TenantId, (Instant, Arc<TenantKeys>)>>,
    signatures: SignatureCache,
}

/// Access tokens whose signatures are remembered per node (about 50 bytes each).
const REMEMBERED_SIGNATURES: usize = 16_384;

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("master", &self.master).finish_non_exhaustive()
    }
}

fn owner(tenant: &TenantId, kid: &str) -> String {
    format!("{tenant}/{kid}")
}

impl Keyring {
    /// A keyring over `store`, sealing with `master`.
    pub fn new(store: Arc<dyn KeyStore>, master: Arc<MasterKey>) -> Self {
        Self {
            store,
            master,
            cache: Mutex::new(HashMap::new()),
            signatures: SignatureCache::new(REMEMBERED_SIGNATURES),
        }
    }

    /// Access tokens of this keyring's tenants known to be authentic: signed here or verified in full (see
    /// [`SignatureCache`]).
    pub fn signatures(&self) -> &SignatureCache {
        &self.signatures
    }

    fn new_key(
        &self,
        tenant: &TenantId,
        alg: Alg,
        state: KeyState,
        now: OffsetDateTime,
    ) -> Result<StoredKey, KeyringError> {
        let (key, pkcs8) = SigningKey::generate(alg)?;
        let kid = key.kid().to_owned();
        let sealed_private = self
            .master
            .seal(&owner(tenant, &kid), &pkcs8)
            .map_err(|source| KeyringError::Seal { kid: kid.clone(), source })?;
        Ok(StoredKey {
            tenant_id: tenant.clone(),
            kid,
            alg: alg.as_str().to_owned(),
            state,
            public_jwk: serde_json::Value::Object(key.public_jwk().as_json().clone()),
            sealed_private,
            created_at: now,
            activated_at: (state == KeyState::Active).then_some(now),
            retired_at: None,
        })
    }

    /// Creates whatever active and next keys the tenant lacks (idempotent).
    pub async fn ensure_keys(&self, tenant: &TenantId, now: OffsetDateTime) -> Result<(), KeyringError> {
        let existing = self.store.list_keys(tenant).await?;
        for alg in TENANT_ALGS {
            for state in [KeyState::Active, KeyState::Next] {
                let present = existing.iter().any(|k| k.alg == alg.as_str() && k.state == state);
                if !present {
                    match self.store.insert_key(&self.new_key(tenant, alg, state, now)?).await {
                        // Another node created it at the same moment: the one-per-state index kept one.
                        Ok(()) | Err(StoreError::Conflict { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        self.invalidate(tenant);
        Ok(())
    }

    /// The tenant's keys, from the node cache when fresh.
    pub async fn keys(&self, tenant: &TenantId, now: OffsetDateTime) -> Result<Arc<TenantKeys>, KeyringError> {
        if let Some((at, keys)) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(tenant)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(keys.clone());
        }
        self.reload(tenant, now).await
    }

    /// Reads the tenant's keys from the store now (e.g. on an unknown `kid`).
    pub async fn reload(&self, tenant: &TenantId, now: OffsetDateTime) -> Result<Arc<TenantKeys>, KeyringError> {
        let stored = self.store.list_keys(tenant).await?;
        let mut active = HashMap::new();
        let mut published = Vec::new();
        for k in stored {
            let Some(alg) = Alg::parse(&k.alg) else { continue };
            let live = match k.state {
                KeyState::Active | KeyState::Next => true,
                KeyState::Retired => k.retired_at.is_some_and(|r| r + RETIRED_KEY_RETENTION > now),
            };
            if live {
                published.push(PublicJwk::from_value(k.public_jwk.clone())?);
            }
            if k.state == KeyState::Active {
                let pkcs8 = self
                    .master
                    .open(&owner(tenant, &k.kid), &k.sealed_private)
                    .map_err(|source| KeyringError::Seal { kid: k.kid.clone(), source })?;
                active.insert(alg, Arc::new(SigningKey::from_pkcs8(alg, &pkcs8)?));
            }
        }
        let jwks_json = serde_json::to_string(&serde_json::json!({ "keys": published }))
            .map_err(|e| KeyringError::Key(KeyError::Jwk(e.to_string())))?;
        let keys = Arc::new(TenantKeys { active, published, jwks_json });
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.clone(), (Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// Rotates the keys of `algs`: next becomes active, active is retired, a new next is made;
    /// retired keys past retention are deleted. Returns the newly active key ids.
    pub async fn rotate(
        &self,
        tenant: &TenantId,
        algs: &[Alg],
        now: OffsetDateTime,
    ) -> Result<Vec<String>, KeyringError> {
        self.ensure_keys(tenant, now).await?;
        let stored = self.store.list_keys(tenant).await?;
        let mut activated = Vec::new();
        for alg in algs {
            let Some(next) = stored.iter().find(|k| k.alg == alg.as_str() && k.state == KeyState::Next) else {
                continue;
            };
            let new_next = self.new_key(tenant, *alg, KeyState::Next, now)?;
            self.store.rotate_keys(tenant, alg.as_str(), &next.kid, &new_next, now).await?;
            activated.push(next.kid.clone());
        }
        self.store.delete_retired_keys(tenant, now - RETIRED_KEY_RETENTION).await?;
        self.invalidate(tenant);
        Ok(activated)
    }

    /// Drops the node's cached keys of a tenant.
    pub fn invalidate(&self, tenant: &TenantId) {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).remove(tenant);
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::store::TenantStore;
    use ciam_store::contract::tenant;
    use time::macros::datetime;

    use super::*;
    use crate::jwt::{Expect, mint, verify};

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    async fn keyring() -> (Keyring, Arc<ciam_store::SqliteStore>, TenantId, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("ciam-keyring-{}", ciam_core::secret::random_token(8)));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Arc::new(
            ciam_store::SqliteStore::connect(&format!("sqlite://{}/k.db", dir.display()), &Default::default())
                .await
                .unwrap(),
        );
        store.create_tenant(&tenant("acme")).await.unwrap();
        let master = Arc::new(MasterKey::from_base64(&MasterKey::generate_base64()).unwrap());
        (Keyring::new(store.clone(), master), store, TenantId::parse("acme").unwrap(), dir)
    }

    fn expect(issuer: &str, alg: Alg) -> Expect<'_> {
        let algs: &'static [Alg] = match alg {
            Alg::ES256 => &[Alg::ES256],
            Alg::RS256 => &[Alg::RS256],
            Alg::EdDSA => &[Alg::EdDSA],
        };
        Expect { typ: "JWT", algs, issuer, audience: None, now: NOW, exp_leeway: 0, skew: 0 }
    }

    #[tokio::test]
    async fn tenants_get_an_active_and_a_next_key_per_algorithm() {
        let (ring, store, t, dir) = keyring().await;
        ring.ensure_keys(&t, NOW).await.unwrap();
        ring.ensure_keys(&t, NOW).await.unwrap(); // idempotent
        let stored = store.list_keys(&t).await.unwrap();
        assert_eq!(stored.len(), 4);
        for k in &stored {
            assert!(k.sealed_private.starts_with("v1."), "private keys are sealed at rest");
            assert!(k.public_jwk.get("d").is_none());
        }
        let keys = ring.keys(&t, NOW).await.unwrap();
        assert_eq!(keys.published().len(), 4);
        let jwks: serde_json::Value = serde_json::from_str(keys.jwks_json()).unwrap();
        let kids: std::collections::HashSet<&str> =
            jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids.len(), 4, "distinct kids (C02)");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn rotation_publishes_before_signing_and_keeps_old_tokens_verifiable_c40() {
        let (ring, store, t, dir) = keyring().await;
        ring.ensure_keys(&t, NOW).await.unwrap();
        let before = ring.keys(&t, NOW).await.unwrap();
        let old_signer = before.signing(Alg::ES256).unwrap();
        let old_token =
            mint(&old_signer, "JWT", &serde_json::json!({"iss": "i", "exp": NOW.unix_timestamp() + 60})).unwrap();
        let next_kid = store
            .list_keys(&t)
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.alg == "ES256" && k.state == KeyState::Next)
            .unwrap()
            .kid;
        assert!(before.published().iter().any(|k| k.kid() == next_kid), "next key is published before it signs");

        let activated = ring.rotate(&t, &[Alg::ES256], NOW).await.unwrap();
        assert_eq!(activated, vec![next_kid.clone()]);
        let after = ring.keys(&t, NOW).await.unwrap();
        assert_eq!(after.signing(Alg::ES256).unwrap().kid(), next_kid, "the published next key now signs");
        assert_eq!(
            after.signing(Alg::RS256).unwrap().kid(),
            before.signing(Alg::RS256).unwrap().kid(),
            "RS256 untouched"
        );
        assert_eq!(after.published().len(), 5, "old active stays published");
        assert!(
            verify(&old_token, after.published(), &expect("i", Alg::ES256)).is_ok(),
            "tokens minted before rotation verify"
        );

        // After retention the retired key is gone from the JWKS and then from the store.
        let later = NOW + RETIRED_KEY_RETENTION + time::Duration::seconds(1);
        assert_eq!(ring.reload(&t, later).await.unwrap().published().len(), 4);
        ring.rotate(&t, &[Alg::RS256], later).await.unwrap();
        assert!(!store.list_keys(&t).await.unwrap().iter().any(|k| k.kid == old_signer.kid()), "pruned");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_wrong_master_key_cannot_open_the_keys() {
        let (ring, store, t, dir) = keyring().await;
        ring.ensure_keys(&t, NOW).await.unwrap();
        let other = Keyring::new(store, Arc::new(MasterKey::from_base64(&MasterKey::generate_base64()).unwrap()));
        assert!(matches!(other.keys(&t, NOW).await, Err(KeyringError::Seal { .. })));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
