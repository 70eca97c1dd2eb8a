//! Black-box tests: the real `ciam` binary on ephemeral ports, driven over HTTP.
//! One test binary for every end-to-end suite, so the workspace links it once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod account_clock;
mod agents;
mod browser;
mod cimd;
mod cli;
mod device;
mod dpop;
mod embedded;
mod hardening;
mod hostile_input;
mod logging;
mod mail_outbox;
mod mcp;
mod multinode;
mod oidc;
mod probing;
mod redirect_uris;
mod resources;
mod security;
mod shutdown;
mod token;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ciam");

/// The claims of a JWT, unverified (the tests that need verification do it themselves).
pub(crate) fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}
