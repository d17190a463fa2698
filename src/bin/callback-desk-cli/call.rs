//! `call`: sends an operation and prints its outcome as one JSON object; exit 0 only when it succeeded.
//! From an account file nothing is recorded; a stored account (`--account-id`) goes through the same path
//! as the app, recorded in history. In a team workspace, a resend the team's policy holds back is not sent:
//! it is requested for approval (exit 3, `{"outcome": "awaiting_approval", "approval_id": N}`).

use crate::{fail, load_account, open_store, parse_params, runtime};
use callback_desk::accounts::SANDBOX_BASE_URL;
use callback_desk::actions::ActionRequest;
use callback_desk::clock::SystemClock;
use callback_desk::error::{Error, ErrorCode};
use callback_desk::providers;
use callback_desk::transport::{HttpTransport, TransportConfig};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["account", "account_id"])))]
pub struct Args {
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
}

pub fn run(args: Args) -> ExitCode {
    let Args { account, account_id, operation, params } = args;
    let params = match parse_params(&params) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let transport = match HttpTransport::new(TransportConfig::default()) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(&e),
    };
    let v = match (account, account_id) {
        (Some(path), _) => {
            let account = match load_account(&path) {
                Ok(a) => a,
                Err(e) => return fail(&e),
            };
            let mut out = rt.block_on(providers::execute(&account, &operation, &params, &SystemClock, &transport));
            // As for stored accounts (`Actions::run`): what the provider sent back is scrubbed of the
            // account's secrets before it is printed.
            out.error = out.error.map(Error::scrubbed);
            out.result = callback_desk::logging::scrub_value(&out.result);
            let mut v = serde_json::to_value(&out).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("error_code".into(), json!(out.error_code()));
            }
            v
        }
        (None, Some(id)) => return print_outcome(rt.block_on(call_stored(id, operation, params, None, &transport))),
        (None, None) => return fail(&Error::missing_field("account")),
    };
    print_outcome(Ok(v))
}

/// Prints what a call did: its outcome (exit 0 only when it succeeded); a resend held back for a team
/// approval as `{"outcome": "awaiting_approval", "approval_id": N}` (exit 3); an error on stderr (exit 1).
pub fn print_outcome(result: Result<Value, Error>) -> ExitCode {
    match result {
        Ok(v) => {
            println!("{v}");
            if v["outcome"] == "ok" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) if e.code == ErrorCode::ApprovalAwaiting => {
            println!("{}", json!({ "outcome": "awaiting_approval", "approval_id": e.params.get("approval_id") }));
            ExitCode::from(3)
        }
        Err(e) => fail(&e),
    }
}

/// In a team workspace, sends the finished actions to the team's audit trail. A failure leaves them queued
/// for the next push and does not change what the call printed.
async fn push_to_team(store: &callback_desk::store::Store) {
    use callback_desk::team::outbox;
    // Usually the action pushed itself on the connection that admitted it; what is left goes now.
    if !outbox::waiting(store.accounts.vault().db()).is_ok_and(|n| n > 0) {
        return;
    }
    if let Err(e) = outbox::push_now(store.accounts.vault(), &SystemClock).await {
        tracing::warn!(error = %e, "the team's audit trail could not be reached; the action stays queued");
        eprintln!("{}", serde_json::json!({ "warning": e }));
    }
}

/// Runs a stored account's operation through the same path as the app (history row written `pending`
/// first), under the team approval `approval_id` when given. Sandbox accounts get an in-process sandbox for
/// the duration of the call.
pub async fn call_stored(
    id: i64,
    operation: String,
    params: Map<String, Value>,
    approval_id: Option<i64>,
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
    let result = store.actions.run_under(&req, approval_id, root.as_deref(), transport, None).await?;
    push_to_team(&store).await;
    let mut v = serde_json::to_value(&result).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("error_code".into(), json!(result.error.as_ref().map(|e| e.code)));
    }
    Ok(v)
}
