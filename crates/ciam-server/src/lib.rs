//! HTTP layer of the ciam identity server: configuration, the management API, operations
//! endpoints and telemetry. The only crate that knows HTTP; protocol rules live in the engine
//! crates and storage behind the ports of `ciam-core`.

pub mod admin;
pub mod app;
pub mod cli;
pub mod config;
pub mod error;
pub mod ops;
pub mod state;
pub mod telemetry;

pub use app::{App, app};
pub use config::{Config, ValidatedConfig};
pub use state::AppState;
