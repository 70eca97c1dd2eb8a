//! Lazy migration: a tenant's old system checks the password of a user ciam does not have yet
//! (`settings.migration.legacy_password_check_url`), at that user's first sign-in here.
//!
//! # The request
//! `POST {url}` with `{"email": …, "password": …}` as JSON, through the guarded outbound client
//! (https, public addresses, no redirects, 3 seconds). It is signed: `Authorization: Bearer` a
//! JWT (ES256, the tenant's key, published at `{issuer}/jwks`) with `iss` the tenant's issuer,
//! `aud` the URL, a one-minute life, a `jti`, and `body_sha256`, the base64url SHA-256 of the
//! body, so the old system can tell the request is ciam's and was not altered. It answers `200`
//! with `{"valid": true, "user": {profile claims, "email_verified": …}}` or `{"valid": false}`.
//!
//! # Rules
//! - Asked only for an address the tenant has no user for, or an imported user without a
//!   password hash: never for a user who has one, so once a user is migrated the old system
//!   is not asked about them again, and never about accounts made here.
//! - A right password creates the user (or gives the imported one its hash) with an argon2id
//!   hash, in one write: audited `user.migrated`.
//! - An old system that is down, slow or answers anything else fails closed: the sign-in is
//!   refused with a message saying to try again later, and nothing is written.

use base64::Engine as _;
use ciam_core::audit::AuditRecord;
use ciam_core::email::Email;
use ciam_core::id::UserId;
use ciam_core::secret::{Secret, random_token};
use ciam_core::tenant::Tenant;
use ciam_core::user::{User, UserProfile, UserSource, UserStatus};
use serde_json::{Value, json};

use super::{By, ServiceError, audited};
use crate::state::AppState;

/// What the old system said about a first sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstSignIn {
    /// Not asked (no old system, or the user is ciam's already): check the password here.
    NotAsked,
    /// The password was right: this user now exists here with it.
    Migrated(UserId),
    /// The password was wrong (or the old system does not know the address).
    Wrong,
    /// The old system could not be asked; nothing was written.
    Unavailable,
}

/// What the sign-in already read about the address: its user, and whether it has a password.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Known<'a> {
    pub(crate) user: Option<&'a User>,
    pub(crate) has_password: bool,
}

/// Asks the old system about `email` and `password` when the rules say so, and migrates the user
/// when it says yes.
pub(crate) async fn first_sign_in(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    email: &Email,
    password: &Secret,
    known: Known<'_>,
) -> Result<FirstSignIn, ServiceError> {
    let Some(url) = tenant.settings.migration.legacy_password_check_url.as_deref() else {
        return Ok(FirstSignIn::NotAsked);
    };
    let existing = known.user;
    if let Some(user) = existing {
        let imported_without_hash =
            user.source == UserSource::Import && user.status == UserStatus::Active && !known.has_password;
        if !imported_without_hash {
            return Ok(FirstSignIn::NotAsked);
        }
    }
    let body = json!({"email": email.as_str(), "password": password.expose_secret()}).to_string();
    let now = st.clock.now();
    let keys = st.keys.keys(&tenant.id, now).await?;
    let key = keys.signing(ciam_jose::Alg::ES256)?;
    let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ciam_core::secret::sha256(body.as_bytes()));
    let claims = json!({
        "iss": st.issuer(&tenant.id), "aud": url, "iat": now.unix_timestamp(), "exp": now.unix_timestamp() + 60,
        "jti": random_token(16), "body_sha256": digest,
    });
    let token = ciam_jose::mint(&key, "JWT", &claims).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let user_claims = match st.upstreams.legacy_password_check(url, &token, body).await {
        Ok(Some(claims)) => claims,
        Ok(None) => return Ok(FirstSignIn::Wrong),
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, error = %e, "the old system's password check is unavailable");
            return Ok(FirstSignIn::Unavailable);
        }
    };
    let hash = st.passwords.hash(password.clone()).await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    let user = match existing {
        Some(user) => {
            st.durable.update_user(&User { updated_at: now, ..user.clone() }, Some(&hash)).await?;
            user.clone()
        }
        None => {
            let user = User {
                tenant_id: tenant.id.clone(),
                id: UserId::generate(),
                email: email.clone(),
                email_verified: user_claims.get("email_verified").and_then(Value::as_bool).unwrap_or(false),
                status: UserStatus::Active,
                profile: UserProfile::lenient(&user_claims),
                source: UserSource::Import,
                created_at: now,
                updated_at: now,
            };
            st.durable.create_user(&user, Some(&hash)).await?;
            user
        }
    };
    let mut e = AuditRecord::allow("user.migrated");
    e.user_id = Some(user.id.to_string());
    e.reason = Some("the old system's password check".into());
    audited(st, &tenant.id, by, e).await?;
    tracing::info!(tenant = %tenant.id, user = %user.id, "user migrated at first sign-in");
    Ok(FirstSignIn::Migrated(user.id))
}
