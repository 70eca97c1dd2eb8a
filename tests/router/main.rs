//! Router tests: `ciam_server::app(state)` driven with `tower::ServiceExt::oneshot`, in process,
//! on the in-process ephemeral store and an in-memory SQLite database. No port is served and no
//! process started, so each rule here costs milliseconds: the token error matrix (RFC 6749 §5.2),
//! authorization errors as pages versus redirects (§4.1.2.1), DPoP and bearer challenges (RFC 9449,
//! RFC 6750) and the management API's RFC 9457 problems. What needs a real process (the binary,
//! the CLI, Postgres and Redis, shutdown, browsers, outbound HTTP) stays in `tests/e2e`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod admin;
mod authorize;
mod branding;
mod checklist;
mod discovery;
mod dpop;
mod harness;
mod introspection;
mod jar;
mod languages;
mod pagination;
mod par;
mod testing_tenant;
mod token;
