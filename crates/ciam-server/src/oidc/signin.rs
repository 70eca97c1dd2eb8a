//! Sign-in orchestration: what happens between "the first factor was right" and "the browser
//! has a session".
//!
//! After a password, a passkey or an email code, the level the sign-in must reach is the highest
//! of: what the application asked for (`acr_values`), the tenant's MFA setting, and the risk
//! policy's step-up. When the methods used so far reach it, the session starts; otherwise the
//! user is taken to the second-factor page with the sign-in pending in the flow. A level no
//! method of the user can reach ends the request with `unmet_authentication_requirements`
//! (OpenID Connect Unmet Authentication Requirements 1.0): a lower level is never issued.
//!
//! Every policy decision goes to the audit trail (`sign_in.risk`) with its score and reasons.

use axum::http::HeaderMap;
use axum::response::Response;
use ciam_core::audit::AuditRecord;
use ciam_core::factor::{FactorKind, SignInProfile, SignInRecord};
use ciam_core::id::{TenantId, UserId};
use ciam_core::secret::{SecretHash, random_token};
use ciam_core::tenant::{MfaMode, Tenant};
use ciam_core::{Acr, Amr};
use ciam_policy::{Decision, Outcome, PolicyConfig, Signals};
use serde::{Deserialize, Serialize};

use super::session::{BrowserCookie, Flow, Session, read_cookie, save_flow, set_cookie, start_session};
use super::web_flow::{Ctx, query_param, see_other, with_cookie};
use crate::audit::{self, Caller};
use crate::error::{Failure, PageError};
use crate::i18n::msg;
use crate::services::sessions::MAX_USER_AGENT;
use crate::services::throttle::{Attempt, Failures};
use crate::services::{federation, risk};
use crate::state::AppState;

/// How long a device is remembered (the longest cookie lifetime browsers keep).
const DEVICE_TTL: std::time::Duration = std::time::Duration::from_secs(400 * 86_400);

/// A sign-in whose first factor passed and which waits for a second one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The user signing in.
    pub(crate) user_id: String,
    /// Methods used so far.
    pub(crate) amr: Vec<Amr>,
    /// The level to reach.
    pub(crate) required: Acr,
    /// When the first factor passed (the session's `auth_time` once complete).
    pub(crate) auth_time: i64,
    /// A code by email may not be the second factor (a confirmation before a change to an
    /// account that has an authenticator of its own).
    #[serde(default)]
    pub(crate) no_email: bool,
}

/// The tenant's risk policy (validated when the tenant was saved; the default if unreadable).
pub(super) fn tenant_policy(tenant: &Tenant) -> PolicyConfig {
    PolicyConfig::of_tenant(tenant)
}

/// The level the authorization request of a flow asks for (`acr_values` and the `claims`
/// parameter's `acr`, as the authorization endpoint reads them). A request that no longer
/// validates asks for nothing here: the authorization endpoint refuses it at the next step.
async fn flow_requested_acr(ctx: &Ctx, flow: &Flow) -> Option<Acr> {
    if !flow.is_authorization() {
        return None;
    }
    let (_, valid) = super::authorize::validated(ctx, &flow.query).await.ok()?;
    valid.requested_acr()
}

/// The device id in the browser's device cookie, if it is one this server sealed for this tenant.
fn device_id(st: &AppState, tenant: &TenantId, headers: &HeaderMap) -> Option<String> {
    let sealed = read_cookie(st, tenant, headers, BrowserCookie::Device)?;
    let opened = st.master.open(&format!("device/{tenant}"), sealed).ok()?;
    String::from_utf8(opened).ok()
}

/// What a request tells the policy about a person before any account is known (a sign-up; the
/// start of a sign-in).
pub(super) fn request_signals(st: &AppState, caller: &Caller) -> Signals {
    risk::request_signals(st, caller.addr(), caller.user_agent.as_deref())
}

/// What the server knows about a sign-in attempt, for the policy.
pub(super) async fn user_signals(
    st: &AppState,
    tenant: &TenantId,
    caller: &Caller,
    headers: &HeaderMap,
    profile: &SignInProfile,
    failures: Failures,
) -> Signals {
    let mut s = request_signals(st, caller);
    risk::with_history(&mut s, profile);
    let device = device_id(st, tenant, headers).map(|d| SecretHash::of(&d).as_str().to_owned());
    s.known_device = Some(device.is_some_and(|d| profile.devices.contains(&d)));
    s.account_failures = failures.account;
    s.ip_failures = failures.ip;
    s.network_accounts_failed = failures.network_accounts;
    s
}

/// Audits a policy decision about `user`.
pub(super) async fn audit_decision(
    st: &AppState,
    tenant: &TenantId,
    caller: &Caller,
    event_type: &str,
    user: &UserId,
    client: Option<&str>,
    decision: &Decision,
) -> Result<(), ciam_core::store::StoreError> {
    let mut event = AuditRecord::allow(event_type);
    event.decision = match decision.outcome {
        Outcome::Allow => "allow",
        Outcome::StepUp { .. } => "step_up",
        Outcome::Deny => "deny",
    }
    .into();
    event.user_id = Some(user.to_string());
    event.client_id = client.map(str::to_owned);
    // The request id ties the event to the request's log lines (and the line of a step-up or a
    // refusal to this event). The rules' details name countries, distances and devices: the
    // reason is sealed with the user's personal fields, and erased with them.
    event.reason_is_personal = true;
    event.reason = serde_json::to_string(&serde_json::json!({
        "score": decision.score,
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "request_id": caller.request_id,
    }))
    .ok();
    audit::record(st, tenant, caller, event).await
}

/// What a first factor leads to.
pub(super) struct FirstFactor<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) caller: &'a Caller,
    pub(super) headers: &'a HeaderMap,
    pub(super) flow_id: &'a str,
    pub(super) flow: Flow,
    pub(super) user_id: UserId,
    pub(crate) amr: Vec<Amr>,
    /// The throttle of this attempt: its counters feed the policy, and a success clears them.
    pub(super) attempt: &'a Attempt<'a>,
    /// Whatever the policy says, one of the user's own authenticators (never a code by email)
    /// must follow: a reset by mail does not bypass the account's second factor.
    pub(super) own_factor_required: bool,
}

/// After a first factor: evaluate the policy, then start the session or ask for a second factor.
pub(super) async fn first_factor_passed(f: FirstFactor<'_>) -> Result<Response, PageError> {
    let FirstFactor { ctx, caller, headers, flow_id, mut flow, user_id, amr, attempt, own_factor_required } = f;
    let st = &ctx.st;
    let tenant = &ctx.tenant.id;
    let failures = attempt.failures().await?;
    attempt.succeeded().await?;
    // An account that signed itself up proves its address before it signs in anywhere; a code
    // or link by email is that proof.
    if let Some(user) = st.durable.get_user(tenant, &user_id).await?
        && super::signup::must_verify(ctx, &user)
    {
        if !amr.contains(&Amr::Email) {
            return super::signup::hold_for_verification(ctx, flow_id, flow, &user, amr).await;
        }
        let by = crate::services::By::user(caller.clone(), user_id);
        crate::services::accounts::mark_verified(st, &ctx.tenant, &by, &user).await?;
    }
    let profile = st.durable.sign_in_profile(tenant, &user_id).await?;
    let mut signals = user_signals(st, tenant, caller, headers, &profile, failures).await;
    let achieved = Acr::of_methods(&amr);
    signals.current_acr = Some(achieved);
    let decision = ciam_policy::evaluate(&tenant_policy(&ctx.tenant), &signals);
    let client = flow_client(&flow);
    audit_decision(st, tenant, caller, "sign_in.risk", &user_id, client.as_deref(), &decision).await?;
    let mut required = Acr::Password;
    // The rules that fired, by name: the event `sign_in.risk` of this request (same request id)
    // has each rule's points and detail.
    let rules = || decision.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>().join(" ");
    match decision.outcome {
        Outcome::Deny => {
            tracing::info!(
                tenant = %tenant,
                user = %user_id,
                score = decision.score,
                rules = rules(),
                audit_type = "sign_in.risk",
                "sign-in denied by policy"
            );
            return Err(PageError::forbidden(msg!("error-sign-in-blocked")));
        }
        // `mfa: never`: the policy may refuse, but only the application asks for more factors.
        Outcome::StepUp { acr } if ctx.tenant.settings.login.mfa != MfaMode::Never => {
            tracing::info!(
                tenant = %tenant,
                user = %user_id,
                score = decision.score,
                rules = rules(),
                required = acr.as_str(),
                audit_type = "sign_in.risk",
                "sign-in stepped up by policy"
            );
            required = required.max(acr);
        }
        Outcome::StepUp { .. } | Outcome::Allow => {}
    }
    // A reset the policy allows takes effect now, unless the account's own second factor must
    // come first (then when the sign-in completes): a new passkey is then there to step up with.
    if !own_factor_required {
        apply_recovery(ctx, caller, &mut flow, &user_id).await?;
    }
    if ctx.tenant.settings.login.mfa == MfaMode::Always {
        required = required.max(Acr::MultiFactor);
    }
    if let Some(asked) = flow_requested_acr(ctx, &flow).await {
        required = required.max(asked);
    }
    if let Some(reauth) = &flow.reauth {
        required = required.max(reauth.acr);
    }
    let no_email = own_factor_required || flow.reauth.is_some_and(|r| !r.email_counts);
    let auth_time = st.clock.now().unix_timestamp();
    let enough = !own_factor_required && achieved.satisfies(required) && flow.reauth.is_none_or(|r| r.met_by(&amr, 0));
    if enough {
        return finish_sign_in(ctx, caller, headers, flow_id, &flow, &user_id, amr, auth_time, signals.location).await;
    }
    flow.pending = Some(Pending { user_id: user_id.to_string(), amr, required, auth_time, no_email });
    save_flow(st, &ctx.ns, flow_id, &flow).await?;
    Ok(see_other(&format!("{}?flow={flow_id}", ctx.path("mfa"))))
}

/// Applies the reset a flow holds (a new password or passkey), once.
async fn apply_recovery(ctx: &Ctx, caller: &Caller, flow: &mut Flow, user_id: &UserId) -> Result<(), PageError> {
    let Some(recovery) = flow.recovered.take() else { return Ok(()) };
    let user = ctx.st.durable.get_user(&ctx.tenant.id, user_id).await?.ok_or_else(super::web_flow::flow_expired)?;
    let by = crate::services::By::user(caller.clone(), *user_id);
    let locale = crate::i18n::current();
    crate::services::accounts::recover(&ctx.st, &ctx.tenant, &by, &user, &recovery, locale).await?;
    Ok(())
}

/// The client of an authorization flow, for the audit trail.
fn flow_client(flow: &Flow) -> Option<String> {
    query_param(Some(&flow.query), "client_id")
}

/// Starts the session for a completed sign-in, remembers where and on which device it happened,
/// and continues where the sign-in was needed.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish_sign_in(
    ctx: &Ctx,
    caller: &Caller,
    headers: &HeaderMap,
    flow_id: &str,
    flow: &Flow,
    user_id: &UserId,
    mut amr: Vec<Amr>,
    auth_time: i64,
    location: Option<ciam_policy::Location>,
) -> Result<Response, PageError> {
    let st = &ctx.st;
    let tenant = &ctx.tenant.id;
    // A reset that waited for the second factor takes effect now, before the session starts (it
    // ends every other one).
    let mut done = flow.clone();
    apply_recovery(ctx, caller, &mut done, user_id).await?;
    let acr = Acr::of_methods(&amr);
    if acr == Acr::MultiFactor && !amr.contains(&Amr::Mfa) {
        amr.push(Amr::Mfa);
    }
    let session = Session {
        sid: random_token(16),
        user_id: user_id.to_string(),
        auth_time,
        amr: amr.iter().map(|m| m.as_str().to_owned()).collect(),
        acr: acr.as_str().to_owned(),
        csrf: random_token(32),
        started_at: None,
        last_active: None,
        user_agent: caller.user_agent.as_deref().map(|ua| ua.chars().take(MAX_USER_AGENT).collect()),
        saml: Vec::new(),
    };
    let (session_cookie, session_ttl) = start_session(st, &ctx.tenant, headers, &session).await?;
    // Remember the sign-in for the policy: where, when, on which device, how strong.
    let device = device_id(st, tenant, headers).unwrap_or_else(|| random_token(32));
    let remembered = async {
        let mut profile = st.durable.sign_in_profile(tenant, user_id).await?;
        profile.last = Some(SignInRecord {
            at: auth_time,
            country: location.as_ref().and_then(|l| l.country.clone()),
            continent: location.as_ref().and_then(|l| l.continent.clone()),
            latitude: location.as_ref().map(|l| l.latitude),
            longitude: location.as_ref().map(|l| l.longitude),
        });
        if acr >= Acr::MultiFactor {
            profile.last_strong_auth = Some(auth_time);
        }
        profile.remember_device(SecretHash::of(&device).as_str());
        st.durable.put_sign_in_profile(tenant, user_id, &profile).await?;
        let mut event = AuditRecord::allow("sign_in.succeeded");
        event.user_id = Some(user_id.to_string());
        event.client_id = flow_client(flow).filter(|_| flow.is_authorization());
        event.reason = Some(format!("acr={} amr={}", acr.as_str(), session.amr.join(" ")));
        audit::record(st, tenant, caller, event).await
    };
    remembered.await?;
    // The person signed in to the account an upstream account waited to be linked to.
    if let Some(l) = done.linking.take() {
        let by = crate::services::By::user(caller.clone(), *user_id);
        let made = federation::identity(st, tenant, (&l.provider, &l.subject), Some(&l.email), user_id);
        let linked = federation::link(st, &by, &made, "proved").await;
        match linked {
            // Linked meanwhile (another tab): the sign-in stands, the first link stays.
            Ok(()) | Err(crate::services::ServiceError::Store(ciam_core::store::StoreError::Conflict { .. })) => {}
            Err(e) => return Err(e.into()),
        }
    }
    done.signed_in = true;
    done.pending = None;
    done.recovering = None;
    save_flow(st, &ctx.ns, flow_id, &done).await?;
    tracing::info!(tenant = %tenant, user = %user_id, acr = acr.as_str(), "signed in");
    let next = if flow.account {
        ctx.path(flow.next_page())
    } else {
        format!("{}?flow={flow_id}", ctx.path(flow.next_page()))
    };
    let mut res = with_cookie(
        see_other(&next),
        set_cookie(st, tenant, BrowserCookie::Session, Some(&session_cookie), session_ttl),
    );
    if let Ok(sealed) = st.master.seal(&format!("device/{tenant}"), device.as_bytes()) {
        res = with_cookie(res, set_cookie(st, tenant, BrowserCookie::Device, Some(&sealed), DEVICE_TTL));
    }
    Ok(res)
}

/// The second factors a user has, and which of them reach `required` together with `amr`.
pub(super) struct Options {
    pub(super) totp: bool,
    pub(super) recovery: bool,
    pub(super) passkey: bool,
    pub(super) email: bool,
}

impl Options {
    /// What can still be offered for a pending sign-in.
    pub(super) async fn of(st: &AppState, tenant: &TenantId, pending: &Pending) -> Result<Self, Failure> {
        let user =
            UserId::parse(&pending.user_id).map_err(|e| Failure::corrupt(format!("pending user: {}", e.message)))?;
        let factors = st.durable.list_factors(tenant, &user).await?;
        let has = |k: FactorKind| factors.iter().any(|f| f.kind == k);
        let reaches = |m: Amr| {
            let mut amr = pending.amr.clone();
            amr.push(m);
            Acr::of_methods(&amr).satisfies(pending.required)
        };
        Ok(Self {
            totp: has(FactorKind::Totp) && reaches(Amr::Otp),
            recovery: has(FactorKind::RecoveryCodes) && reaches(Amr::Otp),
            passkey: has(FactorKind::Passkey),
            email: !pending.no_email && !pending.amr.contains(&Amr::Email) && reaches(Amr::Email),
        })
    }

    pub(super) fn any(&self) -> bool {
        self.totp || self.recovery || self.passkey || self.email
    }
}
