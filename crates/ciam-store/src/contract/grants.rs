//! Signing keys, revocations and refresh-token families: rotation is a compare-and-set, a
//! revocation is per tenant and purged once expired, a replayed refresh token ends its family.

use std::sync::Arc;

use ciam_core::id::{ClientId, TenantId};
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord, Rotation};
use ciam_core::secret::SecretHash;
use ciam_core::signing_key::{KeyState, StoredKey};
use ciam_core::store::{DurableStore, StoreError};
use ciam_core::user::User;

use super::*;

pub fn key(tenant: &str, kid: &str, state: KeyState) -> StoredKey {
    StoredKey {
        tenant_id: TenantId::parse(tenant).unwrap(),
        kid: kid.into(),
        alg: "ES256".into(),
        state,
        public_jwk: serde_json::json!({"kty": "EC", "kid": kid, "alg": "ES256"}),
        sealed_private: format!("v1.test.{kid}"),
        created_at: T0,
        activated_at: (state == KeyState::Active).then_some(T0),
        retired_at: None,
    }
}

pub async fn key_rotation_is_atomic_and_compare_and_set(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    s.insert_key(&key("acme", "k1", KeyState::Active)).await.unwrap();
    s.insert_key(&key("acme", "k2", KeyState::Next)).await.unwrap();
    assert!(matches!(
        s.insert_key(&key("acme", "k1", KeyState::Retired)).await,
        Err(StoreError::Conflict { what: "kid" })
    ));
    assert!(s.insert_key(&key("acme", "k9", KeyState::Active)).await.is_err(), "one active key per alg");

    let k3 = StoredKey { created_at: T1, ..key("acme", "k3", KeyState::Next) };
    s.rotate_keys(&t, "ES256", "k2", &k3, T1).await.unwrap();
    let keys = s.list_keys(&t).await.unwrap();
    let state = |kid: &str| keys.iter().find(|k| k.kid == kid).map(|k| (k.state, k.activated_at, k.retired_at));
    assert_eq!(state("k1"), Some((KeyState::Retired, Some(T0), Some(T1))));
    assert_eq!(state("k2"), Some((KeyState::Active, Some(T1), None)));
    assert_eq!(state("k3"), Some((KeyState::Next, None, None)));
    assert_eq!(keys[0].kid, "k3", "newest first");
    assert_eq!(keys.iter().find(|k| k.kid == "k3").unwrap(), &k3, "round trip");

    // A second rotation racing with the same (now stale) next kid changes nothing.
    let k4 = key("acme", "k4", KeyState::Next);
    assert!(matches!(s.rotate_keys(&t, "ES256", "k2", &k4, T1).await, Err(StoreError::Conflict { what: "next" })));
    let after = s.list_keys(&t).await.unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(after.iter().filter(|k| k.state == KeyState::Active).count(), 1);

    assert_eq!(s.delete_retired_keys(&t, T0).await.unwrap(), 0, "retired at T1 is kept for a T0 cutoff");
    assert_eq!(s.delete_retired_keys(&t, T1 + time::Duration::seconds(1)).await.unwrap(), 1);
    assert_eq!(s.list_keys(&t).await.unwrap().len(), 2);

    // Isolation: another tenant sees none of these keys and cannot rotate them.
    s.create_tenant(&tenant("b")).await.unwrap();
    let b = TenantId::parse("b").unwrap();
    assert!(s.list_keys(&b).await.unwrap().is_empty());
    assert!(s.rotate_keys(&b, "ES256", "k3", &key("b", "k5", KeyState::Next), T1).await.is_err());
    assert_eq!(state("k3"), Some((KeyState::Next, None, None)));
    assert!(s.delete_tenant(&t).await.unwrap());
    s.create_tenant(&tenant("acme")).await.unwrap();
    assert!(s.list_keys(&t).await.unwrap().is_empty(), "keys are deleted with their tenant");
}

pub async fn revocations_are_per_tenant_idempotent_and_purged(s: &dyn DurableStore) {
    s.create_tenant(&tenant("a")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (a, b) = (TenantId::parse("a").unwrap(), TenantId::parse("b").unwrap());
    assert!(!s.is_token_revoked(&a, "j1", None).await.unwrap());
    s.revoke_token(&a, "j1", T1).await.unwrap();
    s.revoke_token(&a, "j1", T1).await.unwrap(); // RFC 7009 §2.2: revoking again is fine
    assert!(s.is_token_revoked(&a, "j1", None).await.unwrap());
    assert!(!s.is_token_revoked(&b, "j1", None).await.unwrap(), "per tenant");
    s.revoke_token(&a, "j0", T0).await.unwrap();
    assert_eq!(s.purge_revocations(T1).await.unwrap(), 1, "only tokens expired before now are forgotten");
    assert!(!s.is_token_revoked(&a, "j0", None).await.unwrap());
    assert!(s.is_token_revoked(&a, "j1", None).await.unwrap());
    // A token of a revoked grant is revoked with it; the grant's entry names no other token.
    s.revoke_token(&a, "grant:g1", T1).await.unwrap();
    assert!(s.is_token_revoked(&a, "j2", Some("grant:g1")).await.unwrap());
    assert!(!s.is_token_revoked(&a, "j2", Some("grant:g2")).await.unwrap());
    assert!(!s.is_token_revoked(&a, "j2", None).await.unwrap());
    assert!(s.is_token_revoked(&a, "j1", Some("grant:g2")).await.unwrap(), "the token's own entry still counts");
    // What a cache of the revocations is filled from: the tenant's unexpired ones, bounded.
    s.revoke_token(&b, "jb", T1).await.unwrap();
    let mut live = s.unexpired_revocations(&a, T1, 10).await.unwrap();
    live.sort();
    assert_eq!(live, [("grant:g1".to_owned(), T1), ("j1".to_owned(), T1)]);
    assert_eq!(s.unexpired_revocations(&a, T1, 1).await.unwrap().len(), 1, "at most the limit");
    assert!(s.unexpired_revocations(&a, T1 + time::Duration::seconds(1), 10).await.unwrap().is_empty());
}

pub fn family(u: &User, client: &str, id: &str) -> RefreshFamily {
    RefreshFamily {
        tenant_id: u.tenant_id.clone(),
        family_id: id.into(),
        client_id: ClientId::parse(client).unwrap(),
        user_id: u.id,
        scope: "openid offline_access".into(),
        auth_time: T0,
        acr: Some("urn:ciam:acr:mfa".into()),
        sid: Some("sid".into()),
        created_at: T0,
        expires_at: T1,
        revoked_at: None,
        dpop_jkt: Some("a-dpop-key-thumbprint".into()),
        resources: vec!["https://api.example/a".into(), "https://api.example/b".into()],
        userinfo_claims: vec!["email".into(), "phone_number".into()],
        authorization_details: Some(serde_json::json!([{"type": "payment_initiation", "amount": "420.00"}])),
    }
}

pub fn refresh(tenant: &str, family_id: &str, token: &str) -> RefreshTokenRecord {
    RefreshTokenRecord {
        tenant_id: TenantId::parse(tenant).unwrap(),
        token_hash: SecretHash::of(token),
        family_id: family_id.into(),
        issued_at: T0,
        expires_at: T1,
        rotated_at: None,
    }
}

/// Standards S13, F07, F08 (default mode), F09: rotation is compare-and-set, reuse revokes the
/// family, exactly one of many concurrent rotations wins.
pub async fn refresh_rotation_and_reuse_detection(s: Arc<dyn DurableStore>) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let u = user("acme", "ada@example.com");
    s.create_user(&u, None).await.unwrap();
    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    let t = u.tenant_id.clone();
    let f = family(&u, "web-app", "fam1");
    s.create_refresh_family(&f, &refresh("acme", "fam1", "rt-1")).await.unwrap();

    let (tok, fam) = s.find_refresh_token(&t, &SecretHash::of("rt-1")).await.unwrap().unwrap();
    assert_eq!(fam, f);
    assert_eq!(tok, refresh("acme", "fam1", "rt-1"));
    assert!(s.find_refresh_token(&t, &SecretHash::of("nope")).await.unwrap().is_none());

    let r = s.rotate_refresh_token(&t, &SecretHash::of("rt-1"), &refresh("acme", "fam1", "rt-2"), T1).await.unwrap();
    assert_eq!(r, Rotation::Rotated);
    let (old, _) = s.find_refresh_token(&t, &SecretHash::of("rt-1")).await.unwrap().unwrap();
    assert_eq!(old.rotated_at, Some(T1));
    let (new, fam) = s.find_refresh_token(&t, &SecretHash::of("rt-2")).await.unwrap().unwrap();
    assert_eq!((new.rotated_at, fam.revoked_at), (None, None));

    // Reuse of the rotated token: nothing inserted, the whole family revoked.
    let r = s.rotate_refresh_token(&t, &SecretHash::of("rt-1"), &refresh("acme", "fam1", "rt-3"), T1).await.unwrap();
    assert_eq!(r, Rotation::Reused);
    assert!(s.find_refresh_token(&t, &SecretHash::of("rt-3")).await.unwrap().is_none());
    let (_, fam) = s.find_refresh_token(&t, &SecretHash::of("rt-2")).await.unwrap().unwrap();
    assert_eq!(fam.revoked_at, Some(T1), "the live head is dead too");
    assert!(!s.revoke_refresh_family(&t, "fam1", T1).await.unwrap(), "already revoked");

    // Concurrency: of 20 rotations of one head exactly one wins.
    s.create_refresh_family(&family(&u, "web-app", "fam2"), &refresh("acme", "fam2", "head")).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (s, t) = (s.clone(), t.clone());
            tokio::spawn(async move {
                s.rotate_refresh_token(&t, &SecretHash::of("head"), &refresh("acme", "fam2", &format!("next-{i}")), T1)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut rotated = 0;
    for task in tasks {
        rotated += usize::from(task.await.unwrap() == Rotation::Rotated);
    }
    assert_eq!(rotated, 1);

    // Revoking all of a user's families; another tenant sees and revokes nothing.
    s.create_refresh_family(&family(&u, "web-app", "fam3"), &refresh("acme", "fam3", "rt-x")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let b = TenantId::parse("b").unwrap();
    assert!(s.find_refresh_token(&b, &SecretHash::of("rt-x")).await.unwrap().is_none());
    assert!(!s.revoke_refresh_family(&b, "fam3", T1).await.unwrap());
    assert_eq!(s.revoke_user_refresh_families(&b, &u.id, T1).await.unwrap(), 0);
    assert_eq!(
        s.revoke_user_refresh_families(&t, &u.id, T1).await.unwrap(),
        1,
        "fam2 was revoked by the race; fam3 now"
    );
    let (_, fam3) = s.find_refresh_token(&t, &SecretHash::of("rt-x")).await.unwrap().unwrap();
    assert_eq!(fam3.revoked_at, Some(T1));

    // Revoking what one client holds for the user leaves the other clients' families alone;
    // another tenant revokes nothing.
    s.create_client(&client("acme", "other-app"), None).await.unwrap();
    s.create_refresh_family(&family(&u, "web-app", "fam5"), &refresh("acme", "fam5", "rt-5")).await.unwrap();
    s.create_refresh_family(&family(&u, "web-app", "fam6"), &refresh("acme", "fam6", "rt-6")).await.unwrap();
    s.create_refresh_family(&family(&u, "other-app", "fam7"), &refresh("acme", "fam7", "rt-7")).await.unwrap();
    let web = ClientId::parse("web-app").unwrap();
    assert_eq!(s.revoke_client_refresh_families(&b, &u.id, &web, T1).await.unwrap(), 0);
    assert_eq!(s.revoke_client_refresh_families(&t, &u.id, &web, T1).await.unwrap(), 2, "fam5 and fam6");
    assert_eq!(s.revoke_client_refresh_families(&t, &u.id, &web, T1).await.unwrap(), 0, "revoked already");
    for (token, revoked) in [("rt-5", Some(T1)), ("rt-6", Some(T1)), ("rt-7", None)] {
        let (_, fam) = s.find_refresh_token(&t, &SecretHash::of(token)).await.unwrap().unwrap();
        assert_eq!(fam.revoked_at, revoked, "{token}");
    }

    // Deleting the client ends its grants.
    s.create_refresh_family(&family(&u, "web-app", "fam4"), &refresh("acme", "fam4", "rt-y")).await.unwrap();
    assert!(s.delete_client(&t, &ClientId::parse("web-app").unwrap()).await.unwrap());
    assert!(s.find_refresh_token(&t, &SecretHash::of("rt-y")).await.unwrap().is_none());
}
