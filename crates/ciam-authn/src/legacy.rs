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
//! - Firebase Auth's modified scrypt, in a form of ours that carries the project's parameters:
//!   `$firebase-scrypt$m=<mem_cost>,r=<rounds>$<salt>$<salt separator>$<signer key>$<hash>`, the
//!   four byte strings in standard base64 as Firebase exports them (`scrypt`, then `aes` and
//!   `ctr` for its AES-256-CTR step).
//! - Salted SHA-256 and SHA-512 digests, `$salted-sha256$pos=<prefix|suffix>$<salt>$<digest>`
//!   (and `$salted-sha512$`), standard base64, where `suffix` is the digest of password‖salt and
//!   `prefix` of salt‖password; and LDAP's `{SSHA256}` / `{SSHA512}`, the base64 of digest‖salt
//!   with the salt after the password (`sha2`).
//! - argon2 in any variant and with any parameters (in [`crate::password`]).
//!
//! Keycloak's password credentials are not a stored format of their own: [`from_keycloak`]
//! converts one to the PBKDF2 or argon2 PHC string it amounts to.
//!
//! # Security
//! A stored hash decides how much work its check costs, so parameters above what any of those
//! systems uses are refused when the hash is stored ([`check_format`]) and never computed: at most
//! [`MAX_PBKDF2_ITERATIONS`], [`MAX_SHA_CRYPT_ROUNDS`], [`MAX_SCRYPT_BYTES`] of scrypt memory
//! (Firebase's too). Outputs are compared in constant time. A salted SHA-2 digest costs next to
//! nothing to compute, for whoever holds it too: it is accepted so that such users can move, and
//! like every imported hash it lasts until its user's first sign-in. A Firebase hash carries the
//! project's signer key, which is as secret as the hashes.

use std::collections::HashMap;

use aes::Aes256;
use argon2::PasswordHash as Phc;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, STANDARD_PAD_INDIFFERENT};
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use sha_crypt::PasswordVerifier as _;
use sha2::Digest as _;
use subtle::ConstantTimeEq;

/// The most PBKDF2 iterations a stored hash may ask for (Django uses 1,000,000 since 5.0).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most SHA-crypt rounds a stored hash may ask for.
pub const MAX_SHA_CRYPT_ROUNDS: u32 = 5_000_000;
/// The most memory (bytes) a stored scrypt hash may ask for (Firebase's defaults use 16 MiB).
pub const MAX_SCRYPT_BYTES: u64 = 64 << 20;
/// The longest salt of a salted SHA-2 digest, in bytes (LDAP's are 4 or 8).
const MAX_SHA_SALT_BYTES: usize = 1024;
/// The shortest Firebase hash compared, in bytes (Firebase's are as long as the signer key, 64).
const MIN_FIREBASE_HASH_BYTES: usize = 16;

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
    /// Firebase Auth's modified scrypt (`$firebase-scrypt$`).
    FirebaseScrypt,
    /// A salted SHA-256 or SHA-512 digest with the salt's position given (`$salted-sha256$`,
    /// `$salted-sha512$`).
    SaltedSha,
    /// LDAP's salted SHA-256 or SHA-512 digest (`{SSHA256}`, `{SSHA512}`).
    LdapSaltedSha,
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
            Self::FirebaseScrypt => "scrypt (Firebase)",
            Self::SaltedSha => "salted SHA-2",
            Self::LdapSaltedSha => "salted SHA-2 (LDAP)",
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

/// The digest of a salted SHA-2 hash.
#[derive(Debug, Clone, Copy)]
enum Sha {
    Sha256,
    Sha512,
}

impl Sha {
    /// The digest's length in bytes.
    fn len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    /// The digest of `first` followed by `second`.
    fn digest(self, first: &[u8], second: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::new().chain_update(first).chain_update(second).finalize().to_vec(),
            Self::Sha512 => sha2::Sha512::new().chain_update(first).chain_update(second).finalize().to_vec(),
        }
    }
}

/// A stored hash, parsed far enough to check it. Firebase's `salt` is the user's salt followed by
/// the project's separator; a salted SHA-2 digest is of salt‖password if `salt_first`, else of
/// password‖salt.
enum Parsed<'a> {
    Bcrypt,
    Pbkdf2 { prf: Prf, rounds: u32, salt: Vec<u8>, hash: Vec<u8> },
    Scrypt { params: scrypt::Params, salt: Vec<u8>, hash: Vec<u8> },
    ShaCrypt(&'a str),
    FirebaseScrypt { params: scrypt::Params, salt: Vec<u8>, signer_key: Vec<u8>, hash: Vec<u8> },
    SaltedSha { sha: Sha, salt_first: bool, salt: Vec<u8>, hash: Vec<u8> },
}

/// The scrypt parameters for `ln` (log2 N), `r` and `p`, if they ask for at most
/// [`MAX_SCRYPT_BYTES`] of memory.
fn scrypt_params(ln: u8, r: u32, p: u32) -> Result<scrypt::Params, String> {
    let memory = 128u64.saturating_mul(u64::from(r)).checked_shl(u32::from(ln)).unwrap_or(u64::MAX);
    if ln >= 64 || memory > MAX_SCRYPT_BYTES {
        return Err(format!("scrypt parameters asking for more than {} MiB", MAX_SCRYPT_BYTES >> 20));
    }
    scrypt::Params::new(ln, r, p).map_err(|e| format!("scrypt parameters: {e}"))
}

/// The bytes of `field`, in standard base64 (padding optional).
fn base64_field(value: &str, field: &str) -> Result<Vec<u8>, String> {
    STANDARD_PAD_INDIFFERENT.decode(value).map_err(|_| format!("the {field} is not standard base64"))
}

/// A Firebase scrypt hash: what follows `$firebase-scrypt$`.
fn parse_firebase(rest: &str) -> Result<Parsed<'static>, String> {
    let parts: Vec<&str> = rest.split('$').collect();
    let [params, salt, separator, signer_key, hash] = parts.as_slice() else {
        return Err("a Firebase scrypt hash is \
                    $firebase-scrypt$m=<mem_cost>,r=<rounds>$<salt>$<salt separator>$<signer key>$<hash>"
            .into());
    };
    let (mut mem_cost, mut rounds) = (None, None);
    for param in params.split(',') {
        match param.split_once('=') {
            Some(("m", v)) if mem_cost.is_none() => {
                mem_cost = Some(v.parse::<u8>().map_err(|_| "m (mem_cost) is not a number from 1 to 63".to_owned())?);
            }
            Some(("r", v)) if rounds.is_none() => {
                rounds = Some(v.parse::<u32>().map_err(|_| "r (rounds) is not a number".to_owned())?);
            }
            _ => return Err("a Firebase scrypt hash's parameters are m=<mem_cost>,r=<rounds>".into()),
        }
    }
    let (Some(mem_cost), Some(rounds)) = (mem_cost, rounds) else {
        return Err("a Firebase scrypt hash needs m (mem_cost) and r (rounds)".into());
    };
    if mem_cost == 0 || rounds == 0 {
        return Err("m (mem_cost) and r (rounds) must be at least 1".into());
    }
    let params = scrypt_params(mem_cost, rounds, 1)?;
    let mut salt = base64_field(salt, "salt")?;
    salt.extend(base64_field(separator, "salt separator")?);
    let signer_key = base64_field(signer_key, "signer key")?;
    let hash = base64_field(hash, "hash")?;
    if signer_key.len() < MIN_FIREBASE_HASH_BYTES || signer_key.len() > 1024 {
        return Err(format!("the signer key must be {MIN_FIREBASE_HASH_BYTES} to 1024 bytes (Firebase's are 64)"));
    }
    if hash.len() < MIN_FIREBASE_HASH_BYTES || hash.len() > signer_key.len() {
        return Err(format!("the hash must be {MIN_FIREBASE_HASH_BYTES} bytes up to the signer key's length"));
    }
    Ok(Parsed::FirebaseScrypt { params, salt, signer_key, hash })
}

/// The salt of a salted SHA-2 digest, within bounds.
fn sha_salt(salt: Vec<u8>) -> Result<Vec<u8>, String> {
    if salt.is_empty() || salt.len() > MAX_SHA_SALT_BYTES {
        return Err(format!("the salt must be 1 to {MAX_SHA_SALT_BYTES} bytes (unsalted digests are not accepted)"));
    }
    Ok(salt)
}

/// A salted SHA-2 digest: what follows `$salted-`.
fn parse_salted_sha(rest: &str) -> Result<Parsed<'static>, String> {
    let parts: Vec<&str> = rest.split('$').collect();
    let [algorithm, position, salt, hash] = parts.as_slice() else {
        return Err("a salted SHA-2 hash is $salted-sha256$pos=<prefix|suffix>$<salt>$<digest> (or sha512)".into());
    };
    let sha = match *algorithm {
        "sha256" => Sha::Sha256,
        "sha512" => Sha::Sha512,
        _ => return Err("unknown salted digest: ciam verifies $salted-sha256$ and $salted-sha512$".into()),
    };
    let salt_first = match *position {
        "pos=prefix" => true,
        "pos=suffix" => false,
        _ => return Err("pos= must be prefix (salt then password) or suffix (password then salt)".into()),
    };
    let salt = sha_salt(base64_field(salt, "salt")?)?;
    let hash = base64_field(hash, "digest")?;
    if hash.len() != sha.len() {
        return Err(format!("the digest must be {} bytes", sha.len()));
    }
    Ok(Parsed::SaltedSha { sha, salt_first, salt, hash })
}

/// An LDAP `userPassword` value, `{SCHEME}…`; `Ok(None)` when `stored` has no scheme.
fn parse_ldap(stored: &str) -> Result<Option<Parsed<'static>>, String> {
    let Some((scheme, value)) = stored.strip_prefix('{').and_then(|s| s.split_once('}')) else {
        return Ok(None);
    };
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Ok(None);
    }
    let sha = match scheme.to_ascii_uppercase().as_str() {
        "SSHA256" => Sha::Sha256,
        "SSHA512" => Sha::Sha512,
        "CRYPT" => return Err("{CRYPT} wraps a crypt(3) hash: store the hash that follows it".into()),
        _ => return Err(format!("the LDAP scheme {{{scheme}}} is not one ciam verifies ({{SSHA256}}, {{SSHA512}})")),
    };
    let bytes = base64_field(value, "LDAP value")?;
    let Some((hash, salt)) = bytes.split_at_checked(sha.len()) else {
        return Err(format!("an {{{scheme}}} value is a {}-byte digest followed by the salt", sha.len()));
    };
    let (hash, salt) = (hash.to_vec(), sha_salt(salt.to_vec())?);
    Ok(Some(Parsed::SaltedSha { sha, salt_first: false, salt, hash }))
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
    if let Some(rest) = stored.strip_prefix("$firebase-scrypt$") {
        return Ok(Some((LegacyFormat::FirebaseScrypt, parse_firebase(rest)?)));
    }
    if let Some(rest) = stored.strip_prefix("$salted-") {
        return Ok(Some((LegacyFormat::SaltedSha, parse_salted_sha(rest)?)));
    }
    if stored.starts_with('{') {
        return Ok(parse_ldap(stored)?.map(|parsed| (LegacyFormat::LdapSaltedSha, parsed)));
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
            let params = scrypt_params(ln, r, p)?;
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
        // Firebase: the scrypt output is an AES-256-CTR key (all-zero IV) that encrypts the
        // project's signer key; the stored hash is that ciphertext (compared over its length).
        Parsed::FirebaseScrypt { params, salt, mut signer_key, hash } => {
            let mut key = [0u8; 32];
            scrypt::scrypt(password, &salt, &params, &mut key).is_ok() && {
                Ctr128BE::<Aes256>::new(&key.into(), &[0u8; 16].into()).apply_keystream(&mut signer_key);
                signer_key.get(..hash.len()).is_some_and(|computed| equal(computed, &hash))
            }
        }
        Parsed::SaltedSha { sha, salt_first, salt, hash } => {
            let computed = if salt_first { sha.digest(&salt, password) } else { sha.digest(password, &salt) };
            equal(&computed, &hash)
        }
    })
}

/// Keycloak's `secretData` of a password credential.
#[derive(serde::Deserialize)]
struct KeycloakSecret {
    value: String,
    salt: String,
}

/// Keycloak's `credentialData` of a password credential.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeycloakCredential {
    hash_iterations: u32,
    algorithm: String,
    #[serde(default)]
    additional_parameters: HashMap<String, Vec<String>>,
}

/// The PHC string that a Keycloak password credential amounts to: `secret_data` and
/// `credential_data` are the two JSON strings of a `"type": "password"` entry of a user's
/// `credentials` in a realm export. PBKDF2 (`pbkdf2` with SHA-1, `pbkdf2-sha256`,
/// `pbkdf2-sha512`, any derived key length) becomes `$pbkdf2…$i=…,l=…$<salt>$<hash>`, and argon2
/// (Keycloak 24 and later) `$argon2<type>$v=…$m=…,t=…,p=…$<salt>$<hash>`; the result is checked
/// as any stored hash is ([`crate::PasswordHasher::check_stored`]). Other algorithms, and
/// parameters out of bounds, are refused with the reason; no error contains the hash or salt.
pub fn from_keycloak(secret_data: &str, credential_data: &str) -> Result<String, String> {
    let secret: KeycloakSecret = serde_json::from_str(secret_data).map_err(|e| {
        format!("secretData is not Keycloak's JSON with a value and a salt (line {}, column {})", e.line(), e.column())
    })?;
    let credential: KeycloakCredential = serde_json::from_str(credential_data).map_err(|e| {
        format!(
            "credentialData is not Keycloak's JSON with hashIterations and algorithm (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let hash = base64_field(&secret.value, "secretData value")?;
    let salt = base64_field(&secret.salt, "secretData salt")?;
    // What a PHC string can carry.
    if !(8..=48).contains(&salt.len()) {
        return Err("the salt must be 8 to 48 bytes (Keycloak's are 16)".into());
    }
    if !(10..=64).contains(&hash.len()) {
        return Err("the hash value must be 10 to 64 bytes (Keycloak's are 32 or 64)".into());
    }
    let (salt_b64, hash_b64) = (STANDARD_NO_PAD.encode(&salt), STANDARD_NO_PAD.encode(&hash));
    let iterations = credential.hash_iterations;
    let phc = match credential.algorithm.as_str() {
        id @ ("pbkdf2" | "pbkdf2-sha256" | "pbkdf2-sha512") => {
            format!("${id}$i={iterations},l={}${salt_b64}${hash_b64}", hash.len())
        }
        "argon2" => {
            let parameter = |name: &str| {
                credential
                    .additional_parameters
                    .get(name)
                    .and_then(|values| values.first())
                    .map(String::as_str)
                    .ok_or_else(|| format!("an argon2 credential needs additionalParameters.{name}"))
            };
            let number = |name: &str| {
                parameter(name)?.parse::<u32>().map_err(|_| format!("additionalParameters.{name} is not a number"))
            };
            let variant = match parameter("type")? {
                "id" => "argon2id",
                "i" => "argon2i",
                "d" => "argon2d",
                _ => return Err("additionalParameters.type must be id, i or d".into()),
            };
            let version = match parameter("version")? {
                "1.3" => 19,
                "1.0" => 16,
                _ => return Err("additionalParameters.version must be 1.3 or 1.0".into()),
            };
            if usize::try_from(number("hashLength")?).ok() != Some(hash.len()) {
                return Err("additionalParameters.hashLength is not the length of the hash value".into());
            }
            let (memory, parallelism) = (number("memory")?, number("parallelism")?);
            format!("${variant}$v={version}$m={memory},t={iterations},p={parallelism}${salt_b64}${hash_b64}")
        }
        other => {
            return Err(format!(
                "unknown Keycloak password algorithm {other}: ciam converts pbkdf2, pbkdf2-sha256, pbkdf2-sha512 \
                 and argon2"
            ));
        }
    };
    crate::PasswordHasher::check_stored(&phc)?;
    Ok(phc)
}

#[cfg(test)]
#[path = "legacy_tests.rs"]
mod tests;
