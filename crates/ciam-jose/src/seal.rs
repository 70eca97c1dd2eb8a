//! Envelope encryption of secrets at rest (signing keys today; TOTP seeds later).
//!
//! AES-256-GCM with a random 96-bit nonce per message (aws-lc-rs `RandomizedNonceKey`). Each
//! sealed value names the master key that sealed it (`v1.{key_id}.{base64url(nonce|ct|tag)}`), so
//! the master key can be rotated by sealing new values under a new id while old ones still open.
//! The associated data binds a ciphertext to its owner (e.g. `tenant/kid`): a sealed value copied
//! into another row does not open.

use std::fmt;
use std::fmt::Write as _;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The master key is not 32 bytes of base64url.
    #[error("the master key must be 32 random bytes, base64url encoded (43 characters)")]
    BadMasterKey,
    /// The value was sealed under another master key.
    #[error("sealed with master key {0}, which is not configured")]
    UnknownKey(String),
    /// The value is malformed, tampered with, or bound to another owner.
    #[error("sealed value cannot be opened (tampered, truncated or bound to another owner)")]
    Invalid,
}

/// The key that seals secrets at rest.
pub struct MasterKey {
    id: String,
    key: RandomizedNonceKey,
    /// HMAC-SHA-256 under a key derived from the master key, for [`MasterKey::pseudonym`].
    pseudonyms: aws_lc_rs::hmac::Key,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, [redacted])", self.id)
    }
}

impl MasterKey {
    /// Loads a master key from its base64url text. Its id is derived from the key (first 8
    /// characters of the base64url SHA-256), so nodes configured with the same key agree on it.
    pub fn from_base64(text: &str) -> Result<Self, SealError> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| SealError::BadMasterKey)?;
        if bytes.len() != 32 {
            return Err(SealError::BadMasterKey);
        }
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
        let id = URL_SAFE_NO_PAD.encode(digest.as_ref()).chars().take(8).collect();
        let key = RandomizedNonceKey::new(&AES_256_GCM, &bytes).map_err(|_| SealError::BadMasterKey)?;
        // A separate key for pseudonyms, so the AES key is never used as an HMAC key.
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &bytes), b"ciam pseudonym key v1");
        let pseudonyms = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
        Ok(Self { id, key, pseudonyms })
    }

    /// A fresh random master key as base64url text (for first start and `ciam` tooling).
    pub fn generate_base64() -> String {
        ciam_core::secret::random_token(32)
    }

    /// The key's id, as written into sealed values.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A keyed pseudonym of `value` within `context` (a tenant): hex HMAC-SHA-256 under a key
    /// derived from the master key and `context`. The same value gives the same pseudonym on every
    /// node configured with this master key, so it can be looked up; without the master key it
    /// cannot be computed, nor reversed.
    pub fn pseudonym(&self, context: &str, value: &str) -> String {
        let per_context = hmac::sign(&self.pseudonyms, context.as_bytes());
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, per_context.as_ref()), value.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in tag.as_ref() {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }

    /// Seals `plaintext`, bound to `owner`.
    pub fn seal(&self, owner: &str, plaintext: &[u8]) -> Result<String, SealError> {
        let mut buf = plaintext.to_vec();
        let nonce =
            self.key.seal_in_place_append_tag(Aad::from(owner.as_bytes()), &mut buf).map_err(|_| SealError::Invalid)?;
        let mut out = nonce.as_ref().to_vec();
        out.extend_from_slice(&buf);
        Ok(format!("v1.{}.{}", self.id, URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens a value sealed by [`MasterKey::seal`] for the same `owner`.
    pub fn open(&self, owner: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SealError::Invalid);
        };
        if id != self.id {
            return Err(SealError::UnknownKey(id.to_owned()));
        }
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Invalid)?;
        let (nonce, ct) = raw.split_at_checked(NONCE_LEN).ok_or(SealError::Invalid)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Invalid)?;
        let mut buf = ct.to_vec();
        let plain =
            self.key.open_in_place(nonce, Aad::from(owner.as_bytes()), &mut buf).map_err(|_| SealError::Invalid)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_bound_to_owner() {
        let k = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let sealed = k.seal("acme/kid1", b"private key bytes").unwrap();
        assert!(sealed.starts_with(&format!("v1.{}.", k.id())));
        assert!(!sealed.contains("private"));
        assert_eq!(k.open("acme/kid1", &sealed).unwrap(), b"private key bytes");
        assert!(matches!(k.open("other/kid1", &sealed), Err(SealError::Invalid)), "bound to its owner");
        let again = k.seal("acme/kid1", b"private key bytes").unwrap();
        assert_ne!(sealed, again, "random nonce per message");
    }

    #[test]
    fn tampering_and_foreign_keys_are_detected() {
        let k = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let other = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let sealed = k.seal("o", b"secret").unwrap();
        let mut chars: Vec<char> = sealed.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        assert!(k.open("o", &tampered).is_err());
        assert!(matches!(other.open("o", &sealed), Err(SealError::UnknownKey(_))));
        for bad in ["", "v1", "v2.x.y", "v1.id", &format!("v1.{}.!!", k.id()), &format!("v1.{}.AAAA", k.id())] {
            assert!(k.open("o", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_per_context() {
        let k = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let other = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
        let p = k.pseudonym("acme", "user-1");
        assert_eq!(p.len(), 64);
        assert!(p.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(p, k.pseudonym("acme", "user-1"), "stable");
        assert_ne!(p, k.pseudonym("globex", "user-1"), "per context");
        assert_ne!(p, k.pseudonym("acme", "user-2"));
        assert_ne!(p, other.pseudonym("acme", "user-1"), "keyed");
    }

    #[test]
    fn master_key_format_is_checked_and_never_printed() {
        assert!(MasterKey::from_base64("short").is_err());
        assert!(MasterKey::from_base64(&"A".repeat(44)).is_err());
        let text = MasterKey::generate_base64();
        let k = MasterKey::from_base64(&text).unwrap();
        assert!(!format!("{k:?}").contains(&text));
        assert_eq!(MasterKey::from_base64(&text).unwrap().id(), k.id(), "same key, same id");
    }
}
