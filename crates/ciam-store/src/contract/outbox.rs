//! The mail outbox's contract: a message is claimed by one worker at a time (a lease that lapses
//! if the worker dies), retried when it is due again, given up and kept when told so, and
//! deleted once delivered; tenants see only their own messages.

use std::collections::HashSet;
use std::sync::Arc;

use ciam_core::id::TenantId;
use ciam_core::outbox::{MailState, QueuedMail};
use ciam_core::store::{DurableStore, StoreError};
use time::Duration;

use super::{T0, tenant};

pub fn queued(tenant: &str, id: &str, at: time::OffsetDateTime) -> QueuedMail {
    QueuedMail::new(
        TenantId::parse(tenant).unwrap(),
        id.into(),
        format!("v1.sealed.{id}"),
        at,
        at + Duration::minutes(10),
    )
}

pub async fn mail_outbox_claims_retries_and_gives_up(s: &dyn DurableStore) {
    s.create_tenant(&tenant("a")).await.unwrap();
    s.create_tenant(&tenant("b")).await.unwrap();
    let (a, b) = (TenantId::parse("a").unwrap(), TenantId::parse("b").unwrap());
    let m1 = queued("a", "m1", T0);
    let m2 = queued("b", "m2", T0 + Duration::seconds(1));
    let later = queued("a", "m3", T0 + Duration::seconds(60));
    for m in [&m1, &m2, &later] {
        s.enqueue_mail(m).await.unwrap();
    }
    assert_eq!(s.get_mail(&a, "m1").await.unwrap(), Some(m1.clone()));
    assert_eq!(s.get_mail(&b, "m1").await.unwrap(), None, "another tenant's message is not there");
    assert!(matches!(s.enqueue_mail(&m1).await, Err(StoreError::Conflict { what: "mail" })));
    let r = s.enqueue_mail(&queued("nowhere", "m9", T0)).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");

    // The first claim takes what is due, oldest first, and holds it until the lease ends.
    let lease = |at: time::OffsetDateTime| at + Duration::seconds(60);
    let got = s.claim_mail("c1", T0 + Duration::seconds(2), lease(T0), 10).await.unwrap();
    assert_eq!(got.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m1", "m2"], "m3 is not due yet");
    assert!(got.iter().all(|m| m.attempts == 1 && m.claim.as_deref() == Some("c1")), "{got:?}");
    assert_eq!(got[0].locked_until, Some(lease(T0)));
    assert_eq!(got[1].tenant_id, b);
    assert!(s.claim_mail("c2", T0 + Duration::seconds(30), lease(T0), 10).await.unwrap().is_empty(), "held");

    // A failed attempt releases the message until its retry is due; only the holder may.
    assert!(!s.release_failed_mail(&a, "m1", "c2", Some(T0 + Duration::seconds(10)), "x").await.unwrap());
    assert!(!s.release_failed_mail(&b, "m1", "c1", Some(T0 + Duration::seconds(10)), "x").await.unwrap());
    let retry_at = T0 + Duration::seconds(40);
    assert!(s.release_failed_mail(&a, "m1", "c1", Some(retry_at), "connection refused").await.unwrap());
    let m = s.get_mail(&a, "m1").await.unwrap().unwrap();
    assert_eq!((m.state, m.claim, m.locked_until, m.next_attempt_at), (MailState::Pending, None, None, retry_at));
    assert_eq!(m.last_error.as_deref(), Some("connection refused"));
    assert!(s.claim_mail("c3", retry_at - Duration::seconds(1), lease(retry_at), 10).await.unwrap().is_empty());
    let got = s.claim_mail("c3", retry_at, lease(retry_at), 1).await.unwrap();
    assert_eq!(got.iter().map(|m| (m.id.as_str(), m.attempts)).collect::<Vec<_>>(), [("m1", 2)], "the retry");

    // A lapsed lease (its worker died) frees the message; the old claim can no longer finish it.
    let lapsed = lease(T0);
    let got = s.claim_mail("c4", lapsed, lease(lapsed), 10).await.unwrap();
    assert_eq!(got.iter().map(|m| (m.id.as_str(), m.attempts)).collect::<Vec<_>>(), [("m2", 2), ("m3", 1)]);
    assert!(!s.delete_claimed_mail(&b, "m2", "c1").await.unwrap(), "c1's claim lapsed");
    assert!(!s.delete_claimed_mail(&a, "m2", "c4").await.unwrap(), "in another tenant");
    assert!(s.delete_claimed_mail(&b, "m2", "c4").await.unwrap(), "delivered");
    assert_eq!(s.get_mail(&b, "m2").await.unwrap(), None);

    // Given up: kept with its error, never claimed again, purged later.
    assert!(s.release_failed_mail(&a, "m1", "c3", None, &"e".repeat(10_000)).await.unwrap());
    let m = s.get_mail(&a, "m1").await.unwrap().unwrap();
    assert_eq!((m.state, m.claim, m.next_attempt_at), (MailState::Failed, None, retry_at));
    assert!(m.last_error.unwrap().len() <= 500, "the error is bounded");
    let far = T0 + Duration::days(30);
    assert!(s.claim_mail("c5", far, lease(far), 10).await.unwrap().iter().all(|m| m.id != "m1"));
    assert!(!s.delete_claimed_mail(&a, "m1", "c3").await.unwrap(), "a failed message is not deleted as sent");
    assert_eq!(s.purge_failed_mail(T0).await.unwrap(), 0, "queued at T0, not before");
    assert_eq!(s.purge_failed_mail(T0 + Duration::seconds(1)).await.unwrap(), 1);
    assert_eq!(s.get_mail(&a, "m1").await.unwrap(), None);

    // Deleting a tenant deletes its queued mail.
    s.enqueue_mail(&queued("b", "m4", T0)).await.unwrap();
    assert!(s.delete_tenant(&b).await.unwrap());
    s.create_tenant(&tenant("b")).await.unwrap();
    assert_eq!(s.get_mail(&b, "m4").await.unwrap(), None);
}

/// Workers of several nodes claiming at once: each message goes to exactly one of them.
pub async fn mail_outbox_concurrent_claims_take_each_message_once(s: Arc<dyn DurableStore>) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    for i in 0..40 {
        s.enqueue_mail(&queued("acme", &format!("m{i:02}"), T0)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s.claim_mail(&format!("w{worker}"), T0, T0 + Duration::seconds(60), 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                assert!(got.iter().all(|m| m.attempts == 1), "claimed once: {got:?}");
                mine.extend(got.into_iter().map(|m| m.id));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40), "every message claimed, none twice");
}
