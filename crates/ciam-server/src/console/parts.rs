//! What console pages share: the frame around them (who is signed in, the tenant's sections),
//! forms whose errors stand next to their field, the confirmation of a dangerous action, and the
//! page that shows a new secret once.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use ciam_core::FieldError;
use ciam_core::admin::Permission;
use ciam_core::id::TenantId;
use ciam_core::page::PageRequest;
use ciam_core::store::StoreError;

use super::{Signed, failure, sign_in_url, to_sign_in};
use crate::http::page::{Brand, error_page, hosted_pages, html};
use crate::i18n::{filters, msg, refusal, tr, tr_with};
use crate::services::ServiceError;
use crate::state::AppState;

/// A console page, or the answer given instead (off to sign in first, not found, not allowed,
/// or a failure).
pub(super) type Page = Result<Response, Response>;

/// A page given instead of the one asked for, boxed so that checks returning it stay small;
/// `?` turns it into the handler's answer.
pub(super) struct Refused(Box<Response>);

impl From<Response> for Refused {
    fn from(res: Response) -> Self {
        Self(Box::new(res))
    }
}

impl From<Refused> for Response {
    fn from(refused: Refused) -> Self {
        *refused.0
    }
}

/// Items per console list page.
const PAGE_SIZE: u32 = 50;

/// The page of a console list that follows `after` (the previous page's last key; none or empty:
/// the first page).
pub(super) fn page_after(after: Option<String>) -> PageRequest {
    PageRequest { limit: PAGE_SIZE, after: after.filter(|a| !a.is_empty()) }
}

/// A list's query: where the page starts, and what was just done (for the notice).
#[derive(serde::Deserialize, Default)]
pub(super) struct ListQuery {
    pub(super) after: Option<String>,
    pub(super) done: Option<String>,
}

/// The parts of a tenant, each a page of the console behind the permission that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Overview,
    Users,
    Clients,
    Keys,
    Audit,
    Resources,
    IdentityProviders,
    Administrators,
    Settings,
}

impl Section {
    const ALL: [Section; 9] = [
        Self::Overview,
        Self::Users,
        Self::Clients,
        Self::Resources,
        Self::IdentityProviders,
        Self::Keys,
        Self::Audit,
        Self::Administrators,
        Self::Settings,
    ];

    /// The permission that shows the section.
    pub(super) fn permission(self) -> Permission {
        match self {
            Self::Overview => Permission::TenantsRead,
            Self::Users => Permission::UsersRead,
            Self::Clients => Permission::ClientsRead,
            Self::Keys => Permission::KeysRead,
            Self::Audit => Permission::AuditRead,
            Self::Resources => Permission::ResourcesRead,
            Self::IdentityProviders => Permission::IdentityProvidersRead,
            Self::Administrators => Permission::RolesRead,
            Self::Settings => Permission::TenantsRead,
        }
    }

    fn path(self, tenant: &TenantId) -> String {
        let part = match self {
            Self::Overview => "",
            Self::Users => "/users",
            Self::Clients => "/clients",
            Self::Keys => "/keys",
            Self::Audit => "/audit",
            Self::Resources => "/resources",
            Self::IdentityProviders => "/identity-providers",
            Self::Administrators => "/administrators",
            Self::Settings => "/settings",
        };
        format!("/console/t/{tenant}{part}")
    }

    fn label(self) -> String {
        tr(match self {
            Self::Overview => msg!("console-overview"),
            Self::Users => msg!("console-users"),
            Self::Clients => msg!("console-clients"),
            Self::Keys => msg!("console-keys"),
            Self::Audit => msg!("console-audit"),
            Self::Resources => msg!("console-resources"),
            Self::IdentityProviders => msg!("console-providers"),
            Self::Administrators => msg!("console-administrators"),
            Self::Settings => msg!("console-settings"),
        })
    }
}

/// A link of the tenant's navigation.
pub(super) struct SectionLink {
    pub(super) href: String,
    pub(super) label: String,
    pub(super) current: bool,
}

/// What every console page shows around its content.
pub(super) struct Frame<'a> {
    /// Who is signed in.
    pub(super) who: &'a str,
    pub(super) csrf: &'a str,
    /// The sections of the tenant the page belongs to, those the administrator may read.
    pub(super) sections: Vec<SectionLink>,
}

impl<'a> Frame<'a> {
    /// The frame of a page outside any tenant.
    pub(super) fn of(signed: &'a Signed) -> Self {
        Self { who: &signed.name, csrf: &signed.session.csrf, sections: Vec::new() }
    }

    /// The frame of a page in `tenant`'s section `current`.
    pub(super) fn in_tenant(signed: &'a Signed, tenant: &TenantId, current: Section) -> Self {
        let sections = Section::ALL
            .into_iter()
            .filter(|s| signed.may(tenant, s.permission()))
            .map(|s| SectionLink { href: s.path(tenant), label: s.label(), current: s == current })
            .collect();
        Self { sections, ..Self::of(signed) }
    }
}

/// A form field, with the error that stands next to it.
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) label: String,
    /// `text`, `email`, `textarea` or `select`.
    pub(super) kind: &'static str,
    pub(super) value: String,
    pub(super) hint: Option<String>,
    pub(super) required: bool,
    /// A select's options: value and label.
    pub(super) options: Vec<(String, String)>,
    pub(super) error: Option<String>,
}

impl Field {
    /// A required one-line text field.
    pub(super) fn text(name: &'static str, label: String, value: &str) -> Self {
        Self {
            name,
            label,
            kind: "text",
            value: value.to_owned(),
            hint: None,
            required: true,
            options: Vec::new(),
            error: None,
        }
    }

    pub(super) fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    pub(super) fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub(super) fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub(super) fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.kind = "select";
        self.options = options;
        self
    }
}

/// A console form: its fields, each with its error, and an error of the whole form.
pub(super) struct Form {
    pub(super) title: String,
    pub(super) intro: Option<String>,
    pub(super) action: String,
    pub(super) submit: String,
    pub(super) back: String,
    pub(super) fields: Vec<Field>,
    pub(super) error: Option<String>,
}

impl Form {
    /// Puts a refusal next to the field it names (by the name or its first dotted part), else
    /// over the form.
    pub(super) fn refused(mut self, e: &FieldError) -> Self {
        let head = e.field.split(['.', '[']).next().unwrap_or_default();
        let reason = refusal(e);
        match self.fields.iter_mut().find(|f| f.name == e.field || f.name == head) {
            Some(field) => field.error = Some(reason),
            None => self.error = Some(format!("{}: {reason}", e.field)),
        }
        self
    }

    /// The form again, with what the service refused next to its field; a failure of the stores
    /// is the error page instead.
    pub(super) fn after(self, e: ServiceError, conflict_field: &'static str) -> Result<Self, Refused> {
        match e {
            ServiceError::Invalid(e) => Ok(self.refused(&e)),
            ServiceError::Store(StoreError::Conflict { .. }) => {
                Ok(self.refused(&FieldError::new(conflict_field, tr(msg!("console-taken")))))
            }
            ServiceError::Forbidden(why) => Ok(Self { error: Some(why), ..self }),
            e => Err(failure(e).into()),
        }
    }
}

hosted_pages!(FormPage, ConfirmPage, SecretPage);

#[derive(Template)]
#[template(path = "console_form.html")]
struct FormPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    form: Form,
}

/// The page of `form`: 422 when it shows errors.
pub(super) fn form_page(signed: &Signed, frame: Frame<'_>, form: Form) -> Response {
    let failed = form.error.is_some() || form.fields.iter().any(|f| f.error.is_some());
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &FormPage { brand: &signed.brand, frame, form })
}

/// A dangerous action to confirm: what it is, what it does, where it posts and where "Cancel"
/// leads.
pub(super) struct Danger {
    pub(super) label: String,
    pub(super) question: String,
    pub(super) post_to: String,
    pub(super) back: String,
    /// A word the person must type to confirm (a tenant's id before it is deleted).
    pub(super) typed: Option<String>,
}

#[derive(Template)]
#[template(path = "console_confirm.html")]
struct ConfirmPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    danger: Danger,
    /// Where to sign in again first, when the sign-in is not recent.
    sign_in_again: Option<String>,
}

/// The page that asks to confirm `danger` (requested at `here`), or to sign in again first.
pub(super) fn confirm_page(st: &AppState, signed: &Signed, frame: Frame<'_>, danger: Danger, here: &str) -> Response {
    let sign_in_again = (!signed.recent(st)).then(|| sign_in_url(here, true));
    html(StatusCode::OK, &ConfirmPage { brand: &signed.brand, frame, danger, sign_in_again })
}

impl Signed {
    /// Refuses a form without this session's CSRF token.
    pub(super) fn check_form(&self, csrf: &str) -> Result<(), Refused> {
        if self.csrf_ok(csrf) {
            Ok(())
        } else {
            Err(error_page(StatusCode::FORBIDDEN, &self.brand, &tr(msg!("console-form-expired"))).into())
        }
    }

    /// Sends a dangerous action (at `here`) to a new sign-in when the last one is not recent.
    pub(super) fn check_recent(&self, st: &AppState, here: &str) -> Result<(), Refused> {
        if self.recent(st) { Ok(()) } else { Err(to_sign_in(here, true).into()) }
    }
}

#[derive(Template)]
#[template(path = "console_secret.html")]
struct SecretPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    title: String,
    secret: &'a str,
    back: String,
}

/// The page that shows a new secret, once: it is not kept anywhere it could be shown again.
pub(super) fn secret_page(signed: &Signed, frame: Frame<'_>, of: &str, secret: &str, back: String) -> Response {
    let title = tr_with(msg!("console-secret-of"), &[("name", of)]);
    html(StatusCode::OK, &SecretPage { brand: &signed.brand, frame, title, secret, back })
}

/// A time as the console shows it: `2026-12-07 19:30 UTC`.
pub(super) fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}
