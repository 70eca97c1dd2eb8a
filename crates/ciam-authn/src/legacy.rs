//! Password hashes made by other systems, verified natively so that imported users sign in with
//! the password they already have. A successful sign-in then replaces the hash with an argon2id
//! one ([`crate::PasswordHasher::needs_rehash`] is true for all of them), so each user is
//! migrated the first time they sign in.
//!
//! The formats, each checked by a well-kept crate:
//! - bcrypt, `$2a$` / `$2b$` / `$2y$` / `$2x$` (`bcrypt`). A password longer than bcrypt's 72
//!   bytes is refused rather than silently truncated.
//! - PBKDF2 in PHC form, `$pbkdf2$` (HMAC-SHA-1), `$pbkdf2-sha256$`, `$pbkdf2-sha512$`
//!   (`i=` iterations, optional `l=` length; salt and hash in PHC base64), and in Django's form,
//!   `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (and `pbkdf2_sha1`) (`pbkdf2`).
//! - scrypt in PHC form, `$scrypt$ln=…,r=…,p=…$<salt>$<hash>` (`scrypt`).
//! - SHA-256-crypt and SHA-512-crypt, `$5$` / `$6$` with optional `rounds=` (`sha-crypt`).
//! - argon2 in any variant and with any parameters (in [`crate::password`]).
//!
//! # Security
//! A stored hash decides how much work its check costs, so parameters above what any of those
//! systems uses are refused when the hash is stored ([`check_format`]) and never computed: at most
//! [`MAX_PBKDF2_ITERATIONS`], [`MAX_SHA_CRYPT_ROUNDS`], [`MAX_SCRYPT_BYTES`] of scrypt memory.
//! Outputs are compared in constant time.

use argon2::PasswordHash as Phc;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha_crypt::PasswordVerifier as _;
use subtle::ConstantTimeEq;

/// The most PBKDF2 iterations a stored hash may ask for (Django uses 1,000,000 since 5.0).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most SHA-crypt rounds a stored hash may ask for.
pub const MAX_SHA_CRYPT_ROUNDS: u32 = 5_000_000;
/// The most memory (bytes) a stored scrypt hash may ask for (Firebase's defaults use 16 MiB).
pub const MAX_SCRYPT_BYTES: u64 = 64 << 20;

/// A password-hash format this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyFormat {
    /// bcrypt (`$2a$`, `$2b$`, `$2y$`, `$2x$`).
    Bcrypt,
    /// PBKDF2 in PHC form (`$pbkdf2$`, `$pbkdf2-sha256$`, `$pbkdf2-sha512$`).
    Pbkdf2,
    /// PBKDF2 in Django's form (`pbkdf2_sha256$…`, `pbkdf2_sha1$…`).
    DjangoPbkdf2,
    /// scrypt in PHC form (`$scrypt$`).
    Scrypt,
    /// SHA-256-crypt and SHA-512-crypt (`$5$`, `$6$`).
    ShaCrypt,
}

impl LegacyFormat {
    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bcrypt => "bcrypt",
            Self::Pbkdf2 => "PBKDF2 (PHC)",
            Self::DjangoPbkdf2 => "PBKDF2 (Django)",
            Self::Scrypt => "scrypt",
            Self::ShaCrypt => "SHA-crypt",
        }
    }
}

/// The PBKDF2 pseudo-random function of a PHC identifier or a Django algorithm name.
#[derive(Debug, Clone, Copy)]
enum Prf {
    Sha1,
    Sha256,
    Sha512,
}

fn pbkdf2(prf: Prf, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    match prf {
        Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, out),
        Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, out),
        Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, out),
    }
}

/// A stored hash, parsed far enough to check it.
enum Parsed<'a> {
    Bcrypt,
    Pbkdf2 { prf: Prf, rounds: u32, salt: Vec<u8>, hash: Vec<u8> },
    Scrypt { params: scrypt::Params, salt: Vec<u8>, hash: Vec<u8> },
    ShaCrypt(&'a str),
}

/// The format of `stored` and its parameters, or why it cannot be checked; `Ok(None)` when it is
/// none of these formats.
fn parse(stored: &str) -> Result<Option<(LegacyFormat, Parsed<'_>)>, String> {
    if ["$2a$", "$2b$", "$2y$", "$2x$"].iter().any(|p| stored.starts_with(p)) {
        // The crate parses the cost and salt when verifying; a malformed hash never matches.
        return Ok(Some((LegacyFormat::Bcrypt, Parsed::Bcrypt)));
    }
    if let Some(rest) = stored.strip_prefix("pbkdf2_") {
        let parts: Vec<&str> = rest.split('$').collect();
        let [algorithm, rounds, salt, hash] = parts.as_slice() else {
            return Err("a Django PBKDF2 hash has four fields separated by $".into());
        };
        let prf = match *algorithm {
            "sha1" => Prf::Sha1,
            "sha256" => Prf::Sha256,
            _ => return Err(format!("unknown Django PBKDF2 algorithm pbkdf2_{algorithm}")),
        };
        let rounds = rounds.parse().map_err(|_| "the iteration count is not a number".to_owned())?;
        let hash = STANDARD.decode(hash).map_err(|_| "the hash is not base64".to_owned())?;
        let parsed = Parsed::Pbkdf2 { prf, rounds, salt: salt.as_bytes().to_vec(), hash };
        return checked(LegacyFormat::DjangoPbkdf2, parsed);
    }
    if stored.starts_with("$5$") || stored.starts_with("$6$") {
        let rounds = stored
            .split('$')
            .nth(2)
            .and_then(|p| p.strip_prefix("rounds="))
            .map(|r| r.parse::<u32>().map_err(|_| "rounds= is not a number".to_owned()))
            .transpose()?;
        if rounds.is_some_and(|r| r > MAX_SHA_CRYPT_ROUNDS) {
            return Err(format!("more than {MAX_SHA_CRYPT_ROUNDS} SHA-crypt rounds"));
        }
        return Ok(Some((LegacyFormat::ShaCrypt, Parsed::ShaCrypt(stored))));
    }
    if !(stored.starts_with("$pbkdf2") || stored.starts_with("$scrypt$")) {
        return Ok(None);
    }
    let phc = Phc::new(stored).map_err(|e| format!("not a PHC string: {e}"))?;
    let (Some(salt), Some(hash)) = (&phc.salt, &phc.hash) else {
        return Err("the PHC string has no salt or no hash".into());
    };
    let (salt, hash) = (salt.to_vec(), hash.as_bytes().to_vec());
    let decimal = |name: &str| phc.params.get_decimal(name);
    match phc.algorithm.as_str() {
        "scrypt" => {
            let (Some(ln), Some(r), Some(p)) = (decimal("ln"), decimal("r"), decimal("p")) else {
                return Err("a scrypt hash needs ln, r and p".into());
            };
            let ln = u8::try_from(ln).map_err(|_| "ln is too large".to_owned())?;
            let memory = 128u64.saturating_mul(u64::from(r)).checked_shl(u32::from(ln)).unwrap_or(u64::MAX);
            if ln >= 64 || memory > MAX_SCRYPT_BYTES {
                return Err(format!("scrypt parameters asking for more than {} MiB", MAX_SCRYPT_BYTES >> 20));
            }
            let params = scrypt::Params::new(ln, r, p).map_err(|e| format!("scrypt parameters: {e}"))?;
            Ok(Some((LegacyFormat::Scrypt, Parsed::Scrypt { params, salt, hash })))
        }
        id => {
            let prf = match id {
                "pbkdf2" => Prf::Sha1,
                "pbkdf2-sha256" => Prf::Sha256,
                "pbkdf2-sha512" => Prf::Sha512,
                other => return Err(format!("unknown PBKDF2 identifier {other}")),
            };
            let rounds = decimal("i").ok_or_else(|| "a PBKDF2 hash needs i (iterations)".to_owned())?;
            checked(LegacyFormat::Pbkdf2, Parsed::Pbkdf2 { prf, rounds, salt, hash })
        }
    }
}

/// A parsed PBKDF2 hash whose cost is within bounds.
fn checked(format: LegacyFormat, parsed: Parsed<'_>) -> Result<Option<(LegacyFormat, Parsed<'_>)>, String> {
    if let Parsed::Pbkdf2 { rounds, hash, .. } = &parsed {
        if *rounds == 0 || *rounds > MAX_PBKDF2_ITERATIONS {
            return Err(format!("PBKDF2 iterations must be between 1 and {MAX_PBKDF2_ITERATIONS}"));
        }
        if hash.is_empty() || hash.len() > 128 {
            return Err("the PBKDF2 hash must be 1 to 128 bytes".into());
        }
    }
    Ok(Some((format, parsed)))
}

/// The legacy format of `stored`, after checking that its parameters can be computed; `Ok(None)`
/// for a string that is none of them (an argon2 PHC string, say).
pub fn check_format(stored: &str) -> Result<Option<LegacyFormat>, String> {
    Ok(parse(stored)?.map(|(format, _)| format))
}

/// Whether `password` matches `stored`; `None` when `stored` is not one of these formats. A hash
/// that cannot be checked (malformed, or over the cost limits) never matches.
pub(crate) fn verify(password: &[u8], stored: &str) -> Option<bool> {
    let parsed = match parse(stored) {
        Ok(Some((_, parsed))) => parsed,
        Ok(None) => return None,
        Err(_) => return Some(false),
    };
    let equal = |computed: &[u8], expected: &[u8]| bool::from(computed.ct_eq(expected));
    Some(match parsed {
        // bcrypt reads at most 72 bytes: a longer password is refused instead of checked on its
        // first 72 only (the crate's `non_truncating_verify` also refuses exactly 72, which
        // OpenBSD's bcrypt accepts).
        Parsed::Bcrypt => password.len() <= 72 && bcrypt::verify(password, stored).unwrap_or(false),
        Parsed::Pbkdf2 { prf, rounds, salt, hash } => {
            let mut out = vec![0u8; hash.len()];
            pbkdf2(prf, password, &salt, rounds, &mut out);
            equal(&out, &hash)
        }
        Parsed::Scrypt { params, salt, hash } => {
            let mut out = vec![0u8; hash.len()];
            scrypt::scrypt(password, &salt, &params, &mut out).is_ok() && equal(&out, &hash)
        }
        Parsed::ShaCrypt(s) => sha_crypt::ShaCrypt::default().verify_password(password, s).is_ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &[u8] = b"correct horse battery staple";

    /// Vectors made by independent implementations: Python's `hashlib` (PBKDF2, scrypt) and
    /// libxcrypt through Python's `crypt` (bcrypt, SHA-crypt), plus OpenWall's bcrypt test vector.
    const VECTORS: [(&str, LegacyFormat, &[u8]); 8] = [
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", LegacyFormat::Bcrypt, b"U*U"),
        ("$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS", LegacyFormat::Bcrypt, PASSWORD),
        (
            "pbkdf2_sha256$1000$Zk8rBWbnH5s1$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
            LegacyFormat::DjangoPbkdf2,
            PASSWORD,
        ),
        (
            "$pbkdf2-sha512$i=1000,l=64$MDEyMzQ1Njc4OWFiY2RlZg$5bTW2oeyDJyGJPcmEr+mRDE11ghpozWrDGnSNhRXo2ZCu0KHRDiUMAVEGzLJC+oDhRoeIja9J1iLIv9ptDJMfQ",
            LegacyFormat::Pbkdf2,
            PASSWORD,
        ),
        ("$pbkdf2$i=1000,l=20$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po", LegacyFormat::Pbkdf2, PASSWORD),
        (
            "$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
            LegacyFormat::Scrypt,
            PASSWORD,
        ),
        (
            "$6$rounds=5000$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
            LegacyFormat::ShaCrypt,
            PASSWORD,
        ),
        ("$5$saltsaltsalt$ambeXvnLzalBPZ9GOtqgOFmsKBZqk4jtIknh6DDppW3", LegacyFormat::ShaCrypt, PASSWORD),
    ];

    #[test]
    fn hashes_of_other_systems_verify_with_the_right_password_only() {
        for (stored, format, password) in VECTORS {
            assert_eq!(check_format(stored), Ok(Some(format)), "{stored}");
            assert_eq!(verify(password, stored), Some(true), "{stored}");
            assert_eq!(verify(b"wrong password", stored), Some(false), "{stored}");
        }
        // Not one of these formats: the caller checks it as argon2.
        assert_eq!(verify(PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"), None);
    }

    /// bcrypt reads 72 bytes: a longer password is refused rather than matched on its first 72.
    #[test]
    fn bcrypt_refuses_a_password_it_would_truncate() {
        let stored = "$2b$05$abcdefghijklmnopqrstuujf8SX2ahXLwp9w/B.Y5XdysS6yR576q";
        assert_eq!(verify(&[b'x'; 72], stored), Some(true));
        assert_eq!(verify(&[b'x'; 73], stored), Some(false), "libxcrypt would accept it");
    }

    /// A stored hash may not ask for more work than any real system uses, and a malformed one
    /// never matches.
    #[test]
    fn costly_or_malformed_hashes_are_refused() {
        let refused = [
            "pbkdf2_sha256$20000000$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
            "pbkdf2_sha256$0$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
            "pbkdf2_md5$1000$salt$aGFzaA==",
            "pbkdf2_sha256$1000$salt",
            "pbkdf2_sha256$1000$salt$not base64!",
            "$scrypt$ln=20,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
            "$scrypt$r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
            "$pbkdf2-md5$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po",
            "$pbkdf2-sha256$l=32$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po",
            "$6$rounds=999999999$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
        ];
        for stored in refused {
            assert!(check_format(stored).is_err(), "{stored}");
            assert_eq!(verify(PASSWORD, stored), Some(false), "{stored}");
        }
        assert_eq!(verify(PASSWORD, "$2b$05$short"), Some(false));
    }
}
