//! Domain core of the ciam identity server.
//!
//! Typed identifiers, validated entities, secret newtypes and the store ports (traits) that the
//! protocol code calls. This crate performs no I/O and depends on no web framework, database or
//! cache client: adapters live in `ciam-store`, HTTP in `ciam-server`.
#![warn(missing_docs)]

pub mod acr;
pub mod admin;
pub mod agent;
pub mod audit;
pub mod authorization_details;
pub mod chaining;
pub mod client;
pub mod client_metadata;
pub mod clock;
pub mod contrast;
pub mod email;
pub mod factor;
pub mod federation;
pub mod id;
pub mod invitation;
pub mod keyspace;
pub mod locale;
pub mod metadata_document;
pub mod outbox;
pub mod page;
pub mod purpose;
pub mod redirect;
pub mod refresh;
pub mod region;
pub mod resource;
pub mod retention;
pub mod saml_app;
pub mod scope;
pub mod secret;
pub mod signing_key;
pub mod signup;
pub mod store;
pub mod tenant;
pub mod user;
pub mod validation;

pub use acr::{Acr, Amr};
pub use clock::{Clock, SystemClock};
pub use id::{ClientId, Region, TenantId, UserId};
pub use validation::{FieldError, Rule, Unit};
