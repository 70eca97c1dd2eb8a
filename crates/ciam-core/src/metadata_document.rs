//! OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), as the MCP
//! authorization specification uses them: a client that was never registered names itself by an
//! `https` URL, and the server fetches the client's metadata (RFC 7591 names) from that URL.
//!
//! This module holds the pure rules: which URLs are metadata document client ids, which hosts a
//! tenant allows, and how a fetched document becomes an in-memory [`Client`]. Fetching lives in
//! the server.
//!
//! # Security
//! A metadata document is written by whoever controls the URL, so it is validated as strictly as
//! a registration: exact redirect URIs, no shared secrets (the draft forbids them), only the
//! authorization code grant, scopes limited to what the tenant allows such clients, and the
//! document's `client_id` must equal the URL it was fetched from.

use time::OffsetDateTime;
use url::{Host, Url};

use crate::client::{Client, GrantType};
use crate::client_metadata::{ClientMetadata, Limits};
use crate::id::{ClientId, TenantId};
use crate::scope::ScopeSet;
use crate::validation::FieldError;

/// The longest metadata document URL accepted as a `client_id`.
pub const MAX_URL_LEN: usize = 512;

/// The standard OpenID Connect scopes every metadata document client may ask for (besides the
/// scopes the tenant's registered resources define). `offline_access` is not among them: these
/// clients get no refresh tokens.
pub const STANDARD_SCOPES: [&str; 5] = ["openid", "profile", "email", "address", "phone"];

/// Whether `s` is a client id in metadata document form, checked by [`check_url`].
pub fn looks_like_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Checks the client id URL rules of the draft (§3): `https`, a path, no fragment, no user-info,
/// no dot segments, no query. `http` is accepted only on a loopback host, for development
/// tenants (whether a tenant accepts loopback at all is its policy). The URL must be given in
/// its canonical form (what a URL parser serializes it to), since the document's `client_id` is
/// compared to it as a plain string.
pub fn check_url(s: &str) -> Result<Url, &'static str> {
    if s.len() > MAX_URL_LEN {
        return Err("a client id URL must be at most 512 characters");
    }
    let url = Url::parse(s).map_err(|_| "a client id URL must be an absolute URL")?;
    let loopback = is_loopback_host(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err("a client id URL must use https"),
    }
    if url.host().is_none() {
        return Err("a client id URL needs a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a client id URL must not contain user information");
    }
    if s.contains('#') {
        return Err("a client id URL must not contain a fragment");
    }
    if s.contains('?') {
        return Err("a client id URL must not contain a query");
    }
    let path = s.split_once("://").map(|(_, rest)| rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")));
    let path = path.unwrap_or("");
    if path.is_empty() || path == "/" {
        return Err("a client id URL must contain a path");
    }
    let dot = |seg: &str| {
        let seg = seg.to_ascii_lowercase().replace("%2e", ".");
        seg == "." || seg == ".."
    };
    if path.split('/').any(dot) {
        return Err("a client id URL must not contain dot segments");
    }
    if url.as_str() != s {
        return Err("a client id URL must be in canonical form (lowercase host, no default port, no escapes)");
    }
    Ok(url)
}

/// Whether the URL's host is a loopback name or address.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks an `allowed_hosts` entry: a lowercase host name or IP address, or `*.` followed by a
/// host name with at least two labels (`*.example.com`).
pub fn check_host_pattern(p: &str) -> Result<(), &'static str> {
    let name = p.strip_prefix("*.").unwrap_or(p);
    if p.len() > 253 || name.is_empty() {
        return Err("must be a host name, an IP address or a pattern like *.example.com");
    }
    if p.starts_with("*.") && !name.contains('.') {
        return Err("a wildcard must cover a domain with at least two labels, like *.example.com");
    }
    if name.parse::<std::net::IpAddr>().is_ok() && !p.starts_with("*.") {
        return Ok(());
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.split('.').all(label_ok) {
        Ok(())
    } else {
        Err("must be a lowercase host name, an IP address or a pattern like *.example.com")
    }
}

/// Whether `host` (as a URL serializes it; IPv6 without brackets) is allowed by one of the
/// patterns: equal to an exact entry, or below the domain of a `*.` entry (any depth, never the
/// domain itself).
pub fn host_allowed(patterns: &[String], host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    patterns.iter().any(|p| match p.strip_prefix("*.") {
        Some(domain) => {
            host.len() > domain.len() + 1 && host.ends_with(domain) && {
                let cut = host.len() - domain.len();
                host.get(..cut).is_some_and(|head| head.ends_with('.'))
            }
        }
        None => p.trim_start_matches('[').trim_end_matches(']') == host,
    })
}

/// Turns a fetched metadata document into the client it describes, for `tenant`. `allowed_scopes`
/// is the most such a client may ask for; a `scope` member naming anything else is refused, and
/// without one the client may ask for all of `allowed_scopes`. The members are those of a
/// registration ([`ClientMetadata`]), with the draft's rules on top.
///
/// Errors name the offending member (logged; the user sees only that the client is unknown).
pub fn client_from_document(
    url: &ClientId,
    document: &[u8],
    tenant: &TenantId,
    allowed_scopes: &ScopeSet,
    now: OffsetDateTime,
) -> Result<Client, FieldError> {
    let value: serde_json::Value =
        serde_json::from_slice(document).map_err(|_| FieldError::new("", "the document is not JSON"))?;
    if value.get("client_id").and_then(serde_json::Value::as_str) != Some(url.as_str()) {
        return Err(FieldError::new("client_id", "must equal the URL the document was fetched from"));
    }
    if value.get("client_secret").is_some() || value.get("client_secret_expires_at").is_some() {
        return Err(FieldError::new("client_secret", "a metadata document must not carry a shared secret"));
    }
    let mut metadata = ClientMetadata::from_json(value)?;
    // No shared secrets are possible: public (the default here) or keys.
    let method = metadata.token_endpoint_auth_method.get_or_insert_with(|| "none".to_owned());
    if method != "none" && method != "private_key_jwt" {
        return Err(FieldError::new(
            "token_endpoint_auth_method",
            "must be none or private_key_jwt (shared secrets are not possible)",
        ));
    }
    if metadata.redirect_uris.is_empty() {
        return Err(FieldError::new("redirect_uris", "at least one redirect URI is required"));
    }
    metadata.post_logout_redirect_uris.clear();
    let host = Url::parse(url.as_str()).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let limits = Limits { confidential: true, scopes: allowed_scopes.clone(), fallback_name: host };
    let mut client = metadata.into_client(tenant, url.clone(), &limits, now)?;
    // Refresh tokens are never issued to these clients: the document is re-read on every
    // authorization, and a long-lived credential would outlive it.
    client.grant_types = vec![GrantType::AuthorizationCode];
    if let Some(uri) = &client.jwks_uri {
        // The loopback exception of registered clients is for operators; a document must use https.
        crate::tenant::https_url(uri).map_err(|e| e.under("jwks_uri"))?;
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::client::{AuthMethod, ClientType};

    #[test]
    fn client_id_url_rules() {
        for ok in [
            "https://app.example.com/oauth/client.json",
            "https://app.example.com/c",
            "https://app.example.com:8443/client",
            "http://127.0.0.1:5000/client.json",
            "http://localhost:5000/client.json",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/a#frag",
            "https://user:pw@app.example.com/a",
            "https://user@app.example.com/a",
            "https://app.example.com/a/../b",
            "https://app.example.com/a/./b",
            "https://app.example.com/a/%2e%2E/b",
            "https://app.example.com/a?x=1",
            "http://app.example.com/client",
            "ftp://app.example.com/client",
            "https://APP.example.com/client",
            "https://app.example.com:443/client",
            "not a url",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://a.example/{}", "x".repeat(600))).is_err());
    }

    #[test]
    fn host_patterns() {
        let p = vec!["*.example.com".to_owned(), "apps.test".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
        assert!(host_allowed(&p, "a.example.com"));
        assert!(host_allowed(&p, "b.a.example.com"));
        assert!(!host_allowed(&p, "example.com"));
        assert!(!host_allowed(&p, "evilexample.com"));
        assert!(!host_allowed(&p, "example.com.evil.net"));
        assert!(host_allowed(&p, "apps.test"));
        assert!(!host_allowed(&p, "x.apps.test"));
        assert!(host_allowed(&p, "127.0.0.1"));
        assert!(host_allowed(&p, "[::1]"));
        assert!(!host_allowed(&[], "apps.test"));

        for ok in ["example.com", "*.example.com", "127.0.0.1", "::1", "localhost", "a-b.c1.example"] {
            assert!(check_host_pattern(ok).is_ok(), "{ok}");
        }
        for bad in ["*", "*.com", "", "Example.com", "*.*.example.com", "a_b.example", "-a.example", "ex ample.com"] {
            assert!(check_host_pattern(bad).is_err(), "{bad}");
        }
    }

    const URL: &str = "https://app.example.com/client.json";

    fn resolve(doc: serde_json::Value) -> Result<Client, FieldError> {
        let allowed = ScopeSet::parse_space_separated("openid profile email trips:read").unwrap();
        client_from_document(
            &ClientId::parse(URL).unwrap(),
            doc.to_string().as_bytes(),
            &TenantId::parse("acme").unwrap(),
            &allowed,
            datetime!(2026-12-03 0:00 UTC),
        )
    }

    fn base() -> serde_json::Value {
        json!({"client_id": URL, "client_name": "Example App", "redirect_uris": ["https://app.example.com/cb"],
               "grant_types": ["authorization_code", "refresh_token"], "token_endpoint_auth_method": "none",
               "logo_uri": "https://app.example.com/logo.png"})
    }

    fn field(doc: serde_json::Value) -> String {
        resolve(doc).unwrap_err().field.into_owned()
    }

    #[test]
    fn a_public_client_document() {
        let c = resolve(base()).unwrap();
        assert_eq!(c.client_id.as_str(), URL);
        assert_eq!(c.name, "Example App");
        assert_eq!(c.client_type, ClientType::Public);
        assert_eq!(c.token_endpoint_auth_method, AuthMethod::None);
        assert_eq!(c.grant_types, vec![GrantType::AuthorizationCode]);
        assert!(c.redirect_uris.iter().any(|u| u.matches("https://app.example.com/cb")));
        assert_eq!(c.scopes.to_string(), "email openid profile trips:read");
        // Minimal: defaults to a public client with the authorization code grant, named by its host.
        let c = resolve(json!({"client_id": URL, "redirect_uris": ["http://127.0.0.1/cb"]})).unwrap();
        assert_eq!((c.client_type, c.name.as_str()), (ClientType::Public, "app.example.com"));
    }

    #[test]
    fn documents_are_validated_strictly() {
        let with = |k: &str, v: serde_json::Value| {
            let mut d = base();
            d[k] = v;
            d
        };
        assert_eq!(field(with("client_id", json!("https://app.example.com/other.json"))), "client_id");
        assert_eq!(field(with("client_id", json!("https://app.example.com/client.json/"))), "client_id");
        assert_eq!(field(with("client_secret", json!("s3cret"))), "client_secret");
        assert_eq!(
            field(with("token_endpoint_auth_method", json!("client_secret_basic"))),
            "token_endpoint_auth_method"
        );
        assert_eq!(
            field(with("token_endpoint_auth_method", json!("client_secret_post"))),
            "token_endpoint_auth_method"
        );
        assert_eq!(field(with("token_endpoint_auth_method", json!("client_secret_jwt"))), "token_endpoint_auth_method");
        assert_eq!(field(with("token_endpoint_auth_method", json!("private_key_jwt"))), "jwks_uri");
        assert_eq!(field(with("grant_types", json!(["client_credentials"]))), "grant_types[0]");
        assert_eq!(field(with("grant_types", json!(["authorization_code", "implicit"]))), "grant_types[1]");
        assert_eq!(field(with("response_types", json!(["token"]))), "response_types");
        assert_eq!(field(with("redirect_uris", json!([]))), "redirect_uris");
        assert_eq!(field(with("redirect_uris", json!(["https://app.example.com/*"]))), "redirect_uris[0]");
        assert_eq!(field(with("redirect_uris", json!(["javascript:alert(1)"]))), "redirect_uris[0]");
        assert_eq!(field(with("scope", json!("openid admin"))), "scope");
        assert_eq!(field(with("scope", json!("openid offline_access"))), "scope");
        assert_eq!(field(with("client_name", json!("x".repeat(101)))), "client_name");
        assert_eq!(field(with("id_token_signed_response_alg", json!("none"))), "id_token_signed_response_alg");
        let mut no_uris = base();
        no_uris.as_object_mut().unwrap().remove("redirect_uris");
        assert_eq!(field(no_uris), "redirect_uris");
        assert!(resolve(json!([1, 2])).is_err());
        assert!(resolve(with("redirect_uris", json!("https://app.example.com/cb"))).is_err());

        let c = resolve(with("scope", json!("openid trips:read"))).unwrap();
        assert_eq!(c.scopes.to_string(), "openid trips:read");
        let mut keys = with("token_endpoint_auth_method", json!("private_key_jwt"));
        keys["jwks"] = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]});
        assert_eq!(resolve(keys.clone()).unwrap().client_type, ClientType::Confidential);
        keys["jwks"] = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "private"}]});
        assert_eq!(field(keys.clone()), "jwks.keys[0]");
        keys.as_object_mut().unwrap().remove("jwks");
        keys["jwks_uri"] = json!("http://127.0.0.1/jwks");
        assert_eq!(field(keys), "jwks_uri");
    }
}
