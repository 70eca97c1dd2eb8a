//! The audit trail: append-only, per-tenant hash-chained events.
//!
//! Each event carries the hash of the tenant's previous event, and its own hash covers every
//! field plus that link, so editing a stored event breaks its hash, and deleting or reordering
//! events breaks the chain. The store keeps a per-tenant head (last sequence number and hash),
//! so removing the newest events is detected too. [`ChainVerifier`] walks a trail and names the
//! first event that does not fit.
//!
//! # Personal data
//! An event's personal fields (the user id, the caller's IP address and User-Agent) are stored
//! in one of two forms ([`Personal`]). Events written before migration 0025 hold them in clear
//! and their hash covers them as they are ([`FORM_CLEAR`]). Newer events hold a keyed pseudonym
//! of the user id and the three fields sealed under the user's data key, and their hash covers
//! that stored form, not the plaintext ([`FORM_SEALED`]): destroying the key (erasure) leaves
//! the ciphertext unreadable and the chain intact.

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
    /// The user the event is about, if any (absent when `personal_data` is `erased`).
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
    /// The grant type of a token request (`authorization_code`, `client_credentials`,
    /// `urn:ietf:params:oauth:grant-type:token-exchange`, …), on the token endpoint's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// The caller's IP address (absent when `personal_data` is `erased`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The caller's User-Agent, truncated (absent when `personal_data` is `erased`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `allow` or `deny`.
    pub decision: String,
    /// Why (an error code and description on refusals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How the personal fields (`user_id`, `ip`, `user_agent`) are stored; never on the wire.
    #[serde(skip)]
    pub personal: Personal,
    /// Whether `reason` is about the person (a sign-in's risk decision names countries and
    /// distances): then it is sealed with the personal fields, and erased with them.
    #[serde(skip)]
    pub reason_is_personal: bool,
}

/// The hash form of events written before migration 0025: personal fields in clear, hashed.
pub const FORM_CLEAR: i64 = 0;
/// The hash form of sealed events: the hash covers the pseudonym and the ciphertext.
pub const FORM_SEALED: i64 = 1;

/// How an event's personal fields are stored, which decides what its hash covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Personal {
    /// In clear, in the record's `user_id`, `ip` and `user_agent` ([`FORM_CLEAR`]): events
    /// written before migration 0025, and events built in memory before they are sealed.
    #[default]
    Clear,
    /// Sealed ([`FORM_SEALED`]); the record's clear fields are not stored (and are filled in
    /// only when an event is opened for reading).
    Sealed(SealedPersonal),
}

/// The stored form of an event's personal fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedPersonal {
    /// The keyed pseudonym of the user id (what the `user` filter looks up); `None` when the
    /// event is about no user.
    pub subject: Option<String>,
    /// [`PersonalFields`] as JSON, sealed under the data key of `subject` (of the tenant when
    /// there is no subject); `None` when the event has no personal fields.
    pub data: Option<String>,
}

impl Personal {
    /// The hash form number stored with the event.
    pub fn form(&self) -> i64 {
        match self {
            Self::Clear => FORM_CLEAR,
            Self::Sealed(_) => FORM_SEALED,
        }
    }
}

/// The personal fields of an event, as sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalFields {
    /// The user the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The caller's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The caller's User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The reason, when it is about the person ([`AuditRecord::reason_is_personal`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl PersonalFields {
    /// Takes the personal fields out of `record`, leaving them empty.
    pub fn take(record: &mut AuditRecord) -> Self {
        Self {
            user_id: record.user_id.take(),
            ip: record.ip.take(),
            user_agent: record.user_agent.take(),
            reason: if record.reason_is_personal { record.reason.take() } else { None },
        }
    }

    /// Puts them back into `record`.
    pub fn restore(self, record: &mut AuditRecord) {
        record.user_id = self.user_id;
        record.ip = self.ip;
        record.user_agent = self.user_agent;
        if self.reason.is_some() {
            record.reason = self.reason;
            record.reason_is_personal = true;
        }
    }

    /// Whether there is nothing to seal.
    pub fn is_empty(&self) -> bool {
        self.user_id.is_none() && self.ip.is_none() && self.user_agent.is_none() && self.reason.is_none()
    }
}

/// What a reader gets in place of an event's personal fields when they cannot be shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    /// The data key that sealed them was destroyed (the user's data was erased): `user_id`,
    /// `ip` and `user_agent` are absent for good. The other fields, and the chain, are intact.
    Erased,
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
    /// SHA-256 (hex) over the previous hash and this event's fields (as stored: for sealed
    /// events, over the pseudonym and the ciphertext of the personal fields).
    pub hash: String,
    /// `erased` when the event's personal fields (`user_id`, `ip`, `user_agent`, and a reason
    /// about the person) were sealed under a data key that has been destroyed; absent otherwise.
    /// Not part of the hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<PersonalData>,
}

/// The hashed form of an event written before migration 0025: every field in a fixed order,
/// the personal ones in clear.
#[derive(Serialize)]
struct Hashed<'a> {
    tenant_id: &'a str,
    seq: i64,
    time_ms: i64,
    record: &'a AuditRecord,
}

/// The hashed form of a sealed event: the record's facts and the personal fields as stored.
#[derive(Serialize)]
struct HashedSealed<'a> {
    form: i64,
    tenant_id: &'a str,
    seq: i64,
    time_ms: i64,
    record: Facts<'a>,
    subject: Option<&'a str>,
    data: Option<&'a str>,
}

/// Every field of a record except the personal ones. A field added to [`AuditRecord`] must be
/// added here too (or it is not covered by the hash of sealed events).
#[derive(Serialize)]
struct Facts<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    client_id: Option<&'a str>,
    actors: &'a [String],
    delegation_id: Option<&'a str>,
    scope: Option<&'a str>,
    audience: Option<&'a str>,
    // Left out when absent, so events written before the grant was recorded hash as they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'a str>,
    decision: &'a str,
    reason: Option<&'a str>,
}

impl<'a> Facts<'a> {
    fn of(r: &'a AuditRecord) -> Self {
        Self {
            event_type: &r.event_type,
            client_id: r.client_id.as_deref(),
            actors: &r.actors,
            delegation_id: r.delegation_id.as_deref(),
            scope: r.scope.as_deref(),
            audience: r.audience.as_deref(),
            grant: r.grant.as_deref(),
            decision: &r.decision,
            // A reason about the person is sealed (in the stored form it is empty; an opened
            // event has it back, and must hash the same).
            reason: if r.reason_is_personal { None } else { r.reason.as_deref() },
        }
    }
}

impl AuditEvent {
    /// Places `record` after the event whose hash is `prev_hash`, at `seq`.
    pub fn seal(tenant: &TenantId, seq: i64, time: OffsetDateTime, prev_hash: &str, record: AuditRecord) -> Self {
        let time_ms = i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let hash = chain_hash(prev_hash, tenant.as_str(), seq, time_ms, &record);
        Self {
            tenant_id: tenant.clone(),
            seq,
            time_ms,
            record,
            prev_hash: prev_hash.to_owned(),
            hash,
            personal_data: None,
        }
    }

    /// Whether the stored hash matches the fields.
    pub fn hash_matches(&self) -> bool {
        chain_hash(&self.prev_hash, self.tenant_id.as_str(), self.seq, self.time_ms, &self.record) == self.hash
    }
}

fn chain_hash(prev_hash: &str, tenant: &str, seq: i64, time_ms: i64, record: &AuditRecord) -> String {
    // Serialising a struct of strings and integers cannot fail; an empty body would still be
    // chained (and the event would fail verification rather than pass).
    let body = match &record.personal {
        Personal::Clear => serde_json::to_string(&Hashed { tenant_id: tenant, seq, time_ms, record }),
        // The plaintext fields are left out: they are not stored, and an opened event (or one
        // whose key was destroyed) hashes the same as the stored one.
        Personal::Sealed(sealed) => serde_json::to_string(&HashedSealed {
            form: FORM_SEALED,
            tenant_id: tenant,
            seq,
            time_ms,
            record: Facts::of(record),
            subject: sealed.subject.as_deref(),
            data: sealed.data.as_deref(),
        }),
    }
    .unwrap_or_default();
    SecretHash::of(&format!("{prev_hash}\n{body}")).as_str().to_owned()
}

/// How many events of one type, with one decision, a stretch of a trail holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCount {
    /// The event type (`user.signed_in`, `token.issued`, …).
    pub event_type: String,
    /// `allow`, `deny` or `step_up`.
    pub decision: String,
    /// The grant type, on the token endpoint's events.
    pub grant: Option<String>,
    /// How many.
    pub count: u64,
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
    /// A verifier that starts after the event `(seq, hash)`: the horizon of a trail whose oldest
    /// events retention removed (it recorded the last one's sequence number and hash).
    pub fn after(horizon: Option<(i64, String)>) -> Self {
        horizon.map_or_else(Self::default, |(last_seq, last_hash)| Self { last_seq, last_hash })
    }

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
    /// Events about this user: events written before migration 0025 hold the id in clear.
    pub user_id: Option<String>,
    /// Events about the user with this pseudonym (sealed events); with `user_id`, an event
    /// matching either is about the user.
    pub subject: Option<String>,
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

    /// A sealed event as the server stores it: the personal fields out of the record, the
    /// pseudonym and a stand-in ciphertext in their place.
    fn sealed(seq: i64, prev: &str, subject: Option<&str>, data: Option<&str>) -> AuditEvent {
        let t = TenantId::parse("acme").unwrap();
        let mut r = AuditRecord::allow("token.issued");
        r.client_id = Some("web".into());
        r.personal =
            Personal::Sealed(SealedPersonal { subject: subject.map(str::to_owned), data: data.map(str::to_owned) });
        AuditEvent::seal(&t, seq, datetime!(2026-12-01 12:00 UTC), prev, r)
    }

    #[test]
    fn both_hash_forms_verify_in_one_chain() {
        // Events written before the upgrade (clear), then sealed ones, in one tenant's chain.
        let mut c = chain(2);
        let e3 = sealed(3, &c[1].hash, Some("p-ada"), Some("v1.k.ct-ada"));
        let e4 = sealed(4, &e3.hash, None, Some("v1.k.ct-tenant"));
        let e5 = sealed(5, &e4.hash, None, None);
        c.extend([e3, e4, e5]);
        assert_eq!(c.iter().map(|e| e.record.personal.form()).collect::<Vec<_>>(), [0, 0, 1, 1, 1]);
        let head = Some((5, c[4].hash.clone()));
        assert_eq!(verify(&c, head.clone()), Ok(5));

        // A clear event's hash covers its clear fields; a sealed event's covers what is stored.
        type Edit = Box<dyn Fn(&mut AuditEvent)>;
        let edits: Vec<(usize, Edit)> = vec![
            (1, Box::new(|e| e.record.user_id = Some("mallory".into()))),
            (2, Box::new(|e| set(e, SealedPersonal { subject: Some("p-eve".into()), ..sealed_of(e) }))),
            (2, Box::new(|e| set(e, SealedPersonal { data: Some("v1.k.other".into()), ..sealed_of(e) }))),
            (3, Box::new(|e| set(e, SealedPersonal::default()))),
            (2, Box::new(|e| e.record.scope = Some("admin".into()))),
            (4, Box::new(|e| e.record.personal = Personal::Clear)),
        ];
        for (i, edit) in edits {
            let mut edited = c.clone();
            edit(&mut edited[i]);
            let seq = edited[i].seq;
            assert_eq!(verify(&edited, head.clone()), Err(ChainBreak::Edited { seq }), "edit of event {seq}");
        }
    }

    #[test]
    fn the_grant_is_hashed_and_events_without_one_keep_their_hash() {
        // The hash of this event as written before the grant was recorded.
        let old = sealed(1, GENESIS, Some("p-ada"), Some("v1.k.ct"));
        assert_eq!(old.hash, "fed74375562b4a497b56cd3ce6f82f8207b4288b670d2e020e855ce86d188963");

        let mut with_grant = old.record.clone();
        with_grant.grant = Some("client_credentials".into());
        let e = AuditEvent::seal(&old.tenant_id, 1, datetime!(2026-12-01 12:00 UTC), GENESIS, with_grant);
        assert_ne!(e.hash, old.hash);
        assert!(e.hash_matches());
        for edit in [None, Some("authorization_code")] {
            let mut edited = e.clone();
            edited.record.grant = edit.map(str::to_owned);
            assert!(!edited.hash_matches(), "grant changed to {edit:?}");
        }
    }

    fn set(e: &mut AuditEvent, s: SealedPersonal) {
        e.record.personal = Personal::Sealed(s);
    }

    fn sealed_of(e: &AuditEvent) -> SealedPersonal {
        match &e.record.personal {
            Personal::Sealed(s) => s.clone(),
            Personal::Clear => SealedPersonal::default(),
        }
    }

    #[test]
    fn sealed_events_verify_opened_or_after_their_key_is_destroyed() {
        let e1 = sealed(1, GENESIS, Some("p-ada"), Some("v1.k.ct-ada"));
        let head = Some((1, e1.hash.clone()));
        // Opened for a reader: the plaintext is filled in, and the hash still matches.
        let mut opened = e1.clone();
        PersonalFields {
            user_id: Some("ada".into()),
            ip: Some("192.0.2.1".into()),
            user_agent: None,
            reason: Some("country changed from DE to US".into()),
        }
        .restore(&mut opened.record);
        assert_eq!(verify(&[opened], head.clone()), Ok(1));
        // The key destroyed: nothing opens, the reader sees the marker, the chain is intact.
        let mut erased = e1.clone();
        erased.personal_data = Some(PersonalData::Erased);
        assert_eq!(verify(&[erased.clone()], head), Ok(1));
        let v = serde_json::to_value(&erased).unwrap();
        assert_eq!(v["personal_data"], "erased");
        assert!(v.get("user_id").is_none() && v.get("ip").is_none() && v.get("subject").is_none());
        assert!(!v.to_string().contains("ct-ada"), "the stored form is not on the wire");
    }

    #[test]
    fn personal_fields_are_taken_and_restored() {
        let mut r = AuditRecord::allow("token.issued");
        r.user_id = Some("ada".into());
        r.user_agent = Some("curl".into());
        r.reason = Some("client web".into());
        let fields = PersonalFields::take(&mut r);
        assert!(r.user_id.is_none() && r.ip.is_none() && r.user_agent.is_none());
        assert_eq!(r.reason.as_deref(), Some("client web"), "a reason stays unless it is about the person");
        assert!(!fields.is_empty() && PersonalFields::default().is_empty());
        assert_eq!(serde_json::to_string(&fields).unwrap(), r#"{"user_id":"ada","user_agent":"curl"}"#);
        fields.restore(&mut r);
        assert_eq!((r.user_id.as_deref(), r.user_agent.as_deref()), (Some("ada"), Some("curl")));

        let mut r = AuditRecord::allow("sign_in.succeeded");
        r.reason = Some("country changed from DE to US".into());
        r.reason_is_personal = true;
        let fields = PersonalFields::take(&mut r);
        assert!(r.reason.is_none() && !fields.is_empty(), "sealed with the personal fields");
        fields.restore(&mut r);
        assert_eq!(r.reason.as_deref(), Some("country changed from DE to US"));
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
