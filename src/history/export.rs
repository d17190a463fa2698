//! The CSV exports of the history: a snapshot read on a thread of its own while the caller's thread formats
//! and writes (the reader formats too when the writer falls behind). Two formats: the technical one (every
//! column with the redacted request and response, every payload redacted again on the way out; stored
//! payloads are read by `stored.rs`, fast when they have the app's own shape) and the readable one for
//! people (`readable.rs`: the window's language and time zone, no payloads).

use super::query::{count_rows, from_where, TextMatch};
use super::{Environment, History, HistoryFilter, Outcome, CHUNK};
use crate::csv::{write_csv_record, Cell, Timestamps, CSV_BOM};
use crate::db::storage_error;
use crate::error::{Error, Result};
use crate::logging::Scrubber;
use crate::redact::Redactor;
use rusqlite::{params_from_iter, Connection};
use std::borrow::Cow;
use std::io::Write;

mod readable;
mod stored;

use crate::i18n::{Language, Zone};
pub(crate) use readable::Readable;
use readable::ReadableRow;
use stored::{StoredRequest, StoredResponse};

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

impl History {
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
        writer: impl Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        self.export(filter, Format::Technical, writer, progress)
    }

    /// Writes every row matching `filter` as CSV for people (an auditor), as [`History::export_csv`] does
    /// (same order, snapshot, streaming and progress): headers and values in `language`, times in `zone`,
    /// one row per action with its account, provider and operation by name, what it covered in words, its
    /// outcome and any error in words. No request, response or raw provider text.
    pub fn export_readable_csv(
        &self,
        filter: &HistoryFilter,
        language: Language,
        zone: Zone,
        writer: impl Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        self.export(filter, Format::Readable(language, zone), writer, progress)
    }

    fn export(
        &self,
        filter: &HistoryFilter,
        format: Format,
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
        let mut formatter = Formatter::new(format);
        formatter.header(&mut writer)?;
        let mut out = CsvOut::new(writer, progress, formatter);
        match path {
            Some(path) => std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<ExportMsg>(4);
                let text = &text;
                let reader = scope.spawn(move || -> Result<()> {
                    let conn = open_snapshot(&path)?;
                    // When the writing side falls behind (the channel is full), this thread formats the batch
                    // itself: both cores format, and the order stays the reading order.
                    let mut formatter = None;
                    read_export(&conn, filter, text, max_id, format.with_payload(), |msg| match tx.try_send(msg) {
                        Ok(()) => Ok(()),
                        Err(std::sync::mpsc::TrySendError::Full(ExportMsg::Rows(batch))) => {
                            let mut lines = Vec::with_capacity(batch.text.len() * 2);
                            formatter.get_or_insert_with(|| Formatter::new(format)).lines(&mut lines, &batch)?;
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
                read_export(&conn, filter, &text, max_id, format.with_payload(), |msg| out.take(msg))?;
            }
        }
        out.finish()
    }
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

/// Which export.
#[derive(Clone, Copy)]
enum Format {
    Technical,
    Readable(Language, Zone),
}

impl Format {
    /// Whether rows are read with their request and response.
    fn with_payload(self) -> bool {
        matches!(self, Format::Technical)
    }
}

/// CSV lines of exported rows: the redaction engine, the snapshot of registered secrets and the timestamp
/// cache they are written with, or the readable export's words.
struct Formatter {
    redactor: &'static Redactor,
    scrubber: Scrubber,
    timestamps: Timestamps,
    readable: Option<Readable>,
}

impl Formatter {
    fn new(format: Format) -> Formatter {
        Formatter {
            redactor: crate::providers::redactor(),
            scrubber: Scrubber::now(),
            timestamps: Timestamps::default(),
            readable: match format {
                Format::Technical => None,
                Format::Readable(language, zone) => Some(Readable::new(language, zone)),
            },
        }
    }

    fn header(&mut self, out: &mut impl Write) -> Result<()> {
        match &self.readable {
            None => write_csv_record(out, CSV_HEADER.iter().map(|h| Cell::Num(h))),
            Some(r) => write_csv_record(out, r.header().iter().map(|h| Cell::Text(h))),
        }
        .map_err(export_io)
    }

    fn lines(&mut self, out: &mut Vec<u8>, batch: &ExportBatch) -> Result<()> {
        for row in &batch.rows {
            match &mut self.readable {
                None => csv_row(out, self.redactor, &self.scrubber, &mut self.timestamps, batch, row)?,
                Some(readable) => readable_row(out, readable, &self.scrubber, batch, row)?,
            }
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
const EXPORT_TEXT: [&str; 13] = [
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
    "h.error_params",
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
const T_ERROR_PARAMS: usize = 10;
const T_REQUEST: usize = 11;
const T_RESPONSE: usize = 12;

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
    with_payload: bool,
    mut send: impl FnMut(ExportMsg) -> Result<()>,
) -> Result<()> {
    send(ExportMsg::Total(count_rows(conn, filter, text, Some(max_id))?))?;
    let (from_where, args) = from_where(filter, text, None, Some(max_id), with_payload);
    // Without payloads, their columns are NULL (the readable export never reads them).
    let columns: Vec<&str> =
        EXPORT_TEXT.iter().map(|c| if !with_payload && c.starts_with("p.") { "NULL" } else { c }).collect();
    let sql = format!(
        "SELECT h.id, h.job_id, h.created_at_ms, h.finished_at_ms, h.account_id, h.http_status, h.duration_ms, {}
         {from_where} ORDER BY h.created_at_ms DESC, h.id DESC",
        columns.join(", ")
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
    fn new(writer: W, progress: P, formatter: Formatter) -> Self {
        CsvOut { writer, progress, total: 0, done: 0, reported: 0, buf: Vec::new(), formatter }
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

/// `name: value` lines, credential header values masked and the others scrubbed.
fn headers_text(out: &mut String, redactor: &Redactor, scrubber: &Scrubber, headers: &[(Cow<'_, str>, Cow<'_, str>)]) {
    out.clear();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&redactor.header_value(scrubber, name, value));
    }
}

/// One CSV line of an exported row. Stored payloads are redacted already; they are parsed and redacted
/// again, and an unreadable payload never goes out as raw text.
fn csv_row(
    out: &mut Vec<u8>,
    redactor: &Redactor,
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
            headers_text(&mut req_headers, redactor, scrubber, &r.headers);
            (r.method.as_ref(), scrubber.scrub(&r.url), redactor.body(scrubber, &r.body))
        }
        None => ("", Cow::Borrowed(""), Cow::Borrowed("")),
    };
    let (resp_status, resp_body) = match &response {
        Some(r) => {
            headers_text(&mut resp_headers, redactor, scrubber, &r.headers);
            (r.status.to_string(), redactor.body(scrubber, &r.body))
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

/// One CSV line of the readable export.
fn readable_row(
    out: &mut Vec<u8>,
    readable: &mut Readable,
    scrubber: &Scrubber,
    batch: &ExportBatch,
    row: &ExportRow,
) -> Result<()> {
    let text = |column: usize| batch.get(row, column);
    let error_code = text(T_ERROR_CODE);
    let cells = readable.cells(
        scrubber,
        &ReadableRow {
            id: row.id,
            created_at_ms: row.created_at_ms,
            account_label: text(T_LABEL).unwrap_or_default(),
            environment: text(T_ENVIRONMENT).unwrap_or_default(),
            provider: text(T_PROVIDER).unwrap_or_default(),
            operation: text(T_OPERATION).unwrap_or_default(),
            scope: text(T_SCOPE).unwrap_or_default(),
            outcome: text(T_OUTCOME).unwrap_or_default(),
            error_code,
            error_params: error_code.and(text(T_ERROR_PARAMS)),
            identifiers: text(T_IDENTIFIERS).unwrap_or_default(),
            job_id: row.job_id,
        },
    );
    write_csv_record(out, cells.iter().map(|c| Cell::Text(c))).map_err(export_io)
}
