//! The administrators' console over HTTP: signing in through the control tenant, a tenant admin
//! who sees their tenant and nothing else (also by URL guessing), finding a user by email,
//! resetting their factors after confirming (audited with the administrator), disabling and
//! enabling them, an auditor who sees none of these actions and is refused them, and a forged
//! form refused. In Chromium: an operator creates a tenant, its first user and its
//! administrator, who then signs in with a passkey and works in the tenant.

use ciam_testkit::{Admin, Browser, Server, ServerOptions, TempDir, World, hidden, location};
use reqwest::Method;
use serde_json::json;

use crate::BIN;
use crate::support::{console_as, form_pairs as pairs, sign_in_through};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct horse battery staple";

/// Adds `email` to the control tenant with `role` for tenant alpha; returns their id.
async fn administrator(operator: &Admin<'_>, email: &str, role: &str) -> String {
    crate::support::console_administrator(operator, (email, PASSWORD), role, "alpha").await
}

#[tokio::test]
async fn a_tenant_admin_finds_a_user_and_resets_their_factors_and_an_auditor_cannot() -> TestResult {
    let (server, _dir) = crate::support::console_server("console").await;
    let operator = Admin::new(&server, server.generated_admin_token());
    World::tenant("alpha").named("Alpha").user("grace@example.com").create(&operator).await;
    World::tenant("beta").named("Beta").user("bob@example.com").create(&operator).await;
    let ada = administrator(&operator, "ada@example.com", "admin").await;
    administrator(&operator, "audrey@example.com", "auditor").await;

    // Without a session the console sends the browser to sign in.
    let anonymous = Browser::new(&server);
    let res = anonymous.get("/console/t/alpha/users").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/console/login?back=%2Fconsole%2Ft%2Falpha%2Fusers"), "{}", location(&res));

    let admin = console_as(&server, PASSWORD, "ada@example.com").await?;
    let home = admin.get("/console").await.text().await?;
    assert!(home.contains("href=\"/console/t/alpha\">Alpha</a>"), "{home}");
    assert!(!home.contains("Create a tenant"), "a tenant admin creates no tenants: {home}");
    assert!(!home.contains("Beta") && !home.contains("/console/t/control"), "only her tenant: {home}");
    assert!(home.contains("Signed in as ada@example.com"), "{home}");
    // Another tenant, guessed: not found, as a tenant that does not exist.
    for path in ["/console/t/beta/users", "/console/t/nosuch/users", "/console/t/control/users", "/console/t/beta/keys"]
    {
        assert_eq!(admin.get(path).await.status(), 404, "{path}");
    }

    // Finding Grace by her address, then her page.
    let found = admin.get("/console/t/alpha/users?q=Grace%40Example.com").await.text().await?;
    let link = found
        .split("href=\"/console/t/alpha/users/")
        .skip(1)
        .find(|r| !r.starts_with("new\""))
        .and_then(|r| r.split('"').next())
        .ok_or("no user")?;
    let grace = link.to_owned();
    let page = admin.get(&format!("/console/t/alpha/users/{grace}")).await.text().await?;
    assert!(page.contains("grace@example.com") && page.contains("Reset factors"), "{page}");

    // Resetting asks first, then does it with the session's CSRF token.
    let confirm = admin.get(&format!("/console/t/alpha/users/{grace}/reset-factors")).await.text().await?;
    assert!(confirm.contains("Remove every second factor and passkey of grace@example.com?"), "{confirm}");
    let csrf = hidden(&confirm, "csrf");
    let action = format!("/console/t/alpha/users/{grace}/reset-factors");
    assert_eq!(admin.post(&action, &[("csrf", "forged")]).await.status(), 403);
    let res = admin.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), format!("/console/t/alpha/users/{grace}?done=reset-factors"));
    let done = admin.get(&location(&res)).await.text().await?;
    assert!(done.contains("Every second factor and passkey of this user was removed."), "{done}");
    let trail = operator.get("/tenants/alpha/audit?type=factor.reset", 200).await;
    assert_eq!(
        trail["items"][0]["reason"],
        format!("management API, by administrator {ada}: all authenticators removed (0)")
    );

    // Disabling her signs her out and shows on her page, which then offers to enable her again.
    let disable = format!("/console/t/alpha/users/{grace}/disable");
    let confirm = admin.get(&disable).await.text().await?;
    assert!(confirm.contains("Disable the account of grace@example.com?"), "{confirm}");
    let res = admin.post(&disable, &[("csrf", &csrf)]).await;
    let done = admin.get(&location(&res)).await.text().await?;
    assert!(done.contains("This account was disabled.") && done.contains("Enable account"), "{done}");
    assert!(!done.contains("Disable account") && !done.contains("Sign out everywhere"), "{done}");
    let graces = operator.get(&format!("/tenants/alpha/users/{grace}"), 200).await;
    assert_eq!(graces["status"], "disabled");
    let res = admin.post(&format!("/console/t/alpha/users/{grace}/enable"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), format!("/console/t/alpha/users/{grace}?done=enable"));
    assert_eq!(operator.get(&format!("/tenants/alpha/users/{grace}"), 200).await["status"], "active");
    assert_eq!(admin.get(&format!("/console/t/alpha/users/{grace}/promote")).await.status(), 404);

    // She creates a user: a taken address is refused next to its field; without a password
    // the user is mailed a link; then she edits the name, sees the session and ends it.
    let form = admin.get("/console/t/alpha/users/new").await.text().await?;
    assert!(form.contains("<label for=\"email\">Email</label>"), "{form}");
    let new_user = |email: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("email", email.to_owned()),
            ("name", "Lin".to_owned()),
            ("password", String::new()),
        ]
    };
    let res = admin.post("/console/t/alpha/users/new", &pairs(&new_user("GRACE@example.com"))).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await?.contains("id=\"email-error\""));
    let res = admin.post("/console/t/alpha/users/new", &pairs(&new_user("lin@example.com"))).await;
    let created = location(&res);
    assert!(created.ends_with("?done=created"), "{created}");
    let lin = operator.get("/tenants/alpha/users?email=lin@example.com", 200).await["items"][0].clone();
    assert_eq!((lin["name"].as_str(), lin["email_verified"].as_bool()), (Some("Lin"), Some(false)));
    crate::support::mail_to(&server.data_dir.join("mail"), "lin@example.com", "Get back into your").await;
    let lin_page = created.trim_end_matches("?done=created").to_owned();
    let profile = |birthdate: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("email", "lin@example.com".to_owned()),
            ("name", "Lin Chen".to_owned()),
            ("given_name", "Lin".to_owned()),
            ("family_name", "Chen".to_owned()),
            ("phone_number", "+14155550100".to_owned()),
            ("birthdate", birthdate.to_owned()),
            ("locale", "en-GB".to_owned()),
        ]
    };
    let res = admin.post(&format!("{lin_page}/edit"), &pairs(&profile("31/12/1990"))).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await?;
    assert!(refused.contains("id=\"birthdate-error\"") && refused.contains("value=\"+14155550100\""), "{refused}");
    let res = admin.post(&format!("{lin_page}/edit"), &pairs(&profile("1990-12-31"))).await;
    assert_eq!(location(&res), format!("{lin_page}?done=saved"));
    let lin =
        operator.get(&format!("/tenants/alpha/users/{}", lin_page.rsplit('/').next().unwrap_or_default()), 200).await;
    assert_eq!((lin["family_name"].as_str(), lin["birthdate"].as_str()), (Some("Chen"), Some("1990-12-31")), "{lin}");
    let page = admin.get(&location(&res)).await.text().await?;
    assert!(page.contains("Lin Chen") && page.contains("The changes were saved."), "{page}");
    // Found by the start of her name, whatever its case.
    let found = admin.get("/console/t/alpha/users?q=LIN%20c").await.text().await?;
    assert!(found.contains(&format!("href=\"{lin_page}\"")) && !found.contains("grace@example.com"), "{found}");
    // The management API finds her the same way.
    let by_name = operator.get("/tenants/alpha/users?name=Lin", 200).await;
    assert_eq!(by_name["items"].as_array().map(|i| i.len()), Some(1), "{by_name}");
    assert_eq!(by_name["items"][0]["email"], "lin@example.com");
    operator.get("/tenants/alpha/users?name=%20", 400).await;
    let res = admin.post(&format!("{lin_page}/mail/verify"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), format!("{lin_page}?done=mail"));
    crate::support::mail_to(&server.data_dir.join("mail"), "lin@example.com", "Confirm your email").await;
    assert_eq!(admin.post(&format!("{lin_page}/mail/promote"), &[("csrf", &csrf)]).await.status(), 404);
    // Grace signs in to Alpha: her page lists the session, which Ada ends.
    let grace_browser = Browser::new(&server);
    let account = server.url("/t/alpha/account");
    sign_in_through(&grace_browser, "alpha", &account, ("grace@example.com", PASSWORD), "/t/alpha/account").await?;
    let sessions = operator.get(&format!("/tenants/alpha/users/{grace}/sessions"), 200).await;
    let sid = sessions[0]["sid"].as_str().ok_or("no session")?.to_owned();
    let page = admin.get(&format!("/console/t/alpha/users/{grace}")).await.text().await?;
    assert!(page.contains(&format!("/sessions/{sid}\"")), "{page}");
    let res = admin.post(&format!("/console/t/alpha/users/{grace}/sessions/{sid}"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&res), format!("/console/t/alpha/users/{grace}?done=sessions"));
    assert_eq!(operator.get(&format!("/tenants/alpha/users/{grace}/sessions"), 200).await, json!([]));

    // The auditor reads the same pages, without the button, and is refused the action.
    let auditor = console_as(&server, PASSWORD, "audrey@example.com").await?;
    let page = auditor.get(&format!("/console/t/alpha/users/{grace}")).await.text().await?;
    assert!(page.contains("grace@example.com") && !page.contains("Reset factors"), "{page}");
    assert!(!page.contains("Disable account") && !page.contains("Sign out everywhere"), "{page}");
    assert_eq!(auditor.get(&action).await.status(), 403);

    // Signing out ends the console session.
    let home = admin.get("/console").await.text().await?;
    let res = admin.post("/console/logout", &[("csrf", &hidden(&home, "csrf"))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(admin.get("/console").await.status(), 303, "signed out: off to sign in again");
    Ok(())
}

/// A port on localhost (browsers allow WebAuthn on plain http only there) and the server
/// environment that serves on it.
fn on_localhost() -> Result<(String, Vec<(String, String)>), std::io::Error> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let origin = format!("http://localhost:{port}");
    Ok((origin.clone(), vec![("CIAM_BIND".into(), format!("127.0.0.1:{port}")), ("CIAM_PUBLIC_URL".into(), origin)]))
}

#[tokio::test]
async fn in_chromium_an_operator_creates_a_tenant_whose_admin_signs_in_with_a_passkey_and_resets_a_users_factors()
-> TestResult {
    let tools = match crate::support::browser_tools() {
        Ok(tools) => tools,
        Err(why) => {
            ciam_testkit::skip_or_fail("headless Chromium with playwright-core", why);
            return Ok(());
        }
    };
    let (origin, mut env) = on_localhost()?;
    // Administrators must sign in with a passkey.
    env.push(("CIAM_ADMIN__ACR".into(), "phr".into()));
    let dir = TempDir::new("console-chromium");
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let operator = Admin::new(&server, server.generated_admin_token());
    World::tenant("beta").named("Beta").user("bob@example.com").create(&operator).await;
    // The first sign-ins, to add the passkeys, end after the password and a code by email.
    let patch = json!({"settings": {"login": {"mfa": "risk"}}});
    assert_eq!(operator.call(Method::PATCH, "/tenants/control", Some(patch)).await.0, 200);
    // Olga runs the deployment (owner everywhere); Ada has an account and no role yet.
    let control_user = async |email: &str| {
        let person = operator.post("/tenants/control/users", json!({"email": email, "password": PASSWORD}), 201).await;
        person["id"].as_str().unwrap_or_default().to_owned()
    };
    let olga = control_user("olga@example.com").await;
    operator.post("/role-assignments", json!({"user_id": olga, "role": "owner"}), 201).await;
    let ada = control_user("ada@example.com").await;

    let env = [
        ("CIAM_ORIGIN", origin),
        ("CIAM_OPERATOR_EMAIL", "olga@example.com".to_owned()),
        ("CIAM_TENANT_ID", "alpha".to_owned()),
        ("CIAM_EMAIL", "ada@example.com".to_owned()),
        ("CIAM_PASSWORD", PASSWORD.to_owned()),
        ("CIAM_TENANT_NAME", "Alpha".to_owned()),
        ("CIAM_OTHER_TENANT", "beta".to_owned()),
        ("CIAM_USER_EMAIL", "grace@example.com".to_owned()),
        ("CIAM_MAIL_DIR", server.data_dir.join("mail").display().to_string()),
    ];
    let mut env: Vec<(&str, String)> = env.into();
    if let Ok(dir) = std::env::var("CIAM_SCREENSHOTS") {
        env.push(("CIAM_SCREENSHOTS", dir));
    }
    let seen = crate::support::run_browser_script(&tools, &server, "console.mjs", &env, 180).await;
    assert_eq!(seen["stepped_up"], true, "the console's sign-in asked for the passkey: {seen}");
    assert_eq!(seen["tenants"], json!(["Alpha"]), "{seen}");
    let administrators = seen["administrators"].as_str().unwrap_or_default();
    assert!(administrators.contains("ada@example.com"), "the operator gave Ada her role: {seen}");
    let roles = operator.get("/tenants/alpha/role-assignments", 200).await;
    assert!(roles.to_string().contains(&ada) && roles.to_string().contains("\"admin\""), "{roles}");
    let grace = operator.get("/tenants/alpha/users?email=grace@example.com", 200).await;
    assert_eq!(grace["items"].as_array().map(Vec::len), Some(1), "the operator created Grace: {grace}");
    assert_eq!(seen["status"], "Every second factor and passkey of this user was removed.");
    assert_eq!((seen["guessed"].as_u64(), seen["guessed_text"].as_str()), (Some(404), Some("Not found.")), "{seen}");
    assert_eq!((seen["live_search"].as_bool(), seen["in_place"].as_bool()), (Some(true), Some(true)), "{seen}");
    assert_eq!(seen["invalid"], "true", "{seen}");
    assert!(seen["refused"].as_str().is_some_and(|r| r.contains("http://app.example/callback")), "{seen}");
    assert!(seen["secret_length"].as_u64().is_some_and(|n| n >= 32), "{seen}");
    assert!(seen["chain"].as_str().is_some_and(|c| c.starts_with("The chain is intact")), "{seen}");
    assert!(seen["simulated"].as_str().is_some_and(|s| s.contains("Allowed")), "{seen}");
    let pages = seen["checked"].as_array().ok_or("checked")?;
    assert_eq!(pages.len(), 16, "{seen}");
    // The reset is in Alpha's trail, done by Ada through the console.
    let trail = operator.get("/tenants/alpha/audit?type=factor.reset", 200).await;
    let reason = trail["items"][0]["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.starts_with(&format!("management API, by administrator {ada}")), "{trail}");
    Ok(())
}
