//! Helpers shared by the tests that run the `callback-desk-cli` binary.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const CLI: &str = env!("CARGO_BIN_EXE_callback-desk-cli");

/// Runs the CLI on the data folder `data`; returns (exit code, stdout, stderr).
pub fn cli(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(CLI).args(args).env("CALLBACK_DESK_DATA_DIR", data).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Starts `callback-desk-cli sandbox`; returns the process and its demo accounts (its first line).
pub fn start_sandbox() -> (Child, Value) {
    let mut sandbox = Command::new(CLI).arg("sandbox").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(sandbox.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (sandbox, serde_json::from_str(&line).unwrap())
}

/// The tests of one binary run in parallel, but every data folder shares the one keyring entry of the
/// master key: tests that create it take this lock first, so two never create it at the same moment.
pub fn keyring_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
