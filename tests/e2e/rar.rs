//! Rich authorization requests (RFC 9396), end to end: a tenant registers a payment type; Ada
//! approves one payment in words on the consent page (in her language), every time; her tokens,
//! the token response, introspection and her refresh grant carry exactly it; a backend service
//! exchanging her token may only narrow it; unknown types, entries their schema refuses and
//! widenings are `invalid_authorization_details`. `TEST_BACKEND=postgres` runs it on Postgres
//! and Redis.

use ciam_testkit::{Admin, Browser, CALLBACK, PKCE_VERIFIER, Server, ServerOptions, TempDir, World, authorize_url};
use serde_json::{Value, json};

use crate::BIN;

const API: &str = "https://payments.example/api";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The tenant's payment type (its schema, narrowing and templates), as a bank registers it.
pub(crate) fn payment_type() -> Value {
    json!({
        "type": "payment_initiation",
        "schema": {
            "type": "object",
            "required": ["type", "instructedAmount", "creditorName"],
            "properties": {
                "type": {"const": "payment_initiation"},
                "actions": {"type": "array", "items": {"enum": ["initiate", "status", "cancel"]}},
                "instructedAmount": {
                    "type": "object", "required": ["currency", "amount"], "additionalProperties": false,
                    "properties": {"currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                   "amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"}}
                },
                "creditorName": {"type": "string", "maxLength": 70}
            }
        },
        "narrowing": {"instructedAmount.amount": "at_most"},
        "templates": {
            "en": "Pay {instructedAmount.amount|amount:instructedAmount.currency} to {creditorName}",
            "de": "{instructedAmount.amount|amount:instructedAmount.currency} an {creditorName} zahlen"
        }
    })
}

fn payment(amount: &str, actions: &[&str]) -> Value {
    json!({"type": "payment_initiation", "actions": actions,
           "instructedAmount": {"currency": "EUR", "amount": amount}, "creditorName": "Air Example"})
}

fn param(details: &Value) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(details.to_string().as_bytes()).collect();
    format!("&authorization_details={encoded}")
}

async fn token(server: &Server, client: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    crate::support::token_as(server, "acme", client, form).await
}

/// `client` exchanges `subject` for a token for the payments API, asking for `details`.
async fn exchange(server: &Server, client: (&str, &str), subject: &str, details: Option<&Value>) -> (u16, Value) {
    let details = details.map(Value::to_string);
    let mut form = vec![
        ("grant_type", EXCHANGE),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", API),
    ];
    if let Some(d) = &details {
        form.push(("authorization_details", d));
    }
    token(server, client, &form).await
}

/// A refresh asking for `details` only.
async fn refresh_with(server: &Server, client: (&str, &str), refresh: &str, details: &Value) -> (u16, Value) {
    let details = details.to_string();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh), ("authorization_details", &details)];
    token(server, client, &form).await
}

#[tokio::test]
async fn a_payment_is_approved_in_words_carried_by_tokens_and_only_ever_narrowed_rfc9396() {
    let dir = TempDir::new("rar");
    let server = Server::start(BIN, &dir.0, ServerOptions::default()).await;
    let admin = Admin::new(&server, server.generated_admin_token());
    let created = World::tenant("acme")
        .named("Acme")
        .user("ada@example.com")
        .resource(json!({"id": "payments", "identifier": API, "name": "Payments", "scopes": ["payments"]}))
        .client(json!({"client_id": "web", "name": "Travel", "client_type": "confidential",
                       "redirect_uris": [CALLBACK], "grant_types": ["authorization_code", "refresh_token"],
                       "scopes": ["openid", "payments", "offline_access"]}))
        .client(json!({"client_id": "checkout", "name": "Checkout", "client_type": "confidential",
                       "grant_types": [EXCHANGE], "scopes": ["payments"],
                       "token_exchange": {"audiences": [API]}}))
        .create(&admin)
        .await;
    let (web_secret, checkout_secret) = (created.secret("web"), created.secret("checkout"));
    let (web, checkout) = (("web", web_secret.as_str()), ("checkout", checkout_secret.as_str()));
    let types = "/tenants/acme/authorization-detail-types";

    // The type: its spec is checked before it is stored.
    let mut bad = payment_type();
    bad["schema"] = json!({"type": "no-such-type"});
    let (status, body) = admin.call(reqwest::Method::POST, types, Some(bad)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("schema")), "{body}");
    let mut bad = payment_type();
    bad["templates"] = json!({"de": "zahlen"});
    let (status, body) = admin.call(reqwest::Method::POST, types, Some(bad)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("templates.en")), "{body}");
    let registered = admin.post(types, payment_type(), 201).await;
    assert_eq!(registered["narrowing"], json!({"instructedAmount.amount": "at_most"}));
    admin.post(types, payment_type(), 409).await;
    let discovery: Value = server.get_json("/t/acme/.well-known/openid-configuration").await;
    assert_eq!(discovery["authorization_details_types_supported"], json!(["payment_initiation"]));

    // Ada approves one payment: the consent page says it in words.
    let flight = json!([payment("420.00", &["initiate", "status"])]);
    let browser = Browser::new(&server);
    let start = authorize_url("web", "openid payments offline_access")
        .state("s")
        .extra(&format!("&resource={API}{}", param(&flight)))
        .build();
    let (pages, callback) = browser.authorize(&start, "allow").await;
    let consent = pages.iter().find(|p| p.contains("name=\"decision\"")).expect("a consent page");
    assert!(consent.contains("<li>Pay 420.00 EUR to Air Example</li>"), "{consent}");
    let code = callback.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
    ];
    let (status, tokens) = token(&server, web, &form).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["authorization_details"], flight, "the token response says what was approved");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(crate::claims(&access)["authorization_details"], flight);
    let res = server.http.post(server.url("/t/acme/introspect")).basic_auth(web.0, Some(web.1));
    let introspected: Value = res.form(&[("token", access.as_str())]).send().await.unwrap().json().await.unwrap();
    assert_eq!((&introspected["active"], &introspected["authorization_details"]), (&json!(true), &flight));

    // The refresh grant carries them.
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())];
    let (status, refreshed) = token(&server, web, &refresh).await;
    assert_eq!((status, &refreshed["authorization_details"]), (200, &flight), "{refreshed}");

    // At the token endpoint a token may carry part of what was approved (RFC 9396 §6.2), never
    // more; the grant keeps all of it.
    let part = json!([payment("100", &["status"])]);
    let latest = refreshed["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = refresh_with(&server, web, &latest, &json!([payment("500", &["status"])])).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_authorization_details")), "{body}");
    let (status, narrowed) = refresh_with(&server, web, &latest, &part).await;
    assert_eq!((status, &narrowed["authorization_details"]), (200, &part), "{narrowed}");
    let next = [("grant_type", "refresh_token"), ("refresh_token", narrowed["refresh_token"].as_str().unwrap())];
    let (status, whole) = token(&server, web, &next).await;
    assert_eq!((status, &whole["authorization_details"]), (200, &flight), "{whole}");

    // Every payment is approved on its own: the page comes again, here in German.
    let again = authorize_url("web", "openid payments")
        .state("s")
        .extra(&format!("&resource={API}&ui_locales=de{}", param(&json!([payment("80", &["initiate"])]))))
        .build();
    let (pages, callback) = browser.authorize(&again, "allow").await;
    assert!(pages.iter().any(|p| p.contains("<li>80 EUR an Air Example zahlen</li>")), "{pages:?}");
    // The code's token may carry part of it (RFC 9396 §6.1).
    let code = callback.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let redeem = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", PKCE_VERIFIER),
        ("authorization_details", &json!([payment("79.99", &["initiate"])]).to_string()),
    ];
    let (status, body) = token(&server, web, &redeem).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["authorization_details"], json!([payment("79.99", &["initiate"])]));

    // Requests the tenant cannot accept go back to the app with the RFC 9396 error.
    let refused = [
        (json!([{"type": "account_information", "actions": ["read"]}]), "invalid_authorization_details", ""),
        (json!([payment("four hundred", &["initiate"])]), "invalid_authorization_details", ""),
        (json!({"type": "payment_initiation"}), "invalid_authorization_details", ""),
        (flight.clone(), "consent_required", "&prompt=none"),
    ];
    for (details, error, extra) in refused {
        let url =
            authorize_url("web", "openid payments").state("s").extra(&format!("{extra}{}", param(&details))).build();
        let (_, callback) = browser.authorize(&url, "allow").await;
        let got = callback.query_pairs().find(|(k, _)| k == "error").map(|(_, v)| v.into_owned());
        assert_eq!(got.as_deref(), Some(error), "{details}: {callback}");
    }
    // At PAR too, on the back channel.
    let par = server.http.post(server.url("/t/acme/par")).basic_auth(web.0, Some(web.1)).form(&[
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", CALLBACK),
        ("scope", "openid payments"),
        ("code_challenge", ciam_testkit::PKCE_CHALLENGE),
        ("code_challenge_method", "S256"),
        ("authorization_details", &json!([{"type": "unknown"}]).to_string()),
    ]);
    let res = par.send().await.unwrap();
    let (status, body): (u16, Value) = (res.status().as_u16(), res.json().await.unwrap());
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_authorization_details")), "{body}");

    // A backend service exchanging Ada's token keeps the payment, or narrows it; never more.
    let (status, kept) = exchange(&server, checkout, &access, None).await;
    assert_eq!((status, &kept["authorization_details"]), (200, &flight), "{kept}");
    let narrower = json!([payment("399.99", &["status"])]);
    let (status, narrowed) = exchange(&server, checkout, &access, Some(&narrower)).await;
    assert_eq!((status, &narrowed["authorization_details"]), (200, &narrower), "{narrowed}");
    assert_eq!(crate::claims(narrowed["access_token"].as_str().unwrap())["authorization_details"], narrower);
    for wider in [json!([payment("420.01", &["initiate"])]), json!([payment("1", &["initiate", "cancel"])])] {
        let (status, body) = exchange(&server, checkout, &access, Some(&wider)).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_authorization_details")), "{wider}: {body}");
    }
}
