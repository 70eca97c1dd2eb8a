//! Invitations: an administrator's single-use link that lets one address create an account
//! (the way in when a tenant's sign-up is `invite`, and a pre-verified way in when it is open).

use time::OffsetDateTime;

use crate::email::Email;
use crate::id::{TenantId, UserId};

/// The longest an invitation may stay open: 30 days.
pub const MAX_LIFETIME_SECS: u64 = 30 * 86_400;
/// An invitation's lifetime unless the administrator says otherwise: 7 days.
pub const DEFAULT_LIFETIME_SECS: u64 = 7 * 86_400;

/// An invitation (never its token: only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Stable id (`inv_…`).
    pub id: String,
    /// The address the invitation was sent to; the account is created with it, verified.
    pub email: Email,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// After this it no longer works.
    pub expires_at: OffsetDateTime,
    /// When it was used, and the account it created.
    pub used_at: Option<OffsetDateTime>,
    /// The account it created.
    pub user_id: Option<UserId>,
    /// When an administrator withdrew it.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// Can be used.
    Pending,
    /// Created an account.
    Used,
    /// Withdrawn.
    Revoked,
    /// Past its expiry, unused.
    Expired,
}

impl InvitationState {
    /// The state's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Used => "used",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

impl Invitation {
    /// A new id: `inv_` and a time-ordered UUID, so ids sort by creation.
    pub fn new_id() -> String {
        format!("inv_{}", uuid::Uuid::now_v7().simple())
    }

    /// Where the invitation stands at `now`.
    pub fn state(&self, now: OffsetDateTime) -> InvitationState {
        if self.used_at.is_some() {
            InvitationState::Used
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if now >= self.expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_follows_use_revocation_and_time() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_000_000).unwrap();
        let mut i = Invitation {
            tenant_id: TenantId::parse("acme").unwrap(),
            id: "inv_1".into(),
            email: Email::parse("ada@example.com").unwrap(),
            created_at: t0,
            expires_at: t0 + time::Duration::hours(1),
            used_at: None,
            user_id: None,
            revoked_at: None,
        };
        assert_eq!(i.state(t0), InvitationState::Pending);
        assert_eq!(i.state(t0 + time::Duration::hours(1)), InvitationState::Expired);
        i.revoked_at = Some(t0);
        assert_eq!(i.state(t0), InvitationState::Revoked);
        i.used_at = Some(t0);
        assert_eq!(i.state(t0), InvitationState::Used, "used wins: it is what happened");
    }
}
