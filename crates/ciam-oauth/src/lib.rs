//! The OAuth 2.0 / OpenID Connect protocol engine: requests are parsed into validated types,
//! grants are decided here, and every refusal is an [`OAuthError`] with an RFC error code. No
//! HTTP framework, database or cache appears in this crate; the server maps requests in and
//! errors out (`ciam-server/src/error.rs`).
#![warn(missing_docs)]

pub mod authorize;
pub mod chaining;
pub mod ciba;
pub mod claims;
pub mod client_auth;
pub mod code;
pub mod device;
pub mod dpop;
pub mod error;
pub mod exchange;
pub mod fapi;
pub mod form;
pub mod introspection;
pub mod issuer;
pub mod jarm;
pub mod pkce;
pub mod rar;
pub mod registration;
pub mod request_object;
pub mod resource;
pub mod token;
pub mod txn;

pub use error::{ErrorCode, OAuthError};
