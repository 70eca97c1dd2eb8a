//! OAuth clients (RFC 6749 §2, RFC 7591 §2 metadata names): applications that send users to the
//! server and redeem codes, and machines that authenticate with their own credentials.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::agent::AgentProfile;
use crate::id::{ClientId, TenantId};
use crate::redirect::{RedirectKind, RedirectUri};
use crate::saml_app::SamlApp;
use crate::scope::ScopeSet;
use crate::tenant::https_url;
use crate::validation::FieldError;

/// A registered client.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// The tenant the client belongs to.
    pub tenant_id: TenantId,
    /// The `client_id`.
    pub client_id: ClientId,
    /// Name shown on consent pages.
    pub name: String,
    /// Confidential (can keep a secret) or public (browser and native apps).
    pub client_type: ClientType,
    /// Exact redirect URIs (RFC 6749 §3.1.2).
    pub redirect_uris: Vec<RedirectUri>,
    /// Where RP-initiated logout may return to.
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// Grants the client may use.
    pub grant_types: Vec<GrantType>,
    /// How the client authenticates at the token endpoint.
    pub token_endpoint_auth_method: AuthMethod,
    /// The most the client may ask for.
    pub scopes: ScopeSet,
    /// URL of the client's public keys, for `private_key_jwt` (RFC 7523).
    pub jwks_uri: Option<String>,
    /// The client's public keys inline (a JWK Set), for `private_key_jwt`.
    pub jwks: Option<serde_json::Value>,
    /// Whether authorization requests must be pushed first (RFC 9126 §6).
    pub require_pushed_authorization_requests: bool,
    /// The JWS algorithm of this client's ID tokens (`RS256`, the default, or `ES256`).
    pub id_token_signed_response_alg: Option<String>,
    /// Issue opaque access tokens (validated by introspection) instead of JWTs.
    pub opaque_access_tokens: bool,
    /// Access tokens must be bound to a DPoP proof key (RFC 9449 §5.2); agents default to it.
    pub dpop_bound_access_tokens: bool,
    /// One of the tenant's own applications: its users are not asked for consent (only with
    /// `prompt=consent` or authorization details). Set by an administrator, never by dynamic
    /// registration; never an agent (its delegation is the user's approval).
    pub first_party: bool,
    /// Present when the client is an AI agent: its owner, ceilings and status.
    pub agent: Option<AgentProfile>,
    /// The security profile the client follows; `None` follows the tenant's default
    /// (`settings.security_profile`).
    pub security_profile: Option<SecurityProfile>,
    /// For a confidential client that is not an agent: the token exchanges (RFC 8693) it may make
    /// on a user's behalf. `None`: it makes none.
    pub token_exchange: Option<ExchangePermission>,
    /// Authorization requests must come as a signed request object (RFC 9101 §10.5).
    pub require_signed_request_object: bool,
    /// The JWS algorithm of signed authorization responses (JARM, `response_mode=jwt`): `RS256`
    /// (the default) or `ES256`.
    pub authorization_signed_response_alg: Option<String>,
    /// Present when the client is a SAML application (ciam is its SAML identity provider).
    pub saml: Option<SamlApp>,
    /// For a client of the backchannel authentication grant (OpenID CIBA Core 1.0): how it
    /// gets its tokens.
    pub backchannel: Option<Backchannel>,
    /// When the client was created.
    pub created_at: OffsetDateTime,
    /// When the client was last changed.
    pub updated_at: OffsetDateTime,
}

/// RFC 6749 §2.1 client types.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    /// Can keep a credential secret (server-side apps, services).
    Confidential,
    /// Cannot (single-page and native apps); must use PKCE.
    Public,
}

/// Grant types this server implements (or will, as the registry grows), by their RFC names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GrantType {
    /// RFC 6749 §4.1.
    #[serde(rename = "authorization_code")]
    AuthorizationCode,
    /// RFC 6749 §6.
    #[serde(rename = "refresh_token")]
    RefreshToken,
    /// RFC 6749 §4.4.
    #[serde(rename = "client_credentials")]
    ClientCredentials,
    /// RFC 8693.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:token-exchange")]
    TokenExchange,
    /// RFC 8628.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:device_code")]
    DeviceCode,
    /// RFC 7523 §2.1: a JWT authorization grant of a trusted issuer (identity chaining).
    #[serde(rename = "urn:ietf:params:oauth:grant-type:jwt-bearer")]
    JwtBearer,
    /// OpenID CIBA Core 1.0 §10.1: tokens for a backchannel authentication the user approved.
    #[serde(rename = "urn:openid:params:grant-type:ciba")]
    Ciba,
}

impl GrantType {
    /// Every grant type, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::TokenExchange,
        Self::DeviceCode,
        Self::JwtBearer,
        Self::Ciba,
    ];

    /// The registered name, as in `grant_type` (and in the serde form).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
            Self::Ciba => "urn:openid:params:grant-type:ciba",
        }
    }

    /// The grant type registered as `name`, if this server implements it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// How a client of the backchannel authentication grant gets its tokens (CIBA Core §5).
/// `push` is not offered: FAPI-CIBA drops it, and it hands tokens to an endpoint unasked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// The client polls the token endpoint.
    Poll,
    /// The server notifies the client's endpoint when the user has answered; the client then
    /// calls the token endpoint.
    Ping,
}

/// A client's backchannel authentication settings (CIBA Core §4 client metadata).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backchannel {
    /// `backchannel_token_delivery_mode`.
    pub token_delivery_mode: DeliveryMode,
    /// `backchannel_client_notification_endpoint`: where a `ping` goes. https (http only on a
    /// loopback address, for development).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_notification_endpoint: Option<String>,
}

impl Backchannel {
    /// The settings that client metadata's two flat fields describe (`None` without a mode).
    pub fn from_metadata(mode: Option<DeliveryMode>, endpoint: Option<String>) -> Result<Option<Self>, FieldError> {
        match (mode, endpoint) {
            (Some(token_delivery_mode), client_notification_endpoint) => {
                Ok(Some(Self { token_delivery_mode, client_notification_endpoint }))
            }
            (None, Some(_)) => Err(FieldError::new(
                "backchannel_client_notification_endpoint",
                "needs backchannel_token_delivery_mode ping",
            )),
            (None, None) => Ok(None),
        }
    }

    /// Checks the settings of a client of the CIBA grant.
    pub fn validate(&self) -> Result<(), FieldError> {
        const ENDPOINT: &str = "backchannel_client_notification_endpoint";
        match (self.token_delivery_mode, &self.client_notification_endpoint) {
            (DeliveryMode::Ping, None) => Err(FieldError::new(ENDPOINT, "the ping mode needs a notification endpoint")),
            (DeliveryMode::Poll, Some(_)) => {
                Err(FieldError::new(ENDPOINT, "only the ping mode has a notification endpoint"))
            }
            (DeliveryMode::Ping, Some(uri)) => notification_endpoint(uri).map_err(|e| e.under(ENDPOINT)),
            (DeliveryMode::Poll, None) => Ok(()),
        }
    }
}

/// A notification endpoint: https, or http on a loopback address (a developer's machine); no
/// credentials or fragment (CIBA Core §4).
fn notification_endpoint(uri: &str) -> Result<(), FieldError> {
    let Ok(url) = url::Url::parse(uri) else { return Err(FieldError::new("", "must be an absolute URL")) };
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() || uri.len() > 2000 {
        return Err(FieldError::new("", "must have no fragment or credentials, in at most 2000 characters"));
    }
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        return Ok(());
    }
    Err(FieldError::new("", "must be https (http only on a loopback address)"))
}

/// Token endpoint authentication methods (RFC 7591 §2, OIDC Core §9).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the client secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// Client secret in the form body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523).
    PrivateKeyJwt,
    /// No authentication: public clients, which must use PKCE.
    None,
}

impl AuthMethod {
    /// The registered name (`client_secret_basic`, …), as in client metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    /// Whether the method uses a server-issued shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

/// A security profile: the set of rules a client's requests are held to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityProfile {
    /// OAuth 2.1 practice: PKCE S256, exact redirect URIs, single-use codes (the default).
    #[default]
    Standard,
    /// The FAPI 2.0 Security Profile (docs/oidc.md, "FAPI 2.0"): pushed and signed requests,
    /// sender-constrained tokens, `private_key_jwt`, PS256/ES256/EdDSA only.
    Fapi2,
}

/// The token exchanges (RFC 8693) an ordinary confidential client may make: the classic
/// service-to-service "on behalf of" call.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangePermission {
    /// The audiences (resource URIs or client ids) the client may exchange tokens for, 1-20.
    pub audiences: Vec<String>,
    /// `delegate` (the new token names the client in `act`, RFC 8693 §4.1) or `impersonate` (it
    /// does not). Default `delegate`.
    #[serde(default)]
    pub mode: ExchangeMode,
}

/// How an ordinary client's exchanged token stands for the user.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeMode {
    /// The token carries `act` naming the client: it acts for the user, visibly.
    #[default]
    Delegate,
    /// The token stands for the user alone, without `act`.
    Impersonate,
}

/// The most audiences an [`ExchangePermission`] may list.
pub const MAX_EXCHANGE_AUDIENCES: usize = 20;

/// ID token (and JARM response) algorithms a client may choose (the tenant has keys for these).
pub const ID_TOKEN_ALGS: [&str; 2] = ["RS256", "ES256"];

/// The most redirect URIs one client may register.
pub const MAX_REDIRECT_URIS: usize = 20;

impl Client {
    /// Whether the client may authenticate and act: always, except a suspended agent.
    pub fn is_enabled(&self) -> bool {
        self.agent.as_ref().is_none_or(AgentProfile::is_active)
    }

    /// The profile the client's requests are held to: its own, else the tenant's default.
    pub fn profile(&self, tenant: &crate::tenant::TenantSettings) -> SecurityProfile {
        self.security_profile.unwrap_or(tenant.security_profile)
    }

    /// Whether the client is registered for `grant` (RFC 7591 §2 `grant_types`): the one check
    /// every endpoint that starts or redeems a grant makes.
    pub fn may_use(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// A client with only these facts: no redirect URIs, keys or scopes, every option off. The
    /// caller adds what else it has, then checks the whole with [`Client::validate`].
    pub fn minimal(
        tenant_id: TenantId,
        client_id: ClientId,
        name: String,
        client_type: ClientType,
        grant_types: Vec<GrantType>,
        token_endpoint_auth_method: AuthMethod,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            tenant_id,
            client_id,
            name,
            client_type,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            grant_types,
            token_endpoint_auth_method,
            scopes: ScopeSet::default(),
            jwks_uri: None,
            jwks: None,
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
            created_at: now,
            updated_at: now,
        }
    }

    /// Cross-field rules of a client registration. Errors name the field.
    ///
    /// # Security
    /// - public clients authenticate with `none` and may not use `client_credentials`;
    ///   confidential clients must authenticate;
    /// - `authorization_code` needs at least one redirect URI; private-use schemes are for public
    ///   (native) clients only (RFC 8252 §8.4);
    /// - `private_key_jwt` needs exactly one of `jwks` / `jwks_uri` (RFC 7591 §2), and inline keys
    ///   must be public keys;
    /// - a client id never begins with `resource.`: those name registered resources when they
    ///   introspect ([`crate::resource::Resource::client_id`]).
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.client_id.as_str().starts_with(crate::resource::RESOURCE_CLIENT_ID_PREFIX) {
            return Err(FieldError::new(
                "client_id",
                format!(
                    "client ids beginning with \"{}\" name registered resources",
                    crate::resource::RESOURCE_CLIENT_ID_PREFIX
                ),
            ));
        }
        if self.first_party && (self.agent.is_some() || self.client_id.is_metadata_document()) {
            return Err(FieldError::new(
                "first_party",
                "an agent, or a client named by its metadata document, is never first-party",
            ));
        }
        if let Some(saml) = &self.saml {
            return self.validate_saml(saml);
        }
        let public = self.client_type == ClientType::Public;
        match (public, self.token_endpoint_auth_method) {
            (true, AuthMethod::None)
            | (false, AuthMethod::ClientSecretBasic)
            | (false, AuthMethod::ClientSecretPost)
            | (false, AuthMethod::PrivateKeyJwt) => {}
            (true, _) => {
                return Err(FieldError::new("token_endpoint_auth_method", "a public client must use \"none\""));
            }
            (false, AuthMethod::None) => {
                return Err(FieldError::new(
                    "token_endpoint_auth_method",
                    "a confidential client must authenticate; use client_secret_basic, client_secret_post or private_key_jwt",
                ));
            }
        }
        if self.grant_types.is_empty() {
            return Err(FieldError::new("grant_types", "must name at least one grant type"));
        }
        let has = |g| self.grant_types.contains(&g);
        if public && has(GrantType::ClientCredentials) {
            return Err(FieldError::new("grant_types", "client_credentials needs a confidential client"));
        }
        if has(GrantType::AuthorizationCode) && self.redirect_uris.is_empty() {
            return Err(FieldError::new("redirect_uris", "authorization_code needs at least one redirect URI"));
        }
        if has(GrantType::RefreshToken)
            && !has(GrantType::AuthorizationCode)
            && !has(GrantType::DeviceCode)
            && !has(GrantType::Ciba)
        {
            return Err(FieldError::new(
                "grant_types",
                "refresh_token is only issued with authorization_code, device_code or the CIBA grant",
            ));
        }
        for (field, uris) in
            [("redirect_uris", &self.redirect_uris), ("post_logout_redirect_uris", &self.post_logout_redirect_uris)]
        {
            if uris.len() > MAX_REDIRECT_URIS {
                return Err(FieldError::new(field, format!("at most {MAX_REDIRECT_URIS} URIs")));
            }
            if let Some(i) = uris.iter().position(|u| u.kind() == RedirectKind::PrivateUse && !public) {
                return Err(FieldError::new(
                    format!("{field}[{i}]"),
                    "private-use URI schemes are for public (native) clients only (RFC 8252 §8.4)",
                ));
            }
        }
        validate_keys(self.token_endpoint_auth_method, self.jwks.as_ref(), self.jwks_uri.as_deref())?;
        for (field, alg) in [
            ("id_token_signed_response_alg", &self.id_token_signed_response_alg),
            ("authorization_signed_response_alg", &self.authorization_signed_response_alg),
        ] {
            if let Some(alg) = alg
                && !ID_TOKEN_ALGS.contains(&alg.as_str())
            {
                // `none` in particular: unsigned ID tokens are never issued (standards C07).
                return Err(FieldError::new(field, "must be RS256 or ES256"));
            }
        }
        if self.security_profile == Some(SecurityProfile::Fapi2) {
            // FAPI 2.0 §5.3.2.1: confidential clients only, authenticated with private_key_jwt;
            // §5.4.1: no RSASSA-PKCS1-v1_5.
            if public || self.token_endpoint_auth_method != AuthMethod::PrivateKeyJwt {
                return Err(FieldError::new(
                    "token_endpoint_auth_method",
                    "the fapi2 profile needs a confidential client using private_key_jwt",
                ));
            }
            for (field, alg) in [
                ("id_token_signed_response_alg", &self.id_token_signed_response_alg),
                ("authorization_signed_response_alg", &self.authorization_signed_response_alg),
            ] {
                if alg.as_deref() == Some("RS256") {
                    return Err(FieldError::new(field, "the fapi2 profile signs with ES256 (RS256 is not allowed)"));
                }
            }
        }
        if let Some(permission) = &self.token_exchange {
            if public || self.agent.is_some() {
                return Err(FieldError::new(
                    "token_exchange",
                    "only a confidential client that is not an agent has an exchange permission; agents act through delegations",
                ));
            }
            if !has(GrantType::TokenExchange) {
                return Err(FieldError::new("grant_types", "token_exchange needs the token-exchange grant type"));
            }
            if permission.audiences.is_empty() || permission.audiences.len() > MAX_EXCHANGE_AUDIENCES {
                return Err(FieldError::new(
                    "token_exchange.audiences",
                    format!("must list 1-{MAX_EXCHANGE_AUDIENCES} audiences"),
                ));
            }
            if let Some(i) = permission.audiences.iter().position(|a| a.is_empty() || a.len() > 2048 || a.contains(' '))
            {
                return Err(FieldError::new(
                    format!("token_exchange.audiences[{i}]"),
                    "must be a resource URI or client id without spaces",
                ));
            }
        }
        match (has(GrantType::Ciba), &self.backchannel) {
            (true, _) if public => {
                return Err(FieldError::new("grant_types", "the CIBA grant needs a confidential client"));
            }
            (true, None) => {
                return Err(FieldError::new(
                    "backchannel_token_delivery_mode",
                    "a client of the CIBA grant must say how it gets its tokens (poll or ping)",
                ));
            }
            (true, Some(settings)) => settings.validate()?,
            (false, Some(_)) => {
                return Err(FieldError::new(
                    "grant_types",
                    "backchannel settings need the urn:openid:params:grant-type:ciba grant type",
                ));
            }
            (false, None) => {}
        }
        if let Some(agent) = &self.agent {
            agent.validate()?;
            // Agents act for users only through delegations and short-lived tokens: a refresh
            // token would outlive the checks token exchange makes on every hop.
            if public || has(GrantType::RefreshToken) {
                return Err(FieldError::new(
                    "grant_types",
                    "an agent is a confidential client without refresh_token; it exchanges short-lived tokens",
                ));
            }
        }
        Ok(())
    }
}

impl Client {
    /// A SAML app speaks no OAuth: it is public, authenticates nowhere, holds no grant, redirect
    /// URI, agent profile or exchange permission.
    fn validate_saml(&self, saml: &SamlApp) -> Result<(), FieldError> {
        let oauth = |field: &'static str| {
            Err(FieldError::new(field, "a SAML app (with saml) has no OAuth grants, redirect URIs or keys"))
        };
        if self.client_type != ClientType::Public {
            return Err(FieldError::new("client_type", "a SAML app is public: it holds no secret"));
        }
        if self.token_endpoint_auth_method != AuthMethod::None {
            return oauth("token_endpoint_auth_method");
        }
        if !self.grant_types.is_empty() {
            return oauth("grant_types");
        }
        if !self.redirect_uris.is_empty() || !self.post_logout_redirect_uris.is_empty() {
            return oauth("redirect_uris");
        }
        if self.jwks.is_some() || self.jwks_uri.is_some() {
            return oauth("jwks");
        }
        if self.agent.is_some() || self.token_exchange.is_some() {
            return oauth("token_exchange");
        }
        saml.validate()
    }
}

/// The public keys of a party that authenticates with `method`: `private_key_jwt` needs exactly
/// one of `jwks` / `jwks_uri` (RFC 7591 §2); a `jwks_uri` is https (or http on a loopback host, for
/// development: the server fetches from loopback only when `outbound.allow_private_networks` is
/// set); inline keys are public keys.
pub(crate) fn validate_keys(
    method: AuthMethod,
    jwks: Option<&serde_json::Value>,
    jwks_uri: Option<&str>,
) -> Result<(), FieldError> {
    match (jwks, jwks_uri) {
        (Some(_), Some(_)) => return Err(FieldError::new("jwks", "give jwks or jwks_uri, not both (RFC 7591 §2)")),
        (None, None) if method == AuthMethod::PrivateKeyJwt => {
            return Err(FieldError::new("jwks_uri", "private_key_jwt needs jwks or jwks_uri"));
        }
        _ => {}
    }
    if let Some(uri) = jwks_uri {
        let loopback_http = url::Url::parse(uri)
            .is_ok_and(|u| u.scheme() == "http" && matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback()));
        if !loopback_http {
            https_url(uri).map_err(|e| e.under("jwks_uri"))?;
        }
    }
    if let Some(jwks) = jwks {
        validate_public_jwks(jwks).map_err(|e| e.under("jwks"))?;
    }
    Ok(())
}

/// A JWK Set of public keys: `{"keys": [ {"kty": …}, … ]}`, 1-10 keys, none with private members.
fn validate_public_jwks(jwks: &serde_json::Value) -> Result<(), FieldError> {
    let keys = jwks
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| FieldError::new("keys", "must be a JWK Set: an object with a \"keys\" array"))?;
    if keys.is_empty() || keys.len() > 10 {
        return Err(FieldError::new("keys", "must hold 1-10 keys"));
    }
    for (i, key) in keys.iter().enumerate() {
        let field = format!("keys[{i}]");
        let Some(obj) = key.as_object() else {
            return Err(FieldError::new(field, "must be a JWK object"));
        };
        if !obj.get("kty").is_some_and(serde_json::Value::is_string) {
            return Err(FieldError::new(field, "needs a \"kty\""));
        }
        if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| obj.contains_key(*m)) {
            return Err(FieldError::new(field, "must be a public key: private or symmetric key material is refused"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn grant_type_names_are_their_serde_names_and_parse_back() {
        for g in GrantType::ALL {
            assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
        }
        assert_eq!(GrantType::parse("password"), None, "not implemented");
    }

    fn client(t: ClientType, m: AuthMethod, grants: &[GrantType], uris: &[&str]) -> Client {
        Client {
            redirect_uris: uris.iter().map(|u| RedirectUri::parse(u).unwrap()).collect(),
            scopes: ScopeSet::parse_space_separated("openid").unwrap(),
            ..Client::minimal(
                TenantId::parse("acme").unwrap(),
                ClientId::generate(),
                "App".into(),
                t,
                grants.to_vec(),
                m,
                datetime!(2026-01-01 0:00 UTC),
            )
        }
    }

    use ClientType::{Confidential, Public};
    use GrantType::*;

    #[test]
    fn registration_rules_table() {
        let web = ["https://app.example/cb"];
        let native = ["com.example.app:/cb"];
        let cases: Vec<(Client, Option<&str>)> = vec![
            (client(Confidential, AuthMethod::ClientSecretBasic, &[AuthorizationCode, RefreshToken], &web), None),
            (client(Public, AuthMethod::None, &[AuthorizationCode, RefreshToken], &native), None),
            (client(Confidential, AuthMethod::ClientSecretPost, &[ClientCredentials], &[]), None),
            (
                client(Public, AuthMethod::ClientSecretBasic, &[AuthorizationCode], &web),
                Some("token_endpoint_auth_method"),
            ),
            (client(Confidential, AuthMethod::None, &[AuthorizationCode], &web), Some("token_endpoint_auth_method")),
            (client(Public, AuthMethod::None, &[ClientCredentials], &[]), Some("grant_types")),
            (client(Confidential, AuthMethod::ClientSecretBasic, &[AuthorizationCode], &[]), Some("redirect_uris")),
            (client(Confidential, AuthMethod::ClientSecretBasic, &[RefreshToken], &[]), Some("grant_types")),
            (client(Confidential, AuthMethod::ClientSecretBasic, &[], &[]), Some("grant_types")),
            (
                client(Confidential, AuthMethod::ClientSecretBasic, &[AuthorizationCode], &native),
                Some("redirect_uris[0]"),
            ),
            (client(Confidential, AuthMethod::PrivateKeyJwt, &[ClientCredentials], &[]), Some("jwks_uri")),
        ];
        for (c, want) in cases {
            assert_eq!(c.validate().err().map(|e| e.field.into_owned()).as_deref(), want, "{c:?}");
        }
    }

    #[test]
    fn fapi2_needs_private_key_jwt_and_no_rs256() {
        let keys = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]});
        let mut c = client(Confidential, AuthMethod::PrivateKeyJwt, &[AuthorizationCode], &["https://a.example/cb"]);
        c.jwks = Some(keys);
        c.security_profile = Some(SecurityProfile::Fapi2);
        assert_eq!(c.validate(), Ok(()));
        for field in ["id_token_signed_response_alg", "authorization_signed_response_alg"] {
            let mut rs = c.clone();
            *if field.starts_with("id") {
                &mut rs.id_token_signed_response_alg
            } else {
                &mut rs.authorization_signed_response_alg
            } = Some("RS256".into());
            assert_eq!(rs.validate().unwrap_err().field, field);
        }
        let secret = Client { token_endpoint_auth_method: AuthMethod::ClientSecretBasic, jwks: None, ..c.clone() };
        assert_eq!(secret.validate().unwrap_err().field, "token_endpoint_auth_method");
        // The same client under the standard profile may use a secret.
        assert_eq!(Client { security_profile: None, ..secret }.validate(), Ok(()));
    }

    #[test]
    fn exchange_permission_rules() {
        let permission =
            ExchangePermission { audiences: vec!["https://api.example".into()], mode: ExchangeMode::Delegate };
        let mut c = client(Confidential, AuthMethod::ClientSecretBasic, &[TokenExchange], &[]);
        c.token_exchange = Some(permission.clone());
        assert_eq!(c.validate(), Ok(()));
        let without_grant = Client { grant_types: vec![ClientCredentials], ..c.clone() };
        assert_eq!(without_grant.validate().unwrap_err().field, "grant_types");
        let none = ExchangePermission { audiences: vec![], ..permission.clone() };
        assert_eq!(
            Client { token_exchange: Some(none), ..c.clone() }.validate().unwrap_err().field,
            "token_exchange.audiences"
        );
        let spaced = ExchangePermission { audiences: vec!["a b".into()], ..permission };
        assert_eq!(
            Client { token_exchange: Some(spaced), ..c.clone() }.validate().unwrap_err().field,
            "token_exchange.audiences[0]"
        );
        let public = Client { client_type: Public, token_endpoint_auth_method: AuthMethod::None, ..c };
        assert_eq!(public.validate().unwrap_err().field, "token_exchange");
        // Wire form.
        let parsed: ExchangePermission = serde_json::from_value(serde_json::json!({"audiences": ["svc"]})).unwrap();
        assert_eq!(parsed.mode, ExchangeMode::Delegate);
        assert!(serde_json::from_value::<ExchangePermission>(serde_json::json!({"audiences": [], "x": 1})).is_err());
    }

    #[test]
    fn id_token_algorithms_c07() {
        let mut c =
            client(Confidential, AuthMethod::ClientSecretBasic, &[AuthorizationCode], &["https://a.example/cb"]);
        for ok in ["RS256", "ES256"] {
            c.id_token_signed_response_alg = Some(ok.into());
            assert!(c.validate().is_ok());
        }
        for bad in ["none", "HS256", "rs256"] {
            c.id_token_signed_response_alg = Some(bad.into());
            assert_eq!(c.validate().unwrap_err().field, "id_token_signed_response_alg");
        }
    }

    #[test]
    fn jwks_must_be_public() {
        let mut c = client(Confidential, AuthMethod::PrivateKeyJwt, &[ClientCredentials], &[]);
        c.jwks = Some(serde_json::json!({"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}));
        assert!(c.validate().is_ok());
        c.jwks = Some(serde_json::json!({"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"secret"}]}));
        assert_eq!(c.validate().unwrap_err().field, "jwks.keys[0]");
        c.jwks = Some(serde_json::json!({"keys":[]}));
        assert_eq!(c.validate().unwrap_err().field, "jwks.keys");
        c.jwks = None;
        c.jwks_uri = Some("http://keys.example/jwks".into());
        assert_eq!(c.validate().unwrap_err().field, "jwks_uri");
    }

    #[test]
    fn grant_type_wire_names() {
        let g: Vec<GrantType> =
            serde_json::from_str(r#"["authorization_code","urn:ietf:params:oauth:grant-type:token-exchange"]"#)
                .unwrap();
        assert_eq!(g, vec![AuthorizationCode, TokenExchange]);
        assert!(serde_json::from_str::<GrantType>(r#""implicit""#).is_err());
    }
}
