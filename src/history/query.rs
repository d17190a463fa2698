//! Reading history rows: the filters (account, job, provider, operation, outcome, dates, text), pages in
//! keyset order (newest first), counts, and one row with its request and response.

use super::text;
use super::{Cursor, Environment, History, HistoryDetail, HistoryError, HistoryFilter, HistoryPage, HistoryRow};
use super::{Outcome, RecordedRequest, MAX_PAGE};
use crate::db::storage_error;
use crate::error::{Error, ErrorCode, Result};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

const SUMMARY_COLUMNS: &str = "h.id, h.job_id, h.created_at_ms, h.finished_at_ms, h.account_id, \
     h.account_label, h.provider, h.environment, h.operation, h.scope, h.outcome, h.http_status, \
     h.provider_code, h.error_code, h.error_params, h.error_detail, h.duration_ms";

impl History {
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
    let (provider, operation, scope): (String, String, String) = (r.get(6)?, r.get(8)?, r.get(9)?);
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
        environment: Environment::parse(&environment)
            .ok_or_else(|| conversion_error(7, "environment", &environment))?,
        scope_params: crate::scope::read(&provider, &operation, &scope),
        operation,
        scope,
        provider,
        outcome: Outcome::parse(&outcome).ok_or_else(|| conversion_error(10, "outcome", &outcome))?,
        http_status: r.get(11)?,
        provider_code: r.get(12)?,
        error,
        duration_ms: r.get(16)?,
    })
}

/// The text filter, resolved against the labels and the identifiers index once per call.
pub(super) enum TextMatch {
    /// No text filter.
    Any,
    /// The text has no searchable characters: nothing matches.
    Nothing,
    /// Words that must all match (see [`text`]).
    Words(Vec<text::Word>),
}

impl TextMatch {
    pub(super) fn resolve(conn: &Connection, text: Option<&str>) -> Result<TextMatch> {
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
pub(super) fn filter_conds(filter: &HistoryFilter, args: &mut Vec<SqlValue>, conds: &mut Vec<String>) {
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
    if let Some(kind) = filter.kind {
        // Every (provider, operation) of that kind in the registry: names alone may mean different things
        // at different providers.
        let pairs: Vec<(String, String)> = crate::providers::registered()
            .iter()
            .flat_map(|d| {
                d.operations.iter().filter(|o| o.kind == kind).map(|o| (d.id.as_str().to_owned(), o.name.clone()))
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if pairs.is_empty() {
            conds.push("0".into());
        } else {
            let mut values = Vec::new();
            for (provider, operation) in pairs {
                args.push(SqlValue::Text(provider));
                args.push(SqlValue::Text(operation));
                values.push(format!("(?{}, ?{})", args.len() - 1, args.len()));
            }
            conds.push(format!("(h.provider, h.operation) IN (VALUES {})", values.join(", ")));
        }
    }
}

/// `FROM … WHERE …` for a filter, and its parameters.
pub(super) fn from_where(
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

pub(super) fn count_rows(
    conn: &Connection,
    filter: &HistoryFilter,
    text: &TextMatch,
    max_id: Option<i64>,
) -> Result<u64> {
    let (from_where, args) = from_where(filter, text, None, max_id, false);
    let sql = format!("SELECT count(*){from_where}");
    let n: i64 = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row(params_from_iter(args), |r| r.get(0)))
        .map_err(storage_error)?;
    Ok(n as u64)
}
