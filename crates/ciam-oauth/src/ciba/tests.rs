use ciam_core::client::{AuthMethod, Backchannel, ClientType, DeliveryMode, GrantType};
use ciam_core::id::ClientId;

use super::*;
use crate::device::{DeviceDecision, Polling};

const NOW: i64 = 1_796_000_000;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn client(mode: DeliveryMode) -> Client {
    let mut c = crate::device::tests::client(&[GrantType::Ciba]);
    c.client_type = ClientType::Confidential;
    c.token_endpoint_auth_method = AuthMethod::PrivateKeyJwt;
    let endpoint = (mode == DeliveryMode::Ping).then(|| "https://agent.example/cb".to_owned());
    c.backchannel = Some(Backchannel { token_delivery_mode: mode, client_notification_endpoint: endpoint });
    c
}

fn ask(mode: DeliveryMode, form: &str) -> Result<Asked, OAuthError> {
    validate_request(&client(mode), &Params::parse(form.as_bytes())?, NOW)
}

/// The error code of a refusal; `None` for a request that was accepted.
fn code(r: Result<Asked, OAuthError>) -> Option<ErrorCode> {
    r.err().map(|e| e.code)
}

#[test]
fn a_request_names_one_user_and_asks_for_openid_within_the_clients_scope() -> TestResult {
    let asked = ask(DeliveryMode::Poll, "scope=openid+repo%3Aread&login_hint=ada%40example.com")?;
    assert_eq!(asked.hint, Hint::Login("ada@example.com".into()));
    assert_eq!(asked.request.scope, "openid repo:read");
    assert_eq!(asked.request.expires_at, NOW + DEFAULT_EXPIRY);
    assert_eq!(asked.request.mode, DeliveryMode::Poll);
    assert!(asked.request.notification_token.is_none());
    let by_token = ask(DeliveryMode::Poll, "scope=openid&id_token_hint=eyJ.x.y")?;
    assert_eq!(by_token.hint, Hint::IdToken("eyJ.x.y".into()));

    let cases: &[(&str, ErrorCode)] = &[
        ("login_hint=ada", ErrorCode::InvalidRequest),
        ("scope=profile&login_hint=ada", ErrorCode::InvalidScope),
        ("scope=openid+admin&login_hint=ada", ErrorCode::InvalidScope),
        ("scope=openid", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint=ada&id_token_hint=x", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint_token=x", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint=+", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint=ada&requested_expiry=0", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint=ada&requested_expiry=soon", ErrorCode::InvalidRequest),
        ("scope=openid&login_hint=ada&resource=relative", ErrorCode::InvalidTarget),
        ("scope=openid&login_hint=ada&authorization_details=%7B%7D", ErrorCode::InvalidAuthorizationDetails),
    ];
    for (form, want) in cases {
        assert_eq!(code(ask(DeliveryMode::Poll, form)), Some(*want), "{form}");
    }
    Ok(())
}

#[test]
fn only_a_client_registered_for_the_grant_may_ask() -> TestResult {
    let mut c = client(DeliveryMode::Poll);
    c.grant_types = vec![GrantType::ClientCredentials];
    let form = Params::parse(b"scope=openid&login_hint=ada")?;
    assert_eq!(code(validate_request(&c, &form, NOW)), Some(ErrorCode::UnauthorizedClient));
    c.grant_types = vec![GrantType::Ciba];
    c.backchannel = None;
    assert_eq!(code(validate_request(&c, &form, NOW)), Some(ErrorCode::UnauthorizedClient));
    Ok(())
}

#[test]
fn a_long_expiry_is_shortened_and_the_ping_mode_needs_a_notification_token() -> TestResult {
    let asked = ask(DeliveryMode::Poll, "scope=openid&login_hint=ada&requested_expiry=86400")?;
    assert_eq!(asked.request.expires_at, NOW + MAX_EXPIRY);
    let asked = ask(DeliveryMode::Poll, "scope=openid&login_hint=ada&requested_expiry=30")?;
    assert_eq!(asked.request.expires_at, NOW + 30);

    assert_eq!(code(ask(DeliveryMode::Ping, "scope=openid&login_hint=ada")), Some(ErrorCode::InvalidRequest));
    let spaced = "scope=openid&login_hint=ada&client_notification_token=a+b";
    assert_eq!(code(ask(DeliveryMode::Ping, spaced)), Some(ErrorCode::InvalidRequest));
    let long = format!("scope=openid&login_hint=ada&client_notification_token={}", "t".repeat(1025));
    assert_eq!(code(ask(DeliveryMode::Ping, &long)), Some(ErrorCode::InvalidRequest));
    let asked = ask(DeliveryMode::Ping, "scope=openid&login_hint=ada&client_notification_token=tok-1")?;
    assert_eq!(asked.request.notification_token.as_deref(), Some("tok-1"));
    assert_eq!(asked.request.mode, DeliveryMode::Ping);
    // The poll mode keeps no token the client did not need to send.
    let asked = ask(DeliveryMode::Poll, "scope=openid&login_hint=ada&client_notification_token=tok-1")?;
    assert!(asked.request.notification_token.is_none());
    Ok(())
}

#[test]
fn a_binding_message_is_short_visible_text() -> TestResult {
    for good in ["Book flight LH400 for €420", "Code 4F7A", "東京行きの便を予約", "حجز رحلة"] {
        assert!(readable_binding_message(good), "{good:?}");
    }
    for bad in [
        "",
        "   ",
        "pay\u{0}now",
        "line\nbreak",
        "evil\u{202E}txt.exe",
        "a\u{2066}b",
        "zero\u{200B}width",
        "soft\u{00AD}hyphen",
        &"x".repeat(MAX_BINDING_MESSAGE + 1),
    ] {
        assert!(!readable_binding_message(bad), "{bad:?}");
    }
    assert!(readable_binding_message(&"é".repeat(MAX_BINDING_MESSAGE)));
    let form = "scope=openid&login_hint=ada&binding_message=pay%E2%80%AEnow";
    assert_eq!(code(ask(DeliveryMode::Poll, form)), Some(ErrorCode::InvalidBindingMessage));
    Ok(())
}

#[test]
fn polls_follow_the_device_grants_rules_under_their_own_name() -> TestResult {
    let request = ask(DeliveryMode::Poll, "scope=openid&login_hint=ada")?.request;
    let me = ClientId::parse("cli")?;
    let other = ClientId::parse("other")?;
    let mut p = Polling::default();
    let asked = request.asked();
    let err = |r: Result<crate::code::CodeGrant, OAuthError>| r.err().map(|e| (e.code, e.description));
    let refused_with = |r| err(r).map(|(code, _)| code);
    assert_eq!(refused_with(asked.poll(&me, false, None, &mut p, NOW)), Some(ErrorCode::AuthorizationPending));
    assert_eq!(refused_with(asked.poll(&me, false, None, &mut p, NOW + 1)), Some(ErrorCode::SlowDown));
    assert_eq!(p.interval, POLL_INTERVAL + crate::device::SLOW_DOWN_STEP);
    let Some((refused, description)) = err(asked.poll(&other, false, None, &mut p, NOW + 30)) else {
        return Err("another client's poll was answered".into());
    };
    assert_eq!(refused, ErrorCode::InvalidGrant);
    assert!(description.contains("auth_req_id"), "{description}");
    let denied = Some(&DeviceDecision::Denied);
    assert_eq!(refused_with(asked.poll(&me, false, denied, &mut p, NOW + 30)), Some(ErrorCode::AccessDenied));
    assert_eq!(refused_with(asked.poll(&me, false, None, &mut p, request.expires_at)), Some(ErrorCode::ExpiredToken));
    Ok(())
}

#[test]
fn debug_output_hides_the_notification_token() -> TestResult {
    let asked = ask(DeliveryMode::Ping, "scope=openid&login_hint=ada&client_notification_token=s3cr3t-tok")?;
    let shown = format!("{:?}", asked.request);
    assert!(!shown.contains("s3cr3t-tok"), "{shown}");
    Ok(())
}
