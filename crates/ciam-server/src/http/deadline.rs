//! The deadline of every request (`server.request_timeout_secs`): a request a stalled store or a
//! network partition holds up is answered `503` when its time is up, with `Retry-After` and a
//! body every kind of caller can read: an RFC 9457 problem that also carries the OAuth error
//! members (`error: temporarily_unavailable`, RFC 6749 §5.2), so a relying party, an agent and
//! a script of the management API each find the field they look for.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::InternalError;

/// Runs the request within `limit`, else answers for it. The answer carries its cause for the
/// metrics layer around this one, which logs it and counts it as a store error of the route.
pub(crate) async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = out_of_time(limit);
            let cause =
                format!("the request ran out of its {} ms: a store may be slow or unreachable", limit.as_millis());
            response.extensions_mut().insert(InternalError::unavailable(cause));
            response
        }
    }
}

/// The answer to a request that ran out of `limit`.
fn out_of_time(limit: Duration) -> Response {
    let detail = format!(
        "the server could not answer within {} s; a service it depends on is slow or unreachable. Retry shortly",
        limit.as_secs_f32()
    );
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": detail,
        "error": "temporarily_unavailable",
        "error_description": detail,
    });
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
