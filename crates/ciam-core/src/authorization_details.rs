//! Rich authorization requests (RFC 9396): the types of `authorization_details` a tenant
//! accepts. Each type says what its entries look like (a JSON Schema), how an entry may be
//! narrowed when a token is exchanged, and how an entry reads in words on an approval page, per
//! language. The rules that use them are in `ciam_oauth::rar`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::TenantId;

/// How a field of an entry may be narrowed when a token carrying it is exchanged for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Narrowing {
    /// Only the same value (the default for every field the type does not name).
    Equal,
    /// A number (or a decimal string, as amounts often are) no greater than the one granted.
    AtMost,
    /// An array holding only values of the one granted.
    Subset,
}

/// What a tenant says about one type of entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DetailTypeSpec {
    /// The JSON Schema (draft 2020-12) every entry of the type must meet, `type` included.
    /// References to other documents are not fetched.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub schema: serde_json::Value,
    /// Fields (dot-separated paths, such as `instructedAmount.amount`) and how they may be
    /// narrowed. The common fields `actions`, `locations`, `datatypes` and `privileges` narrow
    /// as subsets unless named here.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, Narrowing>))]
    pub narrowing: BTreeMap<String, Narrowing>,
    /// How an entry reads on an approval page, per language tag (`en`, `de`, …): text with
    /// `{path}` placeholders, `{path|amount:currency_path}` for an amount with its currency and
    /// `{path|date}` for a date. English is required; a missing language falls back to it.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, String>))]
    pub templates: BTreeMap<String, String>,
    /// What approving an entry of the type on a backchannel (CIBA) approval page takes; absent,
    /// a recent sign-in of any kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalRule>,
}

/// The authentication an approval of an entry needs: a level, always or only above an amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    /// The level the approver's sign-in must reach (`multi_factor`, `phishing_resistant`).
    pub acr: crate::Acr,
    /// Only for entries whose number at this field is above this value; absent: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<Threshold>,
}

/// A number at a field of an entry, as an [`ApprovalRule`] compares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// A dot-separated path (`instructedAmount.amount`); a number or a decimal string.
    pub field: String,
    /// The entry needs the rule's level when its number is greater than this.
    pub value: f64,
}

impl ApprovalRule {
    /// Whether `entry` needs the rule's level: always without a threshold; with one, when the
    /// field's number is above it, or when the field is missing or not a number (an entry that
    /// cannot be compared is treated as large).
    pub fn applies_to(&self, entry: &serde_json::Map<String, serde_json::Value>) -> bool {
        let Some(above) = &self.above else { return true };
        let mut path = above.field.split('.');
        let at = path.next().and_then(|first| entry.get(first)).and_then(|v| path.try_fold(v, |v, k| v.get(k)));
        let number = match at {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        };
        number.is_none_or(|n| n > above.value)
    }
}

/// A type of authorization details entry registered by a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationDetailType {
    /// Owner.
    pub tenant_id: TenantId,
    /// The `type` value entries carry (`payment_initiation`, or a URI).
    pub id: String,
    /// Schema, narrowing and templates.
    pub spec: DetailTypeSpec,
    /// Registration time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Acr;

    #[test]
    fn an_approval_rule_applies_above_its_threshold_and_to_what_cannot_be_compared() {
        let rule = ApprovalRule {
            acr: Acr::PhishingResistant,
            above: Some(Threshold { field: "instructedAmount.amount".into(), value: 100.0 }),
        };
        let entry = |amount: serde_json::Value| {
            json!({"type": "payment", "instructedAmount": {"amount": amount}}).as_object().cloned().unwrap_or_default()
        };
        assert!(!rule.applies_to(&entry(json!("99.99"))));
        assert!(!rule.applies_to(&entry(json!(100))));
        assert!(rule.applies_to(&entry(json!("100.01"))));
        assert!(rule.applies_to(&entry(json!(420))));
        assert!(rule.applies_to(&entry(json!("lots"))), "not a number: treated as large");
        assert!(rule.applies_to(&entry(json!("NaN"))), "not a finite number: treated as large");
        assert!(rule.applies_to(&serde_json::Map::new()), "missing: treated as large");
        let always = ApprovalRule { acr: Acr::MultiFactor, above: None };
        assert!(always.applies_to(&entry(json!(1))));
    }
}
