//! The types of authorization details a tenant accepts (RFC 9396).

use std::collections::BTreeMap;

use ciam_core::authorization_details::{AuthorizationDetailType, DetailTypeSpec, Narrowing};
use ciam_core::id::TenantId;
use ciam_core::store::{DurableStore, StoreError};
use serde_json::json;

use super::{T0, T1, tenant};

/// A payment type with a schema, a narrowing rule and templates in two languages.
pub fn detail_type(t: &str, id: &str) -> AuthorizationDetailType {
    AuthorizationDetailType {
        tenant_id: TenantId::parse(t).unwrap(),
        id: id.into(),
        spec: DetailTypeSpec {
            schema: json!({"type": "object", "required": ["type", "amount"]}),
            narrowing: BTreeMap::from([("amount".to_owned(), Narrowing::AtMost)]),
            templates: BTreeMap::from([
                ("en".to_owned(), "Pay {amount}".to_owned()),
                ("de".to_owned(), "{amount} zahlen".to_owned()),
            ]),
            approval: None,
        },
        created_at: T0,
        updated_at: T0,
    }
}

/// Types are created once per id and tenant, listed by id, replaced and removed; another
/// tenant's are never seen; a tenant's deletion takes them along.
pub async fn detail_types_are_registered_per_tenant(s: &dyn DurableStore) {
    for t in ["acme", "globex"] {
        s.create_tenant(&tenant(t)).await.unwrap();
    }
    let acme = TenantId::parse("acme").unwrap();
    let globex = TenantId::parse("globex").unwrap();
    let payment = detail_type("acme", "payment_initiation");
    s.create_detail_type(&payment).await.unwrap();
    s.create_detail_type(&detail_type("acme", "https://example.com/rar/booking")).await.unwrap();
    let again = s.create_detail_type(&payment).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict { what: "type" }), "{again:?}");
    s.create_detail_type(&detail_type("globex", "payment_initiation")).await.unwrap();

    let listed = s.list_detail_types(&acme).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["https://example.com/rar/booking", "payment_initiation"]
    );
    assert_eq!(listed[1], payment, "the spec round-trips");

    let mut changed = payment.clone();
    changed.spec.narrowing.clear();
    changed.updated_at = T1;
    assert!(s.update_detail_type(&changed).await.unwrap());
    assert!(!s.update_detail_type(&detail_type("acme", "nothing")).await.unwrap());
    let listed = s.list_detail_types(&acme).await.unwrap();
    assert_eq!((listed[1].spec.narrowing.len(), listed[1].updated_at, listed[1].created_at), (0, T1, T0));
    assert_eq!(s.list_detail_types(&globex).await.unwrap()[0].spec.narrowing.len(), 1, "globex's is its own");

    assert!(s.delete_detail_type(&acme, "payment_initiation").await.unwrap());
    assert!(!s.delete_detail_type(&acme, "payment_initiation").await.unwrap());
    assert_eq!(s.list_detail_types(&acme).await.unwrap().len(), 1);
    assert!(s.delete_tenant(&acme).await.unwrap());
    assert!(s.list_detail_types(&acme).await.unwrap().is_empty());
    assert_eq!(s.list_detail_types(&globex).await.unwrap().len(), 1);
}
