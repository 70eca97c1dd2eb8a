//! Micro-benchmarks of the protocol decisions on the request path: client authentication, the
//! validation of an authorization request, scope narrowing of a `client_credentials` grant and
//! the plan of an agent's token exchange. Run with `cargo bench -p ciam-oauth`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciam_core::agent::{AgentOwner, AgentProfile, AgentStatus, Delegation};
use ciam_core::client::{AuthMethod, Client, ClientType, GrantType};
use ciam_core::id::{ClientId, ResourceId, TenantId, UserId};
use ciam_core::redirect::RedirectUri;
use ciam_core::resource::Resource;
use ciam_core::scope::ScopeSet;
use ciam_core::secret::{Secret, SecretHash};
use ciam_oauth::exchange::{ExchangeRequest, Subject, plan};
use ciam_oauth::form::Params;
use ciam_oauth::resource::{self, Aiming};
use ciam_oauth::{authorize, client_auth, token};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);
const ISSUER: &str = "https://id.example.com/t/acme";
const API: &str = "https://api.example.com/";

fn scopes(s: &str) -> ScopeSet {
    ScopeSet::parse_space_separated(s).unwrap()
}

fn client(id: &str, grants: &[GrantType], method: AuthMethod, scope: &str) -> Client {
    Client {
        redirect_uris: vec![RedirectUri::parse("https://app.example.com/oauth/callback").unwrap()],
        scopes: scopes(scope),
        ..Client::minimal(
            TenantId::parse("acme").unwrap(),
            ClientId::parse(id).unwrap(),
            "Web app".into(),
            ClientType::Confidential,
            grants.to_vec(),
            method,
            NOW,
        )
    }
}

fn client_authentication(c: &mut Criterion) {
    let mut g = c.benchmark_group("client_auth");
    let svc = client("svc", &[GrantType::ClientCredentials], AuthMethod::ClientSecretBasic, "orders:read");
    let secret = Secret::generate();
    let stored = SecretHash::of(secret.expose_secret());
    let header = format!("Basic {}", STANDARD.encode(format!("svc:{}", secret.expose_secret())));
    let body = b"grant_type=client_credentials&scope=orders%3Aread";
    // The token endpoint's path: parse the form, read the credentials, compare the secret's
    // SHA-256 digest with the stored one in constant time.
    g.bench_function("basic_parse_present_authenticate", |b| {
        b.iter(|| {
            let mut params = Params::parse(black_box(body)).unwrap();
            let presented = client_auth::presented(Some(black_box(&header)), &mut params).unwrap();
            client_auth::authenticate(&presented, Some(&svc), Some(&stored)).unwrap();
        })
    });
    let params = Params::parse(body).unwrap();
    g.bench_function("basic_present_authenticate", |b| {
        b.iter_batched_ref(
            || params.clone(),
            |params| {
                let presented = client_auth::presented(Some(black_box(&header)), params).unwrap();
                client_auth::authenticate(&presented, Some(&svc), Some(&stored))
            },
            BatchSize::SmallInput,
        )
    });
    let wrong = format!("Basic {}", STANDARD.encode("svc:not-the-secret"));
    g.bench_function("basic_wrong_secret", |b| {
        b.iter_batched_ref(
            || params.clone(),
            |params| {
                let presented = client_auth::presented(Some(black_box(&wrong)), params).unwrap();
                client_auth::authenticate(&presented, Some(&svc), Some(&stored)).unwrap_err()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("secret_hash_verify", |b| b.iter(|| black_box(&stored).verify(black_box(secret.expose_secret()))));
    g.finish();
}

fn authorization_request(c: &mut Criterion) {
    let web = client(
        "web-app",
        &[GrantType::AuthorizationCode, GrantType::RefreshToken],
        AuthMethod::ClientSecretBasic,
        "openid profile email offline_access",
    );
    let query = "client_id=web-app&redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback\
                 &response_type=code&scope=openid%20profile%20email&state=af0ifjsldkj&nonce=n-0S6_WzA2Mj\
                 &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
    let params = Params::parse(query.as_bytes()).unwrap();
    assert!(authorize::validate(&params, Some(&web)).is_ok());
    let mut g = c.benchmark_group("authorize");
    g.bench_function("validate", |b| b.iter(|| authorize::validate(black_box(&params), Some(black_box(&web)))));
    g.bench_function("parse_and_validate", |b| {
        b.iter(|| {
            let params = Params::parse(black_box(query.as_bytes())).unwrap();
            authorize::validate(&params, Some(black_box(&web))).is_ok()
        })
    });
    g.finish();
}

fn client_credentials(c: &mut Criterion) {
    let svc = client(
        "svc",
        &[GrantType::ClientCredentials],
        AuthMethod::ClientSecretBasic,
        "openid orders:read orders:write trips:read trips:book",
    );
    let trips = [(
        "https://trips.example.com/api".to_owned(),
        Some(Resource {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: ResourceId::parse("trips").unwrap(),
            identifier: "https://trips.example.com/api".into(),
            name: "Trips".into(),
            scopes: scopes("trips:read trips:book trips:cancel"),
            access_token_lifetime: 600,
            introspection: None,
            created_at: NOW,
            updated_at: NOW,
        }),
    )];
    let narrow = scopes("orders:read");
    let on_trips = scopes("trips:read");
    let mut g = c.benchmark_group("client_credentials");
    g.bench_function("default_scope", |b| {
        b.iter(|| token::client_credentials(black_box(&svc), None, ISSUER, NOW).unwrap())
    });
    g.bench_function("narrowed_scope", |b| {
        b.iter(|| token::client_credentials(black_box(&svc), Some(black_box(&narrow)), ISSUER, NOW).unwrap())
    });
    g.bench_function("resource_default_scope", |b| {
        b.iter(|| {
            let mut t = token::client_credentials(black_box(&svc), None, ISSUER, NOW).unwrap();
            resource::aim(&mut t, black_box(&trips), None, Aiming::Client).unwrap();
            t
        })
    });
    g.bench_function("resource_narrowed_scope", |b| {
        b.iter(|| {
            let mut t = token::client_credentials(black_box(&svc), Some(black_box(&on_trips)), ISSUER, NOW).unwrap();
            resource::aim(&mut t, black_box(&trips), Some(&on_trips), Aiming::Client).unwrap();
            t
        })
    });
    g.finish();
}

fn token_exchange(c: &mut Criterion) {
    let profile = AgentProfile {
        description: "Books trips".into(),
        owner: AgentOwner::Client(ClientId::parse("web-app").unwrap()),
        allowed_audiences: vec![API.into(), "https://other.example.com/".into()],
        max_token_lifetime: 300,
        max_chain_depth: 3,
        delegation_lifetime: 3600,
        status: AgentStatus::Active,
    };
    let agent = Client {
        grant_types: vec![GrantType::TokenExchange],
        agent: Some(profile.clone()),
        security_profile: None,
        token_exchange: None,
        require_signed_request_object: false,
        authorization_signed_response_alg: None,
        saml: None,
        backchannel: None,
        first_party: false,
        ..client("travel-agent", &[], AuthMethod::PrivateKeyJwt, "openid trips:read trips:book")
    };
    let delegations = vec![Delegation {
        tenant_id: TenantId::parse("acme").unwrap(),
        id: "dlg_0193a1b2".into(),
        user_id: UserId::generate(),
        agent_id: agent.client_id.clone(),
        scope: scopes("trips:read trips:book"),
        audiences: vec![API.into()],
        created_at: NOW,
        expires_at: NOW + time::Duration::hours(1),
        revoked_at: None,
    }];
    let subject = Subject {
        user_id: "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b".into(),
        scope: scopes("openid profile trips:read trips:book"),
        exp: NOW.unix_timestamp() + 900,
        actors: vec![],
        delegation_chain: vec![],
        may_act: None,
        bound_to: None,
        bound_to_certificate: None,
        audiences: vec![API.into()],
    };
    let request = ExchangeRequest {
        subject_token: "eyJ...".into(),
        actor_token: None,
        targets: vec![API.into()],
        scope: Some(scopes("trips:read")),
        proof_key: None,
        certificate: None,
        hand_off: false,
        authorization_details: None,
        requested_token_type: None,
    };
    assert!(plan(&agent, &profile, &subject, &request, &delegations, ISSUER, NOW).is_ok());
    c.bench_function("exchange/plan", |b| {
        b.iter(|| {
            plan(black_box(&agent), &profile, black_box(&subject), black_box(&request), &delegations, ISSUER, NOW)
                .unwrap()
        })
    });
}

criterion_group!(benches, client_authentication, authorization_request, client_credentials, token_exchange);
criterion_main!(benches);
