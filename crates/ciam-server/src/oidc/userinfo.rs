//! The UserInfo endpoint (OIDC Core §5.3) and the discovery documents (OIDC Discovery 1.0 §3,
//! RFC 8414 §2), which advertise exactly what this server implements.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use ciam_oauth::claims::{claims_of_scope, scope_of_claim, user_claims};
use ciam_oauth::{ErrorCode, OAuthError};
use serde_json::{Value, json};

use super::dpop::{protected_request, refused, refused_at};
use crate::http::Path;
use crate::http::{ClientCertificate, tenant_record};
use crate::services::consents;
use crate::state::AppState;
use ciam_core::purpose::CONSENTS_SCOPE;

fn invalid_token() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidToken, "the access token is invalid, expired or revoked")
}

/// `GET|POST /t/{tenant}/userinfo` with `Authorization: Bearer`. Tokens in the query string or
/// form body are not accepted (RFC 9700 §4.3.2; RFC 6750 §2.3).
pub(super) async fn userinfo(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    method: Method,
    headers: HeaderMap,
    ClientCertificate(certificate): ClientCertificate,
    _body: Bytes,
) -> Response {
    let record = match tenant_record(&st, &tenant).await {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let tenant = &record.id;
    let url = format!("{}/userinfo", st.issuer(tenant));
    let (claims, user) =
        match protected_request(&st, &record, &headers, certificate.as_deref(), method.as_str(), &url).await {
            Ok(live) => (live.claims, live.user),
            Err(e) => return refused_at(&st, tenant, e).await,
        };
    let scope: Vec<&str> = claims.get("scope").and_then(Value::as_str).unwrap_or("").split(' ').collect();
    if !scope.contains(&"openid") {
        return refused(OAuthError::new(ErrorCode::InsufficientScope, "the token lacks the openid scope"));
    }
    // The token's user, read (and found active) with the token's own checks.
    let Some(user) = user else {
        return refused(invalid_token());
    };
    // The claims of the granted scopes (OIDC Core §5.4) and those the `claims` parameter asked
    // for one by one (§5.5), which the grant's access tokens name.
    let requested = claims.get("userinfo_claims").and_then(Value::as_str).unwrap_or("").split(' ');
    let names = scope.iter().flat_map(|s| claims_of_scope(s)).chain(requested.filter(|c| scope_of_claim(c).is_some()));
    let mut out = user_claims(&user, names);
    out.insert("sub".into(), Value::String(user.id.to_string()));
    // The user's granted purposes, as they stand now (docs/privacy.md).
    if scope.contains(&CONSENTS_SCOPE) {
        match consents::standing(&st, tenant, &user.id).await {
            Ok(standing) => {
                out.insert(CONSENTS_SCOPE.into(), standing.claim);
            }
            Err(crate::services::ServiceError::Store(e)) => return refused(e.into()),
            Err(e) => return refused(OAuthError::server_error(e.to_string())),
        }
    }
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(Value::Object(out))).into_response()
}

/// The metadata document shared by OIDC discovery and RFC 8414; `detail_types` are the tenant's
/// authorization details types (RFC 9396 §10).
fn metadata(st: &AppState, tenant: &ciam_core::tenant::Tenant, detail_types: &[&str]) -> Value {
    let issuer = st.issuer(&tenant.id);
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "pushed_authorization_request_endpoint": format!("{issuer}/par"),
        "device_authorization_endpoint": format!("{issuer}/device_authorization"),
        // OpenID CIBA Core §4: poll and ping (push is not offered), hints by login_hint or
        // id_token_hint, no user codes, no signed requests.
        "backchannel_authentication_endpoint": format!("{issuer}/bc-authorize"),
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_user_code_parameter_supported": false,
        "require_pushed_authorization_requests": false,
        "scopes_supported": ["openid", "profile", "email", "address", "phone", "offline_access", "consents"],
        "response_types_supported": ["code"],
        "response_modes_supported": ciam_oauth::authorize::ResponseMode::SUPPORTED,
        // JARM: responses signed with the tenant's keys.
        "authorization_signing_alg_values_supported": ciam_oauth::jarm::SIGNING_ALGS.map(ciam_jose::Alg::as_str),
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:openid:params:grant-type:ciba"
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "dpop_signing_alg_values_supported": ciam_jose::dpop::DPOP_ALGS,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account", "create"],
        // The languages of the hosted pages, which `ui_locales` may ask for (OIDC Discovery §3).
        "ui_locales_supported": ciam_core::locale::Locale::ALL.map(ciam_core::locale::Locale::tag),
        // The levels `acr_values` may ask for and the `acr` claim reports (docs/security.md).
        "acr_values_supported": ciam_core::Acr::ALL.map(ciam_core::Acr::as_str),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "name", "given_name",
            "family_name", "nickname", "preferred_username", "picture", "website", "locale", "zoneinfo", "birthdate",
            "updated_at", "email", "email_verified", "phone_number", "phone_number_verified", "address", "consents"
        ],
        "claims_parameter_supported": true,
        // RFC 9101: request objects by value, signed with the client's keys; a `request_uri`
        // only from our own PAR endpoint (advertised above), never fetched.
        "request_parameter_supported": true,
        "request_uri_parameter_supported": false,
        "request_object_signing_alg_values_supported": ciam_jose::jwt::CLIENT_ALGS.map(|a| format!("{a:?}")),
        "authorization_response_iss_parameter_supported": true,
    });
    if let Some(doc) = doc.as_object_mut() {
        // Advertised only where someone may register (RFC 8414 §2).
        if tenant.settings.registration.mode != ciam_core::tenant::RegistrationMode::Closed {
            doc.insert("registration_endpoint".into(), Value::String(format!("{issuer}/register")));
        }
        // Identity chaining: grants accepted from trusted issuers (RFC 7523), and issued for
        // other domains (draft-ietf-oauth-identity-chaining §4).
        let chaining = &tenant.settings.identity_chaining;
        if !chaining.trusted_issuers.is_empty()
            && let Some(Value::Array(grants)) = doc.get_mut("grant_types_supported")
        {
            grants.push(json!(ciam_oauth::chaining::JWT_BEARER));
        }
        if !chaining.grant_audiences.is_empty() {
            doc.insert(
                "identity_chaining_requested_token_types_supported".into(),
                json!([ciam_oauth::exchange::JWT_TOKEN_TYPE]),
            );
        }
        // RFC 9396 §10: the types the tenant registered, if any.
        if !detail_types.is_empty() {
            doc.insert("authorization_details_types_supported".into(), json!(detail_types));
        }
        // draft-ietf-oauth-client-id-metadata-document: only where the tenant allows it.
        if tenant.settings.client_metadata_documents.enabled() {
            doc.insert("client_id_metadata_document_supported".into(), Value::Bool(true));
        }
        // RFC 8705 §3.3: only where a proxy forwards client certificates.
        if st.node.client_certificate_header.is_some() {
            doc.insert("tls_client_certificate_bound_access_tokens".into(), Value::Bool(true));
        }
        // A FAPI 2.0 tenant's clients follow the profile unless they name another: advertise
        // what it allows (docs/oidc.md, "FAPI 2.0").
        if tenant.settings.security_profile == ciam_core::client::SecurityProfile::Fapi2 {
            let fapi_algs = json!(["PS256", "ES256", "EdDSA"]);
            for (key, value) in [
                ("require_pushed_authorization_requests", json!(true)),
                ("token_endpoint_auth_methods_supported", json!(["private_key_jwt"])),
                ("introspection_endpoint_auth_methods_supported", json!(["private_key_jwt"])),
                ("revocation_endpoint_auth_methods_supported", json!(["private_key_jwt"])),
                ("token_endpoint_auth_signing_alg_values_supported", fapi_algs.clone()),
                ("dpop_signing_alg_values_supported", fapi_algs.clone()),
                ("request_object_signing_alg_values_supported", fapi_algs),
                ("id_token_signing_alg_values_supported", json!(["ES256"])),
                ("authorization_signing_alg_values_supported", json!(["ES256"])),
            ] {
                doc.insert(key.into(), value);
            }
        }
    }
    doc
}

/// `GET /t/{tenant}/.well-known/openid-configuration`: built once per node cache period.
pub(super) async fn openid_configuration(State(st): State<AppState>, Path(tenant): Path<String>) -> Response {
    let found = match tenant_record(&st, &tenant).await {
        Ok(t) => {
            st.directory.detail_types(st.durable.as_ref(), &t.id).await.map(|types| (t, types)).map_err(Into::into)
        }
        Err(p) => Err(p),
    };
    match found {
        Ok((t, types)) => {
            let doc = st.directory.discovery(&t.id, || metadata(&st, &t, &types.ids()).to_string());
            (
                [
                    (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
                    (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
                    (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
                ],
                doc.to_string(),
            )
                .into_response()
        }
        Err(p) => p.into_response(),
    }
}

/// `GET /.well-known/oauth-authorization-server/t/{tenant}` (RFC 8414 §3: the well-known path is
/// inserted before the issuer's path).
pub(super) async fn oauth_metadata(State(st): State<AppState>, Path(tenant): Path<String>) -> Response {
    openid_configuration(State(st), Path(tenant)).await
}
