//! A software passkey authenticator playing the browser's part in end-to-end tests.

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

/// A credential the authenticator created.
#[derive(Debug, Clone)]
struct Resident {
    rp_id: String,
    /// base64url, as in the options and responses.
    credential_id: String,
    /// base64url user handle (`user.id` of the creation options).
    user_handle: String,
}

/// A software passkey: takes the options JSON exactly as the server sends it to the page and
/// returns the `PublicKeyCredential` JSON the browser would post back.
///
/// It performs the browser's checks (origin scheme, RP ID against the origin) and signs with
/// P-256 keys it keeps in memory, claiming user verification as a biometric authenticator would.
/// Its credentials are discoverable: a sign-in without `allowCredentials` uses the most recently
/// registered credential for the RP ID and returns its user handle. The signature counter is
/// shared by all its credentials and increases with every assertion.
pub struct SoftPasskey {
    authenticator: webauthn_authenticator_rs::softpasskey::SoftPasskey,
    credentials: Vec<Resident>,
}

impl std::fmt::Debug for SoftPasskey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftPasskey").field("credentials", &self.credentials).finish_non_exhaustive()
    }
}

impl Default for SoftPasskey {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftPasskey {
    /// An authenticator without credentials.
    pub fn new() -> Self {
        Self {
            // `true`: report user verification (the software token has no biometric of its own).
            authenticator: webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true),
            credentials: Vec::new(),
        }
    }

    /// The ids (base64url) of the credentials created so far, oldest first.
    pub fn credential_ids(&self) -> Vec<String> {
        self.credentials.iter().map(|c| c.credential_id.clone()).collect()
    }

    /// `navigator.credentials.create(options)` on a page at `origin`; panics if the browser or
    /// authenticator would refuse.
    pub fn register(&mut self, origin: &Url, options: &Value) -> Value {
        self.try_register(origin, options).unwrap()
    }

    /// `navigator.credentials.get(options)` on a page at `origin`; panics if the browser or
    /// authenticator would refuse.
    pub fn sign_in(&mut self, origin: &Url, options: &Value) -> Value {
        self.try_sign_in(origin, options).unwrap()
    }

    /// As [`register`](Self::register), with the refusal as an error.
    pub fn try_register(&mut self, origin: &Url, options: &Value) -> anyhow::Result<Value> {
        let mut options = options.clone();
        let public_key = options.get_mut("publicKey").context("options without publicKey")?;
        let rp_id = public_key.pointer("/rp/id").and_then(Value::as_str).context("options without rp.id")?.to_owned();
        let user_handle =
            public_key.pointer("/user/id").and_then(Value::as_str).context("options without user.id")?.to_owned();
        let excluded = public_key.get("excludeCredentials").and_then(Value::as_array).cloned().unwrap_or_default();
        for descriptor in excluded {
            let id = descriptor.get("id").and_then(Value::as_str).unwrap_or_default();
            if self.credentials.iter().any(|c| c.rp_id == rp_id && c.credential_id == id) {
                bail!("InvalidStateError: the authenticator holds an excluded credential");
            }
        }
        // Residency is provided here (the user handle is kept next to the credential), so the
        // underlying token is asked for a plain credential.
        if let Some(selection) = public_key.get_mut("authenticatorSelection").and_then(Value::as_object_mut) {
            selection.remove("residentKey");
            selection.insert("requireResidentKey".into(), false.into());
        }
        let options: CreationChallengeResponse = serde_json::from_value(options)?;
        let credential = self
            .authenticator
            .do_registration(origin.clone(), options)
            .map_err(|e| anyhow!("registration refused: {e:?}"))?;
        let mut credential = serde_json::to_value(&credential)?;
        let credential_id = credential.get("id").and_then(Value::as_str).context("credential without id")?.to_owned();
        if let Some(object) = credential.as_object_mut() {
            object.insert("clientExtensionResults".into(), json!({ "credProps": { "rk": true } }));
            object.remove("extensions");
        }
        self.credentials.push(Resident { rp_id, credential_id, user_handle });
        Ok(credential)
    }

    /// As [`sign_in`](Self::sign_in), with the refusal as an error.
    pub fn try_sign_in(&mut self, origin: &Url, options: &Value) -> anyhow::Result<Value> {
        let mut options = options.clone();
        let public_key = options.get_mut("publicKey").context("options without publicKey")?;
        let rp_id = public_key.get("rpId").and_then(Value::as_str).context("options without rpId")?.to_owned();
        let allowed = public_key.get("allowCredentials").and_then(Value::as_array).cloned().unwrap_or_default();
        if allowed.is_empty() {
            // Discoverable credential: the user picks the most recent account for this site.
            let chosen =
                self.credentials.iter().rev().find(|c| c.rp_id == rp_id).context("NotAllowedError: no credential")?;
            if let Some(object) = public_key.as_object_mut() {
                object.insert("allowCredentials".into(), json!([{ "type": "public-key", "id": chosen.credential_id }]));
            }
        }
        let options: RequestChallengeResponse = serde_json::from_value(options)?;
        let assertion = self
            .authenticator
            .do_authentication(origin.clone(), options)
            .map_err(|e| anyhow!("sign-in refused: {e:?}"))?;
        let mut assertion = serde_json::to_value(&assertion)?;
        let credential_id = assertion.get("id").and_then(Value::as_str).context("assertion without id")?.to_owned();
        let resident = self
            .credentials
            .iter()
            .find(|c| c.credential_id == credential_id)
            .context("assertion by an unknown credential")?;
        if let Some(response) = assertion.get_mut("response").and_then(Value::as_object_mut) {
            response.insert("userHandle".into(), resident.user_handle.clone().into());
        }
        if let Some(object) = assertion.as_object_mut() {
            object.insert("clientExtensionResults".into(), json!({}));
            object.remove("extensions");
        }
        Ok(assertion)
    }
}
