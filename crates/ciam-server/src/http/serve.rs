//! Serving connections: HTTP/1.1 and HTTP/2 (with upgrades) over TCP, as `axum::serve` does,
//! plus a bound on how long a client may take to send a request's headers
//! (`server.header_timeout_secs`): a connection that trickles its headers (slowloris) is cut
//! instead of held for ever. hyper's timer also runs while a keep-alive connection waits for its
//! next request, so the bound is an idle timeout too: its default (75 s) stays above the idle
//! timeout of most balancers (60 s), which then close first and never send a request on a
//! connection the server is closing (at 10 s, a client that waited 10 s between two requests
//! could lose the second). On shutdown it stops accepting and lets every connection finish the
//! request under way (idle keep-alive connections close at once).

use std::convert::Infallible;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;
use tower_http::add_extension::AddExtension;

/// Serves `router` on `listener` until `shutdown` completes, then waits for the connections'
/// requests under way (the caller bounds that wait). Each request carries the peer's address
/// (`ConnectInfo<SocketAddr>`).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = AddExtension::new(router.clone(), ConnectInfo(peer))
            .map_request(|req: hyper::Request<Incoming>| req.map(Body::new))
            .map_err(|never: Infallible| match never {});
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
