//! Results of bulk work, call by call and id by id: what the Jobs panel and the Query screen show and what
//! "Save results (CSV)" (and `callback-desk-cli bulk results`) write.
//!
//! * A job's calls are recorded as they finish (`job_calls`, written by [`crate::jobs`]): outcome, HTTP
//!   status, provider code, error and the history row of the call. [`crate::jobs::Jobs::results`] turns
//!   them into rows in plan order, calls not made yet as `not_sent`.
//! * CYBAVO look-ups give one row per serial asked for, with the decoded callback read back from the
//!   call's history row (its response was verified when it arrived and is stored redacted); a serial the
//!   provider did not return is `not_found`.
//! * [`action_results`] does the same for one action of the Query screen (up to 100 serials, one call).
//! * [`write_csv`] writes the rows with the history export's CSV writer: UTF-8 with a byte-order mark,
//!   RFC 4180 quoting, formula cells defused, every text scrubbed of registered secrets. Request and
//!   response headers and bodies are not part of it, so no signature can be.

use crate::actions::{scope_of, ActionResult};
use crate::csv::{iso_ms, write_csv_record, Cell, CSV_BOM};
use crate::error::{Error, ErrorCode, Result};
use crate::history::History;
use crate::logging::scrub;
use crate::providers::{ColumnFormat, OperationDescriptor, OutcomeKind, ProviderId};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;
use ts_rs::TS;

/// How one call of a job ended, as recorded in `job_calls`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEnd {
    pub history_id: Option<i64>,
    /// `ok`, `failed` or `unknown`.
    pub outcome: String,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
    /// The error as JSON (`{code, params, detail}`).
    pub error: Option<Value>,
}

fn provider_code_of(e: &Error) -> Option<String> {
    e.params.get("provider_code").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

impl CallEnd {
    /// A call that reached the point of sending (it has a history row).
    pub fn of(r: &ActionResult) -> CallEnd {
        CallEnd {
            history_id: Some(r.history_id),
            outcome: match r.outcome {
                OutcomeKind::Ok => "ok",
                OutcomeKind::Failed => "failed",
                OutcomeKind::Unknown => "unknown",
            }
            .to_owned(),
            http_status: r.http_status,
            provider_code: r.error.as_ref().and_then(provider_code_of),
            error: r.error.as_ref().and_then(|e| serde_json::to_value(e).ok()),
        }
    }

    /// A call refused before anything was sent (its params were invalid).
    pub fn refused(e: &Error) -> CallEnd {
        CallEnd {
            history_id: None,
            outcome: "failed".to_owned(),
            http_status: None,
            provider_code: provider_code_of(e),
            error: serde_json::to_value(e).ok(),
        }
    }

    /// A call finished before calls were recorded one by one (a job of an older version).
    pub fn unrecorded() -> CallEnd {
        CallEnd { history_id: None, outcome: "unknown".to_owned(), http_status: None, provider_code: None, error: None }
    }
}

/// What one id (or one call, when it is not about ids) came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ResultOutcome {
    Ok,
    Failed,
    /// The provider may or may not have acted (timeout, or the app stopped while it was in flight).
    Unknown,
    /// The job stopped (paused, cancelled, interrupted) before this call.
    NotSent,
    /// A look-up succeeded but the provider returned no callback with this serial.
    NotFound,
}

impl ResultOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultOutcome::Ok => "ok",
            ResultOutcome::Failed => "failed",
            ResultOutcome::Unknown => "unknown",
            ResultOutcome::NotSent => "not_sent",
            ResultOutcome::NotFound => "not_found",
        }
    }

    fn parse(s: &str) -> ResultOutcome {
        match s {
            "ok" => ResultOutcome::Ok,
            "failed" => ResultOutcome::Failed,
            _ => ResultOutcome::Unknown,
        }
    }
}

/// One row of a results file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ResultRow {
    /// The id the row is about: a serial, a notification id, a transaction identifier, or the call's
    /// scope (e.g. a time window) when the call is not about one id.
    pub id: String,
    /// The call's number in the job, from 1.
    #[ts(type = "number")]
    pub call: u64,
    pub outcome: ResultOutcome,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
    /// `{code, params, detail}` of a failed or unknown call.
    #[ts(type = "{ code: string; params: Record<string, unknown>; detail: string | null } | null")]
    pub error: Option<Value>,
    #[ts(type = "number | null")]
    pub history_id: Option<i64>,
    /// The decoded callback of a CYBAVO look-up (as the Query screen shows it).
    #[ts(type = "Record<string, unknown> | null")]
    pub callback: Option<Value>,
}

/// The results of a job or an action as a window shows them: counts by outcome and the first rows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ResultsView {
    pub operation: String,
    /// Rows in all.
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub ok: u64,
    #[ts(type = "number")]
    pub not_found: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub unknown: u64,
    #[ts(type = "number")]
    pub not_sent: u64,
    /// The first rows, at most as many as asked for.
    pub rows: Vec<ResultRow>,
}

impl ResultsView {
    pub fn of(operation: &str, mut rows: Vec<ResultRow>, limit: usize) -> ResultsView {
        let count = |o: ResultOutcome| rows.iter().filter(|r| r.outcome == o).count() as u64;
        let mut v = ResultsView {
            operation: operation.to_owned(),
            total: rows.len() as u64,
            ok: count(ResultOutcome::Ok),
            not_found: count(ResultOutcome::NotFound),
            failed: count(ResultOutcome::Failed),
            unknown: count(ResultOutcome::Unknown),
            not_sent: count(ResultOutcome::NotSent),
            rows: Vec::new(),
        };
        rows.truncate(limit);
        v.rows = rows;
        v
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The ids a call is about: a look-up's ids asked for, or the one id of a resend whose bulk form lists
/// ids (CYBAVO's serial, Avista's transaction), or else the call's scope (a time window, "all").
fn ids_of(op: &OperationDescriptor, params: &Map<String, Value>) -> Vec<String> {
    if let Some(Value::Array(ids)) = op.lookup.as_ref().and_then(|l| l.asked.as_ref()).and_then(|a| params.get(a)) {
        return ids.iter().map(text).collect();
    }
    if let Some(bulk) = op.bulk.as_ref().filter(|b| b.ids.is_some()) {
        for name in &bulk.owns {
            let broad = op.fields.iter().find(|f| &f.name == name).and_then(|f| f.broad.as_ref());
            match params.get(name) {
                Some(v) if Some(v) != broad => return vec![text(v)],
                _ => {}
            }
        }
    }
    vec![scope_of(op, params)]
}

/// The rows in a look-up's recorded answer, decoded by its provider as when it arrived. `None` when the
/// history row is gone (retention) or holds no readable answer.
fn recorded_rows(
    history: &History,
    history_id: i64,
    provider: ProviderId,
    op: &OperationDescriptor,
) -> Result<Option<Vec<Value>>> {
    let Some(lookup) = &op.lookup else { return Ok(None) };
    let detail = match history.get(history_id) {
        Ok(d) => d,
        Err(e) if e.code == ErrorCode::InputInvalid => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(response) = detail.response.filter(|r| r.status == 200) else { return Ok(None) };
    let Some(decoded) = provider.get().decode_recorded(&op.name, response.body.as_bytes()) else { return Ok(None) };
    let rows = lookup.rows.iter().find_map(|key| match decoded.get(key) {
        Some(Value::Array(list)) => Some(list.clone()),
        Some(one @ Value::Object(_)) => Some(vec![one.clone()]),
        _ => None,
    });
    Ok(Some(rows.unwrap_or_default()))
}

/// Appends the rows of one call: one per id it is about (one per callback for a look-up without ids).
/// `record` is `None` for a call not made yet.
pub fn rows_of_call(
    history: &History,
    provider: ProviderId,
    op: &OperationDescriptor,
    call: u64,
    params: &Map<String, Value>,
    record: Option<CallEnd>,
    out: &mut Vec<ResultRow>,
) -> Result<()> {
    let asked = op.lookup.as_ref().and_then(|l| l.asked.as_ref()).is_some_and(|a| params.contains_key(a));
    let ids = if asked || op.lookup.is_none() { ids_of(op, params) } else { Vec::new() };
    let id_field = op.lookup.as_ref().map_or("id", |l| l.id.as_str());
    let Some(record) = record else {
        let ids = if ids.is_empty() { vec![scope_of(op, params)] } else { ids };
        out.extend(ids.into_iter().map(|id| ResultRow {
            id,
            call,
            outcome: ResultOutcome::NotSent,
            http_status: None,
            provider_code: None,
            error: None,
            history_id: None,
            callback: None,
        }));
        return Ok(());
    };
    let outcome = ResultOutcome::parse(&record.outcome);
    let row = |id: String, outcome: ResultOutcome, callback: Option<Value>| ResultRow {
        id,
        call,
        outcome,
        http_status: record.http_status,
        provider_code: record.provider_code.clone(),
        error: record.error.clone(),
        history_id: record.history_id,
        callback,
    };
    let callbacks = match (outcome, record.history_id) {
        (ResultOutcome::Ok, Some(h)) => recorded_rows(history, h, provider, op)?,
        _ => None,
    };
    match callbacks {
        Some(list) if ids.is_empty() => {
            if list.is_empty() {
                out.push(row(scope_of(op, params), outcome, None));
            }
            for cb in list {
                let id = cb.get(id_field).map(text).unwrap_or_default();
                out.push(row(id, outcome, Some(cb)));
            }
        }
        Some(list) => {
            let mut by_serial: HashMap<String, Value> = HashMap::new();
            for cb in list {
                if let Some(s) = cb.get(id_field) {
                    by_serial.entry(text(s)).or_insert(cb);
                }
            }
            for id in ids {
                match by_serial.remove(&id) {
                    Some(cb) => out.push(row(id, outcome, Some(cb))),
                    None => out.push(row(id, ResultOutcome::NotFound, None)),
                }
            }
        }
        None => {
            let ids = if ids.is_empty() { vec![scope_of(op, params)] } else { ids };
            out.extend(ids.into_iter().map(|id| row(id, outcome, None)));
        }
    }
    Ok(())
}

/// The results of one recorded action (the Query screen's look-up of up to 100 serials): one row per
/// serial asked for (the ids are the action's identifiers), or per callback found.
pub fn action_results(history: &History, history_id: i64) -> Result<(OperationDescriptor, Vec<ResultRow>)> {
    let detail = history.get(history_id)?;
    let provider = ProviderId::parse(&detail.row.provider)?;
    let op = operation_of(provider, &detail.row.operation)?;
    let mut params = Map::new();
    let asked = op.lookup.as_ref().and_then(|l| l.asked.clone().map(|a| (a, l.max_ids_per_call)));
    if let Some((asked, max)) = &asked {
        let ids: Vec<Value> = detail.search_text.split_whitespace().map(|s| Value::String(s.to_owned())).collect();
        if let Some(max) = max.filter(|m| ids.len() > *m as usize) {
            // Only the last of several calls' answers is recorded with the action; a job keeps each one.
            return Err(Error::invalid_field("history_id", "too_many").with("max", max));
        }
        params.insert(asked.clone(), Value::Array(ids));
    }
    let record = CallEnd {
        history_id: Some(detail.row.id),
        outcome: match detail.row.outcome.as_str() {
            "pending" => "unknown",
            o => o,
        }
        .to_owned(),
        http_status: detail.row.http_status,
        provider_code: detail.row.provider_code.clone(),
        error: detail.row.error.as_ref().and_then(|e| serde_json::to_value(e).ok()),
    };
    let mut out = Vec::new();
    rows_of_call(history, provider, &op, 1, &params, Some(record), &mut out)?;
    if out.len() == 1 && out[0].callback.is_none() && asked.is_none() {
        out[0].id = detail.row.scope.clone();
    }
    Ok((op, out))
}

/// The descriptor of a recorded operation of `provider`.
pub fn operation_of(provider: ProviderId, operation: &str) -> Result<OperationDescriptor> {
    provider.get().descriptor().operation_named(operation).cloned().ok_or_else(|| {
        Error::new(ErrorCode::InputUnknownOperation).with("provider", provider.as_str()).with("operation", operation)
    })
}

/// Columns of every results file.
pub const CSV_HEADER: &[&str] =
    &["id", "call", "outcome", "http_status", "provider_code", "error_code", "message", "history_id"];

/// Writes `rows` as a results file (see the module documentation); a look-up's rows add the columns its
/// [`LookupShape::file_columns`](crate::providers::LookupShape) name. Returns the number of rows written.
pub fn write_csv(op: &OperationDescriptor, rows: &[ResultRow], mut w: impl Write) -> Result<u64> {
    let io =
        |e: std::io::Error| Error::new(ErrorCode::StorageFailed).detail(format!("writing the results failed: {e}"));
    let file_columns = op.lookup.as_ref().map(|l| l.file_columns.as_slice()).unwrap_or_default();
    w.write_all(CSV_BOM).map_err(io)?;
    let header = CSV_HEADER.iter().copied().chain(file_columns.iter().map(|c| c.header.as_str()));
    write_csv_record(&mut w, header.map(Cell::Num)).map_err(io)?;
    let mut line = Vec::with_capacity(512);
    for r in rows {
        line.clear();
        let id = scrub(&r.id);
        let call = r.call.to_string();
        let http = r.http_status.map(|s| s.to_string()).unwrap_or_default();
        let provider_code = r.provider_code.as_deref().map(scrub).unwrap_or_default();
        let error_code = r.error.as_ref().and_then(|e| e.get("code")).map(text).unwrap_or_default();
        let message =
            r.error.as_ref().and_then(|e| e.get("detail")).and_then(Value::as_str).map(scrub).unwrap_or_default();
        let history_id = r.history_id.map(|h| h.to_string()).unwrap_or_default();
        let callback_cells: Vec<String> = file_columns
            .iter()
            .map(|c| {
                let value = c
                    .keys
                    .iter()
                    .filter_map(|k| r.callback.as_ref().and_then(|cb| cb.get(k)))
                    .find(|v| !v.is_null() && v.as_str() != Some(""));
                match (value, &c.format) {
                    (None, _) => String::new(),
                    (Some(v), ColumnFormat::UnixSeconds) => v.as_i64().map(|s| iso_ms(s * 1000)).unwrap_or_default(),
                    (Some(v), ColumnFormat::UnixMillis) => v.as_i64().map(iso_ms).unwrap_or_default(),
                    (Some(v), _) => scrub(&text(v)),
                }
            })
            .collect();
        let cells = [
            Cell::Text(&id),
            Cell::Num(&call),
            Cell::Num(r.outcome.as_str()),
            Cell::Num(&http),
            Cell::Text(&provider_code),
            Cell::Text(&error_code),
            Cell::Text(&message),
            Cell::Num(&history_id),
        ]
        .into_iter()
        .chain(callback_cells.iter().map(|c| Cell::Text(c.as_str())));
        write_csv_record(&mut line, cells).map_err(io)?;
        w.write_all(&line).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// An operation of a provider's descriptor.
    fn op(provider: &str, name: &str) -> OperationDescriptor {
        operation_of(ProviderId::parse(provider).unwrap(), name).unwrap()
    }
    use serde_json::json;

    fn row(id: &str, outcome: ResultOutcome) -> ResultRow {
        ResultRow {
            id: id.into(),
            call: 1,
            outcome,
            http_status: Some(200),
            provider_code: None,
            error: None,
            history_id: Some(7),
            callback: None,
        }
    }

    fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
        // A small RFC 4180 reader: enough for these rows.
        let mut rows = Vec::new();
        let (mut row, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(std::mem::take(&mut cell)),
                ('\r', false) => {}
                ('\n', false) => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (c, _) => cell.push(c),
            }
        }
        rows
    }

    #[test]
    fn resend_results_have_the_base_columns_and_defuse_formulas() {
        let secret = Secret::new("RESULTS-CANARY-1234567890".to_owned());
        crate::logging::register_secret(&secret);
        let mut failed = row("=HYPERLINK(\"http://x\")", ResultOutcome::Failed);
        failed.call = 2;
        failed.http_status = Some(400);
        failed.provider_code = Some("10001".into());
        failed.error = Some(json!({"code": "provider.not_found", "params": {},
                                    "detail": "no such id; key RESULTS-CANARY-1234567890"}));
        let rows = vec![row("90000000001", ResultOutcome::Ok), failed, row("+1", ResultOutcome::NotSent)];
        let mut out = Vec::new();
        assert_eq!(write_csv(&op("cybavo", "resend-deposit-callbacks"), &rows, &mut out).unwrap(), 3);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(!text.contains("RESULTS-CANARY"), "a registered secret reached the file: {text}");
        assert!(text.ends_with("\r\n"));
        let csv = parse(&out);
        assert_eq!(csv[0], CSV_HEADER);
        assert_eq!(csv[1], ["90000000001", "1", "ok", "200", "", "", "", "7"]);
        assert_eq!(csv[2][0], "'=HYPERLINK(\"http://x\")", "formula cell defused");
        assert_eq!(&csv[2][1..7], ["2", "failed", "400", "10001", "provider.not_found", "no such id; key <redacted>"]);
        assert_eq!(csv[3][0], "'+1");
        assert_eq!(csv[3][2], "not_sent");
    }

    #[test]
    fn lookup_results_carry_the_decoded_callback() {
        let cb = crate::providers::cybavo::callback::decode_callback(
            &json!({"type": 2, "serial": 90000000002i64, "currency": "ETH", "amount": "2500000000",
            "decimal": 9, "fees": "0", "state": 3, "processing_state": 2, "chain_at": 1700000000, "order_id": "@WD-1",
            "txid": "0xab", "vout_index": 0, "to_address": "0xto", "from_address": "0xfrom", "addon": {}}),
        );
        let mut found = row("90000000002", ResultOutcome::Ok);
        found.callback = Some(cb);
        let rows = vec![found, row("90000000999", ResultOutcome::NotFound)];
        let mut out = Vec::new();
        write_csv(&op("cybavo", "query-callbacks"), &rows, &mut out).unwrap();
        let csv = parse(&out);
        assert_eq!(
            csv[0][8..],
            [
                "type",
                "state",
                "processing_state",
                "callback_outcome",
                "currency",
                "amount",
                "fees",
                "time",
                "order_id",
                "txid",
                "vout_index",
                "from_address",
                "to_address"
            ]
        );
        let r = &csv[1];
        assert_eq!(
            r[8..],
            [
                "withdraw",
                "txid_in_chain",
                "done",
                "succeeded",
                "ETH",
                "2.5",
                "0",
                "2023-11-14T22:13:20.000Z",
                "'@WD-1",
                "0xab",
                "0",
                "0xfrom",
                "0xto"
            ]
        );
        assert_eq!(csv[2][2], "not_found");
        assert!(csv[2][8..].iter().all(String::is_empty));
    }

    #[test]
    fn ids_of_each_kind_of_call() {
        let m = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(ids_of(&op("cybavo", "query-callbacks"), &m(json!({"ids": [1, 2]}))), ["1", "2"]);
        assert_eq!(ids_of(&op("cybavo", "resend-deposit-callbacks"), &m(json!({"notification_id": 5}))), ["5"]);
        assert_eq!(
            ids_of(&op("cybavo", "resend-deposit-callbacks"), &m(json!({"notification_id": 0}))),
            ["notification_id=0 (all)"]
        );
        assert_eq!(
            ids_of(&op("avista", "resend-webhook"), &m(json!({"transaction_identifier": "A-1", "url": "u"}))),
            ["A-1"]
        );
        assert_eq!(
            ids_of(&op("ccpayment", "resend-webhooks"), &m(json!({"start_timestamp": 1, "end_timestamp": 2}))),
            ["start_timestamp=1, end_timestamp=2"]
        );
    }
}
