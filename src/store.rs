//! Opening everything that lives in the data folder at once, the same way for the app and the CLI:
//! the database, the vault over the OS keyring, accounts, history (with crash recovery) and the action
//! runner.

use crate::accounts::Accounts;
use crate::actions::Actions;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::Result;
use crate::history::History;
use crate::vault::{SecretStore, Vault};
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub struct Store {
    pub accounts: Arc<Accounts>,
    pub history: Arc<History>,
    pub actions: Arc<Actions>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. Rows left `pending` by an earlier run that stopped
    /// mid-request become `unknown` here, before anything new is sent.
    pub fn open(dir: &Path, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Store> {
        let db = Db::open_in(dir)?;
        let history = Arc::new(History::with_clock(db.clone(), clock.clone()));
        let recovered = history.mark_stale_pending_unknown(clock.now_ms())?;
        if recovered > 0 {
            tracing::warn!(recovered, "actions interrupted by an earlier stop are now marked unknown");
        }
        let vault = Arc::new(Vault::new(secrets, db));
        let accounts = Arc::new(Accounts::new(vault, clock.clone()));
        let actions = Arc::new(Actions::new(accounts.clone(), history.clone(), clock));
        Ok(Store { accounts, history, actions })
    }
}
