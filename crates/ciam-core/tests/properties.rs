//! Properties of the parsers and rules every request goes through (docs/standards.md, fuzz
//! targets Z03, Z06, Z12): for any input they never panic, and what they accept keeps its
//! promise. Seeded by proptest's defaults (256 cases each; `PROPTEST_CASES` raises it), so they
//! run in CI on stable Rust; the cargo-fuzz targets in `fuzz/` drive the same functions for
//! longer (docs/contributing.md, "Fuzzing").

use ciam_core::client_metadata::{ClientMetadata, Limits};
use ciam_core::email::Email;
use ciam_core::id::{ClientId, TenantId};
use ciam_core::redirect::{RedirectKind, RedirectUri};
use ciam_core::scope::ScopeSet;
use ciam_core::user::UserProfile;
use proptest::prelude::*;

/// Strings that look like URIs: a scheme, an authority and a path built from the characters
/// that matter to parsers (delimiters, percent signs, brackets, backslashes, non-ASCII).
fn uri_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https"),
        Just("http"),
        Just("HTTPS"),
        Just("com.example.app"),
        Just("javascript"),
        Just("data"),
        Just("file")
    ];
    let host = prop_oneof![
        Just("app.example".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("[::1]".to_owned()),
        Just("localhost".to_owned()),
        Just("APP.example".to_owned()),
        "[a-z0-9.@:\\[\\]\\\\%-]{0,12}",
    ];
    let port = prop_oneof![Just(String::new()), (0u32..70_000).prop_map(|p| format!(":{p}")), Just(":".to_owned())];
    let path = "[/a-zA-Z0-9._~%?=&#@\\\\ é\\[\\]-]{0,16}";
    (scheme, prop_oneof![Just("://"), Just(":/"), Just(":")], host, port, path)
        .prop_map(|(s, sep, h, p, path)| format!("{s}{sep}{h}{p}{path}"))
}

/// A refusal where none was expected, as a failed case.
fn fail(e: &ciam_core::FieldError) -> TestCaseError {
    TestCaseError::fail(format!("{}: {}", e.field, e.message))
}

proptest! {
    /// Z03: a registered URI is the exact string given, serialises back to itself, and is a
    /// kind of target fit for a redirect; it matches a request exactly when the request is the
    /// same string, or (an `http` loopback IP literal) the same URI on another canonical port.
    #[test]
    fn a_redirect_uri_matches_only_itself_or_a_loopback_port(registered in uri_like(), requested in uri_like()) {
        let Ok(uri) = RedirectUri::parse(&registered) else { return Ok(()) };
        prop_assert_eq!(uri.as_str(), registered.as_str());
        prop_assert!(!registered.contains('#') && !registered.contains('\\'));
        let parsed = url::Url::parse(&registered).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.as_str(), registered.as_str());
        prop_assert!(parsed.username().is_empty() && parsed.password().is_none());
        prop_assert!(!matches!(parsed.scheme(), "javascript" | "data" | "file"));
        prop_assert!(uri.matches(&registered));
        if uri.matches(&requested) && requested != registered {
            prop_assert_eq!(uri.kind(), RedirectKind::Loopback);
            let req = url::Url::parse(&requested).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // Written in canonical form, or with the default port written out.
            prop_assert!(req.as_str() == requested || req.port().is_none() && requested.contains(":80/"));
            prop_assert_eq!(req.scheme(), "http");
            prop_assert!(matches!(req.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(req.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback()));
            prop_assert_eq!(req.host(), parsed.host());
            prop_assert_eq!((req.path(), req.query()), (parsed.path(), parsed.query()));
        }
    }

    /// Z03: a loopback registration matches the same URI on any port 1-65535.
    #[test]
    fn a_loopback_redirect_uri_matches_every_port(port in 1u16..=65_535, path in "/[a-z]{0,8}") {
        let uri = RedirectUri::parse(&format!("http://127.0.0.1{path}")).map_err(|e| fail(&e))?;
        let (same, longer, https) = (
            format!("http://127.0.0.1:{port}{path}"),
            format!("http://127.0.0.1:{port}{path}x"),
            format!("https://127.0.0.1:{port}{path}"),
        );
        prop_assert!(uri.matches(&same));
        prop_assert!(!uri.matches(&longer));
        prop_assert!(!uri.matches(&https));
    }

    /// Z06: the `scope` parameter's parser never panics; what it accepts is printed back as the
    /// same set, and narrowing never widens: an intersection is a subset of both sets.
    #[test]
    fn scope_sets_round_trip_and_narrowing_never_widens(a in "[ -~\\t\\n\u{80}-\u{ff}]{0,80}", b in "[a-d ]{0,20}") {
        let Ok(x) = ScopeSet::parse_space_separated(&a) else { return Ok(()) };
        prop_assert_eq!(ScopeSet::parse_space_separated(&x.to_string()).ok(), Some(x.clone()));
        prop_assert!(x.iter().all(|s| !s.is_empty() && s.bytes().all(|c| c > 0x20 && c < 0x7f && c != b'"' && c != b'\\')));
        let y = ScopeSet::parse_space_separated(&b).map_err(|e| fail(&e))?;
        let both = x.intersect(&y);
        prop_assert!(both.is_subset(&x) && both.is_subset(&y));
        prop_assert_eq!(both.is_subset(&x.intersect(&both)), true);
    }

    /// Z12: an address's normal form is a fixed point: the normal form of the normal form is
    /// itself, so two addresses that normalise equal are one account.
    #[test]
    fn an_emails_normal_form_is_stable(local in "[a-zA-Z0-9._%+\u{c0}-\u{24f}\u{391}-\u{3c9}\u{2126}\u{212a}\u{fb00}-\u{fb06}-]{1,20}", domain in "[a-zA-Z\u{c0}-\u{17f}]{1,10}\\.[a-z]{2,4}") {
        let Ok(email) = Email::parse(&format!("{local}@{domain}")) else { return Ok(()) };
        let again = Email::parse(email.normalized()).map_err(|e| fail(&e))?;
        prop_assert_eq!(again.normalized(), email.normalized());
    }

    /// Identifiers and the email check never panic, whatever they are given; an accepted id
    /// prints back as itself.
    #[test]
    fn identifiers_never_panic(s in "\\PC{0,40}") {
        let _ = Email::parse(&s);
        if let Ok(t) = TenantId::parse(&s) { prop_assert_eq!(t.as_str(), s.as_str()); }
        if let Ok(c) = ClientId::parse(&s) { prop_assert_eq!(c.as_str(), s.as_str()); }
    }

    /// Client metadata (RFC 7591) from any JSON object of the fields a registration sends
    /// never panics, and what becomes a client passes the client rules.
    #[test]
    fn client_metadata_never_panics(
        uris in prop::collection::vec(uri_like(), 0..3),
        grants in prop::collection::vec(prop_oneof![Just("authorization_code"), Just("refresh_token"), Just("client_credentials"), Just("implicit")], 0..3),
        method in prop_oneof![Just("none"), Just("client_secret_basic"), Just("private_key_jwt"), Just("tls_client_auth")],
        scope in "[a-z ]{0,20}",
    ) {
        let doc = serde_json::json!({"redirect_uris": uris, "grant_types": grants, "token_endpoint_auth_method": method, "scope": scope, "first_party": true});
        if let Ok(meta) = ClientMetadata::from_json(doc) {
            let tenant = TenantId::parse("acme").map_err(|e| fail(&e))?;
            let scopes = ScopeSet::parse_space_separated("openid email").map_err(|e| fail(&e))?;
            let limits = Limits { confidential: true, scopes: scopes.clone(), fallback_name: "App".into() };
            if let Ok(client) = meta.into_client(&tenant, ClientId::generate(), &limits, time::OffsetDateTime::UNIX_EPOCH) {
                prop_assert!(client.validate().is_ok());
                prop_assert!(!client.first_party, "registration never makes a first-party client");
                prop_assert!(client.scopes.is_subset(&scopes), "never more scope than the limits");
            }
        }
    }

    /// A profile's check never panics and is idempotent.
    #[test]
    fn profile_checks_are_idempotent(name in "\\PC{0,30}", phone in "[+0-9 ]{0,18}", birthdate in "[0-9-]{0,11}", locale in "[a-zA-Z0-9-]{0,12}") {
        let profile = UserProfile {
            name: Some(name),
            phone_number: Some(phone),
            birthdate: Some(birthdate),
            locale: Some(locale),
            ..UserProfile::default()
        };
        if let Ok(checked) = profile.validate() {
            prop_assert_eq!(checked.clone().validate().ok(), Some(checked));
        }
    }
}
