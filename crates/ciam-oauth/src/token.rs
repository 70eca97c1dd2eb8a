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

/// Idle lifetime of a refresh token: unused for this long, it expires.
pub const REFRESH_IDLE_LIFETIME: time::Duration = time::Duration::days(14);

/// Absolute lifetime of a refresh-token family: rotation never extends it.
pub const REFRESH_ABSOLUTE_LIFETIME: time::Duration = time::Duration::days(60);

/// Lifetime of access tokens issued for a user.
pub const USER_ACCESS_TOKEN_LIFETIME: time::Duration = time::Duration::minutes(15);

/// A parsed token request.
#[derive(Debug)]
pub enum GrantRequest {
    /// RFC 6749 §4.4.
    ClientCredentials {
        /// Requested scope, if any.
        scope: Option<ScopeSet>,
        /// The resource (RFC 8707) the token is for, if any.
        resource: Option<String>,
    },
    /// RFC 6749 §4.1.3.
    AuthorizationCode {
        /// The code.
        code: String,
        /// Must repeat the authorization request's `redirect_uri` when it had one.
        redirect_uri: Option<String>,
        /// PKCE verifier.
        code_verifier: Option<String>,
        /// One of the authorization request's resources, to narrow the token to it (RFC 8707 §2.2).
        resource: Option<String>,
    },
    /// RFC 6749 §6.
    RefreshToken {
        /// The refresh token.
        refresh_token: String,
        /// A narrower scope, if asked.
        scope: Option<ScopeSet>,
        /// One of the grant's resources, to narrow the token to it (RFC 8707 §2.2).
        resource: Option<String>,
    },
    /// RFC 8693.
    TokenExchange(crate::exchange::ExchangeRequest),
    /// A token exchange asking for a transaction token (draft-ietf-oauth-transaction-tokens).
    TransactionToken(crate::txn::TxnRequest),
    /// RFC 7523 §2.1: a trusted issuer's JWT authorization grant (identity chaining).
    JwtBearer {
        /// The grant.
        assertion: String,
        /// A narrower scope, if asked.
        scope: Option<ScopeSet>,
        /// The resource the token is for (RFC 8707), if any.
        resource: Option<String>,
    },
    /// RFC 8628 §3.4.
    DeviceCode {
        /// The device code of the device authorization response.
        device_code: String,
    },
    /// OpenID CIBA Core §10.1.
    Ciba {
        /// The `auth_req_id` of the backchannel authentication response.
        auth_req_id: String,
    },
}

impl GrantRequest {
    /// The grant type, as registered on clients.
    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::ClientCredentials { .. } => GrantType::ClientCredentials,
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::TokenExchange(_) | Self::TransactionToken(_) => GrantType::TokenExchange,
            Self::DeviceCode { .. } => GrantType::DeviceCode,
            Self::JwtBearer { .. } => GrantType::JwtBearer,
            Self::Ciba { .. } => GrantType::Ciba,
        }
    }
}

/// Parses the grant-specific parameters (client authentication is separate).
pub fn parse_grant(params: &Params) -> Result<GrantRequest, OAuthError> {
    let grant_type = params.require("grant_type")?;
    let resources = params.all("resource");
    // An exchange names its targets itself; other grants get one resource per token, which for
    // user grants must be one the authorization request named (checked by the caller).
    if grant_type != crate::exchange::GRANT_TYPE {
        if resources.len() > 1 {
            return Err(OAuthError::new(ErrorCode::InvalidTarget, "ask for one resource per token"));
        }
        if !resources.iter().all(|r| crate::authorize::is_resource_indicator(r)) {
            return Err(OAuthError::new(ErrorCode::InvalidTarget, "resource must be an absolute URI (RFC 8707)"));
        }
        if (grant_type == crate::device::GRANT_TYPE || grant_type == crate::ciba::GRANT_TYPE) && !resources.is_empty() {
            return Err(OAuthError::new(ErrorCode::InvalidTarget, "name the resource in the request the user answers"));
        }
    }
    let scope = || {
        params
            .get("scope")
            .map(ScopeSet::parse_space_separated)
            .transpose()
            .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "malformed scope (RFC 6749 §3.3)"))
    };
    let owned = |name| params.get(name).map(str::to_owned);
    match grant_type {
        "client_credentials" => Ok(GrantRequest::ClientCredentials { scope: scope()?, resource: owned("resource") }),
        "authorization_code" => Ok(GrantRequest::AuthorizationCode {
            code: params.require("code")?.to_owned(),
            redirect_uri: owned("redirect_uri"),
            code_verifier: owned("code_verifier"),
            resource: owned("resource"),
        }),
        "refresh_token" => Ok(GrantRequest::RefreshToken {
            refresh_token: params.require("refresh_token")?.to_owned(),
            scope: scope()?,
            resource: owned("resource"),
        }),
        crate::exchange::GRANT_TYPE if params.get("requested_token_type") == Some(crate::txn::TXN_TOKEN_TYPE) => {
            Ok(GrantRequest::TransactionToken(crate::txn::parse(params)?))
        }
        crate::exchange::GRANT_TYPE => {
            Ok(GrantRequest::TokenExchange(crate::exchange::parse_exchange(params, scope()?)?))
        }
        crate::device::GRANT_TYPE => {
            Ok(GrantRequest::DeviceCode { device_code: params.require("device_code")?.to_owned() })
        }
        crate::ciba::GRANT_TYPE => Ok(GrantRequest::Ciba { auth_req_id: params.require("auth_req_id")?.to_owned() }),
        crate::chaining::JWT_BEARER => Ok(GrantRequest::JwtBearer {
            assertion: params.require("assertion")?.to_owned(),
            scope: scope()?,
            resource: owned("resource"),
        }),
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
    /// The resources the token is for (the issuer when no resource was requested, RFC 9068 §3);
    /// one audience is written as a string, several as an array.
    #[serde(serialize_with = "one_or_many")]
    pub aud: Vec<String>,
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
    /// The actor chain of a delegated token (RFC 8693 §4.1): `{"sub": agent, "act": {…}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<serde_json::Value>,
    /// The agents that may act for the user with this token (RFC 8693 §4.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_act: Option<serde_json::Value>,
    /// The delegation a delegated token rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegation_id: Option<String>,
    /// Every delegation the token derives from, oldest first: revoking any of them ends it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delegation_chain: Vec<String>,
    /// The DPoP key the token is bound to: `{"jkt": thumbprint}` (RFC 9449 §6.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnf: Option<serde_json::Value>,
    /// When the user authenticated (RFC 9068 §2.2.1), so an API can ask for a fresher sign-in
    /// (RFC 9470).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The level of that authentication (RFC 9068 §2.2.1; RFC 9470).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The grant (refresh-token family) the token was issued from: revoking the grant, or its
    /// refresh token being replayed, ends every access token issued from it (RFC 9700 §4.14.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// User claims the authorization request asked for from UserInfo with the `claims`
    /// parameter (OIDC Core §5.5), space-separated. The grant's access tokens carry the list
    /// themselves, so the UserInfo endpoint reads it the same way from a JWT and from an opaque
    /// token's stored claims, and a refresh copies it from the refresh-token family.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub userinfo_claims: String,
    /// The approved authorization details (RFC 9396 §9.1): a JSON array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
}

fn one_or_many<S: serde::Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    match aud {
        [one] => s.serialize_str(one),
        many => many.serialize(s),
    }
}

impl AccessTokenClaims {
    /// Claims with no delegation, `may_act` or actor.
    pub fn new(
        issuer: &str,
        sub: &str,
        aud: Vec<String>,
        lifetime: i64,
        client_id: &str,
        scope: String,
        now: OffsetDateTime,
    ) -> Self {
        let iat = now.unix_timestamp();
        Self {
            iss: issuer.to_owned(),
            sub: sub.to_owned(),
            aud,
            exp: iat + lifetime,
            iat,
            jti: ciam_core::secret::random_token(16),
            client_id: client_id.to_owned(),
            scope,
            act: None,
            may_act: None,
            delegation_id: None,
            delegation_chain: Vec::new(),
            cnf: None,
            auth_time: None,
            acr: None,
            grant_id: None,
            userinfo_claims: String::new(),
            authorization_details: None,
        }
    }
}

/// The successful response of the token endpoint (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer`, or `DPoP` for a token bound to a proof key (RFC 9449 §5).
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scope, when it differs from nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A rotating refresh token, when the client may refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token, for OpenID Connect requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// What a token exchange issued (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
    /// The authorization details the access token carries (RFC 9396 §7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
}

impl TokenResponse {
    /// The response for an access token with `claims`: its type, lifetime, scope (when not
    /// empty) and authorization details (when it carries any), and nothing else.
    pub fn for_access_token(access_token: String, claims: &AccessTokenClaims) -> Self {
        Self {
            access_token,
            // A certificate-bound token (RFC 8705) is still presented as a bearer token.
            token_type: if claims.cnf.as_ref().is_some_and(|c| c.get("jkt").is_some()) { "DPoP" } else { "Bearer" },
            expires_in: claims.exp - claims.iat,
            scope: (!claims.scope.is_empty()).then(|| claims.scope.clone()),
            refresh_token: None,
            id_token: None,
            issued_token_type: None,
            authorization_details: claims.authorization_details.clone(),
        }
    }
}

/// Access token claims for a user's grant.
pub fn user_access_token(
    issuer: &str,
    user_id: &str,
    client_id: &str,
    scope: &ScopeSet,
    now: OffsetDateTime,
) -> AccessTokenClaims {
    AccessTokenClaims::new(
        issuer,
        user_id,
        vec![issuer.to_owned()],
        USER_ACCESS_TOKEN_LIFETIME.whole_seconds(),
        client_id,
        scope.to_string(),
        now,
    )
}

/// Checks a refresh request against the stored token and family (RFC 6749 §6; RFC 9700
/// §4.14.2). Returns the scope of the new tokens.
///
/// # Security
/// The token must belong to this client, be its family's live head (a rotated token is reuse:
/// the caller revokes the family), be within its idle and the family's absolute lifetime, and
/// the family must not be revoked. A requested scope may only narrow the grant.
pub fn check_refresh(
    token: &ciam_core::refresh::RefreshTokenRecord,
    family: &ciam_core::refresh::RefreshFamily,
    client: &Client,
    requested: Option<&ScopeSet>,
    now: OffsetDateTime,
) -> Result<ScopeSet, RefreshRefusal> {
    let invalid = |d: &'static str| RefreshRefusal::Invalid(OAuthError::new(ErrorCode::InvalidGrant, d));
    if family.client_id != client.client_id {
        return Err(invalid("the refresh token was issued to another client"));
    }
    if family.revoked_at.is_some() {
        return Err(invalid("the refresh token was revoked"));
    }
    if token.rotated_at.is_some() {
        return Err(RefreshRefusal::Reused);
    }
    if token.expires_at <= now || family.expires_at <= now {
        return Err(invalid("the refresh token has expired"));
    }
    let granted = ScopeSet::parse_space_separated(&family.scope)
        .map_err(|e| RefreshRefusal::Invalid(OAuthError::server_error(e)))?;
    match requested {
        Some(r) if r.is_subset(&granted) => Ok(r.clone()),
        Some(_) => Err(RefreshRefusal::Invalid(OAuthError::new(
            ErrorCode::InvalidScope,
            "a refresh may only narrow the scope",
        ))),
        None => Ok(granted),
    }
}

/// Why a refresh was refused.
#[derive(Debug)]
pub enum RefreshRefusal {
    /// Refused with this error.
    Invalid(OAuthError),
    /// The token was used before: revoke its family, then answer `invalid_grant`.
    Reused,
}

/// Decides a `client_credentials` grant: the scope is the requested one, which must be within
/// the client's registered scopes, or by default all of them; user scopes are never granted.
/// The token is for the issuer; a `resource` (RFC 8707) it names aims it with
/// [`crate::resource::aim`].
pub fn client_credentials(
    client: &Client,
    requested: Option<&ScopeSet>,
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AccessTokenClaims, OAuthError> {
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
    let lifetime = match &client.agent {
        Some(agent) => i64::from(agent.max_token_lifetime),
        None => CLIENT_ACCESS_TOKEN_LIFETIME.whole_seconds(),
    };
    let id = client.client_id.as_str();
    Ok(AccessTokenClaims::new(issuer, id, vec![issuer.to_owned()], lifetime, id, scope.to_string(), now))
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
            scopes: ScopeSet::parse_space_separated(scopes).unwrap(),
            ..Client::minimal(
                TenantId::parse("acme").unwrap(),
                ClientId::parse("svc").unwrap(),
                "Service".into(),
                ClientType::Confidential,
                grants.to_vec(),
                AuthMethod::ClientSecretBasic,
                NOW,
            )
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
        assert_eq!((t.sub.as_str(), t.client_id.as_str(), t.aud[0].as_str()), ("svc", "svc", "https://id/t/acme"));
        assert_eq!(serde_json::to_value(&t).unwrap()["aud"], "https://id/t/acme", "one audience is a string");
        assert_eq!(t.exp - t.iat, 900);
        let narrowed = client_credentials(&c, Some(&scopes("orders:read")), "i", NOW).unwrap();
        assert_eq!(narrowed.scope, "orders:read");
        for wider in ["orders:delete", "openid", "orders:read profile"] {
            let e = client_credentials(&c, Some(&scopes(wider)), "i", NOW).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidScope, "{wider}");
        }
        let a = client_credentials(&c, None, "i", NOW).unwrap();
        let b = client_credentials(&c, None, "i", NOW).unwrap();
        assert_ne!(a.jti, b.jti);
    }

    #[test]
    fn refresh_rules_s13_s14() {
        use ciam_core::id::UserId;
        use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
        use ciam_core::secret::SecretHash;
        let c = client(&[GrantType::AuthorizationCode, GrantType::RefreshToken], "openid profile");
        let family = RefreshFamily {
            tenant_id: TenantId::parse("acme").unwrap(),
            family_id: "f".into(),
            client_id: c.client_id.clone(),
            user_id: UserId::generate(),
            scope: "openid profile".into(),
            auth_time: NOW,
            acr: None,
            sid: None,
            created_at: NOW,
            expires_at: NOW + time::Duration::days(60),
            revoked_at: None,
            dpop_jkt: None,
            resources: vec![],
            userinfo_claims: vec![],
            authorization_details: None,
        };
        let token = RefreshTokenRecord {
            tenant_id: family.tenant_id.clone(),
            token_hash: SecretHash::of("t"),
            family_id: "f".into(),
            issued_at: NOW,
            expires_at: NOW + time::Duration::days(14),
            rotated_at: None,
        };
        let ok = |t: &RefreshTokenRecord, f: &RefreshFamily, c: &Client, r: Option<&str>, now| {
            check_refresh(t, f, c, r.map(scopes).as_ref(), now)
        };
        assert_eq!(ok(&token, &family, &c, None, NOW).unwrap().to_string(), "openid profile");
        assert_eq!(ok(&token, &family, &c, Some("openid"), NOW).unwrap().to_string(), "openid");
        let code = |r: Result<ScopeSet, RefreshRefusal>| match r {
            Err(RefreshRefusal::Invalid(e)) => Some(e.code),
            _ => None,
        };
        assert_eq!(
            code(ok(&token, &family, &c, Some("openid email"), NOW)),
            Some(ErrorCode::InvalidScope),
            "only narrower"
        );
        let other = Client { client_id: ClientId::parse("other").unwrap(), ..c.clone() };
        assert_eq!(code(ok(&token, &family, &other, None, NOW)), Some(ErrorCode::InvalidGrant), "bound to client");
        let revoked = RefreshFamily { revoked_at: Some(NOW), ..family.clone() };
        assert_eq!(code(ok(&token, &revoked, &c, None, NOW)), Some(ErrorCode::InvalidGrant));
        let rotated = RefreshTokenRecord { rotated_at: Some(NOW), ..token.clone() };
        assert!(matches!(ok(&rotated, &family, &c, None, NOW), Err(RefreshRefusal::Reused)));
        assert_eq!(
            code(ok(&token, &family, &c, None, NOW + time::Duration::days(15))),
            Some(ErrorCode::InvalidGrant),
            "idle"
        );
        let fresh = RefreshTokenRecord { expires_at: NOW + time::Duration::days(100), ..token.clone() };
        assert_eq!(
            code(ok(&fresh, &family, &c, None, NOW + time::Duration::days(61))),
            Some(ErrorCode::InvalidGrant),
            "absolute"
        );
    }

    #[test]
    fn grant_parsing_errors() {
        let parse = |body: &str| parse_grant(&Params::parse(body.as_bytes()).unwrap()).map(|_| ()).map_err(|e| e.code);
        assert_eq!(parse("grant_type=client_credentials&scope=a%20b"), Ok(()));
        assert_eq!(parse(""), Err(ErrorCode::InvalidRequest));
        assert_eq!(parse("grant_type=password"), Err(ErrorCode::UnsupportedGrantType));
        assert_eq!(parse("grant_type=implicit"), Err(ErrorCode::UnsupportedGrantType));
        assert_eq!(parse("grant_type=client_credentials&scope=a%22b"), Err(ErrorCode::InvalidScope));
        assert_eq!(parse("grant_type=client_credentials&resource=https://api"), Ok(()));
        assert_eq!(
            parse("grant_type=client_credentials&resource=https://a&resource=https://b"),
            Err(ErrorCode::InvalidTarget)
        );
        assert_eq!(parse("grant_type=refresh_token&refresh_token=r&resource=https://a"), Ok(()));
        assert_eq!(parse("grant_type=authorization_code&code=c&resource=https://a"), Ok(()));
        assert_eq!(parse("grant_type=authorization_code&code=c&resource=https://a%23f"), Err(ErrorCode::InvalidTarget));
        assert_eq!(
            parse("grant_type=refresh_token&refresh_token=r&resource=https://a&resource=https://b"),
            Err(ErrorCode::InvalidTarget)
        );
        assert_eq!(parse("grant_type=authorization_code"), Err(ErrorCode::InvalidRequest), "missing code");
        assert_eq!(parse("grant_type=authorization_code&code=c"), Ok(()));
        assert_eq!(parse("grant_type=refresh_token"), Err(ErrorCode::InvalidRequest), "missing refresh_token");
        assert_eq!(parse("grant_type=refresh_token&refresh_token=r&scope=openid"), Ok(()));
        let device = "grant_type=urn:ietf:params:oauth:grant-type:device_code";
        assert_eq!(parse(device), Err(ErrorCode::InvalidRequest), "missing device_code");
        assert_eq!(parse(&format!("{device}&device_code=d")), Ok(()));
        assert_eq!(parse(&format!("{device}&device_code=d&resource=https://a")), Err(ErrorCode::InvalidTarget));
    }
}
