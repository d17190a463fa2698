//! Callback Desk desktop shell: a thin Tauri layer over the `callback-desk` core.
//!
//! Each command validates its input types, calls the core and maps the error; no provider logic lives
//! here. The window may call only the commands granted in the `main-window` capability (tauri.conf.json),
//! and may show only the app's own pages (`window::create_main` installs the navigation guard).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod clipboard;
mod commands;
mod painting;
mod state;
mod window;

use callback_desk::{logging, paths};

/// How long background start-up work waits for the window's first paint before it starts anyway.
const FIRST_PAINT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn main() {
    // Before any thread exists: it may set an environment variable the web process reads.
    let painting = painting::choose();
    let _log_guard = logging::init(&paths::log_dir(), "callback-desk");
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %paths::data_dir().display(), "starting");
    tracing::info!(choice = ?painting, "web content painting");

    let mut app_state = state::AppState::new();
    app_state.painting = painting;
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .manage(app_state)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::ui_ready,
            commands::accounts::provider_descriptors,
            commands::accounts::list_accounts,
            commands::accounts::create_account,
            commands::accounts::update_account,
            commands::accounts::delete_account,
            commands::accounts::test_account,
            commands::accounts::create_sandbox_accounts,
            commands::actions::preview_action,
            commands::actions::unmasked_curl,
            commands::actions::run_action,
            commands::actions::history_page,
            commands::actions::history_count,
            commands::actions::history_get,
            commands::actions::history_export_csv,
            commands::jobs::plan_job,
            commands::jobs::start_job,
            commands::jobs::pause_job,
            commands::jobs::cancel_job,
            commands::jobs::resume_job,
            commands::jobs::list_jobs,
            commands::jobs::budget_status,
            commands::jobs::job_results,
            commands::jobs::save_job_results,
            commands::actions::action_results,
            commands::actions::save_action_results,
            commands::prefs::get_preferences,
            commands::prefs::set_preferences,
            commands::prefs::set_history_retention,
        ])
        .setup(|app| {
            use tauri::Manager;
            window::create_main(app)?;
            let started = app.state::<state::AppState>().started;
            tracing::info!(since_start_ms = started.elapsed().as_millis() as u64, "window created");
            // The keyring self-test runs in the background once the first screen is painted (`app_info`
            // starts it earlier if asked first, and waits for its result).
            let state = app.state::<state::AppState>().inner().clone();
            let retention_state = state.clone();
            tauri::async_runtime::spawn(async move {
                state.after_first_paint(FIRST_PAINT_WAIT).await;
                let status = state.keyring_status().await;
                tracing::info!(
                    state = ?status.state,
                    backend = %status.backend,
                    since_start_ms = state.started.elapsed().as_millis() as u64,
                    "keyring self-test"
                );
            });
            // History retention: after the first paint, then once a day.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                retention_state.after_first_paint(FIRST_PAINT_WAIT).await;
                loop {
                    if let Err(e) = commands::prefs::apply_retention(&handle, &retention_state).await {
                        tracing::warn!(code = %e.code, "history retention not applied");
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(86_400)).await;
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running Callback Desk");
}
