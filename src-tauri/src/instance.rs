//! One app per data folder, and the window's size and position remembered.
//!
//! A second launch on the same data folder hands over to the first (which shows and focuses its window) and
//! exits: on Linux the first holds a D-Bus name on the session bus derived from the data folder
//! (tauri-plugin-single-instance), so two data folders (`CALLBACK_DESK_DATA_DIR`) still run side by side; on
//! macOS and Windows the plugin allows one instance of the app. The window's size, position and maximized
//! state are restored when the window is created (tauri-plugin-window-state) and saved a second after the
//! window stops moving or resizing, so a killed app or a cut power keeps them too (the plugin itself saves
//! only when the app exits normally).
//! The window's capability grants none of these plugins' commands: they are used from Rust only.

use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered of the window.
const REMEMBERED: StateFlags = StateFlags::SIZE.union(StateFlags::POSITION).union(StateFlags::MAXIMIZED);

/// How long the window must stay still before its state is written.
const SETTLE: Duration = Duration::from_secs(1);

/// Counts moves and resizes, so only the last one of a drag writes the file.
static CHANGES: AtomicU64 = AtomicU64::new(0);

/// The single-instance name for a data folder: the app's identifier and a digest of the folder's path
/// (a valid D-Bus name element: letters and digits, not starting with a digit).
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{identifier}.data_{hex}")
}

/// The single-instance plugin: registered first, so a second launch stops before anything else starts.
pub fn single_instance<R: Runtime>(identifier: &str) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(identifier, &callback_desk::paths::data_dir()))
        .callback(|app, _args, _cwd| {
            tracing::info!("another launch: showing this window");
            // Also when it runs in the background behind its tray icon.
            crate::background::reopen(app);
        })
        .build()
}

/// Remembers the main window's size, position and maximized state (not its visibility or decorations).
pub fn window_state<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default().with_state_flags(REMEMBERED).build()
}

/// Writes the window's state once it has stayed still for [`SETTLE`] after a move or resize.
pub fn window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if !matches!(event, tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)) {
        return;
    }
    let change = CHANGES.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if CHANGES.load(Ordering::SeqCst) == change {
            // On the main thread: the plugin's event handlers take its cache's lock there, and saving
            // from another thread would hold that lock while waiting for the main thread.
            let saver = app.clone();
            let _ = app.run_on_main_thread(move || {
                if let Err(e) = saver.save_window_state(REMEMBERED) {
                    tracing::warn!(error = %e, "window size and position not saved");
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_has_its_own_valid_instance_name() {
        let a = instance_id("io.callbackdesk.desktop", Path::new("/home/u/.local/share/io.callbackdesk.desktop"));
        let b = instance_id("io.callbackdesk.desktop", Path::new("/tmp/other data"));
        assert_ne!(a, b);
        assert_eq!(
            a,
            instance_id("io.callbackdesk.desktop", Path::new("/home/u/.local/share/io.callbackdesk.desktop"))
        );
        for id in [&a, &b] {
            let name = format!("{id}.SingleInstance");
            assert!(name.len() <= 255, "{name}");
            for element in name.split('.') {
                assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{name}");
                assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{name}");
            }
        }
    }
}
