//! `/t/{tenant}/account`: who is signed in, and the way to every account page.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::views::{Nav, OverviewPage};
use super::{Need, holder};
use crate::error::PageError;
use crate::http::Path;
use crate::oidc::pages::html;
use crate::state::AppState;

/// `GET /t/{tenant}/account`.
pub(in crate::oidc) async fn overview(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    const PAGE: &str = "account";
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let profile = h.ctx.path("account/profile");
    Ok(html(
        StatusCode::OK,
        &OverviewPage {
            brand: &h.ctx.brand,
            nav: Nav::new(&h.ctx, PAGE),
            email: h.user.email.as_str(),
            email_verified: h.user.email_verified,
            name: h.user.profile.name.as_deref(),
            profile: &profile,
        },
    ))
}
