//! The human check of self-service sign-up: a provider-agnostic interface ([`HumanCheck`]) and
//! its adapter for the "siteverify" protocol that Cloudflare Turnstile and hCaptcha share (the
//! page's widget puts a response token in the form; the server posts it with its secret to the
//! provider, which answers `{"success": true|false}`).
//!
//! # Security
//! The secret is sent only to the configured verification URL (a fixed operator setting, not
//! request input) and never logged; a provider that cannot be reached, or answers anything but
//! `success: true`, refuses the sign-up (fail closed).

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

/// What the sign-up page shows to run the check.
#[derive(Debug, Clone)]
pub struct Widget {
    /// The provider's script.
    pub script: String,
    /// The class of the element the script turns into the widget.
    pub class: &'static str,
    /// The public site key.
    pub site_key: String,
    /// The form field the widget fills with its response token.
    pub field: &'static str,
    /// The origin the page's Content-Security-Policy must allow for the script and its frame.
    pub origin: String,
}

/// A check that the visitor is a person. Implementations must refuse (not error) a wrong
/// response, and return an error only when they could not decide.
#[async_trait]
pub trait HumanCheck: Send + Sync {
    /// The widget of the sign-up page.
    fn widget(&self) -> &Widget;
    /// Whether `response` (the widget's form field) proves a person, for a request from `ip`.
    async fn verify(&self, response: &str, ip: Option<IpAddr>) -> Result<bool, String>;
}

/// A siteverify provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Cloudflare Turnstile.
    Turnstile,
    /// hCaptcha.
    Hcaptcha,
}

impl Provider {
    /// The provider named in the configuration.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "turnstile" => Some(Self::Turnstile),
            "hcaptcha" => Some(Self::Hcaptcha),
            _ => None,
        }
    }

    fn widget(self, site_key: &str) -> Widget {
        let (script, class, field, origin) = match self {
            Self::Turnstile => (
                "https://challenges.cloudflare.com/turnstile/v0/api.js",
                "cf-turnstile",
                "cf-turnstile-response",
                "https://challenges.cloudflare.com",
            ),
            Self::Hcaptcha => {
                ("https://js.hcaptcha.com/1/api.js", "h-captcha", "h-captcha-response", "https://*.hcaptcha.com")
            }
        };
        Widget { script: script.into(), class, site_key: site_key.into(), field, origin: origin.into() }
    }

    /// The provider's verification endpoint.
    pub fn verify_url(self) -> &'static str {
        match self {
            Self::Turnstile => "https://challenges.cloudflare.com/turnstile/v0/siteverify",
            Self::Hcaptcha => "https://api.hcaptcha.com/siteverify",
        }
    }
}

/// The siteverify adapter.
pub struct Siteverify {
    widget: Widget,
    secret: SecretString,
    verify_url: String,
    http: reqwest::Client,
}

impl Siteverify {
    /// An adapter for `provider` with the site key, the secret and the verification URL.
    pub fn new(provider: Provider, site_key: &str, secret: SecretString, verify_url: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { widget: provider.widget(site_key), secret, verify_url: verify_url.into(), http })
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    success: bool,
}

#[async_trait]
impl HumanCheck for Siteverify {
    fn widget(&self) -> &Widget {
        &self.widget
    }

    async fn verify(&self, response: &str, ip: Option<IpAddr>) -> Result<bool, String> {
        if response.is_empty() || response.len() > 4096 {
            return Ok(false);
        }
        let ip = ip.map(|i| i.to_string()).unwrap_or_default();
        let form = [("secret", self.secret.expose_secret()), ("response", response), ("remoteip", ip.as_str())];
        let res = self.http.post(&self.verify_url).form(&form).send().await.map_err(|e| e.without_url().to_string())?;
        if !res.status().is_success() {
            return Err(format!("the verification endpoint answered {}", res.status()));
        }
        let answer: Answer = res.json().await.map_err(|e| e.without_url().to_string())?;
        Ok(answer.success)
    }
}
