//! Account deletes held back for a few seconds so the window can undo them.
//!
//! While a delete is held nothing is written: the account stays in the database, only hidden from the
//! window's list. When the hold ends (its time is up, or the window closes) the account goes in one
//! statement together with its sealed secrets (`account_secrets` is deleted with it). So a crash at any
//! moment leaves the account either whole or gone, never half-deleted; the keyring holds only the master
//! key, which no delete touches.
//!
//! A delete that fails when its hold ends (a shared account while the team database cannot be reached, say)
//! leaves the account where it was; the window is told (`account-not-deleted`, with the reason) and reads the
//! accounts again (`accounts-changed`), so the account shows again at once.

use crate::team_watch::ACCOUNTS_CHANGED_EVENT;
use callback_desk::accounts::Accounts;
use callback_desk::Error;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{Emitter, Runtime};
use ts_rs::TS;

/// How long a delete can be undone (the window's confirmation stays this long).
pub const HOLD: Duration = Duration::from_secs(10);

/// The deletes waiting for their hold to end (memory only: a crash forgets them, keeping the accounts).
#[derive(Default)]
pub struct HeldDeletes {
    /// Account id → the hold's token (a delete undone and asked again is a new hold).
    held: Mutex<HashMap<i64, u64>>,
    next_token: Mutex<u64>,
}

impl HeldDeletes {
    /// Holds the delete of `id`; the token names this hold for [`HeldDeletes::release`].
    pub fn hold(&self, id: i64) -> u64 {
        let token = {
            let mut next = self.next_token.lock().unwrap_or_else(|e| e.into_inner());
            *next += 1;
            *next
        };
        self.held.lock().unwrap_or_else(|e| e.into_inner()).insert(id, token);
        token
    }

    /// Undoes the held delete of `id`; false when there is none (its hold already ended).
    pub fn undo(&self, id: i64) -> bool {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).remove(&id).is_some()
    }

    /// The accounts whose delete is held (the list leaves them out).
    pub fn ids(&self) -> HashSet<i64> {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect()
    }

    /// Ends hold `token` of `id`: true when it was still held (the caller deletes the account now), false
    /// when it was undone or replaced by a newer hold.
    pub fn release(&self, id: i64, token: u64) -> bool {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.get(&id) == Some(&token) {
            held.remove(&id);
            true
        } else {
            false
        }
    }

    /// Ends every hold at once (the window closes): the accounts to delete now.
    pub fn release_all(&self) -> Vec<i64> {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).drain().map(|(id, _)| id).collect()
    }
}

/// The event that a held delete did not happen (its payload a [`NotDeleted`]).
pub const ACCOUNT_NOT_DELETED_EVENT: &str = "account-not-deleted";

/// A held delete that did not happen when its hold ended: the account stays, as it was.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct NotDeleted {
    #[ts(type = "number")]
    pub account_id: i64,
    pub label: String,
    /// A shared account of the team workspace (not deleted for anyone).
    pub shared: bool,
    /// Why (`team.offline`, `team.shared_account_admin_only`, …).
    #[ts(type = "import(\"./Error\").Error")]
    pub error: Error,
}

/// Deletes the accounts whose hold ended (a shared account from the team database, as
/// `team::shared::delete_account` does); answers those not deleted, which stay as they were.
pub async fn delete_now(accounts: &Accounts, ids: &[i64]) -> Vec<NotDeleted> {
    let mut not_deleted = Vec::new();
    for &id in ids {
        if let Err(error) = callback_desk::team::shared::delete_account(accounts, id).await {
            tracing::warn!(account_id = id, code = %error.code, "held account delete not done");
            let (label, shared) = accounts.get(id).map(|a| (a.label, a.team_account_id.is_some())).unwrap_or_default();
            not_deleted.push(NotDeleted { account_id: id, label, shared, error });
        }
    }
    not_deleted
}

/// Tells the window about the deletes that did not happen, and to read the accounts again (they show again).
pub fn tell_window<R: Runtime>(app: &tauri::AppHandle<R>, not_deleted: &[NotDeleted]) {
    for n in not_deleted {
        let _ = app.emit(ACCOUNT_NOT_DELETED_EVENT, n);
    }
    if !not_deleted.is_empty() {
        let _ = app.emit(ACCOUNTS_CHANGED_EVENT, ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callback_desk::accounts::AccountInput;
    use callback_desk::clock::SystemClock;
    use callback_desk::store::Store;
    use callback_desk::vault::{MemoryStore, SecretStore};
    use serde_json::json;
    use std::path::Path;
    use std::sync::Arc;

    fn open(dir: &Path, secrets: &Arc<MemoryStore>) -> Store {
        let secrets: Arc<dyn SecretStore> = secrets.clone();
        Store::open(dir, secrets, Arc::new(SystemClock)).expect("store")
    }

    fn sealed_secrets(dir: &Path) -> i64 {
        let conn = rusqlite::Connection::open(dir.join(callback_desk::db::DB_FILE)).expect("db");
        conn.query_row("SELECT count(*) FROM account_secrets", [], |r| r.get(0)).expect("count")
    }

    fn add_account(store: &Store) -> i64 {
        let file = json!({"provider": "cybavo", "base_url": "https://sofa.example.com", "wallet_id": 7,
                          "api_code": "code", "api_secret": "secret-of-the-held-account"});
        let input = AccountInput::from_account_file(file.as_object().unwrap(), "Store BR".into(), None, String::new())
            .expect("input");
        store.accounts.create(&input).expect("created").id
    }

    #[test]
    fn a_held_delete_keeps_the_account_until_its_hold_ends_and_undo_restores_it() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let store = open(dir.path(), &secrets);
        let id = add_account(&store);
        let held = HeldDeletes::default();

        let token = held.hold(id);
        assert_eq!(held.ids(), HashSet::from([id]));
        assert!(store.accounts.get(id).is_ok(), "nothing deleted while held");
        assert!(held.undo(id));
        assert!(held.ids().is_empty());
        // The hold's time runs out after the undo: nothing happens.
        assert!(!held.release(id, token));
        assert!(store.accounts.get(id).unwrap().secrets.iter().all(|s| s.set));
    }

    #[test]
    fn an_ended_hold_deletes_the_account_with_its_sealed_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let store = open(dir.path(), &secrets);
        let id = add_account(&store);
        assert!(sealed_secrets(dir.path()) > 0);
        let held = HeldDeletes::default();

        let token = held.hold(id);
        assert!(held.release(id, token));
        assert!(tauri::async_runtime::block_on(delete_now(&store.accounts, &[id])).is_empty());
        assert!(store.accounts.get(id).is_err());
        assert_eq!(sealed_secrets(dir.path()), 0);
    }

    /// Makes account `id` this installation's copy of shared account 1 of a workspace whose team database
    /// does not answer (a port nothing listens on).
    fn in_an_offline_workspace(dir: &Path, store: &Store, id: i64) {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let conn = rusqlite::Connection::open(dir.join(callback_desk::db::DB_FILE)).expect("db");
        conn.execute(
            "INSERT INTO team_workspace (id, host, port, dbname, login_role, member, joined_at)
             VALUES (1, '127.0.0.1', ?1, 'finance_team', 'cbd_alice', 'alice', 0)",
            [port],
        )
        .expect("workspace");
        conn.execute("UPDATE accounts SET team_account_id = 1 WHERE id = ?1", [id]).expect("shared copy");
        let password = callback_desk::secret::Secret::new("team-password");
        store.accounts.vault().put_app_secret(callback_desk::team::PASSWORD_SECRET, &password, 0).expect("password");
    }

    #[test]
    fn a_held_delete_of_a_shared_account_the_team_database_did_not_take_is_told_to_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let store = open(dir.path(), &secrets);
        let id = add_account(&store);
        in_an_offline_workspace(dir.path(), &store, id);
        let held = HeldDeletes::default();
        let token = held.hold(id);
        assert!(held.release(id, token));

        let not_deleted = tauri::async_runtime::block_on(delete_now(&store.accounts, &[id]));
        assert_eq!(not_deleted.len(), 1);
        assert_eq!((not_deleted[0].account_id, not_deleted[0].label.as_str()), (id, "Store BR"));
        assert_eq!(not_deleted[0].error.code, callback_desk::ErrorCode::TeamOffline);
        assert!(store.accounts.get(id).is_ok(), "the account stays, as it was");
        assert!(held.ids().is_empty(), "and the list shows it again");

        let app = tauri::test::mock_app();
        let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
        for event in [ACCOUNT_NOT_DELETED_EVENT, ACCOUNTS_CHANGED_EVENT] {
            let heard = heard.clone();
            tauri::Listener::listen_any(&app, event, move |e| {
                heard.lock().unwrap().push((event, e.payload().to_owned()));
            });
        }
        tell_window(app.handle(), &not_deleted);
        let heard = heard.lock().unwrap().clone();
        assert_eq!(heard.len(), 2, "{heard:?}");
        assert_eq!(heard[0].0, ACCOUNT_NOT_DELETED_EVENT);
        let told: serde_json::Value = serde_json::from_str(&heard[0].1).unwrap();
        assert_eq!(told["account_id"], id);
        assert_eq!(told["label"], "Store BR");
        assert_eq!(told["shared"], true);
        assert_eq!(told["error"]["code"], "team.offline");
        assert_eq!(heard[1].0, ACCOUNTS_CHANGED_EVENT, "the screens read the accounts again");
    }

    #[test]
    fn a_delete_asked_again_after_an_undo_is_not_cut_short_by_the_first_hold() {
        let held = HeldDeletes::default();
        let first = held.hold(3);
        assert!(held.undo(3));
        let second = held.hold(3);
        assert!(!held.release(3, first), "the first hold's time ending does not delete");
        assert_eq!(held.ids(), HashSet::from([3]));
        assert!(held.release(3, second));
    }

    #[test]
    fn closing_the_window_ends_every_hold() {
        let held = HeldDeletes::default();
        let t1 = held.hold(1);
        held.hold(2);
        let mut ids = held.release_all();
        ids.sort();
        assert_eq!(ids, vec![1, 2]);
        assert!(!held.release(1, t1), "a hold ended by the window is not ended again");
    }

    #[test]
    fn a_crash_while_a_delete_is_held_leaves_the_account_whole() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let id = {
            let store = open(dir.path(), &secrets);
            let id = add_account(&store);
            let held = HeldDeletes::default();
            held.hold(id);
            // The process ends here without the hold ending.
            id
        };
        let store = open(dir.path(), &secrets);
        let view = store.accounts.get(id).expect("the account is still there");
        assert!(view.secrets.iter().all(|s| s.set), "with its secrets");
        store.accounts.signing_account(id, None).expect("and usable");
    }
}
