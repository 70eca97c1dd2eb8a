//! Identity and authorization chaining across trust domains (draft-ietf-oauth-identity-chaining):
//! the rules a JWT authorization grant from another domain must meet here (RFC 7523 §3), beside
//! its signature, which the issuer checks with the trusted issuer's keys.

use base64::Engine as _;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};

/// `grant_type` of a JWT authorization grant (RFC 7523 §2.1).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long a JWT authorization grant this server issues lives, seconds.
pub const GRANT_LIFETIME: i64 = 60;
/// The oldest grant accepted (its `iat`), seconds.
pub const MAX_GRANT_AGE: i64 = 600;
/// Clock skew allowed on another domain's `exp`, `nbf` and `iat`, seconds.
pub const SKEW: i64 = 30;

fn refused(why: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, why)
}

/// The `iss` a grant claims, read before its signature is checked (to find the keys to check it
/// with); `None` for something that is not a JWT with a string `iss`.
pub fn claimed_issuer(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss").and_then(Value::as_str).map(str::to_owned)
}

/// RFC 7523 §3 for a verified grant: `aud` names this server (its issuer or its token
/// endpoint), `exp` is to come, `nbf` has passed, `iat` is recent, and `sub` and `jti` are
/// there. Returns the `jti` and the number of seconds it stays usable (the replay window).
pub fn check_claims(
    claims: &Map<String, Value>,
    accepted_audiences: &[String],
    now: OffsetDateTime,
) -> Result<(String, i64), OAuthError> {
    let now = now.unix_timestamp();
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => accepted_audiences.contains(a),
        Some(Value::Array(many)) => {
            many.iter().filter_map(Value::as_str).any(|a| accepted_audiences.iter().any(|x| x == a))
        }
        _ => false,
    };
    if !aud_ok {
        return Err(refused("the grant's aud does not name this authorization server"));
    }
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    let exp = time("exp").ok_or_else(|| refused("the grant has no exp"))?;
    if exp + SKEW <= now {
        return Err(refused("the grant has expired"));
    }
    if time("nbf").is_some_and(|nbf| nbf > now + SKEW) {
        return Err(refused("the grant is not valid yet"));
    }
    match time("iat") {
        Some(iat) if iat <= now + SKEW && now - iat <= MAX_GRANT_AGE => {}
        Some(_) => return Err(refused("the grant's iat is too far from now")),
        None => return Err(refused("the grant has no iat")),
    }
    if claims.get("sub").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(refused("the grant has no subject"));
    }
    let jti = claims.get("jti").and_then(Value::as_str).filter(|j| !j.is_empty() && j.len() <= 256);
    let jti = jti.ok_or_else(|| refused("the grant has no jti (each grant is used once)"))?;
    Ok((jti.to_owned(), (exp + SKEW - now).max(1)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);
    const ME: &str = "https://id.b.example/t/globex";

    fn grant(overrides: Value) -> Map<String, Value> {
        let now = NOW.unix_timestamp();
        let mut c = json!({"iss": "https://id.a.example/t/acme", "aud": ME, "sub": "ada", "jti": "j1",
                           "iat": now - 5, "exp": now + 55})
        .as_object()
        .unwrap()
        .clone();
        for (k, v) in overrides.as_object().unwrap() {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
        c
    }

    #[test]
    fn a_grant_must_name_this_server_be_fresh_and_say_who_and_which() {
        let me = [ME.to_owned(), format!("{ME}/token")];
        let (jti, window) = check_claims(&grant(json!({})), &me, NOW).unwrap();
        assert_eq!((jti.as_str(), window), ("j1", 85));
        check_claims(&grant(json!({"aud": [format!("{ME}/token"), "https://other"]})), &me, NOW).unwrap();
        let now = NOW.unix_timestamp();
        for (overrides, why) in [
            (json!({"aud": "https://id.c.example"}), "aud"),
            (json!({"aud": null}), "aud"),
            (json!({"exp": now - 31}), "expired"),
            (json!({"exp": null}), "no exp"),
            (json!({"nbf": now + 60}), "not valid yet"),
            (json!({"iat": now - 601}), "iat"),
            (json!({"iat": null}), "no iat"),
            (json!({"sub": null}), "subject"),
            (json!({"jti": null}), "jti"),
        ] {
            let e = check_claims(&grant(overrides.clone()), &me, NOW).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidGrant);
            assert!(e.description.contains(why), "{overrides}: {}", e.description);
        }
    }

    #[test]
    fn the_issuer_is_read_before_the_signature_is_checked() {
        let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let jwt = format!("{}.{}.sig", enc(json!({"alg": "ES256"})), enc(json!({"iss": "https://a"})));
        assert_eq!(claimed_issuer(&jwt).as_deref(), Some("https://a"));
        assert_eq!(claimed_issuer("not-a-jwt"), None);
        assert_eq!(claimed_issuer(&format!("x.{}.y", enc(json!({"iss": 7})))), None);
    }
}
