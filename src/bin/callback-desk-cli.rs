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
    /// Run the local provider simulators.
    Sandbox {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
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
        Command::Sandbox { .. } => {
            eprintln!("sandbox: not yet available");
            ExitCode::from(2)
        }
    }
}
