//! Self-service sign-up and the proof of an address: the sign-up form, the "check your mail"
//! page (a code, "Resend"), and the mailed link. A verified sign-up continues the
//! authorization request it interrupted, so the user ends up back at the application.
//!
//! # Security
//! - The form gives the same answer whether or not the address has an account: "check your
//!   mail". The owner of a taken address gets a mail saying someone tried (and how to reset).
//! - Abuse: a honeypot field, sign-ups per network per hour (`settings.signup.per_network_per_hour`),
//!   mails per address (the sign-in mail limit), the tenant's risk policy (a `deny` refuses), the
//!   tenant's domain lists, and only plain ASCII addresses (no look-alikes).
//! - The mailed link signs in only in the browser whose flow it belongs to; elsewhere it only
//!   verifies the address. Following it shows a button, so a mail scanner that opens links
//!   does not use it up.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::Amr;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::invitation::{Invitation, InvitationState};
use ciam_core::purpose::{PRIVACY, Purpose as ConsentPurpose, TERMS};
use ciam_core::secret::Secret;
use ciam_core::signup::{AddressRefusal, ProfileClaim, SignupMode};
use ciam_core::user::{User, UserProfile, UserStatus};
use ciam_policy::Outcome;
use serde::{Deserialize, Serialize};

use super::email_sign_in::{MAIL_LIMIT_MESSAGE, mail_allowed};
use super::pages::{CheckMailPage, Documents, FieldInput, MessagePage, PurposeChoice, SignupPage, html, mailed_link};
use super::session::{Flow, load_flow, save_flow, start_flow};
use super::signin::{FirstFactor, first_factor_passed, request_signals, tenant_policy};
use super::web_flow::{Ctx, flow_step, form_step, query_param, see_other};
use crate::adapters::captcha::HumanCheck;
use crate::audit::Caller;
use crate::error::{HoldOff, PageError};
use crate::http::Path;
use crate::i18n::{self, Msg, msg, refusal, tr, tr_with};
use crate::services::accounts::{self, Acceptance, Presented, Purpose, SignUp, SignedUp};
use crate::services::consents::{self, Channel};
use crate::services::throttle::{self, Attempt};
use crate::services::{By, ServiceError, invitations};
use crate::state::AppState;

/// A sign-in or sign-up held until the address is proven.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Verifying {
    /// The account; empty when the address had one already (nothing can be verified then).
    pub(crate) user_id: String,
    /// The address the mail went to, as typed.
    pub(crate) email: String,
    /// The methods the user signed in (or up) with, which the sign-in continues with.
    pub(crate) amr: Vec<Amr>,
}

/// The tenant's password rules in words, shown before the user types.
pub(super) fn password_rules(ctx: &Ctx) -> String {
    let login = &ctx.tenant.settings.login;
    let rules = if login.refuse_common_passwords { msg!("password-rules-breached") } else { msg!("password-rules") };
    tr_with(rules, &[("min", &login.password_min_length.to_string())])
}

/// Why a password was refused, in words for the person ([`ciam_authn::PasswordPolicy::check`]'s
/// refusals; anything else in the policy's own words).
pub(super) fn password_refused(ctx: &Ctx, e: &ciam_core::FieldError) -> String {
    let reason = e.message.as_ref();
    if reason.starts_with("must be at least") {
        tr_with(msg!("password-too-short"), &[("min", &ctx.tenant.settings.login.password_min_length.to_string())])
    } else if reason.starts_with("must be at most") {
        tr_with(msg!("password-too-long"), &[("max", &ciam_authn::password::MAX_PASSWORD_BYTES.to_string())])
    } else if reason.starts_with("is too common") {
        tr(msg!("password-too-common"))
    } else {
        tr_with(msg!("password-refused"), &[("reason", reason)])
    }
}

/// Label (and its lower-case form, for "Enter your …"), input type and autocomplete token of a
/// profile claim on a form.
pub(super) fn claim_input(claim: ProfileClaim) -> (Msg, Msg, &'static str, &'static str) {
    match claim {
        ProfileClaim::Name => (msg!("claim-name"), msg!("claim-name-lower"), "text", "name"),
        ProfileClaim::GivenName => (msg!("claim-given-name"), msg!("claim-given-name-lower"), "text", "given-name"),
        ProfileClaim::FamilyName => (msg!("claim-family-name"), msg!("claim-family-name-lower"), "text", "family-name"),
        ProfileClaim::PhoneNumber => (msg!("claim-phone-number"), msg!("claim-phone-number-lower"), "tel", "tel"),
        ProfileClaim::Birthdate => (msg!("claim-birthdate"), msg!("claim-birthdate-lower"), "date", "bday"),
        ProfileClaim::Locale => (msg!("claim-locale"), msg!("claim-locale-lower"), "text", "language"),
    }
}

/// What the sign-up form was filled with, to show it again with an error.
#[derive(Default)]
struct Filled {
    email: String,
    profile: UserProfile,
    /// The tenant's purposes the form asks about, ticked as sent.
    purposes: Vec<PurposeChoice>,
}

/// The tenant's purposes a sign-up answers: every one, the documents (`terms`, `privacy`)
/// adopted from the sign-up settings first. The documents are the `accept` checkbox; the
/// others are the form's own checkboxes, ticked as `ticked` says.
async fn signup_purposes(
    ctx: &Ctx,
    ticked: impl Fn(&ConsentPurpose) -> bool,
) -> Result<(Vec<ConsentPurpose>, Vec<PurposeChoice>), PageError> {
    let by = By::system("sign-up documents");
    let all = consents::adopt_signup_documents(&ctx.st, &by, &ctx.tenant).await?.to_vec();
    let choices = all.iter().filter(|p| !is_document(p)).map(|p| PurposeChoice::of(p, ticked(p))).collect();
    Ok((all, choices))
}

/// Whether `p` is one of sign-up's documents, which the `accept` checkbox stands for.
fn is_document(p: &ConsentPurpose) -> bool {
    p.id == TERMS || p.id == PRIVACY
}

/// The name of the application a flow serves, if it serves one.
async fn client_name(ctx: &Ctx, flow: &Flow) -> Result<Option<String>, PageError> {
    if !flow.is_authorization() {
        return Ok(flow.saml.as_ref().map(|s| s.app_name.clone()));
    }
    let (client, _) = super::authorize::validated(ctx, &flow.query).await?;
    Ok(Some(client.name.clone()))
}

#[allow(clippy::too_many_arguments)]
fn signup_page(
    ctx: &Ctx,
    id: &str,
    flow: &Flow,
    client: Option<&str>,
    filled: &Filled,
    error: Option<(&str, &str)>,
    status: StatusCode,
) -> Response {
    let signup = &ctx.tenant.settings.signup;
    let fields = signup
        .fields
        .iter()
        .map(|f| {
            let (label, _, kind, autocomplete) = claim_input(f.claim);
            FieldInput {
                name: f.claim.as_str(),
                label: tr(label),
                kind,
                autocomplete,
                required: f.required,
                value: f.claim.get(&filled.profile).unwrap_or("").to_owned(),
            }
        })
        .collect();
    let documents = signup
        .asks_acceptance()
        .then_some(Documents { terms: signup.terms_url.as_deref(), privacy: signup.privacy_url.as_deref() });
    html(
        status,
        &SignupPage {
            brand: &ctx.brand,
            client_name: client,
            action: &ctx.path("signup"),
            sign_in: &format!("{}?flow={id}", ctx.path("login")),
            flow: id,
            csrf: &flow.csrf,
            email: &filled.email,
            email_fixed: flow.invitation.is_some(),
            password_rules: &password_rules(ctx),
            password_min: ctx.tenant.settings.login.password_min_length,
            fields,
            documents,
            purposes: &filled.purposes,
            error: error.map(|(_, m)| m),
            error_field: error.map(|(f, _)| f),
            captcha: captcha_of(ctx).map(|c| c.widget()),
        },
    )
}

/// The deployment's human check, when the tenant asks for it on sign-up.
fn captcha_of(ctx: &Ctx) -> Option<&dyn HumanCheck> {
    ctx.st.captcha.as_deref().filter(|_| ctx.tenant.settings.signup.captcha)
}

/// The page of a tenant whose sign-up is not open.
fn closed() -> PageError {
    PageError::new(StatusCode::NOT_FOUND, msg!("signup-closed"))
}

/// The page of an invitation link that no longer works.
fn invitation_gone() -> PageError {
    PageError::bad_request(msg!("signup-invitation-gone"))
}

/// Whether this flow may sign up: sign-up is open, or the flow came from an invitation of a
/// tenant that accepts them (`open` or `invite`).
fn may_sign_up(ctx: &Ctx, flow: &Flow) -> bool {
    let signup = &ctx.tenant.settings.signup;
    signup.is_open() || (signup.mode == SignupMode::Invite && flow.invitation.is_some())
}

/// The pending invitation a flow came from.
async fn flow_invitation(ctx: &Ctx, flow: &Flow) -> Result<Option<Invitation>, PageError> {
    let Some(id) = &flow.invitation else { return Ok(None) };
    let found = ctx.st.durable.get_invitation(&ctx.tenant.id, id).await?;
    let now = ctx.st.clock.now();
    found.filter(|i| i.state(now) == InvitationState::Pending).map(Some).ok_or_else(invitation_gone)
}

/// `GET /t/{tenant}/signup?invitation=…`: an invitation link; it starts a sign-up flow for the
/// invited address and moves on at once (the token leaves the address bar).
async fn from_invitation(ctx: &Ctx, token: &str) -> Result<Response, PageError> {
    if ctx.tenant.settings.signup.mode == SignupMode::Closed {
        return Err(closed());
    }
    let invitation = invitations::pending(&ctx.st, &ctx.tenant, token).await?.ok_or_else(invitation_gone)?;
    account_flow(ctx, "signup", |flow| flow.invitation = Some(invitation.id)).await
}

/// `GET /t/{tenant}/signup?flow=…`: the sign-up form. Without a flow (opened directly) a flow
/// is started whose end is the account pages.
pub(super) async fn signup_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let flow_id = query_param(query.as_deref(), "flow");
    if let Some(token) = query_param(query.as_deref(), "invitation") {
        let ctx = Ctx::load(st, &tenant).await?;
        return ctx.branded(from_invitation(&ctx, &token)).await;
    }
    let Some(flow_id) = flow_id else {
        let ctx = Ctx::load(st, &tenant).await?;
        if !ctx.tenant.settings.signup.is_open() {
            return Err(closed().branded(&ctx.brand));
        }
        return ctx.branded(account_flow(&ctx, "signup", |_| {})).await;
    };
    let (ctx, id, flow) = flow_step(st, &tenant, Some(&flow_id), &headers).await?;
    ctx.branded(async {
        if !may_sign_up(&ctx, &flow) {
            return Err(closed());
        }
        let client = client_name(&ctx, &flow).await?;
        let invited = flow_invitation(&ctx, &flow).await?;
        let (_, purposes) = signup_purposes(&ctx, |_| false).await?;
        let email = invited.map(|i| i.email.as_str().to_owned()).unwrap_or_default();
        let filled = Filled { email, purposes, ..Filled::default() };
        Ok(signup_page(&ctx, &id, &flow, client.as_deref(), &filled, None, StatusCode::OK))
    })
    .await
}

/// Starts a flow that ends at the account pages (set up further by `prepare`) and sends the
/// browser to `page` with it.
pub(super) async fn account_flow(
    ctx: &Ctx,
    page: &str,
    prepare: impl FnOnce(&mut Flow),
) -> Result<Response, PageError> {
    let (id, browser, mut flow) = start_flow(&ctx.st, &ctx.ns, "").await?;
    flow.account = true;
    prepare(&mut flow);
    save_flow(&ctx.st, &ctx.ns, &id, &flow).await?;
    Ok(ctx.with_flow_cookie(see_other(&format!("{}?flow={id}", ctx.path(page))), &browser))
}

/// `POST /t/{tenant}/signup`: creates the account and mails the proof of its address.
pub(super) async fn signup_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, mut form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let signup = ctx.tenant.settings.signup.clone();
        if !may_sign_up(&ctx, &flow) {
            return Err(closed());
        }
        let client = client_name(&ctx, &flow).await?;
        let invitation = flow_invitation(&ctx, &flow).await?;
        // An invitation fixes the address: it is the one the link was sent to.
        let typed = match &invitation {
            Some(i) => i.email.as_str().to_owned(),
            None => form.get("email").unwrap_or("").trim().to_owned(),
        };
        let ticked = |p: &ConsentPurpose| is_document(p) || form.get(&format!("purpose_{}", p.id)) == Some("on");
        let (purposes, choices) = signup_purposes(&ctx, ticked).await?;
        let answered: Vec<bool> = purposes.iter().map(ticked).collect();
        let mut filled = Filled { email: typed, purposes: choices, ..Filled::default() };
        for f in &signup.fields {
            f.claim.set(&mut filled.profile, form.get(f.claim.as_str()));
        }
        let refused = |filled: &Filled, field: &str, message: &str, status| {
            signup_page(&ctx, &id, &flow, client.as_deref(), filled, Some((field, message)), status)
        };
        // A bot that fills every field: it is told what a person is told, and nothing happens.
        if form.get("website").is_some_and(|v| !v.is_empty()) {
            tracing::info!(tenant = %ctx.tenant.id, "sign-up refused: honeypot field filled");
            let nobody = Verifying { user_id: String::new(), email: filled.email.clone(), amr: vec![] };
            return check_mail_next(&ctx, &id, flow, nobody).await;
        }
        let limit = u64::from(signup.per_network_per_hour);
        if throttle::network_over_hourly_limit(&ctx.st, &ctx.ns, "signup", caller.addr(), limit).await? {
            tracing::info!(tenant = %ctx.tenant.id, "sign-up refused: too many from the network");
            let page = refused(&filled, "email", &tr(msg!("signup-too-many")), StatusCode::TOO_MANY_REQUESTS);
            return Ok(HoldOff::after(throttle::HOUR).page(page));
        }
        // The tenant asks for a CAPTCHA: checked before any password is hashed. A provider that
        // cannot be reached refuses (fail closed).
        if signup.captcha {
            let Some(check) = captcha_of(&ctx) else {
                tracing::warn!(tenant = %ctx.tenant.id, "sign-up asks for a CAPTCHA the deployment does not configure");
                let m = &tr(msg!("signup-captcha-unavailable"));
                return Ok(refused(&filled, "captcha", m, StatusCode::SERVICE_UNAVAILABLE));
            };
            match check.verify(form.get(check.widget().field).unwrap_or(""), caller.addr()).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(tenant = %ctx.tenant.id, "sign-up refused: the CAPTCHA was not passed");
                    let m = &tr(msg!("signup-captcha-failed"));
                    return Ok(refused(&filled, "captcha", m, StatusCode::BAD_REQUEST));
                }
                Err(e) => {
                    tracing::warn!(tenant = %ctx.tenant.id, error = %e, "the CAPTCHA could not be verified");
                    let m = &tr(msg!("signup-captcha-unavailable"));
                    return Ok(refused(&filled, "captcha", m, StatusCode::SERVICE_UNAVAILABLE));
                }
            }
        }
        let Ok(email) = Email::parse(&filled.email) else {
            return Ok(refused(&filled, "email", &tr(msg!("error-invalid-email")), StatusCode::BAD_REQUEST));
        };
        match signup.check_address(&email) {
            // The administrator chose an invited address.
            _ if invitation.is_some() => {}
            Ok(()) => {}
            Err(AddressRefusal::NotAscii) => {
                let m = &tr(msg!("signup-not-ascii"));
                return Ok(refused(&filled, "email", m, StatusCode::BAD_REQUEST));
            }
            Err(AddressRefusal::Domain) => {
                let m = &tr(msg!("signup-domain-refused"));
                return Ok(refused(&filled, "email", m, StatusCode::BAD_REQUEST));
            }
        }
        for f in signup.fields.iter().filter(|f| f.required) {
            if f.claim.get(&filled.profile).is_none() {
                let (_, lower, ..) = claim_input(f.claim);
                let m = tr_with(msg!("signup-field-required"), &[("field", &tr(lower))]);
                return Ok(refused(&filled, f.claim.as_str(), &m, StatusCode::BAD_REQUEST));
            }
        }
        let profile = match filled.profile.clone().validate() {
            Ok(p) => p,
            Err(e) => {
                let field = ProfileClaim::ALL.iter().map(|c| c.as_str()).find(|c| *c == e.field).unwrap_or("email");
                let claim = ProfileClaim::ALL.iter().find(|c| c.as_str() == e.field);
                let label = tr(claim.map_or(msg!("claim-field"), |c| claim_input(*c).0));
                let reason = refusal(&e);
                let m = tr_with(msg!("signup-field-invalid"), &[("field", &label), ("reason", &reason)]);
                return Ok(refused(&filled, field, &m, StatusCode::BAD_REQUEST));
            }
        };
        if signup.asks_acceptance() && form.get("accept") != Some("on") {
            let m = &tr(msg!("signup-accept-required"));
            return Ok(refused(&filled, "accept", m, StatusCode::BAD_REQUEST));
        }
        if let Some(missing) = filled.purposes.iter().find(|c| c.required && !c.checked) {
            let m = tr_with(msg!("purposes-required"), &[("title", &missing.title)]);
            return Ok(refused(&filled, &format!("purpose_{}", missing.id), &m, StatusCode::BAD_REQUEST));
        }
        if !mail_allowed(&ctx.st, &ctx.ns, email.normalized()).await? {
            return Ok(refused(&filled, "email", &tr(MAIL_LIMIT_MESSAGE), StatusCode::TOO_MANY_REQUESTS));
        }
        let decision = ciam_policy::evaluate(&tenant_policy(&ctx.tenant), &request_signals(&ctx.st, &caller));
        if decision.outcome == Outcome::Deny {
            let rules = decision.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>().join(" ");
            tracing::info!(tenant = %ctx.tenant.id, score = decision.score, rules, "sign-up denied by policy");
            return Err(PageError::forbidden(msg!("error-sign-up-blocked")));
        }
        let accepted = signup.asks_acceptance().then(|| Acceptance {
            terms_url: signup.terms_url.clone(),
            privacy_url: signup.privacy_url.clone(),
            version: signup.documents_version.clone(),
        });
        let password = Secret::new(form.take("password").unwrap_or_default());
        let invited = invitation.is_some();
        let req = SignUp { email: email.clone(), password, profile, accepted, invitation };
        let outcome = match accounts::sign_up(&ctx.st, &ctx.tenant, &caller, req).await {
            Ok(o) => o,
            Err(ServiceError::Invalid(e)) => {
                let m = password_refused(&ctx, &e);
                return Ok(refused(&filled, "password", &m, StatusCode::BAD_REQUEST));
            }
            Err(e) => return Err(e.into()),
        };
        match outcome {
            SignedUp::InvitationGone => Err(invitation_gone()),
            SignedUp::Taken(_) if invited => {
                Ok(refused(&filled, "email", &tr(msg!("signup-invited-taken")), StatusCode::CONFLICT))
            }
            SignedUp::Taken(owner) => {
                tracing::info!(tenant = %ctx.tenant.id, "sign-up with an address that has an account");
                accounts::notify_taken(&ctx.st, &ctx.tenant, &owner, i18n::current()).await?;
                // The same work as for a new account: a proof stored and a mail queued (discarded).
                accounts::send_verification(&ctx.st, &ctx.tenant, None, &email, Some(&id), i18n::current()).await?;
                let nobody = Verifying { user_id: String::new(), email: email.as_str().to_owned(), amr: vec![] };
                check_mail_next(&ctx, &id, flow, nobody).await
            }
            SignedUp::Created(user) => {
                tracing::info!(tenant = %ctx.tenant.id, user = %user.id, invited, "signed up");
                // What the form answered: the documents accepted, each other purpose as ticked.
                let answers: Vec<_> = purposes.iter().zip(answered.iter().copied()).collect();
                let by = By::user(caller.clone(), user.id);
                let at = Channel { page: "signup", via_client: None };
                consents::answer(&ctx.st, &by, &ctx.tenant.id, &user.id, &answers, at).await?;
                if !user.email_verified {
                    accounts::send_verification(&ctx.st, &ctx.tenant, Some(&user), &email, Some(&id), i18n::current())
                        .await?;
                }
                let verifying =
                    Verifying { user_id: user.id.to_string(), email: email.as_str().to_owned(), amr: vec![Amr::Pwd] };
                if signup.require_email_verification && !user.email_verified {
                    return check_mail_next(&ctx, &id, flow, verifying).await;
                }
                flow.verifying = None;
                continue_sign_in(&ctx, &caller, &headers, &id, flow, &user, vec![Amr::Pwd]).await
            }
        }
    })
    .await
}

/// Holds the flow at the "check your mail" page.
async fn check_mail_next(ctx: &Ctx, id: &str, mut flow: Flow, verifying: Verifying) -> Result<Response, PageError> {
    flow.verifying = Some(verifying);
    save_flow(&ctx.st, &ctx.ns, id, &flow).await?;
    Ok(see_other(&format!("{}?flow={id}", ctx.path("signup/verify"))))
}

/// Holds a sign-in of an account whose address must be proven first: a new mail (within the
/// per-address limit) and the "check your mail" page.
pub(super) async fn hold_for_verification(
    ctx: &Ctx,
    id: &str,
    flow: Flow,
    user: &User,
    amr: Vec<Amr>,
) -> Result<Response, PageError> {
    if mail_allowed(&ctx.st, &ctx.ns, user.email.normalized()).await? {
        accounts::send_verification(&ctx.st, &ctx.tenant, Some(user), &user.email, Some(id), i18n::current()).await?;
    }
    tracing::info!(tenant = %ctx.tenant.id, user = %user.id, "sign-in held until the address is verified");
    let verifying = Verifying { user_id: user.id.to_string(), email: user.email.as_str().to_owned(), amr };
    check_mail_next(ctx, id, flow, verifying).await
}

/// Whether a sign-in of `user` must wait for the proof of their address.
pub(super) fn must_verify(ctx: &Ctx, user: &User) -> bool {
    !user.email_verified
        && user.source != ciam_core::user::UserSource::Admin
        && ctx.tenant.settings.signup.require_email_verification
}

/// Continues the sign-in of a flow whose user has just proven their address (or needs not).
async fn continue_sign_in(
    ctx: &Ctx,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    flow: Flow,
    user: &User,
    amr: Vec<Amr>,
) -> Result<Response, PageError> {
    let attempt = Attempt::new(&ctx.st, &ctx.ns, user.email.normalized(), caller.addr());
    first_factor_passed(FirstFactor {
        ctx,
        caller,
        headers,
        flow_id: id,
        flow,
        user_id: user.id,
        amr,
        attempt: &attempt,
        own_factor_required: false,
    })
    .await
}

fn check_mail_page(
    ctx: &Ctx,
    id: &str,
    flow: &Flow,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let email = flow.verifying.as_ref().map_or("", |v| v.email.as_str());
    html(
        status,
        &CheckMailPage {
            brand: &ctx.brand,
            email,
            verify: &ctx.path("signup/verify"),
            resend: &ctx.path("signup/resend"),
            flow: id,
            csrf: &flow.csrf,
            notice,
            error,
        },
    )
}

/// The account a held flow waits for, if it still exists and may sign in.
async fn held_user(ctx: &Ctx, flow: &Flow) -> Result<Option<User>, PageError> {
    let Some(v) = &flow.verifying else { return Ok(None) };
    let Ok(id) = UserId::parse(&v.user_id) else { return Ok(None) };
    let user = ctx.st.durable.get_user(&ctx.tenant.id, &id).await?;
    Ok(user.filter(|u| u.status == UserStatus::Active))
}

/// `GET /t/{tenant}/signup/verify?flow=…`: "check your mail". Once the address is verified
/// (by the link, opened on another device) the page moves on: the sign-in continues.
pub(super) async fn verify_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow) =
        flow_step(st, &tenant, query_param(query.as_deref(), "flow").as_deref(), &headers).await?;
    ctx.branded(async {
        let Some(verifying) = flow.verifying.clone() else { return Err(super::web_flow::flow_expired()) };
        if let Some(user) = held_user(&ctx, &flow).await?
            && user.email_verified
        {
            flow.verifying = None;
            return continue_sign_in(&ctx, &caller, &headers, &id, flow, &user, verifying.amr).await;
        }
        Ok(check_mail_page(&ctx, &id, &flow, None, None, StatusCode::OK))
    })
    .await
}

/// `POST /t/{tenant}/signup/verify`: the mailed code, typed on the page.
pub(super) async fn verify_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, mut flow, form) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let Some(verifying) = flow.verifying.clone() else { return Err(super::web_flow::flow_expired()) };
        let code = form.get("code").unwrap_or("").trim().to_owned();
        let wrong = |flow: &Flow| {
            let m = &tr(msg!("check-mail-wrong-code"));
            Ok(check_mail_page(&ctx, &id, flow, None, Some(m), StatusCode::UNAUTHORIZED))
        };
        let Some(user) = held_user(&ctx, &flow).await? else { return wrong(&flow) };
        let presented = Presented::Code(&code);
        if accounts::check(&ctx.st, &ctx.tenant, Purpose::Verify, &user, presented, true).await?.is_none() {
            return wrong(&flow);
        }
        let by = By::user(caller.clone(), user.id);
        let user = accounts::mark_verified(&ctx.st, &ctx.tenant, &by, &user).await?;
        flow.verifying = None;
        continue_sign_in(&ctx, &caller, &headers, &id, flow, &user, verifying.amr).await
    })
    .await
}

/// `POST /t/{tenant}/signup/resend`: another mail, within the per-address limit.
pub(super) async fn resend_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (ctx, id, flow, _) = form_step(st, &tenant, &body, &headers).await?;
    ctx.branded(async {
        let Some(verifying) = &flow.verifying else { return Err(super::web_flow::flow_expired()) };
        let Ok(email) = Email::parse(&verifying.email) else { return Err(super::web_flow::flow_expired()) };
        if !mail_allowed(&ctx.st, &ctx.ns, email.normalized()).await? {
            return Ok(check_mail_page(
                &ctx,
                &id,
                &flow,
                None,
                Some(&tr(MAIL_LIMIT_MESSAGE)),
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        let user = held_user(&ctx, &flow).await?;
        accounts::send_verification(&ctx.st, &ctx.tenant, user.as_ref(), &email, Some(&id), i18n::current()).await?;
        let notice = &tr(msg!("check-mail-resent"));
        Ok(check_mail_page(&ctx, &id, &flow, Some(notice), None, StatusCode::OK))
    })
    .await
}

/// `GET /t/{tenant}/verify?user=…&token=…`: the mailed link opens a page with a button (a mail
/// scanner that follows links uses nothing up).
pub(super) async fn link_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    let intro = tr_with(msg!("verify-intro"), &[("tenant", &ctx.brand.name)]);
    Ok(mailed_link(&ctx, "verify", query.as_deref(), msg!("verify-title"), &intro, msg!("verify-submit")))
}

/// `POST /t/{tenant}/verify`: uses the mailed link. The address is verified; in the browser
/// that holds the flow the link belongs to, the sign-in continues too.
pub(super) async fn link_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(st, &tenant).await?;
    ctx.branded(async {
        let form = ciam_oauth::form::Params::parse(&body)
            .map_err(|e| PageError::bad_request(i18n::Text::Verbatim(e.description)))?;
        let expired = || PageError::bad_request(msg!("verify-link-gone"));
        let id = form.get("user").and_then(|u| UserId::parse(u).ok()).ok_or_else(expired)?;
        let user = ctx.st.durable.get_user(&ctx.tenant.id, &id).await?.ok_or_else(expired)?;
        let presented = Presented::Link(form.get("token").unwrap_or(""));
        let proof = accounts::check(&ctx.st, &ctx.tenant, Purpose::Verify, &user, presented, true)
            .await?
            .ok_or_else(expired)?;
        let by = By::user(caller.clone(), user.id);
        let user = accounts::mark_verified(&ctx.st, &ctx.tenant, &by, &user).await?;
        // The flow the mail belongs to, if this browser holds it and it still waits for this user.
        if let Some(flow_id) = proof.flow.as_deref()
            && let Some(mut flow) = load_flow(&ctx.st, &ctx.tenant, flow_id, &headers).await?
            && let Some(verifying) = flow.verifying.take().filter(|v| v.user_id == user.id.to_string())
            && user.status == UserStatus::Active
        {
            return continue_sign_in(&ctx, &caller, &headers, flow_id, flow, &user, verifying.amr).await;
        }
        Ok(html(
            StatusCode::OK,
            &MessagePage {
                brand: &ctx.brand,
                title: &tr(msg!("verified-title")),
                message: &tr(msg!("verified-message")),
                link: None,
            },
        ))
    })
    .await
}
