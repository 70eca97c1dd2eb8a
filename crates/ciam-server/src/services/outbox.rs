//! The mail outbox service: requests queue mail with [`enqueue`]; a worker on every node
//! ([`start_worker`]) delivers it through the configured mailer, with retries.
//!
//! House rule 41: mail is an outbox, not a call. A request stores the message in the durable
//! store (one insert) and answers; it never waits for, nor learns about, the mail server. So a
//! relay that is slow or down delays mail but never fails or slows a page, and the page cannot
//! tell anyone whether a message was due (whether an account exists).
//!
//! Delivery: the worker claims due messages for [`LEASE`] (a compare-and-set in the store, so of
//! several nodes on one database only one sends a message), sends each with a timeout well inside
//! the lease, then deletes it. A failure the relay may get over (unreachable, 4xx, timeout) is
//! retried after a growing delay ([`RETRY_FIRST`] doubling up to [`RETRY_MAX`]); a permanent one
//! (5xx, bad address), the [`MAX_ATTEMPTS`]-th failure, or a message past its validity is given
//! up: the row stays, marked failed with its last error, for [`FAILED_KEPT`]. The worker polls
//! every [`POLL_EVERY`] for other nodes' mail and retries, and an enqueue on its own node wakes
//! it at once, so a message normally leaves within milliseconds. A node that stops (or dies)
//! mid-delivery leaves the message in the outbox; its claim lapses and another worker sends it,
//! so delivery is at least once.
//!
//! # Security
//! - Recipient, subject and body are sealed with the master key before they are stored, bound to
//!   the message's tenant and id ([`owner`]): a copied row does not open elsewhere.
//! - Nothing logged or stored in clear carries a body or an address: failures are logged with the
//!   tenant and the message id, and the relay's error text with the address cut out.
//! - No metric counts deliveries: `/metrics` is unauthenticated, and a counter that moves only
//!   for real mail would tell anyone watching it whether the address they just typed has an
//!   account (see [`Delivery::discard`]).

use std::time::Duration;

use crate::adapters::mail::OutgoingMail;
use anyhow::Context as _;
use ciam_core::id::TenantId;
use ciam_core::outbox::QueuedMail;
use ciam_core::secret::random_token;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::error::Failure;
use crate::state::AppState;

/// How long a claim holds a message: longer than any delivery attempt ([`SEND_TIMEOUT`]).
pub(crate) const LEASE: Duration = Duration::from_secs(120);
/// The longest one delivery attempt may take before it counts as failed.
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the worker looks for due messages without being woken.
pub(crate) const POLL_EVERY: Duration = Duration::from_secs(1);
/// The delay before the first retry; each further retry waits twice as long ...
pub(crate) const RETRY_FIRST: Duration = Duration::from_secs(2);
/// ... up to this.
pub(crate) const RETRY_MAX: Duration = Duration::from_secs(600);
/// Attempts before a message is given up.
pub(crate) const MAX_ATTEMPTS: u32 = 50;
/// How long a message is worth sending unless the caller says otherwise.
pub(crate) const DEFAULT_VALIDITY: Duration = Duration::from_secs(24 * 3600);
/// How long a message given up is kept for operators.
pub(crate) const FAILED_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);
/// Deliveries one node runs at once.
const IN_FLIGHT: usize = 8;
/// How often messages given up are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// The node's side of the outbox: the worker's wake-up call.
#[derive(Default)]
pub(crate) struct Outbox {
    wake: Notify,
}

/// How a queued message is delivered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Delivery {
    /// After this long the message is given up instead of sent: a sign-in code that expired is
    /// of no use to anyone.
    pub(crate) valid_for: Duration,
    /// Sealed, stored, claimed and deleted like any other message, but never sent. For requests
    /// that must do the same work whether or not a message is due: "email me a code" for an
    /// address without an account queues one of these, so its response takes the same path and
    /// time as for an account. The flag is inside the sealed message, so the row does not show it.
    pub(crate) discard: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Self { valid_for: DEFAULT_VALIDITY, discard: false }
    }
}

/// What is sealed into [`QueuedMail::sealed`].
#[derive(Serialize, Deserialize)]
struct Sealed {
    to: String,
    subject: String,
    text: String,
    #[serde(default)]
    discard: bool,
}

/// The sealing owner of a queued message: its tenant and id.
fn owner(tenant: &TenantId, id: &str) -> String {
    format!("mail/{tenant}/{id}")
}

/// Queues `mail` for delivery, valid for [`DEFAULT_VALIDITY`]. Returns once the message is
/// durable; delivery happens later, on this node or another (see the module documentation).
///
/// Call it after the change the message reports has been stored, and treat an error like a
/// failed write of that change: the message was not queued.
///
/// # Security
/// `mail` may carry a single-use code or link (the only secret a mail may carry, house rule 41):
/// it is sealed before it is stored and never logged.
#[allow(dead_code)] // the general entry point; sign-in mail uses `enqueue_with`.
pub(crate) async fn enqueue(st: &AppState, tenant: &TenantId, mail: OutgoingMail) -> Result<(), Failure> {
    enqueue_with(st, tenant, mail, Delivery::default()).await
}

/// [`enqueue`] with a validity of its own, or a message to discard (see [`Delivery`]).
pub(crate) async fn enqueue_with(
    st: &AppState,
    tenant: &TenantId,
    mail: OutgoingMail,
    delivery: Delivery,
) -> Result<(), Failure> {
    let id = random_token(16);
    let sealed = Sealed { to: mail.to, subject: mail.subject, text: mail.text, discard: delivery.discard };
    let sealed = serde_json::to_vec(&sealed).map_err(Failure::internal)?;
    let sealed = st.master.seal(&owner(tenant, &id), &sealed).map_err(Failure::internal)?;
    let now = st.clock.now();
    let expires_at = now + delivery.valid_for;
    st.durable.enqueue_mail(&QueuedMail::new(tenant.clone(), id, sealed, now, expires_at)).await?;
    st.outbox.wake.notify_one();
    Ok(())
}

/// Starts this node's delivery worker. It stops claiming when `stop` turns true (or its sender
/// is dropped), gives the deliveries under way up to `grace` to finish, and ends; what it did not
/// finish stays in the outbox for the next claimer.
pub(crate) fn start_worker(st: AppState, stop: watch::Receiver<bool>, grace: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(st, stop, grace))
}

async fn run(st: AppState, mut stop: watch::Receiver<bool>, grace: Duration) {
    let mut running: JoinSet<()> = JoinSet::new();
    let mut next_purge = tokio::time::Instant::now();
    loop {
        if *stop.borrow() {
            break;
        }
        while running.try_join_next().is_some() {}
        let free = IN_FLIGHT.saturating_sub(running.len());
        if free > 0 {
            let claim = random_token(16);
            let now = st.clock.now();
            let limit = u32::try_from(free).unwrap_or(1);
            match st.durable.claim_mail(&claim, now, now + LEASE, limit).await {
                Ok(batch) => {
                    for mail in batch {
                        let (st, claim) = (st.clone(), claim.clone());
                        running.spawn(async move { deliver(&st, mail, &claim).await });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "mail outbox: could not claim due messages"),
            }
        }
        if tokio::time::Instant::now() >= next_purge {
            next_purge += PURGE_EVERY;
            let cutoff = st.clock.now() - FAILED_KEPT;
            match st.durable.purge_failed_mail(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "mail outbox: purged messages given up"),
                Err(e) => tracing::warn!(error = %e, "mail outbox: could not purge messages given up"),
            }
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = st.outbox.wake.notified() => {}
            () = tokio::time::sleep(POLL_EVERY) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    let drained = tokio::time::timeout(grace, async { while running.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            deliveries = running.len(),
            "mail outbox: stopped before deliveries under way finished; they will be retried"
        );
    }
}

/// One attempt at one claimed message.
async fn deliver(st: &AppState, mail: QueuedMail, claim: &str) {
    let (tenant, id) = (&mail.tenant_id, mail.id.as_str());
    let opened = st
        .master
        .open(&owner(tenant, id), &mail.sealed)
        .context("cannot be opened")
        .and_then(|plain| serde_json::from_slice::<Sealed>(&plain).context("cannot be read"));
    let message = match opened {
        Ok(m) => m,
        Err(e) => return give_up(st, &mail, claim, &format!("{e:#}")).await,
    };
    if message.discard {
        return finished(st, &mail, claim, "discarded").await;
    }
    if st.clock.now() >= mail.expires_at {
        return give_up(st, &mail, claim, "expired before it could be delivered").await;
    }
    let to = message.to.clone();
    let out = OutgoingMail { to: message.to, subject: message.subject, text: message.text };
    let (error, transient) = match tokio::time::timeout(SEND_TIMEOUT, st.mailer.send(&out)).await {
        Ok(Ok(())) => return finished(st, &mail, claim, "sent").await,
        Ok(Err(e)) => (without_address(&e.to_string(), &to), e.is_transient()),
        Err(_) => (format!("no answer within {} s", SEND_TIMEOUT.as_secs()), true),
    };
    let now = st.clock.now();
    let retry_at = now + retry_delay(mail.attempts);
    if !transient || mail.attempts >= MAX_ATTEMPTS || retry_at >= mail.expires_at {
        return give_up(st, &mail, claim, &error).await;
    }
    tracing::warn!(
        tenant = %tenant, mail_id = id, attempt = mail.attempts, retry_at = %retry_at, error,
        "mail delivery failed; will retry"
    );
    if let Err(e) = st.durable.release_failed_mail(tenant, id, claim, Some(retry_at), &error).await {
        // The claim lapses, and the message is attempted again then.
        tracing::warn!(tenant = %tenant, mail_id = id, error = %e, "mail outbox: could not schedule the retry");
    }
}

async fn finished(st: &AppState, mail: &QueuedMail, claim: &str, outcome: &'static str) {
    match st.durable.delete_claimed_mail(&mail.tenant_id, &mail.id, claim).await {
        Ok(true) => tracing::debug!(tenant = %mail.tenant_id, mail_id = %mail.id, outcome, "mail outbox: done"),
        Ok(false) => tracing::warn!(
            tenant = %mail.tenant_id, mail_id = %mail.id,
            "mail outbox: the claim lapsed before delivery finished; the message may be sent twice"
        ),
        // The claim lapses, and the message is attempted (and sent) again then.
        Err(e) => tracing::warn!(
            tenant = %mail.tenant_id, mail_id = %mail.id, error = %e,
            "mail outbox: delivered, but could not be removed; it may be sent twice"
        ),
    }
}

async fn give_up(st: &AppState, mail: &QueuedMail, claim: &str, error: &str) {
    tracing::error!(
        tenant = %mail.tenant_id, mail_id = %mail.id, attempts = mail.attempts, error,
        "mail delivery given up; the message is kept, marked failed"
    );
    if let Err(e) = st.durable.release_failed_mail(&mail.tenant_id, &mail.id, claim, None, error).await {
        tracing::warn!(tenant = %mail.tenant_id, mail_id = %mail.id, error = %e, "mail outbox: could not mark failed");
    }
}

/// The wait before the attempt after attempt number `attempts`: [`RETRY_FIRST`], doubling, at
/// most [`RETRY_MAX`].
fn retry_delay(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    RETRY_FIRST.saturating_mul(1 << doublings).min(RETRY_MAX)
}

const REDACTED: &str = "[recipient]";

/// A relay's error text without the recipient's address (a refusal often quotes it).
fn without_address(text: &str, to: &str) -> String {
    let bare = to.rsplit_once('<').and_then(|(_, rest)| rest.strip_suffix('>')).unwrap_or(to).trim();
    let mut out = text.to_owned();
    for needle in [to.trim(), bare] {
        if needle.is_empty() {
            continue;
        }
        // ASCII case folding keeps byte offsets, so positions found in the folded copy hold.
        let needle = needle.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = out.get(from..).and_then(|rest| rest.to_ascii_lowercase().find(&needle)) {
            let at = from + at;
            out.replace_range(at..at + needle.len(), REDACTED);
            from = at + REDACTED.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_a_bound() {
        let waits: Vec<u64> = (1..=12).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600]);
        assert_eq!(retry_delay(0), RETRY_FIRST);
        assert_eq!(retry_delay(u32::MAX), RETRY_MAX);
    }

    #[test]
    fn relay_errors_lose_the_address() {
        let text = "permanent error (550): 5.1.1 <Ada@Example.com>: Recipient address rejected (ada@example.com)";
        let out = without_address(text, "ada@example.com");
        assert_eq!(out, "permanent error (550): 5.1.1 <[recipient]>: Recipient address rejected ([recipient])");
        assert_eq!(without_address("550 bob@x.test unknown", "Bob <bob@x.test>"), "550 [recipient] unknown");
        assert_eq!(without_address("connection refused", ""), "connection refused");
    }
}
