//! `/t/{tenant}/account/apps`: the apps the user allowed (remembered consents), what each may
//! do in the consent page's words, and removing an app's access: the consent is forgotten (the
//! next authorization asks again) and the refresh tokens the app holds for the user are revoked,
//! through the users service (audited `consent.revoked`, by the user).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::id::ClientId;
use ciam_core::scope::ScopeSet;

use super::views::{AppRow, AppsPage, Nav, when};
use super::{Need, confirm_link, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::msg;
use crate::oidc::pages::{describe_scope, html};
use crate::oidc::web_flow::see_other;
use crate::services::{By, users};
use crate::state::AppState;

const PAGE: &str = "account/apps";

/// A stored scope string in the consent page's words.
pub(super) fn scopes_in_words(scope: &str) -> Vec<String> {
    ScopeSet::parse_space_separated(scope)
        .map(|s| s.iter().map(describe_scope).collect())
        .unwrap_or_else(|_| scope.split_whitespace().map(describe_scope).collect())
}

/// `GET /t/{tenant}/account/apps`.
pub(in crate::oidc) async fn apps_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said = notice(query.as_deref(), &[("removed", msg!("apps-removed"))]);
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let mut apps = Vec::new();
            for (client_id, scope, granted) in st.durable.list_consents(tenant, &h.user.id).await? {
                let known = st.directory.client(st.durable.as_ref(), tenant, &client_id).await?;
                let name = known.map_or_else(|| client_id.to_string(), |k| k.client.name.clone());
                apps.push(AppRow {
                    client_id: client_id.to_string(),
                    name,
                    scopes: scopes_in_words(&scope),
                    granted: when(granted),
                });
            }
            let action = format!("{}/remove", h.ctx.path(PAGE));
            let launch_action = h.ctx.path("saml/launch");
            Ok(html(
                StatusCode::OK,
                &AppsPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    action: &action,
                    csrf: &h.session.csrf,
                    apps,
                    launch: crate::oidc::saml_idp::launchable(st, tenant).await?,
                    launch_action: &launch_action,
                    confirm: confirm_link(&h, PAGE).await?,
                    notice: said.as_deref(),
                },
            ))
        })
        .await
}

/// `POST /t/{tenant}/account/apps/remove`: removes the access of app `client`.
pub(in crate::oidc) async fn apps_remove(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Recent).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let gone = || PageError::new(StatusCode::NOT_FOUND, msg!("apps-gone"));
            let client = ClientId::parse(form.get("client").unwrap_or("")).map_err(|_| gone())?;
            let by = By::user(caller, h.user.id);
            if !users::revoke_consent(&h.ctx.st, &by, &h.ctx.tenant.id, &h.user.id, &client).await? {
                return Err(gone());
            }
            Ok(see_other(&format!("{}?done=removed", h.ctx.path(PAGE))))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_as_the_consent_page_words() {
        // In the consent page's order (the scope set's).
        assert_eq!(scopes_in_words("openid email"), vec![describe_scope("email"), describe_scope("openid")]);
        assert_eq!(scopes_in_words("trips:read"), vec!["Use the permission \u{201c}trips:read\u{201d}".to_owned()]);
    }
}
