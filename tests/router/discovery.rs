//! OpenID Connect Discovery 1.0 §3 and RFC 8414 §2: what a relying party reads before its
//! first request must describe what the server does.

use serde_json::json;

use crate::harness::{Harness, PUBLIC_URL, acme};

#[tokio::test]
async fn discovery_lists_the_acr_levels_prompts_and_claims_the_server_honours_oidc_discovery_3() {
    let h = Harness::new().await;
    acme(&h).await;
    let openid = h.get("/t/acme/.well-known/openid-configuration", &[]).await;
    assert_eq!(openid.status, 200);
    let meta = openid.json();
    assert_eq!(meta["issuer"], format!("{PUBLIC_URL}/t/acme"));
    // The three levels `acr_values` may ask for, weakest first (docs/security.md).
    assert_eq!(meta["acr_values_supported"], json!(["urn:ciam:acr:pwd", "urn:ciam:acr:mfa", "urn:ciam:acr:phr"]));
    assert_eq!(meta["prompt_values_supported"], json!(["none", "login", "consent", "select_account", "create"]));
    // The languages of the hosted pages, which `ui_locales` picks from.
    assert_eq!(meta["ui_locales_supported"], json!(["en", "de", "fr", "es", "ar"]));
    let claims = meta["claims_supported"].as_array().unwrap();
    for claim in ["sub", "acr", "amr", "auth_time", "email", "email_verified", "name"] {
        assert!(claims.contains(&json!(claim)), "{claim}");
    }
    // RFC 9101 request objects by value; a request_uri only from PAR (RFC 9126), never fetched.
    assert_eq!(meta["request_parameter_supported"], true);
    assert_eq!(meta["request_uri_parameter_supported"], false);
    assert!(meta.get("require_signed_request_object").is_none(), "required per client, not for all");
    assert_eq!(
        meta["request_object_signing_alg_values_supported"],
        json!(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"])
    );
    // JARM: the signed response modes and their algorithms.
    assert_eq!(meta["response_modes_supported"], json!(["query", "form_post", "jwt", "query.jwt", "form_post.jwt"]));
    assert_eq!(meta["authorization_signing_alg_values_supported"], json!(["RS256", "ES256"]));
    // OIDC Core §5.5: the claims parameter, and every claim it can ask for is listed.
    assert_eq!(meta["claims_parameter_supported"], true);
    for claim in ["phone_number", "phone_number_verified", "address", "updated_at", "picture", "birthdate"] {
        assert!(claims.contains(&json!(claim)), "{claim}");
    }
    // RFC 8414 §3: the same document at the inserted well-known path.
    let oauth = h.get("/.well-known/oauth-authorization-server/t/acme", &[]).await;
    assert_eq!(oauth.json(), meta);
}
