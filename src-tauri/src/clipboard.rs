//! The clipboard that "Copy with secrets" writes: the shell puts the command there itself, so the command
//! never travels to the window (which cannot read the clipboard either: WebKit lets a page read it only on
//! the user's own paste).
//!
//! On Linux the command goes on GTK's clipboard, on the main thread, like everything the window copies;
//! the clipboard's contents then belong to the app's process, so after [`clear_seconds`] the shell reads
//! them back through GTK and empties the clipboard if it still holds the same command (compared by SHA-256
//! digest; nothing of the text is kept meanwhile). On other systems the command is written through
//! tauri-plugin-clipboard-manager's Rust API (marked for exclusion from clipboard history where the system
//! has one; the window is granted none of the plugin's commands), and is not cleared: the dialog says so.

use callback_desk::secret::Secret;
use callback_desk::{Error, ErrorCode};
use sha2::{Digest, Sha256};
use tauri::{AppHandle, Runtime};

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

/// Where "Copy with secrets" puts its command.
#[derive(Clone)]
pub enum Clipboard {
    /// The desktop's clipboard.
    System,
    /// Tests only: keeps what was copied in memory, so the IPC canary test can check the copy happened.
    #[cfg(test)]
    Memory(std::sync::Arc<std::sync::Mutex<Vec<String>>>),
}

impl Clipboard {
    /// Puts `text` on the clipboard and arranges for it to be cleared; returns after how many seconds
    /// (`None`: it will not be).
    pub async fn copy_secret<R: Runtime>(&self, app: &AppHandle<R>, text: Secret) -> Result<Option<u32>, Error> {
        match self {
            Clipboard::System => {
                let digest: [u8; 32] = Sha256::digest(text.expose().as_bytes()).into();
                write(app, text).await?;
                tracing::info!("copied a command with its secrets to the clipboard");
                clear_later(app, digest);
                Ok(clear_seconds())
            }
            #[cfg(test)]
            Clipboard::Memory(copied) => {
                copied.lock().unwrap_or_else(|e| e.into_inner()).push(text.expose().to_owned());
                Ok(clear_seconds())
            }
        }
    }
}

fn write_failed(detail: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::CopyClipboardFailed).detail(detail.to_string())
}

#[cfg(target_os = "linux")]
async fn write<R: Runtime>(app: &AppHandle<R>, text: Secret) -> Result<(), Error> {
    let (done, written) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD).set_text(text.expose());
        let _ = done.send(());
    })
    .map_err(write_failed)?;
    written.await.map_err(write_failed)
}

#[cfg(not(target_os = "linux"))]
async fn write<R: Runtime>(app: &AppHandle<R>, text: Secret) -> Result<(), Error> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard().write_secret(text.expose()).map_err(write_failed)
}

/// Clears the clipboard in [`clear_seconds`] if it then still holds the text whose digest is `digest`.
fn clear_later<R: Runtime>(app: &AppHandle<R>, digest: [u8; 32]) {
    let Some(seconds) = clear_seconds() else {
        return;
    };
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
