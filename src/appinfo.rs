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
    /// Where the window's content is painted. Set by the shell.
    pub painting: Painting,
}

/// Where WebKit paints the window's content on Linux (the desktop shell chooses at start-up; see
/// `src-tauri/src/painting.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Painting {
    /// WebKit's default: a GPU is there (a DRM render node, and software OpenGL not forced), or the platform
    /// is not Linux (the choice is WebKitGTK's only).
    Default,
    /// No GPU to paint with: the app asked WebKit to paint on the CPU.
    CpuNoGpu,
    /// The user (or whoever started the app) set `WEBKIT_SKIA_ENABLE_CPU_RENDERING`: left as it is.
    AsConfigured,
}

impl AppInfo {
    pub fn collect(keyring: KeyringStatus) -> Self {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: crate::paths::data_dir().display().to_string(),
            log_dir: crate::paths::log_dir().display().to_string(),
            keyring,
            painting: Painting::Default,
        }
    }
}
