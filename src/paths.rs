//! Where Callback Desk keeps its files. The app and the command-line companion share one data directory:
//! the platform's convention (`$XDG_DATA_HOME/io.callbackdesk.desktop` on Linux, `~/Library/Application
//! Support/io.callbackdesk.desktop` on macOS, `%APPDATA%\io.callbackdesk.desktop` on Windows), or the
//! directory named by the environment variable `CALLBACK_DESK_DATA_DIR`.

use std::path::PathBuf;

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
