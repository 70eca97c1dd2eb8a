//! DPoP proofs (RFC 9449 §4): a JWS signed with the key whose public half travels in its own
//! `jwk` header. This module checks the JWS itself; the claims (`htm`, `htu`, `iat`, `jti`,
//! `ath`, `nonce`) are checked by the protocol code, which knows the request.
//!
//! # Security
//! `typ` must be `dpop+jwt`; the algorithm must be asymmetric (never `none` or HMAC); the
//! `jwk` header must be a public key (private members are refused, RFC 9449 §4.3 step 7);
//! `jku`, `x5u`, `x5c` and `crit` are refused; the key is never looked up by `kid`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Validation;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use serde_json::{Map, Value};

use crate::jwt::{CLIENT_ALGS, JwtError, MAX_TOKEN_BYTES};

/// The `typ` of a DPoP proof.
pub const DPOP_TYP: &str = "dpop+jwt";

/// The JWS algorithms accepted for proofs (advertised as `dpop_signing_alg_values_supported`).
pub const DPOP_ALGS: [&str; 9] = ["ES256", "ES384", "EdDSA", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"];

/// A proof whose signature verified with its own key.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The claims, for the caller to check against the request.
    pub claims: Map<String, Value>,
    /// RFC 7638 SHA-256 thumbprint of the proof key: what a bound token's `cnf.jkt` holds.
    pub jkt: String,
}

/// Verifies a proof's JWS with the public key in its header.
pub fn verify_proof(token: &str) -> Result<Proof, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::Malformed("too large"));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed("header"))?;
    if header.typ.as_deref().is_none_or(|t| !t.eq_ignore_ascii_case(DPOP_TYP)) {
        return Err(JwtError::Type);
    }
    if !CLIENT_ALGS.contains(&header.alg) {
        return Err(JwtError::Algorithm);
    }
    if header.jku.is_some() || header.x5u.is_some() || header.x5c.is_some() || header.crit.is_some() {
        return Err(JwtError::Malformed("refused header"));
    }
    // The decoded `Jwk` type drops members it does not know, so private members are looked for
    // in the raw header.
    let raw: Value = token
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed("header"))?;
    let Some(Value::Object(raw_jwk)) = raw.get("jwk") else { return Err(JwtError::Malformed("no jwk header")) };
    if ["d", "p", "q", "dp", "dq", "qi", "k", "oth"].iter().any(|m| raw_jwk.contains_key(*m)) {
        return Err(JwtError::Malformed("the jwk header holds private key material"));
    }
    let jwk: Jwk = header.jwk.ok_or(JwtError::Malformed("no jwk header"))?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|_| JwtError::UnknownKey)?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtError::Signature,
            _ => JwtError::Malformed("proof"),
        })?
        .claims;
    let jkt = jwk.thumbprint(ThumbprintHash::SHA256).map_err(|_| JwtError::UnknownKey)?;
    Ok(Proof { claims, jkt })
}

/// Signs a proof: `claims` (`jti`, `htm`, `htu`, `iat`, and `ath` or `nonce` when needed) under
/// the header `typ: dpop+jwt`, `alg` and the key's public `jwk` (RFC 9449 §4.2). For clients and
/// development tools; the server only verifies proofs.
pub fn sign_proof(key: &crate::SigningKey, claims: &Map<String, Value>) -> Result<String, JwtError> {
    let header = serde_json::json!({"typ": DPOP_TYP, "alg": key.alg().as_str(), "jwk": key.public_jwk().as_json()});
    crate::jwt::sign_compact(key, &header, claims)
}

/// `base64url(SHA-256(access_token))`: the `ath` claim of a proof sent with a token (§4.2).
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(access_token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::keys::{Alg, SigningKey};

    fn proof(key: &SigningKey, der: &[u8], typ: &str, jwk: Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.typ = Some(typ.into());
        h.jwk = serde_json::from_value(jwk).ok();
        let claims = json!({"jti": "j1", "htm": "POST", "htu": "https://id.example/t/acme/token", "iat": 1});
        let _ = key;
        jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(der)).unwrap()
    }

    #[test]
    fn a_proof_verifies_with_its_own_key_and_names_its_thumbprint() {
        let (key, der) = SigningKey::generate(Alg::ES256).unwrap();
        let jwk = Value::Object(key.public_jwk().as_json().clone());
        let p = verify_proof(&proof(&key, &der, "dpop+jwt", jwk.clone())).unwrap();
        assert_eq!(p.jkt, key.kid(), "the kid of this server's keys is the same RFC 7638 thumbprint");
        assert_eq!(p.claims["htm"], "POST");

        assert_eq!(verify_proof(&proof(&key, &der, "JWT", jwk.clone())).unwrap_err(), JwtError::Type);
        let (other, _) = SigningKey::generate(Alg::ES256).unwrap();
        let wrong = Value::Object(other.public_jwk().as_json().clone());
        assert_eq!(verify_proof(&proof(&key, &der, "dpop+jwt", wrong)).unwrap_err(), JwtError::Signature);
        assert!(verify_proof("a.b.c").is_err());
        assert_eq!(access_token_hash("x").len(), 43);
    }

    #[test]
    fn a_signed_proof_verifies_for_every_algorithm_and_carries_no_kid() {
        for alg in Alg::ALL {
            let (key, _) = SigningKey::generate(alg).unwrap();
            let claims = json!({"jti": "j1", "htm": "GET", "htu": "https://id.example/x", "iat": 1});
            let token = sign_proof(&key, claims.as_object().unwrap()).unwrap();
            let p = verify_proof(&token).unwrap();
            assert_eq!(p.jkt, key.kid(), "{alg}");
            assert_eq!(p.claims["htu"], "https://id.example/x");
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.kid, None, "a proof's key travels in jwk, never by kid");
        }
    }

    #[test]
    fn private_key_material_in_the_header_is_refused() {
        let (key, der) = SigningKey::generate(Alg::ES256).unwrap();
        let mut jwk = key.public_jwk().as_json().clone();
        jwk.insert("d".into(), json!("c2VjcmV0"));
        // Built by hand: jsonwebtoken's Jwk would drop "d" while encoding.
        let header = json!({"alg": "ES256", "typ": "dpop+jwt", "jwk": jwk});
        let signed = proof(&key, &der, "dpop+jwt", Value::Object(key.public_jwk().as_json().clone()));
        let mut parts: Vec<&str> = signed.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap());
        parts[0] = &forged;
        assert!(matches!(verify_proof(&parts.join(".")), Err(JwtError::Malformed(_))));
    }
}
