//! Black-box tests: the real `ciam` binary on ephemeral ports, driven over HTTP.
//! One test binary for every end-to-end suite, so the workspace links it once. Suites share
//! fixtures through `ciam_testkit` and `support`, never by importing from one another; rules
//! that need no real process are checked faster by the router tests (`tests/router`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod accessibility;
mod account_centre;
mod account_clock;
mod admin_audit;
mod admin_roles;
mod agents;
mod audit_erasure;
mod browser;
mod chaining;
mod ciba;
mod cimd;
mod claims;
mod cli;
mod clock_skew;
mod console;
mod console_clients;
mod console_tenants;
mod dev_tools;
mod device;
mod diagnostics;
mod dpop;
mod embedded;
mod erasure;
mod examples;
mod exchange;
mod fapi;
mod faults;
mod federation;
mod federation_presets;
mod hardening;
mod hostile_input;
mod interop;
mod jar;
mod languages;
mod logging;
mod mail_outbox;
mod mcp;
mod migration;
mod migration_formats;
mod migration_hook;
mod multinode;
mod oidc;
mod passkey_recovery;
mod privacy;
mod probing;
mod rar;
mod redirect_uris;
mod residency;
mod resources;
mod retention;
mod saml;
mod saml_idp;
mod saml_idp_browser;
mod security;
mod self_service;
mod shutdown;
mod support;
mod token;
mod txn_tokens;
mod walkthroughs;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ciam");

pub(crate) use ciam_testkit::claims;
