//! Authenticators of the ciam identity server.
//!
//! - [`password`]: argon2id hashing on a bounded blocking pool, the password policy (length,
//!   common breached passwords) and rehash-on-login detection.
//! - [`totp`]: authenticator-app codes (RFC 6238) with replay refusal, `otpauth://` URIs and QR
//!   codes as inline SVG.
//! - [`passkey`]: registration, passwordless sign-in and second-factor use of WebAuthn
//!   credentials. User verification is always required, responses are bound to the configured
//!   origin and to one challenge, and signature counters that go backwards are refused as possible
//!   clones; keeping each ceremony state server-side and using it once is the caller's job (see
//!   the module documentation).
//! - [`recovery`]: single-use recovery codes, stored as hashes.
//! - [`reauth`]: what a change to an account's authenticators needs: a recent sign-in with the
//!   account's strongest kind of authenticator.
//! - [`email_code`]: six-digit codes and magic-link tokens sent by email.
//! - [`federation`]: sign-in through an upstream OpenID Connect provider: the ID token's claims
//!   and the rule that links an upstream account to a user without taking over an account.
//!
//! Nothing here touches a database: the caller stores what comes out (hashes, seeds, the last
//! used TOTP step), and nothing here sends anything: mail is the server's outbound adapter
//! (`ciam_server::adapters::mail`). Time is a parameter.
#![warn(missing_docs)]

pub mod email_code;
pub mod federation;
pub mod legacy;
pub mod passkey;
pub mod password;
pub mod reauth;
pub mod recovery;
pub mod totp;

pub use email_code::{OneTimeCode, magic_link_token};
pub use passkey::{PasskeyError, PasskeyRp, PasskeyUse, StoredPasskey};
pub use password::{PasswordError, PasswordHasher, PasswordPolicy};
pub use totp::{TotpError, TotpSeed};
