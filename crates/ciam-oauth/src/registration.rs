//! Dynamic client registration (RFC 7591): client metadata ([`ciam_core::client_metadata`])
//! checked against what the tenant's policy lets self-registering clients have, refused with the
//! RFC 7591 §3.2.2 errors: `invalid_redirect_uri` or `invalid_client_metadata`, naming the field.

use ciam_core::FieldError;
use ciam_core::client::Client;
pub use ciam_core::client_metadata::{ClientMetadata, Limits};
use ciam_core::id::{ClientId, TenantId};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};

/// The RFC 7591 §3.2.2 error for refused metadata.
pub fn refused(e: FieldError) -> OAuthError {
    let description = if e.field.is_empty() { e.message.into_owned() } else { format!("{}: {}", e.field, e.message) };
    let code = if e.field.starts_with("redirect_uris") {
        ErrorCode::InvalidRedirectUri
    } else {
        ErrorCode::InvalidClientMetadata
    };
    OAuthError::new(code, description)
}

/// The client a registration request (a JSON object of metadata) describes, within `limits`.
pub fn register(
    metadata: Value,
    tenant: &TenantId,
    client_id: ClientId,
    limits: &Limits,
    now: OffsetDateTime,
) -> Result<Client, OAuthError> {
    ClientMetadata::from_json(metadata).and_then(|m| m.into_client(tenant, client_id, limits, now)).map_err(refused)
}

#[cfg(test)]
mod tests {
    use ciam_core::client::{AuthMethod, ClientType, GrantType};
    use ciam_core::scope::ScopeSet;
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn limits(confidential: bool) -> Limits {
        Limits {
            confidential,
            scopes: ScopeSet::parse_space_separated("openid profile offline_access mcp:tools").unwrap(),
            fallback_name: "Unnamed application".into(),
        }
    }

    fn register(body: Value, confidential: bool) -> Result<Client, OAuthError> {
        let (tenant, id) = (TenantId::parse("acme").unwrap(), ClientId::parse("dyn-client").unwrap());
        super::register(body, &tenant, id, &limits(confidential), NOW)
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
