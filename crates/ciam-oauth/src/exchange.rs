//! OAuth 2.0 Token Exchange (RFC 8693): a client acting on a user's behalf.
//!
//! Two kinds of client exchange a user's access token (`subject_token`) for a narrower one
//! whose `sub` is still the user:
//!
//! - an AI agent, inside the user's delegations ([`plan`]);
//! - an ordinary confidential client with an exchange permission ([`plan_service`]): the
//!   classic service-to-service "on behalf of" call, for the audiences the permission lists.
//!
//! Rules shared by both, decided here without I/O:
//!
//! - the scope is the requested one and may only narrow: it must be within the subject token's
//!   scope and the client's registered scopes (and, for an agent, an active delegation from the
//!   user to it); `invalid_scope` otherwise;
//! - every `resource`/`audience` must be allowed to the client (the agent's allowed audiences
//!   and its delegation; the service's permission): `invalid_target`. Without one (both are
//!   optional, §2.1) the token is for the subject token's own audiences, under the same rules,
//!   unless the tenant requires a target (the caller decides that);
//! - a `may_act` claim in the subject token must name the client (§4.4), and a subject token
//!   bound to a DPoP key is exchanged by that key's holder (`invalid_request`, §2.2.2);
//! - a delegating client goes in front of the actor chain `act` (§4.1); an agent's chain may not
//!   grow past its `max_chain_depth` nor name an agent twice;
//! - the lifetime never exceeds the subject token's remaining life (nor, for an agent, the
//!   delegation's or its own ceiling).

use ciam_core::agent::{AgentProfile, Delegation};
use ciam_core::client::{Client, ExchangeMode, ExchangePermission};
use ciam_core::scope::ScopeSet;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;
use crate::token::{AccessTokenClaims, USER_ACCESS_TOKEN_LIFETIME};

/// The grant type of a token exchange (RFC 8693 §2.1).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// `urn:ietf:params:oauth:token-type:access_token` (RFC 8693 §3).
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// `urn:ietf:params:oauth:token-type:jwt` (RFC 8693 §3); this server's access tokens are JWTs.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The longest `act` chain read from a token (deeper nesting is refused, not walked).
const MAX_READ_DEPTH: usize = 16;

/// A token exchange request (RFC 8693 §2.1).
#[derive(Debug)]
pub struct ExchangeRequest {
    /// The user's access token.
    pub subject_token: String,
    /// A token identifying the actor, when sent; it must identify the authenticated client.
    pub actor_token: Option<String>,
    /// The `resource` and `audience` values, in order, without duplicates. Empty when the
    /// request named none: the caller then sets the subject token's audiences (or refuses, when
    /// the tenant requires a target) before planning.
    pub targets: Vec<String>,
    /// The requested scope, if any.
    pub scope: Option<ScopeSet>,
    /// The JWK thumbprint of the request's DPoP proof (RFC 9449 §5), once the caller checked it.
    pub proof_key: Option<String>,
    /// The SHA-256 thumbprint of the client certificate of the request (RFC 8705 §3), when a
    /// trusted proxy forwarded one.
    pub certificate: Option<String>,
    /// Set by the caller when the one target is another active agent the user delegated to: a
    /// hand-off, whose token (audience: that agent) grants nothing at any API and serves only as
    /// that agent's subject token, so the target need not be among this agent's audiences.
    pub hand_off: bool,
    /// The requested `authorization_details` (RFC 9396), well formed: they must narrow the
    /// subject token's. Without them, the new token carries the subject token's as they are.
    pub authorization_details: Option<crate::rar::Details>,
    /// The `requested_token_type`, when sent: a JWT for another trust domain's authorization
    /// server is a JWT authorization grant (identity chaining).
    pub requested_token_type: Option<String>,
}

fn token_type_ok(t: &str) -> bool {
    t == ACCESS_TOKEN_TYPE || t == JWT_TOKEN_TYPE
}

/// Parses the exchange parameters; unsupported token types are `invalid_request` (§2.2.2).
pub fn parse_exchange(params: &Params, scope: Option<ScopeSet>) -> Result<ExchangeRequest, OAuthError> {
    let subject_token = params.require("subject_token")?.to_owned();
    if !token_type_ok(params.require("subject_token_type")?) {
        return Err(OAuthError::invalid_request("subject_token_type must be an access token (or its JWT form)"));
    }
    let actor_token = params.get("actor_token").map(str::to_owned);
    match (&actor_token, params.get("actor_token_type")) {
        (Some(_), Some(t)) if token_type_ok(t) => {}
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request("actor_token_type must be an access token (or its JWT form)"));
        }
        (Some(_), None) => return Err(OAuthError::invalid_request("actor_token needs actor_token_type")),
        (None, Some(_)) => return Err(OAuthError::invalid_request("actor_token_type without actor_token")),
        (None, None) => {}
    }
    if params.get("requested_token_type").is_some_and(|t| !token_type_ok(t)) {
        return Err(OAuthError::invalid_request("only access tokens can be issued by exchange"));
    }
    let mut targets: Vec<String> = params.all("resource").to_vec();
    for a in params.all("audience") {
        if !targets.contains(a) {
            targets.push(a.clone());
        }
    }
    let authorization_details = params.get("authorization_details").map(crate::rar::Details::parse).transpose()?;
    Ok(ExchangeRequest {
        subject_token,
        actor_token,
        targets,
        scope,
        proof_key: None,
        certificate: None,
        hand_off: false,
        authorization_details,
        requested_token_type: params.get("requested_token_type").map(str::to_owned),
    })
}

/// What an exchange needs from a verified subject token.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The user.
    pub user_id: String,
    /// Its scope.
    pub scope: ScopeSet,
    /// Its expiry (unix seconds).
    pub exp: i64,
    /// The actors already in it, outermost first (`act.sub`, `act.act.sub`, …). A token an
    /// agent got for itself through the authorization code flow counts as acted by that agent.
    pub actors: Vec<String>,
    /// The delegations it derives from, oldest first.
    pub delegation_chain: Vec<String>,
    /// The agents its `may_act` claim allows, when it has one.
    pub may_act: Option<Vec<String>>,
    /// The DPoP key it is bound to (`cnf.jkt`, RFC 9449 §6.1), if any.
    pub bound_to: Option<String>,
    /// The client certificate it is bound to (`cnf.x5t#S256`, RFC 8705 §3.1), if any.
    pub bound_to_certificate: Option<String>,
    /// Its audiences.
    pub audiences: Vec<String>,
}

/// The actors of an `act` claim, outermost first; `None` if it is malformed or too deep.
pub fn actor_chain(act: Option<&Value>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut next = act;
    while let Some(a) = next {
        if out.len() >= MAX_READ_DEPTH {
            return None;
        }
        out.push(a.get("sub")?.as_str()?.to_owned());
        next = a.get("act");
    }
    Some(out)
}

/// The `act` claim for a chain, outermost first (RFC 8693 §4.1).
pub fn nest(actors: &[String]) -> Option<Value> {
    actors.iter().rev().fold(None, |inner, sub| {
        let mut o = Map::new();
        o.insert("sub".into(), Value::String(sub.clone()));
        if let Some(i) = inner {
            o.insert("act".into(), i);
        }
        Some(Value::Object(o))
    })
}

/// The `may_act` claim naming `agents` (RFC 8693 §4.4): `{"sub": id}` for one agent; for
/// several, `sub` is an array (an extension: the RFC's example names one party).
pub fn may_act(agents: &[String]) -> Option<Value> {
    match agents {
        [] => None,
        [one] => Some(json!({ "sub": one })),
        many => Some(json!({ "sub": many })),
    }
}

impl Subject {
    /// Reads a verified access token's claims; `None` when it is not a user's token.
    pub fn from_claims(claims: &Map<String, Value>, is_user: impl Fn(&str) -> bool) -> Option<Self> {
        let user_id = claims.get("sub")?.as_str().filter(|s| is_user(s))?.to_owned();
        let scope = ScopeSet::parse_space_separated(claims.get("scope").and_then(Value::as_str).unwrap_or("")).ok()?;
        let delegation_chain: Vec<String> = match claims.get("delegation_chain") {
            None => Vec::new(),
            Some(v) => serde_json::from_value(v.clone()).ok()?,
        };
        let mut actors = actor_chain(claims.get("act"))?;
        if actors.is_empty() && !delegation_chain.is_empty() {
            // An agent's own token from the authorization code flow: the agent is its actor.
            actors.push(claims.get("client_id")?.as_str()?.to_owned());
        }
        let may_act = match claims.get("may_act").map(|m| m.get("sub")) {
            None => None,
            Some(Some(Value::String(one))) => Some(vec![one.clone()]),
            Some(Some(Value::Array(many))) => Some(many.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            Some(_) => Some(Vec::new()),
        };
        let cnf =
            |member: &str| claims.get("cnf").and_then(|c| c.get(member)).and_then(Value::as_str).map(str::to_owned);
        let (bound_to, bound_to_certificate) = (cnf("jkt"), cnf("x5t#S256"));
        let audiences = match claims.get("aud") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let exp = claims.get("exp")?.as_i64()?;
        Some(Self { user_id, scope, exp, actors, delegation_chain, may_act, bound_to, bound_to_certificate, audiences })
    }
}

fn refuse(code: ErrorCode, description: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(code, description)
}

/// What every exchange checks of the caller `me` against the subject token: its `may_act`, if
/// any, names `me` (RFC 8693 §4.4), and a sender-constrained subject token is exchanged by the
/// holder of its key or certificate, or by the client its holder handed it to: a token whose
/// audience is that client (RFC 9449 §6; RFC 8705 §3; RFC 8693 §2.1).
fn may_exchange(subject: &Subject, request: &ExchangeRequest, me: &str) -> Result<(), OAuthError> {
    if subject.may_act.as_ref().is_some_and(|allowed| !allowed.iter().any(|a| a == me)) {
        return Err(OAuthError::invalid_request("the subject token's may_act does not name this client"));
    }
    let handed_to_me = subject.audiences.iter().any(|a| a == me);
    if let Some(x5t) = &subject.bound_to_certificate
        && request.certificate.as_deref() != Some(x5t.as_str())
        && !handed_to_me
    {
        return Err(OAuthError::invalid_request(
            "the subject_token is bound to another client certificate: its holder hands it on by exchanging it \
             for a token whose audience is this client",
        ));
    }
    if let Some(key) = &subject.bound_to
        && request.proof_key.as_deref() != Some(key.as_str())
        && !handed_to_me
    {
        return Err(OAuthError::invalid_request(
            "the subject_token is bound to another key: its holder hands it on by exchanging it for a token \
             whose audience is this client",
        ));
    }
    Ok(())
}

/// Decides an exchange by an ordinary confidential `client` (not an agent) under its exchange
/// `permission`: the service-to-service "on behalf of" call. `request.targets` must be set
/// (the caller fills in the subject token's audiences when the request named none); that each
/// is a resource or client of the tenant is the caller's check. Returns the claims to issue.
pub fn plan_service(
    client: &Client,
    permission: &ExchangePermission,
    subject: &Subject,
    request: &ExchangeRequest,
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AccessTokenClaims, OAuthError> {
    let me = client.client_id.as_str();
    // A token an agent holds rests on the user's delegation to that agent, which bounds every
    // hop after it; a service has no delegation to answer to, so it cannot take such a token.
    if !subject.delegation_chain.is_empty() {
        return Err(OAuthError::invalid_request(
            "the subject_token was delegated to an agent; only agents exchange delegated tokens",
        ));
    }
    may_exchange(subject, request, me)?;
    if request.targets.is_empty() {
        return Err(OAuthError::invalid_request("name the audience of the token with resource or audience"));
    }
    if let Some(t) = request.targets.iter().find(|t| !permission.audiences.contains(t)) {
        return Err(refuse(
            ErrorCode::InvalidTarget,
            format!("this client's token_exchange permission does not include the audience {t}"),
        ));
    }
    // Delegation names this client in front of the chain (RFC 8693 §4.1); impersonation adds
    // no actor but keeps those already in the token: no one drops out of the record.
    let mut actors = subject.actors.clone();
    if permission.mode == ExchangeMode::Delegate && actors.first().map(String::as_str) != Some(me) {
        if actors.iter().any(|a| a == me) {
            return Err(OAuthError::invalid_request("this client is already in the token's actor chain"));
        }
        actors.insert(0, me.to_owned());
    }
    if actors.len() > MAX_READ_DEPTH {
        return Err(OAuthError::invalid_request(format!(
            "the actor chain would hold {} actors; at most {MAX_READ_DEPTH} are allowed",
            actors.len()
        )));
    }
    let ceiling = subject.scope.intersect(&client.scopes);
    let scope = match &request.scope {
        Some(s) if !s.is_subset(&ceiling) => {
            return Err(refuse(
                ErrorCode::InvalidScope,
                "the requested scope is wider than the subject token's or this client's",
            ));
        }
        Some(s) => s.clone(),
        None => ceiling,
    };
    let lifetime = (subject.exp - now.unix_timestamp()).min(USER_ACCESS_TOKEN_LIFETIME.whole_seconds());
    if lifetime <= 0 {
        return Err(OAuthError::invalid_request("the subject token has expired"));
    }
    let mut claims =
        AccessTokenClaims::new(issuer, &subject.user_id, request.targets.clone(), lifetime, me, scope.to_string(), now);
    claims.act = nest(&actors);
    Ok(claims)
}

/// Decides an exchange by `agent` (whose profile is `profile`) of `subject`, within the user's
/// active `delegations` to this agent. Returns the claims of the token to issue.
pub fn plan(
    agent: &Client,
    profile: &AgentProfile,
    subject: &Subject,
    request: &ExchangeRequest,
    delegations: &[Delegation],
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AccessTokenClaims, OAuthError> {
    let me = agent.client_id.as_str();
    may_exchange(subject, request, me)?;
    if request.targets.is_empty() {
        return Err(OAuthError::invalid_request("name the API the token is for with resource or audience"));
    }
    // The chain: this agent in front, unless it is already the outermost actor (re-exchanging
    // its own delegated token to narrow it is not a new hop).
    let mut actors = subject.actors.clone();
    if actors.first().map(String::as_str) != Some(me) {
        if actors.iter().any(|a| a == me) {
            return Err(OAuthError::invalid_request("this agent is already in the token's actor chain"));
        }
        actors.insert(0, me.to_owned());
    }
    if actors.len() > usize::from(profile.max_chain_depth) {
        return Err(OAuthError::invalid_request(format!(
            "the actor chain would hold {} agents; this agent allows at most {} (max_chain_depth)",
            actors.len(),
            profile.max_chain_depth
        )));
    }
    // Scope: requested (or everything still possible), never wider than any bound.
    let ceiling = subject.scope.intersect(&agent.scopes);
    if request.scope.as_ref().is_some_and(|s| !s.is_subset(&ceiling)) {
        return Err(refuse(
            ErrorCode::InvalidScope,
            "the requested scope is wider than the subject token's or this agent's",
        ));
    }
    // A hand-off's target is the next agent, not an API: its delegation bounds what it gets.
    let audiences: &[String] = if request.hand_off { &[] } else { &request.targets };
    if let Some(t) = audiences.iter().find(|t| !profile.allowed_audiences.contains(t)) {
        return Err(refuse(ErrorCode::InvalidTarget, format!("this agent may not get tokens for {t}")));
    }
    let scope = match &request.scope {
        Some(s) => s.clone(),
        None => delegations
            .iter()
            .find(|d| d.covers(&ScopeSet::default(), audiences))
            .map_or(ceiling.clone(), |d| ceiling.intersect(&d.scope)),
    };
    let scope_ok: Vec<&Delegation> = delegations.iter().filter(|d| scope.is_subset(&d.scope)).collect();
    let delegation = match scope_ok.iter().find(|d| d.covers(&scope, audiences)) {
        Some(d) => *d,
        None if delegations.is_empty() => {
            return Err(OAuthError::invalid_request("the user has no active delegation to this agent"));
        }
        None if scope_ok.is_empty() => {
            return Err(refuse(ErrorCode::InvalidScope, "the requested scope is wider than the user delegated"));
        }
        None => return Err(refuse(ErrorCode::InvalidTarget, "the user did not delegate access to this audience")),
    };
    let remaining = [
        subject.exp - now.unix_timestamp(),
        delegation.expires_at.unix_timestamp() - now.unix_timestamp(),
        i64::from(profile.max_token_lifetime),
    ];
    let lifetime = remaining.into_iter().min().unwrap_or(0);
    if lifetime <= 0 {
        return Err(OAuthError::invalid_request("the subject token or the delegation has expired"));
    }
    let mut chain = subject.delegation_chain.clone();
    if !chain.contains(&delegation.id) {
        chain.push(delegation.id.clone());
    }
    let mut claims =
        AccessTokenClaims::new(issuer, &subject.user_id, request.targets.clone(), lifetime, me, scope.to_string(), now);
    claims.act = nest(&actors);
    claims.delegation_id = Some(delegation.id.clone());
    claims.delegation_chain = chain;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use ciam_core::agent::{AgentOwner, AgentStatus};
    use ciam_core::client::{AuthMethod, ClientType, GrantType};
    use ciam_core::id::{ClientId, TenantId, UserId};
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);
    const API: &str = "https://api.example/";

    fn scopes(s: &str) -> ScopeSet {
        ScopeSet::parse_space_separated(s).unwrap()
    }

    fn agent(id: &str, depth: u8) -> (Client, AgentProfile) {
        let profile = AgentProfile {
            description: String::new(),
            owner: AgentOwner::Client(ClientId::parse("app").unwrap()),
            allowed_audiences: vec![API.into(), "https://other.example/".into()],
            max_token_lifetime: 300,
            max_chain_depth: depth,
            delegation_lifetime: 3600,
            status: AgentStatus::Active,
        };
        let client = Client {
            tenant_id: TenantId::parse("acme").unwrap(),
            client_id: ClientId::parse(id).unwrap(),
            name: id.into(),
            client_type: ClientType::Confidential,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::TokenExchange],
            token_endpoint_auth_method: AuthMethod::PrivateKeyJwt,
            scopes: scopes("openid trips:read trips:book"),
            jwks_uri: None,
            jwks: None,
            require_pushed_authorization_requests: false,
            id_token_signed_response_alg: None,
            opaque_access_tokens: false,
            dpop_bound_access_tokens: false,
            agent: Some(profile.clone()),
            security_profile: None,
            token_exchange: None,
            require_signed_request_object: false,
            authorization_signed_response_alg: None,
            saml: None,
            backchannel: None,
            first_party: false,
            created_at: NOW,
            updated_at: NOW,
        };
        (client, profile)
    }

    fn delegation(agent: &str, scope: &str, expires_in: i64) -> Delegation {
        Delegation {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: format!("dlg_{agent}"),
            user_id: UserId::generate(),
            agent_id: ClientId::parse(agent).unwrap(),
            scope: scopes(scope),
            audiences: vec![API.into()],
            created_at: NOW,
            expires_at: NOW + time::Duration::seconds(expires_in),
            revoked_at: None,
        }
    }

    fn subject(scope: &str, exp_in: i64) -> Subject {
        Subject {
            user_id: "user-1".into(),
            scope: scopes(scope),
            exp: NOW.unix_timestamp() + exp_in,
            actors: vec![],
            delegation_chain: vec![],
            may_act: None,
            bound_to: None,
            bound_to_certificate: None,
            audiences: vec![],
        }
    }

    fn request(scope: Option<&str>, targets: &[&str]) -> ExchangeRequest {
        ExchangeRequest {
            subject_token: "t".into(),
            actor_token: None,
            targets: targets.iter().map(|t| (*t).to_owned()).collect(),
            scope: scope.map(scopes),
            proof_key: None,
            certificate: None,
            hand_off: false,
            authorization_details: None,
            requested_token_type: None,
        }
    }

    fn run(
        a: &(Client, AgentProfile),
        s: &Subject,
        r: &ExchangeRequest,
        d: &[Delegation],
    ) -> Result<AccessTokenClaims, ErrorCode> {
        plan(&a.0, &a.1, s, r, d, "https://id/t/acme", NOW).map_err(|e| e.code)
    }

    #[test]
    fn first_hop_narrows_and_names_the_agent() {
        let a = agent("agent-a", 2);
        let d = [delegation("agent-a", "trips:read trips:book", 3600)];
        let t =
            run(&a, &subject("openid trips:read trips:book", 900), &request(Some("trips:read"), &[API]), &d).unwrap();
        assert_eq!(t.sub, "user-1");
        assert_eq!(t.scope, "trips:read");
        assert_eq!(t.aud, vec![API.to_owned()]);
        assert_eq!(t.act, Some(json!({"sub": "agent-a"})));
        assert_eq!(t.client_id, "agent-a");
        assert_eq!(t.exp - t.iat, 300, "the agent's ceiling");
        assert_eq!(t.delegation_id.as_deref(), Some("dlg_agent-a"));
        assert_eq!(t.delegation_chain, ["dlg_agent-a"]);
        let default = run(&a, &subject("openid trips:read", 900), &request(None, &[API]), &d).unwrap();
        assert_eq!(default.scope, "trips:read", "default: what every bound allows");
    }

    #[test]
    fn second_hop_nests_and_is_bounded_by_depth() {
        let b = agent("agent-b", 2);
        let mut s = subject("trips:read", 200);
        s.actors = vec!["agent-a".into()];
        s.delegation_chain = vec!["dlg_agent-a".into()];
        let d = [delegation("agent-b", "trips:read", 3600)];
        let t = run(&b, &s, &request(None, &[API]), &d).unwrap();
        assert_eq!(t.act, Some(json!({"sub": "agent-b", "act": {"sub": "agent-a"}})));
        assert_eq!(t.delegation_chain, ["dlg_agent-a", "dlg_agent-b"]);
        assert_eq!(t.exp - t.iat, 200, "never outlives the subject token");
        let shallow = agent("agent-b", 1);
        assert_eq!(run(&shallow, &s, &request(None, &[API]), &d).unwrap_err(), ErrorCode::InvalidRequest);
        let mut cycle = s.clone();
        cycle.actors = vec!["agent-a".into(), "agent-b".into()];
        assert_eq!(
            run(&agent("agent-b", 5), &cycle, &request(None, &[API]), &d).unwrap_err(),
            ErrorCode::InvalidRequest
        );
        let mut again = s.clone();
        again.actors = vec!["agent-b".into(), "agent-a".into()];
        let same = run(&b, &again, &request(None, &[API]), &d).unwrap();
        assert_eq!(
            same.act,
            Some(json!({"sub": "agent-b", "act": {"sub": "agent-a"}})),
            "no new hop for the same actor"
        );
    }

    #[test]
    fn every_refusal_has_its_rfc_error() {
        let a = agent("agent-a", 2);
        let d = [delegation("agent-a", "trips:read", 3600)];
        let s = subject("openid trips:read trips:book", 900);
        let cases: Vec<(Subject, ExchangeRequest, Vec<Delegation>, ErrorCode)> = vec![
            (s.clone(), request(Some("trips:read trips:cancel"), &[API]), d.to_vec(), ErrorCode::InvalidScope),
            (subject("trips:read", 900), request(Some("trips:book"), &[API]), d.to_vec(), ErrorCode::InvalidScope),
            (s.clone(), request(Some("trips:book"), &[API]), d.to_vec(), ErrorCode::InvalidScope),
            (s.clone(), request(Some("trips:read"), &["https://evil.example/"]), d.to_vec(), ErrorCode::InvalidTarget),
            (s.clone(), request(Some("trips:read"), &["https://other.example/"]), d.to_vec(), ErrorCode::InvalidTarget),
            (s.clone(), request(Some("trips:read"), &[API]), vec![], ErrorCode::InvalidRequest),
            (subject("trips:read", -5), request(Some("trips:read"), &[API]), d.to_vec(), ErrorCode::InvalidRequest),
            (
                Subject { may_act: Some(vec!["agent-z".into()]), ..s.clone() },
                request(Some("trips:read"), &[API]),
                d.to_vec(),
                ErrorCode::InvalidRequest,
            ),
        ];
        for (i, (s, r, d, want)) in cases.into_iter().enumerate() {
            assert_eq!(run(&a, &s, &r, &d).map(|_| ()), Err(want), "case {i}");
        }
        let allowed = Subject { may_act: Some(vec!["agent-a".into(), "agent-z".into()]), ..s };
        assert!(run(&a, &allowed, &request(Some("trips:read"), &[API]), &d).is_ok());
        let short = [delegation("agent-a", "trips:read", 60)];
        let t = run(&a, &allowed, &request(Some("trips:read"), &[API]), &short).unwrap();
        assert_eq!(t.exp - t.iat, 60, "never outlives the delegation");
    }

    #[test]
    fn a_bound_subject_token_is_exchanged_by_its_holder_or_handed_off_rfc9449() {
        let (a, b) = (agent("agent-a", 3), agent("agent-b", 3));
        let mut bound = subject("trips:read", 300);
        (bound.bound_to, bound.audiences, bound.actors) =
            (Some("key-a".into()), vec![API.into()], vec!["agent-a".into()]);
        let with_key = |key: Option<&str>, targets: &[&str]| ExchangeRequest {
            proof_key: key.map(str::to_owned),
            ..request(Some("trips:read"), targets)
        };
        let (da, db) = ([delegation("agent-a", "trips:read", 3600)], [delegation("agent-b", "trips:read", 3600)]);
        // The holder narrows its own token; anyone else, with or without a key, is refused.
        assert!(run(&a, &bound, &with_key(Some("key-a"), &[API]), &da).is_ok());
        for key in [None, Some("key-b")] {
            assert_eq!(run(&b, &bound, &with_key(key, &[API]), &db).unwrap_err(), ErrorCode::InvalidRequest, "{key:?}");
        }
        // The holder hands it to agent-b: a token for agent-b, outside agent-a's API audiences.
        let mut to_b = with_key(Some("key-a"), &["agent-b"]);
        assert_eq!(run(&a, &bound, &to_b, &da).unwrap_err(), ErrorCode::InvalidTarget, "not without a hand-off");
        to_b.hand_off = true;
        let handed = run(&a, &bound, &to_b, &da).unwrap();
        assert_eq!((handed.aud.clone(), handed.scope.as_str()), (vec!["agent-b".to_owned()], "trips:read"));
        let mut next = bound.clone();
        (next.audiences, next.delegation_chain) = (handed.aud, handed.delegation_chain);
        let hop = run(&b, &next, &with_key(Some("key-b"), &[API]), &db).unwrap();
        assert_eq!(hop.act, Some(json!({"sub": "agent-b", "act": {"sub": "agent-a"}})));
        assert_eq!(hop.delegation_chain, ["dlg_agent-a", "dlg_agent-b"]);
        // A hand-off stays within what the user gave the handing agent.
        let wide = ExchangeRequest { hand_off: true, ..with_key(Some("key-a"), &["agent-b"]) };
        let wide = ExchangeRequest { scope: Some(scopes("trips:book")), ..wide };
        let mut book = bound.clone();
        book.scope = scopes("trips:read trips:book");
        assert_eq!(run(&a, &book, &wide, &da).unwrap_err(), ErrorCode::InvalidScope);
    }

    #[test]
    fn parsing_rfc8693_2_1() {
        let p = |b: &str| parse_exchange(&Params::parse(b.as_bytes()).unwrap(), None).map_err(|e| e.code);
        let at = "urn:ietf:params:oauth:token-type:access_token";
        let ok = p(&format!(
            "subject_token=s&subject_token_type={at}&resource=https://a&audience=https://b&resource=https://b"
        ))
        .unwrap();
        assert_eq!(ok.targets, ["https://a", "https://b"]);
        assert_eq!(p(&format!("subject_token_type={at}&resource=https://a")).unwrap_err(), ErrorCode::InvalidRequest);
        assert_eq!(
            p("subject_token=s&subject_token_type=saml&resource=https://a").unwrap_err(),
            ErrorCode::InvalidRequest
        );
        let untargeted = p(&format!("subject_token=s&subject_token_type={at}")).unwrap();
        assert!(untargeted.targets.is_empty(), "resource and audience are optional (RFC 8693 §2.1)");
        assert_eq!(
            p(&format!("subject_token=s&subject_token_type={at}&resource=https://a&actor_token=x")).unwrap_err(),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            p(&format!("subject_token=s&subject_token_type={at}&resource=https://a&requested_token_type=urn:x"))
                .unwrap_err(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn an_agent_plan_needs_its_target_filled_in() {
        let a = agent("agent-a", 2);
        let d = [delegation("agent-a", "trips:read", 3600)];
        let e = run(&a, &subject("trips:read", 900), &request(None, &[]), &d).unwrap_err();
        assert_eq!(e, ErrorCode::InvalidRequest, "never a token without an audience");
    }

    fn service(mode: ExchangeMode) -> (Client, ExchangePermission) {
        let (mut client, _) = agent("svc", 1);
        let permission = ExchangePermission { audiences: vec![API.into(), "billing".into()], mode };
        client.agent = None;
        client.scopes = scopes("trips:read trips:book");
        client.token_exchange = Some(permission.clone());
        (client, permission)
    }

    fn serve(
        svc: &(Client, ExchangePermission),
        s: &Subject,
        r: &ExchangeRequest,
    ) -> Result<AccessTokenClaims, ErrorCode> {
        plan_service(&svc.0, &svc.1, s, r, "https://id/t/acme", NOW).map_err(|e| e.code)
    }

    #[test]
    fn a_delegating_service_narrows_and_names_itself_in_act_rfc8693_4_1() {
        let svc = service(ExchangeMode::Delegate);
        let s = subject("openid trips:read trips:book", 600);
        let t = serve(&svc, &s, &request(Some("trips:read"), &[API])).unwrap();
        assert_eq!((t.sub.as_str(), t.client_id.as_str(), t.scope.as_str()), ("user-1", "svc", "trips:read"));
        assert_eq!(t.aud, [API]);
        assert_eq!(t.act, Some(json!({"sub": "svc"})));
        assert_eq!(t.exp - t.iat, 600, "never outlives the subject token");
        assert!(t.delegation_id.is_none() && t.delegation_chain.is_empty(), "no delegation behind it");
        let default = serve(&svc, &s, &request(None, &["billing"])).unwrap();
        assert_eq!(default.scope, "trips:book trips:read", "default: the subject's scope within the client's");
        assert_eq!(default.aud, ["billing"]);
        let long = serve(&svc, &subject("trips:read", 86_400), &request(None, &[API])).unwrap();
        assert_eq!(long.exp - long.iat, USER_ACCESS_TOKEN_LIFETIME.whole_seconds(), "a user token's lifetime at most");
        // A token a gateway got by exchange: the service goes in front; its own token is no new hop.
        let via_gateway = Subject { actors: vec!["gateway".into()], ..s.clone() };
        let t = serve(&svc, &via_gateway, &request(None, &[API])).unwrap();
        assert_eq!(t.act, Some(json!({"sub": "svc", "act": {"sub": "gateway"}})));
        let own = Subject { actors: vec!["svc".into(), "gateway".into()], ..s };
        assert_eq!(serve(&svc, &own, &request(None, &[API])).unwrap().act, t.act);
    }

    #[test]
    fn an_impersonating_service_adds_no_actor_and_drops_none() {
        let svc = service(ExchangeMode::Impersonate);
        let t = serve(&svc, &subject("trips:read", 600), &request(None, &[API])).unwrap();
        assert_eq!((t.sub.as_str(), t.act.as_ref()), ("user-1", None));
        let via_gateway = Subject { actors: vec!["gateway".into()], ..subject("trips:read", 600) };
        let t = serve(&svc, &via_gateway, &request(None, &[API])).unwrap();
        assert_eq!(t.act, Some(json!({"sub": "gateway"})), "earlier actors stay on record");
    }

    #[test]
    fn a_service_is_refused_with_the_rfc_error_rfc8693_2_2_2() {
        let svc = service(ExchangeMode::Delegate);
        let s = subject("openid trips:read", 600);
        let bound = Subject { bound_to: Some("key-a".into()), audiences: vec![API.into()], ..s.clone() };
        let cases: Vec<(Subject, ExchangeRequest, ErrorCode)> = vec![
            (s.clone(), request(None, &["https://elsewhere.example/"]), ErrorCode::InvalidTarget),
            (s.clone(), request(None, &[API, "payroll"]), ErrorCode::InvalidTarget),
            (s.clone(), request(None, &[]), ErrorCode::InvalidRequest),
            (s.clone(), request(Some("trips:book"), &[API]), ErrorCode::InvalidScope),
            (s.clone(), request(Some("openid"), &[API]), ErrorCode::InvalidScope),
            (subject("trips:read", -1), request(None, &[API]), ErrorCode::InvalidRequest),
            (
                Subject { delegation_chain: vec!["dlg_1".into()], actors: vec!["agent-a".into()], ..s.clone() },
                request(None, &[API]),
                ErrorCode::InvalidRequest,
            ),
            (
                Subject { may_act: Some(vec!["agent-a".into()]), ..s.clone() },
                request(None, &[API]),
                ErrorCode::InvalidRequest,
            ),
            (bound.clone(), request(None, &[API]), ErrorCode::InvalidRequest),
            (
                Subject { actors: vec!["gateway".into(), "svc".into()], ..s.clone() },
                request(None, &[API]),
                ErrorCode::InvalidRequest,
            ),
        ];
        for (i, (s, r, want)) in cases.into_iter().enumerate() {
            assert_eq!(serve(&svc, &s, &r).map(|_| ()), Err(want), "case {i}");
        }
        let named = Subject { may_act: Some(vec!["agent-a".into(), "svc".into()]), ..s };
        assert!(serve(&svc, &named, &request(None, &[API])).is_ok(), "may_act names the service");
        let holder = ExchangeRequest { proof_key: Some("key-a".into()), ..request(None, &[API]) };
        assert!(serve(&svc, &bound, &holder).is_ok(), "the key's holder");
        let to_me = Subject { audiences: vec!["svc".into()], ..bound };
        assert!(serve(&svc, &to_me, &request(None, &[API])).is_ok(), "handed to the service");
    }

    #[test]
    fn a_certificate_bound_subject_token_is_exchanged_by_its_holder_rfc8705_3() {
        let svc = service(ExchangeMode::Delegate);
        let bound = Subject { bound_to_certificate: Some("x5t-a".into()), ..subject("trips:read", 600) };
        let with_cert =
            |c: Option<&str>| ExchangeRequest { certificate: c.map(str::to_owned), ..request(None, &[API]) };
        assert!(serve(&svc, &bound, &with_cert(Some("x5t-a"))).is_ok(), "the certificate's holder");
        for other in [None, Some("x5t-b")] {
            assert_eq!(serve(&svc, &bound, &with_cert(other)).unwrap_err(), ErrorCode::InvalidRequest, "{other:?}");
        }
        let a = agent("agent-a", 2);
        let d = [delegation("agent-a", "trips:read", 3600)];
        assert_eq!(run(&a, &bound, &with_cert(None), &d).unwrap_err(), ErrorCode::InvalidRequest, "agents alike");
        let handed = Subject { audiences: vec!["svc".into()], ..bound };
        assert!(serve(&svc, &handed, &with_cert(None)).is_ok(), "handed to the service");
        let claims = json!({"sub": "u1", "scope": "a", "exp": 10, "cnf": {"x5t#S256": "x5t-a"}});
        let read = Subject::from_claims(claims.as_object().unwrap(), |_| true).unwrap();
        assert_eq!((read.bound_to_certificate.as_deref(), read.bound_to), (Some("x5t-a"), None));
    }

    #[test]
    fn reading_claims() {
        let claims = json!({"sub": "u1", "scope": "a b", "exp": 10, "client_id": "agent-a",
            "delegation_chain": ["d1"], "may_act": {"sub": ["x", "y"]}});
        let s = Subject::from_claims(claims.as_object().unwrap(), |_| true).unwrap();
        assert_eq!(s.actors, ["agent-a"], "an agent's own delegated token");
        assert_eq!(s.may_act, Some(vec!["x".into(), "y".into()]));
        let nested = json!({"sub": "u1", "scope": "a", "exp": 10, "client_id": "b",
            "act": {"sub": "b", "act": {"sub": "a"}}});
        assert_eq!(Subject::from_claims(nested.as_object().unwrap(), |_| true).unwrap().actors, ["b", "a"]);
        assert!(Subject::from_claims(nested.as_object().unwrap(), |_| false).is_none(), "not a user");
        let bad = json!({"sub": "u1", "exp": 1, "act": {"iss": "x"}});
        assert!(Subject::from_claims(bad.as_object().unwrap(), |_| true).is_none());
        assert_eq!(nest(&["b".into(), "a".into()]), Some(json!({"sub": "b", "act": {"sub": "a"}})));
        assert_eq!(may_act(&["x".into()]), Some(json!({"sub": "x"})));
    }
}
