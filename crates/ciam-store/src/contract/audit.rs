//! The audit trail's contract: concurrent appends form one verifiable chain per tenant, and a
//! grant is stored with the event that records it or not at all.

use std::sync::Arc;

use ciam_core::audit::{AuditFilter, AuditRecord, ChainVerifier};
use ciam_core::id::TenantId;
use ciam_core::page::PageRequest;
use ciam_core::secret::SecretHash;
use ciam_core::store::{AuditEntry, DurableStore, StoreError};

use super::{T0, client, family, refresh, tenant, user};

pub async fn audit_chain_appends_concurrently_and_verifies(s: Arc<dyn DurableStore>) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    assert_eq!(s.audit_head(&t).await.unwrap(), None);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut r = AuditRecord::allow("token.issued");
            r.user_id = Some(format!("user-{}", i % 3));
            r.client_id = Some("app".into());
            r.actors = if i % 2 == 0 { vec!["agent-a".into(), "agent-b".into()] } else { vec![] };
            r.grant = match i % 4 {
                0 => None,
                2 => Some("authorization_code".into()),
                _ => Some("client_credentials".into()),
            };
            s.append_audit(&[(t, T0 + time::Duration::seconds(i), r)]).await.unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let chain = s.audit_chain(&t, 0, 100).await.unwrap();
    assert_eq!(chain.len(), 20);
    let mut v = ChainVerifier::default();
    for e in &chain {
        v.next(e).unwrap();
    }
    assert_eq!(v.finish(s.audit_head(&t).await.unwrap()), Ok(20), "20 concurrent appends form one chain");
    let granted = chain.iter().filter(|e| e.record.grant.as_deref() == Some("client_credentials")).count();
    assert_eq!(granted, 10, "the grant is stored");
    let all = PageRequest { limit: 200, after: None };
    let by_user = AuditFilter { user_id: Some("user-0".into()), ..AuditFilter::default() };
    assert_eq!(s.query_audit(&t, &by_user, &all).await.unwrap().items.len(), 7);
    let by_agent = AuditFilter { agent_id: Some("agent-b".into()), ..AuditFilter::default() };
    assert_eq!(s.query_audit(&t, &by_agent, &all).await.unwrap().items.len(), 10);
    let by_client = AuditFilter { agent_id: Some("app".into()), ..AuditFilter::default() };
    assert_eq!(s.query_audit(&t, &by_client, &all).await.unwrap().items.len(), 20);
    let agent_prefix = AuditFilter { agent_id: Some("agent".into()), ..AuditFilter::default() };
    assert!(s.query_audit(&t, &agent_prefix, &all).await.unwrap().items.is_empty(), "whole ids only");
    let t0_ms = T0.unix_timestamp() * 1000;
    let window = AuditFilter { since_ms: Some(t0_ms + 5000), until_ms: Some(t0_ms + 8000), ..AuditFilter::default() };
    assert_eq!(s.query_audit(&t, &window, &all).await.unwrap().items.len(), 3);
    let by_type = AuditFilter { event_type: Some("token.refused".into()), ..AuditFilter::default() };
    assert!(s.query_audit(&t, &by_type, &all).await.unwrap().items.is_empty());
    let first = s.query_audit(&t, &AuditFilter::default(), &PageRequest { limit: 15, after: None }).await.unwrap();
    assert_eq!(first.items.len(), 15);
    let rest = s
        .query_audit(&t, &AuditFilter::default(), &PageRequest { limit: 15, after: first.next_after.clone() })
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.next_after), (5, None));
    assert_eq!(rest.items[0].seq, 16);

    // A batch over two tenants: one transaction, each chain continues in order.
    let b = TenantId::parse("b").unwrap();
    let batch: Vec<_> = (0..5)
        .map(|i| {
            let tenant = if i % 2 == 0 { t.clone() } else { b.clone() };
            (tenant, T0 + time::Duration::seconds(100 + i), AuditRecord::deny("token.refused", format!("r{i}")))
        })
        .collect();
    let stored = s.append_audit(&batch).await.unwrap();
    let placed: Vec<(&str, i64)> = stored.iter().map(|e| (e.tenant_id.as_str(), e.seq)).collect();
    assert_eq!(placed, [("acme", 21), ("b", 1), ("acme", 22), ("b", 2), ("acme", 23)]);
    assert_eq!(stored[2].record.reason.as_deref(), Some("r2"), "in the batch's order");
    assert!(s.append_audit(&[]).await.unwrap().is_empty());
    let mut vb = ChainVerifier::default();
    for e in s.audit_chain(&b, 0, 100).await.unwrap() {
        vb.next(&e).unwrap();
    }
    assert_eq!(vb.finish(s.audit_head(&b).await.unwrap()), Ok(2));
    let mut va = ChainVerifier::default();
    for e in s.audit_chain(&t, 0, 100).await.unwrap() {
        va.next(&e).unwrap();
    }
    assert_eq!(va.finish(s.audit_head(&t).await.unwrap()), Ok(23));
    assert_eq!(s.query_audit(&t, &by_type, &all).await.unwrap().items.len(), 3, "only this tenant's");

    // The dashboard's counts: by type, decision and grant (none first), within the window, this
    // tenant's only.
    let counts = s.audit_counts(&t, t0_ms, t0_ms + 200_000).await.unwrap();
    let counted: Vec<_> =
        counts.iter().map(|c| (c.event_type.as_str(), c.decision.as_str(), c.grant.as_deref(), c.count)).collect();
    assert_eq!(
        counted,
        [
            ("token.issued", "allow", None, 5),
            ("token.issued", "allow", Some("authorization_code"), 5),
            ("token.issued", "allow", Some("client_credentials"), 10),
            ("token.refused", "deny", None, 3),
        ]
    );
    let early = s.audit_counts(&t, t0_ms, t0_ms + 10_000).await.unwrap();
    assert_eq!(early.iter().map(|c| c.count).sum::<u64>(), 10, "only the window's events");
    let theirs = s.audit_counts(&b, t0_ms, t0_ms + 200_000).await.unwrap();
    assert_eq!(theirs.iter().map(|c| c.count).sum::<u64>(), 2);
}

/// A batch of issuances: each entry's refresh-token family is stored with its event; an entry
/// whose family is refused (its user is unknown) loses its event too, and the rest go on.
pub async fn grants_are_stored_with_the_events_recording_them(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let ada = user("acme", "ada@example.com");
    s.create_user(&ada, None).await.unwrap();
    s.create_client(&client("acme", "web-app"), None).await.unwrap();
    let t = ada.tenant_id.clone();
    let ghost = user("acme", "ghost@example.com");
    let entry = |n: i64, family: Option<(ciam_core::refresh::RefreshFamily, &str)>| AuditEntry {
        tenant: t.clone(),
        at: T0 + time::Duration::seconds(n),
        record: AuditRecord::allow(if family.is_some() { "token.issued" } else { "token.refused" }),
        family: family.map(|(f, token)| {
            let first = refresh("acme", &f.family_id, token);
            Box::new((f, first))
        }),
    };
    s.create_refresh_family(&family(&ada, "web-app", "fam-0"), &refresh("acme", "fam-0", "rt-0")).await.unwrap();
    let batch = [
        entry(1, Some((family(&ada, "web-app", "fam-a"), "rt-a"))),
        entry(2, None),
        entry(3, Some((family(&ghost, "web-app", "fam-ghost"), "rt-ghost"))),
        entry(4, Some((family(&ada, "web-app", "fam-b"), "rt-b"))),
        // The family is fine, its first token's hash is taken: the family is rolled back too.
        entry(5, Some((family(&ada, "web-app", "fam-c"), "rt-0"))),
    ];
    let outcomes = s.append_audit_with_grants(&batch).await.unwrap();
    assert_eq!(outcomes.len(), 5);
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok() && outcomes[3].is_ok(), "{outcomes:?}");
    assert!(matches!(outcomes[2], Err(StoreError::NotFound)), "an unknown user's family: {outcomes:?}");
    assert!(matches!(outcomes[4], Err(StoreError::Conflict { .. })), "a taken token hash: {outcomes:?}");
    assert!(!s.revoke_refresh_family(&t, "fam-c", T0).await.unwrap(), "no family without its first token");

    for (token, family_id) in [("rt-a", "fam-a"), ("rt-b", "fam-b")] {
        let (_, f) = s.find_refresh_token(&t, &SecretHash::of(token)).await.unwrap().expect("stored");
        assert_eq!(f.family_id, family_id);
    }
    assert!(s.find_refresh_token(&t, &SecretHash::of("rt-ghost")).await.unwrap().is_none(), "refused: not stored");
    let chain = s.audit_chain(&t, 0, 100).await.unwrap();
    let times: Vec<i64> = chain.iter().map(|e| e.time_ms / 1000 - T0.unix_timestamp()).collect();
    assert_eq!(times, [1, 2, 4], "the refused entry's event is left out, the rest keep their order");
    let mut v = ChainVerifier::default();
    for e in &chain {
        v.next(e).unwrap();
    }
    assert_eq!(v.finish(s.audit_head(&t).await.unwrap()), Ok(3));
    assert!(s.append_audit_with_grants(&[]).await.unwrap().is_empty());

    // Again, once the store knows the head (PostgreSQL then writes a tenant's part of a batch in
    // one statement): all of it, or, with one family refused, the others.
    let batch = [entry(6, Some((family(&ada, "web-app", "fam-d"), "rt-d"))), entry(7, None)];
    let outcomes = s.append_audit_with_grants(&batch).await.unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let batch = [
        entry(8, Some((family(&ada, "web-app", "fam-e"), "rt-e"))),
        entry(9, Some((family(&ghost, "web-app", "fam-ghost-2"), "rt-ghost-2"))),
        entry(10, None),
    ];
    let outcomes = s.append_audit_with_grants(&batch).await.unwrap();
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    assert!(matches!(outcomes[1], Err(StoreError::NotFound)), "an unknown user's family: {outcomes:?}");
    for token in ["rt-d", "rt-e"] {
        assert!(s.find_refresh_token(&t, &SecretHash::of(token)).await.unwrap().is_some(), "{token} stored");
    }
    assert!(s.find_refresh_token(&t, &SecretHash::of("rt-ghost-2")).await.unwrap().is_none());
    let chain = s.audit_chain(&t, 0, 100).await.unwrap();
    let times: Vec<i64> = chain.iter().map(|e| e.time_ms / 1000 - T0.unix_timestamp()).collect();
    assert_eq!(times, [1, 2, 4, 6, 7, 8, 10]);
    let mut v = ChainVerifier::default();
    for e in &chain {
        v.next(e).unwrap();
    }
    assert_eq!(v.finish(s.audit_head(&t).await.unwrap()), Ok(7));
}
