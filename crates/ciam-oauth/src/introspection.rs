//! Token introspection (RFC 7662) and revocation (RFC 7009) of this server's access tokens.
//!
//! # Security
//! A client learns about a token only if the token was issued to it or names it as audience; a
//! registered resource that authenticates with its own credentials learns about exactly the
//! tokens whose `aud` is its identifier. For any other token, and for anything invalid, expired, revoked or from another tenant, the
//! answer is the bare `{"active": false}` (RFC 7662 §2.2), so introspection is no oracle.
//! Revocation by a client the token was not issued to has no effect (RFC 7009 §2.1), and is
//! still answered 200 (§2.2).

use ciam_core::id::ClientId;
use ciam_jose::Alg;
use serde_json::{Map, Value, json};

/// `typ` of access tokens (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Algorithms this server signs access tokens with.
pub const ACCESS_TOKEN_ALGS: [Alg; 3] = [Alg::ES256, Alg::RS256, Alg::EdDSA];

/// How far in the future the `nbf` and `iat` of this server's tokens may be, seconds: another
/// node that signed the token may run a little ahead. There is no such allowance after `exp`:
/// the server's own tokens expire at the second they say.
pub const SKEW_SECS: i64 = 60;

/// The members of an access token an introspection response repeats (RFC 7662 §2.2).
/// A delegated token's `act` chain and delegations are repeated too, so a resource server that
/// introspects sees what one that validates the JWT sees (RFC 8693 §4.1, §4.4), and so are the
/// approved `authorization_details` (RFC 9396 §9.2).
const REPEATED_CLAIMS: [&str; 18] = [
    "scope",
    "client_id",
    "sub",
    "aud",
    "iss",
    "exp",
    "iat",
    "nbf",
    "jti",
    "act",
    "may_act",
    "delegation_id",
    "delegation_chain",
    "delegation",
    "cnf",
    "auth_time",
    "acr",
    "authorization_details",
];

/// The answer for every token the caller may not learn about.
pub fn inactive() -> Value {
    json!({ "active": false })
}

/// Who asks at the introspection endpoint.
#[derive(Debug, Clone, Copy)]
pub enum Introspector<'a> {
    /// A client: it learns about the tokens issued to it or naming its client id as audience.
    Client(&'a ClientId),
    /// A registered resource, by its identifier: it learns about the tokens issued for it.
    Resource(&'a str),
}

fn has_audience(claims: &Map<String, Value>, audience: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    }
}

fn names_caller(claims: &Map<String, Value>, caller: Introspector<'_>) -> bool {
    match caller {
        Introspector::Client(id) => {
            claims.get("client_id").and_then(Value::as_str) == Some(id.as_str()) || has_audience(claims, id.as_str())
        }
        Introspector::Resource(identifier) => has_audience(claims, identifier),
    }
}

/// The introspection response for a verified, unrevoked access token.
pub fn describe(claims: &Map<String, Value>, caller: Introspector<'_>) -> Value {
    if !names_caller(claims, caller) {
        return inactive();
    }
    let mut out = Map::new();
    out.insert("active".into(), Value::Bool(true));
    let token_type = if crate::dpop::bound_jkt(claims).is_some() { "DPoP" } else { "Bearer" };
    out.insert("token_type".into(), Value::String(token_type.into()));
    for name in REPEATED_CLAIMS {
        if let Some(v) = claims.get(name) {
            out.insert(name.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// Whether `caller` may revoke this token: only the client it was issued to (RFC 7009 §2.1).
pub fn may_revoke(claims: &Map<String, Value>, caller: &ClientId) -> bool {
    claims.get("client_id").and_then(Value::as_str) == Some(caller.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(client: &str, aud: Value) -> Map<String, Value> {
        let v = json!({"iss": "i", "sub": "u", "client_id": client, "aud": aud, "exp": 2, "iat": 1, "jti": "j",
                       "scope": "a b", "secret_extension": "x"});
        v.as_object().unwrap().clone()
    }

    #[test]
    fn only_the_client_or_audience_learns_about_a_token_s27() {
        let svc = ClientId::parse("svc").unwrap();
        let me = Introspector::Client(&svc);
        let own = describe(&claims("svc", json!("https://id/t/acme")), me);
        assert_eq!(own["active"], true);
        assert_eq!(own["client_id"], "svc");
        assert_eq!(own["scope"], "a b");
        assert_eq!(own["token_type"], "Bearer");
        assert!(own.get("secret_extension").is_none(), "only registered claims are repeated");
        assert_eq!(describe(&claims("other", json!("x")), me), inactive());
        assert_eq!(describe(&claims("other", json!(["x", "svc"])), me)["active"], true, "audience may introspect");
        assert!(may_revoke(&claims("svc", json!("x")), &svc));
        assert!(!may_revoke(&claims("other", json!(["svc"])), &svc), "an audience may not revoke");
    }

    #[test]
    fn a_resource_learns_about_exactly_the_tokens_for_it() {
        let api = Introspector::Resource("https://trips.example/api");
        let for_api = describe(&claims("svc", json!("https://trips.example/api")), api);
        assert_eq!((for_api["active"].as_bool(), for_api["client_id"].as_str()), (Some(true), Some("svc")));
        assert_eq!(for_api["aud"], "https://trips.example/api");
        let among = describe(&claims("svc", json!(["https://other.example/", "https://trips.example/api"])), api);
        assert_eq!(among["active"], true, "one of its audiences");
        for aud in [json!("https://other.example/"), json!("https://trips.example/api/"), json!(["svc"]), json!(null)] {
            assert_eq!(describe(&claims("svc", aud.clone()), api), inactive(), "{aud}");
        }
        // A resource whose identifier equals a token's client_id learns nothing from that.
        let named_like_client = Introspector::Resource("svc");
        assert_eq!(describe(&claims("svc", json!("https://x.example/")), named_like_client), inactive());
    }
}
