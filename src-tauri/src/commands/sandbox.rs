//! The built-in sandbox as the window sees it: what its receiver took (the Sandbox inbox screen), and the
//! receiver's URLs (a sandbox Avista account may send its one-off webhook URL to its provider's).

use crate::state::AppState;
use callback_desk::accounts::Environment;
use callback_desk::sandbox::{InboxEntry, SandboxInbox, INBOX_CAPACITY};
use callback_desk::Error;

/// What the sandbox's built-in receiver took, newest first (at most `limit`), redacted. Starts the sandbox
/// only when `start` asks and a sandbox account exists (the Resend screen offering a sandbox account the
/// receiver's URL); `available` says whether the window offers the screen (a sandbox account exists or it
/// runs).
#[tauri::command]
pub async fn sandbox_inbox(
    state: tauri::State<'_, AppState>,
    limit: Option<u32>,
    start: Option<bool>,
) -> Result<SandboxInbox, Error> {
    let limit = limit.map_or(INBOX_CAPACITY, |l| l as usize);
    if start == Some(true) && has_sandbox_account(&state).await? {
        state.sandbox_root().await?;
    }
    let (running, receivers, entries) = state
        .with_running_sandbox(|sandbox| match sandbox {
            Some(sb) => (true, sb.receiver_urls(), sb.inbox().iter().take(limit).map(InboxEntry::redacted).collect()),
            None => (false, Vec::new(), Vec::new()),
        })
        .await;
    let available = running || has_sandbox_account(&state).await?;
    Ok(SandboxInbox { available, running, receivers, entries })
}

async fn has_sandbox_account(state: &AppState) -> Result<bool, Error> {
    let accounts = state.accounts().await?;
    Ok(tauri::async_runtime::spawn_blocking(move || accounts.list())
        .await
        .map_err(|e| Error::internal(e.to_string()))??
        .iter()
        .any(|a| a.environment == Environment::Sandbox))
}
