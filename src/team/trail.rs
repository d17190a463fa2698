//! Reading the team's audit trail: one page of every member's actions the reader may see (row-level
//! security decides: their own rows, the rows of accounts they have a role on, every row for admins),
//! newest first, narrowed by member, account, provider, operation, outcome, time and words.
//!
//! Pages are read by position (`before_id`: the smallest id of the page before), so a page costs the same
//! at the millionth row as at the first (docs/performance.md, "Team workspace").

use super::connect::db_error;
use super::Team;
use crate::error::Result;
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
    pub outcome: Option<String>,
    /// From this time (inclusive), milliseconds since the Unix epoch.
    pub from_ms: Option<i64>,
    /// Up to this time (exclusive).
    pub to_ms: Option<i64>,
    /// Words in the scope (ids, serials, windows) or the account's label, any case, each matched by prefix.
    pub text: Option<String>,
}

/// One row of the trail as a reader sees it (no hashes: `history verify-chain` checks those).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrailRow {
    pub id: i64,
    pub member: String,
    pub at_ms: i64,
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

/// Rows holding at most this many matches of the words are found through the words index first.
const FEW_MATCHES: i64 = 20_000;

/// How the rows matching the words are found.
enum Words {
    /// The text has no letter or digit: nothing matches.
    Nothing,
    /// Every row holding them (at most [`FEW_MATCHES`]), from the words index.
    Among(Vec<i64>),
    /// More rows hold them: the page is read newest first, testing each row (it soon finds a page).
    Common(String),
}

/// Asks the words index which rows the reader may see hold the words (`audit_words_match`, migration 007),
/// up to one more than [`FEW_MATCHES`]. A rare word (an id, a serial) then reads only its rows; a common one
/// reads rows newest first, where matches come soon. Reading newest first for a rare word would test every
/// row of the trail: under row-level security the words index serves only that function.
async fn words_match(team: &Team, text: &str) -> Result<Words> {
    let Some(query) = prefix_query(text) else {
        return Ok(Words::Nothing);
    };
    let ids: Vec<i64> = team
        .client()
        .query("SELECT callback_desk.audit_words_match($1, $2)", &[&query, &(FEW_MATCHES as i32 + 1)])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(if ids.len() as i64 > FEW_MATCHES { Words::Common(query) } else { Words::Among(ids) })
}

/// The `limit` newest rows older than `before_id` (all rows when none) that match `filter`.
pub async fn page(team: &Team, filter: &TrailFilter, before_id: Option<i64>, limit: i64) -> Result<TrailPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut sql = String::from(
        "SELECT id, member, callback_desk.epoch_us(at) / 1000, account_id, account_label, provider,
                environment, kind, operation, scope, outcome, http_status, error_code, duration_ms
         FROM callback_desk.audit WHERE true",
    );
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let mut and = |sql: &mut String, clause: &str, value: Box<dyn ToSql + Sync + Send>| {
        params.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(id) = before_id {
        and(&mut sql, " AND id < ?", Box::new(id));
    }
    if let Some(v) = &filter.member {
        and(&mut sql, " AND member = ?", Box::new(v.clone()));
    }
    if let Some(v) = filter.account_id {
        and(&mut sql, " AND account_id = ?", Box::new(v));
    }
    if let Some(v) = &filter.provider {
        and(&mut sql, " AND provider = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.operation {
        and(&mut sql, " AND operation = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.outcome {
        and(&mut sql, " AND outcome = ?", Box::new(v.clone()));
    }
    if let Some(ms) = filter.from_ms {
        and(&mut sql, " AND at >= ?", Box::new(time(ms)));
    }
    if let Some(ms) = filter.to_ms {
        and(&mut sql, " AND at < ?", Box::new(time(ms)));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        match words_match(team, text).await? {
            Words::Nothing => return Ok(TrailPage { rows: Vec::new(), next_before_id: None }),
            Words::Among(ids) => and(&mut sql, " AND id = ANY(?)", Box::new(ids)),
            Words::Common(query) => {
                and(&mut sql, &format!(" AND {WORDS} @@ to_tsquery('simple'::regconfig, ?)"), Box::new(query))
            }
        }
    }
    // One more than asked: whether an older page exists.
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
    let found = team.client().query(&sql, &refs).await.map_err(db_error)?;
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
