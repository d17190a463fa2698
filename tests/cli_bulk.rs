//! `callback-desk-cli bulk plan|run|list|resume|results` on stored accounts: the plan printed as one JSON
//! object with the exact params of each call, a run printing progress lines and recording one history row
//! per call with the job's id, the results file, and a job refused while another process runs it. Needs
//! the real keyring, so it is ignored by a plain `cargo test` and run by the test
//! command inside a desktop session.

mod common;

use common::{cli, start_sandbox};
use serde_json::Value;

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn bulk_plan_and_run_through_the_cli() {
    let _keyring = common::keyring_lock();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut sandbox, demo) = start_sandbox();
    let add = |key: &str, label: &str| {
        let f = dir.path().join(format!("{key}.json"));
        std::fs::write(&f, demo[key].to_string()).unwrap();
        let (code, id, err) = cli(&data, &["accounts", "add", "--account", f.to_str().unwrap(), "--label", label]);
        assert_eq!(code, 0, "{err}");
        id.trim().to_owned()
    };
    let cc = add("ccpayment-v1", "Bulk CC");
    let cy = add("cybavo", "Bulk CY");

    // CCPayment v1 over 29.5 hours: 30 windows of at most an hour, at 1/min and 25/day (UTC days): two days,
    // or three when the plan begins in the last minutes of a UTC day (fewer than 5 calls fit in it).
    let until = 1_760_000_000i64;
    let since = until - 30 * 3_600 + 1_800;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let days = if 86_400 - now % 86_400 > 6 * 60 { vec![2] } else { vec![2, 3] };
    let (code, out, err) = cli(
        &data,
        &[
            "bulk",
            "plan",
            "--account-id",
            &cc,
            "--operation",
            "resend-webhooks",
            "--since",
            &since.to_string(),
            "--until",
            &until.to_string(),
            "--params",
            r#"{"webhook_result":"Failed"}"#,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "one JSON object");
    let plan: Value = serde_json::from_str(&out).unwrap();
    let calls = plan["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 30);
    assert_eq!(
        calls[0]["params"].to_string(),
        format!(r#"{{"start_timestamp":{since},"end_timestamp":{},"webhook_result":"Failed"}}"#, since + 3_600)
    );
    assert_eq!(calls[29]["params"]["end_timestamp"], until);
    assert!(days.contains(&plan["days"].as_i64().unwrap()), "{} days", plan["days"]);
    assert!(plan["estimated_seconds"].as_i64().unwrap() >= 29 * 60);
    let (code, _, err) = cli(
        &data,
        &["bulk", "plan", "--account-id", &cc, "--operation", "resend-webhooks", "--since", "20", "--until", "10"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("before_since"), "{err}");
    // Extreme or huge inputs get a clear error at once (before: 24 GB, then killed; or a panic).
    let (code, _, err) = cli(
        &data,
        &["bulk", "plan", "--account-id", &cc, "--operation", "resend-webhooks"]
            .into_iter()
            .chain(["--since=-9223372036854775808", "--until=9223372036854775807"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("time_out_of_range"), "{err}");
    let year_ago = (until - 400 * 86_400).to_string();
    let (code, _, err) =
        cli(&data, &["bulk", "plan", "--account-id", &cc, "--operation", "resend-webhooks", "--since", &year_ago]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"code\":\"input.plan_too_large\"") && err.contains("\"max_calls\":2250"), "{err}");
    for flag in ["--from=-9223372036854775808", "--to=9223372036854775807"] {
        for command in ["list", "export"] {
            let csv = dir.path().join("never.csv");
            let args: Vec<&str> = match command {
                "list" => vec!["history", "list", flag],
                _ => vec!["history", "export", flag, "--csv", csv.to_str().unwrap()],
            };
            let (code, _, err) = cli(&data, &args);
            assert_eq!(code, 1, "history {command} {flag}: {err}");
            assert!(err.contains("time_out_of_range"), "{err}");
        }
    }

    // A CYBAVO job of three serials runs at once: progress lines, then the finished job.
    let (code, out, err) = cli(
        &data,
        &[
            "bulk",
            "run",
            "--account-id",
            &cy,
            "--operation",
            "resend-withdrawal-callbacks",
            "--params",
            r#"{"serials":[90000000002,90000000003,90000000004]}"#,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let job = lines.last().unwrap();
    assert_eq!((job["state"].as_str(), job["ok"].as_u64()), (Some("done"), Some(3)), "{out}");
    assert!(lines.iter().any(|p| p["done"] == 2 && p["total"] == 3));
    let (_, rows, _) = cli(&data, &["history", "list", "--json"]);
    let rows: Vec<Value> = rows.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["job_id"] == job["id"] && r["outcome"] == "ok"));
    let (code, list, _) = cli(&data, &["bulk", "list"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    sandbox.kill().ok();
    sandbox.wait().ok();
}

/// `bulk results` writes a job's results file; a job another runner holds is refused with
/// `job.already_running` (and the fix), and becomes resumable at once when that runner dies.
#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn one_runner_per_job_and_the_results_file() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let _keyring = common::keyring_lock();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut sandbox, demo) = start_sandbox();
    let add = |key: &str, label: &str| {
        let f = dir.path().join(format!("{key}.json"));
        std::fs::write(&f, demo[key].to_string()).unwrap();
        let (code, id, err) = cli(&data, &["accounts", "add", "--account", f.to_str().unwrap(), "--label", label]);
        assert_eq!(code, 0, "{err}");
        id.trim().to_owned()
    };
    let cy = add("cybavo", "Runner CY");
    let cc = add("ccpayment-v1", "Runner CC");

    // A look-up of 150 serials (two calls); its results file has one line per serial.
    let ids: Vec<i64> = (90_000_000_001..=90_000_000_150).collect();
    let params = serde_json::json!({ "ids": ids }).to_string();
    let (code, out, err) =
        cli(&data, &["bulk", "run", "--account-id", &cy, "--operation", "query-callbacks", "--params", &params]);
    assert_eq!(code, 0, "{out}{err}");
    let job: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let job_id = job["id"].to_string();
    let csv = dir.path().join("results.csv");
    let (code, _, err) = cli(&data, &["bulk", "results", "--job-id", &job_id, "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("150 rows written"), "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 151);
    assert!(lines[0].starts_with("id,call,outcome,http_status,provider_code,error_code,message,history_id,type,"));
    assert!(lines[1].starts_with("90000000001,1,ok,200,"), "{}", lines[1]);
    assert!(lines[150].starts_with("90000000150,2,not_found,200,"), "{}", lines[150]);
    assert!(!text.contains(demo["cybavo"]["api_secret"].as_str().unwrap()));
    let (code, stdout_csv, _) = cli(&data, &["bulk", "results", "--job-id", &job_id, "--csv", "-"]);
    assert_eq!((code, stdout_csv.as_str()), (0, text.as_str()));

    // A CCPayment job (1 call a minute) runs in one process and waits after its first call…
    let until = 1_760_000_000i64;
    let mut first = Command::new(common::CLI)
        .args(["bulk", "run", "--account-id", &cc, "--operation", "resend-webhooks"])
        .args(["--since", &(until - 3 * 3_600).to_string(), "--until", &until.to_string()])
        .env("CALLBACK_DESK_DATA_DIR", &data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
    let waiting: Value = loop {
        let line = lines.next().expect("progress lines").unwrap();
        let p: Value = serde_json::from_str(&line).unwrap();
        if !p["waiting_until_ms"].is_null() {
            break p;
        }
    };
    let cc_job = waiting["job_id"].to_string();
    // …so a second runner is refused, with the fix.
    let (code, _, err) = cli(&data, &["bulk", "resume", "--job-id", &cc_job]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"code\":\"job.already_running\""), "{err}");
    assert!(err.contains(&format!("\"pid\":{}", first.id())), "{err}");
    assert!(err.contains("pause it there"), "{err}");
    let (_, list, _) = cli(&data, &["bulk", "list"]);
    let list: Value = serde_json::from_str(&list).unwrap();
    let held = list.as_array().unwrap().iter().find(|j| j["id"] == waiting["job_id"]).unwrap().clone();
    assert_eq!((held["state"].as_str(), held["runner_pid"].as_u64()), (Some("running"), Some(u64::from(first.id()))));

    // The runner dies: the job is interrupted (resumable) at once, not after the lease's stale period.
    first.kill().unwrap();
    first.wait().unwrap();
    let (_, list, _) = cli(&data, &["bulk", "list"]);
    let list: Value = serde_json::from_str(&list).unwrap();
    let job = list.as_array().unwrap().iter().find(|j| j["id"] == waiting["job_id"]).unwrap().clone();
    assert_eq!((job["state"].as_str(), job["runner_pid"].as_u64()), (Some("interrupted"), None), "{job}");
    sandbox.kill().ok();
    sandbox.wait().ok();
}

/// Processes racing for one budget: ten `call`s of one CCPayment v1 account (1 call a minute) started
/// together, plus a bulk job of three windows on the same account, send one request between them; the
/// others are refused before anything leaves (`budget.wait`, nothing recorded) or wait, and the provider
/// rejects nothing.
#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn processes_racing_for_one_budget_send_once() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let _keyring = common::keyring_lock();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut sandbox, demo) = start_sandbox();
    let cc = add_account(&data, &demo["ccpayment-v1"], "Race CC");

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let params = serde_json::json!({"start_timestamp": now - 3_600, "end_timestamp": now}).to_string();
    let spawn = |args: &[&str]| {
        Command::new(common::CLI)
            .args(args)
            .env("CALLBACK_DESK_DATA_DIR", &data)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut racers: Vec<_> = (0..10)
        .map(|_| spawn(&["call", "--account-id", &cc, "--operation", "resend-webhooks", "--params", &params]))
        .collect();
    let (since, until) = ((now - 3 * 3_600).to_string(), now.to_string());
    let mut job = spawn(&[
        "bulk",
        "run",
        "--account-id",
        &cc,
        "--operation",
        "resend-webhooks",
        "--since",
        &since,
        "--until",
        &until,
    ]);
    let outputs: Vec<(i32, String)> = racers
        .iter_mut()
        .map(|c| {
            let status = c.wait().unwrap();
            let mut text = String::new();
            c.stdout.take().unwrap().read_to_string(&mut text).unwrap();
            c.stderr.take().unwrap().read_to_string(&mut text).unwrap();
            (status.code().unwrap_or(-1), text)
        })
        .collect();
    // The job sent its first window, or found the slot taken: either way it then waits for the budget.
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(job.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("progress lines").unwrap();
        if !serde_json::from_str::<Value>(&line).unwrap()["waiting_until_ms"].is_null() {
            break;
        }
    }
    job.kill().ok();
    job.wait().ok();
    let sent: Vec<_> = outputs.iter().filter(|(code, _)| *code == 0).collect();
    let waiting = outputs.iter().filter(|(code, out)| *code == 1 && out.contains("\"code\":\"budget.wait\"")).count();

    let state = sandbox_state(&demo["ccpayment-v1"]);
    sandbox.kill().ok();
    sandbox.wait().ok();

    assert!(sent.len() <= 1, "{outputs:?}");
    assert_eq!(state["calls"]["ccpayment-v1"], 1, "one request reached the provider: {state}; callers: {outputs:?}");
    let rejected: u64 = state["rejections"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(rejected, 0, "{state}");
    assert_eq!(sent.len() + waiting, 10, "every other caller was told to wait: {outputs:?}");
    let (_, rows, _) = cli(&data, &["history", "list", "--json"]);
    assert_eq!(rows.lines().count(), 1, "only the request that left is in history: {rows}");
}

/// A budget is the merchant's, not the stored account's: a second account of the same CCPayment app, and
/// the account deleted and added again, find the minute's one resend already taken. Nothing more reaches
/// the provider.
#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn a_merchants_budget_is_shared_by_its_accounts_and_outlives_a_deleted_one() {
    let _keyring = common::keyring_lock();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut sandbox, demo) = start_sandbox();
    let add = |label: &str| add_account(&data, &demo["ccpayment-v1"], label);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let params = serde_json::json!({"start_timestamp": now - 3_600, "end_timestamp": now}).to_string();
    let resend =
        |id: &str| cli(&data, &["call", "--account-id", id, "--operation", "resend-webhooks", "--params", &params]);

    let first = add("Shop");
    let (code, _, err) = resend(&first);
    assert_eq!(code, 0, "{err}");
    // The same app stored twice: one budget.
    let second = add("Shop (finance)");
    let (code, _, err) = resend(&second);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"code\":\"budget.wait\""), "{err}");
    // Deleted and added again: the minute's call still counts.
    for id in [&first, &second] {
        assert_eq!(cli(&data, &["accounts", "remove", id]).0, 0);
    }
    let again = add("Shop");
    let (code, _, err) = resend(&again);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"code\":\"budget.wait\""), "{err}");

    let state = sandbox_state(&demo["ccpayment-v1"]);
    sandbox.kill().ok();
    sandbox.wait().ok();
    assert_eq!(state["calls"]["ccpayment-v1"], 1, "one request reached the provider: {state}");
}

/// Stores `account` (an account file's JSON) in the data folder `data` as `label`; returns its id.
fn add_account(data: &std::path::Path, account: &Value, label: &str) -> String {
    let file = data.with_file_name(format!("{}.json", label.replace(' ', "_")));
    std::fs::write(&file, account.to_string()).unwrap();
    let (code, id, err) = cli(data, &["accounts", "add", "--account", file.to_str().unwrap(), "--label", label]);
    assert_eq!(code, 0, "{err}");
    id.trim().to_owned()
}

/// The counters of the sandbox that `account` (one of its account files) calls (`GET /__sandbox/state`).
fn sandbox_state(account: &Value) -> Value {
    use std::io::{Read, Write};
    let port = account["base_url"].as_str().unwrap().split(':').nth(2).unwrap().split('/').next().unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    s.write_all(b"GET /__sandbox/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut state = String::new();
    s.read_to_string(&mut state).unwrap();
    serde_json::from_str(state.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}
