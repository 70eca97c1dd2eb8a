//! Client metadata (RFC 7591 §2) as self-registering clients send it: parsed, checked against
//! what the tenant's policy lets such clients have, and turned into a [`Client`].
//!
//! Unknown metadata is ignored (RFC 7591 §2: "the authorization server MUST ignore any client
//! metadata sent by the client that it does not understand"); known metadata is checked strictly
//! and refused with `invalid_redirect_uri` or `invalid_client_metadata` (§3.2.2), naming the field.

use ciam_core::FieldError;
use ciam_core::client::{AuthMethod, Client, ClientType, GrantType};
use ciam_core::id::{ClientId, TenantId};
use ciam_core::redirect::RedirectUri;
use ciam_core::scope::ScopeSet;
use ciam_core::validation::display_text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};

/// Client metadata by its RFC 7591 / RFC 9449 / OIDC Registration names.
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
}

/// What a self-registering client may have.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Confidential clients (secrets or keys) may register; otherwise only public ones.
    pub confidential: bool,
    /// The most scope any such client may get; also the default scope.
    pub scopes: ScopeSet,
}

fn metadata_error(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, description.into())
}

fn field_error(e: FieldError) -> OAuthError {
    if e.field.starts_with("redirect_uris") {
        OAuthError::new(ErrorCode::InvalidRedirectUri, format!("{}: {}", e.field, e.message))
    } else {
        metadata_error(format!("{}: {}", e.field, e.message))
    }
}

fn enum_value<T: for<'de> Deserialize<'de>>(field: &str, value: &str) -> Result<T, OAuthError> {
    serde_json::from_value(Value::String(value.to_owned()))
        .map_err(|_| metadata_error(format!("{field}: {value:?} is not supported")))
}

impl ClientMetadata {
    /// Reads metadata from a JSON object; unknown members are ignored, known ones must have the
    /// right type.
    pub fn from_json(value: Value) -> Result<Self, OAuthError> {
        if !value.is_object() {
            return Err(metadata_error("the body must be a JSON object of client metadata"));
        }
        serde_json::from_value(value).map_err(|e| metadata_error(format!("malformed client metadata: {e}")))
    }

    /// The client these metadata describe, within `limits`.
    ///
    /// # Security
    /// Only the code flow (with refresh tokens) is open to self-registered clients; a public
    /// client uses `none` and PKCE; shared secrets and keys only when `limits` allow confidential
    /// clients; the scope never exceeds the policy's.
    pub fn into_client(
        self,
        tenant: &TenantId,
        client_id: ClientId,
        limits: &Limits,
        now: OffsetDateTime,
    ) -> Result<Client, OAuthError> {
        let method = match self.token_endpoint_auth_method.as_deref() {
            None => AuthMethod::ClientSecretBasic,
            Some(m) => enum_value::<AuthMethod>("token_endpoint_auth_method", m)?,
        };
        let client_type = if method == AuthMethod::None { ClientType::Public } else { ClientType::Confidential };
        if client_type == ClientType::Confidential && !limits.confidential {
            return Err(metadata_error(
                "token_endpoint_auth_method: only public clients (\"none\", with PKCE) may register here",
            ));
        }
        let mut grant_types = Vec::new();
        for g in self.grant_types.unwrap_or_else(|| vec!["authorization_code".into()]) {
            let grant = enum_value::<GrantType>("grant_types", &g)?;
            if !matches!(grant, GrantType::AuthorizationCode | GrantType::RefreshToken) {
                return Err(metadata_error(format!("grant_types: {g:?} is not open to registered clients")));
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
                return Err(metadata_error(
                    "response_types: only [\"code\"], together with the authorization_code grant",
                ));
            }
        }
        let uris = |field: &str, list: Vec<String>| -> Result<Vec<RedirectUri>, OAuthError> {
            list.iter()
                .enumerate()
                .map(|(i, u)| RedirectUri::parse(u).map_err(|e| field_error(e.under(&format!("{field}[{i}]")))))
                .collect()
        };
        let scopes = match &self.scope {
            None => limits.scopes.clone(),
            Some(s) => {
                let s = ScopeSet::parse_space_separated(s).map_err(|_| metadata_error("scope: malformed"))?;
                if !s.is_subset(&limits.scopes) {
                    return Err(metadata_error(format!(
                        "scope: registered clients may have at most \"{}\"",
                        limits.scopes
                    )));
                }
                s
            }
        };
        let name = match &self.client_name {
            Some(n) => display_text("client_name", n, 200).map_err(field_error)?,
            None => "Unnamed application".to_owned(),
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
            created_at: now,
            updated_at: now,
        };
        client.validate().map_err(field_error)?;
        Ok(client)
    }

    /// The metadata of a client, as registration responses return them (RFC 7591 §3.2.1).
    pub fn of(client: &Client) -> Self {
        let uris = |v: &[RedirectUri]| v.iter().map(|u| u.as_str().to_owned()).collect();
        Self {
            redirect_uris: uris(&client.redirect_uris),
            token_endpoint_auth_method: Some(wire(&client.token_endpoint_auth_method)),
            grant_types: Some(client.grant_types.iter().map(wire).collect()),
            response_types: Some(if client.grant_types.contains(&GrantType::AuthorizationCode) {
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
        }
    }
}

/// The JSON string form of a serde enum value.
fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn limits(confidential: bool) -> Limits {
        Limits {
            confidential,
            scopes: ScopeSet::parse_space_separated("openid profile offline_access mcp:tools").unwrap(),
        }
    }

    fn register(body: Value, confidential: bool) -> Result<Client, OAuthError> {
        ClientMetadata::from_json(body)?.into_client(
            &TenantId::parse("acme").unwrap(),
            ClientId::parse("dyn-client").unwrap(),
            &limits(confidential),
            NOW,
        )
    }

    #[test]
    fn an_mcp_style_public_client_registers_with_defaults() {
        let c = register(
            json!({
                "client_name": "Inspector", "redirect_uris": ["http://127.0.0.1:6274/cb"],
                "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"], "software_id": "ignored", "logo_uri": 5
            }),
            false,
        )
        .unwrap();
        assert_eq!(c.client_type, ClientType::Public);
        assert_eq!(c.grant_types, [GrantType::AuthorizationCode, GrantType::RefreshToken]);
        assert_eq!(c.scopes.to_string(), "mcp:tools offline_access openid profile", "the policy's scope by default");
        let back = ClientMetadata::of(&c);
        assert_eq!(back.token_endpoint_auth_method.as_deref(), Some("none"));
        assert_eq!(back.grant_types.unwrap(), ["authorization_code", "refresh_token"]);
        assert_eq!(back.response_types.unwrap(), ["code"]);
        assert_eq!(back.redirect_uris, ["http://127.0.0.1:6274/cb"]);
    }

    #[test]
    fn strict_checks_name_the_rfc_error_and_the_field() {
        let public = |extra: Value| {
            let mut body = json!({"redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "none"});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let cases = [
            (json!({"redirect_uris": ["https://app.example/cb"]}), ErrorCode::InvalidClientMetadata, "only public"),
            (
                public(json!({"redirect_uris": ["https://app.example/cb#frag"]})),
                ErrorCode::InvalidRedirectUri,
                "redirect_uris[0]",
            ),
            (public(json!({"redirect_uris": []})), ErrorCode::InvalidRedirectUri, "redirect_uris"),
            (public(json!({"grant_types": ["client_credentials"]})), ErrorCode::InvalidClientMetadata, "grant_types"),
            (public(json!({"grant_types": ["implicit"]})), ErrorCode::InvalidClientMetadata, "grant_types"),
            (public(json!({"response_types": ["token"]})), ErrorCode::InvalidClientMetadata, "response_types"),
            (public(json!({"scope": "openid admin"})), ErrorCode::InvalidClientMetadata, "scope"),
            (
                public(json!({"token_endpoint_auth_method": "tls_client_auth"})),
                ErrorCode::InvalidClientMetadata,
                "token_endpoint_auth_method",
            ),
            (public(json!({"redirect_uris": "https://app.example/cb"})), ErrorCode::InvalidClientMetadata, "malformed"),
            (public(json!({"client_name": "  "})), ErrorCode::InvalidClientMetadata, "client_name"),
            (
                public(json!({"id_token_signed_response_alg": "none"})),
                ErrorCode::InvalidClientMetadata,
                "id_token_signed_response_alg",
            ),
            (json!(["not", "an", "object"]), ErrorCode::InvalidClientMetadata, "JSON object"),
        ];
        for (body, code, mentions) in cases {
            let e = register(body.clone(), false).unwrap_err();
            assert_eq!(e.code, code, "{body}");
            assert!(e.description.contains(mentions), "{body}: {}", e.description);
        }
    }

    #[test]
    fn confidential_clients_need_the_policy_and_keys_for_private_key_jwt() {
        let body =
            json!({"redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "private_key_jwt"});
        assert!(register(body.clone(), false).is_err());
        let e = register(body, true).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidClientMetadata);
        assert!(e.description.contains("jwks"), "{}", e.description);
        let ok = register(json!({"redirect_uris": ["https://app.example/cb"]}), true).unwrap();
        assert_eq!(ok.token_endpoint_auth_method, AuthMethod::ClientSecretBasic, "RFC 7591 §2 default");
        assert_eq!(ok.client_type, ClientType::Confidential);
    }
}
