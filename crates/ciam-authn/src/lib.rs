//! Authenticators of the ciam identity server.
//!
//! For now: password hashing and verification with argon2id. Later: TOTP, WebAuthn passkeys,
//! email codes and the login flow that orchestrates them.
#![warn(missing_docs)]

pub mod password;

pub use password::{PasswordError, PasswordHasher, PasswordPolicy};
pub mod passkey;
pub use passkey::{PasskeyError, PasskeyRp, PasskeyUse, StoredPasskey};
