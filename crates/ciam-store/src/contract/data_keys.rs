//! Data keys and sealed audit events: a key is created once per subject whichever node asks
//! first, destroyed for good, and goes with its tenant; a sealed event keeps its personal fields
//! out of the clear columns and is found by its pseudonym.

use std::sync::Arc;

use ciam_core::audit::{AuditFilter, AuditRecord, ChainVerifier, Personal, SealedPersonal};
use ciam_core::id::TenantId;
use ciam_core::page::PageRequest;
use ciam_core::store::{DurableStore, StoreError, TENANT_DATA_KEY};

use super::{T0, tenant};

pub async fn data_keys_are_created_once_and_destroyed_for_good(s: Arc<dyn DurableStore>) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (t, b) = (TenantId::parse("acme").unwrap(), TenantId::parse("b").unwrap());
    assert_eq!(s.data_key(&t, "p-ada").await.unwrap(), None);

    // Nodes creating the same key at once: one wins, every one of them gets the winner's key.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (s, t) = (s.clone(), t.clone());
            tokio::spawn(async move { s.create_data_key(&t, "p-ada", &format!("sealed-{i}"), T0).await })
        })
        .collect();
    let mut got = Vec::new();
    for task in tasks {
        got.push(task.await.unwrap().unwrap());
    }
    let stored = s.data_key(&t, "p-ada").await.unwrap().expect("created");
    assert!(got.iter().all(|k| *k == stored), "one key for everyone: {got:?}");
    assert_eq!(s.create_data_key(&t, "p-ada", "another", T0).await.unwrap(), stored, "never replaced");

    // Per tenant, and per subject.
    assert_eq!(s.data_key(&b, "p-ada").await.unwrap(), None);
    assert_eq!(s.create_data_key(&t, TENANT_DATA_KEY, "tenant-key", T0).await.unwrap(), "tenant-key");
    assert!(!s.destroy_data_key(&b, "p-ada").await.unwrap(), "another tenant cannot destroy it");
    assert_eq!(s.data_key(&t, "p-ada").await.unwrap(), Some(stored.clone()));

    // Destroyed: gone, once; a later create makes a new key, never the old one.
    assert!(s.destroy_data_key(&t, "p-ada").await.unwrap());
    assert!(!s.destroy_data_key(&t, "p-ada").await.unwrap());
    assert_eq!(s.data_key(&t, "p-ada").await.unwrap(), None);
    assert_eq!(s.data_key(&t, TENANT_DATA_KEY).await.unwrap().as_deref(), Some("tenant-key"));
    assert_eq!(s.create_data_key(&t, "p-ada", "fresh", T0).await.unwrap(), "fresh");

    // A tenant's keys go with it.
    s.create_data_key(&b, "p-bob", "bob-key", T0).await.unwrap();
    assert!(s.delete_tenant(&b).await.unwrap());
    s.create_tenant(&tenant("b")).await.unwrap();
    assert_eq!(s.data_key(&b, "p-bob").await.unwrap(), None, "deleting the tenant deleted its keys");
    let ghost = TenantId::parse("ghost").unwrap();
    assert!(matches!(s.create_data_key(&ghost, "p", "k", T0).await, Err(StoreError::NotFound)));
}

pub async fn sealed_events_keep_personal_fields_out_of_clear_columns(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    // An event from before the upgrade (clear), then sealed ones.
    let mut old = AuditRecord::allow("token.issued");
    old.user_id = Some("ada-id".into());
    old.ip = Some("192.0.2.7".into());
    let sealed = |subject: Option<&str>, data: &str| {
        let mut r = AuditRecord::allow("token.issued");
        r.client_id = Some("web".into());
        // Whatever the record still holds in clear is not written for a sealed event.
        r.user_id = Some("ada-id".into());
        r.ip = Some("192.0.2.7".into());
        r.user_agent = Some("Firefox".into());
        r.personal =
            Personal::Sealed(SealedPersonal { subject: subject.map(str::to_owned), data: Some(data.to_owned()) });
        r
    };
    let batch = vec![
        (t.clone(), T0, old),
        (t.clone(), T0, sealed(Some("p-ada"), "ct-1")),
        (t.clone(), T0, sealed(None, "ct-2")),
        (t.clone(), T0, sealed(Some("p-bob"), "ct-3")),
    ];
    s.append_audit(&batch).await.unwrap();
    let chain = s.audit_chain(&t, 0, 100).await.unwrap();
    assert_eq!(chain.len(), 4);
    let mut v = ChainVerifier::default();
    for e in &chain {
        v.next(e).unwrap();
    }
    assert_eq!(v.finish(s.audit_head(&t).await.unwrap()), Ok(4), "both forms verify as stored");
    assert_eq!(chain[0].record.user_id.as_deref(), Some("ada-id"), "old events keep their clear fields");
    for e in &chain[1..] {
        assert!(e.record.user_id.is_none() && e.record.ip.is_none() && e.record.user_agent.is_none(), "{e:?}");
        assert!(matches!(e.record.personal, Personal::Sealed(_)));
    }
    assert_eq!(
        chain[1].record.personal,
        Personal::Sealed(SealedPersonal { subject: Some("p-ada".into()), data: Some("ct-1".into()) })
    );

    // The user filter: the clear id finds old events, the pseudonym sealed ones, both together both.
    let all = PageRequest { limit: 50, after: None };
    let (t, all) = (&t, &all);
    let seqs = |f: AuditFilter| async move {
        s.query_audit(t, &f, all).await.unwrap().items.iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    assert_eq!(seqs(AuditFilter { user_id: Some("ada-id".into()), ..AuditFilter::default() }).await, [1]);
    assert_eq!(seqs(AuditFilter { subject: Some("p-ada".into()), ..AuditFilter::default() }).await, [2]);
    let both = AuditFilter { user_id: Some("ada-id".into()), subject: Some("p-ada".into()), ..AuditFilter::default() };
    assert_eq!(seqs(both).await, [1, 2]);
    assert_eq!(seqs(AuditFilter::default()).await, [1, 2, 3, 4]);
}
