//! Graceful shutdown: SIGTERM lets in-flight requests finish, refuses new ones, writes out the
//! batched log lines, exits 0.

use std::time::Duration;

use ciam_testkit::{Server, ServerOptions, TempDir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::BIN;

#[tokio::test]
async fn sigterm_finishes_in_flight_requests_then_exits_cleanly() {
    let dir = TempDir::new("shutdown");
    let token = "admin-token-for-the-shutdown-test-0123456789";
    // Log lines are batched with a flush interval far beyond the test: the ready line arrives
    // because it is flushed at once, the rest only because the exit flushes them.
    let opts = ServerOptions {
        env: vec![("CIAM_ADMIN_TOKEN".into(), token.into()), ("CIAM_LOG__FLUSH_MS".into(), "600000".into())],
        ..ServerOptions::default()
    };
    let mut server = Server::start(BIN, &dir.0, opts).await;

    // An in-flight request: headers sent, body only half sent when SIGTERM arrives.
    let body = r#"{"id":"late","display_name":"Arrived after SIGTERM"}"#;
    let (first, rest) = body.split_at(10);
    let mut conn = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /admin/v1/tenants HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{first}",
        server.addr,
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // New connections are refused once shutdown started.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err(), "listener closed");

    conn.write_all(rest.as_bytes()).await.unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "in-flight request completed: {response}");

    assert!(!server.logs().contains("shutting down"), "info lines wait for a flush");
    assert_eq!(server.wait(Duration::from_secs(20)).await, Some(0), "clean exit");
    // The pipe may still hold the last lines for the reader.
    for _ in 0..100 {
        if server.logs().contains("shutting down") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logs = server.logs();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(logs.contains(r#""route":"/admin/v1/tenants""#), "the in-flight request's line: {logs}");
}
