//! `callback-desk-cli`: the command-line companion for support staff.
//!
//! * `preview` prints the fully signed request (real signatures) without sending it.
//! * `verify` checks a response or callback signature over the raw body bytes.
//! * `call` sends an operation and prints the outcome as one JSON object.

use callback_desk::clock::SystemClock;
use callback_desk::error::Error;
use callback_desk::providers::{self, Account, BuildCtx};
use callback_desk::secret::Secret;
use callback_desk::transport::{HttpTransport, TransportConfig};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

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
    Call {
        #[arg(long)]
        account: PathBuf,
        #[arg(long)]
        operation: String,
        #[arg(long, default_value = "{}")]
        params: String,
    },
    /// Run the local provider simulators until interrupted (Ctrl-C or SIGTERM).
    ///
    /// The first line on stdout is one JSON object keyed `cybavo`, `ceffu`, `avista`, `ccpayment-v1` and
    /// `ccpayment-v2`, each a complete account file pointing at the running sandbox; log lines go to stderr.
    Sandbox {
        /// Port on 127.0.0.1 (0 or absent: a free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where resent callbacks are delivered (a loopback http(s) URL).
        #[arg(long)]
        callback_url: Option<String>,
        /// Switch every sandbox rate limit off.
        #[arg(long)]
        no_limits: bool,
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

fn load_account(path: &PathBuf) -> Result<Account, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid_field("account", "unreadable").detail(format!("{}: {e}", path.display())))?;
    Account::from_json(&text)
}

fn parse_params(text: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::invalid_field("params", "not_object")),
        Err(e) => Err(Error::invalid_field("params", "not_json").detail(e.to_string())),
    }
}

fn preview(
    account: &PathBuf,
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

fn verify(account: &PathBuf, kind: Kind, body_file: &PathBuf, headers: &[String]) -> Result<Result<(), String>, Error> {
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
    Ok(match &account {
        Account::Cybavo(a) => match headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("X-CHECKSUM")) {
            None => Err("X-CHECKSUM header missing".to_owned()),
            Some((_, v)) if providers::cybavo::sign::verify_body_checksum(&body, v, &a.api_secret) => Ok(()),
            Some(_) => Err("X-CHECKSUM does not match the body".to_owned()),
        },
        Account::Ccpayment(a) => providers::ccpayment::ops::verify_signed(a, &headers, &body),
        other => Err(format!("{} does not sign {what}", other.provider())),
    })
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
    use callback_desk::sandbox::{Limits, Sandbox, SandboxConfig};
    use std::io::Write;
    let config = SandboxConfig {
        port,
        callback_url,
        limits: if no_limits { Limits::disabled() } else { Limits::default() },
        ..SandboxConfig::default()
    };
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
    eprintln!("  CYBAVO     {base}/v1/sofa/wallets/{{id}}/…   (wallets 55743 and 56788)");
    eprintln!("  Ceffu      {base}/open-api/entity/webhook/resend");
    eprintln!("  Avista     {base}/api/auth/token, {base}/api/resend-webhook/{{id}}");
    eprintln!("  CCPayment  {base}/ccpayment/v1/webhook/resend, {base}/ccpayment/v2/webhook/resend");
    eprintln!("  control    {base}/__sandbox/state | faults | deliveries | callback-url | accounts");
    match handle.callback_url() {
        Some(u) => eprintln!("resent callbacks go to {u}"),
        None => eprintln!("resent callbacks go nowhere (PUT {base}/__sandbox/callback-url to set a target)"),
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
        Command::Call { account, operation, params } => {
            let account = match load_account(&account) {
                Ok(a) => a,
                Err(e) => return fail(&e),
            };
            let params = match parse_params(&params) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            let transport = match HttpTransport::new(TransportConfig::default()) {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(&Error::internal(e.to_string())),
            };
            let out = rt.block_on(providers::execute(&account, &operation, &params, &SystemClock, &transport));
            let mut v = serde_json::to_value(&out).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("error_code".into(), json!(out.error_code()));
            }
            println!("{v}");
            if out.outcome == providers::OutcomeKind::Ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
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
