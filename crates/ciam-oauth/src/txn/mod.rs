//! Transaction tokens (draft-ietf-oauth-transaction-tokens-10): a profile of token exchange that
//! turns a token a workload received (an access token of this tenant, a delegated agent's
//! included) into a very short-lived signed token for the workloads of one trust domain, with
//! the transaction's subject, purpose (`scope`) and immutable context (`tctx`, `rctx`), and
//! replaces such a token without ever widening it.
//!
//! The rules here are pure: [`plan`] decides the claims from the request, the verified subject
//! token and the tenant's settings; the issuer verifies, signs and records.

use ciam_core::scope::ScopeSet;
use ciam_core::tenant::TransactionTokenSettings;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::{ErrorCode, OAuthError};
use crate::form::Params;

/// `requested_token_type` and `issued_token_type` of a transaction token.
pub const TXN_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:txn_token";
/// The JWT `typ` of a transaction token.
pub const TXN_TOKEN_TYP: &str = "txntoken+jwt";
/// The largest `request_context` or `request_details` accepted, in bytes (as JSON).
pub const MAX_CONTEXT_BYTES: usize = 4096;

/// What the subject token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// An access token of this tenant.
    AccessToken,
    /// A transaction token of this tenant: the request asks for a replacement.
    TxnToken,
}

/// A transaction token request (draft §7.1).
#[derive(Debug, Clone)]
pub struct TxnRequest {
    /// The token that stands for the transaction's subject.
    pub subject_token: String,
    /// Its kind.
    pub kind: SubjectKind,
    /// The trust domain (`audience`).
    pub audience: String,
    /// The purpose of the transaction.
    pub scope: ScopeSet,
    /// `request_context`: the environment of the request (becomes `rctx`).
    pub request_context: Option<Map<String, Value>>,
    /// `request_details`: the parameters of the transaction (become `tctx`).
    pub request_details: Option<Map<String, Value>>,
}

fn invalid(why: &'static str) -> OAuthError {
    OAuthError::invalid_request(why)
}

fn json_object(params: &Params, name: &'static str) -> Result<Option<Map<String, Value>>, OAuthError> {
    let Some(raw) = params.get(name) else { return Ok(None) };
    if raw.len() > MAX_CONTEXT_BYTES {
        return Err(OAuthError::invalid_request(format!("{name} is larger than {MAX_CONTEXT_BYTES} bytes")));
    }
    match serde_json::from_str(raw) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        _ => Err(OAuthError::invalid_request(format!("{name} must be a JSON object"))),
    }
}

/// Parses a token exchange that asks for a transaction token (`requested_token_type`).
pub fn parse(params: &Params) -> Result<TxnRequest, OAuthError> {
    let kind = match params.require("subject_token_type")? {
        crate::exchange::ACCESS_TOKEN_TYPE | crate::exchange::JWT_TOKEN_TYPE => SubjectKind::AccessToken,
        TXN_TOKEN_TYPE => SubjectKind::TxnToken,
        _ => return Err(invalid("subject_token_type must be an access token or a transaction token")),
    };
    if params.get("actor_token").is_some() {
        return Err(invalid("a transaction token request takes no actor_token"));
    }
    let audience = params.require("audience")?.to_owned();
    let scope = ScopeSet::parse_space_separated(params.require("scope")?)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "malformed scope (RFC 6749 §3.3)"))?;
    Ok(TxnRequest {
        subject_token: params.require("subject_token")?.to_owned(),
        kind,
        audience,
        scope,
        request_context: json_object(params, "request_context")?,
        request_details: json_object(params, "request_details")?,
    })
}

/// The claims of a transaction token (draft §6.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TxnClaims {
    /// The tenant (the draft makes `iss` optional; it names the signer).
    pub iss: String,
    /// Issue time.
    pub iat: i64,
    /// The trust domain.
    pub aud: String,
    /// Expiry.
    pub exp: i64,
    /// The transaction's id: kept by every replacement.
    pub txn: String,
    /// The transaction's subject (the user, or the client for a client's own token).
    pub sub: String,
    /// The transaction's purpose.
    pub scope: String,
    /// The immutable context of the transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tctx: Option<Value>,
    /// The environment of the originating request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rctx: Option<Value>,
    /// The workloads that requested it, the first first: a string for one, an array for more.
    pub req_wl: Value,
    /// The actor chain of a delegated token (RFC 8693 §4.1): the agents acting for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
}

/// Decides the claims of a transaction token for `workload`, from the verified claims of the
/// subject token: the settings must name the workload and the trust domain; the scope must be
/// within the subject's; a replacement keeps `txn`, `sub`, `aud`, the `rctx` and every `tctx`
/// value, may only add `tctx` values, and records the workload in `req_wl`.
pub fn plan(
    settings: &TransactionTokenSettings,
    workload: &str,
    request: &TxnRequest,
    subject: &Map<String, Value>,
    issuer: &str,
    txn_id: String,
    now: OffsetDateTime,
) -> Result<TxnClaims, OAuthError> {
    if !settings.workloads.iter().any(|w| w == workload) {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "this client may not request transaction tokens"));
    }
    if request.audience != settings.trust_domain {
        return Err(OAuthError::new(ErrorCode::InvalidTarget, "the audience must be this tenant's trust domain"));
    }
    let str_claim = |name: &str| subject.get(name).and_then(Value::as_str);
    // draft §12.10: a subject whose scope is unknown cannot be narrowed, so it is refused.
    let granted = str_claim("scope")
        .and_then(|s| ScopeSet::parse_space_separated(s).ok())
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidScope, "the subject_token carries no scope to narrow"))?;
    if request.scope.is_empty() || !request.scope.is_subset(&granted) {
        return Err(OAuthError::new(ErrorCode::InvalidScope, "the scope must be within the subject_token's"));
    }
    let sub = str_claim("sub").ok_or_else(|| invalid("the subject_token has no subject"))?.to_owned();
    let iat = now.unix_timestamp();
    let exp = iat + i64::from(settings.lifetime_secs);
    let details = request.request_details.clone();
    let (txn, tctx, rctx, req_wl) = match request.kind {
        SubjectKind::AccessToken => {
            // The subject token's approved authorization details ride in the context.
            let mut tctx = details.unwrap_or_default();
            if let Some(d) = subject.get("authorization_details") {
                tctx.insert("authorization_details".into(), d.clone());
            }
            let tctx = (!tctx.is_empty()).then_some(Value::Object(tctx));
            let rctx = request.request_context.clone().map(Value::Object);
            (txn_id, tctx, rctx, Value::String(workload.to_owned()))
        }
        SubjectKind::TxnToken => {
            if str_claim("aud") != Some(settings.trust_domain.as_str()) {
                return Err(invalid("the subject_token is not for this trust domain"));
            }
            let txn = str_claim("txn").ok_or_else(|| invalid("the subject_token has no txn"))?.to_owned();
            let mut tctx = subject.get("tctx").and_then(Value::as_object).cloned().unwrap_or_default();
            for (key, value) in details.unwrap_or_default() {
                match tctx.get(&key) {
                    Some(kept) if *kept != value => {
                        return Err(invalid("a replacement may add to the transaction context, never change it"));
                    }
                    _ => {
                        tctx.insert(key, value);
                    }
                }
            }
            if request.request_context.is_some() {
                return Err(invalid("a replacement keeps the request context of the transaction"));
            }
            let mut chain = match subject.get("req_wl") {
                Some(Value::String(one)) => vec![Value::String(one.clone())],
                Some(Value::Array(many)) => many.clone(),
                _ => Vec::new(),
            };
            chain.push(Value::String(workload.to_owned()));
            let tctx = (!tctx.is_empty()).then_some(Value::Object(tctx));
            (txn, tctx, subject.get("rctx").cloned(), Value::Array(chain))
        }
    };
    Ok(TxnClaims {
        iss: issuer.to_owned(),
        iat,
        aud: settings.trust_domain.clone(),
        exp,
        txn,
        sub,
        scope: request.scope.to_string(),
        tctx,
        rctx,
        req_wl,
        act: subject.get("act").cloned(),
    })
}

#[cfg(test)]
mod tests;
