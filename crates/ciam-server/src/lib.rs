//! The ciam server: everything that knows HTTP, the process and the outside world, around the
//! engine crates (protocol rules in `ciam-oauth`, authenticators in `ciam-authn`, the risk policy
//! in `ciam-policy`) and the store ports of `ciam-core`.
//!
//! Three layers, one direction (docs/architecture.md):
//! - [`http`] and [`error`]: the extractors every door shares and every response dialect;
//! - the doors, handlers only: [`oidc`] (protocol endpoints and hosted pages), [`admin`] (the
//!   management API), [`ops`]; they never import each other;
//! - [`services`]: what a change does, whichever door it came through (store, cache, audit);
//!   below them the engine crates and [`adapters`] (the node cache over the stores, mail
//!   delivery, outbound fetches, the GeoIP database, the engine's ports).

pub mod adapters;
pub mod admin;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub(crate) mod console;
pub mod dev;
pub mod error;
pub mod http;
pub(crate) mod i18n;
pub mod import;
pub mod oidc;
pub mod ops;
pub mod services;
pub mod state;
pub mod telemetry;

pub use app::{App, app, retention_sweep, rotate_due_keys};
pub use config::{Config, ValidatedConfig};
pub use state::AppState;

#[cfg(test)]
mod tests {
    /// The committed `docs/openapi.json` is what the code generates (an API change shows up in
    /// review as a diff of that file). Regenerate with `cargo run -- openapi > docs/openapi.json`
    /// or `UPDATE_OPENAPI=1 cargo test -p ciam-server openapi_document_is_current`.
    #[test]
    fn openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let generated = format!("{}\n", crate::admin::openapi_json());
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p ciam-server openapi_document_is_current`"
        );
    }
}
