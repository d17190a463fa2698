//! `approvals list|approve|reject|run`: four-eyes approvals of a team workspace. Another member (approver
//! or admin) approves or rejects a held-back resend; its requester runs it once, printing what `call`
//! prints.

use crate::accounts::warn_unless_refreshed;
use crate::call::{call_stored, print_outcome};
use crate::{open_store, runtime};
use callback_desk::clock::{Clock, SystemClock};
use callback_desk::error::Error;
use callback_desk::team::{approvals, shared, Team};
use callback_desk::transport::{HttpTransport, TransportConfig};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ApprovalsCommand {
    /// Print every request as a JSON array (newest first) with `id`, `status`, `requested_by`, what was
    /// asked, and `account_changed` (your own request about an account edited since).
    List,
    /// Approve another member's pending request (approvers and admins).
    Approve { id: i64 },
    /// Reject another member's pending request, saying why (approvers and admins).
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Run your own approved request, once; prints what `call` prints.
    Run { id: i64 },
}

pub fn run(command: ApprovalsCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    let rt = runtime()?;
    rt.block_on(async move {
        let team = Team::open(store.accounts.vault()).await?;
        match command {
            ApprovalsCommand::List => {
                // The shared accounts' copies first, as `accounts list` refreshes them: an admin's edit since a
                // request is what `account_changed` tells.
                warn_unless_refreshed(shared::refresh_all(&team, &store.accounts, SystemClock.now_ms()).await);
                let list = approvals::list(&team, &store.accounts.list()?).await?;
                println!("{}", serde_json::to_string(&list).unwrap_or_default());
            }
            ApprovalsCommand::Approve { id } => {
                approvals::approve(&team, id).await?;
                eprintln!("approval {id} approved");
            }
            ApprovalsCommand::Reject { id, reason } => {
                approvals::reject(&team, id, &reason).await?;
                eprintln!("approval {id} rejected");
            }
            ApprovalsCommand::Run { id } => {
                let (account_id, operation, params) = approvals::plan_of(&team, id).await?;
                drop(team);
                drop(store);
                let transport = HttpTransport::new(TransportConfig::default())?;
                return Ok(print_outcome(call_stored(account_id, operation, params, Some(id), &transport).await));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
