//! Client credentials that more than one door hands out: initial access tokens for dynamic
//! registration (issued by the management API, used at `/t/{tenant}/register`) and the secret a
//! client gets when an update switches it to secret-based authentication (management API and
//! RFC 7592 alike). Each door maps the store's errors to its own dialect.

use std::time::Duration;

use ciam_core::client::Client;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::store::StoreResult;
use ciam_core::tenant::TenantNs;
use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// An initial access token as the ephemeral store keeps it (under the token's hash).
#[derive(Serialize, Deserialize)]
struct InitialAccessToken {
    /// How many clients it may register.
    max_registrations: u32,
}

/// Where an initial access token lives.
fn initial_token_key(tenant: &TenantNs, token: &str) -> String {
    format!("iat:{tenant}:{}", SecretHash::of(token).as_str())
}

/// A new initial access token for the tenant, valid `expires_in` for `max_registrations`
/// registrations; only its hash is kept.
pub(crate) async fn issue_initial_token(
    st: &AppState,
    tenant: &TenantNs,
    max_registrations: u32,
    expires_in: Duration,
) -> anyhow::Result<Secret> {
    let token = Secret::generate();
    let stored = serde_json::to_vec(&InitialAccessToken { max_registrations })?;
    st.ephemeral.put(&initial_token_key(tenant, token.expose_secret()), &stored, expires_in).await?;
    Ok(token)
}

/// Counts one use of an initial access token; `false` when it is unknown, expired or used up.
pub(crate) async fn use_initial_token(st: &AppState, tenant: &TenantNs, token: &str) -> StoreResult<bool> {
    let key = initial_token_key(tenant, token);
    let Some(raw) = st.ephemeral.get(&key).await? else { return Ok(false) };
    let Ok(iat) = serde_json::from_slice::<InitialAccessToken>(&raw) else { return Ok(false) };
    // The counter lives at most as long as any token may (30 days).
    let uses = st.ephemeral.incr(&format!("{key}:uses"), Duration::from_secs(30 * 86_400)).await?;
    Ok(uses <= u64::from(iat.max_registrations))
}

/// After an update: a client that now authenticates with a secret but has none gets one (shown
/// once in the response).
pub(crate) async fn secret_if_switched(st: &AppState, client: &Client) -> StoreResult<Option<Secret>> {
    let needs_secret = client.token_endpoint_auth_method.uses_secret()
        && st.durable.client_secret_hash(&client.tenant_id, &client.client_id).await?.is_none();
    let secret = needs_secret.then(Secret::generate);
    if let Some(s) = &secret {
        st.durable.set_client_secret(&client.tenant_id, &client.client_id, &s.hash(), client.updated_at).await?;
        st.directory.forget(&client.tenant_id);
    }
    Ok(secret)
}
