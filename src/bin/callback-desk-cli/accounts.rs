//! `accounts add|list|edit|remove`: the stored accounts the app uses (same data folder and keyring). In a
//! team workspace, `add` adds a shared account (admins only), `edit` and `remove` change or delete a shared
//! account for everyone (its admins only), and `list` first refreshes this installation's copies of the
//! shared accounts (see `callback_desk::team::shared`).

use crate::{open_store, runtime};
use callback_desk::accounts::{AccountBasis, AccountInput, Environment, SANDBOX_BASE_URL};
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
    /// Change a stored account: what is given replaces what it has. The account file (same shape as for
    /// `add`, any subset of its keys) gives fields, base_url and secrets; secrets left out stay as they are,
    /// unless the host or environment changes (then every secret must be given again). Prints the account
    /// as `list` does. A shared account (`team_account_id` set) changes in the team database for every
    /// member, its secrets sealed again to each member holding a share (its admins only).
    Edit {
        id: i64,
        #[arg(long)]
        account: Option<PathBuf>,
        #[arg(long)]
        label: Option<String>,
        /// production, sandbox or custom.
        #[arg(long)]
        environment: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Delete a stored account and its secrets (history keeps its label). A shared account is deleted from
    /// the team database, for every member (its admins only; the team's audit trail keeps its rows).
    Remove { id: i64 },
}

fn parse_environment(environment: Option<&str>) -> Result<Option<Environment>, Error> {
    match environment {
        Some(e) => Ok(Some(Environment::parse(e).ok_or_else(|| Error::invalid_field("environment", "not_allowed"))?)),
        None => Ok(None),
    }
}

fn read_account_map(path: &std::path::Path) -> Result<Map<String, Value>, Error> {
    let text = read_account_file(path)?;
    serde_json::from_str(&text).map_err(|e| Error::invalid_field("account", "not_json").detail(e.to_string()))
}

pub fn run(command: AccountsCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    match command {
        AccountsCommand::Add { account, label, environment, notes } => {
            let map = read_account_map(&account)?;
            let environment = parse_environment(environment.as_deref())?;
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
                warn_unless_refreshed(refreshed);
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
        AccountsCommand::Edit { id, account, label, environment, notes } => {
            let current = store.accounts.get(id)?;
            // Saved only while the account is as read here (another edit meanwhile is not undone).
            let basis = AccountBasis::of(&current);
            // The account as it is, with what is given over it.
            let mut map = current.fields.clone();
            map.insert("provider".into(), Value::String(current.provider.as_str().into()));
            if current.base_url != SANDBOX_BASE_URL {
                map.insert("base_url".into(), Value::String(current.base_url.clone()));
            }
            if let Some(path) = account {
                map.extend(read_account_map(&path)?);
            }
            let environment = parse_environment(environment.as_deref())?.unwrap_or(current.environment);
            let input = AccountInput::from_account_file(
                &map,
                label.unwrap_or(current.label),
                Some(environment),
                notes.unwrap_or(current.notes),
            )?;
            let view = runtime()?.block_on(shared::update_account(
                &store.accounts,
                id,
                &input,
                Some(&basis),
                SystemClock.now_ms(),
            ))?;
            println!("{}", serde_json::to_string_pretty(&view).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        AccountsCommand::Remove { id } => {
            runtime()?.block_on(shared::delete_account(&store.accounts, id))?;
            eprintln!("account {id} removed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Says on stderr that the copies of shared accounts could not be refreshed (offline): what follows uses the
/// copies as last refreshed.
pub(crate) fn warn_unless_refreshed<T>(refreshed: Result<T, Error>) {
    if let Err(e) = refreshed {
        eprintln!("{}", serde_json::json!({ "warning": e }));
    }
}
