//! Sign-in through an upstream OpenID Connect provider: the checks on the upstream's ID token
//! claims (OIDC Core §3.1.3.7; the signature is checked before, with the upstream's JWK Set),
//! what the upstream's answer says about the person (address, profile, methods), and the one
//! rule that decides which account it signs in.
//!
//! # Linking without takeover
//! An upstream account is found again by (provider, `sub`) only. An address it asserts leads to
//! the existing account with that address only when the upstream says the address is verified
//! **and** the tenant trusts the provider for the address's domain; otherwise the person must
//! prove the existing account (sign in to it) before the link is made. A provider that may not
//! create users never does.

use ciam_core::Amr;
use ciam_core::email::Email;
use ciam_core::federation::{MAPPABLE_CLAIMS, ProviderConfig, ProviderKind};
use ciam_core::id::UserId;
use ciam_core::user::UserProfile;
use serde_json::{Map, Value};

/// How far in the future an upstream's `iat` may be, and how long after `exp` its ID token is
/// still taken: clocks of two organisations differ.
pub const CLOCK_SKEW_SECS: i64 = 120;
/// The longest `sub` kept (OIDC Core §2 allows 255 ASCII characters).
const MAX_SUBJECT: usize = 255;

/// Why an upstream's ID token is refused. The variants are for logs and the audit trail; the
/// person sees that the sign-in with the provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// `iss` is not the provider's issuer.
    #[error("the ID token's issuer is not the provider's")]
    Issuer,
    /// `aud` does not hold ciam's client id, or `azp` names another client.
    #[error("the ID token is for another audience")]
    Audience,
    /// `exp` passed, or is missing.
    #[error("the ID token has expired")]
    Expired,
    /// `iat` is missing or in the future.
    #[error("the ID token was issued in the future")]
    IssuedAt,
    /// `nonce` differs from the one sent.
    #[error("the ID token's nonce does not match")]
    Nonce,
    /// `sub` is missing or not a short string.
    #[error("the ID token has no usable subject")]
    Subject,
    /// The Microsoft directory (`tid`) is not one the provider allows.
    #[error("the account's directory is not allowed")]
    Directory,
}

/// Who an upstream says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamAccount {
    /// The upstream's `sub`.
    pub subject: String,
    /// The address it asserts, if it is a valid one.
    pub email: Option<Email>,
    /// Whether the upstream says the address is verified.
    pub email_verified: bool,
    /// The methods this sign-in counts as here: `fed`, and `mfa` when the provider is trusted
    /// for it and the upstream says it did multi-factor authentication.
    pub amr: Vec<Amr>,
    /// Profile claims, through the provider's claim mapping (invalid values left out).
    pub profile: UserProfile,
}

/// What a sign-in through ciam's upstream expects of its ID token.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The provider.
    pub config: &'a ProviderConfig,
    /// The issuer the upstream's discovery document gave (the same as `config.issuer`, except
    /// for Microsoft's multi-tenant endpoints, whose issuer holds `{tenantid}`).
    pub issuer: &'a str,
    /// The nonce sent in the authorization request.
    pub nonce: &'a str,
    /// Now, unix seconds.
    pub now: i64,
}

fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// Whether the token's `iss` is the provider's: the discovered issuer exactly; for Google also
/// `accounts.google.com` without a scheme (which Google documents); for Microsoft's multi-tenant
/// issuers, the issuer with the token's own `tid` put in place of `{tenantid}`.
fn issuer_matches(expect: &Expected<'_>, claims: &Map<String, Value>) -> Result<(), UpstreamError> {
    let iss = str_claim(claims, "iss").ok_or(UpstreamError::Issuer)?;
    match expect.config.kind {
        ProviderKind::Microsoft if expect.issuer.contains("{tenantid}") => {
            let tid = str_claim(claims, "tid").ok_or(UpstreamError::Issuer)?;
            let tid_ok = !tid.is_empty() && tid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !tid_ok || iss != expect.issuer.replace("{tenantid}", tid) {
                return Err(UpstreamError::Issuer);
            }
        }
        ProviderKind::Google if iss == "accounts.google.com" && expect.issuer == "https://accounts.google.com" => {}
        _ if iss == expect.issuer => {}
        _ => return Err(UpstreamError::Issuer),
    }
    let allowed = &expect.config.allowed_tenants;
    if !allowed.is_empty() && !str_claim(claims, "tid").is_some_and(|t| allowed.iter().any(|a| a == t)) {
        return Err(UpstreamError::Directory);
    }
    Ok(())
}

/// Checks an upstream ID token's claims (its signature already verified) and reads the account.
pub fn check_id_token(claims: &Map<String, Value>, expect: &Expected<'_>) -> Result<UpstreamAccount, UpstreamError> {
    issuer_matches(expect, claims)?;
    let client_id = expect.config.client_id.as_str();
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&client_id) {
        return Err(UpstreamError::Audience);
    }
    // OIDC Core §3.1.3.7 (4, 5): with several audiences `azp` must name this client; when
    // present it must be this client.
    match str_claim(claims, "azp") {
        Some(azp) if azp != client_id => return Err(UpstreamError::Audience),
        None if audiences.len() > 1 => return Err(UpstreamError::Audience),
        _ => {}
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(UpstreamError::Expired)?;
    if exp + CLOCK_SKEW_SECS <= expect.now {
        return Err(UpstreamError::Expired);
    }
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or(UpstreamError::IssuedAt)?;
    if iat > expect.now + CLOCK_SKEW_SECS {
        return Err(UpstreamError::IssuedAt);
    }
    let nonce_ok = str_claim(claims, "nonce")
        .is_some_and(|n| bool::from(subtle::ConstantTimeEq::ct_eq(n.as_bytes(), expect.nonce.as_bytes())));
    if !nonce_ok {
        return Err(UpstreamError::Nonce);
    }
    let subject = str_claim(claims, "sub").filter(|s| !s.is_empty() && s.len() <= MAX_SUBJECT);
    let subject = subject.filter(|s| !s.chars().any(char::is_control)).ok_or(UpstreamError::Subject)?;
    Ok(account(subject, claims, expect.config))
}

/// The account an upstream's claims describe (from the ID token, with the userinfo response's
/// claims added where the ID token had none).
pub fn account(subject: &str, claims: &Map<String, Value>, config: &ProviderConfig) -> UpstreamAccount {
    let email = str_claim(claims, "email").and_then(|e| Email::parse(e).ok());
    // Some providers send `"email_verified": "true"` as a string.
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    UpstreamAccount {
        subject: subject.to_owned(),
        email,
        email_verified,
        amr: upstream_amr(claims, config),
        profile: mapped_profile(claims, config),
    }
}

/// `fed`, and `mfa` when the tenant trusts the upstream's multi-factor authentication and the
/// upstream says it did some (`amr` holding `mfa`, or an `acr` the provider lists).
pub fn upstream_amr(claims: &Map<String, Value>, config: &ProviderConfig) -> Vec<Amr> {
    let said_mfa = claims.get("amr").and_then(Value::as_array).is_some_and(|a| a.iter().any(|m| m == "mfa"))
        || str_claim(claims, "acr").is_some_and(|acr| config.mfa_acr_values.iter().any(|v| v == acr));
    if config.trust_mfa && said_mfa { vec![Amr::Fed, Amr::Mfa] } else { vec![Amr::Fed] }
}

/// The profile claims the upstream's claims give, through the provider's mapping; a value the
/// profile would refuse (too long, not https) is left out rather than failing the sign-in.
pub fn mapped_profile(claims: &Map<String, Value>, config: &ProviderConfig) -> UserProfile {
    let mapped: Map<String, Value> = MAPPABLE_CLAIMS
        .iter()
        .filter_map(|claim| {
            let from = config.claim_mapping.get(*claim).map_or(*claim, String::as_str);
            str_claim(claims, from).map(|v| ((*claim).to_owned(), Value::String(v.to_owned())))
        })
        .collect();
    UserProfile::lenient(&mapped)
}

/// The account GitHub describes (it has no ID token): its user API's answer (`GET /user`) and
/// its verified-emails API's (`GET /user/emails`, empty when the token may not read it). The
/// subject is the numeric account id (a login can be renamed and reused); the address is the
/// primary verified one, else any verified one, else the public profile address, unverified.
pub fn github_account(
    user: &Map<String, Value>,
    emails: &[Value],
    config: &ProviderConfig,
) -> Result<UpstreamAccount, UpstreamError> {
    let subject = user.get("id").and_then(Value::as_u64).ok_or(UpstreamError::Subject)?.to_string();
    let verified = |e: &&Value| e.get("verified").and_then(Value::as_bool) == Some(true);
    let primary = emails.iter().filter(verified).find(|e| e.get("primary").and_then(Value::as_bool) == Some(true));
    let chosen = primary.or_else(|| emails.iter().find(verified)).and_then(|e| str_claim_of(e, "email"));
    let mut claims = Map::new();
    match chosen {
        Some(email) => {
            claims.insert("email".into(), Value::String(email.to_owned()));
            claims.insert("email_verified".into(), Value::Bool(true));
        }
        None => {
            if let Some(public) = str_claim(user, "email") {
                claims.insert("email".into(), Value::String(public.to_owned()));
            }
        }
    }
    for (to, from) in [
        ("name", "name"),
        ("nickname", "login"),
        ("preferred_username", "login"),
        ("picture", "avatar_url"),
        ("website", "blog"),
    ] {
        if let Some(v) = str_claim(user, from).filter(|v| !v.is_empty()) {
            claims.entry(to).or_insert_with(|| Value::String(v.to_owned()));
        }
    }
    // Upstream claim names in a mapping refer to GitHub's own fields.
    for (k, v) in user {
        claims.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Ok(account(&subject, &claims, config))
}

fn str_claim_of<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

/// Sign in with Apple sends the person's name once, at the first sign-in, in the `user` form
/// field of its `form_post` answer (`{"name": {"firstName": …, "lastName": …}}`): the profile
/// claims it gives (`given_name`, `family_name`, `name`), none when it is absent or malformed.
pub fn apple_first_sign_in_name(user: Option<&str>) -> Map<String, Value> {
    let mut claims = Map::new();
    let Some(parsed) = user.and_then(|u| serde_json::from_str::<Value>(u).ok()) else { return claims };
    let part = |k: &str| parsed.get("name").and_then(|n| n.get(k)).and_then(Value::as_str).map(str::trim);
    let (first, last) = (part("firstName").filter(|s| !s.is_empty()), part("lastName").filter(|s| !s.is_empty()));
    if let Some(f) = first {
        claims.insert("given_name".into(), Value::String(f.to_owned()));
    }
    if let Some(l) = last {
        claims.insert("family_name".into(), Value::String(l.to_owned()));
    }
    let full: Vec<&str> = [first, last].into_iter().flatten().collect();
    if !full.is_empty() {
        claims.insert("name".into(), Value::String(full.join(" ")));
    }
    claims
}

/// The attributes an address is looked for in, when a SAML NameID is not one.
pub const SAML_EMAIL_ATTRIBUTES: [&str; 4] = [
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];

/// NameID formats that name the same person every time (a transient one does not, and cannot
/// be linked).
const SAML_STABLE_FORMATS: [&str; 4] = [
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos",
];
const SAML_EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/// The account a checked SAML assertion describes: the subject is its NameID (persistent,
/// email or unspecified; a transient one is refused); the address is the NameID when its format
/// is email, else the configured or a usual attribute; profile claims through the mapping
/// (profile claim → attribute name, first value); `mfa` when trusted and the authentication
/// context is one of `mfa_acr_values`. A SAML identity provider says nothing of verification:
/// its address counts as verified only in a domain the provider is trusted for.
pub fn saml_account(
    name_id: &str,
    name_id_format: Option<&str>,
    attributes: &std::collections::BTreeMap<String, Vec<String>>,
    authn_context: Option<&str>,
    config: &ProviderConfig,
) -> Result<UpstreamAccount, UpstreamError> {
    if name_id_format.is_some_and(|f| !SAML_STABLE_FORMATS.contains(&f)) {
        return Err(UpstreamError::Subject);
    }
    let first = |name: &str| attributes.get(name).and_then(|v| v.first()).map(String::as_str);
    let email = match (name_id_format, &config.saml_email_attribute) {
        (Some(SAML_EMAIL_FORMAT), _) => Some(name_id),
        (_, Some(attribute)) => first(attribute),
        (_, None) => SAML_EMAIL_ATTRIBUTES.iter().find_map(|a| first(a)),
    };
    let mut claims: Map<String, Value> =
        attributes.iter().filter_map(|(k, v)| v.first().map(|f| (k.clone(), Value::String(f.clone())))).collect();
    if let Some(e) = email {
        claims.insert("email".into(), Value::String(e.to_owned()));
    }
    if let Some(acr) = authn_context {
        claims.insert("acr".into(), Value::String(acr.to_owned()));
    }
    let mut account = account(name_id, &claims, config);
    account.email_verified = in_domains(&config.trusted_email_domains, account.email.as_ref());
    Ok(account)
}

/// What the server knows when an upstream account arrives.
#[derive(Debug, Clone, Copy)]
pub struct LinkFacts<'a> {
    /// The provider.
    pub config: &'a ProviderConfig,
    /// The account the upstream signed in.
    pub account: &'a UpstreamAccount,
    /// The user already linked to (provider, `sub`), if any.
    pub linked: Option<UserId>,
    /// The user whose address is the one the upstream asserted, if any.
    pub same_email: Option<UserId>,
}

/// Which account an upstream sign-in reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The linked user signs in.
    SignIn(UserId),
    /// The existing user with the verified address, in a domain the provider is trusted for:
    /// link, then sign in.
    AutoLink(UserId),
    /// An account with that address exists but the upstream may not claim it: the person signs
    /// in to it once, and the link is made then.
    ProveExisting(UserId),
    /// A new user, created from the upstream's claims, linked.
    Create,
    /// No sign-in.
    Refuse(Refusal),
}

/// Why an upstream account cannot sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The provider takes only addresses of some domains, and this is not one.
    DomainNotAllowed,
    /// No account is linked and the provider may not create one.
    NoAccount,
    /// An account would be created, but the upstream gave no usable address.
    NoEmail,
}

fn domain_of(email: &Email) -> &str {
    email.normalized().rsplit('@').next().unwrap_or_default()
}

fn in_domains(domains: &[String], email: Option<&Email>) -> bool {
    email.is_some_and(|e| domains.iter().any(|d| d.eq_ignore_ascii_case(domain_of(e))))
}

/// The linking rule (see the module documentation).
pub fn resolve(facts: LinkFacts<'_>) -> Resolution {
    let LinkFacts { config, account, linked, same_email } = facts;
    if !config.allowed_domains.is_empty() && !in_domains(&config.allowed_domains, account.email.as_ref()) {
        return Resolution::Refuse(Refusal::DomainNotAllowed);
    }
    if let Some(user) = linked {
        return Resolution::SignIn(user);
    }
    if let Some(user) = same_email {
        let trusted = account.email_verified && in_domains(&config.trusted_email_domains, account.email.as_ref());
        return if trusted { Resolution::AutoLink(user) } else { Resolution::ProveExisting(user) };
    }
    match (config.create_users, &account.email) {
        (false, _) => Resolution::Refuse(Refusal::NoAccount),
        (true, None) => Resolution::Refuse(Refusal::NoEmail),
        (true, Some(_)) => Resolution::Create,
    }
}

#[cfg(test)]
#[path = "federation_tests.rs"]
mod tests;
