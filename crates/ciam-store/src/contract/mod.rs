//! The store contract: test bodies written once and run against every adapter (durable: SQLite
//! and Postgres; ephemeral: in-process and Redis) by thin per-backend wrappers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use ciam_core::agent::{AgentOwner, AgentProfile, AgentStatus, Delegation};
use ciam_core::client::{AuthMethod, Client, ClientType, GrantType};
use ciam_core::email::Email;
use ciam_core::factor::{Factor, FactorKind, SignInProfile};
use ciam_core::id::{ClientId, Region, ResourceId, TenantId, UserId};
use ciam_core::page::{Page, PageRequest};
use ciam_core::redirect::RedirectUri;
use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::store::{DurableStore, StoreError};
use ciam_core::tenant::{Tenant, TenantSettings};
use ciam_core::user::{PasswordHash, User, UserProfile, UserStatus, name_key};
use time::OffsetDateTime;
use time::macros::datetime;

mod admin_roles;
mod audit;
mod data_keys;
mod detail_types;
mod ephemeral;
mod federation;
mod grants;
mod imports;
mod invitations;
mod outbox;
mod pagination;
mod privacy;
mod residency;

pub use admin_roles::*;
pub use audit::*;
pub use data_keys::*;
pub use detail_types::*;
pub use ephemeral::*;
pub use federation::*;
pub use grants::*;
pub use imports::*;
pub use invitations::*;
pub use outbox::*;
pub use pagination::*;
pub use privacy::*;
pub use residency::*;

pub(crate) const T0: OffsetDateTime = datetime!(2026-11-01 12:00:00 UTC);
pub(crate) const T1: OffsetDateTime = datetime!(2026-11-02 08:30:00 UTC);

pub fn tenant(id: &str) -> Tenant {
    Tenant {
        id: TenantId::parse(id).unwrap(),
        display_name: format!("Tenant {id}"),
        home_region: Region::parse("local").unwrap(),
        settings: TenantSettings::default(),
        created_at: T0,
        updated_at: T0,
        incarnation: ciam_core::tenant::new_incarnation(),
    }
}

pub fn user(tenant: &str, email: &str) -> User {
    User {
        tenant_id: TenantId::parse(tenant).unwrap(),
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        email_verified: true,
        status: UserStatus::Active,
        profile: UserProfile { name: Some("Ada Lovelace".into()), ..UserProfile::default() },
        source: ciam_core::user::UserSource::Admin,
        created_at: T0,
        updated_at: T0,
    }
}

pub fn client(tenant: &str, id: &str) -> Client {
    Client {
        redirect_uris: vec![RedirectUri::parse("https://app.example/cb").unwrap()],
        scopes: ScopeSet::parse_space_separated("openid profile email").unwrap(),
        ..Client::minimal(
            TenantId::parse(tenant).unwrap(),
            ClientId::parse(id).unwrap(),
            "Web app".into(),
            ClientType::Confidential,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            AuthMethod::ClientSecretBasic,
            T0,
        )
    }
}

fn phc(s: &str) -> PasswordHash {
    PasswordHash::new(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${s}"))
}

// ---------------------------------------------------------------- durable

pub async fn tenant_crud(s: &dyn DurableStore) {
    let mut t = tenant("acme");
    s.create_tenant(&t).await.unwrap();
    assert_eq!(s.get_tenant(&t.id).await.unwrap(), Some(t.clone()));
    assert!(matches!(s.create_tenant(&t).await, Err(StoreError::Conflict { what: "id" })));

    t.display_name = "Acme Corp".into();
    t.settings.branding.primary_color = Some("#112233".into());
    t.updated_at = T1;
    s.update_tenant(&t).await.unwrap();
    assert_eq!(s.get_tenant(&t.id).await.unwrap(), Some(t.clone()));

    assert!(matches!(s.update_tenant(&tenant("ghost")).await, Err(StoreError::NotFound)));
    assert!(s.delete_tenant(&t.id).await.unwrap());
    assert!(!s.delete_tenant(&t.id).await.unwrap());
    assert_eq!(s.get_tenant(&t.id).await.unwrap(), None);
}

pub async fn tenant_pagination(s: &dyn DurableStore) {
    for id in ["t-c", "t-a", "t-e", "t-b", "t-d"] {
        s.create_tenant(&tenant(id)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut page = PageRequest { limit: 2, after: None };
    loop {
        let p = s.list_tenants(&page).await.unwrap();
        assert!(p.items.len() <= 2);
        seen.extend(p.items.iter().map(|t| t.id.to_string()));
        match p.next_after {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["t-a", "t-b", "t-c", "t-d", "t-e"]);
}

pub async fn user_crud_and_password(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let mut u = user("acme", "Ada@Example.com");
    s.create_user(&u, Some(&phc("one"))).await.unwrap();
    assert_eq!(s.get_user(&u.tenant_id, &u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(s.find_user_by_email(&u.tenant_id, "ada@example.com").await.unwrap(), Some(u.clone()));
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), Some(phc("one")));

    u.status = UserStatus::Disabled;
    u.email = Email::parse("ada.l@example.com").unwrap();
    u.profile.locale = Some("en-GB".into());
    u.updated_at = T1;
    s.update_user(&u, None).await.unwrap();
    assert_eq!(s.get_user(&u.tenant_id, &u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), Some(phc("one")), "None keeps the password");
    s.update_user(&u, Some(&phc("two"))).await.unwrap();
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), Some(phc("two")));

    let no_pw =
        ciam_core::user::User { source: ciam_core::user::UserSource::SignUp, ..user("acme", "bob@example.com") };
    s.create_user(&no_pw, None).await.unwrap();
    assert_eq!(s.password_hash(&no_pw.tenant_id, &no_pw.id).await.unwrap(), None);
    let read = s.get_user(&no_pw.tenant_id, &no_pw.id).await.unwrap().unwrap();
    assert_eq!(read.source, ciam_core::user::UserSource::SignUp, "how the account was made is kept");

    assert!(s.delete_user(&u.tenant_id, &u.id).await.unwrap());
    assert_eq!(s.get_user(&u.tenant_id, &u.id).await.unwrap(), None);
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), None, "credential deleted with the user");
    assert!(matches!(s.update_user(&u, None).await, Err(StoreError::NotFound)));
}

pub async fn user_email_unique_per_tenant_after_normalisation(s: &dyn DurableStore) {
    s.create_tenant(&tenant("a")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    s.create_user(&user("a", "alice@example.com"), None).await.unwrap();
    let dup = s.create_user(&user("a", "ALICE@Example.COM"), Some(&phc("x"))).await;
    assert!(matches!(dup, Err(StoreError::Conflict { what: "email" })), "{dup:?}");
    // the failed insert left no credential behind (one transaction)
    s.create_user(&user("b", "Alice@example.com"), None).await.unwrap();

    let mut other = user("a", "carol@example.com");
    s.create_user(&other, None).await.unwrap();
    other.email = Email::parse("Alice@Example.com").unwrap();
    assert!(matches!(s.update_user(&other, None).await, Err(StoreError::Conflict { what: "email" })));
}

pub async fn user_in_unknown_tenant_is_not_found(s: &dyn DurableStore) {
    let r = s.create_user(&user("nowhere", "x@example.com"), None).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    let r = s.create_client(&client("nowhere", "web-app"), None).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
}

pub async fn user_pagination(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("other")).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = user("acme", &format!("u{i}@example.com"));
        ids.push(u.id.to_string());
        s.create_user(&u, None).await.unwrap();
        s.create_user(&user("other", &format!("u{i}@example.com")), None).await.unwrap();
    }
    ids.sort();
    let t = TenantId::parse("acme").unwrap();
    let p1 = s.list_users(&t, &PageRequest { limit: 3, after: None }).await.unwrap();
    let p2 = s.list_users(&t, &PageRequest { limit: 3, after: p1.next_after.clone() }).await.unwrap();
    assert_eq!(p1.items.len(), 3);
    assert_eq!(p2.items.len(), 2);
    assert_eq!(p2.next_after, None);
    let got: Vec<String> = p1.items.iter().chain(&p2.items).map(|u| u.id.to_string()).collect();
    assert_eq!(got, ids);
}

/// Users are found by a prefix of their name, whatever its case, in name order and by pages;
/// a renamed user by the new name only; another tenant's never.
pub async fn users_are_found_by_name(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("other")).await.unwrap();
    let named = |email: &str, name: Option<&str>| {
        let mut u = user("acme", email);
        u.profile.name = name.map(str::to_owned);
        u
    };
    for (email, name) in [
        ("a@example.com", Some("Ada Lovelace")),
        ("b@example.com", Some("ada byron")),
        ("c@example.com", Some("Adam Smith")),
        ("d@example.com", Some("Émile Zola")),
        ("e@example.com", Some("Grace Hopper")),
        ("f@example.com", None),
    ] {
        s.create_user(&named(email, name), None).await.unwrap();
    }
    let mut theirs = user("other", "x@example.com");
    theirs.profile.name = Some("Ada Other".into());
    s.create_user(&theirs, None).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    let names = |p: &Page<User>| p.items.iter().filter_map(|u| u.profile.name.clone()).collect::<Vec<_>>();
    let all = s.find_users_by_name(&t, &name_key("ADA"), &PageRequest::first()).await.unwrap();
    assert_eq!(names(&all), ["ada byron", "Ada Lovelace", "Adam Smith"]);
    let first = s.find_users_by_name(&t, "ada", &PageRequest { limit: 2, after: None }).await.unwrap();
    assert_eq!(names(&first), ["ada byron", "Ada Lovelace"]);
    let rest =
        s.find_users_by_name(&t, "ada", &PageRequest { limit: 2, after: first.next_after.clone() }).await.unwrap();
    assert_eq!((names(&rest), rest.next_after), (vec!["Adam Smith".to_owned()], None));
    let accented = s.find_users_by_name(&t, &name_key("émile"), &PageRequest::first()).await.unwrap();
    assert_eq!(names(&accented), ["Émile Zola"]);
    assert!(s.find_users_by_name(&t, "zola", &PageRequest::first()).await.unwrap().items.is_empty(), "prefixes only");
    // A new name is found, the old one no longer.
    let mut grace = s.find_user_by_email(&t, "e@example.com").await.unwrap().unwrap();
    grace.profile.name = Some("Grace Brewster".into());
    s.update_user(&grace, None).await.unwrap();
    assert_eq!(names(&s.find_users_by_name(&t, "grace b", &PageRequest::first()).await.unwrap()), ["Grace Brewster"]);
    assert!(s.find_users_by_name(&t, "grace h", &PageRequest::first()).await.unwrap().items.is_empty());
}

pub async fn client_crud_and_secret(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let mut c = client("acme", "web-app");
    c.jwks = Some(serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]}));
    let secret = Secret::generate();
    s.create_client(&c, Some(&secret.hash())).await.unwrap();
    assert_eq!(s.get_client(&c.tenant_id, &c.client_id).await.unwrap(), Some(c.clone()));
    assert!(matches!(s.create_client(&c, None).await, Err(StoreError::Conflict { what: "client_id" })));
    let stored = s.client_secret_hash(&c.tenant_id, &c.client_id).await.unwrap().unwrap();
    assert!(stored.verify(secret.expose_secret()));

    c.name = "Renamed".into();
    c.redirect_uris.push(RedirectUri::parse("https://app.example/cb2").unwrap());
    c.scopes = ScopeSet::parse_space_separated("openid").unwrap();
    c.jwks = None;
    c.require_pushed_authorization_requests = true;
    c.id_token_signed_response_alg = Some("ES256".into());
    c.opaque_access_tokens = true;
    c.security_profile = Some(ciam_core::client::SecurityProfile::Fapi2);
    c.token_exchange = Some(ciam_core::client::ExchangePermission {
        audiences: vec!["https://api.example".into()],
        mode: ciam_core::client::ExchangeMode::Impersonate,
    });
    c.require_signed_request_object = true;
    c.authorization_signed_response_alg = Some("ES256".into());
    c.backchannel = Some(ciam_core::client::Backchannel {
        token_delivery_mode: ciam_core::client::DeliveryMode::Ping,
        client_notification_endpoint: Some("https://app.example/ciba".into()),
    });
    c.updated_at = T1;
    s.update_client(&c).await.unwrap();
    assert_eq!(s.get_client(&c.tenant_id, &c.client_id).await.unwrap(), Some(c.clone()));

    let rotated = Secret::generate();
    s.set_client_secret(&c.tenant_id, &c.client_id, &rotated.hash(), T1).await.unwrap();
    let stored = s.client_secret_hash(&c.tenant_id, &c.client_id).await.unwrap().unwrap();
    assert!(stored.verify(rotated.expose_secret()) && !stored.verify(secret.expose_secret()));

    let public = Client {
        client_type: ClientType::Public,
        token_endpoint_auth_method: AuthMethod::None,
        ..client("acme", "spa")
    };
    s.create_client(&public, None).await.unwrap();
    assert_eq!(s.client_secret_hash(&public.tenant_id, &public.client_id).await.unwrap(), None);
    // A dynamically registered client's registration access token (RFC 7592), only as a hash.
    assert_eq!(s.registration_token_hash(&public.tenant_id, &public.client_id).await.unwrap(), None);
    s.set_registration_token(&public.tenant_id, &public.client_id, &SecretHash::of("rat")).await.unwrap();
    let rat = s.registration_token_hash(&public.tenant_id, &public.client_id).await.unwrap().unwrap();
    assert!(rat.verify("rat") && !rat.verify("other"));
    let ghost = ClientId::parse("ghost").unwrap();
    assert!(matches!(
        s.set_registration_token(&public.tenant_id, &ghost, &SecretHash::of("x")).await,
        Err(StoreError::NotFound)
    ));
    let list = s.list_clients(&c.tenant_id, &PageRequest::first()).await.unwrap();
    assert_eq!(list.items.iter().map(|c| c.client_id.as_str()).collect::<Vec<_>>(), ["spa", "web-app"]);

    assert!(s.delete_client(&c.tenant_id, &c.client_id).await.unwrap());
    assert_eq!(s.get_client(&c.tenant_id, &c.client_id).await.unwrap(), None);
    assert!(!s.delete_client(&c.tenant_id, &c.client_id).await.unwrap());
}

/// Standards T10: tenant B reads and writes nothing of tenant A through any method.
pub async fn tenant_isolation_through_every_method(s: &dyn DurableStore) {
    s.create_tenant(&tenant("a")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let b = TenantId::parse("b").unwrap();
    let u = user("a", "alice@example.com");
    s.create_user(&u, Some(&phc("a"))).await.unwrap();
    let c = client("a", "web-app");
    s.create_client(&c, Some(&SecretHash::of("s"))).await.unwrap();

    assert_eq!(s.get_user(&b, &u.id).await.unwrap(), None);
    assert_eq!(s.find_user_by_email(&b, "alice@example.com").await.unwrap(), None);
    assert!(s.list_users(&b, &PageRequest::first()).await.unwrap().items.is_empty());
    assert_eq!(s.password_hash(&b, &u.id).await.unwrap(), None);
    let as_b = User { tenant_id: b.clone(), ..u.clone() };
    assert!(matches!(s.update_user(&as_b, Some(&phc("evil"))).await, Err(StoreError::NotFound)));
    assert!(!s.delete_user(&b, &u.id).await.unwrap());

    assert_eq!(s.get_client(&b, &c.client_id).await.unwrap(), None);
    assert!(s.list_clients(&b, &PageRequest::first()).await.unwrap().items.is_empty());
    assert_eq!(s.client_secret_hash(&b, &c.client_id).await.unwrap(), None);
    let as_b = Client { tenant_id: b.clone(), name: "evil".into(), ..c.clone() };
    assert!(matches!(s.update_client(&as_b).await, Err(StoreError::NotFound)));
    assert!(matches!(s.set_client_secret(&b, &c.client_id, &SecretHash::of("x"), T1).await, Err(StoreError::NotFound)));
    assert!(!s.delete_client(&b, &c.client_id).await.unwrap());

    // A's rows are untouched, and the same client id and email can exist in B independently.
    assert_eq!(s.get_user(&u.tenant_id, &u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), Some(phc("a")));
    assert_eq!(s.get_client(&c.tenant_id, &c.client_id).await.unwrap(), Some(c.clone()));
    assert!(s.client_secret_hash(&c.tenant_id, &c.client_id).await.unwrap().unwrap().verify("s"));
    s.create_client(&client("b", "web-app"), None).await.unwrap();
    s.create_user(&user("b", "alice@example.com"), None).await.unwrap();
}

pub async fn deleting_a_tenant_deletes_what_it_owns(s: &dyn DurableStore) {
    s.create_tenant(&tenant("gone")).await.unwrap();
    let u = user("gone", "x@example.com");
    s.create_user(&u, Some(&phc("x"))).await.unwrap();
    s.create_client(&client("gone", "web-app"), None).await.unwrap();
    assert!(s.delete_tenant(&u.tenant_id).await.unwrap());
    s.create_tenant(&tenant("gone")).await.unwrap();
    assert_eq!(s.get_user(&u.tenant_id, &u.id).await.unwrap(), None);
    assert_eq!(s.password_hash(&u.tenant_id, &u.id).await.unwrap(), None);
    assert_eq!(s.get_client(&u.tenant_id, &ClientId::parse("web-app").unwrap()).await.unwrap(), None);
}

pub fn factor(u: &User, kind: FactorKind, lookup: Option<&str>, data: &str) -> Factor {
    Factor {
        tenant_id: u.tenant_id.clone(),
        id: Factor::generate_id(),
        user_id: u.id,
        kind,
        name: "Phone".into(),
        lookup: lookup.map(str::to_owned),
        data: data.into(),
        created_at: T0,
        last_used_at: None,
    }
}

pub async fn factors_are_enrolled_swapped_once_and_removed(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (u, v) = (user("acme", "ada@example.com"), user("acme", "bob@example.com"));
    s.create_user(&u, None).await.unwrap();
    s.create_user(&v, None).await.unwrap();
    let t = u.tenant_id.clone();
    let totp = factor(&u, FactorKind::Totp, None, "step-1");
    let key = Factor { created_at: T1, ..factor(&u, FactorKind::Passkey, Some("cred-1"), "pk") };
    s.create_factor(&totp).await.unwrap();
    s.create_factor(&key).await.unwrap();
    // Two TOTP factors without a lookup are fine; a credential id is unique per tenant.
    s.create_factor(&factor(&v, FactorKind::Totp, None, "x")).await.unwrap();
    assert!(matches!(
        s.create_factor(&factor(&v, FactorKind::Passkey, Some("cred-1"), "pk")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(s.list_factors(&t, &u.id).await.unwrap(), vec![totp.clone(), key.clone()]);
    assert_eq!(s.find_factor(&t, FactorKind::Passkey, "cred-1").await.unwrap(), Some(key.clone()));
    assert_eq!(s.find_factor(&t, FactorKind::Totp, "cred-1").await.unwrap(), None);
    let b = TenantId::parse("b").unwrap();
    assert_eq!(s.find_factor(&b, FactorKind::Passkey, "cred-1").await.unwrap(), None);

    // Compare-and-swap: of two racing uses, exactly one wins.
    let (x, y) = tokio::join!(
        s.replace_factor_data(&t, &totp.id, "step-1", "step-2", T1),
        s.replace_factor_data(&t, &totp.id, "step-1", "step-2b", T1)
    );
    assert!(x.unwrap() ^ y.unwrap(), "exactly one swap wins");
    assert!(!s.replace_factor_data(&b, &totp.id, "step-2", "z", T1).await.unwrap(), "other tenant");
    let now = s.list_factors(&t, &u.id).await.unwrap();
    let stored = now.iter().find(|f| f.id == totp.id).unwrap();
    assert!(stored.data == "step-2" || stored.data == "step-2b");
    assert_eq!(stored.last_used_at, Some(T1));

    // Removal: only the owner's, by kind, and with the user.
    assert!(!s.delete_factor(&t, &v.id, &key.id).await.unwrap(), "another user's factor");
    assert!(s.delete_factor(&t, &u.id, &key.id).await.unwrap());
    s.create_factor(&factor(&u, FactorKind::RecoveryCodes, None, "[]")).await.unwrap();
    assert_eq!(s.delete_user_factors(&t, &u.id, Some(FactorKind::RecoveryCodes)).await.unwrap(), 1);
    assert_eq!(s.list_factors(&t, &u.id).await.unwrap().len(), 1);
    assert_eq!(s.delete_user_factors(&t, &u.id, None).await.unwrap(), 1);
    assert!(s.list_factors(&t, &u.id).await.unwrap().is_empty());
    assert!(s.create_factor(&factor(&user("b", "c@example.com"), FactorKind::Totp, None, "x")).await.is_err());

    // The sign-in profile: empty until written, replaced, gone with the user.
    assert_eq!(s.sign_in_profile(&t, &v.id).await.unwrap(), SignInProfile::default());
    let mut p = SignInProfile { last_strong_auth: Some(42), ..SignInProfile::default() };
    p.remember_device("d1");
    s.put_sign_in_profile(&t, &v.id, &p).await.unwrap();
    p.remember_device("d2");
    s.put_sign_in_profile(&t, &v.id, &p).await.unwrap();
    assert_eq!(s.sign_in_profile(&t, &v.id).await.unwrap(), p);
    assert!(s.delete_user(&t, &v.id).await.unwrap());
    assert_eq!(s.sign_in_profile(&t, &v.id).await.unwrap(), SignInProfile::default());
    assert!(s.list_factors(&t, &v.id).await.unwrap().is_empty());
}

pub fn delegation(u: &User, agent: &str, scope: &str, expires_at: OffsetDateTime) -> Delegation {
    Delegation {
        tenant_id: u.tenant_id.clone(),
        id: Delegation::generate_id(),
        user_id: u.id,
        agent_id: ClientId::parse(agent).unwrap(),
        scope: ScopeSet::parse_space_separated(scope).unwrap(),
        audiences: vec!["https://api.example/".into()],
        created_at: T0,
        expires_at,
        revoked_at: None,
    }
}

pub async fn delegations_are_listed_filtered_and_revoked(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let u = user("acme", "ada@example.com");
    s.create_user(&u, None).await.unwrap();
    let mut agent = client("acme", "trip-agent");
    agent.agent = Some(AgentProfile {
        description: "Books trips".into(),
        owner: AgentOwner::User(u.id),
        allowed_audiences: vec!["https://api.example/".into()],
        max_token_lifetime: 300,
        max_chain_depth: 2,
        delegation_lifetime: 3600,
        status: AgentStatus::Active,
    });
    s.create_client(&agent, None).await.unwrap();
    assert_eq!(s.get_client(&u.tenant_id, &agent.client_id).await.unwrap().unwrap().agent, agent.agent);
    s.create_client(&client("acme", "other-agent"), None).await.unwrap();
    let t = u.tenant_id.clone();
    let live = delegation(&u, "trip-agent", "trips:read", T1);
    let expired = delegation(&u, "trip-agent", "trips:book", T0);
    let other = delegation(&u, "other-agent", "trips:read", T1);
    for d in [&live, &expired, &other] {
        s.create_delegation(d).await.unwrap();
    }
    assert_eq!(s.get_delegation(&t, &live.id).await.unwrap().as_ref(), Some(&live));
    assert_eq!(s.list_user_delegations(&t, &u.id).await.unwrap().len(), 3);
    let now = T0 + time::Duration::hours(1);
    let active = s.active_delegations(&t, &u.id, &agent.client_id, now).await.unwrap();
    assert_eq!(active, vec![live.clone()], "expired and other agents' delegations are not active");
    let b = TenantId::parse("b").unwrap();
    let agents = s.live_agent_delegations(&t, &agent.client_id, now).await.unwrap();
    assert_eq!(agents, vec![live.clone()], "an agent's live delegations, of every user");
    assert!(s.live_agent_delegations(&b, &agent.client_id, now).await.unwrap().is_empty(), "not across tenants");
    assert_eq!(s.get_delegation(&b, &live.id).await.unwrap(), None);
    assert!(!s.revoke_delegation(&b, &live.id, now).await.unwrap(), "not across tenants");
    assert!(s.revoke_delegation(&t, &live.id, now).await.unwrap());
    assert!(!s.revoke_delegation(&t, &live.id, now).await.unwrap(), "once");
    assert_eq!(s.get_delegation(&t, &live.id).await.unwrap().unwrap().revoked_at, Some(now));
    assert!(s.active_delegations(&t, &u.id, &agent.client_id, now).await.unwrap().is_empty());
    assert!(s.live_agent_delegations(&t, &agent.client_id, now).await.unwrap().is_empty(), "revoked is not live");
    let ghost = delegation(&user("acme", "ghost@example.com"), "trip-agent", "x", T1);
    assert!(s.create_delegation(&ghost).await.is_err(), "unknown user");
    s.delete_client(&t, &agent.client_id).await.unwrap();
    assert_eq!(s.get_delegation(&t, &expired.id).await.unwrap(), None, "deleting the agent ends its delegations");
}

pub async fn resources_are_unique_per_tenant_by_id_and_identifier(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let r = Resource {
        tenant_id: TenantId::parse("acme").unwrap(),
        id: ResourceId::parse("trips").unwrap(),
        identifier: "https://trips.example/api".into(),
        name: "Trips".into(),
        scopes: ScopeSet::parse_space_separated("trips:read trips:book").unwrap(),
        access_token_lifetime: 600,
        introspection: None,
        created_at: T0,
        updated_at: T0,
    };
    s.create_resource(&r, None).await.unwrap();
    let t = r.tenant_id.clone();
    assert_eq!(s.get_resource(&t, &r.id).await.unwrap().as_ref(), Some(&r));
    assert_eq!(s.find_resource(&t, "https://trips.example/api").await.unwrap().as_ref(), Some(&r));
    let same_uri = Resource { id: ResourceId::parse("trips-2").unwrap(), ..r.clone() };
    assert!(matches!(s.create_resource(&same_uri, None).await, Err(StoreError::Conflict { .. })), "identifier unique");
    let elsewhere = Resource { tenant_id: TenantId::parse("b").unwrap(), ..r.clone() };
    s.create_resource(&elsewhere, None).await.unwrap();
    let changed = Resource { name: "Trips API".into(), access_token_lifetime: 300, updated_at: T1, ..r.clone() };
    s.update_resource(&changed).await.unwrap();
    assert_eq!(s.list_resources(&t).await.unwrap(), vec![changed.clone()]);
    assert!(s.delete_resource(&t, &r.id).await.unwrap());
    assert!(!s.delete_resource(&t, &r.id).await.unwrap());
    assert_eq!(s.find_resource(&t, &r.identifier).await.unwrap(), None);
    assert_eq!(s.list_resources(&TenantId::parse("b").unwrap()).await.unwrap().len(), 1, "the other tenant's stays");
}

pub async fn resource_credentials_round_trip(s: &dyn DurableStore) {
    use ciam_core::resource::IntrospectionAuth;
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    let keys = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "k1"}]});
    let r = Resource {
        tenant_id: t.clone(),
        id: ResourceId::parse("trips").unwrap(),
        identifier: "https://trips.example/api".into(),
        name: "Trips".into(),
        scopes: ScopeSet::parse_space_separated("trips:read").unwrap(),
        access_token_lifetime: 600,
        introspection: Some(IntrospectionAuth { method: AuthMethod::ClientSecretBasic, jwks_uri: None, jwks: None }),
        created_at: T0,
        updated_at: T0,
    };
    let first = SecretHash::of("first secret");
    s.create_resource(&r, Some(&first)).await.unwrap();
    assert_eq!(s.get_resource(&t, &r.id).await.unwrap().as_ref(), Some(&r));
    let stored = s.resource_secret_hash(&t, &r.id).await.unwrap().unwrap();
    assert!(stored.verify("first secret") && !stored.verify("other"));
    s.set_resource_secret(&t, &r.id, Some(&SecretHash::of("second secret")), T1).await.unwrap();
    let stored = s.resource_secret_hash(&t, &r.id).await.unwrap().unwrap();
    assert!(stored.verify("second secret") && !stored.verify("first secret"), "rotated");
    let keyed = Resource {
        introspection: Some(IntrospectionAuth { method: AuthMethod::PrivateKeyJwt, jwks_uri: None, jwks: Some(keys) }),
        updated_at: T1,
        ..r.clone()
    };
    s.update_resource(&keyed).await.unwrap();
    s.set_resource_secret(&t, &r.id, None, T1).await.unwrap();
    assert_eq!(s.get_resource(&t, &r.id).await.unwrap().as_ref(), Some(&keyed));
    assert_eq!(s.resource_secret_hash(&t, &r.id).await.unwrap(), None, "secret removed");
    let by_uri = Resource {
        introspection: Some(IntrospectionAuth {
            method: AuthMethod::PrivateKeyJwt,
            jwks_uri: Some("https://trips.example/jwks".into()),
            jwks: None,
        }),
        ..keyed.clone()
    };
    s.update_resource(&by_uri).await.unwrap();
    assert_eq!(s.list_resources(&t).await.unwrap(), vec![by_uri]);
    let other = ResourceId::parse("nope").unwrap();
    assert!(matches!(s.set_resource_secret(&t, &other, None, T1).await, Err(StoreError::NotFound)));
    assert_eq!(s.resource_secret_hash(&t, &other).await.unwrap(), None);
}

pub async fn ping_answers(s: &dyn DurableStore) {
    s.ping().await.unwrap();
}

/// Runs every ephemeral contract test against stores made by `make` (one fresh store each).
#[macro_export]
macro_rules! ephemeral_contract_tests {
    ($make:expr) => {
        $crate::contract_test!(ephemeral_put_get_delete, $make, |s| &*s);
        $crate::contract_test!(ephemeral_ttl_expires, $make, |s| &*s);
        $crate::contract_test!(ephemeral_take_is_single_use, $make, |s| &*s);
        $crate::contract_test!(ephemeral_concurrent_take_exactly_once, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_put_if_absent, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_put_if_absent_marked, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_put_if_present, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_counters, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_sets, $make, |s| s.clone());
        $crate::contract_test!(ephemeral_namespace_purge, $make, |s| s.clone());
    };
}

/// Runs every durable contract test against stores made by `make` (one fresh store each, an
/// `Arc<dyn ResidencyStore>`).
#[macro_export]
macro_rules! durable_contract_tests {
    ($make:expr) => {
        $crate::contract_test!(tenant_crud, $make, |s| &*s);
        $crate::contract_test!(tenant_pagination, $make, |s| &*s);
        $crate::contract_test!(user_crud_and_password, $make, |s| &*s);
        $crate::contract_test!(user_email_unique_per_tenant_after_normalisation, $make, |s| &*s);
        $crate::contract_test!(user_in_unknown_tenant_is_not_found, $make, |s| &*s);
        $crate::contract_test!(user_pagination, $make, |s| &*s);
        $crate::contract_test!(users_are_found_by_name, $make, |s| &*s);
        $crate::contract_test!(invitations_are_used_once, $make, |s| &*s);
        $crate::contract_test!(admin_roles_round_trip_and_stay_with_the_control_tenant, $make, |s| &*s);
        $crate::contract_test!(federation_providers_round_trip_per_tenant, $make, |s| &*s);
        $crate::contract_test!(federation_links_are_unique_and_go_with_provider_or_user, $make, |s| &*s);
        $crate::contract_test!(saml_apps_are_found_by_entity_id_and_keys_made_once, $make, |s| &*s);
        $crate::contract_test!(imports_create_each_user_once, $make, |s| &*s);
        $crate::contract_test!(keyset_lists_page_every_item_exactly_once, $make, |s| &*s);
        $crate::contract_test!(agents_pages_skip_ordinary_clients, $make, |s| &*s);
        $crate::contract_test!(client_crud_and_secret, $make, |s| &*s);
        $crate::contract_test!(tenant_isolation_through_every_method, $make, |s| &*s);
        $crate::contract_test!(deleting_a_tenant_deletes_what_it_owns, $make, |s| &*s);
        $crate::contract_test!(key_rotation_is_atomic_and_compare_and_set, $make, |s| &*s);
        $crate::contract_test!(revocations_are_per_tenant_idempotent_and_purged, $make, |s| &*s);
        $crate::contract_test!(refresh_rotation_and_reuse_detection, $make, |s| s.clone());
        $crate::contract_test!(consents_are_remembered_replaced_and_revoked, $make, |s| &*s);
        $crate::contract_test!(purposes_round_trip_and_the_ledger_keeps_every_answer, $make, |s| &*s);
        $crate::contract_test!(erased_users_leave_a_tombstone_and_their_id_is_never_reused, $make, |s| &*s);
        $crate::contract_test!(retention_finds_what_is_due_and_purges_in_batches, $make, |s| &*s);
        $crate::contract_test!(audit_retention_removes_a_prefix_that_stays_provable, $make, |s| &*s);
        $crate::contract_test!(delegations_are_listed_filtered_and_revoked, $make, |s| &*s);
        $crate::contract_test!(audit_chain_appends_concurrently_and_verifies, $make, |s| s.clone());
        $crate::contract_test!(grants_are_stored_with_the_events_recording_them, $make, |s| &*s);
        $crate::contract_test!(data_keys_are_created_once_and_destroyed_for_good, $make, |s| s.clone());
        $crate::contract_test!(sealed_events_keep_personal_fields_out_of_clear_columns, $make, |s| &*s);
        $crate::contract_test!(resources_are_unique_per_tenant_by_id_and_identifier, $make, |s| &*s);
        $crate::contract_test!(resource_credentials_round_trip, $make, |s| &*s);
        $crate::contract_test!(factors_are_enrolled_swapped_once_and_removed, $make, |s| &*s);
        $crate::contract_test!(mail_outbox_claims_retries_and_gives_up, $make, |s| &*s);
        $crate::contract_test!(mail_outbox_concurrent_claims_take_each_message_once, $make, |s| s.clone());
        $crate::contract_test!(ping_answers, $make, |s| &*s);
        $crate::contract_test!(detail_types_are_registered_per_tenant, $make, |s| &*s);
        $crate::contract_test!(placements_are_versioned_and_record_moves, $make, |s| &*s);
        $crate::contract_test!(a_tenant_is_exported_purged_and_imported_whole, $make, |s| &*s);
    };
}

/// One `#[tokio::test]` that builds a store with `$make` (an async block returning
/// `Option<(Arc<dyn …>, guard)>`; `None` means the backend was skipped) and runs `$name` on it.
#[macro_export]
macro_rules! contract_test {
    ($name:ident, $make:expr, |$s:ident| $arg:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(($s, _guard)) = $make.await else { return };
            $crate::contract::$name($arg).await;
        }
    };
}
