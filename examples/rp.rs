//! A tiny OpenID Connect relying party for trying a tenant in the browser.
//!
//! ```sh
//! cargo run --example rp -- http://localhost:8080/t/acme demo "$CLIENT_SECRET"
//! ```
//!
//! It discovers the issuer, prints an authorization URL (PKCE S256, nonce, state), waits for the
//! browser to come back to `http://127.0.0.1:8000/callback` (register that redirect URI on the
//! client), redeems the code, verifies the ID token against the issuer's JWKS and prints the
//! user's claims from the UserInfo endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::Query;
use axum::routing::get;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};

const CALLBACK: &str = "http://127.0.0.1:8000/callback";

type HttpFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<openidconnect::HttpResponse, reqwest::Error>>>>;

/// openidconnect's HTTP interface on reqwest.
fn http(client: reqwest::Client) -> impl Fn(openidconnect::HttpRequest) -> HttpFuture {
    move |req| {
        let client = client.clone();
        Box::pin(async move {
            let res = client.execute(reqwest::Request::try_from(req)?).await?;
            let mut out = http::Response::builder().status(res.status());
            for (k, v) in res.headers() {
                out = out.header(k, v);
            }
            Ok(out.body(res.bytes().await?.to_vec()).expect("a valid response"))
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(issuer), Some(client_id), secret) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: rp ISSUER CLIENT_ID [CLIENT_SECRET]");
        std::process::exit(2);
    };
    let http = http(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?);
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer)?, &http).await?;
    let client = CoreClient::from_provider_metadata(meta, ClientId::new(client_id), secret.map(ClientSecret::new))
        .set_redirect_uri(RedirectUrl::new(CALLBACK.into())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    println!("Open this URL in a browser:\n\n  {url}\n");

    // Wait for the browser to come back with the code.
    let (tx, rx) = tokio::sync::oneshot::channel::<HashMap<String, String>>();
    let tx = std::sync::Arc::new(Mutex::new(Some(tx)));
    let app = axum::Router::new().route(
        "/callback",
        get(move |Query(params): Query<HashMap<String, String>>| {
            let tx = tx.clone();
            async move {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(params);
                }
                "Signed in. You can close this tab and look at the terminal."
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let params = rx.await?;
    if let Some(error) = params.get("error") {
        return Err(format!("authorization failed: {error}").into());
    }
    if params.get("state").map(String::as_str) != Some(state.secret().as_str()) {
        return Err("state mismatch".into());
    }
    let code = params.get("code").ok_or("no code in the callback")?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))?
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await?;
    let id_token = tokens.id_token().ok_or("no ID token")?;
    let claims = id_token.claims(&client.id_token_verifier(), &nonce)?;
    println!("ID token verified. sub = {}", claims.subject().as_str());
    let info: CoreUserInfoClaims = client.user_info(tokens.access_token().clone(), None)?.request_async(&http).await?;
    println!("UserInfo: {}", serde_json::to_string_pretty(&info)?);
    Ok(())
}
