//! Running a bulk job: the calls one at a time through [`Actions::run`](crate::actions::Actions::run),
//! each when the account's budget allows it (waiting with a [`Sleeper`]), counted before the next one
//! starts; pause and cancel from elsewhere ([`JobControl`]); progress reports.

use super::lease::{already_running, JobLease};
use super::plan::PlanRequest;
use super::shared::TeamRun;
use super::{JobProgress, JobState, JobView, Jobs};
use crate::actions::{ActionRequest, JobCall};
use crate::clock::{Clock, FixedClock};
use crate::db::{storage_error, write_transaction};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::BudgetKey;
use crate::providers::OutcomeKind;
use crate::results::CallEnd;
use crate::team::approvals::JobPlan;
use crate::transport::Transport;
use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// How often one call is retried after the provider answered with a rate or daily limit.
pub const MAX_LIMIT_RETRIES: u32 = 8;

/// Pause or cancel a running job from elsewhere (UI button, Ctrl-C). Clones share the request.
#[derive(Clone, Default)]
pub struct JobControl {
    flag: Arc<AtomicU8>,
    notify: Arc<tokio::sync::Notify>,
}

const RUN: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;

impl JobControl {
    pub fn new() -> Self {
        JobControl::default()
    }

    /// Stop after the call in flight; the job stays resumable as `paused`.
    pub fn pause(&self) {
        let _ = self.flag.compare_exchange(RUN, PAUSE, Ordering::SeqCst, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Stop after the call in flight; the job becomes `cancelled` (it can still be resumed on purpose).
    pub fn cancel(&self) {
        self.flag.store(CANCEL, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// What was requested, if anything.
    pub fn requested(&self) -> Option<JobState> {
        match self.flag.load(Ordering::SeqCst) {
            PAUSE => Some(JobState::Paused),
            CANCEL => Some(JobState::Cancelled),
            _ => None,
        }
    }

    /// Resolves once a pause or cancel is requested.
    pub async fn stopped(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.requested().is_some() {
                return;
            }
            notified.await;
        }
    }
}

/// Waits until a moment of the job's clock. Tests move a fake clock instead of waiting.
pub trait Sleeper: Send + Sync {
    fn sleep_until(&self, at_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Real waiting against a clock (the app and the CLI).
pub struct SystemSleeper {
    pub clock: Arc<dyn Clock>,
}

impl Sleeper for SystemSleeper {
    fn sleep_until(&self, at_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let wait = (at_ms - self.clock.now_ms()).max(0) as u64;
        Box::pin(tokio::time::sleep(std::time::Duration::from_millis(wait)))
    }
}

/// Moves a [`FixedClock`] forward to the moment instead of waiting (tests, simulations).
pub struct FixedClockSleeper {
    pub clock: FixedClock,
}

impl Sleeper for FixedClockSleeper {
    fn sleep_until(&self, at_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        if at_ms > self.clock.now_ms() {
            self.clock.set_ms(at_ms);
        }
        Box::pin(tokio::task::yield_now())
    }
}

impl Jobs {
    /// Marks call `index` in flight, only while this runner still holds the job's lease (it may have
    /// been taken over after this process stood still for longer than [`LEASE_STALE_MS`](super::LEASE_STALE_MS)).
    fn mark_in_flight(&self, lease: &JobLease, index: u64) -> Result<()> {
        let conn = self.db.conn();
        let n = conn
            .execute(
                "UPDATE jobs SET in_flight = ?2, updated_at_ms = ?3
                 WHERE id = ?1 AND EXISTS (SELECT 1 FROM job_leases WHERE job_id = ?1 AND owner = ?4)",
                params![lease.job_id, index as i64, self.clock.now_ms(), lease.owner],
            )
            .map_err(storage_error)?;
        if n == 0 {
            let pid: i64 = conn
                .query_row("SELECT pid FROM job_leases WHERE job_id = ?1", [lease.job_id], |r| r.get(0))
                .optional()
                .map_err(storage_error)?
                .unwrap_or(0);
            return Err(already_running(lease.job_id, pid).detail("another runner took this job over"));
        }
        Ok(())
    }

    /// Finishes the call in flight: records what it came to, counts it and, unless it is to be tried
    /// again, moves on.
    fn finish_call(&self, id: i64, index: u64, outcome: Finished, record: &CallEnd) -> Result<()> {
        let (ok, failed, unknown, throttled, advance) = match outcome {
            Finished::Ok => (1, 0, 0, 0, true),
            Finished::Failed => (0, 1, 0, 0, true),
            Finished::Unknown => (0, 0, 1, 0, true),
            Finished::Retry => (0, 0, 0, 1, false),
        };
        let next = if advance { index as i64 + 1 } else { index as i64 };
        let err = record.error.as_ref().map(|e| e.to_string());
        let now = self.clock.now_ms();
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        tx.execute(
            "INSERT INTO job_calls (job_id, idx, history_id, outcome, http_status, provider_code, error, finished_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (job_id, idx) DO UPDATE SET history_id = excluded.history_id, outcome = excluded.outcome,
                http_status = excluded.http_status, provider_code = excluded.provider_code, error = excluded.error,
                attempts = attempts + 1, finished_at_ms = excluded.finished_at_ms",
            params![
                id,
                index as i64,
                record.history_id,
                record.outcome,
                record.http_status,
                record.provider_code,
                err,
                now
            ],
        )
        .map_err(storage_error)?;
        tx.execute(
            "UPDATE jobs SET in_flight = NULL, next_index = ?2, ok = ok + ?3, failed = failed + ?4,
                unknown = unknown + ?5, throttled = throttled + ?6, last_error = COALESCE(?7, last_error),
                updated_at_ms = ?8
             WHERE id = ?1",
            params![id, next, ok, failed, unknown, throttled, err, now],
        )
        .map_err(storage_error)?;
        tx.commit().map_err(storage_error)?;
        Ok(())
    }

    fn progress_of(&self, job: &JobView, eta: (i64, i64), waiting_until_ms: Option<i64>) -> JobProgress {
        JobProgress::of(job, eta.0, waiting_until_ms).estimated_at(eta.1)
    }

    /// Cancels a job nobody is running (paused, interrupted, or left `running` by a runner that is gone)
    /// without sending anything: the lease is taken for the moment of the change, so a job another
    /// runner holds is refused with `job.already_running`. A finished job stays `done`.
    pub fn cancel_stopped(&self, id: i64) -> Result<JobView> {
        let lease = self.claim(id)?;
        if self.get(id)?.state != JobState::Done {
            self.set_state(id, JobState::Cancelled, None)?;
        }
        drop(lease);
        self.get(id)
    }

    /// Plans, stores and runs a bulk request.
    pub async fn start(
        &self,
        req: &PlanRequest,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        sleeper: &dyn Sleeper,
        control: &JobControl,
        progress: &mut (dyn FnMut(&JobProgress) + Send),
    ) -> Result<JobView> {
        let plan = self.plan(req)?;
        let id = self.create(&plan)?;
        self.run(id, sandbox_root, transport, sleeper, control, progress).await
    }

    /// Runs (or resumes) job `id` from its next call until it is done, paused or cancelled. Each call
    /// waits until the account's budget allows it (`sleeper`), is recorded in history with the job's
    /// id, and is counted in the job row before the next one starts. A `done` job returns at once; a job
    /// another runner holds is refused with `job.already_running` ([`Jobs::claim`]).
    pub async fn run(
        &self,
        id: i64,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        sleeper: &dyn Sleeper,
        control: &JobControl,
        progress: &mut (dyn FnMut(&JobProgress) + Send),
    ) -> Result<JobView> {
        let job = self.get(id)?;
        if job.state == JobState::Done {
            return Ok(job);
        }
        let lease = self.claim(id)?;
        self.run_claimed(lease, sandbox_root, transport, sleeper, control, progress).await
    }

    /// [`Jobs::run`] with the lease already taken (the app claims before it answers the window, so a
    /// refusal reaches the user).
    pub async fn run_claimed(
        &self,
        lease: JobLease,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        sleeper: &dyn Sleeper,
        control: &JobControl,
        progress: &mut (dyn FnMut(&JobProgress) + Send),
    ) -> Result<JobView> {
        let id = lease.job_id;
        let _heartbeat = self.heartbeat(&lease);
        let job = self.get(id)?;
        if job.state == JobState::Done {
            return Ok(job);
        }
        let plan = self.plan_of(id)?;
        // On a shared account of a workspace: leased in the team database too (nothing was sent yet).
        let team = match self.join_team(id, &plan).await {
            Ok(team) => team,
            Err(e) => {
                self.set_state(id, JobState::Paused, Some(&e))?;
                return Err(e);
            }
        };
        let _team_heartbeat = team.as_ref().map(TeamRun::heartbeat);
        let result =
            self.run_calls(&lease, plan, team.as_ref(), sandbox_root, transport, sleeper, control, progress).await;
        if let Some(run) = &team {
            // Where the job stopped, for every member; the lease released (a job left running by an error
            // here is interrupted there, its call in flight kept).
            let state = match self.get(id).map(|j| j.state) {
                Ok(JobState::Running) | Err(_) => JobState::Interrupted,
                Ok(state) => state,
            };
            if let Err(e) = self.record_in_team(run, id, state).await {
                tracing::warn!(job = id, error = %e, "could not record the job's end in the team database; its lease expires by itself");
            }
        }
        result
    }

    /// The calls of job `id` from its next one (see [`Jobs::run`]); `team` when it is leased in the team
    /// database, where each call is recorded in flight before it leaves and counted after.
    #[allow(clippy::too_many_arguments)]
    async fn run_calls(
        &self,
        lease: &JobLease,
        plan: super::Plan,
        team: Option<&TeamRun>,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        sleeper: &dyn Sleeper,
        control: &JobControl,
        progress: &mut (dyn FnMut(&JobProgress) + Send),
    ) -> Result<JobView> {
        let id = lease.job_id;
        let signing = self.actions.accounts.signing_account(plan.account_id, sandbox_root);
        // The job's whole plan, as a team approval binds it (one approval for every call).
        let approved_as = signing.and_then(|(view, account)| {
            let op = crate::providers::operation_descriptor(&account, &plan.operation)?;
            let calls: Vec<&_> = plan.calls.iter().map(|c| &c.params).collect();
            let (made, now) = (self.get(id)?.created_at_ms, self.clock.now_ms());
            let key = BudgetKey::of_view(&view, &plan.operation);
            Ok((key, JobPlan::of(id, made, view.environment, &op, &calls, now)))
        });
        let (key, job_plan) = match approved_as {
            Ok(found) => found,
            Err(e) => {
                // Nothing was sent: the job waits, paused, with the reason (no keyring, account deleted…).
                self.set_state(id, JobState::Paused, Some(&e))?;
                return Err(e);
            }
        };
        let job_call = JobCall { id, plan: &job_plan };
        let op = plan.operation.clone();
        let total = plan.calls.len() as u64;
        let stride = (total / 200).max(1);
        // The estimate (seconds left) and when it was worked out.
        let mut eta = (0, self.clock.now_ms());
        let mut estimated = false;
        let mut retries = 0u32;
        loop {
            let job = self.get(id)?;
            let index = job.next_index;
            if index >= total {
                self.set_state(id, JobState::Done, None)?;
                let job = self.get(id)?;
                progress(&self.progress_of(&job, (0, self.clock.now_ms()), None));
                return Ok(job);
            }
            if let Some(state) = control.requested() {
                self.set_state(id, state, None)?;
                let job = self.get(id)?;
                progress(&self.progress_of(&job, eta, None));
                return Ok(job);
            }
            let now = self.clock.now_ms();
            // Worked out at the start of a run (a resumed job's too), then every `stride` calls.
            if !estimated || index % stride == 0 || total - index <= 200 || retries > 0 {
                eta = self.estimate(key, now, (total - index) as usize).map(|(s, _)| (s, now)).unwrap_or(eta);
                estimated = true;
            }
            let at = self.limits.next_allowed_at(key, now)?;
            if at == i64::MAX {
                let e = Error::new(ErrorCode::BudgetExhausted);
                self.set_state(id, JobState::Paused, Some(&e))?;
                return Err(e);
            }
            if at > now {
                progress(&self.progress_of(&job, eta, Some(at)));
                tokio::select! {
                    _ = sleeper.sleep_until(at) => {}
                    _ = control.stopped() => {}
                }
                // Check the budget (and the control) again: time moved, other calls may have gone out.
                continue;
            }
            let call = &plan.calls[index as usize];
            let req = ActionRequest { account_id: plan.account_id, operation: op.clone(), params: call.params.clone() };
            if let Some(run) = team {
                // Unreachable, or the lease lost: nothing leaves, nothing is in flight.
                if let Err(e) = self.in_flight_in_team(run, id, index).await {
                    self.set_state(id, JobState::Paused, Some(&e))?;
                    return Err(e);
                }
            }
            self.mark_in_flight(lease, index)?;
            let result = self.actions.run(&req, sandbox_root, transport, Some(&job_call)).await;
            if let Err(e) = &result {
                if matches!(e.code, ErrorCode::BudgetWait | ErrorCode::BudgetExhausted) {
                    // Another process took the slot between the check above and the reservation: nothing
                    // was sent or recorded; the call stays next and waits for the budget again.
                    self.db
                        .conn()
                        .execute("UPDATE jobs SET in_flight = NULL WHERE id = ?1", [id])
                        .map_err(storage_error)?;
                    if let Some(run) = team {
                        self.record_in_team(run, id, JobState::Running).await?;
                    }
                    let at = e.params.get("next_allowed_at_ms").and_then(Value::as_i64);
                    let Some(at) = at.filter(|_| e.code == ErrorCode::BudgetWait) else {
                        self.set_state(id, JobState::Paused, Some(e))?;
                        return Err(e.clone());
                    };
                    progress(&self.progress_of(&job, eta, Some(at)));
                    tokio::select! {
                        _ = sleeper.sleep_until(at) => {}
                        _ = control.stopped() => {}
                    }
                    continue;
                }
            }
            match result {
                Ok(r) => {
                    let limited = matches!(
                        r.error.as_ref().map(|e| e.code),
                        Some(ErrorCode::ProviderRateLimited | ErrorCode::ProviderDailyLimit)
                    );
                    let finished = match r.outcome {
                        OutcomeKind::Ok => Finished::Ok,
                        OutcomeKind::Failed if limited && retries < MAX_LIMIT_RETRIES => Finished::Retry,
                        OutcomeKind::Failed => Finished::Failed,
                        OutcomeKind::Unknown => Finished::Unknown,
                    };
                    retries = if finished == Finished::Retry { retries + 1 } else { 0 };
                    self.finish_call(id, index, finished, &CallEnd::of(&r))?;
                }
                Err(e)
                    if matches!(
                        e.code,
                        ErrorCode::InputInvalid
                            | ErrorCode::InputMissing
                            | ErrorCode::InputWindowTooLarge
                            | ErrorCode::InputUnknownOperation
                    ) =>
                {
                    // Refused before anything was sent.
                    retries = 0;
                    self.finish_call(id, index, Finished::Failed, &CallEnd::refused(&e))?;
                }
                Err(e) => {
                    // Stop: the call may or may not have left (a storage failure after sending). Leaving
                    // it in flight makes the next start count it unknown instead of sending it again.
                    let sent_nothing = matches!(
                        e.code,
                        ErrorCode::VaultKeyringUnavailable
                            | ErrorCode::VaultSecretMissing
                            | ErrorCode::VaultMasterKeyLost
                            | ErrorCode::NetworkConnectionFailed
                    ) || refused_by_the_team(e.code);
                    if sent_nothing {
                        self.db
                            .conn()
                            .execute("UPDATE jobs SET in_flight = NULL WHERE id = ?1", [id])
                            .map_err(storage_error)?;
                        self.set_state(id, JobState::Paused, Some(&e))?;
                    }
                    return Err(e);
                }
            }
            if let Some(run) = team {
                if let Err(e) = self.record_in_team(run, id, JobState::Running).await {
                    self.set_state(id, JobState::Paused, Some(&e))?;
                    return Err(e);
                }
            }
            let job = self.get(id)?;
            progress(&self.progress_of(&job, eta, None));
        }
    }
}

/// In a team workspace the team database admits each call before anything is sent (`team::admit`): its
/// refusals (an unreachable database, a missing role, an approval not given) all come before the request.
fn refused_by_the_team(code: ErrorCode) -> bool {
    matches!(code.as_str().split('.').next(), Some("team" | "approval"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    Ok,
    Failed,
    Unknown,
    Retry,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn control_wakes_a_sleeping_runner() {
        let c = JobControl::new();
        let c2 = c.clone();
        let waiter = tokio::spawn(async move { c2.stopped().await });
        tokio::task::yield_now().await;
        c.pause();
        waiter.await.unwrap();
        assert_eq!(c.requested(), Some(JobState::Paused));
        c.cancel();
        assert_eq!(c.requested(), Some(JobState::Cancelled));
        c.pause();
        assert_eq!(c.requested(), Some(JobState::Cancelled), "cancel wins");
    }
}
