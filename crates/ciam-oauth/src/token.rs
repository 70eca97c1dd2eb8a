//! The token endpoint's grants (RFC 6749 §4-§6) and the access tokens they issue (RFC 9068).

use ciam_core::client::{Client, GrantType};
use ciam_core::scope::ScopeSet;
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;

/// Lifetime of access tokens issued to clients for themselves.
pub const CLIENT_ACCESS_TOKEN_LIFETIME: time::Duration = time::Duration::minutes(15);

/// Scopes that only make sense with a user; never granted to `client_credentials`.
const USER_SCOPES: [&str; 6] = ["openid", "profile", "email", "address", "phone", "offline_access"];

/// A parsed token request.
#[derive(Debug)]
pub enum GrantRequest {
    /// RFC 6749 §4.4.
    ClientCredentials {
        /// Requested scope, if any.
        scope: Option<ScopeSet>,
    },
}

/// Parses the grant-specific parameters (client authentication is separate).
pub fn parse_grant(params: &Params) -> Result<GrantRequest, OAuthError> {
    let grant_type = params.require("grant_type")?;
    if params.get("resource").is_some() {
        // RFC 8707: no resource servers are registered in this tenant yet, so none can be named.
        return Err(OAuthError::new(ErrorCode::InvalidTarget, "unknown resource"));
    }
    match grant_type {
        "client_credentials" => {
            let scope = params
                .get("scope")
                .map(ScopeSet::parse_space_separated)
                .transpose()
                .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "malformed scope (RFC 6749 §3.3)"))?;
            Ok(GrantRequest::ClientCredentials { scope })
        }
        _ => Err(OAuthError::new(ErrorCode::UnsupportedGrantType, "unsupported grant_type")),
    }
}

/// RFC 9068 §2.2 claims of a JWT access token.
#[derive(Debug, Clone, Serialize)]
pub struct AccessTokenClaims {
    /// The tenant's issuer.
    pub iss: String,
    /// The user, or the client itself for `client_credentials` (RFC 9068 §2.2).
    pub sub: String,
    /// The resource the token is for (the issuer when no resource was requested, RFC 9068 §3).
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// Unique id (revocation and replay bookkeeping).
    pub jti: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// Granted scopes, space-separated (omitted when empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

/// The successful response of the token endpoint (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scope, when it differs from nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Decides a `client_credentials` grant: the scope is the requested one, which must be within
/// the client's registered scopes, or by default all of them; user scopes are never granted.
pub fn client_credentials(
    client: &Client,
    requested: Option<&ScopeSet>,
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AccessTokenClaims, OAuthError> {
    if !client.grant_types.contains(&GrantType::ClientCredentials) {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "this client may not use client_credentials"));
    }
    let allowed: Vec<String> = client.scopes.iter().filter(|s| !USER_SCOPES.contains(s)).map(str::to_owned).collect();
    let allowed = ScopeSet::from_list(&allowed).map_err(OAuthError::server_error)?;
    let scope = match requested {
        Some(r) if r.is_subset(&allowed) => r.clone(),
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "the requested scope exceeds what this client may get",
            ));
        }
        None => allowed,
    };
    let iat = now.unix_timestamp();
    Ok(AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: client.client_id.to_string(),
        aud: issuer.to_owned(),
        exp: iat + CLIENT_ACCESS_TOKEN_LIFETIME.whole_seconds(),
        iat,
        jti: ciam_core::secret::random_token(16),
        client_id: client.client_id.to_string(),
        scope: scope.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use ciam_core::client::{AuthMethod, ClientType};
    use ciam_core::id::{ClientId, TenantId};
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    fn client(grants: &[GrantType], scopes: &str) -> Client {
        Client {
            tenant_id: TenantId::parse("acme").unwrap(),
            client_id: ClientId::parse("svc").unwrap(),
            name: "Service".into(),
            client_type: ClientType::Confidential,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            grant_types: grants.to_vec(),
            token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
            scopes: ScopeSet::parse_space_separated(scopes).unwrap(),
            jwks_uri: None,
            jwks: None,
            created_at: NOW,
            updated_at: NOW,
        }
    }

    fn scopes(s: &str) -> ScopeSet {
        ScopeSet::parse_space_separated(s).unwrap()
    }

    #[test]
    fn client_credentials_scope_rules_rfc6749_4_4() {
        let c = client(&[GrantType::ClientCredentials], "openid profile orders:read orders:write");
        let t = client_credentials(&c, None, "https://id/t/acme", NOW).unwrap();
        assert_eq!(t.scope, "orders:read orders:write", "default: registered scopes minus user scopes");
        assert_eq!((t.sub.as_str(), t.client_id.as_str(), t.aud.as_str()), ("svc", "svc", "https://id/t/acme"));
        assert_eq!(t.exp - t.iat, 900);
        let narrowed = client_credentials(&c, Some(&scopes("orders:read")), "i", NOW).unwrap();
        assert_eq!(narrowed.scope, "orders:read");
        for wider in ["orders:delete", "openid", "orders:read profile"] {
            let e = client_credentials(&c, Some(&scopes(wider)), "i", NOW).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidScope, "{wider}");
        }
        let not_allowed = client(&[GrantType::AuthorizationCode], "orders:read");
        assert_eq!(client_credentials(&not_allowed, None, "i", NOW).unwrap_err().code, ErrorCode::UnauthorizedClient);
        let a = client_credentials(&c, None, "i", NOW).unwrap();
        let b = client_credentials(&c, None, "i", NOW).unwrap();
        assert_ne!(a.jti, b.jti);
    }

    #[test]
    fn grant_parsing_errors() {
        let parse = |body: &str| parse_grant(&Params::parse(body.as_bytes()).unwrap()).map(|_| ()).map_err(|e| e.code);
        assert_eq!(parse("grant_type=client_credentials&scope=a%20b"), Ok(()));
        assert_eq!(parse(""), Err(ErrorCode::InvalidRequest));
        assert_eq!(parse("grant_type=password"), Err(ErrorCode::UnsupportedGrantType));
        assert_eq!(parse("grant_type=implicit"), Err(ErrorCode::UnsupportedGrantType));
        assert_eq!(parse("grant_type=client_credentials&scope=a%22b"), Err(ErrorCode::InvalidScope));
        assert_eq!(parse("grant_type=client_credentials&resource=https://api"), Err(ErrorCode::InvalidTarget));
    }
}
