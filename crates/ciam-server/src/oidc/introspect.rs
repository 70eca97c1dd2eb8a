//! `POST /t/{tenant}/introspect` (RFC 7662) and `POST /t/{tenant}/revoke` (RFC 7009) for this
//! server's JWT access tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciam_core::id::{TenantId, UserId};
use ciam_core::secret::SecretHash;
use ciam_core::user::{User, UserStatus};
use ciam_jose::jwt::{Expect, JwtError};
use ciam_oauth::OAuthError;
use ciam_oauth::introspection::{ACCESS_TOKEN_ALGS, ACCESS_TOKEN_TYP, SKEW_SECS, describe, inactive, may_revoke};
use serde_json::{Map, Value};

use super::client::BackChannel;
use super::exchange::Standing;
use crate::error::OAuthFailure;
use crate::state::AppState;

/// A valid access token of this tenant.
pub(crate) struct LiveToken {
    /// Its claims; a delegated token's gain `delegation`: the delegation it rests on, as stored now.
    pub(crate) claims: Map<String, Value>,
    /// Its user as stored now (active), for a token that stands for a user.
    pub(crate) user: Option<User>,
}

/// The valid access token `token` of this tenant, or `None` for anything else. A token signed
/// with a key this node has not loaded yet triggers one reload of the tenant's keys.
pub(crate) async fn verified_access_token(
    st: &AppState,
    tenant: &TenantId,
    token: &str,
) -> Result<Option<LiveToken>, OAuthError> {
    let Some(claims) = issued_claims(st, tenant, token).await? else { return Ok(None) };
    live(st, tenant, claims).await
}

/// The claims of an unexpired access token this tenant issued (signed by its keys, or an opaque
/// token it keeps), whether or not it was revoked since: who it stands for, for the audit trail
/// of a refusal. [`verified_access_token`] is the check that it may still be used.
pub(crate) async fn issued_claims(
    st: &AppState,
    tenant: &TenantId,
    token: &str,
) -> Result<Option<Map<String, Value>>, OAuthError> {
    let issuer = st.issuer(tenant);
    let now = st.clock.now();
    let expect = Expect {
        typ: ACCESS_TOKEN_TYP,
        algs: &ACCESS_TOKEN_ALGS,
        issuer: &issuer,
        audience: None,
        now,
        // This server set `exp` by its own clock: the token is dead from that second on, at
        // introspection, userinfo, the account API and token exchange alike (opaque tokens too,
        // below).
        exp_leeway: 0,
        skew: SKEW_SECS,
    };
    let claims = if token.split('.').count() == 3 {
        let keys = st.keys.keys(tenant, now).await.map_err(OAuthError::unavailable)?;
        let remembered = st.keys.signatures();
        let verified = match ciam_jose::verify_cached(token, keys.published(), &expect, remembered) {
            Err(JwtError::UnknownKey) => {
                let fresh = st.keys.reload(tenant, now).await.map_err(OAuthError::unavailable)?;
                ciam_jose::verify_cached(token, fresh.published(), &expect, remembered)
            }
            other => other,
        };
        let Ok(verified) = verified else { return Ok(None) };
        verified.claims
    } else {
        // An opaque token: its claims are in the ephemeral store until it expires.
        let ns = super::tenant_ns(st, tenant).await?;
        let raw = st.ephemeral.get(&super::token::opaque_key(&ns, token)).await.map_err(OAuthError::unavailable)?;
        let Some(claims) = raw.and_then(|r| serde_json::from_slice::<Map<String, Value>>(&r).ok()) else {
            return Ok(None);
        };
        if claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp <= now.unix_timestamp()) {
            return Ok(None);
        }
        claims
    };
    Ok(Some(claims))
}

/// `claims` if their token is still live: not revoked, nor its grant, its user active, every
/// delegation and agent it derives from too.
async fn live(st: &AppState, tenant: &TenantId, claims: Map<String, Value>) -> Result<Option<LiveToken>, OAuthError> {
    let now = st.clock.now();
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
    // Revocation is read from the durable store on every call, never from a node cache: the
    // token's own entry, and that of the grant it was issued from (a replayed refresh token, say).
    let grant = claims.get("grant_id").and_then(Value::as_str).map(super::token::grant_revocation);
    if jti.is_empty() || st.durable.is_token_revoked(tenant, jti, grant.as_deref()).await? {
        return Ok(None);
    }
    // A user's token dies with the user: deleted or disabled means inactive, at once.
    let mut user = None;
    if let Some(id) = claims.get("sub").and_then(Value::as_str).and_then(|s| UserId::parse(s).ok()) {
        match st.durable.get_user(tenant, &id).await? {
            Some(u) if u.status == UserStatus::Active => user = Some(u),
            _ => return Ok(None),
        }
    }
    // A delegated token dies with any delegation or agent it derives from.
    let mut claims = claims;
    match super::exchange::standing(st, tenant, &claims).await? {
        Standing::Ended => return Ok(None),
        Standing::Delegated(d) => {
            let view = crate::delegations::DelegationView::new(&d, now);
            claims.insert("delegation".into(), serde_json::to_value(view).map_err(OAuthError::server_error)?);
        }
        Standing::Undelegated => {}
    }
    Ok(Some(LiveToken { claims, user }))
}

fn no_store(body: Value) -> Response {
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
}

/// RFC 7662 §2.1: the caller authenticates; `token` is required; `token_type_hint` is advisory.
pub(super) async fn introspect(State(st): State<AppState>, request: BackChannel) -> Response {
    let answer = async {
        let token = request.params.require("token")?;
        Ok::<_, OAuthError>(match verified_access_token(&st, &request.tenant, token).await? {
            Some(live) => describe(&live.claims, &request.client.client_id),
            None => inactive(),
        })
    };
    match answer.await {
        Ok(v) => no_store(v),
        Err(e) => OAuthFailure(e).into_response(),
    }
}

/// RFC 7009 §2.1: the caller authenticates; a token it owns is revoked; the answer is 200
/// whether or not the token was valid or the caller's (§2.2).
pub(super) async fn revoke(State(st): State<AppState>, request: BackChannel) -> Response {
    let (tenant, caller) = (&request.tenant, &request.client);
    let done = async {
        let token = request.params.require("token")?;
        // A refresh token (RFC 7009 §2.1: MUST be supported) ends its whole grant.
        if let Some((_, family)) = st.durable.find_refresh_token(tenant, &SecretHash::of(token)).await? {
            if family.client_id == caller.client_id {
                // RFC 7009 §2.1: the access tokens of the same grant end with it.
                super::token::revoke_grant(&st, tenant, &family.family_id).await?;
            }
            return Ok(());
        }
        if let Some(LiveToken { claims, .. }) = verified_access_token(&st, tenant, token).await?
            && may_revoke(&claims, &caller.client_id)
            && let (Some(jti), Some(exp)) =
                (claims.get("jti").and_then(Value::as_str), claims.get("exp").and_then(Value::as_i64))
        {
            let expires = time::OffsetDateTime::from_unix_timestamp(exp).map_err(OAuthError::server_error)?;
            st.durable.revoke_token(tenant, jti, expires).await?;
        }
        Ok::<_, OAuthError>(())
    };
    match done.await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}
