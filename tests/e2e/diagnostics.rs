//! Refusals can be diagnosed: the client gets the same RFC 6749 error as ever (every failed
//! client authentication is `invalid_client` "client authentication failed"), while the server
//! logs the specific reason at `info` in the request's span (request id, client id) and records
//! it in the audit trail, where an admin finds it by client and time. No secret, assertion or
//! code reaches either.

use ciam_testkit::{Admin, Browser, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::BIN;
use crate::support::{GERMANY, USA, setup};

/// The `request refused` log line of the request with id `request_id`.
fn refusal_line(server: &Server, request_id: &str) -> Value {
    let logs = server.logs();
    logs.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "request refused" && l["span"]["request_id"] == request_id)
        .unwrap_or_else(|| panic!("no refusal logged for request {request_id}:\n{logs}"))
}

/// The audit events a query of the tenant's trail returns.
async fn audit(admin: &Admin<'_>, query: &str) -> Vec<Value> {
    admin.get(&format!("/tenants/acme/audit?{query}"), 200).await["items"].as_array().unwrap().clone()
}

#[allow(clippy::disallowed_methods)] // the server's clock is the machine's: the test reads the same one
fn rfc3339_now() -> String {
    time::OffsetDateTime::now_utc().format(&Rfc3339).unwrap()
}

/// A second ago, on a whole second: the embedded store keeps event times to the second.
#[allow(clippy::disallowed_methods)] // as above
fn rfc3339_a_second_ago() -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    t.replace_nanosecond(0).unwrap().format(&Rfc3339).unwrap()
}

#[tokio::test]
async fn refused_client_authentications_are_logged_and_audited_with_their_reason() {
    let dir = TempDir::new("diagnostics-client");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let since = rfc3339_a_second_ago();
    let acme = World::tenant("acme")
        .client(json!({"client_id": "svc", "name": "Service", "client_type": "confidential",
                       "grant_types": ["client_credentials"], "scopes": ["orders:read"]}))
        .agent(
            "bot",
            json!({"name": "Bot", "description": "checks orders", "owner": {"type": "client", "id": "svc"},
                   "allowed_scopes": ["orders:read"], "allowed_audiences": []}),
        )
        .create(&admin)
        .await;
    let secret = acme.secret("svc");
    let bot = acme.agent("bot");
    let issuer = server.url("/t/acme");
    let token_url = server.url("/t/acme/token");
    let now = ciam_testkit::unix_now();
    let wrong_aud = bot.sign(
        None,
        &json!({"iss": "bot", "sub": "bot", "aud": "http://localhost:8080/t/acme/token", "iat": now,
                "exp": now + 60, "jti": "wrong-aud-1"}),
    );
    let expired = bot.sign(
        None,
        &json!({"iss": "bot", "sub": "bot", "aud": issuer, "iat": now - 600, "exp": now - 300, "jti": "old-1"}),
    );
    let replayed = bot.assertion(&issuer);
    let assertion_form = |jwt: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion", jwt.to_owned()),
        ]
    };
    let cc = vec![("grant_type", "client_credentials".to_owned())];
    let with_secret_in_body = vec![
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", "svc".into()),
        ("client_secret", secret.clone()),
    ];
    // The first use of an assertion is accepted; the same assertion again is a replay.
    let res = server.http.post(&token_url).form(&replayed).send().await.unwrap();
    let first: Value = res.json().await.unwrap();
    assert_ne!(first["error"], "invalid_client", "{first}");

    // (request id, Basic credentials, form, claimed client, the reason's first word)
    type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, Vec<(&'a str, String)>, &'a str, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("diag-unknown", Some(("ghost", "whatever-secret")), cc.clone(), "ghost", "unknown_client"),
        ("diag-secret", Some(("svc", "not-the-secret-123")), cc.clone(), "svc", "wrong_secret"),
        ("diag-method", None, with_secret_in_body, "svc", "wrong_method"),
        ("diag-aud", None, assertion_form(&wrong_aud), "bot", "assertion_audience"),
        ("diag-expired", None, assertion_form(&expired), "bot", "assertion_expiry"),
        ("diag-replay", None, replayed.clone(), "bot", "assertion_replayed"),
    ];
    for (request_id, basic, form, client, reason) in &cases {
        let mut req = server.http.post(&token_url).header("x-request-id", *request_id).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{request_id}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body,
            json!({"error": "invalid_client", "error_description": "client authentication failed"}),
            "{request_id}: the client learns nothing more"
        );
        let line = refusal_line(&server, request_id);
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["error"], "invalid_client", "{line}");
        assert_eq!(line["span"]["client_id"], *client, "{line}");
        assert!(line["reason"].as_str().unwrap().starts_with(&format!("{reason}:")), "{request_id}: {line}");
    }
    let aud_line = refusal_line(&server, "diag-aud");
    assert!(
        aud_line["reason"].as_str().unwrap().contains("http://localhost:8080/t/acme/token")
            && aud_line["reason"].as_str().unwrap().contains(&issuer),
        "the wrong audience and the accepted ones are named: {aud_line}"
    );

    // A suspended agent: refused at the token endpoint as `token.refused`.
    admin.post("/tenants/acme/agents/bot/suspend", json!({}), 200).await;
    let res = server
        .http
        .post(&token_url)
        .header("x-request-id", "diag-suspended")
        .form(&bot.assertion(&issuer))
        .send()
        .await;
    assert_eq!(res.unwrap().status(), 401);
    assert!(refusal_line(&server, "diag-suspended")["reason"].as_str().unwrap().starts_with("agent_suspended:"));

    // Under the fapi2 profile a secret is no authentication, even the right one.
    let (status, _) = admin
        .call(reqwest::Method::PATCH, "/tenants/acme", Some(json!({"settings": {"security_profile": "fapi2"}})))
        .await;
    assert_eq!(status, 200);
    let res = server.http.post(&token_url).header("x-request-id", "diag-fapi2").basic_auth("svc", Some(&secret));
    assert_eq!(res.form(&cc).send().await.unwrap().status(), 401);
    assert!(refusal_line(&server, "diag-fapi2")["reason"].as_str().unwrap().starts_with("fapi2_method:"));
    let fapi = audit(&admin, "client=svc&type=client.refused").await;
    assert!(fapi.iter().any(|e| e["reason"].as_str().unwrap().starts_with("invalid_client: fapi2_method:")));

    // The admin finds each refusal by client and time, with the same reason.
    let until = rfc3339_now();
    let window = format!("since={since}&until={until}");
    for (_, _, _, client, reason) in &cases {
        let events = audit(&admin, &format!("client={client}&type=client.refused&{window}")).await;
        assert!(
            events.iter().any(|e| {
                e["decision"] == "deny"
                    && e["client_id"] == *client
                    && e["reason"].as_str().unwrap().starts_with(&format!("invalid_client: {reason}:"))
                    && e["ip"].is_string()
            }),
            "{client} {reason}: {events:?}"
        );
    }
    let suspended = audit(&admin, "client=bot&type=token.refused").await;
    assert!(
        suspended.iter().any(|e| e["reason"].as_str().unwrap().starts_with("invalid_client: agent_suspended:")),
        "{suspended:?}"
    );
    assert!(audit(&admin, "client=svc&type=client.refused&until=2000-01-01T00:00:00Z").await.is_empty());
    // `client` is `agent` under another name; naming two different ones is refused.
    admin.get("/tenants/acme/audit?client=svc&agent=bot", 400).await;

    let logs = server.logs();
    let trail = serde_json::to_string(&audit(&admin, "limit=200").await).unwrap();
    let replayed_jwt = &replayed.iter().find(|(k, _)| *k == "client_assertion").unwrap().1;
    for secret in [secret.as_str(), "not-the-secret-123", "whatever-secret", &wrong_aud, &expired, replayed_jwt] {
        assert!(!logs.contains(secret), "a secret or an assertion reached the log");
        assert!(!trail.contains(secret), "a secret or an assertion reached the audit trail");
    }
}

#[tokio::test]
async fn refused_grants_are_logged_and_audited_with_their_reason() {
    let s = setup("diagnostics-grant", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let browser = Browser::new(&s.server);
    let (_, callback) = browser.authorize(&authorize_url("web", "openid").build(), "allow").await;
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let token = |request_id: &'static str, form: Vec<(&'static str, String)>| {
        let req = s.server.http.post(s.server.url("/t/acme/token")).header("x-request-id", request_id);
        req.basic_auth("web", Some(&s.secret)).form(&form).send()
    };
    let redeem = |verifier: &str| {
        vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", ciam_testkit::CALLBACK),
            ("code_verifier", verifier),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect::<Vec<_>>()
    };
    // (request id, form, error the client reads, the reason logged and audited)
    let cases = [
        (
            "grant-not-allowed",
            vec![("grant_type", "client_credentials".to_owned())],
            "unauthorized_client",
            "this client may not use this grant type",
        ),
        (
            "grant-pkce",
            redeem("a-verifier-that-does-not-match-the-challenge-0123456789"),
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        ),
        // The code was taken by the refused attempt: it is gone (single use).
        ("grant-used", redeem(PKCE_VERIFIER), "invalid_grant", "code_unknown: no such code"),
    ];
    for (request_id, form, error, reason) in cases {
        let res = token(request_id, form).await.unwrap();
        assert_eq!(res.status(), 400, "{request_id}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], error, "{request_id}: {body}");
        assert!(!body.to_string().contains("code_unknown"), "the internal reason stays on the server: {body}");
        let line = refusal_line(&s.server, request_id);
        assert_eq!((line["level"].as_str(), line["error"].as_str()), (Some("INFO"), Some(error)), "{line}");
        assert_eq!(line["span"]["client_id"], "web");
        assert!(line["reason"].as_str().unwrap().starts_with(reason), "{request_id}: {line}");
        let events = audit(&admin, "client=web&type=token.refused").await;
        assert!(
            events.iter().any(|e| e["reason"].as_str().unwrap().starts_with(&format!("{error}: {reason}"))),
            "{request_id}: {events:?}"
        );
    }
    // An authorization request with an unregistered redirect_uri: an error page, never a
    // redirect; the log names the URI received and the registered ones.
    let wrong = authorize_url("web", "openid").redirect_uri("http://127.0.0.1:3000/cb").build();
    let res =
        s.server.http.get(s.server.url(&wrong)).header("x-request-id", "authorize-redirect").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let line = refusal_line(&s.server, "authorize-redirect");
    assert_eq!((line["error"].as_str(), line["span"]["client_id"].as_str()), (Some("invalid_request"), Some("web")));
    let reason = line["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("redirect_uri_mismatch: http://127.0.0.1:3000/cb is not one of the registered")
            && reason.contains(ciam_testkit::CALLBACK),
        "{reason}"
    );

    let logs = s.server.logs();
    for secret in [s.secret.as_str(), code.as_str(), PKCE_VERIFIER] {
        assert!(!logs.contains(secret), "a secret, a code or a verifier reached the log");
    }
}

/// A sign-in the risk policy stepped up or refused: the log line names the rules and carries
/// the request id, which the `sign_in.risk` audit event records too.
#[tokio::test]
async fn a_stepped_up_sign_in_leads_from_the_log_line_to_its_audit_event() {
    let s = setup("diagnostics-sign-in", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let base = s.server.url("");
    // Ada signs in from Berlin, then, a moment later, someone with her password from New York.
    for address in [GERMANY, USA] {
        let _ = Browser::at(&base, Some(address)).sign_in(&authorize_url("web", "openid").build()).await;
    }
    let logs = s.server.logs();
    let decided = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m == "sign-in stepped up by policy" || m == "sign-in denied by policy")
        })
        .unwrap_or_else(|| panic!("an impossible journey is stepped up:\n{logs}"));
    assert_eq!(decided["level"], "INFO");
    assert_eq!(decided["audit_type"], "sign_in.risk");
    assert!(!decided["rules"].as_str().unwrap().is_empty(), "{decided}");
    let request_id = decided["span"]["request_id"].as_str().unwrap();
    let events = audit(&admin, "type=sign_in.risk").await;
    let event = events
        .iter()
        .find(|e| serde_json::from_str::<Value>(e["reason"].as_str().unwrap()).unwrap()["request_id"] == request_id)
        .unwrap_or_else(|| panic!("the event of request {request_id}: {events:?}"));
    assert_ne!(event["decision"], "allow", "{event}");
    assert!(!logs.contains(ciam_testkit::PASSWORD));
}
