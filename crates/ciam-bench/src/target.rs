//! The servers under test and what the scenarios need from them: ciam (embedded, or on a fresh
//! Postgres database and Redis key prefix) provisioned through its admin API and hosted pages, and
//! the peer (node oidc-provider, `bench/peer/peer.mjs`) configured with the same clients.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use ciam_store::testing::{TestPostgres, TestRedis};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::load::{BROWSER_UA, Plan};
use crate::process::{Process, TempDir};
use crate::procfs::{self, Memory};
use crate::scenario::{
    ACCESS_TOKEN_TYPE, AgentSigner, Assertions, CIBA_GRANT, CIBA_POLL, CONSOLE, CodeFlow, JWT_BEARER, SignIn,
    SignUpWork, TOKEN_EXCHANGE, Work, basic, enc, field, form, path_of, query_param,
};

/// Where both servers send the browser back; nothing listens there (only the code is read).
pub(crate) const CALLBACK: &str = "http://127.0.0.1:9/callback";
/// The API that agents get tokens for, and the peer's default resource (JWT access tokens).
pub(crate) const API: &str = "https://api.bench.example/";
/// A second resource on the peer whose access tokens are opaque: oidc-provider cannot
/// introspect JWT access tokens, so its introspection scenario uses one of these.
pub(crate) const OPAQUE_API: &str = "https://opaque.bench.example/";
const EMAIL: &str = "ada@example.com";
/// A benchmark fixture, not a secret: the user exists only in a throw-away database.
const PASSWORD: &str = "correct horse battery staple";
const TENANT: &str = "bench";
const AGENT: &str = "planner";
/// The agent that asks Ada for approval over the back channel (CIBA, poll mode, with a client
/// secret: a poll's cost is the poll's, not a signed assertion's).
const POLLER: &str = "poller";
/// Backchannel requests the `ciba_poll` scenario polls in turn (fewer when a row has fewer
/// connections). A client may start 30 a minute.
const CIBA_REQUESTS: usize = 20;
/// The lifetime asked for them (the server's maximum), in seconds.
const CIBA_EXPIRY: u64 = 600;
/// A backchannel request is polled in a row only if it outlives the row's warm-up and window by
/// this much; otherwise a fresh one is started.
const CIBA_MARGIN: Duration = Duration::from_secs(30);
/// How many agent assertions per second of run are signed ahead (the token exchange target is
/// 6,000/s; beyond the pool the generator signs on the fly).
const PRESIGN_PER_SEC: u64 = 8_000;

/// Which stores a ciam server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// SQLite file and in-process ephemeral store (the default deployment).
    Embedded,
    /// A fresh Postgres database and a Redis key prefix, both removed at the end.
    Postgres,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ciam,
    Peer,
}

struct Paths {
    discovery: String,
    jwks: String,
    token: String,
    introspect: String,
    authorize: String,
    userinfo: String,
    /// ciam's hosted login form (the peer has none).
    login: Option<String>,
    /// ciam's hosted sign-up form (the peer has none).
    signup: Option<String>,
    /// ciam's backchannel authentication endpoint (CIBA; the peer is not set up for it).
    bc_authorize: Option<String>,
}

/// A started, provisioned server.
pub(crate) struct Target {
    pub(crate) kind: Kind,
    pub(crate) idle: Memory,
    /// Declared first so it is killed before the directory and the services are removed.
    process: Process,
    base: String,
    issuer: String,
    paths: Paths,
    svc: (String, String),
    web: (String, String),
    /// ciam's agent: its id and private key (PKCS#8 DER).
    agent: Option<(String, String, Vec<u8>)>,
    /// ciam's CIBA agent: its id and client secret.
    poller: Option<(String, String)>,
    /// The backchannel requests started for `ciba_poll` that nobody answers: each `auth_req_id`
    /// and when it expires.
    ciba: Vec<(String, Instant)>,
    /// The setup browser (its cookie jar holds session 0).
    browser: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    /// One signed-in browser's cookies per load connection.
    sessions: Vec<String>,
    /// ciam's generated admin token (empty for the peer).
    admin_token: String,
    _dir: Option<TempDir>,
    _services: Option<(TestPostgres, TestRedis)>,
}

fn browser() -> Result<(reqwest::Client, Arc<reqwest::cookie::Jar>)> {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(BROWSER_UA)
        .timeout(Duration::from_secs(30))
        .build()?;
    Ok((client, jar))
}

impl Target {
    pub(crate) fn pid(&self) -> u32 {
        self.process.pid
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.process.addr
    }

    /// The absolute URL of `path` on the server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// ciam's admin token.
    pub(crate) fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Signs `email` (with the benchmark's password) in to the web app in a fresh browser.
    pub(crate) async fn sign_in_as(&self, email: &str) -> Result<()> {
        let (client, _) = browser()?;
        let (start, _) = self.authorize_url("web", "openid", "");
        self.browse_as(&client, &start, email).await.map(|_| ())
    }

    /// Stops the server (SIGTERM, then SIGKILL) and removes what it used.
    pub(crate) async fn stop(self) {
        self.process.stop(Duration::from_secs(10)).await;
    }

    /// Starts `bin serve` on a free loopback port with a fresh data directory and provisions the
    /// benchmark tenant.
    pub(crate) async fn ciam(bin: &Path, backend: Backend, log_level: &str) -> Result<Self> {
        let dir = TempDir::new("ciam")?;
        let services = match backend {
            Backend::Embedded => None,
            Backend::Postgres => {
                let pg = TestPostgres::create().await.ok_or_else(|| anyhow!("PostgreSQL unavailable"))?;
                let redis = TestRedis::create().await.ok_or_else(|| anyhow!("Redis unavailable"))?;
                Some((pg, redis))
            }
        };
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .current_dir(&dir.0)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("CIAM_DATA_DIR", dir.0.join("data"))
            .env("CIAM_BIND", "127.0.0.1:0")
            .env("CIAM_LOG__FORMAT", "json")
            .env("CIAM_LOG__LEVEL", log_level)
            // The console scenario's administrator signs in with a password.
            .env("CIAM_ADMIN__ACR", "pwd");
        if let Some((pg, redis)) = &services {
            cmd.env("DATABASE_URL", &pg.url)
                .env("CIAM_MASTER_KEY", ciam_jose::MasterKey::generate_base64())
                .env("REDIS_URL", &redis.url)
                .env("CIAM_REDIS_KEY_PREFIX", &redis.prefix);
        }
        let ready = |v: &Value| {
            let ready = v.get("message").and_then(Value::as_str) == Some("ciam ready");
            ready.then(|| v.get("address")?.as_str()?.parse().ok()).flatten()
        };
        let process = Process::spawn("ciam", cmd, ready, Duration::from_secs(60)).await?;
        let idle = procfs::memory(process.pid)?;
        let base = format!("http://{}", process.addr);
        // On loopback the server names itself `http://localhost:PORT` (its default public URL).
        let issuer = format!("http://localhost:{}/t/{TENANT}", process.addr.port());
        let admin_token = std::fs::read_to_string(dir.0.join("data").join("admin-token"))
            .context("read the generated admin token")?
            .trim()
            .to_owned();
        let (browser, jar) = browser()?;
        let t = format!("/t/{TENANT}");
        let mut target = Self {
            kind: Kind::Ciam,
            idle,
            process,
            base,
            issuer,
            paths: Paths {
                discovery: format!("{t}/.well-known/openid-configuration"),
                jwks: format!("{t}/jwks"),
                token: format!("{t}/token"),
                introspect: format!("{t}/introspect"),
                authorize: format!("{t}/authorize"),
                userinfo: format!("{t}/userinfo"),
                login: Some(format!("{t}/login")),
                signup: Some(format!("{t}/signup")),
                bc_authorize: Some(format!("{t}/bc-authorize")),
            },
            svc: (String::new(), String::new()),
            web: (String::new(), String::new()),
            agent: None,
            poller: None,
            ciba: Vec::new(),
            browser,
            jar,
            sessions: Vec::new(),
            admin_token: admin_token.clone(),
            _dir: Some(dir),
            _services: services,
        };
        target.provision_ciam(&admin_token).await.context("provision ciam")?;
        Ok(target)
    }

    /// The tenant, a user, the confidential clients, two agents the web app owns (one exchanges
    /// tokens, one asks over the back channel), Ada's first sign-in with consent, and her
    /// delegations to both agents.
    async fn provision_ciam(&mut self, admin_token: &str) -> Result<()> {
        let admin = |path: &str, body: Value| {
            let req = self.browser.post(format!("{}/admin/v1{path}", self.base)).bearer_auth(admin_token).json(&body);
            let path = path.to_owned();
            async move {
                let res = req.send().await?;
                let status = res.status();
                let v: Value = res.json().await.unwrap_or(Value::Null);
                if status.as_u16() != 201 {
                    bail!("POST {path}: {status}: {v}");
                }
                Ok(v)
            }
        };
        // The agent exchanges thousands of times a minute here, far above the rate rule's
        // threshold (60/min) meant for real agents: that one rule is off, the rest is default.
        let risk = json!({"rules": {"agent_exchange_rate": {"enabled": false}}});
        // Sign-up open for the `signup` scenario, with the network budget at its maximum: every
        // sign-up of the run comes from one loopback address.
        let signup = json!({"mode": "open", "per_network_per_hour": 10_000});
        admin(
            "/tenants",
            json!({"id": TENANT, "display_name": "Bench", "settings": {"risk_policy": risk, "signup": signup}}),
        )
        .await?;
        let t = format!("/tenants/{TENANT}");
        admin(
            &format!("{t}/users"),
            json!({"email": EMAIL, "password": PASSWORD, "name": "Ada Lovelace",
                                             "email_verified": true}),
        )
        .await?;
        let svc = admin(
            &format!("{t}/clients"),
            json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                   "grant_types": ["client_credentials"], "scopes": ["api:read", "api:write"]}),
        )
        .await?;
        self.svc = ("svc".into(), secret_of(&svc)?);
        let web = admin(
            &format!("{t}/clients"),
            // ES256 ID tokens, as the peer's client (OIDC's default, RS256, signs 25 times slower).
            json!({"client_id": "web", "name": "Web app", "client_type": "confidential", "redirect_uris": [CALLBACK],
                   "scopes": ["openid", "email", "profile", "offline_access", "api:read"],
                   "id_token_signed_response_alg": "ES256"}),
        )
        .await?;
        self.web = ("web".into(), secret_of(&web)?);
        let (key, der) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).map_err(|e| anyhow!("{e}"))?;
        let jwks = json!({"keys": [key.public_jwk().as_json()]});
        admin(
            &format!("{t}/agents"),
            json!({"agent_id": AGENT, "name": "Planner", "description": "Plans trips for the benchmark",
                   "owner": {"type": "client", "id": "web"}, "jwks": jwks, "redirect_uris": [CALLBACK],
                   "allowed_scopes": ["api:read"], "allowed_audiences": [API], "dpop_bound_access_tokens": false}),
        )
        .await?;
        self.agent = Some((AGENT.into(), key.kid().to_owned(), der));
        let poller = admin(
            &format!("{t}/agents"),
            json!({"agent_id": POLLER, "name": "Poller", "description": "Asks for approval over the back channel",
                   "owner": {"type": "client", "id": "web"}, "redirect_uris": [CALLBACK],
                   "token_endpoint_auth_method": "client_secret_basic",
                   "grant_types": ["authorization_code", CIBA_GRANT], "backchannel_token_delivery_mode": "poll",
                   "allowed_scopes": ["openid", "api:read"], "allowed_audiences": [API],
                   "dpop_bound_access_tokens": false}),
        )
        .await?;
        self.poller = Some((POLLER.into(), secret_of(&poller)?));
        // Ada signs in to the web app and consents (remembered), then approves the delegation.
        let (start, _) = self.authorize_url("web", "openid email offline_access api:read", "");
        self.browse(&self.browser, &start).await.context("first sign-in")?;
        let (start, _) = self.authorize_url(AGENT, "api:read", &format!("&resource={}", enc(API)));
        self.browse(&self.browser, &start).await.context("delegation approval")?;
        let (start, _) = self.authorize_url(POLLER, "openid api:read", &format!("&resource={}", enc(API)));
        self.browse(&self.browser, &start).await.context("delegation approval for the CIBA agent")?;
        let cookie = self.cookie_of(&self.jar)?;
        self.sessions.push(cookie);
        Ok(())
    }

    /// Starts the peer: `node bench/peer/peer.mjs` (after `npm ci` if its modules are missing).
    pub(crate) async fn peer(peer_dir: &Path) -> Result<Self> {
        if !peer_dir.join("node_modules").join("oidc-provider").exists() {
            eprintln!("installing the peer (npm ci in {})", peer_dir.display());
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(peer_dir)
                // stdout is the report's.
                .stdout(std::process::Stdio::null())
                .kill_on_drop(true)
                .status()
                .await
                .context("run npm (is node installed?)")?;
            if !status.success() {
                bail!("npm ci failed in {}", peer_dir.display());
            }
        }
        let svc = ("svc".to_owned(), ciam_core::secret::random_token(32));
        let web = ("web".to_owned(), ciam_core::secret::random_token(32));
        let mut cmd = Command::new("node");
        cmd.arg("peer.mjs")
            .current_dir(peer_dir)
            .env("NODE_ENV", "production")
            .env("PEER_SVC_SECRET", &svc.1)
            .env("PEER_WEB_SECRET", &web.1)
            .env("PEER_CALLBACK", CALLBACK)
            .env("PEER_API", API)
            .env("PEER_OPAQUE_API", OPAQUE_API)
            .env("PEER_COOKIE_KEY", ciam_core::secret::random_token(32));
        let ready = |v: &Value| {
            let ready = v.get("message").and_then(Value::as_str) == Some("peer ready");
            ready.then(|| v.get("address")?.as_str()?.parse().ok()).flatten()
        };
        let process = Process::spawn("peer", cmd, ready, Duration::from_secs(30)).await?;
        let idle = procfs::memory(process.pid)?;
        let base = format!("http://{}", process.addr);
        let (browser, jar) = browser()?;
        let mut target = Self {
            kind: Kind::Peer,
            idle,
            process,
            issuer: base.clone(),
            base,
            paths: Paths {
                discovery: "/.well-known/openid-configuration".into(),
                jwks: "/jwks".into(),
                token: "/token".into(),
                introspect: "/token/introspection".into(),
                authorize: "/auth".into(),
                userinfo: "/me".into(),
                login: None,
                signup: None,
                bc_authorize: None,
            },
            svc,
            web,
            agent: None,
            poller: None,
            ciba: Vec::new(),
            browser,
            jar,
            sessions: Vec::new(),
            admin_token: String::new(),
            _dir: None,
            _services: None,
        };
        let (start, _) = target.authorize_url("web", "openid email", "");
        target.browse(&target.browser, &start).await.context("first sign-in at the peer")?;
        let cookie = target.cookie_of(&target.jar)?;
        target.sessions.push(cookie);
        Ok(target)
    }

    /// An authorization request with PKCE; returns it and the verifier.
    fn authorize_url(&self, client: &str, scope: &str, extra: &str) -> (String, String) {
        use base64::Engine;
        use sha2::Digest;
        let verifier = ciam_core::secret::random_token(32);
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let url = format!(
            "{}?response_type=code&client_id={client}&redirect_uri={}&scope={}&state=setup&nonce=setup\
             &code_challenge={challenge}&code_challenge_method=S256{extra}",
            self.paths.authorize,
            enc(CALLBACK),
            enc(scope),
        );
        (url, verifier)
    }

    /// Follows an authorization request as a browser (signing Ada in and allowing consent on
    /// ciam's pages; the peer's bench interactions finish by themselves) to the callback.
    async fn browse(&self, client: &reqwest::Client, start: &str) -> Result<String> {
        self.browse_as(client, start, EMAIL).await
    }

    /// [`Target::browse`] as `email`.
    async fn browse_as(&self, client: &reqwest::Client, start: &str, email: &str) -> Result<String> {
        let abs = |u: &str| if u.starts_with("http") { u.to_owned() } else { format!("{}{u}", self.base) };
        let mut res = client.get(abs(start)).send().await?;
        for _ in 0..16 {
            match res.status().as_u16() {
                302 | 303 => {
                    let to = res
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .ok_or_else(|| anyhow!("redirect without Location"))?
                        .to_owned();
                    if to.starts_with(CALLBACK) {
                        if let Some(e) = query_param(&to, "error") {
                            bail!("authorization refused: {e}");
                        }
                        return Ok(to);
                    }
                    res = client.get(abs(&to)).send().await?;
                }
                200 => {
                    let html = res.text().await?;
                    let field = |n: &str| crate::scenario::hidden(&html, n);
                    let t = format!("{}/t/{TENANT}", self.base);
                    res = if html.contains("name=\"password\"") {
                        let f = form(&[
                            ("flow", &field("flow")?),
                            ("csrf", &field("csrf")?),
                            ("email", email),
                            ("password", PASSWORD),
                        ]);
                        client.post(format!("{t}/login")).header("content-type", FORM).body(f).send().await?
                    } else if html.contains("name=\"decision\"") {
                        let f = form(&[("flow", &field("flow")?), ("csrf", &field("csrf")?), ("decision", "allow")]);
                        client.post(format!("{t}/consent")).header("content-type", FORM).body(f).send().await?
                    } else {
                        bail!("unexpected page: {}", html.get(..400).unwrap_or(&html));
                    };
                }
                s => bail!("unexpected {s}: {}", res.text().await.unwrap_or_default()),
            }
        }
        bail!("too many redirects")
    }

    /// The `Cookie` header a browser sends to the authorization endpoint.
    fn cookie_of(&self, jar: &reqwest::cookie::Jar) -> Result<String> {
        use reqwest::cookie::CookieStore;
        let url = url::Url::parse(&format!("{}{}", self.base, self.paths.authorize))?;
        let cookie = jar.cookies(&url).ok_or_else(|| anyhow!("no session cookie"))?;
        Ok(cookie.to_str()?.to_owned())
    }

    /// Signed-in browsers, one per load connection (the first one is the setup browser).
    async fn ensure_sessions(&mut self, n: usize) -> Result<()> {
        while self.sessions.len() < n {
            let (client, jar) = browser()?;
            let scope = if self.kind == Kind::Ciam { "openid email offline_access api:read" } else { "openid email" };
            let (start, _) = self.authorize_url("web", scope, "");
            self.browse(&client, &start).await.context("sign in a browser")?;
            let cookie = self.cookie_of(&jar)?;
            self.sessions.push(cookie);
        }
        Ok(())
    }

    /// A code flow in a signed-in browser (session `i`); returns the token response.
    async fn tokens(&self, session: usize, scope: &str) -> Result<Value> {
        let (start, verifier) = self.authorize_url("web", scope, "");
        let cookie = self.sessions.get(session).ok_or_else(|| anyhow!("no session {session}"))?;
        let res = self.browser.get(format!("{}{start}", self.base)).header("cookie", cookie).send().await?;
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let code = query_param(location, "code").ok_or_else(|| anyhow!("no code in {location:?}"))?;
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ]);
        self.post(&self.paths.token, &basic(&self.web.0, &self.web.1), body).await
    }

    /// Starts a backchannel authentication for Ada by the CIBA agent (`auth` its credentials)
    /// that nobody will answer; returns its `auth_req_id` and when it expires. Past the
    /// client's 30 starts a minute (`slow_down`), waits for the next minute.
    async fn start_ciba(&self, path: &str, auth: &str) -> Result<(String, Instant)> {
        let expiry = CIBA_EXPIRY.to_string();
        let body = form(&[
            ("scope", "openid api:read"),
            ("login_hint", EMAIL),
            ("binding_message", "ciam-bench"),
            ("requested_expiry", &expiry),
            ("resource", API),
        ]);
        for _ in 0..15 {
            let sent = Instant::now();
            let res = self
                .browser
                .post(format!("{}{path}", self.base))
                .header("authorization", auth)
                .header("content-type", FORM)
                .body(body.clone())
                .send()
                .await?;
            let status = res.status();
            let v: Value = res.json().await.unwrap_or(Value::Null);
            if status.is_success() {
                let auth_req_id = field(&v, "auth_req_id")?.to_owned();
                let expires_in = v.get("expires_in").and_then(Value::as_u64).ok_or_else(|| anyhow!("no expires_in"))?;
                return Ok((auth_req_id, sent + Duration::from_secs(expires_in)));
            }
            if v.get("error").and_then(Value::as_str) != Some("slow_down") {
                bail!("POST {path}: {status}: {v}");
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        bail!("POST {path}: still slow_down after 75 s")
    }

    async fn post(&self, path: &str, auth: &str, body: String) -> Result<Value> {
        let res = self
            .browser
            .post(format!("{}{path}", self.base))
            .header("authorization", auth)
            .header("content-type", FORM)
            .body(body)
            .send()
            .await?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path}: {status}: {v}");
        }
        Ok(v)
    }

    /// What one operation of `scenario` is on this server, prepared for `plan`; `None` when the
    /// server cannot do it.
    pub(crate) async fn work(&mut self, scenario: &str, plan: Plan) -> Result<Option<Work>> {
        let svc_auth = basic(&self.svc.0, &self.svc.1);
        let p = &self.paths;
        Ok(Some(match scenario {
            "discovery" => Work::Get { path: p.discovery.clone() },
            "jwks" => Work::Get { path: p.jwks.clone() },
            "client_credentials" => Work::Post {
                path: p.token.clone(),
                auth: svc_auth,
                form: form(&[("grant_type", "client_credentials"), ("scope", "api:read")]),
                must_be_active: false,
            },
            "introspection" => {
                let mut f = vec![("grant_type", "client_credentials"), ("scope", "api:read")];
                if self.kind == Kind::Peer {
                    f.push(("resource", OPAQUE_API));
                }
                let v = self.post(&p.token, &svc_auth, form(&f)).await?;
                let token = field(&v, "access_token")?;
                Work::Post {
                    path: p.introspect.clone(),
                    auth: svc_auth,
                    form: form(&[("token", token)]),
                    must_be_active: true,
                }
            }
            "refresh" => {
                self.ensure_sessions(plan.connections).await?;
                let scope = if self.kind == Kind::Ciam { "openid offline_access" } else { "openid" };
                let mut chains = Vec::new();
                for i in 0..plan.connections {
                    let v = self.tokens(i, scope).await?;
                    chains.push(field(&v, "refresh_token")?.to_owned());
                }
                Work::Refresh { path: self.paths.token.clone(), auth: basic(&self.web.0, &self.web.1), chains }
            }
            "token_exchange" => {
                let Some((agent, kid, der)) = self.agent.clone() else { return Ok(None) };
                let app = self.tokens(0, "openid api:read").await?;
                let subject = field(&app, "access_token")?;
                let run = plan.warmup + plan.duration;
                let signer = AgentSigner {
                    agent_id: agent.clone(),
                    kid,
                    key: jsonwebtoken::EncodingKey::from_ec_der(&der),
                    audience: self.issuer.clone(),
                    lifetime: run.as_secs() + 60,
                };
                let count = usize::try_from(PRESIGN_PER_SEC * run.as_secs().max(1))?;
                let assertions = Arc::new(Assertions::presign(signer, count).await?);
                let form = form(&[
                    ("grant_type", TOKEN_EXCHANGE),
                    ("subject_token", subject),
                    ("subject_token_type", ACCESS_TOKEN_TYPE),
                    ("resource", API),
                    ("scope", "api:read"),
                    ("client_assertion_type", JWT_BEARER),
                ]);
                Work::Exchange { path: self.paths.token.clone(), form, assertions }
            }
            CIBA_POLL => {
                let (Some((id, secret)), Some(start)) = (self.poller.clone(), p.bc_authorize.clone()) else {
                    return Ok(None);
                };
                let auth = basic(&id, &secret);
                let wanted = plan.connections.min(CIBA_REQUESTS);
                // Every request polled must stay pending through the whole row.
                let needed_until = Instant::now() + plan.warmup + plan.duration + CIBA_MARGIN;
                self.ciba.retain(|(_, expires)| *expires > needed_until);
                while self.ciba.len() < wanted {
                    let started = self.start_ciba(&start, &auth).await?;
                    self.ciba.push(started);
                }
                let forms = self
                    .ciba
                    .iter()
                    .take(wanted)
                    .map(|(auth_req_id, _)| form(&[("grant_type", CIBA_GRANT), ("auth_req_id", auth_req_id)]))
                    .collect();
                Work::CibaPoll {
                    path: self.paths.token.clone(),
                    auth,
                    forms,
                    next: std::sync::atomic::AtomicUsize::new(0),
                }
            }
            "code_flow" => {
                self.ensure_sessions(plan.connections).await?;
                let authorize = format!(
                    "{}?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email",
                    self.paths.authorize,
                    self.web.0,
                    enc(CALLBACK)
                );
                Work::CodeFlow(Box::new(CodeFlow {
                    authorize,
                    token: self.paths.token.clone(),
                    userinfo: self.paths.userinfo.clone(),
                    auth: basic(&self.web.0, &self.web.1),
                    redirect_uri: CALLBACK.into(),
                    cookies: self.sessions.clone(),
                }))
            }
            "password_sign_in" => {
                let Some(login) = p.login.clone() else { return Ok(None) };
                let (authorize, _) = self.authorize_url("web", "openid email", "");
                Work::SignIn(Box::new(SignIn {
                    authorize: path_of(&authorize).to_owned(),
                    login,
                    email: EMAIL.into(),
                    password: PASSWORD.into(),
                }))
            }
            "signup" => {
                let Some(signup) = p.signup.clone() else { return Ok(None) };
                Work::SignUp(Box::new(SignUpWork {
                    page: signup,
                    password: PASSWORD.into(),
                    next: std::sync::atomic::AtomicU64::new(0),
                }))
            }
            CONSOLE if self.kind == Kind::Ciam => crate::console::work(self).await?,
            CONSOLE => return Ok(None),
            other => bail!("unknown scenario {other}"),
        }))
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

fn secret_of(client: &Value) -> Result<String> {
    Ok(client.get("client_secret").and_then(Value::as_str).ok_or_else(|| anyhow!("no client_secret"))?.to_owned())
}
