//! One-time codes and magic links sent by email.
//!
//! A code is six decimal digits, drawn uniformly; a magic link carries a 256-bit base64url token.
//! Both are stored only as SHA-256 hashes, compared in constant time.
//!
//! # Security
//! A six-digit code has only 10^6 values, so its hash does not hide it from someone who reads the
//! database; what protects it is the short life and the attempt limit that the caller enforces:
//! [`CODE_LIFETIME`] and [`MAX_ATTEMPTS`] (five guesses leave a 5 in 200,000 chance). The caller
//! deletes the code after a success or after the last allowed failure. Magic-link tokens carry 256
//! bits, so their hash is as strong as any token hash in the server, and they are looked up by it.

use ciam_core::secret::{Secret, SecretHash, random_bytes};
use time::Duration;

/// How long an emailed code or magic link stays valid.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong guesses allowed for one emailed code before it is deleted.
pub const MAX_ATTEMPTS: u32 = 5;
/// Digits in an emailed code.
pub const CODE_DIGITS: usize = 6;

/// Six-digit codes sent by email.
#[derive(Debug, Clone, Copy)]
pub struct OneTimeCode;

impl OneTimeCode {
    /// A fresh code (to send) and its hash (to store).
    pub fn generate() -> (Secret, String) {
        let code = format!("{:06}", uniform_below(1_000_000));
        let hash = SecretHash::of(&code).as_str().to_owned();
        (Secret::new(code), hash)
    }

    /// Whether `code`, as typed (spaces ignored), is the code behind `hash`, in constant time.
    pub fn verify(hash: &str, code: &str) -> bool {
        let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != CODE_DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        SecretHash::from_stored(hash.to_owned()).verify(&typed)
    }
}

/// A fresh magic-link token: 256 random bits, base64url (to put in the link), and its hash (to
/// store and look the link up by).
pub fn magic_link_token() -> (Secret, String) {
    let token = Secret::generate();
    let hash = token.hash().as_str().to_owned();
    (token, hash)
}

/// The hash under which a presented magic-link token was stored.
pub fn magic_link_hash(token: &str) -> String {
    SecretHash::of(token).as_str().to_owned()
}

/// A uniform integer in `0..bound` (rejection sampling, so no value is favoured).
fn uniform_below(bound: u32) -> u32 {
    // The largest multiple of `bound` that fits in a u32: values at or above it are drawn again.
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let word = <[u8; 4]>::try_from(random_bytes(4).as_slice()).unwrap_or_default();
        let value = u32::from_le_bytes(word);
        if value < zone {
            return value % bound;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_six_digits_and_verify_only_themselves() {
        let (code, hash) = OneTimeCode::generate();
        let c = code.expose_secret().to_owned();
        assert_eq!(c.len(), 6);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
        assert!(!hash.contains(&c));
        assert!(!format!("{code:?}").contains(&c));
        assert!(OneTimeCode::verify(&hash, &c));
        assert!(OneTimeCode::verify(&hash, &format!(" {} {} ", &c[..3], &c[3..])));
        let wrong = format!("{:06}", (c.parse::<u32>().unwrap() + 1) % 1_000_000);
        for bad in [wrong.as_str(), "", &c[..5], &format!("{c}0"), "abcdef"] {
            assert!(!OneTimeCode::verify(&hash, bad), "{bad:?}");
        }
        assert!(!OneTimeCode::verify("not-a-hash", &c));
    }

    #[test]
    fn codes_are_spread_over_the_whole_range() {
        let codes: Vec<u32> =
            (0..2000).map(|_| OneTimeCode::generate().0.expose_secret().parse::<u32>().unwrap()).collect();
        // 2,000 draws from 10^6 values: almost no repeats, every leading digit seen.
        assert!(codes.iter().collect::<HashSet<_>>().len() > 1990);
        let leading: HashSet<u32> = codes.iter().map(|c| c / 100_000).collect();
        assert_eq!(leading.len(), 10);
        assert!(codes.iter().all(|c| *c < 1_000_000));
    }

    #[test]
    fn magic_link_tokens_are_256_bit_base64url_looked_up_by_hash() {
        let (token, hash) = magic_link_token();
        let t = token.expose_secret();
        assert_eq!(t.len(), 43);
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(magic_link_hash(t), hash);
        assert_ne!(magic_link_hash(&t[1..]), hash);
        assert_ne!(magic_link_token().0.expose_secret(), t);
    }

    #[test]
    fn limits_are_the_documented_ones() {
        assert_eq!(CODE_LIFETIME.whole_seconds(), 600);
        assert_eq!(MAX_ATTEMPTS, 5);
    }
}
