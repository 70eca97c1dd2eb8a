//! The service layer: what a change does, whichever door it came through (the management API,
//! RFC 7592 registration management, the account API, the hosted pages). A service takes
//! validated domain values and plain data (a cookie value, the [`Caller`]), never a request,
//! headers or a response, and each mutation does all of its parts in one place:
//! - it writes the store, tenants, clients and resources through the node's cache
//!   ([`crate::adapters::directory::Directory::through`]), so the cache is invalidated on every write;
//! - it appends its audit event (`{entity}.{verb}`, see `docs/security.md`), stamped with who
//!   asked ([`By`]); an event that cannot be written fails the request, so no change made
//!   through a service goes untraced.
//!
//! Handlers map a [`ServiceError`] to their own dialect (problem documents in `http`, OAuth
//! errors in RFC 7592 responses).

pub(crate) mod accounts;
pub(crate) mod admins;
pub(crate) mod agents;
pub(crate) mod ciba;
pub(crate) mod clients;
pub(crate) mod consents;
pub(crate) mod console;
pub mod delegations;
pub(crate) mod detail_types;
pub(crate) mod federation;
pub(crate) mod invitations;
pub(crate) mod keys;
pub(crate) mod legacy;
pub(crate) mod outbox;
pub(crate) mod privacy;
pub mod privacy_keys;
pub(crate) mod residency;
pub(crate) mod resources;
pub(crate) mod retention;
pub(crate) mod risk;
pub(crate) mod saml;
pub(crate) mod saml_idp;
pub(crate) mod schedule;
pub(crate) mod sessions;
pub(crate) mod tenants;
pub(crate) mod throttle;
pub(crate) mod users;

use ciam_core::FieldError;
use ciam_core::audit::AuditRecord;
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::store::StoreError;
use serde::de::DeserializeOwned;

use crate::adapters::directory::Through;
use crate::audit::{self, Caller};
use crate::state::AppState;

/// Why a service did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServiceError {
    /// The durable store (or the audit trail) refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ephemeral store (sessions, initial access tokens) failed.
    #[error("the session store is unavailable")]
    Sessions(#[source] StoreError),
    /// The input breaks a rule the service checks (a password policy, a key algorithm).
    #[error("invalid {}", .0.field)]
    Invalid(FieldError),
    /// The caller may not do this (an administrator giving a role with more than they hold).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// What it would change must stay as it is (the control tenant, which holds the
    /// administrators, is never deleted).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The signing keys could not be created or rotated.
    #[error(transparent)]
    Keys(#[from] ciam_jose::KeyringError),
    /// Something that should not fail did (password hashing); the text is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Who asked for a change, as the audit trail records it.
#[derive(Debug, Clone)]
pub(crate) enum Actor {
    /// An administrator, through the management API: who (see
    /// [`admins::Admin::label`]).
    Admin(String),
    /// A user, for their own account.
    User(UserId),
    /// A client, managing its own registration (RFC 7592).
    Client(ClientId),
    /// A person who is not signed in yet (signing in through an upstream provider): the events
    /// name the user they reach.
    Visitor,
    /// The server itself, doing what the tenant's settings say (`retention`, `sign-up
    /// documents`): the events give that as their reason.
    System(&'static str),
}

/// The request a change came with: where it came from and who made it.
#[derive(Debug, Clone)]
pub(crate) struct By {
    /// Address and User-Agent of the request.
    pub(crate) caller: Caller,
    /// Who asked.
    pub(crate) actor: Actor,
}

impl By {
    /// An administrator's request.
    pub(crate) fn admin(caller: Caller, admin: &admins::Admin) -> Self {
        Self { caller, actor: Actor::Admin(admin.label()) }
    }

    /// A user's request for their own account.
    pub(crate) fn user(caller: Caller, user: UserId) -> Self {
        Self { caller, actor: Actor::User(user) }
    }

    /// The request of a person not signed in yet.
    pub(crate) fn visitor(caller: Caller) -> Self {
        Self { caller, actor: Actor::Visitor }
    }

    /// The server's own changes, for `why`.
    pub(crate) fn system(why: &'static str) -> Self {
        Self { caller: Caller::default(), actor: Actor::System(why) }
    }

    /// A client's request about its own registration.
    pub(crate) fn client(caller: Caller, client: ClientId) -> Self {
        Self { caller, actor: Actor::Client(client) }
    }
}

/// The tenant, client and resource ports, behind this node's cache.
fn ports(st: &AppState) -> Through<'_> {
    st.directory.through(st.durable.as_ref())
}

/// Appends `event` to the tenant's trail, stamped with who asked: an administrator's change
/// carries the reason `management API, by {administrator}` (before the event's own reason, if any), a user's its
/// user id and a client's its client id.
async fn audited(st: &AppState, tenant: &TenantId, by: &By, mut event: AuditRecord) -> Result<(), ServiceError> {
    match &by.actor {
        Actor::Admin(who) => {
            event.reason = Some(match event.reason.take() {
                Some(why) => format!("management API, by {who}: {why}"),
                None => format!("management API, by {who}"),
            });
        }
        Actor::User(user) => {
            event.user_id.get_or_insert_with(|| user.to_string());
        }
        Actor::Client(client) => {
            event.client_id.get_or_insert_with(|| client.to_string());
        }
        Actor::Visitor => {}
        Actor::System(what) => {
            event.reason = Some(match event.reason.take() {
                Some(why) => format!("{what}: {why}"),
                None => (*what).to_owned(),
            });
        }
    }
    audit::record(st, tenant, &by.caller, event).await?;
    Ok(())
}

/// Deserialises `value` into `T`; serde's error becomes a [`FieldError`] naming the field
/// (its dotted path).
///
/// # Security
/// serde's messages can quote the rejected value ("invalid type: string \"hunter2\""); only the
/// "expected …" part is kept, so a secret pasted into the wrong field is never echoed or logged.
pub(crate) fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let raw = e.into_inner().to_string();
        let (field, message) = if let Some(rest) = raw.strip_prefix("unknown field `") {
            // serde_path_to_error's path already ends with the unknown key.
            let name = rest.split('`').next().unwrap_or_default();
            let field = if path == "." { name.to_owned() } else { path };
            (field, "unknown field".to_owned())
        } else if let Some(i) = raw.find(", expected ") {
            (path, format!("invalid value: expected {}", raw.get(i + 11..).unwrap_or_default()))
        } else if let Some(name) = raw.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            let field = if path == "." { name.to_owned() } else { format!("{path}.{name}") };
            (field, "is required".to_owned())
        } else {
            (path, raw)
        };
        FieldError::new(if field == "." { String::new() } else { field }, message)
    })
}
