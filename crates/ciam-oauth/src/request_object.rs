//! Signed authorization request objects (JAR, RFC 9101), after their signature verified with
//! the client's keys: the rules their claims must follow and the authorization parameters they
//! carry.
//!
//! # Rules
//! - RFC 9101 §5, §6.3: only the request object's parameters are used; outer parameters other
//!   than `client_id` are ignored, and an outer `client_id` must equal the object's.
//! - RFC 9101 §6.3, RFC 7519: `iss` is the client, `aud` names the issuer identifier (a string
//!   or an array containing it), `exp` is in the future.
//! - FAPI 2.0 Message Signing §5.3.1, applied to every client: `nbf` is required and at most
//!   60 minutes in the past (and not in the future beyond the clock skew), and `exp` at most
//!   60 minutes after `nbf`.
//! - RFC 9101 §4: no `request` or `request_uri` inside a request object.
//! - RFC 9101 §10.8, RFC 8725 §3.11: a `typ` header, if present, is `oauth-authz-req+jwt` or
//!   `JWT`, so that a DPoP proof or an access token cannot pass as a request object.
//!
//! Every failure is `invalid_request_object` (RFC 9101 §6.3).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;

/// The explicit type of a request object (RFC 9101 §10.8).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// Longest accepted lifetime, `exp - nbf`, and oldest accepted `nbf`, in seconds (FAPI 2.0
/// Message Signing §5.3.1).
pub const MAX_REQUEST_OBJECT_LIFETIME_SECS: i64 = 3600;
/// Tolerated clock skew for an `nbf` or `iat` in the future.
pub const REQUEST_OBJECT_SKEW_SECS: i64 = 60;
/// `typ` headers a client's signature verification refuses outright for a request object
/// (RFC 8725 §3.11): proofs and tokens of other kinds.
pub const FORBIDDEN_TYPS: [&str; 3] = ["dpop+jwt", "at+jwt", "token-introspection+jwt"];

/// JWT claims of the object that are not authorization parameters.
const JWT_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];
/// Parameters whose array value stands for the parameter repeated (RFC 8707 §2).
const REPEATABLE: [&str; 1] = ["resource"];

fn invalid(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestObject, description)
}

/// The `typ` header of a compact JWS, read without verifying it (the signature is checked
/// separately); `Ok(None)` when absent.
fn header_typ(jwt: &str) -> Result<Option<String>, OAuthError> {
    let header = jwt.split('.').next().unwrap_or("");
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| invalid("the request object is not a JWS"))?;
    let header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| invalid("the request object is not a JWS"))?;
    match header.get("typ") {
        None => Ok(None),
        Some(Value::String(t)) => Ok(Some(t.clone())),
        Some(_) => Err(invalid("the request object's typ header is not a string")),
    }
}

/// RFC 9101 §10.8: a request object's `typ`, if present, is `oauth-authz-req+jwt` or `JWT`
/// (media type names compare case-insensitively, `application/` may be omitted).
pub fn check_typ(jwt: &str) -> Result<(), OAuthError> {
    let Some(typ) = header_typ(jwt)? else { return Ok(()) };
    let bare = typ
        .get(..12)
        .filter(|p| p.eq_ignore_ascii_case("application/"))
        .map_or(typ.as_str(), |_| typ.get(12..).unwrap_or(""));
    if bare.eq_ignore_ascii_case(REQUEST_OBJECT_TYP) || bare.eq_ignore_ascii_case("JWT") {
        Ok(())
    } else {
        Err(invalid("the request object's typ must be oauth-authz-req+jwt"))
    }
}

/// The authorization parameters of a verified request object, form-encoded (the same text a
/// form would carry), for `client_id` at the server whose issuer identifier is `issuer`, at
/// unix time `now`. `outer` are the parameters the object came with: all ignored but
/// `client_id`, which must be the object's.
pub fn parameters(
    claims: &Map<String, Value>,
    outer: &Params,
    client_id: &str,
    issuer: &str,
    now: i64,
) -> Result<String, OAuthError> {
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let n = |k: &str| claims.get(k).and_then(Value::as_i64);
    if s("iss") != Some(client_id) {
        return Err(invalid("the request object's iss must be the client_id"));
    }
    if outer.get("client_id").is_some_and(|c| c != client_id) || s("client_id").is_some_and(|c| c != client_id) {
        return Err(invalid("the request object's client_id differs from the request's"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == issuer,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(issuer)),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid("the request object's aud must be the issuer identifier"));
    }
    let exp = n("exp").ok_or_else(|| invalid("the request object has no exp"))?;
    if exp <= now {
        return Err(invalid("the request object has expired"));
    }
    let nbf = n("nbf").ok_or_else(|| invalid("the request object has no nbf"))?;
    if nbf < now - MAX_REQUEST_OBJECT_LIFETIME_SECS {
        return Err(invalid("the request object's nbf is more than 60 minutes in the past"));
    }
    if nbf > now + REQUEST_OBJECT_SKEW_SECS || n("iat").is_some_and(|iat| iat > now + REQUEST_OBJECT_SKEW_SECS) {
        return Err(invalid("the request object is not valid yet"));
    }
    if exp - nbf > MAX_REQUEST_OBJECT_LIFETIME_SECS {
        return Err(invalid("the request object's lifetime (exp - nbf) exceeds 60 minutes"));
    }
    if claims.contains_key("request") || claims.contains_key("request_uri") {
        return Err(invalid("a request object cannot contain request or request_uri"));
    }

    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in claims {
        if JWT_CLAIMS.contains(&name.as_str()) || name == "client_id" {
            continue;
        }
        match value {
            Value::Null => {}
            Value::String(v) => {
                form.append_pair(name, v);
            }
            Value::Array(list) if REPEATABLE.contains(&name.as_str()) => {
                for v in list {
                    let v = v.as_str().ok_or_else(|| invalid("resource values must be strings"))?;
                    form.append_pair(name, v);
                }
            }
            // A number (`max_age`) as its decimal text, an object (`claims`) as its JSON text:
            // what the same parameter would be in a form.
            other => {
                form.append_pair(name, &other.to_string());
            }
        }
    }
    form.append_pair("client_id", client_id);
    let query = form.finish();
    // The same limits as a form: too many parameters, or one repeated, is refused here.
    Params::parse(query.as_bytes()).map_err(|e| OAuthError::new(ErrorCode::InvalidRequestObject, e.description))?;
    Ok(query)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "https://id.example/t/acme";
    const NOW: i64 = 1_800_000_000;

    fn claims(extra: Value) -> Map<String, Value> {
        let mut base = json!({
            "iss": "app", "aud": ISSUER, "client_id": "app", "exp": NOW + 300, "nbf": NOW - 10, "iat": NOW - 10,
            "jti": "j1", "response_type": "code", "redirect_uri": "https://app.example/cb", "scope": "openid",
            "state": "s1",
        });
        if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
            for (k, v) in e {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    b.insert(k, v);
                }
            }
        }
        base.as_object().cloned().unwrap()
    }

    fn outer(q: &str) -> Params {
        Params::parse(q.as_bytes()).unwrap()
    }

    fn run(extra: Value, outer_q: &str) -> Result<Params, OAuthError> {
        parameters(&claims(extra), &outer(outer_q), "app", ISSUER, NOW).map(|q| Params::parse(q.as_bytes()).unwrap())
    }

    fn jws_with_header(header: Value) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header.to_string()))
    }

    #[test]
    fn the_objects_parameters_are_used_and_outer_ones_ignored_rfc9101_6_3() {
        let p = run(json!({}), "client_id=app&scope=profile&state=outer&prompt=none").unwrap();
        assert_eq!(p.get("client_id"), Some("app"));
        assert_eq!(p.get("scope"), Some("openid"), "the object's scope, not the outer one");
        assert_eq!(p.get("state"), Some("s1"));
        assert_eq!(p.get("prompt"), None, "an outer-only parameter is ignored");
        assert_eq!(p.get("redirect_uri"), Some("https://app.example/cb"));
        for claim in JWT_CLAIMS {
            assert_eq!(p.get(claim), None, "{claim} is a JWT claim, not a parameter");
        }
        // Without an outer client_id (PAR with client authentication) and without one inside.
        let p = run(json!({"client_id": null}), "").unwrap();
        assert_eq!(p.get("client_id"), Some("app"));
    }

    #[test]
    fn non_string_values_become_their_form_text() {
        let p = run(
            json!({"max_age": 300, "claims": {"id_token": {"acr": {"essential": true}}}, "resource": ["https://a.example/", "urn:b"], "ui_locales": null}),
            "",
        )
        .unwrap();
        assert_eq!(p.get("max_age"), Some("300"));
        assert_eq!(
            serde_json::from_str::<Value>(p.get("claims").unwrap()).unwrap(),
            json!({"id_token": {"acr": {"essential": true}}})
        );
        assert_eq!(p.all("resource"), ["https://a.example/", "urn:b"]);
        assert_eq!(p.get("ui_locales"), None, "null is no value");
        assert_eq!(run(json!({"resource": [1]}), "").unwrap_err().code, ErrorCode::InvalidRequestObject);
    }

    #[test]
    fn aud_may_be_an_array_containing_the_issuer() {
        assert!(run(json!({"aud": ["https://other.example", ISSUER]}), "").is_ok());
    }

    #[test]
    fn every_rule_refuses_with_invalid_request_object() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("iss is another client", json!({"iss": "other"}), ""),
            ("no iss", json!({"iss": null}), ""),
            ("inner client_id differs", json!({"client_id": "other"}), ""),
            ("outer client_id differs", json!({}), "client_id=other"),
            ("aud is another server", json!({"aud": "https://evil.example"}), ""),
            ("aud array without the issuer", json!({"aud": ["https://evil.example"]}), ""),
            ("aud is the token endpoint", json!({"aud": format!("{ISSUER}/token")}), ""),
            ("no aud", json!({"aud": null}), ""),
            ("no exp", json!({"exp": null}), ""),
            ("expired", json!({"exp": NOW}), ""),
            ("no nbf", json!({"nbf": null}), ""),
            ("nbf more than 60 minutes old", json!({"nbf": NOW - 3601, "exp": NOW + 10}), ""),
            ("nbf in the future", json!({"nbf": NOW + 61}), ""),
            ("iat in the future", json!({"iat": NOW + 61}), ""),
            ("lifetime over 60 minutes", json!({"nbf": NOW - 10, "exp": NOW + 3591}), ""),
            ("nested request", json!({"request": "eyJ"}), ""),
            ("nested request_uri", json!({"request_uri": "urn:ietf:params:oauth:request_uri:x"}), ""),
        ];
        for (rule, extra, outer_q) in cases {
            match run(extra, outer_q) {
                Err(e) => assert_eq!(e.code, ErrorCode::InvalidRequestObject, "{rule}"),
                Ok(p) => panic!("{rule}: accepted {p:?}"),
            }
        }
    }

    #[test]
    fn limits_are_inclusive_where_the_profile_says_at_most() {
        assert!(run(json!({"nbf": NOW - 3599, "exp": NOW + 1}), "").is_ok(), "nbf almost 60 minutes old");
        assert!(run(json!({"nbf": NOW - 10, "exp": NOW + 3590}), "").is_ok(), "lifetime exactly 60 minutes");
        assert!(run(json!({"nbf": NOW + 60}), "").is_ok(), "nbf within the skew");
    }

    #[test]
    fn typ_is_the_request_object_type_or_jwt_if_present() {
        for ok in [
            json!({"alg": "ES256"}),
            json!({"alg": "ES256", "typ": "oauth-authz-req+jwt"}),
            json!({"alg": "ES256", "typ": "application/oauth-authz-req+jwt"}),
            json!({"alg": "ES256", "typ": "JWT"}),
        ] {
            assert!(check_typ(&jws_with_header(ok.clone())).is_ok(), "{ok}");
        }
        for bad in [
            json!({"alg": "ES256", "typ": "dpop+jwt"}),
            json!({"alg": "ES256", "typ": "at+jwt"}),
            json!({"alg": "ES256", "typ": 7}),
        ] {
            assert_eq!(check_typ(&jws_with_header(bad.clone())).unwrap_err().code, ErrorCode::InvalidRequestObject);
        }
        assert_eq!(check_typ("not a jwt").unwrap_err().code, ErrorCode::InvalidRequestObject);
    }
}
