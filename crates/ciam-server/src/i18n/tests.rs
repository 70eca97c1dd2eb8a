//! The catalogues: every language parses, has exactly English's messages with the same
//! arguments and markup, and every message the code and the templates name exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast;

use super::*;

/// A test that stops at its first failed step.
type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The messages of a catalogue: id -> its source text (to compare arguments and markup).
fn messages(locale: Locale, source: &str) -> BTreeMap<String, String> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
        panic!("locales/{locale}/ciam.ftl does not parse: {errors:?}");
    });
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let text = m.value.as_ref().map(|p| format!("{p:?}")).unwrap_or_default();
                assert!(m.value.is_some(), "{locale}: {} has no value", m.id.name);
                assert!(out.insert(m.id.name.to_owned(), text).is_none(), "{locale}: {} twice", m.id.name);
            }
            ast::Entry::Junk { content } => panic!("{locale}: junk in the catalogue: {content}"),
            _ => {}
        }
    }
    out
}

/// `{ $name }` arguments and `<tag` openings of a message (from the parsed pattern's debug
/// form, which names variables as `VariableReference { id: Identifier { name: "x" } }`).
fn shape(pattern: &str) -> (BTreeSet<String>, Vec<String>) {
    let args = pattern
        .split("VariableReference { id: Identifier { name: \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    let mut tags: Vec<String> = pattern
        .split('<')
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect())
        .filter(|t: &String| !t.is_empty())
        .collect();
    tags.sort();
    (args, tags)
}

fn english() -> BTreeMap<String, String> {
    messages(Locale::En, SOURCES[0].1)
}

#[test]
fn every_language_has_exactly_the_english_messages_with_the_same_arguments_and_markup() {
    let en = english();
    assert!(en.len() > 100, "{}", en.len());
    assert_eq!(SOURCES.map(|(l, _)| l), Locale::ALL, "one catalogue per language, in order");
    for (locale, source) in SOURCES.iter().skip(1) {
        let other = messages(*locale, source);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        assert!(extra.is_empty(), "{locale} has ids English lacks: {extra:?}");
        for (id, text) in &en {
            assert_eq!(shape(text), shape(&other[id]), "{locale}: {id} must keep English's arguments and markup");
        }
    }
}

/// Every file under `dir` (recursively) whose name ends with `ext`.
fn files(dir: &Path, ext: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path, ext)?);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
    Ok(out)
}

/// The string literals that follow `marker` in `text`.
fn ids_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.split(marker).skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

/// Ids the templates name: `{{ "id"|t… }}`.
fn template_ids(text: &str) -> Vec<&str> {
    text.split("{{ \"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"'))
        .filter(|(_, after)| after.starts_with("|t"))
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn every_message_the_code_and_the_templates_name_exists_and_every_message_is_used() -> TestResult {
    let en = english();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for file in files(&root.join("src"), ".rs")? {
        // Code, not comments (which show examples).
        let text: String = std::fs::read_to_string(&file)?
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for id in ids_after(&text, "msg!(\"") {
            assert!(en.contains_key(id), "{}: msg!(\"{id}\") is not in locales/en/ciam.ftl", file.display());
            used.insert(id.to_owned());
        }
    }
    let templates = files(&root.join("templates"), ".html")?;
    assert!(templates.len() > 15);
    for file in templates {
        let text = std::fs::read_to_string(&file)?;
        for id in template_ids(&text) {
            assert!(en.contains_key(id), "{}: \"{id}\" is not in locales/en/ciam.ftl", file.display());
            used.insert(id.to_owned());
        }
    }
    let unused: Vec<_> = en.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "messages nothing uses (remove them from every catalogue): {unused:?}");
    Ok(())
}

#[test]
fn every_message_formats_in_every_language_without_errors() {
    let en = english();
    for locale in Locale::ALL {
        for id in en.keys() {
            let pattern = bundle(locale).and_then(|b| b.get_message(id)).and_then(|m| m.value());
            let (Some(bundle), Some(pattern)) = (bundle(locale), pattern) else { panic!("{locale}: {id}") };
            let (args, _) = shape(&en[id]);
            let mut fluent_args = FluentArgs::new();
            for a in &args {
                fluent_args.set(a.as_str(), "x");
            }
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            assert!(errors.is_empty(), "{locale}: {id}: {errors:?}");
            assert!(!text.trim().is_empty(), "{locale}: {id} is empty");
        }
    }
}

#[test]
fn english_mails_read_as_before() {
    let args = [("tenant", "Acme"), ("code", "123456"), ("link", "https://id.example/t/acme/verify?x=1")];
    assert_eq!(
        format!("{}\n", text(Locale::En, msg!("mail-verify-text"), &args)),
        "Your confirmation code is 123456\n\nOr open this link to confirm your address:\n\
         https://id.example/t/acme/verify?x=1\n\nThe code and the link work once, for 24 hours. If you did not create \
         an account at Acme, ignore this message: nothing happens without it.\n"
    );
    assert_eq!(text(Locale::En, msg!("mail-reset-subject"), &args), "Reset your Acme password");
}

#[test]
fn arguments_are_isolated_only_on_right_to_left_pages_and_never_in_mails() {
    let args = [("client", "Acme Web")];
    assert_eq!(text(Locale::Ar, msg!("device-connected"), &args), "تم ربط Acme Web الآن. عُد إلى جهازك.");
    assert_eq!(isolated(Locale::Ar, "a@b.example"), "\u{2068}a@b.example\u{2069}");
    assert_eq!(isolated(Locale::De, "a@b.example"), "a@b.example");
    // Outside a page request: English.
    assert_eq!(current(), Locale::En);
    assert_eq!(tr_with(msg!("device-connected"), &args), "Acme Web is now connected. Return to your device.");
}

#[tokio::test]
async fn the_request_s_preferences_choose_in_order() {
    let prefs = |f: fn(&mut Preferences)| {
        let mut p = Preferences::default();
        f(&mut p);
        p.resolve()
    };
    assert_eq!(prefs(|_| {}), Locale::En);
    assert_eq!(prefs(|p| p.tenant = Some(Locale::Es)), Locale::Es);
    assert_eq!(
        prefs(|p| {
            p.tenant = Some(Locale::Es);
            p.accept = Some(Locale::Fr)
        }),
        Locale::Fr
    );
    assert_eq!(
        prefs(|p| {
            p.accept = Some(Locale::Fr);
            p.picked = Some(Locale::De)
        }),
        Locale::De
    );
    assert_eq!(
        prefs(|p| {
            p.picked = Some(Locale::De);
            p.claim = Some(Locale::Ar)
        }),
        Locale::Ar
    );
    assert_eq!(
        prefs(|p| {
            p.claim = Some(Locale::Ar);
            p.ui_locales = Some(Locale::Fr)
        }),
        Locale::Fr
    );

    let request =
        PageRequest { preferences: Preferences { accept: Some(Locale::Fr), ..Default::default() }, here: None };
    let seen = scope(request, async {
        set_tenant_default(Locale::De);
        let before = current();
        set_ui_locales(Some("pt-BR ja es-MX"));
        let after = tr(msg!("action-continue"));
        (before, after)
    })
    .await;
    assert_eq!(seen, (Locale::Fr, "Continuar".to_owned()));
}

#[test]
fn a_mail_goes_out_in_the_recipient_s_language_else_the_request_s() -> TestResult {
    let mut user = User {
        tenant_id: ciam_core::TenantId::parse("acme")?,
        id: ciam_core::UserId::generate(),
        email: ciam_core::email::Email::parse("ada@example.com")?,
        email_verified: true,
        status: ciam_core::user::UserStatus::Active,
        profile: ciam_core::user::UserProfile { locale: Some("de-AT".into()), ..Default::default() },
        source: ciam_core::user::UserSource::default(),
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        updated_at: time::OffsetDateTime::UNIX_EPOCH,
    };
    assert_eq!(mail_locale(Some(&user), Locale::Fr), Locale::De);
    user.profile.locale = Some("pt-BR".into());
    assert_eq!(mail_locale(Some(&user), Locale::Fr), Locale::Fr, "a language the server does not speak");
    assert_eq!(mail_locale(None, Locale::Es), Locale::Es);
    Ok(())
}
