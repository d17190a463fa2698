//! The window's colour theme (see theme.rs): the theme to draw in now, from the choice in Settings and the
//! desktop's setting. Changes arrive as the `theme-changed` event.

use crate::theme::{self, Appearance};

/// The theme the window should be drawn in now.
#[tauri::command]
pub async fn current_theme<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<Appearance, callback_desk::Error> {
    Ok(theme::current(&app).await)
}
