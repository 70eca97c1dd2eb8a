//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9).
//!
//! # Security
//! - A client authenticates only with the method it registered; any other method is refused,
//!   so a `private_key_jwt` client cannot fall back to a guessed secret.
//! - Secrets are compared as SHA-256 digests in constant time; an unknown client costs the same
//!   comparison as a known one, and every failure is the same `invalid_client`.
//! - Using two methods in one request (Basic and a body secret) is `invalid_request` (§2.3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciam_core::client::{AuthMethod, Client, ClientType};
use ciam_core::id::ClientId;
use ciam_core::secret::{Secret, SecretHash};

use crate::error::OAuthError;
use crate::form::Params;

/// What the request presented to identify the client.
#[derive(Debug)]
pub struct Presented {
    /// The claimed client id.
    pub client_id: ClientId,
    /// How it authenticated.
    pub method: AuthMethod,
    /// The secret, for the secret methods.
    secret: Option<Secret>,
}

fn form_decode(s: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
}

/// Extracts the client's credentials from the `Authorization` header and the form, removing
/// `client_secret` from the form.
pub fn presented(authorization: Option<&str>, params: &mut Params) -> Result<Presented, OAuthError> {
    if params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some() {
        return Err(OAuthError::invalid_client());
    }
    let body_secret = params.take("client_secret");
    let body_id = params.get("client_id").map(str::to_owned);
    let basic = match authorization {
        None => None,
        Some(h) => {
            let (scheme, value) = h.trim().split_once(' ').ok_or_else(OAuthError::invalid_client)?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(OAuthError::invalid_client());
            }
            // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
            let decoded = STANDARD.decode(value.trim()).ok().and_then(|b| String::from_utf8(b).ok());
            let (id, secret) =
                decoded.as_deref().and_then(|d| d.split_once(':')).ok_or_else(OAuthError::invalid_client)?;
            Some((
                form_decode(id).ok_or_else(OAuthError::invalid_client)?,
                form_decode(secret).ok_or_else(OAuthError::invalid_client)?,
            ))
        }
    };
    let parse_id = |id: &str| ClientId::parse(id).map_err(|_| OAuthError::invalid_client());
    match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => {
            Err(OAuthError::invalid_request("use one client authentication method (RFC 6749 §2.3)"))
        }
        (Some((id, _)), Some(body), None) if body != id => {
            Err(OAuthError::invalid_request("client_id differs from the authenticated client"))
        }
        (Some((id, secret)), _, None) => Ok(Presented {
            client_id: parse_id(&id)?,
            method: AuthMethod::ClientSecretBasic,
            secret: Some(Secret::new(secret)),
        }),
        (None, Some(id), Some(secret)) => Ok(Presented {
            client_id: parse_id(&id)?,
            method: AuthMethod::ClientSecretPost,
            secret: Some(Secret::new(secret)),
        }),
        (None, Some(id), None) => Ok(Presented { client_id: parse_id(&id)?, method: AuthMethod::None, secret: None }),
        (None, None, _) => Err(OAuthError::invalid_client()),
    }
}

/// Checks presented credentials against the registered client and its secret hash. `client` is
/// `None` when no such client exists in this tenant.
pub fn authenticate(
    presented: &Presented,
    client: Option<&Client>,
    secret_hash: Option<&SecretHash>,
) -> Result<(), OAuthError> {
    // Compare even when there is nothing to compare against, so timing says nothing.
    let secret_ok = match (&presented.secret, secret_hash) {
        (Some(s), Some(h)) => h.verify(s.expose_secret()),
        (Some(s), None) => {
            let _ = SecretHash::of("no-such-client").verify(s.expose_secret());
            false
        }
        (None, _) => false,
    };
    let Some(client) = client else { return Err(OAuthError::invalid_client()) };
    if client.token_endpoint_auth_method != presented.method {
        return Err(OAuthError::invalid_client());
    }
    match presented.method {
        AuthMethod::None if client.client_type == ClientType::Public => Ok(()),
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost if secret_ok => Ok(()),
        _ => Err(OAuthError::invalid_client()),
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::client::GrantType;
    use ciam_core::id::TenantId;
    use ciam_core::scope::ScopeSet;
    use time::macros::datetime;

    use super::*;
    use crate::error::ErrorCode;

    fn client(method: AuthMethod) -> Client {
        let public = method == AuthMethod::None;
        Client {
            tenant_id: TenantId::parse("acme").unwrap(),
            client_id: ClientId::parse("app").unwrap(),
            name: "App".into(),
            client_type: if public { ClientType::Public } else { ClientType::Confidential },
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::ClientCredentials],
            token_endpoint_auth_method: method,
            scopes: ScopeSet::default(),
            jwks_uri: None,
            jwks: None,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    fn run(auth: Option<&str>, body: &str, registered: AuthMethod, secret: &str) -> Result<(), ErrorCode> {
        let mut params = Params::parse(body.as_bytes()).map_err(|e| e.code)?;
        let p = presented(auth, &mut params).map_err(|e| e.code)?;
        let c = client(registered);
        authenticate(&p, Some(&c), Some(&SecretHash::of(secret))).map_err(|e| e.code)
    }

    #[test]
    fn registered_method_only_s23() {
        use AuthMethod::{ClientSecretBasic, ClientSecretPost, PrivateKeyJwt};
        use ErrorCode::{InvalidClient, InvalidRequest};
        let s = "s3cret";
        // (Authorization header, form body, registered method, expected outcome)
        type Case<'a> = (Option<String>, &'a str, AuthMethod, Result<(), ErrorCode>);
        let cases: Vec<Case<'_>> = vec![
            (Some(basic("app", s)), "", ClientSecretBasic, Ok(())),
            (None, "client_id=app&client_secret=s3cret", ClientSecretPost, Ok(())),
            (None, "client_id=app", AuthMethod::None, Ok(())),
            (Some(basic("app", "wrong")), "", ClientSecretBasic, Err(InvalidClient)),
            (None, "client_id=app&client_secret=s3cret", ClientSecretBasic, Err(InvalidClient)),
            (Some(basic("app", s)), "", ClientSecretPost, Err(InvalidClient)),
            (None, "client_id=app", ClientSecretBasic, Err(InvalidClient)),
            (Some(basic("app", s)), "client_secret=s3cret", ClientSecretBasic, Err(InvalidRequest)),
            (Some(basic("app", s)), "client_id=other", ClientSecretBasic, Err(InvalidRequest)),
            (Some(basic("app", s)), "client_id=app", ClientSecretBasic, Ok(())),
            (None, "", ClientSecretBasic, Err(InvalidClient)),
            (Some("Bearer x".into()), "", ClientSecretBasic, Err(InvalidClient)),
            (Some("Basic !!!".into()), "", ClientSecretBasic, Err(InvalidClient)),
            (Some(format!("Basic {}", STANDARD.encode("no-colon"))), "", ClientSecretBasic, Err(InvalidClient)),
            (None, "client_id=app&client_assertion=x&client_assertion_type=y", PrivateKeyJwt, Err(InvalidClient)),
        ];
        for (auth, body, method, want) in cases {
            assert_eq!(run(auth.as_deref(), body, method, s), want, "{auth:?} {body} {method:?}");
        }
    }

    #[test]
    fn basic_credentials_are_form_urlencoded_rfc6749_2_3_1() {
        let secret = "a:b%c+d é";
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert_eq!(run(Some(&basic("app", &encoded)), "", AuthMethod::ClientSecretBasic, secret), Ok(()));
        assert!(
            run(Some(&basic("app", secret)), "", AuthMethod::ClientSecretBasic, secret).is_err(),
            "raw form is not decoded the same"
        );
    }

    #[test]
    fn unknown_clients_fail_like_wrong_secrets() {
        let mut params = Params::parse(b"").unwrap();
        let p = presented(Some(&basic("ghost", "x")), &mut params).unwrap();
        assert_eq!(authenticate(&p, None, None).unwrap_err().code, ErrorCode::InvalidClient);
        let mut params = Params::parse(b"client_id=a%20b").unwrap();
        assert_eq!(presented(None, &mut params).unwrap_err().code, ErrorCode::InvalidClient, "ill-formed id");
    }
}
