//! Password hashing with argon2id (RFC 9106) on a bounded blocking pool.
//!
//! # Security
//! - Parameters are OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1), the crate default.
//! - Hashing runs on `spawn_blocking` behind a semaphore: a burst of sign-ins or user imports can
//!   occupy at most `max_concurrent` blocking threads, so token requests never starve.
//! - [`PasswordHasher::verify_or_dummy`] verifies against a dummy hash when the user is unknown,
//!   so response time does not reveal whether an account exists.
//! - The password is compared exactly as typed: no trimming, no case folding, no truncation.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use ciam_core::FieldError;
use ciam_core::secret::Secret;
use ciam_core::user::PasswordHash;
use tokio::sync::Semaphore;

/// Why hashing failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The hashing worker could not run (runtime shutting down) or argon2 failed.
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The tenant password rules checked before hashing.
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        // NIST SP 800-63B §3.1.1.2: at least 8 characters, at least 64 allowed.
        Self { min_length: 8 }
    }
}

/// The longest password accepted, in bytes: long enough for any passphrase, short enough that a
/// megabyte "password" cannot be used to burn CPU.
pub const MAX_PASSWORD_BYTES: usize = 1024;

impl PasswordPolicy {
    /// Checks a new password against the policy. The error never echoes the password.
    pub fn check(&self, password: &Secret) -> Result<(), FieldError> {
        let p = password.expose_secret();
        if p.chars().count() < self.min_length {
            return Err(FieldError::new("password", format!("must be at least {} characters", self.min_length)));
        }
        if p.len() > MAX_PASSWORD_BYTES {
            return Err(FieldError::new("password", format!("must be at most {MAX_PASSWORD_BYTES} bytes")));
        }
        Ok(())
    }
}

/// Hashes and verifies passwords off the async runtime, a bounded number at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
}

impl PasswordHasher {
    /// A hasher that runs at most `max_concurrent` argon2 computations at once.
    pub fn new(max_concurrent: usize) -> Result<Self, PasswordError> {
        let dummy = hash_blocking(&Secret::generate())?;
        Ok(Self { permits: Arc::new(Semaphore::new(max_concurrent.max(1))), dummy: dummy.as_str().into() })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: Secret) -> Result<PasswordHash, PasswordError> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when `hash` is `None`
    /// (unknown user), so both cases take the same time. `false` for a malformed stored hash.
    pub async fn verify_or_dummy(&self, password: Secret, hash: Option<PasswordHash>) -> Result<bool, PasswordError> {
        let known = hash.is_some();
        let phc: String = hash.map_or_else(|| self.dummy.to_string(), |h| h.as_str().to_owned());
        let ok = self
            .run(move || Argon2::default().verify_password(password.expose_secret().as_bytes(), phc.as_str()).is_ok())
            .await?;
        Ok(ok && known)
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordError> {
        let _permit = self.permits.acquire().await.map_err(|e| PasswordError::Hashing(e.to_string()))?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(f)).await.map_err(|e| PasswordError::Hashing(e.to_string()))
    }
}

fn hash_blocking(password: &Secret) -> Result<PasswordHash, PasswordError> {
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .map(|h| PasswordHash::new(h.to_string()))
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify_exactly_as_typed_asvs_6_2_8() {
        let h = PasswordHasher::new(2).unwrap();
        let pw = "correct horse battery staple ".repeat(3);
        let hash = h.hash(Secret::new(pw.clone())).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify_or_dummy(Secret::new(pw.clone()), Some(hash.clone())).await.unwrap());
        // no trimming, no case folding, no truncation
        for wrong in [pw.trim().to_owned(), pw.to_uppercase(), format!("{pw}x"), pw[..pw.len() - 1].to_owned()] {
            assert!(!h.verify_or_dummy(Secret::new(wrong), Some(hash.clone())).await.unwrap());
        }
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_the_dummy_password() {
        let h = PasswordHasher::new(1).unwrap();
        assert!(!h.verify_or_dummy(Secret::new("anything"), None).await.unwrap());
        let garbage = PasswordHash::new("not-a-phc-string".into());
        assert!(!h.verify_or_dummy(Secret::new("anything"), Some(garbage)).await.unwrap());
    }

    #[test]
    fn policy_errors_do_not_echo_the_password() {
        let p = PasswordPolicy::default();
        let e = p.check(&Secret::new("short")).unwrap_err();
        assert_eq!(e.field, "password");
        assert!(!e.message.contains("short"));
        assert!(p.check(&Secret::new("x".repeat(MAX_PASSWORD_BYTES + 1))).is_err());
        assert!(p.check(&Secret::new("long enough")).is_ok());
    }
}
