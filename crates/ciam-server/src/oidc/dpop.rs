//! DPoP (RFC 9449) at this server's endpoints: proofs at the token endpoint bind the tokens it
//! issues to the proof key; protected endpoints (userinfo, the account API) accept a bound
//! token only with a fresh proof from that key, and an unbound one only as a bearer token.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ciam_core::id::TenantId;
use ciam_core::keyspace::{self, Replay, Use};
use ciam_core::secret::random_token;
use ciam_core::tenant::Tenant;
use ciam_oauth::dpop::{MAX_PROOF_AGE_SECS, PROOF_SKEW_SECS, Request, bound_certificate, bound_jkt, check_claims};
use ciam_oauth::{ErrorCode, OAuthError};
use serde_json::Value;

use super::introspect::{LiveToken, verified_access_token};
use crate::error::ResourceError;
use crate::http::dpop_proof;
use crate::state::AppState;

fn invalid(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidDpopProof, description)
}

/// Verifies a proof for `method url` (and, at a protected endpoint, for `access_token`),
/// records its `jti` so it is refused if replayed on any node, and returns its key thumbprint.
pub(super) async fn proof_key(
    st: &AppState,
    tenant: &TenantId,
    nonce_required: bool,
    proof: &str,
    method: &str,
    url: &str,
    access_token: Option<&str>,
) -> Result<String, OAuthError> {
    let verified =
        ciam_jose::dpop::verify_proof(proof).map_err(|_| invalid("the DPoP proof is not a valid signed dpop+jwt"))?;
    let now = st.clock.now().unix_timestamp();
    let jti = check_claims(&verified.claims, &Request { method, url, now, access_token })?;
    // A current nonce lives in the same store as the records of used proofs: a proof that
    // carries one was made after the store last lost them.
    let mut nonced = false;
    match verified.claims.get("nonce").and_then(Value::as_str) {
        Some(n) if is_current_nonce(st, tenant, n).await? => nonced = true,
        Some(_) => {
            return Err(OAuthError::new(ErrorCode::UseDpopNonce, "the DPoP nonce is stale: use the one in DPoP-Nonce"));
        }
        None if nonce_required => {
            return Err(OAuthError::new(
                ErrorCode::UseDpopNonce,
                "this server requires a DPoP nonce: use the one in DPoP-Nonce",
            ));
        }
        None => {}
    }
    // Keyed by the tenant id rather than its incarnation (as the nonces): a proof names the
    // endpoint URL, which a tenant created again under the same id shares, so a replay stays
    // refused across both. These entries only ever refuse.
    let key = keyspace::dpop_proof(tenant, &verified.jkt, &jti);
    let window = std::time::Duration::from_secs(u64::try_from(MAX_PROOF_AGE_SECS + PROOF_SKEW_SECS).unwrap_or(360));
    // Checked by `check_claims`: a proof has an `iat`.
    let issued_at = verified.claims.get("iat").and_then(Value::as_i64).unwrap_or(i64::MIN);
    let replay = Replay::new(st.ephemeral.as_ref());
    match replay.first_use_since(&key, window, issued_at).await.map_err(OAuthError::unavailable)? {
        Use::First => Ok(verified.jkt),
        Use::Replayed => Err(invalid("the DPoP proof was used before")),
        Use::BeforeRecords if nonced => Ok(verified.jkt),
        // A client following RFC 9449 §8 tries again at once with the nonce this answer carries.
        Use::BeforeRecords => Err(OAuthError::new(
            ErrorCode::UseDpopNonce,
            "the DPoP proof was made before this server's replay records begin (they were lost): make a new \
             proof with the nonce in DPoP-Nonce",
        )),
    }
}

/// FAPI 2.0 §5.4.1: a `fapi2` client's DPoP proofs are signed with PS256, ES256 or EdDSA.
pub(super) fn fapi_algorithm(proof: &str) -> Result<(), OAuthError> {
    use base64::Engine as _;
    let header = proof.split('.').next().and_then(|h| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).ok());
    let alg = header
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .and_then(|h| h.get("alg").and_then(serde_json::Value::as_str).map(str::to_owned));
    match alg.as_deref() {
        Some("PS256" | "ES256" | "EdDSA") => Ok(()),
        _ => Err(OAuthError::new(
            ErrorCode::InvalidDpopProof,
            "the fapi2 profile accepts DPoP proofs signed with PS256, ES256 or EdDSA only",
        )),
    }
}

/// How long one server nonce is handed out; a nonce is accepted during its window and the next.
const NONCE_WINDOW_SECS: i64 = 300;

/// The tenant's nonce for a time window: random, created by whichever node asks first and shared
/// through the ephemeral store, so every node hands out and accepts the same one.
async fn nonce_of_window(
    st: &AppState,
    tenant: &TenantId,
    window: i64,
    create: bool,
) -> Result<Option<String>, OAuthError> {
    let key = keyspace::dpop_nonce(tenant, window);
    let key = key.as_str();
    let read = |raw: Option<Vec<u8>>| raw.and_then(|b| String::from_utf8(b).ok());
    if let Some(n) = read(st.ephemeral.get(key).await.map_err(OAuthError::unavailable)?) {
        return Ok(Some(n));
    }
    if !create {
        return Ok(None);
    }
    let fresh = random_token(16);
    let ttl = std::time::Duration::from_secs(u64::try_from(3 * NONCE_WINDOW_SECS).unwrap_or(900));
    if st.ephemeral.put_if_absent(key, fresh.as_bytes(), ttl).await.map_err(OAuthError::unavailable)? {
        return Ok(Some(fresh));
    }
    Ok(read(st.ephemeral.get(key).await.map_err(OAuthError::unavailable)?))
}

/// The nonce to send in `DPoP-Nonce` now (RFC 9449 §8).
pub(super) async fn current_nonce(st: &AppState, tenant: &TenantId) -> Result<String, OAuthError> {
    let window = st.clock.now().unix_timestamp().div_euclid(NONCE_WINDOW_SECS);
    nonce_of_window(st, tenant, window, true).await?.ok_or_else(|| OAuthError::unavailable("no DPoP nonce"))
}

async fn is_current_nonce(st: &AppState, tenant: &TenantId, nonce: &str) -> Result<bool, OAuthError> {
    let window = st.clock.now().unix_timestamp().div_euclid(NONCE_WINDOW_SECS);
    for w in [window, window - 1] {
        if nonce_of_window(st, tenant, w, false).await?.as_deref() == Some(nonce) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Adds `DPoP-Nonce` to a response (best effort: without it the client simply keeps its nonce).
pub(super) async fn with_nonce(st: &AppState, tenant: &TenantId, mut res: Response) -> Response {
    if let Ok(nonce) = current_nonce(st, tenant).await
        && let Ok(v) = HeaderValue::from_str(&nonce)
    {
        res.headers_mut().insert("dpop-nonce", v);
    }
    res
}

/// The claims of the access token a request to a protected endpoint carries (RFC 6750 §2.1,
/// RFC 9449 §7, RFC 8705 §3): `Authorization: Bearer` for unbound tokens; `Authorization: DPoP`
/// with a proof from the bound key (with `ath`) for DPoP-bound ones; `Bearer` over a connection
/// presenting the bound client certificate (its thumbprint `certificate`) for
/// certificate-bound ones. A bound token without its key or certificate is refused, so a stolen
/// one is useless.
pub(super) async fn protected_request(
    st: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    certificate: Option<&str>,
    method: &str,
    url: &str,
) -> Result<LiveToken, OAuthError> {
    let invalid_token = || OAuthError::new(ErrorCode::InvalidToken, "the access token is invalid, expired or revoked");
    let (scheme, token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(s, t)| (s.to_ascii_lowercase(), t.trim().to_owned()))
        .filter(|(s, _)| s == "bearer" || s == "dpop")
        .ok_or_else(invalid_token)?;
    let live = verified_access_token(st, &tenant.id, &token).await?.ok_or_else(invalid_token)?;
    match (scheme.as_str(), bound_jkt(&live.claims)) {
        ("dpop", Some(jkt)) => {
            let proof = dpop_proof(headers)?.ok_or_else(|| invalid("a DPoP-bound token needs a DPoP proof"))?;
            let nonce_required = tenant.settings.dpop_nonce_required;
            if proof_key(st, &tenant.id, nonce_required, &proof, method, url, Some(&token)).await? != jkt {
                return Err(invalid("the DPoP proof is not signed by the key the token is bound to"));
            }
            Ok(live)
        }
        ("bearer", None) => match bound_certificate(&live.claims) {
            None => Ok(live),
            Some(x5t) if certificate == Some(x5t) => Ok(live),
            Some(_) => Err(invalid_token()),
        },
        // A bound token without its proof, or a bearer token sent as DPoP (RFC 9449 §7.2).
        _ => Err(invalid_token()),
    }
}

/// [`refused`], with a fresh `DPoP-Nonce` when the client must use one (RFC 9449 §9).
pub(super) async fn refused_at(st: &AppState, tenant: &TenantId, e: OAuthError) -> Response {
    let refusal = ResourceError::new(e);
    if refusal.needs_nonce()
        && let Ok(nonce) = current_nonce(st, tenant).await
    {
        return refusal.with_nonce(nonce).into_response();
    }
    refusal.into_response()
}

/// The answer of a protected endpoint to a refused token (see [`ResourceError`]).
pub(super) fn refused(e: OAuthError) -> Response {
    ResourceError::new(e).into_response()
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn proof_with_alg(alg: &str) -> String {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#));
        format!("{header}.e30.sig")
    }

    #[test]
    fn fapi_proofs_use_ps256_es256_or_eddsa_fapi2_5_4_1() {
        for ok in ["PS256", "ES256", "EdDSA"] {
            assert!(fapi_algorithm(&proof_with_alg(ok)).is_ok(), "{ok}");
        }
        for refused in ["RS256", "ES384", "none"] {
            assert_eq!(fapi_algorithm(&proof_with_alg(refused)).unwrap_err().code, ErrorCode::InvalidDpopProof);
        }
        assert!(fapi_algorithm("not a jwt").is_err());
    }
}
