//! The history text filter: every word the user typed must occur, as a word prefix, in the row's
//! identifiers (`search_text`) or in its account label.
//!
//! The two halves are kept apart because they behave differently at a million rows:
//!
//! * **Labels** are per-account attributes: history holds a handful of distinct labels (the
//!   `history_labels` table, one row per label, account and provider, with its own small FTS5 index). A
//!   word is matched against that list once, and becomes a condition on the label column; a page of
//!   rows whose labels match is then an ordinary index walk, per account when the accounts are small.
//! * **Identifiers** live in the `history_fts` index. A word is expanded to the few terms it is a prefix
//!   of when it can be (FTS5 seeks on plain terms and merges the whole posting list of every term a
//!   prefix stands for), resolved to row ids when it matches few rows, and otherwise checked on the rows
//!   walked in date order, here in Rust, with the tokenizer's own rules.
//!
//! A page splits the labels into classes by which words they already satisfy. Each class is one
//! source of rows (label condition + the other filters + the words left for the identifiers), read
//! newest first; the page is the newest rows over all sources. A source whose remaining words are
//! sparse among the rows walked switches, after [`WALK_BUDGET`] rows, to reading the identifiers index
//! newest first: ids grow with time (the `history_unordered` table lists the rows for which they do
//! not, e.g. after the clock was set back; those are checked apart), so the index's rowid order is the
//! page's order.
//!
//! Every path gives exactly the rows the FTS5 query `"word1"* "word2"*` gives over both columns; the
//! tests compare them on seeded histories.

use super::query::filter_conds;
use super::{Cursor, HistoryFilter};
use crate::db::storage_error;
use crate::error::Result;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Text filters whose identifiers match at most this many rows are resolved to their ids.
pub(super) const FEW_MATCHES: usize = 2_000;

/// A prefix word standing for at most this many terms is rewritten to those terms (FTS5 seeks on them).
const FEW_TERMS: usize = 8;

/// Rows a source walks in date order, checking the words in Rust, before it reads the identifiers
/// index newest first instead.
const WALK_BUDGET: usize = 2_000;

/// Rows walked per query while walking.
const WALK_CHUNK: usize = 500;

/// The identifiers index is read newest first only while at most this many rows are out of order.
const UNORDERED_MAX: i64 = 10_000;

/// Accounts together holding fewer rows than this are walked one by one (each on its own index).
const SMALL_ACCOUNTS: i64 = 10_000;

/// A prefix word takes part in a query on the identifiers index only when its last token has at least
/// this many characters: a shorter prefix may stand for most of the index.
const MIN_PREFIX: usize = 3;

/// One typed word, resolved.
pub(super) struct Word {
    /// The FTS5 query for the word alone: a phrase whose last token is a prefix (`"ord-12"*`).
    pub query: String,
    /// The word's tokens as the index folds them (lower case, no diacritics); the last one is a prefix.
    tokens: Vec<String>,
    /// The labels in history whose text matches the word.
    pub labels: BTreeSet<String>,
    /// What the word matches among identifiers.
    pub ids: Ids,
}

pub(super) enum Ids {
    /// No identifier in the index matches the word.
    None,
    /// The identifiers matching the word are those holding one of a few terms: an FTS5 query that seeks.
    Terms(String),
    /// Many terms: the prefix query itself.
    Prefix,
}

impl Word {
    /// The best FTS5 query for the word's identifiers, `None` when none match.
    pub fn ids_query(&self) -> Option<&str> {
        match &self.ids {
            Ids::None => None,
            Ids::Terms(q) => Some(q),
            Ids::Prefix => Some(&self.query),
        }
    }

    /// Whether reading the identifiers index for this word is cheap enough to drive a page.
    fn drives(&self) -> bool {
        match &self.ids {
            Ids::None | Ids::Terms(_) => true,
            Ids::Prefix => self.tokens.last().is_some_and(|t| t.chars().count() >= MIN_PREFIX),
        }
    }
}

/// The words of `text` (whitespace separated; words without a letter or digit are dropped), resolved
/// against the labels and the identifiers index. A word the tokenizer keeps nothing of (a lone combining
/// mark) is dropped too, as FTS5 drops an empty phrase. `None` when nothing searchable is left.
pub(super) fn words(conn: &Connection, text: &str) -> Result<Option<Vec<Word>>> {
    let raw: Vec<&str> = text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let mut out = Vec::with_capacity(raw.len());
    for w in raw {
        let query = format!("\"{}\"*", w.replace('"', "\"\""));
        let tokens = tokenize(conn, w)?;
        if tokens.is_empty() {
            continue;
        }
        let labels = labels_matching(conn, &query)?;
        let ids = ids_of(conn, &tokens)?;
        out.push(Word { query, tokens, labels, ids });
    }
    Ok((!out.is_empty()).then_some(out))
}

/// The FTS5 query of the whole text over the identifiers index, for the words that may drive a page
/// (`None` when none may).
fn driving_query(words: &[&Word]) -> Option<String> {
    let parts: Vec<&str> = words.iter().filter(|w| w.drives()).filter_map(|w| w.ids_query()).collect();
    (!parts.is_empty()).then(|| parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(" AND "))
}

fn labels_matching(conn: &Connection, query: &str) -> Result<BTreeSet<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT DISTINCT l.account_label FROM history_labels_fts f
             JOIN history_labels l ON l.id = f.rowid WHERE history_labels_fts MATCH ?1",
        )
        .map_err(storage_error)?;
    let labels = stmt
        .query_map([query], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<BTreeSet<String>>>())
        .map_err(storage_error)?;
    Ok(labels)
}

/// Which identifiers a word matches: nothing, a few terms, or a prefix of many.
fn ids_of(conn: &Connection, tokens: &[String]) -> Result<Ids> {
    let [token] = tokens else {
        return Ok(Ids::Prefix);
    };
    if !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(Ids::Prefix);
    }
    let quote = |t: &str| format!("\"{t}\"");
    // The term itself (its posting list may be long: ask whether it exists, nothing more)…
    let exact: bool = conn
        .prepare_cached("SELECT 1 FROM history_fts WHERE history_fts MATCH ?1 LIMIT 1")
        .and_then(|mut s| s.query_row([quote(token)], |_| Ok(())).optional())
        .map_err(storage_error)?
        .is_some();
    // …then the longer terms it is a prefix of, stopping after a few.
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.history_fts_terms USING fts5vocab(main, 'history_fts', 'row');",
    )
    .map_err(storage_error)?;
    let mut high = token.clone().into_bytes();
    if let Some(last) = high.last_mut() {
        *last += 1; // an ASCII letter or digit: the next byte is still ASCII
    }
    let high = String::from_utf8(high).map_err(storage_error)?;
    let longer: Vec<String> = conn
        .prepare_cached("SELECT term FROM temp.history_fts_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3")
        .and_then(|mut s| {
            s.query_map(params![format!("{token}\u{1}"), high, FEW_TERMS as i64 + 1], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
        })
        .map_err(storage_error)?;
    let mut terms: Vec<&str> = longer.iter().map(String::as_str).collect();
    if exact {
        terms.insert(0, token);
    }
    Ok(match terms.len() {
        0 => Ids::None,
        n if n > FEW_TERMS || longer.len() > FEW_TERMS => Ids::Prefix,
        1 => Ids::Terms(quote(terms[0])),
        _ => Ids::Terms(terms.iter().map(|t| quote(t)).collect::<Vec<_>>().join(" OR ")),
    })
}

// ---------------------------------------------------------------------------------------------------
// Tokens

/// The tokens FTS5's `unicode61 remove_diacritics 2` tokenizer makes of `text`. ASCII text is split
/// here (runs of ASCII letters and digits, lower-cased: that tokenizer's rule for ASCII); other text
/// is given to the tokenizer itself, through a one-row temporary FTS5 table.
fn tokenize(conn: &Connection, text: &str) -> Result<Vec<String>> {
    if text.is_ascii() {
        return Ok(ascii_tokens(text).map(|t| t.to_ascii_lowercase()).collect());
    }
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.history_probe USING fts5(t, tokenize = 'unicode61 remove_diacritics 2');
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.history_probe_terms USING fts5vocab(temp, 'history_probe', 'instance');
         DELETE FROM temp.history_probe;",
    )
    .map_err(storage_error)?;
    conn.prepare_cached("INSERT INTO temp.history_probe (rowid, t) VALUES (1, ?1)")
        .and_then(|mut s| s.execute([text]))
        .map_err(storage_error)?;
    let tokens = conn
        .prepare_cached("SELECT term FROM temp.history_probe_terms ORDER BY offset")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0)).and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        })
        .map_err(storage_error)?;
    conn.execute_batch("DELETE FROM temp.history_probe;").map_err(storage_error)?;
    Ok(tokens)
}

fn ascii_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty())
}

/// Whether `doc` (a row's identifiers) holds the phrase `tokens`, its last token as a prefix.
fn phrase_in(conn: &Connection, doc: &str, tokens: &[String]) -> Result<bool> {
    let Some((last, first)) = tokens.split_last() else {
        return Ok(false);
    };
    let found = |doc: &[&str]| {
        let n = first.len();
        doc.len() > n
            && (0..doc.len() - n)
                .any(|i| first.iter().zip(&doc[i..]).all(|(t, d)| d == t) && doc[i + n].starts_with(last.as_str()))
    };
    if doc.is_ascii() {
        // Comparing lower-cased ASCII tokens; a word token is never upper case.
        let lowered = doc.to_ascii_lowercase();
        let doc: Vec<&str> = ascii_tokens(&lowered).collect();
        return Ok(found(&doc));
    }
    let doc = tokenize(conn, doc)?;
    let doc: Vec<&str> = doc.iter().map(String::as_str).collect();
    Ok(found(&doc))
}

/// Whether a row's identifiers hold every word of `words`.
fn all_in(conn: &Connection, search_text: &str, words: &[&Word]) -> Result<bool> {
    for w in words {
        if !phrase_in(conn, search_text, &w.tokens)? {
            return Ok(false);
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------------------------------------------
// Pages

/// A row's place in the page order.
type Key = (i64, i64);

/// Which labels a source covers.
#[derive(Clone)]
enum Labels {
    /// Every label.
    Any,
    /// These labels only.
    In(Vec<String>),
    /// Every label but these.
    NotIn(Vec<String>),
}

/// A `WHERE` clause under construction.
struct Sql {
    conds: Vec<String>,
    args: Vec<SqlValue>,
}

impl Sql {
    fn new(filter: &HistoryFilter, labels: &Labels) -> Sql {
        Sql::with_ids(None, filter, labels)
    }

    /// With a JSON list of row ids as `?1` (for `json_each(?1)`), when given.
    fn with_ids(ids: Option<&[i64]>, filter: &HistoryFilter, labels: &Labels) -> Sql {
        let mut sql = Sql { conds: Vec::new(), args: Vec::new() };
        if let Some(ids) = ids {
            sql.args.push(json(ids));
        }
        filter_conds(filter, &mut sql.args, &mut sql.conds);
        match labels {
            Labels::Any => {}
            Labels::In(l) => sql.push("h.account_label IN (SELECT value FROM json_each(?))", json(l)),
            Labels::NotIn(l) => sql.push("h.account_label NOT IN (SELECT value FROM json_each(?))", json(l)),
        }
        sql
    }

    fn push(&mut self, cond: &str, value: SqlValue) {
        self.args.push(value);
        self.conds.push(cond.replace('?', &format!("?{}", self.args.len())));
    }

    fn before(&mut self, key: Option<Key>) {
        if let Some((t, id)) = key {
            self.args.push(SqlValue::Integer(t));
            self.args.push(SqlValue::Integer(id));
            let n = self.args.len();
            self.conds.push(format!("(h.created_at_ms, h.id) < (?{}, ?{n})", n - 1));
        }
    }

    fn where_(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }

    /// `SELECT <columns> FROM <from> WHERE … ORDER BY <page order> LIMIT <limit>`; the limit is an
    /// argument, so the statement is cached once per shape.
    fn select(&self, columns: &str, from: &str, limit: Option<usize>) -> (String, Vec<SqlValue>) {
        let mut args = self.args.clone();
        let mut sql = format!("SELECT {columns} FROM {from}{} ORDER BY h.created_at_ms DESC, h.id DESC", self.where_());
        if let Some(n) = limit {
            args.push(SqlValue::Integer(n as i64));
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        (sql, args)
    }
}

fn json(items: &[impl serde::Serialize]) -> SqlValue {
    SqlValue::Text(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
}

/// Reads the rows `sql` selects by id (`?1`, a JSON list) and adds the keys of those whose identifiers
/// hold every word of `need`.
fn push_matching(conn: &Connection, sql: Sql, need: &[&Word], out: &mut Vec<Key>) -> Result<()> {
    let (text, args) = sql.select(
        "h.created_at_ms, h.id, h.search_text",
        "json_each(?1) AS j CROSS JOIN history AS h ON h.id = j.value",
        None,
    );
    for (key, search_text) in keyed_rows(conn, &text, args)? {
        if all_in(conn, &search_text, need)? {
            out.push(key);
        }
    }
    Ok(())
}

/// Keys (and identifiers text) of a query's rows.
fn keyed_rows(conn: &Connection, sql: &str, args: Vec<SqlValue>) -> Result<Vec<(Key, String)>> {
    let mut stmt = conn.prepare_cached(sql).map_err(storage_error)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<(Key, String)>>>())
        .map_err(storage_error)?;
    Ok(rows)
}

/// Most words a page splits into label classes (a class is a set of words); longer texts are matched by
/// one query with a condition per word.
pub(super) const MAX_CLASSED_WORDS: usize = 32;

/// The sources of a text filter: each a label condition and the words its rows must still hold in their
/// identifiers. Together they cover every row matching `filter` and `words`, each row exactly once (the
/// classes split the labels). Sources that cannot match (a word left for identifiers matches none) are
/// left out.
fn sources<'w>(conn: &Connection, filter: &HistoryFilter, words: &'w [Word]) -> Result<Vec<(Labels, Vec<&'w Word>)>> {
    let all: u64 = (1u64 << words.len()) - 1;
    // Labels some word matches, and which words each leaves to the identifiers.
    let matched: BTreeSet<&String> = words.iter().flat_map(|w| &w.labels).collect();
    let relevant = relevant_labels(conn, filter)?;
    let mut classes: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for &label in &matched {
        if relevant.as_ref().is_some_and(|r| !r.contains(label)) {
            continue;
        }
        let left =
            words.iter().enumerate().filter(|(_, w)| !w.labels.contains(label)).fold(0u64, |m, (i, _)| m | 1 << i);
        classes.entry(left).or_default().push(label.clone());
    }
    let mut sources: Vec<(Labels, u64)> = Vec::new();
    for (left, labels) in classes {
        // Labels matching every word: when they are all the labels in question, no label condition.
        let every = left == 0 && {
            let known = known_labels(conn, filter)?;
            known.iter().all(|l| labels.contains(l))
        };
        sources.push((if every { Labels::Any } else { Labels::In(labels) }, left));
    }
    if !sources.iter().any(|(l, _)| matches!(l, Labels::Any)) {
        let rest = if matched.is_empty() {
            Labels::Any
        } else {
            Labels::NotIn(matched.iter().map(|l| (*l).clone()).collect())
        };
        sources.push((rest, all));
    }
    Ok(sources
        .into_iter()
        .map(|(labels, left)| {
            let need: Vec<&Word> =
                words.iter().enumerate().filter(|(i, _)| left & (1 << i) != 0).map(|(_, w)| w).collect();
            (labels, need)
        })
        // A word matching neither these labels nor any identifier: nothing to find.
        .filter(|(_, need)| !need.iter().any(|w| matches!(w.ids, Ids::None)))
        .collect())
}

/// The newest `want` rows after `cursor` that match `filter` and `words` (at most
/// [`MAX_CLASSED_WORDS`]), as cursors, newest first.
pub(super) fn page_keys(
    conn: &Connection,
    filter: &HistoryFilter,
    words: &[Word],
    cursor: Option<Cursor>,
    want: usize,
) -> Result<Vec<Cursor>> {
    let start = cursor.map(|c| (c.created_at_ms, c.id));
    let mut keys: Vec<Key> = Vec::new();
    for (labels, need) in sources(conn, filter, words)? {
        keys.extend(source_keys(conn, filter, &labels, &need, start, want)?);
    }
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys.dedup();
    keys.truncate(want);
    Ok(keys.into_iter().map(|(created_at_ms, id)| Cursor { created_at_ms, id }).collect())
}

/// How many rows match `filter` and `words` (at most [`MAX_CLASSED_WORDS`]): the sum over the sources,
/// a label class counted per account on the account index when the class holds all of the account's
/// labels.
pub(super) fn count(conn: &Connection, filter: &HistoryFilter, words: &[Word]) -> Result<u64> {
    let mut total = 0u64;
    for (labels, need) in sources(conn, filter, words)? {
        let mut parts: Vec<(Labels, Option<i64>)> = vec![(labels.clone(), None)];
        if let (Labels::In(list), true) = (&labels, need.is_empty()) {
            if let Some(accounts) = whole_accounts(conn, filter, list)? {
                parts = accounts.into_iter().map(|a| (Labels::Any, Some(a))).collect();
            }
        }
        for (labels, account) in parts {
            let mut sql = Sql::new(filter, &labels);
            match account {
                Some(0) => sql.conds.push("h.account_id IS NULL".into()),
                Some(a) => sql.push("h.account_id = ?", SqlValue::Integer(a)),
                None => {}
            }
            for w in &need {
                if let Some(q) = w.ids_query() {
                    sql.push(
                        "h.id IN (SELECT rowid FROM history_fts WHERE history_fts MATCH ?)",
                        SqlValue::Text(q.into()),
                    );
                }
            }
            let text = format!("SELECT count(*) FROM history AS h{}", sql.where_());
            let n: i64 = conn
                .prepare_cached(&text)
                .and_then(|mut s| s.query_row(params_from_iter(sql.args), |r| r.get(0)))
                .map_err(storage_error)?;
            total += n as u64;
        }
    }
    Ok(total)
}

/// The accounts (within the filter's account and provider) whose every label is in `labels`, when the
/// rows carrying `labels` are exactly those accounts' rows; `None` otherwise.
fn whole_accounts(conn: &Connection, filter: &HistoryFilter, labels: &[String]) -> Result<Option<Vec<i64>>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT account_key, account_label FROM history_labels
             WHERE account_key IN (SELECT account_key FROM history_labels
                                   WHERE account_label IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR account_key = ?2) AND (?3 IS NULL OR provider = ?3)",
        )
        .map_err(storage_error)?;
    let rows = stmt
        .query_map(
            params![serde_json::to_string(labels).unwrap_or_default(), filter.account_id, filter.provider],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<(i64, String)>>>())
        .map_err(storage_error)?;
    if rows.iter().any(|(_, l)| !labels.contains(l)) {
        return Ok(None);
    }
    let accounts: BTreeSet<i64> = rows.into_iter().map(|(a, _)| a).collect();
    Ok(Some(accounts.into_iter().collect()))
}

/// The labels rows matching the filter's account or provider can carry; `None` without such a filter.
fn relevant_labels(conn: &Connection, filter: &HistoryFilter) -> Result<Option<HashSet<String>>> {
    if filter.account_id.is_none() && filter.provider.is_none() {
        return Ok(None);
    }
    known_labels(conn, filter).map(Some)
}

/// The labels history holds (for the filter's account or provider, when set).
fn known_labels(conn: &Connection, filter: &HistoryFilter) -> Result<HashSet<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT DISTINCT account_label FROM history_labels
             WHERE (?1 IS NULL OR account_key = ?1) AND (?2 IS NULL OR provider = ?2)",
        )
        .map_err(storage_error)?;
    let labels = stmt
        .query_map(params![filter.account_id, filter.provider], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<String>>>())
        .map_err(storage_error)?;
    Ok(labels)
}

/// The newest `want` keys of one source: rows matching the filter, carrying one of `labels`, whose
/// identifiers hold every word of `need`.
fn source_keys(
    conn: &Connection,
    filter: &HistoryFilter,
    labels: &Labels,
    need: &[&Word],
    start: Option<Key>,
    want: usize,
) -> Result<Vec<Key>> {
    if need.is_empty() {
        return label_keys(conn, filter, labels, start, want);
    }
    // Few rows hold the identifiers: take their ids.
    let seeking: Vec<&Word> = need.iter().copied().filter(|w| matches!(w.ids, Ids::Terms(_))).collect();
    if let Some(query) = driving_query(&seeking) {
        let ids: Vec<i64> = conn
            .prepare_cached("SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 LIMIT ?2")
            .and_then(|mut s| {
                s.query_map(params![query, FEW_MATCHES as i64 + 1], |r| r.get(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            })
            .map_err(storage_error)?;
        if ids.len() <= FEW_MATCHES {
            let mut sql = Sql::with_ids(Some(&ids), filter, labels);
            sql.before(start);
            let (text, args) = sql.select(
                "h.created_at_ms, h.id, h.search_text",
                "json_each(?1) AS j CROSS JOIN history AS h ON h.id = j.value",
                None,
            );
            let mut out = Vec::new();
            for (key, search_text) in keyed_rows(conn, &text, args)? {
                if all_in(conn, &search_text, need)? {
                    out.push(key);
                    if out.len() == want {
                        break;
                    }
                }
            }
            return Ok(out);
        }
    }
    // Walk the rows in date order, checking the identifiers here.
    let mut out = Vec::new();
    let mut at = start;
    let mut walked = 0usize;
    loop {
        let chunk = if walked < WALK_BUDGET { WALK_CHUNK } else { 4 * WALK_CHUNK };
        let mut sql = Sql::new(filter, labels);
        sql.before(at);
        let (text, args) = sql.select("h.created_at_ms, h.id, h.search_text", "history AS h", Some(chunk));
        let rows = keyed_rows(conn, &text, args)?;
        for (key, search_text) in &rows {
            if all_in(conn, search_text, need)? {
                out.push(*key);
                if out.len() == want {
                    return Ok(out);
                }
            }
        }
        walked += rows.len();
        if rows.len() < chunk {
            return Ok(out); // no more rows
        }
        at = rows.last().map(|(k, _)| *k);
        if walked >= WALK_BUDGET {
            if let Some(rest) = newest_first(conn, filter, labels, need, at, want - out.len())? {
                out.extend(rest);
                return Ok(out);
            }
        }
    }
}

/// Rows of a label class (no identifier words left), newest first.
fn label_keys(
    conn: &Connection,
    filter: &HistoryFilter,
    labels: &Labels,
    start: Option<Key>,
    want: usize,
) -> Result<Vec<Key>> {
    let columns = "h.created_at_ms, h.id, ''";
    if let Labels::In(list) = labels {
        // Small accounts: one index walk per account, merged.
        if let Some(accounts) = small_accounts(conn, filter, list)? {
            let mut keys = Vec::new();
            for account in accounts {
                let mut sql = Sql::new(filter, labels);
                match account {
                    0 => sql.conds.push("h.account_id IS NULL".into()),
                    a => sql.push("h.account_id = ?", SqlValue::Integer(a)),
                }
                sql.before(start);
                let (text, args) = sql.select(columns, "history AS h INDEXED BY history_by_account", Some(want));
                keys.extend(keyed_rows(conn, &text, args)?.into_iter().map(|(k, _)| k));
            }
            keys.sort_unstable_by(|a, b| b.cmp(a));
            keys.truncate(want);
            return Ok(keys);
        }
    }
    let mut sql = Sql::new(filter, labels);
    sql.before(start);
    let (text, args) = sql.select(columns, "history AS h", Some(want));
    Ok(keyed_rows(conn, &text, args)?.into_iter().map(|(k, _)| k).collect())
}

/// The accounts carrying `labels` (within the filter's account and provider), when together they hold
/// fewer than [`SMALL_ACCOUNTS`] rows.
fn small_accounts(conn: &Connection, filter: &HistoryFilter, labels: &[String]) -> Result<Option<Vec<i64>>> {
    let accounts: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT account_key FROM history_labels
             WHERE account_label IN (SELECT value FROM json_each(?1))
               AND (?2 IS NULL OR account_key = ?2) AND (?3 IS NULL OR provider = ?3)",
        )
        .and_then(|mut s| {
            s.query_map(
                params![serde_json::to_string(labels).unwrap_or_default(), filter.account_id, filter.provider],
                |r| r.get(0),
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
        })
        .map_err(storage_error)?;
    let mut total = 0i64;
    for &a in &accounts {
        let sql = if a == 0 {
            "SELECT count(*) FROM (SELECT 1 FROM history INDEXED BY history_by_account WHERE account_id IS NULL AND ?1 = 0 LIMIT ?2)"
        } else {
            "SELECT count(*) FROM (SELECT 1 FROM history INDEXED BY history_by_account WHERE account_id = ?1 LIMIT ?2)"
        };
        let n: i64 = conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(params![a, SMALL_ACCOUNTS - total], |r| r.get(0)))
            .map_err(storage_error)?;
        total += n;
        if total >= SMALL_ACCOUNTS {
            return Ok(None);
        }
    }
    Ok(Some(accounts))
}

/// The rest of a source read from the identifiers index newest first, below `at`: `None` when that is
/// not possible (no word may drive it, or too many rows are out of order).
fn newest_first(
    conn: &Connection,
    filter: &HistoryFilter,
    labels: &Labels,
    need: &[&Word],
    at: Option<Key>,
    want: usize,
) -> Result<Option<Vec<Key>>> {
    let Some(query) = driving_query(need) else {
        return Ok(None);
    };
    let unordered: Vec<i64> = {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM (SELECT 1 FROM history_unordered LIMIT ?1)", [UNORDERED_MAX + 1], |r| {
                r.get(0)
            })
            .map_err(storage_error)?;
        if n > UNORDERED_MAX {
            return Ok(None);
        }
        conn.prepare_cached("SELECT id FROM history_unordered")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0)).and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            })
            .map_err(storage_error)?
    };
    let unordered_set: HashSet<i64> = unordered.iter().copied().collect();
    let mut out: Vec<Key> = Vec::new();
    // Rows in order: the one with the highest id below `at` bounds the rest.
    let mut bound = Sql { conds: Vec::new(), args: Vec::new() };
    bound.before(at);
    bound.conds.push("h.id NOT IN (SELECT id FROM history_unordered)".into());
    let (text, args) = bound.select("h.id", "history AS h", Some(1));
    let top: Option<i64> = conn
        .prepare_cached(&text)
        .and_then(|mut s| s.query_row(params_from_iter(args), |r| r.get(0)).optional())
        .map_err(storage_error)?;
    if let Some(top) = top {
        let mut ids = conn
            .prepare("SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 AND rowid <= ?2 ORDER BY rowid DESC")
            .map_err(storage_error)?;
        let mut ids = ids.query(params![query, top]).map_err(storage_error)?;
        let mut batch: Vec<i64> = Vec::new();
        let mut size = 64usize;
        let mut done = false;
        while !done && out.len() < want {
            batch.clear();
            while batch.len() < size {
                match ids.next().map_err(storage_error)? {
                    Some(r) => {
                        let id: i64 = r.get(0).map_err(storage_error)?;
                        if !unordered_set.contains(&id) {
                            batch.push(id);
                        }
                    }
                    None => {
                        done = true;
                        break;
                    }
                }
            }
            if batch.is_empty() {
                break;
            }
            size = (size * 4).min(4096);
            push_matching(conn, Sql::with_ids(Some(&batch), filter, labels), need, &mut out)?;
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.truncate(want);
    }
    if !unordered.is_empty() {
        // The rows out of order, checked one by one.
        let mut sql = Sql::with_ids(Some(&unordered), filter, labels);
        sql.before(at);
        push_matching(conn, sql, need, &mut out)?;
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.truncate(want);
    }
    Ok(Some(out))
}

/// The SQL condition of the text for counts and exports: per word, its labels or its identifiers.
pub(super) fn text_conds(words: &[Word], args: &mut Vec<SqlValue>, conds: &mut Vec<String>) {
    for w in words {
        let mut parts = Vec::new();
        if !w.labels.is_empty() {
            args.push(json(&w.labels.iter().collect::<Vec<_>>()));
            parts.push(format!("h.account_label IN (SELECT value FROM json_each(?{}))", args.len()));
        }
        if let Some(q) = w.ids_query() {
            args.push(SqlValue::Text(q.to_owned()));
            parts.push(format!("h.id IN (SELECT rowid FROM history_fts WHERE history_fts MATCH ?{})", args.len()));
        }
        if parts.is_empty() {
            conds.push("0".into());
        } else {
            conds.push(format!("({})", parts.join(" OR ")));
        }
    }
}
