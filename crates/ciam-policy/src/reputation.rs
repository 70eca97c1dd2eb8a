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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_finds_the_most_specific_entry() {
        let list = ReputationList::parse(
            "# abuse feed\n\
             203.0.113.0/24 40\n\
             203.0.113.128/25   70  # a worse half\n\
             203.0.113.200\n\
             \n\
             198.51.100.77/16 10\n\
             2001:db8::/32 30\n\
             2001:db8:1::/48 90\n\
             203.0.113.0/24 20\n",
        )
        .unwrap();
        assert_eq!(list.len(), 6);
        let cases = [
            ("203.0.113.5", Some(40)),
            ("203.0.113.129", Some(70)),
            ("203.0.113.200", Some(100)),
            ("::ffff:203.0.113.200", Some(100)),
            ("198.51.1.1", Some(10)),
            ("198.52.0.1", None),
            ("2001:db8:2::1", Some(30)),
            ("2001:db8:1:ffff::1", Some(90)),
            ("2001:db9::1", None),
            ("192.0.2.1", None),
        ];
        for (addr, want) in cases {
            assert_eq!(list.lookup(ip(addr)), want, "{addr}");
        }
    }

    #[test]
    fn an_empty_list_has_nothing() {
        let list = ReputationList::parse("# nothing yet\n\n").unwrap();
        assert!(list.is_empty());
        assert_eq!(list.lookup(ip("192.0.2.1")), None);
    }

    #[test]
    fn a_default_route_matches_everything() {
        let list = ReputationList::parse("0.0.0.0/0 5\n10.0.0.0/8 50").unwrap();
        assert_eq!(list.lookup(ip("192.0.2.1")), Some(5));
        assert_eq!(list.lookup(ip("10.1.2.3")), Some(50));
        assert_eq!(list.lookup(ip("2001:db8::1")), None);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("192.0.2.0/24\nnonsense", 2),
            ("192.0.2.0/33", 1),
            ("# c\n192.0.2.0/24 101", 2),
            ("192.0.2.0/24 -1", 1),
            ("192.0.2.0/24 high", 1),
            ("\n\n192.0.2.0/24 10 extra", 3),
        ];
        for (text, line) in cases {
            let (at, msg) = ReputationList::parse(text).unwrap_err();
            assert_eq!(at, line, "{text:?}: {msg}");
            assert!(!msg.is_empty());
        }
    }
}
