use crate::state::AppState;
use callback_desk::appinfo::AppInfo;

/// Version, data directory and keyring state for the status line.
#[tauri::command]
pub async fn app_info(state: tauri::State<'_, AppState>) -> Result<AppInfo, callback_desk::Error> {
    let mut info = AppInfo::collect(state.keyring_status().await);
    info.clipboard_clear_seconds = crate::clipboard::clear_seconds();
    Ok(info)
}

/// The window calls this once, after its first screen has been painted: the moment the app is
/// interactive. Logged with the time since the process started (scripts/perf.sh measures start-up by it).
#[tauri::command]
pub fn ui_ready(state: tauri::State<'_, AppState>) {
    if !state.ui_ready.swap(true, std::sync::atomic::Ordering::SeqCst) {
        tracing::info!(since_start_ms = state.started.elapsed().as_millis() as u64, "window interactive");
        state.ui_ready_signal.notify_waiters();
    }
}
