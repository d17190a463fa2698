//! Who runs a job: one runner at a time holds its lease (a row in `job_leases`, taken in a transaction
//! by [`Jobs::claim`] and renewed by a heartbeat while the job runs); a lease whose heartbeat stopped, or
//! whose process is gone ([`pid_alive`](crate::process::pid_alive)), no longer protects its job, and
//! jobs left `running` by such runners are recovered as `interrupted` ([`Jobs::mark_interrupted`]).

use super::{JobState, Jobs};
use crate::db::{storage_error, write_transaction, Db};
use crate::error::{Error, ErrorCode, Result};
use rusqlite::{params, OptionalExtension};

/// A runner's lease without a heartbeat for this long is stale and may be taken over.
pub const LEASE_STALE_MS: i64 = 30_000;
/// How often a running job's lease is renewed.
pub const HEARTBEAT_MS: u64 = 5_000;

/// Whether a lease still protects its job: renewed within [`LEASE_STALE_MS`] by a process that exists.
pub(super) fn lease_is_live(pid: i64, heartbeat_ms: i64, now_ms: i64) -> bool {
    heartbeat_ms > now_ms - LEASE_STALE_MS && (pid == i64::from(std::process::id()) || crate::process::pid_alive(pid))
}

pub(super) fn already_running(job_id: i64, pid: i64) -> Error {
    Error::new(ErrorCode::JobAlreadyRunning).with("job_id", job_id).with("pid", pid)
}

/// The right to run one job, held by one runner at a time (a row in `job_leases`, taken in a
/// transaction by [`Jobs::claim`]). Dropping it gives the job up.
pub struct JobLease {
    db: Db,
    pub(super) job_id: i64,
    pub(super) owner: String,
}

impl JobLease {
    pub fn job_id(&self) -> i64 {
        self.job_id
    }
}

impl Drop for JobLease {
    fn drop(&mut self) {
        let r = self
            .db
            .conn()
            .execute("DELETE FROM job_leases WHERE job_id = ?1 AND owner = ?2", params![self.job_id, self.owner]);
        if let Err(e) = r {
            tracing::warn!(job = self.job_id, error = %e, "could not release the job's lease; it expires by itself");
        }
    }
}

/// Renews a lease every [`HEARTBEAT_MS`] while a job runs (also while it waits for a budget or for a
/// slow answer); stops when dropped.
pub(super) struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Jobs {
    /// Recovery of jobs whose runner is gone (run by `Store::open` before anything is sent, and by
    /// [`Jobs::list`]): every job still `running` without a live lease (see [`Jobs::claim`]) was stopped by
    /// an exit and becomes `interrupted`; a call that was in flight is counted `unknown` and not sent
    /// again. A job another process is running (its lease is renewed) is left alone. Returns how many
    /// jobs changed.
    pub fn mark_interrupted(&self) -> Result<u64> {
        let now = self.clock.now_ms();
        let mut conn = self.db.conn();
        let candidates: Vec<(i64, Option<i64>, Option<i64>)> = {
            let mut s = conn
                .prepare_cached(
                    "SELECT j.id, l.pid, l.heartbeat_ms FROM jobs j LEFT JOIN job_leases l ON l.job_id = j.id
                     WHERE j.state = 'running'",
                )
                .map_err(storage_error)?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(storage_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(storage_error)?
        };
        let mut n = 0;
        for (id, pid, heartbeat) in candidates {
            if let (Some(pid), Some(hb)) = (pid, heartbeat) {
                if lease_is_live(pid, hb, now) {
                    continue;
                }
            }
            let tx = write_transaction(&mut conn)?;
            // Checked again inside the transaction: another runner may have claimed it meanwhile.
            let live: bool = tx
                .query_row("SELECT pid, heartbeat_ms FROM job_leases WHERE job_id = ?1", [id], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()
                .map_err(storage_error)?
                .is_some_and(|(pid, hb)| lease_is_live(pid, hb, now));
            if !live {
                tx.execute("DELETE FROM job_leases WHERE job_id = ?1", [id]).map_err(storage_error)?;
                n += recover_in(&tx, id, now)?;
            }
            tx.commit().map_err(storage_error)?;
        }
        Ok(n)
    }

    /// Takes job `id` for this runner: in one transaction, refuses with `job.already_running` when
    /// another runner's lease is live (renewed within [`LEASE_STALE_MS`] by a process that exists), else
    /// takes the lease over, recovers the job if a dead runner left it `running`, and marks it `running`.
    pub fn claim(&self, id: i64) -> Result<JobLease> {
        let now = self.clock.now_ms();
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        let state: Option<String> = tx
            .query_row("SELECT state FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(storage_error)?;
        let state = state
            .ok_or_else(|| Error::new(ErrorCode::InputInvalid).with("field", "job_id").with("reason", "not_found"))?;
        let held: Option<(i64, i64)> = tx
            .query_row("SELECT pid, heartbeat_ms FROM job_leases WHERE job_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(storage_error)?;
        if let Some((pid, hb)) = held {
            if lease_is_live(pid, hb, now) {
                return Err(already_running(id, pid));
            }
            tracing::warn!(job = id, pid, "taking over the stale lease of a runner that is gone");
        }
        if state == JobState::Running.as_str() {
            recover_in(&tx, id, now)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO job_leases (job_id, owner, pid, heartbeat_ms, taken_at_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, self.owner, i64::from(std::process::id()), now],
        )
        .map_err(storage_error)?;
        if state != JobState::Done.as_str() {
            tx.execute("UPDATE jobs SET state = 'running', updated_at_ms = ?2 WHERE id = ?1", params![id, now])
                .map_err(storage_error)?;
        }
        tx.commit().map_err(storage_error)?;
        Ok(JobLease { db: self.db.clone(), job_id: id, owner: self.owner.clone() })
    }

    pub(super) fn heartbeat(&self, lease: &JobLease) -> Option<Heartbeat> {
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let (db, clock, id, owner) = (self.db.clone(), self.clock.clone(), lease.job_id, lease.owner.clone());
        Some(Heartbeat(handle.spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(HEARTBEAT_MS));
            tick.tick().await;
            loop {
                tick.tick().await;
                let r = db.conn().execute(
                    "UPDATE job_leases SET heartbeat_ms = ?3 WHERE job_id = ?1 AND owner = ?2",
                    params![id, owner, clock.now_ms()],
                );
                if let Err(e) = r {
                    tracing::warn!(job = id, error = %e, "could not renew the job's lease");
                }
            }
        })))
    }
}

/// Recovers one job left `running` by a runner that is gone (inside the caller's transaction): it
/// becomes `interrupted`. A call that was in flight and had begun its history row (written, and made
/// durable, before a request leaves) may have reached the provider: it is counted `unknown`, recorded
/// as such with that row, and not sent again. A call marked in flight whose history row was never
/// written never left (the runner stopped between the two): it stays the job's next call and is sent on
/// resume. Returns 1 when the job changed.
fn recover_in(tx: &rusqlite::Transaction<'_>, id: i64, now: i64) -> Result<u64> {
    let error = Error::new(ErrorCode::HistoryInterrupted)
        .detail("Callback Desk stopped while this job ran; a call in flight is counted unknown and not sent again");
    let err = serde_json::to_string(&error).map_err(storage_error)?;
    let in_flight: Option<i64> = tx
        .query_row("SELECT in_flight FROM jobs WHERE id = ?1 AND state = 'running'", [id], |r| r.get(0))
        .optional()
        .map_err(storage_error)?
        .flatten();
    // The history row of the call in flight, if it was begun: the job's newest row after every
    // recorded call's (a call tried again after a rate limit has its earlier attempt's row there).
    let begun: Option<i64> = match in_flight {
        None => None,
        Some(_) => tx
            .query_row(
                "SELECT max(h.id) FROM history h WHERE h.job_id = ?1
                   AND h.id > coalesce((SELECT max(history_id) FROM job_calls WHERE job_id = ?1), 0)",
                [id],
                |r| r.get(0),
            )
            .map_err(storage_error)?,
    };
    if in_flight.is_some() && begun.is_none() {
        // Nothing left for that call: it is sent on resume, like any call not yet made.
        let n = tx
            .execute(
                "UPDATE jobs SET state = 'interrupted', updated_at_ms = ?2, in_flight = NULL
                 WHERE id = ?1 AND state = 'running'",
                params![id, now],
            )
            .map_err(storage_error)?;
        return Ok(n as u64);
    }
    if let Some(index) = in_flight {
        tx.execute(
            "INSERT INTO job_calls (job_id, idx, history_id, outcome, error, finished_at_ms)
             VALUES (?1, ?2, ?3, 'unknown', ?4, ?5)
             ON CONFLICT (job_id, idx) DO UPDATE SET history_id = coalesce(excluded.history_id, history_id),
                outcome = 'unknown', error = excluded.error, finished_at_ms = excluded.finished_at_ms",
            params![id, index, begun, err, now],
        )
        .map_err(storage_error)?;
    }
    let n = tx
        .execute(
            "UPDATE jobs SET state = 'interrupted', updated_at_ms = ?2,
                unknown = unknown + (in_flight IS NOT NULL),
                next_index = CASE WHEN in_flight IS NOT NULL THEN MAX(next_index, in_flight + 1) ELSE next_index END,
                last_error = CASE WHEN in_flight IS NOT NULL THEN ?3 ELSE last_error END,
                in_flight = NULL
             WHERE id = ?1 AND state = 'running'",
            params![id, now, err],
        )
        .map_err(storage_error)?;
    Ok(n as u64)
}
