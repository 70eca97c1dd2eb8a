//! The load generator: a fixed number of HTTP/1.1 keep-alive connections (one tokio task each),
//! each running one operation after another for a warm-up and then a fixed measured window;
//! latencies go into an HdrHistogram, the server's CPU time is read from `/proc` at the window's
//! edges.
//!
//! It is deliberately small: it shares the machine's cores with the server it measures, so every
//! cycle it spends is one the server does not get.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bytes::{Buf, Bytes, BytesMut};
use hdrhistogram::Histogram;
use http::header::{CONNECTION, CONTENT_LENGTH, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::{HeaderMap, Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
///
/// HTTP/1.1 is written and read here directly (the head parsed by `httparse`): one write and
/// usually one read per exchange, on the task that sends, where a hyper client connection is a
/// second task woken for every request and answer. The driver shares the cores with the server
/// it measures, so what it saves the server gets.
pub(crate) struct Conn {
    addr: SocketAddr,
    host: String,
    stream: Option<TcpStream>,
    /// What the server sent and was not consumed yet.
    input: BytesMut,
    /// The request being written (reused between requests).
    output: Vec<u8>,
}

/// Response headers beyond these are refused (no target sends more than a dozen).
const MAX_HEADERS: usize = 64;

impl Conn {
    pub(crate) fn new(addr: SocketAddr) -> Result<Self> {
        Ok(Self {
            addr,
            host: addr.to_string(),
            stream: None,
            input: BytesMut::with_capacity(16 * 1024),
            output: Vec::new(),
        })
    }

    /// Sends one request; on any transport error the connection is dropped (the next call
    /// opens a new one) and the error returned.
    pub(crate) async fn send(&mut self, req: Req<'_>) -> Result<Answer> {
        self.write_request(&req);
        let result = self.exchange().await;
        match &result {
            Ok((_, true)) => {}
            _ => {
                self.stream = None;
                self.input.clear();
            }
        }
        result.map(|(answer, _)| answer)
    }

    fn write_request(&mut self, req: &Req<'_>) {
        let out = &mut self.output;
        out.clear();
        for part in [req.method.as_str(), " ", req.path, " HTTP/1.1\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
        let mut line = |name: &str, value: &str| {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        };
        line("host", &self.host);
        line("user-agent", BROWSER_UA);
        if let Some(auth) = req.auth {
            line("authorization", auth);
        }
        if let Some(cookie) = req.cookie.filter(|c| !c.is_empty()) {
            line("cookie", cookie);
        }
        let form = req.form.as_deref().unwrap_or_default();
        if req.form.is_some() {
            line("content-type", "application/x-www-form-urlencoded");
        }
        // A body, or a method whose request may carry one, states its length (RFC 9110 §8.6).
        if req.form.is_some() || req.method != Method::GET {
            line("content-length", &form.len().to_string());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(form.as_bytes());
    }

    /// Writes the request and reads its answer; `true` if the connection may be used again.
    async fn exchange(&mut self) -> Result<(Answer, bool)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await.with_context(|| format!("connect {}", self.addr))?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
        }
        let stream = self.stream.as_mut().ok_or_else(|| anyhow!("no connection"))?;
        stream.write_all(&self.output).await?;
        let (status, headers, head_len) = loop {
            let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut head = httparse::Response::new(&mut slots);
            if let httparse::Status::Complete(len) = head.parse(&self.input)? {
                let status = StatusCode::from_u16(head.code.unwrap_or_default())?;
                let mut headers = HeaderMap::with_capacity(head.headers.len());
                for h in head.headers.iter() {
                    headers.append(HeaderName::from_bytes(h.name.as_bytes())?, HeaderValue::from_bytes(h.value)?);
                }
                break (status, headers, len);
            }
            fill(stream, &mut self.input).await?;
        };
        self.input.advance(head_len);
        let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let keep = !value(CONNECTION).is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let body = if value(TRANSFER_ENCODING).is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            chunked(stream, &mut self.input).await?
        } else if let Some(len) = value(CONTENT_LENGTH) {
            let len: usize = len.parse().context("content-length")?;
            exactly(stream, &mut self.input, len).await?
        } else if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            Bytes::new()
        } else {
            // Delimited by the end of the connection (RFC 9112 §6.3).
            while fill(stream, &mut self.input).await.is_ok() {}
            let body = self.input.split().freeze();
            return Ok((Answer { status, headers, body }, false));
        };
        Ok((Answer { status, headers, body }, keep))
    }
}

/// Reads more of what the server sent; an error at the end of the stream.
async fn fill(stream: &mut TcpStream, input: &mut BytesMut) -> Result<()> {
    if input.capacity() - input.len() < 4096 {
        input.reserve(16 * 1024);
    }
    if stream.read_buf(input).await? == 0 {
        bail!("the server closed the connection");
    }
    Ok(())
}

/// The next `len` bytes.
async fn exactly(stream: &mut TcpStream, input: &mut BytesMut, len: usize) -> Result<Bytes> {
    while input.len() < len {
        fill(stream, input).await?;
    }
    Ok(input.split_to(len).freeze())
}

/// A chunked body (RFC 9112 §7.1), trailers skipped.
async fn chunked(stream: &mut TcpStream, input: &mut BytesMut) -> Result<Bytes> {
    let mut body = BytesMut::new();
    loop {
        let head = line(stream, input).await?;
        let size = std::str::from_utf8(&head)?.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).with_context(|| format!("chunk size {size:?}"))?;
        if size == 0 {
            while !line(stream, input).await?.is_empty() {}
            return Ok(body.freeze());
        }
        body.extend_from_slice(&exactly(stream, input, size).await?);
        if !line(stream, input).await?.is_empty() {
            bail!("a chunk longer than its size");
        }
    }
}

/// The next line, without its CRLF.
async fn line(stream: &mut TcpStream, input: &mut BytesMut) -> Result<Bytes> {
    loop {
        if let Some(end) = input.windows(2).position(|w| w == b"\r\n") {
            let line = input.split_to(end + 2).freeze();
            return Ok(line.slice(..end));
        }
        fill(stream, input).await?;
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
    /// The load generator's own CPU time per completed operation, in microseconds: what the
    /// server could not use of the shared cores.
    pub(crate) driver_us_per_op: Option<f64>,
    /// CPU time of the PostgreSQL processes per completed operation, in microseconds.
    pub(crate) postgres_us_per_op: Option<f64>,
    /// CPU time of the Redis server per completed operation, in microseconds.
    pub(crate) redis_us_per_op: Option<f64>,
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
    let (cpu_before, driver_before) = (procfs::cpu_time(pid)?, procfs::cpu_time(std::process::id())?);
    let stores_before = (procfs::cpu_time_of_named(&["postgres"]), procfs::cpu_time_of_named(&["redis-server"]));
    tokio::time::sleep_until(to).await;
    let (cpu_after, driver_after) = (procfs::cpu_time(pid)?, procfs::cpu_time(std::process::id())?);
    let stores_after = (procfs::cpu_time_of_named(&["postgres"]), procfs::cpu_time_of_named(&["redis-server"]));

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
    let driver = driver_after.saturating_sub(driver_before);
    let per_op = |spent: Duration| (ops > 0).then(|| spent.as_secs_f64() * 1e6 / ops as f64);
    Ok(Measured {
        ops,
        errors,
        per_sec: ops as f64 / secs,
        p50: Duration::from_micros(hist.value_at_quantile(0.50)),
        p99: Duration::from_micros(hist.value_at_quantile(0.99)),
        cpu_us_per_op: per_op(cpu),
        driver_us_per_op: per_op(driver),
        postgres_us_per_op: per_op(stores_after.0.saturating_sub(stores_before.0)),
        redis_us_per_op: per_op(stores_after.1.saturating_sub(stores_before.1)),
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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A server that answers each request read with the next canned answer, in order, and
    /// hands back what it was sent.
    async fn canned(answers: Vec<&'static [u8]>) -> (SocketAddr, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut answers = answers.into_iter().peekable();
            while answers.peek().is_some() {
                let (mut s, _) = listener.accept().await.unwrap();
                for answer in answers.by_ref() {
                    let mut buf = [0u8; 4096];
                    let n = s.read(&mut buf).await.unwrap();
                    seen.extend_from_slice(&buf[..n]);
                    // Answers split in two writes: the reader must put them together.
                    let (a, b) = answer.split_at(answer.len() / 2);
                    s.write_all(a).await.unwrap();
                    s.flush().await.unwrap();
                    s.write_all(b).await.unwrap();
                    if String::from_utf8_lossy(answer).contains("connection: close") {
                        break;
                    }
                }
            }
            seen
        });
        (addr, server)
    }

    #[tokio::test]
    async fn answers_are_read_by_length_in_chunks_and_to_the_end() {
        let (addr, server) = canned(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: 1\r\n\r\nhello",
            b"HTTP/1.1 303 See Other\r\nlocation: /next\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-t: 1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\nno",
        ])
        .await;
        let mut conn = Conn::new(addr).unwrap();
        let a = conn.send(Req::get("/a")).await.unwrap();
        assert_eq!((a.status.as_u16(), &a.body[..], a.headers["x-a"].as_bytes()), (200, &b"hello"[..], &b"1"[..]));
        let b = conn.send(Req::post("/b", "x=1".into()).auth("Basic eA==").cookie("c=1")).await.unwrap();
        assert_eq!((b.status.as_u16(), b.location().unwrap(), b.body.len()), (303, "/next", 0));
        let c = conn.send(Req::get("/c")).await.unwrap();
        assert_eq!(&c.body[..], b"abcde");
        let d = conn.send(Req::get("/d")).await.unwrap();
        assert_eq!(&d.body[..], b"until the end");
        // The connection was closed after the last answer: the next request opens another.
        let e = conn.send(Req::get("/e")).await.unwrap().expect(200, "e").err().unwrap();
        assert!(e.to_string().contains("expected 200, got 400 Bad Request: no"), "{e}");
        let seen = String::from_utf8(server.await.unwrap()).unwrap();
        assert!(seen.starts_with(&format!("GET /a HTTP/1.1\r\nhost: {addr}\r\nuser-agent: Mozilla/")), "{seen}");
        assert!(
            seen.contains(
                "POST /b HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n".replace("{port}", &addr.port().to_string()).as_str()
            ),
            "{seen}"
        );
        assert!(seen.contains("authorization: Basic eA==\r\ncookie: c=1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 3\r\n\r\nx=1GET /c"), "{seen}");
    }

    #[tokio::test]
    async fn a_closed_connection_is_an_error_and_the_next_request_reconnects() {
        let (addr, server) = canned(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"]).await;
        let mut conn = Conn::new(addr).unwrap();
        let err = conn.send(Req::get("/")).await.err().unwrap();
        assert!(err.to_string().contains("closed"), "{err}");
        server.await.unwrap();
        assert!(conn.stream.is_none(), "dropped after the error");
    }
}
