//! Re-authentication before a change to how an account signs in: adding or removing an
//! authenticator, new recovery codes (and, later, a new email address or password).
//!
//! # Security
//! A session that proved only a password must not be able to change the second factors: a
//! phished password would become a full takeover (the thief adds an authenticator of their own
//! and removes the owner's). So a change needs a recent sign-in at the highest level the account
//! already has, with the account's own strongest kind of authenticator:
//! - an account with a passkey: a passkey (phishing-resistant);
//! - an account with an authenticator app or recovery codes (and no passkey): one of those, on
//!   top of the password (a code by email does not count: it would let a thief who also holds
//!   the mailbox replace the app);
//! - an account with no second factor yet: the password plus a code by email, so the first
//!   authenticator is added by someone who holds both the password and the mailbox;
//! - an account without a password (it signs in by email or with a passkey) needs the same
//!   authenticator, with a code by email standing for the password: a code by email alone when
//!   it has no authenticator at all, which is all a sign-in to it takes anyway.
//!
//! In every case the sign-in must be at most [`RECENT_SECS`] old.

use ciam_core::factor::FactorKind;
use ciam_core::{Acr, Amr};
use serde::{Deserialize, Serialize};

/// How old the sign-in behind a change may be, in seconds.
pub const RECENT_SECS: i64 = 15 * 60;

/// What a change to an account's authenticators needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reauth {
    /// The level the sign-in must reach.
    pub acr: Acr,
    /// Whether a code by email may be the second factor (only when the account has no other).
    pub email_counts: bool,
}

impl Reauth {
    /// The requirement for an account whose authenticators are of `kinds`, with a password or
    /// not.
    pub fn for_change(kinds: impl IntoIterator<Item = FactorKind>, password: bool) -> Self {
        let (mut passkey, mut otp) = (false, false);
        for k in kinds {
            match k {
                FactorKind::Passkey => passkey = true,
                FactorKind::Totp | FactorKind::RecoveryCodes => otp = true,
            }
        }
        // Without a password, the mailbox stands where the password would: the levels are one
        // lower, and what must be shown is the same.
        let with_password = if password { Acr::MultiFactor } else { Acr::Password };
        match (passkey, otp) {
            (true, _) => Self { acr: Acr::PhishingResistant, email_counts: false },
            (false, true) => Self { acr: with_password, email_counts: false },
            (false, false) => Self { acr: with_password, email_counts: true },
        }
    }

    /// Whether a sign-in with methods `amr`, `age_secs` ago, meets the requirement.
    pub fn met_by(&self, amr: &[Amr], age_secs: i64) -> bool {
        if !(0..=RECENT_SECS).contains(&age_secs) {
            return false;
        }
        let reached = Acr::of_methods(amr);
        if !reached.satisfies(self.acr) {
            return false;
        }
        // Multi-factor by email only when the account has nothing stronger to prove with.
        self.email_counts || reached >= Acr::PhishingResistant || amr.contains(&Amr::Otp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_needs_the_accounts_strongest_authenticator_recently() {
        use Amr::*;
        use FactorKind::*;
        let none = Reauth::for_change([], true);
        let by_email = Reauth::for_change([], false);
        let app = Reauth::for_change([Totp, RecoveryCodes], true);
        let codes_only = Reauth::for_change([RecoveryCodes], true);
        let app_by_email = Reauth::for_change([Totp], false);
        let key = Reauth::for_change([Totp, Passkey], true);
        let key_only = Reauth::for_change([Passkey], false);
        let cases: &[(&Reauth, &[Amr], i64, bool)] = &[
            // No second factor yet: password plus a code by email, recently.
            (&none, &[Pwd], 10, false),
            (&none, &[Pwd, Email, Mfa], 10, true),
            (&none, &[Pwd, Email, Mfa], RECENT_SECS + 1, false),
            (&none, &[Pwd, Email, Mfa], -5, false),
            // Neither a password nor an authenticator: the code by email it signs in with.
            (&by_email, &[Email], 10, true),
            (&by_email, &[Email], RECENT_SECS + 1, false),
            (&app_by_email, &[Email], 10, false),
            (&app_by_email, &[Email, Otp], 10, true),
            // An authenticator app: the app (or a recovery code), never the mailbox.
            (&app, &[Pwd], 10, false),
            (&app, &[Pwd, Email, Mfa], 10, false),
            (&app, &[Pwd, Otp, Mfa], 10, true),
            (&app, &[Hwk, User], 10, true),
            (&codes_only, &[Pwd, Otp, Mfa], 10, true),
            (&codes_only, &[Pwd, Email, Mfa], 10, false),
            // A passkey: only a passkey reaches its level.
            (&key, &[Pwd, Otp, Mfa], 10, false),
            (&key, &[Swk, User], 10, true),
            (&key, &[Hwk, User], RECENT_SECS, true),
            (&key, &[Hwk, User], RECENT_SECS + 1, false),
            (&key_only, &[Email], 10, false),
            (&key_only, &[Email, Otp], 10, false),
            (&key_only, &[Swk, User], 10, true),
        ];
        for (i, (req, amr, age, want)) in cases.iter().enumerate() {
            assert_eq!(req.met_by(amr, *age), *want, "case {i}: {req:?} {amr:?} {age}");
        }
    }
}
