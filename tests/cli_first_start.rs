//! The first start of several processes on one new data folder and one system keyring: twelve CLI
//! processes started together, each adding an account, all succeed, create exactly one master key between
//! them, and every account's secrets read back (a signed call through the sandbox). Then the master key
//! goes from the keyring while sealed secrets exist: the accounts are listed as needing re-entry, using one
//! is `vault.master_key_lost`, and neither that nor adding an account creates a new key behind the user's
//! back. Needs the real keyring, so it is ignored by a plain `cargo test` and run by the test command
//! inside a desktop session.

mod common;

use callback_desk::db::Db;
use callback_desk::vault::{KeyringStore, SecretStore, MASTER_KEY_ENTRY};
use common::{cli, start_sandbox, CLI};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

const PROCESSES: usize = 12;

/// Each of `PROCESSES` processes adds one account to `data` from `file`, all started together.
fn add_accounts_at_once(data: &Path, file: &Path) {
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            Command::new(CLI)
                .args(["accounts", "add", "--account", file.to_str().unwrap(), "--label", &format!("First start {i}")])
                .env("CALLBACK_DESK_DATA_DIR", data)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "process {i}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

fn accounts(data: &Path) -> Vec<Value> {
    let (code, out, err) = cli(data, &["accounts", "list"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

/// A signed call with the account's saved secrets; the sandbox verifies the signature.
fn call(data: &Path, id: &Value) -> Value {
    let (_, out, err) = cli(
        data,
        &["call", "--account-id", &id.to_string(), "--operation", "query-callbacks", "--params", r#"{"ids":[1]}"#],
    );
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"))
}

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn processes_starting_together_share_one_master_key_and_a_lost_key_is_never_replaced_silently() {
    let _keyring = common::keyring_lock();
    let keyring = KeyringStore::new();
    let (mut sandbox, demo) = start_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cybavo.json");
    std::fs::write(&file, demo["cybavo"].to_string()).unwrap();

    for round in 0..3 {
        // A first start: no master key in the keyring, a new data folder.
        keyring.delete(MASTER_KEY_ENTRY).unwrap();
        let data = dir.path().join(format!("data-{round}"));
        add_accounts_at_once(&data, &file);

        // Exactly one key: the keyring holds one entry (two would make reading it ambiguous), and every
        // secret was sealed under it.
        assert!(keyring.get(MASTER_KEY_ENTRY).unwrap().is_some(), "round {round}: a master key");
        let db = Db::open_in(&data).unwrap();
        let (sealed, keys, unlabelled): (i64, i64, i64) = db
            .conn()
            .query_row(
                "SELECT count(*), count(DISTINCT key_id), count(*) - count(key_id) FROM account_secrets",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((sealed, keys, unlabelled), (2 * PROCESSES as i64, 1, 0), "round {round}");
        let listed = accounts(&data);
        assert_eq!(listed.len(), PROCESSES, "round {round}");
        for a in &listed {
            assert_eq!(a["secrets_need_reentry"], false, "round {round}: {a}");
            assert!(a["secrets"].as_array().unwrap().iter().all(|s| s["set"] == true), "round {round}: {a}");
        }
        // Every account's secrets read back: the sandbox accepts their signature.
        for a in &listed {
            let out = call(&data, &a["id"]);
            assert_eq!(out["outcome"], "ok", "round {round}: {out}");
        }
    }

    // The key goes from the keyring while secrets are sealed under it.
    let data = dir.path().join("data-2");
    keyring.delete(MASTER_KEY_ENTRY).unwrap();
    let (code, out, err) = cli(&data, &["accounts", "list"]);
    assert_eq!(code, 0, "{err}");
    let listed: Value = serde_json::from_str(&out).unwrap();
    for a in listed.as_array().unwrap() {
        assert_eq!(a["secrets_need_reentry"], true, "{a}");
        assert!(a["secrets"].as_array().unwrap().iter().all(|s| s["set"] == false && s["needs_reentry"] == true));
    }
    assert!(err.contains("can no longer be read"), "{err}");
    let (code, _, err) = cli(
        &data,
        &[
            "call",
            "--account-id",
            &listed[0]["id"].to_string(),
            "--operation",
            "query-callbacks",
            "--params",
            r#"{"ids":[1]}"#,
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("\"code\":\"vault.master_key_lost\""), "{err}");
    let (code, _, err) =
        cli(&data, &["accounts", "add", "--account", file.to_str().unwrap(), "--label", "After the loss"]);
    assert_eq!(code, 1);
    assert!(err.contains("\"code\":\"vault.master_key_lost\""), "{err}");
    assert!(keyring.get(MASTER_KEY_ENTRY).unwrap().is_none(), "neither a read nor an add created a key");
    sandbox.kill().ok();
    sandbox.wait().ok();
}
