//! What the risk policy needs from the node: the GeoIP database and the IP reputation list,
//! loaded once at start-up from the files the configuration names.

use std::net::IpAddr;
use std::path::Path;

use anyhow::Context as _;
use ciam_policy::{GeoIp, Location, ReputationList};

/// The node's GeoIP database and reputation list.
#[derive(Default)]
pub struct RiskServices {
    /// A MaxMind-format city database, if configured.
    pub geoip: Option<GeoIp>,
    /// Addresses with a bad reputation (empty if none is configured).
    pub reputation: ReputationList,
}

impl RiskServices {
    /// Loads the files; a configured file that cannot be read is a start-up error.
    pub fn load(geoip: Option<&Path>, reputation: Option<&Path>) -> anyhow::Result<Self> {
        let geoip = geoip
            .map(|p| GeoIp::open(p).with_context(|| format!("risk.geoip_database {}", p.display())))
            .transpose()?;
        let reputation = match reputation {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("risk.ip_reputation_file {}", p.display()))?;
                ReputationList::parse(&text).map_err(|(line, msg)| {
                    anyhow::anyhow!("risk.ip_reputation_file {} line {line}: {msg}", p.display())
                })?
            }
            None => ReputationList::default(),
        };
        Ok(Self { geoip, reputation })
    }

    /// Where an address is, if the database knows.
    pub fn locate(&self, ip: IpAddr) -> Option<Location> {
        self.geoip.as_ref().and_then(|g| g.locate(ip))
    }
}
