//! Z07: PKCE. Input: a challenge, a newline, a verifier. A challenge is 43 base64url
//! characters; a verifier outside 43-128 unreserved characters never verifies.
#![no_main]

use ciam_oauth::pkce::CodeChallenge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let (challenge, verifier) = data.split_once('\n').unwrap_or((data, data));
    let Some(c) = CodeChallenge::parse(challenge) else { return };
    assert_eq!(c.as_str().len(), 43);
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if c.verify(verifier) {
        assert!(well_formed);
        assert_eq!(CodeChallenge::of_verifier(verifier), c);
    }
});
