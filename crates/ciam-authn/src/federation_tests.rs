use ciam_core::federation::{ProviderConfig, ProviderKind};
use serde_json::{Map, Value, json};

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const NOW: i64 = 1_800_000_000;

fn config(extra: Value) -> Result<ProviderConfig, serde_json::Error> {
    let mut base = json!({
        "kind": "oidc", "display_name": "Corp", "issuer": "https://idp.corp.example", "client_id": "ciam",
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
        b.extend(e);
    }
    serde_json::from_value(base)
}

fn claims(extra: Value) -> Map<String, Value> {
    let mut c = json!({
        "iss": "https://idp.corp.example", "aud": "ciam", "sub": "u-1", "exp": NOW + 300, "iat": NOW,
        "nonce": "n-1", "email": "Ada@Corp.Example", "email_verified": true, "name": "Ada",
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut c, extra) {
        b.extend(e);
    }
    match c {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn check(config: &ProviderConfig, issuer: &str, claims: &Map<String, Value>) -> Result<UpstreamAccount, UpstreamError> {
    check_id_token(claims, &Expected { config, issuer, nonce: "n-1", now: NOW })
}

#[test]
fn id_token_claims_are_checked() -> TestResult {
    let c = config(json!({}))?;
    let issuer = c.issuer.clone();
    let ok = check(&c, &issuer, &claims(json!({})))?;
    assert_eq!(ok.subject, "u-1");
    assert_eq!(ok.email.as_ref().map(|e| e.normalized()), Some("ada@corp.example"));
    assert!(ok.email_verified);
    assert_eq!(ok.amr, [Amr::Fed]);
    assert_eq!(ok.profile.name.as_deref(), Some("Ada"));
    let cases = [
        (json!({"iss": "https://evil.example"}), UpstreamError::Issuer),
        (json!({"iss": null}), UpstreamError::Issuer),
        (json!({"aud": "other"}), UpstreamError::Audience),
        (json!({"aud": ["ciam", "other"]}), UpstreamError::Audience),
        (json!({"azp": "other"}), UpstreamError::Audience),
        (json!({"exp": NOW - CLOCK_SKEW_SECS}), UpstreamError::Expired),
        (json!({"exp": null}), UpstreamError::Expired),
        (json!({"iat": NOW + CLOCK_SKEW_SECS + 1}), UpstreamError::IssuedAt),
        (json!({"nonce": "n-2"}), UpstreamError::Nonce),
        (json!({"nonce": null}), UpstreamError::Nonce),
        (json!({"sub": ""}), UpstreamError::Subject),
        (json!({"sub": 42}), UpstreamError::Subject),
    ];
    for (change, want) in cases {
        assert_eq!(check(&c, &issuer, &claims(change.clone())).err(), Some(want), "{change}");
    }
    // Several audiences are fine when `azp` names this client.
    assert!(check(&c, &issuer, &claims(json!({"aud": ["ciam", "api"], "azp": "ciam"}))).is_ok());
    Ok(())
}

#[test]
fn preset_issuer_rules() -> TestResult {
    let google = config(json!({"kind": "google", "issuer": "https://accounts.google.com"}))?;
    let plain = claims(json!({"iss": "accounts.google.com"}));
    assert!(check(&google, "https://accounts.google.com", &plain).is_ok());
    // Microsoft's multi-tenant issuer takes the token's own directory id.
    let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
    let ms = config(json!({"kind": "microsoft", "issuer": "https://login.microsoftonline.com/common/v2.0"}))?;
    let good = claims(json!({"iss": "https://login.microsoftonline.com/t-1/v2.0", "tid": "t-1"}));
    assert!(check(&ms, template, &good).is_ok());
    let other = claims(json!({"iss": "https://login.microsoftonline.com/t-2/v2.0", "tid": "t-1"}));
    assert_eq!(check(&ms, template, &other).err(), Some(UpstreamError::Issuer));
    let odd = claims(json!({"iss": "https://login.microsoftonline.com/x/y/v2.0", "tid": "x/y"}));
    assert_eq!(check(&ms, template, &odd).err(), Some(UpstreamError::Issuer));
    let only_t2 = config(json!({"kind": "microsoft", "issuer": "https://login.microsoftonline.com/common/v2.0",
        "allowed_tenants": ["t-2"]}))?;
    assert_eq!(check(&only_t2, template, &good).err(), Some(UpstreamError::Directory));
    assert_eq!(ms.kind, ProviderKind::Microsoft);
    Ok(())
}

#[test]
fn upstream_mfa_counts_only_when_trusted() -> TestResult {
    let with_mfa = claims(json!({"amr": ["pwd", "mfa"]}));
    let acr_gold = claims(json!({"acr": "gold"}));
    let untrusted = config(json!({}))?;
    assert_eq!(upstream_amr(&with_mfa, &untrusted), [Amr::Fed]);
    let trusted = config(json!({"trust_mfa": true, "mfa_acr_values": ["gold"]}))?;
    assert_eq!(upstream_amr(&with_mfa, &trusted), [Amr::Fed, Amr::Mfa]);
    assert_eq!(upstream_amr(&acr_gold, &trusted), [Amr::Fed, Amr::Mfa]);
    assert_eq!(upstream_amr(&claims(json!({})), &trusted), [Amr::Fed]);
    Ok(())
}

#[test]
fn claims_are_mapped_and_bad_values_left_out() -> TestResult {
    let c = config(json!({"claim_mapping": {"nickname": "login", "name": "displayName"}}))?;
    let p = mapped_profile(
        &claims(json!({"login": "ada", "displayName": "Ada L.", "picture": "http://insecure/p.png",
            "given_name": "Ada", "locale": "fr"})),
        &c,
    );
    assert_eq!(p.nickname.as_deref(), Some("ada"));
    assert_eq!(p.name.as_deref(), Some("Ada L."));
    assert_eq!(p.given_name.as_deref(), Some("Ada"));
    assert_eq!(p.locale.as_deref(), Some("fr"));
    assert_eq!(p.picture, None);
    // A string "true" counts as verified; anything else does not.
    assert!(account("s", &claims(json!({"email_verified": "true"})), &c).email_verified);
    assert!(!account("s", &claims(json!({"email_verified": "yes"})), &c).email_verified);
    assert_eq!(account("s", &claims(json!({"email": "not an address"})), &c).email, None);
    Ok(())
}

#[test]
fn linking_never_takes_over_an_account() -> TestResult {
    let ada = UserId::generate();
    let bob = UserId::generate();
    let trusted = config(json!({"trusted_email_domains": ["corp.example"], "create_users": true}))?;
    let untrusted = config(json!({"create_users": true}))?;
    let closed = config(json!({}))?;
    let only_corp = config(json!({"allowed_domains": ["corp.example"], "create_users": true}))?;
    let verified = account("s", &claims(json!({})), &closed);
    let unverified = account("s", &claims(json!({"email_verified": false})), &closed);
    let elsewhere = account("s", &claims(json!({"email": "ada@other.example"})), &closed);
    let no_email = account("s", &claims(json!({"email": null})), &closed);
    let cases = [
        // (provider, account, linked, same email) -> resolution
        (&closed, &verified, Some(ada), Some(bob), Resolution::SignIn(ada)),
        (&trusted, &verified, None, Some(ada), Resolution::AutoLink(ada)),
        (&trusted, &unverified, None, Some(ada), Resolution::ProveExisting(ada)),
        (&untrusted, &verified, None, Some(ada), Resolution::ProveExisting(ada)),
        (&trusted, &elsewhere, None, Some(ada), Resolution::ProveExisting(ada)),
        (&untrusted, &verified, None, None, Resolution::Create),
        (&closed, &verified, None, None, Resolution::Refuse(Refusal::NoAccount)),
        (&untrusted, &no_email, None, None, Resolution::Refuse(Refusal::NoEmail)),
        (&only_corp, &elsewhere, Some(ada), None, Resolution::Refuse(Refusal::DomainNotAllowed)),
        (&only_corp, &no_email, None, None, Resolution::Refuse(Refusal::DomainNotAllowed)),
        (&only_corp, &verified, None, None, Resolution::Create),
    ];
    for (i, (config, account, linked, same_email, want)) in cases.into_iter().enumerate() {
        assert_eq!(resolve(LinkFacts { config, account, linked, same_email }), want, "case {i}");
    }
    Ok(())
}

#[test]
fn github_accounts_are_found_by_id_with_a_verified_address() -> TestResult {
    let c = config(json!({"kind": "github", "issuer": "https://github.com"}))?;
    let mut user = json!({"id": 583231, "login": "octocat", "name": "The Octocat", "email": "public@octo.example",
                          "avatar_url": "https://avatars.example/u/583231", "blog": ""})
    .as_object()
    .cloned()
    .unwrap_or_default();
    let emails = [
        json!({"email": "old@octo.example", "verified": true, "primary": false}),
        json!({"email": "main@octo.example", "verified": true, "primary": true}),
        json!({"email": "new@octo.example", "verified": false, "primary": false}),
    ];
    let a = github_account(&user, &emails, &c)?;
    assert_eq!(a.subject, "583231");
    assert_eq!(a.email.as_ref().map(|e| e.as_str()), Some("main@octo.example"));
    assert!(a.email_verified);
    assert_eq!(a.profile.nickname.as_deref(), Some("octocat"));
    assert_eq!(a.profile.picture.as_deref(), Some("https://avatars.example/u/583231"));
    assert_eq!(a.profile.website, None, "an empty blog is no website");
    // No verified address: the public one, unverified (so it never links by itself).
    let a = github_account(&user, &[json!({"email": "x@octo.example", "verified": false, "primary": true})], &c)?;
    assert_eq!(a.email.as_ref().map(|e| e.as_str()), Some("public@octo.example"));
    assert!(!a.email_verified);
    user.remove("id");
    assert_eq!(github_account(&user, &emails, &c).err(), Some(UpstreamError::Subject));
    Ok(())
}

#[test]
fn apple_sends_the_name_once() {
    let named = apple_first_sign_in_name(Some(
        r#"{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"x@privaterelay.appleid.com"}"#,
    ));
    assert_eq!(named.get("name"), Some(&json!("Ada Lovelace")));
    assert_eq!(named.get("given_name"), Some(&json!("Ada")));
    assert_eq!(named.get("family_name"), Some(&json!("Lovelace")));
    assert!(apple_first_sign_in_name(None).is_empty());
    assert!(apple_first_sign_in_name(Some("not json")).is_empty());
    assert_eq!(apple_first_sign_in_name(Some(r#"{"name":{"firstName":" Ada "}}"#)).get("name"), Some(&json!("Ada")));
}

#[test]
fn saml_assertions_give_a_stable_subject_and_an_address() -> TestResult {
    use std::collections::BTreeMap;
    let c = config(json!({"kind": "saml", "issuer": "https://idp.corp.example/saml", "client_id": "",
        "saml_metadata": "<x/>", "trusted_email_domains": ["corp.example"], "trust_mfa": true,
        "mfa_acr_values": ["urn:oasis:names:tc:SAML:2.0:ac:classes:X509"], "claim_mapping": {"name": "displayName"}}))?;
    let attrs: BTreeMap<String, Vec<String>> = [
        ("mail".to_owned(), vec!["Nina@Corp.Example".to_owned()]),
        ("displayName".to_owned(), vec!["Nina".to_owned(), "ignored".to_owned()]),
    ]
    .into();
    let persistent = Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
    let a = saml_account("n-1", persistent, &attrs, Some("urn:oasis:names:tc:SAML:2.0:ac:classes:X509"), &c)?;
    assert_eq!(a.subject, "n-1");
    assert_eq!(a.email.as_ref().map(|e| e.normalized()), Some("nina@corp.example"));
    assert!(a.email_verified, "a trusted domain");
    assert_eq!(a.profile.name.as_deref(), Some("Nina"));
    assert_eq!(a.amr, [Amr::Fed, Amr::Mfa]);
    let email_format = Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    let b = saml_account("bob@other.example", email_format, &BTreeMap::new(), None, &c)?;
    assert_eq!(b.email.as_ref().map(|e| e.as_str()), Some("bob@other.example"));
    assert!(!b.email_verified, "not a trusted domain");
    let transient = Some("urn:oasis:names:tc:SAML:2.0:nameid-format:transient");
    assert_eq!(saml_account("t-1", transient, &attrs, None, &c).err(), Some(UpstreamError::Subject));
    Ok(())
}
