//! The issuer's rules on the in-memory ephemeral store and an in-memory SQLite durable store,
//! with a fixed clock and the real keyring.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use ciam_core::agent::{AgentOwner, AgentProfile, AgentStatus, Delegation};
use ciam_core::audit::AuditRecord;
use ciam_core::client::{Client, GrantType, SecurityProfile};
use ciam_core::clock::FixedClock;
use ciam_core::id::{ClientId, ResourceId, TenantId};
use ciam_core::keyspace;
use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;
use ciam_core::store::{AuditEntry, AuditSink, DurableStore, EphemeralStore, NotRecorded, StoreResult};
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_core::user::{User, UserStatus};
use ciam_jose::{Keyring, MasterKey};
use ciam_store::contract;
use time::OffsetDateTime;
use time::macros::datetime;

use super::code::Redemption;
use super::*;
use crate::code::CodeGrant;
use crate::form::Params;

/// A test's outcome: any error fails it, with its message.
type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);
const API: &str = "https://api.example/";

/// Trusted issuers' keys as configured inline (these tests fetch nothing).
struct InlineKeys;

#[async_trait]
impl super::ForeignKeys for InlineKeys {
    async fn jwk_set(
        &self,
        trusted: &ciam_core::chaining::TrustedIssuer,
        _refresh: bool,
    ) -> Result<serde_json::Value, OAuthError> {
        trusted.jwks.clone().ok_or_else(|| OAuthError::server_error("no inline keys"))
    }
}

/// Lookups straight from the durable store (the server caches them).
struct Uncached(Arc<dyn DurableStore>);

#[async_trait]
impl Directory for Uncached {
    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<Arc<Tenant>>> {
        Ok(self.0.get_tenant(id).await?.map(Arc::new))
    }

    async fn client(&self, tenant: &TenantId, id: &ClientId) -> StoreResult<Option<Arc<Client>>> {
        Ok(self.0.get_client(tenant, id).await?.map(Arc::new))
    }

    async fn resource(&self, tenant: &TenantId, identifier: &str) -> StoreResult<Option<Resource>> {
        self.0.find_resource(tenant, identifier).await
    }

    async fn detail_types(&self, tenant: &TenantId) -> StoreResult<Arc<crate::rar::Types>> {
        Ok(Arc::new(crate::rar::Types::new(&self.0.list_detail_types(tenant).await?)))
    }
}

/// The trail: the durable store's own append (with the refresh family), and a copy to look at.
struct Trail {
    store: Arc<dyn DurableStore>,
    events: Mutex<Vec<AuditRecord>>,
}

#[async_trait]
impl AuditSink for Trail {
    async fn append(
        &self,
        tenant: &TenantId,
        record: AuditRecord,
        family: Option<Box<(ciam_core::refresh::RefreshFamily, ciam_core::refresh::RefreshTokenRecord)>>,
    ) -> Result<(), NotRecorded> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).push(record.clone());
        let entry = AuditEntry { tenant: tenant.clone(), at: NOW, record, family };
        let outcome = self.store.append_audit_with_grants(&[entry]).await.map_err(NotRecorded::Trail)?;
        let first = outcome.into_iter().next();
        first
            .unwrap_or_else(|| Err(StoreError::Corrupt("no outcome for the appended event".into())))
            .map_err(NotRecorded::Grant)
    }
}

struct World {
    issuer: Issuer,
    store: Arc<dyn DurableStore>,
    ephemeral: Arc<dyn EphemeralStore>,
    trail: Arc<Trail>,
    tenant: Tenant,
    ns: TenantNs,
    user: User,
}

impl World {
    async fn new(tenant: Tenant) -> TestResult<Self> {
        let store: Arc<dyn DurableStore> =
            Arc::new(ciam_store::SqliteStore::connect("sqlite::memory:", &Default::default()).await?);
        let ephemeral: Arc<dyn EphemeralStore> = Arc::new(ciam_store::MemoryStore::new());
        store.create_tenant(&tenant).await?;
        let id = tenant.id.as_str();
        let user = contract::user(id, "ada@example.com");
        store.create_user(&user, None).await?;
        let master = Arc::new(MasterKey::from_base64(&MasterKey::generate_base64())?);
        let keys = Arc::new(Keyring::new(store.clone(), master));
        keys.ensure_keys(&tenant.id, NOW).await?;
        let trail = Arc::new(Trail { store: store.clone(), events: Mutex::default() });
        let ports = Ports {
            directory: Arc::new(Uncached(store.clone())),
            users: store.clone(),
            clients: store.clone(),
            refresh: store.clone(),
            revocations: store.clone(),
            delegations: store.clone(),
            profiles: store.clone(),
            ephemeral: ephemeral.clone(),
            audit: trail.clone(),
            keys,
            clock: Arc::new(FixedClock(NOW)),
            foreign_keys: Arc::new(InlineKeys),
        };
        let ns = tenant.ns();
        Ok(Self { issuer: Issuer::new(ports, "https://id.example"), store, ephemeral, trail, tenant, ns, user })
    }

    async fn client(&self, id: &str, grants: &[GrantType], scopes: &str) -> TestResult<Client> {
        let mut c = contract::client(self.tenant.id.as_str(), id);
        c.grant_types = grants.to_vec();
        c.scopes = ScopeSet::parse_space_separated(scopes)?;
        self.store.create_client(&c, None).await?;
        Ok(c)
    }

    /// Agent `agent` (owned by `owner`, allowed `API`) with the user's delegation of
    /// `orders:read` on `API` for a day.
    async fn delegated_agent(&self, owner: AgentOwner) -> TestResult<(Client, Delegation)> {
        let mut agent = contract::client(self.tenant.id.as_str(), "agent");
        agent.grant_types = vec![GrantType::TokenExchange];
        agent.scopes = ScopeSet::parse_space_separated("orders:read")?;
        agent.agent = Some(AgentProfile {
            description: "Buys things".into(),
            owner,
            allowed_audiences: vec![API.into()],
            max_token_lifetime: 300,
            max_chain_depth: 2,
            delegation_lifetime: 86_400,
            status: AgentStatus::Active,
        });
        self.store.create_client(&agent, None).await?;
        let delegation = Delegation {
            tenant_id: self.tenant.id.clone(),
            id: Delegation::generate_id(),
            user_id: self.user.id,
            agent_id: agent.client_id.clone(),
            scope: ScopeSet::parse_space_separated("orders:read")?,
            audiences: vec![API.into()],
            created_at: NOW,
            expires_at: NOW + time::Duration::days(1),
            revoked_at: None,
        };
        self.store.create_delegation(&delegation).await?;
        Ok((agent, delegation))
    }

    /// A code the user approved for `client`.
    async fn code(&self, client: &Client, scope: &str, resources: &[&str]) -> TestResult<String> {
        self.bound_code(client, scope, resources, None).await
    }

    /// A code bound to the DPoP key `dpop_jkt` (RFC 9449 §10).
    async fn bound_code(
        &self,
        client: &Client,
        scope: &str,
        resources: &[&str],
        dpop_jkt: Option<&str>,
    ) -> TestResult<String> {
        let grant = CodeGrant { dpop_jkt: dpop_jkt.map(str::to_owned), ..self.grant(client, scope, resources)? };
        self.code_for(grant).await
    }

    /// The code of `grant`.
    async fn code_for(&self, grant: CodeGrant) -> TestResult<String> {
        Ok(self.issuer.issue_code(&self.ns, &grant).await?)
    }

    /// What the user approved for `client`.
    fn grant(&self, client: &Client, scope: &str, resources: &[&str]) -> TestResult<CodeGrant> {
        Ok(CodeGrant {
            client_id: client.client_id.clone(),
            redirect_uri: None,
            scope: ScopeSet::parse_space_separated(scope)?,
            nonce: None,
            code_challenge: None,
            user_id: self.user.id,
            auth_time: NOW.unix_timestamp() - 5,
            acr: Some("urn:ciam:acr:pwd".into()),
            amr: vec!["pwd".into()],
            sid: "sid-1".into(),
            issued_at: NOW.unix_timestamp() - 1,
            delegation_id: None,
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            dpop_jkt: None,
            id_token_claims: Vec::new(),
            userinfo_claims: Vec::new(),
            authorization_details: None,
            consents: None,
        })
    }

    /// A token request of `client` with form `body`, from `ip`.
    async fn token(&self, client: &Client, body: &str, ip: &str) -> Result<TokenResponse, OAuthError> {
        self.bound_token(client, body, ip, None, None).await
    }

    /// A token request with a verified DPoP proof's key `jkt` or a client `certificate`.
    async fn bound_token(
        &self,
        client: &Client,
        body: &str,
        ip: &str,
        jkt: Option<&str>,
        certificate: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let params = Params::parse(body.as_bytes())?;
        let call = TokenCall {
            tenant: &self.tenant.id,
            ns: &self.ns,
            client,
            params: &params,
            ip: Some(ip),
            user_agent: Some("tests"),
            profile: client.profile(&self.tenant.settings),
            certificate,
        };
        match self.issuer.parse(&call) {
            Ok(grant) => self.issuer.grant(&call, grant, jkt).await,
            Err(e) => Err(self.issuer.refused(&call, e).await),
        }
    }

    async fn standing(&self, access_token: &str) -> TestResult<bool> {
        Ok(self.issuer.verified_access_token(&self.tenant.id, access_token).await?.is_some())
    }

    fn events(&self) -> Vec<AuditRecord> {
        self.trail.events.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

fn web_grants() -> [GrantType; 2] {
    [GrantType::AuthorizationCode, GrantType::RefreshToken]
}

#[tokio::test]
async fn an_issued_code_is_kept_only_as_its_hash_under_the_tenant() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let web = w.client("web", &web_grants(), "openid profile").await?;
    let code = w.code(&web, "profile openid", &[API]).await?;
    assert_eq!(code.len(), 43, "256 random bits, base64url");
    assert_ne!(code, w.code(&web, "openid", &[]).await?);
    let stored = keyspace::Json::<CodeGrant>::new(w.ephemeral.as_ref()).get(&keyspace::code(&w.ns, &code)).await;
    let grant = stored?.ok_or("the grant, under the code's key")?;
    assert_eq!((grant.client_id, grant.user_id), (web.client_id.clone(), w.user.id));
    assert_eq!(grant.scope.to_string(), "openid profile");
    assert_eq!(grant.resources, [API]);
    let other = TenantNs::new(&TenantId::parse("other")?, "i1");
    assert!(w.ephemeral.get(keyspace::code(&other, &code).as_str()).await?.is_none(), "T03");
    Ok(())
}

#[tokio::test]
async fn a_reused_code_revokes_what_its_first_redemption_issued_rfc6749_4_1_2() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let web = w.client("web", &web_grants(), "openid profile").await?;
    let code = w.code(&web, "openid profile", &[]).await?;
    let body = format!("grant_type=authorization_code&code={code}");
    let first = w.token(&web, &body, "192.0.2.1").await?;
    assert!(first.id_token.is_some() && first.refresh_token.is_some());
    assert!(w.standing(&first.access_token).await?);
    let again = w.token(&web, &body, "192.0.2.1").await.err().ok_or("expected a refusal")?;
    assert_eq!(again.code, ErrorCode::InvalidGrant);
    assert!(!w.standing(&first.access_token).await?, "the first redemption's access token is revoked");
    let refresh = format!("grant_type=refresh_token&refresh_token={}", first.refresh_token.ok_or("no refresh token")?);
    assert_eq!(
        w.token(&web, &refresh, "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    let kinds: Vec<_> =
        w.events().iter().map(|e| (e.event_type.clone(), e.grant.clone().unwrap_or_default())).collect();
    let (code, refresh) = ("authorization_code".to_owned(), "refresh_token".to_owned());
    assert_eq!(
        kinds,
        [("token.issued".into(), code.clone()), ("token.refused".into(), code), ("token.refused".into(), refresh)],
        "each event names the grant asked for"
    );
    Ok(())
}

#[tokio::test]
async fn a_replayed_refresh_token_ends_the_grant_rfc9700_4_14_2() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let web = w.client("web", &web_grants(), "openid profile").await?;
    let code = w.code(&web, "openid profile", &[]).await?;
    let issued = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    let rt1 = issued.refresh_token.ok_or("no refresh token")?;
    let refresh = |rt: &str| format!("grant_type=refresh_token&refresh_token={rt}");
    let rotated = w.token(&web, &refresh(&rt1), "192.0.2.1").await?;
    assert_eq!(rotated.scope.as_deref(), Some("openid profile"));
    let rt2 = rotated.refresh_token.ok_or("no refresh token")?;
    assert_ne!(rt1, rt2, "rotation");
    assert!(w.standing(&rotated.access_token).await?);
    assert_eq!(
        w.token(&web, &refresh(&rt1), "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    assert_eq!(
        w.token(&web, &refresh(&rt2), "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    assert!(!w.standing(&rotated.access_token).await?, "every access token of the grant ends with it");
    assert!(!w.standing(&issued.access_token).await?);
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_gets_nothing_and_its_tokens_stop_standing() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let web = w.client("web", &web_grants(), "openid profile").await?;
    let code = w.code(&web, "openid", &[]).await?;
    let issued = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    let code = w.code(&web, "openid", &[]).await?;
    let disabled = User { status: UserStatus::Disabled, ..w.user.clone() };
    w.store.update_user(&disabled, None).await?;
    let e = w
        .token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1")
        .await
        .err()
        .ok_or("expected a refusal")?;
    assert_eq!(
        (e.code, e.description.as_ref()),
        (ErrorCode::InvalidGrant, "the user of this grant is no longer allowed in")
    );
    assert!(!w.standing(&issued.access_token).await?);
    let refresh = format!("grant_type=refresh_token&refresh_token={}", issued.refresh_token.ok_or("no refresh token")?);
    assert_eq!(
        w.token(&web, &refresh, "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    Ok(())
}

#[tokio::test]
async fn fapi2_refresh_tokens_are_not_rotated_fapi2_5_3_2_1() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let mut bank = w.client("bank", &web_grants(), "openid").await?;
    bank.security_profile = Some(SecurityProfile::Fapi2);
    let code = w.code(&bank, "openid", &[]).await?;
    let issued = w.token(&bank, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    let id_token = issued.id_token.as_deref().ok_or("no ID token")?;
    assert_eq!(jose_header(id_token)?["alg"], "ES256", "no RS256 under FAPI 2.0 (§5.4.1)");
    let refresh = format!("grant_type=refresh_token&refresh_token={}", issued.refresh_token.ok_or("no refresh token")?);
    let first = w.token(&bank, &refresh, "192.0.2.1").await?;
    assert_eq!(first.refresh_token, None, "the client keeps its refresh token");
    let second = w.token(&bank, &refresh, "192.0.2.1").await?;
    assert!(w.standing(&first.access_token).await? && w.standing(&second.access_token).await?, "no reuse alarm");
    // The standard profile rotates: the same token twice ends the grant.
    let web = w.client("web", &web_grants(), "openid").await?;
    let code = w.code(&web, "openid", &[]).await?;
    let issued = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    assert_eq!(jose_header(issued.id_token.as_deref().ok_or("no ID token")?)?["alg"], "RS256");
    let refresh = format!("grant_type=refresh_token&refresh_token={}", issued.refresh_token.ok_or("no refresh token")?);
    assert!(w.token(&web, &refresh, "192.0.2.1").await?.refresh_token.is_some());
    assert_eq!(
        w.token(&web, &refresh, "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    Ok(())
}

#[tokio::test]
async fn a_code_bound_by_dpop_jkt_needs_a_proof_of_that_key_rfc9449_10() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let web = w.client("web", &web_grants(), "openid").await?;
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    let redeem = |code: String| format!("grant_type=authorization_code&code={code}");
    let other = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    for (jkt_sent, ok) in [(None, false), (Some(other), false), (Some(jkt), true)] {
        let code = w.bound_code(&web, "openid", &[], Some(jkt)).await?;
        let res = w.bound_token(&web, &redeem(code), "192.0.2.1", jkt_sent, None).await;
        match res {
            Ok(t) => {
                assert!(ok, "{jkt_sent:?}");
                assert_eq!(claims_of(&t.access_token)?["cnf"]["jkt"], jkt);
            }
            Err(e) => assert!(!ok && e.code == ErrorCode::InvalidGrant, "{jkt_sent:?}: {e:?}"),
        }
    }
    Ok(())
}

#[tokio::test]
async fn without_a_proof_tokens_are_bound_to_the_client_certificate_rfc8705_3() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let svc = w.client("svc", &[GrantType::ClientCredentials], "openid").await?;
    let x5t = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
    let body = "grant_type=client_credentials";
    let by_cert = w.bound_token(&svc, body, "192.0.2.1", None, Some(x5t)).await?;
    assert_eq!(claims_of(&by_cert.access_token)?["cnf"], serde_json::json!({"x5t#S256": x5t}));
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    let by_proof = w.bound_token(&svc, body, "192.0.2.1", Some(jkt), Some(x5t)).await?;
    assert_eq!(claims_of(&by_proof.access_token)?["cnf"], serde_json::json!({"jkt": jkt}), "a DPoP proof wins");
    let bearer = w.token(&svc, body, "192.0.2.1").await?;
    assert!(claims_of(&bearer.access_token)?.get("cnf").is_none());
    Ok(())
}

async fn register(w: &World, uri: &str, scopes: &str, lifetime: u32) -> TestResult {
    let r = Resource {
        tenant_id: w.tenant.id.clone(),
        id: ResourceId::parse(&format!("r{lifetime}"))?,
        identifier: uri.into(),
        name: "API".into(),
        scopes: ScopeSet::parse_space_separated(scopes)?,
        access_token_lifetime: lifetime,
        introspection: None,
        created_at: NOW,
        updated_at: NOW,
    };
    w.store.create_resource(&r, None).await?;
    Ok(())
}

fn jose_header(token: &str) -> TestResult<serde_json::Value> {
    use base64::Engine as _;
    let header = token.split('.').next().ok_or("no JOSE header")?;
    Ok(serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header)?)?)
}

fn claims_of(token: &str) -> TestResult<serde_json::Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).ok_or("no JWT payload")?;
    Ok(serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?)?)
}

/// OIDC Core §5.5: claims the `claims` parameter asked for reach the ID token (as the user has
/// them) and, by name in the access token, UserInfo, also from refreshed and opaque tokens.
#[tokio::test]
async fn requested_claims_reach_the_id_token_and_every_access_token_of_the_grant_oidc_5_5() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    let mut opaque = w.client("opaque", &web_grants(), "openid email").await?;
    opaque.opaque_access_tokens = true;
    for client in [w.client("web", &web_grants(), "openid email").await?, opaque] {
        let mut grant = w.grant(&client, "openid", &[])?;
        (grant.id_token_claims, grant.userinfo_claims) = (vec!["email".into()], vec!["email_verified".into()]);
        let code = w.code_for(grant).await?;
        let issued = w.token(&client, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await;
        let issued = issued?;
        let id_token = claims_of(issued.id_token.as_deref().ok_or("no ID token")?)?;
        assert_eq!(id_token["email"], "ada@example.com");
        assert!(id_token.get("email_verified").is_none(), "asked for userinfo only: {id_token}");
        assert_eq!(issued.scope.as_deref(), Some("openid"), "the scope is not widened");
        let refresh =
            format!("grant_type=refresh_token&refresh_token={}", issued.refresh_token.ok_or("no refresh token")?);
        let refreshed = w.token(&client, &refresh, "192.0.2.1").await?;
        for at in [&issued.access_token, &refreshed.access_token] {
            let live =
                w.issuer.verified_access_token(&w.tenant.id, at).await?.ok_or("the access token no longer stands")?;
            assert_eq!(live.claims["userinfo_claims"], "email_verified", "{}", client.client_id);
        }
    }
    // Without a claims request, neither appears.
    let web = w.client("plain", &web_grants(), "openid email").await?;
    let code = w.code(&web, "openid", &[]).await?;
    let issued = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    assert!(claims_of(issued.id_token.as_deref().ok_or("no ID token")?)?.get("email").is_none());
    assert!(claims_of(&issued.access_token)?.get("userinfo_claims").is_none());
    Ok(())
}

#[tokio::test]
async fn resources_narrow_scope_and_lifetime_rfc8707() -> TestResult {
    let w = World::new(contract::tenant("acme")).await?;
    register(&w, API, "orders:read", 120).await?;
    let svc = w.client("svc", &[GrantType::ClientCredentials], "orders:read orders:write").await?;
    let cc = w.token(&svc, &format!("grant_type=client_credentials&resource={API}"), "192.0.2.1").await?;
    assert_eq!((cc.scope.as_deref(), cc.expires_in), (Some("orders:read"), 120));
    assert_eq!(claims_of(&cc.access_token)?["aud"], API);
    let unknown = "grant_type=client_credentials&resource=https://nowhere.example/";
    let e = w.token(&svc, unknown, "192.0.2.1").await.err().ok_or("expected a refusal")?;
    assert_eq!((e.code, e.description.as_ref()), (ErrorCode::InvalidTarget, "unknown resource"));
    // A user's grant for the resource: narrowed to what it defines, and only resources granted.
    let web = w.client("web", &web_grants(), "openid orders:read orders:write").await?;
    let code = w.code(&web, "openid orders:read orders:write", &[API]).await?;
    let user = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    assert_eq!((user.scope.as_deref(), user.expires_in), (Some("orders:read"), 120));
    let code = w.code(&web, "openid orders:read", &[API]).await?;
    let other = format!("grant_type=authorization_code&code={code}&resource=https://other.example/");
    assert_eq!(
        w.token(&web, &other, "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidTarget
    );
    // The grant-type check: one place, before anything else.
    let e = w.token(&web, "grant_type=client_credentials", "192.0.2.1").await.err().ok_or("expected a refusal")?;
    assert_eq!(e.code, ErrorCode::UnauthorizedClient);
    Ok(())
}

#[tokio::test]
async fn the_risk_policy_can_refuse_an_exchange_and_the_refusal_names_the_user() -> TestResult {
    let mut tenant = contract::tenant("acme");
    tenant.settings.risk_policy = serde_json::json!({ "ip_deny": ["198.51.100.0/24"] })
        .as_object()
        .ok_or("the risk policy is not an object")?
        .clone();
    let w = World::new(tenant).await?;
    let app = w.client("app", &web_grants(), "openid orders:read").await?;
    let (agent, delegation) = w.delegated_agent(AgentOwner::Client(app.client_id.clone())).await?;
    let code = w.code(&app, "openid orders:read", &[]).await?;
    let subject = w.token(&app, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    assert_eq!(claims_of(&subject.access_token)?["may_act"]["sub"], "agent", "the app's token names its agent");
    let exchange = format!(
        "grant_type={}&subject_token={}&subject_token_type={}&audience={API}",
        crate::exchange::GRANT_TYPE,
        subject.access_token,
        crate::exchange::ACCESS_TOKEN_TYPE
    );
    let allowed = w.token(&agent, &exchange, "192.0.2.1").await?;
    assert_eq!(claims_of(&allowed.access_token)?["delegation_id"], delegation.id.as_str());
    let e = w.token(&agent, &exchange, "198.51.100.7").await.err().ok_or("expected a refusal")?;
    assert_eq!(e.code, ErrorCode::InvalidGrant);
    assert!(e.description.contains("ip_deny"), "{}", e.description);
    let refused = w.events().pop().ok_or("no audit event")?;
    assert_eq!(refused.event_type, "token.refused");
    assert_eq!(refused.user_id.as_deref(), Some(w.user.id.to_string().as_str()));
    assert_eq!(refused.actors, ["agent"]);
    assert_eq!(refused.ip.as_deref(), Some("198.51.100.7"));
    Ok(())
}

#[test]
fn a_redemption_marker_round_trips_and_junk_is_no_marker() -> TestResult {
    let family = Redemption { jti: "j-1_x".into(), exp: 1_796_444_651, family_id: Some("f_2".into()) };
    let bare = Redemption { jti: "j".into(), exp: -5, family_id: None };
    for marker in [family, bare] {
        assert_eq!(Redemption::decode(&marker.encode()), Some(marker));
    }
    for junk in [&b""[..], b"12", b"12 ", b"x j", b"1 j f extra", b"\xff j", br#"{"jti":"j","exp":1}"#] {
        assert_eq!(Redemption::decode(junk), None, "{junk:?}");
    }
    Ok(())
}

/// A confidential client that may exchange users' tokens for `audiences`.
async fn service(w: &World, id: &str, audiences: &[&str], mode: ciam_core::client::ExchangeMode) -> TestResult<Client> {
    let mut svc = contract::client(w.tenant.id.as_str(), id);
    svc.grant_types = vec![GrantType::TokenExchange];
    svc.scopes = ScopeSet::parse_space_separated("orders:read orders:write")?;
    svc.token_exchange = Some(ciam_core::client::ExchangePermission {
        audiences: audiences.iter().map(|a| (*a).to_owned()).collect(),
        mode,
    });
    svc.validate()?;
    w.store.create_client(&svc, None).await?;
    Ok(svc)
}

/// An exchange of `subject` with `extra` form parameters (`&audience=…`, `&scope=…`).
fn exchange_form(subject: &str, extra: &str) -> String {
    format!(
        "grant_type={}&subject_token={subject}&subject_token_type={}{extra}",
        crate::exchange::GRANT_TYPE,
        crate::exchange::ACCESS_TOKEN_TYPE
    )
}

#[tokio::test]
async fn a_service_exchanges_a_users_token_within_its_permission_rfc8693() -> TestResult {
    use ciam_core::client::ExchangeMode;
    let w = World::new(contract::tenant("acme")).await?;
    register(&w, API, "orders:read orders:write", 600).await?;
    let web = w.client("web", &web_grants(), "openid orders:read orders:write").await?;
    w.client("billing", &[GrantType::ClientCredentials], "orders:read").await?;
    let permitted = [API, "billing", "https://unregistered.example/"];
    let svc = service(&w, "svc", &permitted, ExchangeMode::Delegate).await?;
    let code = w.code(&web, "openid orders:read orders:write", &[API]).await?;
    let user = w.token(&web, &format!("grant_type=authorization_code&code={code}"), "192.0.2.1").await?;
    let subject = claims_of(&user.access_token)?;
    assert_eq!(subject["aud"], API);

    // Without a target: for the subject token's audience, the service named in `act`.
    let untargeted = w.token(&svc, &exchange_form(&user.access_token, ""), "192.0.2.1").await?;
    assert_eq!(untargeted.issued_token_type, Some(crate::exchange::ACCESS_TOKEN_TYPE));
    let t = claims_of(&untargeted.access_token)?;
    assert_eq!((&t["sub"], &t["aud"], &t["client_id"]), (&subject["sub"], &serde_json::json!(API), &"svc".into()));
    assert_eq!(t["act"], serde_json::json!({"sub": "svc"}));
    assert_eq!(t["scope"], "orders:read orders:write");
    assert!(t["exp"].as_i64() <= subject["exp"].as_i64(), "never outlives the subject token");
    assert_eq!(t["grant_id"], subject["grant_id"], "it ends with the user's grant");
    let exchanged = w.events().pop().ok_or("no audit event")?;
    assert_eq!((exchanged.event_type.as_str(), exchanged.client_id.as_deref()), ("token.exchanged", Some("svc")));
    assert_eq!(exchanged.user_id.as_deref(), Some(w.user.id.to_string().as_str()));
    assert_eq!((exchanged.actors.as_slice(), exchanged.audience.as_deref()), (&["svc".to_owned()][..], Some(API)));
    assert_eq!(exchanged.grant.as_deref(), Some(crate::exchange::GRANT_TYPE));

    // Another audience it may exchange for (a client of the tenant), narrower.
    let form = exchange_form(&user.access_token, "&audience=billing&scope=orders:read");
    let billing = claims_of(&w.token(&svc, &form, "192.0.2.1").await?.access_token)?;
    assert_eq!((billing["aud"].as_str(), billing["scope"].as_str()), (Some("billing"), Some("orders:read")));

    // Outside the permission, not issued for here, wider: refused, and the refusal names the user.
    for (extra, want) in [
        ("&audience=https://other.example/", ErrorCode::InvalidTarget),
        ("&resource=https://unregistered.example/", ErrorCode::InvalidTarget),
        ("&scope=orders:read%20openid", ErrorCode::InvalidScope),
    ] {
        let e = w
            .token(&svc, &exchange_form(&user.access_token, extra), "192.0.2.1")
            .await
            .err()
            .ok_or("expected a refusal")?;
        assert_eq!(e.code, want, "{extra}: {}", e.description);
    }
    let refused = w.events().pop().ok_or("no audit event")?;
    assert_eq!((refused.event_type.as_str(), refused.actors.as_slice()), ("token.refused", &["svc".to_owned()][..]));
    assert_eq!(refused.user_id.as_deref(), Some(w.user.id.to_string().as_str()));

    // Impersonation: no `act`, but the trail still names the service.
    let imp = service(&w, "svc-imp", &[API], ExchangeMode::Impersonate).await?;
    let i = w.token(&imp, &exchange_form(&user.access_token, ""), "192.0.2.1").await?;
    assert!(claims_of(&i.access_token)?.get("act").is_none());
    assert_eq!(w.events().pop().ok_or("no audit event")?.actors, ["svc-imp"]);

    // A client without a permission still may not exchange.
    let plain = w.client("plain", &[GrantType::TokenExchange], "orders:read").await?;
    let e =
        w.token(&plain, &exchange_form(&user.access_token, ""), "192.0.2.1").await.err().ok_or("expected a refusal")?;
    assert_eq!(e.code, ErrorCode::UnauthorizedClient);

    // The user's grant ends (a replayed refresh token): so does the service's token.
    assert!(w.standing(&untargeted.access_token).await?);
    let rt = user.refresh_token.ok_or("no refresh token")?;
    let refresh = format!("grant_type=refresh_token&refresh_token={rt}");
    w.token(&web, &refresh, "192.0.2.1").await?;
    assert_eq!(
        w.token(&web, &refresh, "192.0.2.1").await.err().ok_or("expected a refusal")?.code,
        ErrorCode::InvalidGrant
    );
    assert!(!w.standing(&untargeted.access_token).await?);
    Ok(())
}

#[tokio::test]
async fn without_a_target_an_exchange_is_for_the_subject_audience_unless_the_tenant_requires_one() -> TestResult {
    let mut tenant = contract::tenant("acme");
    tenant.settings.token_exchange.require_target = true;
    let strict = World::new(tenant).await?;
    let lax = World::new(contract::tenant("acme")).await?;
    for w in [&strict, &lax] {
        register(w, API, "orders:read", 600).await?;
        let app = w.client("app", &web_grants(), "openid orders:read").await?;
        assert!(app.agent.is_none());
        // The user's own agent: the app's tokens carry no `may_act`, so the service may take them.
        let (agent, delegation) = w.delegated_agent(AgentOwner::User(w.user.id)).await?;
        let svc = service(w, "svc", &[API], ciam_core::client::ExchangeMode::Delegate).await?;
        let redeem = |code: String| format!("grant_type=authorization_code&code={code}");
        let for_api = w.token(&app, &redeem(w.code(&app, "openid orders:read", &[API]).await?), "192.0.2.1").await;
        let for_api = for_api?.access_token;
        let plain = w.token(&app, &redeem(w.code(&app, "openid orders:read", &[]).await?), "192.0.2.1").await;
        let plain = plain?.access_token;
        let strict = std::ptr::eq(w, &strict);
        for caller in [&agent, &svc] {
            let untargeted = w.token(caller, &exchange_form(&for_api, ""), "192.0.2.1").await;
            if strict {
                let e = untargeted.err().ok_or("expected a refusal")?;
                assert_eq!(e.code, ErrorCode::InvalidRequest);
                assert!(e.description.contains("requires"), "{}", e.description);
                let named = exchange_form(&for_api, &format!("&audience={API}"));
                assert!(w.token(caller, &named, "192.0.2.1").await.is_ok(), "a named target is still served");
                continue;
            }
            let t = claims_of(&untargeted?.access_token)?;
            assert_eq!((t["aud"].as_str(), t["scope"].as_str()), (Some(API), Some("orders:read")), "{caller:?}");
            // The app's plain token is for the issuer: outside the agent's allowed audiences
            // and the service's permission, exactly as if the issuer had been named.
            let e = w.token(caller, &exchange_form(&plain, ""), "192.0.2.1").await.err().ok_or("expected a refusal")?;
            assert_eq!(e.code, ErrorCode::InvalidTarget, "{}", e.description);
        }
        if !strict {
            // The agent's delegation bounds an untargeted exchange too.
            w.store.revoke_delegation(&w.tenant.id, &delegation.id, NOW).await?;
            let e =
                w.token(&agent, &exchange_form(&for_api, ""), "192.0.2.1").await.err().ok_or("expected a refusal")?;
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{}", e.description);
        }
    }
    Ok(())
}
