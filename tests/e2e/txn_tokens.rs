//! Transaction tokens (draft-ietf-oauth-transaction-tokens-10), end to end: the tenant names its
//! trust domain and the workloads that may ask; an API gateway turns Ada's access token into a
//! 60-second `txntoken+jwt` with the transaction's context; a downstream workload replaces it
//! (same `txn`, the call chain grows, never wider); everything else is refused with the RFC 6749
//! error, and each issuance is in the audit trail. `TEST_BACKEND=postgres` runs it on Postgres
//! and Redis.

use base64::Engine as _;
use ciam_testkit::{Admin, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};

use crate::BIN;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const TXN_TOKEN: &str = "urn:ietf:params:oauth:token-type:txn_token";
const DOMAIN: &str = "urn:acme:trust-domain";

async fn token(server: &Server, client: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    crate::support::token_as(server, "acme", client, form).await
}

/// A transaction token request by `client` for `subject`, with `extra` parameters replacing the
/// defaults of the same name.
async fn txn(server: &Server, client: (&str, &str), subject: &str, kind: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", EXCHANGE),
        ("requested_token_type", TXN_TOKEN),
        ("subject_token", subject),
        ("subject_token_type", kind),
        ("audience", DOMAIN),
        ("scope", "orders:read"),
    ];
    for (k, v) in extra {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    token(server, client, &form).await
}

fn header(jwt: &str) -> Value {
    let part = jwt.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn a_gateway_turns_a_users_token_into_a_transaction_token_and_it_never_widens() {
    let dir = TempDir::new("txn-tokens");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let workload = |id: &str| json!({"client_id": id, "name": id, "client_type": "confidential", "grant_types": [EXCHANGE], "scopes": []});
    let created = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .client(json!({"client_id": "web", "name": "Shop", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                       "scopes": ["openid", "orders:read", "orders:write"]}))
        .client(workload("gateway"))
        .client(workload("orders"))
        .client(workload("stranger"))
        .create(&admin)
        .await;
    let ada_id = created.user_id("ada@example.com");
    let secrets: Vec<String> = ["web", "gateway", "orders", "stranger"].iter().map(|c| created.secret(c)).collect();
    let (web, gateway, orders, stranger) =
        (("web", &*secrets[0]), ("gateway", &*secrets[1]), ("orders", &*secrets[2]), ("stranger", &*secrets[3]));

    // Ada's access token, as the gateway receives it.
    let browser = Browser::new(&server);
    let (_, callback) =
        browser.authorize(&authorize_url("web", "openid orders:read orders:write").build(), "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let (status, tokens) = token(&server, web, &form).await;
    assert_eq!(status, 200, "{tokens}");
    let ada = tokens["access_token"].as_str().unwrap().to_owned();

    // Off until the tenant says where and to whom.
    let (status, body) = txn(&server, gateway, &ada, ACCESS_TOKEN, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    let too_long = json!({"settings": {"token_exchange": {"transaction_tokens":
        {"trust_domain": DOMAIN, "workloads": ["gateway"], "lifetime_secs": 3600}}}});
    let (status, body) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(too_long)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "settings.token_exchange.transaction_tokens.lifetime_secs", "{body}");
    let on = json!({"settings": {"token_exchange": {"transaction_tokens":
        {"trust_domain": DOMAIN, "workloads": ["gateway", "orders"]}}}});
    assert_eq!(admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(on)).await.0, 200);

    // The gateway's transaction token.
    let details = json!({"action": "BUY", "quantity": "100"}).to_string();
    let context = json!({"req_ip": "198.51.100.7"}).to_string();
    let (status, issued) =
        txn(&server, gateway, &ada, ACCESS_TOKEN, &[("request_details", &details), ("request_context", &context)])
            .await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!((&issued["token_type"], &issued["issued_token_type"]), (&json!("N_A"), &json!(TXN_TOKEN)));
    assert!(issued.get("refresh_token").is_none());
    let t = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(header(&t)["typ"], "txntoken+jwt");
    let claims = crate::claims(&t);
    assert_eq!(
        (&claims["aud"], &claims["sub"], &claims["scope"]),
        (&json!(DOMAIN), &json!(ada_id), &json!("orders:read"))
    );
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 60);
    assert_eq!((&claims["tctx"]["action"], &claims["rctx"]["req_ip"]), (&json!("BUY"), &json!("198.51.100.7")));
    assert_eq!(claims["req_wl"], "gateway");
    // The token was signed with the tenant's published keys.
    let jwks: Value = server.get_json("/t/acme/jwks").await;
    assert!(jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == header(&t)["kid"]));

    // A downstream workload replaces it: same transaction, a longer call chain, added context.
    let more = json!({"order_id": "o-7"}).to_string();
    let (status, replaced) = txn(&server, orders, &t, TXN_TOKEN, &[("request_details", &more)]).await;
    assert_eq!(status, 200, "{replaced}");
    let r = crate::claims(replaced["access_token"].as_str().unwrap());
    assert_eq!((&r["txn"], &r["sub"], &r["req_wl"]), (&claims["txn"], &claims["sub"], &json!(["gateway", "orders"])));
    assert_eq!((&r["tctx"]["action"], &r["tctx"]["order_id"]), (&json!("BUY"), &json!("o-7")));

    // Refused: another workload, another domain, a wider scope, a changed context, a bare token.
    let sell = json!({"action": "SELL"}).to_string();
    let refusals = [
        ("unauthorized_client", stranger, ada.as_str(), ACCESS_TOKEN, vec![]),
        ("invalid_target", gateway, ada.as_str(), ACCESS_TOKEN, vec![("audience", "urn:elsewhere")]),
        ("invalid_scope", gateway, ada.as_str(), ACCESS_TOKEN, vec![("scope", "orders:read orders:delete")]),
        ("invalid_request", orders, t.as_str(), TXN_TOKEN, vec![("request_details", sell.as_str())]),
        ("invalid_request", gateway, "not-a-token", ACCESS_TOKEN, vec![]),
    ];
    for (error, client, subject, kind, extra) in refusals {
        let (status, body) = txn(&server, client, subject, kind, &extra).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{extra:?}: {body}");
    }
    // Revoking Ada's token ends what it can start.
    let res = server.http.post(server.url("/t/acme/revoke")).basic_auth(web.0, Some(web.1));
    assert_eq!(res.form(&[("token", ada.as_str())]).send().await.unwrap().status(), 200);
    let (status, body) = txn(&server, gateway, &ada, ACCESS_TOKEN, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");

    // Each issuance is on record with the user and the requesting workload.
    let trail = admin.get(&format!("/tenants/acme/audit?user={ada_id}&type=txn_token.issued&limit=10"), 200).await;
    let events = trail["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{trail}");
    assert_eq!((&events[0]["actors"], &events[0]["audience"]), (&json!(["gateway"]), &json!(DOMAIN)));
    assert_eq!(events[1]["actors"], json!(["orders"]));
}
