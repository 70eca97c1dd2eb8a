//! `--soak DURATION`: one server under a steady mixed load below its capacity for a long time,
//! sampled every window: resident memory, open file descriptors and sockets, each scenario's
//! throughput, p99 and errors.
//!
//! The load: the scenarios of [`MIX`] at once, [`CONNECTIONS`] connections each, each paced to
//! [`SHARE`] of the whole capacity split evenly (a scenario's capacity is measured alone first).
//! The verdict, after the first fifth of the run (the warm-up): resident memory grows less than
//! 5 %, no scenario's p99 more than doubles from its first window after the warm-up, nothing
//! fails, and descriptors and sockets do not grow beyond the connections' own churn.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use tokio::time::Instant;

use crate::load::{self, Plan};
use crate::procfs;
use crate::target::Target;

/// The scenarios run together.
pub(crate) const MIX: [&str; 4] = ["client_credentials", "introspection", "token_exchange", "code_flow"];
/// Connections per scenario.
const CONNECTIONS: usize = 4;
/// The share of the server's capacity the whole mix uses.
const SHARE: f64 = 0.6;
/// One sample's window.
const WINDOW: Duration = Duration::from_secs(30);
/// Memory may grow this much after the warm-up.
const MEMORY_GROWTH: f64 = 0.05;
/// Descriptors may differ by this many between samples (connections opening and closing).
const FD_SLACK: usize = 16;

/// One window's figures.
pub(crate) struct Sample {
    at: Duration,
    rss_kib: u64,
    fds: usize,
    sockets: usize,
    /// Per scenario of [`MIX`]: operations per second, p99, errors.
    scenarios: Vec<(f64, Duration, u64)>,
}

/// The soak of `target` for `length`; returns the samples and the verdict's failures (none: it
/// passed).
pub(crate) async fn run(target: &mut Target, length: Duration) -> Result<(Vec<Sample>, Vec<String>)> {
    let pauses = pacing(target).await?;
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < length {
        let plan = |pause| Plan { connections: CONNECTIONS, warmup: Duration::ZERO, duration: WINDOW, pause };
        // Built afresh every window (their tokens and pre-signed assertions are short-lived),
        // then run together.
        let mut works = Vec::new();
        for (name, pause) in MIX.iter().zip(&pauses) {
            let Some(work) = target.work(name, plan(Some(*pause))).await? else { bail!("{name} cannot run here") };
            works.push((work, plan(Some(*pause))));
        }
        let (addr, pid) = (target.addr(), target.pid());
        let runs: Vec<_> =
            works.into_iter().map(|(work, plan)| tokio::spawn(load::run(addr, pid, Arc::new(work), plan))).collect();
        let mut scenarios = Vec::new();
        for run in runs {
            let m = run.await??;
            scenarios.push((m.per_sec, m.p99, m.errors));
        }
        let memory = procfs::memory(pid)?;
        let (fds, sockets) = descriptors(pid)?;
        let sample = Sample { at: started.elapsed(), rss_kib: memory.rss_kib, fds, sockets, scenarios };
        eprintln!("   {}", row(&sample));
        samples.push(sample);
    }
    let failures = verdict(&samples);
    Ok((samples, failures))
}

/// The pause after each operation that paces each scenario to its part of [`SHARE`]: measured
/// alone at [`CONNECTIONS`] connections back to back, a scenario completes `c` operations per
/// second, so each connection spends `CONNECTIONS / c` seconds on one; at a rate of
/// `c × SHARE / MIX.len()` it waits the rest.
async fn pacing(target: &mut Target) -> Result<Vec<Duration>> {
    let mut pauses = Vec::new();
    for name in MIX {
        let plan = Plan {
            connections: CONNECTIONS,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(5),
            pause: None,
        };
        let Some(work) = target.work(name, plan).await? else { bail!("{name} cannot run here") };
        let m = load::run(target.addr(), target.pid(), Arc::new(work), plan).await?;
        if m.per_sec <= 0.0 {
            bail!("{name} completed nothing: {}", m.first_error.unwrap_or_default());
        }
        let busy = CONNECTIONS as f64 / m.per_sec;
        let share = SHARE / MIX.len() as f64;
        eprintln!("   {name}: {:.0}/s alone; paced to {:.0}/s", m.per_sec, m.per_sec * share);
        pauses.push(Duration::from_secs_f64(busy * (1.0 / share - 1.0)));
    }
    Ok(pauses)
}

/// Open file descriptors of `pid`, and how many of them are sockets.
fn descriptors(pid: u32) -> Result<(usize, usize)> {
    let (mut fds, mut sockets) = (0, 0);
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))?.flatten() {
        fds += 1;
        if std::fs::read_link(entry.path()).is_ok_and(|l| l.to_string_lossy().starts_with("socket:")) {
            sockets += 1;
        }
    }
    Ok((fds, sockets))
}

/// One of a sample's descriptor counts.
type Count = fn(&Sample) -> usize;

/// What broke the soak's promises (nothing: it passed).
fn verdict(samples: &[Sample]) -> Vec<String> {
    let mut failures = Vec::new();
    let warm = samples.len() / 5;
    let (Some(first), Some(last)) = (samples.get(warm), samples.last()) else {
        return vec!["no sample after the warm-up: run longer".into()];
    };
    let growth = last.rss_kib as f64 / first.rss_kib.max(1) as f64 - 1.0;
    if growth > MEMORY_GROWTH {
        failures.push(format!(
            "resident memory grew {:.1} % after the warm-up ({} to {} MiB)",
            growth * 100.0,
            first.rss_kib / 1024,
            last.rss_kib / 1024
        ));
    }
    for (i, name) in MIX.iter().enumerate() {
        let p99 = |s: &Sample| s.scenarios.get(i).map_or(Duration::ZERO, |x| x.1);
        let worst = samples.iter().skip(warm).map(p99).max().unwrap_or_default();
        if worst > p99(first) * 2 {
            failures.push(format!("{name}: p99 rose from {:?} to {worst:?}", p99(first)));
        }
        let errors: u64 = samples.iter().filter_map(|s| s.scenarios.get(i).map(|x| x.2)).sum();
        if errors > 0 {
            failures.push(format!("{name}: {errors} errors"));
        }
    }
    let counts: [(&str, Count); 2] = [("descriptors", |s| s.fds), ("sockets", |s| s.sockets)];
    for (what, count) in counts {
        let most = samples.iter().skip(warm).map(count).max().unwrap_or_default();
        if most > count(first) + FD_SLACK {
            failures.push(format!("open {what} grew from {} to {most}", count(first)));
        }
    }
    failures
}

fn row(s: &Sample) -> String {
    let mut out = format!(
        "| {} min {:02} s | {} | {} | {} |",
        s.at.as_secs() / 60,
        s.at.as_secs() % 60,
        s.rss_kib / 1024,
        s.fds,
        s.sockets
    );
    for (per_sec, p99, errors) in &s.scenarios {
        let _ = write!(out, " {per_sec:.0}/s, p99 {:.1} ms, {errors} |", p99.as_secs_f64() * 1000.0);
    }
    out
}

/// The samples as a Markdown table, and the verdict.
pub(crate) fn render(label: &str, samples: &[Sample], failures: &[String]) -> String {
    let mut out = format!("### {label}\n\n| time | RSS (MiB) | fds | sockets |");
    for name in MIX {
        let _ = write!(out, " {name} (rate, p99, errors) |");
    }
    out.push_str("\n|---|---|---|---|");
    for _ in MIX {
        out.push_str("---|");
    }
    out.push('\n');
    for s in samples {
        out.push_str(&row(s));
        out.push('\n');
    }
    if failures.is_empty() {
        out.push_str("\nPassed: memory, p99, errors and descriptors held after the warm-up.\n");
    } else {
        out.push_str("\nFailed:\n");
        for f in failures {
            let _ = writeln!(out, "- {f}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(minute: u64, rss_mib: u64, fds: usize, p99_ms: u64, errors: u64) -> Sample {
        Sample {
            at: Duration::from_secs(minute * 60),
            rss_kib: rss_mib * 1024,
            fds,
            sockets: fds / 2,
            scenarios: vec![(100.0, Duration::from_millis(p99_ms), errors); MIX.len()],
        }
    }

    #[test]
    fn a_steady_run_passes_and_growth_latency_errors_and_leaks_fail() {
        // The warm-up (the first fifth) may grow; after it, flat.
        let steady: Vec<_> = (0..10).map(|m| sample(m, if m < 2 { 40 + m * 20 } else { 80 }, 60, 5, 0)).collect();
        assert!(verdict(&steady).is_empty(), "{:?}", verdict(&steady));

        let growing: Vec<_> = (0..10).map(|m| sample(m, 80 + m * 2, 60, 5, 0)).collect();
        assert!(verdict(&growing).iter().any(|f| f.contains("resident memory grew")));
        let slower: Vec<_> = (0..10).map(|m| sample(m, 80, 60, if m == 9 { 20 } else { 5 }, 0)).collect();
        assert!(verdict(&slower).iter().any(|f| f.contains("p99 rose")));
        let failing: Vec<_> = (0..10).map(|m| sample(m, 80, 60, 5, u64::from(m == 5))).collect();
        assert!(verdict(&failing).iter().any(|f| f.contains("errors")));
        let leaking: Vec<_> = (0..10).map(|m| sample(m, 80, 60 + usize::try_from(m).unwrap() * 10, 5, 0)).collect();
        assert!(verdict(&leaking).iter().any(|f| f.contains("descriptors grew")));
        assert!(!verdict(&[]).is_empty(), "no sample is no pass");
    }
}
