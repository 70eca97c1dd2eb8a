//! Sign-in through upstream identity providers: the providers of a tenant (their client secret
//! sealed at rest), the links between upstream accounts and users, and the two halves of an
//! upstream sign-in (the authorization request sent upstream; the callback's code redeemed, the
//! ID token checked and the account it reaches resolved by `ciam_authn::federation`).
//!
//! Audited: `identity_provider.created`, `.updated`, `.deleted`; `user.identity_linked` (with
//! how: `trusted_domain`, `proved`, `created` or `admin`) and `user.identity_unlinked`; a new
//! user made at a first sign-in is `user.created` with the reason `federation:{provider}`.

use ciam_authn::federation::{self as rules, Expected, LinkFacts, Resolution, UpstreamAccount};
use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::factor::FactorKind;
use ciam_core::federation::{
    FederatedIdentity, IdentityProvider, ProviderConfig, ProviderKind, UpstreamClientAuth, valid_id,
};
use ciam_core::id::{TenantId, UserId};
use ciam_core::keyspace::{self, Json, UPSTREAM_SIGN_IN_TTL};
use ciam_core::secret::random_token;
use ciam_core::store::{FederationStore, StoreError};
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserSource, UserStatus};
use ciam_oauth::pkce::CodeChallenge;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{By, ServiceError, audited};
use crate::adapters::upstream::{ClientCredential, Discovery, UpstreamCallError};
use crate::state::AppState;

/// The path of the callback under a tenant's issuer (what administrators register upstream).
pub(crate) const CALLBACK_PATH: &str = "upstream/callback";

/// The redirect URI ciam uses with every upstream of `tenant`.
pub(crate) fn redirect_uri(st: &AppState, tenant: &TenantId) -> String {
    format!("{}/{CALLBACK_PATH}", st.issuer(tenant))
}

pub(crate) fn secret_owner(tenant: &TenantId, id: &str) -> String {
    format!("idp/{tenant}/{id}")
}

fn provider_event(kind: &str, id: &str) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.reason = Some(format!("identity provider {id}"));
    e
}

/// What becomes of a provider's client secret on an update.
pub(crate) enum SecretChange {
    /// It stays.
    Keep,
    /// It is replaced (or set).
    Set(String),
    /// It is removed.
    Remove,
}

pub(crate) fn seal(st: &AppState, tenant: &TenantId, id: &str, secret: &str) -> Result<String, ServiceError> {
    st.master.seal(&secret_owner(tenant, id), secret.as_bytes()).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Splits a provider's description (the management API's JSON, or the console's form made
/// into it) into the id, the settings (validated, with a preset's issuer filled in) and the
/// client secret (absent, `null` or a string).
pub(crate) fn input(mut body: Map<String, Value>) -> Result<(String, ProviderConfig, Option<Value>), ServiceError> {
    let invalid = |field: &'static str, message: &'static str| ServiceError::Invalid(FieldError::new(field, message));
    let id = match body.remove("id") {
        Some(Value::String(id)) if valid_id(&id) => id,
        _ => return Err(invalid("id", "must be 1 to 32 of a-z, 0-9 and -")),
    };
    let secret = body.remove("client_secret");
    if let Some(s) = &secret
        && !(s.is_null() || s.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 1024))
    {
        return Err(invalid("client_secret", "must be a string of 1 to 1024 characters"));
    }
    let preset_issuer = body
        .get("kind")
        .and_then(|k| serde_json::from_value::<ProviderKind>(k.clone()).ok())
        .and_then(ProviderKind::default_issuer);
    if let (None, Some(issuer)) = (body.get("issuer"), preset_issuer) {
        body.insert("issuer".into(), Value::String(issuer.into()));
    }
    // A SAML provider's issuer is the entity id its metadata names.
    if body.get("kind").and_then(Value::as_str) == Some("saml")
        && !body.contains_key("issuer")
        && let Some(xml) = body.get("saml_metadata").and_then(Value::as_str)
    {
        let entity_id = super::saml::entity_id_of(xml).map_err(ServiceError::Invalid)?;
        body.insert("issuer".into(), Value::String(entity_id));
    }
    let config: ProviderConfig = super::from_json(Value::Object(body)).map_err(ServiceError::Invalid)?;
    Ok((id, config.validate().map_err(ServiceError::Invalid)?, secret))
}

/// Adds a provider; `Conflict` if the id is taken.
pub(crate) async fn create_provider(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    id: &str,
    config: ProviderConfig,
    secret: Option<&str>,
) -> Result<IdentityProvider, ServiceError> {
    check_credentials(&config, secret)?;
    let now = st.clock.now();
    // A SAML provider's secret is this service's own key for encrypted assertions.
    let secret = match config.kind {
        ProviderKind::Saml => Some(super::saml::new_sp_key(st, tenant, id)?),
        _ => secret.map(str::to_owned),
    };
    let provider = IdentityProvider {
        tenant_id: tenant.clone(),
        id: id.to_owned(),
        sealed_secret: secret.map(|s| seal(st, tenant, id, &s)).transpose()?,
        config,
        created_at: now,
        updated_at: now,
    };
    super::ports(st).create_identity_provider(&provider).await?;
    audited(st, tenant, by, provider_event("identity_provider.created", id)).await?;
    Ok(provider)
}

/// Replaces a provider's settings (and its secret, as `secret` says).
pub(crate) async fn update_provider(
    st: &AppState,
    by: &By,
    before: &IdentityProvider,
    config: ProviderConfig,
    secret: SecretChange,
) -> Result<IdentityProvider, ServiceError> {
    let (tenant, id) = (&before.tenant_id, &before.id);
    let sealed_secret = match secret {
        _ if config.kind == ProviderKind::Saml => {
            check_credentials(&config, None)?;
            // A SAML provider keeps its key; one without (from before SAML keys) is given one.
            match (&before.sealed_secret, before.config.kind) {
                (Some(kept), ProviderKind::Saml) if super::saml::has_sp_key(st, before) => Some(kept.clone()),
                _ => Some(seal(st, tenant, id, &super::saml::new_sp_key(st, tenant, id)?)?),
            }
        }
        SecretChange::Keep => {
            // A provider turned into Apple needs Apple's key, not the secret it had.
            if before.config.kind != config.kind {
                check_credentials(&config, None)?;
            }
            before.sealed_secret.clone()
        }
        SecretChange::Set(s) => {
            check_credentials(&config, Some(&s))?;
            Some(seal(st, tenant, id, &s)?)
        }
        SecretChange::Remove => {
            check_credentials(&config, None)?;
            None
        }
    };
    let after = IdentityProvider { config, sealed_secret, updated_at: st.clock.now(), ..before.clone() };
    super::ports(st).update_identity_provider(&after).await?;
    audited(st, tenant, by, provider_event("identity_provider.updated", id)).await?;
    Ok(after)
}

/// Deletes a provider and the links made through it; `false` if there was none.
pub(crate) async fn delete_provider(st: &AppState, by: &By, tenant: &TenantId, id: &str) -> Result<bool, ServiceError> {
    let Some(links) = super::ports(st).delete_identity_provider(tenant, id).await? else { return Ok(false) };
    let mut e = provider_event("identity_provider.deleted", id);
    e.reason = Some(format!("identity provider {id}, {links} linked accounts unlinked"));
    audited(st, tenant, by, e).await?;
    Ok(true)
}

/// A tenant's providers, enabled or not, from this node's cache (the sign-in page's buttons).
pub(crate) async fn providers(
    st: &AppState,
    tenant: &TenantId,
) -> Result<std::sync::Arc<[IdentityProvider]>, ServiceError> {
    Ok(st.directory.identity_providers(st.durable.as_ref(), tenant).await?)
}

/// The link of upstream account (`provider`, `subject`) to `user`, made now.
pub(crate) fn identity(
    st: &AppState,
    tenant: &TenantId,
    (provider, subject): (&str, &str),
    email: Option<&str>,
    user: &UserId,
) -> FederatedIdentity {
    FederatedIdentity {
        tenant_id: tenant.clone(),
        provider_id: provider.to_owned(),
        subject: subject.to_owned(),
        user_id: *user,
        email: email.map(str::to_owned),
        linked_at: st.clock.now(),
    }
}

/// Stores `link`, audited as `user.identity_linked` with `how`.
pub(crate) async fn link(st: &AppState, by: &By, link: &FederatedIdentity, how: &str) -> Result<(), ServiceError> {
    st.durable.link_identity(link).await?;
    let mut e = AuditRecord::allow("user.identity_linked");
    e.user_id = Some(link.user_id.to_string());
    e.reason = Some(format!("{}: {how}", link.provider_id));
    audited(st, &link.tenant_id, by, e).await
}

/// What an unlink did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unlinked {
    /// The link is gone.
    Done,
    /// The user has no such link.
    NotFound,
    /// It is the user's last way to sign in (no password, passkey, other link, or sign-in by
    /// email code): kept.
    LastWay,
}

/// Whether `user` can still sign in without the link (provider, subject).
async fn other_way_in(
    st: &AppState,
    tenant: &Tenant,
    user: &UserId,
    provider: &str,
    subject: &str,
) -> Result<bool, ServiceError> {
    let login = &tenant.settings.login;
    if login.password && st.durable.password_hash(&tenant.id, user).await?.is_some() {
        return Ok(true);
    }
    let factors = st.durable.list_factors(&tenant.id, user).await?;
    if login.passkey && factors.iter().any(|f| f.kind == FactorKind::Passkey) {
        return Ok(true);
    }
    if login.email_code && st.durable.get_user(&tenant.id, user).await?.is_some_and(|u| u.email_verified) {
        return Ok(true);
    }
    let links = st.durable.list_user_identities(&tenant.id, user).await?;
    Ok(links.iter().any(|l| l.provider_id != provider || l.subject != subject))
}

/// Removes one of `user`'s links, unless `keep_last` and it is their last way to sign in.
pub(crate) async fn unlink(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    user: &UserId,
    provider: &str,
    subject: &str,
    keep_last: bool,
) -> Result<Unlinked, ServiceError> {
    if st.durable.find_identity(&tenant.id, provider, subject).await?.is_none_or(|l| l.user_id != *user) {
        return Ok(Unlinked::NotFound);
    }
    if keep_last && !other_way_in(st, tenant, user, provider, subject).await? {
        return Ok(Unlinked::LastWay);
    }
    if !st.durable.unlink_identity(&tenant.id, user, provider, subject).await? {
        return Ok(Unlinked::NotFound);
    }
    let mut e = AuditRecord::allow("user.identity_unlinked");
    e.user_id = Some(user.to_string());
    e.reason = Some(provider.to_owned());
    audited(st, &tenant.id, by, e).await?;
    Ok(Unlinked::Done)
}

// --- The upstream round trip ------------------------------------------------------------------

/// Why an upstream sign-in did not give an account.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UpstreamFailure {
    /// The `state` is unknown, used or expired (or the provider was removed meanwhile).
    #[error("the upstream sign-in is unknown or expired")]
    Expired,
    /// The upstream, or what it answered, failed; the text is for the log and the audit trail.
    #[error("{0}")]
    Upstream(String),
    /// A store failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<UpstreamCallError> for UpstreamFailure {
    fn from(e: UpstreamCallError) -> Self {
        Self::Upstream(e.to_string())
    }
}

impl From<StoreError> for UpstreamFailure {
    fn from(e: StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// An upstream sign-in in progress (ephemeral, by the hash of its `state`).
#[derive(Debug, Serialize, Deserialize)]
struct InFlight {
    /// The flow (sign-in page) it continues.
    flow: String,
    provider: String,
    nonce: String,
    verifier: String,
}

impl InFlight {
    fn new(flow: &str, provider: &IdentityProvider, nonce: String, verifier: String) -> Self {
        Self { flow: flow.to_owned(), provider: provider.id.clone(), nonce, verifier }
    }
}

/// Starts a sign-in at `provider` for the flow `flow_id`: the URL of the upstream's
/// authorization endpoint, with state, nonce and a PKCE S256 challenge.
pub(crate) async fn begin(
    st: &AppState,
    tenant: &Tenant,
    provider: &IdentityProvider,
    flow_id: &str,
    login_hint: Option<&str>,
) -> Result<String, UpstreamFailure> {
    let config = &provider.config;
    let state = random_token(32);
    if config.kind == ProviderKind::Saml {
        // The request's ID stands where an OpenID Connect nonce would: its answer names it.
        let request_id = format!("_{}", random_token(32));
        let url = super::saml::begin(st, &tenant.id, provider, &request_id, &state)?;
        keep_in_flight(st, tenant, &state, &InFlight::new(flow_id, provider, request_id, String::new())).await?;
        return Ok(url);
    }
    let discovery = st.upstreams.endpoints(config.kind, &config.issuer).await?;
    let in_flight = InFlight::new(flow_id, provider, random_token(32), random_token(48));
    let challenge = CodeChallenge::of_verifier(&in_flight.verifier);
    let mut url = discovery.authorization_endpoint.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &config.client_id)
            .append_pair("redirect_uri", &redirect_uri(st, &tenant.id))
            .append_pair("scope", &config.scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("nonce", &in_flight.nonce)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        if let Some(hint) = login_hint {
            q.append_pair("login_hint", hint);
        }
        // Apple answers by POST when it is asked for the name or the address.
        if config.kind == ProviderKind::Apple {
            q.append_pair("response_mode", "form_post");
        }
    }
    keep_in_flight(st, tenant, &state, &in_flight).await?;
    Ok(url.into())
}

/// Keeps a sign-in in progress under its `state`.
async fn keep_in_flight(st: &AppState, tenant: &Tenant, state: &str, in_flight: &InFlight) -> Result<(), ServiceError> {
    Json::new(st.ephemeral.as_ref())
        .put(&keyspace::upstream_sign_in(&tenant.ns(), state), in_flight, UPSTREAM_SIGN_IN_TTL)
        .await
        .map_err(ServiceError::Sessions)
}

/// Takes an identity provider's unasked response (IdP-initiated SAML, where the provider allows
/// it) into the new flow `flow_id`: the `state` its answer is kept under.
pub(crate) async fn begin_unsolicited(
    st: &AppState,
    tenant: &Tenant,
    provider: &IdentityProvider,
    flow_id: &str,
) -> Result<String, ServiceError> {
    let state = random_token(32);
    // No request of ours: nothing stands where a nonce or a request id would.
    keep_in_flight(st, tenant, &state, &InFlight::new(flow_id, provider, String::new(), String::new())).await?;
    Ok(state)
}

/// The authorization response at the callback (RFC 6749 §4.1.2, RFC 9207).
pub(crate) struct Callback<'a> {
    pub(crate) state: Option<&'a str>,
    pub(crate) code: Option<&'a str>,
    pub(crate) iss: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
    /// Sign in with Apple's `user` field (the name, at the first sign-in only).
    pub(crate) user: Option<&'a str>,
    /// A SAML identity provider's `SAMLResponse`.
    pub(crate) saml_response: Option<&'a str>,
}

/// An upstream sign-in that came back with an account.
pub(crate) struct Returned {
    pub(crate) provider: IdentityProvider,
    pub(crate) account: UpstreamAccount,
}

/// An upstream's authorization response: the fields a sign-in reads, by name.
pub(crate) type Answer = std::collections::BTreeMap<String, String>;

/// The fields of an authorization response that a sign-in reads (`get` reads the query or form).
pub(crate) fn answer_of<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Answer {
    ["state", "code", "iss", "error", "user", "SAMLResponse"]
        .iter()
        .filter_map(|f| get(f).map(|v| ((*f).to_owned(), v.to_owned())))
        .collect()
}

/// How long a posted answer waits for the browser's same-site GET.
const POSTED_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Keeps an upstream's `form_post` answer until the browser comes back by GET (a cross-site POST
/// carries no `SameSite=Lax` cookie, so the flow cannot be found from it); `false` for an
/// answer without the `state` of a sign-in in progress.
pub(crate) async fn keep_posted_answer(st: &AppState, tenant: &Tenant, answer: &Answer) -> Result<bool, ServiceError> {
    let Some(state) = answer.get("state") else { return Ok(false) };
    if flow_of(st, tenant, state).await?.is_none() {
        return Ok(false);
    }
    Json::new(st.ephemeral.as_ref())
        .put(&keyspace::upstream_answer(&tenant.ns(), state), answer, POSTED_TTL)
        .await
        .map_err(ServiceError::Sessions)?;
    Ok(true)
}

/// The `form_post` answer kept for `state` (once).
pub(crate) async fn take_posted_answer(
    st: &AppState,
    tenant: &Tenant,
    state: &str,
) -> Result<Option<Answer>, ServiceError> {
    Json::new(st.ephemeral.as_ref())
        .take(&keyspace::upstream_answer(&tenant.ns(), state))
        .await
        .map_err(ServiceError::Sessions)
}

/// Whose flow a callback's `state` continues, without using it up (to load the flow first).
pub(crate) async fn flow_of(st: &AppState, tenant: &Tenant, state: &str) -> Result<Option<String>, ServiceError> {
    let found = Json::<InFlight>::new(st.ephemeral.as_ref())
        .get(&keyspace::upstream_sign_in(&tenant.ns(), state))
        .await
        .map_err(ServiceError::Sessions)?;
    Ok(found.map(|f| f.flow))
}

/// Finishes the round trip: the `state` used once, the `iss` parameter checked, the code
/// redeemed with the PKCE verifier, the ID token's signature and claims checked, and the
/// userinfo claims added.
pub(crate) async fn complete(st: &AppState, tenant: &Tenant, cb: Callback<'_>) -> Result<Returned, UpstreamFailure> {
    let state = cb.state.ok_or(UpstreamFailure::Expired)?;
    let in_flight = Json::<InFlight>::new(st.ephemeral.as_ref())
        .take(&keyspace::upstream_sign_in(&tenant.ns(), state))
        .await
        .map_err(ServiceError::Sessions)?
        .ok_or(UpstreamFailure::Expired)?;
    let provider = st
        .durable
        .get_identity_provider(&tenant.id, &in_flight.provider)
        .await?
        .filter(|p| p.config.enabled)
        .ok_or(UpstreamFailure::Expired)?;
    let config = &provider.config;
    if config.kind == ProviderKind::Saml {
        // An IdP-initiated sign-in has no request of ours to answer.
        let request = Some(in_flight.nonce.as_str()).filter(|n| !n.is_empty());
        let account = super::saml::complete(st, &tenant.id, &provider, request, cb.saml_response).await?;
        return Ok(Returned { provider, account });
    }
    let discovery = st.upstreams.endpoints(config.kind, &config.issuer).await?;
    check_iss_parameter(&discovery, cb.iss)?;
    if let Some(error) = cb.error {
        let shown: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        return Err(UpstreamFailure::Upstream(format!("the provider answered {shown}")));
    }
    let code = cb.code.ok_or_else(|| UpstreamFailure::Upstream("the provider sent no code".into()))?;
    let credential = credential(st, tenant, &provider, &discovery).await?;
    let tokens =
        st.upstreams.redeem(&discovery, &credential, code, &redirect_uri(st, &tenant.id), &in_flight.verifier).await?;
    let upstream = |e: rules::UpstreamError| UpstreamFailure::Upstream(e.to_string());
    if !config.kind.is_oidc() {
        let token = tokens
            .access_token
            .ok_or_else(|| UpstreamFailure::Upstream("the token response has no access token".into()))?;
        let (user, emails) = st.upstreams.github(&config.issuer, &token).await?;
        let account = rules::github_account(&user, &emails, config).map_err(upstream)?;
        return Ok(Returned { provider, account });
    }
    let id_token =
        tokens.id_token.ok_or_else(|| UpstreamFailure::Upstream("the token response has no ID token".into()))?;
    let claims = st.upstreams.verify_signature(&discovery, &id_token).await?;
    let expected =
        Expected { config, issuer: &discovery.issuer, nonce: &in_flight.nonce, now: st.clock.now().unix_timestamp() };
    let checked = rules::check_id_token(&claims, &expected).map_err(upstream)?;
    // Claims the ID token lacks: from userinfo, and Apple's name of a first sign-in.
    let mut merged = match tokens.access_token.as_deref() {
        Some(access_token) => st.upstreams.userinfo(&discovery, access_token, &checked.subject).await?,
        None => Map::new(),
    };
    if config.kind == ProviderKind::Apple {
        merged.extend(rules::apple_first_sign_in_name(cb.user));
    }
    let account = if merged.is_empty() {
        checked
    } else {
        merged.extend(claims);
        rules::account(&checked.subject, &merged, config)
    };
    Ok(Returned { provider, account })
}

/// RFC 9207 §2.4: an upstream that says it sends `iss` must send its own; one that sends `iss`
/// anyway must send its own too (a mix-up attack sends another's).
fn check_iss_parameter(discovery: &Discovery, iss: Option<&str>) -> Result<(), UpstreamFailure> {
    match iss {
        Some(iss) if iss != discovery.issuer => {
            Err(UpstreamFailure::Upstream("the authorization response's iss is not the provider's (RFC 9207)".into()))
        }
        None if discovery.authorization_response_iss_parameter_supported => {
            Err(UpstreamFailure::Upstream("the authorization response has no iss (RFC 9207)".into()))
        }
        _ => Ok(()),
    }
}

/// How ciam authenticates at the provider's token endpoint.
async fn credential(
    st: &AppState,
    tenant: &Tenant,
    provider: &IdentityProvider,
    discovery: &Discovery,
) -> Result<ClientCredential, UpstreamFailure> {
    let client_id = provider.config.client_id.clone();
    let secret = || -> Result<String, UpstreamFailure> {
        let sealed = provider
            .sealed_secret
            .as_deref()
            .ok_or_else(|| UpstreamFailure::Upstream("the provider has no client secret configured".into()))?;
        let opened = st
            .master
            .open(&secret_owner(&tenant.id, &provider.id), sealed)
            .map_err(|e| ServiceError::Internal(format!("the provider's client secret cannot be opened: {e}")))?;
        String::from_utf8(opened).map_err(|_| UpstreamFailure::Upstream("the client secret is not text".into()))
    };
    Ok(match provider.config.client_auth {
        _ if provider.config.kind == ProviderKind::Apple => {
            let assertion = apple_client_secret(st, &provider.config, &secret()?)?;
            ClientCredential::Post { client_id, secret: assertion }
        }
        UpstreamClientAuth::ClientSecretBasic => ClientCredential::Basic { client_id, secret: secret()? },
        UpstreamClientAuth::ClientSecretPost => ClientCredential::Post { client_id, secret: secret()? },
        UpstreamClientAuth::PrivateKeyJwt => {
            let now = st.clock.now();
            let keys = st.keys.keys(&tenant.id, now).await.map_err(ServiceError::from)?;
            let key = keys.signing(ciam_jose::Alg::RS256).map_err(ServiceError::from)?;
            let claims = serde_json::json!({
                "iss": client_id, "sub": client_id, "aud": discovery.token_endpoint.as_str(),
                "jti": random_token(16), "iat": now.unix_timestamp(), "exp": now.unix_timestamp() + 60,
            });
            let assertion = ciam_jose::mint(&key, "JWT", &claims)
                .map_err(|e| ServiceError::Internal(format!("the client assertion: {e}")))?;
            ClientCredential::Assertion { client_id, assertion }
        }
    })
}

/// An upstream account waiting for its person to sign in to the existing account it will be
/// linked to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingLink {
    pub(crate) provider: String,
    pub(crate) subject: String,
    /// The address the upstream asserted (the existing account's).
    pub(crate) email: String,
    /// The provider's display name, for the sign-in page.
    pub(crate) display_name: String,
}

/// The developer's Sign in with Apple key (PKCS#8 PEM, P-256), or why it is not one.
fn apple_key(pem: &str) -> Result<ciam_jose::SigningKey, FieldError> {
    use base64::Engine as _;
    let bad = || FieldError::new("client_secret", "must be the PKCS#8 PEM of the ES256 key Apple gave (AuthKey_….p8)");
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "-----BEGIN PRIVATE KEY-----")
        .skip(1)
        .take_while(|l| *l != "-----END PRIVATE KEY-----")
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| bad())?;
    ciam_jose::SigningKey::from_pkcs8(ciam_jose::Alg::ES256, &der).map_err(|_| bad())
}

/// Sign in with Apple's client secret: a JWT the developer's key signs (iss: the team, sub: the
/// services id, aud: Apple's issuer), valid five minutes.
fn apple_client_secret(st: &AppState, config: &ProviderConfig, pem: &str) -> Result<String, UpstreamFailure> {
    let key = apple_key(pem).map_err(|e| UpstreamFailure::Upstream(e.message.into_owned()))?;
    let (Some(team), Some(kid)) = (&config.apple_team_id, &config.apple_key_id) else {
        return Err(UpstreamFailure::Upstream("the provider has no Apple team or key id".into()));
    };
    let now = st.clock.now().unix_timestamp();
    let claims = serde_json::json!({
        "iss": team, "sub": config.client_id, "aud": config.issuer, "iat": now, "exp": now + 300,
    });
    ciam_jose::jwt::mint_as(&key, kid, &claims)
        .map_err(|e| UpstreamFailure::Upstream(format!("the client secret: {e}")))
}

/// Checks what a provider authenticates with: for Apple, a key it can sign with; for SAML, the
/// identity provider's metadata.
fn check_credentials(config: &ProviderConfig, secret: Option<&str>) -> Result<(), ServiceError> {
    if config.kind == ProviderKind::Saml {
        super::saml::check_metadata(config)?;
    }
    if config.kind == ProviderKind::Apple {
        let pem = secret.ok_or_else(|| {
            ServiceError::Invalid(FieldError::new("client_secret", "is required for kind apple (the key Apple gave)"))
        })?;
        apple_key(pem).map_err(ServiceError::Invalid)?;
    }
    Ok(())
}

/// Where an upstream account leads.
pub(crate) enum Arrival {
    /// This user signs in (linked before, linked now by a trusted address, or created now).
    SignIn(User),
    /// The address belongs to this account; its owner must sign in to it to link.
    ProveExisting(User),
    /// No sign-in.
    Refused(rules::Refusal),
    /// The account is disabled.
    Disabled,
}

/// Resolves the account an upstream sign-in reaches and does what that needs: a link by a
/// trusted address, or a new user (just-in-time) with its link. A new user whose link could not
/// be made (another request linked the same upstream account a moment before) is removed again.
pub(crate) async fn arrive(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    returned: &Returned,
) -> Result<Arrival, ServiceError> {
    let (provider, account) = (&returned.provider, &returned.account);
    let linked = st.durable.find_identity(&tenant.id, &provider.id, &account.subject).await?.map(|l| l.user_id);
    let same_email = match &account.email {
        Some(e) => st.durable.find_user_by_email(&tenant.id, e.normalized()).await?.map(|u| u.id),
        None => None,
    };
    let facts = LinkFacts { config: &provider.config, account, linked, same_email };
    let email = account.email.as_ref().map(|e| e.as_str());
    let user = match rules::resolve(facts) {
        Resolution::SignIn(user) => user,
        Resolution::AutoLink(user) => {
            let made = identity(st, &tenant.id, (&provider.id, &account.subject), email, &user);
            link(st, by, &made, "trusted_domain").await?;
            user
        }
        Resolution::ProveExisting(user) => {
            let user = st.durable.get_user(&tenant.id, &user).await?.ok_or(StoreError::NotFound)?;
            return Ok(Arrival::ProveExisting(user));
        }
        Resolution::Create => return create_user(st, by, tenant, returned).await,
        Resolution::Refuse(why) => return Ok(Arrival::Refused(why)),
    };
    let user = st.durable.get_user(&tenant.id, &user).await?.ok_or(StoreError::NotFound)?;
    Ok(if user.status == UserStatus::Active { Arrival::SignIn(user) } else { Arrival::Disabled })
}

async fn create_user(st: &AppState, by: &By, tenant: &Tenant, returned: &Returned) -> Result<Arrival, ServiceError> {
    let (provider, account) = (&returned.provider, &returned.account);
    let Some(email) = account.email.clone() else { return Ok(Arrival::Refused(rules::Refusal::NoEmail)) };
    let now = st.clock.now();
    let user = User {
        tenant_id: tenant.id.clone(),
        id: UserId::generate(),
        email,
        email_verified: account.email_verified,
        status: UserStatus::Active,
        profile: account.profile.clone(),
        source: UserSource::Federation,
        created_at: now,
        updated_at: now,
    };
    st.durable.create_user(&user, None).await?;
    let email = Some(user.email.as_str());
    if let Err(e) = st
        .durable
        .link_identity(&FederatedIdentity {
            tenant_id: tenant.id.clone(),
            provider_id: provider.id.clone(),
            subject: account.subject.clone(),
            user_id: user.id,
            email: email.map(str::to_owned),
            linked_at: now,
        })
        .await
    {
        st.durable.delete_user(&tenant.id, &user.id).await?;
        return Err(e.into());
    }
    let mut created = AuditRecord::allow("user.created");
    created.user_id = Some(user.id.to_string());
    created.reason = Some(format!("federation:{}", provider.id));
    audited(st, &tenant.id, by, created).await?;
    let mut linked = AuditRecord::allow("user.identity_linked");
    linked.user_id = Some(user.id.to_string());
    linked.reason = Some(format!("{}: created", provider.id));
    audited(st, &tenant.id, by, linked).await?;
    Ok(Arrival::SignIn(user))
}
