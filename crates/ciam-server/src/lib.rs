//! HTTP layer of the ciam identity server: configuration, the management API, operations
//! endpoints and telemetry. The only crate that knows HTTP; protocol rules live in the engine
//! crates and storage behind the ports of `ciam-core`.

pub mod admin;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
mod directory;
pub mod error;
pub mod http;
mod issuance;
pub mod mail;
pub mod metadata_documents;
pub mod oidc;
pub mod ops;
pub mod outbound;
mod outbox;
pub mod risk;
pub mod services;
pub mod state;
pub mod telemetry;
mod throttle;

pub use app::{App, app};
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
