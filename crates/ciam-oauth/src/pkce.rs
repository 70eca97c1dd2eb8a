//! Proof Key for Code Exchange (RFC 7636), S256 only (RFC 9700 §2.1.1: `plain` is refused).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// A `code_challenge` as sent with `code_challenge_method=S256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

fn unreserved(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl CodeChallenge {
    /// Parses a challenge: S256 challenges are exactly 43 base64url characters.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then(|| Self(s.to_owned()))
    }

    /// The S256 challenge of `verifier`: what a client (this server, signing in through an
    /// upstream) sends with its authorization request.
    pub fn of_verifier(verifier: &str) -> Self {
        Self(URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(verifier.as_bytes())))
    }

    /// The challenge text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` (43-128 unreserved characters, RFC 7636 §4.1) hashes to this challenge.
    ///
    /// # Security
    /// The comparison is constant-time.
    pub fn verify(&self, verifier: &str) -> bool {
        if !(43..=128).contains(&verifier.len()) || !unreserved(verifier) {
            return false;
        }
        bool::from(Self::of_verifier(verifier).0.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let c = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert!(c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
        assert_eq!(CodeChallenge::of_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), c);
    }

    #[test]
    fn verifier_and_challenge_syntax_s05_z07() {
        let c = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        for bad in ["", "short", &"a".repeat(129), &format!("{}!", "a".repeat(50)), &format!("{} ", "a".repeat(50))] {
            assert!(!c.verify(bad), "{bad:?}");
        }
        for bad in
            ["", "plain-challenge", &"a".repeat(44), &format!("{}=", "a".repeat(42)), &format!("{}+", "a".repeat(42))]
        {
            assert!(CodeChallenge::parse(bad).is_none(), "{bad:?}");
        }
    }
}
