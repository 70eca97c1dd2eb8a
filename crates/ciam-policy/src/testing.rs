//! A minimal MaxMind DB writer, so tests can build City-layout GeoIP databases.
//!
//! The output follows the MaxMind DB File Format Specification 2.0: an IPv6 search tree (IPv4
//! networks live under `::/96` and are aliased at `::ffff:0:0/96`, as in MaxMind's own
//! databases), a 16-byte zero separator, a data section of maps, strings and doubles, then the
//! metadata marker and metadata map.

use ipnet::IpNet;

use crate::signals::Location;

const TYPE_STRING: u8 = 2;
const TYPE_DOUBLE: u8 = 3;
const TYPE_UINT16: u8 = 5;
const TYPE_UINT32: u8 = 6;
const TYPE_MAP: u8 = 7;
const TYPE_UINT64: u8 = 9;
const TYPE_ARRAY: u8 = 11;
const METADATA_MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";

/// Builds a GeoLite2-City-style database with 24-bit records. Later entries win where
/// networks overlap exactly; a more specific network wins inside a less specific one.
pub fn build_city_db(entries: &[(IpNet, Location)]) -> Vec<u8> {
    build_city_db_with_record_size(entries, RecordSize::Bits24)
}

/// Size of a search tree record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSize {
    /// 24 bits: up to 16 M nodes and data bytes together.
    Bits24,
    /// 28 bits (the size GeoLite2-City uses).
    Bits28,
}

/// [`build_city_db`] with a chosen record size.
pub fn build_city_db_with_record_size(entries: &[(IpNet, Location)], record_size: RecordSize) -> Vec<u8> {
    // Data section: one record per entry.
    let mut data = Vec::new();
    let mut offsets = Vec::with_capacity(entries.len());
    for (_, loc) in entries {
        offsets.push(data.len());
        write_location(&mut data, loc);
    }

    // Search tree over 128-bit keys; least specific networks first so more specific ones
    // split them.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries.get(i).map(|(n, _)| bits_of(n).1).unwrap_or_default());
    let mut tree = vec![[Child::Empty, Child::Empty]];
    for i in order {
        let Some((net, _)) = entries.get(i) else { continue };
        let (key, len) = bits_of(net);
        insert(&mut tree, key, len, i);
    }
    alias_ipv4_mapped(&mut tree);

    let node_count = tree.len();
    let record = |c: Child| -> u32 {
        let v = match c {
            Child::Empty => node_count,
            Child::Node(n) => n,
            Child::Data(i) => node_count + 16 + offsets.get(i).copied().unwrap_or_default(),
        };
        u32::try_from(v).unwrap_or(u32::MAX)
    };
    let mut out = Vec::new();
    for [l, r] in &tree {
        let (l, r) = (record(*l), record(*r));
        match record_size {
            RecordSize::Bits24 => {
                out.extend_from_slice(l.to_be_bytes().get(1..).unwrap_or_default());
                out.extend_from_slice(r.to_be_bytes().get(1..).unwrap_or_default());
            }
            RecordSize::Bits28 => {
                out.extend_from_slice(l.to_be_bytes().get(1..).unwrap_or_default());
                let middle = ((((l >> 24) & 0x0f) << 4) | ((r >> 24) & 0x0f)) as u8;
                out.push(middle);
                out.extend_from_slice(r.to_be_bytes().get(1..).unwrap_or_default());
            }
        }
    }
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&data);

    out.extend_from_slice(METADATA_MARKER);
    let bits: u64 = match record_size {
        RecordSize::Bits24 => 24,
        RecordSize::Bits28 => 28,
    };
    control(&mut out, TYPE_MAP, 9);
    string(&mut out, "binary_format_major_version");
    uint(&mut out, TYPE_UINT16, 2);
    string(&mut out, "binary_format_minor_version");
    uint(&mut out, TYPE_UINT16, 0);
    string(&mut out, "build_epoch");
    uint(&mut out, TYPE_UINT64, 1_780_000_000);
    string(&mut out, "database_type");
    string(&mut out, "GeoLite2-City");
    string(&mut out, "description");
    control(&mut out, TYPE_MAP, 1);
    string(&mut out, "en");
    string(&mut out, "ciam-policy test database");
    string(&mut out, "ip_version");
    uint(&mut out, TYPE_UINT16, 6);
    string(&mut out, "languages");
    control(&mut out, TYPE_ARRAY, 1);
    string(&mut out, "en");
    string(&mut out, "node_count");
    uint(&mut out, TYPE_UINT32, node_count as u64);
    string(&mut out, "record_size");
    uint(&mut out, TYPE_UINT16, bits);
    out
}

#[derive(Debug, Clone, Copy)]
enum Child {
    Empty,
    Node(usize),
    Data(usize),
}

/// The network as a 128-bit key and prefix length, IPv4 under `::/96`.
fn bits_of(net: &IpNet) -> (u128, u8) {
    match net.trunc() {
        IpNet::V4(n) => (u128::from(n.network().to_bits()), 96 + n.prefix_len()),
        IpNet::V6(n) => (n.network().to_bits(), n.prefix_len()),
    }
}

fn insert(tree: &mut Vec<[Child; 2]>, key: u128, len: u8, data: usize) {
    if len == 0 {
        // The whole address space: both halves of the root.
        if let Some(root) = tree.get_mut(0) {
            *root = [Child::Data(data), Child::Data(data)];
        }
        return;
    }
    let mut node = 0;
    for depth in 0..len {
        let bit = usize::from((key >> (127 - depth)) & 1 == 1);
        let last = depth + 1 == len;
        let Some(child) = tree.get(node).and_then(|n| n.get(bit)).copied() else { return };
        if last {
            set(tree, node, bit, Child::Data(data));
            return;
        }
        node = match child {
            Child::Node(n) => n,
            Child::Empty | Child::Data(_) => {
                // A less specific network covers this one: its data fills both halves.
                let n = tree.len();
                tree.push([child, child]);
                set(tree, node, bit, Child::Node(n));
                n
            }
        };
    }
}

/// Points `::ffff:0:0/96` (IPv4-mapped addresses) at the IPv4 subtree under `::/96`, as
/// MaxMind's databases do, unless IPv6 entries already use that range.
fn alias_ipv4_mapped(tree: &mut Vec<[Child; 2]>) {
    let mut ipv4_root = Child::Node(0);
    for _ in 0..96 {
        ipv4_root = match ipv4_root {
            Child::Node(n) => tree.get(n).map(|[l, _]| *l).unwrap_or(Child::Empty),
            other => other,
        };
    }
    if matches!(ipv4_root, Child::Empty) {
        return;
    }
    let mapped: u128 = 0xffff << 32;
    let mut node = 0;
    for depth in 0..96u32 {
        let bit = usize::from((mapped >> (127 - depth)) & 1 == 1);
        let Some(child) = tree.get(node).and_then(|n| n.get(bit)).copied() else { return };
        if depth == 95 {
            if matches!(child, Child::Empty) {
                set(tree, node, bit, ipv4_root);
            }
            return;
        }
        node = match child {
            Child::Node(n) => n,
            Child::Empty => {
                let n = tree.len();
                tree.push([Child::Empty, Child::Empty]);
                set(tree, node, bit, Child::Node(n));
                n
            }
            Child::Data(_) => return,
        };
    }
}

fn set(tree: &mut [[Child; 2]], node: usize, bit: usize, child: Child) {
    if let Some(slot) = tree.get_mut(node).and_then(|n| n.get_mut(bit)) {
        *slot = child;
    }
}

fn write_location(out: &mut Vec<u8>, loc: &Location) {
    let fields = 1 + usize::from(loc.country.is_some()) + usize::from(loc.continent.is_some());
    control(out, TYPE_MAP, fields);
    if let Some(code) = &loc.continent {
        string(out, "continent");
        control(out, TYPE_MAP, 1);
        string(out, "code");
        string(out, code);
    }
    if let Some(code) = &loc.country {
        string(out, "country");
        control(out, TYPE_MAP, 1);
        string(out, "iso_code");
        string(out, code);
    }
    string(out, "location");
    control(out, TYPE_MAP, 2);
    string(out, "latitude");
    double(out, loc.latitude);
    string(out, "longitude");
    double(out, loc.longitude);
}

/// A control byte (and the extended type byte and size bytes it needs).
fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
    let (low, extra): (u8, Vec<u8>) = if size < 29 {
        (size as u8, Vec::new())
    } else if size < 285 {
        (29, vec![(size - 29) as u8])
    } else if size < 65_821 {
        (30, ((size - 285) as u16).to_be_bytes().to_vec())
    } else {
        (31, ((size - 65_821) as u32).to_be_bytes().get(1..).unwrap_or_default().to_vec())
    };
    if kind <= 7 {
        out.push((kind << 5) | low);
    } else {
        out.push(low);
        out.push(kind - 7);
    }
    out.extend_from_slice(&extra);
}

fn string(out: &mut Vec<u8>, s: &str) {
    control(out, TYPE_STRING, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn double(out: &mut Vec<u8>, v: f64) {
    control(out, TYPE_DOUBLE, 8);
    out.extend_from_slice(&v.to_be_bytes());
}

fn uint(out: &mut Vec<u8>, kind: u8, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    control(out, kind, significant.len());
    out.extend_from_slice(significant);
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::geoip::GeoIp;

    fn loc(country: &str, continent: &str, latitude: f64, longitude: f64) -> Location {
        Location { country: Some(country.into()), continent: Some(continent.into()), latitude, longitude }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn entries() -> Vec<(IpNet, Location)> {
        vec![
            ("81.2.69.0/24".parse().unwrap(), loc("DE", "EU", 52.52, 13.405)),
            ("81.2.69.128/26".parse().unwrap(), loc("AT", "EU", 48.208, 16.373)),
            ("8.0.0.0/8".parse().unwrap(), loc("US", "NA", 40.713, -74.006)),
            ("2a02:8100::/32".parse().unwrap(), loc("DE", "EU", 50.11, 8.68)),
            (
                "2001:db8::/48".parse().unwrap(),
                Location { country: None, continent: None, latitude: 1.5, longitude: -2.25 },
            ),
        ]
    }

    #[test]
    fn written_databases_read_back() {
        for size in [RecordSize::Bits24, RecordSize::Bits28] {
            let db = GeoIp::from_bytes(build_city_db_with_record_size(&entries(), size)).unwrap();
            assert_eq!(db.database_type(), "GeoLite2-City");
            let cases = [
                ("81.2.69.1", Some(loc("DE", "EU", 52.52, 13.405))),
                ("81.2.69.127", Some(loc("DE", "EU", 52.52, 13.405))),
                ("81.2.69.130", Some(loc("AT", "EU", 48.208, 16.373))),
                ("81.2.69.192", Some(loc("DE", "EU", 52.52, 13.405))),
                ("::ffff:81.2.69.130", Some(loc("AT", "EU", 48.208, 16.373))),
                ("8.8.8.8", Some(loc("US", "NA", 40.713, -74.006))),
                ("9.0.0.1", None),
                ("2a02:8100:1::1", Some(loc("DE", "EU", 50.11, 8.68))),
                ("2001:db8::5", Some(Location { country: None, continent: None, latitude: 1.5, longitude: -2.25 })),
                ("2001:db8:1::5", None),
            ];
            for (addr, want) in cases {
                assert_eq!(db.locate(ip(addr)), want, "{addr} {size:?}");
            }
        }
    }

    #[test]
    fn written_databases_pass_the_reader_verification() {
        for size in [RecordSize::Bits24, RecordSize::Bits28] {
            for entries in [entries(), vec![]] {
                let reader = maxminddb::Reader::from_source(build_city_db_with_record_size(&entries, size)).unwrap();
                reader.verify().unwrap();
                let m = reader.metadata();
                assert_eq!((m.ip_version, m.binary_format_major_version), (6, 2));
                assert_eq!(m.record_size, if size == RecordSize::Bits24 { 24 } else { 28 });
                assert_eq!(m.languages, vec!["en".to_owned()]);
            }
        }
    }

    #[test]
    fn ipv4_mapped_addresses_resolve_in_the_database_itself() {
        let reader = maxminddb::Reader::from_source(build_city_db(&entries())).unwrap();
        for addr in ["81.2.69.130", "::ffff:81.2.69.130", "::81.2.69.130"] {
            let country: Option<String> =
                reader.lookup(ip(addr)).unwrap().decode_path(&maxminddb::path!["country", "iso_code"]).unwrap();
            assert_eq!(country.as_deref(), Some("AT"), "{addr}");
        }
        let missing = reader.lookup(ip("::ffff:9.0.0.1")).unwrap();
        assert!(!missing.has_data());
    }

    #[test]
    fn located_sign_ins_feed_the_travel_rules() {
        use time::macros::datetime;

        use crate::{Acr, Outcome, PolicyConfig, PreviousSignIn, Signals, Subject, evaluate};

        let db = GeoIp::from_bytes(build_city_db(&entries())).unwrap();
        let now = datetime!(2026-12-03 12:00 UTC);
        let previous = PreviousSignIn { at: now - time::Duration::hours(2), location: db.locate(ip("81.2.69.1")) };
        let signals = Signals {
            ip: Some(ip("8.8.4.4")),
            user_agent: Some("Mozilla/5.0 Firefox/140.0".into()),
            location: db.locate(ip("8.8.4.4")),
            previous: Some(previous),
            known_device: Some(true),
            ..Signals::new(Subject::User, now)
        };
        let d = evaluate(&PolicyConfig::default(), &signals);
        assert_eq!(d.outcome, Outcome::StepUp { acr: Acr::MultiFactor }, "{d:?}");
        let rules: Vec<&str> = d.reasons.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(rules, ["new_country", "impossible_travel"]);
    }

    #[test]
    fn an_empty_database_locates_nothing() {
        let db = GeoIp::from_bytes(build_city_db(&[])).unwrap();
        assert_eq!(db.locate(ip("192.0.2.1")), None);
    }

    #[test]
    fn large_databases_use_extended_sizes_and_28_bit_records() {
        // 2,000 networks: thousands of nodes, so record values need more than 16 bits.
        let many: Vec<(IpNet, Location)> = (0..2000u32)
            .map(|i| {
                let net = IpNet::from(ipnet::Ipv4Net::new((0x0a00_0000 + (i << 8)).into(), 24).unwrap());
                (net, loc("DE", "EU", f64::from(i) / 100.0, 0.5))
            })
            .collect();
        for size in [RecordSize::Bits24, RecordSize::Bits28] {
            let db = GeoIp::from_bytes(build_city_db_with_record_size(&many, size)).unwrap();
            assert_eq!(db.locate(ip("10.7.207.9")).map(|l| l.latitude), Some(19.99));
            assert_eq!(db.locate(ip("10.0.0.1")).map(|l| l.latitude), Some(0.0));
            assert_eq!(db.locate(ip("10.7.208.1")), None);
        }
    }

    #[test]
    fn opens_files_and_rejects_garbage() {
        let path = std::env::temp_dir().join(format!("ciam-policy-geoip-{}.mmdb", std::process::id()));
        std::fs::write(&path, build_city_db(&entries())).unwrap();
        let db = GeoIp::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(db.locate(ip("8.1.2.3")).and_then(|l| l.country), Some("US".into()));
        assert!(GeoIp::from_bytes(b"not a database".to_vec()).is_err());
        assert!(GeoIp::open(std::env::temp_dir().join("ciam-policy-no-such-file.mmdb")).is_err());
    }

    #[test]
    fn long_strings_use_extended_sizes() {
        let mut out = Vec::new();
        for (len, header) in [(28usize, 1usize), (29, 2), (284, 2), (285, 3), (65_820, 3), (65_821, 4)] {
            out.clear();
            string(&mut out, &"a".repeat(len));
            assert_eq!(out.len(), header + len, "{len}");
        }
    }
}
