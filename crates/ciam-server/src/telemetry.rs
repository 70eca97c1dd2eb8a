//! Logs, request ids and metrics.
//!
//! # Security
//! Request logging records the method, the matched route template (never the raw path or the
//! query string, which could carry codes or tokens), the status, the latency and the request id.
//! Headers and bodies are never logged, so passwords, client secrets, admin tokens and access
//! tokens cannot reach the log through this layer.

use std::sync::Arc;
use std::time::Instant;

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

use crate::config::{LogConfig, LogFormat};
use crate::error::InternalError;

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

/// Installs the process-wide log subscriber (the binary calls this once; tests that run many
/// servers in one process do not).
pub fn init_tracing(log: &LogConfig, target: LogTarget) {
    let filter = EnvFilter::try_new(&log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = move || -> Box<dyn std::io::Write> {
        match target {
            LogTarget::Stdout => Box::new(std::io::stdout()),
            LogTarget::Stderr => Box::new(std::io::stderr()),
        }
    };
    let ansi = match target {
        LogTarget::Stdout => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        LogTarget::Stderr => std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(writer);
    let _ = match log.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
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
    if let Some(err) = res.extensions().get::<InternalError>() {
        tracing::error!(status, error = %err.message, "request failed");
        if err.store {
            metrics.store_errors.get_or_create(&RouteLabels { route: route.clone() }).inc();
        }
    }
    metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(start.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&HttpLabels { method, route, status }).inc();
    res
}

/// The span every request runs in: method, route template and request id.
pub fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), route, request_id)
}
