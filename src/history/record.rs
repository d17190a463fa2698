//! Writing history rows: [`History::begin`] before a request leaves (durably), [`History::finish`] when it
//! ended, the process each row belongs to, crash recovery of the rows of processes that are gone, and
//! retention (the only way rows leave the history).

use super::{Finish, History, NewEntry, Outcome, RecordedRequest, RecordedResponse, CHUNK};
use crate::db::{storage_error, write_transaction};
use crate::error::{Error, ErrorCode, Result};
use crate::logging::{scrub, Scrubber};
use crate::process::ProcessId;
use rusqlite::{params, Connection};
use serde_json::Value;

/// How long a pending row of another process is left alone where processes cannot be asked whether they
/// run (not Unix): longer than any action takes (each request is bounded by the transport's timeouts).
pub const UNCHECKABLE_OWNER_MS: i64 = 60 * 60 * 1000;

impl History {
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
        let result = insert_entry(&mut conn, now, self.owner, &entry, &request_json);
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
        let tx = write_transaction(&mut conn)?;
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

    /// Crash recovery, whenever the store is opened (by the app or the CLI, also while another process
    /// works on the same data folder): every row still `pending` whose process is gone becomes `unknown`
    /// with the error `history.interrupted`. A process is gone when its id no longer exists or belongs to
    /// a process that started at another moment ([`ProcessId::is_running`]); rows written by versions
    /// that did not record their process count as gone. Where other processes cannot be asked (not Unix),
    /// another process's row is left pending for [`UNCHECKABLE_OWNER_MS`] after it was begun. Returns how
    /// many rows changed.
    pub fn mark_stale_pending_unknown(&self) -> Result<u64> {
        let error = Error::new(ErrorCode::HistoryInterrupted).detail(
            "Callback Desk stopped while this request was in flight; the provider may or may not have acted on it",
        );
        let params_json = Value::Object(error.params.clone()).to_string();
        let now = self.clock.now_ms();
        let conn = self.db.conn();
        let owners: Vec<(Option<i64>, Option<i64>)> = {
            let mut s = conn
                .prepare_cached(
                    "SELECT DISTINCT owner_pid, owner_started FROM history
                     WHERE outcome = 'pending'",
                )
                .map_err(storage_error)?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(storage_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(storage_error)?
        };
        let mut n = 0;
        for (pid, started) in owners {
            // Rows begun before `cutoff` are recovered.
            let cutoff = match pid.map(|pid| ProcessId { pid, started }.is_running()) {
                None | Some(Some(false)) => i64::MAX,
                Some(Some(true)) => continue,
                Some(None) => now - UNCHECKABLE_OWNER_MS,
            };
            n += conn
                .prepare_cached(
                    "UPDATE history SET outcome = 'unknown', finished_at_ms = ?4, error_code = ?5,
                        error_params = ?6, error_detail = ?7
                     WHERE outcome = 'pending' AND owner_pid IS ?1 AND owner_started IS ?2 AND created_at_ms < ?3",
                )
                .and_then(|mut s| {
                    s.execute(params![pid, started, cutoff, now, error.code.as_str(), params_json, error.detail])
                })
                .map_err(storage_error)?;
        }
        Ok(n as u64)
    }

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

fn insert_entry(conn: &mut Connection, now: i64, owner: ProcessId, e: &NewEntry, request_json: &str) -> Result<i64> {
    let tx = write_transaction(conn)?;
    tx.prepare_cached(
        "INSERT INTO history (job_id, created_at_ms, account_id, account_label, provider, environment,
            operation, scope, search_text, outcome, owner_pid, owner_started)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11)",
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
            owner.pid,
            owner.started,
        ])
    })
    .map_err(storage_error)?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO history_payload (history_id, request) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, request_json]))
        .map_err(storage_error)?;
    // In a team workspace the row also waits in the outbox for the team's audit trail (src/team/outbox.rs):
    // in this transaction, so no action is ever missing from the trail.
    tx.prepare_cached(
        "INSERT INTO team_outbox (history_id, queued_at) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM team_workspace)",
    )
    .and_then(|mut s| s.execute(params![id, now]))
    .map_err(storage_error)?;
    tx.commit().map_err(storage_error)?;
    Ok(id)
}

/// The request as stored: redacted again by the engine (credential headers and fields masked, registered
/// secrets scrubbed), whatever the caller did before.
fn redact_request(r: RecordedRequest) -> RecordedRequest {
    let (redactor, scrubber) = (crate::providers::redactor(), Scrubber::now());
    RecordedRequest {
        method: r.method,
        url: scrubber.scrub(&r.url).into_owned(),
        headers: redactor.headers(&scrubber, &r.headers),
        body: redactor.body(&scrubber, &r.body).into_owned(),
    }
}

/// The response as stored, redacted again like [`redact_request`].
fn redact_response(r: RecordedResponse) -> RecordedResponse {
    let (redactor, scrubber) = (crate::providers::redactor(), Scrubber::now());
    RecordedResponse {
        status: r.status,
        headers: redactor.headers(&scrubber, &r.headers),
        body: redactor.body(&scrubber, &r.body).into_owned(),
        elapsed_ms: r.elapsed_ms,
    }
}
