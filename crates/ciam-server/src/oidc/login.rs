//! The hosted sign-in page: the form (password, "email me a code", passkey button) and the
//! password check, which hands a right password to the sign-in orchestration.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_authn::PasswordHasher;
use ciam_core::Amr;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::secret::Secret;
use ciam_core::user::{PasswordHash, User, UserStatus};

use super::authorize::validated;
use super::pages::{LoginPage, UpstreamButton, html};
use super::session::Flow;
use super::signin::{FirstFactor, first_factor_passed};
use super::web_flow::{Ctx, flow_step, form_step, query_param};
use crate::audit::Caller;
use crate::error::{Failure, HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::services::federation;
use crate::services::legacy::{self, FirstSignIn};
use crate::services::throttle::Attempt;
use crate::state::AppState;

/// The sign-in form of flow `id`, with one button per enabled upstream provider.
#[allow(clippy::too_many_arguments)]
pub(super) async fn login_page(
    ctx: &Ctx,
    client_name: &str,
    id: &str,
    flow: &Flow,
    email: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let action = ctx.path("login");
    let login = &ctx.tenant.settings.login;
    let passkey = (login.passkey && ctx.st.passkeys.is_some())
        .then(|| (ctx.path("passkey/sign-in/start"), ctx.path("passkey/sign-in/finish")));
    let upstreams = federation::providers(&ctx.st, &ctx.tenant.id)
        .await?
        .iter()
        .filter(|p| p.config.enabled)
        .map(|p| UpstreamButton {
            label: tr_with(msg!("login-continue-with"), &[("provider", &p.config.display_name)]),
            icon: p.config.icon_uri.clone(),
            id: p.id.clone(),
        })
        .collect();
    // Signing in here links the upstream account that brought the person (see `federation`).
    let notice = flow
        .linking
        .as_ref()
        .map(|l| tr_with(msg!("login-link-notice"), &[("email", &l.email), ("provider", &l.display_name)]));
    Ok(html(
        status,
        &LoginPage {
            brand: &ctx.brand,
            client_name,
            action: &action,
            password: login.password,
            email_code: login.email_code.then(|| ctx.path("login/email")),
            passkey,
            flow: id,
            csrf: &flow.csrf,
            email,
            error,
            scripted_sign_ins: ctx.tenant.settings.allows_scripted_sign_ins(),
            signup: ctx.tenant.settings.signup.is_open().then(|| format!("{}?flow={id}", ctx.path("signup"))),
            recover: login.password.then(|| format!("{}?flow={id}", ctx.path("recover"))),
            upstreams,
            upstream_action: ctx.path("login/upstream"),
            notice: notice.as_deref(),
        },
    ))
}

/// What the sign-in page says the person signs in to: the application, or what a sign-in that
/// serves no application is for.
pub(super) async fn client_label(ctx: &Ctx, flow: &Flow) -> Result<String, PageError> {
    Ok(match flow_purpose(flow) {
        Some(purpose) => purpose,
        None => validated(ctx, &flow.query).await?.0.name.clone(),
    })
}

/// What a sign-in that serves no application is for, as the login page names it.
fn flow_purpose(flow: &Flow) -> Option<String> {
    if flow.device {
        Some(tr(msg!("login-purpose-device")))
    } else if flow.account {
        Some(tr(msg!("login-purpose-account")))
    } else {
        flow.saml.as_ref().map(|s| s.app_name.clone())
    }
}

/// `GET /t/{tenant}/login?flow=…`: the sign-in form.
pub(super) async fn login_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, flow) = flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        if let Some(purpose) = flow_purpose(&flow) {
            return login_page(&ctx, &purpose, &id, &flow, "", None, StatusCode::OK).await;
        }
        let (client, valid) = validated(&ctx, &flow.query).await?;
        // An application may send the person straight to an upstream provider: `idp={id}`, or a
        // `login_hint` with an address (or `@domain`) of a provider's home realm.
        // Not once an upstream account waits to be linked: the person signs in here now.
        let idp = query_param(Some(&flow.query), "idp");
        let routed = match flow.linking {
            Some(_) => None,
            None => super::federation::direct_route(&ctx, idp.as_deref(), valid.login_hint.as_deref()).await?,
        };
        if let Some(to) = routed {
            return super::federation::start(&ctx, &id, &to, valid.login_hint.as_deref()).await;
        }
        // The address of an account an upstream account waits to be linked to, else the hint.
        let linking = flow.linking.as_ref().map(|l| l.email.as_str());
        let hint = linking.or(valid.login_hint.as_deref().filter(|h| h.contains('@'))).unwrap_or("");
        login_page(&ctx, &client.name, &id, &flow, hint, None, StatusCode::OK).await
    })
    .await
}

/// `POST /t/{tenant}/login`: checks the CSRF token, the throttle, then the password; a right
/// password goes on to the risk policy and, if it asks, a second factor.
///
/// # Security
/// Unknown email, wrong password and disabled account give the same message after the same
/// argon2 work (a dummy hash for unknown users), and the throttle counts them alike, so the form
/// reveals nothing about accounts.
pub(super) async fn login_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let client_name = client_label(&ctx, &flow).await?;
        let email = form.get("email").unwrap_or("").to_owned();
        let refused = |message: String, status: StatusCode| {
            let (ctx, client_name, id, flow, email) = (&ctx, &client_name, &id, &flow, &email);
            async move { login_page(ctx, client_name, id, flow, email, Some(&message), status).await }
        };
        // Home-realm discovery: an address of an enterprise provider's domain signs in there.
        if flow.linking.is_none()
            && let Some(to) = super::federation::direct_route(&ctx, None, Some(&email)).await?
        {
            return super::federation::start(&ctx, &id, &to, Some(&email)).await;
        }
        if !ctx.tenant.settings.login.password {
            return refused(tr(msg!("login-use-passkey")), StatusCode::BAD_REQUEST).await;
        }
        let normalized =
            Email::parse(&email).map(|e| e.normalized().to_owned()).unwrap_or_else(|_| email.to_lowercase());
        let attempt = Attempt::new(&ctx.st, &ctx.ns, &normalized, caller.addr());
        if attempt.locked().await? {
            tracing::info!(tenant = %ctx.tenant.id, "sign-in throttled");
            let page = refused(tr(msg!("error-too-many-attempts")), StatusCode::OK).await?;
            return Ok(HoldOff::after(std::time::Duration::from_secs(60)).page(page));
        }
        let password = Secret::new(form.take("password").unwrap_or_default());
        // A user still in the tenant's old system signs in with the old password once.
        let by = crate::services::By::visitor(caller.clone());
        let (user, hash) = account_of(&ctx, &email).await?;
        let migrated = match Email::parse(&email) {
            Ok(address) => {
                let known = legacy::Known { user: user.as_ref(), has_password: hash.is_some() };
                legacy::first_sign_in(&ctx.st, &by, &ctx.tenant, &address, &password, known).await?
            }
            Err(_) => FirstSignIn::NotAsked,
        };
        let user_id = match migrated {
            FirstSignIn::Migrated(id) => Some(id),
            FirstSignIn::Wrong => None,
            FirstSignIn::Unavailable => {
                return refused(tr(msg!("login-legacy-unavailable")), StatusCode::SERVICE_UNAVAILABLE).await;
            }
            FirstSignIn::NotAsked => verify_password(&ctx, &ctx.st.passwords, user, hash, password).await?,
        };
        let Some(user_id) = user_id else {
            tracing::info!(tenant = %ctx.tenant.id, "sign-in failed");
            attempt.failed().await?;
            return refused(tr(msg!("login-incorrect")), StatusCode::UNAUTHORIZED).await;
        };
        first_factor_passed(FirstFactor {
            ctx: &ctx,
            caller: &caller,
            headers: &headers,
            flow_id: &id,
            flow: flow.clone(),
            user_id,
            amr: vec![Amr::Pwd],
            attempt: &attempt,
            own_factor_required: false,
        })
        .await
    })
    .await
}

/// The user id when `email` and `password` are right and the account is active (the sign-in
/// form, and the account centre asking for the current password). A hash made with older
/// argon2 parameters is replaced by one with the current parameters.
pub(super) async fn check_password(
    ctx: &Ctx,
    hasher: &PasswordHasher,
    email: &str,
    password: Secret,
) -> Result<Option<UserId>, Failure> {
    let (user, hash) = account_of(ctx, email).await?;
    verify_password(ctx, hasher, user, hash, password).await
}

/// The account `email` names, with its password hash.
async fn account_of(ctx: &Ctx, email: &str) -> Result<(Option<User>, Option<PasswordHash>), Failure> {
    let user = match Email::parse(email) {
        Ok(e) => ctx.st.durable.find_user_by_email(&ctx.tenant.id, e.normalized()).await?,
        Err(_) => None,
    };
    let hash = match &user {
        Some(u) => ctx.st.durable.password_hash(&ctx.tenant.id, &u.id).await?,
        None => None,
    };
    Ok((user, hash))
}

/// [`check_password`] for an account already looked up.
async fn verify_password(
    ctx: &Ctx,
    hasher: &PasswordHasher,
    user: Option<User>,
    hash: Option<PasswordHash>,
    password: Secret,
) -> Result<Option<UserId>, Failure> {
    let stale = hash.as_ref().is_some_and(|h| hasher.needs_rehash(h));
    let ok = hasher.verify_or_dummy(password.clone(), hash).await?;
    let user = user.filter(|u| ok && u.status == UserStatus::Active);
    if let Some(u) = &user
        && stale
    {
        let fresh = hasher.hash(password).await?;
        ctx.st.durable.update_user(u, Some(&fresh)).await?;
        tracing::info!(tenant = %ctx.tenant.id, user = %u.id, "password rehashed with current parameters");
    }
    Ok(user.map(|u| u.id))
}
