use crate::state::AppState;
use callback_desk::appinfo::AppInfo;

/// Version, data directory and keyring state for the status line.
#[tauri::command]
pub async fn app_info(state: tauri::State<'_, AppState>) -> Result<AppInfo, callback_desk::Error> {
    let mut info = AppInfo::collect(state.keyring_status().await);
    info.painting = state.painting;
    Ok(info)
}

/// Moments of the page's start-up in ms since the page began loading (`performance.now()` in the window).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupMarks {
    script: Option<f64>,
    catalog: Option<f64>,
    mounted: Option<f64>,
    first_ipc: Option<f64>,
    painted: Option<f64>,
}

/// The window calls this once, after its first screen has been painted: the moment the app is
/// interactive. Logged with the time since the process started (scripts/perf.sh measures start-up by it)
/// and the page's own marks, so the log shows where the time went: `page_began_ms` is when the page
/// started loading (after the process and the web view had started), the others are since then.
#[tauri::command]
pub fn ui_ready(state: tauri::State<'_, AppState>, marks: Option<StartupMarks>) {
    if !state.ui_ready.swap(true, std::sync::atomic::Ordering::SeqCst) {
        let since_start_ms = state.started.elapsed().as_millis() as u64;
        let m = marks.unwrap_or_default();
        let ms = |v: Option<f64>| v.map(|v| v.max(0.0).round() as u64);
        tracing::info!(
            since_start_ms,
            page_began_ms = ms(m.painted.map(|p| since_start_ms as f64 - p)),
            script_ms = ms(m.script),
            catalog_ms = ms(m.catalog),
            mounted_ms = ms(m.mounted),
            first_ipc_ms = ms(m.first_ipc),
            painted_ms = ms(m.painted),
            "window interactive"
        );
        state.ui_ready_signal.notify_waiters();
    }
}
