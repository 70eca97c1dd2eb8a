//! Signed authorization responses (JWT Secured Authorization Response Mode for OAuth 2.0,
//! "JARM"): the response parameters (`code` and `state`, or `error`, `error_description` and
//! `state`) become the claims of one JWT the server signs, sent as the single `response`
//! parameter.

use ciam_core::client::{Client, SecurityProfile};
use ciam_jose::Alg;
use serde_json::{Map, Value};

/// How long a signed response is valid, in seconds. JARM §2.1 asks for a short `exp` ("e.g.
/// 10 minutes"); the code inside lives shorter still, so five minutes leaves room for a slow
/// browser without keeping the response usable for long.
pub const RESPONSE_LIFETIME_SECS: i64 = 300;

/// The `typ` header of a signed response.
pub const RESPONSE_TYP: &str = "JWT";

/// The algorithms responses are signed with (`authorization_signing_alg_values_supported`).
pub const SIGNING_ALGS: [Alg; 2] = [Alg::RS256, Alg::ES256];

/// The algorithm of a client's signed responses: its `authorization_signed_response_alg`, else
/// ES256 under the `fapi2` profile (FAPI 2.0 §5.4.1 allows no RSASSA-PKCS1-v1_5) and RS256
/// otherwise (JARM §3).
pub fn signing_alg(client: &Client, profile: SecurityProfile) -> Alg {
    match client.authorization_signed_response_alg.as_deref().and_then(Alg::parse) {
        Some(alg) if SIGNING_ALGS.contains(&alg) => alg,
        _ if profile == SecurityProfile::Fapi2 => Alg::ES256,
        _ => Alg::RS256,
    }
}

/// The claims of a signed response (JARM §2.1): `iss`, `aud` (the client), `iat`, `exp`, and
/// the response parameters. An `iss` among the parameters (RFC 9207) is the same issuer.
pub fn response_claims(issuer: &str, client_id: &str, now: i64, fields: &[(&str, String)]) -> Map<String, Value> {
    let mut claims = Map::new();
    for (name, value) in fields {
        claims.insert((*name).to_owned(), Value::String(value.clone()));
    }
    claims.insert("iss".into(), Value::String(issuer.to_owned()));
    claims.insert("aud".into(), Value::String(client_id.to_owned()));
    claims.insert("iat".into(), Value::from(now));
    claims.insert("exp".into(), Value::from(now + RESPONSE_LIFETIME_SECS));
    claims
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn client(alg: Option<&str>) -> Client {
        Client {
            authorization_signed_response_alg: alg.map(str::to_owned),
            ..ciam_store::contract::client("acme", "app")
        }
    }

    #[test]
    fn the_algorithm_is_the_clients_or_the_profiles_default() {
        assert_eq!(signing_alg(&client(None), SecurityProfile::Standard), Alg::RS256);
        assert_eq!(signing_alg(&client(None), SecurityProfile::Fapi2), Alg::ES256);
        assert_eq!(signing_alg(&client(Some("ES256")), SecurityProfile::Standard), Alg::ES256);
        assert_eq!(signing_alg(&client(Some("RS256")), SecurityProfile::Standard), Alg::RS256);
        assert_eq!(signing_alg(&client(Some("EdDSA")), SecurityProfile::Standard), Alg::RS256, "not offered");
    }

    #[test]
    fn claims_carry_the_response_for_the_client_jarm_2_1() {
        let fields = [("code", "c1".to_owned()), ("state", "s1".to_owned()), ("iss", "https://id/t/a".to_owned())];
        let claims = response_claims("https://id/t/a", "app", 1000, &fields);
        assert_eq!(
            Value::Object(claims),
            json!({"iss": "https://id/t/a", "aud": "app", "iat": 1000, "exp": 1300, "code": "c1", "state": "s1"})
        );
    }
}
