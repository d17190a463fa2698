//! Reading the team's audit trail: one page of every member's actions the reader may see (row-level
//! security decides: their own rows, the rows of accounts they have a role on, every row for admins),
//! newest first, narrowed by member, account, provider, operation, outcome, time and words.
//!
//! Pages are read by position (`before_id`: the smallest id of the page before), so a page costs the same
//! at the millionth row as at the first (docs/performance.md, "Team workspace").

use super::connect::db_error;
use super::Team;
use crate::accounts::Accounts;
use crate::error::{Error, Result};
use crate::history::HistoryFilter;
use crate::providers::OperationKind;
use serde::Serialize;
use std::time::{Duration, SystemTime};
use tokio_postgres::types::ToSql;

/// What to show of the trail (every field optional; all given must match).
#[derive(Debug, Clone, Default)]
pub struct TrailFilter {
    pub member: Option<String>,
    /// A shared account's id in the team database.
    pub account_id: Option<i64>,
    pub provider: Option<String>,
    pub operation: Option<String>,
    /// Only operations of this kind (e.g. resends), of any provider.
    pub kind: Option<OperationKind>,
    pub outcome: Option<String>,
    /// From this time (inclusive), milliseconds since the Unix epoch.
    pub from_ms: Option<i64>,
    /// Up to this time (exclusive).
    pub to_ms: Option<i64>,
    /// Words in the scope (ids, serials, windows) or the account's label, any case, each matched by prefix.
    pub text: Option<String>,
}

impl TrailFilter {
    /// History's filter (`account_id` an account's id in this installation) on the trail, with `member`:
    /// the account becomes its shared id (`input.invalid` on `account_id` for an account of this
    /// installation's own, which the trail does not hold); a bulk job is this installation's, so
    /// `job_id` does not apply (`input.invalid`, `unsupported`).
    pub fn from_history(filter: &HistoryFilter, member: Option<String>, accounts: &Accounts) -> Result<TrailFilter> {
        if filter.job_id.is_some() {
            return Err(Error::invalid_field("job_id", "unsupported"));
        }
        let account_id = match filter.account_id {
            Some(id) => Some(super::rules::team_id_of(&accounts.get(id)?)?),
            None => None,
        };
        Ok(TrailFilter {
            member: member.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()),
            account_id,
            provider: filter.provider.clone(),
            operation: filter.operation.clone(),
            kind: filter.kind,
            outcome: filter.outcome.map(|o| o.as_str().to_owned()),
            from_ms: filter.from_ms,
            to_ms: filter.to_ms,
            text: filter.text.clone(),
        })
    }
}

/// Every (provider, operation) of that kind in the registry (names alone may mean different things at
/// different providers).
fn operations_of(kind: OperationKind) -> Vec<(String, String)> {
    crate::providers::registered()
        .iter()
        .flat_map(|d| {
            d.operations.iter().filter(|o| o.kind == kind).map(|o| (d.id.as_str().to_owned(), o.name.clone()))
        })
        .collect()
}

/// One row of the trail as a reader sees it (no hashes: `history verify-chain` checks those).
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct TrailRow {
    #[ts(type = "number")]
    pub id: i64,
    pub member: String,
    #[ts(type = "number")]
    pub at_ms: i64,
    /// The shared account's id in the team database.
    #[ts(type = "number | null")]
    pub account_id: Option<i64>,
    pub account_label: String,
    pub provider: String,
    pub environment: String,
    pub kind: String,
    pub operation: String,
    pub scope: String,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub error_code: Option<String>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
}

/// A page of rows and where the next (older) one starts.
#[derive(Debug, Clone, Serialize)]
pub struct TrailPage {
    pub rows: Vec<TrailRow>,
    /// Pass as `before_id` for the next page; none when this was the last.
    pub next_before_id: Option<i64>,
}

/// At most this many rows a page.
pub const MAX_PAGE: i64 = 500;

fn time(ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

/// The words of `text` as a full-text query matching each word's pieces by prefix (`PAG-2024-0001` finds
/// the rows holding `pag`, `2024…` and `0001…`): letters and digits only, so nothing in it is query syntax.
/// None when `text` has no letter or digit.
fn prefix_query(text: &str) -> Option<String> {
    let pieces: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| format!("{}:*", p.to_lowercase()))
        .collect();
    (!pieces.is_empty()).then(|| pieces.join(" & "))
}

/// The text the `audit_words` index (migration 007) is built over: the same expression, so the index serves it.
const WORDS: &str = "to_tsvector('simple'::regconfig, scope || ' ' || account_label)";

/// Words are first looked for among this many newest rows: a word most rows hold fills a page there.
const RECENT_ROWS: i64 = 2_000;

/// Beyond those, rows holding at most this many matches are found through the words index.
const FEW_MATCHES: i32 = 20_000;

/// A query of the trail being built: its conditions and their parameters.
struct Select {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Select {
    /// The rows matching `filter` but its words, older than `before_id`.
    fn new(filter: &TrailFilter, before_id: Option<i64>) -> Select {
        let mut q = Select {
            sql: String::from(
                "SELECT id, member, callback_desk.epoch_us(at) / 1000, account_id, account_label, provider,
                        environment, kind, operation, scope, outcome, http_status, error_code, duration_ms
                 FROM callback_desk.audit WHERE true",
            ),
            params: Vec::new(),
        };
        if let Some(id) = before_id {
            q.and(" AND id < ?", Box::new(id));
        }
        if let Some(v) = &filter.member {
            q.and(" AND member = ?", Box::new(v.clone()));
        }
        if let Some(v) = filter.account_id {
            q.and(" AND account_id = ?", Box::new(v));
        }
        if let Some(v) = &filter.provider {
            q.and(" AND provider = ?", Box::new(v.clone()));
        }
        if let Some(v) = &filter.operation {
            q.and(" AND operation = ?", Box::new(v.clone()));
        }
        if let Some(kind) = filter.kind {
            q.one_of_operations(&operations_of(kind));
        }
        if let Some(v) = &filter.outcome {
            q.and(" AND outcome = ?", Box::new(v.clone()));
        }
        if let Some(ms) = filter.from_ms {
            q.and(" AND at >= ?", Box::new(time(ms)));
        }
        if let Some(ms) = filter.to_ms {
            q.and(" AND at < ?", Box::new(time(ms)));
        }
        q
    }

    /// Adds a condition; each `?` in it is the same new parameter.
    fn and(&mut self, clause: &str, value: Box<dyn ToSql + Sync + Send>) {
        self.params.push(value);
        self.sql.push_str(&clause.replace('?', &format!("${}", self.params.len())));
    }

    /// Rows of one of these (provider, operation): equalities only, which row-level security lets the
    /// `audit_by_operation` index (migration 014) serve, where an expression such as `provider || '/' ||
    /// operation` would be checked row by row from the newest.
    fn one_of_operations(&mut self, operations: &[(String, String)]) {
        if operations.is_empty() {
            self.sql.push_str(" AND false");
            return;
        }
        let mut any = Vec::new();
        for (provider, operation) in operations {
            self.params.push(Box::new(provider.clone()));
            self.params.push(Box::new(operation.clone()));
            let n = self.params.len();
            any.push(format!("(provider = ${} AND operation = ${n})", n - 1));
        }
        self.sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }

    fn words(&mut self, query: &str) {
        self.and(&format!(" AND {WORDS} @@ to_tsquery('simple'::regconfig, ?)"), Box::new(query.to_owned()));
    }

    /// The newest `limit` + 1 rows (one more than asked: whether an older page exists).
    async fn read(mut self, team: &Team, limit: i64) -> Result<Vec<tokio_postgres::Row>> {
        self.sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
        let refs: Vec<&(dyn ToSql + Sync)> = self.params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        team.client().query(&self.sql, &refs).await.map_err(db_error)
    }
}

/// The rows matching `filter` with its words. Under row-level security the words index serves only the
/// function `audit_words_match` (migration 007): a reader's own full-text match is tested row by row. So:
/// the newest rows first, where a word most rows hold soon fills a page; then the rows the function finds
/// (an id, a serial: a few rows among millions); then, for a word too many rows hold, newest first again.
async fn read_with_words(
    team: &Team,
    filter: &TrailFilter,
    before_id: Option<i64>,
    query: &str,
    limit: i64,
) -> Result<Vec<tokio_postgres::Row>> {
    let mut recent = Select::new(filter, before_id);
    recent.words(query);
    match before_id {
        Some(id) => recent.and(" AND id >= ?", Box::new(id - RECENT_ROWS)),
        None => {
            recent.and(" AND id >= (SELECT coalesce(max(id), 0) FROM callback_desk.audit) - ?", Box::new(RECENT_ROWS))
        }
    }
    let found = recent.read(team, limit).await?;
    if found.len() as i64 > limit {
        return Ok(found);
    }
    let ids: Vec<i64> = team
        .client()
        .query("SELECT callback_desk.audit_words_match($1, $2)", &[&query, &(FEW_MATCHES + 1)])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut all = Select::new(filter, before_id);
    if ids.len() > FEW_MATCHES as usize {
        all.words(query);
    } else {
        all.and(" AND id = ANY(?)", Box::new(ids));
    }
    all.read(team, limit).await
}

/// The `limit` newest rows older than `before_id` (all rows when none) that match `filter`.
pub async fn page(team: &Team, filter: &TrailFilter, before_id: Option<i64>, limit: i64) -> Result<TrailPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let found = match filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Select::new(filter, before_id).read(team, limit).await?,
        Some(text) => match prefix_query(text) {
            None => Vec::new(),
            Some(query) => read_with_words(team, filter, before_id, &query, limit).await?,
        },
    };
    let mut rows: Vec<TrailRow> = found
        .iter()
        .map(|r| TrailRow {
            id: r.get(0),
            member: r.get(1),
            at_ms: r.get(2),
            account_id: r.get(3),
            account_label: r.get(4),
            provider: r.get(5),
            environment: r.get(6),
            kind: r.get(7),
            operation: r.get(8),
            scope: r.get(9),
            outcome: r.get(10),
            http_status: r.get(11),
            error_code: r.get(12),
            duration_ms: r.get(13),
        })
        .collect();
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before_id = if more { rows.last().map(|r| r.id) } else { None };
    Ok(TrailPage { rows, next_before_id })
}

#[cfg(test)]
mod tests {
    use super::prefix_query;

    #[test]
    fn words_become_a_prefix_query_of_letters_and_digits_only() {
        assert_eq!(prefix_query("PAG-2024-0001").as_deref(), Some("pag:* & 2024:* & 0001:*"));
        assert_eq!(prefix_query("  9000000013 ").as_deref(), Some("9000000013:*"));
        assert_eq!(prefix_query("a' | !b:* & (c)").as_deref(), Some("a:* & b:* & c:*"));
        assert_eq!(prefix_query(" -- !! "), None);
    }
}
