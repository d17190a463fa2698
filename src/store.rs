//! Opening everything that lives in the data folder at once, the same way for the app and the CLI:
//! the database, the vault over the OS keyring, accounts, history (with crash recovery), the action
//! runner, rate budgets and bulk jobs (jobs left running by an earlier exit become `interrupted`). Another
//! process may be working on the same data folder at that moment (the app while the CLI runs, a bulk
//! runner): recovery only touches what belongs to processes that are gone.

use crate::accounts::Accounts;
use crate::actions::Actions;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::Result;
use crate::history::History;
use crate::jobs::Jobs;
use crate::limits::Limits;
use crate::vault::{SecretStore, Vault};
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub struct Store {
    pub accounts: Arc<Accounts>,
    pub history: Arc<History>,
    pub actions: Arc<Actions>,
    /// Rate budgets per account (counted by every action).
    pub limits: Arc<Limits>,
    /// Bulk jobs.
    pub jobs: Arc<Jobs>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. Rows left `pending` by a process that stopped
    /// mid-request become `unknown` here, before anything new is sent; those of a process still running
    /// are left to it.
    pub fn open(dir: &Path, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Store> {
        let db = Db::open_in(dir)?;
        let history = Arc::new(History::with_clock(db.clone(), clock.clone()));
        let recovered = history.mark_stale_pending_unknown()?;
        if recovered > 0 {
            tracing::warn!(recovered, "actions interrupted by an earlier stop are now marked unknown");
        }
        let vault = Arc::new(Vault::new(secrets, db.clone()));
        let accounts = Arc::new(Accounts::new(vault, clock.clone()));
        let limits = Arc::new(Limits::new(db.clone()));
        let actions = Arc::new(Actions::new(accounts.clone(), history.clone(), limits.clone(), clock.clone()));
        let jobs = Arc::new(Jobs::new(db.clone(), actions.clone(), clock));
        let interrupted = jobs.mark_interrupted()?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "bulk jobs stopped by an earlier exit are now interrupted (resumable)");
        }
        Ok(Store { accounts, history, actions, limits, jobs })
    }
}
