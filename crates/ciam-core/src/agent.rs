//! AI agents and the delegations users give them.
//!
//! An agent is an OAuth client with an [`AgentProfile`]: every client rule (authentication,
//! grant types, redirect URIs) applies to it, and the profile adds an owner, ceilings and a
//! status. A [`Delegation`] is the durable record of one user's approval: "agent A may act for
//! me with scopes S on audiences R until T". Token exchange (RFC 8693) issues tokens only inside
//! an active delegation, and every token derived from one dies with it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{ClientId, TenantId, UserId};
use crate::scope::ScopeSet;
use crate::validation::{FieldError, Rule, Unit};

/// Default ceiling of an agent's access tokens, seconds.
pub const DEFAULT_MAX_TOKEN_LIFETIME: u32 = 300;
/// The highest ceiling an agent may be given, seconds.
pub const MAX_TOKEN_LIFETIME_LIMIT: u32 = 3600;
/// Default number of agents an `act` chain may hold.
pub const DEFAULT_MAX_CHAIN_DEPTH: u8 = 2;
/// The longest chain any agent may be allowed.
pub const CHAIN_DEPTH_LIMIT: u8 = 5;
/// Default lifetime of a delegation a user approves, seconds (30 days).
pub const DEFAULT_DELEGATION_LIFETIME: u32 = 30 * 24 * 3600;
/// The longest a delegation may last, seconds (365 days).
pub const DELEGATION_LIFETIME_LIMIT: u32 = 365 * 24 * 3600;
/// The most audiences one agent may be allowed.
pub const MAX_AUDIENCES: usize = 20;

/// Who operates an agent. On the wire: `{"type": "user" | "client", "id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum AgentOwner {
    /// A user of the tenant (a personal agent).
    User(UserId),
    /// A client of the tenant (an app that embeds the agent); users of that app get `may_act`
    /// for this agent in their access tokens once they delegated to it.
    Client(ClientId),
}

/// Whether an agent may act.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    /// Authenticates and exchanges tokens.
    Active,
    /// Authenticates nowhere; every token derived from it is inactive.
    Suspended,
}

/// What makes a client an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentProfile {
    /// What the agent does, shown to users on the approval page.
    pub description: String,
    /// Who operates it.
    pub owner: AgentOwner,
    /// Audiences (resource URIs, RFC 8707) the agent may get tokens for.
    pub allowed_audiences: Vec<String>,
    /// Ceiling of its access tokens' lifetime, seconds.
    pub max_token_lifetime: u32,
    /// How many agents an `act` chain ending with this one may hold.
    pub max_chain_depth: u8,
    /// How long a delegation to this agent lasts once approved, seconds.
    pub delegation_lifetime: u32,
    /// Active or suspended.
    pub status: AgentStatus,
}

impl AgentProfile {
    /// Field rules. Errors name the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.description.chars().count() > 500 {
            return Err(FieldError::rule("description", Rule::TooLong { max: 500 }));
        }
        if self.allowed_audiences.len() > MAX_AUDIENCES {
            return Err(FieldError::new("allowed_audiences", format!("at most {MAX_AUDIENCES} audiences")));
        }
        for (i, a) in self.allowed_audiences.iter().enumerate() {
            validate_audience(a).map_err(|e| FieldError::new(format!("allowed_audiences[{i}]"), e.message))?;
        }
        if !(30..=MAX_TOKEN_LIFETIME_LIMIT).contains(&self.max_token_lifetime) {
            return Err(FieldError::rule(
                "max_token_lifetime",
                Rule::Between { min: 30, max: u64::from(MAX_TOKEN_LIFETIME_LIMIT), unit: Unit::Seconds },
            ));
        }
        if !(1..=CHAIN_DEPTH_LIMIT).contains(&self.max_chain_depth) {
            return Err(FieldError::rule(
                "max_chain_depth",
                Rule::Between { min: 1, max: u64::from(CHAIN_DEPTH_LIMIT), unit: Unit::Number },
            ));
        }
        if !(60..=DELEGATION_LIFETIME_LIMIT).contains(&self.delegation_lifetime) {
            return Err(FieldError::rule(
                "delegation_lifetime",
                Rule::Between { min: 60, max: u64::from(DELEGATION_LIFETIME_LIMIT), unit: Unit::Seconds },
            ));
        }
        Ok(())
    }

    /// Whether the agent may act.
    pub fn is_active(&self) -> bool {
        self.status == AgentStatus::Active
    }
}

/// An audience is an absolute URI without a fragment (RFC 8707 §2), at most 2000 characters.
pub fn validate_audience(a: &str) -> Result<(), FieldError> {
    let ok = a.len() <= 2000
        && url::Url::parse(a).is_ok_and(|u| !u.cannot_be_a_base() && u.fragment().is_none() && u.has_host());
    if ok { Ok(()) } else { Err(FieldError::new("", "must be an absolute URI with a host and no fragment")) }
}

/// A user's approval for an agent to act on their behalf.
#[derive(Debug, Clone, PartialEq)]
pub struct Delegation {
    /// The tenant.
    pub tenant_id: TenantId,
    /// `dlg_` followed by 22 random characters.
    pub id: String,
    /// The user who approved.
    pub user_id: UserId,
    /// The agent that may act.
    pub agent_id: ClientId,
    /// The most the agent may ask for.
    pub scope: ScopeSet,
    /// The audiences its tokens may name.
    pub audiences: Vec<String>,
    /// When the user approved.
    pub created_at: OffsetDateTime,
    /// When it ends by itself.
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Delegation {
    /// A new delegation id.
    pub fn generate_id() -> String {
        format!("dlg_{}", crate::secret::random_token(16))
    }

    /// Whether the delegation is neither revoked nor expired at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether the delegation covers `scope` and every audience in `audiences`.
    pub fn covers(&self, scope: &ScopeSet, audiences: &[String]) -> bool {
        scope.is_subset(&self.scope) && audiences.iter().all(|a| self.audiences.contains(a))
    }

    /// `active`, `revoked` or `expired`.
    pub fn state(&self, now: OffsetDateTime) -> &'static str {
        match (self.revoked_at, self.is_active(now)) {
            (Some(_), _) => "revoked",
            (None, true) => "active",
            (None, false) => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn profile() -> AgentProfile {
        AgentProfile {
            description: "Books trips".into(),
            owner: AgentOwner::Client(ClientId::parse("travel-app").unwrap()),
            allowed_audiences: vec!["https://api.example/".into()],
            max_token_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            max_chain_depth: DEFAULT_MAX_CHAIN_DEPTH,
            delegation_lifetime: DEFAULT_DELEGATION_LIFETIME,
            status: AgentStatus::Active,
        }
    }

    #[test]
    fn profile_rules() {
        assert!(profile().validate().is_ok());
        type Change = fn(&mut AgentProfile);
        let cases: Vec<(Change, &str)> = vec![
            (|p| p.max_token_lifetime = 10, "max_token_lifetime"),
            (|p| p.max_token_lifetime = 7200, "max_token_lifetime"),
            (|p| p.max_chain_depth = 0, "max_chain_depth"),
            (|p| p.max_chain_depth = 6, "max_chain_depth"),
            (|p| p.delegation_lifetime = 1, "delegation_lifetime"),
            (|p| p.allowed_audiences = vec!["not a uri".into()], "allowed_audiences[0]"),
            (|p| p.allowed_audiences = vec!["https://a.example/#frag".into()], "allowed_audiences[0]"),
            (|p| p.allowed_audiences = vec!["urn:x:y".into()], "allowed_audiences[0]"),
            (|p| p.description = "x".repeat(501), "description"),
        ];
        for (change, field) in cases {
            let mut p = profile();
            change(&mut p);
            assert_eq!(p.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn owner_wire_format() {
        let v = serde_json::to_value(AgentOwner::Client(ClientId::parse("app").unwrap())).unwrap();
        assert_eq!(v, serde_json::json!({"type": "client", "id": "app"}));
        assert!(serde_json::from_value::<AgentOwner>(serde_json::json!({"type": "robot", "id": "x"})).is_err());
    }

    #[test]
    fn delegation_state_and_coverage() {
        let now = datetime!(2026-12-01 12:00 UTC);
        let d = Delegation {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: Delegation::generate_id(),
            user_id: UserId::generate(),
            agent_id: ClientId::parse("agent").unwrap(),
            scope: ScopeSet::parse_space_separated("trips:read trips:book").unwrap(),
            audiences: vec!["https://api.example/".into()],
            created_at: now,
            expires_at: now + time::Duration::days(1),
            revoked_at: None,
        };
        let s = |x| ScopeSet::parse_space_separated(x).unwrap();
        assert!(d.is_active(now) && d.state(now) == "active");
        assert!(!d.is_active(d.expires_at) && d.state(d.expires_at) == "expired");
        let revoked = Delegation { revoked_at: Some(now), ..d.clone() };
        assert_eq!(revoked.state(now), "revoked");
        assert!(d.covers(&s("trips:read"), &["https://api.example/".into()]));
        assert!(!d.covers(&s("trips:read trips:cancel"), &[]));
        assert!(!d.covers(&s("trips:read"), &["https://other.example/".into()]));
        assert!(d.id.starts_with("dlg_") && d.id.len() > 20);
    }
}
