//! The invitation port: stored without the token, used once.

use ciam_core::email::Email;
use ciam_core::id::{TenantId, UserId};
use ciam_core::page::PageRequest;
use ciam_core::store::DurableStore;

use super::{T0, T1, tenant};

/// Invitations: stored without their token, found by its hash, used once (also when two uses
/// race), withdrawn only while pending, and not once expired; listed in id order.
pub async fn invitations_are_used_once(s: &dyn DurableStore) {
    use ciam_core::invitation::{Invitation, InvitationState};
    s.create_tenant(&tenant("acme")).await.unwrap();
    let acme = TenantId::parse("acme").unwrap();
    let invite = |id: &str, email: &str| Invitation {
        tenant_id: acme.clone(),
        id: id.into(),
        email: Email::parse(email).unwrap(),
        created_at: T0,
        expires_at: T1,
        used_at: None,
        user_id: None,
        revoked_at: None,
    };
    let a = invite("inv_a", "Ada@Example.com");
    s.create_invitation(&a, "hash-a").await.unwrap();
    s.create_invitation(&invite("inv_b", "bob@example.com"), "hash-b").await.unwrap();
    assert_eq!(s.find_invitation(&acme, "hash-a").await.unwrap(), Some(a.clone()));
    assert_eq!(s.find_invitation(&acme, "hash-x").await.unwrap(), None);
    assert_eq!(s.get_invitation(&acme, "inv_a").await.unwrap(), Some(a.clone()));
    let page = s.list_invitations(&acme, &PageRequest { limit: 1, after: None }).await.unwrap();
    assert_eq!(page.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["inv_a"]);
    let rest = s.list_invitations(&acme, &PageRequest { limit: 10, after: page.next_after }).await.unwrap();
    assert_eq!(rest.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["inv_b"]);

    let user = UserId::generate();
    let during = T0 + time::Duration::hours(1);
    let (first, second) =
        tokio::join!(s.use_invitation(&acme, "inv_a", &user, during), s.use_invitation(&acme, "inv_a", &user, during));
    assert!(first.unwrap() ^ second.unwrap(), "one of two racing uses wins");
    let used = s.get_invitation(&acme, "inv_a").await.unwrap().unwrap();
    assert_eq!((used.used_at, used.user_id), (Some(during), Some(user)));
    assert_eq!(used.state(during), InvitationState::Used);
    assert!(!s.revoke_invitation(&acme, "inv_a", during).await.unwrap(), "a used invitation is not withdrawn");
    assert!(!s.use_invitation(&acme, "inv_b", &user, T1).await.unwrap(), "expired: not used");
    assert!(s.revoke_invitation(&acme, "inv_b", during).await.unwrap());
    assert!(!s.use_invitation(&acme, "inv_b", &user, during).await.unwrap(), "withdrawn: not used");
    assert!(s.get_invitation(&TenantId::parse("other").unwrap(), "inv_b").await.unwrap().is_none());
}
