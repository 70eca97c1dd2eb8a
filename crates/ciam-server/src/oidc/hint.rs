//! ID tokens presented back to the server as hints (`id_token_hint` at the authorization and
//! logout endpoints, OIDC Core §3.1.2.1).

use ciam_core::id::TenantId;
use ciam_jose::Alg;
use ciam_jose::jwt::Expect;
use ciam_oauth::introspection::SKEW_SECS;
use serde_json::{Map, Value};

use super::web_flow::Ctx;
use crate::error::Failure;
use crate::state::AppState;

/// Hints are accepted long after the ID token expired (OIDC Core §3.1.2.1; RP-Initiated Logout
/// §2): the signature and issuer are what matter.
const HINT_LEEWAY_SECS: i64 = 366 * 24 * 3600;

/// The claims of an ID token this tenant issued, or `None` for anything else (another tenant's
/// token, an access token, a forged or malformed one).
pub(super) async fn verify_id_token_hint(ctx: &Ctx, hint: &str) -> Result<Option<Map<String, Value>>, Failure> {
    id_token_claims(&ctx.st, &ctx.tenant.id, hint).await
}

/// The same, for a tenant: what the backchannel authentication endpoint's `id_token_hint` names.
pub(super) async fn id_token_claims(
    st: &AppState,
    tenant: &TenantId,
    hint: &str,
) -> Result<Option<Map<String, Value>>, Failure> {
    let issuer = st.issuer(tenant);
    let now = st.clock.now();
    let keys = st.keys.keys(tenant, now).await?;
    let expect = Expect {
        typ: "JWT",
        algs: &[Alg::RS256, Alg::ES256],
        issuer: &issuer,
        audience: None,
        now,
        exp_leeway: HINT_LEEWAY_SECS,
        skew: SKEW_SECS,
    };
    Ok(ciam_jose::verify(hint, keys.published(), &expect).ok().map(|v| v.claims))
}
