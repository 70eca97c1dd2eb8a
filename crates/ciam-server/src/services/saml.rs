//! The SAML 2.0 side of upstream sign-in (`kind: saml` providers): ciam is the service provider
//! of an enterprise customer's identity provider. The rules of the response are `ciam_saml`'s;
//! what the account reaches is the same linking as every upstream (`services::federation`).
//!
//! - Service provider entity id `{issuer}/saml/{provider}`, assertion consumer service
//!   `{issuer}/saml/{provider}/acs` (HTTP-POST), metadata `{issuer}/saml/{provider}/metadata`.
//! - The `AuthnRequest` goes by HTTP-Redirect with the sign-in's `state` as `RelayState`,
//!   signed with the provider's service-provider key (the query-string signature, RSA-SHA256),
//!   and the response must answer it (`InResponseTo`). IdP-initiated responses only where the
//!   provider allows them.
//! - An assertion is used once: its `ID` is kept until its `NotOnOrAfter`.
//! - Metadata given by `saml_metadata_url` is fetched again every
//!   `federation.saml_metadata_refresh_secs` ([`start_metadata_refresh`]) by one node of the
//!   deployment, and stored when what ciam reads of it changed.

use std::time::Duration;

use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::federation::{IdentityProvider, ProviderConfig, ProviderKind};
use ciam_core::id::TenantId;
use ciam_core::keyspace::{self, Replay};
use ciam_core::page::PageRequest;
use ciam_core::store::FederationStore;
use ciam_saml::{AuthnRequest, Expected, IdpMetadata, SamlKey};
use tokio::sync::watch;

use super::ServiceError;
use super::federation::UpstreamFailure;
use super::schedule::next_turn;
use crate::state::AppState;

/// This service provider's entity id for `provider`.
pub(crate) fn sp_entity_id(st: &AppState, tenant: &TenantId, provider: &str) -> String {
    format!("{}/saml/{provider}", st.issuer(tenant))
}

/// This service provider's assertion consumer service for `provider`.
pub(crate) fn acs_url(st: &AppState, tenant: &TenantId, provider: &str) -> String {
    format!("{}/acs", sp_entity_id(st, tenant, provider))
}

/// A new key of this service provider for `provider` (it signs the `AuthnRequest`s; identity
/// providers encrypt assertions to it), as it is kept (sealed) in the provider's secret: JSON
/// with the key and the certificate.
pub(crate) fn new_sp_key(st: &AppState, tenant: &TenantId, provider: &str) -> Result<String, ServiceError> {
    let key = SamlKey::generate(&sp_entity_id(st, tenant, provider), st.clock.now()).map_err(ServiceError::Internal)?;
    Ok(serde_json::json!({"key": key.private_key_pem, "certificate": key.certificate_pem}).to_string())
}

/// This service provider's key for `provider`, opened: `None` when the provider has none (a
/// secret that is not such a key was set before SAML providers had keys); an error when the
/// sealed secret does not open.
fn sp_key(st: &AppState, provider: &IdentityProvider) -> Result<Option<SamlKey>, String> {
    let Some(sealed) = provider.sealed_secret.as_deref() else { return Ok(None) };
    let opened = st
        .master
        .open(&super::federation::secret_owner(&provider.tenant_id, &provider.id), sealed)
        .map_err(|e| format!("the service provider's key cannot be opened: {e}"))?;
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&opened) else { return Ok(None) };
    let field = |name: &str| doc.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
    Ok(field("key")
        .zip(field("certificate"))
        .map(|(private_key_pem, certificate_pem)| SamlKey { private_key_pem, certificate_pem }))
}

/// Whether `provider` has a service-provider key that opens (a save gives one to a SAML
/// provider that has none).
pub(crate) fn has_sp_key(st: &AppState, provider: &IdentityProvider) -> bool {
    matches!(sp_key(st, provider), Ok(Some(_)))
}

/// The metadata of this service provider for `provider`: with its key's certificate, for the
/// signatures of its requests and for encryption.
pub(crate) fn metadata(st: &AppState, provider: &IdentityProvider) -> String {
    let (tenant, id) = (&provider.tenant_id, &provider.id);
    let certificate = sp_key(st, provider).ok().flatten().map(|k| k.certificate_base64());
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

/// The redirect that sends the browser to the identity provider with the `AuthnRequest`
/// `request_id`, signed with the provider's key. A provider without a key sends it unsigned,
/// unless the identity provider wants signed requests (`WantAuthnRequestsSigned`): then the
/// sign-in fails here, saying why, rather than with a request the identity provider refuses.
pub(crate) fn begin(
    st: &AppState,
    tenant: &TenantId,
    provider: &IdentityProvider,
    request_id: &str,
    relay_state: &str,
) -> Result<String, UpstreamFailure> {
    let upstream = |e: String| UpstreamFailure::Upstream(e);
    let idp = idp_metadata(&provider.config).map_err(|e| upstream(e.to_string()))?;
    let key = sp_key(st, provider).and_then(|key| request_key(key, &idp)).map_err(upstream)?;
    let request = AuthnRequest::new(
        &sp_entity_id(st, tenant, &provider.id),
        &acs_url(st, tenant, &provider.id),
        &idp.sso_url,
        request_id,
        relay_state,
        st.clock.now(),
        key.as_ref(),
    )
    .map_err(|e| upstream(format!("the AuthnRequest: {e}")))?;
    Ok(request.redirect_url)
}

/// The key an `AuthnRequest` to `idp` is signed with: the provider's `key`; without one the
/// request goes unsigned, unless `idp` wants signed requests.
fn request_key(key: Option<SamlKey>, idp: &IdpMetadata) -> Result<Option<SamlKey>, String> {
    if key.is_none() && idp.want_authn_requests_signed {
        return Err("the identity provider wants signed AuthnRequests (WantAuthnRequestsSigned), but this provider \
                    has no service-provider key to sign with: save the provider again to give it one"
            .into());
    }
    Ok(key)
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
    let key = sp_key(st, provider).ok().flatten();
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

// --- Metadata refreshed on a schedule ---------------------------------------------------------

/// How often, at most, the refresher looks whether the current period's refresh is due.
const REFRESH_CHECK_EVERY: Duration = Duration::from_secs(60);

/// Starts this node's metadata refresher: every `period`, one node of the deployment (the first
/// to claim the period in the ephemeral store) fetches again the metadata of every enabled SAML
/// provider that has a `saml_metadata_url`. It stops when `stop` turns true (or its sender is
/// dropped), abandoning a fetch under way; a write under way finishes first.
pub(crate) fn start_metadata_refresh(
    st: AppState,
    stop: watch::Receiver<bool>,
    period: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_metadata_refresh(st, stop, period))
}

async fn run_metadata_refresh(st: AppState, mut stop: watch::Receiver<bool>, period: Duration) {
    // Each node looks often enough to find a new period early.
    let look_every = period.min(REFRESH_CHECK_EVERY);
    let key = keyspace::saml_metadata_refresh;
    while let Some(mine) = next_turn(&st, &mut stop, look_every, period, key, "SAML metadata refresh").await {
        if mine {
            refresh_all(&st, &mut stop).await;
        }
    }
}

/// Refreshes the metadata of every tenant's enabled SAML providers that have a URL, until `stop`.
async fn refresh_all(st: &AppState, stop: &mut watch::Receiver<bool>) {
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
    loop {
        let tenants = match st.durable.list_tenants(&page).await {
            Ok(tenants) => tenants,
            Err(e) => {
                tracing::warn!(error = %e, "SAML metadata refresh: the tenants cannot be listed");
                return;
            }
        };
        for tenant in &tenants.items {
            let providers = match st.durable.list_identity_providers(&tenant.id).await {
                Ok(providers) => providers,
                Err(e) => {
                    tracing::warn!(tenant = %tenant.id, error = %e, "SAML metadata refresh: the providers cannot be listed");
                    continue;
                }
            };
            for provider in providers.iter().filter(|p| p.config.kind == ProviderKind::Saml && p.config.enabled) {
                if !refresh_one(st, provider, stop).await {
                    return;
                }
            }
        }
        match tenants.next_after {
            Some(after) => page.after = Some(after),
            None => return,
        }
    }
}

/// Fetches `provider`'s metadata again, if it has a URL, and stores it when it changed; a
/// failure is logged and the last metadata stays. `false` when `stop` came first.
async fn refresh_one(st: &AppState, provider: &IdentityProvider, stop: &mut watch::Receiver<bool>) -> bool {
    let Some(url) = provider.config.saml_metadata_url.as_deref() else { return true };
    if *stop.borrow() {
        return false;
    }
    let fetched = tokio::select! {
        fetched = st.upstreams.saml_metadata(url) => fetched.map_err(|e| format!("could not be fetched: {e}")),
        _ = stop.changed() => return false,
    };
    let (tenant, id) = (&provider.tenant_id, &provider.id);
    let xml = match fetched.and_then(|xml| fresh_metadata(provider, xml)) {
        Ok(Some(xml)) => xml,
        Ok(None) => return true,
        Err(why) => {
            tracing::warn!(tenant = %tenant, provider = %id, reason = %why, "SAML metadata refresh failed; the last metadata stays");
            return true;
        }
    };
    match store_refreshed(st, provider, xml).await {
        Ok(true) => tracing::info!(tenant = %tenant, provider = %id, "SAML metadata refresh: new metadata stored"),
        Ok(false) => {}
        Err(e) => tracing::warn!(
            tenant = %tenant, provider = %id, reason = %e,
            "SAML metadata refresh: the new metadata could not be stored; the last one stays"
        ),
    }
    true
}

/// The fetched document `xml`, when it is to replace `provider`'s metadata: readable, naming
/// the provider's entity id (a new entity id is taken only when an administrator saves the
/// provider), and saying something else than the stored one. `None` when nothing changed.
fn fresh_metadata(provider: &IdentityProvider, xml: String) -> Result<Option<String>, String> {
    let fresh = IdpMetadata::parse(&xml).map_err(|e| e.to_string())?;
    if fresh.entity_id != provider.config.issuer {
        return Err(format!(
            "the SAML metadata names the entity id {:?}, not the provider's issuer {:?}: save the provider to take it",
            fresh.entity_id, provider.config.issuer
        ));
    }
    Ok((idp_metadata(&provider.config).ok() != Some(fresh)).then_some(xml))
}

/// Stores `xml` as the metadata of `provider`, through the directory (its cache invalidated),
/// audited as `identity_provider.updated` ("metadata refreshed"). `false` when the provider was
/// changed or removed since it was read: that change wins, and the next period looks again.
async fn store_refreshed(st: &AppState, provider: &IdentityProvider, xml: String) -> Result<bool, ServiceError> {
    let (tenant, id) = (&provider.tenant_id, &provider.id);
    let current = st.durable.get_identity_provider(tenant, id).await?;
    let Some(current) = current.filter(|c| c.updated_at == provider.updated_at) else { return Ok(false) };
    let mut config = current.config.clone();
    config.saml_metadata = Some(xml);
    let config = config.validate().map_err(ServiceError::Invalid)?;
    check_metadata(&config)?;
    let after = IdentityProvider { config, updated_at: st.clock.now(), ..current };
    super::ports(st).update_identity_provider(&after).await?;
    let mut event = AuditRecord::allow("identity_provider.updated");
    event.reason = Some(format!("identity provider {id}: metadata refreshed from saml_metadata_url"));
    crate::audit::record(st, tenant, &crate::audit::Caller::default(), event).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_without_a_key_sends_unsigned_requests_unless_they_must_be_signed() -> Result<(), String> {
        let key = SamlKey::generate("https://sp.test/saml/corp", time::OffsetDateTime::UNIX_EPOCH)?;
        let idp = |want_authn_requests_signed| IdpMetadata {
            entity_id: "https://idp.test/saml".into(),
            sso_url: "https://idp.test/sso".into(),
            signing_certificates: Vec::new(),
            want_authn_requests_signed,
        };
        for wanted in [false, true] {
            assert_eq!(request_key(Some(key.clone()), &idp(wanted))?, Some(key.clone()), "signed with the key");
        }
        assert_eq!(request_key(None, &idp(false))?, None, "unsigned");
        let refused = request_key(None, &idp(true)).err().unwrap_or_default();
        assert!(refused.contains("WantAuthnRequestsSigned"), "{refused}");
        Ok(())
    }
}
