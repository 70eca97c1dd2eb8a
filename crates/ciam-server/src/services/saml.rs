//! The SAML 2.0 side of upstream sign-in (`kind: saml` providers): ciam is the service provider
//! of an enterprise customer's identity provider. The rules of the response are `ciam_saml`'s;
//! what the account reaches is the same linking as every upstream (`services::federation`).
//!
//! - Service provider entity id `{issuer}/saml/{provider}`, assertion consumer service
//!   `{issuer}/saml/{provider}/acs` (HTTP-POST), metadata `{issuer}/saml/{provider}/metadata`.
//! - SP-initiated only: the `AuthnRequest` goes by HTTP-Redirect with the sign-in's `state` as
//!   `RelayState`, and the response must answer it (`InResponseTo`).
//! - An assertion is used once: its `ID` is kept until its `NotOnOrAfter`.

use ciam_core::FieldError;
use ciam_core::federation::{IdentityProvider, ProviderConfig};
use ciam_core::id::TenantId;
use ciam_core::keyspace::{self, Replay};
use ciam_saml::{AuthnRequest, Expected, IdpMetadata, SamlKey};

use super::ServiceError;
use super::federation::UpstreamFailure;
use crate::state::AppState;

/// This service provider's entity id for `provider`.
pub(crate) fn sp_entity_id(st: &AppState, tenant: &TenantId, provider: &str) -> String {
    format!("{}/saml/{provider}", st.issuer(tenant))
}

/// This service provider's assertion consumer service for `provider`.
pub(crate) fn acs_url(st: &AppState, tenant: &TenantId, provider: &str) -> String {
    format!("{}/acs", sp_entity_id(st, tenant, provider))
}

/// A new key of this service provider for `provider`'s encrypted assertions, as it is kept
/// (sealed) in the provider's secret: JSON with the key and the certificate.
pub(crate) fn new_sp_key(st: &AppState, tenant: &TenantId, provider: &str) -> Result<String, ServiceError> {
    let key = SamlKey::generate(&sp_entity_id(st, tenant, provider), st.clock.now()).map_err(ServiceError::Internal)?;
    Ok(serde_json::json!({"key": key.private_key_pem, "certificate": key.certificate_pem}).to_string())
}

/// This service provider's key for `provider`, opened.
fn sp_key(st: &AppState, provider: &IdentityProvider) -> Option<SamlKey> {
    let sealed = provider.sealed_secret.as_deref()?;
    let opened = st.master.open(&super::federation::secret_owner(&provider.tenant_id, &provider.id), sealed).ok()?;
    let doc: serde_json::Value = serde_json::from_slice(&opened).ok()?;
    Some(SamlKey {
        private_key_pem: doc.get("key")?.as_str()?.to_owned(),
        certificate_pem: doc.get("certificate")?.as_str()?.to_owned(),
    })
}

/// The metadata of this service provider for `provider` (with its encryption certificate).
pub(crate) fn metadata(st: &AppState, provider: &IdentityProvider) -> String {
    let (tenant, id) = (&provider.tenant_id, &provider.id);
    let certificate = sp_key(st, provider).map(|k| k.certificate_base64());
    ciam_saml::sp_metadata(&sp_entity_id(st, tenant, id), &acs_url(st, tenant, id), certificate.as_deref())
}

/// The identity provider's metadata of a SAML provider's settings, checked (as when saved).
pub(crate) fn idp_metadata(config: &ProviderConfig) -> Result<IdpMetadata, ciam_saml::MetadataError> {
    let xml = config.saml_metadata.as_deref().unwrap_or_default();
    IdpMetadata::parse(xml)
}

/// The metadata document at `url`, fetched through the guarded outbound client; the error names
/// `saml_metadata_url`.
pub(crate) async fn fetch_metadata(st: &AppState, url: &str) -> Result<String, FieldError> {
    st.upstreams
        .saml_metadata(url)
        .await
        .map_err(|e| FieldError::new("saml_metadata_url", format!("could not be fetched: {e}")))
}

/// The entity id an identity provider's metadata names, or why the metadata is refused (the
/// error names `saml_metadata`).
pub(crate) fn entity_id_of(xml: &str) -> Result<String, FieldError> {
    IdpMetadata::parse(xml).map(|m| m.entity_id).map_err(|e| FieldError::new("saml_metadata", e.0))
}

/// Checks a SAML provider's metadata before it is saved: readable, and naming the provider's
/// `issuer` as its entity id.
pub(crate) fn check_metadata(config: &ProviderConfig) -> Result<(), ServiceError> {
    let entity_id = entity_id_of(config.saml_metadata.as_deref().unwrap_or_default()).map_err(ServiceError::Invalid)?;
    if entity_id != config.issuer {
        let why = format!("names the entity id {entity_id:?}, not the issuer {:?}", config.issuer);
        return Err(ServiceError::Invalid(FieldError::new("saml_metadata", why)));
    }
    Ok(())
}

/// The redirect that sends the browser to the identity provider with an `AuthnRequest`;
/// returns it with the request's id.
pub(crate) fn begin(
    st: &AppState,
    tenant: &TenantId,
    provider: &IdentityProvider,
    request_id: &str,
    relay_state: &str,
) -> Result<String, UpstreamFailure> {
    let idp = idp_metadata(&provider.config).map_err(|e| UpstreamFailure::Upstream(e.to_string()))?;
    let request = AuthnRequest::new(
        &sp_entity_id(st, tenant, &provider.id),
        &acs_url(st, tenant, &provider.id),
        &idp.sso_url,
        request_id,
        relay_state,
        st.clock.now(),
    )
    .map_err(UpstreamFailure::Upstream)?;
    Ok(request.redirect_url)
}

/// Checks the identity provider's response to request `request_id` (none for an IdP-initiated
/// response, which must then answer no request) and reads the account, refusing an assertion
/// seen before.
pub(crate) async fn complete(
    st: &AppState,
    tenant: &TenantId,
    provider: &IdentityProvider,
    request_id: Option<&str>,
    saml_response: Option<&str>,
) -> Result<ciam_authn::federation::UpstreamAccount, UpstreamFailure> {
    let upstream = |e: String| UpstreamFailure::Upstream(e);
    let response = saml_response.ok_or_else(|| upstream("the identity provider sent no SAMLResponse".into()))?;
    let idp = idp_metadata(&provider.config).map_err(|e| upstream(e.to_string()))?;
    let (sp, acs) = (sp_entity_id(st, tenant, &provider.id), acs_url(st, tenant, &provider.id));
    let now = st.clock.now();
    let key = sp_key(st, provider);
    let expected = Expected {
        idp_entity_id: &idp.entity_id,
        certificates: &idp.signing_certificates,
        sp_entity_id: &sp,
        acs_url: &acs,
        in_response_to: request_id,
        now,
        decryption_key_pem: key.as_ref().map(|k| k.private_key_pem.as_str()),
    };
    let assertion = ciam_saml::verify_response(response, &expected).map_err(|e| upstream(e.to_string()))?;
    let ttl = (assertion.not_on_or_after - now).unsigned_abs()
        + std::time::Duration::from_secs(ciam_saml::response::CLOCK_SKEW_SECS.unsigned_abs());
    let key = keyspace::saml_assertion(tenant, &provider.id, &assertion.id);
    if !Replay::new(st.ephemeral.as_ref()).first_use(&key, ttl).await.map_err(ServiceError::Sessions)? {
        return Err(upstream("the assertion was used before (replay)".into()));
    }
    ciam_authn::federation::saml_account(
        &assertion.name_id,
        assertion.name_id_format.as_deref(),
        &assertion.attributes,
        assertion.authn_context.as_deref(),
        &provider.config,
    )
    .map_err(|e| upstream(format!("the assertion's subject: {e}")))
}
