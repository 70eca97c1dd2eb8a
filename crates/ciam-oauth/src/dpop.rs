//! DPoP (RFC 9449): checking a proof's claims against the request it came with, and the rules
//! that bind tokens to a proof key. The JWS itself is verified by `ciam_jose::dpop`.

use serde_json::{Map, Value};

use crate::error::{ErrorCode, OAuthError};

/// How far in the past a proof's `iat` may be, seconds (RFC 9449 §11.1: a short window).
pub const MAX_PROOF_AGE_SECS: i64 = 300;
/// How far in the future a proof's `iat` may be (clock skew), seconds.
pub const PROOF_SKEW_SECS: i64 = 60;
/// The longest `jti` kept in the replay cache.
const MAX_JTI: usize = 256;

/// What the request a proof came with looks like.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The full URL of the endpoint (scheme, host, path; any query is ignored).
    pub url: &'a str,
    /// Unix seconds now.
    pub now: i64,
    /// The access token sent with the proof (resource requests), whose hash `ath` must carry.
    pub access_token: Option<&'a str>,
}

fn invalid(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidDpopProof, description)
}

/// `scheme://host[:port]/path`, lowercased scheme and host, default port dropped, no query or
/// fragment: how `htu` is compared (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2-6.2.3).
fn normalized(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{}://{}{}{}", u.scheme(), host, port, u.path()))
}

/// Checks a verified proof's claims against the request (RFC 9449 §4.3 steps 8-12) and returns
/// its `jti`, which the caller must record to refuse a replay.
pub fn check_claims(claims: &Map<String, Value>, request: &Request<'_>) -> Result<String, OAuthError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let jti =
        text("jti").filter(|j| !j.is_empty() && j.len() <= MAX_JTI).ok_or_else(|| invalid("the proof needs a jti"))?;
    if text("htm") != Some(request.method) {
        return Err(invalid("the proof's htm is not this request's method"));
    }
    let htu = text("htu").and_then(normalized);
    if htu.is_none() || htu != normalized(request.url) {
        return Err(invalid("the proof's htu is not this endpoint"));
    }
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or_else(|| invalid("the proof needs an iat"))?;
    if iat < request.now - MAX_PROOF_AGE_SECS || iat > request.now + PROOF_SKEW_SECS {
        return Err(invalid("the proof is too old or from the future"));
    }
    match (request.access_token, text("ath")) {
        (Some(token), Some(ath)) if ath == ciam_jose::dpop::access_token_hash(token) => {}
        (Some(_), _) => return Err(invalid("the proof's ath does not match the access token")),
        (None, _) => {}
    }
    Ok(jti.to_owned())
}

/// The key thumbprint a token is bound to (`cnf.jkt`, RFC 9449 §6.1), if any.
pub fn bound_jkt(claims: &Map<String, Value>) -> Option<&str> {
    claims.get("cnf").and_then(|c| c.get("jkt")).and_then(Value::as_str)
}

/// The client certificate thumbprint a token is bound to (`cnf.x5t#S256`, RFC 8705 §3.1), if any.
pub fn bound_certificate(claims: &Map<String, Value>) -> Option<&str> {
    claims.get("cnf").and_then(|c| c.get("x5t#S256")).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const URL: &str = "https://id.example/t/acme/token";

    fn req(token: Option<&str>) -> Request<'_> {
        Request { method: "POST", url: URL, now: 1_000_000, access_token: token }
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn claims_are_checked_against_the_request_rfc9449_4_3() {
        let ok = json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1_000_000});
        assert_eq!(check_claims(&claims(ok.clone()), &req(None)).unwrap(), "j");
        let variants = [
            json!({"htm": "POST", "htu": URL, "iat": 1_000_000}),
            json!({"jti": "j", "htm": "GET", "htu": URL, "iat": 1_000_000}),
            json!({"jti": "j", "htm": "POST", "htu": "https://id.example/t/acme/userinfo", "iat": 1_000_000}),
            json!({"jti": "j", "htm": "POST", "htu": "https://evil.example/t/acme/token", "iat": 1_000_000}),
            json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1_000_000 - 301}),
            json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1_000_000 + 61}),
            json!({"jti": "j", "htm": "POST", "htu": URL}),
        ];
        for v in variants {
            assert_eq!(
                check_claims(&claims(v.clone()), &req(None)).unwrap_err().code,
                ErrorCode::InvalidDpopProof,
                "{v}"
            );
        }
        let same =
            json!({"jti": "j", "htm": "POST", "htu": "HTTPS://ID.example:443/t/acme/token?x=1#f", "iat": 1_000_000});
        assert!(check_claims(&claims(same), &req(None)).is_ok(), "normalised; query and fragment ignored");
    }

    #[test]
    fn ath_binds_the_proof_to_the_token() {
        let ath = ciam_jose::dpop::access_token_hash("tok");
        let with = json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1_000_000, "ath": ath});
        assert!(check_claims(&claims(with.clone()), &req(Some("tok"))).is_ok());
        assert!(check_claims(&claims(with), &req(Some("other"))).is_err());
        let without = json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1_000_000});
        assert!(check_claims(&claims(without), &req(Some("tok"))).is_err());
        assert_eq!(bound_jkt(&claims(json!({"cnf": {"jkt": "abc"}}))), Some("abc"));
        assert_eq!(bound_jkt(&claims(json!({}))), None);
    }
}
