//! The hosted pages in the visitor's language: `ui_locales`, the language switcher's cookie,
//! `Accept-Language` and the tenant's default, in that order; Arabic right to left; the
//! switcher itself.

use ciam_testkit::authorize_url;
use serde_json::json;

use crate::harness::{Answer, Harness, acme};

/// Opens `web`'s authorization request (with `extra` parameters) and the login page it leads
/// to, sending `headers` both times: the page's URL, the cookies to send with it, the page.
async fn login_page(h: &Harness, extra: &str, headers: &[(&str, &str)]) -> (String, String, Answer) {
    let start = h.get(&authorize_url("web", "openid").extra(extra).build(), headers).await;
    assert_eq!(start.status, 303, "{}", start.text());
    let login = start.location().to_owned();
    let cookies = start.cookies();
    let mut all: Vec<(&str, &str)> = headers.iter().filter(|(k, _)| *k != "cookie").copied().collect();
    let cookie = match headers.iter().find(|(k, _)| *k == "cookie") {
        Some((_, c)) => format!("{c}; {cookies}"),
        None => cookies,
    };
    all.push(("cookie", &cookie));
    let page = h.get(&login, &all).await;
    assert_eq!(page.status, 200, "{}", page.text());
    (login, cookie, page)
}

fn html_tag(page: &Answer) -> String {
    let html = page.text();
    html.lines().find(|l| l.starts_with("<html")).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn ui_locales_de_shows_the_sign_in_page_in_german() {
    let h = Harness::new().await;
    acme(&h).await;
    let (_, _, page) = login_page(&h, "&ui_locales=pt-BR%20de-AT%20en", &[("accept-language", "fr")]).await;
    assert_eq!(html_tag(&page), "<html lang=\"de\" dir=\"ltr\">");
    let html = page.text();
    for words in ["<title>Anmelden · Acme</title>", "Bei Acme anmelden", ">E-Mail-Adresse</label>", ">Passwort</label>"]
    {
        assert!(html.contains(words), "{words}: {html}");
    }
    assert!(!html.contains(">Password</label>"), "{html}");
}

#[tokio::test]
async fn accept_language_fr_shows_the_sign_in_page_in_french() {
    let h = Harness::new().await;
    acme(&h).await;
    let (_, _, page) = login_page(&h, "", &[("accept-language", "ja, fr-CH;q=0.9, en;q=0.5")]).await;
    assert_eq!(html_tag(&page), "<html lang=\"fr\" dir=\"ltr\">");
    let html = page.text();
    assert!(html.contains("Se connecter à Acme") && html.contains(">Mot de passe</label>"), "{html}");
}

#[tokio::test]
async fn arabic_is_written_right_to_left() {
    let h = Harness::new().await;
    acme(&h).await;
    let (_, _, page) = login_page(&h, "&ui_locales=ar", &[]).await;
    assert_eq!(html_tag(&page), "<html lang=\"ar\" dir=\"rtl\">");
    let html = page.text();
    assert!(html.contains(">كلمة المرور</label>"), "{html}");
    // The tenant's and client's names keep their own direction inside Arabic text.
    assert!(html.contains("تسجيل الدخول إلى \u{2068}Acme\u{2069}"), "{html}");
    // The layout mirrors: the built-in styles use logical properties only.
    let style = html.split("<style").nth(1).unwrap().split("</style>").next().unwrap();
    for physical in ["margin-left", "margin-right", "padding-left", "padding-right", "text-align: left", " left:"] {
        assert!(!style.contains(physical), "{physical} in {style}");
    }
}

#[tokio::test]
async fn the_switcher_lists_every_language_in_itself_and_its_cookie_beats_accept_language() {
    let h = Harness::new().await;
    acme(&h).await;
    let (login, cookies, page) = login_page(&h, "", &[("accept-language", "fr")]).await;
    let html = page.text();
    let nav = html.split("<nav class=\"languages\"").nth(1).unwrap().split("</nav>").next().unwrap();
    assert!(nav.starts_with(" aria-label=\"Langue\""), "a labelled landmark in the page's language: {nav}");
    let flow = login.split("flow=").nth(1).unwrap();
    for (tag, name) in [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")]
    {
        let link = format!("href=\"/t/acme/login?flow={flow}&#38;lang={tag}\" hreflang=\"{tag}\" lang=\"{tag}\"");
        assert!(nav.contains(&link), "{link} in {nav}");
        assert!(nav.contains(&format!(">{name}</a>")), "{name}");
    }
    assert_eq!(nav.matches("aria-current").count(), 1, "{nav}");
    assert!(nav.contains("lang=\"fr\" aria-current=\"true\">Français</a>"), "{nav}");

    // Following the German link: the same page (its flow kept), in German, and a cookie.
    let switched = h.get(&format!("{login}&lang=de"), &[("accept-language", "fr"), ("cookie", &cookies)]).await;
    assert_eq!(switched.status, 200, "{}", switched.text());
    assert_eq!(html_tag(&switched), "<html lang=\"de\" dir=\"ltr\">");
    let set = switched.all("set-cookie");
    let lang_cookie = set.iter().find(|c| c.starts_with("ciam_lang=de;")).unwrap_or_else(|| panic!("{set:?}"));
    assert!(lang_cookie.contains("Path=/t/acme") && lang_cookie.contains("HttpOnly"), "{lang_cookie}");
    // The switcher's links leave `lang` out of what they keep.
    assert!(!switched.text().contains("lang=fr&#38;lang"), "{}", switched.text());

    // Later pages: the cookie wins over Accept-Language.
    let (_, _, later) = login_page(&h, "", &[("accept-language", "fr"), ("cookie", "ciam_lang=es")]).await;
    assert_eq!(html_tag(&later), "<html lang=\"es\" dir=\"ltr\">");
    assert!(later.text().contains("Inicia sesión en Acme"));
    // But ui_locales wins over the cookie.
    let (_, _, asked) = login_page(&h, "&ui_locales=ar", &[("cookie", "ciam_lang=es")]).await;
    assert_eq!(html_tag(&asked), "<html lang=\"ar\" dir=\"rtl\">");
    // A cookie naming no supported language counts for nothing.
    let (_, _, odd) = login_page(&h, "", &[("accept-language", "de"), ("cookie", "ciam_lang=xx")]).await;
    assert_eq!(html_tag(&odd), "<html lang=\"de\" dir=\"ltr\">");
}

#[tokio::test]
async fn an_unsupported_language_falls_back_to_the_tenant_default() {
    let h = Harness::new().await;
    acme(&h).await;
    let (_, _, page) = login_page(&h, "", &[("accept-language", "ja, pt-BR;q=0.8")]).await;
    assert_eq!(html_tag(&page), "<html lang=\"en\" dir=\"ltr\">", "English unless the tenant says otherwise");
    let patch = json!({"settings": {"branding": {"default_locale": "es"}}});
    let res = h.admin(axum::http::Method::PATCH, "/tenants/acme", Some(patch)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    // The node caches tenants for a moment.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (_, _, page) = login_page(&h, "&ui_locales=ja", &[("accept-language", "ja, pt-BR;q=0.8")]).await;
    assert_eq!(html_tag(&page), "<html lang=\"es\" dir=\"ltr\">");
    assert!(page.text().contains("Inicia sesión en Acme"));
    // A default the pages do not speak is refused by name.
    let bad = h
        .admin(
            axum::http::Method::PATCH,
            "/tenants/acme",
            Some(json!({"settings": {"branding": {"default_locale": "ja"}}})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("branding.default_locale"), "{}", bad.text());
}

#[tokio::test]
async fn error_pages_are_in_the_visitor_s_language_too() {
    let h = Harness::new().await;
    acme(&h).await;
    let page = h.get("/t/acme/login?flow=gone", &[("accept-language", "de")]).await;
    assert_eq!(page.status, 400);
    let html = page.text();
    assert!(html.contains("Diese Anmeldeseite ist abgelaufen"), "{html}");
    assert!(html.contains("<h1>Etwas ist schiefgelaufen</h1>"), "{html}");
    // An unknown tenant has no default: the browser's language.
    let page = h.get("/t/nobody/login?flow=x", &[("accept-language", "es")]).await;
    assert_eq!(page.status, 404);
    assert!(page.text().contains("Inquilino desconocido."), "{}", page.text());
}
