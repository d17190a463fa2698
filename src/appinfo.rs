//! What the status line shows (version, data directory, keyring state), and what the window needs to
//! know about the platform.

use crate::vault::KeyringStatus;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    pub keyring: KeyringStatus,
    /// Seconds after which the desktop app clears a command copied with its secrets from the clipboard
    /// (if the clipboard still holds it); `null` where it cannot. Set by the shell.
    pub clipboard_clear_seconds: Option<u32>,
}

impl AppInfo {
    pub fn collect(keyring: KeyringStatus) -> Self {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: crate::paths::data_dir().display().to_string(),
            log_dir: crate::paths::log_dir().display().to_string(),
            keyring,
            clipboard_clear_seconds: None,
        }
    }
}
