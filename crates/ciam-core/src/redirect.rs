//! Redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §2.1 and §4.1.3).
//!
//! A registered redirect URI is kept as the exact string given; a request matches only when it is
//! byte-for-byte equal, with one exception: for an `http` loopback IP literal (`127.0.0.1`,
//! `[::1]`) the port may differ, because native apps bind an ephemeral port (RFC 8252 §7.3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

use crate::validation::FieldError;

/// What kind of redirect target a URI is; decides which client types may register it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `https://…` on a public host.
    Web,
    /// `http://127.0.0.1`, `http://[::1]` or `http://localhost` (development and native apps).
    Loopback,
    /// A private-use scheme such as `com.example.app:/cb` (native apps, RFC 8252 §7.1).
    PrivateUse,
}

/// A validated, registered redirect URI.
#[derive(Clone, PartialEq, Eq)]
pub struct RedirectUri {
    raw: String,
    kind: RedirectKind,
}

impl RedirectUri {
    /// Validates a URI for registration: absolute, at most 2000 characters, no fragment, no
    /// user-info, no wildcard; `https`, or `http` only on loopback, or a private-use scheme that
    /// contains a dot (reverse domain name); never `javascript:`, `data:`, `file:` and the like.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let err = |m: &'static str| Err(FieldError::new("", m));
        if s.len() > 2000 {
            return err("a redirect URI must be at most 2000 characters");
        }
        if s.contains('#') {
            return err("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)");
        }
        if s.contains('*') {
            return err("a redirect URI must not contain wildcards; it is matched exactly");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return err("a redirect URI must not contain white space");
        }
        let Ok(url) = Url::parse(s) else {
            return err("a redirect URI must be an absolute URI");
        };
        if !url.username().is_empty() || url.password().is_some() {
            return err("a redirect URI must not contain user information");
        }
        let has_authority = s.split_once("://").is_some_and(|(_, rest)| !rest.starts_with('/'));
        if matches!(url.scheme(), "http" | "https") && !has_authority {
            return err("an http(s) redirect URI needs a host");
        }
        let kind = match url.scheme() {
            "https" if url.host().is_some() => RedirectKind::Web,
            "http" => match url.host() {
                Some(Host::Ipv4(ip)) if ip.is_loopback() => RedirectKind::Loopback,
                Some(Host::Ipv6(ip)) if ip.is_loopback() => RedirectKind::Loopback,
                Some(Host::Domain("localhost")) => RedirectKind::Loopback,
                _ => return err("http redirect URIs are allowed only on loopback; use https"),
            },
            "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "filesystem" | "ws" | "wss" | "ftp" => {
                return err("this URI scheme cannot be a redirect target");
            }
            scheme if scheme.contains('.') => RedirectKind::PrivateUse,
            _ => {
                return err("a redirect URI must use https, http on loopback, or a private-use scheme \
                     in reverse domain form such as com.example.app (RFC 8252 §7.1)");
            }
        };
        Ok(Self { raw: s.to_owned(), kind })
    }

    /// The registered string, exactly as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The kind of target.
    pub fn kind(&self) -> RedirectKind {
        self.kind
    }

    /// Whether the `redirect_uri` of a request matches this registration.
    ///
    /// # Security
    /// Exact string comparison, no normalisation, no prefix or wildcard matching (RFC 9700
    /// §4.1.3). The only relaxation is the port of an `http` loopback IP literal (RFC 8252 §7.3);
    /// `localhost` gets no such relaxation because it may resolve off the machine (RFC 8252 §8.3).
    pub fn matches(&self, requested: &str) -> bool {
        if self.raw == requested {
            return true;
        }
        if self.kind != RedirectKind::Loopback {
            return false;
        }
        let (Ok(reg), Ok(req)) = (Url::parse(&self.raw), Url::parse(requested)) else {
            return false;
        };
        let loopback_ip = matches!(reg.host(), Some(Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(reg.host(), Some(Host::Ipv6(ip)) if ip.is_loopback());
        // Compare everything but the port, as the exact strings the client sent: rebuild both
        // without a port and require the request to be in canonical form already.
        let strip = |mut u: Url| {
            let _ = u.set_port(None);
            u.to_string()
        };
        loopback_ip
            && req.as_str() == requested
            && req.scheme() == "http"
            && req.host() == reg.host()
            && strip(reg) == strip(req)
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({:?})", self.raw)
    }
}

impl Serialize for RedirectUri {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for RedirectUri {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_rules_s04_c27() {
        let ok = [
            ("https://app.example/cb", RedirectKind::Web),
            ("https://app.example/cb?foo=bar", RedirectKind::Web),
            ("http://127.0.0.1/cb", RedirectKind::Loopback),
            ("http://[::1]:8080/cb", RedirectKind::Loopback),
            ("http://localhost:3000/cb", RedirectKind::Loopback),
            ("com.example.app:/oauth2redirect", RedirectKind::PrivateUse),
        ];
        for (uri, kind) in ok {
            assert_eq!(RedirectUri::parse(uri).unwrap().kind(), kind, "{uri}");
        }
        for bad in [
            "https://app.example/cb#frag",
            "https://app.example/cb#",
            "http://app.example/cb",
            "https://user:pw@app.example/cb",
            "https://*.example/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "myapp:/cb",
            "/relative/cb",
            "https:///nohost",
            "https://app.example/c b",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exact_matching_with_loopback_port_rule_s01_z03() {
        let web = RedirectUri::parse("https://app.example/cb").unwrap();
        assert!(web.matches("https://app.example/cb"));
        for no in [
            "https://app.example/cb/",
            "https://app.example/cb?x=1",
            "https://APP.example/cb",
            "https://app.example:443/cb",
            "https://app.example/cb#",
            "http://app.example/cb",
            "https://app.example/c",
        ] {
            assert!(!web.matches(no), "{no}");
        }
        let lo = RedirectUri::parse("http://127.0.0.1/cb").unwrap();
        assert!(lo.matches("http://127.0.0.1:51234/cb"));
        assert!(!lo.matches("http://127.0.0.1:51234/other"));
        assert!(!lo.matches("http://[::1]:51234/cb"));
        assert!(!lo.matches("https://127.0.0.1:51234/cb"));
        let v6 = RedirectUri::parse("http://[::1]:80/cb").unwrap();
        assert!(v6.matches("http://[::1]:9999/cb"));
        let localhost = RedirectUri::parse("http://localhost:3000/cb").unwrap();
        assert!(localhost.matches("http://localhost:3000/cb"));
        assert!(!localhost.matches("http://localhost:3001/cb"));
    }
}
