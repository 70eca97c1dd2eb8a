//! Black-box tests: the real `ciam` binary on ephemeral ports, driven over HTTP.
//! One test binary for every end-to-end suite, so the workspace links it once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod agents;
mod cimd;
mod cli;
mod device;
mod dpop;
mod embedded;
mod hostile_input;
mod logging;
mod mcp;
mod multinode;
mod oidc;
mod resources;
mod shutdown;
mod token;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ciam");
