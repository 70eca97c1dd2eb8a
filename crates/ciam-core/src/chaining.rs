//! Identity and authorization chaining across trust domains (draft-ietf-oauth-identity-chaining):
//! which other domains' authorization servers a tenant issues JWT authorization grants for, and
//! whose grants it accepts (RFC 7523 §2.1), with how their subjects map to its users.

use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// A tenant's chaining settings (`settings.identity_chaining`). Empty by default: no grants are
/// issued and none are accepted.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityChainingSettings {
    /// The authorization servers of other trust domains (their issuer identifiers) this tenant
    /// issues JWT authorization grants for: a token exchange with
    /// `requested_token_type=urn:ietf:params:oauth:token-type:jwt` and one of them as `audience`.
    pub grant_audiences: Vec<String>,
    /// The issuers whose JWT authorization grants this tenant accepts.
    pub trusted_issuers: Vec<TrustedIssuer>,
}

/// Another trust domain's authorization server whose grants a tenant accepts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// Its issuer identifier (the grants' `iss`).
    pub issuer: String,
    /// Where its signing keys are published (fetched and cached; `jwks` instead for keys given
    /// here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Its signing keys, as a JWK Set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub jwks: Option<serde_json::Value>,
    /// The resources (RFC 8707 identifiers) tokens from its grants may be for; empty: only this
    /// tenant's own audience.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// How a grant's subject is found among the tenant's users.
    #[serde(default)]
    pub subject: SubjectMapping,
}

/// How a grant's subject becomes one of the tenant's users.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectMapping {
    /// The grant's `email` claim is the address of a user here.
    #[default]
    Email,
    /// The grant's `sub` is the id of a user here (domains that share their user ids).
    UserId,
}

impl IdentityChainingSettings {
    /// Checks the settings (the field paths are under `identity_chaining`).
    pub fn validate(&self) -> Result<(), FieldError> {
        for (i, peer) in self.grant_audiences.iter().enumerate() {
            crate::federation::issuer_url(peer)
                .map_err(|e| FieldError::new(format!("identity_chaining.grant_audiences[{i}]"), e.message))?;
        }
        for (i, t) in self.trusted_issuers.iter().enumerate() {
            let at = |f: &str| format!("identity_chaining.trusted_issuers[{i}].{f}");
            crate::federation::issuer_url(&t.issuer).map_err(|e| FieldError::new(at("issuer"), e.message))?;
            match (&t.jwks_uri, &t.jwks) {
                (Some(uri), None) => {
                    crate::federation::issuer_url(uri).map_err(|e| FieldError::new(at("jwks_uri"), e.message))?;
                }
                (None, Some(set)) if set.get("keys").is_some_and(serde_json::Value::is_array) => {}
                (None, Some(_)) => return Err(FieldError::new(at("jwks"), "must be a JWK Set ({\"keys\": [...]})")),
                _ => return Err(FieldError::new(at("jwks_uri"), "exactly one of jwks_uri and jwks is needed")),
            }
            if t.audiences.iter().any(|a| url::Url::parse(a).is_err()) {
                return Err(FieldError::new(at("audiences"), "must be absolute URIs (RFC 8707)"));
            }
        }
        if self
            .trusted_issuers
            .iter()
            .enumerate()
            .any(|(i, t)| self.trusted_issuers.iter().skip(i + 1).any(|o| o.issuer == t.issuer))
        {
            return Err(FieldError::new("identity_chaining.trusted_issuers", "names an issuer twice"));
        }
        Ok(())
    }
}
