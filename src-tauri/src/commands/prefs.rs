//! UI preferences, kept by tauri-plugin-store in `settings.json` in the data directory, and the history
//! retention setting (the only way rows leave the history).

use crate::state::AppState;
use crate::theme::{self, ThemeChoice};
use callback_desk::i18n::{Language, Zone};
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
    /// Days of history kept; `null` keeps everything. Older rows are deleted when this is set, at each
    /// start and once a day.
    #[ts(optional = nullable)]
    #[serde(default)]
    pub history_keep_days: Option<u32>,
    /// The time zone dates are typed and shown in; `null` until the user picks one (local time).
    #[ts(optional = nullable)]
    #[serde(default)]
    pub time_zone: Option<TimeZoneChoice>,
    /// The colour theme; `null` until the user picks one (follows the desktop, like `system`).
    #[ts(optional = nullable)]
    #[serde(default)]
    pub theme: Option<ThemeChoice>,
    /// Whether jobs notify the desktop when they finish, stop or wait (notify.rs); `null` until the user
    /// picks, which is on.
    #[ts(optional = nullable)]
    #[serde(default)]
    pub notifications: Option<bool>,
}

/// Where dates and times are read and written: the computer's time zone, or UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum TimeZoneChoice {
    #[serde(rename = "local")]
    Local,
    #[serde(rename = "UTC")]
    Utc,
}

impl TimeZoneChoice {
    fn as_str(self) -> &'static str {
        match self {
            TimeZoneChoice::Local => "local",
            TimeZoneChoice::Utc => "UTC",
        }
    }

    fn parse(s: &str) -> Option<TimeZoneChoice> {
        match s {
            "local" => Some(TimeZoneChoice::Local),
            "UTC" => Some(TimeZoneChoice::Utc),
            _ => None,
        }
    }
}

/// The retention choices offered (days).
pub const KEEP_DAYS: &[u32] = &[30, 90, 180, 365, 730, 1825];

/// What applying the retention setting did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct RetentionResult {
    pub history_keep_days: Option<u32>,
    /// Rows deleted now.
    #[ts(type = "number")]
    pub deleted: u64,
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::StorageFailed).detail(e.to_string())
}

#[tauri::command]
pub fn get_preferences<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<Preferences, Error> {
    let store = app.store(paths::settings_file()).map_err(store_error)?;
    let language = store.get("language").and_then(|v| v.as_str().map(str::to_owned));
    let time_zone = store.get("time_zone").and_then(|v| v.as_str().and_then(TimeZoneChoice::parse));
    Ok(Preferences {
        language: language.filter(|l| LANGUAGES.contains(&l.as_str())),
        history_keep_days: keep_days(&app)?,
        time_zone,
        theme: store.get("theme").and_then(|v| v.as_str().and_then(ThemeChoice::parse)),
        notifications: store.get("notifications").and_then(|v| v.as_bool()),
    })
}

/// What the desktop notifications of jobs need of the preferences.
pub struct NotificationSettings {
    pub enabled: bool,
    /// The window's language: the one chosen, else the system's (as the window picks it).
    pub language: Language,
    pub zone: Zone,
}

/// The saved notification settings (on, in the system's language and local time, when none are saved).
pub fn notification_settings<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> NotificationSettings {
    let prefs = get_preferences(app.clone()).unwrap_or_default();
    let system = || {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_default()
    };
    NotificationSettings {
        enabled: prefs.notifications.unwrap_or(true),
        language: Language::from_tag(&prefs.language.unwrap_or_else(system)),
        zone: match prefs.time_zone {
            Some(TimeZoneChoice::Utc) => Zone::Utc,
            _ => Zone::Local,
        },
    }
}

/// The saved retention setting.
pub fn keep_days<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<Option<u32>, Error> {
    let store = app.store(paths::settings_file()).map_err(store_error)?;
    Ok(store
        .get("history_keep_days")
        .and_then(|v| v.as_u64())
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| KEEP_DAYS.contains(d)))
}

/// Deletes the history rows older than the saved retention (nothing when history is kept forever).
pub async fn apply_retention<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: &AppState) -> Result<u64, Error> {
    let Some(days) = keep_days(app)? else { return Ok(0) };
    let history = state.history().await?;
    let deleted = tauri::async_runtime::spawn_blocking(move || history.apply_retention(days))
        .await
        .map_err(|e| Error::internal(e.to_string()))??;
    if deleted > 0 {
        tracing::info!(deleted, keep_days = days, "history rows past the retention period deleted");
    }
    Ok(deleted)
}

/// Saves how long history is kept and applies it at once.
#[tauri::command]
pub async fn set_history_retention<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    days: Option<u32>,
) -> Result<RetentionResult, Error> {
    if let Some(d) = days {
        if !KEEP_DAYS.contains(&d) {
            return Err(Error::invalid_field("history_keep_days", "not_allowed")
                .with("allowed", KEEP_DAYS.to_vec())
                .detail(d.to_string()));
        }
    }
    let store = app.store(paths::settings_file()).map_err(store_error)?;
    match days {
        Some(d) => store.set("history_keep_days", serde_json::Value::from(d)),
        None => {
            store.delete("history_keep_days");
        }
    }
    store.save().map_err(store_error)?;
    let deleted = apply_retention(&app, &state).await?;
    Ok(RetentionResult { history_keep_days: days, deleted })
}

/// Saves the language, the time zone, the theme and the notifications (each `null` goes back to the system's); how long history is kept
/// has its own command.
#[tauri::command]
pub fn set_preferences<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    preferences: Preferences,
) -> Result<Preferences, Error> {
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
    match preferences.time_zone {
        Some(zone) => store.set("time_zone", serde_json::Value::String(zone.as_str().to_owned())),
        None => {
            store.delete("time_zone");
        }
    }
    match preferences.theme {
        Some(choice) => store.set("theme", serde_json::Value::String(choice.as_str().to_owned())),
        None => {
            store.delete("theme");
        }
    }
    match preferences.notifications {
        Some(on) => store.set("notifications", serde_json::Value::Bool(on)),
        None => {
            store.delete("notifications");
        }
    }
    store.save().map_err(store_error)?;
    theme::choice_changed(&app, preferences.theme.unwrap_or_default());
    Ok(Preferences { history_keep_days: keep_days(&app)?, ..preferences })
}
