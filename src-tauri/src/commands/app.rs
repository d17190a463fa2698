use crate::state::AppState;
use callback_desk::appinfo::AppInfo;

/// Version, data directory and keyring state for the status line.
#[tauri::command]
pub async fn app_info(state: tauri::State<'_, AppState>) -> Result<AppInfo, callback_desk::Error> {
    let mut info = AppInfo::collect(state.keyring_status().await);
    info.clipboard_clear_seconds = crate::clipboard::clear_seconds();
    Ok(info)
}
