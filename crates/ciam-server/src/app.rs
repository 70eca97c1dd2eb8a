//! Building and running a server: the binary and the tests share this one bootstrap.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use ciam_authn::PasswordHasher;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::{Clock, SystemClock};
use ciam_jose::{Keyring, MasterKey};
use ciam_store::PoolOptions;
use secrecy::ExposeSecret;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::admin;
use crate::config::{ValidatedConfig, default_public_url};
use crate::error::{self, Problem};
use crate::oidc;
use crate::ops;
use crate::state::{AppState, NodeSettings};
use crate::telemetry::{self, Metrics, REQUEST_ID};

/// `Strict-Transport-Security` of deployments with an https public URL (RFC 6797).
const HSTS: &str = "max-age=63072000";

/// Tells each region's ephemeral store that it holds every record of used DPoP proofs and client
/// assertions from this start on (unless it says since when already), so that a proof made after
/// the start is never taken for one made before a loss (`ciam_core::keyspace::Replay`). A store
/// that does not answer now is marked by its first record instead.
async fn open_replay_records(state: &AppState) {
    for region in state.regions.served() {
        let opened = match state.regions.ephemeral_of(region) {
            Ok(store) => ciam_core::keyspace::Replay::new(store.as_ref()).open_records().await,
            Err(e) => Err(e),
        };
        if let Err(e) = opened {
            tracing::warn!(%region, error = %e, "the replay records' start could not be marked now");
        }
    }
}

/// The complete router for a state: operations, the management API and its OpenAPI document,
/// with the cross-cutting layers (request id, tracing, metrics, security headers, limits).
pub fn app(state: AppState, request_timeout: Duration) -> Router {
    let (admin, openapi) = admin::router().split_for_parts();
    let permissions = Arc::new(admin::access::RoutePermissions::of(&openapi));
    for route in &permissions.undeclared {
        tracing::error!(%route, "a management route declares no known permission: only refused");
    }
    let openapi = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    let admin = admin
        .route_layer(axum::middleware::from_fn_with_state((state.clone(), permissions), admin::access::guard))
        .route(
            "/admin/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc.to_string()) }
            }),
        )
        .layer(DefaultBodyLimit::max(admin::MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));

    // Hosted pages set their own, nonce-bearing policy (`oidc::pages::page_policy`); everything
    // else (JSON, scripts, redirects) is never a document that needs to load anything.
    let mut security_headers = vec![
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    if state.node.public_url.starts_with("https://") {
        // Two years, for the public host only: `includeSubDomains` would bind every host under a
        // public URL such as https://example.com, which may not be ours to bind (the `__Host-`
        // cookies already keep sibling hosts from planting cookies). A proxy in front may send
        // a wider policy (`includeSubDomains; preload`) instead.
        security_headers.push((header::STRICT_TRANSPORT_SECURITY, HSTS));
    }
    let mut router = Router::new()
        .merge(ops::routes())
        .merge(oidc::routes(&state))
        .merge(crate::console::routes(&state))
        .merge(admin)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::http::regions::gate))
        // Inside the metrics, so a request that ran out of time is counted (a 503 by its route).
        .layer(axum::middleware::from_fn_with_state(request_timeout, crate::http::deadline::deadline))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), telemetry::observe))
        .layer(CatchPanicLayer::custom(|_| Problem::internal("handler panicked").into_response()));
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// A server bound to its port, ready to run.
pub struct App {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    shutdown_timeout: Duration,
    header_timeout: Duration,
    saml_metadata_refresh: Option<Duration>,
}

/// Opens the stores of every region this node serves, and the control region's placement
/// directory (applying migrations to each).
pub async fn open_regions(config: &ValidatedConfig) -> anyhow::Result<ciam_store::regional::Regions> {
    let pool = PoolOptions { max_connections: config.max_connections, acquire_timeout: config.acquire_timeout };
    let specs: Vec<_> = config
        .regions
        .iter()
        .map(|r| ciam_store::regional::RegionSpec {
            region: r.region.clone(),
            database_url: r.database_url.clone(),
            redis_url: r.redis_url.clone(),
            redis_key_prefix: r.redis_key_prefix.clone().unwrap_or_else(|| config.redis_key_prefix.clone()),
            serve: r.serve,
        })
        .collect();
    ciam_store::regional::open(&config.region, &specs, &pool)
        .await
        .with_context(|| format!("cannot open the durable store {}", config.database_description()))
}

impl App {
    /// Opens the stores (applying migrations), resolves the admin token, binds the port.
    pub async fn build(config: ValidatedConfig) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`App::build`] with an injected clock (tests).
    pub async fn build_with_clock(config: ValidatedConfig, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
        config.check_sqlite_directory()?;
        let regions = Arc::new(open_regions(&config).await?);
        let durable: Arc<dyn ciam_core::store::DurableStore> = regions.durable.clone();
        let ephemeral: Arc<dyn ciam_core::store::EphemeralStore> = regions.ephemeral.clone();
        let admin_token = admin_token_hash(&config)?;
        let master = Arc::new(master_key(&config)?);
        let keys = Arc::new(Keyring::new(durable.clone(), master.clone()));
        let risk = crate::adapters::risk::RiskServices::load(
            config.risk.geoip_database.as_deref(),
            config.risk.ip_reputation_file.as_deref(),
        )?;
        let mailer = mailer(&config)?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {} (bind)", config.bind))?;
        let local = listener.local_addr()?;
        let public_url = config
            .public_url
            .as_ref()
            .map_or_else(|| default_public_url(local), |u| u.as_str().trim_end_matches('/').to_owned());
        let passkeys = passkey_rp(&public_url);
        let data_keys = crate::services::privacy_keys::DataKeys::new(durable.clone(), master.clone(), clock.clone());
        let audit = crate::audit::AuditWriter::start(durable.clone(), Arc::new(data_keys));
        let directory = Arc::default();
        let jwks_fetcher = Arc::new(crate::adapters::outbound::JwksFetcher::new(config.allow_private_networks)?);
        let parts = crate::adapters::issuance::IssuerParts {
            durable: &durable,
            ephemeral: &ephemeral,
            directory: &directory,
            audit: &audit,
            keys: &keys,
            clock: &clock,
            jwks_fetcher: &jwks_fetcher,
        };
        let issuance = Arc::new(crate::adapters::issuance::issuer(parts, &public_url));
        let state = AppState::new(crate::state::Services {
            audit,
            durable,
            ephemeral,
            passwords: PasswordHasher::new(config.password_hashing_concurrency)?,
            clock,
            node: Arc::new(NodeSettings {
                public_url,
                region: config.region.clone(),
                regions: config
                    .regions
                    .iter()
                    .map(|r| crate::state::RegionInfo {
                        region: r.region.clone(),
                        public_url: r.public_url.as_ref().map(|u| u.as_str().trim_end_matches('/').to_owned()),
                        served: r.serve,
                    })
                    .collect(),
                trusted_proxies: config.trusted_proxies.clone(),
                client_certificate_header: config.client_certificate_header.clone(),
                admin: config.admin.clone(),
            }),
            admin_token: Arc::new(admin_token),
            keys,
            jwks_fetcher: jwks_fetcher.clone(),
            upstreams: Arc::new(crate::adapters::upstream::Upstreams::new(jwks_fetcher)),
            metadata_documents: Arc::new(crate::adapters::metadata_documents::MetadataDocuments::new(
                config.allow_private_networks,
            )?),
            metrics: Arc::new(Metrics::default()),
            accepting: Arc::new(AtomicBool::new(true)),
            master,
            risk: Arc::new(risk),
            mailer: Arc::new(mailer),
            outbox: crate::services::outbox::Outbox::default(),
            passkeys,
            captcha: match &config.captcha {
                Some(c) => {
                    let check = crate::adapters::captcha::Siteverify::new(
                        c.provider,
                        &c.site_key,
                        c.secret.clone(),
                        &c.verify_url,
                    )
                    .map_err(|e| anyhow::anyhow!("the CAPTCHA client: {e}"))?;
                    Some(Arc::new(check) as Arc<dyn crate::adapters::captcha::HumanCheck>)
                }
                None => None,
            },
            client_auth: Arc::default(),
            directory,
            issuance,
            regions,
        });
        crate::services::admins::bootstrap(&state)
            .await
            .map_err(|e| anyhow::anyhow!("cannot set up the control tenant {}: {e}", config.admin.control_tenant))?;
        open_replay_records(&state).await;
        tracing::info!(
            address = %local,
            public_url = %state.node.public_url,
            data_dir = %config.data_dir.display(),
            durable_store = %config.database_description(),
            ephemeral_store = if config.redis_url.is_some() { "redis" } else { "in-process" },
            "ciam ready"
        );
        crate::telemetry::flush_logs();
        let router = app(state.clone(), config.request_timeout);
        Ok(Self {
            listener,
            router,
            state,
            shutdown_timeout: config.shutdown_timeout,
            header_timeout: config.header_timeout,
            saml_metadata_refresh: config.saml_metadata_refresh,
        })
    }

    /// The bound address (the real port when `bind` used port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// The state, for tests that inspect stores directly.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves (and delivers queued mail, and refreshes SAML metadata on its schedule) until
    /// `shutdown` completes, then stops accepting connections, claiming mail and refreshing,
    /// marks the node not ready, and gives in-flight requests and mail deliveries up to
    /// `server.shutdown_timeout_secs` to finish. Mail not delivered by then stays in the outbox
    /// for another node or the next start.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        // The background workers stop when this turns true.
        let (stop_workers, workers_stop) = tokio::sync::watch::channel(false);
        let mail_worker =
            crate::services::outbox::start_worker(self.state.clone(), workers_stop.clone(), self.shutdown_timeout);
        let sweeper = crate::services::retention::start_sweeper(self.state.clone(), workers_stop.clone());
        let rotator = crate::services::keys::start_rotator(self.state.clone(), workers_stop.clone());
        let placements = crate::services::residency::start_refresh(self.state.clone(), workers_stop.clone());
        let metadata_refresh = self
            .saml_metadata_refresh
            .map(|period| crate::services::saml::start_metadata_refresh(self.state.clone(), workers_stop, period));
        let accepting = self.state.accepting.clone();
        let signal = async move {
            shutdown.await;
            accepting.store(false, Ordering::Relaxed);
            let _ = stop_workers.send(true);
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stopping_tx.send(());
        };
        let serve = crate::http::serve::serve(self.listener, self.router, self.header_timeout, signal);
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(self.shutdown_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = serve => {}
            () = deadline => tracing::warn!("shutdown timeout reached; abandoning in-flight requests"),
        }
        // The worker was told to stop with the signal (or, if serving failed, when the signal's
        // sender was dropped above) and bounds its own wait for deliveries under way.
        if let Err(e) = mail_worker.await {
            tracing::warn!(error = %e, "the mail outbox worker ended abnormally");
        }
        if let Some(task) = metadata_refresh
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "the SAML metadata refresher ended abnormally");
        }
        if let Some(task) = placements
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "the placement refresher ended abnormally");
        }
        if let Err(e) = sweeper.await {
            tracing::warn!(error = %e, "the retention sweeper ended abnormally");
        }
        if let Err(e) = rotator.await {
            tracing::warn!(error = %e, "the key rotation schedule ended abnormally");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Runs one retention sweep of every tenant with `state`'s stores (`ciam privacy sweep`; servers
/// run it every hour); returns what went, as JSON.
pub async fn retention_sweep(state: &AppState) -> anyhow::Result<String> {
    let swept = crate::services::retention::sweep(state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(serde_json::to_string(&swept)?)
}

/// Rotates now the signing keys that tenants' schedules say are due (`ciam keys rotate-due`;
/// servers do it every hour); returns how many keys started signing.
pub async fn rotate_due_keys(state: &AppState) -> anyhow::Result<u64> {
    crate::services::keys::rotate_due(state).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// The break-glass token's hash: from configuration, else from `{data_dir}/admin-token`
/// (generated on first start). With `admin.break_glass = false` no token is generated: one
/// configured or left in the data directory is still recognised, to be refused by name. Logs
/// where the token is, never the token.
fn admin_token_hash(config: &ValidatedConfig) -> anyhow::Result<Option<SecretHash>> {
    match &config.admin_token {
        Some(t) => Ok(Some(SecretHash::of(t.expose_secret()))),
        None if config.admin.break_glass || config.data_dir.join("admin-token").exists() => {
            Ok(Some(SecretHash::of(&data_dir_secret(&config.data_dir, "admin-token", Secret::generate)?)))
        }
        None => Ok(None),
    }
}

/// The mailer the configuration names; the SMTP password comes from `mail.password(_file)`.
fn mailer(config: &ValidatedConfig) -> anyhow::Result<crate::adapters::mail::Mailer> {
    let mut url = config.mail.url.clone();
    if let Some(p) = &config.mail_password
        && let Ok(mut u) = url::Url::parse(&url)
    {
        u.set_password(Some(p.expose_secret())).map_err(|()| anyhow::anyhow!("mail.url cannot carry a password"))?;
        url = u.to_string();
    }
    crate::adapters::mail::Mailer::from_url(&url, &config.mail.from, &config.data_dir)
        .map_err(|e| anyhow::anyhow!("mail.url: {e}"))
}

/// The passkey relying party of the public URL: its host is the RP id. Browsers refuse
/// WebAuthn on plain http except on localhost, so other URLs get none.
fn passkey_rp(public_url: &str) -> Option<Arc<ciam_authn::passkey::PasskeyRp>> {
    let url = url::Url::parse(public_url).ok()?;
    let host = url.host_str()?.to_owned();
    match ciam_authn::passkey::PasskeyRp::new(&host, &url, "ciam") {
        Ok(rp) => Some(Arc::new(rp)),
        Err(e) => {
            tracing::warn!(public_url, error = %e, "passkeys are off: they need an https public URL (or http://localhost)");
            None
        }
    }
}

/// The master key: from configuration, else (embedded setup only; validation enforces it)
/// from `{data_dir}/master-key`, generated on first start.
pub fn master_key(config: &ValidatedConfig) -> anyhow::Result<MasterKey> {
    let text = match &config.master_key {
        Some(k) => k.expose_secret().to_owned(),
        None => data_dir_secret(&config.data_dir, "master-key", || Secret::new(MasterKey::generate_base64()))?,
    };
    MasterKey::from_base64(&text).context("master key")
}

/// Reads the secret in `{data_dir}/{name}`, or generates it into that file (mode 0600).
fn data_dir_secret(dir: &Path, name: &str, generate: impl FnOnce() -> Secret) -> anyhow::Result<String> {
    let path = dir.join(name);
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        tracing::info!(path = %path.display(), "{name} read from file");
        return Ok(text.trim().to_owned());
    }
    let secret = generate();
    write_private(&path, secret.expose_secret()).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(path = %path.display(), "generated {name}; it is in this file");
    Ok(secret.expose_secret().to_owned())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.write_all(b"\n")
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
