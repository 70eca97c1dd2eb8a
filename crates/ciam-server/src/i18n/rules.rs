//! A refused value's reason in the reader's language: the common rules of the engine
//! ([`ciam_core::Rule`]) have messages here; any other refusal keeps the engine's English.

use ciam_core::{FieldError, Rule, Unit};

use super::{Msg, msg, tr_with};

/// Why `e`'s value was refused, in the language of the request being answered.
pub(crate) fn refusal(e: &FieldError) -> String {
    e.rule.map_or_else(
        || e.message.to_string(),
        |rule| {
            let (id, args) = message(rule);
            let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
            tr_with(id, &args)
        },
    )
}

/// The message that says `rule`, with its arguments.
fn message(rule: Rule) -> (Msg, Vec<(&'static str, String)>) {
    let id = match rule {
        Rule::Required => msg!("field-required"),
        Rule::TooLong { max } => return (msg!("field-too-long"), vec![("max", max.to_string())]),
        Rule::ControlCharacters => msg!("field-control-characters"),
        Rule::BidiCharacters => msg!("field-bidi-characters"),
        Rule::Between { min, max, unit } => {
            let id = match unit {
                Unit::Number => msg!("field-between"),
                Unit::Seconds => msg!("field-between-seconds"),
                Unit::Days => msg!("field-between-days"),
            };
            return (id, vec![("min", min.to_string()), ("max", max.to_string())]);
        }
        Rule::HttpsUrl => msg!("field-https-url"),
        Rule::Colour => msg!("field-colour"),
        Rule::SignInMethod => msg!("field-sign-in-method"),
        Rule::DomainName => msg!("field-domain-name"),
        Rule::LanguageTag => msg!("claim-invalid-locale"),
        Rule::Birthdate => msg!("claim-invalid-birthdate"),
        Rule::PhoneNumber => msg!("claim-invalid-phone-number"),
        Rule::ScopeToken => msg!("field-scope-token"),
        Rule::RedirectNotHttps => msg!("field-redirect-not-https"),
        Rule::RedirectFragment => msg!("field-redirect-fragment"),
        Rule::RedirectWildcard => msg!("field-redirect-wildcard"),
        Rule::RedirectNotAbsolute => msg!("field-redirect-not-absolute"),
    };
    (id, vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, text};

    /// One of every rule.
    const RULES: [Rule; 19] = [
        Rule::Required,
        Rule::TooLong { max: 200 },
        Rule::ControlCharacters,
        Rule::BidiCharacters,
        Rule::Between { min: 8, max: 64, unit: Unit::Number },
        Rule::Between { min: 30, max: 3600, unit: Unit::Seconds },
        Rule::Between { min: 7, max: 730, unit: Unit::Days },
        Rule::HttpsUrl,
        Rule::Colour,
        Rule::SignInMethod,
        Rule::DomainName,
        Rule::LanguageTag,
        Rule::Birthdate,
        Rule::PhoneNumber,
        Rule::ScopeToken,
        Rule::RedirectNotHttps,
        Rule::RedirectFragment,
        Rule::RedirectWildcard,
        Rule::RedirectNotAbsolute,
    ];

    #[test]
    fn every_rule_says_the_apis_english_and_is_translated() {
        for rule in RULES {
            let (id, args) = message(rule);
            let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let english = text(Locale::En, id, &args);
            assert_eq!(english, rule.to_string(), "the console's English is the API's");
            for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
                let said = text(locale, id, &args);
                assert_ne!(said, english, "{rule:?} in {locale}");
                for (_, v) in &args {
                    assert!(said.contains(v), "{rule:?} in {locale} names {v}: {said}");
                }
            }
        }
    }

    #[test]
    fn a_refusal_without_a_rule_keeps_its_words() {
        let e = FieldError::new("jwks", "must hold 1-10 keys");
        assert_eq!(refusal(&e), "must hold 1-10 keys");
    }
}
