//! Micro-benchmarks of SAML on the sign-in path, both ways: issuing a signed response to a SAML
//! app (assertion and response signed, and encrypted too), and checking one as a service
//! provider. RSA-2048 signatures dominate. Run with `cargo bench -p ciam-saml`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use ciam_saml::idp::{Attribute, ResponseParams, issue_response};
use ciam_saml::{Expected, NAMEID_PERSISTENT, SamlKey, verify_response};
use criterion::{Criterion, criterion_group, criterion_main};
use time::{Duration, OffsetDateTime};

const IDP: &str = "https://id.example.com/t/acme";
const SP: &str = "https://wiki.example.com/saml";
const ACS: &str = "https://wiki.example.com/saml/acs";

fn params<'a>(now: OffsetDateTime, attributes: &'a [Attribute], encrypt_to: Option<&'a [u8]>) -> ResponseParams<'a> {
    ResponseParams {
        idp_entity_id: IDP,
        sp_entity_id: SP,
        acs_url: ACS,
        in_response_to: Some("_req1"),
        name_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        name_id_format: NAMEID_PERSISTENT,
        session_index: "s-1",
        authn_instant: now,
        authn_context_class_ref: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        attributes,
        now,
        lifetime: Duration::minutes(5),
        session_not_on_or_after: None,
        response_id: "_resp1",
        assertion_id: "_assert1",
        sign_assertion: true,
        sign_response: true,
        encrypt_to,
    }
}

fn saml(c: &mut Criterion) {
    let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let idp = SamlKey::generate(IDP, now).unwrap();
    let sp = SamlKey::generate(SP, now).unwrap();
    let sp_cert = sp.certificate_der().unwrap();
    let attributes = vec![Attribute {
        name: "urn:oid:0.9.2342.19200300.100.1.3".into(),
        name_format: Some("urn:oasis:names:tc:SAML:2.0:attrname-format:uri".into()),
        friendly_name: Some("mail".into()),
        values: vec!["ada@example.com".into()],
    }];
    c.bench_function("saml_issue_signed_response", |b| {
        b.iter(|| issue_response(black_box(&params(now, &attributes, None)), &idp).unwrap());
    });
    c.bench_function("saml_issue_signed_encrypted_response", |b| {
        b.iter(|| issue_response(black_box(&params(now, &attributes, Some(&sp_cert))), &idp).unwrap());
    });
    let response = issue_response(&params(now, &attributes, None), &idp).unwrap();
    let certificates = vec![idp.certificate_der().unwrap()];
    let expected = Expected {
        idp_entity_id: IDP,
        certificates: &certificates,
        sp_entity_id: SP,
        acs_url: ACS,
        in_response_to: Some("_req1"),
        now,
        decryption_key_pem: None,
    };
    c.bench_function("saml_verify_signed_response", |b| {
        b.iter(|| verify_response(black_box(&response), &expected).unwrap());
    });
}

criterion_group!(benches, saml);
criterion_main!(benches);
