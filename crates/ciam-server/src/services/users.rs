//! Users: creating, changing and deleting them. A new password or a disabled account ends
//! every grant of the user (standards S14): refresh-token families are revoked and SSO sessions
//! end, whichever door the change came through.
//!
//! Audited as `user.created`, `user.updated` (with `user.password_changed`, `user.disabled` or
//! `user.enabled` when the change is one of those), `user.deleted`, `consent.revoked` and
//! `factor.reset`: the user's id, never the address, the password or an authenticator's secret.
//! A change a user makes to their own account (the account centre) is stamped with their id as
//! the actor ([`By::user`]).

use ciam_authn::PasswordPolicy;
use ciam_authn::passkey::StoredPasskey;
use ciam_core::audit::AuditRecord;
use ciam_core::factor::{Factor, FactorKind};
use ciam_core::id::{ClientId, TenantId, UserId};
use ciam_core::secret::Secret;
use ciam_core::store::StoreError;
use ciam_core::tenant::Tenant;
use ciam_core::user::{Imported, ImportedUser, PasswordHash, User, UserStatus};
use ciam_core::validation::FieldError;

use super::{By, ServiceError, audited, delegations, sessions};
use crate::state::AppState;

fn event(kind: &str, user: &UserId) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.user_id = Some(user.to_string());
    e
}

/// The password hash of a user written through the management API: `password` hashed after the
/// tenant's rules, or `password_hash`, a hash imported from another system as it is (argon2,
/// bcrypt, PBKDF2, scrypt, SHA-crypt, salted SHA-2, see `ciam_authn::legacy`; the user's first sign-in
/// replaces it with an argon2id hash). Not both.
pub(crate) async fn password_or_hash(
    st: &AppState,
    tenant: &Tenant,
    password: Option<Secret>,
    password_hash: Option<Secret>,
) -> Result<Option<PasswordHash>, ServiceError> {
    let Some(imported) = password_hash else { return hash_password(st, tenant, password).await };
    if password.is_some() {
        return Err(ServiceError::Invalid(FieldError::new("password_hash", "give either password or password_hash")));
    }
    let stored = imported.expose_secret().trim();
    ciam_authn::PasswordHasher::check_stored(stored)
        .map_err(|why| ServiceError::Invalid(FieldError::new("password_hash", why)))?;
    Ok(Some(PasswordHash::new(stored.to_owned())))
}

/// Hashes a new password after checking it against the tenant's password rules.
pub(crate) async fn hash_password(
    st: &AppState,
    tenant: &Tenant,
    password: Option<Secret>,
) -> Result<Option<PasswordHash>, ServiceError> {
    let Some(password) = password else { return Ok(None) };
    let login = &tenant.settings.login;
    let policy = PasswordPolicy { min_length: login.password_min_length, refuse_common: login.refuse_common_passwords };
    policy.check(&password).map_err(ServiceError::Invalid)?;
    st.passwords.hash(password).await.map(Some).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Creates `user`, with `password` (already hashed) when given.
pub(crate) async fn create(
    st: &AppState,
    by: &By,
    user: &User,
    password: Option<&PasswordHash>,
) -> Result<(), ServiceError> {
    st.durable.create_user(user, password).await?;
    audited(st, &user.tenant_id, by, event("user.created", &user.id)).await
}

/// Replaces `before` with `after` (and the password, when given). A new password or a disabled
/// account revokes the user's refresh-token families and ends their sessions.
pub(crate) async fn update(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    before: &User,
    after: &User,
    password: Option<&PasswordHash>,
) -> Result<(), ServiceError> {
    update_keeping(st, by, tenant, before, after, password, None).await
}

/// [`update`], for a user changing their own password in the browser whose session has the
/// public id `keep`: every other session ends, that one stays signed in (its refresh-token
/// families end all the same).
pub(crate) async fn update_keeping(
    st: &AppState,
    by: &By,
    tenant: &Tenant,
    before: &User,
    after: &User,
    password: Option<&PasswordHash>,
    keep: Option<&str>,
) -> Result<(), ServiceError> {
    st.durable.update_user(after, password).await?;
    // Refresh tokens stop working, and introspection and userinfo refuse a disabled user's
    // access tokens.
    if password.is_some() || after.status == UserStatus::Disabled {
        sign_out_everywhere(st, tenant, after, keep.filter(|_| after.status == UserStatus::Active)).await?;
    }
    audited(st, &tenant.id, by, event("user.updated", &after.id)).await?;
    if password.is_some() {
        audited(st, &tenant.id, by, event("user.password_changed", &after.id)).await?;
    }
    match (before.status, after.status) {
        (UserStatus::Active, UserStatus::Disabled) => {
            audited(st, &tenant.id, by, event("user.disabled", &after.id)).await
        }
        (UserStatus::Disabled, UserStatus::Active) => {
            audited(st, &tenant.id, by, event("user.enabled", &after.id)).await
        }
        _ => Ok(()),
    }
}

/// Ends every grant of `user`: their refresh-token families issued until `user.updated_at`, and
/// every SSO session but `keep` (the public id of the browser that made the change, if it stays
/// signed in).
pub(crate) async fn sign_out_everywhere(
    st: &AppState,
    tenant: &Tenant,
    user: &User,
    keep: Option<&str>,
) -> Result<(), ServiceError> {
    st.durable.revoke_user_refresh_families(&user.tenant_id, &user.id, user.updated_at).await?;
    let which = keep.map_or(sessions::Which::All, sessions::Which::AllBut);
    sessions::end_all_of(st, &tenant.ns(), &user.id.to_string(), which).await.map_err(ServiceError::Sessions)?;
    Ok(())
}

/// The name a new passkey is stored under: `given` trimmed to at most 64 characters, else
/// `default` (when blank or absent).
pub(crate) fn passkey_name(given: Option<&str>, default: &str) -> String {
    given.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(default).chars().take(64).collect()
}

/// A new passkey of `user` named `name` (see [`passkey_name`]), as the durable store keeps it.
pub(crate) fn passkey_factor(
    st: &AppState,
    user: &User,
    name: String,
    passkey: &StoredPasskey,
) -> Result<Factor, ServiceError> {
    Ok(Factor {
        tenant_id: user.tenant_id.clone(),
        id: Factor::generate_id(),
        user_id: user.id,
        kind: FactorKind::Passkey,
        name,
        lookup: Some(passkey.credential_id.clone()),
        data: serde_json::to_string(passkey).map_err(|e| ServiceError::Internal(e.to_string()))?,
        created_at: st.clock.now(),
        last_used_at: None,
    })
}

/// Imports a batch of users (lines `first_line`.. of an import) in one transaction, a user the
/// tenant already has left as it is, then links each user's upstream accounts (`links`, beside
/// `batch`). Returns each user's outcome with the providers whose account is linked to another
/// user already (not linked). Audited as one `user.imported` event per batch, with the lines,
/// how many users were created and how many accounts linked.
pub(crate) async fn import(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    batch: &[ImportedUser],
    links: &[Vec<(String, String)>],
    lines: (u64, u64),
) -> Result<Vec<(Imported, Vec<String>)>, ServiceError> {
    let done = st.durable.import_users(tenant, batch).await?;
    let created = done.iter().filter(|d| matches!(d, Imported::Created(_))).count();
    let mut linked = 0;
    let mut outcomes = Vec::with_capacity(done.len());
    for (outcome, wanted) in done.into_iter().zip(links) {
        let (Imported::Created(user) | Imported::Existing(user)) = outcome;
        let mut refused = Vec::new();
        for (provider, subject) in wanted {
            let link = super::federation::identity(st, tenant, (provider, subject), None, &user);
            match st.durable.link_identity(&link).await {
                Ok(()) => linked += 1,
                Err(StoreError::Conflict { .. }) => {
                    let owner = st.durable.find_identity(tenant, provider, subject).await?.map(|l| l.user_id);
                    if owner != Some(user) {
                        refused.push(provider.clone());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        outcomes.push((outcome, refused));
    }
    let mut e = AuditRecord::allow("user.imported");
    e.reason = Some(format!(
        "lines {}-{}: {created} created, {} already there, {linked} upstream accounts linked",
        lines.0,
        lines.1,
        outcomes.len() - created
    ));
    audited(st, tenant, by, e).await?;
    Ok(outcomes)
}

/// Records an export of a tenant's users (`user.exported`), saying whether it has their
/// password hashes.
pub(crate) async fn exported(st: &AppState, by: &By, tenant: &TenantId, hashes: bool) -> Result<(), ServiceError> {
    let mut e = AuditRecord::allow("user.exported");
    e.reason = Some(if hashes { "with password hashes" } else { "without password hashes" }.into());
    audited(st, tenant, by, e).await
}

/// Deletes a user and their credentials; `false` when there was none. Their delegations to
/// agents end first, each recorded as `delegation.revoked`.
pub(crate) async fn delete(st: &AppState, by: &By, tenant: &TenantId, id: &UserId) -> Result<bool, ServiceError> {
    // The database would end the delegations silently with the user.
    let given = st.durable.list_user_delegations(tenant, id).await?;
    delegations::end_all(st, tenant, given, &by.caller, "the user was deleted").await?;
    if !st.durable.delete_user(tenant, id).await? {
        return Ok(false);
    }
    audited(st, tenant, by, event("user.deleted", id)).await?;
    if *tenant == st.node.admin.control_tenant {
        super::admins::forget_principal(st, &ciam_core::admin::Principal::User(*id)).await?;
    }
    Ok(true)
}

/// Revokes `user`'s consent to `client` (the next authorization request asks again) and the
/// refresh tokens the client holds for the user (it keeps no access beyond its current access
/// tokens' few minutes); `false` when there was no consent. Audited as `consent.revoked`, with
/// how many refresh-token families ended.
pub(crate) async fn revoke_consent(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    client: &ClientId,
) -> Result<bool, ServiceError> {
    if !super::consents::forget_scopes(st, by, tenant, user, client).await? {
        return Ok(false);
    }
    let ended = st.durable.revoke_client_refresh_families(tenant, user, client, st.clock.now()).await?;
    let mut e = event("consent.revoked", user);
    e.client_id = Some(client.to_string());
    e.reason = Some(format!("refresh tokens ended ({ended})"));
    audited(st, tenant, by, e).await?;
    Ok(true)
}

/// Removes `user`'s authenticators (all, or all of `kind`) for a user who lost theirs; returns
/// how many. Audited as `factor.reset`, naming what was removed.
pub(crate) async fn reset_factors(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    kind: Option<FactorKind>,
) -> Result<u64, ServiceError> {
    let n = st.durable.delete_user_factors(tenant, user, kind).await?;
    let mut e = event("factor.reset", user);
    e.reason = Some(format!("{} removed ({n})", kind.map_or("all authenticators", FactorKind::as_str)));
    audited(st, tenant, by, e).await?;
    Ok(n)
}

/// Removes one authenticator of `user`; `false` when there is no such factor. Audited as
/// `factor.reset`.
pub(crate) async fn remove_factor(
    st: &AppState,
    by: &By,
    tenant: &TenantId,
    user: &UserId,
    factor: &str,
) -> Result<bool, ServiceError> {
    if !st.durable.delete_factor(tenant, user, factor).await? {
        return Ok(false);
    }
    let mut e = event("factor.reset", user);
    e.reason = Some(format!("factor {factor} removed"));
    audited(st, tenant, by, e).await?;
    Ok(true)
}
