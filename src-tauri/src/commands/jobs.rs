//! Bulk jobs ("resend everything since…", long lists of ids, look-ups of many serials): plan, start in
//! the background, pause, cancel, resume, list, show and save their results; and the rate budget of an
//! account. A job is claimed before it runs, so the CLI and the app never run the same job at once. A running job reports to the window as
//! `job-progress` events.

use crate::commands::actions::{chrono_stamp, sandbox_root_for, save_export, ExportResult};
use crate::state::AppState;
use callback_desk::i18n::Language;
use callback_desk::jobs::{JobControl, JobFailures, JobProgress, JobState, JobView, Plan, PlanRequest, SystemSleeper};
use callback_desk::limits::BudgetKey;
use callback_desk::results::{self, ResultsView};
use callback_desk::team::jobs::TeamJob;
use callback_desk::team::TeamConfig;
use callback_desk::{Error, ErrorCode};
use serde::Serialize;
use ts_rs::TS;

/// The event a running job sends after each call, while it waits, and when it stops.
pub const PROGRESS_EVENT: &str = "job-progress";

/// What an account may still send of one operation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct BudgetStatus {
    /// Whether the operation counts against a budget at all.
    pub limited: bool,
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
    /// Calls left in the provider's day; `null` when there is no daily budget.
    pub remaining_today: Option<u32>,
    /// The earliest moment the next call may go out (Unix ms, never before `now_ms`).
    #[ts(type = "number")]
    pub next_allowed_at_ms: i64,
    #[ts(type = "number")]
    pub now_ms: i64,
}

#[tauri::command]
pub async fn plan_job(state: tauri::State<'_, AppState>, request: PlanRequest) -> Result<Plan, Error> {
    let jobs = state.jobs().await?;
    tauri::async_runtime::spawn_blocking(move || jobs.plan(&request))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn start_job<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    request: PlanRequest,
) -> Result<i64, Error> {
    let jobs = state.jobs().await?;
    let id = tauri::async_runtime::spawn_blocking(move || -> Result<i64, Error> {
        let plan = jobs.plan(&request)?;
        jobs.create(&plan)
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))??;
    spawn_run(app, state.inner().clone(), id, JobControl::new()).await?;
    Ok(id)
}

/// Claims a job for this window (refused with `job.already_running` when the CLI or another window runs
/// it) and runs it in the background until it is done, paused or cancelled.
async fn spawn_run<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: AppState,
    id: i64,
    control: JobControl,
) -> Result<(), Error> {
    use tauri::Emitter;
    let jobs = state.jobs().await?;
    let job = jobs.get(id)?;
    let root = sandbox_root_for(&state, job.account_id).await?;
    let transport = state.transport().await?;
    // What the run needs first (the account and its secrets), checked here so a refusal reaches the window.
    {
        let accounts = state.accounts().await?;
        let (account_id, r) = (job.account_id, root.clone());
        tauri::async_runtime::spawn_blocking(move || accounts.signing_account(account_id, r.as_deref()).map(drop))
            .await
            .map_err(|e| Error::internal(e.to_string()))??;
    }
    let lease = {
        let jobs = jobs.clone();
        tauri::async_runtime::spawn_blocking(move || jobs.claim(id))
            .await
            .map_err(|e| Error::internal(e.to_string()))??
    };
    state.controls.lock().unwrap_or_else(|e| e.into_inner()).insert(id, control.clone());
    tauri::async_runtime::spawn(async move {
        let sleeper = SystemSleeper { clock: state.clock.clone() };
        let emitter = app.clone();
        let account = job.account_label.clone();
        let mut progress = move |p: &JobProgress| {
            let _ = emitter.emit(PROGRESS_EVENT, p);
            report_elsewhere(&emitter, p, &account, None, false);
        };
        let result =
            jobs.run_claimed(lease, root.as_deref(), transport.as_ref(), &sleeper, &control, &mut progress).await;
        state.controls.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        if let Err(e) = &result {
            tracing::warn!(job = id, code = ?e.code, "bulk job stopped with an error");
        }
        // A last report from the stored row, so that the window also learns about a stop by error.
        if let Ok(job) = jobs.get(id) {
            let last = JobProgress::of(&job, 0, None);
            let _ = app.emit(PROGRESS_EVENT, &last);
            report_elsewhere(&app, &last, &job.account_label, result.as_ref().err(), true);
        }
    });
    Ok(())
}

/// A job's report to what shows it outside the window: the tray's progress line and the desktop's
/// notifications.
fn report_elsewhere<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    p: &JobProgress,
    account: &str,
    error: Option<&Error>,
    ended: bool,
) {
    crate::background::job_report(app, p);
    crate::notify::job_report(app, &crate::notify::JobReport { progress: p, account, error, ended });
}

fn control_of(state: &AppState, id: i64) -> Option<JobControl> {
    state.controls.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
}

/// A job the CLI (or another window) is running can only be paused there.
fn refuse_if_elsewhere(job: &JobView) -> Result<(), Error> {
    match job.runner_pid {
        Some(pid) => Err(Error::new(ErrorCode::JobAlreadyRunning).with("job_id", job.id).with("pid", pid)),
        None => Ok(()),
    }
}

/// Stops a running job after the call in flight; it stays resumable.
#[tauri::command]
pub async fn pause_job(state: tauri::State<'_, AppState>, id: i64) -> Result<JobView, Error> {
    let jobs = state.jobs().await?;
    match control_of(&state, id) {
        Some(c) => c.pause(),
        None => refuse_if_elsewhere(&jobs.get(id)?)?,
    }
    jobs.get(id)
}

/// Stops a job for good (after the call in flight). A paused or interrupted job is marked cancelled
/// without sending anything.
#[tauri::command]
pub async fn cancel_job<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    id: i64,
) -> Result<JobView, Error> {
    use tauri::Emitter;
    let jobs = state.jobs().await?;
    if let Some(c) = control_of(&state, id) {
        c.cancel();
        return jobs.get(id);
    }
    let job = jobs.get(id)?;
    refuse_if_elsewhere(&job)?;
    if !matches!(job.state, JobState::Paused | JobState::Interrupted | JobState::Running) {
        return Ok(job);
    }
    let job = jobs.cancel_stopped_everywhere(id).await?;
    let _ = app.emit(PROGRESS_EVENT, JobProgress::of(&job, 0, None));
    Ok(job)
}

/// Goes on with a paused, cancelled or interrupted job from its next call.
#[tauri::command]
pub async fn resume_job<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    id: i64,
) -> Result<JobView, Error> {
    let jobs = state.jobs().await?;
    let job = jobs.get(id)?;
    if job.state == JobState::Done {
        return Ok(job);
    }
    spawn_run(app, state.inner().clone(), id, JobControl::new()).await?;
    jobs.get(id)
}

/// The results of a job so far: counts by outcome and the first `limit` rows (one per id or call).
#[tauri::command]
pub async fn job_results(state: tauri::State<'_, AppState>, id: i64, limit: u32) -> Result<ResultsView, Error> {
    let jobs = state.jobs().await?;
    tauri::async_runtime::spawn_blocking(move || {
        let (job, rows) = jobs.results(id)?;
        Ok(ResultsView::of(&job.operation, rows, limit as usize))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Why a job's calls failed (the most frequent reason first) and a plan request of exactly the failed
/// calls, for "Fix and retry the failed ones"; calls whose outcome is unknown are counted, never in it.
#[tauri::command]
pub async fn job_failures(state: tauri::State<'_, AppState>, id: i64) -> Result<JobFailures, Error> {
    let jobs = state.jobs().await?;
    tauri::async_runtime::spawn_blocking(move || jobs.failures(id)).await.map_err(|e| Error::internal(e.to_string()))?
}

/// Saves a job's results as CSV in the Downloads folder, like the history export (see
/// `callback_desk::results`: no secrets or signatures, formula cells defused).
#[tauri::command]
pub async fn save_job_results<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    id: i64,
    language: Option<String>,
) -> Result<Option<ExportResult>, Error> {
    let jobs = state.jobs().await?;
    let name = format!("callback-desk-job-{id}-{}.csv", chrono_stamp(state.clock.now_ms()));
    let language = Language::from_tag(language.as_deref().unwrap_or_default());
    let saved = state.saved_files.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let (job, rows) = jobs.results(id)?;
        let op = job.operation_descriptor()?;
        save_export(&app, &saved, &name, language, |w| results::write_csv(&op, &rows, w))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Every job, newest first.
#[tauri::command]
pub async fn list_jobs(state: tauri::State<'_, AppState>) -> Result<Vec<JobView>, Error> {
    let jobs = state.jobs().await?;
    tauri::async_runtime::spawn_blocking(move || jobs.list()).await.map_err(|e| Error::internal(e.to_string()))?
}

/// The team workspace's jobs on the shared accounts this member has a role on, whoever runs them, with
/// their progress (from the team database); none outside a workspace.
#[tauri::command]
pub async fn team_jobs(state: tauri::State<'_, AppState>) -> Result<Vec<TeamJob>, Error> {
    let jobs = state.jobs().await?;
    if TeamConfig::load(state.accounts().await?.vault().db())?.is_none() {
        return Ok(Vec::new());
    }
    jobs.team_list().await
}

/// Takes over a team job whose runner's app stopped (its lease ran out), as `bulk resume --team-job-id`
/// does: this installation's job for it runs from the call after the one that was in flight (counted
/// unknown, never sent again), like the app's Resume, and shows in the Jobs list. Refused with
/// `team.job_leased` naming the member while their lease is live.
#[tauri::command]
pub async fn team_take_over_job<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    team_job_id: i64,
) -> Result<JobView, Error> {
    let jobs = state.jobs().await?;
    let id = jobs.for_team_job_to_take_over(team_job_id).await?;
    resume_job(app, state, id).await
}

/// What is left today of an account's budget for an operation, and when the next call may go out.
#[tauri::command]
pub async fn budget_status(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    operation: String,
) -> Result<BudgetStatus, Error> {
    let view = state.accounts().await?.get(account_id)?;
    let limits = state.limits().await?;
    let key = BudgetKey::of_view(&view, &operation);
    let now = state.clock.now_ms();
    tauri::async_runtime::spawn_blocking(move || -> Result<BudgetStatus, Error> {
        let budget = limits.budget(key)?;
        Ok(BudgetStatus {
            limited: budget.is_some(),
            per_minute: budget.and_then(|b| b.per_minute),
            per_day: budget.and_then(|b| b.per_day),
            remaining_today: limits.remaining_today(key, now)?,
            next_allowed_at_ms: limits.next_allowed_at(key, now)?,
            now_ms: now,
        })
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}
