//! "Copy with secrets": the request an action would send now, with its real credentials and a fresh
//! signature, as a runnable cURL command put on the clipboard by the shell itself. The window never
//! receives the command: it asks for a one-time ticket when it opens its confirmation
//! (`prepare_copy_with_secrets`) and sends that ticket back when the user confirms (`copy_with_secrets`),
//! which answers only that it copied. Nothing is recorded in history or logged.

use crate::commands::actions::sandbox_root_for;
use crate::copy_tickets;
use crate::state::AppState;
use callback_desk::actions::ActionRequest;
use callback_desk::Error;
use serde::Serialize;
use ts_rs::TS;

/// The confirmation's ticket and what will happen to the clipboard.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct CopyTicket {
    /// Single use, for this request only, valid for `valid_seconds`.
    pub ticket: String,
    pub valid_seconds: u32,
    /// Seconds after which the app clears the clipboard if it still holds the command; `null` where it
    /// cannot.
    pub clear_seconds: Option<u32>,
}

/// What a copy did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Copied {
    /// As in [`CopyTicket::clear_seconds`].
    pub clear_seconds: Option<u32>,
}

/// Issues the ticket the confirmation dialog sends back to copy `request` (an account that exists).
#[tauri::command]
pub async fn prepare_copy_with_secrets(
    state: tauri::State<'_, AppState>,
    request: ActionRequest,
) -> Result<CopyTicket, Error> {
    state.accounts().await?.get(request.account_id)?;
    Ok(CopyTicket {
        ticket: state.copy_tickets.issue(&request, state.clock.now_ms()),
        valid_seconds: (copy_tickets::LIFETIME_MS / 1000) as u32,
        clear_seconds: crate::clipboard::clear_seconds(),
    })
}

/// Copies `request` with its secrets to the clipboard, if `ticket` was issued for exactly this request,
/// has not been used and has not expired. A copy that fails leaves the ticket usable for a retry.
#[tauri::command]
pub async fn copy_with_secrets<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    ticket: String,
    request: ActionRequest,
) -> Result<Copied, Error> {
    state.copy_tickets.redeem(&ticket, &request, state.clock.now_ms())?;
    let copied = copy(&app, &state, &request).await;
    if copied.is_err() {
        state.copy_tickets.release(&ticket);
    }
    Ok(Copied { clear_seconds: copied? })
}

async fn copy<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    state: &AppState,
    request: &ActionRequest,
) -> Result<Option<u32>, Error> {
    let root = sandbox_root_for(state, request.account_id).await?;
    let actions = state.actions().await?;
    let transport = state.transport().await?;
    let command = actions.unmasked_curl(request, root.as_deref(), transport.as_ref()).await?;
    state.clipboard.copy_secret(app, command).await
}
