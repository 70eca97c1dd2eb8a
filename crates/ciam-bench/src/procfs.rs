//! What the kernel knows about a server process: CPU time from `/proc/<pid>/stat` (all threads),
//! resident memory now and at its peak from `/proc/<pid>/status`.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};

/// Clock ticks per second (`getconf CLK_TCK`, 100 on Linux everywhere we know of).
fn ticks_per_sec() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// User plus system CPU time the process has used so far (every thread, not its children).
pub(crate) fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).with_context(|| format!("read stat of {pid}"))?;
    // Field 2 (the command) is in parentheses and may hold spaces: count from after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).ok_or_else(|| anyhow!("malformed /proc/{pid}/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let field = |n: usize| -> Result<u64> {
        fields.get(n - 3).and_then(|f| f.parse().ok()).ok_or_else(|| anyhow!("no field {n} in /proc/{pid}/stat"))
    };
    let ticks = field(14)? + field(15)?;
    Ok(Duration::from_secs_f64(ticks as f64 / ticks_per_sec() as f64))
}

/// Resident memory of the process.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Memory {
    /// `VmRSS`: resident now, in KiB.
    pub(crate) rss_kib: u64,
    /// `VmHWM`: the peak resident set since the process started, in KiB.
    pub(crate) peak_kib: u64,
}

pub(crate) fn memory(pid: u32) -> Result<Memory> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).with_context(|| format!("read status of {pid}"))?;
    let kib = |key: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow!("no {key} in /proc/{pid}/status"))
    };
    Ok(Memory { rss_kib: kib("VmRSS:")?, peak_kib: kib("VmHWM:")? })
}
