//! The action history: every request Callback Desk sends to a provider, recorded before it leaves.
//!
//! Lifecycle: [`History::begin`] inserts a `pending` row and returns only once it is on disk; the caller
//! then sends the request and calls [`History::finish`] with `ok`, `failed` or `unknown` (timeout, or a
//! connection cut after the request was sent). A crash between the two leaves the row `pending`. Each row
//! names the process that wrote it (its id and start time, [`ProcessId`]); whenever the store is opened,
//! [`History::mark_stale_pending_unknown`] turns the pending rows of processes that are gone into `unknown`
//! with the reason `history.interrupted`, because nobody can tell whether the provider acted on them. The
//! rows of a process still running (the app while the CLI opens the same data folder, a bulk runner) stay
//! pending: that process finishes them.
//!
//! Rows are never edited after `finish` and never deleted except by [`History::apply_retention`].
//!
//! Storage (migration 2 in [`crate::db::MIGRATIONS`]):
//! * `history`: the summary columns the table screen filters and pages on. Request and response bodies
//!   live in `history_payload` (one row per entry), so the summary table stays narrow and a filtered page
//!   or a count touches few pages even at a million rows.
//! * `history_fts`: an FTS5 index (external content, kept by triggers) over `search_text` and
//!   `account_label`, for the text filter. Terms match by prefix (`"9000000013"` finds `90000000139`).
//!   A filter matching few rows is resolved to their ids; a broad one (an account label word) walks the
//!   date index in chunks and checks each chunk against the FTS index by rowid range.
//! * Keyset paging on `(created_at_ms DESC, id DESC)`; indexes lead with each equality filter and end
//!   with that order, so a filtered page reads about `limit` index entries.
//!
//! Redaction: the transport stores requests and responses already redacted; `begin`/`finish` mask the
//! signature and credential headers ([`SENSITIVE_HEADERS`]), mask credential-looking fields of JSON and
//! form bodies and scrub registered secrets again before writing, and the CSV export does it once more
//! on the way out.

use crate::clock::{Clock, SystemClock};
use crate::db::{storage_error, Db};
use crate::error::{Error, ErrorCode, Result};
use crate::logging::{scrub, Scrubber};
use crate::process::ProcessId;
use crate::secret::REDACTED;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;
use ts_rs::TS;

/// The signature/credential header names and body field names masked here: one list, shared with the
/// transport (see [`crate::secret::SENSITIVE_HEADERS`]).
pub use crate::secret::{SENSITIVE_BODY_FIELDS, SENSITIVE_HEADERS};

mod text;

/// More rows than this in one page are never returned.
pub const MAX_PAGE: u32 = 500;

/// Rows read per lock hold while exporting or deleting, so an export of a million rows never blocks a
/// new action for long.
const CHUNK: u32 = 2_000;

/// How an action ended. `pending` only until `finish` (or crash recovery) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Outcome {
    Pending,
    Ok,
    Failed,
    /// The request may have reached the provider but no answer arrived (timeout, reset, crash).
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "pending" => Outcome::Pending,
            "ok" => Outcome::Ok,
            "failed" => Outcome::Failed,
            "unknown" => Outcome::Unknown,
            _ => return None,
        })
    }
}

pub use crate::accounts::Environment;

/// The request as sent, redacted: the exact body bytes (as text), signature headers masked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    /// In the order sent; names as sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The response as received, redacted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    #[ts(type = "number")]
    pub elapsed_ms: i64,
}

/// What is known before a request leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEntry {
    /// The bulk job this request belongs to, if any.
    pub job_id: Option<i64>,
    /// `None` for requests not tied to a saved account. Becomes `None` when the account is deleted.
    pub account_id: Option<i64>,
    /// The account's label at the time of the action; kept after the account is deleted.
    pub account_label: String,
    pub provider: String,
    pub environment: Environment,
    pub operation: String,
    /// Short human text of what the action covered, e.g. `notification_id=0 (all)` or `90000000139 (+99)`.
    pub scope: String,
    /// Identifiers the text filter should find: ids, serials, transaction hashes, order numbers
    /// (separated by spaces).
    pub search_text: String,
    pub request: RecordedRequest,
}

/// How the action ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finish {
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    /// The provider's own result code, e.g. Ceffu `000000` or a CYBAVO error number.
    pub provider_code: Option<String>,
    pub error: Option<Error>,
    pub duration_ms: Option<i64>,
    pub response: Option<RecordedResponse>,
    /// The request as finally sent, when it differs from the one recorded at `begin` (every attempt is
    /// signed afresh, so its timestamp and nonce are only known once it left). `None` keeps the first.
    pub request: Option<RecordedRequest>,
}

impl Finish {
    pub fn ok(http_status: u16, duration_ms: i64, response: RecordedResponse) -> Finish {
        Finish {
            outcome: Outcome::Ok,
            http_status: Some(http_status),
            provider_code: None,
            error: None,
            duration_ms: Some(duration_ms),
            response: Some(response),
            request: None,
        }
    }
}

/// What the table filters on. Every field is optional; all given fields must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryFilter {
    #[ts(optional = nullable, type = "number | null")]
    pub account_id: Option<i64>,
    #[ts(optional = nullable, type = "number | null")]
    pub job_id: Option<i64>,
    #[ts(optional = nullable)]
    pub provider: Option<String>,
    #[ts(optional = nullable)]
    pub operation: Option<String>,
    #[ts(optional = nullable)]
    pub outcome: Option<Outcome>,
    /// Inclusive lower bound on `created_at_ms`.
    #[ts(optional = nullable, type = "number | null")]
    pub from_ms: Option<i64>,
    /// Exclusive upper bound on `created_at_ms`.
    #[ts(optional = nullable, type = "number | null")]
    pub to_ms: Option<i64>,
    /// Words that must all occur (as word prefixes) in the row's identifiers or account label.
    #[ts(optional = nullable)]
    pub text: Option<String>,
}

/// Where the next page starts: the last row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Cursor {
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number")]
    pub id: i64,
}

/// An error as stored: the code stays a string so rows written by a newer version still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryError {
    pub code: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    pub detail: Option<String>,
}

/// One line of the history table (no bodies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub job_id: Option<i64>,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number | null")]
    pub finished_at_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub account_id: Option<i64>,
    pub account_label: String,
    pub provider: String,
    pub environment: Environment,
    pub operation: String,
    pub scope: String,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
    pub error: Option<HistoryError>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
}

/// One page of rows, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// `null` when this is the last page.
    pub next_cursor: Option<Cursor>,
}

/// A row with everything: identifiers, the redacted request and response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryDetail {
    #[serde(flatten)]
    pub row: HistoryRow,
    pub search_text: String,
    pub request: RecordedRequest,
    /// `null` while pending, and when no answer arrived.
    pub response: Option<RecordedResponse>,
}

/// How long a pending row of another process is left alone where processes cannot be asked whether they
/// run (not Unix): longer than any action takes (each request is bounded by the transport's timeouts).
pub const UNCHECKABLE_OWNER_MS: i64 = 60 * 60 * 1000;

/// The action history over the app's database.
#[derive(Clone)]
pub struct History {
    db: Db,
    clock: Arc<dyn Clock>,
    /// The process the rows begun here belong to.
    owner: ProcessId,
}

const SUMMARY_COLUMNS: &str = "h.id, h.job_id, h.created_at_ms, h.finished_at_ms, h.account_id, \
     h.account_label, h.provider, h.environment, h.operation, h.scope, h.outcome, h.http_status, \
     h.provider_code, h.error_code, h.error_params, h.error_detail, h.duration_ms";

impl History {
    /// History stamped with the system clock.
    pub fn new(db: Db) -> History {
        History::with_clock(db, Arc::new(SystemClock))
    }

    /// History stamped with the given clock (tests, benchmarks).
    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> History {
        // Give the query planner statistics (row counts per index prefix) when they are missing or
        // stale, bounded so start-up stays fast at any size. Best effort: a failure only costs speed.
        let _ = db.conn().execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;");
        History { db, clock, owner: ProcessId::current() }
    }

    /// The same history, recording the rows it begins as another process's (tests: rows written by a
    /// process that has since exited).
    pub fn owned_by(mut self, owner: ProcessId) -> History {
        self.owner = owner;
        self
    }

    /// Records an action as `pending` and returns its id. Call it before the request leaves.
    ///
    /// The row is durable when this returns, even across a power cut: the database runs in WAL mode
    /// with `synchronous = NORMAL` (a commit survives an application crash, but the last commits may
    /// roll back if the machine loses power), so this insert alone is committed with
    /// `synchronous = FULL`, which syncs the WAL to disk before returning. That costs one fsync per
    /// action (milliseconds, next to a provider round trip of hundreds), and guarantees that no request
    /// reaches a provider without a row saying so. `finish` runs at `NORMAL`: losing it to a power cut
    /// leaves the row `pending`, which crash recovery turns into `unknown`, the honest answer.
    pub fn begin(&self, mut entry: NewEntry) -> Result<i64> {
        let request = redact_request(std::mem::take(&mut entry.request));
        let request_json = serde_json::to_string(&request).map_err(storage_error)?;
        let now = self.clock.now_ms();
        let mut conn = self.db.conn();
        conn.pragma_update(None, "synchronous", "FULL").map_err(storage_error)?;
        let result = insert_entry(&mut conn, now, self.owner, &entry, &request_json);
        let restore = conn.pragma_update(None, "synchronous", "NORMAL");
        let id = result?;
        restore.map_err(storage_error)?;
        Ok(id)
    }

    /// Finishes a `pending` row. Finishing a row that is not pending (already finished, or marked
    /// `unknown` by crash recovery) is an error and changes nothing.
    pub fn finish(&self, id: i64, finish: Finish) -> Result<()> {
        if finish.outcome == Outcome::Pending {
            return Err(Error::invalid_field("outcome", "pending_is_not_final"));
        }
        let (error_code, error_params, error_detail) = match &finish.error {
            Some(e) => (
                Some(e.code.as_str().to_owned()),
                Some(scrub(&Value::Object(e.params.clone()).to_string())),
                e.detail.as_deref().map(scrub),
            ),
            None => (None, None, None),
        };
        let response_json = match finish.response {
            Some(r) => Some(serde_json::to_string(&redact_response(r)).map_err(storage_error)?),
            None => None,
        };
        let request_json = match finish.request {
            Some(r) => Some(serde_json::to_string(&redact_request(r)).map_err(storage_error)?),
            None => None,
        };
        let provider_code = finish.provider_code.as_deref().map(scrub);
        let now = self.clock.now_ms();
        let mut conn = self.db.conn();
        let tx = conn.transaction().map_err(storage_error)?;
        let changed = tx
            .prepare_cached(
                "UPDATE history SET outcome = ?2, finished_at_ms = ?3, http_status = ?4,
                    provider_code = ?5, error_code = ?6, error_params = ?7, error_detail = ?8,
                    duration_ms = ?9
                 WHERE id = ?1 AND outcome = 'pending'",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    finish.outcome.as_str(),
                    now,
                    finish.http_status,
                    provider_code,
                    error_code,
                    error_params,
                    error_detail,
                    finish.duration_ms,
                ])
            })
            .map_err(storage_error)?;
        if changed != 1 {
            return Err(Error::internal(format!("history entry {id} is not pending, or does not exist")));
        }
        if let Some(json) = response_json {
            tx.prepare_cached("UPDATE history_payload SET response = ?2 WHERE history_id = ?1")
                .and_then(|mut s| s.execute(params![id, json]))
                .map_err(storage_error)?;
        }
        if let Some(json) = request_json {
            tx.prepare_cached("UPDATE history_payload SET request = ?2 WHERE history_id = ?1")
                .and_then(|mut s| s.execute(params![id, json]))
                .map_err(storage_error)?;
        }
        tx.commit().map_err(storage_error)
    }

    /// Crash recovery, whenever the store is opened (by the app or the CLI, also while another process
    /// works on the same data folder): every row still `pending` whose process is gone becomes `unknown`
    /// with the error `history.interrupted`. A process is gone when its id no longer exists or belongs to
    /// a process that started at another moment ([`ProcessId::is_running`]); rows written by versions
    /// that did not record their process count as gone. Where other processes cannot be asked (not Unix),
    /// another process's row is left pending for [`UNCHECKABLE_OWNER_MS`] after it was begun. Returns how
    /// many rows changed.
    pub fn mark_stale_pending_unknown(&self) -> Result<u64> {
        let error = Error::new(ErrorCode::HistoryInterrupted).detail(
            "Callback Desk stopped while this request was in flight; the provider may or may not have acted on it",
        );
        let params_json = Value::Object(error.params.clone()).to_string();
        let now = self.clock.now_ms();
        let conn = self.db.conn();
        let owners: Vec<(Option<i64>, Option<i64>)> = {
            let mut s = conn
                .prepare_cached(
                    "SELECT DISTINCT owner_pid, owner_started FROM history
                     WHERE outcome = 'pending'",
                )
                .map_err(storage_error)?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(storage_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(storage_error)?
        };
        let mut n = 0;
        for (pid, started) in owners {
            // Rows begun before `cutoff` are recovered.
            let cutoff = match pid.map(|pid| ProcessId { pid, started }.is_running()) {
                None | Some(Some(false)) => i64::MAX,
                Some(Some(true)) => continue,
                Some(None) => now - UNCHECKABLE_OWNER_MS,
            };
            n += conn
                .prepare_cached(
                    "UPDATE history SET outcome = 'unknown', finished_at_ms = ?4, error_code = ?5,
                        error_params = ?6, error_detail = ?7
                     WHERE outcome = 'pending' AND owner_pid IS ?1 AND owner_started IS ?2 AND created_at_ms < ?3",
                )
                .and_then(|mut s| {
                    s.execute(params![pid, started, cutoff, now, error.code.as_str(), params_json, error.detail])
                })
                .map_err(storage_error)?;
        }
        Ok(n as u64)
    }

    /// Up to `limit` rows (1..=[`MAX_PAGE`]) matching `filter`, newest first, starting after `cursor`.
    pub fn page(&self, filter: &HistoryFilter, cursor: Option<Cursor>, limit: u32) -> Result<HistoryPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let conn = self.db.conn();
        let text = TextMatch::resolve(&conn, filter.text.as_deref())?;
        let mut rows = match &text {
            TextMatch::Words(words) if words.len() <= text::MAX_CLASSED_WORDS => {
                let keys = text::page_keys(&conn, filter, words, cursor, limit as usize + 1)?;
                rows_by_ids(&conn, &keys.iter().map(|k| k.id).collect::<Vec<_>>())?
            }
            _ => query_rows(&conn, filter, &text, cursor, limit + 1)?,
        };
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| Cursor { created_at_ms: r.created_at_ms, id: r.id })
        } else {
            None
        };
        Ok(HistoryPage { rows, next_cursor })
    }

    /// One row with its request and response.
    pub fn get(&self, id: i64) -> Result<HistoryDetail> {
        let conn = self.db.conn();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, h.search_text, p.request, p.response
             FROM history h LEFT JOIN history_payload p ON p.history_id = h.id WHERE h.id = ?1"
        );
        let found = conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((
                        summary_from_row(r)?,
                        r.get::<_, String>(17)?,
                        r.get::<_, Option<String>>(18)?,
                        r.get::<_, Option<String>>(19)?,
                    ))
                })
                .optional()
            })
            .map_err(storage_error)?;
        let Some((row, search_text, request, response)) = found else {
            return Err(Error::new(ErrorCode::InputInvalid).with("field", "id").with("reason", "not_found"));
        };
        let request = match request {
            Some(json) => serde_json::from_str(&json).map_err(storage_error)?,
            None => RecordedRequest::default(),
        };
        let response = match response {
            Some(json) => Some(serde_json::from_str(&json).map_err(storage_error)?),
            None => None,
        };
        Ok(HistoryDetail { row, search_text, request, response })
    }

    /// How many rows match `filter`.
    pub fn count(&self, filter: &HistoryFilter) -> Result<u64> {
        let conn = self.db.conn();
        match TextMatch::resolve(&conn, filter.text.as_deref())? {
            TextMatch::Words(words) if words.len() <= text::MAX_CLASSED_WORDS => text::count(&conn, filter, &words),
            other => count_rows(&conn, filter, &other, None),
        }
    }

    /// Writes every row matching `filter` as CSV (UTF-8 with a byte-order mark so spreadsheet programs
    /// read CJK text correctly, CRLF line ends, RFC 4180 quoting), newest first, with a header row.
    /// Rows recorded after the export started are not included. `progress(done, total)` is called at
    /// the start, after each batch completing another [`CHUNK`] rows, and at the end. Returns the number
    /// of rows written.
    ///
    /// A database in a file is read through a second, read-only connection in one snapshot, on a thread
    /// of its own while this one formats and writes: the app's connection stays free for new actions
    /// for the whole export, and memory stays flat (rows travel in small batches). An in-memory
    /// database (tests) is read through the app's connection.
    ///
    /// Columns: the summary, the request's method, URL, headers and body, and the response's status,
    /// headers and body, all redacted again on the way out (signature and credential headers masked,
    /// credential fields of bodies masked, registered secrets scrubbed). Cells starting with `=`, `+`,
    /// `-`, `@` get a leading `'` so a spreadsheet does not run them as formulas.
    pub fn export_csv(
        &self,
        filter: &HistoryFilter,
        mut writer: impl Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        let (text, max_id, path) = {
            let conn = self.db.conn();
            let text = TextMatch::resolve(&conn, filter.text.as_deref())?;
            let max_id: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM history", [], |r| r.get(0)).map_err(storage_error)?;
            let path = conn.path().filter(|p| !p.is_empty()).map(std::path::PathBuf::from);
            (text, max_id, path)
        };
        writer.write_all(CSV_BOM).map_err(export_io)?;
        write_csv_record(&mut writer, CSV_HEADER.iter().map(|h| Cell::Num(h))).map_err(export_io)?;
        let mut out = CsvOut::new(writer, progress);
        match path {
            Some(path) => std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<ExportMsg>(4);
                let text = &text;
                let reader = scope.spawn(move || -> Result<()> {
                    let conn = open_snapshot(&path)?;
                    // When the writing side falls behind (the channel is full), this thread formats the batch
                    // itself: both cores format, and the order stays the reading order.
                    let mut formatter = None;
                    read_export(&conn, filter, text, max_id, |msg| match tx.try_send(msg) {
                        Ok(()) => Ok(()),
                        Err(std::sync::mpsc::TrySendError::Full(ExportMsg::Rows(batch))) => {
                            let mut lines = Vec::with_capacity(batch.text.len() * 2);
                            formatter.get_or_insert_with(Formatter::new).lines(&mut lines, &batch)?;
                            let n = batch.rows.len() as u64;
                            drop(batch);
                            tx.send(ExportMsg::Lines(lines, n)).map_err(|_| export_stopped())
                        }
                        Err(std::sync::mpsc::TrySendError::Full(msg)) => tx.send(msg).map_err(|_| export_stopped()),
                        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => Err(export_stopped()),
                    })
                });
                let mut written = Ok(());
                for msg in rx.iter() {
                    written = out.take(msg);
                    if written.is_err() {
                        break; // dropping the receiver stops the reader
                    }
                }
                drop(rx);
                let read = reader.join().map_err(|_| Error::internal("the export reader stopped"))?;
                written?;
                read
            })?,
            None => {
                let conn = self.db.conn();
                read_export(&conn, filter, &text, max_id, |msg| out.take(msg))?;
            }
        }
        out.finish()
    }

    /// Deletes finished rows (anything but `pending`) created more than `keep_days` days ago. This is the
    /// only way rows leave the history. Returns how many rows were deleted.
    pub fn apply_retention(&self, keep_days: u32) -> Result<u64> {
        if keep_days == 0 {
            return Err(Error::invalid_field("keep_days", "too_small"));
        }
        let cutoff = self.clock.now_ms().saturating_sub(i64::from(keep_days) * 86_400_000);
        let mut deleted = 0u64;
        loop {
            let conn = self.db.conn();
            let n = conn
                .prepare_cached(
                    "DELETE FROM history WHERE id IN (
                        SELECT id FROM history WHERE created_at_ms < ?1 AND outcome != 'pending'
                        LIMIT ?2)",
                )
                .and_then(|mut s| s.execute(params![cutoff, CHUNK]))
                .map_err(storage_error)?;
            deleted += n as u64;
            if n < CHUNK as usize {
                break;
            }
        }
        Ok(deleted)
    }
}

fn insert_entry(conn: &mut Connection, now: i64, owner: ProcessId, e: &NewEntry, request_json: &str) -> Result<i64> {
    let tx = conn.transaction().map_err(storage_error)?;
    tx.prepare_cached(
        "INSERT INTO history (job_id, created_at_ms, account_id, account_label, provider, environment,
            operation, scope, search_text, outcome, owner_pid, owner_started)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11)",
    )
    .and_then(|mut s| {
        s.execute(params![
            e.job_id,
            now,
            e.account_id,
            e.account_label,
            e.provider,
            e.environment.as_str(),
            e.operation,
            scrub(&e.scope),
            scrub(&e.search_text),
            owner.pid,
            owner.started,
        ])
    })
    .map_err(storage_error)?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO history_payload (history_id, request) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, request_json]))
        .map_err(storage_error)?;
    tx.commit().map_err(storage_error)?;
    Ok(id)
}

fn conversion_error(col: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        col,
        rusqlite::types::Type::Text,
        format!("unexpected {what} {value:?}").into(),
    )
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<HistoryRow> {
    let environment: String = r.get(7)?;
    let outcome: String = r.get(10)?;
    let error_code: Option<String> = r.get(13)?;
    let error = match error_code {
        Some(code) => {
            let params: Option<String> = r.get(14)?;
            let params = params.and_then(|p| serde_json::from_str::<Map<String, Value>>(&p).ok()).unwrap_or_default();
            Some(HistoryError { code, params, detail: r.get(15)? })
        }
        None => None,
    };
    Ok(HistoryRow {
        id: r.get(0)?,
        job_id: r.get(1)?,
        created_at_ms: r.get(2)?,
        finished_at_ms: r.get(3)?,
        account_id: r.get(4)?,
        account_label: r.get(5)?,
        provider: r.get(6)?,
        environment: Environment::parse(&environment)
            .ok_or_else(|| conversion_error(7, "environment", &environment))?,
        operation: r.get(8)?,
        scope: r.get(9)?,
        outcome: Outcome::parse(&outcome).ok_or_else(|| conversion_error(10, "outcome", &outcome))?,
        http_status: r.get(11)?,
        provider_code: r.get(12)?,
        error,
        duration_ms: r.get(16)?,
    })
}

/// The text filter, resolved against the labels and the identifiers index once per call.
enum TextMatch {
    /// No text filter.
    Any,
    /// The text has no searchable characters: nothing matches.
    Nothing,
    /// Words that must all match (see [`text`]).
    Words(Vec<text::Word>),
}

impl TextMatch {
    fn resolve(conn: &Connection, text: Option<&str>) -> Result<TextMatch> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(TextMatch::Any);
        };
        Ok(match text::words(conn, text)? {
            Some(words) => TextMatch::Words(words),
            None => TextMatch::Nothing,
        })
    }
}

/// The conditions of a filter without its text (`h` is the history row), appended to `conds`, their
/// parameters to `args` (numbered after those already there).
fn filter_conds(filter: &HistoryFilter, args: &mut Vec<SqlValue>, conds: &mut Vec<String>) {
    let mut push = |cond: &str, value: SqlValue| {
        args.push(value);
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(v) = filter.account_id {
        push("h.account_id = ?", SqlValue::Integer(v));
    }
    if let Some(v) = filter.job_id {
        push("h.job_id = ?", SqlValue::Integer(v));
    }
    if let Some(v) = &filter.provider {
        push("h.provider = ?", SqlValue::Text(v.clone()));
    }
    if let Some(v) = &filter.operation {
        push("h.operation = ?", SqlValue::Text(v.clone()));
    }
    if let Some(v) = filter.outcome {
        push("h.outcome = ?", SqlValue::Text(v.as_str().into()));
    }
    if let Some(v) = filter.from_ms {
        push("h.created_at_ms >= ?", SqlValue::Integer(v));
    }
    if let Some(v) = filter.to_ms {
        push("h.created_at_ms < ?", SqlValue::Integer(v));
    }
}

/// `FROM … WHERE …` for a filter, and its parameters.
fn from_where(
    filter: &HistoryFilter,
    text: &TextMatch,
    cursor: Option<Cursor>,
    max_id: Option<i64>,
    with_payload: bool,
) -> (String, Vec<SqlValue>) {
    let mut args: Vec<SqlValue> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut from = "history AS h".to_owned();
    if with_payload {
        from.push_str(" LEFT JOIN history_payload AS p ON p.history_id = h.id");
    }
    match text {
        TextMatch::Words(words) => text::text_conds(words, &mut args, &mut conds),
        TextMatch::Nothing => conds.push("0".into()),
        TextMatch::Any => {}
    }
    filter_conds(filter, &mut args, &mut conds);
    if let Some(v) = max_id {
        args.push(SqlValue::Integer(v));
        conds.push(format!("h.id <= ?{}", args.len()));
    }
    if let Some(c) = cursor {
        args.push(SqlValue::Integer(c.created_at_ms));
        args.push(SqlValue::Integer(c.id));
        let (a, b) = (args.len() - 1, args.len());
        conds.push(format!("(h.created_at_ms, h.id) < (?{a}, ?{b})"));
    }
    let mut sql = format!(" FROM {from}");
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    (sql, args)
}

/// The summary rows of these ids, newest first.
fn rows_by_ids(conn: &Connection, ids: &[i64]) -> Result<Vec<HistoryRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM json_each(?1) AS j CROSS JOIN history AS h ON h.id = j.value
         ORDER BY h.created_at_ms DESC, h.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(storage_error)?;
    let rows = stmt
        .query_map([Value::from(ids.to_vec()).to_string()], summary_from_row)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<HistoryRow>>>())
        .map_err(storage_error)?;
    Ok(rows)
}

/// A page without a text filter (or with one matching nothing): one query on the filter's index.
fn query_rows(
    conn: &Connection,
    filter: &HistoryFilter,
    text: &TextMatch,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<Vec<HistoryRow>> {
    let (from_where, mut args) = from_where(filter, text, cursor, None, false);
    args.push(SqlValue::Integer(i64::from(limit)));
    let sql =
        format!("SELECT {SUMMARY_COLUMNS}{from_where} ORDER BY h.created_at_ms DESC, h.id DESC LIMIT ?{}", args.len());
    let mut stmt = conn.prepare_cached(&sql).map_err(storage_error)?;
    let rows = stmt
        .query_map(params_from_iter(args), summary_from_row)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<HistoryRow>>>())
        .map_err(storage_error)?;
    Ok(rows)
}

fn count_rows(conn: &Connection, filter: &HistoryFilter, text: &TextMatch, max_id: Option<i64>) -> Result<u64> {
    let (from_where, args) = from_where(filter, text, None, max_id, false);
    let sql = format!("SELECT count(*){from_where}");
    let n: i64 = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row(params_from_iter(args), |r| r.get(0)))
        .map_err(storage_error)?;
    Ok(n as u64)
}

// ---------------------------------------------------------------------------------------------------
// Redaction

fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))
}

/// False only when no credential field name can occur in `body` as a JSON key: none of the names appears
/// in it (ignoring ASCII case), and it has no `\u` escape that could spell one.
fn may_name_a_sensitive_field(body: &str) -> bool {
    // One pass over the body for every name at once, ignoring ASCII case (what lower-casing the body and
    // searching each name did, at a tenth of the cost: an export checks two bodies per row).
    static NAMES: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(SENSITIVE_BODY_FIELDS.iter().copied().chain(["\\u"]))
            .ok()
    });
    match names {
        Some(names) => names.is_match(body),
        None => true, // cannot happen (fixed names); the slow path is always safe
    }
}

fn is_sensitive_field(name: &str) -> bool {
    SENSITIVE_BODY_FIELDS.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))
}

fn redact_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let value = if is_sensitive_header(&name) { REDACTED.to_owned() } else { scrub(&value) };
            (name, value)
        })
        .collect()
}

fn redact_json(v: &mut Value) -> bool {
    match v {
        Value::Object(map) => {
            let mut changed = false;
            for (k, v) in map.iter_mut() {
                if is_sensitive_field(k) && !v.is_null() {
                    *v = Value::String(REDACTED.to_owned());
                    changed = true;
                } else {
                    changed |= redact_json(v);
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact_json(v) | c),
        _ => false,
    }
}

/// Masks credential fields of a JSON or `application/x-www-form-urlencoded` body and scrubs registered
/// secrets. Other bodies are only scrubbed. A body without anything to mask is returned unchanged.
pub fn redact_body(body: &str) -> String {
    redact_body_with(&Scrubber::now(), body).into_owned()
}

/// [`redact_body`] with a snapshot of the registered secrets; borrowed when nothing changed.
fn redact_body_with<'a>(scrubber: &Scrubber, body: &'a str) -> Cow<'a, str> {
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && !may_name_a_sensitive_field(body) {
        // Fast path (exports of large histories): no key can be a credential field, so there is nothing
        // to mask; parsing the JSON would only cost time.
        return scrubber.scrub(body);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(mut v) = serde_json::from_str::<Value>(body) {
            if redact_json(&mut v) {
                return Cow::Owned(scrubber.scrub(&v.to_string()).into_owned());
            }
            return scrubber.scrub(body);
        }
    } else if !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && trimmed.contains('=')
        && trimmed.split('&').any(|pair| pair.split_once('=').is_some_and(|(k, _)| is_sensitive_field(k)))
    {
        let masked: Vec<String> = trimmed
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_sensitive_field(k) => format!("{k}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect();
        return Cow::Owned(scrubber.scrub(&masked.join("&")).into_owned());
    }
    scrubber.scrub(body)
}

/// The request with signature headers masked, credential body fields masked and secrets scrubbed.
pub fn redact_request(r: RecordedRequest) -> RecordedRequest {
    RecordedRequest {
        method: r.method,
        url: scrub(&r.url),
        headers: redact_headers(r.headers),
        body: redact_body(&r.body),
    }
}

/// The response with signature headers masked, credential body fields masked and secrets scrubbed.
pub fn redact_response(r: RecordedResponse) -> RecordedResponse {
    RecordedResponse {
        status: r.status,
        headers: redact_headers(r.headers),
        body: redact_body(&r.body),
        elapsed_ms: r.elapsed_ms,
    }
}

// ---------------------------------------------------------------------------------------------------
// CSV

/// The byte-order mark a CSV file starts with, so spreadsheet programs read CJK text as UTF-8.
pub(crate) const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The export's columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "id",
    "created_at",
    "finished_at",
    "duration_ms",
    "outcome",
    "provider",
    "environment",
    "account_label",
    "account_id",
    "operation",
    "scope",
    "identifiers",
    "http_status",
    "provider_code",
    "error_code",
    "error_detail",
    "job_id",
    "request_method",
    "request_url",
    "request_headers",
    "request_body",
    "response_status",
    "response_headers",
    "response_body",
];

pub(crate) enum Cell<'a> {
    /// Text from outside (labels, bodies): quoted as needed and defused against formula injection.
    Text(&'a str),
    /// Text we produce ourselves (numbers, codes, timestamps): quoted as needed only.
    Num(&'a str),
}

/// One CSV record (RFC 4180 quoting, CRLF), text cells defused against formula injection. Shared with the
/// results files of bulk jobs ([`crate::results`]).
pub(crate) fn write_csv_record<'a>(w: &mut impl Write, cells: impl Iterator<Item = Cell<'a>>) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let (value, defuse) = match cell {
            Cell::Text(v) => (v, v.starts_with(['=', '+', '-', '@', '\t', '\r'])),
            Cell::Num(v) => (v, false),
        };
        let needs_quotes = defuse || value.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
        if needs_quotes {
            w.write_all(b"\"")?;
            if defuse {
                w.write_all(b"'")?;
            }
            for (i, part) in value.split('"').enumerate() {
                if i > 0 {
                    w.write_all(b"\"\"")?;
                }
                w.write_all(part.as_bytes())?;
            }
            w.write_all(b"\"")?;
        } else {
            w.write_all(value.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

fn export_io(e: std::io::Error) -> Error {
    storage_error(format!("writing the export failed: {e}"))
}

fn export_stopped() -> Error {
    storage_error("the export was stopped")
}

/// A read-only connection to the database file for an export: one read transaction (a snapshot), the
/// file memory-mapped (reading a large history through the page cache directly is about twice as fast).
fn open_snapshot(path: &std::path::Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(storage_error)?;
    conn.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA mmap_size = 2147418112; BEGIN;").map_err(storage_error)?;
    Ok(conn)
}

/// What the export reader sends: the row count first, then the rows in batches.
enum ExportMsg {
    Total(u64),
    Rows(ExportBatch),
    /// Rows the reader formatted itself (their CSV lines, and how many).
    Lines(Vec<u8>, u64),
}

/// CSV lines of exported rows: the redaction snapshot and the timestamp cache they are written with.
struct Formatter {
    scrubber: Scrubber,
    timestamps: Timestamps,
}

impl Formatter {
    fn new() -> Formatter {
        Formatter { scrubber: Scrubber::now(), timestamps: Timestamps::default() }
    }

    fn lines(&mut self, out: &mut Vec<u8>, batch: &ExportBatch) -> Result<()> {
        for row in &batch.rows {
            csv_row(out, &self.scrubber, &mut self.timestamps, batch, row)?;
        }
        Ok(())
    }
}

/// Rows of an export, their text columns in one buffer (few allocations per batch, not per row).
#[derive(Default)]
struct ExportBatch {
    text: String,
    rows: Vec<ExportRow>,
}

/// The text columns of an [`ExportRow`], in the order the query selects them.
const EXPORT_TEXT: [&str; 12] = [
    "h.account_label",
    "h.provider",
    "h.environment",
    "h.operation",
    "h.scope",
    "h.outcome",
    "h.provider_code",
    "h.error_code",
    "h.error_detail",
    "h.search_text",
    "p.request",
    "p.response",
];
const T_LABEL: usize = 0;
const T_PROVIDER: usize = 1;
const T_ENVIRONMENT: usize = 2;
const T_OPERATION: usize = 3;
const T_SCOPE: usize = 4;
const T_OUTCOME: usize = 5;
const T_PROVIDER_CODE: usize = 6;
const T_ERROR_CODE: usize = 7;
const T_ERROR_DETAIL: usize = 8;
const T_IDENTIFIERS: usize = 9;
const T_REQUEST: usize = 10;
const T_RESPONSE: usize = 11;

/// Rows per batch sent from the export reader.
const EXPORT_BATCH: usize = 256;

struct ExportRow {
    id: i64,
    job_id: Option<i64>,
    created_at_ms: i64,
    finished_at_ms: Option<i64>,
    account_id: Option<i64>,
    http_status: Option<i64>,
    duration_ms: Option<i64>,
    /// Byte ranges in the batch's text of the [`EXPORT_TEXT`] columns (`None` for NULL).
    text: [Option<(usize, usize)>; EXPORT_TEXT.len()],
}

impl ExportBatch {
    fn get(&self, row: &ExportRow, column: usize) -> Option<&str> {
        row.text[column].map(|(a, b)| &self.text[a..b])
    }
}

/// Streams the rows matching `filter` (ids up to `max_id`), newest first, to `send`: their count first.
fn read_export(
    conn: &Connection,
    filter: &HistoryFilter,
    text: &TextMatch,
    max_id: i64,
    mut send: impl FnMut(ExportMsg) -> Result<()>,
) -> Result<()> {
    send(ExportMsg::Total(count_rows(conn, filter, text, Some(max_id))?))?;
    let (from_where, args) = from_where(filter, text, None, Some(max_id), true);
    let sql = format!(
        "SELECT h.id, h.job_id, h.created_at_ms, h.finished_at_ms, h.account_id, h.http_status, h.duration_ms, {}
         {from_where} ORDER BY h.created_at_ms DESC, h.id DESC",
        EXPORT_TEXT.join(", ")
    );
    let mut stmt = conn.prepare(&sql).map_err(storage_error)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(storage_error)?;
    let mut batch = ExportBatch::default();
    while let Some(r) = rows.next().map_err(storage_error)? {
        let mut text = [None; EXPORT_TEXT.len()];
        for (i, range) in text.iter_mut().enumerate() {
            let value = r.get_ref(7 + i).map_err(storage_error)?;
            if let Some(v) = value.as_str_or_null().map_err(storage_error)? {
                let start = batch.text.len();
                batch.text.push_str(v);
                *range = Some((start, batch.text.len()));
            }
        }
        batch.rows.push(ExportRow {
            id: r.get(0).map_err(storage_error)?,
            job_id: r.get(1).map_err(storage_error)?,
            created_at_ms: r.get(2).map_err(storage_error)?,
            finished_at_ms: r.get(3).map_err(storage_error)?,
            account_id: r.get(4).map_err(storage_error)?,
            http_status: r.get(5).map_err(storage_error)?,
            duration_ms: r.get(6).map_err(storage_error)?,
            text,
        });
        if batch.rows.len() == EXPORT_BATCH {
            send(ExportMsg::Rows(std::mem::take(&mut batch)))?;
        }
    }
    if !batch.rows.is_empty() {
        send(ExportMsg::Rows(batch))?;
    }
    Ok(())
}

/// A stored request as the export reads it: borrowing from the stored JSON where it can. Accepts
/// exactly what [`RecordedRequest`] accepts.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct StoredRequest<'a> {
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(borrow)]
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(borrow)]
    body: Cow<'a, str>,
}

/// A stored response as the export reads it; accepts exactly what [`RecordedResponse`] accepts.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct StoredResponse<'a> {
    status: u16,
    #[serde(borrow)]
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(borrow)]
    body: Cow<'a, str>,
    #[allow(dead_code)] // required, as in `RecordedResponse`, but not exported
    elapsed_ms: i64,
}

impl<'a> StoredRequest<'a> {
    /// Parses a stored request: the exact shape `serde_json::to_string(&RecordedRequest)` writes is read
    /// directly (most of an export's time otherwise goes to the JSON parser); anything else goes to
    /// serde_json. Same result either way; `None` when the JSON is not a request.
    fn parse(json: &'a str) -> Option<StoredRequest<'a>> {
        Self::parse_fast(json).or_else(|| serde_json::from_str(json).ok())
    }

    fn parse_fast(json: &'a str) -> Option<StoredRequest<'a>> {
        let rest = json.strip_prefix("{\"method\":")?;
        let (method, rest) = json_string(rest)?;
        let (url, rest) = json_string(rest.strip_prefix(",\"url\":")?)?;
        let (headers, rest) = json_pairs(rest.strip_prefix(",\"headers\":")?)?;
        let (body, rest) = json_string(rest.strip_prefix(",\"body\":")?)?;
        (rest == "}").then_some(StoredRequest { method, url, headers, body })
    }
}

impl<'a> StoredResponse<'a> {
    /// Like [`StoredRequest::parse`], for `RecordedResponse`.
    fn parse(json: &'a str) -> Option<StoredResponse<'a>> {
        Self::parse_fast(json).or_else(|| serde_json::from_str(json).ok())
    }

    fn parse_fast(json: &'a str) -> Option<StoredResponse<'a>> {
        let rest = json.strip_prefix("{\"status\":")?;
        let (status, rest) = json_integer(rest)?;
        let (headers, rest) = json_pairs(rest.strip_prefix(",\"headers\":")?)?;
        let (body, rest) = json_string(rest.strip_prefix(",\"body\":")?)?;
        let (elapsed_ms, rest) = json_integer(rest.strip_prefix(",\"elapsed_ms\":")?)?;
        (rest == "}").then_some(StoredResponse { status: u16::try_from(status).ok()?, headers, body, elapsed_ms })
    }
}

/// A JSON string at the start of `s` and what follows it. Borrowed when it has no escape; escapes are
/// decoded by serde_json. `None` for anything unusual (the caller then lets serde_json read it all).
fn json_string(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let (mut i, mut escaped) = (1, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let value = if escaped { Cow::Owned(json_unescape(&s[1..i])?) } else { Cow::Borrowed(&s[1..i]) };
                return Some((value, &s[i + 1..]));
            }
            b'\\' => {
                escaped = true;
                i += 2;
                continue;
            }
            c if c < 0x20 => return None, // not allowed raw in a JSON string
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text of a JSON string's inside with its escapes decoded; `\\u` escapes are left to serde_json.
fn json_unescape(inside: &str) -> Option<String> {
    let mut out = String::with_capacity(inside.len());
    let mut parts = inside.split('\\');
    out.push_str(parts.next()?);
    let mut pending_backslash = false;
    for part in parts {
        if pending_backslash {
            // The previous part ended an escaped backslash: this part is plain text after it.
            out.push_str(part);
            pending_backslash = false;
            continue;
        }
        let mut chars = part.chars();
        match chars.next() {
            None => {
                // `\\`: an escaped backslash (the split left an empty part between the two).
                out.push('\\');
                pending_backslash = true;
            }
            Some(c) => {
                out.push(match c {
                    '"' => '"',
                    '/' => '/',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    _ => return serde_json::from_str::<String>(&format!("\"{inside}\"")).ok(),
                });
                out.push_str(chars.as_str());
            }
        }
    }
    Some(out)
}

/// A JSON integer (`-?(0|[1-9][0-9]*)`, fitting an `i64`) at the start of `s` and what follows it.
fn json_integer(s: &str) -> Option<(i64, &str)> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    // No leading zero; no "-0" either (serde_json reads it as a float, which is not an integer).
    if n == 0 || (n > 1 && digits.starts_with('0')) || (digits.len() < s.len() && digits.starts_with('0')) {
        return None;
    }
    let end = s.len() - digits.len() + n;
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A JSON array of two-string arrays (`[["a","b"],["c","d"]]`) at the start of `s`.
#[allow(clippy::type_complexity)]
fn json_pairs(s: &str) -> Option<(Vec<(Cow<'_, str>, Cow<'_, str>)>, &str)> {
    let mut rest = s.strip_prefix('[')?;
    let mut pairs = Vec::new();
    if let Some(r) = rest.strip_prefix(']') {
        return Some((pairs, r));
    }
    loop {
        let (a, r) = json_string(rest.strip_prefix('[')?)?;
        let (b, r) = json_string(r.strip_prefix(',')?)?;
        pairs.push((a, b));
        let r = r.strip_prefix(']')?;
        if let Some(r) = r.strip_prefix(']') {
            return Some((pairs, r));
        }
        rest = r.strip_prefix(',')?;
    }
}

/// RFC 3339 timestamps with milliseconds (what `to_rfc3339_opts(Millis, true)` writes), the date part
/// computed once per day: an export writes two per row, mostly of the same few days.
#[derive(Default)]
struct Timestamps {
    day: Option<i64>,
    date: String,
}

impl Timestamps {
    fn iso(&mut self, ms: i64) -> String {
        use chrono::Datelike;
        let (day, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
        if self.day != Some(day) {
            match chrono::DateTime::from_timestamp_millis(ms) {
                Some(t) if (0..=9999).contains(&t.year()) => {
                    self.date = format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
                    self.day = Some(day);
                }
                _ => return iso_ms(ms),
            }
        }
        let (h, m, sec, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
        let mut out = String::with_capacity(24);
        out.push_str(&self.date);
        for (sep, v, width) in [('T', h, 2), (':', m, 2), (':', sec, 2), ('.', milli, 3)] {
            out.push(sep);
            if width == 3 && v < 100 {
                out.push('0');
            }
            if v < 10 {
                out.push('0');
            }
            out.push_str(itoa_small(v).as_str());
        }
        out.push('Z');
        out
    }
}

/// A number below 1000 as text, without the formatting machinery.
fn itoa_small(v: i64) -> ArrayText {
    let mut t = ArrayText { buf: [0; 3], len: 0 };
    let digits = [v / 100, v / 10 % 10, v % 10];
    let skip = if v >= 100 {
        0
    } else if v >= 10 {
        1
    } else {
        2
    };
    for d in &digits[skip..] {
        t.buf[t.len] = b'0' + *d as u8;
        t.len += 1;
    }
    t
}

struct ArrayText {
    buf: [u8; 3],
    len: usize,
}

impl ArrayText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("0")
    }
}

/// The CSV side of an export: formats batches, writes them, reports progress.
struct CsvOut<W: Write, P: FnMut(u64, u64)> {
    writer: W,
    progress: P,
    total: u64,
    done: u64,
    reported: u64,
    buf: Vec<u8>,
    formatter: Formatter,
}

impl<W: Write, P: FnMut(u64, u64)> CsvOut<W, P> {
    fn new(writer: W, progress: P) -> Self {
        CsvOut { writer, progress, total: 0, done: 0, reported: 0, buf: Vec::new(), formatter: Formatter::new() }
    }

    fn take(&mut self, msg: ExportMsg) -> Result<()> {
        let rows = match msg {
            ExportMsg::Total(total) => {
                self.total = total;
                (self.progress)(0, total);
                return Ok(());
            }
            ExportMsg::Rows(batch) => {
                self.buf.clear();
                self.formatter.lines(&mut self.buf, &batch)?;
                self.writer.write_all(&self.buf).map_err(export_io)?;
                batch.rows.len() as u64
            }
            ExportMsg::Lines(lines, rows) => {
                self.writer.write_all(&lines).map_err(export_io)?;
                rows
            }
        };
        self.done += rows;
        if self.done >= self.reported + u64::from(CHUNK) {
            self.reported = self.done;
            (self.progress)(self.done, self.total.max(self.done));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<u64> {
        if self.reported != self.done || self.done == 0 {
            (self.progress)(self.done, self.total.max(self.done));
        }
        self.writer.flush().map_err(export_io)?;
        Ok(self.done)
    }
}

pub(crate) fn iso_ms(ms: i64) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp_millis(ms) {
        // What `to_rfc3339_opts(Millis, true)` writes, without its formatting machinery (an export
        // writes two per row).
        Some(t) if (0..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            ms.rem_euclid(1000)
        ),
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => ms.to_string(),
    }
}

/// `name: value` lines, sensitive header values masked and the others scrubbed.
fn headers_text(out: &mut String, scrubber: &Scrubber, headers: &[(Cow<'_, str>, Cow<'_, str>)]) {
    out.clear();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(name);
        out.push_str(": ");
        if is_sensitive_header(name) {
            out.push_str(REDACTED);
        } else {
            out.push_str(&scrubber.scrub(value));
        }
    }
}

/// One CSV line of an exported row. Stored payloads are redacted already; they are parsed and redacted
/// again, and an unreadable payload never goes out as raw text.
fn csv_row(
    out: &mut Vec<u8>,
    scrubber: &Scrubber,
    timestamps: &mut Timestamps,
    batch: &ExportBatch,
    row: &ExportRow,
) -> Result<()> {
    let text = |column: usize| batch.get(row, column);
    let scrub = |column: usize| text(column).map(|t| scrubber.scrub(t)).unwrap_or_default();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let outcome = text(T_OUTCOME).unwrap_or_default();
    let outcome = Outcome::parse(outcome).ok_or_else(|| storage_error(format!("unexpected outcome {outcome:?}")))?;
    let environment = text(T_ENVIRONMENT).unwrap_or_default();
    let environment = Environment::parse(environment)
        .ok_or_else(|| storage_error(format!("unexpected environment {environment:?}")))?;
    let http_status = match row.http_status {
        Some(s) => u16::try_from(s).map_err(|_| storage_error(format!("unexpected http status {s}")))?.to_string(),
        None => String::new(),
    };
    let error_code = text(T_ERROR_CODE);
    // The detail belongs to the error: without a code there is none.
    let error_detail = if error_code.is_some() { scrub(T_ERROR_DETAIL) } else { Cow::Borrowed("") };
    let request = text(T_REQUEST).map(|j| {
        StoredRequest::parse(j).unwrap_or(StoredRequest {
            method: Cow::Borrowed(""),
            url: Cow::Borrowed(""),
            headers: Vec::new(),
            body: Cow::Borrowed("<unreadable>"),
        })
    });
    let response = text(T_RESPONSE).map(|j| {
        StoredResponse::parse(j).unwrap_or(StoredResponse {
            status: 0,
            headers: Vec::new(),
            body: Cow::Borrowed("<unreadable>"),
            elapsed_ms: 0,
        })
    });
    let (mut req_headers, mut resp_headers) = (String::new(), String::new());
    let (req_method, req_url, req_body) = match &request {
        Some(r) => {
            headers_text(&mut req_headers, scrubber, &r.headers);
            (r.method.as_ref(), scrubber.scrub(&r.url), redact_body_with(scrubber, &r.body))
        }
        None => ("", Cow::Borrowed(""), Cow::Borrowed("")),
    };
    let (resp_status, resp_body) = match &response {
        Some(r) => {
            headers_text(&mut resp_headers, scrubber, &r.headers);
            (r.status.to_string(), redact_body_with(scrubber, &r.body))
        }
        None => (String::new(), Cow::Borrowed("")),
    };
    let id = row.id.to_string();
    let created = timestamps.iso(row.created_at_ms);
    let finished = row.finished_at_ms.map(|ms| timestamps.iso(ms)).unwrap_or_default();
    let (duration, account_id, job_id) = (opt(row.duration_ms), opt(row.account_id), opt(row.job_id));
    let (label, scope, identifiers, provider_code) =
        (scrub(T_LABEL), scrub(T_SCOPE), scrub(T_IDENTIFIERS), scrub(T_PROVIDER_CODE));
    write_csv_record(
        out,
        [
            Cell::Num(&id),
            Cell::Num(&created),
            Cell::Num(&finished),
            Cell::Num(&duration),
            Cell::Num(outcome.as_str()),
            Cell::Text(text(T_PROVIDER).unwrap_or_default()),
            Cell::Num(environment.as_str()),
            Cell::Text(&label),
            Cell::Num(&account_id),
            Cell::Text(text(T_OPERATION).unwrap_or_default()),
            Cell::Text(&scope),
            Cell::Text(&identifiers),
            Cell::Num(&http_status),
            Cell::Text(&provider_code),
            Cell::Text(error_code.unwrap_or_default()),
            Cell::Text(&error_detail),
            Cell::Num(&job_id),
            Cell::Text(req_method),
            Cell::Text(&req_url),
            Cell::Text(&req_headers),
            Cell::Text(&req_body),
            Cell::Num(&resp_status),
            Cell::Text(&resp_headers),
            Cell::Text(&resp_body),
        ]
        .into_iter(),
    )
    .map_err(export_io)
}

#[cfg(test)]
mod redact_tests {
    use super::*;

    #[test]
    fn field_names_are_lower_case_as_the_fast_path_compares_them() {
        assert!(SENSITIVE_BODY_FIELDS.iter().all(|f| *f == f.to_ascii_lowercase()));
    }

    #[test]
    fn stored_payloads_read_fast_exactly_as_serde_json_reads_them() {
        let texts = [
            "",
            "plain",
            "a \"quoted\" \\ back\\slash",
            "line\nbreak\ttab\r\u{1}\u{1f}",
            "unicode 东京 é 🙂 \u{2028}",
            "{\"serial\":90000000001,\"txid\":\"0xabc\"}",
            "<redacted>",
            "slash / and \u{7f}",
            "ends with a backslash \\",
            "\\\"\\\\n\u{8}\u{c}/",
        ];
        let mut docs: Vec<String> = Vec::new();
        for (i, a) in texts.iter().enumerate() {
            let b = texts[(i + 3) % texts.len()];
            let request = RecordedRequest {
                method: a.to_string(),
                url: b.to_string(),
                headers: (0..i % 4).map(|k| (texts[k].to_string(), a.to_string())).collect(),
                body: b.to_string(),
            };
            let doc = serde_json::to_string(&request).unwrap();
            assert!(StoredRequest::parse_fast(&doc).is_some(), "the app's own shape is read directly: {doc}");
            docs.push(doc);
            let response = RecordedResponse {
                status: [0, 200, 403, 65535][i % 4],
                headers: request.headers.clone(),
                body: a.to_string(),
                elapsed_ms: [0, 7, -3, i64::MAX][i % 4],
            };
            let doc = serde_json::to_string(&response).unwrap();
            assert!(StoredResponse::parse_fast(&doc).is_some(), "the app's own shape is read directly: {doc}");
            docs.push(doc);
        }
        // Shapes the app does not write: serde_json decides.
        docs.extend(
            [
                r#"{"method":"POST","url":"u","headers":[],"body":"b","extra":1}"#,
                r#"{"url":"u","method":"POST","headers":[],"body":"b"}"#,
                r#"{ "method":"POST","url":"u","headers":[],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"b"} "#,
                r#"{"method":"POST","url":"u","headers":[["a"]],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[["a","b","c"]],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"b"}x"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"\u0041\ud83d\ude00"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"\x"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"unterminated}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":null}"#,
                "{\"method\":\"POST\",\"url\":\"u\",\"headers\":[],\"body\":\"raw\ttab\"}",
                r#"{"status":70000,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":-1,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":007,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":1.5}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":-0}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":99999999999999999999}"#,
                r#"{"status":200,"headers":[],"body":""}"#,
                r#"{"status":2e2,"headers":[],"body":"","elapsed_ms":1}"#,
                "not json",
                "",
            ]
            .map(String::from),
        );
        for doc in &docs {
            assert_eq!(StoredRequest::parse(doc), serde_json::from_str::<StoredRequest>(doc).ok(), "{doc}");
            assert_eq!(StoredResponse::parse(doc), serde_json::from_str::<StoredResponse>(doc).ok(), "{doc}");
        }
    }

    #[test]
    fn timestamps_computed_per_day_are_those_chrono_writes() {
        let mut t = Timestamps::default();
        let mut ms: i64 = -3 * 86_400_000 - 1;
        while ms < 3 * 86_400_000 {
            assert_eq!(t.iso(ms), iso_ms(ms), "{ms}");
            ms += 7_777_777;
        }
        let edges = [0, -1, 86_399_999, 86_400_000, 1_750_000_000_123, 253_402_300_799_999, 253_402_300_800_000];
        for ms in edges.into_iter().chain([i64::MIN, i64::MAX]) {
            assert_eq!(t.iso(ms), iso_ms(ms), "{ms}");
            assert_eq!(Timestamps::default().iso(ms), iso_ms(ms), "{ms}");
        }
    }

    #[test]
    fn timestamps_are_written_as_rfc_3339_with_milliseconds() {
        let chrono = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .unwrap_or_else(|| ms.to_string())
        };
        let mut samples = vec![0, 1, -1, 999, -999, 1_000, -1_001, 253_402_300_799_999, 253_402_300_800_000];
        samples.extend([-62_167_219_200_000, -62_167_219_200_001, i64::MAX, i64::MIN, 1_750_000_000_123]);
        samples.extend((0..2_000).map(|i| 1_735_689_600_000 + i * 7_919_777_013));
        for ms in samples {
            assert_eq!(iso_ms(ms), chrono(ms), "{ms}");
        }
    }

    #[test]
    fn the_fast_path_never_skips_a_credential_field() {
        assert_eq!(redact_body(r#"{"count":3}"#), r#"{"count":3}"#);
        assert!(redact_body(r#"{"Client_Secret":"x"}"#).contains(REDACTED));
        assert!(redact_body(r#"{"a":{"sign":"abc"}}"#).contains(REDACTED));
        // A key spelled with a unicode escape still goes through the parser.
        assert!(redact_body(r#"{"\u0073ign":"abc"}"#).contains(REDACTED));
        assert!(!may_name_a_sensitive_field(r#"{"notifications":[{"serial":1}]}"#));
    }
}
