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
//! Redaction: requests and responses arrive redacted (callers show only what the redaction engine,
//! [`crate::redact`] through [`providers::redactor`](crate::providers::redactor), made of them);
//! `begin`/`finish` run them through the engine again before writing (credential headers, credential
//! fields of JSON and form bodies, registered secrets), and the CSV export does it once more on the way
//! out.
//!
//! This file holds the types and [`History`] itself; each job is a module of its own:
//! * `record.rs`: writing rows (begin, finish), the process that owns them, crash recovery, retention;
//! * `query.rs`: reading rows (filters, pages, counts, one row with its payloads);
//! * `text.rs`: the text filter;
//! * `export.rs` (and `export/stored.rs`, its fast reading of stored payloads): the CSV export.

use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::error::Error;
use crate::process::ProcessId;
use crate::providers::OperationKind;
use crate::scope::ScopeParam;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use ts_rs::TS;

mod export;
mod query;
mod record;
mod text;

pub(crate) use export::Readable;
pub use export::CSV_HEADER;
pub use record::UNCHECKABLE_OWNER_MS;

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
    /// Only operations of this kind (e.g. resends), of any provider.
    #[ts(optional = nullable)]
    pub kind: Option<OperationKind>,
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
    /// The scope read back into params through the operation's fields (`null` when it cannot be).
    pub scope_params: Option<Vec<ScopeParam>>,
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
    /// The process the rows begun here belong to.
    owner: ProcessId,
}

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
}
