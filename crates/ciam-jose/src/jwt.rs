//! JWT minting and verification (RFC 7519, RFC 8725).
//!
//! # Security
//! Verification is strict by construction:
//! - the accepted algorithms are given by the caller per context, never taken from the token
//!   (`none` and HMAC are not even representable: [`Alg`]);
//! - the key is chosen by `kid` among the caller's trusted keys and must be for the token's
//!   `alg`; `jku`, `x5u`, `x5c` and embedded `jwk` headers are refused (RFC 8725 §3.1), and so is
//!   any `crit` header (no extensions are understood);
//! - the `typ` header must be the one expected (explicit typing, RFC 8725 §3.11), so an ID token
//!   cannot pass as an access token;
//! - `iss`, `exp`, `nbf`, `iat` and (when asked) `aud` are checked against the injected time;
//!   `exp` is required. The caller bounds two allowances apart: how long after `exp` a token is
//!   still taken (none for the server's own tokens) and how far in the future `nbf` and `iat`
//!   may be (clock skew between the nodes).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Validation;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::keys::{Alg, KeyError, PublicJwk, SigningKey};

/// The longest token accepted; larger input is refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a token was refused. The variants are for logs and tests; callers answer
/// `invalid_token` / `invalid_grant` without saying which check failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    /// Not a well-formed JWS, too large, or a header that is refused.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// `alg` is not allowed in this context.
    #[error("algorithm not allowed")]
    Algorithm,
    /// `typ` is not the expected one.
    #[error("wrong token type")]
    Type,
    /// No trusted key has this `kid` for this `alg`.
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("bad signature")]
    Signature,
    /// `iss` differs.
    #[error("wrong issuer")]
    Issuer,
    /// `aud` does not contain the expected audience.
    #[error("wrong audience")]
    Audience,
    /// Expired (or no `exp`).
    #[error("expired")]
    Expired,
    /// `nbf` or `iat` is in the future.
    #[error("not yet valid")]
    NotYetValid,
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(String),
}

/// What a verifier expects of a token.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    /// Required `typ` header (compared case-insensitively, `application/` prefix optional).
    pub typ: &'a str,
    /// Allowed algorithms.
    pub algs: &'a [Alg],
    /// Required `iss`.
    pub issuer: &'a str,
    /// Required member of `aud`, when checked.
    pub audience: Option<&'a str>,
    /// The current time.
    pub now: OffsetDateTime,
    /// How long after its `exp` a token is still accepted, seconds. Zero for tokens this server
    /// issued: its own clock set `exp`, so there is no skew to allow for, and an expired token
    /// must not stay usable.
    pub exp_leeway: i64,
    /// How far in the future `nbf` and `iat` may be, seconds: the node that verifies may run a
    /// little behind the node that signed. Accepting a token slightly early never lengthens its
    /// life.
    pub skew: i64,
}

/// A verified token.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The key that signed it.
    pub kid: String,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// Signs `claims` with `key`, with headers `alg`, `kid` and `typ` (e.g. `at+jwt`, `JWT`).
///
/// The compact serialization (RFC 7515 §7.1) is written here so the key is used as loaded;
/// `jsonwebtoken::encode` would parse the private key again for every token.
pub fn mint<C: Serialize>(key: &SigningKey, typ: &str, claims: &C) -> Result<String, JwtError> {
    #[derive(Serialize)]
    struct JoseHeader<'a> {
        alg: &'static str,
        kid: &'a str,
        typ: &'a str,
    }
    sign_compact(key, &JoseHeader { alg: key.alg().as_str(), kid: key.kid(), typ }, claims)
}

/// Signs `claims` with `key` under the key id `kid` another party gave the key (Sign in with
/// Apple's client secret names the key Apple issued, not this key's thumbprint); no `typ`.
pub fn mint_as<C: Serialize>(key: &SigningKey, kid: &str, claims: &C) -> Result<String, JwtError> {
    #[derive(Serialize)]
    struct JoseHeader<'a> {
        alg: &'static str,
        kid: &'a str,
    }
    sign_compact(key, &JoseHeader { alg: key.alg().as_str(), kid }, claims)
}

/// The compact serialization of `claims` under `header` (which must name `key.alg()`), signed
/// with `key`.
pub(crate) fn sign_compact<H: Serialize, C: Serialize>(
    key: &SigningKey,
    header: &H,
    claims: &C,
) -> Result<String, JwtError> {
    let sign_error = |e: serde_json::Error| JwtError::Sign(e.to_string());
    let header = serde_json::to_vec(header).map_err(sign_error)?;
    let claims = serde_json::to_vec(claims).map_err(sign_error)?;
    let mut token = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 100);
    URL_SAFE_NO_PAD.encode_string(header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    let signature = key.sign(token.as_bytes()).map_err(|e| JwtError::Sign(e.to_string()))?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// RFC 7515 §4.1.9: media type names compare case-insensitively, and `application/` may be
/// omitted.
fn typ_matches(got: &str, want: &str) -> bool {
    fn strip(s: &str) -> &str {
        let s = s.trim();
        match s.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") => s.get(12..).unwrap_or(""),
            _ => s,
        }
    }
    strip(got).eq_ignore_ascii_case(strip(want))
}

/// Verifies a compact JWS against trusted keys and expectations.
pub fn verify(token: &str, keys: &[PublicJwk], expect: &Expect<'_>) -> Result<Verified, JwtError> {
    verify_with(token, keys, expect, None)
}

/// As [`verify`], but a token whose exact bytes passed every check before skips the signature
/// computation (about 50 µs for ES256); every other check runs again. For this server's own
/// access tokens, which resource servers and agents present many times over their life.
pub fn verify_cached(
    token: &str,
    keys: &[PublicJwk],
    expect: &Expect<'_>,
    cache: &SignatureCache,
) -> Result<Verified, JwtError> {
    verify_with(token, keys, expect, Some(cache))
}

/// Tokens (by SHA-256 of their bytes) whose signature verified, or that this node signed itself,
/// until they expire. The key named by `kid` must still be trusted for a remembered token to
/// pass, since `kid`s are JWK thumbprints, that is the same key. Bounded, in two generations of
/// at most half the capacity each: when the newer one is full it becomes the older one and the
/// oldest entries go, so recent tokens stay while a flood of new ones passes.
#[derive(Debug)]
pub struct SignatureCache {
    /// The newer and the older generation.
    generations: Mutex<[HashMap<[u8; 32], i64>; 2]>,
    capacity: usize,
}

impl SignatureCache {
    /// A cache of at most `capacity` tokens.
    pub fn new(capacity: usize) -> Self {
        Self { generations: Mutex::new([HashMap::new(), HashMap::new()]), capacity }
    }

    fn digest(token: &str) -> [u8; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref());
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [HashMap<[u8; 32], i64>; 2]> {
        self.generations.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn knows(&self, digest: &[u8; 32], now: i64) -> bool {
        self.lock().iter().any(|g| g.get(digest).is_some_and(|&exp| exp > now))
    }

    fn remember_digest(&self, digest: [u8; 32], exp: i64) {
        let mut generations = self.lock();
        let [newer, older] = &mut *generations;
        if newer.len() >= self.capacity / 2 {
            *older = std::mem::take(newer);
        }
        newer.insert(digest, exp);
    }

    /// Remembers a token this node has just signed (valid until `exp`), so that its first
    /// presentation skips the signature computation too.
    pub fn remember_minted(&self, token: &str, exp: i64) {
        self.remember_digest(Self::digest(token), exp);
    }

    /// Tokens remembered (expired ones included until their generation goes).
    pub fn len(&self) -> usize {
        self.lock().iter().map(HashMap::len).sum()
    }

    /// Whether no token is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn verify_with(
    token: &str,
    keys: &[PublicJwk],
    expect: &Expect<'_>,
    cache: Option<&SignatureCache>,
) -> Result<Verified, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::Malformed("too large"));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed("header"))?;
    if header.jku.is_some() || header.x5u.is_some() || header.x5c.is_some() || header.jwk.is_some() {
        return Err(JwtError::Malformed("key-locating headers are not trusted"));
    }
    if header.crit.is_some() {
        return Err(JwtError::Malformed("crit"));
    }
    let alg = Alg::from_jwt(header.alg).filter(|a| expect.algs.contains(a)).ok_or(JwtError::Algorithm)?;
    if !header.typ.as_deref().is_some_and(|t| typ_matches(t, expect.typ)) {
        return Err(JwtError::Type);
    }
    let kid = header.kid.ok_or(JwtError::UnknownKey)?;
    let jwk = keys.iter().find(|k| k.kid() == kid && k.alg() == Some(alg)).ok_or(JwtError::UnknownKey)?;

    let now = expect.now.unix_timestamp();
    let digest = cache.map(|_| SignatureCache::digest(token));
    let known = cache.zip(digest.as_ref()).is_some_and(|(c, d)| c.knows(d, now));

    let claims = if known {
        // These exact bytes (header, claims and signature) verified with this key before.
        jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token)
            .map_err(|_| JwtError::Malformed("payload"))?
    } else {
        let decoding = jwk.decoding_key().map_err(|_: KeyError| JwtError::UnknownKey)?;
        // Signature only: the time and audience checks below use the injected clock.
        let mut v = Validation::new(alg.jwt());
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Map<String, Value>>(token, &decoding, &v)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtError::Signature,
                _ => JwtError::Malformed("payload"),
            })?
            .claims
    };

    if claims.get("iss").and_then(Value::as_str) != Some(expect.issuer) {
        return Err(JwtError::Issuer);
    }
    let num = |k: &str| claims.get(k).and_then(Value::as_i64);
    let exp = match num("exp") {
        Some(exp) if exp > now - expect.exp_leeway => exp,
        _ => return Err(JwtError::Expired),
    };
    if num("nbf").is_some_and(|nbf| nbf > now + expect.skew) || num("iat").is_some_and(|iat| iat > now + expect.skew) {
        return Err(JwtError::NotYetValid);
    }
    if let Some(want) = expect.audience {
        let ok = match claims.get("aud") {
            Some(Value::String(a)) => a == want,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(want)),
            _ => false,
        };
        if !ok {
            return Err(JwtError::Audience);
        }
    }
    if let (Some(cache), Some(digest), false) = (cache, digest, known) {
        cache.remember_digest(digest, exp + expect.exp_leeway);
    }
    Ok(Verified { kid, claims })
}

/// Asymmetric algorithms accepted from clients' own keys (RFC 7523 assertions).
pub const CLIENT_ALGS: [jsonwebtoken::Algorithm; 9] = [
    jsonwebtoken::Algorithm::RS256,
    jsonwebtoken::Algorithm::RS384,
    jsonwebtoken::Algorithm::RS512,
    jsonwebtoken::Algorithm::PS256,
    jsonwebtoken::Algorithm::PS384,
    jsonwebtoken::Algorithm::PS512,
    jsonwebtoken::Algorithm::ES256,
    jsonwebtoken::Algorithm::ES384,
    jsonwebtoken::Algorithm::EdDSA,
];

/// The algorithms the FAPI 2.0 Security Profile allows (§5.4.1): PS256, ES256 and EdDSA (no
/// RSASSA-PKCS1-v1_5).
pub const FAPI_ALGS: [jsonwebtoken::Algorithm; 3] =
    [jsonwebtoken::Algorithm::PS256, jsonwebtoken::Algorithm::ES256, jsonwebtoken::Algorithm::EdDSA];

/// Verifies a JWS signed by a third party (a client) with one of the keys of its JWK Set: the
/// key named by `kid`, or, without `kid`, any key of the set that verifies. Only `algs` (a subset
/// of [`CLIENT_ALGS`] or [`FAPI_ALGS`]) are accepted; `jku`/`x5u`/`jwk`/`crit` headers and
/// forbidden `typ`s are refused. Returns the claims; time and audience checks are the caller's
/// (they differ per use).
pub fn verify_with_jwk_set(
    token: &str,
    jwks: &serde_json::Value,
    algs: &[jsonwebtoken::Algorithm],
    forbidden_typs: &[&str],
) -> Result<Map<String, Value>, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::Malformed("too large"));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed("header"))?;
    if header.jku.is_some()
        || header.x5u.is_some()
        || header.x5c.is_some()
        || header.jwk.is_some()
        || header.crit.is_some()
    {
        return Err(JwtError::Malformed("refused header"));
    }
    if !CLIENT_ALGS.contains(&header.alg) || !algs.contains(&header.alg) {
        return Err(JwtError::Algorithm);
    }
    if header.typ.as_deref().is_some_and(|t| forbidden_typs.iter().any(|f| typ_matches(t, f))) {
        return Err(JwtError::Type);
    }
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).map_err(|_| JwtError::UnknownKey)?;
    let candidates: Vec<&jsonwebtoken::jwk::Jwk> = match &header.kid {
        Some(kid) => set.find(kid).into_iter().collect(),
        None => set.keys.iter().collect(),
    };
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let mut result = Err(JwtError::UnknownKey);
    for jwk in candidates {
        // A key restricted to another algorithm is not tried (RFC 7517 §4.4).
        if jwk.common.key_algorithm.is_some_and(|a| a.to_string() != format!("{:?}", header.alg)) {
            continue;
        }
        let Ok(key) = jsonwebtoken::DecodingKey::from_jwk(jwk) else { continue };
        match jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v) {
            Ok(data) => return Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) => {
                result = Err(JwtError::Signature)
            }
            Err(_) => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    fn expect<'a>(algs: &'a [Alg]) -> Expect<'a> {
        Expect {
            typ: "at+jwt",
            algs,
            issuer: "https://id.example/t/acme",
            audience: Some("api"),
            now: NOW,
            exp_leeway: 60,
            skew: 60,
        }
    }

    fn claims(exp_offset: i64) -> Value {
        let now = NOW.unix_timestamp();
        json!({"iss": "https://id.example/t/acme", "sub": "u1", "aud": ["api", "other"], "iat": now, "exp": now + exp_offset})
    }

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(v.to_string())
    }

    #[test]
    fn round_trip_for_every_algorithm() {
        for alg in Alg::ALL {
            let (key, _) = SigningKey::generate(alg).unwrap();
            let token = mint(&key, "at+jwt", &claims(300)).unwrap();
            let v = verify(&token, &[key.public_jwk().clone()], &expect(&[alg])).unwrap();
            assert_eq!(v.kid, key.kid());
            assert_eq!(v.claims["sub"], "u1");
            let header: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
            assert_eq!(header, json!({"alg": alg.as_str(), "kid": key.kid(), "typ": "at+jwt"}));
        }
    }

    /// A remembered token skips only the signature: every other check still runs, a token with
    /// other bytes is verified in full, and a key no longer trusted refuses it.
    #[test]
    fn remembered_signatures_skip_only_the_signature() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let keys = [key.public_jwk().clone()];
        let cache = SignatureCache::new(8);
        let token = mint(&key, "at+jwt", &claims(300)).unwrap();
        for _ in 0..2 {
            let v = verify_cached(&token, &keys, &expect(&[Alg::ES256]), &cache).unwrap();
            assert_eq!(v.claims["sub"], "u1");
            assert_eq!(cache.len(), 1);
        }
        let later = Expect { now: NOW + time::Duration::seconds(600), ..expect(&[Alg::ES256]) };
        assert_eq!(verify_cached(&token, &keys, &later, &cache).unwrap_err(), JwtError::Expired);
        let elsewhere = Expect { audience: Some("billing"), ..expect(&[Alg::ES256]) };
        assert_eq!(verify_cached(&token, &keys, &elsewhere, &cache).unwrap_err(), JwtError::Audience);
        let (other, _) = SigningKey::generate(Alg::ES256).unwrap();
        let rotated_out = [other.public_jwk().clone()];
        assert_eq!(
            verify_cached(&token, &rotated_out, &expect(&[Alg::ES256]), &cache).unwrap_err(),
            JwtError::UnknownKey
        );
        // Same header and claims, another signature: not the remembered bytes.
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
        assert_eq!(verify_cached(&forged, &keys, &expect(&[Alg::ES256]), &cache).unwrap_err(), JwtError::Signature);
    }

    /// The cache keeps at most its capacity, in two generations: the latest tokens stay, the
    /// oldest go first.
    #[test]
    fn the_signature_cache_is_bounded_and_keeps_the_latest() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let cache = SignatureCache::new(4);
        let now = NOW.unix_timestamp();
        let tokens: Vec<String> = (0..10)
            .map(|i| {
                let claims = json!({"iss": "https://id.example/t/acme", "aud": "api", "n": i, "exp": now + 300});
                mint(&key, "at+jwt", &claims).unwrap()
            })
            .collect();
        for (i, token) in tokens.iter().enumerate() {
            cache.remember_minted(token, now + 300);
            assert!(cache.len() <= 4, "{}", cache.len());
            let known = |t: &String| cache.knows(&SignatureCache::digest(t), now);
            assert!(tokens[i.saturating_sub(2)..=i].iter().all(known), "the latest three at {i}");
            assert!(tokens[..i.saturating_sub(3)].iter().all(|t| !known(t)), "older ones gone at {i}");
        }
        assert!(!cache.knows(&SignatureCache::digest(&tokens[9]), now + 300), "until it expires");
    }

    #[test]
    fn every_check_refuses_its_case_rfc8725() {
        let (es, _) = SigningKey::generate(Alg::ES256).unwrap();
        let (rs, _) = SigningKey::generate(Alg::RS256).unwrap();
        let keys = [es.public_jwk().clone(), rs.public_jwk().clone()];
        let good = mint(&es, "at+jwt", &claims(300)).unwrap();
        let es_only = [Alg::ES256];
        assert!(verify(&good, &keys, &expect(&es_only)).is_ok());

        // algorithm not allowed in this context
        assert_eq!(verify(&good, &keys, &expect(&[Alg::RS256])).unwrap_err(), JwtError::Algorithm);
        // explicit typing: an ID token (typ JWT) is not an access token
        let id_token = mint(&es, "JWT", &claims(300)).unwrap();
        assert_eq!(verify(&id_token, &keys, &expect(&es_only)).unwrap_err(), JwtError::Type);
        let app_typ = mint(&es, "application/AT+JWT", &claims(300)).unwrap();
        assert!(verify(&app_typ, &keys, &expect(&es_only)).is_ok(), "typ comparison per RFC 7515 §4.1.9");
        // unknown key, and a key of another tenant with the same alg
        let (stranger, _) = SigningKey::generate(Alg::ES256).unwrap();
        let foreign = mint(&stranger, "at+jwt", &claims(300)).unwrap();
        assert_eq!(verify(&foreign, &keys, &expect(&es_only)).unwrap_err(), JwtError::UnknownKey);
        // time
        assert_eq!(
            verify(&mint(&es, "at+jwt", &claims(-61)).unwrap(), &keys, &expect(&es_only)).unwrap_err(),
            JwtError::Expired
        );
        assert!(verify(&mint(&es, "at+jwt", &claims(-30)).unwrap(), &keys, &expect(&es_only)).is_ok(), "within leeway");
        let mut future = claims(600);
        future["nbf"] = json!(NOW.unix_timestamp() + 120);
        assert_eq!(
            verify(&mint(&es, "at+jwt", &future).unwrap(), &keys, &expect(&es_only)).unwrap_err(),
            JwtError::NotYetValid
        );
        // Without expiry leeway (the server's own tokens), a token is dead from its `exp` on,
        // while `nbf`/`iat` slightly ahead (another node's clock) are still taken.
        let own = Expect { exp_leeway: 0, ..expect(&es_only) };
        assert!(verify(&mint(&es, "at+jwt", &claims(1)).unwrap(), &keys, &own).is_ok());
        for late in [0, -1, -5, -59] {
            let token = mint(&es, "at+jwt", &claims(late)).unwrap();
            assert_eq!(verify(&token, &keys, &own).unwrap_err(), JwtError::Expired, "exp {late} s from now");
        }
        let mut ahead = claims(300);
        ahead["iat"] = json!(NOW.unix_timestamp() + 5);
        ahead["nbf"] = json!(NOW.unix_timestamp() + 5);
        assert!(verify(&mint(&es, "at+jwt", &ahead).unwrap(), &keys, &own).is_ok(), "skew applies to nbf and iat");
        let mut no_exp = claims(0);
        no_exp.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            verify(&mint(&es, "at+jwt", &no_exp).unwrap(), &keys, &expect(&es_only)).unwrap_err(),
            JwtError::Expired
        );
        // issuer and audience
        let mut other_iss = claims(300);
        other_iss["iss"] = json!("https://id.example/t/other");
        assert_eq!(
            verify(&mint(&es, "at+jwt", &other_iss).unwrap(), &keys, &expect(&es_only)).unwrap_err(),
            JwtError::Issuer
        );
        let mut e = expect(&es_only);
        e.audience = Some("billing");
        assert_eq!(verify(&good, &keys, &e).unwrap_err(), JwtError::Audience);
        // signature
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged_claims = b64(
            &json!({"iss": "https://id.example/t/acme", "sub": "admin", "aud": "api", "exp": NOW.unix_timestamp() + 300}),
        );
        parts[1] = &forged_claims;
        assert_eq!(verify(&parts.join("."), &keys, &expect(&es_only)).unwrap_err(), JwtError::Signature);
    }

    #[test]
    fn hostile_headers_are_refused_z01() {
        let (es, _) = SigningKey::generate(Alg::ES256).unwrap();
        let keys = [es.public_jwk().clone()];
        let body = b64(&claims(300));
        let sig = mint(&es, "at+jwt", &claims(300)).unwrap().rsplit('.').next().unwrap().to_owned();
        let kid = es.kid();
        for header in [
            json!({"alg": "none", "typ": "at+jwt", "kid": kid}),
            json!({"alg": "HS256", "typ": "at+jwt", "kid": kid}),
            json!({"alg": "ES256", "typ": "at+jwt", "kid": kid, "jku": "https://evil.example/jwks"}),
            json!({"alg": "ES256", "typ": "at+jwt", "kid": kid, "x5u": "https://evil.example/cert"}),
            json!({"alg": "ES256", "typ": "at+jwt", "kid": kid, "jwk": es.public_jwk()}),
            json!({"alg": "ES256", "typ": "at+jwt", "kid": kid, "crit": ["exp"]}),
            json!({"alg": "ES256", "typ": "at+jwt"}),
            json!({"alg": "ES256", "typ": "at+jwt", "kid": "../../etc/passwd"}),
        ] {
            let token = format!("{}.{body}.{sig}", b64(&header));
            assert!(verify(&token, &keys, &expect(&[Alg::ES256])).is_err(), "{header}");
        }
        let dup = format!("{}.{body}.{sig}", URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","alg":"none","typ":"at+jwt"}"#));
        assert!(verify(&dup, &keys, &expect(&[Alg::ES256])).is_err(), "duplicate header members");
        for junk in ["", ".", "..", "a.b.c", &"a".repeat(MAX_TOKEN_BYTES + 1)] {
            assert!(verify(junk, &keys, &expect(&[Alg::ES256])).is_err());
        }
    }
}
