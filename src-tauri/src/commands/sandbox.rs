//! The built-in sandbox as the window sees it: what its receiver took (the Sandbox inbox screen), and the
//! receiver's URLs (a sandbox Avista account may send its one-off webhook URL to its provider's).

use crate::state::AppState;
use callback_desk::accounts::Environment;
use callback_desk::sandbox::{InboxEntry, SandboxInbox, INBOX_CAPACITY};
use callback_desk::Error;

/// What the sandbox's built-in receiver took, newest first (at most `limit`), redacted. Never starts the
/// sandbox; `available` says whether the window offers the screen (a sandbox account exists or it runs).
#[tauri::command]
pub async fn sandbox_inbox(state: tauri::State<'_, AppState>, limit: Option<u32>) -> Result<SandboxInbox, Error> {
    let limit = limit.map_or(INBOX_CAPACITY, |l| l as usize);
    let (running, receivers, entries) = state
        .with_running_sandbox(|sandbox| match sandbox {
            Some(sb) => (true, sb.receiver_urls(), sb.inbox().iter().take(limit).map(InboxEntry::redacted).collect()),
            None => (false, Vec::new(), Vec::new()),
        })
        .await;
    let available = running || {
        let accounts = state.accounts().await?;
        tauri::async_runtime::spawn_blocking(move || accounts.list())
            .await
            .map_err(|e| Error::internal(e.to_string()))??
            .iter()
            .any(|a| a.environment == Environment::Sandbox)
    };
    Ok(SandboxInbox { available, running, receivers, entries })
}
