//! Authorization codes (RFC 6749 §4.1.2, §4.1.3) and the ID tokens issued when one is redeemed
//! (OIDC Core §2, §3.1.3.3).
//!
//! A code is a 256-bit random string handed to the client once; the server keeps only
//! [`CodeGrant`] under the code's SHA-256 in the ephemeral store, taken atomically on redemption
//! so two concurrent redemptions cannot both win. Expiry is checked after the take.

use ciam_core::client::Client;
use ciam_core::id::{ClientId, UserId};
use ciam_core::scope::ScopeSet;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};
use crate::pkce::CodeChallenge;

/// How long a code may be redeemed (RFC 6749 §4.1.2 recommends at most 10 minutes; FAPI 2.0
/// and this server use 60 seconds).
pub const CODE_LIFETIME: time::Duration = time::Duration::seconds(60);

/// Lifetime of ID tokens.
pub const ID_TOKEN_LIFETIME: time::Duration = time::Duration::minutes(10);

/// What the server remembers about an issued code (and about an approved device request).
///
/// Stored as JSON whose fields are all strings, numbers and lists of strings: the typed fields
/// serialise as the strings they stand for (`scope` space-separated), so a grant written by an
/// older server redeems on a newer one and the other way round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    /// The client the code was issued to.
    pub client_id: ClientId,
    /// The `redirect_uri` of the authorization request, when it carried one.
    pub redirect_uri: Option<String>,
    /// Granted scopes (stored space-separated).
    #[serde(with = "space_separated")]
    pub scope: ScopeSet,
    /// The OIDC nonce to put into the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// The user (`sub`).
    pub user_id: UserId,
    /// When the user authenticated (unix seconds).
    pub auth_time: i64,
    /// The authentication context class achieved.
    pub acr: Option<String>,
    /// Authentication methods used.
    pub amr: Vec<String>,
    /// The SSO session id (for `sid` and back-channel logout).
    pub sid: String,
    /// When the code was issued (unix seconds).
    pub issued_at: i64,
    /// For an agent: the delegation the user approved, which its tokens rest on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_id: Option<String>,
    /// The resources (RFC 8707) of the authorization request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The DPoP key the code is bound to (`dpop_jkt`, RFC 9449 §10): only a token request whose
    /// proof is signed with it redeems the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
    /// User claims the `claims` parameter asked for in the ID token (OIDC Core §5.5), beyond
    /// what the scope carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_claims: Vec<String>,
    /// User claims the `claims` parameter asked for from UserInfo: they ride in the access
    /// token and the refresh-token family.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub userinfo_claims: Vec<String>,
    /// The `consents` claim as the user's answers stood at sign-in, when the `consents` scope
    /// was asked for: it goes into the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consents: Option<serde_json::Value>,
    /// The authorization details the user approved (RFC 9396): they ride in the access tokens
    /// and the refresh-token family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
}

/// The `scope` of a stored grant: the space-separated string of the `scope` parameter.
mod space_separated {
    use ciam_core::scope::ScopeSet;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(scope: &ScopeSet, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(scope)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ScopeSet, D::Error> {
        let s = String::deserialize(d)?;
        ScopeSet::parse_space_separated(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// RFC 9449 §10: a code bound to a DPoP key (`dpop_jkt`) is redeemed only with a proof signed
/// by that key (`jkt`: the thumbprint of the token request's verified proof, if any).
pub fn check_code_binding(grant: &CodeGrant, jkt: Option<&str>) -> Result<(), OAuthError> {
    match &grant.dpop_jkt {
        Some(bound) if jkt != Some(bound.as_str()) => {
            Err(invalid_grant("the code is bound to a DPoP key (dpop_jkt): send a proof signed with that key"))
        }
        _ => Ok(()),
    }
}

fn invalid_grant(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, description)
}

/// Checks a taken code's grant against the token request (RFC 6749 §4.1.3, RFC 7636 §4.6).
///
/// # Security
/// - the code must be younger than [`CODE_LIFETIME`] and issued to this client (C30, C31);
/// - a `redirect_uri` sent with the authorization request must be repeated exactly, and none
///   may be sent when none was (S07);
/// - with a challenge the verifier is required and must match; without one, a verifier is
///   refused, so a PKCE-less code cannot be dressed up as a PKCE one (S06, downgrade).
pub fn redeem(
    grant: CodeGrant,
    client: &Client,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: OffsetDateTime,
) -> Result<CodeGrant, OAuthError> {
    if now.unix_timestamp() - grant.issued_at > CODE_LIFETIME.whole_seconds() {
        return Err(invalid_grant("the code has expired"));
    }
    if grant.client_id != client.client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if grant.redirect_uri.as_deref() != redirect_uri {
        return Err(invalid_grant("redirect_uri does not match the authorization request"));
    }
    match (grant.code_challenge.as_deref(), code_verifier) {
        (Some(c), Some(v)) if CodeChallenge::parse(c).is_some_and(|c| c.verify(v)) => {}
        (Some(_), Some(_)) => return Err(invalid_grant("code_verifier does not match the code_challenge")),
        (Some(_), None) => return Err(invalid_grant("code_verifier is required")),
        (None, Some(_)) => return Err(invalid_grant("this code was issued without PKCE")),
        (None, None) => {}
    }
    Ok(grant)
}

/// ID token claims (OIDC Core §2).
#[derive(Debug, Clone, Serialize)]
pub struct IdTokenClaims {
    /// Issuer.
    pub iss: String,
    /// The user.
    pub sub: String,
    /// The client, as the only audience.
    pub aud: Vec<String>,
    /// Expiry.
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// When the user authenticated.
    pub auth_time: i64,
    /// The request's nonce, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Authentication context class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Authentication methods (RFC 8176).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// Authorized party: the client.
    pub azp: String,
    /// Session id.
    pub sid: String,
    /// User claims asked for with the `claims` parameter (OIDC Core §5.5), by name.
    #[serde(flatten)]
    pub user_claims: serde_json::Map<String, serde_json::Value>,
}

impl IdTokenClaims {
    /// The ID token for a redeemed code.
    pub fn for_code(issuer: &str, grant: &CodeGrant, now: OffsetDateTime) -> Self {
        let iat = now.unix_timestamp();
        Self {
            iss: issuer.to_owned(),
            sub: grant.user_id.to_string(),
            aud: vec![grant.client_id.to_string()],
            exp: iat + ID_TOKEN_LIFETIME.whole_seconds(),
            iat,
            auth_time: grant.auth_time,
            nonce: grant.nonce.clone(),
            acr: grant.acr.clone(),
            amr: grant.amr.clone(),
            azp: grant.client_id.to_string(),
            sid: grant.sid.clone(),
            user_claims: serde_json::Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::client::{AuthMethod, ClientType, GrantType};
    use ciam_core::id::{ClientId, TenantId};
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn client(id: &str) -> Client {
        Client::minimal(
            TenantId::parse("acme").unwrap(),
            ClientId::parse(id).unwrap(),
            "App".into(),
            ClientType::Confidential,
            vec![GrantType::AuthorizationCode],
            AuthMethod::ClientSecretBasic,
            NOW,
        )
    }

    fn grant(challenge: Option<&str>) -> CodeGrant {
        CodeGrant {
            client_id: ClientId::parse("app").unwrap(),
            redirect_uri: Some("https://app.example/cb".into()),
            scope: ScopeSet::parse_space_separated("openid profile").unwrap(),
            nonce: Some("n-0S6_WzA2Mj".into()),
            code_challenge: challenge.map(str::to_owned),
            user_id: UserId::parse("0193a5c2-0000-7000-8000-000000000001").unwrap(),
            auth_time: NOW.unix_timestamp() - 30,
            acr: Some("urn:ciam:acr:pwd".into()),
            amr: vec!["pwd".into()],
            sid: "sid-1".into(),
            issued_at: NOW.unix_timestamp() - 10,
            delegation_id: None,
            resources: vec![],
            dpop_jkt: None,
            id_token_claims: Vec::new(),
            userinfo_claims: Vec::new(),
            authorization_details: None,
            consents: None,
        }
    }

    const CB: Option<&str> = Some("https://app.example/cb");

    #[test]
    fn every_redemption_rule_s06_s07_c30_c31_c32() {
        let app = client("app");
        let code = |r| redeem(grant(Some(CHALLENGE)), &app, CB, r, NOW).map(|_| ()).map_err(|e| e.code);
        assert_eq!(code(Some(VERIFIER)), Ok(()));
        assert_eq!(code(None), Err(ErrorCode::InvalidGrant), "missing verifier");
        assert_eq!(
            code(Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK")),
            Err(ErrorCode::InvalidGrant),
            "wrong verifier"
        );
        let downgrade = redeem(grant(None), &app, CB, Some(VERIFIER), NOW).unwrap_err();
        assert_eq!(downgrade.code, ErrorCode::InvalidGrant, "PKCE downgrade");
        assert!(redeem(grant(None), &app, CB, None, NOW).is_ok());

        let other = client("other");
        assert_eq!(
            redeem(grant(None), &other, CB, None, NOW).unwrap_err().code,
            ErrorCode::InvalidGrant,
            "bound to client"
        );
        for r in
            [None, Some("http://app.example/cb"), Some("https://app.example/cb/"), Some("https://app.example/cb?x=1")]
        {
            assert_eq!(redeem(grant(None), &app, r, None, NOW).unwrap_err().code, ErrorCode::InvalidGrant, "{r:?}");
        }
        let mut no_redirect = grant(None);
        no_redirect.redirect_uri = None;
        assert!(redeem(no_redirect.clone(), &app, None, None, NOW).is_ok());
        assert!(redeem(no_redirect, &app, CB, None, NOW).is_err(), "none sent before, none now");

        let mut old = grant(None);
        old.issued_at = NOW.unix_timestamp() - 61;
        assert_eq!(redeem(old, &app, CB, None, NOW).unwrap_err().code, ErrorCode::InvalidGrant, "expired");
    }

    #[test]
    fn id_token_claims_oidc_core_2() {
        let g = grant(None);
        let c = IdTokenClaims::for_code("https://id/t/acme", &g, NOW);
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["aud"], serde_json::json!(["app"]));
        assert_eq!(v["azp"], "app");
        assert_eq!(v["nonce"], "n-0S6_WzA2Mj");
        assert_eq!(v["auth_time"], g.auth_time);
        assert_eq!(v["exp"].as_i64().unwrap() - v["iat"].as_i64().unwrap(), 600);
        let mut no_nonce = g;
        no_nonce.nonce = None;
        let v = serde_json::to_value(IdTokenClaims::for_code("i", &no_nonce, NOW)).unwrap();
        assert!(v.get("nonce").is_none(), "no nonce claim without a nonce (C10)");
    }

    #[test]
    fn code_keys_hash_the_code_and_carry_the_tenant() {
        use ciam_core::keyspace::code;
        use ciam_core::tenant::TenantNs;
        let ns = |id: &str, inc: &str| TenantNs::new(&TenantId::parse(id).unwrap(), inc);
        let k = code(&ns("acme", "i1"), "the-code");
        assert!(k.as_str().starts_with("code:acme@i1:"));
        assert!(!k.as_str().contains("the-code"));
        assert_ne!(k, code(&ns("other", "i1"), "the-code"), "T03");
        assert_ne!(k, code(&ns("acme", "i2"), "the-code"), "a deleted tenant's codes stay with it");
    }

    /// A grant as servers before the typed fields stored it: every field a string.
    const STORED: &str = concat!(
        r#"{"client_id":"app","redirect_uri":"https://app.example/cb","scope":"openid profile","#,
        r#""nonce":"n-0S6_WzA2Mj","code_challenge":null,"user_id":"0193a5c2-0000-7000-8000-000000000001","#,
        r#""auth_time":1795089570,"acr":"urn:ciam:acr:pwd","amr":["pwd"],"sid":"sid-1","#,
        r#""issued_at":1795089590,"delegation_id":"dlg-1","resources":["https://api.example"]}"#
    );

    #[test]
    fn stored_grants_keep_their_format() {
        let g: CodeGrant = serde_json::from_str(STORED).unwrap();
        assert_eq!(g.client_id.as_str(), "app");
        assert_eq!(g.user_id.to_string(), "0193a5c2-0000-7000-8000-000000000001");
        assert_eq!(g.scope.to_vec(), ["openid", "profile"]);
        assert_eq!(serde_json::to_string(&g).unwrap(), STORED, "re-serialised byte for byte");

        // Without the optional fields (and with an empty scope), as most grants are stored.
        let mut bare = g;
        (bare.delegation_id, bare.resources, bare.scope) = (None, vec![], ScopeSet::default());
        let json = serde_json::to_string(&bare).unwrap();
        assert!(json.contains(r#""scope":"""#) && !json.contains("delegation_id") && !json.contains("resources"));
        assert_eq!(serde_json::from_str::<CodeGrant>(&json).unwrap(), bare);

        // What an older server could not have written does not read either.
        for (from, to) in [
            (r#""scope":"openid profile""#, r#""scope":"open"id""#),
            (r#""user_id":"0193a5c2-0000-7000-8000-000000000001""#, r#""user_id":"u""#),
            (r#""client_id":"app""#, r#""client_id":"a b""#),
        ] {
            assert!(serde_json::from_str::<CodeGrant>(&STORED.replace(from, to)).is_err(), "{to}");
        }
    }
}
