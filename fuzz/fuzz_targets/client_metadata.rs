//! Z10 (registration): client metadata (RFC 7591) from any JSON: refused or made into a client
//! that passes the client rules and is never first-party.
#![no_main]

use ciam_core::client_metadata::{ClientMetadata, Limits};
use ciam_core::id::{ClientId, TenantId};
use ciam_core::scope::ScopeSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(meta) = ClientMetadata::from_json(value) else { return };
    let (Ok(tenant), Ok(scopes)) = (TenantId::parse("acme"), ScopeSet::parse_space_separated("openid email")) else {
        return;
    };
    let limits = Limits { confidential: true, scopes: scopes.clone(), fallback_name: "App".into() };
    if let Ok(client) = meta.into_client(&tenant, ClientId::generate(), &limits, time::OffsetDateTime::UNIX_EPOCH) {
        assert!(client.validate().is_ok());
        assert!(!client.first_party);
        assert!(client.scopes.is_subset(&scopes));
    }
});
