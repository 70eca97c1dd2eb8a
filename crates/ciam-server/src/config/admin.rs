//! `[admin]`: who administers the deployment (docs/admin-api.md, "Administrators and roles").

use ciam_core::Acr;
use ciam_core::id::TenantId;
use serde::{Deserialize, Serialize};

use super::{ConfigError, bad};

/// The administrators' settings as configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    /// The tenant whose users are the administrators, created on first start. Default
    /// `control`.
    pub control_tenant: String,
    /// Whether the static admin token (`admin_token`) is accepted: the break-glass credential
    /// for bootstrap and emergencies. Default true; turn it off once administrators and service
    /// accounts are set up.
    pub break_glass: bool,
    /// The least an administrator's sign-in must have been for their token to be accepted:
    /// `pwd`, `mfa` (the default) or `phr` (a passkey).
    pub acr: String,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self { control_tenant: "control".into(), break_glass: true, acr: "mfa".into() }
    }
}

/// The administrators' settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSettings {
    /// The control tenant.
    pub control_tenant: TenantId,
    /// Whether the static admin token is accepted.
    pub break_glass: bool,
    /// The least sign-in level of an administrator's token.
    pub acr: Acr,
}

impl AdminConfig {
    /// Checks the values.
    pub(super) fn validate(&self) -> Result<AdminSettings, ConfigError> {
        let control_tenant =
            TenantId::parse(&self.control_tenant).map_err(|e| bad("admin.control_tenant", e.message))?;
        let acr = match self.acr.as_str() {
            "pwd" => Acr::Password,
            "mfa" => Acr::MultiFactor,
            "phr" => Acr::PhishingResistant,
            _ => return Err(bad("admin.acr", "must be pwd, mfa or phr")),
        };
        Ok(AdminSettings { control_tenant, break_glass: self.break_glass, acr })
    }
}
