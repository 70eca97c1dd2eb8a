//! The decision of an authorization request's next step (OIDC Core §3.1.2): sign in, step up,
//! answer about purposes, consent, issue the code, or refuse, from facts gathered beforehand.
//! A pure function, tested row by row.

use ciam_core::Acr;
use ciam_oauth::ErrorCode;
use ciam_oauth::authorize::Prompt;

/// What the decision reads.
#[derive(Debug, Clone, Copy)]
pub(in crate::oidc) struct Facts {
    pub(in crate::oidc) prompt: Prompt,
    pub(in crate::oidc) max_age: Option<u64>,
    /// Unix seconds.
    pub(in crate::oidc) now: i64,
    /// The browser's live session of an active user (and of the user an `id_token_hint` names).
    pub(in crate::oidc) session: Option<SessionFacts>,
    /// The user signed in during this flow (so `prompt=login` and `max_age` do not loop).
    pub(in crate::oidc) signed_in_now: bool,
    /// The user allowed access during this flow.
    pub(in crate::oidc) consented_now: bool,
    /// The lowest recognized level among `acr_values`.
    pub(in crate::oidc) asked_acr: Option<Acr>,
    /// The user must answer about some of the tenant's purposes first (new, or a new version).
    pub(in crate::oidc) purposes_pending: bool,
    /// The request carries authorization details (RFC 9396): approved each time, never
    /// remembered.
    pub(in crate::oidc) details: bool,
}

/// The session, as the decision reads it.
#[derive(Debug, Clone, Copy)]
pub(in crate::oidc) struct SessionFacts {
    pub(in crate::oidc) auth_time: i64,
    pub(in crate::oidc) acr: Acr,
    pub(in crate::oidc) standing: Standing,
}

/// What the client already holds from the session's user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::oidc) enum Standing {
    /// An app: whether its remembered consent covers the scope.
    App { covered: bool },
    /// An agent: whether an active delegation covers the scope and audiences.
    Agent { covered: bool },
    /// A client known only by its metadata document: asked every time, never remembered.
    Unregistered,
    /// One of the tenant's own applications: asked only with `prompt=consent` or authorization
    /// details.
    FirstParty,
    /// An agent asking for resources it may not have.
    BadTarget(&'static str),
}

/// The next step of an authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::oidc) enum Decision {
    /// To the sign-in page.
    SignIn,
    /// To the second-factor page, to reach this level.
    StepUp(Acr),
    /// To the page of the tenant's purposes the user must answer about.
    Purposes,
    /// To the consent page.
    Consent,
    /// Issue the code.
    Issue,
    /// Send this error to the client (`prompt=none` where a page is needed, a bad resource).
    Refuse(ErrorCode, &'static str),
}

/// The next step: a session that does not count (none, `prompt=login`, older than `max_age`)
/// signs in; a level below `acr_values` steps up, never issues lower; a missing consent asks;
/// `prompt=none` turns every page into its OIDC Core §3.1.2.6 error.
pub(in crate::oidc) fn decide(f: &Facts) -> Decision {
    // Times are whole seconds: a session `max_age` seconds old may be a fraction older, so it no
    // longer counts, and `max_age=0` always asks for a fresh sign-in, as `prompt=login` does.
    let too_old = |s: &SessionFacts| {
        f.max_age.is_some_and(|m| f.now.saturating_sub(s.auth_time) >= i64::try_from(m).unwrap_or(i64::MAX))
    };
    // `prompt=create` shows the sign-up page, which a live session does not skip either.
    let counts = |s: &&SessionFacts| f.signed_in_now || !(f.prompt.login || f.prompt.create || too_old(s));
    let interactive =
        |page: Decision, code: ErrorCode, why| if f.prompt.none { Decision::Refuse(code, why) } else { page };
    let Some(session) = f.session.as_ref().filter(counts) else {
        return interactive(Decision::SignIn, ErrorCode::LoginRequired, "the user must sign in");
    };
    if let Some(asked) = f.asked_acr
        && !session.acr.satisfies(asked)
    {
        return interactive(Decision::StepUp(asked), ErrorCode::InteractionRequired, "a stronger sign-in is needed");
    }
    if f.purposes_pending {
        return interactive(Decision::Purposes, ErrorCode::ConsentRequired, "the user must accept updated terms");
    }
    let ask = match session.standing {
        Standing::BadTarget(why) => return Decision::Refuse(ErrorCode::InvalidTarget, why),
        Standing::Agent { covered } => !covered || ((f.prompt.consent || f.details) && !f.consented_now),
        Standing::Unregistered => !f.consented_now,
        Standing::FirstParty => !f.consented_now && (f.prompt.consent || f.details),
        Standing::App { covered } => !f.consented_now && (!covered || f.prompt.consent || f.details),
    };
    if ask {
        return interactive(Decision::Consent, ErrorCode::ConsentRequired, "the user must consent");
    }
    Decision::Issue
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn facts() -> Facts {
        Facts {
            prompt: Prompt::default(),
            max_age: None,
            now: NOW,
            session: Some(SessionFacts {
                auth_time: NOW - 60,
                acr: Acr::Password,
                standing: Standing::App { covered: true },
            }),
            signed_in_now: false,
            consented_now: false,
            asked_acr: None,
            purposes_pending: false,
            details: false,
        }
    }

    fn prompt(none: bool, login: bool, consent: bool) -> Prompt {
        Prompt { none, login, consent, ..Prompt::default() }
    }

    fn with(f: impl FnOnce(&mut Facts)) -> Facts {
        let mut facts = facts();
        f(&mut facts);
        facts
    }

    fn standing(s: Standing) -> impl FnOnce(&mut Facts) {
        move |f| {
            if let Some(session) = &mut f.session {
                session.standing = s;
            }
        }
    }

    /// OIDC Core §3.1.2.1 (`prompt`, `max_age`, `acr_values`) and §3.1.2.6 (`prompt=none`
    /// errors), RFC 8707 for an agent's resources: one row per rule.
    #[test]
    fn the_decision_follows_the_session_the_level_and_the_consent_oidc_3_1_2() {
        use Decision::*;
        let table: Vec<(&str, Facts, Decision)> = vec![
            ("a live session with consent issues", facts(), Issue),
            ("no session signs in", with(|f| f.session = None), SignIn),
            (
                "no session with prompt=none: login_required",
                with(|f| {
                    f.session = None;
                    f.prompt = prompt(true, false, false);
                }),
                Refuse(ErrorCode::LoginRequired, "the user must sign in"),
            ),
            ("prompt=login signs in again", with(|f| f.prompt = prompt(false, true, false)), SignIn),
            (
                "prompt=create shows the sign-up page even with a live session",
                with(|f| f.prompt = Prompt { create: true, ..Prompt::default() }),
                SignIn,
            ),
            (
                "prompt=create after signing up during the flow issues",
                with(|f| {
                    f.prompt = Prompt { create: true, ..Prompt::default() };
                    f.signed_in_now = true;
                }),
                Issue,
            ),
            (
                "prompt=login after signing in during the flow issues",
                with(|f| {
                    f.prompt = prompt(false, true, false);
                    f.signed_in_now = true;
                }),
                Issue,
            ),
            ("a session older than max_age signs in", with(|f| f.max_age = Some(59)), SignIn),
            ("a session max_age whole seconds old may be older: signs in", with(|f| f.max_age = Some(60)), SignIn),
            ("a session younger than max_age counts", with(|f| f.max_age = Some(61)), Issue),
            (
                "max_age=0 in the second of the sign-in signs in again, as prompt=login",
                with(|f| {
                    f.max_age = Some(0);
                    if let Some(s) = &mut f.session {
                        s.auth_time = f.now;
                    }
                }),
                SignIn,
            ),
            (
                "max_age after signing in during the flow issues",
                with(|f| {
                    f.max_age = Some(0);
                    f.signed_in_now = true;
                }),
                Issue,
            ),
            ("a weaker session steps up", with(|f| f.asked_acr = Some(Acr::MultiFactor)), StepUp(Acr::MultiFactor)),
            ("purposes to answer come before the app's consent", with(|f| f.purposes_pending = true), Purposes),
            (
                "purposes to answer with prompt=none: consent_required",
                with(|f| {
                    f.purposes_pending = true;
                    f.prompt = prompt(true, false, false);
                }),
                Refuse(ErrorCode::ConsentRequired, "the user must accept updated terms"),
            ),
            (
                "a weaker session steps up before purposes are asked",
                with(|f| {
                    f.purposes_pending = true;
                    f.asked_acr = Some(Acr::MultiFactor);
                }),
                StepUp(Acr::MultiFactor),
            ),
            (
                "a weaker session with prompt=none: interaction_required",
                with(|f| {
                    f.asked_acr = Some(Acr::PhishingResistant);
                    f.prompt = prompt(true, false, false);
                }),
                Refuse(ErrorCode::InteractionRequired, "a stronger sign-in is needed"),
            ),
            (
                "a strong enough session issues",
                with(|f| {
                    f.asked_acr = Some(Acr::MultiFactor);
                    if let Some(s) = &mut f.session {
                        s.acr = Acr::PhishingResistant;
                    }
                }),
                Issue,
            ),
            ("an app without consent asks", with(standing(Standing::App { covered: false })), Consent),
            ("a first-party app is not asked", with(standing(Standing::FirstParty)), Issue),
            (
                "a first-party app with prompt=consent asks",
                with(|f| {
                    standing(Standing::FirstParty)(f);
                    f.prompt = prompt(false, false, true);
                }),
                Consent,
            ),
            (
                "a first-party app asking for authorization details asks",
                with(|f| {
                    standing(Standing::FirstParty)(f);
                    f.details = true;
                }),
                Consent,
            ),
            (
                "a first-party app after consenting in the flow issues",
                with(|f| {
                    standing(Standing::FirstParty)(f);
                    f.prompt = prompt(false, false, true);
                    f.consented_now = true;
                }),
                Issue,
            ),
            ("authorization details are approved each time (RFC 9396)", with(|f| f.details = true), Consent),
            (
                "authorization details approved during the flow issue",
                with(|f| {
                    f.details = true;
                    f.consented_now = true;
                }),
                Issue,
            ),
            (
                "authorization details with prompt=none: consent_required",
                with(|f| {
                    f.details = true;
                    f.prompt = prompt(true, false, false);
                }),
                Refuse(ErrorCode::ConsentRequired, "the user must consent"),
            ),
            (
                "an agent's delegation does not stand for authorization details",
                with(|f| {
                    standing(Standing::Agent { covered: true })(f);
                    f.details = true;
                }),
                Consent,
            ),
            (
                "an app without consent, prompt=none: consent_required",
                with(|f| {
                    standing(Standing::App { covered: false })(f);
                    f.prompt = prompt(true, false, false);
                }),
                Refuse(ErrorCode::ConsentRequired, "the user must consent"),
            ),
            ("prompt=consent asks again", with(|f| f.prompt = prompt(false, false, true)), Consent),
            (
                "prompt=consent after consenting during the flow issues",
                with(|f| {
                    f.prompt = prompt(false, false, true);
                    f.consented_now = true;
                }),
                Issue,
            ),
            ("an agent without a delegation asks", with(standing(Standing::Agent { covered: false })), Consent),
            ("an agent with a delegation issues", with(standing(Standing::Agent { covered: true })), Issue),
            (
                "an agent with prompt=consent asks again",
                with(|f| {
                    standing(Standing::Agent { covered: true })(f);
                    f.prompt = prompt(false, false, true);
                }),
                Consent,
            ),
            (
                "an agent asking for resources it may not have: invalid_target",
                with(standing(Standing::BadTarget("not allowed"))),
                Refuse(ErrorCode::InvalidTarget, "not allowed"),
            ),
            ("a metadata-document client is asked every time", with(standing(Standing::Unregistered)), Consent),
            (
                "a metadata-document client that just consented issues",
                with(|f| {
                    standing(Standing::Unregistered)(f);
                    f.consented_now = true;
                }),
                Issue,
            ),
            (
                "signing in comes before a bad resource",
                with(|f| {
                    standing(Standing::BadTarget("not allowed"))(f);
                    f.prompt = prompt(false, true, false);
                }),
                SignIn,
            ),
        ];
        for (rule, facts, want) in table {
            assert_eq!(decide(&facts), want, "{rule}");
        }
    }
}
