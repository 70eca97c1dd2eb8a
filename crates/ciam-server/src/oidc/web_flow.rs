//! The plumbing every hosted page shares: the tenant of the request ([`Ctx`]), the flow a page
//! continues (`?flow=…`, bound to the browser, its forms guarded by a CSRF token), `303 See
//! Other` after a form POST (RFC 9700 §4.12), cookies on a response, and the authorization
//! response sent to a verified redirect URI.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use ciam_core::id::TenantId;
use ciam_core::tenant::{Tenant, TenantNs};
use ciam_oauth::form::Params;

use super::session::{BrowserCookie, FLOW_TTL, Flow, csrf_ok, load_flow, set_cookie, start_flow};
use crate::error::PageError;
use crate::http::page::{Brand, ResponseSigner};
pub(crate) use crate::http::page::{respond, see_other};
use crate::i18n::{self, Text, msg};
use crate::state::AppState;

/// The tenant a hosted page serves, with its branding.
pub(super) struct Ctx {
    pub(super) st: AppState,
    pub(super) tenant: Arc<Tenant>,
    /// The namespace of the tenant's short-lived state.
    pub(super) ns: TenantNs,
    pub(super) brand: Brand,
    /// What signs the authorization responses of this request, once it is known to ask for a
    /// signed one (JARM) from a verified client.
    pub(super) response_signer: OnceLock<ResponseSigner>,
}

impl Ctx {
    /// The tenant named in the path; an unknown one is a 404 page.
    pub(super) async fn load(st: AppState, tenant: &str) -> Result<Self, PageError> {
        let unknown = || PageError::new(StatusCode::NOT_FOUND, msg!("error-unknown-tenant"));
        let id = TenantId::parse(tenant).map_err(|_| unknown())?;
        let tenant = st.directory.tenant(st.durable.as_ref(), &id).await?.ok_or_else(unknown)?;
        i18n::set_tenant_default(tenant.settings.branding.default_locale());
        Ok(Self { brand: Brand::of(&tenant), ns: tenant.ns(), tenant, st, response_signer: OnceLock::new() })
    }

    /// The path of one of the tenant's pages.
    pub(super) fn path(&self, rest: &str) -> String {
        format!("/t/{}/{rest}", self.tenant.id)
    }

    /// Runs the rest of a page handler; its error pages carry the tenant's branding.
    pub(super) async fn branded(
        &self,
        page: impl Future<Output = Result<Response, PageError>>,
    ) -> Result<Response, PageError> {
        page.await.map_err(|e| e.branded(&self.brand))
    }

    /// Starts a flow for `query` and sends the browser to `page` with it, binding the flow to
    /// this browser with its cookie.
    pub(super) async fn start_flow_at(&self, query: &str, page: &str) -> Result<Response, PageError> {
        let (id, browser, _) = start_flow(&self.st, &self.ns, query).await?;
        Ok(self.with_flow_cookie(see_other(&format!("{}?flow={id}", self.path(page))), &browser))
    }

    /// Adds the cookie that binds a new flow to this browser.
    pub(super) fn with_flow_cookie(&self, res: Response, browser: &str) -> Response {
        with_cookie(res, set_cookie(&self.st, &self.tenant.id, BrowserCookie::Flow, Some(browser), FLOW_TTL))
    }
}

/// Adds a `Set-Cookie` to a response.
pub(super) fn with_cookie(mut res: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The page of a flow that is gone, or that belongs to another browser.
pub(super) fn flow_expired() -> PageError {
    PageError::bad_request(msg!("error-flow-expired"))
}

/// The page of a form posted without its CSRF token.
pub(super) fn form_expired() -> PageError {
    PageError::forbidden(msg!("error-form-expired"))
}

/// The tenant and the flow of a page request (`?flow=…`).
pub(super) async fn flow_step(
    st: AppState,
    tenant: &str,
    flow: Option<&str>,
    headers: &HeaderMap,
) -> Result<(Ctx, String, Flow), PageError> {
    let ctx = Ctx::load(st, tenant).await?;
    let (id, flow) = the_flow(&ctx, flow, headers).await.map_err(|e| e.branded(&ctx.brand))?;
    Ok((ctx, id, flow))
}

/// The tenant, the flow and the form of a page's POST, after the CSRF check.
pub(super) async fn form_step(
    st: AppState,
    tenant: &str,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<(Ctx, String, Flow, Params), PageError> {
    let ctx = Ctx::load(st, tenant).await?;
    let checked = async {
        let form = Params::parse(body).map_err(|e| PageError::bad_request(Text::Verbatim(e.description)))?;
        let (id, flow) = the_flow(&ctx, form.get("flow"), headers).await?;
        if !csrf_ok(&flow.csrf, form.get("csrf")) {
            return Err(form_expired());
        }
        Ok((id, flow, form))
    };
    let (id, flow, form) = checked.await.map_err(|e| e.branded(&ctx.brand))?;
    Ok((ctx, id, flow, form))
}

/// Loads the flow named in a query or form, bound to this browser.
pub(super) async fn the_flow(ctx: &Ctx, id: Option<&str>, headers: &HeaderMap) -> Result<(String, Flow), PageError> {
    let id = id.ok_or_else(flow_expired)?;
    let flow = load_flow(&ctx.st, &ctx.tenant, id, headers).await?.ok_or_else(flow_expired)?;
    i18n::set_flow(id, flow_ui_locales(&flow).as_deref());
    Ok((id.to_owned(), flow))
}

/// The `ui_locales` of the authorization request a flow serves (OIDC Core §3.1.2.1).
pub(super) fn flow_ui_locales(flow: &Flow) -> Option<String> {
    if flow.is_authorization() { query_param(Some(&flow.query), "ui_locales") } else { None }
}

/// The first value of `name` in a query string.
pub(super) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}
