//! Row types shared by both SQL dialects and their mapping to domain entities. Corrupt rows
//! become [`StoreError::Corrupt`], never a panic.

use ciam_core::agent::Delegation;
use ciam_core::audit::{AuditEvent, AuditRecord, FORM_CLEAR, FORM_SEALED, Personal, SealedPersonal};
use ciam_core::client::{AuthMethod, Client, ClientType, GrantType, SecurityProfile};
use ciam_core::email::Email;
use ciam_core::factor::{Factor, FactorKind};
use ciam_core::id::{ClientId, Region, ResourceId, TenantId, UserId};
use ciam_core::outbox::{MailState, QueuedMail};
use ciam_core::redirect::RedirectUri;
use ciam_core::refresh::{RefreshFamily, RefreshTokenRecord};
use ciam_core::resource::{IntrospectionAuth, Resource};
use ciam_core::scope::ScopeSet;
use ciam_core::secret::SecretHash;
use ciam_core::signing_key::{KeyState, StoredKey};
use ciam_core::store::StoreError;
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserSource, UserStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// A row type, readable by sqlx (Postgres) and by the in-process SQLite driver, column by field name.
macro_rules! sql_row {
    (pub(crate) struct $name:ident { $($field:ident: $ty:ty,)* }) => {
        #[derive(sqlx::FromRow)]
        pub(crate) struct $name { $($field: $ty,)* }

        impl super::lite::FromLite for $name {
            fn from_row(row: &rusqlite::Row<'_>) -> Result<Self, rusqlite::Error> {
                Ok(Self { $($field: row.get(stringify!($field))?,)* })
            }
        }
    };
}
pub(crate) use sql_row;

fn corrupt(what: &str) -> impl FnOnce(ciam_core::FieldError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// Redirect URIs as stored: checked with the rules they were registered under
/// ([`RedirectUri::stored`]), so a client registered before a rule was added still loads.
fn stored_uris(what: &str, json: &str) -> Result<Vec<RedirectUri>, StoreError> {
    from_json::<Vec<String>>(what, json)?.iter().map(|u| RedirectUri::stored(u).map_err(corrupt(what))).collect()
}

pub(crate) fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn from_ts(s: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(s).map_err(|e| StoreError::Corrupt(format!("timestamp: {e}")))
}

pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("json: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn enum_from_str<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    from_json(what, &to_json(s)?)
}

pub(crate) fn enum_to_str<T: Serialize>(v: &T) -> Result<String, StoreError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Corrupt("enum does not serialise to a string".into())),
    }
}

sql_row! {
pub(crate) struct TenantRow {
    tenant_id: String,
    display_name: String,
    home_region: String,
    settings: String,
    created_at: i64,
    updated_at: i64,
    incarnation: String,
}
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self, StoreError> {
        Ok(Tenant {
            id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            display_name: r.display_name,
            home_region: Region::parse(&r.home_region).map_err(corrupt("home_region"))?,
            settings: from_json("settings", &r.settings)?,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
            incarnation: r.incarnation,
        })
    }
}

sql_row! {
pub(crate) struct UserRow {
    tenant_id: String,
    user_id: String,
    email: String,
    email_normalized: String,
    email_verified: bool,
    status: String,
    profile: String,
    created_at: i64,
    updated_at: i64,
    source: String,
}
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            email: Email::from_stored(r.email, r.email_normalized),
            email_verified: r.email_verified,
            status: UserStatus::parse(&r.status).ok_or_else(|| StoreError::Corrupt("status".into()))?,
            profile: from_json("profile", &r.profile)?,
            source: UserSource::parse(&r.source).ok_or_else(|| StoreError::Corrupt("source".into()))?,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

sql_row! {
pub(crate) struct ClientRow {
    tenant_id: String,
    client_id: String,
    name: String,
    client_type: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    grant_types: String,
    token_endpoint_auth_method: String,
    scopes: String,
    jwks_uri: Option<String>,
    jwks: Option<String>,
    created_at: i64,
    updated_at: i64,
    require_pushed_authorization_requests: bool,
    id_token_signed_response_alg: Option<String>,
    opaque_access_tokens: bool,
    agent: Option<String>,
    dpop_bound_access_tokens: bool,
    security_profile: Option<String>,
    token_exchange: Option<String>,
    require_signed_request_object: bool,
    authorization_signed_response_alg: Option<String>,
    saml: Option<String>,
    backchannel: Option<String>,
    first_party: bool,
}
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;
    fn try_from(r: ClientRow) -> Result<Self, StoreError> {
        Ok(Client {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            client_id: ClientId::parse(&r.client_id).map_err(corrupt("client_id"))?,
            name: r.name,
            client_type: enum_from_str::<ClientType>("client_type", &r.client_type)?,
            redirect_uris: stored_uris("redirect_uris", &r.redirect_uris)?,
            post_logout_redirect_uris: stored_uris("post_logout_redirect_uris", &r.post_logout_redirect_uris)?,
            grant_types: from_json::<Vec<GrantType>>("grant_types", &r.grant_types)?,
            token_endpoint_auth_method: enum_from_str::<AuthMethod>(
                "token_endpoint_auth_method",
                &r.token_endpoint_auth_method,
            )?,
            scopes: from_json::<ScopeSet>("scopes", &r.scopes)?,
            jwks_uri: r.jwks_uri,
            jwks: r.jwks.as_deref().map(|j| from_json("jwks", j)).transpose()?,
            require_pushed_authorization_requests: r.require_pushed_authorization_requests,
            id_token_signed_response_alg: r.id_token_signed_response_alg,
            opaque_access_tokens: r.opaque_access_tokens,
            agent: r.agent.as_deref().map(|a| from_json("agent", a)).transpose()?,
            dpop_bound_access_tokens: r.dpop_bound_access_tokens,
            security_profile: r
                .security_profile
                .as_deref()
                .map(|p| enum_from_str::<SecurityProfile>("security_profile", p))
                .transpose()?,
            token_exchange: r.token_exchange.as_deref().map(|t| from_json("token_exchange", t)).transpose()?,
            require_signed_request_object: r.require_signed_request_object,
            authorization_signed_response_alg: r.authorization_signed_response_alg,
            saml: r.saml.as_deref().map(|j| from_json("saml", j)).transpose()?,
            backchannel: r.backchannel.as_deref().map(|j| from_json("backchannel", j)).transpose()?,
            first_party: r.first_party,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

sql_row! {
pub(crate) struct KeyRow {
    tenant_id: String,
    kid: String,
    alg: String,
    state: String,
    public_jwk: String,
    sealed_private: String,
    created_at: i64,
    activated_at: Option<i64>,
    retired_at: Option<i64>,
}
}

impl TryFrom<KeyRow> for StoredKey {
    type Error = StoreError;
    fn try_from(r: KeyRow) -> Result<Self, StoreError> {
        Ok(StoredKey {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            kid: r.kid,
            alg: r.alg,
            state: KeyState::parse(&r.state).ok_or_else(|| StoreError::Corrupt("key state".into()))?,
            public_jwk: from_json("public_jwk", &r.public_jwk)?,
            sealed_private: r.sealed_private,
            created_at: from_ts(r.created_at)?,
            activated_at: r.activated_at.map(from_ts).transpose()?,
            retired_at: r.retired_at.map(from_ts).transpose()?,
        })
    }
}

sql_row! {
pub(crate) struct RefreshRow {
    tenant_id: String,
    token_hash: String,
    family_id: String,
    issued_at: i64,
    token_expires_at: i64,
    rotated_at: Option<i64>,
    client_id: String,
    user_id: String,
    scope: String,
    auth_time: i64,
    sid: Option<String>,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    dpop_jkt: Option<String>,
    resources: String,
    acr: Option<String>,
    userinfo_claims: String,
    authorization_details: Option<String>,
}
}

impl TryFrom<RefreshRow> for (RefreshTokenRecord, RefreshFamily) {
    type Error = StoreError;
    fn try_from(r: RefreshRow) -> Result<Self, StoreError> {
        let tenant_id = TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?;
        let token = RefreshTokenRecord {
            tenant_id: tenant_id.clone(),
            token_hash: SecretHash::from_stored(r.token_hash),
            family_id: r.family_id.clone(),
            issued_at: from_ts(r.issued_at)?,
            expires_at: from_ts(r.token_expires_at)?,
            rotated_at: r.rotated_at.map(from_ts).transpose()?,
        };
        let family = RefreshFamily {
            tenant_id,
            family_id: r.family_id,
            client_id: ClientId::parse(&r.client_id).map_err(corrupt("client_id"))?,
            user_id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            scope: r.scope,
            auth_time: from_ts(r.auth_time)?,
            acr: r.acr,
            sid: r.sid,
            created_at: from_ts(r.created_at)?,
            expires_at: from_ts(r.expires_at)?,
            revoked_at: r.revoked_at.map(from_ts).transpose()?,
            dpop_jkt: r.dpop_jkt,
            resources: r.resources.split_whitespace().map(str::to_owned).collect(),
            userinfo_claims: r.userinfo_claims.split_whitespace().map(str::to_owned).collect(),
            authorization_details: r
                .authorization_details
                .map(|d| from_json("authorization_details", &d))
                .transpose()?,
        };
        Ok((token, family))
    }
}

/// Maps a driver error: unique violations become [`StoreError::Conflict`] naming `what`, foreign
/// key violations (a parent row is missing) become [`StoreError::NotFound`], the rest
/// [`StoreError::Unavailable`] with the source kept for the log.
/// A constraint a write ran into.
pub(crate) enum Violation {
    Unique,
    ForeignKey,
}

/// A driver's error, as far as the store needs to tell them apart.
pub(crate) trait DbError: std::error::Error + Send + Sync + 'static {
    fn violation(&self) -> Option<Violation>;
}

impl DbError for sqlx::Error {
    fn violation(&self) -> Option<Violation> {
        match self {
            sqlx::Error::Database(db) if db.is_unique_violation() => Some(Violation::Unique),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Some(Violation::ForeignKey),
            _ => None,
        }
    }
}

impl DbError for rusqlite::Error {
    fn violation(&self) -> Option<Violation> {
        use rusqlite::ffi;
        match self.sqlite_error().map(|e| e.extended_code) {
            // The only trigger refuses an erased user's id: taken, as a unique key would be.
            Some(
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_TRIGGER,
            ) => Some(Violation::Unique),
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => Some(Violation::ForeignKey),
            _ => None,
        }
    }
}

/// A unique violation is a conflict on `what`, a missing parent row is not found, anything else
/// means the database is unavailable.
pub(crate) fn map_err<E: DbError>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |e| match e.violation() {
        Some(Violation::Unique) => StoreError::Conflict { what },
        Some(Violation::ForeignKey) => StoreError::NotFound,
        None => StoreError::Unavailable(Box::new(e)),
    }
}

sql_row! {
pub(crate) struct DelegationRow {
    tenant_id: String,
    delegation_id: String,
    user_id: String,
    agent_id: String,
    scope: String,
    audiences: String,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}
}

impl TryFrom<DelegationRow> for Delegation {
    type Error = StoreError;
    fn try_from(r: DelegationRow) -> Result<Self, StoreError> {
        Ok(Delegation {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.delegation_id,
            user_id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            agent_id: ClientId::parse(&r.agent_id).map_err(corrupt("agent_id"))?,
            scope: ScopeSet::parse_space_separated(&r.scope).map_err(corrupt("scope"))?,
            audiences: from_json("audiences", &r.audiences)?,
            created_at: from_ts(r.created_at)?,
            expires_at: from_ts(r.expires_at)?,
            revoked_at: r.revoked_at.map(from_ts).transpose()?,
        })
    }
}

sql_row! {
pub(crate) struct AuditRow {
    tenant_id: String,
    seq: i64,
    time_ms: i64,
    event_type: String,
    user_id: Option<String>,
    client_id: Option<String>,
    actors: String,
    delegation_id: Option<String>,
    scope: Option<String>,
    audience: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    decision: String,
    reason: Option<String>,
    prev_hash: String,
    hash: String,
    form: i64,
    subject: Option<String>,
    personal: Option<String>,
    grant_type: Option<String>,
}
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEvent {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            seq: r.seq,
            time_ms: r.time_ms,
            record: AuditRecord {
                event_type: r.event_type,
                user_id: r.user_id,
                client_id: r.client_id,
                actors: from_json("actors", &r.actors)?,
                delegation_id: r.delegation_id,
                scope: r.scope,
                audience: r.audience,
                grant: r.grant_type,
                ip: r.ip,
                user_agent: r.user_agent,
                decision: r.decision,
                reason: r.reason,
                personal: match r.form {
                    FORM_CLEAR => Personal::Clear,
                    FORM_SEALED => Personal::Sealed(SealedPersonal { subject: r.subject, data: r.personal }),
                    other => return Err(StoreError::Corrupt(format!("audit event form {other}"))),
                },
                reason_is_personal: false,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
            personal_data: None,
        })
    }
}

sql_row! {
pub(crate) struct ResourceRow {
    tenant_id: String,
    resource_id: String,
    identifier: String,
    name: String,
    scopes: String,
    access_token_lifetime: i64,
    created_at: i64,
    updated_at: i64,
    introspection_auth_method: Option<String>,
    jwks_uri: Option<String>,
    jwks: Option<String>,
}
}

impl TryFrom<ResourceRow> for Resource {
    type Error = StoreError;
    fn try_from(r: ResourceRow) -> Result<Self, StoreError> {
        Ok(Resource {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: ResourceId::parse(&r.resource_id).map_err(corrupt("resource_id"))?,
            identifier: r.identifier,
            name: r.name,
            scopes: from_json("scopes", &r.scopes)?,
            access_token_lifetime: u32::try_from(r.access_token_lifetime)
                .map_err(|e| StoreError::Corrupt(format!("access_token_lifetime: {e}")))?,
            introspection: r
                .introspection_auth_method
                .map(|m| {
                    Ok::<_, StoreError>(IntrospectionAuth {
                        method: enum_from_str::<AuthMethod>("introspection_auth_method", &m)?,
                        jwks_uri: r.jwks_uri,
                        jwks: r.jwks.as_deref().map(|j| from_json("jwks", j)).transpose()?,
                    })
                })
                .transpose()?,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

sql_row! {
pub(crate) struct FactorRow {
    tenant_id: String,
    factor_id: String,
    user_id: String,
    kind: String,
    name: String,
    lookup: Option<String>,
    data: String,
    created_at: i64,
    last_used_at: Option<i64>,
}
}

impl TryFrom<FactorRow> for Factor {
    type Error = StoreError;
    fn try_from(r: FactorRow) -> Result<Self, StoreError> {
        Ok(Factor {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.factor_id,
            user_id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            kind: FactorKind::parse(&r.kind).ok_or_else(|| StoreError::Corrupt(format!("factor kind {}", r.kind)))?,
            name: r.name,
            lookup: r.lookup,
            data: r.data,
            created_at: from_ts(r.created_at)?,
            last_used_at: r.last_used_at.map(from_ts).transpose()?,
        })
    }
}

sql_row! {
pub(crate) struct MailRow {
    tenant_id: String,
    mail_id: String,
    sealed: String,
    state: String,
    attempts: i64,
    created_at: i64,
    next_attempt_at: i64,
    expires_at: i64,
    claim: Option<String>,
    locked_until: Option<i64>,
    last_error: Option<String>,
}
}

impl TryFrom<MailRow> for QueuedMail {
    type Error = StoreError;
    fn try_from(r: MailRow) -> Result<Self, StoreError> {
        Ok(QueuedMail {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.mail_id,
            sealed: r.sealed,
            state: MailState::parse(&r.state).ok_or_else(|| StoreError::Corrupt(format!("mail state {}", r.state)))?,
            attempts: u32::try_from(r.attempts).map_err(|e| StoreError::Corrupt(format!("mail attempts: {e}")))?,
            created_at: from_ts(r.created_at)?,
            next_attempt_at: from_ts(r.next_attempt_at)?,
            expires_at: from_ts(r.expires_at)?,
            claim: r.claim,
            locked_until: r.locked_until.map(from_ts).transpose()?,
            last_error: r.last_error,
        })
    }
}

sql_row! {
pub(crate) struct InvitationRow {
    tenant_id: String,
    invitation_id: String,
    email: String,
    email_normalized: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    user_id: Option<String>,
    revoked_at: Option<i64>,
}
}

impl TryFrom<InvitationRow> for ciam_core::invitation::Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.invitation_id,
            email: Email::from_stored(r.email, r.email_normalized),
            created_at: from_ts(r.created_at)?,
            expires_at: from_ts(r.expires_at)?,
            used_at: r.used_at.map(from_ts).transpose()?,
            user_id: r.user_id.map(|u| UserId::parse(&u).map_err(corrupt("user_id"))).transpose()?,
            revoked_at: r.revoked_at.map(from_ts).transpose()?,
        })
    }
}

sql_row! {
pub(crate) struct IdentityProviderRow {
    tenant_id: String,
    provider_id: String,
    config: String,
    sealed_secret: Option<String>,
    created_at: i64,
    updated_at: i64,
}
}

impl TryFrom<IdentityProviderRow> for ciam_core::federation::IdentityProvider {
    type Error = StoreError;
    fn try_from(r: IdentityProviderRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.provider_id,
            config: from_json("identity provider config", &r.config)?,
            sealed_secret: r.sealed_secret,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

sql_row! {
pub(crate) struct FederatedIdentityRow {
    tenant_id: String,
    provider_id: String,
    subject: String,
    user_id: String,
    email: Option<String>,
    linked_at: i64,
}
}

impl TryFrom<FederatedIdentityRow> for ciam_core::federation::FederatedIdentity {
    type Error = StoreError;
    fn try_from(r: FederatedIdentityRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            provider_id: r.provider_id,
            subject: r.subject,
            user_id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            email: r.email,
            linked_at: from_ts(r.linked_at)?,
        })
    }
}

sql_row! {
pub(crate) struct PurposeRow {
    tenant_id: String,
    purpose_id: String,
    spec: String,
    version: i64,
    digest: String,
    created_at: i64,
    updated_at: i64,
}
}

sql_row! {
pub(crate) struct DetailTypeRow {
    tenant_id: String,
    type_id: String,
    spec: String,
    created_at: i64,
    updated_at: i64,
}
}

impl TryFrom<DetailTypeRow> for ciam_core::authorization_details::AuthorizationDetailType {
    type Error = StoreError;
    fn try_from(r: DetailTypeRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.type_id,
            spec: from_json("authorization detail type", &r.spec)?,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

impl TryFrom<PurposeRow> for ciam_core::purpose::Purpose {
    type Error = StoreError;
    fn try_from(r: PurposeRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            id: r.purpose_id,
            spec: from_json("purpose", &r.spec)?,
            version: u32::try_from(r.version).map_err(|_| StoreError::Corrupt("purpose version".into()))?,
            digest: r.digest,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

sql_row! {
pub(crate) struct ConsentEventRow {
    seq: i64,
    tenant_id: String,
    user_id: String,
    action: String,
    purpose_id: Option<String>,
    version: Option<i64>,
    digest: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    channel: String,
    via_client: Option<String>,
    ip: Option<String>,
    at: i64,
}
}

impl TryFrom<ConsentEventRow> for ciam_core::purpose::ConsentEvent {
    type Error = StoreError;
    fn try_from(r: ConsentEventRow) -> Result<Self, StoreError> {
        use ciam_core::purpose::{ConsentAction, ConsentTopic};
        let topic = match (r.purpose_id, r.version, r.client_id) {
            (Some(purpose), Some(version), _) => ConsentTopic::Purpose {
                purpose,
                version: u32::try_from(version).map_err(|_| StoreError::Corrupt("consent version".into()))?,
                digest: r.digest.unwrap_or_default(),
            },
            (None, _, Some(client_id)) => ConsentTopic::Scope { client_id, scope: r.scope.unwrap_or_default() },
            _ => return Err(StoreError::Corrupt("consent event: neither a purpose nor a client".into())),
        };
        Ok(Self {
            tenant_id: TenantId::parse(&r.tenant_id).map_err(corrupt("tenant_id"))?,
            user_id: UserId::parse(&r.user_id).map_err(corrupt("user_id"))?,
            seq: r.seq,
            action: ConsentAction::parse(&r.action).ok_or_else(|| StoreError::Corrupt("consent action".into()))?,
            topic,
            channel: r.channel,
            via_client: r.via_client,
            ip: r.ip,
            at: from_ts(r.at)?,
        })
    }
}

sql_row! {
pub(crate) struct PurposeConsentRow {
    purpose_id: String,
    version: i64,
    granted: bool,
    at: i64,
}
}

impl TryFrom<PurposeConsentRow> for ciam_core::purpose::PurposeConsent {
    type Error = StoreError;
    fn try_from(r: PurposeConsentRow) -> Result<Self, StoreError> {
        Ok(Self {
            purpose: r.purpose_id,
            version: u32::try_from(r.version).map_err(|_| StoreError::Corrupt("consent version".into()))?,
            granted: r.granted,
            at: from_ts(r.at)?,
        })
    }
}

sql_row! {
pub(crate) struct OutboxEventRow {
    pos: i64,
    tenant_id: String,
    event_id: String,
    event_type: String,
    subject: String,
    data: String,
    created_at: i64,
}
}

impl OutboxEventRow {
    /// The event and its position (the page cursor).
    pub(crate) fn into_event(self) -> Result<(i64, ciam_core::outbox::OutboxEvent), StoreError> {
        Ok((
            self.pos,
            ciam_core::outbox::OutboxEvent {
                tenant_id: TenantId::parse(&self.tenant_id).map_err(corrupt("tenant_id"))?,
                id: self.event_id,
                event_type: self.event_type,
                subject: self.subject,
                data: from_json("outbox event", &self.data)?,
                created_at: from_ts(self.created_at)?,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use ciam_core::federation::IdentityProvider;

    use super::*;

    /// A provider whose stored settings no longer parse is reported as corrupt, not a panic.
    #[test]
    fn federation_provider_with_bad_config_is_corrupt() {
        let row = |config: &str| IdentityProviderRow {
            tenant_id: "acme".into(),
            provider_id: "corp".into(),
            config: config.into(),
            sealed_secret: None,
            created_at: 0,
            updated_at: 0,
        };
        for bad in ["{", "{\"kind\": \"saml\"}", "[]"] {
            let r = IdentityProvider::try_from(row(bad));
            assert!(matches!(r, Err(StoreError::Corrupt(ref m)) if m.starts_with("identity provider config")), "{r:?}");
        }
    }
}
