//! Z04: `application/x-www-form-urlencoded` bodies of the OAuth endpoints: decoded or refused,
//! never a panic; a non-repeatable parameter read back is the one value sent for it.
#![no_main]

use ciam_oauth::form::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Ok(params) = Params::parse(body) else { return };
    for name in ["grant_type", "code", "redirect_uri", "scope", "client_id", "code_verifier"] {
        if let Some(value) = params.get(name) {
            assert!(!value.is_empty(), "empty values are dropped");
        }
    }
});
