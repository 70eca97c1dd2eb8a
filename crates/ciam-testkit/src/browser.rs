//! The one browser of the test suites: a cookie-keeping HTTP client with a browser's user agent
//! that follows no redirect by itself, optionally coming from a given source address (sent as
//! `X-Forwarded-For`, believed by servers that trust 127.0.0.1 as their proxy), plus the steps
//! every suite takes on the hosted pages: sign in as Ada, answer consent, walk redirects to the
//! client's callback.

use std::collections::HashMap;

use serde_json::Value;

use crate::Server;
use crate::authorize::authorize_url;

/// Ada's password in every fixture.
pub const PASSWORD: &str = "correct horse battery staple";
/// The redirect URI every test client registers (nothing listens there: the tests read the
/// `Location` that points to it).
pub const CALLBACK: &str = "http://127.0.0.1:9/callback";
/// A browser's user agent: the risk policy treats a missing one as a bot marker.
pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in page: {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The `Location` header of a response.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The query parameters of a URL (what a client's callback receives).
pub fn callback_params(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// A browser: keeps cookies, follows no redirects by itself.
pub struct Browser {
    /// The underlying client (cookie store on, redirects off).
    pub http: reqwest::Client,
    base: String,
}

impl Browser {
    /// A browser on `server`.
    pub fn new(server: &Server) -> Self {
        Self::at(&server.url(""), None)
    }

    /// A browser on the server at `base` (e.g. `http://localhost:PORT`), coming from `address`
    /// when given (sent as `X-Forwarded-For`).
    pub fn at(base: &str, address: Option<&str>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(ip) = address {
            headers.insert("x-forwarded-for", ip.parse().unwrap());
        }
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .build()
            .unwrap();
        Self { http, base: base.to_owned() }
    }

    /// `url` made absolute on the server (absolute URLs are kept).
    pub fn abs(&self, url: &str) -> String {
        if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", self.base) }
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(self.abs(url)).send().await.unwrap()
    }

    /// `POST url` with a form.
    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(self.abs(url)).form(form).send().await.unwrap()
    }

    /// `POST url` with a JSON body (the pages' scripts); status and body (`Null` if not JSON).
    pub async fn post_json(&self, url: &str, body: &Value) -> (u16, Value) {
        let res = self.http.post(self.abs(url)).json(body).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// Follows redirects inside the server until one leaves it (to the client's callback);
    /// returns the last response and every `Location` seen.
    pub async fn follow(&self, mut res: reqwest::Response) -> (reqwest::Response, Vec<String>) {
        let mut seen = Vec::new();
        while res.status() == 303 || res.status() == 302 {
            let to = location(&res);
            if to.starts_with(CALLBACK) {
                seen.push(to);
                break;
            }
            seen.push(to.clone());
            res = self.get(&to).await;
        }
        (res, seen)
    }

    /// The parameters the callback receives for `url`, which redirects there at once.
    pub async fn answer_for(&self, url: &str) -> HashMap<String, String> {
        callback_params(&location(&self.get(url).await))
    }

    /// Opens client `web`'s authorization request (with `extra` parameters) and returns the login
    /// page's URL, flow and CSRF token.
    pub async fn login_page(&self, extra: &str) -> (String, String, String) {
        let res = self.get(&authorize_url("web", "openid").nonce("n").extra(extra).build()).await;
        assert_eq!(res.status(), 303);
        let page = location(&res);
        assert!(page.contains("/t/acme/login?flow="), "{page}");
        let html = self.get(&page).await.text().await.unwrap();
        (page, hidden(&html, "flow"), hidden(&html, "csrf"))
    }

    /// Posts Ada's email and `password` to the login form of `flow`.
    pub async fn password(&self, flow: &str, csrf: &str, password: &str) -> reqwest::Response {
        self.post(
            "/t/acme/login",
            &[("flow", flow), ("csrf", csrf), ("email", "ada@example.com"), ("password", password)],
        )
        .await
    }

    /// Opens `start` (an authorization URL), signs Ada in on the login page it leads to, and
    /// returns the answer to the login POST.
    pub async fn sign_in(&self, start: &str) -> reqwest::Response {
        self.sign_in_as(start, "ada@example.com").await
    }

    /// [`Browser::sign_in`] as `email` (with the fixtures' password).
    pub async fn sign_in_as(&self, start: &str, email: &str) -> reqwest::Response {
        let res = self.get(start).await;
        let html = self.get(&location(&res)).await.text().await.unwrap();
        let form = [
            ("flow", hidden(&html, "flow")),
            ("csrf", hidden(&html, "csrf")),
            ("email", email.into()),
            ("password", PASSWORD.into()),
        ];
        self.http.post(self.abs("/t/acme/login")).form(&form).send().await.unwrap()
    }

    /// Allows the consent page `html` and follows the redirects to the callback; returns every
    /// `Location` seen.
    pub async fn allow(&self, html: &str) -> Vec<String> {
        let form = [("flow", hidden(html, "flow")), ("csrf", hidden(html, "csrf")), ("decision", "allow".into())];
        let res = self.http.post(self.abs("/t/acme/consent")).form(&form).send().await.unwrap();
        self.follow(res).await.1
    }

    /// Follows redirects inside the server, allowing consent on the way, until the callback;
    /// returns the parameters the callback receives.
    pub async fn to_callback(&self, mut res: reqwest::Response) -> HashMap<String, String> {
        for _ in 0..10 {
            if res.status() == 303 {
                let to = location(&res);
                if to.starts_with(CALLBACK) {
                    return callback_params(&to);
                }
                res = self.get(&to).await;
            } else if res.status() == 200 {
                let url = res.url().to_string();
                let html = res.text().await.unwrap();
                assert!(url.contains("/consent"), "expected the consent page at {url}: {html}");
                let form =
                    [("flow", hidden(&html, "flow")), ("csrf", hidden(&html, "csrf")), ("decision", "allow".into())];
                res = self.http.post(self.abs("/t/acme/consent")).form(&form).send().await.unwrap();
            } else {
                panic!("unexpected {}: {}", res.status(), res.text().await.unwrap());
            }
        }
        panic!("too many redirects")
    }

    /// Follows an authorization request through the sign-in and consent pages (answering them as
    /// Ada, with `decision`) to the client's callback; returns the pages seen and the callback.
    pub async fn authorize(&self, start: &str, decision: &str) -> (Vec<String>, url::Url) {
        let mut pages = Vec::new();
        let mut res = self.get(start).await;
        loop {
            match res.status().as_u16() {
                302 | 303 => {
                    let to = location(&res);
                    if to.starts_with(CALLBACK) {
                        return (pages, url::Url::parse(&to).unwrap());
                    }
                    res = self.get(&to).await;
                }
                200 => {
                    let html = res.text().await.unwrap();
                    let (flow, csrf) = (hidden(&html, "flow"), hidden(&html, "csrf"));
                    res = if html.contains("name=\"password\"") {
                        let form =
                            [("flow", &*flow), ("csrf", &csrf), ("email", "ada@example.com"), ("password", PASSWORD)];
                        self.post("/t/acme/login", &form).await
                    } else {
                        self.post("/t/acme/consent", &[("flow", &flow), ("csrf", &csrf), ("decision", decision)]).await
                    };
                    pages.push(html);
                }
                s => panic!("unexpected {s}: {}", res.text().await.unwrap()),
            }
        }
    }
}
