//! Backchannel authentication's state (OpenID CIBA Core 1.0): starting a request (§7), the
//! user's answer in the account centre, and the client's token requests (§10.1), which issue
//! tokens as a redeemed authorization code does.
//!
//! State lives in the ephemeral store, so any node answers any step: the request under the
//! `auth_req_id`'s hash, beside it the user's decision, the polling state and the single-use
//! marker, and per user the set of their requests still waiting (what the account centre
//! lists). Request ids are never logged.
//!
//! # Security
//! - A hint that names no active user, or one the client may not reach, is the same
//!   `unknown_user_id`: an agent reaches only users with an active delegation to it.
//! - An agent's request rests on its delegation: revoked or expired before the tokens are
//!   issued, the request ends in `access_denied`, whatever the user answered.
//! - Each request is answered once (the first decision stored wins) and redeemed once.

use std::time::Duration;

use ciam_core::client::Client;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::keyspace::{self, Counter, Json, Replay};
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::StoreResult;
use ciam_core::tenant::TenantNs;

use super::code::UserTokens;
use super::{Issuer, TokenCall};
use crate::ciba::{CibaRequest, CibaStart, POLL_INTERVAL};
use crate::code::CodeGrant;
use crate::device::DeviceDecision;
use crate::error::{ErrorCode, OAuthError};

/// How long a request is kept after it expired, so late polls get `expired_token`.
const KEEP_AFTER_EXPIRY: i64 = 600;

/// Backchannel requests one client may start per minute: what a leaked credential can make the
/// store hold, and how many approval requests it can put in front of users, stays bounded.
const STARTS_PER_MINUTE: u64 = 30;

fn remaining(request: &CibaRequest, now: i64) -> Duration {
    Duration::from_secs(u64::try_from(request.expires_at + KEEP_AFTER_EXPIRY - now).unwrap_or(0).max(1))
}

fn unknown_user() -> OAuthError {
    OAuthError::new(ErrorCode::UnknownUserId, "the hint names no user this client may ask")
}

/// A request waiting for its user's answer.
pub struct PendingCiba {
    /// The hash of its `auth_req_id`, naming it (what the approval form posts).
    pub hash: String,
    /// The request.
    pub request: CibaRequest,
    /// Its client, as stored now (enabled).
    pub client: Client,
}

impl Issuer {
    /// Starts a backchannel authentication by `client` for `user` (the hint's user, `None` when
    /// it names none): checks that the client may reach the user (an agent through an active
    /// delegation covering the request) and the request's authorization details against the
    /// tenant's types, then keeps the request for the user to answer.
    pub async fn start_ciba(
        &self,
        ns: &TenantNs,
        client: &Client,
        mut request: CibaRequest,
        user: Option<UserId>,
    ) -> Result<(CibaStart, CibaRequest), OAuthError> {
        let tenant = &client.tenant_id;
        let ephemeral = self.ports.ephemeral.as_ref();
        let starts = keyspace::ciba_starts(ns, client.client_id.as_str());
        let started = Counter::new(ephemeral).hit(&starts, keyspace::DEVICE_STARTS_WINDOW).await;
        if started.map_err(OAuthError::unavailable)? > STARTS_PER_MINUTE {
            return Err(OAuthError::new(ErrorCode::SlowDown, "too many backchannel requests; wait a minute"));
        }
        if let Some(details) = request.details() {
            self.ports.directory.detail_types(tenant).await?.check(&details)?;
        }
        let Some(user) = user else { return Err(unknown_user()) };
        if !self.user_is_active(tenant, &user).await? {
            return Err(unknown_user());
        }
        let now = self.ports.clock.now();
        if client.agent.is_some() {
            let delegations = self.ports.delegations.active_delegations(tenant, &user, &client.client_id, now).await?;
            if delegations.is_empty() {
                return Err(unknown_user());
            }
            let scope = ciam_core::scope::ScopeSet::parse_space_separated(&request.scope)
                .map_err(|e| OAuthError::server_error(e.message))?;
            let covering = delegations.iter().find(|d| d.covers(&scope, &request.resources));
            let Some(delegation) = covering else {
                return Err(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "the user's delegation to this agent does not cover this scope or these resources",
                ));
            };
            request.delegation_id = Some(delegation.id.clone());
        } else {
            for resource in &request.resources {
                if self.known_resource(tenant, resource).await?.is_none() {
                    return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known here"));
                }
            }
        }
        request.user_id = user.to_string();
        let auth_req_id = random_token(32);
        let hash = SecretHash::of(&auth_req_id);
        if request.mode == ciam_core::client::DeliveryMode::Ping {
            request.ping_id = Some(auth_req_id.clone());
        }
        let now = now.unix_timestamp();
        let ttl = remaining(&request, now);
        Json::new(ephemeral)
            .put(&keyspace::ciba_request(ns, hash.as_str()), &request, ttl)
            .await
            .map_err(OAuthError::unavailable)?;
        let pending = keyspace::ciba_pending(ns, &request.user_id);
        ephemeral.set_add(pending.as_str(), hash.as_str(), ttl).await.map_err(OAuthError::unavailable)?;
        tracing::info!(tenant = %tenant, client = %client.client_id, "backchannel authentication started");
        let start =
            CibaStart { auth_req_id, expires_in: request.expires_at - request.issued_at, interval: POLL_INTERVAL };
        Ok((start, request))
    }

    /// One token request with the CIBA grant (§10.1, §11): the polling rules of the device
    /// grant; an agent's request whose delegation ended is `access_denied`; an approval is
    /// redeemed once and issues tokens as a redeemed authorization code does.
    pub(super) async fn redeem_ciba(
        &self,
        call: &TokenCall<'_>,
        auth_req_id: &str,
        jkt: Option<&str>,
    ) -> Result<UserTokens, OAuthError> {
        let ns = call.ns;
        let hash = SecretHash::of(auth_req_id);
        let hash = hash.as_str();
        let me = call.client.client_id.as_str();
        let secs = self.ports.clock.now().unix_timestamp();
        if self.polls.too_soon(me, hash, secs) {
            return Err(OAuthError::new(ErrorCode::SlowDown, "polling too fast: wait longer between requests"));
        }
        let ephemeral = self.ports.ephemeral.as_ref();
        let requests = Json::<CibaRequest>::new(ephemeral);
        let key = keyspace::ciba_request(ns, hash);
        let Some(mut request) = requests.get(&key).await.map_err(OAuthError::unavailable)? else {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the auth_req_id is invalid or expired"));
        };
        // A pending poll reads the request (with its polling state) and the decision, and writes
        // the polling state back; what is used only after an approval is read only then.
        let decision = Json::<DeviceDecision>::new(ephemeral)
            .get(&keyspace::ciba_beside(ns, hash, "decision"))
            .await
            .map_err(OAuthError::unavailable)?;
        let used_key = keyspace::ciba_beside(ns, hash, "used");
        let used = match decision {
            Some(DeviceDecision::Approved(_)) => {
                ephemeral.get(used_key.as_str()).await.map_err(OAuthError::unavailable)?.is_some()
            }
            _ => false,
        };
        let mut polling = request.polling.clone();
        let live = request.client_id == call.client.client_id.as_str() && !used && secs < request.expires_at;
        // The delegation is read for every poll that gets an answer, not for one too soon: a
        // client polling too fast costs no read of the durable store.
        let throttled = decision.is_none() && polling.too_soon(secs);
        if live && !throttled && !self.delegation_stands(call.tenant, &request).await? {
            self.polls.forget(me, hash);
            self.forget_pending(ns, &request, hash).await;
            return Err(OAuthError::new(ErrorCode::AccessDenied, "the delegation behind this request has ended"));
        }
        let outcome = request.asked().poll(&call.client.client_id, used, decision.as_ref(), &mut polling, secs);
        if polling != request.polling {
            self.polls.remember(me, hash, &polling);
            request.polling = polling;
            requests.put(&key, &request, remaining(&request, secs)).await.map_err(OAuthError::unavailable)?;
        }
        if !matches!(&outcome, Err(e) if matches!(e.code, ErrorCode::AuthorizationPending | ErrorCode::SlowDown)) {
            self.polls.forget(me, hash);
        }
        let grant = outcome?;
        let first = Replay::new(ephemeral).first_use(&used_key, remaining(&request, secs)).await;
        if !first.map_err(OAuthError::unavailable)? {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "the auth_req_id was already used"));
        }
        self.issue_for_user(call, &grant, None, grant.authorization_details.clone(), jkt).await
    }

    /// Whether what an agent's request rests on still stands (always, for an app's).
    async fn delegation_stands(&self, tenant: &TenantId, request: &CibaRequest) -> StoreResult<bool> {
        let Some(id) = &request.delegation_id else { return Ok(true) };
        let now = self.ports.clock.now();
        let found = self.ports.delegations.get_delegation(tenant, id).await?;
        Ok(found.is_some_and(|d| d.is_active(now) && d.agent_id.as_str() == request.client_id))
    }

    /// Takes a request off its user's list (best effort: the list only points at requests, and
    /// each entry is checked when listed).
    async fn forget_pending(&self, ns: &TenantNs, request: &CibaRequest, hash: &str) {
        let key = keyspace::ciba_pending(ns, &request.user_id);
        if let Err(e) = self.ports.ephemeral.set_remove(key.as_str(), hash).await {
            tracing::warn!(error = %e, "a finished backchannel request stays listed until it expires");
        }
    }

    /// The requests waiting for `user`'s answer, oldest first: live, undecided, of an enabled
    /// client, resting on a delegation that still stands. Entries that are none of these any
    /// more are taken off the list.
    pub async fn pending_ciba(&self, tenant: &TenantId, ns: &TenantNs, user: &UserId) -> StoreResult<Vec<PendingCiba>> {
        let ephemeral = self.ports.ephemeral.as_ref();
        let user = user.to_string();
        let key = keyspace::ciba_pending(ns, &user);
        let now = self.ports.clock.now().unix_timestamp();
        let mut found = Vec::new();
        for hash in ephemeral.set_members(key.as_str()).await? {
            let request = Json::<CibaRequest>::new(ephemeral).get(&keyspace::ciba_request(ns, &hash)).await?;
            let decided = ephemeral.get(keyspace::ciba_beside(ns, &hash, "decision").as_str()).await?.is_some();
            let client = match &request {
                Some(r) if now < r.expires_at && !decided && r.user_id == user => {
                    let id = ClientId::parse(&r.client_id).ok();
                    match id {
                        Some(id) => self.ports.clients.get_client(tenant, &id).await?.filter(Client::is_enabled),
                        None => None,
                    }
                }
                _ => None,
            };
            match (request, client) {
                (Some(request), Some(client)) if self.delegation_stands(tenant, &request).await? => {
                    found.push(PendingCiba { hash, request, client });
                }
                _ => {
                    ephemeral.set_remove(key.as_str(), &hash).await?;
                }
            }
        }
        found.sort_by_key(|p| p.request.issued_at);
        Ok(found)
    }

    /// Records `user`'s answer to their waiting request `hash` (an approval's grant, or `None`
    /// for a denial), which the client's next token request finds. Returns the request, or
    /// `None` when it is not one of theirs still waiting (expired, answered already).
    pub async fn decide_ciba(
        &self,
        tenant: &TenantId,
        ns: &TenantNs,
        user: &UserId,
        hash: &str,
        approved: Option<CodeGrant>,
    ) -> StoreResult<Option<CibaRequest>> {
        let ephemeral = self.ports.ephemeral.as_ref();
        let Some(request) = Json::<CibaRequest>::new(ephemeral).get(&keyspace::ciba_request(ns, hash)).await? else {
            return Ok(None);
        };
        let now = self.ports.clock.now().unix_timestamp();
        if request.user_id != user.to_string() || now >= request.expires_at {
            return Ok(None);
        }
        if approved.is_some() && !self.delegation_stands(tenant, &request).await? {
            self.forget_pending(ns, &request, hash).await;
            return Ok(None);
        }
        let decision = match approved {
            Some(grant) => DeviceDecision::Approved(Box::new(grant)),
            None => DeviceDecision::Denied,
        };
        let body = serde_json::to_vec(&decision).map_err(|e| ciam_core::store::StoreError::Corrupt(e.to_string()))?;
        let key = keyspace::ciba_beside(ns, hash, "decision");
        // One answer per request: the first stored wins.
        if !ephemeral.put_if_absent(key.as_str(), &body, remaining(&request, now)).await? {
            return Ok(None);
        }
        self.forget_pending(ns, &request, hash).await;
        Ok(Some(request))
    }
}
