//! The mail outbox: messages a request queued and a worker delivers, with retries.
//!
//! A request never talks to a mail server: it stores the message here and answers. A worker on
//! every node claims due messages for a while (a lease, so two nodes never send one message at
//! the same time), delivers them and deletes them, or schedules the next attempt; after a bounded
//! number of attempts, or once the message is no longer worth sending, it gives up and marks the
//! message failed, keeping it for operators. A mail server that is down delays mail but never
//! fails a page or loses a message.
//!
//! # Security
//! The store sees only [`QueuedMail::sealed`]: recipient, subject and body sealed by the server
//! (they carry sign-in codes and links), bound to the message's tenant and id.

use time::OffsetDateTime;

use crate::id::TenantId;

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// Waiting for its next delivery attempt (or being attempted, while claimed).
    Pending,
    /// Given up: kept for operators until purged, never attempted again.
    Failed,
}

impl MailState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    /// The tenant whose mail it is (deleting the tenant deletes its queued mail).
    pub tenant_id: TenantId,
    /// Random id, unique in the tenant.
    pub id: String,
    /// The message, sealed; opaque to the store.
    pub sealed: String,
    /// Where it stands.
    pub state: MailState,
    /// Delivery attempts started so far (a claim starts one).
    pub attempts: u32,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it is due next.
    pub next_attempt_at: OffsetDateTime,
    /// After this it is not worth sending (a sign-in code that expired): given up instead.
    pub expires_at: OffsetDateTime,
    /// The claim holding it, while a worker attempts it.
    pub claim: Option<String>,
    /// Until when that claim holds it; after that another worker may claim it again.
    pub locked_until: Option<OffsetDateTime>,
    /// Why the last attempt failed, without the message's content or recipient.
    pub last_error: Option<String>,
}

impl QueuedMail {
    /// A new message, due at once.
    pub fn new(
        tenant_id: TenantId,
        id: String,
        sealed: String,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self {
            tenant_id,
            id,
            sealed,
            state: MailState::Pending,
            attempts: 0,
            created_at,
            next_attempt_at: created_at,
            expires_at,
            claim: None,
            locked_until: None,
            last_error: None,
        }
    }
}

/// An event for downstream systems (a consent withdrawn, a user erased), queued in the same
/// transaction as the change it reports; delivery (webhooks, streams) reads the queue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEvent {
    /// The tenant.
    #[serde(skip)]
    pub tenant_id: TenantId,
    /// Random id (`evt_…`), unique in the tenant.
    pub id: String,
    /// Dotted type: `consent.withdrawn`, `user.erased`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The user it is about.
    pub subject: String,
    /// What downstream needs to act on it (never personal data beyond the user id).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

impl OutboxEvent {
    /// A new event about `subject`.
    pub fn new(
        tenant: &TenantId,
        event_type: &str,
        subject: &str,
        data: serde_json::Value,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            tenant_id: tenant.clone(),
            id: format!("evt_{}", crate::secret::random_token(16)),
            event_type: event_type.to_owned(),
            subject: subject.to_owned(),
            data,
            created_at: now,
        }
    }
}
