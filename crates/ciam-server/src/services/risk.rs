//! What the risk policy is told about a person, whichever door asks: the hosted sign-in (a real
//! attempt) or the console's "what would happen" simulator (a described one). Both build the
//! same [`Signals`] from the same sources: the address (where it is, its reputation), the user
//! agent, and the user's sign-in history (previous sign-in, last strong authentication).

use std::net::IpAddr;

use ciam_core::factor::{SignInProfile, SignInRecord};
use ciam_core::tenant::Tenant;
use ciam_core::user::User;
use ciam_core::{Acr, Amr};
use ciam_policy::{Decision, PolicyConfig, PreviousSignIn, Signals, Subject};

use super::ServiceError;
use crate::state::AppState;

/// What a request tells the policy about a person before any account is known: the address,
/// where it is and its reputation, the user agent.
pub(crate) fn request_signals(st: &AppState, ip: Option<IpAddr>, user_agent: Option<&str>) -> Signals {
    let mut s = Signals::new(Subject::User, st.clock.now());
    s.ip = ip;
    s.user_agent = user_agent.map(str::to_owned);
    s.location = ip.and_then(|i| st.risk.locate(i));
    s.ip_reputation = ip.and_then(|i| st.risk.reputation.lookup(i));
    s
}

/// Adds what the user's sign-in history tells: the previous sign-in (when and where) and the
/// last strong authentication.
pub(crate) fn with_history(s: &mut Signals, profile: &SignInProfile) {
    s.previous = profile.last.as_ref().and_then(|last| {
        let at = time::OffsetDateTime::from_unix_timestamp(last.at).ok()?;
        Some(PreviousSignIn { at, location: location_of(last) })
    });
    s.last_strong_auth = profile.last_strong_auth.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
}

fn location_of(r: &SignInRecord) -> Option<ciam_policy::Location> {
    Some(ciam_policy::Location {
        country: r.country.clone(),
        continent: r.continent.clone(),
        latitude: r.latitude?,
        longitude: r.longitude?,
    })
}

/// A sign-in to imagine: from where, with what, by whom.
pub(crate) struct Probe<'a> {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) user_agent: Option<&'a str>,
    /// The user whose history counts; `None` for someone without one.
    pub(crate) user: Option<&'a User>,
    /// Whether the browser is one the user signed in with before.
    pub(crate) known_device: bool,
}

/// What `policy` (the tenant's, or one being edited) would decide about a password sign-in as
/// `probe` describes it, now, with no failed attempts counted. Reads the user's history; writes
/// nothing and audits nothing.
pub(crate) async fn simulate(
    st: &AppState,
    tenant: &Tenant,
    policy: &PolicyConfig,
    probe: &Probe<'_>,
) -> Result<(Signals, Decision), ServiceError> {
    let mut s = request_signals(st, probe.ip, probe.user_agent);
    if let Some(user) = probe.user {
        with_history(&mut s, &st.durable.sign_in_profile(&tenant.id, &user.id).await?);
    }
    s.known_device = Some(probe.known_device);
    s.current_acr = Some(Acr::of_methods(&[Amr::Pwd]));
    let decision = ciam_policy::evaluate(policy, &s);
    Ok((s, decision))
}
