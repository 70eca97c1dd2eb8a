//! The production stores failing under a running node, through a TCP proxy that cuts, stalls
//! or slows the connection (`ciam_testkit::FaultProxy`): requests are answered in bounded
//! time with a 503 that says why, `/readyz` names the store, and the node recovers by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ciam_testkit::{
    Admin, AgentKey, Fault, FaultProxy, Server, ServerOptions, TempDir, TestPostgres, TestRedis, World, skip_or_fail,
    unix_now,
};
use serde_json::{Value, json};

use crate::BIN;

/// The longest a request may take (`server.request_timeout_secs` in these tests).
const DEADLINE: Duration = Duration::from_secs(3);
const TOKEN: &str = "an-admin-token-for-the-fault-suite-0123456789";

/// Tenant `acme` with the confidential client `svc` (client credentials) on `server`; returns its
/// secret.
async fn service(server: &Server) -> String {
    World::tenant("acme")
        .client(json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                       "grant_types": ["client_credentials"]}))
        .create(&Admin::new(server, TOKEN))
        .await
        .secret("svc")
}

/// A node on Postgres and Redis, each behind its own proxy, with a tenant and a service client.
struct Node {
    server: Server,
    postgres: FaultProxy,
    redis: FaultProxy,
    secret: String,
    /// The service's DPoP key.
    key: AgentKey,
    _dir: TempDir,
    stores: (TestPostgres, TestRedis),
}

async fn node(tag: &str) -> Option<Node> {
    let pg = TestPostgres::create().await?;
    let redis = TestRedis::create().await?;
    let (postgres, database_url) = FaultProxy::in_front_of(&pg.url).await;
    let (redis_proxy, redis_url) = FaultProxy::in_front_of(&redis.url).await;
    let dir = TempDir::new(tag);
    let env = [
        ("CIAM_ADMIN_TOKEN", TOKEN),
        ("CIAM_SERVER__REQUEST_TIMEOUT_SECS", "3"),
        ("CIAM_DATABASE__ACQUIRE_TIMEOUT_SECS", "1"),
    ];
    let opts = ServerOptions {
        database_url: Some(database_url),
        redis: Some((redis_url, redis.prefix.clone())),
        env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        ..ServerOptions::default()
    };
    let server = Server::start(BIN, &dir.0, opts).await;
    let secret = service(&server).await;
    let (key, _) = AgentKey::new("svc");
    Some(Node { server, postgres, redis: redis_proxy, secret, key, _dir: dir, stores: (pg, redis) })
}

impl Node {
    /// A client credentials request: its status, body and how long it took.
    async fn token(&self) -> (u16, Value, Duration) {
        client_credentials(&self.server, &self.secret, None).await
    }

    /// A client credentials request bound to the service's key with a fresh DPoP proof: it needs
    /// both stores (the proof's record in the ephemeral store, the audit event in the durable).
    async fn bound_token(&self) -> (u16, Value, Duration) {
        let proof = self.key.proof("POST", &self.server.url("/t/acme/token"), None);
        client_credentials(&self.server, &self.secret, Some(&proof)).await
    }

    async fn ready(&self) -> (u16, Value) {
        let res = self.server.http.get(self.server.url("/readyz")).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// Waits until a bound token is issued again; returns how long that took.
    async fn recovers(&self) -> Duration {
        let started = Instant::now();
        loop {
            let (status, body, _) = self.bound_token().await;
            if status == 200 {
                return started.elapsed();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "never recovered: {status} {body}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A client credentials request of `svc`, with a DPoP proof if given: its status, body and how
/// long it took.
async fn client_credentials(server: &Server, secret: &str, proof: Option<&str>) -> (u16, Value, Duration) {
    let started = Instant::now();
    let res = token_request(server, secret, proof).timeout(DEADLINE * 4).send().await;
    let res = res.expect("an answer before the client gives up");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

/// `svc`'s client credentials request, with a DPoP proof if given.
fn token_request(server: &Server, secret: &str, proof: Option<&str>) -> reqwest::RequestBuilder {
    let req = server.http.post(server.url("/t/acme/token")).basic_auth("svc", Some(secret));
    let req = req.form(&[("grant_type", "client_credentials")]);
    match proof {
        Some(p) => req.header("DPoP", p),
        None => req,
    }
}

/// A refusal because a store failed: 503, in bounded time, in the token endpoint's format.
fn unavailable(what: &str, (status, body, took): (u16, Value, Duration)) {
    assert_eq!(status, 503, "{what}: {body}");
    assert_eq!(body["error"], "temporarily_unavailable", "{what}: {body}");
    assert!(took <= DEADLINE + Duration::from_millis(500), "{what}: answered after {took:?}");
}

#[tokio::test]
async fn postgres_down_stalled_or_slow_costs_a_bounded_503_and_the_node_recovers_by_itself() {
    let Some(n) = node("faults-pg").await else { return };
    assert_eq!(n.token().await.0, 200);

    for fault in [Fault::Cut, Fault::BlackHole] {
        n.postgres.set(fault);
        unavailable(&format!("{fault:?}"), n.token().await);
        let (status, ready) = n.ready().await;
        assert_eq!(status, 503, "{fault:?}: {ready}");
        assert!(
            ["unavailable", "timeout"].contains(&ready["checks"]["durable_store"].as_str().unwrap_or("")),
            "{ready}"
        );
        assert_eq!(ready["checks"]["ephemeral_store"], "ok");
        n.postgres.set(Fault::Pass);
        let took = n.recovers().await;
        assert!(took < Duration::from_secs(10), "{fault:?}: back after {took:?}");
        assert_eq!(n.ready().await.0, 200);
    }

    // Both refusals are in the metrics, 503s of the token route and store errors (and so is any
    // refusal while the node recovered).
    let metrics = n.server.http.get(n.server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let counted = |series: &str| -> u64 {
        let line = metrics.lines().find(|l| l.contains(series));
        line.and_then(|l| l.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    assert!(counted(r#"route="/t/{tenant}/token",status="503"}"#) >= 2, "{metrics}");
    assert!(counted(r#"ciam_store_errors_total{route="/t/{tenant}/token"}"#) >= 2, "{metrics}");

    // Slow (a second per round trip): answered, or refused by the deadline, never hung.
    n.postgres.set(Fault::Delay(Duration::from_secs(1)));
    let (status, body, took) = n.token().await;
    assert!(status == 200 || status == 503, "{status} {body}");
    assert!(took <= DEADLINE + Duration::from_millis(500), "slow: answered after {took:?}");
    n.postgres.set(Fault::Pass);
    n.recovers().await;
    assert!(!n.server.logs().contains("panicked"), "{}", n.server.logs());
}

#[tokio::test]
async fn redis_down_or_stalled_leaves_what_needs_no_session_served_and_the_node_recovers_by_itself() {
    let Some(n) = node("faults-redis").await else { return };
    assert_eq!(n.token().await.0, 200);

    for fault in [Fault::Cut, Fault::BlackHole] {
        n.redis.set(fault);
        // A plain client credentials grant needs no ephemeral state: it goes on being served.
        let (status, body, took) = n.token().await;
        assert_eq!(status, 200, "{fault:?}: {body}");
        assert!(took <= DEADLINE, "{fault:?}: answered after {took:?}");
        // A DPoP proof cannot be checked against the used ones: no bound token is issued unchecked.
        unavailable(&format!("{fault:?}, bound"), n.bound_token().await);
        let (status, ready) = n.ready().await;
        assert_eq!(status, 503, "{fault:?}: {ready}");
        assert!(
            ["unavailable", "timeout"].contains(&ready["checks"]["ephemeral_store"].as_str().unwrap_or("")),
            "{ready}"
        );
        n.redis.set(Fault::Pass);
        let took = n.recovers().await;
        assert!(took < Duration::from_secs(10), "{fault:?}: back after {took:?}");
        assert_eq!(n.ready().await.0, 200);
    }
    assert!(!n.server.logs().contains("panicked"), "{}", n.server.logs());
}

/// A proof refused with `error`, its description saying `says`.
fn refused(what: &str, (status, body, _): (u16, Value, Duration), error: &str, says: &str) {
    assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{what}: {body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(says), "{what}: {body}");
}

/// The `DPoP-Nonce` the token endpoint hands out with an answer to `proof`.
async fn nonce_for(server: &Server, secret: &str, proof: &str) -> String {
    let res = token_request(server, secret, Some(proof)).send().await.unwrap();
    res.headers()["dpop-nonce"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn dpop_replay_records_fail_closed_when_redis_is_flushed() {
    let Some(n) = node("faults-replay").await else { return };
    let (key, url) = (&n.key, n.server.url("/t/acme/token"));
    let proof = key.proof("POST", &url, None);
    let (status, body, _) = client_credentials(&n.server, &n.secret, Some(&proof)).await;
    assert_eq!((status, body["token_type"].as_str()), (200, Some("DPoP")), "{body}");
    let replay = client_credentials(&n.server, &n.secret, Some(&proof)).await;
    refused("again", replay, "invalid_dpop_proof", "used before");

    // Flushed: the records of used proofs are gone, and a proof made before is still refused
    // (with a nonce, which only the key's holder can put in a new proof); a new one is fine.
    let used = key.proof("POST", &url, None);
    assert_eq!(client_credentials(&n.server, &n.secret, Some(&used)).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    n.stores.1.flush();
    let replay = client_credentials(&n.server, &n.secret, Some(&used)).await;
    refused("after a flush", replay, "use_dpop_nonce", "replay records");
    let fresh = key.proof("POST", &url, None);
    assert_eq!(client_credentials(&n.server, &n.secret, Some(&fresh)).await.0, 200);
    let replay = client_credentials(&n.server, &n.secret, Some(&used)).await;
    refused("the refused one again", replay, "invalid_dpop_proof", "used before");
}

impl Node {
    /// `svc` introspects `token`: whether it is active.
    async fn active(&self, token: &str) -> bool {
        let res = self.post("/t/acme/introspect", token).await;
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["active"].as_bool().unwrap()
    }

    /// `svc` posts `token` to one of its back-channel endpoints.
    async fn post(&self, path: &str, token: &str) -> reqwest::Response {
        let url = self.server.url(path);
        let req = self.server.http.post(url).basic_auth("svc", Some(&self.secret)).form(&[("token", token)]);
        req.timeout(DEADLINE * 4).send().await.unwrap()
    }
}

#[tokio::test]
async fn a_revoked_token_stays_revoked_when_redis_is_flushed_or_down() {
    let Some(n) = node("faults-revoked").await else { return };
    let (revoked, kept) = (n.token().await.1, n.token().await.1);
    let (revoked, kept) = (revoked["access_token"].as_str().unwrap(), kept["access_token"].as_str().unwrap());
    assert_eq!(n.post("/t/acme/revoke", revoked).await.status(), 200);
    assert!(!n.active(revoked).await && n.active(kept).await);

    // Redis flushed: the revocation is still known (read from Postgres and copied back).
    n.stores.1.flush();
    assert!(!n.active(revoked).await, "still revoked after a flush");
    assert!(n.active(kept).await);

    // Redis down: checks read Postgres; a revocation cannot be recorded in both, so it fails
    // (503) and records nothing, and the token stays active until it is revoked again.
    n.redis.set(Fault::Cut);
    assert!(!n.active(revoked).await, "still revoked with Redis down");
    assert!(n.active(kept).await);
    assert_eq!(n.post("/t/acme/revoke", kept).await.status(), 503);
    n.redis.set(Fault::Pass);
    n.recovers().await;
    assert!(n.active(kept).await, "the failed revocation recorded nothing");
    assert_eq!(n.post("/t/acme/revoke", kept).await.status(), 200);
    assert!(!n.active(kept).await && !n.active(revoked).await);
}

#[tokio::test]
async fn a_restarted_embedded_node_refuses_proofs_made_before_it_started() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let origin = format!("http://localhost:{port}");
    let env = vec![
        ("CIAM_BIND".to_owned(), format!("127.0.0.1:{port}")),
        ("CIAM_PUBLIC_URL".to_owned(), origin.clone()),
        ("CIAM_ADMIN_TOKEN".to_owned(), TOKEN.to_owned()),
    ];
    let opts = ServerOptions { env, embedded: true, ..ServerOptions::default() };
    let dir = TempDir::new("faults-restart");
    let mut server = Server::start(BIN, &dir.0, opts.clone()).await;
    let secret = service(&server).await;
    let (key, _) = AgentKey::new("svc");
    let htu = format!("{origin}/t/acme/token");
    let made = unix_now();
    let used = key.proof("POST", &htu, None);
    assert_eq!(client_credentials(&server, &secret, Some(&used)).await.0, 200);

    // The in-process records are gone with the process.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.terminate();
    assert_eq!(server.wait(Duration::from_secs(20)).await, Some(0));
    let server = Server::start(BIN, &dir.0, opts).await;
    let replay = client_credentials(&server, &secret, Some(&used)).await;
    refused("after a restart", replay, "use_dpop_nonce", "replay records");
    // A client whose clock still reads the time before the restart gets in with the nonce the
    // refusal carried (RFC 9449 §8), as a client following the RFC does by itself.
    let nonce = nonce_for(&server, &secret, &key.proof_at("POST", &htu, made, None)).await;
    let behind = key.proof_at("POST", &htu, made, Some(&nonce));
    assert_eq!(client_credentials(&server, &secret, Some(&behind)).await.0, 200);
    let fresh = key.proof("POST", &htu, None);
    assert_eq!(client_credentials(&server, &secret, Some(&fresh)).await.0, 200);
}

/// Client credentials requests of `svc` to the URL `target` holds, until `stop`: counts the
/// tokens issued and the requests that failed.
fn load(
    target: Arc<std::sync::RwLock<String>>,
    secret: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(u64, u64)> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let (mut issued, mut failed) = (0, 0);
        while !stop.load(Ordering::Relaxed) {
            let url = target.read().unwrap().clone();
            let res = http
                .post(url)
                .basic_auth("svc", Some(&secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            // Issued only when the whole answer arrived: a node killed mid-answer issued nothing.
            let answered = match res {
                Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                _ => false,
            };
            if answered {
                issued += 1;
            } else {
                failed += 1;
            }
        }
        (issued, failed)
    })
}

#[tokio::test]
async fn a_node_killed_under_load_loses_no_audit_event_and_the_other_keeps_serving() {
    let Some(pg) = TestPostgres::create().await else { return };
    let Some(redis) = TestRedis::create().await else { return };
    let opts = ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        env: vec![("CIAM_ADMIN_TOKEN".into(), TOKEN.into())],
        ..ServerOptions::default()
    };
    let (dir_a, dir_b) = (TempDir::new("crash-a"), TempDir::new("crash-b"));
    let (mut a, b) =
        tokio::join!(Server::start(BIN, &dir_a.0, opts.clone()), Server::start(BIN, &dir_b.0, opts.clone()));
    let secret = service(&b).await;

    // Three clients on each node; node A is killed (SIGKILL) and started again, three times.
    let stop = Arc::new(AtomicBool::new(false));
    let on_a = Arc::new(std::sync::RwLock::new(a.url("/t/acme/token")));
    let on_b = Arc::new(std::sync::RwLock::new(b.url("/t/acme/token")));
    let workers_a: Vec<_> = (0..3).map(|_| load(on_a.clone(), secret.clone(), stop.clone())).collect();
    let workers_b: Vec<_> = (0..3).map(|_| load(on_b.clone(), secret.clone(), stop.clone())).collect();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let killed = std::process::Command::new("kill").args(["-9", &a.pid().to_string()]).status().unwrap();
        assert!(killed.success());
        assert_eq!(a.wait(Duration::from_secs(10)).await, None, "killed by the signal");
        a = Server::start(BIN, &dir_a.0, opts.clone()).await;
        *on_a.write().unwrap() = a.url("/t/acme/token");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut issued = 0;
    for w in workers_a {
        issued += w.await.unwrap().0;
    }
    for w in workers_b {
        let (ok, failed) = w.await.unwrap();
        assert_eq!(failed, 0, "node B served every request while A was killed");
        issued += ok;
    }
    assert!(issued > 0);

    // Every token handed out has its event (an event whose answer died with the node is fine),
    // and the trail verifies.
    let export = b
        .http
        .get(b.url("/admin/v1/tenants/acme/audit/export?type=token.issued"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = u64::try_from(export.lines().filter(|l| l.contains("\"client_id\":\"svc\"")).count()).unwrap();
    assert!(events >= issued, "{events} token.issued events for {issued} tokens issued");
    assert!(events <= issued + 3 * 3, "at most one unanswered issuance per client and kill: {events} for {issued}");
    let (code, out) = b.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
}

/// A small tmpfs mounted at a path, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// `size` (as `mount -o size=` takes it) at `at`; `None` when mounting is not possible here.
    fn mount(at: std::path::PathBuf, size: &str) -> Option<Self> {
        std::fs::create_dir_all(&at).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status();
        match mounted {
            Ok(s) if s.success() => Some(Self(at)),
            other => {
                skip_or_fail("a tmpfs mount (root)", format!("{other:?}"));
                None
            }
        }
    }

    /// Fills what is left of it; returns the file that holds the space.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write as _;
        let filler = self.0.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_full_disk_is_a_clear_503_and_the_embedded_store_goes_on_when_space_returns() {
    let dir = TempDir::new("disk-full");
    let Some(disk) = SmallDisk::mount(dir.0.join("small"), "24m") else { return };
    let opts = ServerOptions {
        env: vec![("CIAM_ADMIN_TOKEN".to_owned(), TOKEN.to_owned())],
        embedded: true,
        ..ServerOptions::default()
    };
    let mut server = Server::start(BIN, &disk.0, opts).await;
    let admin = Admin::new(&server, TOKEN);
    let secret = service(&server).await;
    assert_eq!(client_credentials(&server, &secret, None).await.0, 200);

    // Full: writes are refused with a 503 that says why, in each endpoint's format; reads go on.
    let filler = disk.fill();
    let mut refused = 0;
    for i in 0..20 {
        let (status, body, _) = client_credentials(&server, &secret, None).await;
        assert!(status == 200 || status == 503, "{status} {body}");
        if status == 503 {
            assert_eq!(body["error"], "temporarily_unavailable", "{body}");
            refused += 1;
        }
        let (status, body) = admin
            .call(
                reqwest::Method::POST,
                "/tenants/acme/users",
                Some(json!({"email": format!("u{i}@example.com"), "password": "a long enough password"})),
            )
            .await;
        assert!(status == 201 || status == 503, "{status} {body}");
    }
    assert!(refused > 0, "a full disk refused no token");
    assert_eq!(admin.call(reqwest::Method::GET, "/tenants/acme", None).await.0, 200, "reads go on");

    // Space back: the node goes on by itself, and nothing is corrupt.
    std::fs::remove_file(filler).unwrap();
    let started = Instant::now();
    while client_credentials(&server, &secret, None).await.0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(10), "never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    admin
        .post("/tenants/acme/users", json!({"email": "after@example.com", "password": "a long enough password"}), 201)
        .await;
    let (code, out) = server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
    server.terminate();
    assert_eq!(server.wait(Duration::from_secs(20)).await, Some(0));
    let db = rusqlite::Connection::open_with_flags(
        disk.0.join("data").join("ciam.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let check: String = db.query_row("pragma integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert!(!server.logs().contains("panicked"), "{}", server.logs());
}
