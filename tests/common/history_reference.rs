//! The plainest query for a history filter, to check the real one against (tests/history.rs and
//! benches/history.rs include this file): one FTS5 index over identifiers and label together (as the
//! text filter is defined), asked the whole text at once, plus the column filters and the keyset cursor.

use callback_desk::history::{Cursor, HistoryFilter};
use rusqlite::types::Value as V;
use rusqlite::Connection;

/// Creates the reference index `table` (an FTS5 table; `temp.` for one that goes with the connection)
/// and adds the history rows it does not have yet.
pub fn index(conn: &Connection, table: &str) {
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_text, account_label,
            tokenize = 'unicode61 remove_diacritics 2');
         INSERT INTO {table} (rowid, search_text, account_label)
            SELECT id, search_text, account_label FROM history
            WHERE id > (SELECT ifnull(max(rowid), 0) FROM {table});"
    ))
    .unwrap();
}

/// The ids of the rows matching `filter` after `cursor`, newest first, at most `limit`; `table` is the
/// index made by [`index`].
pub fn ids(
    conn: &Connection,
    table: &str,
    filter: &HistoryFilter,
    cursor: Option<Cursor>,
    limit: Option<usize>,
) -> Vec<i64> {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<V> = Vec::new();
    let mut push = |cond: &str, v: V| {
        args.push(v);
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(text) = &filter.text {
        let words: Vec<String> = text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let name = table.rsplit('.').next().unwrap_or(table);
        push(&format!("h.id IN (SELECT rowid FROM {table} WHERE {name} MATCH ?)"), V::Text(words.join(" ")));
    }
    if let Some(v) = filter.account_id {
        push("h.account_id = ?", V::Integer(v));
    }
    if let Some(v) = filter.job_id {
        push("h.job_id = ?", V::Integer(v));
    }
    if let Some(v) = &filter.provider {
        push("h.provider = ?", V::Text(v.clone()));
    }
    if let Some(v) = &filter.operation {
        push("h.operation = ?", V::Text(v.clone()));
    }
    if let Some(v) = filter.outcome {
        push("h.outcome = ?", V::Text(v.as_str().into()));
    }
    if let Some(v) = filter.from_ms {
        push("h.created_at_ms >= ?", V::Integer(v));
    }
    if let Some(v) = filter.to_ms {
        push("h.created_at_ms < ?", V::Integer(v));
    }
    if let Some(c) = cursor {
        push("(h.created_at_ms, h.id) < (?, ", V::Integer(c.created_at_ms));
        let last = conds.pop().unwrap();
        args.push(V::Integer(c.id));
        conds.push(format!("{last}?{})", args.len()));
    }
    let where_ = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    let sql = format!("SELECT h.id FROM history h{where_} ORDER BY h.created_at_ms DESC, h.id DESC{limit}");
    let mut stmt = conn.prepare(&sql).unwrap();
    let ids = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0)).unwrap();
    ids.collect::<rusqlite::Result<Vec<i64>>>().unwrap()
}
