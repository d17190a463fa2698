//! The built-in sandbox as the window sees it: what its receiver took (the Sandbox inbox screen), the
//! receiver's URLs (a sandbox Avista account may send its one-off webhook URL to its provider's), and the
//! training controls of Settings (reset, faults).

use crate::state::AppState;
use callback_desk::accounts::Environment;
use callback_desk::error::ErrorCode;
use callback_desk::providers::ProviderId;
use callback_desk::sandbox::{
    training_faults, InboxEntry, SandboxInbox, SandboxTraining, TrainingFault, INBOX_CAPACITY,
};
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

/// The training controls (see [`SandboxTraining`]); starts nothing.
#[tauri::command]
pub async fn sandbox_training(state: tauri::State<'_, AppState>) -> Result<SandboxTraining, Error> {
    training(&state).await
}

/// Makes the next `count` requests to `provider`'s simulated APIs meet `fault` (training). Only with a
/// sandbox account; starts the sandbox if needed.
#[tauri::command]
pub async fn inject_sandbox_fault(
    state: tauri::State<'_, AppState>,
    provider: ProviderId,
    fault: TrainingFault,
    count: u32,
) -> Result<SandboxTraining, Error> {
    if !has_sandbox_account(&state).await? {
        return Err(Error::new(ErrorCode::SandboxNoAccount));
    }
    let faults = training_faults(provider, fault, count)?;
    state.sandbox_root().await?;
    state.with_running_sandbox(|sb| sb.map(|sb| sb.inject_all(faults))).await;
    training(&state).await
}

/// Removes every fault waiting in the sandbox.
#[tauri::command]
pub async fn clear_sandbox_faults(state: tauri::State<'_, AppState>) -> Result<SandboxTraining, Error> {
    state.with_running_sandbox(|sb| sb.map(|sb| sb.clear_faults())).await;
    training(&state).await
}

/// "Reset the sandbox": the simulated providers start afresh (their seeded data, no faults, no limits
/// used) and the inbox is emptied. Nothing else changes: accounts, history and jobs stay.
#[tauri::command]
pub async fn reset_sandbox(state: tauri::State<'_, AppState>) -> Result<SandboxTraining, Error> {
    state.reset_sandbox().await?;
    training(&state).await
}

async fn training(state: &AppState) -> Result<SandboxTraining, Error> {
    let pending = state.with_running_sandbox(|sb| sb.map(|sb| sb.pending_faults())).await;
    Ok(SandboxTraining::new(has_sandbox_account(state).await?, &pending.unwrap_or_default()))
}
