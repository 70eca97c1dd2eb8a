//! Data residency: the placement directory (a version that every change bumps, moves recorded
//! step by step) and moving a tenant's rows between stores (export, import, counts, purge).

use std::collections::BTreeMap;

use ciam_core::audit::{AuditRecord, ChainVerifier};
use ciam_core::email::Email;
use ciam_core::factor::SignInProfile;
use ciam_core::id::{ClientId, Region, ResourceId, TenantId};
use ciam_core::invitation::Invitation;
use ciam_core::outbox::OutboxEvent;
use ciam_core::page::PageRequest;
use ciam_core::purpose::{ConsentAction, ConsentEvent, ConsentTopic, LegalBasis, Purpose, PurposeSpec, PurposeText};
use ciam_core::region::{Move, MoveStep, Placement, TenantDump};
use ciam_core::resource::Resource;
use ciam_core::saml_app::SamlSigningKey;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::SecretHash;
use ciam_core::signing_key::KeyState;
use ciam_core::store::{DurableStore, StoreError};
use ciam_core::user::{ImportedUser, User};
use serde_json::Value;

use super::{
    T0, T1, client, delegation, factor, family, identity_link, identity_provider, key, phc, queued, refresh, tenant,
    user,
};

pub use crate::regional::RegionDurable as ResidencyStore;

fn region(s: &str) -> Region {
    Region::parse(s).unwrap()
}

fn tid(s: &str) -> TenantId {
    TenantId::parse(s).unwrap()
}

/// Placements: one per tenant, listed by id (as Rust orders ids, whatever the collation), moves
/// recorded step by step; every write bumps the version, reads and refused writes do not.
pub async fn placements_are_versioned_and_record_moves(s: &dyn ResidencyStore) {
    assert!(s.placements().await.unwrap().is_empty(), "a fresh store places no tenant");
    let v0 = s.placements_version().await.unwrap();
    let (ab, a_z) = (tid("ab"), tid("a-z"));
    s.place_tenant(&ab, &region("eu"), T0).await.unwrap();
    assert_eq!(s.placements_version().await.unwrap(), v0 + 1);
    s.place_tenant(&a_z, &region("us"), T0).await.unwrap();
    assert_eq!(s.placements_version().await.unwrap(), v0 + 2);
    let taken = s.place_tenant(&ab, &region("us"), T1).await;
    assert!(matches!(taken, Err(StoreError::Conflict { what: "tenant" })), "{taken:?}");
    assert_eq!(s.placements_version().await.unwrap(), v0 + 2, "a refused write changes nothing");

    let placed = Placement { tenant: ab.clone(), region: region("eu"), moving: None, updated_at: T0 };
    assert_eq!(s.placement(&ab).await.unwrap(), Some(placed.clone()));
    assert_eq!(s.placement(&tid("ghost")).await.unwrap(), None);
    let ids: Vec<String> = s.placements().await.unwrap().iter().map(|p| p.tenant.to_string()).collect();
    assert_eq!(ids, ["a-z", "ab"], "by id, byte by byte");
    assert_eq!(s.placements_version().await.unwrap(), v0 + 2, "reads change nothing");

    // A move, step by step; the last write ends it.
    let mut v = v0 + 2;
    let mut p = placed.clone();
    for (i, step) in [MoveStep::Frozen, MoveStep::Copied, MoveStep::Switched, MoveStep::Purged].into_iter().enumerate()
    {
        if step >= MoveStep::Switched {
            p.region = region("us");
        }
        p.moving = Some(Move { to: region("us"), step, started_at: T1 });
        p.updated_at = T1 + time::Duration::minutes(i64::try_from(i).unwrap());
        s.update_placement(&p).await.unwrap();
        v += 1;
        assert_eq!(s.placement(&ab).await.unwrap(), Some(p.clone()), "{step:?}");
        assert_eq!(s.placements_version().await.unwrap(), v, "{step:?}");
    }
    p.moving = None;
    s.update_placement(&p).await.unwrap();
    assert_eq!(s.placement(&ab).await.unwrap(), Some(p.clone()));
    assert_eq!(s.placements_version().await.unwrap(), v + 1);
    let unplaced = Placement { tenant: tid("ghost"), ..p.clone() };
    assert!(matches!(s.update_placement(&unplaced).await, Err(StoreError::NotFound)));
    assert_eq!(s.placements_version().await.unwrap(), v + 1);

    assert!(s.remove_placement(&a_z).await.unwrap());
    assert_eq!(s.placements_version().await.unwrap(), v + 2);
    assert!(!s.remove_placement(&a_z).await.unwrap(), "once");
    assert_eq!(s.placements_version().await.unwrap(), v + 2);
    assert_eq!(s.placements().await.unwrap(), vec![p]);
}

fn consent_event(u: &User, action: ConsentAction, topic: ConsentTopic, at: time::OffsetDateTime) -> ConsentEvent {
    ConsentEvent {
        tenant_id: u.tenant_id.clone(),
        user_id: u.id,
        seq: 0,
        action,
        topic,
        channel: "account".into(),
        via_client: Some("web-app".into()),
        ip: Some("203.0.113.9".into()),
        at,
    }
}

/// The users of a tenant built by [`tenant_with_every_kind_of_row`].
pub struct Residents {
    /// The tenant.
    pub tenant: TenantId,
    /// A user with a password, a factor, consents, a grant, a delegation and a linked account.
    pub ada: User,
    /// A user with an erasure request.
    pub dave: User,
}

/// Creates tenant `id` with at least one row in every table a tenant owns, through the ports;
/// `ada` is its main user's email.
pub async fn tenant_with_every_kind_of_row(s: &dyn DurableStore, id: &str, ada: &str) -> Residents {
    let t = tid(id);
    s.create_tenant(&tenant(id)).await.unwrap();
    let ada = user(id, ada);
    s.create_user(&ada, Some(&phc("ada"))).await.unwrap();
    let (carol, dave) = (user(id, "carol@example.com"), user(id, "dave@example.com"));
    s.create_user(&carol, None).await.unwrap();
    s.create_user(&dave, None).await.unwrap();
    let imported = ImportedUser {
        user: user(id, "erin@example.com"),
        password: Some(phc("erin")),
        external_id: Some("legacy-42".into()),
    };
    s.import_users(&t, &[imported]).await.unwrap();
    s.create_client(&client(id, "web-app"), Some(&SecretHash::of("app-secret"))).await.unwrap();
    s.create_factor(&factor(&ada, ciam_core::factor::FactorKind::Totp, None, "sealed-seed")).await.unwrap();
    let mut profile = SignInProfile { last_strong_auth: Some(42), ..SignInProfile::default() };
    profile.remember_device("laptop");
    s.put_sign_in_profile(&t, &ada.id, &profile).await.unwrap();
    s.request_erasure(&t, &dave.id, T0, T1).await.unwrap();
    s.erase_user(&t, &carol.id, T0).await.unwrap();

    // Consents: an app's scopes, a purpose's answers, and the events they queued.
    let scope = ConsentTopic::Scope { client_id: "web-app".into(), scope: "openid profile".into() };
    s.record_consent(&consent_event(&ada, ConsentAction::Granted, scope, T0), None).await.unwrap();
    let spec = PurposeSpec {
        texts: BTreeMap::from([("en".into(), PurposeText { title: "News".into(), description: "Mail".into() })]),
        url: None,
        legal_basis: LegalBasis::Consent,
        required: false,
        ask_again: true,
        scopes: vec!["newsletter".into()],
    };
    let news = Purpose::new(&t, "news", spec, T0);
    s.create_purpose(&news).await.unwrap();
    let topic = ConsentTopic::Purpose { purpose: "news".into(), version: news.version, digest: news.digest.clone() };
    for (i, action) in
        [ConsentAction::Granted, ConsentAction::Withdrawn, ConsentAction::Granted].into_iter().enumerate()
    {
        let at = T0 + time::Duration::hours(i64::try_from(i).unwrap() + 1);
        let event = OutboxEvent::new(&t, "consent.changed", &ada.id.to_string(), serde_json::json!({"n": i}), at);
        s.record_consent(&consent_event(&ada, action, topic.clone(), at), Some(&event)).await.unwrap();
    }

    // Grants, keys and the tenant's other settings.
    s.create_refresh_family(&family(&ada, "web-app", "fam-1"), &refresh(id, "fam-1", "rt-1")).await.unwrap();
    s.create_delegation(&delegation(&ada, "web-app", "trips:read", T1)).await.unwrap();
    s.insert_key(&key(id, "k1", KeyState::Active)).await.unwrap();
    s.revoke_token(&t, "jti-1", T1).await.unwrap();
    let api = Resource {
        tenant_id: t.clone(),
        id: ResourceId::parse("trips").unwrap(),
        identifier: "https://trips.example/api".into(),
        name: "Trips".into(),
        scopes: ScopeSet::parse_space_separated("trips:read").unwrap(),
        access_token_lifetime: 600,
        introspection: None,
        created_at: T0,
        updated_at: T0,
    };
    s.create_resource(&api, Some(&SecretHash::of("api-secret"))).await.unwrap();
    s.create_detail_type(&super::detail_type(id, "payment_initiation")).await.unwrap();
    s.create_identity_provider(&identity_provider(id, "corp")).await.unwrap();
    s.link_identity(&identity_link(&ada, "corp", "corp-sub-1")).await.unwrap();
    let saml = SamlSigningKey {
        tenant_id: t.clone(),
        sealed_private: "v1.k.sealed".into(),
        certificate: "-----BEGIN CERTIFICATE-----".into(),
        created_at: T0,
    };
    assert!(s.create_saml_signing_key(&saml).await.unwrap());
    let invitation = Invitation {
        tenant_id: t.clone(),
        id: "inv_1".into(),
        email: Email::parse("frank@example.com").unwrap(),
        created_at: T0,
        expires_at: T1,
        used_at: None,
        user_id: None,
        revoked_at: None,
    };
    s.create_invitation(&invitation, "invitation-hash").await.unwrap();
    // As a control tenant: its administrator Ada's role, and a custom role.
    let role = ciam_core::admin::CustomRole {
        control_tenant: t.clone(),
        name: "key-rotator".into(),
        description: String::new(),
        permissions: [ciam_core::admin::Permission::KeysWrite].into(),
        created_at: T0,
        updated_at: T0,
    };
    if let Err(e) = s.save_custom_role(&role).await {
        panic!("save a custom role: {e}");
    }
    let assignment = ciam_core::admin::RoleAssignment {
        control_tenant: t.clone(),
        id: "ra_1".into(),
        principal: ciam_core::admin::Principal::User(ada.id),
        scope: ciam_core::admin::Scope::Deployment,
        role: "owner".into(),
        created_at: T0,
    };
    if let Err(e) = s.create_role_assignment(&assignment).await {
        panic!("give a role: {e}");
    }
    s.enqueue_mail(&queued(id, "m1", T0)).await.unwrap();
    s.create_data_key(&t, "p-ada", "sealed-data-key", T0).await.unwrap();

    // An audit trail whose oldest events retention removed.
    for i in 0..5 {
        let mut r = AuditRecord::allow("token.issued");
        r.client_id = Some("web-app".into());
        s.append_audit(&[(t.clone(), T0 + time::Duration::days(i), r)]).await.unwrap();
    }
    let day2 = (T0 + time::Duration::days(2)).unix_timestamp() * 1000;
    assert_eq!(s.prune_audit(&t, day2, 10).await.unwrap(), 2);
    Residents { tenant: t, ada, dave }
}

/// What the ports show of a tenant, to compare before a move and after it.
#[derive(Debug, PartialEq)]
pub struct Seen {
    tenant: Option<ciam_core::tenant::Tenant>,
    users: Vec<User>,
    password: Option<String>,
    /// The consent ledger without its positions (an import assigns new ones, in the same order).
    history: Vec<ConsentEvent>,
    outbox: Vec<OutboxEvent>,
    chain: Vec<(i64, String)>,
    head: Option<(i64, String)>,
    horizon: Option<(i64, String)>,
    consent: Option<String>,
    delegations: usize,
    erasure_due: Option<time::OffsetDateTime>,
    data_key: Option<String>,
    roles: Vec<ciam_core::admin::RoleAssignment>,
    custom_roles: Vec<ciam_core::admin::CustomRole>,
}

/// Reads a tenant through the ports; checks that its ledger positions increase and that its audit
/// trail verifies from the horizon to the head.
pub async fn seen(s: &dyn DurableStore, r: &Residents) -> Seen {
    let t = &r.tenant;
    let all = PageRequest { limit: 100, after: None };
    let mut history = s.consent_history(t, &r.ada.id, &all).await.unwrap().items;
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq), "the ledger's order");
    history.iter_mut().for_each(|e| e.seq = 0);
    let chain = s.audit_chain(t, 0, 1000).await.unwrap();
    let (head, horizon) = (s.audit_head(t).await.unwrap(), s.audit_horizon(t).await.unwrap());
    let mut verifier = ChainVerifier::after(horizon.clone());
    for e in &chain {
        verifier.next(e).unwrap();
    }
    if head.is_some() {
        assert_eq!(verifier.finish(head.clone()).ok(), head.as_ref().map(|(seq, _)| *seq), "the trail verifies");
    }
    Seen {
        tenant: s.get_tenant(t).await.unwrap(),
        users: s.list_users(t, &all).await.unwrap().items,
        password: s.password_hash(t, &r.ada.id).await.unwrap().map(|p| p.as_str().to_owned()),
        history,
        outbox: s.list_outbox_events(t, &all).await.unwrap().items,
        chain: chain.into_iter().map(|e| (e.seq, e.hash)).collect(),
        head,
        horizon,
        consent: s.get_consent(t, &r.ada.id, &ClientId::parse("web-app").unwrap()).await.unwrap(),
        delegations: s.list_user_delegations(t, &r.ada.id).await.unwrap().len(),
        erasure_due: s.erasure_due(t, &r.dave.id).await.unwrap(),
        data_key: s.data_key(t, "p-ada").await.unwrap(),
        roles: match s.role_assignments_of(t, &ciam_core::admin::Principal::User(r.ada.id)).await {
            Ok(roles) => roles,
            Err(e) => panic!("read Ada's roles: {e}"),
        },
        custom_roles: match s.custom_roles(t).await {
            Ok(roles) => roles,
            Err(e) => panic!("read the custom roles: {e}"),
        },
    }
}

/// A dump's rows without the positions the store assigns (`consent_event.seq`,
/// `event_outbox.pos`), which an import assigns anew.
pub fn without_positions(dump: &TenantDump) -> Vec<(String, Vec<Value>)> {
    let mut tables = dump.tables.clone();
    for (table, rows) in &mut tables {
        let position = match table.as_str() {
            "consent_event" => "seq",
            "event_outbox" => "pos",
            _ => continue,
        };
        for row in rows {
            row.as_object_mut().unwrap().remove(position);
        }
    }
    tables
}

fn total(counts: &[(String, u64)]) -> u64 {
    counts.iter().map(|(_, n)| n).sum()
}

/// Export, purge, import (twice, as a resumed move does) in one store: the tenant comes back
/// whole, row for row and through every port; another tenant is never touched; a dump of another
/// backend, of a table that is not a tenant's or with another tenant's rows is refused.
pub async fn a_tenant_is_exported_purged_and_imported_whole(s: &dyn ResidencyStore) {
    let acme = tenant_with_every_kind_of_row(s, "acme", "ada@example.com").await;
    let other = tenant_with_every_kind_of_row(s, "other", "ada@example.com").await;
    let t = acme.tenant.clone();
    let counts = s.tenant_row_counts(&t).await.unwrap();
    let empty: Vec<&str> = counts.iter().filter(|(_, n)| *n == 0).map(|(table, _)| table.as_str()).collect();
    assert!(empty.is_empty(), "the tenant has rows in every table: {empty:?} have none");
    let others = s.tenant_row_counts(&other.tenant).await.unwrap();
    let (before, others_seen) = (seen(s, &acme).await, seen(s, &other).await);

    let dump = s.export_tenant(&t).await.unwrap();
    assert!(["sqlite", "postgres"].contains(&dump.backend));
    assert_eq!(dump.tenant, t);
    let dumped: Vec<(String, u64)> =
        dump.tables.iter().map(|(table, rows)| (table.clone(), u64::try_from(rows.len()).unwrap())).collect();
    assert_eq!(dumped, counts, "every row, table by table in the counts' order");
    assert_eq!(s.export_tenant(&t).await.unwrap().tables, dump.tables, "rows in a stable order");
    assert!(!format!("{dump:?}").contains("ada@"), "a dump never prints its rows");

    assert_eq!(s.purge_tenant(&t).await.unwrap(), total(&counts));
    assert!(s.tenant_row_counts(&t).await.unwrap().iter().all(|(_, n)| *n == 0));
    assert_eq!(s.get_tenant(&t).await.unwrap(), None);
    assert_eq!(s.find_user_by_email(&t, "ada@example.com").await.unwrap(), None);
    assert_eq!(s.purge_tenant(&t).await.unwrap(), 0, "nothing left to purge");
    assert_eq!(s.tenant_row_counts(&other.tenant).await.unwrap(), others);

    s.import_tenant(&dump).await.unwrap();
    assert_eq!(s.tenant_row_counts(&t).await.unwrap(), counts);
    assert_eq!(seen(s, &acme).await, before, "the tenant reads as it did");
    let again = s.export_tenant(&t).await.unwrap();
    assert_eq!(without_positions(&again), without_positions(&dump), "row for row");

    // A resumed move imports again over what an earlier attempt left: no duplicates.
    s.import_tenant(&dump).await.unwrap();
    assert_eq!(s.tenant_row_counts(&t).await.unwrap(), counts);
    assert_eq!(seen(s, &acme).await, before);
    assert_eq!(s.tenant_row_counts(&other.tenant).await.unwrap(), others);
    assert_eq!(seen(s, &other).await, others_seen, "the other tenant was never touched");

    // The imported tenant goes on: its trail and its ledger continue where they were.
    let next = s.append_audit(&[(t.clone(), T1, AuditRecord::allow("token.issued"))]).await.unwrap();
    assert_eq!(next[0].seq, before.head.as_ref().unwrap().0 + 1);
    let scope = ConsentTopic::Scope { client_id: "web-app".into(), scope: "openid".into() };
    s.record_consent(&consent_event(&acme.ada, ConsentAction::Granted, scope, T1), None).await.unwrap();
    let after = seen(s, &acme).await;
    assert_eq!((after.chain.len(), after.history.len()), (before.chain.len() + 1, before.history.len() + 1));

    // Dumps that are refused, leaving everything as it was.
    let counts = s.tenant_row_counts(&t).await.unwrap();
    let backend = if dump.backend == "sqlite" { "postgres" } else { "sqlite" };
    let foreign = TenantDump { backend, ..dump.clone() };
    assert!(matches!(s.import_tenant(&foreign).await, Err(StoreError::Corrupt(_))), "another backend's dump");
    let mut not_a_tenant_table = dump.clone();
    not_a_tenant_table.tables.push(("tenant_placement".into(), vec![serde_json::json!({"tenant_id": "acme"})]));
    assert!(matches!(s.import_tenant(&not_a_tenant_table).await, Err(StoreError::Corrupt(_))));
    let mut smuggled = dump.clone();
    let users = smuggled.tables.iter_mut().find(|(table, _)| table == "user_account").unwrap();
    users.1[0]["tenant_id"] = Value::String("other".into());
    assert!(matches!(s.import_tenant(&smuggled).await, Err(StoreError::Corrupt(_))), "another tenant's row");
    let mut renamed = dump.clone();
    let users = renamed.tables.iter_mut().find(|(table, _)| table == "user_account").unwrap();
    users.1[0].as_object_mut().unwrap().insert("is_admin".into(), Value::Bool(true));
    assert!(matches!(s.import_tenant(&renamed).await, Err(StoreError::Corrupt(_))), "a column this store lacks");
    assert_eq!(s.tenant_row_counts(&t).await.unwrap(), counts);
    assert_eq!(s.tenant_row_counts(&other.tenant).await.unwrap(), others);
}

/// A move between two stores: export from `from`, import into `to`, purge `from`. The tenant
/// reads the same in `to`; `from` keeps nothing of it, and each store's other tenant stays.
/// `ada` is the moved tenant's main email (the caller looks for it in the old store's files).
pub async fn a_tenant_moves_between_two_stores(from: &dyn ResidencyStore, to: &dyn ResidencyStore, ada: &str) {
    let moved = tenant_with_every_kind_of_row(from, "acme", ada).await;
    let stays = tenant_with_every_kind_of_row(from, "stays", "someone@example.com").await;
    let there = tenant_with_every_kind_of_row(to, "there", "someone@example.com").await;
    let t = moved.tenant.clone();
    let counts = from.tenant_row_counts(&t).await.unwrap();
    let (before, stays_counts, there_counts) = (
        seen(from, &moved).await,
        from.tenant_row_counts(&stays.tenant).await.unwrap(),
        to.tenant_row_counts(&there.tenant).await.unwrap(),
    );

    let dump = from.export_tenant(&t).await.unwrap();
    to.import_tenant(&dump).await.unwrap();
    assert_eq!(to.tenant_row_counts(&t).await.unwrap(), counts, "copied: the same rows in every table");
    assert_eq!(from.purge_tenant(&t).await.unwrap(), total(&counts));

    assert_eq!(seen(to, &moved).await, before, "the tenant reads the same in its new store");
    assert_eq!(to.find_user_by_email(&t, ada).await.unwrap().map(|u| u.id), Some(moved.ada.id));
    assert!(from.tenant_row_counts(&t).await.unwrap().iter().all(|(_, n)| *n == 0));
    assert_eq!(from.get_tenant(&t).await.unwrap(), None);
    assert_eq!(from.tenant_row_counts(&stays.tenant).await.unwrap(), stays_counts);
    assert_eq!(to.tenant_row_counts(&there.tenant).await.unwrap(), there_counts);
}
