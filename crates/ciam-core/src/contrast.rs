//! Colour contrast as WCAG 2.x measures it: the relative luminance of an sRGB colour and the
//! contrast ratio of two colours (WCAG 2.2, "contrast ratio" and "relative luminance"). The hosted
//! pages draw white text on the tenant's primary colour and use that colour for links and focus
//! outlines on white, so a primary colour is accepted only when white text on it is readable.

/// The least contrast ratio of normal-size text and its background at level AA (WCAG 2.2
/// success criterion 1.4.3). A ratio is compared unrounded: 4.499:1 fails.
pub const AA_TEXT: f64 = 4.5;

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// White, the text colour of the hosted pages' primary buttons.
    pub const WHITE: Self = Self(255, 255, 255);

    /// Parses `#rrggbb` (either case); anything else is `None`.
    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
        Some(Self(channel(0)?, channel(2)?, channel(4)?))
    }

    /// The relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        // WCAG 2.2 uses the sRGB threshold 0.04045 (earlier texts said 0.03928; no 8-bit value
        // lies between the two, so the results are the same).
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The contrast ratio of two colours, 1 (none) to 21 (black on white); symmetric.
    pub fn contrast(self, other: Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

/// A ratio as contrast checkers show it, rounded to two decimals (`4.48:1`), except that a ratio
/// below [`AA_TEXT`] is never shown as `4.50:1`: it is cut to `4.49:1`.
pub fn format_ratio(ratio: f64) -> String {
    let rounded = (ratio * 100.0).round() / 100.0;
    let shown = if ratio < AA_TEXT && rounded >= AA_TEXT { (ratio * 100.0).floor() / 100.0 } else { rounded };
    format!("{shown:.2}:1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio_on_white(hex: &str) -> f64 {
        Rgb::from_hex(hex).unwrap().contrast(Rgb::WHITE)
    }

    #[test]
    fn ratios_match_known_values() {
        assert_eq!(format_ratio(ratio_on_white("#767676")), "4.54:1");
        assert_eq!(format_ratio(ratio_on_white("#777777")), "4.48:1");
        assert!(ratio_on_white("#767676") >= AA_TEXT, "the lightest grey that passes AA on white");
        assert!(ratio_on_white("#777777") < AA_TEXT);
        assert_eq!(format_ratio(ratio_on_white("#000000")), "21.00:1");
        assert_eq!(format_ratio(ratio_on_white("#FFFFFF")), "1.00:1");
        assert_eq!(format_ratio(ratio_on_white("#0000ff")), "8.59:1");
        assert_eq!(format_ratio(ratio_on_white("#ff0000")), "4.00:1");
        assert!(ratio_on_white("#ff0000") < AA_TEXT, "pure red on white fails, just");
        // The hosted pages' default primary colour.
        assert_eq!(format_ratio(ratio_on_white("#2456d3")), "6.27:1");
        let (a, b) = (Rgb::from_hex("#1d2330").unwrap(), Rgb::from_hex("#f5f6f8").unwrap());
        assert_eq!(a.contrast(b), b.contrast(a), "symmetric");
    }

    #[test]
    fn only_six_digit_hex_colours_parse() {
        assert_eq!(Rgb::from_hex("#0A7cFf"), Some(Rgb(0x0a, 0x7c, 0xff)));
        for bad in ["", "#", "red", "#fff", "0a7cff", "#0a7cff0", "#0a7cfg", "#+a7cff", "#0a7cf\u{e9}"] {
            assert_eq!(Rgb::from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_failing_ratio_never_shows_as_passing() {
        assert_eq!(format_ratio(4.4999), "4.49:1");
        assert_eq!(format_ratio(4.5), "4.50:1");
        assert_eq!(format_ratio(4.506), "4.51:1");
        assert_eq!(format_ratio(2.994), "2.99:1");
    }
}
