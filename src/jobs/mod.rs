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
//!
//! This file holds the job's types and [`Jobs`] itself (storing, listing and reading jobs and their
//! results); each job of its own is a module:
//! * `plan.rs`: what staff ask for, split into calls, checked and estimated under the budgets;
//! * `run.rs`: the runner, pause and cancel ([`JobControl`]), waiting ([`Sleeper`]) and progress;
//! * `lease.rs`: who runs a job ([`Jobs::claim`], heartbeats) and the recovery of jobs whose runner is gone;
//! * `shared.rs`: a job on a shared account of a team workspace, leased and followed in the team database;
//! * `retry.rs`: why a job's calls failed, and a plan of exactly the failed calls ([`Jobs::failures`]).

use crate::actions::Actions;
use crate::clock::Clock;
use crate::db::{storage_error, Db};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;
use crate::providers::{self, util};
use crate::results::{CallEnd, ResultRow};
use lease::lease_is_live;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use ts_rs::TS;

mod lease;
mod plan;
mod retry;
mod run;
mod shared;

pub use lease::{JobLease, HEARTBEAT_MS, LEASE_STALE_MS};
pub use plan::{split, unix_seconds, windows, Plan, PlanRequest, PlannedCall, MAX_PLAN_CALLS, MAX_PLAN_DAYS};
pub use retry::{FailureReason, JobFailures};
pub use run::{FixedClockSleeper, JobControl, Sleeper, SystemSleeper, MAX_LIMIT_RETRIES};

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
    /// When `eta_seconds` was worked out (Unix ms): the window counts down from then. `None` when it was
    /// not worked out by the runner (a job that stopped).
    #[ts(type = "number | null")]
    pub estimated_at_ms: Option<i64>,
    /// Set while the job waits for its budget.
    #[ts(type = "number | null")]
    pub waiting_until_ms: Option<i64>,
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

const JOB_COLUMNS: &str = "id, account_id, account_label, provider, operation, state, total, next_index, ok, failed, \
     unknown, throttled, last_error, created_at_ms, updated_at_ms, l.owner, l.pid, l.heartbeat_ms";
const JOB_FROM: &str = "jobs LEFT JOIN job_leases l ON l.job_id = jobs.id";

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

impl Jobs {
    pub fn new(db: Db, actions: Arc<Actions>, clock: Arc<dyn Clock>) -> Jobs {
        let limits = actions.limits.clone();
        let owner = format!("{}-{}", std::process::id(), util::random_alnum(12));
        Jobs { db, actions, limits, clock, owner }
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

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
            estimated_at_ms: None,
            waiting_until_ms,
        }
    }

    /// The report with the time its estimate was worked out.
    pub fn estimated_at(mut self, ms: i64) -> JobProgress {
        self.estimated_at_ms = Some(ms);
        self
    }
}
