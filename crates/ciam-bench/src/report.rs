//! The one table the benchmark prints (Markdown, so it can go into `docs/performance.md` as is),
//! with the memory of every server and the notes that say what the numbers are.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::load::Measured;
use crate::procfs::Memory;
use crate::scenario::{CIBA_POLL, CONSOLE, MIX_ROWS, SIGN_IN_MIX};

type Outcome = Result<Option<Measured>, String>;

/// Everything measured on one server.
pub(crate) struct Column {
    label: String,
    is_ciam: bool,
    idle: Option<Memory>,
    pub(crate) final_memory: Option<Memory>,
    /// VmHWM after each row, to say which scenario drove the peak.
    peaks: Vec<(String, usize, u64)>,
    results: HashMap<(String, usize), Outcome>,
    failed: Option<String>,
}

impl Column {
    pub(crate) fn new(label: &str, is_ciam: bool, idle: Memory) -> Self {
        Self {
            label: label.into(),
            is_ciam,
            idle: Some(idle),
            final_memory: None,
            peaks: Vec::new(),
            results: HashMap::new(),
            failed: None,
        }
    }

    pub(crate) fn failed(label: &str, why: String) -> Self {
        Self {
            label: label.into(),
            is_ciam: label.starts_with("ciam"),
            idle: None,
            final_memory: None,
            peaks: Vec::new(),
            results: HashMap::new(),
            failed: Some(why),
        }
    }

    pub(crate) fn record(&mut self, scenario: &str, connections: usize, outcome: Outcome, memory: Option<Memory>) {
        self.results.insert((scenario.to_owned(), connections), outcome);
        self.record_memory(scenario, connections, memory);
    }

    /// The peak after a row, to say which scenario drove it.
    pub(crate) fn record_memory(&mut self, scenario: &str, connections: usize, memory: Option<Memory>) {
        if let Some(m) = memory {
            self.peaks.push((scenario.to_owned(), connections, m.peak_kib));
        }
    }

    /// The first row after which the peak was within 10% of the final peak.
    fn peak_reached_in(&self) -> Option<String> {
        let last = self.peaks.last()?.2;
        let (s, c, _) = self.peaks.iter().find(|(_, _, p)| *p as f64 >= 0.9 * last as f64)?;
        Some(format!("{s} @{c}"))
    }

    fn get(&self, scenario: &str, connections: usize) -> Option<&Outcome> {
        self.results.get(&(scenario.to_owned(), connections))
    }

    /// One column from the runs of the same server: each row is the run with the median
    /// throughput (the lower middle of an even count; failed runs only where all failed), and
    /// the memory figures are those of the run with the median peak.
    pub(crate) fn median(mut runs: Vec<Column>) -> Column {
        let peak = |c: &Column| c.final_memory.map_or(0, |m| m.peak_kib);
        runs.sort_by_key(peak);
        let middle = runs.len().saturating_sub(1) / 2;
        let mut rows: HashMap<(String, usize), Vec<Outcome>> = HashMap::new();
        for run in &mut runs {
            for (key, outcome) in run.results.drain() {
                rows.entry(key).or_default().push(outcome);
            }
        }
        let Some(mut column) = runs.into_iter().nth(middle) else {
            return Column::failed("?", "nothing was measured".into());
        };
        for (key, outcomes) in rows {
            column.results.insert(key, median_outcome(outcomes));
        }
        column
    }
}

/// The measured run with the median throughput, else the first outcome (n/a or a failure).
fn median_outcome(outcomes: Vec<Outcome>) -> Outcome {
    let mut measured: Vec<Measured> = outcomes.iter().filter_map(|o| o.as_ref().ok().cloned().flatten()).collect();
    measured.sort_by(|a, b| a.per_sec.total_cmp(&b.per_sec));
    let middle = measured.len().saturating_sub(1) / 2;
    match measured.into_iter().nth(middle) {
        Some(m) => Ok(Some(m)),
        None => outcomes.into_iter().next().unwrap_or(Ok(None)),
    }
}

pub(crate) struct Report {
    scenarios: Vec<String>,
    connections: Vec<usize>,
    columns: Vec<Column>,
    /// The machine's argon2id hashes per second, measured before the first server started and
    /// after the last one stopped (see `ceiling`).
    pub(crate) argon2_ceiling: Option<(f64, f64)>,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{ms:.1} ms") }
}

fn rate(r: f64) -> String {
    if r >= 100.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// A CPU time per operation in whole microseconds, `?` where it was not measured.
fn micros(us: Option<f64>) -> String {
    us.map_or("?".into(), |c| format!("{c:.0}"))
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

/// Throughput, p50, p99 and CPU per operation, or what stands in their place.
fn cells(outcome: Option<&Outcome>, with_p50: bool) -> Vec<String> {
    let n = if with_p50 { 4 } else { 3 };
    match outcome {
        Some(Ok(Some(m))) => {
            let mut v = vec![rate(m.per_sec)];
            if with_p50 {
                v.push(ms(m.p50));
            }
            v.push(ms(m.p99));
            v.push(micros(m.cpu_us_per_op));
            v
        }
        Some(Ok(None)) => vec!["n/a".into(); n],
        Some(Err(_)) => vec!["failed".into(); n],
        None => vec!["-".into(); n],
    }
}

impl Report {
    /// A report with one row per scenario and connection count ([`SIGN_IN_MIX`] has three).
    pub(crate) fn new(scenarios: &[String], connections: &[usize]) -> Self {
        let scenarios = scenarios
            .iter()
            .flat_map(|s| {
                if s == SIGN_IN_MIX { MIX_ROWS.iter().map(|r| (*r).to_owned()).collect() } else { vec![s.clone()] }
            })
            .collect();
        Self { scenarios, connections: connections.to_vec(), columns: Vec::new(), argon2_ceiling: None }
    }

    pub(crate) fn add(&mut self, column: Column) {
        self.columns.push(column);
    }

    fn column(&self, label: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.label == label)
    }

    pub(crate) fn render(&self, duration: &Duration, warmup: &Duration, repeat: u32) -> String {
        let ciam = self.column("ciam");
        let peer = self.column("peer");
        let pg = self.column("ciam pg+redis");
        let mut out = String::new();
        let runs = if repeat > 1 {
            format!(" (each row: the median-throughput run of {repeat}, each on freshly started servers)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\nciam-bench: {duration:?} measured after a {warmup:?} warm-up per row{runs}; loopback; the load \
             generator shares the machine's cores.\n"
        );
        let mut head = vec!["scenario", "conns", "ciam req/s", "p50", "p99", "server CPU µs/req", "driver CPU µs/req"];
        if peer.is_some() {
            head.extend(["peer req/s", "peer p50", "peer p99", "peer CPU µs/req", "ratio ciam/peer"]);
        }
        if pg.is_some() {
            head.extend([
                "pg+redis req/s",
                "pg+redis p99",
                "pg+redis CPU µs/req",
                "postgres CPU µs/req",
                "redis CPU µs/req",
            ]);
        }
        let _ = writeln!(out, "| {} |", head.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
        for s in &self.scenarios {
            for &c in &self.connections {
                let name = match s.as_str() {
                    "code_flow" => "code_flow (flows/s)".to_owned(),
                    _ => s.clone(),
                };
                let mine = ciam.and_then(|col| col.get(s, c));
                let mut row = vec![name, c.to_string()];
                row.extend(cells(mine, true));
                row.push(match mine {
                    Some(Ok(Some(m))) => micros(m.driver_us_per_op),
                    _ => "-".into(),
                });
                if let Some(p) = peer {
                    let theirs = p.get(s, c);
                    row.extend(cells(theirs, true));
                    row.push(match (mine, theirs) {
                        (Some(Ok(Some(a))), Some(Ok(Some(b)))) if b.per_sec > 0.0 => {
                            format!("{:.2}", a.per_sec / b.per_sec)
                        }
                        _ => "-".into(),
                    });
                }
                if let Some(p) = pg {
                    let theirs = p.get(s, c);
                    row.extend(cells(theirs, false));
                    row.extend(match theirs {
                        Some(Ok(Some(m))) => [micros(m.postgres_us_per_op), micros(m.redis_us_per_op)],
                        _ => ["-".into(), "-".into()],
                    });
                }
                let _ = writeln!(out, "| {} |", row.join(" | "));
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "Resident memory (VmRSS just after start / peak VmHWM at the end):");
        for col in &self.columns {
            match (&col.failed, col.idle, col.final_memory) {
                (Some(why), _, _) => {
                    let _ = writeln!(out, "- {}: not measured: {why}", col.label);
                }
                (None, Some(idle), fin) => {
                    let peak = fin.map_or("?".into(), |m| mb(m.peak_kib));
                    let during = col.peak_reached_in().map(|r| format!(" (reached during {r})")).unwrap_or_default();
                    let _ = writeln!(out, "- {}: idle {}, peak {peak}{during}", col.label, mb(idle.rss_kib));
                }
                (None, None, _) => {}
            }
        }
        let _ = writeln!(out, "\nNotes:");
        let _ = writeln!(
            out,
            "- server CPU µs/req: the server's user + system time (all threads, /proc/<pid>/stat) over the measured \
             window, divided by the requests completed in it. On Postgres + Redis it leaves out the work of \
             those two servers, which postgres CPU µs/req and redis CPU µs/req give: the CPU time of every \
             postgres and redis-server process of the machine over the same window, per request."
        );
        let _ = writeln!(
            out,
            "- driver CPU µs/req: the load generator's own CPU time over the same window (beside ciam), what it \
             takes of the cores the server shares with it."
        );
        if self.scenarios.iter().any(|s| s == "code_flow") {
            let _ = writeln!(
                out,
                "- code_flow: one flow (authorize riding an SSO session with remembered consent → 303 with a code → \
                 token with PKCE → userinfo) counts as one request; its CPU figure is per flow."
            );
        }
        if self.scenarios.iter().any(|s| s == CIBA_POLL) {
            let _ = writeln!(
                out,
                "- ciba_poll: the CIBA agent (client_secret_basic) polls the token endpoint for one of up to 20 \
                 backchannel requests for Ada that nobody answers, in turn; every answer must be 400 \
                 authorization_pending or slow_down. The polls come far faster than the interval, so after the \
                 first poll of each request all are slow_down: the CPU figure is what a poll too soon costs; a poll \
                 on time (authorization_pending) is not measured here. ciam only."
            );
        }
        if self.scenarios.iter().any(|s| s == CONSOLE) {
            let _ = writeln!(
                out,
                "- console: an administrator's console session (role admin of the benchmark tenant, imported to \
                 100,000 users first) opens, in turn, the tenant's users list at one of 1,000 cursors spread over \
                 the tenant, one of those users' pages, a search by the start of a name (a page of 50 in name \
                 order) and the tenant's overview (its activity counted from the audit trail); each page is one \
                 request (HTML, rendered on the server). ciam only."
            );
        }
        let sign_ins = ["password_sign_in", "signup", MIX_ROWS[0]];
        if let Some((before, after)) =
            self.argon2_ceiling.filter(|_| self.scenarios.iter().any(|s| sign_ins.contains(&s.as_str())))
        {
            let ceiling = (before + after) / 2.0;
            let _ = writeln!(
                out,
                "- password_sign_in: a fresh browser opens the login page and posts the password (one argon2id \
                 verification); signup: a fresh browser opens the sign-up page and creates an account (one argon2id \
                 hash, one user row, one verification mail queued). The machine's argon2 ceiling, measured by this \
                 run with the server's hasher on every core: {before:.0}/s before the first server started, \
                 {after:.0}/s after the last one stopped; the shares below are of their mean, {ceiling:.0}/s."
            );
            for col in self.columns.iter().filter(|c| c.is_ciam) {
                for row in sign_ins {
                    for &c in &self.connections {
                        if let Some(Ok(Some(m))) = col.get(row, c) {
                            let _ = writeln!(
                                out,
                                "  - {} {row} @{c}: {:.0}% of the argon2 ceiling",
                                col.label,
                                100.0 * m.per_sec / ceiling
                            );
                        }
                    }
                }
            }
        }
        if self.scenarios.iter().any(|s| s == MIX_ROWS[0]) {
            let _ = writeln!(
                out,
                "- sign_in_mix: password sign-ins at the row's connection count, {cc} connections of \
                 client_credentials and one connection polling /healthz every {every} ms, all at once; compare its \
                 client_credentials row with the client_credentials row at {cc} connections. CPU is the server's \
                 whole CPU over the sign-ins alone.",
                cc = crate::scenario::MIX_CLIENT_CREDENTIALS,
                every = crate::scenario::PROBE_EVERY.as_millis()
            );
        }
        if peer.is_some() {
            let _ = writeln!(
                out,
                "- peer: node oidc-provider 9 (bench/peer/peer.mjs), one process, state in a Map (no size cap). Its introspection \
                 row introspects an opaque access token (oidc-provider refuses to introspect JWT access tokens); its \
                 refresh and code-flow access tokens are opaque (userinfo tokens); token exchange, CIBA and the \
                 password form are not available (n/a)."
            );
        }
        let mut problems = Vec::new();
        for col in &self.columns {
            for s in &self.scenarios {
                for &c in &self.connections {
                    match col.get(s, c) {
                        Some(Ok(Some(m))) if m.errors > 0 || (m.ops == 0 && m.first_error.is_some()) => {
                            problems.push(format!(
                                "- {} {s} @{c}: {} failed operations; first: {}",
                                col.label,
                                m.errors,
                                m.first_error.as_deref().unwrap_or("?")
                            ));
                        }
                        Some(Err(e)) => problems.push(format!("- {} {s} @{c}: failed: {e}", col.label)),
                        _ => {}
                    }
                }
            }
        }
        if !problems.is_empty() {
            let _ = writeln!(out, "\nErrors:\n{}", problems.join("\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(per_sec: f64) -> Outcome {
        Ok(Some(Measured {
            ops: 1,
            errors: 0,
            per_sec,
            p50: Duration::ZERO,
            p99: Duration::ZERO,
            cpu_us_per_op: None,
            driver_us_per_op: None,
            postgres_us_per_op: None,
            redis_us_per_op: None,
            first_error: None,
        }))
    }

    fn column(per_sec: f64, peak_kib: u64) -> Column {
        let memory = Memory { rss_kib: 1, peak_kib };
        let mut c = Column::new("ciam", true, memory);
        c.record("jwks", 16, run(per_sec), Some(memory));
        c.record("refresh", 16, if per_sec > 150.0 { Err("refused".into()) } else { run(per_sec) }, Some(memory));
        c.final_memory = Some(memory);
        c
    }

    #[test]
    fn each_row_is_the_median_run_and_memory_the_median_peak() {
        let merged = Column::median(vec![column(300.0, 30), column(100.0, 10), column(200.0, 20)]);
        let per_sec =
            |row: &str| merged.get(row, 16).and_then(|o| o.as_ref().ok().cloned().flatten()).map(|m| m.per_sec);
        assert_eq!(per_sec("jwks"), Some(200.0));
        assert_eq!(per_sec("refresh"), Some(100.0), "a failed run is left out while another measured");
        assert_eq!(merged.final_memory.map(|m| m.peak_kib), Some(20));
        let two = Column::median(vec![column(100.0, 10), column(120.0, 12)]);
        assert_eq!(
            two.get("jwks", 16).and_then(|o| o.as_ref().ok().cloned().flatten()).map(|m| m.per_sec),
            Some(100.0)
        );
    }
}
