//! A TCP proxy that puts faults between the server and a store: it passes bytes on, delays
//! them, cuts every connection (and refuses new ones), or black-holes them (accepts, forwards
//! nothing, answers nothing), switched while the test runs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does to the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Bytes go through as they come.
    Pass,
    /// Every chunk, each way, waits this long first.
    Delay(Duration),
    /// Open connections are closed and new ones closed at once: the store is down.
    Cut,
    /// Connections stay open and nothing goes through either way: a network partition or a
    /// stalled server.
    BlackHole,
}

/// A proxy on `127.0.0.1:port` in front of `target`; dropped, it stops.
pub struct FaultProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    fault: watch::Sender<Fault>,
    accepting: tokio::task::JoinHandle<()>,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl FaultProxy {
    /// A proxy to `target`, passing traffic until told otherwise.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the fault proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let (fault, watching) = watch::channel(Fault::Pass);
        let connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let tracked = connections.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watching.borrow() == Fault::Cut {
                    drop(client);
                    continue;
                }
                let fault = watching.clone();
                let task = tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(target).await {
                        relay(client, server, fault).await;
                    }
                });
                let mut tasks = tracked.lock().unwrap();
                tasks.retain(|t| !t.is_finished());
                tasks.push(task);
            }
        });
        Self { addr, fault, accepting, connections }
    }

    /// A proxy to the host and port of `url` (`postgres://…`, `redis://…`); returns it and the
    /// same URL through the proxy.
    pub async fn in_front_of(url: &str) -> (Self, String) {
        let mut parsed = url::Url::parse(url).expect("a store URL");
        let host = parsed.host_str().unwrap_or("127.0.0.1").to_owned();
        let port = parsed.port_or_known_default().or(match parsed.scheme() {
            "postgres" | "postgresql" => Some(5432),
            "redis" => Some(6379),
            _ => None,
        });
        let target = tokio::net::lookup_host((host.as_str(), port.expect("a port")))
            .await
            .expect("resolve the store")
            .next()
            .expect("an address");
        let proxy = Self::start(target).await;
        parsed.set_host(Some("127.0.0.1")).expect("a host");
        parsed.set_port(Some(proxy.addr.port())).expect("a port");
        (proxy, parsed.to_string())
    }

    /// Switches to `fault`; [`Fault::Cut`] also closes every open connection.
    pub fn set(&self, fault: Fault) {
        self.fault.send_replace(fault);
        if fault == Fault::Cut {
            for task in self.connections.lock().unwrap().drain(..) {
                task.abort();
            }
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// Copies both ways under the current fault until either side closes.
async fn relay(client: TcpStream, server: TcpStream, fault: watch::Receiver<Fault>) {
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::select! {
        () = pipe(client_read, server_write, fault.clone()) => {}
        () = pipe(server_read, client_write, fault) => {}
    }
}

/// One direction: each chunk read waits out a delay, or for the black hole to end, then goes on.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut fault: watch::Receiver<Fault>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // A black hole holds the bytes it has: nothing is read until it ends.
        if fault.wait_for(|f| *f != Fault::BlackHole).await.is_err() {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        loop {
            let now = *fault.borrow();
            match now {
                Fault::Pass => break,
                Fault::Delay(d) => {
                    tokio::time::sleep(d).await;
                    break;
                }
                Fault::Cut => return,
                Fault::BlackHole => {
                    if fault.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
        if to.write_all(buf.get(..n).unwrap_or_default()).await.is_err() {
            return;
        }
    }
}
