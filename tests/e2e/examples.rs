//! The sample applications under `examples/` work against the real server, as their READMEs
//! set them up: the Node web app (`openid-client`) signs Ada in through the hosted pages, shows
//! her claims, calls the example API with her access token and signs her out; the example API
//! (`jose`) accepts only tokens issued for it; the Python web app (Authlib) signs her in too.
//!
//! Nothing is installed here: the Node apps need Node.js 20 or later and their `node_modules`
//! (`npm ci --prefix examples/node-web`, `npm ci --prefix examples/node-api`); the Python app
//! needs a virtual environment at `<target dir>/py-examples` with `examples/python-web/
//! requirements.txt` installed. `.ci/run` prepares all three. Outside CI a missing piece skips
//! the test with a notice; under `CI=true` it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use ciam_testkit::{Admin, Browser, PASSWORD, Server, ServerOptions, TempDir, World, hidden, location, skip_or_fail};
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

use crate::BIN;

/// The directory of example `name`.
fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

/// Node.js 20 or later with each example's dependencies installed, or why not.
fn node_examples(names: &[&str]) -> Result<(), String> {
    let Ok(node) = std::process::Command::new("node").arg("--version").output() else {
        return Err("node is not installed (apt-get install nodejs npm)".into());
    };
    let version = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < 20 {
        return Err(format!("the examples need Node.js 20 or later, found {version:?}"));
    }
    for name in names {
        let dir = example(name);
        if !dir.join("node_modules").is_dir() {
            return Err(format!("dependencies not installed: run npm ci --prefix {}", dir.display()));
        }
    }
    Ok(())
}

/// The Python of the examples' virtual environment (`<target dir>/py-examples`), or why not.
fn python_examples() -> Result<PathBuf, String> {
    // BIN is `<target dir>/<profile>/ciam`.
    let target = Path::new(BIN).parent().and_then(Path::parent).ok_or("no target directory")?;
    let venv = target.join("py-examples");
    let python = venv.join("bin/python");
    let ready = std::process::Command::new(&python)
        .args(["-c", "import flask, authlib, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        return Err(format!(
            "run python3 -m venv {0} && {0}/bin/pip install -r {1}",
            venv.display(),
            example("python-web/requirements.txt").display()
        ));
    }
    Ok(python)
}

/// A free port on 127.0.0.1 (the example binds it itself).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An example's process, killed when dropped.
struct Example {
    _process: Child,
}

impl Example {
    /// Runs `program args` in example `dir` with `env`, and waits until `probe` answers.
    async fn start(program: &Path, args: &[&str], dir: &Path, env: &[(&str, &str)], probe: &str) -> Self {
        let mut command = Command::new(program);
        command.args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("{} starts: {e}", program.display()));
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http.get(probe).send().await.is_ok() {
                return Self { _process: child };
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                child.stderr.take().unwrap().read_to_string(&mut stderr).await.unwrap();
                panic!("{} in {} stopped ({status}):\n{stderr}", program.display(), dir.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} in {} did not answer at {probe}", program.display(), dir.display())
    }
}

/// Walks a browser from a redirect into the server through its sign-in and consent pages (as
/// Ada, allowing) until the server sends it back to `app`; returns that URL.
async fn sign_in_to(browser: &Browser, mut res: reqwest::Response, app: &str) -> String {
    for _ in 0..10 {
        match res.status().as_u16() {
            302 | 303 => {
                let to = location(&res);
                if to.starts_with(app) {
                    return to;
                }
                res = browser.get(&to).await;
            }
            200 => {
                let html = res.text().await.unwrap();
                let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
                res = if html.contains("name=\"password\"") {
                    let form =
                        [("flow", &*flow), ("csrf", &csrf), ("email", "ada@example.com"), ("password", PASSWORD)];
                    browser.post("/t/acme/login", &form).await
                } else {
                    assert!(html.contains("decision"), "expected the consent page: {html}");
                    browser.post("/t/acme/consent", &[("flow", &flow), ("csrf", &csrf), ("decision", "allow")]).await
                };
            }
            s => panic!("unexpected {s}: {}", res.text().await.unwrap()),
        }
    }
    panic!("never sent back to {app}")
}

/// A server with tenant `acme` and Ada.
async fn acme(tag: &str) -> (Server, TempDir) {
    let data = TempDir::new(tag);
    let server = Server::start(BIN, &data.0, ServerOptions::default()).await;
    let ada = json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada Lovelace", "email_verified": true});
    World::tenant("acme")
        .named("Acme")
        .user_with(ada)
        .create(&Admin::new(&server, server.generated_admin_token()))
        .await;
    (server, data)
}

#[tokio::test]
async fn node_web_app_signs_ada_in_and_the_api_accepts_only_tokens_for_it() {
    if let Err(why) = node_examples(&["node-web", "node-api"]) {
        return skip_or_fail("node with the examples' dependencies", why);
    }
    let (server, _data) = acme("examples-node").await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let issuer = server.url("/t/acme");
    let (app, api) = (format!("http://127.0.0.1:{}", free_port()), format!("http://127.0.0.1:{}", free_port()));
    // The settings examples/node-api/README.md and examples/node-web/README.md paste.
    admin
        .post(
            "/tenants/acme/resources",
            json!({"id": "notes", "identifier": api, "name": "Notes API", "scopes": ["notes:read"]}),
            201,
        )
        .await;
    let client = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "node-web", "name": "Node example", "client_type": "confidential",
                   "redirect_uris": [format!("{app}/callback")], "post_logout_redirect_uris": [format!("{app}/")],
                   "scopes": ["openid", "profile", "email", "notes:read"]}),
            201,
        )
        .await;
    let secret = client["client_secret"].as_str().unwrap();
    let node = Path::new("node");
    let _api = Example::start(
        node,
        &["api.mjs"],
        &example("node-api"),
        &[("CIAM_ISSUER", &issuer), ("API_URL", &api)],
        &format!("{api}/notes"),
    )
    .await;
    let env = [("CIAM_ISSUER", &*issuer), ("APP_URL", &app), ("API_URL", &api), ("CLIENT_SECRET", secret)];
    let _app = Example::start(node, &["app.mjs"], &example("node-web"), &env, &format!("{app}/")).await;

    let browser = Browser::new(&server);
    let home = browser.get(&format!("{app}/")).await.text().await.unwrap();
    assert!(home.contains("href=\"/login\""), "signed out: {home}");
    let login = browser.get(&format!("{app}/login")).await;
    let to = location(&login);
    assert!(to.starts_with(&format!("{issuer}/authorize?")), "{to}");
    for part in ["code_challenge_method=S256", "client_id=node-web", "resource="] {
        assert!(to.contains(part), "{part} in {to}");
    }
    let callback = sign_in_to(&browser, login, &app).await;
    assert!(callback.starts_with(&format!("{app}/callback?code=")), "{callback}");
    let res = browser.get(&callback).await;
    assert_eq!(res.status(), 302, "{}\n{}", res.text().await.unwrap(), server.logs());
    assert_eq!(location(&res), format!("{app}/"));
    let home = browser.get(&format!("{app}/")).await.text().await.unwrap();
    assert!(home.contains("Signed in as Ada Lovelace"), "{home}");
    assert!(home.contains("ada@example.com") && home.contains(&issuer), "her ID token's claims: {home}");

    // The app calls the API with Ada's access token, issued for the API.
    let page = browser.get(&format!("{app}/api")).await.text().await.unwrap();
    assert!(page.contains("The API answered 200"), "{page}");
    assert!(page.contains("node-web") && page.contains("notes"), "{page}");

    // The API on its own: no token, a forged one, and one for another audience are 401.
    let http = reqwest::Client::new();
    let notes = format!("{api}/notes");
    let res = http.get(&notes).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    let res = http.get(&notes).bearer_auth("not.a.jwt").send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let svc = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                   "grant_types": ["client_credentials"], "scopes": ["notes:read"]}),
            201,
        )
        .await;
    let svc_secret = svc["client_secret"].as_str().unwrap().to_owned();
    let token = |resource: Option<&str>| {
        let mut form = vec![("grant_type", "client_credentials"), ("scope", "notes:read")];
        if let Some(r) = resource {
            form.push(("resource", r));
        }
        let req = server.http.post(server.url("/t/acme/token")).basic_auth("svc", Some(&svc_secret)).form(&form);
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let for_api = token(Some(&api)).await;
    let for_api = for_api["access_token"].as_str().unwrap_or_else(|| panic!("{for_api}"));
    let res = http.get(&notes).bearer_auth(for_api).send().await.unwrap();
    assert_eq!(res.status(), 200, "a token for the API");
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["client"], "svc");
    let elsewhere = token(None).await;
    let elsewhere = elsewhere["access_token"].as_str().unwrap_or_else(|| panic!("{elsewhere}"));
    assert_ne!(crate::claims(elsewhere)["aud"], json!(api));
    let res = http.get(&notes).bearer_auth(elsewhere).send().await.unwrap();
    assert_eq!(res.status(), 401, "a token for another audience");

    // Sign out: the app, then the server, which sends the browser back to the app.
    let res = browser.get(&format!("{app}/logout")).await;
    let to = location(&res);
    assert!(to.starts_with(&format!("{issuer}/logout?")) && to.contains("id_token_hint="), "{to}");
    let res = browser.get(&to).await;
    assert!(location(&res).starts_with(&format!("{app}/")), "{}", location(&res));
    let home = browser.get(&format!("{app}/")).await.text().await.unwrap();
    assert!(home.contains("href=\"/login\""), "signed out: {home}");
    let again = browser.get(&format!("{app}/login")).await;
    let page = browser.get(&location(&again)).await;
    assert!(location(&page).contains("/t/acme/login?flow="), "the server's session ended too");
}

#[tokio::test]
async fn python_web_app_signs_ada_in() {
    let python = match python_examples() {
        Ok(python) => python,
        Err(why) => return skip_or_fail("python3 with the example's virtual environment", why),
    };
    let (server, _data) = acme("examples-python").await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let issuer = server.url("/t/acme");
    let app = format!("http://127.0.0.1:{}", free_port());
    let client = admin
        .post(
            "/tenants/acme/clients",
            json!({"client_id": "python-web", "name": "Python example", "client_type": "confidential",
                   "redirect_uris": [format!("{app}/callback")], "post_logout_redirect_uris": [format!("{app}/")],
                   "scopes": ["openid", "profile", "email"]}),
            201,
        )
        .await;
    let env =
        [("CIAM_ISSUER", &*issuer), ("APP_URL", &app), ("CLIENT_SECRET", client["client_secret"].as_str().unwrap())];
    let _app = Example::start(&python, &["app.py"], &example("python-web"), &env, &format!("{app}/")).await;

    let browser = Browser::new(&server);
    let login = browser.get(&format!("{app}/login")).await;
    let to = location(&login);
    assert!(to.starts_with(&format!("{issuer}/authorize?")), "{to}");
    for part in ["code_challenge_method=S256", "client_id=python-web", "nonce=", "state="] {
        assert!(to.contains(part), "{part} in {to}");
    }
    let callback = sign_in_to(&browser, login, &app).await;
    let res = browser.get(&callback).await;
    assert_eq!(res.status(), 302, "{}", res.text().await.unwrap());
    let home = browser.get(&format!("{app}/")).await.text().await.unwrap();
    assert!(home.contains("Signed in as Ada Lovelace") && home.contains("ada@example.com"), "{home}");
    let res = browser.get(&format!("{app}/logout")).await;
    assert!(location(&res).starts_with(&format!("{issuer}/logout?")), "{}", location(&res));
}
