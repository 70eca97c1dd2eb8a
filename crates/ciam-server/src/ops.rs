//! Operations endpoints: liveness, readiness and metrics. Unauthenticated by design (probes and
//! scrapers), and they reveal nothing but up/down per backend.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use ciam_core::store::HealthCheck;
use serde_json::json;

use crate::state::AppState;

/// `/healthz`, `/readyz`, `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// Liveness: the process serves HTTP.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

async fn check(store: &dyn HealthCheck) -> &'static str {
    match tokio::time::timeout(Duration::from_secs(2), store.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(_)) => "unavailable",
        Err(_) => "timeout",
    }
}

/// Readiness: both stores answer and the node is not shutting down. 503 otherwise, naming the
/// failing part, so a balancer stops sending traffic here.
async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    let (durable, ephemeral) = tokio::join!(check(&*st.durable), check(&*st.ephemeral));
    let accepting = st.is_accepting();
    let ready = durable == "ok" && ephemeral == "ok" && accepting;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": {
            "durable_store": durable,
            "ephemeral_store": ephemeral,
            "accepting_requests": if accepting { "ok" } else { "shutting_down" },
        }
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body))
}

/// Prometheus / OpenMetrics text.
async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], st.metrics.render())
}
