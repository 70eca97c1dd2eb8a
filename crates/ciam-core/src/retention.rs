//! A tenant's privacy settings (`settings.privacy`): how long what it no longer needs is kept,
//! and how long a user's "Delete my account" waits.

use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, Rule, Unit};

/// How long things are kept, and the erasure grace period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Days a user's own "Delete my account" waits before the erasure, 0-30 (default 0: at
    /// once). Meanwhile the account is disabled; an administrator may cancel.
    #[cfg_attr(feature = "openapi", schema(maximum = 30))]
    pub erasure_grace_days: u32,
    /// Audit events older than this many days are removed, oldest first (at least 30). Absent
    /// (the default): kept for ever. What was removed stays provable: the trail keeps the hash
    /// of the last removed event.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 30))]
    pub audit_retention_days: Option<u32>,
    /// Ended grants (refresh-token grants revoked or expired, delegations revoked or expired)
    /// are removed this many days after they ended, 1-3650. Default 90.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub ended_grants_days: u32,
    /// Accounts made by sign-up whose address was never verified are erased this many days
    /// after they were made, 1-3650. Absent (the default): kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub unverified_account_days: Option<u32>,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self { erasure_grace_days: 0, audit_retention_days: None, ended_grants_days: 90, unverified_account_days: None }
    }
}

impl PrivacySettings {
    /// Checks the ranges; errors name the field under `privacy`.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.erasure_grace_days > 30 {
            return Err(FieldError::rule("erasure_grace_days", Rule::Between { min: 0, max: 30, unit: Unit::Days }));
        }
        if self.audit_retention_days.is_some_and(|d| !(30..=36_500).contains(&d)) {
            return Err(FieldError::rule(
                "audit_retention_days",
                Rule::Between { min: 30, max: 36_500, unit: Unit::Days },
            ));
        }
        if !(1..=3650).contains(&self.ended_grants_days) {
            return Err(FieldError::rule("ended_grants_days", Rule::Between { min: 1, max: 3650, unit: Unit::Days }));
        }
        if self.unverified_account_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(FieldError::rule(
                "unverified_account_days",
                Rule::Between { min: 1, max: 3650, unit: Unit::Days },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_name_their_field() {
        let field = |s: PrivacySettings| s.validate().err().map(|e| e.field.to_string()).unwrap_or_default();
        assert_eq!(field(PrivacySettings::default()), "");
        assert_eq!(field(PrivacySettings { erasure_grace_days: 31, ..Default::default() }), "erasure_grace_days");
        assert_eq!(
            field(PrivacySettings { audit_retention_days: Some(29), ..Default::default() }),
            "audit_retention_days"
        );
        assert_eq!(field(PrivacySettings { ended_grants_days: 0, ..Default::default() }), "ended_grants_days");
        assert_eq!(
            field(PrivacySettings { unverified_account_days: Some(0), ..Default::default() }),
            "unverified_account_days"
        );
    }
}
