//! Every change an administrator makes to users, clients, tenants, keys and resources is in the
//! tenant's audit trail (`/admin/v1/tenants/{t}/audit`), stamped with the request's address and
//! the reason `management API, by {the administrator}`, and never carrying a secret; a client
//! changing its own registration (RFC 7592) is recorded the same way, whichever door the change
//! came through.

use ciam_testkit::{Admin, CALLBACK, PASSWORD, Server, ServerOptions, TempDir};
use reqwest::Method;
use serde_json::{Value, json};

use crate::BIN;

async fn patch(admin: &Admin<'_>, path: &str, body: Value) -> Value {
    let (status, v) = admin.call(Method::PATCH, path, Some(body)).await;
    assert_eq!(status, 200, "PATCH {path}: {v}");
    v
}

async fn delete(admin: &Admin<'_>, path: &str) {
    let (status, v) = admin.call(Method::DELETE, path, None).await;
    assert_eq!(status, 204, "DELETE {path}: {v}");
}

/// The tenant's whole trail, oldest first.
async fn trail(admin: &Admin<'_>) -> Vec<Value> {
    let page = admin.get("/tenants/acme/audit?limit=200", 200).await;
    assert!(page.get("next_cursor").is_none(), "one page holds this test's trail");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_admin_mutation_is_in_the_audit_trail() {
    let dir = TempDir::new("admin-audit");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());

    // Tenants.
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    patch(&admin, "/tenants/acme", json!({"display_name": "Acme Inc."})).await;

    // Users: created, changed, a new password, disabled, enabled, deleted.
    let ada = admin.post("/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD}), 201).await;
    let ada_id = ada["id"].as_str().unwrap().to_owned();
    let user = format!("/tenants/acme/users/{ada_id}");
    patch(&admin, &user, json!({"name": "Ada Lovelace"})).await;
    let new_password = "another correct horse battery";
    patch(&admin, &user, json!({"password": new_password})).await;
    patch(&admin, &user, json!({"status": "disabled"})).await;
    patch(&admin, &user, json!({"status": "active"})).await;
    delete(&admin, &format!("{user}/factors")).await;
    let bob = admin.post("/tenants/acme/users", json!({"email": "bob@example.com"}), 201).await;
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    delete(&admin, &format!("/tenants/acme/users/{bob_id}")).await;

    // Clients: registered, changed, secret rotated, deleted; an initial access token issued.
    let web = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "web", "name": "Web", "client_type": "confidential", "redirect_uris": [CALLBACK]}),
            201,
        )
        .await;
    let first_secret = web["client_secret"].as_str().unwrap().to_owned();
    patch(&admin, "/tenants/acme/clients/web", json!({"name": "Web app"})).await;
    let rotated = admin.post("/tenants/acme/clients/web/secret", json!({}), 200).await;
    let second_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    delete(&admin, "/tenants/acme/clients/web").await;
    patch(&admin, "/tenants/acme", json!({"settings": {"registration": {"mode": "initial_access_token"}}})).await;
    let iat = admin.post("/tenants/acme/initial-access-tokens", json!({"max_registrations": 1}), 201).await;
    let iat = iat["token"].as_str().unwrap().to_owned();

    // Keys: rotated.
    let rotation = admin.post("/tenants/acme/keys/rotate", json!({"algs": ["ES256"]}), 200).await;
    let activated = rotation["activated"][0].as_str().unwrap().to_owned();

    // Resources: registered, changed, deleted.
    admin
        .post(
            "/tenants/acme/resources",
            json!({"id": "trips", "identifier": "https://trips.example/api", "name": "Trips",
                   "scopes": ["trips:read"]}),
            201,
        )
        .await;
    patch(&admin, "/tenants/acme/resources/trips", json!({"scopes": ["trips:read", "trips:book"]})).await;
    delete(&admin, "/tenants/acme/resources/trips").await;

    // The other door: a client registers with the initial access token, then changes and
    // deletes its own registration (RFC 7591, RFC 7592).
    let http = &server.http;
    let metadata = json!({"client_name": "Partner", "redirect_uris": ["https://partner.example/cb"]});
    let res = http.post(server.url("/t/acme/register")).bearer_auth(&iat).json(&metadata).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let reg: Value = res.json().await.unwrap();
    let (partner, rat) = (reg["client_id"].as_str().unwrap(), reg["registration_access_token"].as_str().unwrap());
    let partner_secret = reg["client_secret"].as_str().unwrap();
    let manage = reg["registration_client_uri"].as_str().unwrap();
    let mut changed = metadata.clone();
    changed["client_id"] = json!(partner);
    changed["client_name"] = json!("Partner portal");
    let res = http.put(manage).bearer_auth(rat).json(&changed).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = http.delete(manage).bearer_auth(rat).send().await.unwrap();
    assert_eq!(res.status(), 204);

    let events = trail(&admin).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let admin_changes = [
        "tenant.created",
        "tenant.updated",
        "user.created",
        "user.updated",
        "user.password_changed",
        "user.disabled",
        "user.enabled",
        "user.deleted",
        "factor.reset",
        "client.created",
        "client.updated",
        "client.secret_rotated",
        "client.deleted",
        "initial_access_token.issued",
        "key.rotated",
        "resource.created",
        "resource.updated",
        "resource.deleted",
    ];
    for t in admin_changes {
        let found: Vec<&Value> = events.iter().filter(|e| e["type"] == t && e["client_id"] != partner).collect();
        assert!(!found.is_empty(), "{t} in {types:?}");
        for e in found {
            assert_eq!(e["decision"], "allow", "{e}");
            assert!(e["reason"].as_str().is_some_and(|r| r.starts_with("management API")), "{e}");
            assert_eq!(e["ip"], "127.0.0.1", "{e}");
        }
    }
    // What each event is about.
    let one = |t: &str| events.iter().find(|e| e["type"] == t).unwrap();
    assert_eq!(one("user.disabled")["user_id"], ada_id.as_str());
    assert_eq!(one("user.deleted")["user_id"], bob_id.as_str());
    assert_eq!(one("factor.reset")["reason"], "management API, by break-glass token: all authenticators removed (0)");
    assert_eq!(one("client.secret_rotated")["client_id"], "web");
    assert_eq!(one("resource.updated")["audience"], "https://trips.example/api");
    assert_eq!(one("resource.updated")["scope"], "trips:book trips:read");
    assert!(one("key.rotated")["reason"].as_str().unwrap().contains(&activated));
    // Four changes to Ada, and the client's own changes through RFC 7592, one event each.
    assert_eq!(events.iter().filter(|e| e["type"] == "user.updated").count(), 4);
    for t in ["client.registered", "client.updated", "client.deleted"] {
        assert!(events.iter().any(|e| e["type"] == t && e["client_id"] == partner), "{t} by {partner}: {types:?}");
    }
    // The user's filter finds the changes to the user.
    let by_user = admin.get(&format!("/tenants/acme/audit?user={ada_id}&type=user.password_changed"), 200).await;
    assert_eq!(by_user["items"].as_array().unwrap().len(), 1);

    // No secret is in the trail: not the passwords, client secrets or tokens handed out.
    let whole = serde_json::to_string(&events).unwrap();
    for secret in [PASSWORD, new_password, &first_secret, &second_secret, &iat, rat, partner_secret] {
        assert!(!whole.contains(secret), "a secret is in the audit trail");
    }

    // The trail stays one intact chain.
    let (code, out) = server.cli(&["audit", "verify", "--tenant", "acme"]);
    assert_eq!(code, Some(0), "{out}");
}
