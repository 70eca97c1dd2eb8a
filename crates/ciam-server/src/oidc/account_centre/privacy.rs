//! `/t/{tenant}/account/privacy`: the user's consents to the tenant's purposes, each granted or
//! withdrawn with one click (only what rests on consent may be withdrawn; what the service
//! needs to run ends with the account), and what the user can ask about their data.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::views::{Nav, PrivacyPage, PurposeRow, when};
use super::{Need, form_of, holder};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, tr, tr_with};
use crate::oidc::pages::{PurposeChoice, html};
use crate::oidc::web_flow::see_other;
use crate::services::By;
use crate::services::consents::{self, Channel};
use crate::state::AppState;

const PAGE: &str = "account/privacy";

/// `GET /t/{tenant}/account/privacy`.
pub(in crate::oidc) async fn privacy(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let all = consents::purposes(st, tenant).await?;
            let answers = st.durable.purpose_consents(tenant, &h.user.id).await?;
            let purposes = all
                .iter()
                .map(|p| {
                    let state = answers.iter().find(|a| a.purpose == p.id);
                    let granted = p.granted_by(state);
                    let status = match state {
                        Some(s) if granted => tr_with(
                            msg!("privacy-granted"),
                            &[("date", &when(s.at)), ("version", &s.version.to_string())],
                        ),
                        _ => tr(msg!("privacy-declined")),
                    };
                    PurposeRow {
                        choice: PurposeChoice::of(p, granted),
                        status,
                        withdrawable: p.spec.legal_basis.withdrawable(),
                    }
                })
                .collect();
            let action = format!("{}/consent", h.ctx.path(PAGE));
            Ok(html(
                StatusCode::OK,
                &PrivacyPage {
                    brand: &h.ctx.brand,
                    nav: Nav::new(&h.ctx, PAGE),
                    action: &action,
                    csrf: &h.session.csrf,
                    purposes,
                },
            ))
        })
        .await
}

/// `POST /t/{tenant}/account/privacy/consent`: grants or withdraws one purpose.
pub(in crate::oidc) async fn privacy_consent(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Session).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (st, tenant) = (&h.ctx.st, &h.ctx.tenant.id);
            let all = consents::purposes(st, tenant).await?;
            let purpose = all
                .iter()
                .find(|p| Some(p.id.as_str()) == form.get("purpose"))
                .ok_or_else(|| PageError::bad_request(msg!("error-invalid-form")))?;
            let grant = match form.get("decision") {
                Some("grant") => true,
                Some("withdraw") if purpose.spec.legal_basis.withdrawable() => false,
                _ => return Err(PageError::bad_request(msg!("error-invalid-form"))),
            };
            let at = Channel { page: "account", via_client: None };
            consents::answer(st, &By::user(caller, h.user.id), tenant, &h.user.id, &[(purpose, grant)], at).await?;
            Ok(see_other(&h.ctx.path(PAGE)))
        })
        .await
}
