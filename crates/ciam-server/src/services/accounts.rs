//! Accounts users make and keep themselves: sign-up, proving an address by mail (a link and a
//! code), and recovering an account whose password (or, for an account without one, passkey)
//! was lost.
//!
//! Audited as `user.signed_up` (with the documents accepted: URL, version and time),
//! `user.email_verified`, `user.password_reset` and `user.passkey_recovered` (both of which also
//! end every session and refresh token of the user). Never an address, a password, a token or a code.
//!
//! # Security
//! - A mailed proof is 256 random bits (and, for verification, a 6-digit code for a mail read on
//!   another device), kept only as hashes, one per user and purpose (a new mail replaces the
//!   last), bound to the address it was sent to (a proof for an address the user has since
//!   changed proves nothing), and single use. A code allows [`CODE_ATTEMPTS`] wrong guesses.
//! - Requests that may or may not concern an account (a sign-up with a taken address, a reset
//!   for an unknown one) do the same work either way: a password hash, a proof stored, a message
//!   sealed and queued; the outbox discards the message that has no recipient.

use std::time::Duration;

use ciam_authn::OneTimeCode;
use ciam_authn::passkey::StoredPasskey;
use ciam_core::audit::AuditRecord;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::keyspace::{self, Json};
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::store::StoreError;
use ciam_core::tenant::Tenant;
use ciam_core::user::{PasswordHash, User, UserProfile, UserSource, UserStatus};
use serde::{Deserialize, Serialize};

use super::{By, ServiceError, audited, outbox, users};
use crate::adapters::mail::OutgoingMail;
use crate::audit::Caller;
use crate::i18n::{self, Locale, msg};
use crate::state::AppState;

/// How long a verification mail works.
pub(crate) const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a reset mail works.
pub(crate) const RESET_TTL: Duration = Duration::from_secs(30 * 60);
/// Wrong codes a verification mail's code tolerates before it stops working.
pub(crate) const CODE_ATTEMPTS: u32 = 5;

/// What a mailed proof is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Proving the address of an account (after sign-up, or a new address).
    Verify,
    /// Setting a new password.
    Reset,
    /// Moving the account to a new address (the mail goes to the new one).
    ChangeEmail,
    /// Keeping an account whose own "Delete my account" waits for the tenant's grace period.
    KeepAccount,
}

impl Purpose {
    fn key(self, tenant: &Tenant, user: &str) -> keyspace::Key {
        let name = match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
            Self::ChangeEmail => "change_email",
            Self::KeepAccount => "keep_account",
        };
        keyspace::mail_proof(&tenant.ns(), name, user)
    }

    fn ttl(self, tenant: &Tenant) -> Duration {
        match self {
            Self::Verify | Self::ChangeEmail => VERIFY_TTL,
            Self::Reset => RESET_TTL,
            // As long as the erasure waits.
            Self::KeepAccount => {
                Duration::from_secs(u64::from(tenant.settings.privacy.erasure_grace_days.max(1)) * 86_400)
            }
        }
    }
}

/// A proof mailed to a user, as stored: hashes only.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MailProof {
    link: String,
    code: Option<String>,
    attempts: u32,
    /// The user's normalized address when the mail was sent: a proof stops working when the
    /// address changes.
    email: String,
    /// For [`Purpose::ChangeEmail`]: the new address, as typed (the mail went there).
    #[serde(default)]
    pub(crate) change_to: Option<String>,
    /// The hosted-page flow (an authorization request) the mail interrupted, if any.
    pub(crate) flow: Option<String>,
    expires_at: i64,
}

/// What the user brings back from a mail.
pub(crate) enum Presented<'a> {
    Link(&'a str),
    /// The hash of a link checked earlier in the same browser's flow.
    LinkHash(&'a str),
    Code(&'a str),
}

/// The secrets of a mail about to be sent.
pub(crate) struct Issued {
    pub(crate) token: Secret,
    pub(crate) code: Option<Secret>,
}

/// Stores a new proof for `user` (replacing the last) and returns its secrets for the mail.
/// `user` `None`: the same work for nobody (the proof is stored under a key no user has).
pub(crate) async fn issue(
    st: &AppState,
    tenant: &Tenant,
    purpose: Purpose,
    user: Option<&User>,
    email: &Email,
    flow: Option<&str>,
) -> Result<Issued, ServiceError> {
    let (token, link) = ciam_authn::email_code::magic_link_token();
    let (code, code_hash) = match purpose {
        Purpose::Verify => {
            let (c, h) = OneTimeCode::generate();
            (Some(c), Some(h))
        }
        Purpose::Reset | Purpose::ChangeEmail | Purpose::KeepAccount => (None, None),
    };
    let ttl = purpose.ttl(tenant);
    let proof = MailProof {
        link,
        code: code_hash,
        attempts: 0,
        email: user.map_or_else(|| email.normalized().to_owned(), |u| u.email.normalized().to_owned()),
        change_to: (purpose == Purpose::ChangeEmail).then(|| email.as_str().to_owned()),
        flow: flow.map(str::to_owned),
        expires_at: (st.clock.now() + ttl).unix_timestamp(),
    };
    let owner = user.map_or_else(|| format!("nobody-{}", ciam_core::secret::random_token(16)), |u| u.id.to_string());
    Json::new(st.ephemeral.as_ref())
        .put(&purpose.key(tenant, &owner), &proof, ttl)
        .await
        .map_err(ServiceError::Sessions)?;
    Ok(Issued { token, code })
}

/// The proof `presented` for `user`, if it is right, live and for the user's current address.
/// `consume`: a right proof is used up (a wrong code counts towards [`CODE_ATTEMPTS`] either way;
/// a wrong link changes nothing).
pub(crate) async fn check(
    st: &AppState,
    tenant: &Tenant,
    purpose: Purpose,
    user: &User,
    presented: Presented<'_>,
    consume: bool,
) -> Result<Option<MailProof>, ServiceError> {
    let key = purpose.key(tenant, &user.id.to_string());
    let proofs = Json::<MailProof>::new(st.ephemeral.as_ref());
    let Some(mut proof) = proofs.get(&key).await.map_err(ServiceError::Sessions)? else { return Ok(None) };
    let left = proof.expires_at - st.clock.now().unix_timestamp();
    if left <= 0 || proof.email != user.email.normalized() {
        return Ok(None);
    }
    let right = match presented {
        Presented::Link(token) => SecretHash::from_stored(proof.link.clone()).verify(token),
        Presented::LinkHash(hash) => bool::from(subtle::ConstantTimeEq::ct_eq(proof.link.as_bytes(), hash.as_bytes())),
        Presented::Code(code) => proof.code.as_deref().is_some_and(|h| OneTimeCode::verify(h, code)),
    };
    if right {
        // Used up atomically: of two requests with the same link, one gets it.
        if consume && proofs.take(&key).await.map_err(ServiceError::Sessions)?.is_none() {
            return Ok(None);
        }
        return Ok(Some(proof));
    }
    if matches!(presented, Presented::Code(_)) {
        proof.attempts += 1;
        if proof.attempts >= CODE_ATTEMPTS {
            proofs.delete(&key).await.map_err(ServiceError::Sessions)?;
        } else {
            let left = Duration::from_secs(left.unsigned_abs());
            proofs.put(&key, &proof, left).await.map_err(ServiceError::Sessions)?;
        }
    }
    Ok(None)
}

/// The documents a new user accepted on the sign-up form.
pub(crate) struct Acceptance {
    pub(crate) terms_url: Option<String>,
    pub(crate) privacy_url: Option<String>,
    pub(crate) version: Option<String>,
}

/// A sign-up as the form gave it, checked by the page.
pub(crate) struct SignUp {
    pub(crate) email: Email,
    pub(crate) password: Secret,
    pub(crate) profile: UserProfile,
    pub(crate) accepted: Option<Acceptance>,
    /// The pending invitation the sign-up uses: the account is created verified (the link went
    /// to the address) and the invitation used up.
    pub(crate) invitation: Option<ciam_core::invitation::Invitation>,
}

/// What a sign-up led to. The page shows the same for both.
pub(crate) enum SignedUp {
    /// A new account, its address not yet verified.
    Created(User),
    /// The address has an account already: its owner is told by mail, nothing else happens.
    Taken(User),
    /// The invitation was used (or withdrawn) by another request meanwhile.
    InvitationGone,
}

/// Creates the account of a sign-up: the password checked against the tenant's rules and
/// hashed, the user stored (`source: sign_up`, address unverified) and the acceptance of the
/// documents recorded. For an address that has an account the password is hashed all the same
/// (the same time) and nothing is stored.
pub(crate) async fn sign_up(
    st: &AppState,
    tenant: &Tenant,
    caller: &Caller,
    req: SignUp,
) -> Result<SignedUp, ServiceError> {
    let hash = users::hash_password(st, tenant, Some(req.password)).await?;
    if let Some(existing) = st.durable.find_user_by_email(&tenant.id, req.email.normalized()).await? {
        return Ok(SignedUp::Taken(existing));
    }
    let now = st.clock.now();
    let invited = req.invitation.is_some();
    let user = User {
        tenant_id: tenant.id.clone(),
        id: UserId::generate(),
        email: req.email,
        email_verified: invited,
        status: UserStatus::Active,
        profile: req.profile,
        source: if invited { UserSource::Invitation } else { UserSource::SignUp },
        created_at: now,
        updated_at: now,
    };
    match st.durable.create_user(&user, hash.as_ref()).await {
        Ok(()) => {}
        // Signed up a moment ago, by another request.
        Err(StoreError::Conflict { .. }) => {
            let existing = st.durable.find_user_by_email(&tenant.id, user.email.normalized()).await?;
            return existing.map(SignedUp::Taken).ok_or_else(|| ServiceError::Internal("sign-up conflict".into()));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(invitation) = &req.invitation
        && !st.durable.use_invitation(&tenant.id, &invitation.id, &user.id, now).await?
    {
        st.durable.delete_user(&tenant.id, &user.id).await?;
        return Ok(SignedUp::InvitationGone);
    }
    let by = By::user(caller.clone(), user.id);
    let mut e = AuditRecord::allow("user.signed_up");
    e.user_id = Some(user.id.to_string());
    // The record of consent to the documents (which ones, which version; the event has the
    // time), and the invitation used.
    let accepted = req
        .accepted
        .as_ref()
        .map(|a| serde_json::json!({"terms_url": a.terms_url, "privacy_url": a.privacy_url, "version": a.version}));
    let invitation = req.invitation.as_ref().map(|i| i.id.clone());
    if accepted.is_some() || invitation.is_some() {
        e.reason = serde_json::to_string(&serde_json::json!({"accepted": accepted, "invitation": invitation})).ok();
    }
    audited(st, &tenant.id, &by, e).await?;
    Ok(SignedUp::Created(user))
}

/// Marks the user's address verified. Audited as `user.email_verified`.
pub(crate) async fn mark_verified(st: &AppState, tenant: &Tenant, by: &By, user: &User) -> Result<User, ServiceError> {
    if user.email_verified {
        return Ok(user.clone());
    }
    let after = User { email_verified: true, updated_at: st.clock.now(), ..user.clone() };
    st.durable.update_user(&after, None).await?;
    let mut e = AuditRecord::allow("user.email_verified");
    e.user_id = Some(user.id.to_string());
    audited(st, &tenant.id, by, e).await?;
    Ok(after)
}

/// Whether `user` recovers with a new passkey rather than a new password: an account without a
/// password, where passkeys are on.
pub(crate) async fn recovers_with_passkey(st: &AppState, tenant: &Tenant, user: &UserId) -> Result<bool, ServiceError> {
    if st.passkeys.is_none() || !tenant.settings.login.passkey {
        return Ok(false);
    }
    Ok(st.durable.password_hash(&tenant.id, user).await?.is_none())
}

/// What a mailed reset link lets its holder do: the account's way to sign in that was lost.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Recovery {
    /// A new password (its hash), for an account with a password.
    Password(PasswordHash),
    /// A new passkey, for an account without a password (passkeys only): its name and
    /// credential.
    Passkey { name: String, passkey: StoredPasskey },
}

/// Applies a reset: sets the new password or adds the new passkey. Every session and refresh
/// token of the user ends (the browser that recovered the account gets a new session), the event
/// is recorded (`user.password_reset`, or `user.passkey_recovered` naming the passkey) and the
/// user told by mail (in their language, else `locale`, the request's).
pub(crate) async fn recover(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    user: &User,
    recovery: &Recovery,
    locale: Locale,
) -> Result<(), ServiceError> {
    // A reset also proves the address.
    let after = User { email_verified: true, updated_at: st.clock.now(), ..user.clone() };
    let (event, subject, text) = match recovery {
        Recovery::Password(hash) => {
            users::update(st, by, tenant, user, &after, Some(hash)).await?;
            ("user.password_reset", msg!("mail-password-changed-subject"), msg!("mail-password-changed-text"))
        }
        Recovery::Passkey { name, passkey } => {
            let factor = users::passkey_factor(st, user, name.clone(), passkey)?;
            st.durable.create_factor(&factor).await?;
            users::update(st, by, tenant, user, &after, None).await?;
            users::sign_out_everywhere(st, tenant, &after, None).await?;
            ("user.passkey_recovered", msg!("mail-passkey-recovered-subject"), msg!("mail-passkey-recovered-text"))
        }
    };
    let mut e = AuditRecord::allow(event);
    e.user_id = Some(user.id.to_string());
    if let Recovery::Passkey { .. } = recovery {
        e.reason = Some("a passkey was added by a mailed reset link".into());
    }
    audited(st, &tenant.id, by, e).await?;
    let when = st.clock.now().format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
    let locale = i18n::mail_locale(Some(user), locale);
    let link = recover_url(st, tenant);
    let args = [("tenant", tenant.display_name.as_str()), ("when", &when), ("link", &link)];
    queue(st, tenant, localised_mail(&user.email, locale, subject, text, &args), outbox::Delivery::default()).await
}

/// A mail to `to` in `locale`: its subject and text are the catalogue's messages `subject` and
/// `text` with `args`.
pub(crate) fn localised_mail(
    to: &Email,
    locale: Locale,
    subject: i18n::Msg,
    text: i18n::Msg,
    args: &[(&str, &str)],
) -> OutgoingMail {
    OutgoingMail {
        to: to.as_str().to_owned(),
        subject: i18n::text(locale, subject, args),
        text: format!("{}\n", i18n::text(locale, text, args)),
    }
}

/// Queues `mail` in the tenant's outbox.
pub(crate) async fn queue(
    st: &AppState,
    tenant: &Tenant,
    mail: OutgoingMail,
    delivery: outbox::Delivery,
) -> Result<(), ServiceError> {
    outbox::enqueue_with(st, &tenant.id, mail, delivery).await.map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The "forgot password" page of a tenant (a plain page, no secret in it).
pub(crate) fn recover_url(st: &AppState, tenant: &Tenant) -> String {
    format!("{}/t/{}/recover", st.node.public_url, tenant.id)
}

/// The link of a mailed proof.
pub(crate) fn proof_url(st: &AppState, tenant: &Tenant, page: &str, user: &str, token: &Secret) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("user", user)
        .append_pair("token", token.expose_secret())
        .finish();
    format!("{}/t/{}/{page}?{query}", st.node.public_url, tenant.id)
}

/// Sends `user` the verification or the reset mail on an administrator's request. Audited as
/// `user.mail_requested`, naming which.
pub(crate) async fn request_mail(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    user: &User,
    purpose: Purpose,
) -> Result<(), ServiceError> {
    // No request of the user's: their `locale` claim, else the tenant's default language.
    let locale = tenant.settings.branding.default_locale();
    let kind = match purpose {
        Purpose::Verify => {
            send_verification(st, tenant, Some(user), &user.email, None, locale).await?;
            "verify_email"
        }
        Purpose::Reset => {
            send_reset(st, tenant, Some(user), &user.email, None, locale).await?;
            "reset_password"
        }
        Purpose::ChangeEmail | Purpose::KeepAccount => {
            return Err(ServiceError::Internal("an address change or keeping an account is the user's to ask".into()));
        }
    };
    let mut e = AuditRecord::allow("user.mail_requested");
    e.user_id = Some(user.id.to_string());
    e.reason = Some(kind.to_owned());
    audited(st, &tenant.id, by, e).await
}

/// Queues the mail that proves `email`: a link and a code, for `user`, or the same work
/// discarded by the outbox when there is no account to verify. In the user's language, else
/// `locale` (the request's).
pub(crate) async fn send_verification(
    st: &AppState,
    tenant: &Tenant,
    user: Option<&User>,
    email: &Email,
    flow: Option<&str>,
    locale: Locale,
) -> Result<(), ServiceError> {
    let issued = issue(st, tenant, Purpose::Verify, user, email, flow).await?;
    let owner = user.map_or_else(String::new, |u| u.id.to_string());
    let link = proof_url(st, tenant, "verify", &owner, &issued.token);
    let code = issued.code.as_ref().map_or("", |c| c.expose_secret());
    let locale = i18n::mail_locale(user, locale);
    let args = [("tenant", tenant.display_name.as_str()), ("code", code), ("link", &link)];
    let mail = localised_mail(email, locale, msg!("mail-verify-subject"), msg!("mail-verify-text"), &args);
    queue(st, tenant, mail, outbox::Delivery { valid_for: VERIFY_TTL, discard: user.is_none() }).await
}

/// Queues the reset mail for `user`, or the same work discarded when the address has no
/// active account. In the user's language, else `locale` (the request's).
pub(crate) async fn send_reset(
    st: &AppState,
    tenant: &Tenant,
    user: Option<&User>,
    email: &Email,
    flow: Option<&str>,
    locale: Locale,
) -> Result<(), ServiceError> {
    let issued = issue(st, tenant, Purpose::Reset, user, email, flow).await?;
    let owner = user.map_or_else(String::new, |u| u.id.to_string());
    let link = proof_url(st, tenant, "recover/reset", &owner, &issued.token);
    let locale = i18n::mail_locale(user, locale);
    let args = [("tenant", tenant.display_name.as_str()), ("link", &link)];
    // The same lookup for an unknown address (of an id no account has), so the answer takes as
    // long either way.
    let id = user.map_or_else(UserId::generate, |u| u.id);
    let passkey = recovers_with_passkey(st, tenant, &id).await? && user.is_some();
    let (subject, text) = if passkey {
        (msg!("mail-reset-passkey-subject"), msg!("mail-reset-passkey-text"))
    } else {
        (msg!("mail-reset-subject"), msg!("mail-reset-text"))
    };
    let mail = localised_mail(email, locale, subject, text, &args);
    queue(st, tenant, mail, outbox::Delivery { valid_for: RESET_TTL, discard: user.is_none() }).await
}

/// Tells the owner of an address that someone tried to sign up with it. The mail carries no
/// secret: the way back in is the "forgot password" page. In the owner's language, else
/// `locale` (the request's).
pub(crate) async fn notify_taken(
    st: &AppState,
    tenant: &Tenant,
    owner: &User,
    locale: Locale,
) -> Result<(), ServiceError> {
    let locale = i18n::mail_locale(Some(owner), locale);
    let link = recover_url(st, tenant);
    let args = [("tenant", tenant.display_name.as_str()), ("link", &link)];
    let mail = localised_mail(&owner.email, locale, msg!("mail-taken-subject"), msg!("mail-taken-text"), &args);
    queue(st, tenant, mail, outbox::Delivery::default()).await
}

/// Asks for `user`'s move to `new_email`: a link to the new address (the change happens when it
/// is opened). For an address that has another account nothing is sent, and the page answers the
/// same.
pub(crate) async fn request_email_change(
    st: &AppState,
    tenant: &Tenant,
    user: &User,
    new_email: &Email,
    locale: Locale,
) -> Result<(), ServiceError> {
    let taken = st.durable.find_user_by_email(&tenant.id, new_email.normalized()).await?.is_some();
    let issued = issue(st, tenant, Purpose::ChangeEmail, (!taken).then_some(user), new_email, None).await?;
    let link = proof_url(st, tenant, "account/email/confirm", &user.id.to_string(), &issued.token);
    let locale = i18n::mail_locale(Some(user), locale);
    let args = [("tenant", tenant.display_name.as_str()), ("link", &link)];
    let mail =
        localised_mail(new_email, locale, msg!("mail-email-change-subject"), msg!("mail-email-change-text"), &args);
    queue(st, tenant, mail, outbox::Delivery { valid_for: VERIFY_TTL, discard: taken }).await
}

/// Moves `user` to the address a right, live change link was sent to: verified, audited as
/// `user.email_changed`, and the old address told (in the user's language, else `locale`, the
/// request's). `None` when the link does not work (used, expired, replaced, or the address has
/// changed since).
pub(crate) async fn confirm_email_change(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    user: &User,
    token: &str,
    locale: Locale,
) -> Result<Option<User>, ServiceError> {
    let Some(proof) = check(st, tenant, Purpose::ChangeEmail, user, Presented::Link(token), true).await? else {
        return Ok(None);
    };
    let Some(new_email) = proof.change_to.as_deref().and_then(|e| Email::parse(e).ok()) else { return Ok(None) };
    let after = User { email: new_email, email_verified: true, updated_at: st.clock.now(), ..user.clone() };
    users::update(st, by, tenant, user, &after, None).await?;
    let mut e = AuditRecord::allow("user.email_changed");
    e.user_id = Some(user.id.to_string());
    audited(st, &tenant.id, by, e).await?;
    let locale = i18n::mail_locale(Some(user), locale);
    let new = masked(after.email.as_str());
    let args = [("tenant", tenant.display_name.as_str()), ("new", new.as_str())];
    let mail =
        localised_mail(&user.email, locale, msg!("mail-email-changed-subject"), msg!("mail-email-changed-text"), &args);
    queue(st, tenant, mail, outbox::Delivery::default()).await?;
    Ok(Some(after))
}

/// An address with most of its local part hidden (`a***@example.com`), for a notice sent to
/// another address.
fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}
