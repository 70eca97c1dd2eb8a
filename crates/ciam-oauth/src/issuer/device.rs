//! The device authorization grant's state (RFC 8628): starting a request (§3.1), the user's
//! entry and decision on the verification page (§3.3), and the client's polls (§3.4), which
//! issue tokens as a redeemed authorization code does.
//!
//! State lives in the ephemeral store, so any node answers any step: the request under the
//! device code's hash, the user code's hash pointing to it, and next to the request the user's
//! decision, the polling state and the single-use marker. Codes are never logged.
//!
//! # Security
//! - A user's wrong entries are counted: after [`MAX_WRONG_CODES`] within [`WRONG_CODE_WINDOW`]
//!   the page refuses further entries for the rest of the window.
//! - Each user code is decided once (the decision takes it atomically); each approval is
//!   redeemed once (the first poll to set the used marker wins).

use std::time::Duration;

use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::keyspace::{self, Counter, Json, Replay};
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::StoreResult;
use ciam_core::tenant::TenantNs;
use ciam_core::user::UserStatus;
use serde::Serialize;

use super::code::UserTokens;
use super::{Issuer, TokenCall};
use crate::code::CodeGrant;
use crate::device::{DEVICE_CODE_LIFETIME, DeviceDecision, DeviceRequest, POLL_INTERVAL, Polling, UserCode};
use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;

/// How long a request is kept after it expired, so late polls get `expired_token` rather than
/// `invalid_grant`.
const KEEP_AFTER_EXPIRY: i64 = 600;

/// Wrong user codes a user may enter per window before the page stops accepting codes.
pub const MAX_WRONG_CODES: u64 = 5;

/// The window of [`MAX_WRONG_CODES`].
pub const WRONG_CODE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Device authorizations one client may start per minute: what a leaked client id can make the
/// store hold stays bounded.
const STARTS_PER_MINUTE: u64 = 30;

/// How long what is kept beside a request must live: until the request itself goes.
fn remaining(request: &DeviceRequest, now: i64) -> Duration {
    Duration::from_secs(u64::try_from(request.expires_at + KEEP_AFTER_EXPIRY - now).unwrap_or(0).max(1))
}

/// The device authorization response (RFC 8628 §3.2).
#[derive(Serialize)]
pub struct DeviceStart {
    /// The device code the client polls with.
    pub device_code: String,
    /// The code the user types, `XXXX-XXXX`.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
    /// The same, with the code filled in.
    pub verification_uri_complete: String,
    /// Seconds until the request expires.
    pub expires_in: i64,
    /// Seconds between polls.
    pub interval: i64,
}

impl std::fmt::Debug for DeviceStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceStart([redacted])")
    }
}

/// What is kept beside a device request ([`Issuer::beside`]).
struct Beside {
    /// Redeemed already.
    used: bool,
    /// The user's answer, if any.
    decision: Option<DeviceDecision>,
    /// How it has been polled so far.
    polling: Polling,
}

/// A live, undecided device request named by a user code.
pub struct PendingDevice {
    /// The user code typed.
    pub code: UserCode,
    /// The device code's hash, naming the request.
    pub hash: String,
    /// The request.
    pub request: DeviceRequest,
    /// Its client, as stored now (enabled).
    pub client: Client,
}

impl Issuer {
    /// Starts a device authorization for `client` (RFC 8628 §3.1): validates the request, keeps
    /// it under its device code's hash and gives it a user code that no live request holds.
    pub async fn start_device(
        &self,
        tenant: &TenantId,
        ns: &TenantNs,
        client: &Client,
        params: &Params,
    ) -> Result<DeviceStart, OAuthError> {
        let now = self.ports.clock.now().unix_timestamp();
        let ephemeral = self.ports.ephemeral.as_ref();
        let starts = keyspace::device_starts(ns, client.client_id.as_str());
        let started = Counter::new(ephemeral).hit(&starts, keyspace::DEVICE_STARTS_WINDOW).await;
        if started.map_err(OAuthError::unavailable)? > STARTS_PER_MINUTE {
            return Err(OAuthError::new(ErrorCode::SlowDown, "too many device authorizations; wait a minute"));
        }
        let device = crate::device::validate_request(client, params, now)?;
        // As at the authorization endpoint: an app names only registered resources.
        if client.agent.is_none() {
            for resource in &device.resources {
                if self.known_resource(tenant, resource).await?.is_none() {
                    return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known here"));
                }
            }
        }
        let device_code = random_token(32);
        let hash = SecretHash::of(&device_code);
        Json::new(ephemeral)
            .put(&keyspace::device_request_of_hash(ns, hash.as_str()), &device, remaining(&device, now))
            .await
            .map_err(OAuthError::unavailable)?;
        // User codes are short: a new one must not collide with a live one.
        let lifetime = DEVICE_CODE_LIFETIME.unsigned_abs();
        let mut user_code = None;
        for _ in 0..5 {
            let candidate = UserCode::generate();
            let key = candidate.key(ns);
            let free = ephemeral.put_if_absent(key.as_str(), hash.as_str().as_bytes(), lifetime);
            if free.await.map_err(OAuthError::unavailable)? {
                user_code = Some(candidate);
                break;
            }
        }
        let user_code = user_code.ok_or_else(|| OAuthError::server_error("no free user code after 5 tries"))?.display();
        let verification_uri = format!("{}/device", self.issuer_url(tenant));
        let mut complete = url::Url::parse(&verification_uri).map_err(OAuthError::server_error)?;
        complete.query_pairs_mut().append_pair("user_code", &user_code);
        tracing::info!(tenant = %tenant, client = %client.client_id, "device authorization started");
        Ok(DeviceStart {
            device_code,
            user_code,
            verification_uri,
            verification_uri_complete: complete.into(),
            expires_in: DEVICE_CODE_LIFETIME.whole_seconds(),
            interval: POLL_INTERVAL,
        })
    }

    /// One poll of the token endpoint with the device code grant (RFC 8628 §3.4): the rules are
    /// [`crate::device::poll`]; an approval is redeemed once, and issues tokens as a redeemed
    /// authorization code does.
    pub(super) async fn redeem_device(
        &self,
        call: &TokenCall<'_>,
        device_code: &str,
        jkt: Option<&str>,
    ) -> Result<UserTokens, OAuthError> {
        let ns = call.ns;
        let hash = SecretHash::of(device_code);
        let hash = hash.as_str();
        let ephemeral = self.ports.ephemeral.as_ref();
        let read =
            |key: keyspace::Key| async move { ephemeral.get(key.as_str()).await.map_err(OAuthError::unavailable) };
        let Some(raw) = read(keyspace::device_request_of_hash(ns, hash)).await? else {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the device_code is invalid or expired"));
        };
        let request: DeviceRequest = serde_json::from_slice(&raw).map_err(OAuthError::server_error)?;
        let Beside { used, decision, polling: before } = self.beside(ns, hash).await?;
        let mut polling = before.clone();
        let now = self.ports.clock.now().unix_timestamp();
        let outcome = crate::device::poll(&request, &call.client.client_id, used, decision.as_ref(), &mut polling, now);
        if polling != before {
            Json::new(ephemeral)
                .put(&keyspace::device_beside(ns, hash, "poll"), &polling, remaining(&request, now))
                .await
                .map_err(OAuthError::unavailable)?;
        }
        let grant = outcome?;
        // Single use: of concurrent polls of an approved request exactly one gets the tokens.
        let used = keyspace::device_beside(ns, hash, "used");
        let first = Replay::new(ephemeral).first_use(&used, remaining(&request, now)).await;
        if !first.map_err(OAuthError::unavailable)? {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the device_code was already used"));
        }
        self.issue_for_user(call, &grant, None, grant.authorization_details.clone(), jkt).await
    }

    /// What is kept beside the device request `hash`: whether it was redeemed, the user's
    /// decision, and how it has been polled so far.
    async fn beside(&self, ns: &TenantNs, hash: &str) -> Result<Beside, OAuthError> {
        let ephemeral = self.ports.ephemeral.as_ref();
        let read = |what: &str| {
            let key = keyspace::device_beside(ns, hash, what);
            async move { ephemeral.get(key.as_str()).await.map_err(OAuthError::unavailable) }
        };
        let decision = match read("decision").await? {
            Some(raw) => Some(serde_json::from_slice::<DeviceDecision>(&raw).map_err(OAuthError::server_error)?),
            None => None,
        };
        // Used only after an approval: a pending poll reads no marker.
        let used = match decision {
            Some(DeviceDecision::Approved(_)) => read("used").await?.is_some(),
            _ => false,
        };
        let polling = read("poll").await?.and_then(|raw| serde_json::from_slice(&raw).ok()).unwrap_or_default();
        Ok(Beside { used, decision, polling })
    }

    /// Whether the user exists and is active (the device page's signed-in user, say).
    pub async fn user_is_active(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
        Ok(self.ports.users.get_user(tenant, user).await?.is_some_and(|u| u.status == UserStatus::Active))
    }

    /// The live, undecided request the user code `typed` names; `None` for a code that is
    /// malformed, unknown, expired or already decided, or whose client is gone or suspended.
    pub async fn pending_device(
        &self,
        tenant: &TenantId,
        ns: &TenantNs,
        typed: &str,
    ) -> StoreResult<Option<PendingDevice>> {
        let Some(code) = UserCode::parse(typed) else { return Ok(None) };
        let ephemeral = self.ports.ephemeral.as_ref();
        let Some(hash) = ephemeral.get(code.key(ns).as_str()).await? else { return Ok(None) };
        let Ok(hash) = String::from_utf8(hash) else { return Ok(None) };
        let Some(request) =
            Json::<DeviceRequest>::new(ephemeral).get(&keyspace::device_request_of_hash(ns, &hash)).await?
        else {
            return Ok(None);
        };
        if self.ports.clock.now().unix_timestamp() >= request.expires_at
            || ephemeral.get(keyspace::device_beside(ns, &hash, "decision").as_str()).await?.is_some()
        {
            return Ok(None);
        }
        let Ok(client_id) = ClientId::parse(&request.client_id) else { return Ok(None) };
        let client = self.ports.clients.get_client(tenant, &client_id).await?.filter(Client::is_enabled);
        Ok(client.map(|client| PendingDevice { code, hash, request, client }))
    }

    /// Whether `user` is held off typing user codes after too many wrong ones.
    pub async fn device_entry_locked(&self, ns: &TenantNs, user: &UserId) -> StoreResult<bool> {
        let key = keyspace::device_locked(ns, &user.to_string());
        Ok(self.ports.ephemeral.get(key.as_str()).await?.is_some())
    }

    /// Counts a wrong code; `true` when the user has now used up the window's allowance.
    pub async fn count_wrong_device_code(&self, ns: &TenantNs, user: &UserId) -> StoreResult<bool> {
        let user_id = user.to_string();
        let ephemeral = self.ports.ephemeral.as_ref();
        let wrong = Counter::new(ephemeral).hit(&keyspace::device_wrong_codes(ns, &user_id), WRONG_CODE_WINDOW).await?;
        if wrong >= MAX_WRONG_CODES {
            ephemeral.put(keyspace::device_locked(ns, &user_id).as_str(), b"1", WRONG_CODE_WINDOW).await?;
            tracing::warn!(tenant = %ns, user = %user, "device code entry locked after repeated wrong codes");
            return Ok(true);
        }
        Ok(false)
    }

    /// Takes the user code of `pending`: whoever takes it decides (one answer per code).
    pub async fn take_user_code(&self, ns: &TenantNs, pending: &PendingDevice) -> StoreResult<bool> {
        Ok(self.ports.ephemeral.take(pending.code.key(ns).as_str()).await?.is_some())
    }

    /// Records the user's decision on `pending`, which the client's next poll finds.
    pub async fn decide_device(
        &self,
        ns: &TenantNs,
        pending: &PendingDevice,
        approved: Option<CodeGrant>,
    ) -> StoreResult<()> {
        let now = self.ports.clock.now().unix_timestamp();
        let decision = match approved {
            Some(grant) => DeviceDecision::Approved(Box::new(grant)),
            None => DeviceDecision::Denied,
        };
        let key = keyspace::device_beside(ns, &pending.hash, "decision");
        Json::new(self.ports.ephemeral.as_ref()).put(&key, &decision, remaining(&pending.request, now)).await
    }
}
