//! Test fixtures for both test tiers: spawn the real `ciam` binary on an ephemeral port with its
//! own data directory (and optionally a fresh Postgres database and Redis key prefix), capture
//! everything it logs, and talk to it with a real HTTP client; the one [`Browser`], the one
//! [`authorize_url`], the keys of clients and agents ([`AgentKey`]) and the [`World`] builder
//! (tenant, users, clients, agents) that the end-to-end and the router tests share.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

mod agent;
mod authorize;
mod browser;
mod fault;
mod passkey;
mod world;

pub use agent::{AgentKey, unix_now};
pub use authorize::{AuthorizeUrl, PKCE_CHALLENGE, PKCE_VERIFIER, authorize_url};
pub use browser::{Browser, CALLBACK, PASSWORD, USER_AGENT, callback_params, hidden, location};
pub use fault::{Fault, FaultProxy};
pub use passkey::SoftPasskey;
pub use world::{AdminApi, Created, World};

pub use ciam_store::testing::{TestPostgres, TestRedis, services_required, skip_or_fail};

/// The claims of a JWT, unverified (the tests that need verification do it themselves).
pub fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh empty directory.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ciam-{tag}-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The master key of test servers on a shared database (a test fixture, never a real secret).
pub const SHARED_MASTER_KEY: &str = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE";

/// A running `ciam serve` process.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its public URL, as it reported it (`http://localhost:PORT` unless a test set one).
    pub public_url: String,
    /// Its data directory.
    pub data_dir: PathBuf,
    child: Child,
    logs: Arc<Mutex<String>>,
    /// HTTP client (no redirects followed).
    pub http: reqwest::Client,
    /// Services created for this server under `TEST_BACKEND=postgres` (removed with it).
    _services: Option<(TestPostgres, TestRedis)>,
    /// The durable store's URL (the embedded SQLite file unless a database was given).
    pub database_url: String,
    /// How the server was started, to run the CLI against the same stores.
    bin: String,
    cli_env: Vec<(String, String)>,
}

/// How to start a server.
#[derive(Default, Clone)]
pub struct ServerOptions {
    /// `DATABASE_URL`; default the embedded SQLite file in the data dir.
    pub database_url: Option<String>,
    /// `REDIS_URL` and key prefix; default in-process.
    pub redis: Option<(String, String)>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Log level (default `info`).
    pub log_level: Option<String>,
    /// Keep the embedded default even under `TEST_BACKEND=postgres` (tests of the embedded setup).
    pub embedded: bool,
}

/// With `TEST_BACKEND=postgres`, servers that name no stores get a fresh Postgres database and a
/// fresh Redis prefix, so the whole end-to-end suite runs a second time on the production stores.
async fn production_stores(opts: &ServerOptions) -> Option<(TestPostgres, TestRedis)> {
    let wanted = std::env::var("TEST_BACKEND").is_ok_and(|b| b == "postgres");
    if !wanted || opts.embedded || opts.database_url.is_some() || opts.redis.is_some() {
        return None;
    }
    let pg = TestPostgres::create().await?;
    let redis = TestRedis::create().await?;
    Some((pg, redis))
}

impl Server {
    /// Starts `bin serve` on `127.0.0.1:0` in `data_dir` and waits until it reports ready.
    pub async fn start(bin: &str, data_dir: &std::path::Path, mut opts: ServerOptions) -> Self {
        let services = production_stores(&opts).await;
        if let Some((pg, redis)) = &services {
            opts.database_url = Some(pg.url.clone());
            opts.redis = Some((redis.url.clone(), redis.prefix.clone()));
        }
        let mut cli_env = vec![("CIAM_DATA_DIR".to_owned(), data_dir.join("data").display().to_string())];
        if let Some(db) = &opts.database_url {
            // Nodes sharing a database share the master key that seals signing keys.
            cli_env.push(("DATABASE_URL".into(), db.clone()));
            cli_env.push(("CIAM_MASTER_KEY".into(), SHARED_MASTER_KEY.into()));
        }
        let database_url = opts
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("data").join("ciam.db").display()));
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .current_dir(data_dir)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .envs(cli_env.iter().map(|(k, v)| (k, v)))
            .env("CIAM_BIND", "127.0.0.1:0")
            .env("CIAM_LOG__FORMAT", "json")
            .env("CIAM_LOG__LEVEL", opts.log_level.as_deref().unwrap_or("info"))
            // Every line at once, so a test reading the log sees all of it (tests/e2e/shutdown.rs
            // covers batching).
            .env("CIAM_LOG__FLUSH_MS", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some((url, prefix)) = &opts.redis {
            cmd.env("REDIS_URL", url).env("CIAM_REDIS_KEY_PREFIX", prefix);
        }
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn ciam");
        let logs = Arc::new(Mutex::new(String::new()));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(SocketAddr, String)>();
        for stream in [child.stdout.take().map(Either::Out), child.stderr.take().map(Either::Err)].into_iter().flatten()
        {
            let logs = logs.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut lines = match stream {
                    Either::Out(s) => {
                        Box::pin(BufReader::new(s)) as std::pin::Pin<Box<dyn tokio::io::AsyncBufRead + Send>>
                    }
                    Either::Err(s) => Box::pin(BufReader::new(s)),
                }
                .lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(v) = serde_json::from_str::<Value>(&line)
                        && v["message"] == "ciam ready"
                        && let Some(addr) = v["address"].as_str().and_then(|a| a.parse().ok())
                    {
                        let _ = tx.send((addr, v["public_url"].as_str().unwrap_or_default().to_owned()));
                    }
                    let mut l = logs.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let Ok(Some((addr, public_url))) = tokio::time::timeout(Duration::from_secs(60), rx.recv()).await else {
            panic!("ciam did not become ready; output:\n{}", logs.lock().unwrap())
        };
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self {
            addr,
            public_url,
            data_dir: data_dir.join("data"),
            child,
            logs,
            http,
            _services: services,
            database_url,
            bin: bin.to_owned(),
            cli_env,
        }
    }

    /// Runs `ciam <args>` against this server's stores (same data dir, database and master key)
    /// and returns its exit code and standard output.
    pub fn cli(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = std::process::Command::new(&self.bin)
            .args(args)
            .current_dir(self.data_dir.parent().unwrap_or(&self.data_dir))
            .env_remove("DATABASE_URL")
            .envs(self.cli_env.iter().map(|(k, v)| (k, v)))
            .env("CIAM_LOG__LEVEL", "warn")
            .output()
            .expect("run ciam");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The environment that points a `ciam` command at this server's stores (data dir, and
    /// database and master key when it runs on PostgreSQL).
    pub fn cli_env(&self) -> &[(String, String)] {
        &self.cli_env
    }

    /// `{public_url}{path}` when the server is reachable at its public URL (the default
    /// `http://localhost:PORT`), else `http://addr{path}` (a test's own public URL, such as an
    /// https one behind a proxy that is not there).
    pub fn url(&self, path: &str) -> String {
        if self.public_url == format!("http://localhost:{}", self.addr.port()) {
            format!("{}{path}", self.public_url)
        } else {
            format!("http://{}{path}", self.addr)
        }
    }

    /// `GET path` on this server, its JSON body read as `T` (discovery, JWKS, metadata).
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        self.http.get(self.url(path)).send().await.unwrap().json().await.unwrap()
    }

    /// The admin token the server generated into its data dir.
    pub fn generated_admin_token(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("admin-token")).unwrap().trim().to_owned()
    }

    /// Everything the process printed so far (stdout and stderr).
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit and returns its exit code.
    pub async fn wait(&mut self, limit: Duration) -> Option<i32> {
        tokio::time::timeout(limit, self.child.wait()).await.expect("ciam did not exit in time").unwrap().code()
    }
}

enum Either {
    Out(tokio::process::ChildStdout),
    Err(tokio::process::ChildStderr),
}

/// A management API client for one server.
pub struct Admin<'a> {
    server: &'a Server,
    token: String,
}

impl<'a> Admin<'a> {
    /// A client using `token`.
    pub fn new(server: &'a Server, token: impl Into<String>) -> Self {
        Self { server, token: token.into() }
    }

    /// Sends `method path` with an optional JSON body; returns status and parsed body.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req =
            self.server.http.request(method, self.server.url(&format!("/admin/v1{path}"))).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POST, asserting the status.
    pub async fn post(&self, path: &str, body: Value, expect: u16) -> Value {
        let (status, v) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, expect, "POST {path}: {v}");
        v
    }

    /// GET, asserting the status.
    pub async fn get(&self, path: &str, expect: u16) -> Value {
        let (status, v) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, expect, "GET {path}: {v}");
        v
    }
}
