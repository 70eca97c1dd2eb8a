//! Passkeys (WebAuthn): registration, passwordless sign-in with a discoverable credential, and
//! use as a second factor for a known user.
//!
//! [`PasskeyRp`] is the relying party of one public URL. Each ceremony has a `start_*` step that
//! returns the options to hand to the browser as-is (the JSON argument of
//! `navigator.credentials.create` / `navigator.credentials.get`, i.e. `{"publicKey": {...}}`) and
//! an opaque state, and a `finish_*` step that takes the browser's `PublicKeyCredential` JSON and
//! that state. What the server keeps per passkey is a [`StoredPasskey`].
//!
//! # Security properties
//!
//! - **User verification is required** in every ceremony: registration and both kinds of sign-in
//!   ask the authenticator for user verification (biometric or PIN) and refuse a response without
//!   the UV flag. A passkey is therefore a multi-factor authenticator on its own (amr `user` plus
//!   `hwk` or `swk`).
//! - **Origin binding**: a response is accepted only if the origin the browser signed is exactly
//!   the configured public origin (no subdomains) and its RP ID hash matches the configured RP ID,
//!   so a credential phished through another site, or another host under the same registrable
//!   domain, is refused. Any port is accepted only for a loopback origin (`http://localhost`),
//!   which is also the only origin allowed without TLS.
//! - **Challenge binding**: a response answers exactly one challenge, the one in the state it is
//!   finished with; a response for another ceremony is refused.
//! - **Counter and clone detection**: when an authenticator keeps a signature counter, a use whose
//!   counter does not exceed the stored one is refused with [`PasskeyError::PossibleClone`]. The
//!   caller must store [`PasskeyUse::updated_data`] whenever it is `Some`, or the check sees stale
//!   counters. Synced passkeys usually report a counter of 0 and get no clone detection.
//! - **State is single use, and that is the caller's job**: the `*State` values carry the
//!   challenge; the caller keeps them server-side (never in the browser), takes them out of its
//!   store atomically when finishing (get-and-delete), and expires them. Nothing here can tell a
//!   state that was already used from a fresh one; with counter-less authenticators a replayed
//!   response paired with a replayed state would verify again.
//! - **Ownership is the caller's job**: [`PasskeyRp::finish_sign_in`] must be given exactly the
//!   passkeys of the user [`PasskeyRp::identify`] named, and a newly registered credential id must
//!   be refused if it is already registered to any account.
//! - Registration asks for a discoverable (resident) credential so that it can later sign in
//!   without a user name. Attestation is not requested: any authenticator is accepted.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciam_core::Amr;
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    Credential, CredentialID, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Webauthn, WebauthnBuilder, WebauthnError,
};

/// Why a passkey operation failed.
///
/// The `Display` messages are safe to show to the end user; `Debug` adds the technical reason
/// (protocol detail only, never key material or challenges) and is meant for logs.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The relying party configuration is unusable (at start-up).
    #[error(
        "passkeys are not available at this address: the public URL must be https (or http on localhost) \
         with a domain name inside the relying party id"
    )]
    Config {
        /// What is wrong with the configuration.
        reason: String,
    },
    /// The browser's response is not a well-formed `PublicKeyCredential`.
    #[error("the passkey response is malformed")]
    Malformed {
        /// The parse error.
        reason: String,
    },
    /// The response did not verify (wrong origin, wrong challenge, bad signature, no user
    /// verification, ...).
    #[error("the passkey was not accepted")]
    Rejected {
        /// The verification failure.
        reason: String,
    },
    /// The credential used is not among the passkeys the ceremony allows.
    #[error("this passkey is not registered for this account")]
    UnknownCredential,
    /// A passwordless sign-in response without a usable user handle.
    #[error("this passkey does not identify an account")]
    NoUserHandle,
    /// The signature counter did not increase: the credential may have been cloned.
    #[error("this passkey may have been copied and was not accepted")]
    PossibleClone,
    /// A second-factor ceremony was started for a user without passkeys.
    #[error("there is no passkey to use")]
    NoPasskeys,
    /// A [`StoredPasskey`] could not be read back.
    #[error("a stored passkey is unreadable")]
    StoredData {
        /// The decoding error.
        reason: String,
    },
}

impl PasskeyError {
    fn rejected(e: WebauthnError) -> Self {
        match e {
            WebauthnError::CredentialPossibleCompromise => Self::PossibleClone,
            WebauthnError::CredentialNotFound => Self::UnknownCredential,
            WebauthnError::InvalidUserUniqueId => Self::NoUserHandle,
            other => Self::Rejected { reason: format!("{other:?}") },
        }
    }

    fn malformed(e: serde_json::Error) -> Self {
        Self::Malformed { reason: e.to_string() }
    }
}

/// What the server stores per passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPasskey {
    /// The credential id, base64url without padding (as the browser's `id` field).
    pub credential_id: String,
    /// The credential (public key, counter, flags) as an opaque JSON string.
    pub data: String,
    /// Whether the credential may be synced between devices (amr `swk`) or is device-bound (`hwk`).
    pub backup_eligible: bool,
}

impl StoredPasskey {
    /// The amr value for a use of this passkey (`swk` when synced, `hwk` when device-bound).
    pub fn amr(&self) -> Amr {
        amr_of(self.backup_eligible)
    }
}

/// The result of a successful passkey use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUse {
    /// The credential used, base64url without padding.
    pub credential_id: String,
    /// The new [`StoredPasskey::data`] when the counter or backup flags changed; it must be
    /// stored for clone detection to work.
    pub updated_data: Option<String>,
    /// Whether the credential is backup eligible (synced), after this use.
    pub backup_eligible: bool,
}

impl PasskeyUse {
    /// The amr value for this use (`swk` when synced, `hwk` when device-bound).
    pub fn amr(&self) -> Amr {
        amr_of(self.backup_eligible)
    }
}

fn amr_of(backup_eligible: bool) -> Amr {
    if backup_eligible { Amr::Swk } else { Amr::Hwk }
}

macro_rules! ceremony_state {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        ///
        /// Keep it server-side and use it once (see the module documentation); it serializes with
        /// serde to store it between requests.
        #[derive(Clone, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name($inner);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}

ceremony_state!(
    /// A registration in progress.
    RegistrationState(PasskeyRegistration)
);
ceremony_state!(
    /// A passwordless sign-in in progress.
    SignInState(DiscoverableAuthentication)
);
ceremony_state!(
    /// A second-factor use in progress.
    SecondFactorState(PasskeyAuthentication)
);

/// The relying party of one public URL.
#[derive(Debug, Clone)]
pub struct PasskeyRp {
    webauthn: Webauthn,
}

impl PasskeyRp {
    /// A relying party with id `rp_id` (the registrable domain the passkeys are bound to, e.g. the
    /// host of the public URL) accepting responses from `origin` (the public URL; only its origin
    /// is used) and showing `rp_name` to the user.
    ///
    /// `origin` must be `https`, or `http` on `localhost` for development and tests (then any
    /// port is accepted). An IP address (such as `127.0.0.1`) cannot be used: browsers refuse
    /// WebAuthn on IP origins, so use `localhost` instead.
    pub fn new(rp_id: &str, origin: &Url, rp_name: &str) -> Result<Self, PasskeyError> {
        let config = |reason: &str| PasskeyError::Config { reason: reason.to_owned() };
        let url::Origin::Tuple(scheme, host, _) = origin.origin() else {
            return Err(config("the origin is opaque"));
        };
        let url::Host::Domain(domain) = &host else {
            return Err(config("the origin's host is an IP address; WebAuthn needs a domain name"));
        };
        let loopback = domain == "localhost" || domain.ends_with(".localhost");
        match scheme.as_str() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(config("the origin must be https (http is allowed on localhost only)")),
        }
        let origin = Url::parse(&origin.origin().ascii_serialization())
            .map_err(|_| config("the origin cannot be serialized"))?;
        let webauthn = WebauthnBuilder::new(rp_id, &origin)
            .map_err(|e| PasskeyError::Config {
                reason: format!("{e:?}: rp_id must be the origin's host or a parent domain of it"),
            })?
            .rp_name(rp_name)
            .allow_subdomains(false)
            .allow_any_port(loopback)
            .build()
            .map_err(|e| PasskeyError::Config { reason: format!("{e:?}") })?;
        Ok(Self { webauthn })
    }

    /// Options to send to the browser for `navigator.credentials.create` (a discoverable
    /// credential with user verification, none of `exclude` may be used), and the state to keep.
    pub fn start_registration(
        &self,
        user: Uuid,
        user_name: &str,
        display_name: &str,
        exclude: &[StoredPasskey],
    ) -> Result<(serde_json::Value, RegistrationState), PasskeyError> {
        let exclude =
            exclude.iter().map(|p| decode(p).map(|k| k.cred_id().clone())).collect::<Result<Vec<CredentialID>, _>>()?;
        let exclude = if exclude.is_empty() { None } else { Some(exclude) };
        let (options, state) = self
            .webauthn
            .start_passkey_registration(user, user_name, display_name, exclude)
            .map_err(PasskeyError::rejected)?;
        let mut options = serde_json::to_value(options).map_err(PasskeyError::malformed)?;
        // Passwordless sign-in needs the credential to be discoverable.
        if let Some(selection) = options
            .get_mut("publicKey")
            .and_then(|p| p.get_mut("authenticatorSelection"))
            .and_then(|s| s.as_object_mut())
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok((options, RegistrationState(state)))
    }

    /// Verifies the browser's response to [`start_registration`](Self::start_registration) and
    /// returns what to store. The caller must refuse a credential id already registered to any
    /// account.
    pub fn finish_registration(
        &self,
        response: &serde_json::Value,
        state: RegistrationState,
    ) -> Result<StoredPasskey, PasskeyError> {
        let response = RegisterPublicKeyCredential::deserialize(response).map_err(PasskeyError::malformed)?;
        let passkey = self.webauthn.finish_passkey_registration(&response, &state.0).map_err(PasskeyError::rejected)?;
        let credential = Credential::from(passkey.clone());
        if !credential.user_verified {
            return Err(PasskeyError::Rejected { reason: "registration without user verification".into() });
        }
        Ok(StoredPasskey {
            credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice()),
            data: encode(&passkey)?,
            backup_eligible: credential.backup_eligible,
        })
    }

    /// Options for a passwordless sign-in with a discoverable credential (user verification
    /// required), and the state to keep. The options ask for conditional mediation
    /// (`"mediation": "conditional"`, passkey autofill); a page that offers a sign-in button
    /// instead may drop that member.
    pub fn start_sign_in(&self) -> Result<(serde_json::Value, SignInState), PasskeyError> {
        let (options, state) = self.webauthn.start_discoverable_authentication().map_err(PasskeyError::rejected)?;
        let options = serde_json::to_value(options).map_err(PasskeyError::malformed)?;
        Ok((options, SignInState(state)))
    }

    /// Which user and credential (base64url id) a passwordless sign-in response names, from its
    /// user handle, so that the caller can load that user's passkeys. Nothing is verified yet.
    pub fn identify(&self, response: &serde_json::Value) -> Result<(Uuid, String), PasskeyError> {
        let response = PublicKeyCredential::deserialize(response).map_err(PasskeyError::malformed)?;
        let (user, credential_id) =
            self.webauthn.identify_discoverable_authentication(&response).map_err(PasskeyError::rejected)?;
        Ok((user, URL_SAFE_NO_PAD.encode(credential_id)))
    }

    /// Verifies a passwordless sign-in response. `passkeys` must be exactly the passkeys of the
    /// user [`identify`](Self::identify) named; the credential used must be one of them.
    pub fn finish_sign_in(
        &self,
        response: &serde_json::Value,
        state: SignInState,
        passkeys: &[StoredPasskey],
    ) -> Result<PasskeyUse, PasskeyError> {
        let response = PublicKeyCredential::deserialize(response).map_err(PasskeyError::malformed)?;
        let mut passkey = find(passkeys, &response)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&response, state.0, &passkey)
            .map_err(PasskeyError::rejected)?;
        used(&mut passkey, &result)
    }

    /// Options for using a passkey as a second factor for a known user (`allowCredentials` is
    /// `passkeys`, user verification required), and the state to keep.
    pub fn start_second_factor(
        &self,
        passkeys: &[StoredPasskey],
    ) -> Result<(serde_json::Value, SecondFactorState), PasskeyError> {
        if passkeys.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let passkeys = passkeys.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let (options, state) = self.webauthn.start_passkey_authentication(&passkeys).map_err(PasskeyError::rejected)?;
        let options = serde_json::to_value(options).map_err(PasskeyError::malformed)?;
        Ok((options, SecondFactorState(state)))
    }

    /// Verifies a second-factor response. The credential used must be both in the list the
    /// ceremony was started with and in `passkeys` (the user's passkeys now).
    pub fn finish_second_factor(
        &self,
        response: &serde_json::Value,
        state: SecondFactorState,
        passkeys: &[StoredPasskey],
    ) -> Result<PasskeyUse, PasskeyError> {
        let response = PublicKeyCredential::deserialize(response).map_err(PasskeyError::malformed)?;
        let mut passkey = find(passkeys, &response)?;
        let result =
            self.webauthn.finish_passkey_authentication(&response, &state.0).map_err(PasskeyError::rejected)?;
        used(&mut passkey, &result)
    }
}

fn decode(stored: &StoredPasskey) -> Result<Passkey, PasskeyError> {
    let passkey: Passkey =
        serde_json::from_str(&stored.data).map_err(|e| PasskeyError::StoredData { reason: e.to_string() })?;
    if URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice()) != stored.credential_id {
        return Err(PasskeyError::StoredData { reason: "credential id does not match the stored credential".into() });
    }
    Ok(passkey)
}

fn encode(passkey: &Passkey) -> Result<String, PasskeyError> {
    serde_json::to_string(passkey).map_err(|e| PasskeyError::StoredData { reason: e.to_string() })
}

/// The stored passkey the response's credential id names.
fn find(passkeys: &[StoredPasskey], response: &PublicKeyCredential) -> Result<Passkey, PasskeyError> {
    let id = URL_SAFE_NO_PAD.encode(response.get_credential_id());
    let stored = passkeys.iter().find(|p| p.credential_id == id).ok_or(PasskeyError::UnknownCredential)?;
    decode(stored)
}

fn used(
    passkey: &mut Passkey,
    result: &webauthn_rs::prelude::AuthenticationResult,
) -> Result<PasskeyUse, PasskeyError> {
    if !result.user_verified() {
        return Err(PasskeyError::Rejected { reason: "assertion without user verification".into() });
    }
    // The second-factor state holds the counters as they were at its start: check against the
    // passkey as stored now, so that a replay after a stored use is refused.
    let stored_counter = Credential::from(passkey.clone()).counter;
    if (result.counter() > 0 || stored_counter > 0) && result.counter() <= stored_counter {
        return Err(PasskeyError::PossibleClone);
    }
    let updated_data = match passkey.update_credential(result) {
        Some(true) => Some(encode(passkey)?),
        Some(false) => None,
        None => return Err(PasskeyError::UnknownCredential),
    };
    Ok(PasskeyUse {
        credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice()),
        updated_data,
        backup_eligible: Credential::from(passkey.clone()).backup_eligible,
    })
}

/// The software authenticator of `ciam-testkit`, compiled here so that these tests exercise
/// the same browser stand-in as the end-to-end tests without building the server's test kit.
#[cfg(test)]
#[allow(unreachable_pub, dead_code)]
#[path = "../../ciam-testkit/src/passkey.rs"]
mod soft_passkey;

#[cfg(test)]
mod tests {
    use super::soft_passkey::SoftPasskey;
    use super::*;
    use serde_json::{Value, json};

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// The relying party of a development server on localhost.
    fn localhost() -> (PasskeyRp, Url) {
        let origin = url("http://localhost:8080");
        (PasskeyRp::new("localhost", &origin, "Ciam test").unwrap(), origin)
    }

    /// Stores and loads a state as the server does between two requests.
    fn through_store<S: Serialize + for<'de> Deserialize<'de>>(state: S) -> S {
        let stored = serde_json::to_string(&state).unwrap();
        serde_json::from_str(&stored).unwrap()
    }

    fn register(rp: &PasskeyRp, key: &mut SoftPasskey, origin: &Url, user: Uuid) -> StoredPasskey {
        let (options, state) = rp.start_registration(user, "ada@example.com", "Ada", &[]).unwrap();
        let response = key.register(origin, &options);
        rp.finish_registration(&response, through_store(state)).unwrap()
    }

    /// Applies a use to the stored passkey, as the server must.
    fn apply(stored: &mut StoredPasskey, used: &PasskeyUse) {
        assert_eq!(used.credential_id, stored.credential_id);
        if let Some(data) = &used.updated_data {
            stored.data = data.clone();
        }
    }

    #[test]
    fn register_then_sign_in_without_user_name_then_use_as_second_factor() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let user = Uuid::now_v7();

        let (options, state) = rp.start_registration(user, "ada@example.com", "Ada", &[]).unwrap();
        let public_key = &options["publicKey"];
        assert_eq!(public_key["rp"]["id"], "localhost");
        assert_eq!(public_key["rp"]["name"], "Ciam test");
        assert_eq!(public_key["user"]["name"], "ada@example.com");
        assert_eq!(public_key["user"]["displayName"], "Ada");
        assert_eq!(public_key["authenticatorSelection"]["userVerification"], "required");
        assert_eq!(public_key["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(public_key["authenticatorSelection"]["requireResidentKey"], true);
        assert!(public_key["challenge"].as_str().is_some_and(|c| c.len() >= 43), "{public_key}");
        let response = key.register(&origin, &options);
        let mut stored = rp.finish_registration(&response, through_store(state)).unwrap();
        assert_eq!(json!(stored.credential_id), response["id"]);
        assert_eq!(key.credential_ids(), vec![stored.credential_id.clone()]);
        assert!(!stored.backup_eligible, "the software key is device-bound");
        assert_eq!(stored.amr(), Amr::Hwk);

        // Passwordless: no user name, the browser offers the discoverable credential.
        let (options, state) = rp.start_sign_in().unwrap();
        let public_key = &options["publicKey"];
        assert_eq!(public_key["userVerification"], "required");
        assert!(public_key["allowCredentials"].as_array().is_none_or(Vec::is_empty), "{public_key}");
        assert_eq!(public_key["rpId"], "localhost");
        let response = key.sign_in(&origin, &options);
        let (who, credential_id) = rp.identify(&response).unwrap();
        assert_eq!(who, user);
        assert_eq!(credential_id, stored.credential_id);
        let used = rp.finish_sign_in(&response, through_store(state), std::slice::from_ref(&stored)).unwrap();
        assert!(used.updated_data.is_some(), "the counter moved from 0 to 1 and must be stored");
        assert!(!used.backup_eligible);
        assert_eq!(used.amr(), Amr::Hwk);
        apply(&mut stored, &used);

        // Second factor for the known user: the options name the user's passkeys.
        let (options, state) = rp.start_second_factor(std::slice::from_ref(&stored)).unwrap();
        let public_key = &options["publicKey"];
        assert_eq!(public_key["userVerification"], "required");
        assert_eq!(public_key["allowCredentials"][0]["id"], json!(stored.credential_id));
        let response = key.sign_in(&origin, &options);
        let used = rp.finish_second_factor(&response, through_store(state), std::slice::from_ref(&stored)).unwrap();
        assert!(used.updated_data.is_some());
        apply(&mut stored, &used);

        // And passwordless again with the updated data.
        let (options, state) = rp.start_sign_in().unwrap();
        let response = key.sign_in(&origin, &options);
        rp.finish_sign_in(&response, state, std::slice::from_ref(&stored)).unwrap();
    }

    #[test]
    fn responses_to_another_challenge_are_refused() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let user = Uuid::now_v7();

        let (options, _state) = rp.start_registration(user, "ada", "Ada", &[]).unwrap();
        let (_options, other_state) = rp.start_registration(user, "ada", "Ada", &[]).unwrap();
        let response = key.register(&origin, &options);
        let err = rp.finish_registration(&response, other_state).unwrap_err();
        assert!(matches!(err, PasskeyError::Rejected { .. }), "{err:?}");

        let stored = register(&rp, &mut key, &origin, user);
        let passkeys = std::slice::from_ref(&stored);

        let (options, _state) = rp.start_sign_in().unwrap();
        let (_options, other_state) = rp.start_sign_in().unwrap();
        let response = key.sign_in(&origin, &options);
        let err = rp.finish_sign_in(&response, other_state, passkeys).unwrap_err();
        assert!(matches!(err, PasskeyError::Rejected { .. }), "{err:?}");

        let (options, _state) = rp.start_second_factor(passkeys).unwrap();
        let (_options, other_state) = rp.start_second_factor(passkeys).unwrap();
        let response = key.sign_in(&origin, &options);
        let err = rp.finish_second_factor(&response, other_state, passkeys).unwrap_err();
        assert!(matches!(err, PasskeyError::Rejected { .. }), "{err:?}");
    }

    #[test]
    fn responses_from_another_origin_are_refused() {
        // A page on a sibling host of the same registrable domain can make the authenticator
        // sign for the RP ID; only the origin in the signed client data tells it apart.
        let origin = url("https://login.example.com/tenant/acme");
        let rp = PasskeyRp::new("example.com", &origin, "Example").unwrap();
        let mut key = SoftPasskey::new();
        let user = Uuid::now_v7();
        for evil in ["https://evil.example.com", "https://login.example.com:8443", "http://login.example.com"] {
            let evil = url(evil);
            let (options, state) = rp.start_registration(user, "ada", "Ada", &[]).unwrap();
            if let Ok(response) = key.try_register(&evil, &options) {
                let err = rp.finish_registration(&response, state).unwrap_err();
                assert!(matches!(err, PasskeyError::Rejected { .. }), "{evil}: {err:?}");
            }
        }

        let stored = register(&rp, &mut key, &origin, user);
        let passkeys = std::slice::from_ref(&stored);
        for evil in ["https://evil.example.com", "https://login.example.com:8443"] {
            let evil = url(evil);
            let (options, state) = rp.start_sign_in().unwrap();
            let response = key.sign_in(&evil, &options);
            let err = rp.finish_sign_in(&response, state, passkeys).unwrap_err();
            assert!(matches!(err, PasskeyError::Rejected { .. }), "{evil}: {err:?}");

            let (options, state) = rp.start_second_factor(passkeys).unwrap();
            let response = key.sign_in(&evil, &options);
            let err = rp.finish_second_factor(&response, state, passkeys).unwrap_err();
            assert!(matches!(err, PasskeyError::Rejected { .. }), "{evil}: {err:?}");
        }

        // An unrelated site cannot even get a signature for this RP ID.
        let (options, _state) = rp.start_sign_in().unwrap();
        assert!(key.try_sign_in(&url("https://example.org"), &options).is_err());

        // The real origin still works.
        let (options, state) = rp.start_sign_in().unwrap();
        let response = key.sign_in(&origin, &options);
        rp.finish_sign_in(&response, state, passkeys).unwrap();
    }

    #[test]
    fn a_credential_not_in_the_list_is_refused() {
        let (rp, origin) = localhost();
        let (mut ada_key, mut bob_key) = (SoftPasskey::new(), SoftPasskey::new());
        let ada = register(&rp, &mut ada_key, &origin, Uuid::now_v7());
        let bob = register(&rp, &mut bob_key, &origin, Uuid::now_v7());

        // Passwordless: Bob's response checked against Ada's passkeys (or none).
        for passkeys in [vec![ada.clone()], vec![]] {
            let (options, state) = rp.start_sign_in().unwrap();
            let response = bob_key.sign_in(&origin, &options);
            let err = rp.finish_sign_in(&response, state, &passkeys).unwrap_err();
            assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");
        }

        // Second factor for Ada, answered by Bob's key (the page swapped allowCredentials).
        let (mut options, state) = rp.start_second_factor(std::slice::from_ref(&ada)).unwrap();
        options["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": bob.credential_id }]);
        let response = bob_key.sign_in(&origin, &options);
        let err = rp.finish_second_factor(&response, state, &[ada.clone(), bob.clone()]).unwrap_err();
        assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");

        // A passkey removed between start and finish.
        let (options, state) = rp.start_second_factor(&[ada.clone(), bob.clone()]).unwrap();
        let response = bob_key.sign_in(&origin, &options);
        let err = rp.finish_second_factor(&response, state, std::slice::from_ref(&ada)).unwrap_err();
        assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");

        assert!(matches!(rp.start_second_factor(&[]).unwrap_err(), PasskeyError::NoPasskeys));
    }

    #[test]
    fn a_replayed_state_and_response_is_refused_once_the_counter_is_stored() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let mut stored = register(&rp, &mut key, &origin, Uuid::now_v7());

        let (options, state) = rp.start_sign_in().unwrap();
        let copy = serde_json::to_string(&state).unwrap();
        let response = key.sign_in(&origin, &options);
        let used = rp.finish_sign_in(&response, state, std::slice::from_ref(&stored)).unwrap();
        apply(&mut stored, &used);
        let replayed: SignInState = serde_json::from_str(&copy).unwrap();
        let err = rp.finish_sign_in(&response, replayed, std::slice::from_ref(&stored)).unwrap_err();
        assert!(matches!(err, PasskeyError::PossibleClone), "{err:?}");

        let (options, state) = rp.start_second_factor(std::slice::from_ref(&stored)).unwrap();
        let copy = serde_json::to_string(&state).unwrap();
        let response = key.sign_in(&origin, &options);
        let used = rp.finish_second_factor(&response, state, std::slice::from_ref(&stored)).unwrap();
        apply(&mut stored, &used);
        let replayed: SecondFactorState = serde_json::from_str(&copy).unwrap();
        let err = rp.finish_second_factor(&response, replayed, std::slice::from_ref(&stored)).unwrap_err();
        assert!(matches!(err, PasskeyError::PossibleClone), "{err:?}");
    }

    #[test]
    fn a_counter_going_backwards_is_refused_as_a_possible_clone() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let mut stored = register(&rp, &mut key, &origin, Uuid::now_v7());
        let (first_options, first_state) = rp.start_sign_in().unwrap();
        let (second_options, second_state) = rp.start_sign_in().unwrap();
        let first = key.sign_in(&origin, &first_options); // counter 1
        let second = key.sign_in(&origin, &second_options); // counter 2
        let used = rp.finish_sign_in(&second, second_state, std::slice::from_ref(&stored)).unwrap();
        apply(&mut stored, &used);
        let err = rp.finish_sign_in(&first, first_state, std::slice::from_ref(&stored)).unwrap_err();
        assert!(matches!(err, PasskeyError::PossibleClone), "{err:?}");
        assert_eq!(err.to_string(), "this passkey may have been copied and was not accepted");
    }

    #[test]
    fn tampered_responses_are_refused() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let stored = register(&rp, &mut key, &origin, Uuid::now_v7());
        let passkeys = std::slice::from_ref(&stored);

        let (options, state) = rp.start_sign_in().unwrap();
        let mut response = key.sign_in(&origin, &options);
        let signature = response["response"]["signature"].as_str().unwrap().to_owned();
        let mut bytes = URL_SAFE_NO_PAD.decode(&signature).unwrap();
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        response["response"]["signature"] = json!(URL_SAFE_NO_PAD.encode(&bytes));
        let err = rp.finish_sign_in(&response, state, passkeys).unwrap_err();
        assert!(matches!(err, PasskeyError::Rejected { .. }), "{err:?}");
        assert_eq!(err.to_string(), "the passkey was not accepted");

        let (options, _state) = rp.start_sign_in().unwrap();
        let mut response = key.sign_in(&origin, &options);
        response["response"]["userHandle"] = Value::Null;
        assert!(matches!(rp.identify(&response).unwrap_err(), PasskeyError::NoUserHandle));
        response["response"]["userHandle"] = json!("bm90LWEtdXVpZA");
        assert!(matches!(rp.identify(&response).unwrap_err(), PasskeyError::NoUserHandle));
        for malformed in [json!({}), json!("x"), json!({ "id": stored.credential_id })] {
            assert!(matches!(rp.identify(&malformed).unwrap_err(), PasskeyError::Malformed { .. }));
            let (_options, state) = rp.start_sign_in().unwrap();
            assert!(matches!(
                rp.finish_sign_in(&malformed, state, passkeys).unwrap_err(),
                PasskeyError::Malformed { .. }
            ));
            let (_options, state) = rp.start_registration(Uuid::now_v7(), "a", "A", &[]).unwrap();
            assert!(matches!(rp.finish_registration(&malformed, state).unwrap_err(), PasskeyError::Malformed { .. }));
        }
    }

    #[test]
    fn registration_excludes_the_users_existing_passkeys() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let user = Uuid::now_v7();
        let stored = register(&rp, &mut key, &origin, user);
        let (options, _state) = rp.start_registration(user, "ada", "Ada", std::slice::from_ref(&stored)).unwrap();
        assert_eq!(options["publicKey"]["excludeCredentials"][0]["id"], json!(stored.credential_id));
        assert!(key.try_register(&origin, &options).is_err(), "the same authenticator must not register twice");
        // Another authenticator may.
        let (options, state) = rp.start_registration(user, "ada", "Ada", std::slice::from_ref(&stored)).unwrap();
        let second = rp.finish_registration(&SoftPasskey::new().register(&origin, &options), state).unwrap();
        assert_ne!(second.credential_id, stored.credential_id);
    }

    #[test]
    fn stored_data_that_does_not_match_its_credential_id_is_refused() {
        let (rp, origin) = localhost();
        let stored = register(&rp, &mut SoftPasskey::new(), &origin, Uuid::now_v7());
        let other = register(&rp, &mut SoftPasskey::new(), &origin, Uuid::now_v7());
        let mixed = StoredPasskey { data: other.data.clone(), ..stored.clone() };
        let garbage = StoredPasskey { data: "{}".into(), ..stored };
        for bad in [mixed, garbage] {
            let err = rp.start_second_factor(std::slice::from_ref(&bad)).unwrap_err();
            assert!(matches!(err, PasskeyError::StoredData { .. }), "{err:?}");
        }
    }

    #[test]
    fn relying_party_configuration() {
        let cases = [
            ("localhost", "http://localhost:3000", true),
            ("localhost", "http://localhost", true),
            ("example.com", "https://example.com", true),
            ("example.com", "https://login.example.com/tenant/acme?x=1", true),
            ("login.example.com", "https://login.example.com:8443", true),
            // IP addresses are never valid WebAuthn origins.
            ("127.0.0.1", "http://127.0.0.1:3000", false),
            ("localhost", "http://127.0.0.1:3000", false),
            ("::1", "http://[::1]:3000", false),
            // http only on localhost.
            ("example.com", "http://example.com", false),
            // The RP ID must be the host or a parent domain of it.
            ("other.com", "https://login.example.com", false),
            ("ample.com", "https://example.com", false),
            ("login.example.com", "https://example.com", false),
        ];
        for (rp_id, origin, ok) in cases {
            let result = PasskeyRp::new(rp_id, &url(origin), "Ciam");
            assert_eq!(result.is_ok(), ok, "{rp_id} {origin}: {result:?}");
            if let Err(e) = result {
                assert!(matches!(e, PasskeyError::Config { .. }));
            }
        }
    }

    #[test]
    fn loopback_origins_accept_any_port_and_others_do_not() {
        let (rp, origin) = localhost();
        let mut key = SoftPasskey::new();
        let stored = register(&rp, &mut key, &url("http://localhost:41234"), Uuid::now_v7());
        let (options, state) = rp.start_sign_in().unwrap();
        let response = key.sign_in(&origin, &options);
        rp.finish_sign_in(&response, state, std::slice::from_ref(&stored)).unwrap();
    }

    #[test]
    fn states_do_not_show_their_challenge_in_debug_output() {
        let (rp, _origin) = localhost();
        let (options, state) = rp.start_sign_in().unwrap();
        let challenge = options["publicKey"]["challenge"].as_str().unwrap().to_owned();
        assert_eq!(format!("{state:?}"), "SignInState(..)");
        let stored = serde_json::to_string(&state).unwrap();
        assert!(!format!("{:?}", through_store(state)).contains(&challenge));
        assert!(stored.len() > challenge.len(), "the state serializes its content");
        let (options, state) = rp.start_registration(Uuid::now_v7(), "ada", "Ada", &[]).unwrap();
        let challenge = options["publicKey"]["challenge"].as_str().unwrap().to_owned();
        assert!(!format!("{state:?}").contains(&challenge));
    }
}
