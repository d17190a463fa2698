//! The outbox from the local journal to the team's audit trail.
//!
//! In a workspace, every local history row gets an outbox row in the same SQLite transaction that inserts
//! it (`history::record::insert_entry`), so nothing done here can miss the trail. [`push`] sends the rows
//! whose action has finished (the local outcome is final) oldest first, and marks each pushed after the
//! team database has it. A process killed in between pushes that row again later, and the trail's unique
//! origin makes the second push find the first row: nothing lost, nothing twice.

use super::audit::{self, AuditEntry};
use super::{Team, TeamConfig};
use crate::clock::Clock;
use crate::db::{storage_error, Db};
use crate::error::Result;
use crate::vault::Vault;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// At most this many rows per round trip of [`push`]'s loop.
const BATCH: i64 = 200;

/// The trail's origin of a local history row: member / installation (when it joined) / row id.
pub fn origin(config: &TeamConfig, history_id: i64) -> String {
    format!("{}/{}/{}", config.member, config.joined_at_ms, history_id)
}

/// Pushes every finished action not yet in the trail; returns how many were pushed. Stops at the first
/// failure (the rest stay queued for the next push).
pub async fn push(db: &Db, team: &Team, now_ms: i64) -> Result<usize> {
    let mut pushed = 0;
    loop {
        let batch = queued(db, team.config())?;
        if batch.is_empty() {
            return Ok(pushed);
        }
        for (history_id, entry) in batch {
            let audit_id = audit::append(team, &entry).await?;
            db.conn()
                .execute(
                    "UPDATE team_outbox SET pushed_at = ?2, audit_id = ?3 WHERE history_id = ?1",
                    rusqlite::params![history_id, now_ms, audit_id],
                )
                .map_err(storage_error)?;
            pushed += 1;
        }
    }
}

/// After an action, on the connection that admitted it: pushes (see [`push`]); a failure is logged and
/// leaves the rows queued for the next push.
pub async fn push_after_action(db: &Db, team: &Team, now_ms: i64) {
    if let Err(e) = push(db, team, now_ms).await {
        tracing::warn!(error = %e, "the team's audit trail could not be reached; the action stays queued");
    }
}

/// In a workspace, connects and pushes (see [`push`]); outside one, nothing.
pub async fn push_now(vault: &Vault, clock: &dyn Clock) -> Result<usize> {
    if TeamConfig::load(vault.db())?.is_none() {
        return Ok(0);
    }
    let team = Team::open(vault).await?;
    push(vault.db(), &team, clock.now_ms()).await
}

/// Pushes every `every` until the returned task is aborted, so the actions of a long bulk job reach the
/// trail while it runs; a failed round (offline) is logged and the next one tries again.
pub fn push_in_background(vault: Arc<Vault>, clock: Arc<dyn Clock>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = push_now(&vault, clock.as_ref()).await {
                tracing::warn!(error = %e, "the team's audit trail could not be reached; actions stay queued");
            }
        }
    })
}

/// The next queued rows whose action has finished, as trail entries.
fn queued(db: &Db, config: &TeamConfig) -> Result<Vec<(i64, AuditEntry)>> {
    let conn = db.conn();
    let mut stmt = conn
        .prepare_cached(
            "SELECT h.id, h.created_at_ms, h.account_label, h.provider, h.environment, h.operation, h.scope,
                    h.outcome, h.http_status, h.error_code, h.duration_ms, h.job_id, h.provider_code,
                    h.error_params, p.request, p.response, a.team_account_id
               FROM team_outbox o JOIN history h ON h.id = o.history_id
               LEFT JOIN history_payload p ON p.history_id = h.id
               LEFT JOIN accounts a ON a.id = h.account_id
              WHERE o.pushed_at IS NULL AND h.outcome <> 'pending'
              ORDER BY o.history_id LIMIT ?1",
        )
        .map_err(storage_error)?;
    let rows = stmt
        .query_map([BATCH], |r| {
            let id: i64 = r.get(0)?;
            let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
            let payload = json!({
                "job_id": r.get::<_, Option<i64>>(11)?,
                "provider_code": r.get::<_, Option<String>>(12)?,
                "error_params": parse(r.get(13)?),
                "request": parse(r.get(14)?),
                "response": parse(r.get(15)?),
            });
            Ok((
                id,
                AuditEntry {
                    origin: origin(config, id),
                    at_ms: r.get(1)?,
                    // A shared account's row names it (its id in the team database).
                    account_id: r.get(16)?,
                    account_label: r.get(2)?,
                    provider: r.get(3)?,
                    environment: r.get(4)?,
                    kind: "action".to_owned(),
                    operation: r.get(5)?,
                    scope: r.get(6)?,
                    outcome: r.get(7)?,
                    http_status: r.get(8)?,
                    error_code: r.get(9)?,
                    duration_ms: r.get(10)?,
                    payload: Some(payload),
                },
            ))
        })
        .map_err(storage_error)?;
    rows.collect::<std::result::Result<_, _>>().map_err(storage_error)
}

/// How many local rows wait for the trail (finished or not).
pub fn waiting(db: &Db) -> Result<i64> {
    db.conn()
        .query_row("SELECT count(*) FROM team_outbox WHERE pushed_at IS NULL", [], |r| r.get(0))
        .map_err(storage_error)
}

/// The member of each of `ids` that went to the team's trail (rows written before the installation joined
/// a workspace have none).
pub fn members_of(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let Some(config) = TeamConfig::load(db)? else { return Ok(HashMap::new()) };
    let conn = db.conn();
    let mut stmt = conn.prepare_cached("SELECT 1 FROM team_outbox WHERE history_id = ?1").map_err(storage_error)?;
    let mut out = HashMap::new();
    for &id in ids {
        if stmt.exists([id]).map_err(storage_error)? {
            out.insert(id, config.member.clone());
        }
    }
    Ok(out)
}
