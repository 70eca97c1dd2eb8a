//! The load generator: a fixed number of HTTP/1.1 keep-alive connections (hyper 1, one tokio task
//! each), each running one operation after another for a warm-up and then a fixed measured
//! window; latencies go into an HdrHistogram, the server's CPU time is read from `/proc` at the
//! window's edges.
//!
//! It is deliberately small: it shares the machine's cores with the server it measures, so every
//! cycle it spends is one the server does not get.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use hdrhistogram::Histogram;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::procfs;
use crate::scenario::{ConnState, Work};

/// A browser's user agent: ciam's risk policy treats a missing one as a bot marker.
pub(crate) const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/// One answer, body read in full.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    /// The answer if it has `status`, else an error naming what came instead.
    pub(crate) fn expect(self, status: u16, what: &str) -> Result<Self> {
        if self.status.as_u16() == status {
            return Ok(self);
        }
        let body = String::from_utf8_lossy(self.body.get(..300).unwrap_or(&self.body)).into_owned();
        bail!("{what}: expected {status}, got {}: {body}", self.status)
    }

    /// The `Location` header.
    pub(crate) fn location(&self) -> Result<&str> {
        self.headers.get(http::header::LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| anyhow!("no Location"))
    }
}

/// One keep-alive connection to the target; reconnects after an error.
pub(crate) struct Conn {
    addr: SocketAddr,
    host: HeaderValue,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub(crate) fn new(addr: SocketAddr) -> Result<Self> {
        Ok(Self { addr, host: HeaderValue::from_str(&addr.to_string())?, sender: None })
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.addr).await.with_context(|| format!("connect {}", self.addr))?;
            stream.set_nodelay(true)?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or_else(|| anyhow!("no connection"))
    }

    /// Sends one request; on any transport error the connection is dropped (the next call
    /// opens a new one) and the error returned.
    pub(crate) async fn send(&mut self, req: Req<'_>) -> Result<Answer> {
        let mut builder = Request::builder()
            .method(req.method)
            .uri(req.path)
            .header(HOST, self.host.clone())
            .header(USER_AGENT, BROWSER_UA);
        if let Some(auth) = req.auth {
            builder = builder.header(AUTHORIZATION, auth);
        }
        if let Some(cookie) = req.cookie
            && !cookie.is_empty()
        {
            builder = builder.header(COOKIE, cookie);
        }
        let body = match req.form {
            Some(form) => {
                builder = builder.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body)?;
        let result = async {
            let sender = self.sender().await?;
            sender.ready().await?;
            let res = sender.send_request(request).await?;
            let (parts, body) = res.into_parts();
            let body = body.collect().await?.to_bytes();
            Ok::<_, anyhow::Error>(Answer { status: parts.status, headers: parts.headers, body })
        }
        .await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }
}

/// A request as the scenarios describe it.
pub(crate) struct Req<'a> {
    pub(crate) method: Method,
    pub(crate) path: &'a str,
    pub(crate) auth: Option<&'a str>,
    pub(crate) cookie: Option<&'a str>,
    pub(crate) form: Option<String>,
}

impl<'a> Req<'a> {
    pub(crate) fn get(path: &'a str) -> Self {
        Self { method: Method::GET, path, auth: None, cookie: None, form: None }
    }

    pub(crate) fn post(path: &'a str, form: String) -> Self {
        Self { method: Method::POST, path, auth: None, cookie: None, form: Some(form) }
    }

    pub(crate) fn auth(mut self, auth: &'a str) -> Self {
        self.auth = Some(auth);
        self
    }

    pub(crate) fn cookie(mut self, cookie: &'a str) -> Self {
        self.cookie = Some(cookie);
        self
    }
}

/// Timing of one load run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub(crate) connections: usize,
    pub(crate) warmup: Duration,
    pub(crate) duration: Duration,
    /// A pause after each operation (a probe that polls), none for back-to-back load.
    pub(crate) pause: Option<Duration>,
}

/// What one load run measured.
#[derive(Clone, Debug, Default)]
pub(crate) struct Measured {
    /// Operations completed inside the measured window.
    pub(crate) ops: u64,
    /// Operations that failed inside the window (not counted in `ops`).
    pub(crate) errors: u64,
    pub(crate) per_sec: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    /// Server CPU time (user + system) per completed operation, in microseconds.
    pub(crate) cpu_us_per_op: Option<f64>,
    /// The first error seen, for the report.
    pub(crate) first_error: Option<String>,
}

struct WorkerResult {
    hist: Histogram<u64>,
    ops: u64,
    errors: u64,
    first_error: Option<String>,
}

/// The longest a single operation may take before it counts as failed.
const OP_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `work` over `plan.connections` connections to `addr` and measures the server `pid`.
pub(crate) async fn run(addr: SocketAddr, pid: u32, work: Arc<Work>, plan: Plan) -> Result<Measured> {
    let start = Instant::now();
    let from = start + plan.warmup;
    let to = from + plan.duration;
    let mut set = JoinSet::new();
    for i in 0..plan.connections {
        let work = work.clone();
        set.spawn(async move { worker(addr, i, &work, from, to, plan.pause).await });
    }
    tokio::time::sleep_until(from).await;
    let cpu_before = procfs::cpu_time(pid)?;
    tokio::time::sleep_until(to).await;
    let cpu_after = procfs::cpu_time(pid)?;

    let mut hist = new_histogram()?;
    let (mut ops, mut errors, mut first_error) = (0u64, 0u64, None);
    // Operations in flight at the end get a bounded grace period, then are abandoned.
    let deadline = to + OP_TIMEOUT;
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        let r = joined.map_err(|e| anyhow!("load task failed: {e}"))??;
        hist.add(&r.hist)?;
        ops += r.ops;
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    set.abort_all();
    let secs = plan.duration.as_secs_f64();
    let cpu = cpu_after.saturating_sub(cpu_before);
    Ok(Measured {
        ops,
        errors,
        per_sec: ops as f64 / secs,
        p50: Duration::from_micros(hist.value_at_quantile(0.50)),
        p99: Duration::from_micros(hist.value_at_quantile(0.99)),
        cpu_us_per_op: (ops > 0).then(|| cpu.as_secs_f64() * 1e6 / ops as f64),
        first_error,
    })
}

fn new_histogram() -> Result<Histogram<u64>> {
    // Microseconds from 1 µs to 60 s, three significant figures.
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// One connection: operations back to back until the window closes. An operation counts when it
/// completes inside the window (so long operations straddling the edges do not bias the rate).
async fn worker(
    addr: SocketAddr,
    index: usize,
    work: &Work,
    from: Instant,
    to: Instant,
    pause: Option<Duration>,
) -> Result<WorkerResult> {
    let mut conn = Conn::new(addr)?;
    let mut state = ConnState::new(work, index)?;
    let mut r = WorkerResult { hist: new_histogram()?, ops: 0, errors: 0, first_error: None };
    loop {
        let t0 = Instant::now();
        if t0 >= to {
            break;
        }
        let outcome = tokio::time::timeout(OP_TIMEOUT, work.op(&mut conn, &mut state)).await;
        let t1 = Instant::now();
        let inside = t1 >= from && t1 < to;
        match outcome {
            Ok(Ok(())) if inside => {
                let us = u64::try_from(t1.duration_since(t0).as_micros()).unwrap_or(u64::MAX).max(1);
                r.hist.saturating_record(us);
                r.ops += 1;
            }
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                if inside {
                    r.errors += 1;
                }
                if r.first_error.is_none() {
                    r.first_error = Some(format!("{e:#}"));
                }
                // A broken setup should not spin: back off briefly.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(_) => {
                if inside {
                    r.errors += 1;
                }
                if r.first_error.is_none() {
                    r.first_error = Some(format!("operation timed out after {OP_TIMEOUT:?}"));
                }
                conn = Conn::new(addr)?;
            }
        }
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(r)
}
