//! Z02: DPoP proofs: any string is refused or verified with the key in its own header, never a
//! panic; the claims check of a verified proof never panics either.
#![no_main]

use ciam_oauth::dpop::{Request, check_claims};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    if let Ok(proof) = ciam_jose::dpop::verify_proof(token) {
        let request =
            Request { method: "POST", url: "https://as.example/t/acme/token", now: 1_800_000_000, access_token: None };
        let _ = check_claims(&proof.claims, &request);
    }
});
