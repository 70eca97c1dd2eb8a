//! Authentication context classes (`acr`, OIDC Core §2) and methods (`amr`, RFC 8176).
//!
//! Three levels, ordered: a password alone; several factors; a phishing-resistant factor (a
//! passkey, which is bound to the origin it was made for). A request asking for a level
//! (`acr_values`, a policy step-up) is satisfied only by that level or a higher one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A level of assurance of a user authentication, ordered from weakest to strongest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acr {
    /// One knowledge or possession factor (a password, or a one-time code sent by email).
    Password,
    /// At least two factors of different kinds (a password and a TOTP code, say).
    MultiFactor,
    /// A phishing-resistant authenticator: a passkey (WebAuthn, user verification required).
    PhishingResistant,
}

impl Acr {
    /// Every level, weakest first.
    pub const ALL: [Acr; 3] = [Acr::Password, Acr::MultiFactor, Acr::PhishingResistant];

    /// The `acr` claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "urn:ciam:acr:pwd",
            Self::MultiFactor => "urn:ciam:acr:mfa",
            Self::PhishingResistant => "urn:ciam:acr:phr",
        }
    }

    /// Parses an `acr` claim value; `None` for a value this server does not define.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether an authentication at this level satisfies a request for `wanted`.
    pub fn satisfies(self, wanted: Acr) -> bool {
        self >= wanted
    }

    /// The level a set of `amr` values (RFC 8176) reaches.
    pub fn of_methods(amr: &[Amr]) -> Self {
        if amr.iter().any(|m| matches!(m, Amr::Hwk | Amr::Swk)) {
            return Self::PhishingResistant;
        }
        // An upstream sign-in stands where a password would; an `mfa` alongside it is the
        // upstream's own multi-factor authentication, which the tenant chose to trust.
        let knowledge = amr.iter().any(|m| matches!(m, Amr::Pwd | Amr::Fed));
        let possession = amr.iter().any(|m| matches!(m, Amr::Otp | Amr::Email));
        let trusted_upstream_mfa = amr.contains(&Amr::Fed) && amr.contains(&Amr::Mfa);
        if (knowledge && possession) || trusted_upstream_mfa { Self::MultiFactor } else { Self::Password }
    }
}

impl fmt::Display for Acr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authentication method reference (RFC 8176 §2), as it appears in the `amr` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amr {
    /// A password.
    Pwd,
    /// A one-time password (TOTP, or a recovery code).
    Otp,
    /// A one-time code or link sent by email (not in RFC 8176's registry; used by several
    /// providers and documented in docs/security.md).
    Email,
    /// Proof of possession of a hardware-secured key (a device-bound passkey).
    Hwk,
    /// Proof of possession of a software-secured key (a synced passkey).
    Swk,
    /// Multiple factors were used (added whenever two kinds were, and for an upstream sign-in
    /// whose multi-factor authentication the tenant trusts).
    Mfa,
    /// A sign-in through an upstream identity provider (not in RFC 8176's registry; documented
    /// in docs/federation.md).
    Fed,
    /// User presence and verification by the authenticator (biometric or PIN), as passkeys require.
    User,
}

impl Amr {
    /// Every method.
    pub const ALL: [Self; 8] =
        [Self::Pwd, Self::Otp, Self::Email, Self::Hwk, Self::Swk, Self::Mfa, Self::User, Self::Fed];

    /// The method named by a claim value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pwd => "pwd",
            Self::Otp => "otp",
            Self::Email => "email",
            Self::Hwk => "hwk",
            Self::Swk => "swk",
            Self::Mfa => "mfa",
            Self::User => "user",
            Self::Fed => "fed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_round_trip() {
        assert!(Acr::PhishingResistant.satisfies(Acr::MultiFactor));
        assert!(Acr::MultiFactor.satisfies(Acr::Password));
        assert!(!Acr::MultiFactor.satisfies(Acr::PhishingResistant));
        assert!(!Acr::Password.satisfies(Acr::MultiFactor));
        for a in Acr::ALL {
            assert_eq!(Acr::parse(a.as_str()), Some(a));
        }
        assert_eq!(Acr::parse("urn:other"), None);
        for m in Amr::ALL {
            assert_eq!(Amr::parse(m.as_str()), Some(m));
        }
        assert_eq!(Amr::parse("sms"), None);
    }

    #[test]
    fn methods_give_their_level() {
        use Amr::*;
        let cases: &[(&[Amr], Acr)] = &[
            (&[Pwd], Acr::Password),
            (&[Email], Acr::Password),
            (&[Otp], Acr::Password),
            (&[Pwd, Otp, Mfa], Acr::MultiFactor),
            (&[Pwd, Email, Mfa], Acr::MultiFactor),
            (&[Hwk, User], Acr::PhishingResistant),
            (&[Swk, User], Acr::PhishingResistant),
            (&[Pwd, Otp, Hwk, Mfa], Acr::PhishingResistant),
            (&[Fed], Acr::Password),
            (&[Fed, Mfa], Acr::MultiFactor),
            (&[Fed, Otp], Acr::MultiFactor),
            (&[Pwd, Mfa], Acr::Password),
        ];
        for (amr, want) in cases {
            assert_eq!(Acr::of_methods(amr), *want, "{amr:?}");
        }
    }
}
