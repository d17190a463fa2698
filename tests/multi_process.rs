//! Several processes on one data folder, as the app and the command-line companion share it: a second
//! process opening the store (the CLI's `history list` and `bulk list`, as any command does) while this
//! process has a request in flight, alone or as a bulk job's call, leaves that request's history row
//! pending and the job running, and the call finishes `ok` (the job goes on);
//! the pending rows of processes that are gone (exited, an id now used by another process, rows from a
//! version that did not record their process) become `unknown` when another process opens the store.

use callback_desk::accounts::{AccountInput, Environment};
use callback_desk::actions::ActionRequest;
use callback_desk::clock::SystemClock;
use callback_desk::db::Db;
use callback_desk::history::{History, NewEntry, Outcome, RecordedRequest};
use callback_desk::process::ProcessId;
use callback_desk::providers::cybavo::sign::body_checksum;
use callback_desk::providers::OutcomeKind;
use callback_desk::secret::Secret;
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

const CLI: &str = env!("CARGO_BIN_EXE_callback-desk-cli");
const API_SECRET: &str = "MULTI-PROCESS-SECRET-0123456789";

/// Runs the CLI on `data`; returns its standard output (it must succeed).
fn cli(data: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(CLI).args(args).env("CALLBACK_DESK_DATA_DIR", data).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The CLI's `history list --json`: (id, outcome, error code) of every row.
fn rows_seen_by_another_process(data: &Path) -> Vec<(i64, String, Option<String>)> {
    cli(data, &["history", "list", "--json"])
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let code = v["error"]["code"].as_str().map(str::to_owned);
            (v["id"].as_i64().unwrap(), v["outcome"].as_str().unwrap().to_owned(), code)
        })
        .collect()
}

/// A CYBAVO server on loopback that answers one request only when `release` fires, after telling
/// `arrived` that the request is in.
async fn slow_server(arrived: oneshot::Sender<()>, release: oneshot::Receiver<()>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        // The whole request: its headers, then `Content-Length` bytes of body.
        let mut request = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            let n = conn.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the client went away");
            request.extend_from_slice(&chunk[..n]);
        }
        arrived.send(()).unwrap();
        release.await.unwrap();
        let body = br#"{"count":1}"#;
        let sum = body_checksum(body, &Secret::new(API_SECRET));
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-CHECKSUM: {sum}\r\n\r\n", body.len());
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.write_all(body).await.unwrap();
        conn.shutdown().await.unwrap();
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_opening_the_store_leaves_a_call_in_flight_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let store = Store::open(&data, Arc::new(MemoryStore::default()), Arc::new(SystemClock)).unwrap();
    let (arrived_tx, arrived) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let port = slow_server(arrived_tx, release_rx).await;
    let file = json!({"provider": "cybavo", "base_url": format!("http://127.0.0.1:{port}"), "wallet_id": 55743,
                      "api_code": "MULTI-CODE", "api_secret": API_SECRET});
    let input = AccountInput::from_account_file(
        file.as_object().unwrap(),
        "Two processes".into(),
        Some(Environment::Custom),
        "".into(),
    )
    .unwrap();
    let account_id = store.accounts.create(&input).unwrap().id;
    let transport = HttpTransport::new(TransportConfig::default()).unwrap();

    // This process sends a resend; the provider holds its answer.
    let actions = store.actions.clone();
    let call = tokio::spawn(async move {
        let req = ActionRequest {
            account_id,
            operation: "resend-withdrawal-callbacks".into(),
            params: json!({"notification_id": 0}).as_object().unwrap().clone(),
        };
        actions.run(&req, None, &transport, None).await
    });
    arrived.await.unwrap();

    // Meanwhile other processes open the store: they see the row pending and leave it so.
    let seen = tokio::task::spawn_blocking({
        let data = data.clone();
        move || {
            let jobs = cli(&data, &["bulk", "list"]);
            (rows_seen_by_another_process(&data), jobs)
        }
    })
    .await
    .unwrap();
    assert_eq!(seen.0.len(), 1);
    assert_eq!((seen.0[0].1.as_str(), seen.0[0].2.as_deref()), ("pending", None), "{:?}", seen.0);
    assert_eq!(seen.1.trim(), "[]");

    // The provider answers: the call finishes ok, and so does its row.
    release.send(()).unwrap();
    let result = call.await.unwrap().expect("the call in flight finishes");
    assert_eq!(result.outcome, OutcomeKind::Ok, "{:?}", result.error);
    assert_eq!(result.result["count"], 1);
    assert_eq!(store.history.get(result.history_id).unwrap().row.outcome, Outcome::Ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_opening_the_store_leaves_a_bulk_job_and_its_call_in_flight_alone() {
    use callback_desk::jobs::{JobControl, JobState, PlanRequest, SystemSleeper};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let store = Store::open(&data, Arc::new(MemoryStore::default()), Arc::new(SystemClock)).unwrap();
    let (arrived_tx, arrived) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let port = slow_server(arrived_tx, release_rx).await;
    let file = json!({"provider": "cybavo", "base_url": format!("http://127.0.0.1:{port}"), "wallet_id": 55743,
                      "api_code": "MULTI-CODE", "api_secret": API_SECRET});
    let input = AccountInput::from_account_file(
        file.as_object().unwrap(),
        "Bulk here".into(),
        Some(Environment::Custom),
        "".into(),
    )
    .unwrap();
    let account_id = store.accounts.create(&input).unwrap().id;
    let plan = store
        .jobs
        .plan(&PlanRequest {
            account_id,
            operation: "resend-withdrawal-callbacks".into(),
            params: json!({"serials": [90000000002i64]}).as_object().unwrap().clone(),
            since: None,
            until: None,
            calls: None,
        })
        .unwrap();
    let id = store.jobs.create(&plan).unwrap();

    // This process runs the job; its one call waits for the provider's answer.
    let jobs = store.jobs.clone();
    let runner = tokio::spawn(async move {
        let transport = HttpTransport::new(TransportConfig::default()).unwrap();
        let sleeper = SystemSleeper { clock: Arc::new(SystemClock) };
        jobs.run(id, None, &transport, &sleeper, &JobControl::new(), &mut |_| {}).await
    });
    arrived.await.unwrap();

    // Another process lists the jobs and the history: the job runs here, its call is pending.
    let (rows, jobs) = tokio::task::spawn_blocking({
        let data = data.clone();
        move || (rows_seen_by_another_process(&data), cli(&data, &["bulk", "list"]))
    })
    .await
    .unwrap();
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["pending"], "{rows:?}");
    let jobs: Value = serde_json::from_str(&jobs).unwrap();
    assert_eq!(jobs[0]["state"], "running");
    assert_eq!(jobs[0]["runner_pid"], i64::from(std::process::id()));

    // The answer comes: the runner goes on and finishes the job.
    release.send(()).unwrap();
    let job = runner.await.unwrap().expect("the runner is not stopped by the other process");
    assert_eq!((job.state, job.ok, job.unknown), (JobState::Done, 1, 0), "{job:?}");
}

fn entry(label: &str) -> NewEntry {
    NewEntry {
        job_id: None,
        account_id: None,
        account_label: label.into(),
        provider: "cybavo".into(),
        environment: Environment::Sandbox,
        operation: "resend-withdrawal-callbacks".into(),
        scope: String::new(),
        search_text: String::new(),
        request: RecordedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1/".into(),
            headers: vec![],
            body: "{}".into(),
        },
    }
}

#[test]
fn the_rows_of_processes_that_are_gone_become_unknown_when_another_process_opens_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_in(dir.path()).unwrap();
    let history = History::new(db.clone());

    // A process that began a request and was killed before its answer.
    let mut child = std::process::Command::new(CLI)
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let crashed = ProcessId::of(i64::from(child.id())).expect("the child runs");
    let killed = history.clone().owned_by(crashed).begin(entry("killed")).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    // A process whose id is now this process's (it started at another moment).
    let me = ProcessId::current();
    let reused = if me.started.is_some() {
        let earlier = ProcessId { pid: me.pid, started: me.started.map(|s| s - 1) };
        Some(history.clone().owned_by(earlier).begin(entry("id reused")).unwrap())
    } else {
        None
    };
    // A row from a version that did not record its process.
    let legacy = history.begin(entry("older version")).unwrap();
    db.conn().execute("UPDATE history SET owner_pid = NULL, owner_started = NULL WHERE id = ?1", [legacy]).unwrap();
    // This process's own request, still in flight.
    let mine = history.begin(entry("in flight here")).unwrap();

    let rows = rows_seen_by_another_process(dir.path());
    let outcome_of = |id: i64| rows.iter().find(|r| r.0 == id).map(|r| (r.1.clone(), r.2.clone())).unwrap();
    let interrupted = ("unknown".to_owned(), Some("history.interrupted".to_owned()));
    assert_eq!(outcome_of(killed), interrupted);
    assert_eq!(outcome_of(legacy), interrupted);
    if let Some(reused) = reused {
        assert_eq!(outcome_of(reused), interrupted);
    }
    assert_eq!(outcome_of(mine), ("pending".to_owned(), None));
    history
        .finish(mine, callback_desk::history::Finish::ok(200, 1, Default::default()))
        .expect("this process finishes its own row");
}

#[test]
fn many_processes_opening_a_new_data_folder_at_once_all_succeed() {
    // Each round: a new data folder, opened by twelve CLI processes started together (as a first start of
    // the app while a script runs the CLI). Every one must open it; the schema ends up migrated once.
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..12)
            .map(|_| {
                std::process::Command::new(CLI)
                    .args(["history", "list", "--json"])
                    .env("CALLBACK_DESK_DATA_DIR", dir.path())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(db.schema_version().unwrap(), callback_desk::db::MIGRATIONS.len());
    }
}

#[test]
fn history_rows_written_by_many_connections_at_once_all_succeed() {
    // Processes recording actions at the same moment (ten `call`s and a bulk job on one account): each row
    // must wait for the others' writes, never fail with "database is locked" once its budget slot is taken
    // (a deferred transaction did, now and then: the slot was used and the request never left). Each round
    // opens new connections, as each new process does.
    let dir = tempfile::tempdir().unwrap();
    drop(Db::open_in(dir.path()).unwrap());
    for round in 0..10 {
        let writers: Vec<_> = (0..8)
            .map(|n| {
                let dir = dir.path().to_owned();
                std::thread::spawn(move || {
                    let history = History::new(Db::open_in(&dir).unwrap());
                    (0..5)
                        .map(|i| history.begin(entry(&format!("round {round}, writer {n}, row {i}"))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for w in writers {
            for row in w.join().unwrap() {
                assert!(row.is_ok(), "round {round}: {row:?}");
            }
        }
    }
}
