//! Client metadata by their RFC 7591 names, as clients describe themselves: in a registration
//! request (RFC 7591) or in a Client ID Metadata Document. Parsed leniently (unknown members are
//! ignored, RFC 7591 §2), checked strictly against what the tenant lets such clients have, and
//! turned into a [`Client`]. Errors name the offending member.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::client::{AuthMethod, Backchannel, Client, ClientType, DeliveryMode, GrantType};
use crate::id::{ClientId, TenantId};
use crate::redirect::RedirectUri;
use crate::scope::ScopeSet;
use crate::validation::{FieldError, display_text};

/// The longest `client_name` accepted from a client.
pub const MAX_CLIENT_NAME: usize = 100;

/// Client metadata by their RFC 7591 / RFC 9449 / OIDC Registration names.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct ClientMetadata {
    /// Redirect URIs, matched exactly.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Default `client_secret_basic` (RFC 7591 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// Default `["authorization_code"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Default `["code"]`; must agree with `grant_types` (RFC 7591 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types: Option<Vec<String>>,
    /// Name shown on the consent page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Space-separated scopes the client may ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client's JWK Set URL (for `private_key_jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// The client's public JWK Set (for `private_key_jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// Where RP-initiated logout may return to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Bind every access token to a DPoP key (RFC 9449 §5.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens: Option<bool>,
    /// `RS256` (default) or `ES256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// Authorization requests only as signed request objects (RFC 9101 §10.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_signed_request_object: Option<bool>,
    /// JWS algorithm of signed authorization responses (JARM): `RS256` (default) or `ES256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_signed_response_alg: Option<String>,
    /// OpenID CIBA Core §4: `poll` or `ping`, for a client of the CIBA grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_token_delivery_mode: Option<DeliveryMode>,
    /// OpenID CIBA Core §4: where a ping goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_client_notification_endpoint: Option<String>,
}

/// What a self-describing client may have.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Confidential clients (secrets or keys) are allowed; otherwise only public ones.
    pub confidential: bool,
    /// The most scope any such client may get; also the default scope.
    pub scopes: ScopeSet,
    /// The name shown when the metadata give none.
    pub fallback_name: String,
}

fn enum_value<T: for<'de> Deserialize<'de>>(field: String, value: &str) -> Result<T, FieldError> {
    serde_json::from_value(Value::String(value.to_owned()))
        .map_err(|_| FieldError::new(field, format!("{value:?} is not supported")))
}

impl ClientMetadata {
    /// Reads metadata from a JSON object; unknown members are ignored, known ones must have the
    /// right type.
    pub fn from_json(value: Value) -> Result<Self, FieldError> {
        if !value.is_object() {
            return Err(FieldError::new("", "client metadata must be a JSON object"));
        }
        serde_json::from_value(value).map_err(|e| FieldError::new("", format!("malformed client metadata: {e}")))
    }

    /// The client these metadata describe, within `limits`.
    ///
    /// # Security
    /// Only the code flow (with refresh tokens) is open to self-described clients; a public
    /// client uses `none` and PKCE; shared secrets and keys only when `limits` allow confidential
    /// clients; the scope never exceeds the limits'. [`Client::validate`] applies on top.
    pub fn into_client(
        self,
        tenant: &TenantId,
        client_id: ClientId,
        limits: &Limits,
        now: OffsetDateTime,
    ) -> Result<Client, FieldError> {
        let method = match self.token_endpoint_auth_method.as_deref() {
            // RFC 7591 §2: the default is client_secret_basic.
            None => AuthMethod::ClientSecretBasic,
            Some(m) => enum_value::<AuthMethod>("token_endpoint_auth_method".into(), m)?,
        };
        let client_type = if method == AuthMethod::None { ClientType::Public } else { ClientType::Confidential };
        if client_type == ClientType::Confidential && !limits.confidential {
            return Err(FieldError::new(
                "token_endpoint_auth_method",
                "only public clients (\"none\", with PKCE) may register here",
            ));
        }
        let mut grant_types = Vec::new();
        for (i, g) in self.grant_types.unwrap_or_else(|| vec!["authorization_code".into()]).iter().enumerate() {
            let grant = enum_value::<GrantType>(format!("grant_types[{i}]"), g)?;
            if !matches!(grant, GrantType::AuthorizationCode | GrantType::RefreshToken) {
                return Err(FieldError::new(format!("grant_types[{i}]"), "only authorization_code and refresh_token"));
            }
            grant_types.push(grant);
        }
        grant_types.sort_unstable();
        grant_types.dedup();
        let wants_code = grant_types.contains(&GrantType::AuthorizationCode);
        match self.response_types.as_deref() {
            None => {}
            Some([only]) if only == "code" && wants_code => {}
            Some([]) if !wants_code => {}
            Some(_) => {
                return Err(FieldError::new("response_types", "only [\"code\"], with the authorization_code grant"));
            }
        }
        let uris = |field: &str, list: Vec<String>| -> Result<Vec<RedirectUri>, FieldError> {
            list.iter()
                .enumerate()
                .map(|(i, u)| RedirectUri::parse(u).map_err(|e| e.under(&format!("{field}[{i}]"))))
                .collect()
        };
        let scopes = match &self.scope {
            None => limits.scopes.clone(),
            Some(s) => {
                let s = ScopeSet::parse_space_separated(s).map_err(|e| e.under("scope"))?;
                if !s.is_subset(&limits.scopes) {
                    return Err(FieldError::new("scope", format!("may be at most \"{}\"", limits.scopes)));
                }
                s
            }
        };
        let name = match &self.client_name {
            Some(n) => display_text("client_name", n, MAX_CLIENT_NAME)?,
            None => limits.fallback_name.clone(),
        };
        let client = Client {
            tenant_id: tenant.clone(),
            client_id,
            name,
            client_type,
            redirect_uris: uris("redirect_uris", self.redirect_uris)?,
            post_logout_redirect_uris: uris("post_logout_redirect_uris", self.post_logout_redirect_uris)?,
            grant_types,
            token_endpoint_auth_method: method,
            scopes,
            jwks_uri: self.jwks_uri,
            jwks: self.jwks,
            require_pushed_authorization_requests: false,
            id_token_signed_response_alg: self.id_token_signed_response_alg,
            opaque_access_tokens: false,
            dpop_bound_access_tokens: self.dpop_bound_access_tokens.unwrap_or(false),
            agent: None,
            security_profile: None,
            token_exchange: None,
            require_signed_request_object: self.require_signed_request_object.unwrap_or(false),
            authorization_signed_response_alg: self.authorization_signed_response_alg,
            saml: None,
            backchannel: Backchannel::from_metadata(
                self.backchannel_token_delivery_mode,
                self.backchannel_client_notification_endpoint,
            )?,
            // Dynamic registration never makes a first-party client.
            first_party: false,
            created_at: now,
            updated_at: now,
        };
        client.validate()?;
        Ok(client)
    }

    /// The metadata of a client, as registration responses return them (RFC 7591 §3.2.1).
    pub fn of(client: &Client) -> Self {
        let uris = |v: &[RedirectUri]| v.iter().map(|u| u.as_str().to_owned()).collect();
        Self {
            redirect_uris: uris(&client.redirect_uris),
            token_endpoint_auth_method: Some(wire(&client.token_endpoint_auth_method)),
            grant_types: Some(client.grant_types.iter().map(wire).collect()),
            response_types: Some(if client.may_use(GrantType::AuthorizationCode) {
                vec!["code".to_owned()]
            } else {
                vec![]
            }),
            client_name: Some(client.name.clone()),
            scope: Some(client.scopes.to_string()),
            jwks_uri: client.jwks_uri.clone(),
            jwks: client.jwks.clone(),
            post_logout_redirect_uris: uris(&client.post_logout_redirect_uris),
            dpop_bound_access_tokens: Some(client.dpop_bound_access_tokens),
            id_token_signed_response_alg: client.id_token_signed_response_alg.clone(),
            require_signed_request_object: Some(client.require_signed_request_object),
            authorization_signed_response_alg: client.authorization_signed_response_alg.clone(),
            backchannel_token_delivery_mode: client.backchannel.as_ref().map(|b| b.token_delivery_mode),
            backchannel_client_notification_endpoint: client
                .backchannel
                .as_ref()
                .and_then(|b| b.client_notification_endpoint.clone()),
        }
    }
}

/// The JSON string form of a serde enum value.
fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
