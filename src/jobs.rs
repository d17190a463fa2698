//! Bulk jobs: "resend everything since T" (or a long list of ids) as a plan of single calls, run within
//! the providers' rate budgets, persisted so that closing the app loses nothing.
//!
//! * [`split`] (pure) turns a bulk request into the exact params of each call, in order: each provider
//!   splits its own bulk operations ([`ProviderAccount::split`](crate::providers::ProviderAccount::split):
//!   time windows, lists of ids, one call per event type); anything else is the operation's own calls.
//!   Times are checked and the number of calls capped before any call is built.
//! * [`Jobs::plan`] adds the estimate from the account's budgets ([`crate::limits`]): when the last call
//!   can go out at the earliest, and over how many provider days.
//! * [`Jobs::run`] sends the calls one at a time through [`Actions::run`] (one history row per call, with
//!   the job's id), waiting with an injectable [`Sleeper`] until the budget allows each one. The job row
//!   (`jobs` table) holds the plan, the state, the next call and the counts; the call in flight is marked
//!   before it leaves, so a job found `running` at the next start (the app was closed) becomes
//!   `interrupted`, its in-flight call is counted `unknown` (never resent blindly), and it resumes from
//!   the next call.
//! * A rate-limit or daily-limit answer teaches the budget and the same call is tried again once the
//!   budget allows (up to [`MAX_LIMIT_RETRIES`] times): the provider did not act on it.

use crate::actions::{ActionRequest, Actions};
use crate::clock::{Clock, FixedClock};
use crate::db::{storage_error, Db};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::{day_of, BudgetKey, Limits};
use crate::providers::{self, util, Account, BuildCtx, OutcomeKind, Split};
use crate::results::{CallEnd, ResultRow};
use crate::transport::Transport;
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use ts_rs::TS;

/// How often one call is retried after the provider answered with a rate or daily limit.
pub const MAX_LIMIT_RETRIES: u32 = 8;
/// The longest a plan may take under the account's budgets, in provider days: a request that needs more
/// calls than that is refused (`input.plan_too_large`) before any call is built.
pub const MAX_PLAN_DAYS: u32 = 90;
/// The most calls of one plan, whatever the budgets allow.
pub const MAX_PLAN_CALLS: usize = 100_000;

/// What staff ask for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PlanRequest {
    #[ts(type = "number")]
    pub account_id: i64,
    pub operation: String,
    /// The operation's own fields (copied into every call) plus the bulk lists described in the module
    /// documentation (`serials`, `transaction_identifiers`, `eventTypes`, `ids`).
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    /// Unix seconds.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    /// Unix seconds; `None` = now.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub until: Option<i64>,
}

/// One call of a plan: the exact params it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PlannedCall {
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
}

/// A bulk job before it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Plan {
    #[ts(type = "number")]
    pub account_id: i64,
    pub operation: String,
    pub calls: Vec<PlannedCall>,
    /// Seconds from now until the last call may go out under the account's budgets (a lower bound: the
    /// calls' own durations come on top).
    #[ts(type = "number")]
    pub estimated_seconds: i64,
    /// Provider days the calls span (e.g. 30 CCPayment v1 windows at 25/day: 2).
    pub days: u32,
    /// What the plan cannot say in numbers (a translation key, `bulk.note.*`), e.g. that a CYBAVO
    /// "resend all" reports its size afterwards.
    pub note: Option<String>,
}

/// `[since, until]` (Unix seconds) as windows of at most `max` seconds; consecutive windows share their
/// boundary second and the last one may be shorter. `since == until` is one window. Refused with
/// `input.plan_too_large` when there would be more than `max_calls` windows (counted before any is built).
pub fn windows(since: i64, until: i64, max: i64, max_calls: usize) -> Result<Vec<(i64, i64)>> {
    if since > until {
        return Err(Error::invalid_field("until", "before_since").with("since", since).with("until", until));
    }
    if max <= 0 {
        return Err(Error::internal("window size must be positive"));
    }
    let count = ((i128::from(until) - i128::from(since)) + i128::from(max) - 1) / i128::from(max);
    let count = usize::try_from(count.max(1)).unwrap_or(usize::MAX);
    if count > max_calls {
        return Err(plan_too_large(count, max_calls));
    }
    let mut out = Vec::with_capacity(count);
    let mut start = since;
    loop {
        let end = start.saturating_add(max).min(until);
        out.push((start, end));
        if end >= until {
            return Ok(out);
        }
        start = end;
    }
}

/// `input.plan_too_large`: the request needs `calls` calls where a plan may have at most `max_calls`.
fn plan_too_large(calls: usize, max_calls: usize) -> Error {
    Error::new(ErrorCode::InputPlanTooLarge)
        .with("calls", calls)
        .with("max_calls", max_calls)
        .with("days", MAX_PLAN_DAYS)
}

/// A point in time given in Unix seconds, checked to lie between 1970 and the year 9999 (so any
/// arithmetic on it stays in range); `field` names it in the error.
pub fn unix_seconds(field: &str, value: i64) -> Result<i64> {
    if (0..=LATEST_UNIX_SECONDS).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_field(field, "time_out_of_range").with("value", value))
    }
}

/// 9999-12-31T23:59:59Z.
const LATEST_UNIX_SECONDS: i64 = 253_402_300_799;

/// Splits a bulk request into the params of each call (see the module documentation). `until` is
/// already resolved (Unix seconds).
/// At most `max_calls` calls: a bigger request is refused with `input.plan_too_large` before its calls
/// are built, and times outside 1970–9999 are refused up front ([`unix_seconds`]).
pub fn split(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    since: Option<i64>,
    until: i64,
    max_calls: usize,
) -> Result<Split> {
    providers::operation_descriptor(account, operation)?;
    let until = unix_seconds("until", until)?;
    let since = since.map(|s| unix_seconds("since", s)).transpose()?;
    if let Some(s) = since {
        if s > until {
            return Err(Error::invalid_field("until", "before_since").with("since", s).with("until", until));
        }
    }
    let request = providers::BulkRequest { params, since, until, max_calls };
    let split = match account.inner().split(operation, &request) {
        Some(split) => split?,
        None => Split { calls: providers::plan_calls(account, operation, params)?, note: None },
    };
    if split.calls.len() > max_calls {
        return Err(plan_too_large(split.calls.len(), max_calls));
    }
    Ok(split)
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum JobState {
    Running,
    Paused,
    Cancelled,
    Done,
    /// Found `running` at start-up: the app stopped while the job ran. Resumable.
    Interrupted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Cancelled => "cancelled",
            JobState::Done => "done",
            JobState::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> JobState {
        match s {
            "running" => JobState::Running,
            "paused" => JobState::Paused,
            "cancelled" => JobState::Cancelled,
            "done" => JobState::Done,
            _ => JobState::Interrupted,
        }
    }
}

/// A job as the UI and the CLI show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct JobView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub account_id: i64,
    pub account_label: String,
    pub provider: String,
    pub operation: String,
    pub state: JobState,
    #[ts(type = "number")]
    pub total: u64,
    /// Index of the next call to send (= calls finished).
    #[ts(type = "number")]
    pub next_index: u64,
    #[ts(type = "number")]
    pub ok: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub unknown: u64,
    /// Calls the provider refused with a rate or daily limit (each tried again).
    #[ts(type = "number")]
    pub throttled: u64,
    #[ts(type = "unknown")]
    pub last_error: Option<Value>,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number")]
    pub updated_at_ms: i64,
    /// The process running this job when it is not this one (the app and the CLI share the data folder);
    /// `null` when nobody else holds it.
    #[ts(type = "number | null")]
    pub runner_pid: Option<i64>,
}

/// Reported while a job runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct JobProgress {
    #[ts(type = "number")]
    pub job_id: i64,
    pub state: JobState,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub ok: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub unknown: u64,
    #[ts(type = "number")]
    pub throttled: u64,
    /// Seconds until the last call may go out under the budgets.
    #[ts(type = "number")]
    pub eta_seconds: i64,
    /// Set while the job waits for its budget.
    #[ts(type = "number | null")]
    pub waiting_until_ms: Option<i64>,
}

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

/// The jobs of the app's database.
pub struct Jobs {
    db: Db,
    actions: Arc<Actions>,
    limits: Arc<Limits>,
    clock: Arc<dyn Clock>,
    /// Who this runner is in `job_leases` (random per instance: the app and the CLI, or two stores
    /// opened in one process, are different runners).
    owner: String,
}

/// A runner's lease without a heartbeat for this long is stale and may be taken over.
pub const LEASE_STALE_MS: i64 = 30_000;
/// How often a running job's lease is renewed.
pub const HEARTBEAT_MS: u64 = 5_000;

const JOB_COLUMNS: &str = "id, account_id, account_label, provider, operation, state, total, next_index, ok, failed, \
     unknown, throttled, last_error, created_at_ms, updated_at_ms, l.owner, l.pid, l.heartbeat_ms";
const JOB_FROM: &str = "jobs LEFT JOIN job_leases l ON l.job_id = jobs.id";

/// Whether a lease still protects its job: renewed within [`LEASE_STALE_MS`] by a process that exists.
fn lease_is_live(pid: i64, heartbeat_ms: i64, now_ms: i64) -> bool {
    heartbeat_ms > now_ms - LEASE_STALE_MS && (pid == i64::from(std::process::id()) || crate::process::pid_alive(pid))
}

fn already_running(job_id: i64, pid: i64) -> Error {
    Error::new(ErrorCode::JobAlreadyRunning).with("job_id", job_id).with("pid", pid)
}

fn job_of(r: &Row<'_>, me: &str, now_ms: i64) -> rusqlite::Result<JobView> {
    let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
    let owner: Option<String> = r.get(15)?;
    let runner_pid = match (owner, r.get::<_, Option<i64>>(16)?, r.get::<_, Option<i64>>(17)?) {
        (Some(o), Some(pid), Some(hb)) if o != me && lease_is_live(pid, hb, now_ms) => Some(pid),
        _ => None,
    };
    Ok(JobView {
        id: r.get(0)?,
        account_id: r.get(1)?,
        account_label: r.get(2)?,
        provider: r.get(3)?,
        operation: r.get(4)?,
        state: JobState::parse(&r.get::<_, String>(5)?),
        total: n(6)?,
        next_index: n(7)?,
        ok: n(8)?,
        failed: n(9)?,
        unknown: n(10)?,
        throttled: n(11)?,
        last_error: r.get::<_, Option<String>>(12)?.and_then(|s| serde_json::from_str(&s).ok()),
        created_at_ms: r.get(13)?,
        updated_at_ms: r.get(14)?,
        runner_pid,
    })
}

/// The right to run one job, held by one runner at a time (a row in `job_leases`, taken in a
/// transaction by [`Jobs::claim`]). Dropping it gives the job up.
pub struct JobLease {
    db: Db,
    job_id: i64,
    owner: String,
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
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where a planning account's sandbox would be (planning sends nothing).
const PLANNING_ROOT: &str = "http://127.0.0.1:9";

impl Jobs {
    pub fn new(db: Db, actions: Arc<Actions>, clock: Arc<dyn Clock>) -> Jobs {
        let limits = actions.limits.clone();
        let owner = format!("{}-{}", std::process::id(), util::random_alnum(12));
        Jobs { db, actions, limits, clock, owner }
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    /// Plans a bulk request for a stored account: the calls (each validated as it would be sent) and
    /// the estimate under the account's budgets now.
    pub fn plan(&self, req: &PlanRequest) -> Result<Plan> {
        let (_, account) = self.actions.accounts.signing_account(req.account_id, Some(PLANNING_ROOT))?;
        let now = self.clock.now_ms();
        let until = req.until.unwrap_or_else(|| now.div_euclid(1000));
        let key = BudgetKey::new(req.account_id, account.provider().get().budget(account.public(), &req.operation));
        let s = split(&account, &req.operation, &req.params, req.since, until, self.max_calls(key)?)?;
        for c in &s.calls {
            for p in providers::plan_calls(&account, &req.operation, c)? {
                providers::build_request(&account, &req.operation, &p, &BuildCtx::at(now))?;
            }
        }
        let (estimated_seconds, days) = self.estimate(key, now, s.calls.len())?;
        Ok(Plan {
            account_id: req.account_id,
            operation: req.operation.clone(),
            calls: s.calls.into_iter().map(|params| PlannedCall { params }).collect(),
            estimated_seconds,
            days,
            note: s.note,
        })
    }

    /// The most calls a plan of `operation` may have: what the account's budget allows in
    /// [`MAX_PLAN_DAYS`] provider days, and never more than [`MAX_PLAN_CALLS`].
    fn max_calls(&self, key: BudgetKey) -> Result<usize> {
        let days = u64::from(MAX_PLAN_DAYS);
        let by_budget = match self.limits.budget(key)? {
            None => u64::MAX,
            Some(b) => {
                let per_day = b.per_day.map_or(u64::MAX, |d| u64::from(d) * days);
                let per_minute = b.per_minute.map_or(u64::MAX, |m| u64::from(m) * 1_440 * days);
                per_day.min(per_minute)
            }
        };
        Ok(usize::try_from(by_budget).unwrap_or(usize::MAX).min(MAX_PLAN_CALLS))
    }

    /// Seconds until the last of `n` calls may go out, and the provider days they span.
    fn estimate(&self, key: BudgetKey, now: i64, n: usize) -> Result<(i64, u32)> {
        if n == 0 {
            return Ok((0, 0));
        }
        let times = self.limits.simulate(key, now, n)?;
        if times.len() < n {
            return Err(Error::new(ErrorCode::BudgetExhausted));
        }
        let off = self.limits.settings().day_offset_secs;
        let days: BTreeSet<i64> = times.iter().map(|&t| day_of(t, off)).collect();
        let last = times.last().copied().unwrap_or(now);
        Ok(((last - now + 999).div_euclid(1000).max(0), days.len() as u32))
    }

    /// Stores a plan as a new job and returns its id. It is `paused` with nothing sent until a runner
    /// claims it ([`Jobs::run`]), so a job whose runner never started stays resumable.
    pub fn create(&self, plan: &Plan) -> Result<i64> {
        let view = self.actions.accounts.get(plan.account_id)?;
        let json = serde_json::to_string(plan).map_err(storage_error)?;
        let now = self.clock.now_ms();
        let conn = self.db.conn();
        conn.prepare_cached(
            "INSERT INTO jobs (account_id, account_label, provider, operation, plan, total, state, created_at_ms,
                               updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'paused', ?7, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![
                plan.account_id,
                view.label,
                view.provider.as_str(),
                plan.operation,
                json,
                plan.calls.len() as i64,
                now
            ])
        })
        .map_err(storage_error)?;
        Ok(conn.last_insert_rowid())
    }

    pub fn get(&self, id: i64) -> Result<JobView> {
        let now = self.clock.now_ms();
        self.db
            .conn()
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], |r| job_of(r, &self.owner, now)).optional())
            .map_err(storage_error)?
            .ok_or_else(|| Error::new(ErrorCode::InputInvalid).with("field", "job_id").with("reason", "not_found"))
    }

    /// Every job, newest first. Jobs left `running` by a runner that is gone (a CLI killed while the app
    /// stays open) are found `interrupted` here first.
    pub fn list(&self) -> Result<Vec<JobView>> {
        self.mark_interrupted()?;
        let now = self.clock.now_ms();
        let conn = self.db.conn();
        let mut s = conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM {JOB_FROM} ORDER BY created_at_ms DESC, id DESC"))
            .map_err(storage_error)?;
        let rows = s
            .query_map([], |r| job_of(r, &self.owner, now))
            .map_err(storage_error)?
            .collect::<rusqlite::Result<Vec<_>>>();
        rows.map_err(storage_error)
    }

    /// The plan a job runs.
    pub fn plan_of(&self, id: i64) -> Result<Plan> {
        let text: Option<String> = self
            .db
            .conn()
            .prepare_cached("SELECT plan FROM jobs WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(storage_error)?;
        let text = text
            .ok_or_else(|| Error::new(ErrorCode::InputInvalid).with("field", "job_id").with("reason", "not_found"))?;
        serde_json::from_str(&text).map_err(storage_error)
    }

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
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage_error)?;
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
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage_error)?;
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

    fn heartbeat(&self, lease: &JobLease) -> Option<Heartbeat> {
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

    /// What each call of job `id` came to, in plan order (calls not made yet are `not_sent`); for
    /// look-ups one row per id asked for (or per row found) with the decoded row read back from history.
    pub fn results(&self, id: i64) -> Result<(JobView, Vec<ResultRow>)> {
        let job = self.get(id)?;
        let plan = self.plan_of(id)?;
        let records: Vec<(u64, CallEnd)> = {
            let conn = self.db.conn();
            let mut s = conn
                .prepare_cached(
                    "SELECT idx, history_id, outcome, http_status, provider_code, error FROM job_calls
                     WHERE job_id = ?1 ORDER BY idx",
                )
                .map_err(storage_error)?;
            let rows = s
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?.max(0) as u64,
                        CallEnd {
                            history_id: r.get(1)?,
                            outcome: r.get(2)?,
                            http_status: r.get::<_, Option<i64>>(3)?.and_then(|v| u16::try_from(v).ok()),
                            provider_code: r.get(4)?,
                            error: r.get::<_, Option<String>>(5)?.and_then(|t| serde_json::from_str(&t).ok()),
                        },
                    ))
                })
                .map_err(storage_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(storage_error)?
        };
        let mut by_index: std::collections::HashMap<u64, CallEnd> = records.into_iter().collect();
        let provider = providers::ProviderId::parse(&job.provider)?;
        let op = crate::results::operation_of(provider, &plan.operation)?;
        let mut out = Vec::new();
        for (i, call) in plan.calls.iter().enumerate() {
            let i = i as u64;
            let record = if i < job.next_index { by_index.remove(&i) } else { None };
            let record = match record {
                Some(r) => Some(r),
                // Done before results were recorded (a job from an older version): outcome unknown here.
                None if i < job.next_index => Some(CallEnd::unrecorded()),
                None => None,
            };
            crate::results::rows_of_call(&self.actions.history, provider, &op, i + 1, &call.params, record, &mut out)?;
        }
        Ok((job, out))
    }

    fn set_state(&self, id: i64, state: JobState, error: Option<&Error>) -> Result<()> {
        let err = error.map(|e| serde_json::to_string(e).unwrap_or_default());
        self.db
            .conn()
            .execute(
                "UPDATE jobs SET state = ?2, updated_at_ms = ?3, last_error = COALESCE(?4, last_error) WHERE id = ?1",
                params![id, state.as_str(), self.clock.now_ms(), err],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    /// Marks call `index` in flight, only while this runner still holds the job's lease (it may have
    /// been taken over after this process stood still for longer than [`LEASE_STALE_MS`]).
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
        let tx = conn.transaction().map_err(storage_error)?;
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

    fn progress_of(&self, job: &JobView, eta_seconds: i64, waiting_until_ms: Option<i64>) -> JobProgress {
        JobProgress::of(job, eta_seconds, waiting_until_ms)
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
        let account = match self.actions.accounts.signing_account(plan.account_id, sandbox_root) {
            Ok((_, a)) => a,
            Err(e) => {
                // Nothing was sent: the job waits, paused, with the reason (no keyring, account deleted…).
                self.set_state(id, JobState::Paused, Some(&e))?;
                return Err(e);
            }
        };
        let key = BudgetKey::new(plan.account_id, account.provider().get().budget(account.public(), &plan.operation));
        let op = plan.operation.clone();
        let total = plan.calls.len() as u64;
        let stride = (total / 200).max(1);
        let mut eta = 0;
        let mut retries = 0u32;
        loop {
            let job = self.get(id)?;
            let index = job.next_index;
            if index >= total {
                self.set_state(id, JobState::Done, None)?;
                let job = self.get(id)?;
                progress(&self.progress_of(&job, 0, None));
                return Ok(job);
            }
            if let Some(state) = control.requested() {
                self.set_state(id, state, None)?;
                let job = self.get(id)?;
                progress(&self.progress_of(&job, eta, None));
                return Ok(job);
            }
            let now = self.clock.now_ms();
            if index % stride == 0 || total - index <= 200 || retries > 0 {
                eta = self.estimate(key, now, (total - index) as usize).map(|(s, _)| s).unwrap_or(eta);
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
            self.mark_in_flight(&lease, index)?;
            let result = self.actions.run(&req, sandbox_root, transport, Some(id)).await;
            if let Err(e) = &result {
                if matches!(e.code, ErrorCode::BudgetWait | ErrorCode::BudgetExhausted) {
                    // Another process took the slot between the check above and the reservation: nothing
                    // was sent or recorded; the call stays next and waits for the budget again.
                    self.db
                        .conn()
                        .execute("UPDATE jobs SET in_flight = NULL WHERE id = ?1", [id])
                        .map_err(storage_error)?;
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
                    );
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
            let job = self.get(id)?;
            progress(&self.progress_of(&job, eta, None));
        }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    Ok,
    Failed,
    Unknown,
    Retry,
}

impl JobView {
    /// The descriptor of the job's operation (what its results file holds).
    pub fn operation_descriptor(&self) -> Result<providers::OperationDescriptor> {
        crate::results::operation_of(providers::ProviderId::parse(&self.provider)?, &self.operation)
    }
}

impl JobProgress {
    /// The progress report of a stored job (`done` = calls completed so far).
    pub fn of(job: &JobView, eta_seconds: i64, waiting_until_ms: Option<i64>) -> JobProgress {
        JobProgress {
            job_id: job.id,
            state: job.state,
            done: job.next_index,
            total: job.total,
            ok: job.ok,
            failed: job.failed,
            unknown: job.unknown,
            throttled: job.throttled,
            eta_seconds,
            waiting_until_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(j: Value) -> Account {
        Account::from_map(j.as_object().unwrap()).unwrap()
    }

    fn ccp(version: &str) -> Account {
        account(json!({"provider":"ccpayment","base_url":"http://127.0.0.1:1/ccpayment/","api_version":version,
                       "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"}))
    }

    fn cybavo() -> Account {
        account(
            json!({"provider":"cybavo","base_url":"http://127.0.0.1:1","wallet_id":7,"api_code":"c","api_secret":"s"}),
        )
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn windows_split_with_an_uneven_last_window() {
        assert_eq!(windows(0, 7_200, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_600), (3_600, 7_200)]);
        assert_eq!(windows(0, 7_201, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_600), (3_600, 7_200), (7_200, 7_201)]);
        assert_eq!(windows(100, 100, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(100, 100)]);
        assert_eq!(windows(0, 3_599, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_599)]);
        let e = windows(10, 9, 3_600, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!((e.code, e.params["reason"].as_str()), (ErrorCode::InputInvalid, Some("before_since")));
        // A day and a quarter: 30 windows, all within CCPayment's hour, covering every second.
        let w = windows(1_700_000_000, 1_700_000_000 + 30 * 3_600 - 1_800, 3_600, MAX_PLAN_CALLS).unwrap();
        assert_eq!(w.len(), 30);
        assert!(w.iter().all(|(s, e)| e - s <= 3_600 && s <= e));
        assert!(w.windows(2).all(|p| p[0].1 == p[1].0));
        assert_eq!(w.last().unwrap().1 - w.last().unwrap().0, 1_800);
    }

    #[test]
    fn ccpayment_windows_use_each_versions_field_names() {
        let p = obj(json!({"webhook_result": "All Result"}));
        let s = split(&ccp("v1"), "resend-webhooks", &p, Some(1_000), 8_000, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.len(), 2);
        assert_eq!(
            Value::Object(s.calls[1].clone()),
            json!({"start_timestamp": 4_600, "end_timestamp": 8_000, "webhook_result": "All Result"})
        );
        assert_eq!(s.calls[0].keys().collect::<Vec<_>>(), ["start_timestamp", "end_timestamp", "webhook_result"]);
        let s = split(&ccp("v2"), "resend-webhooks", &Map::new(), Some(1_000), 1_500, MAX_PLAN_CALLS).unwrap();
        assert_eq!(Value::Object(s.calls[0].clone()), json!({"startTimestamp": 1_000, "endTimestamp": 1_500}));
        let e = split(&ccp("v1"), "resend-webhooks", &Map::new(), Some(9_000), 8_000, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.params["reason"], "before_since");
        let e = split(&ccp("v1"), "resend-webhooks", &Map::new(), None, 8_000, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputMissing);
    }

    #[test]
    fn extreme_times_are_refused_and_plans_are_capped_before_they_are_built() {
        let field = |e: &Error| (e.code, e.params.get("field").cloned(), e.params.get("reason").cloned());
        // The whole i64 range: refused at once, naming the field (before: a loop growing to 24 GB).
        let e =
            split(&ccp("v1"), "resend-webhooks", &Map::new(), Some(i64::MIN), i64::MAX, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e), (ErrorCode::InputInvalid, Some(json!("until")), Some(json!("time_out_of_range"))));
        let e = split(&ccp("v2"), "resend-webhooks", &Map::new(), Some(-1), 10, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("since")));
        let p = obj(json!({"start_timestamp": i64::MIN}));
        let e = split(&ccp("v1"), "resend-webhooks", &p, None, 10, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("start_timestamp")));
        let p = obj(json!({"webhookId": "w", "resendFromDateTime": i64::MAX}));
        let e = split(
            &account(json!({"provider": "ceffu", "base_url": "https://open-api.ceffu.com", "api_key": "k",
            "private_key": include_str!("../tests/fixtures/ceffu_test_key.pem")})),
            "resend-webhooks",
            &p,
            None,
            10,
            MAX_PLAN_CALLS,
        )
        .unwrap_err();
        assert_eq!(field(&e).1, Some(json!("resendFromDateTime")));
        let e = split(&cybavo(), "list-callbacks", &Map::new(), Some(0), i64::MAX, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("until")));
        // 1970 to 9999 in hour windows is counted, not built, and refused with the numbers.
        let e = windows(0, 253_402_300_799, 3_600, 2_250).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputPlanTooLarge);
        assert_eq!((e.params["calls"].as_u64(), e.params["max_calls"].as_u64()), (Some(70_389_528), Some(2_250)));
        assert_eq!(windows(0, 2_250 * 3_600, 3_600, 2_250).unwrap().len(), 2_250);
        // Lists are capped too.
        let ids: Vec<i64> = (1..=11).collect();
        let e =
            split(&cybavo(), "resend-withdrawal-callbacks", &obj(json!({ "serials": ids })), None, 0, 10).unwrap_err();
        assert_eq!((e.code, e.params["calls"].as_u64()), (ErrorCode::InputPlanTooLarge, Some(11)));
    }

    #[test]
    fn ceffu_cybavo_and_avista_lists() {
        let ceffu = account(json!({"provider":"ceffu","base_url":"http://127.0.0.1:1","api_key":"k",
            "private_key": crate::providers::ceffu::sandbox::demo_private_key_base64()}));
        let s = split(
            &ceffu,
            "resend-webhooks",
            &obj(json!({"webhookId": "17"})),
            Some(1_700_000_000),
            1_700_000_100,
            MAX_PLAN_CALLS,
        )
        .unwrap();
        assert_eq!(s.calls.len(), 4);
        assert_eq!(
            Value::Object(s.calls[3].clone()),
            json!({"webhookId": "17", "eventType": "4", "resendFromDateTime": 1_700_000_000_000i64})
        );
        let p = obj(json!({"webhookId": "17", "eventTypes": ["2", "4", "2"]}));
        assert_eq!(split(&ceffu, "resend-webhooks", &p, Some(1), 2, MAX_PLAN_CALLS).unwrap().calls.len(), 2);

        let s = split(&cybavo(), "resend-withdrawal-callbacks", &Map::new(), None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"notification_id": 0}))]);
        assert_eq!(s.note.as_deref(), Some("bulk.note.cybavo_all"));
        let p = obj(json!({"serials": [5, 6, 5]}));
        let s = split(&cybavo(), "resend-deposit-callbacks", &p, None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"notification_id": 5})), obj(json!({"notification_id": 6}))]);
        let ids: Vec<i64> = (1..=250).collect();
        let s = split(&cybavo(), "query-callbacks", &obj(json!({ "ids": ids })), None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.iter().map(|c| c["ids"].as_array().unwrap().len()).collect::<Vec<_>>(), [100, 100, 50]);
        let s = split(&cybavo(), "list-callbacks", &Map::new(), Some(10), 20, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"from_time": 10, "to_time": 20}))]);

        let cert = include_str!("../tests/fixtures/avista_test_cert.pem");
        let avista = account(json!({"provider":"avista","base_url":"http://127.0.0.1:1","client_id":"c",
                                    "client_secret":"s","client_cert_pem":cert}));
        let p = obj(json!({"transaction_identifiers": "A-1, A-2 A-3", "url": "https://example.org/h"}));
        let s = split(&avista, "resend-webhook", &p, None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.len(), 3);
        assert_eq!(
            Value::Object(s.calls[2].clone()),
            json!({"transaction_identifier": "A-3", "url": "https://example.org/h"})
        );
        let e = split(&avista, "no-such-op", &Map::new(), None, 0, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputUnknownOperation);
    }

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
