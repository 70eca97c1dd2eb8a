//! The audit trail survives erasure: a user's personal fields (user id, IP address, User-Agent)
//! are stored sealed under the user's data key, with a keyed pseudonym for look-ups, and never in
//! clear; once the key is destroyed the user's events read as erased, everything else in them
//! stays readable, and `ciam audit verify` still passes. Under `TEST_BACKEND=postgres` the same
//! story runs on PostgreSQL.

use std::sync::Arc;

use ciam_core::id::TenantId;
use ciam_core::store::DurableStore;
use ciam_jose::MasterKey;
use ciam_testkit::{Admin, Browser, Server, USER_AGENT};
use serde_json::Value;

use crate::support::{GERMANY, redeem, setup};

/// The master key the server runs with (from its environment on a shared database, else the
/// file it generated in its data directory).
fn master_key(server: &Server) -> MasterKey {
    let text = server
        .cli_env()
        .iter()
        .find(|(k, _)| k == "CIAM_MASTER_KEY")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| std::fs::read_to_string(server.data_dir.join("master-key")).unwrap());
    MasterKey::from_base64(text.trim()).unwrap()
}

async fn user_trail(admin: &Admin<'_>, user: &str) -> Vec<Value> {
    let page = admin.get(&format!("/tenants/acme/audit?user={user}&limit=200"), 200).await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_users_audit_fields_are_sealed_then_erased_with_their_key_and_the_chain_still_verifies() {
    let s = setup("audit-erasure", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let users = admin.get("/tenants/acme/users", 200).await;
    let ada_id = users["items"][0]["id"].as_str().unwrap().to_owned();

    // Ada signs in from Germany and the app redeems the code: tokens issued for her.
    let ada = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = ada.login_page("").await;
    let answer = ada.to_callback(ada.password(&flow, &csrf, ciam_testkit::PASSWORD).await).await;
    let tokens = redeem(&s.server, &s.secret, &answer["code"]).await;
    assert!(tokens["access_token"].is_string());

    // The administrator reads her trail with every personal field opened.
    let before = user_trail(&admin, &ada_id).await;
    let types: Vec<&str> = before.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"token.issued"), "{types:?}");
    assert!(before.iter().all(|e| e["user_id"] == ada_id.as_str() && e.get("personal_data").is_none()), "{before:?}");
    let signed_in = before.iter().find(|e| e["ip"] == GERMANY).expect("the sign-in is recorded with her address");
    assert_eq!(signed_in["user_agent"], USER_AGENT);

    // The store holds none of it in clear: neither the columns nor any other field of the
    // events, nor the key table; the events carry her pseudonym.
    let store: Arc<dyn DurableStore> =
        ciam_store::open_durable(&s.server.database_url, &ciam_store::PoolOptions::default()).await.unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    let stored = store.audit_chain(&tenant, 0, 1000).await.unwrap();
    assert!(!stored.is_empty());
    let raw = format!("{stored:?}");
    for clear in [ada_id.as_str(), GERMANY, USER_AGENT, "Firefox", "ada@example.com"] {
        assert!(!raw.contains(clear), "{clear} is stored in clear: {raw}");
    }
    let subject = master_key(&s.server).pseudonym("acme", &ada_id);
    assert!(raw.contains(&subject), "the events name her by pseudonym");
    for (sql, what) in [
        (
            "update audit_event set form = form where tenant_id = 'acme' and (coalesce(user_id, '') || \
             coalesce(ip, '') || coalesce(user_agent, '') || coalesce(reason, '') || actors || \
             coalesce(subject, '') || coalesce(personal, '')) like '%' || $1 || '%'",
            "audit_event",
        ),
        (
            "update user_data_key set subject = subject where subject || sealed_key like '%' || $1 || '%'",
            "user_data_key",
        ),
    ] {
        for clear in [ada_id.as_str(), GERMANY, "Firefox"] {
            let rows = ciam_store::testing::execute_sql(&s.server.database_url, sql, &[clear]).await;
            assert_eq!(rows, 0, "{what} rows holding {clear} in clear");
        }
    }

    // Erasure: her data key is destroyed (what `forget_user_data` does in the store).
    assert!(store.destroy_data_key(&tenant, &subject).await.unwrap());

    // Her events are still found by her id, with the personal fields gone and the marker in
    // their place; the facts stay readable.
    let after = user_trail(&admin, &ada_id).await;
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(new["personal_data"], "erased", "{new}");
        for gone in ["user_id", "ip", "user_agent"] {
            assert!(new.get(gone).is_none(), "{gone} in {new}");
        }
        for kept in ["seq", "type", "decision", "client_id", "scope", "hash", "prev_hash"] {
            assert_eq!(old.get(kept), new.get(kept), "{kept} is kept");
        }
        // A sign-in's risk decision (countries, distances) is about her: erased too; other
        // reasons are kept.
        let about_her = old["reason"].as_str().is_some_and(|r| r.contains("\"score\""));
        assert_eq!(new.get("reason"), if about_her { None } else { old.get("reason") }, "{old} / {new}");
    }
    let export = s
        .server
        .http
        .get(s.server.url(&format!("/admin/v1/tenants/acme/audit/export?user={ada_id}")))
        .bearer_auth(&s.admin_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(export.lines().count(), after.len());
    assert!(!export.contains(GERMANY) && export.contains("\"personal_data\":\"erased\""), "{export}");

    // The chain is intact.
    let (code, out) = s.server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact"), "{out}");
}
