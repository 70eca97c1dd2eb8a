//! JOSE for the ciam identity server: signing keys (ES256, RS256, EdDSA), JWK Sets, JWT minting
//! and verification, and envelope encryption of private keys at rest.
//!
//! Signing and verification go through `jsonwebtoken` (aws-lc-rs backend); this crate only
//! decides which key and algorithm a context allows and checks the registered claims with the
//! injected clock (RFC 7519 §4.1, RFC 8725).
#![warn(missing_docs)]

pub mod dpop;
pub mod jwt;
pub mod keyring;
pub mod keys;
pub mod seal;

pub use jwt::{Expect, JwtError, SignatureCache, Verified, mint, verify, verify_cached};
pub use keyring::{Keyring, KeyringError, TenantKeys};
pub use keys::{Alg, KeyError, PublicJwk, SigningKey};
pub use seal::{MasterKey, SealError};
