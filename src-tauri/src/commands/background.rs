//! The answer to the question the window asks when it is closed while a job runs (see `background.rs`).

use crate::background::{self, CloseChoice};

/// Keeps the jobs running behind a tray icon, or pauses or cancels them and quits.
#[tauri::command]
pub fn close_window<R: tauri::Runtime>(app: tauri::AppHandle<R>, choice: CloseChoice) {
    background::close_with(&app, choice);
}
