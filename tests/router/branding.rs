//! A tenant's branding on its hosted pages: the primary colour must be readable under white text
//! (WCAG 2.2 AA, 4.5:1) when saved, and a stylesheet of its own is allowed by the pages' CSP from
//! its origin only, and only when set.

use axum::http::Method;
use ciam_testkit::authorize_url;
use serde_json::json;

use crate::harness::{Answer, Harness, acme, assert_problem};

/// The `style-src` directive of a page's Content-Security-Policy, without its name.
fn style_sources(page: &Answer) -> Vec<String> {
    let csp = page.header("content-security-policy").unwrap();
    let directive = csp.split("; ").find(|d| d.starts_with("style-src ")).unwrap();
    directive.split(' ').skip(1).map(str::to_owned).collect()
}

/// The sign-in page of `acme`, reached as a browser is, through the authorization endpoint.
async fn login_page(h: &Harness) -> Answer {
    let answer = h.get(&authorize_url("web", "openid").build(), &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.text());
    let page = h.get(answer.location(), &[("cookie", &answer.cookies())]).await;
    assert_eq!(page.status, 200, "{}", page.text());
    page
}

#[tokio::test]
async fn a_primary_colour_below_aa_is_refused_with_the_ratio_found_and_the_minimum() {
    let h = Harness::new().await;
    acme(&h).await;
    let answer = h
        .admin(Method::PATCH, "/tenants/acme", Some(json!({"settings": {"branding": {"primary_color": "#777777"}}})))
        .await;
    let body = assert_problem(&answer, 422, "validation");
    assert_eq!(body["errors"][0]["field"], "settings.branding.primary_color", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("4.48:1") && message.contains("4.50:1"), "{message}");
    let answer = h
        .admin(
            Method::POST,
            "/tenants",
            Some(json!({"id": "pale", "display_name": "Pale",
                                                     "settings": {"branding": {"primary_color": "#ffcc00"}}})),
        )
        .await;
    assert_eq!(assert_problem(&answer, 422, "validation")["errors"][0]["field"], "settings.branding.primary_color");

    // The lightest grey that passes is taken, and the pages use it.
    let answer = h
        .admin(Method::PATCH, "/tenants/acme", Some(json!({"settings": {"branding": {"primary_color": "#767676"}}})))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(login_page(&h).await.text().contains("background: #767676;"));
}

#[tokio::test]
async fn the_tenants_stylesheet_is_loaded_and_its_origin_alone_added_to_style_src() {
    let h = Harness::new().await;
    acme(&h).await;
    let page = login_page(&h).await;
    let sources = style_sources(&page);
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert!(sources[0].starts_with("'nonce-"), "{sources:?}");
    assert!(!page.text().contains("rel=\"stylesheet\""));

    for bad in ["http://cdn.example/brand.css", "https://cdn.example/brand.css#x", "https://u:p@cdn.example/b.css"] {
        let answer = h
            .admin(Method::PATCH, "/tenants/acme", Some(json!({"settings": {"branding": {"custom_css_uri": bad}}})))
            .await;
        let body = assert_problem(&answer, 422, "validation");
        assert_eq!(body["errors"][0]["field"], "settings.branding.custom_css_uri", "{bad}: {body}");
    }

    let css = "https://cdn.example/brand/acme.css?v=2";
    let answer =
        h.admin(Method::PATCH, "/tenants/acme", Some(json!({"settings": {"branding": {"custom_css_uri": css}}}))).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["settings"]["branding"]["custom_css_uri"], css);
    let page = login_page(&h).await;
    let sources = style_sources(&page);
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources[0].starts_with("'nonce-"), "{sources:?}");
    assert_eq!(sources[1], "https://cdn.example");
    assert!(page.text().contains(&format!("<link rel=\"stylesheet\" href=\"{}\">", css.replace('&', "&amp;"))));
    // Every page of the tenant carries it: here the one that says you are signed out.
    let logout = h.get("/t/acme/logout", &[]).await;
    assert_eq!(logout.status, 200, "{}", logout.text());
    assert_eq!(style_sources(&logout)[1], "https://cdn.example");

    // Removing it removes the origin again.
    let answer = h
        .admin(Method::PATCH, "/tenants/acme", Some(json!({"settings": {"branding": {"custom_css_uri": null}}})))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(style_sources(&login_page(&h).await).len(), 1);
}
