//! Micro-benchmarks of JWT minting and verification as the token and introspection endpoints
//! do them, of DPoP proof verification, and of sealing the personal fields of one audit event
//! (what every token issuance adds). Run with `cargo bench -p ciam-jose`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use ciam_jose::jwt::{CLIENT_ALGS, verify_with_jwk_set};
use ciam_jose::{Alg, Expect, PublicJwk, SigningKey, dpop, mint, verify};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);
const ISSUER: &str = "https://id.example.com/t/acme";

/// The shape of an RFC 9068 access token as the token endpoint issues it for a user.
#[derive(Serialize)]
struct Claims {
    iss: &'static str,
    sub: &'static str,
    aud: &'static str,
    exp: i64,
    iat: i64,
    jti: &'static str,
    client_id: &'static str,
    scope: &'static str,
}

fn claims() -> Claims {
    let now = NOW.unix_timestamp();
    Claims {
        iss: ISSUER,
        sub: "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b",
        aud: "https://api.example.com/",
        exp: now + 900,
        iat: now,
        jti: "q3vU8fK2xR7tL0pW9mZ4bN",
        client_id: "web-app",
        scope: "openid profile email orders:read",
    }
}

/// What the introspection endpoint expects of an access token.
fn expect() -> Expect<'static> {
    Expect {
        typ: "at+jwt",
        algs: &[Alg::ES256, Alg::RS256, Alg::EdDSA],
        issuer: ISSUER,
        audience: None,
        now: NOW,
        exp_leeway: 0,
        skew: 60,
    }
}

fn access_tokens(c: &mut Criterion) {
    let mut g = c.benchmark_group("access_token");
    // A tenant publishes one key per algorithm; verification picks the one named by `kid`.
    let keys: Vec<SigningKey> = Alg::ALL.into_iter().map(|a| SigningKey::generate(a).unwrap().0).collect();
    let published: Vec<PublicJwk> = keys.iter().map(|k| k.public_jwk().clone()).collect();
    let claims = claims();
    let expect = expect();
    for key in &keys {
        let alg = key.alg().as_str();
        g.bench_function(format!("mint_{alg}"), |b| b.iter(|| mint(black_box(key), "at+jwt", black_box(&claims))));
        let token = mint(key, "at+jwt", &claims).unwrap();
        assert!(verify(&token, &published, &expect).is_ok());
        g.bench_function(format!("verify_{alg}"), |b| {
            b.iter(|| verify(black_box(&token), black_box(&published), black_box(&expect)))
        });
    }
    g.finish();
}

fn client_assertion(c: &mut Criterion) {
    // private_key_jwt (RFC 7523): the client's JWK Set is parsed and the assertion verified.
    let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
    let jwks = json!({ "keys": [Value::Object(key.public_jwk().as_json().clone())] });
    let now = NOW.unix_timestamp();
    let assertion = json!({
        "iss": "svc", "sub": "svc", "aud": format!("{ISSUER}/token"),
        "jti": "a1b2c3d4e5", "iat": now, "exp": now + 60,
    });
    let token = mint(&key, "JWT", &assertion).unwrap();
    assert!(verify_with_jwk_set(&token, &jwks, &CLIENT_ALGS, &["at+jwt"]).is_ok());
    c.bench_function("client_assertion/verify_ES256", |b| {
        b.iter(|| verify_with_jwk_set(black_box(&token), black_box(&jwks), &CLIENT_ALGS, &["at+jwt"]))
    });
}

fn dpop_proof(c: &mut Criterion) {
    // RFC 9449 §4: a proof signed with the key in its own `jwk` header, as an agent sends it.
    let (key, der) = SigningKey::generate(Alg::ES256).unwrap();
    let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
    header.typ = Some(dpop::DPOP_TYP.into());
    header.jwk = serde_json::from_value(Value::Object(key.public_jwk().as_json().clone())).ok();
    let body = json!({
        "jti": "e1j3V_bKic8-LAEB", "htm": "POST", "htu": format!("{ISSUER}/token"),
        "iat": NOW.unix_timestamp(),
    });
    let proof = jsonwebtoken::encode(&header, &body, &EncodingKey::from_ec_der(&der)).unwrap();
    assert_eq!(dpop::verify_proof(&proof).unwrap().jkt, key.kid());
    c.bench_function("dpop/verify_proof_ES256", |b| b.iter(|| dpop::verify_proof(black_box(&proof))));
}

fn audit_personal_fields(c: &mut Criterion) {
    // What sealing one event costs on top of its append: the user id's pseudonym, and the
    // personal fields (as JSON) sealed under the user's data key, opened from the node's cache.
    use ciam_jose::MasterKey;
    let master = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
    let data_key = MasterKey::from_base64(&MasterKey::generate_base64()).unwrap();
    let fields = json!({
        "user_id": "01939f2e-6c1a-7cc2-9d7e-1f2a3b4c5d6e", "ip": "203.0.113.42",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    });
    let mut g = c.benchmark_group("audit_personal");
    g.bench_function("pseudonym", |b| {
        b.iter(|| master.pseudonym(black_box("acme"), black_box("01939f2e-6c1a-7cc2-9d7e-1f2a3b4c5d6e")))
    });
    g.bench_function("seal_fields", |b| {
        b.iter(|| {
            let plain = serde_json::to_vec(black_box(&fields)).unwrap();
            data_key.seal("acme/audit/p", &plain).unwrap()
        })
    });
    let sealed = data_key.seal("acme/audit/p", &serde_json::to_vec(&fields).unwrap()).unwrap();
    g.bench_function("open_fields", |b| b.iter(|| data_key.open("acme/audit/p", black_box(&sealed)).unwrap()));
    g.bench_function("open_data_key", |b| {
        let stored = master.seal("acme/data-key/p", MasterKey::generate_base64().as_bytes()).unwrap();
        b.iter(|| {
            let text = master.open("acme/data-key/p", black_box(&stored)).unwrap();
            MasterKey::from_base64(std::str::from_utf8(&text).unwrap()).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, access_tokens, client_assertion, dpop_proof, audit_personal_fields);
criterion_main!(benches);
