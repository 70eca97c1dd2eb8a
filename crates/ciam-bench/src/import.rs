//! `ciam-bench --import N`: how long `POST /admin/v1/tenants/{t}/users:import` takes to bring
//! in N users with bcrypt hashes, as one NDJSON body streamed from this process (the way a
//! migration sends an export), on each backend. The hashes are stored, not verified, at import:
//! the figure is the import's own cost (parsing, the hash's format check, the batched writes).
//! One imported user then signs in, so the run also proves the imported hash works.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::procfs;
use crate::target::Target;

/// A bcrypt hash (cost 5) of the benchmark's password, as an Auth0 export carries one per user.
const BCRYPT: &str = "$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";

/// What one import measured.
pub(crate) struct Imported {
    pub(crate) users: usize,
    pub(crate) elapsed: Duration,
    pub(crate) created: u64,
    /// The server's CPU time over the import.
    pub(crate) cpu: Duration,
    /// The server's peak resident memory after it, KiB.
    pub(crate) peak_kib: u64,
}

/// The NDJSON of `users` users (about 200 bytes a line: 20 MB for 100,000), built before the
/// clock starts.
fn body(users: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(users * 200);
    for i in 0..users {
        let line = json!({"email": format!("user{i}@import.example"), "email_verified": true,
                          "name": format!("User {i}"), "external_id": format!("auth0|{i:024}"),
                          "password_hash": BCRYPT});
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Imports `users` users into the benchmark tenant of `target` and signs the last one in.
pub(crate) async fn run(target: &Target, users: usize) -> Result<Imported> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(900)).build()?;
    let body = body(users);
    let cpu_before = procfs::cpu_time(target.pid())?;
    let started = Instant::now();
    let res = client
        .post(target.url("/admin/v1/tenants/bench/users:import"))
        .bearer_auth(target.admin_token())
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .context("send the import")?;
    if !res.status().is_success() {
        bail!("the import answered {}", res.status());
    }
    let report = res.text().await.context("read the report")?;
    let elapsed = started.elapsed();
    let cpu = procfs::cpu_time(target.pid())?.saturating_sub(cpu_before);
    let summary: Value = report.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    if summary.get("complete") != Some(&Value::Bool(true)) {
        bail!("the import did not complete: {summary}");
    }
    let created = summary.pointer("/summary/created").and_then(Value::as_u64).unwrap_or(0);
    if created != users as u64 {
        bail!("{created} of {users} users created: {summary}");
    }
    target.sign_in_as(&format!("user{}@import.example", users - 1)).await.context("an imported user signs in")?;
    let peak_kib = procfs::memory(target.pid())?.peak_kib;
    Ok(Imported { users, elapsed, created, cpu, peak_kib })
}
