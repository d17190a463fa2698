//! Callback Desk desktop shell: a thin Tauri layer over the `callback-desk` core.
//!
//! Each command validates its input types, calls the core and maps the error; no provider logic lives
//! here, and no command returns a secret. The commands are declared once, in `commands.list`; the window
//! may call only those granted in the `main-window` capability (capabilities/main-window.json, checked
//! against the list by build.rs), and may show only the app's own pages (`window::create_main` installs
//! the navigation guard).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background;
mod clipboard;
mod commands;
mod copy_tickets;
mod desktop_font;
mod held_deletes;
mod instance;
#[cfg(test)]
mod ipc_canary_test;
mod notify;
mod painting;
mod save;
mod script_engine;
mod state;
mod team_watch;
mod theme;
mod window;

use callback_desk::{logging, paths};

/// How long background start-up work waits for the window's first paint before it starts anyway.
const FIRST_PAINT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// How often the app pushes queued actions to a team workspace's audit trail.
const TEAM_PUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

fn main() {
    // Before any thread exists: each may set an environment variable the web process reads.
    let painting = painting::choose();
    let script_engine = script_engine::choose();
    let _log_guard = logging::init(&paths::log_dir(), "callback-desk");
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %paths::data_dir().display(), "starting");
    tracing::info!(choice = ?painting, "web content painting");
    tracing::info!(choice = ?script_engine, "web script engine");

    let mut app_state = state::AppState::new();
    app_state.painting = painting;
    let context = tauri::generate_context!("../tauri.conf.json");
    // First: a second launch on the same data folder hands over to the running app and exits here.
    // The Save dialog of exports (src/save.rs) is used from Rust only: the window's capability grants none of
    // its commands.
    let builder = tauri::Builder::default()
        .plugin(instance::single_instance(&context.config().identifier))
        .plugin(instance::window_state())
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init());
    // The clipboard off Linux ("Copy with secrets", clipboard.rs), used from Rust only: the window's
    // capability grants none of its commands.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_clipboard_manager::init());
    // Desktop notifications off Linux (notify.rs; on Linux they go through notify-rust), from Rust only.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_notification::init());
    builder
        .manage(app_state)
        .invoke_handler(commands::handler())
        .on_window_event(|window, event| {
            use tauri::Manager;
            instance::window_event(window, event);
            // Closing while a job runs asks what to do with it (background.rs).
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                background::close_requested(window, api);
            }
            // Deletes the window could still undo happen when it closes.
            if matches!(event, tauri::WindowEvent::CloseRequested { .. } | tauri::WindowEvent::Destroyed) {
                commands::accounts::delete_held_now(window.state::<state::AppState>().inner());
            }
            // macOS and Windows report the desktop's theme on the window; Linux's is read in theme.rs.
            if let tauri::WindowEvent::ThemeChanged(t) = event {
                if cfg!(not(target_os = "linux")) {
                    theme::desktop_changed(window.app_handle(), theme::from_window_theme(*t));
                }
            }
        })
        .setup(|app| {
            use tauri::Manager;
            window::create_main(app)?;
            background::init(app.handle());
            theme::follow_desktop(app.handle());
            let started = app.state::<state::AppState>().started;
            tracing::info!(since_start_ms = started.elapsed().as_millis() as u64, "window created");
            // The database opens (and, on a first start, is created) while WebKit starts the page, so the
            // first screen's accounts do not wait for it.
            let open_state = app.state::<state::AppState>().inner().clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = open_state.store().await {
                    tracing::warn!(code = %e.code, "the database could not be opened at start-up");
                }
            });
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
            // In a team workspace, the actions that stayed queued while the team database was unreachable
            // reach the team's audit trail within a minute of it coming back (each action also pushes).
            let push_state = retention_state.clone();
            tauri::async_runtime::spawn(async move {
                push_state.after_first_paint(FIRST_PAINT_WAIT).await;
                loop {
                    if let Ok(store) = push_state.store().await {
                        let vault = store.accounts.vault().clone();
                        if let Err(e) = callback_desk::team::outbox::push_now(&vault, push_state.clock.as_ref()).await {
                            tracing::warn!(code = %e.code, "the team's audit trail could not be reached; actions stay queued");
                        }
                    }
                    tokio::time::sleep(TEAM_PUSH_EVERY).await;
                }
            });
            // The team workspace's approvals: the Approvals badge and decisions on this member's requests.
            let watch_state = retention_state.clone();
            let watch_handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                watch_state.after_first_paint(FIRST_PAINT_WAIT).await;
                team_watch::run(watch_handle, watch_state).await;
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
        .run(context)
        .expect("error while running Callback Desk");
}
