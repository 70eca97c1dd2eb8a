//! Signing keys: generation, loading from PKCS#8, and their public JWKs.
//!
//! Key ids are RFC 7638 JWK thumbprints (SHA-256), so a `kid` names exactly one public key and
//! two tenants can never share one by accident.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};

/// Why a key could not be generated, loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Key generation failed in the crypto library.
    #[error("key generation failed")]
    Generate,
    /// Stored key material is not a valid key of the stated algorithm.
    #[error("invalid {0} key material")]
    Invalid(Alg),
    /// The crypto library refused to sign.
    #[error("signing failed")]
    Sign,
    /// A public JWK is malformed.
    #[error("invalid public JWK: {0}")]
    Jwk(String),
}

/// The JWS algorithms this server signs with (RFC 7518 §3, RFC 8037).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Alg {
    /// ECDSA P-256 SHA-256: the default for access tokens (small and fast).
    ES256,
    /// RSASSA-PKCS1-v1_5 SHA-256, 2048-bit: required by OIDC for ID tokens (Core §15.1).
    RS256,
    /// Ed25519.
    EdDSA,
}

impl Alg {
    /// Every supported algorithm.
    pub const ALL: [Alg; 3] = [Alg::ES256, Alg::RS256, Alg::EdDSA];

    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Parses an `alg` value; `none` and HMAC algorithms are never accepted.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub(crate) fn jwt(self) -> Algorithm {
        match self {
            Self::ES256 => Algorithm::ES256,
            Self::RS256 => Algorithm::RS256,
            Self::EdDSA => Algorithm::EdDSA,
        }
    }

    pub(crate) fn from_jwt(a: Algorithm) -> Option<Self> {
        match a {
            Algorithm::ES256 => Some(Self::ES256),
            Algorithm::RS256 => Some(Self::RS256),
            Algorithm::EdDSA => Some(Self::EdDSA),
            _ => None,
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public signing key as published in a JWK Set: `kty`, curve or modulus, `kid`, `alg`,
/// `use: sig`, and never a private member.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublicJwk(serde_json::Map<String, serde_json::Value>);

impl PublicJwk {
    /// Parses a stored public JWK and checks it has a `kid`, a supported `alg` and no private parts.
    pub fn from_value(v: serde_json::Value) -> Result<Self, KeyError> {
        let serde_json::Value::Object(map) = v else {
            return Err(KeyError::Jwk("not an object".into()));
        };
        if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| map.contains_key(*m)) {
            return Err(KeyError::Jwk("contains private key material".into()));
        }
        let jwk = Self(map);
        jwk.alg().ok_or_else(|| KeyError::Jwk("no supported alg".into()))?;
        if jwk.kid().is_empty() {
            return Err(KeyError::Jwk("no kid".into()));
        }
        Ok(jwk)
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        self.0.get("kid").and_then(serde_json::Value::as_str).unwrap_or_default()
    }

    /// The algorithm the key is for.
    pub fn alg(&self) -> Option<Alg> {
        self.0.get("alg").and_then(serde_json::Value::as_str).and_then(Alg::parse)
    }

    /// The JSON object.
    pub fn as_json(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }

    pub(crate) fn decoding_key(&self) -> Result<DecodingKey, KeyError> {
        let jwk: Jwk = serde_json::from_value(serde_json::Value::Object(self.0.clone()))
            .map_err(|e| KeyError::Jwk(e.to_string()))?;
        DecodingKey::from_jwk(&jwk).map_err(|e| KeyError::Jwk(e.to_string()))
    }
}

impl fmt::Debug for PublicJwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicJwk({} {})", self.alg().map_or("?", Alg::as_str), self.kid())
    }
}

/// A private signing key, ready to sign: parsed once, when loaded (parsing PKCS#8 costs about as
/// much as an ES256 signature).
pub struct SigningKey {
    alg: Alg,
    pair: KeyPair,
    public: PublicJwk,
}

/// The parsed private key.
enum KeyPair {
    Ec(EcdsaKeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ed(Ed25519KeyPair),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({} {}, [redacted])", self.alg, self.public.kid())
    }
}

impl SigningKey {
    /// Generates a new key; returns it with its PKCS#8 DER encoding (the secret to seal and store).
    pub fn generate(alg: Alg) -> Result<(Self, Vec<u8>), KeyError> {
        let pkcs8 = match alg {
            Alg::ES256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .and_then(|k| k.to_pkcs8v1())
                .map(|d| d.as_ref().to_vec()),
            Alg::RS256 => aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map(|d| d.as_ref().to_vec()),
            // PKCS#8 v1 (RFC 5208): the 48-byte form jsonwebtoken derives the public key from.
            Alg::EdDSA => Ed25519KeyPair::generate().and_then(|k| k.to_pkcs8v1()).map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| KeyError::Generate)?;
        let key = Self::from_pkcs8(alg, &pkcs8)?;
        Ok((key, pkcs8))
    }

    /// Loads a key from its PKCS#8 DER encoding.
    pub fn from_pkcs8(alg: Alg, der: &[u8]) -> Result<Self, KeyError> {
        let (pair, encoding) = match alg {
            Alg::ES256 => (
                KeyPair::Ec(
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                        .map_err(|_| KeyError::Invalid(alg))?,
                ),
                EncodingKey::from_ec_der(der),
            ),
            Alg::EdDSA => (
                KeyPair::Ed(Ed25519KeyPair::from_pkcs8(der).map_err(|_| KeyError::Invalid(alg))?),
                EncodingKey::from_ed_der(der),
            ),
            Alg::RS256 => {
                // jsonwebtoken signs RSA from PKCS#1 (RFC 8017 RSAPrivateKey): unwrap the PKCS#8.
                let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|_| KeyError::Invalid(alg))?;
                let pkcs1 = info.private_key.as_bytes();
                let pair = aws_lc_rs::rsa::KeyPair::from_der(pkcs1).map_err(|_| KeyError::Invalid(alg))?;
                if pair.public_modulus_len() < 256 {
                    return Err(KeyError::Invalid(alg)); // RSA below 2048 bits is refused
                }
                (KeyPair::Rsa(pair), EncodingKey::from_rsa_der(pkcs1))
            }
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.jwt()).map_err(|_| KeyError::Invalid(alg))?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(|_| KeyError::Invalid(alg))?;
        jwk.common.key_id = Some(kid);
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let value = serde_json::to_value(&jwk).map_err(|e| KeyError::Jwk(e.to_string()))?;
        let public = PublicJwk::from_value(value)?;
        Ok(Self { alg, pair, public })
    }

    /// The algorithm.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// The JWS signature of `message` (RFC 7518 §3: r || s for ES256, PKCS#1 v1.5 for RS256).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match &self.pair {
            KeyPair::Ec(pair) => pair.sign(&rng, message).map(|s| s.as_ref().to_vec()).map_err(|_| KeyError::Sign),
            KeyPair::Ed(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            KeyPair::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| KeyError::Sign)?;
                Ok(signature)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_publish_only_public_members_c02() {
        for alg in Alg::ALL {
            let (key, der) = SigningKey::generate(alg).unwrap();
            let jwk = key.public_jwk().as_json();
            for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                assert!(!jwk.contains_key(private), "{alg}: {private}");
            }
            assert_eq!(jwk["alg"], alg.as_str());
            assert_eq!(jwk["use"], "sig");
            assert_eq!(key.kid().len(), 43, "SHA-256 thumbprint, base64url");
            let reloaded = SigningKey::from_pkcs8(alg, &der).unwrap();
            assert_eq!(reloaded.kid(), key.kid(), "{alg}: thumbprint is stable");
            assert!(!format!("{key:?}").contains(&format!("{der:?}")));
        }
        let (rsa, _) = SigningKey::generate(Alg::RS256).unwrap();
        let n = rsa.public_jwk().as_json()["n"].as_str().unwrap();
        assert!(n.len() >= 342, "RSA modulus is at least 2048 bits");
    }

    #[test]
    fn none_and_hmac_are_never_algorithms_here() {
        for bad in ["none", "HS256", "ES384", "es256", ""] {
            assert_eq!(Alg::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn key_material_must_match_the_algorithm() {
        let (_, es) = SigningKey::generate(Alg::ES256).unwrap();
        assert!(SigningKey::from_pkcs8(Alg::RS256, &es).is_err());
        assert!(SigningKey::from_pkcs8(Alg::EdDSA, &es).is_err());
        assert!(SigningKey::from_pkcs8(Alg::ES256, b"garbage").is_err());
    }

    #[test]
    fn public_jwks_with_private_parts_are_refused() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let mut v = serde_json::Value::Object(key.public_jwk().as_json().clone());
        v["d"] = "secret".into();
        assert!(PublicJwk::from_value(v).is_err());
    }
}
