//! Server processes under test: spawned with `kill_on_drop`, their output drained (a full pipe
//! would stall them) and searched for the line announcing the listening address; stopped with
//! SIGTERM and, if they linger, SIGKILL. Temporary directories are removed on drop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// A temporary directory, removed with everything in it on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Result<Self> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ciam-bench-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How much of a process's early output is kept for error messages.
const KEEP: usize = 16 * 1024;

/// A running server.
pub(crate) struct Process {
    pub(crate) addr: SocketAddr,
    pub(crate) pid: u32,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Process {
    /// Spawns `cmd` and waits (at most `limit`) for a JSON line from which `ready` reads the
    /// listening address.
    pub(crate) async fn spawn(
        name: &str,
        mut cmd: Command,
        ready: fn(&Value) -> Option<SocketAddr>,
        limit: Duration,
    ) -> Result<Self> {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = cmd.spawn().with_context(|| format!("spawn {name}"))?;
        let pid = child.id().ok_or_else(|| anyhow!("{name} exited at once"))?;
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<SocketAddr>();
        if let Some(out) = child.stdout.take() {
            tokio::spawn(drain(out, output.clone(), tx.clone(), ready));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(drain(err, output.clone(), tx, ready));
        }
        let mut process = Self { addr: SocketAddr::from(([127, 0, 0, 1], 0)), pid, child, output };
        match tokio::time::timeout(limit, rx.recv()).await {
            Ok(Some(addr)) => {
                process.addr = addr;
                Ok(process)
            }
            _ => {
                let _ = process.child.start_kill();
                bail!("{name} did not become ready within {limit:?}; its output:\n{}", process.output())
            }
        }
    }

    /// The start of what the process printed.
    pub(crate) fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// SIGTERM, then SIGKILL after `grace`.
    pub(crate) async fn stop(mut self, grace: Duration) {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status();
        if tokio::time::timeout(grace, self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// Reads a process's output: lines (kept, and searched for the ready line) until it is ready,
/// then raw chunks that are thrown away.
async fn drain(
    stream: impl AsyncRead + Unpin,
    output: Arc<Mutex<String>>,
    tx: tokio::sync::mpsc::UnboundedSender<SocketAddr>,
    ready: fn(&Value) -> Option<SocketAddr>,
) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Ok(mut o) = output.lock()
            && o.len() < KEEP
        {
            o.push_str(&line);
        }
        if let Some(addr) = serde_json::from_str::<Value>(&line).ok().as_ref().and_then(ready) {
            let _ = tx.send(addr);
            break;
        }
    }
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}
