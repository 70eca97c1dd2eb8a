//! Administrators and their roles, end to end: the control tenant created on first start,
//! service accounts with client credentials, people signing in through the control tenant's own
//! OpenID Connect (code + PKCE), tenant admins who see their tenant and nothing else (a tenant
//! they have no role in is a 404, by URL guessing too), support that may reset factors but not
//! open keys, auditors who read and never write, no role given beyond what the giver holds, every
//! action in the trail with the acting administrator, and the break-glass token turned off.

use ciam_testkit::{Admin, PKCE_CHALLENGE, PKCE_VERIFIER, Server, ServerOptions, TempDir, World};
use reqwest::Method;
use serde_json::{Value, json};

use crate::BIN;
use crate::support::sign_in_through;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Where the control tenant's sign-in client sends its codes (never opened: the test reads the
/// redirect).
const CLI_CALLBACK: &str = "http://127.0.0.1:9/callback";

async fn start(tag: &str, env: &[(&str, &str)]) -> (Server, TempDir) {
    let dir = TempDir::new(tag);
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    (server, dir)
}

/// The management API's audience, which administrators' tokens name.
fn audience(server: &Server) -> String {
    format!("{}/admin/v1", server.public_url)
}

/// A service account's token for the management API (client credentials at the control tenant).
async fn service_token(server: &Server, client_id: &str, secret: &str) -> Result<String, Box<dyn std::error::Error>> {
    let form = [("grant_type", "client_credentials"), ("resource", &audience(server))];
    let res =
        server.http.post(server.url("/t/control/token")).basic_auth(client_id, Some(secret)).form(&form).send().await?;
    let body: Value = res.json().await?;
    Ok(body["access_token"].as_str().ok_or(format!("no token: {body}"))?.to_owned())
}

/// Creates service account `id` and gives it `role` for `tenant` (`None`: deployment-wide);
/// returns its token.
async fn robot(operator: &Admin<'_>, server: &Server, id: &str, role: &str, tenant: Option<&str>) -> String {
    let made = operator.post("/service-accounts", json!({"client_id": id, "name": id}), 201).await;
    let path = tenant.map_or("/role-assignments".to_owned(), |t| format!("/tenants/{t}/role-assignments"));
    operator.post(&path, json!({"service_account": id, "role": role}), 201).await;
    let secret = made["client_secret"].as_str().unwrap_or_default();
    match service_token(server, id, secret).await {
        Ok(token) => token,
        Err(e) => panic!("{id}: {e}"),
    }
}

async fn status(api: &Admin<'_>, method: Method, path: &str, body: Option<Value>) -> u16 {
    api.call(method, path, body).await.0
}

#[tokio::test]
async fn tenant_admins_support_and_auditors_see_and_do_only_what_their_roles_say() -> TestResult {
    let (server, _dir) = start("admin-roles", &[]).await;
    let operator = Admin::new(&server, server.generated_admin_token());
    // The control tenant is there from the first start, with the management API as its resource.
    let tenants = operator.get("/tenants", 200).await;
    assert_eq!(tenants["items"][0]["id"], "control", "{tenants}");
    for t in ["alpha", "beta"] {
        World::tenant(t).user("ada@example.com").create(&operator).await;
    }
    // Every route says which permission it needs.
    let doc: Value = server.http.get(server.url("/admin/v1/openapi.json")).send().await?.json().await?;
    let operations =
        doc["paths"].as_object().ok_or("paths")?.values().flat_map(|p| p.as_object().into_iter().flatten());
    for (method, op) in operations {
        assert!(op["x-permission"].is_string(), "{method}: {op}");
    }

    let admin_token = robot(&operator, &server, "alpha-admin", "admin", Some("alpha")).await;
    let support_token = robot(&operator, &server, "alpha-support", "support", Some("alpha")).await;
    let auditor_token = robot(&operator, &server, "alpha-auditor", "auditor", Some("alpha")).await;
    let (admin, support, auditor) = (
        Admin::new(&server, admin_token),
        Admin::new(&server, support_token),
        Admin::new(&server, auditor_token.clone()),
    );

    // Each may ask who they are and what they may do, whatever their roles.
    let me = auditor.get("/me", 200).await;
    assert_eq!(
        (me["principal"]["type"].as_str(), me["principal"]["id"].as_str()),
        (Some("service_account"), Some("alpha-auditor"))
    );
    assert_eq!(me["deployment"], json!([]), "{me}");
    let theirs = me["tenants"]["alpha"].as_array().ok_or("alpha")?;
    assert!(
        theirs.contains(&json!("audit:read"))
            && !theirs.iter().any(|p| p.as_str().is_some_and(|p| p.ends_with(":write"))),
        "{me}"
    );
    let me = operator.get("/me", 200).await;
    assert_eq!((me["break_glass"].as_bool(), me["principal"].is_null()), (Some(true), true), "{me}");
    assert!(me["deployment"].as_array().is_some_and(|p| p.contains(&json!("tenants:delete"))), "{me}");
    assert_eq!(Admin::new(&server, "not-a-token".to_owned()).call(Method::GET, "/me", None).await.0, 401);

    // A tenant admin sees their tenant, and another tenant not at all: the same 404 as a tenant
    // that does not exist, for every route under it.
    let listed = admin.get("/tenants", 200).await;
    let ids: Vec<&str> = listed["items"].as_array().ok_or("items")?.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids, ["alpha"]);
    let (_, nowhere) = admin.call(Method::GET, "/tenants/nosuch", None).await;
    for path in ["/tenants/beta", "/tenants/beta/users", "/tenants/beta/keys", "/tenants/control/users"] {
        let (code, body) = admin.call(Method::GET, path, None).await;
        assert_eq!((code, &body), (404, &nowhere), "{path}");
    }
    assert_eq!(status(&admin, Method::POST, "/tenants/beta/users", Some(json!({"email": "x@example.com"}))).await, 404);
    // Inside: users and clients, not deleting the tenant, not creating tenants.
    let grace = admin.post("/tenants/alpha/users", json!({"email": "grace@example.com"}), 201).await;
    let grace_id = grace["id"].as_str().ok_or("id")?.to_owned();
    let client = json!({"client_id": "shop", "name": "Shop", "client_type": "confidential",
                        "redirect_uris": ["https://shop.example/cb"]});
    admin.post("/tenants/alpha/clients", client, 201).await;
    assert_eq!(status(&admin, Method::DELETE, "/tenants/alpha", None).await, 403);
    assert_eq!(status(&admin, Method::POST, "/tenants", Some(json!({"id": "gamma", "display_name": "G"}))).await, 403);
    assert_eq!(status(&admin, Method::GET, "/service-accounts", None).await, 403);
    // No role beyond what the giver holds: not owner (it can delete the tenant), support yes.
    let (code, body) = admin
        .call(
            Method::POST,
            "/tenants/alpha/role-assignments",
            Some(json!({"service_account": "alpha-support", "role": "owner"})),
        )
        .await;
    assert_eq!(code, 403, "{body}");
    let given = admin
        .post("/tenants/alpha/role-assignments", json!({"service_account": "alpha-auditor", "role": "support"}), 201)
        .await;
    assert_eq!(given["tenant"], "alpha");
    let roles = admin.get("/tenants/alpha/role-assignments", 200).await;
    assert_eq!(roles["items"].as_array().ok_or("items")?.len(), 4, "{roles}");

    // Support: users, their factors and sessions; no keys, clients, settings or trail.
    support.get(&format!("/tenants/alpha/users/{grace_id}/factors"), 200).await;
    assert_eq!(status(&support, Method::DELETE, &format!("/tenants/alpha/users/{grace_id}/factors"), None).await, 204);
    assert_eq!(status(&support, Method::DELETE, &format!("/tenants/alpha/users/{grace_id}/sessions"), None).await, 204);
    for path in ["/tenants/alpha/keys", "/tenants/alpha/clients", "/tenants/alpha/audit"] {
        let (code, body) = support.call(Method::GET, path, None).await;
        assert_eq!(code, 403, "{path}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("permission")), "{body}");
    }
    assert_eq!(status(&support, Method::PATCH, "/tenants/alpha", Some(json!({"display_name": "A"}))).await, 403);

    // The auditor (now also support) reads everything, the trail included, and changes only what
    // support may.
    auditor.get("/tenants/alpha/keys", 200).await;
    auditor.get("/tenants/alpha/clients", 200).await;
    let trail = auditor.get("/tenants/alpha/audit?limit=200", 200).await;
    let events = trail["items"].as_array().ok_or("items")?;
    let created = events.iter().find(|e| e["type"] == "user.created" && e["user_id"] == grace_id.as_str());
    assert_eq!(created.map(|e| &e["reason"]), Some(&json!("management API, by service account alpha-admin")));
    let given = events.iter().filter(|e| e["type"] == "role.assigned").filter_map(|e| e["reason"].as_str());
    assert!(
        given.clone().any(|r| r
            == "management API, by service account alpha-admin: \
                                     service_account:alpha-auditor as support for tenant alpha"),
        "{:?}",
        given.collect::<Vec<_>>()
    );
    assert_eq!(status(&auditor, Method::POST, "/tenants/alpha/keys/rotate", Some(json!({}))).await, 403);
    assert_eq!(status(&auditor, Method::DELETE, "/tenants/alpha/clients/shop", None).await, 403);

    // An administrator's tokens are not tokens of the tenants they administer, nor of anything
    // but the management API.
    let (code, _) = Admin::new(&server, "not-a-token").call(Method::GET, "/tenants", None).await;
    assert_eq!(code, 401);
    let res = server.http.get(server.url("/t/alpha/userinfo")).bearer_auth(&auditor_token).send().await?;
    assert_eq!(res.status(), 401);

    // A custom role: keys and nothing else.
    let (code, body) = operator
        .call(Method::PUT, "/roles/key-rotator", Some(json!({"permissions": ["keys:read", "keys:spin"]})))
        .await;
    assert_eq!((code, body["errors"][0]["field"].as_str()), (422, Some("permissions[1]")), "{body}");
    let role = json!({"description": "Rotates signing keys", "permissions": ["keys:read", "keys:write"]});
    operator.call(Method::PUT, "/roles/key-rotator", Some(role)).await;
    let roles = admin.get("/roles", 200).await;
    let names: Vec<&str> = roles.as_array().ok_or("roles")?.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["owner", "admin", "support", "auditor", "key-rotator"]);
    let rotator = Admin::new(&server, robot(&operator, &server, "rotator", "key-rotator", Some("alpha")).await);
    assert_eq!(status(&rotator, Method::POST, "/tenants/alpha/keys/rotate", Some(json!({}))).await, 200);
    assert_eq!(status(&rotator, Method::GET, "/tenants/alpha/users", None).await, 403);
    // Removing the role takes what it gave at once.
    assert_eq!(status(&operator, Method::DELETE, "/roles/key-rotator", None).await, 204);
    assert_eq!(status(&rotator, Method::GET, "/tenants/alpha/keys", None).await, 404);

    // A deleted service account keeps nothing: its roles go with it.
    assert_eq!(status(&operator, Method::DELETE, "/service-accounts/alpha-auditor", None).await, 204);
    assert_eq!(status(&auditor, Method::GET, "/tenants/alpha/keys", None).await, 404);
    let roles = operator.get("/tenants/alpha/role-assignments", 200).await;
    assert_eq!(roles["items"].as_array().ok_or("items")?.len(), 3, "admin, support, rotator: {roles}");
    // Deleting a tenant takes its role assignments; the control tenant cannot be deleted.
    assert_eq!(status(&operator, Method::DELETE, "/tenants/control", None).await, 409);
    assert_eq!(status(&operator, Method::DELETE, "/tenants/alpha", None).await, 204);
    let (code, body) = admin.call(Method::GET, "/tenants", None).await;
    assert_eq!(code, 403, "an administrator without roles sees no tenants: {body}");
    Ok(())
}

/// Signs `email` in to the control tenant with the password `password` (code + PKCE, public
/// client `cli`) and returns the token response.
async fn sign_in(server: &Server, email: &str, password: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let browser = ciam_testkit::Browser::new(server);
    let authorize = format!(
        "/t/control/authorize?response_type=code&client_id=cli&scope=openid&redirect_uri={}&state=s&\
         code_challenge={PKCE_CHALLENGE}&code_challenge_method=S256&resource={}",
        urlencoding(CLI_CALLBACK),
        urlencoding(&audience(server)),
    );
    let callback = sign_in_through(&browser, "control", &authorize, (email, password), CLI_CALLBACK).await?;
    let callback = url::Url::parse(&callback)?;
    let code = callback.query_pairs().find(|(k, _)| k == "code").ok_or("no code")?.1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CLI_CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
        ("client_id", "cli"),
        ("resource", &audience(server)),
    ];
    let res = server.http.post(server.url("/t/control/token")).form(&form).send().await?;
    Ok(res.json().await?)
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The operator adds person `email` to the control tenant with a password, the public sign-in
/// client `cli`, and gives the person `role` deployment-wide.
async fn add_person(operator: &Admin<'_>, email: &str, password: &str, role: &str) -> String {
    let person = operator.post("/tenants/control/users", json!({"email": email, "password": password}), 201).await;
    let id = person["id"].as_str().unwrap_or_default().to_owned();
    operator.post("/role-assignments", json!({"user_id": id, "role": role}), 201).await;
    let (code, _) = operator.call(Method::GET, "/tenants/control/clients/cli", None).await;
    if code == 404 {
        let cli = json!({"client_id": "cli", "name": "ciam CLI", "client_type": "public",
                         "redirect_uris": [CLI_CALLBACK], "scopes": ["openid"]});
        operator.post("/tenants/control/clients", cli, 201).await;
    }
    id
}

/// Lets the control tenant's sign-ins end after the password (here, so a test can show what the
/// management API itself checks; a deployment keeps the second factor).
async fn passwords_suffice(operator: &Admin<'_>) {
    let patch = json!({"settings": {"login": {"mfa": "risk"}}});
    assert_eq!(operator.call(Method::PATCH, "/tenants/control", Some(patch)).await.0, 200);
}

#[tokio::test]
async fn people_sign_in_to_the_management_api_through_the_control_tenant() -> TestResult {
    const PASSWORD: &str = "correct horse battery staple";
    // The default: administrators need a second factor. A password alone is not enough.
    let (strict, _dir) = start("admin-people-strict", &[]).await;
    let operator = Admin::new(&strict, strict.generated_admin_token());
    let control = operator.get("/tenants/control", 200).await;
    assert_eq!(control["settings"]["login"]["mfa"], "always", "{control}");
    add_person(&operator, "root@example.com", PASSWORD, "owner").await;
    passwords_suffice(&operator).await;
    let tokens = sign_in(&strict, "root@example.com", PASSWORD).await?;
    let token = tokens["access_token"].as_str().ok_or(format!("{tokens}"))?;
    let (code, body) = Admin::new(&strict, token).call(Method::GET, "/tenants", None).await;
    assert_eq!(code, 401, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("urn:ciam:acr:mfa")), "{body}");

    // A deployment that accepts passwords for its administrators.
    let (relaxed, _dir2) = start("admin-people", &[("CIAM_ADMIN__ACR", "pwd")]).await;
    let operator = Admin::new(&relaxed, relaxed.generated_admin_token());
    operator.post("/tenants", json!({"id": "alpha", "display_name": "Alpha"}), 201).await;
    let root = add_person(&operator, "root@example.com", PASSWORD, "owner").await;
    passwords_suffice(&operator).await;
    let tokens = sign_in(&relaxed, "root@example.com", PASSWORD).await?;
    let token = tokens["access_token"].as_str().ok_or(format!("{tokens}"))?;
    let me = Admin::new(&relaxed, token);
    me.post("/tenants", json!({"id": "gamma", "display_name": "Gamma"}), 201).await;
    let trail = me.get("/tenants/gamma/audit", 200).await;
    let created = trail["items"].as_array().ok_or("items")?.iter().find(|e| e["type"] == "tenant.created").cloned();
    assert_eq!(created.map(|e| e["reason"].clone()), Some(json!(format!("management API, by administrator {root}"))));
    // The person leaves: their token stops working at once.
    assert_eq!(status(&operator, Method::DELETE, &format!("/tenants/control/users/{root}"), None).await, 204);
    assert_eq!(status(&me, Method::GET, "/tenants", None).await, 401);

    // With the break-glass token turned off, none is generated, and a configured one opens
    // nothing, with a refusal that says why.
    let (locked, _dir3) = start("admin-locked", &[("CIAM_ADMIN__BREAK_GLASS", "false")]).await;
    assert!(!locked.data_dir.join("admin-token").exists(), "no break-glass token is made");
    let configured = "a-configured-break-glass-token-of-forty-characters";
    let env = [("CIAM_ADMIN__BREAK_GLASS", "false"), ("CIAM_ADMIN_TOKEN", configured)];
    let (locked, _dir4) = start("admin-locked-configured", &env).await;
    let (code, body) = Admin::new(&locked, configured.to_owned()).call(Method::GET, "/tenants", None).await;
    assert_eq!(code, 401);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("admin.break_glass")), "{body}");
    Ok(())
}
