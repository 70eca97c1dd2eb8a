#![allow(clippy::indexing_slicing)]

use std::collections::BTreeMap;

use ciam_core::FieldError;
use ciam_core::authorization_details::{AuthorizationDetailType, DetailTypeSpec, Narrowing};
use ciam_core::id::TenantId;
use ciam_core::locale::Locale;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::*;

/// What a test returns: a failed step fails it with the step's error.
type Check = Result<(), Box<dyn std::error::Error>>;

/// A payment type as a bank would register it (RFC 9396 §2's `payment_initiation` example).
fn payment() -> Result<AuthorizationDetailType, FieldError> {
    Ok(AuthorizationDetailType {
        tenant_id: TenantId::parse("acme")?,
        id: "payment_initiation".into(),
        spec: DetailTypeSpec {
            schema: json!({
                "type": "object",
                "required": ["type", "instructedAmount", "creditorName"],
                "properties": {
                    "type": {"const": "payment_initiation"},
                    "actions": {"type": "array", "items": {"enum": ["initiate", "status", "cancel"]}},
                    "instructedAmount": {
                        "type": "object",
                        "required": ["currency", "amount"],
                        "properties": {
                            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                            "amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"}
                        },
                        "additionalProperties": false
                    },
                    "creditorName": {"type": "string", "maxLength": 70},
                    "executionDate": {"type": "string"}
                }
            }),
            narrowing: BTreeMap::from([("instructedAmount.amount".to_owned(), Narrowing::AtMost)]),
            templates: BTreeMap::from([
                (
                    "en".to_owned(),
                    "Pay {instructedAmount.amount|amount:instructedAmount.currency} to {creditorName}".to_owned(),
                ),
                (
                    "de".to_owned(),
                    "{instructedAmount.amount|amount:instructedAmount.currency} an {creditorName} zahlen".to_owned(),
                ),
            ]),
            approval: None,
        },
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
    })
}

fn flight(amount: &str, creditor: &str) -> Value {
    json!({"type": "payment_initiation", "actions": ["initiate", "status"],
           "instructedAmount": {"currency": "EUR", "amount": amount}, "creditorName": creditor})
}

fn refused(r: Result<impl std::fmt::Debug, OAuthError>) -> String {
    let e = match r {
        Err(e) => e,
        Ok(v) => panic!("expected invalid_authorization_details, got {v:?}"),
    };
    assert_eq!(e.code, ErrorCode::InvalidAuthorizationDetails, "{e:?}");
    e.description.into_owned()
}

/// The field a spec that must be refused is refused for.
fn spec_refused(spec: &DetailTypeSpec) -> FieldError {
    match check_spec(spec) {
        Err(e) => e,
        Ok(()) => panic!("the spec should be refused: {spec:?}"),
    }
}

#[test]
fn parsing_takes_arrays_of_typed_objects_and_refuses_the_rest() -> Check {
    let ok = Details::parse(&json!([flight("420.00", "Air Example")]).to_string())?;
    assert_eq!(ok.entries().len(), 1);
    assert_eq!(ok.to_value(), json!([flight("420.00", "Air Example")]));
    let cases: [(String, &str); 9] = [
        ("{}".into(), "must be a JSON array"),
        ("not json".into(), "not JSON"),
        ("[]".into(), "must not be empty"),
        ("[1]".into(), "entry 0 is not an object"),
        (json!([{"actions": ["read"]}]).to_string(), "entry 0 has no type"),
        (json!([{"type": ""}]).to_string(), "entry 0 has no type"),
        (json!([{"type": "t", "actions": "read"}]).to_string(), "actions must be an array of strings"),
        (json!([{"type": "t", "identifier": 7}]).to_string(), "identifier must be a string"),
        (json!([{"type": "t", "creditorName": "Eve\u{202E}lapyap"}]).to_string(), "bidirectional"),
    ];
    for (raw, why) in cases {
        assert!(refused(Details::parse(&raw)).contains(why), "{raw}: {why}");
    }
    let thousand = Value::Array(vec![json!({"type": "t"}); 1000]).to_string();
    assert!(refused(Details::parse(&thousand)).contains("more than 20 entries"));
    let huge = json!([{"type": "t", "note": "x".repeat(MAX_BYTES)}]).to_string();
    assert!(refused(Details::parse(&huge)).contains("larger than"));
    let control = json!([{"type": "t", "note": "line\nbreak"}]).to_string();
    assert!(refused(Details::parse(&control)).contains("control"));
    Ok(())
}

#[test]
fn entries_must_be_of_a_registered_type_and_meet_its_schema() -> Check {
    let types = Types::new(&[payment()?]);
    assert_eq!(types.ids(), ["payment_initiation"]);
    types.check(&Details::from_value(json!([flight("420.00", "Air Example")]))?)?;
    let unknown = refused(types.check(&Details::from_value(json!([{"type": "account_information"}]))?));
    assert!(unknown.contains("\"account_information\" is not supported"), "{unknown}");
    let bad_amount = refused(types.check(&Details::from_value(json!([flight("four hundred", "Air Example")]))?));
    assert!(bad_amount.contains("does not match its schema at /instructedAmount/amount"), "{bad_amount}");
    let mut missing = flight("1", "x");
    missing.as_object_mut().ok_or("an entry is an object")?.remove("creditorName");
    assert!(refused(types.check(&Details::from_value(json!([missing]))?)).contains("does not match its schema"));
    Ok(())
}

#[test]
fn a_request_may_only_narrow_what_was_granted() -> Check {
    let types = Types::new(&[payment()?]);
    let granted = Details::from_value(json!([flight("420.00", "Air Example")]))?;
    let narrower = [
        flight("420.00", "Air Example"),
        flight("420", "Air Example"),
        flight("99.5", "Air Example"),
        json!({"type": "payment_initiation", "actions": ["status"],
               "instructedAmount": {"currency": "EUR", "amount": "1.00"}, "creditorName": "Air Example",
               "executionDate": "2026-12-24"}),
    ];
    for asked in narrower {
        types.narrows(&Details::from_value(json!([asked]))?, &granted).unwrap_or_else(|e| panic!("{asked}: {e:?}"));
    }
    let wider = [
        flight("420.01", "Air Example"),
        flight("1000", "Air Example"),
        flight("420.00", "Someone Else"),
        json!({"type": "payment_initiation", "actions": ["initiate", "cancel"],
               "instructedAmount": {"currency": "EUR", "amount": "1"}, "creditorName": "Air Example"}),
        json!({"type": "payment_initiation", "instructedAmount": {"currency": "EUR", "amount": "1"},
               "creditorName": "Air Example"}),
        json!({"type": "payment_initiation", "actions": ["status"],
               "instructedAmount": {"currency": "USD", "amount": "1"}, "creditorName": "Air Example"}),
        json!({"type": "account_information", "actions": ["read"]}),
    ];
    for asked in wider {
        let why = refused(types.narrows(&Details::from_value(json!([asked]))?, &granted));
        assert!(why.contains("asks for more than was granted"), "{asked}: {why}");
    }
    // Each requested entry needs a granted entry of its own type that covers it.
    let two = Details::from_value(json!([flight("420", "Air Example"), flight("80", "Hotel Example")]))?;
    types.narrows(&Details::from_value(json!([flight("80", "Hotel Example")]))?, &two)?;
    assert!(types.narrows(&two, &Details::from_value(json!([flight("420", "Air Example")]))?).is_err());
    Ok(())
}

#[test]
fn amounts_compare_as_decimals_not_as_text() -> Check {
    let cases = [
        ("9", "10", true),
        ("10", "9", false),
        ("0.5", "0.45", false),
        ("0.45", "0.5", true),
        ("007.50", "7.5", true),
        ("1.", "2", false),
        ("-1", "2", false),
        ("1e3", "2000", false),
    ];
    for (a, g, ok) in cases {
        assert_eq!(at_most(&json!(a), &json!(g)), ok, "{a} <= {g}");
    }
    assert!(at_most(&json!(9.5), &json!(10)));
    assert!(!at_most(&json!(10), &json!("10")), "a number against a string never narrows");
    Ok(())
}

#[test]
fn an_entry_reads_in_the_persons_language() -> Check {
    let t = payment()?;
    let entry = Details::from_value(json!([flight("1234567.5", "Air Example")]))?;
    let entry = &entry.entries()[0];
    assert_eq!(in_words(entry, Some(&t.spec), Locale::En), "Pay 1,234,567.5 EUR to Air Example");
    assert_eq!(in_words(entry, Some(&t.spec), Locale::De), "1.234.567,5 EUR an Air Example zahlen");
    // No French template: the English one, with French numbers.
    assert_eq!(in_words(entry, Some(&t.spec), Locale::Fr), "Pay 1\u{202F}234\u{202F}567,5 EUR to Air Example");
    // Without a type: its fields.
    assert_eq!(
        in_words(entry, None, Locale::En),
        "payment_initiation: actions: initiate, status; creditorName: Air Example; instructedAmount: {\"amount\":\"1234567.5\",\"currency\":\"EUR\"}"
    );
    let mut dated = t.spec.clone();
    dated.templates.insert("en".into(), "On {executionDate|date}: {missing}".into());
    dated.templates.insert("es".into(), "El {executionDate|date}".into());
    dated.templates.insert("ar".into(), "{executionDate|date}".into());
    let on = Details::from_value(json!([{"type": "payment_initiation", "executionDate": "2026-12-24T10:00:00Z"}]))?;
    let on = &on.entries()[0];
    assert_eq!(in_words(on, Some(&dated), Locale::En), "On 24 December 2026: –");
    assert_eq!(in_words(on, Some(&dated), Locale::Es), "El 24 de diciembre de 2026");
    assert_eq!(in_words(on, Some(&dated), Locale::Ar), "24 ديسمبر 2026");
    Ok(())
}

#[test]
fn a_types_spec_is_checked_before_it_is_stored() -> Check {
    let base = payment()?.spec;
    check_spec(&base)?;
    let with = |f: &dyn Fn(&mut DetailTypeSpec)| {
        let mut spec = base.clone();
        f(&mut spec);
        spec_refused(&spec)
    };
    let e = with(&|s| s.schema = json!({"type": "no-such-type"}));
    assert_eq!(e.field, "schema");
    let e = with(&|s| {
        s.templates.remove("en");
    });
    assert_eq!(e.field, "templates.en");
    let e = with(&|s| {
        s.templates.insert("pt".into(), "Pagar".into());
    });
    assert!(e.message.contains("\"pt\""), "{e:?}");
    for bad in ["Pay {amount", "Pay }", "Pay {}", "Pay {a|euros}", "Pay {a|amount:}"] {
        let e = with(&|s| {
            s.templates.insert("en".into(), bad.into());
        });
        assert_eq!(e.field, "templates", "{bad}: {e:?}");
    }
    let e = with(&|s| {
        s.narrowing.insert("a..b".into(), Narrowing::Subset);
    });
    assert_eq!(e.field, "narrowing");
    Ok(())
}

#[test]
fn an_approval_needs_the_highest_level_its_entries_types_ask_for() -> Check {
    use ciam_core::Acr;
    use ciam_core::authorization_details::{ApprovalRule, Threshold};
    let mut t = payment()?;
    let passkey_above_100 = ApprovalRule {
        acr: Acr::PhishingResistant,
        above: Some(Threshold { field: "instructedAmount.amount".into(), value: 100.0 }),
    };
    t.spec.approval = Some(passkey_above_100);
    let types = Types::new(std::slice::from_ref(&t));
    let small = Details::from_value(json!([flight("99.00", "Air Example")]))?;
    let large = Details::from_value(json!([flight("99.00", "Air Example"), flight("420.00", "Air Example")]))?;
    assert_eq!(types.approval_acr(&small), None);
    assert_eq!(types.approval_acr(&large), Some(Acr::PhishingResistant));
    assert_eq!(Types::new(&[payment()?]).approval_acr(&large), None, "a type without a rule asks for nothing more");

    // A rule is checked with the rest of the spec: a password is no step up, a path must name a field.
    let mut spec = t.spec.clone();
    spec.approval = Some(ApprovalRule { acr: Acr::Password, above: None });
    assert!(spec_refused(&spec).field.contains("approval"));
    spec.approval =
        Some(ApprovalRule { acr: Acr::MultiFactor, above: Some(Threshold { field: "no..path".into(), value: 1.0 }) });
    assert!(spec_refused(&spec).field.contains("approval"));
    spec.approval = Some(ApprovalRule { acr: Acr::MultiFactor, above: None });
    check_spec(&spec)?;
    Ok(())
}
