//! Redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §2.1 and §4.1.3).
//!
//! A registered redirect URI is kept as the exact string given; a request matches only when it is
//! byte-for-byte equal, with one exception: for an `http` loopback IP literal (`127.0.0.1`,
//! `[::1]`) the port may differ, because native apps bind an ephemeral port (RFC 8252 §7.3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

use crate::validation::{FieldError, Rule};

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
    /// It must be a valid RFC 3986 URI (no backslash, no character outside RFC 3986 §2, `%` only
    /// in percent-encodings) and be written exactly as it parses (`https://app.example/`, not
    /// `https://app.example` or `https://APP.example:443/`).
    ///
    /// # Security
    /// A URI that two parsers read differently is a redirect to wherever the lenient one
    /// points: `https://evil.test\@app.example/cb` is on `app.example` for an RFC 3986 parser
    /// but on `evil.test` for a WHATWG one (browsers, and the `url` crate that builds the
    /// redirect). Only URIs that serialise back to the very string registered are accepted, so
    /// the exact string compared at the authorization endpoint is the place the browser goes.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let err = |m: &'static str| Err(FieldError::new("", m));
        if s.contains('\\') {
            return err("a redirect URI must not contain a backslash (parsers disagree on where its host ends)");
        }
        let (url, kind) = rules(s)?;
        if !s.chars().all(rfc3986_char) {
            return err("a redirect URI may contain only the characters RFC 3986 §2 allows; percent-encode the others");
        }
        if !percent_encodings_complete(s) {
            return err("'%' in a redirect URI must start a percent-encoding such as %20 (RFC 3986 §2.1)");
        }
        if url.as_str() != s {
            return Err(FieldError::new(
                "",
                format!(
                    "a redirect URI must be written exactly as it parses, so that every parser reads the \
                     same URI: register \"{}\" instead",
                    url.as_str()
                ),
            ));
        }
        if brackets_outside_host(s, &url) {
            return err("'[' and ']' may appear in a redirect URI only around an IPv6 address (RFC 3986 §3.2.2)");
        }
        Ok(Self { raw: s.to_owned(), kind })
    }

    /// A redirect URI read back from storage. It passed [`RedirectUri::parse`] when it was
    /// registered, but maybe under older rules, so only those are checked again: a client
    /// registered before the RFC 3986 and normal-form checks still loads, and can be seen and
    /// corrected through the management API.
    ///
    /// # Security
    /// Such a URI still matches only itself; the server refuses to redirect to a URI that does
    /// not serialise back to itself (`oidc::authorize::respond`), so a stored
    /// `https://evil.test\@app.example/cb` leads to an error page, never to `evil.test`.
    pub fn stored(s: &str) -> Result<Self, FieldError> {
        rules(s).map(|(_, kind)| Self { raw: s.to_owned(), kind })
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
        // Any port a native app can bind (RFC 8252 §7.3): 1-65535, written in canonical form,
        // where the default port written out (`:80`) names the same place as none.
        let host = req.host_str().unwrap_or_default();
        let canonical = req.as_str() == requested
            || (req.port().is_none()
                && requested == req.as_str().replacen(&format!("//{host}/"), &format!("//{host}:80/"), 1));
        loopback_ip
            && canonical
            && req.port() != Some(0)
            && req.scheme() == "http"
            && req.host() == reg.host()
            && strip(reg) == strip(req)
    }
}

/// The rules every registered redirect URI has always had to meet: absolute, bounded, no
/// fragment, user-info, wildcard or white space, and a scheme fit for a redirect.
fn rules(s: &str) -> Result<(Url, RedirectKind), FieldError> {
    let err = |m: &'static str| Err(FieldError::new("", m));
    if s.len() > 2000 {
        return err("a redirect URI must be at most 2000 characters");
    }
    if s.contains('#') {
        return Err(FieldError::rule("", Rule::RedirectFragment));
    }
    if s.contains('*') {
        return Err(FieldError::rule("", Rule::RedirectWildcard));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return err("a redirect URI must not contain white space or control characters");
    }
    let Ok(url) = Url::parse(s) else {
        return Err(FieldError::rule("", Rule::RedirectNotAbsolute));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return err("a redirect URI must not contain user information");
    }
    let has_authority = s.split_once("://").is_some_and(|(_, rest)| !rest.starts_with('/'));
    if matches!(url.scheme(), "http" | "https") && !has_authority {
        return err("an http(s) redirect URI needs a host");
    }
    // Port 0 names no port a browser can be sent to (ports are 1-65535).
    if url.port() == Some(0) {
        return err("a redirect URI cannot name port 0; a port is 1-65535");
    }
    let kind = match url.scheme() {
        "https" if url.host().is_some() => RedirectKind::Web,
        "http" => match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => RedirectKind::Loopback,
            Some(Host::Ipv6(ip)) if ip.is_loopback() => RedirectKind::Loopback,
            Some(Host::Domain("localhost")) => RedirectKind::Loopback,
            _ => return Err(FieldError::rule("", Rule::RedirectNotHttps)),
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
    Ok((url, kind))
}

/// RFC 3986 §2: unreserved, reserved (gen-delims and sub-delims) and `%` of a percent-encoding.
fn rfc3986_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Every `%` is followed by two hexadecimal digits (RFC 3986 §2.1).
fn percent_encodings_complete(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
}

/// Whether `[` or `]` appear anywhere but around the IPv6 host (RFC 3986 §3.2.2 allows them
/// nowhere else; WHATWG parsers pass them through in paths and queries).
fn brackets_outside_host(s: &str, url: &Url) -> bool {
    let ipv6 = matches!(url.host(), Some(Host::Ipv6(_)));
    let rest = match s.split_once("://") {
        // The authority runs to the first '/', '?' (no '#': refused already).
        Some((_, after)) if ipv6 => after.find(['/', '?']).map_or("", |end| after.get(end..).unwrap_or("")),
        _ => s,
    };
    rest.contains(['[', ']'])
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
        for not_a_port in ["http://127.0.0.1:0/cb", "http://127.0.0.1:00080/cb", "http://127.0.0.1:65536/cb"] {
            assert!(!lo.matches(not_a_port), "{not_a_port}");
        }
        assert!(lo.matches("http://127.0.0.1:65535/cb") && lo.matches("http://127.0.0.1:1/cb"));
        // RFC 8252 §7.3 allows any port, the default one written out too.
        assert!(lo.matches("http://127.0.0.1:80/cb"));
        for zero in ["http://127.0.0.1:0/cb", "http://[::1]:0/cb", "https://app.example:0/cb"] {
            assert!(RedirectUri::parse(zero).is_err(), "{zero}: port 0 is registered nowhere");
        }
        let v6 = RedirectUri::parse("http://[::1]:8080/cb").unwrap();
        assert!(v6.matches("http://[::1]:80/cb"));
        assert!(v6.matches("http://[::1]:9999/cb"));
        assert!(!v6.matches("http://[::1]:0/cb"));
        let localhost = RedirectUri::parse("http://localhost:3000/cb").unwrap();
        assert!(localhost.matches("http://localhost:3000/cb"));
        assert!(!localhost.matches("http://localhost:3001/cb"));
    }

    /// The URI and its relatives: not RFC 3986, or not written as they parse. Each is
    /// refused with a message that says why (the canonical form, where there is one).
    #[test]
    fn only_rfc3986_uris_in_normal_form_are_registered() {
        let refused = [
            ("https://evil.test\\@app.example/cb", "backslash"),
            ("https://app.example\\cb", "backslash"),
            ("com.example.app:\\cb", "backslash"),
            ("https://app.example", "register \"https://app.example/\" instead"),
            ("https://APP.example/cb", "register \"https://app.example/cb\" instead"),
            ("HTTPS://app.example/cb", "register \"https://app.example/cb\" instead"),
            ("https://app.example:443/cb", "register \"https://app.example/cb\" instead"),
            ("http://[::1]:80/cb", "register \"http://[::1]/cb\" instead"),
            ("https://app.example/a/../cb", "register \"https://app.example/cb\" instead"),
            ("https://app.example/./cb", "register \"https://app.example/cb\" instead"),
            ("https://0x7f.0.0.1/cb", "instead"),
            ("https://app.example/cb?x='1'", "register \"https://app.example/cb?x=%271%27\" instead"),
            ("https://app.example/cé", "RFC 3986 §2"),
            ("https://bücher.example/cb", "RFC 3986 §2"),
            ("https://app.example/c|b", "RFC 3986 §2"),
            ("https://app.example/c^b", "RFC 3986 §2"),
            ("https://app.example/c\"b", "RFC 3986 §2"),
            ("https://app.example/c<b>", "RFC 3986 §2"),
            ("https://app.example/c{b}", "RFC 3986 §2"),
            ("https://app.example/c`b", "RFC 3986 §2"),
            ("https://app.example/c%zzb", "percent-encoding"),
            ("https://app.example/cb%2", "percent-encoding"),
            ("https://app.example/c[b]", "IPv6"),
            ("https://app.example/cb?x=[1]", "IPv6"),
            ("https://app.example/c\tb", "white space or control"),
            ("https://app.example/c\u{7f}b", "white space or control"),
            ("https://app.example/c\u{85}b", "white space or control"),
            ("https://app.example/cb\n", "white space or control"),
        ];
        for (uri, why) in refused {
            let e = RedirectUri::parse(uri).unwrap_err();
            assert!(e.message.contains(why), "{uri}: {}", e.message);
        }
        for ok in [
            "https://app.example/",
            "https://app.example/cb?a=b&c=d%20e",
            "https://app.example/c%C3%A9",
            "https://xn--bcher-kva.example/cb",
            "https://app.example:8443/cb",
            "https://app.example/cb?",
            "http://[::1]:8080/cb",
            "http://127.0.0.1:51234/cb",
            "com.example.app:/cb",
            "com.example.app:/cb?x=1",
            "https://app.example/a;b=c/d!$&'()+,=@:",
        ] {
            assert_eq!(RedirectUri::parse(ok).map(|u| u.as_str().to_owned()), Ok(ok.to_owned()), "{ok}");
        }
    }

    /// What older versions stored still loads (so the client can be read and corrected); what
    /// broke the rules of every version does not.
    #[test]
    fn stored_uris_are_read_with_the_rules_they_were_registered_under() {
        for legacy in ["https://evil.test\\@app.example/cb", "https://app.example", "https://APP.example/cb"] {
            assert!(RedirectUri::parse(legacy).is_err(), "{legacy}");
            assert_eq!(RedirectUri::stored(legacy).unwrap().as_str(), legacy);
        }
        for never in ["javascript:alert(1)", "https://app.example/cb#x", "http://app.example/cb"] {
            assert!(RedirectUri::stored(never).is_err(), "{never}");
        }
    }
}
