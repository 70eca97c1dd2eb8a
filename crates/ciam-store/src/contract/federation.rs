//! The federation port: a tenant's upstream identity providers and the accounts linked through
//! them.

use std::collections::BTreeMap;

use ciam_core::client::{AuthMethod, Client, ClientType};
use ciam_core::federation::{FederatedIdentity, IdentityProvider, ProviderConfig, ProviderKind, UpstreamClientAuth};
use ciam_core::id::TenantId;
use ciam_core::saml_app::{NameIdFormat, SamlApp, SamlAttribute, SamlSigningKey};
use ciam_core::store::{DurableStore, StoreError};
use ciam_core::user::User;

use super::{T0, T1, tenant, user};

pub fn provider_config(display_name: &str) -> ProviderConfig {
    ProviderConfig {
        kind: ProviderKind::Oidc,
        display_name: display_name.into(),
        icon_uri: Some("https://idp.corp.example/icon.png".into()),
        issuer: "https://idp.corp.example".into(),
        client_id: "ciam".into(),
        client_auth: UpstreamClientAuth::ClientSecretPost,
        scopes: vec!["openid".into(), "email".into()],
        claim_mapping: BTreeMap::from([("name".into(), "displayName".into())]),
        allowed_domains: vec!["corp.example".into()],
        home_realm_domains: vec!["corp.example".into()],
        trusted_email_domains: vec!["corp.example".into()],
        create_users: true,
        trust_mfa: true,
        mfa_acr_values: vec!["urn:corp:mfa".into()],
        allowed_tenants: vec![],
        apple_team_id: None,
        apple_key_id: None,
        saml_metadata: None,
        saml_metadata_url: None,
        saml_allow_idp_initiated: false,
        saml_email_attribute: None,
        enabled: true,
    }
}

pub fn identity_provider(tenant: &str, id: &str) -> IdentityProvider {
    IdentityProvider {
        tenant_id: TenantId::parse(tenant).unwrap(),
        id: id.into(),
        config: provider_config("Corp"),
        sealed_secret: Some(format!("sealed-secret-of-{id}")),
        created_at: T0,
        updated_at: T0,
    }
}

pub fn identity_link(u: &User, provider: &str, subject: &str) -> FederatedIdentity {
    FederatedIdentity {
        tenant_id: u.tenant_id.clone(),
        provider_id: provider.into(),
        subject: subject.into(),
        user_id: u.id,
        email: Some(u.email.as_str().to_owned()),
        linked_at: T0,
    }
}

/// Providers: stored with their settings (JSON) and sealed secret, listed in id order, updated
/// and deleted only in their tenant; a taken id is a conflict, a missing one not found.
pub async fn federation_providers_round_trip_per_tenant(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (acme, b) = (TenantId::parse("acme").unwrap(), TenantId::parse("b").unwrap());
    let corp = identity_provider("acme", "corp");
    let google = IdentityProvider {
        config: ProviderConfig {
            kind: ProviderKind::Google,
            issuer: "https://accounts.google.com".into(),
            ..provider_config("Google")
        },
        sealed_secret: None,
        ..identity_provider("acme", "google")
    };
    s.create_identity_provider(&google).await.unwrap();
    s.create_identity_provider(&corp).await.unwrap();
    assert_eq!(s.get_identity_provider(&acme, "corp").await.unwrap().as_ref(), Some(&corp));
    assert_eq!(s.get_identity_provider(&acme, "google").await.unwrap().as_ref(), Some(&google), "no secret");
    assert_eq!(s.get_identity_provider(&acme, "nope").await.unwrap(), None);
    assert_eq!(s.list_identity_providers(&acme).await.unwrap(), vec![corp.clone(), google.clone()], "by id");

    let dup = s.create_identity_provider(&IdentityProvider { sealed_secret: None, ..corp.clone() }).await;
    assert!(matches!(dup, Err(StoreError::Conflict { what: "identity provider" })), "{dup:?}");
    let missing = s.update_identity_provider(&identity_provider("acme", "ghost")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let unknown_tenant = s.create_identity_provider(&identity_provider("nowhere", "corp")).await;
    assert!(matches!(unknown_tenant, Err(StoreError::NotFound)), "{unknown_tenant:?}");

    let changed = IdentityProvider {
        config: ProviderConfig { enabled: false, scopes: vec!["openid".into()], ..provider_config("Corp SSO") },
        sealed_secret: Some("rotated".into()),
        updated_at: T1,
        ..corp.clone()
    };
    s.update_identity_provider(&changed).await.unwrap();
    assert_eq!(s.get_identity_provider(&acme, "corp").await.unwrap().as_ref(), Some(&changed));
    let cleared = IdentityProvider { sealed_secret: None, ..changed.clone() };
    s.update_identity_provider(&cleared).await.unwrap();
    assert_eq!(s.get_identity_provider(&acme, "corp").await.unwrap().as_ref(), Some(&cleared), "secret cleared");

    // Another tenant sees nothing of these, changes nothing, and may use the same ids.
    assert_eq!(s.get_identity_provider(&b, "corp").await.unwrap(), None);
    assert!(s.list_identity_providers(&b).await.unwrap().is_empty());
    assert_eq!(s.delete_identity_provider(&b, "corp").await.unwrap(), None);
    let theirs = identity_provider("b", "corp");
    assert!(matches!(s.update_identity_provider(&theirs).await, Err(StoreError::NotFound)));
    s.create_identity_provider(&theirs).await.unwrap();
    assert_eq!(s.get_identity_provider(&acme, "corp").await.unwrap().as_ref(), Some(&cleared), "untouched");

    assert_eq!(s.delete_identity_provider(&acme, "corp").await.unwrap(), Some(0));
    assert_eq!(s.delete_identity_provider(&acme, "corp").await.unwrap(), None, "once");
    assert_eq!(s.get_identity_provider(&acme, "corp").await.unwrap(), None);
    assert_eq!(s.list_identity_providers(&acme).await.unwrap(), vec![google]);
    assert_eq!(s.list_identity_providers(&b).await.unwrap(), vec![theirs], "the other tenant's stays");

    assert!(s.delete_tenant(&acme).await.unwrap());
    assert!(s.list_identity_providers(&acme).await.unwrap().is_empty(), "gone with the tenant");
}

/// Links: one per upstream account (to whoever), only to a provider and a user of the tenant,
/// listed by provider then subject, removed only by their user, and gone with their provider
/// (counted) or their user.
pub async fn federation_links_are_unique_and_go_with_provider_or_user(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (acme, b) = (TenantId::parse("acme").unwrap(), TenantId::parse("b").unwrap());
    for p in ["corp", "google"] {
        s.create_identity_provider(&identity_provider("acme", p)).await.unwrap();
    }
    s.create_identity_provider(&identity_provider("b", "corp")).await.unwrap();
    let (ada, bob) = (user("acme", "ada@example.com"), user("acme", "bob@example.com"));
    let carol = user("b", "carol@example.com");
    for u in [&ada, &bob, &carol] {
        s.create_user(u, None).await.unwrap();
    }

    let google = identity_link(&ada, "google", "g-1");
    let corp_2 = FederatedIdentity { email: None, linked_at: T1, ..identity_link(&ada, "corp", "sub-2") };
    let corp_1 = identity_link(&ada, "corp", "sub-1");
    for l in [&google, &corp_2, &corp_1] {
        s.link_identity(l).await.unwrap();
    }
    let bobs = identity_link(&bob, "corp", "sub-3");
    s.link_identity(&bobs).await.unwrap();
    assert_eq!(s.find_identity(&acme, "corp", "sub-2").await.unwrap().as_ref(), Some(&corp_2));
    assert_eq!(s.find_identity(&acme, "corp", "g-1").await.unwrap(), None, "the subject is per provider");
    assert_eq!(s.find_identity(&acme, "corp", "nope").await.unwrap(), None);
    assert_eq!(
        s.list_user_identities(&acme, &ada.id).await.unwrap(),
        vec![corp_1.clone(), corp_2.clone(), google.clone()],
        "by provider, then subject"
    );

    // An upstream account links once, to anyone.
    for taken in [identity_link(&ada, "corp", "sub-1"), identity_link(&bob, "corp", "sub-1")] {
        let r = s.link_identity(&taken).await;
        assert!(matches!(r, Err(StoreError::Conflict { what: "identity link" })), "{r:?}");
    }
    // Only to a provider and a user of the tenant.
    let ghost = user("acme", "ghost@example.com");
    let not_found = [
        identity_link(&ada, "ghost", "x"),
        identity_link(&ghost, "corp", "x"),
        FederatedIdentity { user_id: carol.id, ..identity_link(&ada, "corp", "x") },
        FederatedIdentity { tenant_id: b.clone(), ..identity_link(&ada, "corp", "x") },
    ];
    for link in not_found {
        let r = s.link_identity(&link).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{link:?}: {r:?}");
    }
    assert_eq!(s.find_identity(&b, "corp", "sub-1").await.unwrap(), None, "not across tenants");
    assert!(s.list_user_identities(&b, &ada.id).await.unwrap().is_empty());
    assert!(!s.unlink_identity(&b, &ada.id, "corp", "sub-1").await.unwrap(), "not across tenants");

    // Removed only by their user, once.
    assert!(!s.unlink_identity(&acme, &bob.id, "google", "g-1").await.unwrap(), "another user's link");
    assert!(s.unlink_identity(&acme, &ada.id, "google", "g-1").await.unwrap());
    assert!(!s.unlink_identity(&acme, &ada.id, "google", "g-1").await.unwrap(), "once");
    assert_eq!(s.find_identity(&acme, "google", "g-1").await.unwrap(), None);
    s.link_identity(&identity_link(&bob, "google", "g-1")).await.unwrap();

    // Deleting a provider deletes its links, and says how many.
    assert_eq!(s.delete_identity_provider(&acme, "corp").await.unwrap(), Some(3));
    assert!(s.list_user_identities(&acme, &ada.id).await.unwrap().is_empty());
    assert_eq!(s.find_identity(&acme, "corp", "sub-3").await.unwrap(), None);
    assert_eq!(s.list_user_identities(&acme, &bob.id).await.unwrap().len(), 1, "the other provider's stay");
    // Deleting a user deletes theirs.
    assert!(s.delete_user(&acme, &bob.id).await.unwrap());
    assert_eq!(s.find_identity(&acme, "google", "g-1").await.unwrap(), None);
    assert_eq!(s.delete_identity_provider(&acme, "google").await.unwrap(), Some(0));
    // The other tenant's provider of the same id was never touched.
    s.link_identity(&identity_link(&carol, "corp", "sub-1")).await.unwrap();
    assert_eq!(s.list_user_identities(&b, &carol.id).await.unwrap().len(), 1);
}

/// A SAML app: a client whose `saml` settings round-trip, found by its service provider entity
/// id (unique in its tenant), listed among the tenant's SAML apps only.
pub fn saml_app(tenant: &str, id: &str, entity_id: &str) -> Client {
    let mut c = super::client(tenant, id);
    c.client_type = ClientType::Public;
    c.token_endpoint_auth_method = AuthMethod::None;
    c.grant_types = vec![];
    c.redirect_uris = vec![];
    c.saml = Some(SamlApp {
        slo_url: Some("https://wiki.example/saml/slo".into()),
        name_id_format: NameIdFormat::Email,
        attributes: vec![SamlAttribute {
            name: "mail".into(),
            claim: "email".into(),
            friendly_name: None,
            name_format: None,
        }],
        sign_assertion: false,
        idp_initiated: true,
        default_relay_state: Some("/home".into()),
        assertion_lifetime: 120,
        ..SamlApp::new(entity_id, vec!["https://wiki.example/saml/acs".into()])
    });
    c
}

pub async fn saml_apps_are_found_by_entity_id_and_keys_made_once(s: &dyn DurableStore) {
    let acme = TenantId::parse("acme").unwrap();
    let b = TenantId::parse("b").unwrap();
    for t in ["acme", "b"] {
        s.create_tenant(&tenant(t)).await.unwrap();
    }
    let wiki = saml_app("acme", "wiki", "https://wiki.example/saml");
    s.create_client(&wiki, None).await.unwrap();
    s.create_client(&super::client("acme", "web"), None).await.unwrap();
    assert_eq!(s.get_client(&acme, &wiki.client_id).await.unwrap().as_ref(), Some(&wiki), "round trip");
    assert_eq!(s.find_saml_app(&acme, "https://wiki.example/saml").await.unwrap().as_ref(), Some(&wiki));
    assert_eq!(s.find_saml_app(&acme, "https://wiki.example/other").await.unwrap(), None);
    assert_eq!(s.find_saml_app(&b, "https://wiki.example/saml").await.unwrap(), None, "not across tenants");
    // The entity id is unique in a tenant, not across tenants.
    let twin = saml_app("acme", "wiki2", "https://wiki.example/saml");
    assert!(matches!(s.create_client(&twin, None).await, Err(StoreError::Conflict { .. })));
    s.create_client(&saml_app("b", "wiki", "https://wiki.example/saml"), None).await.unwrap();
    let listed: Vec<String> =
        s.list_saml_apps(&acme).await.unwrap().into_iter().map(|c| c.client_id.to_string()).collect();
    assert_eq!(listed, ["wiki"], "ordinary clients are not SAML apps");
    // An update that changes the entity id is found by the new one only.
    let mut moved = wiki.clone();
    if let Some(saml) = moved.saml.as_mut() {
        saml.entity_id = "https://wiki.example/v2".into();
    }
    s.update_client(&moved).await.unwrap();
    assert_eq!(s.find_saml_app(&acme, "https://wiki.example/saml").await.unwrap(), None);
    assert!(s.find_saml_app(&acme, "https://wiki.example/v2").await.unwrap().is_some());
    // Turning it into an ordinary client frees the entity id.
    s.update_client(&super::client("acme", "wiki")).await.unwrap();
    assert!(s.list_saml_apps(&acme).await.unwrap().is_empty());

    // The signing key: made once, the first one stays.
    assert_eq!(s.saml_signing_key(&acme).await.unwrap(), None);
    let key = SamlSigningKey {
        tenant_id: acme.clone(),
        sealed_private: "v1.k.sealed".into(),
        certificate: "-----BEGIN CERTIFICATE-----".into(),
        created_at: T0,
    };
    assert!(s.create_saml_signing_key(&key).await.unwrap());
    let second = SamlSigningKey { sealed_private: "v1.k.other".into(), created_at: T1, ..key.clone() };
    assert!(!s.create_saml_signing_key(&second).await.unwrap(), "a second key is not stored");
    assert_eq!(s.saml_signing_key(&acme).await.unwrap(), Some(key));
    assert_eq!(s.saml_signing_key(&b).await.unwrap(), None, "per tenant");
    // It goes with its tenant.
    assert!(s.delete_tenant(&acme).await.unwrap());
    assert_eq!(s.saml_signing_key(&acme).await.unwrap(), None);
}
