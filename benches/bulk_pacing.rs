//! Bulk work at the provider's pace, measured.
//!
//! 1. 10,000 CYBAVO serials through the app's bulk path (a `query-callbacks` job: planned into 100 calls of
//!    100 ids, each recorded in history, counted against the account's budget, signed afresh and its
//!    response verified) against the in-process sandbox, compared in the same run with a bash loop of
//!    curl and openssl doing the same work (`benches/curl/cybavo_get_by_id.sh`: sign, send, verify each response).
//!    Here the wallet's limit is known to be high (the client budget is set to 1,000,000/min), so only the
//!    work itself is timed. Target: ≥ 5× faster than the bash loop.
//!
//! 2. With the sandbox's limiter on (CYBAVO 30 calls/min per wallet, the client's starting budget), 300
//!    calls in simulated time (a fake clock shared by client and sandbox, moved by the job's sleeper): the
//!    achieved rate as a share of the allowed rate (target ≥ 95 %) and the calls the sandbox rejected
//!    (target 0).
//!
//! Run: `cargo bench -p callback-desk --bench bulk_pacing`.

use callback_desk::accounts::Accounts;
use callback_desk::actions::Actions;
use callback_desk::clock::{Clock, FixedClock, SystemClock};
use callback_desk::db::Db;
use callback_desk::history::History;
use callback_desk::jobs::{FixedClockSleeper, JobControl, JobProgress, JobState, Jobs, PlanRequest, SystemSleeper};
use callback_desk::limits::{LimitSettings, Limits as Budgets};
use callback_desk::providers::cybavo::sandbox::Settings as CybavoSettings;
use callback_desk::sandbox::{Sandbox, SandboxConfig};
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::{MemoryStore, Vault};
use serde_json::json;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

const FIRST_SERIAL: i64 = 90_000_000_001;

/// A store like `Store::open`, with the given budget settings.
fn store_with(dir: &std::path::Path, clock: Arc<dyn Clock>, settings: LimitSettings) -> Store {
    let db = Db::open_in(dir).unwrap();
    let history = Arc::new(History::with_clock(db.clone(), clock.clone()));
    let vault = Arc::new(Vault::new(Arc::new(MemoryStore::default()), db.clone()));
    let accounts = Arc::new(Accounts::new(vault, clock.clone()));
    let limits = Arc::new(Budgets::with_settings(db.clone(), settings));
    let actions = Arc::new(Actions::new(accounts.clone(), history.clone(), limits.clone(), clock.clone()));
    let jobs = Arc::new(Jobs::new(db, actions.clone(), clock));
    Store { accounts, history, actions, limits, jobs }
}

fn query_request(account_id: i64, serials: i64) -> PlanRequest {
    let ids: Vec<i64> = (FIRST_SERIAL..FIRST_SERIAL + serials).collect();
    PlanRequest {
        account_id,
        operation: "query-callbacks".into(),
        params: json!({ "ids": ids }).as_object().cloned().unwrap(),
        since: None,
        until: None,
        calls: None,
    }
}

async fn speed(transport: &HttpTransport) {
    const SERIALS: i64 = 10_000;
    let sb = Sandbox::start(SandboxConfig::without_limits()).await.unwrap();
    let demo = sb.demo_accounts();
    let root = sb.base_url();

    let mut app_runs = Vec::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store = store_with(dir.path(), clock.clone(), LimitSettings::default());
        // The wallet's agreed number at its most (no budget wait in 100 calls).
        let mut file = demo["cybavo"].as_object().unwrap().clone();
        file.insert("calls_per_minute".into(), serde_json::json!(6_000));
        let mut input = callback_desk::accounts::AccountInput::from_account_file(
            &file,
            "Speed".into(),
            Some(callback_desk::accounts::Environment::Sandbox),
            String::new(),
        )
        .unwrap();
        input.base_url = None;
        let id = store.accounts.create(&input).unwrap().id;
        let mut progress = |_: &JobProgress| {};
        let started = Instant::now();
        let job = store
            .jobs
            .start(
                &query_request(id, SERIALS),
                Some(&root),
                transport,
                &SystemSleeper { clock },
                &JobControl::default(),
                &mut progress,
            )
            .await
            .unwrap();
        let took = started.elapsed().as_secs_f64();
        assert_eq!(job.state, JobState::Done);
        assert_eq!((job.total, job.ok), (100, 100));
        app_runs.push(took);
    }

    let cy = &demo["cybavo"];
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/curl/cybavo_get_by_id.sh");
    let mut bash_runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(script)
            .arg(&root)
            .arg(cy["wallet_id"].to_string())
            .arg(cy["api_code"].as_str().unwrap())
            .arg(cy["api_secret"].as_str().unwrap())
            .arg(FIRST_SERIAL.to_string())
            .arg(SERIALS.to_string())
            .output()
            .expect("bash runs");
        let took = started.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(text.trim(), "100 0", "100 calls, 0 unverified responses");
        bash_runs.push(took);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let (app, bash) = (median(&mut app_runs), median(&mut bash_runs));
    println!("bulk_pacing / {SERIALS} CYBAVO serials = 100 get_by_id calls, sign + send + verify (median of 3)");
    println!("  app bulk path (job, history, budgets)  {:>9.1} ms  {:>7.0} calls/s", app * 1e3, 100.0 / app);
    println!("  bash loop of curl + openssl            {:>9.1} ms  {:>7.0} calls/s", bash * 1e3, 100.0 / bash);
    println!("  speed-up                               {:>9.1}x   (target >= 5x)", bash / app);
    sb.shutdown().await;
}

async fn pacing(transport: &HttpTransport) {
    const CALLS: i64 = 300;
    const PER_MINUTE: u32 = 30;
    let clock = FixedClock::at_ms(1_760_000_000_000);
    let mut config = SandboxConfig { clock: Arc::new(clock.clone()), ..SandboxConfig::default() };
    config.settings_mut::<CybavoSettings>().per_minute = PER_MINUTE;
    let sb = Sandbox::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), Arc::new(clock.clone()), LimitSettings::default());
    let accounts = store.accounts.create_sandbox_demo(&sb.base_url()).unwrap();
    let id = accounts.iter().find(|a| a.provider.as_str() == "cybavo").unwrap().id;
    let mut sent_at = Vec::new();
    let mut last_done = 0;
    let mut progress = |p: &JobProgress| {
        if p.done > last_done {
            last_done = p.done;
            sent_at.push(clock.now_ms());
        }
    };
    let started = Instant::now();
    let root = sb.base_url();
    let job = store
        .jobs
        .start(
            &query_request(id, CALLS * 100),
            Some(&root),
            transport,
            &FixedClockSleeper { clock: clock.clone() },
            &JobControl::default(),
            &mut progress,
        )
        .await
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(job.state, JobState::Done);
    let rejected: u64 = sb.state()["rejections"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    // A per-minute budget lets a burst through at once, so the calls occupy the time from the first to the
    // last plus one budget window: that is the span the achieved rate is measured over.
    let span_min = (sent_at.last().unwrap() - sent_at.first().unwrap()) as f64 / 60_000.0 + 1.0;
    let achieved = sent_at.len() as f64 / span_min;
    println!(
        "bulk_pacing / {CALLS} CYBAVO calls with the sandbox limiter on at {PER_MINUTE} calls/min (simulated time)"
    );
    println!(
        "  simulated span {:>6.1} min (first to last call + one window)   achieved {:>5.2} calls/min   share of allowed {:>5.1} %   (target >= 95 %)",
        span_min,
        achieved,
        achieved / f64::from(PER_MINUTE) * 100.0
    );
    println!(
        "  calls ok {}   failed {}   unknown {}   rejected by the sandbox {}   (target 0)   wall {:.1} s",
        job.ok, job.failed, job.unknown, rejected, wall
    );
    sb.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let transport = HttpTransport::new(TransportConfig::default()).unwrap();
    rt.block_on(speed(&transport));
    rt.block_on(pacing(&transport));
}
