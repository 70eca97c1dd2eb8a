//! The console's tenant pages over HTTP: an operator creates a tenant (its errors next to the
//! field) and gives its administrator a role by address (a new account, mailed a link); the
//! tenant admin registers an application (its secret shown once, then rotated), registers an
//! API and adds an identity provider (then removes both), rotates the signing keys, reads and filters the audit trail and checks its chain, and gives a support
//! role; the support user does not see the keys; the operator deletes the tenant after typing
//! its id. Pages follow the language picked with the switcher.

use ciam_testkit::{Admin, World, hidden, location};
use reqwest::Method;
use serde_json::json;

use crate::support::{console_as, console_server, form_pairs as pairs, mail_to};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct horse battery staple";

/// The value of the read-only secret field of a "new secret" page.
fn shown_secret(page: &str) -> String {
    page.split("id=\"secret\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned()
}

/// Sets the password of the control-tenant account `email` (as if its mailed link was used).
async fn set_password(operator: &Admin<'_>, email: &str) -> String {
    let found = operator.get(&format!("/tenants/control/users?email={email}"), 200).await;
    let id = found["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let patch = json!({"password": PASSWORD, "email_verified": true});
    assert_eq!(operator.call(Method::PATCH, &format!("/tenants/control/users/{id}"), Some(patch)).await.0, 200);
    id
}

#[tokio::test]
async fn an_operator_creates_a_tenant_whose_admin_manages_applications_keys_and_the_audit_trail() -> TestResult {
    let (server, _dir) = console_server("console-tenants").await;
    let operator = Admin::new(&server, server.generated_admin_token());
    World::tenant("alpha").named("Alpha").create(&operator).await;
    let olga =
        operator.post("/tenants/control/users", json!({"email": "olga@example.com", "password": PASSWORD}), 201).await;
    operator.post("/role-assignments", json!({"user_id": olga["id"], "role": "owner"}), 201).await;

    // The operator creates a tenant; a bad id is refused next to its field.
    let owner = console_as(&server, PASSWORD, "olga@example.com").await?;
    let home = owner.get("/console").await.text().await?;
    assert!(home.contains("href=\"/console/new-tenant\">Create a tenant</a>"), "{home}");
    let form = owner.get("/console/new-tenant").await.text().await?;
    let csrf = hidden(&form, "csrf");
    let res =
        owner.post("/console/new-tenant", &[("csrf", &csrf), ("id", "Not A Slug"), ("display_name", "Gamma")]).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(refused.contains("id=\"id-error\"") && refused.contains("aria-invalid=\"true\""), "{refused}");
    assert!(refused.contains("value=\"Gamma\""), "what was typed stays: {refused}");
    let res = owner.post("/console/new-tenant", &[("csrf", &csrf), ("id", "alpha"), ("display_name", "Again")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("This is taken already."));
    let res = owner.post("/console/new-tenant", &[("csrf", &csrf), ("id", "gamma"), ("display_name", "Gamma")]).await;
    assert_eq!(location(&res), "/console/t/gamma?done=created");
    let overview = owner.get(&location(&res)).await.text().await?;
    assert!(overview.contains("The tenant was created with its signing keys."), "{overview}");
    assert_eq!(operator.get("/tenants/gamma", 200).await["display_name"], "Gamma");

    // … and gives its administrator a role by address: a new account, mailed a link.
    let res = owner
        .post(
            "/console/t/gamma/administrators/new",
            &[("csrf", &csrf), ("email", "tina@example.com"), ("role", "admin")],
        )
        .await;
    assert_eq!(location(&res), "/console/t/gamma/administrators?done=invited");
    let mail = mail_to(&server.data_dir.join("mail"), "tina@example.com", "Get back into your").await;
    assert!(mail.contains("/t/control/"), "{mail}");
    let tina = set_password(&operator, "tina@example.com").await;
    let roles = operator.get("/tenants/gamma/role-assignments", 200).await;
    assert_eq!(
        (roles["items"][0]["principal"]["id"].as_str(), roles["items"][0]["role"].as_str()),
        (Some(tina.as_str()), Some("admin"))
    );

    // The tenant admin sees Gamma and nothing else, and no deletion.
    let admin = console_as(&server, PASSWORD, "tina@example.com").await?;
    let home = admin.get("/console").await.text().await?;
    assert!(home.contains(">Gamma</a>") && !home.contains("Alpha"), "{home}");
    assert_eq!(admin.get("/console/t/alpha/clients").await.status(), 404);
    let overview = admin.get("/console/t/gamma").await.text().await?;
    for section in [
        "Users",
        "Applications and agents",
        "APIs",
        "Identity providers",
        "Signing keys",
        "Audit trail",
        "Administrators",
        "Settings",
    ] {
        assert!(overview.contains(&format!(">{section}</a>")), "{section}: {overview}");
    }
    assert!(!overview.contains("Delete tenant"), "{overview}");
    assert_eq!(admin.get("/console/t/gamma/delete").await.status(), 403);

    // She registers an application: a redirect URI that is not https is refused by its field;
    // the secret is shown once.
    let csrf = hidden(&overview, "csrf");
    let app = |uri: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Gamma web".to_owned()),
            ("client_type", "confidential".to_owned()),
            ("redirect_uris", uri.to_owned()),
            ("scopes", "openid email".to_owned()),
            ("client_id", "gamma-web".to_owned()),
            ("jwks", String::new()),
        ]
    };
    let res = admin.post("/console/t/gamma/clients/new", &pairs(&app("http://app.example/callback"))).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(refused.contains("id=\"redirect_uris-error\""), "{refused}");
    let res = admin.post("/console/t/gamma/clients/new", &pairs(&app("https://app.example/callback"))).await;
    assert_eq!(res.status(), 200);
    let shown = res.text().await?;
    let first = shown_secret(&shown);
    assert!(first.len() >= 32 && shown.contains("shown only this once"), "{shown}");
    let client = operator.get("/tenants/gamma/clients/gamma-web", 200).await;
    assert_eq!(client["redirect_uris"], json!(["https://app.example/callback"]));
    assert!(client.get("client_secret").is_none(), "never shown again: {client}");
    let page = admin.get("/console/t/gamma/clients/gamma-web").await.text().await?;
    assert!(page.contains("Gamma web") && !page.contains(&first), "{page}");
    // A new secret, confirmed first; it differs from the first.
    let confirm = admin.get("/console/t/gamma/clients/gamma-web/rotate-secret").await.text().await?;
    assert!(confirm.contains("The current secret stops working at once."), "{confirm}");
    let res = admin.post("/console/t/gamma/clients/gamma-web/rotate-secret", &[("csrf", &csrf)]).await;
    let second = shown_secret(&res.text().await?);
    assert!(!second.is_empty() && second != first);

    // She registers an API, its introspection secret shown once; a bad identifier is refused
    // by its field.
    let form = admin.get("/console/t/gamma/resources/new").await.text().await?;
    assert!(form.contains("<label for=\"identifier\">"), "{form}");
    let api = |identifier: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Orders".to_owned()),
            ("id", "orders".to_owned()),
            ("identifier", identifier.to_owned()),
            ("scopes", "orders:read orders:write".to_owned()),
            ("access_token_lifetime", "600".to_owned()),
            ("introspection", "secret".to_owned()),
        ]
    };
    let res = admin.post("/console/t/gamma/resources/new", &pairs(&api("not a uri"))).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"identifier-error\""));
    let res = admin.post("/console/t/gamma/resources/new", &pairs(&api("https://api.gamma.example/orders"))).await;
    assert_eq!(res.status(), 200);
    assert!(shown_secret(&res.text().await?).len() >= 32);
    let orders = operator.get("/tenants/gamma/resources/orders", 200).await;
    assert_eq!(
        (orders["identifier"].as_str(), orders["access_token_lifetime"].as_u64()),
        (Some("https://api.gamma.example/orders"), Some(600))
    );
    assert_eq!(orders["client_id"], "resource.orders", "{orders}");
    let apis = admin.get("/console/t/gamma/resources").await.text().await?;
    assert!(apis.contains("https://api.gamma.example/orders") && apis.contains("orders:read"), "{apis}");
    assert!(apis.contains("href=\"/console/t/gamma/resources/orders/delete\">Delete Orders</a>"), "{apis}");

    // She adds an OpenID Connect provider: without an issuer it is refused by that field; its
    // secret is stored and never shown.
    let providers = admin.get("/console/t/gamma/identity-providers").await.text().await?;
    assert!(providers.contains("The redirect URI to register at every provider:"), "{providers}");
    let provider = |issuer: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("kind", "oidc".to_owned()),
            ("display_name", "Corp SSO".to_owned()),
            ("id", "corp".to_owned()),
            ("issuer", issuer.to_owned()),
            ("client_id", "ciam".to_owned()),
            ("client_secret", "upstream-secret".to_owned()),
            ("home_realm_domains", "corp.example".to_owned()),
            ("create_users", "yes".to_owned()),
        ]
    };
    let res = admin.post("/console/t/gamma/identity-providers/new", &pairs(&provider(""))).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(refused.contains("id=\"issuer-error\"") && !refused.contains("upstream-secret"), "{refused}");
    let res =
        admin.post("/console/t/gamma/identity-providers/new", &pairs(&provider("https://login.corp.example"))).await;
    assert_eq!(location(&res), "/console/t/gamma/identity-providers?done=added");
    let corp = operator.get("/tenants/gamma/identity-providers/corp", 200).await;
    assert_eq!(
        (corp["has_client_secret"].as_bool(), corp["create_users"].as_bool()),
        (Some(true), Some(true)),
        "{corp}"
    );
    assert_eq!(corp["home_realm_domains"], json!(["corp.example"]));
    let providers = admin.get(&location(&res)).await.text().await?;
    assert!(providers.contains("Corp SSO") && providers.contains("corp.example"), "{providers}");
    assert!(providers.contains(corp["redirect_uri"].as_str().unwrap_or("?")), "{providers}");
    assert!(!providers.contains("upstream-secret"), "no secret on the page");

    // Removing either is confirmed first.
    let confirm = admin.get("/console/t/gamma/identity-providers/corp/delete").await.text().await?;
    assert!(confirm.contains("Remove Corp SSO?"), "{confirm}");
    let res = admin.post("/console/t/gamma/identity-providers/corp/delete", &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), "/console/t/gamma/identity-providers?done=deleted");
    operator.get("/tenants/gamma/identity-providers/corp", 404).await;
    let res = admin.post("/console/t/gamma/resources/orders/delete", &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), "/console/t/gamma/resources?done=deleted");
    operator.get("/tenants/gamma/resources/orders", 404).await;
    assert_eq!(admin.get("/console/t/gamma/resources/orders/delete").await.status(), 404);

    // She rotates the signing keys: the active key retires.
    let keys = operator.get("/tenants/gamma/keys", 200).await;
    let active: Vec<String> = keys
        .as_array()
        .into_iter()
        .flatten()
        .filter(|k| k["state"] == "active")
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect();
    let page = admin.get("/console/t/gamma/keys").await.text().await?;
    assert!(active.iter().all(|kid| page.contains(kid.as_str())), "{page}");
    let res = admin.post("/console/t/gamma/keys/rotate", &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), "/console/t/gamma/keys?done=rotated");
    let keys = operator.get("/tenants/gamma/keys", 200).await;
    for kid in &active {
        let state =
            keys.as_array().into_iter().flatten().find(|k| k["kid"] == kid.as_str()).map(|k| k["state"].clone());
        assert_eq!(state, Some(json!("retired")), "{kid}: {keys}");
    }

    // The overview counts the day's activity from the trail: her sign-in, the new tenant's
    // events by type.
    let overview = admin.get("/console/t/gamma").await.text().await?;
    assert!(overview.contains("The last 24 hours") && overview.contains("The last 7 days"), "{overview}");
    assert!(overview.contains("/console/t/gamma/audit?type=client.secret_rotated"), "{overview}");
    let tiles = |page: &str, label: &str| -> Option<u64> {
        let after = page.split(&format!("<dt>{label}</dt><dd>")).nth(1)?;
        after.split('<').next()?.parse().ok()
    };
    assert_eq!(tiles(&overview, "Tokens refreshed"), Some(0), "{overview}");
    assert!(!overview.contains("token requests by grant"), "no token request yet: {overview}");

    // Token requests count by grant: a service's client credentials, twice, and a refused code.
    let svc = operator
        .post(
            "/tenants/gamma/clients",
            json!({"client_id": "gamma-jobs", "name": "Gamma jobs", "client_type": "confidential",
                   "grant_types": ["client_credentials"]}),
            201,
        )
        .await;
    let secret = svc["client_secret"].as_str().unwrap_or_default().to_owned();
    for (grant, status) in [("client_credentials", 200), ("client_credentials", 200), ("authorization_code", 400)] {
        let form = [("grant_type", grant), ("code", "not-a-code")];
        let req = server.http.post(server.url("/t/gamma/token")).basic_auth("gamma-jobs", Some(&secret)).form(&form);
        assert_eq!(req.send().await?.status().as_u16(), status, "{grant}");
    }
    let overview = admin.get("/console/t/gamma").await.text().await?;
    assert!(overview.contains("<caption>The last 24 hours: token requests by grant</caption>"), "{overview}");
    for row in ["Client credentials</th><td>2</td><td>0</td>", "Authorization code</th><td>0</td><td>1</td>"] {
        assert!(overview.contains(&format!("<th scope=\"row\">{row}")), "{row}: {overview}");
    }
    assert_eq!(tiles(&overview, "Tokens issued"), Some(2), "{overview}");
    let support_view = |s: &str| s.contains("<h2>Activity</h2>");
    assert!(support_view(&overview));
    // The audit trail names her; filters narrow it; the chain verifies; a bad day is refused.
    let trail = admin.get("/console/t/gamma/audit?type=client.secret_rotated").await.text().await?;
    assert!(trail.contains("client.secret_rotated") && trail.contains(&format!("by administrator {tina}")), "{trail}");
    assert!(!trail.contains("key.rotated"), "filtered by type: {trail}");
    let verified = admin.get("/console/t/gamma/audit?verify=1").await.text().await?;
    assert!(verified.contains("The chain is intact:"), "{verified}");
    let res = admin.get("/console/t/gamma/audit?since=yesterday").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"since-error\""));

    // Settings: each refusal stands next to its field; saved, the API shows them.
    let settings = admin.get("/console/t/gamma/settings").await.text().await?;
    assert!(settings.contains("<label for=\"primary_color\">Primary colour</label>"), "{settings}");
    for label in ["Users may sign in with a passkey", "Session idle timeout", "Sign-up only from these domains"] {
        assert!(settings.contains(label), "{label}: {settings}");
    }
    let form = |csrf: &str, color: &'static str, policy: &'static str| -> Vec<(&'static str, String)> {
        [
            ("csrf", csrf),
            ("display_name", "Gamma Inc."),
            ("signup_mode", "open"),
            ("require_email_verification", "on"),
            ("allowed_email_domains", "gamma.example\nexample.com"),
            ("blocked_email_domains", ""),
            ("terms_url", "https://gamma.example/terms"),
            ("privacy_url", ""),
            // Unticked checkboxes are not sent: the code by email is turned off.
            ("login_password", "on"),
            ("login_passkey", "on"),
            ("mfa", "always"),
            ("password_min_length", "12"),
            ("refuse_common_passwords", "on"),
            ("session_lifetime_secs", "86400"),
            ("session_idle_timeout_secs", "3600"),
            ("primary_color", color),
            ("logo_uri", ""),
            ("default_locale", "fr"),
            ("risk_policy", policy),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    };
    // No way to sign in at all is refused next to the first of them.
    let mut none = form(&csrf, "#1a4d2e", "");
    none.retain(|(k, _)| !k.starts_with("login_"));
    let res = admin.post("/console/t/gamma/settings", &pairs(&none)).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(refused.contains("id=\"login_password-error\""), "{refused}");
    let res = admin.post("/console/t/gamma/settings", &pairs(&form(&csrf, "#ffff00", ""))).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(
        refused.contains("id=\"primary_color-error\"") && !refused.contains("id=\"risk_policy-error\""),
        "{refused}"
    );
    let res = admin
        .post("/console/t/gamma/settings", &pairs(&form(&csrf, "#1a4d2e", "{\"step_up_at\": 95, \"deny_at\": 90}")))
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"risk_policy-error\""));
    let res = admin
        .post("/console/t/gamma/settings", &pairs(&form(&csrf, "#1a4d2e", "{\"ip_deny\": [\"203.0.113.0/24\"]}")))
        .await;
    assert_eq!(location(&res), "/console/t/gamma/settings?done=saved");
    let saved = operator.get("/tenants/gamma", 200).await;
    assert_eq!(
        (
            saved["display_name"].as_str(),
            saved["settings"]["login"]["mfa"].as_str(),
            saved["settings"]["signup"]["mode"].as_str()
        ),
        (Some("Gamma Inc."), Some("always"), Some("open"))
    );
    let (login, signup) = (&saved["settings"]["login"], &saved["settings"]["signup"]);
    assert_eq!((login["email_code"].as_bool(), login["passkey"].as_bool()), (Some(false), Some(true)), "{login}");
    assert_eq!(
        (login["session_lifetime_secs"].as_u64(), login["session_idle_timeout_secs"].as_u64()),
        (Some(86400), Some(3600))
    );
    assert_eq!(signup["allowed_email_domains"], json!(["gamma.example", "example.com"]), "{signup}");
    assert_eq!(signup["terms_url"], "https://gamma.example/terms");
    let page = admin.get("/console/t/gamma/settings?done=saved").await.text().await?;
    assert!(page.contains("background: #1a4d2e"), "the preview takes the colour: {page}");
    // The simulator: the saved policy denies the listed network, allows elsewhere; a policy to
    // try instead is used without being saved; a bad address is refused by its field.
    let denied =
        admin.get("/console/t/gamma/settings?ip=203.0.113.7&ua=Mozilla%2F5.0&user=&device=new").await.text().await?;
    assert!(denied.contains("Denied") && denied.contains("ip_deny"), "{denied}");
    let allowed =
        admin.get("/console/t/gamma/settings?ip=198.51.100.7&ua=Mozilla%2F5.0&user=&device=known").await.text().await?;
    assert!(allowed.contains("Allowed"), "{allowed}");
    let tried = admin
        .get("/console/t/gamma/settings?ip=198.51.100.7&ua=curl%2F8&device=new&policy=%7B%22step_up_at%22%3A10%7D")
        .await
        .text()
        .await?;
    assert!(tried.contains("A second factor is asked for") && tried.contains("bot_user_agent"), "{tried}");
    let res = admin.get("/console/t/gamma/settings?ip=not-an-ip").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"sim-ip-error\""));

    // She gives a support role; support sees users but not the keys.
    let res = admin
        .post(
            "/console/t/gamma/administrators/new",
            &[("csrf", &csrf), ("email", "sam@example.com"), ("role", "support")],
        )
        .await;
    assert_eq!(location(&res), "/console/t/gamma/administrators?done=invited");
    // A role she does not hold all of is refused next to the field.
    let res = admin
        .post(
            "/console/t/gamma/administrators/new",
            &[("csrf", &csrf), ("email", "sam@example.com"), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"role-error\""));
    set_password(&operator, "sam@example.com").await;
    let support = console_as(&server, PASSWORD, "sam@example.com").await?;
    let users = support.get("/console/t/gamma/users").await.text().await?;
    assert!(users.contains(">Users</a>") && !users.contains(">Signing keys</a>"), "{users}");
    assert_eq!(support.get("/console/t/gamma/keys").await.status(), 403);
    assert!(!support_view(&support.get("/console/t/gamma").await.text().await?), "activity needs audit:read");
    assert_eq!(support.get("/console/t/gamma/clients").await.status(), 403);
    assert_eq!(support.get("/console/t/gamma/resources").await.status(), 403);
    let settings = support.get("/console/t/gamma/settings").await.text().await?;
    assert!(
        settings.contains("without changing them")
            && !settings.contains("method=\"post\" action=\"/console/t/gamma/settings\"")
    );
    let theirs = form(&hidden(&settings, "csrf"), "#1a4d2e", "");
    assert_eq!(support.post("/console/t/gamma/settings", &pairs(&theirs)).await.status(), 403);

    // The console follows the language picked with the switcher, and remembers it.
    let res = support.get("/console/t/gamma/users?lang=de").await;
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("ciam_console_lang=de")))
    );
    assert!(res.text().await?.contains("lang=\"de\""));
    assert!(support.get("/console").await.text().await?.contains("lang=\"de\""), "remembered");

    // The operator deletes the tenant, once its id is typed.
    let confirm = owner.get("/console/t/gamma/delete").await.text().await?;
    assert!(confirm.contains("Type gamma to confirm"), "{confirm}");
    let res = owner.post("/console/t/gamma/delete", &[("csrf", &hidden(&confirm, "csrf")), ("confirm", "gama")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(operator.get("/tenants/gamma", 200).await["id"], "gamma", "still there");
    let res = owner.post("/console/t/gamma/delete", &[("csrf", &hidden(&confirm, "csrf")), ("confirm", "gamma")]).await;
    assert_eq!(location(&res), "/console");
    operator.get("/tenants/gamma", 404).await;
    // The control tenant is never offered for deletion.
    assert!(!owner.get("/console/t/control").await.text().await?.contains("Delete tenant"));
    assert_eq!(owner.get("/console/t/control/delete").await.status(), 403);
    Ok(())
}
