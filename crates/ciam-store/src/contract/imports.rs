//! Importing users from another system: one transaction, nothing created twice.

use ciam_core::id::TenantId;
use ciam_core::store::DurableStore;
use ciam_core::user::{Imported, ImportedUser, PasswordHash};

use super::{tenant, user};

/// An import creates new users with their hashes and external ids; importing the same lines
/// again finds every user (by external id, else by email, also for a changed address) and
/// creates nobody; a user deleted since is imported afresh; later lines see earlier ones.
pub async fn imports_create_each_user_once(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let acme = TenantId::parse("acme").unwrap();
    let line = |email: &str, external: Option<&str>| ImportedUser {
        user: user("acme", email),
        password: Some(PasswordHash::new(format!("$2b$05$hash-of-{email}"))),
        external_id: external.map(str::to_owned),
    };
    let existing = user("acme", "bob@example.com");
    s.create_user(&existing, None).await.unwrap();

    let batch =
        [line("ada@example.com", Some("u-1")), line("Bob@Example.com", Some("u-2")), line("ADA@example.com", None)];
    let first = s.import_users(&acme, &batch).await.unwrap();
    let ada = batch[0].user.id;
    assert_eq!(first, [Imported::Created(ada), Imported::Existing(existing.id), Imported::Existing(ada)]);
    assert_eq!(s.get_user(&acme, &ada).await.unwrap().unwrap().email.as_str(), "ada@example.com");
    assert_eq!(s.password_hash(&acme, &ada).await.unwrap().unwrap().as_str(), "$2b$05$hash-of-ada@example.com");
    assert_eq!(s.password_hash(&acme, &existing.id).await.unwrap(), None, "an existing user is left as it is");
    assert_eq!(s.external_id(&acme, &ada).await.unwrap().as_deref(), Some("u-1"));
    assert_eq!(s.external_id(&acme, &existing.id).await.unwrap().as_deref(), Some("u-2"), "recorded for Bob");

    // Again, with Bob's address changed in the export: his external id (recorded the first
    // time) still finds him.
    let again = [line("ada@example.com", Some("u-1")), line("robert@example.com", Some("u-2"))];
    assert_eq!(
        s.import_users(&acme, &again).await.unwrap(),
        [Imported::Existing(ada), Imported::Existing(existing.id)]
    );
    assert!(s.find_user_by_email(&acme, "robert@example.com").await.unwrap().is_none(), "nobody created");

    // A user deleted since is imported afresh (the external id went with them).
    assert!(s.delete_user(&acme, &ada).await.unwrap());
    let fresh = [line("ada@example.com", Some("u-1"))];
    assert_eq!(s.import_users(&acme, &fresh).await.unwrap(), [Imported::Created(fresh[0].user.id)]);
}
