//! Logs, request ids and metrics.
//!
//! # Security
//! Request logging records the method, the matched route template (never the raw path or the
//! query string, which could carry codes or tokens), the status, the latency and the request id.
//! Headers and bodies are never logged, so passwords, client secrets, admin tokens and access
//! tokens cannot reach the log through this layer.
//!
//! # Batched output
//! A server whose output is not a terminal writes its log lines in batches (see [`LogOutput`]):
//! one `write` system call for many lines instead of one per request, which the benchmark
//! showed cost more than the rest of a discovery request. Warnings and errors are written at
//! once, together with everything before them, so order is kept.

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::{LogConfig, LogFormat};
use crate::error::{InternalError, Refused};

/// The header carrying the request id (set when absent, echoed in the response).
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTarget {
    /// The server logs to stdout (the convention for services and containers).
    Stdout,
    /// Command-line tools log to stderr, keeping stdout for their output.
    Stderr,
}

/// The process's batched log output, when there is one.
static BATCHED: OnceLock<Arc<LogOutput>> = OnceLock::new();

/// Writes out the log lines waiting in the process's batched output, if any: after a line that
/// should not wait (the server is ready) and before exiting.
pub fn flush_logs() {
    if let Some(output) = BATCHED.get() {
        output.flush();
    }
}

/// Installs the process-wide log subscriber (the binary calls this once; tests that run many
/// servers in one process do not). The server's stdout is batched when it is not a terminal and
/// `log.flush_ms` is not 0: the caller then runs [`LogOutput::flush_periodically`] on the
/// returned output and calls [`flush_logs`] before exiting.
pub fn init_tracing(log: &LogConfig, target: LogTarget) -> Option<Arc<LogOutput>> {
    let filter = EnvFilter::try_new(&log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let terminal = match target {
        LogTarget::Stdout => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        LogTarget::Stderr => std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let batched = target == LogTarget::Stdout && !terminal && log.flush_ms > 0;
    let output = Arc::new(LogOutput::new(
        match target {
            LogTarget::Stdout => Box::new(std::io::stdout()),
            LogTarget::Stderr => Box::new(std::io::stderr()),
        },
        if batched { LogOutput::BATCH_BYTES } else { 0 },
        Duration::from_millis(log.flush_ms),
    ));
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(terminal).with_writer(Shared(output.clone()));
    let _ = match log.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if !batched {
        return None;
    }
    let _ = BATCHED.set(output.clone());
    Some(output)
}

/// Log lines on their way out. Each line is appended to a buffer under a lock and the buffer is
/// written out, in one call, when it holds `batch_bytes` or more, when a warning or an error is
/// logged, or when [`LogOutput::flush`] is called, which [`LogOutput::flush_periodically`] does
/// every `interval`. A line is never split between writes. What is buffered when the process
/// is killed (at most one interval's worth) is lost; a clean shutdown flushes it.
pub struct LogOutput {
    sink: Mutex<(Box<dyn std::io::Write + Send>, Vec<u8>)>,
    batch_bytes: usize,
    interval: Duration,
}

impl LogOutput {
    /// The buffer size at which lines are written without waiting for the next flush.
    pub const BATCH_BYTES: usize = 32 * 1024;

    /// Output into `sink`; `batch_bytes` 0 writes every line at once.
    pub fn new(sink: Box<dyn std::io::Write + Send>, batch_bytes: usize, interval: Duration) -> Self {
        Self { sink: Mutex::new((sink, Vec::with_capacity(batch_bytes))), batch_bytes, interval }
    }

    fn append(&self, line: &[u8], urgent: bool) {
        let mut guard = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let (sink, pending) = &mut *guard;
        if pending.is_empty() && (urgent || self.batch_bytes == 0) {
            let _ = sink.write_all(line).and_then(|()| sink.flush());
            return;
        }
        pending.extend_from_slice(line);
        if urgent || pending.len() >= self.batch_bytes {
            Self::write_out(sink, pending);
        }
    }

    fn write_out(sink: &mut Box<dyn std::io::Write + Send>, pending: &mut Vec<u8>) {
        let _ = sink.write_all(pending).and_then(|()| sink.flush());
        pending.clear();
    }

    /// Writes out whatever is buffered.
    pub fn flush(&self) {
        let mut guard = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let (sink, pending) = &mut *guard;
        if !pending.is_empty() {
            Self::write_out(sink, pending);
        }
    }

    /// Flushes every `interval`, for as long as the returned task runs.
    pub fn flush_periodically(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let output = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(output.interval);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                output.flush();
            }
        })
    }
}

/// One event's writer: the formatter hands it the whole formatted line in one `write`.
pub struct LineWriter<'a> {
    output: &'a LogOutput,
    urgent: bool,
}

impl std::io::Write for LineWriter<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.output.append(line, self.urgent);
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The output as the subscriber holds it.
struct Shared(Arc<LogOutput>);

impl<'a> MakeWriter<'a> for Shared {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter { output: &self.0, urgent: true }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        LineWriter { output: &self.0, urgent: *meta.level() <= tracing::Level::WARN }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// Per-application metrics: a registry of its own, so several servers in one process (tests)
/// never share or double-register.
pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    store_errors: Family<RouteLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ciam");
        let requests = Family::<HttpLabels, Counter>::default();
        // 0.5 ms .. ~4 s in doublings: token and admin calls sit in the low milliseconds, password
        // hashing around 20-50 ms.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0005, 2.0, 14))
        });
        let store_errors = Family::<RouteLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by method, route template and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route template", latency.clone());
        registry.register("store_errors", "Requests failed by an unavailable or corrupt store", store_errors.clone());
        Self { registry, requests, latency, store_errors }
    }
}

impl Metrics {
    /// The Prometheus / OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Records request count and latency per route template; logs and counts 5xx causes once.
pub async fn observe(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    // The route template (`/admin/v1/tenants/{tenant}`), never the raw path: bounded label
    // cardinality, and no ids or tokens from the URL.
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16();
    // A refusal is the client's problem, not the server's: `info`, with the specific reason the
    // client was not told (which check of its authentication failed, say). Never a secret: the
    // reasons are written by the code that refuses, and name claims, methods and ids only.
    if let Some(refused) = res.extensions().get::<Refused>() {
        tracing::info!(status, error = refused.error, reason = %refused.reason, "request refused");
    }
    if let Some(err) = res.extensions().get::<InternalError>() {
        tracing::error!(status, kind = err.kind.as_str(), error = %err.message, "request failed");
        if err.store {
            metrics.store_errors.get_or_create(&RouteLabels { route: route.clone() }).inc();
        }
    }
    metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(start.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&HttpLabels { method, route, status }).inc();
    res
}

/// The span every request runs in: method, route template and request id, and, once a
/// back-channel request names it, the client id it claims.
pub fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), route, request_id, client_id = tracing::field::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that records each write call.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<String>>>);

    impl std::io::Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(String::from_utf8(buf.to_vec()).unwrap());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn output(batch_bytes: usize) -> (Arc<LogOutput>, Writes) {
        let writes = Writes::default();
        (Arc::new(LogOutput::new(Box::new(writes.clone()), batch_bytes, Duration::from_millis(100))), writes)
    }

    fn taken(w: &Writes) -> Vec<String> {
        std::mem::take(&mut *w.0.lock().unwrap())
    }

    #[test]
    fn lines_wait_for_a_flush_a_full_buffer_or_a_warning_and_keep_their_order() {
        let (out, writes) = output(64);
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Shared(out.clone()))
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .with_level(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("one");
            tracing::info!("two");
            assert!(taken(&writes).is_empty(), "info lines wait");
            out.flush();
            assert_eq!(taken(&writes), ["one\ntwo\n"], "one write, in order");
            out.flush();
            assert!(taken(&writes).is_empty(), "nothing left to write");

            tracing::info!("three");
            tracing::warn!("careful");
            assert_eq!(taken(&writes), ["three\ncareful\n"], "a warning goes out at once, after what came before");
            tracing::error!("failed");
            assert_eq!(taken(&writes), ["failed\n"]);

            for i in 0..20 {
                tracing::info!("line {i:02}");
            }
            let written = taken(&writes);
            assert!(
                !written.is_empty() && written.iter().all(|w| w.len() >= 64),
                "a full buffer goes out: {written:?}"
            );
            out.flush();
            let all = [written, taken(&writes)].concat().concat();
            let expected: String = (0..20).map(|i| format!("line {i:02}\n")).collect();
            assert_eq!(all, expected, "no line lost, split or reordered");
        });
    }

    #[test]
    fn without_batching_every_line_is_written_at_once() {
        let (out, writes) = output(0);
        let subscriber = tracing_subscriber::fmt().with_writer(Shared(out)).with_ansi(false).without_time().finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("one");
            tracing::info!("two");
        });
        assert_eq!(taken(&writes).len(), 2);
    }

    #[tokio::test]
    async fn buffered_lines_are_flushed_every_interval() {
        let writes = Writes::default();
        let out = Arc::new(LogOutput::new(Box::new(writes.clone()), 1024, Duration::from_millis(10)));
        let flushing = out.flush_periodically();
        for line in ["waiting\n", "later\n"] {
            out.append(line.as_bytes(), false);
            let flushed = tokio::time::timeout(Duration::from_secs(5), async {
                while writes.0.lock().unwrap().is_empty() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            });
            assert!(flushed.await.is_ok(), "flushed without anything else happening");
            assert_eq!(taken(&writes), [line]);
        }
        flushing.abort();
    }
}
