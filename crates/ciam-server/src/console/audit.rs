//! A tenant's audit trail in the console: filtered by user, agent or client, event type and day,
//! newest pages by keyset, and the hash chain's verification on request.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use ciam_core::admin::Permission;
use ciam_core::audit::{AuditEvent, AuditFilter};
use ciam_core::tenant::Tenant;
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::pages::tenant_for;
use super::parts::{Frame, Page, Section, page_after, when};
use super::{failure, signed_in};
use crate::http::Path;
use crate::http::page::{Brand, hosted_pages, html};
use crate::i18n::{filters, msg, tr_with};
use crate::services::privacy_keys;
use crate::state::AppState;

hosted_pages!(AuditPage);

/// The filters, as typed (and given back to the form).
#[derive(Deserialize, Default)]
pub(super) struct AuditQuery {
    #[serde(default)]
    user: String,
    /// An agent or client, as the caller or anywhere in the actor chain.
    #[serde(default)]
    client: String,
    #[serde(default, rename = "type")]
    event_type: String,
    /// First day, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    since: String,
    /// Last day, `YYYY-MM-DD` (UTC), included.
    #[serde(default)]
    until: String,
    after: Option<String>,
    /// Check the hash chain.
    verify: Option<String>,
}

impl AuditQuery {
    /// The store's filter, or the field that is not a day.
    fn filter(&self) -> Result<AuditFilter, &'static str> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(AuditFilter {
            user_id: text(&self.user),
            subject: None,
            agent_id: text(&self.client),
            event_type: text(&self.event_type),
            since_ms: day_start(&self.since, 0).map_err(|()| "since")?,
            until_ms: day_start(&self.until, 1).map_err(|()| "until")?,
        })
    }

    /// The query string of these filters, for the next page's link.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("user", &self.user)
            .append_pair("client", &self.client)
            .append_pair("type", &self.event_type)
            .append_pair("since", &self.since)
            .append_pair("until", &self.until)
            .finish()
    }
}

/// Midnight UTC `days_after` the day `text` names, in milliseconds; nothing for an empty field.
fn day_start(text: &str, days_after: i64) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(text, &format).map_err(|_| ())?;
    let start = day.midnight().assume_utc() + Duration::days(days_after);
    Ok(Some(i64::try_from(start.unix_timestamp_nanos() / 1_000_000).map_err(|_| ())?))
}

/// An event as the trail's table shows it.
struct EventRow {
    seq: i64,
    time: String,
    event_type: String,
    denied: bool,
    user: String,
    client: String,
    actors: String,
    reason: String,
}

impl EventRow {
    fn of(e: AuditEvent) -> Self {
        let time =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.time_ms) * 1_000_000).map(when).unwrap_or_default();
        let r = e.record;
        Self {
            seq: e.seq,
            time,
            denied: r.decision != "allow",
            event_type: r.event_type,
            user: r.user_id.unwrap_or_default(),
            client: r.client_id.unwrap_or_default(),
            actors: r.actors.join(" → "),
            reason: r.reason.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console_audit.html")]
struct AuditPage<'a> {
    brand: &'a Brand,
    frame: Frame<'a>,
    tenant: &'a Tenant,
    q: &'a AuditQuery,
    /// The field whose value is not a day.
    bad_field: Option<&'static str>,
    events: Vec<EventRow>,
    next: Option<String>,
    /// The chain's verification: whether it holds, and what the check found.
    chain: Option<(bool, String)>,
}

/// `GET /console/t/{tenant}/audit`: the trail, oldest first within the filters, 50 a page.
pub(super) async fn trail(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Page {
    let signed = signed_in(&st, &headers, &format!("/console/t/{tenant}/audit")).await?;
    let tenant = tenant_for(&st, &signed, &tenant, Permission::AuditRead).await?;
    let chain = match q.verify {
        Some(_) => Some(match crate::audit::verify_chain(st.durable.as_ref(), &tenant.id).await.map_err(failure)? {
            Ok(n) => (true, tr_with(msg!("console-chain-intact"), &[("count", &n.to_string())])),
            Err(b) => (false, tr_with(msg!("console-chain-broken"), &[("why", &b.to_string())])),
        }),
        None => None,
    };
    let (events, next, bad_field, status) = match q.filter() {
        Ok(filter) => {
            let page = page_after(q.after.clone());
            let found = privacy_keys::read_audit(&st, &tenant.id, filter, &page).await.map_err(failure)?;
            let next = found.next_after.map(|after| format!("{}&after={after}", q.query()));
            (found.items.into_iter().map(EventRow::of).collect(), next, None, StatusCode::OK)
        }
        Err(field) => (Vec::new(), None, Some(field), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = AuditPage {
        brand: &signed.brand,
        frame: Frame::in_tenant(&signed, &tenant.id, Section::Audit),
        tenant: &tenant,
        q: &q,
        bad_field,
        events,
        next,
        chain,
    };
    Ok(html(status, &page))
}
