//! The operations the load generator repeats, one kind per scenario, and the per-connection state
//! some of them carry (a refresh token chain, a browser's cookies).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::load::{Conn, Req};

/// The scenarios, in the order they run and are reported.
pub(crate) const ALL: [&str; 12] = [
    "discovery",
    "jwks",
    "client_credentials",
    "introspection",
    "refresh",
    "token_exchange",
    CIBA_POLL,
    "code_flow",
    "password_sign_in",
    "signup",
    SIGN_IN_MIX,
    CONSOLE,
];

/// An administrator's console pages for a tenant of 100,000 users (ciam only; see
/// [`crate::console`]).
pub(crate) const CONSOLE: &str = "console";

/// Password sign-ins at the row's connection count, while [`MIX_CLIENT_CREDENTIALS`]
/// connections run `client_credentials` and one connection polls `/healthz` every
/// [`PROBE_EVERY`], all in the same window: does a burst of argon2 work starve the rest?
pub(crate) const SIGN_IN_MIX: &str = "sign_in_mix";
/// The connections that run `client_credentials` beside the sign-ins in [`SIGN_IN_MIX`].
pub(crate) const MIX_CLIENT_CREDENTIALS: usize = 16;
/// The pause between two `/healthz` polls in [`SIGN_IN_MIX`] (a probe, not load).
pub(crate) const PROBE_EVERY: std::time::Duration = std::time::Duration::from_millis(10);
/// The rows [`SIGN_IN_MIX`] reports, one per load.
pub(crate) const MIX_ROWS: [&str; 3] =
    ["sign_in_mix: password_sign_in", "sign_in_mix: client_credentials @16", "sign_in_mix: /healthz @1"];

/// A client polls the token endpoint with the CIBA grant for a backchannel request its user has
/// not answered (ciam only): each poll must get `authorization_pending` or `slow_down`.
pub(crate) const CIBA_POLL: &str = "ciba_poll";

pub(crate) const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// OpenID CIBA's grant type (CIBA Core §10.1).
pub(crate) const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// What one operation of a scenario does.
pub(crate) enum Work {
    /// `GET path`, expecting 200 (discovery, JWKS).
    Get { path: String },
    /// `POST path` with a fixed form and client authentication, expecting 200 (client
    /// credentials; introspection, which must also say `"active":true`).
    Post { path: String, auth: String, form: String, must_be_active: bool },
    /// Refresh token rotation: each connection redeems its own chain's latest refresh token.
    Refresh { path: String, auth: String, chains: Vec<String> },
    /// Token exchange by an agent: a fixed form plus a fresh `private_key_jwt` assertion.
    Exchange { path: String, form: String, assertions: Arc<Assertions> },
    /// A pending CIBA poll: the token request of the CIBA grant for one of a few backchannel
    /// requests nobody answers (the forms in turn), expecting 400 with `authorization_pending`
    /// or `slow_down`.
    CibaPoll { path: String, auth: String, forms: Vec<String>, next: AtomicUsize },
    /// `GET` of one of `paths` in turn with a session's `Cookie`, expecting 200 (the console's
    /// pages).
    Pages { paths: Vec<String>, cookie: String, next: AtomicUsize },
    /// authorize (riding a session, consent remembered) → code → token → userinfo.
    CodeFlow(Box<CodeFlow>),
    /// A fresh browser opens the login page and posts the password (ciam only).
    SignIn(Box<SignIn>),
    /// A fresh browser opens the sign-up page and creates an account with a new address (ciam
    /// only): one argon2id hash, one user row, one verification mail queued.
    SignUp(Box<SignUpWork>),
}

pub(crate) struct SignUpWork {
    /// The sign-up page (opened without a flow: it starts one).
    pub(crate) page: String,
    pub(crate) password: String,
    /// Numbers the addresses, unique within the run.
    pub(crate) next: AtomicU64,
}

pub(crate) struct CodeFlow {
    /// `/authorize` path with every query parameter except `state`, `nonce` and the PKCE challenge.
    pub(crate) authorize: String,
    pub(crate) token: String,
    pub(crate) userinfo: String,
    /// `Authorization: Basic …` of the confidential client.
    pub(crate) auth: String,
    pub(crate) redirect_uri: String,
    /// One signed-in browser's `Cookie` header per connection.
    pub(crate) cookies: Vec<String>,
}

pub(crate) struct SignIn {
    /// A complete `/authorize` path (no session, so it leads to the login page).
    pub(crate) authorize: String,
    pub(crate) login: String,
    pub(crate) email: String,
    pub(crate) password: String,
}

/// What a connection remembers between operations.
pub(crate) enum ConnState {
    Stateless,
    Refresh(String),
    Browser { jar: Jar, index: usize, n: u64 },
}

impl ConnState {
    pub(crate) fn new(work: &Work, index: usize) -> Result<Self> {
        Ok(match work {
            Work::Refresh { chains, .. } => {
                Self::Refresh(chains.get(index).cloned().ok_or_else(|| anyhow!("no refresh chain for {index}"))?)
            }
            Work::CodeFlow(f) => Self::Browser {
                jar: Jar::from_header(f.cookies.get(index).ok_or_else(|| anyhow!("no session for {index}"))?),
                index,
                n: 0,
            },
            _ => Self::Stateless,
        })
    }
}

impl Work {
    /// One operation on `conn`.
    pub(crate) async fn op(&self, conn: &mut Conn, state: &mut ConnState) -> Result<()> {
        match (self, state) {
            (Work::Get { path }, _) => {
                conn.send(Req::get(path)).await?.expect(200, path)?;
            }
            (Work::Pages { paths, cookie, next }, _) => {
                let turn = next.fetch_add(1, Ordering::Relaxed).checked_rem(paths.len()).unwrap_or_default();
                let path = paths.get(turn).ok_or_else(|| anyhow!("no page to open"))?;
                conn.send(Req::get(path).cookie(cookie)).await?.expect(200, path)?;
            }
            (Work::Post { path, auth, form, must_be_active }, _) => {
                let a = conn.send(Req::post(path, form.clone()).auth(auth)).await?.expect(200, path)?;
                if *must_be_active && !a.body.windows(13).any(|w| w == b"\"active\":true") {
                    bail!("{path}: token not active: {}", String::from_utf8_lossy(&a.body));
                }
            }
            (Work::Refresh { path, auth, .. }, ConnState::Refresh(current)) => {
                let form = form(&[("grant_type", "refresh_token"), ("refresh_token", current)]);
                let a = conn.send(Req::post(path, form).auth(auth)).await?.expect(200, "refresh")?;
                let v: Value = serde_json::from_slice(&a.body)?;
                *current = field(&v, "refresh_token")?.to_owned();
            }
            (Work::Exchange { path, form, assertions }, _) => {
                let body = format!("{form}&client_assertion={}", assertions.next()?);
                conn.send(Req::post(path, body)).await?.expect(200, "token exchange")?;
            }
            (Work::CibaPoll { path, auth, forms, next }, _) => {
                let turn = next.fetch_add(1, Ordering::Relaxed).checked_rem(forms.len()).unwrap_or_default();
                let form = forms.get(turn).ok_or_else(|| anyhow!("no backchannel request to poll"))?;
                let a = conn.send(Req::post(path, form.clone()).auth(auth)).await?.expect(400, "CIBA poll")?;
                let v: Value = serde_json::from_slice(&a.body).context("CIBA poll: the error is not JSON")?;
                let error = field(&v, "error")?;
                if !matches!(error, "authorization_pending" | "slow_down") {
                    bail!("CIBA poll: expected authorization_pending or slow_down, got {v}");
                }
            }
            (Work::CodeFlow(f), ConnState::Browser { jar, index, n }) => {
                *n += 1;
                let verifier = format!("bench-pkce-verifier-{index:08}-{n:024}");
                let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                let url = format!(
                    "{}&state=s{n}&nonce=n{n}&code_challenge={challenge}&code_challenge_method=S256",
                    f.authorize
                );
                let a = conn.send(Req::get(&url).cookie(jar.header())).await?;
                if !matches!(a.status.as_u16(), 302 | 303) {
                    a.expect(303, "authorize")?;
                    bail!("unreachable");
                }
                jar.update(&a.headers);
                let location = a.location()?;
                let code = query_param(location, "code").ok_or_else(|| anyhow!("no code in {location}"))?;
                let form = form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &f.redirect_uri),
                    ("code_verifier", &verifier),
                ]);
                let t = conn.send(Req::post(&f.token, form).auth(&f.auth)).await?.expect(200, "code redemption")?;
                let v: Value = serde_json::from_slice(&t.body)?;
                let access = field(&v, "access_token")?;
                let bearer = format!("Bearer {access}");
                conn.send(Req::get(&f.userinfo).auth(&bearer)).await?.expect(200, "userinfo")?;
            }
            (Work::SignIn(s), _) => {
                let mut jar = Jar::default();
                let a = conn.send(Req::get(&s.authorize)).await?.expect(303, "authorize without a session")?;
                jar.update(&a.headers);
                let login_page = path_of(a.location()?).to_owned();
                let page = conn.send(Req::get(&login_page).cookie(jar.header())).await?.expect(200, "login page")?;
                jar.update(&page.headers);
                let html = String::from_utf8_lossy(&page.body);
                let form = form(&[
                    ("flow", &hidden(&html, "flow")?),
                    ("csrf", &hidden(&html, "csrf")?),
                    ("email", &s.email),
                    ("password", &s.password),
                ]);
                conn.send(Req::post(&s.login, form).cookie(jar.header())).await?.expect(303, "password sign-in")?;
            }
            (Work::SignUp(s), _) => {
                let mut jar = Jar::default();
                let a = conn.send(Req::get(&s.page)).await?.expect(303, "sign-up without a flow")?;
                jar.update(&a.headers);
                let form_page = path_of(a.location()?).to_owned();
                let page = conn.send(Req::get(&form_page).cookie(jar.header())).await?.expect(200, "sign-up page")?;
                jar.update(&page.headers);
                let html = String::from_utf8_lossy(&page.body);
                let n = s.next.fetch_add(1, Ordering::Relaxed);
                let email = format!("signup-{}-{n}@bench.example", std::process::id());
                let form = form(&[
                    ("flow", &hidden(&html, "flow")?),
                    ("csrf", &hidden(&html, "csrf")?),
                    ("email", &email),
                    ("password", &s.password),
                    ("website", ""),
                ]);
                let done = conn.send(Req::post(path_of(&s.page), form).cookie(jar.header())).await?;
                done.expect(303, "sign-up")?;
            }
            _ => bail!("connection state does not fit the scenario"),
        }
        Ok(())
    }
}

/// A string member of a JSON answer.
pub(crate) fn field<'v>(v: &'v Value, name: &str) -> Result<&'v str> {
    v.get(name).and_then(Value::as_str).ok_or_else(|| anyhow!("no {name} in {v}"))
}

/// `application/x-www-form-urlencoded` body.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Percent-encodes one query or form value.
pub(crate) fn enc(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// `Basic` credentials (RFC 6749 §2.3.1: id and secret form-encoded first).
pub(crate) fn basic(id: &str, secret: &str) -> String {
    let raw = format!("{}:{}", enc(id), enc(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

/// A query parameter of an absolute or relative URL.
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The path and query of a URL that may be absolute.
pub(crate) fn path_of(url: &str) -> &str {
    match url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) {
        Some(rest) => rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"),
        None => url,
    }
}

/// The value of a hidden form field.
pub(crate) fn hidden(html: &str, name: &str) -> Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).ok_or_else(|| anyhow!("no {name} field in the page"))? + marker.len();
    let rest = html.get(start..).unwrap_or_default();
    Ok(rest.split('"').next().unwrap_or_default().replace("&amp;", "&"))
}

/// The few cookies a scripted browser needs: names and values, no paths or expiry.
#[derive(Clone, Default)]
pub(crate) struct Jar {
    pairs: Vec<(String, String)>,
    header: String,
}

impl Jar {
    pub(crate) fn from_header(header: &str) -> Self {
        let pairs = header
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut jar = Self { pairs, header: String::new() };
        jar.rebuild();
        jar
    }

    pub(crate) fn header(&self) -> &str {
        &self.header
    }

    /// Takes in the `Set-Cookie` headers of an answer.
    pub(crate) fn update(&mut self, headers: &HeaderMap) {
        let mut changed = false;
        for value in headers.get_all(http::header::SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut attrs = value.split(';');
            let Some((name, val)) = attrs.next().and_then(|nv| nv.trim().split_once('=')) else { continue };
            let expired = attrs.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("expires=thu, 01 jan 1970")
            });
            self.pairs.retain(|(k, _)| k != name);
            if !expired {
                self.pairs.push((name.to_owned(), val.to_owned()));
            }
            changed = true;
        }
        if changed {
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.header = self.pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    }
}

/// `private_key_jwt` client assertions (RFC 7523) for one agent, signed ahead of the timed run
/// so that signing in the generator does not compete with the server; more are signed on the
/// fly if the pool runs out. Every one carries a unique `jti` (the server keeps a replay cache).
pub(crate) struct Assertions {
    pool: Vec<String>,
    next: AtomicUsize,
    signer: AgentSigner,
}

impl Assertions {
    /// Signs `count` assertions, spread over the machine's cores.
    pub(crate) async fn presign(signer: AgentSigner, count: usize) -> Result<Self> {
        let signer = Arc::new(signer);
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let mut tasks = Vec::new();
        for t in 0..threads {
            let share = count / threads + usize::from(t < count % threads);
            let signer = signer.clone();
            tasks.push(tokio::task::spawn_blocking(move || {
                (0..share).map(|_| signer.sign()).collect::<Result<Vec<_>>>()
            }));
        }
        let mut pool = Vec::with_capacity(count);
        for t in tasks {
            pool.extend(t.await??);
        }
        let signer = Arc::try_unwrap(signer).map_err(|_| anyhow!("signer still shared"))?;
        Ok(Self { pool, next: AtomicUsize::new(0), signer })
    }

    fn next(&self) -> Result<String> {
        match self.pool.get(self.next.fetch_add(1, Ordering::Relaxed)) {
            Some(a) => Ok(a.clone()),
            None => self.signer.sign(),
        }
    }
}

/// An agent's signing key and what its assertions say.
pub(crate) struct AgentSigner {
    pub(crate) agent_id: String,
    pub(crate) kid: String,
    pub(crate) key: jsonwebtoken::EncodingKey,
    /// The issuer of the tenant (the audience of the assertion).
    pub(crate) audience: String,
    /// Seconds the assertions stay valid.
    pub(crate) lifetime: u64,
}

impl AgentSigner {
    fn sign(&self) -> Result<String> {
        static JTI: AtomicU64 = AtomicU64::new(0);
        let now = now_secs()?;
        let jti = format!("bench-{now}-{}-{}", std::process::id(), JTI.fetch_add(1, Ordering::Relaxed));
        let claims = json!({"iss": self.agent_id, "sub": self.agent_id, "aud": self.audience, "iat": now,
                            "exp": now + self.lifetime, "jti": jti});
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).context("sign an assertion")
    }
}

/// Seconds since the Unix epoch, from the machine clock (assertions carry absolute times).
pub(crate) fn now_secs() -> Result<u64> {
    Ok(std::time::SystemTime::UNIX_EPOCH.elapsed()?.as_secs())
}
