//! IP geolocation from a MaxMind DB file (GeoLite2-City or GeoIP2-City layout).

use std::net::IpAddr;
use std::path::Path;

use maxminddb::{MaxMindDbError, Reader};
use serde::Deserialize;

use crate::signals::Location;

/// A GeoIP database could not be read.
#[derive(Debug, thiserror::Error)]
#[error("GeoIP database: {0}")]
pub struct GeoIpError(#[from] MaxMindDbError);

/// A City-layout MaxMind database held in memory.
#[derive(Debug)]
pub struct GeoIp {
    reader: Reader<Vec<u8>>,
}

#[derive(Deserialize)]
struct CityRecord<'a> {
    #[serde(borrow)]
    country: Option<Coded<'a>>,
    #[serde(borrow)]
    continent: Option<Coded<'a>>,
    location: Option<Coordinates>,
}

#[derive(Deserialize)]
struct Coded<'a> {
    #[serde(borrow, alias = "code")]
    iso_code: Option<&'a str>,
}

#[derive(Deserialize)]
struct Coordinates {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl GeoIp {
    /// Reads a database file into memory.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, GeoIpError> {
        Ok(Self { reader: Reader::open_readfile(path)? })
    }

    /// Reads a database from its bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, GeoIpError> {
        Ok(Self { reader: Reader::from_source(bytes)? })
    }

    /// The `database_type` of the metadata (`GeoLite2-City`, ...).
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// Where `ip` is: `None` when the database has no record for it, or the record has no
    /// coordinates. IPv4-mapped IPv6 addresses are looked up as IPv4.
    pub fn locate(&self, ip: IpAddr) -> Option<Location> {
        let ip = ip.to_canonical();
        let found = self.reader.lookup(ip).ok()?;
        let record: CityRecord<'_> = found.decode().ok()??;
        let coords = record.location?;
        Some(Location {
            country: record.country.and_then(|c| c.iso_code).map(str::to_owned),
            continent: record.continent.and_then(|c| c.iso_code).map(str::to_owned),
            latitude: coords.latitude?,
            longitude: coords.longitude?,
        })
    }
}
