//! Tests of the identity-provider side: responses checked by the crate's own service-provider
//! verification, requests signed here by hand as a service provider would, logout round trips,
//! service providers' metadata.

mod issue;
mod logout;
mod metadata;
mod receive;

use std::sync::OnceLock;

use time::OffsetDateTime;

use crate::SamlKey;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const IDP: &str = "https://idp.test/saml";
const SP: &str = "https://sp.test/saml/corp";
const ACS: &str = "https://sp.test/saml/corp/acs";
const SSO: &str = "https://idp.test/saml/sso";

fn now() -> Result<OffsetDateTime, time::error::ComponentRange> {
    // 2027-01-15T08:00:00Z
    OffsetDateTime::from_unix_timestamp(1_800_000_000)
}

/// The identity provider's key and a service provider's (RSA key generation is slow: made once).
fn keys() -> Result<&'static (SamlKey, SamlKey), Box<dyn std::error::Error>> {
    static KEYS: OnceLock<Result<(SamlKey, SamlKey), String>> = OnceLock::new();
    let made = KEYS.get_or_init(|| {
        let now = now().map_err(|e| e.to_string())?;
        Ok((SamlKey::generate(IDP, now)?, SamlKey::generate(SP, now)?))
    });
    made.as_ref().map_err(|e| e.clone().into())
}

fn idp_key() -> Result<&'static SamlKey, Box<dyn std::error::Error>> {
    Ok(&keys()?.0)
}

fn sp_key() -> Result<&'static SamlKey, Box<dyn std::error::Error>> {
    Ok(&keys()?.1)
}
