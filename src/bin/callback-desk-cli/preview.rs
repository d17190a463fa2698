//! `preview`: the fully signed request of an operation as JSON (real credentials and signature), sent nowhere.

use crate::{fail, load_account, parse_params};
use callback_desk::error::Error;
use callback_desk::providers::{self, BuildCtx};
use callback_desk::secret::Secret;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
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
}

pub fn run(args: Args) -> ExitCode {
    match preview(args) {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn preview(args: Args) -> Result<Value, Error> {
    let account = load_account(&args.account)?;
    let params = parse_params(&args.params)?;
    let calls = providers::plan_calls(&account, &args.operation, &params)?;
    let token = args.token.map(Secret::new);
    let ctx = BuildCtx { now_ms: args.at, nonce: args.nonce, token: token.as_ref() };
    let first = calls.first().cloned().unwrap_or_default();
    let req = providers::build_request(&account, &args.operation, &first, &ctx)?;
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
