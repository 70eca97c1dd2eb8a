//! Nodes whose clocks disagree, on one PostgreSQL and one Redis: each runs in process on its own
//! clock (the wall clock plus an offset), under one public URL, so every node is the same issuer.
//! What docs/security.md ("The server's own tokens expire on time") promises holds across them:
//! a token another node signed up to 60 s "in the future" is accepted, one further ahead is not;
//! a DPoP proof is judged by the clock of the node that receives it, with 60 s for a client's
//! clock ahead and 300 s of age, and the record of when used proofs begin is set by Redis' clock,
//! the same for every node.

use std::sync::Arc;

use ciam_core::{Clock, SystemClock};
use ciam_testkit::{AgentKey, SHARED_MASTER_KEY, TempDir, TestPostgres, TestRedis, unix_now};
use serde_json::{Value, json};

const TOKEN: &str = "an-admin-token-for-the-clock-suite-0123456789";

/// The wall clock, `ahead` seconds ahead.
struct Ahead(i64);

impl Clock for Ahead {
    fn now(&self) -> time::OffsetDateTime {
        SystemClock.now() + time::Duration::seconds(self.0)
    }
}

/// A node `ahead` seconds ahead of the wall clock, answering as `public_url`; returns its address.
async fn node(stores: &(TestPostgres, TestRedis), ahead: i64, public_url: &str, dir: &TempDir) -> String {
    let data_dir = dir.0.join(format!("node{ahead}"));
    std::fs::create_dir_all(&data_dir).unwrap();
    let (token_file, key_file) = (data_dir.join("token"), data_dir.join("key"));
    std::fs::write(&token_file, TOKEN).unwrap();
    std::fs::write(&key_file, SHARED_MASTER_KEY).unwrap();
    let config = ciam_server::Config {
        bind: "127.0.0.1:0".into(),
        public_url: Some(public_url.to_owned()),
        data_dir,
        database_url: Some(stores.0.url.clone()),
        redis_url: Some(stores.1.url.clone()),
        redis_key_prefix: stores.1.prefix.clone(),
        admin_token_file: Some(token_file),
        master_key_file: Some(key_file),
        ..Default::default()
    };
    let app = ciam_server::App::build_with_clock(config.validate().unwrap(), Arc::new(Ahead(ahead))).await.unwrap();
    let addr = format!("http://{}", app.local_addr());
    tokio::spawn(app.run(std::future::pending()));
    addr
}

#[tokio::test]
async fn tokens_and_dpop_proofs_between_nodes_whose_clocks_disagree() {
    let (Some(pg), Some(redis)) = (TestPostgres::create().await, TestRedis::create().await) else { return };
    let stores = (pg, redis);
    let dir = TempDir::new("clock-skew");
    // One public URL for every node (the balancer's), which none of them listens on.
    let public = "http://localhost:9";
    let on_time = node(&stores, 0, public, &dir).await;
    let ahead_40 = node(&stores, 40, public, &dir).await;
    let ahead_90 = node(&stores, 90, public, &dir).await;

    let http = reqwest::Client::new();
    let admin =
        |path: &str, body: Value| http.post(format!("{on_time}/admin/v1{path}")).bearer_auth(TOKEN).json(&body).send();
    assert_eq!(admin("/tenants", json!({"id": "acme", "display_name": "Acme"})).await.unwrap().status(), 201);
    let svc = admin(
        "/tenants/acme/clients",
        json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
               "grant_types": ["client_credentials"]}),
    )
    .await
    .unwrap()
    .json::<Value>()
    .await
    .unwrap();
    let secret = svc["client_secret"].as_str().unwrap().to_owned();

    let token_at = |node: &str, proof: Option<String>| {
        let mut req = http
            .post(format!("{node}/t/acme/token"))
            .basic_auth("svc", Some(&secret))
            .form(&[("grant_type", "client_credentials")]);
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let active_at = |node: &str, token: String| {
        let req = http
            .post(format!("{node}/t/acme/introspect"))
            .basic_auth("svc", Some(&secret))
            .form(&[("token", token.as_str())]);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap()["active"].clone() }
    };

    // Tokens signed by a node ahead: 40 s is within the allowance, 90 s is not.
    let (_, from_40) = token_at(&ahead_40, None).await;
    let (_, from_90) = token_at(&ahead_90, None).await;
    let (_, from_now) = token_at(&on_time, None).await;
    let access = |t: &Value| t["access_token"].as_str().unwrap().to_owned();
    assert_eq!(active_at(&on_time, access(&from_40)).await, true, "signed 40 s ahead");
    assert_eq!(active_at(&on_time, access(&from_90)).await, false, "signed 90 s ahead");
    // A node ahead sees the on-time node's token as already issued: valid until its own `exp`.
    assert_eq!(active_at(&ahead_90, access(&from_now)).await, true);

    // DPoP proofs are judged by the receiving node's clock: a client 70 s ahead is too far
    // ahead for the on-time node, and 20 s in the past for the node 90 s ahead.
    let (key, _) = AgentKey::new("svc");
    let htu = format!("{public}/t/acme/token");
    let skewed = |what: &str, (status, body): (u16, Value)| {
        assert_eq!(
            (status, body["error_description"].as_str()),
            (400, Some("the proof is too old or from the future")),
            "{what}: {body}"
        );
    };
    skewed("70 s ahead", token_at(&on_time, Some(key.proof_at("POST", &htu, unix_now() + 70, None))).await);
    let (status, body) = token_at(&ahead_90, Some(key.proof_at("POST", &htu, unix_now() + 70, None))).await;
    assert_eq!((status, body["token_type"].as_str()), (200, Some("DPoP")), "{body}");
    // Every node reads the one record of when the tenant's used proofs begin, set by Redis' clock:
    // a proof made now is fine on both, whatever their clocks say.
    for node in [&on_time, &ahead_90] {
        let (status, body) = token_at(node, Some(key.proof_at("POST", &htu, unix_now(), None))).await;
        assert_eq!(status, 200, "{body}");
    }
    // A proof 250 s old by the wall clock is 340 s old to the node 90 s ahead: too old there.
    skewed(
        "250 s old, 90 s ahead",
        token_at(&ahead_90, Some(key.proof_at("POST", &htu, unix_now() - 250, None))).await,
    );
}
