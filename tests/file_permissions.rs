//! On Unix the data folder is private to the user (0700) and the database, its WAL files, the logs and
//! CSV exports are readable by the user only (0600), whatever the umask, including files left with
//! looser modes by an earlier version.
#![cfg(unix)]

use callback_desk::db::Db;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn cli(data: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callback-desk-cli"))
        .args(args)
        .env("CALLBACK_DESK_DATA_DIR", data)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into())
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

#[test]
fn data_folder_database_and_logs_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let db = Db::open_in(&data).unwrap();
        db.conn().execute_batch("CREATE TABLE perm_probe (x); INSERT INTO perm_probe VALUES (1);").unwrap();
        assert_eq!(mode(&data), 0o700, "data folder");
        for name in ["callback-desk.sqlite3", "callback-desk.sqlite3-wal", "callback-desk.sqlite3-shm"] {
            let p = data.join(name);
            if p.exists() {
                assert_eq!(mode(&p), 0o600, "{name}");
            }
        }
        assert!(data.join("callback-desk.sqlite3-wal").exists(), "WAL mode creates the -wal file");
    }
    // Loose modes from before are tightened at the next open.
    set_mode(&data, 0o755);
    set_mode(&data.join("callback-desk.sqlite3"), 0o644);
    drop(Db::open_in(&data).unwrap());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("callback-desk.sqlite3")), 0o600);

    let logs = data.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    set_mode(&logs, 0o755);
    let old = logs.join("perm-test.2020-01-01.log");
    std::fs::write(&old, "old line\n").unwrap();
    set_mode(&old, 0o644);
    let guard = callback_desk::logging::init(&logs, "perm-test");
    tracing::info!("a line for the file");
    drop(guard);
    assert_eq!(mode(&logs), 0o700, "log folder");
    let files: Vec<_> = std::fs::read_dir(&logs).unwrap().flatten().map(|e| e.path()).collect();
    assert!(files.len() >= 2, "{files:?}");
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn cli_history_export_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("history.csv");
    let (code, err) = cli(&data, &["history", "export", "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&csv), 0o600);
    assert_eq!(mode(&data), 0o700);
    // Overwriting an existing, world-readable file leaves it private too.
    set_mode(&csv, 0o644);
    let (code, err) = cli(&data, &["history", "export", "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&csv), 0o600);
}

/// `history export --csv FILE` where FILE is a symbolic link (to a file of the user, or dangling):
/// the command fails with `file.not_regular` naming FILE, and the link's target is left as it was.
#[test]
fn cli_history_export_never_writes_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let target = dir.path().join("notes.txt");
    std::fs::write(&target, "the user's own file").unwrap();
    set_mode(&target, 0o644);
    let link = dir.path().join("history.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, err) = cli(&data, &["history", "export", "--csv", link.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(r#""code":"file.not_regular""#), "{err}");
    assert!(err.contains(&format!(r#""path":"{}""#, link.display())), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the user's own file");
    assert_eq!(mode(&target), 0o644);

    let missing = dir.path().join("created-elsewhere.csv");
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink(&missing, &dangling).unwrap();
    let (code, err) = cli(&data, &["history", "export", "--csv", dangling.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(r#""code":"file.not_regular""#), "{err}");
    assert!(!missing.exists(), "nothing is created at the link's target");
}

/// A job in `data` (through the library, with an in-memory key store: `bulk results` reads no secret).
fn a_job(data: &Path) -> String {
    use callback_desk::accounts::{AccountInput, Environment};
    use callback_desk::jobs::PlanRequest;
    let store = callback_desk::store::Store::open(
        data,
        std::sync::Arc::new(callback_desk::vault::MemoryStore::default()),
        std::sync::Arc::new(callback_desk::clock::SystemClock),
    )
    .unwrap();
    let account = store
        .accounts
        .create(&AccountInput {
            provider: callback_desk::providers::ProviderId::parse("cybavo").unwrap(),
            label: "Results".into(),
            environment: Environment::Sandbox,
            base_url: None,
            fields: serde_json::json!({"wallet_id": 1}).as_object().unwrap().clone(),
            secrets: [("api_code".to_string(), "code".into()), ("api_secret".to_string(), "secret".into())].into(),
            notes: String::new(),
        })
        .unwrap();
    let plan = store
        .jobs
        .plan(&PlanRequest {
            account_id: account.id,
            operation: "resend-withdrawal-callbacks".into(),
            params: serde_json::json!({"serials": [1, 2]}).as_object().unwrap().clone(),
            since: None,
            until: None,
            calls: None,
        })
        .unwrap();
    store.jobs.create(&plan).unwrap().to_string()
}

/// `bulk results --csv FILE` writes FILE readable by the user only (also over a world-readable file),
/// and refuses a symbolic link at FILE, leaving its target as it was.
#[test]
fn cli_bulk_results_file_is_private_and_never_written_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let job = a_job(&data);
    let csv = dir.path().join("results.csv");
    let (code, err) = cli(&data, &["bulk", "results", "--job-id", &job, "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&csv), 0o600);
    set_mode(&csv, 0o644);
    let (code, err) = cli(&data, &["bulk", "results", "--job-id", &job, "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&csv), 0o600);

    let target = dir.path().join("notes.txt");
    std::fs::write(&target, "the user's own file").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, err) = cli(&data, &["bulk", "results", "--job-id", &job, "--csv", link.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(r#""code":"file.not_regular""#), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the user's own file");
}
