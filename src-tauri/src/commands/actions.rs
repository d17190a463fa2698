//! Resend and query: preview the signed request (masked), run it (recorded in history), and browse, read
//! and export history. History cannot be edited from here. ("Copy with secrets" is in `copy_secrets`.)

use crate::state::AppState;
use callback_desk::accounts::SANDBOX_BASE_URL;
use callback_desk::actions::{ActionRequest, ActionResult};
use callback_desk::history::{Cursor, HistoryDetail, HistoryFilter, HistoryPage};
use callback_desk::results::{self, ResultsView};
use callback_desk::wire::RedactedRequest;
use callback_desk::Error;
use serde::Serialize;
use ts_rs::TS;

pub(crate) async fn sandbox_root_for(state: &AppState, account_id: i64) -> Result<Option<String>, Error> {
    let view = state.accounts().await?.get(account_id)?;
    Ok(if view.base_url == SANDBOX_BASE_URL { Some(state.sandbox_root().await?) } else { None })
}

#[tauri::command]
pub async fn preview_action(
    state: tauri::State<'_, AppState>,
    request: ActionRequest,
) -> Result<RedactedRequest, Error> {
    let root = sandbox_root_for(&state, request.account_id).await?;
    let actions = state.actions().await?;
    tauri::async_runtime::spawn_blocking(move || actions.preview(&request, root.as_deref()))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn run_action(state: tauri::State<'_, AppState>, request: ActionRequest) -> Result<ActionResult, Error> {
    let root = sandbox_root_for(&state, request.account_id).await?;
    let actions = state.actions().await?;
    let transport = state.transport().await?;
    actions.run(&request, root.as_deref(), transport.as_ref(), None).await
}

#[tauri::command]
pub async fn history_page(
    state: tauri::State<'_, AppState>,
    filter: HistoryFilter,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<HistoryPage, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || history.page(&filter, cursor, limit))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn history_count(state: tauri::State<'_, AppState>, filter: HistoryFilter) -> Result<u64, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || history.count(&filter))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn history_get(state: tauri::State<'_, AppState>, id: i64) -> Result<HistoryDetail, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || history.get(id)).await.map_err(|e| Error::internal(e.to_string()))?
}

/// Where an export went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ExportResult {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}

/// Exports the filtered history as CSV into the user's Downloads folder (or the data folder when there
/// is none), streamed; progress goes to the window as `history-export-progress` events.
#[tauri::command]
pub async fn history_export_csv<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    filter: HistoryFilter,
) -> Result<ExportResult, Error> {
    use tauri::Emitter;
    let history = state.history().await?;
    let name = format!("callback-desk-history-{}.csv", chrono_stamp(state.clock.now_ms()));
    tauri::async_runtime::spawn_blocking(move || {
        write_export(&name, |w| {
            let mut last = 0u64;
            history.export_csv(&filter, w, |done, total| {
                if done == total || done >= last + 2000 {
                    last = done;
                    let _ = app.emit("history-export-progress", (done, total));
                }
            })
        })
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

fn dirs_download() -> Option<std::path::PathBuf> {
    std::env::var_os("CALLBACK_DESK_EXPORT_DIR").map(std::path::PathBuf::from).or_else(dirs::download_dir)
}

/// Where files the user saves go: the Downloads folder (`CALLBACK_DESK_EXPORT_DIR` overrides it), or the
/// data folder when there is none. Created if missing.
pub(crate) fn export_dir() -> Result<std::path::PathBuf, Error> {
    let dir = dirs_download().unwrap_or_else(callback_desk::paths::data_dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::new(callback_desk::ErrorCode::StorageFailed).detail(e.to_string()))?;
    Ok(dir)
}

/// Creates `name` in the export folder and hands a buffered writer to `write`; returns the file's path.
pub(crate) fn write_export(
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<u64, Error>,
) -> Result<ExportResult, Error> {
    let path = export_dir()?.join(name);
    // Readable by the user only (0600 on Unix), never through a link: exports hold provider responses.
    let file = callback_desk::paths::create_private_file(&path)?;
    let mut w = std::io::BufWriter::new(file);
    let rows = write(&mut w)?;
    Ok(ExportResult { path: path.display().to_string(), rows })
}

/// The results of one look-up (the Query screen's serials, up to 100) as shown.
#[tauri::command]
pub async fn action_results(state: tauri::State<'_, AppState>, history_id: i64) -> Result<ResultsView, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || {
        let (op, rows) = results::action_results(&history, history_id)?;
        Ok(ResultsView::of(&op.name, rows, usize::MAX))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Saves the results of one look-up as CSV in the Downloads folder (see `callback_desk::results`).
#[tauri::command]
pub async fn save_action_results(state: tauri::State<'_, AppState>, history_id: i64) -> Result<ExportResult, Error> {
    let history = state.history().await?;
    let name = format!("callback-desk-lookup-{history_id}-{}.csv", chrono_stamp(state.clock.now_ms()));
    tauri::async_runtime::spawn_blocking(move || {
        let (op, rows) = results::action_results(&history, history_id)?;
        write_export(&name, |w| results::write_csv(&op, &rows, w))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

pub(crate) fn chrono_stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.format("%Y%m%d-%H%M%S").to_string()).unwrap_or_default()
}
