//! Recovery codes: single-use codes the user writes down when enrolling a second factor, to sign
//! in when the authenticator is lost.
//!
//! A code looks like `k7dq-2mzx-p4`: ten characters of Crockford's base32 alphabet (no `i`, `l`,
//! `o`, `u`), 50 bits from the operating system's CSPRNG. Typing is forgiving: case, spaces and
//! dashes do not matter, and `o`, `i`, `l` read as `0`, `1`, `1`.
//!
//! # Security
//! Only hashes are stored. Because every code carries 50 random bits, a single SHA-256 is the
//! right at-rest hash: a slow password hash would add nothing against guessing (2^50 candidates
//! per code) and would cost argon2 time on every attempt. [`find`] compares every stored hash in
//! constant time. Single use is the caller's job: it removes the index that [`find`] returned.

use ciam_core::secret::{Secret, SecretHash, random_bytes};
use subtle::ConstantTimeEq;

/// How many codes an enrollment hands out by default.
pub const DEFAULT_COUNT: usize = 10;
/// Characters in a code, dashes excluded.
pub const CODE_CHARS: usize = 10;

/// Crockford's base32, lower case: 32 symbols, 5 bits each, none easily mistaken for another.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `n` fresh codes: the plaintexts to show the user once, and the hashes to store, in the same
/// order.
pub fn generate(n: usize) -> (Vec<Secret>, Vec<String>) {
    (0..n)
        .map(|_| {
            let code = new_code();
            let hash = hash(&code);
            (Secret::new(code), hash)
        })
        .unzip()
}

/// The canonical form of a typed code: lower case, without white space or dashes, with the
/// look-alikes `o`, `i`, `l` read as `0`, `1`, `1`.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect()
}

/// The index of the stored hash that `code` matches, if any. Every hash is compared, in constant
/// time, whatever matches.
pub fn find(hashes: &[String], code: &str) -> Option<usize> {
    let presented = hash(code);
    let mut found = None;
    for (i, stored) in hashes.iter().enumerate() {
        if bool::from(stored.as_bytes().ct_eq(presented.as_bytes())) {
            found = Some(i);
        }
    }
    found
}

fn new_code() -> String {
    let mut code = String::with_capacity(CODE_CHARS + 2);
    for (i, byte) in random_bytes(CODE_CHARS).into_iter().enumerate() {
        if i == 4 || i == 8 {
            code.push('-');
        }
        // 32 symbols: the low five bits of a uniform byte are uniform.
        if let Some(&c) = ALPHABET.get(usize::from(byte & 31)) {
            code.push(char::from(c));
        }
    }
    code
}

fn hash(code: &str) -> String {
    SecretHash::of(&normalize(code)).as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_have_the_documented_shape_and_are_distinct() {
        let (codes, hashes) = generate(DEFAULT_COUNT);
        assert_eq!(codes.len(), 10);
        assert_eq!(hashes.len(), 10);
        let distinct: HashSet<&str> = codes.iter().map(Secret::expose_secret).collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            let c = code.expose_secret();
            let parts: Vec<&str> = c.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [4, 4, 2], "{c}");
            assert!(c.bytes().filter(|b| *b != b'-').all(|b| ALPHABET.contains(&b)), "{c}");
            assert!(!c.contains(['i', 'l', 'o', 'u']));
            assert!(!format!("{code:?}").contains(c));
        }
        assert!(hashes.iter().all(|h| h.len() == 64 && !codes.iter().any(|c| h.contains(c.expose_secret()))));
        // 10 symbols of a 32-symbol alphabet: 50 bits
        assert_eq!(ALPHABET.len(), 32);
        assert_eq!(ALPHABET.iter().collect::<HashSet<_>>().len(), 32);
    }

    #[test]
    fn every_symbol_appears() {
        // 1,000 codes draw 10,000 symbols; a missing symbol would mean a biased generator.
        let (codes, _) = generate(1000);
        let seen: HashSet<u8> = codes.iter().flat_map(|c| c.expose_secret().bytes().collect::<Vec<_>>()).collect();
        assert_eq!(seen.len(), 33, "32 symbols and the dash");
    }

    #[test]
    fn find_accepts_the_code_as_typed_in_any_case_or_spacing() {
        let (codes, hashes) = generate(5);
        let third = codes[2].expose_secret().to_owned();
        let compact = third.replace('-', "");
        for typed in [
            third.clone(),
            third.to_uppercase(),
            compact.clone(),
            format!(" {} {} ", &compact[..5], &compact[5..]),
            compact.replace('0', "o").replace('1', "l"),
            compact.replace('1', "I").replace('0', "O"),
        ] {
            assert_eq!(find(&hashes, &typed), Some(2), "{typed:?}");
        }
    }

    #[test]
    fn find_refuses_other_codes() {
        let (codes, hashes) = generate(3);
        let (other, _) = generate(1);
        assert_eq!(find(&hashes, other[0].expose_secret()), None);
        assert_eq!(find(&hashes, ""), None);
        assert_eq!(find(&[], codes[0].expose_secret()), None);
        // one character changed
        let code = codes[0].expose_secret().to_owned();
        let last = code.chars().last().unwrap();
        let changed = format!("{}{}", &code[..code.len() - 1], if last == 'z' { 'y' } else { 'z' });
        assert_eq!(find(&hashes, &changed), None);
        // a used code removed by the caller no longer matches
        let mut remaining = hashes.clone();
        remaining.remove(0);
        assert_eq!(find(&remaining, &code), None);
        assert_eq!(find(&remaining, codes[1].expose_secret()), Some(0));
    }

    #[test]
    fn normalize_maps_look_alikes() {
        assert_eq!(normalize("K7DQ-2MZX-P4"), "k7dq2mzxp4");
        assert_eq!(normalize(" ol i-L O "), "01110");
    }
}
