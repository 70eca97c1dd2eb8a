//! AI agents acting for a user, end to end: the user signs in to an app, approves delegations to
//! agents on the hosted page, the agents (authenticating with their own keys) exchange the
//! user's token for narrower ones (RFC 8693) that a resource server validates as JWTs; wider,
//! elsewhere-aimed or deeper requests are refused with the RFC error; suspending an agent and
//! revoking a delegation end every derived token at once; the audit trail holds the chain and
//! `ciam audit verify` detects a row edited in the database.

use ciam_testkit::{
    Admin, AgentKey, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url,
};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use crate::BIN;

const API: &str = "https://trips.example/api";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The story's cast on one server: Ada's browser, the travel app and its agents at the token
/// endpoint.
struct Story<'a> {
    server: &'a Server,
    browser: Browser,
    /// The tenant's issuer (the public URL every node shares).
    issuer: String,
}

impl<'a> Story<'a> {
    fn on(server: &'a Server) -> Self {
        Story { browser: Browser::new(server), issuer: server.url("/t/acme"), server }
    }

    /// Follows an authorization request through sign-in and consent pages (answering them as
    /// Ada, with `decision`) to the client's callback; returns the pages seen and the callback.
    async fn authorize(&self, start: &str, decision: &str) -> (Vec<String>, url::Url) {
        self.browser.authorize(start, decision).await
    }

    /// An authorization request of `client` for `scope` (and `extra` parameters), with the
    /// verifier to redeem its code.
    fn start(client: &str, scope: &str, extra: &str) -> (String, String) {
        (authorize_url(client, scope).state("s1").extra(extra).build(), PKCE_VERIFIER.to_owned())
    }

    async fn token(&self, form: &[(&str, String)], basic: Option<(&str, &str)>) -> (u16, Value) {
        let mut req = self.server.http.post(self.server.url("/t/acme/token")).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// Ada signs in to the travel app (SSO after the first time) and the app redeems the code.
    async fn app_token(&self, secret: &str) -> Value {
        self.travel_app_token(secret, "openid trips:read trips:book", "").await
    }

    /// The travel app's token response for `scope` (and `extra` authorization parameters).
    async fn travel_app_token(&self, secret: &str, scope: &str, extra: &str) -> Value {
        let (url, verifier) = Self::start("travel-app", scope, extra);
        let (_, callback) = self.authorize(&url, "allow").await;
        let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let form = [
            ("grant_type", "authorization_code".into()),
            ("code", code),
            ("redirect_uri", CALLBACK.into()),
            ("code_verifier", verifier),
        ];
        let (status, body) = self.token(&form, Some(("travel-app", secret))).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Ada signs in to the travel app for its account page: a token for the account API
    /// (`resource={issuer}/account`, scope `account`), never handed to an agent.
    async fn account_token(&self, secret: &str) -> String {
        let account = format!("{}/account", self.issuer);
        let extra =
            format!("&resource={}", url::form_urlencoded::byte_serialize(account.as_bytes()).collect::<String>());
        let body = self.travel_app_token(secret, "openid account", &extra).await;
        let token = body["access_token"].as_str().unwrap().to_owned();
        let claims = crate::claims(&token);
        assert_eq!((claims["aud"].as_str(), claims["scope"].as_str()), (Some(account.as_str()), Some("account")));
        token
    }

    /// Ada approves a delegation to `agent` on the hosted page; the agent redeems the code.
    async fn approve(&self, agent: &AgentKey, scope: &str) -> (Vec<String>, Value) {
        let (url, verifier) = Self::start(agent.id(), scope, &format!("&resource={API}"));
        let (pages, callback) = self.authorize(&url, "allow").await;
        let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", CALLBACK.into()),
            ("code_verifier", verifier),
        ];
        let (status, body) = self.agent_token(agent, form, true).await;
        assert_eq!(status, 200, "{body}");
        (pages, body)
    }

    async fn exchange(&self, agent: &AgentKey, subject: &str, scope: Option<&str>, target: &str) -> (u16, Value) {
        self.exchange_for(agent, subject, scope, "resource", target).await
    }

    /// A token exchange naming its target with `resource` or `audience`.
    async fn exchange_for(
        &self,
        agent: &AgentKey,
        subject: &str,
        scope: Option<&str>,
        param: &'static str,
        target: &str,
    ) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", EXCHANGE.to_owned()),
            ("subject_token", subject.to_owned()),
            ("subject_token_type", ACCESS_TOKEN.into()),
            (param, target.into()),
        ];
        if let Some(s) = scope {
            form.push(("scope", s.into()));
        }
        self.agent_token(agent, form, true).await
    }

    /// A token request by `agent`: its signed assertion and, with `proof`, a DPoP proof.
    async fn agent_token(&self, agent: &AgentKey, mut form: Vec<(&str, String)>, proof: bool) -> (u16, Value) {
        form.extend(agent.assertion(&self.issuer));
        let mut req = self.server.http.post(self.server.url("/t/acme/token")).form(&form);
        if proof {
            req = req.header("DPoP", agent.proof("POST", &format!("{}/token", self.issuer), None));
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    async fn introspect(&self, agent: &AgentKey, token: &str) -> Value {
        let mut form = vec![("token", token.to_owned())];
        form.extend(agent.assertion(&self.issuer));
        let res = self.server.http.post(self.server.url("/t/acme/introspect")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }
}

/// What a resource server that only validates JWTs does: signature via the JWKS, issuer,
/// audience, expiry; then it reads `scope` and `act`.
async fn resource_server_accepts(server: &Server, issuer: &str, token: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let jwks: JwkSet = server.get_json("/t/acme/jwks").await;
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut v = Validation::new(Algorithm::ES256);
    v.set_issuer(&[issuer]);
    v.set_audience(&[API]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v).unwrap().claims
}

/// A tenant with Ada, the travel app and three agents the app owns.
struct TravelWorld {
    _dir: TempDir,
    server: Server,
    ada_id: String,
    app_secret: String,
    agents: [AgentKey; 3],
}

async fn world(tag: &str) -> TravelWorld {
    world_with(tag, ServerOptions::default()).await
}

/// The travel app's agents: id, name, allowed scopes.
const AGENTS: [(&str, &str, &[&str]); 3] = [
    ("trip-planner", "Trip planner", &["openid", "trips:read", "trips:book"]),
    ("fare-checker", "Fare checker", &["trips:read"]),
    ("concierge", "Concierge", &["trips:read"]),
];

async fn world_with(tag: &str, opts: ServerOptions) -> TravelWorld {
    let dir = TempDir::new(tag);
    let token = opts.env.iter().find(|(k, _)| k == "CIAM_ADMIN_TOKEN").map(|(_, v)| v.clone());
    let server = Server::start(BIN, &dir.0, opts).await;
    let admin = Admin::new(&server, token.unwrap_or_else(|| server.generated_admin_token()));
    let mut world = World::tenant("acme").named("Acme").user("ada@example.com").client(
        json!({"client_id": "travel-app", "name": "Travel app", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "trips:read", "trips:book", "account"]}),
    );
    for (id, name, scopes) in AGENTS {
        world = world.agent(
            id,
            json!({"name": name, "description": format!("{name} books and checks trips"),
                   "owner": {"type": "client", "id": "travel-app"}, "redirect_uris": [CALLBACK],
                   "allowed_scopes": scopes, "allowed_audiences": [API]}),
        );
    }
    let mut created = world.create(&admin).await;
    for (id, _, _) in AGENTS {
        let body = &created.agent_bodies[id];
        assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt", "agents sign with their own keys");
        assert_eq!((body["max_token_lifetime"].as_u64(), body["max_chain_depth"].as_u64()), (Some(300), Some(2)));
        assert!(body.get("client_secret").is_none());
    }
    // The planner may also get tokens for itself, to present as actor_token (RFC 8693 §2.1).
    let patch = json!({"grant_types": ["authorization_code", "client_credentials",
                                       "urn:ietf:params:oauth:grant-type:token-exchange"]});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme/agents/trip-planner", Some(patch)).await;
    assert_eq!(status, 200, "{body}");
    TravelWorld {
        _dir: dir,
        ada_id: created.user_id("ada@example.com"),
        app_secret: created.secret("travel-app"),
        agents: AGENTS.map(|(id, _, _)| created.agents.remove(id).unwrap()),
        server,
    }
}

/// The whole delegation story in order, each step building on the last (the trail's counts
/// need every step); the tests after it check its rules one by one, each after the steps it
/// needs.
#[tokio::test]
async fn an_agent_acts_for_a_user_inside_a_delegation_and_stops_when_it_is_revoked() {
    let w = world("agents").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
    refusals(&w, s, c).await;
    introspection(&w, s, c).await;
    suspension(&w, s, c).await;
    revocation(&w, s, c).await;
    trail(&w, s, c).await;
    verify(&w, s, c).await;
}

#[tokio::test]
async fn an_agent_acts_only_after_the_user_approves_a_delegation_on_the_hosted_page() {
    let w = world("agents-approve").await;
    approve(&w, &Story::on(&w.server), &mut Chain::default()).await;
}

#[tokio::test]
async fn an_agent_exchanges_the_users_token_for_a_narrower_dpop_bound_one_rfc8693_rfc9449() {
    let w = world("agents-first-hop").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
}

#[tokio::test]
async fn a_second_hop_narrows_further_and_nests_act_rfc8693_4_1() {
    let w = world("agents-second-hop").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
}

#[tokio::test]
async fn wider_elsewhere_or_deeper_exchanges_are_refused_rfc8693_2_2_2() {
    let w = world("agents-refusals").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
    refusals(&w, s, c).await;
}

#[tokio::test]
async fn introspection_shows_the_chain_and_the_delegation_rfc7662() {
    let w = world("agents-introspection").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
    introspection(&w, s, c).await;
}

/// The trail checks need the refusals of step 6.
#[tokio::test]
async fn a_suspended_agent_stops_at_once_and_refusals_are_audited() {
    let w = world("agents-suspension").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
    refusals(&w, s, c).await;
    suspension(&w, s, c).await;
}

#[tokio::test]
async fn revoking_a_delegation_ends_every_token_derived_from_it_s26() {
    let w = world("agents-revocation").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    first_hop(&w, s, c).await;
    second_hop(&w, s, c).await;
    revocation(&w, s, c).await;
}

/// `resource` and `audience` are optional (RFC 8693 §2.1): without them the token is for the
/// subject token's audience, under the rules that apply had it been named.
#[tokio::test]
async fn an_agent_exchange_without_a_target_is_for_the_subject_audience() {
    let w = world("agents-untargeted").await;
    let (s, c) = (&Story::on(&w.server), &mut Chain::default());
    approve(&w, s, c).await;
    let [planner, ..] = &w.agents;
    let untargeted = |subject: &str, scope: &str| {
        vec![
            ("grant_type", EXCHANGE.to_owned()),
            ("subject_token", subject.to_owned()),
            ("subject_token_type", ACCESS_TOKEN.to_owned()),
            ("scope", scope.to_owned()),
        ]
    };
    // The planner's own token (for the API, from Ada's approval), narrowed without naming the API.
    let own = c.planner_own["access_token"].as_str().unwrap();
    let (status, body) = s.agent_token(planner, untargeted(own, "trips:read"), true).await;
    assert_eq!(status, 200, "{body}");
    let t = resource_server_accepts(s.server, &s.issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!((t["sub"].as_str(), t["scope"].as_str()), (Some(w.ada_id.as_str()), Some("trips:read")));
    assert_eq!(t["act"], json!({"sub": "trip-planner"}));
    // Ada's app token is for the issuer, outside the planner's allowed audiences.
    let (status, body) = s.agent_token(planner, untargeted(&c.app_token, "trips:read"), true).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_target")), "{body}");
    // Wider than the delegation, named or not: refused alike.
    let (status, body) = s.agent_token(planner, untargeted(own, "trips:read trips:cancel"), true).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")), "{body}");
}

/// What the delegation story's chapters hand on: the tokens so far and their verified claims.
#[derive(Default)]
struct Chain {
    planner_own: Value,
    app_token: String,
    hop1: String,
    c1: Value,
    handed: String,
    hop2: String,
    c2: Value,
}

/// Steps 1 to 3: Ada signs in to the app, approves delegations to its three agents on the hosted
/// page (and denies one), and her next app token names them in `may_act` (RFC 8693 §4.4).
async fn approve(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let app_secret = &w.app_secret;
    let [planner, checker, concierge] = &w.agents;
    // 1. Ada signs in to the app. She has delegated nothing yet, so no agent may act.
    let first = s.app_token(app_secret).await;
    let claims = resource_server_claims_unchecked(first["access_token"].as_str().unwrap());
    assert!(claims.get("may_act").is_none());

    // 2. She approves delegations on the hosted page, which says it is an agent, who runs it,
    //    what it may do, where and until when.
    let (pages, planner_own) = s.approve(planner, "openid trips:read trips:book").await;
    let page = pages.last().unwrap();
    for needle in ["Trip planner is an AI agent", "Operated by <strong>Travel app</strong>", API, "Access ends on"] {
        assert!(page.contains(needle), "the approval page shows {needle:?}: {page}");
    }
    assert!(page.contains("Use the permission \u{201c}trips:book\u{201d}"));
    assert!(planner_own["expires_in"].as_i64().unwrap() <= 300, "an agent's own token is short-lived");
    s.approve(checker, "trips:read").await;
    s.approve(concierge, "trips:read").await;
    // Denying is recorded too, and gives the agent access_denied.
    let (url, _) = Story::start("concierge", "trips:read", "&prompt=consent");
    let (_, denied) = s.authorize(&url, "deny").await;
    assert!(denied.query_pairs().any(|(k, v)| k == "error" && v == "access_denied"));

    // 3. Her next app token names the app's agents she delegated to (RFC 8693 §4.4).
    let app_token = s.app_token(app_secret).await["access_token"].as_str().unwrap().to_owned();
    let may_act = resource_server_claims_unchecked(&app_token)["may_act"].clone();
    assert_eq!(may_act, json!({"sub": ["concierge", "fare-checker", "trip-planner"]}));
    c.planner_own = planner_own;
    c.app_token = app_token;
}

/// Step 4: the planner exchanges Ada's token for a narrower, DPoP-bound one for the API
/// (RFC 8693, RFC 9449); without a proof, with a replayed proof or as a bearer token: refused.
async fn first_hop(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let ada_id = &w.ada_id;
    let [planner, ..] = &w.agents;
    let planner_own = c.planner_own.clone();
    let app_token = c.app_token.clone();
    // 4. The planner exchanges her token for a narrower one for the API.
    let (status, hop1) = s.exchange(planner, &app_token, Some("trips:read trips:book"), API).await;
    assert_eq!(status, 200, "{hop1}");
    assert_eq!(hop1["issued_token_type"], ACCESS_TOKEN);
    assert_eq!(hop1["token_type"], "DPoP", "agents' tokens are bound to their proof key by default");
    assert_eq!(hop1["scope"], "trips:book trips:read");
    assert!(hop1["expires_in"].as_i64().unwrap() <= 300);
    let hop1 = hop1["access_token"].as_str().unwrap().to_owned();
    let c1 = resource_server_accepts(s.server, &s.issuer, &hop1).await;
    assert_eq!((c1["sub"].as_str(), c1["aud"].as_str()), (Some(ada_id.as_str()), Some(API)));
    assert_eq!(c1["act"], json!({"sub": "trip-planner"}));
    assert_eq!(c1["cnf"]["jkt"], planner.dpop_jkt.as_str());

    // DPoP (RFC 9449): no proof, a replayed proof, a bound token sent as a bearer token: refused.
    let form = || {
        vec![
            ("grant_type", EXCHANGE.to_owned()),
            ("subject_token", app_token.clone()),
            ("subject_token_type", ACCESS_TOKEN.to_owned()),
            ("resource", API.to_owned()),
        ]
    };
    let (status, body) = s.agent_token(planner, form(), false).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_dpop_proof")), "{body}");
    let proof = planner.proof("POST", &format!("{}/token", s.issuer), None);
    let mut replays = Vec::new();
    for _ in 0..2 {
        let mut f = form();
        f.extend(planner.assertion(&s.issuer));
        let res =
            s.server.http.post(s.server.url("/t/acme/token")).header("DPoP", &proof).form(&f).send().await.unwrap();
        replays.push(res.status().as_u16());
    }
    assert_eq!(replays, [200, 400], "a proof is single use, on every node (shared replay cache)");
    let own = planner_own["access_token"].as_str().unwrap();
    let userinfo = s.server.url("/t/acme/userinfo");
    let res = s.server.http.get(&userinfo).bearer_auth(own).send().await.unwrap();
    assert_eq!(res.status(), 401, "a bound token is useless as a bearer token");
    assert!(res.headers().get_all("www-authenticate").iter().any(|v| v.to_str().unwrap().starts_with("DPoP ")));
    let url = format!("{}/userinfo", s.issuer);
    let (thief, _) = AgentKey::new("thief");
    let res = s
        .server
        .http
        .get(&userinfo)
        .header("Authorization", format!("DPoP {own}"))
        .header("DPoP", thief.proof("GET", &url, Some(own)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a proof from another key");
    let res = s
        .server
        .http
        .get(&userinfo)
        .header("Authorization", format!("DPoP {own}"))
        .header("DPoP", planner.proof("GET", &url, Some(own)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the key holder uses it");
    assert_eq!(c1["scope"], "trips:book trips:read");
    c.hop1 = hop1;
    c.c1 = c1;
}

/// Step 5: a second hop narrows further and nests `act`; a bound token changes hands only by
/// an exchange aimed at the next agent.
async fn second_hop(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let [planner, checker, ..] = &w.agents;
    let hop1 = c.hop1.clone();
    let c1 = c.c1.clone();
    // 5. A second hop narrows further; the nested act shows both agents. hop1 is bound to the
    //    planner's key, so the checker cannot exchange it as it is: the planner hands it over by
    //    exchanging it for a token whose audience is the checker (useless at any API).
    let (status, body) = s.exchange(checker, &hop1, Some("trips:read"), API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "not the key's holder: {body}");
    let (status, handed) = s.exchange_for(planner, &hop1, Some("trips:read"), "audience", "fare-checker").await;
    assert_eq!(status, 200, "{handed}");
    let handed = handed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(resource_server_claims_unchecked(&handed)["aud"], "fare-checker");
    let (status, hop2) = s.exchange(checker, &handed, Some("trips:read"), API).await;
    assert_eq!(status, 200, "{hop2}");
    let hop2 = hop2["access_token"].as_str().unwrap().to_owned();
    let c2 = resource_server_accepts(s.server, &s.issuer, &hop2).await;
    assert_eq!(c2["act"], json!({"sub": "fare-checker", "act": {"sub": "trip-planner"}}));
    assert_eq!(c2["scope"], "trips:read");
    assert!(c2["exp"].as_i64() <= c1["exp"].as_i64(), "never outlives the token it came from");
    c.handed = handed;
    c.hop2 = hop2;
    c.c2 = c2;
}

/// Step 6: wider, elsewhere, deeper: refused with the RFC 8693 §2.2.2 / RFC 8707 errors; only
/// agents exchange, and an `actor_token` must be the agent's own.
async fn refusals(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let app_secret = &w.app_secret;
    let [planner, checker, concierge] = &w.agents;
    let app_token = c.app_token.clone();
    let handed = c.handed.clone();
    let hop2 = c.hop2.clone();
    // 6. Wider, elsewhere, deeper: refused with the RFC 8693 §2.2.2 / RFC 8707 errors.
    for (agent, subject, scope, target, want) in [
        (&planner, &app_token, Some("trips:read trips:cancel"), API, "invalid_scope"),
        (&checker, &handed, Some("trips:book"), API, "invalid_scope"),
        (&planner, &app_token, Some("trips:read"), "https://elsewhere.example/api", "invalid_target"),
        (&concierge, &hop2, Some("trips:read"), API, "invalid_request"),
        (&planner, &hop2, None, API, "invalid_request"),
    ] {
        let (status, body) = s.exchange(agent, subject, scope, target).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(want)), "{} {scope:?} {target}: {body}", agent.id());
    }
    // Handed on to the concierge, the chain would be three agents deep: more than it allows.
    let (status, to_concierge) = s.exchange_for(checker, &hop2, Some("trips:read"), "audience", "concierge").await;
    assert_eq!(status, 200, "{to_concierge}");
    let (status, body) =
        s.exchange(concierge, to_concierge["access_token"].as_str().unwrap(), Some("trips:read"), API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
    assert!(body["error_description"].as_str().unwrap().contains("max_chain_depth"), "{body}");
    let form = [
        ("grant_type", EXCHANGE.to_owned()),
        ("subject_token", app_token.clone()),
        ("subject_token_type", ACCESS_TOKEN.into()),
        ("resource", API.into()),
    ];
    let (status, body) = s.token(&form, Some(("travel-app", app_secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unauthorized_client")), "only agents exchange");
    // actor_token: when sent, it must be a token of the authenticated agent itself.
    let (status, own) = s.agent_token(planner, vec![("grant_type", "client_credentials".to_owned())], true).await;
    assert_eq!(status, 200, "{own}");
    for (actor, want) in [(own["access_token"].as_str().unwrap(), 200), (hop2.as_str(), 400)] {
        let form = vec![
            ("grant_type", EXCHANGE.to_owned()),
            ("subject_token", app_token.clone()),
            ("subject_token_type", ACCESS_TOKEN.into()),
            ("actor_token", actor.to_owned()),
            ("actor_token_type", ACCESS_TOKEN.into()),
            ("audience", API.into()),
            ("scope", "trips:read".into()),
        ];
        let (status, body) = s.agent_token(planner, form, true).await;
        assert_eq!(status, want, "{body}");
    }
}

/// Step 7: introspection shows the whole chain and the delegation, as the JWT does.
async fn introspection(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let [_, checker, ..] = &w.agents;
    let hop2 = c.hop2.clone();
    let c2 = c.c2.clone();
    // 7. Introspection shows the whole chain and the delegation, as the JWT does.
    let seen = s.introspect(checker, &hop2).await;
    assert_eq!(seen["active"], true, "{seen}");
    assert_eq!(seen["act"], c2["act"]);
    assert_eq!(seen["delegation"]["agent_id"], "fare-checker");
    assert_eq!(seen["delegation"]["status"], "active");
    assert_eq!(seen["delegation_chain"].as_array().unwrap().len(), 2);
    assert_eq!(
        (seen["token_type"].as_str(), seen["cnf"]["jkt"].as_str()),
        (Some("DPoP"), Some(checker.dpop_jkt.as_str()))
    );
}

/// Step 8: suspending an agent stops it at once; resuming restores it. Every refused exchange is
/// in the trail under Ada and every agent of its chain.
async fn suspension(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let ada_id = &w.ada_id;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    let [planner, checker, _] = &w.agents;
    let hop1 = c.hop1.clone();
    let hop2 = c.hop2.clone();
    // 8. Suspending an agent stops it at once; resuming restores it.
    admin.post("/tenants/acme/agents/fare-checker/suspend", json!({}), 200).await;
    assert_eq!(s.introspect(planner, &hop1).await["active"], true, "the planner's own hop is unaffected");
    let (status, body) = s.exchange(checker, &hop1, Some("trips:read"), API).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "a suspended agent authenticates nowhere"
    );
    admin.post("/tenants/acme/agents/fare-checker/resume", json!({}), 200).await;
    assert_eq!(s.introspect(checker, &hop2).await["active"], true);

    // Every refused exchange is in the trail under Ada and under each agent of the chain it
    // would have made, the suspended agent's attempt too.
    let refusals = admin.get(&format!("/tenants/acme/audit?user={ada_id}&type=token.refused&limit=200"), 200).await;
    let refusals = refusals["items"].as_array().unwrap();
    let reasons = |actors: Value| -> Vec<String> {
        refusals
            .iter()
            .filter(|e| e["actors"] == actors)
            .map(|e| e["reason"].as_str().unwrap().split(':').next().unwrap().to_owned())
            .collect()
    };
    let second_hop = reasons(json!(["fare-checker", "trip-planner"]));
    assert!(second_hop.contains(&"invalid_scope".to_owned()), "{refusals:?}");
    assert!(second_hop.contains(&"invalid_client".to_owned()), "the suspended agent's attempt: {refusals:?}");
    assert!(reasons(json!(["trip-planner"])).contains(&"invalid_target".to_owned()), "{refusals:?}");
    assert!(reasons(json!(["concierge", "fare-checker", "trip-planner"])).contains(&"invalid_request".to_owned()));
    let by_agent = admin.get("/tenants/acme/audit?agent=fare-checker&type=token.refused&limit=200", 200).await;
    assert!(
        by_agent["items"].as_array().unwrap().iter().any(|e| e["reason"].as_str().unwrap().contains("suspended")),
        "{by_agent}"
    );
}

/// Step 9: Ada revokes the planner's delegation with her own token; everything derived from it
/// dies at once (S26). Neither an agent's token nor the app's can do this.
async fn revocation(w: &TravelWorld, s: &Story<'_>, c: &mut Chain) {
    let ada_id = &w.ada_id;
    let app_secret = &w.app_secret;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    let [planner, checker, ..] = &w.agents;
    let planner_own = c.planner_own.clone();
    let app_token = c.app_token.clone();
    let hop1 = c.hop1.clone();
    let hop2 = c.hop2.clone();
    // 9. Ada revokes the planner's delegation with her own token; everything derived from it
    //    dies at once, and no further exchange succeeds. An agent's token cannot do this.
    let account = |token: &str, method: reqwest::Method, path: &str| {
        s.server
            .http
            .request(method, s.server.url(&format!("/t/acme/account/delegations{path}")))
            .bearer_auth(token.to_owned())
            .send()
    };
    let url = format!("{}/account/delegations", s.issuer);
    let res = s
        .server
        .http
        .get(s.server.url("/t/acme/account/delegations"))
        .header("Authorization", format!("DPoP {hop1}"))
        .header("DPoP", planner.proof("GET", &url, Some(&hop1)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "an agent's token is not for the account API");
    // Nor the app's token for its own API, which the agent flow hands to agents.
    let res = account(&app_token, reqwest::Method::GET, "").await.unwrap();
    assert_eq!(res.status(), 401, "a token not issued for the account API");
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let account_token = s.account_token(app_secret).await;
    let (status, exchanged) = s.exchange(planner, &account_token, None, API).await;
    assert_eq!((status, exchanged["error"].as_str()), (400, Some("invalid_request")), "an account token stays put");
    let mine: Value = account(&account_token, reqwest::Method::GET, "").await.unwrap().json().await.unwrap();
    let planner_delegation = mine.as_array().unwrap().iter().find(|d| d["agent_id"] == "trip-planner").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = account(&app_token, reqwest::Method::DELETE, &format!("/{planner_delegation}")).await.unwrap();
    assert_eq!(res.status(), 401, "the app's token revokes nothing");
    let res = account(&account_token, reqwest::Method::DELETE, &format!("/{planner_delegation}")).await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(s.introspect(planner, &hop1).await, json!({"active": false}));
    assert_eq!(s.introspect(checker, &hop2).await, json!({"active": false}), "the second hop derives from it too");
    assert_eq!(s.introspect(planner, planner_own["access_token"].as_str().unwrap()).await, json!({"active": false}));
    let (status, body) = s.exchange(planner, &app_token, Some("trips:read"), API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    let (status, _) = s.exchange(checker, &hop1, Some("trips:read"), API).await;
    assert_eq!(status, 400);
    let listed = admin.get(&format!("/tenants/acme/users/{ada_id}/delegations"), 200).await;
    let states: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["agent_id"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert!(
        states.contains(&("trip-planner", "revoked")) && states.contains(&("fare-checker", "active")),
        "{states:?}"
    );
}

/// Step 10: the audit trail holds the chain for Ada, in order, and exports as JSON lines.
async fn trail(w: &TravelWorld, s: &Story<'_>, _: &mut Chain) {
    let ada_id = &w.ada_id;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    // 10. The audit trail holds the chain for Ada, in order, and exports as JSON lines.
    let trail = admin.get(&format!("/tenants/acme/audit?user={ada_id}&limit=200"), 200).await;
    let events = trail["items"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in ["delegation.granted", "delegation.denied", "token.issued", "token.exchanged", "delegation.revoked"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    let chain = events.iter().find(|e| e["type"] == "token.exchanged" && e["client_id"] == "fare-checker").unwrap();
    assert_eq!(chain["actors"], json!(["fare-checker", "trip-planner"]));
    assert_eq!(chain["audience"], API);
    assert_eq!(chain["decision"], "allow");
    assert!(chain["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"));
    let refused = admin.get("/tenants/acme/audit?type=token.refused&agent=concierge", 200).await;
    assert!(
        refused["items"].as_array().unwrap().iter().any(|e| e["reason"].as_str().unwrap().contains("max_chain_depth")),
        "{refused}"
    );
    let by_agent = admin.get("/tenants/acme/audit?agent=trip-planner&type=token.exchanged", 200).await;
    assert_eq!(
        by_agent["items"].as_array().unwrap().len(),
        6,
        "its three hops, its hand-off, and the hop and hand-off nested on it"
    );
    let export = s
        .server
        .http
        .get(s.server.url(&format!("/admin/v1/tenants/acme/audit/export?user={ada_id}")))
        .bearer_auth(s.server.generated_admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(export.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = export.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), events.len());
    let (status, body) = admin.call(reqwest::Method::GET, "/tenants/acme/audit?since=yesterday", None).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (400, Some("since")));
}

/// Step 11: `ciam audit verify` passes, then fails once a row is edited in the database.
async fn verify(_: &TravelWorld, s: &Story<'_>, _: &mut Chain) {
    // 11. `ciam audit verify` passes, then fails once a row is edited in the database.
    let (code, out) = s.server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact"), "{out}");
    tamper(&s.server.database_url, "update audit_event set scope = 'trips:admin' where tenant_id = 'acme' and seq = 3")
        .await;
    let (code, out) = s.server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("event 3"), "{out}");
}

/// Claims of a token, read without verification (the test looks at what the app received).
fn resource_server_claims_unchecked(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Runs one statement directly against the server's database, as an attacker with database
/// access would.
async fn tamper(database_url: &str, sql: &'static str) {
    ciam_store::testing::execute_sql(database_url, sql, &[]).await;
}

/// The other ways a delegation's tokens end: the user is disabled (and re-enabled), the agent is
/// deleted. Agent changes are audited.
#[tokio::test]
async fn disabling_the_user_or_deleting_the_agent_ends_derived_tokens() {
    let w = world("agents-cascade").await;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    let [planner, ..] = &w.agents;
    let s = Story::on(&w.server);
    s.approve(planner, "trips:read").await;
    let app_token = s.app_token(&w.app_secret).await["access_token"].as_str().unwrap().to_owned();
    let (status, hop) = s.exchange(planner, &app_token, None, API).await;
    assert_eq!(status, 200, "{hop}");
    assert_eq!(hop["scope"], "trips:read", "by default: everything every bound allows");
    let hop = hop["access_token"].as_str().unwrap().to_owned();
    assert_eq!(s.introspect(planner, &hop).await["active"], true);

    let user = format!("/tenants/acme/users/{}", w.ada_id);
    let (status, _) = admin.call(reqwest::Method::PATCH, &user, Some(json!({"status": "disabled"}))).await;
    assert_eq!(status, 200);
    assert_eq!(s.introspect(planner, &hop).await["active"], false, "a disabled user's delegations act no more");
    let (status, body) = s.exchange(planner, &app_token, None, API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
    let (status, _) = admin.call(reqwest::Method::PATCH, &user, Some(json!({"status": "active"}))).await;
    assert_eq!(status, 200);
    assert_eq!(s.introspect(planner, &hop).await["active"], true, "the delegation itself was not revoked");

    let (status, _) = admin.call(reqwest::Method::DELETE, "/tenants/acme/agents/trip-planner", None).await;
    assert_eq!(status, 204);
    admin.get("/tenants/acme/agents/trip-planner", 404).await;
    assert_eq!(admin.get(&format!("{user}/delegations"), 200).await, json!([]), "its delegations are gone");
    let (status, body) = s.exchange(planner, &app_token, None, API).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    // A resource server introspecting as another client learns nothing about the token either way.
    let [_, checker, _] = &w.agents;
    assert_eq!(s.introspect(checker, &hop).await, json!({"active": false}));
    let trail = admin.get("/tenants/acme/audit?agent=trip-planner", 200).await;
    let types: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"agent.created"));
    // Its last act: the refused attempt after the deletion, naming the id it claimed.
    assert_eq!(types[types.len() - 2..], ["agent.deleted", "client.refused"], "{types:?}");
    let refused = trail["items"].as_array().unwrap().last().unwrap();
    assert!(refused["reason"].as_str().unwrap().starts_with("invalid_client: unknown_client:"), "{refused}");
    // Plain clients are not agents, and agents are managed only as agents.
    admin.get("/tenants/acme/agents/travel-app", 404).await;
    let listed = admin.get("/tenants/acme/agents", 200).await;
    let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|a| a["agent_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["concierge", "fare-checker"]);
    let (status, body) =
        admin.call(reqwest::Method::PATCH, "/tenants/acme/agents/concierge", Some(json!({"max_chain_depth": 9}))).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("max_chain_depth")));
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/agents",
            Some(json!({"name": "Ghost", "owner": {"type": "client", "id": "nobody"}, "jwks": {"keys": [{"kty": "EC"}]}})),
        )
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("owner")));
}

/// A tenant that sets `login.exchange_requires_strong_auth` refuses an agent's exchange of a
/// token whose user signed in with a password only: `insufficient_user_authentication`, naming
/// the acr the user must reach (the app sends them through `acr_values`); with the setting off
/// the same token is exchanged.
#[tokio::test]
async fn a_tenant_can_require_a_strong_sign_in_behind_agent_exchanges() {
    let w = world("agents-strong").await;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    let [planner, ..] = &w.agents;
    let s = Story::on(&w.server);
    s.approve(planner, "trips:read").await;
    let app_token = s.app_token(&w.app_secret).await["access_token"].as_str().unwrap().to_owned();
    let strict = |on: bool| json!({"settings": {"login": {"exchange_requires_strong_auth": on}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(strict(true))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.exchange(planner, &app_token, None, API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("insufficient_user_authentication")), "{body}");
    let why = body["error_description"].as_str().unwrap();
    assert!(why.contains("acr_values=urn:ciam:acr:mfa"), "{why}");
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(strict(false))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.exchange(planner, &app_token, None, API).await;
    assert_eq!(status, 200, "{body}");
}

/// Two nodes behind one public URL, on one Postgres and one Redis: a delegation revoked through
/// one node ends the agent's tokens on the other at the very next request.
#[tokio::test]
async fn revocation_reaches_every_node_at_once() {
    let Some(pg) = ciam_testkit::TestPostgres::create().await else { return };
    let Some(redis) = ciam_testkit::TestRedis::create().await else { return };
    let token = "shared-admin-token-for-the-agent-nodes-0123456789";
    let opts = ServerOptions {
        database_url: Some(pg.url.clone()),
        redis: Some((redis.url.clone(), redis.prefix.clone())),
        env: vec![
            ("CIAM_ADMIN_TOKEN".into(), token.into()),
            ("CIAM_PUBLIC_URL".into(), "http://id.example.test".into()),
        ],
        ..ServerOptions::default()
    };
    let w = world_with("agents-node-a", opts.clone()).await;
    let dir_b = TempDir::new("agents-node-b");
    let b = Server::start(BIN, &dir_b.0, opts).await;
    let issuer = "http://id.example.test/t/acme".to_owned();
    let on_a = Story { issuer: issuer.clone(), ..Story::on(&w.server) };
    let on_b = Story { issuer: issuer.clone(), ..Story::on(&b) };
    let [planner, ..] = &w.agents;
    on_a.approve(planner, "trips:read").await;
    let app_token = on_a.app_token(&w.app_secret).await["access_token"].as_str().unwrap().to_owned();
    let (status, hop) = on_b.exchange(planner, &app_token, None, API).await;
    assert_eq!(status, 200, "a token issued by A is exchanged on B: {hop}");
    let hop = hop["access_token"].as_str().unwrap().to_owned();
    let claims = resource_server_accepts(&b, &issuer, &hop).await;
    assert_eq!(claims["act"], json!({"sub": "trip-planner"}));
    assert_eq!(on_b.introspect(planner, &hop).await["active"], true);

    let account_token = on_a.account_token(&w.app_secret).await;
    let mine: Value = w
        .server
        .http
        .get(w.server.url("/t/acme/account/delegations"))
        .bearer_auth(&account_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = mine[0]["id"].as_str().unwrap();
    let res = w
        .server
        .http
        .delete(w.server.url(&format!("/t/acme/account/delegations/{id}")))
        .bearer_auth(&account_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "revoked through A");
    assert_eq!(on_b.introspect(planner, &hop).await, json!({"active": false}), "inactive on B at once");
    let (status, body) = on_b.exchange(planner, &app_token, None, API).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
}

/// An agent is a client, but its key, scopes, secret and existence change only through the
/// agents routes, where each change is an `agent.*` event: the clients routes refuse it with a
/// 409 naming those routes. Deleting an agent or a user ends their live delegations, each with
/// its own `delegation.revoked` event, so no cascade goes unrecorded.
#[tokio::test]
async fn agents_change_only_through_audited_routes_and_every_cascade_is_audited() {
    let w = world("agents-audit").await;
    let admin = Admin::new(&w.server, w.server.generated_admin_token());
    let [planner, checker, _] = &w.agents;
    let s = Story::on(&w.server);

    // Through /clients: the key swapped, the scopes widened, the secret rotated, the agent
    // deleted. Each refused, with the place it is done instead; nothing changed.
    let (_, new_jwks) = AgentKey::new("trip-planner");
    let client = "/tenants/acme/clients/trip-planner";
    for (method, path, body) in [
        (reqwest::Method::PATCH, client.to_owned(), Some(json!({"jwks": new_jwks}))),
        (reqwest::Method::PATCH, client.to_owned(), Some(json!({"scopes": ["openid", "trips:read", "trips:admin"]}))),
        (reqwest::Method::POST, format!("{client}/secret"), None),
        (reqwest::Method::DELETE, client.to_owned(), None),
    ] {
        let (status, body) = admin.call(method.clone(), &path, body).await;
        assert_eq!(status, 409, "{method} {path}: {body}");
        assert_eq!(body["type"], "urn:ciam:problem:conflict", "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("/admin/v1/tenants/acme/agents/trip-planner"), "{detail}");
    }
    let kept = admin.get("/tenants/acme/agents/trip-planner", 200).await;
    assert_eq!(kept["allowed_scopes"], json!(["openid", "trips:book", "trips:read"]));
    assert_ne!(kept["jwks"], new_jwks);
    admin.get(client, 200).await; // still readable as a client
    // Plain clients are changed there as before.
    let (status, body) =
        admin.call(reqwest::Method::PATCH, "/tenants/acme/clients/travel-app", Some(json!({"name": "Trips"}))).await;
    assert_eq!(status, 200, "{body}");

    // A secret-based agent rotates its secret under /agents, audited.
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/tenants/acme/agents",
            Some(json!({"agent_id": "mailer", "name": "Mailer", "owner": {"type": "client", "id": "travel-app"},
                        "token_endpoint_auth_method": "client_secret_basic", "allowed_scopes": ["trips:read"]})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let first = body["client_secret"].as_str().unwrap().to_owned();
    let rotated = admin.post("/tenants/acme/agents/mailer/secret", json!({}), 200).await;
    let second = rotated["client_secret"].as_str().unwrap();
    assert_ne!(second, first);
    let trail = admin.get("/tenants/acme/audit?agent=mailer&type=agent.secret_rotated", 200).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1, "{trail}");

    // Ada delegates to two agents; deleting the planner ends its delegation, recorded as such.
    s.approve(planner, "trips:read").await;
    s.approve(checker, "trips:read").await;
    let (status, _) = admin.call(reqwest::Method::DELETE, "/tenants/acme/agents/trip-planner", None).await;
    assert_eq!(status, 204);
    let revoked = |filter: String| {
        let admin = &admin;
        async move {
            let page = admin.get(&format!("/tenants/acme/audit?type=delegation.revoked&{filter}"), 200).await;
            page["items"].as_array().unwrap().clone()
        }
    };
    let events = revoked("agent=trip-planner".into()).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["user_id"], w.ada_id.as_str());
    assert_eq!(events[0]["client_id"], "trip-planner");
    assert_eq!(events[0]["reason"], "the agent was deleted");
    assert!(events[0]["delegation_id"].as_str().unwrap().starts_with("dlg_"));
    let deleted = admin.get("/tenants/acme/audit?agent=trip-planner&type=agent.deleted", 200).await;
    assert_eq!(deleted["items"].as_array().unwrap().len(), 1);

    // Deleting Ada ends her delegation to the fare checker, recorded as such.
    let (status, _) = admin.call(reqwest::Method::DELETE, &format!("/tenants/acme/users/{}", w.ada_id), None).await;
    assert_eq!(status, 204);
    let events = revoked(format!("user={}", w.ada_id)).await;
    let by_deletion: Vec<_> = events.iter().filter(|e| e["reason"] == "the user was deleted").collect();
    assert_eq!(by_deletion.len(), 1, "{events:?}");
    assert_eq!(by_deletion[0]["client_id"], "fare-checker");
}
