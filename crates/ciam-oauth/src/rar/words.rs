//! An authorization details entry in words, for the page where a person approves it: the
//! type's template in the person's language, with amounts and dates written the way that
//! language writes them. The text is plain; the page escapes it.

use ciam_core::FieldError;
use ciam_core::authorization_details::DetailTypeSpec;
use ciam_core::locale::Locale;
use serde_json::{Map, Value};

/// One placeholder of a template.
enum Placeholder<'a> {
    /// `{path}`: the value as text.
    Plain(&'a str),
    /// `{path|amount:currency_path}`.
    Amount(&'a str, &'a str),
    /// `{path|date}`.
    Date(&'a str),
}

/// A template as literal text and placeholders, or why it cannot be one.
fn parse(template: &str) -> Result<Vec<Result<&str, Placeholder<'_>>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (text, after) = rest.split_at(open);
        if !text.is_empty() {
            parts.push(Ok(text));
        }
        let inner_end = after.find('}').ok_or("a `{` is not closed")?;
        let inner = after.get(1..inner_end).unwrap_or_default();
        let placeholder = match inner.split_once('|') {
            None => Placeholder::Plain(inner),
            Some((path, "date")) => Placeholder::Date(path),
            Some((path, filter)) => match filter.strip_prefix("amount:") {
                Some(currency) if valid_path(currency) => Placeholder::Amount(path, currency),
                _ => return Err(format!("unknown filter in {{{inner}}} (amount:<path> or date)")),
            },
        };
        let path = match placeholder {
            Placeholder::Plain(p) | Placeholder::Amount(p, _) | Placeholder::Date(p) => p,
        };
        if !valid_path(path) {
            return Err(format!("{{{inner}}} does not name a field"));
        }
        parts.push(Err(placeholder));
        rest = after.get(inner_end + 1..).unwrap_or_default();
    }
    if rest.contains('}') {
        return Err("a `}` is not opened".into());
    }
    if !rest.is_empty() {
        parts.push(Ok(rest));
    }
    Ok(parts)
}

fn valid_path(path: &str) -> bool {
    !path.is_empty() && path.split('.').all(|s| !s.is_empty() && !s.contains(char::is_whitespace))
}

/// Checks a type's spec as the admin API receives it: the schema compiles, English is among
/// the templates, every template's language is one the pages speak and every placeholder is
/// well formed, and every narrowing path names a field.
pub fn check_spec(spec: &DetailTypeSpec) -> Result<(), FieldError> {
    jsonschema::validator_for(&spec.schema)
        .map_err(|e| FieldError::new("schema", format!("is not a valid JSON Schema: {e}")))?;
    if !spec.templates.contains_key("en") {
        return Err(FieldError::new("templates.en", "is required (other languages fall back to it)"));
    }
    for (lang, template) in &spec.templates {
        if Locale::parse(lang).is_none() {
            return Err(FieldError::new("templates", format!("{lang:?} is not a language of the hosted pages")));
        }
        if template.trim().is_empty() || template.chars().count() > 500 {
            return Err(FieldError::new("templates", format!("the {lang} template must have 1-500 characters")));
        }
        parse(template).map_err(|why| FieldError::new("templates", format!("{lang}: {why}")))?;
    }
    if let Some(path) = spec.narrowing.keys().find(|p| !valid_path(p)) {
        return Err(FieldError::new("narrowing", format!("{path:?} does not name a field")));
    }
    if let Some(rule) = &spec.approval {
        if rule.acr == ciam_core::Acr::Password {
            return Err(FieldError::new("approval.acr", "must be multi_factor or phishing_resistant"));
        }
        if let Some(above) = &rule.above
            && (!valid_path(&above.field) || !above.value.is_finite())
        {
            return Err(FieldError::new("approval.above", "needs a field path and a finite value"));
        }
    }
    Ok(())
}

/// The entry in words in `locale`: the type's template (or the English one), else its fields.
pub fn in_words(entry: &Map<String, Value>, spec: Option<&DetailTypeSpec>, locale: Locale) -> String {
    let template = spec.and_then(|s| s.templates.get(locale.tag()).or_else(|| s.templates.get("en")));
    if let Some(parts) = template.and_then(|t| parse(t).ok()) {
        return parts
            .into_iter()
            .map(|part| match part {
                Ok(text) => text.to_owned(),
                Err(Placeholder::Plain(path)) => lookup(entry, path).map_or_else(|| "–".to_owned(), as_text),
                Err(Placeholder::Amount(path, currency)) => {
                    let amount = lookup(entry, path).map(|v| amount(v, locale)).unwrap_or_else(|| "–".into());
                    match lookup(entry, currency).and_then(Value::as_str) {
                        Some(code) => format!("{amount} {code}"),
                        None => amount,
                    }
                }
                Err(Placeholder::Date(path)) => lookup(entry, path).map_or_else(|| "–".to_owned(), |v| date(v, locale)),
            })
            .collect();
    }
    let fields: Vec<String> =
        entry.iter().filter(|(k, _)| k.as_str() != "type").map(|(k, v)| format!("{k}: {}", as_text(v))).collect();
    format!("{}: {}", entry.get("type").map(as_text).unwrap_or_default(), fields.join("; "))
}

fn lookup<'a>(entry: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = entry.get(parts.next()?)?;
    parts.try_fold(first, |v, key| v.get(key))
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// An amount with the language's digit grouping and decimal mark (`1,234.50`, `1.234,50`).
fn amount(v: &Value, locale: Locale) -> String {
    let raw = as_text(v);
    let (negative, digits) = raw.strip_prefix('-').map_or((false, raw.as_str()), |d| (true, d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return raw;
    }
    let (group, mark) = match locale {
        Locale::De | Locale::Es => (".", ","),
        Locale::Fr => ("\u{202F}", ","),
        Locale::En | Locale::Ar => (",", "."),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}{mark}{frac}") }
}

const MONTHS: [[&str; 12]; 5] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
];

/// A date (`2026-12-07`, or the date of an RFC 3339 time) as the language writes it; anything
/// else as it is.
fn date(v: &Value, locale: Locale) -> String {
    let raw = as_text(v);
    let day_part = raw.get(..10).unwrap_or(&raw);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(d) = time::Date::parse(day_part, format) else { return raw };
    let index = match locale {
        Locale::En => 0,
        Locale::De => 1,
        Locale::Fr => 2,
        Locale::Es => 3,
        Locale::Ar => 4,
    };
    let month =
        MONTHS.get(index).and_then(|m| m.get(usize::from(u8::from(d.month())) - 1)).copied().unwrap_or_default();
    let (day, year) = (d.day(), d.year());
    match locale {
        Locale::De => format!("{day}. {month} {year}"),
        Locale::Es => format!("{day} de {month} de {year}"),
        Locale::En | Locale::Fr | Locale::Ar => format!("{day} {month} {year}"),
    }
}
