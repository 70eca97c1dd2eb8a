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
//! blocks them.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ciam_core::secret::random_token;
use ciam_core::tenant::Tenant;
use ciam_jose::SigningKey;
use ciam_oauth::authorize::{Delivery, ResponseMode};
use url::Url;

/// Name, logo and colour of a tenant's pages.
#[derive(Debug, Clone)]
pub(crate) struct Brand {
    pub(crate) name: String,
    pub(crate) logo: Option<String>,
    pub(crate) color: String,
}

impl Brand {
    pub(crate) fn of(tenant: &Tenant) -> Self {
        Self {
            name: tenant.display_name.clone(),
            logo: tenant.settings.branding.logo_uri.clone(),
            // Validated as #rrggbb when stored, so it is safe inside the stylesheet.
            color: tenant.settings.branding.primary_color.clone().unwrap_or_else(|| "#2456d3".into()),
        }
    }

    /// Pages shown before the tenant is known.
    pub(crate) fn neutral() -> Self {
        Self { name: "Sign in".into(), logo: None, color: "#2456d3".into() }
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

/// The Content-Security-Policy of a hosted page whose inline elements carry `nonce`.
///
/// `form-action` is left out on purpose: Chromium applies it to every redirect after a form
/// submission, and the sign-in and consent forms end, after 303 redirects, at the client's
/// `redirect_uri` (any origin), as does the `form_post` page's form. `img-src https:` is for the
/// tenant's logo (an https URL, checked when stored).
pub(crate) fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' https:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Renders a page with a status; a rendering failure becomes a plain 500.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    // 128 bits, fresh for each response (CSP3 §7.2: nonces must be unguessable and single-use).
    let nonce = random_token(16);
    let values: [(&str, &dyn std::any::Any); 1] = [("nonce", &nonce)];
    match page.render_with_values(&values) {
        Ok(body) => {
            let mut res = (status, Html(body)).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
                res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            res
        }
        Err(e) => crate::error::unrenderable_page(e),
    }
}

/// An error page (never a redirect).
pub(crate) fn error_page(status: StatusCode, brand: &Brand, message: &str) -> Response {
    html(status, &ErrorPage { brand, title: "Something went wrong", message })
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
        return error_page(StatusCode::BAD_REQUEST, &Brand::neutral(), "Invalid redirect URI.");
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
