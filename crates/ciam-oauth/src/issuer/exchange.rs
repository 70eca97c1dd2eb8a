//! Clients acting for users: token exchange (RFC 8693) by agents and by services with an
//! exchange permission, under the tenant's risk policy; the binding of user tokens to
//! delegations (`delegation_id`, `may_act`); and who a refused exchange names.

use std::collections::BTreeSet;

use ciam_core::Acr;
use ciam_core::agent::{AgentOwner, AgentProfile};
use ciam_core::audit::AuditRecord;
use ciam_core::client::{Client, ExchangePermission, GrantType};
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::keyspace::{self, Counter, Replay};
use ciam_policy::{AgentSignals, AskUser, Decision, Outcome, PolicyConfig, Signals, Subject as PolicySubject};
use serde_json::Value;

use super::{Issuer, TokenCall};
use crate::error::{ErrorCode, OAuthError};
use crate::exchange::{ExchangeRequest, Subject, may_act, plan, plan_service};
use crate::resource::Aiming;
use crate::token::AccessTokenClaims;

/// Who may exchange a user's token, and under what.
#[derive(Clone, Copy)]
enum Exchanger<'a> {
    /// An agent, inside the user's delegations to it.
    Agent(&'a AgentProfile),
    /// A confidential client, for the audiences its permission lists.
    Service(&'a ExchangePermission),
}

impl Issuer {
    /// Names, on the audit event of a refused token exchange, the user its subject token stands
    /// for, the actor chain the exchange would have made (the caller first) and the delegation
    /// it rests on, so filtering the trail by user or agent finds every refusal. The subject
    /// token must be one this tenant issued (revoked or not); anything else names nobody.
    pub async fn attribute_refusal(
        &self,
        tenant: &TenantId,
        caller: &ClientId,
        params: &crate::form::Params,
        event: &mut AuditRecord,
    ) {
        if params.get("grant_type") != Some(crate::exchange::GRANT_TYPE) {
            return;
        }
        let Some(subject) = params.get("subject_token") else { return };
        let Ok(Some(claims)) = self.issued_claims(tenant, subject).await else { return };
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        event.user_id = text("sub").filter(|s| UserId::parse(s).is_ok());
        event.actors = std::iter::once(caller.to_string())
            .chain(crate::exchange::actor_chain(claims.get("act")).unwrap_or_default())
            .collect();
        event.delegation_id = text("delegation_id");
    }

    /// Whether `targets` is one other active agent of the tenant that `user` delegated to: the
    /// audience of a hand-off (see [`crate::exchange::ExchangeRequest::hand_off`]). Targets
    /// that are URLs (APIs) are never agents, and cost no lookup.
    async fn hand_off_target(
        &self,
        tenant: &TenantId,
        agent: &Client,
        user: &UserId,
        targets: &[String],
        now: time::OffsetDateTime,
    ) -> Result<bool, OAuthError> {
        let [target] = targets else { return Ok(false) };
        if target.contains(':') || target == agent.client_id.as_str() {
            return Ok(false);
        }
        let Ok(id) = ClientId::parse(target) else { return Ok(false) };
        let next = self.ports.directory.client(tenant, &id).await?;
        if !next.is_some_and(|k| k.agent.is_some() && k.is_enabled()) {
            return Ok(false);
        }
        Ok(!self.ports.delegations.active_delegations(tenant, user, &id, now).await?.is_empty())
    }

    /// Decides a token exchange by the calling client (an agent, or a confidential client with
    /// an exchange permission) and returns the claims of the token to issue, with the risk
    /// policy's decision (recorded with the issuance).
    /// With `chained`, the one target is another trust domain's authorization server the tenant
    /// issues grants for, which a service's permission must still name.
    pub(super) async fn exchange(
        &self,
        call: &TokenCall<'_>,
        request: &mut ExchangeRequest,
        chained: bool,
    ) -> Result<(AccessTokenClaims, Decision), OAuthError> {
        let (tenant, client) = (call.tenant, call.client);
        let exchanger = match (&client.agent, &client.token_exchange) {
            (Some(profile), _) => Exchanger::Agent(profile),
            (None, Some(permission)) => Exchanger::Service(permission),
            (None, None) => {
                return Err(OAuthError::new(
                    ErrorCode::UnauthorizedClient,
                    "only agents and clients with a token_exchange permission exchange tokens on a user's behalf",
                ));
            }
        };
        // RFC 8693 §2.1 makes the target optional; a tenant may still require one.
        if request.targets.is_empty() {
            let record =
                self.ports.directory.tenant(tenant).await?.ok_or_else(|| OAuthError::server_error("tenant gone"))?;
            if record.settings.token_exchange.require_target {
                return Err(OAuthError::invalid_request(
                    "this tenant requires every token exchange to name its target with resource or audience",
                ));
            }
        }
        // The account API takes no delegated tokens, and a token for it is no one's to pass on.
        let account = self.account_audience(tenant);
        if request.targets.contains(&account) {
            return Err(OAuthError::new(ErrorCode::InvalidTarget, "the account API takes no delegated tokens"));
        }
        let subject_claims = self
            .verified_access_token(tenant, &request.subject_token)
            .await?
            .ok_or_else(|| OAuthError::invalid_request("the subject_token is invalid, expired or revoked"))?
            .claims;
        let subject = Subject::from_claims(&subject_claims, |s| UserId::parse(s).is_ok())
            .ok_or_else(|| OAuthError::invalid_request("the subject_token does not stand for a user"))?;
        if subject.audiences.contains(&account) {
            return Err(OAuthError::invalid_request("a token for the account API cannot be exchanged"));
        }
        if let Some(actor_token) = &request.actor_token {
            let actor = self
                .verified_access_token(tenant, actor_token)
                .await?
                .ok_or_else(|| OAuthError::invalid_request("the actor_token is invalid, expired or revoked"))?
                .claims;
            let me = Some(client.client_id.as_str());
            if actor.get("sub").and_then(Value::as_str) != me || actor.get("client_id").and_then(Value::as_str) != me {
                return Err(OAuthError::invalid_request("the actor_token must identify the authenticated client"));
            }
        }
        // Without a target, the token is for the subject token's own audiences, under every rule
        // that applies when they are named.
        if request.targets.is_empty() {
            request.targets.clone_from(&subject.audiences);
        }
        let user = UserId::parse(&subject.user_id).map_err(|e| OAuthError::server_error(e.message))?;
        let now = self.ports.clock.now();
        let issuer = self.issuer_url(tenant);
        let mut claims = match exchanger {
            Exchanger::Agent(profile) => {
                request.hand_off = self.hand_off_target(tenant, client, &user, &request.targets, now).await?;
                let delegations =
                    self.ports.delegations.active_delegations(tenant, &user, &client.client_id, now).await?;
                plan(client, profile, &subject, request, &delegations, &issuer, now)?
            }
            Exchanger::Service(permission) => {
                let mut claims = plan_service(client, permission, &subject, request, &issuer, now)?;
                if !chained {
                    self.issued_for(tenant, &request.targets).await?;
                }
                // A service's token ends with the user's grant it derives from (signing out, a
                // replayed refresh token), as the subject token does; an agent's ends with its
                // delegation instead.
                claims.grant_id = subject_claims.get("grant_id").and_then(Value::as_str).map(str::to_owned);
                claims
            }
        };
        claims.authorization_details = self
            .narrowed_details(
                tenant,
                request.authorization_details.as_ref(),
                subject_claims.get("authorization_details"),
            )
            .await?;
        // The new token says how and when the user authenticated, as the subject token did.
        claims.auth_time = subject_claims.get("auth_time").and_then(Value::as_i64);
        claims.acr = subject_claims.get("acr").and_then(Value::as_str).map(str::to_owned);
        let decision = self.risk(call, &user, &claims).await?;
        // A registered resource (RFC 8707) bounds the token too: only scopes it defines, no
        // longer than its token lifetime.
        self.aim_at(tenant, &mut claims, request.targets.clone(), request.scope.as_ref(), Aiming::Exchange).await?;
        Ok((claims, decision))
    }

    /// The authorization details of a token (RFC 9396): those `granted` (a subject token's, a
    /// code's, a refresh grant's) as they are, or the requested ones when they are of the
    /// tenant's types and only narrow them.
    pub(super) async fn narrowed_details(
        &self,
        tenant: &TenantId,
        asked: Option<&crate::rar::Details>,
        granted: Option<&Value>,
    ) -> Result<Option<Value>, OAuthError> {
        let Some(asked) = asked else { return Ok(granted.cloned()) };
        let Some(granted) = granted else {
            return Err(OAuthError::new(
                ErrorCode::InvalidAuthorizationDetails,
                "the subject_token carries no authorization details to narrow",
            ));
        };
        let granted = crate::rar::Details::from_value(granted.clone())
            .map_err(|e| OAuthError::server_error(format!("a token's own authorization details: {}", e.description)))?;
        let types = self.ports.directory.detail_types(tenant).await?;
        types.check(asked)?;
        types.narrows(asked, &granted)?;
        Ok(Some(asked.to_value()))
    }

    /// Checks that each of a service's exchange targets is an audience this tenant issues
    /// tokens for: a registered resource (RFC 8707), an active client of the tenant (an audience
    /// by client id), or the tenant's issuer itself (the audience of a user's token that names
    /// no resource). A permission may list any audience; only these are issued for.
    async fn issued_for(&self, tenant: &TenantId, targets: &[String]) -> Result<(), OAuthError> {
        for target in targets {
            if *target == self.issuer_url(tenant) || self.ports.directory.resource(tenant, target).await?.is_some() {
                continue;
            }
            let client = match ClientId::parse(target) {
                Ok(id) => self.ports.directory.client(tenant, &id).await?,
                Err(_) => None,
            };
            if !client.is_some_and(|c| c.is_enabled()) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidTarget,
                    format!("{target} is not a resource or client of this tenant"),
                ));
            }
        }
        Ok(())
    }

    /// The tenant's risk policy on an exchange by an agent or a service (both non-human clients
    /// to the policy): its rate, a first token for an audience, and (when the tenant asks for
    /// it) how recently the user passed a strong authentication. A step-up is
    /// `insufficient_user_authentication` (the user must sign in again at the level named,
    /// RFC 9470's vocabulary); a denial is `invalid_grant`.
    async fn risk(
        &self,
        call: &TokenCall<'_>,
        user: &UserId,
        claims: &AccessTokenClaims,
    ) -> Result<Decision, OAuthError> {
        let (tenant, agent) = (call.tenant, call.client);
        let record =
            self.ports.directory.tenant(tenant).await?.ok_or_else(|| OAuthError::server_error("tenant gone"))?;
        let (e, ns) = (self.ports.ephemeral.as_ref(), record.ns());
        let agent_id = agent.client_id.as_str();
        let rate = Counter::new(e).hit(&keyspace::exchange_rate(&ns, agent_id), keyspace::EXCHANGE_RATE_WINDOW).await?;
        let mut new_audience = false;
        for aud in &claims.aud {
            let key = keyspace::agent_audience(&ns, agent_id, aud);
            new_audience |= Replay::new(e).first_use(&key, keyspace::AGENT_AUDIENCE_MEMORY).await?;
        }
        let mut signals = Signals::new(PolicySubject::Agent, self.ports.clock.now());
        signals.ip = call.ip.and_then(|i| i.parse().ok());
        signals.user_agent = call.user_agent.map(str::to_owned);
        signals.agent =
            Some(AgentSignals { exchanges_last_minute: u32::try_from(rate).unwrap_or(u32::MAX), new_audience });
        let acr = claims.acr.as_deref().and_then(Acr::parse);
        signals.current_acr = acr;
        signals.require_recent_strong_auth = record.settings.login.exchange_requires_strong_auth;
        // The user's last strong authentication matters only when the tenant requires a recent one.
        if signals.require_recent_strong_auth {
            let strong_now = acr.is_some_and(|a| a >= Acr::MultiFactor).then_some(claims.auth_time).flatten();
            let remembered = self.ports.profiles.sign_in_profile(tenant, user).await?.last_strong_auth;
            signals.last_strong_auth =
                strong_now.max(remembered).and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
        }
        let config = PolicyConfig::of_tenant(&record);
        let decision = ciam_policy::evaluate(&config, &signals);
        let why = || decision.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>().join(", ");
        if asks_user(&config, &decision, agent) {
            return Err(self.approval_needed(tenant, user, claims).because(format!(
                "the risk policy asks the user to approve (score {}: {})",
                decision.score,
                why()
            )));
        }
        match decision.outcome {
            Outcome::Allow => Ok(decision),
            Outcome::StepUp { acr } => Err(OAuthError::new(
                ErrorCode::InsufficientUserAuthentication,
                format!("the user must sign in again with acr_values={} (risk: {})", acr.as_str(), why()),
            )),
            Outcome::Deny => Err(OAuthError::new(
                ErrorCode::InvalidGrant,
                format!("the exchange was refused by the risk policy (score {}: {})", decision.score, why()),
            )),
        }
    }

    /// `interaction_required`, telling the agent to ask `user` for an approval of what it asked
    /// for through backchannel authentication: where (`backchannel_authentication_endpoint`),
    /// whom (`login_hint`), and what (`scope`, `resource`, `authorization_details`).
    fn approval_needed(&self, tenant: &TenantId, user: &UserId, claims: &AccessTokenClaims) -> OAuthError {
        let mut members = serde_json::Map::new();
        members.insert(
            "backchannel_authentication_endpoint".into(),
            Value::String(format!("{}/bc-authorize", self.issuer_url(tenant))),
        );
        members.insert("login_hint".into(), Value::String(user.to_string()));
        members.insert("scope".into(), Value::String(claims.scope.clone()));
        members.insert("resource".into(), serde_json::json!(claims.aud));
        if let Some(details) = &claims.authorization_details {
            members.insert("authorization_details".into(), details.clone());
        }
        OAuthError::new(
            ErrorCode::InteractionRequired,
            "the user must approve this: ask them through backchannel authentication (CIBA) with the \
             scope, resource and authorization_details given here",
        )
        .with_members(members)
    }

    /// Binds a user's access token to what it rests on.
    ///
    /// - Issued to an agent (the code flow in which the user approved it): the token carries the
    ///   delegation, lives no longer than it nor than the agent's ceiling, and dies with it.
    /// - Issued to an app that embeds agents: `may_act` names the agents owned by this app that
    ///   the user has delegated to, so they can exchange this token (RFC 8693 §4.4).
    pub(super) async fn bind_user_token(
        &self,
        tenant: &TenantId,
        client: &Client,
        user: &UserId,
        delegation_id: Option<&str>,
        claims: &mut AccessTokenClaims,
    ) -> Result<(), OAuthError> {
        let now = self.ports.clock.now();
        if let Some(profile) = &client.agent {
            let invalid =
                || OAuthError::new(ErrorCode::InvalidGrant, "the delegation behind this grant is no longer active");
            let id = delegation_id.ok_or_else(invalid)?;
            let d = self.ports.delegations.get_delegation(tenant, id).await?.ok_or_else(invalid)?;
            if !d.is_active(now) || d.agent_id != client.client_id || d.user_id != *user {
                return Err(invalid());
            }
            let until = d.expires_at.unix_timestamp().min(claims.iat + i64::from(profile.max_token_lifetime));
            claims.exp = claims.exp.min(until);
            claims.delegation_id = Some(d.id.clone());
            claims.delegation_chain = vec![d.id];
            return Ok(());
        }
        if !self.ports.directory.may_own_agents(tenant, &client.client_id).await? {
            return Ok(());
        }
        let mut agents = BTreeSet::new();
        for d in self.ports.delegations.list_user_delegations(tenant, user).await? {
            if d.is_active(now)
                && !agents.contains(d.agent_id.as_str())
                && self.owned_by(tenant, &d.agent_id, client).await?
            {
                agents.insert(d.agent_id.to_string());
            }
        }
        claims.may_act = may_act(&agents.into_iter().collect::<Vec<_>>());
        Ok(())
    }

    /// Whether `agent` is an enabled agent of `app`. Read through the per-node cache: `may_act`
    /// only names who may ask for an exchange, and the exchange itself checks the delegation and
    /// the agent against the store.
    async fn owned_by(&self, tenant: &TenantId, agent: &ClientId, app: &Client) -> Result<bool, OAuthError> {
        Ok(self.ports.directory.client(tenant, agent).await?.is_some_and(|a| {
            a.is_enabled() && a.agent.as_ref().is_some_and(|p| p.owner == AgentOwner::Client(app.client_id.clone()))
        }))
    }
}

/// Whether the policy turns `decision` on an exchange by `client` into a question to the user:
/// the tenant asks for it for this outcome, the client is an agent that can ask (registered for
/// the CIBA grant), and the denial, if it is one, is not an `ip_deny`.
fn asks_user(config: &PolicyConfig, decision: &Decision, client: &Client) -> bool {
    let can_ask = client.agent.is_some() && client.backchannel.is_some() && client.may_use(GrantType::Ciba);
    let outcome_asks = match (config.ask_user_instead, decision.outcome) {
        (_, Outcome::Allow) | (AskUser::None, _) | (AskUser::StepUp, Outcome::Deny) => false,
        (AskUser::StepUp | AskUser::StepUpOrDeny, Outcome::StepUp { .. }) => true,
        (AskUser::StepUpOrDeny, Outcome::Deny) => !decision.reasons.iter().any(|r| r.rule == "ip_deny"),
    };
    can_ask && outcome_asks
}

#[cfg(test)]
mod tests {
    use ciam_core::client::{AuthMethod, Backchannel, ClientType, DeliveryMode};
    use ciam_policy::{Acr, Reason};

    use super::*;

    fn agent(ciba: bool) -> Client {
        let mut c = crate::device::tests::client(&[GrantType::TokenExchange]);
        c.client_type = ClientType::Confidential;
        c.token_endpoint_auth_method = AuthMethod::PrivateKeyJwt;
        c.agent = Some(ciam_core::agent::AgentProfile {
            description: String::new(),
            owner: AgentOwner::Client(ClientId::parse("app").unwrap()),
            allowed_audiences: vec![],
            max_token_lifetime: 300,
            max_chain_depth: 2,
            delegation_lifetime: 3600,
            status: ciam_core::agent::AgentStatus::Active,
        });
        if ciba {
            c.grant_types.push(GrantType::Ciba);
            c.backchannel =
                Some(Backchannel { token_delivery_mode: DeliveryMode::Poll, client_notification_endpoint: None });
        }
        c
    }

    fn decision(outcome: Outcome, rule: &str) -> Decision {
        let reasons = vec![Reason { rule: rule.into(), points: 50, detail: String::new() }];
        Decision { score: 50, outcome, reasons }
    }

    #[test]
    fn the_policy_asks_the_user_only_for_the_outcomes_it_names_and_only_agents_that_can_ask() {
        let step_up = decision(Outcome::StepUp { acr: Acr::MultiFactor }, "agent_new_audience");
        let deny = decision(Outcome::Deny, "agent_exchange_rate");
        let ip_deny = decision(Outcome::Deny, "ip_deny");
        let allow = decision(Outcome::Allow, "agent_new_audience");
        let config = |ask| PolicyConfig { ask_user_instead: ask, ..PolicyConfig::default() };
        let (can, cannot) = (agent(true), agent(false));
        let cases = [
            (AskUser::None, &step_up, &can, false),
            (AskUser::StepUp, &step_up, &can, true),
            (AskUser::StepUp, &step_up, &cannot, false),
            (AskUser::StepUp, &deny, &can, false),
            (AskUser::StepUp, &allow, &can, false),
            (AskUser::StepUpOrDeny, &step_up, &can, true),
            (AskUser::StepUpOrDeny, &deny, &can, true),
            (AskUser::StepUpOrDeny, &ip_deny, &can, false),
            (AskUser::StepUpOrDeny, &allow, &can, false),
        ];
        for (i, (ask, d, client, want)) in cases.into_iter().enumerate() {
            assert_eq!(asks_user(&config(ask), d, client), want, "case {i}");
        }
        let mut service = agent(true);
        service.agent = None;
        assert!(!asks_user(&config(AskUser::StepUpOrDeny), &step_up, &service), "only agents are asked for");
    }
}
