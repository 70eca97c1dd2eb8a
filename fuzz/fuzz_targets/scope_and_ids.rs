//! Z06, Z12: the scope parameter, identifiers and email addresses. An accepted scope set prints
//! back as itself; an address's normal form is a fixed point.
#![no_main]

use ciam_core::email::Email;
use ciam_core::id::{ClientId, TenantId};
use ciam_core::scope::ScopeSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(set) = ScopeSet::parse_space_separated(s) {
        assert_eq!(ScopeSet::parse_space_separated(&set.to_string()).ok(), Some(set));
    }
    if let Ok(email) = Email::parse(s) {
        let again = Email::parse(email.normalized()).map(|e| e.normalized().to_owned());
        assert_eq!(again.as_deref(), Ok(email.normalized()));
    }
    let _ = TenantId::parse(s);
    let _ = ClientId::parse(s);
});
