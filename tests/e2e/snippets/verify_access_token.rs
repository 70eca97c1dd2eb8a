use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// The claims of `token` when it is an access token of `issuer` for `audience`, signed with a key
/// of `jwks` (the tenant's `{issuer}/jwks`, cached; fetch it again when a `kid` is unknown).
pub fn verify_access_token(token: &str, jwks: &JwkSet, issuer: &str, audience: &str) -> Option<Value> {
    let header = decode_header(token).ok()?;
    // RFC 9068 §4: an access token, not an ID token or any other JWT of the issuer; and only
    // the algorithms the server signs with.
    let algorithms = [Algorithm::ES256, Algorithm::RS256, Algorithm::EdDSA];
    if header.typ.as_deref() != Some("at+jwt") || !algorithms.contains(&header.alg) {
        return None;
    }
    let key = DecodingKey::from_jwk(jwks.find(header.kid.as_deref()?)?).ok()?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let claims = decode::<Value>(token, &key, &validation).ok()?.claims;
    // A DPoP-bound token (`cnf.jkt`) is accepted only with `Authorization: DPoP` and a proof
    // verified as RFC 9449 §7 says; never as a bearer token.
    Some(claims)
}
