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

use callback_desk::accounts::{AccountInput, Environment, SANDBOX_BASE_URL};
use callback_desk::actions::ActionRequest;
use callback_desk::clock::SystemClock;
use callback_desk::error::Error;
use callback_desk::history::{HistoryFilter, Outcome};
use callback_desk::jobs::{unix_seconds, JobControl, JobProgress, JobState, PlanRequest, SystemSleeper};
use callback_desk::paths;
use callback_desk::providers::input_limits::read_account_file;
use callback_desk::providers::{self, Account, BuildCtx};
use callback_desk::secret::Secret;
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::KeyringStore;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
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
    Preview {
        #[arg(long)]
        account: PathBuf,
        #[arg(long)]
        operation: String,
        /// Operation params as a JSON object; keys are kept in the given order.
        #[arg(long, default_value = "{}")]
        params: String,
        /// Unix time in milliseconds to sign with.
        #[arg(long)]
        at: i64,
        /// CYBAVO `r` (random 8 alphanumerics when absent).
        #[arg(long)]
        nonce: Option<String>,
        /// Avista bearer token to show (placeholder `<token>` when absent).
        #[arg(long)]
        token: Option<String>,
    },
    /// Check the signature of a response or callback body; exit 0 when valid.
    Verify {
        #[arg(long)]
        account: PathBuf,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long)]
        body_file: PathBuf,
        /// A header as "Name: value" (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
    },
    /// Send an operation and print its outcome; exit 0 only when it succeeded.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["account", "account_id"])))]
    Call {
        /// An account file (nothing is recorded).
        #[arg(long)]
        account: Option<PathBuf>,
        /// A stored account (recorded in history as the app does).
        #[arg(long)]
        account_id: Option<i64>,
        #[arg(long)]
        operation: String,
        #[arg(long, default_value = "{}")]
        params: String,
    },
    /// Stored merchant accounts (shared with the app).
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// The history of actions (shared with the app).
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Bulk jobs on a stored account, within the provider's rate budgets (shared with the app).
    Bulk {
        #[command(subcommand)]
        command: BulkCommand,
    },
    /// Run the local provider simulators until interrupted (Ctrl-C or SIGTERM).
    ///
    /// The first line on stdout is one JSON object keyed `cybavo`, `ceffu`, `avista`, `ccpayment-v1` and
    /// `ccpayment-v2`, each a complete account file pointing at the running sandbox; log lines go to stderr.
    Sandbox {
        /// Port on 127.0.0.1 (0 or absent: a free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where resent callbacks are delivered (a loopback http(s) URL) instead of the built-in receiver.
        #[arg(long)]
        callback_url: Option<String>,
        /// Switch every sandbox rate limit off.
        #[arg(long)]
        no_limits: bool,
    },
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Store an account from an account file; its secrets go to the vault. Prints the new id.
    Add {
        #[arg(long)]
        account: PathBuf,
        #[arg(long)]
        label: String,
        /// production, sandbox or custom (default: production when the file's base_url is the provider's
        /// documented one, custom otherwise).
        #[arg(long)]
        environment: Option<String>,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Print every stored account as JSON (secret fields only as set / not set).
    List,
    /// Delete a stored account and its secrets (history keeps its label).
    Remove { id: i64 },
}

#[derive(clap::Args, Clone, Default)]
struct HistoryFilterArgs {
    #[arg(long)]
    account_id: Option<i64>,
    /// Only the calls of this bulk job.
    #[arg(long)]
    job_id: Option<i64>,
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    operation: Option<String>,
    /// pending, ok, failed or unknown.
    #[arg(long)]
    outcome: Option<String>,
    /// From this Unix time in seconds (inclusive).
    #[arg(long)]
    from: Option<i64>,
    /// Up to this Unix time in seconds (exclusive).
    #[arg(long)]
    to: Option<i64>,
    /// Ids, serials, transaction identifiers or account label words.
    #[arg(long)]
    text: Option<String>,
}

#[derive(Subcommand)]
enum HistoryCommand {
    /// List actions, newest first.
    List {
        #[command(flatten)]
        filter: HistoryFilterArgs,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Export the filtered history as CSV (never containing secrets or signatures).
    Export {
        #[command(flatten)]
        filter: HistoryFilterArgs,
        #[arg(long)]
        csv: PathBuf,
    },
}

#[derive(clap::Args, Clone)]
struct BulkArgs {
    /// A stored account.
    #[arg(long)]
    account_id: i64,
    #[arg(long)]
    operation: String,
    /// Start of the period, Unix seconds (CCPayment windows, Ceffu `resendFromDateTime`, CYBAVO lists).
    #[arg(long)]
    since: Option<i64>,
    /// End of the period, Unix seconds (default: now).
    #[arg(long)]
    until: Option<i64>,
    /// Fields copied into every call, plus lists to split: `serials` (CYBAVO resends), `ids` (CYBAVO
    /// query-callbacks), `transaction_identifiers` (Avista), `eventTypes` (Ceffu).
    #[arg(long, default_value = "{}")]
    params: String,
}

#[derive(Subcommand)]
enum BulkCommand {
    /// Print the plan as one JSON object: `calls` (each with the exact `params` it sends, in order),
    /// `estimated_seconds` and `days` under the account's budgets. Sends nothing.
    Plan(BulkArgs),
    /// Plan and run a job: one JSON progress line per call or wait, then the job. Ctrl-C pauses it
    /// (resume with `bulk resume`). Exit 0 only when every call succeeded.
    Run(BulkArgs),
    /// Resume a paused, cancelled or interrupted job from its next call.
    Resume {
        #[arg(long)]
        job_id: i64,
    },
    /// Print every job as JSON, newest first.
    List,
    /// Write a job's results as CSV: one line per id (serial, notification id, transaction identifier)
    /// or per call, with outcome, HTTP status, provider code, message and history id, and for CYBAVO
    /// look-ups the decoded callback. Never contains secrets or signatures.
    Results {
        #[arg(long)]
        job_id: i64,
        /// The file to write (`-` for standard output).
        #[arg(long)]
        csv: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Response,
    Callback,
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("{}", json!({ "error": e }));
    ExitCode::from(1)
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

fn preview(
    account: &std::path::Path,
    operation: &str,
    params: &str,
    at: i64,
    nonce: Option<String>,
    token: Option<String>,
) -> Result<Value, Error> {
    let account = load_account(account)?;
    let params = parse_params(params)?;
    let calls = providers::plan_calls(&account, operation, &params)?;
    let token = token.map(Secret::new);
    let ctx = BuildCtx { now_ms: at, nonce, token: token.as_ref() };
    let first = calls.first().cloned().unwrap_or_default();
    let req = providers::build_request(&account, operation, &first, &ctx)?;
    let mut headers = Map::new();
    for (k, v) in &req.headers {
        headers.insert(k.clone(), Value::String(v.clone()));
    }
    Ok(json!({
        "method": req.method.as_str(),
        "url": req.url,
        "headers": headers,
        "body": req.body_text(),
    }))
}

fn verify(
    account: &std::path::Path,
    kind: Kind,
    body_file: &PathBuf,
    headers: &[String],
) -> Result<Result<(), String>, Error> {
    let account = load_account(account)?;
    let body = std::fs::read(body_file)
        .map_err(|e| Error::invalid_field("body_file", "unreadable").detail(format!("{}: {e}", body_file.display())))?;
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
            None => Err(Error::invalid_field("header", "not_name_value").detail(h.clone())),
        })
        .collect::<Result<_, _>>()?;
    let what = match kind {
        Kind::Response => "responses",
        Kind::Callback => "callbacks",
    };
    Ok(providers::verify_signature(&account, &headers, &body)
        .unwrap_or_else(|| Err(format!("{} does not sign {what}", account.provider()))))
}

/// Stop requests (Ctrl-C, or SIGINT/SIGTERM on Unix), registered when created so that a signal arriving
/// right after the accounts line is printed is already handled.
struct StopSignals {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn register() -> Result<Self, Error> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = [SignalKind::interrupt(), SignalKind::terminate()]
                .into_iter()
                .map(signal)
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(|e| Error::internal(format!("signal handler: {e}")))?;
            Ok(StopSignals { signals })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            let [int, term] = self.signals.as_mut_slice() else { return };
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// One summary line of the sandbox counters, e.g. `calls cybavo=3 ceffu=1 … | deliveries 2 (2 ok)`.
fn state_line(state: &Value) -> String {
    let per = |key: &str| {
        state[key]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    format!(
        "calls {} | rejected {} | faults {} | deliveries {} ({} ok)",
        per("calls"),
        per("rejections"),
        per("faults_applied"),
        state["deliveries"]["total"],
        state["deliveries"]["succeeded"],
    )
}

async fn run_sandbox(port: u16, callback_url: Option<String>, no_limits: bool) -> Result<(), Error> {
    use callback_desk::sandbox::{Sandbox, SandboxConfig};
    use std::io::Write;
    let config = SandboxConfig { port, callback_url, limits: !no_limits, ..SandboxConfig::default() };
    let mut signals = StopSignals::register()?;
    let handle = Sandbox::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.demo_accounts())
            .and_then(|()| out.flush())
            .map_err(|e| Error::internal(format!("stdout: {e}")))?;
    }
    let base = handle.base_url();
    eprintln!("sandbox listening on {base}");
    for provider in callback_desk::providers::REGISTRY {
        for api in provider.simulator().apis() {
            eprintln!("  {:<13} {base}{}…", api.key, api.prefix);
        }
    }
    eprintln!("  {:<13} {base}/__sandbox/state | faults | deliveries | inbox | callback-url | accounts", "control");
    match handle.callback_url() {
        Some(u) => eprintln!("resent callbacks go to {u}"),
        None => eprintln!("resent callbacks go to the built-in receiver (GET {base}/__sandbox/inbox to read them)"),
    }
    eprintln!("limits {}; press Ctrl-C to stop", if no_limits { "off" } else { "on" });
    let stop = signals.wait();
    tokio::pin!(stop);
    let mut last = String::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                let line = state_line(&handle.state());
                if line != last {
                    eprintln!("{line}");
                    last = line;
                }
            }
        }
    }
    eprintln!("stopping sandbox");
    handle.shutdown().await;
    eprintln!("sandbox stopped");
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Preview { account, operation, params, at, nonce, token } => {
            match preview(&account, &operation, &params, at, nonce, token) {
                Ok(v) => {
                    println!("{v}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Verify { account, kind, body_file, headers } => match verify(&account, kind, &body_file, &headers) {
            Ok(Ok(())) => {
                println!("valid");
                ExitCode::SUCCESS
            }
            Ok(Err(why)) => {
                println!("invalid: {why}");
                ExitCode::from(1)
            }
            Err(e) => fail(&e),
        },
        Command::Call { account, account_id, operation, params } => {
            let params = match parse_params(&params) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            let transport = match HttpTransport::new(TransportConfig::default()) {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(&Error::internal(e.to_string())),
            };
            let v = match (account, account_id) {
                (Some(path), _) => {
                    let account = match load_account(&path) {
                        Ok(a) => a,
                        Err(e) => return fail(&e),
                    };
                    let mut out =
                        rt.block_on(providers::execute(&account, &operation, &params, &SystemClock, &transport));
                    // As for stored accounts (`Actions::run`): what the provider sent back is scrubbed of
                    // the account's secrets before it is printed.
                    out.error = out.error.map(Error::scrubbed);
                    out.result = callback_desk::logging::scrub_value(&out.result);
                    let mut v = serde_json::to_value(&out).unwrap_or(Value::Null);
                    if let Value::Object(m) = &mut v {
                        m.insert("error_code".into(), json!(out.error_code()));
                    }
                    v
                }
                (None, Some(id)) => match rt.block_on(call_stored(id, operation, params, &transport)) {
                    Ok(v) => v,
                    Err(e) => return fail(&e),
                },
                (None, None) => return fail(&Error::missing_field("account")),
            };
            println!("{v}");
            if v["outcome"] == "ok" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::Accounts { command } => match accounts_command(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::History { command } => match history_command(command) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::Bulk { command } => {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(&Error::internal(e.to_string())),
            };
            match rt.block_on(bulk_command(command)) {
                Ok(code) => code,
                Err(e) => fail(&e),
            }
        }
        Command::Sandbox { port, callback_url, no_limits } => {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(&Error::internal(e.to_string())),
            };
            match rt.block_on(run_sandbox(port, callback_url, no_limits)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
    }
}

fn open_store() -> Result<Store, Error> {
    Store::open(&paths::data_dir(), Arc::new(KeyringStore::new()), Arc::new(SystemClock))
}

/// Runs a stored account's operation through the same path as the app (history row written `pending`
/// first). Sandbox accounts get an in-process sandbox for the duration of the call.
async fn call_stored(
    id: i64,
    operation: String,
    params: Map<String, Value>,
    transport: &HttpTransport,
) -> Result<Value, Error> {
    let store = open_store()?;
    let view = store.accounts.get(id)?;
    let sandbox = if view.base_url == SANDBOX_BASE_URL {
        Some(callback_desk::sandbox::Sandbox::start(callback_desk::sandbox::SandboxConfig::default()).await?)
    } else {
        None
    };
    let root = sandbox.as_ref().map(|h| h.base_url());
    let req = ActionRequest { account_id: id, operation, params };
    let result = store.actions.run(&req, root.as_deref(), transport, None).await?;
    let mut v = serde_json::to_value(&result).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("error_code".into(), json!(result.error.as_ref().map(|e| e.code)));
    }
    Ok(v)
}

fn plan_request(args: BulkArgs) -> Result<PlanRequest, Error> {
    Ok(PlanRequest {
        account_id: args.account_id,
        operation: args.operation,
        params: parse_params(&args.params)?,
        since: args.since,
        until: args.until,
    })
}

async fn bulk_command(command: BulkCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    let id = match command {
        BulkCommand::Plan(args) => {
            let plan = store.jobs.plan(&plan_request(args)?)?;
            println!("{}", serde_json::to_string(&plan).map_err(|e| Error::internal(e.to_string()))?);
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::List => {
            println!("{}", serde_json::to_string_pretty(&store.jobs.list()?).unwrap_or_default());
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::Run(args) => {
            let plan = store.jobs.plan(&plan_request(args)?)?;
            store.jobs.create(&plan)?
        }
        BulkCommand::Resume { job_id } => job_id,
        BulkCommand::Results { job_id, csv } => {
            let (job, rows) = store.jobs.results(job_id)?;
            let op = job.operation_descriptor()?;
            if csv.as_os_str() == "-" {
                callback_desk::results::write_csv(&op, &rows, std::io::stdout().lock())?;
            } else {
                // Readable by the user only (0600 on Unix), never through a link: results hold provider data.
                let file = paths::create_private_file(&csv)?;
                let n = callback_desk::results::write_csv(&op, &rows, std::io::BufWriter::new(file))?;
                eprintln!("{n} rows written to {}", csv.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let job = store.jobs.get(id)?;
    let view = store.accounts.get(job.account_id)?;
    let sandbox = if view.base_url == SANDBOX_BASE_URL {
        Some(callback_desk::sandbox::Sandbox::start(callback_desk::sandbox::SandboxConfig::default()).await?)
    } else {
        None
    };
    let root = sandbox.as_ref().map(|h| h.base_url());
    let transport = HttpTransport::new(TransportConfig::default())?;
    let control = JobControl::new();
    let mut signals = StopSignals::register()?;
    let on_signal = control.clone();
    let watcher = tokio::spawn(async move {
        signals.wait().await;
        eprintln!("pausing after the call in flight");
        on_signal.pause();
    });
    let sleeper = SystemSleeper { clock: Arc::new(SystemClock) };
    let mut progress = |p: &JobProgress| println!("{}", serde_json::to_string(p).unwrap_or_default());
    let result = store.jobs.run(id, root.as_deref(), &transport, &sleeper, &control, &mut progress).await;
    watcher.abort();
    if let Err(e) = &result {
        if e.code == callback_desk::ErrorCode::JobAlreadyRunning {
            eprintln!(
                "job {id} is being run by process {} (the app or another terminal); let it finish, or pause it \
                 there and run `callback-desk-cli bulk resume --job-id {id}` again",
                e.params.get("pid").map(|p| p.to_string()).unwrap_or_default()
            );
        }
    }
    let job = result?;
    println!("{}", serde_json::to_string(&job).unwrap_or_default());
    if job.state != JobState::Done {
        eprintln!(
            "job {} is {}; resume with: callback-desk-cli bulk resume --job-id {}",
            job.id,
            job.state.as_str(),
            job.id
        );
    }
    Ok(if job.state == JobState::Done && job.failed == 0 && job.unknown == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn accounts_command(command: AccountsCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    match command {
        AccountsCommand::Add { account, label, environment, notes } => {
            let text = read_account_file(&account)?;
            let map: Map<String, Value> = serde_json::from_str(&text)
                .map_err(|e| Error::invalid_field("account", "not_json").detail(e.to_string()))?;
            let environment = match environment.as_deref() {
                Some(e) => {
                    Some(Environment::parse(e).ok_or_else(|| Error::invalid_field("environment", "not_allowed"))?)
                }
                None => None,
            };
            let input = AccountInput::from_account_file(&map, label, environment, notes)?;
            let view = store.accounts.create(&input)?;
            println!("{}", view.id);
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::List => {
            let list = store.accounts.list()?;
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
            for a in list.iter().filter(|a| a.secrets_need_reentry) {
                eprintln!(
                    "account {} ({}): its saved secrets can no longer be read (the master key, keyring entry {} of \
                     service {}, is gone); enter them again in the app (Accounts, Edit)",
                    a.id,
                    a.label,
                    callback_desk::vault::MASTER_KEY_ENTRY,
                    callback_desk::paths::APP_IDENTIFIER
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::Remove { id } => {
            store.accounts.delete(id)?;
            eprintln!("account {id} removed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn to_filter(f: HistoryFilterArgs) -> Result<HistoryFilter, Error> {
    let outcome = match f.outcome.as_deref() {
        None => None,
        Some(o) => Some(
            serde_json::from_value::<Outcome>(Value::String(o.to_owned()))
                .map_err(|_| Error::invalid_field("outcome", "not_allowed"))?,
        ),
    };
    Ok(HistoryFilter {
        account_id: f.account_id,
        job_id: f.job_id,
        provider: f.provider,
        operation: f.operation,
        outcome,
        from_ms: f.from.map(|s| unix_seconds("from", s).map(|s| s * 1000)).transpose()?,
        to_ms: f.to.map(|s| unix_seconds("to", s).map(|s| s * 1000)).transpose()?,
        text: f.text,
    })
}

fn history_command(command: HistoryCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    match command {
        HistoryCommand::List { filter, json, limit } => {
            let filter = to_filter(filter)?;
            let mut cursor = None;
            let mut left = limit.max(1);
            if !json {
                println!(
                    "{:<20} {:<24} {:<10} {:<28} {:<8} {:>6} {:<24} SCOPE",
                    "TIME (UTC)", "ACCOUNT", "PROVIDER", "OPERATION", "OUTCOME", "HTTP", "ERROR"
                );
            }
            loop {
                let page = store.history.page(&filter, cursor, left.min(500))?;
                for row in &page.rows {
                    if json {
                        println!("{}", serde_json::to_string(row).unwrap_or_default());
                    } else {
                        let v = serde_json::to_value(row).unwrap_or(Value::Null);
                        let time = chrono::DateTime::from_timestamp_millis(v["created_at_ms"].as_i64().unwrap_or(0))
                            .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                            .unwrap_or_default();
                        let s = |k: &str| match &v[k] {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        let error = match &v["error"] {
                            Value::Object(e) => e.get("code").and_then(Value::as_str).unwrap_or("").to_owned(),
                            _ => s("error_code"),
                        };
                        println!(
                            "{:<20} {:<24} {:<10} {:<28} {:<8} {:>6} {:<24} {}",
                            time,
                            s("account_label"),
                            s("provider"),
                            s("operation"),
                            s("outcome"),
                            s("http_status"),
                            error,
                            s("scope")
                        );
                    }
                }
                left = left.saturating_sub(page.rows.len() as u32);
                match page.next_cursor {
                    Some(c) if left > 0 => cursor = Some(c),
                    _ => break,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Export { filter, csv } => {
            let filter = to_filter(filter)?;
            // Readable by the user only (0600 on Unix), never through a link: the export holds provider
            // responses.
            let file = paths::create_private_file(&csv)?;
            let mut w = std::io::BufWriter::new(file);
            let rows = store.history.export_csv(&filter, &mut w, |done, total| {
                if done > 0 && (done == total || done % 10_000 == 0) {
                    eprintln!("exported {done} of {total}");
                }
            })?;
            drop(w);
            eprintln!("{rows} rows written to {}", csv.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
