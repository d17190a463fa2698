//! Bulk CYBAVO `query-callbacks` against the in-process sandbox over loopback.
//!
//! 1. Limits off: 10,000 serials in one operation (the engine splits it into 100 calls of 100 ids, each
//!    signed afresh and verified) — total time, calls/s, serials/s.
//! 2. Sandbox limit on (600 calls/min per wallet), calls sent unpaced: how many the provider accepts
//!    against how many were attempted, versus the allowed rate. The engine does not pace calls yet, so
//!    this part only reports.
//!
//! Run: `cargo bench -p callback-desk --bench bulk_query`.

use callback_desk::clock::SystemClock;
use callback_desk::error::ErrorCode;
use callback_desk::providers::cybavo::sandbox::Settings as CybavoSettings;
use callback_desk::providers::{self, Account, OutcomeKind};
use callback_desk::sandbox::{Sandbox, SandboxConfig};
use callback_desk::transport::{HttpTransport, TransportConfig};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const SERIALS: i64 = 10_000;
const FIRST_SERIAL: i64 = 90_000_000_001;
const LIMIT_PER_MINUTE: u32 = 600;
const LIMITED_CALLS: usize = 1_000;

fn params(ids: &[i64]) -> Map<String, Value> {
    json!({ "ids": ids }).as_object().cloned().unwrap()
}

async fn unlimited(transport: &HttpTransport) {
    let sb = Sandbox::start(SandboxConfig::without_limits()).await.expect("sandbox starts");
    let account = Account::from_map(sb.demo_accounts()["cybavo"].as_object().unwrap()).unwrap();
    let ids: Vec<i64> = (FIRST_SERIAL..FIRST_SERIAL + SERIALS).collect();
    // Warm-up: one connection, one call.
    let _ = providers::execute(&account, "query-callbacks", &params(&ids[..100]), &SystemClock, transport).await;

    let mut best = Duration::MAX;
    let mut runs = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let out = providers::execute(&account, "query-callbacks", &params(&ids), &SystemClock, transport).await;
        let took = started.elapsed();
        assert_eq!(out.outcome, OutcomeKind::Ok, "{:?}", out.error);
        assert_eq!(out.calls.len(), 100);
        let found = out.result["notifications"].as_array().map_or(0, Vec::len);
        assert_eq!(found, 60, "wallet 55743 holds 60 callbacks");
        best = best.min(took);
        runs.push(took);
    }
    let mean = runs.iter().sum::<Duration>() / runs.len() as u32;
    let calls = 100.0;
    println!("bulk_query / limits off: {SERIALS} serials = 100 calls of 100 ids (5 runs)");
    for (label, d) in [("mean", mean), ("best", best)] {
        let s = d.as_secs_f64();
        println!(
            "  {label:<4} total {:>8.1} ms   {:>8.0} calls/s   {:>10.0} serials/s   {:>6.2} ms/call",
            s * 1e3,
            calls / s,
            SERIALS as f64 / s,
            s * 1e3 / calls
        );
    }
    sb.shutdown().await;
}

async fn limited(transport: &HttpTransport) {
    let mut config = SandboxConfig::default();
    config.settings_mut::<CybavoSettings>().per_minute = LIMIT_PER_MINUTE;
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    let account = Account::from_map(sb.demo_accounts()["cybavo"].as_object().unwrap()).unwrap();
    let batch: Vec<i64> = (FIRST_SERIAL..FIRST_SERIAL + 100).collect();
    let p = params(&batch);
    let (mut ok, mut limited, mut other) = (0usize, 0usize, 0usize);
    let mut first_limited_at = None;
    let started = Instant::now();
    for i in 0..LIMITED_CALLS {
        let out = providers::execute(&account, "query-callbacks", &p, &SystemClock, transport).await;
        match (out.outcome, out.error_code()) {
            (OutcomeKind::Ok, _) => ok += 1,
            (_, Some(ErrorCode::ProviderRateLimited)) => {
                limited += 1;
                first_limited_at.get_or_insert(i + 1);
            }
            _ => other += 1,
        }
    }
    let s = started.elapsed().as_secs_f64();
    println!("bulk_query / sandbox limit {LIMIT_PER_MINUTE} calls/min, {LIMITED_CALLS} calls of 100 ids sent unpaced:");
    println!(
        "  took {:.1} ms: attempted {:.0} calls/min ({:.0}x the allowed rate)",
        s * 1e3,
        LIMITED_CALLS as f64 / s * 60.0,
        LIMITED_CALLS as f64 / s * 60.0 / f64::from(LIMIT_PER_MINUTE)
    );
    println!(
        "  accepted {ok} ({} serials), rejected provider.rate_limited {limited} (first at call #{}), other errors {other}",
        ok * 100,
        first_limited_at.map_or("-".to_owned(), |n| n.to_string())
    );
    println!(
        "  achieved: {ok} accepted calls in this minute = {:.0}% of the allowed {LIMIT_PER_MINUTE}/min; \
         {:.0}% of attempts were wasted (no pacing yet)",
        ok as f64 / f64::from(LIMIT_PER_MINUTE) * 100.0,
        limited as f64 / LIMITED_CALLS as f64 * 100.0
    );
    let at_allowed = Duration::from_secs_f64(SERIALS as f64 / 100.0 / f64::from(LIMIT_PER_MINUTE) * 60.0);
    println!(
        "  at the allowed rate, {SERIALS} serials (100 calls) need at least {:.1} s of budget; \
         they fit in one minute's window, so an unpaced run of them is not throttled",
        at_allowed.as_secs_f64()
    );
    sb.shutdown().await;
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter here.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let transport = HttpTransport::new(TransportConfig::default()).unwrap();
    rt.block_on(async {
        unlimited(&transport).await;
        limited(&transport).await;
    });
}
