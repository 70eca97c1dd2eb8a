//! Operations endpoints: the front page, liveness, readiness and metrics. Unauthenticated by
//! design (people, probes and scrapers), and they reveal nothing but up/down per backend: the
//! front page says how discovery URLs are formed, never which tenants exist.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use ciam_core::store::HealthCheck;
use serde_json::json;

use crate::state::AppState;

/// `/`, `/healthz`, `/readyz`, `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The front page, for whoever opens the server's address in a browser: what this is, how a
/// tenant's discovery URL is formed, and where the documentation is.
async fn home(State(st): State<AppState>) -> impl IntoResponse {
    let base = escape_html(&st.node.public_url);
    let docs = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main");
    let body = format!(
        "<!doctype html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>ciam</title></head>
<body>
<h1>ciam</h1>
<p>This is an OAuth 2.0 and OpenID Connect authorization server. Each tenant is an issuer of its own:</p>
<ul>
<li>issuer: <code>{base}/t/<var>tenant</var></code></li>
<li>discovery: <code>{base}/t/<var>tenant</var>/.well-known/openid-configuration</code></li>
<li>authorization server metadata: <code>{base}/.well-known/oauth-authorization-server/t/<var>tenant</var></code></li>
</ul>
<p>Replace <var>tenant</var> with a tenant's id. Administrators manage tenants through the
<a href=\"{base}/admin/v1/openapi.json\">management API</a>.</p>
<p>Documentation: <a href=\"{docs}/README.md\">getting started</a>,
<a href=\"{docs}/docs/oidc.md\">OpenID Connect</a>,
<a href=\"{docs}/docs/admin-api.md\">management API</a>,
<a href=\"{docs}/docs/configuration.md\">configuration</a>.</p>
</body>
</html>
"
    );
    ([(header::CACHE_CONTROL, "no-cache")], Html(body))
}

/// Text for HTML: the public URL is the operator's, but a page never trusts a string.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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

/// Readiness: the stores answer and the node is not shutting down. 503 otherwise, naming the
/// failing part, so a balancer stops sending traffic here. With several regions, each region
/// served is reported on its own, and the node stays ready while one of them answers: a region
/// down fails its own tenants only (with a 503 problem naming it).
async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    // Every check at once, so a stalled store costs one check's timeout, within the deadline.
    let st = &st;
    let each_region = st.regions.served().map(|region| async move {
        let durable = async {
            match st.regions.durable_of(region) {
                Ok(store) => check(&*store).await,
                Err(_) => "unavailable",
            }
        };
        let ephemeral = async {
            match st.regions.ephemeral_of(region) {
                Ok(store) => check(&*store).await,
                Err(_) => "unavailable",
            }
        };
        let (durable, ephemeral) = tokio::join!(durable, ephemeral);
        (region.to_string(), json!({"durable_store": durable, "ephemeral_store": ephemeral}))
    });
    let ((durable, ephemeral), regions) = tokio::join!(
        async { tokio::join!(check(&*st.durable), check(&*st.ephemeral)) },
        futures_util::future::join_all(each_region)
    );
    let regions: serde_json::Map<String, serde_json::Value> = regions.into_iter().collect();
    let accepting = st.is_accepting();
    let ready = durable == "ok" && ephemeral == "ok" && accepting;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": {
            "durable_store": durable,
            "ephemeral_store": ephemeral,
            "accepting_requests": if accepting { "ok" } else { "shutting_down" },
        },
        "regions": regions,
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body))
}

/// Prometheus / OpenMetrics text.
async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], st.metrics.render())
}
