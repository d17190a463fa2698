//! `callback-desk-cli bulk plan|run|list` on stored accounts: the plan printed as one JSON object with the
//! exact params of each call, and a run printing progress lines and recording one history row per call
//! with the job's id. Needs the real keyring, so it is ignored by a plain `cargo test` and run by the test
//! command inside a desktop session.

mod common;

use common::{cli, start_sandbox};
use serde_json::Value;

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn bulk_plan_and_run_through_the_cli() {
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

    // CCPayment v1 over 29.5 hours: 30 windows of at most an hour, at 1/min and 25/day: two days.
    let until = 1_760_000_000i64;
    let since = until - 30 * 3_600 + 1_800;
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
    assert_eq!(plan["days"], 2);
    assert!(plan["estimated_seconds"].as_i64().unwrap() >= 29 * 60);
    let (code, _, err) = cli(
        &data,
        &["bulk", "plan", "--account-id", &cc, "--operation", "resend-webhooks", "--since", "20", "--until", "10"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("before_since"), "{err}");

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
