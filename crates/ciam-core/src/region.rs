//! Data residency inside one deployment: where each tenant lives, and how it moves.
//!
//! A deployment has one or more regions, each with its own durable and ephemeral store. The
//! *placement directory* (kept in the control region's durable store, see
//! [`crate::store::RegionDirectory`]) maps each tenant id to its home region and holds nothing
//! else: no names, no settings, no personal data. Every call for a tenant is served by its home
//! region's stores.
//!
//! Moving a tenant is a sequence of idempotent steps ([`MoveStep`]), recorded in its placement
//! so that a move interrupted at any point resumes where it stopped.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{Region, TenantId};

/// Where a tenant lives, and the move under way, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The tenant.
    pub tenant: TenantId,
    /// Its home region: every call for the tenant is served there.
    pub region: Region,
    /// The move under way: its destination and the last step completed.
    pub moving: Option<Move>,
    /// When the placement last changed.
    pub updated_at: OffsetDateTime,
}

/// A tenant's move to another region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The region the tenant goes to.
    pub to: Region,
    /// The last step completed.
    pub step: MoveStep,
    /// When the move started (the tenant was frozen).
    pub started_at: OffsetDateTime,
}

/// The steps of a move, in order. Each is recorded once completed; a resumed move redoes the
/// step after the last one recorded, and every step can be redone safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveStep {
    /// Writes to the tenant are refused everywhere (reads go on from the old region).
    Frozen,
    /// The tenant's rows were exported from the old region and imported into the new one,
    /// and both hold the same number of rows in every table.
    Copied,
    /// The placement names the new region: calls go there.
    Switched,
    /// The old region holds nothing of the tenant any more; the move is over.
    Purged,
}

impl MoveStep {
    /// The step's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Frozen => "frozen",
            Self::Copied => "copied",
            Self::Switched => "switched",
            Self::Purged => "purged",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Frozen, Self::Copied, Self::Switched, Self::Purged].into_iter().find(|step| step.as_str() == s)
    }
}

/// Every row a tenant owns in one durable store, table by table in an order that satisfies the
/// foreign keys, in the backend's own JSON form of a row. A dump is read only by a store of the
/// same backend (`backend`); it never leaves the process that moves the tenant.
#[derive(Clone)]
pub struct TenantDump {
    /// The tenant.
    pub tenant: TenantId,
    /// The backend that wrote it (`sqlite`, `postgres`).
    pub backend: &'static str,
    /// `(table, rows)`, parents before children.
    pub tables: Vec<(String, Vec<serde_json::Value>)>,
}

/// Rows hold personal data: a dump is never printed.
impl std::fmt::Debug for TenantDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: usize = self.tables.iter().map(|(_, rows)| rows.len()).sum();
        write!(f, "TenantDump({}, {} tables, {rows} rows)", self.tenant, self.tables.len())
    }
}

/// Why a region's store did not answer: it is down, or this node does not serve it. Carried as
/// the source of [`crate::store::StoreError::Unavailable`], so the error map can name the region.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    /// The region's store failed.
    #[error("region {region} is unavailable")]
    Down {
        /// The region.
        region: Region,
        /// What failed (kept for the log).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// This node was not started for the region.
    #[error("this node does not serve region {region}")]
    NotServed {
        /// The region.
        region: Region,
    },
    /// The tenant is moving to another region and takes no writes until the move is over.
    #[error("tenant {tenant} is moving to region {to}")]
    Moving {
        /// The tenant.
        tenant: TenantId,
        /// Its destination.
        to: Region,
    },
}

impl RegionError {
    /// The region named, if the error is about one region.
    pub fn region(&self) -> &Region {
        match self {
            Self::Down { region, .. } | Self::NotServed { region } => region,
            Self::Moving { to, .. } => to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_and_are_ordered() {
        let steps = [MoveStep::Frozen, MoveStep::Copied, MoveStep::Switched, MoveStep::Purged];
        for step in steps {
            assert_eq!(MoveStep::parse(step.as_str()), Some(step));
        }
        assert!(steps.windows(2).all(|w| w.first() < w.get(1)));
        assert_eq!(MoveStep::parse("copying"), None);
    }

    #[test]
    fn a_dump_never_prints_its_rows() {
        let dump = TenantDump {
            tenant: TenantId::parse("acme").unwrap(),
            backend: "sqlite",
            tables: vec![("user_account".into(), vec![serde_json::json!({"email": "ada@example.com"})])],
        };
        let printed = format!("{dump:?}");
        assert!(!printed.contains("ada"), "{printed}");
        assert!(printed.contains("1 rows"), "{printed}");
    }
}
