//! The FAPI 2.0 Security Profile (final, §5.3.2): what a `fapi2` client's requests must do
//! beyond the standard profile. The other rules of the profile hold for every client already
//! (code flow only, single-use codes living at most 60 seconds, `iss` in every authorization
//! response, exact redirect URIs, no open redirects, HTTP 303 redirects) or are enforced where the
//! request is read (client authentication by `private_key_jwt` with the issuer as audience,
//! PS256/ES256/EdDSA only, refresh tokens not rotated): see docs/oidc.md, "FAPI 2.0".

use crate::authorize::ValidAuthorization;
use crate::error::OAuthError;

/// An authorization request of a `fapi2` client (§5.3.2.2): it was pushed (PAR, RFC 9126) by
/// the authenticated client, names its `redirect_uri`, and carries a PKCE S256 challenge
/// (`validate` already refuses every other method).
pub fn check_authorization(valid: &ValidAuthorization, pushed: bool) -> Result<(), OAuthError> {
    if !pushed {
        return Err(OAuthError::invalid_request(
            "the fapi2 profile accepts only pushed authorization requests (PAR, RFC 9126)",
        ));
    }
    if !valid.redirect_uri_sent {
        return Err(OAuthError::invalid_request("the fapi2 profile requires redirect_uri in the pushed request"));
    }
    if valid.code_challenge.is_none() {
        return Err(OAuthError::invalid_request("the fapi2 profile requires PKCE (code_challenge with S256)"));
    }
    Ok(())
}

/// A token request of a `fapi2` client (§5.3.2.1): what it gets must be sender-constrained, by
/// a DPoP proof (RFC 9449) or a client certificate (RFC 8705).
pub fn check_sender_constraint(dpop_proof: bool, client_certificate: bool) -> Result<(), OAuthError> {
    if dpop_proof || client_certificate {
        return Ok(());
    }
    Err(OAuthError::invalid_request(
        "the fapi2 profile issues only sender-constrained tokens: send a DPoP proof (RFC 9449) or a client certificate (RFC 8705)",
    ))
}

#[cfg(test)]
mod tests {
    use ciam_core::client::{AuthMethod, Client, SecurityProfile};
    use ciam_core::scope::ScopeSet;

    use super::*;
    use crate::authorize::validate;
    use crate::form::Params;

    fn client() -> Client {
        Client {
            token_endpoint_auth_method: AuthMethod::PrivateKeyJwt,
            scopes: ScopeSet::parse_space_separated("openid accounts").unwrap(),
            security_profile: Some(SecurityProfile::Fapi2),
            ..ciam_store::contract::client("bank", "fintech")
        }
    }

    fn valid(query: &str) -> ValidAuthorization {
        validate(&Params::parse(query.as_bytes()).unwrap(), Some(&client())).unwrap()
    }

    const FULL: &str = "client_id=fintech&response_type=code&scope=accounts&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
        &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

    #[test]
    fn authorization_requests_are_pushed_with_redirect_uri_and_pkce() {
        assert!(check_authorization(&valid(FULL), true).is_ok());
        let front_channel = check_authorization(&valid(FULL), false).unwrap_err();
        assert!(front_channel.description.contains("pushed"), "{front_channel:?}");
        let no_pkce = FULL.split("&code_challenge").next().unwrap();
        assert!(check_authorization(&valid(no_pkce), true).unwrap_err().description.contains("PKCE"));
        let no_redirect = FULL.replace("&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "");
        assert!(check_authorization(&valid(&no_redirect), true).unwrap_err().description.contains("redirect_uri"));
    }

    #[test]
    fn tokens_are_sender_constrained() {
        assert!(check_sender_constraint(true, false).is_ok());
        assert!(check_sender_constraint(false, true).is_ok());
        assert_eq!(check_sender_constraint(false, false).unwrap_err().code, crate::error::ErrorCode::InvalidRequest);
    }
}
