//! Keys a test holds as a client or agent: a signing key for `private_key_jwt` client
//! assertions (RFC 7523) and a second key for DPoP proofs (RFC 9449). The server only ever sees
//! the public halves.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An agent's (or any client's) key pairs.
pub struct AgentKey {
    id: String,
    kid: String,
    der: Vec<u8>,
    /// A second key pair for DPoP proofs (RFC 9449), which bind the agent's tokens.
    dpop_der: Vec<u8>,
    dpop_jwk: Value,
    /// Its RFC 7638 thumbprint: what bound tokens carry as `cnf.jkt`.
    pub dpop_jkt: String,
}

impl AgentKey {
    /// Fresh ES256 keys for client `id`; also returns the JWK Set to register.
    pub fn new(id: &str) -> (Self, Value) {
        let (key, der) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
        let jwk = key.public_jwk().as_json().clone();
        let (dpop, dpop_der) = ciam_jose::SigningKey::generate(ciam_jose::Alg::ES256).unwrap();
        let dpop_jwk = Value::Object(dpop.public_jwk().as_json().clone());
        let dpop_jkt = dpop.kid().to_owned();
        (
            Self { id: id.to_owned(), kid: key.kid().to_owned(), der: der.to_vec(), dpop_der, dpop_jwk, dpop_jkt },
            json!({"keys": [jwk]}),
        )
    }

    /// The client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A fresh DPoP proof (RFC 9449 §4.2) for `method url`, with `ath` when sent with a token.
    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> String {
        self.proof_with_nonce(method, url, access_token, None)
    }

    /// A proof made by a client whose clock reads `iat` (unix seconds), with a server nonce if
    /// given.
    pub fn proof_at(&self, method: &str, url: &str, iat: i64, nonce: Option<&str>) -> String {
        self.proof_made(method, url, iat, None, nonce)
    }

    /// The same, carrying a server nonce (RFC 9449 §8).
    pub fn proof_with_nonce(&self, method: &str, url: &str, token: Option<&str>, nonce: Option<&str>) -> String {
        self.proof_made(method, url, unix_now(), token, nonce)
    }

    fn proof_made(&self, method: &str, url: &str, iat: i64, token: Option<&str>, nonce: Option<&str>) -> String {
        let mut claims = json!({"jti": unique(), "htm": method, "htu": url, "iat": iat});
        if let Some(t) = token {
            claims["ath"] = json!(ciam_jose::dpop::access_token_hash(t));
        }
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        self.sign_proof(claims)
    }

    fn sign_proof(&self, claims: Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.typ = Some("dpop+jwt".into());
        h.jwk = serde_json::from_value(self.dpop_jwk.clone()).ok();
        jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(&self.dpop_der)).unwrap()
    }

    /// A fresh `private_key_jwt` client assertion (RFC 7523) naming the issuer as audience, as
    /// the form parameters to send.
    pub fn assertion(&self, issuer: &str) -> Vec<(&'static str, String)> {
        let now = unix_now();
        let claims = json!({"iss": self.id, "sub": self.id, "aud": issuer, "iat": now, "exp": now + 60,
                            "jti": unique()});
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(self.kid.clone());
        let jwt = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(&self.der)).unwrap();
        vec![
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()),
            ("client_assertion", jwt),
        ]
    }
}

impl AgentKey {
    /// `claims` signed with the client's key (ES256, its `kid`), with `typ` if given: a request
    /// object (RFC 9101), or any JWT a test needs the client to sign.
    pub fn sign(&self, typ: Option<&str>, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(self.kid.clone());
        h.typ = typ.map(str::to_owned);
        jsonwebtoken::encode(&h, claims, &EncodingKey::from_ec_der(&self.der)).unwrap()
    }

    /// A request object (RFC 9101) for this client and `issuer` carrying `params`, valid from
    /// now for five minutes.
    pub fn request_object(&self, issuer: &str, params: &Value) -> String {
        let now = unix_now();
        let mut claims = json!({"iss": self.id, "aud": issuer, "client_id": self.id, "iat": now, "nbf": now,
                                "exp": now + 300, "jti": unique()});
        if let (Some(c), Some(p)) = (claims.as_object_mut(), params.as_object()) {
            c.extend(p.clone());
        }
        self.sign(Some("oauth-authz-req+jwt"), &claims)
    }
}

/// Seconds since the epoch, from the machine's clock (the server's clock is the same one).
pub fn unix_now() -> i64 {
    i64::try_from(std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_secs()).unwrap()
}

/// A `jti` no other proof or assertion of this process has used.
fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}
