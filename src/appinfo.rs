//! What the status line shows: version, data directory, keyring state.

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
}

impl AppInfo {
    pub fn collect(keyring: KeyringStatus) -> Self {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: crate::paths::data_dir().display().to_string(),
            log_dir: crate::paths::log_dir().display().to_string(),
            keyring,
        }
    }
}
