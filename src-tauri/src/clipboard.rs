//! Clearing a command copied with its secrets ("Copy with secrets") from the clipboard.
//!
//! The window puts the command on the clipboard itself: a web page may write the clipboard during the
//! user's click, but may neither read it nor write it later from a timer (WebKit refuses both). The
//! clipboard's contents belong to the app's process, though, so on Linux the shell reads them back through
//! GTK after [`clear_seconds`] and empties the clipboard if it still holds the same text (compared by
//! SHA-256 digest; nothing of the text is kept meanwhile). On other systems it cannot, and the window
//! says so before copying.

use sha2::{Digest, Sha256};

/// How long a command copied with its secrets stays on the clipboard, where the app can clear it.
pub const CLEAR_AFTER_SECONDS: u32 = 60;

/// Seconds after which a copied command is cleared, `None` where the app cannot clear the clipboard.
/// `CALLBACK_DESK_CLIPBOARD_CLEAR_SECONDS` shortens the delay (the end-to-end tests use it).
pub fn clear_seconds() -> Option<u32> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let custom = std::env::var("CALLBACK_DESK_CLIPBOARD_CLEAR_SECONDS").ok().and_then(|v| v.parse().ok());
    Some(custom.filter(|s| *s > 0).unwrap_or(CLEAR_AFTER_SECONDS))
}

/// Clears the clipboard in [`clear_seconds`] if it then still holds `text`.
pub fn clear_later(app: &tauri::AppHandle, text: &str) {
    let Some(seconds) = clear_seconds() else {
        return;
    };
    let digest: [u8; 32] = Sha256::digest(text.as_bytes()).into();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(seconds))).await;
        let _ = app.run_on_main_thread(move || clear_if_holding(digest));
    });
}

#[cfg(target_os = "linux")]
fn clear_if_holding(digest: [u8; 32]) {
    let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
    let holds = clipboard.wait_for_text().is_some_and(|t| <[u8; 32]>::from(Sha256::digest(t.as_bytes())) == digest);
    if holds {
        clipboard.set_text("");
        tracing::info!("cleared the clipboard of a command copied with its secrets");
    }
}

#[cfg(not(target_os = "linux"))]
fn clear_if_holding(_digest: [u8; 32]) {}
