//! Micro-benchmarks of the domain rules on the request path: redirect URI matching, scope set
//! parsing and narrowing, and a resource's scope narrowing. Run with `cargo bench -p ciam-core`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use ciam_core::id::{ResourceId, TenantId};
use ciam_core::redirect::RedirectUri;
use ciam_core::resource::{DEFAULT_RESOURCE_TOKEN_LIFETIME, Resource};
use ciam_core::scope::ScopeSet;
use criterion::{Criterion, criterion_group, criterion_main};
use time::macros::datetime;

fn redirect_uris(c: &mut Criterion) {
    let mut g = c.benchmark_group("redirect_uri");
    let web = RedirectUri::parse("https://app.example/callback").unwrap();
    g.bench_function("exact_https", |b| b.iter(|| black_box(&web).matches(black_box("https://app.example/callback"))));
    g.bench_function("https_mismatch", |b| {
        b.iter(|| black_box(&web).matches(black_box("https://app.example/callback/../evil")))
    });
    // A native app binds an ephemeral port (RFC 8252 §7.3): both URIs are parsed to compare.
    let loopback = RedirectUri::parse("http://127.0.0.1/callback").unwrap();
    g.bench_function("loopback_other_port", |b| {
        b.iter(|| black_box(&loopback).matches(black_box("http://127.0.0.1:51004/callback")))
    });
    // How the authorization endpoint looks a request up: the first registered URI that matches.
    let many: Vec<RedirectUri> =
        (0..20).map(|i| RedirectUri::parse(&format!("https://app{i}.example.com/oauth/callback")).unwrap()).collect();
    g.bench_function("20_registered_match_last", |b| {
        b.iter(|| black_box(&many).iter().any(|u| u.matches(black_box("https://app19.example.com/oauth/callback"))))
    });
    g.finish();
}

fn scopes(c: &mut Criterion) {
    let mut g = c.benchmark_group("scope");
    let registered = "openid profile email offline_access orders:read orders:write trips:read trips:book";
    let requested = "openid profile orders:read";
    g.bench_function("parse_8", |b| b.iter(|| ScopeSet::parse_space_separated(black_box(registered)).unwrap()));
    g.bench_function("parse_3", |b| b.iter(|| ScopeSet::parse_space_separated(black_box(requested)).unwrap()));
    let all = ScopeSet::parse_space_separated(registered).unwrap();
    let some = ScopeSet::parse_space_separated(requested).unwrap();
    g.bench_function("is_subset_3_of_8", |b| b.iter(|| black_box(&some).is_subset(black_box(&all))));
    g.bench_function("intersect_3_8", |b| b.iter(|| black_box(&some).intersect(black_box(&all))));
    // The whole narrowing of a request: parse what was asked, check it against the client.
    g.bench_function("parse_and_check_request", |b| {
        b.iter(|| {
            let asked = ScopeSet::parse_space_separated(black_box(requested)).unwrap();
            asked.is_subset(black_box(&all))
        })
    });
    g.finish();
}

fn resource_scope(c: &mut Criterion) {
    let mut g = c.benchmark_group("resource");
    let when = datetime!(2026-12-01 0:00 UTC);
    let api = Resource {
        tenant_id: TenantId::parse("acme").unwrap(),
        id: ResourceId::parse("trips").unwrap(),
        identifier: "https://trips.example/api".into(),
        name: "Trips".into(),
        scopes: ScopeSet::parse_space_separated("trips:read trips:book trips:cancel").unwrap(),
        access_token_lifetime: DEFAULT_RESOURCE_TOKEN_LIFETIME,
        introspection: None,
        created_at: when,
        updated_at: when,
    };
    let allowed = ScopeSet::parse_space_separated("trips:read trips:book orders:read orders:write").unwrap();
    let requested = ScopeSet::parse_space_separated("trips:read").unwrap();
    g.bench_function("scope_for_requested", |b| {
        b.iter(|| black_box(&api).scope_for(Some(black_box(&requested)), black_box(&allowed)))
    });
    g.bench_function("scope_for_default", |b| b.iter(|| black_box(&api).scope_for(None, black_box(&allowed))));
    g.finish();
}

criterion_group!(benches, redirect_uris, scopes, resource_scope);
criterion_main!(benches);
