//! Rendering of the hosted pages, shared by every door and by the error map: the tenant's
//! branding, HTML responses (`Cache-Control: no-store` and the page Content-Security-Policy; the
//! other security headers come from the router layers), the error page, `303 See Other`, and the
//! authorization response sent to a verified redirect URI.
//!
//! # Security
//! Every page is sent with [`page_policy`]: scripts only from this origin (`/assets/…`), and
//! the only inline elements (the stylesheet of `base.html`, the auto-submit of `form_post.html`)
//! carry a nonce that is fresh for each response, handed to the templates as the runtime value
//! `nonce`. Templates must not use inline event handlers or `style` attributes: the policy
//! blocks them. Styles come from nowhere else but the origin of the tenant's own stylesheet
//! (`branding.custom_css_uri`, an https URL checked when stored), and only when it has one.
//!
//! # Accessibility
//! The tenant's primary colour is used (button backgrounds under white text, links, focus
//! outlines) only when white text on it reaches the WCAG 2.2 AA contrast ratio, 4.5:1; the
//! templates set `lang` and `dir` from the runtime values of the same names.
//!
//! # Languages
//! A page is rendered in the language of the request ([`crate::i18n::current`]): the runtime
//! value `locale` is what the templates' message filters ([`crate::i18n::filters`]) read,
//! `lang` and `dir` go on `<html>`, and `languages` is the language switcher of `base.html`.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ciam_core::secret::random_token;
use ciam_core::tenant::{Tenant, stylesheet_url};
use ciam_jose::SigningKey;
use ciam_oauth::authorize::{Delivery, ResponseMode};
use url::Url;

use crate::i18n::{self, filters, msg};

/// The primary colour of pages whose tenant set none, or one too light for white text.
const DEFAULT_COLOR: &str = "#2456d3";

/// Name, logo, colour and stylesheet of a tenant's pages.
#[derive(Debug, Clone)]
pub(crate) struct Brand {
    pub(crate) name: String,
    pub(crate) logo: Option<String>,
    /// `#rrggbb` with a contrast ratio of at least 4.5:1 against white: button backgrounds (under
    /// white text), links and focus outlines (on white).
    pub(crate) color: String,
    /// The tenant's stylesheet, loaded after the built-in styles.
    pub(crate) custom_css: Option<String>,
    /// The origin of `custom_css`, the one source of styles besides the nonce in the page CSP.
    pub(crate) style_origin: Option<String>,
}

impl Brand {
    pub(crate) fn of(tenant: &Tenant) -> Self {
        let branding = &tenant.settings.branding;
        // A colour is checked when stored (#rrggbb, AA against white); a tenant stored before the
        // contrast rule may still hold a lighter one, and gets the default instead.
        let color = branding.accessible_primary_color().unwrap_or(DEFAULT_COLOR).to_owned();
        let (custom_css, style_origin) = match branding.custom_css_uri.as_deref().map(stylesheet_url) {
            Some(Ok((url, origin))) => (Some(url.to_string()), Some(origin)),
            _ => (None, None),
        };
        Self { name: tenant.display_name.clone(), logo: branding.logo_uri.clone(), color, custom_css, style_origin }
    }

    /// Pages shown before the tenant is known.
    pub(crate) fn neutral() -> Self {
        Self { name: "Sign in".into(), logo: None, color: DEFAULT_COLOR.into(), custom_css: None, style_origin: None }
    }
}

/// A hosted page: a template and the brand it shows, whose stylesheet origin [`html`] allows in
/// the page's Content-Security-Policy. Page types say so with [`hosted_pages!`].
pub(crate) trait HostedPage: Template {
    /// The tenant's brand; `None` for a page without one (the `form_post` answer).
    fn brand(&self) -> Option<&Brand>;

    /// An origin whose scripts and frames the page runs (the sign-up page's CAPTCHA widget).
    fn widget_origin(&self) -> Option<&str> {
        None
    }
}

/// Implements [`HostedPage`] for page types with a `brand: &Brand` field.
macro_rules! hosted_pages {
    ($($page:ident),+ $(,)?) => {
        $(impl $crate::http::page::HostedPage for $page<'_> {
            fn brand(&self) -> Option<&$crate::http::page::Brand> {
                Some(self.brand)
            }
        })+
    };
}
pub(crate) use hosted_pages;

hosted_pages!(ErrorPage);

impl HostedPage for FormPostPage<'_> {
    fn brand(&self) -> Option<&Brand> {
        None
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) title: &'a str,
    pub(crate) message: &'a str,
}

#[derive(Template)]
#[template(path = "form_post.html")]
pub(crate) struct FormPostPage<'a> {
    pub(crate) action: &'a str,
    pub(crate) fields: Vec<(&'a str, String)>,
}

/// The Content-Security-Policy of a hosted page whose inline elements carry `nonce`, and which
/// loads the tenant's stylesheet from `style_origin` (an `https` origin, checked when stored).
///
/// `form-action` is left out on purpose: Chromium applies it to every redirect after a form
/// submission, and the sign-in and consent forms end, after 303 redirects, at the client's
/// `redirect_uri` (any origin), as does the `form_post` page's form. `img-src https:` is for the
/// tenant's logo (an https URL, checked when stored).
///
/// A page with a CAPTCHA widget also allows the widget's `widget_origin` for scripts, frames and
/// requests, and nothing else.
pub(crate) fn page_policy(nonce: &str, style_origin: Option<&str>, widget_origin: Option<&str>) -> String {
    let style_src = match style_origin {
        Some(origin) => format!("'nonce-{nonce}' {origin}"),
        None => format!("'nonce-{nonce}'"),
    };
    match widget_origin {
        None => format!(
            "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src {style_src}; img-src 'self' https:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        ),
        Some(w) => format!(
            "default-src 'none'; script-src 'self' 'nonce-{nonce}' {w}; style-src {style_src}; img-src 'self' https:; \
             connect-src 'self' {w}; frame-src {w}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        ),
    }
}

/// Renders a page with a status; a rendering failure becomes a plain 500.
pub(crate) fn html(status: StatusCode, page: &impl HostedPage) -> Response {
    // 128 bits, fresh for each response (CSP3 §7.2: nonces must be unguessable and single-use).
    let nonce = random_token(16);
    let locale = i18n::current();
    let (lang, dir) = (locale.tag().to_owned(), locale.dir().to_owned());
    let languages = i18n::switcher(locale);
    let values: [(&str, &dyn std::any::Any); 5] =
        [("nonce", &nonce), ("locale", &locale), ("lang", &lang), ("dir", &dir), ("languages", &languages)];
    match page.render_with_values(&values) {
        Ok(body) => {
            let mut res = (status, Html(body)).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            let style_origin = page.brand().and_then(|b| b.style_origin.as_deref());
            if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce, style_origin, page.widget_origin())) {
                res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            res
        }
        Err(e) => crate::error::unrenderable_page(e),
    }
}

/// An error page (never a redirect), in the language of the request.
pub(crate) fn error_page(status: StatusCode, brand: &Brand, message: &str) -> Response {
    html(status, &ErrorPage { brand, title: &i18n::tr(msg!("error-heading")), message })
}

/// `303 See Other` to `location`, never cached.
pub(crate) fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Sends the authorization response (success or error) to the verified redirect URI, with
/// `state` and `iss` (RFC 9207), as query parameters or an auto-posting form.
///
/// # Security
/// Only to a URI that serialises back to the very string that was matched: one that parsers
/// read differently (`https://evil.test\@app.example/cb`, stored before registration refused
/// such URIs) gets an error page, since the browser would go where the lenient reading points.
pub(crate) fn respond(redirect_uri: &str, mode: Delivery, fields: Vec<(&str, String)>) -> Response {
    let Some(mut url) = Url::parse(redirect_uri).ok().filter(|u| u.as_str() == redirect_uri) else {
        return error_page(StatusCode::BAD_REQUEST, &Brand::neutral(), &i18n::tr(msg!("error-invalid-redirect-uri")));
    };
    match mode {
        Delivery::Query => {
            {
                // Appends to any query the registered URI has, never replacing it (C26).
                let mut q = url.query_pairs_mut();
                for (k, v) in &fields {
                    q.append_pair(k, v);
                }
            }
            see_other(url.as_str())
        }
        Delivery::FormPost => html(StatusCode::OK, &FormPostPage { action: redirect_uri, fields }),
    }
}

/// What signs a client's authorization responses (JARM): the tenant's active key for the
/// client's algorithm, the issuer, the client, and the time of the request.
#[derive(Debug, Clone)]
pub(crate) struct ResponseSigner {
    pub(crate) key: Arc<SigningKey>,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) now: i64,
}

/// Sends the authorization response in `mode`: the parameters themselves, or for a JARM mode
/// one `response` parameter, a JWT that `signer` signs over them (JARM §2.1). A JARM mode never
/// falls back to an unsigned response: without a signer, or when signing fails, the error is the
/// cause to log.
pub(crate) fn respond_in_mode(
    redirect_uri: &str,
    mode: ResponseMode,
    fields: Vec<(&str, String)>,
    signer: Option<&ResponseSigner>,
) -> Result<Response, String> {
    if !mode.is_jwt() {
        return Ok(respond(redirect_uri, mode.delivery(), fields));
    }
    let signer = signer.ok_or("a signed response without a signing key")?;
    let claims = ciam_oauth::jarm::response_claims(&signer.issuer, &signer.client_id, signer.now, &fields);
    let jwt = ciam_jose::mint(&signer.key, ciam_oauth::jarm::RESPONSE_TYP, &claims)
        .map_err(|e| format!("signing the authorization response: {e}"))?;
    Ok(respond(redirect_uri, mode.delivery(), vec![("response", jwt)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use ciam_core::tenant::TenantSettings;

    fn tenant(settings: serde_json::Value) -> Tenant {
        let settings: TenantSettings = serde_json::from_value(settings).unwrap();
        Tenant {
            id: ciam_core::TenantId::parse("acme").unwrap(),
            display_name: "Acme".into(),
            home_region: ciam_core::Region::parse("eu").unwrap(),
            settings,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            incarnation: String::new(),
        }
    }

    async fn rendered(brand: &Brand) -> (String, String) {
        let res = error_page(StatusCode::BAD_REQUEST, brand, "Nope.");
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        (csp, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_stored_colour_below_aa_falls_back_to_the_default_when_rendered() {
        // Stored before the contrast rule: the store holds it, the pages do not use it.
        let brand = Brand::of(&tenant(serde_json::json!({"branding": {"primary_color": "#777777"}})));
        assert_eq!(brand.color, DEFAULT_COLOR);
        let (_, html) = rendered(&brand).await;
        assert!(html.contains("background: #2456d3") && !html.contains("#777777"), "{html}");

        let brand = Brand::of(&tenant(serde_json::json!({"branding": {"primary_color": "#767676"}})));
        assert_eq!(brand.color, "#767676");
        let (_, html) = rendered(&brand).await;
        assert!(html.contains("background: #767676;"), "{html}");
        assert!(html.contains("outline: 3px solid #767676;") && html.contains("a { color: #767676;"), "{html}");
    }

    #[tokio::test]
    async fn the_page_policy_allows_the_tenants_stylesheet_origin_only_when_set() {
        let (csp, html) = rendered(&Brand::of(&tenant(serde_json::json!({})))).await;
        let style_src = csp.split("; ").find(|d| d.starts_with("style-src ")).unwrap();
        assert!(style_src.starts_with("style-src 'nonce-"), "{csp}");
        assert_eq!(style_src.split(' ').count(), 2, "the nonce alone: {csp}");
        assert!(!html.contains("rel=\"stylesheet\""), "{html}");

        let brand = Brand::of(&tenant(
            serde_json::json!({"branding": {"custom_css_uri": "https://cdn.example:8443/brand/acme.css?v=3"}}),
        ));
        let (csp, html) = rendered(&brand).await;
        let style_src = csp.split("; ").find(|d| d.starts_with("style-src ")).unwrap();
        let sources: Vec<&str> = style_src.split(' ').skip(1).collect();
        assert_eq!(sources.len(), 2, "{csp}");
        assert!(sources[0].starts_with("'nonce-"), "{csp}");
        assert_eq!(sources[1], "https://cdn.example:8443", "the origin, not the path: {csp}");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self' 'nonce-"),
            "the rest stays: {csp}"
        );
        let link = "<link rel=\"stylesheet\" href=\"https://cdn.example:8443/brand/acme.css?v=3\">";
        let (style_end, link_at) = (html.find("</style>").unwrap(), html.find(link).expect(&html));
        assert!(link_at > style_end, "loaded after the built-in styles");

        // A URL stored before the rule that no longer passes it is not loaded at all.
        let brand = Brand::of(&tenant(serde_json::json!({"branding": {"custom_css_uri": "http://cdn.example/a.css"}})));
        let (csp, html) = rendered(&brand).await;
        assert!(!csp.contains("cdn.example") && !html.contains("cdn.example"), "{csp}");
    }

    #[test]
    fn pages_say_their_language_and_direction() {
        let html = ErrorPage { brand: &Brand::neutral(), title: "t", message: "m" }
            .render_with_values(&[
                ("nonce", &"n".to_owned() as &dyn std::any::Any),
                ("locale", &Locale::Ar),
                ("lang", &"ar".to_owned()),
                ("dir", &"rtl".to_owned()),
            ])
            .unwrap();
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(html.contains("<title>خطأ ·"), "the page's words in its language: {html}");
        let html = ErrorPage { brand: &Brand::neutral(), title: "t", message: "m" }.render().unwrap();
        assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    }
}
