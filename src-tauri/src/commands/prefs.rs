//! UI preferences, kept by tauri-plugin-store in `settings.json` in the data directory.

use callback_desk::{paths, Error, ErrorCode};
use serde::{Deserialize, Serialize};
use tauri_plugin_store::StoreExt;
use ts_rs::TS;

/// The languages the UI ships catalogs for.
pub const LANGUAGES: &[&str] = &["en", "zh-CN", "pt-BR"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Preferences {
    /// `null` until the user picks one; the UI then follows the system language.
    pub language: Option<String>,
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::StorageFailed).detail(e.to_string())
}

#[tauri::command]
pub fn get_preferences(app: tauri::AppHandle) -> Result<Preferences, Error> {
    let store = app.store(paths::settings_file()).map_err(store_error)?;
    let language = store.get("language").and_then(|v| v.as_str().map(str::to_owned));
    Ok(Preferences { language: language.filter(|l| LANGUAGES.contains(&l.as_str())) })
}

#[tauri::command]
pub fn set_preferences(app: tauri::AppHandle, preferences: Preferences) -> Result<Preferences, Error> {
    if let Some(lang) = &preferences.language {
        if !LANGUAGES.contains(&lang.as_str()) {
            return Err(Error::invalid_field("language", "unsupported").detail(lang.clone()));
        }
    }
    let store = app.store(paths::settings_file()).map_err(store_error)?;
    match &preferences.language {
        Some(lang) => store.set("language", serde_json::Value::String(lang.clone())),
        None => {
            store.delete("language");
        }
    }
    store.save().map_err(store_error)?;
    Ok(preferences)
}
