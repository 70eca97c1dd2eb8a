//! Time-based one-time passwords (RFC 6238) for authenticator apps.
//!
//! The parameters are the ones every authenticator app supports: HMAC-SHA-1, 6 digits, 30-second
//! steps. Seeds carry 160 bits from the operating system's CSPRNG (RFC 4226 §4 recommends 160).
//!
//! # Security
//! - [`verify`] accepts the current step and one step either side (clock drift, RFC 6238 §5.2),
//!   compares in constant time, and refuses every step at or before the last accepted one, so an
//!   observed code cannot be replayed, not even within its own 30 seconds.
//! - [`TotpSeed`] never shows its bytes in `Debug` output.

use std::fmt::{self, Write as _};

use ciam_core::secret::random_bytes;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder};

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Bytes in a generated seed (160 bits).
pub const SEED_BYTES: usize = 20;
/// The shortest seed accepted from storage or import (128 bits, RFC 4226 §4).
pub const MIN_SEED_BYTES: usize = 16;

/// Why a TOTP value could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// A seed shorter than [`MIN_SEED_BYTES`].
    #[error("a TOTP seed needs at least {MIN_SEED_BYTES} bytes")]
    SeedTooShort,
    /// A seed text that is not RFC 4648 base32.
    #[error("a TOTP seed must be base32 (RFC 4648)")]
    NotBase32,
    /// Data too long to fit in a QR code.
    #[error("the data does not fit in a QR code")]
    QrTooLong,
}

/// The shared secret between the server and the user's authenticator app.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSeed(Vec<u8>);

impl TotpSeed {
    /// A fresh 160-bit seed from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(random_bytes(SEED_BYTES))
    }

    /// A seed read back from storage; at least [`MIN_SEED_BYTES`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TotpError> {
        if bytes.len() < MIN_SEED_BYTES {
            return Err(TotpError::SeedTooShort);
        }
        Ok(Self(bytes.to_vec()))
    }

    /// A seed from its base32 text (upper or lower case, padding and spaces optional).
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        let secret = totp_rs::Secret::try_from_base32(cleaned).map_err(|_| TotpError::NotBase32)?;
        Self::from_bytes(secret.as_bytes())
    }

    /// The raw seed bytes, to store (encrypted at rest by the caller).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The seed as RFC 4648 base32 without padding, as authenticator apps expect it typed in.
    pub fn to_base32(&self) -> String {
        totp_rs::Secret::from(self.0.clone()).to_base32()
    }
}

impl fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSeed([redacted])")
    }
}

/// The `otpauth://` URI of the Key Uri Format that authenticator apps read from a QR code.
///
/// The issuer appears both as the label prefix and as the `issuer` parameter (older apps read
/// only one of them); issuer and account are percent-encoded.
pub fn otpauth_uri(seed: &TotpSeed, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = seed.to_base32(),
    )
}

/// `data` as a QR code in an inline SVG element (no XML declaration), scaled by CSS or by its
/// `width`/`height` attributes. Rows of dark modules are merged into one path, so the markup of an
/// `otpauth://` URI stays at a few kilobytes.
pub fn qr_svg(data: &str) -> Result<String, TotpError> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|_| TotpError::QrTooLong)?;
    let width = code.width();
    let colors = code.to_colors();
    // Four modules of quiet zone on each side (ISO/IEC 18004 §7.3.8).
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (y, row) in colors.chunks(width.max(1)).enumerate() {
        let mut x = 0;
        while x < row.len() {
            if row.get(x) == Some(&qrcode::Color::Dark) {
                let start = x;
                while row.get(x) == Some(&qrcode::Color::Dark) {
                    x += 1;
                }
                // Writing to a String cannot fail.
                let _ = write!(path, "M{} {}h{}v1h-{}z", start + quiet, y + quiet, x - start, x - start);
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}" width="240" height="240" "#,
            r#"shape-rendering="crispEdges" role="img" aria-label="QR code">"#,
            r##"<rect width="{s}" height="{s}" fill="#fff"/><path fill="#000" d="{p}"/></svg>"##
        ),
        s = size,
        p = path
    ))
}

/// The 6-digit code for the time step containing `unix` (seconds since the epoch): what the
/// user's authenticator app shows at that instant.
pub fn code_at(seed: &TotpSeed, unix: i64) -> String {
    code_for_step(seed, step_of(unix).unwrap_or(0), DIGITS)
}

/// Checks `code` at `now_unix` and returns the matched time step, which the caller stores as the
/// new `last_used_step`.
///
/// Accepts the current step and one step either side. Spaces in the code are ignored; anything
/// but exactly six digits is refused. Every step at or before `last_used_step` is refused, so a
/// code works once.
pub fn verify(seed: &TotpSeed, code: &str, now_unix: i64, last_used_step: Option<u64>) -> Option<u64> {
    let code: String = code.chars().filter(|c| *c != ' ').collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now_unix)?;
    let mut matched = None;
    // Every candidate is computed and compared, so timing does not reveal which step matched.
    for step in [current.checked_sub(1), Some(current), current.checked_add(1)].into_iter().flatten() {
        let fresh = last_used_step.is_none_or(|last| step > last);
        let equal = bool::from(code_for_step(seed, step, DIGITS).as_bytes().ct_eq(code.as_bytes()));
        if equal && fresh {
            matched = Some(step);
        }
    }
    matched
}

/// The time step containing `unix`, or `None` before the epoch.
fn step_of(unix: i64) -> Option<u64> {
    u64::try_from(unix.div_euclid(STEP_SECONDS)).ok()
}

/// The HOTP value (RFC 4226) of `step` with `digits` digits, zero-padded.
fn code_for_step(seed: &TotpSeed, step: u64, digits: usize) -> String {
    // The step length is 30 s, the digit count 6 or 8 and the seed at least 128 bits: the
    // parameters totp-rs requires for `generate`, which cannot fail with them.
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(u8::try_from(digits).unwrap_or(6))
        .with_skew(0)
        .with_step_duration(STEP_SECONDS.unsigned_abs())
        .with_secret(seed.0.clone())
        .build_noncompliant();
    totp.generate(step.saturating_mul(STEP_SECONDS.unsigned_abs())).to_string()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_seed() -> TotpSeed {
        TotpSeed::from_bytes(b"12345678901234567890").unwrap()
    }

    /// RFC 6238 Appendix B, SHA-1 rows: (time, 8-digit TOTP).
    const RFC6238_SHA1: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let seed = rfc_seed();
        for (time, expected) in RFC6238_SHA1 {
            let step = step_of(time).unwrap();
            assert_eq!(code_for_step(&seed, step, 8), expected, "8 digits at {time}");
            // 6 digits are the same HOTP value modulo 10^6: the last six digits.
            assert_eq!(code_at(&seed, time), expected[2..], "6 digits at {time}");
        }
    }

    #[test]
    fn rfc4226_appendix_d_hotp_values() {
        // HOTP with counter = step: the first rows of RFC 4226 Appendix D.
        let seed = rfc_seed();
        for (step, expected) in [(0u64, "755224"), (1, "287082"), (2, "359152"), (9, "520489")] {
            assert_eq!(code_for_step(&seed, step, 6), expected);
        }
    }

    #[test]
    fn accepts_the_current_step_and_one_step_of_drift_either_side() {
        let seed = TotpSeed::generate();
        let now = 1_700_000_015; // in the middle of a step
        let current = step_of(now).unwrap();
        for (offset, accepted) in [(-90, false), (-60, false), (-30, true), (0, true), (30, true), (60, false)] {
            let code = code_at(&seed, now + offset);
            let expected = accepted.then(|| step_of(now + offset).unwrap());
            assert_eq!(verify(&seed, &code, now, None), expected, "offset {offset}");
        }
        assert_eq!(verify(&seed, &code_at(&seed, now), now, None), Some(current));
    }

    #[test]
    fn a_step_is_accepted_once_and_earlier_steps_never_again() {
        let seed = TotpSeed::generate();
        let now = 1_700_000_000;
        let code = code_at(&seed, now);
        let step = verify(&seed, &code, now, None).unwrap();
        // the same code, again within its step, and 20 s later
        assert_eq!(verify(&seed, &code, now, Some(step)), None);
        assert_eq!(verify(&seed, &code, now + 20, Some(step)), None);
        // the previous step's code is still within drift but before the last used step
        assert_eq!(verify(&seed, &code_at(&seed, now - 30), now, Some(step)), None);
        // the next step's code works
        let next = code_at(&seed, now + 30);
        assert_eq!(verify(&seed, &next, now + 30, Some(step)), Some(step + 1));
    }

    #[test]
    fn spaces_are_ignored_and_malformed_codes_refused() {
        let seed = rfc_seed();
        let now = 59;
        let code = code_at(&seed, now);
        assert_eq!(code, "287082");
        assert!(verify(&seed, "287 082", now, None).is_some());
        assert!(verify(&seed, " 28 70 82 ", now, None).is_some());
        for bad in
            ["", "28708", "2870820", "28708a", "+87082", "-87082", "２８７０８２", "287\t082", "287-082", "0x1234"]
        {
            assert_eq!(verify(&seed, bad, now, None), None, "{bad:?}");
        }
        // a well-formed but wrong code
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(verify(&seed, &wrong, now, None), None);
        // before the epoch nothing verifies
        assert_eq!(verify(&seed, &code, -100, None), None);
    }

    #[test]
    fn seeds_are_random_160_bit_and_redacted() {
        let a = TotpSeed::generate();
        let b = TotpSeed::generate();
        assert_eq!(a.as_bytes().len(), 20);
        assert_ne!(a, b);
        assert_eq!(a.to_base32().len(), 32);
        assert!(!format!("{a:?}").contains(&a.to_base32()));
        assert!(format!("{a:?}").contains("redacted"));
        assert_eq!(TotpSeed::from_bytes(&[0; 15]), Err(TotpError::SeedTooShort));
        assert_eq!(TotpSeed::from_bytes(a.as_bytes()).unwrap(), a);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        let generated = TotpSeed::generate();
        assert_eq!(TotpSeed::from_base32(&generated.to_base32()).unwrap(), generated);
        // RFC 4648 §10: "foobar"; valid base32 but only 48 bits
        assert_eq!(TotpSeed::from_base32("MZXW6YTBOI======"), Err(TotpError::SeedTooShort));
        assert_eq!(rfc_seed().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let seed = TotpSeed::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(seed, rfc_seed());
        assert_eq!(TotpSeed::from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ"), Err(TotpError::NotBase32));
    }

    #[test]
    fn otpauth_uri_follows_the_key_uri_format() {
        let uri = otpauth_uri(&rfc_seed(), "Acme Co", "alice+2fa@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Co:alice%2B2fa%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30"
        );
        // a colon or ampersand in the issuer cannot break the label or the query
        let uri = otpauth_uri(&rfc_seed(), "A:B&C=D", "x");
        assert!(uri.starts_with("otpauth://totp/A%3AB%26C%3DD:x?"));
        assert!(uri.contains("&issuer=A%3AB%26C%3DD&"));
    }

    #[test]
    fn qr_svg_is_inline_svg_of_the_right_size() {
        let uri = otpauth_uri(&TotpSeed::generate(), "Acme Identity", "alice.long.name@example.com");
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        let code = qrcode::QrCode::new(uri.as_bytes()).unwrap();
        let size = code.width() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
        assert!(svg.len() < 12_000, "{} bytes", svg.len());
        // the number of dark modules drawn equals the code's
        let dark = code.to_colors().iter().filter(|c| **c == qrcode::Color::Dark).count();
        let drawn: usize = svg
            .split('M')
            .skip(1)
            .filter_map(|seg| seg.split('h').nth(1)?.split('v').next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(drawn, dark);
        // drawn back onto a grid, the path gives the same rows as the encoder's own text rendering
        let mut grid = vec![vec!['.'; size]; size];
        for seg in svg.split('M').skip(1) {
            let (xy, rest) = seg.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let run: usize = rest.split('v').next().unwrap().parse().unwrap();
            for cell in &mut grid[y][x..x + run] {
                *cell = '#';
            }
        }
        let rows: Vec<String> =
            grid[4..4 + code.width()].iter().map(|r| r[4..4 + code.width()].iter().collect()).collect();
        assert_eq!(rows.join("\n"), code.to_debug_str('#', '.'));
        assert!(grid[..4].iter().chain(&grid[size - 4..]).all(|r| r.iter().all(|c| *c == '.')), "quiet zone");
        assert_eq!(qr_svg(&"x".repeat(8000)), Err(TotpError::QrTooLong));
    }
}
