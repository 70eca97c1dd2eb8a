//! The hosted pages' templates. Rendering, the branding and the error page are shared with the
//! error map and live in [`crate::http::page`].

use askama::Template;

pub(crate) use crate::http::page::{Brand, html};
use crate::i18n::{filters, msg, tr, tr_with};

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) client_name: &'a str,
    pub(crate) action: &'a str,
    pub(crate) password: bool,
    /// Where "email me a code" posts; `None` when not offered.
    pub(crate) email_code: Option<String>,
    /// Where the passwordless passkey ceremony starts and finishes; `None` when not offered.
    pub(crate) passkey: Option<(String, String)>,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    pub(crate) error: Option<&'a str>,
    /// The tenant is a development tenant that lets scripted sign-ins through (said on the page,
    /// so a test tenant is never mistaken for a production one).
    pub(crate) scripted_sign_ins: bool,
    /// The sign-up page of this flow, when sign-up is open.
    pub(crate) signup: Option<String>,
    /// The "forgot password" page of this flow, when passwords are offered.
    pub(crate) recover: Option<String>,
    /// One "Continue with …" button per enabled upstream provider, posting to `upstream_action`.
    pub(crate) upstreams: Vec<UpstreamButton>,
    pub(crate) upstream_action: String,
    /// What the page says before the forms (why the person is asked to sign in here).
    pub(crate) notice: Option<&'a str>,
}

/// The button of an upstream identity provider on the sign-in page.
pub(crate) struct UpstreamButton {
    /// The provider's id (the button's value).
    pub(crate) id: String,
    /// "Continue with {display name}".
    pub(crate) label: String,
    /// An https image, shown before the label.
    pub(crate) icon: Option<String>,
}

/// One authenticator on the security page.
pub(crate) struct FactorRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) created: String,
    pub(crate) last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "account_security.html")]
pub(crate) struct SecurityPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) email: &'a str,
    pub(crate) factors: Vec<FactorRow>,
    pub(crate) csrf: &'a str,
    pub(crate) base: &'a str,
    pub(crate) passkeys: bool,
    /// How the session signed in, in words.
    pub(crate) signed_in_with: &'a str,
    pub(crate) notice: Option<&'a str>,
    /// Where to confirm who you are before a change, when the session does not do it yet.
    pub(crate) confirm: Option<&'a str>,
    pub(crate) nav: super::account_centre::views::Nav,
    /// The upstream accounts linked to this account.
    pub(crate) identities: Vec<IdentityRow>,
}

/// An upstream account linked to the signed-in account, on the security page.
pub(crate) struct IdentityRow {
    pub(crate) provider: String,
    pub(crate) subject: String,
    /// The provider's display name (its id, if it was removed meanwhile).
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) linked: String,
}

#[derive(Template)]
#[template(path = "totp_enrol.html")]
pub(crate) struct TotpPage<'a> {
    pub(crate) brand: &'a Brand,
    /// Inline SVG rendered by the server from the otpauth URI (no user-controlled markup).
    pub(crate) qr: &'a str,
    pub(crate) secret: &'a str,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub(crate) struct RecoveryCodesPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) codes: Vec<String>,
    pub(crate) back: &'a str,
}

#[derive(Template)]
#[template(path = "email_code.html")]
pub(crate) struct EmailCodePage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    pub(crate) error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mfa.html")]
pub(crate) struct MfaPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    pub(crate) passkey_start: &'a str,
    pub(crate) passkey_finish: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) totp: bool,
    pub(crate) recovery: bool,
    pub(crate) passkey: bool,
    pub(crate) email: bool,
    pub(crate) email_sent: bool,
    pub(crate) phishing_resistant: bool,
    pub(crate) error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub(crate) struct ConsentPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) client_name: &'a str,
    pub(crate) scopes: Vec<String>,
    pub(crate) redirect_host: &'a str,
    pub(crate) action: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    /// Present when the client is an AI agent asking to act on the user's behalf.
    pub(crate) agent: Option<AgentConsent>,
    /// Present when the client described itself by a metadata document: the host of its
    /// `client_id` URL (its name is unverified).
    pub(crate) unverified_host: Option<&'a str>,
    /// The request's authorization details (RFC 9396), each in words.
    pub(crate) details: Vec<String>,
}

/// The device verification page (RFC 8628 §3.3): the user types the code their device shows.
#[derive(Template)]
#[template(path = "device.html")]
pub(crate) struct DevicePage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    /// What to prefill (from `verification_uri_complete`, or what the user typed).
    pub(crate) user_code: &'a str,
    pub(crate) error: Option<&'a str>,
}

/// The approval page of a device request: the same words as the authorization consent, plus the
/// code to compare with the device (RFC 8628 §5.4).
#[derive(Template)]
#[template(path = "device_consent.html")]
pub(crate) struct DeviceConsentPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) client_name: &'a str,
    pub(crate) scopes: Vec<String>,
    pub(crate) action: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) user_code: &'a str,
    pub(crate) agent: Option<AgentConsent>,
    /// The tenant's purposes the user has yet to answer (a required one never granted, or a new
    /// version that asks again), as the purposes page of a sign-in asks them.
    pub(crate) purposes: Vec<PurposeChoice>,
    /// Why the answer was not taken (a required purpose left unticked).
    pub(crate) error: Option<&'a str>,
}

/// The end of a device request: allowed or denied.
#[derive(Template)]
#[template(path = "device_done.html")]
pub(crate) struct DeviceDonePage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) title: &'a str,
    pub(crate) message: &'a str,
}

/// What the approval page says about an agent and the delegation it asks for.
pub(crate) struct AgentConsent {
    pub(crate) description: String,
    /// Who operates the agent, in words.
    pub(crate) owner: String,
    /// The APIs it may call for the user.
    pub(crate) audiences: Vec<String>,
    /// When the delegation ends by itself (UTC date).
    pub(crate) until: String,
    /// Where the user revokes it: their account's agents page (a full URL, as the approval may
    /// happen on another device).
    pub(crate) manage: String,
}

#[derive(Template)]
#[template(path = "logout.html")]
pub(crate) struct LogoutPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    /// Present: ask to confirm; absent: say the user is signed out.
    pub(crate) csrf: Option<&'a str>,
}

/// Plain words for the scopes on the consent page, in the language of the request.
pub(crate) fn describe_scope(scope: &str) -> String {
    let known = match scope {
        "openid" => msg!("scope-openid"),
        "profile" => msg!("scope-profile"),
        "email" => msg!("scope-email"),
        "phone" => msg!("scope-phone"),
        "address" => msg!("scope-address"),
        "offline_access" => msg!("scope-offline-access"),
        other => return tr_with(msg!("scope-other"), &[("scope", other)]),
    };
    tr(known)
}

/// A profile field of the sign-up form.
pub(crate) struct FieldInput {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    /// The input's `type`.
    pub(crate) kind: &'static str,
    pub(crate) autocomplete: &'static str,
    pub(crate) required: bool,
    pub(crate) value: String,
}

/// The documents the sign-up form asks the user to accept.
pub(crate) struct Documents<'a> {
    pub(crate) terms: Option<&'a str>,
    pub(crate) privacy: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "signup.html")]
pub(crate) struct SignupPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) client_name: Option<&'a str>,
    pub(crate) action: &'a str,
    pub(crate) sign_in: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    /// The address is an invitation's: shown, not editable.
    pub(crate) email_fixed: bool,
    pub(crate) password_rules: &'a str,
    pub(crate) password_min: usize,
    pub(crate) fields: Vec<FieldInput>,
    pub(crate) documents: Option<Documents<'a>>,
    /// The tenant's purposes other than the documents, as checkboxes.
    pub(crate) purposes: &'a [PurposeChoice],
    pub(crate) error: Option<&'a str>,
    /// The field the error is about (`email`, `password`, a claim, `accept`, `captcha`).
    pub(crate) error_field: Option<&'a str>,
    /// The CAPTCHA widget, when the tenant asks for one.
    pub(crate) captcha: Option<&'a crate::adapters::captcha::Widget>,
}

impl crate::http::page::HostedPage for SignupPage<'_> {
    fn brand(&self) -> Option<&Brand> {
        Some(self.brand)
    }

    fn widget_origin(&self) -> Option<&str> {
        self.captcha.map(|w| w.origin.as_str())
    }
}

#[derive(Template)]
#[template(path = "check_mail.html")]
pub(crate) struct CheckMailPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) email: &'a str,
    pub(crate) verify: &'a str,
    pub(crate) resend: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) notice: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

/// The page a mailed link opens (`?user=…&token=…` in `query`): `title`, `intro`, and the
/// button `submit` that posts the link's user and token to `action` (a path under the tenant),
/// so that a mail scanner following the link changes nothing.
pub(in crate::oidc) fn mailed_link(
    ctx: &super::web_flow::Ctx,
    action: &str,
    query: Option<&str>,
    title: crate::i18n::Msg,
    intro: &str,
    submit: crate::i18n::Msg,
) -> axum::response::Response {
    let param = |name| super::web_flow::query_param(query, name).unwrap_or_default();
    let page = MailedLinkPage {
        brand: &ctx.brand,
        title: &tr(title),
        intro,
        submit: &tr(submit),
        action: &ctx.path(action),
        user: &param("user"),
        token: &param("token"),
    };
    html(axum::http::StatusCode::OK, &page)
}

/// A mailed link's page: what using it does, and the button that does it.
#[derive(Template)]
#[template(path = "mailed_link.html")]
pub(crate) struct MailedLinkPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) title: &'a str,
    pub(crate) intro: &'a str,
    pub(crate) submit: &'a str,
    pub(crate) action: &'a str,
    pub(crate) user: &'a str,
    pub(crate) token: &'a str,
}

/// A page that only says something (and may link on).
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) title: &'a str,
    pub(crate) message: &'a str,
    pub(crate) link: Option<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "recover.html")]
pub(crate) struct RecoverPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    pub(crate) back: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    pub(crate) error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "new_password.html")]
pub(crate) struct NewPasswordPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) action: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    pub(crate) password_rules: &'a str,
    pub(crate) password_min: usize,
    pub(crate) second_factor: bool,
    pub(crate) error: Option<&'a str>,
}

/// The page a reset link of an account without a password opens: "Add a passkey".
#[derive(Template)]
#[template(path = "recover_passkey.html")]
pub(crate) struct RecoverPasskeyPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) base: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) email: &'a str,
    /// The authenticator app's code or a recovery code is owed first.
    pub(crate) code: bool,
    pub(crate) error: Option<&'a str>,
}

crate::http::page::hosted_pages!(
    LoginPage,
    PurposesPage,
    SecurityPage,
    TotpPage,
    RecoveryCodesPage,
    EmailCodePage,
    MfaPage,
    ConsentPage,
    DevicePage,
    DeviceConsentPage,
    DeviceDonePage,
    LogoutPage,
    CheckMailPage,
    MailedLinkPage,
    MessagePage,
    RecoverPage,
    NewPasswordPage,
    RecoverPasskeyPage,
);

/// A purpose as a checkbox on the sign-up page, the purposes page of a sign-in and the
/// account centre: its words in the page's language.
pub(crate) struct PurposeChoice {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) required: bool,
    pub(crate) checked: bool,
}

impl PurposeChoice {
    /// `p` in the current page's language.
    pub(crate) fn of(p: &ciam_core::purpose::Purpose, checked: bool) -> Self {
        let text = p.spec.text(crate::i18n::current());
        Self {
            id: p.id.clone(),
            title: text.map(|t| t.title.clone()).unwrap_or_else(|| p.id.clone()),
            description: text.map(|t| t.description.clone()).filter(|d| !d.is_empty()),
            url: p.spec.url.clone(),
            required: p.spec.required,
            checked,
        }
    }
}

/// The purposes a user must answer about before a sign-in completes (new ones, or new
/// versions that ask again).
#[derive(Template)]
#[template(path = "purposes.html")]
pub(crate) struct PurposesPage<'a> {
    pub(crate) brand: &'a Brand,
    pub(crate) purposes: Vec<PurposeChoice>,
    pub(crate) action: &'a str,
    pub(crate) flow: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) error: Option<&'a str>,
}
