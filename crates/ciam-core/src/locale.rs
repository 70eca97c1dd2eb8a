//! The languages of the hosted pages and mails, and how a request's language is chosen from
//! language tags (BCP 47): `ui_locales`, a user's `locale` claim, `Accept-Language`.

use std::fmt;

/// A language the hosted pages and mails are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English, the source language.
    #[default]
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Arabic (written right to left).
    Ar,
}

impl Locale {
    /// Every supported language, English first (the order of the language switcher and of
    /// `ui_locales_supported`).
    pub const ALL: [Self; 5] = [Self::En, Self::De, Self::Fr, Self::Es, Self::Ar];

    /// The language tag: `en`, `de`, `fr`, `es`, `ar`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::Ar => "ar",
        }
    }

    /// The language's name in itself, as the language switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::Es => "Español",
            Self::Ar => "العربية",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Self::Ar)
    }

    /// The value of the HTML `dir` attribute: `rtl` or `ltr`.
    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// A supported language named exactly by its tag (`de`, case-insensitive); `None` otherwise.
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The supported language a BCP 47 tag asks for, by its primary language subtag: `de-AT`
    /// and `de` are German, `pt-BR` is none of ours.
    pub fn matching(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::parse(primary)
    }

    /// The first supported language of a list in order of preference (OIDC `ui_locales`: tags
    /// separated by spaces).
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        tags.into_iter().find_map(Self::matching)
    }

    /// The supported language an `Accept-Language` header (RFC 9110 §12.5.4) prefers most: by
    /// quality (`q`), then in the order given; `*` and `q=0` choose nothing.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranges: Vec<(u16, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, range)| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                    .next()
                    .map_or(Some(1000), quality)?;
                (q > 0 && !tag.is_empty() && tag != "*").then_some((q, i, tag))
            })
            .collect();
        // Highest quality first; equal qualities keep the header's order.
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.into_iter().find_map(|(_, _, tag)| Self::matching(tag))
    }
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; `None` for anything else.
fn quality(q: &str) -> Option<u16> {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    let q = whole + thousandths;
    (q <= 1000).then_some(q)
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_exactly_and_match_by_primary_subtag() {
        assert_eq!(Locale::parse("de"), Some(Locale::De));
        assert_eq!(Locale::parse("AR"), Some(Locale::Ar));
        assert_eq!(Locale::parse("de-AT"), None, "parse names a supported tag exactly");
        assert_eq!(Locale::parse("pt"), None);
        assert_eq!(Locale::matching("de-AT"), Some(Locale::De));
        assert_eq!(Locale::matching("fr_CA"), Some(Locale::Fr));
        assert_eq!(Locale::matching("es-419"), Some(Locale::Es));
        assert_eq!(Locale::matching("pt-BR"), None);
        assert_eq!(Locale::matching(""), None);
        assert_eq!(Locale::first_of("pt-BR ja fr-CA de".split(' ')), Some(Locale::Fr));
        assert_eq!(Locale::first_of("pt-BR ja".split(' ')), None);
    }

    #[test]
    fn accept_language_is_read_by_quality_then_order() {
        assert_eq!(Locale::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), Some(Locale::Fr));
        assert_eq!(Locale::from_accept_language("en;q=0.5, de"), Some(Locale::De), "q=1 by default");
        assert_eq!(Locale::from_accept_language("ja, ar;q=0.3, es;q=0.3"), Some(Locale::Ar), "ties keep the order");
        assert_eq!(Locale::from_accept_language("de;q=0, fr;q=0.1"), Some(Locale::Fr), "q=0 is not acceptable");
        assert_eq!(Locale::from_accept_language("ja, zh-CN;q=0.8, *"), None);
        assert_eq!(Locale::from_accept_language("de;q=2, es;q=banana, fr;q=0.5"), Some(Locale::Fr), "bad q skipped");
        assert_eq!(Locale::from_accept_language(""), None);
    }

    #[test]
    fn direction_and_names() {
        assert_eq!(Locale::Ar.dir(), "rtl");
        assert!(Locale::ALL.iter().filter(|l| l.is_rtl()).eq([&Locale::Ar]));
        assert_eq!(Locale::En.dir(), "ltr");
        assert_eq!(Locale::Fr.native_name(), "Français");
        assert_eq!(Locale::default(), Locale::En);
    }
}
