//! Authenticators of the ciam identity server.
//!
//! For now: password hashing and verification with argon2id. Later: TOTP, WebAuthn passkeys,
//! email codes and the login flow that orchestrates them.
//!
//! Passkeys ([`passkey`]): registration, passwordless sign-in and second-factor use of WebAuthn
//! credentials. User verification is always required, responses are bound to the configured
//! origin and to one challenge, and signature counters that go backwards are refused as possible
//! clones; keeping each ceremony state server-side and using it once is the caller's job (see
//! the module documentation).
#![warn(missing_docs)]

pub mod password;

pub use password::{PasswordError, PasswordHasher, PasswordPolicy};
pub mod passkey;
pub use passkey::{PasskeyError, PasskeyRp, PasskeyUse, StoredPasskey};
