//! Merchant accounts: list, create, update, delete, test, and the sandbox's demo accounts.
//! Secrets go in (write-only) and never come back out: every view lists them only as set / not set.

use crate::held_deletes::{self, HOLD};
use crate::state::AppState;
use callback_desk::accounts::{self, AccountBasis, AccountInput, AccountView, TestResult, SANDBOX_BASE_URL};
use callback_desk::providers::{self, ProviderDescriptor};
use callback_desk::Error;

#[tauri::command]
pub fn provider_descriptors() -> Vec<ProviderDescriptor> {
    providers::all()
}

/// The accounts, without those whose delete is held (see [`delete_account`]).
#[tauri::command]
pub async fn list_accounts(state: tauri::State<'_, AppState>) -> Result<Vec<AccountView>, Error> {
    let accounts = state.accounts().await?;
    let list = tauri::async_runtime::spawn_blocking(move || accounts.list()).await.map_err(join_error)??;
    let held = state.held_deletes.ids();
    Ok(list.into_iter().filter(|a| !held.contains(&a.id)).collect())
}

/// In a team workspace, a shared account (admins); otherwise one of this installation's own.
#[tauri::command]
pub async fn create_account(state: tauri::State<'_, AppState>, input: AccountInput) -> Result<AccountView, Error> {
    let accounts = state.accounts().await?;
    callback_desk::team::shared::add_account(&accounts, &input, state.clock.now_ms()).await
}

/// `basis`: the account as the form showed it when it was opened; the edit is refused
/// (`accounts.changed_elsewhere`) when the account has changed since.
#[tauri::command]
pub async fn update_account(
    state: tauri::State<'_, AppState>,
    id: i64,
    input: AccountInput,
    basis: Option<AccountBasis>,
) -> Result<AccountView, Error> {
    let accounts = state.accounts().await?;
    // A shared account changes in the team database (its admins), any other in this installation.
    callback_desk::team::shared::update_account(&accounts, id, &input, basis.as_ref(), state.clock.now_ms()).await
}

/// Deletes the account once [`HOLD`] has passed (or the window closes), so the window can undo it until
/// then; answers the time (Unix ms) until which [`undo_delete_account`] can bring it back. A shared account
/// is checked first (only its admins delete it, for everyone: `team.shared_account_admin_only` at once).
/// When the delete then fails (the team database cannot be reached, say), the window is told why and the
/// account shows again (`held_deletes::tell_window`).
#[tauri::command]
pub async fn delete_account<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    id: i64,
) -> Result<i64, Error> {
    let accounts = state.accounts().await?;
    callback_desk::team::shared::check_can_delete(&accounts, id).await?;
    let token = state.held_deletes.hold(id);
    let held = state.held_deletes.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(HOLD).await;
        if held.release(id, token) {
            held_deletes::tell_window(&app, &held_deletes::delete_now(&accounts, &[id]).await);
        }
    });
    Ok(state.clock.now_ms() + HOLD.as_millis() as i64)
}

/// Brings back an account whose delete is still held; false when it is too late (already deleted).
#[tauri::command]
pub fn undo_delete_account(state: tauri::State<'_, AppState>, id: i64) -> bool {
    state.held_deletes.undo(id)
}

/// The window closes: every held delete happens now.
pub fn delete_held_now(state: &AppState) {
    let ids = state.held_deletes.release_all();
    if ids.is_empty() {
        return;
    }
    // The window is going: a delete not done is only logged (the account stays, as it was).
    match tauri::async_runtime::block_on(state.accounts()) {
        Ok(accounts) => drop(tauri::async_runtime::block_on(held_deletes::delete_now(&accounts, &ids))),
        Err(e) => tracing::warn!(code = %e.code, "held account deletes not done"),
    }
}

#[tauri::command]
pub async fn test_account(state: tauri::State<'_, AppState>, id: i64) -> Result<TestResult, Error> {
    let accounts = state.accounts().await?;
    let view = accounts.get(id)?;
    let root = if view.base_url == SANDBOX_BASE_URL { Some(state.sandbox_root().await?) } else { None };
    let (_, account) = {
        let accounts = accounts.clone();
        tauri::async_runtime::spawn_blocking(move || accounts.signing_account(id, root.as_deref()))
            .await
            .map_err(join_error)??
    };
    let transport = state.transport().await?;
    Ok(accounts::test_connection(&account, state.clock.as_ref(), transport.as_ref()).await)
}

/// "Try it with simulated providers": starts the built-in sandbox and adds one account per provider.
#[tauri::command]
pub async fn create_sandbox_accounts<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
) -> Result<Vec<AccountView>, Error> {
    let root = state.sandbox_root().await?;
    let accounts = state.accounts().await?;
    // Held deletes happen first: a sandbox account about to go would otherwise count as already there.
    let held = state.held_deletes.release_all();
    held_deletes::tell_window(&app, &held_deletes::delete_now(&accounts, &held).await);
    tauri::async_runtime::spawn_blocking(move || accounts.create_sandbox_demo(&root)).await.map_err(join_error)?
}

fn join_error(e: impl std::fmt::Display) -> Error {
    Error::internal(e.to_string())
}
