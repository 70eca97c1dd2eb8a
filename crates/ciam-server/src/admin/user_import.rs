//! `POST /admin/v1/tenants/{tenant}/users:import`: users from another system, one JSON object per
//! line (NDJSON), answered with one report line per input line as the import goes.
//!
//! - A line is a user document as for a create (`email`, `email_verified`, `status`, profile
//!   claims), with the old system's hash in `password_hash` (never a plaintext `password`) and
//!   optionally the user's id there in `external_id` and the upstream accounts they sign in with
//!   in `identities` (`[{"provider":"google","subject":"…"}]`, providers of the tenant). Blank
//!   lines are skipped.
//! - The body is read as a stream and imported in batches of [`BATCH`] lines, each in one
//!   transaction: memory stays bounded whatever the size of the file, and the report streams
//!   back while the rest is still uploading.
//! - Importing is idempotent: a user the tenant already has (same `external_id`, else same
//!   normalised email) is reported `existing` and left as it is, so a failed import is simply
//!   run again.
//! - A refused line names the field and the reason, never the value. A line over
//!   [`MAX_LINE_BYTES`] is refused; a body over [`MAX_IMPORT_BYTES`] is refused before anything
//!   is read when it says its length, and otherwise stops there, with the lines before it
//!   imported and the report saying where it stopped.
//!
//! A refused line is reported at once, the others when their batch is stored, so the report is
//! in line order within each kind; every report line names its input line. The report's
//! lines: `{"line":1,"status":"created","id":"…"}`, `{"line":2,"status":"existing",
//! "id":"…"}`, `{"line":3,"status":"refused","field":"email","reason":"…"}`, and last
//! `{"summary":{"created":1,"existing":1,"refused":1},"complete":true}`. A line whose upstream
//! account is linked to another user already is imported without that link and says so:
//! `"identities_refused":["google"]`.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use ciam_core::tenant::Tenant;
use ciam_core::user::{Imported, ImportedUser};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::imported_user;
use super::{AdminAuth, Path, existing_tenant};
use crate::audit::Caller;
use crate::error::{Problem, ProblemBody, ProblemKind};
use crate::services::{By, users};
use crate::state::AppState;

/// Lines imported per transaction.
const BATCH: usize = 500;
/// The longest line, in bytes.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// The largest import, in bytes (about 150,000 users with bcrypt hashes and a few claims).
const MAX_IMPORT_BYTES: u64 = 32 << 20;
/// The media type of the request and of the report.
const NDJSON: &str = "application/x-ndjson";

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_users))
}

/// Import users from another system (NDJSON in, an NDJSON report out).
#[utoipa::path(post, path = "/tenants/{tenant}/users:import", extensions(("x-permission" = json!("users:write"))), tag = "users",
    params(("tenant" = String, Path, description = "Tenant id")),
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One user per line: `email`, `email_verified`, `status`, profile claims, `password_hash` \
                       (see the users' create), `external_id` and `identities`."),
    responses(
        (status = 200, content_type = "application/x-ndjson",
         description = "One report line per input line (`created`, `existing` or `refused` with the field and \
                        the reason), then a summary line.", body = String),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Over 32 MiB", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not NDJSON", body = ProblemBody, content_type = "application/problem+json"),
    ))]
async fn import_users(
    admin: AdminAuth,
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let tenant = existing_tenant(&st, &tenant).await?;
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if media.split(';').next().map(str::trim) != Some(NDJSON) {
        // Read what was sent (up to 1 MiB) before answering, so a client still writing its body
        // gets this answer rather than a reset connection.
        let _ = axum::body::to_bytes(body, 1 << 20).await;
        return Err(Problem::new(ProblemKind::UnsupportedMediaType, "send the users as application/x-ndjson"));
    }
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if length.is_some_and(|l| l > MAX_IMPORT_BYTES) {
        return Err(too_large());
    }
    let (report, lines) = mpsc::channel::<Bytes>(64);
    tokio::spawn(run(st, tenant, By::admin(caller, &admin.0), body, report));
    let stream = futures_util::stream::unfold(lines, |mut lines| async move {
        lines.recv().await.map(|line| (Ok::<_, Infallible>(line), lines))
    });
    Ok(([(header::CONTENT_TYPE, NDJSON)], Body::from_stream(stream)).into_response())
}

fn too_large() -> Problem {
    Problem::new(
        ProblemKind::PayloadTooLarge,
        format!("an import is at most {} MiB: split the file", MAX_IMPORT_BYTES >> 20),
    )
}

/// The import's counts.
#[derive(Default)]
struct Summary {
    created: u64,
    existing: u64,
    refused: u64,
}

/// Reads the body line by line, imports it batch by batch and sends the report. Stops early if
/// the report's reader has gone (what was imported stays: a rerun finds it).
async fn run(st: AppState, tenant: Tenant, by: By, body: Body, report: mpsc::Sender<Bytes>) {
    let providers = match st.durable.list_identity_providers(&tenant.id).await {
        Ok(list) => list.into_iter().map(|p| p.id).collect(),
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, error = %e, "an import could not read the identity providers");
            Vec::new()
        }
    };
    let mut import = Import {
        st,
        tenant,
        by,
        report,
        batch: Vec::new(),
        numbers: Vec::new(),
        links: Vec::new(),
        providers,
        summary: Summary::default(),
    };
    let complete = import.read(body).await;
    let stopped = match &complete {
        Ok(()) => import.flush().await.err(),
        Err(why) => Some(why.clone()),
    };
    let s = &import.summary;
    let summary = json!({"created": s.created, "existing": s.existing, "refused": s.refused});
    let last = match stopped {
        None => json!({"summary": summary, "complete": true}),
        Some(why) => json!({"summary": summary, "complete": false, "stopped": why}),
    };
    let _ = import.send(&last).await;
}

struct Import {
    st: AppState,
    tenant: Tenant,
    by: By,
    report: mpsc::Sender<Bytes>,
    /// Parsed lines waiting for their transaction, and their line numbers.
    batch: Vec<ImportedUser>,
    numbers: Vec<u64>,
    /// The upstream accounts of each queued line.
    links: Vec<Vec<(String, String)>>,
    /// The tenant's identity providers (ids), which `identities` may name.
    providers: Vec<String>,
    summary: Summary,
}

impl Import {
    /// Sends one report line; `Err` when nobody reads the report any more.
    async fn send(&self, line: &Value) -> Result<(), String> {
        let mut bytes = line.to_string().into_bytes();
        bytes.push(b'\n');
        self.report.send(Bytes::from(bytes)).await.map_err(|_| "the client went away".to_owned())
    }

    /// Reads the whole body; `Err` with the reason the import stopped early.
    async fn read(&mut self, body: Body) -> Result<(), String> {
        let mut stream = body.into_data_stream();
        let (mut line, mut number, mut total) = (Vec::new(), 0u64, 0u64);
        let mut too_long = false;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("the upload failed: {e}"))?;
            total += chunk.len() as u64;
            if total > MAX_IMPORT_BYTES {
                return Err(format!("over {} MiB: the lines after {number} were not read", MAX_IMPORT_BYTES >> 20));
            }
            for piece in chunk.split_inclusive(|b| *b == b'\n') {
                let ends = piece.last() == Some(&b'\n');
                if line.len() + piece.len() > MAX_LINE_BYTES + 1 {
                    too_long = true;
                } else {
                    line.extend_from_slice(piece);
                }
                if ends {
                    number += 1;
                    self.line(number, &line, too_long).await?;
                    line.clear();
                    too_long = false;
                }
            }
        }
        if !line.is_empty() || too_long {
            number += 1;
            self.line(number, &line, too_long).await?;
        }
        Ok(())
    }

    /// Parses line `number`: refused at once, or queued for the next transaction.
    async fn line(&mut self, number: u64, raw: &[u8], too_long: bool) -> Result<(), String> {
        let text = String::from_utf8_lossy(raw);
        if !too_long && text.trim().is_empty() {
            return Ok(());
        }
        match self.parse(raw, too_long).await {
            Ok((user, links)) => {
                self.batch.push(user);
                self.numbers.push(number);
                self.links.push(links);
                if self.batch.len() >= BATCH {
                    self.flush().await?;
                }
                Ok(())
            }
            Err((field, reason)) => {
                self.summary.refused += 1;
                self.send(&json!({"line": number, "status": "refused", "field": field, "reason": reason})).await
            }
        }
    }

    /// The user of a line, or the field and the reason it is refused (never the value).
    async fn parse(
        &self,
        raw: &[u8],
        too_long: bool,
    ) -> Result<(ImportedUser, Vec<(String, String)>), (String, String)> {
        let whole = |reason: String| (String::new(), reason);
        if too_long {
            return Err(whole(format!("longer than {MAX_LINE_BYTES} bytes")));
        }
        let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(raw) else {
            return Err(whole("not a JSON object".into()));
        };
        let external_id = external_id(&mut doc)?;
        let links = identities(&mut doc, &self.providers)?;
        let (user, password) = imported_user(&self.st, &self.tenant, doc).await.map_err(|p| refusal(&p))?;
        Ok((ImportedUser { user, password, external_id }, links))
    }

    /// Imports the queued lines in one transaction and reports each.
    async fn flush(&mut self) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let (batch, numbers) = (std::mem::take(&mut self.batch), std::mem::take(&mut self.numbers));
        let links = std::mem::take(&mut self.links);
        let lines = (numbers.first().copied().unwrap_or(0), numbers.last().copied().unwrap_or(0));
        let done = users::import(&self.st, &self.by, &self.tenant.id, &batch, &links, lines).await.map_err(|e| {
            tracing::warn!(tenant = %self.tenant.id, error = %e, "an import batch failed");
            format!("lines {}-{} could not be stored; run the import again", lines.0, lines.1)
        })?;
        for (number, (outcome, refused)) in numbers.iter().zip(done) {
            let (status, id) = match outcome {
                Imported::Created(id) => {
                    self.summary.created += 1;
                    ("created", id)
                }
                Imported::Existing(id) => {
                    self.summary.existing += 1;
                    ("existing", id)
                }
            };
            let line = if refused.is_empty() {
                json!({"line": number, "status": status, "id": id.to_string()})
            } else {
                json!({"line": number, "status": status, "id": id.to_string(), "identities_refused": refused})
            };
            self.send(&line).await?;
        }
        Ok(())
    }
}

/// Takes `external_id` out of a line: a string of 1 to 255 characters without control
/// characters.
fn external_id(doc: &mut Map<String, Value>) -> Result<Option<String>, (String, String)> {
    let refused = |reason: &str| ("external_id".to_owned(), reason.to_owned());
    match doc.remove("external_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() || s.chars().count() > 255 => {
            Err(refused("must be 1 to 255 characters"))
        }
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            Err(refused("must not contain control characters"))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(refused("must be a string")),
    }
}

/// Takes `identities` out of a line: at most 20 upstream accounts, each of a provider of the
/// tenant, with a subject of 1 to 255 characters.
fn identities(doc: &mut Map<String, Value>, providers: &[String]) -> Result<Vec<(String, String)>, (String, String)> {
    let refused = |reason: &str| ("identities".to_owned(), reason.to_owned());
    let list = match doc.remove("identities") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) if list.len() <= 20 => list,
        Some(_) => return Err(refused("must be a list of at most 20 {\"provider\", \"subject\"} objects")),
    };
    list.iter()
        .map(|item| {
            let field = |name: &str| item.get(name).and_then(Value::as_str);
            let (Some(provider), Some(subject)) = (field("provider"), field("subject")) else {
                return Err(refused("each needs a provider and a subject"));
            };
            if !providers.iter().any(|p| p == provider) {
                return Err(refused("names a provider the tenant does not have"));
            }
            if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
                return Err(refused("a subject must be 1 to 255 characters of text"));
            }
            Ok((provider.to_owned(), subject.to_owned()))
        })
        .collect()
}

/// The field and reason of a refused line's problem.
fn refusal(p: &Problem) -> (String, String) {
    match p.errors().first() {
        Some(e) => (e.field.to_string(), e.message.to_string()),
        None => (String::new(), p.kind().title().to_owned()),
    }
}
