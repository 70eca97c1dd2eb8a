//! The console's applications and agents over HTTP, after registration too: a tenant admin
//! registers an agent with its operator, keys and ceilings (what is wrong refused next to its
//! field: no keys, an operator the tenant does not have, a lifetime past its ceiling), narrows
//! its ceilings later, changes an application's redirect URIs and keys (a secret it now needs
//! shown once), and sets the signing keys' rotation schedule; an auditor may open none of the
//! forms. `TEST_BACKEND=postgres` runs it on PostgreSQL and Redis.

use ciam_testkit::{Admin, AgentKey, World, hidden, location};
use reqwest::Method;
use serde_json::json;

use crate::support::{console_administrator, console_as, console_server, form_pairs as pairs};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct horse battery staple";

/// The agent form's fields with these values (and the CSRF token), for `trip-planner`.
fn agent_form(csrf: &str, jwks: &str, owner: &str, lifetime: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("name", "Trip planner".to_owned()),
        ("client_id", "trip-planner".to_owned()),
        ("description", "Books trains for you".to_owned()),
        ("owner_type", "client".to_owned()),
        ("owner", owner.to_owned()),
        ("jwks", jwks.to_owned()),
        ("scopes", "openid".to_owned()),
        ("allowed_audiences", "https://api.alpha.example/trips".to_owned()),
        ("max_token_lifetime", lifetime.to_owned()),
        ("max_chain_depth", "2".to_owned()),
        ("delegation_lifetime", "86400".to_owned()),
        ("dpop", "required".to_owned()),
        ("redirect_uris", String::new()),
    ]
}

/// The error shown next to `field` on a refused form page.
fn error_of(page: &str, field: &str) -> String {
    let marker = format!("id=\"{field}-error\">");
    page.split(&marker).nth(1).and_then(|r| r.split('<').next()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_tenant_admin_registers_an_agent_narrows_its_ceilings_and_changes_an_application() -> TestResult {
    let (server, _dir) = console_server("console-clients").await;
    let operator = Admin::new(&server, server.generated_admin_token());
    World::tenant("alpha").named("Alpha").create(&operator).await;
    console_administrator(&operator, ("ada@example.com", PASSWORD), "admin", "alpha").await;
    console_administrator(&operator, ("audrey@example.com", PASSWORD), "auditor", "alpha").await;
    let app = json!({"client_id": "alpha-web", "name": "Alpha web", "client_type": "confidential", "redirect_uris": ["https://app.alpha.example/cb"],
                     "grant_types": ["authorization_code"], "token_endpoint_auth_method": "client_secret_basic"});
    operator.post("/tenants/alpha/clients", app, 201).await;

    let admin = console_as(&server, PASSWORD, "ada@example.com").await?;
    let list = admin.get("/console/t/alpha/clients").await.text().await?;
    assert!(list.contains("href=\"/console/t/alpha/clients/new-agent\">Register an agent</a>"), "{list}");
    let form = admin.get("/console/t/alpha/clients/new-agent").await.text().await?;
    for label in ["Operated by", "Operator&#39;s id", "Longest token lifetime", "Proof of possession (DPoP)"] {
        assert!(form.contains(label), "{label}: {form}");
    }
    assert!(form.contains("value=\"300\"") && form.contains("value=\"2592000\""), "the defaults: {form}");
    let csrf = hidden(&form, "csrf");
    let (_, jwks) = AgentKey::new("trip-planner");
    let jwks = jwks.to_string();

    // What is wrong is refused next to its field, and what was typed stays.
    for (fields, field, says) in [
        (agent_form(&csrf, "", "alpha-web", "300"), "jwks", "An agent authenticates with its keys"),
        (agent_form(&csrf, &jwks, "nobody", "300"), "owner", "no such user or client in this tenant"),
        (agent_form(&csrf, &jwks, "alpha-web", "7200"), "max_token_lifetime", "must be 30-3600 seconds"),
        (agent_form(&csrf, &jwks, "alpha-web", "five"), "max_token_lifetime", "Enter a whole number."),
    ] {
        let res = admin.post("/console/t/alpha/clients/new-agent", &pairs(&fields)).await;
        assert_eq!(res.status(), 422, "{field}");
        let page = res.text().await?;
        assert!(error_of(&page, field).contains(says), "{field}: {page}");
        assert!(page.contains("Books trains for you"), "kept: {page}");
    }
    assert_eq!(operator.call(Method::GET, "/tenants/alpha/agents/trip-planner", None).await.0, 404);

    // In German, the engine's rules are said in German.
    admin.get("/console/t/alpha/clients/new-agent?lang=de").await;
    let res =
        admin.post("/console/t/alpha/clients/new-agent", &pairs(&agent_form(&csrf, &jwks, "alpha-web", "7200"))).await;
    let page = res.text().await?;
    assert!(error_of(&page, "max_token_lifetime").contains("muss zwischen 30 und 3600 Sekunden liegen"), "{page}");
    admin.get("/console/t/alpha/clients/new-agent?lang=en").await;

    // Registered with its keys: no secret to show, straight to its page.
    let res =
        admin.post("/console/t/alpha/clients/new-agent", &pairs(&agent_form(&csrf, &jwks, "alpha-web", "300"))).await;
    assert_eq!(location(&res), "/console/t/alpha/clients/trip-planner");
    let agent = operator.get("/tenants/alpha/agents/trip-planner", 200).await;
    assert_eq!(agent["owner"], json!({"type": "client", "id": "alpha-web"}));
    assert_eq!(agent["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(agent["grant_types"], json!(["urn:ietf:params:oauth:grant-type:token-exchange"]));
    assert_eq!(agent["allowed_audiences"], json!(["https://api.alpha.example/trips"]));
    assert_eq!((agent["max_token_lifetime"].as_u64(), agent["delegation_lifetime"].as_u64()), (Some(300), Some(86400)));
    assert_eq!(agent["dpop_bound_access_tokens"], true);

    // Its ceilings narrowed, and a redirect URI for the approval flow: the code flow comes with it.
    let page = admin.get("/console/t/alpha/clients/trip-planner").await.text().await?;
    assert!(page.contains("href=\"/console/t/alpha/clients/trip-planner/edit\">Edit agent and ceilings</a>"), "{page}");
    let edit = admin.get("/console/t/alpha/clients/trip-planner/edit").await.text().await?;
    assert!(edit.contains("value=\"300\"") && edit.contains("https://api.alpha.example/trips"), "{edit}");
    assert!(!edit.contains("name=\"client_id\""), "the id is fixed: {edit}");
    let mut changed = agent_form(&csrf, &jwks, "alpha-web", "120");
    changed.retain(|(k, _)| *k != "client_id");
    for (key, value) in &mut changed {
        match *key {
            "allowed_audiences" => *value = "https://api.alpha.example/trips\nhttps://api.alpha.example/hotels".into(),
            "redirect_uris" => *value = "https://agent.alpha.example/cb".into(),
            _ => {}
        }
    }
    let res = admin.post("/console/t/alpha/clients/trip-planner/edit", &pairs(&changed)).await;
    assert_eq!(location(&res), "/console/t/alpha/clients/trip-planner?done=saved");
    assert!(admin.get(&location(&res)).await.text().await?.contains("The changes were saved."));
    let agent = operator.get("/tenants/alpha/agents/trip-planner", 200).await;
    assert_eq!(agent["max_token_lifetime"], 120);
    assert_eq!(agent["allowed_audiences"].as_array().map(Vec::len), Some(2), "{agent}");
    let grants = agent["grant_types"].as_array().cloned().unwrap_or_default();
    assert!(grants.contains(&json!("authorization_code")), "{agent}");
    let trail = operator.get("/tenants/alpha/audit?type=agent.updated", 200).await;
    assert_eq!(trail["items"][0]["client_id"], "trip-planner");

    // The application gets keys instead of its secret, then loses them: a new secret, once.
    let edit = admin.get("/console/t/alpha/clients/alpha-web/edit").await.text().await?;
    assert!(edit.contains("https://app.alpha.example/cb") && !edit.contains("name=\"owner\""), "{edit}");
    let app_form = |redirects: &str, keys: &str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Alpha web".to_owned()),
            ("redirect_uris", redirects.to_owned()),
            ("scopes", "openid email".to_owned()),
            ("jwks", keys.to_owned()),
        ]
    };
    let two = "https://app.alpha.example/cb\nhttps://app.alpha.example/cb2";
    let res = admin
        .post("/console/t/alpha/clients/alpha-web/edit", &pairs(&app_form("http://insecure.example/cb", "")))
        .await;
    assert_eq!(res.status(), 422);
    assert!(!error_of(&res.text().await?, "redirect_uris").is_empty());
    let res = admin.post("/console/t/alpha/clients/alpha-web/edit", &pairs(&app_form(two, &jwks))).await;
    assert_eq!(location(&res), "/console/t/alpha/clients/alpha-web?done=saved");
    let client = operator.get("/tenants/alpha/clients/alpha-web", 200).await;
    assert_eq!(client["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(client["redirect_uris"].as_array().map(Vec::len), Some(2), "{client}");
    let res = admin.post("/console/t/alpha/clients/alpha-web/edit", &pairs(&app_form(two, ""))).await;
    assert_eq!(res.status(), 200);
    let shown = res.text().await?;
    assert!(shown.contains("shown only this once"), "{shown}");
    let client = operator.get("/tenants/alpha/clients/alpha-web", 200).await;
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_basic");

    // The keys' rotation schedule: out of range next to its field, then saved and shown.
    let keys = admin.get("/console/t/alpha/keys").await.text().await?;
    assert!(keys.contains("The keys rotate only when an administrator rotates them."), "{keys}");
    let res =
        admin.post("/console/t/alpha/keys/schedule", &[("csrf", csrf.as_str()), ("rotate_every_days", "3")]).await;
    assert_eq!(res.status(), 422);
    assert!(error_of(&res.text().await?, "rotate_every_days").contains("must be 7-730 days"));
    let res =
        admin.post("/console/t/alpha/keys/schedule", &[("csrf", csrf.as_str()), ("rotate_every_days", "90")]).await;
    assert_eq!(location(&res), "/console/t/alpha/keys?done=scheduled");
    let keys = admin.get(&location(&res)).await.text().await?;
    assert!(keys.contains("The keys rotate every 90 days. Next rotation: "), "{keys}");
    let tenant = operator.get("/tenants/alpha", 200).await;
    assert_eq!(tenant["settings"]["keys"], json!({"rotate_every_days": 90}));

    // The auditor opens none of the forms.
    let auditor = console_as(&server, PASSWORD, "audrey@example.com").await?;
    for path in ["/console/t/alpha/clients/new-agent", "/console/t/alpha/clients/trip-planner/edit"] {
        assert_eq!(auditor.get(path).await.status(), 403, "{path}");
    }
    let page = auditor.get("/console/t/alpha/clients/trip-planner").await.text().await?;
    assert!(!page.contains("Edit agent and ceilings"), "{page}");
    let keys = auditor.get("/console/t/alpha/keys").await.text().await?;
    assert!(keys.contains("The keys rotate every 90 days.") && !keys.contains("Save schedule"), "{keys}");
    let own = hidden(&keys, "csrf");
    let res =
        auditor.post("/console/t/alpha/keys/schedule", &[("csrf", own.as_str()), ("rotate_every_days", "")]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(operator.get("/tenants/alpha", 200).await["settings"]["keys"], json!({"rotate_every_days": 90}));
    Ok(())
}
