//! The command-line companion on stored accounts and history: `accounts add|list|remove`, `call
//! --account-id` (recorded in history as the app does), `history list|export`. Needs the real keyring,
//! so it is ignored by a plain `cargo test` and run by the test command inside a desktop session.

mod common;

use common::{cli, start_sandbox};
use serde_json::Value;

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn accounts_call_and_history_through_the_cli() {
    let _keyring = common::keyring_lock();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut sandbox, demo) = start_sandbox();
    let canary = "cli-canary-secret-4f2e";

    // A CYBAVO account from the sandbox's demo file, and a CCPayment one whose secret is a canary.
    let cy = dir.path().join("cybavo.json");
    std::fs::write(&cy, demo["cybavo"].to_string()).unwrap();
    let (code, id, err) = cli(&data, &["accounts", "add", "--account", cy.to_str().unwrap(), "--label", "Store CY"]);
    assert_eq!(code, 0, "{err}");
    let id = id.trim().to_owned();
    let mut cc = demo["ccpayment-v1"].clone();
    cc["app_secret"] = Value::String(canary.into());
    let ccf = dir.path().join("cc.json");
    std::fs::write(&ccf, cc.to_string()).unwrap();
    let (code, cc_id, err) =
        cli(&data, &["accounts", "add", "--account", ccf.to_str().unwrap(), "--label", "Store CC"]);
    assert_eq!(code, 0, "{err}");

    let (code, list, _) = cli(&data, &["accounts", "list"]);
    assert_eq!(code, 0);
    assert!(!list.contains(canary) && !list.contains(demo["cybavo"]["api_secret"].as_str().unwrap()));
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0]["secrets"].as_array().unwrap().iter().all(|s| s["set"] == true));

    // A call by account id is recorded in history.
    let (code, out, err) = cli(
        &data,
        &[
            "call",
            "--account-id",
            &id,
            "--operation",
            "resend-withdrawal-callbacks",
            "--params",
            r#"{"notification_id":0}"#,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["outcome"], "ok");
    assert!(out["result"]["count"].as_i64().is_some());
    // The canary secret is refused by the sandbox: a failed row with its error code.
    let now = chrono::Utc::now().timestamp();
    let params = format!(r#"{{"start_timestamp":{},"end_timestamp":{}}}"#, now - 3600, now);
    let (code, out, _) =
        cli(&data, &["call", "--account-id", cc_id.trim(), "--operation", "resend-webhooks", "--params", &params]);
    assert_eq!(code, 1);
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["error_code"], "auth.signature_rejected");

    let (code, rows, _) = cli(&data, &["history", "list", "--json"]);
    assert_eq!(code, 0);
    let rows: Vec<Value> = rows.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["outcome"], "failed");
    assert_eq!(rows[1]["outcome"], "ok");
    assert_eq!(rows[1]["scope"], "notification_id=0 (all)");
    let (_, failed, _) = cli(&data, &["history", "list", "--json", "--outcome", "failed"]);
    assert_eq!(failed.lines().count(), 1);

    let csv = dir.path().join("h.csv");
    let (code, _, _) = cli(&data, &["history", "export", "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().filter(|l| l.contains("Store C")).count(), 2);
    assert!(!text.contains(canary), "the export contains a secret");
    assert!(text.contains("<redacted>"), "signature headers are masked");

    // Removing an account keeps its history under its label.
    let (code, _, _) = cli(&data, &["accounts", "remove", &id]);
    assert_eq!(code, 0);
    let (_, rows, _) = cli(&data, &["history", "list", "--json"]);
    assert!(rows.contains("Store CY"));
    sandbox.kill().ok();
    sandbox.wait().ok();
    // The canary is in no file of the data folder.
    for entry in walk(&data) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!bytes.windows(canary.len()).any(|w| w == canary.as_bytes()), "canary in {}", entry.display());
    }
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(p).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
