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

/// CPU time (user plus system, with that of their exited children) of every process whose
/// command is one of `names` (`postgres`, `redis-server`): what the stores spend, to set
/// beside the server's own. Processes that end between two readings take their time with
/// them; the backends of a connection pool live through a run.
pub(crate) fn cpu_time_of_named(names: &[&str]) -> Duration {
    let mut ticks = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(comm) = std::fs::read_to_string(format!("/proc/{pid}/comm")) else { continue };
        if !names.contains(&comm.trim()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<u64> = rest.split_whitespace().skip(11).take(4).filter_map(|f| f.parse().ok()).collect();
        ticks += fields.iter().sum::<u64>();
    }
    Duration::from_secs_f64(ticks as f64 / ticks_per_sec() as f64)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The processes named as this one count this one's CPU time (a busy loop first, so there is
    /// some), and a name no process has counts nothing.
    #[test]
    fn cpu_time_of_named_processes_counts_them() -> Result<()> {
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while started.elapsed() < Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let own = cpu_time(std::process::id())?;
        let comm = std::fs::read_to_string("/proc/self/comm")?;
        let named = cpu_time_of_named(&[comm.trim()]);
        assert!(own > Duration::ZERO, "{own:?}");
        assert!(named >= own, "{named:?} < {own:?}");
        assert_eq!(cpu_time_of_named(&["no-such-process-name"]), Duration::ZERO);
        Ok(())
    }
}
