//! `callback-desk-cli`: the command-line companion for support staff.
//!
//! * `preview` prints the fully signed request (real signatures) without sending it.
//! * `verify` checks a response or callback signature over the raw body bytes.
//! * `call` sends an operation and prints the outcome as one JSON object (from an account file, or a
//!   stored account with `--account-id`, in which case it is recorded in history exactly as the app does).
//! * `sandbox` runs the local provider simulators.
//! * `accounts add|list|remove` manage the stored accounts the app uses (same data folder and keyring);
//!   `list` shows secrets as set, not set, or needing re-entry (their master key is gone from the keyring).
//! * `history list|export` read the history the app and the CLI write.
//! * `bulk plan|run|resume|list|results` plan and run bulk jobs (e.g. "resend everything since T") within
//!   each provider's rate budgets and write their results file; jobs and their calls are stored like the
//!   app's, and a job the app is running is refused (`job.already_running`).
//! * `team init|invite|join|members|share|remove` put the installation in a team workspace on PostgreSQL,
//!   share accounts' secrets with members and remove members.
//! * `approvals list|approve|reject|run` four-eyes approvals of the resends the team's policy holds back.
//!
//! This file holds the command line itself and what the subcommands share; each subcommand is a module of
//! its own.

mod accounts;
mod approvals;
mod bulk;
mod call;
mod history;
mod preview;
mod sandbox;
mod signals;
mod team;
mod verify;

use callback_desk::clock::SystemClock;
use callback_desk::error::Error;
use callback_desk::paths;
use callback_desk::providers::input_limits::read_account_file;
use callback_desk::providers::Account;
use callback_desk::store::Store;
use callback_desk::vault::KeyringStore;
use clap::{Parser, Subcommand};
use serde_json::{json, Map, Value};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "callback-desk-cli", version, about = "Resend and look up provider callbacks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the fully signed request of an operation as JSON, without sending it.
    Preview(preview::Args),
    /// Check the signature of a response or callback body; exit 0 when valid.
    Verify(verify::Args),
    /// Send an operation and print its outcome; exit 0 only when it succeeded.
    Call(call::Args),
    /// Stored merchant accounts (shared with the app).
    Accounts {
        #[command(subcommand)]
        command: accounts::AccountsCommand,
    },
    /// The history of actions (shared with the app).
    History {
        #[command(subcommand)]
        command: history::HistoryCommand,
    },
    /// Bulk jobs on a stored account, within the provider's rate budgets (shared with the app).
    Bulk {
        #[command(subcommand)]
        command: bulk::BulkCommand,
    },
    /// The team workspace on PostgreSQL (members, roles).
    Team {
        #[command(subcommand)]
        command: team::TeamCommand,
    },
    /// Four-eyes approvals of a team workspace's held-back resends.
    Approvals {
        #[command(subcommand)]
        command: approvals::ApprovalsCommand,
    },
    /// Run the local provider simulators until interrupted (Ctrl-C or SIGTERM).
    ///
    /// The first line on stdout is one JSON object keyed `cybavo`, `ceffu`, `avista`, `ccpayment-v1` and
    /// `ccpayment-v2`, each a complete account file pointing at the running sandbox; log lines go to stderr.
    Sandbox(sandbox::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Call(args) => call::run(args),
        Command::Accounts { command } => match accounts::run(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::History { command } => match history::run(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::Team { command } => match team::run(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::Approvals { command } => match approvals::run(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::Bulk { command } => {
            let rt = match runtime() {
                Ok(rt) => rt,
                Err(e) => return fail(&e),
            };
            match rt.block_on(bulk::run(command)) {
                Ok(code) => code,
                Err(e) => fail(&e),
            }
        }
        Command::Sandbox(args) => {
            let rt = match runtime() {
                Ok(rt) => rt,
                Err(e) => return fail(&e),
            };
            match rt.block_on(sandbox::run(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
    }
}

/// Prints the error as one JSON object on stderr; exit code 1.
fn fail(e: &Error) -> ExitCode {
    eprintln!("{}", json!({ "error": e }));
    ExitCode::from(1)
}

/// The runtime of the commands that send or serve (two worker threads).
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(e.to_string()))
}

fn load_account(path: &std::path::Path) -> Result<Account, Error> {
    Account::from_json(&read_account_file(path)?)
}

fn parse_params(text: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::invalid_field("params", "not_object")),
        Err(e) => Err(Error::invalid_field("params", "not_json").detail(e.to_string())),
    }
}

/// The data folder the app uses, with the system keyring.
fn open_store() -> Result<Store, Error> {
    Store::open(&paths::data_dir(), Arc::new(KeyringStore::new()), Arc::new(SystemClock))
}
