//! Invitations: an administrator invites an address; the link (mailed, and returned once to
//! the administrator) lets that address create its account, verified, once.
//!
//! Audited as `invitation.created`, `invitation.revoked` and, when used, `user.signed_up` with
//! the invitation's id.

use std::time::Duration;

use ciam_core::audit::AuditRecord;
use ciam_core::email::Email;
use ciam_core::invitation::Invitation;
use ciam_core::secret::{Secret, SecretHash};
use ciam_core::tenant::Tenant;

use super::{By, ServiceError, accounts, audited, outbox};
use crate::i18n::msg;
use crate::state::AppState;

/// A new invitation and its link (shown once).
pub(crate) struct Issued {
    pub(crate) invitation: Invitation,
    pub(crate) url: Secret,
}

fn event(kind: &str, invitation: &Invitation) -> AuditRecord {
    let mut e = AuditRecord::allow(kind);
    e.reason = Some(invitation.id.clone());
    e
}

/// Invites `email` for `lifetime`; mails the link when `mail` is set.
pub(crate) async fn create(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    email: Email,
    lifetime: Duration,
    mail: bool,
) -> Result<Issued, ServiceError> {
    let token = Secret::generate();
    let now = st.clock.now();
    let invitation = Invitation {
        tenant_id: tenant.id.clone(),
        id: Invitation::new_id(),
        email,
        created_at: now,
        expires_at: now + lifetime,
        used_at: None,
        user_id: None,
        revoked_at: None,
    };
    st.durable.create_invitation(&invitation, token.hash().as_str()).await?;
    audited(st, &tenant.id, by, event("invitation.created", &invitation)).await?;
    let query =
        url::form_urlencoded::Serializer::new(String::new()).append_pair("invitation", token.expose_secret()).finish();
    let url = Secret::new(format!("{}/t/{}/signup?{query}", st.node.public_url, tenant.id));
    if mail {
        let until = invitation.expires_at.date().to_string();
        let locale = tenant.settings.branding.default_locale();
        let args = [("tenant", tenant.display_name.as_str()), ("link", url.expose_secret()), ("until", &until)];
        let message = accounts::localised_mail(
            &invitation.email,
            locale,
            msg!("mail-invitation-subject"),
            msg!("mail-invitation-text"),
            &args,
        );
        accounts::queue(st, tenant, message, outbox::Delivery { valid_for: lifetime, discard: false }).await?;
    }
    Ok(Issued { invitation, url })
}

/// Withdraws a pending invitation; `false` when it was not pending.
pub(crate) async fn revoke(
    st: &AppState,
    tenant: &Tenant,
    by: &By,
    invitation: &Invitation,
) -> Result<bool, ServiceError> {
    if !st.durable.revoke_invitation(&tenant.id, &invitation.id, st.clock.now()).await? {
        return Ok(false);
    }
    audited(st, &tenant.id, by, event("invitation.revoked", invitation)).await?;
    Ok(true)
}

/// The pending invitation whose link carries `token`.
pub(crate) async fn pending(st: &AppState, tenant: &Tenant, token: &str) -> Result<Option<Invitation>, ServiceError> {
    let found = st.durable.find_invitation(&tenant.id, SecretHash::of(token).as_str()).await?;
    let now = st.clock.now();
    Ok(found.filter(|i| i.state(now) == ciam_core::invitation::InvitationState::Pending))
}
