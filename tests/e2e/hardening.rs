//! What a browser is told and sent beyond the protocol: on https deployments, `__Host-`
//! cookies.

use std::collections::HashMap;

use ciam_testkit::{Admin, Server, ServerOptions, TempDir};
use serde_json::json;

use crate::BIN;
use crate::oidc::{CALLBACK, PASSWORD, hidden, location};

const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

struct Fixture {
    server: Server,
    _dir: TempDir,
}

/// Tenant `acme` with user Ada and the confidential client `web`, on a server started with `env`.
async fn fixture(tag: &str, env: Vec<(String, String)>) -> Fixture {
    let dir = TempDir::new(tag);
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    admin.post("/tenants", json!({"id": "acme", "display_name": "Acme"}), 201).await;
    admin.post("/tenants/acme/users", json!({"email": "ada@example.com", "password": PASSWORD}), 201).await;
    let client = json!({"client_id": "web", "name": "Acme Web", "client_type": "confidential",
                        "redirect_uris": [CALLBACK], "scopes": ["openid"]});
    admin.post("/tenants/acme/clients", client, 201).await;
    Fixture { server, _dir: dir }
}

/// The values of the `Set-Cookie` headers of a response, by cookie name.
fn set_cookies(res: &reqwest::Response) -> HashMap<String, String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| {
            let v = v.to_str().unwrap().to_owned();
            (v.split('=').next().unwrap().to_owned(), v)
        })
        .collect()
}

/// The cookie value in a `Set-Cookie` header.
fn value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1
}

/// With an https public URL (here with a path prefix, as behind a proxy at
/// `https://id.example/auth`), the session, flow and device cookies are `__Host-` cookies (RFC 6265bis §4.1.3.2: `Secure`, no
/// `Domain`, `Path=/`) named per tenant. The server reads them back under the same names and
/// does not accept the plain-http names.
#[tokio::test]
async fn https_deployments_use_host_prefixed_cookies_per_tenant() {
    let env = vec![("CIAM_PUBLIC_URL".to_owned(), "https://id.example/auth".to_owned())];
    let f = fixture("host-cookies", env).await;
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).user_agent(USER_AGENT).build().unwrap();
    let get = async |path: &str, cookies: &str| {
        let mut req = http.get(f.server.url(path));
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        req.send().await.unwrap()
    };

    let res = get("/t/acme/account/security", "").await;
    assert_eq!(res.status(), 303);
    let login = location(&res);
    let flow_cookie = set_cookies(&res).remove("__Host-ciam_flow_acme").expect("a __Host- flow cookie");
    assert!(flow_cookie.ends_with("; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"), "{flow_cookie}");
    let flow_pair = format!("__Host-ciam_flow_acme={}", value(&flow_cookie));

    let html = get(&login, &flow_pair).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", "ada@example.com".into()),
        ("password", PASSWORD.into()),
    ];
    let res = http.post(f.server.url("/t/acme/login")).header("cookie", &flow_pair).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303, "the flow cookie was read back under its __Host- name");
    let cookies = set_cookies(&res);
    for name in ["__Host-ciam_session_acme", "__Host-ciam_device_acme"] {
        let c = &cookies[name];
        assert!(c.contains("; Path=/;") && c.ends_with("; HttpOnly; SameSite=Lax; Secure"), "{c}");
        assert!(!c.contains("Domain"), "{c}");
    }
    assert!(!cookies.keys().any(|k| !k.starts_with("__Host-")), "{cookies:?}");
    let session = value(&cookies["__Host-ciam_session_acme"]).to_owned();

    let res = get("/t/acme/account/security", &format!("__Host-ciam_session_acme={session}")).await;
    assert_eq!(res.status(), 200, "signed in with the __Host- session cookie");
    for other in [format!("ciam_session={session}"), format!("__Host-ciam_session_other={session}")] {
        assert_eq!(get("/t/acme/account/security", &other).await.status(), 303, "{other} is not this tenant's cookie");
    }
}
