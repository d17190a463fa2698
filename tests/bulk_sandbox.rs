//! Bulk jobs against the in-process sandbox with its rate limits on, one fake clock shared by the client
//! and the sandbox (the job's sleeper moves it): every job runs to completion without a single call
//! refused by the sandbox's limiter, a job cancelled midway resumes from its next call, and a job stopped
//! by an exit is found `interrupted` at the next start and finishes.

use callback_desk::accounts::AccountView;
use callback_desk::clock::{Clock, FixedClock};
use callback_desk::history::{Environment, HistoryFilter, NewEntry, Outcome, RecordedRequest};
use callback_desk::jobs::{FixedClockSleeper, JobControl, JobProgress, JobState, JobView, PlanRequest};
use callback_desk::limits::{day_of, DAY_MS, MINUTE_MS};
use callback_desk::providers::{ceffu::sandbox as ceffu_sb, cybavo::sandbox as cybavo_sb};
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "common/hook_receiver.rs"]
mod hook_receiver;
use hook_receiver::receiver;

/// 2025-10-09T08:53:20Z.
const T0_MS: i64 = 1_760_000_000_000;

struct Env {
    sb: SandboxHandle,
    clock: FixedClock,
    store: Store,
    dir: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
    accounts: Vec<AccountView>,
    transport: HttpTransport,
    sleeper: FixedClockSleeper,
}

fn open(dir: &Path, secrets: &Arc<MemoryStore>, clock: &FixedClock) -> Store {
    Store::open(dir, secrets.clone(), Arc::new(clock.clone())).unwrap()
}

/// A sandbox with its limits on, then `f` applied to its configuration.
async fn start_with(f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig {
        clock: Arc::new(clock.clone()),
        callback_url: Some(receiver().await),
        ..SandboxConfig::default()
    };
    f(&mut cfg);
    assert!(cfg.limits);
    let sb = Sandbox::start(cfg).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let store = open(dir.path(), &secrets, &clock);
    let accounts = store.accounts.create_sandbox_demo(&sb.base_url()).unwrap();
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(15),
    })
    .unwrap();
    let sleeper = FixedClockSleeper { clock: clock.clone() };
    Env { sb, clock, store, dir, secrets, accounts, transport, sleeper }
}

async fn start() -> Env {
    start_with(|_| {}).await
}

impl Env {
    fn account(&self, provider: &str, version: Option<&str>) -> i64 {
        self.accounts
            .iter()
            .find(|a| {
                a.provider.as_str() == provider
                    && version.is_none_or(|v| a.fields.get("api_version").and_then(Value::as_str) == Some(v))
            })
            .unwrap()
            .id
    }

    fn rejections(&self) -> u64 {
        self.sb.state()["rejections"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum()
    }

    fn calls(&self, key: &str) -> u64 {
        self.sb.state()["calls"][key].as_u64().unwrap()
    }

    fn request(&self, key: &str, op: &str, params: Value, since: Option<i64>, until: Option<i64>) -> PlanRequest {
        let account_id = match key {
            "ccpayment-v1" => self.account("ccpayment", Some("v1")),
            "ccpayment-v2" => self.account("ccpayment", Some("v2")),
            p => self.account(p, None),
        };
        PlanRequest {
            account_id,
            operation: op.to_owned(),
            params: params.as_object().cloned().unwrap_or_default(),
            since,
            until,
            calls: None,
        }
    }

    async fn run(&self, id: i64, control: &JobControl, seen: &Mutex<Vec<JobProgress>>) -> JobView {
        let mut progress = |p: &JobProgress| seen.lock().unwrap().push(p.clone());
        let root = self.sb.base_url();
        self.store.jobs.run(id, Some(&root), &self.transport, &self.sleeper, control, &mut progress).await.unwrap()
    }

    /// Plans, stores and runs a request to the end; returns the job and every progress report.
    async fn run_all(&self, req: &PlanRequest) -> (JobView, Vec<JobProgress>) {
        let plan = self.store.jobs.plan(req).unwrap();
        let id = self.store.jobs.create(&plan).unwrap();
        let seen = Mutex::new(Vec::new());
        let job = self.run(id, &JobControl::new(), &seen).await;
        (job, seen.into_inner().unwrap())
    }

    fn history(&self, job_id: i64, outcome: Option<Outcome>) -> u64 {
        let f = HistoryFilter { job_id: Some(job_id), outcome, ..HistoryFilter::default() };
        self.store.history.count(&f).unwrap()
    }
}

/// The descriptor of a CYBAVO operation.
fn job_op(_env: &Env, name: &str) -> callback_desk::providers::OperationDescriptor {
    callback_desk::results::operation_of(callback_desk::providers::ProviderId::parse("cybavo").unwrap(), name).unwrap()
}

fn now_s(env: &Env) -> i64 {
    env.clock.now_ms() / 1000
}

#[tokio::test]
async fn ccpayment_v1_thirty_windows_take_two_provider_days_without_a_rejection() {
    let env = start().await;
    let since = now_s(&env) - 30 * 3_600 + 1_800;
    let req =
        env.request("ccpayment-v1", "resend-webhooks", json!({"webhook_result": "All Result"}), Some(since), None);
    let plan = env.store.jobs.plan(&req).unwrap();
    assert_eq!(plan.calls.len(), 30);
    assert_eq!(plan.days, 2, "25 calls a day");
    let midnight = (day_of(T0_MS, 0) + 1) * DAY_MS;
    assert!(plan.estimated_seconds * 1000 >= midnight - T0_MS, "{}", plan.estimated_seconds);
    assert!(plan.estimated_seconds * 1000 < midnight - T0_MS + 10 * MINUTE_MS);
    assert_eq!(plan.calls[0].params.keys().collect::<Vec<_>>(), ["start_timestamp", "end_timestamp", "webhook_result"]);

    let id = env.store.jobs.create(&plan).unwrap();
    let seen = Mutex::new(Vec::new());
    let job = env.run(id, &JobControl::new(), &seen).await;
    assert_eq!(job.state, JobState::Done);
    assert_eq!((job.ok, job.failed, job.unknown, job.throttled), (30, 0, 0, 0), "{job:?}");
    assert_eq!(env.rejections(), 0, "{}", env.sb.state());
    assert_eq!(env.calls("ccpayment-v1"), 30);
    assert!(env.clock.now_ms() >= midnight, "the job waited for the provider's next day");
    assert_eq!(env.history(id, Some(Outcome::Ok)), 30);
    // Progress: waits announced, the last report is the finished job.
    let seen = seen.into_inner().unwrap();
    assert!(seen.iter().any(|p| p.waiting_until_ms.is_some_and(|w| w >= midnight)));
    // Each report says when its estimate was worked out, so the window counts down from then: counted
    // down, every estimate made on the first day ends on the second, where the last call goes.
    for p in &seen {
        let at = p.estimated_at_ms.expect("when the estimate was made");
        assert!(at <= env.clock.now_ms());
        if p.state == JobState::Running && at < midnight {
            assert!(at + p.eta_seconds * 1000 >= midnight, "{p:?}");
        }
    }
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total, last.eta_seconds, last.state), (30, 30, 0, JobState::Done));
    // Five of the second day's 25 calls are used.
    let view = env.store.accounts.get(job.account_id).unwrap();
    let key = callback_desk::limits::BudgetKey::of_view(&view, "resend-webhooks");
    assert_eq!(env.store.limits.remaining_today(key, env.clock.now_ms()).unwrap(), Some(20));
}

#[tokio::test]
async fn ceffu_cybavo_avista_and_ccpayment_v2_jobs_finish_without_a_rejection() {
    let env = start().await;
    // Ceffu: one call per event type.
    let since = now_s(&env) - 7 * 86_400;
    let req =
        env.request("ceffu", "resend-webhooks", json!({"webhookId": ceffu_sb::demo::WEBHOOK_ID}), Some(since), None);
    let (job, _) = env.run_all(&req).await;
    assert_eq!((job.state, job.total, job.ok), (JobState::Done, 4, 4), "{job:?}");

    // CYBAVO: 45 serials at the starting budget of 30 a minute, then 250 ids in chunks of 100.
    let serials: Vec<i64> = (0..45).map(|i| 90_000_000_001 + i).collect();
    let t = env.clock.now_ms();
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({ "serials": serials }), None, None);
    let (job, _) = env.run_all(&req).await;
    assert_eq!((job.state, job.ok), (JobState::Done, 45), "{job:?}");
    assert!(env.clock.now_ms() - t >= MINUTE_MS, "30 a minute: the 31st call waited");
    let ids: Vec<i64> = (0..250).map(|i| 90_000_000_001 + i).collect();
    let req = env.request("cybavo", "query-callbacks", json!({ "ids": ids }), None, None);
    let (job, _) = env.run_all(&req).await;
    assert_eq!((job.total, job.ok), (3, 3), "{job:?}");

    // Avista: three jobs of 25 identifiers in a row share one budget of 60 a minute.
    let ids: Vec<String> = (1..=25).map(|i| format!("PAG-2024-{i:04}")).collect();
    let t = env.clock.now_ms();
    for _ in 0..3 {
        let req = env.request("avista", "resend-webhook", json!({ "transaction_identifiers": ids }), None, None);
        let (job, _) = env.run_all(&req).await;
        assert_eq!((job.state, job.ok), (JobState::Done, 25), "{job:?}");
    }
    assert!(env.clock.now_ms() - t >= MINUTE_MS, "the 61st resend waited for the window");

    // CCPayment v2: three windows.
    let until = now_s(&env);
    let req = env.request("ccpayment-v2", "resend-webhooks", json!({}), Some(until - 3 * 3_600 + 10), Some(until));
    let (job, _) = env.run_all(&req).await;
    assert_eq!((job.total, job.ok), (3, 3), "{job:?}");

    assert_eq!(env.rejections(), 0, "{}", env.sb.state());
    assert_eq!(env.calls("ceffu"), 4);
    assert_eq!(env.calls("cybavo"), 48);
}

#[tokio::test]
async fn cybavo_adopts_the_wallets_limit_after_one_refusal() {
    // The wallet allows 10 a minute, fewer than the starting budget of 30.
    let env = start_with(|c| c.settings_mut::<cybavo_sb::Settings>().per_minute = 10).await;
    let serials: Vec<i64> = (0..35).map(|i| 90_000_000_001 + i).collect();
    let req = env.request("cybavo", "resend-deposit-callbacks", json!({ "serials": serials }), None, None);
    let (job, _) = env.run_all(&req).await;
    assert_eq!(job.state, JobState::Done);
    assert_eq!((job.ok, job.failed, job.throttled), (35, 0, 1), "{job:?}");
    assert_eq!(env.rejections(), 1, "only the call that taught the limit: {}", env.sb.state());
    let view = env.store.accounts.get(job.account_id).unwrap();
    let key = callback_desk::limits::BudgetKey::of_view(&view, "query-callbacks");
    let budget = env.store.limits.budget(key).unwrap().unwrap();
    assert_eq!(budget.per_minute, Some(10));
    // Every call is in history with the job's id, the refused one too.
    assert_eq!(env.history(job.id, None), 36);
    assert_eq!(env.history(job.id, Some(Outcome::Failed)), 1);
}

#[tokio::test]
async fn a_cancelled_job_resumes_from_its_next_call() {
    let env = start().await;
    let serials: Vec<i64> = (0..50).map(|i| 90_000_000_001 + i).collect();
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({ "serials": serials }), None, None);
    let plan = env.store.jobs.plan(&req).unwrap();
    let id = env.store.jobs.create(&plan).unwrap();
    let control = JobControl::new();
    let seen = Mutex::new(Vec::new());
    let job = {
        let c = control.clone();
        let mut progress = |p: &JobProgress| {
            if p.done == 20 {
                c.cancel();
            }
            seen.lock().unwrap().push(p.clone());
        };
        let root = env.sb.base_url();
        env.store.jobs.run(id, Some(&root), &env.transport, &env.sleeper, &control, &mut progress).await.unwrap()
    };
    assert_eq!((job.state, job.next_index, job.ok), (JobState::Cancelled, 20, 20), "{job:?}");
    assert_eq!(env.history(id, None), 20);
    assert_eq!(env.calls("cybavo"), 20);

    let seen = Mutex::new(Vec::new());
    let job = env.run(id, &JobControl::new(), &seen).await;
    assert_eq!((job.state, job.next_index, job.ok, job.failed), (JobState::Done, 50, 50, 0), "{job:?}");
    assert_eq!(env.history(id, None), 50);
    assert_eq!(env.calls("cybavo"), 50, "nothing sent twice");
    assert_eq!(env.rejections(), 0);
    // A finished job returns at once.
    let again = env.run(id, &JobControl::new(), &Mutex::new(Vec::new())).await;
    assert_eq!(again.ok, 50);
    assert_eq!(env.calls("cybavo"), 50);
    // Sent serials in order.
    let rows = env
        .store
        .history
        .page(&HistoryFilter { job_id: Some(id), ..HistoryFilter::default() }, None, 100)
        .unwrap()
        .rows;
    let mut scopes: Vec<String> = rows.iter().rev().map(|r| r.scope.clone()).collect();
    scopes.dedup();
    assert_eq!(scopes.len(), 50);
    assert_eq!(scopes[0], "notification_id=90000000001");
    assert_eq!(scopes[49], "notification_id=90000000050");
}

#[tokio::test]
async fn a_job_stopped_by_an_exit_is_interrupted_at_the_next_start_and_resumes() {
    let env = start().await;
    let until = now_s(&env);
    let req = env.request("ccpayment-v1", "resend-webhooks", json!({}), Some(until - 6 * 3_600), Some(until));
    let plan = env.store.jobs.plan(&req).unwrap();
    assert_eq!(plan.calls.len(), 6);
    let id = env.store.jobs.create(&plan).unwrap();
    // Run two calls, then pause.
    let control = JobControl::new();
    let job = {
        let c = control.clone();
        let mut progress = |p: &JobProgress| {
            if p.done == 2 {
                c.pause();
            }
        };
        let root = env.sb.base_url();
        env.store.jobs.run(id, Some(&root), &env.transport, &env.sleeper, &control, &mut progress).await.unwrap()
    };
    assert_eq!((job.state, job.next_index), (JobState::Paused, 2));
    // The app dies while the third call is in flight (the job row says so, as the runner writes it, and
    // its history row was begun: it may have reached the provider).
    begin_call_row(&env, id);
    {
        let conn = rusqlite::Connection::open(env.dir.path().join(callback_desk::db::DB_FILE)).unwrap();
        conn.execute("UPDATE jobs SET state = 'running', in_flight = 2 WHERE id = ?1", [id]).unwrap();
    }
    let env = restart(env);
    let job = env.store.jobs.get(id).unwrap();
    assert_eq!((job.state, job.next_index, job.ok, job.unknown), (JobState::Interrupted, 3, 2, 1), "{job:?}");
    assert_eq!(job.last_error.as_ref().unwrap()["code"], "history.interrupted");
    assert!(env.store.jobs.list().unwrap().iter().any(|j| j.id == id && j.state == JobState::Interrupted));

    // Resumed: the budget remembers the two calls before the exit; the in-flight call is not resent.
    let job = env.run(id, &JobControl::new(), &Mutex::new(Vec::new())).await;
    assert_eq!((job.state, job.ok, job.unknown, job.failed), (JobState::Done, 5, 1, 0), "{job:?}");
    assert_eq!(env.calls("ccpayment-v1"), 5);
    assert_eq!(env.rejections(), 0, "{}", env.sb.state());
    let sent: Map<String, Value> = env.store.jobs.plan_of(id).unwrap().calls[5].params.clone();
    assert_eq!(sent["end_timestamp"], json!(until));
}

#[tokio::test]
async fn ceffu_backs_off_after_a_rate_limit_answer_and_retries_the_same_call() {
    use callback_desk::sandbox::{Fault, FaultKind};
    let env = start().await;
    // Ceffu's number is undocumented: the provider answers G20012/429 once.
    env.sb.inject(Fault::new("ceffu", FaultKind::RateLimit));
    let since = now_s(&env) - 86_400;
    let req =
        env.request("ceffu", "resend-webhooks", json!({"webhookId": ceffu_sb::demo::WEBHOOK_ID}), Some(since), None);
    let t = env.clock.now_ms();
    let (job, seen) = env.run_all(&req).await;
    assert_eq!((job.state, job.ok, job.failed, job.throttled), (JobState::Done, 4, 0, 1), "{job:?}");
    assert!(env.clock.now_ms() - t >= 15_000, "backed off before trying again");
    assert!(seen.iter().any(|p| p.waiting_until_ms.is_some()));
    // Five rows: the refused call and the four that went through.
    assert_eq!(env.history(job.id, None), 5);
    assert_eq!(env.history(job.id, Some(Outcome::Ok)), 4);
    assert_eq!(env.sb.state()["faults_applied"]["ceffu"], 1);
}

/// The app starting again on the same data folder (the store is opened afresh, which runs recovery).
fn restart(env: Env) -> Env {
    let Env { sb, clock, store, dir, secrets, accounts, transport, sleeper } = env;
    drop(store);
    let store = open(dir.path(), &secrets, &clock);
    Env { sb, clock, store, dir, secrets, accounts, transport, sleeper }
}

/// What a runner writes (and makes durable) just before a job's call leaves: its pending history row.
fn begin_call_row(env: &Env, job_id: i64) -> i64 {
    env.store
        .history
        .begin(NewEntry {
            job_id: Some(job_id),
            account_id: None,
            account_label: "in flight".into(),
            provider: "cybavo".into(),
            environment: Environment::Sandbox,
            operation: "resend-withdrawal-callbacks".into(),
            scope: String::new(),
            search_text: String::new(),
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://127.0.0.1/".into(),
                headers: Vec::new(),
                body: String::new(),
            },
        })
        .unwrap()
}

/// A second store on the same data folder: another runner (as the CLI is to the app).
fn second_runner(env: &Env) -> Store {
    open(env.dir.path(), &env.secrets, &env.clock)
}

#[tokio::test]
async fn a_job_is_run_by_one_runner_at_a_time_and_a_stale_lease_is_taken_over() {
    use callback_desk::ErrorCode;
    let env = start().await;
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({"serials": [90000000002i64]}), None, None);
    let plan = env.store.jobs.plan(&req).unwrap();
    let id = env.store.jobs.create(&plan).unwrap();
    assert_eq!(env.store.jobs.get(id).unwrap().state, JobState::Paused, "nothing sent until a runner claims it");
    let other = second_runner(&env);

    // The first runner holds the job: the second is refused, and opening a store does not interrupt it.
    let lease = env.store.jobs.claim(id).unwrap();
    let root = env.sb.base_url();
    let err = other
        .jobs
        .run(id, Some(&root), &env.transport, &env.sleeper, &JobControl::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::JobAlreadyRunning);
    assert_eq!(err.params["job_id"], id);
    assert_eq!(err.params["pid"], std::process::id());
    assert_eq!(err.to_string().split(' ').next(), Some("job.already_running"));
    let third = second_runner(&env);
    let seen_by_other = third.jobs.get(id).unwrap();
    assert_eq!(seen_by_other.state, JobState::Running);
    assert_eq!(seen_by_other.runner_pid, Some(i64::from(std::process::id())), "shown as running elsewhere");
    assert_eq!(env.store.jobs.get(id).unwrap().runner_pid, None, "not elsewhere for its own runner");
    assert_eq!(env.calls("cybavo"), 0);

    // No heartbeat for longer than the stale period: the second runner takes over, and the first one,
    // waking up, stops before sending anything.
    env.clock.advance_ms(callback_desk::jobs::LEASE_STALE_MS + 1);
    let taken = other.jobs.claim(id).unwrap();
    let err = env
        .store
        .jobs
        .run_claimed(lease, Some(&root), &env.transport, &env.sleeper, &JobControl::new(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::JobAlreadyRunning);
    assert_eq!(env.calls("cybavo"), 0, "the runner that lost its lease sent nothing");
    let job = other
        .jobs
        .run_claimed(taken, Some(&root), &env.transport, &env.sleeper, &JobControl::new(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!((job.state, job.ok), (JobState::Done, 1));
    assert_eq!(env.calls("cybavo"), 1);
    assert_eq!(env.store.jobs.get(id).unwrap().runner_pid, None, "the lease is given up at the end");
}

#[tokio::test]
async fn the_lease_of_a_runner_that_died_is_taken_over_at_once() {
    let env = start().await;
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({"serials": [90000000002i64]}), None, None);
    let id = env.store.jobs.create(&env.store.jobs.plan(&req).unwrap()).unwrap();
    // A runner that has exited (its process is gone) left the job running with a fresh heartbeat.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_callback-desk-cli"))
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    assert!(!callback_desk::process::pid_alive(i64::from(dead_pid)));
    let row = begin_call_row(&env, id);
    {
        let conn = rusqlite::Connection::open(env.dir.path().join(callback_desk::db::DB_FILE)).unwrap();
        conn.execute("UPDATE jobs SET state = 'running', in_flight = 0 WHERE id = ?1", [id]).unwrap();
        conn.execute(
            "INSERT INTO job_leases (job_id, owner, pid, heartbeat_ms, taken_at_ms) VALUES (?1, 'gone', ?2, ?3, ?3)",
            rusqlite::params![id, dead_pid, env.clock.now_ms()],
        )
        .unwrap();
    }
    // Listing finds it interrupted, its call in flight unknown and not sent again.
    let job = env.store.jobs.list().unwrap().into_iter().find(|j| j.id == id).unwrap();
    assert_eq!((job.state, job.next_index, job.unknown, job.runner_pid), (JobState::Interrupted, 1, 1, None));
    let (_, rows) = env.store.jobs.results(id).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, callback_desk::results::ResultOutcome::Unknown);
    assert_eq!(rows[0].error.as_ref().unwrap()["code"], "history.interrupted");
    assert_eq!(rows[0].history_id, Some(row));
}

#[tokio::test]
async fn a_call_marked_in_flight_that_never_began_is_sent_on_resume() {
    let env = start().await;
    let serials = [90000000002i64, 90000000003];
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({ "serials": serials }), None, None);
    let id = env.store.jobs.create(&env.store.jobs.plan(&req).unwrap()).unwrap();
    // The runner stopped after marking the first call in flight and before writing its history row, so
    // nothing was sent.
    {
        let conn = rusqlite::Connection::open(env.dir.path().join(callback_desk::db::DB_FILE)).unwrap();
        conn.execute("UPDATE jobs SET state = 'running', in_flight = 0 WHERE id = ?1", [id]).unwrap();
    }
    let env = restart(env);
    let job = env.store.jobs.get(id).unwrap();
    assert_eq!((job.state, job.next_index, job.unknown), (JobState::Interrupted, 0, 0), "{job:?}");
    let (_, rows) = env.store.jobs.results(id).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.outcome == callback_desk::results::ResultOutcome::NotSent), "{rows:?}");
    let job = env.run(id, &JobControl::new(), &Mutex::new(Vec::new())).await;
    assert_eq!((job.state, job.ok, job.unknown, job.failed), (JobState::Done, 2, 0, 0), "{job:?}");
    assert_eq!(env.calls("cybavo"), 2);
    assert_eq!(env.history(id, Some(Outcome::Ok)), 2);
}

#[test]
fn two_runners_claiming_at_the_same_moment_one_wins() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = rt.block_on(start());
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({"serials": [90000000002i64]}), None, None);
    let plan = env.store.jobs.plan(&req).unwrap();
    let stores = [second_runner(&env), second_runner(&env)];
    for _ in 0..20 {
        let id = env.store.jobs.create(&plan).unwrap();
        let barrier = std::sync::Barrier::new(2);
        let results: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = stores
                .iter()
                .map(|st| {
                    let barrier = &barrier;
                    s.spawn(move || {
                        barrier.wait();
                        st.jobs.claim(id).ok()
                    })
                })
                .collect();
            // Both answers are in before either lease is given up.
            let leases: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            leases.iter().map(Option::is_some).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{results:?}");
    }
}

#[tokio::test]
async fn a_bulk_query_gives_one_result_row_per_serial_with_the_decoded_callback() {
    use callback_desk::results::{write_csv, ResultOutcome, CSV_HEADER};
    let env = start().await;
    // 250 serials: three calls of at most 100; the demo wallet holds 90000000001..=90000000060.
    let ids: Vec<i64> = (90_000_000_001..=90_000_000_250).collect();
    let req = env.request("cybavo", "query-callbacks", json!({ "ids": ids }), None, None);
    let plan = env.store.jobs.plan(&req).unwrap();
    assert_eq!(plan.calls.len(), 3);
    let id = env.store.jobs.create(&plan).unwrap();
    // Stop after the first call: the rest is `not_sent`.
    let control = JobControl::new();
    let c = control.clone();
    let root = env.sb.base_url();
    let job = env
        .store
        .jobs
        .run(id, Some(&root), &env.transport, &env.sleeper, &control, &mut |p: &JobProgress| {
            if p.done == 1 {
                c.cancel();
            }
        })
        .await
        .unwrap();
    assert_eq!((job.state, job.next_index), (JobState::Cancelled, 1));
    let (_, rows) = env.store.jobs.results(id).unwrap();
    assert_eq!(rows.len(), 250);
    assert_eq!(rows.iter().filter(|r| r.outcome == ResultOutcome::Ok).count(), 60);
    assert_eq!(rows.iter().filter(|r| r.outcome == ResultOutcome::NotFound).count(), 40);
    assert_eq!(rows.iter().filter(|r| r.outcome == ResultOutcome::NotSent).count(), 150);
    assert_eq!(rows[0].id, "90000000001");
    assert_eq!(rows[0].callback.as_ref().unwrap()["serial"], 90_000_000_001i64);
    assert_eq!((rows[99].call, rows[100].call, rows[249].call), (1, 2, 3));
    let history_id = rows[0].history_id.unwrap();
    assert!(rows[..100].iter().all(|r| r.history_id == Some(history_id) && r.http_status == Some(200)));

    // Resumed to the end, the results file has a line per serial and the callback columns.
    let job = env.run(id, &JobControl::new(), &Mutex::new(Vec::new())).await;
    assert_eq!((job.state, job.ok), (JobState::Done, 3));
    let (_, rows) = env.store.jobs.results(id).unwrap();
    assert!(rows.iter().all(|r| matches!(r.outcome, ResultOutcome::Ok | ResultOutcome::NotFound)));
    let mut out = Vec::new();
    assert_eq!(write_csv(&job_op(&env, "query-callbacks"), &rows, &mut out).unwrap(), 250);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 251);
    let file_columns: Vec<String> =
        job_op(&env, "query-callbacks").lookup.unwrap().file_columns.into_iter().map(|c| c.header).collect();
    assert!(lines[0].starts_with(&CSV_HEADER.join(",")) && lines[0].ends_with(&file_columns.join(",")), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("90000000001,1,ok,200,,,,{history_id},deposit,")), "{}", lines[1]);
    assert!(lines[250].starts_with("90000000250,3,not_found,200,"), "{}", lines[250]);
    let demo = env.sb.demo_accounts();
    let secret = demo["cybavo"]["api_secret"].as_str().unwrap();
    assert!(!text.contains(secret), "the API secret is in the results");
    assert!(!text.to_ascii_lowercase().contains("x-checksum"));
}

#[tokio::test]
async fn a_single_lookup_has_results_too() {
    use callback_desk::actions::ActionRequest;
    use callback_desk::results::{action_results, ResultOutcome};
    let env = start().await;
    let req = ActionRequest {
        account_id: env.account("cybavo", None),
        operation: "query-callbacks".into(),
        params: json!({"ids": [90000000002i64, 90000000999i64]}).as_object().unwrap().clone(),
    };
    let root = env.sb.base_url();
    let r = env.store.actions.run(&req, Some(&root), &env.transport, None).await.unwrap();
    let (op, rows) = action_results(&env.store.history, r.history_id).unwrap();
    assert_eq!(op.name, "query-callbacks");
    assert_eq!(
        rows.iter().map(|r| (r.id.as_str(), r.outcome)).collect::<Vec<_>>(),
        [("90000000002", ResultOutcome::Ok), ("90000000999", ResultOutcome::NotFound)]
    );
    assert_eq!(rows[0].callback.as_ref().unwrap()["type_label"], "withdraw");
}

#[tokio::test]
async fn a_stopped_job_is_cancelled_without_sending_unless_another_runner_holds_it() {
    let env = start().await;
    let req = env.request("cybavo", "resend-withdrawal-callbacks", json!({"serials": [90000000002i64]}), None, None);
    let id = env.store.jobs.create(&env.store.jobs.plan(&req).unwrap()).unwrap();
    let other = second_runner(&env);
    let lease = other.jobs.claim(id).unwrap();
    let err = env.store.jobs.cancel_stopped(id).unwrap_err();
    assert_eq!(err.code, callback_desk::ErrorCode::JobAlreadyRunning);
    drop(lease);
    let job = env.store.jobs.cancel_stopped(id).unwrap();
    assert_eq!((job.state, job.next_index, job.runner_pid), (JobState::Cancelled, 0, None));
    assert_eq!(env.calls("cybavo"), 0);
}

/// A single resend never leaves over a known budget: with CCPayment v1's minute used, the next one is
/// refused before anything is recorded or sent, saying when it may go; two stores over one data folder
/// (as the app and the command line are) racing for the next slot send one call between them.
#[tokio::test]
async fn single_resends_over_the_budget_are_refused_before_they_leave() {
    use callback_desk::actions::ActionRequest;
    use callback_desk::error::ErrorCode;
    use callback_desk::providers::OutcomeKind;
    let env = start().await;
    let root = env.sb.base_url();
    let now = now_s(&env);
    let req = ActionRequest {
        account_id: env.account("ccpayment", Some("v1")),
        operation: "resend-webhooks".into(),
        params: json!({"start_timestamp": now - 3_600, "end_timestamp": now}).as_object().unwrap().clone(),
    };
    let all = HistoryFilter::default();
    let first = env.store.actions.run(&req, Some(&root), &env.transport, None).await.unwrap();
    assert_eq!(first.outcome, OutcomeKind::Ok, "{first:?}");

    env.clock.advance_ms(5_000);
    let refused = env.store.actions.run(&req, Some(&root), &env.transport, None).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::BudgetWait, "{refused:?}");
    assert_eq!(refused.params["wait_seconds"], 56, "one minute and the 1 s margin after the first call");
    assert_eq!((env.calls("ccpayment-v1"), env.rejections()), (1, 0));
    assert_eq!(env.store.history.count(&all).unwrap(), 1, "a refused request is not an action");

    env.clock.advance_ms(56_000);
    let other = open(env.dir.path(), &env.secrets, &env.clock);
    let (a, b) = tokio::join!(
        env.store.actions.run(&req, Some(&root), &env.transport, None),
        other.actions.run(&req, Some(&root), &env.transport, None),
    );
    let sent = [&a, &b].iter().filter(|r| r.as_ref().is_ok_and(|r| r.outcome == OutcomeKind::Ok)).count();
    let waiting = [&a, &b].iter().filter(|r| r.as_ref().is_err_and(|e| e.code == ErrorCode::BudgetWait)).count();
    assert_eq!((sent, waiting), (1, 1), "{a:?} {b:?}");
    assert_eq!((env.calls("ccpayment-v1"), env.rejections()), (2, 0));
    assert_eq!(env.store.history.count(&all).unwrap(), 2);
}

/// "Fix and retry the failed ones": a Ceffu job sent with a webhook endpoint ID the provider does not know
/// fails every call for that reason; its failures name it once for all four calls, and a plan of exactly
/// those calls, corrected, runs to the end.
#[tokio::test]
async fn the_failed_calls_of_a_job_are_planned_again_with_their_reason() {
    let env = start().await;
    let since = now_s(&env) - 3_600;
    let req = env.request("ceffu", "resend-webhooks", json!({"webhookId": "1"}), Some(since), None);
    let plan = env.store.jobs.plan(&req).unwrap();
    let (job, _) = env.run_all(&req).await;
    assert_eq!((job.state, job.total, job.ok, job.failed, job.unknown), (JobState::Done, 4, 0, 4, 0), "{job:?}");

    let failures = env.store.jobs.failures(job.id).unwrap();
    assert_eq!((failures.failed, failures.unknown), (4, 0));
    assert_eq!(failures.reasons.len(), 1, "{:?}", failures.reasons);
    assert_eq!(failures.reasons[0].calls, 4);
    assert_eq!(failures.reasons[0].error["code"], "provider.invalid_parameter", "{:?}", failures.reasons);
    let retry = failures.retry.expect("a retry plan");
    let calls = retry.calls.clone().unwrap();
    assert_eq!(calls, plan.calls.iter().map(|c| c.params.clone()).collect::<Vec<_>>(), "exactly the failed calls");
    assert_eq!((retry.account_id, retry.operation.as_str()), (req.account_id, "resend-webhooks"));

    // The user corrects the endpoint ID in the plan shown, and starts it.
    let fixed: Vec<Map<String, Value>> = calls
        .into_iter()
        .map(|mut c| {
            c.insert("webhookId".into(), json!(ceffu_sb::demo::WEBHOOK_ID));
            c
        })
        .collect();
    let again = PlanRequest { calls: Some(fixed), ..retry };
    let (job2, _) = env.run_all(&again).await;
    assert_eq!((job2.state, job2.total, job2.ok, job2.failed), (JobState::Done, 4, 4, 0), "{job2:?}");
    assert_eq!(env.calls("ceffu"), 8);
    assert!(env.store.jobs.failures(job2.id).unwrap().retry.is_none(), "nothing failed: nothing to retry");
}

/// A call whose outcome is unknown may have been carried out: it is counted, never put in the retry plan;
/// only the call the provider refused is (an Avista transaction it does not know).
#[tokio::test]
async fn a_retry_plan_holds_the_refused_calls_and_never_the_unknown_ones() {
    use callback_desk::sandbox::{Fault, FaultKind};
    let env = start().await;
    let ids = ["PAG-2024-0001", "PAG-2024-0002", "NO-SUCH-TRANSACTION"];
    let req = env.request("avista", "resend-webhook", json!({ "transaction_identifiers": ids }), None, None);
    let plan = env.store.jobs.plan(&req).unwrap();
    assert_eq!(plan.calls.len(), 3);
    let id = env.store.jobs.create(&plan).unwrap();
    let injected = Mutex::new(std::collections::HashSet::new());
    // After the first call the connection is reset: the second one's outcome is unknown.
    let mut progress = |p: &JobProgress| {
        if p.done == 1 && injected.lock().unwrap().insert(p.done) {
            env.sb.inject(Fault::new("avista", FaultKind::Reset));
        }
    };
    let root = env.sb.base_url();
    let job = env
        .store
        .jobs
        .run(id, Some(&root), &env.transport, &env.sleeper, &JobControl::new(), &mut progress)
        .await
        .unwrap();
    assert_eq!((job.ok, job.unknown, job.failed), (1, 1, 1), "{job:?}");
    let failures = env.store.jobs.failures(id).unwrap();
    assert_eq!((failures.failed, failures.unknown), (1, 1));
    assert_eq!(failures.retry.unwrap().calls.unwrap(), vec![plan.calls[2].params.clone()]);
    assert_eq!(failures.reasons.len(), 1);
    assert_eq!(failures.reasons[0].error["code"], "provider.not_found", "{:?}", failures.reasons);
}

/// One resend that waits for the budget is a job of that one call: planned as given, it waits for the
/// minute CCPayment allows and then goes out; nothing is sent before.
#[tokio::test]
async fn a_plan_of_given_calls_sends_exactly_them_when_the_budget_allows() {
    use callback_desk::actions::ActionRequest;
    let env = start().await;
    let root = env.sb.base_url();
    let now = now_s(&env);
    let params = json!({"start_timestamp": now - 3_600, "end_timestamp": now}).as_object().unwrap().clone();
    let account_id = env.account("ccpayment", Some("v1"));
    let single = ActionRequest { account_id, operation: "resend-webhooks".into(), params: params.clone() };
    env.store.actions.run(&single, Some(&root), &env.transport, None).await.unwrap();
    let req = PlanRequest {
        account_id,
        operation: "resend-webhooks".into(),
        calls: Some(vec![params.clone()]),
        ..PlanRequest::default()
    };
    let plan = env.store.jobs.plan(&req).unwrap();
    assert_eq!(plan.calls.len(), 1);
    assert_eq!(plan.calls[0].params, params);
    assert!(plan.estimated_seconds >= 55, "the minute is taken: {}", plan.estimated_seconds);
    let t = env.clock.now_ms();
    let (job, seen) = env.run_all(&req).await;
    assert_eq!((job.state, job.ok), (JobState::Done, 1), "{job:?}");
    assert!(seen.iter().any(|p| p.waiting_until_ms.is_some()), "it waited for the budget");
    assert!(env.clock.now_ms() - t >= 55_000);
    assert_eq!((env.calls("ccpayment-v1"), env.rejections()), (2, 0));

    // No call, or too many, is refused before anything is stored.
    let none = PlanRequest { calls: Some(vec![]), ..req.clone() };
    assert_eq!(env.store.jobs.plan(&none).unwrap_err().code, callback_desk::ErrorCode::InputMissing);
    let bad = PlanRequest { calls: Some(vec![json!({"start_timestamp": "soon"}).as_object().unwrap().clone()]), ..req };
    assert!(env.store.jobs.plan(&bad).is_err(), "each call is checked as it would be sent");
}
