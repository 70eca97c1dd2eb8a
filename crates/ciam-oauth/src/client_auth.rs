//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9).
//!
//! # Security
//! - A client authenticates only with the method it registered; any other method is refused,
//!   so a `private_key_jwt` client cannot fall back to a guessed secret.
//! - Secrets are compared as SHA-256 digests in constant time; an unknown client costs the same
//!   comparison as a known one, and every failure is the same `invalid_client`.
//! - Using two methods in one request (Basic and a body secret) is `invalid_request` (§2.3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciam_core::client::{AuthMethod, Client, ClientType};
use ciam_core::id::ClientId;
use ciam_core::secret::{Secret, SecretHash};

use crate::error::OAuthError;
use crate::form::Params;

/// What the request presented to identify the client.
#[derive(Debug)]
pub struct Presented {
    /// The claimed client id.
    pub client_id: ClientId,
    /// How it authenticated.
    pub method: AuthMethod,
    /// The secret, for the secret methods.
    secret: Option<Secret>,
    /// The signed assertion, for `private_key_jwt`.
    pub assertion: Option<String>,
}

/// RFC 7523 §2.2: the only client assertion type.
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Longest accepted lifetime of a client assertion: `exp` at most this far from now.
pub const MAX_ASSERTION_LIFETIME_SECS: i64 = 300;

/// Tolerated clock skew for assertion `iat`/`nbf` in the future (standards C36: +8 s accepted,
/// more than 60 s refused).
pub const ASSERTION_SKEW_SECS: i64 = 60;

/// Checks the claims of a verified client assertion (RFC 7523 §3): `iss` and `sub` are the
/// client, `aud` names the issuer or the token endpoint, `exp` is in the future and near, `iat`
/// and `nbf` are not in the future beyond the skew, and there is a `jti`. Returns the `jti` and
/// `exp` for the replay cache.
pub fn check_assertion_claims(
    claims: &serde_json::Map<String, serde_json::Value>,
    client_id: &ClientId,
    audiences: &[&str],
    now: i64,
) -> Result<(String, i64), OAuthError> {
    use serde_json::Value;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let n = |k: &str| claims.get(k).and_then(Value::as_i64);
    if s("iss") != Some(client_id.as_str()) || s("sub") != Some(client_id.as_str()) {
        return Err(OAuthError::client_refused(
            "assertion_subject: the assertion's iss and sub must both be the client id",
        ));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.contains(&a.as_str()),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(|a| audiences.contains(&a)),
        _ => false,
    };
    if !aud_ok {
        return Err(OAuthError::client_refused(format!(
            "assertion_audience: the assertion's aud is {}; accepted: {}",
            shown(claims.get("aud")),
            audiences.join(", ")
        )));
    }
    let exp = n("exp").ok_or_else(|| OAuthError::client_refused("assertion_expiry: the assertion has no exp"))?;
    if exp <= now {
        return Err(OAuthError::client_refused(format!(
            "assertion_expiry: the assertion expired {} s ago (check the clocks)",
            now - exp
        )));
    }
    if exp > now + MAX_ASSERTION_LIFETIME_SECS + ASSERTION_SKEW_SECS {
        return Err(OAuthError::client_refused(format!(
            "assertion_expiry: the assertion's exp is {} s away; at most {MAX_ASSERTION_LIFETIME_SECS} s are accepted",
            exp - now
        )));
    }
    for claim in ["iat", "nbf"] {
        if let Some(t) = n(claim).filter(|&t| t > now + ASSERTION_SKEW_SECS) {
            return Err(OAuthError::client_refused(format!(
                "assertion_expiry: the assertion's {claim} is {} s in the future (check the clocks)",
                t - now
            )));
        }
    }
    let jti = s("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or_else(|| OAuthError::client_refused("assertion_jti: the assertion has no jti (or one over 256 bytes)"))?;
    Ok((jti.to_owned(), exp))
}

/// A claim value for the log: as JSON, bounded (it is the client's input, not a secret).
fn shown(value: Option<&serde_json::Value>) -> String {
    let mut text = value.map_or_else(|| "missing".to_owned(), serde_json::Value::to_string);
    if text.len() > 200 {
        let cut = (0..=200).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn unverified_issuer(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

fn form_decode(s: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
}

/// Extracts the client's credentials from the `Authorization` header and the form, removing
/// `client_secret` from the form.
pub fn presented(authorization: Option<&str>, params: &mut Params) -> Result<Presented, OAuthError> {
    if params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some() {
        if authorization.is_some() || params.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request("use one client authentication method (RFC 6749 §2.3)"));
        }
        if params.get("client_assertion_type") != Some(JWT_BEARER_ASSERTION) {
            return Err(OAuthError::client_refused(format!(
                "assertion_type: client_assertion_type must be {JWT_BEARER_ASSERTION}"
            )));
        }
        let assertion = params.take("client_assertion").ok_or_else(|| {
            OAuthError::client_refused("assertion_missing: client_assertion_type without client_assertion")
        })?;
        // The client is named by `client_id` or, without it, by the assertion's unverified `iss`
        // (used only to find the keys that must then verify it).
        let id = match params.get("client_id") {
            Some(id) => id.to_owned(),
            None => unverified_issuer(&assertion).ok_or_else(|| {
                OAuthError::client_refused("assertion_malformed: no client_id, and the assertion names no iss")
            })?,
        };
        let client_id = ClientId::parse(&id).map_err(|_| malformed_id())?;
        return Ok(Presented {
            client_id,
            method: AuthMethod::PrivateKeyJwt,
            secret: None,
            assertion: Some(assertion),
        });
    }
    let body_secret = params.take("client_secret");
    let body_id = params.get("client_id").map(str::to_owned);
    let basic = match authorization {
        None => None,
        Some(h) => {
            let bad_basic = || {
                OAuthError::client_refused(
                    "malformed_authorization: the Authorization header is not Basic base64(client_id:client_secret)",
                )
            };
            let (scheme, value) = h.trim().split_once(' ').ok_or_else(bad_basic)?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(bad_basic());
            }
            // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
            let decoded = STANDARD.decode(value.trim()).ok().and_then(|b| String::from_utf8(b).ok());
            let (id, secret) = decoded.as_deref().and_then(|d| d.split_once(':')).ok_or_else(bad_basic)?;
            Some((form_decode(id).ok_or_else(bad_basic)?, form_decode(secret).ok_or_else(bad_basic)?))
        }
    };
    let parse_id = |id: &str| ClientId::parse(id).map_err(|_| malformed_id());
    match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => {
            Err(OAuthError::invalid_request("use one client authentication method (RFC 6749 §2.3)"))
        }
        (Some((id, _)), Some(body), None) if body != id => {
            Err(OAuthError::invalid_request("client_id differs from the authenticated client"))
        }
        (Some((id, secret)), _, None) => Ok(Presented {
            client_id: parse_id(&id)?,
            method: AuthMethod::ClientSecretBasic,
            secret: Some(Secret::new(secret)),
            assertion: None,
        }),
        (None, Some(id), Some(secret)) => Ok(Presented {
            client_id: parse_id(&id)?,
            method: AuthMethod::ClientSecretPost,
            secret: Some(Secret::new(secret)),
            assertion: None,
        }),
        (None, Some(id), None) => {
            Ok(Presented { client_id: parse_id(&id)?, method: AuthMethod::None, secret: None, assertion: None })
        }
        (None, None, _) => Err(OAuthError::client_refused(
            "no_credentials: the request names no client (no Authorization header, client_id or client_assertion)",
        )),
    }
}

fn malformed_id() -> OAuthError {
    OAuthError::client_refused("malformed_client_id: the client id is not a well-formed client id")
}

/// Checks presented credentials against the registered client and its secret hash. `client` is
/// `None` when no such client exists in this tenant.
pub fn authenticate(
    presented: &Presented,
    client: Option<&Client>,
    secret_hash: Option<&SecretHash>,
) -> Result<(), OAuthError> {
    // Compare even when there is nothing to compare against, so timing says nothing.
    let secret_ok = match (&presented.secret, secret_hash) {
        (Some(s), Some(h)) => h.verify(s.expose_secret()),
        (Some(s), None) => {
            let _ = SecretHash::of("no-such-client").verify(s.expose_secret());
            false
        }
        (None, _) => false,
    };
    let Some(client) = client else {
        return Err(OAuthError::client_refused("unknown_client: no client with this id in this tenant"));
    };
    if client.token_endpoint_auth_method != presented.method {
        return Err(OAuthError::client_refused(format!(
            "wrong_method: the client is registered for {} but authenticated with {}",
            client.token_endpoint_auth_method.as_str(),
            presented.method.as_str()
        )));
    }
    match presented.method {
        AuthMethod::None if client.client_type == ClientType::Public => Ok(()),
        AuthMethod::None => {
            Err(OAuthError::client_refused("wrong_method: a confidential client must authenticate (method none)"))
        }
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost if secret_ok => Ok(()),
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => Err(OAuthError::client_refused(
            "wrong_secret: the client secret does not match the registered one (rotated?)",
        )),
        // The assertion's signature, claims and jti are checked by the caller, which has the keys
        // and the replay cache.
        AuthMethod::PrivateKeyJwt if presented.assertion.is_some() => Ok(()),
        AuthMethod::PrivateKeyJwt => Err(OAuthError::client_refused("assertion_missing: no client_assertion")),
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::client::GrantType;
    use ciam_core::id::TenantId;
    use time::macros::datetime;

    use super::*;
    use crate::error::ErrorCode;

    fn client(method: AuthMethod) -> Client {
        let public = method == AuthMethod::None;
        Client::minimal(
            TenantId::parse("acme").unwrap(),
            ClientId::parse("app").unwrap(),
            "App".into(),
            if public { ClientType::Public } else { ClientType::Confidential },
            vec![GrantType::ClientCredentials],
            method,
            datetime!(2026-01-01 0:00 UTC),
        )
    }

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    fn run(auth: Option<&str>, body: &str, registered: AuthMethod, secret: &str) -> Result<(), ErrorCode> {
        let mut params = Params::parse(body.as_bytes()).map_err(|e| e.code)?;
        let p = presented(auth, &mut params).map_err(|e| e.code)?;
        let c = client(registered);
        authenticate(&p, Some(&c), Some(&SecretHash::of(secret))).map_err(|e| e.code)
    }

    #[test]
    fn registered_method_only_s23() {
        use AuthMethod::{ClientSecretBasic, ClientSecretPost, PrivateKeyJwt};
        use ErrorCode::{InvalidClient, InvalidRequest};
        let s = "s3cret";
        // (Authorization header, form body, registered method, expected outcome)
        type Case<'a> = (Option<String>, &'a str, AuthMethod, Result<(), ErrorCode>);
        let cases: Vec<Case<'_>> = vec![
            (Some(basic("app", s)), "", ClientSecretBasic, Ok(())),
            (None, "client_id=app&client_secret=s3cret", ClientSecretPost, Ok(())),
            (None, "client_id=app", AuthMethod::None, Ok(())),
            (Some(basic("app", "wrong")), "", ClientSecretBasic, Err(InvalidClient)),
            (None, "client_id=app&client_secret=s3cret", ClientSecretBasic, Err(InvalidClient)),
            (Some(basic("app", s)), "", ClientSecretPost, Err(InvalidClient)),
            (None, "client_id=app", ClientSecretBasic, Err(InvalidClient)),
            (Some(basic("app", s)), "client_secret=s3cret", ClientSecretBasic, Err(InvalidRequest)),
            (Some(basic("app", s)), "client_id=other", ClientSecretBasic, Err(InvalidRequest)),
            (Some(basic("app", s)), "client_id=app", ClientSecretBasic, Ok(())),
            (None, "", ClientSecretBasic, Err(InvalidClient)),
            (Some("Bearer x".into()), "", ClientSecretBasic, Err(InvalidClient)),
            (Some("Basic !!!".into()), "", ClientSecretBasic, Err(InvalidClient)),
            (Some(format!("Basic {}", STANDARD.encode("no-colon"))), "", ClientSecretBasic, Err(InvalidClient)),
            (None, "client_id=app&client_assertion=x&client_assertion_type=y", PrivateKeyJwt, Err(InvalidClient)),
            (None, &ASSERTION_BODY, PrivateKeyJwt, Ok(())),
            (None, &ASSERTION_BODY, ClientSecretBasic, Err(InvalidClient)),
            (Some(basic("app", s)), &ASSERTION_BODY, PrivateKeyJwt, Err(InvalidRequest)),
        ];
        for (auth, body, method, want) in cases {
            assert_eq!(run(auth.as_deref(), body, method, s), want, "{auth:?} {body} {method:?}");
        }
    }

    static ASSERTION_BODY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"iss":"app"}"#);
        format!("client_assertion_type={JWT_BEARER_ASSERTION}&client_assertion=e30.{payload}.sig")
    });

    #[test]
    fn assertion_claims_rfc7523_3_c36() {
        let me = ClientId::parse("app").unwrap();
        let now = 1_000_000;
        let auds = ["https://id/t/acme", "https://id/t/acme/token"];
        let base = serde_json::json!({"iss": "app", "sub": "app", "aud": "https://id/t/acme/token", "exp": now + 60, "iat": now, "jti": "j1"});
        let check = |patch: serde_json::Value| {
            let mut c = base.as_object().unwrap().clone();
            for (k, v) in patch.as_object().unwrap() {
                if v.is_null() {
                    c.remove(k);
                } else {
                    c.insert(k.clone(), v.clone());
                }
            }
            check_assertion_claims(&c, &me, &auds, now).map(|_| ()).map_err(|e| e.code)
        };
        assert_eq!(check(serde_json::json!({})), Ok(()));
        assert_eq!(check(serde_json::json!({"aud": ["x", "https://id/t/acme"]})), Ok(()), "issuer as audience");
        assert_eq!(check(serde_json::json!({"nbf": now + 8})), Ok(()), "nbf +8 s accepted");
        for bad in [
            serde_json::json!({"aud": "https://other/token"}),
            serde_json::json!({"sub": null}),
            serde_json::json!({"iss": "other"}),
            serde_json::json!({"exp": now - 300}),
            serde_json::json!({"exp": null}),
            serde_json::json!({"exp": now + 3600}),
            serde_json::json!({"nbf": now + 61}),
            serde_json::json!({"iat": now + 120}),
            serde_json::json!({"jti": null}),
        ] {
            assert_eq!(check(bad.clone()), Err(ErrorCode::InvalidClient), "{bad}");
        }
    }

    /// Every refused authentication answers the same `invalid_client` "client authentication
    /// failed", but carries the specific reason for the log and the audit trail, which never
    /// holds the secret presented.
    #[test]
    fn refusals_carry_their_specific_reason_for_the_log_only() {
        let refusal = |auth: Option<&str>, body: &str, registered: Option<AuthMethod>| {
            let mut params = Params::parse(body.as_bytes()).unwrap();
            let e = match presented(auth, &mut params) {
                Err(e) => e,
                Ok(p) => {
                    let c = registered.map(client);
                    authenticate(&p, c.as_ref(), Some(&SecretHash::of("s3cret"))).unwrap_err()
                }
            };
            assert_eq!((e.code, e.description.as_ref()), (ErrorCode::InvalidClient, "client authentication failed"));
            *e.refusal.expect("a reason")
        };
        let cases = [
            (Some(basic("app", "wrong-secret-xyz")), "", Some(AuthMethod::ClientSecretBasic), "wrong_secret:"),
            (Some(basic("ghost", "s3cret")), "", None, "unknown_client:"),
            (None, "client_id=app&client_secret=s3cret", Some(AuthMethod::ClientSecretBasic), "wrong_method:"),
            (None, "client_id=app", Some(AuthMethod::ClientSecretBasic), "wrong_method:"),
            (None, "", Some(AuthMethod::ClientSecretBasic), "no_credentials:"),
            (Some("Bearer x".into()), "", None, "malformed_authorization:"),
            (None, "client_id=a%20b", None, "malformed_client_id:"),
            (None, "client_id=app&client_assertion=x&client_assertion_type=y", None, "assertion_type:"),
        ];
        for (auth, body, registered, want) in cases {
            let reason = refusal(auth.as_deref(), body, registered);
            assert!(reason.starts_with(want), "{body}: {reason}");
            assert!(!reason.contains("s3cret") && !reason.contains("wrong-secret-xyz"), "{reason}");
        }
        let reason = refusal(None, "client_id=app&client_secret=x", Some(AuthMethod::ClientSecretBasic));
        assert_eq!(
            reason,
            "wrong_method: the client is registered for client_secret_basic but authenticated with client_secret_post"
        );
    }

    #[test]
    fn assertion_refusals_name_the_failed_claim() {
        let me = ClientId::parse("app").unwrap();
        let now = 1_000_000;
        let auds = ["https://id/t/acme", "https://id/t/acme/token"];
        let reason = |claims: serde_json::Value| {
            check_assertion_claims(claims.as_object().unwrap(), &me, &auds, now)
                .unwrap_err()
                .refusal
                .map(|r| *r)
                .unwrap()
        };
        let aud = reason(
            serde_json::json!({"iss": "app", "sub": "app", "aud": "http://localhost:8080/t/acme/token", "exp": now + 60, "jti": "j"}),
        );
        assert_eq!(
            aud,
            "assertion_audience: the assertion's aud is \"http://localhost:8080/t/acme/token\"; accepted: https://id/t/acme, https://id/t/acme/token"
        );
        let expired =
            reason(serde_json::json!({"iss": "app", "sub": "app", "aud": auds[1], "exp": now - 30, "jti": "j"}));
        assert_eq!(expired, "assertion_expiry: the assertion expired 30 s ago (check the clocks)");
        let sub =
            reason(serde_json::json!({"iss": "app", "sub": "other", "aud": auds[1], "exp": now + 60, "jti": "j"}));
        assert!(sub.starts_with("assertion_subject:"), "{sub}");
        let jti = reason(serde_json::json!({"iss": "app", "sub": "app", "aud": auds[1], "exp": now + 60}));
        assert!(jti.starts_with("assertion_jti:"), "{jti}");
        let long = reason(
            serde_json::json!({"iss": "app", "sub": "app", "aud": "x".repeat(1000), "exp": now + 60, "jti": "j"}),
        );
        assert!(long.len() < 400, "the client's text is bounded: {}", long.len());
    }

    #[test]
    fn basic_credentials_are_form_urlencoded_rfc6749_2_3_1() {
        let secret = "a:b%c+d é";
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert_eq!(run(Some(&basic("app", &encoded)), "", AuthMethod::ClientSecretBasic, secret), Ok(()));
        assert!(
            run(Some(&basic("app", secret)), "", AuthMethod::ClientSecretBasic, secret).is_err(),
            "raw form is not decoded the same"
        );
    }

    #[test]
    fn unknown_clients_fail_like_wrong_secrets() {
        let mut params = Params::parse(b"").unwrap();
        let p = presented(Some(&basic("ghost", "x")), &mut params).unwrap();
        assert_eq!(authenticate(&p, None, None).unwrap_err().code, ErrorCode::InvalidClient);
        let mut params = Params::parse(b"client_id=a%20b").unwrap();
        assert_eq!(presented(None, &mut params).unwrap_err().code, ErrorCode::InvalidClient, "ill-formed id");
    }
}
