//! The error map: every dialect answers as its standard says, and no cause reaches a body.
use axum::body::to_bytes;

use crate::i18n::{Text, msg};

/// What a page says when the server fails (`error-unavailable` in English).
const UNAVAILABLE: &str = "The service is temporarily unavailable. Try again shortly.";
use super::*;

/// A test that stops at its first failed step.
type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn a_page_that_cannot_be_rendered_is_a_bare_500_page_with_its_cause_for_the_log() -> TestResult {
    let res = unrenderable_page("missing field `brand`");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.headers()[header::CONTENT_TYPE].to_str()?.starts_with("text/html"));
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let cause = internal_of(&res).ok_or("no cause")?;
    assert_eq!((cause.kind, &*cause.message), (FailureKind::Internal, "template: missing field `brand`"));
    let body = body_of(res).await?;
    assert!(body.contains("Something went wrong") && !body.contains("brand"), "{body}");
    Ok(())
}

type Rendered = (StatusCode, axum::http::HeaderMap, serde_json::Value, Option<InternalError>);

async fn render(p: Problem) -> Result<Rendered, Box<dyn std::error::Error>> {
    let res = p.into_response();
    let (parts, body) = res.into_parts();
    let json = serde_json::from_slice(&to_bytes(body, 1 << 16).await?)?;
    let internal = parts.extensions.get::<InternalError>().cloned();
    Ok((parts.status, parts.headers, json, internal))
}

#[tokio::test]
async fn every_kind_maps_to_its_status_and_type_rfc9457() -> TestResult {
    let table = [
        (ProblemKind::BadRequest, 400, "bad-request"),
        (ProblemKind::Unauthorized, 401, "unauthorized"),
        (ProblemKind::Forbidden, 403, "forbidden"),
        (ProblemKind::NotFound, 404, "not-found"),
        (ProblemKind::MethodNotAllowed, 405, "method-not-allowed"),
        (ProblemKind::Conflict, 409, "conflict"),
        (ProblemKind::PayloadTooLarge, 413, "payload-too-large"),
        (ProblemKind::UnsupportedMediaType, 415, "unsupported-media-type"),
        (ProblemKind::Misdirected, 421, "misdirected"),
        (ProblemKind::Validation, 422, "validation"),
        (ProblemKind::Internal, 500, "internal"),
        (ProblemKind::Unavailable, 503, "unavailable"),
    ];
    for (kind, status, slug) in table {
        let (st, headers, json, _) = render(Problem::new(kind, "d")).await?;
        assert_eq!(st.as_u16(), status);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(json["type"], format!("urn:ciam:problem:{slug}"));
        assert_eq!(json["status"], status);
        assert_eq!(json["detail"], "d");
        assert_eq!(headers.contains_key(header::WWW_AUTHENTICATE), status == 401);
        assert_eq!(headers.contains_key(header::RETRY_AFTER), status == 503);
    }
    Ok(())
}

#[tokio::test]
async fn internal_causes_stay_out_of_the_body() -> TestResult {
    let (st, _, json, internal) = render(Problem::internal("db row 7 is garbage")).await?;
    assert_eq!(st, 500);
    assert!(!json.to_string().contains("garbage"));
    assert_eq!(&*internal.ok_or("no cause")?.message, "db row 7 is garbage");

    let io = std::io::Error::other("connection refused");
    let (st, _, json, internal) = render(StoreError::Unavailable(Box::new(io)).into()).await?;
    assert_eq!(st, 503);
    assert!(!json.to_string().contains("refused"));
    let internal = internal.ok_or("no cause")?;
    assert!(internal.store && internal.message.contains("refused"));
    Ok(())
}

#[tokio::test]
async fn oauth_errors_map_to_rfc6749_5_2() -> TestResult {
    use ciam_oauth::{ErrorCode, OAuthError};
    let table = [
        (ErrorCode::InvalidRequest, 400, None),
        (ErrorCode::InvalidClient, 401, None),
        (ErrorCode::InvalidGrant, 400, None),
        (ErrorCode::UnauthorizedClient, 400, None),
        (ErrorCode::UnsupportedGrantType, 400, None),
        (ErrorCode::InvalidScope, 400, None),
        (ErrorCode::InvalidTarget, 400, None),
        (ErrorCode::AuthorizationPending, 400, None),
        (ErrorCode::SlowDown, 400, None),
        (ErrorCode::ExpiredToken, 400, None),
        (ErrorCode::InvalidRequestObject, 400, None),
        (ErrorCode::RequestNotSupported, 400, None),
        (ErrorCode::RequestUriNotSupported, 400, None),
        (ErrorCode::InvalidRequestUri, 400, None),
        (ErrorCode::InvalidAuthorizationDetails, 400, None),
        (ErrorCode::InvalidToken, 401, Some("Bearer error=\"invalid_token\"")),
        (ErrorCode::InsufficientScope, 403, None),
        (ErrorCode::ServerError, 500, None),
        (ErrorCode::TemporarilyUnavailable, 503, None),
    ];
    for (code, status, challenge) in table {
        let res = OAuthFailure(OAuthError::new(code, "why")).into_response();
        let (parts, body) = res.into_parts();
        assert_eq!(parts.status.as_u16(), status, "{code:?}");
        assert_eq!(parts.headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(parts.headers[header::CONTENT_TYPE], "application/json");
        let json: serde_json::Value = serde_json::from_slice(&to_bytes(body, 4096).await?)?;
        assert_eq!(json, serde_json::json!({"error": code.as_str(), "error_description": "why"}));
        match challenge {
            Some(c) => assert!(parts.headers[header::WWW_AUTHENTICATE].to_str()?.starts_with(c)),
            None => assert!(!parts.headers.contains_key(header::WWW_AUTHENTICATE)),
        }
    }
    // RFC 6749 §5.2: a Basic challenge only to a client that tried the Authorization header.
    for (tried_authorization_header, challenged) in [(true, true), (false, false)] {
        let error = OAuthError::invalid_client();
        let res = ClientAuthFailure { error, tried_authorization_header }.into_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let basic = res.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().map(str::to_owned)).transpose()?;
        assert_eq!(basic.is_none(), !challenged);
        assert_eq!(basic.is_some_and(|b| b.starts_with("Basic")), challenged);
    }
    let res = OAuthFailure(OAuthError::server_error("db exploded")).into_response();
    assert_eq!(&*internal_of(&res).ok_or("no cause")?.message, "db exploded");
    assert!(!body_of(res).await?.contains("exploded"));
    Ok(())
}

#[tokio::test]
async fn conflicts_and_validation_name_the_field() -> TestResult {
    let (st, _, json, _) = render(StoreError::Conflict { what: "email" }.into()).await?;
    assert_eq!(st, 409);
    assert_eq!(json["errors"][0]["field"], "email");
    let (st, _, json, _) = render(Problem::invalid(FieldError::new("redirect_uris[0]", "no fragments"))).await?;
    assert_eq!(st, 422);
    assert_eq!(json["errors"][0]["field"], "redirect_uris[0]");
    assert_eq!(json["errors"][0]["message"], "no fragments");
    Ok(())
}

fn internal_of(res: &Response) -> Option<InternalError> {
    res.extensions().get::<InternalError>().cloned()
}

async fn body_of(res: Response) -> Result<String, Box<dyn std::error::Error>> {
    Ok(String::from_utf8(to_bytes(res.into_body(), 1 << 20).await?.to_vec())?)
}

#[test]
fn failures_keep_their_kind_and_cause() -> TestResult {
    let table = [
        (
            StoreError::Unavailable(Box::new(std::io::Error::other("connection refused"))),
            FailureKind::Unavailable,
            "storage backend unavailable: connection refused",
        ),
        (StoreError::Corrupt("row 7".into()), FailureKind::Corrupt, "stored data is invalid: row 7"),
        (StoreError::NotFound, FailureKind::Internal, "not found"),
        (StoreError::Conflict { what: "email" }, FailureKind::Internal, "conflict: email already exists"),
    ];
    for (e, kind, message) in table {
        let f = Failure::from(e);
        assert_eq!(f.kind(), kind);
        assert_eq!(f.to_string(), format!("{}: {message}", kind.as_str()));
        let internal = f.into_internal();
        assert_eq!(internal.store, kind == FailureKind::Unavailable, "only outages count as store errors");
    }
    Ok(())
}

/// What a person sees is the same page whatever the failure (503, "temporarily
/// unavailable"); the log gets the kind and the cause.
#[tokio::test]
async fn page_errors_show_words_and_log_causes() -> TestResult {
    let brand = Brand { color: "#112233".into(), name: "Acme Travel".into(), ..Brand::neutral() };
    let table: [(PageError, u16, &str, Option<FailureKind>); 5] = [
        (PageError::bad_request(Text::verbatim("The form is gone.")), 400, "The form is gone.", None),
        (PageError::forbidden(msg!("error-form-expired")), 403, "The form expired. Go back and try again.", None),
        (PageError::new(StatusCode::NOT_FOUND, msg!("error-unknown-tenant")), 404, "Unknown tenant.", None),
        (
            StoreError::Unavailable(Box::new(std::io::Error::other("refused"))).into(),
            503,
            UNAVAILABLE,
            Some(FailureKind::Unavailable),
        ),
        (StoreError::Corrupt("garbage".into()).into(), 503, UNAVAILABLE, Some(FailureKind::Corrupt)),
    ];
    for (e, status, words, kind) in table {
        let e = e.branded(&brand);
        assert_eq!(e.status().as_u16(), status);
        let res = e.into_response();
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(internal_of(&res).map(|i| i.kind), kind);
        let body = body_of(res).await?;
        assert!(body.contains(words), "{body}");
        assert!(body.contains("Acme Travel"), "in the tenant's branding");
        assert!(!body.contains("refused") && !body.contains("garbage"), "no cause in the page");
    }
    // Without a tenant (an unknown one), the neutral branding; a brand is never replaced.
    let body = body_of(PageError::bad_request(Text::verbatim("x")).into_response()).await?;
    assert!(body.contains("Sign in"));
    let other = Brand { name: "Other".into(), ..brand.clone() };
    let body =
        body_of(PageError::bad_request(Text::verbatim("x")).branded(&brand).branded(&other).into_response()).await?;
    assert!(body.contains("Acme Travel") && !body.contains("Other"));
    Ok(())
}

/// RFC 6749 §4.1.2.1 and RFC 9207: the error, its description, `state` and `iss`, to the
/// verified redirect URI; a `server_error`'s cause only for the log.
#[tokio::test]
async fn error_redirects_carry_error_state_and_issuer_rfc6749_4_1_2_1() -> TestResult {
    use ciam_oauth::authorize::ResponseMode;
    use ciam_oauth::{ErrorCode, OAuthError};
    let redirect = |state: Option<&str>, error| ErrorRedirect {
        redirect_uri: "https://app.example/cb?x=1".into(),
        response_mode: ResponseMode::Query,
        state: state.map(str::to_owned),
        iss: "https://id.example/t/acme".into(),
        error,
        signer: None,
    };
    let res = redirect(Some("s 1"), OAuthError::new(ErrorCode::AccessDenied, "the user denied access")).into_response();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(res.headers()[header::LOCATION].to_str()?)?;
    let q: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    let pairs = [
        ("x", "1"),
        ("error", "access_denied"),
        ("error_description", "the user denied access"),
        ("state", "s 1"),
        ("iss", "https://id.example/t/acme"),
    ];
    assert_eq!(q, pairs.map(|(k, v)| (k.to_owned(), v.to_owned())));
    assert!(internal_of(&res).is_none());

    let res = redirect(None, OAuthError::unavailable("redis down")).into_response();
    let location = res.headers()[header::LOCATION].to_str()?.to_owned();
    assert!(location.contains("error=temporarily_unavailable") && !location.contains("state="));
    assert!(!location.contains("redis"));
    assert_eq!(internal_of(&res).ok_or("no cause")?.kind, FailureKind::Unavailable);

    let page = PageError::from(redirect(None, OAuthError::new(ErrorCode::LoginRequired, "sign in")));
    assert_eq!(page.into_response().status(), StatusCode::SEE_OTHER);
    Ok(())
}

/// JARM: an error in a `jwt` mode is one signed `response` parameter holding the error, `state`
/// and `iss` for the client; without a key it is never sent unsigned.
#[tokio::test]
async fn jwt_mode_error_redirects_are_signed_or_not_sent() -> TestResult {
    use ciam_jose::{Alg, Expect, SigningKey};
    use ciam_oauth::authorize::ResponseMode;
    use ciam_oauth::{ErrorCode, OAuthError};
    let (key, _) = SigningKey::generate(Alg::ES256)?;
    let public = key.public_jwk().clone();
    let now = 1_800_000_000;
    let signer = crate::http::page::ResponseSigner {
        key: std::sync::Arc::new(key),
        issuer: "https://id.example/t/acme".into(),
        client_id: "app".into(),
        now,
    };
    let redirect = |signer| ErrorRedirect {
        redirect_uri: "https://app.example/cb".into(),
        response_mode: ResponseMode::QueryJwt,
        state: Some("s1".into()),
        iss: "https://id.example/t/acme".into(),
        error: OAuthError::new(ErrorCode::AccessDenied, "the user denied access"),
        signer,
    };
    let res = redirect(Some(signer)).into_response();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(res.headers()[header::LOCATION].to_str()?)?;
    let q: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(q.len(), 1, "only the response parameter: {q:?}");
    assert_eq!(q[0].0, "response");
    let expect = Expect {
        typ: "JWT",
        algs: &[Alg::ES256],
        issuer: "https://id.example/t/acme",
        audience: Some("app"),
        now: time::OffsetDateTime::from_unix_timestamp(now)?,
        exp_leeway: 0,
        skew: 0,
    };
    let claims = ciam_jose::verify(&q[0].1, &[public], &expect)?.claims;
    assert_eq!(claims["error"], "access_denied");
    assert_eq!(claims["error_description"], "the user denied access");
    assert_eq!(claims["state"], "s1");
    assert_eq!(claims["exp"].as_i64(), Some(now + ciam_oauth::jarm::RESPONSE_LIFETIME_SECS));

    let res = redirect(None).into_response();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "never an unsigned response in a jwt mode");
    assert!(res.headers().get(header::LOCATION).is_none());
    assert!(internal_of(&res).is_some());
    Ok(())
}

#[tokio::test]
async fn ceremony_errors_are_json_for_the_page_script() -> TestResult {
    let res = CeremonyError::new(StatusCode::UNAUTHORIZED, "That passkey is not registered here.").into_response();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    assert!(internal_of(&res).is_none());
    let json: serde_json::Value = serde_json::from_str(&body_of(res).await?)?;
    assert_eq!(json, serde_json::json!({"error": "That passkey is not registered here."}));

    let res = CeremonyError::from(StoreError::Unavailable(Box::new(std::io::Error::other("refused")))).into_response();
    assert_eq!(res.status(), 503);
    assert_eq!(internal_of(&res).ok_or("no cause")?.kind, FailureKind::Unavailable);
    let body = body_of(res).await?;
    assert!(body.contains("temporarily unavailable") && !body.contains("refused"));

    // A page's refusal keeps its status and words, and its cause for the log.
    let res = CeremonyError::from(PageError::new(StatusCode::NOT_FOUND, msg!("error-unknown-tenant"))).into_response();
    assert_eq!(res.status(), 404);
    assert!(body_of(res).await?.contains("Unknown tenant."));
    let page = PageError::from(StoreError::Corrupt("x".into())).into_response();
    let res = CeremonyError::instead_of(&page, msg!("error-sign-in-refused")).into_response();
    assert_eq!(res.status(), 503);
    assert_eq!(internal_of(&res).ok_or("no cause")?.kind, FailureKind::Corrupt);
    assert!(body_of(res).await?.contains("Sign-in refused."));
    Ok(())
}

/// RFC 6750 §3 and RFC 9449 §7.1: a refused token gets both challenges; `use_dpop_nonce`
/// comes with the nonce (§9); missing scope is 403; a malformed request 400 with `Bearer`.
#[tokio::test]
async fn resource_refusals_challenge_for_bearer_and_dpop_rfc6750_3_rfc9449_7_1() -> TestResult {
    use ciam_oauth::{ErrorCode, OAuthError};
    let algs = ciam_jose::dpop::DPOP_ALGS.join(" ");
    for code in [ErrorCode::InvalidToken, ErrorCode::InvalidDpopProof, ErrorCode::UseDpopNonce] {
        let refusal = ResourceError::new(OAuthError::new(code, "no"));
        assert_eq!(refusal.needs_nonce(), code == ErrorCode::UseDpopNonce);
        let res = refusal.with_nonce("n0nce".into()).into_response();
        assert_eq!(res.status(), 401, "{code:?}");
        let challenges: Vec<&str> =
            res.headers().get_all(header::WWW_AUTHENTICATE).iter().map(|v| v.to_str()).collect::<Result<_, _>>()?;
        let c = code.as_str();
        assert_eq!(challenges, [format!("Bearer error=\"{c}\""), format!("DPoP error=\"{c}\", algs=\"{algs}\"")]);
        assert_eq!(res.headers()["dpop-nonce"], "n0nce");
    }
    let res = ResourceError::new(OAuthError::new(ErrorCode::InsufficientScope, "no")).into_response();
    assert_eq!(res.status(), 403);
    assert!(!res.headers().contains_key(header::WWW_AUTHENTICATE));
    let res = ResourceError::malformed(OAuthError::invalid_request("one header")).into_response();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()[header::WWW_AUTHENTICATE], "Bearer error=\"invalid_request\"");
    let res = ResourceError::new(OAuthError::unavailable("down")).into_response();
    assert_eq!(res.status(), 503);
    assert!(!res.headers().contains_key(header::WWW_AUTHENTICATE));
    Ok(())
}

/// RFC 6585 §4: 429, with `Retry-After` in whole seconds (at least one) when known.
#[tokio::test]
async fn hold_offs_are_429_with_retry_after_rfc6585_4() -> TestResult {
    use std::time::Duration;
    let res = HoldOff::after(Duration::from_millis(1500)).oauth(ciam_oauth::OAuthError::invalid_request("slow"));
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let res =
        HoldOff::after(Duration::from_secs(60)).page(PageError::bad_request(Text::verbatim("wait")).into_response());
    assert_eq!((res.status().as_u16(), res.headers()[header::RETRY_AFTER].to_str()?), (429, "60"));
    let res = HoldOff::unstated().page(PageError::bad_request(Text::verbatim("wait")).into_response());
    assert_eq!(res.status(), 429);
    assert!(!res.headers().contains_key(header::RETRY_AFTER));
    Ok(())
}
