//! Requests the server makes on its own: fetching clients' JWK Sets from their `jwks_uri`
//! (RFC 7591 §2, RFC 7523), client metadata documents (see `metadata_documents`), and the calls
//! of a sign-in through an upstream identity provider (see `upstream`).
//!
//! # Security
//! A `jwks_uri` is chosen by whoever registers a client, so every fetch is guarded against
//! server-side request forgery: https only; names resolve only to public addresses (loopback,
//! private, link-local, carrier-grade NAT, multicast and unspecified addresses are refused, for
//! IP literals too); no redirects; 3-second timeout; bodies over 64 KiB are refused. Results are
//! cached for five minutes per URI, and a forced refresh (a signature by an unknown key) happens at
//! most once a second per URI, so a client cannot make the server hammer a host.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;

const MAX_BODY: usize = 64 * 1024;
const FRESH_FOR: Duration = Duration::from_secs(300);
const MIN_REFRESH: Duration = Duration::from_secs(1);

/// Why a fetch failed (logged; clients only ever see `invalid_client`).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URI is not allowed (scheme, host or address).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// The request failed or the answer was not what was expected.
    #[error("fetch failed: {0}")]
    Failed(String),
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT, RFC 6598
                || a == 0)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments().first().copied().unwrap_or(0);
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80) // link local
        }
    }
}

/// A resolver that drops non-public addresses.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| is_public(a.ip())).collect();
            if addrs.is_empty() {
                return Err("no public address".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A client for guarded fetches: no redirects, no proxy, bounded time; unless `allow_private`,
/// https only and names resolve only to public addresses.
pub(crate) fn guarded_client(allow_private: bool) -> Result<reqwest::Client, FetchError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_secs(2))
        .no_proxy();
    if !allow_private {
        builder = builder.https_only(true).dns_resolver(std::sync::Arc::new(PublicOnly));
    }
    builder.build().map_err(|e| FetchError::Failed(e.to_string()))
}

/// A body fetched under the guards, with the freshness lifetime its server gave
/// (`Cache-Control: max-age`), if any.
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) max_age: Option<Duration>,
}

/// GETs `url` with a client from [`guarded_client`]: refuses non-https URLs and non-public IP
/// literals unless `allow_private`, any answer but 200-299 (a redirect included), and bodies
/// over `max_body` bytes (read no further than that).
pub(crate) async fn guarded_get(
    client: &reqwest::Client,
    url: url::Url,
    allow_private: bool,
    max_body: usize,
    accept: &'static str,
) -> Result<Fetched, FetchError> {
    check_url(&url, allow_private)?;
    let res = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|e| FetchError::Failed(e.to_string()))?;
    read_limited(res, max_body).await
}

/// Sends `request` (built on a client from [`guarded_client`] for `url`) under the same guards
/// as [`guarded_get`]: for the POSTs and bearer-authenticated GETs of an upstream sign-in.
pub(crate) async fn guarded_send(
    url: &url::Url,
    request: reqwest::RequestBuilder,
    allow_private: bool,
    max_body: usize,
) -> Result<Fetched, FetchError> {
    check_url(url, allow_private)?;
    let res = request.send().await.map_err(|e| FetchError::Failed(e.to_string()))?;
    read_limited(res, max_body).await
}

/// Refuses non-https URLs and non-public IP literals, unless `allow_private`.
fn check_url(url: &url::Url, allow_private: bool) -> Result<(), FetchError> {
    if allow_private {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err(FetchError::NotAllowed("https only"));
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if literal.is_some_and(|ip| !is_public(ip)) {
        return Err(FetchError::NotAllowed("private address"));
    }
    Ok(())
}

/// A 2xx answer's body, refused beyond `max_body` bytes (read no further than that).
async fn read_limited(mut res: reqwest::Response, max_body: usize) -> Result<Fetched, FetchError> {
    if !res.status().is_success() {
        return Err(FetchError::Failed(format!("status {}", res.status())));
    }
    if res.content_length().is_some_and(|n| n > max_body as u64) {
        return Err(FetchError::Failed(format!("larger than {max_body} bytes")));
    }
    let max_age =
        res.headers().get(reqwest::header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).and_then(cache_max_age);
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| FetchError::Failed(e.to_string()))? {
        if body.len() + chunk.len() > max_body {
            return Err(FetchError::Failed(format!("larger than {max_body} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { body, max_age })
}

/// The lifetime a `Cache-Control` value allows: `max-age=N`, or zero for `no-store` and
/// `no-cache`; `None` when it says nothing about it.
pub(crate) fn cache_max_age(value: &str) -> Option<Duration> {
    let mut age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(n) = lower.strip_prefix("max-age=") {
            age = n.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        }
    }
    age
}

/// Fetches and caches client JWK Sets.
pub struct JwksFetcher {
    client: reqwest::Client,
    allow_private: bool,
    cache: Mutex<HashMap<String, (Instant, Value)>>,
}

impl JwksFetcher {
    /// A fetcher; `allow_private` lifts the network restrictions (development and tests only).
    pub fn new(allow_private: bool) -> Result<Self, FetchError> {
        let client = guarded_client(allow_private)?;
        Ok(Self { client, allow_private, cache: Mutex::new(HashMap::new()) })
    }

    /// Whether private addresses may be reached (development and tests).
    pub(crate) fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// The guarded client (shared by the other outbound calls of a node).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The JWK Set at `uri`: from the cache when fresh (or when `refresh` was asked less than a
    /// second after the last fetch), else fetched.
    pub async fn get(&self, uri: &str, refresh: bool) -> Result<Value, FetchError> {
        if let Some((at, v)) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(uri) {
            let age = at.elapsed();
            if age < MIN_REFRESH || (!refresh && age < FRESH_FOR) {
                return Ok(v.clone());
            }
        }
        let jwks = self.fetch(uri).await?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uri.to_owned(), (Instant::now(), jwks.clone()));
        Ok(jwks)
    }

    async fn fetch(&self, uri: &str) -> Result<Value, FetchError> {
        let url = url::Url::parse(uri).map_err(|_| FetchError::NotAllowed("not a URL"))?;
        let fetched = guarded_get(&self.client, url, self.allow_private, MAX_BODY, "application/json").await?;
        let jwks: Value = serde_json::from_slice(&fetched.body).map_err(|e| FetchError::Failed(e.to_string()))?;
        if !jwks.get("keys").is_some_and(Value::is_array) {
            return Err(FetchError::Failed("not a JWK Set".into()));
        }
        Ok(jwks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn cache_control_lifetimes() {
        assert_eq!(cache_max_age("public, max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(cache_max_age("Max-Age=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(cache_max_age("max-age=60, no-store"), Some(Duration::ZERO));
        assert_eq!(cache_max_age("no-cache"), Some(Duration::ZERO));
        assert_eq!(cache_max_age("public"), None);
        assert_eq!(cache_max_age("max-age=soon"), None);
    }

    #[tokio::test]
    async fn ssrf_guards_refuse_before_any_request() {
        let f = JwksFetcher::new(false).unwrap();
        for uri in [
            "http://example.com/jwks",
            "https://127.0.0.1/jwks",
            "https://[::1]/jwks",
            "https://169.254.169.254/latest",
            "not a url",
        ] {
            assert!(matches!(f.get(uri, false).await, Err(FetchError::NotAllowed(_))), "{uri}");
        }
        // A name that resolves only to loopback is refused by the resolver.
        assert!(f.get("https://localhost/jwks", false).await.is_err());
    }
}
