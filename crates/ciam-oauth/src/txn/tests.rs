#![allow(clippy::indexing_slicing)]

use serde_json::json;
use time::macros::datetime;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);
const DOMAIN: &str = "urn:acme:trust-domain";

fn settings() -> TransactionTokenSettings {
    TransactionTokenSettings {
        trust_domain: DOMAIN.into(),
        workloads: vec!["gateway".into(), "orders".into()],
        lifetime_secs: 60,
    }
}

fn params(pairs: &[(&str, &str)]) -> Result<Params, OAuthError> {
    let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    Params::parse(body.as_bytes())
}

fn request(kind: &str, scope: &str, details: Option<Value>, context: Option<Value>) -> Result<TxnRequest, OAuthError> {
    let (d, c) = (details.map(|d| d.to_string()), context.map(|c| c.to_string()));
    let mut pairs = vec![
        ("subject_token", "t"),
        ("subject_token_type", kind),
        ("audience", DOMAIN),
        ("scope", scope),
        ("requested_token_type", TXN_TOKEN_TYPE),
    ];
    if let Some(d) = &d {
        pairs.push(("request_details", d));
    }
    if let Some(c) = &c {
        pairs.push(("request_context", c));
    }
    parse(&params(&pairs)?)
}

/// The claims of a JSON object.
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// A delegated agent token of Ada's, with an approved payment.
fn access_token() -> Map<String, Value> {
    object(json!({"sub": "ada", "scope": "orders:read orders:write", "act": {"sub": "travel-agent"},
           "authorization_details": [{"type": "payment_initiation", "amount": "420.00"}]}))
}

/// The error code of a refusal; `None` when it was not refused.
fn refused<T>(r: Result<T, OAuthError>) -> Option<ErrorCode> {
    r.err().map(|e| e.code)
}

fn plan_for(workload: &str, r: &TxnRequest, subject: &Map<String, Value>) -> Result<TxnClaims, OAuthError> {
    plan(&settings(), workload, r, subject, "https://id.example/t/acme", "txn-1".into(), NOW)
}

#[test]
fn an_access_token_becomes_a_short_lived_transaction_token() -> TestResult {
    let r = request(
        crate::exchange::ACCESS_TOKEN_TYPE,
        "orders:read",
        Some(json!({"action": "BUY", "quantity": "100"})),
        Some(json!({"req_ip": "198.51.100.7"})),
    )?;
    let t = plan_for("gateway", &r, &access_token())?;
    assert_eq!(
        (t.aud.as_str(), t.sub.as_str(), t.scope.as_str(), t.txn.as_str()),
        (DOMAIN, "ada", "orders:read", "txn-1")
    );
    assert_eq!(t.exp - t.iat, 60);
    assert_eq!(t.req_wl, json!("gateway"));
    assert_eq!(t.act, Some(json!({"sub": "travel-agent"})), "the agent stays on record");
    assert_eq!(t.rctx, Some(json!({"req_ip": "198.51.100.7"})));
    let tctx = t.tctx.ok_or("no tctx")?;
    assert_eq!((&tctx["action"], &tctx["authorization_details"][0]["amount"]), (&json!("BUY"), &json!("420.00")));
    let body = serde_json::to_value(plan_for("gateway", &r, &access_token())?)?;
    for claim in ["iat", "aud", "exp", "txn", "sub", "scope", "tctx", "rctx", "req_wl"] {
        assert!(body.get(claim).is_some(), "{claim} in {body}");
    }
    Ok(())
}

#[test]
fn requests_outside_the_settings_or_the_subjects_scope_are_refused() -> TestResult {
    let ok = request(crate::exchange::ACCESS_TOKEN_TYPE, "orders:read", None, None)?;
    let cases: Vec<(&str, TxnRequest, Map<String, Value>, ErrorCode)> = vec![
        ("stranger", ok.clone(), access_token(), ErrorCode::UnauthorizedClient),
        (
            "gateway",
            TxnRequest { audience: "urn:other".into(), ..ok.clone() },
            access_token(),
            ErrorCode::InvalidTarget,
        ),
        (
            "gateway",
            request(crate::exchange::ACCESS_TOKEN_TYPE, "orders:read orders:delete", None, None)?,
            access_token(),
            ErrorCode::InvalidScope,
        ),
        ("gateway", ok.clone(), object(json!({"sub": "ada"})), ErrorCode::InvalidScope),
    ];
    for (workload, r, subject, code) in cases {
        assert_eq!(refused(plan_for(workload, &r, &subject)), Some(code), "{workload}: {r:?}");
    }
    for bad in [
        vec![("subject_token_type", "urn:ietf:params:oauth:token-type:refresh_token")],
        vec![("request_details", "[1]")],
        vec![("request_context", &"x".repeat(MAX_CONTEXT_BYTES + 1))],
        vec![("actor_token", "a")],
    ] {
        let mut pairs = vec![
            ("subject_token", "t"),
            ("subject_token_type", crate::exchange::ACCESS_TOKEN_TYPE),
            ("audience", DOMAIN),
            ("scope", "orders:read"),
        ];
        for (k, v) in &bad {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k, v));
        }
        assert_eq!(refused(parse(&params(&pairs)?)), Some(ErrorCode::InvalidRequest), "{bad:?}");
    }
    Ok(())
}

#[test]
fn a_replacement_keeps_the_transaction_and_never_widens_it() -> TestResult {
    let first = plan_for(
        "gateway",
        &request(
            crate::exchange::ACCESS_TOKEN_TYPE,
            "orders:read orders:write",
            Some(json!({"action": "BUY"})),
            Some(json!({"req_ip": "198.51.100.7"})),
        )?,
        &access_token(),
    )?;
    let as_subject = object(serde_json::to_value(&first)?);
    let replaced = plan(
        &settings(),
        "orders",
        &request(TXN_TOKEN_TYPE, "orders:read", Some(json!({"order_id": "o-7"})), None)?,
        &as_subject,
        "https://id.example/t/acme",
        "a-new-id".into(),
        NOW,
    )?;
    assert_eq!((replaced.txn.as_str(), replaced.sub.as_str(), replaced.aud.as_str()), ("txn-1", "ada", DOMAIN));
    assert_eq!(replaced.scope, "orders:read");
    assert_eq!(replaced.req_wl, json!(["gateway", "orders"]), "the call chain grows");
    assert_eq!(replaced.rctx, first.rctx);
    let tctx = replaced.tctx.ok_or("no tctx")?;
    assert_eq!((&tctx["action"], &tctx["order_id"]), (&json!("BUY"), &json!("o-7")), "a value added");

    let refusals = [
        (request(TXN_TOKEN_TYPE, "orders:read", Some(json!({"action": "SELL"})), None)?, ErrorCode::InvalidRequest),
        (
            request(TXN_TOKEN_TYPE, "orders:read", None, Some(json!({"req_ip": "203.0.113.1"})))?,
            ErrorCode::InvalidRequest,
        ),
        (request(TXN_TOKEN_TYPE, "orders:read orders:delete", None, None)?, ErrorCode::InvalidScope),
    ];
    for (r, code) in refusals {
        assert_eq!(refused(plan_for("orders", &r, &as_subject)), Some(code), "{r:?}");
    }
    let mut elsewhere = as_subject.clone();
    elsewhere.insert("aud".into(), json!("urn:other"));
    let r = request(TXN_TOKEN_TYPE, "orders:read", None, None)?;
    assert_eq!(refused(plan_for("orders", &r, &elsewhere)), Some(ErrorCode::InvalidRequest));
    Ok(())
}
