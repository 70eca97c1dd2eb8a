//! The per-tenant OpenID Connect / OAuth 2.0 endpoints under each issuer, `/t/{tenant}/…`.
//! Authorization (with the hosted sign-in and consent pages), token, userinfo, JWK Set,
//! introspection, revocation and the discovery documents. The back-channel endpoints and the
//! server's own protected resources refuse a request that repeats `Authorization` or
//! `Content-Type` ([`one_of_each`]).

mod account;
mod account_centre;
mod authorize;
mod ciba;
mod consent;
mod device;
mod dpop;
mod email_sign_in;
mod federation;
mod hint;
mod introspect;
mod language;
mod login;
mod logout;
mod mfa;
pub(crate) mod pages;
mod par;
mod purposes;
mod recover;
mod register;
mod request_object;
mod resource;
mod saml_idp;
mod saml_logout;
mod security;
mod session;
mod signin;
mod signup;
mod token;
mod userinfo;
pub(crate) mod web_flow;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ciam_core::id::TenantId;
use ciam_oauth::OAuthError;

use crate::error::{OAuthFailure, Problem, ProblemKind, ResourceError};
use crate::http::{Path, tenant_record};
use crate::state::AppState;

/// A script of the hosted pages.
fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
}

/// The script of the passkey buttons on the hosted pages.
async fn passkey_script() -> impl IntoResponse {
    script(include_str!("../../assets/passkey.js"))
}

/// The script that keeps the approval requests page current.
async fn approvals_script() -> impl IntoResponse {
    script(include_str!("../../assets/approvals.js"))
}

/// Largest accepted form body on protocol endpoints.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The issuer routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/t/{tenant}/jwks", get(jwks))
        .route("/assets/passkey.js", get(passkey_script))
        .route("/assets/approvals.js", get(approvals_script))
        .route("/t/{tenant}/.well-known/openid-configuration", get(userinfo::openid_configuration))
        .route("/.well-known/oauth-authorization-server/t/{tenant}", get(userinfo::oauth_metadata))
        .route("/t/{tenant}/resources/{id}/oauth-protected-resource", get(resource::metadata))
        .merge(page_routes(state))
        .merge(back_channel_routes())
        .merge(resource_routes())
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// The hosted pages (and the calls their scripts make), answered in the request's language
/// ([`language::negotiate`]).
fn page_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/t/{tenant}/authorize", get(authorize::authorize_get).post(authorize::authorize_post))
        .route("/t/{tenant}/authorize/resume", get(authorize::resume))
        .route("/t/{tenant}/login", get(login::login_get).post(login::login_post))
        .route("/t/{tenant}/consent", get(consent::consent_get).post(consent::consent_post))
        .route("/t/{tenant}/consent/purposes", get(purposes::purposes_get).post(purposes::purposes_post))
        .route("/t/{tenant}/login/email", post(email_sign_in::login_email))
        .route("/t/{tenant}/login/email/verify", post(email_sign_in::login_email_verify))
        .route("/t/{tenant}/login/link", get(email_sign_in::login_link))
        .route("/t/{tenant}/login/upstream", post(federation::start_post))
        .route("/t/{tenant}/upstream/callback", get(federation::callback_get).post(federation::callback_post))
        .route("/t/{tenant}/saml/{provider}/metadata", get(federation::saml_metadata))
        .route("/t/{tenant}/saml/{provider}/acs", post(federation::saml_acs))
        .route("/t/{tenant}/saml/metadata", get(saml_idp::metadata))
        .route("/t/{tenant}/saml/sso", get(saml_idp::sso_get).post(saml_idp::sso_post))
        .route("/t/{tenant}/saml/resume", get(saml_idp::resume))
        .route("/t/{tenant}/saml/consent", get(saml_idp::consent_get).post(saml_idp::consent_post))
        .route("/t/{tenant}/saml/launch", post(saml_idp::launch))
        .route("/t/{tenant}/saml/slo", get(saml_logout::slo))
        .route("/t/{tenant}/mfa", get(mfa::mfa_get).post(mfa::mfa_post))
        .route("/t/{tenant}/signup", get(signup::signup_get).post(signup::signup_post))
        .route("/t/{tenant}/signup/verify", get(signup::verify_get).post(signup::verify_post))
        .route("/t/{tenant}/signup/resend", post(signup::resend_post))
        .route("/t/{tenant}/verify", get(signup::link_get).post(signup::link_post))
        .route("/t/{tenant}/recover", get(recover::recover_get).post(recover::recover_post))
        .route("/t/{tenant}/recover/reset", get(recover::reset_link))
        .route("/t/{tenant}/recover/password", get(recover::password_get).post(recover::password_post))
        .route("/t/{tenant}/recover/passkey", get(recover::passkey_get).post(recover::passkey_code))
        .route("/t/{tenant}/recover/passkey/start", post(recover::passkey_start))
        .route("/t/{tenant}/recover/passkey/finish", post(recover::passkey_finish))
        .route("/t/{tenant}/passkey/sign-in/start", post(mfa::sign_in_start))
        .route("/t/{tenant}/passkey/sign-in/finish", post(mfa::sign_in_finish))
        .route("/t/{tenant}/passkey/mfa/start", post(mfa::mfa_start))
        .route("/t/{tenant}/passkey/mfa/finish", post(mfa::mfa_finish))
        .route("/t/{tenant}/account/security", get(security::page))
        .route("/t/{tenant}/account/security/confirm", get(security::confirm))
        .route("/t/{tenant}/account/security/remove", post(security::remove))
        .route("/t/{tenant}/account/security/unlink", post(security::unlink))
        .route("/t/{tenant}/account/security/totp", get(security::totp_get).post(security::totp_post))
        .route("/t/{tenant}/account/security/recovery-codes", post(security::recovery_post))
        .route("/t/{tenant}/account/security/passkey/start", post(security::passkey_start))
        .route("/t/{tenant}/account/security/passkey/finish", post(security::passkey_finish))
        // The account centre (account_centre/): the signed-in user's own pages.
        .route("/t/{tenant}/account", get(account_centre::overview))
        .route("/t/{tenant}/account/confirm", get(account_centre::confirm))
        .route("/t/{tenant}/account/profile", get(account_centre::profile_get).post(account_centre::profile_post))
        .route("/t/{tenant}/account/email", post(account_centre::email_post))
        .route(
            "/t/{tenant}/account/email/confirm",
            get(account_centre::email_confirm_get).post(account_centre::email_confirm_post),
        )
        .route("/t/{tenant}/account/password", get(account_centre::password_get).post(account_centre::password_post))
        .route("/t/{tenant}/account/sessions", get(account_centre::sessions_get))
        .route("/t/{tenant}/account/sessions/end", post(account_centre::sessions_end))
        .route("/t/{tenant}/account/sessions/end-others", post(account_centre::sessions_end_others))
        .route("/t/{tenant}/account/apps", get(account_centre::apps_get))
        .route("/t/{tenant}/account/apps/remove", post(account_centre::apps_remove))
        .route("/t/{tenant}/account/agents", get(account_centre::agents_get))
        .route("/t/{tenant}/account/agents/revoke", post(account_centre::agents_revoke))
        .route("/t/{tenant}/account/approvals", get(account_centre::approvals_get))
        .route("/t/{tenant}/account/approvals/decide", post(account_centre::approvals_decide))
        .route("/t/{tenant}/account/approvals/confirm", get(account_centre::approvals_confirm))
        .route("/t/{tenant}/account/privacy", get(account_centre::privacy))
        .route("/t/{tenant}/account/privacy/consent", post(account_centre::privacy_consent))
        .route("/t/{tenant}/account/privacy/delete", post(account_centre::delete_account))
        .route("/t/{tenant}/account/keep", get(account_centre::keep_get).post(account_centre::keep_post))
        .route(
            "/t/{tenant}/account/privacy/export",
            get(account_centre::export_download).post(account_centre::export_start),
        )
        .route("/t/{tenant}/logout", get(logout::logout).post(logout::logout))
        .route("/t/{tenant}/logout/confirm", post(logout::confirm))
        .route("/t/{tenant}/device", get(device::page_get).post(device::page_post))
        .route_layer(middleware::from_fn_with_state(state.clone(), language::negotiate))
}

/// The endpoints clients call directly, authenticating with `Authorization` (or in the body)
/// and sending a typed body.
fn back_channel_routes() -> Router<AppState> {
    Router::new()
        .route("/t/{tenant}/par", post(par::push))
        .route("/t/{tenant}/token", post(token::token))
        .route("/t/{tenant}/device_authorization", post(device::device_authorization))
        .route("/t/{tenant}/bc-authorize", post(ciba::bc_authorize))
        .route("/t/{tenant}/introspect", post(introspect::introspect))
        .route("/t/{tenant}/revoke", post(introspect::revoke))
        .route("/t/{tenant}/register", post(register::register))
        .route("/t/{tenant}/register/{client_id}", get(register::read).put(register::update).delete(register::delete))
        .route_layer(middleware::from_fn(|req: Request, next: Next| one_of_each(req, next, false)))
}

/// The protected resources of the server itself, which take an access token in `Authorization`.
fn resource_routes() -> Router<AppState> {
    Router::new()
        .route("/t/{tenant}/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/t/{tenant}/account/delegations", get(account::list_delegations))
        .route("/t/{tenant}/account/delegations/{id}", axum::routing::delete(account::revoke_delegation))
        .route_layer(middleware::from_fn(|req: Request, next: Next| one_of_each(req, next, true)))
}

/// Headers an OAuth request may carry at most once: the credentials and the body's media type.
const SINGLE_HEADERS: [(header::HeaderName, &str); 2] =
    [(header::AUTHORIZATION, "Authorization"), (header::CONTENT_TYPE, "Content-Type")];

/// Refuses, with `invalid_request`, a request that carries `Authorization` or `Content-Type`
/// more than once (neither is a list, RFC 9110 §5.3); at a protected resource the answer is
/// RFC 6750 §3.1's 400 with a `Bearer` challenge.
///
/// # Security
/// Code that reads one header takes the first of two, while a proxy, a WAF or another
/// framework may take the last: a request could carry a valid credential for one reader and a
/// wrong one for the other (a valid Basic header followed by a forged one got a token). One
/// refusal here, before any endpoint reads either header, so no endpoint has to remember it.
async fn one_of_each(req: Request, next: Next, resource: bool) -> Response {
    let repeated = SINGLE_HEADERS.iter().find(|(h, _)| req.headers().get_all(h).iter().nth(1).is_some());
    let Some((_, name)) = repeated else {
        return next.run(req).await;
    };
    let e = OAuthError::invalid_request(format!("send one {name} header, not several"));
    if resource { ResourceError::malformed(e).into_response() } else { OAuthFailure(e).into_response() }
}

/// The id of the tenant a path names ([`tenant_record`]).
pub(crate) async fn tenant_of(st: &AppState, tenant: &str) -> Result<TenantId, Problem> {
    tenant_record(st, tenant).await.map(|t| t.id.clone())
}

/// `GET /t/{tenant}/jwks`: active, next and recently retired public keys.
///
/// Cacheable for five minutes: a key is published as `next` before it signs, so a client whose
/// copy is a few minutes old still knows every key in use. Readable cross-origin (RFC 9700 §2.6
/// allows it for JWKS).
async fn jwks(State(st): State<AppState>, Path(tenant): Path<String>) -> Result<impl IntoResponse, Problem> {
    let tenant = tenant_of(&st, &tenant).await?;
    let keys = st.keys.keys(&tenant, st.clock.now()).await.map_err(|e| {
        Problem::new(ProblemKind::Unavailable, "signing keys are unavailable").with_internal(e.to_string())
    })?;
    Ok((
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            (header::CONTENT_TYPE, HeaderValue::from_static("application/jwk-set+json")),
        ],
        keys.jwks_json().to_owned(),
    ))
}
