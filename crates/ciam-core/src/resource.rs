//! Resources: the APIs of a tenant that tokens are issued for (RFC 8707 `resource`). A resource
//! has an identifier (the audience URI its tokens carry), the scopes it defines and the lifetime
//! of its access tokens. A token for a registered resource never carries a scope the resource
//! does not define.
//!
//! A resource may have credentials of its own for the introspection endpoint (RFC 7662 §2.1): a
//! server-generated secret (`client_secret_basic`) or its public keys (`private_key_jwt`). It
//! authenticates there as the client [`Resource::client_id`], `resource.{id}`, a name no client
//! can have, and learns only about tokens whose audience it is.

use time::OffsetDateTime;

use crate::agent::validate_audience;
use crate::client::{AuthMethod, Client, ClientType, validate_keys};
use crate::id::{ClientId, ResourceId, TenantId};
use crate::scope::ScopeSet;
use crate::validation::{FieldError, Rule, Unit};

/// Default lifetime of access tokens for a resource, seconds.
pub const DEFAULT_RESOURCE_TOKEN_LIFETIME: u32 = 900;

/// A registered API.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Id in management URLs.
    pub id: ResourceId,
    /// The audience URI (`aud` of its tokens, `resource` parameter value).
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// The scopes it defines.
    pub scopes: ScopeSet,
    /// Lifetime of access tokens for it, seconds (60-86400).
    pub access_token_lifetime: u32,
    /// How it authenticates at the introspection endpoint; `None`: it does not introspect.
    pub introspection: Option<IntrospectionAuth>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// The credentials a resource introspects with.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrospectionAuth {
    /// `client_secret_basic` (the secret is stored apart, as a hash) or `private_key_jwt`.
    pub method: AuthMethod,
    /// URL of its public keys, for `private_key_jwt`.
    pub jwks_uri: Option<String>,
    /// Its public keys inline (a JWK Set), for `private_key_jwt`.
    pub jwks: Option<serde_json::Value>,
}

/// What the `client_id` of every resource begins with (client ids cannot: [`Client::validate`]).
pub const RESOURCE_CLIENT_ID_PREFIX: &str = "resource.";

/// The resource a client id names, when it has the form `resource.{id}`.
pub fn resource_of_client_id(client_id: &ClientId) -> Option<ResourceId> {
    client_id.as_str().strip_prefix(RESOURCE_CLIENT_ID_PREFIX).and_then(|id| ResourceId::parse(id).ok())
}

impl Resource {
    /// Field rules; errors name the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_audience(&self.identifier).map_err(|e| FieldError::new("identifier", e.message))?;
        if !(60..=86_400).contains(&self.access_token_lifetime) {
            return Err(FieldError::rule(
                "access_token_lifetime",
                Rule::Between { min: 60, max: 86_400, unit: Unit::Seconds },
            ));
        }
        if let Some(auth) = &self.introspection {
            if !matches!(auth.method, AuthMethod::ClientSecretBasic | AuthMethod::PrivateKeyJwt) {
                return Err(FieldError::new(
                    "introspection_auth_method",
                    "must be client_secret_basic or private_key_jwt",
                ));
            }
            if auth.method == AuthMethod::ClientSecretBasic && (auth.jwks.is_some() || auth.jwks_uri.is_some()) {
                return Err(FieldError::new("jwks", "keys are for private_key_jwt only"));
            }
            validate_keys(auth.method, auth.jwks.as_ref(), auth.jwks_uri.as_deref())?;
        }
        Ok(())
    }

    /// The client id it introspects as: `resource.{id}`.
    pub fn client_id(&self) -> ClientId {
        ClientId::of_resource(&self.id)
    }

    /// The resource as the client it introspects as, when it has credentials: confidential, its
    /// method and keys, no grant, no scope, no redirect URI, so it can obtain nothing.
    pub fn as_introspecting_client(&self) -> Option<Client> {
        let auth = self.introspection.as_ref()?;
        Some(Client {
            tenant_id: self.tenant_id.clone(),
            client_id: self.client_id(),
            name: self.name.clone(),
            client_type: ClientType::Confidential,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            grant_types: Vec::new(),
            token_endpoint_auth_method: auth.method,
            scopes: ScopeSet::default(),
            jwks_uri: auth.jwks_uri.clone(),
            jwks: auth.jwks.clone(),
            require_pushed_authorization_requests: false,
            id_token_signed_response_alg: None,
            opaque_access_tokens: false,
            dpop_bound_access_tokens: false,
            agent: None,
            security_profile: None,
            token_exchange: None,
            require_signed_request_object: false,
            authorization_signed_response_alg: None,
            saml: None,
            backchannel: None,
            first_party: false,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    /// Narrows `requested` (or, when absent, `allowed`) to what this resource defines; `None`
    /// when a requested scope is not defined here.
    pub fn scope_for(&self, requested: Option<&ScopeSet>, allowed: &ScopeSet) -> Option<ScopeSet> {
        match requested {
            Some(r) if r.is_subset(&self.scopes) && r.is_subset(allowed) => Some(r.clone()),
            Some(_) => None,
            None => Some(allowed.intersect(&self.scopes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn api() -> Resource {
        Resource {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: ResourceId::parse("trips").unwrap(),
            identifier: "https://trips.example/api".into(),
            name: "Trips".into(),
            scopes: ScopeSet::parse_space_separated("trips:read trips:book").unwrap(),
            access_token_lifetime: DEFAULT_RESOURCE_TOKEN_LIFETIME,
            introspection: None,
            created_at: datetime!(2026-12-01 0:00 UTC),
            updated_at: datetime!(2026-12-01 0:00 UTC),
        }
    }

    #[test]
    fn rules_and_scope_narrowing() {
        assert!(api().validate().is_ok());
        assert_eq!(Resource { identifier: "nope".into(), ..api() }.validate().unwrap_err().field, "identifier");
        assert_eq!(
            Resource { access_token_lifetime: 5, ..api() }.validate().unwrap_err().field,
            "access_token_lifetime"
        );
        let s = |x| ScopeSet::parse_space_separated(x).unwrap();
        let client = s("trips:read orders:read");
        assert_eq!(api().scope_for(None, &client), Some(s("trips:read")), "only what the resource defines");
        assert_eq!(api().scope_for(Some(&s("trips:read")), &client), Some(s("trips:read")));
        assert_eq!(api().scope_for(Some(&s("orders:read")), &client), None, "not defined by this resource");
        assert_eq!(api().scope_for(Some(&s("trips:book")), &client), None, "not allowed to the client");
    }

    #[test]
    fn introspection_credentials_and_the_client_a_resource_is() {
        assert_eq!(api().client_id().as_str(), "resource.trips");
        assert_eq!(resource_of_client_id(&api().client_id()), Some(api().id));
        assert_eq!(resource_of_client_id(&ClientId::parse("trips").unwrap()), None);
        assert_eq!(resource_of_client_id(&ClientId::parse("resource.Trips").unwrap()), None, "not a resource id");
        assert!(api().as_introspecting_client().is_none(), "no credentials: it does not introspect");
        let auth = |method, jwks: Option<serde_json::Value>, jwks_uri: Option<&str>| Resource {
            introspection: Some(IntrospectionAuth { method, jwks, jwks_uri: jwks_uri.map(str::to_owned) }),
            ..api()
        };
        let keys = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]});
        assert!(auth(AuthMethod::ClientSecretBasic, None, None).validate().is_ok());
        assert!(auth(AuthMethod::PrivateKeyJwt, Some(keys.clone()), None).validate().is_ok());
        assert!(auth(AuthMethod::PrivateKeyJwt, None, Some("https://trips.example/jwks")).validate().is_ok());
        let field = |r: Resource| r.validate().unwrap_err().field;
        assert_eq!(field(auth(AuthMethod::PrivateKeyJwt, None, None)), "jwks_uri", "keys needed");
        assert_eq!(field(auth(AuthMethod::ClientSecretBasic, Some(keys), None)), "jwks");
        assert_eq!(field(auth(AuthMethod::None, None, None)), "introspection_auth_method");
        assert_eq!(field(auth(AuthMethod::ClientSecretPost, None, None)), "introspection_auth_method");
        assert_eq!(field(auth(AuthMethod::PrivateKeyJwt, None, Some("http://trips.example/jwks"))), "jwks_uri");
        let client = auth(AuthMethod::ClientSecretBasic, None, None).as_introspecting_client().unwrap();
        assert_eq!(client.client_id.as_str(), "resource.trips");
        assert_eq!(client.token_endpoint_auth_method, AuthMethod::ClientSecretBasic);
        assert!(client.grant_types.is_empty() && client.scopes.is_empty() && client.redirect_uris.is_empty());
        // No client may take a resource's name.
        let mut named = client;
        named.grant_types = vec![crate::client::GrantType::ClientCredentials];
        named.client_id = ClientId::parse("resource.trips").unwrap();
        assert_eq!(named.validate().unwrap_err().field, "client_id");
    }
}
