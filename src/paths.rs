//! Where Callback Desk keeps its files. The app and the command-line companion share one data directory:
//! the platform's convention (`$XDG_DATA_HOME/io.callbackdesk.desktop` on Linux, `~/Library/Application
//! Support/io.callbackdesk.desktop` on macOS, `%APPDATA%\io.callbackdesk.desktop` on Windows), or the
//! directory named by the environment variable `CALLBACK_DESK_DATA_DIR`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The app identifier (also in `tauri.conf.json`); names the data directory and the keyring service.
pub const APP_IDENTIFIER: &str = "io.callbackdesk.desktop";
/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "CALLBACK_DESK_DATA_DIR";

/// The data directory (not created here).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| std::env::temp_dir().join("callback-desk-home")).join(APP_IDENTIFIER)
}

/// Rolling log files.
pub fn log_dir() -> PathBuf {
    data_dir().join("logs")
}

/// UI preferences (language, theme) kept by tauri-plugin-store.
pub fn settings_file() -> PathBuf {
    data_dir().join("settings.json")
}

/// Creates `dir` (and any missing parent) and, on Unix, makes it private to the user (0700), also when
/// it existed with a looser mode. Used for the data folder and the log folder.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// On Unix, makes an existing file readable and writable by the user only (0600). A missing file is not
/// an error.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens `path` for writing (created, or truncated when it exists) readable and writable by the user
/// only (0600 on Unix, from the moment it is created, and also when it existed with a looser mode).
/// Used for the database file and CSV exports.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let file = private_options().write(true).create(true).truncate(true).open(path)?;
    restrict_file(path)?;
    Ok(file)
}

/// Creates `path` empty with mode 0600 if it does not exist, or restricts it to 0600 if it does (its
/// content is kept). For files another library opens afterwards (SQLite, the log appender), so they
/// are private from their first byte.
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    private_options().append(true).create(true).open(path)?;
    restrict_file(path)
}

fn private_options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins() {
        // Only this test touches the variable, so it cannot race with others.
        let dir = std::env::temp_dir().join("cbd-paths-test");
        std::env::set_var(DATA_DIR_ENV, &dir);
        assert_eq!(data_dir(), dir);
        assert_eq!(log_dir(), dir.join("logs"));
        std::env::remove_var(DATA_DIR_ENV);
        assert!(data_dir().ends_with(APP_IDENTIFIER));
    }
}
