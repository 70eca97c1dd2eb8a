//! Secrets: random generation, hashing at rest and constant-time comparison.
//!
//! # Security
//! Server-generated bearer secrets (client secrets, admin tokens, later codes and refresh tokens)
//! carry 256 bits from the OS CSPRNG, so a single SHA-256 is a sufficient at-rest hash; they are
//! looked up by hash and compared with [`subtle`]. Passwords are user-chosen and low-entropy: they
//! are hashed with argon2id in `ciam-authn`, never here.

use std::fmt::{self, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `len` bytes from the operating system's CSPRNG, base64url without padding (RFC 6749
/// Appendix A `VSCHAR`-safe).
///
/// # Panics
/// Never in practice: `getrandom` fails only when the OS has no entropy source at all, in which
/// case continuing with a predictable token would be worse than stopping.
pub fn random_token(len: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(len))
}

/// `len` bytes from the operating system's CSPRNG, for secrets with their own alphabet.
///
/// # Panics
/// Never in practice: see [`random_token`].
#[allow(clippy::expect_used)] // invariant documented on random_token: no entropy means no safe secrets.
pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A secret string whose `Debug` output is redacted and which has no `Display`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// A fresh server-generated secret with 256 bits of entropy.
    pub fn generate() -> Self {
        Self::new(random_token(32))
    }

    /// The secret value: the one greppable escape hatch.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The at-rest hash of this secret.
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(self.expose_secret())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

/// SHA-256 of a high-entropy secret, hex encoded, as stored at rest.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretHash(String);

impl SecretHash {
    /// The hash of `secret`.
    pub fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{b:02x}");
        }
        Self(hex)
    }

    /// A stored hash read back from the database.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `presented` hashes to this value, in constant time.
    ///
    /// # Security
    /// Comparing fixed-length digests with [`ConstantTimeEq`] reveals neither the secret's length
    /// nor the position of the first differing byte.
    pub fn verify(&self, presented: &str) -> bool {
        let other = Self::of(presented);
        bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_long_and_distinct_rfc6749_10_10() {
        let a = random_token(32);
        let b = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2-super-secret");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", s.hash()).contains(s.hash().as_str()));
    }

    #[test]
    fn hash_verifies_only_the_same_secret() {
        let s = Secret::generate();
        let h = s.hash();
        assert!(h.verify(s.expose_secret()));
        assert!(!h.verify("wrong"));
        assert!(!h.verify(""));
        assert_eq!(SecretHash::of("abc").as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
