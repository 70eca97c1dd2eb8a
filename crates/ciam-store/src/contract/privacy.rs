//! Purposes, the consent ledger (with the current state it keeps) and the events outbox.

use std::collections::BTreeMap;

use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::outbox::OutboxEvent;
use ciam_core::page::PageRequest;
use ciam_core::purpose::{
    ConsentAction, ConsentEvent, ConsentTopic, LegalBasis, Purpose, PurposeSpec, PurposeText, VersionCount,
};
use ciam_core::store::{DurableStore, StoreError};
use time::OffsetDateTime;

use super::grants::{family, refresh};
use super::{T0, T1, client, tenant, user};

fn scope_event(
    t: &TenantId,
    u: &UserId,
    action: ConsentAction,
    client: &str,
    scope: &str,
    at: OffsetDateTime,
) -> ConsentEvent {
    ConsentEvent {
        tenant_id: t.clone(),
        user_id: *u,
        seq: 0,
        action,
        topic: ConsentTopic::Scope { client_id: client.into(), scope: scope.into() },
        channel: "authorize".into(),
        via_client: Some(client.into()),
        ip: Some("203.0.113.7".into()),
        at,
    }
}

fn purpose_event(t: &TenantId, u: &UserId, action: ConsentAction, p: &Purpose) -> ConsentEvent {
    ConsentEvent {
        topic: ConsentTopic::Purpose { purpose: p.id.clone(), version: p.version, digest: p.digest.clone() },
        channel: "account".into(),
        via_client: None,
        ..scope_event(t, u, action, "-", "", T1)
    }
}

/// An app's remembered scopes: replaced on a grant, forgotten on a withdrawal, each answer kept
/// in the ledger; an answer about an unknown client is refused and leaves no ledger entry.
pub async fn consents_are_remembered_replaced_and_revoked(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let u = user("acme", "ada@example.com");
    s.create_user(&u, None).await.unwrap();
    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    let (t, c) = (u.tenant_id.clone(), ClientId::parse("web-app").unwrap());
    assert_eq!(s.get_consent(&t, &u.id, &c).await.unwrap(), None);
    let first = s.record_consent(&scope_event(&t, &u.id, ConsentAction::Granted, "web-app", "openid", T0), None).await;
    let second =
        s.record_consent(&scope_event(&t, &u.id, ConsentAction::Granted, "web-app", "openid profile", T1), None).await;
    assert!(second.unwrap() > first.unwrap());
    assert_eq!(s.get_consent(&t, &u.id, &c).await.unwrap().as_deref(), Some("openid profile"));
    assert_eq!(s.list_consents(&t, &u.id).await.unwrap(), vec![(c.clone(), "openid profile".to_owned(), T1)]);
    let b = TenantId::parse("b").unwrap();
    assert_eq!(s.get_consent(&b, &u.id, &c).await.unwrap(), None);
    s.record_consent(&scope_event(&t, &u.id, ConsentAction::Withdrawn, "web-app", "openid profile", T1), None)
        .await
        .unwrap();
    assert_eq!(s.get_consent(&t, &u.id, &c).await.unwrap(), None);
    let ghost = s.record_consent(&scope_event(&t, &u.id, ConsentAction::Granted, "ghost", "openid", T0), None).await;
    assert!(ghost.is_err(), "unknown client");
    let history = s.consent_history(&t, &u.id, &PageRequest::first()).await.unwrap().items;
    let answers: Vec<_> = history
        .iter()
        .map(|e| match &e.topic {
            ConsentTopic::Scope { scope, .. } => (e.action, scope.as_str()),
            ConsentTopic::Purpose { .. } => (e.action, "?"),
        })
        .collect();
    assert_eq!(
        answers,
        [
            (ConsentAction::Granted, "openid"),
            (ConsentAction::Granted, "openid profile"),
            (ConsentAction::Withdrawn, "openid profile")
        ],
        "every answer, in order; the refused one left nothing"
    );
    assert_eq!(history[0].ip.as_deref(), Some("203.0.113.7"));
    assert!(s.consent_history(&b, &u.id, &PageRequest::first()).await.unwrap().items.is_empty());
}

/// Purposes are stored per tenant; the ledger keeps every answer, the latest is the state, the
/// report counts users per version, a withdrawal queues its outbox event in the same commit,
/// and the history pages by `seq`.
pub async fn purposes_round_trip_and_the_ledger_keeps_every_answer(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    let spec = PurposeSpec {
        texts: BTreeMap::from([("en".into(), PurposeText { title: "News".into(), description: "Mail".into() })]),
        url: None,
        legal_basis: LegalBasis::Consent,
        required: false,
        ask_again: true,
        scopes: vec!["newsletter".into()],
    };
    let news = Purpose::new(&t, "news", spec.clone(), T0);
    s.create_purpose(&news).await.unwrap();
    assert!(matches!(s.create_purpose(&news).await, Err(StoreError::Conflict { .. })));
    assert_eq!(s.list_purposes(&t).await.unwrap(), vec![news.clone()]);
    assert!(s.list_purposes(&TenantId::parse("b").unwrap()).await.unwrap().is_empty());

    let (ada, bob) = (user("acme", "ada@example.com"), user("acme", "bob@example.com"));
    s.create_user(&ada, None).await.unwrap();
    s.create_user(&bob, None).await.unwrap();
    s.record_consent(&purpose_event(&t, &ada.id, ConsentAction::Granted, &news), None).await.unwrap();
    s.record_consent(&purpose_event(&t, &bob.id, ConsentAction::Granted, &news), None).await.unwrap();
    let mut words = spec;
    words.texts.insert("en".into(), PurposeText { title: "News and offers".into(), description: String::new() });
    let reworded = news.updated(words, T1);
    assert!(s.update_purpose(&reworded).await.unwrap());
    assert_eq!(s.list_purposes(&t).await.unwrap()[0].version, 2);
    s.record_consent(&purpose_event(&t, &ada.id, ConsentAction::Granted, &reworded), None).await.unwrap();
    let withdrawn =
        OutboxEvent::new(&t, "consent.withdrawn", &bob.id.to_string(), serde_json::json!({"purpose": "news"}), T1);
    s.record_consent(&purpose_event(&t, &bob.id, ConsentAction::Withdrawn, &news), Some(&withdrawn)).await.unwrap();

    let state = s.purpose_consents(&t, &ada.id).await.unwrap();
    assert_eq!((state.len(), state[0].version, state[0].granted), (1, 2, true), "the latest answer is the state");
    let bob_state = s.purpose_consents(&t, &bob.id).await.unwrap();
    assert!(!bob_state[0].granted);
    assert_eq!(
        s.purpose_report(&t, "news").await.unwrap(),
        vec![
            VersionCount { version: 1, granted: 0, withdrawn: 1 },
            VersionCount { version: 2, granted: 1, withdrawn: 0 }
        ]
    );
    let page = s.consent_history(&t, &ada.id, &PageRequest { limit: 1, after: None }).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let rest = s.consent_history(&t, &ada.id, &PageRequest { limit: 10, after: page.next_after }).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(matches!(&rest.items[0].topic, ConsentTopic::Purpose { version: 2, .. }));

    let queued = s.list_outbox_events(&t, &PageRequest::first()).await.unwrap().items;
    assert_eq!(queued, vec![withdrawn]);
    assert!(
        s.list_outbox_events(&TenantId::parse("b").unwrap(), &PageRequest::first()).await.unwrap().items.is_empty()
    );

    // Withdrawing a purpose takes its scope out of the user's live grants, and only that token.
    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    let mut f = family(&ada, "web-app", "fam-news");
    f.scope = "openid newsletter newsletter_extra offline_access".into();
    s.create_refresh_family(&f, &refresh("acme", "fam-news", "rt-news")).await.unwrap();
    assert_eq!(s.narrow_user_refresh_families(&t, &ada.id, "newsletter").await.unwrap(), 1);
    assert_eq!(s.narrow_user_refresh_families(&t, &ada.id, "newsletter").await.unwrap(), 0);
    assert_eq!(s.narrow_user_refresh_families(&t, &bob.id, "openid").await.unwrap(), 0);
    let (_, narrowed) = s.find_refresh_token(&t, &ciam_core::secret::SecretHash::of("rt-news")).await.unwrap().unwrap();
    assert_eq!(narrowed.scope, "openid newsletter_extra offline_access");

    assert!(s.delete_purpose(&t, "news").await.unwrap());
    assert!(!s.delete_purpose(&t, "news").await.unwrap());
    assert_eq!(s.consent_history(&t, &ada.id, &PageRequest::first()).await.unwrap().items.len(), 2, "history stays");
    assert!(s.delete_user(&t, &bob.id).await.unwrap());
    assert!(
        s.consent_history(&t, &bob.id, &PageRequest::first()).await.unwrap().items.is_empty(),
        "goes with the user"
    );
}

/// An erased user goes with everything of theirs, leaves a tombstone, and their id can never be
/// created again (also not through an import); another tenant's user of the same id is untouched.
pub async fn erased_users_leave_a_tombstone_and_their_id_is_never_reused(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    let ada = user("acme", "ada@example.com");
    s.create_user(&ada, None).await.unwrap();
    let in_b = ciam_core::user::User { tenant_id: TenantId::parse("b").unwrap(), ..ada.clone() };
    s.create_user(&in_b, None).await.unwrap();
    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    s.record_consent(&scope_event(&t, &ada.id, ConsentAction::Granted, "web-app", "openid", T0), None).await.unwrap();
    s.create_refresh_family(&family(&ada, "web-app", "fam-ada"), &refresh("acme", "fam-ada", "rt-ada")).await.unwrap();

    assert!(!s.is_erased(&t, &ada.id).await.unwrap());
    assert!(s.erase_user(&t, &ada.id, T1).await.unwrap());
    assert!(!s.erase_user(&t, &ada.id, T1).await.unwrap(), "once");
    assert!(s.is_erased(&t, &ada.id).await.unwrap());
    assert_eq!(s.get_user(&t, &ada.id).await.unwrap(), None);
    assert!(s.consent_history(&t, &ada.id, &PageRequest::first()).await.unwrap().items.is_empty());
    assert!(s.find_refresh_token(&t, &ciam_core::secret::SecretHash::of("rt-ada")).await.unwrap().is_none());
    assert!(matches!(s.create_user(&ada, None).await, Err(StoreError::Conflict { .. })), "the id stays taken");
    assert_eq!(s.get_user(&in_b.tenant_id, &in_b.id).await.unwrap(), Some(in_b.clone()));
    assert!(!s.is_erased(&in_b.tenant_id, &in_b.id).await.unwrap());
}

/// What retention and the erasure grace period find: due erasure requests (withdrawn ones
/// not), unverified sign-ups older than the limit (not verified ones, not the management API's),
/// and grants that ended before the limit, a batch at a time.
pub async fn retention_finds_what_is_due_and_purges_in_batches(s: &dyn DurableStore) {
    use ciam_core::user::{User, UserSource};
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    let signed_up = |email: &str, verified: bool| User {
        email_verified: verified,
        source: UserSource::SignUp,
        created_at: T0,
        ..user("acme", email)
    };
    let (old, verified, by_admin) =
        (signed_up("old@example.com", false), signed_up("v@example.com", true), user("acme", "a@example.com"));
    for u in [&old, &verified, &by_admin] {
        s.create_user(u, None).await.unwrap();
    }
    assert_eq!(s.unverified_users(&t, T1, 10).await.unwrap(), vec![old.id]);
    assert!(s.unverified_users(&t, T0, 10).await.unwrap().is_empty(), "not older than the limit");

    s.request_erasure(&t, &old.id, T0, T1).await.unwrap();
    s.request_erasure(&t, &verified.id, T0, T1 + time::Duration::days(1)).await.unwrap();
    assert_eq!(s.erasure_due(&t, &old.id).await.unwrap(), Some(T1));
    assert_eq!(s.due_erasures(&t, T1, 10).await.unwrap(), vec![old.id]);
    assert!(s.cancel_erasure(&t, &old.id).await.unwrap());
    assert!(!s.cancel_erasure(&t, &old.id).await.unwrap());
    assert!(s.due_erasures(&t, T1, 10).await.unwrap().is_empty());
    assert_eq!(s.erasure_due(&t, &old.id).await.unwrap(), None);

    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    for (i, revoked) in [(1, Some(T0)), (2, Some(T0)), (3, None)] {
        let mut f = family(&by_admin, "web-app", &format!("fam-{i}"));
        f.revoked_at = revoked;
        f.expires_at = T1 + time::Duration::days(30);
        s.create_refresh_family(&f, &refresh("acme", &f.family_id, &format!("rt-{i}"))).await.unwrap();
    }
    assert_eq!(s.purge_ended_grants(&t, T1, 1).await.unwrap(), 1, "a batch at a time");
    assert_eq!(s.purge_ended_grants(&t, T1, 10).await.unwrap(), 1);
    assert_eq!(s.purge_ended_grants(&t, T1, 10).await.unwrap(), 0, "a live grant stays");
    assert!(s.find_refresh_token(&t, &ciam_core::secret::SecretHash::of("rt-3")).await.unwrap().is_some());
}

/// Retention removes the oldest audit events, a batch at a time and never past the first younger
/// one, and keeps the last removed event's hash: what remains verifies from it to the head.
pub async fn audit_retention_removes_a_prefix_that_stays_provable(s: &dyn DurableStore) {
    use ciam_core::audit::{AuditRecord, ChainVerifier};
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    for i in 0..5 {
        let at = T0 + time::Duration::days(i);
        s.append_audit(&[(t.clone(), at, AuditRecord::allow("token.issued"))]).await.unwrap();
    }
    let day = |d: i64| (T0 + time::Duration::days(d)).unix_timestamp() * 1000;
    assert_eq!(s.prune_audit(&t, day(0), 10).await.unwrap(), 0, "nothing older");
    assert_eq!(s.audit_horizon(&t).await.unwrap(), None);
    assert_eq!(s.prune_audit(&t, day(3), 2).await.unwrap(), 2, "a batch at a time");
    assert_eq!(s.prune_audit(&t, day(3), 10).await.unwrap(), 1);
    assert_eq!(s.prune_audit(&t, day(3), 10).await.unwrap(), 0);
    let horizon = s.audit_horizon(&t).await.unwrap();
    assert_eq!(horizon.as_ref().map(|(seq, _)| *seq), Some(3));
    let rest = s.audit_chain(&t, 0, 100).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
    let mut v = ChainVerifier::after(horizon);
    for e in &rest {
        v.next(e).unwrap();
    }
    assert_eq!(v.finish(s.audit_head(&t).await.unwrap()), Ok(5));
    let mut from_genesis = ChainVerifier::default();
    assert!(from_genesis.next(&rest[0]).is_err(), "without the horizon the cut shows");
}
