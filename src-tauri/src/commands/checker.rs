//! "Check a callback": a callback pasted in the window, or one the sandbox's receiver took (by its inbox
//! id: its signature headers never reach the window), checked with a stored account's secret in the core.
//! The window sends the text and the account id and gets the verdict and the fields, never a secret.

use crate::state::AppState;
use callback_desk::checker::paste::{Pasted, PastedCallback, BODY_FIELD};
use callback_desk::checker::{self, CallbackCheck};
use callback_desk::Error;

#[tauri::command]
pub async fn check_callback(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    pasted: Option<Pasted>,
    delivery: Option<u64>,
) -> Result<CallbackCheck, Error> {
    let callback = match (pasted, delivery) {
        (_, Some(id)) => delivered(&state, id).await?,
        (Some(pasted), None) => pasted.read()?,
        (None, None) => return Err(Error::missing_field(BODY_FIELD)),
    };
    let accounts = state.accounts().await?;
    tauri::async_runtime::spawn_blocking(move || checker::check_stored(&accounts, account_id, &callback))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

/// The delivery `id` of the running sandbox's inbox, as its receiver took it.
async fn delivered(state: &AppState, id: u64) -> Result<PastedCallback, Error> {
    state
        .with_running_sandbox(|sandbox| sandbox.and_then(|sb| sb.inbox().into_iter().find(|e| e.id == id)))
        .await
        .map(|e| PastedCallback { headers: e.headers, body: e.body.into_bytes() })
        .ok_or_else(|| Error::invalid_field("delivery", "delivery_gone"))
}
