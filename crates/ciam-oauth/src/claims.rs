//! The `claims` request parameter (OIDC Core §5.5): which claims a client wants in the ID token
//! and from the UserInfo endpoint, one by one, and the `acr` it insists on (§5.5.1.1).
//!
//! The parameter is a JSON object with optional `id_token` and `userinfo` members, each mapping
//! a claim name to `null` (a voluntary claim) or to `{"essential": bool, "value": v, "values":
//! [v, …]}`. Members this server does not understand are ignored (§5.5: claims it does not
//! support are simply not returned), and so are `value`/`values` of any claim but `acr`: they
//! are hints, and a claim of the user is returned as it is or not at all.
//!
//! A requested user claim is released only when the scope that normally carries it (§5.4:
//! `email` for `email`, `profile` for `name`, …) is one the client is registered for; the user
//! consents to that scope as if it had been requested ([`RequestedClaims::consent_scope`]), so
//! the claims parameter never reaches further than the `scope` parameter could.

use std::collections::BTreeSet;

use ciam_core::Acr;
use ciam_core::scope::ScopeSet;
use ciam_core::user::User;
use serde_json::{Map, Value};

/// The longest accepted `claims` parameter, in bytes: far more than every supported claim
/// requested twice, with values.
pub const MAX_CLAIMS_LEN: usize = 4096;

/// The user claims this server can release (OIDC Core §5.1) and the scope that carries each
/// (§5.4). `sub` is always returned and needs no request.
const USER_CLAIMS: [(&str, &str); 16] = [
    ("name", "profile"),
    ("given_name", "profile"),
    ("family_name", "profile"),
    ("nickname", "profile"),
    ("preferred_username", "profile"),
    ("picture", "profile"),
    ("website", "profile"),
    ("locale", "profile"),
    ("zoneinfo", "profile"),
    ("birthdate", "profile"),
    ("updated_at", "profile"),
    ("email", "email"),
    ("email_verified", "email"),
    ("phone_number", "phone"),
    ("phone_number_verified", "phone"),
    ("address", "address"),
];

/// The scope that carries a user claim (OIDC Core §5.4); `None` for a claim this server does
/// not release.
pub fn scope_of_claim(claim: &str) -> Option<&'static str> {
    USER_CLAIMS.iter().find(|(c, _)| *c == claim).map(|(_, s)| *s)
}

/// The user claims a scope carries (OIDC Core §5.4), in the order of [`USER_CLAIMS`].
pub fn claims_of_scope(scope: &str) -> Vec<&'static str> {
    USER_CLAIMS.iter().filter(|(_, s)| *s == scope).map(|(c, _)| *c).collect()
}

/// The value of one of `user`'s claims, if the user has one (OIDC Core §5.1).
pub fn user_claim(user: &User, claim: &str) -> Option<Value> {
    match claim {
        "email" => Some(Value::String(user.email.as_str().to_owned())),
        "email_verified" => Some(Value::Bool(user.email_verified)),
        "updated_at" => Some(Value::from(user.updated_at.unix_timestamp())),
        other if scope_of_claim(other).is_some() => {
            serde_json::to_value(&user.profile).ok()?.get(other).filter(|v| !v.is_null()).cloned()
        }
        _ => None,
    }
}

/// The claims of `user` named in `names` that the user has, as JSON members.
pub fn user_claims<'a>(user: &User, names: impl IntoIterator<Item = &'a str>) -> Map<String, Value> {
    names.into_iter().filter_map(|n| user_claim(user, n).map(|v| (n.to_owned(), v))).collect()
}

/// One requested claim (OIDC Core §5.5.1): `null`, or an object with `essential`, `value` and
/// `values` (the two kept together, `value` first, and only the strings among them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimRequest {
    /// Whether the client says it needs the claim (§5.5.1 `essential`).
    pub essential: bool,
    /// The string values asked for (`value`, then `values`).
    pub values: Vec<String>,
}

/// What the `acr` member of `id_token` asks for (OIDC Core §5.5.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcrRequest {
    /// Essential: an `acr` outside the requested values must not be issued.
    pub essential: bool,
    /// The requested levels this server defines, in request order.
    pub levels: Vec<Acr>,
}

impl AcrRequest {
    /// The level to reach: the weakest requested one (as for `acr_values`).
    pub fn required(&self) -> Option<Acr> {
        self.levels.iter().copied().min()
    }

    /// The `acr` to report for an authentication at `achieved`: the strongest requested level it
    /// satisfies, so the claim is one of the requested values (§5.5.1.1); `None` when it
    /// satisfies none.
    pub fn reported(&self, achieved: Acr) -> Option<Acr> {
        self.levels.iter().copied().filter(|l| achieved.satisfies(*l)).max()
    }
}

/// A parsed `claims` parameter, reduced to what this server acts on: the user claims the client
/// may have, for the ID token and for UserInfo, and the `acr` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedClaims {
    /// User claims for the ID token.
    pub id_token: BTreeSet<String>,
    /// User claims for the UserInfo response.
    pub userinfo: BTreeSet<String>,
    /// The `acr` member of `id_token`, when it names values.
    pub acr: Option<AcrRequest>,
}

/// Why a `claims` parameter was refused: the `invalid_request` description.
pub type MalformedClaims = &'static str;

impl RequestedClaims {
    /// Parses the `claims` parameter (OIDC Core §5.5) and keeps the user claims whose scope is
    /// among `allowed` (the client's registered scopes); the rest, like claims this server does
    /// not know, are ignored. A parameter that is not a JSON object of objects, a claim that is
    /// neither `null` nor an object, an `essential` that is not a boolean, `values` that is not
    /// an array, or a parameter longer than [`MAX_CLAIMS_LEN`] is malformed.
    pub fn parse(raw: &str, allowed: &ScopeSet) -> Result<Self, MalformedClaims> {
        if raw.len() > MAX_CLAIMS_LEN {
            return Err("the claims parameter is too long");
        }
        let Ok(Value::Object(top)) = serde_json::from_str::<Value>(raw) else {
            return Err("the claims parameter must be a JSON object");
        };
        let mut out = Self::default();
        for (target, member) in &top {
            let sink = match target.as_str() {
                "id_token" => &mut out.id_token,
                "userinfo" => &mut out.userinfo,
                // §5.5: members not understood are ignored.
                _ => continue,
            };
            let Value::Object(requested) = member else {
                return Err("the id_token and userinfo members of claims must be JSON objects");
            };
            for (name, request) in requested {
                let request = claim_request(request)?;
                if name == "acr" && target == "id_token" {
                    let levels = request.values.iter().filter_map(|v| Acr::parse(v)).collect();
                    if !request.values.is_empty() {
                        out.acr = Some(AcrRequest { essential: request.essential, levels });
                    }
                } else if scope_of_claim(name).is_some_and(|s| allowed.contains(s)) {
                    sink.insert(name.clone());
                }
            }
        }
        Ok(out)
    }

    /// Whether an essential `acr` was requested and none of its values is a level this server
    /// defines: no authentication could ever meet it (`unmet_authentication_requirements`).
    pub fn acr_unmeetable(&self) -> bool {
        self.acr.as_ref().is_some_and(|a| a.essential && a.levels.is_empty())
    }

    /// The scopes the user must consent to for these claims (the scopes that carry them, added
    /// to the requested `scope`).
    pub fn consent_scope(&self, scope: &ScopeSet) -> ScopeSet {
        let mut all = scope.to_vec();
        all.extend(self.id_token.iter().chain(&self.userinfo).filter_map(|c| scope_of_claim(c)).map(str::to_owned));
        ScopeSet::from_list(&all).unwrap_or_else(|_| scope.clone())
    }
}

fn claim_request(value: &Value) -> Result<ClaimRequest, MalformedClaims> {
    let object = match value {
        Value::Null => return Ok(ClaimRequest::default()),
        Value::Object(o) => o,
        _ => return Err("each requested claim must be null or a JSON object"),
    };
    let essential = match object.get("essential") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("essential must be a boolean"),
    };
    let values = match object.get("values") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(v)) => v.as_slice(),
        Some(_) => return Err("values must be a JSON array"),
    };
    let strings = object.get("value").into_iter().chain(values).filter_map(Value::as_str).map(str::to_owned).collect();
    Ok(ClaimRequest { essential, values: strings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(s: &str) -> ScopeSet {
        ScopeSet::parse_space_separated(s).unwrap()
    }

    fn parse(raw: &str) -> Result<RequestedClaims, MalformedClaims> {
        RequestedClaims::parse(raw, &allowed("openid profile email phone address"))
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn claims_for_each_target_are_kept_apart_oidc_5_5() {
        let c = parse(
            r#"{"id_token":{"email":null,"auth_time":{"essential":true},"name":{"essential":false}},
                "userinfo":{"phone_number":{"essential":true},"address":null,"email_verified":{"value":true}}}"#,
        )
        .unwrap();
        assert_eq!(names(&c.id_token), ["email", "name"], "auth_time is always in the ID token");
        assert_eq!(names(&c.userinfo), ["address", "email_verified", "phone_number"]);
        assert_eq!(c.acr, None);
        assert_eq!(c.consent_scope(&allowed("openid")).to_string(), "address email openid phone profile");
        assert_eq!(parse("{}").unwrap(), RequestedClaims::default());
    }

    #[test]
    fn unknown_claims_and_members_are_ignored_oidc_5_5() {
        let c = parse(
            r#"{"id_token":{"shoe_size":{"essential":true},"email":{"purpose":"x","value":"a@b"}},
                "verified_claims":{"x":1},"userinfo":{"https://example/claim":null}}"#,
        )
        .unwrap();
        assert_eq!(names(&c.id_token), ["email"], "value does not constrain a user claim");
        assert!(c.userinfo.is_empty());
    }

    #[test]
    fn claims_of_scopes_the_client_may_not_have_are_dropped() {
        let c = RequestedClaims::parse(
            r#"{"id_token":{"email":null,"name":null},"userinfo":{"email_verified":null,"phone_number":null}}"#,
            &allowed("openid profile"),
        )
        .unwrap();
        assert_eq!(names(&c.id_token), ["name"]);
        assert!(c.userinfo.is_empty());
        assert_eq!(c.consent_scope(&allowed("openid")).to_string(), "openid profile");
    }

    #[test]
    fn malformed_claims_are_refused() {
        let long = format!(r#"{{"id_token":{{"email":{{"values":["{}"]}}}}}}"#, "x".repeat(MAX_CLAIMS_LEN));
        for raw in [
            "",
            "null",
            "[]",
            r#""id_token""#,
            "{",
            r#"{"id_token":null}"#,
            r#"{"id_token":[]}"#,
            r#"{"userinfo":"email"}"#,
            r#"{"id_token":{"email":true}}"#,
            r#"{"id_token":{"email":"yes"}}"#,
            r#"{"id_token":{"email":{"essential":"true"}}}"#,
            r#"{"id_token":{"acr":{"values":"urn:ciam:acr:mfa"}}}"#,
            r#"{"userinfo":{"shoe_size":{"values":{}}}}"#,
            &long,
            // Nesting deeper than the JSON parser follows is refused, not a stack overflow (Z06).
            &format!(r#"{{"id_token":{{"email":{{"purpose":{}}}}}}}"#, "[".repeat(2000)),
        ] {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn acr_is_requested_by_value_or_values_oidc_5_5_1_1() {
        let c = parse(
            r#"{"id_token":{"acr":{"essential":true,"values":["urn:x","urn:ciam:acr:phr","urn:ciam:acr:mfa"]}}}"#,
        )
        .unwrap();
        let acr = c.acr.clone().unwrap();
        assert!(acr.essential && !c.acr_unmeetable());
        assert_eq!(acr.levels, [Acr::PhishingResistant, Acr::MultiFactor], "unknown values are ignored");
        assert_eq!(acr.required(), Some(Acr::MultiFactor), "the weakest acceptable level");
        assert_eq!(acr.reported(Acr::PhishingResistant), Some(Acr::PhishingResistant));
        assert_eq!(acr.reported(Acr::MultiFactor), Some(Acr::MultiFactor));
        assert_eq!(acr.reported(Acr::Password), None);
        assert!(c.id_token.is_empty(), "acr is not a user claim");

        let one = parse(r#"{"id_token":{"acr":{"value":"urn:ciam:acr:pwd"}}}"#).unwrap().acr.unwrap();
        assert!(!one.essential);
        assert_eq!(one.reported(Acr::MultiFactor), Some(Acr::Password), "the claim is a requested value");

        let unknown = parse(r#"{"id_token":{"acr":{"essential":true,"values":["urn:other:gold"]}}}"#).unwrap();
        assert!(unknown.acr_unmeetable());
        let voluntary = parse(r#"{"id_token":{"acr":{"values":["urn:other:gold"]}}}"#).unwrap();
        assert!(!voluntary.acr_unmeetable() && voluntary.acr.unwrap().required().is_none());
        for plain in [r#"{"id_token":{"acr":null}}"#, r#"{"id_token":{"acr":{"essential":true}}}"#] {
            assert_eq!(parse(plain).unwrap().acr, None, "{plain}: no values, nothing to meet");
        }
        let userinfo = parse(r#"{"userinfo":{"acr":{"essential":true,"values":["urn:other"]}}}"#).unwrap();
        assert!(!userinfo.acr_unmeetable(), "acr is decided for the ID token only");
    }

    #[test]
    fn a_users_claims_are_what_is_stored_and_nothing_else_oidc_5_1() {
        let mut ada = ciam_store::contract::user("acme", "ada@example.com");
        ada.profile.phone_number_verified = Some(false);
        let got = user_claims(
            &ada,
            ["name", "email", "email_verified", "updated_at", "nickname", "phone_number_verified", "sub", "password"],
        );
        let want = serde_json::json!({"name": "Ada Lovelace", "email": "ada@example.com", "email_verified": true,
            "updated_at": ada.updated_at.unix_timestamp(), "phone_number_verified": false});
        assert_eq!(Value::Object(got), want, "absent claims and names that are no user claim are left out");
    }

    #[test]
    fn every_released_claim_has_its_scope_oidc_5_4() {
        assert_eq!(scope_of_claim("email_verified"), Some("email"));
        assert_eq!(scope_of_claim("updated_at"), Some("profile"));
        assert_eq!(scope_of_claim("sub"), None);
        assert_eq!(claims_of_scope("phone"), ["phone_number", "phone_number_verified"]);
        assert_eq!(claims_of_scope("email"), ["email", "email_verified"]);
    }
}
