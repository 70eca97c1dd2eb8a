//! `ciam users import --tenant T FILE`: sends an NDJSON export to a server's import endpoint
//! (`POST /admin/v1/tenants/{tenant}/users:import`), in requests of at most [`CHUNK_BYTES`] cut
//! at line ends, so a file of any size goes through without being held in memory. It shows the
//! progress on a terminal, prints each refused line with its number in the file, and ends with
//! the counts. A run stopped half-way is simply run again: the import is idempotent.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

/// The most bytes sent in one request (the endpoint takes up to 32 MiB).
const CHUNK_BYTES: usize = 16 << 20;

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users created.
    pub created: u64,
    /// Users the tenant already had.
    pub existing: u64,
    /// Lines refused (each printed with its reason).
    pub refused: u64,
}

/// Imports `file` into `tenant` on the server at `base` (its public URL) with the admin `token`;
/// prints refused lines to standard output as they come.
pub async fn run(base: &url::Url, token: &str, tenant: &str, file: &Path) -> anyhow::Result<Counts> {
    let open = || std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()));
    // The lines are counted (a first read of the file) only for a progress bar someone sees.
    let shown = std::io::stderr().is_terminal();
    let total = if shown {
        BufReader::new(open()?).lines().map_while(Result::ok).filter(|l| !l.trim().is_empty()).count()
    } else {
        0
    };
    let endpoint = base.join(&format!("admin/v1/tenants/{tenant}/users:import")).context("the server's URL")?;
    let http =
        reqwest::Client::builder().user_agent(concat!("ciam/", env!("CARGO_PKG_VERSION"), " users import")).build()?;
    let mut progress = Progress { total, done: 0, shown };
    let mut counts = Counts::default();
    let (mut chunk, mut offset, mut lines) = (Vec::new(), 0u64, 0u64);
    for line in BufReader::new(open()?).split(b'\n') {
        let line = line.with_context(|| format!("cannot read {}", file.display()))?;
        chunk.extend_from_slice(&line);
        chunk.push(b'\n');
        lines += 1;
        if chunk.len() >= CHUNK_BYTES {
            send(&http, &endpoint, token, std::mem::take(&mut chunk), offset, &mut counts, &mut progress).await?;
            offset = lines;
        }
    }
    if !chunk.is_empty() {
        send(&http, &endpoint, token, chunk, offset, &mut counts, &mut progress).await?;
    }
    progress.finish();
    Ok(counts)
}

/// The progress line on a terminal's standard error.
struct Progress {
    total: usize,
    done: usize,
    shown: bool,
}

impl Progress {
    fn step(&mut self) {
        self.done += 1;
        if self.shown && (self.done.is_multiple_of(500) || self.done == self.total) {
            let pct = (self.done * 100).checked_div(self.total).unwrap_or(100).min(100);
            let filled = pct / 5;
            eprint!(
                "\r[{}{}] {}/{} users ({pct}%)",
                "#".repeat(filled),
                " ".repeat(20 - filled),
                self.done,
                self.total
            );
            let _ = std::io::stderr().flush();
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// Sends one chunk (whose first line is line `offset + 1` of the file) and reads its report.
async fn send(
    http: &reqwest::Client,
    endpoint: &url::Url,
    token: &str,
    chunk: Vec<u8>,
    offset: u64,
    counts: &mut Counts,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let mut res = http
        .post(endpoint.clone())
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/x-ndjson")
        .body(chunk)
        .send()
        .await
        .with_context(|| format!("cannot reach {endpoint}"))?;
    if !res.status().is_success() {
        let status = res.status();
        let problem: Value = res.json().await.unwrap_or(Value::Null);
        let detail = problem.get("detail").and_then(Value::as_str).unwrap_or("");
        bail!("the server refused the import ({status}): {detail}");
    }
    let mut pending = Vec::new();
    while let Some(bytes) = res.chunk().await.context("the report was cut off")? {
        pending.extend_from_slice(&bytes);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            report_line(&line, offset, counts, progress)?;
        }
    }
    Ok(())
}

/// Takes one line of the server's report into the counts; prints a refused line.
fn report_line(raw: &[u8], offset: u64, counts: &mut Counts, progress: &mut Progress) -> anyhow::Result<()> {
    let line: Value = serde_json::from_slice(raw).context("a report line is not JSON")?;
    if line.get("summary").is_some() {
        if line.get("complete") != Some(&Value::Bool(true)) {
            let why = line.get("stopped").and_then(Value::as_str).unwrap_or("no reason given");
            bail!("the import stopped: {why}; run it again to go on (what was imported is found again)");
        }
        return Ok(());
    }
    let number = line.get("line").and_then(Value::as_u64).unwrap_or(0) + offset;
    match line.get("status").and_then(Value::as_str) {
        Some("created") => counts.created += 1,
        Some("existing") => counts.existing += 1,
        _ => {
            counts.refused += 1;
            let field = line.get("field").and_then(Value::as_str).unwrap_or("");
            let reason = line.get("reason").and_then(Value::as_str).unwrap_or("refused");
            let what = if field.is_empty() { reason.to_owned() } else { format!("{field}: {reason}") };
            if progress.shown {
                eprint!("\r");
            }
            println!("line {number}: {what}");
        }
    }
    progress.step();
    Ok(())
}
