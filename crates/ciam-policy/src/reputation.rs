//! An IP reputation list: networks with a badness score, from a plain text file.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

/// Networks with a badness score 0-100, looked up by most specific match.
///
/// The text format has one entry per line, `CIDR [score]`: a network (`203.0.113.0/24`,
/// `2001:db8::/32`) or a single address, then an optional score (default 100). `#` starts a
/// comment; blank lines are skipped. A network listed twice keeps its highest score.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReputationList {
    /// IPv4 networks by prefix length, longest prefix first.
    v4: Vec<(u8, HashMap<u32, u8>)>,
    /// IPv6 networks by prefix length, longest prefix first.
    v6: Vec<(u8, HashMap<u128, u8>)>,
    len: usize,
}

fn mask4(addr: u32, len: u8) -> u32 {
    addr.checked_shr(32 - u32::from(len)).unwrap_or(0)
}

fn mask6(addr: u128, len: u8) -> u128 {
    addr.checked_shr(128 - u32::from(len)).unwrap_or(0)
}

fn insert<K: std::hash::Hash + Eq>(tables: &mut Vec<(u8, HashMap<K, u8>)>, len: u8, key: K, score: u8) -> bool {
    let pos = match tables.iter().position(|(l, _)| *l <= len) {
        Some(p) if tables.get(p).is_some_and(|(l, _)| *l == len) => p,
        Some(p) => {
            tables.insert(p, (len, HashMap::new()));
            p
        }
        None => {
            tables.push((len, HashMap::new()));
            tables.len() - 1
        }
    };
    let Some((_, table)) = tables.get_mut(pos) else { return false };
    match table.get_mut(&key) {
        Some(s) => {
            *s = (*s).max(score);
            false
        }
        None => {
            table.insert(key, score);
            true
        }
    }
}

impl ReputationList {
    /// Parses the text format. The error names the 1-based line and what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut list = Self::default();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(cidr) = parts.next() else { continue };
            let net: IpNet = match cidr.parse::<IpNet>() {
                Ok(n) => n.trunc(),
                Err(_) => match cidr.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => return Err((line_no, "expected a network (CIDR) or an IP address".to_owned())),
                },
            };
            let score = match parts.next() {
                None => 100,
                Some(s) => match s.parse::<u8>() {
                    Ok(n) if n <= 100 => n,
                    _ => return Err((line_no, "the score must be a whole number 0-100".to_owned())),
                },
            };
            if parts.next().is_some() {
                return Err((line_no, "expected `CIDR [score]`, found more fields".to_owned()));
            }
            list.add(net, score);
        }
        Ok(list)
    }

    /// Adds a network (host bits are ignored). A network already listed keeps the higher score.
    pub fn add(&mut self, net: IpNet, score: u8) {
        let score = score.min(100);
        let added = match net {
            IpNet::V4(n) => insert(&mut self.v4, n.prefix_len(), mask4(n.network().to_bits(), n.prefix_len()), score),
            IpNet::V6(n) => insert(&mut self.v6, n.prefix_len(), mask6(n.network().to_bits(), n.prefix_len()), score),
        };
        if added {
            self.len += 1;
        }
    }

    /// Number of distinct networks.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The score of the most specific listed network containing `ip`; `None` when unlisted.
    /// IPv4-mapped IPv6 addresses are looked up as IPv4.
    pub fn lookup(&self, ip: IpAddr) -> Option<u8> {
        match ip.to_canonical() {
            IpAddr::V4(v4) => {
                let bits = v4.to_bits();
                self.v4.iter().find_map(|(len, t)| t.get(&mask4(bits, *len)).copied())
            }
            IpAddr::V6(v6) => {
                let bits = v6.to_bits();
                self.v6.iter().find_map(|(len, t)| t.get(&mask6(bits, *len)).copied())
            }
        }
    }
}
