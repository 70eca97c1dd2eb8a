//! The audit trail: append-only, per-tenant hash-chained events.
//!
//! Each event carries the hash of the tenant's previous event, and its own hash covers every
//! field plus that link, so editing a stored event breaks its hash, and deleting or reordering
//! events breaks the chain. The store keeps a per-tenant head (last sequence number and hash),
//! so removing the newest events is detected too. [`verify_chain`] walks a trail and names the
//! first event that does not fit.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::TenantId;
use crate::secret::SecretHash;

/// The hash before a tenant's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before the store places it in the chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Event type, dotted: `token.issued`, `token.exchanged`, `token.refused`,
    /// `delegation.granted`, `delegation.denied`, `delegation.revoked`, `agent.created`, …
    #[serde(rename = "type")]
    pub event_type: String,
    /// The user the event is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The client (or agent) that made the request, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The actor chain, outermost (current) actor first: `act.sub`, `act.act.sub`, …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// The delegation the event rests on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegation_id: Option<String>,
    /// Scopes granted or asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Audience(s), space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The caller's IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The caller's User-Agent (truncated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `allow` or `deny`.
    pub decision: String,
    /// Why (an error code and description on refusals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl AuditRecord {
    /// An allowed event of `event_type`.
    pub fn allow(event_type: &str) -> Self {
        Self { event_type: event_type.to_owned(), decision: "allow".into(), ..Self::default() }
    }

    /// A refused event of `event_type`, with the reason.
    pub fn deny(event_type: &str, reason: impl Into<String>) -> Self {
        Self {
            event_type: event_type.to_owned(),
            decision: "deny".into(),
            reason: Some(reason.into()),
            ..Self::default()
        }
    }
}

/// A stored event: its place in the chain and the record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The tenant.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tenant_id: TenantId,
    /// Position in the tenant's chain, from 1, without gaps.
    pub seq: i64,
    /// When, in milliseconds since the epoch.
    pub time_ms: i64,
    /// What happened.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The previous event's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) over the previous hash and this event's fields.
    pub hash: String,
}

/// The hashed form of an event: every field in a fixed order.
#[derive(Serialize)]
struct Hashed<'a> {
    tenant_id: &'a str,
    seq: i64,
    time_ms: i64,
    record: &'a AuditRecord,
}

impl AuditEvent {
    /// Places `record` after the event whose hash is `prev_hash`, at `seq`.
    pub fn seal(tenant: &TenantId, seq: i64, time: OffsetDateTime, prev_hash: &str, record: AuditRecord) -> Self {
        let time_ms = i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let hash = chain_hash(prev_hash, tenant.as_str(), seq, time_ms, &record);
        Self { tenant_id: tenant.clone(), seq, time_ms, record, prev_hash: prev_hash.to_owned(), hash }
    }

    /// Whether the stored hash matches the fields.
    pub fn hash_matches(&self) -> bool {
        chain_hash(&self.prev_hash, self.tenant_id.as_str(), self.seq, self.time_ms, &self.record) == self.hash
    }
}

fn chain_hash(prev_hash: &str, tenant: &str, seq: i64, time_ms: i64, record: &AuditRecord) -> String {
    // Serialising a struct of strings and integers cannot fail; an empty body would still be
    // chained (and the event would fail verification rather than pass).
    let body = serde_json::to_string(&Hashed { tenant_id: tenant, seq, time_ms, record }).unwrap_or_default();
    SecretHash::of(&format!("{prev_hash}\n{body}")).as_str().to_owned()
}

/// Where a trail stops fitting together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// An event's fields do not match its hash: it was edited.
    #[error("event {seq}: its hash does not match its contents (edited)")]
    Edited {
        /// The event.
        seq: i64,
    },
    /// An event does not follow the one before it: events were deleted, inserted or reordered.
    #[error("event {seq}: expected sequence {expected} linked to the previous hash (events deleted or reordered)")]
    Broken {
        /// The event found.
        seq: i64,
        /// The sequence number expected there.
        expected: i64,
    },
    /// The trail ends before the head the store recorded: its newest events were deleted.
    #[error("the trail ends at event {last} but the head records {head} (newest events deleted)")]
    Truncated {
        /// The last event found.
        last: i64,
        /// The head's sequence number.
        head: i64,
    },
}

/// Walks a chain incrementally: feed events in sequence order, then [`ChainVerifier::finish`]
/// with the stored head.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { last_seq: 0, last_hash: GENESIS.to_owned() }
    }
}

impl ChainVerifier {
    /// Checks the next event.
    pub fn next(&mut self, e: &AuditEvent) -> Result<(), ChainBreak> {
        let expected = self.last_seq + 1;
        if e.seq != expected || e.prev_hash != self.last_hash {
            return Err(ChainBreak::Broken { seq: e.seq, expected });
        }
        if !e.hash_matches() {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        self.last_seq = e.seq;
        self.last_hash.clone_from(&e.hash);
        Ok(())
    }

    /// Checks the end of the trail against the head `(seq, hash)` the store recorded; returns
    /// the number of events verified.
    pub fn finish(self, head: Option<(i64, String)>) -> Result<i64, ChainBreak> {
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS.to_owned()));
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::Truncated { last: self.last_seq, head: head_seq });
        }
        Ok(self.last_seq)
    }
}

/// Filters of an audit query; all optional, combined with "and".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events about this user.
    pub user_id: Option<String>,
    /// Events where this agent (or client) acted: the requesting client or anywhere in the chain.
    pub agent_id: Option<String>,
    /// Events of this type.
    pub event_type: Option<String>,
    /// At or after, milliseconds since the epoch.
    pub since_ms: Option<i64>,
    /// Before, milliseconds since the epoch.
    pub until_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let t = TenantId::parse("acme").unwrap();
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord::allow("token.issued");
                r.user_id = Some(format!("user-{seq}"));
                let e = AuditEvent::seal(&t, seq, datetime!(2026-12-01 12:00 UTC), &prev, r);
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent], head: Option<(i64, String)>) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in events {
            v.next(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = Some((5, c[4].hash.clone()));
        assert_eq!(verify(&c, head), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let c = chain(5);
        let head = || Some((5, c[4].hash.clone()));
        let mut edited = c.clone();
        edited[2].record.scope = Some("admin".into());
        assert_eq!(verify(&edited, head()), Err(ChainBreak::Edited { seq: 3 }));
        let mut rehashed = edited.clone();
        rehashed[2] = AuditEvent::seal(
            &rehashed[2].tenant_id.clone(),
            3,
            datetime!(2026-12-01 12:00 UTC),
            &c[1].hash,
            rehashed[2].record.clone(),
        );
        assert_eq!(
            verify(&rehashed, head()),
            Err(ChainBreak::Broken { seq: 4, expected: 4 }),
            "re-sealing one event breaks the next link"
        );
        let deleted: Vec<_> = c.iter().filter(|e| e.seq != 2).cloned().collect();
        assert_eq!(verify(&deleted, head()), Err(ChainBreak::Broken { seq: 3, expected: 2 }));
        assert_eq!(verify(&c[..4], head()), Err(ChainBreak::Truncated { last: 4, head: 5 }));
        let mut time_moved = c.clone();
        time_moved[0].time_ms += 1;
        assert_eq!(verify(&time_moved, head()), Err(ChainBreak::Edited { seq: 1 }));
    }

    #[test]
    fn wire_form_is_flat() {
        let e = &chain(1)[0];
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(v["type"], "token.issued");
        assert_eq!(v["seq"], 1);
        assert_eq!(v["prev_hash"], GENESIS);
        assert!(v.get("record").is_none());
        let back: AuditEvent = serde_json::from_value(v).unwrap();
        assert_eq!(&back, e);
    }
}
