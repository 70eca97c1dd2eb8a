//! ciam as a SAML 2.0 identity provider: a tenant signs its users into SAML apps (clients with
//! `saml` settings). The XML is `ciam_saml::idp`'s; this service holds the tenant's signing key,
//! says what an app is given (NameID, attributes, how the person signed in) and records it.
//!
//! - Entity id: the tenant's issuer. Metadata `{issuer}/saml/metadata`, single sign-on
//!   `{issuer}/saml/sso` (HTTP-Redirect and HTTP-POST), single logout `{issuer}/saml/slo`.
//! - The signing key is RSA-2048 with a self-signed certificate, made on first use, its private
//!   half sealed with the master key; nodes that race to make it keep the first one stored.
//! - A persistent NameID is a keyed hash of the app's entity id and the user's id under a
//!   per-tenant secret kept with the key: stable for one app, different for every app.
//! - Attributes are user claims, released only with the consent of the scopes that carry them.

use base64::Engine as _;
use ciam_core::audit::AuditRecord;
use ciam_core::client::Client;
use ciam_core::id::TenantId;
use ciam_core::saml_app::{NameIdFormat, SamlApp, SamlSigningKey, certificate_der};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::store::FederationStore;
use ciam_core::user::User;
use ciam_core::{Acr, FieldError};
use ciam_oauth::claims::{scope_of_claim, user_claim};
use ciam_saml::SamlKey;
use ciam_saml::idp::{
    Attribute, ErrorResponseParams, LogoutRequestParams, LogoutResponseParams, ResponseParams, StatusCode, SubStatus,
};
use serde::{Deserialize, Serialize};

use super::sessions::{SamlParticipant, Session};
use super::{By, ServiceError, audited, ports};
use crate::state::AppState;

/// ciam's entity id as the tenant's identity provider: its issuer.
pub(crate) fn entity_id(st: &AppState, tenant: &TenantId) -> String {
    st.issuer(tenant)
}

/// One of the identity provider's endpoints (`sso`, `slo`, `metadata`).
pub(crate) fn endpoint(st: &AppState, tenant: &TenantId, name: &str) -> String {
    format!("{}/saml/{name}", st.issuer(tenant))
}

/// The signing key with the secret of persistent NameIDs, as sealed.
#[derive(Serialize, Deserialize)]
struct Sealed {
    key: String,
    name_id_secret: String,
}

/// The tenant's identity provider key, opened.
pub(crate) struct IdpKey {
    key: SamlKey,
    name_id_secret: String,
}

fn owner(tenant: &TenantId) -> String {
    format!("saml-idp/{tenant}")
}

/// The tenant's key, made (and stored) on first use.
pub(crate) async fn key(st: &AppState, tenant: &TenantId) -> Result<IdpKey, ServiceError> {
    if let Some(stored) = st.durable.saml_signing_key(tenant).await? {
        return open(st, &stored);
    }
    let now = st.clock.now();
    let key = SamlKey::generate(&entity_id(st, tenant), now).map_err(ServiceError::Internal)?;
    let sealed = Sealed { key: key.private_key_pem.clone(), name_id_secret: random_token(32) };
    let plain = serde_json::to_vec(&sealed).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let stored = SamlSigningKey {
        tenant_id: tenant.clone(),
        sealed_private: st.master.seal(&owner(tenant), &plain).map_err(|e| ServiceError::Internal(e.to_string()))?,
        certificate: key.certificate_pem.clone(),
        created_at: now,
    };
    if ports(st).create_saml_signing_key(&stored).await? {
        tracing::info!(tenant = %tenant, "SAML identity provider key made");
        return Ok(IdpKey { key, name_id_secret: sealed.name_id_secret });
    }
    // Another node made one first: that one stands.
    let stored =
        st.durable.saml_signing_key(tenant).await?.ok_or_else(|| ServiceError::Internal("no SAML key".into()))?;
    open(st, &stored)
}

fn open(st: &AppState, stored: &SamlSigningKey) -> Result<IdpKey, ServiceError> {
    let plain = st
        .master
        .open(&owner(&stored.tenant_id), &stored.sealed_private)
        .map_err(|e| ServiceError::Internal(format!("the SAML key does not open: {e}")))?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let key = SamlKey { private_key_pem: sealed.key, certificate_pem: stored.certificate.clone() };
    Ok(IdpKey { key, name_id_secret: sealed.name_id_secret })
}

/// Readies a SAML app's settings as given to the management API: what they leave out is filled
/// from the app's own metadata (`metadata`, read and dropped), and every attribute must carry
/// `sub` or a user claim this server releases. The structural rules are `SamlApp::validate`'s.
pub(crate) fn prepare_app(app: &mut SamlApp) -> Result<(), FieldError> {
    if let Some(xml) = app.metadata.take() {
        let md = ciam_saml::SpMetadata::parse(&xml).map_err(|e| FieldError::new("saml.metadata", e.to_string()))?;
        let b64 = |der: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(der);
        if app.entity_id.is_empty() {
            app.entity_id = md.entity_id;
        }
        if app.acs_urls.is_empty() {
            app.acs_urls = md.acs_urls;
        }
        app.slo_url = app.slo_url.take().or(md.slo_url);
        app.certificate = app.certificate.take().or(md.signing_certificate.map(b64));
        app.encryption_certificate = app.encryption_certificate.take().or(md.encryption_certificate.map(b64));
    }
    match app.attributes.iter().position(|a| a.claim != "sub" && scope_of_claim(&a.claim).is_none()) {
        Some(i) => Err(FieldError::new(
            format!("saml.attributes[{i}].claim"),
            "must be sub or a user claim this server releases (docs/federation.md, \"SAML apps\")",
        )),
        None => Ok(()),
    }
}

/// The tenant's identity provider metadata.
pub(crate) async fn metadata(st: &AppState, tenant: &TenantId) -> Result<String, ServiceError> {
    let key = key(st, tenant).await?;
    Ok(ciam_saml::idp_metadata(
        &entity_id(st, tenant),
        &endpoint(st, tenant, "sso"),
        &endpoint(st, tenant, "slo"),
        &key.key.certificate_base64(),
    ))
}

/// The NameID `app` is given for `user` in `format`; `None` for an address that is not verified
/// (never asserted to an app as the person's).
pub(crate) fn name_id(key: &IdpKey, app: &SamlApp, user: &User, format: NameIdFormat) -> Option<String> {
    match format {
        NameIdFormat::Persistent => {
            let input = format!("{}\n{}\n{}", key.name_id_secret, app.entity_id, user.id);
            Some(SecretHash::of(&input).as_str().to_owned())
        }
        NameIdFormat::Email => user.email_verified.then(|| user.email.as_str().to_owned()),
    }
}

/// The scopes the user consents to for `app`: `openid` (who they are) and the scopes of the
/// claims its attributes carry.
pub(crate) fn consent_scope(app: &SamlApp) -> ScopeSet {
    let mut scopes = vec!["openid"];
    scopes.extend(app.attributes.iter().filter_map(|a| scope_of_claim(&a.claim)));
    ScopeSet::from_list(&scopes).unwrap_or_default()
}

/// The attributes `app` is given for `user`: those the user has a value for.
fn attributes(app: &SamlApp, user: &User) -> Vec<Attribute> {
    app.attributes
        .iter()
        .filter_map(|a| {
            let value = if a.claim == "sub" {
                user.id.to_string()
            } else {
                match user_claim(user, &a.claim)? {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Object(o) => o.get("formatted")?.as_str()?.to_owned(),
                    other => other.to_string(),
                }
            };
            let format = a.name_format.clone().unwrap_or_else(|| {
                let uri = a.name.starts_with("urn:") || url::Url::parse(&a.name).is_ok();
                let kind = if uri { "uri" } else { "basic" };
                format!("urn:oasis:names:tc:SAML:2.0:attrname-format:{kind}")
            });
            Some(Attribute {
                name: a.name.clone(),
                name_format: Some(format),
                friendly_name: a.friendly_name.clone(),
                values: vec![value],
            })
        })
        .collect()
}

/// Password over TLS, the class of a password sign-in.
const PASSWORD_PROTECTED_TRANSPORT: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
/// The REFEDS MFA profile: a second factor (or a passkey).
const REFEDS_MFA: &str = "https://refeds.org/profile/mfa";

/// The `AuthnContextClassRef` of a session's level: password over TLS, or the REFEDS MFA
/// profile for a second factor or a passkey.
pub(crate) fn authn_context(acr: &str) -> &'static str {
    match Acr::parse(acr) {
        Some(Acr::MultiFactor | Acr::PhishingResistant) => REFEDS_MFA,
        _ => PASSWORD_PROTECTED_TRANSPORT,
    }
}

/// The level an authentication context class stands for: the SAML password classes, the
/// REFEDS MFA profile (and Microsoft's `multipleauthn`), or one of ciam's own `acr` values.
fn level_of_class(class: &str) -> Option<Acr> {
    match class {
        PASSWORD_PROTECTED_TRANSPORT
        | "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
        | "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified" => Some(Acr::Password),
        REFEDS_MFA | "http://schemas.microsoft.com/claims/multipleauthn" => Some(Acr::MultiFactor),
        other => Acr::parse(other),
    }
}

/// What a `RequestedAuthnContext` asks for (SAML Core §3.3.2.2.1): the level the person must
/// reach and the class to report, `None` for no requirement (`maximum`: ciam never reports
/// less than the session reached, and the lowest class is always met); `Err` when it names no
/// class ciam knows (the app hears `NoAuthnContext`).
pub(crate) fn requested_level(comparison: &str, class_refs: &[String]) -> Result<Option<(Acr, String)>, ()> {
    let known: Vec<(Acr, &String)> = class_refs.iter().filter_map(|c| level_of_class(c).map(|l| (l, c))).collect();
    // The weakest named class is enough for `exact` and `minimum`; `better` wants more than the
    // strongest one named.
    let wanted = match comparison {
        "maximum" => return Ok(None),
        "better" => known.iter().max_by_key(|(l, _)| *l).and_then(|(l, _)| Acr::ALL.into_iter().find(|a| a > l)),
        _ => known.iter().min_by_key(|(l, _)| *l).map(|(l, _)| *l),
    };
    let wanted = wanted.ok_or(())?;
    let class =
        known.iter().find(|(l, _)| *l == wanted).map_or_else(|| wanted.as_str().to_owned(), |(_, c)| (*c).clone());
    Ok(Some((wanted, class)))
}

/// A sign-in to answer: which app, where the answer goes, to which request.
pub(crate) struct Answer<'a> {
    pub(crate) app: &'a Client,
    pub(crate) acs: &'a str,
    pub(crate) in_response_to: Option<&'a str>,
    pub(crate) format: NameIdFormat,
    /// The class the request asked for (reported when the session reaches its level).
    pub(crate) class: Option<&'a str>,
}

/// A random XML ID.
fn xml_id() -> String {
    format!("_{}", random_token(20))
}

/// The signed response that signs `user` of `session` into the app (the `SAMLResponse`,
/// base64), recorded as `saml.assertion_issued`, and the participant single logout will reach.
/// `Err(Invalid)` on the `name_id_format` field when the app asks for an address the user has
/// not verified.
pub(crate) async fn sign_in(
    st: &AppState,
    by: &By,
    answer: &Answer<'_>,
    session: &Session,
    user: &User,
) -> Result<(String, SamlParticipant), ServiceError> {
    let tenant = &answer.app.tenant_id;
    let saml = answer.app.saml.as_ref().ok_or_else(|| ServiceError::Internal("not a SAML app".into()))?;
    let key = key(st, tenant).await?;
    let name_id = name_id(&key, saml, user, answer.format)
        .ok_or_else(|| ServiceError::Invalid(FieldError::new("name_id_format", "the address is not verified")))?;
    let now = st.clock.now();
    let authn_instant = time::OffsetDateTime::from_unix_timestamp(session.auth_time).unwrap_or(now);
    let attributes = attributes(saml, user);
    let (response_id, assertion_id) = (xml_id(), xml_id());
    let encrypt_to = if saml.encrypt_assertions {
        saml.encryption_certificate.as_deref().or(saml.certificate.as_deref()).and_then(certificate_der)
    } else {
        None
    };
    let idp = entity_id(st, tenant);
    let params = ResponseParams {
        idp_entity_id: &idp,
        sp_entity_id: &saml.entity_id,
        acs_url: answer.acs,
        in_response_to: answer.in_response_to,
        name_id: &name_id,
        name_id_format: answer.format.uri(),
        session_index: &session.sid,
        authn_instant,
        authn_context_class_ref: answer.class.unwrap_or_else(|| authn_context(&session.acr)),
        attributes: &attributes,
        now,
        lifetime: time::Duration::seconds(i64::from(saml.assertion_lifetime)),
        session_not_on_or_after: None,
        response_id: &response_id,
        assertion_id: &assertion_id,
        sign_assertion: saml.sign_assertion,
        sign_response: saml.sign_response,
        encrypt_to: encrypt_to.as_deref(),
    };
    let response =
        ciam_saml::idp::issue_response(&params, &key.key).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut event = AuditRecord::allow("saml.assertion_issued");
    event.user_id = Some(user.id.to_string());
    event.client_id = Some(answer.app.client_id.to_string());
    event.audience = Some(saml.entity_id.clone());
    event.reason = Some(format!(
        "{} NameID, {}",
        if answer.in_response_to.is_some() { "requested" } else { "IdP-initiated" },
        match answer.format {
            NameIdFormat::Persistent => "persistent",
            NameIdFormat::Email => "email",
        }
    ));
    audited(st, tenant, by, event).await?;
    let participant = SamlParticipant {
        client_id: answer.app.client_id.to_string(),
        name_id,
        name_id_format: answer.format.uri().to_owned(),
    };
    Ok((response, participant))
}

/// A signed failure response for the app (the `SAMLResponse`, base64).
pub(crate) async fn refusal(
    st: &AppState,
    tenant: &TenantId,
    acs: &str,
    in_response_to: Option<&str>,
    sub_status: SubStatus,
    message: &str,
) -> Result<String, ServiceError> {
    let key = key(st, tenant).await?;
    let idp = entity_id(st, tenant);
    let status = match sub_status {
        SubStatus::NoPassive | SubStatus::AuthnFailed | SubStatus::RequestDenied => StatusCode::Responder,
        _ => StatusCode::Requester,
    };
    let params = ErrorResponseParams {
        idp_entity_id: &idp,
        acs_url: acs,
        in_response_to,
        status,
        sub_status: Some(sub_status),
        message: Some(message),
        response_id: &xml_id(),
        now: st.clock.now(),
    };
    ciam_saml::idp::error_response(&params, &key.key).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The signed HTTP-Redirect URL that asks `app` to end the session of `participant`, with its
/// request id.
pub(crate) async fn logout_request(
    st: &AppState,
    app: &Client,
    participant: &SamlParticipant,
    session_index: &str,
    relay_state: &str,
) -> Result<Option<(String, String)>, ServiceError> {
    let Some(saml) = &app.saml else { return Ok(None) };
    let Some(slo) = &saml.slo_url else { return Ok(None) };
    let key = key(st, &app.tenant_id).await?;
    let id = xml_id();
    let idp = entity_id(st, &app.tenant_id);
    let persistent = participant.name_id_format == NameIdFormat::Persistent.uri();
    let params = LogoutRequestParams {
        idp_entity_id: &idp,
        slo_url: slo,
        name_id: &participant.name_id,
        name_id_format: &participant.name_id_format,
        sp_name_qualifier: persistent.then_some(saml.entity_id.as_str()),
        session_index: Some(session_index),
        id: &id,
        now: st.clock.now(),
        lifetime: time::Duration::minutes(5),
        relay_state: Some(relay_state),
    };
    let url = ciam_saml::idp::logout_request_redirect(&params, &key.key)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Some((url, id)))
}

/// The signed HTTP-Redirect URL that answers `app`'s `LogoutRequest` `in_response_to` (the
/// session it named has ended).
pub(crate) async fn logout_response(
    st: &AppState,
    app: &Client,
    in_response_to: &str,
    relay_state: Option<&str>,
) -> Result<Option<String>, ServiceError> {
    let Some(slo) = app.saml.as_ref().and_then(|s| s.slo_url.as_deref()) else { return Ok(None) };
    let key = key(st, &app.tenant_id).await?;
    let idp = entity_id(st, &app.tenant_id);
    let params = LogoutResponseParams {
        idp_entity_id: &idp,
        slo_url: slo,
        in_response_to,
        id: &xml_id(),
        now: st.clock.now(),
        relay_state,
    };
    let url = ciam_saml::idp::logout_response_redirect(&params, &key.key)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Some(url))
}

/// The DER of an app's signing certificate.
pub(crate) fn signing_certificate(app: &SamlApp) -> Option<Vec<u8>> {
    certificate_der(app.certificate.as_deref()?)
}

#[cfg(test)]
mod tests {
    use ciam_core::saml_app::SamlAttribute;

    use super::*;

    fn app(attributes: &[(&str, &str)]) -> SamlApp {
        let attributes = attributes
            .iter()
            .map(|(name, claim)| SamlAttribute {
                name: (*name).into(),
                claim: (*claim).into(),
                friendly_name: None,
                name_format: None,
            })
            .collect();
        SamlApp { attributes, ..SamlApp::new("https://wiki.example/saml", vec!["https://wiki.example/acs".into()]) }
    }

    #[test]
    fn consent_covers_the_scopes_of_the_released_claims() {
        let none = app(&[]);
        assert_eq!(consent_scope(&none).to_string(), "openid");
        let some = app(&[("mail", "email"), ("sn", "family_name"), ("givenName", "given_name"), ("uid", "sub")]);
        assert_eq!(consent_scope(&some).to_string(), "email openid profile");
    }

    #[test]
    fn requested_contexts_name_a_level() {
        let refs = |r: &[&str]| r.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let mfa = Some((Acr::MultiFactor, REFEDS_MFA.to_owned()));
        assert_eq!(requested_level("exact", &refs(&[REFEDS_MFA])), Ok(mfa.clone()));
        assert_eq!(requested_level("minimum", &refs(&["urn:x:unknown", REFEDS_MFA])), Ok(mfa));
        let pwd = Some((Acr::Password, PASSWORD_PROTECTED_TRANSPORT.to_owned()));
        assert_eq!(requested_level("exact", &refs(&[REFEDS_MFA, PASSWORD_PROTECTED_TRANSPORT])), Ok(pwd));
        let better = requested_level("better", &refs(&[REFEDS_MFA]));
        assert_eq!(better, Ok(Some((Acr::PhishingResistant, "urn:ciam:acr:phr".to_owned()))));
        assert_eq!(requested_level("better", &refs(&["urn:ciam:acr:phr"])), Err(()), "nothing is better");
        assert_eq!(requested_level("maximum", &refs(&["urn:x:kerberos"])), Ok(None));
        assert_eq!(requested_level("exact", &refs(&["urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos"])), Err(()));
    }

    #[test]
    fn levels_map_to_authn_contexts() {
        assert_eq!(
            authn_context(Acr::Password.as_str()),
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        );
        assert_eq!(authn_context(Acr::MultiFactor.as_str()), "https://refeds.org/profile/mfa");
        assert_eq!(authn_context(Acr::PhishingResistant.as_str()), "https://refeds.org/profile/mfa");
    }
}
