//! `accounts add|list|remove`: the stored accounts the app uses (same data folder and keyring). In a team
//! workspace, `add` adds a shared account (admins only) and `list` first refreshes this installation's
//! copies of the shared accounts (see `callback_desk::team::shared`).

use crate::{open_store, runtime};
use callback_desk::accounts::{AccountInput, Environment};
use callback_desk::clock::{Clock, SystemClock};
use callback_desk::error::Error;
use callback_desk::providers::input_limits::read_account_file;
use callback_desk::team::{shared, Team, TeamConfig};
use clap::Subcommand;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Store an account from an account file; its secrets go to the vault. Prints the new id. In a team
    /// workspace (admins only) the account is shared: its fields go to the team database and its secrets,
    /// sealed to this member's key, too; `team share` gives other members their copies.
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
    /// Print every stored account as JSON (secret fields only as set / not set). In a team workspace the
    /// shared accounts are among them (`team_account_id` set), refreshed from the team database.
    List,
    /// Delete a stored account and its secrets (history keeps its label).
    Remove { id: i64 },
}

pub fn run(command: AccountsCommand) -> Result<ExitCode, Error> {
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
            let view = runtime()?.block_on(shared::add_account(&store.accounts, &input, SystemClock.now_ms()))?;
            println!("{}", view.id);
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::List => {
            if TeamConfig::load(store.accounts.vault().db())?.is_some() {
                let refreshed = runtime()?.block_on(async {
                    let team = Team::open(store.accounts.vault()).await?;
                    shared::refresh_all(&team, &store.accounts, SystemClock.now_ms()).await
                });
                if let Err(e) = refreshed {
                    // Offline: the copies as last refreshed.
                    eprintln!("{}", serde_json::json!({ "warning": e }));
                }
            }
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
