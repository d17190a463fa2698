//! Files the user saves (history exports, look-up and job results): where they go, and showing them
//! afterwards.
//!
//! The system's Save dialog asks where (a suggested name in the Downloads folder); it is shown by Rust
//! (tauri-plugin-dialog's Rust API), and the window's capability grants none of the plugin's commands, so
//! the page can neither open a dialog nor learn a path the user did not choose. When
//! `CALLBACK_DESK_EXPORT_DIR` is set the file goes into that folder without asking: the end-to-end tests
//! set it, because WebDriver cannot click through a native dialog. Every file is created by
//! `paths::create_private_file` (0600, never through a link). "Show in folder" (tauri-plugin-opener's
//! `reveal_item_in_dir`, from Rust) shows only files saved by this window in this session.

use callback_desk::{paths, Error, ErrorCode};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ts_rs::TS;

/// Where a saved file went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ExportResult {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}

/// The files saved in this session: the only ones "Show in folder" shows.
#[derive(Default)]
pub struct SavedFiles(Mutex<HashSet<PathBuf>>);

impl SavedFiles {
    fn add(&self, path: &Path) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf());
    }

    fn contains(&self, path: &Path) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).contains(path)
    }
}

/// The folder the tests name instead of asking (`CALLBACK_DESK_EXPORT_DIR`).
fn folder_without_asking() -> Option<PathBuf> {
    std::env::var_os("CALLBACK_DESK_EXPORT_DIR").map(PathBuf::from)
}

/// Where the dialog starts: the Downloads folder, else the home folder.
fn starting_folder() -> Option<PathBuf> {
    dirs::download_dir().or_else(dirs::home_dir)
}

/// Asks where to save `suggested` (the dialog titled `title`, parented to the main window), or names the
/// tests' folder. `None`: the user cancelled. Blocks until the dialog closes: call it off the main thread.
pub fn choose_path<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    suggested: &str,
    title: &str,
) -> Result<Option<PathBuf>, Error> {
    if let Some(dir) = folder_without_asking() {
        std::fs::create_dir_all(&dir).map_err(|e| Error::new(ErrorCode::StorageFailed).detail(e.to_string()))?;
        return Ok(Some(dir.join(suggested)));
    }
    use tauri::Manager;
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().set_title(title).set_file_name(suggested).add_filter("CSV", &["csv"]);
    if let Some(dir) = starting_folder() {
        dialog = dialog.set_directory(dir);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    Ok(dialog.blocking_save_file().and_then(|p| p.into_path().ok()))
}

/// Creates `path` (0600, never through a link) and hands a buffered writer to `write`; remembers the file
/// for "Show in folder".
pub fn write_file(
    saved: &SavedFiles,
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<u64, Error>,
) -> Result<ExportResult, Error> {
    let file = paths::create_private_file(path)?;
    let mut w = std::io::BufWriter::new(file);
    let rows = write(&mut w)?;
    std::io::Write::flush(&mut w).map_err(|e| Error::new(ErrorCode::StorageFailed).detail(e.to_string()))?;
    saved.add(path);
    Ok(ExportResult { path: path.display().to_string(), rows })
}

/// Shows a file saved in this session in the system's file manager.
pub fn show_in_folder(saved: &SavedFiles, path: &str) -> Result<(), Error> {
    let path = PathBuf::from(path);
    if !saved.contains(&path) {
        return Err(Error::invalid_field("path", "not_saved_here"));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        tracing::warn!(error = %e, "showing a saved file failed");
        Error::new(ErrorCode::FileRevealFailed).with("path", path.display().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_saved_in_this_session_are_shown() {
        let saved = SavedFiles::default();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let err = show_in_folder(&saved, &path.display().to_string()).unwrap_err();
        assert_eq!(err.params.get("reason").and_then(|r| r.as_str()), Some("not_saved_here"));
        let result = write_file(&saved, &path, |w| {
            std::io::Write::write_all(w, b"a,b\r\n").unwrap();
            Ok(1)
        })
        .unwrap();
        assert_eq!(result.rows, 1);
        assert!(saved.contains(&path));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
