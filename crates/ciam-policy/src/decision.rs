//! The result of an evaluation, as it goes to the audit trail.

use ciam_core::Acr;
use serde::{Deserialize, Serialize};

/// What the server must do with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Go ahead.
    Allow,
    /// Ask for an authentication at `acr` or higher first.
    StepUp {
        /// The level the subject must reach.
        acr: Acr,
    },
    /// Refuse.
    Deny,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable machine name of the rule, e.g. `impossible_travel`.
    pub rule: String,
    /// Points it added to the score.
    pub points: u8,
    /// What was observed, for people reading the audit trail. Never contains secrets.
    pub detail: String,
}

/// The engine's verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Risk score 0-100: the sum of the points of the rules that fired, capped at 100.
    pub score: u8,
    /// What to do.
    pub outcome: Outcome,
    /// The rules that fired, in evaluation order.
    pub reasons: Vec<Reason>,
}
