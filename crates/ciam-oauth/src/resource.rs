//! The resource rule (RFC 8707 §2): how the resources an access token is aimed at bound it.
//!
//! One rule for every grant: a registered resource caps the token's lifetime at its own token
//! lifetime and narrows its scope to what it defines. What differs between grants is said here,
//! in [`Aiming`], not in the grants:
//!
//! - a client for itself (`client_credentials`) names one registered resource; a requested scope
//!   must be defined by it, and without one the token keeps what it defines;
//! - a user's grant may name several resources: the token keeps the granted scopes that any of
//!   them defines. An app names only registered resources; an agent may also be aimed at an API
//!   its delegation names (then the scope is left as granted);
//! - a token exchange (RFC 8693) is bounded by each registered target in turn; targets that are
//!   not registered were checked before: against the agent's allowed audiences, or for a
//!   service against its exchange permission (and they must be a client or the issuer of the
//!   tenant).

use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;

use crate::error::{ErrorCode, OAuthError};
use crate::token::AccessTokenClaims;

/// Which grant a token is aimed for (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aiming {
    /// `client_credentials` (RFC 6749 §4.4): the one resource must be registered.
    Client,
    /// A user's grant (a code, a refresh, a device approval); `agent` when issued to an agent.
    User {
        /// Whether the client is an agent, which may be aimed at unregistered APIs.
        agent: bool,
    },
    /// A token exchange (RFC 8693), by an agent or a service.
    Exchange,
}

/// Aims `claims` at `targets` (each with the registered resource it names, if any): sets the
/// audience (except for an exchange, whose audience is already its targets), caps the lifetime
/// and narrows the scope. `requested` is the scope the token request asked for, if any.
pub fn aim(
    claims: &mut AccessTokenClaims,
    targets: &[(String, Option<Resource>)],
    requested: Option<&ScopeSet>,
    aiming: Aiming,
) -> Result<(), OAuthError> {
    if targets.is_empty() {
        return Ok(());
    }
    let scope = ScopeSet::parse_space_separated(&claims.scope).map_err(|e| OAuthError::server_error(e.message))?;
    // What each resource in turn leaves (client credentials, exchange); `None`: not narrowed yet.
    let mut narrowed: Option<ScopeSet> = None;
    let mut defined = Vec::new();
    let mut all_registered = true;
    for (target, resource) in targets {
        let Some(r) = resource else {
            match aiming {
                Aiming::Client => return Err(OAuthError::new(ErrorCode::InvalidTarget, "unknown resource")),
                Aiming::User { agent: false } => {
                    return Err(OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known here"));
                }
                Aiming::User { agent: true } => all_registered = false,
                Aiming::Exchange => {}
            }
            continue;
        };
        claims.exp = claims.exp.min(claims.iat + i64::from(r.access_token_lifetime));
        match aiming {
            Aiming::User { .. } => defined.extend(r.scopes.to_vec()),
            Aiming::Client | Aiming::Exchange => {
                let so_far = narrowed.as_ref().unwrap_or(&scope);
                narrowed = Some(r.scope_for(requested, so_far).ok_or_else(|| match aiming {
                    Aiming::Client => {
                        OAuthError::new(ErrorCode::InvalidScope, "the requested scope is not defined by the resource")
                    }
                    _ => OAuthError::new(
                        ErrorCode::InvalidScope,
                        format!("{target} does not define the requested scope"),
                    ),
                })?);
            }
        }
    }
    match aiming {
        Aiming::User { .. } if all_registered => {
            let defined = ScopeSet::from_list(&defined).map_err(|e| OAuthError::server_error(e.message))?;
            claims.scope = scope.intersect(&defined).to_string();
        }
        Aiming::User { .. } => {}
        Aiming::Client | Aiming::Exchange => {
            if let Some(narrowed) = narrowed {
                claims.scope = narrowed.to_string();
            }
        }
    }
    if aiming != Aiming::Exchange {
        claims.aud = targets.iter().map(|(t, _)| t.clone()).collect();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ciam_core::id::{ResourceId, TenantId};
    use time::OffsetDateTime;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

    fn s(v: &str) -> ScopeSet {
        ScopeSet::parse_space_separated(v).unwrap()
    }

    fn api(uri: &str, scopes: &str, lifetime: u32) -> Resource {
        Resource {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: ResourceId::parse("api").unwrap(),
            identifier: uri.into(),
            name: "API".into(),
            scopes: s(scopes),
            access_token_lifetime: lifetime,
            introspection: None,
            created_at: NOW,
            updated_at: NOW,
        }
    }

    fn claims(scope: &str) -> AccessTokenClaims {
        AccessTokenClaims::new("https://id/t/acme", "u", vec!["https://id/t/acme".into()], 900, "c", scope.into(), NOW)
    }

    #[test]
    fn a_user_token_keeps_what_any_of_its_resources_defines_rfc8707_2_2() {
        let targets = [
            ("https://a".to_owned(), Some(api("https://a", "a:read", 300))),
            ("https://b".to_owned(), Some(api("https://b", "b:read", 600))),
        ];
        let mut at = claims("openid a:read b:read c:read");
        aim(&mut at, &targets, None, Aiming::User { agent: false }).unwrap();
        assert_eq!(at.scope, "a:read b:read");
        assert_eq!(at.exp - at.iat, 300, "the shortest lifetime wins");
        assert_eq!(at.aud, ["https://a", "https://b"]);
    }

    #[test]
    fn an_app_is_never_aimed_at_an_unregistered_api_but_an_agent_may_be() {
        let targets = [("https://free".to_owned(), None)];
        let mut at = claims("a:read");
        let e = aim(&mut at, &targets, None, Aiming::User { agent: false }).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTarget);
        aim(&mut at, &targets, None, Aiming::User { agent: true }).unwrap();
        assert_eq!((at.scope.as_str(), at.aud.as_slice()), ("a:read", &["https://free".to_owned()][..]));
        let e = aim(&mut claims("a:read"), &targets, None, Aiming::Client).unwrap_err();
        assert_eq!((e.code, e.description.as_ref()), (ErrorCode::InvalidTarget, "unknown resource"));
    }

    #[test]
    fn a_requested_scope_must_be_defined_by_each_resource() {
        let targets = [("https://a".to_owned(), Some(api("https://a", "a:read a:write", 600)))];
        let mut at = claims("a:read a:write x");
        aim(&mut at, &targets, None, Aiming::Client).unwrap();
        assert_eq!(at.scope, "a:read a:write");
        let mut at = claims("a:read");
        aim(&mut at, &targets, Some(&s("a:read")), Aiming::Exchange).unwrap();
        assert_eq!(at.scope, "a:read");
        assert_eq!(at.aud, ["https://id/t/acme"], "an exchange's audience is set by the exchange");
        let e = aim(&mut claims("x"), &targets, Some(&s("x")), Aiming::Exchange).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidScope);
        let e = aim(&mut claims("x"), &targets, Some(&s("x")), Aiming::Client).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidScope);
    }
}
