//! The action history: every request Callback Desk sends to a provider, recorded before it leaves.
//!
//! Lifecycle: [`History::begin`] inserts a `pending` row and returns only once it is on disk; the caller
//! then sends the request and calls [`History::finish`] with `ok`, `failed` or `unknown` (timeout, or a
//! connection cut after the request was sent). A crash between the two leaves the row `pending`; at the
//! next start-up [`History::mark_stale_pending_unknown`] turns such rows into `unknown` with the reason
//! `history.interrupted`, because nobody can tell whether the provider acted on them.
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
use crate::logging::scrub;
use crate::secret::REDACTED;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io::Write;
use std::sync::Arc;
use ts_rs::TS;

/// The signature/credential header names and body field names masked here: one list, shared with the
/// transport (see [`crate::secret::SENSITIVE_HEADERS`]).
pub use crate::secret::{SENSITIVE_BODY_FIELDS, SENSITIVE_HEADERS};

/// More rows than this in one page are never returned.
pub const MAX_PAGE: u32 = 500;

/// Text filters matching at most this many rows are resolved to row ids first (then sorted); broader
/// ones are applied while walking the date index.
const FEW_MATCHES: usize = 2_000;

/// A broad text filter walks the date order (with the other filters) in chunks of candidate rows, first
/// this many, doubling each time…
const WALK_FIRST: u32 = 4_096;
/// …up to this many per chunk…
const WALK_MAX: u32 = 65_536;
/// …and after this many candidates without a full page it lets SQLite finish the page in one query.
const WALK_LIMIT: usize = 200_000;

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

/// The action history over the app's database.
#[derive(Clone)]
pub struct History {
    db: Db,
    clock: Arc<dyn Clock>,
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
        History { db, clock }
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
        let result = insert_entry(&mut conn, now, &entry, &request_json);
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

    /// Crash recovery, at start-up before any request is sent: every row still `pending` that was
    /// created before `older_than_ms` (epoch milliseconds; pass the start-up time) becomes `unknown`
    /// with the error `history.interrupted`. Returns how many rows changed.
    pub fn mark_stale_pending_unknown(&self, older_than_ms: i64) -> Result<u64> {
        let error = Error::new(ErrorCode::HistoryInterrupted).detail(
            "Callback Desk stopped while this request was in flight; the provider may or may not have acted on it",
        );
        let params_json = Value::Object(error.params.clone()).to_string();
        let now = self.clock.now_ms();
        let conn = self.db.conn();
        let n = conn
            .execute(
                "UPDATE history SET outcome = 'unknown', finished_at_ms = ?2, error_code = ?3,
                    error_params = ?4, error_detail = ?5
                 WHERE outcome = 'pending' AND created_at_ms < ?1",
                params![older_than_ms, now.max(older_than_ms), error.code.as_str(), params_json, error.detail],
            )
            .map_err(storage_error)?;
        Ok(n as u64)
    }

    /// Up to `limit` rows (1..=[`MAX_PAGE`]) matching `filter`, newest first, starting after `cursor`.
    pub fn page(&self, filter: &HistoryFilter, cursor: Option<Cursor>, limit: u32) -> Result<HistoryPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let conn = self.db.conn();
        let text = TextMatch::resolve(&conn, filter.text.as_deref())?;
        let mut rows = match &text {
            TextMatch::Fts(query) => {
                let seekable = filter.text.as_deref().and_then(|t| seekable_query(&conn, t));
                broad_text_rows(&conn, filter, seekable.as_deref().unwrap_or(query), query, cursor, limit + 1)?
            }
            _ => query_rows(&conn, filter, &text, cursor, None, limit + 1, summary_from_row)?,
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
        let text = TextMatch::resolve(&conn, filter.text.as_deref())?;
        count_rows(&conn, filter, &text, None)
    }

    /// Writes every row matching `filter` as CSV (UTF-8 with a byte-order mark so spreadsheet programs
    /// read CJK text correctly, CRLF line ends, RFC 4180 quoting), newest first, with a header row.
    /// Rows are read in chunks, so memory stays flat and new actions are not blocked for long; rows
    /// recorded after the export started are not included. `progress(done, total)` is called after
    /// each chunk. Returns the number of rows written.
    ///
    /// Columns: the summary, the request's method, URL, headers and body, and the response's status,
    /// headers and body, all redacted again on the way out (signature and credential headers masked,
    /// credential fields of bodies masked, registered secrets scrubbed). Cells starting with `=`, `+`,
    /// `-`, `@` get a leading `'` so a spreadsheet does not run them as formulas.
    pub fn export_csv(
        &self,
        filter: &HistoryFilter,
        mut writer: impl Write,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        let io = |e: std::io::Error| storage_error(format!("writing the export failed: {e}"));
        let (text, max_id, total) = {
            let conn = self.db.conn();
            let text = TextMatch::resolve(&conn, filter.text.as_deref())?;
            let max_id: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM history", [], |r| r.get(0)).map_err(storage_error)?;
            let total = count_rows(&conn, filter, &text, Some(max_id))?;
            (text, max_id, total)
        };
        writer.write_all(CSV_BOM).map_err(io)?;
        write_csv_record(&mut writer, CSV_HEADER.iter().map(|h| Cell::Num(h))).map_err(io)?;
        progress(0, total);
        let mut done = 0u64;
        let mut cursor = None;
        let mut line = Vec::with_capacity(4096);
        loop {
            let chunk = {
                let conn = self.db.conn();
                query_rows(&conn, filter, &text, cursor, Some(max_id), CHUNK, |r| {
                    Ok((
                        summary_from_row(r)?,
                        r.get::<_, String>(17)?,
                        r.get::<_, Option<String>>(18)?,
                        r.get::<_, Option<String>>(19)?,
                    ))
                })?
            };
            let Some((last, ..)) = chunk.last() else {
                break;
            };
            cursor = Some(Cursor { created_at_ms: last.created_at_ms, id: last.id });
            let n = chunk.len();
            for (row, search_text, request, response) in chunk {
                line.clear();
                csv_line(&mut line, &row, &search_text, request.as_deref(), response.as_deref()).map_err(io)?;
                writer.write_all(&line).map_err(io)?;
            }
            done += n as u64;
            progress(done, total.max(done));
            if n < CHUNK as usize {
                break;
            }
        }
        writer.flush().map_err(io)?;
        Ok(done)
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

fn insert_entry(conn: &mut Connection, now: i64, e: &NewEntry, request_json: &str) -> Result<i64> {
    let tx = conn.transaction().map_err(storage_error)?;
    tx.prepare_cached(
        "INSERT INTO history (job_id, created_at_ms, account_id, account_label, provider, environment,
            operation, scope, search_text, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending')",
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

/// The text filter, resolved against the FTS index once per call.
enum TextMatch {
    /// No text filter.
    Any,
    /// The text has no searchable characters: nothing matches.
    Nothing,
    /// Few rows match: their ids (sorted and paged in the main query).
    Ids(String),
    /// Many rows match: an FTS5 query. Pages walk the date order and check candidates against the
    /// index by rowid range ([`broad_text_rows`]); counts and exports apply it as a subquery.
    Fts(String),
}

impl TextMatch {
    fn resolve(conn: &Connection, text: Option<&str>) -> Result<TextMatch> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(TextMatch::Any);
        };
        let Some(query) = fts_query(text) else {
            return Ok(TextMatch::Nothing);
        };
        let mut stmt = conn
            .prepare_cached("SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 LIMIT ?2")
            .map_err(storage_error)?;
        let ids = stmt
            .query_map(params![query, FEW_MATCHES as i64 + 1], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(storage_error)?;
        if ids.len() > FEW_MATCHES {
            return Ok(TextMatch::Fts(query));
        }
        if ids.is_empty() {
            return Ok(TextMatch::Nothing);
        }
        Ok(TextMatch::Ids(Value::from(ids).to_string()))
    }
}

/// Builds an FTS5 query from what the user typed: every whitespace-separated word must occur as a word
/// prefix. Each word is quoted (so FTS5 operators and punctuation in it are literal); words without a
/// letter or digit are dropped. `None` when nothing searchable is left.
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
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
    let mut from = match text {
        TextMatch::Ids(json) => {
            args.push(SqlValue::Text(json.clone()));
            "json_each(?1) AS j CROSS JOIN history AS h ON h.id = j.value".to_owned()
        }
        _ => "history AS h".to_owned(),
    };
    if with_payload {
        from.push_str(" LEFT JOIN history_payload AS p ON p.history_id = h.id");
    }
    let mut push = |cond: &str, value: SqlValue| {
        args.push(value);
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    match text {
        TextMatch::Fts(q) => {
            push("h.id IN (SELECT rowid FROM history_fts WHERE history_fts MATCH ?)", SqlValue::Text(q.clone()))
        }
        TextMatch::Nothing => push("? = 1", SqlValue::Integer(0)),
        TextMatch::Any | TextMatch::Ids(_) => {}
    }
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
    if let Some(v) = max_id {
        push("h.id <= ?", SqlValue::Integer(v));
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

fn query_rows<T>(
    conn: &Connection,
    filter: &HistoryFilter,
    text: &TextMatch,
    cursor: Option<Cursor>,
    max_id: Option<i64>,
    limit: u32,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    // `max_id` is only used by the export, which also wants the payload columns.
    let with_payload = max_id.is_some();
    let (from_where, mut args) = from_where(filter, text, cursor, max_id, with_payload);
    let payload = if with_payload { ", h.search_text, p.request, p.response" } else { "" };
    args.push(SqlValue::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}{payload}{from_where} ORDER BY h.created_at_ms DESC, h.id DESC LIMIT ?{}",
        args.len()
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(storage_error)?;
    let rows = stmt
        .query_map(params_from_iter(args), map)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<T>>>())
        .map_err(storage_error)?;
    Ok(rows)
}

/// Up to `want` rows after `cursor` matching `filter` and the FTS5 `query` that matches many rows.
///
/// Evaluating such a query in full costs hundreds of milliseconds at a million rows (every matching
/// row id is read and collected first), although a page needs only the newest hundred. So this walks
/// the date index with the other filters in chunks of candidates and asks the FTS index only which
/// ids of each chunk's id range match (FTS5 seeks to a rowid range), until the page is full. Ids grow
/// with time in practice, so a chunk's id range is narrow; when they do not, the range is wider and
/// the answer stays correct (membership is checked per candidate). A sparse match that would need a
/// long walk falls back to one query over the rest.
fn broad_text_rows(
    conn: &Connection,
    filter: &HistoryFilter,
    seekable: &str,
    query: &str,
    mut cursor: Option<Cursor>,
    want: u32,
) -> Result<Vec<HistoryRow>> {
    let want_n = want as usize;
    let mut found: Vec<i64> = Vec::new();
    let mut walked = 0usize;
    let mut chunk = WALK_FIRST;
    let mut finished = false;
    let mut members_stmt = conn
        .prepare_cached("SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 AND rowid >= ?2 AND rowid <= ?3")
        .map_err(storage_error)?;
    while found.len() < want_n && walked < WALK_LIMIT {
        let candidates = query_candidates(conn, filter, cursor, chunk)?;
        let (Some(lo), Some(hi)) = (candidates.iter().map(|c| c.id).min(), candidates.iter().map(|c| c.id).max())
        else {
            finished = true;
            break;
        };
        let members = members_stmt
            .query_map(params![seekable, lo, hi], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<std::collections::HashSet<i64>>>())
            .map_err(storage_error)?;
        for c in &candidates {
            if members.contains(&c.id) {
                found.push(c.id);
                if found.len() == want_n {
                    break;
                }
            }
        }
        walked += candidates.len();
        if candidates.len() < chunk as usize {
            finished = true;
            break;
        }
        cursor = candidates.last().copied();
        chunk = (chunk * 2).min(WALK_MAX);
    }
    let mut rows = if found.is_empty() {
        Vec::new()
    } else {
        let ids = TextMatch::Ids(Value::from(found).to_string());
        query_rows(conn, filter, &ids, None, None, want, summary_from_row)?
    };
    if rows.len() < want_n && !finished {
        // A sparse match: SQLite finishes the page after the last candidate walked.
        let rest = TextMatch::Fts(query.to_owned());
        let more = query_rows(conn, filter, &rest, cursor, None, want - rows.len() as u32, summary_from_row)?;
        rows.extend(more);
    }
    Ok(rows)
}

/// Terms a prefix word may expand to before [`seekable_query`] leaves it a prefix query.
const FEW_TERMS: usize = 8;

/// The same match as [`fts_query`]'s, written so FTS5 can seek to a rowid range: a prefix term (`"ceffu"*`)
/// makes FTS5 merge the posting lists of every matching term in full on each query, while a plain term
/// seeks. Each word made only of ASCII letters and digits (what the tokenizer keeps as one lower-case
/// term) is replaced with the terms of the index it is a prefix of, when there are at most
/// [`FEW_TERMS`] of them; other words stay prefix terms. `None` when the vocabulary cannot be read.
fn seekable_query(conn: &Connection, text: &str) -> Option<String> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.history_fts_terms USING fts5vocab(main, 'history_fts', 'row');",
    )
    .ok()?;
    let mut stmt =
        conn.prepare_cached("SELECT term FROM temp.history_fts_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3").ok()?;
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let mut parts = Vec::new();
    for word in text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)) {
        if !word.chars().all(|c| c.is_ascii_alphanumeric()) {
            parts.push(format!("{}*", quote(word)));
            continue;
        }
        let low = word.to_ascii_lowercase();
        let mut high = low.clone().into_bytes();
        *high.last_mut()? += 1; // ASCII letters and digits: the next byte is still ASCII
        let high = String::from_utf8(high).ok()?;
        let terms = stmt
            .query_map(params![low, high, FEW_TERMS as i64 + 1], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .ok()?;
        if terms.is_empty() || terms.len() > FEW_TERMS {
            parts.push(format!("{}*", quote(word)));
        } else if terms.len() == 1 {
            parts.push(quote(&terms[0]));
        } else {
            parts.push(format!("({})", terms.iter().map(|t| quote(t)).collect::<Vec<_>>().join(" OR ")));
        }
    }
    // FTS5 takes an implicit AND between phrases only, not after a parenthesized group.
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The next `limit` rows after `cursor` matching `filter` without its text, as cursors (date order).
fn query_candidates(
    conn: &Connection,
    filter: &HistoryFilter,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<Vec<Cursor>> {
    let (from_where, mut args) = from_where(filter, &TextMatch::Any, cursor, None, false);
    args.push(SqlValue::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT h.created_at_ms, h.id{from_where} ORDER BY h.created_at_ms DESC, h.id DESC LIMIT ?{}",
        args.len()
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(storage_error)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| Ok(Cursor { created_at_ms: r.get(0)?, id: r.get(1)? }))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Cursor>>>())
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
    let lower = body.to_ascii_lowercase();
    lower.contains("\\u") || SENSITIVE_BODY_FIELDS.iter().any(|f| lower.contains(&f.to_ascii_lowercase()))
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
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && !may_name_a_sensitive_field(body) {
        // Fast path (exports of large histories): no key can be a credential field, so there is nothing
        // to mask; parsing the JSON would only cost time.
        return scrub(body);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(mut v) = serde_json::from_str::<Value>(body) {
            if redact_json(&mut v) {
                return scrub(&v.to_string());
            }
            return scrub(body);
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
        return scrub(&masked.join("&"));
    }
    scrub(body)
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
        let needs_quotes = defuse || value.contains([',', '"', '\n', '\r']);
        if needs_quotes {
            w.write_all(b"\"")?;
            if defuse {
                w.write_all(b"'")?;
            }
            w.write_all(value.replace('"', "\"\"").as_bytes())?;
            w.write_all(b"\"")?;
        } else {
            w.write_all(value.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

pub(crate) fn iso_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

fn headers_text(headers: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(name);
        out.push_str(": ");
        if is_sensitive_header(name) {
            out.push_str(REDACTED);
        } else {
            out.push_str(&scrub(value));
        }
    }
    out
}

fn csv_line(
    out: &mut Vec<u8>,
    row: &HistoryRow,
    search_text: &str,
    request: Option<&str>,
    response: Option<&str>,
) -> std::io::Result<()> {
    // Stored payloads are redacted already; parse and redact again, and never let an unreadable
    // payload through as raw text.
    let request: Option<RecordedRequest> = request.map(|j| {
        serde_json::from_str(j)
            .unwrap_or_else(|_| RecordedRequest { body: "<unreadable>".into(), ..Default::default() })
    });
    let response: Option<RecordedResponse> = response.map(|j| {
        serde_json::from_str(j)
            .unwrap_or_else(|_| RecordedResponse { body: "<unreadable>".into(), ..Default::default() })
    });
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let id = row.id.to_string();
    let created = iso_ms(row.created_at_ms);
    let finished = row.finished_at_ms.map(iso_ms).unwrap_or_default();
    let duration = opt(row.duration_ms);
    let account_id = opt(row.account_id);
    let http_status = row.http_status.map(|s| s.to_string()).unwrap_or_default();
    let job_id = opt(row.job_id);
    let provider_code = row.provider_code.as_deref().map(scrub).unwrap_or_default();
    let error_code = row.error.as_ref().map(|e| e.code.clone()).unwrap_or_default();
    let error_detail = row.error.as_ref().and_then(|e| e.detail.as_deref()).map(scrub).unwrap_or_default();
    let scope = scrub(&row.scope);
    let label = scrub(&row.account_label);
    let (req_method, req_url, req_headers, req_body) = match &request {
        Some(r) => (r.method.clone(), scrub(&r.url), headers_text(&r.headers), redact_body(&r.body)),
        None => Default::default(),
    };
    let (resp_status, resp_headers, resp_body) = match &response {
        Some(r) => (r.status.to_string(), headers_text(&r.headers), redact_body(&r.body)),
        None => Default::default(),
    };
    let identifiers = scrub(search_text);
    write_csv_record(
        out,
        [
            Cell::Num(&id),
            Cell::Num(&created),
            Cell::Num(&finished),
            Cell::Num(&duration),
            Cell::Num(row.outcome.as_str()),
            Cell::Text(&row.provider),
            Cell::Num(row.environment.as_str()),
            Cell::Text(&label),
            Cell::Num(&account_id),
            Cell::Text(&row.operation),
            Cell::Text(&scope),
            Cell::Text(&identifiers),
            Cell::Num(&http_status),
            Cell::Text(&provider_code),
            Cell::Text(&error_code),
            Cell::Text(&error_detail),
            Cell::Num(&job_id),
            Cell::Text(&req_method),
            Cell::Text(&req_url),
            Cell::Text(&req_headers),
            Cell::Text(&req_body),
            Cell::Num(&resp_status),
            Cell::Text(&resp_headers),
            Cell::Text(&resp_body),
        ]
        .into_iter(),
    )
}

#[cfg(test)]
mod redact_tests {
    use super::*;

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

#[cfg(test)]
mod seek_tests {
    use super::*;

    #[test]
    fn prefix_words_become_the_few_terms_they_expand_to() {
        let db = Db::open_in_memory().unwrap();
        let h = History::new(db.clone());
        for (label, ids) in
            [("Ceffu Europe", "ORD-1 9001"), ("Ceffu Asia", "9002 eur"), ("CYBAVO", "x1 x2 x3 x4 x5 x6 x7 x8 x9")]
        {
            let entry = NewEntry {
                job_id: None,
                account_id: None,
                account_label: label.into(),
                provider: "ceffu".into(),
                environment: Environment::Sandbox,
                operation: "resend".into(),
                scope: String::new(),
                search_text: ids.into(),
                request: RecordedRequest::default(),
            };
            h.begin(entry).unwrap();
        }
        let conn = db.conn();
        let q = seekable_query(&conn, "ceffu EU").unwrap();
        assert_eq!(q, "\"ceffu\" AND (\"eur\" OR \"europe\")");
        // More than FEW_TERMS terms, punctuation, or nothing indexed: still a prefix term.
        assert_eq!(seekable_query(&conn, "x ORD-1 zzz").as_deref(), Some("\"x\"* AND \"ORD-1\"* AND \"zzz\"*"));
        assert_eq!(seekable_query(&conn, "--"), None);
        // The rewritten queries run, and match what the prefix query matches.
        for text in ["ceffu EU", "EU ceffu", "x ORD-1", "cybavo x"] {
            let ids = |q: &str| -> Vec<i64> {
                let mut s = conn
                    .prepare("SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 AND rowid >= 1 AND rowid <= 9")
                    .unwrap();
                s.query_map([q], |r| r.get(0)).unwrap().collect::<rusqlite::Result<Vec<i64>>>().unwrap()
            };
            let seek = seekable_query(&conn, text).unwrap();
            assert_eq!(ids(&seek), ids(&fts_query(text).unwrap()), "{text}: {seek}");
        }
    }
}
