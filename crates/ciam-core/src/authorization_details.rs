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
