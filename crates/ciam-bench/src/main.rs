//! `ciam-bench`: the side-by-side benchmark (issue #7). Starts `target/dist/ciam` on the
//! embedded default and on Postgres + Redis, and the peer (node `oidc-provider` 9, in
//! `bench/peer/`), provisions the same clients on each, drives the same loads with its own small
//! HTTP/1.1 load generator, and prints one table: throughput, latency percentiles and the
//! server's CPU time per request, with the resident memory of every server.
//!
//! Usage and the measured numbers: `docs/performance.md`, "Side-by-side benchmark".

mod ceiling;
mod console;
mod import;
mod load;
mod process;
mod procfs;
mod report;
mod scenario;
mod soak;
mod target;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::load::Plan;
use crate::report::{Column, Report};
use crate::target::{Backend, Kind, Target};

/// Side-by-side benchmark of ciam against node oidc-provider.
#[derive(Parser, Debug)]
#[command(name = "ciam-bench", version)]
struct Args {
    /// Measured time per scenario and connection count (after the warm-up): 10s, 500ms, 1m.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Warm-up before each measured window (load runs, nothing is recorded).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    warmup: Duration,
    /// Connection counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    connections: Vec<usize>,
    /// ciam's stores: `embedded` (SQLite, in-process) and/or `postgres` (Postgres + Redis).
    #[arg(long, value_delimiter = ',', default_value = "embedded,postgres")]
    backends: Vec<String>,
    /// Scenarios, comma-separated (default all): discovery, jwks, client_credentials,
    /// introspection, refresh, token_exchange, ciba_poll, code_flow, password_sign_in, signup,
    /// sign_in_mix, console (which imports 100,000 users first).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Do not start the peer.
    #[arg(long)]
    no_peer: bool,
    /// Do not run `cargo build --profile dist --bin ciam` first (use the binary as it is).
    #[arg(long)]
    no_build: bool,
    /// The ciam binary (default `target/dist/ciam` of this workspace: the distributed build).
    #[arg(long)]
    ciam_bin: Option<PathBuf>,
    /// ciam's log filter while measured (`info`, the shipped default, logs every request).
    #[arg(long, default_value = "info")]
    ciam_log_level: String,
    /// Measure everything this many times, each time on freshly started servers, and report
    /// each row's run with the median throughput (and the median peak memory): steadier figures
    /// on a noisy machine, at that many times the duration.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=9))]
    repeat: u32,
    /// Instead of the load scenarios: a soak of this length on each backend (30m, 2h): the
    /// mix of client credentials, introspection, token exchange and code flow at 60 % of the
    /// server's capacity, sampled every 30 s (memory, descriptors, p99, errors), with a verdict.
    #[arg(long, value_parser = parse_duration)]
    soak: Option<Duration>,
    /// Instead of the load scenarios: import this many users with bcrypt hashes through
    /// `users:import` on each backend and report how long it took (the peer is not started).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    import: Option<u64>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s.find(|c: char| !c.is_ascii_digit() && c != '.').map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().map_err(|_| format!("not a duration: {s}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("unknown unit in {s} (use ms, s or m)")),
    };
    if !(secs > 0.0 && secs < 3600.0) {
        return Err(format!("out of range: {s}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let interrupted = runtime.block_on(async {
        // Ctrl-C or SIGTERM drops the run, and with it every process, directory, database and
        // key prefix, before this returns.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = run(args) => r.map(|()| None),
            _ = tokio::signal::ctrl_c() => Ok(Some(130)),
            _ = term.recv() => Ok(Some(143)),
        }
    })?;
    drop(runtime);
    if let Some(code) = interrupted {
        eprintln!("stopped by a signal; servers stopped and temporary data removed");
        std::process::exit(code);
    }
    Ok(())
}

/// The workspace root (this crate lives in `crates/ciam-bench`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

async fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let scenarios: Vec<String> = if args.scenarios.is_empty() {
        scenario::ALL.iter().map(|s| (*s).to_owned()).collect()
    } else {
        args.scenarios.clone()
    };
    if let Some(bad) = scenarios.iter().find(|s| !scenario::ALL.contains(&s.as_str())) {
        bail!("unknown scenario {bad}; known: {}", scenario::ALL.join(", "));
    }
    let mut backends = Vec::new();
    for b in &args.backends {
        backends.push(match b.as_str() {
            "embedded" => Backend::Embedded,
            "postgres" => Backend::Postgres,
            other => bail!("unknown backend {other} (embedded, postgres)"),
        });
    }
    if args.connections.is_empty() || args.connections.contains(&0) {
        bail!("--connections needs positive counts");
    }
    if !args.no_build {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        eprintln!("building the server: {cargo} build --profile dist --bin ciam");
        let status = tokio::process::Command::new(&cargo)
            .args(["build", "--profile", "dist", "--bin", "ciam"])
            .current_dir(&root)
            .kill_on_drop(true)
            .status()
            .await
            .context("run cargo")?;
        if !status.success() {
            bail!("cargo build --profile dist --bin ciam failed");
        }
    }
    let bin = args.ciam_bin.clone().unwrap_or_else(|| root.join("target").join("dist").join("ciam"));
    if !bin.exists() {
        bail!("{} does not exist: run `cargo build --profile dist --bin ciam` first", bin.display());
    }

    if let Some(users) = args.import {
        return import_only(&bin, &backends, users as usize, &args.ciam_log_level).await;
    }
    if let Some(length) = args.soak {
        return soak_only(&bin, &backends, length, &args.ciam_log_level).await;
    }
    let sign_ins =
        scenarios.iter().any(|s| ["password_sign_in", "signup", scenario::SIGN_IN_MIX].contains(&s.as_str()));
    let ceiling_before = if sign_ins { Some(ceiling::argon2_per_sec(ceiling::WINDOW).await?) } else { None };
    let mut report = Report::new(&scenarios, &args.connections);
    let mut order: Vec<(&str, Option<Backend>)> = Vec::new();
    for b in &backends {
        match b {
            Backend::Embedded => order.push(("ciam", Some(*b))),
            Backend::Postgres => order.push(("ciam pg+redis", Some(*b))),
        }
        if *b == Backend::Embedded && !args.no_peer {
            order.push(("peer", None));
        }
    }
    if !args.no_peer && !backends.contains(&Backend::Embedded) {
        order.push(("peer", None));
    }
    for (label, backend) in order {
        let mut runs = Vec::new();
        for run in 1..=args.repeat {
            eprintln!("== {label}: starting (run {run} of {})", args.repeat);
            let started = match backend {
                Some(b) => Target::ciam(&bin, b, &args.ciam_log_level).await,
                None => Target::peer(&root.join("bench").join("peer")).await,
            };
            let mut target = match started {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("== {label}: not measured: {e:#}");
                    runs = vec![Column::failed(label, format!("{e:#}"))];
                    break;
                }
            };
            runs.push(measure(&mut target, label, &scenarios, &args).await);
            target.stop().await;
        }
        report.add(Column::median(runs));
    }
    if let Some(before) = ceiling_before {
        report.argon2_ceiling = Some((before, ceiling::argon2_per_sec(ceiling::WINDOW).await?));
    }
    println!("{}", report.render(&args.duration, &args.warmup, args.repeat));
    Ok(())
}

/// `--import N`: one import of N users per backend, on a fresh server each.
async fn import_only(bin: &Path, backends: &[Backend], users: usize, log_level: &str) -> Result<()> {
    println!("| backend | users | time | users/s | server CPU | peak memory |");
    println!("|---|---|---|---|---|---|");
    for &backend in backends {
        let label = match backend {
            Backend::Embedded => "ciam (embedded)",
            Backend::Postgres => "ciam pg+redis",
        };
        eprintln!("== {label}: importing {users} users");
        let target = Target::ciam(bin, backend, log_level).await?;
        let measured = import::run(&target, users).await;
        target.stop().await;
        let m = measured.with_context(|| format!("the import on {label}"))?;
        println!(
            "| {label} | {} | {:.1} s | {:.0} | {:.1} s | {} MiB |",
            m.created,
            m.elapsed.as_secs_f64(),
            m.users as f64 / m.elapsed.as_secs_f64(),
            m.cpu.as_secs_f64(),
            m.peak_kib / 1024
        );
    }
    Ok(())
}

/// `--soak LENGTH`: one soak per backend, on a fresh server each; fails when one did not pass.
async fn soak_only(bin: &Path, backends: &[Backend], length: Duration, log_level: &str) -> Result<()> {
    let mut failed = false;
    for &backend in backends {
        let label = match backend {
            Backend::Embedded => "ciam (embedded)",
            Backend::Postgres => "ciam pg+redis",
        };
        eprintln!("== {label}: soaking for {length:?}");
        let mut target = Target::ciam(bin, backend, log_level).await?;
        let soaked = soak::run(&mut target, length).await;
        target.stop().await;
        let (samples, failures) = soaked.with_context(|| format!("the soak on {label}"))?;
        println!("{}", soak::render(label, &samples, &failures));
        failed |= !failures.is_empty();
    }
    if failed {
        bail!("a soak did not pass");
    }
    Ok(())
}

/// Every scenario at every connection count on one server.
async fn measure(target: &mut Target, label: &str, scenarios: &[String], args: &Args) -> Column {
    let mut column = Column::new(label, target.kind == Kind::Ciam, target.idle);
    for scenario in scenarios {
        for &connections in &args.connections {
            let plan = Plan { connections, warmup: args.warmup, duration: args.duration, pause: None };
            if scenario == scenario::SIGN_IN_MIX {
                let rows = sign_in_mix(target, plan).await;
                for (row, result) in scenario::MIX_ROWS.iter().zip(rows) {
                    log_row(label, row, connections, &result);
                    column.record(row, connections, result.map_err(|e| format!("{e:#}")), None);
                }
                column.record_memory(scenario, connections, procfs::memory(target.pid()).ok());
                continue;
            }
            let result = async {
                let Some(work) = target.work(scenario, plan).await? else { return Ok(None) };
                let m = load::run(target.addr(), target.pid(), Arc::new(work), plan).await?;
                Ok::<_, anyhow::Error>(Some(m))
            }
            .await;
            log_row(label, scenario, connections, &result);
            let memory = procfs::memory(target.pid()).ok();
            column.record(scenario, connections, result.map_err(|e| format!("{e:#}")), memory);
        }
    }
    column.final_memory = procfs::memory(target.pid()).ok();
    column
}

fn log_row(label: &str, row: &str, connections: usize, result: &Result<Option<load::Measured>>) {
    match result {
        Ok(Some(m)) => eprintln!(
            "   {label} {row} @{connections}: {:.0}/s p50 {:?} p99 {:?} cpu {:.0} µs/op (driver {:.0}, postgres {:.0}, redis {:.0}) errors {}",
            m.per_sec,
            m.p50,
            m.p99,
            m.cpu_us_per_op.unwrap_or(f64::NAN),
            m.driver_us_per_op.unwrap_or(f64::NAN),
            m.postgres_us_per_op.unwrap_or(f64::NAN),
            m.redis_us_per_op.unwrap_or(f64::NAN),
            m.errors
        ),
        Ok(None) => eprintln!("   {label} {row} @{connections}: n/a"),
        Err(e) => eprintln!("   {label} {row} @{connections}: failed: {e:#}"),
    }
}

/// The three loads of [`scenario::SIGN_IN_MIX`] in one window, in the order of
/// [`scenario::MIX_ROWS`]. Their CPU shares one process, so only the sign-ins carry a CPU
/// figure (all of the server's CPU over the sign-ins completed).
async fn sign_in_mix(target: &mut Target, plan: Plan) -> [Result<Option<load::Measured>>; 3] {
    let works = async {
        let Some(sign_in) = target.work("password_sign_in", plan).await? else { return Ok(None) };
        let cc_plan = Plan { connections: scenario::MIX_CLIENT_CREDENTIALS, ..plan };
        let Some(cc) = target.work("client_credentials", cc_plan).await? else { return Ok(None) };
        let health = scenario::Work::Get { path: "/healthz".into() };
        Ok::<_, anyhow::Error>(Some([
            (sign_in, plan),
            (cc, cc_plan),
            (health, Plan { connections: 1, pause: Some(scenario::PROBE_EVERY), ..plan }),
        ]))
    };
    let works = match works.await {
        Ok(Some(w)) => w,
        Ok(None) => return [Ok(None), Ok(None), Ok(None)],
        Err(e) => {
            let failed = || Err(anyhow::anyhow!("{e:#}"));
            return [failed(), failed(), failed()];
        }
    };
    let (addr, pid) = (target.addr(), target.pid());
    let [a, b, c] = works.map(|(work, plan)| load::run(addr, pid, Arc::new(work), plan));
    let (a, b, c) = tokio::join!(a, b, c);
    let without_cpu = |r: Result<load::Measured>| {
        r.map(|m| {
            let unmeasured = load::Measured {
                cpu_us_per_op: None,
                driver_us_per_op: None,
                postgres_us_per_op: None,
                redis_us_per_op: None,
                ..m
            };
            Some(unmeasured)
        })
    };
    [a.map(Some), without_cpu(b), without_cpu(c)]
}
