//! Properties of the request parsers of the OAuth endpoints (docs/standards.md, fuzz targets
//! Z02, Z04, Z07): for any input they never panic, and what they accept keeps its promise.
//! Seeded by proptest's defaults (256 cases each; `PROPTEST_CASES` raises it), so they run in CI
//! on stable Rust; the cargo-fuzz targets in `fuzz/` drive the same functions for longer.

use ciam_jose::dpop::{sign_proof, verify_proof};
use ciam_jose::{Alg, SigningKey};
use ciam_oauth::dpop::{Request, check_claims};
use ciam_oauth::form::Params;
use ciam_oauth::pkce::CodeChallenge;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const URL: &str = "https://as.example/t/acme/token";
const NOW: i64 = 1_800_000_000;

fn claims(htm: &str, htu: &str, iat: i64) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("jti".into(), json!("j-1"));
    c.insert("htm".into(), json!(htm));
    c.insert("htu".into(), json!(htu));
    c.insert("iat".into(), json!(iat));
    c
}

/// Parameter names: repeatable ones, ordinary ones, and odd ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("resource".to_owned()),
        Just("audience".to_owned()),
        Just("grant_type".to_owned()),
        Just("scope".to_owned()),
        Just("code".to_owned()),
        "[a-z_%+=&]{0,6}",
    ]
}

proptest! {
    /// Z04: any body decodes or is refused, never a panic.
    #[test]
    fn any_form_body_decodes_or_is_refused(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Params::parse(&body);
    }

    /// Z04, RFC 6749 §3.2: a body with a non-repeatable parameter twice (both with a value) is
    /// refused; otherwise each parameter reads as the first value it was sent with, `+` and
    /// `%20` alike, and `resource`/`audience` keep every distinct value in order.
    #[test]
    fn a_repeated_parameter_is_refused_and_the_rest_read_as_sent(
        pairs in prop::collection::vec((name(), "[ -~é\u{0}]{0,8}"), 0..12),
    ) {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let sent: Vec<&(String, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
        let repeatable = |k: &str| k == "resource" || k == "audience";
        let repeated = sent
            .iter()
            .enumerate()
            .any(|(i, (k, _))| !repeatable(k) && sent[..i].iter().any(|(seen, _)| seen == k));
        match Params::parse(body.as_bytes()) {
            Err(_) => prop_assert!(repeated, "refused without a repeat: {body}"),
            Ok(params) => {
                prop_assert!(!repeated, "a repeat went through: {body}");
                for (k, v) in &sent {
                    let first = sent.iter().find(|(seen, _)| seen == k).map(|(_, v)| v.as_str());
                    prop_assert_eq!(params.get(k), first);
                    if repeatable(k) {
                        prop_assert!(params.all(k).contains(v));
                    }
                }
                // `+` is a space, as `%20` is.
                let spaced = Params::parse(b"scope=a+b%20c").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!(spaced.get("scope"), Some("a b c"));
            }
        }
    }

    /// Z07: a verifier of 43-128 unreserved characters verifies against its own S256 challenge
    /// and no other; anything else never verifies; a challenge is 43 base64url characters.
    #[test]
    fn pkce_verifies_only_its_own_verifier(
        verifier in "[A-Za-z0-9._~-]{43,128}",
        other in "[A-Za-z0-9._~-]{43,128}",
        junk in "\\PC{0,140}",
    ) {
        let challenge = CodeChallenge::of_verifier(&verifier);
        prop_assert!(CodeChallenge::parse(challenge.as_str()).is_some());
        prop_assert!(challenge.verify(&verifier));
        prop_assert_eq!(challenge.verify(&other), other == verifier);
        let well_formed = (43..=128).contains(&junk.len())
            && junk.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !well_formed {
            prop_assert!(!challenge.verify(&junk));
        }
        if let Some(c) = CodeChallenge::parse(&junk) {
            prop_assert_eq!(c.as_str().len(), 43);
        }
    }

    /// Z02: any string given as a proof is refused or verified, never a panic.
    #[test]
    fn any_proof_string_is_checked_without_panicking(token in "[A-Za-z0-9_.=-]{0,400}") {
        let _ = verify_proof(&token);
    }

    /// Z02: a proof changed in any one character no longer verifies.
    #[test]
    fn a_proof_changed_anywhere_is_refused(at in any::<prop::sample::Index>(), with in "[A-Za-z0-9_-]") {
        let (key, _) = SigningKey::generate(Alg::ES256).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let proof = sign_proof(&key, &claims("POST", URL, NOW)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let i = at.index(proof.len());
        let mut changed = proof.clone();
        changed.replace_range(i..=i, &with);
        prop_assume!(changed != proof);
        prop_assert!(verify_proof(&changed).is_err(), "changed at {i}: {changed}");
    }

    /// Z02: the claims check takes the proof made for this request and no other: another method,
    /// another endpoint (case and default port aside), or an `iat` out of the window.
    #[test]
    fn a_proofs_claims_bind_it_to_this_request(
        htm in prop_oneof![Just("POST"), Just("GET"), Just("post")],
        htu in prop_oneof![
            Just(URL.to_owned()),
            Just("HTTPS://AS.example:443/t/acme/token".to_owned()),
            Just("https://as.example/t/acme/token?x=1".to_owned()),
            Just("https://as.example/t/acme/token/".to_owned()),
            Just("https://as.example/t/other/token".to_owned()),
            Just("http://as.example/t/acme/token".to_owned()),
            "\\PC{0,30}",
        ],
        age in -120i64..400,
    ) {
        let verified = check_claims(&claims(htm, &htu, NOW - age), &Request { method: "POST", url: URL, now: NOW, access_token: None });
        let same_endpoint = matches!(htu.as_str(), URL | "HTTPS://AS.example:443/t/acme/token" | "https://as.example/t/acme/token?x=1");
        let fresh = (-60..=300).contains(&age);
        prop_assert_eq!(verified.is_ok(), htm == "POST" && same_endpoint && fresh, "{} {} {}", htm, htu, age);
    }
}
